/* sar.c - the search and rescue module of a Monte Carlo run: SIG_PERSON_MISSING
 * opens a case (particles seeded at the reported position), search units fly
 * sorties (transit, a planned rectangle, return, turnaround), each unsuccessful
 * search updates the particle weights (Bayes), and the true object -- one of the
 * particles, drawn at the start -- is found with the search's POD if it lies in the
 * rectangle.  Metrics: cumulative POS over time, time to locate, found alive. */
#include "sar.h"

#include "env.h"
#include "landmask.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "err.h"
#include "geo_polygon.h"
#include "gshhg.h"
#include "rng.h"
#include "scn_sar.h"

#define SAR_MAX_GRID 20000 /* cells of a probability map in the Monte Carlo run */
#define SAR_MIN_ON_SCENE 600.0 /* s: a sortie with less time on scene is not flown */

enum { PURPOSE_SEED = 1, PURPOSE_TRUTH, PURPOSE_SURVIVE, PURPOSE_DETECT };

struct sar_model {
  const scn_scenario *sc;
  const scn_sar *cfg;
  env_field *current, *wind;
  geo_landmask land;
  int has_land;
  int m_cases, m_missing, m_found, m_alive, m_p_alive, m_ttl, m_pos, m_pos_series, m_effort,
      m_area, m_sorties, m_held;
};

typedef struct sar_case {
  int object, count, found, closed, alive;
  double t_open, t_drift, t_found, pos;
  sar_particles p;
  size_t truth;
  double *survival; /* [count] s */
} sar_case;

typedef struct sar_unit {
  sar *S;
  int asset, busy, kase;
  double base_lat, base_lon, on_scene, t_search;
  sar_rect rect;
} sar_unit;

struct sar {
  const sar_model *m;
  sim *s;
  metric_out *out;
  uint64_t seed;
  uint32_t rep;
  int ncase, missing, found, alive, sorties;
  double effort, area;
  sar_case *kase;   /* [max_cases] */
  sar_unit *unit;   /* [nunit] */
  size_t nunit;
  double *grid_p, *grid_a, *scratch; /* planning buffers, SAR_MAX_GRID cells */
  sar_drift_opts drift;
  uint8_t *combat; /* [nregion]: a combat_area region is active (combat under way) */
  int held;        /* sorties postponed because the datum was in combat */
};

/* ---- the model ---------------------------------------------------------------- */

static int load_field(env_field **out, const scn_sar_field *f, env_quantity q,
                      const scn_scenario *sc, diag *d) {
  if (!f->path) {
    *out = env_field_constant(f->east, f->north);
    return *out ? 0 : ERR_NOMEM;
  }
  return env_nc_read(out, f->path, q, sc->epoch_unix, d);
}

/* The theater's box (places, with a margin for drift), for the land mask. */
static void theater_box(const scn_scenario *sc, double box[4]) {
  box[0] = 90, box[1] = -90, box[2] = 360, box[3] = -180;
  for (size_t i = 0; i < sc->nplace; i++) {
    box[0] = fmin(box[0], sc->place[i].lat), box[1] = fmax(box[1], sc->place[i].lat);
    box[2] = fmin(box[2], sc->place[i].lon), box[3] = fmax(box[3], sc->place[i].lon);
  }
  for (size_t e = 0; e < sc->nevent; e++)
    for (size_t k = 0; k < sc->event[e].nraise; k++) {
      const scn_raise *r = &sc->event[e].raise[k];
      if (r->signal != SIG_PERSON_MISSING)
        continue;
      box[0] = fmin(box[0], r->lat), box[1] = fmax(box[1], r->lat);
      box[2] = fmin(box[2], r->lon), box[3] = fmax(box[3], r->lon);
    }
  if (box[0] > box[1])
    box[0] = 20, box[1] = 40, box[2] = 115, box[3] = 145;
  box[0] = fmax(-89, box[0] - 3), box[1] = fmin(89, box[1] + 3);
  box[2] = fmax(-180, box[2] - 3), box[3] = fmin(360, box[3] + 3);
}

/* No metric is a headline: cases occur in few replications of a crisis, and
 * --until-ci would wait on their rare observations. */
static int define(metric_set *ms, const char *name, const char *unit, unsigned flags,
                  const char *desc) {
  return metric_define(ms, "sar", name, unit, flags, desc);
}

int sar_model_new(sar_model **out, const scn_scenario *sc, metric_set *ms, diag *d) {
  *out = NULL;
  if (!sc->sar)
    return 0;
  sar_model *m = calloc(1, sizeof *m);
  int err;
  if (!m)
    return ERR_NOMEM;
  m->sc = sc, m->cfg = sc->sar;
  if ((err = load_field(&m->current, &m->cfg->current, ENV_CURRENT, sc, d)) ||
      (err = load_field(&m->wind, &m->cfg->wind, ENV_WIND, sc, d)))
    goto fail;
  if (m->cfg->land) {
    char path[1024];
    double box[4];
    theater_box(sc, box);
    if (geo_gshhg_find(path, sizeof path, NULL, 'i') == 0) {
      if ((err = geo_landmask_build(&m->land, path, box[0], box[1], box[2], box[3],
                                    m->cfg->land_res, d)))
        goto fail;
      m->has_land = 1;
    } else {
      diag_report(d, DIAG_WARNING, sc->path, 0, 0, "no GSHHG coastlines installed "
                  "(gmt-gshhg-low): search objects will not strand on land");
    }
  }
  if ((m->m_cases = define(ms, "cases", "1", 0, "search and rescue cases opened")) < 0 ||
      (m->m_missing = define(ms, "persons.missing", "1", 0, "persons reported missing")) < 0 ||
      (m->m_found = define(ms, "persons.found", "1", 0, "persons located")) < 0 ||
      (m->m_alive = define(ms, "persons.found_alive", "1", 0, "persons located alive")) < 0 ||
      (m->m_p_alive = define(ms, "p_found_alive", "1", 0,
                             "share of missing persons located alive")) < 0 ||
      (m->m_ttl = define(ms, "time_to_locate", "s", 0,
                         "first case: from the report to locating the object (NaN: not found)")) < 0 ||
      (m->m_pos = define(ms, "pos", "1", 0,
                         "cumulative probability of success of the first case's searches")) < 0 ||
      (m->m_pos_series = define(ms, "pos.t", "1", METRIC_SERIES,
                                "cumulative probability of success of the first case over time")) < 0 ||
      (m->m_effort = define(ms, "effort", "s", 0, "time on scene searching, all units")) < 0 ||
      (m->m_area = define(ms, "area", "m2", 0, "area searched, all sorties")) < 0 ||
      (m->m_sorties = define(ms, "sorties", "1", 0, "search sorties flown")) < 0 ||
      (m->m_held = define(ms, "sorties_held", "1", 0,
                          "take-offs postponed: the search datum lay where combat was under way")) < 0) {
    err = ERR_NOMEM;
    goto fail;
  }
  *out = m;
  return 0;
fail:
  sar_model_free(m);
  return err;
}

void sar_model_free(sar_model *m) {
  if (!m)
    return;
  env_field_free(m->current);
  env_field_free(m->wind);
  geo_landmask_release(&m->land);
  free(m);
}

/* ---- a case ------------------------------------------------------------------- */

/* Drift the case's particles up to time t (whole steps). */
static void case_advance(sar *S, sar_case *c, double t) {
  double dt = S->drift.dt;
  int n = (int)floor((t - c->t_drift) / dt);
  if (n <= 0)
    return;
  sar_drift(&c->p, c->t_drift, n, &S->drift);
  c->t_drift += n * dt;
}

static sar_case *active_case(sar *S, double now) {
  for (int i = 0; i < S->ncase; i++) {
    sar_case *c = &S->kase[i];
    if (c->closed)
      continue;
    if (now - c->t_open > S->m->cfg->search_limit) {
      c->closed = 1; /* called off */
      continue;
    }
    return c;
  }
  return NULL;
}

static void unit_takeoff(sim *s, void *ctx);

static void wake_units(sar *S, double delay_from_open) {
  for (size_t u = 0; u < S->nunit; u++) {
    sar_unit *un = &S->unit[u];
    if (un->busy)
      continue;
    un->busy = 1;
    double resp = S->m->cfg->asset[un->asset].response;
    if (sim_after(S->s, resp + delay_from_open, unit_takeoff, un))
      un->busy = 0;
  }
}

static void on_missing(sim *s, const sim_signal *sig, void *ctx) {
  sar *S = ctx;
  const scn_sar *cfg = S->m->cfg;
  S->missing += sig->count;
  if (S->ncase >= cfg->max_cases || sig->object < 0 || sig->object >= SCN_OBJ__COUNT)
    return; /* beyond the cases a replication tracks: counted missing, not searched */
  sar_case *c = &S->kase[S->ncase];
  int k = S->ncase++;
  arena *a = S->out->arena;
  if (!S->grid_p) { /* planning buffers, only in replications that have a case */
    S->grid_p = arena_alloc(a, SAR_MAX_GRID * sizeof *S->grid_p);
    S->grid_a = arena_alloc(a, SAR_MAX_GRID * sizeof *S->grid_a);
    /* (ny+1)(nx+2) <= cells + 2 ny + nx + 2: bounded by 3 * SAR_MAX_GRID + 2 */
    S->scratch = arena_alloc(a, (3 * SAR_MAX_GRID + 4) * sizeof *S->scratch);
    if (!S->grid_p || !S->grid_a || !S->scratch) {
      sim_fail(s, ERR_LIMIT);
      return;
    }
  }
  memset(c, 0, sizeof *c);
  c->object = sig->object, c->count = sig->count > 0 ? sig->count : 1;
  c->t_open = c->t_drift = sim_now(s);
  c->survival = arena_alloc(a, (size_t)c->count * sizeof *c->survival);
  if (!c->survival || sar_particles_alloc(&c->p, a, (size_t)cfg->particles)) {
    sim_fail(s, ERR_LIMIT);
    return;
  }
  rng_stream r;
  rng_init(&r, S->seed, S->rep, RNG_SAR, (uint32_t)(k << 4 | PURPOSE_SEED));
  sar_seed sd = {.object = c->object, .lat0 = sig->lat, .lon0 = sig->lon,
                 .sigma = cfg->position_sigma, .t0 = c->t_open, .t_window = cfg->time_window,
                 .count = (size_t)cfg->particles};
  sar_seed_point(&c->p, &sd, &r);
  rng_init(&r, S->seed, S->rep, RNG_SAR, (uint32_t)(k << 4 | PURPOSE_TRUTH));
  c->truth = (size_t)(rng_uniform(&r) * (double)c->p.n);
  if (c->truth >= c->p.n)
    c->truth = c->p.n - 1;
  rng_init(&r, S->seed, S->rep, RNG_SAR, (uint32_t)(k << 4 | PURPOSE_SURVIVE));
  for (int i = 0; i < c->count; i++)
    c->survival[i] = dist_sample(&cfg->survival[c->object], &r);
  wake_units(S, 0);
}

/* ---- a unit's sortie --------------------------------------------------------------- */

static void unit_home(sim *s, void *ctx) {
  sar_unit *un = ctx;
  const scn_sar_asset *as = &un->S->m->cfg->asset[un->asset];
  if (sim_after(s, as->turnaround, unit_takeoff, un))
    un->busy = 0;
}

static void weighted_centre(const sar_particles *p, double *lat, double *lon) {
  double a = 0, b = 0, w = 0;
  for (size_t i = 0; i < p->n; i++)
    a += p->w[i] * p->lat[i], b += p->w[i] * p->lon[i], w += p->w[i];
  *lat = w > 0 ? a / w : p->lat[0], *lon = w > 0 ? b / w : p->lon[0];
}

static double leg(double lat0, double lon0, double lat1, double lon1) {
  double x, y;
  sar_local_xy(lat0, lon0, lat1, lon1, &x, &y);
  return hypot(x, y);
}

static void unit_search_end(sim *s, void *ctx) {
  sar_unit *un = ctx;
  sar *S = un->S;
  const scn_sar_asset *as = &S->m->cfg->asset[un->asset];
  sar_case *c = &S->kase[un->kase];
  double now = sim_now(s);
  S->effort += un->on_scene, S->area += un->rect.area, S->sorties++;
  if (!c->closed) {
    case_advance(S, c, now);
    const sar_rect *r = &un->rect;
    double tl = c->p.lat[c->truth], to = c->p.lon[c->truth];
    int inside = tl >= r->lat_min && tl < r->lat_max && to >= r->lon_min && to < r->lon_max;
    rng_stream rs;
    rng_init(&rs, S->seed, S->rep, RNG_SAR,
             (uint32_t)(un->kase << 4 | PURPOSE_DETECT) + (uint32_t)S->sorties * 256u);
    double u = rng_uniform(&rs), when = rng_uniform(&rs);
    if (inside && u < r->pod) {
      c->found = c->closed = 1;
      c->t_found = un->t_search + when * un->on_scene;
      for (int i = 0; i < c->count; i++)
        c->alive += c->survival[i] > c->t_found - c->t_open;
      S->found += c->count, S->alive += c->alive;
    } else {
      double removed = sar_update_after_search(&c->p, r);
      c->pos = 1 - (1 - c->pos) * (1 - removed);
    }
    if (un->kase == 0 && metric_point_add(S->out, S->m->m_pos_series, now, c->found ? 1 : c->pos))
      sim_fail(s, ERR_LIMIT);
  }
  double back = leg(0.5 * (un->rect.lat_min + un->rect.lat_max),
                    0.5 * (un->rect.lon_min + un->rect.lon_max), un->base_lat, un->base_lon);
  if (sim_after(s, back / as->speed, unit_home, un))
    un->busy = 0;
}

static void unit_arrive(sim *s, void *ctx) {
  sar_unit *un = ctx;
  sar *S = un->S;
  const scn_sar_asset *as = &S->m->cfg->asset[un->asset];
  sar_case *c = &S->kase[un->kase];
  if (c->closed) { /* found by another unit meanwhile: go home */
    un->on_scene = 0;
    memset(&un->rect, 0, sizeof un->rect);
    un->rect.lat_min = un->rect.lat_max = un->base_lat;
    un->rect.lon_min = un->rect.lon_max = un->base_lon;
    if (sim_after(s, 0, unit_home, un))
      un->busy = 0;
    return;
  }
  case_advance(S, c, sim_now(s));
  sar_grid g;
  sar_grid_build(&g, &c->p, S->m->cfg->cell, SAR_MAX_GRID, S->grid_p, S->grid_a);
  sar_plan_rect(&un->rect, &g, as->sweep[c->object], as->speed * un->on_scene, S->scratch);
  un->t_search = sim_now(s);
  if (sim_after(s, un->on_scene, unit_search_end, un))
    un->busy = 0;
}

/* Whether (lat, lon) lies in a combat_area region the crisis has made active. */
static int in_combat(const sar *S, double lat, double lon) {
  const scn_scenario *sc = S->m->sc;
  for (size_t r = 0; r < sc->nregion; r++)
    if (S->combat[r] &&
        geo_point_in_polygon(lat, lon, sc->region[r].lat, sc->region[r].lon, sc->region[r].n))
      return 1;
  return 0;
}

static void on_region(sim *s, const sim_signal *sig, void *ctx) {
  sar *S = ctx;
  (void)s;
  const scn_scenario *sc = S->m->sc;
  if (sig->region < 0 || (size_t)sig->region >= sc->nregion)
    return;
  const char *kind = sc->region[sig->region].kind;
  if (kind && strcmp(kind, "combat_area") == 0)
    S->combat[sig->region] = sig->open ? 0 : 1;
}

static void unit_takeoff(sim *s, void *ctx) {
  sar_unit *un = ctx;
  sar *S = un->S;
  const scn_sar_asset *as = &S->m->cfg->asset[un->asset];
  double now = sim_now(s);
  sar_case *c = active_case(S, now);
  if (!c || !(as->sweep[c->object] > 0)) {
    un->busy = 0; /* idle until the next case opens (or cannot see this object) */
    return;
  }
  case_advance(S, c, now);
  double lat, lon;
  weighted_centre(&c->p, &lat, &lon);
  if (in_combat(S, lat, lon)) { /* SDF search is rear-area support: wait and retry */
    S->held++;
    if (sim_after(s, as->turnaround, unit_takeoff, un))
      un->busy = 0;
    return;
  }
  double transit = leg(un->base_lat, un->base_lon, lat, lon) / as->speed;
  un->on_scene = as->endurance - 2 * transit;
  un->kase = (int)(c - S->kase);
  if (un->on_scene < SAR_MIN_ON_SCENE) {
    un->busy = 0; /* out of reach for this unit */
    return;
  }
  if (sim_after(s, transit, unit_arrive, un))
    un->busy = 0;
}

/* ---- replication ------------------------------------------------------------------ */

sar *sar_start(const sar_model *m, sim *s, arena *a, metric_out *out, uint64_t seed,
               uint32_t rep) {
  const scn_sar *cfg = m->cfg;
  sar *S = arena_calloc(a, 1, sizeof *S);
  if (!S)
    return NULL;
  S->m = m, S->s = s, S->out = out, S->seed = seed, S->rep = rep;
  size_t nunit = 0;
  for (size_t i = 0; i < cfg->nasset; i++)
    nunit += (size_t)cfg->asset[i].count;
  S->kase = arena_calloc(a, (size_t)cfg->max_cases, sizeof *S->kase);
  S->unit = arena_calloc(a, nunit ? nunit : 1, sizeof *S->unit);
  S->combat = arena_calloc(a, m->sc->nregion ? m->sc->nregion : 1, 1);
  if (!S->kase || !S->unit || !S->combat)
    return NULL;
  S->nunit = nunit;
  for (size_t i = 0, u = 0; i < cfg->nasset; i++) {
    const scn_place *base = &m->sc->place[m->sc->force[cfg->asset[i].force].base];
    for (int k = 0; k < cfg->asset[i].count; k++, u++)
      S->unit[u] = (sar_unit){.S = S, .asset = (int)i, .base_lat = base->lat,
                              .base_lon = base->lon};
  }
  sar_drift_opts o = SAR_DRIFT_OPTS_INIT;
  o.current = m->current, o.wind = m->wind, o.land = m->has_land ? &m->land : NULL;
  o.dt = cfg->time_step, o.jibe_rate = cfg->jibe_rate, o.seed = seed, o.rep = rep;
  S->drift = o;
  if (sim_subscribe(s, SIG_PERSON_MISSING, on_missing, S) ||
      sim_subscribe(s, SIG_REGION_STATUS, on_region, S))
    return NULL;
  return S;
}

void sar_collect(const sar *S, sim *s, metric_out *out) {
  const sar_model *m = S->m;
  (void)s;
  metric_put(out, m->m_cases, S->ncase);
  metric_put(out, m->m_missing, S->missing);
  metric_put(out, m->m_found, S->found);
  metric_put(out, m->m_alive, S->alive);
  metric_put(out, m->m_p_alive, S->missing ? (double)S->alive / S->missing : NAN);
  metric_put(out, m->m_ttl, S->ncase && S->kase[0].found ? S->kase[0].t_found - S->kase[0].t_open : NAN);
  metric_put(out, m->m_pos, S->ncase ? (S->kase[0].found ? 1.0 : S->kase[0].pos) : NAN);
  metric_put(out, m->m_effort, S->effort);
  metric_put(out, m->m_area, S->area);
  metric_put(out, m->m_sorties, S->sorties);
  metric_put(out, m->m_held, S->held);
}

/* ---- a standalone plan ---------------------------------------------------------- */

int sar_plan_case(sar_plan *out, const sar_model *m, int object, double lat, double lon,
                  uint64_t seed, arena *a) {
  const scn_scenario *sc = m->sc;
  const scn_sar *cfg = m->cfg;
  memset(out, 0, sizeof *out);
  if (object < 0 || object >= SCN_OBJ__COUNT)
    return ERR_RANGE;
  size_t nunit = 0;
  for (size_t i = 0; i < cfg->nasset; i++)
    nunit += (size_t)cfg->asset[i].count;
  out->sortie = arena_calloc(a, nunit ? nunit : 1, sizeof *out->sortie);
  double *gp = arena_alloc(a, SAR_MAX_GRID * sizeof *gp);
  double *ga = arena_alloc(a, SAR_MAX_GRID * sizeof *ga);
  double *scr = arena_alloc(a, (3 * SAR_MAX_GRID + 4) * sizeof *scr);
  if (!out->sortie || !gp || !ga || !scr ||
      sar_particles_alloc(&out->p, a, (size_t)cfg->particles))
    return ERR_LIMIT;
  rng_stream r;
  rng_init(&r, seed, 0, RNG_SAR, PURPOSE_SEED);
  sar_seed sd = {.object = object, .lat0 = lat, .lon0 = lon, .sigma = cfg->position_sigma,
                 .t0 = 0, .t_window = cfg->time_window, .count = (size_t)cfg->particles};
  sar_seed_point(&out->p, &sd, &r);
  sar_drift_opts o = SAR_DRIFT_OPTS_INIT;
  o.current = m->current, o.wind = m->wind, o.land = m->has_land ? &m->land : NULL;
  o.dt = cfg->time_step, o.jibe_rate = cfg->jibe_rate, o.seed = seed, o.threads = 2;
  double t_now = 0, pos = 0;
  for (size_t i = 0; i < cfg->nasset; i++) {
    const scn_sar_asset *as = &cfg->asset[i];
    if (!(as->sweep[object] > 0))
      continue;
    const scn_place *base = &sc->place[sc->force[as->force].base];
    for (int k = 0; k < as->count; k++) {
      /* units of an asset take off together after its response time */
      double t_off = as->response, clat, clon;
      int n = (int)floor((t_off - t_now) / o.dt);
      if (n > 0)
        sar_drift(&out->p, t_now, n, &o), t_now += n * o.dt;
      weighted_centre(&out->p, &clat, &clon);
      double transit = leg(base->lat, base->lon, clat, clon) / as->speed;
      double on = as->endurance - 2 * transit;
      if (on < SAR_MIN_ON_SCENE)
        continue;
      n = (int)floor((t_off + transit - t_now) / o.dt);
      if (n > 0)
        sar_drift(&out->p, t_now, n, &o), t_now += n * o.dt;
      sar_sortie *so = &out->sortie[out->nsortie++];
      so->asset = (int)i, so->unit = k, so->t_start = t_off + transit, so->t_end = so->t_start + on;
      sar_grid_build(&out->grid, &out->p, cfg->cell, SAR_MAX_GRID, gp, ga);
      sar_plan_rect(&so->rect, &out->grid, as->sweep[object], as->speed * on, scr);
      double removed = sar_update_after_search(&out->p, &so->rect);
      pos = 1 - (1 - pos) * (1 - removed);
      so->pos = pos;
    }
  }
  sar_grid_build(&out->grid, &out->p, cfg->cell, SAR_MAX_GRID, gp, ga);
  return 0;
}
