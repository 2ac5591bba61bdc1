/* inspection.c - ship inspection operations on the kernel: Poisson (by plan phase) or
 * replayed traffic through a zone, waiting or crossing it on tracks, boarding teams
 * that sail to intercept and serve it by a priority rule, ships that leave unserved,
 * diversion legs to ports, the legal gates and the plan's tasks -- consent inspection
 * (Ship Inspection Operations Act) or compulsory interdiction (Maritime Transportation
 * Restriction Act) -- and the Erlang formulas the model is checked against.
 *
 * Random streams (module RNG_INSPECTION), by purpose: 0 the start delay, 1 service
 * (mode durations), 2 refits, 3 replayed ships' attributes, 4 replayed ships' fates,
 * and for traffic stream k: 16 + 2k its arrivals, 17 + 2k its ships' attributes
 * (position or course and track, speed, interest, patience), P_FATE + k its ships'
 * fates -- the uniforms that decide each chance of a ship's service (boarded when not
 * of interest, flag and master consent, find, compliance), drawn when it enters.  Adding
 * a stream leaves the draws of the others unchanged, and a ship's fate does not depend
 * on when, or in what order, it is served (common random numbers across courses of
 * action that differ in the operation's start or capacity). */
#include "inspection.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_sf_gamma.h>

#include "err.h"
#include "geo_polygon.h"
#include "searoute.h"
#include "geodesy.h"
#include "plan.h"
#include "rng.h"
#include "scn_inspection.h"
#include "scn_plan.h"
#include "stats.h"

enum { P_START = 0, P_SERVICE = 1, P_REFIT = 2, P_REPLAY = 3, P_REPLAY_FATE = 4, P_STREAM = 16,
       P_FATE = 1 << 20 };

#define PI 3.14159265358979323846

/* ---- the per-run model ------------------------------------------------------------------ */

enum {
  M_SHIPS, M_INTEREST_SHIPS, M_COVERAGE, M_BOARDED_FRAC, M_DIVERTED_FRAC, M_LEFT_FRAC,
  M_INTEREST_MISSED_FRAC, M_DIVERTED, M_CONSENT_REFUSED, M_MASTER_REFUSED,
  M_REQUESTED, M_COMPLIED, M_ORDERED, M_BOARDED_CONSENT, M_BOARDED_INTERDICT,
  M_WAIT, M_WAIT_ALL, M_INTERCEPT, M_BOARDING_TIME, M_TEAM_UTIL, M_ASSET_UTIL, M_ON_STATION,
  M_START, M_INTERDICT_START,
  /* observed in every replication, whether the operation ever started or not */
  M_PASSED, M_INTEREST_PASSED, M_INTEREST_MISSED, M_REGIME_CONSENT, M_REGIME_INTERDICT,
  /* with diversion ports only */
  M_DIV_ARRIVED, M_DIV_TRANSIT, M_DIV_REDIRECTED, M_DIV_NO_PORT, M_DIV_RELEASED, M_ESCORT,
  M_ESCORTED,
  M__COUNT
};
#define M__ALWAYS M_DIV_ARRIVED /* the metrics every inspection defines */
#define M__WHOLE M_PASSED       /* from here to M__ALWAYS: the whole horizon */

static const struct {
  const char *name, *unit, *text;
  unsigned flags;
} metric_info[M__COUNT] = {
    {"ships", "1", "ships that crossed the zone while the operation ran (in scope)", 0},
    {"interest_ships", "1", "vessels of interest among them", 0},
    {"coverage", "1", "fraction of in-scope ships hailed", METRIC_HEADLINE | METRIC_HIGHER_BETTER},
    {"boarded_frac", "1", "fraction of in-scope ships boarded", 0},
    {"diverted_frac", "1", "fraction of in-scope ships diverted", 0},
    {"left_frac", "1", "fraction of in-scope ships that left the zone unserved", METRIC_LOWER_BETTER},
    {"interest_missed_frac", "1",
     "fraction of the vessels of interest that passed over the whole horizon missed",
     METRIC_LOWER_BETTER},
    {"diverted", "1", "ships that changed course on request or were diverted to a port", 0},
    {"consent_refused", "1", "boardings wanted but without UNSC resolution or flag consent", METRIC_LOWER_BETTER},
    {"master_refused", "1", "boardings refused by the master", 0},
    {"diverted.requested", "1",
     "consent regime: ships requested to change route or destination (after a find or a "
     "refused boarding)", 0},
    {"diverted.complied", "1", "consent regime: requested ships that complied", 0},
    {"diverted.ordered", "1",
     "interdiction regime: ships ordered to a Japanese port after a find (MTRA)", 0},
    {"boarded.consent", "1", "in-scope boardings under the consent regime (SIOA)", 0},
    {"boarded.interdiction", "1", "in-scope boardings under the interdiction regime (MTRA)", 0},
    {"wait_mean", "s", "mean wait of served ships, arrival (or start) to service", METRIC_LOWER_BETTER},
    {"wait_all_mean", "s", "mean time in queue of served and departed ships", METRIC_LOWER_BETTER},
    {"intercept_mean", "s", "mean time from a team taking a ship to its asset reaching it", 0},
    {"boarding_time_mean", "s", "mean duration of a boarding inspection", 0},
    {"team_utilisation", "1", "fraction of the operation boarding teams were busy", 0},
    {"asset_utilisation", "1", "fraction of the operation assets had a team busy", 0},
    {"asset_on_station", "1", "fraction of the operation assets were on station", METRIC_HIGHER_BETTER},
    {"start_time", "s", "when the operation started", METRIC_LOWER_BETTER},
    {"interdiction_start", "s", "when the interdiction regime first held", 0},
    {"passed", "1", "ships that entered the zone over the whole horizon, operation or not", 0},
    {"interest_passed", "1", "vessels of interest among them", 0},
    {"interest_missed", "1",
     "vessels of interest that passed over the whole horizon (before the operation too) "
     "and left neither boarded nor turned away",
     METRIC_HEADLINE | METRIC_LOWER_BETTER},
    {"regime.consent", "s", "time the consent regime (SIOA) held while the operation ran", 0},
    {"regime.interdiction", "s",
     "time the interdiction regime (MTRA) held while the operation ran", 0},
    {"diverted_arrived", "1", "diverted ships that reached a diversion port by the horizon", 0},
    {"divert_transit_mean", "s", "mean time from a diversion to the ship's arrival in port", 0},
    {"divert_redirected", "1", "diversion legs sent on because their port closed", 0},
    {"divert_no_port", "1", "diversions given up because every diversion port was closed", 0},
    {"divert_released", "1",
     "diversion legs given up because the interdiction regime ended on the way", 0},
    {"asset_escorting", "1", "fraction of the operation assets spent escorting to port and back",
     0},
    {"diverted.escorted", "1", "diverted ships escorted to port by an inspecting asset", 0},
};

typedef struct unit_def {
  const scn_insp_asset *a;
  double base_lat, base_lon;
  int src;     /* the sea source at its base (sea routing), or -1 */
  int first_team, nteams;
  int useless; /* endurance too short for the round trip: never deploys */
} unit_def;

struct insp_model {
  const scn_scenario *sc;
  const scn_inspection *in;
  int metric[M__COUNT];  /* -1: not defined for this scenario */
  int *metric_phase;     /* [nphase] ships entering in each plan phase, or NULL */
  int *metric_port;      /* [nport] diverted ships that arrived in each port, or NULL */
  double *p_interest;    /* [nclass * nflag] */
  double *p_consent;     /* [nflag] */
  const scn_insp_speed **speed; /* [nclass] the class's speed rule, or NULL */
  size_t nunit, nteam;
  unit_def *unit;        /* [nunit] */
  double lat_min, lat_max, lon_min, lon_max, clat, clon; /* the zone */
  double coslat;         /* cos(clat): the local plane's east scale */
  double *zx, *zy;       /* [nzone] the zone's vertices in the local plane, m */
  size_t nzone;
  double mean_chord;     /* m: pi area / perimeter, the mean chord over all directions */
  int unsc_gate;   /* the UNSC resolution's gate index in the authorities table, or -1 */
  geo_sea *sea;    /* ships sail over water (docs/models.md "Sea routing"), or NULL */
  int *port_src;   /* [nport] the sea source at each diversion port, or NULL */
};

/* Sea distance from a source's point (lat0/lon0) to lat/lon; the great circle without
 * a sea, from no source, or to a point the sea does not reach. */
static double sail(const insp_model *m, int src, double lat0, double lon0, double lat, double lon) {
  double d = m->sea && src >= 0 ? geo_sea_distance(m->sea, src, lat, lon) : INFINITY;
  return isfinite(d) ? d : geo_distance(lat0, lon0, lat, lon);
}

/* The theater's sea (shared with the other models: the same box and options), a
 * source at every diversion port and asset base, each with a full field. */
static int open_sea(insp_model *m, diag *d) {
  const scn_scenario *sc = m->sc;
  const scn_inspection *in = m->in;
  for (size_t u = 0; u < m->nunit; u++) m->unit[u].src = -1;
  if (!sc->coastline) return 0;
  double b[4];
  scn_theater_box(sc, 3, b);
  geo_box box = {b[0], b[1], b[2], b[3]};
  geo_sea_options o = GEO_SEA_OPTIONS_INIT;
  o.coastline = sc->coastline;
  int err = geo_sea_open(&m->sea, &box, &o, d);
  if (err == ERR_NOTFOUND) return 0; /* the logistics model says so; great circles */
  if (err) return err;
  size_t n = in->nport + m->nunit;
  int *src = malloc((n + 1) * sizeof *src), k = 0;
  if (!src || !(m->port_src = malloc((in->nport + 1) * sizeof *m->port_src))) {
    free(src);
    return ERR_NOMEM;
  }
  for (size_t i = 0; i < in->nport; i++) {
    const scn_place *p = &sc->place[in->port[i]];
    if ((m->port_src[i] = geo_sea_source(m->sea, p->lat, p->lon)) < 0) err = m->port_src[i];
    else src[k++] = m->port_src[i];
  }
  for (size_t u = 0; u < m->nunit && !err; u++) {
    if ((m->unit[u].src = geo_sea_source(m->sea, m->unit[u].base_lat, m->unit[u].base_lon)) < 0)
      err = m->unit[u].src;
    else src[k++] = m->unit[u].src;
  }
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (!err) err = geo_sea_cover_all(m->sea, src, k, INFINITY, cpus < 1 ? 1 : cpus > 4 ? 4 : (int)cpus);
  free(src);
  return err;
}

static int in_zone(const scn_region *r, double lat, double lon) {
  return geo_point_in_polygon(lat, lon, r->lat, r->lon, r->n);
}

/* Ships slower than this are taken to steam at it, so every track ends (0.1 m/s is
 * 0.2 kn: a ship hove to, drifting). */
#define MIN_SPEED 0.1

/* ---- the local plane ---------------------------------------------------------------------
 * Inside the zone, tracks, intercepts and the nearest rule work on the plane tangent at
 * the zone's vertex centroid: x east, y north, metres (an equirectangular projection).
 * Over a zone 100 km across its distances agree with geo_distance to a fraction of a
 * per cent (docs/models.md section 5, tested); legs to bases and ports use geo_distance. */

static void to_plane(const insp_model *m, double lat, double lon, double *x, double *y) {
  *x = GEO_EARTH_RADIUS * m->coslat * (lon - m->clon) * (PI / 180);
  *y = GEO_EARTH_RADIUS * (lat - m->clat) * (PI / 180);
}

static void to_latlon(const insp_model *m, double x, double y, double *lat, double *lon) {
  *lat = m->clat + y / GEO_EARTH_RADIUS * (180 / PI);
  *lon = m->clon + x / (GEO_EARTH_RADIUS * m->coslat) * (180 / PI);
}

static int build_units(insp_model *m, diag *d) {
  const scn_inspection *in = m->in;
  for (size_t i = 0; i < in->nasset; i++) m->nunit += (size_t)in->asset[i].count;
  m->unit = calloc(m->nunit ? m->nunit : 1, sizeof *m->unit);
  if (!m->unit) return ERR_NOMEM;
  size_t u = 0;
  for (size_t i = 0; i < in->nasset; i++) {
    const scn_insp_asset *a = &in->asset[i];
    const scn_place *base = &m->sc->place[m->sc->force[a->force].base];
    for (int k = 0; k < a->count; k++, u++) {
      m->unit[u] = (unit_def){a, base->lat, base->lon, -1, (int)m->nteam, a->teams, 0};
      m->nteam += (size_t)a->teams;
    }
  }
  (void)d;
  return 0;
}

/* The way out from each base to the zone's centre (over water where there is a sea):
 * an asset whose endurance does not cover the round trip never deploys (a warning). */
static int check_units(insp_model *m, diag *d) {
  for (size_t u = 0; u < m->nunit; u++) {
    unit_def *ud = &m->unit[u];
    const scn_insp_asset *a = ud->a;
    double out = sail(m, ud->src, ud->base_lat, ud->base_lon, m->clat, m->clon) / a->speed;
    ud->useless = isfinite(a->endurance) && a->endurance <= 2 * out;
    if (ud->useless && (u == 0 || m->unit[u - 1].a != a))
      diag_report(d, DIAG_WARNING, m->sc->path, 0, 0,
                  "inspection asset '%s': endurance %.3g h is less than the round trip of %.3g h "
                  "from its base to the zone; it never deploys",
                  m->sc->force[a->force].id, a->endurance / 3600, 2 * out / 3600);
  }
  return 0;
}

static int zone_geometry(insp_model *m) {
  const scn_region *z = &m->sc->region[m->in->zone];
  m->lat_min = m->lat_max = z->lat[0];
  m->lon_min = m->lon_max = z->lon[0];
  m->clat = m->clon = 0;
  for (size_t i = 0; i < z->n; i++) {
    m->lat_min = fmin(m->lat_min, z->lat[i]), m->lat_max = fmax(m->lat_max, z->lat[i]);
    m->lon_min = fmin(m->lon_min, z->lon[i]), m->lon_max = fmax(m->lon_max, z->lon[i]);
    m->clat += z->lat[i] / (double)z->n, m->clon += z->lon[i] / (double)z->n;
  }
  m->coslat = cos(m->clat * PI / 180);
  m->nzone = z->n;
  m->zx = malloc(z->n * sizeof *m->zx);
  m->zy = malloc(z->n * sizeof *m->zy);
  if (!m->zx || !m->zy) return ERR_NOMEM;
  for (size_t i = 0; i < z->n; i++) to_plane(m, z->lat[i], z->lon[i], &m->zx[i], &m->zy[i]);
  /* Cauchy: over lines uniform in direction and offset, a convex region's mean chord is
   * pi A / P (shoelace area, perimeter). */
  double area = 0, perim = 0;
  for (size_t i = 0; i < z->n; i++) {
    size_t j = (i + 1) % z->n;
    area += m->zx[i] * m->zy[j] - m->zx[j] * m->zy[i];
    perim += hypot(m->zx[j] - m->zx[i], m->zy[j] - m->zy[i]);
  }
  m->mean_chord = perim > 0 ? PI * fabs(area) / 2 / perim : 0;
  return 0;
}

/* unsc_resolution: {gate: ID}: the gate's index in the table the plan module publishes
 * SIG_GATE_OPENED with (its `gate`); the caller passes the run's table, or the shipped
 * one, the plan module's default, so the indices agree. */
static int resolve_gate(insp_model *m, const plan_authorities *table, diag *d) {
  const scn_inspection *in = m->in;
  const scn_loc *loc = &in->unsc_gate_loc;
  m->unsc_gate = -1;
  if (!in->unsc_gate) return 0;
  m->unsc_gate = plan_authorities_find(table, PLAN_GATES, in->unsc_gate);
  if (m->unsc_gate < 0) {
    diag_report(d, DIAG_ERROR, loc->file, loc->line, loc->col,
                "unknown gate '%s' in the authorities table %s", in->unsc_gate,
                plan_authorities_path(table));
    return ERR_INPUT;
  }
  if (!plan_scenario_uses(m->sc))
    diag_report(d, DIAG_WARNING, loc->file, loc->line, loc->col,
                "gate '%s' opens only by a 'situations:' gate entry, and the scenario has "
                "no 'situations:' or 'plan:' section: the resolution never comes", in->unsc_gate);
  return 0;
}

/* The first inspection asset of the table's nation, or -1. */
static int own_asset(const scn_scenario *sc, const char *nation) {
  const scn_inspection *in = sc->inspection;
  for (size_t i = 0; nation && i < in->nasset; i++) {
    int f = in->asset[i].force;
    if (f >= 0 && sc->force[f].nation && strcmp(sc->force[f].nation, nation) == 0) return (int)i;
  }
  return -1;
}

int insp_check(const scn_scenario *sc, const struct plan_authorities *table, diag *d) {
  const scn_inspection *in = sc ? sc->inspection : NULL;
  if (!in || !table) return 0;
  const char *nation = plan_authorities_nation(table);
  int a = own_asset(sc, nation);
  if (a < 0) return 0;
  const char *force = sc->force[in->asset[a].force].id;
  const scn_loc *at = &in->start_loc;
  int rc = 0;
  if (in->start_kind != SCN_INSP_START_TASK) {
    /* SIOA art. 5 and MTRA art. 4: the SDF inspect or interdict only as ordered under a
     * basic plan or a defense operation -- in straits, a plan task the table gates. */
    diag_report(d, DIAG_ERROR, at->file, at->line, at->col,
                "inspection asset '%s' is a force of %s, and its ship inspection needs a "
                "legal authority: start the inspection with 'start: {task: ID}', a %s plan "
                "task of activity 'ship_inspection' or 'maritime_interdiction'",
                force, nation, nation);
    return ERR_INPUT;
  }
  const scn_plan *p = sc->plan;
  int tasks[2] = {in->start_task, in->interdict_task};
  const scn_loc *locs[2] = {at, &in->interdict_loc};
  for (int k = 0; k < 2; k++) {
    if (tasks[k] < 0 || !p) continue;
    const scn_task *t = &p->task[tasks[k]];
    if (!t->owner || strcmp(t->owner, nation) != 0) {
      diag_report(d, DIAG_ERROR, locs[k]->file, locs[k]->line, locs[k]->col,
                  "inspection asset '%s' is a force of %s, but task '%s' is owned by '%s': "
                  "only a task of %s is gated by the authorities table",
                  force, nation, t->id, t->owner ? t->owner : "", nation);
      rc = ERR_INPUT;
    }
  }
  /* MTRA art. 4 and ch. 4: a ship is diverted to a port of Japan. */
  int interdicts = in->interdict_task >= 0 || in->start_regime == SCN_INSP_REGIME_INTERDICTION;
  for (size_t k = 0; interdicts && k < in->nport; k++) {
    const scn_place *pl = &sc->place[in->port[k]];
    if (!pl->nation || strcmp(pl->nation, nation) != 0)
      diag_report(d, DIAG_WARNING, at->file, at->line, at->col,
                  "diversion port '%s' is not a place of %s: the interdiction regime "
                  "diverts ships to a port of %s",
                  pl->id, nation, nation);
  }
  return rc;
}

static int define_metrics(insp_model *m, metric_set *ms) {
  const scn_inspection *in = m->in;
  int rc;
  for (int k = 0; k < M__COUNT; k++) {
    m->metric[k] = -1;
    if (k >= M__ALWAYS && !in->nport) continue;
    if ((k == M_ESCORT || k == M_ESCORTED) && in->escort != SCN_INSP_ESCORT_ASSET) continue;
    if ((rc = m->metric[k] = metric_define(ms, "inspection", metric_info[k].name,
                                           metric_info[k].unit, metric_info[k].flags,
                                           metric_info[k].text)) < 0)
      return rc;
  }
  if (in->nport) {
    m->metric_port = malloc(in->nport * sizeof *m->metric_port);
    if (!m->metric_port) return ERR_NOMEM;
    for (size_t k = 0; k < in->nport; k++) {
      const char *id = m->sc->place[in->port[k]].id;
      char name[160], text[200];
      snprintf(name, sizeof name, "port.%s.arrived", id);
      snprintf(text, sizeof text, "diverted ships that arrived in '%s'", id);
      /* A port listed twice counts under its first entry (see insp_collect). */
      if (metric_find(ms, "inspection", name) >= 0) {
        m->metric_port[k] = -1;
        continue;
      }
      if ((rc = m->metric_port[k] = metric_define(ms, "inspection", name, "1", 0, text)) < 0)
        return rc;
    }
  }
  if (!in->by_phase) return 0;
  const scn_plan *p = m->sc->plan;
  m->metric_phase = malloc(in->nphase * sizeof *m->metric_phase);
  if (!m->metric_phase) return ERR_NOMEM;
  for (size_t k = 0; k < in->nphase; k++) {
    char name[160], text[200];
    snprintf(name, sizeof name, "phase.%s.ships", p->phase[k].id);
    snprintf(text, sizeof text, "in-scope ships that entered the zone in plan phase '%s'",
             p->phase[k].id);
    if ((rc = m->metric_phase[k] = metric_define(ms, "inspection", name, "1", 0, text)) < 0)
      return rc;
  }
  return 0;
}

int insp_model_new(insp_model **out, const scn_scenario *sc, metric_set *ms, diag *d) {
  return insp_model_new_with(out, sc, NULL, ms, d);
}

int insp_model_new_with(insp_model **out, const scn_scenario *sc,
                        const struct plan_authorities *table, metric_set *ms, diag *d) {
  *out = NULL;
  const scn_inspection *in = sc->inspection;
  if (!in) return 0;
  insp_model *m = calloc(1, sizeof *m);
  if (!m) return ERR_NOMEM;
  m->sc = sc, m->in = in;
  /* Without the run's table, the shipped one (the plan module's default). */
  plan_authorities *own = NULL;
  diag *quiet = d ? NULL : diag_new(); /* the table's loader wants somewhere to report */
  int rc = d || quiet ? 0 : ERR_NOMEM;
  if (!rc && !table) rc = plan_authorities_load(&own, plan_authorities_default_path(), d ? d : quiet);
  if (!table) table = own;
  if (!rc) rc = insp_check(sc, table, d);
  if (!rc) rc = resolve_gate(m, table, d);
  plan_authorities_free(own);
  diag_free(quiet);
  if (rc) goto fail;
  rc = ERR_NOMEM;
  size_t ncf = in->nclass * in->nflag;
  m->p_interest = malloc((ncf ? ncf : 1) * sizeof *m->p_interest);
  m->p_consent = malloc((in->nflag ? in->nflag : 1) * sizeof *m->p_consent);
  m->speed = calloc(in->nclass ? in->nclass : 1, sizeof *m->speed);
  if (!m->p_interest || !m->p_consent || !m->speed) goto fail;
  for (size_t c = 0; c < in->nclass; c++) {
    for (size_t f = 0; f < in->nflag; f++)
      m->p_interest[c * in->nflag + f] =
          scn_insp_rule_lookup(in->interest, in->ninterest, (int)c, (int)f);
    m->speed[c] = scn_insp_speed_lookup(in, (int)c);
  }
  for (size_t f = 0; f < in->nflag; f++)
    m->p_consent[f] = scn_insp_rule_lookup(in->consent, in->nconsent, -1, (int)f);
  if ((rc = zone_geometry(m)) < 0) goto fail;
  if ((rc = build_units(m, d)) < 0 || (rc = open_sea(m, d)) < 0 || (rc = check_units(m, d)) < 0)
    goto fail;
  if ((rc = define_metrics(m, ms)) < 0) goto fail;
  *out = m;
  return 0;
fail:
  insp_model_free(m);
  return rc;
}

void insp_model_free(insp_model *m) {
  if (!m) return;
  free(m->p_interest), free(m->p_consent), free(m->speed), free(m->unit);
  free(m->zx), free(m->zy), free(m->metric_phase), free(m->metric_port);
  free(m->port_src);
  geo_sea_close(m->sea);
  free(m);
}

/* ---- replication state ------------------------------------------------------------------ */

enum ship_state { SH_WAIT, SH_SERVE, SH_DONE, SH_GONE };

/* The chances of a ship's service, each decided by a uniform the ship brings. */
enum { U_WANT, U_FLAG, U_MASTER, U_FIND, U_COMPLY, U__COUNT };

typedef struct ship ship;
struct ship {
  ship *prev, *next; /* in its queue while waiting; next links the free list */
  insp *I;
  double arrive;     /* entered the zone */
  double t0, x, y;   /* local plane, m, at time t0 */
  double vx, vy;     /* m/s (0 when stationary or stopped for a boarding) */
  double leave;      /* when it leaves the zone unserved (INFINITY: never) */
  double speed;      /* m/s on a diversion leg (NaN: no speed rule) */
  uint64_t seq;      /* arrival order, for FIFO across the two queues */
  int cls, flag, interest, state, leave_pending, in_scope, phase;
  int checked;       /* boarded, or turned away (complied with a request, or diverted) */
  float u[U__COUNT]; /* its service's uniforms, drawn on entry (ship_draw_rest) */
};

typedef struct queue {
  ship *head, *tail;
  size_t n;
} queue;

enum unit_state { U_BASE, U_OUTBOUND, U_STATION, U_RECALLED, U_HOMEBOUND, U_ESCORT };

typedef struct unit {
  insp *I;
  const unit_def *def;
  int state, busy;
  int recalled;                       /* its sortie ended while it escorted */
  int escorting;                      /* on an escort leg or returning from one */
  double x, y;                        /* local plane (on station and in the zone) */
  double lat, lon;                    /* elsewhere: at base or port */
  double busy_area, busy_since;       /* time with at least one team busy */
  double station_area, station_since; /* time on station */
  double escort_area, escort_since;   /* time escorting a diverted ship and returning */
} unit;

enum team_phase { PH_IDLE, PH_HAIL, PH_BOARD, PH_DIVERT };

typedef struct team {
  insp *I;
  unit *u;
  ship *sh;
  int phase;
  double since, busy_total;
} team;

/* A diverted ship's leg to a port (with its escort, if any).  Legs are recycled. */
typedef struct leg leg;
struct leg {
  leg *prev, *next;  /* the active legs; next links the free list */
  insp *I;
  unit *escort;      /* NULL: the ship sails alone */
  double lat0, lon0, t0; /* where and when this leg began */
  double t1;         /* arrival at the port */
  double speed;      /* m/s */
  double diverted;   /* when the diversion was decided */
  int port;          /* index into in->port */
  int in_scope;
};

/* A stream is dormant (no events) until the operation's start is in sight; its rate
 * history lets it then replay, draw for draw, the ships it would have sent since 0
 * (stream_replay), entering those still in the zone and counting the rest. */
typedef struct stream_state {
  insp *I;
  const scn_insp_stream *def;
  double base;  /* the stream's own rate: `rate`, then its `changes` */
  double rate;  /* in force: the current phase's by_phase rate, else base */
  double next_t;
  int live;
  size_t nhist, cap;
  double *hist_t, *hist_rate; /* [cap]: rate from hist_t[i] on */
  rng_stream arrivals, ships, fates;
} stream_state;

typedef struct rate_timer {
  stream_state *st;
  double rate;
} rate_timer;

struct insp {
  const insp_model *m;
  const scn_inspection *in;
  sim *sim;
  arena *arena;
  rng_stream r_start, r_service, r_refit, r_replay, r_replay_fate;
  queue interest, other;
  ship *free;
  leg *legs, *free_legs; /* active diversion legs, recycled ones */
  uint64_t seq, simulated;
  unit *unit;   /* [nunit] */
  team *team;   /* [nteam] */
  stream_state *stream;
  double *tau;  /* [nzone] scratch for track intersections */
  int *port_open; /* [nport] */
  uint64_t *port_arrived; /* [nport] in-scope diverted ships that arrived there */
  int phase;    /* latest plan phase begun, -1 before any */
  double *phase_t; /* [nphase] when each began, NaN if not yet */
  uint64_t *phase_ships; /* [nphase] in-scope ships entering in it */
  size_t replay_next;
  int start_pending, started, unsc_open, traffic_live;
  int task_on[SCN_INSP_REGIME__COUNT]; /* the plan's task of each regime is running */
  int regime;        /* the regime teams act under now (scn_insp_regime), -1: none */
  double regime_since, regime_time[SCN_INSP_REGIME__COUNT], interdict_start;
  int unsc_scopes; /* scopes (all situations, or one) the plan's UNSC gate is open for */
  double start_time;
  /* every ship, in scope or not, over the whole horizon (dormant streams' ships too) */
  uint64_t passed, interest_passed, interest_missed;
  /* outcomes of in-scope ships */
  uint64_t ships, interest_ships, hailed, boarded, diverted, left;
  uint64_t consent_refused, master_refused, served, boardings;
  uint64_t requested, complied, ordered, escorted, boarded_by[SCN_INSP_REGIME__COUNT];
  uint64_t div_arrived, div_redirected, div_no_port, div_released;
  double wait_sum, wait_all_sum, boarding_sum, intercept_sum, div_transit_sum;
};

/* ---- geometry ------------------------------------------------------------------------------- */

static void ship_pos(const ship *s, double t, double *x, double *y) {
  *x = s->x + s->vx * (t - s->t0);
  *y = s->y + s->vy * (t - s->t0);
}

/* Times T >= 0 in which an asset at distance (dx, dy) from a ship steaming (vx, vy),
 * sailing at speed v, reaches it: the smallest root of
 * |d + vs T| = v T, i.e. (|vs|^2 - v^2) T^2 + 2 (d.vs) T + |d|^2 = 0; INFINITY if none. */
double insp_intercept_time(double dx, double dy, double vx, double vy, double v) {
  double a = vx * vx + vy * vy - v * v, b = 2 * (dx * vx + dy * vy), c = dx * dx + dy * dy;
  if (c == 0) return 0;
  if (fabs(a) < 1e-12 * v * v) return b < 0 ? -c / b : INFINITY; /* equal speeds */
  double disc = b * b - 4 * a * c;
  if (disc < 0) return INFINITY;
  double q = -0.5 * (b + copysign(sqrt(disc), b)); /* the stable pair of roots */
  double t1 = q / a, t2 = c / q, best = INFINITY;
  if (t1 >= 0) best = t1;
  if (t2 >= 0 && t2 < best) best = t2;
  return best;
}

/* How long the asset of u takes from now to reach ship s (sailing to where it will be). */
static double reach_time(const unit *u, const ship *s, double now) {
  double sx, sy;
  ship_pos(s, now, &sx, &sy);
  return insp_intercept_time(sx - u->x, sy - u->y, s->vx, s->vy, u->def->a->speed);
}

/* Where the line {p : p.n = off} (n = (cos c, -sin c), c the course) crosses the zone's
 * edges, as distances along the course d = (sin c, cos c), sorted.  Returns how many.
 * Each edge is half open, so a line through a vertex counts it once. */
static size_t chord(const insp *I, double dx, double dy, double off, double *tau) {
  const insp_model *m = I->m;
  double nx = dy, ny = -dx;
  size_t k = 0;
  for (size_t i = 0; i < m->nzone; i++) {
    size_t j = (i + 1) % m->nzone;
    double pa = m->zx[i] * nx + m->zy[i] * ny, pb = m->zx[j] * nx + m->zy[j] * ny;
    if (pa == pb) continue; /* an edge along the course */
    double mu = (off - pa) / (pb - pa);
    if (!(mu >= 0 && mu < 1)) continue;
    double x = m->zx[i] + mu * (m->zx[j] - m->zx[i]), y = m->zy[i] + mu * (m->zy[j] - m->zy[i]);
    double t = x * dx + y * dy;
    size_t p = k++;
    while (p > 0 && tau[p - 1] > t) tau[p] = tau[p - 1], p--; /* insertion: n is small */
    tau[p] = t;
  }
  return k;
}

/* A track across the zone on course c (degrees): parallel tracks spread uniformly over
 * the zone's width across the course, so a ship enters at the first crossing of its
 * line and leaves at the next.  Sets the entry point and the length inside (m). */
static void draw_track(const insp *I, rng_stream *r, double course, double *x, double *y,
                       double *len) {
  const insp_model *m = I->m;
  double dx = sin(course * PI / 180), dy = cos(course * PI / 180), lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < m->nzone; i++) {
    double p = m->zx[i] * dy - m->zy[i] * dx;
    lo = fmin(lo, p), hi = fmax(hi, p);
  }
  for (int tries = 0; tries < 16; tries++) {
    double off = lo + (hi - lo) * rng_uniform(r);
    if (chord(I, dx, dy, off, I->tau) < 2) continue; /* grazed a vertex */
    *x = off * dy + I->tau[0] * dx, *y = -off * dx + I->tau[0] * dy;
    *len = I->tau[1] - I->tau[0];
    return;
  }
  *x = *y = *len = 0; /* a degenerate zone: the ship passes its centroid at once */
}

/* From (x, y) inside the zone on course c: the distance to the first edge ahead. */
static double exit_distance(insp *I, double x, double y, double course) {
  double dx = sin(course * PI / 180), dy = cos(course * PI / 180);
  size_t k = chord(I, dx, dy, x * dy - y * dx, I->tau);
  double at = x * dx + y * dy;
  for (size_t i = 0; i < k; i++)
    if (I->tau[i] > at + 1e-6) return I->tau[i] - at;
  return 0;
}

/* ---- queues -------------------------------------------------------------------------------- */

/* Queues are in order of arrival.  A live arrival goes to the tail at once; ships a
 * waking stream sends from the past walk back from the tail to their place. */
static int before(const ship *a, const ship *b) {
  return a->arrive < b->arrive || (a->arrive == b->arrive && a->seq < b->seq);
}

static void q_push(queue *q, ship *s) {
  ship *after = q->tail;
  while (after && before(s, after)) after = after->prev;
  s->prev = after;
  s->next = after ? after->next : q->head;
  if (s->next) s->next->prev = s;
  else q->tail = s;
  if (after) after->next = s;
  else q->head = s;
  q->n++;
}

static void q_remove(queue *q, ship *s) {
  if (s->prev) s->prev->next = s->next;
  else q->head = s->next;
  if (s->next) s->next->prev = s->prev;
  else q->tail = s->prev;
  s->prev = s->next = NULL;
  q->n--;
}

static queue *queue_of(insp *I, const ship *s) { return s->interest ? &I->interest : &I->other; }

static void ship_free(insp *I, ship *s) {
  s->next = I->free;
  I->free = s;
}

/* With tracks a team takes only a ship its asset can reach before the ship leaves the
 * zone (*T: the time to reach it).  A stationary ship waits once taken, as in the
 * queueing models, so it is always reachable. */
static int reachable(const insp *I, const unit *u, const ship *s, double now, double *T) {
  *T = reach_time(u, s, now);
  return I->in->motion != SCN_INSP_TRACKS || now + *T < s->leave;
}

static ship *first_reachable(const insp *I, const unit *u, ship *s, double now) {
  double T;
  for (; s; s = s->next)
    if (reachable(I, u, s, now, &T)) return s;
  return NULL;
}

/* The waiting ship an idle team of u takes by the rule, or NULL. */
static ship *pick(insp *I, const unit *u) {
  double now = sim_now(I->sim), T;
  ship *a = I->interest.head, *b = I->other.head;
  switch (I->in->rule) {
  case SCN_INSP_FIFO:
    while (a || b) { /* merge the two queues in arrival order */
      ship **s = !b || (a && before(a, b)) ? &a : &b;
      if (reachable(I, u, *s, now, &T)) return *s;
      *s = (*s)->next;
    }
    return NULL;
  case SCN_INSP_NEAREST: {
    /* Nearest in time: the shortest intercept from the ships' current positions (for
     * stationary ships, the nearest by distance). */
    ship *best = NULL;
    double best_k = INFINITY;
    for (int k = 0; k < 2; k++)
      for (ship *s = k ? b : a; s; s = s->next)
        if (reachable(I, u, s, now, &T) && (T < best_k || (T == best_k && best && before(s, best))))
          best = s, best_k = T;
    return best;
  }
  case SCN_INSP_INTEREST_FIRST:
  default: {
    ship *s = first_reachable(I, u, a, now);
    return s ? s : first_reachable(I, u, b, now);
  }
  }
}

/* ---- service --------------------------------------------------------------------------------- */

/* Teams take ships while a regime holds (its task runs) and, under the consent regime
 * with legal_basis unsc_only, while the resolution is in force. */
static int active(const insp *I) {
  return I->started && I->regime >= 0 &&
         (I->regime != SCN_INSP_REGIME_CONSENT || I->in->basis != SCN_INSP_UNSC_ONLY ||
          I->unsc_open);
}

static double sample(const dist *d, rng_stream *r) {
  double x = dist_sample(d, r);
  return x > 0 ? x : 0;
}

static void team_step(sim *s, void *ctx);
static void leave_station(insp *I, unit *u);
static void unit_arrives(sim *s, void *ctx);
static void unit_home(sim *s, void *ctx);

static void unit_busy(unit *u, int delta) {
  double now = sim_now(u->I->sim);
  if (u->busy == 0 && delta > 0) u->busy_since = now;
  u->busy += delta;
  if (u->busy == 0) u->busy_area += now - u->busy_since;
}

static void start_service(insp *I, team *t, ship *sh) {
  double now = sim_now(I->sim);
  unit *u = t->u;
  double transit = reach_time(u, sh, now);
  q_remove(queue_of(I, sh), sh);
  sh->state = SH_SERVE;
  if (sh->in_scope) {
    double w = now - fmax(sh->arrive, I->start_time);
    I->wait_sum += w, I->wait_all_sum += w, I->served++;
    I->intercept_sum += transit;
  }
  unit_busy(u, 1);
  /* They meet where the ship will be; it then lies stopped for the hail, the boarding
   * and the request to divert (nothing asks where it is before they meet). */
  ship_pos(sh, now + transit, &u->x, &u->y);
  sh->t0 = now + transit, sh->x = u->x, sh->y = u->y, sh->vx = sh->vy = 0;
  t->sh = sh, t->phase = PH_HAIL, t->since = now;
  if (sim_after(I->sim, transit + sample(&I->in->hail, &I->r_service), team_step, t) < 0)
    return; /* the kernel recorded the error and stops */
}

static void dispatch(insp *I) {
  if (!active(I)) return;
  const unit *none = NULL; /* a unit that found no ship: its other teams would not */
  for (size_t k = 0; k < I->m->nteam && (I->interest.n || I->other.n); k++) {
    team *t = &I->team[k];
    if (t->phase != PH_IDLE || t->u->state != U_STATION || t->u == none) continue;
    ship *sh = pick(I, t->u);
    if (sh) start_service(I, t, sh);
    else none = t->u;
  }
}

/* The team is done with its ship; its asset is where the ship lay stopped.  A vessel
 * of interest neither boarded nor turned away is missed (docs/models.md section 5). */
static void finish(insp *I, team *t) {
  double now = sim_now(I->sim);
  ship *sh = t->sh;
  unit *u = t->u;
  if (u->state == U_STATION || u->state == U_RECALLED) ship_pos(sh, now, &u->x, &u->y);
  if (sh->interest && !sh->checked) I->interest_missed++;
  sh->state = SH_DONE;
  if (!sh->leave_pending) ship_free(I, sh);
  t->busy_total += now - t->since;
  t->sh = NULL, t->phase = PH_IDLE;
  unit_busy(u, -1);
  if (u->state == U_RECALLED && u->busy == 0) leave_station(I, u);
  dispatch(I);
}

/* The request to change route or destination (and the persuasion), or under the
 * interdiction regime the order to sail for a Japanese port: the `divert` mode. */
static void begin_divert(insp *I, team *t) {
  t->phase = PH_DIVERT;
  sim_after(I->sim, sample(&I->in->divert, &I->r_service), team_step, t);
}

/* After the hail: board if wanted and lawful.  Under the consent regime (SIOA art. 2)
 * the activity rests on a UNSC resolution or the flag state's consent: without either
 * nothing more is done to the ship, not even a request; the master may refuse the
 * boarding (Appended Table: boarding with the master's consent), and the team may then
 * only request a change of route or destination.  Under the interdiction regime (MTRA
 * art. 4 and ch. 4) the ship is stopped and boarded without anyone's consent.  With no
 * regime in force (the task paused) the team lets the ship go. */
static void after_hail(insp *I, team *t) {
  ship *sh = t->sh;
  const scn_inspection *in = I->in;
  if (sh->in_scope) I->hailed++;
  int want = sh->interest || sh->u[U_WANT] < in->board_others;
  if (!want || I->regime < 0) return finish(I, t);
  if (I->regime == SCN_INSP_REGIME_CONSENT) {
    if (!I->unsc_open && !(sh->u[U_FLAG] < I->m->p_consent[sh->flag])) {
      if (sh->in_scope) I->consent_refused++;
      return finish(I, t);
    }
    if (in->master_consent < 1 && !(sh->u[U_MASTER] < in->master_consent)) {
      if (sh->in_scope) I->master_refused++;
      return begin_divert(I, t);
    }
  }
  if (sh->in_scope) I->boarded_by[I->regime]++;
  sh->checked = 1;
  double d = sample(&in->board, &I->r_service);
  if (sh->in_scope) I->boarding_sum += d, I->boardings++;
  t->phase = PH_BOARD;
  sim_after(I->sim, d, team_step, t);
}

/* ---- diversion legs ------------------------------------------------------------------------- */

static void leg_arrives(sim *s, void *ctx);

/* The first open port in order of preference, or -1. */
static int open_port(const insp *I) {
  for (size_t k = 0; k < I->in->nport; k++)
    if (I->port_open[k]) return (int)k;
  return -1;
}

static const scn_place *port_place(const insp *I, int k) {
  return &I->m->sc->place[I->in->port[k]];
}

/* Sail leg g from (lat, lon) now to port k. */
static void leg_sail(insp *I, leg *g, double lat, double lon, int k) {
  const scn_place *p = port_place(I, k);
  g->lat0 = lat, g->lon0 = lon, g->t0 = sim_now(I->sim), g->port = k;
  g->t1 = g->t0 + sail(I->m, I->m->port_src ? I->m->port_src[k] : -1, p->lat, p->lon, lat, lon) / g->speed;
  sim_at(I->sim, g->t1, leg_arrives, g);
}

static void leg_unlink(insp *I, leg *g) {
  if (g->prev) g->prev->next = g->next;
  else I->legs = g->next;
  if (g->next) g->next->prev = g->prev;
  g->prev = NULL, g->next = I->free_legs;
  I->free_legs = g;
  g->t1 = NAN; /* a stale arrival finds no leg */
}

/* The escort is over at (lat, lon): back to the zone, or home when its sortie ended. */
static void escort_done(insp *I, unit *u, double lat, double lon) {
  u->lat = lat, u->lon = lon;
  double to_zone = geo_distance(lat, lon, I->m->clat, I->m->clon);
  if (u->recalled) {
    u->state = U_HOMEBOUND;
    sim_after(I->sim,
              sail(I->m, u->def->src, u->def->base_lat, u->def->base_lon, lat, lon) / u->def->a->speed,
              unit_home, u);
  } else {
    u->state = U_OUTBOUND;
    sim_after(I->sim, to_zone / u->def->a->speed, unit_arrives, u);
  }
}

static void escort_end_accounting(unit *u) {
  if (!u->escorting) return;
  u->escorting = 0;
  u->escort_area += sim_now(u->I->sim) - u->escort_since;
}

static void leg_arrives(sim *s, void *ctx) {
  leg *g = ctx;
  insp *I = g->I;
  if (sim_now(s) != g->t1) return; /* superseded by a redirection */
  if (g->in_scope) {
    I->div_arrived++, I->port_arrived[g->port]++;
    I->div_transit_sum += sim_now(s) - g->diverted;
  }
  const scn_place *p = port_place(I, g->port);
  unit *u = g->escort;
  leg_unlink(I, g);
  if (u) escort_done(I, u, p->lat, p->lon);
}

/* The team's ship is diverted at (x, y): it sails for the first open port, escorted by
 * the team's asset if the scenario says so; with every port closed it is let go. */
static void divert_to_port(insp *I, team *t) {
  ship *sh = t->sh;
  double now = sim_now(I->sim), x, y, lat, lon;
  int k = open_port(I);
  if (k < 0) {
    if (sh->in_scope) I->div_no_port++;
    return;
  }
  leg *g = I->free_legs;
  if (g) I->free_legs = g->next;
  else if (!(g = arena_alloc(I->arena, sizeof *g))) {
    sim_fail(I->sim, ERR_LIMIT);
    return;
  }
  ship_pos(sh, now, &x, &y);
  to_latlon(I->m, x, y, &lat, &lon);
  *g = (leg){.I = I, .speed = sh->speed, .diverted = now, .in_scope = sh->in_scope};
  g->next = I->legs;
  if (I->legs) I->legs->prev = g;
  I->legs = g;
  unit *u = t->u;
  if (I->in->escort == SCN_INSP_ESCORT_ASSET && (u->state == U_STATION || u->state == U_RECALLED)) {
    /* The asset leaves the zone with the ship at the ship's speed; its other teams
     * finish the ships they have (by boat), and it takes no new ones until back. */
    u->station_area += now - u->station_since;
    u->recalled = u->state == U_RECALLED;
    u->state = U_ESCORT, u->escorting = 1, u->escort_since = now;
    g->escort = u;
    if (sh->in_scope) I->escorted++;
  }
  leg_sail(I, g, lat, lon, k);
}

/* A port opened or closed: legs bound for a closed one sail on for the next open port
 * from where they are (lat/lon interpolated along the leg); none open: the diversion
 * is given up there, and an escort turns back. */
static void on_site(sim *s, const sim_signal *sig, void *ctx) {
  insp *I = ctx;
  int closed = -1;
  for (size_t k = 0; k < I->in->nport; k++)
    if (I->in->port[k] == sig->place) {
      I->port_open[k] = sig->open != 0;
      if (!sig->open) closed = (int)k;
    }
  if (closed < 0) return;
  double now = sim_now(s);
  for (leg *g = I->legs, *next; g; g = next) {
    next = g->next;
    if (g->port != closed) continue;
    const scn_place *p = port_place(I, g->port);
    double f = g->t1 > g->t0 ? (now - g->t0) / (g->t1 - g->t0) : 1;
    double lat = g->lat0 + f * (p->lat - g->lat0), lon = g->lon0 + f * (p->lon - g->lon0);
    int k = open_port(I);
    if (k >= 0) {
      if (g->in_scope) I->div_redirected++;
      leg_sail(I, g, lat, lon, k);
    } else {
      if (g->in_scope) I->div_no_port++;
      unit *u = g->escort;
      leg_unlink(I, g);
      if (u) escort_done(I, u, lat, lon);
    }
  }
}

/* The interdiction regime ended (its task paused, withdrew or finished): no order to a
 * port stands any more, so every leg under way is given up where it is (as a leg whose
 * ports all closed) -- the ship goes on free, and its escort turns back to the zone. */
static void legs_release(insp *I) {
  double now = sim_now(I->sim);
  for (leg *g = I->legs, *next; g; g = next) {
    next = g->next;
    const scn_place *p = port_place(I, g->port);
    double f = g->t1 > g->t0 ? (now - g->t0) / (g->t1 - g->t0) : 1;
    double lat = g->lat0 + f * (p->lat - g->lat0), lon = g->lon0 + f * (p->lon - g->lon0);
    if (g->in_scope) I->div_released++;
    unit *u = g->escort;
    leg_unlink(I, g);
    if (u) escort_done(I, u, lat, lon);
  }
}

/* The divert mode is over.  Consent regime: the ship was requested to change route or
 * destination, and complies with probability `comply` -- it then leaves on its new
 * course; no leg is followed and no asset escorts it (the act gives no power to).
 * Interdiction regime: the ship is ordered to a Japanese port (MTRA) and sails for the
 * first open diversion port, escorted with `escort: asset`.  With no regime in force
 * any more, nothing is asked. */
static void after_divert(insp *I, team *t) {
  ship *sh = t->sh;
  if (I->regime == SCN_INSP_REGIME_CONSENT) {
    if (sh->in_scope) I->requested++;
    if (sh->u[U_COMPLY] < I->in->comply) {
      sh->checked = 1;
      if (sh->in_scope) I->complied++, I->diverted++;
    }
  } else if (I->regime == SCN_INSP_REGIME_INTERDICTION) {
    sh->checked = 1;
    if (sh->in_scope) I->ordered++, I->diverted++;
    if (I->in->nport) divert_to_port(I, t);
  }
  finish(I, t);
}

static void team_step(sim *s, void *ctx) {
  (void)s;
  team *t = ctx;
  insp *I = t->I;
  ship *sh = t->sh;
  const scn_inspection *in = I->in;
  switch (t->phase) {
  case PH_HAIL:
    after_hail(I, t);
    return;
  case PH_BOARD: {
    if (sh->in_scope) I->boarded++;
    double p = sh->interest ? in->find_interest : in->find_other;
    if (!(sh->u[U_FIND] < p)) return finish(I, t);
    begin_divert(I, t);
    return;
  }
  case PH_DIVERT:
    after_divert(I, t);
    return;
  default:
    BUG("inspection: a team stepped while idle");
  }
}

/* ---- ships ------------------------------------------------------------------------------------ */

static void ship_leaves(sim *s, void *ctx) {
  (void)s;
  ship *sh = ctx;
  insp *I = sh->I;
  sh->leave_pending = 0;
  if (sh->state == SH_WAIT) {
    q_remove(queue_of(I, sh), sh);
    sh->state = SH_GONE;
    if (sh->in_scope) {
      I->left++;
      I->wait_all_sum += sim_now(I->sim) - fmax(sh->arrive, I->start_time);
    }
    if (sh->interest) I->interest_missed++;
  }
  if (sh->state != SH_SERVE) ship_free(I, sh);
}

/* The latest plan phase begun by time t (phases begin in order), or -1. */
static int phase_at(const insp *I, double t) {
  int k = I->phase;
  while (k >= 0 && !(I->phase_t[k] <= t)) k--;
  return k;
}

static void in_scope(insp *I, ship *sh) {
  sh->in_scope = 1;
  I->ships++;
  I->interest_ships += (uint64_t)sh->interest;
  if (I->phase_ships && sh->phase >= 0) I->phase_ships[sh->phase]++;
}

/* What a new ship is: class, flag, where and how it moves (local plane), its speed for a
 * diversion leg, and dwell, the time until it leaves (NaN: draw `crossing`; with limit,
 * the earlier of dwell and a `crossing` draw, as for a track with a patience). */
typedef struct ship_init {
  int cls, flag, limit, interest;
  double x, y, vx, vy, speed, dwell;
  float u[U__COUNT];
} ship_init;

/* The draws every new ship makes after its motion, in this order, from its stream:
 * whether it is of interest, then its patience.  Shared by live ships and by those a
 * dormant stream only counts, so both are the same ships. */
static void ship_draw_rest(const insp *I, ship_init *w, rng_stream *r) {
  const scn_inspection *in = I->in;
  w->interest = rng_uniform(r) < I->m->p_interest[(size_t)w->cls * in->nflag + (size_t)w->flag];
  if (isnan(w->dwell))
    w->dwell = in->crossing_infinite ? INFINITY : sample(&in->crossing, r);
  else if (w->limit && !in->crossing_infinite)
    w->dwell = fmin(w->dwell, sample(&in->crossing, r));
}

/* The uniforms of a new ship's service, from its stream's fates. */
static void ship_draw_fate(ship_init *w, rng_stream *fates) {
  for (int k = 0; k < U__COUNT; k++) w->u[k] = (float)rng_uniform(fates);
}

/* A ship that passes through the zone, counted over the whole horizon (docs/models.md
 * section 5: interest_missed); gone: it left again before the operation could see it. */
static void count_passage(insp *I, int interest, int gone) {
  I->passed++;
  I->interest_passed += (uint64_t)interest;
  if (gone) I->interest_missed += (uint64_t)interest;
}

/* A ship entered the zone at time `arrive` (now, or earlier when a dormant stream
 * wakes).  A ship that has left again by now is only counted. */
static void ship_enters(insp *I, double arrive, ship_init *w, rng_stream *r) {
  const scn_inspection *in = I->in;
  double now = sim_now(I->sim);
  ship_draw_rest(I, w, r);
  double dwell = w->dwell;
  if (arrive < now && !(arrive + dwell > now)) {
    count_passage(I, w->interest, 1);
    return;
  }
  count_passage(I, w->interest, 0);
  ship *sh = I->free;
  if (sh) I->free = sh->next;
  else if (!(sh = arena_alloc(I->arena, sizeof *sh))) {
    sim_fail(I->sim, ERR_LIMIT);
    return;
  }
  *sh = (ship){.I = I, .arrive = arrive, .t0 = arrive, .x = w->x, .y = w->y,
               .vx = w->vx, .vy = w->vy,
               .leave = arrive + dwell, .speed = w->speed, .seq = I->seq++, .cls = w->cls,
               .flag = w->flag, .interest = w->interest, .state = SH_WAIT,
               .phase = phase_at(I, arrive)};
  memcpy(sh->u, w->u, sizeof sh->u);
  I->simulated++;
  if (I->started && arrive >= I->start_time + in->warmup) in_scope(I, sh);
  q_push(queue_of(I, sh), sh);
  if (isfinite(dwell)) {
    sh->leave_pending = 1;
    if (sim_at(I->sim, arrive + dwell, ship_leaves, sh) < 0) return;
  }
  dispatch(I);
}

/* A uniform point of the zone, by rejection from its bounding box. */
static void random_point(const insp *I, rng_stream *r, double *lat, double *lon) {
  const insp_model *m = I->m;
  const scn_region *z = &m->sc->region[I->in->zone];
  for (int tries = 0; tries < 64; tries++) {
    *lat = m->lat_min + (m->lat_max - m->lat_min) * rng_uniform(r);
    *lon = m->lon_min + (m->lon_max - m->lon_min) * rng_uniform(r);
    if (in_zone(z, *lat, *lon)) return;
  }
  *lat = m->clat, *lon = m->clon;
}

/* A speed drawn from the class's rule (NaN without one). */
static double draw_speed(const insp *I, int cls, rng_stream *r) {
  const scn_insp_speed *sp = I->m->speed[cls];
  return sp ? fmax(dist_sample(&sp->speed, r), MIN_SPEED) : NAN;
}

/* The motion of the next ship of stream def, from its stream r (course, speed, track;
 * or position and speed). */
static void stream_motion(const insp *I, const scn_insp_stream *def, rng_stream *r,
                          ship_init *w) {
  *w = (ship_init){.cls = def->cls, .flag = def->flag, .dwell = NAN};
  if (I->in->motion == SCN_INSP_TRACKS) {
    double course = dist_sample(&def->course, r), len;
    w->speed = draw_speed(I, def->cls, r);
    draw_track(I, r, course, &w->x, &w->y, &len);
    w->vx = w->speed * sin(course * PI / 180), w->vy = w->speed * cos(course * PI / 180);
    w->dwell = len / w->speed, w->limit = 1;
  } else {
    double lat, lon;
    random_point(I, r, &lat, &lon);
    to_plane(I->m, lat, lon, &w->x, &w->y);
    w->speed = I->in->nport ? draw_speed(I, def->cls, r) : NAN;
  }
}

/* A ship of stream st entering at time t. */
static void stream_ship(stream_state *st, double t) {
  ship_init w;
  stream_motion(st->I, st->def, &st->ships, &w);
  ship_draw_fate(&w, &st->fates);
  ship_enters(st->I, t, &w, &st->ships);
}

static void stream_arrival(sim *s, void *ctx);

/* Poisson arrivals are memoryless, so after a rate change the next arrival is drawn
 * afresh from now; the superseded one is recognised by its time and ignored. */
static void stream_schedule(stream_state *st) {
  if (!st->live || !(st->rate > 0)) {
    st->next_t = NAN;
    return;
  }
  st->next_t = sim_now(st->I->sim) + rng_exponential(&st->arrivals, 1.0 / st->rate);
  sim_at(st->I->sim, st->next_t, stream_arrival, st);
}

static void stream_arrival(sim *s, void *ctx) {
  stream_state *st = ctx;
  if (sim_now(s) != st->next_t) return;
  stream_ship(st, sim_now(s));
  stream_schedule(st);
}

/* Each change happens once (a time, an event that occurs once, a phase that begins
 * once), so the history holds them all; a repeat could only come from a buggy
 * publisher. */
static void set_rate(stream_state *st, double rate) {
  st->rate = rate;
  if (ALWAYS(st->nhist < st->cap)) {
    st->hist_t[st->nhist] = sim_now(st->I->sim);
    st->hist_rate[st->nhist++] = rate;
  }
  stream_schedule(st);
}

/* The rate in force: the latest phase's by_phase rate if it has one, else the base. */
static double rate_in_force(const stream_state *st) {
  int ph = st->I->phase;
  const double *pr = st->def->phase_rate;
  return pr && ph >= 0 && !isnan(pr[ph]) ? pr[ph] : st->base;
}

/* The base rate changed (a time or an event): as before by_phase existed, the stream
 * redraws, unless a phase's rate overrides the base. */
static void set_base(stream_state *st, double rate) {
  st->base = rate;
  double r = rate_in_force(st);
  if (!st->def->phase_rate || r != st->rate) set_rate(st, r);
}

static void rate_change(sim *s, void *ctx) {
  (void)s;
  rate_timer *rt = ctx;
  set_base(rt->st, rt->rate);
}

/* The arrivals a stream live from time 0 would have made up to `until`, from its
 * recorded rate history: as stream_schedule does, each rate change redraws the next
 * arrival from the change (the one drawn before it is dropped), so these are the very
 * arrival times and ships of a stream that ran live from the start, whenever it wakes
 * (common random numbers whatever the operation's start).  Calls each(t) for every
 * arrival t < until; returns the first arrival drawn at or after `until` in the last
 * segment (NaN when its rate is 0). */
static double stream_replay(const stream_state *st, rng_stream *arrivals, double until,
                            void (*each)(const stream_state *st, double t, void *ctx),
                            void *ctx) {
  double next = NAN;
  for (size_t seg = 0; seg < st->nhist; seg++) {
    double t = st->hist_t[seg], rate = st->hist_rate[seg];
    int last = seg + 1 == st->nhist;
    double end = last ? until : st->hist_t[seg + 1];
    if (!(rate > 0)) continue;
    for (;;) {
      t += rng_exponential(arrivals, 1.0 / rate);
      if (!(t < end)) break;
      each(st, t, ctx);
    }
    if (last) next = t;
  }
  return next;
}

static void wake_each(const stream_state *st, double t, void *ctx) {
  (void)ctx;
  stream_ship((stream_state *)st, t);
}

/* Wake a dormant stream at `now`: the ships it would have sent since 0 enter (those
 * still in the zone) or are counted (those gone), then it goes live with the pending
 * arrival the replay drew. */
static void stream_wake(stream_state *st) {
  insp *I = st->I;
  double now = sim_now(I->sim);
  double next = stream_replay(st, &st->arrivals, now, wake_each, NULL);
  st->live = 1;
  st->next_t = next;
  if (!isnan(next)) sim_at(I->sim, next, stream_arrival, st);
}

static void traffic_wake(insp *I) {
  if (I->traffic_live) return;
  I->traffic_live = 1;
  for (size_t k = 0; k < I->in->nstream; k++) stream_wake(&I->stream[k]);
}

/* Counting the ships of a stream that never woke, on copies of its random streams. */
typedef struct dormant_count {
  const insp *I;
  rng_stream ships;
  double until;
  uint64_t passed, interest, gone;
} dormant_count;

static void count_each(const stream_state *st, double t, void *ctx) {
  dormant_count *dc = ctx;
  ship_init w;
  stream_motion(dc->I, st->def, &dc->ships, &w);
  ship_draw_rest(dc->I, &w, &dc->ships);
  dc->passed++;
  dc->interest += (uint64_t)w.interest;
  if (w.interest && t + w.dwell <= dc->until) dc->gone++;
}

static void replay_arrival(sim *s, void *ctx) {
  insp *I = ctx;
  const scn_inspection *in = I->in;
  while (I->replay_next < in->npassage && in->passage[I->replay_next].t <= sim_now(s)) {
    const scn_insp_passage *p = &in->passage[I->replay_next++];
    ship_init w = {.cls = p->cls, .flag = p->flag, .dwell = p->dwell, .speed = NAN};
    if (in->motion == SCN_INSP_TRACKS || in->nport) w.speed = draw_speed(I, p->cls, &I->r_replay);
    to_plane(I->m, p->lat, p->lon, &w.x, &w.y);
    if (in->motion == SCN_INSP_TRACKS && !isnan(p->sog) && !isnan(p->cog)) {
      /* The reported course and speed; the track's end when the feed does not say. */
      double v = fmax(p->sog, MIN_SPEED);
      w.vx = v * sin(p->cog * PI / 180), w.vy = v * cos(p->cog * PI / 180), w.speed = v;
      if (isnan(w.dwell)) w.dwell = exit_distance(I, w.x, w.y, p->cog) / v;
    } else if (in->motion == SCN_INSP_TRACKS && isnan(w.dwell)) {
      /* No motion and no exit in the feed: it lies where reported for the mean
       * crossing of the zone, the mean chord at its class's speed. */
      w.dwell = I->m->mean_chord / w.speed;
    }
    ship_draw_fate(&w, &I->r_replay_fate);
    ship_enters(I, p->t, &w, &I->r_replay);
  }
  if (I->replay_next < in->npassage)
    sim_at(s, in->passage[I->replay_next].t, replay_arrival, I);
}

/* ---- assets ------------------------------------------------------------------------------------ */

static void unit_place(unit *u) { /* lat/lon of its plane position */
  to_latlon(u->I->m, u->x, u->y, &u->lat, &u->lon);
}

static void unit_recall(sim *s, void *ctx) {
  (void)s;
  unit *u = ctx;
  switch (u->state) {
  case U_ESCORT:   /* home from the port */
  case U_OUTBOUND: /* turns back on reaching the zone (back from a port, or a sortie
                      too short for the way out: such units never deploy) */
    u->recalled = 1;
    return;
  case U_HOMEBOUND:
  case U_BASE: /* an escort already took it home */
    return;
  default:
    u->state = U_RECALLED;
    if (u->busy == 0) leave_station(u->I, u);
  }
}

static void unit_departs(sim *s, void *ctx) {
  (void)s;
  unit *u = ctx;
  const insp_model *m = u->I->m;
  u->state = U_OUTBOUND;
  u->lat = u->def->base_lat, u->lon = u->def->base_lon;
  double out = sail(m, u->def->src, u->lat, u->lon, m->clat, m->clon) / u->def->a->speed;
  sim_after(u->I->sim, out, unit_arrives, u);
  /* Leave the station in time to be home when the endurance runs out (the way back
   * is taken as long as the way out). */
  if (isfinite(u->def->a->endurance))
    sim_after(u->I->sim, u->def->a->endurance - out, unit_recall, u);
}

static void unit_home(sim *s, void *ctx) {
  unit *u = ctx;
  escort_end_accounting(u);
  u->state = U_BASE, u->recalled = 0;
  u->lat = u->def->base_lat, u->lon = u->def->base_lon;
  sim_after(s, sample(&u->def->a->refit, &u->I->r_refit), unit_departs, u);
}

static void leave_station(insp *I, unit *u) {
  double now = sim_now(I->sim);
  u->station_area += now - u->station_since;
  u->state = U_HOMEBOUND;
  unit_place(u);
  double home = sail(I->m, u->def->src, u->def->base_lat, u->def->base_lon, u->lat, u->lon) /
                u->def->a->speed;
  sim_after(I->sim, home, unit_home, u);
}

static void unit_arrives(sim *s, void *ctx) {
  unit *u = ctx;
  escort_end_accounting(u);
  u->x = u->y = 0; /* the zone's centroid */
  if (u->recalled) { /* recalled on the way: turn back */
    u->station_since = sim_now(s);
    leave_station(u->I, u);
    return;
  }
  u->state = U_STATION;
  u->station_since = sim_now(s);
  dispatch(u->I);
}

/* ---- the operation and its gates ------------------------------------------------------------------ */

/* The regime in force: not following a task, the section's own from the start; else
 * interdiction while its task runs, consent while the ship_inspection task does. */
static int regime_now(const insp *I) {
  const scn_inspection *in = I->in;
  if (!I->started) return -1;
  if (in->start_kind != SCN_INSP_START_TASK) return (int)in->regime;
  if (I->task_on[SCN_INSP_REGIME_INTERDICTION]) return SCN_INSP_REGIME_INTERDICTION;
  if (I->task_on[SCN_INSP_REGIME_CONSENT]) return SCN_INSP_REGIME_CONSENT;
  return -1;
}

/* Re-evaluate the regime: account the time of the one that ends, give up diversion
 * legs when interdiction ends (they are lawful only under it), and let teams act under
 * the new one at once. */
static void update_regime(insp *I) {
  int rg = regime_now(I);
  if (rg == I->regime) return;
  double now = sim_now(I->sim);
  if (I->regime >= 0) I->regime_time[I->regime] += now - I->regime_since;
  int was = I->regime;
  I->regime = rg, I->regime_since = now;
  if (rg == SCN_INSP_REGIME_INTERDICTION && isnan(I->interdict_start)) I->interdict_start = now;
  if (was == SCN_INSP_REGIME_INTERDICTION) legs_release(I);
  dispatch(I);
}

static void op_start(sim *s, void *ctx) {
  insp *I = ctx;
  I->started = 1;
  I->start_time = sim_now(s);
  I->regime = regime_now(I), I->regime_since = I->start_time;
  if (I->regime == SCN_INSP_REGIME_INTERDICTION) I->interdict_start = I->start_time;
  if (I->in->warmup <= 0)
    for (int k = 0; k < 2; k++)
      for (ship *sh = k ? I->other.head : I->interest.head; sh; sh = sh->next) in_scope(I, sh);
  for (size_t u = 0; u < I->m->nunit; u++)
    if (!I->unit[u].def->useless) unit_departs(s, &I->unit[u]);
  dispatch(I);
}

static void begin_start(insp *I) {
  if (I->start_pending) return;
  I->start_pending = 1;
  traffic_wake(I);
  sim_after(I->sim, sample(&I->in->start_delay, &I->r_start), op_start, I);
}

static void start_due(sim *s, void *ctx) {
  (void)s;
  begin_start(ctx);
}

static void set_unsc(insp *I, int open) {
  I->unsc_open = open;
  dispatch(I); /* closing needs nothing more: teams finish, then wait */
}

static void on_event(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  insp *I = ctx;
  const scn_inspection *in = I->in;
  if (sig->event < 0) return; /* -1 marks "no event" in changes and gates */
  if (sig->event == in->unsc_event) set_unsc(I, 1);
  if (in->start_kind == SCN_INSP_START_EVENT && sig->event == in->start_event) begin_start(I);
  for (size_t k = 0; k < in->nstream; k++)
    for (size_t c = 0; c < in->stream[k].nchange; c++)
      if (in->stream[k].change[c].event == sig->event)
        set_base(&I->stream[k], in->stream[k].change[c].rate);
}

static void on_situation(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  insp *I = ctx;
  if (I->in->start_kind == SCN_INSP_START_SITUATION && sig->situation >= I->in->start_situation)
    begin_start(I);
}

/* The plan's UNSC resolution gate: opening it lifts the vessel gate (and, under
 * unsc_only, starts the operation), `open` = 0 closes it again and pauses them.  The
 * plan announces each scope's changes (all situations, or one) apart; the resolution
 * does not depend on Japan's situation, so it is in force while any scope is open. */
static void on_gate(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  insp *I = ctx;
  if (I->m->unsc_gate < 0 || sig->gate != I->m->unsc_gate) return;
  I->unsc_scopes += sig->open ? 1 : -1;
  if (I->unsc_scopes < 0) I->unsc_scopes = 0; /* a closing never announced as open */
  set_unsc(I, I->unsc_scopes > 0);
}

/* A plan phase began: streams with a rate for it (or whose rate for the phase before
 * no longer applies) change rate now. */
static void on_phase(sim *s, const sim_signal *sig, void *ctx) {
  insp *I = ctx;
  if (sig->phase < 0 || (size_t)sig->phase >= I->in->nphase) return;
  I->phase = sig->phase;
  I->phase_t[sig->phase] = sim_now(s);
  for (size_t k = 0; k < I->in->nstream; k++) {
    stream_state *st = &I->stream[k];
    double r = rate_in_force(st);
    if (st->def->phase_rate && r != st->rate) set_rate(st, r);
  }
}

/* A plan task the operation follows started (or resumed) or stopped: the first start
 * starts the operation, and each change may switch the regime. */
static void on_task(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  insp *I = ctx;
  const scn_inspection *in = I->in;
  int rg;
  if (sig->task < 0) return;
  if (sig->task == in->start_task) rg = (int)in->start_regime;
  else if (sig->task == in->interdict_task) rg = SCN_INSP_REGIME_INTERDICTION;
  else return;
  I->task_on[rg] = sig->open != 0;
  if (I->task_on[rg]) begin_start(I);
  update_regime(I); /* stopping needs nothing more: teams finish, then wait */
}

/* ---- start and collect --------------------------------------------------------------------------- */

static int start_traffic(insp *I, uint64_t seed, uint32_t rep) {
  const scn_inspection *in = I->in;
  I->stream = arena_calloc(I->arena, in->nstream ? in->nstream : 1, sizeof *I->stream);
  if (!I->stream) return -1;
  for (size_t k = 0; k < in->nstream; k++) {
    stream_state *st = &I->stream[k];
    st->I = I, st->def = &in->stream[k], st->base = st->rate = st->def->rate;
    st->cap = st->def->nchange + (st->def->phase_rate ? in->nphase : 0) + 1;
    st->hist_t = arena_alloc(I->arena, st->cap * sizeof *st->hist_t);
    st->hist_rate = arena_alloc(I->arena, st->cap * sizeof *st->hist_rate);
    if (!st->hist_t || !st->hist_rate) return -1;
    st->hist_t[0] = 0, st->hist_rate[0] = st->rate, st->nhist = 1;
    rng_init(&st->arrivals, seed, rep, RNG_INSPECTION, P_STREAM + 2 * (uint32_t)k);
    rng_init(&st->ships, seed, rep, RNG_INSPECTION, P_STREAM + 2 * (uint32_t)k + 1);
    rng_init(&st->fates, seed, rep, RNG_INSPECTION, P_FATE + (uint32_t)k);
    for (size_t c = 0; c < st->def->nchange; c++) {
      if (st->def->change[c].event >= 0) continue;
      rate_timer *rt = arena_alloc(I->arena, sizeof *rt);
      if (!rt) return -1;
      *rt = (rate_timer){st, st->def->change[c].rate};
      if (sim_at(I->sim, st->def->change[c].at, rate_change, rt) < 0) return -1;
    }
  }
  if (in->npassage && sim_at(I->sim, in->passage[0].t, replay_arrival, I) < 0) return -1;
  return 0;
}

static int start_state(insp *I) {
  const insp_model *m = I->m;
  const scn_inspection *in = I->in;
  arena *a = I->arena;
  I->unit = arena_calloc(a, m->nunit ? m->nunit : 1, sizeof *I->unit);
  I->team = arena_calloc(a, m->nteam ? m->nteam : 1, sizeof *I->team);
  I->tau = arena_alloc(a, (m->nzone + 1) * sizeof *I->tau);
  I->port_open = arena_calloc(a, in->nport ? in->nport : 1, sizeof *I->port_open);
  I->port_arrived = arena_calloc(a, in->nport ? in->nport : 1, sizeof *I->port_arrived);
  I->phase_t = arena_alloc(a, (in->nphase ? in->nphase : 1) * sizeof *I->phase_t);
  if (!I->unit || !I->team || !I->tau || !I->port_open || !I->port_arrived || !I->phase_t)
    return -1;
  if (m->metric_phase &&
      !(I->phase_ships = arena_calloc(a, in->nphase, sizeof *I->phase_ships)))
    return -1;
  for (size_t k = 0; k < in->nport; k++) I->port_open[k] = 1;
  for (size_t k = 0; k < in->nphase; k++) I->phase_t[k] = NAN;
  I->phase = -1;
  for (size_t u = 0; u < m->nunit; u++) {
    unit *un = &I->unit[u];
    *un = (unit){.I = I, .def = &m->unit[u], .state = U_BASE};
    for (int k = 0; k < un->def->nteams; k++)
      I->team[un->def->first_team + k] = (team){.I = I, .u = un, .phase = PH_IDLE};
  }
  return 0;
}

insp *insp_start(const insp_model *m, sim *s, arena *a, metric_out *out, uint64_t seed,
                 uint32_t rep) {
  (void)out;
  const scn_inspection *in = m->in;
  insp *I = arena_calloc(a, 1, sizeof *I);
  if (!I) return NULL;
  I->m = m, I->in = in, I->sim = s, I->arena = a, I->start_time = NAN;
  I->regime = -1, I->interdict_start = NAN;
  rng_init(&I->r_start, seed, rep, RNG_INSPECTION, P_START);
  rng_init(&I->r_service, seed, rep, RNG_INSPECTION, P_SERVICE);
  rng_init(&I->r_refit, seed, rep, RNG_INSPECTION, P_REFIT);
  rng_init(&I->r_replay, seed, rep, RNG_INSPECTION, P_REPLAY);
  rng_init(&I->r_replay_fate, seed, rep, RNG_INSPECTION, P_REPLAY_FATE);
  if (start_state(I) < 0) return NULL;
  if (sim_subscribe(s, SIG_EVENT_OCCURRED, on_event, I) < 0 ||
      sim_subscribe(s, SIG_SITUATION_CHANGED, on_situation, I) < 0 ||
      sim_subscribe(s, SIG_GATE_OPENED, on_gate, I) < 0 ||
      (in->nphase && sim_subscribe(s, SIG_PHASE_BEGAN, on_phase, I) < 0) ||
      (in->start_kind == SCN_INSP_START_TASK && sim_subscribe(s, SIG_TASK_STATUS, on_task, I) < 0) ||
      (in->nport && sim_subscribe(s, SIG_SITE_STATUS, on_site, I) < 0))
    return NULL;
  if (start_traffic(I, seed, rep) < 0) return NULL;
  if (in->start_kind == SCN_INSP_START_AT && sim_at(s, in->start_at, start_due, I) < 0)
    return NULL;
  return I;
}

uint64_t insp_ships_simulated(const insp *I) { return I ? I->simulated : 0; }

static double ratio(double num, double den) { return den > 0 ? num / den : NAN; }

static void put(metric_out *out, int metric, double v) {
  if (metric >= 0) metric_put(out, metric, v);
}

/* The whole horizon, in every replication: ships that passed (those of streams that
 * never woke counted here, on copies of their random streams, as they would have
 * come), vessels of interest among them and those missed, and the time under each
 * regime. */
static void collect_whole(const insp *I, double now, metric_out *out) {
  const int *mi = I->m->metric;
  uint64_t passed = I->passed, interest = I->interest_passed, missed = I->interest_missed;
  for (size_t k = 0; !I->traffic_live && k < I->in->nstream; k++) {
    const stream_state *st = &I->stream[k];
    dormant_count dc = {.I = I, .ships = st->ships, .until = now};
    rng_stream arrivals = st->arrivals;
    stream_replay(st, &arrivals, now, count_each, &dc);
    passed += dc.passed, interest += dc.interest, missed += dc.gone;
  }
  double t[SCN_INSP_REGIME__COUNT] = {I->regime_time[0], I->regime_time[1]};
  if (I->regime >= 0) t[I->regime] += now - I->regime_since;
  put(out, mi[M_PASSED], (double)passed);
  put(out, mi[M_INTEREST_PASSED], (double)interest);
  put(out, mi[M_INTEREST_MISSED], (double)missed);
  put(out, mi[M_INTEREST_MISSED_FRAC], ratio((double)missed, (double)interest));
  put(out, mi[M_REGIME_CONSENT], t[SCN_INSP_REGIME_CONSENT]);
  put(out, mi[M_REGIME_INTERDICT], t[SCN_INSP_REGIME_INTERDICTION]);
}

void insp_collect(const insp *I, sim *s, metric_out *out) {
  const insp_model *m = I->m;
  const int *mi = m->metric;
  double now = sim_now(s), window = now - I->start_time;
  collect_whole(I, now, out);
  if (!I->started) return; /* nothing was in scope: the other metrics stay "not observed" */
  double busy = 0, ubusy = 0, station = 0, escort = 0;
  for (size_t k = 0; k < m->nteam; k++)
    busy += I->team[k].busy_total + (I->team[k].phase != PH_IDLE ? now - I->team[k].since : 0);
  for (size_t u = 0; u < m->nunit; u++) {
    const unit *un = &I->unit[u];
    ubusy += un->busy_area + (un->busy ? now - un->busy_since : 0);
    station += un->station_area +
               (un->state == U_STATION || un->state == U_RECALLED ? now - un->station_since : 0);
    escort += un->escort_area + (un->escorting ? now - un->escort_since : 0);
  }
  double n = (double)I->ships;
  put(out, mi[M_SHIPS], n);
  put(out, mi[M_INTEREST_SHIPS], (double)I->interest_ships);
  put(out, mi[M_COVERAGE], ratio((double)I->hailed, n));
  put(out, mi[M_BOARDED_FRAC], ratio((double)I->boarded, n));
  put(out, mi[M_DIVERTED_FRAC], ratio((double)I->diverted, n));
  put(out, mi[M_LEFT_FRAC], ratio((double)I->left, n));
  put(out, mi[M_DIVERTED], (double)I->diverted);
  put(out, mi[M_REQUESTED], (double)I->requested);
  put(out, mi[M_COMPLIED], (double)I->complied);
  put(out, mi[M_ORDERED], (double)I->ordered);
  put(out, mi[M_BOARDED_CONSENT], (double)I->boarded_by[SCN_INSP_REGIME_CONSENT]);
  put(out, mi[M_BOARDED_INTERDICT], (double)I->boarded_by[SCN_INSP_REGIME_INTERDICTION]);
  put(out, mi[M_INTERDICT_START], I->interdict_start);
  put(out, mi[M_CONSENT_REFUSED], (double)I->consent_refused);
  put(out, mi[M_MASTER_REFUSED], (double)I->master_refused);
  put(out, mi[M_WAIT], ratio(I->wait_sum, (double)I->served));
  put(out, mi[M_WAIT_ALL], ratio(I->wait_all_sum, (double)(I->served + I->left)));
  put(out, mi[M_INTERCEPT], ratio(I->intercept_sum, (double)I->served));
  put(out, mi[M_BOARDING_TIME], ratio(I->boarding_sum, (double)I->boardings));
  put(out, mi[M_TEAM_UTIL], ratio(busy, window * (double)m->nteam));
  put(out, mi[M_ASSET_UTIL], ratio(ubusy, window * (double)m->nunit));
  put(out, mi[M_ON_STATION], ratio(station, window * (double)m->nunit));
  put(out, mi[M_START], I->start_time);
  put(out, mi[M_DIV_ARRIVED], (double)I->div_arrived);
  put(out, mi[M_DIV_TRANSIT], ratio(I->div_transit_sum, (double)I->div_arrived));
  put(out, mi[M_DIV_REDIRECTED], (double)I->div_redirected);
  put(out, mi[M_DIV_NO_PORT], (double)I->div_no_port);
  put(out, mi[M_DIV_RELEASED], (double)I->div_released);
  put(out, mi[M_ESCORTED], (double)I->escorted);
  put(out, mi[M_ESCORT], ratio(escort, window * (double)m->nunit));
  /* A port listed twice is never sailed for under its second entry (the first is open
   * whenever it is), so each count is whole under the port's first entry. */
  for (size_t k = 0; m->metric_port && k < I->in->nport; k++)
    put(out, m->metric_port[k], (double)I->port_arrived[k]);
  for (size_t k = 0; m->metric_phase && k < I->in->nphase; k++)
    put(out, m->metric_phase[k], (double)I->phase_ships[k]);
}

/* ---- Erlang C and Erlang A ------------------------------------------------------------------------ */

/* Erlang's B formula by the stable recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)). */
static double erlang_b(double a, int c) {
  double b = 1;
  for (int k = 1; k <= c; k++) b = a * b / (k + a * b);
  return b;
}

/* Gross, Shortle, Thompson and Harris, Fundamentals of Queueing Theory (4th ed.),
 * section 2.3: C = B / (1 - rho (1 - B)), Wq = C / (c mu - lambda). */
int insp_erlang_c(insp_queue_stats *out, double lambda, double mu, int c) {
  if (!(lambda > 0 && mu > 0 && c >= 1 && lambda < c * mu)) return ERR_RANGE;
  double a = lambda / mu, rho = a / c, b = erlang_b(a, c);
  out->p_wait = b / (1 - rho * (1 - b));
  out->p_abandon = 0;
  out->wq = out->p_wait / (c * mu - lambda);
  return 0;
}

/* Mandelbaum and Zeltyn, "Service engineering in action: the Palm/Erlang-A queue"
 * (2007), with x = c mu / theta, y = lambda / theta, rho = lambda / (c mu):
 *   A(x, y) = x e^y y^-x gamma(x, y)     (gamma: the lower incomplete gamma function)
 *   P(W > 0) = A E / (1 + (A - 1) E),    E = Erlang B(c, lambda / mu)
 *   P(Ab | W > 0) = 1 / (rho A) + 1 - 1 / rho
 *   E[Wq] = P(Ab) / theta                (Little: theta E[Lq] = lambda P(Ab))
 * Derivation from the birth-death chain in docs/models.md section 5. */
int insp_erlang_a(insp_queue_stats *out, double lambda, double mu, double theta, int c) {
  if (!(lambda > 0 && mu > 0 && theta > 0 && c >= 1)) return ERR_RANGE;
  double x = c * mu / theta, y = lambda / theta, rho = lambda / (c * mu);
  /* x > 0, y > 0: inside the function's domain.  P underflows only for loads far
   * below the servers' capacity (y << x), where abandonment is nil anyway. */
  gsl_sf_result p;
  if (gsl_sf_gamma_inc_P_e(x, y, &p) || !(p.val > 0)) return ERR_RANGE;
  double log_a = log(x) + y - x * log(y) + gsl_sf_lngamma(x) + log(p.val);
  if (!(log_a < 700)) return ERR_RANGE;
  double A = exp(log_a), E = erlang_b(lambda / mu, c);
  out->p_wait = A * E / (1 + (A - 1) * E);
  out->p_abandon = out->p_wait * (1 / (rho * A) + 1 - 1 / rho);
  out->wq = out->p_abandon / theta;
  return 0;
}
