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

/* The lane's line, as the model routes it: a ship's path over water, the theater
 * route it follows, or the straight leg. */
static void lane_line(strbuf *b, const scn_scenario *sc, const lgs_model *m, int lane,
                      const lgs_lane_info *in) {
  const double *lat, *lon;
  size_t n = lgs_lane_path(m, lane, &lat, &lon);
  strbuf_put(b, "},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[");
  if (n >= 2) {
    for (size_t k = 0; k < n; k++) strbuf_printf(b, "%s[%.6f,%.6f]", k ? "," : "", lon[k], lat[k]);
  } else if (in->route >= 0) {
    const scn_route *rt = &sc->route[in->route];
    for (size_t k = 0; k < rt->n; k++) {
      size_t j = in->reverse ? rt->n - 1 - k : k;
      strbuf_printf(b, "%s[%.6f,%.6f]", k ? "," : "", rt->lon[j], rt->lat[j]);
    }
  } else {
    strbuf_printf(b, "[%.6f,%.6f],[%.6f,%.6f]", sc->place[in->from].lon, sc->place[in->from].lat,
               in->to_lon, in->to_lat);
  }
  strbuf_put(b, "]}}");
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

/* One feature per lane, valued by what it delivered. */
static void lane_feature(strbuf *b, const ops_results *r, const lgs_model *m, int lane, double *by) {
  const scn_logistics *L = scn_logistics_of(r->sc);
  lgs_lane_info in;
  lgs_lane_describe(m, lane, &in);
  ops_feature(b, lane == 0, "logistics-flow", lgs_lane_name(m, lane), lgs_lane_name(m, lane),
              lane_delivered(r, L, m, lane, by));
  strbuf_put(b, ",\"consumer\":");
  strbuf_json_str(b, L->consumer[in.consumer].id);
  strbuf_put(b, ",\"mode\":");
  strbuf_json_str(b, in.air ? "air" : "sea");
  strbuf_put(b, ",\"delivered\":{");
  int first = 1;
  for (size_t k = 0; k < L->ncommodity; k++) {
    if (isnan(by[k])) continue;
    strbuf_put(b, first ? "" : ",");
    first = 0;
    strbuf_json_str(b, L->commodity[k].id);
    strbuf_put(b, ":");
    strbuf_json_num(b, by[k]);
  }
  strbuf_put(b, "}");
  lane_line(b, r->sc, m, lane, &in);
}

/* Map layer "map.layer.logistics-flows": the lanes, valued by what they delivered. */
static int docs(const void *model, const ops_results *r, strbuf *b, const ops_doc_sink *sink) {
  const lgs_model *m = model;
  if (lgs_lanes(m) == 0) return 0; /* an empty layer is not written */
  double *by = malloc((scn_logistics_of(r->sc)->ncommodity + 1) * sizeof *by);
  if (!by) return ERR_NOMEM;
  /* Before any run (a preview) the lanes are drawn as they will be sailed. */
  if (r->n == 0)
    strbuf_put(b, "{\"title\":\"logistics lanes (as sailed)\",\"features\":[");
  else
    strbuf_put(b, "{\"title\":\"logistics lanes: delivered\",\"properties\":{"
               "\"value\":\"mean amount the lane delivered per replication (t and m3 "
               "added), from lane_delivered.<lane>.<commodity>; per commodity under "
               "delivered\"},\"features\":[");
  for (int i = 0; i < lgs_lanes(m); i++) lane_feature(b, r, m, i, by);
  strbuf_put(b, "]}");
  free(by);
  return b->failed ? ERR_NOMEM : sink->put(sink->ctx, "map.layer.logistics-flows", b->s);
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
