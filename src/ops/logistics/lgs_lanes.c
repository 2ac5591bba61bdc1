/* lgs_lanes.c - the logistics model's lanes (logistics.h, lgs_internal.h): their
 * geometry (theater routes, paths over water, combat areas crossed) and whether ships
 * reach every consumer. */
#include "lgs_internal.h"

/* ---- geometry ------------------------------------------------------------------------ */

static int in_polygon(const scn_region *g, double lat, double lon) {
  return geo_point_in_polygon(lat, lon, g->lat, g->lon, g->n);
}



/* Whether a combat area is crossed by the leg a0,o0 -> a1,o1 (sampled every SAMPLE_STEP). */
uint64_t lgs__leg_areas(const lgs_model *m, double a0, double o0, double a1, double o1,
                        double d) {
  uint64_t areas = 0;
  int steps = (int)ceil(d / SAMPLE_STEP);
  for (int s = 0; s <= steps; s++) {
    double f = steps ? (double)s / steps : 0;
    double la = a0 + f * (a1 - a0), lo = o0 + f * (o1 - o0);
    for (int c = 0; c < m->ncombat; c++) {
      const double *box = &m->combat_box[4 * c]; /* most samples are far from every area */
      if (la < box[0] || la > box[1] || lo < box[2] || lo > box[3]) continue;
      if (in_polygon(&m->sc->region[m->combat[c]], la, lo)) areas |= (uint64_t)1 << c;
    }
  }
  return areas;
}

/* Points of a lane: a theater route joining the two places (either way, same mode),
 * else for a ship the path over water (lgs_sea.h), else the straight leg; each leg
 * sampled every SAMPLE_STEP for the area test.  ERR_NOTFOUND: no way over water. */
/* A ship lane that follows its consumer's `route:` from the depot at one end: the
 * route's points to its far end, then over water to where the lane ends.  Returns 1
 * when the lane does (the path and distance set), 0 when the route does not start at
 * this lane's depot, or an error. */
static int named_route(lgs_model *m, lane *l, double tlat, double tlon) {
  const scn_scenario *sc = m->sc;
  int r = m->L->consumer[l->consumer].route;
  if (r < 0) return 0;
  const scn_route *rt = &sc->route[r];
  int rev = rt->place[0] == l->from ? 0 : rt->place[rt->n - 1] == l->from ? 1 : -1;
  if (rev < 0) return 0;
  geo_path tail = {0};
  double elat = rt->lat[rev ? 0 : rt->n - 1], elon = rt->lon[rev ? 0 : rt->n - 1];
  if (m->sea.sea && !(elat == tlat && elon == tlon)) {
    int q = geo_sea_source(m->sea.sea, elat, elon);
    int err = q < 0 ? q : geo_sea_path(m->sea.sea, q, tlat, tlon, &tail);
    if (err) return err;
  }
  size_t n = rt->n + (tail.n ? tail.n - 1 : 1); /* room for a straight last leg */
  l->path.lat = malloc(n * sizeof *l->path.lat);
  l->path.lon = malloc(n * sizeof *l->path.lon);
  if (!l->path.lat || !l->path.lon) {
    geo_path_release(&tail);
    return ERR_NOMEM;
  }
  size_t k = 0;
  for (size_t i = 0; i < rt->n; i++, k++) {
    size_t j = rev ? rt->n - 1 - i : i;
    l->path.lat[k] = rt->lat[j], l->path.lon[k] = rt->lon[j];
  }
  for (size_t i = 1; i < tail.n; i++, k++) l->path.lat[k] = tail.lat[i], l->path.lon[k] = tail.lon[i];
  if (!tail.n && !(elat == tlat && elon == tlon)) /* no coastline: the straight leg */
    l->path.lat[k] = tlat, l->path.lon[k] = tlon, k++;
  l->path.n = k;
  geo_path_release(&tail);
  l->route = r, l->reverse = rev;
  for (size_t i = 0; i + 1 < l->path.n; i++) {
    const double *a = l->path.lat, *o = l->path.lon;
    double d = geo_distance(a[i], o[i], a[i + 1], o[i + 1]);
    l->distance += d;
    l->areas |= lgs__leg_areas(m, a[i], o[i], a[i + 1], o[i + 1], d);
  }
  l->path.length = l->distance;
  return 1;
}

static int lane_geometry(lgs_model *m, lane *l, double tlat, double tlon, int air) {
  const scn_scenario *sc = m->sc;
  const scn_route *rt = NULL;
  int rev = 0;
  l->to_lat = tlat, l->to_lon = tlon;
  l->distance = 0;
  l->areas = 0;
  l->src = -1;
  memset(&l->path, 0, sizeof l->path);
  if (!air) {
    if (m->sea.sea && (l->src = lgs__sea_source(&m->sea, sc, l->from)) < 0) return l->src;
    int named = named_route(m, l, tlat, tlon);
    if (named) return named < 0 ? named : 0;
  }
  for (size_t i = 0; i < sc->nroute && l->to >= 0; i++) {
    const scn_route *r = &sc->route[i];
    if (strcmp(r->kind, air ? "air" : "sea") != 0) continue;
    if (r->place[0] == l->from && r->place[r->n - 1] == l->to) { rt = r, rev = 0; break; }
    if (r->place[0] == l->to && r->place[r->n - 1] == l->from) { rt = r, rev = 1; break; }
  }
  l->route = rt ? (int)(rt - sc->route) : -1, l->reverse = rev;
  if (!air && !rt && m->sea.sea) {
    int err = geo_sea_path(m->sea.sea, l->src, tlat, tlon, &l->path);
    if (err) return err;
    l->distance = l->path.length;
    for (size_t i = 0; i + 1 < l->path.n; i++) {
      const double *a = l->path.lat, *o = l->path.lon;
      l->areas |= lgs__leg_areas(m, a[i], o[i], a[i + 1], o[i + 1],
                            geo_distance(a[i], o[i], a[i + 1], o[i + 1]));
    }
    return 0;
  }
  size_t n = rt ? rt->n : 2;
  for (size_t i = 0; i + 1 < n; i++) {
    double a0, o0, a1, o1;
    if (rt) {
      size_t u = rev ? n - 1 - i : i, v = rev ? n - 2 - i : i + 1;
      a0 = rt->lat[u], o0 = rt->lon[u], a1 = rt->lat[v], o1 = rt->lon[v];
    } else {
      a0 = sc->place[l->from].lat, o0 = sc->place[l->from].lon, a1 = tlat, o1 = tlon;
    }
    double d = air || !m->sea.sea ? geo_distance(a0, o0, a1, o1)
                                  : geo_geodesic_inverse(a0, o0, a1, o1, NULL, NULL);
    l->distance += d;
    l->areas |= lgs__leg_areas(m, a0, o0, a1, o1, d);
  }
  return 0;
}

int64_t lgs__minutes_cost(double distance, double speed) {
  return (int64_t)ceil(distance / speed / 60) + 1;
}

static int depot_has(const scn_lgs_depot *dp, int k) {
  return dp->stock[k] > 0 || dp->replenish[k] > 0;
}

/* Seconds to unload a full load of everything the class carries (the longest single
 * hold with a shared hold): the part of a round trip spent alongside. */
double lgs__unload_full(const scn_lgs_transport *t, int K) {
  double sum = 0, most = 0;
  for (int k = 0; k < K; k++)
    if (t->capacity[k] > 0) {
      double h = t->capacity[k] / t->unload_rate[k];
      sum += h, most = fmax(most, h);
    }
  return t->shared_hold ? most : sum;
}

static int nation_of(lgs_model *m, const char *nation) {
  for (int i = 0; i < m->nnation; i++)
    if (strcmp(m->nation[i], nation) == 0) return i;
  m->nation[m->nnation] = nation;
  return m->nnation++;
}

/* Whether a class may supply a consumer (`serves:`; none listed: every consumer). */
static int serves(const scn_lgs_transport *t, int c) {
  if (t->nserve == 0) return 1;
  for (size_t i = 0; i < t->nserve; i++)
    if (t->serve[i] == c) return 1;
  return 0;
}

static int land_of(lgs_model *m, int place, int consumer) {
  for (int j = 0; j < m->nland; j++)
    if (m->land_place[j] == place && m->land_consumer[j] == consumer) return j;
  m->land_place[m->nland] = place, m->land_consumer[m->nland] = consumer;
  return m->nland++;
}

static int dock_of(lgs_model *m, int depot, int place) {
  for (int j = 0; j < m->ndock; j++)
    if (m->dock_depot[j] == depot && m->dock_place[j] == place) return j;
  m->dock_depot[m->ndock] = depot, m->dock_place[m->ndock] = place;
  return m->ndock++;
}

int lgs__build_lanes(lgs_model *m) {
  const scn_logistics *L = m->L;
  size_t cap = (size_t)m->A * m->D * m->C;
  m->lane = calloc(cap ? cap : 1, sizeof *m->lane);
  m->lane_k = calloc((cap ? cap : 1) * (size_t)m->K, sizeof *m->lane_k);
  m->dock_depot = calloc(2 * (size_t)m->D + 1, sizeof *m->dock_depot);
  m->dock_place = calloc(2 * (size_t)m->D + 1, sizeof *m->dock_place);
  m->dock_rate = calloc((2 * (size_t)m->D + 1) * (size_t)m->K, sizeof *m->dock_rate);
  m->nation = calloc((size_t)m->A + 1, sizeof *m->nation);
  m->land_place = calloc(2 * (size_t)m->C + 1, sizeof *m->land_place);
  m->land_consumer = calloc(2 * (size_t)m->C + 1, sizeof *m->land_consumer);
  m->land_rate = calloc((2 * (size_t)m->C + 1) * (size_t)m->K, sizeof *m->land_rate);
  if (!m->lane || !m->lane_k || !m->dock_depot || !m->dock_place || !m->dock_rate || !m->nation ||
      !m->land_place || !m->land_consumer || !m->land_rate)
    return ERR_NOMEM;
  for (int a = 0; a < m->A; a++)
    for (int d = 0; d < m->D; d++)
      for (int c = 0; c < m->C; c++) {
        const scn_lgs_transport *t = &L->transport[a];
        const scn_lgs_depot *dp = &L->depot[d];
        const scn_lgs_consumer *u = &L->consumer[c];
        int useful = 0, li = m->nlane;
        if (!serves(t, c)) continue;
        for (int k = 0; k < m->K; k++) {
          int carries = t->capacity[k] >= m->unit[k] && /* a whole solver unit at least */
                        dist_mean(&u->demand[k]) > 0 && depot_has(dp, k);
          m->lane_k[li * m->K + k] = carries;
          useful |= carries;
        }
        if (!useful) continue;
        lane *l = &m->lane[li];
        l->depot = d, l->consumer = c, l->transport = a;
        double tlat = u->lat, tlon = u->lon;
        if (t->air) {
          if (dp->airfield < 0 || u->airfield < 0) continue;
          l->from = dp->airfield, l->to = u->airfield;
        } else {
          /* Ashore with no port to land at: no ship lane (a place of kind sea_area is
           * at sea: ships deliver alongside there). */
          if (u->port < 0 && u->place >= 0 && strcmp(m->sc->place[u->place].kind, "sea_area") != 0)
            continue;
          l->from = dp->place, l->to = u->port;
        }
        if (l->to >= 0) tlat = m->sc->place[l->to].lat, tlon = m->sc->place[l->to].lon;
        l->moving = l->to < 0 && (u->ntrack > 1 || u->nstation > 0);
        int err = lane_geometry(m, l, tlat, tlon, t->air);
        if (err == ERR_NOTFOUND) {
          m->unreached[c] = 1; /* no way over water from this depot: no lane */
          continue;
        }
        if (err) return err;
        l->cost = lgs__minutes_cost(l->distance, t->speed);
        l->lgs__unload_full = lgs__unload_full(t, m->K);
        l->dock = dock_of(m, d, l->from);
        l->land = l->to >= 0 && m->port_of_place[l->to] >= 0 ? land_of(m, l->to, c) : -1;
        for (int k = 0; k < m->K; k++)
          if (m->lane_k[li * m->K + k]) {
            double *rate = &m->dock_rate[l->dock * m->K + k];
            *rate = fmax(*rate, t->load_rate[k]);
            if (l->land >= 0) {
              rate = &m->land_rate[l->land * m->K + k];
              *rate = fmax(*rate, t->unload_rate[k]);
            }
          }
        snprintf(l->name, sizeof l->name, "%s>%s/%s", dp->id, u->id, m->sc->force[t->force].id);
        const char *nation = m->sc->force[t->force].nation;
        l->jp = strcmp(nation, "JP") == 0;
        if (!l->jp || !L->avoid_combat) l->areas = 0; /* only JP classes avoid combat areas */
        l->nation = nation_of(m, nation);
        l->gated = 0;
        for (size_t i = 0; i < u->ntask && m->sc->plan; i++) {
          const char *owner = m->sc->plan->task[u->task[i]].owner;
          l->gated |= owner && strcmp(owner, nation) == 0;
        }
        m->place_used[l->from] = 1;
        if (l->to >= 0) m->place_used[l->to] = 1;
        m->nlane++;
      }
  return 0;
}

/* Whether every place or position at sea that ships deliver to is reachable from
 * some depot's port (the fields are full). */
static int all_reached(const lgs_model *m, const int *src) {
  const scn_logistics *L = m->L;
  for (int c = 0; c < m->C; c++) {
    const scn_lgs_consumer *u = &L->consumer[c];
    size_t n = 1 + u->ntrack + u->nstation;
    int ashore = u->place >= 0 && strcmp(m->sc->place[u->place].kind, "sea_area") != 0;
    if (ashore && u->port < 0) continue;
    for (size_t k = 0; k < n; k++) {
      double lat = u->port >= 0 ? m->sc->place[u->port].lat : u->lat;
      double lon = u->port >= 0 ? m->sc->place[u->port].lon : u->lon;
      if (k > 0 && k <= u->ntrack) lat = u->track[k - 1].lat, lon = u->track[k - 1].lon;
      if (k > u->ntrack) lat = u->station[k - 1 - u->ntrack].lat, lon = u->station[k - 1 - u->ntrack].lon;
      int seen = 0;
      for (int i = 0; i < m->D && !seen; i++) seen = isfinite(geo_sea_distance(m->sea.sea, src[i], lat, lon));
      if (!seen) return 0;
    }
  }
  return 1;
}

/* The sea, with a full Dijkstra field from every depot's port: lanes' paths, moving
 * consumers' meeting points and repositioning all read them (docs/models.md "Sea
 * routing").  Without a coastline installed ships sail great circles. */
int lgs__open_sea(lgs_model *m, diag *d) {
  const scn_scenario *sc = m->sc;
  int ships = 0, err = 0;
  for (int a = 0; a < m->A; a++) ships |= !m->L->transport[a].air;
  if (!ships) return 0;
  int *src = calloc((size_t)m->D + 1, sizeof *src);
  if (!src) return ERR_NOMEM;
  /* The theater's box with 3 degrees around, and where a way round lies farther out
   * (a passage closed at this resolution, an island chain), 10. */
  static const double margin[] = {3, 10};
  for (int pass = 0; pass < 2; pass++) {
    if (pass) lgs__sea_close(&m->sea);
    if ((err = lgs__sea_open(&m->sea, sc, margin[pass], d)) || !m->sea.sea) break;
    for (int k = 0; k < m->D && !err; k++) {
      int q = lgs__sea_source(&m->sea, sc, m->L->depot[k].place);
      if (q < 0) err = q;
      src[k] = q;
    }
    if (err) break;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if ((err = geo_sea_cover_all(m->sea.sea, src, m->D, INFINITY, cpus < 1 ? 1 : cpus > 4 ? 4 : (int)cpus)) ||
        all_reached(m, src))
      break;
  }
  free(src);
  if (err || !m->sea.sea) return err;
  /* Repositioning: from any ship's base or depot port to every depot port. */
  if (!(m->hop = malloc(((size_t)m->P * m->P + 1) * sizeof *m->hop))) return ERR_NOMEM;
  for (size_t i = 0; i < (size_t)m->P * m->P; i++) m->hop[i] = NAN;
  for (int k = 0; k < m->D; k++) {
    int p = m->L->depot[k].place, q0 = lgs__sea_source(&m->sea, sc, p);
    for (int a = -1; a < m->A + m->D; a++) {
      int q = a < 0 ? p : a < m->A ? (m->L->transport[a].air ? -1 : sc->force[m->L->transport[a].force].base)
                                   : m->L->depot[a - m->A].place;
      if (q < 0 || !isnan(m->hop[(size_t)q * m->P + p])) continue;
      geo_path path;
      err = q == p ? ERR_OK : geo_sea_path(m->sea.sea, q0, sc->place[q].lat, sc->place[q].lon, &path);
      if (err && err != ERR_NOTFOUND) return err;
      m->hop[(size_t)q * m->P + p] = q == p ? 0 : err ? INFINITY : path.length;
      if (!err && q != p) geo_path_release(&path);
    }
  }
  return 0;
}

static void fmt_point(char *buf, size_t len, double lat, double lon) {
  snprintf(buf, len, "%.3f%c %.3f%c", fabs(lat), lat < 0 ? 'S' : 'N', fabs(lon), lon < 0 ? 'W' : 'E');
}

/* An at-sea consumer's positions (track points, stations) reachable over water from
 * each depot that has a ship lane to it, and every consumer that ships were meant to
 * supply reachable by one: else a located error (never a consumer silently starved). */
int lgs__check_reach(lgs_model *m, diag *d) {
  const scn_logistics *L = m->L;
  int bad = 0;
  for (int c = 0; c < m->C; c++) {
    const scn_lgs_consumer *u = &L->consumer[c];
    int lanes = 0;
    for (int i = 0; i < m->nlane; i++) lanes += m->lane[i].consumer == c;
    if (!lanes && m->unreached[c]) {
      char at[64];
      fmt_point(at, sizeof at, u->lat, u->lon);
      diag_report(d, DIAG_ERROR, u->loc.file, u->loc.line, u->loc.col,
                  "consumer '%s' at %s cannot be reached over water from any depot's port "
                  "(coastline '%c')",
                  u->id, at, geo_sea_coastline(m->sea.sea));
      bad = 1;
      continue;
    }
    for (int i = 0; i < m->nlane; i++) {
      const lane *l = &m->lane[i];
      if (l->consumer != c || !l->moving || l->src < 0) continue;
      size_t n = u->ntrack + u->nstation;
      for (size_t k = 0; k < n; k++) {
        double lat = k < u->ntrack ? u->track[k].lat : u->station[k - u->ntrack].lat;
        double lon = k < u->ntrack ? u->track[k].lon : u->station[k - u->ntrack].lon;
        if (isfinite(geo_sea_distance(m->sea.sea, l->src, lat, lon))) continue;
        char at[64];
        fmt_point(at, sizeof at, lat, lon);
        diag_report(d, DIAG_ERROR, u->loc.file, u->loc.line, u->loc.col,
                    "consumer '%s': its %s %zu at %s cannot be reached over water from "
                    "depot '%s' (coastline '%c')",
                    u->id, k < u->ntrack ? "track point" : "station",
                    (k < u->ntrack ? k : k - u->ntrack) + 1, at, L->depot[l->depot].id,
                    geo_sea_coastline(m->sea.sea));
        bad = 1;
      }
    }
  }
  return bad ? ERR_INPUT : 0;
}
