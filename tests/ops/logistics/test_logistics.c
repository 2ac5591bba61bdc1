/* test_logistics.c - rear-area logistics (issue 4): the LEMON wrapper against hand
 * solutions and GLPK, the multi-commodity LP, the deterministic case against the LP
 * optimum, conservation in every replication, and closures moving the flow. */
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
#include "crisis.h"
#include "err.h"
#include "lgs_flow.h"
#include "lgs_lp.h"
#include "logistics.h"
#include "geodesy.h"
#include "metric.h"
#include "plan.h"
#include "rng.h"
#include "scenario.h"
#include "scn_logistics.h"
#include "scn_plan.h"
#include "sim.h"
#include "ops.h"
#include "ops_fixture.h"

static scn_scenario *load_with(const char *path, const char *set) {
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  const char *ov[] = {set};
  if (set) opt.overrides = ov, opt.noverrides = 1;
  int rc = scn_load(&sc, path, &opt, d);
  if (rc) diag_print(d, stderr, 0);
  diag_free(d);
  assert_int_equal(rc, 0);
  return sc;
}


/* ---- the wrapper ----------------------------------------------------------------------- */

/* Two sources, two sinks, a cheap arc of limited capacity: optimum by hand is 4 units
 * on 0->2 (cost 1), 1 unit 0->3 (cost 5), 3 units 1->3 (cost 2): 4 + 5 + 6 = 15. */
static void test_flow_hand(void **state) {
  (void)state;
  lgs_flow *f = lgs_flow_new(4, 4);
  assert_non_null(f);
  assert_int_equal(lgs_flow_add_node(f, 5), 0);
  assert_int_equal(lgs_flow_add_node(f, 3), 1);
  assert_int_equal(lgs_flow_add_node(f, -4), 2);
  assert_int_equal(lgs_flow_add_node(f, -4), 3);
  assert_int_equal(lgs_flow_add_arc(f, 0, 2, 10, 1), 0);
  assert_int_equal(lgs_flow_add_arc(f, 0, 3, LGS_FLOW_INF, 5), 1);
  assert_int_equal(lgs_flow_add_arc(f, 1, 3, 3, 2), 2);
  assert_int_equal(lgs_flow_add_arc(f, 1, 2, 0, 0), 3);
  assert_int_equal(lgs_flow_solve(f), LGS_FLOW_OPTIMAL);
  assert_true(lgs_flow_total_cost(f) == 15);
  assert_int_equal(lgs_flow_flow(f, 0), 4);
  assert_int_equal(lgs_flow_flow(f, 1), 1);
  assert_int_equal(lgs_flow_flow(f, 2), 3);
  /* Complementary slackness with reduced cost = cost + pi(from) - pi(to), the sign the
   * planner's bottleneck test relies on: >= 0 below capacity, <= 0 with flow. */
  for (int a = 0; a < 4; a++) {
    static const int from[] = {0, 0, 1, 1}, to[] = {2, 3, 3, 2};
    int64_t rc = lgs_flow_cost(f, a) + lgs_flow_potential(f, from[a]) - lgs_flow_potential(f, to[a]);
    if (lgs_flow_flow(f, a) < lgs_flow_capacity(f, a)) assert_true(rc >= 0);
    if (lgs_flow_flow(f, a) > 0) assert_true(rc <= 0);
  }
  /* Re-solve after opening the closed arc 1->2 (free) and cutting 0->3's cost to 1:
   * 1 sends its 3 units to 2, 0 sends 1 to 2 and 4 to 3, cost 5. */
  lgs_flow_set_capacity(f, 3, 10);
  lgs_flow_set_cost(f, 1, 1);
  assert_int_equal(lgs_flow_solve(f), LGS_FLOW_OPTIMAL);
  assert_true(lgs_flow_total_cost(f) == 5);
  assert_int_equal(lgs_flow_flow(f, 3), 3);
  assert_int_equal(lgs_flow_flow(f, 2), 0);
  /* Unbalanced supplies have no solution. */
  lgs_flow_set_supply(f, 0, 6);
  assert_int_equal(lgs_flow_solve(f), LGS_FLOW_INFEASIBLE);
  assert_int_equal(lgs_flow_add_node(f, 0), -1); /* topology frozen */
  lgs_flow_free(f);
  lgs_flow_free(NULL);
}

/* Random networks: LEMON's optimum equals GLPK's simplex optimum (lgs_lp.h). */
static void test_flow_vs_lp(void **state) {
  (void)state;
  for (uint32_t seed = 1; seed <= 20; seed++) {
    rng_stream r;
    rng_init(&r, seed, 0, RNG_TEST, 7);
    int n = 10 + (int)(rng_u32(&r) % 30), m = 3 * n + (int)(rng_u32(&r) % (uint32_t)(5 * n));
    int *from = calloc((size_t)m, sizeof *from), *to = calloc((size_t)m, sizeof *to);
    double *cap = calloc((size_t)m, sizeof *cap), *cost = calloc((size_t)m, sizeof *cost);
    double *sup = calloc((size_t)n, sizeof *sup);
    lgs_flow *f = lgs_flow_new(n, m);
    for (int a = 0; a < m; a++) {
      if (a < n) from[a] = a, to[a] = (a + 1) % n, cap[a] = 1000, cost[a] = 50;
      else {
        from[a] = (int)(rng_u32(&r) % (uint32_t)n);
        to[a] = (from[a] + 1 + (int)(rng_u32(&r) % (uint32_t)(n - 1))) % n;
        cap[a] = 1 + rng_u32(&r) % 40, cost[a] = (double)(rng_u32(&r) % 30) - 3; /* some < 0 */
      }
    }
    for (int i = 0; i < n / 3; i++) {
      int u = (int)(rng_u32(&r) % (uint32_t)n), v = (int)(rng_u32(&r) % (uint32_t)n);
      double s = 1 + rng_u32(&r) % 50;
      sup[u] += s, sup[v] -= s;
    }
    for (int i = 0; i < n; i++) lgs_flow_add_node(f, (int64_t)sup[i]);
    for (int a = 0; a < m; a++) lgs_flow_add_arc(f, from[a], to[a], (int64_t)cap[a], (int64_t)cost[a]);
    assert_int_equal(lgs_flow_solve(f), LGS_FLOW_OPTIMAL);
    lgs_lp_problem p = {1, n, m, from, to, sup, cap, cost, 0, NULL, NULL, NULL};
    double opt = NAN;
    assert_int_equal(lgs_lp_solve(&opt, NULL, &p), 0);
    if (fabs(opt - lgs_flow_total_cost(f)) > 1e-6) {
      fprintf(stderr, "seed %u: lemon %.17g glpk %.17g\n", seed, lgs_flow_total_cost(f), opt);
      fail();
    }
    lgs_flow_free(f);
    free(from), free(to), free(cap), free(cost), free(sup);
  }
}

/* Two commodities share one ship's hours (a bundle): 10 h available, commodity 0
 * needs 1 h per unit and saves 5 per unit over its penalty arc, commodity 1 needs 2 h
 * and saves 8: the LP loads commodity 0 first (5/h > 4/h): 10 units of 0, 0 of 1. */
static void test_lp_bundle(void **state) {
  (void)state;
  /* nodes: 0 source, 1 sink; arcs: 0 ship (0->1), 1 penalty (0->1) */
  int from[] = {0, 0}, to[] = {1, 1}, bundle[] = {0, -1};
  double supply[] = {20, -20, 20, -20};
  double cap[] = {-1, -1, -1, -1};
  double cost[] = {1, 6, 2, 10};
  double weight[] = {1, 0, 2, 0};
  double bcap[] = {10};
  lgs_lp_problem p = {2, 2, 2, from, to, supply, cap, cost, 1, bundle, weight, bcap};
  double opt, x[4];
  assert_int_equal(lgs_lp_solve(&opt, x, &p), 0);
  assert_true(fabs(x[0] - 10) < 1e-9 && fabs(x[2]) < 1e-9);
  assert_true(fabs(opt - (10 * 1 + 10 * 6 + 20 * 10)) < 1e-9);
  double bad_supply[] = {20, -19, 20, -20};
  p.supply = bad_supply;
  assert_int_equal(lgs_lp_solve(&opt, x, &p), ERR_RANGE);
}

/* ---- replications ---------------------------------------------------------------------- */

typedef struct harness {
  scn_scenario *sc;
  metric_set ms;
  crisis_model *cm;
  plan_authorities *pa;
  plan_model *pm;
  plan_run *pr;
  lgs_model *lm;
  sim *s;
  arena a;
  metric_out out;
} harness;

/* with: 0 logistics alone, 1 with the crisis, 2 with the crisis and the plan; set: one
 * --set override or NULL. */
static void harness_init_set(harness *h, const char *path, int with, const char *set) {
  memset(h, 0, sizeof *h);
  h->sc = load_with(path, set);
  metric_set_init(&h->ms);
  diag *d = diag_new();
  if (with >= 1) assert_int_equal(crisis_model_new(&h->cm, h->sc, &h->ms, d), 0);
  if (with >= 2) {
    assert_int_equal(plan_authorities_load(&h->pa, plan_authorities_default_path(), d), 0);
    int rc = plan_model_new(&h->pm, h->sc, h->pa, &h->ms, d);
    if (rc) diag_print(d, stderr, 0);
    assert_int_equal(rc, 0);
  }
  assert_int_equal(lgs_model_build(&h->lm, h->sc, &h->ms, d), 0);
  assert_non_null(h->lm);
  diag_free(d);
  h->s = sim_new();
  arena_init(&h->a, ARENA_DEFAULT_CAP);
}

static void harness_init(harness *h, const char *path, int with) {
  harness_init_set(h, path, with, NULL);
}

static void harness_release(harness *h) {
  lgs_model_free(h->lm);
  plan_model_free(h->pm);
  plan_authorities_free(h->pa);
  crisis_model_free(h->cm);
  sim_free(h->s);
  arena_release(&h->a);
  metric_set_release(&h->ms);
  scn_free(h->sc);
}

/* Start a replication; `before` (if any) is scheduled at t = 0 ahead of the first plan. */
static lgs_run *harness_start(harness *h, uint32_t rep, sim_handler before, void *ctx) {
  sim_reset(h->s);
  arena_reset(&h->a);
  assert_int_equal(metric_out_init(&h->out, &h->ms, &h->a), 0);
  if (before) assert_int_equal(sim_at(h->s, 0, before, ctx), 0);
  if (h->cm) assert_non_null(crisis_start(h->cm, h->s, &h->a, &h->out, h->sc->seed, rep));
  if (h->pm) assert_non_null(h->pr = plan_start(h->pm, h->s, &h->a, &h->out, h->sc->seed, rep));
  lgs_run *r = lgs_start(h->lm, h->s, &h->a, &h->out, h->sc->seed, rep);
  assert_non_null(r);
  return r;
}

static int lane_named(const lgs_model *m, const char *name) {
  for (int i = 0; i < lgs_lanes(m); i++)
    if (strcmp(lgs_lane_name(m, i), name) == 0) return i;
  return -1;
}

/* Index of a depot or consumer id in the lane name "depot>consumer/force". */
static int lane_part(const scn_logistics *L, const char *name, int consumer) {
  char text[96];
  snprintf(text, sizeof text, "%s", name);
  char *gt = strchr(text, '>'), *sl = strchr(text, '/');
  *gt = 0, *sl = 0;
  const char *id = consumer ? gt + 1 : text;
  if (consumer) {
    for (size_t c = 0; c < L->nconsumer; c++)
      if (strcmp(L->consumer[c].id, id) == 0) return (int)c;
  } else {
    for (size_t d = 0; d < L->ndepot; d++)
      if (strcmp(L->depot[d].id, id) == 0) return (int)d;
  }
  return -1;
}

/* The min-cost flow LP of one commodity's first plan, written from the scenario's
 * numbers (docs/models.md): S, X, depots, consumers; lane lift = units x capacity. */
static void first_plan_lp(const harness *h, int k, double *opt, double *inflow) {
  const scn_logistics *L = scn_logistics_of(h->sc);
  int D = (int)L->ndepot, C = (int)L->nconsumer, n = 2 + D + C;
  int nl = lgs_lanes(h->lm), m = 1 + D + C + nl, a = 0;
  int *from = calloc((size_t)m, sizeof *from), *to = calloc((size_t)m, sizeof *to);
  double *cap = calloc((size_t)m, sizeof *cap), *cost = calloc((size_t)m, sizeof *cost);
  double *sup = calloc((size_t)n, sizeof *sup), *x = calloc((size_t)m, sizeof *x);
  double unit = lgs_unit(h->lm, k), need = 0, have = 0;
  from[a] = 0, to[a] = 1, cap[a] = -1, cost[a] = 0, a++;
  for (int d = 0; d < D; d++) {
    sup[2 + d] = floor(L->depot[d].stock[k] / unit), have += sup[2 + d];
    from[a] = 2 + d, to[a] = 1, cap[a] = -1, cost[a] = 0, a++;
  }
  for (int c = 0; c < C; c++) {
    const scn_lgs_consumer *u = &L->consumer[c];
    double rate = dist_mean(&u->demand[k]);
    double q = ceil((rate * u->target - rate * u->on_hand) / unit - 1e-9);
    sup[2 + D + c] = -(q > 0 ? q : 0), need += q > 0 ? q : 0;
    from[a] = 0, to[a] = 2 + D + c, cap[a] = -1;
    cost[a] = ceil(L->penalty / 60) * (10 - u->priority), a++;
  }
  sup[0] = need, sup[1] = -have;
  int first_lane = a;
  for (int i = 0; i < nl; i++, a++) {
    const char *name = lgs_lane_name(h->lm, i);
    const scn_lgs_transport *t = NULL;
    for (size_t j = 0; j < L->ntransport; j++)
      if (strstr(name, h->sc->force[L->transport[j].force].id) == strrchr(name, '/') + 1)
        t = &L->transport[j];
    from[a] = 2 + lane_part(L, name, 0), to[a] = 2 + D + lane_part(L, name, 1);
    cap[a] = t->count * floor(t->capacity[k] / unit);
    cost[a] = (double)lgs_lane_cost(h->lm, i);
  }
  lgs_lp_problem p = {1, n, m, from, to, sup, cap, cost, 0, NULL, NULL, NULL};
  assert_int_equal(lgs_lp_solve(opt, x, &p), 0);
  for (int c = 0; c < C; c++) inflow[c] = 0;
  for (int i = first_lane; i < m; i++) inflow[to[i] - 2 - D] += x[i] * unit;
  free(from), free(to), free(cap), free(cost), free(sup), free(x);
}

/* Points of a series in this replication: how many, and the value of the last at or
 * before t (NaN if none). */
static int series_at(const harness *h, const char *name, double t, double *value) {
  int id = metric_find(&h->ms, "logistics", name), n = 0;
  assert_true(id >= 0);
  *value = NAN;
  for (size_t i = 0; i < h->out.npoints; i++)
    if (h->out.point[i].metric == id) {
      n++;
      if (h->out.point[i].t <= t) *value = h->out.point[i].value;
    }
  return n;
}

static void check_balance(const lgs_run *r, int K, const char *what, uint32_t rep) {
  for (int k = 0; k < K; k++) {
    lgs_balance b;
    lgs_balance_of(r, k, &b);
    double lhs = b.initial + b.inflow, rhs = b.consumed + b.on_hand + b.in_transit;
    if (!(fabs(lhs - rhs) <= 1e-9 * fmax(1, lhs)) || b.in_transit < -1e-6) {
      fprintf(stderr, "%s replication %u commodity %d: initial %.17g + inflow %.17g != "
              "consumed %.17g + on hand %.17g + in transit %.17g\n", what, rep, k, b.initial,
              b.inflow, b.consumed, b.on_hand, b.in_transit);
      fail();
    }
  }
}

/* No randomness, no disruption: the first plan's cost is the LP optimum (GLPK), and
 * by the horizon each consumer has received exactly the LP's inflow. */
static void test_deterministic_lp(void **state) {
  (void)state;
  harness h;
  harness_init(&h, LOG_TEST_DATA "/det.yaml", 0);
  const scn_logistics *L = scn_logistics_of(h.sc);
  lgs_run *r = harness_start(&h, 0, NULL, NULL);
  assert_int_equal(sim_run(h.s, h.sc->horizon), 0);
  for (int k = 0; k < (int)L->ncommodity; k++) {
    double opt, inflow[8];
    first_plan_lp(&h, k, &opt, inflow);
    if (fabs(opt - lgs_first_plan_cost(r, k)) > 1e-6) {
      fprintf(stderr, "commodity %d: plan %.17g, LP %.17g\n", k, lgs_first_plan_cost(r, k), opt);
      fail();
    }
    lgs_balance b;
    lgs_balance_of(r, k, &b);
    assert_true(b.in_transit == 0); /* every voyage finished */
    double total = 0;
    for (int c = 0; c < (int)L->nconsumer; c++) {
      double got = 0;
      for (int i = 0; i < lgs_lanes(h.lm); i++)
        if (lane_part(L, lgs_lane_name(h.lm, i), 1) == c) got += lgs_lane_shipped(r, i, k);
      if (fabs(got - inflow[c]) > 1e-6) {
        fprintf(stderr, "commodity %d consumer %d: delivered %.17g, LP %.17g\n", k, c, got, inflow[c]);
        fail();
      }
      total += inflow[c];
    }
    assert_true(fabs(b.delivered - total) < 1e-6);
  }
  /* Fuel: all requirements met (4000 + 3000 + 1600 m3); food: two aircraft loads. */
  lgs_balance b;
  lgs_balance_of(r, 0, &b);
  assert_true(fabs(b.delivered - 8600) < 1e-6);
  lgs_balance_of(r, 1, &b);
  assert_true(fabs(b.delivered - 40000) < 1e-6);
  check_balance(r, (int)L->ncommodity, "det", 0);
  int nl = lgs_lanes(h.lm), K = (int)L->ncommodity;
  double *net = calloc((size_t)(nl * K), sizeof *net);
  for (int i = 0; i < nl; i++)
    for (int k = 0; k < K; k++) net[i * K + k] = lgs_lane_first_plan(r, i, k);
  lgs_collect(r, h.s, &h.out);
  harness_release(&h);

  /* The coupled LP, forced on the same case, plans the same flows: no capacity is
   * shared, and the fleet (10 ships for 4.3 loads, 2 aircraft) does not bind. */
  harness_init_set(&h, LOG_TEST_DATA "/det.yaml", 0, "logistics.planner=lp");
  assert_true(lgs_coupled(h.lm));
  r = harness_start(&h, 0, NULL, NULL);
  assert_int_equal(sim_run(h.s, h.sc->horizon), 0);
  for (int i = 0; i < nl; i++)
    for (int k = 0; k < K; k++)
      if (fabs(lgs_lane_first_plan(r, i, k) - net[i * K + k]) > 1e-6) {
        fprintf(stderr, "lane %s commodity %d: LP %.17g, network %.17g\n", lgs_lane_name(h.lm, i),
                k, lgs_lane_first_plan(r, i, k), net[i * K + k]);
        fail();
      }
  check_balance(r, K, "det (LP)", 0);
  lgs_collect(r, h.s, &h.out);
  free(net);
  harness_release(&h);
}

/* initial + inflow = consumed + on hand + in transit in every replication of the
 * default scenario (random demand, the crisis closing ports, the plan's phases moving
 * the carrier group's station and its supply task starting and stopping, crews
 * resting), checked mid-run too. */
static void test_conservation(void **state) {
  (void)state;
  harness h;
  harness_init(&h, LOG_TEST_SCENARIO, 2);
  assert_true(lgs_coupled(h.lm)); /* the oilers carry fuel, provisions and medical */
  int K = (int)scn_logistics_of(h.sc)->ncommodity;
  for (uint32_t rep = 0; rep < 40; rep++) {
    lgs_run *r = harness_start(&h, rep, NULL, NULL);
    assert_int_equal(sim_run(h.s, h.sc->horizon / 3 + 1234.5), 0);
    check_balance(r, K, "default (mid-run)", rep);
    assert_int_equal(sim_run(h.s, h.sc->horizon), 0);
    check_balance(r, K, "default", rep);
    for (int k = 0; k < K; k++) { /* the lanes' deliveries add up to the total */
      lgs_balance b;
      double lanes = 0;
      lgs_balance_of(r, k, &b);
      for (int i = 0; i < lgs_lanes(h.lm); i++) lanes += lgs_lane_delivered(r, i, k);
      assert_true(fabs(lanes - b.delivered) <= 1e-9 * fmax(1, b.delivered));
    }
    lgs_collect(r, h.s, &h.out);
    plan_collect(h.pr, h.s, &h.out);
    /* binding.<kind>: 0/1 step functions, a point at 0 and then only at changes. */
    static const char *const kinds[] = {"asset", "endurance", "stock", "closed", "berth",
                                        "authority", "area", "no_lane"};
    int points = 0;
    for (int i = 0; i < 8; i++) {
      char name[64];
      double v0, v;
      snprintf(name, sizeof name, "binding.%s", kinds[i]);
      int n = series_at(&h, name, 0, &v0);
      assert_true(n >= 1 && (v0 == 0 || v0 == 1));
      for (size_t j = 0, last = 2; j < h.out.npoints; j++)
        if (h.out.point[j].metric == metric_find(&h.ms, "logistics", name)) {
          v = h.out.point[j].value;
          assert_true((v == 0 || v == 1) && v != (double)last); /* changes only */
          last = (size_t)v;
        }
      points += n;
    }
    assert_true(points <= 8 + 31 * 2);
    int f = metric_find(&h.ms, "logistics", "fill_rate.csg-east.fuel");
    assert_true(f >= 0 && h.out.value[f] >= 0 && h.out.value[f] <= 1);
  }
  harness_release(&h);
}

/* Replication 1186 of the default scenario (seed 20270401) once stalled GLPK's
 * warm-started dual simplex for ever (`straits run -n 1600` hung); the LP now restarts
 * after a bounded number of pivots (lgs_lp.c), so it finishes. */
static void test_lp_never_stalls(void **state) {
  (void)state;
  harness h;
  harness_init(&h, LOG_TEST_SCENARIO, 2);
  assert_true(h.sc->seed == 20270401);
  (void)harness_start(&h, 1186, NULL, NULL);
  assert_int_equal(sim_run(h.s, h.sc->horizon), 0);
  harness_release(&h);
}

typedef struct disruption {
  sim_signal sig;
} disruption;

static void publish(sim *s, void *ctx) { sim_publish(s, &((disruption *)ctx)->sig); }

static void shipped_near_far(harness *h, disruption *x, double *near, double *far) {
  lgs_run *r = harness_start(h, 0, x ? publish : NULL, x);
  assert_int_equal(sim_run(h->s, h->sc->horizon), 0);
  *near = lgs_lane_shipped(r, lane_named(h->lm, "near>base/ship"), 0);
  *far = lgs_lane_shipped(r, lane_named(h->lm, "far>base/ship"), 0);
  check_balance(r, 1, "closure", 0);
  lgs_collect(r, h->s, &h->out);
}

/* Closing the near depot's port, or activating a combat area across its lane, moves
 * the flow to the next-cheapest lane (the far depot's sea route). */
static void test_closure_shifts_flow(void **state) {
  (void)state;
  harness h;
  harness_init(&h, LOG_TEST_DATA "/closure.yaml", 0);
  assert_true(lane_named(h.lm, "near>base/ship") >= 0 && lane_named(h.lm, "far>base/ship") >= 0);
  assert_true(lgs_lane_cost(h.lm, lane_named(h.lm, "near>base/ship")) <
              lgs_lane_cost(h.lm, lane_named(h.lm, "far>base/ship")));
  double near, far;
  shipped_near_far(&h, NULL, &near, &far);
  assert_true(near >= 1000 && far == 0);

  disruption closed = {{.type = SIG_SITE_STATUS, .source = -1, .region = -1, .open = 0,
                        .place = scn_place_find(h.sc, "pa")}};
  shipped_near_far(&h, &closed, &near, &far);
  assert_true(near == 0 && far >= 1000);
  int b = metric_find(&h.ms, "logistics", "replans");
  assert_true(b >= 0 && h.out.value[b] == 1);

  disruption battle = {{.type = SIG_REGION_STATUS, .source = -1, .place = -1, .open = 0,
                        .region = scn_region_find(h.sc, "battle")}};
  shipped_near_far(&h, &battle, &near, &far);
  assert_true(near == 0 && far >= 1000);

  /* A surge (x3 from crisis event `war`) triples the requirement: 3000 m3 in two
   * voyages topped up to full loads of 2000, against one voyage without it. */
  shipped_near_far(&h, NULL, &near, &far);
  assert_true(near == 2000 && far == 0);
  disruption war = {{.type = SIG_EVENT_OCCURRED, .source = -1, .place = -1, .region = -1,
                     .event = scn_event_find(h.sc, "war")}};
  shipped_near_far(&h, &war, &near, &far);
  assert_true(near == 4000 && far == 0);
  harness_release(&h);
}


/* ---- coupled planning, berths, moving consumers, rest, authorities ---------------------- */

static double metric_of(const harness *h, const char *name) {
  int i = metric_find(&h->ms, "logistics", name);
  assert_true(i >= 0);
  return h->out.value[i];
}

/* One ship with a shared hold (tests/ops/logistics/data/shared.yaml).  Planned per
 * commodity, fuel and provisions each take 80% of the hold (160%); the coupled LP
 * respects the hold, and its objective is the optimum of the bundle LP written
 * independently here from the scenario's numbers and solved by GLPK. */
static void test_coupled_lp(void **state) {
  (void)state;
  harness h;
  harness_init_set(&h, LOG_TEST_DATA "/shared.yaml", 0, "logistics.planner=network");
  assert_false(lgs_coupled(h.lm));
  lgs_run *r = harness_start(&h, 0, NULL, NULL);
  assert_int_equal(sim_run(h.s, 1), 0);
  double fuel = lgs_lane_first_plan(r, 0, 0), prov = lgs_lane_first_plan(r, 0, 1) / 1000;
  assert_true(fabs(fuel - 800) < 1e-9 && fabs(prov - 400) < 1e-9);
  assert_true(fuel / 1000 + prov / 500 > 1.5); /* over-committed */
  lgs_collect(r, h.s, &h.out);
  harness_release(&h);

  harness_init(&h, LOG_TEST_DATA "/shared.yaml", 0);
  assert_true(lgs_coupled(h.lm));
  r = harness_start(&h, 0, NULL, NULL);
  assert_int_equal(sim_run(h.s, h.sc->horizon), 0);
  fuel = lgs_lane_first_plan(r, 0, 0), prov = lgs_lane_first_plan(r, 0, 1) / 1000;
  assert_true(fuel / 1000 + prov / 500 <= 1 + 1e-9);
  assert_true(fabs(fuel - 800) < 1e-6 && fabs(prov - 100) < 1e-6);
  /* nodes S, X, depot, consumer; arcs S->X, depot->X, S->consumer, the lane */
  const scn_logistics *L = scn_logistics_of(h.sc);
  double pen = ceil(L->penalty / 60) * (10 - L->consumer[0].priority);
  int from[] = {0, 2, 0, 2}, to[] = {1, 1, 3, 3}, bundle[] = {-1, -1, -1, 0};
  double supply[] = {800, -5000, 5000, -800, 400, -5000, 5000, -400};
  double cap[] = {-1, -1, -1, -1, -1, -1, -1, -1};
  double w = (double)lgs_lane_cost(h.lm, 0);
  double cost[] = {0, 0, pen * 9 / 9, w, 0, 0, pen * 8 / 9, w};
  double weight[] = {0, 0, 0, 1.0 / 1000, 0, 0, 0, 1.0 / 500};
  double bcap[] = {1};
  lgs_lp_problem p = {2, 4, 4, from, to, supply, cap, cost, 1, bundle, weight, bcap};
  double opt = NAN, x[8];
  assert_int_equal(lgs_lp_solve(&opt, x, &p), 0);
  if (fabs(opt - lgs_first_plan_objective(r)) > 1e-6 * opt) {
    fprintf(stderr, "coupled plan %.17g, LP %.17g\n", lgs_first_plan_objective(r), opt);
    fail();
  }
  assert_true(fabs(x[3] - fuel) < 1e-6 && fabs(x[7] - prov) < 1e-6);
  /* Executed as planned: one voyage, 800 m3 and 100 t. */
  lgs_balance b;
  lgs_balance_of(r, 0, &b);
  assert_true(fabs(b.delivered - 800) < 1e-6);
  lgs_balance_of(r, 1, &b);
  assert_true(fabs(b.delivered - 100000) < 1e-3);
  check_balance(r, 2, "shared", 0);
  lgs_collect(r, h.s, &h.out);
  harness_release(&h);
}

/* One berth at the loading port: 24 berth-hours a day at 100 m3/h let the plan ship
 * 2400 m3 although four ships could lift 4000 (network and LP alike); the loadings
 * still queue for the berth in execution. */
static void test_berth_capacity(void **state) {
  (void)state;
  const char *sets[] = {NULL, "logistics.planner=lp"};
  for (int i = 0; i < 2; i++) {
    harness h;
    harness_init_set(&h, LOG_TEST_DATA "/berth.yaml", 0, sets[i]);
    assert_int_equal(lgs_coupled(h.lm), i);
    lgs_run *r = harness_start(&h, 0, NULL, NULL);
    assert_int_equal(sim_run(h.s, 1), 0);
    double planned = lgs_lane_first_plan(r, 0, 0);
    if (fabs(planned - 2400) > 1e-6) {
      fprintf(stderr, "%s: planned %.17g m3, berths allow 2400\n", sets[i] ? sets[i] : "network", planned);
      fail();
    }
    assert_true(lgs_bottleneck_count(r, "bottleneck.berth.pa") >= 1);
    assert_int_equal(sim_run(h.s, h.sc->horizon), 0);
    check_balance(r, 1, "berth", 0);
    lgs_collect(r, h.s, &h.out);
    double v;
    series_at(&h, "binding.berth", 0, &v); /* the first period: the berth binds */
    assert_true(v == 1);
    series_at(&h, "binding.asset", 0, &v);
    assert_true(v == 0);
    /* Alone at the berth a full voyage takes 10 h loading + 8 h out + 2 h unloading. */
    assert_true(metric_of(&h, "delivery_time.mean") > 21 * 3600.0);
    assert_true(metric_of(&h, "berth_utilisation.pa") > 0.5);
    harness_release(&h);
  }
}

/* One berth at the delivery port (landing.yaml): 24 berth-hours a day at 100 m3/h of
 * unloading let the plan ship 2400 m3 of the 4000 four ships could lift (network and
 * LP alike), and the berth is the bottleneck. */
static void test_delivery_berth(void **state) {
  (void)state;
  const char *sets[] = {NULL, "logistics.planner=lp"};
  for (int i = 0; i < 2; i++) {
    harness h;
    harness_init_set(&h, LOG_TEST_DATA "/landing.yaml", 0, sets[i]);
    assert_int_equal(lgs_coupled(h.lm), i);
    lgs_run *r = harness_start(&h, 0, NULL, NULL);
    assert_int_equal(sim_run(h.s, 1), 0);
    double planned = lgs_lane_first_plan(r, 0, 0);
    if (fabs(planned - 2400) > 1e-6) {
      fprintf(stderr, "%s: planned %.17g m3, the delivery berth allows 2400\n",
              sets[i] ? sets[i] : "network", planned);
      fail();
    }
    assert_true(lgs_bottleneck_count(r, "bottleneck.berth.pc") >= 1);
    assert_int_equal(sim_run(h.s, h.sc->horizon), 0);
    check_balance(r, 1, "landing", 0);
    lgs_collect(r, h.s, &h.out);
    assert_true(metric_of(&h, "berth_utilisation.pc") > 0.5);
    harness_release(&h);
  }
}

static double track_lon(double t) { /* moving.yaml: 131E at 0 to 136E at 2d, along 27N */
  return t >= 2 * 86400.0 ? 136 : 131 + 5 * t / (2 * 86400.0);
}

/* When an oiler leaving pa at td at speed v meets the group on its track (bisection,
 * independent of the model's fixed-point iteration). */
static double meet_track(double td, double v) {
  double lo = td, hi = td + 5 * 86400.0;
  for (int i = 0; i < 200; i++) {
    double mid = 0.5 * (lo + hi);
    if (v * (mid - td) >= geo_distance(30, 130, 27, track_lon(mid))) hi = mid;
    else lo = mid;
  }
  return hi;
}

typedef struct phase_at {
  double t;
  sim_signal sig;
} phase_at;

static void publish_phase(sim *s, void *ctx) { sim_publish(s, &((phase_at *)ctx)->sig); }
static void schedule_phase(sim *s, void *ctx) {
  assert_int_equal(sim_at(s, ((phase_at *)ctx)->t, publish_phase, ctx), 0);
}

/* A consumer that moves: one voyage meets it where it will be (on its track), at the
 * station it takes up when a phase begins, or -- when the station changes while the
 * oiler sails -- follows it on from the first meeting point. */
static void test_moving_consumer(void **state) {
  (void)state;
  harness h;
  harness_init(&h, LOG_TEST_DATA "/moving.yaml", 0);
  const double v = 20 * 1852 / 3600.0, td = 3600, unload = 7200; /* 1000 m3 at 1000/500 m3/h */
  double t1 = meet_track(td, v);
  double want[3] = {t1 + unload, td + geo_distance(30, 130, 25, 133) / v + unload,
                    t1 + geo_distance(27, track_lon(t1), 25, 133) / v + unload};
  phase_at ph[3] = {{0}, {0, {.type = SIG_PHASE_BEGAN, .source = -1, .place = -1, .region = -1}},
                    {3 * 3600.0, {.type = SIG_PHASE_BEGAN, .source = -1, .place = -1, .region = -1}}};
  for (int i = 0; i < 3; i++) {
    ph[i].sig.phase = scn_phase_find(h.sc->plan, "respond");
    lgs_run *r = harness_start(&h, 0, i ? schedule_phase : NULL, &ph[i]);
    assert_int_equal(sim_run(h.s, h.sc->horizon), 0);
    check_balance(r, 1, "moving", (uint32_t)i);
    lgs_balance b;
    lgs_balance_of(r, 0, &b);
    assert_true(fabs(b.delivered - 1000) < 1e-6);
    lgs_collect(r, h.s, &h.out);
    double got = metric_of(&h, "delivery_time.mean");
    if (fabs(got - want[i]) > 2) {
      fprintf(stderr, "case %d: delivered after %.3f s, expected %.3f s\n", i, got, want[i]);
      fail();
    }
  }
  harness_release(&h);
}

/* Two deliveries (two.yaml): 1 h loading, 3 h or 9 h at sea, 2 h unloading.  Their
 * p90 is the slower of the two by the nearest rank (stats.h), never the faster, and
 * the mean is halfway. */
static void test_delivery_p90_two(void **state) {
  (void)state;
  harness h;
  harness_init(&h, LOG_TEST_DATA "/two.yaml", 0);
  lgs_run *r = harness_start(&h, 0, NULL, NULL);
  assert_int_equal(sim_run(h.s, h.sc->horizon), 0);
  lgs_balance b;
  lgs_balance_of(r, 0, &b);
  assert_true(fabs(b.delivered - 2000) < 1e-6);
  lgs_collect(r, h.s, &h.out);
  const double v = 20 * 1852 / 3600.0;
  double fast = 3600 + geo_distance(30, 130, 29, 130) / v + 7200;
  double slow = 3600 + geo_distance(30, 130, 27, 130) / v + 7200;
  double p90 = metric_of(&h, "delivery_time.p90"), mean = metric_of(&h, "delivery_time.mean");
  if (fabs(p90 - slow) > 2 || fabs(mean - (fast + slow) / 2) > 2) {
    fprintf(stderr, "p90 %.3f s, mean %.3f s; expected %.3f s and %.3f s\n", p90, mean, slow,
            (fast + slow) / 2);
    fail();
  }
  harness_release(&h);
}

/* Crew rest and endurance (rest.yaml): voyages of 18 h under way, rest 12 h once 30 h
 * have accumulated: one rest in 4 days; the far consumer (80 h round trip) is beyond
 * the 30 h endurance, gets nothing, and endurance is its bottleneck. */
static void test_rest_endurance(void **state) {
  (void)state;
  harness h;
  harness_init(&h, LOG_TEST_DATA "/rest.yaml", 0);
  int far = lane_named(h.lm, "da>far/ship");
  assert_true(far >= 0);
  lgs_run *r = harness_start(&h, 0, NULL, NULL);
  assert_int_equal(sim_run(h.s, h.sc->horizon), 0);
  assert_true(fabs(lgs_rested(r, 0) - 12 * 3600.0) < 1e-6);
  assert_true(lgs_lane_shipped(r, far, 0) == 0);
  assert_true(lgs_bottleneck_count(r, "bottleneck.endurance.ship") >= 1);
  /* Voyages at 0, 24 h and 72 h (resting at 48 h): three full loads delivered. */
  assert_true(fabs(lgs_lane_delivered(r, lane_named(h.lm, "da>near/ship"), 0) - 6000) < 1e-6);
  check_balance(r, 1, "rest", 0);
  lgs_collect(r, h.s, &h.out);
  assert_true(metric_of(&h, "rest.ship") == 12 * 3600.0);
  harness_release(&h);
}

/* With the plan module: c1 is supplied only while the task `refuel` runs (2d to 5d), and
 * its demand doubles when the phase `respond` begins (3d). */
static void test_authority(void **state) {
  (void)state;
  harness h;
  harness_init(&h, LOG_TEST_DATA "/authority.yaml", 2);
  lgs_run *r = harness_start(&h, 0, NULL, NULL);
  lgs_balance b;
  assert_int_equal(sim_run(h.s, 2 * 86400.0 - 1), 0);
  lgs_balance_of(r, 0, &b);
  assert_true(b.delivered == 0 && b.in_transit == 0);
  assert_true(lgs_surge(r, 0) == 1);
  assert_true(lgs_bottleneck_count(r, "bottleneck.authority.c1") >= 1);
  assert_int_equal(sim_run(h.s, 3 * 86400.0 + 1), 0);
  lgs_balance_of(r, 0, &b);
  assert_true(b.delivered > 0);
  assert_true(lgs_surge(r, 0) == 2);
  assert_int_equal(sim_run(h.s, 5 * 86400.0 + 3 * 3600.0), 0);
  lgs_balance_of(r, 0, &b);
  double by_end = b.delivered;
  check_balance(r, 1, "authority", 0);
  assert_int_equal(sim_run(h.s, h.sc->horizon), 0);
  lgs_balance_of(r, 0, &b);
  assert_true(b.delivered == by_end); /* nothing after the task stopped */
  assert_true(b.in_transit == 0);
  check_balance(r, 1, "authority", 0);
  lgs_collect(r, h.s, &h.out);
  plan_collect(h.pr, h.s, &h.out);
  harness_release(&h);
}

/* A JP task gates JP transports only (nations.yaml): before the JP task `refuel` runs
 * (2d) the US oiler delivers and the JP ship does not; while it runs both do; after it
 * stops (5d) only the US oiler.  delivered_by and jp_share say who delivered. */
static void test_authority_nations(void **state) {
  (void)state;
  harness h;
  harness_init(&h, LOG_TEST_DATA "/nations.yaml", 2);
  int jp = lane_named(h.lm, "da>c1/jp-ship"), us = lane_named(h.lm, "da>c1/us-oiler");
  assert_true(jp >= 0 && us >= 0);
  lgs_run *r = harness_start(&h, 0, NULL, NULL);
  assert_int_equal(sim_run(h.s, 2 * 86400.0 - 1), 0);
  double us_before = lgs_lane_delivered(r, us, 0);
  assert_true(us_before >= 300);
  assert_true(lgs_lane_delivered(r, jp, 0) == 0 && lgs_lane_shipped(r, jp, 0) == 0);
  assert_int_equal(sim_run(h.s, 5 * 86400.0 - 1), 0);
  double jp_during = lgs_lane_delivered(r, jp, 0);
  assert_true(jp_during > 0);
  assert_true(lgs_lane_delivered(r, us, 0) > us_before);
  assert_int_equal(sim_run(h.s, 5 * 86400.0 + 12 * 3600.0), 0);
  double jp_end = lgs_lane_delivered(r, jp, 0), us_end = lgs_lane_delivered(r, us, 0);
  assert_int_equal(sim_run(h.s, h.sc->horizon), 0);
  assert_true(lgs_lane_delivered(r, jp, 0) == jp_end);   /* the JP task stopped */
  assert_true(lgs_lane_delivered(r, us, 0) > us_end);    /* the US oiler goes on */
  check_balance(r, 1, "nations", 0);
  lgs_collect(r, h.s, &h.out);
  plan_collect(h.pr, h.s, &h.out);
  double by_jp = metric_of(&h, "delivered_by.JP.c1.fuel"), by_us = metric_of(&h, "delivered_by.US.c1.fuel");
  assert_true(fabs(by_jp - lgs_lane_delivered(r, jp, 0)) < 1e-6);
  assert_true(fabs(by_us - lgs_lane_delivered(r, us, 0)) < 1e-6);
  assert_true(fabs(metric_of(&h, "jp_share.c1.fuel") - by_jp / (by_jp + by_us)) < 1e-12);
  harness_release(&h);

  /* count: 0 leaves the US oiler out: JP deliveries only, and only while the task runs. */
  harness_init_set(&h, LOG_TEST_DATA "/nations.yaml", 2, "logistics.transports.1.count=0");
  r = harness_start(&h, 0, NULL, NULL);
  assert_int_equal(sim_run(h.s, 2 * 86400.0 - 1), 0);
  lgs_balance b;
  lgs_balance_of(r, 0, &b);
  assert_true(b.delivered == 0);
  assert_int_equal(sim_run(h.s, h.sc->horizon), 0);
  check_balance(r, 1, "nations, no US oiler", 0);
  lgs_collect(r, h.s, &h.out);
  plan_collect(h.pr, h.s, &h.out);
  assert_true(metric_of(&h, "delivered_by.US.c1.fuel") == 0 && metric_of(&h, "delivered_by.JP.c1.fuel") > 0);
  assert_true(metric_of(&h, "jp_share.c1.fuel") == 1);
  assert_true(isnan(metric_of(&h, "asset_utilisation.us-oiler")));
  harness_release(&h);
}

/* A demand-rate draw that is not finite fails the run blamed on the rate's text
 * (issue 21), at the consumer's `demand:` entry for that commodity.  The loader bounds
 * the parameters, so the distribution is put in behind its back. */
static void test_demand_blamed(void **state) {
  (void)state;
  scn_scenario *sc = load_with(LOG_TEST_DATA "/demand.yaml", NULL);
  scn_lgs_consumer *u = (scn_lgs_consumer *)&scn_logistics_of(sc)->consumer[0];
  assert_int_equal(u->demand_loc[0].line, 21); /* "fuel: 500m3/d" of c1 */
  assert_int_equal(u->demand_loc[0].col, 42);
  u->demand[0] = (dist){DIST_FIXED, INFINITY, 0, 0, NULL, 0};
  sim_blame b;
  assert_int_equal(ops_fixture_run_blamed(sc, &b), ERR_RANGE);
  assert_non_null(b.file);
  assert_non_null(strstr(b.file, "demand.yaml"));
  assert_int_equal(b.line, 21);
  assert_int_equal(b.col, 42);
  assert_string_equal(b.id, "c1");
  assert_non_null(strstr(b.what, "demand"));
  assert_true(isinf(b.value));
  scn_free(sc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_demand_blamed),
      cmocka_unit_test(test_flow_hand),       cmocka_unit_test(test_flow_vs_lp),
      cmocka_unit_test(test_lp_bundle),       cmocka_unit_test(test_deterministic_lp),
      cmocka_unit_test(test_conservation), cmocka_unit_test(test_lp_never_stalls),    cmocka_unit_test(test_closure_shifts_flow),
      cmocka_unit_test(test_coupled_lp),      cmocka_unit_test(test_berth_capacity),
      cmocka_unit_test(test_delivery_berth),
      cmocka_unit_test(test_moving_consumer), cmocka_unit_test(test_rest_endurance),
      cmocka_unit_test(test_delivery_p90_two),
      cmocka_unit_test(test_authority),       cmocka_unit_test(test_authority_nations),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
