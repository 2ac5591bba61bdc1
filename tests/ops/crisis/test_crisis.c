/* test_crisis.c - the crisis model against closed forms: occurrence probabilities of
 * chains and branches, delay means, all_of/any_of triggers, nested closures, signals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "crisis.h"
#include "crisis_fixture.h"
#include "diag.h"
#include "metric.h"
#include "scenario.h"
#include "sim.h"
#include "stats.h"

static const char header[] =
    "scenario: {name: crisis test, epoch: 2027-04-01T00:00Z, horizon: 1000d, seed: 99,\n"
    "           notional: true}\n"
    "theater:\n"
    "  places:\n"
    "    - {id: naha, lat: 26.2124, lon: 127.6792}\n"
    "  regions:\n"
    "    - {id: zone, kind: combat_area, polygon: [[26, 119], [26, 123], [21, 122]]}\n";

static scn_scenario *load(const char *events) { return fixture_load(header, events); }

static stats_summary summary(const fixture_runs *r, const char *name) {
  int m = metric_find(&r->ms, "crisis", name);
  assert_true(m >= 0);
  double *x = malloc((size_t)r->n * sizeof *x), *scratch = malloc((size_t)r->n * sizeof *x);
  for (int i = 0; i < r->n; i++) x[i] = r->values[(size_t)i * r->ms.n + (size_t)m];
  stats_summary s;
  stats_summarize(&s, x, (size_t)r->n, metric_stats_kind(r->ms.def[m].flags), scratch);
  free(x), free(scratch);
  return s;
}

/* |mean - expected| within four standard errors of a proportion (fails ~1 in 15,000). */
static void assert_probability(const fixture_runs *r, const char *name, double p) {
  stats_summary s = summary(r, name);
  double se = sqrt(p * (1 - p) / r->n);
  if (fabs(s.mean - p) > 4 * se + 1e-12) {
    fprintf(stderr, "%s: simulated %.4f, expected %.4f (se %.4f, seed 99)\n", name, s.mean,
            p, se);
    fail();
  }
}

static void chain_and_branch_probabilities(void **state) {
  (void)state;
  scn_scenario *sc = load("crisis:\n"
                          "  events:\n"
                          "    - {id: a, at: 1h}\n"
                          "    - id: b\n"
                          "      after: a\n"
                          "      p: 0.8\n"
                          "      branches:\n"
                          "        - {id: x, p: 0.5}\n"
                          "        - {id: y, p: 0.3}\n"
                          "    - {id: c, after: x, p: 0.5}\n"
                          "    - {id: both, after: {all_of: [c, y]}}\n"
                          "    - {id: either, after: {any_of: [c, y]}}\n");
  fixture_runs r;
  fixture_run(&r, sc, 20000);
  assert_probability(&r, "a.occurred", 1);
  assert_probability(&r, "b.occurred", 0.8);
  assert_probability(&r, "x.occurred", 0.8 * 0.5);
  assert_probability(&r, "y.occurred", 0.8 * 0.3);
  assert_probability(&r, "c.occurred", 0.8 * 0.5 * 0.5);
  assert_probability(&r, "both.occurred", 0); /* x and y exclude each other */
  assert_probability(&r, "either.occurred", 0.8 * 0.5 * 0.5 + 0.8 * 0.3);
  fixture_runs_free(&r);
  scn_free(sc);
}

static void delays_add_up(void **state) {
  (void)state;
  /* a at 2h; b after a with exponential mean 5d: E[time of b] = 2h + 5d.
   * c after a with uniform 1d..3d: E = 2h + 2d. */
  scn_scenario *sc = load("crisis:\n"
                          "  events:\n"
                          "    - {id: a, at: 2h}\n"
                          "    - {id: b, after: a, delay: {dist: exponential, mean: 5d}}\n"
                          "    - {id: c, after: a, delay: {dist: uniform, min: 1d, max: 3d}}\n");
  fixture_runs r;
  fixture_run(&r, sc, 4000);
  stats_summary b = summary(&r, "b.time"), c = summary(&r, "c.time");
  double eb = 2 * 3600.0 + 5 * 86400.0, ec = 2 * 3600.0 + 2 * 86400.0;
  if (fabs(b.mean - eb) > 2 * b.half_width || fabs(c.mean - ec) > 2 * c.half_width) {
    fprintf(stderr, "b %.1f vs %.1f (hw %.1f), c %.1f vs %.1f (hw %.1f)\n", b.mean, eb,
            b.half_width, c.mean, ec, c.half_width);
    fail();
  }
  assert_true(c.min >= 86400.0 + 7200.0 && c.max <= 3 * 86400.0 + 7200.0);
  fixture_runs_free(&r);
  scn_free(sc);
}

static void overlapping_closures_nest(void **state) {
  (void)state;
  /* Closed 10h..30h by one event and 20h..50h by another: 40h closed in all, and
   * only two transitions (closed at 10h, open at 50h) are published. */
  scn_scenario *sc = load("crisis:\n"
                          "  events:\n"
                          "    - id: first\n"
                          "      at: 10h\n"
                          "      raises: [{signal: site_closed, place: naha, for: 20h}]\n"
                          "    - id: second\n"
                          "      at: 20h\n"
                          "      raises: [{signal: site_closed, place: naha, for: 30h},\n"
                          "               {signal: region_active, region: zone}]\n");
  fixture_runs r;
  fixture_run(&r, sc, 3);
  stats_summary closed = summary(&r, "naha.closed_time");
  assert_true(closed.min == 40 * 3600.0 && closed.max == 40 * 3600.0);
  assert_int_equal(r.transitions, 2 * 3);
  /* No duration: active from 20h to the horizon (1000d). */
  stats_summary active = summary(&r, "zone.active_time");
  assert_true(active.min == 1000 * 86400.0 - 20 * 3600.0);
  fixture_runs_free(&r);
  scn_free(sc);
}

static void streams_are_per_event(void **state) {
  (void)state;
  /* Adding an unrelated event, even before it, must not change another event's draws. */
  scn_scenario *one = load("crisis:\n"
                           "  events:\n"
                           "    - {id: a, at: 0h, delay: {dist: exponential, mean: 1d}}\n");
  scn_scenario *two = load("crisis:\n"
                           "  events:\n"
                           "    - {id: z, at: 0h, delay: {dist: exponential, mean: 9d}}\n"
                           "    - {id: a, at: 0h, delay: {dist: exponential, mean: 1d}}\n");
  fixture_runs r1, r2;
  fixture_run(&r1, one, 50);
  fixture_run(&r2, two, 50);
  int m1 = metric_find(&r1.ms, "crisis", "a.time"), m2 = metric_find(&r2.ms, "crisis", "a.time");
  for (int i = 0; i < 50; i++)
    assert_true(r1.values[(size_t)i * r1.ms.n + (size_t)m1] ==
                r2.values[(size_t)i * r2.ms.n + (size_t)m2]);
  fixture_runs_free(&r1), fixture_runs_free(&r2);
  scn_free(one), scn_free(two);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(chain_and_branch_probabilities),
      cmocka_unit_test(delays_add_up),
      cmocka_unit_test(overlapping_closures_nest),
      cmocka_unit_test(streams_are_per_event),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
