/* test_stats.c - summaries against hand-computed values, NaN skipping, convergence, the
 * interval by declared kind, and the one quantile definition (nearest rank). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

#define NEAR(x, want, tol) assert_true(fabs((x) - (want)) <= (tol))

/* x = 2, 4, 4, 4, 5, 5, 7, 9 (in scrambled order): mean 5, sum of squared deviations
 * 32, sample sd sqrt(32/7) = 2.138089935..., t_{0.975,7} = 2.364624252,
 * half-width = 2.364624252 * 2.138089935 / sqrt(8) = 1.787485...
 * Quantiles by nearest rank (the k-th smallest, k = ceil(8 p)): p5: k = ceil(0.4) = 1
 * -> 2; p50: k = 4 -> 4; p95: k = ceil(7.6) = 8 -> 9. */
static void test_hand_computed(void **state) {
  (void)state;
  const double x[] = {5, 9, 2, 4, 7, 4, 5, 4};
  double copy[8], scratch[8];
  memcpy(copy, x, sizeof x);
  stats_summary s;
  stats_summarize(&s, x, 8, STATS_REAL, scratch);
  assert_int_equal(s.n, 8);
  NEAR(s.mean, 5.0, 1e-15);
  NEAR(s.sd, sqrt(32.0 / 7), 1e-14);
  NEAR(s.half_width, 2.364624252 * sqrt(32.0 / 7) / sqrt(8.0), 1e-8);
  NEAR(s.min, 2, 0);
  NEAR(s.max, 9, 0);
  NEAR(s.p5, 2, 0);
  NEAR(s.p50, 4, 0);
  NEAR(s.p95, 9, 0);
  assert_memory_equal(copy, x, sizeof x); /* input untouched */
}

static void test_nan_skipped(void **state) {
  (void)state;
  const double x[] = {NAN, 1, NAN, 3, 2, NAN};
  double scratch[6];
  stats_summary s;
  stats_summarize(&s, x, 6, STATS_REAL, scratch);
  assert_int_equal(s.n, 3);
  NEAR(s.mean, 2, 1e-15);
  NEAR(s.sd, 1, 1e-15);
  /* t_{0.975,2} = 4.302652730 */
  NEAR(s.half_width, 4.302652730 / sqrt(3.0), 1e-8);
  NEAR(s.min, 1, 0);
  NEAR(s.p50, 2, 1e-15);
  NEAR(s.max, 3, 0);
}

static void test_small_n(void **state) {
  (void)state;
  double scratch[3];
  stats_summary s;
  const double none[] = {NAN, NAN};
  stats_summarize(&s, none, 2, STATS_REAL, scratch);
  assert_int_equal(s.n, 0);
  assert_true(isnan(s.mean) && isnan(s.half_width) && isnan(s.p50));
  assert_false(stats_converged(&s, 0.05));

  stats_summarize(&s, NULL, 0, STATS_REAL, scratch);
  assert_int_equal(s.n, 0);

  const double one[] = {NAN, 42};
  stats_summarize(&s, one, 2, STATS_REAL, scratch);
  assert_int_equal(s.n, 1);
  NEAR(s.mean, 42, 0);
  assert_true(isnan(s.half_width));
  NEAR(s.p5, 42, 0);
  NEAR(s.p95, 42, 0);
  assert_false(stats_converged(&s, 0.05));
}

static void test_converged(void **state) {
  (void)state;
  stats_summary s = {0};
  s.n = 100;
  s.mean = -10;
  s.half_width = 0.4;
  assert_true(stats_converged(&s, 0.05)); /* 0.4 <= 0.5, sign of mean ignored */
  s.half_width = 0.6;
  assert_false(stats_converged(&s, 0.05));
  s.mean = 0;
  s.half_width = 0;
  assert_true(stats_converged(&s, 0.05)); /* a constant zero metric */
  s.half_width = 1e-9;
  assert_false(stats_converged(&s, 0.05));

  /* Through the summary: a constant metric converges at once. */
  const double c[] = {3, 3, 3, 3};
  double scratch[4];
  stats_summarize(&s, c, 4, STATS_REAL, scratch);
  NEAR(s.sd, 0, 0);
  assert_true(stats_converged(&s, 0.01));
}

/* A declared indicator gets Wilson's interval (values from the closed form, computed
 * apart); anything else mean -+ the t half-width, whatever its values are. */
static void test_intervals(void **state) {
  (void)state;
  double x[20], scratch[20];
  stats_summary s;
  for (int i = 0; i < 10; i++) x[i] = i == 0;
  stats_summarize(&s, x, 10, STATS_BINARY, scratch);
  assert_true(fabs(s.ci_lo - 0.017876213095072896) < 1e-12);
  assert_true(fabs(s.ci_hi - 0.4041500267952385) < 1e-12);
  for (int i = 0; i < 20; i++) x[i] = 0;
  stats_summarize(&s, x, 20, STATS_BINARY, scratch);
  assert_true(s.ci_lo == 0 && fabs(s.ci_hi - 0.16112515805281938) < 1e-12);
  for (int i = 0; i < 20; i++) x[i] = 1;
  stats_summarize(&s, x, 20, STATS_BINARY, scratch);
  assert_true(fabs(s.ci_lo - 0.8388748419471806) < 1e-12 && s.ci_hi == 1);
  stats_summarize(&s, x, 1, STATS_BINARY, scratch); /* one trial is still a proportion */
  assert_true(fabs(s.ci_lo - 0.2065493143772375) < 1e-12 && s.ci_hi == 1);
  double y[4] = {1, 2, 3, 4};
  stats_summarize(&s, y, 4, STATS_REAL, scratch);
  assert_true(s.ci_lo == s.mean - s.half_width && s.ci_hi == s.mean + s.half_width);
  stats_summarize(&s, y + 2, 1, STATS_REAL, scratch); /* one value, not a proportion: no interval */
  assert_true(isnan(s.ci_lo) && isnan(s.ci_hi));
}

/* The same 0/1 values, not declared an indicator (a count that was 0 or 1, a time
 * that was 0): Student t, never Wilson. */
static void test_binary_values_not_declared(void **state) {
  (void)state;
  double x[10], scratch[10];
  stats_summary s;
  for (int i = 0; i < 10; i++) x[i] = i == 0;
  stats_summarize(&s, x, 10, STATS_REAL, scratch);
  /* mean 0.1, sd sqrt(0.1) = 0.316227766, t_{0.975,9} = 2.262157163 */
  NEAR(s.half_width, 2.262157163 * sqrt(0.1) / sqrt(10.0), 1e-8);
  assert_true(s.ci_lo == s.mean - s.half_width && s.ci_hi == s.mean + s.half_width);
  assert_true(s.ci_lo < 0); /* t's interval of a skewed 0/1 sample leaves [0, 1]: honest */
}

/* A time in seconds that was 0 in every replication (a warning at the epoch): a
 * degenerate interval [0, 0], not Wilson's [0, 0.0038] of a proportion 0 of 1000. */
static void test_time_all_zero(void **state) {
  (void)state;
  enum { N = 1000 };
  static double x[N], scratch[N];
  for (int i = 0; i < N; i++) x[i] = 0;
  stats_summary s;
  stats_summarize(&s, x, N, STATS_REAL, scratch);
  assert_true(s.mean == 0 && s.sd == 0 && s.half_width == 0);
  assert_true(s.ci_lo == 0 && s.ci_hi == 0);
  assert_true(s.p5 == 0 && s.p50 == 0 && s.p95 == 0);
  stats_summarize(&s, x, N, STATS_BINARY, scratch); /* the proportion it is not */
  assert_true(s.ci_lo == 0 && fabs(s.ci_hi - 0.0038267584855551) < 1e-12);
}

/* Two values: p90 is the larger (a lower-is-better headline is never flattered), the
 * median the smaller, as the k-th smallest with k = ceil(2 p) says. */
static void test_quantile_two_values(void **state) {
  (void)state;
  double two[2] = {30, 10}; /* unsorted on purpose */
  assert_true(stats_quantile(two, 2, 0.9) == 30);
  double sorted[2] = {10, 30};
  assert_true(stats_quantile_sorted(sorted, 2, 0.9) == 30);
  assert_true(stats_quantile_sorted(sorted, 2, 0.5) == 10);
  assert_true(stats_quantile_sorted(sorted, 2, 0.51) == 30);
  assert_true(stats_quantile_sorted(sorted, 2, 0.05) == 10);
  assert_true(stats_quantile_sorted(sorted, 2, 0) == 10);
  assert_true(stats_quantile_sorted(sorted, 2, 1) == 30);
  assert_true(isnan(stats_quantile_sorted(sorted, 0, 0.5)));
  double nan_only[2] = {NAN, NAN};
  assert_true(isnan(stats_quantile(nan_only, 2, 0.5)));
  double with_nan[3] = {NAN, 5, 1};
  assert_true(stats_quantile(with_nan, 3, 0.9) == 5); /* NaN dropped: {1, 5} */
}

/* Against the definition in exact arithmetic: for p = j / 100, the k-th smallest of
 * 1..n with k = max(1, ceil(j n / 100)), in integers, for every n up to 60 and every
 * whole percent -- products such as 0.07 * 100 = 7.000000000000001 included. */
static void test_quantile_rank_exact(void **state) {
  (void)state;
  double v[60];
  for (int i = 0; i < 60; i++) v[i] = i + 1;
  for (int n = 1; n <= 60; n++)
    for (int j = 0; j <= 100; j++) {
      int k = (j * n + 99) / 100;
      if (k < 1) k = 1;
      double got = stats_quantile_sorted(v, (size_t)n, j / 100.0);
      if (got != k) fail_msg("n %d, p %d%%: got rank %g, want %d", n, j, got, k);
    }
}

/* A count's percentiles are whole numbers, each a value some replication produced:
 * counts drawn from a fixed LCG (seed printed on failure), summarised as the run does. */
static void test_quantile_counts_whole(void **state) {
  (void)state;
  enum { N = 997 };
  static double x[N], scratch[N];
  const unsigned seed = 20270401u;
  unsigned u = seed;
  for (int i = 0; i < N; i++) {
    u = u * 1664525u + 1013904223u;
    x[i] = (double)((u >> 16) % 7); /* 0..6 */
  }
  stats_summary s;
  stats_summarize(&s, x, N, STATS_REAL, scratch);
  const double q[3] = {s.p5, s.p50, s.p95};
  for (int i = 0; i < 3; i++) {
    if (q[i] != floor(q[i])) fail_msg("seed %u: percentile %g is not whole", seed, q[i]);
    int seen = 0;
    for (int k = 0; k < N && !seen; k++) seen = x[k] == q[i];
    if (!seen) fail_msg("seed %u: percentile %g is no replication's value", seed, q[i]);
    /* At least a share p at or below, at least 1 - p at or above. */
    const double p[3] = {0.05, 0.5, 0.95};
    int below = 0, above = 0;
    for (int k = 0; k < N; k++) below += x[k] <= q[i], above += x[k] >= q[i];
    if (below < p[i] * N || above < (1 - p[i]) * N)
      fail_msg("seed %u: p%g = %g has %d at or below, %d at or above", seed, 100 * p[i], q[i],
               below, above);
  }
}

static void test_time_weighted(void **state) {
  (void)state;
  stats_tw w = {0, 0, 0};
  stats_tw_set(&w, 0, 2);  /* 2 on [0, 10) */
  stats_tw_set(&w, 10, 4); /* 4 on [10, 15) */
  NEAR(stats_tw_mean(&w, 15), (2.0 * 10 + 4.0 * 5) / 15, 1e-15);
}


/* ---- the streaming summary (issue 22) ------------------------------------------
 * Columns of different shapes -- continuous over many binades, whole counts with
 * ties, an indicator, a constant, values with NaNs and infinities, one with a single
 * value -- summarised in chunks must equal stats_summarize of each whole column, bit
 * for bit, and the summary must never ask for more than STATS_STREAM_CHUNK values at
 * once.  Rows drawn from a fixed LCG; the seed is printed on failure. */
#define SCOLS 7

typedef struct stream_fixture {
  const double *x; /* [n][SCOLS] */
  size_t n, asked, calls, last_lo;
  int out_of_order;
} stream_fixture;

static int stream_fill(void *ctx, size_t lo, size_t hi, double *vals) {
  stream_fixture *f = ctx;
  if ((hi - lo) * SCOLS > f->asked) f->asked = (hi - lo) * SCOLS;
  if (f->calls++ && lo != 0)
    f->out_of_order |= lo <= f->last_lo; /* within a pass, rows go forward */
  f->last_lo = lo;
  memcpy(vals, f->x + lo * SCOLS, (hi - lo) * SCOLS * sizeof *vals);
  return 0;
}

static double lcg01(unsigned *u) {
  *u = *u * 1664525u + 1013904223u;
  return (*u >> 8) / 16777216.0;
}

static void stream_case(size_t n, unsigned seed) {
  double *x = malloc(n * SCOLS * sizeof *x), *col = malloc(n * sizeof *col);
  double *scratch = malloc(n * sizeof *scratch);
  assert_true(x && col && scratch);
  unsigned u = seed;
  for (size_t r = 0; r < n; r++) {
    double *row = x + r * SCOLS, a = lcg01(&u);
    row[0] = (a - 0.3) * exp(40 * lcg01(&u) - 20); /* both signs, many binades */
    row[1] = floor(8 * a * a);                     /* a count: many ties */
    row[2] = a < 0.2;                              /* an indicator */
    row[3] = 3.5;                                  /* a constant */
    row[4] = a < 0.1 ? NAN : a > 0.98 ? INFINITY : a < 0.12 ? -INFINITY : 1e3 * a;
    row[5] = r == n / 2 ? 42 : NAN;      /* a single value */
    row[6] = a < 0.5 ? 0.0 : 1e-300 * a; /* zeros and subnormal-ish */
  }
  const stats_kind kind[SCOLS] = {STATS_NONNEG, STATS_NONNEG, STATS_BINARY, STATS_REAL,
                                  STATS_REAL,   STATS_NONNEG, STATS_NONNEG};
  stats_summary got[SCOLS], want;
  stream_fixture f = {x, n, 0, 0, 0, 0};
  assert_int_equal(stats_summarize_stream(got, SCOLS, kind, n, stream_fill, &f), 0);
  for (size_t c = 0; c < SCOLS; c++) {
    for (size_t r = 0; r < n; r++) col[r] = x[r * SCOLS + c];
    stats_summarize(&want, col, n, kind[c], scratch);
    if (memcmp(&want, &got[c], sizeof want) != 0)
      fail_msg(
          "seed %u, n %zu, column %zu: streamed p5 %.17g p50 %.17g p95 %.17g mean "
          "%.17g sd %.17g, whole p5 %.17g p50 %.17g p95 %.17g mean %.17g sd %.17g",
          seed, n, c, got[c].p5, got[c].p50, got[c].p95, got[c].mean, got[c].sd, want.p5, want.p50,
          want.p95, want.mean, want.sd);
  }
  if (f.asked > STATS_STREAM_CHUNK || f.out_of_order)
    fail_msg("seed %u: asked for %zu values at once (chunk %zu), out of order %d", seed, f.asked,
             (size_t)STATS_STREAM_CHUNK, f.out_of_order);
  free(x), free(col), free(scratch);
}

static void test_stream_equals_whole(void **state) {
  (void)state;
  stream_case(0, 1u);
  stream_case(1, 2u);
  stream_case(37, 3u);
  stream_case(1000, 4u);   /* collected at once */
  stream_case(60000, 5u);  /* narrowed by counting, in one chunk read once */
  stream_case(200000, 6u); /* and over two chunks, read again each pass */
}

/* stats_select_stream on one column of those shapes: every asked rank (the ends, the
 * middle, a run of neighbours, one past the values) equals the sorted column's value at
 * that rank, bit for bit. */
typedef struct select_fixture {
  const double *x; /* [n][SCOLS] */
  size_t col, asked;
} select_fixture;

static int select_fill(void *ctx, size_t lo, size_t hi, double *vals) {
  select_fixture *f = ctx;
  if (hi - lo > f->asked) f->asked = hi - lo;
  for (size_t r = lo; r < hi; r++) vals[r - lo] = f->x[r * SCOLS + f->col];
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void select_case(size_t n, unsigned seed) {
  double *x = malloc((n ? n : 1) * SCOLS * sizeof *x),
         *sorted = malloc((n ? n : 1) * sizeof *sorted);
  assert_true(x && sorted);
  unsigned u = seed;
  for (size_t r = 0; r < n; r++) {
    double *row = x + r * SCOLS, a = lcg01(&u);
    row[0] = (a - 0.3) * exp(40 * lcg01(&u) - 20);
    row[1] = floor(8 * a * a);
    row[2] = a < 0.2;
    row[3] = 3.5;
    row[4] = a < 0.1 ? NAN : a > 0.98 ? INFINITY : a < 0.12 ? -INFINITY : 1e3 * a;
    row[5] = r == n / 2 ? 42 : NAN;
    row[6] = a < 0.5 ? 0.0 : 1e-300 * a;
  }
  for (size_t c = 0; c < SCOLS; c++) {
    size_t k = 0;
    for (size_t r = 0; r < n; r++)
      if (!isnan(x[r * SCOLS + c])) sorted[k++] = x[r * SCOLS + c];
    qsort(sorted, k, sizeof *sorted, cmp_double);
    size_t rank[8] = {0, k / 2, k ? k - 1 : 0, k / 10, k / 10 + 1, k / 10 + 2, 9 * k / 10, k};
    double got[8];
    select_fixture f = {x, c, 0};
    double lo = k ? sorted[0] : NAN, hi = k ? sorted[k - 1] : NAN;
    assert_int_equal(stats_select_stream(got, rank, 8, n, k, lo, hi, select_fill, &f), 0);
    for (size_t i = 0; i < 8; i++) {
      double want = rank[i] < k ? sorted[rank[i]] : NAN;
      if (memcmp(&want, &got[i], sizeof want) != 0 && !(isnan(want) && isnan(got[i])))
        fail_msg("seed %u, n %zu, column %zu, rank %zu of %zu: selected %.17g, sorted %.17g", seed,
                 n, c, rank[i], k, got[i], want);
    }
    if (f.asked > STATS_STREAM_CHUNK) fail_msg("asked for %zu values at once", f.asked);
  }
  free(x), free(sorted);
}

static void test_select_equals_sorted(void **state) {
  (void)state;
  select_case(0, 11u);
  select_case(1, 12u);
  select_case(500, 13u);     /* collected at once */
  select_case(60000, 14u);   /* narrowed by counting */
  select_case(1100000, 15u); /* over three chunks, read again each pass */
}

/* A magnitude's interval stops at 0: three replications with nobody missing and one
 * with 4 give a mean of 1 and t_{0.975,3} s / 2 = 3.182 above and below it, so the t
 * interval is (-2.182, 4.182); declared never negative it is [0, 4.182].  A negative
 * value shows the declaration wrong: the t interval stands. */
static void test_nonnegative_interval(void **state) {
  (void)state;
  double x[] = {0, 0, 0, 4}, scratch[4];
  stats_summary t, nn;
  stats_summarize(&t, x, 4, STATS_REAL, scratch);
  stats_summarize(&nn, x, 4, STATS_NONNEG, scratch);
  assert_float_equal(t.ci_lo, 1 - 3.182446305284263, 1e-12);
  assert_float_equal(nn.ci_lo, 0, 0);
  assert_float_equal(nn.ci_hi, t.ci_hi, 0);
  assert_float_equal(nn.half_width, t.half_width, 0); /* --until-ci's test is unchanged */
  double y[] = {0, 0, -1, 4};
  stats_summarize(&nn, y, 4, STATS_NONNEG, scratch);
  stats_summarize(&t, y, 4, STATS_REAL, scratch);
  assert_true(nn.ci_lo < 0);
  assert_float_equal(nn.ci_lo, t.ci_lo, 0);
  /* Far from 0 it changes nothing. */
  double z[] = {10, 11, 12, 13};
  stats_summarize(&nn, z, 4, STATS_NONNEG, scratch);
  stats_summarize(&t, z, 4, STATS_REAL, scratch);
  assert_memory_equal(&nn, &t, sizeof t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_nonnegative_interval),
      cmocka_unit_test(test_hand_computed),
      cmocka_unit_test(test_nan_skipped),
      cmocka_unit_test(test_small_n),
      cmocka_unit_test(test_converged),
      cmocka_unit_test(test_intervals),
      cmocka_unit_test(test_binary_values_not_declared),
      cmocka_unit_test(test_time_all_zero),
      cmocka_unit_test(test_quantile_two_values),
      cmocka_unit_test(test_quantile_rank_exact),
      cmocka_unit_test(test_quantile_counts_whole),
      cmocka_unit_test(test_time_weighted),
      cmocka_unit_test(test_stream_equals_whole),
      cmocka_unit_test(test_select_equals_sorted),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
