/* store.h - the SQLite results store (DESIGN.md section 7).
 *
 * One file per study, WAL mode.  A store describes itself: every run records its
 * metric registry (metric_def), so reports and other tools need nothing but the file.
 * A replication's rows and its 'done' status are written in the same transaction, so
 * a run killed at any moment holds only whole replications and resumes without
 * losing or double-counting one.
 *
 * Schema (user_version 1; full text in store.c):
 *   run(id, scenario_name, scenario_hash, scenario_path, seed, version, options,
 *       replications_planned, replications_done, created_at, finished_at, wall_s)
 *   metric_def(run, idx, module, name, unit, description, flags)
 *   replication(run, idx, status)                  status is 'done'
 *   metric_value(run, metric, replication, value)  metric = metric_def.idx; a metric
 *                                                  not observed (NaN) has no row
 *   series_point(run, metric, replication, seq, t, value)
 *                                                  seq = position in the
 *                                                  replication's point list
 *   track(run, replication, module, name, seq, t, lat, lon)   (reserved, empty)
 * and two views with names instead of indices, as DESIGN.md names the tables:
 *   metric(run, replication, module, name, unit, value)
 *   series(run, replication, module, name, seq, t, value)
 * seed is the uint64 stored as its two's-complement int64.  Values are stored as
 * IEEE doubles bit for bit (columns without REAL affinity, which would turn -0.0
 * into 0), so a resumed run summarises to exactly the same numbers.
 *
 * A store handle is used by one thread (the runner's writer).  Strings passed in are
 * copied by SQLite; values returned are owned by the caller unless stated.  Functions
 * without a diag leave a message for store_errmsg() when they fail. */
#ifndef STRAITS_STORE_H
#define STRAITS_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "diag.h"
#include "metric.h"

typedef struct store store;

#define STORE_SCHEMA_VERSION 1
#define STORE_BUSY_TIMEOUT_MS 10000 /* wait this long for another writer's lock */

/* Open or create; applies the schema.  On failure returns ERR_IO (cannot open the
 * file) or ERR_STORE (not a store, newer schema, SQLite error) and a message in d
 * (file = path); *out is NULL then. */
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

/* Start a new run and record the metric registry; *run_id is its id.  d may be NULL. */
int store_run_begin(store *st, int64_t *run_id, const store_run_info *info,
                    const metric_set *ms, diag *d);
/* The latest run with the same scenario hash, seed, version and options (finished
 * or not), or ERR_NOTFOUND.  Its metric registry must equal ms in module, name, unit
 * and flags, index by index (else ERR_MISMATCH, explained in d; d may be NULL). */
int store_run_find(store *st, int64_t *run_id, const store_run_info *info,
                   const metric_set *ms, diag *d);
/* A run is being continued: record the new plan and clear finished_at. */
int store_run_reopen(store *st, int64_t run_id, int replications_planned);
/* Mark the run finished.  replications_done counts the replications stored (each
 * store_put_replication adds one, in its transaction, so an interrupted run's row is
 * right too); completed >= 0 overrides it, -1 keeps it.  wall_s is this session's
 * time, added to the run's total (a resumed run sums the sessions that finished). */
int store_run_finish(store *st, int64_t run_id, int completed, double wall_s);

/* done[i] = 1 for each replication i < n already stored for the run, else 0. */
int store_replications_done(store *st, int64_t run_id, unsigned char *done, size_t n);

/* Batched writing: rows go into an open transaction (BEGIN IMMEDIATE) that
 * store_commit() ends.  store_put_replication writes a replication's metrics, series
 * points and its done mark, all or nothing (a savepoint: on failure the batch's other
 * replications stay in the transaction).  A replication already stored for the run
 * is refused with ERR_STORE and nothing is written.  Outside a transaction it commits
 * on its own. */
int store_begin(store *st);
int store_put_replication(store *st, int64_t run_id, int replication,
                          const metric_set *ms, const metric_out *out);
int store_commit(store *st);
int store_rollback(store *st); /* no-op (0) when no transaction is open */

/* Values of metric `metric` (index in the run's registry) for replications 0..n-1,
 * in replication order; NaN where absent.  For a METRIC_SERIES metric, the value of
 * the replication's last point of that series.  vals must hold n doubles. */
int store_metric_values(store *st, int64_t run_id, const metric_set *ms, int metric,
                        double *vals, size_t n);

/* Message of the last failure on this handle ("" if none); valid until the next
 * call on the handle. */
const char *store_errmsg(const store *st);

#endif
