/* test_sim.c - unit tests of the event kernel: calendar order and ties, the run loop
 * (until/stop/fail/reset), resources, levels and signals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "arena.h"
#include "err.h"
#include "rng.h"
#include "sim.h"

/* Randomized tests use this seed; STRAITS_TEST_SEED overrides it to replay a failure
 * or to explore.  Every randomized assertion names the seed in its message. */
static uint64_t test_seed(void) {
  const char *e = getenv("STRAITS_TEST_SEED");
  return e && *e ? strtoull(e, NULL, 0) : UINT64_C(20270401);
}

/* ---- calendar order ------------------------------------------------------------ */

typedef struct order_rec {
  double t;
  uint64_t id; /* scheduling order */
} order_rec;

typedef struct order_log {
  sim *s;
  rng_stream *r;
  order_rec *rec;
  size_t n, cap;
  uint64_t next_id;
  size_t respawn; /* how many more events handlers may schedule */
  int coarse;     /* times on a coarse grid, so ties are frequent */
  double p_second; /* chance that a handler schedules a second event */
} order_log;

typedef struct order_ev {
  order_log *log;
  uint64_t id;
} order_ev;

static double draw_time(order_log *g, double from) {
  double u = rng_uniform(g->r);
  /* Coarse: one of 8 instants from `from` on (including now itself). */
  return g->coarse ? from + floor(u * 8.0) : from + 100.0 * u;
}

static void order_handler(sim *s, void *ctx);

static order_ev *order_new_event(order_log *g, order_ev *pool) {
  order_ev *e = &pool[g->next_id];
  e->log = g;
  e->id = g->next_id++;
  return e;
}

static order_ev *g_pool; /* the pool of the running test (one test at a time) */

static void order_handler(sim *s, void *ctx) {
  order_ev *e = ctx;
  order_log *g = e->log;
  assert_true(g->n < g->cap);
  g->rec[g->n++] = (order_rec){sim_now(s), e->id};
  /* Handlers also schedule, some at the current instant, to exercise the path where
   * a handler's first schedule replaces its own calendar record. */
  if (g->respawn > 0) {
    g->respawn--;
    order_ev *x = order_new_event(g, g_pool);
    assert_int_equal(sim_at(s, draw_time(g, sim_now(s)), order_handler, x), 0);
    if (g->respawn > 0 && rng_uniform(g->r) < g->p_second) {
      g->respawn--;
      x = order_new_event(g, g_pool);
      assert_int_equal(sim_at(s, draw_time(g, sim_now(s)), order_handler, x), 0);
    }
  }
}

/* Events must come out by time, and at equal times by scheduling order; events that
 * were scheduled later at an earlier-or-equal instant never run before the one that
 * scheduled them (their id is larger and their time not smaller). */
static void check_order(uint64_t seed, const order_rec *rec, size_t n) {
  for (size_t i = 1; i < n; i++) {
    const order_rec *a = &rec[i - 1], *b = &rec[i];
    if (b->t < a->t || (b->t == a->t && b->id < a->id))
      fail_msg("seed %llu: event %zu (t=%.17g id=%llu) ran after (t=%.17g id=%llu)",
               (unsigned long long)seed, i, b->t, (unsigned long long)b->id, a->t,
               (unsigned long long)a->id);
  }
}

static void run_order_case(int coarse, size_t initial, size_t respawn, double p_second) {
  uint64_t seed = test_seed();
  rng_stream r;
  rng_init(&r, seed, (uint32_t)coarse, RNG_TEST, 1);
  size_t total = initial + respawn;
  order_ev *pool = calloc(total, sizeof *pool);
  order_rec *rec = calloc(total, sizeof *rec);
  assert_non_null(pool);
  assert_non_null(rec);
  g_pool = pool;
  sim *s = sim_new();
  assert_non_null(s);
  order_log g = {s, &r, rec, 0, total, 0, respawn, coarse, p_second};
  for (size_t i = 0; i < initial; i++) {
    order_ev *e = order_new_event(&g, pool);
    assert_int_equal(sim_at(s, draw_time(&g, 0.0), order_handler, e), 0);
  }
  assert_int_equal(sim_pending(s), initial);
  assert_int_equal(sim_run(s, INFINITY), 0);
  assert_int_equal(sim_pending(s), 0);
  if (g.n != total)
    fail_msg("seed %llu: ran %zu events, expected %zu", (unsigned long long)seed, g.n, total);
  assert_int_equal(sim_events_run(s), total);
  check_order(seed, rec, g.n);
  sim_free(s);
  free(pool);
  free(rec);
}

/* Random times: 20000 initial events (the calendar grows several times), 20000 more
 * scheduled by handlers. */
static void test_calendar_random_order(void **state) {
  (void)state;
  run_order_case(0, 20000, 20000, 0.3);
}

/* Times on a grid of whole seconds: most events tie with others. */
static void test_calendar_random_ties(void **state) {
  (void)state;
  run_order_case(1, 5000, 20000, 0.3);
}

/* A long run with a steady pending set and frequent ties.  In test_sim_seqwrap (the
 * kernel built with a tiny sequence-number limit) the calendar is renumbered many
 * times along the way, and order must survive that. */
static void test_calendar_long_run(void **state) {
  (void)state;
  run_order_case(1, 300, 200000, 0.0);
}

typedef struct tie_log {
  int order[64];
  int n;
  sim *s;
} tie_log;

typedef struct tie_ev {
  tie_log *log;
  int id;
  int child; /* id of an event to schedule at the same instant, or -1 */
} tie_ev;

static tie_ev g_tie[64];

static void tie_handler(sim *s, void *ctx) {
  tie_ev *e = ctx;
  e->log->order[e->log->n++] = e->id;
  if (e->child >= 0) assert_int_equal(sim_after(s, 0.0, tie_handler, &g_tie[e->child]), 0);
}

/* At one instant, events run in the order they were scheduled, including ones
 * scheduled at that instant by the events themselves (they go to the back). */
static void test_tie_break_by_scheduling_order(void **state) {
  (void)state;
  tie_log log = {{0}, 0, NULL};
  sim *s = sim_new();
  assert_non_null(s);
  for (int i = 0; i < 64; i++) g_tie[i] = (tie_ev){&log, i, -1};
  g_tie[0].child = 40; /* 0 runs first and schedules 40 at t = 5 */
  g_tie[3].child = 41;
  /* Scheduled in this order, all at t = 5, interleaved with later and earlier
   * instants so that heap order alone would not give the answer. */
  for (int i = 0; i < 20; i++) {
    assert_int_equal(sim_at(s, 5.0, tie_handler, &g_tie[i]), 0);
    assert_int_equal(sim_at(s, 9.0, tie_handler, &g_tie[20 + i]), 0);
  }
  assert_int_equal(sim_at(s, 1.0, tie_handler, &g_tie[50]), 0);
  assert_int_equal(sim_run(s, 100.0), 0);
  int expect[64], n = 0;
  expect[n++] = 50;
  for (int i = 0; i < 20; i++) expect[n++] = i;
  expect[n++] = 40;
  expect[n++] = 41;
  for (int i = 0; i < 20; i++) expect[n++] = 20 + i;
  assert_int_equal(log.n, n);
  for (int i = 0; i < n; i++) assert_int_equal(log.order[i], expect[i]);
  sim_free(s);
}

/* ---- the run loop ----------------------------------------------------------------- */

typedef struct counter {
  int runs;
  double last_t;
  int stop_at;  /* call sim_stop on this run (1-based), 0 never */
  int fail_at;  /* call sim_fail on this run, 0 never */
} counter;

static void count_handler(sim *s, void *ctx) {
  counter *c = ctx;
  c->runs++;
  c->last_t = sim_now(s);
  if (c->runs == c->stop_at) sim_stop(s);
  if (c->runs == c->fail_at) sim_fail(s, ERR_LIMIT);
}

static void test_schedule_in_past_rejected(void **state) {
  (void)state;
  counter c = {0};
  sim *s = sim_new();
  assert_non_null(s);
  assert_int_equal(sim_run(s, 10.0), 0);
  assert_true(sim_now(s) == 10.0);
  assert_int_equal(sim_at(s, 9.999, count_handler, &c), ERR_RANGE);
  assert_int_equal(sim_error(s), ERR_RANGE);
  assert_int_equal(sim_pending(s), 0);
  /* The error is sticky: the run refuses until a reset. */
  assert_int_equal(sim_run(s, 20.0), ERR_RANGE);
  sim_reset(s);
  assert_int_equal(sim_error(s), 0);
  assert_int_equal(sim_after(s, -1.0, count_handler, &c), ERR_RANGE);
  sim_reset(s);
  assert_int_equal(sim_at(s, NAN, count_handler, &c), ERR_RANGE);
  sim_reset(s);
  assert_int_equal(sim_at(s, INFINITY, count_handler, &c), ERR_RANGE);
  sim_reset(s);
  assert_int_equal(sim_after(s, NAN, count_handler, &c), ERR_RANGE);
  sim_reset(s);
  assert_int_equal(sim_at(s, 1.0, NULL, &c), ERR_RANGE);
  sim_reset(s);
  /* Now itself is allowed; so is a zero delay. */
  assert_int_equal(sim_at(s, 0.0, count_handler, &c), 0);
  assert_int_equal(sim_after(s, 0.0, count_handler, &c), 0);
  assert_int_equal(sim_run(s, 0.0), 0);
  assert_int_equal(c.runs, 2);
  /* A run backwards in time is refused too. */
  assert_int_equal(sim_run(s, -1.0), ERR_RANGE);
  sim_free(s);
}

static void test_run_until(void **state) {
  (void)state;
  counter c = {0};
  sim *s = sim_new();
  assert_non_null(s);
  for (int i = 1; i <= 4; i++) assert_int_equal(sim_at(s, (double)i, count_handler, &c), 0);
  assert_int_equal(sim_run(s, 2.5), 0);
  assert_int_equal(c.runs, 2);
  assert_true(sim_now(s) == 2.5);
  assert_int_equal(sim_pending(s), 2);
  /* An event exactly at `until` runs. */
  assert_int_equal(sim_run(s, 3.0), 0);
  assert_int_equal(c.runs, 3);
  assert_true(sim_now(s) == 3.0);
  assert_int_equal(sim_run(s, 100.0), 0);
  assert_int_equal(c.runs, 4);
  assert_true(sim_now(s) == 100.0);
  assert_int_equal(sim_events_run(s), 4);
  /* An infinite horizon leaves the clock at the last event. */
  assert_int_equal(sim_at(s, 150.0, count_handler, &c), 0);
  assert_int_equal(sim_run(s, INFINITY), 0);
  assert_true(sim_now(s) == 150.0);
  sim_free(s);
}

static void test_run_stop(void **state) {
  (void)state;
  counter c = {0};
  c.stop_at = 2;
  sim *s = sim_new();
  assert_non_null(s);
  for (int i = 1; i <= 4; i++) assert_int_equal(sim_at(s, (double)i, count_handler, &c), 0);
  assert_int_equal(sim_run(s, 10.0), 0);
  assert_int_equal(c.runs, 2);
  assert_true(sim_now(s) == 2.0); /* stopped early: the clock stays at the event */
  assert_int_equal(sim_pending(s), 2);
  /* A stop lasts one run: the next one carries on. */
  assert_int_equal(sim_run(s, 10.0), 0);
  assert_int_equal(c.runs, 4);
  assert_true(sim_now(s) == 10.0);
  /* A stop outside a run does not cut the next one short. */
  assert_int_equal(sim_at(s, 11.0, count_handler, &c), 0);
  sim_stop(s);
  assert_int_equal(sim_run(s, 12.0), 0);
  assert_int_equal(c.runs, 5);
  assert_true(sim_now(s) == 12.0);
  sim_free(s);
}

static void test_run_fail(void **state) {
  (void)state;
  counter c = {0};
  c.fail_at = 2;
  sim *s = sim_new();
  assert_non_null(s);
  for (int i = 1; i <= 4; i++) assert_int_equal(sim_at(s, (double)i, count_handler, &c), 0);
  assert_int_equal(sim_run(s, 10.0), ERR_LIMIT);
  assert_int_equal(sim_error(s), ERR_LIMIT);
  assert_int_equal(c.runs, 2);
  assert_true(sim_now(s) == 2.0);
  /* Nothing more runs until a reset. */
  assert_int_equal(sim_run(s, 10.0), ERR_LIMIT);
  assert_int_equal(c.runs, 2);
  /* The first error wins. */
  sim_fail(s, ERR_NOMEM);
  assert_int_equal(sim_error(s), ERR_LIMIT);
  sim_free(s);
}

static void listener_count(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  (void)sig;
  (*(int *)ctx)++;
}

static void test_reset_keeps_working(void **state) {
  (void)state;
  sim *s = sim_new();
  assert_non_null(s);
  int heard = 0;
  for (int round = 0; round < 3; round++) {
    counter c = {0};
    c.fail_at = 3000; /* leave the sim failed, with events pending */
    for (int i = 0; i < 5000; i++)
      assert_int_equal(sim_at(s, 1.0 + (i * 7919) % 5000, count_handler, &c), 0);
    assert_int_equal(sim_subscribe(s, SIG_GATE_OPENED, listener_count, &heard), 0);
    assert_int_equal(sim_run(s, 1e9), ERR_LIMIT);
    assert_int_equal(c.runs, 3000);
    assert_int_equal(sim_pending(s), 2000);
    sim_reset(s);
    assert_int_equal(sim_pending(s), 0);
    assert_int_equal(sim_error(s), 0);
    assert_true(sim_now(s) == 0.0);
    assert_int_equal(sim_events_run(s), 0);
    /* Subscribers are dropped by the reset. */
    sim_signal sig = {.type = SIG_GATE_OPENED, .source = -1};
    sim_publish(s, &sig);
    assert_int_equal(heard, 0);
  }
  counter c = {0};
  assert_int_equal(sim_after(s, 1.0, count_handler, &c), 0);
  assert_int_equal(sim_run(s, 2.0), 0);
  assert_int_equal(c.runs, 1);
  sim_free(s);
  sim_free(NULL);
}

/* ---- resources ---------------------------------------------------------------------- */

typedef struct cust {
  sim_resource *res;
  int id;
  double service;
  double granted_at;
  int *order;
  int *n;
  int *max_busy;
} cust;

static void cust_done(sim *s, void *ctx) {
  (void)s;
  cust *c = ctx;
  sim_release(c->res);
}

static void cust_granted(sim *s, void *ctx) {
  cust *c = ctx;
  c->granted_at = sim_now(s);
  c->order[(*c->n)++] = c->id;
  int busy = sim_resource_busy(c->res);
  if (busy > *c->max_busy) *c->max_busy = busy;
  assert_true(busy <= sim_resource_servers(c->res));
  assert_int_equal(sim_after(s, c->service, cust_done, c), 0);
}

static void cust_arrive(sim *s, void *ctx) {
  (void)s;
  cust *c = ctx;
  assert_int_equal(sim_request(c->res, cust_granted, c), 0);
}

static void test_resource_fifo_and_servers(void **state) {
  (void)state;
  arena a;
  arena_init(&a, ARENA_DEFAULT_CAP);
  sim *s = sim_new();
  assert_non_null(s);
  sim_resource *r = sim_resource_new(s, &a, 2);
  assert_non_null(r);
  assert_int_equal(sim_resource_servers(r), 2);
  int order[64], n = 0, max_busy = 0;
  cust c[8];
  for (int i = 0; i < 8; i++) c[i] = (cust){r, i, 1.0, -1.0, order, &n, &max_busy};
  /* Five arrive at t = 0 (0, 1 served at once; 2, 3, 4 wait). */
  for (int i = 0; i < 5; i++) assert_int_equal(sim_at(s, 0.0, cust_arrive, &c[i]), 0);
  /* Customer 5 arrives at t = 1, scheduled before the service ends at t = 1: it must
   * queue behind 2, 3, 4 even though it arrives as servers are released. */
  assert_int_equal(sim_at(s, 1.0, cust_arrive, &c[5]), 0);
  assert_int_equal(sim_run(s, 0.0), 0);
  assert_int_equal(sim_resource_busy(r), 2);
  assert_int_equal(sim_resource_queued(r), 3);
  assert_int_equal(sim_run(s, 10.0), 0);
  int expect[] = {0, 1, 2, 3, 4, 5};
  double expect_t[] = {0, 0, 1, 1, 2, 2};
  assert_int_equal(n, 6);
  for (int i = 0; i < 6; i++) {
    assert_int_equal(order[i], expect[i]);
    assert_true(c[expect[i]].granted_at == expect_t[i]);
  }
  assert_int_equal(max_busy, 2);
  assert_int_equal(sim_resource_busy(r), 0);
  assert_int_equal(sim_resource_queued(r), 0);
  /* Time averages over [0, 10].  At t = 1 customer 5's arrival (scheduled first)
   * runs before the two releases, so the queue holds 3 on [0, 1), 2 on [1, 2) and
   * none after: area 5.  Two servers are busy on [0, 3): area 6. */
  assert_true(fabs(sim_resource_mean_queue(r) - 0.5) < 1e-12);
  assert_true(fabs(sim_resource_mean_busy(r) - 0.6) < 1e-12);
  sim_free(s);
  arena_release(&a);
}

/* A long queue grows its ring inside the arena and stays FIFO across wrap-around. */
/* Two models' berths at one place are one resource (sim_berth): the most servers
 * either declares, whichever asks first; customers of both never hold more than that
 * at once, and are served in one FIFO; another place has its own; sim_reset forgets. */
static void test_shared_berths(void **state) {
  (void)state;
  for (int order = 0; order < 2; order++) {
    arena a;
    arena_init(&a, ARENA_DEFAULT_CAP);
    sim *s = sim_new();
    assert_non_null(s);
    assert_int_equal(sim_berths(s, 4), 0);
    sim_resource *x = sim_berth(s, &a, 2, order ? 1 : 2); /* "logistics" */
    sim_resource *y = sim_berth(s, &a, 2, order ? 2 : 1); /* "evacuation" */
    sim_resource *z = sim_berth(s, &a, 3, 1);
    assert_ptr_equal(x, y);
    assert_ptr_not_equal(x, z);
    assert_int_equal(sim_resource_servers(x), 2);
    int seen[16], n = 0, max_busy = 0;
    cust c[6];
    for (int i = 0; i < 6; i++) /* three each, arriving together */
      c[i] = (cust){i % 2 ? y : x, i, 1.0, -1.0, seen, &n, &max_busy};
    for (int i = 0; i < 6; i++) assert_int_equal(sim_at(s, 0.0, cust_arrive, &c[i]), 0);
    assert_int_equal(sim_run(s, 10.0), 0);
    assert_int_equal(n, 6);
    assert_int_equal(max_busy, 2);
    for (int i = 0; i < 6; i++) assert_int_equal(seen[i], i); /* one FIFO for both */
    assert_float_equal(c[5].granted_at, 2.0, 0);
    sim_reset(s);
    arena_reset(&a);
    sim_resource *w = sim_berth(s, &a, 2, 1);
    assert_non_null(w);
    assert_int_equal(sim_resource_servers(w), 1); /* a new replication's own */
    sim_free(s);
    arena_release(&a);
  }
}

static void test_resource_queue_grows(void **state) {
  (void)state;
  arena a;
  arena_init(&a, ARENA_DEFAULT_CAP);
  sim *s = sim_new();
  assert_non_null(s);
  sim_resource *r = sim_resource_new(s, &a, 1);
  assert_non_null(r);
  enum { N = 1000 };
  static cust c[N];
  static int order[N];
  int n = 0, max_busy = 0;
  for (int i = 0; i < N; i++) {
    c[i] = (cust){r, i, 0.5, -1.0, order, &n, &max_busy};
    /* Arrivals in bursts, so the ring wraps and grows while partly drained. */
    assert_int_equal(sim_at(s, (double)(i / 50) * 10.0, cust_arrive, &c[i]), 0);
  }
  assert_int_equal(sim_run(s, INFINITY), 0);
  assert_int_equal(n, N);
  for (int i = 0; i < N; i++) assert_int_equal(order[i], i);
  assert_int_equal(max_busy, 1);
  sim_free(s);
  arena_release(&a);
}

static void test_resource_arena_exhausted(void **state) {
  (void)state;
  arena a;
  arena_init(&a, 0); /* holds nothing */
  sim *s = sim_new();
  assert_non_null(s);
  assert_null(sim_resource_new(s, &a, 1));
  assert_null(sim_level_new(s, &a, 1.0, 0.0));
  arena_release(&a);
  arena_init(&a, ARENA_DEFAULT_CAP);
  assert_null(sim_resource_new(s, &a, 0)); /* no servers */
  sim_free(s);
  arena_release(&a);
}

/* ---- levels ----------------------------------------------------------------------------- */

typedef struct taker {
  int id;
  int *order;
  int *n;
  double *at;
} taker;

static void taker_done(sim *s, void *ctx) {
  taker *t = ctx;
  t->at[t->id] = sim_now(s);
  t->order[(*t->n)++] = t->id;
}

static void test_level_put_get(void **state) {
  (void)state;
  arena a;
  arena_init(&a, ARENA_DEFAULT_CAP);
  sim *s = sim_new();
  assert_non_null(s);
  sim_level *l = sim_level_new(s, &a, 100.0, 10.0);
  assert_non_null(l);
  assert_true(sim_level_amount(l) == 10.0);
  int order[8], n = 0;
  double at[8] = {0};
  taker t[8];
  for (int i = 0; i < 8; i++) t[i] = (taker){i, order, &n, at};

  /* A withdrawal that fits runs at once. */
  assert_int_equal(sim_level_get(l, 4.0, taker_done, &t[0]), 0);
  assert_int_equal(n, 1);
  assert_true(sim_level_amount(l) == 6.0);
  /* 30 does not fit: it waits; then 5 would fit but waits behind it (FIFO). */
  assert_int_equal(sim_level_get(l, 30.0, taker_done, &t[1]), 0);
  assert_int_equal(sim_level_get(l, 5.0, taker_done, &t[2]), 0);
  assert_int_equal(sim_level_get(l, 20.0, taker_done, &t[3]), 0);
  assert_int_equal(sim_level_waiting(l), 3);
  assert_int_equal(n, 1);
  /* Too large ever to be met, or negative: refused. */
  assert_int_equal(sim_level_get(l, 101.0, taker_done, &t[4]), ERR_RANGE);
  sim_reset(s);
  assert_int_equal(sim_level_get(l, -1.0, taker_done, &t[4]), ERR_RANGE);
  sim_reset(s);

  assert_int_equal(sim_run(s, 1.0), 0);
  /* 24 more: 30 is now met (0 left); 5 still waits, and so does 20 behind it. */
  assert_true(sim_level_put(l, 24.0) == 0.0);
  assert_true(sim_level_amount(l) == 0.0);
  assert_int_equal(sim_level_waiting(l), 2);
  /* 150 into a tank with room for 100: 50 comes back; then 5 and 20 are served. */
  assert_true(sim_level_put(l, 150.0) == 50.0);
  assert_true(sim_level_amount(l) == 75.0);
  assert_int_equal(sim_level_waiting(l), 0);
  /* Completions of waiting withdrawals run from the calendar at the put's time. */
  assert_int_equal(n, 1);
  assert_int_equal(sim_run(s, 2.0), 0);
  assert_int_equal(n, 4);
  int expect[] = {0, 1, 2, 3};
  for (int i = 0; i < 4; i++) assert_int_equal(order[i], expect[i]);
  assert_true(at[1] == 1.0 && at[2] == 1.0 && at[3] == 1.0);
  /* A full level returns everything put. */
  assert_true(sim_level_put(l, 25.0) == 0.0);
  assert_true(sim_level_put(l, 7.0) == 7.0);
  assert_true(sim_level_amount(l) == 100.0);
  sim_free(s);
  arena_release(&a);
}

/* Many waiting withdrawals: the ring grows and keeps FIFO order. */
static void test_level_many_waiting(void **state) {
  (void)state;
  arena a;
  arena_init(&a, ARENA_DEFAULT_CAP);
  sim *s = sim_new();
  assert_non_null(s);
  sim_level *l = sim_level_new(s, &a, 1000.0, 0.0);
  assert_non_null(l);
  enum { N = 300 };
  static int order[N];
  static double at[N];
  static taker t[N];
  int n = 0;
  for (int i = 0; i < N; i++) {
    t[i] = (taker){i, order, &n, at};
    assert_int_equal(sim_level_get(l, 1.0 + i % 3, taker_done, &t[i]), 0);
  }
  assert_int_equal(sim_level_waiting(l), N);
  /* Trickle in: each put serves what it can, in order. */
  for (int k = 0; k < 100; k++) {
    sim_level_put(l, 6.0);
    assert_int_equal(sim_run(s, sim_now(s) + 1.0), 0);
  }
  assert_int_equal(n, N);
  for (int i = 0; i < N; i++) assert_int_equal(order[i], i);
  assert_true(sim_level_amount(l) == 0.0);
  sim_free(s);
  arena_release(&a);
}

/* ---- signals --------------------------------------------------------------------------- */

typedef struct sub_log {
  int order[64];
  int n;
  int place_seen[64];
} sub_log;

typedef struct sub_ctx {
  sub_log *log;
  int id;
} sub_ctx;

static void listener_log(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  sub_ctx *c = ctx;
  c->log->place_seen[c->log->n] = sig->place;
  c->log->order[c->log->n++] = c->id;
}

static void test_signals_in_order(void **state) {
  (void)state;
  sim *s = sim_new();
  assert_non_null(s);
  sub_log log = {{0}, 0, {0}};
  sub_ctx c[5];
  for (int i = 0; i < 5; i++) c[i] = (sub_ctx){&log, i};
  assert_int_equal(sim_subscribe(s, SIG_SITE_STATUS, listener_log, &c[2]), 0);
  assert_int_equal(sim_subscribe(s, SIG_PERSON_MISSING, listener_log, &c[4]), 0);
  assert_int_equal(sim_subscribe(s, SIG_SITE_STATUS, listener_log, &c[0]), 0);
  assert_int_equal(sim_subscribe(s, SIG_SITE_STATUS, listener_log, &c[1]), 0);
  sim_signal sig = {.type = SIG_SITE_STATUS, .source = -1, .place = 7, .open = 0};
  sim_publish(s, &sig);
  /* Delivered synchronously, in subscription order, only to this type's listeners. */
  assert_int_equal(log.n, 3);
  assert_int_equal(log.order[0], 2);
  assert_int_equal(log.order[1], 0);
  assert_int_equal(log.order[2], 1);
  for (int i = 0; i < 3; i++) assert_int_equal(log.place_seen[i], 7);
  sim_signal miss = {.type = SIG_PERSON_MISSING, .source = 3, .place = -1, .count = 2};
  sim_publish(s, &miss);
  assert_int_equal(log.n, 4);
  assert_int_equal(log.order[3], 4);
  /* A type nobody subscribed to reaches nobody. */
  sim_signal gate = {.type = SIG_GATE_OPENED, .source = -1, .gate = 1};
  sim_publish(s, &gate);
  assert_int_equal(log.n, 4);
  sim_free(s);
}

static void test_subscriber_cap(void **state) {
  (void)state;
  sim *s = sim_new();
  assert_non_null(s);
  int heard = 0;
  for (int i = 0; i < SIM_MAX_SUBSCRIBERS; i++)
    assert_int_equal(sim_subscribe(s, SIG_EVENT_OCCURRED, listener_count, &heard), 0);
  assert_int_equal(sim_subscribe(s, SIG_EVENT_OCCURRED, listener_count, &heard), ERR_LIMIT);
  /* The cap is per type. */
  assert_int_equal(sim_subscribe(s, SIG_SITUATION_CHANGED, listener_count, &heard), 0);
  assert_int_equal(sim_subscribe(s, SIG__COUNT, listener_count, &heard), ERR_RANGE);
  assert_int_equal(sim_subscribe(s, SIG_SITUATION_CHANGED, NULL, &heard), ERR_RANGE);
  sim_signal sig = {.type = SIG_EVENT_OCCURRED, .source = -1, .event = 0};
  sim_publish(s, &sig);
  assert_int_equal(heard, SIM_MAX_SUBSCRIBERS);
  /* The failed subscribe did not disturb the sim. */
  assert_int_equal(sim_error(s), 0);
  sim_free(s);
}

/* A listener that subscribes another listener during delivery: the newcomer hears
 * the next signal, not the one being delivered. */
static sim_listener g_late_fn;
static void listener_subscribing(sim *s, const sim_signal *sig, void *ctx) {
  (void)sig;
  (*(int *)ctx)++;
  assert_int_equal(sim_subscribe(s, SIG_REGION_STATUS, g_late_fn, ctx), 0);
}

static void test_subscribe_during_publish(void **state) {
  (void)state;
  sim *s = sim_new();
  assert_non_null(s);
  int heard = 0;
  g_late_fn = listener_count;
  assert_int_equal(sim_subscribe(s, SIG_REGION_STATUS, listener_subscribing, &heard), 0);
  sim_signal sig = {.type = SIG_REGION_STATUS, .source = -1, .region = 2};
  sim_publish(s, &sig);
  assert_int_equal(heard, 1);
  sim_publish(s, &sig); /* 1 (subscribing) + 1 (late); subscribing adds another */
  assert_int_equal(heard, 3);
  sim_free(s);
}

/* ---- site closures: overlapping closures from two models close the union ---- */

typedef struct site_log {
  int n, open[16], place[16];
  double t[16];
  double closed_since[4], closed_total[4];
} site_log;

static void listener_site(sim *s, const sim_signal *sig, void *ctx) {
  site_log *l = ctx;
  if (l->n < 16) l->open[l->n] = sig->open, l->place[l->n] = sig->place, l->t[l->n++] = sim_now(s);
  if (sig->open) l->closed_total[sig->place] += sim_now(s) - l->closed_since[sig->place];
  else l->closed_since[sig->place] = sim_now(s);
}

typedef struct hold {
  int place, close;
} hold;

static void hold_due(sim *s, void *ctx) {
  const hold *h = ctx;
  if (h->close) sim_site_close(s, h->place, -1);
  else sim_site_reopen(s, h->place, -1);
}

static void test_site_closures_union(void **state) {
  (void)state;
  sim *s = sim_new();
  assert_non_null(s);
  assert_int_equal(sim_sites(s, 2), 0);
  site_log log = {0};
  assert_int_equal(sim_subscribe(s, SIG_SITE_STATUS, listener_site, &log), 0);
  /* Model A closes place 1 over [1, 5], model B over [3, 8]: one closure at 1, one
   * reopening at 8 -- A's reopening at 5 must not open what B holds. */
  hold h[4] = {{1, 1}, {1, 0}, {1, 1}, {1, 0}};
  assert_int_equal(sim_at(s, 1, hold_due, &h[0]), 0);
  assert_int_equal(sim_at(s, 5, hold_due, &h[1]), 0);
  assert_int_equal(sim_at(s, 3, hold_due, &h[2]), 0);
  assert_int_equal(sim_at(s, 8, hold_due, &h[3]), 0);
  assert_int_equal(sim_run(s, 4), 0);
  assert_int_equal(sim_site_holds(s, 1), 2);
  assert_int_equal(sim_site_holds(s, 0), 0);
  assert_int_equal(sim_run(s, 20), 0);
  assert_int_equal(log.n, 2);
  assert_int_equal(log.open[0], 0);
  assert_true(log.t[0] == 1.0 && log.place[0] == 1);
  assert_int_equal(log.open[1], 1);
  assert_true(log.t[1] == 8.0);
  assert_true(log.closed_total[1] == 7.0); /* |[1,5] u [3,8]| */
  assert_int_equal(sim_site_holds(s, 1), 0);
  sim_free(s);
}

/* Random intervals from two models on two places: the closed time heard equals the
 * measure of the union of the intervals, computed apart by sorting and merging. */
static int cmp_iv(const void *x, const void *y) {
  const double *a = x, *b = y;
  return (a[0] > b[0]) - (a[0] < b[0]);
}

static double union_length(double (*iv)[2], int n) {
  qsort(iv, (size_t)n, sizeof *iv, cmp_iv);
  double total = 0, lo = iv[0][0], hi = iv[0][1];
  for (int i = 1; i < n; i++) {
    if (iv[i][0] > hi) total += hi - lo, lo = iv[i][0], hi = iv[i][1];
    else if (iv[i][1] > hi) hi = iv[i][1];
  }
  return total + hi - lo;
}

static void test_site_closures_random_union(void **state) {
  (void)state;
  enum { N = 40 };
  sim *s = sim_new();
  assert_non_null(s);
  rng_stream rng;
  rng_init(&rng, 11, 0, 0, 0);
  for (int round = 0; round < 3; round++) {
    sim_reset(s); /* counts back to zero, room kept */
    assert_int_equal(sim_sites(s, 2), 0);
    site_log log = {0};
    assert_int_equal(sim_subscribe(s, SIG_SITE_STATUS, listener_site, &log), 0);
    static hold h[2][N][2];
    double iv[2][N][2];
    for (int p = 0; p < 2; p++)
      for (int i = 0; i < N; i++) {
        double a = 100 * rng_uniform(&rng), d = 10 * rng_uniform(&rng);
        iv[p][i][0] = a, iv[p][i][1] = a + d;
        h[p][i][0] = (hold){p, 1}, h[p][i][1] = (hold){p, 0};
        assert_int_equal(sim_at(s, a, hold_due, &h[p][i][0]), 0);
        assert_int_equal(sim_at(s, a + d, hold_due, &h[p][i][1]), 0);
      }
    assert_int_equal(sim_run(s, 200), 0);
    for (int p = 0; p < 2; p++) {
      assert_int_equal(sim_site_holds(s, p), 0);
      assert_true(fabs(log.closed_total[p] - union_length(iv[p], N)) < 1e-9);
    }
  }
  sim_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_calendar_random_order),
      cmocka_unit_test(test_calendar_random_ties),
      cmocka_unit_test(test_calendar_long_run),
      cmocka_unit_test(test_tie_break_by_scheduling_order),
      cmocka_unit_test(test_schedule_in_past_rejected),
      cmocka_unit_test(test_run_until),
      cmocka_unit_test(test_run_stop),
      cmocka_unit_test(test_run_fail),
      cmocka_unit_test(test_reset_keeps_working),
      cmocka_unit_test(test_resource_fifo_and_servers),
      cmocka_unit_test(test_resource_queue_grows),
      cmocka_unit_test(test_resource_arena_exhausted),
      cmocka_unit_test(test_level_put_get),
      cmocka_unit_test(test_level_many_waiting),
      cmocka_unit_test(test_signals_in_order),
      cmocka_unit_test(test_subscriber_cap),
      cmocka_unit_test(test_subscribe_during_publish),
      cmocka_unit_test(test_site_closures_union),
      cmocka_unit_test(test_shared_berths),
      cmocka_unit_test(test_site_closures_random_union),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
