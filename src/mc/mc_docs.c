/* mc_docs.c - the documents of a run for its report (mc_docs.h): the scenario and its
 * theater, the spillover sections, and the mission modules' own.
 *
 * The scenario and theater documents need nothing but the scenario, yet they are
 * written here rather than in scenario/: they are the report's view of a run (a map's
 * bbox with a margin for labels, RFC 7946 ring order), and storing them needs store/,
 * which scenario/ may not include (DESIGN.md section 2). */
#include "mc_docs.h"

#include <math.h>

#include "strbuf.h"
#include "err.h"
#include "mc_spill.h"

/* ---- the scenario and its theater --------------------------------------------- */

static void theater_extend(double *bb, double lat, double lon) {
  if (lon < bb[0]) bb[0] = lon;
  if (lat < bb[1]) bb[1] = lat;
  if (lon > bb[2]) bb[2] = lon;
  if (lat > bb[3]) bb[3] = lat;
}

static void feature_head(strbuf *b, int *first, const char *layer, const char *id,
                         const char *name, const char *kind) {
  strbuf_put(b, *first ? "\n" : ",\n");
  *first = 0;
  strbuf_put(b, "{\"type\":\"Feature\",\"id\":");
  strbuf_json_str(b, id);
  strbuf_put(b, ",\"properties\":{\"layer\":");
  strbuf_json_str(b, layer);
  strbuf_put(b, ",\"id\":");
  strbuf_json_str(b, id);
  strbuf_put(b, ",\"name\":");
  strbuf_json_str(b, name && *name ? name : id);
  strbuf_put(b, ",\"kind\":");
  strbuf_json_str(b, kind);
}

/* ,"forces":["id", ...]: the forces based at place i, for the map's tooltips and
 * `straits show` (omitted when none). */
static void forces_at(strbuf *b, const scn_scenario *sc, int place) {
  int n = 0;
  for (size_t f = 0; f < sc->nforce; f++) {
    if (sc->force[f].base != place) continue;
    strbuf_put(b, n++ ? "," : ",\"forces\":[");
    strbuf_json_str(b, sc->force[f].id);
  }
  if (n) strbuf_put(b, "]");
}

/* RFC 7946 section 3.1.6: exterior rings counterclockwise.  The shoelace sum in the
 * lon/lat plane is positive for a counterclockwise ring (small regions only). */
static int ring_ccw(const scn_region *r) {
  double a = 0;
  for (size_t i = 0, j = r->n - 1; i < r->n; j = i++)
    a += (r->lon[j] - r->lon[i]) * (r->lat[j] + r->lat[i]);
  return a > 0;
}

static void theater_geojson(strbuf *b, const scn_scenario *sc) {
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
  strbuf_put(b, "{\"type\":\"FeatureCollection\"");
  if (isfinite(bb[0])) {
    /* A margin, so that places on the edge have room for their labels. */
    double mx = fmax(1.0, 0.08 * (bb[2] - bb[0])), my = fmax(1.0, 0.08 * (bb[3] - bb[1]));
    strbuf_printf(b, ",\"bbox\":[%.4f,%.4f,%.4f,%.4f]", bb[0] - mx, fmax(-85, bb[1] - my),
               bb[2] + mx, fmin(85, bb[3] + my));
  }
  strbuf_put(b, ",\"features\":[");
  for (size_t i = 0; i < sc->nplace; i++) {
    const scn_place *p = &sc->place[i];
    feature_head(b, &first, "place", p->id, p->name, p->kind);
    strbuf_put(b, ",\"nation\":");
    strbuf_json_str(b, p->nation);
    strbuf_put(b, ",\"source\":");
    strbuf_json_str(b, p->source);
    forces_at(b, sc, (int)i);
    strbuf_printf(b, "},\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]}}", p->lon,
               p->lat);
  }
  for (size_t i = 0; i < sc->nregion; i++) {
    const scn_region *r = &sc->region[i];
    int ccw = ring_ccw(r);
    feature_head(b, &first, "region", r->id, r->name, r->kind);
    strbuf_put(b, ",\"source\":");
    strbuf_json_str(b, r->source);
    strbuf_put(b, "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[");
    for (size_t k = 0; k <= r->n; k++) { /* the ring is closed: first point again */
      size_t j = k % r->n;
      if (!ccw)
        j = (r->n - j) % r->n;
      strbuf_printf(b, "%s[%.6f,%.6f]", k ? "," : "", r->lon[j], r->lat[j]);
    }
    strbuf_put(b, "]]}}");
  }
  for (size_t i = 0; i < sc->nroute; i++) {
    const scn_route *r = &sc->route[i];
    feature_head(b, &first, "route", r->id, r->name, r->kind);
    strbuf_put(b, "},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[");
    for (size_t k = 0; k < r->n; k++)
      strbuf_printf(b, "%s[%.6f,%.6f]", k ? "," : "", r->lon[k], r->lat[k]);
    strbuf_put(b, "]}}");
  }
  strbuf_put(b, "]}");
}

static void scenario_json(strbuf *b, const scn_scenario *sc) {
  strbuf_put(b, "{\"name\":");
  strbuf_json_str(b, sc->name);
  strbuf_put(b, ",\"description\":");
  strbuf_json_str(b, sc->description);
  strbuf_put(b, ",\"epoch\":");
  strbuf_json_str(b, sc->epoch);
  strbuf_put(b, ",\"horizon_s\":");
  strbuf_json_num(b, sc->horizon);
  strbuf_printf(b, ",\"notional\":%s,\"seed\":\"%llu\",\"path\":", sc->notional ? "true" : "false",
             (unsigned long long)sc->seed);
  strbuf_json_str(b, sc->path);
  strbuf_put(b, "}");
}

/* ---- the crisis as a tree (document "crisis.tree", drawn by report.js) ---------- */

/* The first event a trigger waits for (depth first), or -1 for a time: the report
 * lays the crisis out as a tree under it and says the rest of the trigger in words. */
static int trigger_parent(const scn_trigger *t) {
  if (t->kind == SCN_TRIG_EVENT) return t->event;
  for (size_t i = 0; t->kind != SCN_TRIG_AT && i < t->n; i++) {
    int e = trigger_parent(&t->sub[i]);
    if (e >= 0) return e;
  }
  return -1;
}

static void trigger_text(strbuf *b, const scn_scenario *sc, const scn_trigger *t) {
  switch (t->kind) {
  case SCN_TRIG_AT: strbuf_printf(b, "day %.1f", t->at / 86400); return;
  case SCN_TRIG_EVENT: strbuf_put(b, sc->event[t->event].id); return;
  case SCN_TRIG_ALL:
  case SCN_TRIG_ANY:
    strbuf_put(b, t->kind == SCN_TRIG_ALL ? "all of (" : "any of (");
    for (size_t i = 0; i < t->n; i++) {
      if (i) strbuf_put(b, ", ");
      trigger_text(b, sc, &t->sub[i]);
    }
    strbuf_put(b, ")");
  }
}

/* {"events":[{id, name, p, parent (an id or null), branch, after, delay_s (the
 * delay's mean), delay (its distribution's name)}]}: p is the chance once due, or
 * for a branch its share of its parent's outcomes. */
static void tree_json(strbuf *b, const scn_scenario *sc) {
  strbuf w = STRBUF_INIT;
  strbuf_put(b, "{\"events\":[");
  for (size_t i = 0; i < sc->nevent; i++) {
    const scn_event *e = &sc->event[i];
    int parent = e->parent >= 0 ? e->parent : trigger_parent(&e->trigger);
    strbuf_put(b, i ? ",\n{\"id\":" : "\n{\"id\":");
    strbuf_json_str(b, e->id);
    strbuf_put(b, ",\"name\":");
    strbuf_json_str(b, e->name && *e->name ? e->name : e->id);
    strbuf_put(b, ",\"p\":");
    strbuf_json_num(b, e->p);
    strbuf_put(b, ",\"parent\":");
    if (parent >= 0) strbuf_json_str(b, sc->event[parent].id);
    else strbuf_put(b, "null");
    strbuf_printf(b, ",\"branch\":%s,\"after\":", e->parent >= 0 ? "true" : "false");
    w.len = 0;
    if (w.s) w.s[0] = 0;
    if (e->parent < 0) trigger_text(&w, sc, &e->trigger);
    strbuf_json_str(b, w.s ? w.s : "");
    strbuf_put(b, ",\"delay_s\":");
    strbuf_json_num(b, dist_mean(&e->delay));
    strbuf_put(b, ",\"delay\":");
    strbuf_json_str(b, dist_name(e->delay.kind));
    strbuf_put(b, "}");
  }
  strbuf_put(b, "]}");
  if (w.failed) b->failed = 1;
  strbuf_release(&w);
}

static int store_theater(store *st, int64_t run_id, const scn_scenario *sc, diag *d) {
  strbuf b = STRBUF_INIT;
  scenario_json(&b, sc);
  int err = b.failed ? ERR_NOMEM : store_doc_put(st, run_id, "scenario", b.s);
  if (!err) {
    b.len = 0;
    theater_geojson(&b, sc);
    err = b.failed ? ERR_NOMEM : store_doc_put(st, run_id, "theater", b.s);
  }
  if (!err && sc->nevent) {
    b.len = 0;
    tree_json(&b, sc);
    err = b.failed ? ERR_NOMEM : store_doc_put(st, run_id, "crisis.tree", b.s);
  }
  if (err)
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "cannot record the theater in the store: %s",
                err == ERR_NOMEM ? "out of memory" : store_errmsg(st));
  strbuf_release(&b);
  return err;
}

/* ---- every document of a run --------------------------------------------------- */

int mc_store_docs(store *st, int64_t run_id, const scn_scenario *sc, const mc_options *opt,
                  diag *d) {
  int err = store_theater(st, run_id, sc, d);
  if (!err) err = mc_spill_store_docs(st, run_id, d);
  if (!err) err = mc_module_docs(st, run_id, sc, opt, d);
  return err;
}
