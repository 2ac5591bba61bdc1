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

/* The p-quantile of sorted[0..n) (nearest rank, as everywhere: stats_quantile_sorted)
 * with its distribution-free 95% interval: ranks l and u from the binomial(n, p)
 * distribution of the number of values below the quantile, so that
 * P(x(l) <= q <= x(u)) >= 0.95 (Conover, Practical Nonparametric Statistics, 3rd ed.,
 * sec. 3.2).  Where n is too small for a bound, that end is open (NaN). */
static void quantile_ci(const double *sorted, size_t n, double p, double *est, double *lo,
                        double *hi) {
  *est = stats_quantile_sorted(sorted, n, p);
  *lo = *hi = NAN;
  if (n == 0) return;
  unsigned nn = (unsigned)n;
  size_t l = 0, u = 0;
  for (unsigned k = 0; k <= nn; k++)
    if (gsl_cdf_binomial_P(k, p, nn) > 0.025) {
      l = k; /* P(B <= l - 1) <= 0.025: x(l) is a lower bound (1-based rank l) */
      break;
    }
  for (unsigned k = 0; k <= nn; k++)
    if (gsl_cdf_binomial_P(k, p, nn) >= 0.975) {
      u = k + 1; /* P(B <= u - 1) >= 0.975: x(u) an upper bound */
      break;
    }
  if (l >= 1) *lo = sorted[l - 1];
  if (u >= 1 && u <= n) *hi = sorted[u - 1];
}

/* The verdict; col is the metric's values [nrep] (read for every statistic but the
 * mean, which the summary gives); col and scratch [nrep] are clobbered. */
static void evaluate(mc_objective_result *res, const scn_objective *o, const mc_result *r,
                     double *col, double *scratch) {
  size_t nrep = (size_t)r->replications;
  int m = res->metric;
  const stats_summary *s = &r->summary[m];
  res->n = s->n;
  res->target = o->statistic == SCN_STAT_SHARE ? o->probability : o->threshold;
  if (s->n == 0) {
    res->estimate = res->lo = res->hi = NAN;
    res->verdict = MC_VERDICT_NO_DATA;
    return;
  }
  if (o->statistic == SCN_STAT_MEAN) {
    res->estimate = s->mean, res->lo = s->ci_lo, res->hi = s->ci_hi;
    res->verdict = judge(s->ci_lo, s->ci_hi, o->threshold, o->at_least);
    return;
  }
  size_t k = 0;
  for (size_t i = 0; i < nrep; i++)
    if (!isnan(col[i])) scratch[k++] = col[i];
  if (o->statistic == SCN_STAT_SHARE) {
    for (size_t i = 0; i < k; i++) scratch[i] = good(o, scratch[i]);
    stats_summary share;
    stats_summarize(&share, scratch, k, STATS_BINARY, col);
    res->estimate = share.mean, res->lo = share.ci_lo, res->hi = share.ci_hi;
    res->verdict = judge(share.ci_lo, share.ci_hi, o->probability, 1);
    return;
  }
  /* A percentile: good at or above (below) the threshold when its interval is. */
  stats_quantile(scratch, k, 0.5); /* sorts scratch in place */
  quantile_ci(scratch, k, scn_statistic_p(o->statistic), &res->estimate, &res->lo, &res->hi);
  res->verdict = judge(res->lo, res->hi, o->threshold, o->at_least);
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

/* The replications failing o (their own value misses the threshold) and, for each
 * candidate condition, its share there and in the others; the MC_MAX_CAUSES with the
 * largest excess kept, likeliest first. */
/* held[2 m], held[2 m + 1]: the other (fails 0) and failing (fails 1) replications in
 * which candidate m is held (> 0), every candidate counted in one pass over the store
 * a chunk of replications at a time -- a scan per metric took minutes at 10,000
 * replications, and holding every column grew with the run (issue 22). */
/* held[2 m], held[2 m + 1] of each objective j (held + j * 2 nm): the other (fails 0)
 * and failing (fails 1) replications in which candidate m is held (> 0), for the nobj
 * objectives whose causes are wanted (fails + j * nrep, their metrics self[j]) in one
 * pass over the store a chunk of replications at a time -- a scan per metric took
 * minutes at 10,000 replications, holding every column grew with the run, and a pass
 * per objective was a pass each (issue 22). */
static int count_held(size_t *held, const mc_result *r, store *st, const unsigned char *fails,
                      const int *self, size_t nobj) {
  const size_t nm = r->metrics.n, nrep = (size_t)r->replications;
  size_t rows = nm && STATS_STREAM_CHUNK / nm ? STATS_STREAM_CHUNK / nm : 1;
  rows = rows < nrep ? rows : nrep ? nrep : 1; /* a small run: no more than it needs */
  double *v = malloc(rows * (nm ? nm : 1) * sizeof *v);
  int err = v ? 0 : ERR_NOMEM;
  for (size_t lo = 0; lo < nrep && !err; lo += rows) {
    size_t hi = nrep - lo < rows ? nrep : lo + rows;
    if ((err = store_values_chunk(st, r->run_id, &r->metrics, lo, hi, v))) break;
    for (size_t j = 0; j < nobj; j++) {
      const unsigned char *f = fails + j * nrep;
      size_t *h = held + j * 2 * nm;
      for (size_t i = lo; i < hi; i++)
        for (size_t m = 0; f[i] < 2 && m < nm; m++)
          if (v[(i - lo) * nm + m] > 0 && candidate(&r->metrics.def[m], self[j], (int)m))
            h[2 * m + f[i]]++; /* NaN: not held */
    }
  }
  free(v);
  return err;
}

/* Which replications fail o: 1 where the metric's value misses the threshold, 0 where
 * it meets it, 2 where it was not observed; *nfail and *nok count the first two. */
static void mark_fails(unsigned char *fails, const scn_objective *o, const double *col,
                       size_t nrep, size_t *nfail, size_t *nok) {
  *nfail = *nok = 0;
  for (size_t i = 0; i < nrep; i++) {
    fails[i] = !isnan(col[i]) && !good(o, col[i]) ? 1 : isnan(col[i]) ? 2 : 0;
    *nfail += fails[i] == 1, *nok += fails[i] == 0;
  }
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

/* The causes of every objective in want[0, nwant) (their fails in fails + j * nrep,
 * the others' counts in nok[j]), from one pass over the store. */
static int find_causes(mc_objective_result *res, const size_t *want, size_t nwant,
                       const mc_result *r, store *st, const unsigned char *fails,
                       const size_t *nok) {
  if (!nwant) return 0;
  const size_t nm = r->metrics.n ? r->metrics.n : 1;
  size_t *held = calloc(2 * nm * nwant, sizeof *held);
  int *self = malloc(nwant * sizeof *self);
  int err = held && self ? 0 : ERR_NOMEM;
  for (size_t j = 0; !err && j < nwant; j++)
    self[j] = res[want[j]].metric;
  if (!err && count_held(held, r, st, fails, self, nwant)) err = ERR_STORE;
  for (size_t j = 0; !err && j < nwant; j++)
    rank_causes(&res[want[j]], r, held + j * 2 * nm, nok[j]);
  free(held), free(self);
  return err;
}

int mc_objectives_eval(mc_objective_result **out, size_t *n, const scn_scenario *sc,
                       const mc_result *r, store *st, diag *d) {
  *out = NULL, *n = 0;
  const scn_objectives *obj = sc->objectives;
  if (!obj || obj->n == 0) return 0;
  if (!r->summary) return 0; /* a part of a split run: the one who gathers judges */
  size_t errors = diag_count(d, DIAG_ERROR);
  mc_objective_result *res = calloc(obj->n, sizeof *res);
  size_t nrep = (size_t)r->replications;
  double *vals = malloc((nrep ? nrep : 1) * sizeof *vals);
  double *scratch = malloc((nrep ? nrep : 1) * sizeof *scratch);
  /* The objectives whose causes are wanted (not met, or undecided): their failing
   * replications, found while their column is at hand; causes in one pass at the end. */
  unsigned char *fails = malloc((nrep ? nrep : 1) * obj->n);
  size_t *want = malloc(obj->n * sizeof *want), *nok = malloc(obj->n * sizeof *nok), nwant = 0;
  int err = res && vals && scratch && fails && want && nok ? 0 : ERR_NOMEM;
  for (size_t i = 0; i < obj->n && !err; i++) {
    const scn_objective *o = &obj->item[i];
    res[i].objective = o;
    int m = res[i].metric = find_metric(&r->metrics, o);
    const scn_loc at = o->metric_loc;
    if (m < 0) {
      diag_report(d, DIAG_ERROR, at.file, at.line, at.col,
                  "objective '%s': no metric '%s.%s' in this run", o->id,
                  o->module ? o->module : "", o->metric ? o->metric : "");
      continue;
    }
    const metric_def *def = &r->metrics.def[m];
    if (def->flags & METRIC_SERIES) {
      diag_report(d, DIAG_ERROR, at.file, at.line, at.col,
                  "objective '%s': '%s.%s' is a time series, not a value per replication",
                  o->id, o->module, o->metric);
      continue;
    }
    if (!unit_fits(o->unit, def->unit)) {
      diag_report(d, DIAG_ERROR, o->loc.file, o->loc.line, o->loc.col,
                  "objective '%s': its threshold is in '%s' but '%s.%s' is in '%s'", o->id,
                  o->unit[0] ? o->unit : "a number", o->module, o->metric, def->unit);
      continue;
    }
    /* A mean is judged from the summary: its column is read only for causes. */
    int mean = o->statistic == SCN_STAT_MEAN, have = 0;
    if (mean)
      evaluate(&res[i], o, r, vals, scratch);
    if (!mean || (res[i].verdict != MC_VERDICT_MET && res[i].verdict != MC_VERDICT_NO_DATA)) {
      if (store_metric_values(st, r->run_id, &r->metrics, m, vals, nrep)) {
        err = ERR_STORE;
        break;
      }
      mark_fails(fails + nwant * nrep, o, vals, nrep, &res[i].nfail, &nok[nwant]);
      have = 1;
    }
    if (!mean)
      evaluate(&res[i], o, r, vals, scratch);
    int open = res[i].verdict != MC_VERDICT_MET && res[i].verdict != MC_VERDICT_NO_DATA;
    if (!open)
      res[i].nfail = 0; /* counted only where causes are sought */
    else if (have && res[i].nfail)
      want[nwant++] = i;
  }
  if (!err)
    err = find_causes(res, want, nwant, r, st, fails, nok);
  free(vals), free(scratch), free(fails), free(want), free(nok);
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
  err = jdoc_dump(&b, objectives_json(*out, *n, r)) ? ERR_NOMEM
                                                   : store_doc_put(st, r->run_id, "objectives", b.s);
  if (err)
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "cannot record the objectives in the store: %s",
                err == ERR_NOMEM ? "out of memory" : store_errmsg(st));
  strbuf_release(&b);
  return err;
}
