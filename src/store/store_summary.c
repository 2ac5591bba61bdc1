/* store_summary.c - every metric's summary of a stored run (store.h: store_summarize):
 * a few passes over the whole run, a chunk of replications at a time
 * (stats_summarize_stream).
 *
 * Not over threads: measured at 5,000 replications of the default scenario, two
 * threads that each took half of the metrics each took as long as one had for all --
 * the time is SQLite's stepping through every row and its overflow pages, which a
 * thread does whatever its share of the columns. */
#include "err.h"
#include "store_internal.h"

typedef struct sum_src {
  store *st;
  int64_t run_id;
  const metric_set *ms;
} sum_src;

static int rows_of(void *ctx, size_t lo, size_t hi, double *vals) {
  const sum_src *x = ctx;
  return store_values_chunk(x->st, x->run_id, x->ms, lo, hi, vals);
}

int store_summarize(store *st, int64_t run_id, const metric_set *ms, size_t n,
                    const stats_kind *kind, stats_summary *out) {
  sum_src src = {st, run_id, ms};
  return stats_summarize_stream(out, ms->n, kind, n, rows_of, &src);
}
