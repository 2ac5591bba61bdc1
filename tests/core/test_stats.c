/* test_stats.c - summaries against hand-computed values, NaN skipping, convergence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "stats.h"

#define NEAR(x, want, tol) assert_true(fabs((x) - (want)) <= (tol))

/* x = 2, 4, 4, 4, 5, 5, 7, 9 (in scrambled order): mean 5, sum of squared deviations
 * 32, sample sd sqrt(32/7) = 2.138089935..., t_{0.975,7} = 2.364624252,
 * half-width = 2.364624252 * 2.138089935 / sqrt(8) = 1.787485...
 * Quantiles (linear, position (n-1) f): p5 at 0.35 -> 2 + 0.35*2 = 2.7; p50 at 3.5
 * -> 4.5; p95 at 6.65 -> 7 + 0.65*2 = 8.3. */
static void test_hand_computed(void **state) {
  (void)state;
  const double x[] = {5, 9, 2, 4, 7, 4, 5, 4};
  double copy[8], scratch[8];
  memcpy(copy, x, sizeof x);
  stats_summary s;
  stats_summarize(&s, x, 8, scratch);
  assert_int_equal(s.n, 8);
  NEAR(s.mean, 5.0, 1e-15);
  NEAR(s.sd, sqrt(32.0 / 7), 1e-14);
  NEAR(s.half_width, 2.364624252 * sqrt(32.0 / 7) / sqrt(8.0), 1e-8);
  NEAR(s.min, 2, 0);
  NEAR(s.max, 9, 0);
  NEAR(s.p5, 2.7, 1e-12);
  NEAR(s.p50, 4.5, 1e-12);
  NEAR(s.p95, 8.3, 1e-12);
  assert_memory_equal(copy, x, sizeof x); /* input untouched */
}

static void test_nan_skipped(void **state) {
  (void)state;
  const double x[] = {NAN, 1, NAN, 3, 2, NAN};
  double scratch[6];
  stats_summary s;
  stats_summarize(&s, x, 6, scratch);
  assert_int_equal(s.n, 3);
  NEAR(s.mean, 2, 1e-15);
  NEAR(s.sd, 1, 1e-15);
  /* t_{0.975,2} = 4.302652730 */
  NEAR(s.half_width, 4.302652730 / sqrt(3.0), 1e-8);
  NEAR(s.min, 1, 0);
  NEAR(s.p50, 2, 1e-15);
  NEAR(s.max, 3, 0);
}

static void test_small_n(void **state) {
  (void)state;
  double scratch[3];
  stats_summary s;
  const double none[] = {NAN, NAN};
  stats_summarize(&s, none, 2, scratch);
  assert_int_equal(s.n, 0);
  assert_true(isnan(s.mean) && isnan(s.half_width) && isnan(s.p50));
  assert_false(stats_converged(&s, 0.05));

  stats_summarize(&s, NULL, 0, scratch);
  assert_int_equal(s.n, 0);

  const double one[] = {NAN, 42};
  stats_summarize(&s, one, 2, scratch);
  assert_int_equal(s.n, 1);
  NEAR(s.mean, 42, 0);
  assert_true(isnan(s.half_width));
  NEAR(s.p5, 42, 0);
  NEAR(s.p95, 42, 0);
  assert_false(stats_converged(&s, 0.05));
}

static void test_converged(void **state) {
  (void)state;
  stats_summary s = {0};
  s.n = 100;
  s.mean = -10;
  s.half_width = 0.4;
  assert_true(stats_converged(&s, 0.05)); /* 0.4 <= 0.5, sign of mean ignored */
  s.half_width = 0.6;
  assert_false(stats_converged(&s, 0.05));
  s.mean = 0;
  s.half_width = 0;
  assert_true(stats_converged(&s, 0.05)); /* a constant zero metric */
  s.half_width = 1e-9;
  assert_false(stats_converged(&s, 0.05));

  /* Through the summary: a constant metric converges at once. */
  const double c[] = {3, 3, 3, 3};
  double scratch[4];
  stats_summarize(&s, c, 4, scratch);
  NEAR(s.sd, 0, 0);
  assert_true(stats_converged(&s, 0.01));
}

/* A proportion gets Wilson's interval (values from the closed form, computed apart);
 * anything else mean -+ the t half-width. */
static void test_intervals(void **state) {
  (void)state;
  double x[20], scratch[20];
  stats_summary s;
  for (int i = 0; i < 10; i++) x[i] = i == 0;
  stats_summarize(&s, x, 10, scratch);
  assert_true(fabs(s.ci_lo - 0.017876213095072896) < 1e-12);
  assert_true(fabs(s.ci_hi - 0.4041500267952385) < 1e-12);
  for (int i = 0; i < 20; i++) x[i] = 0;
  stats_summarize(&s, x, 20, scratch);
  assert_true(fabs(s.ci_lo) < 1e-15 && fabs(s.ci_hi - 0.16112515805281938) < 1e-12);
  for (int i = 0; i < 20; i++) x[i] = 1;
  stats_summarize(&s, x, 20, scratch);
  assert_true(fabs(s.ci_lo - 0.8388748419471806) < 1e-12 && fabs(s.ci_hi - 1) < 1e-12);
  double y[4] = {1, 2, 3, 4};
  stats_summarize(&s, y, 4, scratch);
  assert_true(s.ci_lo == s.mean - s.half_width && s.ci_hi == s.mean + s.half_width);
  stats_summarize(&s, y + 2, 1, scratch); /* one value, not a proportion: no interval */
  assert_true(isnan(s.ci_lo) && isnan(s.ci_hi));
}

static void test_time_weighted(void **state) {
  (void)state;
  stats_tw w = {0, 0, 0};
  stats_tw_set(&w, 0, 2);  /* 2 on [0, 10) */
  stats_tw_set(&w, 10, 4); /* 4 on [10, 15) */
  NEAR(stats_tw_mean(&w, 15), (2.0 * 10 + 4.0 * 5) / 15, 1e-15);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hand_computed),
      cmocka_unit_test(test_nan_skipped),
      cmocka_unit_test(test_small_n),
      cmocka_unit_test(test_converged),
      cmocka_unit_test(test_intervals),
      cmocka_unit_test(test_time_weighted),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
