/* ops_inspection.c - the ship inspection model's descriptor (ops.h). */
#include <stdio.h>

#include "insp_internal.h"

/* A NULL model (no `inspection:` section) runs nothing.  It takes the run's
 * authorities table to find the UNSC resolution gate the plan opens. */
static int prepare(void **model, const scn_scenario *sc, const ops_context *ctx,
                   metric_set *ms, diag *d) {
  insp_model *m = NULL;
  int err = insp_model_new_with(&m, sc, ctx->authorities, ms, d);
  *model = m;
  return err;
}

static void *start(const void *model, sim *s, arena *a, metric_out *out, const ops_rep *r) {
  insp *I = insp_start(model, s, a, out, r->seed, r->index);
  insp_trace(I, r->trace);
  return I;
}

static void collect(void *state, sim *s, metric_out *out) { insp_collect(state, s, out); }

/* The legal authority of Japanese assets, and diversion ports reached over water. */
static int check(const scn_scenario *sc, const ops_context *ctx, diag *d) {
  int err = insp_check(sc, ctx->authorities, d);
  int serr = insp_check_sea(sc, d);
  return err && err != ERR_INPUT ? err : serr ? serr : err;
}

static void release(void *model) { insp_model_free(model); }

/* The way a diverted ship sails from the zone's centre to diversion port k, as a
 * GeoJSON LineString: the sea router's path (from the port, so reversed), or the
 * straight leg without a sea. */
static int diversion_line(json_t **line, const insp_model *m, size_t k) {
  geo_path path;
  int err = insp_diversion_path(m, k, &path);
  if (err) return err;
  json_t *coords = json_array();
  for (size_t i = 0; i < path.n; i++) jdoc_push(coords, jdoc_position(path.lon[i], path.lat[i]));
  geo_path_release(&path);
  *line = jdoc_geometry("LineString", coords);
  return 0;
}

/* The leg to diversion port k, valued by the mean number of diverted ships that arrived
 * there (NaN before any run). */
static int diversion_feature(json_t *features, const ops_results *r, const insp_model *m,
                             size_t k) {
  const scn_place *p = &m->sc->place[m->in->port[k]];
  char name[160], id[200];
  snprintf(name, sizeof name, "port.%s.arrived", p->id);
  snprintf(id, sizeof id, "divert-%s", p->id);
  json_t *line = NULL;
  int err = diversion_line(&line, m, k);
  if (err) return err;
  json_t *f = ops_feature_json("inspection-diversion", id, p->id,
                               r->n ? ops_mean(r, "inspection", name) : NAN);
  json_t *props = json_object_get(f, "properties");
  jdoc_set(props, "mode", jdoc_str("sea"));
  jdoc_set(props, "port", jdoc_str(p->id));
  jdoc_set(f, "geometry", line);
  jdoc_push(features, f);
  return 0;
}

/* Map layer "map.layer.inspection-diversions": a line from the zone to each
 * diversion port as a diverted ship sails it, valued by the mean number of diverted
 * ships that arrived there (port.<id>.arrived). */
static int docs(const void *model, const ops_results *r, strbuf *b, const ops_doc_sink *sink) {
  const insp_model *m = model;
  if (!m || m->in->nport == 0) return 0;
  json_t *features = json_array();
  for (size_t k = 0; k < m->in->nport; k++) {
    if (m->metric_port[k] < 0) continue; /* a port listed twice: drawn once */
    int err = diversion_feature(features, r, m, k);
    if (err) {
      json_decref(features);
      return err;
    }
  }
  json_t *layer =
      r->n == 0 ? ops_layer_json("diversion legs (as sailed)", NULL)
                : ops_layer_json("diversion legs: ships diverted",
                                 "mean number of diverted ships that arrived in the port per "
                                 "replication, from port.<id>.arrived");
  jdoc_set(layer, "features", features);
  return ops_doc_put(sink, b, "map.layer.inspection-diversions", layer);
}

const ops_module insp_ops = {
    .name = "inspection",
    .title = "Ship inspection",
    .section = &insp_section,
    .prepare = prepare,
    .start = start,
    .collect = collect,
    .check = check,
    .docs = docs,
    .release = release,
};
