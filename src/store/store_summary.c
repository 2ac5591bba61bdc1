/* store_summary.c - every metric's summary of a stored run (store.h: store_summarize):
 * a few passes over the whole run, a chunk of replications at a time
 * (stats_summarize_stream), each chunk read ahead on a thread (store_ahead.c) while
 * the summary counts the one before.
 *
 * Not the metrics over threads: measured at 5,000 replications of the default
 * scenario, two threads that each took half of the metrics each took as long as one
 * had for all -- the time is SQLite's stepping through every row and its overflow
 * pages, which a thread does whatever its share of the columns. */
#include "err.h"
#include "store_internal.h"

int store_summarize(store *st, int64_t run_id, const metric_set *ms, size_t n,
                    const stats_kind *kind, stats_summary *out) {
  /* The chunk stats_summarize_stream asks for. */
  size_t rows = ms->n && STATS_STREAM_CHUNK / ms->n ? STATS_STREAM_CHUNK / ms->n : 1;
  store_ahead *a;
  int err = store_ahead_open(&a, st, run_id, ms, n, rows);
  if (!err) err = stats_summarize_stream(out, ms->n, kind, n, store_ahead_fill, a);
  store_ahead_close(a);
  return err;
}
