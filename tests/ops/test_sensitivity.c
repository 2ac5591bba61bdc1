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

static void sobol_matches_ishigami(void **state) {
  (void)state;
  const double a = 7, b = 0.1, pi4 = pow(M_PI, 4), pi8 = pow(M_PI, 8);
  /* Variance decomposition (Sobol' and Levitan 1999). */
  double v1 = 0.5 * pow(1 + b * pi4 / 5, 2), v2 = a * a / 8, v13 = 8 * b * b * pi8 / 225;
  double v = v1 + v2 + v13;
  double lo[3] = {-M_PI, -M_PI, -M_PI}, hi[3] = {M_PI, M_PI, M_PI}, s[3], t[3];
  assert_int_equal(mc_sobol(3, 1 << 14, lo, hi, ishigami, NULL, 1, s, t), 0);
  fprintf(stderr, "Ishigami S = %.3f %.3f %.3f (exact %.3f %.3f 0), T = %.3f %.3f %.3f "
                  "(exact %.3f %.3f %.3f)\n",
          s[0], s[1], s[2], v1 / v, v2 / v, t[0], t[1], t[2], (v1 + v13) / v, v2 / v, v13 / v);
  near("S1", s[0], v1 / v, 0.02);
  near("S2", s[1], v2 / v, 0.02);
  near("S3", s[2], 0, 0.02);
  near("T1", t[0], (v1 + v13) / v, 0.02);
  near("T2", t[1], v2 / v, 0.02);
  near("T3", t[2], v13 / v, 0.02);
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
  assert_int_equal(mc_sobol(4, 1 << 13, lo, hi, linear, c, 1, s, t), 0);
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
  char path[] = "/tmp/test_sensitivity_XXXXXX";
  int fd = mkstemp(path);
  FILE *f = fdopen(fd, "w");
  fputs("scenario: {name: sens, epoch: 2027-04-01T00:00Z, horizon: 10d, seed: 3, notional: true}\n"
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
        f);
  fclose(f);
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  if (scn_load(&sc, path, &opt, d)) diag_print(d, stderr, 0);
  unlink(path);
  assert_non_null(sc);
  mc_sens s;
  assert_int_equal(mc_sens_init(&s, sc, "spillover.occurred", 0.5, 4000, d), 0);
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
  assert_int_not_equal(mc_sens_init(&s, sc, "spillover.nonsense", 0.5, 10, d), 0);
  mc_sens_free(&s);
  diag_free(d);
  scn_free(sc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sobol_matches_ishigami),
      cmocka_unit_test(sobol_matches_linear_model),
      cmocka_unit_test(oat_spillover_is_the_event_probability),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
