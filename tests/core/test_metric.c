/* test_metric.c - the registry (copies, lookup, duplicates, cap) and one
 * replication's output in an arena. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "metric.h"

static void test_registry(void **state) {
  (void)state;
  metric_set ms;
  metric_set_init(&ms);
  char module[16] = "crisis", name[32] = "blockade.occurred";
  int i = metric_define(&ms, module, name, "1", METRIC_HEADLINE, "a blockade began");
  assert_int_equal(i, 0);
  /* Strings are copied: changing the caller's buffers changes nothing. */
  strcpy(module, "xxxx");
  strcpy(name, "yyyy");
  assert_string_equal(ms.def[0].module, "crisis");
  assert_string_equal(ms.def[0].name, "blockade.occurred");
  assert_int_equal(ms.def[0].flags, METRIC_HEADLINE);

  assert_int_equal(metric_define(&ms, "sar", "survivors", NULL, METRIC_SERIES, NULL), 1);
  assert_string_equal(ms.def[1].unit, "");
  assert_string_equal(ms.def[1].description, "");
  assert_int_equal(metric_define(&ms, "crisis", "survivors", "1", 0, "x"), 2);

  assert_int_equal(metric_find(&ms, "sar", "survivors"), 1);
  assert_int_equal(metric_find(&ms, "crisis", "survivors"), 2);
  assert_int_equal(metric_find(&ms, "crisis", "blockade.occurred"), 0);
  assert_int_equal(metric_find(&ms, "sar", "blockade.occurred"), -1);
  assert_int_equal(metric_define(&ms, "sar", "survivors", "1", 0, ""), ERR_INPUT);
  assert_int_equal(ms.n, 3);

  /* Module and name are separate parts of the key. */
  assert_int_equal(metric_define(&ms, "a.b", "c", "", 0, ""), 3);
  assert_int_equal(metric_define(&ms, "a", "b.c", "", 0, ""), 4);
  assert_int_equal(metric_find(&ms, "a", "b.c"), 4);
  assert_int_equal(metric_find(&ms, "a.b", "c"), 3);

  /* Many metrics: indices stay dense and in definition order across growth. */
  for (int k = 0; k < 1000; k++) {
    char nm[32];
    snprintf(nm, sizeof nm, "m%d", k);
    assert_int_equal(metric_define(&ms, "logistics", nm, "kg", 0, ""), 5 + k);
  }
  assert_int_equal(metric_find(&ms, "logistics", "m777"), 5 + 777);
  metric_set_release(&ms);
  assert_int_equal(ms.n, 0);
  assert_null(ms.def);
}

/* The registry refuses metric METRIC_MAX + 1, and stays usable. */
static void test_cap(void **state) {
  (void)state;
  metric_set ms;
  metric_set_init(&ms);
  char nm[32];
  for (int k = 0; k < METRIC_MAX; k++) {
    snprintf(nm, sizeof nm, "m%d", k);
    if (metric_define(&ms, "mc", nm, "", 0, "") != k) fail_msg("define %d", k);
  }
  assert_int_equal(metric_define(&ms, "mc", "one.more", "", 0, ""), ERR_LIMIT);
  assert_int_equal(ms.n, METRIC_MAX);
  assert_int_equal(metric_find(&ms, "mc", "one.more"), -1);
  assert_int_equal(metric_find(&ms, "mc", "m99999"), 99999);
  assert_int_equal(metric_find(&ms, "mc", "m0"), 0);
  metric_set_release(&ms);
}

static void test_out(void **state) {
  (void)state;
  metric_set ms;
  metric_set_init(&ms);
  for (int k = 0; k < 5; k++) {
    char nm[16];
    snprintf(nm, sizeof nm, "v%d", k);
    assert_int_equal(metric_define(&ms, "test", nm, "s", 0, ""), k);
  }
  arena a;
  arena_init(&a, ARENA_DEFAULT_CAP);
  metric_out o;
  assert_int_equal(metric_out_init(&o, &ms, &a), 0);
  for (int k = 0; k < 5; k++) assert_true(isnan(o.value[k]));
  metric_put(&o, 3, 72 * 3600.0);
  assert_true(o.value[3] == 72 * 3600.0);
  assert_true(isnan(o.value[2]));

  /* Points keep their order across several doublings. */
  for (int k = 0; k < 10000; k++) assert_int_equal(metric_point_add(&o, k % 5, k, -k), 0);
  assert_int_equal(o.npoints, 10000);
  assert_true(o.cap >= 10000);
  for (int k = 0; k < 10000; k++) {
    assert_int_equal(o.point[k].metric, k % 5);
    assert_true(o.point[k].t == k && o.point[k].value == -k);
  }

  /* A second replication after reset starts clean. */
  arena_reset(&a);
  assert_int_equal(metric_out_init(&o, &ms, &a), 0);
  assert_int_equal(o.npoints, 0);
  for (int k = 0; k < 5; k++) assert_true(isnan(o.value[k]));
  arena_release(&a);
  metric_set_release(&ms);
}

static void test_out_arena_exhausted(void **state) {
  (void)state;
  metric_set ms;
  metric_set_init(&ms);
  assert_int_equal(metric_define(&ms, "test", "x", "", METRIC_SERIES, ""), 0);
  arena a;
  arena_init(&a, 64 << 10);
  metric_out o;
  assert_int_equal(metric_out_init(&o, &ms, &a), 0);
  int rc = 0;
  size_t added = 0;
  for (int k = 0; k < 100000 && rc == 0; k++)
    if ((rc = metric_point_add(&o, 0, k, k)) == 0) added++;
  assert_int_equal(rc, ERR_LIMIT);
  assert_true(added > 100);
  assert_int_equal(o.npoints, added); /* nothing lost before the limit */
  assert_true(o.point[added - 1].t == (double)(added - 1));
  arena_release(&a);

  /* No room even for the values. */
  arena tiny;
  arena_init(&tiny, 8);
  assert_int_equal(metric_out_init(&o, &ms, &tiny), ERR_LIMIT);
  arena_release(&tiny);
  metric_set_release(&ms);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_registry),
      cmocka_unit_test(test_cap),
      cmocka_unit_test(test_out),
      cmocka_unit_test(test_out_arena_exhausted),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
