/* plan.h - Japan's legal authorities for support, the legal situation and its gates in
 * a replication, the plan's tasks at run time, the plan check and the synchronization
 * matrix (DESIGN.md sections 5 and 6; docs/plan.md, docs/authorities.md).
 *
 * Ownership: an authorities table and a model are the caller's (_load/_new and _free;
 * _free(NULL) is a no-op).  A model borrows the scenario and the table, which must
 * outlive it; both are read-only afterwards and may be shared by threads.  A plan_run
 * lives in the replication's arena.  Strings returned by the library are owned by the
 * object they come from, except the JSON texts, which the caller frees.  Problems with
 * user input go to the caller's diag, located at file:line:col; the library never
 * prints. */
#ifndef STRAITS_PLAN_H
#define STRAITS_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "metric.h"
#include "scenario.h"
#include "sim.h"
#include "stats.h"

/* ---- the authorities table (data/authorities.yaml) --------------------------------- */

typedef struct plan_authorities plan_authorities;

#define PLAN_MAX_TABLE_BYTES ((size_t)4 << 20)
#define PLAN_MAX_SITUATIONS 64 /* situations and gates are bit sets of a uint64_t */
#define PLAN_MAX_GATES 64
#define PLAN_MAX_AREAS 32
#define PLAN_MAX_ACTIVITIES 1024
#define PLAN_MAX_EXPR_ITEMS 256 /* gate ids in one gate expression, nested ones included */

/* Read and validate the table: every problem goes to d at its file:line:col.  Returns
 * 0, or ERR_INPUT (see d), ERR_IO, ERR_NOMEM, ERR_LIMIT. */
int plan_authorities_load(plan_authorities **out, const char *path, diag *d);
/* The shipped table: authorities.yaml in the data folder chosen when straits was built
 * (CMake's STRAITS_DATA_DIR). */
const char *plan_authorities_default_path(void);
void plan_authorities_free(plan_authorities *a);
/* Gate `gate`'s id in the table (SIG_GATE_OPENED's gate), or "?" out of range: for a
 * replication's timeline (straits trace). */
const char *plan_gate_id(const plan_authorities *a, int gate);

const char *plan_authorities_path(const plan_authorities *a);
/* SHA-256 of the file's bytes, 64 hex digits: part of a run's identity (mc.h). */
const char *plan_authorities_hash(const plan_authorities *a);
/* meta.nation: the nation whose law the table states ("JP"); its tasks need authority. */
const char *plan_authorities_nation(const plan_authorities *a);

typedef enum plan_list { PLAN_SITUATIONS, PLAN_ACTIVITIES, PLAN_AREAS, PLAN_GATES, PLAN_RULES } plan_list;

size_t plan_authorities_count(const plan_authorities *a, plan_list what);
/* Index of an id in one of the lists, or -1.  A rule's id is "<situation>-<activity>". */
int plan_authorities_find(const plan_authorities *a, plan_list what, const char *id);
const char *plan_authorities_id(const plan_authorities *a, plan_list what, size_t i);
/* The scn_situation a table situation stands for (the ids are the same). */
int plan_situation_scn(const plan_authorities *a, int situation);

/* How a rule treats "the scene where combat activities are actually being conducted". */
typedef enum plan_combat {
  PLAN_COMBAT_EXCLUDED,          /* never there: suspend or move */
  PLAN_COMBAT_CONTINUE_RESCUE,   /* excluded, but a rescue under way may continue */
  PLAN_COMBAT_NOT_RESTRICTED     /* no statutory bar (Japan itself uses force) */
} plan_combat;

/* The rule for (situation, activity): its index, or -1 when the table has none, which
 * means not allowed (closed by default). */
int plan_rule_find(const plan_authorities *a, int situation, int activity);

/* Whether a task of `activity` in legal area `area` may run under `situation` with the
 * gates in `open` (bit g = gate g) open, at a combat scene or not, and already running
 * or not.  Per-vessel and per-boarding gates (task_gates) are not part of this. */
int plan_authorised(const plan_authorities *a, int situation, int activity, int area,
                    uint64_t open, int combat_scene, int running);

/* ---- the model: a scenario's situations and plan, resolved against the table ------- */

typedef struct plan_model plan_model;

/* Whether the scenario has a `situations:` or a `plan:` section. */
int plan_scenario_uses(const scn_scenario *sc);

/* Resolve activities, gates, legal areas and situations against the table (unknown
 * names are errors at the place the scenario writes them) and, when ms is not NULL,
 * define the module's metrics (module "plan").  Returns 0, ERR_INPUT (see d) or
 * ERR_NOMEM. */
int plan_model_new(plan_model **out, const scn_scenario *sc, const plan_authorities *a,
                   metric_set *ms, diag *d);
void plan_model_free(plan_model *m);
const plan_authorities *plan_model_authorities(const plan_model *m);

/* ---- one replication ----------------------------------------------------------------
 * plan_start() subscribes to the crisis's signals (SIG_EVENT_OCCURRED,
 * SIG_SITUATION_CHANGED, SIG_REGION_STATUS) and schedules the legal decisions and
 * the tasks.  It publishes SIG_SITUATION_CHANGED (situation: the scn_situation
 * recognised, source -1) and SIG_GATE_OPENED (gate: the index in the table; situation:
 * the scn_situation the gate was opened for, or -1 for all; open: 1 opened, 0 closed
 * again).  A crisis event that raises situation_changed makes the situation recognised
 * at once; the `situations:` section adds the decisions that take time.
 * Random streams: RNG_SITUATION, one per change, gate entry and task, its purpose a hash
 * of its kind and id (so adding one leaves the others' draws unchanged). */

typedef struct plan_run plan_run;

/* NULL when the arena is exhausted.  out may be NULL (no metrics, no series). */
plan_run *plan_start(const plan_model *m, sim *s, arena *a, metric_out *out, uint64_t seed,
                     uint32_t rep);
/* Write the replication's metrics (after sim_run to the horizon). */
void plan_collect(const plan_run *r, sim *s, metric_out *out);

/* What happened in a replication, for tests and tools.  Times are NaN when never. */
enum plan_task_state {
  PLAN_TASK_WAITING,   /* its start condition does not hold yet */
  PLAN_TASK_DELAYED,   /* the condition held; its delay runs */
  PLAN_TASK_DUE,       /* due, held back by authority, gates, combat or assets */
  PLAN_TASK_RUNNING,
  PLAN_TASK_DONE,      /* its duration ran out or `until` held after it started */
  PLAN_TASK_WITHDRAWN, /* lost its authority while running, with on_loss: withdraw */
  PLAN_TASK_CANCELLED  /* `until` held before it ever started */
};
int plan_run_task_state(const plan_run *r, int task);
double plan_run_task_start(const plan_run *r, int task);  /* first start */
double plan_run_task_end(const plan_run *r, int task);    /* done or withdrawn */
double plan_run_task_ran(const plan_run *r, int task);    /* seconds spent running */
int plan_run_task_pauses(const plan_run *r, int task);
double plan_run_gate_opened(const plan_run *r, int gate); /* first opened, any scope */
double plan_run_recognised(const plan_run *r, int situation);
double plan_run_phase_began(const plan_run *r, int phase);
uint64_t plan_run_situations(const plan_run *r);          /* bit s: situation s in force */

/* ---- the plan check ------------------------------------------------------------------ */

/* Schedules the world a replication of the plan lives in (the crisis timeline) on s;
 * returns 0 or an error.  The check cannot call ops/ itself: the caller supplies it. */
typedef int (*plan_world_fn)(sim *s, arena *a, uint64_t seed, uint32_t rep, void *ctx);

typedef struct plan_check_options {
  int samples;         /* replications sampled (the scenario's first ones); 0: only the
                          findings that need no sampling */
  plan_world_fn world; /* NULL: no crisis (events never occur) */
  void *world_ctx;
} plan_check_options;

/* The sample every command checks with by default -- `straits check`, `straits plan`
 * and the findings `straits run` stores for the report -- so that one finding states
 * one share everywhere (the scenario's first replications, its seed).  1000 puts a
 * share's 95% interval within about +-3 points. */
#define PLAN_CHECK_SAMPLES 1000
#define PLAN_CHECK_OPTIONS_INIT {PLAN_CHECK_SAMPLES, NULL, NULL}
#define PLAN_MAX_SAMPLES 1000000

#define PLAN_FINDING_MAP(X)                     \
  X(UNAUTHORISED, "unauthorised")               \
  X(COMBAT_SCENE, "combat-scene")               \
  X(DOUBLE_BOOKED, "double-booked")             \
  X(ASSET_KIND, "asset-kind")                   \
  X(ASSET_NATION, "asset-nation")               \
  X(CYCLE, "cycle")                             \
  X(NEVER_STARTS, "never-starts")               \
  X(GATE_NEVER_OPENS, "gate-never-opens")

typedef enum plan_finding_kind {
#define PLAN__FINDING(name, str) PLAN_FINDING_##name,
  PLAN_FINDING_MAP(PLAN__FINDING)
#undef PLAN__FINDING
  PLAN_FINDING__COUNT
} plan_finding_kind;

const char *plan_finding_name(plan_finding_kind k);

typedef struct plan_note {
  scn_loc loc;
  const char *message;
} plan_note;

typedef struct plan_branch_share {
  int event;     /* a crisis branch (an event with a parent) */
  double share;  /* of the replications the finding counts */
} plan_branch_share;

typedef struct plan_finding {
  plan_finding_kind kind;
  diag_severity severity;
  scn_loc loc;          /* the task's */
  const char *message;  /* lower case, no full stop, values quoted */
  int task, other;      /* task indices; other -1 unless two tasks are involved */
  int asset, gate;      /* force and gate indices, or -1 */
  double probability;   /* share of the sampled replications; NaN when not sampled */
  size_t nbranch;
  plan_branch_share *branch; /* most frequent first */
  size_t nnote;
  plan_note *note;
} plan_finding;

typedef struct plan_report plan_report;

/* Check the plan: static findings, then `samples` replications of the world and the
 * plan.  Returns 0 and *out, or ERR_NOMEM / ERR_LIMIT / an error of a replication. */
int plan_check(plan_report **out, const plan_model *m, const plan_check_options *opt);
void plan_report_free(plan_report *r);

/* Findings sorted by location (file, line, column), then by kind. */
size_t plan_report_count(const plan_report *r);
const plan_finding *plan_report_at(const plan_report *r, size_t i);
size_t plan_report_severity_count(const plan_report *r, diag_severity sev);
int plan_report_samples(const plan_report *r);
/* What the static analysis (no sampling) found can happen, for the models' own checks:
 * task i can start (decisions aside: the check does not model them), scn_situation s
 * can be recognised, table gate g can open (for some situation). */
int plan_report_task_can_start(const plan_report *r, int task);
int plan_report_situation_can(const plan_report *r, int situation);
int plan_report_gate_can_open(const plan_report *r, int gate);

/* The findings as JSON for tools:
 *   {"scenario": ..., "authorities": ..., "samples": N, "errors": E, "warnings": W,
 *    "findings": [{"kind", "severity", "file", "line", "col", "message", "task", ...}]}
 * Diagnostics in d (problems loading the scenario or the table) come first, with
 * kind "input".  r may be NULL (nothing could be checked).  malloc'd; NULL if out of
 * memory. */
char *plan_check_json(const plan_report *r, const char *scenario_path,
                      const char *authorities_path, const diag *d);

/* When a task ran (or a phase began) in the sampled replications: the share of them
 * and the quantiles of its first start and of its end (the horizon when it was still
 * running), and its column of the matrix: its own phase, else the phase most often
 * current when it started (-1 none).  For a phase, `end` is empty. */
typedef struct plan_timing {
  double share;
  stats_summary start, end;
  int phase;
} plan_timing;

int plan_report_task_timing(const plan_report *r, int task, plan_timing *out);
int plan_report_phase_timing(const plan_report *r, int phase, plan_timing *out);

/* The synchronization matrix: phases x lines of effort (nation x activity) with the
 * tasks placed in time from the sampled replications (docs/plan.md).  malloc'd JSON;
 * NULL if out of memory. */
char *plan_sync_json(const plan_report *r);

#endif
