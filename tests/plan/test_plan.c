/* test_plan.c - plan/: the shipped authorities table and its validation, the loader of
 * `situations:` and `plan:`, one replication of the legal situation and the tasks on
 * the kernel (a task waiting for a gate starts exactly when it opens; pauses and
 * withdrawals when combat comes or an approval is refused; delays by cause), and the
 * check's API. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "crisis.h"
#include "err.h"
#include "hash.h"
#include "plan.h"
#include "scenario.h"
#include "scn_plan.h"
#include "sim.h"

#define TMP PLAN_TEST_TMP "/"
static const double H = 3600.0, D = 86400.0;

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static const diag_entry *find_message(const diag *d, const char *needle) {
  for (size_t i = 0; i < diag_size(d); i++)
    if (strstr(diag_at(d, i)->message, needle)) return diag_at(d, i);
  return NULL;
}

static void expect_message(const diag *d, const char *needle, int line, int col) {
  const diag_entry *e = find_message(d, needle);
  if (!e || (line && e->line != line) || (col && e->col != col)) {
    diag_print(d, stderr, 0);
    fail_msg("no message '%s' at %d:%d", needle, line, col);
  }
}

static plan_authorities *table(void) {
  diag *d = diag_new();
  plan_authorities *a = NULL;
  int rc = plan_authorities_load(&a, PLAN_TEST_TABLE, d);
  if (rc) diag_print(d, stderr, 0);
  assert_int_equal(rc, 0);
  assert_int_equal(diag_count(d, DIAG_WARNING), 0);
  diag_free(d);
  return a;
}

/* ---- the shipped table ---------------------------------------------------------------- */

static int sit(const plan_authorities *a, const char *id) {
  int s = plan_authorities_find(a, PLAN_SITUATIONS, id);
  assert_true(s >= 0);
  return s;
}
static int act(const plan_authorities *a, const char *id) {
  int x = plan_authorities_find(a, PLAN_ACTIVITIES, id);
  assert_true(x >= 0);
  return x;
}
static int area(const plan_authorities *a, const char *id) {
  int x = plan_authorities_find(a, PLAN_AREAS, id);
  assert_true(x >= 0);
  return x;
}
static uint64_t gate_bit(const plan_authorities *a, const char *id) {
  int g = plan_authorities_find(a, PLAN_GATES, id);
  assert_true(g >= 0);
  return (uint64_t)1 << g;
}

static void test_table_shipped(void **state) {
  (void)state;
  plan_authorities *a = table();
  size_t ns = plan_authorities_count(a, PLAN_SITUATIONS), na = plan_authorities_count(a, PLAN_ACTIVITIES);
  assert_int_equal(ns, 6);
  assert_true(na >= 17);
  assert_int_equal(plan_authorities_count(a, PLAN_RULES), ns * na); /* every pair has a row */
  assert_true(plan_authorities_count(a, PLAN_GATES) >= 14);
  assert_string_equal(plan_authorities_nation(a), "JP");
  assert_int_equal(strlen(plan_authorities_hash(a)), 64); /* SHA-256, hex */
  /* ... of the file's bytes (what sha256sum prints for data/authorities.yaml). */
  char sha[HASH_SHA256_HEX];
  assert_int_equal(hash_sha256_file(sha, plan_authorities_path(a)), 0);
  assert_string_equal(plan_authorities_hash(a), sha);
  for (size_t s = 0; s < ns; s++)
    assert_string_equal(plan_authorities_id(a, PLAN_SITUATIONS, s),
                        scn_situation_name((scn_situation)plan_situation_scn(a, (int)s)));
  const uint64_t all = ~(uint64_t)0;
  int J = area(a, "japan_territory"), Hs = area(a, "high_seas"), F = area(a, "foreign_territory");
  int P = sit(a, "peacetime"), G = sit(a, "gray_zone"), I = sit(a, "important_influence");
  int S = sit(a, "survival_threatening"), AA = sit(a, "armed_attack");
  /* Weapons never, anywhere, whatever is open. */
  for (size_t s = 0; s < ns; s++)
    for (int x = 0; x < 3; x++)
      assert_false(plan_authorised(a, (int)s, act(a, "supply_weapons"), x, all, 0, 0));
  /* Ammunition: since 2015 in an important influence situation; not in peacetime. */
  assert_true(plan_authorised(a, I, act(a, "supply_ammunition"), Hs, all, 0, 0));
  assert_false(plan_authorised(a, P, act(a, "supply_ammunition"), J, all, 0, 0));
  /* Consent-based ship inspection only in an important influence situation. */
  for (size_t s = 0; s < ns; s++)
    assert_int_equal(plan_authorised(a, (int)s, act(a, "ship_inspection"), Hs, all, 0, 0),
                     (int)s == I);
  /* Compulsory interdiction only under a defense operation. */
  assert_true(plan_authorised(a, S, act(a, "maritime_interdiction"), Hs, all, 0, 0));
  assert_false(plan_authorised(a, I, act(a, "maritime_interdiction"), Hs, all, 0, 0));
  /* Never at the scene of combat in an important influence situation; a rescue under
   * way may continue; under a defense operation no statutory bar. */
  assert_false(plan_authorised(a, I, act(a, "supply"), Hs, all, 1, 0));
  assert_false(plan_authorised(a, I, act(a, "search_and_rescue"), Hs, all, 1, 0));
  assert_true(plan_authorised(a, I, act(a, "search_and_rescue"), Hs, all, 1, 1));
  assert_true(plan_authorised(a, AA, act(a, "supply"), Hs, all, 1, 0));
  /* Gates: the basic plan, the Diet, the Prime Minister; foreign soil needs consent. */
  uint64_t iis = gate_bit(a, "cabinet_basic_plan") | gate_bit(a, "diet_prior_approval") |
                 gate_bit(a, "pm_approval");
  assert_true(plan_authorised(a, I, act(a, "supply"), Hs, iis, 0, 0));
  assert_false(plan_authorised(a, I, act(a, "supply"), Hs, iis & ~gate_bit(a, "pm_approval"), 0, 0));
  assert_true(plan_authorised(a, I, act(a, "supply"), Hs, (iis & ~gate_bit(a, "diet_prior_approval")) |
                                                          gate_bit(a, "diet_approval_after_fact"), 0, 0));
  assert_false(plan_authorised(a, I, act(a, "supply"), F, iis, 0, 0));
  assert_true(plan_authorised(a, I, act(a, "supply"), F, iis | gate_bit(a, "host_state_consent"), 0, 0));
  /* Peacetime and gray zone: support only on request and the Minister's judgement, and
   * only in the cases SDF Act art. 100-6 lists -- never to sustain combat operations. */
  uint64_t req = gate_bit(a, "us_request") | gate_bit(a, "defense_minister_decision");
  uint64_t art100_6 = gate_bit(a, "sdfa_100_6_case");
  assert_false(plan_authorised(a, G, act(a, "supply"), J, req, 0, 0));
  assert_true(plan_authorised(a, G, act(a, "supply"), J, req | art100_6, 0, 0));
  assert_false(plan_authorised(a, P, act(a, "transportation"), J, req, 0, 0));
  assert_false(plan_authorised(a, G, act(a, "supply"), J, gate_bit(a, "us_request") | art100_6, 0, 0));
  /* Peacetime rescue: disaster dispatch on request, or on the Minister's own judgement
   * when especially urgent (SDF Act art. 83(1)-(3)). */
  assert_false(plan_authorised(a, P, act(a, "search_and_rescue"), Hs, 0, 0, 0));
  assert_true(plan_authorised(a, P, act(a, "search_and_rescue"), Hs, gate_bit(a, "disaster_dispatch_request"), 0, 0));
  assert_true(plan_authorised(a, G, act(a, "search_and_rescue"), J, gate_bit(a, "dispatch_especially_urgent"), 0, 0));
  /* USFA support: goods on the basic response policy alone, services with the defense
   * operation order or the Prime Minister's approval; no Diet gate of their own, as in
   * the anticipated situation. */
  int AN = sit(a, "armed_attack_anticipated");
  uint64_t policy = gate_bit(a, "cabinet_response_policy"), pm = gate_bit(a, "pm_approval");
  uint64_t dorder = gate_bit(a, "defense_operation_order");
  for (int s = 0; s < (int)ns; s++) {
    if (s != AA && s != S && s != AN) continue;
    assert_true(plan_authorised(a, s, act(a, "supply"), J, policy, 0, 0));
    assert_true(plan_authorised(a, s, act(a, "transportation"), J, policy | pm, 0, 0));
    assert_false(plan_authorised(a, s, act(a, "transportation"), J, pm, 0, 0));
  }
  assert_true(plan_authorised(a, AA, act(a, "medical"), J, policy | dorder, 0, 0));
  /* Civil protection: only in (anticipated) armed attack situations, in Japan, on a
   * governor's request (Civil Protection Act art. 15, SDF Act art. 75-4). */
  uint64_t cp = policy | gate_bit(a, "civil_protection_request");
  assert_true(plan_authorised(a, AA, act(a, "civil_protection"), J, cp, 0, 0));
  assert_true(plan_authorised(a, AN, act(a, "civil_protection"), J, cp, 0, 0));
  assert_false(plan_authorised(a, AA, act(a, "civil_protection"), J, policy, 0, 0));
  assert_false(plan_authorised(a, AA, act(a, "civil_protection"), Hs, cp, 0, 0));
  assert_false(plan_authorised(a, S, act(a, "civil_protection"), J, all, 0, 0));
  assert_false(plan_authorised(a, P, act(a, "civil_protection"), J, all, 0, 0));
  plan_authorities_free(a);
}

static const char *const bad_table =
    "meta: {schema_version: 1, nation: JP}\n"                                     /* 1 */
    "situations:\n"                                                               /* 2 */
    "  - {id: peacetime, order: 0, source: x}\n"                                  /* 3 */
    "  - {id: wartime, order: 1, source: x}\n"                                    /* 4 */
    "activities:\n"                                                               /* 5 */
    "  - {id: supply, source: x}\n"                                               /* 6 */
    "  - {id: supply, source: x}\n"                                               /* 7 */
    "areas:\n"                                                                    /* 8 */
    "  - {id: home, kind: territory, match_places: own_nation, source: x}\n"      /* 9 */
    "gates:\n"                                                                    /* 10 */
    "  - {id: pm_approval, kind: executive, scope: operation, source: x}\n"       /* 11 */
    "rules:\n"                                                                    /* 12 */
    "  - {id: peacetime-suply, situation: peacetime, activity: supply, allowed: true,\n"  /* 13 */
    "     areas: [home], combat_scene: excluded, gates: {all_of: [pm_aproval]}, source: x}\n" /* 14 */
    "  - {id: peacetime-supply, situation: peacetime, activity: supply, allowed: false,\n" /* 15 */
    "     areas: [], combat_scene: excluded, gates: {all_of: []}}\n";         /* 16 */

static void test_table_errors(void **state) {
  (void)state;
  write_file(TMP "bad_table.yaml", bad_table);
  diag *d = diag_new();
  plan_authorities *a = NULL;
  assert_int_equal(plan_authorities_load(&a, TMP "bad_table.yaml", d), ERR_INPUT);
  assert_null(a);
  expect_message(d, "situation 'wartime' is not in the scenario vocabulary", 4, 10);
  expect_message(d, "duplicate activity id 'supply' (first defined at", 7, 10);
  expect_message(d, "rule id 'peacetime-suply' should be 'peacetime-supply'", 13, 10);
  expect_message(d, "unknown gate id 'pm_aproval' (did you mean 'pm_approval'?)", 14, 62);
  expect_message(d, "a second rule for ('peacetime', 'supply')", 15, 5);
  expect_message(d, "missing required key 'source' in rule", 15, 5);
  expect_message(d, "is not allowed but gives no 'reason'", 15, 5);
  diag_free(d);

  d = diag_new();
  assert_int_equal(plan_authorities_load(&a, TMP "no_such_table.yaml", d), ERR_IO);
  expect_message(d, "cannot open the authorities table", 0, 0);
  diag_free(d);
}

/* ---- scenarios and replications ---------------------------------------------------------- */

typedef struct world {
  scn_scenario *sc;
  plan_authorities *a;
  plan_model *m;
  crisis_model *cm;
  crisis *c;
  metric_set ms;
  sim *s;
  arena ar;
  plan_run *r;
  metric_out out;
  int sig_situation, sig_gate, sig_gate_closed; /* counted from the plan */
  int nlog;                                      /* SIG_PHASE_BEGAN and SIG_TASK_STATUS */
  struct plan_heard { double t; int type, index, open; } log[16];
} world;

static const char *const header =
    "scenario: {name: t, epoch: 2027-04-01T00:00Z, horizon: 30d, seed: 3, notional: true}\n"
    "theater:\n"
    "  places:\n"
    "    - {id: naha, kind: port, lat: 26.2, lon: 127.7, nation: JP}\n"
    "    - {id: sea, kind: sea_area, lat: 24.0, lon: 126.0}\n"
    "  regions:\n"
    "    - {id: box, kind: combat_area, polygon: [[23, 125], [25, 125], [25, 127], [23, 127]]}\n"
    "forces:\n"
    "  - {id: aoe, nation: JP, kind: replenishment_ship, base: naha, count: 1}\n"
    "  - {id: helo, nation: JP, kind: rescue_helicopter, base: naha, count: 2}\n"
    "  - {id: csg, nation: US, kind: carrier_strike_group, base: naha, count: 1}\n";

static void on_signal(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  world *w = ctx;
  if (sig->source >= 0) return;
  if (sig->type == SIG_SITUATION_CHANGED) w->sig_situation++;
  if (sig->type == SIG_GATE_OPENED && sig->open) w->sig_gate++;
  if (sig->type == SIG_GATE_OPENED && !sig->open) w->sig_gate_closed++;
  if ((sig->type == SIG_PHASE_BEGAN || sig->type == SIG_TASK_STATUS) && w->nlog < 16)
    w->log[w->nlog++] = (struct plan_heard){sim_now(s), sig->type,
                                            sig->type == SIG_PHASE_BEGAN ? sig->phase : sig->task, sig->open};
}

/* Load header + body, build the model, run replication 0 to the horizon. */
static void run(world *w, const char *body) {
  char *text = malloc(strlen(header) + strlen(body) + 1);
  assert_non_null(text);
  strcpy(text, header);
  strcat(text, body);
  write_file(TMP "run.yaml", text);
  free(text);
  memset(w, 0, sizeof *w);
  diag *d = diag_new();
  int rc = scn_load(&w->sc, TMP "run.yaml", NULL, d);
  if (!rc) {
    w->a = table();
    metric_set_init(&w->ms);
    rc = crisis_model_new(&w->cm, w->sc, &w->ms, d);
    if (!rc) rc = plan_model_new(&w->m, w->sc, w->a, &w->ms, d);
  }
  if (rc) diag_print(d, stderr, 0);
  assert_int_equal(rc, 0);
  diag_free(d);
  w->s = sim_new();
  arena_init(&w->ar, ARENA_DEFAULT_CAP);
  assert_int_equal(metric_out_init(&w->out, &w->ms, &w->ar), 0);
  assert_int_equal(sim_subscribe(w->s, SIG_SITUATION_CHANGED, on_signal, w), 0);
  assert_int_equal(sim_subscribe(w->s, SIG_GATE_OPENED, on_signal, w), 0);
  assert_int_equal(sim_subscribe(w->s, SIG_PHASE_BEGAN, on_signal, w), 0);
  assert_int_equal(sim_subscribe(w->s, SIG_TASK_STATUS, on_signal, w), 0);
  assert_non_null(w->c = crisis_start(w->cm, w->s, &w->ar, &w->out, w->sc->seed, 0));
  assert_non_null(w->r = plan_start(w->m, w->s, &w->ar, &w->out, w->sc->seed, 0));
  assert_int_equal(sim_run(w->s, w->sc->horizon), 0);
  plan_collect(w->r, w->s, &w->out);
  crisis_collect(w->c, w->s, &w->out);
}

static void done(world *w) {
  sim_free(w->s);
  arena_release(&w->ar);
  plan_model_free(w->m);
  crisis_model_free(w->cm);
  metric_set_release(&w->ms);
  plan_authorities_free(w->a);
  scn_free(w->sc);
}

static int task(const world *w, const char *id) {
  int t = scn_task_find(w->sc->plan, id);
  assert_true(t >= 0);
  return t;
}

static double metric(const world *w, const char *name) {
  int m = metric_find(&w->ms, "plan", name);
  if (m < 0) fail_msg("no metric plan.%s", name);
  return w->out.value[m];
}

/* A task that waits for a gate starts at the very instant the gate opens. */
static void test_gate_wait_exact(void **state) {
  (void)state;
  world w;
  run(&w,
      "crisis:\n"
      "  events:\n"
      "    - {id: vote, at: 10h}\n"
      "situations:\n"
      "  gates:\n"
      "    - {gate: unsc_resolution, after: vote, delay: 5h}\n"
      "    - {gate: disaster_dispatch_request, at: 0h}\n"
      "plan:\n"
      "  tasks:\n"
      "    - {id: us-task, activity: search_and_rescue, owner: US, assets: [csg], area: sea,\n"
      "       gates: [unsc_resolution], duration: 1d}\n"
      "    - {id: jp-task, activity: search_and_rescue, owner: JP, assets: [helo], area: naha,\n"
      "       start: {at: 1h}, gates: [unsc_resolution], duration: 1d}\n");
  int g = plan_authorities_find(w.a, PLAN_GATES, "unsc_resolution");
  assert_float_equal(plan_run_gate_opened(w.r, g), 15 * H, 0);
  assert_true(plan_run_task_start(w.r, task(&w, "us-task")) == plan_run_gate_opened(w.r, g));
  assert_true(plan_run_task_start(w.r, task(&w, "jp-task")) == plan_run_gate_opened(w.r, g));
  assert_float_equal(plan_run_task_end(w.r, task(&w, "jp-task")), 15 * H + D, 1e-9);
  assert_int_equal(plan_run_task_state(w.r, task(&w, "jp-task")), PLAN_TASK_DONE);
  /* Due from 1h (JP) and 0h (US): waited for the gate only. */
  assert_float_equal(metric(&w, "task.jp-task.delay_gates"), 14 * H, 1e-9);
  assert_float_equal(metric(&w, "task.jp-task.delay_authority"), 0, 0);
  assert_float_equal(metric(&w, "task.us-task.delay_gates"), 15 * H, 1e-9);
  assert_float_equal(metric(&w, "task.us-task.ran"), 1, 0);
  assert_int_equal(w.sig_gate, 2);
  done(&w);
}

/* Authority, then gates: the Cabinet's decision, the Prime Minister, the Diet. */
static void test_authority_then_gates(void **state) {
  (void)state;
  world w;
  run(&w,
      "crisis:\n"
      "  events:\n"
      "    - {id: blockade, at: 10h}\n"
      "situations:\n"
      "  changes:\n"
      "    - {id: iis, to: important_influence, after: blockade, cabinet: 2h,\n"
      "       diet: {gate: diet_prior_approval, delay: 3h}}\n"
      "  gates:\n"
      "    - {gate: pm_approval, after: {change: iis}, delay: 1h}\n"
      "plan:\n"
      "  phases:\n"
      "    - {id: first}\n"
      "    - {id: second, start: {situation: important_influence}}\n"
      "  tasks:\n"
      "    - {id: resupply, activity: supply, owner: JP, assets: [aoe], area: sea,\n"
      "       start: {at: 1h}, duration: 2d}\n"
      "    - {id: later, activity: supply, owner: JP, area: sea, phase: second,\n"
      "       start: {done: resupply}}\n");
  int t = task(&w, "resupply"), I = plan_authorities_find(w.a, PLAN_SITUATIONS, "important_influence");
  assert_float_equal(plan_run_recognised(w.r, I), 12 * H, 0);
  assert_float_equal(plan_run_task_start(w.r, t), 15 * H, 1e-9); /* the Diet approved */
  assert_float_equal(metric(&w, "task.resupply.delay_authority"), 11 * H, 1e-9);
  assert_float_equal(metric(&w, "task.resupply.delay_gates"), 3 * H, 1e-9);
  assert_float_equal(metric(&w, "task.resupply.delay_assets"), 0, 0);
  assert_float_equal(metric(&w, "phase.second.began"), 12 * H, 0);
  assert_float_equal(metric(&w, "situation.important_influence.recognised"), 12 * H, 0);
  assert_float_equal(metric(&w, "gate.diet_prior_approval.opened"), 15 * H, 0);
  assert_float_equal(plan_run_task_start(w.r, task(&w, "later")), 15 * H + 2 * D, 1e-6);
  assert_int_equal(w.sig_situation, 1);
  assert_int_equal(w.sig_gate, 3); /* basic plan, Prime Minister, Diet */
  done(&w);
}

/* Combat in the task's area pauses it; it resumes when combat ends (pause), or ends
 * for good (withdraw). */
static const char *const combat_body =
    "crisis:\n"
    "  events:\n"
    "    - {id: iis-now, at: 0h, raises: [{signal: situation_changed, to: important_influence}]}\n"
    "    - {id: fight, at: 20h, raises: [{signal: region_active, region: box, for: 10h}]}\n"
    "situations:\n"
    "  gates:\n"
    "    - {gate: diet_prior_approval, at: 0h}\n"
    "    - {gate: pm_approval, at: 0h}\n"
    "plan:\n"
    "  tasks:\n"
    "    - {id: resupply, activity: supply, owner: JP, assets: [aoe], area: sea,\n"
    "       start: {at: 15h}, duration: 2d, on_loss: %s}\n"
    "    - {id: rescue, activity: search_and_rescue, owner: JP, assets: [helo], area: sea,\n"
    "       start: {at: 15h}, duration: 1d}\n"
    "    - {id: late-rescue, activity: search_and_rescue, owner: JP, assets: [helo], area: sea,\n"
    "       start: {at: 25h}, duration: 1h}\n";

static void test_combat_pause(void **state) {
  (void)state;
  char body[2048];
  world w;
  snprintf(body, sizeof body, combat_body, "pause");
  run(&w, body);
  int t = task(&w, "resupply");
  assert_float_equal(plan_run_task_start(w.r, t), 15 * H, 0);
  assert_int_equal(plan_run_task_pauses(w.r, t), 1);
  assert_float_equal(plan_run_task_ran(w.r, t), 2 * D, 1e-6);
  assert_float_equal(plan_run_task_end(w.r, t), 15 * H + 2 * D + 10 * H, 1e-6);
  assert_float_equal(metric(&w, "task.resupply.delay_authority"), 10 * H, 1e-9);
  /* Missions that follow the task hear each start, pause, resumption and end. */
  const double expect[][2] = {{15 * H, 1}, {20 * H, 0}, {30 * H, 1}, {15 * H + 2 * D + 10 * H, 0}};
  int seen = 0;
  for (int i = 0; i < w.nlog; i++) {
    if (w.log[i].type != SIG_TASK_STATUS || w.log[i].index != t) continue;
    assert_true(seen < 4);
    assert_float_equal(w.log[i].t, expect[seen][0], 1e-6);
    assert_int_equal(w.log[i].open, (int)expect[seen][1]);
    seen++;
  }
  assert_int_equal(seen, 4);
  /* A rescue under way continues (important influence: continue_started_rescue); one
   * due while combat is under way waits until it ends. */
  assert_int_equal(plan_run_task_pauses(w.r, task(&w, "rescue")), 0);
  assert_float_equal(plan_run_task_end(w.r, task(&w, "rescue")), 15 * H + D, 1e-6);
  assert_float_equal(plan_run_task_start(w.r, task(&w, "late-rescue")), 30 * H, 1e-9);
  /* Recognised at once by the crisis: its gate opened, no second announcement. */
  int I = plan_authorities_find(w.a, PLAN_SITUATIONS, "important_influence");
  assert_float_equal(plan_run_recognised(w.r, I), 0, 0);
  assert_int_equal(w.sig_situation, 0);
  done(&w);

  snprintf(body, sizeof body, combat_body, "withdraw");
  run(&w, body);
  t = task(&w, "resupply");
  assert_int_equal(plan_run_task_state(w.r, t), PLAN_TASK_WITHDRAWN);
  assert_float_equal(plan_run_task_end(w.r, t), 20 * H, 0);
  assert_float_equal(plan_run_task_ran(w.r, t), 5 * H, 1e-9);
  done(&w);
}

/* Each phase announces its beginning once, in order, at the instant its condition holds. */
static void test_phase_signal(void **state) {
  (void)state;
  world w;
  run(&w,
      "crisis:\n"
      "  events:\n"
      "    - {id: blockade, at: 12h}\n"
      "plan:\n"
      "  phases:\n"
      "    - {id: deter}\n"
      "    - {id: respond, start: blockade}\n"
      "    - {id: recover, start: {at: 2h}}\n"
      "  tasks:\n"
      "    - {id: rescue, activity: search_and_rescue, owner: JP, assets: [helo], area: naha,\n"
      "       phase: respond, duration: 1d}\n");
  double want[] = {0, 12 * H, 12 * H}; /* `recover` waits for `respond` although 2h passed */
  int seen = 0;
  for (int i = 0; i < w.nlog; i++) {
    if (w.log[i].type != SIG_PHASE_BEGAN) continue;
    assert_true(seen < 3);
    assert_int_equal(w.log[i].index, seen);
    assert_float_equal(w.log[i].t, want[seen], 0);
    seen++;
  }
  assert_int_equal(seen, 3);
  assert_float_equal(plan_run_task_start(w.r, task(&w, "rescue")), 12 * H, 0);
  done(&w);
}

/* Measures begun on the Cabinet's decision in an emergency stop when the Diet says no;
 * USFA supply of goods, which needs no Diet approval of its own (USFA art. 10, AASA
 * art. 9), goes on. */
static void test_diet_refuses(void **state) {
  (void)state;
  world w;
  run(&w,
      "crisis:\n"
      "  events:\n"
      "    - {id: attack, at: 2h}\n"
      "situations:\n"
      "  changes:\n"
      "    - {id: st, to: survival_threatening, after: attack, cabinet: 1h,\n"
      "       diet: {gate: diet_approval_after_fact, emergency: true, delay: 2d, p: 0}}\n"
      "  gates:\n"
      "    - {gate: defense_operation_order, situation: survival_threatening,\n"
      "       after: {change: st}, delay: 1h}\n"
      "plan:\n"
      "  tasks:\n"
      "    - {id: rescue, activity: search_and_rescue, owner: JP, assets: [helo], area: sea}\n"
      "    - {id: resupply, activity: supply, owner: JP, assets: [aoe], area: sea}\n");
  int t = task(&w, "rescue");
  assert_float_equal(plan_run_task_start(w.r, t), 4 * H, 1e-9); /* the defense operation */
  assert_int_equal(plan_run_task_pauses(w.r, t), 1);
  assert_int_equal(plan_run_task_state(w.r, t), PLAN_TASK_DUE);
  assert_float_equal(plan_run_task_ran(w.r, t), 2 * D - H, 1e-6);
  int g = task(&w, "resupply");
  assert_float_equal(plan_run_task_start(w.r, g), 3 * H, 1e-9); /* the response policy */
  assert_int_equal(plan_run_task_pauses(w.r, g), 0);
  assert_int_equal(plan_run_task_state(w.r, g), PLAN_TASK_RUNNING);
  assert_int_equal(w.sig_gate_closed, 1);
  done(&w);
}

/* The Cabinet ends the situation (a ceasefire): the task it authorised pauses. */
static void test_situation_ends(void **state) {
  (void)state;
  world w;
  run(&w,
      "crisis:\n"
      "  events:\n"
      "    - {id: iis-now, at: 0h, raises: [{signal: situation_changed, to: important_influence}]}\n"
      "    - {id: ceasefire, at: 10h}\n"
      "situations:\n"
      "  changes:\n"
      "    - {id: end-iis, to: peacetime, ends: [important_influence], after: ceasefire}\n"
      "  gates:\n"
      "    - {gate: diet_prior_approval, at: 0h}\n"
      "    - {gate: pm_approval, at: 0h}\n"
      "plan:\n"
      "  tasks:\n"
      "    - {id: resupply, activity: supply, owner: JP, assets: [aoe], area: sea}\n");
  int t = task(&w, "resupply"), I = plan_authorities_find(w.a, PLAN_SITUATIONS, "important_influence");
  assert_float_equal(plan_run_task_start(w.r, t), 0, 0);
  assert_int_equal(plan_run_task_state(w.r, t), PLAN_TASK_DUE);
  assert_int_equal(plan_run_task_pauses(w.r, t), 1);
  assert_float_equal(plan_run_task_ran(w.r, t), 10 * H, 1e-9);
  assert_false((plan_run_situations(w.r) >> I) & 1);
  assert_float_equal(metric(&w, "task.resupply.delay_authority"), 30 * D - 10 * H, 1e-6);
  done(&w);
}

/* Escalating from an anticipated to an armed attack situation never takes away an
 * authority already in force: the Prime Minister's approval given under the anticipated
 * situation stands for the one that supersedes it, and USFA services need no Diet vote
 * of their own (here the Diet is five days late). */
static void test_escalation_keeps_authority(void **state) {
  (void)state;
  world w;
  run(&w,
      "crisis:\n"
      "  events:\n"
      "    - {id: tension, at: 2h}\n"
      "    - {id: attack, at: 3d}\n"
      "situations:\n"
      "  changes:\n"
      "    - {id: aaa, to: armed_attack_anticipated, after: tension, cabinet: 1h}\n"
      "    - {id: aa, to: armed_attack, after: attack, cabinet: 2h,\n"
      "       diet: {gate: diet_prior_approval, delay: 5d}}\n"
      "  gates:\n"
      "    - {gate: pm_approval, situation: armed_attack_anticipated, after: {change: aaa},\n"
      "       delay: 1h}\n"
      "plan:\n"
      "  tasks:\n"
      "    - {id: lift, activity: transportation, owner: JP, assets: [aoe], area: naha}\n"
      "    - {id: goods, activity: supply, owner: JP, area: naha}\n");
  int AN = plan_authorities_find(w.a, PLAN_SITUATIONS, "armed_attack_anticipated");
  int AA = plan_authorities_find(w.a, PLAN_SITUATIONS, "armed_attack");
  assert_false((plan_run_situations(w.r) >> AN) & 1); /* superseded */
  assert_true((plan_run_situations(w.r) >> AA) & 1);
  int lift = task(&w, "lift"), goods = task(&w, "goods");
  assert_float_equal(plan_run_task_start(w.r, lift), 4 * H, 1e-9);
  assert_float_equal(plan_run_task_start(w.r, goods), 3 * H, 1e-9);
  for (int t = 0; t < 2; t++) {
    int k = t ? goods : lift;
    assert_int_equal(plan_run_task_pauses(w.r, k), 0);
    assert_int_equal(plan_run_task_state(w.r, k), PLAN_TASK_RUNNING);
  }
  done(&w);
}

/* A gate opened for one situation never counts for another: the Prime Minister's
 * approval of survival-threatening measures is not the approval an important influence
 * rescue needs, so the rescue never starts (its ST rule needs a defense operation). */
static void test_gate_for_other_situation(void **state) {
  (void)state;
  world w;
  run(&w,
      "crisis:\n"
      "  events:\n"
      "    - {id: tension, at: 2h}\n"
      "situations:\n"
      "  changes:\n"
      "    - {id: iis, to: important_influence, after: tension, cabinet: 1h,\n"
      "       diet: {gate: diet_prior_approval, delay: 1h}}\n"
      "    - {id: st, to: survival_threatening, after: tension, cabinet: 2h,\n"
      "       diet: {gate: diet_approval_after_fact, emergency: true, delay: 1h}}\n"
      "  gates:\n"
      "    - {gate: pm_approval, situation: survival_threatening, after: {change: st}}\n"
      "plan:\n"
      "  tasks:\n"
      "    - {id: rescue, activity: search_and_rescue, owner: JP, assets: [helo], area: sea}\n");
  int t = task(&w, "rescue");
  assert_true(isnan(plan_run_task_start(w.r, t)));
  assert_int_equal(plan_run_task_state(w.r, t), PLAN_TASK_DUE);
  assert_float_equal(metric(&w, "task.rescue.ran"), 0, 0);
  assert_true(metric(&w, "task.rescue.delay_gates") > 20 * D);
  done(&w);
}

/* Peacetime rescue is SDF disaster dispatch: it waits for the Coast Guard's request
 * (SDF Act art. 83(1)-(2)) and stops when the request lapses. */
static void test_rescue_waits_for_request(void **state) {
  (void)state;
  world w;
  run(&w,
      "situations:\n"
      "  gates:\n"
      "    - {gate: disaster_dispatch_request, at: 5h, for: 1d}\n"
      "plan:\n"
      "  tasks:\n"
      "    - {id: rescue, activity: search_and_rescue, owner: JP, assets: [helo], area: sea,\n"
      "       start: {at: 1h}}\n");
  int t = task(&w, "rescue");
  assert_float_equal(plan_run_task_start(w.r, t), 5 * H, 1e-9);
  assert_float_equal(metric(&w, "task.rescue.delay_gates"), 4 * H + (30 * D - 29 * H), 1e-6);
  assert_float_equal(plan_run_task_ran(w.r, t), D, 1e-6);
  done(&w);
}

/* Peacetime supply under SDF Act art. 100-6 covers the article's cases only: a US
 * request and the Minister's judgement are not enough to sustain combat operations. */
static void test_art_100_6_cases(void **state) {
  (void)state;
  static const char *const body =
      "situations:\n"
      "  gates:\n"
      "    - {gate: us_request, at: 0h}\n"
      "    - {gate: defense_minister_decision, at: 1h}\n"
      "%s"
      "plan:\n"
      "  tasks:\n"
      "    - {id: resupply, activity: supply, owner: JP, assets: [aoe], area: naha}\n";
  char text[1024];
  world w;
  snprintf(text, sizeof text, body, "");
  run(&w, text);
  assert_true(isnan(plan_run_task_start(w.r, task(&w, "resupply"))));
  done(&w);
  snprintf(text, sizeof text, body, "    - {gate: sdfa_100_6_case, at: 2h}   # a joint exercise\n");
  run(&w, text);
  assert_float_equal(plan_run_task_start(w.r, task(&w, "resupply")), 2 * H, 1e-9);
  done(&w);
}

/* Prior consultation (1960 Exchange of Notes): a US task launching combat operations
 * from a base in Japan other than for its defence waits for Japan's consent. */
static void test_prior_consultation(void **state) {
  (void)state;
  world w;
  run(&w,
      "crisis:\n"
      "  events:\n"
      "    - {id: intervention, at: 1d}\n"
      "situations:\n"
      "  gates:\n"
      "    - {gate: prior_consultation, after: intervention, delay: 18h}\n"
      "plan:\n"
      "  tasks:\n"
      "    - {id: sorties, activity: combat_operations_from_bases, owner: US, area: naha,\n"
      "       start: intervention, gates: [prior_consultation]}\n");
  int t = task(&w, "sorties");
  assert_float_equal(plan_run_task_start(w.r, t), D + 18 * H, 1e-9);
  assert_float_equal(metric(&w, "task.sorties.delay_gates"), 18 * H, 1e-9);
  done(&w);
}

/* Civil protection: not in peacetime; in an armed attack situation on the governor's
 * request (Civil Protection Act art. 15). */
static void test_civil_protection(void **state) {
  (void)state;
  world w;
  run(&w,
      "crisis:\n"
      "  events:\n"
      "    - {id: impact, at: 1d}\n"
      "situations:\n"
      "  changes:\n"
      "    - {id: aa, to: armed_attack, after: impact, cabinet: 3h}\n"
      "  gates:\n"
      "    - {gate: civil_protection_request, after: impact, delay: 5h}\n"
      "plan:\n"
      "  tasks:\n"
      "    - {id: evacuate, activity: civil_protection, owner: JP, area: naha}\n");
  int t = task(&w, "evacuate");
  assert_float_equal(plan_run_task_start(w.r, t), D + 5 * H, 1e-9);
  assert_float_equal(metric(&w, "task.evacuate.delay_authority"), D + 3 * H, 1e-9);
  assert_float_equal(metric(&w, "task.evacuate.delay_gates"), 2 * H, 1e-9);
  done(&w);
}

/* crisis.situation_max is the gravest situation in force at any time, whoever made
 * it so: the crisis's raise (gray zone), the Cabinet's recognition after a decision
 * delay (armed attack, announced by the plan with source -1), even once a ceasefire
 * has ended it; without a recognition, the raise; without either, the initial one. */
static void test_situation_max(void **state) {
  (void)state;
  static const char *const body =
      "crisis:\n"
      "  events:\n"
      "    - {id: declaration, at: 0h, raises: [{signal: situation_changed, to: gray_zone}]}\n"
      "    - {id: strike, at: 2d}\n"
      "    - {id: ceasefire, at: 5d}\n"
      "situations:\n"
      "  initial: %s\n"
      "  changes:\n"
      "    - {id: recognise-aa, to: armed_attack, after: strike, p: %s, cabinet: 6h}\n"
      "    - {id: end-aa, to: peacetime, ends: [armed_attack], after: ceasefire}\n"
      "plan:\n"
      "  tasks:\n"
      "    - {id: resupply, activity: supply, owner: JP, assets: [aoe], area: sea}\n";
  static const struct { const char *initial, *p, *strip; double want; } cases[] = {
      {"peacetime", "1", NULL, SCN_SIT_ARMED_ATTACK},
      {"peacetime", "0", NULL, SCN_SIT_GRAY_ZONE},
      {"important_influence", "0", NULL, SCN_SIT_IMPORTANT_INFLUENCE},
      /* no crisis raise at all: the metric is still defined (by `situations:`) */
      {"peacetime", "0", ", raises: [{signal: situation_changed, to: gray_zone}]",
       SCN_SIT_PEACETIME},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char text[2048];
    snprintf(text, sizeof text, body, cases[i].initial, cases[i].p);
    if (cases[i].strip) {
      char *at = strstr(text, cases[i].strip);
      assert_non_null(at);
      memmove(at, at + strlen(cases[i].strip), strlen(at + strlen(cases[i].strip)) + 1);
    }
    world w;
    run(&w, text);
    int m = metric_find(&w.ms, "crisis", "situation_max");
    if (m < 0) fail_msg("case %zu: no crisis.situation_max", i);
    if (w.out.value[m] != cases[i].want)
      fail_msg("case %zu: situation_max %g, want %g", i, w.out.value[m], cases[i].want);
    done(&w);
  }
}

/* Two tasks for one asset: the higher priority first, the other waits for it. */
static void test_assets(void **state) {
  (void)state;
  world w;
  run(&w,
      "plan:\n"
      "  tasks:\n"
      "    - {id: low, activity: search_and_rescue, owner: US, assets: [csg], area: sea,\n"
      "       duration: 5h}\n"
      "    - {id: high, activity: search_and_rescue, owner: US, assets: [csg], area: sea,\n"
      "       duration: 3h, priority: 5}\n");
  assert_float_equal(plan_run_task_start(w.r, task(&w, "high")), 0, 0);
  assert_float_equal(plan_run_task_start(w.r, task(&w, "low")), 3 * H, 1e-9);
  assert_float_equal(metric(&w, "task.low.delay_assets"), 3 * H, 1e-9);
  done(&w);
}

/* ---- problems in the scenario ------------------------------------------------------------ */

static void load_expect(const char *body, const char *needle, int line, int col, int in_model) {
  char *text = malloc(strlen(header) + strlen(body) + 1);
  assert_non_null(text);
  strcpy(text, header);
  strcat(text, body);
  write_file(TMP "bad.yaml", text);
  free(text);
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  int rc = scn_load(&sc, TMP "bad.yaml", NULL, d);
  if (in_model) {
    assert_int_equal(rc, 0);
    plan_authorities *a = table();
    plan_model *m = NULL;
    assert_int_equal(plan_model_new(&m, sc, a, NULL, d), ERR_INPUT);
    assert_null(m);
    plan_authorities_free(a);
  } else {
    assert_int_equal(rc, ERR_INPUT);
  }
  expect_message(d, needle, line, col);
  scn_free(sc);
  diag_free(d);
}

static void test_scenario_errors(void **state) {
  (void)state;
  /* The header has 11 lines; the body starts at line 12. */
  load_expect("plan:\n  tasks:\n    - {id: a, activity: suply, owner: JP, area: sea}\n",
              "unknown activity 'suply' (did you mean 'supply'?)", 14, 25, 1);
  load_expect("plan:\n  tasks:\n    - {id: a, activity: supply, owner: JP, area: box}\n",
              "task 'a' is in region 'box': say which legal area that is", 14, 50, 1);
  load_expect("plan:\n  tasks:\n    - {id: a, activity: supply, owner: JP, area: sea, gates: [unsc]}\n",
              "unknown gate 'unsc'", 14, 63, 1);
  load_expect("plan:\n  tasks:\n    - {id: a, activity: supply, owner: JP, area: sea, start: {task: b}}\n",
              "unknown task id 'b'", 14, 69, 0);
  load_expect("plan:\n  tasks:\n    - {id: a, activity: supply, owner: JP, area: sae}\n",
              "unknown place or region id 'sae' (did you mean 'sea'?)", 14, 50, 0);
  load_expect("plan:\n  tasks:\n    - {id: a, activity: supply, owner: JP, area: sea, assets: [{force: aoe, count: 2}]}\n",
              "task asks for 2 units of 'aoe', which has 1", 14, 64, 0);
  load_expect("situations:\n  gates:\n    - {gate: pm_approval, after: {task: a}}\n"
              "plan:\n  tasks:\n    - {id: a, activity: supply, owner: JP, area: sea}\n",
              "a condition in 'situations' cannot name a task", 14, 35, 0);
  load_expect("situations:\n  changes:\n    - {id: c, to: war, at: 1h}\n",
              "unknown situation 'war'", 14, 19, 0);
  load_expect("plan:\n  tasks:\n    - {id: a, activity: supply, owner: JP, area: sea, start: {at: 1h, task: a}}\n",
              "a condition mapping takes exactly one key", 14, 62, 0);
}

/* ---- the check's API ------------------------------------------------------------------------ */

static int world_none(sim *s, arena *a, uint64_t seed, uint32_t rep, void *ctx) {
  (void)s, (void)a, (void)seed, (void)rep, (void)ctx;
  return 0;
}

/* Parse a JSON text the plan wrote (one compact document and a newline). */
static json_t *parse(const char *text) {
  size_t n = strlen(text);
  assert_true(n > 1);
  assert_ptr_equal(strchr(text, '\n'), text + n - 1); /* compact: the final newline only */
  json_error_t e;
  json_t *doc = json_loads(text, 0, &e);
  if (!doc) fail_msg("not JSON: %s at %d:%d", e.text, e.line, e.column);
  return doc;
}

/* The matrix of test_check_api's scenario (tasks a and b on one line, phase-less),
 * read back: its members in docs/plan.md's order, the numbers where they belong. */
static void expect_sync_json(const char *text, int samples) {
  json_t *doc = parse(text);
  static const char *const keys[] = {"scenario", "authorities", "samples", "time_unit",
                                     "phases", "lines", "tasks", "cells"};
  const char *key;
  json_t *v;
  size_t k = 0;
  json_object_foreach(doc, key, v) assert_string_equal(key, keys[k++]);
  assert_int_equal(k, 8);
  assert_int_equal(json_integer_value(json_object_get(doc, "samples")), samples);
  json_t *sc = json_object_get(doc, "scenario");
  assert_int_equal(json_integer_value(json_object_get(sc, "seed")), 1);
  assert_true(json_is_integer(json_object_get(sc, "horizon"))); /* 10 d: an integral double */
  assert_int_equal(json_integer_value(json_object_get(sc, "horizon")), 10 * 86400);
  assert_int_equal(strlen(json_string_value(json_object_get(sc, "hash"))), 64);
  json_t *tasks = json_object_get(doc, "tasks"), *a = json_array_get(tasks, 0);
  assert_int_equal(json_array_size(tasks), 2);
  assert_string_equal(json_string_value(json_object_get(a, "id")), "a");
  assert_string_equal(json_string_value(json_object_get(a, "line")), "JP/supply");
  assert_true(json_is_false(json_object_get(a, "phase_declared")));
  assert_true(json_is_null(json_object_get(a, "phase")));
  json_t *asset = json_array_get(json_object_get(a, "assets"), 0);
  assert_string_equal(json_string_value(json_object_get(asset, "force")), "aoe");
  assert_int_equal(json_integer_value(json_object_get(asset, "count")), 1);
  json_t *loc = json_object_get(a, "location");
  assert_int_equal(json_integer_value(json_object_get(loc, "line")), 10);
  assert_int_equal(json_integer_value(json_object_get(loc, "col")), 7);
  json_t *auth = json_array_get(json_object_get(a, "authorities"), 0);
  char rule[128]; /* a rule's id is "<situation>-<activity>" */
  snprintf(rule, sizeof rule, "%s-supply", json_string_value(json_object_get(auth, "situation")));
  assert_string_equal(json_string_value(json_object_get(auth, "rule")), rule);
  assert_true(json_array_size(json_object_get(auth, "limits")) > 0);
  json_t *share = json_object_get(a, "ran_share"), *start = json_object_get(a, "start");
  if (samples) { /* a runs in every sample, from 2 d (due at 1 d, authorised at 2 d) */
    assert_int_equal(json_integer_value(share), 1);
    assert_int_equal(json_integer_value(json_object_get(start, "n")), samples);
    assert_int_equal(json_integer_value(json_object_get(start, "p50")), 2 * 86400);
  } else {
    assert_true(json_is_null(share));
    assert_true(json_is_null(start));
  }
  json_t *cell = json_array_get(json_object_get(doc, "cells"), 0);
  assert_int_equal(json_array_size(json_object_get(doc, "cells")), 1);
  assert_true(json_is_null(json_object_get(cell, "phase")));
  assert_int_equal(json_array_size(json_object_get(cell, "tasks")), 2);
  json_decref(doc);
}

/* test_check_api's findings, read back: the loader's warning (kind "input") first, then
 * a's unauthorised warning and b's double booking. */
static void expect_findings_json(const char *text) {
  json_t *doc = parse(text);
  assert_string_equal(json_string_value(json_object_get(doc, "scenario")), "check.yaml");
  assert_string_equal(json_string_value(json_object_get(doc, "authorities")), "t.yaml");
  assert_int_equal(json_integer_value(json_object_get(doc, "samples")), 50);
  assert_int_equal(json_integer_value(json_object_get(doc, "errors")), 1);
  assert_int_equal(json_integer_value(json_object_get(doc, "warnings")), 2);
  json_t *f = json_object_get(doc, "findings");
  assert_int_equal(json_array_size(f), 3);
  json_t *in = json_array_get(f, 0), *a = json_array_get(f, 1), *b = json_array_get(f, 2);
  assert_string_equal(json_string_value(json_object_get(in, "kind")), "input");
  assert_null(json_object_get(in, "task")); /* an input finding has no task members */
  assert_string_equal(json_string_value(json_object_get(a, "kind")), "unauthorised");
  assert_string_equal(json_string_value(json_object_get(a, "severity")), "warning");
  assert_int_equal(json_integer_value(json_object_get(a, "probability")), 1);
  assert_true(json_is_null(json_object_get(a, "other_task")));
  assert_int_equal(json_array_size(json_object_get(a, "branches")), 0);
  json_t *note = json_array_get(json_object_get(a, "notes"), 0);
  assert_non_null(strstr(json_string_value(json_object_get(note, "file")), "authorities.yaml"));
  assert_string_equal(json_string_value(json_object_get(b, "kind")), "double-booked");
  assert_string_equal(json_string_value(json_object_get(b, "other_task")), "a");
  assert_string_equal(json_string_value(json_object_get(b, "asset")), "aoe");
  assert_int_equal(json_integer_value(json_object_get(b, "line")), 11);
  json_decref(doc);
}

/* The findings of a scenario that did not load: its paths' bytes as they are when they
 * are UTF-8 ("</script>" included: escaping for HTML is the report's), as U+FFFD where
 * they are not; the problems as findings of kind "input". */
static void test_check_json_input(void **state) {
  (void)state;
  diag *d = diag_new();
  diag_report(d, DIAG_ERROR, "bad\xff.yaml", 3, 4, "unknown key 'x\"y'");
  char *text = plan_check_json(NULL, "dir\xff/a</script>.yaml", NULL, d);
  assert_non_null(text);
  json_t *doc = parse(text);
  assert_string_equal(json_string_value(json_object_get(doc, "scenario")),
                      "dir\xef\xbf\xbd/a</script>.yaml");
  assert_true(json_is_null(json_object_get(doc, "authorities")));
  assert_int_equal(json_integer_value(json_object_get(doc, "errors")), 1);
  json_t *f = json_array_get(json_object_get(doc, "findings"), 0);
  assert_string_equal(json_string_value(json_object_get(f, "kind")), "input");
  assert_string_equal(json_string_value(json_object_get(f, "severity")), "error");
  assert_string_equal(json_string_value(json_object_get(f, "file")), "bad\xef\xbf\xbd.yaml");
  assert_int_equal(json_integer_value(json_object_get(f, "col")), 4);
  assert_string_equal(json_string_value(json_object_get(f, "message")), "unknown key 'x\"y'");
  json_decref(doc);
  free(text);
  diag_free(d);
}

static void test_check_api(void **state) {
  (void)state;
  write_file(TMP "check.yaml",
             "scenario: {name: t, epoch: 2027-04-01T00:00Z, horizon: 10d, seed: 1}\n"
             "theater:\n  places: [{id: sea, kind: sea_area, lat: 24, lon: 126}]\n"
             "forces: [{id: aoe, nation: JP, kind: replenishment_ship, base: sea}]\n"
             "situations:\n"
             "  changes: [{id: iis, to: important_influence, at: 2d}]\n"
             "  gates: [{gate: diet_prior_approval, at: 0h}, {gate: pm_approval, at: 0h}]\n"
             "plan:\n  tasks:\n"
             "    - {id: a, activity: supply, owner: JP, assets: [aoe], area: sea, start: {at: 1d}, duration: 3d}\n"
             "    - {id: b, activity: supply, owner: JP, assets: [aoe], area: sea, start: {at: 3d}, duration: 1d}\n");
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  assert_int_equal(scn_load(&sc, TMP "check.yaml", NULL, d), 0);
  plan_authorities *a = table();
  plan_model *m = NULL;
  assert_int_equal(plan_model_new(&m, sc, a, NULL, d), 0);
  plan_check_options opt = PLAN_CHECK_OPTIONS_INIT;
  opt.samples = 50;
  opt.world = world_none;
  plan_report *r = NULL;
  assert_int_equal(plan_check(&r, m, &opt), 0);
  assert_int_equal(plan_report_count(r), 2); /* a: due before authority; b: double-booked */
  const plan_finding *f0 = plan_report_at(r, 0), *f1 = plan_report_at(r, 1);
  assert_int_equal(f0->kind, PLAN_FINDING_UNAUTHORISED);
  assert_int_equal(f0->severity, DIAG_WARNING);
  assert_int_equal(f0->task, 0);
  assert_float_equal(f0->probability, 1, 0);
  assert_int_equal(f1->kind, PLAN_FINDING_DOUBLE_BOOKED);
  assert_int_equal(f1->task, 1);
  assert_int_equal(f1->other, 0);
  assert_int_equal(f1->loc.line, 11);
  assert_int_equal(f1->loc.col, 7);
  plan_timing tm;
  assert_int_equal(plan_report_task_timing(r, 0, &tm), 0);
  assert_float_equal(tm.share, 1, 0);
  assert_float_equal(tm.start.p50, 2 * D, 0);
  char *j1 = plan_sync_json(r), *j2 = plan_check_json(r, "check.yaml", "t.yaml", d);
  assert_non_null(j1);
  assert_non_null(j2);
  assert_non_null(strstr(j1, "\"cells\":["));
  assert_non_null(strstr(j2, "\"kind\":\"double-booked\""));
  expect_sync_json(j1, 50);
  expect_findings_json(j2);
  plan_report_free(r);
  /* Without samples only the static findings remain; the same again gives the same.
   * The shares of nothing sampled are null, not NaN (JSON has none). */
  opt.samples = 0;
  assert_int_equal(plan_check(&r, m, &opt), 0);
  assert_int_equal(plan_report_count(r), 0);
  char *j0 = plan_sync_json(r);
  expect_sync_json(j0, 0);
  free(j0);
  plan_report_free(r);
  opt.samples = 50;
  assert_int_equal(plan_check(&r, m, &opt), 0);
  char *j3 = plan_sync_json(r);
  assert_string_equal(j1, j3);
  free(j1), free(j2), free(j3);
  plan_report_free(r);
  plan_model_free(m);
  plan_authorities_free(a);
  scn_free(sc);
  diag_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_table_shipped),   cmocka_unit_test(test_table_errors),
      cmocka_unit_test(test_gate_wait_exact), cmocka_unit_test(test_authority_then_gates),
      cmocka_unit_test(test_combat_pause),    cmocka_unit_test(test_diet_refuses),
      cmocka_unit_test(test_situation_ends),
      cmocka_unit_test(test_situation_max),  cmocka_unit_test(test_phase_signal),
      cmocka_unit_test(test_assets),          cmocka_unit_test(test_scenario_errors),
      cmocka_unit_test(test_check_api),       cmocka_unit_test(test_check_json_input),
      cmocka_unit_test(test_escalation_keeps_authority),
      cmocka_unit_test(test_gate_for_other_situation),
      cmocka_unit_test(test_rescue_waits_for_request),
      cmocka_unit_test(test_art_100_6_cases),
      cmocka_unit_test(test_prior_consultation),
      cmocka_unit_test(test_civil_protection),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
