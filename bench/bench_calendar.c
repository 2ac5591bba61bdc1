/* bench_calendar.c - the classic hold model on the kernel's calendar, against a bare
 * binary heap of doubles: holds per second at 1e3, 1e5 and 1e6 pending events. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "rng.h"
#include "sim.h"
#include "bench_clock.h"

/* Increments are drawn once (exponential, mean 1 s) and cycled, so every variant
 * sees the same sequence and the timing measures the calendar, not the logarithm.
 * 2^16 doubles (512 KiB) stay in L2 and are read in order. */
#define INC_BITS 16
#define INC_N ((size_t)1 << INC_BITS)
#define INC_MASK (INC_N - 1)
#define REPEATS 3 /* each figure is the best of this many timed runs */

static double *g_inc;

/* ---- the kernel --------------------------------------------------------------- */

typedef struct hold_state {
  const double *inc;
  size_t k;
  uint64_t left;
} hold_state;

static void hold(sim *s, void *ctx) {
  hold_state *h = ctx;
  sim_after(s, h->inc[h->k++ & INC_MASK], hold, h);
  if (--h->left == 0) sim_stop(s);
}

/* Returns holds per second; *end receives the clock at the end (a checksum). */
static double kernel_holds(size_t pending, uint64_t warm, uint64_t holds, double *end) {
  sim *s = sim_new();
  if (!s) abort();
  hold_state h = {g_inc, 0, warm};
  for (size_t i = 0; i < pending; i++)
    if (sim_at(s, g_inc[h.k++ & INC_MASK], hold, &h)) abort();
  if (warm && sim_run(s, INFINITY)) abort();
  h.left = holds;
  double t0 = now_s();
  if (sim_run(s, INFINITY)) abort();
  double dt = now_s() - t0;
  if (sim_pending(s) != pending) abort();
  *end = sim_now(s);
  sim_free(s);
  return (double)holds / dt;
}

/* ---- a bare binary heap of doubles ----------------------------------------------
 * The floor any calendar could reach: 8-byte keys, no tie-break, no payload. */

typedef struct dheap {
  double *a;
  size_t n;
} dheap;

static void dheap_push(dheap *h, double x) {
  size_t i = h->n++;
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (!(x < h->a[p])) break;
    h->a[i] = h->a[p];
    i = p;
  }
  h->a[i] = x;
}

/* Put x in the hole at the root and sift it down. */
static void dheap_sift_root(dheap *h, double x) {
  size_t i = 0, n = h->n;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && h->a[c + 1] < h->a[c]) c++;
    if (!(h->a[c] < x)) break;
    h->a[i] = h->a[c];
    i = c;
  }
  h->a[i] = x;
}

static double dheap_pop(dheap *h) {
  double top = h->a[0];
  double last = h->a[--h->n];
  if (h->n) dheap_sift_root(h, last);
  return top;
}

/* replace_top: 0 = pop then push (the hold as usually written), 1 = overwrite the
 * root and sift down once (what the kernel does when a handler reschedules). */
static double bare_holds(size_t pending, uint64_t warm, uint64_t holds, int replace_top,
                         double *end) {
  dheap h = {malloc(pending * sizeof(double)), 0};
  if (!h.a) abort();
  size_t k = 0;
  for (size_t i = 0; i < pending; i++) dheap_push(&h, g_inc[k++ & INC_MASK]);
  double t = 0, t0 = 0;
  for (uint64_t j = 0; j < warm + holds; j++) {
    if (j == warm) t0 = now_s();
    if (replace_top) {
      t = h.a[0];
      dheap_sift_root(&h, t + g_inc[k++ & INC_MASK]);
    } else {
      t = dheap_pop(&h);
      dheap_push(&h, t + g_inc[k++ & INC_MASK]);
    }
  }
  double dt = now_s() - t0;
  *end = t;
  free(h.a);
  return (double)holds / dt;
}

static double best(double a, double b) { return a > b ? a : b; }

int main(int argc, char **argv) {
  /* Optional argument: scale the number of holds (e.g. 0.1 for a quick look). */
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  if (!(scale > 0)) scale = 1.0;
  g_inc = malloc(INC_N * sizeof *g_inc);
  if (!g_inc) return 1;
  rng_stream r;
  rng_init(&r, 1, 0, RNG_TEST, 0);
  for (size_t i = 0; i < INC_N; i++) g_inc[i] = rng_exponential(&r, 1.0);

  static const struct {
    size_t pending;
    uint64_t holds;
  } cases[] = {{1000, 20000000}, {100000, 10000000}, {1000000, 5000000}};

  printf("hold model: holds per second (best of %d), increments exponential, mean 1 s\n",
         REPEATS);
  printf("%10s %14s %14s %14s %10s\n", "pending", "kernel", "bare pop+push",
         "bare replace", "bare/kern");
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    size_t n = cases[c].pending;
    uint64_t holds = (uint64_t)((double)cases[c].holds * scale);
    if (holds < 1) holds = 1;
    /* Warm-up: enough holds that the pending set reaches its steady shape. */
    uint64_t warm = n > holds ? n : holds / 4;
    double k = 0, b = 0, br = 0, ek = 0, eb = 0, ebr = 0;
    for (int rep = 0; rep < REPEATS; rep++) {
      k = best(k, kernel_holds(n, warm, holds, &ek));
      b = best(b, bare_holds(n, warm, holds, 0, &eb));
      br = best(br, bare_holds(n, warm, holds, 1, &ebr));
    }
    printf("%10zu %14.3e %14.3e %14.3e %10.2f\n", n, k, b, br, best(b, br) / k);
    /* All three ran the same holds on the same keys, so they end at the same time
     * (ties between random doubles aside). */
    if (ek != eb || eb != ebr)
      printf("  note: end times differ: kernel %.17g, bare %.17g, %.17g\n", ek, eb, ebr);
  }
  free(g_inc);
  return 0;
}
