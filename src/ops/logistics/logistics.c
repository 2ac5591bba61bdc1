/* logistics.c - rear-area logistics (logistics.h): min-cost flow planning per period
 * (LEMON's network simplex per commodity, or GLPK's coupled multi-commodity LP where
 * commodities share a capacity), voyages through berths as kernel resources, stocks as
 * kernel levels.  Model and validation: docs/models.md, section "Rear-area logistics". */
#include "logistics.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "geo_polygon.h"
#include "geodesy.h"
#include "log_flow.h"
#include "log_lp.h"
#include "log_sea.h"
#include "rng.h"
#include "scn_logistics.h"
#include "scn_plan.h"
#include "stats.h"

#define SAMPLE_STEP 20000.0    /* m between points tested against combat areas */
#define MAX_COMBAT 64          /* combat_area regions a lane mask can hold */
#define POLL_CLOSED 3600.0     /* s between looks at a closed delivery place */
#define MEET_TOLERANCE 1000.0  /* m: a consumer this close to the meeting point is met */
#define INTERCEPT_ITER 60      /* fixed-point steps of the meeting-point search */

enum { PURPOSE_DEMAND = 1, PURPOSE_TURNAROUND = 2 };

/* Kinds of bottleneck element, in the order of the elements (bneck_* below). */
enum { BNECK_ASSET, BNECK_ENDURANCE, BNECK_STOCK, BNECK_CLOSED, BNECK_BERTH, BNECK_AUTHORITY,
       BNECK_AREA, BNECK_NO_LANE, BNECK_KINDS };
static const char *const bneck_kind_name[BNECK_KINDS] = {
    "asset", "endurance", "stock", "closed", "berth", "authority", "area", "no_lane"};

/* ---- geometry ------------------------------------------------------------------------ */

static int in_polygon(const scn_region *g, double lat, double lon) {
  return geo_point_in_polygon(lat, lon, g->lat, g->lon, g->n);
}

/* ---- the model ------------------------------------------------------------------------ */

typedef struct lane {
  int depot, consumer, transport;
  int dock;           /* (depot, loading place) pair: where its loadings take a berth */
  int land;           /* (delivery port, consumer) pair where its unloadings take a berth,
                         or -1 (no berths listed there, or alongside at sea) */
  int from, to;       /* place indices; to = -1: alongside at the consumer's position */
  int route, reverse; /* theater route followed (-1: the straight leg), and backwards */
  int moving;         /* to = -1 and the consumer moves (track or stations) */
  double to_lat, to_lon; /* where the lane ends (a moving consumer: its first position) */
  double distance;    /* m, one way (a moving consumer: to its first position) */
  double unload_full; /* s to unload a full load of what the class carries */
  uint64_t areas;     /* combat areas (bit = index in model->combat) it crosses */
  int64_t cost;       /* per unit: one-way transit in minutes (>= 1) */
  int jp;             /* the class's force is Japanese (the combat-area rule) */
  int nation;         /* index of the force's nation in model->nation */
  int gated;          /* its consumer follows plan tasks owned by this lane's nation */
  int src;            /* ships: the sea source at `from` (sea routing), or -1 */
  geo_path path;      /* ships: the polyline sailed to to_lat/to_lon (n = 0 for aircraft) */
  char name[96];
} lane;

/* One commodity's network: node 0 = shortfall S, 1 = excess X, depots, docks,
 * consumers. */
typedef struct knet {
  int nlane;          /* lanes that can carry it */
  int *lane;          /* [nlane] model lane index */
  int *lane_arc;      /* [nlane] */
  int *short_arc;     /* [nconsumer] S -> consumer */
  int *excess_arc;    /* [ndepot] depot -> X */
  int *dock_arc;      /* [ndock] depot -> dock */
  int *land_arc;      /* [nland] landing -> consumer */
} knet;

/* The coupled LP's columns and rows (docs/models.md): -1 where absent. */
typedef struct lpmap {
  int ncol, nrow;
  int *xcol;          /* [nlane * K] amount of k on lane l, solver units */
  int *ycol;          /* [nlane] voyages on lane l */
  int *scol;          /* [K * C] shortfall */
  int *ecol;          /* [K * D] stock left in the depot */
  int *drow, *crow;   /* [K * D], [K * C] balances */
  int *hrow;          /* [nlane * K] hold rows (shared hold: k = 0 only) */
  int *frow;          /* [A] fleet rows */
  int *brow;          /* [nport] berth rows of ports where lanes load or unload */
} lpmap;

/* Network solvers, pooled across replications.  The coupled LP is not pooled: GLPK's
 * memory belongs to the thread that made it, so each replication makes its own. */
typedef struct solver_set {
  log_flow **flow; /* [ncommodity], network planning */
  struct solver_set *next_free;
} solver_set;

struct log_model {
  const scn_scenario *sc;
  const scn_logistics *L;
  int K, D, C, A, P, NP; /* commodities, depots, consumers, transport classes, places, ports */
  int *order;         /* [K] commodities by priority */
  double *unit;       /* [K] SI per solver unit: 1000 kg (t) or 1 m3 */
  int *port_of_place; /* [P] index into L->port, or -1 */
  int ncombat;
  int *combat;        /* [ncombat] region indices of kind combat_area */
  double *combat_box; /* [4 * ncombat] their bounding boxes: lat min, lat max, lon min, max */
  int *place_used;    /* [P] a lane loads or delivers there */
  int nlane;
  lane *lane;
  int *lane_k;        /* [nlane * K] 1 where the lane carries k to a consumer that wants it */
  int ndock;
  int *dock_depot, *dock_place; /* [ndock] */
  double *dock_rate;  /* [ndock * K] fastest loading rate of k there, SI per s */
  int nland;
  int *land_place, *land_consumer; /* [nland] delivery ports (listed) and consumers */
  double *land_rate;  /* [nland * K] fastest unloading rate of k there, SI per s */
  knet *net;          /* [K] */
  int coupled;        /* plan with the LP */
  lpmap lp;
  int nunits;
  int nnation;
  const char **nation; /* [A] distinct nations of the transport classes' forces */
  log_sea sea;        /* where ships sail (sea.sea NULL: great circles) */
  double *hop;        /* [P * P] ships' sea distance from place p (a depot's port) to
                         place q at [q * P + p] (repositioning); NaN: not asked */
  int *unreached;     /* [C] a depot's ships found no way over water to the consumer */
  int ntask;          /* tasks of the plan (for SIG_TASK_STATUS) */
  int nphase;
  /* metrics */
  int m_fill, m_dos, m_short, m_backlog, m_deliv_mean, m_deliv_p90, m_asset, m_berth,
      m_delivered, m_plans, m_replans, m_rest, m_returned;
  int *m_lane;        /* [nlane * K] lane_delivered metric or -1 */
  int *m_by;          /* [nnation * C * K] delivered_by metric or -1 */
  int *m_jp_share;    /* [C * K] jp_share metric or -1 */
  int m_binding[BNECK_KINDS]; /* binding.<kind> series or -1 */
  int *m_lane_bneck;  /* [nlane] */
  int nbneck;         /* bottleneck elements (bneck_* below) */
  int *bneck_metric;  /* [nbneck] metric index, -1 for an element no lane uses */
  /* the solver pool (mutable behind the const model: guarded by lock) */
  pthread_mutex_t lock;
  solver_set *free_sets;
  solver_set **all;
  size_t nall, capall;
};

/* Bottleneck elements, in this order: classes (lift), classes (endurance), depots
 * (stock), places (closed), ports (berths at loading), consumers (authority), combat
 * areas, and "no lane". */
static int bneck_asset(const log_model *m, int a) { return (void)m, a; }
static int bneck_endurance(const log_model *m, int a) { return m->A + a; }
static int bneck_depot(const log_model *m, int d) { return 2 * m->A + d; }
static int bneck_place(const log_model *m, int p) { return 2 * m->A + m->D + p; }
static int bneck_berth(const log_model *m, int p) { return 2 * m->A + m->D + m->P + p; }
static int bneck_authority(const log_model *m, int c) {
  return 2 * m->A + m->D + m->P + m->NP + c;
}
static int bneck_area(const log_model *m, int i) {
  return 2 * m->A + m->D + m->P + m->NP + m->C + i;
}
static int bneck_reach(const log_model *m) { return bneck_area(m, m->ncombat); }

/* The kind of a bottleneck element (the `binding.<kind>` series). */
static int bneck_kind(const log_model *m, int b) {
  static const int kind[] = {BNECK_ASSET, BNECK_ENDURANCE, BNECK_STOCK, BNECK_CLOSED,
                             BNECK_BERTH, BNECK_AUTHORITY, BNECK_AREA};
  int size[] = {m->A, m->A, m->D, m->P, m->NP, m->C, m->ncombat};
  for (int i = 0; i < 7; i++) {
    if (b < size[i]) return kind[i];
    b -= size[i];
  }
  return BNECK_NO_LANE;
}

/* Whether a combat area is crossed by the leg a0,o0 -> a1,o1 (sampled every SAMPLE_STEP). */
static uint64_t leg_areas(const log_model *m, double a0, double o0, double a1, double o1,
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
 * else for a ship the path over water (log_sea.h), else the straight leg; each leg
 * sampled every SAMPLE_STEP for the area test.  ERR_NOTFOUND: no way over water. */
/* A ship lane that follows its consumer's `route:` from the depot at one end: the
 * route's points to its far end, then over water to where the lane ends.  Returns 1
 * when the lane does (the path and distance set), 0 when the route does not start at
 * this lane's depot, or an error. */
static int named_route(log_model *m, lane *l, double tlat, double tlon) {
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
    l->areas |= leg_areas(m, a[i], o[i], a[i + 1], o[i + 1], d);
  }
  l->path.length = l->distance;
  return 1;
}

static int lane_geometry(log_model *m, lane *l, double tlat, double tlon, int air) {
  const scn_scenario *sc = m->sc;
  const scn_route *rt = NULL;
  int rev = 0;
  l->to_lat = tlat, l->to_lon = tlon;
  l->distance = 0;
  l->areas = 0;
  l->src = -1;
  memset(&l->path, 0, sizeof l->path);
  if (!air) {
    if (m->sea.sea && (l->src = log__sea_source(&m->sea, sc, l->from)) < 0) return l->src;
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
      l->areas |= leg_areas(m, a[i], o[i], a[i + 1], o[i + 1],
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
    l->areas |= leg_areas(m, a0, o0, a1, o1, d);
  }
  return 0;
}

static int64_t minutes_cost(double distance, double speed) {
  return (int64_t)ceil(distance / speed / 60) + 1;
}

static int depot_has(const scn_log_depot *dp, int k) {
  return dp->stock[k] > 0 || dp->replenish[k] > 0;
}

/* Seconds to unload a full load of everything the class carries (the longest single
 * hold with a shared hold): the part of a round trip spent alongside. */
static double unload_full(const scn_log_transport *t, int K) {
  double sum = 0, most = 0;
  for (int k = 0; k < K; k++)
    if (t->capacity[k] > 0) {
      double h = t->capacity[k] / t->unload_rate[k];
      sum += h, most = fmax(most, h);
    }
  return t->shared_hold ? most : sum;
}

static int nation_of(log_model *m, const char *nation) {
  for (int i = 0; i < m->nnation; i++)
    if (strcmp(m->nation[i], nation) == 0) return i;
  m->nation[m->nnation] = nation;
  return m->nnation++;
}

/* Whether a class may supply a consumer (`serves:`; none listed: every consumer). */
static int serves(const scn_log_transport *t, int c) {
  if (t->nserve == 0) return 1;
  for (size_t i = 0; i < t->nserve; i++)
    if (t->serve[i] == c) return 1;
  return 0;
}

static int land_of(log_model *m, int place, int consumer) {
  for (int j = 0; j < m->nland; j++)
    if (m->land_place[j] == place && m->land_consumer[j] == consumer) return j;
  m->land_place[m->nland] = place, m->land_consumer[m->nland] = consumer;
  return m->nland++;
}

static int dock_of(log_model *m, int depot, int place) {
  for (int j = 0; j < m->ndock; j++)
    if (m->dock_depot[j] == depot && m->dock_place[j] == place) return j;
  m->dock_depot[m->ndock] = depot, m->dock_place[m->ndock] = place;
  return m->ndock++;
}

static int build_lanes(log_model *m) {
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
        const scn_log_transport *t = &L->transport[a];
        const scn_log_depot *dp = &L->depot[d];
        const scn_log_consumer *u = &L->consumer[c];
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
        l->cost = minutes_cost(l->distance, t->speed);
        l->unload_full = unload_full(t, m->K);
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
static int all_reached(const log_model *m, const int *src) {
  const scn_logistics *L = m->L;
  for (int c = 0; c < m->C; c++) {
    const scn_log_consumer *u = &L->consumer[c];
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
static int open_sea(log_model *m, diag *d) {
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
    if (pass) log__sea_close(&m->sea);
    if ((err = log__sea_open(&m->sea, sc, margin[pass], d)) || !m->sea.sea) break;
    for (int k = 0; k < m->D && !err; k++) {
      int q = log__sea_source(&m->sea, sc, m->L->depot[k].place);
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
    int p = m->L->depot[k].place, q0 = log__sea_source(&m->sea, sc, p);
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
static int check_reach(log_model *m, diag *d) {
  const scn_logistics *L = m->L;
  int bad = 0;
  for (int c = 0; c < m->C; c++) {
    const scn_log_consumer *u = &L->consumer[c];
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

/* Commodities share a capacity when a class carries several of them, or a loading
 * port's berths serve several commodities, classes or depots: then only the coupled
 * LP plans them right (docs/models.md). */
static int is_coupled(const log_model *m) {
  if (m->L->planner != SCN_LOG_PLAN_AUTO) return m->L->planner == SCN_LOG_PLAN_LP;
  for (int a = 0; a < m->A; a++) {
    int first = -1;
    for (int i = 0; i < m->nlane; i++)
      for (int k = 0; k < m->K; k++)
        if (m->lane[i].transport == a && m->lane_k[i * m->K + k]) {
          if (first >= 0 && first != k) return 1;
          first = k;
        }
  }
  /* A port's berths are one capacity: shared when its lanes' loadings and unloadings
   * there go through more than one network arc (a dock or a landing) or more than one
   * (class, commodity) pair. */
  for (int p = 0; p < m->P; p++) {
    if (m->port_of_place[p] < 0) continue;
    int arc = -1, pair = -1;
    for (int i = 0; i < m->nlane; i++) {
      const lane *l = &m->lane[i];
      for (int end = 0; end < 2; end++) {
        int at = end ? l->land : l->dock; /* docks numbered 0.., landings -2, -3, .. */
        if ((end ? l->to : l->from) != p || (end && at < 0)) continue;
        at = end ? -2 - at : at;
        if (arc != -1 && arc != at) return 1;
        arc = at;
        for (int k = 0; k < m->K; k++)
          if (m->lane_k[i * m->K + k]) {
            int pk = l->transport * m->K + k;
            if (pair >= 0 && pair != pk) return 1;
            pair = pk;
          }
      }
    }
  }
  return 0;
}

static int build_nets(log_model *m) {
  for (int k = 0; k < m->K; k++) {
    knet *n = &m->net[k];
    n->lane = calloc((size_t)m->nlane + 1, sizeof *n->lane);
    n->lane_arc = calloc((size_t)m->nlane + 1, sizeof *n->lane_arc);
    n->short_arc = calloc((size_t)m->C + 1, sizeof *n->short_arc);
    n->excess_arc = calloc((size_t)m->D + 1, sizeof *n->excess_arc);
    n->dock_arc = calloc((size_t)m->ndock + 1, sizeof *n->dock_arc);
    n->land_arc = calloc((size_t)m->nland + 1, sizeof *n->land_arc);
    if (!n->lane || !n->lane_arc || !n->short_arc || !n->excess_arc || !n->dock_arc || !n->land_arc)
      return ERR_NOMEM;
    for (int i = 0; i < m->nlane; i++)
      if (m->lane_k[i * m->K + k]) n->lane[n->nlane++] = i;
  }
  return 0;
}

static int node_depot(const log_model *m, int d) { return (void)m, 2 + d; }
static int node_dock(const log_model *m, int j) { return 2 + m->D + j; }
static int node_landing(const log_model *m, int j) { return 2 + m->D + m->ndock + j; }
static int node_consumer(const log_model *m, int c) { return 2 + m->D + m->ndock + m->nland + c; }
/* Where a lane's arc ends: its landing (berths at the delivery port) or its consumer. */
static int node_head(const log_model *m, const lane *l) {
  return l->land >= 0 ? node_landing(m, l->land) : node_consumer(m, l->consumer);
}

/* Unmet requirement's cost per solver unit: network planning weighs consumers only
 * (commodities are planned in priority order); the coupled LP also weighs the
 * commodity, (10 - p_k) / 9, since it plans them together. */
static int64_t penalty_units(const log_model *m, int c) {
  return (int64_t)ceil(m->L->penalty / 60) * (10 - m->L->consumer[c].priority);
}
static double penalty_lp(const log_model *m, int k, int c) {
  return (double)penalty_units(m, c) * (10 - m->L->commodity[k].priority) / 9.0;
}

/* Build one commodity's network; arc indices must match m->net (they do: same order
 * every time). */
static log_flow *make_flow(const log_model *m, int k) {
  const knet *n = &m->net[k];
  int nn = 2 + m->D + m->ndock + m->nland + m->C;
  log_flow *f = log_flow_new(nn, n->nlane + m->D + m->C + m->ndock + m->nland + 1);
  if (!f) return NULL;
  int ok = 1;
  for (int i = 0; i < nn; i++) ok &= log_flow_add_node(f, 0) == i;
  int arc = 0;
  ok &= log_flow_add_arc(f, 0, 1, LOG_FLOW_INF, 0) == arc++; /* S -> X */
  for (int d = 0; d < m->D; d++)
    ok &= log_flow_add_arc(f, node_depot(m, d), 1, LOG_FLOW_INF, 0) == arc++;
  for (int c = 0; c < m->C; c++)
    ok &= log_flow_add_arc(f, 0, node_consumer(m, c), LOG_FLOW_INF, penalty_units(m, c)) == arc++;
  for (int j = 0; j < m->ndock; j++)
    ok &= log_flow_add_arc(f, node_depot(m, m->dock_depot[j]), node_dock(m, j), LOG_FLOW_INF, 0) ==
          arc++;
  for (int j = 0; j < m->nland; j++)
    ok &= log_flow_add_arc(f, node_landing(m, j), node_consumer(m, m->land_consumer[j]), LOG_FLOW_INF,
                           0) == arc++;
  for (int i = 0; i < n->nlane; i++) {
    const lane *l = &m->lane[n->lane[i]];
    ok &= log_flow_add_arc(f, node_dock(m, l->dock), node_head(m, l), 0, l->cost) == arc++;
  }
  /* Solve once so the solver's arrays exist before any event loop. */
  if (!ok || log_flow_solve(f) != LOG_FLOW_OPTIMAL) {
    log_flow_free(f);
    return NULL;
  }
  return f;
}

static void assign_arcs(log_model *m) {
  for (int k = 0; k < m->K; k++) {
    knet *n = &m->net[k];
    int arc = 1;
    for (int d = 0; d < m->D; d++) n->excess_arc[d] = arc++;
    for (int c = 0; c < m->C; c++) n->short_arc[c] = arc++;
    for (int j = 0; j < m->ndock; j++) n->dock_arc[j] = arc++;
    for (int j = 0; j < m->nland; j++) n->land_arc[j] = arc++;
    for (int i = 0; i < n->nlane; i++) n->lane_arc[i] = arc++;
  }
}

/* Number the coupled LP's columns and rows (docs/models.md "The coupled LP"). */
static int build_lpmap(log_model *m) {
  lpmap *p = &m->lp;
  int K = m->K, nl = m->nlane;
  p->xcol = calloc((size_t)nl * K + 1, sizeof *p->xcol);
  p->ycol = calloc((size_t)nl + 1, sizeof *p->ycol);
  p->scol = calloc((size_t)K * m->C + 1, sizeof *p->scol);
  p->ecol = calloc((size_t)K * m->D + 1, sizeof *p->ecol);
  p->drow = calloc((size_t)K * m->D + 1, sizeof *p->drow);
  p->crow = calloc((size_t)K * m->C + 1, sizeof *p->crow);
  p->hrow = calloc((size_t)nl * K + 1, sizeof *p->hrow);
  p->frow = calloc((size_t)m->A + 1, sizeof *p->frow);
  p->brow = calloc((size_t)m->NP + 1, sizeof *p->brow);
  if (!p->xcol || !p->ycol || !p->scol || !p->ecol || !p->drow || !p->crow || !p->hrow ||
      !p->frow || !p->brow)
    return ERR_NOMEM;
  int col = 0, row = 0;
  for (int i = 0; i < nl; i++) {
    for (int k = 0; k < K; k++) p->xcol[i * K + k] = m->lane_k[i * K + k] ? col++ : -1;
    p->ycol[i] = col++;
  }
  for (int i = 0; i < K * m->C; i++) p->scol[i] = col++;
  for (int i = 0; i < K * m->D; i++) p->ecol[i] = col++;
  for (int i = 0; i < K * m->D; i++) p->drow[i] = row++;
  for (int i = 0; i < K * m->C; i++) p->crow[i] = row++;
  for (int i = 0; i < nl; i++) {
    int shared = m->L->transport[m->lane[i].transport].shared_hold, any = 0;
    for (int k = 0; k < K; k++) {
      p->hrow[i * K + k] = -1;
      if (!m->lane_k[i * K + k]) continue;
      if (shared && any) continue;
      p->hrow[i * K + k] = row++;
      any = 1;
    }
  }
  for (int a = 0; a < m->A; a++) p->frow[a] = row++;
  for (int q = 0; q < m->NP; q++) {
    p->brow[q] = -1;
    for (int i = 0; i < nl; i++)
      if (m->port_of_place[m->lane[i].from] == q ||
          (m->lane[i].land >= 0 && m->port_of_place[m->lane[i].to] == q)) {
        p->brow[q] = row++;
        break;
      }
  }
  p->ncol = col, p->nrow = row;
  return 0;
}

/* The first shared-hold row of a lane (every commodity's amount goes in it). */
static int hold_row(const log_model *m, int i, int k) {
  if (!m->L->transport[m->lane[i].transport].shared_hold) return m->lp.hrow[i * m->K + k];
  for (int j = 0; j < m->K; j++)
    if (m->lp.hrow[i * m->K + j] >= 0) return m->lp.hrow[i * m->K + j];
  return -1;
}

static log_lp *make_lp(const log_model *m) {
  const lpmap *p = &m->lp;
  int K = m->K;
  log_lp *lp = log_lp_new(p->nrow, p->ncol);
  if (!lp) return NULL;
  int err = 0;
  for (int i = 0; i < m->nlane; i++) {
    const lane *l = &m->lane[i];
    const scn_log_transport *t = &m->L->transport[l->transport];
    int q = m->port_of_place[l->from], qd = l->land >= 0 ? m->port_of_place[l->to] : -1;
    for (int k = 0; k < K; k++) {
      int x = p->xcol[i * K + k];
      if (x < 0) continue;
      /* Berth-hours per unit: loading at q, unloading at qd (one row if the same port). */
      double load_h = m->unit[k] / t->load_rate[k] / 3600;
      double unload_h = m->unit[k] / t->unload_rate[k] / 3600;
      double units = floor(t->capacity[k] / m->unit[k]); /* a voyage's lift, solver units */
      err |= log_lp_add(lp, p->drow[k * m->D + l->depot], x, 1);
      err |= log_lp_add(lp, p->crow[k * m->C + l->consumer], x, 1);
      if (t->shared_hold) err |= log_lp_add(lp, hold_row(m, i, k), x, units > 0 ? 1 / units : 1);
      else err |= log_lp_add(lp, hold_row(m, i, k), x, 1) |
                  log_lp_add(lp, hold_row(m, i, k), p->ycol[i], -units);
      if (q >= 0 && p->brow[q] >= 0)
        err |= log_lp_add(lp, p->brow[q], x, load_h + (qd == q ? unload_h : 0));
      if (qd >= 0 && qd != q && p->brow[qd] >= 0) err |= log_lp_add(lp, p->brow[qd], x, unload_h);
    }
    if (t->shared_hold) err |= log_lp_add(lp, hold_row(m, i, 0), p->ycol[i], -1);
    err |= log_lp_add(lp, p->frow[l->transport], p->ycol[i], 1);
  }
  for (int k = 0; k < K; k++) {
    for (int c = 0; c < m->C; c++) {
      err |= log_lp_add(lp, p->crow[k * m->C + c], p->scol[k * m->C + c], 1);
      log_lp_set_col(lp, p->scol[k * m->C + c], 0, INFINITY, penalty_lp(m, k, c));
    }
    for (int d = 0; d < m->D; d++) {
      err |= log_lp_add(lp, p->drow[k * m->D + d], p->ecol[k * m->D + d], 1);
      log_lp_set_col(lp, p->ecol[k * m->D + d], 0, INFINITY, 0);
    }
  }
  for (int i = 0; i < m->nlane; i++)
    for (int k = 0; k < K; k++)
      if (p->hrow[i * K + k] >= 0) log_lp_set_row(lp, p->hrow[i * K + k], -INFINITY, 0);
  for (int i = 0; i < K * (m->D + m->C); i++) log_lp_set_row(lp, i, 0, 0);
  for (int a = 0; a < m->A; a++) log_lp_set_row(lp, p->frow[a], -INFINITY, 0);
  for (int q = 0; q < m->NP; q++)
    if (p->brow[q] >= 0) log_lp_set_row(lp, p->brow[q], -INFINITY, INFINITY);
  for (int i = 0; i < m->nlane; i++) {
    for (int k = 0; k < K; k++)
      if (p->xcol[i * K + k] >= 0) log_lp_set_col(lp, p->xcol[i * K + k], 0, 0, (double)m->lane[i].cost);
    log_lp_set_col(lp, p->ycol[i], 0, 0, 0);
  }
  if (err || log_lp_run(lp)) {
    log_lp_free(lp);
    return NULL;
  }
  return lp;
}

static void solver_set_free(const log_model *m, solver_set *s) {
  if (!s) return;
  if (s->flow)
    for (int k = 0; k < m->K; k++) log_flow_free(s->flow[k]);
  free(s->flow);
  free(s);
}

static solver_set *pool_take(const log_model *cm) {
  log_model *m = (log_model *)cm; /* the pool is the model's only mutable part */
  pthread_mutex_lock(&m->lock);
  solver_set *s = m->free_sets;
  if (s) m->free_sets = s->next_free;
  pthread_mutex_unlock(&m->lock);
  if (s) return s;
  s = calloc(1, sizeof *s);
  if (!s) return NULL;
  if (!m->coupled) {
    if (!(s->flow = calloc((size_t)m->K + 1, sizeof *s->flow))) goto fail;
    for (int k = 0; k < m->K; k++)
      if (!(s->flow[k] = make_flow(m, k))) goto fail;
  }
  pthread_mutex_lock(&m->lock);
  if (m->nall == m->capall) {
    size_t cap = m->capall ? 2 * m->capall : 8;
    solver_set **g = realloc(m->all, cap * sizeof *g);
    if (!g) {
      pthread_mutex_unlock(&m->lock);
      goto fail;
    }
    m->all = g, m->capall = cap;
  }
  m->all[m->nall++] = s;
  pthread_mutex_unlock(&m->lock);
  return s;
fail:
  solver_set_free(m, s);
  return NULL;
}

static void pool_give(const log_model *cm, solver_set *s) {
  log_model *m = (log_model *)cm;
  if (!s) return;
  pthread_mutex_lock(&m->lock);
  s->next_free = m->free_sets;
  m->free_sets = s;
  pthread_mutex_unlock(&m->lock);
}

static int define(metric_set *ms, const char *name, const char *unit, unsigned flags,
                  const char *desc) {
  return metric_define(ms, "logistics", name, unit, flags, desc);
}

static int bneck_name(const log_model *m, int b, char *name, size_t len) {
  const scn_scenario *sc = m->sc;
  const scn_logistics *L = m->L;
  if (b < m->A) return snprintf(name, len, "bottleneck.asset.%s", sc->force[L->transport[b].force].id);
  if ((b -= m->A) < m->A)
    return snprintf(name, len, "bottleneck.endurance.%s", sc->force[L->transport[b].force].id);
  if ((b -= m->A) < m->D) return snprintf(name, len, "bottleneck.stock.%s", L->depot[b].id);
  if ((b -= m->D) < m->P) return snprintf(name, len, "bottleneck.closed.%s", sc->place[b].id);
  if ((b -= m->P) < m->NP)
    return snprintf(name, len, "bottleneck.berth.%s", sc->place[L->port[b].place].id);
  if ((b -= m->NP) < m->C) return snprintf(name, len, "bottleneck.authority.%s", L->consumer[b].id);
  if ((b -= m->C) < m->ncombat)
    return snprintf(name, len, "bottleneck.area.%s", sc->region[m->combat[b]].id);
  return snprintf(name, len, "bottleneck.no_lane");
}

/* Whether a bottleneck element can ever bind (else no metric is defined for it). */
static int bneck_possible(const log_model *m, int b, uint64_t crossed) {
  const scn_logistics *L = m->L;
  int a = b - m->A, p = b - 2 * m->A - m->D, q = p - m->P, c = q - m->NP, area = c - m->C;
  if (b < m->A) return 1;
  if (a < m->A) return isfinite(L->transport[a].endurance);
  if (p < 0) return 1;
  if (p < m->P) return m->place_used[p];
  if (q < m->NP) {
    for (int i = 0; i < m->nlane; i++)
      if (m->port_of_place[m->lane[i].from] == q ||
          (m->lane[i].land >= 0 && m->port_of_place[m->lane[i].to] == q))
        return 1;
    return 0;
  }
  if (c < m->C) return L->consumer[c].ntask > 0;
  if (area < m->ncombat) return (crossed & ((uint64_t)1 << area)) != 0;
  return 1;
}

/* Who delivered: per nation of the transport classes, consumer and commodity (where a
 * lane of that nation carries it), and Japan's share where others carry it too. */
static int define_shares(log_model *m, metric_set *ms) {
  const scn_logistics *L = m->L;
  int K = m->K, C = m->C;
  char name[256], desc[256];
  if (!(m->m_by = calloc((size_t)m->nnation * C * K + 1, sizeof *m->m_by)) ||
      !(m->m_jp_share = calloc((size_t)C * K + 1, sizeof *m->m_jp_share)))
    return ERR_NOMEM;
  for (int c = 0; c < C; c++)
    for (int k = 0; k < K; k++) {
      int jp = 0, other = 0;
      for (int n = 0; n < m->nnation; n++) {
        int used = 0;
        for (int i = 0; i < m->nlane; i++)
          used |= m->lane[i].nation == n && m->lane[i].consumer == c && m->lane_k[i * K + k];
        int *slot = &m->m_by[(n * C + c) * K + k];
        *slot = -1;
        if (!used) continue;
        if (strcmp(m->nation[n], "JP") == 0) jp = 1;
        else other = 1;
        snprintf(name, sizeof name, "delivered_by.%s.%s.%s", m->nation[n], L->consumer[c].id,
                 L->commodity[k].id);
        snprintf(desc, sizeof desc, "delivered to %s by %s transports", L->consumer[c].id, m->nation[n]);
        if ((*slot = define(ms, name, L->commodity[k].volume ? "m3" : "kg", METRIC_HIGHER_BETTER,
                            desc)) < 0)
          return *slot;
      }
      m->m_jp_share[c * K + k] = -1;
      if (!(jp && other)) continue;
      snprintf(name, sizeof name, "jp_share.%s.%s", L->consumer[c].id, L->commodity[k].id);
      snprintf(desc, sizeof desc, "share of what %s received that JP transports delivered",
               L->consumer[c].id);
      if ((m->m_jp_share[c * K + k] = define(ms, name, "1", 0, desc)) < 0)
        return m->m_jp_share[c * K + k];
    }
  return 0;
}

/* Metrics in a fixed order; returns the first index or an error.  The block of a
 * family is contiguous, so index arithmetic finds (consumer, commodity) entries. */
static int define_metrics(log_model *m, metric_set *ms) {
  const scn_logistics *L = m->L;
  const scn_scenario *sc = m->sc;
  char name[256], desc[256];
  int r;
#define DEF(store, nm, unit, fl, ds)                          \
  do {                                                        \
    if ((r = define(ms, nm, unit, fl, ds)) < 0) return r;     \
    if ((store) < 0) (store) = r;                             \
  } while (0)
  m->m_fill = m->m_dos = m->m_short = m->m_backlog = m->m_asset = m->m_berth = -1;
  m->m_delivered = m->m_rest = m->m_returned = -1;
  for (int c = 0; c < m->C; c++)
    for (int k = 0; k < m->K; k++) {
      snprintf(name, sizeof name, "fill_rate.%s.%s", L->consumer[c].id, L->commodity[k].id);
      snprintf(desc, sizeof desc, "share of %s's demand for %s met from stock on hand",
               L->consumer[c].id, L->commodity[k].id);
      DEF(m->m_fill, name, "1", METRIC_HIGHER_BETTER | (c == 0 && k == 0 ? METRIC_HEADLINE : 0), desc);
    }
  for (int c = 0; c < m->C; c++)
    for (int k = 0; k < m->K; k++) {
      snprintf(name, sizeof name, "days_of_supply.%s.%s", L->consumer[c].id, L->commodity[k].id);
      DEF(m->m_dos, name, "d", METRIC_SERIES | METRIC_HIGHER_BETTER, "stock on hand in days of mean demand, each period");
    }
  for (int k = 0; k < m->K; k++) {
    snprintf(name, sizeof name, "shortfall.%s", L->commodity[k].id);
    DEF(m->m_short, name, L->commodity[k].volume ? "m3" : "kg", METRIC_LOWER_BETTER,
        "demand not met from stock on hand, all consumers");
  }
  for (int k = 0; k < m->K; k++) {
    snprintf(name, sizeof name, "backlog.%s", L->commodity[k].id);
    DEF(m->m_backlog, name, L->commodity[k].volume ? "m3" : "kg", METRIC_SERIES | METRIC_LOWER_BETTER,
        "requirement the period's plan left unmet or no unit could carry");
  }
  for (int k = 0; k < m->K; k++) {
    snprintf(name, sizeof name, "delivered.%s", L->commodity[k].id);
    DEF(m->m_delivered, name, L->commodity[k].volume ? "m3" : "kg", METRIC_HIGHER_BETTER, "delivered to consumers");
  }
  if ((m->m_deliv_mean = define(ms, "delivery_time.mean", "s", METRIC_LOWER_BETTER,
                                "dispatch to end of unloading, mean over voyages")) < 0)
    return m->m_deliv_mean;
  if ((m->m_deliv_p90 = define(ms, "delivery_time.p90", "s", METRIC_LOWER_BETTER,
                               "dispatch to end of unloading, 90th percentile")) < 0)
    return m->m_deliv_p90;
  for (int a = 0; a < m->A; a++) {
    snprintf(name, sizeof name, "asset_utilisation.%s", sc->force[L->transport[a].force].id);
    DEF(m->m_asset, name, "1", 0, "share of the units' time on voyages, turnaround or rest");
  }
  for (int p = 0; p < (int)L->nport; p++) {
    snprintf(name, sizeof name, "berth_utilisation.%s", sc->place[L->port[p].place].id);
    DEF(m->m_berth, name, "1", 0, "mean busy berths over berths");
  }
  for (int a = 0; a < m->A; a++) {
    snprintf(name, sizeof name, "rest.%s", sc->force[L->transport[a].force].id);
    DEF(m->m_rest, name, "s", 0, "crew rest and maintenance taken by the class's units");
  }
  int tasks = 0;
  for (int c = 0; c < m->C; c++) tasks |= L->consumer[c].ntask > 0;
  for (int k = 0; k < m->K && tasks; k++) {
    snprintf(name, sizeof name, "returned.%s", L->commodity[k].id);
    DEF(m->m_returned, name, L->commodity[k].volume ? "m3" : "kg", METRIC_LOWER_BETTER,
        "brought back to a depot: the consumer's supply task was not running on arrival");
  }
  /* Per lane: what it delivered of each commodity, and how often it was the binding
   * lane (the report's map colours lanes by the first). */
  if (!(m->m_lane = calloc((size_t)m->nlane * m->K + 1, sizeof *m->m_lane)) ||
      !(m->m_lane_bneck = calloc((size_t)m->nlane + 1, sizeof *m->m_lane_bneck)))
    return ERR_NOMEM;
  for (int i = 0; i < m->nlane; i++)
    for (int k = 0; k < m->K; k++) {
      m->m_lane[i * m->K + k] = -1;
      if (!m->lane_k[i * m->K + k]) continue;
      snprintf(name, sizeof name, "lane_delivered.%s.%s", m->lane[i].name, L->commodity[k].id);
      if ((r = define(ms, name, L->commodity[k].volume ? "m3" : "kg", 0,
                      "delivered on this lane (depot>consumer/class)")) < 0)
        return r;
      m->m_lane[i * m->K + k] = r;
    }
  for (int i = 0; i < m->nlane; i++) {
    snprintf(name, sizeof name, "bottleneck.lane.%s", m->lane[i].name);
    if ((r = define(ms, name, "1", METRIC_LOWER_BETTER,
                    "plans short of the requirement where this lane bound")) < 0)
      return r;
    m->m_lane_bneck[i] = r;
  }
  m->nbneck = bneck_reach(m) + 1;
  if (!(m->bneck_metric = calloc((size_t)m->nbneck, sizeof *m->bneck_metric))) return ERR_NOMEM;
  uint64_t crossed = 0;
  for (int l = 0; l < m->nlane; l++) crossed |= m->lane[l].areas;
  for (int l = 0; l < m->nlane; l++)
    if (m->lane[l].moving && m->lane[l].jp && m->L->avoid_combat)
      crossed = ~(uint64_t)0; /* a moving consumer's leg may cross any */
  for (int b = 0; b < m->nbneck; b++) {
    m->bneck_metric[b] = -1;
    if (!bneck_possible(m, b, crossed)) continue;
    bneck_name(m, b, name, sizeof name);
    if ((r = define(ms, name, "1", METRIC_LOWER_BETTER, "plans short of the requirement where this bound")) < 0)
      return r;
    m->bneck_metric[b] = r;
  }
  for (int i = 0; i < BNECK_KINDS; i++) m->m_binding[i] = -1;
  for (int b = 0; b < m->nbneck; b++) {
    int kind = bneck_kind(m, b);
    if (m->bneck_metric[b] < 0 || m->m_binding[kind] >= 0) continue;
    snprintf(name, sizeof name, "binding.%s", bneck_kind_name[kind]);
    if ((r = define(ms, name, "1", METRIC_SERIES | METRIC_BINARY | METRIC_LOWER_BETTER,
                    "1 while the period's plan fell short where an element of this kind bound")) < 0)
      return r;
    m->m_binding[kind] = r;
  }
  if ((r = define_shares(m, ms))) return r;
  if ((m->m_plans = define(ms, "plans", "1", 0, "plans solved (min-cost flows or coupled LPs)")) < 0)
    return m->m_plans;
  if ((m->m_replans = define(ms, "replans", "1", METRIC_LOWER_BETTER, "plans forced by a closure or a combat area")) < 0)
    return m->m_replans;
#undef DEF
  return 0;
}

void log_model_free(log_model *m) {
  if (!m) return;
  for (int i = 0; m->lane && i < m->nlane; i++) geo_path_release(&m->lane[i].path);
  log__sea_close(&m->sea);
  free(m->hop), free(m->unreached);
  for (size_t i = 0; i < m->nall; i++) solver_set_free(m, m->all[i]);
  free(m->all);
  if (m->net)
    for (int k = 0; k < m->K; k++)
      free(m->net[k].lane), free(m->net[k].lane_arc), free(m->net[k].short_arc),
          free(m->net[k].excess_arc), free(m->net[k].dock_arc), free(m->net[k].land_arc);
  lpmap *p = &m->lp;
  free(p->xcol), free(p->ycol), free(p->scol), free(p->ecol), free(p->drow), free(p->crow);
  free(p->hrow), free(p->frow), free(p->brow);
  free(m->net), free(m->lane), free(m->lane_k), free(m->order), free(m->unit);
  free(m->port_of_place), free(m->dock_depot), free(m->dock_place), free(m->dock_rate);
  free(m->combat), free(m->combat_box), free(m->place_used), free(m->nation), free(m->land_place), free(m->land_consumer),
      free(m->land_rate), free(m->bneck_metric), free(m->m_lane);
  free(m->m_lane_bneck), free(m->m_by), free(m->m_jp_share);
  pthread_mutex_destroy(&m->lock);
  free(m);
}

int log_model_new(log_model **out, const scn_scenario *sc, metric_set *ms, diag *d) {
  *out = NULL;
  const scn_logistics *L = sc->logistics;
  if (!L) return 0;
  log_model *m = calloc(1, sizeof *m);
  if (!m) return ERR_NOMEM;
  pthread_mutex_init(&m->lock, NULL);
  m->sc = sc, m->L = L;
  m->K = (int)L->ncommodity, m->D = (int)L->ndepot, m->C = (int)L->nconsumer;
  m->A = (int)L->ntransport, m->P = (int)sc->nplace, m->NP = (int)L->nport;
  m->ntask = sc->plan ? (int)sc->plan->ntask : 0;
  m->nphase = sc->plan ? (int)sc->plan->nphase : 0;
  int err = ERR_NOMEM;
  m->order = calloc((size_t)m->K + 1, sizeof *m->order);
  m->unit = calloc((size_t)m->K + 1, sizeof *m->unit);
  m->port_of_place = calloc((size_t)m->P + 1, sizeof *m->port_of_place);
  m->place_used = calloc((size_t)m->P + 1, sizeof *m->place_used);
  m->combat = calloc(sc->nregion + 1, sizeof *m->combat);
  m->combat_box = calloc(4 * sc->nregion + 1, sizeof *m->combat_box);
  m->net = calloc((size_t)m->K + 1, sizeof *m->net);
  m->unreached = calloc((size_t)m->C + 1, sizeof *m->unreached);
  if (!m->order || !m->unit || !m->port_of_place || !m->place_used || !m->combat ||
      !m->combat_box || !m->net || !m->unreached)
    goto fail;
  for (int k = 0; k < m->K; k++) m->unit[k] = L->commodity[k].volume ? 1.0 : 1000.0;
  for (int p = 1, n = 0; p <= 9; p++) /* stable order by priority */
    for (int k = 0; k < m->K; k++)
      if (L->commodity[k].priority == p) m->order[n++] = k;
  for (int p = 0; p < m->P; p++) m->port_of_place[p] = -1;
  for (size_t i = 0; i < L->nport; i++) m->port_of_place[L->port[i].place] = (int)i;
  for (size_t r = 0; r < sc->nregion && m->ncombat < MAX_COMBAT; r++)
    if (strcmp(sc->region[r].kind, "combat_area") == 0) {
      const scn_region *g = &sc->region[r];
      double *box = &m->combat_box[4 * m->ncombat];
      box[0] = box[2] = INFINITY, box[1] = box[3] = -INFINITY;
      for (size_t i = 0; i < g->n; i++)
        box[0] = fmin(box[0], g->lat[i]), box[1] = fmax(box[1], g->lat[i]),
        box[2] = fmin(box[2], g->lon[i]), box[3] = fmax(box[3], g->lon[i]);
      m->combat[m->ncombat++] = (int)r;
    }
  for (int a = 0; a < m->A; a++) m->nunits += L->transport[a].count;
  if ((err = open_sea(m, d)) || (err = build_lanes(m)) || (err = check_reach(m, d)) ||
      (err = build_nets(m)))
    goto fail;
  assign_arcs(m);
  m->coupled = is_coupled(m);
  if (m->coupled && (err = build_lpmap(m))) goto fail;
  if ((err = define_metrics(m, ms))) goto fail;
  /* One solver set now, so the first replication finds it ready (and the LP once, to
   * know it can be built). */
  solver_set *s = pool_take(m);
  if (!s) { err = ERR_NOMEM; goto fail; }
  pool_give(m, s);
  if (m->coupled) {
    log_lp *lp = make_lp(m);
    if (!lp) { err = ERR_NOMEM; goto fail; }
    log_lp_free(lp);
  }
  *out = m;
  return 0;
fail:
  log_model_free(m);
  return err;
}

int log_lanes(const log_model *m) { return m->nlane; }

size_t log_lane_path(const log_model *m, int i, const double **lat, const double **lon) {
  *lat = m->lane[i].path.lat, *lon = m->lane[i].path.lon;
  return m->lane[i].path.n;
}

double log_lane_distance(const log_model *m, int i) { return m->lane[i].distance; }

int log_check(const scn_scenario *sc, diag *d) {
  if (!sc->logistics) return 0;
  metric_set scratch; /* the model defines its metrics; only its checks are wanted */
  metric_set_init(&scratch);
  log_model *m = NULL;
  int err = log_model_new(&m, sc, &scratch, d);
  metric_set_release(&scratch);
  if (m) log__sea_check_routes(&m->sea, sc, d);
  log_model_free(m);
  return err;
}
int64_t log_lane_cost(const log_model *m, int i) { return m->lane[i].cost; }
double log_unit(const log_model *m, int k) { return m->unit[k]; }
const char *log_lane_name(const log_model *m, int i) { return m->lane[i].name; }
int log_coupled(const log_model *m) { return m->coupled; }
int log_lane_carries(const log_model *m, int i, int k) { return m->lane_k[i * m->K + k]; }

void log_lane_describe(const log_model *m, int i, log_lane_info *out) {
  const lane *l = &m->lane[i];
  *out = (log_lane_info){l->consumer, l->from, l->to, m->L->transport[l->transport].air,
                         l->route, l->reverse, l->to_lat, l->to_lon};
}

/* ---- one replication -------------------------------------------------------------- */

typedef struct unit unit;
typedef struct log_run log_run;

struct unit {
  log_run *r;
  int transport;
  int busy;
  int at;             /* place where it is idle */
  int lane;           /* current voyage */
  double *qty;        /* [K] SI on board */
  double lat, lon;    /* where it is bound (or, alongside, where it met the consumer) */
  double t_dispatch, busy_since, busy_total;
  double t_leave;     /* left the loading place on this voyage */
  double underway;    /* s under way since the last rest */
  int berth;          /* port index held or waited for, -1 */
};

struct log_run {
  const log_model *m;
  sim *s;
  metric_out *out;
  solver_set *solvers;
  log_lp *lp;            /* the coupled LP (this replication's, this thread's) */
  rng_stream demand_rng, turn_rng;
  sim_level **depot;     /* [D * K] */
  sim_level **onhand;    /* [C * K] */
  sim_resource **berth;  /* [nport] */
  unit *unit;            /* [nunits] */
  int *closed;           /* [P] */
  uint64_t active;       /* combat areas now active (bit per model->combat) */
  double *transit_to;    /* [C * K] SI on the way */
  double *demanded, *served; /* [C * K] */
  double *initial, *inflow, *consumed, *in_transit, *delivered, *returned; /* [K] */
  double *shipped, *first_plan, *lane_deliv; /* [nlane * K] */
  double *first_cost;    /* [K], NaN until planned (network: per commodity) */
  double first_objective;/* all commodities, first plan; NaN until planned */
  double *dtime;         /* delivery times */
  size_t ndtime, capdtime;
  double dsum;
  size_t dcount;
  double *bneck;         /* [nbneck] */
  double *lane_bneck;    /* [nlane] */
  double *by_nation;     /* [nnation * C * K] SI delivered by each nation's transports */
  unsigned binding, binding_was; /* kinds that bound this period, and last period's */
  int binding_points;    /* binding series started (a point for every kind at t = 0) */
  double *rest;          /* [A] s rested */
  int *blocked;          /* [nlane] scratch of the planner: why a lane is closed, or -1 */
  int plans, replans;
  double *surge;         /* [C] demand multiplier now (crisis events and phases, `surge:`) */
  int *station;          /* [C] station (index in the consumer's list) in force, or -1 */
  int *task_on;          /* [ntask] plan task running now */
  double *lane_dist;     /* [nlane] one-way distance as planned now (moving consumers) */
  int64_t *lane_cost;    /* [nlane] */
  uint64_t *lane_areas;  /* [nlane] */
  int *assigned;         /* [nlane] units given a voyage in the current planning round */
  int *round;            /* [nunits] those units, dispatched when the round ends */
  int nround;
  double *xplan;         /* [nlane * K] the round's coupled plan, solver units */
  int *lane_order;       /* [nlane] lanes by planned voyages, most first (coupled plan) */
};

/* ---- where a consumer at sea is, and where a ship meets it ------------------------- */

static void consumer_pos(const log_run *r, int c, double t, double *lat, double *lon) {
  const scn_log_consumer *u = &r->m->L->consumer[c];
  if (r->station[c] >= 0) {
    *lat = u->station[r->station[c]].lat, *lon = u->station[r->station[c]].lon;
    return;
  }
  if (u->ntrack == 0) {
    *lat = u->lat, *lon = u->lon;
    return;
  }
  const scn_log_waypoint *w = u->track;
  size_t n = u->ntrack, i = 0;
  if (t <= w[0].t) { *lat = w[0].lat, *lon = w[0].lon; return; }
  if (t >= w[n - 1].t) { *lat = w[n - 1].lat, *lon = w[n - 1].lon; return; }
  while (i + 1 < n && w[i + 1].t < t) i++;
  double f = (t - w[i].t) / (w[i + 1].t - w[i].t);
  *lat = w[i].lat + f * (w[i + 1].lat - w[i].lat);
  *lon = w[i].lon + f * (w[i + 1].lon - w[i].lon);
}

/* Distance sailed from lat0/lon0 to lat/lon: over water from a depot's port (src >= 0,
 * lat0/lon0 its position), else the great circle (aircraft; a ship at sea following a
 * consumer that moved; a position the sea cannot reach, which check_reach rules out
 * for every track point and station). */
static double sea_distance(const log_model *m, int src, double lat0, double lon0, double lat,
                           double lon) {
  double d = src >= 0 ? geo_sea_distance(m->sea.sea, src, lat, lon) : INFINITY;
  return isfinite(d) ? d : geo_distance(lat0, lon0, lat, lon);
}

/* Where a unit leaving lat0/lon0 at t0 at `speed` meets consumer c: the fixed point of
 * T = t0 + |from - pos(T)| / speed, a contraction while the consumer is slower than the
 * ship (iterated from T = t0; docs/models.md).  Returns the distance sailed. */
static double intercept(const log_run *r, int c, int src, double lat0, double lon0, double t0,
                        double speed, double *lat, double *lon) {
  double T = t0, d = 0;
  for (int i = 0; i < INTERCEPT_ITER; i++) {
    consumer_pos(r, c, T, lat, lon);
    d = sea_distance(r->m, src, lat0, lon0, *lat, *lon);
    double next = t0 + d / speed;
    if (fabs(next - T) < 1) break;
    T = next;
  }
  return d;
}

/* Whether a lane may deliver under its consumer's plan tasks (`task:`): a task gates the
 * classes of the nation that owns it -- Japanese law gates Japanese support, so a JP
 * task stops JP transports while US ones go on supplying (docs/models.md). */
static int lane_authorised(const log_run *r, int li) {
  const log_model *m = r->m;
  const lane *l = &m->lane[li];
  if (!l->gated) return 1;
  const scn_log_consumer *u = &m->L->consumer[l->consumer];
  for (size_t i = 0; i < u->ntask; i++) {
    int t = u->task[i];
    const char *owner = t >= 0 && t < m->ntask ? m->sc->plan->task[t].owner : NULL;
    if (owner && r->task_on[t] && strcmp(owner, m->nation[l->nation]) == 0)
      return 1;
  }
  return 0;
}

/* A consumer is planned for while some lane to it may deliver (or it follows no task). */
static int consumer_authorised(const log_run *r, int c) {
  if (r->m->L->consumer[c].ntask == 0) return 1;
  for (int i = 0; i < r->m->nlane; i++)
    if (r->m->lane[i].consumer == c && lane_authorised(r, i)) return 1;
  return 0;
}

static int class_base(const log_run *r, int a) {
  int base = 0;
  for (int t = 0; t < a; t++) base += r->m->L->transport[t].count;
  return base;
}

static int unit_index_of_lane_class(const log_run *r, int a, int from) {
  /* An idle unit of class a, preferring one already at `from`. */
  int any = -1, base = class_base(r, a);
  for (int i = base; i < base + r->m->L->transport[a].count; i++)
    if (!r->unit[i].busy) {
      if (r->unit[i].at == from) return i;
      if (any < 0) any = i;
    }
  return any;
}

static int idle_units(const log_run *r, int a) {
  int base = class_base(r, a), n = 0;
  for (int i = base; i < base + r->m->L->transport[a].count; i++) n += !r->unit[i].busy;
  return n;
}

/* Whether a lane may be used now.  The restriction on JP assets lives here: when
 * plan/ publishes where its authorities allow support, ask it instead of `active`. */
static int lane_blocked(const log_run *r, int li, int *why) {
  const log_model *m = r->m;
  const lane *l = &m->lane[li];
  const scn_log_transport *t = &m->L->transport[l->transport];
  if (r->closed[l->from]) return *why = bneck_place(m, l->from), 1;
  if (l->to >= 0 && r->closed[l->to]) return *why = bneck_place(m, l->to), 1;
  if (!lane_authorised(r, li)) return *why = bneck_authority(m, l->consumer), 1;
  uint64_t hit = r->lane_areas[li] & r->active;
  if (m->L->avoid_combat && hit && l->jp) {
    int i = 0;
    while (!(hit & ((uint64_t)1 << i))) i++;
    return *why = bneck_area(m, i), 1;
  }
  /* Endurance: out, unload a full load, back, within what one voyage may last. */
  if (2 * r->lane_dist[li] / t->speed + l->unload_full > t->endurance)
    return *why = bneck_endurance(m, l->transport), 1;
  return 0;
}

/* Withdrawals here never wait: the amount is there (the planner counted it). */
static void taken(sim *s, void *ctx) { (void)s, (void)ctx; }

static void voyage_load(sim *s, void *ctx);
static void voyage_loaded(sim *s, void *ctx);
static void voyage_depart(sim *s, void *ctx);
static void voyage_unload(sim *s, void *ctx);
static void voyage_unloaded(sim *s, void *ctx);
static void voyage_returned(sim *s, void *ctx);
static void voyage_ready(sim *s, void *ctx);

/* From place a to place b (a depot's port): over water for ships where the sea knows
 * the way, else the great circle. */
static double place_distance(const log_model *m, int a, int b, int air) {
  const scn_scenario *sc = m->sc;
  double d = !air && m->hop ? m->hop[(size_t)a * m->P + b] : NAN;
  return isfinite(d) ? d : geo_distance(sc->place[a].lat, sc->place[a].lon, sc->place[b].lat, sc->place[b].lon);
}

/* Give an idle unit of the lane's class (one already at the loading place first) a
 * voyage on the lane in this planning round; -1 when none is idle. */
static int assign_unit(log_run *r, int li) {
  const lane *l = &r->m->lane[li];
  int i = unit_index_of_lane_class(r, l->transport, l->from);
  if (i < 0) return -1;
  unit *u = &r->unit[i];
  u->busy = 1, u->lane = li;
  for (int k = 0; k < r->m->K; k++) u->qty[k] = 0;
  u->t_dispatch = u->busy_since = sim_now(r->s);
  r->assigned[li]++;
  r->round[r->nround++] = i;
  return i;
}

/* Room left on a unit for commodity k, SI: its own hold, or the share of a shared
 * hold that the cargo on board leaves (in whole solver units). */
static double unit_room(const log_run *r, const unit *u, int k) {
  const log_model *m = r->m;
  const scn_log_transport *t = &m->L->transport[u->transport];
  double cap = floor(t->capacity[k] / m->unit[k]) * m->unit[k];
  if (!t->shared_hold) return cap - u->qty[k];
  double used = 0;
  for (int j = 0; j < m->K; j++)
    if (u->qty[j] > 0) used += u->qty[j] / (floor(t->capacity[j] / m->unit[j]) * m->unit[j]);
  double room = (1 - used) * cap;
  room = floor(room / m->unit[k] + 1e-9) * m->unit[k];
  return room > 0 ? room : 0;
}

/* Put qty of commodity k on unit i (its lane's depot gives it now, so the next plan
 * does not count it twice). */
static void load_unit(log_run *r, int i, int k, double qty) {
  const log_model *m = r->m;
  unit *u = &r->unit[i];
  const lane *l = &m->lane[u->lane];
  sim_level_get(r->depot[l->depot * m->K + k], qty, taken, NULL);
  u->qty[k] += qty;
  r->in_transit[k] += qty;
  r->transit_to[l->consumer * m->K + k] += qty;
  r->shipped[u->lane * m->K + k] += qty;
}

/* Ship `amount` (SI) of k on lane li: fill the units already given this lane in the
 * round, then idle ones.  Returns what found no unit. */
static double ship_on_lane(log_run *r, int li, int k, double amount) {
  /* Never more than the depot holds: the LP's amounts, rounded, may exceed it by a
   * millionth of a unit, and a withdrawal the level cannot meet would wait forever. */
  const sim_level *stock = r->depot[r->m->lane[li].depot * r->m->K + k];
  double lost = amount - fmin(amount, sim_level_amount(stock));
  amount -= lost;
  for (int j = 0; j < r->nround && amount > 0; j++) {
    unit *u = &r->unit[r->round[j]];
    if (u->lane != li) continue;
    double q = fmin(amount, unit_room(r, u, k));
    if (q > 0) load_unit(r, r->round[j], k, q), amount -= q;
  }
  while (amount > 1e-9) {
    int i = assign_unit(r, li);
    if (i < 0) break;
    double q = fmin(amount, unit_room(r, &r->unit[i], k));
    if (!(q > 0)) break;
    load_unit(r, i, k, q);
    amount -= q;
  }
  amount += lost > 1e-6 * r->m->unit[k] ? lost : 0;
  return amount > 1e-9 ? amount : 0;
}

/* The round is planned: every unit given a voyage sails (after repositioning). */
static void launch_round(log_run *r) {
  const log_model *m = r->m;
  for (int j = 0; j < r->nround; j++) {
    unit *u = &r->unit[r->round[j]];
    const lane *l = &m->lane[u->lane];
    r->assigned[u->lane] = 0;
    /* Ships do not sail half empty: top up each commodity on board from the depot
     * (after the whole round is planned, so planned loads come first). */
    for (int i = 0; i < m->K && m->L->full_loads; i++) {
      int k = m->order[i];
      if (!(u->qty[k] > 0)) continue;
      double avail = floor(sim_level_amount(r->depot[l->depot * m->K + k]) / m->unit[k]) * m->unit[k];
      double top = fmin(unit_room(r, u, k), avail);
      if (top > 0) load_unit(r, r->round[j], k, top);
    }
    double speed = m->L->transport[u->transport].speed;
    double reposition =
        u->at == l->from ? 0 : place_distance(m, u->at, l->from, m->L->transport[u->transport].air) / speed;
    u->underway += reposition;
    if (sim_after(r->s, reposition, voyage_load, u)) sim_fail(r->s, ERR_LIMIT);
  }
  r->nround = 0;
}

/* Hours to load (rates of the loading side) or unload everything on board. */
static double handling_time(const unit *u, const double *rate, int K) {
  double t = 0;
  for (int k = 0; k < K; k++)
    if (u->qty[k] > 0) t += u->qty[k] / rate[k];
  return t;
}

static void berth_or_go(unit *u, int place, sim_handler granted) {
  log_run *r = u->r;
  int p = place >= 0 ? r->m->port_of_place[place] : -1;
  u->berth = p;
  if (p < 0) {
    granted(r->s, u);
    return;
  }
  if (sim_request(r->berth[p], granted, u)) sim_fail(r->s, ERR_LIMIT);
}

static void voyage_load(sim *s, void *ctx) {
  (void)s;
  unit *u = ctx;
  berth_or_go(u, u->r->m->lane[u->lane].from, voyage_loaded);
}

static void voyage_loaded(sim *s, void *ctx) {
  unit *u = ctx;
  const scn_log_transport *t = &u->r->m->L->transport[u->transport];
  if (sim_after(s, handling_time(u, t->load_rate, u->r->m->K), voyage_depart, u))
    sim_fail(s, ERR_LIMIT);
}

/* Loading done: free the berth, sail to the consumer (to where it will be). */
static void voyage_depart(sim *s, void *ctx) {
  unit *u = ctx;
  log_run *r = u->r;
  const lane *l = &r->m->lane[u->lane];
  double speed = r->m->L->transport[u->transport].speed, leg = l->distance;
  if (u->berth >= 0) sim_release(r->berth[u->berth]);
  u->berth = -1;
  u->t_leave = sim_now(s);
  u->lat = l->to_lat, u->lon = l->to_lon;
  if (l->to < 0) {
    const scn_place *p = &r->m->sc->place[l->from];
    leg = intercept(r, l->consumer, l->src, p->lat, p->lon, sim_now(s), speed, &u->lat, &u->lon);
  }
  if (sim_after(s, leg / speed, voyage_unload, u)) sim_fail(s, ERR_LIMIT);
}

/* Cargo brought back when the consumer's supply task is not running on arrival goes
 * back into the depot's stock. */
static void voyage_brought_back(sim *s, void *ctx) {
  unit *u = ctx;
  log_run *r = u->r;
  const log_model *m = r->m;
  const lane *l = &m->lane[u->lane];
  for (int k = 0; k < m->K; k++) {
    double q = u->qty[k];
    if (!(q > 0)) continue;
    sim_level_put(r->depot[l->depot * m->K + k], q);
    r->in_transit[k] -= q;
    r->returned[k] += q;
    u->qty[k] = 0;
  }
  voyage_returned(s, u);
}

static void sail_home(unit *u, sim_handler then) {
  log_run *r = u->r;
  const lane *l = &r->m->lane[u->lane];
  const scn_place *p = &r->m->sc->place[l->from];
  double back = l->to >= 0 ? l->distance : sea_distance(r->m, l->src, p->lat, p->lon, u->lat, u->lon);
  if (sim_after(r->s, back / r->m->L->transport[u->transport].speed, then, u))
    sim_fail(r->s, ERR_LIMIT);
}

static void voyage_unload(sim *s, void *ctx) {
  unit *u = ctx;
  log_run *r = u->r;
  const log_model *m = r->m;
  const lane *l = &m->lane[u->lane];
  if (l->to < 0 && l->moving) {
    /* The consumer took up a new station while we sailed: follow it there. */
    double lat, lon;
    consumer_pos(r, l->consumer, sim_now(s), &lat, &lon);
    if (geo_distance(u->lat, u->lon, lat, lon) > MEET_TOLERANCE) {
      double speed = m->L->transport[u->transport].speed;
      double leg = intercept(r, l->consumer, -1, u->lat, u->lon, sim_now(s), speed, &lat, &lon);
      u->lat = lat, u->lon = lon;
      if (sim_after(s, leg / speed, voyage_unload, u)) sim_fail(s, ERR_LIMIT);
      return;
    }
  }
  if (!lane_authorised(r, u->lane)) { /* its supply task stopped: take it home */
    for (int k = 0; k < m->K; k++) r->transit_to[l->consumer * m->K + k] -= u->qty[k];
    sail_home(u, voyage_brought_back);
    return;
  }
  if (l->to >= 0 && r->closed[l->to]) { /* wait off a closed port or airfield */
    if (sim_after(s, POLL_CLOSED, voyage_unload, u)) sim_fail(s, ERR_LIMIT);
    return;
  }
  berth_or_go(u, l->to, voyage_unloaded);
}

static void deliver(sim *s, void *ctx);

static void voyage_unloaded(sim *s, void *ctx) {
  unit *u = ctx;
  const scn_log_transport *t = &u->r->m->L->transport[u->transport];
  if (sim_after(s, handling_time(u, t->unload_rate, u->r->m->K), deliver, u))
    sim_fail(s, ERR_LIMIT);
}

static void deliver(sim *s, void *ctx) {
  unit *u = ctx;
  log_run *r = u->r;
  const log_model *m = r->m;
  const lane *l = &m->lane[u->lane];
  if (u->berth >= 0) sim_release(r->berth[u->berth]);
  u->berth = -1;
  for (int k = 0; k < m->K; k++) {
    double q = u->qty[k];
    if (q <= 0) continue;
    sim_level_put(r->onhand[l->consumer * m->K + k], q);
    r->in_transit[k] -= q;
    r->transit_to[l->consumer * m->K + k] -= q;
    r->delivered[k] += q;
    r->lane_deliv[u->lane * m->K + k] += q;
    r->by_nation[(l->nation * m->C + l->consumer) * m->K + k] += q;
    u->qty[k] = 0;
  }
  double dt = sim_now(s) - u->t_dispatch;
  r->dsum += dt, r->dcount++;
  if (r->ndtime < r->capdtime) r->dtime[r->ndtime++] = dt;
  sail_home(u, voyage_returned);
}

/* Back at the loading place: turnaround, and the crew's rest once it is due. */
static void voyage_returned(sim *s, void *ctx) {
  unit *u = ctx;
  log_run *r = u->r;
  const scn_log_transport *t = &r->m->L->transport[u->transport];
  u->at = r->m->lane[u->lane].from;
  u->underway += sim_now(s) - u->t_leave;
  double turn = dist_sample(&t->turnaround, &r->turn_rng);
  turn = turn > 0 ? turn : 0;
  if (u->underway >= t->rest_after) {
    turn += t->rest_for;
    r->rest[u->transport] += t->rest_for;
    u->underway = 0;
  }
  if (sim_after(s, turn, voyage_ready, u)) sim_fail(s, ERR_LIMIT);
}

static void voyage_ready(sim *s, void *ctx) {
  unit *u = ctx;
  u->busy = 0;
  u->busy_total += sim_now(s) - u->busy_since;
}

/* ---- planning ------------------------------------------------------------------------ */

/* A consumer's requirement of k now, in solver units: up to its target, less what it
 * holds and what is on the way (docs/models.md). */
static int64_t requirement(const log_run *r, int c, int k) {
  const log_model *m = r->m;
  const scn_log_consumer *u = &m->L->consumer[c];
  double rate = dist_mean(&u->demand[k]) * r->surge[c];
  double gap = rate * u->target - sim_level_amount(r->onhand[c * m->K + k]) -
               r->transit_to[c * m->K + k];
  return gap > 0 ? (int64_t)ceil(gap / m->unit[k] - 1e-9) : 0;
}

/* Lanes to a moving consumer end where a unit leaving now would meet it. */
static void update_lanes(log_run *r) {
  const log_model *m = r->m;
  for (int i = 0; i < m->nlane; i++) {
    const lane *l = &m->lane[i];
    if (!l->moving) continue;
    const scn_place *p = &m->sc->place[l->from];
    double speed = m->L->transport[l->transport].speed, lat, lon;
    double d = intercept(r, l->consumer, l->src, p->lat, p->lon, sim_now(r->s), speed, &lat, &lon);
    r->lane_dist[i] = d;
    r->lane_cost[i] = minutes_cost(d, speed);
    /* Only JP classes avoid combat areas: the others' crossings are never asked. */
    r->lane_areas[i] = l->jp && m->L->avoid_combat ? leg_areas(m, p->lat, p->lon, lat, lon, d) : 0;
  }
}

/* Berth-hours of a loading place in one period, in solver units of k at the fastest
 * loading rate there (the dock arc's capacity), or LOG_FLOW_INF without a berth limit. */
static int64_t dock_capacity(const log_model *m, int j, int k) {
  int q = m->port_of_place[m->dock_place[j]];
  double rate = m->dock_rate[j * m->K + k];
  if (q < 0 || !(rate > 0)) return LOG_FLOW_INF;
  return (int64_t)floor(m->L->port[q].berths * m->L->period * rate / m->unit[k]);
}

/* Berth-hours of a delivery port in one period for one consumer, in solver units of k
 * at the fastest unloading rate there (the landing arc's capacity). */
static int64_t land_capacity(const log_model *m, int j, int k) {
  int q = m->port_of_place[m->land_place[j]];
  double rate = m->land_rate[j * m->K + k];
  if (q < 0 || !(rate > 0)) return LOG_FLOW_INF;
  return (int64_t)floor(m->L->port[q].berths * m->L->period * rate / m->unit[k]);
}

/* The binding constraint of a network plan with unmet requirement: the full lane (or
 * loading or delivery place's berths) whose reduced cost is most negative (one more unit of its
 * capacity would save the most), a blocked lane, or a depot whose stock was shipped.
 * *which_lane: the lane, or -1. */
static int find_bottleneck(const log_run *r, int k, const log_flow *f, const int *blocked_why,
                           int *which_lane) {
  const log_model *m = r->m;
  const knet *n = &m->net[k];
  double best = 0;
  int which = -1;
  *which_lane = -1;
  for (int i = 0; i < n->nlane; i++) {
    const lane *l = &m->lane[n->lane[i]];
    int arc = n->lane_arc[i];
    if (log_flow_flow(f, arc) < log_flow_capacity(f, arc)) continue;
    double rc = (double)log_flow_cost(f, arc) + (double)log_flow_potential(f, node_dock(m, l->dock)) -
                (double)log_flow_potential(f, node_head(m, l));
    if (rc < best) {
      best = rc;
      which = blocked_why[i] >= 0 ? blocked_why[i] : bneck_asset(m, l->transport);
      *which_lane = n->lane[i];
    }
  }
  for (int j = 0; j < m->ndock; j++) {
    int arc = n->dock_arc[j];
    if (log_flow_capacity(f, arc) == LOG_FLOW_INF || log_flow_flow(f, arc) < log_flow_capacity(f, arc))
      continue;
    double rc = (double)log_flow_potential(f, node_depot(m, m->dock_depot[j])) -
                (double)log_flow_potential(f, node_dock(m, j));
    if (rc < best)
      best = rc, which = bneck_berth(m, m->port_of_place[m->dock_place[j]]), *which_lane = -1;
  }
  for (int j = 0; j < m->nland; j++) {
    int arc = n->land_arc[j];
    if (log_flow_capacity(f, arc) == LOG_FLOW_INF || log_flow_flow(f, arc) < log_flow_capacity(f, arc))
      continue;
    double rc = (double)log_flow_potential(f, node_landing(m, j)) -
                (double)log_flow_potential(f, node_consumer(m, m->land_consumer[j]));
    if (rc < best)
      best = rc, which = bneck_berth(m, m->port_of_place[m->land_place[j]]), *which_lane = -1;
  }
  if (which >= 0) return which;
  for (int d = 0; d < m->D; d++)
    if (log_flow_flow(f, n->excess_arc[d]) == 0 &&
        sim_level_amount(r->depot[d * m->K + k]) >= m->unit[k])
      return bneck_depot(m, d);
  for (int d = 0; d < m->D; d++)
    if (log_flow_flow(f, n->excess_arc[d]) == 0) return bneck_depot(m, d);
  return bneck_reach(m);
}

static void count_bottleneck(log_run *r, int element, int li) {
  r->bneck[element] += 1;
  r->binding |= 1u << bneck_kind(r->m, element);
  if (li >= 0) r->lane_bneck[li] += 1;
}

/* Requirement of consumers whose supply task is not running: not planned, but part of
 * the backlog, and their authority is the bottleneck. */
static double unauthorised(log_run *r, int k, int count) {
  double q = 0;
  for (int c = 0; c < r->m->C; c++) {
    if (consumer_authorised(r, c)) continue;
    int64_t need = requirement(r, c, k);
    q += (double)need * r->m->unit[k];
    if (count && need > 0) count_bottleneck(r, bneck_authority(r->m, c), -1);
  }
  return q;
}

static void plan_commodity(log_run *r, int k, int count_bottleneck_) {
  const log_model *m = r->m;
  const knet *n = &m->net[k];
  log_flow *f = r->solvers->flow[k];
  double unit_si = m->unit[k];
  int64_t need = 0, have = 0;
  int *blocked_why = r->blocked;
  for (int d = 0; d < m->D; d++) {
    int64_t a = (int64_t)floor(sim_level_amount(r->depot[d * m->K + k]) / unit_si);
    log_flow_set_supply(f, node_depot(m, d), a);
    have += a;
  }
  for (int c = 0; c < m->C; c++) {
    int64_t q = consumer_authorised(r, c) ? requirement(r, c, k) : 0;
    log_flow_set_supply(f, node_consumer(m, c), -q);
    need += q;
  }
  log_flow_set_supply(f, 0, need);
  log_flow_set_supply(f, 1, -have);
  for (int j = 0; j < m->ndock; j++) log_flow_set_capacity(f, n->dock_arc[j], dock_capacity(m, j, k));
  for (int j = 0; j < m->nland; j++) log_flow_set_capacity(f, n->land_arc[j], land_capacity(m, j, k));
  for (int i = 0; i < n->nlane; i++) {
    int li = n->lane[i];
    const lane *l = &m->lane[li];
    blocked_why[i] = -1;
    int64_t lift = 0;
    if (!lane_blocked(r, li, &blocked_why[i]))
      lift = (int64_t)(idle_units(r, l->transport) + r->assigned[li]) *
             (int64_t)floor(m->L->transport[l->transport].capacity[k] / unit_si);
    log_flow_set_capacity(f, n->lane_arc[i], lift);
    if (l->moving) log_flow_set_cost(f, n->lane_arc[i], r->lane_cost[li]);
  }
  if (log_flow_solve(f) != LOG_FLOW_OPTIMAL) {
    sim_fail(r->s, ERR_RANGE); /* cannot happen: S -> X keeps it feasible */
    return;
  }
  r->plans++;
  if (isnan(r->first_cost[k])) {
    r->first_cost[k] = log_flow_total_cost(f);
    r->first_objective = (isnan(r->first_objective) ? 0 : r->first_objective) + r->first_cost[k];
    for (int i = 0; i < n->nlane; i++)
      r->first_plan[n->lane[i] * m->K + k] = (double)log_flow_flow(f, n->lane_arc[i]) * unit_si;
  }
  int64_t unmet = 0;
  for (int c = 0; c < m->C; c++) unmet += log_flow_flow(f, n->short_arc[c]);
  int starved = -1, starved_lane = -1; /* a class that ran out of units for its planned flow */
  double backlog = (double)unmet * unit_si + unauthorised(r, k, count_bottleneck_);
  for (int i = 0; i < n->nlane; i++) {
    double left = ship_on_lane(r, n->lane[i], k, (double)log_flow_flow(f, n->lane_arc[i]) * unit_si);
    backlog += left;
    if (left > 0 && starved < 0) starved = m->lane[n->lane[i]].transport, starved_lane = n->lane[i];
  }
  if (count_bottleneck_ && unmet > 0) {
    int li;
    int b = find_bottleneck(r, k, f, blocked_why, &li);
    count_bottleneck(r, b, li);
  } else if (count_bottleneck_ && starved >= 0) {
    count_bottleneck(r, bneck_asset(m, starved), starved_lane);
  }
  if (count_bottleneck_) metric_point_add(r->out, m->m_backlog + k, sim_now(r->s), backlog);
}

/* The binding constraint of a coupled plan, for commodity k: the lane whose capacity
 * is worth most per unit of k (lambda_depot + lambda_consumer - cost, the saving if the
 * lane could carry one more unit), named by what limits it: the reason it is blocked,
 * its loading or delivery port's berths, or its class's lift; else a depot, else "no lane". */
static int lp_bottleneck(const log_run *r, int k, int *which_lane) {
  const log_model *m = r->m;
  const lpmap *p = &m->lp;
  const log_lp *lp = r->lp;
  double best = 1e-6;
  int which = -1;
  *which_lane = -1;
  for (int i = 0; i < m->nlane; i++) {
    int x = p->xcol[i * m->K + k];
    if (x < 0) continue;
    const lane *l = &m->lane[i];
    double value = log_lp_row_dual(lp, p->drow[k * m->D + l->depot]) +
                   log_lp_row_dual(lp, p->crow[k * m->C + l->consumer]) - (double)r->lane_cost[i];
    if (!(value > best)) continue;
    best = value, *which_lane = i;
    /* The berths' part of the saving: the row dual times the lane's berth-hours per
     * unit there (loading at q, unloading at qd). */
    const scn_log_transport *t = &m->L->transport[l->transport];
    int q = m->port_of_place[l->from], qd = l->land >= 0 ? m->port_of_place[l->to] : -1;
    double load_h = m->unit[k] / t->load_rate[k] / 3600;
    double unload_h = m->unit[k] / t->unload_rate[k] / 3600;
    double berth = q >= 0 && p->brow[q] >= 0
                       ? fabs(log_lp_row_dual(lp, p->brow[q])) * (load_h + (qd == q ? unload_h : 0))
                       : 0;
    double berth_d = qd >= 0 && qd != q && p->brow[qd] >= 0
                         ? fabs(log_lp_row_dual(lp, p->brow[qd])) * unload_h : 0;
    if (berth_d > berth) berth = berth_d, q = qd;
    if (r->blocked[i] >= 0) which = r->blocked[i];
    else if (berth > 0.5 * value) which = bneck_berth(m, q);
    else which = bneck_asset(m, l->transport);
  }
  if (which >= 0) return which;
  for (int d = 0; d < m->D; d++)
    if (log_lp_value(lp, p->ecol[k * m->D + d]) < 0.5 &&
        sim_level_amount(r->depot[d * m->K + k]) >= m->unit[k])
      return bneck_depot(m, d);
  for (int d = 0; d < m->D; d++)
    if (log_lp_value(lp, p->ecol[k * m->D + d]) < 0.5) return bneck_depot(m, d);
  return bneck_reach(m);
}

/* One coupled LP for every commodity (docs/models.md "The coupled LP"). */
static void plan_coupled(log_run *r, int count) {
  const log_model *m = r->m;
  const lpmap *p = &m->lp;
  log_lp *lp = r->lp;
  int K = m->K;
  for (int k = 0; k < K; k++) {
    for (int d = 0; d < m->D; d++) {
      double a = floor(sim_level_amount(r->depot[d * K + k]) / m->unit[k]);
      log_lp_set_row(lp, p->drow[k * m->D + d], a, a);
    }
    for (int c = 0; c < m->C; c++) {
      double q = consumer_authorised(r, c) ? (double)requirement(r, c, k) : 0;
      log_lp_set_row(lp, p->crow[k * m->C + c], q, q);
    }
  }
  for (int a = 0; a < m->A; a++) log_lp_set_row(lp, p->frow[a], -INFINITY, idle_units(r, a));
  for (int q = 0; q < m->NP; q++)
    if (p->brow[q] >= 0)
      log_lp_set_row(lp, p->brow[q], -INFINITY, m->L->port[q].berths * m->L->period / 3600);
  for (int i = 0; i < m->nlane; i++) {
    const lane *l = &m->lane[i];
    r->blocked[i] = -1;
    int open = !lane_blocked(r, i, &r->blocked[i]);
    for (int k = 0; k < K; k++)
      if (p->xcol[i * K + k] >= 0)
        log_lp_set_col(lp, p->xcol[i * K + k], 0, open ? INFINITY : 0, (double)r->lane_cost[i]);
    log_lp_set_col(lp, p->ycol[i], 0, open ? idle_units(r, l->transport) : 0, 0);
  }
  if (log_lp_run(lp)) {
    sim_fail(r->s, ERR_RANGE); /* cannot happen: x = 0 is always feasible */
    return;
  }
  r->plans++;
  int first = isnan(r->first_objective);
  if (first) r->first_objective = log_lp_objective(lp);
  /* Amounts rounded to a millionth of a unit: the simplex's last digits are noise. */
  for (int i = 0; i < m->nlane; i++)
    for (int k = 0; k < K; k++) {
      int x = p->xcol[i * K + k];
      double v = x >= 0 ? floor(log_lp_value(lp, x) * 1e6 + 0.5) / 1e6 : 0;
      r->xplan[i * K + k] = v > 0 ? v : 0;
      if (first) r->first_plan[i * K + k] = r->xplan[i * K + k] * m->unit[k];
    }
  /* Voyages are continuous in the LP: give units to the lanes with the most planned
   * voyages first, so a fraction left when the class runs out is the smallest part. */
  int *ord = r->lane_order;
  for (int i = 0; i < m->nlane; i++) {
    double yi = log_lp_value(lp, p->ycol[i]);
    int j = i;
    while (j > 0 && log_lp_value(lp, p->ycol[ord[j - 1]]) < yi) ord[j] = ord[j - 1], j--;
    ord[j] = i;
  }
  for (int j = 0; j < K; j++) {
    int k = m->order[j];
    double unmet = 0, rest = 0;
    for (int c = 0; c < m->C; c++) unmet += log_lp_value(lp, p->scol[k * m->C + c]);
    int starved = -1, starved_lane = -1;
    for (int o = 0; o < m->nlane; o++) {
      int i = ord[o];
      double q = r->xplan[i * K + k] * m->unit[k];
      if (!(q > 0)) continue;
      double l = ship_on_lane(r, i, k, q);
      rest += l;
      if (l > 0 && starved < 0) starved = m->lane[i].transport, starved_lane = i;
    }
    double backlog = unmet * m->unit[k] + rest + unauthorised(r, k, count);
    if (count && unmet > 0.5) {
      int li, b = lp_bottleneck(r, k, &li);
      count_bottleneck(r, b, li);
    } else if (count && starved >= 0) {
      count_bottleneck(r, bneck_asset(m, starved), starved_lane);
    }
    if (count) metric_point_add(r->out, m->m_backlog + k, sim_now(r->s), backlog);
  }
}

/* The binding.<kind> series: a point for every kind at the first period, then only
 * when a kind starts or stops binding (the report reads series as step functions). */
static void binding_series(log_run *r) {
  const log_model *m = r->m;
  for (int i = 0; i < BNECK_KINDS; i++) {
    unsigned bit = 1u << i;
    if (m->m_binding[i] < 0 || (r->binding_points && !((r->binding ^ r->binding_was) & bit)))
      continue;
    metric_point_add(r->out, m->m_binding[i], sim_now(r->s), (r->binding & bit) != 0);
  }
  r->binding_points = 1;
  r->binding_was = r->binding;
}

static void plan_all(log_run *r, int regular) {
  update_lanes(r);
  r->binding = 0;
  if (r->m->coupled) plan_coupled(r, regular);
  else
    for (int i = 0; i < r->m->K; i++) plan_commodity(r, r->m->order[i], regular);
  if (regular) binding_series(r);
  launch_round(r);
}

/* Once a period: consumption of the past period, replenishment, series, plan. */
static void period_tick(sim *s, void *ctx) {
  log_run *r = ctx;
  const log_model *m = r->m;
  const scn_logistics *L = m->L;
  double T = L->period, now = sim_now(s);
  if (now > 0) {
    for (int c = 0; c < m->C; c++)
      for (int k = 0; k < m->K; k++) {
        if (L->consumer[c].demand[k].kind == DIST_FIXED && L->consumer[c].demand[k].a == 0) continue;
        double rate = dist_sample(&L->consumer[c].demand[k], &r->demand_rng);
        double want = (rate > 0 ? rate : 0) * r->surge[c] * T;
        sim_level *lv = r->onhand[c * m->K + k];
        double take = fmin(want, sim_level_amount(lv));
        if (take > 0) sim_level_get(lv, take, taken, NULL);
        r->demanded[c * m->K + k] += want;
        r->served[c * m->K + k] += take;
        r->consumed[k] += take;
      }
    for (int d = 0; d < m->D; d++)
      for (int k = 0; k < m->K; k++) {
        double in = L->depot[d].replenish[k] * T;
        if (in > 0) sim_level_put(r->depot[d * m->K + k], in), r->inflow[k] += in;
      }
  }
  for (int c = 0; c < m->C; c++)
    for (int k = 0; k < m->K; k++) {
      double rate = dist_mean(&L->consumer[c].demand[k]) * r->surge[c];
      if (rate <= 0) continue;
      double dos = sim_level_amount(r->onhand[c * m->K + k]) / (rate * 86400);
      metric_point_add(r->out, m->m_dos + c * m->K + k, now, dos);
    }
  plan_all(r, 1);
  if (now + T <= m->sc->horizon && sim_after(s, T, period_tick, r)) sim_fail(s, ERR_LIMIT);
}

/* A closure or an area becoming active changes what the plan may use: re-plan now. */
static void on_site(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  log_run *r = ctx;
  if (sig->place < 0 || sig->place >= r->m->P) return;
  r->closed[sig->place] = !sig->open;
  if (!sig->open && r->m->place_used[sig->place]) r->replans++, plan_all(r, 0);
}

/* A crisis event can raise consumers' demand (`surge:`); the next plan sees it. */
static void on_event(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  log_run *r = ctx;
  for (int c = 0; c < r->m->C; c++) {
    const scn_log_consumer *u = &r->m->L->consumer[c];
    for (size_t i = 0; i < u->nsurge; i++)
      if (u->surge[i].event >= 0 && u->surge[i].event == sig->event) r->surge[c] *= u->surge[i].factor;
  }
}

/* A plan phase can raise demand (`surge: [{phase: ...}]`) and move consumers at sea to
 * a new station (`stations:`); the next plan sees both. */
static void on_phase(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  log_run *r = ctx;
  for (int c = 0; c < r->m->C; c++) {
    const scn_log_consumer *u = &r->m->L->consumer[c];
    for (size_t i = 0; i < u->nsurge; i++)
      if (u->surge[i].phase >= 0 && u->surge[i].phase == sig->phase) r->surge[c] *= u->surge[i].factor;
    for (size_t i = 0; i < u->nstation; i++)
      if (u->station[i].phase == sig->phase) r->station[c] = (int)i;
  }
}

/* A supply task started or stopped: consumers linked to it are (not) supplied.  A task
 * that starts plans at once (the consumer may have waited); one that stops does not
 * need to (its lanes close at the next plan; ships under way bring the cargo back). */
static void on_task(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  log_run *r = ctx;
  if (sig->task < 0 || sig->task >= r->m->ntask) return;
  int was = r->task_on[sig->task];
  r->task_on[sig->task] = sig->open != 0;
  if (was || !sig->open) return;
  for (int c = 0; c < r->m->C; c++)
    for (size_t i = 0; i < r->m->L->consumer[c].ntask; i++)
      if (r->m->L->consumer[c].task[i] == sig->task) {
        r->replans++, plan_all(r, 0);
        return;
      }
}

static void on_region(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  log_run *r = ctx;
  for (int i = 0; i < r->m->ncombat; i++)
    if (r->m->combat[i] == sig->region) {
      uint64_t bit = (uint64_t)1 << i;
      if (sig->open) r->active &= ~bit;
      else r->active |= bit;
      int crossed = 0;
      for (int l = 0; l < r->m->nlane; l++) crossed |= (r->lane_areas[l] & bit) != 0;
      if (!sig->open && crossed) r->replans++, plan_all(r, 0);
    }
}

#define ALLOC(ptr, n) ((ptr) = arena_calloc(a, (size_t)(n) + 1, sizeof *(ptr)))

/* The LP of the replication running on this thread, until log_collect frees it. */
static _Thread_local log_lp *orphan_lp;

log_run *log_start(const log_model *m, sim *s, arena *a, metric_out *out, uint64_t seed,
                   uint32_t rep) {
  const scn_logistics *L = m->L;
  log_run *r = arena_calloc(a, 1, sizeof *r);
  if (!r) return NULL;
  r->m = m, r->s = s, r->out = out;
  int K = m->K, C = m->C, D = m->D;
  if (!ALLOC(r->depot, D * K) || !ALLOC(r->onhand, C * K) || !ALLOC(r->berth, L->nport) ||
      !ALLOC(r->unit, m->nunits) || !ALLOC(r->closed, m->P) || !ALLOC(r->transit_to, C * K) ||
      !ALLOC(r->demanded, C * K) || !ALLOC(r->served, C * K) || !ALLOC(r->initial, K) ||
      !ALLOC(r->inflow, K) || !ALLOC(r->consumed, K) || !ALLOC(r->in_transit, K) ||
      !ALLOC(r->delivered, K) || !ALLOC(r->returned, K) || !ALLOC(r->shipped, m->nlane * K) ||
      !ALLOC(r->first_plan, m->nlane * K) || !ALLOC(r->lane_deliv, m->nlane * K) ||
      !ALLOC(r->xplan, m->nlane * K) || !ALLOC(r->lane_order, m->nlane) || !ALLOC(r->first_cost, K) ||
      !ALLOC(r->bneck, m->nbneck) || !ALLOC(r->by_nation, m->nnation * C * K) || !ALLOC(r->lane_bneck, m->nlane) || !ALLOC(r->rest, m->A) ||
      !ALLOC(r->blocked, m->nlane) || !ALLOC(r->assigned, m->nlane) ||
      !ALLOC(r->round, m->nunits) || !ALLOC(r->surge, C) || !ALLOC(r->station, C) ||
      !ALLOC(r->task_on, m->ntask) || !ALLOC(r->lane_dist, m->nlane) ||
      !ALLOC(r->lane_cost, m->nlane) || !ALLOC(r->lane_areas, m->nlane))
    return NULL;
  r->capdtime = (size_t)m->nunits * (size_t)(m->sc->horizon / 3600 + 1);
  if (!ALLOC(r->dtime, r->capdtime)) return NULL;
  rng_init(&r->demand_rng, seed, rep, RNG_LOGISTICS, PURPOSE_DEMAND);
  rng_init(&r->turn_rng, seed, rep, RNG_LOGISTICS, PURPOSE_TURNAROUND);
  for (int k = 0; k < K; k++) r->first_cost[k] = NAN;
  r->first_objective = NAN;
  for (int c = 0; c < C; c++) r->surge[c] = 1, r->station[c] = -1;
  for (int i = 0; i < m->nlane; i++)
    r->lane_dist[i] = m->lane[i].distance, r->lane_cost[i] = m->lane[i].cost,
    r->lane_areas[i] = m->lane[i].areas;
  for (int d = 0; d < D; d++)
    for (int k = 0; k < K; k++) {
      if (!(r->depot[d * K + k] = sim_level_new(s, a, INFINITY, L->depot[d].stock[k]))) return NULL;
      r->initial[k] += L->depot[d].stock[k];
    }
  for (int c = 0; c < C; c++)
    for (int k = 0; k < K; k++) {
      double q = dist_mean(&L->consumer[c].demand[k]) * L->consumer[c].on_hand;
      if (!(r->onhand[c * K + k] = sim_level_new(s, a, INFINITY, q))) return NULL;
      r->initial[k] += q;
    }
  for (size_t p = 0; p < L->nport; p++)
    if (!(r->berth[p] = sim_resource_new(s, a, L->port[p].berths))) return NULL;
  for (int t = 0, i = 0; t < m->A; t++)
    for (int j = 0; j < L->transport[t].count; j++, i++) {
      unit *u = &r->unit[i];
      u->r = r, u->transport = t, u->berth = -1;
      if (!ALLOC(u->qty, K)) return NULL;
      u->at = m->sc->force[L->transport[t].force].base;
    }
  if (sim_subscribe(s, SIG_SITE_STATUS, on_site, r) ||
      sim_subscribe(s, SIG_REGION_STATUS, on_region, r) ||
      sim_subscribe(s, SIG_EVENT_OCCURRED, on_event, r) ||
      sim_subscribe(s, SIG_PHASE_BEGAN, on_phase, r) ||
      sim_subscribe(s, SIG_TASK_STATUS, on_task, r) || sim_at(s, 0, period_tick, r))
    return NULL;
  if (!(r->solvers = pool_take(m))) return NULL;
  if (m->coupled) {
    /* A replication that failed before log_collect left its LP here: free it. */
    log_lp_free(orphan_lp);
    if (!(orphan_lp = r->lp = make_lp(m))) return NULL;
  }
  return r;
}

static int cmp_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

void log_collect(log_run *r, sim *s, metric_out *out) {
  const log_model *m = r->m;
  const scn_logistics *L = m->L;
  double now = sim_now(s);
  for (int i = 0; i < m->C * m->K; i++)
    if (r->demanded[i] > 0) metric_put(out, m->m_fill + i, r->served[i] / r->demanded[i]);
  for (int k = 0; k < m->K; k++) {
    double sh = 0;
    for (int c = 0; c < m->C; c++) sh += r->demanded[c * m->K + k] - r->served[c * m->K + k];
    metric_put(out, m->m_short + k, sh);
    metric_put(out, m->m_delivered + k, r->delivered[k]);
    if (m->m_returned >= 0) metric_put(out, m->m_returned + k, r->returned[k]);
  }
  if (r->dcount) metric_put(out, m->m_deliv_mean, r->dsum / (double)r->dcount);
  if (r->ndtime) {
    qsort(r->dtime, r->ndtime, sizeof *r->dtime, cmp_double);
    metric_put(out, m->m_deliv_p90, stats_quantile_sorted(r->dtime, r->ndtime, 0.9));
  }
  for (int t = 0, i = 0; t < m->A; t++) {
    double busy = 0;
    for (int j = 0; j < L->transport[t].count; j++, i++)
      busy += r->unit[i].busy_total + (r->unit[i].busy ? now - r->unit[i].busy_since : 0);
    if (now > 0 && L->transport[t].count > 0)
      metric_put(out, m->m_asset + t, busy / (now * L->transport[t].count));
    metric_put(out, m->m_rest + t, r->rest[t]);
  }
  for (size_t p = 0; p < L->nport; p++)
    metric_put(out, m->m_berth + (int)p, sim_resource_mean_busy(r->berth[p]) / L->port[p].berths);
  for (int i = 0; i < m->nlane * m->K; i++)
    if (m->m_lane[i] >= 0) metric_put(out, m->m_lane[i], r->lane_deliv[i]);
  for (int i = 0; i < m->nlane; i++) metric_put(out, m->m_lane_bneck[i], r->lane_bneck[i]);
  for (int i = 0; i < m->nnation * m->C * m->K; i++)
    if (m->m_by[i] >= 0) metric_put(out, m->m_by[i], r->by_nation[i]);
  for (int c = 0; c < m->C; c++)
    for (int k = 0; k < m->K; k++) {
      int id = m->m_jp_share[c * m->K + k];
      double all = 0, jp = 0;
      for (int n = 0; n < m->nnation; n++) {
        double q = r->by_nation[(n * m->C + c) * m->K + k];
        all += q;
        if (strcmp(m->nation[n], "JP") == 0) jp += q;
      }
      if (id >= 0 && all > 0) metric_put(out, id, jp / all);
    }
  for (int b = 0; b < m->nbneck; b++)
    if (m->bneck_metric[b] >= 0) metric_put(out, m->bneck_metric[b], r->bneck[b]);
  metric_put(out, m->m_plans, r->plans);
  metric_put(out, m->m_replans, r->replans);
  pool_give(m, r->solvers);
  r->solvers = NULL;
  if (r->lp) {
    if (orphan_lp == r->lp) orphan_lp = NULL;
    log_lp_free(r->lp);
    r->lp = NULL;
  }
}

void log_balance_of(const log_run *r, int k, log_balance *b) {
  const log_model *m = r->m;
  b->initial = r->initial[k];
  b->inflow = r->inflow[k];
  b->consumed = r->consumed[k];
  b->in_transit = r->in_transit[k];
  b->delivered = r->delivered[k];
  b->returned = r->returned[k];
  b->on_hand = 0;
  for (int d = 0; d < m->D; d++) b->on_hand += sim_level_amount(r->depot[d * m->K + k]);
  for (int c = 0; c < m->C; c++) b->on_hand += sim_level_amount(r->onhand[c * m->K + k]);
}

double log_lane_shipped(const log_run *r, int li, int k) { return r->shipped[li * r->m->K + k]; }
double log_lane_delivered(const log_run *r, int li, int k) { return r->lane_deliv[li * r->m->K + k]; }
double log_lane_first_plan(const log_run *r, int li, int k) {
  return r->first_plan[li * r->m->K + k];
}
double log_first_plan_cost(const log_run *r, int k) { return r->first_cost[k]; }
double log_first_plan_objective(const log_run *r) { return r->first_objective; }
int log_plans(const log_run *r) { return r->plans; }
double log_rested(const log_run *r, int a) { return r->rest[a]; }
double log_surge(const log_run *r, int c) { return r->surge[c]; }
double log_bottleneck_count(const log_run *r, const char *name) {
  char buf[256];
  const log_model *m = r->m;
  for (int b = 0; b < m->nbneck; b++)
    if (bneck_name(m, b, buf, sizeof buf) > 0 && strcmp(buf, name) == 0) return r->bneck[b];
  for (int i = 0; i < m->nlane; i++) {
    snprintf(buf, sizeof buf, "bottleneck.lane.%s", m->lane[i].name);
    if (strcmp(buf, name) == 0) return r->lane_bneck[i];
  }
  return NAN;
}
