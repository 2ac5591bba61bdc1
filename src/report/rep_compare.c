/* rep_compare.c - courses of action compared with common random numbers: paired
 * differences per replication, their 95% confidence interval, and a verdict.
 *
 * Replication r of every course of action draws from the same streams (seed, r,
 * module, purpose), so B_r - A_r removes the noise the two share and the paired
 * interval is narrower than an unpaired one (Law, Simulation Modeling and Analysis,
 * section 10.2: the paired-t confidence interval). */
#include "rep_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

const char *rep_verdict_name(rep_verdict v) {
  switch (v) {
  case REP_BETTER: return "better";
  case REP_WORSE: return "worse";
  case REP_DIFFERS: return "differs";
  default: return "no significant difference";
  }
}

static rep_verdict verdict(const stats_summary *d, int direction) {
  if (d->n < 2 || isnan(d->half_width) || !(fabs(d->mean) > d->half_width))
    return REP_SAME;
  if (direction == 0)
    return REP_DIFFERS;
  return (d->mean > 0) == (direction > 0) ? REP_BETTER : REP_WORSE;
}

/* The paired columns: for each compared metric (a's index ma, b's mb) three columns
 * per replication, a, b and b - a, NaN unless both runs observed it. */
typedef struct pair_src {
  store *st;
  const rep_run *a, *b;
  const int *ma, *mb; /* [np] */
  size_t np;
  double *va, *vb;    /* a chunk of each run's values, [cap rows] */
  size_t cap;
} pair_src;

static int pair_rows(void *ctx, size_t lo, size_t hi, double *vals) {
  pair_src *x = ctx;
  const size_t na = x->a->ms.n, nb = x->b->ms.n;
  if (x->cap < hi - lo) { /* once: every chunk but the last has the same rows */
    free(x->va), free(x->vb);
    x->va = malloc((hi - lo) * (na ? na : 1) * sizeof *x->va);
    x->vb = malloc((hi - lo) * (nb ? nb : 1) * sizeof *x->vb);
    if (!x->va || !x->vb)
      return ERR_NOMEM;
    x->cap = hi - lo;
  }
  int err = store_values_chunk(x->st, x->a->run.id, &x->a->ms, lo, hi, x->va);
  if (!err)
    err = store_values_chunk(x->st, x->b->run.id, &x->b->ms, lo, hi, x->vb);
  for (size_t r = 0; !err && r < hi - lo; r++)
    for (size_t i = 0; i < x->np; i++) {
      double u = x->va[r * na + (size_t)x->ma[i]], v = x->vb[r * nb + (size_t)x->mb[i]];
      int both = !isnan(u) && !isnan(v);
      double *o = vals + (r * x->np + i) * 3;
      o[0] = both ? u : NAN;
      o[1] = both ? v : NAN;
      o[2] = both ? v - u : NAN;
    }
  return err;
}

int rep_compare(rep_pair **pairs, size_t *npairs, store *st, const rep_run *a,
                const rep_run *b) {
  size_t n = a->nrep < b->nrep ? a->nrep : b->nrep, np = 0, nm = a->ms.n ? a->ms.n : 1;
  pair_src src = {st, a, b, NULL, NULL, 0, NULL, NULL, 0};
  int *ma = malloc(nm * sizeof *ma), *mb = malloc(nm * sizeof *mb);
  stats_summary *s = malloc(3 * nm * sizeof *s);
  stats_kind *kind = calloc(3 * nm, sizeof *kind);
  rep_pair *p = calloc(nm, sizeof *p);
  int err = ERR_NOMEM;
  *pairs = NULL;
  *npairs = 0;
  if (!ma || !mb || !s || !kind || !p)
    goto done;
  for (size_t m = 0; m < a->ms.n; m++) {
    const metric_def *def = &a->ms.def[m];
    int k = metric_find(&b->ms, def->module, def->name);
    if (k < 0 || (def->flags & (METRIC_SERIES | METRIC_INTERNAL)) ||
        strcmp(def->unit, b->ms.def[k].unit))
      continue;
    ma[np] = (int)m, mb[np] = k;
    /* Each course of action as its metric is declared; the paired difference of two
     * indicators takes -1, 0 and 1, never a proportion. */
    kind[3 * np] = kind[3 * np + 1] = metric_stats_kind(def->flags);
    kind[3 * np + 2] = STATS_REAL;
    np++;
  }
  src.ma = ma, src.mb = mb, src.np = np;
  if ((err = stats_summarize_stream(s, 3 * np, kind, n, pair_rows, &src)))
    goto done;
  for (size_t i = 0; i < np; i++) {
    rep_pair *q = &p[i];
    q->def = &a->ms.def[ma[i]];
    q->a = s[3 * i], q->b = s[3 * i + 1], q->diff = s[3 * i + 2];
    q->verdict = verdict(&q->diff, metric_direction(q->def->flags));
  }
  *pairs = p, *npairs = np;
  p = NULL;
done:
  free(p);
  free(ma), free(mb), free(s), free(kind);
  free(src.va), free(src.vb);
  return err;
}

/* One compared metric, in the units the report shows the baseline in: shares and
 * probabilities in percent (differences then in percentage points), other units by
 * their size. */
static json_t *pair_tree(const rep_pair *q) {
  double scale;
  const char *shown;
  char name[256];
  int dimensionless = !q->def->unit[0] || strcmp(q->def->unit, "1") == 0;
  if (dimensionless && q->a.n && q->a.min >= 0 && q->a.max <= 1 && q->b.min >= 0 &&
      q->b.max <= 1 && (q->a.max > 0 || q->b.max > 0))
    scale = 100, shown = "%";
  else
    rep_display_unit_for(q->def->unit, q->a.n ? q->a.mean : NAN, &scale, &shown);
  snprintf(name, sizeof name, "%s.%s", q->def->module, q->def->name);
  json_t *o = json_object();
  jdoc_set(o, "metric", jdoc_str(name));
  jdoc_set(o, "unit", jdoc_str(q->def->unit));
  jdoc_set(o, "shown", jdoc_str(shown));
  jdoc_set(o, "scale", jdoc_num(scale));
  jdoc_set(o, "n", json_integer((json_int_t)q->diff.n));
  jdoc_set(o, "mean_a", jdoc_num(q->a.n ? q->a.mean : NAN));
  jdoc_set(o, "mean_b", jdoc_num(q->b.n ? q->b.mean : NAN));
  jdoc_set(o, "sd_a", jdoc_num(q->a.n > 1 ? q->a.sd : NAN));
  jdoc_set(o, "diff", jdoc_num(q->diff.n ? q->diff.mean : NAN));
  jdoc_set(o, "half_width", jdoc_num(q->diff.half_width));
  jdoc_set(o, "ci95_low", jdoc_num(q->diff.mean - q->diff.half_width));
  jdoc_set(o, "ci95_high", jdoc_num(q->diff.mean + q->diff.half_width));
  jdoc_set(o, "headline", json_boolean(q->def->flags & METRIC_HEADLINE));
  jdoc_set(o, "direction", json_integer(metric_direction(q->def->flags)));
  jdoc_set(o, "verdict", jdoc_str(rep_verdict_name(q->verdict)));
  return o;
}

/* One tree: its size is the metrics' count times the courses', whatever the
 * replications. */
void rep_compare_json(strbuf *b, const rep_coa *coa, size_t ncoa, size_t nrep) {
  json_t *doc = json_object(), *coas = json_array();
  jdoc_set(doc, "replications", json_integer((json_int_t)nrep));
  for (size_t c = 0; c < ncoa; c++) {
    json_t *o = json_object(), *rows = json_array();
    jdoc_set(o, "label", jdoc_str(coa[c].label));
    jdoc_set(o, "scenario_name", jdoc_str(coa[c].scenario_name));
    jdoc_set(o, "run", json_integer(coa[c].run));
    for (size_t i = 0; i < coa[c].npairs; i++)
      jdoc_push(rows, pair_tree(&coa[c].pairs[i]));
    jdoc_set(o, "rows", rows);
    jdoc_push(coas, o);
  }
  jdoc_set(doc, "coas", coas);
  jdoc_dump(b, doc);
}
