/* logistics.c - rear-area logistics (logistics.h): min-cost flow planning per period,
 * voyages through berths as kernel resources, stocks as kernel levels.  Model and
 * validation: docs/models.md, section "Rear-area logistics". */
#include "logistics.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "geo_polygon.h"
#include "geodesy.h"
#include "log_flow.h"
#include "rng.h"
#include "scn_logistics.h"

#define SAMPLE_STEP 20000.0    /* m between points tested against combat areas */
#define MAX_COMBAT 64          /* combat_area regions a lane mask can hold */
#define POLL_CLOSED 3600.0     /* s between looks at a closed delivery place */

enum { PURPOSE_DEMAND = 1, PURPOSE_TURNAROUND = 2 };

/* ---- geometry ------------------------------------------------------------------------ */

static int in_polygon(const scn_region *g, double lat, double lon) {
  return geo_point_in_polygon(lat, lon, g->lat, g->lon, g->n);
}

/* ---- the model ------------------------------------------------------------------------ */

typedef struct lane {
  int depot, consumer, transport;
  int from, to;       /* place indices; to = -1: alongside at the consumer's position */
  int route, reverse; /* theater route followed (-1: the straight leg), and backwards */
  double to_lat, to_lon; /* where the lane ends */
  double distance;    /* m, one way */
  uint64_t areas;     /* combat areas (bit = index in model->combat) it crosses */
  int64_t cost;       /* per unit: one-way transit in minutes (>= 1) */
  char name[96];
} lane;

/* One commodity's network: node 0 = shortfall S, 1 = excess X, depots, consumers. */
typedef struct knet {
  int nlane;          /* lanes that can carry it */
  int *lane;          /* [nlane] model lane index */
  int *lane_arc;      /* [nlane] */
  int *short_arc;     /* [nconsumer] S -> consumer */
  int *excess_arc;    /* [ndepot] depot -> X */
} knet;

typedef struct solver_set {
  log_flow **flow; /* [ncommodity] */
  struct solver_set *next_free;
} solver_set;

struct log_model {
  const scn_scenario *sc;
  const scn_logistics *L;
  int K, D, C, A, P;  /* commodities, depots, consumers, transport classes, places */
  int *order;         /* [K] commodities by priority */
  double *unit;       /* [K] SI per solver unit: 1000 kg (t) or 1 m3 */
  int *port_of_place; /* [P] index into L->port, or -1 */
  int ncombat;
  int *combat;        /* [ncombat] region indices of kind combat_area */
  int *place_used;    /* [P] a lane loads or delivers there */
  int nlane;
  lane *lane;
  knet *net;          /* [K] */
  int nunits;
  /* metrics */
  int m_fill, m_dos, m_short, m_backlog, m_deliv_mean, m_deliv_p90, m_asset, m_berth,
      m_delivered, m_plans, m_replans;
  int nbneck;         /* bottleneck elements: A assets, D depots, P places, ncombat areas, 1 */
  int *bneck_metric;  /* [nbneck] metric index, -1 for an element no lane uses */
  /* the solver pool (mutable behind the const model: guarded by lock) */
  pthread_mutex_t lock;
  solver_set *free_sets;
  solver_set **all;
  size_t nall, capall;
};

static int bneck_asset(const log_model *m, int a) { return (void)m, a; }
static int bneck_depot(const log_model *m, int d) { return m->A + d; }
static int bneck_place(const log_model *m, int p) { return m->A + m->D + p; }
static int bneck_area(const log_model *m, int i) { return m->A + m->D + m->P + i; }
static int bneck_reach(const log_model *m) { return m->A + m->D + m->P + m->ncombat; }

/* Points of a lane: a theater route joining the two places (either way, same mode)
 * or the straight leg; each leg sampled every SAMPLE_STEP for the area test. */
static void lane_geometry(log_model *m, lane *l, double tlat, double tlon, int air) {
  const scn_scenario *sc = m->sc;
  const scn_route *rt = NULL;
  int rev = 0;
  for (size_t i = 0; i < sc->nroute && l->to >= 0; i++) {
    const scn_route *r = &sc->route[i];
    if (strcmp(r->kind, air ? "air" : "sea") != 0) continue;
    if (r->place[0] == l->from && r->place[r->n - 1] == l->to) { rt = r, rev = 0; break; }
    if (r->place[0] == l->to && r->place[r->n - 1] == l->from) { rt = r, rev = 1; break; }
  }
  size_t n = rt ? rt->n : 2;
  l->route = rt ? (int)(rt - sc->route) : -1, l->reverse = rev;
  l->to_lat = tlat, l->to_lon = tlon;
  l->distance = 0;
  l->areas = 0;
  for (size_t i = 0; i + 1 < n; i++) {
    double a0, o0, a1, o1;
    if (rt) {
      size_t u = rev ? n - 1 - i : i, v = rev ? n - 2 - i : i + 1;
      a0 = rt->lat[u], o0 = rt->lon[u], a1 = rt->lat[v], o1 = rt->lon[v];
    } else {
      a0 = sc->place[l->from].lat, o0 = sc->place[l->from].lon, a1 = tlat, o1 = tlon;
    }
    double d = geo_distance(a0, o0, a1, o1);
    l->distance += d;
    int steps = (int)ceil(d / SAMPLE_STEP);
    for (int s = 0; s <= steps; s++) {
      double f = steps ? (double)s / steps : 0;
      double la = a0 + f * (a1 - a0), lo = o0 + f * (o1 - o0);
      for (int c = 0; c < m->ncombat; c++)
        if (in_polygon(&sc->region[m->combat[c]], la, lo)) l->areas |= (uint64_t)1 << c;
    }
  }
}

static int build_lanes(log_model *m) {
  const scn_logistics *L = m->L;
  size_t cap = (size_t)m->A * m->D * m->C;
  m->lane = calloc(cap ? cap : 1, sizeof *m->lane);
  if (!m->lane) return ERR_NOMEM;
  for (int a = 0; a < m->A; a++)
    for (int d = 0; d < m->D; d++)
      for (int c = 0; c < m->C; c++) {
        const scn_log_transport *t = &L->transport[a];
        const scn_log_depot *dp = &L->depot[d];
        const scn_log_consumer *u = &L->consumer[c];
        int useful = 0;
        for (int k = 0; k < m->K; k++)
          useful |= t->capacity[k] > 0 && dist_mean(&u->demand[k]) > 0;
        if (!useful) continue;
        lane *l = &m->lane[m->nlane];
        l->depot = d, l->consumer = c, l->transport = a;
        double tlat = u->lat, tlon = u->lon;
        if (t->air) {
          if (dp->airfield < 0 || u->airfield < 0) continue;
          l->from = dp->airfield, l->to = u->airfield;
        } else {
          if (u->port < 0 && u->place >= 0) continue; /* ashore, no port to land at */
          l->from = dp->place, l->to = u->port;
        }
        if (l->to >= 0) tlat = m->sc->place[l->to].lat, tlon = m->sc->place[l->to].lon;
        lane_geometry(m, l, tlat, tlon, t->air);
        double minutes = l->distance / t->speed / 60;
        l->cost = (int64_t)ceil(minutes) + 1;
        snprintf(l->name, sizeof l->name, "%s>%s/%s", dp->id, u->id, m->sc->force[t->force].id);
        m->place_used[l->from] = 1;
        if (l->to >= 0) m->place_used[l->to] = 1;
        m->nlane++;
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
    if (!n->lane || !n->lane_arc || !n->short_arc || !n->excess_arc) return ERR_NOMEM;
    for (int i = 0; i < m->nlane; i++)
      if (m->L->transport[m->lane[i].transport].capacity[k] > 0) n->lane[n->nlane++] = i;
  }
  return 0;
}

/* Build one commodity's network; arc indices must match m->net (they do: same order
 * every time). */
static log_flow *make_flow(const log_model *m, int k) {
  const knet *n = &m->net[k];
  log_flow *f = log_flow_new(2 + m->D + m->C, n->nlane + m->D + m->C + 1);
  if (!f) return NULL;
  int ok = log_flow_add_node(f, 0) == 0 && log_flow_add_node(f, 0) == 1;
  for (int i = 0; i < m->D + m->C; i++) ok &= log_flow_add_node(f, 0) == 2 + i;
  int arc = 0;
  ok &= log_flow_add_arc(f, 0, 1, LOG_FLOW_INF, 0) == arc++; /* S -> X */
  for (int d = 0; d < m->D; d++) ok &= log_flow_add_arc(f, 2 + d, 1, LOG_FLOW_INF, 0) == arc++;
  for (int c = 0; c < m->C; c++) {
    int64_t pen = (int64_t)ceil(m->L->penalty / 60) * (10 - m->L->consumer[c].priority);
    ok &= log_flow_add_arc(f, 0, 2 + m->D + c, LOG_FLOW_INF, pen) == arc++;
  }
  for (int i = 0; i < n->nlane; i++) {
    const lane *l = &m->lane[n->lane[i]];
    ok &= log_flow_add_arc(f, 2 + l->depot, 2 + m->D + l->consumer, 0, l->cost) == arc++;
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
    for (int i = 0; i < n->nlane; i++) n->lane_arc[i] = arc++;
  }
}

static solver_set *pool_take(const log_model *cm) {
  log_model *m = (log_model *)cm; /* the pool is the model's only mutable part */
  pthread_mutex_lock(&m->lock);
  solver_set *s = m->free_sets;
  if (s) m->free_sets = s->next_free;
  pthread_mutex_unlock(&m->lock);
  if (s) return s;
  s = calloc(1, sizeof *s);
  if (!s || !(s->flow = calloc((size_t)m->K + 1, sizeof *s->flow))) goto fail;
  for (int k = 0; k < m->K; k++)
    if (!(s->flow[k] = make_flow(m, k))) goto fail;
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
  if (s && s->flow)
    for (int k = 0; k < m->K; k++) log_flow_free(s->flow[k]);
  if (s) free(s->flow);
  free(s);
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

/* Metrics in a fixed order; returns the first index or an error.  The block of a
 * family is contiguous, so index arithmetic finds (consumer, commodity) entries. */
static int define_metrics(log_model *m, metric_set *ms) {
  const scn_logistics *L = m->L;
  const scn_scenario *sc = m->sc;
  char name[192], desc[256];
  int r;
#define DEF(store, nm, unit, fl, ds)                          \
  do {                                                        \
    if ((r = define(ms, nm, unit, fl, ds)) < 0) return r;     \
    if ((store) < 0) (store) = r;                             \
  } while (0)
  m->m_fill = m->m_dos = m->m_short = m->m_backlog = m->m_asset = m->m_berth = -1;
  m->m_delivered = -1;
  for (int c = 0; c < m->C; c++)
    for (int k = 0; k < m->K; k++) {
      snprintf(name, sizeof name, "fill_rate.%s.%s", L->consumer[c].id, L->commodity[k].id);
      snprintf(desc, sizeof desc, "share of %s's demand for %s met from stock on hand",
               L->consumer[c].id, L->commodity[k].id);
      DEF(m->m_fill, name, "1", c == 0 && k == 0 ? METRIC_HEADLINE : 0, desc);
    }
  for (int c = 0; c < m->C; c++)
    for (int k = 0; k < m->K; k++) {
      snprintf(name, sizeof name, "days_of_supply.%s.%s", L->consumer[c].id, L->commodity[k].id);
      DEF(m->m_dos, name, "d", METRIC_SERIES, "stock on hand in days of mean demand, each period");
    }
  for (int k = 0; k < m->K; k++) {
    snprintf(name, sizeof name, "shortfall.%s", L->commodity[k].id);
    DEF(m->m_short, name, L->commodity[k].volume ? "m3" : "kg", 0,
        "demand not met from stock on hand, all consumers");
  }
  for (int k = 0; k < m->K; k++) {
    snprintf(name, sizeof name, "backlog.%s", L->commodity[k].id);
    DEF(m->m_backlog, name, L->commodity[k].volume ? "m3" : "kg", METRIC_SERIES,
        "requirement the period's plan left unmet or no unit could carry");
  }
  for (int k = 0; k < m->K; k++) {
    snprintf(name, sizeof name, "delivered.%s", L->commodity[k].id);
    DEF(m->m_delivered, name, L->commodity[k].volume ? "m3" : "kg", 0, "delivered to consumers");
  }
  if ((m->m_deliv_mean = define(ms, "delivery_time.mean", "s", 0,
                                "dispatch to end of unloading, mean over voyages")) < 0)
    return m->m_deliv_mean;
  if ((m->m_deliv_p90 = define(ms, "delivery_time.p90", "s", 0,
                               "dispatch to end of unloading, 90th percentile")) < 0)
    return m->m_deliv_p90;
  for (int a = 0; a < m->A; a++) {
    snprintf(name, sizeof name, "asset_utilisation.%s", sc->force[L->transport[a].force].id);
    DEF(m->m_asset, name, "1", 0, "share of the units' time on voyages or turnaround");
  }
  for (int p = 0; p < (int)L->nport; p++) {
    snprintf(name, sizeof name, "berth_utilisation.%s", sc->place[L->port[p].place].id);
    DEF(m->m_berth, name, "1", 0, "mean busy berths over berths");
  }
  m->nbneck = m->A + m->D + m->P + m->ncombat + 1;
  if (!(m->bneck_metric = calloc((size_t)m->nbneck, sizeof *m->bneck_metric))) return ERR_NOMEM;
  uint64_t crossed = 0;
  for (int l = 0; l < m->nlane; l++) crossed |= m->lane[l].areas;
  for (int b = 0; b < m->nbneck; b++) {
    int p = b - m->A - m->D, area = p - m->P;
    m->bneck_metric[b] = -1;
    if (p >= 0 && p < m->P && !m->place_used[p]) continue;
    if (area >= 0 && area < m->ncombat && !(crossed & ((uint64_t)1 << area))) continue;
    if (b < m->A) snprintf(name, sizeof name, "bottleneck.asset.%s", sc->force[L->transport[b].force].id);
    else if (b < m->A + m->D) snprintf(name, sizeof name, "bottleneck.stock.%s", L->depot[b - m->A].id);
    else if (b < m->A + m->D + m->P) snprintf(name, sizeof name, "bottleneck.closed.%s", sc->place[b - m->A - m->D].id);
    else if (b < bneck_reach(m)) snprintf(name, sizeof name, "bottleneck.area.%s", sc->region[m->combat[b - m->A - m->D - m->P]].id);
    else snprintf(name, sizeof name, "bottleneck.no_lane");
    if ((r = define(ms, name, "1", 0, "plans short of the requirement where this bound")) < 0)
      return r;
    m->bneck_metric[b] = r;
  }
  if ((m->m_plans = define(ms, "plans", "1", 0, "min-cost flow plans solved")) < 0) return m->m_plans;
  if ((m->m_replans = define(ms, "replans", "1", 0, "plans forced by a closure or a combat area")) < 0)
    return m->m_replans;
#undef DEF
  return 0;
}

void log_model_free(log_model *m) {
  if (!m) return;
  for (size_t i = 0; i < m->nall; i++) {
    for (int k = 0; k < m->K; k++) log_flow_free(m->all[i]->flow[k]);
    free(m->all[i]->flow);
    free(m->all[i]);
  }
  free(m->all);
  if (m->net)
    for (int k = 0; k < m->K; k++)
      free(m->net[k].lane), free(m->net[k].lane_arc), free(m->net[k].short_arc),
          free(m->net[k].excess_arc);
  free(m->net), free(m->lane), free(m->order), free(m->unit), free(m->port_of_place);
  free(m->combat), free(m->place_used), free(m->bneck_metric);
  pthread_mutex_destroy(&m->lock);
  free(m);
}

int log_model_new(log_model **out, const scn_scenario *sc, metric_set *ms, diag *d) {
  (void)d;
  *out = NULL;
  const scn_logistics *L = sc->logistics;
  if (!L) return 0;
  log_model *m = calloc(1, sizeof *m);
  if (!m) return ERR_NOMEM;
  pthread_mutex_init(&m->lock, NULL);
  m->sc = sc, m->L = L;
  m->K = (int)L->ncommodity, m->D = (int)L->ndepot, m->C = (int)L->nconsumer;
  m->A = (int)L->ntransport, m->P = (int)sc->nplace;
  int err = ERR_NOMEM;
  m->order = calloc((size_t)m->K + 1, sizeof *m->order);
  m->unit = calloc((size_t)m->K + 1, sizeof *m->unit);
  m->port_of_place = calloc((size_t)m->P + 1, sizeof *m->port_of_place);
  m->place_used = calloc((size_t)m->P + 1, sizeof *m->place_used);
  m->combat = calloc(sc->nregion + 1, sizeof *m->combat);
  m->net = calloc((size_t)m->K + 1, sizeof *m->net);
  if (!m->order || !m->unit || !m->port_of_place || !m->place_used || !m->combat || !m->net)
    goto fail;
  for (int k = 0; k < m->K; k++) m->unit[k] = L->commodity[k].volume ? 1.0 : 1000.0;
  for (int p = 1, n = 0; p <= 9; p++) /* stable order by priority */
    for (int k = 0; k < m->K; k++)
      if (L->commodity[k].priority == p) m->order[n++] = k;
  for (int p = 0; p < m->P; p++) m->port_of_place[p] = -1;
  for (size_t i = 0; i < L->nport; i++) m->port_of_place[L->port[i].place] = (int)i;
  for (size_t r = 0; r < sc->nregion && m->ncombat < MAX_COMBAT; r++)
    if (strcmp(sc->region[r].kind, "combat_area") == 0) m->combat[m->ncombat++] = (int)r;
  for (int a = 0; a < m->A; a++) m->nunits += L->transport[a].count;
  if ((err = build_lanes(m)) || (err = build_nets(m))) goto fail;
  assign_arcs(m);
  if ((err = define_metrics(m, ms))) goto fail;
  /* One solver set now, so the first replication finds it ready. */
  solver_set *s = pool_take(m);
  if (!s) { err = ERR_NOMEM; goto fail; }
  pool_give(m, s);
  *out = m;
  return 0;
fail:
  log_model_free(m);
  return err;
}

int log_lanes(const log_model *m) { return m->nlane; }
int64_t log_lane_cost(const log_model *m, int i) { return m->lane[i].cost; }
double log_unit(const log_model *m, int k) { return m->unit[k]; }
const char *log_lane_name(const log_model *m, int i) { return m->lane[i].name; }

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
  double *qty;        /* [K] SI on board: each commodity has its own hold or tank */
  double t_dispatch, busy_since, busy_total;
  int berth;          /* port index held or waited for, -1 */
};

struct log_run {
  const log_model *m;
  sim *s;
  metric_out *out;
  solver_set *solvers;
  rng_stream demand_rng, turn_rng;
  sim_level **depot;     /* [D * K] */
  sim_level **onhand;    /* [C * K] */
  sim_resource **berth;  /* [nport] */
  unit *unit;            /* [nunits] */
  int *closed;           /* [P] */
  uint64_t active;       /* combat areas now active (bit per model->combat) */
  double *transit_to;    /* [C * K] SI on the way */
  double *demanded, *served; /* [C * K] */
  double *initial, *inflow, *consumed, *in_transit, *delivered; /* [K] */
  double *shipped, *first_plan; /* [nlane * K] */
  double *first_cost;    /* [K], NaN until planned */
  double *dtime;         /* delivery times */
  size_t ndtime, capdtime;
  double dsum;
  size_t dcount;
  double *bneck;         /* [nbneck] */
  int *blocked;          /* [nlane] scratch of the planner: why a lane is closed, or -1 */
  int plans, replans;
  double *surge;         /* [C] demand multiplier now (crisis events, `surge:`) */
  int *assigned;         /* [nlane] units given a voyage in the current planning round */
  int *round;            /* [nunits] those units, dispatched when the round ends */
  int nround;
};

static int unit_index_of_lane_class(const log_run *r, int a, int from) {
  /* An idle unit of class a, preferring one already at `from`. */
  int any = -1, base = 0;
  for (int t = 0; t < a; t++) base += r->m->L->transport[t].count;
  for (int i = base; i < base + r->m->L->transport[a].count; i++)
    if (!r->unit[i].busy) {
      if (r->unit[i].at == from) return i;
      if (any < 0) any = i;
    }
  return any;
}

static int idle_units(const log_run *r, int a) {
  int base = 0, n = 0;
  for (int t = 0; t < a; t++) base += r->m->L->transport[t].count;
  for (int i = base; i < base + r->m->L->transport[a].count; i++) n += !r->unit[i].busy;
  return n;
}

/* Whether a lane may be used now.  The restriction on JP assets lives here: when
 * plan/ publishes where its authorities allow support, ask it instead of `active`. */
static int lane_blocked(const log_run *r, const lane *l, int *why) {
  const log_model *m = r->m;
  if (r->closed[l->from]) return *why = bneck_place(m, l->from), 1;
  if (l->to >= 0 && r->closed[l->to]) return *why = bneck_place(m, l->to), 1;
  const scn_force *f = &m->sc->force[m->L->transport[l->transport].force];
  uint64_t hit = l->areas & r->active;
  if (m->L->avoid_combat && hit && strcmp(f->nation, "JP") == 0) {
    int i = 0;
    while (!(hit & ((uint64_t)1 << i))) i++;
    return *why = bneck_area(m, i), 1;
  }
  return 0;
}

/* Withdrawals here never wait: the amount is there (the planner counted it). */
static void taken(sim *s, void *ctx) { (void)s, (void)ctx; }

static void voyage_load(sim *s, void *ctx);
static void voyage_loaded(sim *s, void *ctx);
static void voyage_arrive(sim *s, void *ctx);
static void voyage_unload(sim *s, void *ctx);
static void voyage_unloaded(sim *s, void *ctx);
static void voyage_returned(sim *s, void *ctx);
static void voyage_ready(sim *s, void *ctx);

static double place_distance(const scn_scenario *sc, int a, int b) {
  return geo_distance(sc->place[a].lat, sc->place[a].lon, sc->place[b].lat, sc->place[b].lon);
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

/* The round is planned: every unit given a voyage sails (after repositioning). */
static void launch_round(log_run *r) {
  const log_model *m = r->m;
  for (int j = 0; j < r->nround; j++) {
    unit *u = &r->unit[r->round[j]];
    const lane *l = &m->lane[u->lane];
    r->assigned[u->lane] = 0;
    /* Ships do not sail half empty: top up each commodity on board from the depot
     * (after the whole round is planned, so planned loads come first). */
    for (int k = 0; k < m->K && m->L->full_loads; k++) {
      double cap = floor(m->L->transport[u->transport].capacity[k] / m->unit[k]) * m->unit[k];
      double avail = sim_level_amount(r->depot[l->depot * m->K + k]);
      double top = fmin(cap - u->qty[k], floor(avail / m->unit[k]) * m->unit[k]);
      if (u->qty[k] > 0 && top > 0) load_unit(r, r->round[j], k, top);
    }
    double speed = m->L->transport[u->transport].speed;
    double reposition = u->at == l->from ? 0 : place_distance(m->sc, u->at, l->from) / speed;
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
  if (sim_after(s, handling_time(u, t->load_rate, u->r->m->K), voyage_arrive, u))
    sim_fail(s, ERR_LIMIT);
}

/* Loading done: free the berth, sail to the consumer. */
static void voyage_arrive(sim *s, void *ctx) {
  unit *u = ctx;
  log_run *r = u->r;
  const lane *l = &r->m->lane[u->lane];
  if (u->berth >= 0) sim_release(r->berth[u->berth]);
  u->berth = -1;
  double transit = l->distance / r->m->L->transport[u->transport].speed;
  if (sim_after(s, transit, voyage_unload, u)) sim_fail(s, ERR_LIMIT);
}

static void voyage_unload(sim *s, void *ctx) {
  unit *u = ctx;
  log_run *r = u->r;
  int to = r->m->lane[u->lane].to;
  if (to >= 0 && r->closed[to]) { /* wait off a closed port or airfield */
    if (sim_after(s, POLL_CLOSED, voyage_unload, u)) sim_fail(s, ERR_LIMIT);
    return;
  }
  berth_or_go(u, to, voyage_unloaded);
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
    u->qty[k] = 0;
  }
  double dt = sim_now(s) - u->t_dispatch;
  r->dsum += dt, r->dcount++;
  if (r->ndtime < r->capdtime) r->dtime[r->ndtime++] = dt;
  double back = l->distance / m->L->transport[u->transport].speed;
  if (sim_after(s, back, voyage_returned, u)) sim_fail(s, ERR_LIMIT);
}

static void voyage_returned(sim *s, void *ctx) {
  unit *u = ctx;
  log_run *r = u->r;
  u->at = r->m->lane[u->lane].from;
  double turn = dist_sample(&r->m->L->transport[u->transport].turnaround, &r->turn_rng);
  if (sim_after(s, turn > 0 ? turn : 0, voyage_ready, u)) sim_fail(s, ERR_LIMIT);
}

static void voyage_ready(sim *s, void *ctx) {
  unit *u = ctx;
  u->busy = 0;
  u->busy_total += sim_now(s) - u->busy_since;
}

/* ---- planning ------------------------------------------------------------------------ */

/* The binding constraint of a plan with unmet requirement: the full lane whose
 * reduced cost is most negative (one more unit of its lift would save the most), a
 * blocked lane, or a depot whose whole stock was shipped. */
static int find_bottleneck(const log_run *r, int k, const log_flow *f, const int *blocked_why) {
  const log_model *m = r->m;
  const knet *n = &m->net[k];
  double best = 0;
  int which = -1;
  for (int i = 0; i < n->nlane; i++) {
    const lane *l = &m->lane[n->lane[i]];
    int arc = n->lane_arc[i];
    if (log_flow_flow(f, arc) < log_flow_capacity(f, arc)) continue;
    double rc = (double)log_flow_cost(f, arc) + (double)log_flow_potential(f, 2 + l->depot) -
                (double)log_flow_potential(f, 2 + m->D + l->consumer);
    if (rc < best) {
      best = rc;
      which = blocked_why[i] >= 0 ? blocked_why[i] : bneck_asset(m, l->transport);
    }
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

static void plan_commodity(log_run *r, int k, int count_bottleneck) {
  const log_model *m = r->m;
  const knet *n = &m->net[k];
  log_flow *f = r->solvers->flow[k];
  double unit_si = m->unit[k];
  int64_t need = 0, have = 0;
  int *blocked_why = r->blocked;
  for (int d = 0; d < m->D; d++) {
    int64_t a = (int64_t)floor(sim_level_amount(r->depot[d * m->K + k]) / unit_si);
    log_flow_set_supply(f, 2 + d, a);
    have += a;
  }
  for (int c = 0; c < m->C; c++) {
    double rate = dist_mean(&m->L->consumer[c].demand[k]) * r->surge[c];
    double gap = rate * m->L->consumer[c].target - sim_level_amount(r->onhand[c * m->K + k]) -
                 r->transit_to[c * m->K + k];
    int64_t q = gap > 0 ? (int64_t)ceil(gap / unit_si - 1e-9) : 0;
    log_flow_set_supply(f, 2 + m->D + c, -q);
    need += q;
  }
  log_flow_set_supply(f, 0, need);
  log_flow_set_supply(f, 1, -have);
  for (int i = 0; i < n->nlane; i++) {
    const lane *l = &m->lane[n->lane[i]];
    blocked_why[i] = -1;
    int64_t lift = 0;
    if (!lane_blocked(r, l, &blocked_why[i]))
      lift = (int64_t)(idle_units(r, l->transport) + r->assigned[n->lane[i]]) *
             (int64_t)floor(m->L->transport[l->transport].capacity[k] / unit_si);
    log_flow_set_capacity(f, n->lane_arc[i], lift);
  }
  if (log_flow_solve(f) != LOG_FLOW_OPTIMAL) {
    sim_fail(r->s, ERR_RANGE); /* cannot happen: S -> X keeps it feasible */
    return;
  }
  r->plans++;
  if (isnan(r->first_cost[k])) {
    r->first_cost[k] = log_flow_total_cost(f);
    for (int i = 0; i < n->nlane; i++)
      r->first_plan[n->lane[i] * m->K + k] = (double)log_flow_flow(f, n->lane_arc[i]) * unit_si;
  }
  int64_t unmet = 0;
  for (int c = 0; c < m->C; c++) unmet += log_flow_flow(f, n->short_arc[c]);
  int starved = -1; /* a class that ran out of idle units for its planned flow */
  /* Fill the units already sailing on the lane this round, then give voyages to idle
   * ones; a unit carries at most its capacity of each commodity. */
  for (int i = 0; i < n->nlane; i++) {
    int li = n->lane[i];
    int64_t x = log_flow_flow(f, n->lane_arc[i]);
    const lane *l = &m->lane[li];
    double cap = floor(m->L->transport[l->transport].capacity[k] / unit_si) * unit_si;
    double left = (double)x * unit_si;
    for (int j = 0; j < r->nround && left > 0; j++) {
      unit *u = &r->unit[r->round[j]];
      if (u->lane != li) continue;
      double q = fmin(left, cap - u->qty[k]);
      if (q > 0) load_unit(r, r->round[j], k, q), left -= q;
    }
    while (left > 0 && cap > 0) {
      int u = assign_unit(r, li);
      if (u < 0) break;
      double q = fmin(left, cap);
      load_unit(r, u, k, q);
      left -= q;
    }
    if (left > 0 && starved < 0) starved = l->transport;
  }
  /* What the plan could not cover (unmet) or the fleet could not carry (starved) is
   * the backlog; the binding element is counted once per round and commodity. */
  double backlog = (double)unmet * unit_si;
  for (int i = 0; i < n->nlane; i++) {
    double planned = (double)log_flow_flow(f, n->lane_arc[i]) * unit_si, carried = 0;
    for (int j = 0; j < r->nround; j++)
      if (r->unit[r->round[j]].lane == n->lane[i]) carried += r->unit[r->round[j]].qty[k];
    if (planned > carried) backlog += planned - carried;
  }
  if (count_bottleneck && unmet > 0) r->bneck[find_bottleneck(r, k, f, blocked_why)] += 1;
  else if (count_bottleneck && starved >= 0) r->bneck[bneck_asset(m, starved)] += 1;
  if (count_bottleneck) metric_point_add(r->out, m->m_backlog + k, sim_now(r->s), backlog);
}

static void plan_all(log_run *r, int regular) {
  for (int i = 0; i < r->m->K; i++) plan_commodity(r, r->m->order[i], regular);
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
      if (u->surge[i].event == sig->event) r->surge[c] *= u->surge[i].factor;
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
      for (int l = 0; l < r->m->nlane; l++) crossed |= (r->m->lane[l].areas & bit) != 0;
      if (!sig->open && crossed) r->replans++, plan_all(r, 0);
    }
}

#define ALLOC(ptr, n) ((ptr) = arena_calloc(a, (size_t)(n) + 1, sizeof *(ptr)))

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
      !ALLOC(r->delivered, K) || !ALLOC(r->shipped, m->nlane * K) ||
      !ALLOC(r->first_plan, m->nlane * K) || !ALLOC(r->first_cost, K) ||
      !ALLOC(r->bneck, m->nbneck) || !ALLOC(r->blocked, m->nlane) ||
      !ALLOC(r->assigned, m->nlane) || !ALLOC(r->round, m->nunits) || !ALLOC(r->surge, C))
    return NULL;
  r->capdtime = (size_t)m->nunits * (size_t)(m->sc->horizon / 3600 + 1);
  if (!ALLOC(r->dtime, r->capdtime)) return NULL;
  rng_init(&r->demand_rng, seed, rep, RNG_LOGISTICS, PURPOSE_DEMAND);
  rng_init(&r->turn_rng, seed, rep, RNG_LOGISTICS, PURPOSE_TURNAROUND);
  for (int k = 0; k < K; k++) r->first_cost[k] = NAN;
  for (int c = 0; c < C; c++) r->surge[c] = 1;
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
      sim_subscribe(s, SIG_EVENT_OCCURRED, on_event, r) || sim_at(s, 0, period_tick, r))
    return NULL;
  if (!(r->solvers = pool_take(m))) return NULL;
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
  }
  if (r->dcount) metric_put(out, m->m_deliv_mean, r->dsum / (double)r->dcount);
  if (r->ndtime) {
    qsort(r->dtime, r->ndtime, sizeof *r->dtime, cmp_double);
    metric_put(out, m->m_deliv_p90, r->dtime[(size_t)(0.9 * (double)(r->ndtime - 1) + 0.5)]);
  }
  for (int t = 0, i = 0; t < m->A; t++) {
    double busy = 0;
    for (int j = 0; j < L->transport[t].count; j++, i++)
      busy += r->unit[i].busy_total + (r->unit[i].busy ? now - r->unit[i].busy_since : 0);
    if (now > 0) metric_put(out, m->m_asset + t, busy / (now * L->transport[t].count));
  }
  for (size_t p = 0; p < L->nport; p++)
    metric_put(out, m->m_berth + (int)p, sim_resource_mean_busy(r->berth[p]) / L->port[p].berths);
  for (int b = 0; b < m->nbneck; b++)
    if (m->bneck_metric[b] >= 0) metric_put(out, m->bneck_metric[b], r->bneck[b]);
  metric_put(out, m->m_plans, r->plans);
  metric_put(out, m->m_replans, r->replans);
  pool_give(m, r->solvers);
  r->solvers = NULL;
}

void log_balance_of(const log_run *r, int k, log_balance *b) {
  const log_model *m = r->m;
  b->initial = r->initial[k];
  b->inflow = r->inflow[k];
  b->consumed = r->consumed[k];
  b->in_transit = r->in_transit[k];
  b->delivered = r->delivered[k];
  b->on_hand = 0;
  for (int d = 0; d < m->D; d++) b->on_hand += sim_level_amount(r->depot[d * m->K + k]);
  for (int c = 0; c < m->C; c++) b->on_hand += sim_level_amount(r->onhand[c * m->K + k]);
}

double log_lane_shipped(const log_run *r, int li, int k) { return r->shipped[li * r->m->K + k]; }
double log_lane_first_plan(const log_run *r, int li, int k) {
  return r->first_plan[li * r->m->K + k];
}
double log_first_plan_cost(const log_run *r, int k) { return r->first_cost[k]; }
int log_plans(const log_run *r) { return r->plans; }
