/* mc_objectives.c - objectives' verdicts from a stored run.  A mean uses the run's
 * summary interval (Wilson's for a 0/1 metric, Student's t otherwise); a share of
 * replications meeting a threshold, Wilson's interval of that share; a percentile, the
 * distribution-free interval of order statistics (docs/models.md, "Objectives"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "strbuf.h"
#include "err.h"
#include "jdoc.h"
#include "mc_objectives.h"
#include "stats.h"

const char *mc_verdict_name(mc_verdict v) {
  static const char *const names[] = {"met", "not met", "undecided", "no data"};
  return (unsigned)v <= MC_VERDICT_NO_DATA ? names[v] : "";
}

static int find_metric(const metric_set *ms, const scn_objective *o) {
  return o->module && o->metric ? metric_find(ms, o->module, o->metric) : -1;
}

/* A threshold of unit `unit` fits a metric in `metric_unit`: the same SI unit, a bare
 * number for a dimensionless metric. */
static int unit_fits(const char *unit, const char *metric_unit) {
  int none = !unit[0], dimless = strcmp(metric_unit, "1") == 0 || !metric_unit[0];
  return none ? dimless : strcmp(unit, metric_unit) == 0;
}

static int good(const scn_objective *o, double v) {
  return o->at_least ? v >= o->threshold : v <= o->threshold;
}

/* Met when the whole interval is on the good side of the target, not met when the
 * whole of it is on the bad side. */
static mc_verdict judge(double lo, double hi, double target, int at_least) {
  if (isnan(lo) || isnan(hi)) return MC_VERDICT_UNDECIDED;
  if (at_least ? lo >= target : hi <= target) return MC_VERDICT_MET;
  if (at_least ? hi < target : lo > target) return MC_VERDICT_NOT_MET;
  return MC_VERDICT_UNDECIDED;
}

/* The least k in [0, n] with P(B <= k) >= want (strictly above with `above`), B
 * binomial(n, p); n + 1 when there is none.  P(B <= k) grows with k: a bisection, not
 * a walk from 0 (a million replications asked ~950,000 CDFs for a p95). */
static size_t binomial_rank(double want, int above, double p, unsigned n) {
  size_t lo = 0, hi = (size_t)n + 1; /* the answer is in [lo, hi] */
  while (lo < hi) {
    size_t k = lo + (hi - lo) / 2;
    double cdf = gsl_cdf_binomial_P((unsigned)k, p, n);
    if (above ? cdf > want : cdf >= want)
      hi = k;
    else
      lo = k + 1;
  }
  return lo;
}

/* The p-quantile of the k values of a column (nearest rank, as everywhere:
 * stats_quantile_rank) with its distribution-free 95% interval: ranks l and u from the
 * binomial(k, p) distribution of the number of values below the quantile, so that
 * P(x(l) <= q <= x(u)) >= 0.95 (Conover, Practical Nonparametric Statistics, 3rd ed.,
 * sec. 3.2).  Where k is too small for a bound, that end is open (NaN).  The three
 * order statistics come from the store by selection (stats_select_stream), in memory
 * that does not grow with the run. */
static int quantile_ci(mc_objective_result *res, double p, size_t k, const mc_result *r,
                       store *st) {
  res->estimate = res->lo = res->hi = NAN;
  if (k == 0) return 0;
  unsigned nn = (unsigned)k;
  size_t l = binomial_rank(0.025, 1, p, nn);     /* P(B <= l - 1) <= 0.025: x(l) bounds below */
  size_t u = binomial_rank(0.975, 0, p, nn) + 1; /* P(B <= u - 1) >= 0.975: x(u) above */
  if (u > (size_t)nn + 1) u = 0;                 /* no such rank */
  /* 1-based ranks l and u as 0-based ones; an open end asks for rank k (NaN). */
  size_t rank[3] = {stats_quantile_rank(k, p), l >= 1 ? l - 1 : k, u >= 1 && u <= k ? u - 1 : k};
  double q[3];
  const stats_summary *s = &r->summary[res->metric];
  size_t n = (size_t)r->replications, rows = n < STATS_STREAM_CHUNK ? n : STATS_STREAM_CHUNK;
  store_ahead *column = NULL; /* the metric's column, read ahead */
  int err = store_ahead_open_columns(&column, st, r->run_id, &r->metrics, (size_t)res->metric,
                                     1, n, rows);
  if (!err) err = stats_select_stream(q, rank, 3, n, k, s->min, s->max, store_ahead_fill, column);
  store_ahead_close(column);
  if (err) return err;
  res->estimate = q[0], res->lo = q[1], res->hi = q[2];
  return 0;
}

/* A metric that can explain a failure: one declared 0/1 (an event, a task that ran), a
 * bottleneck count or a task's wait, held when > 0.  Outcomes (spillover) and the
 * objective's own metric are not causes. */
static int candidate(const metric_def *def, int self, int m) {
  if (m == self || (def->flags & (METRIC_SERIES | METRIC_INTERNAL))) return 0;
  if (strcmp(def->module, "spillover") == 0) return 0;
  return (def->flags & METRIC_BINARY) || strstr(def->name, "bottleneck.") == def->name ||
         strstr(def->name, ".delay_authority") || strstr(def->name, ".delay_gates");
}

/* What one objective needs from every replication, counted in one pass over the store
 * for all of them, a chunk of replications at a time (a column per objective and a
 * pass for the causes were five scans of the store, 70 s at a million replications,
 * and held two columns and a byte per replication and objective, issue 22): the
 * replications that observed its metric, those that meet its threshold and those
 * that miss it, and held[2 m + missed]: in how many of the ones that met (missed 0)
 * or missed it (1) candidate cause m held (> 0). */
typedef struct obj_count {
  size_t index; /* of the objective */
  int metric;
  const scn_objective *o;
  size_t nobs, nok, nfail;
  size_t *held; /* [2 nm] */
} obj_count;

static void count_rows(obj_count *c, size_t nobj, const double *v, size_t nrow,
                       const metric_set *ms) {
  const size_t nm = ms->n;
  for (size_t j = 0; j < nobj; j++)
    for (size_t i = 0; i < nrow; i++) {
      const double *row = v + i * nm, x = row[c[j].metric];
      if (isnan(x)) continue;
      int missed = !good(c[j].o, x);
      c[j].nobs++;
      missed ? c[j].nfail++ : c[j].nok++;
      for (size_t m = 0; m < nm; m++)
        if (row[m] > 0 && candidate(&ms->def[m], c[j].metric, (int)m))
          c[j].held[2 * m + (size_t)missed]++; /* NaN: not held */
    }
}

static int count_pass(obj_count *c, size_t nobj, const mc_result *r, store *st) {
  const size_t nm = r->metrics.n, nrep = (size_t)r->replications;
  if (nobj == 0 || nrep == 0) return 0;
  size_t rows = nm && STATS_STREAM_CHUNK / nm ? STATS_STREAM_CHUNK / nm : 1;
  rows = rows < nrep ? rows : nrep; /* a small run: no more than it needs */
  double *v = malloc(rows * (nm ? nm : 1) * sizeof *v);
  store_ahead *ahead = NULL;
  int err = v && !store_ahead_open(&ahead, st, r->run_id, &r->metrics, nrep, rows) ? 0 : ERR_NOMEM;
  for (size_t lo = 0; lo < nrep && !err; lo += rows) {
    size_t hi = nrep - lo < rows ? nrep : lo + rows;
    if (store_ahead_fill(ahead, lo, hi, v))
      err = ERR_STORE;
    else
      count_rows(c, nobj, v, hi - lo, &r->metrics);
  }
  store_ahead_close(ahead);
  free(v);
  return err;
}

/* For each candidate condition, its share in the failing replications and in the
 * others; the MC_MAX_CAUSES with the largest excess kept, likeliest first. */
static void rank_causes(mc_objective_result *res, const mc_result *r, const size_t *held,
                        size_t nok) {
  size_t nfail = res->nfail;
  for (size_t m = 0; m < r->metrics.n; m++) {
    if (!candidate(&r->metrics.def[m], res->metric, (int)m)) continue;
    size_t kf = held[2 * m + 1], ko = held[2 * m];
    mc_cause c = {(int)m, (double)kf / nfail, nok ? (double)ko / nok : NAN};
    double excess = c.in_failing - (nok ? c.in_others : 0);
    if (!(c.in_failing >= 0.1 && excess > 0)) continue;
    /* insert by excess, keeping the best MC_MAX_CAUSES */
    size_t at = res->ncause;
    while (at > 0) {
      const mc_cause *p = &res->cause[at - 1];
      double pe = p->in_failing - (nok ? p->in_others : 0);
      if (pe >= excess) break;
      at--;
    }
    if (at >= MC_MAX_CAUSES) continue;
    size_t last = res->ncause < MC_MAX_CAUSES ? res->ncause : MC_MAX_CAUSES - 1;
    memmove(&res->cause[at + 1], &res->cause[at], (last - at) * sizeof *res->cause);
    res->cause[at] = c;
    if (res->ncause < MC_MAX_CAUSES) res->ncause++;
  }
}

/* The objective's metric, or -1 with the problem in d. */
static int checked_metric(const scn_objective *o, const mc_result *r, diag *d) {
  int m = find_metric(&r->metrics, o);
  const scn_loc at = o->metric_loc;
  if (m < 0) {
    diag_report(d, DIAG_ERROR, at.file, at.line, at.col,
                "objective '%s': no metric '%s.%s' in this run", o->id, o->module ? o->module : "",
                o->metric ? o->metric : "");
    return -1;
  }
  const metric_def *def = &r->metrics.def[m];
  if (def->flags & METRIC_SERIES) {
    diag_report(d, DIAG_ERROR, at.file, at.line, at.col,
                "objective '%s': '%s.%s' is a time series, not a value per replication", o->id,
                o->module, o->metric);
    return -1;
  }
  if (!unit_fits(o->unit, def->unit)) {
    diag_report(d, DIAG_ERROR, o->loc.file, o->loc.line, o->loc.col,
                "objective '%s': its threshold is in '%s' but '%s.%s' is in '%s'", o->id,
                o->unit[0] ? o->unit : "a number", o->module, o->metric, def->unit);
    return -1;
  }
  return m;
}

static int open_verdict(mc_verdict v) { return v != MC_VERDICT_MET && v != MC_VERDICT_NO_DATA; }

/* A mean's verdict, from the run's summary interval. */
static void judge_mean(mc_objective_result *res, const stats_summary *s, const scn_objective *o) {
  res->estimate = s->mean, res->lo = s->ci_lo, res->hi = s->ci_hi;
  res->verdict = judge(s->ci_lo, s->ci_hi, o->threshold, o->at_least);
}

/* A share's or a percentile's verdict, from what the pass counted. */
static int judge_counted(mc_objective_result *res, const obj_count *c, const mc_result *r,
                         store *st) {
  const scn_objective *o = res->objective;
  if (o->statistic == SCN_STAT_SHARE) {
    stats_share(c->nok, c->nobs, &res->estimate, &res->lo, &res->hi);
    res->verdict = judge(res->lo, res->hi, o->probability, 1);
    return 0;
  }
  int err = quantile_ci(res, scn_statistic_p(o->statistic), c->nobs, r, st);
  res->verdict = judge(res->lo, res->hi, o->threshold, o->at_least);
  return err;
}

int mc_objectives_eval(mc_objective_result **out, size_t *n, const scn_scenario *sc,
                       const mc_result *r, store *st, diag *d) {
  *out = NULL, *n = 0;
  const scn_objectives *obj = sc->objectives;
  if (!obj || obj->n == 0) return 0;
  if (!r->summary) return 0; /* a part of a split run: the one who gathers judges */
  size_t errors = diag_count(d, DIAG_ERROR), nm = r->metrics.n ? r->metrics.n : 1, nc = 0;
  mc_objective_result *res = calloc(obj->n, sizeof *res);
  obj_count *count = calloc(obj->n, sizeof *count);
  size_t *held = calloc(2 * nm * obj->n, sizeof *held);
  if (!res || !count || !held) {
    free(res), free(count), free(held);
    return ERR_NOMEM;
  }
  /* A mean is judged from the summary; the others, and a mean that is not met, need
   * the pass (a share's counts, a percentile's count, the causes of a miss). */
  for (size_t i = 0; i < obj->n; i++) {
    const scn_objective *o = &obj->item[i];
    res[i].objective = o;
    res[i].target = o->statistic == SCN_STAT_SHARE ? o->probability : o->threshold;
    int m = res[i].metric = checked_metric(o, r, d);
    if (m < 0) continue;
    res[i].n = r->summary[m].n;
    if (res[i].n == 0) {
      res[i].estimate = res[i].lo = res[i].hi = NAN;
      res[i].verdict = MC_VERDICT_NO_DATA;
      continue;
    }
    if (o->statistic == SCN_STAT_MEAN) {
      judge_mean(&res[i], &r->summary[m], o);
      if (!open_verdict(res[i].verdict)) continue;
    }
    count[nc++] = (obj_count){i, m, o, 0, 0, 0, held + i * 2 * nm};
  }
  int err = diag_count(d, DIAG_ERROR) > errors ? 0 : count_pass(count, nc, r, st);
  for (size_t j = 0; !err && j < nc; j++) {
    mc_objective_result *x = &res[count[j].index];
    if (x->objective->statistic != SCN_STAT_MEAN) err = judge_counted(x, &count[j], r, st);
    /* Causes only where it is not met: the replications that miss, and why. */
    if (err || !open_verdict(x->verdict) || !count[j].nfail) continue;
    x->nfail = count[j].nfail;
    rank_causes(x, r, count[j].held, count[j].nok);
  }
  free(count), free(held);
  if (!err && diag_count(d, DIAG_ERROR) > errors) err = ERR_INPUT;
  if (err) {
    free(res);
    return err;
  }
  *out = res, *n = obj->n;
  return 0;
}

/* ---- the document "objectives" (the report opens with it) ------------------------ */

/* One cause of an objective's failures: a driver metric, how often it held where the
 * objective failed and where it did not. */
static json_t *cause_json(const mc_objective_result *x, size_t c, const mc_result *r) {
  const metric_def *def = &r->metrics.def[x->cause[c].metric];
  char name[256];
  snprintf(name, sizeof name, "%s.%s", def->module, def->name);
  json_t *j = json_object();
  jdoc_set(j, "metric", jdoc_str(name));
  jdoc_set(j, "description", jdoc_str(def->description ? def->description : ""));
  jdoc_set(j, "in_failing", jdoc_num(x->cause[c].in_failing));
  jdoc_set(j, "in_others", jdoc_num(x->cause[c].in_others));
  return j;
}

static json_t *objective_json(const mc_objective_result *x, const mc_result *r) {
  const scn_objective *ob = x->objective;
  char metric[256];
  snprintf(metric, sizeof metric, "%s.%s", ob->module, ob->metric);
  json_t *j = json_object(), *causes = json_array();
  jdoc_set(j, "id", jdoc_str(ob->id));
  jdoc_set(j, "name", jdoc_str(ob->name ? ob->name : ""));
  jdoc_set(j, "metric", jdoc_str(metric));
  jdoc_set(j, "statistic", jdoc_str(scn_statistic_name(ob->statistic)));
  jdoc_set(j, "at_least", json_boolean(ob->at_least));
  jdoc_set(j, "threshold", jdoc_num(ob->threshold));
  jdoc_set(j, "probability", jdoc_num(ob->statistic == SCN_STAT_SHARE ? ob->probability : NAN));
  jdoc_set(j, "estimate", jdoc_num(x->estimate));
  jdoc_set(j, "lo", jdoc_num(x->lo));
  jdoc_set(j, "hi", jdoc_num(x->hi));
  jdoc_set(j, "n", json_integer((json_int_t)x->n));
  jdoc_set(j, "verdict", jdoc_str(mc_verdict_name(x->verdict)));
  jdoc_set(j, "failing", json_integer((json_int_t)x->nfail));
  for (size_t c = 0; c < x->ncause; c++) jdoc_push(causes, cause_json(x, c, r));
  jdoc_set(j, "causes", causes);
  return j;
}

static json_t *objectives_json(const mc_objective_result *res, size_t n, const mc_result *r) {
  json_t *doc = json_object(), *list = json_array();
  jdoc_set(doc, "replications", json_integer(r->replications));
  for (size_t i = 0; i < n; i++) jdoc_push(list, objective_json(&res[i], r));
  jdoc_set(doc, "objectives", list);
  return doc;
}

int mc_store_objectives(mc_objective_result **out, size_t *n, store *st, const scn_scenario *sc,
                        const mc_result *r, diag *d) {
  int err = mc_objectives_eval(out, n, sc, r, st, d);
  if (err || !*n) return err;
  strbuf b = STRBUF_INIT;
  err = jdoc_dump(&b, objectives_json(*out, *n, r))
            ? ERR_NOMEM
            : store_doc_put(st, r->run_id, "objectives", b.s);
  if (err)
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "cannot record the objectives in the store: %s",
                err == ERR_NOMEM ? "out of memory" : store_errmsg(st));
  strbuf_release(&b);
  return err;
}
