/* store_read.c - reading back a run: its values (through the readers' cache), its
 * row, its metric registry and its series points. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "store_internal.h"

/* Scan replications [0, n) of a run: fill vals [n x ncol] with the values of metrics
 * cols[0..ncol) (all metrics when cols is NULL), NaN where absent. */
static int read_values(store *st, int64_t run_id, const metric_set *ms, const int *cols,
                       size_t ncol, double *vals, size_t n) {
  sqlite3_stmt *s = store__stmt(st, S_REP_DATA);
  int rc, err = 0;
  for (size_t i = 0; i < n * ncol; i++)
    vals[i] = NAN;
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_int64(s, 2, (int64_t)n);
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    int64_t r; /* 0 <= r < n by the query */
    rep_view v;
    if ((err = store__rep_read(st, s, 0, run_id, ms->n, &r, &v)))
      break;
    for (size_t c = 0; c < ncol; c++)
      vals[(size_t)r * ncol + c] = store__rep_value(&v, ms, cols ? (size_t)cols[c] : c);
  }
  store__reset(s);
  if (!err && rc != SQLITE_DONE)
    err = store__fail(st, rc, "cannot read the values of run %lld", (long long)run_id);
  return err;
}

static void note_peak(store *st, size_t values) {
  if (values > st->peak_values)
    st->peak_values = values;
}

size_t store_peak_values(const store *st) { return st->peak_values; }

/* Every stored replication r of [lo, hi) of a run, in order, verified: row(ctx, r - lo,
 * its view).  What the chunk readers share. */
static int scan_range(store *st, int64_t run_id, const metric_set *ms, size_t lo, size_t hi,
                      void (*row)(void *ctx, size_t i, const rep_view *v), void *ctx) {
  sqlite3_stmt *s = store__stmt(st, S_REP_RANGE);
  int rc, err = 0;
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_int64(s, 2, (int64_t)lo);
  sqlite3_bind_int64(s, 3, (int64_t)hi);
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    int64_t r; /* lo <= r < hi by the query */
    rep_view v;
    if ((err = store__rep_read(st, s, 0, run_id, ms->n, &r, &v)))
      break;
    row(ctx, (size_t)(r - (int64_t)lo), &v);
  }
  store__reset(s);
  if (!err && rc != SQLITE_DONE)
    err = store__fail(st, rc, "cannot read the values of run %lld", (long long)run_id);
  return err;
}

typedef struct columns_out {
  size_t first, count, nseries;
  const size_t *series;
  double *vals;
} columns_out;

static void columns_row(void *ctx, size_t i, const rep_view *v) {
  const columns_out *o = ctx;
  store__rep_values(v, o->first, o->count, o->series, o->nseries, o->vals + i * o->count);
}

int store_columns_chunk(store *st, int64_t run_id, const metric_set *ms, size_t first,
                        size_t count, size_t lo, size_t hi, double *vals) {
  if (first + count > ms->n)
    return store__fail(st, SQLITE_OK, "no metrics %zu..%zu in the registry", first,
                       first + count - 1);
  note_peak(st, (hi - lo) * count);
  size_t nseries = 0, *series = malloc((count ? count : 1) * sizeof *series);
  if (!series) {
    store__fail(st, SQLITE_OK, "no memory to read run %lld", (long long)run_id);
    return ERR_NOMEM;
  }
  for (size_t k = first; k < first + count; k++)
    if (ms->def[k].flags & METRIC_SERIES)
      series[nseries++] = k;
  for (size_t i = 0; i < (hi - lo) * count; i++)
    vals[i] = NAN;
  columns_out o = {first, count, nseries, series, vals};
  int err = scan_range(st, run_id, ms, lo, hi, columns_row, &o);
  free(series);
  return err;
}

typedef struct metrics_out {
  const metric_set *ms;
  const int *metric;
  size_t nmetric;
  double *vals;
} metrics_out;

static void metrics_row(void *ctx, size_t i, const rep_view *v) {
  const metrics_out *o = ctx;
  double *row = o->vals + i * o->nmetric;
  for (size_t c = 0; c < o->nmetric; c++)
    row[c] = store__rep_value(v, o->ms, (size_t)o->metric[c]);
}

int store_metrics_chunk(store *st, int64_t run_id, const metric_set *ms, const int *metric,
                        size_t nmetric, size_t lo, size_t hi, double *vals) {
  for (size_t c = 0; c < nmetric; c++)
    if (metric[c] < 0 || (size_t)metric[c] >= ms->n)
      return store__fail(st, SQLITE_OK, "no metric %d in the registry", metric[c]);
  note_peak(st, (hi - lo) * nmetric);
  for (size_t i = 0; i < (hi - lo) * nmetric; i++)
    vals[i] = NAN;
  metrics_out o = {ms, metric, nmetric, vals};
  return scan_range(st, run_id, ms, lo, hi, metrics_row, &o);
}

int store_values_chunk(store *st, int64_t run_id, const metric_set *ms, size_t lo,
                       size_t hi, double *vals) {
  return store_columns_chunk(st, run_id, ms, 0, ms->n, lo, hi, vals);
}

int store_metric_values(store *st, int64_t run_id, const metric_set *ms, int metric,
                        double *vals, size_t n) {
  if (metric < 0 || (size_t)metric >= ms->n)
    return store__fail(st, SQLITE_OK, "no metric %d in the registry", metric);
  /* Readers ask for every metric in turn (summaries, reports): one scan of the run
   * serves them all while it fits the cache; past that, a scan per metric. */
  const size_t m = ms->n;
  note_peak(st, n);
  int cached = st->cache && st->cache_run == run_id && st->cache_m == m && st->cache_n >= n;
  if (!cached && n > 0 && n <= STORE__CACHE_BYTES / sizeof(double) / m) {
    double *c = malloc(n * m * sizeof *c);
    note_peak(st, n * m);
    if (!c) {
      store__fail(st, SQLITE_OK, "no memory to read run %lld", (long long)run_id);
      return ERR_NOMEM;
    }
    int err = read_values(st, run_id, ms, NULL, m, c, n);
    if (err) {
      free(c);
      return err;
    }
    store__cache_drop(st);
    st->cache = c, st->cache_run = run_id, st->cache_n = n, st->cache_m = m;
    cached = 1;
  }
  if (!cached)
    return read_values(st, run_id, ms, &metric, 1, vals, n);
  for (size_t r = 0; r < n; r++)
    vals[r] = st->cache[r * m + (size_t)metric];
  return 0;
}

int store_run_latest(store *st, int64_t *run_id) {
  sqlite3_stmt *s = store__stmt(st, S_RUN_LATEST);
  int err = 0;
  *run_id = 0;
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
    *run_id = sqlite3_column_int64(s, 0);
  else if (rc == SQLITE_ROW)
    err = ERR_NOTFOUND;
  else
    err = store__fail(st, rc, "cannot read the runs");
  store__reset(s);
  return err;
}

static void copy_column(char *dst, size_t size, sqlite3_stmt *s, int col) {
  const unsigned char *t = sqlite3_column_text(s, col);
  snprintf(dst, size, "%s", t ? (const char *)t : "");
}

int store_run_read(store *st, int64_t run_id, store_run_row *out) {
  sqlite3_stmt *s = store__stmt(st, S_RUN_READ);
  int err = 0;
  memset(out, 0, sizeof *out);
  sqlite3_bind_int64(s, 1, run_id);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    out->id = sqlite3_column_int64(s, 0);
    copy_column(out->scenario_name, sizeof out->scenario_name, s, 1);
    copy_column(out->scenario_hash, sizeof out->scenario_hash, s, 2);
    copy_column(out->scenario_path, sizeof out->scenario_path, s, 3);
    out->seed = (uint64_t)sqlite3_column_int64(s, 4);
    copy_column(out->version, sizeof out->version, s, 5);
    copy_column(out->options, sizeof out->options, s, 6);
    out->replications_planned = sqlite3_column_int(s, 7);
    out->replications_done = sqlite3_column_int(s, 8);
    copy_column(out->created_at, sizeof out->created_at, s, 9);
    copy_column(out->finished_at, sizeof out->finished_at, s, 10);
    out->wall_s = sqlite3_column_double(s, 11);
  } else if (rc == SQLITE_DONE) {
    err = ERR_NOTFOUND;
  } else {
    err = store__fail(st, rc, "cannot read run %lld", (long long)run_id);
  }
  store__reset(s);
  return err;
}

int store_metric_defs(store *st, int64_t run_id, metric_set *ms) {
  sqlite3_stmt *s = store__stmt(st, S_DEF_READ);
  int err = 0, rc;
  metric_set_init(ms);
  sqlite3_bind_int64(s, 1, run_id);
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    int m = metric_define(ms, (const char *)sqlite3_column_text(s, 0),
                          (const char *)sqlite3_column_text(s, 1),
                          (const char *)sqlite3_column_text(s, 2),
                          (unsigned)sqlite3_column_int64(s, 4),
                          (const char *)sqlite3_column_text(s, 3));
    if (m < 0) {
      err = m;
      break;
    }
  }
  if (!err && rc != SQLITE_DONE)
    err = store__fail(st, rc, "cannot read the metrics of run %lld", (long long)run_id);
  store__reset(s);
  return err;
}

/* Every point of series `metric` of the current rows of s, in order, to fn. */
static int series_scan(store *st, sqlite3_stmt *s, int64_t run_id, int metric,
                       int (*fn)(void *ctx, int replication, double t, double value),
                       void *ctx) {
  int rc = SQLITE_DONE, err = 0;
  while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    int64_t r64;
    rep_view v;
    if ((err = store__rep_read(st, s, 0, run_id, SIZE_MAX, &r64, &v)))
      break;
    int r = (int)r64;
    size_t first = 0;
    for (size_t i = 0; i < v.nseries && !err; i++) {
      size_t k, np;
      double t, value;
      store__rep_dir(&v, i, &k, &np);
      for (size_t j = 0; k == (size_t)metric && j < np && !err; j++) {
        store__rep_point(&v, first + j, &t, &value);
        err = fn(ctx, r, t, value);
      }
      first += np;
    }
  }
  if (!err && rc != SQLITE_DONE)
    err = store__fail(st, rc, "cannot read series %d of run %lld", metric,
                      (long long)run_id);
  store__reset(s);
  return err;
}

int store_series_each(store *st, int64_t run_id, int metric, size_t n,
                      int (*fn)(void *ctx, int replication, double t, double value),
                      void *ctx) {
  /* Not REP_DATA, so that fn may read the run's values while this scan is open. */
  sqlite3_stmt *s = store__stmt(st, S_SERIES_SCAN);
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_int64(s, 2, (int64_t)n);
  return series_scan(st, s, run_id, metric, fn, ctx);
}

int store_series_range(store *st, int64_t run_id, int metric, size_t lo, size_t hi,
                       int (*fn)(void *ctx, int replication, double t, double value),
                       void *ctx) {
  sqlite3_stmt *s = store__stmt(st, S_SERIES_RANGE);
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_int64(s, 2, (int64_t)lo);
  sqlite3_bind_int64(s, 3, (int64_t)hi);
  return series_scan(st, s, run_id, metric, fn, ctx);
}

