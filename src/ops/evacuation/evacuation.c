/* evacuation.c - the evacuation model on the kernel: units of each mode fly or sail
 * trips between assembly places and destinations in Japan, one group per trip, through
 * the places' lanes; closures and the plan's tasks stop new trips (docs/models.md
 * section 10).
 *
 * Random streams (module RNG_EVACUATION): purpose k draws mode k's turnarounds, so a
 * mode added later leaves the others' draws unchanged. */
#include "evacuation.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "geodesy.h"
#include "plan.h"
#include "rng.h"
#include "scn_evacuation.h"
#include "scn_plan.h"
#include "searoute.h"

#define NNATION 3
static const char *const nation_name[NNATION] = {"JP", "US", "other"};

static int nation_index(const char *n) {
  for (int k = 0; k < NNATION - 1; k++)
    if (strcmp(n, nation_name[k]) == 0) return k;
  return NNATION - 1;
}

struct evac_model {
  const scn_scenario *sc;
  const scn_evacuation *ev;
  int *gate;       /* [ngroup] START_GATE: the gate's index in the table, else -1 */
  int nused;       /* places the legs join */
  int *used_of;    /* [nplace] index among them, or -1 */
  double *air;     /* [nused * nused] geodesic, m */
  double *sea;     /* [nused * nused] over water, m (the geodesic without a sea) */
  long long total; /* people in every group */
  int m_evacuated, m_remaining, m_series, m_lost, m_trips, m_t[3], m_residents;
  int *m_by;       /* [NNATION * nmode] evacuated.<nation>.<mode>, or -1 */
};

/* ---- distances ------------------------------------------------------------------------ */

double evac_leg(const evac_model *m, int mode, int a, int b) {
  int u = m->used_of[a], v = m->used_of[b];
  if (u < 0 || v < 0) return geo_distance(m->sc->place[a].lat, m->sc->place[a].lon,
                                          m->sc->place[b].lat, m->sc->place[b].lon);
  const double *t = m->ev->mode[mode].by == SCN_EVAC_SEA ? m->sea : m->air;
  return t[u * m->nused + v];
}

static void use_place(evac_model *m, int p) {
  if (p >= 0 && m->used_of[p] < 0) m->used_of[p] = m->nused++;
}

/* The places legs join, and the distances between them: great circles for aircraft,
 * the sea router's paths for ships (the theater's sea, shared with logistics and
 * inspection: the same box and options, so geo_sea_open hands out the same one). */
static int legs(evac_model *m, diag *d) {
  const scn_scenario *sc = m->sc;
  const scn_evacuation *ev = m->ev;
  if (!(m->used_of = malloc((sc->nplace + 1) * sizeof *m->used_of))) return ERR_NOMEM;
  for (size_t p = 0; p < sc->nplace; p++) m->used_of[p] = -1;
  int any_sea = 0;
  for (size_t i = 0; i < ev->nmode; i++) {
    const scn_evac_mode *md = &ev->mode[i];
    use_place(m, md->base);
    for (size_t k = 0; k < md->nto; k++) use_place(m, md->to[k]);
    any_sea |= md->by == SCN_EVAC_SEA;
  }
  for (size_t g = 0; g < ev->ngroup; g++) use_place(m, ev->group[g].place);
  int *place = malloc((size_t)(m->nused + 1) * sizeof *place);
  int *src = malloc((size_t)(m->nused + 1) * sizeof *src);
  size_t nn = (size_t)m->nused * (size_t)m->nused;
  m->air = malloc((nn + 1) * sizeof *m->air);
  m->sea = malloc((nn + 1) * sizeof *m->sea);
  int err = place && src && m->air && m->sea ? 0 : ERR_NOMEM;
  for (size_t p = 0; !err && p < sc->nplace; p++)
    if (m->used_of[p] >= 0) place[m->used_of[p]] = (int)p;
  for (int u = 0; !err && u < m->nused; u++)
    for (int v = 0; v < m->nused; v++) {
      const scn_place *a = &sc->place[place[u]], *b = &sc->place[place[v]];
      m->air[u * m->nused + v] = m->sea[u * m->nused + v] = geo_distance(a->lat, a->lon, b->lat, b->lon);
    }
  geo_sea *sea = NULL;
  if (!err && any_sea && sc->coastline) {
    double bx[4];
    scn_theater_box(sc, 3, bx);
    geo_box box = {bx[0], bx[1], bx[2], bx[3]};
    geo_sea_options o = GEO_SEA_OPTIONS_INIT;
    o.coastline = sc->coastline;
    err = geo_sea_open(&sea, &box, &o, d);
    if (err == ERR_NOTFOUND) err = 0, sea = NULL; /* logistics warns; great circles */
  }
  for (int u = 0; !err && sea && u < m->nused; u++) {
    const scn_place *a = &sc->place[place[u]];
    if ((src[u] = geo_sea_source(sea, a->lat, a->lon)) < 0) err = src[u];
  }
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (!err && sea) err = geo_sea_cover_all(sea, src, m->nused, INFINITY,
                                           cpus < 1 ? 1 : cpus > 4 ? 4 : (int)cpus);
  for (int u = 0; !err && sea && u < m->nused; u++)
    for (int v = 0; v < m->nused; v++) {
      if (u == v) continue;
      const scn_place *b = &sc->place[place[v]];
      double x = geo_sea_distance(sea, src[u], b->lat, b->lon);
      if (isfinite(x)) m->sea[u * m->nused + v] = x;
    }
  /* A ship's leg the sea cannot join is sailed on the great circle: say so, once for
   * each (mode, from, to). */
  for (size_t i = 0; !err && sea && i < ev->nmode; i++) {
    const scn_evac_mode *md = &ev->mode[i];
    if (md->by != SCN_EVAC_SEA) continue;
    for (size_t g = 0; g < md->ngroup; g++) {
      int gp = md->group[g] >= 0 ? ev->group[md->group[g]].place : -1;
      int said = 0;
      for (size_t h = 0; h < g && !said; h++)
        said = md->group[h] >= 0 && ev->group[md->group[h]].place == gp;
      for (size_t k = 0; gp >= 0 && !said && k < md->nto; k++) {
        const scn_place *b = &sc->place[md->to[k]];
        if (!isfinite(geo_sea_distance(sea, src[m->used_of[gp]], b->lat, b->lon)))
          diag_report(d, DIAG_WARNING, md->loc.file, md->loc.line, md->loc.col,
                      "mode '%s' sails from '%s' to '%s', which the sea does not join "
                      "(coastline '%c'): the leg is the great circle",
                      md->id, sc->place[gp].id, b->id, geo_sea_coastline(sea));
      }
    }
  }
  geo_sea_close(sea);
  free(place), free(src);
  return err;
}

/* ---- checks and metrics --------------------------------------------------------------- */

static int same(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

int evac_check(const scn_scenario *sc, const struct plan_authorities *table, diag *d) {
  const scn_evacuation *ev = sc ? scn_evacuation_of(sc) : NULL;
  if (!ev || !table) return 0;
  const char *nation = plan_authorities_nation(table);
  int rc = 0;
  for (size_t i = 0; i < ev->nmode; i++) {
    const scn_evac_mode *md = &ev->mode[i];
    const scn_force *f = md->force >= 0 ? &sc->force[md->force] : NULL;
    if (md->op == SCN_EVAC_SDF) {
      if (f && !same(f->nation, nation)) {
        diag_report(d, DIAG_ERROR, md->loc.file, md->loc.line, md->loc.col,
                    "SDF mode '%s' uses force '%s' of '%s', not of %s", md->id, f->id,
                    f->nation ? f->nation : "", nation);
        rc = ERR_INPUT;
      }
      const scn_task *t = md->task >= 0 && sc->plan ? &sc->plan->task[md->task] : NULL;
      if (t && !same(t->owner, nation)) {
        diag_report(d, DIAG_ERROR, md->task_loc.file, md->task_loc.line, md->task_loc.col,
                    "SDF mode '%s' follows task '%s' owned by '%s': only a task of %s is "
                    "gated by the authorities table", md->id, t->id, t->owner ? t->owner : "",
                    nation);
        rc = ERR_INPUT;
      }
      int planned = 0;
      for (size_t k = 0; t && k < t->nasset; k++)
        if (t->asset[k].force == md->force) planned += t->asset[k].count;
      if (t && md->count > planned)
        diag_report(d, DIAG_WARNING, md->loc.file, md->loc.line, md->loc.col,
                    "mode '%s' has %d units of '%s', but task '%s' of the plan assigns %d",
                    md->id, md->count, f ? f->id : "", t->id, planned);
    } else if (f && same(f->nation, nation)) {
      diag_report(d, DIAG_ERROR, md->loc.file, md->loc.line, md->loc.col,
                  "mode '%s' uses force '%s' of %s: a force of %s carries evacuees only as "
                  "an SDF mode ('operator: sdf') under a plan task", md->id, f->id, nation, nation);
      rc = ERR_INPUT;
    } else if (md->op == SCN_EVAC_US && f && !same(f->nation, "US")) {
      diag_report(d, DIAG_WARNING, md->loc.file, md->loc.line, md->loc.col,
                  "US mode '%s' uses force '%s' of '%s'", md->id, f->id, f->nation ? f->nation : "");
    }
    for (size_t k = 0; k < md->nto; k++) {
      const scn_place *p = &sc->place[md->to[k]];
      if (!same(p->nation, nation))
        diag_report(d, DIAG_WARNING, md->loc.file, md->loc.line, md->loc.col,
                    "mode '%s' takes evacuees to '%s', not a place of %s", md->id, p->id, nation);
    }
  }
  return rc;
}

static int resolve_gates(evac_model *m, const plan_authorities *table, diag *d) {
  const scn_evacuation *ev = m->ev;
  int rc = 0;
  if (!(m->gate = malloc((ev->ngroup + 1) * sizeof *m->gate))) return ERR_NOMEM;
  for (size_t g = 0; g < ev->ngroup; g++) {
    const scn_evac_group *gr = &ev->group[g];
    m->gate[g] = -1;
    if (gr->start_kind != SCN_EVAC_START_GATE || !gr->start_gate) continue;
    if ((m->gate[g] = plan_authorities_find(table, PLAN_GATES, gr->start_gate)) < 0) {
      diag_report(d, DIAG_ERROR, gr->start_loc.file, gr->start_loc.line, gr->start_loc.col,
                  "unknown gate '%s' in the authorities table %s", gr->start_gate,
                  plan_authorities_path(table));
      rc = ERR_INPUT;
    } else if (!plan_scenario_uses(m->sc)) {
      diag_report(d, DIAG_WARNING, gr->start_loc.file, gr->start_loc.line, gr->start_loc.col,
                  "gate '%s' opens only by a 'situations:' gate entry, and the scenario has "
                  "none: group '%s' never leaves", gr->start_gate, gr->id);
    }
  }
  return rc;
}

static int define(metric_set *ms, const char *name, const char *unit, unsigned flags,
                  const char *text) {
  return metric_define(ms, "evacuation", name, unit, flags, text);
}

static int define_metrics(evac_model *m, metric_set *ms) {
  const scn_evacuation *ev = m->ev;
  int rc;
  if ((rc = m->m_evacuated = define(ms, "evacuated", "1", METRIC_HEADLINE | METRIC_HIGHER_BETTER,
                                    "people delivered to their destinations by the horizon")) < 0 ||
      (rc = m->m_remaining = define(ms, "remaining", "1", METRIC_HEADLINE | METRIC_LOWER_BETTER,
                                    "people of every group not yet delivered at the horizon")) < 0 ||
      (rc = m->m_series = define(ms, "remaining.t", "1", METRIC_SERIES | METRIC_LOWER_BETTER,
                                 "people not yet delivered, over time")) < 0 ||
      (rc = m->m_lost = define(ms, "lost_to_closures", "1", METRIC_LOWER_BETTER,
                               "people still waiting at an assembly place that is closed at "
                               "the horizon (its closure outlasts the run)")) < 0 ||
      (rc = m->m_trips = define(ms, "trips", "1", 0, "loaded trips delivered")) < 0)
    return rc;
  static const char *const tn[3] = {"time_to_50", "time_to_90", "time_to_100"};
  static const char *const tt[3] = {"time until half of all evacuees were delivered",
                                    "time until 90% of all evacuees were delivered",
                                    "time until every evacuee was delivered"};
  for (int k = 0; k < 3; k++)
    if ((rc = m->m_t[k] = define(ms, tn[k], "s", METRIC_LOWER_BETTER, tt[k])) < 0) return rc;
  m->m_residents = -1;
  for (size_t g = 0; g < ev->ngroup; g++)
    if (ev->group[g].kind == SCN_EVAC_RESIDENTS) {
      if ((rc = m->m_residents = define(ms, "evacuated.residents", "1", METRIC_HIGHER_BETTER,
                                        "residents of Japan delivered (Civil Protection Act)")) < 0)
        return rc;
      break;
    }
  if (!(m->m_by = malloc((NNATION * ev->nmode + 1) * sizeof *m->m_by))) return ERR_NOMEM;
  for (size_t i = 0; i < NNATION * ev->nmode; i++) m->m_by[i] = -1;
  for (int n = 0; n < NNATION; n++)
    for (size_t i = 0; i < ev->nmode; i++) {
      const scn_evac_mode *md = &ev->mode[i];
      int serves = 0;
      for (size_t g = 0; g < md->ngroup; g++)
        serves |= md->group[g] >= 0 && nation_index(ev->group[md->group[g]].nation) == n;
      if (!serves) continue;
      char name[200], text[260];
      snprintf(name, sizeof name, "evacuated.%s.%s", nation_name[n], md->id);
      snprintf(text, sizeof text, "people of nation %s delivered by mode '%s' (%s)",
               nation_name[n], md->id, scn_evac_operator_name(md->op));
      if ((rc = m->m_by[n * ev->nmode + i] = define(ms, name, "1", 0, text)) < 0) return rc;
    }
  return 0;
}

int evac_model_new_with(evac_model **out, const scn_scenario *sc,
                        const struct plan_authorities *table, metric_set *ms, diag *d) {
  *out = NULL;
  const scn_evacuation *ev = scn_evacuation_of(sc);
  if (!ev) return 0;
  evac_model *m = calloc(1, sizeof *m);
  if (!m) return ERR_NOMEM;
  m->sc = sc, m->ev = ev;
  plan_authorities *own = NULL;
  diag *quiet = d ? NULL : diag_new();
  int rc = d || quiet ? 0 : ERR_NOMEM;
  if (!rc && !table) rc = plan_authorities_load(&own, plan_authorities_default_path(), d ? d : quiet);
  if (!table) table = own;
  if (!rc) rc = evac_check(sc, table, d);
  if (!rc) rc = resolve_gates(m, table, d ? d : quiet);
  plan_authorities_free(own);
  diag_free(quiet);
  for (size_t g = 0; g < ev->ngroup; g++) m->total += ev->group[g].count;
  if (!rc) rc = legs(m, d);
  if (!rc) rc = define_metrics(m, ms);
  if (rc) {
    evac_model_free(m);
    return rc;
  }
  *out = m;
  return 0;
}

void evac_model_free(evac_model *m) {
  if (!m) return;
  free(m->gate), free(m->used_of), free(m->air), free(m->sea), free(m->m_by);
  free(m);
}

/* ---- one replication -------------------------------------------------------------------- */

enum unit_state {
  U_IDLE,       /* at pos, free for a trip */
  U_TO_PICKUP,  /* flying or sailing empty to its group's place */
  U_WAIT_PICKUP, /* at a closed assembly place */
  U_LOADING,    /* waiting for a lane, or loading */
  U_WAIT_DEPART, /* loaded, at a closed place or with every destination closed */
  U_TO_DROP,
  U_WAIT_DROP,  /* at a closed destination */
  U_UNLOADING,
  U_TURNAROUND
};

typedef struct unit {
  evac_run *run;
  int mode, pos, state;
  int group, dest; /* the trip's, or -1 */
  long long load;  /* people reserved (then aboard) */
  int lift;        /* holds a unit of its force's shared pool (sim_lift_take) */
  int polling;     /* a retry for a pool unit is scheduled */
} unit;

typedef struct group_state {
  int released;
  double released_at;
  long long unassigned, boarded, delivered;
} group_state;

struct evac_run {
  const evac_model *m;
  sim *s;
  metric_out *out;
  group_state *g;   /* [ngroup] */
  unit *u;          /* [nunit] */
  size_t nunit;
  char *open;       /* [nplace] */
  char *task_on;    /* [ntask + 1] */
  sim_resource **lane; /* [nfacility] */
  rng_stream *rng;  /* [nmode] */
  long long delivered, trips, max_load;
  int dispatch_pending; /* a dispatch_now is scheduled */
  double t[3];      /* first times past 50, 90 and 100% */
  double *by;       /* [NNATION * nmode] people delivered by nation and mode */
  int *reserved;    /* [nmode] units a `lift: first` mode reserves in its force's pool */
};

#define LIFT_POLL 900.0 /* s between looks for a free unit of a shared force */

static void dispatch_all(evac_run *r);
static void arrive_pickup(sim *s, void *ctx);
static void arrive_drop(sim *s, void *ctx);

static const scn_evac_mode *mode_of(const unit *u) { return &u->run->m->ev->mode[u->mode]; }

static int mode_may_run(const evac_run *r, const scn_evac_mode *md) {
  return md->task < 0 || r->task_on[md->task];
}

/* The group a free unit takes next (the priority rule, docs/models.md section 10):
 * among the released groups it serves with people not yet assigned, at an open place,
 * the lowest `priority`, then the earliest released, then the first in the file. */
static int pick_group(const evac_run *r, const unit *u) {
  const scn_evacuation *ev = r->m->ev;
  const scn_evac_mode *md = mode_of(u);
  int best = -1;
  for (size_t k = 0; k < md->ngroup; k++) {
    int g = md->group[k];
    const group_state *gs = &r->g[g];
    if (!gs->released || gs->unassigned <= 0 || !r->open[ev->group[g].place]) continue;
    if (best < 0 || ev->group[g].priority < ev->group[best].priority ||
        (ev->group[g].priority == ev->group[best].priority &&
         (gs->released_at < r->g[best].released_at ||
          (gs->released_at == r->g[best].released_at && g < best))))
      best = g;
  }
  return best;
}

static double leg_time(const unit *u, int a, int b) {
  return a == b ? 0 : evac_leg(u->run->m, u->mode, a, b) / mode_of(u)->speed;
}

static void fail(evac_run *r, int err) { sim_fail(r->s, err); }

static void try_dispatch(unit *u);

static void lift_poll(sim *s, void *ctx) {
  (void)s;
  unit *u = ctx;
  u->polling = 0;
  try_dispatch(u);
}

/* A unit of a mode with a force takes one of the force's pool (sim.h, shared lift): a
 * `lift: first` mode one it reserved, else one free beyond the reservations.  With
 * none free the unit looks again LIFT_POLL later (logistics gives units back without
 * a signal).  1 when the unit may go. */
static int take_lift(unit *u) {
  evac_run *r = u->run;
  const scn_evac_mode *md = mode_of(u);
  if (md->force < 0) return 1;
  int from_reserved = md->lift_first && r->reserved[u->mode] > 0;
  if (sim_lift_take(r->s, md->force, from_reserved)) {
    r->reserved[u->mode] -= from_reserved;
    return u->lift = 1;
  }
  if (!u->polling) {
    u->polling = 1;
    if (sim_after(r->s, LIFT_POLL, lift_poll, u)) sim_fail(r->s, ERR_LIMIT);
  }
  return 0;
}

/* Whether some group the mode serves is not released yet or has people not assigned. */
static int mode_has_work(const evac_run *r, int mode) {
  const scn_evac_mode *md = &r->m->ev->mode[mode];
  for (size_t k = 0; k < md->ngroup; k++)
    if (!r->g[md->group[k]].released || r->g[md->group[k]].unassigned > 0) return 1;
  return 0;
}

/* A unit free again gives its pool unit back; a `lift: first` mode reserves it again
 * while it has work, and drops its whole reservation once it has none. */
static void give_lift(unit *u) {
  evac_run *r = u->run;
  const scn_evac_mode *md = mode_of(u);
  if (!u->lift) return;
  u->lift = 0;
  sim_lift_give(r->s, md->force);
  if (!md->lift_first) return;
  if (mode_has_work(r, u->mode)) {
    r->reserved[u->mode]++;
    sim_lift_reserve(r->s, md->force, 1);
  } else if (r->reserved[u->mode] > 0) {
    sim_lift_reserve(r->s, md->force, -r->reserved[u->mode]);
    r->reserved[u->mode] = 0;
  }
}

/* A free unit at an open place starts a trip if its task runs and a group waits. */
static void try_dispatch(unit *u) {
  evac_run *r = u->run;
  if (u->state != U_IDLE || !r->open[u->pos] || !mode_may_run(r, mode_of(u))) return;
  int g = pick_group(r, u);
  if (g < 0 || !take_lift(u)) return;
  group_state *gs = &r->g[g];
  u->group = g;
  u->load = gs->unassigned < mode_of(u)->capacity ? gs->unassigned : mode_of(u)->capacity;
  gs->unassigned -= u->load;
  u->state = U_TO_PICKUP;
  int err = sim_after(r->s, leg_time(u, u->pos, r->m->ev->group[g].place), arrive_pickup, u);
  if (err) fail(r, err);
}

static void dispatch_now(sim *s, void *ctx) {
  (void)s;
  evac_run *r = ctx;
  r->dispatch_pending = 0;
  for (size_t i = 0; i < r->nunit; i++) try_dispatch(&r->u[i]);
  /* A `lift: first` mode left with no work frees the units it still reserves. */
  for (size_t i = 0; i < r->m->ev->nmode; i++)
    if (r->reserved[i] > 0 && !mode_has_work(r, (int)i)) {
      sim_lift_reserve(r->s, r->m->ev->mode[i].force, -r->reserved[i]);
      r->reserved[i] = 0;
    }
}

/* Free units look for work once everything else due now has run: groups released at
 * the same instant are all seen before one is chosen (the priority rule holds). */
static void dispatch_all(evac_run *r) {
  if (r->dispatch_pending) return;
  r->dispatch_pending = 1;
  int err = sim_after(r->s, 0, dispatch_now, r);
  if (err) fail(r, err);
}

static const scn_evac_facility *facility(const evac_run *r, int place, sim_resource **lane) {
  int f = r->m->ev->facility_of[place];
  *lane = f >= 0 ? r->lane[f] : NULL;
  return f >= 0 ? &r->m->ev->facility[f] : NULL;
}

static void loaded(sim *s, void *ctx);
static void unloaded(sim *s, void *ctx);

/* A lane granted: hold it for the loading or unloading time. */
static void lane_granted(sim *s, void *ctx) {
  unit *u = ctx;
  sim_resource *lane;
  const scn_evac_facility *f = facility(u->run, u->pos, &lane);
  int loading = u->state == U_LOADING;
  double t = f ? (loading ? f->load : f->unload) : 0;
  int err = sim_after(s, t, loading ? loaded : unloaded, u);
  if (err) fail(u->run, err);
}

static void use_lane(unit *u) {
  sim_resource *lane;
  facility(u->run, u->pos, &lane);
  int err = lane ? sim_request(lane, lane_granted, u) : sim_after(u->run->s, 0, lane_granted, u);
  if (err) fail(u->run, err);
}

static void free_lane(unit *u) {
  sim_resource *lane;
  facility(u->run, u->pos, &lane);
  if (lane) sim_release(lane);
}

static void start_loading(unit *u) {
  if (!u->run->open[u->pos]) {
    u->state = U_WAIT_PICKUP;
    return;
  }
  u->state = U_LOADING;
  use_lane(u);
}

static void arrive_pickup(sim *s, void *ctx) {
  (void)s;
  unit *u = ctx;
  u->pos = u->run->m->ev->group[u->group].place;
  start_loading(u);
}

/* Loaded: leave for the first open destination, once the place itself is open. */
static void depart(unit *u) {
  evac_run *r = u->run;
  const scn_evac_mode *md = mode_of(u);
  u->state = U_WAIT_DEPART;
  if (!r->open[u->pos]) return;
  for (size_t k = 0; k < md->nto; k++)
    if (r->open[md->to[k]]) {
      u->dest = md->to[k];
      u->state = U_TO_DROP;
      int err = sim_after(r->s, leg_time(u, u->pos, u->dest), arrive_drop, u);
      if (err) fail(r, err);
      return;
    }
}

static void loaded(sim *s, void *ctx) {
  (void)s;
  unit *u = ctx;
  free_lane(u);
  u->run->g[u->group].boarded += u->load;
  depart(u);
}

static void start_unloading(unit *u) {
  if (!u->run->open[u->pos]) {
    u->state = U_WAIT_DROP;
    return;
  }
  u->state = U_UNLOADING;
  use_lane(u);
}

static void arrive_drop(sim *s, void *ctx) {
  (void)s;
  unit *u = ctx;
  u->pos = u->dest;
  start_unloading(u);
}

static void turned_around(sim *s, void *ctx) {
  (void)s;
  unit *u = ctx;
  u->state = U_IDLE;
  give_lift(u);
  try_dispatch(u);
}

static void note_remaining(evac_run *r) {
  if (r->out && metric_point_add(r->out, r->m->m_series, sim_now(r->s),
                                 (double)(r->m->total - r->delivered)) < 0)
    fail(r, ERR_LIMIT);
}

static void unloaded(sim *s, void *ctx) {
  unit *u = ctx;
  evac_run *r = u->run;
  const evac_model *m = r->m;
  free_lane(u);
  group_state *gs = &r->g[u->group];
  if (NEVER(u->load > mode_of(u)->capacity)) fail(r, ERR_RANGE);
  gs->delivered += u->load;
  r->delivered += u->load;
  r->trips++;
  if (u->load > r->max_load) r->max_load = u->load;
  r->by[nation_index(m->ev->group[u->group].nation) * m->ev->nmode + (size_t)u->mode] += (double)u->load;
  static const double frac[3] = {0.5, 0.9, 1.0};
  for (int k = 0; k < 3; k++)
    if (isnan(r->t[k]) && (double)r->delivered >= frac[k] * (double)m->total) r->t[k] = sim_now(s);
  note_remaining(r);
  u->group = u->dest = -1, u->load = 0;
  u->state = U_TURNAROUND;
  const scn_evac_mode *md = mode_of(u);
  double t = dist_sample(&md->turnaround, &r->rng[u->mode]);
  sim_blame b = {md->turnaround_loc.file, md->turnaround_loc.line, md->turnaround_loc.col,
                 "the turnaround of evacuation mode", md->id, t};
  if (sim_after_drawn(s, t, turned_around, u, &b)) return;
  dispatch_all(r); /* people of this trip's group left unassigned may now go */
}

/* A place reopened: units held there go on, loaded units waiting for a destination try
 * again, free units look for work. */
static void on_site(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  evac_run *r = ctx;
  if (sig->place < 0 || (size_t)sig->place >= r->m->sc->nplace) return;
  r->open[sig->place] = (char)(sig->open != 0);
  if (!sig->open) return;
  for (size_t i = 0; i < r->nunit; i++) {
    unit *u = &r->u[i];
    if (u->state == U_WAIT_PICKUP && u->pos == sig->place) start_loading(u);
    else if (u->state == U_WAIT_DROP && u->pos == sig->place) start_unloading(u);
    else if (u->state == U_WAIT_DEPART) depart(u);
  }
  dispatch_all(r);
}

static void release_group(evac_run *r, size_t g) {
  if (r->g[g].released) return;
  r->g[g].released = 1;
  r->g[g].released_at = sim_now(r->s);
  dispatch_all(r);
}

typedef struct kick {
  evac_run *r;
  size_t g;
} kick;

static void kick_group(sim *s, void *ctx) {
  (void)s;
  kick *k = ctx;
  release_group(k->r, k->g);
}

static void on_event(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  evac_run *r = ctx;
  const scn_evacuation *ev = r->m->ev;
  for (size_t g = 0; g < ev->ngroup; g++) {
    const scn_evac_group *gr = &ev->group[g];
    if ((sig->type == SIG_EVENT_OCCURRED && gr->start_kind == SCN_EVAC_START_EVENT &&
         gr->start_event == sig->event) ||
        (sig->type == SIG_SITUATION_CHANGED && gr->start_kind == SCN_EVAC_START_SITUATION &&
         sig->situation >= gr->start_situation) ||
        (sig->type == SIG_GATE_OPENED && gr->start_kind == SCN_EVAC_START_GATE && sig->open &&
         sig->gate == r->m->gate[g] && r->m->gate[g] >= 0))
      release_group(r, g);
  }
}

static void on_task(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  evac_run *r = ctx;
  const scn_plan *p = r->m->sc->plan;
  if (!p || sig->task < 0 || (size_t)sig->task >= p->ntask) return;
  r->task_on[sig->task] = (char)(sig->open != 0);
  if (sig->open) dispatch_all(r);
}

evac_run *evac_start(const evac_model *m, sim *s, arena *a, metric_out *out, uint64_t seed,
                     uint32_t rep) {
  const scn_scenario *sc = m->sc;
  const scn_evacuation *ev = m->ev;
  size_t nby = NNATION * ev->nmode;
  evac_run *r = arena_alloc(a, sizeof *r);
  if (!r) return NULL;
  memset(r, 0, sizeof *r);
  if (!(r->by = arena_alloc(a, (nby + 1) * sizeof *r->by))) return NULL;
  for (size_t i = 0; i < nby; i++) r->by[i] = 0;
  r->m = m, r->s = s, r->out = out;
  size_t ntask = sc->plan ? sc->plan->ntask : 0;
  for (size_t i = 0; i < ev->nmode; i++) r->nunit += (size_t)ev->mode[i].count;
  r->g = arena_alloc(a, (ev->ngroup + 1) * sizeof *r->g);
  r->u = arena_alloc(a, (r->nunit + 1) * sizeof *r->u);
  r->open = arena_alloc(a, sc->nplace + 1);
  r->task_on = arena_alloc(a, ntask + 1);
  r->lane = arena_alloc(a, (ev->nfacility + 1) * sizeof *r->lane);
  r->rng = arena_alloc(a, (ev->nmode + 1) * sizeof *r->rng);
  kick *k = arena_alloc(a, (ev->ngroup + 1) * sizeof *k);
  r->reserved = arena_calloc(a, ev->nmode + 1, sizeof *r->reserved);
  if (!r->g || !r->u || !r->open || !r->task_on || !r->lane || !r->rng || !k || !r->reserved)
    return NULL;
  /* Forces' units are one pool with logistics' transports of the same force. */
  if (sim_lifts(s, sc->nforce)) return NULL;
  for (size_t i = 0; i < ev->nmode; i++) {
    const scn_evac_mode *md = &ev->mode[i];
    if (md->force < 0) continue;
    sim_lift_set(s, md->force, sc->force[md->force].count);
    if (md->lift_first) {
      r->reserved[i] = md->count;
      sim_lift_reserve(s, md->force, md->count);
    }
  }
  memset(r->open, 1, sc->nplace + 1);
  memset(r->task_on, 0, ntask + 1);
  for (int j = 0; j < 3; j++) r->t[j] = NAN;
  /* A facility is its place's berths or gates, shared with logistics there (sim.h). */
  if (sim_berths(s, sc->nplace)) return NULL;
  for (size_t f = 0; f < ev->nfacility; f++)
    if (!(r->lane[f] = sim_berth(s, a, ev->facility[f].place, ev->facility[f].lanes))) return NULL;
  size_t n = 0;
  for (size_t i = 0; i < ev->nmode; i++) {
    rng_init(&r->rng[i], seed, rep, RNG_EVACUATION, (uint32_t)i);
    for (int c = 0; c < ev->mode[i].count; c++, n++)
      r->u[n] = (unit){r, (int)i, ev->mode[i].base, U_IDLE, -1, -1, 0, 0, 0};
  }
  for (size_t g = 0; g < ev->ngroup; g++) {
    r->g[g] = (group_state){0, NAN, ev->group[g].count, 0, 0};
    k[g] = (kick){r, g};
    if (ev->group[g].start_kind == SCN_EVAC_START_AT &&
        sim_at(s, ev->group[g].start_at, kick_group, &k[g]))
      return NULL;
  }
  if (sim_subscribe(s, SIG_SITE_STATUS, on_site, r) ||
      sim_subscribe(s, SIG_EVENT_OCCURRED, on_event, r) ||
      sim_subscribe(s, SIG_SITUATION_CHANGED, on_event, r) ||
      sim_subscribe(s, SIG_GATE_OPENED, on_event, r) ||
      sim_subscribe(s, SIG_TASK_STATUS, on_task, r))
    return NULL;
  if (out && metric_point_add(out, m->m_series, 0, (double)m->total) < 0) return NULL;
  return r;
}

void evac_collect(const evac_run *r, sim *s, metric_out *out) {
  (void)s;
  const evac_model *m = r->m;
  const scn_evacuation *ev = m->ev;
  metric_put(out, m->m_evacuated, (double)r->delivered);
  metric_put(out, m->m_remaining, (double)(m->total - r->delivered));
  metric_put(out, m->m_trips, (double)r->trips);
  /* Lost to closures: people of released groups still at their assembly place (not
   * boarded) when that place is closed at the horizon (docs/models.md section 10). */
  double lost = 0, residents = 0;
  for (size_t g = 0; g < ev->ngroup; g++) {
    const group_state *gs = &r->g[g];
    if (gs->released && !r->open[ev->group[g].place])
      lost += (double)(ev->group[g].count - gs->boarded);
    if (ev->group[g].kind == SCN_EVAC_RESIDENTS) residents += (double)gs->delivered;
  }
  metric_put(out, m->m_lost, lost);
  if (m->m_residents >= 0) metric_put(out, m->m_residents, residents);
  for (int k = 0; k < 3; k++) metric_put(out, m->m_t[k], r->t[k]);
  for (size_t i = 0; i < NNATION * ev->nmode; i++)
    if (m->m_by[i] >= 0) metric_put(out, m->m_by[i], r->by[i]);
}

long long evac_run_trips(const evac_run *r) { return r->trips; }
long long evac_run_max_load(const evac_run *r) { return r->max_load; }
long long evac_run_delivered(const evac_run *r) { return r->delivered; }
