/* scn_plan.h - the loaded `situations:` and `plan:` sections (docs/plan.md): how Japan's
 * legal situation and its gates change in a replication, and the plan's phases and
 * tasks.
 *
 * Part of the immutable scenario: everything here lives in the scenario's arena and is
 * read-only after scn_load().  Ids of the scenario (events, places, regions, forces,
 * changes, phases, tasks) are resolved to indices here; what belongs to the legal
 * authorities table (activities, gates, legal areas) is kept as written, with its
 * location, and resolved by plan/ against the table (src/plan/plan.h).  Durations are
 * seconds. */
#ifndef STRAITS_SCN_PLAN_H
#define STRAITS_SCN_PLAN_H

#include <stddef.h>
#include "dist.h"
#include "scenario.h"

/* A condition: a tree of all_of / any_of over leaves.  Written in YAML as an event id
 * (a plain scalar), {at: 2d}, {event: id}, {change: id}, {situation: name},
 * {gate: id}, {phase: id}, {task: id}, {done: id}, {all_of: [...]}, {any_of: [...]}.
 * Conditions in `situations:` may not name phases or tasks (the legal state does not
 * depend on how the plan runs). */
typedef enum scn_cond_kind {
  SCN_COND_AT,        /* the clock has reached `at` */
  SCN_COND_EVENT,     /* crisis event `ref` has occurred */
  SCN_COND_CHANGE,    /* situation change `ref` has been decided (the Cabinet decided) */
  SCN_COND_SITUATION, /* situation `ref` (scn_situation) is in force */
  SCN_COND_GATE,      /* gate `name` (an authorities-table id) is open */
  SCN_COND_PHASE,     /* phase `ref` has begun */
  SCN_COND_TASK,      /* task `ref` has started */
  SCN_COND_DONE,      /* task `ref` has finished (its duration ran out or `until` held) */
  SCN_COND_ALL,
  SCN_COND_ANY
} scn_cond_kind;

typedef struct scn_cond {
  scn_cond_kind kind;
  double at;             /* SCN_COND_AT: s after the epoch */
  int ref;               /* index (see the kinds), or scn_situation */
  const char *name;      /* SCN_COND_GATE: the gate id as written */
  size_t n;              /* SCN_COND_ALL / ANY */
  struct scn_cond *sub;  /* [n] */
  scn_loc loc;
} scn_cond;

/* A name from the authorities table, as written, with where it was written. */
typedef struct scn_name {
  const char *id;
  scn_loc loc;
} scn_name;

/* situations.changes[]: the Cabinet recognises a situation after a delay from its
 * trigger; the Diet may then vote on it. */
typedef struct scn_change {
  const char *id, *name;
  int to;               /* scn_situation */
  scn_cond trigger;     /* at: (as SCN_COND_AT) or after: */
  double p;             /* chance the Cabinet decides at all, once the trigger holds */
  dist cabinet;         /* trigger -> Cabinet decision (the situation is recognised) */
  int has_diet;
  scn_name diet_gate;   /* gate the Diet's approval opens */
  dist diet;            /* Cabinet decision -> the Diet's vote */
  double diet_p;        /* chance the Diet approves */
  int emergency;        /* the gate opens with the Cabinet decision; a no vote closes it */
  size_t nopen;         /* further gates the Cabinet decision opens */
  scn_name *open;
  size_t nend;          /* situations the decision ends (scn_situation) */
  int *end;
  scn_loc loc;
} scn_change;

/* situations.gates[]: a gate opens after a delay from its trigger, with probability
 * p, optionally for one situation only, optionally closing again after `for`. */
typedef struct scn_gate_model {
  const char *id;       /* optional id as written, or "" */
  scn_name gate;
  scn_cond trigger;
  dist delay;
  double p;
  int situation;        /* scn_situation it is opened for, or -1 for all */
  size_t ndecision;
  int *decision;        /* scn_plan.decision indices the trigger waits on as well */
  int has_duration;
  dist duration;        /* open for this long, then closed again */
  scn_loc loc;
} scn_gate_model;

typedef struct scn_phase {
  const char *id, *name;
  int has_start;        /* without one: the first phase begins at 0, a later one */
  scn_cond start;       /* begins with the phase before it */
  scn_loc loc;
} scn_phase;

typedef struct scn_task_asset {
  int force;            /* force index */
  int count;            /* units, 1 .. the force's count */
  scn_loc loc;
} scn_task_asset;

enum scn_task_on_loss { SCN_TASK_PAUSE, SCN_TASK_WITHDRAW };

typedef struct scn_task {
  const char *id, *name;
  scn_name activity;    /* authorities-table activity */
  const char *owner;    /* nation: "JP" or "US" */
  size_t nasset;
  scn_task_asset *asset;
  int place, region;    /* the area: exactly one is >= 0 */
  scn_loc area_loc;
  scn_name legal_area;  /* authorities-table area as written, or id NULL (derived) */
  int phase;            /* -1 if none */
  int has_start;
  scn_cond start;
  dist delay;           /* start condition -> due (default 0) */
  int has_duration;
  dist duration;        /* running time to finish (pauses excluded) */
  int has_until;
  scn_cond until;       /* finishes when this holds */
  int priority;         /* higher first; default 0 */
  int on_loss;          /* scn_task_on_loss: when its authority is lost while running */
  size_t ngate;
  scn_name *gate;       /* gates the task waits for, on top of its authority's */
  size_t ndecision;
  int *decision;        /* scn_plan.decision indices: steps of the `coordination:`
                           section that must be approved before it starts */
  scn_loc loc;
} scn_task;

typedef struct scn_plan {
  int has_situations, has_plan; /* which of the two sections the file has */
  scn_loc situations_loc, plan_loc;
  int initial;          /* scn_situation in force at time 0 (default peacetime) */
  size_t nchange, ngate, nphase, ntask;
  scn_change *change;
  scn_gate_model *gate;
  scn_phase *phase;
  scn_task *task;
  /* Decision steps named by tasks' and gates' `decisions:`, each once, in the order
   * first written (where: that place).  The `coordination:` section's loader
   * resolves them against its steps; the plan knows them only by these indices. */
  size_t ndecision;
  scn_name *decision;
} scn_plan;

int scn_change_find(const scn_plan *p, const char *id);
int scn_phase_find(const scn_plan *p, const char *id);
int scn_task_find(const scn_plan *p, const char *id);
int scn_decision_find(const scn_plan *p, const char *id);

#endif
