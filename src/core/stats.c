/* stats.c - summaries of one metric over replications: mean, sd, Student-t 95% CI,
 * quantiles.  Deterministic: sums run in index order, never in completion order. */
#include "stats.h"

#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

void stats_summarize(stats_summary *out, const double *x, size_t n, double *scratch) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (!isnan(x[i])) scratch[m++] = x[i];

  out->n = m;
  out->mean = out->sd = out->half_width = NAN;
  out->min = out->p5 = out->p50 = out->p95 = out->max = NAN;
  if (m == 0) return;

  /* Two passes (mean, then squared deviations) in index order: better conditioned
   * than the one-pass sum of squares, and the same bits for the same input. */
  double sum = 0;
  for (size_t i = 0; i < m; i++) sum += scratch[i];
  double mean = sum / (double)m;
  out->mean = mean;
  if (m >= 2) {
    double ss = 0;
    for (size_t i = 0; i < m; i++) ss += (scratch[i] - mean) * (scratch[i] - mean);
    out->sd = sqrt(ss / (double)(m - 1));
    /* 95% two-sided interval of the mean: t_{0.975, m-1} * s / sqrt(m). */
    out->half_width = gsl_cdf_tdist_Pinv(0.975, (double)(m - 1)) * out->sd / sqrt((double)m);
  }

  gsl_sort(scratch, 1, m);
  out->min = scratch[0];
  out->max = scratch[m - 1];
  /* GSL's quantile: linear interpolation between order statistics at (m-1) f
   * (Hyndman and Fan's definition 7, as R's default). */
  out->p5 = gsl_stats_quantile_from_sorted_data(scratch, 1, m, 0.05);
  out->p50 = gsl_stats_quantile_from_sorted_data(scratch, 1, m, 0.50);
  out->p95 = gsl_stats_quantile_from_sorted_data(scratch, 1, m, 0.95);
}

int stats_converged(const stats_summary *s, double rel) {
  /* NaN half-widths (n < 2) compare false; 0 <= rel * 0 covers a constant zero. */
  return s->n >= 2 && s->half_width <= rel * fabs(s->mean);
}
