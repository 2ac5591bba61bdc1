/* logistics.h - rear-area logistics: Japanese depots supply US forces ashore and at sea
 * through ports, airfields and sea/air lanes.  Each planning period (and at once when
 * a port or airfield closes or a combat area becomes active) the planner solves a
 * min-cost flow per commodity, in priority order, with LEMON's network simplex
 * (lgs_flow.h); the dispatcher then sends idle transports on voyages: queue for a
 * berth, load, transit, queue, unload, return, turnaround.  Consumers draw their
 * demand every period from their stock on hand.
 *
 * A consumer's plan tasks (`task:`) gate the transports of the nation that owns them
 * (a JP task: JP transports only; US ones go on supplying).  Ports' berths bound the
 * plan at both ends (loading and unloading berth-hours per period).
 *
 * The restriction "JP assets never enter an area where combat can be under way" is
 * taken from regions of kind combat_area while they are active (SIG_REGION_STATUS);
 * once plan/ publishes where its authorities allow JP support, that test moves there
 * (see lane_blocked() in logistics.c and docs/models.md section "Rear-area logistics").
 *
 * Per run, lgs_model_new() reads the `logistics:` section (a NULL model and no metrics
 * when there is none) and defines the metrics.  Per replication, lgs_start() schedules
 * the first plan.  logistics includes no other ops module.  The model borrows the
 * scenario; replication state lives in the replication's arena; the model keeps a
 * pool of solvers (one per concurrent replication) that lgs_collect() hands back. */
#ifndef STRAITS_LOGISTICS_H
#define STRAITS_LOGISTICS_H

#include <stdint.h>
#include "arena.h"
#include "diag.h"
#include "metric.h"
#include "scenario.h"
#include "sim.h"

typedef struct lgs_model lgs_model;
typedef struct lgs_run lgs_run;

/* *out is NULL (and 0 returned) when the scenario has no logistics section. */
int lgs_model_new(lgs_model **out, const scn_scenario *sc, metric_set *ms, diag *d);
/* The same with the run's authorities table (plan.h; NULL: the shipped one), for the
 * check that Japanese transports deliver only under a plan task (lgs_support_check). */
struct plan_authorities;
int lgs_model_new_with(lgs_model **out, const scn_scenario *sc,
                       const struct plan_authorities *authorities, metric_set *ms, diag *d);
/* The model alone, without that check (lgs_check; unit tests of the model's mechanics
 * on scenarios a run would refuse). */
int lgs_model_build(lgs_model **out, const scn_scenario *sc, metric_set *ms, diag *d);
/* No Japanese support without a plan task (docs/plan.md): every consumer the table's
 * nation's transports may supply names a task of that nation, of an activity that
 * carries goods.  Located errors (and warnings) in d; a NULL table reads the shipped
 * one.  0, ERR_INPUT or the table's load error.  lgs_model_new runs it; `straits
 * check` calls it too. */
int lgs_support_check(const scn_scenario *sc, const struct plan_authorities *a, diag *d);
void lgs_model_free(lgs_model *m); /* NULL is a no-op */

/* Schedule replication `rep` on s.  NULL when the arena (or memory for a solver) is
 * exhausted. */
lgs_run *lgs_start(const lgs_model *m, sim *s, arena *a, metric_out *out, uint64_t seed,
                   uint32_t rep);
/* Write the replication's voyages and deliveries to t (straits trace; ops.h). */
struct ops_trace;
void lgs_trace_to(lgs_run *r, const struct ops_trace *t);
/* Write the replication's metrics (after sim_run to the horizon) and give the solver
 * back to the model's pool. */
void lgs_collect(lgs_run *r, sim *s, metric_out *out);

/* ---- inspection, for tests and benchmarks -------------------------------------------- */

/* Amounts of one commodity in SI (kg or m3), for the conservation identity
 * initial + inflow = consumed + on_hand + in_transit (docs/models.md). */
typedef struct lgs_balance {
  double initial;    /* depot stock and consumers' stock on hand at time 0 */
  double inflow;     /* replenishment of depots */
  double consumed;   /* drawn by consumers */
  double on_hand;    /* depots and consumers now */
  double in_transit; /* taken from a depot, not yet delivered */
  double delivered;  /* handed to consumers so far */
  double returned;   /* brought back to a depot (supply task stopped): part of on_hand */
} lgs_balance;

void lgs_balance_of(const lgs_run *r, int commodity, lgs_balance *out);
/* Lanes of the model: from a depot to a consumer by one transport class. */
int lgs_lanes(const lgs_model *m);
/* "depot>consumer/force", valid while the model is. */
const char *lgs_lane_name(const lgs_model *m, int lane);
/* Where a lane runs, for maps: its consumer (index in the logistics section), its end
 * places (to = -1: alongside the consumer at to_lat/to_lon), whether it flies, and the
 * theater route it follows (-1: the straight leg from `from` to the end; reverse:
 * the route is followed from its last waypoint to its first). */
/* A ship lane's sailed polyline (from its loading port to where it ends: its `to_lat`,
 * `to_lon`), points owned by the model; 0 for aircraft and for lanes that follow a
 * theater route (lgs_lane_info.route) or sail without a coastline installed.  And a
 * lane's one-way distance in m (a moving consumer: to its first position). */
size_t lgs_lane_path(const lgs_model *m, int lane, const double **lat, const double **lon);
double lgs_lane_distance(const lgs_model *m, int lane);

/* What `straits check` asks of the logistics section: the errors a run would stop on
 * (a consumer no transport can reach over water, located) and warnings for theater
 * sea routes that cross land, into d.  0, ERR_INPUT, or another error. */
int lgs_check(const scn_scenario *sc, diag *d);

typedef struct lgs_lane_info {
  int consumer, from, to, air, route, reverse;
  double to_lat, to_lon;
} lgs_lane_info;
void lgs_lane_describe(const lgs_model *m, int lane, lgs_lane_info *out);
/* The planner's cost of one solver unit (1 t or 1 m3) on a lane: one-way transit in
 * minutes, plus one; and the solver unit of a commodity in SI (1000 kg or 1 m3). */
int64_t lgs_lane_cost(const lgs_model *m, int lane);
double lgs_unit(const lgs_model *m, int commodity);
/* Amount of a commodity (SI) dispatched on a lane so far, and by the first plan. */
double lgs_lane_shipped(const lgs_run *r, int lane, int commodity);
double lgs_lane_first_plan(const lgs_run *r, int lane, int commodity);
/* Objective of the first plan of a commodity (integer units x minutes; network
 * planning only, NaN with the coupled LP), and plans. */
double lgs_first_plan_cost(const lgs_run *r, int commodity);
int lgs_plans(const lgs_run *r);
/* Whether the model plans with the coupled LP; whether a lane carries a commodity (to
 * a consumer that wants it, from a depot that holds it). */
int lgs_coupled(const lgs_model *m);
int lgs_lane_carries(const lgs_model *m, int lane, int commodity);
/* Objective of the first plan: all commodities (the LP's, or the networks' summed). */
double lgs_first_plan_objective(const lgs_run *r);
/* Amount of a commodity (SI) delivered on a lane so far; rest taken by a class (s). */
double lgs_lane_delivered(const lgs_run *r, int lane, int commodity);
double lgs_rested(const lgs_run *r, int transport);
/* A consumer's demand multiplier now (surges by crisis event and by plan phase). */
double lgs_surge(const lgs_run *r, int consumer);
/* A bottleneck count by its metric name ("bottleneck.berth.sasebo"), NaN if none. */
double lgs_bottleneck_count(const lgs_run *r, const char *name);

#endif
