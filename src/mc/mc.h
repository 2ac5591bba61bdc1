/* mc.h - the Monte Carlo runner: replications over a thread pool, stored and summarised.
 *
 * Replication r runs with random streams keyed by (seed, r, module, purpose), so its
 * result does not depend on which thread runs it.  Results are written to the store
 * and aggregated in replication order, so every number is identical for any thread
 * count.  With resume, replications already in the store are skipped.
 *
 * Replications are taken in index order by the workers (the calling thread is one)
 * and committed in batches of opt->batch consecutive indices: [0, batch),
 * [batch, 2 batch), ...  Each batch goes to the store in one transaction as soon as
 * it has run whole, while the workers go on with the next ones (a ring of two
 * batches' results); then the progress callback runs.  With until_ci nothing past a
 * batch's end starts until the headline metrics have been checked over replications
 * [0, end of batch) -- and so with the caller's stop test (mc_options.done).  A failure or a store error leaves exactly the whole
 * replications before it stored.  So where a run stops depends only on (batch,
 * until_ci, min_replications, the cap) and the values, never on the thread count or
 * on where an earlier session was interrupted.
 *
 * What makes two runs "the same" for resume: the study hash, the seed, the version
 * string, and the canonical options text (the list of modules, "modules=crisis", and
 * the authorities table's hash) -- everything that changes what a given replication
 * yields.  The study hash is a SHA-256 over the scenario hash (every file the
 * scenario read and every --set override, hence the horizon and all parameters) and
 * what the modules read when prepared: the authorities table, the NetCDF fields and
 * the GSHHG coastline file (sar_model_inputs).  It is what the store keeps as the
 * run's scenario_hash, so two runs with the same hash are the same study.  The replication cap,
 * threads, batch, until_ci and min_replications are not part of it: they choose
 * which replications run, not what any of them yields.  So a run of 20 resumed with a
 * cap of 40 equals an uninterrupted run of 40.
 *
 * Ownership: the scenario and the store are borrowed; the result is the caller's
 * (mc_result_free).  The runner never prints: progress goes to the caller's callback,
 * errors to d. */
#ifndef STRAITS_MC_H
#define STRAITS_MC_H

#include <stddef.h>
#include <stdint.h>
#include "diag.h"
#include "hash.h"
#include "metric.h"
#include "stats.h"
#include "scenario.h"
#include "store.h"

/* Called on the calling thread after each committed batch: done = replications
 * [0, done) are stored, total = the cap. */
typedef void (*mc_progress_fn)(int done, int total, double elapsed_s, void *ctx);

/* The scenario's models prepared once (mc_prepare), for a command that runs, hashes
 * and documents the same study: mc_run, mc_study_hash and mc_module_docs each
 * prepared every model anew, on one thread, before or after the replications (the
 * inspection model's sea, the SAR model's land mask and file hashes: 8% of the
 * instructions of `straits run -n 1000` with a cold sea cache, issue 22). */
typedef struct mc_prepared mc_prepared;

#define MC_MAX_REPLICATIONS 10000000 /* cap on replications in one run */
#define MC_MAX_THREADS 256        /* more are taken as this many */
#define MC_MAX_BATCH 100000

/* Hooks for a run whose share of the work is handed out while it runs (a sweep split
 * over MPI ranks, cmd_sweep.c).  Every hook is called on the calling thread, so MPI
 * needs no more than MPI_THREAD_FUNNELED; any may be NULL. */
typedef struct mc_hooks {
  void *ctx;
  /* The run is in the store (begun, or found to resume): its id, its metrics (valid
   * until the result is freed) and its replications [0, cap). */
  void (*started)(void *ctx, int64_t run_id, const metric_set *ms, int cap);
  /* The next replications to run, [*lo, *hi): returns > 0; 0 when this run gets no
   * more; < 0 when the source failed (the run stops with ERR_IO).  With claim set the
   * run runs only what it claims, in claim order (part and nparts do not apply). */
  int (*claim)(void *ctx, int *lo, int *hi);
  /* Each replication as it went into a transaction (the store's packed bytes, valid
   * during the call only), then whether that transaction committed. */
  void (*stored)(void *ctx, int replication, const void *bytes, size_t len);
  void (*committed)(void *ctx, int ok);
  /* Called between replications (at least every millisecond while the calling thread
   * waits): time for the caller's own business, e.g. answering other ranks. */
  void (*poll)(void *ctx);
} mc_hooks;

typedef struct mc_options {
  int threads;          /* 0 = number of online CPUs; at most MC_MAX_THREADS */
  int replications;     /* 0 = the scenario's; with until_ci, the cap */
  double until_ci;      /* > 0: stop when every headline metric's 95% CI half-width
                           is <= until_ci * |mean| (checked every batch); with no
                           headline metric, stops at the first check */
  int min_replications; /* with until_ci: never stop before this many */
  int batch;            /* replications between convergence checks and commits (> 0) */
  int resume;           /* continue the latest matching run in the store; if there is
                           none, start a new one */
  mc_progress_fn progress;
  void *progress_ctx;
  const char *version;  /* recorded in the store; part of the resume key */
  size_t arena_cap;     /* bytes per worker's replication arena; 0 = ARENA_DEFAULT_CAP */
  /* A share of the work (a sweep split over MPI ranks, sweep.h): only replications r
   * with (part_base + r) % nparts == part run here.  nparts <= 1: all of them.
   * Not with until_ci (convergence needs every replication). */
  int part, nparts;
  int64_t part_base;
  /* Stores of other parts: before running, this run's replications stored there
   * (the same run, found by the same key) are copied in, so only what is missing
   * runs here.  How rank 0 gathers a sweep split over MPI ranks. */
  const char *const *merge;
  size_t nmerge;
  /* Japan's legal authorities (plan.h), needed when the scenario has `situations:` or
   * `plan:`; borrowed.  Its hash is part of the canonical options text. */
  const struct plan_authorities *authorities;
  const mc_hooks *hooks; /* NULL: none */
  /* A stop test of the caller's (e.g. every objective decided, cmd_run.c): at the end
   * of each batch [.., n), once replications [0, n) are stored and nothing runs,
   * called on the calling thread with min_replications <= n.  Returns 1 when the run
   * may stop, 0 to go on, or a negative error (the run stops with it).  With until_ci
   * too, the run stops when both hold.  Like until_ci, not with parts or a claim
   * hook, and where it stops depends on the values only, never on the threads. */
  int (*done)(void *ctx, store *st, int64_t run_id, const metric_set *ms, int n);
  void *done_ctx;
  /* The models prepared for this scenario under these authorities (mc_prepare),
   * borrowed: used as they are instead of preparing them again; NULL: each call
   * prepares its own.  Prepared for another scenario or table: ERR_USAGE. */
  const mc_prepared *prepared;
} mc_options;

#define MC_OPTIONS_INIT {0, 0, 0.0, 30, 50, 0, NULL, NULL, "unknown", 0, 0, 0, 0, NULL, 0, NULL, NULL, NULL, NULL, NULL}

typedef struct mc_result {
  int64_t run_id;
  int replications;     /* summarised: replications [0, replications) of the run,
                           resumed ones included */
  int ran;              /* run by this call */
  int converged;        /* the stop tests asked (until_ci, done) held; 1 when none
                           was asked */
  double wall_s;        /* this call */
  char study_hash[HASH_SHA256_HEX]; /* the run's identity (above), stored as scenario_hash */
  metric_set metrics;   /* the run's registry (a copy the result owns) */
  stats_summary *summary; /* [metrics.n]; for series: summary of the last value;
                             NULL for a part of a split run (nparts > 1) */
} mc_result;

/* Prepare every model the scenario uses (ops.h), as mc_run would, under
 * opt->authorities (opt may be NULL): their problems in d (the warnings too, once).
 * 0 and *out, or the first model's error (ERR_INPUT: bad input, located in d).  The
 * result is read-only: the runner's threads share it, as they share the models of a
 * run.  sc and the authorities table are borrowed and must outlive it. */
int mc_prepare(mc_prepared **out, const scn_scenario *sc, const mc_options *opt, diag *d);
void mc_prepared_free(mc_prepared *p); /* NULL is a no-op */

/* Run the scenario.  st must be open and not inside a transaction.  Returns 0 and
 * *out, or ERR_MISMATCH (resume found a run whose metrics differ), ERR_USAGE (bad
 * options), ERR_LIMIT (a cap), ERR_STORE, or the first error of a replication (the
 * lowest-numbered failing one; its details in d).  When a replication fails, the
 * whole replications before it in its batch are still committed, nothing of it is,
 * and *out is NULL. */
int mc_run(mc_result **out, const scn_scenario *sc, const mc_options *opt, store *st,
           diag *d);
void mc_result_free(mc_result *r); /* NULL is a no-op */

/* (Re)compute r->summary from replications [0, r->replications) of run r->run_id in
 * st -- after more of them were stored, e.g. merged from other parts (sweep.h). */
int mc_result_summarize(mc_result *r, store *st, diag *d);

/* The study hash mc_run would store for sc under opt (above): the modules are
 * prepared (their files read and hashed) and released again, or opt->prepared's are
 * used.  0 or their error. */
int mc_study_hash(char out[HASH_SHA256_HEX], const scn_scenario *sc, const mc_options *opt,
                  diag *d);

/* Store the report documents of every model the scenario uses (ops.h docs hooks: map
 * layers, a replayed replication's SAR case) for run run_id of st, computed from its
 * stored values (every metric's mean in one pass, ops_results.mean); a document with
 * nothing to show is not written.  The models are prepared again, or opt->prepared's
 * are used.  0, or an error (reported in d). */
int mc_module_docs(store *st, int64_t run_id, const scn_scenario *sc, const mc_options *opt,
                   diag *d);

/* The metric registry mc_run records for sc, for tools that read a store.  ms is
 * initialised here; the caller releases it (also after a failure). */
int mc_define_metrics(metric_set *ms, const scn_scenario *sc, diag *d);

#endif
