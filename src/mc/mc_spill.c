/* mc_spill.c - spillover curves, paths and conditional means read back from the store. */
#include "mc_spill.h"
#include "ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "stats.h"
#include "strbuf.h"

void mc_wilson(double k, double n, double z, double *lo, double *hi) {
  if (n <= 0) {
    *lo = 0, *hi = 1;
    return;
  }
  double p = k / n, z2 = z * z, den = 1 + z2 / n;
  double mid = (p + z2 / (2 * n)) / den;
  double half = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / den;
  *lo = fmax(0, mid - half), *hi = fmin(1, mid + half);
}

void mc_spill_curve(const double *time, size_t n, size_t nrep, const double *grid, size_t ng,
                    double z, double *p, double *lo, double *hi) {
  for (size_t g = 0; g < ng; g++) {
    double k = 0;
    for (size_t i = 0; i < n; i++) k += time[i] <= grid[g];
    p[g] = nrep ? k / (double)nrep : NAN;
    mc_wilson(k, (double)nrep, z, &lo[g], &hi[g]);
  }
}

/* ---- paths --------------------------------------------------------------------- */

/* The words of rep_verdict_name (report/), which mc/ may not include. */
const char *mc_spill_verdict(const mc_spill *s, const mc_spill_split *sp) {
  if (isnan(sp->half_diff) || !(fabs(sp->diff) > sp->half_diff))
    return "no significant difference";
  int m = metric_find(&s->ms, sp->module, sp->name);
  int dir = m < 0 ? 0 : metric_direction(s->ms.def[m].flags);
  return !dir ? "differs" : dir * sp->diff > 0 ? "better" : "worse";
}

static int path_cmp(const void *a, const void *b) {
  const mc_spill_path *x = a, *y = b;
  if (x->count != y->count) return y->count - x->count;
  return strcmp(x->text, y->text);
}

static int ends_with_time(const char *s) {
  size_t n = strlen(s);
  return n > 5 && strcmp(s + n - 5, ".time") == 0;
}

/* The metric's id part: "quarantine.time" -> "quarantine" (into buf). */
static const char *id_of(const char *name, char *buf, size_t size) {
  size_t len = strlen(name) - (ends_with_time(name) ? 5 : 0);
  if (len >= size) len = size - 1;
  memcpy(buf, name, len);
  buf[len] = 0;
  return buf;
}

/* One replication's points of spillover.sequence, as the scan gives them (in time
 * order), and what its paths are counted into. */
typedef struct path_scan {
  mc_spill *s;
  int rep;                        /* the replication whose points are held; -1: none */
  size_t npt, cap;
  struct { double t, value; } *pt; /* grown by doubling (outside any event loop) */
  size_t *cur;                    /* [nterr + 1]: each territory's next reached[] entry */
  strbuf text;
} path_scan;

static int path_text_cmp(const void *key, const void *elem) {
  return strcmp(key, ((const mc_spill_path *)elem)->text);
}

/* Count one more replication with path text to territory k (the list kept in text
 * order while counting: a binary search, and an insertion for a new path). */
static int count_path(struct mc_spill_paths *p, const char *text) {
  size_t lo = 0, hi = p->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = path_text_cmp(text, &p->path[mid]);
    if (c == 0) return p->path[mid].count++, 0;
    if (c < 0) hi = mid;
    else lo = mid + 1;
  }
  if (p->n == p->cap) {
    size_t cap = p->cap ? 2 * p->cap : 16;
    mc_spill_path *g = realloc(p->path, cap * sizeof *g);
    if (!g) return ERR_NOMEM;
    p->path = g, p->cap = cap;
  }
  char *copy = strdup(text);
  if (!copy) return ERR_NOMEM;
  memmove(&p->path[lo + 1], &p->path[lo], (p->n - lo) * sizeof *p->path);
  p->path[lo] = (mc_spill_path){copy, 1, 0};
  p->n++;
  return 0;
}

/* Territory k's replications before rep that reached it without a point of the
 * sequence at all: "(no event)" each (the scan never saw them). */
static int count_silent(path_scan *a, size_t k, size_t rep) {
  const mc_spill_reached *l = &a->s->reached[k];
  int rc = 0;
  for (; !rc && a->cur[k] < l->n && l->rep[a->cur[k]] < rep; a->cur[k]++)
    rc = count_path(&a->s->paths[k], "(no event)");
  return rc;
}

/* The held replication's path to each territory it reached: its events or levels up
 * to and including the step that first reached the territory ("(no event)" when
 * none came first).  The scan and the lists are both in replication order, so a
 * cursor a territory finds the replication's first time there. */
static int flush_rep(path_scan *a) {
  mc_spill *s = a->s;
  if (a->rep < 0) return 0;
  for (size_t k = 0; k <= s->nterr; k++) {
    const mc_spill_reached *l = &s->reached[k];
    int rc = count_silent(a, k, (size_t)a->rep);
    if (rc) return rc;
    if (a->cur[k] == l->n || l->rep[a->cur[k]] != (uint32_t)a->rep) continue;
    double first = l->time[a->cur[k]++];
    a->text.len = 0;
    for (size_t i = 0; i < a->npt && a->pt[i].t <= first; i++) {
      double value = a->pt[i].value;
      size_t m = (size_t)value;
      char id[256];
      if (value < 0 || m >= s->ms.n) snprintf(id, sizeof id, "#%g", value);
      else id_of(s->ms.def[m].name, id, sizeof id);
      strbuf_printf(&a->text, "%s%s", a->text.len ? " > " : "", id);
    }
    if (a->text.failed) return ERR_NOMEM;
    if ((rc = count_path(&s->paths[k], a->text.len ? a->text.s : "(no event)"))) return rc;
  }
  a->npt = 0;
  return 0;
}

/* One point of spillover.sequence: a new replication's first point counts the held
 * one's paths. */
static int path_point(void *ctx, int rep, double t, double value) {
  path_scan *a = ctx;
  if (rep < 0 || (size_t)rep >= a->s->nrep) return 0;
  if (rep != a->rep) {
    int rc = flush_rep(a);
    if (rc) return rc;
    a->rep = rep;
  }
  if (a->npt == a->cap) {
    size_t cap = a->cap ? 2 * a->cap : 64;
    void *g = realloc(a->pt, cap * sizeof *a->pt);
    if (!g) return ERR_NOMEM;
    a->pt = g, a->cap = cap;
  }
  a->pt[a->npt].t = t, a->pt[a->npt].value = value, a->npt++;
  return 0;
}

/* Every territory's paths in one scan of the store (one scan a territory took most of
 * the analysis's time on large runs); a replication that reached a territory with no
 * point of the sequence at all took "(no event)" there. */
static int build_paths(mc_spill *s, store *st) {
  path_scan a = {s, -1, 0, 0, NULL, calloc(s->nterr + 1, sizeof(size_t)), STRBUF_INIT};
  s->paths = calloc(s->nterr + 1, sizeof *s->paths);
  if (!a.cur || !s->paths) {
    free(a.cur);
    return ERR_NOMEM;
  }
  int seq = metric_find(&s->ms, "spillover", "sequence");
  int rc = seq >= 0 ? store_series_each(st, s->run_id, seq, s->nrep, path_point, &a) : 0;
  if (!rc) rc = flush_rep(&a);
  for (size_t k = 0; k <= s->nterr && !rc; k++) {
    if ((rc = count_silent(&a, k, SIZE_MAX))) break;
    struct mc_spill_paths *p = &s->paths[k];
    const double reached = (double)s->reached[k].n;
    for (size_t i = 0; i < p->n; i++) p->path[i].share = (double)p->path[i].count / reached;
    if (p->n) qsort(p->path, p->n, sizeof *p->path, path_cmp); /* NULL when none */
  }
  free(a.pt), free(a.cur);
  strbuf_release(&a.text);
  return rc;
}

/* Select territory t's paths (counted already). */
static void select_paths(mc_spill *s, size_t t) {
  s->path_of = t;
  s->path = s->paths ? s->paths[t].path : NULL;
  s->npath = s->paths ? s->paths[t].n : 0;
}

/* ---- conditional means ---------------------------------------------------------- */

/* The missions: what the crisis and its ladder act on, not the models that drive them
 * (ops.h: a driver's metrics, its own prefixes included, are causes, not outcomes).
 * A module the registry does not know (a store from another straits) is a mission. */
static int mission_module(const char *module) {
  const ops_module *m = ops_owner(module);
  return !m || !m->driver;
}

/* The metric over the whole run: typical size, range, 0/1 as declared (mc_spill_split). */
static void whole_run(mc_spill_split *sp, const metric_def *d, const stats_summary *su) {
  sp->typical = sp->min = sp->max = NAN;
  sp->binary = su->n > 0 && (d->flags & METRIC_BINARY);
  if (!su->n) return;
  sp->typical = fabs(su->p50) > fabs(su->mean) ? su->p50 : su->mean;
  sp->min = su->min, sp->max = su->max;
}

/* The split metrics' columns, a chunk of replications at a time, all metrics in one
 * scan (a scan per metric took minutes at 10,000 replications, issue 22). */
typedef struct split_src {
  store *st;
  int64_t run_id;
  const metric_set *ms;
  int any;             /* spillover.time's column: NaN where none spilled over */
  const int *col;
  size_t nc;
  double *buf; /* [cap rows][ms->n] */
  size_t cap;
  store_ahead *ahead;  /* split_moments' chunks, read ahead */
} split_src;

/* Rows [lo, hi) of every metric into x->buf. */
static int split_read(split_src *x, size_t lo, size_t hi) {
  if (x->cap < hi - lo) { /* once: every chunk but the last has the same rows */
    free(x->buf);
    if (!(x->buf = malloc((hi - lo) * x->ms->n * sizeof *x->buf))) return ERR_NOMEM;
    x->cap = hi - lo;
  }
  return store_ahead_fill(x->ahead, lo, hi, x->buf);
}

/* stats_fill_fn: the split metrics' values in every replication (the whole run). */
static int whole_rows(void *ctx, size_t lo, size_t hi, double *vals) {
  split_src *x = ctx;
  const size_t nm = x->ms->n;
  int err = split_read(x, lo, hi);
  for (size_t r = 0; !err && r < hi - lo; r++)
    for (size_t i = 0; i < x->nc; i++) vals[r * x->nc + i] = x->buf[r * nm + (size_t)x->col[i]];
  return err;
}

/* One half of a split metric: the replications that spilled over (yes) or not. */
typedef struct half_acc {
  size_t m;
  double sum, mean, ss;
  int binary;
} half_acc;

/* The moments of every split metric's two halves (acc[2 i]: yes, acc[2 i + 1]: no) in
 * two passes over the store: the sums, then the squared deviations from the mean,
 * each in replication order -- stats_summarize_stream's arithmetic, so the same bits.
 * Their percentiles, which a split does not show, are not selected: that took 13
 * passes over the store (callgrind, the tail of a 20,000-replication run, issue 22). */
static int split_moments(split_src *x, size_t nrep, half_acc *acc) {
  const size_t nm = x->ms->n ? x->ms->n : 1;
  size_t rows = STATS_STREAM_CHUNK / nm ? STATS_STREAM_CHUNK / nm : 1;
  int second = 0, err = 0;
  for (size_t i = 0; i < 2 * x->nc; i++) acc[i] = (half_acc){0, 0, 0, 0, 1};
  for (int pass = 0; pass < 2 && !err; pass++) {
    if (pass == 1 && !second) break; /* no half of two values: no deviations to sum */
    for (size_t lo = 0; lo < nrep && !err; lo += rows) {
      size_t hi = nrep - lo < rows ? nrep : lo + rows;
      if ((err = split_read(x, lo, hi))) break;
      for (size_t r = 0; r < hi - lo; r++) {
        const double *row = x->buf + r * nm;
        half_acc *h = acc + (isnan(row[x->any]) ? 1 : 0);
        for (size_t i = 0; i < x->nc; i++, h += 2) {
          double v = row[x->col[i]];
          if (isnan(v)) continue;
          if (pass == 0) h->m++, h->sum += v, h->binary = h->binary && (v == 0 || v == 1);
          else h->ss += (v - h->mean) * (v - h->mean);
        }
      }
    }
    for (size_t i = 0; pass == 0 && i < 2 * x->nc; i++) {
      if (acc[i].m) acc[i].mean = acc[i].sum / (double)acc[i].m;
      second = second || acc[i].m >= 2;
    }
  }
  return err;
}

/* A half's summary as stats_summarize_stream gives it: n, mean, sd and half-width
 * (its range and percentiles are not known: NaN). */
static stats_summary half_summary(const half_acc *h, stats_kind kind) {
  stats_summary o;
  o.n = h->m;
  o.mean = o.sd = o.half_width = o.ci_lo = o.ci_hi = NAN;
  o.min = o.p5 = o.p50 = o.p95 = o.max = NAN;
  if (h->m) stats__moments(&o, h->m, h->mean, h->ss, kind, h->binary);
  return o;
}

/* Headline metrics of the missions always; their other scalar metrics when every one
 * is asked for, or when the difference's 95% CI excludes 0. */
static int build_splits(mc_spill *s, store *st, unsigned flags) {
  const metric_set *ms = &s->ms;
  const size_t nm = ms->n ? ms->n : 1;
  split_src src = {st, s->run_id, ms, metric_find(ms, "spillover", "time"), NULL, 0, NULL, 0,
                   NULL};
  int *col = malloc(nm * sizeof *col);
  stats_kind *kind = calloc(nm, sizeof *kind);
  stats_summary *su = malloc(nm * sizeof *su);
  half_acc *acc = malloc(2 * nm * sizeof *acc);
  s->split = malloc((ms->n + 1) * sizeof *s->split);
  size_t rows = STATS_STREAM_CHUNK / nm ? STATS_STREAM_CHUNK / nm : 1;
  int rc = store_ahead_open(&src.ahead, st, s->run_id, ms, s->nrep, rows);
  if (rc || !col || !kind || !su || !acc || !s->split) {
    rc = ERR_NOMEM;
    goto done;
  }
  for (size_t m = 0; m < ms->n; m++) {
    const metric_def *d = &ms->def[m];
    if ((d->flags & METRIC_SERIES) || !mission_module(d->module)) continue;
    kind[src.nc] = metric_stats_kind(d->flags);
    col[src.nc++] = (int)m;
  }
  src.col = col;
  if ((rc = split_moments(&src, s->nrep, acc))) goto done;
  /* Only what is shown needs the whole run's percentiles. */
  if ((flags & MC_SPILL_SHOWN) &&
      (rc = stats_summarize_stream(su, src.nc, kind, s->nrep, whole_rows, &src)))
    goto done;
  for (size_t i = 0; i < src.nc; i++) {
    const metric_def *d = &ms->def[col[i]];
    const stats_summary sy = half_summary(&acc[2 * i], kind[i]);
    const stats_summary sn = half_summary(&acc[2 * i + 1], kind[i]);
    mc_spill_split *sp = &s->split[s->nsplit++];
    *sp = (mc_spill_split){d->module, d->name, d->unit, sy.n, sn.n,
                           sy.n ? sy.mean : NAN, sy.half_width,
                           sn.n ? sn.mean : NAN, sn.half_width,
                           sy.n > 1 ? sy.sd : NAN, sn.n > 1 ? sn.sd : NAN, NAN, NAN, 0,
                           NAN, NAN, NAN, 0};
    if (sy.n && sn.n) sp->diff = sp->mean_yes - sp->mean_no;
    if (sy.n > 1 && sn.n > 1)
      sp->half_diff = 1.96 * sqrt(sy.sd * sy.sd / (double)sy.n + sn.sd * sn.sd / (double)sn.n);
    sp->headline = (d->flags & METRIC_HEADLINE) != 0;
    int differs = fabs(sp->diff) > sp->half_diff; /* false when either is NaN */
    if (!sp->headline && !(flags & MC_SPILL_ALL_METRICS) && !differs) s->nsplit--;
    else if (flags & MC_SPILL_SHOWN) whole_run(sp, d, &su[i]);
  }
  /* Headline metrics first, each group in registry order. */
  size_t head = 0;
  for (size_t i = 0; i < s->nsplit; i++) {
    if (!s->split[i].headline) continue;
    mc_spill_split keep = s->split[i];
    memmove(&s->split[head + 1], &s->split[head], (i - head) * sizeof *s->split);
    s->split[head++] = keep;
  }
done:
  store_ahead_close(src.ahead);
  free(col), free(kind), free(su), free(acc), free(src.buf);
  return rc;
}

/* ---- reading -------------------------------------------------------------------- */

/* Append replication r, first reached at t, to l (grown by doubling; trimmed to fit
 * once read). */
static int reached_push(mc_spill_reached *l, uint32_t r, double t) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 64;
    uint32_t *rep = realloc(l->rep, cap * sizeof *rep);
    if (!rep) return ERR_NOMEM;
    l->rep = rep;
    double *time = realloc(l->time, cap * sizeof *time);
    if (!time) return ERR_NOMEM;
    l->time = time, l->cap = cap;
  }
  l->rep[l->n] = r, l->time[l->n++] = t;
  return 0;
}

/* The doubling's slack back (up to half of the list); a list that cannot shrink keeps
 * its block. */
static void reached_trim(mc_spill_reached *l) {
  if (l->n == l->cap || !l->n) return;
  uint32_t *rep = realloc(l->rep, l->n * sizeof *rep);
  if (rep) l->rep = rep;
  double *time = realloc(l->time, l->n * sizeof *time);
  if (time) l->time = time;
  if (rep && time) l->cap = l->n;
}

/* Columns col[0, nterr] of every replication into s->reached, the non-NaN values only,
 * as store_metric_values reads each, in one pass over the store a chunk at a time (a
 * column a scan was a scan per territory once a run outgrew the readers' cache; the
 * dense columns were 40 MB at a million, issue 22). */
static int read_reached(mc_spill *s, store *st, const int *col) {
  const size_t nm = s->ms.n ? s->ms.n : 1, nrep = s->nrep;
  size_t rows = STATS_STREAM_CHUNK / nm ? STATS_STREAM_CHUNK / nm : 1;
  rows = rows < nrep ? rows : nrep ? nrep : 1;
  double *v = malloc(rows * nm * sizeof *v);
  store_ahead *ahead = NULL;
  int rc = v && !store_ahead_open(&ahead, st, s->run_id, &s->ms, nrep, rows) ? 0 : ERR_NOMEM;
  for (size_t lo = 0; lo < nrep && !rc; lo += rows) {
    size_t hi = nrep - lo < rows ? nrep : lo + rows;
    if ((rc = store_ahead_fill(ahead, lo, hi, v))) break;
    for (size_t c = 0; c <= s->nterr && !rc; c++)
      for (size_t r = lo; r < hi && !rc; r++) {
        double t = v[(r - lo) * nm + (size_t)col[c]];
        if (!isnan(t)) rc = reached_push(&s->reached[c], (uint32_t)r, t);
      }
  }
  for (size_t c = 0; c <= s->nterr; c++) reached_trim(&s->reached[c]);
  store_ahead_close(ahead);
  free(v);
  return rc;
}

int mc_spill_read(mc_spill *s, store *st, int64_t run_id, unsigned flags, diag *d) {
  memset(s, 0, sizeof *s);
  metric_set_init(&s->ms);
  int rc;
  if (run_id < 0 && (rc = store_run_latest(st, &run_id))) {
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "the store holds no run");
    return rc;
  }
  store_run_row row;
  if ((rc = store_run_read(st, run_id, &row)) || (rc = store_metric_defs(st, run_id, &s->ms)))
    return rc;
  s->run_id = run_id;
  s->nrep = (size_t)row.replications_done;
  if (s->nrep > UINT32_MAX) { /* a replication is a uint32_t in the lists */
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "run %lld has too many replications (%zu)",
                (long long)run_id, s->nrep);
    return ERR_RANGE;
  }
  int first_m = metric_find(&s->ms, "spillover", "time");
  int horizon_m = metric_find(&s->ms, "spillover", "horizon");
  if (first_m < 0 || horizon_m < 0) {
    diag_report(d, DIAG_ERROR, NULL, 0, 0,
                "run %lld has no spillover metrics (its scenario names no region of kind "
                "'territory')", (long long)run_id);
    return ERR_NOTFOUND;
  }
  for (size_t m = 0; m < s->ms.n; m++)
    if (strcmp(s->ms.def[m].module, "spillover") == 0 && ends_with_time(s->ms.def[m].name) &&
        (int)m != first_m)
      s->nterr++;
  s->terr = calloc(s->nterr + 1, sizeof *s->terr);
  s->reached = calloc(s->nterr + 1, sizeof *s->reached);
  if (!s->terr || !s->reached) return ERR_NOMEM;
  int *col = malloc((s->nterr + 1) * sizeof *col);
  if (!col) return ERR_NOMEM;
  size_t t = 0;
  for (size_t m = 0; m < s->ms.n && t < s->nterr; m++) {
    const metric_def *def = &s->ms.def[m];
    if (strcmp(def->module, "spillover") || !ends_with_time(def->name) || (int)m == first_m)
      continue;
    char buf[256];
    if (!(s->terr[t] = strdup(id_of(def->name, buf, sizeof buf)))) {
      free(col);
      return ERR_NOMEM;
    }
    col[t++] = (int)m;
  }
  col[s->nterr] = first_m;
  if (!(s->terr[s->nterr] = strdup("any"))) rc = ERR_NOMEM;
  else rc = read_reached(s, st, col);
  free(col);
  if (rc) return rc;
  double h = NAN;
  if (s->nrep && (rc = store_metric_values(st, run_id, &s->ms, horizon_m, &h, 1))) return rc;
  s->horizon = h;
  if ((rc = build_paths(s, st))) return rc;
  select_paths(s, s->nterr);
  return build_splits(s, st, flags);
}

static void free_paths(mc_spill *s) {
  for (size_t k = 0; s->paths && k <= s->nterr; k++) {
    for (size_t i = 0; i < s->paths[k].n; i++) free(s->paths[k].path[i].text);
    free(s->paths[k].path);
  }
  free(s->paths);
  s->paths = NULL, s->path = NULL, s->npath = 0;
}

int mc_spill_paths(mc_spill *s, size_t t) {
  if (t > s->nterr) return ERR_RANGE;
  select_paths(s, t);
  return 0;
}

void mc_spill_free(mc_spill *s) {
  if (!s) return;
  if (s->terr)
    for (size_t t = 0; t <= s->nterr; t++) free(s->terr[t]);
  free_paths(s);
  for (size_t t = 0; s->reached && t <= s->nterr; t++)
    free(s->reached[t].rep), free(s->reached[t].time);
  free(s->terr), free(s->reached), free(s->split);
  metric_set_release(&s->ms);
  memset(s, 0, sizeof *s);
}
