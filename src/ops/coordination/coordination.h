/* coordination.h - bilateral coordination as a model: requests, consultations and
 * approvals passing between the bodies of the two governments and commands, queued
 * at each body (a kernel resource of its capacity), each taking its latency, refused,
 * sent back or approved; an approval is announced as SIG_DECISION, which the plan's
 * tasks and gates wait on (docs/models.md, "Bilateral coordination").
 *
 * Ownership: the model borrows the scenario and the authorities table, which must
 * outlive it (coord_model_new/_free; _free(NULL) is a no-op); it is read-only
 * afterwards and shared by threads.  A run lives in the replication's arena. */
#ifndef STRAITS_COORDINATION_H
#define STRAITS_COORDINATION_H

#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "metric.h"
#include "scenario.h"
#include "sim.h"

struct plan_authorities;
struct ops_trace;

typedef struct coord_model coord_model;
typedef struct coord_run coord_run;

/* *out is NULL when the scenario has no `coordination:` section.  Gate ids the steps
 * need are resolved against table (unknown ones are errors where written).  Defines the
 * module's metrics (module "coordination") when ms is not NULL.  0, ERR_INPUT (see d)
 * or ERR_NOMEM. */
int coord_model_new(coord_model **out, const scn_scenario *sc, const struct plan_authorities *table,
                    metric_set *ms, diag *d);
void coord_model_free(coord_model *m);
/* Whether some step needs a gate (the model then needs the authorities table). */
int coord_scenario_needs_table(const scn_scenario *sc);

/* Subscribes to SIG_EVENT_OCCURRED, SIG_SITUATION_CHANGED, SIG_GATE_OPENED and
 * SIG_TASK_STATUS, and schedules the steps raised at time 0.  Random streams:
 * RNG_COORDINATION, one per step, its purpose a hash of its id.  trace (straits trace;
 * NULL otherwise) gets a line per step raised, submitted, refused, returned, approved.
 * NULL when the arena is exhausted; out may be NULL. */
coord_run *coord_start(const coord_model *m, sim *s, arena *a, metric_out *out, uint64_t seed,
                       uint32_t rep, const struct ops_trace *trace);
void coord_collect(const coord_run *r, sim *s, metric_out *out);

/* What happened, for tests: when step i was approved (NaN: never), its attempts. */
double coord_run_decided(const coord_run *r, int step);
int coord_run_attempts(const coord_run *r, int step);

#endif
