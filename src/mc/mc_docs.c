/* mc_docs.c - the documents of a run for its report (mc_docs.h): the scenario and its
 * theater, the spillover sections, and the mission modules' own.
 *
 * The scenario and theater documents need nothing but the scenario, yet they are
 * written here rather than in scenario/: they are the report's view of a run (a map's
 * bbox with a margin for labels, RFC 7946 ring order), and storing them needs store/,
 * which scenario/ may not include (DESIGN.md section 2). */
#include "mc_docs.h"

#include <math.h>

#include "buf.h"
#include "err.h"
#include "mc_spill.h"

/* ---- the scenario and its theater --------------------------------------------- */

static void theater_extend(double *bb, double lat, double lon) {
  if (lon < bb[0]) bb[0] = lon;
  if (lat < bb[1]) bb[1] = lat;
  if (lon > bb[2]) bb[2] = lon;
  if (lat > bb[3]) bb[3] = lat;
}

static void feature_head(buf *b, int *first, const char *layer, const char *id,
                         const char *name, const char *kind) {
  buf_put(b, *first ? "\n" : ",\n");
  *first = 0;
  buf_put(b, "{\"type\":\"Feature\",\"id\":");
  buf_json_str(b, id);
  buf_put(b, ",\"properties\":{\"layer\":");
  buf_json_str(b, layer);
  buf_put(b, ",\"id\":");
  buf_json_str(b, id);
  buf_put(b, ",\"name\":");
  buf_json_str(b, name && *name ? name : id);
  buf_put(b, ",\"kind\":");
  buf_json_str(b, kind);
}

/* RFC 7946 section 3.1.6: exterior rings counterclockwise.  The shoelace sum in the
 * lon/lat plane is positive for a counterclockwise ring (small regions only). */
static int ring_ccw(const scn_region *r) {
  double a = 0;
  for (size_t i = 0, j = r->n - 1; i < r->n; j = i++)
    a += (r->lon[j] - r->lon[i]) * (r->lat[j] + r->lat[i]);
  return a > 0;
}

static void theater_geojson(buf *b, const scn_scenario *sc) {
  double bb[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
  int first = 1;
  for (size_t i = 0; i < sc->nplace; i++)
    theater_extend(bb, sc->place[i].lat, sc->place[i].lon);
  for (size_t i = 0; i < sc->nregion; i++)
    for (size_t k = 0; k < sc->region[i].n; k++)
      theater_extend(bb, sc->region[i].lat[k], sc->region[i].lon[k]);
  for (size_t i = 0; i < sc->nroute; i++)
    for (size_t k = 0; k < sc->route[i].n; k++)
      theater_extend(bb, sc->route[i].lat[k], sc->route[i].lon[k]);
  buf_put(b, "{\"type\":\"FeatureCollection\"");
  if (isfinite(bb[0])) {
    /* A margin, so that places on the edge have room for their labels. */
    double mx = fmax(1.0, 0.08 * (bb[2] - bb[0])), my = fmax(1.0, 0.08 * (bb[3] - bb[1]));
    buf_printf(b, ",\"bbox\":[%.4f,%.4f,%.4f,%.4f]", bb[0] - mx, fmax(-85, bb[1] - my),
               bb[2] + mx, fmin(85, bb[3] + my));
  }
  buf_put(b, ",\"features\":[");
  for (size_t i = 0; i < sc->nplace; i++) {
    const scn_place *p = &sc->place[i];
    feature_head(b, &first, "place", p->id, p->name, p->kind);
    buf_put(b, ",\"nation\":");
    buf_json_str(b, p->nation);
    buf_put(b, ",\"source\":");
    buf_json_str(b, p->source);
    buf_printf(b, "},\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]}}", p->lon,
               p->lat);
  }
  for (size_t i = 0; i < sc->nregion; i++) {
    const scn_region *r = &sc->region[i];
    int ccw = ring_ccw(r);
    feature_head(b, &first, "region", r->id, r->name, r->kind);
    buf_put(b, ",\"source\":");
    buf_json_str(b, r->source);
    buf_put(b, "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[");
    for (size_t k = 0; k <= r->n; k++) { /* the ring is closed: first point again */
      size_t j = k % r->n;
      if (!ccw)
        j = (r->n - j) % r->n;
      buf_printf(b, "%s[%.6f,%.6f]", k ? "," : "", r->lon[j], r->lat[j]);
    }
    buf_put(b, "]]}}");
  }
  for (size_t i = 0; i < sc->nroute; i++) {
    const scn_route *r = &sc->route[i];
    feature_head(b, &first, "route", r->id, r->name, r->kind);
    buf_put(b, "},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[");
    for (size_t k = 0; k < r->n; k++)
      buf_printf(b, "%s[%.6f,%.6f]", k ? "," : "", r->lon[k], r->lat[k]);
    buf_put(b, "]}}");
  }
  buf_put(b, "]}");
}

static void scenario_json(buf *b, const scn_scenario *sc) {
  buf_put(b, "{\"name\":");
  buf_json_str(b, sc->name);
  buf_put(b, ",\"description\":");
  buf_json_str(b, sc->description);
  buf_put(b, ",\"epoch\":");
  buf_json_str(b, sc->epoch);
  buf_put(b, ",\"horizon_s\":");
  buf_json_num(b, sc->horizon);
  buf_printf(b, ",\"notional\":%s,\"seed\":\"%llu\",\"path\":", sc->notional ? "true" : "false",
             (unsigned long long)sc->seed);
  buf_json_str(b, sc->path);
  buf_put(b, "}");
}

static int store_theater(store *st, int64_t run_id, const scn_scenario *sc, diag *d) {
  buf b = BUF_INIT;
  scenario_json(&b, sc);
  int err = b.failed ? ERR_NOMEM : store_doc_put(st, run_id, "scenario", b.s);
  if (!err) {
    b.len = 0;
    theater_geojson(&b, sc);
    err = b.failed ? ERR_NOMEM : store_doc_put(st, run_id, "theater", b.s);
  }
  if (err)
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "cannot record the theater in the store: %s",
                err == ERR_NOMEM ? "out of memory" : store_errmsg(st));
  buf_release(&b);
  return err;
}

/* ---- every document of a run --------------------------------------------------- */

/* Replaced by mc.c's registry walk (each module's docs hook, ops.h); until it is
 * there, the mission modules add no documents of their own here. */
__attribute__((weak)) int mc_module_docs(store *st, int64_t run_id, const scn_scenario *sc,
                                         const mc_options *opt, diag *d) {
  (void)st, (void)run_id, (void)sc, (void)opt, (void)d;
  return 0;
}

int mc_store_docs(store *st, int64_t run_id, const scn_scenario *sc, const mc_options *opt,
                  diag *d) {
  int err = store_theater(st, run_id, sc, d);
  if (!err) err = mc_spill_store_docs(st, run_id, d);
  if (!err) err = mc_module_docs(st, run_id, sc, opt, d);
  return err;
}
