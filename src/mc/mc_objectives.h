/* mc_objectives.h - the verdict on each objective of a scenario (`objectives:`,
 * scn_objectives.h) after a run: met, not met, or undecided at this precision, from the
 * statistic's 95% confidence interval (docs/models.md, "Objectives").
 *
 * Ownership: the results array is malloc'ed for the caller (free()); it points into the
 * scenario, which must outlive it.  Problems (an unknown metric, a threshold whose unit
 * does not fit the metric's) go to d at the objective's location. */
#ifndef STRAITS_MC_OBJECTIVES_H
#define STRAITS_MC_OBJECTIVES_H

#include <stddef.h>

#include "diag.h"
#include "mc.h"
#include "scn_objectives.h"
#include "store.h"

typedef enum mc_verdict {
  MC_VERDICT_MET,
  MC_VERDICT_NOT_MET,
  MC_VERDICT_UNDECIDED, /* the 95% CI straddles the threshold: more replications */
  MC_VERDICT_NO_DATA    /* the metric was observed in no replication */
} mc_verdict;

const char *mc_verdict_name(mc_verdict v); /* "met", "not met", "undecided", "no data" */

/* Where it breaks: a condition of a replication -- an event occurred, a task ran, a
 * bottleneck bound, a task waited for its authority or gates (the metric is > 0) --
 * with its share among the replications that fail the objective and among the others
 * (docs/models.md, "Where it breaks").  Conditional on failing, not a correlation. */
typedef struct mc_cause {
  int metric;            /* index in the run's registry */
  double in_failing;     /* share of the failing replications where it holds */
  double in_others;      /* share of the others (NaN when every replication fails) */
} mc_cause;

#define MC_MAX_CAUSES 5

typedef struct mc_objective_result {
  const scn_objective *objective;
  int metric;             /* index in the run's registry */
  double estimate;        /* the statistic (SI; a share as a proportion) */
  double lo, hi;          /* its 95% confidence interval */
  double target;          /* the threshold it is compared with (a share: probability) */
  size_t n;               /* replications where the metric was observed */
  mc_verdict verdict;
  size_t nfail;           /* of them, those whose own value misses the threshold */
  size_t ncause;          /* the conditions likelier where it fails, likeliest first */
  mc_cause cause[MC_MAX_CAUSES];
} mc_objective_result;

/* Evaluate every objective of sc on replications [0, r->replications) of run r->run_id
 * in st.  Returns 0 and *out, *n (NULL, 0 without objectives), ERR_INPUT (see d),
 * ERR_NOMEM or ERR_STORE. */
int mc_objectives_eval(mc_objective_result **out, size_t *n, const scn_scenario *sc,
                       const mc_result *r, store *st, diag *d);
/* mc_objectives_eval, then the verdicts recorded with the run as document "objectives"
 * (JSON, for the report; none without objectives).  The same returns, and ERR_STORE
 * when the document cannot be written (in d).  What run, compare and sweep call. */
int mc_store_objectives(mc_objective_result **out, size_t *n, store *st, const scn_scenario *sc,
                        const mc_result *r, diag *d);

#endif
