/* lgs_internal.h - what the parts of the logistics model share (not a public header):
 * the model's and the replication's layouts, the bottleneck elements' numbering,
 * and the functions one part calls in another.  logistics.c builds the model
 * (solvers, metrics), lgs_lanes.c its lanes and their reach over water, lgs_run.c
 * a replication's voyages, start and collect, lgs_plan.c the planning rounds. */
#ifndef STRAITS_LOG_INTERNAL_H
#define STRAITS_LOG_INTERNAL_H

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
#include "lgs_flow.h"
#include "lgs_lp.h"
#include "lgs_sea.h"
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
  double lgs__unload_full; /* s to unload a full load of what the class carries */
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
  lgs_flow **flow; /* [ncommodity], network planning */
  struct solver_set *next_free;
} solver_set;

struct lgs_model {
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
  lgs_sea sea;        /* where ships sail (sea.sea NULL: great circles) */
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
static inline int bneck_asset(const lgs_model *m, int a) { return (void)m, a; }
static inline int bneck_endurance(const lgs_model *m, int a) { return m->A + a; }
static inline int bneck_depot(const lgs_model *m, int d) { return 2 * m->A + d; }
static inline int bneck_place(const lgs_model *m, int p) { return 2 * m->A + m->D + p; }
static inline int bneck_berth(const lgs_model *m, int p) { return 2 * m->A + m->D + m->P + p; }
static inline int bneck_authority(const lgs_model *m, int c) {
  return 2 * m->A + m->D + m->P + m->NP + c;
}
static inline int bneck_area(const lgs_model *m, int i) {
  return 2 * m->A + m->D + m->P + m->NP + m->C + i;
}
static inline int bneck_reach(const lgs_model *m) { return bneck_area(m, m->ncombat); }

/* The kind of a bottleneck element (the `binding.<kind>` series). */
static inline int bneck_kind(const lgs_model *m, int b) {
  static const int kind[] = {BNECK_ASSET, BNECK_ENDURANCE, BNECK_STOCK, BNECK_CLOSED,
                             BNECK_BERTH, BNECK_AUTHORITY, BNECK_AREA};
  int size[] = {m->A, m->A, m->D, m->P, m->NP, m->C, m->ncombat};
  for (int i = 0; i < 7; i++) {
    if (b < size[i]) return kind[i];
    b -= size[i];
  }
  return BNECK_NO_LANE;
}

typedef struct unit unit;
typedef struct lgs_run lgs_run;

struct unit {
  lgs_run *r;
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

struct lgs_run {
  const lgs_model *m;
  sim *s;
  metric_out *out;
  solver_set *solvers;
  lgs_lp *lp;            /* the coupled LP (this replication's, this thread's) */
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
  const struct ops_trace *trace; /* straits trace: voyages and deliveries; NULL normally */
};

/* ---- shared between the parts -------------------------------------------------------- */

int lgs__bneck_name(const lgs_model *m, int b, char *name, size_t len);
int lgs__build_lanes(lgs_model *m);
int lgs__check_reach(lgs_model *m, diag *d);
int lgs__consumer_authorised(const lgs_run *r, int c);
int lgs__define(metric_set *ms, const char *name, const char *units, unsigned flags,
                const char *desc);
void lgs__deliver(sim *s, void *ctx);
int lgs__idle_units(const lgs_run *r, int a);
double lgs__intercept(const lgs_run *r, int c, int src, double lat0, double lon0, double t0,
                      double speed, double *lat, double *lon);
int lgs__lane_blocked(const lgs_run *r, int li, int *why);
void lgs__launch_round(lgs_run *r);
uint64_t lgs__leg_areas(const lgs_model *m, double a0, double o0, double a1, double o1,
                        double d);
lgs_lp *lgs__make_lp(const lgs_model *m);
int64_t lgs__minutes_cost(double distance, double speed);
int lgs__node_consumer(const lgs_model *m, int c);
int lgs__node_depot(const lgs_model *m, int d);
int lgs__node_dock(const lgs_model *m, int j);
int lgs__node_head(const lgs_model *m, const lane *l);
int lgs__node_landing(const lgs_model *m, int j);
void lgs__on_event(sim *s, const sim_signal *sig, void *ctx);
void lgs__on_phase(sim *s, const sim_signal *sig, void *ctx);
void lgs__on_region(sim *s, const sim_signal *sig, void *ctx);
void lgs__on_site(sim *s, const sim_signal *sig, void *ctx);
void lgs__on_task(sim *s, const sim_signal *sig, void *ctx);
int lgs__open_sea(lgs_model *m, diag *d);
void lgs__period_tick(sim *s, void *ctx);
void lgs__pool_give(const lgs_model *cm, solver_set *s);
solver_set *lgs__pool_take(const lgs_model *cm);
int64_t lgs__requirement(const lgs_run *r, int c, int k);
double lgs__ship_on_lane(lgs_run *r, int li, int k, double amount);
void lgs__taken(sim *s, void *ctx);
double lgs__unload_full(const scn_lgs_transport *t, int K);

#endif
