/* scn_coordination.h - the loaded `coordination:` section (docs/scenario.md): the
 * bodies of the two governments and commands that handle requests, and the decision
 * steps between them (requests, consultations, approvals, prior consultation,
 * information), each with its latency, its chances of refusal or of being sent back,
 * what it needs of the law, and what raises it.
 *
 * Part of the immutable scenario: everything here lives in the scenario's arena and is
 * read-only after scn_load().  Ids are resolved to indices (bodies, steps, crisis
 * events, plan tasks); gate ids belong to the authorities table and are kept as
 * written, with their location, for the model to resolve.  Durations are seconds. */
#ifndef STRAITS_SCN_COORDINATION_H
#define STRAITS_SCN_COORDINATION_H

#include <stddef.h>
#include "dist.h"
#include "scenario.h"

#define SCN_CO_MAX_BODIES 1000
#define SCN_CO_MAX_STEPS 10000

typedef enum scn_co_nation { SCN_CO_US, SCN_CO_JP, SCN_CO_BILATERAL, SCN_CO_NATION__COUNT } scn_co_nation;

#define SCN_CO_KIND_MAP(X)                   \
  X(REQUEST, "request")                      \
  X(CONSULTATION, "consultation")            \
  X(APPROVAL, "approval")                    \
  X(PRIOR_CONSULTATION, "prior_consultation") \
  X(INFORMATION, "information")

typedef enum scn_co_kind {
#define SCN__CO_KIND(name, str) SCN_CO_##name,
  SCN_CO_KIND_MAP(SCN__CO_KIND)
#undef SCN__CO_KIND
  SCN_CO_KIND__COUNT
} scn_co_kind;

const char *scn_co_nation_name(scn_co_nation n);
const char *scn_co_kind_name(scn_co_kind k);

typedef struct scn_co_body {
  const char *id, *name;
  int nation;           /* scn_co_nation */
  int capacity;         /* requests handled at once, >= 1 */
  int has_hours;        /* works only [from, to) of each day (to < from: overnight) */
  double from, to;      /* s after midnight of the body's day */
  double utc_offset;    /* s: the body's local time is UTC + this */
  scn_loc loc;
} scn_co_body;

/* A gate id from the authorities table, as written. */
typedef struct scn_co_gate {
  const char *id;
  scn_loc loc;
} scn_co_gate;

typedef struct scn_co_step {
  const char *id, *name;
  int from, to;         /* body indices: `to` handles it (its queue, its latency) */
  int kind;             /* scn_co_kind */
  dist latency;         /* time the receiving body takes once it takes the request up */
  scn_loc latency_loc;  /* where it is written: a run-time failure of a draw points there */
  double p_refuse;      /* chance an attempt is refused */
  double p_return;      /* chance an attempt is sent back for rework (not refused) */
  dist rework;          /* sent back -> resubmitted (default 0) */
  scn_loc rework_loc;   /* where `rework:` and `retry: {delay:}` are written (a failed */
  scn_loc retry_loc;    /* draw is blamed there); line 0 when left to the default */
  int retries;          /* refusals that are resubmitted (default 0: final) */
  dist retry_delay;     /* refused -> resubmitted (default 0) */
  uint32_t situations;  /* bit s (scn_situation): needs one of them recognised; 0 none */
  scn_loc situation_loc; /* where `needs: situation` is written */
  size_t ngate;
  scn_co_gate *gate;    /* needs every one of them open */
  size_t nafter;
  int *after;           /* step indices that must be approved first */
  int on_event;         /* crisis event that raises it, or -1 */
  int on_task;          /* plan task whose start raises it, or -1 */
  scn_loc on_task_loc;
  int plan_decision;    /* its index in scn_plan.decision (a task or gate waits on it), -1 */
  scn_loc loc;
} scn_co_step;

typedef struct scn_coordination {
  size_t nbody, nstep;
  scn_co_body *body;
  scn_co_step *step;
  scn_loc loc;
} scn_coordination;

/* The section's table entry (scenario.h: scn_section), for the registry. */
extern const scn_section coord_section;

int scn_co_step_find(const scn_coordination *co, const char *id);

#endif
