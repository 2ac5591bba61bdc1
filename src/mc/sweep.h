/* sweep.h - `straits sweep`: a design over scenario overrides, run point by point.
 *
 * The design (scn_sweep.h) gives each point a list of --set overrides: the full
 * factorial of the factors' levels, or a Latin hypercube of n points (McKay, Beckman
 * and Conover 1979: each factor's range cut into n equal strata, one point per
 * stratum, strata paired across factors by random permutations drawn from the
 * sweep's seed).  Each point is an ordinary run (mc_run) of the scenario with its
 * overrides, stored as a run and tied to the sweep by sweep_point (store.h), so a
 * result is keyed by (point, replication).
 *
 * Common random numbers: every point keeps the scenario's seed (unless a factor sets
 * scenario.seed), and streams are keyed by (seed, replication, module, purpose), so
 * replication r of every point draws the same random numbers; differences between
 * points are then due to the factors, not to sampling noise.
 *
 * Partitioning (MPI, or any split of the work): with nparts > 1 only the
 * (point, replication) pairs with (point + r) modulo nparts = part are run, into this
 * process's own store.  Common random numbers make replication r about as dear at
 * every point, so a split by r alone (every point's even replications to one of two
 * parts) piles the same dear replications onto one part; shifting by the point spreads
 * each r over the parts.  Then mc_sweep_gather() (or a run with
 * mc_options.merge) copies every part's replications into one store, where the
 * summaries are the same as a single process's, bit for bit.
 *
 * Ownership: sw, the store and d are borrowed; results are the caller's. */
#ifndef STRAITS_SWEEP_H
#define STRAITS_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "mc.h"
#include "scenario.h"
#include "scn_sweep.h"
#include "store.h"

/* A sweep whose (point, replication) pairs are handed out while it runs (MPI ranks
 * sharing a counter, cmd_sweep.c): mc_hooks with the point.  Points still run in
 * order, each to the end of what it was given; the claim for point p gives
 * replications of p only, 0 when p has no more. */
typedef struct mc_sweep_hooks {
  void *ctx;
  void (*started)(void *ctx, int point, int64_t run_id, const metric_set *ms, int cap);
  int (*claim)(void *ctx, int point, int *lo, int *hi);
  void (*stored)(void *ctx, int point, int replication, const void *bytes, size_t len);
  void (*committed)(void *ctx, int point, int ok);
  void (*poll)(void *ctx);
} mc_sweep_hooks;

typedef struct mc_sweep_options {
  mc_options mc;               /* per point; replications = the sweep's when 0 */
  const char *scenario;        /* used when the sweep file names none */
  const char *const *overrides; /* applied to every point before its own ("--set") */
  size_t noverrides;
  int part, nparts;            /* this process's share of the (point, replication)
                                  pairs; 0 and 1 = all of them */
  /* Called before each point runs (point, points); may be NULL. */
  void (*point_progress)(int point, int points, void *ctx);
  void *point_ctx;
  const mc_sweep_hooks *hooks; /* NULL: part/nparts, or all pairs */
} mc_sweep_options;

#define MC_SWEEP_OPTIONS_INIT {MC_OPTIONS_INIT, NULL, NULL, 0, 0, 1, NULL, NULL, NULL}

typedef struct mc_sweep_point {
  char **set;          /* [nfactor] "path=value" */
  mc_result *result;   /* its run (NULL for a partial run: no summary there) */
} mc_sweep_point;

typedef struct mc_sweep_result {
  int64_t sweep_id;
  int points, replications; /* replications per point */
  size_t nfactor;
  mc_sweep_point *point;    /* [points] */
  double wall_s;
} mc_sweep_result;

/* The design: for each point p and factor f, set[p * nfactor + f] = "path=value"
 * (one allocation the caller frees with free()).  Deterministic in the file. */
int mc_sweep_design(char ***set, const scn_sweep *sw, diag *d);

/* Run (or with opt->mc.resume, continue) every point. */
int mc_sweep_run(mc_sweep_result **out, const scn_sweep *sw, const mc_sweep_options *opt,
                 store *st, diag *d);
/* After every part has run its share (r: this process's mc_sweep_run with
 * opt->part/nparts, into st): copy each part store's replications of every point into
 * st (found through the part's record of the same sweep, one transaction per point
 * and part) and summarise each point again over all its replications -- without
 * loading or preparing the points a second time.  ERR_NOTFOUND when a part lacks the
 * sweep or a point still misses replications afterwards (the caller can then fall
 * back to mc_sweep_run with opt->mc.merge and resume, which also runs what is
 * missing). */
int mc_sweep_gather(mc_sweep_result *r, const scn_sweep *sw, const mc_sweep_options *opt,
                    store *st, const char *const *parts, size_t nparts, diag *d);
/* Every whole point's documents for its report, as `straits run` stores them: its
 * scenario loaded again with its overrides, then mc_store_docs and
 * mc_store_objectives (mc_docs.h, mc_objectives.h).  A point without its summary (a
 * part of a split sweep) is skipped: its documents come with the merge. */
int mc_sweep_store_docs(const mc_sweep_result *r, const scn_sweep *sw,
                        const mc_sweep_options *opt, store *st, diag *d);
void mc_sweep_result_free(mc_sweep_result *r); /* NULL is a no-op */

#endif
