/* store_ahead.c - a run's rows read a chunk ahead (store.h: store_ahead_*): a thread
 * of its own, on its own connection to the file, steps SQLite through every other
 * chunk of replications while the caller reads the ones between.
 *
 * A summary's pass over a long run is mostly SQLite stepping through the rows and
 * their checksums (store_summary.c); the caller's own work on a chunk (sums, the
 * quantiles' counting) is the smaller part: a thread that only read the next chunk
 * ahead left the pass as long as before (20,000 replications).  Two readers taking
 * the chunks in turn gain less than the split suggests: the summary of a
 * 20,000-replication run took 0.83-0.89 s wall (1.20-1.26 s CPU) against 0.91-0.95 s
 * on one reader (quiet machine, 2026-12-07, bench/README.md), so something besides the
 * stepping -- not yet found -- bounds it.  The values are the ones a read on st gives
 * (store_values_chunk), whichever connection read them, so nothing downstream depends
 * on the thread. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "store_internal.h"

enum { AHEAD_IDLE, AHEAD_BUSY, AHEAD_READY, AHEAD_FAILED };

struct store_ahead {
  store *st, *rd; /* rd: the thread's reader; NULL: every chunk is read on st */
  int64_t run_id;
  const metric_set *ms;
  size_t first, count; /* metrics [first, first + count) */
  size_t n;            /* replications [0, n) */
  double *buf;         /* the chunk asked of the thread */
  size_t lo, hi, cap;
  int state, quit;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t cond;
};

static int read_chunk(const store_ahead *a, store *on, size_t lo, size_t hi, double *vals) {
  return store_columns_chunk(on, a->run_id, a->ms, a->first, a->count, lo, hi, vals);
}

static void *ahead_main(void *arg) {
  store_ahead *a = arg;
  pthread_mutex_lock(&a->lock);
  for (;;) {
    while (a->state != AHEAD_BUSY && !a->quit) pthread_cond_wait(&a->cond, &a->lock);
    if (a->quit) break;
    size_t lo = a->lo, hi = a->hi;
    pthread_mutex_unlock(&a->lock);
    int err = read_chunk(a, a->rd, lo, hi, a->buf);
    pthread_mutex_lock(&a->lock);
    a->state = err ? AHEAD_FAILED : AHEAD_READY;
    pthread_cond_broadcast(&a->cond);
  }
  pthread_mutex_unlock(&a->lock);
  return NULL;
}

int store_ahead_open(store_ahead **out, store *st, int64_t run_id, const metric_set *ms, size_t n,
                     size_t rows) {
  return store_ahead_open_columns(out, st, run_id, ms, 0, ms->n, n, rows);
}

int store_ahead_open_columns(store_ahead **out, store *st, int64_t run_id,
                             const metric_set *ms, size_t first, size_t count, size_t n,
                             size_t rows) {
  store_ahead *a = calloc(1, sizeof *a);
  *out = a;
  if (!a) return ERR_NOMEM;
  a->st = st, a->run_id = run_id, a->ms = ms, a->n = n;
  a->first = first, a->count = count, a->cap = rows * count;
  /* One chunk is the whole run: nothing to read ahead of. */
  if (rows >= n || !count) return 0;
  if (!(a->buf = malloc(a->cap * sizeof *a->buf)) || store_open_reader(&a->rd, st)) {
    free(a->buf);
    a->buf = NULL, a->rd = NULL; /* a store in memory, or no memory: read on st */
    return 0;
  }
  pthread_mutex_init(&a->lock, NULL);
  pthread_cond_init(&a->cond, NULL);
  if (pthread_create(&a->thread, NULL, ahead_main, a)) {
    pthread_mutex_destroy(&a->lock);
    pthread_cond_destroy(&a->cond);
    store_close(a->rd);
    free(a->buf);
    a->rd = NULL, a->buf = NULL;
  }
  return 0;
}

/* Where the chunk after one that ends at hi starts: hi, or 0 after the last (a
 * summary makes several passes); and where a chunk of `size` from lo ends. */
static size_t after(const store_ahead *a, size_t hi) { return hi < a->n ? hi : 0; }

static size_t end_of(const store_ahead *a, size_t lo, size_t size) {
  return a->n - lo < size ? a->n : lo + size;
}

int store_ahead_fill(void *ctx, size_t lo, size_t hi, double *vals) {
  store_ahead *a = ctx;
  if (!a->rd) return read_chunk(a, a->st, lo, hi, vals);
  pthread_mutex_lock(&a->lock);
  while (a->state == AHEAD_BUSY && a->lo == lo && a->hi == hi)
    pthread_cond_wait(&a->cond, &a->lock);
  int hit = a->state == AHEAD_READY && a->lo == lo && a->hi == hi;
  if (hit) memcpy(vals, a->buf, (hi - lo) * a->count * sizeof *vals);
  /* Two readers take the chunks in turn: the thread the next one while this one is
   * read here, or, when this one was the thread's, the one after next while the
   * caller reads the next itself.  SQLite's stepping is most of a pass; two readers
   * halve it. */
  size_t size = hi - lo, next = after(a, hi);
  if (hit) next = after(a, end_of(a, next, size));
  if (a->state != AHEAD_BUSY) {
    a->state = AHEAD_IDLE;
    if (size && size * a->count <= a->cap) {
      a->lo = next, a->hi = end_of(a, next, size), a->state = AHEAD_BUSY;
      pthread_cond_broadcast(&a->cond);
    }
  }
  pthread_mutex_unlock(&a->lock);
  /* A miss (the first chunk, the caller's turn, another order) or the thread's
   * failure: read here, where a failure has its message on st. */
  return hit ? 0 : read_chunk(a, a->st, lo, hi, vals);
}

void store_ahead_close(store_ahead *a) {
  if (!a) return;
  if (a->rd) {
    pthread_mutex_lock(&a->lock);
    a->quit = 1;
    pthread_cond_broadcast(&a->cond);
    pthread_mutex_unlock(&a->lock);
    pthread_join(a->thread, NULL);
    pthread_mutex_destroy(&a->lock);
    pthread_cond_destroy(&a->cond);
    store_close(a->rd);
  }
  free(a->buf);
  free(a);
}
