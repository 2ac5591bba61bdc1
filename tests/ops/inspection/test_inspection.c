/* test_inspection.c - the ship inspection model: Erlang C and Erlang A formulas against
 * the birth-death chain, the simulation against them (M/M/c and M/M/c+M special cases,
 * 95% CI), the legal gates, the priority rules, endurance, and the dirty AIS replay. */
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
#include "geodesy.h"
#include "gshhg.h"
#include "inspection.h"
#include "metric.h"
#include "plan.h"
#include "scenario.h"
#include "scn_inspection.h"
#include "scn_plan.h"
#include "searoute.h"
#include "sim.h"
#include "stats.h"
#include "ops.h"
#include "ops_fixture.h"

#define HOUR 3600.0
#define MAX_REPS 64

static scn_scenario *load(const char *name, const char *const *overrides, size_t n) {
  return ops_fixture_load(INSP_TEST_DATA, name, overrides, n);
}

/* Run reps replications of sc's inspection model alone (no crisis unless with_crisis
 * names events the test raises by hand) and keep the named metrics: out[k][r]. */
typedef struct run_out {
  double v[16][MAX_REPS];
  uint64_t simulated;
} run_out;

static void run(const scn_scenario *sc, int reps, const char *const *names, size_t nn,
                run_out *out, void (*setup)(sim *s, void *ctx), void *ctx) {
  metric_set ms;
  metric_set_init(&ms);
  insp_model *m = NULL;
  assert_int_equal(insp_model_new(&m, sc, &ms, NULL), 0);
  assert_non_null(m);
  int idx[16];
  assert_true(nn <= 16);
  for (size_t k = 0; k < nn; k++) {
    idx[k] = metric_find(&ms, "inspection", names[k]);
    if (idx[k] < 0) fail_msg("no metric inspection.%s", names[k]);
  }
  sim *s = sim_new();
  arena a;
  arena_init(&a, ARENA_DEFAULT_CAP);
  uint64_t seed = ops_fixture_seed() ? ops_fixture_seed() : sc->seed;
  out->simulated = 0;
  for (int r = 0; r < reps; r++) {
    sim_reset(s);
    arena_reset(&a);
    metric_out mo;
    assert_int_equal(metric_out_init(&mo, &ms, &a), 0);
    insp *I = insp_start(m, s, &a, &mo, seed, (uint32_t)r);
    assert_non_null(I);
    if (setup) setup(s, ctx);
    assert_int_equal(sim_run(s, sc->horizon), 0);
    insp_collect(I, s, &mo);
    out->simulated += insp_ships_simulated(I);
    for (size_t k = 0; k < nn; k++) out->v[k][r] = mo.value[idx[k]];
  }
  arena_release(&a);
  sim_free(s);
  insp_model_free(m);
  metric_set_release(&ms);
}

static stats_summary summarize(const double *x, int n) {
  double scratch[MAX_REPS];
  stats_summary st;
  stats_summarize(&st, x, (size_t)n, STATS_REAL, scratch);
  return st;
}

static void expect_in_ci(const char *what, const double *x, int n, double exact) {
  stats_summary st = summarize(x, n);
  if (fabs(st.mean - exact) > st.half_width)
    fail_msg("%s: exact %.6g outside the 95%% CI %.6g +- %.3g (seed %llu; set "
             "STRAITS_TEST_SEED to vary)",
             what, exact, st.mean, st.half_width, (unsigned long long)ops_fixture_seed());
  printf("  %-26s exact %.5g, simulated %.5g +- %.2g\n", what, exact, st.mean, st.half_width);
}

/* ---- the formulas ------------------------------------------------------------------------ */

/* The M/M/c+M birth-death chain summed directly (rates lambda; min(n,c) mu + (n-c)+ theta),
 * truncated where the terms vanish: an independent check of the closed forms. */
static void chain(double lambda, double mu, double theta, int c, double *p_wait,
                  double *p_ab, double *wq) {
  double term = 1, total = 0, busy = 0, lq = 0;
  for (int n = 0; n < 100000; n++) {
    if (n > 0) term *= lambda / ((n < c ? n : c) * mu + (n > c ? n - c : 0) * theta);
    total += term;
    if (n >= c) busy += term, lq += (n - c) * term;
    if (n > c && term < 1e-300) break;
  }
  *p_wait = busy / total;
  *wq = lq / total / lambda;
  *p_ab = theta * lq / total / lambda;
}

static void test_erlang_formulas(void **state) {
  (void)state;
  static const struct { double lambda, mu, theta; int c; } cases[] = {
      {6, 1, 0.5, 5}, {4, 1, 2, 5}, {1.5, 0.2, 0.05, 10}, {30, 1, 0.1, 25}, {0.5, 1, 1, 1}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    insp_queue_stats q;
    double pw, pa, wq;
    assert_int_equal(insp_erlang_a(&q, cases[i].lambda, cases[i].mu, cases[i].theta, cases[i].c), 0);
    chain(cases[i].lambda, cases[i].mu, cases[i].theta, cases[i].c, &pw, &pa, &wq);
    assert_float_equal(q.p_wait, pw, 1e-9 * pw + 1e-12);
    assert_float_equal(q.p_abandon, pa, 1e-9 * pa + 1e-12);
    assert_float_equal(q.wq, wq, 1e-9 * wq + 1e-12);
  }
  /* Erlang C against the chain with theta -> 0 and a textbook value: M/M/2 with
   * lambda = 1, mu = 1 (rho = 0.5) waits with probability 1/3 and Wq = 1/3. */
  insp_queue_stats q;
  assert_int_equal(insp_erlang_c(&q, 1, 1, 2), 0);
  assert_float_equal(q.p_wait, 1.0 / 3, 1e-12);
  assert_float_equal(q.wq, 1.0 / 3, 1e-12);
  double pw, pa, wq;
  assert_int_equal(insp_erlang_c(&q, 4, 1, 5), 0);
  chain(4, 1, 1e-9, 5, &pw, &pa, &wq);
  assert_float_equal(q.wq, wq, 1e-6 * wq);
  assert_int_equal(insp_erlang_c(&q, 5, 1, 5), ERR_RANGE); /* unstable */
  assert_int_equal(insp_erlang_a(&q, 5, 1, 0, 5), ERR_RANGE);
}

/* ---- the simulation against them ---------------------------------------------------------- */

static void test_mmc_erlang_c(void **state) {
  (void)state;
  scn_scenario *sc = load("mmc.yaml", NULL, 0);
  static const char *const names[] = {"wait_mean", "team_utilisation", "coverage"};
  run_out out;
  run(sc, 64, names, 3, &out, NULL, NULL);
  insp_queue_stats q;
  assert_int_equal(insp_erlang_c(&q, 4 / HOUR, 1 / HOUR, 5), 0);
  expect_in_ci("M/M/5 mean wait (s)", out.v[0], 64, q.wq);
  /* Utilisation rho = 0.8 over the whole operation (the empty start costs ~0.1%). */
  stats_summary u = summarize(out.v[1], 64);
  assert_true(fabs(u.mean - 0.8) < 0.01);
  stats_summary cov = summarize(out.v[2], 64);
  assert_true(cov.min > 0.99); /* nobody leaves: all but those queued at the end */
  scn_free(sc);
}

static void test_mmcm_erlang_a(void **state) {
  (void)state;
  scn_scenario *sc = load("mmcm.yaml", NULL, 0);
  static const char *const names[] = {"wait_all_mean", "left_frac"};
  run_out out;
  run(sc, 64, names, 2, &out, NULL, NULL);
  insp_queue_stats q;
  assert_int_equal(insp_erlang_a(&q, 6 / HOUR, 1 / HOUR, 0.5 / HOUR, 5), 0);
  expect_in_ci("M/M/5+M mean wait (s)", out.v[0], 64, q.wq);
  expect_in_ci("M/M/5+M P(abandon)", out.v[1], 64, q.p_abandon);
  scn_free(sc);
}

/* ---- gates, rules, endurance ------------------------------------------------------------- */

static void raise_event(sim *s, void *ctx) {
  sim_signal sig = {.type = SIG_EVENT_OCCURRED, .source = -1, .event = *(int *)ctx,
                    .place = -1, .region = -1};
  sim_publish(s, &sig);
}

static void schedule_raise(sim *s, void *ctx) { sim_at(s, 100 * HOUR, raise_event, ctx); }

/* unsc_only: nothing is hailed before the resolution; once the event standing for it
 * occurs, the operation runs. */
static void test_unsc_gate(void **state) {
  (void)state;
  static const char *const ov[] = {"inspection.legal_basis=unsc_only",
                                   "scenario.horizon=200h"};
  scn_scenario *sc = load("gates.yaml", ov, 2);
  static const char *const names[] = {"coverage", "wait_mean", "boarded_frac"};
  run_out never, later;
  run(sc, 4, names, 3, &never, NULL, NULL);
  for (int r = 0; r < 4; r++) assert_true(never.v[0][r] == 0);
  int ev = scn_event_find(sc, "unsc");
  assert_true(ev >= 0);
  run(sc, 4, names, 3, &later, schedule_raise, &ev);
  for (int r = 0; r < 4; r++) {
    assert_true(later.v[0][r] > 0.3 && later.v[0][r] < 0.7); /* the second half */
    assert_true(later.v[2][r] > 0.3);                        /* no consent needed */
  }
  scn_free(sc);
}

/* consent_or_unsc: flag consent 0 means no boarding until the resolution. */
static void test_consent(void **state) {
  (void)state;
  static const char *const ov[] = {"scenario.horizon=200h"};
  scn_scenario *sc = load("gates.yaml", ov, 1);
  static const char *const names[] = {"boarded_frac", "consent_refused", "coverage"};
  run_out none, some;
  run(sc, 4, names, 3, &none, NULL, NULL);
  int ev = scn_event_find(sc, "unsc");
  run(sc, 4, names, 3, &some, schedule_raise, &ev);
  for (int r = 0; r < 4; r++) {
    assert_true(none.v[0][r] == 0);
    assert_true(none.v[1][r] > 0);
    assert_true(none.v[2][r] > 0.9);
    assert_true(some.v[0][r] > 0.3);
  }
  scn_free(sc);
}

/* ---- the UNSC gate from the plan (SIG_GATE_OPENED of the authorities table's gate) ---- */

/* Run reps replications of sc's plan and inspection models together on one sim, the
 * crisis event `unsc` raised by hand at event_at, as the runner would (the inspection
 * model resolves the gate against the plan's table).  gate_at[r]: when the plan first
 * opened the gate. */
static void run_plan_event(const scn_scenario *sc, const char *event, int reps,
                           const char *const *names, size_t nn, run_out *out, double event_at,
                           double *gate_at, const char *task);

static void run_plan(const scn_scenario *sc, int reps, const char *const *names, size_t nn,
                     run_out *out, double event_at, double *gate_at) {
  run_plan_event(sc, "unsc", reps, names, nn, out, event_at, gate_at, NULL);
}

/* As run_plan, raising crisis event `event`; with `task`, gate_at[r] is when the plan
 * started that task instead. */
static void run_plan_event(const scn_scenario *sc, const char *event, int reps,
                           const char *const *names, size_t nn, run_out *out, double event_at,
                           double *gate_at, const char *task) {
  diag *d = diag_new();
  plan_authorities *table = NULL;
  int rc = plan_authorities_load(&table, plan_authorities_default_path(), d);
  if (rc) diag_print(d, stderr, 0);
  assert_int_equal(rc, 0);
  int gate = plan_authorities_find(table, PLAN_GATES, "unsc_resolution");
  assert_true(gate >= 0);
  metric_set ms;
  metric_set_init(&ms);
  plan_model *pm = NULL;
  insp_model *m = NULL;
  assert_int_equal(plan_model_new(&pm, sc, table, &ms, d), 0);
  assert_int_equal(insp_model_new_with(&m, sc, table, &ms, d), 0);
  assert_int_equal(diag_count(d, DIAG_WARNING), 0);
  int idx[16];
  assert_true(nn <= 16);
  for (size_t k = 0; k < nn; k++)
    if ((idx[k] = metric_find(&ms, "inspection", names[k])) < 0)
      fail_msg("no metric inspection.%s", names[k]);
  int ev = event ? scn_event_find(sc, event) : -1;
  assert_true(!event || ev >= 0);
  int ti = task ? scn_task_find(sc->plan, task) : -1;
  sim *s = sim_new();
  arena a;
  arena_init(&a, ARENA_DEFAULT_CAP);
  uint64_t seed = ops_fixture_seed() ? ops_fixture_seed() : sc->seed;
  for (int r = 0; r < reps; r++) {
    sim_reset(s);
    arena_reset(&a);
    metric_out mo;
    assert_int_equal(metric_out_init(&mo, &ms, &a), 0);
    plan_run *pr = plan_start(pm, s, &a, &mo, seed, (uint32_t)r); /* runner order: plan first */
    assert_non_null(pr);
    insp *I = insp_start(m, s, &a, &mo, seed, (uint32_t)r);
    assert_non_null(I);
    if (event) assert_true(sim_at(s, event_at, raise_event, &ev) >= 0);
    assert_int_equal(sim_run(s, sc->horizon), 0);
    insp_collect(I, s, &mo);
    gate_at[r] = task ? plan_run_task_start(pr, ti) : plan_run_gate_opened(pr, gate);
    for (size_t k = 0; k < nn; k++) out->v[k][r] = mo.value[idx[k]];
  }
  arena_release(&a);
  sim_free(s);
  insp_model_free(m);
  plan_model_free(pm);
  metric_set_release(&ms);
  plan_authorities_free(table);
  diag_free(d);
}

/* The plan's gate opening at 100h starts a unsc_only operation exactly then: the
 * replications are the very ones of the stand-in event at 100h (test_unsc_gate), metric
 * for metric, since the inspection's random streams do not depend on what opened it. */
static void test_plan_gate(void **state) {
  (void)state;
  static const char *const ov[] = {"inspection.legal_basis=unsc_only"};
  scn_scenario *stand_in = load("gates.yaml", ov, 1), *plan = load("gates_plan.yaml", ov, 1);
  static const char *const names[] = {"coverage", "wait_mean", "boarded_frac", "ships"};
  run_out want, got;
  double gate_at[4];
  int ev = scn_event_find(stand_in, "unsc");
  run(stand_in, 4, names, 4, &want, schedule_raise, &ev);
  run_plan(plan, 4, names, 4, &got, 100 * HOUR, gate_at);
  for (int r = 0; r < 4; r++) {
    assert_true(gate_at[r] == 100 * HOUR);
    assert_true(got.v[0][r] > 0.3 && got.v[0][r] < 0.7);
    for (int k = 0; k < 4; k++)
      if (!(got.v[k][r] == want.v[k][r] || (isnan(got.v[k][r]) && isnan(want.v[k][r]))))
        fail_msg("rep %d %s: plan gate %.17g, stand-in event %.17g", r, names[k],
                 got.v[k][r], want.v[k][r]);
  }
  scn_free(stand_in);
  scn_free(plan);
}

/* Closing the gate pauses the operation: open from 50h to 100h (the gate entry's `for`)
 * of a 200h horizon, about a quarter of the ships are hailed, against about three
 * quarters when it stays open from 50h; no other change between the two. */
static void test_plan_gate_closes(void **state) {
  (void)state;
  static const char *const ov[] = {"inspection.legal_basis=unsc_only"};
  scn_scenario *open = load("gates_plan.yaml", ov, 1), *lapse = load("gates_plan_lapse.yaml", ov, 1);
  static const char *const names[] = {"coverage", "ships"};
  run_out stays, closes;
  double gate_at[4];
  run_plan(open, 4, names, 2, &stays, 50 * HOUR, gate_at);
  run_plan(lapse, 4, names, 2, &closes, 50 * HOUR, gate_at);
  for (int r = 0; r < 4; r++) {
    assert_true(gate_at[r] == 50 * HOUR);
    assert_true(stays.v[1][r] == closes.v[1][r]); /* the same traffic */
    assert_true(stays.v[0][r] > 0.6 && stays.v[0][r] < 0.9);
    assert_true(closes.v[0][r] > 0.15 && closes.v[0][r] < 0.4);
  }
  scn_free(open);
  scn_free(lapse);
}

/* The model refuses file (with one override) with exactly one error, whose message
 * holds needle, at line:col (line 0: not checked). */
static void expect_model_error(const char *file, const char *override, const char *needle,
                               int line, int col) {
  const char *const ov[] = {override};
  scn_scenario *sc = load(file, ov, 1);
  metric_set ms;
  metric_set_init(&ms);
  diag *d = diag_new();
  insp_model *m = NULL;
  assert_int_equal(insp_model_new(&m, sc, &ms, d), ERR_INPUT);
  assert_null(m);
  assert_int_equal(diag_count(d, DIAG_ERROR), 1);
  const diag_entry *e = diag_at(d, 0);
  if (!strstr(e->message, needle)) fail_msg("'%s' lacks '%s'", e->message, needle);
  if (line) {
    assert_int_equal(e->line, line);
    assert_int_equal(e->col, col);
  }
  diag_free(d);
  metric_set_release(&ms);
  scn_free(sc);
}

/* An id the authorities table lacks is an error at the place the scenario writes it. */
static void test_plan_gate_unknown(void **state) {
  (void)state;
  expect_model_error("gates_plan.yaml", "inspection.unsc_resolution.gate=unsc_resolutoin",
                     "unknown gate 'unsc_resolutoin'", 0, 0);
}

/* Overloaded, with impatient ships: serving vessels of interest first misses far fewer
 * of them than FIFO; nearest-first serves more ships than FIFO (shorter transits). */
static void test_priority_rules(void **state) {
  (void)state;
  static const char *const names[] = {"interest_missed_frac", "coverage"};
  static const char *const fifo[] = {"inspection.rule=fifo"};
  static const char *const first[] = {"inspection.rule=interest_first"};
  static const char *const nearest[] = {"inspection.rule=nearest"};
  run_out a, b, c;
  scn_scenario *sc = load("rules.yaml", fifo, 1);
  run(sc, 8, names, 2, &a, NULL, NULL);
  scn_free(sc);
  sc = load("rules.yaml", first, 1);
  run(sc, 8, names, 2, &b, NULL, NULL);
  scn_free(sc);
  sc = load("rules.yaml", nearest, 1);
  run(sc, 8, names, 2, &c, NULL, NULL);
  scn_free(sc);
  stats_summary fa = summarize(a.v[0], 8), fb = summarize(b.v[0], 8);
  stats_summary ca = summarize(a.v[1], 8), cc = summarize(c.v[1], 8);
  printf("  interest missed: fifo %.3f, interest_first %.3f\n", fa.mean, fb.mean);
  printf("  coverage: fifo %.3f, nearest %.3f\n", ca.mean, cc.mean);
  assert_true(fb.mean < 0.5 * fa.mean);
  assert_true(cc.mean > ca.mean);
}

/* Endurance 4 d with a 10 h transit each way and a 1 d refit: on station about
 * (96 - 20) / (96 + 24) of the time; unlimited endurance: all but the first transit. */
static void test_endurance(void **state) {
  (void)state;
  static const char *const names[] = {"asset_on_station"};
  static const char *const limited[] = {"inspection.assets.0.endurance=4d",
                                        "inspection.assets.0.refit=1d"};
  run_out a, b;
  scn_scenario *sc = load("rules.yaml", limited, 2);
  run(sc, 2, names, 1, &a, NULL, NULL);
  scn_free(sc);
  sc = load("rules.yaml", NULL, 0);
  run(sc, 2, names, 1, &b, NULL, NULL);
  printf("  on station: endurance 4d %.3f, unlimited %.3f\n", a.v[0][0], b.v[0][0]);
  assert_true(fabs(a.v[0][0] - 76.0 / 120) < 0.05);
  assert_true(b.v[0][0] > 0.97 && b.v[0][0] < 1);
  scn_free(sc);
}

/* A stream that wakes at the start (100 h) fills the zone with the ships of the last
 * 20 h (the crossing) at the rates then in force (2/h, 6/h from 90 h): in scope are
 * 2 x 10 + 6 x 10 present at the start plus 6 x 100 arriving after, 680 on average
 * (600 without the fill, 720 at the current rate alone). */
static void test_dormant_fill(void **state) {
  (void)state;
  scn_scenario *sc = load("backfill.yaml", NULL, 0);
  static const char *const names[] = {"ships"};
  run_out out;
  run(sc, 64, names, 1, &out, NULL, NULL);
  expect_in_ci("ships in scope", out.v[0], 64, 680);
  scn_free(sc);
}

/* ---- traffic by plan phase, and following the plan's task ------------------------------ */

static void publish_phase(sim *s, void *ctx) {
  sim_signal sig = {.type = SIG_PHASE_BEGAN, .source = -1, .event = -1, .place = -1,
                    .region = -1, .gate = -1, .phase = *(int *)ctx, .task = -1, .open = 1};
  sim_publish(s, &sig);
}

static int phase_idx[3] = {0, 1, 2};

/* The plan's phases begin at 0 h, 200 h and 400 h (phases.yaml). */
static void schedule_phases(sim *s, void *ctx) {
  (void)ctx;
  for (int k = 0; k < 3; k++) sim_at(s, 200 * HOUR * k, publish_phase, &phase_idx[k]);
}

/* The count of ships entering in each phase is Poisson with mean rate x duration:
 * 6/h x 200 h in deter (no by_phase entry: the stream's own rate), 2/h x 200 h in
 * respond, and exactly none at 0/h in defend. */
static void test_phase_rates(void **state) {
  (void)state;
  scn_scenario *sc = load("phases.yaml", NULL, 0);
  static const char *const names[] = {"phase.deter.ships", "phase.respond.ships",
                                      "phase.defend.ships", "ships"};
  run_out out;
  run(sc, 32, names, 4, &out, schedule_phases, NULL);
  expect_in_ci("ships in deter (6/h)", out.v[0], 32, 1200);
  expect_in_ci("ships in respond (2/h)", out.v[1], 32, 400);
  for (int r = 0; r < 32; r++) {
    assert_true(out.v[2][r] == 0);
    assert_true(out.v[3][r] == out.v[0][r] + out.v[1][r]);
  }
  scn_free(sc);
}

/* A phase's rate takes effect exactly when the phase begins: the phases beginning at
 * 200 h and 400 h give, replication for replication, the very ships and services of
 * the same rates changed by the clock at 200 h and 400 h (the streams draw the same
 * numbers only if the changes fall at the same instants). */
static void test_phase_exact(void **state) {
  (void)state;
  scn_scenario *ph = load("phases.yaml", NULL, 0), *timed = load("phases_timed.yaml", NULL, 0);
  static const char *const names[] = {"ships", "coverage", "wait_mean", "boarded_frac"};
  run_out a, b;
  run(ph, 6, names, 4, &a, schedule_phases, NULL);
  run(timed, 6, names, 4, &b, NULL, NULL);
  for (int r = 0; r < 6; r++)
    for (int k = 0; k < 4; k++)
      if (!(a.v[k][r] == b.v[k][r]))
        fail_msg("rep %d %s: by phase %.17g, by the clock %.17g", r, names[k], a.v[k][r], b.v[k][r]);
  scn_free(ph);
  scn_free(timed);
}

/* The same through the plan module: its phases begin at 200 h and 400 h by their
 * start conditions, and the replications are those of the hand-announced phases. */
static void test_phase_plan(void **state) {
  (void)state;
  scn_scenario *hand = load("phases.yaml", NULL, 0), *plan = load("phases_plan.yaml", NULL, 0);
  static const char *const names[] = {"ships", "coverage", "phase.respond.ships",
                                      "phase.defend.ships"};
  run_out a, b;
  double unused[4];
  run(hand, 4, names, 4, &a, schedule_phases, NULL);
  run_plan_event(plan, "unused", 4, names, 4, &b, 0, unused, NULL);
  for (int r = 0; r < 4; r++)
    for (int k = 0; k < 4; k++)
      if (!(a.v[k][r] == b.v[k][r]))
        fail_msg("rep %d %s: by hand %.17g, by the plan %.17g", r, names[k], a.v[k][r], b.v[k][r]);
  scn_free(hand);
  scn_free(plan);
}

/* start: {task: ID}: the operation starts when the plan starts its ship_inspection
 * task (event at 10 h, task 5 h later) and stops taking ships when the task ends (50 h
 * later): of the ships from 15 h to the 200 h horizon, about 50/185 are hailed; with
 * a task that runs to the horizon, nearly all. */
static void test_task_follow(void **state) {
  (void)state;
  static const char *const names[] = {"start_time", "coverage"};
  static const char *const longer[] = {"plan.tasks.inspect.duration=500h"};
  scn_scenario *sc = load("task_plan.yaml", NULL, 0), *all = load("task_plan.yaml", longer, 1);
  run_out out, out_all;
  double task_at[4];
  run_plan_event(sc, "go", 4, names, 2, &out, 10 * HOUR, task_at, "inspect");
  run_plan_event(all, "go", 4, names, 2, &out_all, 10 * HOUR, task_at, "inspect");
  for (int r = 0; r < 4; r++) {
    assert_float_equal(task_at[r], 15 * HOUR, 1e-6);
    assert_float_equal(out.v[0][r], 15 * HOUR, 1e-6);
    printf("  coverage: task of 50 h %.3f, to the horizon %.3f\n", out.v[1][r], out_all.v[1][r]);
    assert_true(out.v[1][r] > 0.18 && out.v[1][r] < 0.38);
    assert_true(out_all.v[1][r] > 0.9);
  }
  scn_free(sc);
  scn_free(all);
}

/* The inspection simulates its own assets, the plan reserves the task's: more units
 * than the task assigns is a warning where the asset is written. */
static void test_task_assets(void **state) {
  (void)state;
  char path[1024];
  snprintf(path, sizeof path, "%s/task_plan.yaml", INSP_TEST_DATA);
  static const char *const ov[] = {"plan.tasks.inspect.assets.0.count=2"};
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  opt.overrides = ov, opt.noverrides = 1;
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  assert_int_equal(scn_load(&sc, path, &opt, d), 0);
  assert_int_equal(diag_count(d, DIAG_WARNING), 1);
  assert_non_null(strstr(diag_at(d, 0)->message,
                         "inspection asset 'dd' has 3 units, but task 'inspect' of the plan assigns 2"));
  scn_free(sc);
  diag_free(d);
}

/* ---- ships on tracks -------------------------------------------------------------------- */

/* The intercept against cases worked by hand. */
static void test_intercept(void **state) {
  (void)state;
  /* A ship 10 km north steaming east at 10 m/s, an asset at 20 m/s: (10T)^2 + 1e8 =
   * (20T)^2, T = sqrt(1e8/300). */
  assert_float_equal(insp_intercept_time(0, 10000, 10, 0, 20), sqrt(1e8 / 300), 1e-9);
  /* Head-on: closing at 30 m/s over 9 km; stern chase: 10 m/s over 9 km. */
  assert_float_equal(insp_intercept_time(9000, 0, -10, 0, 20), 300, 1e-9);
  assert_float_equal(insp_intercept_time(9000, 0, 10, 0, 20), 900, 1e-9);
  /* Running away faster than the asset: never; equal speeds closing: half the gap. */
  assert_true(isinf(insp_intercept_time(9000, 0, 30, 0, 20)));
  assert_float_equal(insp_intercept_time(9000, 0, -20, 0, 20), 9000.0 / 40 * 2 / 2, 1e-9);
  assert_true(insp_intercept_time(0, 0, 5, 5, 20) == 0);
}

/* With nobody served, a ship leaves where its track leaves the zone.  Course 90: every
 * track crosses the rectangle's width W, so every ship stays W / v; course 45: tracks
 * spread evenly across the width (W + H)/sqrt 2 across the course, so the mean chord is
 * the area over that width (docs/models.md section 5), sqrt 2 W H / (W + H). */
static void test_tracks_geometry(void **state) {
  (void)state;
  static const char *const names[] = {"wait_all_mean", "left_frac", "ships"};
  static const char *const diag45[] = {"inspection.traffic.0.course=45",
                                       "inspection.traffic.1.course=45"};
  const double R = GEO_EARTH_RADIUS, rad = 3.14159265358979323846 / 180, v = 15 * 1852.0 / 3600;
  double W = R * cos(25.25 * rad) * rad, H = R * 0.5 * rad;
  run_out out;
  scn_scenario *sc = load("tracks.yaml", NULL, 0);
  run(sc, 4, names, 3, &out, NULL, NULL);
  for (int r = 0; r < 4; r++) {
    assert_true(out.v[1][r] > 0.99); /* all but those still crossing at the horizon */
    assert_float_equal(out.v[0][r], W / v, 1e-6 * W / v);
  }
  scn_free(sc);
  sc = load("tracks.yaml", diag45, 2);
  run(sc, 16, names, 3, &out, NULL, NULL);
  expect_in_ci("mean crossing at 45 deg (s)", out.v[0], 16, sqrt(2) * W * H / (W + H) / v);
  scn_free(sc);
}

/* Served on their tracks: the overloaded zone of rules.yaml with moving ships.  Teams
 * sail to where the ships will be; vessels of interest first still misses far fewer of
 * them than FIFO, and nearest (by intercept time from the current positions) covers
 * more than FIFO. */
static void test_tracks_rules(void **state) {
  (void)state;
  static const char *const names[] = {"interest_missed_frac", "coverage", "intercept_mean"};
  const char *ov[] = {"inspection.legal_basis=consent_or_unsc", "scenario.horizon=720h", NULL};
  static const char *const rules[] = {"inspection.rule=fifo", "inspection.rule=interest_first",
                                      "inspection.rule=nearest"};
  stats_summary miss[3], cov[3];
  for (int k = 0; k < 3; k++) {
    ov[2] = rules[k];
    scn_scenario *sc = load("tracks.yaml", ov, 3);
    run_out out;
    run(sc, 8, names, 3, &out, NULL, NULL);
    miss[k] = summarize(out.v[0], 8), cov[k] = summarize(out.v[1], 8);
    stats_summary ic = summarize(out.v[2], 8);
    printf("  tracks %-14s interest missed %.3f, coverage %.3f, intercept %.0f s\n",
           rules[k] + 16, miss[k].mean, cov[k].mean, ic.mean);
    assert_true(ic.mean > 0 && ic.mean < 3 * 3600);
    scn_free(sc);
  }
  assert_true(miss[1].mean < 0.5 * miss[0].mean);
  assert_true(cov[2].mean > cov[0].mean);
}

/* ---- diversion legs ------------------------------------------------------------------------ */

typedef struct closure {
  int place[2];
  double at;
  int n;
} closure;

static void close_now(sim *s, void *ctx) {
  closure *c = ctx;
  for (int k = 0; k < c->n; k++) {
    sim_signal sig = {.type = SIG_SITE_STATUS, .source = -1, .event = -1, .place = c->place[k],
                      .region = -1, .gate = -1, .phase = -1, .task = -1, .open = 0};
    sim_publish(s, &sig);
  }
}

static void schedule_closure(sim *s, void *ctx) {
  sim_at(s, ((closure *)ctx)->at, close_now, ctx);
}

/* A diverted ship sails from the zone to the first open port at its speed: the mean
 * transit is exactly the great-circle distance over 12 kn; with port-a closed from the
 * start, to port-b; closed mid-run, the legs under way are sent on (redirected) and
 * take longer; both closed, every diversion is given up. */
static void test_divert_legs(void **state) {
  (void)state;
  static const char *const names[] = {"divert_transit_mean", "diverted", "diverted_arrived",
                                      "divert_redirected", "divert_no_port",
                                      "port.port-a.arrived", "port.port-b.arrived"};
  const double v = 12 * 1852.0 / 3600;
  scn_scenario *sc = load("divert.yaml", NULL, 0);
  double da = geo_distance(25, 125, 25.9, 125) / v, db = geo_distance(25, 125, 25, 126) / v;
  int a = scn_place_find(sc, "port-a"), b = scn_place_find(sc, "port-b");
  run_out out;
  run(sc, 4, names, 7, &out, NULL, NULL);
  for (int r = 0; r < 4; r++) {
    assert_float_equal(out.v[0][r], da, 1e-4 * da);
    assert_true(out.v[5][r] == out.v[2][r] && out.v[6][r] == 0);
    assert_true(out.v[1][r] > 100 && out.v[1][r] - out.v[2][r] <= 2); /* some still at sea */
    assert_true(out.v[3][r] == 0 && out.v[4][r] == 0);
  }
  closure c = {{a, b}, 0, 1};
  run(sc, 4, names, 7, &out, schedule_closure, &c);
  for (int r = 0; r < 4; r++) {
    assert_float_equal(out.v[0][r], db, 1e-4 * db);
    assert_true(out.v[5][r] == 0 && out.v[6][r] == out.v[2][r]);
  }
  c.at = 1000 * HOUR;
  double redirected = 0;
  run(sc, 8, names, 5, &out, schedule_closure, &c);
  for (int r = 0; r < 8; r++) {
    redirected += out.v[3][r];
    assert_true(out.v[0][r] > da);
  }
  printf("  port-a closing at 1000 h: %.0f legs redirected in 8 replications\n", redirected);
  assert_true(redirected >= 1);
  c.at = 0, c.n = 2;
  run(sc, 4, names, 5, &out, schedule_closure, &c);
  for (int r = 0; r < 4; r++) {
    assert_true(out.v[4][r] == out.v[1][r]);
    assert_true(out.v[2][r] == 0 && isnan(out.v[0][r]));
  }
  scn_free(sc);
}

/* The same diversions on GSHHG's coastline (issue 15): the leg to port-a, due north
 * over open water east of Miyako, is sailed over the sea router's grid: at least the
 * geodesic, and within the grid's 3%; port-b, a degree east, past Miyako's north
 * coast, likewise.  Skipped where no coastline is installed. */
static void test_divert_sea(void **state) {
  (void)state;
  char path[1024];
  if (geo_gshhg_find(path, sizeof path, NULL, 'i')) skip();
  static const char *const names[] = {"divert_transit_mean"};
  static const char *const ov[] = {"theater.coastline=i"};
  const double v = 12 * 1852.0 / 3600;
  scn_scenario *sc = load("divert.yaml", ov, 1);
  double da = geo_geodesic_inverse(25, 125, 25.9, 125, NULL, NULL) / v;
  double db = geo_geodesic_inverse(25, 125, 25, 126, NULL, NULL) / v;
  run_out out;
  run(sc, 2, names, 1, &out, NULL, NULL);
  printf("  to port-a by sea %.0f s, geodesic %.0f s\n", out.v[0][0], da);
  for (int r = 0; r < 2; r++) assert_true(out.v[0][r] >= da && out.v[0][r] <= 1.03 * da);
  closure c = {{scn_place_find(sc, "port-a"), 0}, 0, 1};
  run(sc, 2, names, 1, &out, schedule_closure, &c);
  printf("  to port-b by sea %.0f s, geodesic %.0f s\n", out.v[0][0], db);
  for (int r = 0; r < 2; r++) assert_true(out.v[0][r] >= db && out.v[0][r] <= 1.03 * db);
  scn_free(sc);
}

/* A trace sink counting the diversion legs' lines (the first one's nmi kept). */
static int legs_traced;
static double legs_nmi;

static void count_leg(void *ctx, double t, const char *module, const char *text) {
  (void)ctx, (void)t;
  double nmi;
  const char *by = strstr(text, " for kure: ");
  if (strcmp(module, "inspection") || !strstr(text, "diverted ship sails from") || !by ||
      sscanf(by, " for kure: %lf nmi by sea", &nmi) != 1)
    return;
  if (!legs_traced++) legs_nmi = nmi;
}

/* Replication 0 of sc's inspection model with its lines to count_leg. */
static void traced_run(const scn_scenario *sc) {
  metric_set ms;
  metric_set_init(&ms);
  insp_model *m = NULL;
  assert_int_equal(insp_model_new(&m, sc, &ms, NULL), 0);
  sim *s = sim_new();
  arena a;
  arena_init(&a, ARENA_DEFAULT_CAP);
  metric_out mo;
  assert_int_equal(metric_out_init(&mo, &ms, &a), 0);
  insp *I = insp_start(m, s, &a, &mo, sc->seed, 0);
  assert_non_null(I);
  const ops_trace t = {NULL, count_leg};
  insp_trace(I, &t);
  assert_int_equal(sim_run(s, sc->horizon), 0);
  arena_release(&a);
  sim_free(s);
  insp_model_free(m);
  metric_set_release(&ms);
}

/* Diversions that must go round land (issue 15; data/divert_land.yaml): from Tosa Bay
 * to Kure the straight leg crosses Shikoku, and the ship sails round by the Bungo
 * Channel.  The mean transit is the sea router's distance over 12 kn (its grid, within
 * 3% above the pulled-straight path, which stays over water) and more than 1.6 times
 * the geodesic's; with escort: asset the escort comes back by sea too, so escorting
 * time = diversions x d_sea (1/12 kn + 1/30 kn) over the horizon and the two assets
 * (straight back would be 17% less).  Skipped where no coastline is installed. */
static void test_divert_round_land(void **state) {
  (void)state;
  char path[1024];
  if (geo_gshhg_find(path, sizeof path, NULL, 'i')) skip();
  static const char *const names[] = {"divert_transit_mean", "diverted", "asset_escorting"};
  const double v = 12 * 1852.0 / 3600, z_lat = 33.2, z_lon = 133.6;
  scn_scenario *sc = load("divert_land.yaml", NULL, 0);
  double b[4];
  scn_theater_box(sc, 3, b);
  geo_box box = {b[0], b[1], b[2], b[3]};
  geo_sea_options o = GEO_SEA_OPTIONS_INIT;
  geo_sea *sea;
  assert_int_equal(geo_sea_open(&sea, &box, &o, NULL), 0);
  int kure = geo_sea_source(sea, 34.2400, 132.5550);
  assert_true(kure >= 0);
  assert_int_equal(geo_sea_cover(sea, kure, INFINITY), 0);
  double d_sea = geo_sea_distance(sea, kure, z_lat, z_lon);
  double d_gc = geo_geodesic_inverse(z_lat, z_lon, 34.2400, 132.5550, NULL, NULL);
  geo_path p;
  assert_int_equal(geo_sea_path(sea, kure, z_lat, z_lon, &p), 0);
  double la, lo;
  assert_int_equal(geo_sea_crosses(sea, z_lat, z_lon, 34.2400, 132.5550, 2000, 2000, &la, &lo), 1);
  for (size_t i = 0; i + 1 < p.n; i++) /* the pulled path: clear of land but at its ends */
    assert_int_equal(geo_sea_crosses(sea, p.lat[i], p.lon[i], p.lat[i + 1], p.lon[i + 1],
                                     i == 0 ? 15000 : 0, i + 2 == p.n ? 15000 : 0, &la, &lo), 0);
  printf("  Tosa Bay > Kure: %.1f nmi by sea (path %.1f), %.1f nmi straight over Shikoku\n",
         d_sea / 1852, p.length / 1852, d_gc / 1852);
  assert_true(d_sea >= p.length && d_sea <= 1.03 * p.length && p.length > 1.6 * d_gc);
  run_out out;
  run(sc, 4, names, 2, &out, NULL, NULL);
  for (int r = 0; r < 4; r++) {
    assert_true(out.v[1][r] > 100);
    assert_float_equal(out.v[0][r], d_sea / v, 1e-4 * d_sea / v); /* a zone 1 m across */
  }
  static const char *const ov[] = {"inspection.diversion.escort=asset"};
  scn_scenario *esc = load("divert_land.yaml", ov, 1);
  double leg = d_sea / v + d_sea / (30 * 1852.0 / 3600);
  run(esc, 4, names, 3, &out, NULL, NULL);
  for (int r = 0; r < 4; r++) {
    double want = out.v[1][r] * leg / (2000 * HOUR * 2);
    printf("  escorting %.4f, want %.4f (straight back %.4f)\n", out.v[2][r], want,
           out.v[1][r] * (d_sea / v + d_gc / (30 * 1852.0 / 3600)) / (2000 * HOUR * 2));
    assert_float_equal(out.v[2][r], want, 0.02 * want);
  }
  /* The trace's lines of the legs (straits trace): each says the way by sea. */
  legs_traced = 0, legs_nmi = 0;
  traced_run(sc);
  printf("  %d diversion legs traced, the first %.1f nmi\n", legs_traced, legs_nmi);
  assert_true(legs_traced > 100);
  assert_float_equal(legs_nmi, d_sea / 1852, 0.1);
  geo_path_release(&p);
  geo_sea_close(sea);
  scn_free(esc);
  scn_free(sc);
}

/* A chase inside the zone that would cross land (issue 15; data/chase_land.yaml): from
 * the station off Sado's west coast to a ship lying off its east coast, the asset
 * sails round the island, so the intercept takes the sea router's distance from the
 * zone's centre over 20 kn (more than twice the straight line's); without a coastline
 * it is the straight chase on the zone's plane. */
static void test_chase_round_land(void **state) {
  (void)state;
  char path[1024];
  if (geo_gshhg_find(path, sizeof path, NULL, 'i')) skip();
  static const char *const names[] = {"intercept_mean"};
  const double v = 20 * 1852.0 / 3600, c_lat = 38.05, c_lon = 138.15, s_lat = 38.05, s_lon = 138.60;
  scn_scenario *sc = load("chase_land.yaml", NULL, 0);
  double b[4];
  scn_theater_box(sc, 3, b);
  geo_box box = {b[0], b[1], b[2], b[3]};
  geo_sea_options o = GEO_SEA_OPTIONS_INIT;
  geo_sea *sea;
  assert_int_equal(geo_sea_open(&sea, &box, &o, NULL), 0);
  int centre = geo_sea_source(sea, c_lat, c_lon);
  assert_true(centre >= 0);
  assert_int_equal(geo_sea_cover(sea, centre, INFINITY), 0);
  double d_sea = geo_sea_distance(sea, centre, s_lat, s_lon), la, lo;
  double d_line = geo_distance(c_lat, c_lon, s_lat, s_lon);
  assert_int_equal(geo_sea_crosses(sea, c_lat, c_lon, s_lat, s_lon, 0, 0, &la, &lo), 1);
  geo_sea_close(sea);
  run_out out;
  run(sc, 1, names, 1, &out, NULL, NULL);
  printf("  round Sado: intercept %.3f h, by sea %.1f km, straight %.1f km\n", out.v[0][0] / HOUR,
         d_sea / 1000, d_line / 1000);
  assert_float_equal(out.v[0][0], d_sea / v, 1e-6 * d_sea / v);
  assert_true(d_sea > 2 * d_line);
  static const char *const flat[] = {"theater.coastline=none"};
  scn_scenario *none = load("chase_land.yaml", flat, 1);
  run(none, 1, names, 1, &out, NULL, NULL);
  assert_float_equal(out.v[0][0], d_line / v, 0.005 * d_line / v); /* the plane's 0.5% */
  scn_free(none);
  scn_free(sc);
}

/* A draw the kernel cannot schedule, or a ship's speed or course that is not a number,
 * fails the run blamed where the scenario writes its distribution (issue 21): the
 * loader refuses such parameters, so each is put in behind its back, as one it cannot
 * bound would be.  Columns are those of the values in divert.yaml and tracks.yaml. */
static void expect_blamed(const scn_scenario *sc, int line, int col, const char *id,
                          const char *what) {
  sim_blame b;
  assert_int_equal(ops_fixture_run_blamed(sc, &b), ERR_RANGE);
  assert_non_null(b.file);
  assert_non_null(strstr(b.file, ".yaml"));
  if (b.line != line || b.col != col || strcmp(b.id, id) || !strstr(b.what, what))
    fail_msg("blamed %s:%d:%d %s '%s', want :%d:%d '%s' (%s)", b.file, b.line, b.col, b.what,
             b.id, line, col, id, what);
  assert_false(isfinite(b.value));
}

static void test_draws_blamed(void **state) {
  (void)state;
  const dist inf = {DIST_FIXED, INFINITY, 0, 0, NULL, 0}, nan = {DIST_FIXED, NAN, 0, 0, NULL, 0};
  scn_scenario *sc = load("divert.yaml", NULL, 0);
  scn_inspection *in = (scn_inspection *)scn_inspection_of(sc);
  in->board = inf;
  expect_blamed(sc, 31, 18, "board", "mode");
  scn_free(sc);
  sc = load("divert.yaml", NULL, 0);
  in = (scn_inspection *)scn_inspection_of(sc);
  in->divert = nan;
  expect_blamed(sc, 31, 30, "divert", "mode");
  scn_free(sc);
  sc = load("divert.yaml", NULL, 0);
  in = (scn_inspection *)scn_inspection_of(sc);
  in->speed[0].speed = inf;
  expect_blamed(sc, 32, 20, "cargo", "speed");
  scn_free(sc);
  sc = load("tracks.yaml", NULL, 0);
  in = (scn_inspection *)scn_inspection_of(sc);
  in->stream[0].course = nan;
  expect_blamed(sc, 22, 51, "cargo", "course");
  scn_free(sc);
}

/* escort: asset takes the asset off station for the leg at the ship's speed and the
 * way back at its own: escorting time = diversions x (d/12 kn + d/30 kn), over the
 * operation x 2 assets (the last escort may be cut by the horizon: 2%); ships wait
 * longer than when diverted ships sail alone. */
static void test_divert_escort(void **state) {
  (void)state;
  static const char *const names[] = {"wait_mean", "diverted", "asset_escorting"};
  static const char *const ov[] = {"inspection.diversion.escort=asset"};
  scn_scenario *alone = load("divert.yaml", NULL, 0), *sc = load("divert.yaml", ov, 1);
  double d = geo_distance(25, 125, 25.9, 125);
  double leg = d / (12 * 1852.0 / 3600) + d / (30 * 1852.0 / 3600);
  run_out out, out_alone;
  run(sc, 4, names, 3, &out, NULL, NULL);
  run(alone, 4, names, 1, &out_alone, NULL, NULL); /* no escorts: no asset_escorting */
  for (int r = 0; r < 4; r++) {
    double want = out.v[1][r] * leg / (2000 * HOUR * 2);
    assert_float_equal(out.v[2][r], want, 0.02 * want);
  }
  stats_summary w = summarize(out.v[0], 4), wa = summarize(out_alone.v[0], 4);
  printf("  wait: escorted %.0f s, sailing alone %.0f s\n", w.mean, wa.mean);
  assert_true(w.mean > wa.mean);
  /* Short sorties end during escorts and on the way back from ports: the asset goes
   * home from the port or turns back, and its time splits without overlap. */
  static const char *const short_ov[] = {"inspection.diversion.escort=asset",
                                         "inspection.assets.0.endurance=30h",
                                         "inspection.assets.0.refit=3h"};
  static const char *const split[] = {"asset_escorting", "asset_on_station", "diverted_arrived"};
  scn_scenario *brief = load("divert.yaml", short_ov, 3);
  run(brief, 4, split, 3, &out, NULL, NULL);
  for (int r = 0; r < 4; r++) {
    printf("  30 h sorties: escorting %.3f, on station %.3f, %g arrived\n", out.v[0][r],
           out.v[1][r], out.v[2][r]);
    assert_true(out.v[0][r] > 0 && out.v[1][r] > 0 && out.v[0][r] + out.v[1][r] < 1);
  }
  scn_free(brief);
  scn_free(sc);
  scn_free(alone);
}

/* ---- the replay ----------------------------------------------------------------------------- */

static void test_replay(void **state) {
  (void)state;
  scn_scenario *sc = load("replay.yaml", NULL, 0);
  const scn_inspection *in = scn_inspection_of(sc);
  assert_non_null(in);
  const scn_insp_replay_stats *st = &in->replay;
  assert_int_equal(st->rows, 21);
  assert_int_equal(st->malformed, 4);
  assert_int_equal(st->duplicates, 1);
  assert_int_equal(st->outside_time, 2);
  assert_int_equal(st->out_of_order, 1);
  assert_int_equal(st->no_type, 2);
  assert_int_equal(st->no_flag, 2);
  assert_int_equal(st->used, 14);
  assert_int_equal(in->npassage, 6);
  /* Passages in time order, with their dwell (NaN: the track ended inside). */
  static const struct { double t, dwell; long long mmsi; const char *cls, *flag; } want[] = {
      {1, 4, 431000001, "cargo", "PA"},       {2.5, 1.5, 538000002, "tanker", "MH"},
      {6, NAN, 477000003, "unknown", "unknown"}, {10, 1, 355000004, "passenger", "PA"},
      {13, NAN, 636000005, "cargo", "LR"},    {20, 1, 355000004, "passenger", "PA"}};
  for (size_t i = 0; i < 6; i++) {
    const scn_insp_passage *p = &in->passage[i];
    assert_float_equal(p->t, want[i].t * HOUR, 1e-6);
    if (isnan(want[i].dwell)) assert_true(isnan(p->dwell));
    else assert_float_equal(p->dwell, want[i].dwell * HOUR, 1e-6);
    assert_int_equal(p->mmsi, want[i].mmsi);
    assert_string_equal(in->class_name[p->cls], want[i].cls);
    assert_string_equal(in->flag_name[p->flag], want[i].flag);
  }
  /* The first report inside gives the motion: 12.0 kn on 001 for the first passage. */
  assert_float_equal(in->passage[0].sog, 12.0 * 1852 / 3600, 1e-9);
  assert_float_equal(in->passage[0].cog, 1, 0);
  static const char *const names[] = {"ships", "interest_ships", "coverage"};
  run_out out;
  run(sc, 3, names, 3, &out, NULL, NULL);
  assert_int_equal(out.simulated, 18);
  for (int r = 0; r < 3; r++) {
    assert_true(out.v[0][r] == 6);
    assert_true(out.v[1][r] == 1); /* the MH tanker */
    assert_true(out.v[2][r] > 0);
  }
  scn_free(sc);
}

/* The US MarineCadastre layout (MMSI, BaseDateTime without a zone, LAT, LON, SOG, COG,
 * ..., VesselType; no flag column), read by libcsv: vessel names quoted with a comma,
 * doubled quotes and a newline inside stay one field each, so every row keeps its
 * columns; ITU type codes give the classes. */
static void test_replay_marinecadastre(void **state) {
  (void)state;
  scn_scenario *sc = load("marinecadastre.yaml", NULL, 0);
  const scn_inspection *in = scn_inspection_of(sc);
  assert_non_null(in);
  const scn_insp_replay_stats *st = &in->replay;
  assert_int_equal(st->rows, 6);
  assert_int_equal(st->malformed, 0);
  assert_int_equal(st->no_type, 0);
  assert_int_equal(st->no_flag, 6);
  assert_int_equal(in->npassage, 3);
  static const struct { double t; long long mmsi; const char *cls; } want[] = {
      {2, 431000011, "cargo"}, {3, 538000012, "tanker"}, {8, 355000013, "passenger"}};
  for (size_t i = 0; i < 3; i++) {
    const scn_insp_passage *p = &in->passage[i];
    assert_float_equal(p->t, want[i].t * HOUR, 1e-6);
    assert_int_equal(p->mmsi, want[i].mmsi);
    assert_string_equal(in->class_name[p->cls], want[i].cls);
    assert_string_equal(in->flag_name[p->flag], "unknown");
  }
  /* Its speed and course as reported: knots to m/s, degrees true. */
  assert_float_equal(in->passage[1].sog, 10.5 * 1852 / 3600, 1e-9);
  assert_float_equal(in->passage[1].cog, 90, 0);
  scn_free(sc);
}

/* The replay on tracks: the same passages, ships moving on their reported SOG and COG
 * and leaving when the feed says (or where their course leaves the zone). */
static void test_replay_tracks(void **state) {
  (void)state;
  scn_scenario *sc = load("replay_tracks.yaml", NULL, 0);
  static const char *const names[] = {"ships", "coverage", "intercept_mean"};
  run_out out;
  run(sc, 3, names, 3, &out, NULL, NULL);
  assert_int_equal(out.simulated, 18);
  for (int r = 0; r < 3; r++) {
    assert_true(out.v[0][r] == 6);
    assert_true(out.v[1][r] > 0 && out.v[2][r] >= 0);
  }
  scn_free(sc);
  /* A report without SOG and COG: the ship lies there for the zone's mean chord over
   * all directions (Cauchy: pi A / P; for the W x H rectangle pi W H / 2 (W + H)) at
   * its class's 12 kn, unserved under unsc_only. */
  char path[1200];
  snprintf(path, sizeof path, "inspection.replay=%s/nomotion.csv", INSP_TEST_DATA);
  const char *ov[] = {path, "inspection.legal_basis=unsc_only"};
  sc = load("replay_tracks.yaml", ov, 2);
  static const char *const left[] = {"wait_all_mean", "left_frac"};
  run(sc, 1, left, 2, &out, NULL, NULL);
  const double R = GEO_EARTH_RADIUS, rad = 3.14159265358979323846 / 180;
  double W = R * cos(25.25 * rad) * rad, H = R * 0.5 * rad;
  double want = 3.14159265358979323846 * W * H / (2 * (W + H)) / (12 * 1852.0 / 3600);
  assert_true(out.v[1][0] == 1);
  assert_float_equal(out.v[0][0], want, 1e-9 * want);
  scn_free(sc);
}

/* ---- the two regimes (issue 14) --------------------------------------------------------------- */

/* Consent inspection switching to compulsory interdiction on a defense operation order
 * (regime_plan.yaml): every ship flies a flag that refuses consent.  Before the order
 * (102 h) none is boarded and none escorted; after it they are stopped, boarded and
 * escorted to the Japanese port.  Without the armed attack (the change moved past the
 * horizon) nothing is ever boarded, escorted or arrives in port; with a consenting flag
 * ships are boarded and only *requested* to change course, about half complying, and
 * still none is escorted before the order. */
static void test_regime_switch(void **state) {
  (void)state;
  static const char *const never_ov[] = {"situations.changes.aa.at=1000h"};
  static const char *const consent_ov[] = {"inspection.consent.0.p=1"};
  scn_scenario *sc = load("regime_plan.yaml", NULL, 0);
  scn_scenario *never = load("regime_plan.yaml", never_ov, 1);
  scn_scenario *consents = load("regime_plan.yaml", consent_ov, 1);
  static const char *const names[] = {
      "boarded.consent",   "boarded.interdiction", "consent_refused",   "diverted.ordered",
      "diverted.escorted", "asset_escorting",      "diverted_arrived",  "regime.consent",
      "regime.interdiction", "interdiction_start", "diverted.requested", "diverted.complied",
      "interest_missed"};
  enum { BC, BI, REF, ORD, ESC, ESCT, ARR, RC, RI, IST, REQ, COMP, MISS, N };
  run_out sw, no, co;
  double t_int[4], t_no[4], t_co[4];
  run_plan_event(sc, NULL, 4, names, N, &sw, 0, t_int, "interdict");
  run_plan_event(never, NULL, 4, names, N, &no, 0, t_no, "interdict");
  run_plan_event(consents, NULL, 4, names, N, &co, 0, t_co, "interdict");
  double esc_co = 0, comp = 0, req = 0;
  for (int r = 0; r < 4; r++) {
    printf("  rep %d: consent boarded %g refused %g | interdiction boarded %g ordered %g "
           "escorted %g arrived %g | without the order boarded %g\n",
           r, sw.v[BC][r], sw.v[REF][r], sw.v[BI][r], sw.v[ORD][r], sw.v[ESC][r], sw.v[ARR][r],
           no.v[BC][r] + no.v[BI][r]);
    /* the switch happens when the plan starts the interdiction task, at the order */
    assert_float_equal(t_int[r], 102 * HOUR, 1e-6);
    assert_float_equal(sw.v[IST][r], 102 * HOUR, 1e-6);
    assert_float_equal(sw.v[RC][r], 102 * HOUR, 1e-6);
    assert_float_equal(sw.v[RI][r], 98 * HOUR, 1e-6);
    /* before it: refusing flags are hailed, refused, never boarded, never escorted */
    assert_true(sw.v[BC][r] == 0);
    assert_true(sw.v[REF][r] > 20); /* about 0.5/h x 102 h */
    /* after it: boarded without consent, ordered to port and escorted there */
    assert_true(sw.v[BI][r] > 5);
    assert_true(sw.v[ORD][r] > 5 && sw.v[ORD][r] <= sw.v[BI][r]);
    assert_true(sw.v[ESC][r] > 0 && sw.v[ESC][r] <= sw.v[ORD][r]);
    assert_true(sw.v[ARR][r] > 0 && sw.v[ARR][r] <= sw.v[ESC][r]);
    /* escorting took place only in the last 98 h of the 200 h: of 2 assets x 200 h */
    assert_true(sw.v[ESCT][r] > 0 && sw.v[ESCT][r] <= 98.0 / 200 + 1e-9);
    /* never ordered: never a boarding, an escort or a ship in port */
    assert_true(isnan(t_no[r]) && isnan(no.v[IST][r]));
    assert_true(no.v[BC][r] == 0 && no.v[BI][r] == 0 && no.v[ORD][r] == 0);
    assert_true(no.v[ESC][r] == 0 && no.v[ESCT][r] == 0 && no.v[ARR][r] == 0);
    assert_float_equal(no.v[RC][r], 200 * HOUR, 1e-6);
    assert_true(no.v[MISS][r] > sw.v[MISS][r]);
    /* a consenting flag: boarded under consent, requested to turn away, not escorted
     * until the order (escorts counted over the whole run: after 102 h only) */
    assert_true(co.v[BC][r] > 20 && co.v[REF][r] == 0);
    /* every boarding finds cargo of interest: a request follows each, except for the
     * boardings (at most one per team, 2) still under way at the order, whose ships are
     * then diverted under the interdiction instead */
    assert_true(co.v[REQ][r] <= co.v[BC][r] && co.v[REQ][r] >= co.v[BC][r] - 2);
    assert_true(co.v[COMP][r] <= co.v[REQ][r]);
    assert_true(co.v[ESCT][r] <= 98.0 / 200 + 1e-9);
    esc_co += co.v[ESC][r], comp += co.v[COMP][r], req += co.v[REQ][r];
  }
  printf("  consenting flag: %g of %g requests heeded, %g escorts (after the order)\n", comp,
         req, esc_co);
  assert_true(comp / req > 0.3 && comp / req < 0.7); /* comply: 0.5 */
  scn_free(sc);
  scn_free(never);
  scn_free(consents);
}

/* The rows of data/authorities.yaml the switch rests on, blocked and then allowed: the
 * survival-threatening row allows the interdiction as the armed attack one does (its
 * defense operation order under SDF Act art. 76(1)(ii)); without the Prime Minister's
 * approval of the Minister's order (MTRA art. 4) the interdiction never runs, and
 * without a defense operation order neither does it, while consent inspection goes on. */
static void test_regime_rows(void **state) {
  (void)state;
  static const char *const st[] = {"situations.changes.aa.to=survival_threatening",
                                   "situations.gates.do-aa.situation=survival_threatening",
                                   "situations.gates.pm-aa.situation=survival_threatening"};
  static const char *const no_pm[] = {"situations.gates.pm-aa.p=0"};
  static const char *const st_no_do[] = {"situations.changes.aa.to=survival_threatening",
                                         "situations.gates.do-aa.situation=survival_threatening",
                                         "situations.gates.pm-aa.situation=survival_threatening",
                                         "situations.gates.do-aa.p=0"};
  static const char *const pm_iis[] = {"situations.gates.pm-aa.situation=important_influence"};
  scn_scenario *sc[4] = {load("regime_plan.yaml", st, 3), load("regime_plan.yaml", no_pm, 1),
                         load("regime_plan.yaml", st_no_do, 4), load("regime_plan.yaml", pm_iis, 1)};
  static const char *const names[] = {"interdiction_start", "boarded.interdiction",
                                      "regime.consent", "regime.interdiction", "boarded.consent"};
  run_out o[4];
  double t[4][4];
  for (int k = 0; k < 4; k++) run_plan_event(sc[k], NULL, 4, names, 5, &o[k], 0, t[k], "interdict");
  for (int r = 0; r < 4; r++) {
    /* survival-threatening: allowed from the order, as under armed attack */
    assert_float_equal(o[0].v[0][r], 102 * HOUR, 1e-6);
    assert_true(o[0].v[1][r] > 5);
    /* no PM approval (or one for another situation): the consent task ends at the
     * order and nothing takes over */
    for (int k = 1; k < 4; k += 2) {
      assert_true(isnan(o[k].v[0][r]) && isnan(t[k][r]));
      assert_true(o[k].v[1][r] == 0);
      assert_float_equal(o[k].v[2][r], 102 * HOUR, 1e-6);
      assert_true(o[k].v[3][r] == 0);
    }
    /* no defense operation order: consent inspection all the way */
    assert_true(isnan(o[2].v[0][r]) && o[2].v[1][r] == 0);
    assert_float_equal(o[2].v[2][r], 200 * HOUR, 1e-6);
  }
  for (int k = 0; k < 4; k++) scn_free(sc[k]);
}

/* The interdiction task ends at 150 h while ships are on their way to port: no order
 * stands any more, so the legs under way are given up (divert_released) and no ship
 * arrives after it. */
static void test_regime_release(void **state) {
  (void)state;
  static const char *const ov[] = {"plan.tasks.interdict.duration=48h"};
  scn_scenario *sc = load("regime_plan.yaml", ov, 1);
  static const char *const names[] = {"diverted.ordered", "diverted_arrived", "divert_released",
                                      "regime.interdiction"};
  run_out out;
  double t[8];
  run_plan_event(sc, NULL, 8, names, 4, &out, 0, t, "interdict");
  double released = 0;
  for (int r = 0; r < 8; r++) {
    assert_float_equal(out.v[3][r], 48 * HOUR, 1e-6);
    assert_true(out.v[1][r] + out.v[2][r] <= out.v[0][r]);
    released += out.v[2][r];
  }
  printf("  legs given up when the interdiction ended: %g in 8 replications\n", released);
  assert_true(released > 0);
  scn_free(sc);
}

/* interest_missed counts every vessel of interest that passed over the whole horizon
 * (missed.yaml: every ship present once the operation runs is served at once).  With
 * the same seed -- the same traffic, whenever the operation starts -- a later start
 * never misses fewer, replication by replication; the ships that came and went before
 * the start are counted (about 2/h x 0.5 x (T0 - 10 h)); and an operation that never
 * starts misses all of them (observed, not NaN), with exactly the same traffic. */
static void test_missed_horizon(void **state) {
  (void)state;
  static const char *const at50[] = {"inspection.start.at=50h"};
  static const char *const at100[] = {"inspection.start.at=100h"};
  static const char *const never_ov[] = {"inspection.start.at=400h"};
  scn_scenario *s0 = load("missed.yaml", NULL, 0), *s50 = load("missed.yaml", at50, 1),
               *s100 = load("missed.yaml", at100, 1), *sn = load("missed.yaml", never_ov, 1);
  static const char *const names[] = {"interest_missed", "passed", "interest_passed", "left_frac",
                                      "interest_missed_frac"};
  enum { R = 32 };
  run_out o0, o50, o100, on;
  run(s0, R, names, 5, &o0, NULL, NULL);
  run(s50, R, names, 5, &o50, NULL, NULL);
  run(s100, R, names, 5, &o100, NULL, NULL);
  run(sn, R, names, 5, &on, NULL, NULL);
  for (int r = 0; r < R; r++) {
    /* the same ships in every variant (a dormant stream replays the live draws) */
    assert_true(o0.v[1][r] == o50.v[1][r] && o0.v[1][r] == o100.v[1][r] && o0.v[1][r] == on.v[1][r]);
    assert_true(o0.v[2][r] == o100.v[2][r] && o0.v[2][r] == on.v[2][r]);
    assert_true(o0.v[3][r] == 0); /* nobody waits: nothing is missed once it runs */
    assert_true(o0.v[0][r] == 0);
    assert_true(o50.v[0][r] >= o0.v[0][r]);
    assert_true(o100.v[0][r] >= o50.v[0][r]);
    assert_true(on.v[0][r] >= o100.v[0][r]);
    assert_true(!isnan(on.v[0][r]) && on.v[0][r] <= on.v[2][r]);
    assert_true(o100.v[4][r] <= on.v[4][r]);
  }
  expect_in_ci("missed, start at 100 h", o100.v[0], R, 2 * 0.5 * 90);
  expect_in_ci("missed, start at 50 h", o50.v[0], R, 2 * 0.5 * 40);
  expect_in_ci("missed, never started", on.v[0], R, 2 * 0.5 * 290);
  scn_free(s0), scn_free(s50), scn_free(s100), scn_free(sn);
}

/* A Japanese inspection that follows no plan task is an error where `start` is written
 * (or the section begins), in the model as in `straits check`. */
static void test_jp_needs_task(void **state) {
  (void)state;
  expect_model_error("missed.yaml", "forces.0.nation=JP", "inspection asset 'dd' is a force of JP",
                     20, 10); /* start: {at: 0h} */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_erlang_formulas), cmocka_unit_test(test_mmc_erlang_c),
      cmocka_unit_test(test_mmcm_erlang_a),   cmocka_unit_test(test_unsc_gate),
      cmocka_unit_test(test_consent),         cmocka_unit_test(test_priority_rules),
      cmocka_unit_test(test_endurance),       cmocka_unit_test(test_dormant_fill),
      cmocka_unit_test(test_replay),
      cmocka_unit_test(test_replay_marinecadastre),          cmocka_unit_test(test_plan_gate),
      cmocka_unit_test(test_plan_gate_closes), cmocka_unit_test(test_plan_gate_unknown),
      cmocka_unit_test(test_phase_rates),     cmocka_unit_test(test_phase_exact),
      cmocka_unit_test(test_task_follow),     cmocka_unit_test(test_intercept),
      cmocka_unit_test(test_tracks_geometry), cmocka_unit_test(test_tracks_rules),
      cmocka_unit_test(test_divert_legs),     cmocka_unit_test(test_divert_sea),
      cmocka_unit_test(test_divert_escort),   cmocka_unit_test(test_divert_round_land),
      cmocka_unit_test(test_draws_blamed),    cmocka_unit_test(test_chase_round_land),
      cmocka_unit_test(test_replay_tracks),   cmocka_unit_test(test_phase_plan),
      cmocka_unit_test(test_task_assets),
      cmocka_unit_test(test_regime_switch),   cmocka_unit_test(test_regime_release),
      cmocka_unit_test(test_regime_rows),
      cmocka_unit_test(test_missed_horizon),  cmocka_unit_test(test_jp_needs_task),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
