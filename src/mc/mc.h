/* mc.h - the Monte Carlo runner: replications over a thread pool, stored and summarised.
 *
 * Replication r runs with random streams keyed by (seed, r, module, purpose), so its
 * result does not depend on which thread runs it.  Results are written to the store
 * and aggregated in replication order, so every number is identical for any thread
 * count.  With resume, replications already in the store are skipped.
 *
 * The runner never prints: progress goes to the caller's callback. */
#ifndef STRAITS_MC_H
#define STRAITS_MC_H

#include <stddef.h>
#include <stdint.h>
#include "diag.h"
#include "metric.h"
#include "stats.h"
#include "scenario.h"
#include "store.h"

typedef void (*mc_progress_fn)(int done, int total, double elapsed_s, void *ctx);

typedef struct mc_options {
  int threads;          /* 0 = number of online CPUs */
  int replications;     /* 0 = the scenario's; with until_ci, the cap */
  double until_ci;      /* > 0: stop when every headline metric's 95% CI half-width
                           is <= until_ci * |mean| (checked every batch) */
  int min_replications; /* with until_ci: never stop before this many */
  int batch;            /* replications between convergence checks and commits */
  int resume;           /* continue the latest matching run in the store */
  mc_progress_fn progress;
  void *progress_ctx;
  const char *version;  /* recorded in the store */
} mc_options;

#define MC_OPTIONS_INIT {0, 0, 0.0, 30, 50, 0, NULL, NULL, "unknown"}

typedef struct mc_result {
  int64_t run_id;
  int replications;     /* in the run (stored, including resumed ones) */
  int ran;              /* run by this call */
  int converged;        /* until_ci met (or not asked) */
  double wall_s;
  metric_set metrics;
  stats_summary *summary; /* [metrics.n]; for series: summary of the last value */
} mc_result;

/* Run the scenario.  st must be open.  Returns 0, ERR_MISMATCH (resume found a run
 * that differs), or the first error of a replication (its details in d). */
int mc_run(mc_result **out, const scn_scenario *sc, const mc_options *opt, store *st,
           diag *d);
void mc_result_free(mc_result *r);

/* Run replication `rep` alone into out (allocated from a); for tests and tools.
 * ms must come from mc_define_metrics for the same scenario. */
int mc_define_metrics(metric_set *ms, const scn_scenario *sc, diag *d);

#endif
