/* test_dist.c - every kind's sample mean and variance against closed forms (fixed
 * seed, printed on failure), support, reproducibility, names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dist.h"

#define SEED UINT64_C(977)
#define N 200000

static const double emp_values[] = {1, 2, 2, 10};

/* Variances in closed form (independent of dist.c, which has only means). */
static double variance(const dist *d) {
  switch (d->kind) {
  case DIST_FIXED: return 0;
  case DIST_UNIFORM: return (d->b - d->a) * (d->b - d->a) / 12;
  case DIST_TRIANGULAR:
    return (d->a * d->a + d->b * d->b + d->c * d->c - d->a * d->b - d->a * d->c -
            d->b * d->c) / 18;
  case DIST_NORMAL: return d->b * d->b;
  case DIST_LOGNORMAL:
    return (exp(d->b * d->b) - 1) * exp(2 * d->a + d->b * d->b);
  case DIST_EXPONENTIAL: return d->a * d->a;
  case DIST_GAMMA: return d->a * d->b * d->b;
  case DIST_WEIBULL: {
    double g1 = tgamma(1 + 1 / d->a), g2 = tgamma(1 + 2 / d->a);
    return d->b * d->b * (g2 - g1 * g1);
  }
  case DIST_EMPIRICAL: {
    double m = 0, v = 0;
    for (size_t i = 0; i < d->n; i++) m += d->values[i];
    m /= d->n;
    for (size_t i = 0; i < d->n; i++) v += (d->values[i] - m) * (d->values[i] - m);
    return v / d->n;
  }
  default: return NAN;
  }
}

static dist cases[] = {
    {DIST_FIXED, 3600, 0, 0, NULL, 0},
    {DIST_UNIFORM, 12 * 3600.0, 72 * 3600.0, 0, NULL, 0},
    {DIST_TRIANGULAR, 1, 2, 7, NULL, 0},
    {DIST_NORMAL, -4, 2.5, 0, NULL, 0},
    {DIST_LOGNORMAL, 1.0, 0.5, 0, NULL, 0},
    {DIST_EXPONENTIAL, 5 * 86400.0, 0, 0, NULL, 0},
    {DIST_GAMMA, 2, 3, 0, NULL, 0},   /* shape, scale: variance tells them apart */
    {DIST_WEIBULL, 1.5, 3, 0, NULL, 0}, /* shape, scale */
    {DIST_EMPIRICAL, 0, 0, 0, emp_values, 4},
};

static void test_closed_form_means(void **state) {
  (void)state;
  /* Hand values, so dist_mean is not only compared with itself. */
  assert_true(dist_mean(&cases[0]) == 3600);
  assert_true(fabs(dist_mean(&cases[2]) - 10.0 / 3) < 1e-15);
  assert_true(fabs(dist_mean(&cases[4]) - exp(1.125)) < 1e-12);
  assert_true(fabs(dist_mean(&cases[6]) - 6) < 1e-15);
  /* Weibull(k = 1.5, lambda = 3): 3 Gamma(5/3) = 3 * 0.9027452929509... */
  assert_true(fabs(dist_mean(&cases[7]) - 3 * 0.9027452929509336) < 1e-12);
  assert_true(fabs(dist_mean(&cases[8]) - 3.75) < 1e-15);
}

static void test_sample_moments(void **state) {
  (void)state;
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    const dist *d = &cases[c];
    rng_stream r;
    rng_init(&r, SEED, (uint32_t)c, RNG_TEST, 0);
    double s = 0, ss = 0, lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < N; i++) {
      double x = dist_sample(d, &r);
      s += x;
      ss += x * x;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    double mean = s / N, var = ss / N - mean * mean;
    double want = dist_mean(d), wvar = variance(d);
    /* Mean within 5 standard errors; variance within 5% (> 8 standard errors for
     * these shapes). */
    double tol = 5 * sqrt(wvar / N) + 1e-12 * fabs(want);
    int ok = fabs(mean - want) <= tol &&
             (wvar == 0 ? fabs(var) <= 1e-6 * want * want
                        : fabs(var - wvar) <= 0.05 * wvar);
    if (!ok)
      print_error("%s (seed %llu, replication %zu): mean %.6g want %.6g (tol %.3g), "
                  "var %.6g want %.6g\n", dist_name(d->kind), (unsigned long long)SEED,
                  c, mean, want, tol, var, wvar);
    assert_true(ok);

    /* Support. */
    switch (d->kind) {
    case DIST_UNIFORM: assert_true(lo >= d->a && hi <= d->b); break;
    case DIST_TRIANGULAR: assert_true(lo >= d->a && hi <= d->c); break;
    case DIST_LOGNORMAL:
    case DIST_EXPONENTIAL:
    case DIST_GAMMA:
    case DIST_WEIBULL: assert_true(lo > 0); break;
    case DIST_EMPIRICAL: assert_true(lo == 1 && hi == 10); break;
    default: break;
    }
  }
}

/* Each empirical value is drawn with equal probability (weights by repetition). */
static void test_empirical_frequencies(void **state) {
  (void)state;
  rng_stream r;
  rng_init(&r, SEED, 0, RNG_TEST, 1);
  int count[3] = {0};
  for (int i = 0; i < N; i++) {
    double x = dist_sample(&cases[8], &r);
    count[x == 1 ? 0 : x == 2 ? 1 : 2]++;
  }
  const double p[3] = {0.25, 0.5, 0.25};
  for (int k = 0; k < 3; k++) {
    double sd = sqrt(N * p[k] * (1 - p[k]));
    if (!(fabs(count[k] - N * p[k]) < 5 * sd))
      print_error("seed %llu: value %d drawn %d times\n", (unsigned long long)SEED, k,
                  count[k]);
    assert_true(fabs(count[k] - N * p[k]) < 5 * sd);
  }
}

static void test_triangular_shape(void **state) {
  (void)state;
  /* P(X < mode) = (mode - min) / (max - min) = 1/6 for (1, 2, 7). */
  rng_stream r;
  rng_init(&r, SEED, 0, RNG_TEST, 2);
  int below = 0;
  for (int i = 0; i < N; i++) below += dist_sample(&cases[2], &r) < 2;
  double p = 1.0 / 6, sd = sqrt(N * p * (1 - p));
  assert_true(fabs(below - N * p) < 5 * sd);
  /* Degenerate: min = mode = max. */
  dist d = {DIST_TRIANGULAR, 4, 4, 4, NULL, 0};
  assert_true(dist_sample(&d, &r) == 4);
  dist left = {DIST_TRIANGULAR, 0, 0, 1, NULL, 0}; /* mode at the minimum */
  for (int i = 0; i < 1000; i++) {
    double x = dist_sample(&left, &r);
    assert_true(x >= 0 && x <= 1);
  }
}

static void test_reproducible(void **state) {
  (void)state;
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    rng_stream a, b;
    rng_init(&a, SEED, 5, RNG_CRISIS, 9);
    rng_init(&b, SEED, 5, RNG_CRISIS, 9);
    for (int i = 0; i < 100; i++) {
      double x = dist_sample(&cases[c], &a), y = dist_sample(&cases[c], &b);
      assert_true(x == y);
    }
  }
}


/* dist_largest bounds every draw, and is infinite exactly where draws overflow:
 * a Weibull of shape 0.001 (issue 21) draws infinities, and its bound says so. */
static void test_largest(void **state) {
  (void)state;
  dist w = {DIST_WEIBULL, 0.001, 3600, 0, NULL, 0};
  assert_true(isinf(dist_largest(&w)));
  rng_stream r;
  rng_init(&r, SEED, 0, RNG_TEST, 3);
  int inf = 0;
  for (int i = 0; i < 1000; i++) inf += isinf(dist_sample(&w, &r));
  assert_true(inf > 50); /* about one draw in eight */
  const dist finite[] = {
      {DIST_WEIBULL, 0.5, 3600, 0, NULL, 0},   {DIST_WEIBULL, 0.01, 1e-300, 0, NULL, 0},
      {DIST_LOGNORMAL, 10, 2, 0, NULL, 0},     {DIST_NORMAL, 100, 30, 0, NULL, 0},
      {DIST_EXPONENTIAL, 3600, 0, 0, NULL, 0}, {DIST_GAMMA, 0.2, 100, 0, NULL, 0},
      {DIST_GAMMA, 50, 2, 0, NULL, 0},         {DIST_UNIFORM, 1, 5, 0, NULL, 0},
  };
  for (size_t k = 0; k < sizeof finite / sizeof *finite; k++) {
    double big = dist_largest(&finite[k]);
    assert_true(isfinite(big));
    for (int i = 0; i < 20000; i++) {
      double x = dist_sample(&finite[k], &r);
      if (!(fabs(x) <= big)) fail_msg("dist %zu drew %g past its bound %g", k, x, big);
    }
  }
  dist ln = {DIST_LOGNORMAL, 0, 100, 0, NULL, 0};
  assert_true(isinf(dist_largest(&ln)));
}

static void test_names(void **state) {
  (void)state;
  for (int k = 0; k < DIST__COUNT; k++) {
    const char *name = dist_name((dist_kind)k);
    assert_non_null(name);
    assert_int_equal(dist_kind_from_name(name), k);
  }
  assert_string_equal(dist_name(DIST_LOGNORMAL), "lognormal");
  assert_int_equal(dist_kind_from_name("exponential"), DIST_EXPONENTIAL);
  assert_int_equal(dist_kind_from_name("expo"), -1);
  assert_int_equal(dist_kind_from_name(""), -1);
  assert_int_equal(dist_kind_from_name(NULL), -1);
  assert_null(dist_name(DIST__COUNT));
  assert_null(dist_name((dist_kind)-1));
  dist f = dist_fixed(2.5);
  assert_true(f.kind == DIST_FIXED && dist_mean(&f) == 2.5);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_closed_form_means),
      cmocka_unit_test(test_sample_moments),
      cmocka_unit_test(test_empirical_frequencies),
      cmocka_unit_test(test_triangular_shape),
      cmocka_unit_test(test_reproducible),
      cmocka_unit_test(test_largest),
      cmocka_unit_test(test_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
