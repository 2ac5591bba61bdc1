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

/* A rectangle as a GeoJSON Polygon: its ring from the south-west corner, anticlockwise. */
static json_t *rect_polygon(double lon0, double lat0, double lon1, double lat1) {
  const double corner[5][2] = {{lon0, lat0}, {lon1, lat0}, {lon1, lat1}, {lon0, lat1}, {lon0, lat0}};
  json_t *ring = json_array(), *rings = json_array();
  for (int k = 0; k < 5; k++) jdoc_push(ring, jdoc_position(corner[k][0], corner[k][1]));
  jdoc_push(rings, ring);
  return jdoc_geometry("Polygon", rings);
}

/* "map.layer.sar-probability": the first case's map as its first search was planned. */
static json_t *probability_layer(const sar_grid *g, int rep) {
  char title[256], name[256];
  snprintf(title, sizeof title, "SAR: first case of replication %d, probability before "
           "its first search", rep);
  json_t *layer = ops_layer_json(title, "probability that the search object is in the cell "
                                        "when the first search was planned (replication whose "
                                        "first-case POS is nearest the median)");
  json_t *features = json_array();
  for (size_t j = 0; j < g->ny; j++)
    for (size_t i = 0; i < g->nx; i++) {
      double p = g->p[j * g->nx + i];
      if (!(p > 0)) continue;
      double la0 = g->lat0 + (double)j * g->dlat, lo0 = g->lon0 + (double)i * g->dlon;
      snprintf(name, sizeof name, "P = %.4f", p);
      snprintf(title, sizeof title, "cell.%zu.%zu", j, i);
      json_t *f = ops_feature_json("sar-probability", title, name, p);
      jdoc_set(f, "geometry", rect_polygon(lo0, la0, lo0 + g->dlon, la0 + g->dlat));
      jdoc_push(features, f);
    }
  jdoc_set(layer, "features", features);
  return layer;
}

/* Search k of that case as flown, one colour per unit. */
static json_t *search_feature(const scn_scenario *sc, const sar_sortie *so, size_t k) {
  static const char *const colours[] = {"#1f78b4", "#33a02c", "#e31a1c", "#ff7f00",
                                        "#6a3d9a", "#b15928", "#a6cee3", "#b2df8a"};
  const scn_sar *S = scn_sar_of(sc);
  const sar_rect *r = &so[k].rect;
  const char *unit = sc->force[S->asset[so[k].asset].force].id;
  char name[256], id[64];
  snprintf(name, sizeof name, "%s #%d: %.1f-%.1f h after the report, POD %.2f, POS %.2f",
           unit, so[k].unit + 1, so[k].t_start / 3600, so[k].t_end / 3600, r->pod, so[k].pos);
  snprintf(id, sizeof id, "search.%zu", k);
  json_t *f = ops_feature_json("sar-search", id, name, NAN);
  json_t *p = json_object_get(f, "properties");
  jdoc_set(p, "stroke", jdoc_str(colours[(size_t)(so[k].asset * 3 + so[k].unit) % 8]));
  jdoc_set(p, "unit", jdoc_str(unit));
  jdoc_set(p, "number", json_integer(so[k].unit + 1));
  jdoc_set(p, "pod", jdoc_fixed(r->pod, 4));
  jdoc_set(f, "geometry", rect_polygon(r->lon_min, r->lat_min, r->lon_max, r->lat_max));
  return f;
}

/* "map.layer.sar-searches": that case's searches as flown. */
static json_t *searches_layer(const scn_scenario *sc, const sar_sortie *so, size_t nso, int rep) {
  char title[256];
  snprintf(title, sizeof title, "SAR: searches of that case (replication %d)", rep);
  json_t *layer = ops_layer_json(title, NULL), *style = json_object(), *features = json_array();
  jdoc_set(style, "stroke", jdoc_str("#1f78b4"));
  jdoc_set(layer, "style", style);
  for (size_t k = 0; k < nso; k++) jdoc_push(features, search_feature(sc, so, k));
  jdoc_set(layer, "features", features);
  return layer;
}

/* The replications drawn from: [sar.cases, sar.pos] (drawn_rep). */
typedef struct case_pick {
  const ops_results *r;
  int metric[2];
  double med; /* the median POS */
  int rep;    /* the first replication with it, or -1 */
} case_pick;

/* A replication is drawn from when it had a case and its first case's POS is finite. */
static int has_case(const double *v) { return v[0] >= 1 && isfinite(v[1]); }

/* The stream's rows (stats_summarize_stream): sar.pos where has_case, else NaN. */
static int fill_pos(void *ctx, size_t lo, size_t hi, double *vals) {
  const case_pick *c = ctx;
  int err = c->r->chunk(c->r->ctx, c->metric, 2, lo, hi, vals);
  for (size_t i = 0; i < hi - lo && !err; i++)
    if (!has_case(vals + 2 * i)) vals[2 * i + 1] = NAN;
  return err;
}

/* The first replication drawn from whose POS is the median (ops_rows): 1 stops. */
static int find_median(void *fctx, size_t rep, const double *v) {
  case_pick *c = fctx;
  if (!has_case(v) || v[1] != c->med) return 0;
  c->rep = (int)rep, c->med = v[1]; /* the replication's own bits */
  return 1;
}

/* The replication whose first case is drawn: of those drawn from, the first whose
 * first-case POS is the median (nearest rank: a replication's own value); -1 for none
 * (no case, a case file).  Two reads of [cases, pos] a chunk at a time: the median's
 * summary, then the first replication with it.  The sign of a zero median does not
 * matter: -0 == +0 finds the same replication. */
static int drawn_rep(const ops_results *r, double *want) {
  case_pick c = {r, {metric_find(r->ms, "sar", "cases"), metric_find(r->ms, "sar", "pos")},
                 NAN, -1};
  if (scn_sar_of(r->sc)->kase || c.metric[0] < 0 || c.metric[1] < 0 || r->n == 0) return -1;
  stats_summary st[2];
  if (stats_summarize_stream(st, 2, NULL, r->n, fill_pos, &c) || !st[1].n) return -1;
  c.med = st[1].p50;
  if (ops_rows(r, c.metric, 2, find_median, &c) != 1) return -1;
  *want = c.med;
  return c.rep;
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
  int err = ops_doc_put(sink, b, "map.layer.sar-probability", probability_layer(g, rep));
  if (err || !nso) return err;
  return ops_doc_put(sink, b, "map.layer.sar-searches", searches_layer(r->sc, so, nso, rep));
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
