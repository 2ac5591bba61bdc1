/* stats.c - summaries of one metric over replications: mean, sd, a 95% interval of the
 * mean (Student t, or Wilson's for an indicator), nearest-rank quantiles.
 * Deterministic: sums run in index order, never in completion order. */
#include "stats.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>

#include "err.h"

/* Wilson's score interval for k successes in m trials (Wilson 1927; Agresti and Coull
 * 1998 recommend it over the Wald/t interval, which leaves [0, 1] near 0 and 1). */
static void wilson(stats_summary *out, double p, size_t m) {
  const double z = 1.959963984540054; /* the normal's 0.975 quantile */
  double n = (double)m, d = 1 + z * z / n;
  double centre = (p + z * z / (2 * n)) / d;
  double h = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d;
  /* Mathematically inside [0, 1], and exactly 0 (1) at p = 0 (1); keep rounding from
   * stepping out or leaving a 2e-19 where the closed form has 0. */
  out->ci_lo = p == 0 ? 0 : fmax(0.0, centre - h);
  out->ci_hi = p == 1 ? 1 : fmin(1.0, centre + h);
}

void stats_share(size_t k, size_t n, double *share, double *lo, double *hi) {
  stats_summary s = {0};
  *share = n ? (double)k / (double)n : NAN;
  if (n) wilson(&s, *share, n);
  *lo = n ? s.ci_lo : NAN, *hi = n ? s.ci_hi : NAN;
}

static int all_binary(const double *x, size_t m) {
  for (size_t i = 0; i < m; i++)
    if (x[i] != 0 && x[i] != 1) return 0;
  return 1;
}

size_t stats_quantile_rank(size_t n, double p) {
  if (p <= 0) return 0;
  if (p >= 1) return n - 1;
  /* k = ceil(n p); a product that is whole in exact arithmetic but rounds a few ulps
   * above (0.07 * 100 = 7.000000000000001) keeps its rank, as R's type 1 does. */
  double h = p * (double)n;
  double k = ceil(h - 4 * DBL_EPSILON * h);
  size_t i = k < 1 ? 0 : (size_t)k - 1;
  return i < n ? i : n - 1;
}

double stats_quantile_sorted(const double *x, size_t n, double p) {
  if (n == 0 || isnan(p)) return NAN;
  return x[stats_quantile_rank(n, p)];
}

double stats_quantile(double *x, size_t n, double p) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (!isnan(x[i])) x[m++] = x[i];
  if (m) gsl_sort(x, 1, m);
  return stats_quantile_sorted(x, m, p);
}

void stats__moments(stats_summary *out, size_t m, double mean, double ss, stats_kind kind,
                    int binary) {
  out->n = m;
  out->mean = mean;
  if (m >= 2) {
    out->sd = sqrt(ss / (double)(m - 1));
    /* 95% two-sided interval of the mean: t_{0.975, m-1} * s / sqrt(m). */
    out->half_width = gsl_cdf_tdist_Pinv(0.975, (double)(m - 1)) * out->sd / sqrt((double)m);
    out->ci_lo = mean - out->half_width;
    out->ci_hi = mean + out->half_width;
  }
  /* The kind is declared; a declared indicator with another value is a module's bug
   * (and a proportion's interval of it would be nonsense): keep the t interval. */
  if (kind == STATS_BINARY && ALWAYS(binary)) wilson(out, mean, m);
}

void stats__support(stats_summary *out, stats_kind kind) {
  if (kind == STATS_NONNEG && out->min >= 0 && out->ci_lo < 0) out->ci_lo = 0;
}

void stats_summarize(stats_summary *out, const double *x, size_t n, stats_kind kind,
                     double *scratch) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (!isnan(x[i])) scratch[m++] = x[i];

  out->n = m;
  out->mean = out->sd = out->half_width = out->ci_lo = out->ci_hi = NAN;
  out->min = out->p5 = out->p50 = out->p95 = out->max = NAN;
  if (m == 0) return;

  /* Two passes (mean, then squared deviations) in index order: better conditioned
   * than the one-pass sum of squares, and the same bits for the same input. */
  double sum = 0;
  for (size_t i = 0; i < m; i++) sum += scratch[i];
  double mean = sum / (double)m, ss = 0;
  if (m >= 2)
    for (size_t i = 0; i < m; i++) ss += (scratch[i] - mean) * (scratch[i] - mean);
  stats__moments(out, m, mean, ss, kind, all_binary(scratch, m));

  gsl_sort(scratch, 1, m);
  out->min = scratch[0];
  out->max = scratch[m - 1];
  out->p5 = stats_quantile_sorted(scratch, m, 0.05);
  out->p50 = stats_quantile_sorted(scratch, m, 0.50);
  out->p95 = stats_quantile_sorted(scratch, m, 0.95);
  stats__support(out, kind);
}

int stats_converged(const stats_summary *s, double rel) {
  /* NaN half-widths (n < 2) compare false; 0 <= rel * 0 covers a constant zero. */
  return s->n >= 2 && s->half_width <= rel * fabs(s->mean);
}
