/* test_sar_periods.c - the standalone plan over several search periods and with search
 * patterns, against what follows exactly from its definition: a two-period search is
 * the Bayesian update of the first (the posterior recomputed here, particle by
 * particle, from the two periods' areas and PODs); the stop rule; a pattern's time on
 * scene is its track at the unit's speed and its spacing the sweep width over the
 * coverage; survival counted at the pickup, not the detection; and a survival draw
 * that is no time fails a Monte Carlo replication blamed where it was given (issue 21). */
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
#include "diag.h"
#include "err.h"
#include "metric.h"
#include "ops.h"
#include "sar.h"
#include "scenario.h"
#include "scn_sar.h"
#include "sim.h"

#define NMI 1852.0
#define KN (1852.0 / 3600)

/* case: %s (extra case keys), sorties %d; units: %s (the first unit's extra keys). */
static const char case_text[] =
    "case:\n"
    "  reported: 2027-03-10T06:30Z\n"
    "  seed: 11\n"
    "  object: piw\n"
    "  persons: 1\n"
    "  at: [26.5, 126.8]\n"
    "  %s\n"
    "  sorties: %d\n"
    "search:\n"
    "  particles: 4000\n"
    "  time_step: 15min\n"
    "  position_sigma: 3nmi\n"
    "  cell: 1km\n"
    "  land: false\n"
    "  current: {east: 0.5kn, north: 0.2kn}\n"
    "  wind: {east: 0kn, north: -12kn}\n"
    "  water_temperature: 10C\n"
    "  survival_sigma: 0\n"
    "units:\n"
    "  - {id: a, base: [26.0, 126.0], speed: 120kn, endurance: 4h,\n"
    "     response: 30min, sweep_width: {piw: 0.3nmi}%s}\n"
    "  - {id: b, base: [27.0, 127.5], speed: 120kn, endurance: 4h,\n"
    "     response: 30min, turnaround: 30min, sweep_width: {piw: 0.4nmi}}\n";

typedef struct planned {
  scn_scenario *sc;
  sar_model *m;
  metric_set ms;
  arena a;
  sar_plan pl;
} planned;

static void plan_open(planned *P, const char *case_keys, int sorties, const char *unit_keys,
                      int joint) {
  char text[4096], path[] = "/tmp/test_sar_periods_XXXXXX";
  snprintf(text, sizeof text, case_text, case_keys, sorties, unit_keys);
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
  close(fd);
  diag *d = diag_new();
  int err = scn_sar_case_load(&P->sc, path, NULL, d);
  if (err) diag_print(d, stderr, 0);
  assert_int_equal(err, 0);
  unlink(path);
  metric_set_init(&P->ms);
  assert_int_equal(sar_model_build(&P->m, P->sc, &P->ms, d), 0);
  diag_free(d);
  arena_init(&P->a, (size_t)1 << 30);
  assert_int_equal(sar_plan_case(&P->pl, P->m, joint, P->sc->seed, &P->a), 0);
}

static void plan_close(planned *P) {
  arena_release(&P->a);
  sar_model_free(P->m);
  metric_set_release(&P->ms);
  scn_free(P->sc);
}

/* Two periods: the first is the one-period plan's, and the posterior after both is the
 * prior times, for each search, (1 - POD) where the particle lay in its area when it was
 * searched (the first period's positions from the one-period plan, the second's from
 * the two-period plan), renormalised; the cumulative POS is the mass removed. */
static void two_periods_are_bayes(void **state) {
  (void)state;
  for (int joint = 0; joint < 2; joint++) {
    planned one, two;
    plan_open(&one, "name: periods", 1, "", joint);
    plan_open(&two, "name: periods", 2, "", joint);
    assert_int_equal(two.pl.nwave, 2);
    size_t n1 = one.pl.nsortie;
    assert_true(n1 >= 1 && two.pl.nsortie > n1);
    for (size_t i = 0; i < n1; i++) { /* the first period unchanged */
      assert_memory_equal(&one.pl.sortie[i].rect, &two.pl.sortie[i].rect, sizeof(sar_rect));
      assert_true(one.pl.sortie[i].pos == two.pl.sortie[i].pos);
    }
    const sar_particles *p1 = &one.pl.p, *p2 = &two.pl.p;
    assert_int_equal(p1->n, p2->n);
    double mass = 0, *w = malloc(p1->n * sizeof *w);
    assert_non_null(w);
    for (size_t i = 0; i < p1->n; i++) {
      w[i] = 1.0 / (double)p1->n;
      for (size_t k = 0; k < two.pl.nsortie; k++) {
        const sar_sortie *so = &two.pl.sortie[k];
        const sar_particles *at = so->wave == 0 ? p1 : p2;
        if (sar_rect_contains(&so->rect, at->lat[i], at->lon[i])) w[i] *= 1 - so->rect.pod;
      }
      mass += w[i];
    }
    for (size_t i = 0; i < p1->n; i++)
      if (fabs(w[i] / mass - p2->w[i]) > 1e-12 * fmax(1e-6, p2->w[i])) {
        print_error("particle %zu: %.17g, want %.17g\n", i, p2->w[i], w[i] / mass);
        fail();
      }
    assert_float_equal(two.pl.pos, 1 - mass, 1e-12);
    assert_float_equal(two.pl.wave[1].pos_cum, two.pl.pos, 0);
    assert_float_equal(1 - (1 - two.pl.wave[0].pos) * (1 - two.pl.wave[1].pos), two.pl.pos, 1e-12);
    free(w);
    plan_close(&one);
    plan_close(&two);
  }
}

/* The stop rule: at 10 C a person lives 176.8 min (survival_sigma 0); with
 * p_alive_below 0.5 no period after that is searched, and with pos_above the search
 * stops once the cumulative POS reached it. */
static void stop_rule(void **state) {
  (void)state;
  planned P;
  plan_open(&P, "stop: {p_alive_below: 0.5}", 5, "", 1);
  assert_int_equal(P.pl.stopped, 1);
  assert_true(P.pl.nwave >= 1 && P.pl.nwave < 5);
  for (size_t w = 0; w < P.pl.nwave; w++) assert_true(P.pl.wave[w].p_alive >= 0.5);
  plan_close(&P);
  plan_open(&P, "stop: {pos_above: 0.2}", 5, "", 1);
  assert_int_equal(P.pl.stopped, 2);
  assert_true(P.pl.wave[P.pl.nwave - 1].pos_cum >= 0.2);
  for (size_t w = 0; w + 1 < P.pl.nwave; w++) assert_true(P.pl.wave[w].pos_cum < 0.2);
  plan_close(&P);
}

/* A pattern flown in a case: its time on scene is its track at the unit's speed, within
 * the time the unit has; PS, CS and SS space their legs W / C; the POD follows the
 * detection model; the POC is the particles' weight in its area. */
static void patterns_in_a_case(void **state) {
  (void)state;
  static const char *const keys[] = {
      ", pattern: parallel, coverage: 1.5", ", pattern: creeping, coverage: 0.8",
      ", pattern: square, coverage: 1, detection: definite", ", pattern: sector, spacing: 2nmi",
      ", pattern: parallel, spacing: 0.25nmi, detection: inverse_cube"};
  const double C[] = {1.5, 0.8, 1, 0, 0.3 / 0.25};
  for (int k = 0; k < 5; k++) {
    planned P;
    plan_open(&P, "name: periods", 1, keys[k], 0);
    const sar_sortie *so = &P.pl.sortie[0];
    assert_int_equal(so->asset, 0);
    double W = 0.3 * NMI, v = 120 * KN, on = so->t_end - so->t_start;
    assert_int_equal(so->pattern.kind, k == 3   ? SAR_PATTERN_SECTOR
                                       : k == 2 ? SAR_PATTERN_SQUARE
                                       : k == 1 ? SAR_PATTERN_CREEPING
                                                : SAR_PATTERN_PARALLEL);
    assert_float_equal(on, so->rect.track / v, 1e-9);
    assert_true(so->t_end <= 1800 + 4 * 3600 - (so->t_start - 1800) + 1e-6); /* home in time */
    if (k == 3) {
      assert_float_equal(so->rect.radius, 2 * NMI, 1e-9);
      assert_float_equal(so->rect.track, 9 * 2 * NMI * so->pattern.passes, 1e-6);
    } else {
      assert_float_equal(so->rect.spacing, W / C[k], 1e-9);
      assert_float_equal(so->rect.coverage, C[k], 1e-12);
      assert_float_equal(so->rect.track,
                         sar_pattern_track(so->pattern.kind, so->rect.area, so->rect.spacing),
                         1e-6);
    }
    int det = k == 2 ? SAR_DETECT_DEFINITE : k == 4 ? SAR_DETECT_INVERSE_CUBE : SAR_DETECT_RANDOM;
    assert_float_equal(so->rect.pod, sar_pod(det, so->rect.coverage), 1e-15);
    assert_float_equal(so->pos, so->rect.poc * so->rect.pod, 1e-12); /* the first search */
    plan_close(&P);
  }
}

/* Survival counts at the pickup: at 10 C a person lives 176.8 min; a unit whose search
 * is centred before that but whose recovery takes 2 h finds them alive with probability
 * 0, the same unit with no recovery time with probability 1. */
static void pickup_counts(void **state) {
  (void)state;
  double limit = 60 * 176.7978;
  for (int rec = 0; rec < 2; rec++) {
    planned P;
    plan_open(&P, "name: periods", 1, rec ? ", recovery: 2h" : "", 0);
    const sar_sortie *so = &P.pl.sortie[0];
    double tm = 0.5 * (so->t_start + so->t_end);
    assert_true(tm < limit && tm + 7200 > limit);
    assert_float_equal(so->p_alive, rec ? 0 : 1, 0);
    plan_close(&P);
  }
}

/* ---- a Monte Carlo replication ------------------------------------------------- */

static const char mc_yaml[] =
    "scenario: {name: sar blame, epoch: 2027-04-01T00:00Z, horizon: 1d, seed: 7, notional: true}\n"
    "theater:\n"
    "  places:\n"
    "    - {id: naha, lat: 26.2124, lon: 127.6792}\n"
    "forces:\n"
    "  - {id: helo, nation: US, kind: helicopter, base: naha, count: 1, speed: 120kn,\n"
    "     endurance: 4h}\n"
    "sar:\n"
    "  particles: 500\n"
    "  land: false\n"
    "  survival: {life_raft: 10h}\n"
    "  %s\n"
    "  assets:\n"
    "    - {force: helo, response: 30min, %s}\n";

typedef struct mc_case {
  scn_scenario *sc;
  sar_model *m;
  metric_set ms;
  sim *s;
  arena a;
  metric_out out;
  sar *S;
  char path[64];
} mc_case;

static void mc_open_with(mc_case *M, const char *section_keys, const char *asset_keys,
                         uint32_t rep) {
  char text[4096];
  snprintf(text, sizeof text, mc_yaml, section_keys, asset_keys);
  snprintf(M->path, sizeof M->path, "/tmp/test_sar_mc_XXXXXX");
  int fd = mkstemp(M->path);
  assert_true(fd >= 0);
  assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
  close(fd);
  static scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  diag *d = diag_new();
  int err = scn_load(&M->sc, M->path, &opt, d);
  if (err) diag_print(d, stderr, 0);
  assert_int_equal(err, 0);
  metric_set_init(&M->ms);
  assert_int_equal(sar_model_build(&M->m, M->sc, &M->ms, d), 0);
  diag_free(d);
  M->s = sim_new();
  arena_init(&M->a, (size_t)1 << 27);
  assert_int_equal(metric_out_init(&M->out, &M->ms, &M->a), 0);
  M->S = sar_start(M->m, M->s, &M->a, &M->out, M->sc->seed, rep);
  assert_non_null(M->S);
}

/* The asset sees a raft 4 nmi wide. */
static void mc_open(mc_case *M, const char *asset_keys, uint32_t rep) {
  char keys[256];
  snprintf(keys, sizeof keys, "sweep_width: {life_raft: 4nmi}, %s", asset_keys);
  mc_open_with(M, "max_cases: 4", keys, rep);
}

static void mc_missing(mc_case *M) {
  sim_signal sig = {.type = SIG_PERSON_MISSING,
                    .source = -1,
                    .object = SCN_OBJ_RAFT,
                    .count = 2,
                    .lat = 26.0,
                    .lon = 127.2};
  sim_publish(M->s, &sig);
}

static void mc_close(mc_case *M) {
  sim_free(M->s);
  arena_release(&M->a);
  sar_model_free(M->m);
  metric_set_release(&M->ms);
  scn_free(M->sc);
  unlink(M->path);
}

/* A survival draw that is no time (NaN: put in behind the loader's back, as a
 * distribution it cannot bound would give) fails the replication with its blame at the
 * `survival:` entry: line 11, the value's column. */
static void survival_draw_blamed(void **state) {
  (void)state;
  mc_case M;
  mc_open(&M, "turnaround: 1h", 0);
  scn_sar *cfg = (scn_sar *)scn_sar_of(M.sc); /* the test's own copy */
  cfg->survival[SCN_OBJ_RAFT] = (dist){DIST_LOGNORMAL, log(36000.0), NAN, 0, NULL, 0};
  mc_missing(&M);
  assert_int_equal(sim_error(M.s), ERR_RANGE);
  const sim_blame *b = sim_error_blame(M.s);
  assert_non_null(b);
  assert_string_equal(b->file, M.path);
  assert_int_equal(b->line, 11);
  assert_int_equal(b->col, (int)strlen("  survival: {life_raft: ") + 1);
  assert_string_equal(b->id, "life_raft");
  assert_true(isnan(b->value));
  assert_non_null(strstr(b->what, "survival"));
  mc_close(&M);
}

/* Trace lines by kind: opens, takes off, searches, ends (unsuccessful), locates. */
typedef struct trace_count {
  int opens, takeoffs, searches, ends, finds;
  char last_find[256];
} trace_count;

static void count_line(void *ctx, double t, const char *module, const char *text) {
  trace_count *c = ctx;
  (void)t;
  assert_string_equal(module, "sar");
  c->opens += strstr(text, " opens: ") != NULL;
  c->takeoffs += strstr(text, " takes off for case ") != NULL;
  c->searches += strstr(text, " searches case ") != NULL;
  c->ends += strstr(text, " unsuccessful: ") != NULL;
  if (strstr(text, " locates case "))
    c->finds++, snprintf(c->last_find, sizeof c->last_find, "%s", text);
}

/* In a replication too the persons' survival is counted at the pickup: with a recovery
 * longer than anyone survives (`survival` 10 h exactly), nobody found is found alive,
 * where without it those found are. */
static void mc_pickup(void **state) {
  (void)state;
  int found[2] = {0, 0}, alive[2] = {0, 0};
  trace_count tc = {0};
  ops_trace tr = {&tc, count_line};
  for (int rec = 0; rec < 2; rec++)
    for (uint32_t rep = 0; rep < 20; rep++) {
      mc_case M;
      mc_open(&M, rec ? "recovery: 1000h" : "recovery: 0s", rep);
      if (rec) sar_trace(M.S, &tr); /* straits trace's lines, one replication after another */
      mc_missing(&M);
      assert_int_equal(sim_run(M.s, M.sc->horizon), 0);
      sar_collect(M.S, M.s, &M.out);
      found[rec] += (int)M.out.value[metric_find(&M.ms, "sar", "persons.found")];
      alive[rec] += (int)M.out.value[metric_find(&M.ms, "sar", "persons.found_alive")];
      mc_close(&M);
    }
  assert_true(found[0] > 10 && found[0] == found[1]); /* the same finds */
  assert_true(alive[0] > 0);
  assert_int_equal(alive[1], 0);
  /* every case opened, every sortie took off and searched, and ended or found */
  assert_int_equal(tc.opens, 20);
  assert_true(tc.takeoffs >= 20 && tc.searches == tc.takeoffs);
  assert_int_equal(tc.ends + tc.finds, tc.searches);
  assert_int_equal(tc.finds, found[1] / 2);
  assert_non_null(strstr(tc.last_find, "picked up 60000 min later: 0 of 2 alive"));
}

/* A pattern in a replication: each search is the expanding square at coverage 1 about
 * the datum, its POD 1 - e^-1 (random search), as the trace reports it. */
typedef struct pattern_lines {
  int searches, square;
} pattern_lines;

static void pattern_line(void *ctx, double t, const char *module, const char *text) {
  pattern_lines *c = ctx;
  (void)t, (void)module;
  if (!strstr(text, " searches case ")) return;
  c->searches++;
  c->square +=
      strstr(text, ": square, ") && strstr(text, "coverage 1.000") && strstr(text, "POD 0.632");
}

static void mc_pattern(void **state) {
  (void)state;
  pattern_lines pl = {0};
  ops_trace tr = {&pl, pattern_line};
  int found = 0;
  for (uint32_t rep = 0; rep < 10; rep++) {
    mc_case M;
    mc_open(&M, "pattern: square, coverage: 1", rep);
    sar_trace(M.S, &tr);
    mc_missing(&M);
    assert_int_equal(sim_run(M.s, M.sc->horizon), 0);
    sar_collect(M.S, M.s, &M.out);
    found += M.out.value[metric_find(&M.ms, "sar", "persons.found")] > 0;
    mc_close(&M);
  }
  assert_true(pl.searches >= 10);
  assert_int_equal(pl.square, pl.searches);
  assert_true(found > 0);
}

/* Nested passes in a replication: every search flies its four passes (three "then pass"
 * lines per search), finds happen, and the POS stays a probability. */
typedef struct layer_lines {
  int searches, passes;
} layer_lines;

static void layer_line(void *ctx, double t, const char *module, const char *text) {
  layer_lines *c = ctx;
  (void)t, (void)module;
  c->searches += strstr(text, " searches case ") != NULL;
  c->passes += strstr(text, " then pass ") != NULL;
}

static void mc_layers(void **state) {
  (void)state;
  layer_lines ll = {0};
  ops_trace tr = {&ll, layer_line};
  int found = 0;
  for (uint32_t rep = 0; rep < 10; rep++) {
    mc_case M;
    mc_open(&M, "layers: 4", rep);
    sar_trace(M.S, &tr);
    mc_missing(&M);
    assert_int_equal(sim_run(M.s, M.sc->horizon), 0);
    sar_collect(M.S, M.s, &M.out);
    found += M.out.value[metric_find(&M.ms, "sar", "persons.found")] > 0;
    double pos = M.out.value[metric_find(&M.ms, "sar", "pos")];
    assert_true(pos >= 0 && pos <= 1);
    mc_close(&M);
  }
  assert_true(ll.searches >= 10);
  assert_int_equal(ll.passes, 3 * ll.searches);
  assert_true(found > 0);
}

/* The stop rule in replications: with `stop: {pos_above: 0.1}` no sortie takes off
 * once the case's cumulative POS reached 0.1 (fewer sorties than without it, and every
 * case that was called off had reached it); with p_alive_below, none after the
 * persons' survival (10 h exactly) has passed. */
typedef struct stop_lines {
  int called_off;
  double last_takeoff;
  double pos_at_stop_min;
} stop_lines;

static void stop_line(void *ctx, double t, const char *module, const char *text) {
  stop_lines *c = ctx;
  (void)module;
  const char *p = strstr(text, "called off: cumulative POS ");
  if (p) {
    c->called_off++;
    double pos = atof(p + strlen("called off: cumulative POS "));
    c->pos_at_stop_min = fmin(c->pos_at_stop_min, pos);
  }
  if (strstr(text, " takes off ")) c->last_takeoff = fmax(c->last_takeoff, t);
}

static void mc_stop_rule(void **state) {
  (void)state;
  int sorties[2] = {0, 0};
  stop_lines sl = {0, 0, 1};
  ops_trace tr = {&sl, stop_line};
  for (int stop = 0; stop < 2; stop++)
    for (uint32_t rep = 0; rep < 10; rep++) {
      mc_case M;
      mc_open_with(
          &M, stop ? "position_sigma: 20nmi\n  stop: {pos_above: 0.1}" : "position_sigma: 20nmi",
          "sweep_width: {life_raft: 0.2nmi}, turnaround: 30min", rep);
      if (stop) sar_trace(M.S, &tr);
      mc_missing(&M);
      assert_int_equal(sim_run(M.s, M.sc->horizon), 0);
      sar_collect(M.S, M.s, &M.out);
      sorties[stop] += (int)M.out.value[metric_find(&M.ms, "sar", "sorties")];
      mc_close(&M);
    }
  assert_true(sl.called_off > 0);
  assert_true(sl.pos_at_stop_min >= 0.1);
  assert_true(sorties[1] < sorties[0]);
  /* P(alive): the raft's persons live 10 h exactly; nothing takes off after that */
  stop_lines al = {0, 0, 1};
  ops_trace ta = {&al, stop_line};
  for (uint32_t rep = 0; rep < 5; rep++) {
    mc_case M;
    mc_open_with(&M, "position_sigma: 20nmi\n  stop: {p_alive_below: 0.5}",
                 "sweep_width: {life_raft: 0.2nmi}, turnaround: 30min", rep);
    sar_trace(M.S, &ta);
    mc_missing(&M);
    assert_int_equal(sim_run(M.s, M.sc->horizon), 0);
    mc_close(&M);
  }
  assert_true(al.last_takeoff > 0 && al.last_takeoff <= 10 * 3600);
  /* without the rule the same units fly on past 10 h */
  stop_lines on = {0, 0, 1};
  ops_trace tn = {&on, stop_line};
  for (uint32_t rep = 0; rep < 5; rep++) {
    mc_case M;
    mc_open_with(&M, "position_sigma: 20nmi", "sweep_width: {life_raft: 0.2nmi}, turnaround: 30min",
                 rep);
    sar_trace(M.S, &tn);
    mc_missing(&M);
    assert_int_equal(sim_run(M.s, M.sc->horizon), 0);
    mc_close(&M);
  }
  assert_true(on.last_takeoff > 10 * 3600);
}

/* The first case's alive.t series: 1 when the case opens (the persons go missing at
 * t = 0, sim_publish before the run), then a step at each person's death -- both
 * survive 10 h exactly here, so 0 at 10 h -- unless the case was found first, and no
 * point after a find.  Hard to find (sigma 20 nmi), so some replications show the step. */
static void mc_alive_series(void **state) {
  (void)state;
  int steps = 0;
  for (uint32_t rep = 0; rep < 8; rep++) {
    mc_case M;
    mc_open_with(&M, "position_sigma: 20nmi", "sweep_width: {life_raft: 0.2nmi}, turnaround: 30min",
                 rep);
    mc_missing(&M);
    assert_int_equal(sim_run(M.s, M.sc->horizon), 0);
    sar_collect(M.S, M.s, &M.out);
    int m = metric_find(&M.ms, "sar", "alive.t");
    assert_true(m >= 0);
    double ttl = M.out.value[metric_find(&M.ms, "sar", "time_to_locate")];
    int n = 0;
    for (size_t i = 0; i < M.out.npoints; i++) {
      const metric_point *pt = &M.out.point[i];
      if (pt->metric != m) continue;
      if (n++ == 0) {
        assert_float_equal(pt->t, 0, 0);
        assert_float_equal(pt->value, 1, 0);
      } else {
        assert_float_equal(pt->t, 10 * 3600, 1e-6); /* a death, nothing else */
        assert_float_equal(pt->value, 0, 0);
        assert_false(ttl < 10 * 3600); /* never after the persons were found */
        steps++;
      }
    }
    assert_true(n >= 1);
    if (ttl < 10 * 3600) assert_int_equal(n, 1);
    mc_close(&M);
  }
  assert_true(steps > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(mc_alive_series),
      cmocka_unit_test(two_periods_are_bayes),
      cmocka_unit_test(stop_rule),
      cmocka_unit_test(patterns_in_a_case),
      cmocka_unit_test(pickup_counts),
      cmocka_unit_test(survival_draw_blamed),
      cmocka_unit_test(mc_pickup),
      cmocka_unit_test(mc_pattern),
      cmocka_unit_test(mc_layers),
      cmocka_unit_test(mc_stop_rule),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
