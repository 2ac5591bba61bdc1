/* inspection.h - ship inspection operations (Japan's Ship Inspection Operations Act, and
 * interdiction under the Maritime Transportation Restriction Act): traffic crosses a
 * zone, boarding teams of inspecting ships hail, board and turn away or divert vessels
 * by a priority rule, ships not served before they leave the zone are missed.
 *
 * Per run, insp_model_new() reads the scenario's `inspection:` section (NULL model and
 * no metrics when there is none) and defines the module's metrics.  Per replication,
 * insp_start() schedules traffic and subscribes to the kernel signals that start the
 * operation (a crisis event, Japan's legal situation, the plan's ship_inspection or
 * maritime_interdiction task by SIG_TASK_STATUS), open or close the UNSC gate (the plan's SIG_GATE_OPENED, or,
 * without a plan, a crisis event that stands for it), change traffic rates by plan
 * phase (SIG_PHASE_BEGAN) and close diversion ports (SIG_SITE_STATUS).  inspection
 * includes no other ops module.  Model semantics and validation: docs/models.md
 * section 5.
 *
 * The model borrows the scenario (which must outlive it); replication state lives in
 * the replication's arena (ship records are recycled, so memory follows the number of
 * ships in the zone at once, not the number that crossed it).
 *
 * Two legal regimes (scn_inspection.h, docs/models.md section 5): consent inspection
 * under the Ship Inspection Operations Act while its ship_inspection task runs, and
 * compulsory interdiction under the Maritime Transportation Restriction Act while its
 * maritime_interdiction task runs (that one wins when both do), switched at the
 * instant the plan's SIG_TASK_STATUS says so. */
#ifndef STRAITS_INSPECTION_H
#define STRAITS_INSPECTION_H

#include <stdint.h>
#include "arena.h"
#include "diag.h"
#include "metric.h"
#include "scenario.h"
#include "sim.h"

typedef struct insp_model insp_model;
typedef struct insp insp;

/* *out is NULL (and 0 returned) when the scenario has no inspection section.
 * `unsc_resolution: {gate: ID}` is resolved against the shipped authorities table
 * (plan.h); _with resolves it against `table` instead (NULL: the shipped one), the one
 * the run's plan module publishes SIG_GATE_OPENED with.  ERR_INPUT for an unknown id. */
struct plan_authorities;
struct ops_trace;
int insp_model_new(insp_model **out, const scn_scenario *sc, metric_set *ms, diag *d);
int insp_model_new_with(insp_model **out, const scn_scenario *sc,
                        const struct plan_authorities *table, metric_set *ms, diag *d);
void insp_model_free(insp_model *m); /* NULL is a no-op */

/* The checks that need the authorities table (the model's constructors run them too,
 * and `straits check` calls it): an inspection whose assets include a force of the
 * table's nation (meta.nation, JP) must follow a plan task of that nation
 * (`start: {task: ID}`, activity ship_inspection or maritime_interdiction; and
 * `interdiction: {task: ID}`), since Japanese inspection rests on the Ship Inspection
 * Operations Act or the Maritime Transportation Restriction Act and the table gates
 * those tasks; errors at the place the scenario writes `start` (or the section), and
 * a warning for an interdiction's diversion port outside that nation.  Returns 0, or
 * ERR_INPUT (see d).  No inspection section, or table NULL: 0. */
int insp_check(const scn_scenario *sc, const struct plan_authorities *table, diag *d);

/* straits check on the geography (with a coastline): a warning at each diversion port,
 * where `ports` names it, that ships cannot reach over water from the zone's centre.
 * 0, or the sea's error (ERR_NOMEM, ERR_IO, ...). */
int insp_check_sea(const scn_scenario *sc, diag *d);

/* Schedule replication `rep` on s.  NULL when the arena is exhausted. */
insp *insp_start(const insp_model *m, sim *s, arena *a, metric_out *out, uint64_t seed,
                 uint32_t rep);
/* Write the replication's own lines (intercepts, boardings, diversion legs) to t
 * (straits trace; NULL: none, the normal run). */
void insp_trace(insp *I, const struct ops_trace *t);
/* Write the replication's metrics (after sim_run to the horizon). */
void insp_collect(const insp *I, sim *s, metric_out *out);

/* The way a diverted ship sails from the zone's centre to diversion port k (of
 * `diversion: ports`), as the map draws it: the sea router's path pulled straight
 * (docs/models.md "Sea routing"), or the straight leg without a sea or where the sea
 * does not join them.  Release *out with geo_path_release.  0 or ERR_NOMEM. */
struct geo_path;
int insp_diversion_path(const insp_model *m, size_t k, struct geo_path *out);

/* Ships that entered the zone in this replication, in scope or not (benchmarks). */
uint64_t insp_ships_simulated(const insp *I);

/* Seconds an asset sailing at speed v (m/s) takes to reach a ship at (dx, dy) metres
 * from it that steams at (vx, vy) m/s (east, north) on a plane: the smallest T >= 0
 * with |d + v_ship T| = v T; INFINITY when it cannot (docs/models.md section 5). */
double insp_intercept_time(double dx, double dy, double vx, double vy, double v);

/* ---- queueing formulas the model is validated against (docs/models.md 5) ------------ */

typedef struct insp_queue_stats {
  double p_wait;    /* probability an arrival finds every server busy */
  double p_abandon; /* probability an arrival leaves before service (Erlang-A) */
  double wq;        /* mean time in queue of all arrivals, served or not (s if rates /s) */
} insp_queue_stats;

/* M/M/c (Erlang C): arrival rate lambda, service rate mu, c servers, lambda < c mu.
 * Returns 0 or ERR_RANGE. */
int insp_erlang_c(insp_queue_stats *out, double lambda, double mu, int c);
/* M/M/c+M (Erlang A, Palm's queue with exponential patience of rate theta > 0), via
 * the incomplete gamma function (GSL).  Returns 0 or ERR_RANGE. */
int insp_erlang_a(insp_queue_stats *out, double lambda, double mu, double theta, int c);

#endif
