/* store.h - the SQLite results store (DESIGN.md section 7).
 *
 * One file per study, WAL mode.  A store describes itself: every run records its
 * metric registry (metric_def), so reports and other tools need nothing but the file.
 * A replication's rows and its 'done' status are written in the same transaction, so
 * a run killed at any moment holds only whole replications and resumes without
 * losing or double-counting one.
 *
 * Schema (user_version 3; full text in store.c):
 *   run(id, scenario_name, scenario_hash, scenario_path, seed, version, options,
 *       replications_planned, replications_done, created_at, finished_at, wall_s)
 *   metric_def(run, idx, module, name, unit, description, flags)
 *   replication(run, idx, status, data, checksum) status is 'done'; data is every
 *                                                  value of the replication in one
 *                                                  BLOB: the metric values (index =
 *                                                  metric_def.idx, NaN = not
 *                                                  observed) and the series points
 *                                                  (format in store_blob.c); checksum
 *                                                  XXH3-64, verified on every read
 *   track(run, replication, module, name, seq, t, lat, lon)   (reserved, empty)
 * Schema 1 (a row per value and per series point) is refused with a message: its
 * single writer was the bottleneck of a run (bench/README.md).  Schema 2 (the same
 * without checksums) is refused too: a checksum computed on migration would vouch
 * for bytes nobody verified.
 *
 * Damage is refused, never read: store_open runs PRAGMA integrity_check and fails
 * (ERR_STORE, the first problem in d) on a damaged file, and every function that
 * reads a replication's blob verifies its checksum first and fails with ERR_STORE
 * and a message naming the store, the run and the replication.  Tools that want rows
 * read them through this API or `straits export` (CSV values and series, or, as
 * section 7's relational tables, --format sqlite: store_export_tables).
 * seed is the uint64 stored as its two's-complement int64.  Values are stored as
 * IEEE doubles bit for bit (-0.0 and NaN included), so a resumed run summarises to
 * exactly the same numbers.
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
#include "stats.h"

typedef struct store store;

#define STORE_SCHEMA_VERSION 3
#define STORE_BUSY_TIMEOUT_MS 10000 /* wait this long for another writer's lock */

/* Open or create; checks the file (PRAGMA integrity_check) and applies the schema.  On
 * failure returns ERR_IO (cannot open the file) or ERR_STORE (not a store, damaged,
 * older or newer schema, SQLite error) and a message in d (file = path); *out is
 * NULL then. */
int store_open(store **out, const char *path, diag *d);
void store_close(store *st); /* NULL is a no-op */

/* Another connection to st's file, for a second thread to read from while st serves
 * its own (a handle belongs to one thread).  It sees what st has committed.
 * ERR_USAGE for a store in memory (nothing to share), else store_open's errors; the
 * caller then reads on st alone. */
int store_open_reader(store **out, const store *st);

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

/* A replication as the store keeps it: its values and series points packed into
 * bytes (format at the top of store.c), so that a part of a split run can hand what
 * it stored to the one who gathers (MPI rank 0) without a second encoding.
 * store_pack_replication packs into the handle's buffer (*bytes is valid until the
 * next call on st) and returns the length, or the (negative) error.  store_put_packed
 * checks the bytes against ms and stores them as store_put_replication does; with
 * if_new, a replication already stored is skipped without error. */
long store_pack_replication(store *st, int replication, const metric_set *ms,
                            const metric_out *out, const void **bytes);
int store_put_packed(store *st, int64_t run_id, int replication, const metric_set *ms,
                     const void *bytes, size_t len, int if_new);

/* Values of metric `metric` (index in the run's registry) for replications 0..n-1,
 * in replication order; NaN where absent.  For a METRIC_SERIES metric, the value of
 * the replication's last point of that series.  vals must hold n doubles.  The first
 * call for a run reads every metric of [0, n) in one scan and keeps them (up to
 * 4 MiB) for the calls that follow, until the next write on this handle. */
int store_metric_values(store *st, int64_t run_id, const metric_set *ms, int metric,
                        double *vals, size_t n);

/* Values of every metric for replications [lo, hi), read in one scan and nothing
 * kept: vals[(r - lo) * ms->n + k] is metric k of replication r, as
 * store_metric_values has it (NaN where absent or not stored).  vals must hold
 * (hi - lo) * ms->n doubles.  How summaries and exports read a run of any length in
 * memory bounded by the chunk (issue 22). */
int store_values_chunk(store *st, int64_t run_id, const metric_set *ms, size_t lo,
                       size_t hi, double *vals);

/* The same for metrics [first, first + count) only: vals[(r - lo) * count + c] is
 * metric first + c of replication r. */
int store_columns_chunk(store *st, int64_t run_id, const metric_set *ms, size_t first,
                        size_t count, size_t lo, size_t hi, double *vals);

/* The same for the metrics metric[0..nmetric) only, in any order: vals[(r - lo) *
 * nmetric + c] is metric metric[c] of replication r.  For a reader that wants a few
 * metrics of every replication, wherever they lie in the registry (the models' docs
 * hooks, ops_results.chunk). */
int store_metrics_chunk(store *st, int64_t run_id, const metric_set *ms, const int *metric,
                        size_t nmetric, size_t lo, size_t hi, double *vals);

/* A run's rows read by two readers in turn: a thread of its own, on a reader of st
 * (store_open_reader), reads every other chunk -- guessed from the one just asked
 * for: the next of the same size, the first after the last -- while the caller's
 * thread reads the chunks between on st, so a caller that reads a long run in order
 * finds half of it read (store_ahead.c).  store_ahead_fill is a stats_fill_fn over
 * ctx = the store_ahead: rows [lo, hi) of every metric into vals, as
 * store_values_chunk has them, whichever reader read them; any order works.  rows is
 * the caller's chunk (at most that many replications are asked at once).  Without a
 * thread (one chunk holds the run, a store in memory) every chunk is read on st.
 * Close before anything writes to the run.  0 or ERR_NOMEM. */
typedef struct store_ahead store_ahead;
int store_ahead_open(store_ahead **out, store *st, int64_t run_id, const metric_set *ms,
                     size_t n, size_t rows);
/* The same for metrics [first, first + count) only, as store_columns_chunk has them. */
int store_ahead_open_columns(store_ahead **out, store *st, int64_t run_id,
                             const metric_set *ms, size_t first, size_t count, size_t n,
                             size_t rows);
int store_ahead_fill(void *ctx, size_t lo, size_t hi, double *vals);
void store_ahead_close(store_ahead *a); /* NULL is a no-op */

/* Every metric's summary over replications [0, n) of a run (out[ms->n], kind[ms->n]):
 * stats_summarize_stream over store_values_chunk, in memory bounded by the chunk --
 * what the run's summary and the report's are.  ERR_NOMEM, or the store's error
 * (message in store_errmsg(st)). */
int store_summarize(store *st, int64_t run_id, const metric_set *ms, size_t n,
                    const stats_kind *kind, stats_summary *out);

/* The most values one read on this handle has handed out (store_metric_values: n;
 * store_values_chunk: (hi - lo) x metrics; the cache's own fill counts too), so a
 * test can check that a reader's memory does not grow with the replications. */
size_t store_peak_values(const store *st);

/* Message of the last failure on this handle ("" if none); valid until the next
 * call on the handle. */
const char *store_errmsg(const store *st);

/* ---- reading a store back (report, export, compare) ---------------------------
 * Documents: named text (JSON) attached to a run by whoever knows it -- the
 * theater written by `straits run`, later the plan check's findings -- so a report
 * needs nothing but the store.  Table doc(run, name, body), created on open of any
 * store (also one made before it existed). */

typedef struct store_run_row {
  int64_t id;
  char scenario_name[256], scenario_hash[80], scenario_path[1024]; /* hash: 64 hex */
  uint64_t seed;
  char version[64], options[256];
  int replications_planned, replications_done;
  char created_at[40], finished_at[40]; /* finished_at "" while unfinished */
  double wall_s;
} store_run_row;

/* Write (or replace) document `name` of a run. */
int store_doc_put(store *st, int64_t run_id, const char *name, const char *body);
/* *body is a malloc'ed copy (the caller frees it), or ERR_NOTFOUND and NULL. */
int store_doc_get(store *st, int64_t run_id, const char *name, char **body);
/* Every document of a run whose name starts with prefix, in name order:
 * fn(ctx, name, body); fn returning non-zero stops with that value. */
int store_doc_each(store *st, int64_t run_id, const char *prefix,
                   int (*fn)(void *ctx, const char *name, const char *body), void *ctx);
/* The newest run's id, or ERR_NOTFOUND for an empty store. */
int store_run_latest(store *st, int64_t *run_id);
/* A run's row, or ERR_NOTFOUND. */
int store_run_read(store *st, int64_t run_id, store_run_row *out);
/* The run's metric registry (with descriptions), read into ms (initialised here;
 * the caller releases it, also after a failure). */
int store_metric_defs(store *st, int64_t run_id, metric_set *ms);
/* Every point of series `metric` for replications 0..n-1, in (replication, seq)
 * order: fn(ctx, replication, t, value) for each; fn returning non-zero stops with
 * that value. */
int store_series_each(store *st, int64_t run_id, int metric, size_t n,
                      int (*fn)(void *ctx, int replication, double t, double value),
                      void *ctx);

/* The same for replications [lo, hi) only: a band read a chunk of replications at a
 * time.  Its own statement, so either scan may run inside the other's callback. */
int store_series_range(store *st, int64_t run_id, int metric, size_t lo, size_t hi,
                       int (*fn)(void *ctx, int replication, double t, double value),
                       void *ctx);


/* Write run run_id as DESIGN.md section 7's relational tables into a NEW SQLite file
 * at path (straits export --format sqlite):
 *   run          the run's row, as in this store
 *   replication  (run, replication, status)
 *   metric       (run, replication, module, name, value, unit): one row per
 *                replication and scalar metric observed in it (NaN, not observed,
 *                has no row)
 *   series       (run, replication, module, name, time, value, unit): one row per
 *                series point (a NaN value reads as NULL)
 * indexed by (module, name, replication[, time]).  Values in SI units, as stored.
 * All in one transaction: on failure the file is removed.  ERR_USAGE when path
 * exists (it is never overwritten), ERR_NOTFOUND when the run does not, ERR_IO when
 * path cannot be created; the message is in store_errmsg(). */
int store_export_tables(store *st, int64_t run_id, const char *path);

/* ---- sweeps (straits sweep) ------------------------------------------------------
 * A sweep is a design over scenario overrides; each design point is an ordinary run
 * of the scenario with the point's overrides, so (point, replication) keys a result:
 *   sweep(id, name, sweep_hash, sweep_path, design, points, replications,
 *         created_at, finished_at)
 *   sweep_point(sweep, point, run, overrides)   overrides: "path=value" lines
 * Created on open of any store, like doc (additive; no version bump). */

typedef struct store_sweep_info {
  const char *name, *hash, *path, *design;
  int points, replications;
} store_sweep_info;

/* Record a new sweep. */
int store_sweep_begin(store *st, int64_t *sweep_id, const store_sweep_info *info);
/* The latest sweep with the same hash, design, points and replications, or
 * ERR_NOTFOUND. */
int store_sweep_find(store *st, int64_t *sweep_id, const store_sweep_info *info);
/* Point `point` of the sweep is run `run_id` (recorded again after a resume: the
 * same pair, so replacing is harmless). */
int store_sweep_point(store *st, int64_t sweep_id, int point, int64_t run_id,
                      const char *overrides);
int store_sweep_finish(store *st, int64_t sweep_id);
/* The newest sweep of the store (*sweep_id, its name in name[size]) and each of its
 * recorded points in point order: fn(ctx, point, run, overrides) (non-zero stops with
 * that value).  ERR_NOTFOUND when the store holds no sweep.  For the report. */
int store_sweep_latest_points(store *st, int64_t *sweep_id, char *name, size_t size,
                              int (*fn)(void *ctx, int point, int64_t run,
                                        const char *overrides),
                              void *ctx);
/* The run recorded for point `point` of the sweep, or ERR_NOTFOUND. */
int store_sweep_point_run(store *st, int64_t sweep_id, int point, int64_t *run_id);

/* Copy the replications (done marks, metric values, series points) of run src_run of
 * the store file src_path into run dst_run of st, skipping those dst_run already
 * holds, in one transaction, and recount dst_run's replications_done.  The caller
 * has checked that both runs are the same (store_run_find on each).  *copied is the
 * number of replications copied.  How a sweep split over MPI ranks is gathered. */
int store_merge_run(store *st, int64_t dst_run, const char *src_path, int64_t src_run,
                    int *copied);

/* straits verify: the whole file (PRAGMA integrity_check, as on open), every
 * replication's checksum and format, and every document's checksum, of every run.
 * fn(ctx, run, replication, why) is called for each damaged replication and
 * doc_fn(ctx, run, name, why) for each damaged document (non-zero stops with that
 * value; either may be NULL).  With drop, the damaged rows are deleted and every run's
 * replications_done recounted, in one transaction, so that `run --resume` computes
 * them again (a dropped document is written again by running again).  A document
 * without a checksum (written before they had one) is counted in docs_unverified,
 * not damaged, and never dropped.  A file that fails integrity_check is ERR_STORE
 * (the first problem in store_errmsg) and nothing is dropped: its damage is not
 * confined to rows. */
typedef struct store_verify_counts {
  size_t checked, damaged, dropped;                         /* replications */
  size_t docs_checked, docs_damaged, docs_dropped, docs_unverified; /* documents */
} store_verify_counts;
int store_verify(store *st, int drop, store_verify_counts *counts,
                 int (*fn)(void *ctx, int64_t run, int64_t replication, const char *why),
                 int (*doc_fn)(void *ctx, int64_t run, const char *name, const char *why),
                 void *ctx);

#endif
