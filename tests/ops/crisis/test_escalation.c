/* test_escalation.c - the escalation ladder and spillover against exact answers.
 *
 * A pure Markov ladder (constant rates, no events): absorption probabilities and mean
 * times to absorption from a GSL linear solve on the generator's transient block, and
 * P(absorbed in a level by t) from the matrix exponential (docs/models.md, section
 * "Escalation ladder").  Then rate multipliers that switch on with an event, level
 * entries that make events occur, and spillover by site, region and `reaches:`.
 * Last, rates that follow the plan: multiplied while a task runs (the exact answer a
 * product of matrix exponentials over the intervals) or while a phase is current,
 * with the plan module started after the crisis as mc.c does. */
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

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "arena.h"
#include "crisis.h"
#include "crisis_fixture.h"
#include "diag.h"
#include "metric.h"
#include "plan.h"
#include "scenario.h"
#include "sim.h"
#include "ops.h"

static const char header[] =
    "scenario: {name: escalation test, epoch: 2027-04-01T00:00Z, horizon: 2000d, seed: 7,\n"
    "           notional: true}\n"
    "theater:\n"
    "  places:\n"
    "    - {id: naha, lat: 26.2124, lon: 127.6792}\n"
    "    - {id: taipei, lat: 25.0330, lon: 121.5654}\n"
    "  regions:\n"
    "    - {id: okinawa, kind: territory, polygon: [[27.0, 127.0], [27.0, 128.5], [25.8, 128.5],"
    " [25.8, 127.0]]}\n"
    "    - {id: senkaku, kind: territory, polygon: [[25.6, 123.3], [26.0, 123.3], [26.0, 123.8],"
    " [25.6, 123.8]]}\n"
    "    - {id: strait, kind: combat_area, polygon: [[26, 119], [26, 123], [21, 122]]}\n";

static scn_scenario *load(const char *body) { return fixture_load(header, body); }

/* Wilson score interval for k successes in n at z standard normal quantiles. */
static void wilson(double k, double n, double z, double *lo, double *hi) {
  double p = k / n, z2 = z * z, den = 1 + z2 / n;
  double mid = (p + z2 / (2 * n)) / den;
  double half = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / den;
  *lo = mid - half, *hi = mid + half;
}

static void assert_in_wilson(const char *what, double k, double n, double exact) {
  double lo, hi;
  wilson(k, n, 3.29, &lo, &hi); /* 99.9%: a correct model fails 1 seed in 1000 */
  if (exact < lo || exact > hi) {
    fprintf(stderr, "%s: exact %.5f outside the simulated 99.9%% CI [%.5f, %.5f]\n", what,
            exact, lo, hi);
    fail();
  }
}

/* ---- the exact answer for the ladder below ------------------------------------------ */

/* Levels a, b (transient), c, d (absorbing); rates per day. */
#define NL 4
static const double rate_per_day[NL][NL] = {
    /*        a     b     c     d */
    /* a */ {0, 0.30, 0.10, 0},
    /* b */ {0.15, 0, 0.05, 0.20},
    /* c */ {0, 0, 0, 0},
    /* d */ {0, 0, 0, 0},
};

static const char ladder[] =
    "crisis:\n"
    "  escalation:\n"
    "    levels: [{id: a}, {id: b}, {id: c}, {id: d}]\n"
    "    transitions:\n"
    "      - {from: a, to: b, rate: 0.30/d}\n"
    "      - {from: a, to: c, rate: 0.10/d}\n"
    "      - {from: b, to: a, rate: 0.15/d}\n"
    "      - {from: b, to: c, rate: 0.05/d}\n"
    "      - {from: b, to: d, rate: 0.20/d}\n";

/* Generator G (per day): G[i][j] = rate i->j, G[i][i] = -sum. */
static gsl_matrix *generator(void) {
  gsl_matrix *g = gsl_matrix_calloc(NL, NL);
  for (int i = 0; i < NL; i++) {
    double out = 0;
    for (int j = 0; j < NL; j++) {
      gsl_matrix_set(g, i, j, rate_per_day[i][j]);
      out += rate_per_day[i][j];
    }
    gsl_matrix_set(g, i, i, -out);
  }
  return g;
}

/* Solve (-T) x = rhs on the transient block T = G[0..2, 0..2]. */
static void solve_transient(const gsl_matrix *g, const double rhs[2], double x[2]) {
  gsl_matrix *a = gsl_matrix_alloc(2, 2);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++) gsl_matrix_set(a, i, j, -gsl_matrix_get(g, i, j));
  gsl_permutation *p = gsl_permutation_alloc(2);
  gsl_vector_const_view b = gsl_vector_const_view_array(rhs, 2);
  gsl_vector_view xv = gsl_vector_view_array(x, 2);
  int sign;
  gsl_linalg_LU_decomp(a, p, &sign);
  gsl_linalg_LU_solve(a, p, &b.vector, &xv.vector);
  gsl_permutation_free(p);
  gsl_matrix_free(a);
}

static void ladder_matches_exact_answer(void **state) {
  (void)state;
  scn_scenario *sc = load(ladder);
  const int n = 20000;
  fixture_runs r;
  fixture_run(&r, sc, n);
  gsl_matrix *g = generator();

  /* Absorption in d: B_d = (-T)^-1 R_d; mean time to absorption: m = (-T)^-1 1. */
  double rd[2] = {rate_per_day[0][3], rate_per_day[1][3]}, bd[2], ones[2] = {1, 1}, mt[2];
  solve_transient(g, rd, bd);
  solve_transient(g, ones, mt);

  double in_d = 0, sum_t = 0, sum_t2 = 0;
  for (int i = 0; i < n; i++) {
    double tc = fixture_value(&r, i, "escalation", "c.time"), td = fixture_value(&r, i, "escalation", "d.time");
    assert_true(isnan(tc) != isnan(td)); /* absorbed exactly once, long before 2000 d */
    double t = (isnan(tc) ? td : tc) / 86400.0;
    in_d += !isnan(td);
    sum_t += t, sum_t2 += t * t;
  }
  assert_in_wilson("P(absorbed in d)", in_d, n, bd[0]);
  double mean = sum_t / n, sd = sqrt((sum_t2 - n * mean * mean) / (n - 1));
  double half = 3.29 * sd / sqrt(n);
  fprintf(stderr, "P(d) exact %.4f sim %.4f; mean time exact %.3f d sim %.3f +- %.3f d\n",
          bd[0], in_d / n, mt[0], mean, half);
  assert_true(fabs(mean - mt[0]) <= half);

  /* P(in d by t) = [exp(G t)]_{a,d} at a few times. */
  const double days[] = {1, 3, 7, 15, 40};
  for (size_t k = 0; k < sizeof days / sizeof *days; k++) {
    gsl_matrix *gt = gsl_matrix_alloc(NL, NL), *e = gsl_matrix_alloc(NL, NL);
    gsl_matrix_memcpy(gt, g);
    gsl_matrix_scale(gt, days[k]);
    assert_int_equal(gsl_linalg_exponential_ss(gt, e, GSL_PREC_DOUBLE), 0);
    double exact = gsl_matrix_get(e, 0, 3), hits = 0;
    for (int i = 0; i < n; i++) hits += fixture_value(&r, i, "escalation", "d.time") <= days[k] * 86400;
    char what[64];
    snprintf(what, sizeof what, "P(in d by %g d)", days[k]);
    assert_in_wilson(what, hits, n, exact);
    gsl_matrix_free(gt), gsl_matrix_free(e);
  }
  gsl_matrix_free(g);
  fixture_runs_free(&r);
  scn_free(sc);
}

/* A rate of 0.1/d from a to b that is multiplied by 10 from day 2 on:
 * P(b by t) = 1 - exp(-0.2 - (t - 2)) for t >= 2. */
static void expect_rate_times_ten_from_day_two(scn_scenario *sc) {
  const int n = 20000;
  fixture_runs r;
  fixture_run(&r, sc, n);
  double by2 = 0, by3 = 0;
  for (int i = 0; i < n; i++) {
    double t = fixture_value(&r, i, "escalation", "b.time") / 86400;
    by2 += t <= 2, by3 += t <= 3;
  }
  assert_in_wilson("P(b by 2 d)", by2, n, 1 - exp(-0.2));
  assert_in_wilson("P(b by 3 d)", by3, n, 1 - exp(-1.2));
  fixture_runs_free(&r);
  scn_free(sc);
}

/* Rate 0.1/d, times 10 once event x occurs at day 2: P(b by t) = 1 - exp(-0.2 - (t - 2)). */
static void multiplier_switches_on_with_an_event(void **state) {
  (void)state;
  scn_scenario *sc = load("crisis:\n"
                          "  events:\n"
                          "    - {id: x, at: 2d}\n"
                          "  escalation:\n"
                          "    levels: [{id: a}, {id: b}]\n"
                          "    transitions:\n"
                          "      - from: a\n"
                          "        to: b\n"
                          "        rate: 0.1/d\n"
                          "        multipliers: [{after: x, factor: 10}]\n");
  expect_rate_times_ten_from_day_two(sc);
}

/* The same through Japan's legal situation: x raises armed_attack at day 2 and the
 * multiplier waits for armed_attack_anticipated or graver. */
static void multiplier_follows_the_legal_situation(void **state) {
  (void)state;
  scn_scenario *sc = load("crisis:\n"
                          "  events:\n"
                          "    - {id: x, at: 2d, raises: [{signal: situation_changed, to: armed_attack}]}\n"
                          "  escalation:\n"
                          "    levels: [{id: a}, {id: b}]\n"
                          "    transitions:\n"
                          "      - from: a\n"
                          "        to: b\n"
                          "        rate: 0.1/d\n"
                          "        multipliers: [{situation: armed_attack_anticipated, factor: 10}]\n");
  expect_rate_times_ten_from_day_two(sc);
}

/* Entering a level makes a (trigger-less) event occur and raises its signals; a
 * site closing inside a territory, a territory region turning active and a level's
 * `reaches:` each count as violence reaching that territory. */
static void levels_speak_the_event_vocabulary(void **state) {
  (void)state;
  scn_scenario *sc = load("crisis:\n"
                          "  events:\n"
                          "    - {id: strike-naha, raises: [{signal: site_closed, place: naha}]}\n"
                          "    - {id: taipei-hit, at: 1d, raises: [{signal: site_closed, place: taipei}]}\n"
                          "    - {id: follow, after: strike-naha, delay: 1d}\n"
                          "  escalation:\n"
                          "    levels:\n"
                          "      - {id: calm}\n"
                          "      - {id: strikes, occurs: [strike-naha]}\n"
                          "      - {id: islands, reaches: [senkaku]}\n"
                          "    transitions:\n"
                          "      - {from: calm, to: strikes, rate: 0.5/d}\n"
                          "      - {from: strikes, to: islands, rate: 0.5/d}\n");
  const int n = 2000;
  fixture_runs r;
  fixture_run(&r, sc, n);
  for (int i = 0; i < n; i++) {
    double ts = fixture_value(&r, i, "escalation", "strikes.time");
    double ti = fixture_value(&r, i, "escalation", "islands.time");
    assert_true(fixture_value(&r, i, "crisis", "strike-naha.time") == ts);
    assert_true(fabs(fixture_value(&r, i, "crisis", "follow.time") - (ts + 86400)) < 1e-6);
    assert_true(fixture_value(&r, i, "spillover", "okinawa.time") == ts); /* naha is in okinawa */
    assert_true(fixture_value(&r, i, "spillover", "senkaku.time") == ti);
    assert_true(fixture_value(&r, i, "spillover", "time") == ts);         /* taipei does not count */
    assert_true(fixture_value(&r, i, "spillover", "occurred") == 1);
    assert_true(fixture_value(&r, i, "escalation", "final_level") == 2);
  }
  fixture_runs_free(&r);
  scn_free(sc);
}

/* A trigger-less event nothing makes occur is an error, as before the ladder. */
static void untriggered_event_is_reported(void **state) {
  (void)state;
  char path[] = "/tmp/test_escalation_XXXXXX";
  int fd = mkstemp(path);
  FILE *f = fdopen(fd, "w");
  fputs(header, f);
  fputs("crisis:\n  events:\n    - {id: lost}\n  escalation:\n    levels: [{id: a}]\n", f);
  fclose(f);
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  assert_int_not_equal(scn_load(&sc, path, &opt, d), 0);
  assert_null(sc);
  diag_free(d);
  unlink(path);
}

/* ---- rates that follow the plan --------------------------------------------------------- */

/* Run the crisis and then the plan on one kernel, the plan under the shipped table. */
static void run_with_plan(fixture_runs *out, const scn_scenario *sc, int n) {
  diag *d = diag_new();
  plan_authorities *table = NULL;
  if (plan_authorities_load(&table, ESC_TEST_TABLE, d)) diag_print(d, stderr, 0);
  assert_non_null(table);
  fixture_run_plan(out, sc, n, table);
  plan_authorities_free(table);
  diag_free(d);
}

static const char plan_forces[] =
    "forces:\n"
    "  - {id: helo, nation: JP, kind: rescue_helicopter, base: naha, count: 1}\n";

/* [exp(G t)] for a 3-level generator (per day) into e. */
static void expm3(const double g[3][3], double t, gsl_matrix *e) {
  gsl_matrix *gt = gsl_matrix_alloc(3, 3);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) gsl_matrix_set(gt, i, j, g[i][j] * t);
  assert_int_equal(gsl_linalg_exponential_ss(gt, e, GSL_PREC_DOUBLE), 0);
  gsl_matrix_free(gt);
}

/* Row vector p (3) times exp(G t), in place. */
static void advance(double p[3], const double g[3][3], double t) {
  gsl_matrix *e = gsl_matrix_alloc(3, 3);
  expm3(g, t, e);
  double q[3] = {0, 0, 0};
  for (int j = 0; j < 3; j++)
    for (int i = 0; i < 3; i++) q[j] += p[i] * gsl_matrix_get(e, i, j);
  memcpy(p, q, sizeof q);
  gsl_matrix_free(e);
}

/* Levels a (transient), b and c (absorbing); a->b 0.05/d times 8 while the task
 * `patrol` runs (from day 2 for 3 days), a->c 0.1/d.  The exact law is piecewise
 * homogeneous: p(t) = e_a exp(G0 2) exp(G1 (t - 2)) on [2, 5], then exp(G0 (t - 5)). */
static void multiplier_follows_a_running_task(void **state) {
  (void)state;
  char body[2048];
  snprintf(body, sizeof body,
           "%s"
           "crisis:\n"
           "  escalation:\n"
           "    levels: [{id: a}, {id: b}, {id: c}]\n"
           "    transitions:\n"
           "      - {from: a, to: b, rate: 0.05/d, multipliers: [{task: patrol, factor: 8}]}\n"
           "      - {from: a, to: c, rate: 0.1/d}\n"
           "situations:\n" /* JP rescue short of a contingency: on request (SDFA art. 83) */
           "  gates: [{gate: disaster_dispatch_request, at: 0h}]\n"
           "plan:\n"
           "  tasks:\n"
           "    - {id: patrol, activity: search_and_rescue, owner: JP, assets: [helo], area: naha,\n"
           "       legal_area: japan_territory, start: {at: 2d}, duration: 3d}\n",
           plan_forces);
  scn_scenario *sc = load(body);
  const double g0[3][3] = {{-0.15, 0.05, 0.10}, {0, 0, 0}, {0, 0, 0}};
  const double g1[3][3] = {{-0.50, 0.40, 0.10}, {0, 0, 0}, {0, 0, 0}};
  const int n = 20000;
  fixture_runs r;
  run_with_plan(&r, sc, n);
  const double days[] = {1, 2, 3.5, 5, 10, 2000};
  for (size_t k = 0; k < sizeof days / sizeof *days; k++) {
    double t = days[k], p[3] = {1, 0, 0};
    advance(p, g0, fmin(t, 2));
    if (t > 2) advance(p, g1, fmin(t, 5) - 2);
    if (t > 5) advance(p, g0, t - 5);
    double hits = 0;
    for (int i = 0; i < n; i++) hits += fixture_value(&r, i, "escalation", "b.time") <= t * 86400;
    char what[64];
    snprintf(what, sizeof what, "P(in b by %g d)", t);
    fprintf(stderr, "%s: exact %.4f, simulated %.4f\n", what, p[1], hits / n);
    assert_in_wilson(what, hits, n, p[1]);
  }
  /* Without the task the answer would be 1/3: the check can tell them apart. */
  double absorbed = 0;
  for (int i = 0; i < n; i++) absorbed += !isnan(fixture_value(&r, i, "escalation", "b.time"));
  assert_true(absorbed / n > 0.4);
  fixture_runs_free(&r);
  scn_free(sc);
}

/* A rate 0.1/d times 10 while phase `tense` is current (day 3 to day 6, when `after`
 * begins): P(b by t) = 1 - exp(-integral of the rate), 1 - exp(-1.3) at day 4 and
 * 1 - exp(-3.5) at day 8.  The phases begin on the clock and on a crisis event. */
static void multiplier_follows_the_current_phase(void **state) {
  (void)state;
  char body[2048];
  snprintf(body, sizeof body,
           "%s"
           "crisis:\n"
           "  events: [{id: calm-down, at: 6d}]\n"
           "  escalation:\n"
           "    levels: [{id: a}, {id: b}]\n"
           "    transitions:\n"
           "      - {from: a, to: b, rate: 0.1/d, multipliers: [{phase: tense, factor: 10}]}\n"
           "plan:\n"
           "  phases:\n"
           "    - {id: calm}\n"
           "    - {id: tense, start: {at: 3d}}\n"
           "    - {id: after, start: calm-down}\n",
           plan_forces);
  scn_scenario *sc = load(body);
  const int n = 20000;
  fixture_runs r;
  run_with_plan(&r, sc, n);
  double by3 = 0, by4 = 0, by8 = 0;
  for (int i = 0; i < n; i++) {
    double t = fixture_value(&r, i, "escalation", "b.time") / 86400;
    by3 += t <= 3, by4 += t <= 4, by8 += t <= 8;
  }
  assert_in_wilson("P(b by 3 d)", by3, n, 1 - exp(-0.3));
  assert_in_wilson("P(b by 4 d)", by4, n, 1 - exp(-1.3));
  assert_in_wilson("P(b by 8 d)", by8, n, 1 - exp(-3.5));
  fixture_runs_free(&r);
  scn_free(sc);
}

/* Phase and task ids are resolved against the plan, with the place they are written. */
static void plan_references_are_checked(void **state) {
  (void)state;
  char path[] = "/tmp/test_escalation_XXXXXX";
  int fd = mkstemp(path);
  FILE *f = fdopen(fd, "w");
  fputs(header, f); /* 10 lines */
  fputs(plan_forces, f); /* lines 11-12 */
  fputs("crisis:\n"                                                    /* 13 */
        "  escalation:\n"                                              /* 14 */
        "    levels: [{id: a}, {id: b}]\n"                             /* 15 */
        "    transitions:\n"                                           /* 16 */
        "      - from: a\n"                                            /* 17 */
        "        to: b\n"                                              /* 18 */
        "        rate: 1/d\n"                                          /* 19 */
        "        multipliers:\n"                                       /* 20 */
        "          - {task: patroll, factor: 2}\n"                     /* 21 */
        "          - {phase: tense, factor: 2}\n"                      /* 22 */
        "          - {task: patrol, phase: calm, factor: 2}\n"         /* 23 */
        "          - {task: [patrol], factor: 2}\n"                    /* 24 */
        "plan:\n"
        "  tasks:\n"
        "    - {id: patrol, activity: search_and_rescue, owner: JP, assets: [helo], area: naha,\n"
        "       legal_area: japan_territory, start: {at: 2d}, duration: 3d}\n",
        f);
  fclose(f);
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  assert_int_not_equal(scn_load(&sc, path, &opt, d), 0);
  unlink(path);
  const struct { const char *text; int line, col; } want[] = {
      {"unknown task id 'patroll' (did you mean 'patrol'?)", 21, 20},
      {"multiplier waits for phase 'tense', but the scenario's plan has no phases", 22, 21},
      {"a multiplier takes one condition", 23, 13},
      {"'task' should be a plan task id, got a list", 24, 20},
  };
  for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
    int found = 0;
    for (size_t i = 0; i < diag_size(d); i++) {
      const diag_entry *e = diag_at(d, i);
      found |= strstr(e->message, want[k].text) && e->line == want[k].line &&
               e->col == want[k].col;
    }
    if (!found) {
      diag_print(d, stderr, 0);
      fail_msg("no '%s' at %d:%d", want[k].text, want[k].line, want[k].col);
    }
  }
  diag_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ladder_matches_exact_answer),
      cmocka_unit_test(multiplier_switches_on_with_an_event),
      cmocka_unit_test(multiplier_follows_the_legal_situation),
      cmocka_unit_test(levels_speak_the_event_vocabulary),
      cmocka_unit_test(untriggered_event_is_reported),
      cmocka_unit_test(multiplier_follows_a_running_task),
      cmocka_unit_test(multiplier_follows_the_current_phase),
      cmocka_unit_test(plan_references_are_checked),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
