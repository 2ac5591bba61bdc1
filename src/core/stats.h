/* stats.h - small statistics over replications: mean, confidence interval, quantiles. */
#ifndef STRAITS_STATS_H
#define STRAITS_STATS_H

#include <stddef.h>

typedef struct stats_summary {
  size_t n;         /* observations (NaNs are skipped) */
  double mean, sd;  /* sd is the sample standard deviation (n - 1) */
  double half_width; /* of the 95% confidence interval of the mean (Student t);
                        NaN when n < 2 */
  double ci_lo, ci_hi; /* the 95% confidence interval of the mean: Wilson's score
                          interval when every value is 0 or 1 (a proportion: it
                          stays inside [0, 1]), else mean -+ half_width; NaN when
                          n < 2 (n = 0 for a proportion) */
  double min, p5, p50, p95, max;
} stats_summary;

/* Summarise x[0..n), skipping NaNs.  scratch must hold n doubles (it is sorted);
 * x is not modified.  Sums run in index order, so the result depends only on x. */
void stats_summarize(stats_summary *out, const double *x, size_t n, double *scratch);

/* True when the 95% CI half-width is at most rel * |mean| (and n >= 2).  A metric
 * whose mean and half-width are both 0 counts as converged. */
int stats_converged(const stats_summary *s, double rel);

/* Time-weighted average of a piecewise-constant quantity (queue length, busy). */
typedef struct stats_tw {
  double last_t, value, area;
} stats_tw;

static inline void stats_tw_set(stats_tw *w, double t, double value) {
  w->area += w->value * (t - w->last_t);
  w->last_t = t;
  w->value = value;
}
static inline double stats_tw_mean(const stats_tw *w, double t) {
  return t > 0 ? (w->area + w->value * (t - w->last_t)) / t : w->value;
}

#endif
