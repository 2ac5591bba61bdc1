/* stats.h - small statistics over replications: mean, confidence interval, quantiles.
 *
 * One quantile definition serves the whole program (docs/models.md, "Percentiles"):
 * the nearest rank, Hyndman and Fan's type 1, the inverse of the empirical
 * distribution function.  The p-quantile of n values is the k-th smallest, k the
 * least whole number with k >= n p, so it is always a value some replication
 * produced: a count's percentiles are whole numbers, an indicator's are 0 or 1, and
 * at least a share p of the values are at most it. */
#ifndef STRAITS_STATS_H
#define STRAITS_STATS_H

#include <stddef.h>

/* What values a summarised quantity takes; it decides the interval of the mean.  It
 * is declared (METRIC_BINARY in metric.h), never guessed from the values: a time that
 * happens to be 0 in every replication is still a time. */
typedef enum stats_kind {
  STATS_REAL = 0, /* any real number: mean -+ Student t half-width */
  STATS_BINARY,   /* an indicator, every value 0 or 1: Wilson's score interval */
  /* A magnitude that cannot be negative (a count, a duration, a mass): the t interval
   * with its lower end raised to 0 where it would fall below (a mean of values that
   * are never negative is never negative); unless some value is negative after all,
   * which shows the declaration wrong, and the plain t interval stands. */
  STATS_NONNEG,
} stats_kind;

typedef struct stats_summary {
  size_t n;         /* observations (NaNs are skipped) */
  double mean, sd;  /* sd is the sample standard deviation (n - 1) */
  double half_width; /* of the 95% confidence interval of the mean (Student t);
                        NaN when n < 2 */
  double ci_lo, ci_hi; /* the 95% confidence interval of the mean: Wilson's score
                          interval for STATS_BINARY (a proportion: it stays inside
                          [0, 1]; n >= 1), else mean -+ half_width (n >= 2, and
                          [mean, mean] when every value is the same); NaN otherwise */
  double min, p5, p50, p95, max; /* p5, p50, p95: stats_quantile_sorted */
} stats_summary;

/* Summarise x[0..n), skipping NaNs.  scratch must hold n doubles (it is sorted);
 * x is not modified.  Sums run in index order, so the result depends only on x. */
void stats_summarize(stats_summary *out, const double *x, size_t n, stats_kind kind,
                     double *scratch);

/* The share k / n of n indicators of which k are 1, with its Wilson 95% interval:
 * stats_summarize's mean and interval of those n values (STATS_BINARY), without them.
 * NaN for n = 0. */
void stats_share(size_t k, size_t n, double *share, double *lo, double *hi);

/* The p-quantile (0 <= p <= 1) of sorted[0..n), ascending and without NaNs, by the
 * nearest rank (above): sorted[k - 1], k = max(1, ceil(n p)).  NaN when n is 0. */
double stats_quantile_sorted(const double *sorted, size_t n, double p);

/* The 0-based index of the p-quantile in n sorted values (n >= 1), as above. */
size_t stats_quantile_rank(size_t n, double p);

/* The same of x[0..n) in any order: NaNs are dropped and the rest sorted in place
 * (x is scratch afterwards).  NaN when no value is left. */
double stats_quantile(double *x, size_t n, double p);

/* ---- summaries of columns too long to hold ------------------------------------
 * stats_summarize_stream gives, for each of ncol columns of n rows, exactly what
 * stats_summarize gives for the column in one array (the same bits; see stats_stream.c
 * for the one exception, the sign of a zero quantile), holding only a chunk of rows
 * at a time.  The rows are read through fill(ctx, lo, hi, vals): it writes rows
 * [lo, hi) into vals[(r - lo) * ncol + c] (NaN: no value), in several passes over
 * [0, n), always in row order (once only when all n rows fit in one chunk), and returns 0 or an error that stops the summary.
 * (hi - lo) * ncol is at most max(ncol, STATS_STREAM_CHUNK).  Percentiles are exact:
 * a selection over the values' bit patterns, narrowed pass by pass (usually 3 or 4
 * passes).  kind is [ncol], or NULL for STATS_REAL.  0, ERR_NOMEM, or fill's error. */
/* Values per fill call, at most: 4 MiB of doubles, so a run of ~1,000
 * replications is read once and its later passes reuse the chunk. */
#define STATS_STREAM_CHUNK ((size_t)1 << 19)
typedef int (*stats_fill_fn)(void *ctx, size_t lo, size_t hi, double *vals);
int stats_summarize_stream(stats_summary *out, size_t ncol, const stats_kind *kind, size_t n,
                           stats_fill_fn fill, void *ctx);

/* Order statistics of one column too long to hold: out[i] is the value of 0-based rank
 * rank[i] among the column's m non-NaN values (NaN when rank[i] >= m).  m, min and
 * max are the column's count and extremes, as its summary has them (stats_summarize
 * or stats_summarize_stream).  The n rows come through fill as for
 * stats_summarize_stream with ncol 1, and the selection narrows every rank at once,
 * usually in 3 or 4 passes.  The same values as indexing the sorted column (the one
 * exception: -0 sorts before +0).  0, ERR_NOMEM, or fill's error. */
int stats_select_stream(double *out, const size_t *rank, size_t nrank, size_t n, size_t m,
                        double min, double max, stats_fill_fn fill, void *ctx);

/* Not API: what stats_summarize and the streaming summary share.  The moments of m
 * non-NaN values from their mean and sum of squared deviations (index order);
 * binary: every value is 0 or 1. */
/* The interval's lower end at the support's (STATS_NONNEG), once min is known. */
void stats__support(stats_summary *out, stats_kind kind);
void stats__moments(stats_summary *out, size_t m, double mean, double ss, stats_kind kind,
                    int binary);

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
