/* ops_logistics.c - the rear-area logistics model's descriptor (ops.h) and its map
 * layer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "err.h"
#include "logistics.h"
#include "ops.h"
#include "scn_logistics.h"

/* A NULL model (no `logistics:` section) runs nothing.  Japanese transports deliver
 * only under a plan task (lgs_support_check, run here too). */
static int prepare(void **model, const scn_scenario *sc, const ops_context *ctx,
                   metric_set *ms, diag *d) {
  lgs_model *m = NULL;
  int err = lgs_model_new_with(&m, sc, ctx->authorities, ms, d);
  *model = m;
  return err;
}

static void *start(const void *model, sim *s, arena *a, metric_out *out, const ops_rep *r) {
  lgs_run *run = lgs_start(model, s, a, out, r->seed, r->index);
  if (run) lgs_trace_to(run, r->trace);
  return run;
}

/* Collect hands the replication's solver back to the model's pool. */
static void collect(void *state, sim *s, metric_out *out) { lgs_collect(state, s, out); }

/* Geography (consumers reachable over water, sea routes clear of land) and the legal
 * authority of each Japanese transport. */
static int check(const scn_scenario *sc, const ops_context *ctx, diag *d) {
  int err = lgs_check(sc, d);
  int serr = lgs_support_check(sc, ctx->authorities, d);
  return err && err != ERR_INPUT ? err : serr ? serr : err;
}

static void release(void *model) { lgs_model_free(model); }

/* The lane's line as a GeoJSON LineString, as the model routes it: a ship's path over
 * water, the theater route it follows, or the straight leg. */
static json_t *lane_line(const scn_scenario *sc, const lgs_model *m, int lane,
                         const lgs_lane_info *in) {
  const double *lat, *lon;
  size_t n = lgs_lane_path(m, lane, &lat, &lon);
  json_t *coords = json_array();
  if (n >= 2) {
    for (size_t k = 0; k < n; k++) jdoc_push(coords, jdoc_position(lon[k], lat[k]));
  } else if (in->route >= 0) {
    const scn_route *rt = &sc->route[in->route];
    for (size_t k = 0; k < rt->n; k++) {
      size_t j = in->reverse ? rt->n - 1 - k : k;
      jdoc_push(coords, jdoc_position(rt->lon[j], rt->lat[j]));
    }
  } else {
    jdoc_push(coords, jdoc_position(sc->place[in->from].lon, sc->place[in->from].lat));
    jdoc_push(coords, jdoc_position(in->to_lon, in->to_lat));
  }
  return jdoc_geometry("LineString", coords);
}

/* What a lane delivered: the mean over replications of lane_delivered.<lane>.<k>, per
 * commodity in the planner's unit (t or m3) into by[k], and their sum (tonnes and
 * cubic metres added, roughly a fuel's density of 1: a colour scale, not a balance);
 * NaN when the run stored none. */
static double lane_delivered(const ops_results *r, const scn_logistics *L, const lgs_model *m,
                             int lane, double *by) {
  char name[256];
  double sum = 0;
  int seen = 0;
  for (size_t k = 0; k < L->ncommodity; k++) {
    by[k] = NAN;
    if (!lgs_lane_carries(m, lane, (int)k)) continue;
    snprintf(name, sizeof name, "lane_delivered.%s.%s", lgs_lane_name(m, lane), L->commodity[k].id);
    double v = ops_mean(r, "logistics", name);
    if (isnan(v)) continue;
    by[k] = v / lgs_unit(m, (int)k);
    sum += by[k], seen = 1;
  }
  return seen ? sum : NAN;
}

/* One feature per lane, valued by what it delivered, per commodity under delivered. */
static json_t *lane_feature(const ops_results *r, const lgs_model *m, int lane, double *by) {
  const scn_logistics *L = scn_logistics_of(r->sc);
  lgs_lane_info in;
  lgs_lane_describe(m, lane, &in);
  json_t *f = ops_feature_json("logistics-flow", lgs_lane_name(m, lane), lgs_lane_name(m, lane),
                               lane_delivered(r, L, m, lane, by));
  json_t *p = json_object_get(f, "properties"), *delivered = json_object();
  jdoc_set(p, "consumer", jdoc_str(L->consumer[in.consumer].id));
  jdoc_set(p, "mode", jdoc_str(in.air ? "air" : "sea"));
  for (size_t k = 0; k < L->ncommodity; k++)
    if (!isnan(by[k])) jdoc_set(delivered, L->commodity[k].id, jdoc_num(by[k]));
  jdoc_set(p, "delivered", delivered);
  jdoc_set(f, "geometry", lane_line(r->sc, m, lane, &in));
  return f;
}

/* Map layer "map.layer.logistics-flows": the lanes, valued by what they delivered.
 * Before any run (a preview) the lanes are drawn as they will be sailed. */
static int docs(const void *model, const ops_results *r, strbuf *b, const ops_doc_sink *sink) {
  const lgs_model *m = model;
  if (lgs_lanes(m) == 0) return 0; /* an empty layer is not written */
  double *by = malloc((scn_logistics_of(r->sc)->ncommodity + 1) * sizeof *by);
  if (!by) return ERR_NOMEM;
  json_t *layer =
      r->n == 0 ? ops_layer_json("logistics lanes (as sailed)", NULL)
                : ops_layer_json("logistics lanes: delivered",
                                 "mean amount the lane delivered per replication (t and m3 "
                                 "added), from lane_delivered.<lane>.<commodity>; per "
                                 "commodity under delivered");
  json_t *features = json_array();
  for (int i = 0; i < lgs_lanes(m); i++) jdoc_push(features, lane_feature(r, m, i, by));
  jdoc_set(layer, "features", features);
  free(by);
  return ops_doc_put(sink, b, "map.layer.logistics-flows", layer);
}

const ops_module lgs_ops = {
    .name = "logistics",
    .title = "Logistics",
    .section = &lgs_section,
    .prepare = prepare,
    .start = start,
    .collect = collect,
    .check = check,
    .docs = docs,
    .release = release,
};
