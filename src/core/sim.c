/* sim.c - the discrete-event kernel: an implicit d-ary heap calendar, the clock, the
 * run loop, resources (servers + FIFO queue), levels and publish/subscribe signals. */
/* madvise(MADV_HUGEPAGE) is a Linux extension beyond the POSIX level the build asks
 * for; without it the calendar simply uses ordinary pages. */
#define _DEFAULT_SOURCE
#include "sim.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "err.h"
#include "stats.h"

/* Heap arity.  Binary and 4-ary were both measured with bench/bench_calendar (see
 * bench/README.md); the default is the one that measured faster.  The other stays
 * selectable at compile time so the comparison can be repeated. */
#ifndef SIM_HEAP_ARITY
#define SIM_HEAP_ARITY 4
#endif
#if SIM_HEAP_ARITY != 2 && SIM_HEAP_ARITY != 4
#error "SIM_HEAP_ARITY must be 2 or 4"
#endif

#if defined(__GNUC__)
#define SIM_LIKELY(x) __builtin_expect(!!(x), 1)
#define SIM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define SIM_INLINE inline __attribute__((always_inline))
#else
#define SIM_INLINE inline
#define SIM_LIKELY(x) (x)
#define SIM_UNLIKELY(x) (x)
#endif

#define SIM_INITIAL_CAP 256 /* entries; the calendar doubles from here */
#define SIM_RING_INITIAL 16 /* waiting requests; rings double from here */
#define SIM_CACHE_LINE 64

/* A calendar entry is 16 bytes: the time, and a key whose high bits are the
 * scheduling sequence number and whose low SIM_SLOT_BITS bits name the slot holding
 * the handler and context.  Sifting moves only these small entries (four per cache
 * line, so the four children of a node in the 4-ary heap share one line); the
 * payload is read once, when the event runs.  Comparing keys compares sequence
 * numbers, since slots only fill the low bits. */
#define SIM_SLOT_BITS 26
#define SIM_SLOT_MASK ((UINT64_C(1) << SIM_SLOT_BITS) - 1)
_Static_assert(SIM_MAX_PENDING <= ((size_t)1 << SIM_SLOT_BITS), "slot index too narrow");
/* Sequence numbers have 64 - 26 = 38 bits (2.7e11 events).  At the limit the
 * calendar is renumbered in order (see seq_renumber), so the limit is never an error.
 * The limit must stay well above the number pending (2^38 >> SIM_MAX_PENDING), or
 * renumbering would repeat; tests/core builds the kernel with a limit of 30000 to
 * exercise the path on calendars of up to ~25000 events. */
#ifndef SIM_SEQ_LIMIT
#define SIM_SEQ_LIMIT (UINT64_C(1) << (64 - SIM_SLOT_BITS))
#endif

typedef struct sim_ev {
  double t;     /* seconds since the epoch */
  uint64_t key; /* seq << SIM_SLOT_BITS | slot */
} sim_ev;

typedef struct sim_slot {
  sim_handler h;
  void *ctx;
} sim_slot;

typedef struct sim_sub {
  sim_listener fn;
  void *ctx;
} sim_sub;

struct sim {
  sim_ev *heap;     /* heap[0] is the earliest event */
  void *heap_block; /* what big_alloc returned (heap is offset inside it) */
  sim_slot *slots;  /* cap of them */
  uint32_t *free_slots; /* stack of free slot indices below slot_hi */
  size_t n, cap, nfree, slot_hi;
  double now;
  uint64_t seq;
  uint64_t events_run;
  /* While a handler runs, the entry it came from is still heap[0] (root_dead = 1).
   * The first sim_at from that handler overwrites it (reusing its slot) and sifts
   * down once, instead of a pop followed by a push; if the handler schedules
   * nothing, the run loop pops it afterwards.  This halves the heap work of the
   * common "reschedule myself". */
  int root_dead;
  int halt; /* sim_stop or sim_fail: leave the run loop after this event */
  int running;
  int err;
  int blamed;       /* blame holds the cause of err */
  sim_blame blame;
  int nsubs[SIG__COUNT];
  sim_sub subs[SIG__COUNT][SIM_MAX_SUBSCRIBERS];
  int *site_holds;  /* [nsite]: closures holding each place (sim_site_close) */
  size_t nsite;
  struct sim_lift *lift; /* [nlift]: shared lift pools (sim_lift_set) */
  size_t nlift;
  struct sim_resource **berth; /* [nberth]: shared berths by place (sim_berth) */
  size_t nberth;
};

typedef struct sim_lift {
  int set, units, used, reserved, peak;
} sim_lift;

/* ---- calendar ------------------------------------------------------------- */

/* Bitwise rather than short-circuit operators: the compiler emits flag arithmetic
 * instead of branches, and the outcome of a heap comparison is a coin toss that a
 * branch predictor cannot learn. */
static inline int ev_less(const sim_ev *a, const sim_ev *b) {
  return (a->t < b->t) | ((a->t == b->t) & (a->key < b->key));
}

#define SIM_HUGE_PAGE ((size_t)2 << 20)

/* Memory for the calendar's arrays, aligned to a cache line.  Big ones are aligned
 * to 2 MiB and offered to the kernel as huge pages: a sift through a calendar of a
 * million events lands on a few random pages per level, and TLB misses then cost as
 * much as the cache misses.  Freed with free(). */
static void *big_alloc(size_t bytes) {
  if (bytes < SIM_HUGE_PAGE) {
    size_t round = (bytes + SIM_CACHE_LINE - 1) & ~(size_t)(SIM_CACHE_LINE - 1);
    return aligned_alloc(SIM_CACHE_LINE, round); /* C11: size a multiple of alignment */
  }
  size_t round = (bytes + SIM_HUGE_PAGE - 1) & ~(SIM_HUGE_PAGE - 1);
  void *p = aligned_alloc(SIM_HUGE_PAGE, round);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (p) (void)madvise(p, round, MADV_HUGEPAGE); /* a hint: failure is harmless */
#endif
  return p;
}

/* An array of cap entries placed so that heap + 1 starts a cache line: with d = 4
 * the children of node i are 4i+1 .. 4i+4, which then fill exactly one line. */
static int heap_alloc(sim_ev **heap, void **block, size_t cap) {
  unsigned char *b = big_alloc((cap + 4) * sizeof(sim_ev));
  if (!b) return ERR_NOMEM;
  *heap = (sim_ev *)(b + SIM_CACHE_LINE - sizeof(sim_ev));
  *block = b;
  return 0;
}

static int heap_grow(sim *s) {
  if (s->cap >= SIM_MAX_PENDING) return ERR_LIMIT;
  size_t cap = s->cap * 2;
  if (cap > SIM_MAX_PENDING) cap = SIM_MAX_PENDING;
  sim_ev *heap;
  void *block;
  if (heap_alloc(&heap, &block, cap)) return ERR_NOMEM;
  sim_slot *slots = big_alloc(cap * sizeof *slots);
  uint32_t *fs = big_alloc(cap * sizeof *fs);
  if (!slots || !fs) {
    free(block);
    free(slots);
    free(fs);
    return ERR_NOMEM;
  }
  memcpy(slots, s->slots, s->slot_hi * sizeof *slots);
  memcpy(fs, s->free_slots, s->nfree * sizeof *fs);
  free(s->slots);
  free(s->free_slots);
  s->slots = slots;
  s->free_slots = fs;
  memcpy(heap, s->heap, s->n * sizeof(sim_ev));
  free(s->heap_block);
  s->heap = heap;
  s->heap_block = block;
  s->cap = cap;
  return 0;
}

/* Index of the smallest child of i, given that i has at least one child (c < n). */
static inline size_t heap_min_child(const sim_ev *heap, size_t c, size_t n) {
#if SIM_HEAP_ARITY == 2
  return c + (size_t)((c + 1 < n) & ev_less(&heap[c + 1], &heap[c]));
#else
  if (SIM_LIKELY(c + 3 < n)) {
    size_t m2 = c + (size_t)ev_less(&heap[c + 1], &heap[c]);
    size_t m3 = c + 2 + (size_t)ev_less(&heap[c + 3], &heap[c + 2]);
    return ev_less(&heap[m3], &heap[m2]) ? m3 : m2;
  }
  size_t m = c;
  for (size_t k = c + 1; k < n; k++)
    if (ev_less(&heap[k], &heap[m])) m = k;
  return m;
#endif
}

/* Ask for the lines holding the grandchildren of i, given children from c on.
 * Large calendars miss cache on the way down; the next level's line is one of a few
 * known now, and asking for all of them overlaps their latency with this level's
 * comparisons instead of paying it in sequence. */
static SIM_INLINE void heap_prefetch(const sim_ev *heap, size_t n, size_t c) {
#if defined(__GNUC__)
  size_t g = SIM_HEAP_ARITY * c + 1;
#if SIM_HEAP_ARITY == 4
  if (g + 12 < n) {
    __builtin_prefetch(&heap[g]);
    __builtin_prefetch(&heap[g + 4]);
    __builtin_prefetch(&heap[g + 8]);
    __builtin_prefetch(&heap[g + 12]);
  }
#else
  if (g + 3 < n) {
    __builtin_prefetch(&heap[g]);
    __builtin_prefetch(&heap[g + 3]);
  }
#endif
#else
  (void)heap, (void)n, (void)c;
#endif
}

/* Put x into the hole at i and restore heap order below it.  Bottom-up (Floyd): the
 * hole walks to a leaf along smallest children without comparing against x, then x
 * climbs back.  A new event usually belongs near the leaves (most entries are
 * there), so this saves a comparison per level; see bench/README.md. */
static SIM_INLINE void heap_sift_down(sim_ev *heap, size_t n, size_t i, sim_ev x) {
  size_t top = i;
  for (;;) {
    size_t c = SIM_HEAP_ARITY * i + 1;
    if (c >= n) break;
    heap_prefetch(heap, n, c);
    size_t m = heap_min_child(heap, c, n);
    heap[i] = heap[m];
    i = m;
  }
  while (i > top) {
    size_t p = (i - 1) / SIM_HEAP_ARITY;
    if (!ev_less(&x, &heap[p])) break;
    heap[i] = heap[p];
    i = p;
  }
  heap[i] = x;
}

static inline void heap_sift_up(sim_ev *heap, size_t i, sim_ev x) {
  while (i > 0) {
    size_t p = (i - 1) / SIM_HEAP_ARITY;
    if (!ev_less(&x, &heap[p])) break;
    heap[i] = heap[p];
    i = p;
  }
  heap[i] = x;
}

/* The event after this one is either what its handler schedules or the smallest
 * child of the root; fetch that child's slot while the handler runs, since in a
 * large calendar it is anywhere in memory. */
static inline void slot_prefetch_next(const sim *s) {
#if defined(__GNUC__)
  if (s->n > 1) {
    size_t m = heap_min_child(s->heap, 1, s->n);
    __builtin_prefetch(&s->slots[s->heap[m].key & SIM_SLOT_MASK]);
  }
#else
  (void)s;
#endif
}

static int ev_cmp(const void *pa, const void *pb) {
  const sim_ev *a = pa, *b = pb;
  return ev_less(a, b) ? -1 : ev_less(b, a);
}

/* Sequence numbers ran out: sort the calendar (a sorted array is a valid heap) and
 * number the entries 0, 1, ... in that order.  Relative order is unchanged, so runs
 * are the same as with unbounded sequence numbers.  Once per 2^38 schedules. */
static void seq_renumber(sim *s) {
  qsort(s->heap, s->n, sizeof *s->heap, ev_cmp);
  for (size_t i = 0; i < s->n; i++)
    s->heap[i].key = (uint64_t)i << SIM_SLOT_BITS | (s->heap[i].key & SIM_SLOT_MASK);
  s->seq = s->n;
}

/* ---- lifecycle and clock --------------------------------------------------- */

sim *sim_new(void) {
  sim *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->slots = big_alloc(SIM_INITIAL_CAP * sizeof *s->slots);
  s->free_slots = big_alloc(SIM_INITIAL_CAP * sizeof *s->free_slots);
  if (!s->slots || !s->free_slots || heap_alloc(&s->heap, &s->heap_block, SIM_INITIAL_CAP)) {
    free(s->slots);
    free(s->free_slots);
    free(s);
    return NULL;
  }
  s->cap = SIM_INITIAL_CAP;
  return s;
}

void sim_free(sim *s) {
  if (!s) return;
  free(s->heap_block);
  free(s->slots);
  free(s->free_slots);
  free(s->site_holds);
  free(s->lift);
  free(s->berth);
  free(s);
}

void sim_reset(sim *s) {
  if (NEVER(s->running)) return; /* resetting from inside a handler is a bug */
  s->n = 0; /* capacity kept: the next replication allocates nothing */
  s->nfree = 0;
  s->slot_hi = 0;
  s->now = 0;
  s->seq = 0;
  s->events_run = 0;
  s->root_dead = 0;
  s->halt = 0;
  s->err = 0;
  s->blamed = 0;
  memset(s->nsubs, 0, sizeof s->nsubs);
  if (s->nsite) memset(s->site_holds, 0, s->nsite * sizeof *s->site_holds);
  if (s->nlift) memset(s->lift, 0, s->nlift * sizeof *s->lift);
  if (s->nberth) memset(s->berth, 0, s->nberth * sizeof *s->berth); /* arena memory */
}

double sim_now(const sim *s) { return s->now; }

/* Record the first error only: later ones are usually consequences of it. */
static int sim_record(sim *s, int err) {
  if (!s->err) s->err = err;
  s->halt = 1;
  return err;
}

static int sim_push(sim *s, double t, sim_handler h, void *ctx) {
  if (SIM_UNLIKELY(s->seq >= SIM_SEQ_LIMIT)) seq_renumber(s);
  uint64_t seq = s->seq++ << SIM_SLOT_BITS;
  if (s->root_dead) {
    /* Replace the entry of the event being handled (see struct sim), keeping its
     * slot.  t >= now = that entry's time, so only a sift down can be needed. */
    s->root_dead = 0;
    uint64_t slot = s->heap[0].key & SIM_SLOT_MASK;
    s->slots[slot] = (sim_slot){h, ctx};
    heap_sift_down(s->heap, s->n, 0, (sim_ev){t, seq | slot});
    return 0;
  }
  if (SIM_UNLIKELY(s->n == s->cap)) {
    int rc = heap_grow(s);
    if (rc) return sim_record(s, rc);
  }
  /* Slots in use = n (this is not the root_dead case), so slot_hi <= cap. */
  uint64_t slot = s->nfree ? s->free_slots[--s->nfree] : s->slot_hi++;
  s->slots[slot] = (sim_slot){h, ctx};
  heap_sift_up(s->heap, s->n++, (sim_ev){t, seq | slot});
  return 0;
}

int sim_at(sim *s, double t, sim_handler h, void *ctx) {
  /* One test rejects the past, NaN (compares false) and +inf. */
  if (SIM_UNLIKELY(!(t >= s->now && t <= DBL_MAX) || !h)) return sim_record(s, ERR_RANGE);
  return sim_push(s, t, h, ctx);
}

int sim_after(sim *s, double delay, sim_handler h, void *ctx) {
  double t = s->now + delay;
  if (SIM_UNLIKELY(!(delay >= 0 && t <= DBL_MAX) || !h)) return sim_record(s, ERR_RANGE);
  return sim_push(s, t, h, ctx);
}

int sim_run(sim *s, double until) {
  if (s->err) return s->err;
  if (NEVER(s->running)) return sim_record(s, ERR_USAGE); /* sim_run from a handler */
  if (!(until >= s->now)) return sim_record(s, ERR_RANGE); /* also NaN */
  s->halt = 0;
  s->running = 1;
  while (s->n > 0 && s->heap[0].t <= until) {
    const sim_slot *p = &s->slots[s->heap[0].key & SIM_SLOT_MASK];
    sim_handler h = p->h;
    void *ctx = p->ctx;
    s->now = s->heap[0].t;
    s->events_run++;
    s->root_dead = 1;
    slot_prefetch_next(s);
    h(s, ctx);
    if (s->root_dead) {
      /* Nothing rescheduled: pop the entry and free its slot. */
      s->root_dead = 0;
      s->free_slots[s->nfree++] = (uint32_t)(s->heap[0].key & SIM_SLOT_MASK);
      size_t n = --s->n;
      if (n > 0) heap_sift_down(s->heap, n, 0, s->heap[n]);
    }
    if (SIM_UNLIKELY(s->halt)) break;
  }
  s->running = 0;
  /* An infinite horizon leaves the clock at the last event. */
  if (!s->halt && until <= DBL_MAX) s->now = until;
  s->halt = 0;
  return s->err;
}

void sim_stop(sim *s) { s->halt = 1; }

void sim_fail(sim *s, int err) { sim_record(s, err ? err : ERR_USAGE); }

int sim_error(const sim *s) { return s->err; }

void sim_fail_blame(sim *s, int err, const sim_blame *b) {
  int first = !s->err;
  sim_fail(s, err);
  if (first && b) {
    s->blame = *b;
    s->blamed = 1;
  }
}

const sim_blame *sim_error_blame(const sim *s) { return s->err && s->blamed ? &s->blame : NULL; }

int sim_at_drawn(sim *s, double t0, double draw, sim_handler h, void *ctx, const sim_blame *b) {
  double t = t0 + (draw > 0 ? draw : 0);
  if (!isfinite(draw) || !(t >= s->now && t <= DBL_MAX)) {
    sim_blame at = *b;
    at.value = draw;
    sim_fail_blame(s, ERR_RANGE, &at);
    return ERR_RANGE;
  }
  return sim_at(s, t, h, ctx);
}

int sim_after_drawn(sim *s, double draw, sim_handler h, void *ctx, const sim_blame *b) {
  return sim_at_drawn(s, s->now, draw, h, ctx, b);
}

size_t sim_pending(const sim *s) { return s->n - (size_t)s->root_dead; }

uint64_t sim_events_run(const sim *s) { return s->events_run; }

/* ---- resources -------------------------------------------------------------- */

typedef struct sim_waiter {
  sim_handler h;
  void *ctx;
} sim_waiter;

struct sim_resource {
  sim *s;
  arena *a;          /* rings grow here */
  int servers, busy; /* invariant: queued > 0 implies busy == servers */
  sim_waiter *ring;  /* FIFO of waiting requests */
  size_t cap, head, count;
  stats_tw busy_tw, queue_tw;
};

sim_resource *sim_resource_new(sim *s, arena *a, int servers) {
  if (servers < 1) return NULL;
  sim_resource *r = arena_alloc(a, sizeof *r);
  if (!r) return NULL;
  memset(r, 0, sizeof *r);
  r->ring = arena_alloc(a, SIM_RING_INITIAL * sizeof *r->ring);
  if (!r->ring) return NULL;
  r->s = s;
  r->a = a;
  r->servers = servers;
  r->cap = SIM_RING_INITIAL;
  r->busy_tw.last_t = r->queue_tw.last_t = s->now;
  return r;
}

/* Double a full ring inside the arena.  The old ring is abandoned there (the arena
 * frees nothing singly); geometric growth bounds the waste by the final size. */
static int ring_grow(arena *a, void **ring, size_t *cap, size_t head, size_t elem) {
  size_t ncap = *cap * 2;
  unsigned char *nr = arena_calloc(a, ncap, elem);
  if (!nr) return ERR_LIMIT;
  unsigned char *old = *ring;
  size_t first = *cap - head; /* entries from head to the end of the old ring */
  memcpy(nr, old + head * elem, first * elem);
  memcpy(nr + first * elem, old, head * elem);
  *ring = nr;
  *cap = ncap;
  return 0;
}

int sim_request(sim_resource *r, sim_handler granted, void *ctx) {
  sim *s = r->s;
  if (SIM_UNLIKELY(!granted)) return sim_record(s, ERR_RANGE);
  if (r->busy < r->servers) {
    r->busy++;
    stats_tw_set(&r->busy_tw, s->now, r->busy);
    granted(s, ctx);
    return 0;
  }
  if (SIM_UNLIKELY(r->count == r->cap)) {
    void *ring = r->ring;
    int rc = ring_grow(r->a, &ring, &r->cap, r->head, sizeof *r->ring);
    if (rc) return sim_record(s, rc);
    r->ring = ring;
    r->head = 0;
  }
  size_t tail = r->head + r->count;
  if (tail >= r->cap) tail -= r->cap;
  r->ring[tail] = (sim_waiter){granted, ctx};
  r->count++;
  stats_tw_set(&r->queue_tw, s->now, (double)r->count);
  return 0;
}

void sim_release(sim_resource *r) {
  sim *s = r->s;
  if (NEVER(r->busy <= 0)) return;
  if (r->count > 0) {
    /* The server passes straight to the head waiter, so nobody arriving at this
     * same instant can overtake it; the grant runs from the calendar at `now`. */
    sim_waiter w = r->ring[r->head];
    if (++r->head == r->cap) r->head = 0;
    r->count--;
    stats_tw_set(&r->queue_tw, s->now, (double)r->count);
    sim_at(s, s->now, w.h, w.ctx);
    return;
  }
  r->busy--;
  stats_tw_set(&r->busy_tw, s->now, r->busy);
}

int sim_resource_servers(const sim_resource *r) { return r->servers; }
int sim_resource_busy(const sim_resource *r) { return r->busy; }
size_t sim_resource_queued(const sim_resource *r) { return r->count; }

double sim_resource_mean_busy(const sim_resource *r) {
  return stats_tw_mean(&r->busy_tw, r->s->now);
}

double sim_resource_mean_queue(const sim_resource *r) {
  return stats_tw_mean(&r->queue_tw, r->s->now);
}

/* ---- levels ------------------------------------------------------------------ */

typedef struct sim_withdrawal {
  double amount;
  sim_handler h;
  void *ctx;
} sim_withdrawal;

struct sim_level {
  sim *s;
  arena *a;
  double capacity, amount;
  sim_withdrawal *ring;
  size_t cap, head, count;
};

sim_level *sim_level_new(sim *s, arena *a, double capacity, double initial) {
  if (!(capacity >= 0) || !(initial >= 0) || initial > capacity) return NULL;
  sim_level *l = arena_alloc(a, sizeof *l);
  if (!l) return NULL;
  memset(l, 0, sizeof *l);
  l->ring = arena_alloc(a, SIM_RING_INITIAL * sizeof *l->ring);
  if (!l->ring) return NULL;
  l->s = s;
  l->a = a;
  l->capacity = capacity;
  l->amount = initial;
  l->cap = SIM_RING_INITIAL;
  return l;
}

/* Serve waiting withdrawals in FIFO order while the head one fits.  A head that
 * does not fit blocks those behind it (strict FIFO: a large request is not starved
 * by a stream of small ones).  Completions run from the calendar at `now`, so a put
 * never re-enters the caller's handlers. */
static void level_serve(sim_level *l) {
  while (l->count > 0) {
    sim_withdrawal *w = &l->ring[l->head];
    if (w->amount > l->amount) break;
    l->amount -= w->amount;
    sim_handler h = w->h;
    void *ctx = w->ctx;
    if (++l->head == l->cap) l->head = 0;
    l->count--;
    sim_at(l->s, l->s->now, h, ctx);
  }
}

/* The capacity clamps the put before any waiting withdrawal is served: what did not
 * fit at the instant of delivery is returned, as a full tank turns a tanker away. */
double sim_level_put(sim_level *l, double amount) {
  if (SIM_UNLIKELY(!(amount >= 0))) {
    sim_record(l->s, ERR_RANGE);
    return 0;
  }
  double space = l->capacity - l->amount;
  double in = amount < space ? amount : space;
  l->amount += in;
  level_serve(l);
  return amount - in;
}

int sim_level_get(sim_level *l, double amount, sim_handler done, void *ctx) {
  sim *s = l->s;
  /* A request larger than the capacity could never be met: refuse it now rather
   * than let it block the queue forever. */
  if (SIM_UNLIKELY(!(amount >= 0) || amount > l->capacity || !done))
    return sim_record(s, ERR_RANGE);
  if (l->count == 0 && amount <= l->amount) {
    l->amount -= amount;
    done(s, ctx);
    return 0;
  }
  if (SIM_UNLIKELY(l->count == l->cap)) {
    void *ring = l->ring;
    int rc = ring_grow(l->a, &ring, &l->cap, l->head, sizeof *l->ring);
    if (rc) return sim_record(s, rc);
    l->ring = ring;
    l->head = 0;
  }
  size_t tail = l->head + l->count;
  if (tail >= l->cap) tail -= l->cap;
  l->ring[tail] = (sim_withdrawal){amount, done, ctx};
  l->count++;
  return 0;
}

double sim_level_amount(const sim_level *l) { return l->amount; }
size_t sim_level_waiting(const sim_level *l) { return l->count; }

/* ---- signals ------------------------------------------------------------------ */

int sim_subscribe(sim *s, sim_signal_type type, sim_listener fn, void *ctx) {
  if ((unsigned)type >= SIG__COUNT || !fn) return ERR_RANGE;
  int n = s->nsubs[type];
  if (n >= SIM_MAX_SUBSCRIBERS) return ERR_LIMIT;
  s->subs[type][n] = (sim_sub){fn, ctx};
  s->nsubs[type] = n + 1;
  return 0;
}

void sim_publish(sim *s, const sim_signal *sig) {
  if (NEVER((unsigned)sig->type >= SIG__COUNT)) return;
  /* Subscribers added while this signal is delivered hear the next one, not this. */
  int n = s->nsubs[sig->type];
  const sim_sub *sub = s->subs[sig->type];
  for (int i = 0; i < n; i++) sub[i].fn(s, sig, sub[i].ctx);
}

/* ---- site closures ----------------------------------------------------------- */

int sim_sites(sim *s, size_t nplace) {
  if (nplace <= s->nsite) return 0;
  int *h = realloc(s->site_holds, nplace * sizeof *h);
  if (!h) return ERR_NOMEM;
  memset(h + s->nsite, 0, (nplace - s->nsite) * sizeof *h);
  s->site_holds = h;
  s->nsite = nplace;
  return 0;
}

static void site_publish(sim *s, int place, int open, int source) {
  sim_signal sig = {.type = SIG_SITE_STATUS, .source = source, .place = place, .region = -1,
                    .open = open};
  sim_publish(s, &sig);
}

void sim_site_close(sim *s, int place, int source) {
  if (NEVER(place < 0 || (size_t)place >= s->nsite)) return;
  if (s->site_holds[place]++ == 0) site_publish(s, place, 0, source);
}

void sim_site_reopen(sim *s, int place, int source) {
  if (NEVER(place < 0 || (size_t)place >= s->nsite || s->site_holds[place] <= 0)) return;
  if (--s->site_holds[place] == 0) site_publish(s, place, 1, source);
}

int sim_site_holds(const sim *s, int place) {
  return place >= 0 && (size_t)place < s->nsite ? s->site_holds[place] : 0;
}

/* ---- shared lift ------------------------------------------------------------- */

int sim_lifts(sim *s, size_t nforce) {
  if (nforce <= s->nlift) return 0;
  sim_lift *l = realloc(s->lift, nforce * sizeof *l);
  if (!l) return ERR_NOMEM;
  memset(l + s->nlift, 0, (nforce - s->nlift) * sizeof *l);
  s->lift = l;
  s->nlift = nforce;
  return 0;
}

static sim_lift *lift_of(const sim *s, int force) {
  return force >= 0 && (size_t)force < s->nlift && s->lift[force].set ? &s->lift[force] : NULL;
}

void sim_lift_set(sim *s, int force, int units) {
  if (NEVER(force < 0 || (size_t)force >= s->nlift)) return;
  sim_lift *l = &s->lift[force];
  if (!l->set) *l = (sim_lift){1, units, 0, 0, 0};
}

int sim_lift_available(const sim *s, int force) {
  const sim_lift *l = lift_of(s, force);
  if (!l) return 0;
  int n = l->units - l->used - l->reserved;
  return n > 0 ? n : 0;
}

int sim_lift_take(sim *s, int force, int reserved) {
  sim_lift *l = lift_of(s, force);
  if (!l) return 0;
  if (reserved ? l->reserved <= 0 || l->used >= l->units : sim_lift_available(s, force) <= 0)
    return 0;
  if (reserved) l->reserved--;
  if (++l->used > l->peak) l->peak = l->used;
  return 1;
}

void sim_lift_give(sim *s, int force) {
  sim_lift *l = lift_of(s, force);
  if (NEVER(!l || l->used <= 0)) return;
  l->used--;
}

void sim_lift_reserve(sim *s, int force, int delta) {
  sim_lift *l = lift_of(s, force);
  if (NEVER(!l || l->reserved + delta < 0)) return;
  l->reserved += delta;
}

int sim_lift_peak(const sim *s, int force) {
  const sim_lift *l = lift_of(s, force);
  return l ? l->peak : 0;
}

/* ---- shared berths ------------------------------------------------------------- */

int sim_berths(sim *s, size_t nplace) {
  if (nplace <= s->nberth) return 0;
  sim_resource **b = realloc(s->berth, nplace * sizeof *b);
  if (!b) return ERR_NOMEM;
  memset(b + s->nberth, 0, (nplace - s->nberth) * sizeof *b);
  s->berth = b;
  s->nberth = nplace;
  return 0;
}

sim_resource *sim_berth(sim *s, arena *a, int place, int servers) {
  if (NEVER(place < 0 || (size_t)place >= s->nberth) || s->running) return NULL;
  sim_resource *r = s->berth[place];
  if (!r) return s->berth[place] = sim_resource_new(s, a, servers);
  /* Before the run nothing has asked for a server yet: more servers change nothing
   * but the count. */
  if (servers > r->servers) r->servers = servers;
  return r;
}
