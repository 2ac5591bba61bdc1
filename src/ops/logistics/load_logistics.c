/* load_logistics.c - the `logistics:` section: commodities, ports and airfields with
 * berths, depots, consumers and transport assets taken from `forces` (schema in
 * docs/scenario.md).  Per-commodity values are mappings from commodity id to a
 * quantity whose unit matches the commodity's (t or m3, per time for rates). */
#include <math.h>
#include <string.h>

#include "scn_logistics.h"
#include "scn_section.h"
#include "scn_plan.h"

typedef struct lgs_loader {
  scn__ctx *c;
  scn_logistics *L;
  scn__ids commodities, depots, consumers;
} lgs_loader;

/* What a per-commodity value measures: an amount, or an amount per time. */
enum { PER_AMOUNT, PER_RATE };

static qty_kind commodity_kind(const scn_lgs_commodity *k, int per) {
  if (per == PER_RATE) return k->volume ? QTY_VOLUME_RATE : QTY_MASS_RATE;
  return k->volume ? QTY_VOLUME : QTY_MASS;
}

/* A mapping {commodity: quantity}: out[k] (left as is for commodities not named).
 * Values must not be negative. */
static void per_commodity(lgs_loader *G, const scn__node *m, const char *key, int per,
                          double *out) {
  scn__ctx *c = G->c;
  if (!scn__expect_map(c, m, key)) return;
  for (size_t i = 0; i < m->n; i++) {
    const scn__node *k = m->item[2 * i], *v = m->item[2 * i + 1];
    int idx = scn__ids_resolve(c, &G->commodities, k);
    if (idx < 0) continue;
    double x;
    if (scn__quantity(c, v, key, commodity_kind(&G->L->commodity[idx], per), &x)) continue;
    if (x < 0) {
      scn__error(c, v, "'%s' must not be negative, got '%s'", key, v->str);
      continue;
    }
    out[idx] = x;
  }
}

static double *zeros(lgs_loader *G) {
  size_t n = G->L->ncommodity ? G->L->ncommodity : 1;
  return scn__alloc(G->c, G->c->mem, n * sizeof(double));
}

static int priority(scn__ctx *c, const scn__node *item) {
  const scn__node *v = scn__get(item, "priority");
  long long p = 5;
  if (v) scn__integer(c, v, "priority", 1, 9, &p);
  return (int)p;
}

/* A place reference that must name a place of one of the given kinds (NULL: any). */
static int place_ref(scn__ctx *c, const scn__node *v, const char *key, const char *k1,
                     const char *k2) {
  int p = scn__ids_resolve(c, &c->places, v);
  if (p < 0 || !k1 || !c->sc->place) return p;
  const char *kind = c->sc->place[p].kind;
  if (strcmp(kind, k1) != 0 && (!k2 || strcmp(kind, k2) != 0)) {
    scn__error(c, v, "'%s' should be a place of kind '%s'%s%s%s, got '%s' (kind '%s')", key,
               k1, k2 ? " or '" : "", k2 ? k2 : "", k2 ? "'" : "", v->str, kind);
    return -1;
  }
  return p;
}

/* ---- commodities, ports ------------------------------------------------------------- */

static void load_commodities(lgs_loader *G, const scn__node *list) {
  static const char *const keys[] = {"id", "name", "unit", "priority", NULL};
  static const char *const units[] = {"t", "m3"};
  scn__ctx *c = G->c;
  if (!scn__expect_seq(c, list, "commodities")) return;
  scn_lgs_commodity *out = scn__alloc(c, c->mem, (list->n + 1) * sizeof *out);
  if (!out) return;
  for (size_t i = 0; i < list->n; i++) {
    const scn__node *item = list->item[i], *v;
    if (!scn__expect_map(c, item, "commodity")) continue;
    scn__check_keys(c, item, "commodity", keys);
    scn_lgs_commodity k = {.name = "", .loc = scn__loc(item)};
    int idx = scn__item_id(c, item, &G->commodities, &k.id);
    if ((v = scn__get(item, "name"))) scn__text(c, v, "name", &k.name);
    if ((v = scn__need(c, item, "unit", "commodity"))) scn__choice(c, v, "unit", units, 2, &k.volume);
    k.priority = priority(c, item);
    if (idx >= 0) out[idx] = k;
  }
  G->L->commodity = out;
  G->L->ncommodity = G->commodities.n;
}

static void load_ports(lgs_loader *G, const scn__node *list) {
  static const char *const keys[] = {"place", "berths", NULL};
  scn__ctx *c = G->c;
  if (!scn__expect_seq(c, list, "ports")) return;
  scn_lgs_port *out = scn__alloc(c, c->mem, (list->n + 1) * sizeof *out);
  if (!out) return;
  size_t n = 0;
  for (size_t i = 0; i < list->n; i++) {
    const scn__node *item = list->item[i], *v;
    if (!scn__expect_map(c, item, "port")) continue;
    scn__check_keys(c, item, "port", keys);
    scn_lgs_port p = {.place = -1, .berths = 1, .loc = scn__loc(item)};
    long long b;
    if ((v = scn__need(c, item, "place", "port"))) p.place = place_ref(c, v, "place", NULL, NULL);
    if ((v = scn__need(c, item, "berths", "port")) && scn__integer(c, v, "berths", 1, 1000, &b) == 0)
      p.berths = (int)b;
    for (size_t j = 0; j < n && p.place >= 0; j++)
      if (out[j].place == p.place) {
        scn__error(c, item, "place '%s' is listed twice in 'ports'", c->sc->place[p.place].id);
        p.place = -1;
      }
    if (p.place >= 0) out[n++] = p;
  }
  G->L->port = out;
  G->L->nport = n;
}

/* ---- depots, consumers ------------------------------------------------------------- */

static void load_depots(lgs_loader *G, const scn__node *list) {
  static const char *const keys[] = {"id", "place", "airfield", "stock", "replenish", NULL};
  scn__ctx *c = G->c;
  if (!scn__expect_seq(c, list, "depots")) return;
  scn_lgs_depot *out = scn__alloc(c, c->mem, (list->n + 1) * sizeof *out);
  if (!out) return;
  for (size_t i = 0; i < list->n; i++) {
    const scn__node *item = list->item[i], *v;
    if (!scn__expect_map(c, item, "depot")) continue;
    scn__check_keys(c, item, "depot", keys);
    scn_lgs_depot d = {.place = -1, .airfield = -1, .loc = scn__loc(item)};
    int idx = scn__item_id(c, item, &G->depots, &d.id);
    d.stock = zeros(G), d.replenish = zeros(G);
    if (!d.stock || !d.replenish) return;
    if ((v = scn__need(c, item, "place", "depot"))) d.place = place_ref(c, v, "place", "port", NULL);
    if ((v = scn__get(item, "airfield")))
      d.airfield = place_ref(c, v, "airfield", "airfield", "base");
    if ((v = scn__get(item, "stock"))) per_commodity(G, v, "stock", PER_AMOUNT, d.stock);
    if ((v = scn__get(item, "replenish"))) per_commodity(G, v, "replenish", PER_RATE, d.replenish);
    if (idx >= 0) out[idx] = d;
  }
  G->L->depot = out;
  G->L->ndepot = G->depots.n;
}

static void load_demand(lgs_loader *G, const scn__node *m, dist *out, scn_loc *loc) {
  scn__ctx *c = G->c;
  if (!scn__expect_map(c, m, "demand")) return;
  for (size_t i = 0; i < m->n; i++) {
    const scn__node *k = m->item[2 * i], *v = m->item[2 * i + 1];
    int idx = scn__ids_resolve(c, &G->commodities, k);
    if (idx < 0) continue;
    scn__dist(c, v, "demand", commodity_kind(&G->L->commodity[idx], PER_RATE), &out[idx]);
    loc[idx] = scn__loc(v); /* a run-time draw out of range is blamed here */
  }
}

/* A plan phase or task named in the logistics section: its index, or -1 after a
 * located error (with a suggestion) when the plan has no such id. */
static int plan_ref(scn__ctx *c, const scn__node *v, const char *what) {
  const scn_plan *p = c->sc->plan;
  int task = strcmp(what, "task") == 0;
  if (v->kind != SCN__SCALAR) {
    scn__error(c, v, "'%s' should be a %s id, got %s", what, what, scn__kind_phrase(v));
    return -1;
  }
  size_t n = p ? (task ? p->ntask : p->nphase) : 0;
  const char *names[256];
  size_t nn = 0, unnamed = 0;
  for (size_t i = 0; i < n; i++) {
    const char *id = task ? p->task[i].id : p->phase[i].id;
    if (!id) unnamed++; /* an item the plan's loader already reported */
    else if (nn < sizeof names / sizeof *names) names[nn++] = id;
  }
  if (n && !unnamed) {
    int i = task ? scn_task_find(p, v->str) : scn_phase_find(p, v->str);
    if (i >= 0) return i;
  } else {
    for (size_t i = 0; i < n; i++) {
      const char *id = task ? p->task[i].id : p->phase[i].id;
      if (id && strcmp(id, v->str) == 0) return (int)i;
    }
  }
  if (!p || !n) {
    scn__error(c, v, "unknown %s id '%s' (the scenario's plan has no %ss)", what, v->str, what);
    return -1;
  }
  const char *hint = scn__suggest(v->str, names, nn);
  if (hint) scn__error(c, v, "unknown %s id '%s' (did you mean '%s'?)", what, v->str, hint);
  else scn__error(c, v, "unknown %s id '%s'", what, v->str);
  return -1;
}

static void load_surge(lgs_loader *G, const scn__node *list, scn_lgs_consumer *u) {
  static const char *const keys[] = {"after", "phase", "factor", NULL};
  scn__ctx *c = G->c;
  if (!scn__expect_seq(c, list, "surge")) return;
  u->surge = scn__alloc(c, c->mem, (list->n + 1) * sizeof *u->surge);
  if (!u->surge) return;
  for (size_t i = 0; i < list->n; i++) {
    const scn__node *item = list->item[i], *v, *after, *phase;
    if (!scn__expect_map(c, item, "surge")) continue;
    scn__check_keys(c, item, "surge", keys);
    scn_lgs_surge s = {.event = -1, .phase = -1, .factor = 1};
    after = scn__get(item, "after"), phase = scn__get(item, "phase");
    if ((after != NULL) == (phase != NULL))
      scn__error(c, item, "a surge takes exactly one of 'after' (a crisis event) or 'phase'");
    else if (after)
      s.event = scn__ids_resolve(c, &c->events, after);
    else
      s.phase = plan_ref(c, phase, "phase");
    if ((v = scn__need(c, item, "factor", "surge")) &&
        scn__number(c, v, "factor", 0, 100, &s.factor) == 0 && !(s.factor > 0))
      scn__error(c, v, "'factor' must be greater than 0, got '%s'", v->str);
    if (s.event >= 0 || s.phase >= 0) u->surge[u->nsurge++] = s;
  }
}

/* `track: [{time: 0h, at: [lat, lon]}, ...]`: times strictly increasing. */
static void load_track(lgs_loader *G, const scn__node *list, scn_lgs_consumer *u) {
  static const char *const keys[] = {"time", "at", NULL};
  scn__ctx *c = G->c;
  if (!scn__expect_seq(c, list, "track")) return;
  if (list->n == 0) {
    scn__error(c, list, "'track' needs at least one point");
    return;
  }
  u->track = scn__alloc(c, c->mem, (list->n + 1) * sizeof *u->track);
  if (!u->track) return;
  for (size_t i = 0; i < list->n; i++) {
    const scn__node *item = list->item[i], *v;
    if (!scn__expect_map(c, item, "track point")) continue;
    scn__check_keys(c, item, "track point", keys);
    scn_lgs_waypoint w = {0};
    int ok = 1;
    if ((v = scn__need(c, item, "time", "track point"))) {
      if (scn__quantity(c, v, "time", QTY_DURATION, &w.t)) ok = 0;
      else if (u->ntrack > 0 && !(w.t > u->track[u->ntrack - 1].t))
        scn__error(c, v, "track times must increase, got '%s' after the point before", v->str), ok = 0;
    } else ok = 0;
    if (!(v = scn__need(c, item, "at", "track point")) || scn__latlon(c, v, "at", &w.lat, &w.lon))
      ok = 0;
    if (ok) u->track[u->ntrack++] = w;
  }
  if (u->ntrack) u->lat = u->track[0].lat, u->lon = u->track[0].lon;
}

/* `stations: [{phase: respond, at: [lat, lon]}, ...]`. */
static void load_stations(lgs_loader *G, const scn__node *list, scn_lgs_consumer *u) {
  static const char *const keys[] = {"phase", "at", NULL};
  scn__ctx *c = G->c;
  if (!scn__expect_seq(c, list, "stations")) return;
  u->station = scn__alloc(c, c->mem, (list->n + 1) * sizeof *u->station);
  if (!u->station) return;
  for (size_t i = 0; i < list->n; i++) {
    const scn__node *item = list->item[i], *v;
    if (!scn__expect_map(c, item, "station")) continue;
    scn__check_keys(c, item, "station", keys);
    scn_lgs_station st = {.phase = -1};
    if ((v = scn__need(c, item, "phase", "station"))) st.phase = plan_ref(c, v, "phase");
    if ((v = scn__need(c, item, "at", "station")) && scn__latlon(c, v, "at", &st.lat, &st.lon))
      st.phase = -1;
    if (st.phase >= 0) u->station[u->nstation++] = st;
  }
}

/* `task: id` or `task: [id, ...]`: the plan's tasks under whose authority it is supplied. */
static void load_tasks(lgs_loader *G, const scn__node *v, scn_lgs_consumer *u) {
  scn__ctx *c = G->c;
  size_t n = v->kind == SCN__SEQ ? v->n : 1;
  u->task = scn__alloc(c, c->mem, (n + 1) * sizeof *u->task);
  if (!u->task) return;
  for (size_t i = 0; i < n; i++) {
    int t = plan_ref(c, v->kind == SCN__SEQ ? v->item[i] : v, "task");
    if (t >= 0) u->task[u->ntask++] = t;
  }
}

static void load_consumer(lgs_loader *G, const scn__node *item, scn_lgs_consumer *out) {
  static const char *const keys[] = {"id",       "name",   "place",   "at",     "track",
                                     "stations", "port",   "airfield", "demand", "on_hand",
                                     "target",   "priority", "surge",  "task",   "route",
                                     NULL};
  scn__ctx *c = G->c;
  const scn__node *v, *place = scn__get(item, "place"), *at = scn__get(item, "at"),
                      *track = scn__get(item, "track");
  scn__check_keys(c, item, "consumer", keys);
  scn_lgs_consumer u = {.name = "", .place = -1, .port = -1, .airfield = -1, .on_hand = 3 * 86400.0,
                        .target = 5 * 86400.0, .route = -1, .loc = scn__loc(item)};
  int idx = scn__item_id(c, item, &G->consumers, &u.id);
  if ((v = scn__get(item, "name"))) scn__text(c, v, "name", &u.name);
  if ((place != NULL) + (at != NULL) + (track != NULL) != 1) {
    scn__error(c, item, "a consumer takes exactly one of 'place', 'at' or 'track'");
  } else if (track) {
    load_track(G, track, &u);
  } else if (place) {
    u.place = place_ref(c, place, "place", NULL, NULL);
    if (u.place >= 0) {
      const scn_place *p = &c->sc->place[u.place];
      u.lat = p->lat, u.lon = p->lon;
      if (strcmp(p->kind, "port") == 0) u.port = u.place;
      if (strcmp(p->kind, "airfield") == 0 || strcmp(p->kind, "base") == 0) u.airfield = u.place;
    }
  } else {
    scn__latlon(c, at, "at", &u.lat, &u.lon);
  }
  if ((v = scn__get(item, "port"))) u.port = place_ref(c, v, "port", "port", NULL);
  if ((v = scn__get(item, "airfield"))) u.airfield = place_ref(c, v, "airfield", "airfield", "base");
  u.demand = scn__alloc(c, c->mem, (G->L->ncommodity + 1) * sizeof *u.demand);
  u.demand_loc = scn__alloc(c, c->mem, (G->L->ncommodity + 1) * sizeof *u.demand_loc);
  if (!u.demand || !u.demand_loc) return;
  for (size_t k = 0; k < G->L->ncommodity; k++)
    u.demand[k] = dist_fixed(0), u.demand_loc[k] = scn__loc(item);
  if ((v = scn__need(c, item, "demand", "consumer"))) load_demand(G, v, u.demand, u.demand_loc);
  if ((v = scn__get(item, "on_hand"))) scn__quantity(c, v, "on_hand", QTY_DURATION, &u.on_hand);
  if ((v = scn__get(item, "target")) &&
      scn__quantity(c, v, "target", QTY_DURATION, &u.target) == 0 && !(u.target > 0))
    scn__error(c, v, "'target' must be greater than 0, got '%s'", v->str);
  u.priority = priority(c, item);
  if ((v = scn__get(item, "surge"))) load_surge(G, v, &u);
  if ((v = scn__get(item, "stations"))) {
    if (place) scn__error(c, v, "'stations' is for a consumer at sea ('at' or 'track'), not at a place");
    else load_stations(G, v, &u);
  }
  if ((v = scn__get(item, "task"))) load_tasks(G, v, &u);
  if ((v = scn__get(item, "route"))) {
    int r = scn__ids_resolve(c, &c->routes, v);
    if (r >= 0 && c->sc->route && strcmp(c->sc->route[r].kind, "sea") != 0)
      scn__error(c, v, "route '%s' is of kind '%s': a consumer's ships follow a route of kind 'sea'", v->str,
                 c->sc->route[r].kind);
    else
      u.route = r;
  }
  if (idx >= 0) out[idx] = u;
}

static void load_consumers(lgs_loader *G, const scn__node *list) {
  scn__ctx *c = G->c;
  if (!scn__expect_seq(c, list, "consumers")) return;
  scn_lgs_consumer *out = scn__alloc(c, c->mem, (list->n + 1) * sizeof *out);
  if (!out) return;
  for (size_t i = 0; i < list->n; i++)
    if (scn__expect_map(c, list->item[i], "consumer")) load_consumer(G, list->item[i], out);
  G->L->consumer = out;
  G->L->nconsumer = G->consumers.n;
}

/* ---- transports -------------------------------------------------------------------- */

/* `serves: [consumer, ...]`: the consumers a class supplies (a fleet oiler its group). */
static void load_serves(lgs_loader *G, const scn__node *v, scn_lgs_transport *t) {
  scn__ctx *c = G->c;
  if (!scn__expect_seq(c, v, "serves")) return;
  t->serve = scn__alloc(c, c->mem, (v->n + 1) * sizeof *t->serve);
  if (!t->serve) return;
  for (size_t i = 0; i < v->n; i++) {
    int u = scn__ids_resolve(c, &G->consumers, v->item[i]);
    if (u >= 0) t->serve[t->nserve++] = u;
  }
}

static void load_transport(lgs_loader *G, const scn__node *item, scn_lgs_transport *t) {
  static const char *const keys[] = {"force",      "count",     "mode",        "speed",
                                     "capacity",   "hold",      "load_rate",   "unload_rate",
                                     "turnaround", "endurance", "rest",        "serves",
                                     NULL};
  static const char *const modes[] = {"sea", "air"};
  static const char *const holds[] = {"separate", "shared"};
  static const char *const rest_keys[] = {"after", "for", NULL};
  scn__ctx *c = G->c;
  const scn__node *v;
  scn__check_keys(c, item, "transport", keys);
  t->force = -1;
  t->loc = scn__loc(item);
  t->turnaround = dist_fixed(0);
  t->endurance = t->rest_after = INFINITY;
  t->capacity = zeros(G), t->load_rate = zeros(G), t->unload_rate = zeros(G);
  if (!t->capacity || !t->load_rate || !t->unload_rate) return;
  const scn_force *f = NULL;
  if ((v = scn__need(c, item, "force", "transport")) &&
      (t->force = scn__ids_resolve(c, &c->forces, v)) >= 0 && c->sc->force)
    f = &c->sc->force[t->force];
  if (f) {
    t->count = f->count, t->speed = f->speed;
    t->air = strstr(f->kind, "aircraft") != NULL;
    t->endurance = f->endurance;
  }
  long long n;
  if ((v = scn__get(item, "count")) && scn__integer(c, v, "count", 0, 100000, &n) == 0) {
    if (f && n > f->count)
      scn__error(c, v, "'count' is %lld but force '%s' has %d", n, f->id, f->count);
    t->count = (int)n;
  }
  if ((v = scn__get(item, "mode"))) scn__choice(c, v, "mode", modes, 2, &t->air);
  if ((v = scn__get(item, "speed"))) scn__quantity(c, v, "speed", QTY_SPEED, &t->speed);
  if (f && !(t->speed > 0))
    scn__error(c, v ? v : item, "transport '%s' needs a speed greater than 0 (here or in forces)",
               f->id);
  if ((v = scn__need(c, item, "capacity", "transport")))
    per_commodity(G, v, "capacity", PER_AMOUNT, t->capacity);
  if ((v = scn__need(c, item, "load_rate", "transport")))
    per_commodity(G, v, "load_rate", PER_RATE, t->load_rate);
  if ((v = scn__need(c, item, "unload_rate", "transport")))
    per_commodity(G, v, "unload_rate", PER_RATE, t->unload_rate);
  t->turnaround_loc = scn__loc(item);
  if ((v = scn__get(item, "turnaround"))) {
    t->turnaround_loc = scn__loc(v);
    scn__dist(c, v, "turnaround", QTY_DURATION, &t->turnaround);
  }
  if ((v = scn__get(item, "hold"))) scn__choice(c, v, "hold", holds, 2, &t->shared_hold);
  if ((v = scn__get(item, "endurance")) &&
      scn__quantity(c, v, "endurance", QTY_DURATION, &t->endurance) == 0 && !(t->endurance > 0))
    scn__error(c, v, "'endurance' must be greater than 0, got '%s'", v->str);
  if ((v = scn__get(item, "rest")) && scn__expect_map(c, v, "rest")) {
    const scn__node *w;
    scn__check_keys(c, v, "rest", rest_keys);
    if ((w = scn__need(c, v, "after", "rest")) &&
        scn__quantity(c, w, "after", QTY_DURATION, &t->rest_after) == 0 && !(t->rest_after > 0))
      scn__error(c, w, "'after' must be greater than 0, got '%s'", w->str);
    if ((w = scn__need(c, v, "for", "rest"))) scn__quantity(c, w, "for", QTY_DURATION, &t->rest_for);
  }
  if ((v = scn__get(item, "serves"))) load_serves(G, v, t);
  for (size_t k = 0; k < G->L->ncommodity; k++)
    if (t->capacity[k] > 0 && !(t->load_rate[k] > 0 && t->unload_rate[k] > 0))
      scn__error(c, item, "transport carries '%s' but has no load_rate or unload_rate for it",
                 G->L->commodity[k].id);
}

static void load_transports(lgs_loader *G, const scn__node *list) {
  scn__ctx *c = G->c;
  if (!scn__expect_seq(c, list, "transports")) return;
  scn_lgs_transport *out = scn__alloc(c, c->mem, (list->n + 1) * sizeof *out);
  if (!out) return;
  size_t n = 0;
  for (size_t i = 0; i < list->n; i++)
    if (scn__expect_map(c, list->item[i], "transport")) load_transport(G, list->item[i], &out[n++]);
  G->L->transport = out;
  G->L->ntransport = n;
}

/* ---- the section ------------------------------------------------------------------- */

static void *load_section(scn__ctx *c, const scn__node *m) {
  static const char *const keys[] = {"period",     "penalty",   "avoid_combat_areas", "full_loads",
                                     "planner",    "commodities", "ports",            "depots",
                                     "consumers",  "transports", NULL};
  static const char *const planners[] = {"auto", "network", "lp"};
  if (!scn__expect_map(c, m, "logistics")) return NULL;
  scn__check_keys(c, m, "logistics", keys);
  lgs_loader G = {.c = c};
  G.L = scn__alloc(c, c->mem, sizeof *G.L);
  if (!G.L) return NULL;
  scn__ids_init(&G.commodities, "commodity");
  scn__ids_init(&G.depots, "depot");
  scn__ids_init(&G.consumers, "consumer");
  scn_logistics *L = G.L;
  L->period = 86400;
  L->penalty = 10000 * 3600.0;
  L->avoid_combat = 1;
  L->full_loads = 1;
  const scn__node *v;
  if ((v = scn__get(m, "period")) && scn__quantity(c, v, "period", QTY_DURATION, &L->period) == 0 &&
      !(L->period >= 60))
    scn__error(c, v, "'period' must be at least 1min, got '%s'", v->str);
  if ((v = scn__get(m, "penalty")) &&
      scn__quantity(c, v, "penalty", QTY_DURATION, &L->penalty) == 0 && !(L->penalty > 0))
    scn__error(c, v, "'penalty' must be greater than 0, got '%s'", v->str);
  if ((v = scn__get(m, "avoid_combat_areas"))) scn__boolean(c, v, "avoid_combat_areas", &L->avoid_combat);
  if ((v = scn__get(m, "full_loads"))) scn__boolean(c, v, "full_loads", &L->full_loads);
  if ((v = scn__get(m, "planner"))) scn__choice(c, v, "planner", planners, 3, &L->planner);
  if ((v = scn__need(c, m, "commodities", "logistics"))) load_commodities(&G, v);
  if ((v = scn__get(m, "ports"))) load_ports(&G, v);
  if ((v = scn__need(c, m, "depots", "logistics"))) load_depots(&G, v);
  if ((v = scn__need(c, m, "consumers", "logistics"))) load_consumers(&G, v);
  if ((v = scn__need(c, m, "transports", "logistics"))) load_transports(&G, v);
  return L;
}

/* Consumers' positions, tracks and stations (they may be at sea): the theater box. */
static void grow(double box[4], double lat, double lon) {
  box[0] = fmin(box[0], lat), box[1] = fmax(box[1], lat);
  box[2] = fmin(box[2], lon), box[3] = fmax(box[3], lon);
}

static void extent(const void *section, const scn_scenario *sc, double box[4]) {
  (void)sc;
  const scn_logistics *L = section;
  for (size_t c = 0; c < L->nconsumer; c++) {
    const scn_lgs_consumer *u = &L->consumer[c];
    grow(box, u->lat, u->lon);
    for (size_t k = 0; k < u->ntrack; k++) grow(box, u->track[k].lat, u->track[k].lon);
    for (size_t k = 0; k < u->nstation; k++) grow(box, u->station[k].lat, u->station[k].lon);
  }
}

const scn_section lgs_section = {"logistics", load_section, extent};
