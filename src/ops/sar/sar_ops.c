/* ops_sar.c - the search and rescue model's descriptor (ops.h) and its map layers:
 * the first case of a representative replication, replayed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "err.h"
#include "ops.h"
#include "sar.h"
#include "scn_sar.h"
#include "stats.h"

extern const ops_module sar_ops;

/* A NULL model (no `sar:` section) runs nothing.  Japanese units search only under a
 * plan task (sar_support_check, run here too). */
static int prepare(void **model, const scn_scenario *sc, const ops_context *ctx,
                   metric_set *ms, diag *d) {
  sar_model *m = NULL;
  int err = sar_model_new_with(&m, sc, ctx->authorities, ms, d);
  *model = m;
  return err;
}

/* A replay for the report keeps the first case's map and searches. */
static void *start(const void *model, sim *s, arena *a, metric_out *out, const ops_rep *r) {
  sar *S = sar_start(model, s, a, out, r->seed, r->index);
  if (S) sar_trace(S, r->trace);
  if (S && r->record && sar_record_first_case(S)) return NULL;
  return S;
}

static void collect(void *state, sim *s, metric_out *out) { sar_collect(state, s, out); }

static int check(const scn_scenario *sc, const ops_context *ctx, diag *d) {
  return sar_support_check(sc, ctx->authorities, d);
}

/* The NetCDF fields and the GSHHG file the model read. */
static void inputs(const void *model, const ops_context *ctx, ops_input_fn fn, void *fctx) {
  (void)ctx;
  sar_model_inputs(model, fn, fctx);
}

static void release(void *model) { sar_model_free(model); }

/* The replication whose first case's POS is nearest the median over the replications
 * that had a case (the lowest such index on ties); -1 when none had one. */
static int median_rep(const double *cases, const double *pos, size_t n) {
  size_t k = 0;
  double *v = malloc((n ? n : 1) * sizeof *v);
  if (!v) return -1;
  for (size_t i = 0; i < n; i++)
    if (cases[i] >= 1 && isfinite(pos[i])) v[k++] = pos[i];
  int best = -1;
  if (k) {
    double med = stats_quantile(v, k, 0.5), d = INFINITY; /* a replication's own value */
    for (size_t i = 0; i < n; i++)
      if (cases[i] >= 1 && isfinite(pos[i]) && fabs(pos[i] - med) < d)
        d = fabs(pos[i] - med), best = (int)i;
  }
  free(v);
  return best;
}

/* "map.layer.sar-probability": the first case's map as its first search was planned. */
static void probability_layer(strbuf *b, const sar_grid *g, int rep) {
  char title[256], name[256];
  snprintf(title, sizeof title, "SAR: first case of replication %d, probability before "
           "its first search", rep);
  strbuf_put(b, "{\"title\":");
  strbuf_json_str(b, title);
  strbuf_put(b, ",\"properties\":{\"value\":\"probability that the search object is "
             "in the cell when the first search was planned (replication whose first-case "
             "POS is nearest the median)\"},\"features\":[");
  int first = 1;
  for (size_t j = 0; j < g->ny; j++)
    for (size_t i = 0; i < g->nx; i++) {
      double p = g->p[j * g->nx + i];
      if (!(p > 0)) continue;
      double la0 = g->lat0 + (double)j * g->dlat, lo0 = g->lon0 + (double)i * g->dlon;
      snprintf(name, sizeof name, "P = %.4f", p);
      snprintf(title, sizeof title, "cell.%zu.%zu", j, i);
      ops_feature(b, first, "sar-probability", title, name, p);
      first = 0;
      strbuf_printf(b, "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],"
                 "[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]}}", lo0, la0,
                 lo0 + g->dlon, la0, lo0 + g->dlon, la0 + g->dlat, lo0, la0 + g->dlat, lo0, la0);
    }
  strbuf_put(b, "]}");
}

/* "map.layer.sar-searches": that case's searches as flown, one colour per unit. */
static void searches_layer(strbuf *b, const scn_scenario *sc, const sar_sortie *so, size_t nso,
                           int rep) {
  static const char *const colours[] = {"#1f78b4", "#33a02c", "#e31a1c", "#ff7f00",
                                        "#6a3d9a", "#b15928", "#a6cee3", "#b2df8a"};
  const scn_sar *S = scn_sar_of(sc);
  char title[256], name[256], id[64];
  snprintf(title, sizeof title, "SAR: searches of that case (replication %d)", rep);
  strbuf_put(b, "{\"title\":");
  strbuf_json_str(b, title);
  strbuf_put(b, ",\"style\":{\"stroke\":\"#1f78b4\"},\"features\":[");
  for (size_t k = 0; k < nso; k++) {
    const sar_rect *r = &so[k].rect;
    const char *unit = sc->force[S->asset[so[k].asset].force].id;
    snprintf(name, sizeof name, "%s #%d: %.1f-%.1f h after the report, POD %.2f, POS %.2f",
             unit, so[k].unit + 1, so[k].t_start / 3600, so[k].t_end / 3600, r->pod, so[k].pos);
    snprintf(id, sizeof id, "search.%zu", k);
    ops_feature(b, k == 0, "sar-search", id, name, NAN);
    strbuf_put(b, ",\"stroke\":");
    strbuf_json_str(b, colours[(size_t)(so[k].asset * 3 + so[k].unit) % 8]);
    strbuf_printf(b, ",\"unit\":\"%s\",\"number\":%d,\"pod\":%.4f", unit, so[k].unit + 1, r->pod);
    strbuf_printf(b, "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],"
               "[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]}}", r->lon_min, r->lat_min,
               r->lon_max, r->lat_min, r->lon_max, r->lat_max, r->lon_min, r->lat_max,
               r->lon_min, r->lat_min);
  }
  strbuf_put(b, "]}");
}

/* The replication whose first case is drawn: -1 for none (no case, a case file). */
static int drawn_rep(const ops_results *r, double *want) {
  int mcase = metric_find(r->ms, "sar", "cases"), mpos = metric_find(r->ms, "sar", "pos");
  if (scn_sar_of(r->sc)->kase || mcase < 0 || mpos < 0 || r->n == 0) return -1;
  double *cases = malloc(r->n * sizeof *cases);
  if (!cases) return -1;
  int rep = -1;
  if (r->values(r->ctx, mcase, cases) == 0 && r->values(r->ctx, mpos, r->scratch) == 0)
    rep = median_rep(cases, r->scratch, r->n);
  if (rep >= 0) *want = r->scratch[rep];
  free(cases);
  return rep;
}

/* Replay that replication; the layers are written only if the replay's sar.pos is the
 * stored one (else the replay is not that replication: no layer).  A replay that
 * fails is a missing picture, not a failed run: only writing counts. */
static int docs(const void *model, const ops_results *r, strbuf *b, const ops_doc_sink *sink) {
  (void)model;
  double want = NAN;
  int rep = drawn_rep(r, &want);
  void *state = NULL;
  const double *value = NULL;
  if (rep < 0 || r->replay(r->ctx, &sar_ops, rep, &state, &value) || !state) return 0;
  const sar_grid *g = NULL;
  const sar_sortie *so = NULL;
  size_t nso = sar_first_case(state, &g, &so);
  if (!g || !(value[metric_find(r->ms, "sar", "pos")] == want)) return 0;
  probability_layer(b, g, rep);
  int err = b->failed ? ERR_NOMEM : sink->put(sink->ctx, "map.layer.sar-probability", b->s);
  if (err || !nso) return err;
  b->len = 0;
  searches_layer(b, r->sc, so, nso, rep);
  return b->failed ? ERR_NOMEM : sink->put(sink->ctx, "map.layer.sar-searches", b->s);
}

const ops_module sar_ops = {
    .name = "sar",
    .title = "Search and rescue",
    .section = &sar_section,
    .prepare = prepare,
    .start = start,
    .collect = collect,
    .check = check,
    .inputs = inputs,
    .docs = docs,
    .release = release,
};
