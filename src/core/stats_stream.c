/* stats_stream.c - summaries of columns read in chunks (stats.h): the moments summed
 * in row order as stats_summarize sums them, and exact nearest-rank quantiles found by
 * selection over the values' bit patterns, pass by pass, so that memory depends on the
 * column count and the chunk, never on the number of rows.
 *
 * Selection: a double maps to a 64-bit key whose unsigned order is the values' order
 * (IEEE-754 totalOrder, so -0 comes before +0).  The k-th smallest value lies in a key
 * range [lo, hi] with `below` values under lo.  A pass counts the range's values in
 * STREAM_BUCKETS buckets of equal width, keeping each bucket's smallest and largest
 * key; the range becomes the bucket that holds rank k, shrunk to the keys seen in it.
 * It ends when the range is one key (ties: a count, an indicator) or when the bucket
 * holds at most STREAM_CAND values: the next pass collects them and selects.  A range
 * shrinks at least STREAM_BUCKETS-fold per pass, so 64 bits take at most 8 passes;
 * measured runs take 3 or 4 in all.
 *
 * The one difference from stats_summarize: gsl_sort (a heapsort) leaves -0 and +0 in
 * an order of its own; here -0 < +0, so a quantile whose rank falls among zeros of both
 * signs may be the other zero. */
#include "stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

#define STREAM_BUCKETS 256 /* 5 KiB of counts per quantile being narrowed */
#define STREAM_CAND 1024   /* values collected per quantile, at most */
#define STREAM_NQ 3

static const double stream_p[STREAM_NQ] = {0.05, 0.50, 0.95}; /* p5, p50, p95 */

/* T_SHARED: the column's values are few enough that its first target collects them
 * all, once, and the others select their ranks from that collection (a band's 121
 * grid points x 3 quantiles were copied three times over). */
enum { T_DONE, T_COUNT, T_COLLECT, T_SHARED };

typedef struct stream_target {
  size_t rank, below;     /* 0-based rank among the column's values; values below lo */
  uint64_t lo, hi, width; /* the key range still holding rank; bucket width */
  uint64_t key;           /* the answer, once T_DONE */
  int state;
  uint32_t *cnt;         /* [STREAM_BUCKETS] while T_COUNT (rows < 2^32: MC cap) */
  uint64_t *bmin, *bmax; /* [STREAM_BUCKETS] */
  uint64_t *cand;        /* [cap] while T_COLLECT */
  size_t ncand, cap;
} stream_target;

typedef struct stream_col {
  size_t m; /* values (NaN skipped) */
  double sum, mean, ss;
  uint64_t kmin, kmax;
  int binary;
} stream_col;

static uint64_t key_of(double x) {
  uint64_t u;
  memcpy(&u, &x, sizeof u);
  return u >> 63 ? ~u : u | (uint64_t)1 << 63;
}

static double value_of(uint64_t k) {
  uint64_t u = k >> 63 ? k & ~((uint64_t)1 << 63) : ~k;
  double x;
  memcpy(&x, &u, sizeof x);
  return x;
}

/* The i-th smallest of k[0..n) (i < n), k reordered: Hoare's selection with a
 * median-of-three pivot, linear on average -- a sort per quantile cost more than the
 * rest of the summary (perf on `straits report` of 1,000 replications). */
static uint64_t key_select(uint64_t *k, size_t n, size_t i) {
  size_t lo = 0, hi = n - 1;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    uint64_t a = k[lo], b = k[mid], c = k[hi];
    uint64_t pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
    size_t l = lo, r = hi;
    while (l <= r) {
      while (k[l] < pivot) l++;
      while (k[r] > pivot) r--;
      if (l <= r) {
        uint64_t t = k[l];
        k[l] = k[r], k[r] = t;
        l++;
        if (r == 0) break;
        r--;
      }
    }
    /* [lo, r] <= pivot <= [l, hi]; between them, keys equal to the pivot */
    if (i <= r && r != (size_t)-1)
      hi = r;
    else if (i >= l)
      lo = l;
    else
      return k[i];
  }
  return k[i];
}

static void target_free(stream_target *t) {
  free(t->cnt), free(t->bmin), free(t->bmax), free(t->cand);
  t->cnt = NULL, t->bmin = t->bmax = t->cand = NULL;
}

/* The range [lo, hi] holds count values: decide how the next pass narrows it. */
static int target_begin(stream_target *t, size_t count) {
  if (t->lo == t->hi) {
    t->key = t->lo, t->state = T_DONE;
    target_free(t);
    return 0;
  }
  if (count <= STREAM_CAND) {
    target_free(t);
    t->state = T_COLLECT, t->ncand = 0, t->cap = count;
    return (t->cand = malloc(count * sizeof *t->cand)) ? 0 : ERR_NOMEM;
  }
  t->state = T_COUNT;
  t->width = (t->hi - t->lo) / STREAM_BUCKETS + 1;
  if (!t->cnt) {
    t->cnt = malloc(STREAM_BUCKETS * sizeof *t->cnt);
    t->bmin = malloc(STREAM_BUCKETS * sizeof *t->bmin);
    t->bmax = malloc(STREAM_BUCKETS * sizeof *t->bmax);
    if (!t->cnt || !t->bmin || !t->bmax) return ERR_NOMEM;
  }
  memset(t->cnt, 0, STREAM_BUCKETS * sizeof *t->cnt);
  return 0;
}

static void target_see(stream_target *t, uint64_t k) {
  if (t->state == T_DONE || t->state == T_SHARED || k < t->lo || k > t->hi) return;
  if (t->state == T_COLLECT) {
    if (ALWAYS(t->ncand < t->cap)) t->cand[t->ncand++] = k;
    return;
  }
  size_t b = (size_t)((k - t->lo) / t->width);
  if (t->cnt[b]++ == 0) {
    t->bmin[b] = t->bmax[b] = k;
  } else {
    if (k < t->bmin[b]) t->bmin[b] = k;
    if (k > t->bmax[b]) t->bmax[b] = k;
  }
}

/* After a pass: the answer from the collected values, or the bucket holding rank. */
static int target_end(stream_target *t) {
  if (t->state == T_COLLECT) {
    size_t i = t->rank - t->below;
    t->key = ALWAYS(i < t->ncand) ? key_select(t->cand, t->ncand, i) : t->lo;
    t->state = T_DONE;
    target_free(t);
    return 0;
  }
  if (t->state != T_COUNT) return 0;
  size_t acc = 0, b = 0;
  while (b + 1 < STREAM_BUCKETS && t->below + acc + t->cnt[b] <= t->rank) acc += t->cnt[b++];
  t->below += acc;
  t->lo = t->bmin[b], t->hi = t->bmax[b];
  return target_begin(t, t->cnt[b]);
}

typedef struct stream {
  size_t ncol, n, rows;
  stream_col *col;
  stream_target *tg; /* [ncol][STREAM_NQ] */
  double *vals;      /* [rows * ncol] */
  stats_fill_fn fill;
  void *ctx;
} stream;

static void see_first(stream_col *c, double x) {
  uint64_t k = key_of(x);
  c->m++;
  c->sum += x;
  c->binary = c->binary && (x == 0 || x == 1);
  if (k < c->kmin) c->kmin = k;
  if (k > c->kmax) c->kmax = k;
}

/* One pass over the rows in order: pass 0 counts and sums, pass 1 also sums squared
 * deviations, every pass from 1 on narrows the quantiles. */
static int stream_pass(stream *s, int pass) {
  for (size_t lo = 0; lo < s->n; lo += s->rows) {
    size_t hi = s->n - lo < s->rows ? s->n : lo + s->rows;
    /* All rows in one chunk: read once, the later passes reuse it. */
    int err = pass > 0 && s->rows >= s->n ? 0 : s->fill(s->ctx, lo, hi, s->vals);
    if (err) return err;
    const double *v = s->vals;
    for (size_t r = lo; r < hi; r++)
      for (size_t c = 0; c < s->ncol; c++) {
        double x = *v++;
        if (isnan(x)) continue;
        if (pass == 0) {
          see_first(&s->col[c], x);
          continue;
        }
        stream_col *cc = &s->col[c];
        if (pass == 1) cc->ss += (x - cc->mean) * (x - cc->mean);
        uint64_t k = key_of(x);
        for (size_t q = 0; q < STREAM_NQ; q++) target_see(&s->tg[c * STREAM_NQ + q], k);
      }
  }
  return 0;
}

/* After pass 0: the means, and each quantile's rank and first range. */
static int stream_start(stream *s) {
  for (size_t c = 0; c < s->ncol; c++) {
    stream_col *cc = &s->col[c];
    if (cc->m == 0) continue; /* its targets are T_DONE (calloc); the summary is NaN */
    cc->mean = cc->sum / (double)cc->m;
    for (size_t q = 0; q < STREAM_NQ; q++) {
      stream_target *t = &s->tg[c * STREAM_NQ + q];
      t->rank = stats_quantile_rank(cc->m, stream_p[q]);
      t->lo = cc->kmin, t->hi = cc->kmax;
      int share = q > 0 && s->tg[c * STREAM_NQ].state == T_COLLECT;
      int err = share ? (t->state = T_SHARED, 0) : target_begin(t, cc->m);
      if (err) return err;
    }
  }
  return 0;
}

static int stream_pending(const stream *s, int pass) {
  for (size_t c = 0; c < s->ncol; c++) {
    if (pass == 1 && s->col[c].m >= 2) return 1; /* the squared deviations */
    for (size_t q = 0; q < STREAM_NQ; q++)
      if (s->tg[c * STREAM_NQ + q].state != T_DONE) return 1;
  }
  return 0;
}

static void stream_write(stats_summary *out, const stream *s, const stats_kind *kind) {
  for (size_t c = 0; c < s->ncol; c++) {
    const stream_col *cc = &s->col[c];
    stats_summary *o = &out[c];
    o->n = cc->m;
    o->mean = o->sd = o->half_width = o->ci_lo = o->ci_hi = NAN;
    o->min = o->p5 = o->p50 = o->p95 = o->max = NAN;
    if (cc->m == 0) continue;
    stats__moments(o, cc->m, cc->mean, cc->ss, kind ? kind[c] : STATS_REAL, cc->binary);
    o->min = value_of(cc->kmin);
    o->max = value_of(cc->kmax);
    o->p5 = value_of(s->tg[c * STREAM_NQ + 0].key);
    o->p50 = value_of(s->tg[c * STREAM_NQ + 1].key);
    o->p95 = value_of(s->tg[c * STREAM_NQ + 2].key);
    stats__support(o, kind ? kind[c] : STATS_REAL);
  }
}

int stats_summarize_stream(stats_summary *out, size_t ncol, const stats_kind *kind, size_t n,
                           stats_fill_fn fill, void *ctx) {
  stream s = {ncol, n, 1, NULL, NULL, NULL, fill, ctx};
  int err = ERR_NOMEM;
  if (ncol == 0) return 0;
  s.rows = STATS_STREAM_CHUNK / ncol ? STATS_STREAM_CHUNK / ncol : 1;
  if (s.rows > n) s.rows = n ? n : 1;
  s.col = calloc(ncol, sizeof *s.col);
  s.tg = calloc(ncol * STREAM_NQ, sizeof *s.tg);
  s.vals = malloc(s.rows * ncol * sizeof *s.vals);
  if (!s.col || !s.tg || !s.vals) goto done;
  for (size_t c = 0; c < ncol; c++) s.col[c].binary = 1, s.col[c].kmin = UINT64_MAX;
  if ((err = stream_pass(&s, 0)) || (err = stream_start(&s))) goto done;
  for (int pass = 1; !err && stream_pending(&s, pass); pass++) {
    err = stream_pass(&s, pass);
    for (size_t i = 0; !err && i < ncol * STREAM_NQ; i++) {
      stream_target *t = &s.tg[i], *first = &s.tg[i - i % STREAM_NQ];
      if (t->state == T_SHARED) /* first is the collector, still holding the values */
        t->key = key_select(first->cand, first->ncand, t->rank), t->state = T_DONE;
    }
    for (size_t i = 0; !err && i < ncol * STREAM_NQ; i++) err = target_end(&s.tg[i]);
  }
  if (!err) stream_write(out, &s, kind);
done:
  for (size_t i = 0; s.tg && i < ncol * STREAM_NQ; i++) target_free(&s.tg[i]);
  free(s.col);
  free(s.tg);
  free(s.vals);
  return err;
}

/* ---- order statistics of one column (stats_select_stream) ---------------------- */

/* A pass over the column narrowing the targets still open.  vals holds rows of one
 * value; with every row in one chunk it is read once (pass 1) and kept. */
static int select_pass(stream_target *tg, size_t nt, int pass, size_t n, size_t rows, double *vals,
                       stats_fill_fn fill, void *ctx) {
  for (size_t lo = 0; lo < n; lo += rows) {
    size_t hi = n - lo < rows ? n : lo + rows;
    int err = pass > 1 && rows >= n ? 0 : fill(ctx, lo, hi, vals);
    if (err) return err;
    for (size_t r = 0; r < hi - lo; r++)
      if (!isnan(vals[r]))
        for (size_t t = 0; t < nt; t++) target_see(&tg[t], key_of(vals[r]));
  }
  return 0;
}

int stats_select_stream(double *out, const size_t *rank, size_t nrank, size_t n, size_t m,
                        double min, double max, stats_fill_fn fill, void *ctx) {
  size_t rows = n < STATS_STREAM_CHUNK ? (n ? n : 1) : STATS_STREAM_CHUNK;
  stream_target *tg = calloc(nrank ? nrank : 1, sizeof *tg);
  double *vals = malloc(rows * sizeof *vals);
  int err = tg && vals ? 0 : ERR_NOMEM;
  /* The range holds both zeros where an end is one: a summary's min and max come from
   * a sort that does not order them. */
  uint64_t lo = key_of(min == 0 ? -0.0 : min), hi = key_of(max == 0 ? 0.0 : max);
  for (size_t i = 0; !err && i < nrank; i++) {
    tg[i].rank = rank[i], tg[i].lo = lo, tg[i].hi = hi;
    if (rank[i] < m) err = target_begin(&tg[i], m); /* else T_DONE (calloc): out is NaN */
  }
  for (int pass = 1; !err; pass++) {
    int open = 0;
    for (size_t i = 0; i < nrank; i++) open |= tg[i].state != T_DONE;
    if (!open) break;
    err = select_pass(tg, nrank, pass, n, rows, vals, fill, ctx);
    for (size_t i = 0; !err && i < nrank; i++) err = target_end(&tg[i]);
  }
  for (size_t i = 0; !err && i < nrank; i++) out[i] = rank[i] < m ? value_of(tg[i].key) : NAN;
  for (size_t i = 0; tg && i < nrank; i++) target_free(&tg[i]);
  free(tg);
  free(vals);
  return err;
}
