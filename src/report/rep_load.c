/* rep_load.c - read one run back from the store: values, summaries, series bands and
 * the documents the report draws. */
#include "rep_internal.h"

#include <jansson.h>
#include <math.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

#define REP_MAX_SECTIONS 64

void rep_run_free(rep_run *r) {
  if (!r)
    return;
  for (size_t m = 0; r->sample && m < r->ms.n; m++)
    free(r->sample[m]);
  free(r->sample);
  free(r->nsample);
  free(r->integral);
  free(r->summary);
  for (size_t i = 0; i < r->nband; i++) {
    free(r->band[i].t);
    free(r->band[i].mean);
    free(r->band[i].p5);
    free(r->band[i].p95);
    free(r->band[i].max);
    free(r->band[i].over);
  }
  free(r->band);
  free(r->scenario_doc);
  free(r->theater_doc);
  free(r->sync_doc);
  free(r->tree_doc);
  free(r->findings_doc);
  free(r->compare_doc);
  free(r->objectives_doc);
  for (size_t i = 0; i < r->nsection; i++)
    free(r->section_doc[i]);
  free(r->section_doc);
  for (size_t i = 0; i < r->nlayer; i++)
    free(r->layer_doc[i]);
  free(r->layer_doc);
  metric_set_release(&r->ms);
  free(r);
}

/* The number at "key" of a stored document (parsed by jansson), NaN when absent. */
static double doc_number(const char *json, const char *key) {
  json_t *doc = json ? json_loads(json, 0, NULL) : NULL;
  json_t *v = json_object_get(doc, key);
  double x = json_is_number(v) ? json_number_value(v) : NAN;
  json_decref(doc);
  return x;
}

/* "bbox": [w, s, e, n] of the theater document; NaN where absent. */
static void doc_bbox(const char *json, double *bbox) {
  json_t *doc = json ? json_loads(json, 0, NULL) : NULL;
  json_t *box = json_object_get(doc, "bbox");
  for (size_t i = 0; i < 4; i++) {
    json_t *v = json_array_get(box, i);
    bbox[i] = json_is_number(v) ? json_number_value(v) : NAN;
  }
  json_decref(doc);
}

int rep_doc_true(const char *json, const char *key) {
  json_t *doc = json ? json_loads(json, 0, NULL) : NULL;
  int yes = json_is_true(json_object_get(doc, key));
  json_decref(doc);
  return yes;
}

static int get_doc(store *st, int64_t run, const char *name, char **out) {
  int err = store_doc_get(st, run, name, out);
  return err == ERR_NOTFOUND ? 0 : err;
}

/* ---- series bands: each replication's step function sampled on a grid --------
 * A band is read one scan of the store's series at a time, the other series skipped
 * undecoded.  (A scan that filled two bands, decoding every series' points, took 27%
 * more instructions than two that skip: callgrind, the JSON export of 1,000
 * replications of the default scenario.)  Its grid points are the columns of one
 * stats_summarize_stream, independent and summed in replication order. */

typedef struct band_group {
  store *st;
  int64_t run_id;
  int metric;
  const double *grid; /* [ng] times */
  size_t ng;
  double *v;          /* rows [lo, hi) being filled */
  size_t lo;
  int rep;            /* replication being filled, -1 before the first */
  size_t g;           /* next grid point of rep to fill */
  double value;       /* rep's value so far */
} band_group;

/* Grid points before t take the value held before t. */
static void fill_until(band_group *G, double t) {
  if (G->rep < 0)
    return;
  double *row = G->v + ((size_t)G->rep - G->lo) * G->ng;
  while (G->g < G->ng && G->grid[G->g] < t)
    row[G->g++] = G->value;
}

static int band_point(void *ctx, int rep, double t, double value) {
  band_group *G = ctx;
  if (rep != G->rep) {
    fill_until(G, INFINITY);
    G->rep = rep;
    G->g = 0;
    G->value = NAN;
  }
  fill_until(G, t);
  G->value = value;
  return 0;
}

/* stats_fill_fn: replications [lo, hi), each a row of its step function on the grid,
 * NaN before a replication's first point. */
static int band_rows(void *ctx, size_t lo, size_t hi, double *vals) {
  band_group *G = ctx;
  for (size_t i = 0; i < (hi - lo) * G->ng; i++)
    vals[i] = NAN;
  G->v = vals, G->lo = lo, G->rep = -1;
  int err = store_series_range(G->st, G->run_id, G->metric, lo, hi, band_point, G);
  fill_until(G, INFINITY);
  return err;
}

/* Count, per column, the rows above its p95 into over (a chunk of rows at a time). */
static void count_over(double *over, const stats_summary *s, const double *vals,
                       size_t nval, size_t ncol) {
  for (size_t i = 0; i < nval; i++)
    over[i % ncol] += vals[i] > s[i % ncol].p95; /* NaN compares false */
}

/* stats_fill_fn over rows already read: replications [lo, hi) of [nrep][ncol]. */
typedef struct held_rows {
  const double *v;
  size_t ncol;
} held_rows;

static int held_fill(void *ctx, size_t lo, size_t hi, double *vals) {
  const held_rows *h = ctx;
  memcpy(vals, h->v + lo * h->ncol, (hi - lo) * h->ncol * sizeof *vals);
  return 0;
}

/* ---- the rows of a group kept run-length encoded between passes ----------------
 * A step function sampled on the grid repeats itself: a row of a band is a few runs
 * of equal values.  The first pass over the store keeps each row as (value, length)
 * runs, and, if they fit REP_ROWS_CACHE_BYTES, every later pass (the summary's
 * selection, the share above p95) decodes them instead of scanning the store again.
 * Runs compare bit patterns, so decoding gives back the same bits. */

#define REP_ROWS_CACHE_BYTES ((size_t)4 << 20)

typedef struct row_cache {
  stats_fill_fn fill; /* the store's rows */
  void *ctx;
  size_t ncol, nrow;
  size_t next;        /* rows [0, next) are encoded */
  int overflow;       /* they did not fit: every pass reads the store */
  uint32_t *start;    /* [nrow + 1] first run of each row */
  double *value;      /* [cap] a run's value */
  uint8_t *len;       /* [cap] its length (a run is at most 255 columns) */
  size_t nrun, cap;
} row_cache;

static void cache_release(row_cache *c) {
  free(c->start);
  free(c->value);
  free(c->len);
}

/* A new run of x; 1 (and overflow set) when the cache is full. */
static int cache_put(row_cache *c, double x) {
  if (c->nrun == c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 4096;
    if (cap * (sizeof *c->value + sizeof *c->len) > REP_ROWS_CACHE_BYTES)
      return c->overflow = 1;
    double *v = realloc(c->value, cap * sizeof *v);
    if (v) c->value = v;
    uint8_t *l = v ? realloc(c->len, cap * sizeof *l) : NULL;
    if (l) c->len = l;
    if (!v || !l)
      return c->overflow = 1;
    c->cap = cap;
  }
  c->value[c->nrun] = x;
  c->len[c->nrun] = 1;
  c->nrun++;
  return 0;
}

/* Rows [lo, hi) of vals appended to the cache (lo == c->next). */
static void cache_encode(row_cache *c, const double *vals, size_t lo, size_t hi) {
  for (size_t r = lo; r < hi && !c->overflow; r++) {
    const double *row = vals + (r - lo) * c->ncol;
    c->start[r] = (uint32_t)c->nrun;
    for (size_t k = 0; k < c->ncol && !c->overflow; k++) {
      size_t last = c->nrun - 1;
      if (k > 0 && c->len[last] < 255 && memcmp(&c->value[last], &row[k], sizeof *row) == 0)
        c->len[last]++;
      else if (cache_put(c, row[k]))
        break;
    }
    if (c->nrun > UINT32_MAX - 256)
      c->overflow = 1;
  }
  if (!c->overflow) {
    c->next = hi;
    c->start[hi] = (uint32_t)c->nrun;
  }
}

static int cached_fill(void *ctx, size_t lo, size_t hi, double *vals) {
  row_cache *c = ctx;
  if (!c->overflow && c->next == c->nrow) {
    for (size_t r = lo; r < hi; r++) {
      double *row = vals + (r - lo) * c->ncol;
      for (uint32_t i = c->start[r]; i < c->start[r + 1]; i++)
        for (uint8_t k = 0; k < c->len[i]; k++)
          *row++ = c->value[i];
    }
    return 0;
  }
  int err = c->fill(c->ctx, lo, hi, vals);
  if (!err && !c->overflow && lo == c->next)
    cache_encode(c, vals, lo, hi);
  return err;
}

/* The heavy tail the chart explains: a second pass over the rows. */
static int share_above_p95(row_cache *c, size_t nrep, const stats_summary *s, double *over) {
  size_t ncol = c->ncol, rows = STATS_STREAM_CHUNK / ncol ? STATS_STREAM_CHUNK / ncol : 1;
  double *vals = malloc(rows * ncol * sizeof *vals);
  if (!vals) return ERR_NOMEM;
  int err = 0;
  for (size_t lo = 0; lo < nrep && !err; lo += rows) {
    size_t hi = lo + rows < nrep ? lo + rows : nrep;
    if (!(err = cached_fill(c, lo, hi, vals)))
      count_over(over, s, vals, (hi - lo) * ncol, ncol);
  }
  free(vals);
  return err;
}

/* The band's statistics and shares above p95 (over[ncol], zeroed): from rows read
 * once when they fit one chunk (the same values in the same order, so the same bits as
 * the two passes), else rows read from the store once and kept run-length encoded for the later
 * passes (or, past the cache, a scan of the store each). */
static int band_stats(band_group *G, size_t nrep, const stats_kind *kind, stats_summary *s,
                      double *over) {
  const size_t ncol = G->ng;
  if (nrep * ncol > STATS_STREAM_CHUNK) {
    row_cache c = {band_rows, G, ncol, nrep, 0, 0, calloc(nrep + 1, sizeof(uint32_t)),
                   NULL, NULL, 0, 0};
    c.overflow = !c.start;
    int err = stats_summarize_stream(s, ncol, kind, nrep, cached_fill, &c);
    if (!err) err = share_above_p95(&c, nrep, s, over);
    cache_release(&c);
    return err;
  }
  double *rows = malloc(nrep * ncol * sizeof *rows);
  if (!rows) return ERR_NOMEM;
  int err = band_rows(G, 0, nrep, rows);
  held_rows h = {rows, ncol};
  if (!err) err = stats_summarize_stream(s, ncol, kind, nrep, held_fill, &h);
  if (!err) count_over(over, s, rows, nrep * ncol, ncol);
  free(rows);
  return err;
}

static int band_alloc(rep_band *b, int metric, size_t ng, size_t nrep, double horizon) {
  memset(b, 0, sizeof *b);
  b->metric = metric;
  b->n = ng;
  b->nrep = nrep;
  b->t = malloc(ng * sizeof *b->t);
  b->mean = malloc(ng * sizeof *b->mean);
  b->p5 = malloc(ng * sizeof *b->p5);
  b->p95 = malloc(ng * sizeof *b->p95);
  b->max = malloc(ng * sizeof *b->max);
  b->over = malloc(ng * sizeof *b->over);
  if (!b->t || !b->mean || !b->p5 || !b->p95 || !b->max || !b->over)
    return ERR_NOMEM;
  for (size_t g = 0; g < ng; g++)
    b->t[g] = horizon * (double)g / (double)(ng - 1);
  return 0;
}

/* One band from its scans of the store. */
static int load_band(rep_band *band, int metric, store *st, const rep_run *r, double horizon) {
  const size_t ng = REP_SERIES_POINTS;
  const size_t nrep = r->nrep < REP_BAND_MAX_REPS ? r->nrep : REP_BAND_MAX_REPS;
  stats_summary *s = malloc(ng * sizeof *s);
  stats_kind *kind = malloc(ng * sizeof *kind);
  double *over = calloc(ng, sizeof *over);
  int err = s && kind && over ? 0 : ERR_NOMEM;
  if (!err)
    err = band_alloc(band, metric, ng, nrep, horizon);
  for (size_t g = 0; !err && g < ng; g++)
    kind[g] = metric_stats_kind(r->ms.def[metric].flags);
  band_group G = {st, r->run.id, metric, band->t, ng, NULL, 0, -1, 0, NAN};
  if (!err)
    err = band_stats(&G, nrep, kind, s, over);
  for (size_t g = 0; !err && g < ng; g++) {
    band->mean[g] = s[g].n ? s[g].mean : NAN;
    band->p5[g] = s[g].n ? s[g].p5 : NAN;
    band->p95[g] = s[g].n ? s[g].p95 : NAN;
    band->max[g] = s[g].n ? s[g].max : NAN;
    band->over[g] = s[g].n ? over[g] / (double)s[g].n : NAN;
  }
  free(s);
  free(kind);
  free(over);
  return err;
}

/* ---- the bands over threads ---------------------------------------------------
 * Threads take the bands in turn, each on its own connection to the store's file.
 * A band is computed by one thread from start to end, so the numbers do not depend
 * on how many there are. */

#define REP_MAX_THREADS 8

typedef struct band_job {
  rep_run *r;
  const int *metric; /* [r->nband] */
  double horizon;
  pthread_mutex_t lock;
  size_t next;       /* the next band to take (guarded by lock) */
  int failed;        /* a band failed: take no more (guarded by lock) */
} band_job;

typedef struct band_worker {
  band_job *job;
  store *st;
  int err;
  char msg[512]; /* the store's message when err is the store's */
} band_worker;

static void *band_worker_main(void *arg) {
  band_worker *w = arg;
  band_job *job = w->job;
  rep_run *r = job->r;
  while (!w->err) {
    pthread_mutex_lock(&job->lock);
    size_t i = job->failed ? r->nband : job->next++;
    pthread_mutex_unlock(&job->lock);
    if (i >= r->nband)
      break;
    w->err = load_band(&r->band[i], job->metric[i], w->st, r, job->horizon);
  }
  if (w->err) {
    snprintf(w->msg, sizeof w->msg, "%s", store_errmsg(w->st));
    pthread_mutex_lock(&job->lock);
    job->failed = 1;
    pthread_mutex_unlock(&job->lock);
  }
  return NULL;
}

static int online_cpus(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
}

/* Every band (r->band[0, r->nband) for the series metrics in order), on up to
 * `threads` threads; a thread whose connection cannot be opened is not started (the
 * others do its share).  On failure, the store's message in msg. */
static int load_bands(rep_run *r, store *st, const int *metric, double horizon, int threads,
                      char *msg, size_t size) {
  band_job job = {r, metric, horizon, PTHREAD_MUTEX_INITIALIZER, 0, 0};
  band_worker w[REP_MAX_THREADS] = {{0}};
  pthread_t th[REP_MAX_THREADS];
  int started[REP_MAX_THREADS] = {0};

  if (threads <= 0)
    threads = online_cpus();
  if (threads > REP_MAX_THREADS)
    threads = REP_MAX_THREADS;
  if ((size_t)threads > r->nband)
    threads = (int)r->nband;
#ifdef __GLIBC__
  /* The same before: what the run's summary, documents and objectives freed (tens of
   * MB at 50,000 replications) is still resident, and the other threads allocate in
   * arenas of their own, not in it. */
  if (threads > 1)
    malloc_trim(0);
#endif
  w[0] = (band_worker){&job, st, 0, ""};
  for (int k = 1; k < threads; k++) {
    w[k] = (band_worker){&job, NULL, 0, ""};
    if (store_open_reader(&w[k].st, st) == 0)
      started[k] = pthread_create(&th[k], NULL, band_worker_main, &w[k]) == 0;
  }
  band_worker_main(&w[0]);
  int err = 0;
  for (int k = 0; k < threads; k++) {
    if (started[k])
      pthread_join(th[k], NULL);
    if (k > 0)
      store_close(w[k].st);
    if (w[k].err && !err) {
      err = w[k].err;
      snprintf(msg, size, "%s", w[k].msg);
    }
  }
  pthread_mutex_destroy(&job.lock);
#ifdef __GLIBC__
  /* What the other threads freed stays in their own malloc arenas: hand it back now,
   * or the page written next (tens of MB at 50,000 replications) comes on top of it and
   * a long run's peak grows by a band thread's working set (issue 22's 1.3x). */
  if (threads > 1)
    malloc_trim(0);
#endif
  return err;
}

/* ---- the metrics: summaries in passes over the store, then the samples -------- */

static int load_summaries(rep_run *r, store *st) {
  stats_kind *kind = malloc((r->ms.n ? r->ms.n : 1) * sizeof *kind);
  if (!kind)
    return ERR_NOMEM;
  for (size_t m = 0; m < r->ms.n; m++)
    kind[m] = metric_stats_kind(r->ms.def[m].flags);
  int err = r->ms.n ? store_summarize(st, r->run.id, &r->ms, r->nrep, kind, r->summary) : 0;
  free(kind);
  return err;
}

/* One more pass: which metrics are whole numbers, and the histograms' first values. */
static int load_samples(rep_run *r, store *st) {
  const size_t nm = r->ms.n;
  size_t rows = nm && STATS_STREAM_CHUNK / nm ? STATS_STREAM_CHUNK / nm : 1;
  rows = rows < r->nrep ? rows : r->nrep ? r->nrep : 1; /* a small run: no more than it needs */
  double *vals = malloc(rows * (nm ? nm : 1) * sizeof *vals);
  store_ahead *ahead = NULL;
  int err = vals && !store_ahead_open(&ahead, st, r->run.id, &r->ms, r->nrep, rows) ? 0 : ERR_NOMEM;
  for (size_t m = 0; m < nm && !err; m++) {
    r->integral[m] = 1;
    if (rep__histogram(r, m) &&
        !(r->sample[m] = malloc(REP_MAX_VALUES * sizeof **r->sample)))
      err = ERR_NOMEM;
  }
  for (size_t lo = 0; lo < r->nrep && !err; lo += rows) {
    size_t hi = r->nrep - lo < rows ? r->nrep : lo + rows;
    if ((err = store_ahead_fill(ahead, lo, hi, vals)))
      break;
    for (size_t k = 0; k < (hi - lo) * nm; k++) {
      size_t m = k % nm;
      double x = vals[k];
      if (isnan(x))
        continue;
      r->integral[m] = r->integral[m] && x == floor(x);
      if (r->sample[m] && r->nsample[m] < REP_MAX_VALUES)
        r->sample[m][r->nsample[m]++] = x;
    }
  }
  store_ahead_close(ahead);
  free(vals);
  return err;
}

/* ---- the whole run ------------------------------------------------------------ */

static int add_section(void *ctx, const char *name, const char *body) {
  rep_run *r = ctx;
  (void)name;
  if (r->nsection == REP_MAX_SECTIONS)
    return 0; /* more are not shown */
  if (!(r->section_doc[r->nsection] = strdup(body)))
    return ERR_NOMEM;
  r->nsection++;
  return 0;
}

static int add_layer(void *ctx, const char *name, const char *body) {
  rep_run *r = ctx;
  (void)name;
  if (r->nlayer == REP_MAX_SECTIONS)
    return 0;
  if (!(r->layer_doc[r->nlayer] = strdup(body)))
    return ERR_NOMEM;
  r->nlayer++;
  return 0;
}

static int load_sections(rep_run *r, store *st) {
  r->section_doc = calloc(REP_MAX_SECTIONS, sizeof *r->section_doc);
  r->layer_doc = calloc(REP_MAX_SECTIONS, sizeof *r->layer_doc);
  if (!r->section_doc || !r->layer_doc)
    return ERR_NOMEM;
  int err = store_doc_each(st, r->run.id, "report.section.", add_section, r);
  return err ? err : store_doc_each(st, r->run.id, "map.layer.", add_layer, r);
}

int rep_run_load(rep_run **out, store *st, int64_t run_id, diag *d) {
  rep_load_options opt = {0};
  return rep_run_load_with(out, st, run_id, &opt, d);
}

/* The summaries the caller has (the run just summarised them), if they are this run's:
 * the same registry size and replications (the same function of the same values). */
static int given_summaries(rep_run *r, const rep_load_options *opt) {
  if (!opt->summary || opt->nmetrics != r->ms.n || opt->nrep != r->nrep || opt->run_id != r->run.id)
    return 0;
  memcpy(r->summary, opt->summary, r->ms.n * sizeof *r->summary);
  return 1;
}

int rep_run_load_with(rep_run **out, store *st, int64_t run_id, const rep_load_options *opt,
                      diag *d) {
  const int threads = opt->threads;
  rep_run *r = calloc(1, sizeof *r);
  int err = ERR_NOMEM;
  *out = NULL;
  if (!r)
    goto done;
  metric_set_init(&r->ms);
  if (run_id <= 0 && (err = store_run_latest(st, &run_id))) {
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "the results store holds no run");
    goto done;
  }
  if ((err = store_run_read(st, run_id, &r->run))) {
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "no run %lld in the results store",
                (long long)run_id);
    goto done;
  }
  metric_set_release(&r->ms);
  if ((err = store_metric_defs(st, run_id, &r->ms)))
    goto fail_store;
  r->nrep = r->run.replications_done > 0 ? (size_t)r->run.replications_done : 0;
  err = ERR_NOMEM;
  r->sample = calloc(r->ms.n ? r->ms.n : 1, sizeof *r->sample);
  r->nsample = calloc(r->ms.n ? r->ms.n : 1, sizeof *r->nsample);
  r->integral = calloc(r->ms.n ? r->ms.n : 1, sizeof *r->integral);
  r->summary = calloc(r->ms.n ? r->ms.n : 1, sizeof *r->summary);
  if (!r->sample || !r->nsample || !r->integral || !r->summary)
    goto done;
  if (!given_summaries(r, opt) && (err = load_summaries(r, st)))
    goto fail_store;
  if ((err = get_doc(st, run_id, "scenario", &r->scenario_doc)) ||
      (err = get_doc(st, run_id, "theater", &r->theater_doc)) ||
      (err = get_doc(st, run_id, "plan.sync", &r->sync_doc)) ||
      (err = get_doc(st, run_id, "crisis.tree", &r->tree_doc)) ||
      (err = get_doc(st, run_id, "plan.findings", &r->findings_doc)) ||
      (err = get_doc(st, run_id, "compare", &r->compare_doc)) ||
      (err = get_doc(st, run_id, "objectives", &r->objectives_doc)) ||
      (err = load_sections(r, st)))
    goto fail_store;
  r->horizon = doc_number(r->scenario_doc, "horizon_s");
  doc_bbox(r->theater_doc, r->bbox);

  /* Bands need a horizon; without the scenario document, the last point seen. */
  size_t nseries = 0;
  for (size_t m = 0; m < r->ms.n; m++)
    nseries += (r->ms.def[m].flags & METRIC_SERIES) != 0;
  if (nseries && r->nrep) {
    err = ERR_NOMEM;
    int *metric = malloc(nseries * sizeof *metric);
    if (!metric || !(r->band = calloc(nseries, sizeof *r->band))) {
      free(metric);
      goto done;
    }
    for (size_t m = 0; m < r->ms.n; m++)
      if (r->ms.def[m].flags & METRIC_SERIES)
        metric[r->nband++] = (int)m;
    double h = r->horizon > 0 ? r->horizon : 30 * 86400.0;
    char msg[512] = "";
    err = load_bands(r, st, metric, h, threads, msg, sizeof msg);
    free(metric);
    if (err == ERR_NOMEM)
      goto done;
    if (err) {
      diag_report(d, DIAG_ERROR, NULL, 0, 0, "%s", msg);
      goto done;
    }
  }
  /* The histograms' values after the bands, not before: up to 5,000 a metric (20 MB
   * of the default scenario's at 50,000 replications), which need not be resident
   * while the band threads hold their own working sets. */
  if ((err = load_samples(r, st)))
    goto fail_store;
  err = 0;
  goto done;
fail_store:
  if (err != ERR_NOMEM && err != ERR_NOTFOUND)
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "%s", store_errmsg(st));
done:
  if (err == ERR_NOMEM)
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "out of memory reading the results store");
  if (err) {
    rep_run_free(r);
    return err;
  }
  *out = r;
  return 0;
}
