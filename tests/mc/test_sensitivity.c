/* test_sensitivity.c - Sobol estimators against functions with known indices
 * (Ishigami; a linear model), and one-at-a-time sensitivity of the spillover
 * probability against its closed form. */
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

#include "crisis_fixture.h"
#include "diag.h"
#include "mc_sens.h"
#include "scenario.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static void near(const char *what, double got, double want, double tol) {
  if (fabs(got - want) > tol) {
    fprintf(stderr, "%s: got %.4f, want %.4f (tolerance %.3f)\n", what, got, want, tol);
    fail();
  }
}

/* Ishigami and Homma (1990): f = sin x1 + a sin^2 x2 + b x3^4 sin x1, x ~ U(-pi, pi)^3. */
static int ishigami(const double *x, double *y, void *ctx) {
  (void)ctx;
  const double a = 7, b = 0.1;
  *y = sin(x[0]) + a * sin(x[1]) * sin(x[1]) + b * pow(x[2], 4) * sin(x[0]);
  return 0;
}

/* The true index inside its bootstrap interval, and the interval narrow enough to
 * say something (a test that any interval would pass is no test). */
static void covers(const char *what, double lo, double est, double hi, double exact,
                   double max_width) {
  fprintf(stderr, "%s = %.4f [%.4f, %.4f], exact %.4f\n", what, est, lo, hi, exact);
  if (!(lo <= est && est <= hi)) fail_msg("%s: estimate outside its own interval", what);
  if (!(lo <= exact && exact <= hi)) fail_msg("%s: exact %.4f not covered", what, exact);
  if (!(hi - lo <= max_width)) fail_msg("%s: interval %.4f wide", what, hi - lo);
}

static void sobol_matches_ishigami(void **state) {
  (void)state;
  const double a = 7, b = 0.1, pi4 = pow(M_PI, 4), pi8 = pow(M_PI, 8);
  /* Variance decomposition (Sobol' and Levitan 1999). */
  double v1 = 0.5 * pow(1 + b * pi4 / 5, 2), v2 = a * a / 8, v13 = 8 * b * b * pi8 / 225;
  double v = v1 + v2 + v13;
  double lo[3] = {-M_PI, -M_PI, -M_PI}, hi[3] = {M_PI, M_PI, M_PI}, s[3], t[3];
  double slo[3], shi[3], tlo[3], thi[3];
  mc_sobol_ci ci = MC_SOBOL_CI_INIT;
  ci.first_lo = slo, ci.first_hi = shi, ci.total_lo = tlo, ci.total_hi = thi;
  assert_int_equal(mc_sobol(3, 1 << 14, lo, hi, ishigami, NULL, 1, s, t, &ci), 0);
  double exact_s[3] = {v1 / v, v2 / v, 0}, exact_t[3] = {(v1 + v13) / v, v2 / v, v13 / v};
  for (int i = 0; i < 3; i++) {
    char what[32];
    snprintf(what, sizeof what, "S%d", i + 1);
    near(what, s[i], exact_s[i], 0.02);
    covers(what, slo[i], s[i], shi[i], exact_s[i], 0.08);
    snprintf(what, sizeof what, "T%d", i + 1);
    near(what, t[i], exact_t[i], 0.02);
    covers(what, tlo[i], t[i], thi[i], exact_t[i], 0.08);
  }
  /* Reproducible: the resamples come from a fixed stream. */
  double s2[3], t2[3], slo2[3], shi2[3], tlo2[3], thi2[3];
  mc_sobol_ci again = MC_SOBOL_CI_INIT;
  again.first_lo = slo2, again.first_hi = shi2, again.total_lo = tlo2, again.total_hi = thi2;
  assert_int_equal(mc_sobol(3, 1 << 14, lo, hi, ishigami, NULL, 1, s2, t2, &again), 0);
  assert_memory_equal(slo, slo2, sizeof slo);
  assert_memory_equal(thi, thi2, sizeof thi);
}

/* Coverage, not just one hit: with independent uniforms (k = 21 > 20 takes the
 * pseudo-random sampler), 95% intervals of a model with known indices cover the
 * truth in about 95% of 40 seeds.  y = sum c_i x_i: S_i = T_i = c_i^2 / sum c_j^2. */
static int linear21(const double *x, double *y, void *ctx) {
  (void)ctx;
  *y = 0;
  for (int i = 0; i < 21; i++) *y += (i < 3 ? 3 - i : 0.2) * x[i];
  return 0;
}

static void sobol_intervals_have_their_coverage(void **state) {
  (void)state;
  enum { K = 21, SEEDS = 40 };
  double lo[K], hi[K], c2 = 0, s[K], t[K], slo[K], shi[K], tlo[K], thi[K];
  for (int i = 0; i < K; i++) {
    lo[i] = 0, hi[i] = 1;
    double c = i < 3 ? 3 - i : 0.2;
    c2 += c * c;
  }
  int covered = 0, tries = 0;
  for (int seed = 1; seed <= SEEDS; seed++) {
    mc_sobol_ci ci = MC_SOBOL_CI_INIT;
    ci.resamples = 400;
    ci.first_lo = slo, ci.first_hi = shi, ci.total_lo = tlo, ci.total_hi = thi;
    assert_int_equal(mc_sobol(K, 256, lo, hi, linear21, NULL, (uint64_t)seed, s, t, &ci), 0);
    for (int i = 0; i < 3; i++) { /* the three that matter */
      double exact = (3.0 - i) * (3.0 - i) / c2;
      covered += slo[i] <= exact && exact <= shi[i];
      covered += tlo[i] <= exact && exact <= thi[i];
      tries += 2;
    }
  }
  double share = (double)covered / tries;
  fprintf(stderr, "95%% bootstrap intervals covered the truth %d of %d times (%.3f)\n",
          covered, tries, share);
  /* 240 tries at 0.95: sd 0.014; allow 4 sd below, and flag intervals far too wide. */
  assert_true(share >= 0.95 - 4 * 0.014);
  assert_true(share <= 0.995);
}

/* y = sum c_i x_i, x ~ U(0, 1): S_i = T_i = c_i^2 / sum c_j^2. */
static int linear(const double *x, double *y, void *ctx) {
  const double *c = ctx;
  *y = c[0] * x[0] + c[1] * x[1] + c[2] * x[2] + c[3] * x[3];
  return 0;
}

static void sobol_matches_linear_model(void **state) {
  (void)state;
  double c[4] = {4, 2, 1, 0}, lo[4] = {0, 0, 0, 0}, hi[4] = {1, 1, 1, 1}, s[4], t[4];
  assert_int_equal(mc_sobol(4, 1 << 13, lo, hi, linear, c, 1, s, t, NULL), 0);
  for (int i = 0; i < 4; i++) {
    double exact = c[i] * c[i] / 21.0;
    near("linear S", s[i], exact, 0.02);
    near("linear T", t[i], exact, 0.02);
  }
}

/* One event closes Naha (inside the territory) with p = 0.4: the spillover
 * probability is p itself, so the -+50% range gives 0.2 and 0.6. */
static void oat_spillover_is_the_event_probability(void **state) {
  (void)state;
  scn_scenario *sc = fixture_load("scenario: {name: sens, epoch: 2027-04-01T00:00Z, horizon: 10d, seed: 3, notional: true}\n"
        "theater:\n"
        "  places: [{id: naha, lat: 26.2124, lon: 127.6792}]\n"
        "  regions:\n"
        "    - {id: okinawa, kind: territory, polygon: [[27.0, 127.0], [27.0, 128.5], [25.8, 128.5],"
        " [25.8, 127.0]]}\n"
        "crisis:\n"
        "  events:\n"
        "    - {id: strike, at: 1d, p: 0.4, raises: [{signal: site_closed, place: naha}]}\n"
        "  escalation:\n"
        "    levels: [{id: calm}, {id: hot}]\n"
        "    transitions: [{from: calm, to: hot, rate: 0.1/d}]\n",
                                    "");
  diag *d = diag_new();
  mc_sens s;
  assert_int_equal(mc_sens_init(&s, sc, "spillover.occurred", 0.5, 4000, NULL, d), 0);
  assert_int_equal(s.nparam, 2); /* strike.p and the one rate */
  assert_string_equal(s.param[0].name, "event.strike.p");
  assert_string_equal(s.param[1].name, "rate.calm->hot");
  double x[2] = {0.2, s.param[1].base}, y, se;
  assert_int_equal(mc_sens_eval(&s, x, &y, &se), 0);
  near("p = 0.2", y, 0.2, 4 * sqrt(0.2 * 0.8 / 4000));
  x[0] = 0.6;
  assert_int_equal(mc_sens_eval(&s, x, &y, &se), 0);
  near("p = 0.6", y, 0.6, 4 * sqrt(0.6 * 0.4 / 4000));
  assert_true(sc->event[0].p == 0.4); /* restored */
  x[0] = 0.4, x[1] = 10 * s.param[1].base; /* the rate does not touch spillover */
  double y0;
  assert_int_equal(mc_sens_eval(&s, NULL, &y0, &se), 0);
  assert_int_equal(mc_sens_eval(&s, x, &y, &se), 0);
  assert_true(y == y0); /* common random numbers: exactly equal */
  mc_sens_free(&s);
  assert_int_not_equal(mc_sens_init(&s, sc, "spillover.nonsense", 0.5, 10, NULL, d), 0);
  mc_sens_free(&s);
  diag_free(d);
  scn_free(sc);
}

/* The plan runs in every evaluation: a rate multiplied while a plan task runs (a->b
 * 0.05/d, times 8 from day 2 to day 5; a->c 0.1/d) gives P(absorbed in b) = 0.6019,
 * the piecewise answer of tests/ops/crisis/test_escalation.c (1/3 if the task were ignored),
 * and the factor 8 is itself a parameter. */
static void evaluations_run_the_plan(void **state) {
  (void)state;
  scn_scenario *sc = fixture_load("scenario: {name: sens, epoch: 2027-04-01T00:00Z, horizon: 400d, seed: 5, notional: true}\n"
        "theater:\n"
        "  places: [{id: naha, lat: 26.2124, lon: 127.6792}]\n"
        "  regions:\n"
        "    - {id: okinawa, kind: territory, polygon: [[27.0, 127.0], [27.0, 128.5], [25.8, 128.5],"
        " [25.8, 127.0]]}\n"
        "forces:\n"
        "  - {id: helo, nation: JP, kind: rescue_helicopter, base: naha, count: 1}\n"
        "crisis:\n"
        "  escalation:\n"
        "    levels: [{id: a}, {id: b, reaches: [okinawa]}, {id: c}]\n"
        "    transitions:\n"
        "      - {from: a, to: b, rate: 0.05/d, multipliers: [{task: patrol, factor: 8}]}\n"
        "      - {from: a, to: c, rate: 0.1/d}\n"
        "situations:\n" /* JP rescue short of a contingency: on request (SDFA art. 83) */
        "  gates: [{gate: disaster_dispatch_request, at: 0h}]\n"
        "plan:\n"
        "  tasks:\n"
        "    - {id: patrol, activity: search_and_rescue, owner: JP, assets: [helo], area: naha,\n"
        "       legal_area: japan_territory, start: {at: 2d}, duration: 3d}\n",
                                    "");
  diag *d = diag_new();
  mc_sens s;
  assert_int_equal(mc_sens_init(&s, sc, "spillover.occurred", 0.5, 4000, NULL, d), 0);
  double y, se;
  assert_int_equal(mc_sens_eval(&s, NULL, &y, &se), 0);
  fprintf(stderr, "P(b) with the plan: %.4f (se %.4f), exact 0.6019\n", y, se);
  near("P(b)", y, 0.6019, 4 * sqrt(0.6019 * 0.3981 / 4000));
  /* The multiplier's factor is a parameter too: at 1 the task changes nothing and
   * P(b) = 0.05 / 0.15 = 1/3. */
  assert_int_equal(s.nparam, 3);
  assert_string_equal(s.param[2].name, "factor.a->b.task=patrol");
  double x[3] = {s.param[0].base, s.param[1].base, 1};
  assert_int_equal(mc_sens_eval(&s, x, &y, &se), 0);
  near("P(b), factor 1", y, 1.0 / 3, 4 * sqrt(2.0 / 9 / 4000));
  mc_sens_free(&s);
  diag_free(d);
  scn_free(sc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sobol_matches_ishigami),
      cmocka_unit_test(sobol_matches_linear_model),
      cmocka_unit_test(sobol_intervals_have_their_coverage),
      cmocka_unit_test(oat_spillover_is_the_event_probability),
      cmocka_unit_test(evaluations_run_the_plan),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
