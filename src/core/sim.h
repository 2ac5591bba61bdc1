/* sim.h - the discrete-event kernel: calendar, clock, resources, levels, signals.
 *
 * Time is a double of seconds since the scenario epoch.  Events at equal times run
 * in the order they were scheduled (a sequence number breaks ties).  The calendar is
 * an implicit heap of fixed records; it grows by doubling up to a cap and keeps its
 * memory across sim_reset(), so replications after the first allocate nothing.
 *
 * Ownership: the caller owns the sim (sim_new/sim_free).  Resources and levels live
 * in a caller-supplied arena and die with it; contexts passed to handlers are the
 * caller's.  A sim is used by one thread at a time. */
#ifndef STRAITS_SIM_H
#define STRAITS_SIM_H

#include <stddef.h>
#include <stdint.h>
#include "arena.h"

typedef struct sim sim;
typedef void (*sim_handler)(sim *s, void *ctx);

#define SIM_MAX_PENDING ((size_t)1 << 26) /* calendar cap: 64 Mi pending events */

sim *sim_new(void);
void sim_free(sim *s); /* NULL is a no-op */

/* Empty the calendar, drop every subscriber, clock to 0, clear the error. */
void sim_reset(sim *s);

double sim_now(const sim *s);

/* Schedule h(ctx) at absolute time t (t >= now) or after delay (>= 0).  Returns 0,
 * or ERR_LIMIT when the calendar cap is hit, ERR_NOMEM, ERR_RANGE for a time in the
 * past or not finite; on failure the sim also records the error (see sim_error). */
int sim_at(sim *s, double t, sim_handler h, void *ctx);
int sim_after(sim *s, double delay, sim_handler h, void *ctx);

/* Run events with time <= until, in order; then the clock reads `until` (unless
 * stopped early).  Returns 0, or the first error recorded by sim_fail/scheduling. */
int sim_run(sim *s, double until);
/* Make sim_run return after the current event. */
void sim_stop(sim *s);
/* Record an error from a handler (e.g. arena exhausted) and stop. */
void sim_fail(sim *s, int err);
int sim_error(const sim *s);

/* What caused a failure, when a module can say: the scenario text it came from
 * (file:line:col, 1-based), what it is ("the delay of event") and its id.  The
 * strings are not copied: they live in the scenario, which outlives the run. */
typedef struct sim_blame {
  const char *file;
  int line, col;
  const char *what, *id;
  double value; /* the offending value (a draw), NAN if none */
} sim_blame;

/* sim_fail with a cause: the first failure of a run keeps its blame. */
void sim_fail_blame(sim *s, int err, const sim_blame *b);
/* The blame of the run's failure, or NULL (no failure, or none given). */
const sim_blame *sim_error_blame(const sim *s);
/* sim_at(t0 + draw) / sim_after(draw) for a draw from a scenario's distribution
 * (negative draws count as 0): a draw that cannot be scheduled (not finite, or past
 * the clock's range) fails the run with ERR_RANGE blamed on b, its value the draw. */
int sim_at_drawn(sim *s, double t0, double draw, sim_handler h, void *ctx, const sim_blame *b);
int sim_after_drawn(sim *s, double draw, sim_handler h, void *ctx, const sim_blame *b);

size_t sim_pending(const sim *s);
uint64_t sim_events_run(const sim *s);

/* ---- resources: c identical servers with a FIFO queue ---------------------- */

typedef struct sim_resource sim_resource;

/* NULL when the arena is exhausted. */
sim_resource *sim_resource_new(sim *s, arena *a, int servers);
/* Ask for one server.  If one is free, `granted` runs at once, before this returns;
 * otherwise the request waits in FIFO order and `granted` runs (from the calendar,
 * at the time of the release that frees a server).  Returns 0 or an error. */
int sim_request(sim_resource *r, sim_handler granted, void *ctx);
/* Give a server back; the head of the queue, if any, gets it at the current time. */
void sim_release(sim_resource *r);
int sim_resource_servers(const sim_resource *r);
int sim_resource_busy(const sim_resource *r);
size_t sim_resource_queued(const sim_resource *r);
/* Time-average number of busy servers and of waiting requests over [0, now]. */
double sim_resource_mean_busy(const sim_resource *r);
double sim_resource_mean_queue(const sim_resource *r);

/* ---- levels: a stock (fuel, stores) with FIFO waiting withdrawals ------------
 * (Called "stores" in DESIGN.md section 4; named "level" here so as not to clash
 * with the results store, store/.) */

typedef struct sim_level sim_level;

sim_level *sim_level_new(sim *s, arena *a, double capacity, double initial);
/* Add up to capacity; returns the amount that did not fit (0 if all did).  Waiting
 * withdrawals are served in FIFO order at the current time. */
double sim_level_put(sim_level *l, double amount);
/* Withdraw `amount`; if the level holds it (and nobody waits ahead), `done` runs at
 * once; otherwise the request waits.  Returns 0 or an error. */
int sim_level_get(sim_level *l, double amount, sim_handler done, void *ctx);
double sim_level_amount(const sim_level *l);
size_t sim_level_waiting(const sim_level *l);

/* ---- signals: publish/subscribe, delivered at the current time --------------- */

typedef enum sim_signal_type {
  SIG_EVENT_OCCURRED,    /* a crisis event happened: event */
  SIG_SITUATION_CHANGED, /* Japan's legal situation: situation */
  SIG_SITE_STATUS,       /* a place closed (open = 0) or reopened (open = 1): place */
  SIG_REGION_STATUS,     /* a region became active (open = 0) or quiet (open = 1): region */
  SIG_PERSON_MISSING,    /* count persons of class `object` at lat/lon: SAR's input */
  SIG_GATE_OPENED,       /* a legal gate opened: gate */
  SIG_PHASE_BEGAN,       /* a plan phase began: phase (the plan's index) */
  SIG_TASK_STATUS,       /* a plan task started or resumed (open = 1) or stopped running
                            (open = 0: paused, withdrawn, done or cancelled): task */
  SIG_DECISION,          /* a decision step was decided: approved (open = 1) or refused for
                            good (open = 0); decision: its index in the plan's decision
                            table (scn_plan.decision, -1 when no task or gate waits on it),
                            step: its index in the coordination section */
  SIG__COUNT
} sim_signal_type;

/* What a part of a time since the run's start (0) is put down to, for the delay
 * decomposition the plan measures (docs/plan.md, "Why a task started when it did"). */
typedef enum sim_cause {
  SIM_CAUSE_COORDINATION, /* requests, consultations, approvals: queues, latencies, retries */
  SIM_CAUSE_LAW,          /* legal gates and situations */
  SIM_CAUSE_CRISIS,       /* the crisis: events, start conditions, combat */
  SIM_CAUSE_RESOURCES,    /* a task's own units busy elsewhere */
  SIM_CAUSE__COUNT
} sim_cause;

typedef struct sim_signal {
  sim_signal_type type;
  int source;    /* index of the crisis event that raised it, -1 if none */
  int event;     /* SIG_EVENT_OCCURRED */
  int situation; /* SIG_SITUATION_CHANGED */
  int place;     /* SIG_SITE_STATUS, or -1 */
  int region;    /* SIG_REGION_STATUS, or -1 */
  int gate;      /* SIG_GATE_OPENED */
  int phase;     /* SIG_PHASE_BEGAN */
  int task;      /* SIG_TASK_STATUS */
  int decision;  /* SIG_DECISION: the plan's index, or -1 */
  int step;      /* SIG_DECISION: the coordination section's index */
  int open;      /* status signals: 1 open/quiet, 0 closed/active */
  int object;    /* SIG_PERSON_MISSING: search-object class index */
  int count;     /* SIG_PERSON_MISSING */
  double lat, lon; /* degrees, SIG_PERSON_MISSING */
  /* SIG_DECISION approved, SIG_TASK_STATUS at a task's first start: how the time since 0
   * divides by sim_cause (the parts sum to the time); all 0 otherwise. */
  double cause[SIM_CAUSE__COUNT];
} sim_signal;

typedef void (*sim_listener)(sim *s, const sim_signal *sig, void *ctx);

#define SIM_MAX_SUBSCRIBERS 32 /* per signal type */

/* Returns 0 or ERR_LIMIT.  Subscribers are called in subscription order. */
int sim_subscribe(sim *s, sim_signal_type type, sim_listener fn, void *ctx);
/* Call every subscriber of sig->type now, synchronously. */
void sim_publish(sim *s, const sim_signal *sig);

/* ---- site closures: one rule for every module that closes places ------------
 * Several models close places (crisis events, missile impacts and J-Alert shelters):
 * a place is closed while at least one closure holds it, so it is closed for the union
 * of their intervals and a reopening by one never reopens a place another still holds.
 * The kernel keeps the count per place and publishes SIG_SITE_STATUS only when the
 * first closure begins (open = 0) and when the last ends (open = 1); `source` is the
 * crisis event of the closure that made the transition, -1 if none.  Counts are zero
 * after sim_reset; the room is kept. */

/* Make room for places 0..nplace-1 (setup, before the run: never from a handler).
 * Returns 0 or ERR_NOMEM. */
int sim_sites(sim *s, size_t nplace);
/* One more closure holds / one fewer holds place p (p below the room made). */
void sim_site_close(sim *s, int place, int source);
void sim_site_reopen(sim *s, int place, int source);
/* Closures holding p now (0: open). */
int sim_site_holds(const sim *s, int place);

/* ---- shared lift: one pool of units per force, for every model that uses it ------
 * Logistics' transports and evacuation's modes may name the same force: its units are
 * then one pool, so a unit on a voyage of one model is not free for the other and the
 * units in use never exceed the force's count.  A model takes a unit when a trip starts
 * and gives it back when the unit is free again.  A priority user (an evacuation mode
 * with `lift: first`) reserves units: the others see only the free units beyond the
 * reservation.  Pools are unset after sim_reset (the first sim_lift_set sets them). */

/* Make room for forces 0..nforce-1 (setup only).  Returns 0 or ERR_NOMEM. */
int sim_lifts(sim *s, size_t nforce);
/* The force's units, if no model has set them in this replication yet. */
void sim_lift_set(sim *s, int force, int units);
/* Units free to a user without a reservation (free minus reserved, >= 0). */
int sim_lift_available(const sim *s, int force);
/* Take a unit: from the free ones beyond the reservation (reserved = 0), or one of the
 * reserved ones (reserved = 1, which lowers the reservation).  1 if taken, 0 if none. */
int sim_lift_take(sim *s, int force, int reserved);
void sim_lift_give(sim *s, int force);
/* Change the reservation by delta (a priority user's units not yet on a trip). */
void sim_lift_reserve(sim *s, int force, int delta);
/* Most units of the force in use at once in this replication. */
int sim_lift_peak(const sim *s, int force);

/* ---- shared berths: one resource per place for every model that uses it ----------
 * Logistics' ports (berths, parking spots) and evacuation's facilities (boarding gates,
 * berths) at the same place are one kernel resource: a ship unloading cargo and a
 * ferry boarding evacuees queue for the same berths, FIFO.  Its servers are the most
 * any model declares for the place (models declare when they start, before the run;
 * the order they start in does not matter).  Unset after sim_reset. */

/* Make room for places 0..nplace-1 (setup only).  Returns 0 or ERR_NOMEM. */
int sim_berths(sim *s, size_t nplace);
/* The place's shared resource, made with `servers` in arena a by the first model to
 * ask in this replication and raised to `servers` by a later one that declares more.
 * NULL when the arena is exhausted (or place is out of range, or the run started). */
sim_resource *sim_berth(sim *s, arena *a, int place, int servers);

#endif
