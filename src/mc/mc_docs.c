/* mc_docs.c - the documents of a run for its report (mc_docs.h): the scenario and its
 * theater, the spillover sections, and the mission modules' own.
 *
 * The scenario and theater documents need nothing but the scenario, yet they are
 * written here rather than in scenario/: they are the report's view of a run (a map's
 * bbox with a margin for labels, RFC 7946 ring order), and storing them needs store/,
 * which scenario/ may not include (DESIGN.md section 2). */
#include "mc_docs.h"

#include <math.h>
#include <stdio.h>

#include "strbuf.h"
#include "err.h"
#include "jdoc.h"
#include "mc_spill.h"
#include "ops.h"

/* ---- the scenario and its theater --------------------------------------------- */

static void theater_extend(double *bb, double lat, double lon) {
  if (lon < bb[0]) bb[0] = lon;
  if (lat < bb[1]) bb[1] = lat;
  if (lon > bb[2]) bb[2] = lon;
  if (lat > bb[3]) bb[3] = lat;
}

/* A feature of the theater: the map layer's head (ops.h), named by its id when it has
 * no name, with its kind; the caller adds the rest of its properties. */
static json_t *theater_feature(const char *layer, const char *id, const char *name,
                               const char *kind) {
  json_t *f = ops_feature_json(layer, id, name && *name ? name : id, NAN);
  jdoc_set(json_object_get(f, "properties"), "kind", jdoc_str(kind));
  return f;
}

/* "forces":["id", ...]: the forces based at place i, for the map's tooltips and
 * `straits show` (left out when none). */
static void forces_at(json_t *props, const scn_scenario *sc, int place) {
  json_t *ids = json_array();
  for (size_t f = 0; f < sc->nforce; f++)
    if (sc->force[f].base == place) jdoc_push(ids, jdoc_str(sc->force[f].id));
  if (json_array_size(ids)) jdoc_set(props, "forces", ids);
  else json_decref(ids);
}

/* RFC 7946 section 3.1.6: exterior rings counterclockwise.  The shoelace sum in the
 * lon/lat plane is positive for a counterclockwise ring (small regions only). */
static int ring_ccw(const scn_region *r) {
  double a = 0;
  for (size_t i = 0, j = r->n - 1; i < r->n; j = i++)
    a += (r->lon[j] - r->lon[i]) * (r->lat[j] + r->lat[i]);
  return a > 0;
}

static json_t *place_feature(const scn_scenario *sc, size_t i) {
  const scn_place *p = &sc->place[i];
  json_t *f = theater_feature("place", p->id, p->name, p->kind);
  json_t *props = json_object_get(f, "properties");
  jdoc_set(props, "nation", jdoc_str(p->nation));
  jdoc_set(props, "source", jdoc_str(p->source));
  forces_at(props, sc, (int)i);
  jdoc_set(f, "geometry", jdoc_geometry("Point", jdoc_position(p->lon, p->lat)));
  return f;
}

static json_t *region_feature(const scn_region *r) {
  int ccw = ring_ccw(r);
  json_t *f = theater_feature("region", r->id, r->name, r->kind);
  jdoc_set(json_object_get(f, "properties"), "source", jdoc_str(r->source));
  json_t *ring = json_array(), *rings = json_array();
  for (size_t k = 0; k <= r->n; k++) { /* the ring is closed: first point again */
    size_t j = k % r->n;
    if (!ccw)
      j = (r->n - j) % r->n;
    jdoc_push(ring, jdoc_position(r->lon[j], r->lat[j]));
  }
  jdoc_push(rings, ring);
  jdoc_set(f, "geometry", jdoc_geometry("Polygon", rings));
  return f;
}

static json_t *route_feature(const scn_route *r) {
  json_t *f = theater_feature("route", r->id, r->name, r->kind);
  json_t *line = json_array();
  for (size_t k = 0; k < r->n; k++) jdoc_push(line, jdoc_position(r->lon[k], r->lat[k]));
  jdoc_set(f, "geometry", jdoc_geometry("LineString", line));
  return f;
}

/* [west, south, east, north] of every place, region and route, with a margin so that
 * places on the edge have room for their labels; NULL for an empty theater. */
static json_t *theater_bbox(const scn_scenario *sc) {
  double bb[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
  for (size_t i = 0; i < sc->nplace; i++)
    theater_extend(bb, sc->place[i].lat, sc->place[i].lon);
  for (size_t i = 0; i < sc->nregion; i++)
    for (size_t k = 0; k < sc->region[i].n; k++)
      theater_extend(bb, sc->region[i].lat[k], sc->region[i].lon[k]);
  for (size_t i = 0; i < sc->nroute; i++)
    for (size_t k = 0; k < sc->route[i].n; k++)
      theater_extend(bb, sc->route[i].lat[k], sc->route[i].lon[k]);
  if (!isfinite(bb[0])) return NULL;
  double mx = fmax(1.0, 0.08 * (bb[2] - bb[0])), my = fmax(1.0, 0.08 * (bb[3] - bb[1]));
  const double edge[4] = {bb[0] - mx, fmax(-85, bb[1] - my), bb[2] + mx, fmin(85, bb[3] + my)};
  json_t *box = json_array();
  for (int k = 0; k < 4; k++) jdoc_push(box, jdoc_fixed(edge[k], 4));
  return box;
}

static json_t *theater_geojson(const scn_scenario *sc) {
  json_t *doc = json_object(), *features = json_array(), *bbox = theater_bbox(sc);
  jdoc_set(doc, "type", jdoc_str("FeatureCollection"));
  if (bbox) jdoc_set(doc, "bbox", bbox);
  for (size_t i = 0; i < sc->nplace; i++) jdoc_push(features, place_feature(sc, i));
  for (size_t i = 0; i < sc->nregion; i++) jdoc_push(features, region_feature(&sc->region[i]));
  for (size_t i = 0; i < sc->nroute; i++) jdoc_push(features, route_feature(&sc->route[i]));
  jdoc_set(doc, "features", features);
  return doc;
}

static json_t *scenario_json(const scn_scenario *sc) {
  char seed[24]; /* a string: a 64-bit seed is more than a JSON reader's double holds */
  snprintf(seed, sizeof seed, "%llu", (unsigned long long)sc->seed);
  json_t *doc = json_object();
  jdoc_set(doc, "name", jdoc_str(sc->name));
  jdoc_set(doc, "description", jdoc_str(sc->description));
  jdoc_set(doc, "epoch", jdoc_str(sc->epoch));
  jdoc_set(doc, "horizon_s", jdoc_num(sc->horizon));
  jdoc_set(doc, "notional", json_boolean(sc->notional));
  jdoc_set(doc, "seed", jdoc_str(seed));
  jdoc_set(doc, "path", jdoc_str(sc->path));
  return doc;
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
static json_t *tree_json(const scn_scenario *sc) {
  strbuf w = STRBUF_INIT; /* the trigger in words: console text, not JSON */
  json_t *doc = json_object(), *events = json_array();
  for (size_t i = 0; i < sc->nevent; i++) {
    const scn_event *e = &sc->event[i];
    int parent = e->parent >= 0 ? e->parent : trigger_parent(&e->trigger);
    json_t *ev = json_object();
    jdoc_set(ev, "id", jdoc_str(e->id));
    jdoc_set(ev, "name", jdoc_str(e->name && *e->name ? e->name : e->id));
    jdoc_set(ev, "p", jdoc_num(e->p));
    jdoc_set(ev, "parent", parent >= 0 ? jdoc_str(sc->event[parent].id) : json_null());
    jdoc_set(ev, "branch", json_boolean(e->parent >= 0));
    w.len = 0;
    if (w.s) w.s[0] = 0;
    if (e->parent < 0) trigger_text(&w, sc, &e->trigger);
    jdoc_set(ev, "after", w.failed ? NULL : jdoc_str(w.s ? w.s : ""));
    jdoc_set(ev, "delay_s", jdoc_num(dist_mean(&e->delay)));
    jdoc_set(ev, "delay", jdoc_str(dist_name(e->delay.kind)));
    jdoc_push(events, ev);
  }
  jdoc_set(doc, "events", events);
  strbuf_release(&w);
  return doc;
}

/* Document name from doc's tree (taken), through b (emptied). */
static int put_doc(store *st, int64_t run_id, strbuf *b, const char *name, json_t *doc) {
  b->len = 0;
  if (b->s) b->s[0] = 0;
  if (jdoc_dump(b, doc)) return ERR_NOMEM;
  return store_doc_put(st, run_id, name, b->s);
}

static int store_theater(store *st, int64_t run_id, const scn_scenario *sc, diag *d) {
  strbuf b = STRBUF_INIT;
  int err = put_doc(st, run_id, &b, "scenario", scenario_json(sc));
  if (!err) err = put_doc(st, run_id, &b, "theater", theater_geojson(sc));
  if (!err && sc->nevent) err = put_doc(st, run_id, &b, "crisis.tree", tree_json(sc));
  if (err)
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "cannot record the theater in the store: %s",
                err == ERR_NOMEM ? "out of memory" : store_errmsg(st));
  strbuf_release(&b);
  return err;
}

/* ---- every document of a run --------------------------------------------------- */

int mc_store_run_docs(store *st, int64_t run_id, const scn_scenario *sc, diag *d) {
  int err = store_theater(st, run_id, sc, d);
  if (!err) err = mc_spill_store_docs(st, run_id, d);
  return err;
}

int mc_store_docs(store *st, int64_t run_id, const scn_scenario *sc, const mc_options *opt,
                  diag *d) {
  int err = mc_module_docs(st, run_id, sc, opt, d);
  if (!err) err = mc_store_run_docs(st, run_id, sc, d);
  return err;
}
