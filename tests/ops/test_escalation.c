/* test_escalation.c - the escalation ladder and spillover against exact answers.
 *
 * A pure Markov ladder (constant rates, no events): absorption probabilities and mean
 * times to absorption from a GSL linear solve on the generator's transient block, and
 * P(absorbed in a level by t) from the matrix exponential (docs/models.md, section
 * "Escalation ladder").  Then rate multipliers that switch on with an event, level
 * entries that make events occur, and spillover by site, region and `reaches:`. */
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
#include "scenario.h"
#include "sim.h"

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
  assert_int_not_equal(scn_load(&sc, path, &opt, d), 0);
  assert_null(sc);
  diag_free(d);
  unlink(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ladder_matches_exact_answer),
      cmocka_unit_test(multiplier_switches_on_with_an_event),
      cmocka_unit_test(multiplier_follows_the_legal_situation),
      cmocka_unit_test(levels_speak_the_event_vocabulary),
      cmocka_unit_test(untriggered_event_is_reported),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
