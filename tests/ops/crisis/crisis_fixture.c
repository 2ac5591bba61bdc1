/* crisis_fixture.c - shared helpers of the crisis-model tests (crisis_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "crisis.h"
#include "crisis_fixture.h"
#include "diag.h"
#include "plan.h"
#include "sim.h"
#include "ops.h"

scn_scenario *fixture_load(const char *header, const char *body) {
  char path[] = "/tmp/test_crisis_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs(header, f);
  fputs(body, f);
  fclose(f);
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  if (scn_load(&sc, path, &opt, d) != 0) diag_print(d, stderr, 0);
  diag_free(d);
  unlink(path);
  assert_non_null(sc);
  return sc;
}

static void count_status(sim *s, const sim_signal *sig, void *ctx) {
  (void)s, (void)sig;
  ((fixture_runs *)ctx)->transitions++;
}

void fixture_run(fixture_runs *out, const scn_scenario *sc, int n) {
  fixture_run_plan(out, sc, n, NULL);
}

void fixture_run_plan(fixture_runs *out, const scn_scenario *sc, int n,
                      const plan_authorities *table) {
  crisis_model *cm = NULL;
  plan_model *pm = NULL;
  diag *d = diag_new();
  metric_set_init(&out->ms);
  assert_int_equal(crisis_model_new(&cm, sc, &out->ms, d), 0);
  if (table && plan_model_new(&pm, sc, table, &out->ms, d)) diag_print(d, stderr, 0);
  assert_true(!table || pm);
  out->n = n;
  out->transitions = 0;
  out->values = malloc((size_t)n * out->ms.n * sizeof *out->values);
  assert_non_null(out->values);
  sim *s = sim_new();
  arena a;
  arena_init(&a, 1 << 24);
  for (int r = 0; r < n; r++) {
    sim_reset(s);
    arena_reset(&a);
    metric_out o;
    assert_int_equal(metric_out_init(&o, &out->ms, &a), 0);
    assert_int_equal(sim_subscribe(s, SIG_SITE_STATUS, count_status, out), 0);
    crisis *c = crisis_start(cm, s, &a, &o, sc->seed, (uint32_t)r);
    assert_non_null(c);
    plan_run *p = pm ? plan_start(pm, s, &a, &o, sc->seed, (uint32_t)r) : NULL;
    assert_true(!pm || p);
    assert_int_equal(sim_run(s, sc->horizon), 0);
    crisis_collect(c, s, &o);
    if (p) plan_collect(p, s, &o);
    memcpy(&out->values[(size_t)r * out->ms.n], o.value, out->ms.n * sizeof *o.value);
  }
  arena_release(&a);
  sim_free(s);
  plan_model_free(pm);
  crisis_model_free(cm);
  diag_free(d);
}

void fixture_runs_free(fixture_runs *r) {
  free(r->values);
  metric_set_release(&r->ms);
}

double fixture_value(const fixture_runs *r, int rep, const char *module, const char *name) {
  int m = metric_find(&r->ms, module, name);
  assert_true(m >= 0);
  return r->values[(size_t)rep * r->ms.n + (size_t)m];
}
