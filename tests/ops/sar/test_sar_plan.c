/* test_sar_plan.c - search and rescue with the plan and for a planner: the search runs
 * exactly while its plan task runs; survival in water against Hayward et al. (1975)
 * computed by hand; several units planned together (disjoint rectangles, at least the
 * POS of planning them one after another); datums as a track or an area; the case
 * file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "crisis.h"
#include "diag.h"
#include "err.h"
#include "metric.h"
#include "plan.h"
#include "sar.h"
#include "scenario.h"
#include "scn_sar.h"
#include "sim.h"
#include "ops.h"

/* The loader's table of mission sections (ops.h), as the program's callers pass it. */
static const scn_load_options *mission_sections(void) {
  static scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  return &opt;
}

#define H 3600.0

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

/* ---- survival: Hayward, Eckerson & Collis (1975) ------------------------------------ */

/* t = 15 + 7.2 / (0.0785 - 0.0034 T) minutes, by hand:
 *   T = 0:   0.0785            -> 15 + 91.7197 = 106.7197 min
 *   T = 10:  0.0785 - 0.034  = 0.0445 -> 15 + 161.7978 = 176.7978 min
 *   T = 15:  0.0785 - 0.051  = 0.0275 -> 15 + 261.8182 = 276.8182 min
 *   T = 20:  0.0785 - 0.068  = 0.0105 -> 15 + 685.7143 = 700.7143 min
 * above 20 C the value at 20 C (the regression diverges at 23.1 C). */
static void hayward_by_hand(void **state) {
  (void)state;
  const double T[] = {0, 10, 15, 20, 26},
               want_min[] = {106.7197, 176.7978, 276.8182, 700.7143, 700.7143};
  for (int i = 0; i < 5; i++)
    assert_float_equal(sar_survival_hayward(T[i]) / 60, want_min[i], 5e-4);
  /* below -2 C (sea water freezes) the value at -2 C: 0.0785 + 0.0068 = 0.0853 ->
   * 15 + 84.4080 = 99.4080 min */
  assert_float_equal(sar_survival_hayward(-5) / 60, 99.4080, 5e-4);
}

/* ---- the case file and the standalone plan -------------------------------------------- */

static const char case_text[] =
    "case:\n"
    "  name: test case\n"
    "  reported: 2027-03-10T06:30Z\n"
    "  seed: 5\n"
    "  object: piw\n"
    "  persons: 2\n"
    "  %s\n"
    "  sorties: %d\n"
    "search:\n"
    "  particles: 3000\n"
    "  time_step: 15min\n"
    "  position_sigma: 3nmi\n"
    "  cell: 1km\n"
    "  land: false\n"
    "  current: {east: 0.5kn, north: 0.2kn}\n"
    "  wind: {east: 0kn, north: -12kn}\n"
    "  water_temperature: 10C\n"
    "  survival_sigma: 0\n"
    "units:\n"
    "  - {id: a, base: [26.0, 126.0], speed: 120kn, endurance: 4h, response: 30min,\n"
    "     sweep_width: {piw: 0.3nmi}}\n"
    "  - {id: b, base: [27.0, 127.5], speed: 120kn, endurance: 4h, response: 30min,\n"
    "     turnaround: 30min, sweep_width: {piw: 0.4nmi}}\n";

static scn_scenario *load_case(const char *datum, int sorties) {
  char text[4096], path[] = "/tmp/test_sar_case_XXXXXX";
  snprintf(text, sizeof text, case_text, datum, sorties);
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  write_file(path, text);
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  int err = scn_sar_case_load(&sc, path, NULL, d);
  if (err)
    diag_print(d, stderr, 0);
  assert_int_equal(err, 0);
  diag_free(d);
  unlink(path);
  return sc;
}

static int overlap(const sar_rect *a, const sar_rect *b) {
  return a->lat_min < b->lat_max - 1e-9 && b->lat_min < a->lat_max - 1e-9 &&
         a->lon_min < b->lon_max - 1e-9 && b->lon_min < a->lon_max - 1e-9;
}

/* Two units planned together: disjoint rectangles, each searched with its own effort,
 * and a POS at least that of planning them one after another. */
static void joint_beats_sequential(void **state) {
  (void)state;
  const char *datums[] = {"at: [26.5, 126.8]", "track: [[26.4, 126.6], [26.7, 127.1]]",
                          "at: [26.5, 126.8]\n  radius: 6nmi"};
  for (int k = 0; k < 3; k++) {
    scn_scenario *sc = load_case(datums[k], 1);
    assert_int_equal(scn_sar_of(sc)->kase->datum.shape, k == 0 ? SCN_SAR_POINT : k == 1 ? SCN_SAR_TRACK : SCN_SAR_AREA);
    metric_set ms;
    metric_set_init(&ms);
    diag *d = diag_new();
    sar_model *m = NULL;
    assert_int_equal(sar_model_build(&m, sc, &ms, d), 0);
    arena a;
    arena_init(&a, (size_t)1 << 30);
    sar_plan joint, seq;
    assert_int_equal(sar_plan_case(&joint, m, 1, sc->seed, &a), 0);
    assert_int_equal(sar_plan_case(&seq, m, 0, sc->seed, &a), 0);
    assert_int_equal(joint.nsortie, 2);
    assert_int_equal(seq.nsortie, 2);
    assert_false(overlap(&joint.sortie[0].rect, &joint.sortie[1].rect));
    for (int u = 0; u < 2; u++) { /* each rectangle sized to its unit's own effort */
      const sar_sortie *so = &joint.sortie[u];
      double W = u == 0 ? 0.3 * 1852 : 0.4 * 1852, L = 120 * 1852.0 / 3600 * (so->t_end - so->t_start);
      assert_float_equal(so->rect.track, L, 1e-6 * L);
      assert_float_equal(so->rect.coverage, W * L / so->rect.area, 1e-9);
      assert_float_equal(so->t_end - so->t_start, 4 * H - 2 * (so->t_start - 0.5 * H), 1e-6);
    }
    if (getenv("SAR_TEST_VERBOSE"))
      print_message("datum %d: joint %.4f, sequential %.4f\n", k, joint.pos, seq.pos);
    assert_true(joint.pos >= seq.pos);
    /* the plan's POS is that of its disjoint rectangles */
    double sum = joint.sortie[0].rect.poc * joint.sortie[0].rect.pod +
                 joint.sortie[1].rect.poc * joint.sortie[1].rect.pod;
    assert_float_equal(joint.pos, sum, 1e-9);
    arena_release(&a);
    sar_model_free(m);
    metric_set_release(&ms);
    diag_free(d);
    scn_free(sc);
  }
}

/* The optimal allocation's POS bounds every rectangle plan of the same effort, and the
 * joint plan's rectangles on a circular normal map do not overlap. */
static void joint_below_optimum(void **state) {
  (void)state;
  arena a;
  arena_init(&a, (size_t)1 << 28);
  sar_particles p;
  rng_stream r;
  rng_init(&r, 9, 0, RNG_TEST, 1);
  assert_int_equal(sar_particles_alloc(&p, &a, 20000), 0);
  sar_seed s = {.object = SCN_OBJ_PIW, .lat0 = 25, .lon0 = 125, .sigma = 8000, .count = 20000};
  sar_seed_point(&p, &s, &r);
  size_t cells = 20000;
  double *gp = malloc(cells * sizeof *gp), *ga = malloc(cells * sizeof *ga);
  double *z = malloc(cells * sizeof *z), *scr = malloc((3 * cells + 4) * sizeof *scr);
  sar_grid g;
  sar_grid_build(&g, &p, 1000, cells, gp, ga);
  double W[3] = {600, 600, 900}, L[3] = {300e3, 200e3, 250e3};
  double blat[3] = {26, 24, 25}, blon[3] = {125, 125, 127};
  sar_rect R[3];
  double pos = sar_plan_joint(R, &g, 3, W, L, blat, blon, z, scr);
  double best = sar_alloc_effort(z, g.p, g.area, g.nx * g.ny, W[0] * L[0] + W[1] * L[1] + W[2] * L[2], NULL);
  assert_true(pos > 0.5 * best && pos <= best + 1e-12);
  for (int i = 0; i < 3; i++)
    for (int j = i + 1; j < 3; j++)
      assert_false(overlap(&R[i], &R[j]));
  free(gp), free(ga), free(z), free(scr);
  arena_release(&a);
}

/* Found alive: with survival_sigma 0 a person lives exactly Hayward's time at 10 C
 * (176.7978 min); a sortie centred before it finds them alive, after it does not. */
static void found_alive_uses_temperature(void **state) {
  (void)state;
  scn_scenario *sc = load_case("at: [26.5, 126.8]", 2);
  metric_set ms;
  metric_set_init(&ms);
  diag *d = diag_new();
  sar_model *m = NULL;
  assert_int_equal(sar_model_build(&m, sc, &ms, d), 0);
  arena a;
  arena_init(&a, (size_t)1 << 30);
  sar_plan pl;
  assert_int_equal(sar_plan_case(&pl, m, 1, sc->seed, &a), 0);
  double limit = 60 * 176.7978;
  assert_float_equal(pl.water_temp, 10, 1e-12);
  assert_float_equal(pl.survival_median, limit, 0.01);
  assert_true(pl.nsortie == 4);
  double want = 0, before = 0;
  for (size_t i = 0; i < pl.nsortie; i++) {
    const sar_sortie *so = &pl.sortie[i];
    double tm = 0.5 * (so->t_start + so->t_end);
    assert_float_equal(so->p_alive, tm < limit ? 1 : 0, 0);
    want += (so->pos - before) * so->p_alive, before = so->pos;
  }
  assert_true(pl.sortie[0].p_alive == 1 && pl.sortie[3].p_alive == 0);
  assert_float_equal(pl.p_found_alive, want, 1e-12);
  assert_true(pl.p_found_alive < pl.pos);
  arena_release(&a);
  sar_model_free(m);
  metric_set_release(&ms);
  diag_free(d);
  scn_free(sc);
}

/* ---- the search obeys its plan task ------------------------------------------------ */

static const char plan_text[] =
    "scenario: {name: t, epoch: 2027-04-01T00:00Z, horizon: 30h, seed: 3, notional: true}\n"
    "theater:\n"
    "  places:\n"
    "    - {id: naha, kind: port, lat: 26.2, lon: 127.7, nation: JP}\n"
    "    - {id: sea, kind: sea_area, lat: 25.6, lon: 127.2}\n"
    "  regions:\n"
    "    - {id: box, kind: combat_area, polygon: [[25, 126.5], [26, 126.5], [26, 128], [25, 128]]}\n"
    "forces:\n"
    "  - {id: helo, nation: %s, kind: rescue_helicopter, base: naha, count: 1, speed: 120kn,\n"
    "     endurance: 4h}\n"
    "crisis:\n"
    "  events:\n"
    "    - {id: ditching, at: 2h, raises: [{signal: person_missing, at: {lat: 25.6, lon: 127.2},\n"
    "                                       object: life_raft, count: 2}]}\n"
    "    - {id: fight, at: 5h, raises: [{signal: region_active, region: box, for: 10h}]}\n"
    "situations:\n" /* JP rescue short of a contingency: on request (SDFA art. 83) */
    "  gates: [{gate: disaster_dispatch_request, at: 0h}]\n"
    "plan:\n"
    "  tasks:\n"
    "    - {id: rescue, activity: search_and_rescue, owner: JP, assets: [helo], area: sea,\n"
    "       start: ditching, delay: 1h, duration: 2d}\n"
    "sar:\n"
    "  particles: 300\n"
    "  land: false\n"
    "  position_sigma: 5nmi\n"
    "  current: {east: 0kn, north: 0kn}\n"
    "  wind: {east: 0kn, north: 0kn}\n"
    "%s"
    "  assets:\n"
    "    - {force: helo, turnaround: 30min, sweep_width: {life_raft: 0.02nmi}}\n";

/* Crisis, plan and SAR on one kernel, replication 0, as mc.c runs them: load the text,
 * build the models (every diagnostic stays in w->d for the caller to inspect), start. */
typedef struct plan_world {
  char path[64];
  diag *d;
  scn_scenario *sc;
  plan_authorities *au;
  metric_set ms;
  crisis_model *cm;
  plan_model *pm;
  sar_model *m;
  sim *s;
  arena ar;
  metric_out out;
  sar *S;
} plan_world;

static void world_open(plan_world *w, const char *text) {
  memset(w, 0, sizeof *w);
  strcpy(w->path, "/tmp/test_sar_plan_XXXXXX");
  int fd = mkstemp(w->path);
  assert_true(fd >= 0);
  close(fd);
  write_file(w->path, text);
  w->d = diag_new();
  int err = scn_load(&w->sc, w->path, mission_sections(), w->d);
  if (!err)
    err = plan_authorities_load(&w->au, SAR_TEST_TABLE, w->d);
  metric_set_init(&w->ms);
  if (!err)
    err = crisis_model_new(&w->cm, w->sc, &w->ms, w->d);
  if (!err)
    err = plan_model_new(&w->pm, w->sc, w->au, &w->ms, w->d);
  if (!err)
    err = sar_model_new_with(&w->m, w->sc, w->au, &w->ms, w->d);
  if (err)
    diag_print(w->d, stderr, 0);
  assert_int_equal(err, 0);
  w->s = sim_new();
  arena_init(&w->ar, (size_t)1 << 28);
  assert_int_equal(metric_out_init(&w->out, &w->ms, &w->ar), 0);
  assert_non_null(crisis_start(w->cm, w->s, &w->ar, &w->out, w->sc->seed, 0));
  assert_non_null(plan_start(w->pm, w->s, &w->ar, &w->out, w->sc->seed, 0));
  assert_non_null(w->S = sar_start(w->m, w->s, &w->ar, &w->out, w->sc->seed, 0));
}

static void world_close(plan_world *w) {
  sim_free(w->s);
  arena_release(&w->ar);
  sar_model_free(w->m);
  plan_model_free(w->pm);
  crisis_model_free(w->cm);
  plan_authorities_free(w->au);
  metric_set_release(&w->ms);
  scn_free(w->sc);
  diag_free(w->d);
  unlink(w->path);
}

typedef struct run_out {
  double first, effort;
  int npts;
  double t[64], v[64];
} run_out;

static void run_plan(run_out *ro, int with_task) {
  char text[4096];
  snprintf(text, sizeof text, plan_text, with_task ? "JP" : "US",
           with_task ? "  tasks: [rescue]\n" : "");
  plan_world w;
  world_open(&w, text);
  assert_int_equal(sim_run(w.s, w.sc->horizon), 0);
  sar_collect(w.S, w.s, &w.out);
  memset(ro, 0, sizeof *ro);
  ro->first = w.out.value[metric_find(&w.ms, "sar", "first_takeoff")];
  ro->effort = w.out.value[metric_find(&w.ms, "sar", "effort")];
  int ser = metric_find(&w.ms, "sar", "searching.t");
  for (size_t i = 0; i < w.out.npoints && ro->npts < 64; i++)
    if (w.out.point[i].metric == ser)
      ro->t[ro->npts] = w.out.point[i].t, ro->v[ro->npts++] = w.out.point[i].value;
  world_close(&w);
}

/* The task starts 1h after the ditching (its delay): the first take-off is then, not at
 * the report.  Combat over the task's area from 5h to 15h pauses it (peacetime search
 * and rescue is never at a combat scene): the unit on scene stops searching at 5h
 * exactly, none searches until 15h, and the search resumes after. */
static void search_follows_task(void **state) {
  (void)state;
  run_out ro;
  run_plan(&ro, 1);
  if (getenv("SAR_TEST_VERBOSE"))
    for (int i = 0; i < ro.npts; i++)
      print_message("on scene at %.4f h: %g\n", ro.t[i] / H, ro.v[i]);
  assert_float_equal(ro.first, 1 * H, 0); /* from the report at 2h */
  assert_true(ro.npts >= 4);
  assert_true(ro.v[0] == 1 && ro.t[0] > 3 * H && ro.t[0] < 4 * H); /* 3h + transit */
  int stopped = 0, resumed = 0;
  for (int i = 0; i < ro.npts; i++) {
    if (ro.t[i] == 5 * H && ro.v[i] == 0)
      stopped = 1;
    if (ro.t[i] > 5 * H && ro.t[i] < 15 * H)
      assert_true(ro.v[i] == 0); /* nobody on scene while the task is paused */
    if (ro.t[i] > 15 * H && ro.v[i] == 1)
      resumed = 1;
  }
  assert_true(stopped);
  assert_true(resumed);
  /* Without `tasks:` (possible for a US unit only: a JP one must follow a JP task) the
   * search starts at the report and does not pause for the plan (the unit still holds
   * while the datum is in combat). */
  run_plan(&ro, 0);
  assert_float_equal(ro.first, 0, 0);
}

/* ---- each case is searched under the task that covers it ------------------------------ */

/* Two ditchings far apart (A off Okinawa at 2h, B off Ishigaki at 3h) and two tasks:
 * 'rescue-a' starts on A's event (1h after it) and runs 6h (3h..9h); 'rescue-b' starts at
 * 10h, names no event, and covers B because its region holds B's datum; it runs 6h
 * (10h..16h).  A third ditching (C, far east) is covered by neither: the loader warns.
 * Two helicopters between the two. */
static const char two_text[] =
    "scenario: {name: t, epoch: 2027-04-01T00:00Z, horizon: 24h, seed: 5, notional: true}\n"
    "theater:\n"
    "  places:\n"
    "    - {id: base, kind: airfield, lat: 25.0, lon: 125.8, nation: JP}\n"
    "    - {id: sea-a, kind: sea_area, lat: 25.6, lon: 127.2}\n"
    "  regions:\n"
    "    - {id: box-b, kind: sar_area, polygon: [[24, 124], [25, 124], [25, 125], [24, 125]]}\n"
    "forces:\n"
    "  - {id: helo, nation: JP, kind: rescue_helicopter, base: base, count: 2, speed: 140kn,\n"
    "     endurance: 5h}\n"
    "crisis:\n"
    "  events:\n"
    "    - {id: ditch-a, at: 2h, raises: [{signal: person_missing, at: {lat: 25.6, lon: 127.2},\n"
    "                                      object: life_raft, count: 1}]}\n"
    "    - {id: ditch-b, at: 3h, raises: [{signal: person_missing, at: {lat: 24.5, lon: 124.5},\n"
    "                                      object: life_raft, count: 1}]}\n"
    "    - {id: ditch-c, at: 30h, raises: [{signal: person_missing, at: {lat: 30, lon: 140},\n"
    "                                      object: life_raft, count: 1}]}\n"
    "situations:\n" /* JP rescue short of a contingency: on request (SDFA art. 83) */
    "  gates: [{gate: disaster_dispatch_request, at: 0h}]\n"
    "plan:\n"
    "  tasks:\n"
    "    - {id: rescue-a, activity: search_and_rescue, owner: JP, assets: [{force: helo, count: 1}],\n"
    "       area: sea-a, start: ditch-a, delay: 1h, duration: 6h}\n"
    "    - {id: rescue-b, activity: search_and_rescue, owner: JP, assets: [{force: helo, count: 1}],\n"
    "       area: box-b, legal_area: high_seas, start: {at: 10h}, duration: 6h}\n"
    "sar:\n"
    "  particles: 300\n"
    "  land: false\n"
    "  position_sigma: 5nmi\n"
    "  current: {east: 0kn, north: 0kn}\n"
    "  wind: {east: 0kn, north: 0kn}\n"
    "  tasks: [rescue-a, rescue-b]\n"
    "  assets:\n"
    "    - {force: helo, count: 2, turnaround: 30min, sweep_width: {life_raft: 0.02nmi}}\n";

static void case_follows_its_task(void **state) {
  (void)state;
  plan_world w;
  world_open(&w, two_text);
  scn_scenario *sc = w.sc;
  diag *d = w.d;
  /* C is covered by no task: one warning, at C's raise (line 17 of the text) */
  int warned = 0;
  for (size_t i = 0; i < diag_size(d); i++) {
    const diag_entry *e = diag_at(d, i);
    if (e->severity == DIAG_WARNING && strstr(e->message, "'ditch-c'") &&
        strstr(e->message, "covered by no task"))
      warned++, assert_int_equal(e->line, 17);
    else if (e->severity == DIAG_WARNING && strstr(e->message, "covered by no task"))
      fail_msg("unexpected: %s", e->message);
  }
  assert_int_equal(warned, 1);
  const scn_sar *cfg = sc ? scn_sar_of(sc) : NULL;
  assert_non_null(cfg);
  /* the rule itself: by event (a), by region (b), neither across */
  int ea = scn_event_find(sc, "ditch-a"), eb = scn_event_find(sc, "ditch-b");
  assert_true(scn_sar_task_covers(sc, cfg, cfg->task[0], ea, 25.6, 127.2));
  assert_false(scn_sar_task_covers(sc, cfg, cfg->task[0], eb, 24.5, 124.5));
  assert_true(scn_sar_task_covers(sc, cfg, cfg->task[1], eb, 24.5, 124.5));
  assert_false(scn_sar_task_covers(sc, cfg, cfg->task[1], ea, 25.6, 127.2));
  /* and by the place within task_radius (100nmi): 90 nmi from sea-a, not by event */
  assert_true(scn_sar_task_covers(sc, cfg, cfg->task[0], -1, 25.6 + 1.5, 127.2));
  assert_false(scn_sar_task_covers(sc, cfg, cfg->task[0], -1, 25.6 + 1.7, 127.2));
  sar *S = w.S;
  assert_int_equal(sar_record_first_case(S), 0);
  assert_int_equal(sim_run(w.s, sc->horizon), 0);
  sar_collect(S, w.s, &w.out);
  const sar_grid *g;
  const sar_sortie *so;
  size_t nso = sar_first_case(S, &g, &so); /* case A's searches, times from 2h */
  assert_true(nso >= 2);
  for (size_t k = 0; k < nso; k++) { /* A only while rescue-a runs */
    if (getenv("SAR_TEST_VERBOSE"))
      print_message("A searched %.4f-%.4f h\n", so[k].t_start / H + 2, so[k].t_end / H + 2);
    assert_true(so[k].t_start + 2 * H >= 3 * H);
    assert_true(so[k].t_end + 2 * H <= 9 * H);
  }
  /* Units on scene: never more than A's searches before 9h (none go to B, whose case is
   * open from 3h), nobody from 9h to 10h, somebody (on B) after 10h, nobody after 16h. */
  int ser = metric_find(&w.ms, "sar", "searching.t"), b_searched = 0;
  for (size_t i = 0; i < w.out.npoints; i++) {
    if (w.out.point[i].metric != ser)
      continue;
    double t = w.out.point[i].t, v = w.out.point[i].value;
    if (getenv("SAR_TEST_VERBOSE"))
      print_message("on scene at %.4f h: %g\n", t / H, v);
    if (t < 9 * H) {
      int on_a = 0;
      for (size_t k = 0; k < nso; k++)
        on_a += so[k].t_start + 2 * H <= t && t <= so[k].t_end + 2 * H; /* ties: one by one */
      assert_true(v <= on_a);
    } else if (t < 10 * H || t >= 16 * H) {
      assert_true(v == 0);
    } else if (v > 0) {
      b_searched = 1;
    }
  }
  assert_true(b_searched);
  world_close(&w);
}

/* Two helicopters taking off together for one case arrive together and are planned
 * together: disjoint rectangles, not the same one twice. */
static void units_on_scene_share(void **state) {
  (void)state;
  static const char text[] =
      "scenario: {name: t, epoch: 2027-04-01T00:00Z, horizon: 12h, seed: 11, notional: true}\n"
      "theater:\n"
      "  places:\n"
      "    - {id: naha, lat: 26.2, lon: 127.7}\n"
      "forces:\n"
      "  - {id: helo, nation: JP, kind: rescue_helicopter, base: naha, count: 2, speed: 120kn,\n"
      "     endurance: 4h}\n"
      "sar:\n"
      "  particles: 3000\n"
      "  land: false\n"
      "  cell: 1km\n"
      "  position_sigma: 4nmi\n"
      "  current: {east: 0kn, north: 0kn}\n"
      "  wind: {east: 0kn, north: 0kn}\n"
      "  assets:\n"
      "    - {force: helo, sweep_width: {life_raft: 1nmi}}\n";
  char path[] = "/tmp/test_sar_share_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  write_file(path, text);
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  assert_int_equal(scn_load(&sc, path, mission_sections(), d), 0);
  metric_set ms;
  metric_set_init(&ms);
  sar_model *m = NULL;
  assert_int_equal(sar_model_build(&m, sc, &ms, d), 0);
  sim *s = sim_new();
  arena ar;
  arena_init(&ar, (size_t)1 << 28);
  metric_out out;
  assert_int_equal(metric_out_init(&out, &ms, &ar), 0);
  sar *S = sar_start(m, s, &ar, &out, sc->seed, 0);
  assert_non_null(S);
  assert_int_equal(sar_record_first_case(S), 0);
  sim_signal sig = {.type = SIG_PERSON_MISSING, .source = -1, .object = SCN_OBJ_RAFT,
                    .count = 1, .lat = 25.8, .lon = 127.3};
  sim_publish(s, &sig);
  assert_int_equal(sim_run(s, sc->horizon), 0);
  const sar_grid *g;
  const sar_sortie *so;
  size_t n = sar_first_case(S, &g, &so);
  assert_non_null(g);
  assert_true(n >= 2);
  assert_true(so[1].t_start < so[0].t_end); /* both on scene together */
  {
    const sar_rect *a = &so[0].rect, *b = &so[1].rect;
    double ow = fmax(0, fmin(a->lon_max, b->lon_max) - fmax(a->lon_min, b->lon_min));
    double oh = fmax(0, fmin(a->lat_max, b->lat_max) - fmax(a->lat_min, b->lat_min));
    double aa = (a->lon_max - a->lon_min) * (a->lat_max - a->lat_min);
    if (getenv("SAR_TEST_VERBOSE"))
      print_message("overlap %.3f of the first rectangle\n", ow * oh / aa);
    assert_true(ow * oh == 0);
  }
  sim_free(s);
  arena_release(&ar);
  sar_model_free(m);
  metric_set_release(&ms);
  scn_free(sc);
  diag_free(d);
  unlink(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(hayward_by_hand),
      cmocka_unit_test(joint_beats_sequential),
      cmocka_unit_test(joint_below_optimum),
      cmocka_unit_test(found_alive_uses_temperature),
      cmocka_unit_test(search_follows_task),
      cmocka_unit_test(case_follows_its_task),
      cmocka_unit_test(units_on_scene_share),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
