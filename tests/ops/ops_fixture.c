/* ops_fixture.c - see ops_fixture.h. */
#include "ops_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "diag.h"
#include "arena.h"
#include "metric.h"
#include "ops.h"
#include "sim.h"

scn_scenario *ops_fixture_load(const char *dir, const char *name, const char *const *overrides,
                               size_t n) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  opt.overrides = overrides, opt.noverrides = n;
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  int rc = scn_load(&sc, path, &opt, d);
  if (rc) diag_print(d, stderr, 0);
  diag_free(d);
  assert_int_equal(rc, 0);
  return sc;
}

uint64_t ops_fixture_seed(void) {
  const char *e = getenv("STRAITS_TEST_SEED");
  return e && *e ? strtoull(e, NULL, 0) : 0;
}

int ops_fixture_run_blamed(const scn_scenario *sc, sim_blame *blame) {
  size_t nmod;
  const ops_module *const *mod = ops_registry(&nmod);
  void *model[OPS_MAX_MODULES] = {0}, *state[OPS_MAX_MODULES] = {0};
  metric_set ms;
  metric_set_init(&ms);
  ops_context ctx = {NULL};
  diag *d = diag_new();
  for (size_t i = 0; i < nmod; i++) {
    int rc = mod[i]->prepare(&model[i], sc, &ctx, &ms, d);
    if (rc) diag_print(d, stderr, 0);
    assert_int_equal(rc, 0);
  }
  diag_free(d);
  sim *s = sim_new();
  arena a;
  arena_init(&a, ARENA_DEFAULT_CAP);
  metric_out mo;
  assert_int_equal(metric_out_init(&mo, &ms, &a), 0);
  ops_rep rep = {.seed = sc->seed};
  for (size_t i = 0; i < nmod; i++)
    if (model[i] && mod[i]->start) assert_non_null(state[i] = mod[i]->start(model[i], s, &a, &mo, &rep));
  int err = sim_run(s, sc->horizon);
  const sim_blame *b = sim_error_blame(s);
  *blame = b ? *b : (sim_blame){0};
  arena_release(&a);
  sim_free(s);
  for (size_t i = 0; i < nmod; i++)
    if (model[i]) mod[i]->release(model[i]);
  metric_set_release(&ms);
  return err;
}
