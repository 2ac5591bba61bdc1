/* store.h - the SQLite results store (DESIGN.md section 7).
 *
 * One file per study, WAL mode.  Tables: run, replication, metric, series, track
 * (schema in store.c and docs/cli.md).  A replication's rows and its 'done' status
 * are written in the same transaction, so a run killed at any moment holds only whole
 * replications and resumes without losing or double-counting one.
 *
 * A store handle is used by one thread (the runner's writer).  Strings passed in are
 * copied by SQLite; values returned are owned by the caller unless stated. */
#ifndef STRAITS_STORE_H
#define STRAITS_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "diag.h"
#include "metric.h"

typedef struct store store;

/* Open or create; applies the schema.  On failure returns ERR_STORE/ERR_IO and a
 * message in d (file = path). */
int store_open(store **out, const char *path, diag *d);
void store_close(store *st); /* NULL is a no-op */

typedef struct store_run_info {
  const char *scenario_name;
  const char *scenario_hash;
  const char *scenario_path;
  uint64_t seed;
  const char *version;
  const char *options;       /* canonical text of the options that change results */
  int replications;          /* planned (the cap with --until-ci) */
} store_run_info;

/* Start a new run and record the metric registry; *run_id is its id. */
int store_run_begin(store *st, int64_t *run_id, const store_run_info *info,
                    const metric_set *ms, diag *d);
/* The latest run with the same scenario hash, seed, version and options, or
 * ERR_NOTFOUND.  Its metric registry must equal ms (else ERR_MISMATCH). */
int store_run_find(store *st, int64_t *run_id, const store_run_info *info,
                   const metric_set *ms, diag *d);
/* Mark the run finished (replications completed, wall time). */
int store_run_finish(store *st, int64_t run_id, int completed, double wall_s);

/* done[i] = 1 for each replication i < n already stored for the run. */
int store_replications_done(store *st, int64_t run_id, unsigned char *done, size_t n);

/* Batched writing: rows go into an open transaction that store_commit() ends.
 * store_put_replication writes a replication's metrics, series and its done mark. */
int store_begin(store *st);
int store_put_replication(store *st, int64_t run_id, int replication,
                          const metric_set *ms, const metric_out *out);
int store_commit(store *st);
int store_rollback(store *st);

/* Values of metric `metric` (index in the run's registry) for replications 0..n-1,
 * in replication order; NaN where absent.  vals must hold n doubles. */
int store_metric_values(store *st, int64_t run_id, const metric_set *ms, int metric,
                        double *vals, size_t n);

/* Last error message of the connection (for diagnostics). */
const char *store_errmsg(const store *st);

#endif
