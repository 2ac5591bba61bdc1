/* sar.c - the search and rescue module of a Monte Carlo run: SIG_PERSON_MISSING
 * opens a case (particles seeded at the reported position), search units fly
 * sorties (transit, a planned rectangle, return, turnaround), each unsuccessful
 * search updates the particle weights (Bayes), and the true object -- one of the
 * particles, drawn at the start -- is found with the search's POD if it lies in the
 * rectangle.  With `tasks:` the search obeys the plan: a case is searched only while
 * one of the plan tasks that cover it is running (SIG_TASK_STATUS; which tasks cover a
 * case: scn_sar_task_covers), and a stop recalls the units searching it.
 * Metrics: cumulative POS over time, time to locate, found alive. */
#include "sar.h"

#include "env.h"
#include "landmask.h"

#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "err.h"
#include "geo_local.h"
#include "geo_polygon.h"
#include "gshhg.h"
#include "hash.h"
#include "rng.h"
#include "searoute.h"
#include "ops.h"
#include "sar_pattern.h"
#include "scn_sar.h"
#include "stats.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#define SAR_MAX_GRID 20000 /* cells of a probability map in the Monte Carlo run */
#define SAR_MIN_ON_SCENE 600.0 /* s: a sortie with less time on scene is not flown */

enum { PURPOSE_SEED = 1, PURPOSE_TRUTH, PURPOSE_SURVIVE, PURPOSE_DETECT, PURPOSE_STOP };
#define SAR_STOP_DRAWS 512 /* survival draws a case's stop rule reads P(alive) from */

struct sar_model {
  const scn_scenario *sc;
  const scn_sar *cfg;
  env_field *current, *wind, *water;
  geo_landmask land;
  int has_land;
  /* SHA-256 of the files read besides the scenario ("" when not read from a file):
   * the run's provenance (sar_model_inputs). */
  char sha_current[HASH_SHA256_HEX], sha_wind[HASH_SHA256_HEX], sha_water[HASH_SHA256_HEX],
      sha_coast[HASH_SHA256_HEX];
  geo_sea *sea;     /* ships' transits over water (docs/models.md "Sea routing"), or NULL */
  int *asset_src;   /* [nasset] the sea source at a ship's base, -1: it flies (or no sea) */
  int m_cases, m_missing, m_found, m_alive, m_p_alive, m_ttl, m_pos, m_pos_series, m_alive_series, m_effort,
      m_area, m_sorties, m_held, m_first, m_searching;
};

typedef struct sar_case {
  int object, count, found, closed, alive;
  double t_open, t_drift, t_found, pos;
  sar_particles p;
  size_t truth;
  double *survival; /* [count] s */
  double *surv_ref; /* [SAR_STOP_DRAWS] sorted: the planner's P(alive) for `stop:` (or NULL) */
  uint8_t *cover;   /* [cfg->ntask]: that task of `tasks:` covers this case */
} sar_case;

/* A unit's state; each scheduled step checks that the unit is still in the state (and
 * at the time) it was scheduled for, since a recall (the plan task stopped) overtakes
 * steps already in the calendar. */
enum { U_IDLE, U_WAIT, U_OUT, U_SEARCH, U_BACK };

typedef struct sar_unit {
  sar *S;
  int asset, number, state, kase; /* number: 1.. within its asset */
  int planned;                     /* rect already planned jointly with another unit */
  double base_lat, base_lon, on_scene, t_search, t_takeoff, t_due;
  sar_rect rect;   /* the area searched (a nested plan's outermost pass) */
  /* `layers:` > 1: the passes of the nested plan (sar_plan_layers), flown one after
   * another, their times in proportion to their tracks; nlay 0 otherwise */
  sar_rect *lay;
  int nlay;
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
  double *grid_z;                    /* the joint allocation, SAR_MAX_GRID cells */
  double *jw, *jl, *jlat, *jlon;     /* [nunit] a joint plan's units */
  sar_rect *jrect;                   /* [nunit] */
  size_t *jidx;                      /* [nunit] */
  sar_drift_opts drift;
  uint8_t *combat; /* [nregion]: a combat_area region is active (combat under way) */
  int held;        /* sorties postponed because the datum was in combat */
  uint8_t *task_on; /* [cfg->ntask]: that plan task is running */
  int searching;   /* units on scene now */
  double first_takeoff; /* first case: s after the report (NaN: none) */
  /* sar_record_first_case(): the first case's first map and its searches */
  int record;
  sar_grid rec_map;
  double *rec_p, *rec_a;
  sar_sortie *rec;
  size_t nrec;
  const ops_trace *trace; /* straits trace: sorties, searches, finds, pickups (or NULL) */
};

/* ---- the model ---------------------------------------------------------------- */

/* The SHA-256 of a file the model read into sha; a file that cannot be read again is
 * an error (the run could not say what it was made from). */
static int hash_input(char sha[HASH_SHA256_HEX], const char *path, const scn_scenario *sc,
                      diag *d) {
  if (hash_sha256_file(sha, path) == 0) return 0;
  diag_report(d, DIAG_ERROR, sc->path, 0, 0, "cannot hash '%s' for the run's provenance",
              path);
  return ERR_IO;
}

static int load_field(env_field **out, char sha[HASH_SHA256_HEX], const scn_sar_field *f,
                      env_quantity q, const scn_scenario *sc, diag *d) {
  int err;
  switch (f->kind) {
  case SCN_SAR_FIELD_FILE:
    if ((err = env_nc_read(out, f->path, q, sc->epoch_unix, d))) return err;
    return hash_input(sha, f->path, sc, d);
  case SCN_SAR_FIELD_ROTATING:
    *out = env_field_rotating(f->speed, f->omega);
    break;
  case SCN_SAR_FIELD_EDDY:
    *out = env_field_eddy(f->lat0, f->lon0, f->radius, f->speed);
    break;
  default:
    *out = env_field_constant(f->east, f->north);
  }
  return *out ? 0 : ERR_NOMEM;
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

static int open_sea(sar_model *m, diag *d);

int sar_model_new(sar_model **out, const scn_scenario *sc, metric_set *ms, diag *d) {
  return sar_model_new_with(out, sc, NULL, ms, d);
}

int sar_model_new_with(sar_model **out, const scn_scenario *sc,
                       const struct plan_authorities *authorities, metric_set *ms, diag *d) {
  *out = NULL;
  if (!scn_sar_of(sc))
    return 0;
  /* No Japanese support without a plan task: refused before anything is built. */
  int serr = sar_support_check(sc, authorities, d);
  if (serr) return serr;
  return sar_model_build(out, sc, ms, d);
}

int sar_model_build(sar_model **out, const scn_scenario *sc, metric_set *ms, diag *d) {
  *out = NULL;
  if (!scn_sar_of(sc))
    return 0;
  sar_model *m = calloc(1, sizeof *m);
  int err;
  if (!m)
    return ERR_NOMEM;
  m->sc = sc, m->cfg = scn_sar_of(sc);
  if ((err = load_field(&m->current, m->sha_current, &m->cfg->current, ENV_CURRENT, sc, d)) ||
      (err = load_field(&m->wind, m->sha_wind, &m->cfg->wind, ENV_WIND, sc, d)))
    goto fail;
  if (m->cfg->has_water) {
    if (m->cfg->water.path) {
      if (!(err = env_nc_read(&m->water, m->cfg->water.path, ENV_SST, sc->epoch_unix, d)))
        err = hash_input(m->sha_water, m->cfg->water.path, sc, d);
    } else if (!(m->water = env_field_constant(m->cfg->water.east, m->cfg->water.east)))
      err = ERR_NOMEM;
    if (err)
      goto fail;
  }
  if (m->cfg->land) {
    char path[1024];
    double box[4];
    theater_box(sc, box);
    if (geo_gshhg_find(path, sizeof path, NULL, 'i') == 0) {
      if ((err = geo_landmask_build(&m->land, path, box[0], box[1], box[2], box[3],
                                    m->cfg->land_res, d)))
        goto fail;
      m->has_land = 1;
      if ((err = hash_input(m->sha_coast, path, sc, d)))
        goto fail;
    } else {
      diag_report(d, DIAG_WARNING, sc->path, 0, 0, "no GSHHG coastlines installed "
                  "(gmt-gshhg-low): search objects will not strand on land");
    }
  }
  if ((err = open_sea(m, d)))
    goto fail;
  if ((m->m_cases = define(ms, "cases", "1", 0, "search and rescue cases opened")) < 0 ||
      (m->m_missing = define(ms, "persons.missing", "1", METRIC_LOWER_BETTER, "persons reported missing")) < 0 ||
      (m->m_found = define(ms, "persons.found", "1", METRIC_HIGHER_BETTER, "persons located")) < 0 ||
      (m->m_alive = define(ms, "persons.found_alive", "1", METRIC_HIGHER_BETTER, "persons located alive")) < 0 ||
      (m->m_p_alive = define(ms, "p_found_alive", "1", METRIC_HIGHER_BETTER,
                             "share of missing persons located alive")) < 0 ||
      (m->m_ttl = define(ms, "time_to_locate", "s", METRIC_LOWER_BETTER,
                         "first case: from the report to locating the object (NaN: not found)")) < 0 ||
      (m->m_pos = define(ms, "pos", "1", METRIC_HIGHER_BETTER,
                         "cumulative probability of success of the first case's searches")) < 0 ||
      (m->m_pos_series = define(ms, "pos.t", "1", METRIC_SERIES | METRIC_HIGHER_BETTER,
                                "cumulative probability of success of the first case over time")) < 0 ||
      (m->m_alive_series = define(ms, "alive.t", "1", METRIC_SERIES | METRIC_HIGHER_BETTER,
                                  "share of the first case's persons alive (their drawn "
                                  "survival times), until it is found")) < 0 ||
      (m->m_effort = define(ms, "effort", "s", 0, "time on scene searching, all units")) < 0 ||
      (m->m_area = define(ms, "area", "m2", 0, "area searched, all sorties")) < 0 ||
      (m->m_sorties = define(ms, "sorties", "1", 0, "search sorties flown")) < 0 ||
      (m->m_held = define(ms, "sorties_held", "1", METRIC_LOWER_BETTER,
                          "take-offs postponed: the search datum lay where combat was under way")) < 0 ||
      (m->m_first = define(ms, "first_takeoff", "s", METRIC_LOWER_BETTER,
                           "first case: from the report to the first take-off (NaN: none)")) < 0 ||
      (m->m_searching = define(ms, "searching.t", "1", METRIC_SERIES,
                               "search units on scene, all cases, over time")) < 0) {
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
  env_field_free(m->water);
  geo_landmask_release(&m->land);
  geo_sea_close(m->sea);
  free(m->asset_src);
  free(m);
}

void sar_model_fields(const sar_model *m, const env_field **current, const env_field **wind) {
  *current = m->current, *wind = m->wind;
}

void sar_model_inputs(const sar_model *m,
                      void (*fn)(void *ctx, const char *role, const char *sha256), void *ctx) {
  if (!m) return;
  const struct { const char *role, *sha; } in[] = {
      {"sar.current", m->sha_current},
      {"sar.wind", m->sha_wind},
      {"sar.water", m->sha_water},
      {"sar.coastline", m->sha_coast},
  };
  for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
    if (in[i].sha[0]) fn(ctx, in[i].role, in[i].sha);
}

/* ---- survival and seeding -------------------------------------------------------- */

double sar_survival_hayward(double temp_c) {
  double t = fmin(20.0, fmax(-2.0, temp_c));
  return 60.0 * (15.0 + 7.2 / (0.0785 - 0.0034 * t));
}

/* How long a person of class `object` survives: for a person in the water (the piw and
 * debris groups of data/leeway.csv), from the
 * water temperature at (lat, lon) and time t when one is given (*temp set, else NaN);
 * otherwise the class's `survival` distribution. */
static dist survival_of(const sar_model *m, int object, double t, double lat, double lon,
                        double *temp) {
  double tw, unused;
  *temp = NAN;
  if (sar_object_in_water(object) && m->water && env_sample(m->water, t, lat, lon, &tw, &unused)) {
    *temp = tw;
    return (dist){DIST_LOGNORMAL, log(sar_survival_hayward(tw)), m->cfg->survival_sigma, 0, NULL, 0};
  }
  return m->cfg->survival[object];
}

/* The datum the section gives for crisis event `event` (NULL: a point). */
static const scn_sar_datum *datum_of(const scn_sar *cfg, int event) {
  for (size_t i = 0; i < cfg->ndatum; i++)
    if (event >= 0 && cfg->datum[i].event == event)
      return &cfg->datum[i];
  return NULL;
}

/* Seed n particles from datum d, or a point at (lat, lon) when d is NULL. */
static void seed_datum(sar_particles *p, const scn_sar *cfg, const scn_sar_datum *d, int object,
                       double lat, double lon, double t0, rng_stream *r) {
  sar_seed sd = {.object = object, .lat0 = lat, .lon0 = lon, .sigma = cfg->position_sigma,
                 .t0 = t0, .t_window = cfg->time_window, .count = (size_t)cfg->particles};
  if (!d) {
    sar_seed_point(p, &sd, r);
    return;
  }
  sd.lat0 = d->lat0, sd.lon0 = d->lon0, sd.lat1 = d->lat1, sd.lon1 = d->lon1;
  sd.radius = d->radius;
  if (d->shape == SCN_SAR_TRACK)
    sar_seed_line(p, &sd, r);
  else if (d->shape == SCN_SAR_AREA)
    sar_seed_area(p, &sd, r);
  else
    sar_seed_point(p, &sd, r);
}

int sar_case_particles(sar_particles *p, sar_drift_opts *o, const sar_model *m, uint64_t seed,
                       arena *a) {
  const scn_sar_case *k = m->cfg->kase;
  if (!k || k->object < 0 || k->object >= SCN_OBJ__COUNT)
    return ERR_RANGE;
  if (sar_particles_alloc(p, a, (size_t)m->cfg->particles))
    return ERR_LIMIT;
  rng_stream r; /* the stream and seeding of sar_plan_case */
  rng_init(&r, seed, 0, RNG_SAR, PURPOSE_SEED);
  seed_datum(p, m->cfg, &k->datum, k->object, k->datum.lat0, k->datum.lon0, 0, &r);
  *o = (sar_drift_opts)SAR_DRIFT_OPTS_INIT;
  o->current = m->current, o->wind = m->wind, o->land = m->has_land ? &m->land : NULL;
  o->dt = m->cfg->time_step, o->jibe_rate = m->cfg->jibe_rate, o->seed = seed, o->threads = 2;
  return 0;
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

/* Whether the plan lets units search case c now: always without `tasks:`, else while
 * one of the tasks that cover it is running. */
static int authorised(const sar *S, const sar_case *c) {
  const scn_sar *cfg = S->m->cfg;
  if (!cfg->ntask)
    return 1;
  for (size_t k = 0; k < cfg->ntask; k++)
    if (S->task_on[k] && c->cover[k])
      return 1;
  return 0;
}

/* The share of case c's persons whose drawn survival time exceeds the time since the
 * report: a point of the first case's `alive.t` series at now. */
static void alive_point(sar *S, const sar_case *c, double now) {
  int alive = 0;
  for (int i = 0; i < c->count; i++) alive += c->survival[i] > now - c->t_open;
  if (metric_point_add(S->out, S->m->m_alive_series, now, (double)alive / c->count))
    sim_fail(S->s, ERR_LIMIT);
}

/* A person of the first case reaches the end of their survival time: the series
 * steps down there, unless the case was found first (then its value at the find holds:
 * the persons were picked up). */
static void first_case_death(sim *s, void *ctx) {
  sar *S = ctx;
  if (!S->kase[0].found) alive_point(S, &S->kase[0], sim_now(s));
}

/* The section's `stop:` rule: the case's cumulative POS reached stop_pos, or the
 * probability that its persons are alive -- as the planner knows it, from draws of
 * their survival distribution, not their drawn fates -- fell below stop_p_alive. */
static int stop_rule(const sar *S, const sar_case *c, double now) {
  const scn_sar *cfg = S->m->cfg;
  double alive = 1;
  if (c->surv_ref) {
    size_t dead = 0;
    while (dead < SAR_STOP_DRAWS && c->surv_ref[dead] <= now - c->t_open) dead++;
    alive = 1 - (double)dead / SAR_STOP_DRAWS;
  }
  int stop = c->pos >= cfg->stop_pos || alive < cfg->stop_p_alive;
  if (stop && S->trace)
    ops_trace_line(S->trace, now, "sar", "case %d called off: cumulative POS %.3f, P(alive) %.3f",
                   (int)(c - S->kase) + 1, c->pos, alive);
  return stop;
}

/* The case units should search now: the first one opened that is neither found nor
 * called off and whose task runs. */
static sar_case *active_case(sar *S, double now) {
  for (int i = 0; i < S->ncase; i++) {
    sar_case *c = &S->kase[i];
    if (c->closed)
      continue;
    if (now - c->t_open > S->m->cfg->search_limit) {
      c->closed = 1; /* called off */
      continue;
    }
    if (stop_rule(S, c, now)) {
      c->closed = 1;
      continue;
    }
    if (authorised(S, c))
      return c;
  }
  return NULL;
}

static void unit_takeoff(sim *s, void *ctx);

/* Whether a unit takes part in a joint plan: the optimal plan's single rectangle (a
 * pattern or nested passes are planned alone, on the map the others leave). */
static int plans_jointly(const scn_sar_asset *as) {
  return as->pattern == SAR_PATTERN_OPTIMAL && as->layers <= 1;
}

/* Schedule the unit's next step after delay, in state st. */
static void unit_next(sar_unit *un, double delay, sim_handler h, int st) {
  un->state = st, un->t_due = sim_now(un->S->s) + delay;
  if (sim_after(un->S->s, delay, h, un))
    un->state = U_IDLE;
}

/* Whether this step is the one the unit expects (not overtaken by a recall). */
static int unit_current(const sar_unit *un, sim *s, int st) {
  return un->state == st && un->t_due == sim_now(s);
}

/* Idle units take off: after their response time from the case's opening, and not
 * before now (a task that starts late starts the search when it starts). */
static void wake_units(sar *S) {
  double now = sim_now(S->s);
  sar_case *c = active_case(S, now);
  if (!c)
    return;
  for (size_t u = 0; u < S->nunit; u++) {
    sar_unit *un = &S->unit[u];
    if (un->state != U_IDLE)
      continue;
    double resp = S->m->cfg->asset[un->asset].response;
    unit_next(un, fmax(0.0, c->t_open + resp - now), unit_takeoff, U_WAIT);
  }
}

/* A survival draw that is no time (issue 21): the run fails, blamed where the survival
 * was given -- the class's `survival:` entry, or `water_temperature:` when that set it
 * (the section itself for the built-in default). */
static void survival_failed(sar *S, int object, int from_water, double draw) {
  const scn_sar *cfg = S->m->cfg;
  scn_loc at = from_water ? cfg->water_loc : cfg->survival_loc[object];
  sim_blame b = {at.file ? at.file : S->m->sc->path, at.line, at.col,
                 from_water ? "the survival time from 'water_temperature' of object class"
                            : "the survival time of object class",
                 scn_object_name((scn_object)object), draw};
  sim_fail_blame(S->s, ERR_RANGE, &b);
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
    S->grid_z = arena_alloc(a, SAR_MAX_GRID * sizeof *S->grid_z);
    size_t nu = S->nunit ? S->nunit : 1;
    S->jw = arena_alloc(a, 4 * nu * sizeof *S->jw);
    S->jrect = arena_alloc(a, nu * sizeof *S->jrect);
    S->jidx = arena_alloc(a, nu * sizeof *S->jidx);
    if (S->jw)
      S->jl = S->jw + nu, S->jlat = S->jl + nu, S->jlon = S->jlat + nu;
    if (!S->grid_p || !S->grid_a || !S->scratch || !S->grid_z || !S->jw || !S->jrect || !S->jidx) {
      sim_fail(s, ERR_LIMIT);
      return;
    }
  }
  memset(c, 0, sizeof *c);
  c->object = sig->object, c->count = sig->count > 0 ? sig->count : 1;
  c->t_open = c->t_drift = sim_now(s);
  c->survival = arena_alloc(a, (size_t)c->count * sizeof *c->survival);
  c->cover = arena_calloc(a, cfg->ntask ? cfg->ntask : 1, 1);
  if (!c->survival || !c->cover || sar_particles_alloc(&c->p, a, (size_t)cfg->particles)) {
    sim_fail(s, ERR_LIMIT);
    return;
  }
  double clat, clon;
  scn_sar_case_centre(cfg, sig->source, sig->lat, sig->lon, &clat, &clon);
  for (size_t j = 0; j < cfg->ntask; j++)
    c->cover[j] = (uint8_t)scn_sar_task_covers(S->m->sc, cfg, cfg->task[j], sig->source, clat, clon);
  rng_stream r;
  rng_init(&r, S->seed, S->rep, RNG_SAR, (uint32_t)(k << 4 | PURPOSE_SEED));
  seed_datum(&c->p, cfg, datum_of(cfg, sig->source), c->object, sig->lat, sig->lon, c->t_open, &r);
  rng_init(&r, S->seed, S->rep, RNG_SAR, (uint32_t)(k << 4 | PURPOSE_TRUTH));
  c->truth = (size_t)(rng_uniform(&r) * (double)c->p.n);
  if (c->truth >= c->p.n)
    c->truth = c->p.n - 1;
  rng_init(&r, S->seed, S->rep, RNG_SAR, (uint32_t)(k << 4 | PURPOSE_SURVIVE));
  double temp;
  dist sv = survival_of(S->m, c->object, c->t_open, sig->lat, sig->lon, &temp);
  for (int i = 0; i < c->count; i++)
    if (!((c->survival[i] = dist_sample(&sv, &r)) >= 0)) { /* NaN or negative */
      survival_failed(S, c->object, !isnan(temp), c->survival[i]);
      return;
    }
  if (k == 0) { /* the alive.t series: 1 now, a step at each death before the horizon */
    alive_point(S, c, c->t_open);
    for (int i = 0; i < c->count; i++)
      if (c->t_open + c->survival[i] < S->m->sc->horizon &&
          sim_at(s, c->t_open + c->survival[i], first_case_death, S))
        sim_fail(s, ERR_LIMIT);
  }
  if (cfg->stop_p_alive > 0) { /* the stop rule's P(alive), from a stream of its own */
    if (!(c->surv_ref = arena_alloc(a, SAR_STOP_DRAWS * sizeof *c->surv_ref))) {
      sim_fail(s, ERR_LIMIT);
      return;
    }
    rng_init(&r, S->seed, S->rep, RNG_SAR, (uint32_t)(k << 4 | PURPOSE_STOP));
    for (size_t i = 0; i < SAR_STOP_DRAWS; i++) c->surv_ref[i] = dist_sample(&sv, &r);
    gsl_sort(c->surv_ref, 1, SAR_STOP_DRAWS);
  }
  if (S->trace)
    ops_trace_line(S->trace, sim_now(s), "sar", "case %d opens: %d x %s at %.4f, %.4f",
                   k + 1, c->count, scn_object_name((scn_object)c->object), sig->lat, sig->lon);
  wake_units(S);
}

/* ---- a unit's sortie --------------------------------------------------------------- */

static void unit_home(sim *s, void *ctx) {
  sar_unit *un = ctx;
  if (!unit_current(un, s, U_BACK))
    return;
  const scn_sar_asset *as = &un->S->m->cfg->asset[un->asset];
  unit_next(un, as->turnaround, unit_takeoff, U_WAIT);
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

/* An asset's transit between its base and lat/lon: over water for a ship (its base's
 * field, read at the point), the straight leg for an aircraft or where the sea does not
 * reach (the datum on land: the drift strands there). */
static double transit_leg(const sar_model *m, int asset, double blat, double blon, double lat,
                          double lon) {
  int src = m->asset_src ? m->asset_src[asset] : -1;
  double d = src >= 0 ? geo_sea_distance(m->sea, src, lat, lon) : INFINITY;
  return isfinite(d) ? d : leg(blat, blon, lat, lon);
}

/* Whether a force sails: its kind names a ship (a case file's `sar_unit`, or any other
 * kind, keeps the straight leg of an aircraft). */
static int sails(const char *kind) {
  static const char *const sea[] = {"vessel", "ship", "boat", "cutter", "destroyer", "frigate",
                                    "patrol"};
  for (size_t i = 0; i < sizeof sea / sizeof *sea; i++)
    if (strstr(kind, sea[i])) return 1;
  return 0;
}

/* The theater's sea (shared with the other models), a field from each ship's base. */
static int open_sea(sar_model *m, diag *d) {
  const scn_scenario *sc = m->sc;
  const scn_sar *cfg = m->cfg;
  int ships = 0, err = 0;
  for (size_t i = 0; i < cfg->nasset; i++) ships |= sails(sc->force[cfg->asset[i].force].kind);
  if (!ships || !sc->coastline) return 0;
  double b[4];
  scn_theater_box(sc, 3, b);
  geo_box box = {b[0], b[1], b[2], b[3]};
  geo_sea_options o = GEO_SEA_OPTIONS_INIT;
  o.coastline = sc->coastline;
  if ((err = geo_sea_open(&m->sea, &box, &o, d)) == ERR_NOTFOUND) return 0;
  if (err) return err;
  int *src = malloc((cfg->nasset + 1) * sizeof *src), n = 0;
  if (!src || !(m->asset_src = malloc((cfg->nasset + 1) * sizeof *m->asset_src))) {
    free(src);
    return ERR_NOMEM;
  }
  for (size_t i = 0; i < cfg->nasset && !err; i++) {
    const scn_force *f = &sc->force[cfg->asset[i].force];
    m->asset_src[i] = -1;
    if (!sails(f->kind)) continue;
    int q = geo_sea_source(m->sea, sc->place[f->base].lat, sc->place[f->base].lon);
    if (q < 0) err = q;
    else m->asset_src[i] = src[n++] = q;
  }
  if (!err) err = geo_sea_cover_all(m->sea, src, n, INFINITY, 2);
  free(src);
  return err;
}

static void note_searching(sar *S, int delta) {
  S->searching += delta;
  if (metric_point_add(S->out, S->m->m_searching, sim_now(S->s), S->searching))
    sim_fail(S->s, ERR_LIMIT);
}

/* A nested plan recalled after `flown` seconds on scene: the passes flown keep their
 * coverage, the one under way the part of its track flown, the rest none. */
static void layers_cut(sar_unit *un, const scn_sar_asset *as, double flown) {
  double total = 0;
  for (int l = 0; l < un->nlay; l++) total += un->lay[l].track;
  double left = un->on_scene > 0 ? total * flown / un->on_scene : 0;
  for (int l = 0; l < un->nlay; l++) {
    sar_rect *r = &un->lay[l];
    double take = fmin(r->track, left), f = r->track > 0 ? take / r->track : 0;
    left -= take;
    r->track = take, r->coverage *= f;
    r->spacing = r->track > 0 ? r->area / r->track : INFINITY;
    r->pod = sar_pod(as->detection, r->coverage);
  }
  un->on_scene = flown;
}

/* Whether a nested plan's passes find the object, and when (*t): pass l lies between
 * the times its predecessors' tracks take and its own; the first pass uses the
 * search's two draws (u, when), the others draw on from the same stream. */
static int layers_detect(const sar_unit *un, const sar_case *c, rng_stream *rs, double u,
                         double when, double *t) {
  double total = 0, t0 = un->t_search;
  for (int l = 0; l < un->nlay; l++) total += un->lay[l].track;
  for (int l = 0; l < un->nlay; l++) {
    const sar_rect *r = &un->lay[l];
    double dur = total > 0 ? un->on_scene * r->track / total : 0;
    double ul = l ? rng_uniform(rs) : u, wl = l ? rng_uniform(rs) : when;
    if (r->track > 0 && sar_rect_contains(r, c->p.lat[c->truth], c->p.lon[c->truth]) &&
        ul < r->pod) {
      *t = t0 + wl * dur;
      return 1;
    }
    t0 += dur;
  }
  return 0;
}

/* The search of un->rect ends now (on time, or cut short by a recall: then only the
 * track flown so far counts). */
static void search_ends(sar_unit *un) {
  sar *S = un->S;
  sim *s = S->s;
  const scn_sar_asset *as = &S->m->cfg->asset[un->asset];
  sar_case *c = &S->kase[un->kase];
  double now = sim_now(s), flown = now - un->t_search;
  if (flown < un->on_scene && un->nlay > 1) { /* recalled: the passes flown so far */
    layers_cut(un, as, flown);
  } else if (flown < un->on_scene) { /* recalled: the coverage of the track flown */
    double f = un->on_scene > 0 ? flown / un->on_scene : 0;
    un->rect.track *= f, un->rect.coverage *= f, un->on_scene = flown;
    un->rect.spacing = un->rect.track > 0 ? un->rect.area / un->rect.track : INFINITY;
    un->rect.pod = sar_pod(as->detection, un->rect.coverage);
  }
  note_searching(S, -1);
  S->effort += un->on_scene, S->area += un->rect.area, S->sorties++;
  if (!c->closed) {
    case_advance(S, c, now);
    const sar_rect *r = &un->rect;
    int inside = sar_rect_contains(r, c->p.lat[c->truth], c->p.lon[c->truth]);
    rng_stream rs;
    rng_init(&rs, S->seed, S->rep, RNG_SAR,
             (uint32_t)(un->kase << 4 | PURPOSE_DETECT) + (uint32_t)S->sorties * 256u);
    double u = rng_uniform(&rs), when = rng_uniform(&rs), t_layer = 0;
    int layer_found = un->nlay > 1 && layers_detect(un, c, &rs, u, when, &t_layer);
    if (un->nlay > 1 ? layer_found : inside && u < r->pod) {
      c->found = c->closed = 1;
      c->t_found = un->nlay > 1 ? t_layer : un->t_search + when * un->on_scene;
      /* survival counts at the pickup (hoist or boat), not at the detection */
      double t_pickup = c->t_found + as->recovery;
      for (int i = 0; i < c->count; i++)
        c->alive += c->survival[i] > t_pickup - c->t_open;
      S->found += c->count, S->alive += c->alive;
      if (S->trace)
        ops_trace_line(S->trace, c->t_found, "sar", "%s/%d locates case %d (%s); picked up "
                       "%.0f min later: %d of %d alive", S->m->sc->force[as->force].id,
                       un->number, un->kase + 1, scn_object_name((scn_object)c->object),
                       as->recovery / 60, c->alive, c->count);
    } else {
      for (int l = 0; l < (un->nlay > 1 ? un->nlay : 1); l++) { /* each pass in turn */
        double removed = sar_update_after_search(&c->p, un->nlay > 1 ? &un->lay[l] : r);
        c->pos = 1 - (1 - c->pos) * (1 - removed);
      }
      if (S->trace)
        ops_trace_line(S->trace, now, "sar", "%s/%d ends its search of case %d unsuccessful: "
                       "cumulative POS %.3f", S->m->sc->force[as->force].id, un->number,
                       un->kase + 1, c->pos);
    }
    if (un->kase == 0 && metric_point_add(S->out, S->m->m_pos_series, now, c->found ? 1 : c->pos))
      sim_fail(s, ERR_LIMIT);
    if (S->record && un->kase == 0 && S->nrec < SAR_RECORD_MAX)
      S->rec[S->nrec++] = (sar_sortie){.asset = un->asset, .unit = un->number - 1,
                                       .t_start = un->t_search - c->t_open,
                                       .t_end = now - c->t_open, .rect = un->rect,
                                       .pos = c->found ? 1 : c->pos};
  }
  double back = transit_leg(S->m, un->asset, un->base_lat, un->base_lon,
                            0.5 * (un->rect.lat_min + un->rect.lat_max),
                            0.5 * (un->rect.lon_min + un->rect.lon_max));
  unit_next(un, back / as->speed, unit_home, U_BACK);
}

static void unit_search_end(sim *s, void *ctx) {
  sar_unit *un = ctx;
  if (unit_current(un, s, U_SEARCH))
    search_ends(un);
}

/* Plan on the map the units already on scene of this case will leave: the cells whose
 * centre lies in a rectangle being searched count with (1 - its POD), so that a unit
 * arriving while others search does not plan the same rectangle. */
static void discount_searching(const sar *S, const sar_unit *un, sar_grid *g) {
  for (size_t u = 0; u < S->nunit; u++) {
    const sar_unit *o = &S->unit[u];
    if (o == un || o->state != U_SEARCH || o->kase != un->kase)
      continue;
    for (int l = 0; l < (o->nlay > 1 ? o->nlay : 1); l++) {
      const sar_rect *r = o->nlay > 1 ? &o->lay[l] : &o->rect;
      for (size_t j = 0; j < g->ny; j++) {
        double lat = g->lat0 + ((double)j + 0.5) * g->dlat;
        if (lat < r->lat_min || lat >= r->lat_max)
          continue;
        for (size_t i = 0; i < g->nx; i++) {
          double lon = g->lon0 + ((double)i + 0.5) * g->dlon;
          if (sar_rect_contains(r, lat, lon))
            g->p[j * g->nx + i] *= 1 - r->pod;
        }
      }
    }
  }
}

/* Units of the case arriving together (this one and those due on scene at this very
 * time) are planned together (sar_plan_joint: disjoint rectangles, docs/models.md);
 * a unit alone gets the best rectangle for its effort. */
static void plan_arrivals(sar *S, sar_unit *un, const sar_grid *g, const sar_case *c) {
  const scn_sar *cfg = S->m->cfg;
  int object = c->object;
  double now = sim_now(S->s);
  size_t n = 0;
  const scn_sar_asset *mine = &cfg->asset[un->asset];
  if (mine->pattern != SAR_PATTERN_OPTIMAL) { /* a pattern about the datum, alone */
    sar_plan_pattern(&un->rect, NULL, &c->p, mine->pattern, mine->sweep[object],
                     mine->speed * un->on_scene, mine->spacing, mine->coverage, mine->detection);
    un->on_scene = un->rect.track / mine->speed;
    return;
  }
  if (mine->layers > 1 && un->lay) { /* nested passes on the map the others leave */
    sar_plan_layers(un->lay, (size_t)mine->layers, g, mine->sweep[object],
                    mine->speed * un->on_scene, S->grid_z, NULL);
    un->nlay = mine->layers, un->rect = un->lay[0];
    return;
  }
  for (size_t v = 0; v <= S->nunit && n < SAR_JOINT_MAX; v++) {
    /* this unit first, then the others arriving now */
    size_t u = v == 0 ? (size_t)(un - S->unit) : v - 1;
    sar_unit *o = &S->unit[u];
    if (v > 0 && (o == un || !(o->state == U_OUT && o->kase == un->kase && o->t_due == now) ||
                  !plans_jointly(&cfg->asset[o->asset])))
      continue;
    const scn_sar_asset *as = &cfg->asset[o->asset];
    S->jidx[n] = u, S->jw[n] = as->sweep[object], S->jl[n] = as->speed * o->on_scene;
    S->jlat[n] = o->base_lat, S->jlon[n] = o->base_lon, n++;
  }
  if (n <= 1) {
    const scn_sar_asset *as = &cfg->asset[un->asset];
    sar_plan_rect(&un->rect, g, as->sweep[object], as->speed * un->on_scene, S->scratch);
    return;
  }
  sar_plan_joint(S->jrect, g, n, S->jw, S->jl, S->jlat, S->jlon, S->grid_z, S->scratch);
  for (size_t k = 0; k < n; k++) {
    sar_unit *o = &S->unit[S->jidx[k]];
    o->rect = S->jrect[k];
    o->planned = o != un; /* the others take theirs when their own arrival runs */
  }
}

static void unit_arrive(sim *s, void *ctx) {
  sar_unit *un = ctx;
  if (!unit_current(un, s, U_OUT))
    return;
  sar *S = un->S;
  sar_case *c = &S->kase[un->kase];
  if (c->closed) { /* found by another unit meanwhile: go home */
    un->planned = 0;
    un->on_scene = 0;
    unit_next(un, sim_now(s) - un->t_takeoff, unit_home, U_BACK);
    return;
  }
  case_advance(S, c, sim_now(s));
  sar_grid g;
  if (!un->planned) {
    sar_grid_build(&g, &c->p, S->m->cfg->cell, SAR_MAX_GRID, S->grid_p, S->grid_a);
    discount_searching(S, un, &g);
    plan_arrivals(S, un, &g, c);
  }
  un->planned = 0;
  const scn_sar_asset *as = &S->m->cfg->asset[un->asset];
  if (as->detection != SAR_DETECT_RANDOM) un->rect.pod = sar_pod(as->detection, un->rect.coverage);
  for (int l = 0; l < un->nlay; l++) un->lay[l].pod = sar_pod(as->detection, un->lay[l].coverage);
  if (S->trace)
    ops_trace_line(S->trace, sim_now(s), "sar", "%s/%d searches case %d: %s, %.1f km2, coverage "
                   "%.3f, POC %.3f, POD %.3f", S->m->sc->force[as->force].id, un->number,
                   un->kase + 1, sar_pattern_name(as->pattern), un->rect.area / 1e6, un->rect.coverage,
                   un->rect.poc, un->rect.pod);
  for (int l = 1; l < un->nlay && S->trace; l++)
    ops_trace_line(S->trace, sim_now(s), "sar", "%s/%d then pass %d of %d: %.1f km2, coverage "
                   "%.3f, POC %.3f, POD %.3f", S->m->sc->force[as->force].id, un->number, l + 1,
                   un->nlay, un->lay[l].area / 1e6, un->lay[l].coverage, un->lay[l].poc,
                   un->lay[l].pod);
  if (S->record && un->kase == 0 && !S->rec_map.p) { /* the map of the first search */
    S->rec_map = g;
    memcpy(S->rec_p, g.p, g.nx * g.ny * sizeof *g.p);
    memcpy(S->rec_a, g.area, g.nx * g.ny * sizeof *g.area);
    S->rec_map.p = S->rec_p, S->rec_map.area = S->rec_a;
  }
  un->t_search = sim_now(s);
  note_searching(S, +1);
  unit_next(un, un->on_scene, unit_search_end, U_SEARCH);
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

/* The plan started or stopped a task: units bound for a case that no running task
 * covers any more turn back on the way out or end their search on scene now; then a
 * case that a running task covers wakes the idle units. */
static void on_task(sim *s, const sim_signal *sig, void *ctx) {
  sar *S = ctx;
  const scn_sar *cfg = S->m->cfg;
  int mine = 0;
  for (size_t k = 0; k < cfg->ntask; k++)
    if (cfg->task[k] == sig->task)
      S->task_on[k] = sig->open != 0, mine = 1;
  if (!mine)
    return;
  for (size_t u = 0; u < S->nunit; u++) {
    sar_unit *un = &S->unit[u];
    if ((un->state != U_OUT && un->state != U_SEARCH) || authorised(S, &S->kase[un->kase]))
      continue;
    if (un->state == U_OUT) /* back the way it came */
      unit_next(un, sim_now(s) - un->t_takeoff, unit_home, U_BACK);
    else
      search_ends(un);
  }
  wake_units(S);
}

static void unit_takeoff(sim *s, void *ctx) {
  sar_unit *un = ctx;
  if (!unit_current(un, s, U_WAIT))
    return;
  sar *S = un->S;
  const scn_sar_asset *as = &S->m->cfg->asset[un->asset];
  double now = sim_now(s);
  sar_case *c = active_case(S, now);
  un->state = U_IDLE;
  if (!c || !(as->sweep[c->object] > 0))
    return; /* idle until the next case opens or the task (re)starts */
  case_advance(S, c, now);
  double lat, lon;
  weighted_centre(&c->p, &lat, &lon);
  if (in_combat(S, lat, lon)) { /* SDF search is rear-area support: wait and retry */
    S->held++;
    unit_next(un, as->turnaround, unit_takeoff, U_WAIT);
    return;
  }
  double transit = transit_leg(S->m, un->asset, un->base_lat, un->base_lon, lat, lon) / as->speed;
  un->on_scene = as->endurance - 2 * transit;
  un->kase = (int)(c - S->kase);
  if (un->on_scene < SAR_MIN_ON_SCENE)
    return; /* out of reach for this unit */
  un->t_takeoff = now;
  un->planned = 0; /* set only by a joint plan made at its arrival time */
  if (un->kase == 0 && isnan(S->first_takeoff))
    S->first_takeoff = now - c->t_open;
  if (S->trace)
    ops_trace_line(S->trace, now, "sar", "%s/%d takes off for case %d: transit %.0f min, %.0f "
                   "min on scene", S->m->sc->force[as->force].id, un->number, un->kase + 1,
                   transit / 60, un->on_scene / 60);
  unit_next(un, transit, unit_arrive, U_OUT);
}

/* ---- replication ------------------------------------------------------------------ */

sar *sar_start(const sar_model *m, sim *s, arena *a, metric_out *out, uint64_t seed,
               uint32_t rep) {
  const scn_sar *cfg = m->cfg;
  sar *S = arena_calloc(a, 1, sizeof *S);
  if (!S)
    return NULL;
  S->m = m, S->s = s, S->out = out, S->seed = seed, S->rep = rep;
  S->first_takeoff = NAN;
  size_t nunit = 0;
  for (size_t i = 0; i < cfg->nasset; i++)
    nunit += (size_t)cfg->asset[i].count;
  S->kase = arena_calloc(a, (size_t)cfg->max_cases, sizeof *S->kase);
  S->unit = arena_calloc(a, nunit ? nunit : 1, sizeof *S->unit);
  S->combat = arena_calloc(a, m->sc->nregion ? m->sc->nregion : 1, 1);
  S->task_on = arena_calloc(a, cfg->ntask ? cfg->ntask : 1, 1);
  if (!S->kase || !S->unit || !S->combat || !S->task_on)
    return NULL;
  S->nunit = nunit;
  for (size_t i = 0, u = 0; i < cfg->nasset; i++) {
    const scn_place *base = &m->sc->place[m->sc->force[cfg->asset[i].force].base];
    for (int k = 0; k < cfg->asset[i].count; k++, u++) {
      S->unit[u] = (sar_unit){.S = S, .asset = (int)i, .number = k + 1, .state = U_IDLE,
                              .base_lat = base->lat, .base_lon = base->lon};
      if (cfg->asset[i].layers > 1 &&
          !(S->unit[u].lay = arena_calloc(a, SAR_LAYERS_MAX, sizeof *S->unit[u].lay)))
        return NULL;
    }
  }
  sar_drift_opts o = SAR_DRIFT_OPTS_INIT;
  o.current = m->current, o.wind = m->wind, o.land = m->has_land ? &m->land : NULL;
  o.dt = cfg->time_step, o.jibe_rate = cfg->jibe_rate, o.seed = seed, o.rep = rep;
  S->drift = o;
  if (sim_subscribe(s, SIG_PERSON_MISSING, on_missing, S) ||
      sim_subscribe(s, SIG_REGION_STATUS, on_region, S) ||
      (cfg->ntask && sim_subscribe(s, SIG_TASK_STATUS, on_task, S)))
    return NULL;
  return S;
}

void sar_trace(sar *S, const ops_trace *t) { S->trace = t; }

int sar_record_first_case(sar *S) {
  arena *a = S->out->arena;
  S->rec_p = arena_alloc(a, SAR_MAX_GRID * sizeof *S->rec_p);
  S->rec_a = arena_alloc(a, SAR_MAX_GRID * sizeof *S->rec_a);
  S->rec = arena_calloc(a, SAR_RECORD_MAX, sizeof *S->rec);
  if (!S->rec_p || !S->rec_a || !S->rec)
    return ERR_LIMIT;
  S->record = 1;
  return 0;
}

size_t sar_first_case(const sar *S, const sar_grid **map, const sar_sortie **sorties) {
  *map = S->rec_map.p ? &S->rec_map : NULL;
  *sorties = S->rec;
  return S->nrec;
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
  metric_put(out, m->m_first, S->first_takeoff);
}

/* ---- a standalone plan ---------------------------------------------------------- */

#define SAR_SURVIVAL_DRAWS 4096

/* A unit of the plan: its asset, its base and when it can next take off. */
typedef struct plan_unit {
  int asset, unit, active;
  double blat, blon, t_free, transit, on, t_on;
} plan_unit;

/* The rectangle's coverage for track length L (the rectangle kept). */
static void set_track(sar_rect *r, double W, double L) {
  r->track = L;
  r->spacing = L > 0 && r->area > 0 ? r->area / L : INFINITY;
  r->coverage = L > 0 && r->area > 0 ? W / r->spacing : 0;
  r->pod = 1 - exp(-r->coverage);
}

static void rect_centre(const sar_rect *r, double *lat, double *lon) {
  *lat = 0.5 * (r->lat_min + r->lat_max), *lon = 0.5 * (r->lon_min + r->lon_max);
}

/* How long a unit with `on` seconds on scene searches: all of them, but for a pattern
 * whose whole turns (SS) or passes (VS) leave time unused (its track does not depend
 * on where it is flown, so it is known before the map is). */
static double pattern_time(const scn_sar_asset *as, int object, double on) {
  if (as->pattern == SAR_PATTERN_OPTIMAL || !(on > 0)) return on;
  double W = as->sweep[object], S = as->spacing > 0 ? as->spacing : W / as->coverage;
  if (as->pattern == SAR_PATTERN_SECTOR && !(as->spacing > 0))
    S = 9 * W / (M_PI * as->coverage); /* as sar_plan_pattern */
  sar_pattern p;
  return sar_pattern_fit(&p, as->pattern, S, as->speed * on, 1, W) ? on : p.track / as->speed;
}

/* The commence search point of a pattern: its first waypoint, placed about the
 * pattern's centre as its area is (sar_plan_pattern). */
static void pattern_csp(const sar_rect *r, const sar_pattern *p, double *lat, double *lon) {
  double x = 0, y = 0;
  sar_pattern_waypoints(p, &x, &y, 1);
  geo_local pl;
  geo_local_init(&pl, r->clat, r->clon);
  geo_local_latlon(&pl, x, y, lat, lon);
}

/* The share of the survival draws (sorted) still alive at t. */
static double alive_share(const double *surv, double t) {
  size_t dead = 0;
  while (dead < SAR_SURVIVAL_DRAWS && surv[dead] <= t)
    dead++;
  return 1 - (double)dead / SAR_SURVIVAL_DRAWS;
}

int sar_plan_case(sar_plan *out, const sar_model *m, int joint, uint64_t seed, arena *a) {
  const scn_scenario *sc = m->sc;
  const scn_sar *cfg = m->cfg;
  const scn_sar_case *k = cfg->kase;
  memset(out, 0, sizeof *out);
  if (!k || k->object < 0 || k->object >= SCN_OBJ__COUNT)
    return ERR_RANGE;
  int object = k->object;
  size_t nunit = 0;
  for (size_t i = 0; i < cfg->nasset; i++)
    if (cfg->asset[i].sweep[object] > 0)
      nunit += (size_t)cfg->asset[i].count;
  if (nunit > SAR_JOINT_MAX)
    return ERR_LIMIT;
  size_t cells = SAR_MAX_GRID, nu = nunit ? nunit : 1, layers = 1;
  for (size_t i = 0; i < cfg->nasset; i++)
    if ((size_t)cfg->asset[i].layers > layers) layers = (size_t)cfg->asset[i].layers;
  out->sortie = arena_calloc(a, nu * layers * (size_t)k->sorties, sizeof *out->sortie);
  out->wave = arena_calloc(a, (size_t)k->sorties, sizeof *out->wave);
  sar_rect *Lay = arena_calloc(a, SAR_LAYERS_MAX, sizeof *Lay);
  double *gpw = arena_alloc(a, cells * sizeof *gpw), *gaw = arena_alloc(a, cells * sizeof *gaw);
  plan_unit *U = arena_calloc(a, nu, sizeof *U);
  sar_rect *R = arena_calloc(a, nu, sizeof *R);
  double *W = arena_alloc(a, 4 * nu * sizeof *W), *L = W + nu, *blat = L + nu, *blon = blat + nu;
  double *gp = arena_alloc(a, cells * sizeof *gp), *ga = arena_alloc(a, cells * sizeof *ga);
  double *gp0 = arena_alloc(a, cells * sizeof *gp0), *ga0 = arena_alloc(a, cells * sizeof *ga0);
  double *z = arena_alloc(a, cells * sizeof *z);
  double *scr = arena_alloc(a, (3 * cells + 4) * sizeof *scr);
  double *surv = arena_alloc(a, SAR_SURVIVAL_DRAWS * sizeof *surv);
  if (!out->sortie || !out->wave || !Lay || !gpw || !gaw || !U || !R || !W || !gp || !ga || !gp0 || !ga0 || !z || !scr || !surv ||
      sar_particles_alloc(&out->p, a, (size_t)cfg->particles))
    return ERR_LIMIT;
  rng_stream r;
  rng_init(&r, seed, 0, RNG_SAR, PURPOSE_SEED);
  seed_datum(&out->p, cfg, &k->datum, object, k->datum.lat0, k->datum.lon0, 0, &r);
  /* survival: the share of draws still alive at t */
  rng_init(&r, seed, 0, RNG_SAR, PURPOSE_SURVIVE);
  dist sv = survival_of(m, object, 0, k->datum.lat0, k->datum.lon0, &out->water_temp);
  for (size_t i = 0; i < SAR_SURVIVAL_DRAWS; i++)
    surv[i] = dist_sample(&sv, &r);
  out->survival_median = stats_quantile(surv, SAR_SURVIVAL_DRAWS, 0.5);
  for (size_t i = 0, u = 0; i < cfg->nasset; i++) {
    const scn_sar_asset *as = &cfg->asset[i];
    if (!(as->sweep[object] > 0))
      continue;
    const scn_place *base = &sc->place[sc->force[as->force].base];
    for (int j = 0; j < as->count; j++, u++)
      U[u] = (plan_unit){.asset = (int)i, .unit = j, .blat = base->lat, .blon = base->lon,
                         .t_free = as->response};
  }
  sar_drift_opts o = SAR_DRIFT_OPTS_INIT;
  o.current = m->current, o.wind = m->wind, o.land = m->has_land ? &m->land : NULL;
  o.dt = cfg->time_step, o.jibe_rate = cfg->jibe_rate, o.seed = seed, o.threads = 2;
  double t_now = 0, pos = 0;
  for (int wave = 0; wave < k->sorties; wave++) {
    double clat, clon, tmid = 0;
    int nact = 0;
    weighted_centre(&out->p, &clat, &clon);
    for (size_t u = 0; u < nunit; u++) {
      const scn_sar_asset *as = &cfg->asset[U[u].asset];
      U[u].transit = transit_leg(m, U[u].asset, U[u].blat, U[u].blon, clat, clon) / as->speed;
      U[u].on = as->endurance - 2 * U[u].transit;
      U[u].active = U[u].on >= SAR_MIN_ON_SCENE && U[u].t_free < cfg->search_limit;
      U[u].t_on = U[u].t_free + U[u].transit;
      if (U[u].active)
        tmid += U[u].t_on + 0.5 * pattern_time(as, object, U[u].on), nact++;
    }
    if (!nact)
      break;
    tmid /= nact; /* the map the wave searches: drifted to the middle of its searches */
    /* the stop rule (`case.stop`): no further period once it would search for persons
     * probably dead, or the search has already reached its POS */
    if (wave > 0 && (alive_share(surv, tmid) < k->stop_p_alive || pos >= k->stop_pos)) {
      out->stopped = alive_share(surv, tmid) < k->stop_p_alive ? 1 : 2;
      break;
    }
    int n = (int)floor((tmid - t_now) / o.dt);
    if (n > 0)
      sar_drift(&out->p, t_now, n, &o), t_now += n * o.dt;
    sar_grid_build(&out->grid, &out->p, cfg->cell, SAR_MAX_GRID, gp, ga);
    if (wave == 0) {
      out->map0 = out->grid;
      memcpy(gp0, gp, out->grid.nx * out->grid.ny * sizeof *gp0);
      memcpy(ga0, ga, out->grid.nx * out->grid.ny * sizeof *ga0);
      out->map0.p = gp0, out->map0.area = ga0;
    }
    memcpy(gpw, gp, out->grid.nx * out->grid.ny * sizeof *gpw); /* the wave's map */
    memcpy(gaw, ga, out->grid.nx * out->grid.ny * sizeof *gaw);
    sar_grid wave_map = out->grid;
    wave_map.p = gpw, wave_map.area = gaw;
    double pos_before = pos, effort = 0;
    if (joint) {
      /* twice: the second time with the transit to each unit's own rectangle */
      for (int pass = 0; pass < 2; pass++) {
        for (size_t u = 0; u < nunit; u++) {
          const scn_sar_asset *as = &cfg->asset[U[u].asset];
          if (pass == 1 && R[u].area > 0) {
            double rl, ro;
            rect_centre(&R[u], &rl, &ro);
            U[u].transit = transit_leg(m, U[u].asset, U[u].blat, U[u].blon, rl, ro) / as->speed;
            U[u].on = fmax(0.0, as->endurance - 2 * U[u].transit);
          }
          W[u] = U[u].active && plans_jointly(as) ? as->sweep[object] : 0;
          L[u] = as->speed * U[u].on;
          blat[u] = U[u].blat, blon[u] = U[u].blon;
        }
        sar_plan_joint(R, &out->grid, nunit, W, L, blat, blon, z, scr);
      }
      for (size_t u = 0; u < nunit; u++) {
        const scn_sar_asset *as = &cfg->asset[U[u].asset];
        if (!U[u].active || !plans_jointly(as) || !(R[u].area > 0))
          continue;
        double rl, ro;
        rect_centre(&R[u], &rl, &ro);
        U[u].transit = transit_leg(m, U[u].asset, U[u].blat, U[u].blon, rl, ro) / as->speed;
        U[u].on = as->endurance - 2 * U[u].transit;
        if (U[u].on < SAR_MIN_ON_SCENE) {
          U[u].active = 0;
          continue;
        }
        U[u].t_on = U[u].t_free + U[u].transit;
        set_track(&R[u], as->sweep[object], as->speed * U[u].on);
      }
    }
    for (size_t u = 0; u < nunit; u++) {
      if (!U[u].active)
        continue;
      const scn_sar_asset *as = &cfg->asset[U[u].asset];
      double Wu = as->sweep[object], Lu = as->speed * U[u].on;
      size_t nl = 1;
      sar_pattern pat = {0};
      if (as->pattern != SAR_PATTERN_OPTIMAL) { /* about the datum as the particles are now */
        sar_plan_pattern(&R[u], &pat, &out->p, as->pattern, Wu, Lu, as->spacing, as->coverage,
                         as->detection);
        Lay[0] = R[u];
      } else if (as->layers > 1) { /* nested passes on the map its predecessors left */
        sar_grid_build(&out->grid, &out->p, cfg->cell, SAR_MAX_GRID, gp, ga);
        sar_plan_layers(Lay, (size_t)as->layers, &out->grid, Wu, Lu, z, NULL);
        nl = (size_t)as->layers;
      } else {
        if (!joint) { /* on the map its predecessors left */
          sar_grid_build(&out->grid, &out->p, cfg->cell, SAR_MAX_GRID, gp, ga);
          sar_plan_rect(&R[u], &out->grid, Wu, Lu, scr);
        }
        Lay[0] = R[u];
      }
      double t = U[u].t_on;
      for (size_t l = 0; l < nl; l++) {
        sar_rect *rl = &Lay[l];
        if (!(rl->track > 0) && nl > 1)
          continue;
        rl->pod = sar_pod(as->detection, rl->coverage);
        /* a pattern's time is its track (the rest of the time on scene goes unused); the
         * optimal plan's passes share the time on scene as their tracks share its track */
        double dt = as->pattern != SAR_PATTERN_OPTIMAL ? rl->track / as->speed
                    : nl > 1                          ? U[u].on * rl->track / Lu
                                                      : U[u].on;
        double removed = sar_update_after_search(&out->p, rl), before = pos;
        pos = 1 - (1 - pos) * (1 - removed);
        effort += Wu * rl->track;
        sar_sortie *so = &out->sortie[out->nsortie++];
        so->asset = U[u].asset, so->unit = U[u].unit, so->wave = wave, so->layer = (int)l;
        so->t_start = t, so->t_end = t + dt, so->rect = *rl, so->pos = pos, so->pattern = pat;
        t += dt;
        if (as->pattern == SAR_PATTERN_OPTIMAL) {
          sar_rect_tracks(&so->tracks, rl, U[u].blat, U[u].blon);
        } else {
          so->tracks.legs = pat.legs * pat.passes, so->tracks.along_lat = !pat.along_x;
          so->tracks.leg_m = pat.leg;
          pattern_csp(rl, &pat, &so->tracks.csp_lat, &so->tracks.csp_lon);
        }
        /* survival counts at the pickup (recovery after the find), not the detection */
        so->p_alive = alive_share(surv, 0.5 * (so->t_start + so->t_end) + as->recovery);
        out->p_found_alive += (pos - before) * so->p_alive;
      }
      U[u].t_free = t + U[u].transit + as->turnaround; /* back, turned round */
    }
    sar_wave *wv = &out->wave[out->nwave++];
    wv->t_mid = tmid, wv->pos_cum = pos;
    wv->pos = pos_before < 1 ? 1 - (1 - pos) / (1 - pos_before) : 0;
    wv->pos_opt = sar_alloc_effort(z, wave_map.p, wave_map.area, wave_map.nx * wave_map.ny,
                                   effort, NULL);
    wv->p_alive = alive_share(surv, tmid);
  }
  out->pos = pos;
  sar_grid_build(&out->grid, &out->p, cfg->cell, SAR_MAX_GRID, gp, ga);
  return 0;
}
