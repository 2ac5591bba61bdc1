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
 * action that differ in the operation's start or capacity).
 *
 * This part: the per-run model (units, the zone's plane, the gate, metrics) and the
 * check of its tasks.  Service: insp_service.c; traffic and assets: insp_ships.c; the
 * operation, start and collect: insp_run.c. */
#include "insp_internal.h"

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


/* Sea distance from a source's point (lat0/lon0) to lat/lon; the great circle without
 * a sea, from no source, or to a point the sea does not reach. */
double insp__sail(const insp_model *m, int src, double lat0, double lon0, double lat, double lon) {
  double d = m->sea && src >= 0 ? geo_sea_distance(m->sea, src, lat, lon) : INFINITY;
  return isfinite(d) ? d : geo_distance(lat0, lon0, lat, lon);
}

/* Whether the sea's mask has land inside the zone's bounding box (sampled at the
 * mask's cell): only then can a chase inside the zone meet land. */
static int zone_has_land(const insp_model *m) {
  const double step = 0.01;
  for (double lat = m->lat_min; lat <= m->lat_max; lat += step)
    for (double lon = m->lon_min; lon <= m->lon_max; lon += step)
      if (geo_sea_is_land(m->sea, lat, lon)) return 1;
  return 0;
}

/* The theater's sea (shared with the other models: the same box and options), a
 * source at every diversion port and asset base, and at the zone's centre when an
 * escort sails back to it or a chase may meet land, each with a full field. */
static int open_sea(insp_model *m, diag *d) {
  const scn_scenario *sc = m->sc;
  const scn_inspection *in = m->in;
  for (size_t u = 0; u < m->nunit; u++) m->unit[u].src = -1;
  m->zone_src = -1;
  if (!sc->coastline) return 0;
  double b[4];
  scn_theater_box(sc, 3, b);
  geo_box box = {b[0], b[1], b[2], b[3]};
  geo_sea_options o = GEO_SEA_OPTIONS_INIT;
  o.coastline = sc->coastline;
  int err = geo_sea_open(&m->sea, &box, &o, d);
  if (err == ERR_NOTFOUND) return 0; /* the logistics model says so; great circles */
  if (err) return err;
  m->zone_land = zone_has_land(m);
  size_t n = in->nport + m->nunit + 1;
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
  if (!err && ((in->nport && in->escort == SCN_INSP_ESCORT_ASSET) || m->zone_land)) {
    if ((m->zone_src = geo_sea_source(m->sea, m->clat, m->clon)) < 0) err = m->zone_src;
    else src[k++] = m->zone_src;
  }
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (!err) err = geo_sea_cover_all(m->sea, src, k, INFINITY, cpus < 1 ? 1 : cpus > 4 ? 4 : (int)cpus);
  free(src);
  return err;
}

/* A chase inside the zone whose straight line meets land (insp_service.c): the asset
 * sails by the zone's centre, where assets keep station -- exact for a chase from the
 * station, an upper bound from elsewhere -- so T solves v T = d(u, centre) +
 * d(centre, ship at T) over water, by fixed-point iteration from the straight chase
 * (it contracts while the ship is slower than the asset).  INFINITY when it does not
 * settle. */
double insp__chase_by_sea(const insp *I, double ux, double uy, double sx, double sy, double vx,
                          double vy, double v, double straight) {
  const insp_model *m = I->m;
  double lat, lon;
  insp__to_latlon(m, ux, uy, &lat, &lon);
  double du = insp__sail(m, m->zone_src, m->clat, m->clon, lat, lon), T = straight;
  for (int it = 0; it < 32; it++) {
    insp__to_latlon(m, sx + vx * T, sy + vy * T, &lat, &lon);
    double next = (du + insp__sail(m, m->zone_src, m->clat, m->clon, lat, lon)) / v;
    if (fabs(next - T) < 1.0) return next;
    T = next;
  }
  return INFINITY;
}

int insp_check_sea(const scn_scenario *sc, diag *d) {
  const scn_inspection *in = sc ? scn_inspection_of(sc) : NULL;
  if (!in || !in->nport || !sc->coastline || in->zone < 0) return 0;
  double b[4];
  scn_theater_box(sc, 3, b);
  geo_box box = {b[0], b[1], b[2], b[3]};
  geo_sea_options o = GEO_SEA_OPTIONS_INIT;
  o.coastline = sc->coastline;
  geo_sea *sea;
  int err = geo_sea_open(&sea, &box, &o, d);
  if (err) return err == ERR_NOTFOUND ? 0 : err; /* the logistics check says so */
  const scn_region *z = &sc->region[in->zone];
  double clat = 0, clon = 0; /* the vertex centroid, as the model's zone plane */
  for (size_t i = 0; i < z->n; i++) clat += z->lat[i] / (double)z->n, clon += z->lon[i] / (double)z->n;
  for (size_t k = 0; k < in->nport && !err; k++) {
    const scn_place *p = &sc->place[in->port[k]];
    int src = geo_sea_source(sea, p->lat, p->lon);
    if (src < 0 || (err = geo_sea_cover(sea, src, INFINITY))) {
      err = src < 0 ? src : err;
      break;
    }
    if (isfinite(geo_sea_distance(sea, src, clat, clon))) continue;
    const scn_loc *at = &in->port_loc[k];
    diag_report(d, DIAG_WARNING, at->file, at->line, at->col,
                "diversion port '%s' cannot be reached over water from the centre of zone '%s' "
                "(%.3fN %.3fE, coastline '%c'): ships diverted there would sail the straight line",
                p->id, z->id, clat, clon, geo_sea_coastline(sea));
  }
  geo_sea_close(sea);
  return err;
}

int insp_diversion_path(const insp_model *m, size_t k, geo_path *out) {
  const scn_place *p = &m->sc->place[m->in->port[k]];
  int src = m->port_src ? m->port_src[k] : -1, err = ERR_NOTFOUND;
  memset(out, 0, sizeof *out);
  if (m->sea && src >= 0) err = geo_sea_path(m->sea, src, m->clat, m->clon, out);
  if (err == 0) { /* the router's path runs from the port: turn it round */
    for (size_t i = 0, j = out->n - 1; i < j; i++, j--) {
      double t = out->lat[i];
      out->lat[i] = out->lat[j], out->lat[j] = t;
      t = out->lon[i], out->lon[i] = out->lon[j], out->lon[j] = t;
    }
    return 0;
  }
  if (err != ERR_NOTFOUND) return err;
  if (!(out->lat = malloc(2 * sizeof *out->lat)) || !(out->lon = malloc(2 * sizeof *out->lon))) {
    geo_path_release(out);
    return ERR_NOMEM;
  }
  out->lat[0] = m->clat, out->lon[0] = m->clon, out->lat[1] = p->lat, out->lon[1] = p->lon;
  out->n = 2, out->length = geo_distance(m->clat, m->clon, p->lat, p->lon);
  return 0;
}

int insp__in_zone(const scn_region *r, double lat, double lon) {
  return geo_point_in_polygon(lat, lon, r->lat, r->lon, r->n);
}



/* ---- the local plane ---------------------------------------------------------------------
 * Inside the zone, tracks, intercepts and the nearest rule work on the plane tangent at
 * the zone's vertex centroid: x east, y north, metres (an equirectangular projection).
 * Over a zone 100 km across its distances agree with geo_distance to a fraction of a
 * per cent (docs/models.md section 5, tested); legs to bases and ports use geo_distance.
 * The plane is geo_local's (origin and east scale from geo_local_init), but the two
 * conversions keep their own order, R * coslat * dlon * (pi/180) and its inverse:
 * geo_local_xy's dlon * GEO_M_PER_DEG * coslat changes the last digits of the stored
 * taiwan-strait inspection metrics (wait_all_mean 2000.2438916200665 -> ...667). */

void insp__to_plane(const insp_model *m, double lat, double lon, double *x, double *y) {
  const geo_local *p = &m->plane;
  *x = GEO_EARTH_RADIUS * p->coslat * (lon - p->lon0) * (PI / 180);
  *y = GEO_EARTH_RADIUS * (lat - p->lat0) * (PI / 180);
}

void insp__to_latlon(const insp_model *m, double x, double y, double *lat, double *lon) {
  const geo_local *p = &m->plane;
  *lat = p->lat0 + y / GEO_EARTH_RADIUS * (180 / PI);
  *lon = p->lon0 + x / (GEO_EARTH_RADIUS * p->coslat) * (180 / PI);
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
    double out = insp__sail(m, ud->src, ud->base_lat, ud->base_lon, m->clat, m->clon) / a->speed;
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
  geo_local_init(&m->plane, m->clat, m->clon);
  m->nzone = z->n;
  m->zx = malloc(z->n * sizeof *m->zx);
  m->zy = malloc(z->n * sizeof *m->zy);
  if (!m->zx || !m->zy) return ERR_NOMEM;
  for (size_t i = 0; i < z->n; i++) insp__to_plane(m, z->lat[i], z->lon[i], &m->zx[i], &m->zy[i]);
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
  const scn_inspection *in = scn_inspection_of(sc);
  for (size_t i = 0; nation && i < in->nasset; i++) {
    int f = in->asset[i].force;
    if (f >= 0 && sc->force[f].nation && strcmp(sc->force[f].nation, nation) == 0) return (int)i;
  }
  return -1;
}

int insp_check(const scn_scenario *sc, const struct plan_authorities *table, diag *d) {
  const scn_inspection *in = sc ? scn_inspection_of(sc) : NULL;
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
  const scn_inspection *in = scn_inspection_of(sc);
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
