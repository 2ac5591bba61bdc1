/* dist.h - probability distributions of the scenario vocabulary, sampled from a stream.
 *
 * Parameters are stored in SI units (seconds, metres, ...).  A dist does not own
 * `values` (empirical): it points into the scenario's memory. */
#ifndef STRAITS_DIST_H
#define STRAITS_DIST_H

#include <stddef.h>
#include "rng.h"

#define DIST_MAP(X)          \
  X(FIXED, "fixed")          \
  X(UNIFORM, "uniform")      \
  X(TRIANGULAR, "triangular")\
  X(NORMAL, "normal")        \
  X(LOGNORMAL, "lognormal")  \
  X(EXPONENTIAL, "exponential") \
  X(GAMMA, "gamma")          \
  X(WEIBULL, "weibull")      \
  X(EMPIRICAL, "empirical")

typedef enum dist_kind {
#define DIST__ENUM(name, str) DIST_##name,
  DIST_MAP(DIST__ENUM)
#undef DIST__ENUM
  DIST__COUNT
} dist_kind;

/* Parameters by kind:
 *   FIXED        a = value
 *   UNIFORM      a = min, b = max
 *   TRIANGULAR   a = min, b = mode, c = max
 *   NORMAL       a = mean, b = sd
 *   LOGNORMAL    a = mu, b = sigma of the underlying normal (so median = exp(mu))
 *   EXPONENTIAL  a = mean
 *   GAMMA        a = shape k, b = scale theta
 *   WEIBULL      a = shape k, b = scale lambda
 *   EMPIRICAL    values[0..n) drawn with equal probability */
typedef struct dist {
  dist_kind kind;
  double a, b, c;
  const double *values;
  size_t n;
} dist;

static inline dist dist_fixed(double v) {
  dist d = {DIST_FIXED, v, 0, 0, NULL, 0};
  return d;
}

double dist_sample(const dist *d, rng_stream *r);
double dist_mean(const dist *d);
/* The largest magnitude dist_sample can return, from the extreme uniform draws a
 * stream can give (u down to 2^-64, normal deviates to 10 sd): +infinity when some
 * draws overflow a double (a Weibull shape of 0.001: scale x (-ln u)^1000), so the
 * loader can refuse such parameters before anything runs. */
double dist_largest(const dist *d);
/* Name as written in a scenario ("lognormal"); NULL for an invalid kind. */
const char *dist_name(dist_kind k);
/* Kind by name; -1 if unknown. */
int dist_kind_from_name(const char *name);

#endif
