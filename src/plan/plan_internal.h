/* plan_internal.h - what the files of plan/ share: the table and the model laid out,
 * and small helpers.  Not a public header. */
#ifndef STRAITS_PLAN_INTERNAL_H
#define STRAITS_PLAN_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "dist.h"
#include "plan.h"
#include "strbuf.h"
#include "scn_plan.h"

#define PLAN__BIT(i) ((uint64_t)1 << (i))

/* ---- the table ----------------------------------------------------------------------- */

/* A gate expression: a gate, or all_of / any_of over sub-expressions. */
enum { PX_GATE, PX_ALL, PX_ANY };
typedef struct pl_expr {
  int kind;
  int gate;             /* PX_GATE */
  size_t n;
  struct pl_expr *sub;  /* [n] */
} pl_expr;

typedef struct pl_situation {
  const char *id, *name;
  int order;
  int scn;              /* scn_situation */
  uint64_t supersedes;  /* situations that end when this one is recognised */
  pl_expr recognition;  /* gates the Cabinet's recognition opens */
  scn_loc loc;
} pl_situation;

typedef struct pl_activity {
  const char *id, *name;
  size_t nkind;
  const char **kind;    /* force kinds that can do it; none listed: any */
  scn_loc loc;
} pl_activity;

/* How a scenario place maps to a territory area: by the place's nation. */
enum { PL_MATCH_NONE, PL_MATCH_OWN_NATION, PL_MATCH_OTHER_NATION, PL_MATCH_NO_NATION };

typedef struct pl_area {
  const char *id, *name;
  int exclusion;        /* the combat-scene overlay, not a place */
  int match;            /* PL_MATCH_* for territories */
  const char *region_kind; /* exclusion: scenario regions of this kind are combat areas */
  pl_expr requires;
  scn_loc loc;
} pl_area;

typedef struct pl_gate {
  const char *id, *name, *kind, *scope;
  scn_loc loc;
} pl_gate;

typedef struct pl_rule {
  const char *id;
  int situation, activity, allowed;
  uint32_t areas;       /* bit x: area x */
  int combat;           /* plan_combat */
  pl_expr gates;
  const char *reason, *source;
  size_t nlimit;
  const char **limit;
  scn_loc loc, gates_loc;
} pl_rule;

struct plan_authorities {
  arena mem;
  const char *path, *nation;
  char hash[65]; /* SHA-256 of the file's bytes, hex */
  size_t nsit, nact, narea, ngate, nrule;
  pl_situation *sit;
  pl_activity *act;
  pl_area *area;
  pl_gate *gate;
  pl_rule *rule;
  int *rule_of;                /* [nsit * nact]: rule index or -1 */
  int combat_area;             /* the exclusion area, or -1 */
  int sit_of_scn[SCN_SIT__COUNT]; /* table situation for each scn_situation, or -1 */
};

int plan__expr_open(const pl_expr *e, uint64_t open);
/* The gate ids an expression names, as a bit set. */
uint64_t plan__expr_gates(const pl_expr *e);

/* ---- the model -------------------------------------------------------------------------- */

/* A condition with gates and situations resolved to table indices. */
typedef struct pl_cond {
  int kind;             /* scn_cond_kind */
  double at;
  int ref;              /* scenario index, or table index for gates and situations */
  size_t n;
  struct pl_cond *sub;
  scn_loc loc;
} pl_cond;

typedef struct pl_change {
  int sit;              /* table situation */
  pl_cond trig;
  uint64_t opens;       /* the situation's recognition gates and `opens` */
  uint64_t ends;        /* situations the decision ends */
  int diet_gate;        /* -1 if no Diet vote */
} pl_change;

typedef struct pl_gatem {
  int gate;             /* its decisions (scn_gate_model.decision) wait with the trigger */
  int sit;              /* table situation it is opened for, or -1 */
  pl_cond trig;
} pl_gatem;

typedef struct pl_task {
  int activity, area;   /* table indices; area is a territory */
  int law;              /* the owner is the table's nation: authority applies */
  uint64_t gates;       /* the task's own gates */
  size_t ncombat;
  int *combat;          /* scenario regions of the combat kind containing the area */
  int has_start, has_until;
  pl_cond start, until;
  int m_ran, m_start, m_auth, m_gates, m_assets; /* metric indices, -1 without metrics */
  /* A task that waits on decisions: the links of its critical path -- its start
   * condition, each of its own gates (gate order), each decision (scn_task.decision
   * order: last, so that a gate opened by a decision yields to it in a tie) -- and the
   * metric of each (share of replications it ended last), of the
   * delay the last link added, and of the time it waited on decisions; the links are
   * built for every task, the metrics -1 for a task without decisions. */
  size_t ncrit;
  size_t ncrit_gate;    /* gate links, 1 .. ncrit_gate */
  int *crit_gate;       /* [ncrit]: the gate of a gate link, else -1 */
  int *m_crit;          /* [ncrit] */
  int m_crit_delay, m_decisions;
  int m_cause[SIM_CAUSE__COUNT]; /* the start time by cause (critical chain), -1 if none */
} pl_task;

typedef struct pl_phase {
  int has_start;
  pl_cond start;
  int m_began;
} pl_phase;

struct plan_model {
  const scn_scenario *sc;
  const scn_plan *p;          /* never NULL (an empty plan when the scenario has none) */
  const plan_authorities *a;
  arena mem;
  int initial;                /* table situation */
  pl_change *ch;              /* [p->nchange] */
  pl_gatem *gm;               /* [p->ngate] */
  pl_phase *ph;               /* [p->nphase] */
  pl_task *task;              /* [p->ntask] */
  int *order;                 /* tasks by priority, highest first, then file order */
  double *wake;               /* times named by {at: ...} conditions */
  size_t nwake;
  int *m_sit, *m_gate;        /* [nsit], [ngate]: metric index or -1 */
  uint64_t possible;          /* gates something in the scenario can open: a rule whose
                                 gates need others cannot authorise anything here */
};

/* ---- runtime internals the check reads ------------------------------------------------- */

typedef struct pl_conflict {
  int a, b, force;            /* tasks a < b both hold units of force while over-booked */
} pl_conflict;

/* Per task, what the check samples. */
typedef struct pl_task_obs {
  int due;                    /* became due */
  double due_t;
  uint64_t due_sits;          /* situations in force when it became due */
  int due_unauthorised;       /* no situation in force authorised it then */
  int started;
  double start_t, end_t;      /* end: done, withdrawn, or NaN while running */
  int combat;                 /* combat under way in its area while due or running */
  int phase_at_start;         /* -1 none */
} pl_task_obs;

plan_run *plan__start(const plan_model *m, sim *s, arena *a, metric_out *out, uint64_t seed,
                      uint32_t rep, int check_mode);
void plan__observe(const plan_run *r, pl_task_obs *obs /* [ntask] */);
size_t plan__conflicts(const plan_run *r, const pl_conflict **out);
int plan__event_occurred(const plan_run *r, int event);

/* What plan_check() sampled, for the synchronization matrix: per task and replication
 * ([task * samples + rep]) its first start and its end (the horizon while running),
 * NaN when it never started; per phase likewise its beginning; per task the number of
 * replications it ran in and its phase (its own, else the one most often current when
 * it started; -1 none). */
const plan_model *plan__report_model(const plan_report *r);
void plan__report_sampled(const plan_report *r, const double **start, const double **end,
                          const double **phase_t, const int **ran, const int **phase_of);

/* ---- text -------------------------------------------------------------------------------- */

/* The nearest candidate (edit distance <= 2, or a prefix of 3+ characters), or NULL. */

#endif
