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

/* The way a diverted ship sails from the zone's centre to diversion port k: the sea
 * router's path (from the port, so reversed), or the straight leg without a sea. */
static int diversion_line(strbuf *b, const insp_model *m, size_t k) {
  geo_path path;
  int err = insp_diversion_path(m, k, &path);
  if (err) return err;
  strbuf_put(b, "},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[");
  for (size_t i = 0; i < path.n; i++)
    strbuf_printf(b, "%s[%.6f,%.6f]", i ? "," : "", path.lon[i], path.lat[i]);
  strbuf_put(b, "]}}");
  geo_path_release(&path);
  return 0;
}

/* Map layer "map.layer.inspection-diversions": a line from the zone to each
 * diversion port as a diverted ship sails it, valued by the mean number of diverted
 * ships that arrived there (port.<id>.arrived). */
static int docs(const void *model, const ops_results *r, strbuf *b, const ops_doc_sink *sink) {
  const insp_model *m = model;
  if (!m || m->in->nport == 0) return 0;
  if (r->n == 0)
    strbuf_put(b, "{\"title\":\"diversion legs (as sailed)\",\"features\":[");
  else
    strbuf_put(b, "{\"title\":\"diversion legs: ships diverted\",\"properties\":{"
               "\"value\":\"mean number of diverted ships that arrived in the port per "
               "replication, from port.<id>.arrived\"},\"features\":[");
  int first = 1;
  for (size_t k = 0; k < m->in->nport; k++) {
    if (m->metric_port[k] < 0) continue; /* a port listed twice: drawn once */
    const scn_place *p = &m->sc->place[m->in->port[k]];
    char name[160], id[200];
    snprintf(name, sizeof name, "port.%s.arrived", p->id);
    snprintf(id, sizeof id, "divert-%s", p->id);
    ops_feature(b, first, "inspection-diversion", id, p->id,
                r->n ? ops_mean(r, "inspection", name) : NAN);
    first = 0;
    strbuf_put(b, ",\"mode\":\"sea\",\"port\":");
    strbuf_json_str(b, p->id);
    int err = diversion_line(b, m, k);
    if (err) return err;
  }
  strbuf_put(b, "]}");
  return b->failed ? ERR_NOMEM : sink->put(sink->ctx, "map.layer.inspection-diversions", b->s);
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
