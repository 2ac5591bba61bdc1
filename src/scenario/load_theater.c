/* load_theater.c - the `theater:` section (places, regions, routes) and `forces:`.
 * Places come first: regions, routes and forces refer to them by id. */
#include <math.h>
#include <string.h>

#include "geo_polygon.h"
#include "scn_internal.h"

/* Each list's items become the scenario's array in order; an item whose id is
 * missing or repeated is checked for other problems but not stored. */

static const char *const place_kinds[] = {"port",   "airfield", "base",    "city",
                                          "island", "point",    "sea_area"};

static void load_place(scn__ctx *c, const scn__node *item, scn_place *out) {
  static const char *const keys[] = {"id", "name", "kind", "lat", "lon", "nation", "source", NULL};
  scn_place p = {.name = "", .kind = "point", .nation = "", .source = "", .loc = scn__loc(item)};
  scn__check_keys(c, item, "place", keys);
  int idx = scn__item_id(c, item, &c->places, &p.id);
  const scn__node *v;
  if ((v = scn__get(item, "name"))) scn__text(c, v, "name", &p.name);
  int kind;
  if ((v = scn__get(item, "kind")) &&
      scn__choice(c, v, "place kind", place_kinds, sizeof place_kinds / sizeof *place_kinds,
                  &kind) == 0)
    p.kind = place_kinds[kind];
  if ((v = scn__need(c, item, "lat", "place"))) scn__number(c, v, "lat", -90, 90, &p.lat);
  if ((v = scn__need(c, item, "lon", "place"))) scn__number(c, v, "lon", -180, 180, &p.lon);
  if ((v = scn__get(item, "nation"))) scn__text(c, v, "nation", &p.nation);
  if ((v = scn__get(item, "source"))) scn__text(c, v, "source", &p.source);
  if (idx >= 0) out[idx] = p;
}

static void load_places(scn__ctx *c, const scn__node *list) {
  if (!scn__expect_seq(c, list, "places")) return;
  scn_place *out = scn__alloc(c, c->mem, list->n * sizeof *out);
  if (!out) return;
  for (size_t i = 0; i < list->n; i++)
    if (scn__expect_map(c, list->item[i], "place")) load_place(c, list->item[i], out);
  c->sc->place = out;
  c->sc->nplace = c->places.n;
}

/* ---- regions ------------------------------------------------------------------------------ */

static void load_polygon(scn__ctx *c, const scn__node *v, scn_region *r) {
  if (!scn__expect_seq(c, v, "polygon")) return;
  if (v->n < 3) {
    scn__error(c, v, "'polygon' needs at least 3 vertices, got %zu", v->n);
    return;
  }
  r->lat = scn__alloc(c, c->mem, v->n * sizeof *r->lat);
  r->lon = scn__alloc(c, c->mem, v->n * sizeof *r->lon);
  if (!r->lat || !r->lon) return;
  for (size_t i = 0; i < v->n; i++) scn__latlon(c, v->item[i], "vertex", &r->lat[i], &r->lon[i]);
  r->n = v->n;
}

static void load_region(scn__ctx *c, const scn__node *item, scn_region *out) {
  static const char *const keys[] = {"id", "name", "kind", "polygon", "source", NULL};
  scn_region r = {.name = "", .kind = "", .source = "", .loc = scn__loc(item)};
  scn__check_keys(c, item, "region", keys);
  int idx = scn__item_id(c, item, &c->regions, &r.id);
  const scn__node *v;
  if ((v = scn__get(item, "name"))) scn__text(c, v, "name", &r.name);
  if ((v = scn__get(item, "kind"))) scn__text(c, v, "kind", &r.kind);
  if ((v = scn__get(item, "source"))) scn__text(c, v, "source", &r.source);
  if ((v = scn__need(c, item, "polygon", "region"))) load_polygon(c, v, &r);
  if (idx >= 0) out[idx] = r;
}

static void load_regions(scn__ctx *c, const scn__node *list) {
  if (!scn__expect_seq(c, list, "regions")) return;
  scn_region *out = scn__alloc(c, c->mem, list->n * sizeof *out);
  if (!out) return;
  for (size_t i = 0; i < list->n; i++)
    if (scn__expect_map(c, list->item[i], "region")) load_region(c, list->item[i], out);
  c->sc->region = out;
  c->sc->nregion = c->regions.n;
}

/* ---- routes ------------------------------------------------------------------------------- */

static const char *const route_kinds[] = {"sea", "air", "land"};

/* A waypoint is a place id (its coordinates are copied in) or a [lat, lon] pair. */
static void load_waypoint(scn__ctx *c, const scn__node *w, scn_route *r, size_t i) {
  r->place[i] = -1;
  if (w->kind == SCN__SEQ) {
    scn__latlon(c, w, "waypoint", &r->lat[i], &r->lon[i]);
    return;
  }
  int p = scn__ids_resolve(c, &c->places, w);
  if (p < 0) return;
  r->place[i] = p;
  r->lat[i] = c->sc->place[p].lat;
  r->lon[i] = c->sc->place[p].lon;
}

static void load_waypoints(scn__ctx *c, const scn__node *v, scn_route *r) {
  if (!scn__expect_seq(c, v, "waypoints")) return;
  if (v->n < 2) {
    scn__error(c, v, "'waypoints' needs at least 2 points, got %zu", v->n);
    return;
  }
  r->lat = scn__alloc(c, c->mem, v->n * sizeof *r->lat);
  r->lon = scn__alloc(c, c->mem, v->n * sizeof *r->lon);
  r->place = scn__alloc(c, c->mem, v->n * sizeof *r->place);
  if (!r->lat || !r->lon || !r->place) return;
  for (size_t i = 0; i < v->n; i++) load_waypoint(c, v->item[i], r, i);
  r->n = v->n;
}

static void load_route(scn__ctx *c, const scn__node *item, scn_route *out) {
  static const char *const keys[] = {"id", "name", "kind", "waypoints", NULL};
  scn_route r = {.name = "", .kind = "sea", .loc = scn__loc(item)};
  scn__check_keys(c, item, "route", keys);
  int idx = scn__item_id(c, item, &c->routes, &r.id);
  const scn__node *v;
  int kind;
  if ((v = scn__get(item, "name"))) scn__text(c, v, "name", &r.name);
  if ((v = scn__get(item, "kind")) &&
      scn__choice(c, v, "route kind", route_kinds, 3, &kind) == 0)
    r.kind = route_kinds[kind];
  if ((v = scn__need(c, item, "waypoints", "route"))) load_waypoints(c, v, &r);
  if (idx >= 0) out[idx] = r;
}

static void load_routes(scn__ctx *c, const scn__node *list) {
  if (!scn__expect_seq(c, list, "routes")) return;
  scn_route *out = scn__alloc(c, c->mem, list->n * sizeof *out);
  if (!out) return;
  for (size_t i = 0; i < list->n; i++)
    if (scn__expect_map(c, list->item[i], "route")) load_route(c, list->item[i], out);
  c->sc->route = out;
  c->sc->nroute = c->routes.n;
}

/* GSHHG resolutions the sea router may use, coarse to fine; none: great circles. */
static const char *const coastlines[] = {"none", "c", "l", "i", "h", "f"};

void scn__load_theater(scn__ctx *c, const scn__node *theater) {
  static const char *const keys[] = {"places", "regions", "routes", "coastline", NULL};
  if (!scn__expect_map(c, theater, "theater")) return;
  scn__check_keys(c, theater, "theater", keys);
  const scn__node *v;
  int which;
  if ((v = scn__get(theater, "coastline")) &&
      scn__choice(c, v, "coastline", coastlines, 6, &which) == 0)
    c->sc->coastline = which ? coastlines[which][0] : 0;
  if ((v = scn__get(theater, "places"))) load_places(c, v);
  if ((v = scn__get(theater, "regions"))) load_regions(c, v);
  if ((v = scn__get(theater, "routes"))) load_routes(c, v);
}

/* ---- forces ------------------------------------------------------------------------------- */

static const char *const nations[] = {"US", "JP"};

/* capacity: a mass, a volume, or a list holding one of each. */
static int capacity_quantity(scn__ctx *c, const scn__node *v, double *x, int *is_volume) {
  char why[256];
  qty_kind kind;
  if (v->kind != SCN__SCALAR || scn__is_null(v)) {
    scn__error(c, v, "'capacity' should be a mass or a volume, got %s", scn__kind_phrase(v));
    return -1;
  }
  if (qty_parse(x, v->str, QTY_MASS, NULL, 0) == 0) return *is_volume = 0, 0;
  if (qty_parse(x, v->str, QTY_VOLUME, NULL, 0) == 0) return *is_volume = 1, 0;
  if (qty_parse(x, v->str, QTY_NUMBER, NULL, 0) == 0)
    scn__error(c, v, "missing unit in '%s' (a capacity needs one: kg, t, m3, L)", v->str);
  else if (qty_parse_any(x, &kind, v->str, why, sizeof why) == 0)
    scn__error(c, v, "'%s' is a %s, expected a mass or a volume", v->str, qty_kind_name(kind));
  else if (strncmp(why, "unknown unit", 12) == 0)
    scn__error(c, v, "%s (a capacity takes kg, t, m3, L)", why);
  else
    scn__error(c, v, "%s", why);
  return -1;
}

static void load_capacity_value(scn__ctx *c, const scn__node *v, scn_force *f) {
  double x;
  int is_volume;
  if (capacity_quantity(c, v, &x, &is_volume)) return;
  double *slot = is_volume ? &f->capacity_volume : &f->capacity_mass;
  if (!isnan(*slot))
    scn__error(c, v, "'capacity' gives the %s twice", is_volume ? "volume" : "mass");
  else if (x < 0)
    scn__error(c, v, "'capacity' must be at least 0, got '%s'", v->str);
  *slot = x;
}

static void load_capacity(scn__ctx *c, const scn__node *v, scn_force *f) {
  if (v->kind != SCN__SEQ) {
    load_capacity_value(c, v, f);
    return;
  }
  for (size_t i = 0; i < v->n; i++) load_capacity_value(c, v->item[i], f);
}

static void load_force(scn__ctx *c, const scn__node *item, scn_force *out) {
  static const char *const keys[] = {"id",    "name",     "nation",    "kind", "base",
                                     "count", "speed",    "capacity",  "endurance", NULL};
  scn_force f = {.name = "", .base = -1, .count = 1, .capacity_mass = NAN,
                 .capacity_volume = NAN, .endurance = INFINITY, .loc = scn__loc(item)};
  scn__check_keys(c, item, "force", keys);
  int idx = scn__item_id(c, item, &c->forces, &f.id);
  const scn__node *v;
  int nation;
  long long count;
  if ((v = scn__get(item, "name"))) scn__text(c, v, "name", &f.name);
  if ((v = scn__need(c, item, "nation", "force")) &&
      scn__choice(c, v, "nation", nations, 2, &nation) == 0)
    f.nation = nations[nation];
  if ((v = scn__need(c, item, "kind", "force"))) scn__text(c, v, "kind", &f.kind);
  if ((v = scn__need(c, item, "base", "force"))) f.base = scn__ids_resolve(c, &c->places, v);
  if ((v = scn__get(item, "count")) && scn__integer(c, v, "count", 1, 1000000, &count) == 0)
    f.count = (int)count;
  if ((v = scn__get(item, "speed")) && scn__quantity(c, v, "speed", QTY_SPEED, &f.speed) == 0 &&
      !(f.speed > 0))
    scn__error(c, v, "'speed' must be greater than 0, got '%s'", v->str);
  if ((v = scn__get(item, "capacity"))) load_capacity(c, v, &f);
  if ((v = scn__get(item, "endurance")) &&
      scn__quantity(c, v, "endurance", QTY_DURATION, &f.endurance) == 0 && !(f.endurance > 0))
    scn__error(c, v, "'endurance' must be greater than 0, got '%s'", v->str);
  if (idx >= 0) out[idx] = f;
}

void scn__load_forces(scn__ctx *c, const scn__node *list) {
  if (!scn__expect_seq(c, list, "forces")) return;
  scn_force *out = scn__alloc(c, c->mem, list->n * sizeof *out);
  if (!out) return;
  for (size_t i = 0; i < list->n; i++)
    if (scn__expect_map(c, list->item[i], "force")) load_force(c, list->item[i], out);
  c->sc->force = out;
  c->sc->nforce = c->forces.n;
}

int scn_region_contains(const scn_region *g, double lat, double lon) {
  return geo_point_in_polygon(lat, lon, g->lat, g->lon, g->n);
}

int scn_regions_overlap(const scn_region *a, const scn_region *b) {
  return geo_polygons_overlap(a->lat, a->lon, a->n, b->lat, b->lon, b->n);
}
