/* store_summary.c - every metric's summary of a stored run, the metrics shared out
 * over threads (store.h: store_summarize).
 *
 * A summary is a few passes over the whole run (stats_summarize_stream: the moments,
 * then the selection of the percentiles), and at 100,000 replications each pass reads
 * a gigabyte of the store: the time goes to reading, and reading one range of the
 * metrics costs about its share of the blob.  So each thread takes a contiguous range
 * of the metrics and makes every pass over it on its own connection; the calling
 * thread takes the first range on st. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "err.h"
#include "store_internal.h"

#define STORE__MAX_THREADS 8

typedef struct sum_part {
  store *st;
  int64_t run_id;
  const metric_set *ms;
  size_t first, count, n;
  const stats_kind *kind;
  stats_summary *out;
  int err;
  char msg[512];
} sum_part;

static int part_rows(void *ctx, size_t lo, size_t hi, double *vals) {
  const sum_part *p = ctx;
  return store_columns_chunk(p->st, p->run_id, p->ms, p->first, p->count, lo, hi, vals);
}

static void *part_main(void *arg) {
  sum_part *p = arg;
  p->err =
      stats_summarize_stream(p->out + p->first, p->count, p->kind + p->first, p->n, part_rows, p);
  if (p->err) snprintf(p->msg, sizeof p->msg, "%s", store_errmsg(p->st));
  return NULL;
}

int store_summarize(store *st, int64_t run_id, const metric_set *ms, size_t n,
                    const stats_kind *kind, stats_summary *out, int threads) {
  sum_part part[STORE__MAX_THREADS];
  pthread_t th[STORE__MAX_THREADS];
  int started[STORE__MAX_THREADS] = {0};
  if (threads <= 0) {
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    threads = ncpu > 0 ? (int)ncpu : 1;
  }
  if (threads > STORE__MAX_THREADS) threads = STORE__MAX_THREADS;
  /* A short run is read once into one chunk: threads would only read it again. */
  if (n * ms->n <= STATS_STREAM_CHUNK || (size_t)threads > ms->n) threads = 1;
  /* Ranges of metrics; a thread whose connection cannot be opened gives its range to
   * the calling thread, which then summarises it after its own. */
  for (int k = 0; k < threads; k++) {
    size_t a = ms->n * (size_t)k / (size_t)threads, b = ms->n * (size_t)(k + 1) / (size_t)threads;
    part[k] = (sum_part){k ? NULL : st, run_id, ms, a, b - a, n, kind, out, 0, ""};
    if (k && store_open_reader(&part[k].st, st) == 0)
      started[k] = pthread_create(&th[k], NULL, part_main, &part[k]) == 0;
  }
  part_main(&part[0]);
  int err = part[0].err;
  for (int k = 1; k < threads; k++) {
    if (started[k]) {
      pthread_join(th[k], NULL);
    } else { /* on st, after the calling thread's own range */
      store *own = part[k].st;
      part[k].st = st;
      part_main(&part[k]);
      part[k].st = own;
    }
    store_close(part[k].st);
    if (part[k].err && !err) {
      err = part[k].err;
      store__fail(st, SQLITE_OK, "%s", part[k].msg); /* the message, on the caller's handle */
    }
  }
  return err;
}
