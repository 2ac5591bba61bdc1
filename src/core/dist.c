/* dist.c - sampling and means of the scenario's distributions.
 * Draws go through GSL's gsl_ran_* on the caller's stream (rng_gsl), so a dist draws
 * the same numbers for the same stream key on any thread. */
#include "dist.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "err.h"

static const char *const dist_names[DIST__COUNT] = {
#define DIST__NAME(name, str) str,
    DIST_MAP(DIST__NAME)
#undef DIST__NAME
};

const char *dist_name(dist_kind k) {
  return (unsigned)k < DIST__COUNT ? dist_names[k] : NULL;
}

int dist_kind_from_name(const char *name) {
  if (!name) return -1;
  for (int k = 0; k < DIST__COUNT; k++)
    if (strcmp(dist_names[k], name) == 0) return k;
  return -1;
}

/* Triangular(min, mode, max) by inverse transform of its piecewise-quadratic CDF
 * (GSL has no triangular): F(mode) = (mode - min) / (max - min), and
 *   x = min + sqrt(u (max - min)(mode - min))        for u <  F(mode)
 *   x = max - sqrt((1 - u)(max - min)(max - mode))   otherwise
 * (e.g. Kotz and van Dorp, "Beyond Beta", 2004, ch. 1). */
static double triangular(double lo, double mode, double hi, double u) {
  double w = hi - lo;
  if (!(w > 0)) return lo;
  if (u * w < mode - lo) return lo + sqrt(u * w * (mode - lo));
  return hi - sqrt((1 - u) * w * (hi - mode));
}

double dist_sample(const dist *d, rng_stream *r) {
  switch (d->kind) {
  case DIST_FIXED:
    return d->a;
  case DIST_UNIFORM:
    return gsl_ran_flat(rng_gsl(r), d->a, d->b);
  case DIST_TRIANGULAR:
    return triangular(d->a, d->b, d->c, rng_uniform(r));
  case DIST_NORMAL:
    return d->a + gsl_ran_gaussian(rng_gsl(r), d->b);
  case DIST_LOGNORMAL:
    return gsl_ran_lognormal(rng_gsl(r), d->a, d->b);
  case DIST_EXPONENTIAL:
    return gsl_ran_exponential(rng_gsl(r), d->a); /* GSL's mu is the mean */
  case DIST_GAMMA:
    return gsl_ran_gamma(rng_gsl(r), d->a, d->b); /* shape, scale */
  case DIST_WEIBULL:
    return gsl_ran_weibull(rng_gsl(r), d->b, d->a); /* GSL takes (scale, shape) */
  case DIST_EMPIRICAL:
    if (NEVER(d->n == 0 || !d->values)) return NAN;
    return d->values[gsl_rng_uniform_int(rng_gsl(r), (unsigned long)d->n)];
  case DIST__COUNT:
    break;
  }
  BUG("dist_sample: invalid kind");
  return NAN;
}

double dist_mean(const dist *d) {
  switch (d->kind) {
  case DIST_FIXED:
    return d->a;
  case DIST_UNIFORM:
    return (d->a + d->b) / 2;
  case DIST_TRIANGULAR:
    return (d->a + d->b + d->c) / 3;
  case DIST_NORMAL:
    return d->a;
  case DIST_LOGNORMAL:
    return exp(d->a + d->b * d->b / 2);
  case DIST_EXPONENTIAL:
    return d->a;
  case DIST_GAMMA:
    return d->a * d->b;
  case DIST_WEIBULL:
    return d->b * tgamma(1 + 1 / d->a); /* lambda Gamma(1 + 1/k) */
  case DIST_EMPIRICAL: {
    if (d->n == 0 || !d->values) return NAN;
    double s = 0;
    for (size_t i = 0; i < d->n; i++) s += d->values[i];
    return s / (double)d->n;
  }
  case DIST__COUNT:
    break;
  }
  BUG("dist_mean: invalid kind");
  return NAN;
}

/* Bounds for dist_largest: -ln(u) for the smallest u a stream gives (2^-64, with a
 * margin over its 2^-53 resolution), and a normal deviate's largest magnitude. */
#define DIST__NEG_LOG_U 44.4
#define DIST__Z 10.0

double dist_largest(const dist *d) {
  switch (d->kind) {
  case DIST_FIXED:
    return fabs(d->a);
  case DIST_UNIFORM:
    return fmax(fabs(d->a), fabs(d->b));
  case DIST_TRIANGULAR:
    return fmax(fabs(d->a), fabs(d->c));
  case DIST_NORMAL:
    return fabs(d->a) + DIST__Z * fabs(d->b);
  case DIST_LOGNORMAL:
    return exp(d->a + DIST__Z * fabs(d->b));
  case DIST_EXPONENTIAL:
    return fabs(d->a) * DIST__NEG_LOG_U;
  case DIST_GAMMA: {
    /* Marsaglia and Tsang (2000), as GSL draws it: scale (k - 1/3)(1 + z / sqrt(9k - 3))^3
     * for k >= 1, and for k < 1 a draw of shape k + 1 times u^(1/k) <= 1. */
    double k = d->a < 1 ? d->a + 1 : d->a, dd = k - 1.0 / 3;
    double v = 1 + DIST__Z / sqrt(9 * dd);
    return fabs(d->b) * dd * v * v * v;
  }
  case DIST_WEIBULL:
    return fabs(d->b) * pow(DIST__NEG_LOG_U, 1 / d->a);
  case DIST_EMPIRICAL: {
    double m = 0;
    for (size_t i = 0; i < d->n && d->values; i++)
      m = fmax(m, fabs(d->values[i]));
    return m;
  }
  case DIST__COUNT:
    break;
  }
  return NAN;
}
