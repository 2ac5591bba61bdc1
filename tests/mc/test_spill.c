/* test_spill.c - the spillover analysis read back from a store agrees with the
 * replications that produced it: curves against the per-replication times, Wilson
 * bounds against a hand computation, paths against the event times; the paths built
 * from the sequence mc_spill_read keeps (one scan of the store for every territory)
 * agree with paths built here straight from the store's series, for each territory in
 * any order; and the whole-run facts a split carries for showing it (typical size,
 * range, 0/1: MC_SPILL_SHOWN) agree with the values, and are left out without that
 * flag; the lists of reached replications hold exactly the store's non-NaN first
 * times, in replication order. */
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

#include "diag.h"
#include "err.h"
#include "mc.h"
#include "mc_spill.h"
#include "scenario.h"
#include "store.h"
#include "ops.h"

/* The scenario of every test here: Okinawa is reached when a strike closes Naha, the
 * Senkakus by the islands level, whose rate triples after `tension`, the event that also
 * starts the helicopter's watch. The arguments add a territory and the steps to it. */
#define SPILL_SCENARIO(name, seed, region, level, from_calm, to_strikes)                         \
  "scenario: {name: " name ", epoch: 2027-04-01T00:00Z, horizon: 20d, seed: " seed ",\n"         \
  "           notional: true}\n"                                                                 \
  "theater:\n"                                                                                   \
  "  places:\n"                                                                                  \
  "    - {id: naha, lat: 26.2124, lon: 127.6792}\n"                                              \
  "  regions:\n"                                                                                 \
  "    - {id: okinawa, kind: territory, polygon: [[27.0, 127.0], [27.0, 128.5], [25.8, 128.5],"  \
  " [25.8, 127.0]]}\n"                                                                           \
  "    - {id: senkaku, kind: territory, polygon: [[25.6, 123.3], [26.0, 123.3], [26.0, 123.8],"  \
  " [25.6, 123.8]]}\n" region                                                                    \
  "crisis:\n"                                                                                    \
  "  events:\n"                                                                                  \
  "    - {id: tension, at: 1d, p: 0.5}\n"                                                        \
  "    - {id: strike, raises: [{signal: site_closed, place: naha, for: 1d}]}\n"                  \
  "  escalation:\n"                                                                              \
  "    levels:\n"                                                                                \
  "      - {id: calm}\n"                                                                         \
  "      - {id: islands, reaches: [senkaku]}\n" level                                            \
  "      - {id: strikes, occurs: [strike]}\n"                                                    \
  "    transitions:\n"                                                                           \
  "      - {from: calm, to: islands, rate: 0.1/d, multipliers: [{after: tension, factor: 3}]}\n" \
  from_calm                                                                                      \
  "      - {from: islands, to: strikes, rate: 0.2/d}\n" to_strikes                               \
  "forces:\n"                                                                                    \
  "  - {id: helo, nation: JP, kind: rescue_helicopter, base: naha, count: 1}\n"                  \
  "situations:\n" /* JP rescue short of a contingency: on request (SDFA art. 83) */           \
  "  gates: [{gate: disaster_dispatch_request, at: 0h}]\n"                                       \
  "plan:\n"                                                                                      \
  "  tasks:\n"                                                                                   \
  "    - {id: watch, activity: search_and_rescue, owner: JP, assets: [helo], area: naha,\n"      \
  "       legal_area: japan_territory, start: tension, duration: 1d}\n"

/* Two territories; the Senkakus always come first. */
static const char scenario[] = SPILL_SCENARIO("spill test", "11", "", "", "", "");

/* Three territories reached by different steps, so each has its own paths. */
static const char scenario3[] = SPILL_SCENARIO(
    "spill memory test", "5",
    "    - {id: kyushu, kind: territory, polygon: [[33.9, 129.5], [33.9, 132.0], [31.0, 132.0],"
    " [31.0, 129.5]]}\n",
    "      - {id: mainland, reaches: [kyushu]}\n",
    "      - {from: calm, to: mainland, rate: 0.02/d}\n",
    "      - {from: mainland, to: strikes, rate: 0.1/d}\n");

/* ---- one run of an inline scenario into a fresh store ---------------------------- */

/* What a test reads back. Held in cmocka's state so that spill_cleanup removes the
 * files even when an assertion ends the test early. */
typedef struct spill_fixture {
  char yaml[32], db[40];
  diag *d;
  scn_scenario *sc;
  store *st;
  mc_result *res;
} spill_fixture;

/* Writes text to a temporary file, loads it, opens a store beside it and runs
 * replications on threads into it; the scenario file is gone once loaded. */
static spill_fixture *spill_run(void **state, const char *text, int replications,
                                int threads) {
  spill_fixture *fx = calloc(1, sizeof *fx);
  assert_non_null(fx);
  *state = fx;
  snprintf(fx->yaml, sizeof fx->yaml, "/tmp/test_spill_XXXXXX");
  int fd = mkstemp(fx->yaml);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  snprintf(fx->db, sizeof fx->db, "%s.db", fx->yaml);
  fx->d = diag_new();
  scn_load_options lo = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&lo);
  if (scn_load(&fx->sc, fx->yaml, &lo, fx->d)) diag_print(fx->d, stderr, 0);
  unlink(fx->yaml);
  assert_non_null(fx->sc);
  assert_int_equal(store_open(&fx->st, fx->db, fx->d), 0);
  mc_options opt = MC_OPTIONS_INIT;
  opt.replications = replications;
  opt.threads = threads;
  if (mc_run(&fx->res, fx->sc, &opt, fx->st, fx->d)) diag_print(fx->d, stderr, 0);
  assert_non_null(fx->res);
  return fx;
}

/* Teardown of every test that called spill_run: frees the run, removes the store. */
static int spill_cleanup(void **state) {
  spill_fixture *fx = *state;
  if (!fx) return 0;
  mc_result_free(fx->res);
  store_close(fx->st);
  scn_free(fx->sc);
  diag_free(fx->d);
  if (fx->db[0]) {
    char aux[48];
    unlink(fx->db);
    snprintf(aux, sizeof aux, "%s-wal", fx->db), unlink(aux);
    snprintf(aux, sizeof aux, "%s-shm", fx->db), unlink(aux);
  }
  free(fx);
  *state = NULL;
  return 0;
}

/* Territory t's first times as a column of s->nrep (NaN: never reached), from its
 * list of reached replications; the caller frees it. */
static double *dense_times(const mc_spill *s, size_t t) {
  double *x = malloc((s->nrep + 1) * sizeof *x);
  assert_non_null(x);
  for (size_t r = 0; r < s->nrep; r++) x[r] = NAN;
  const mc_spill_reached *l = &s->reached[t];
  for (size_t i = 0; i < l->n; i++) {
    assert_true(l->rep[i] < s->nrep);
    x[l->rep[i]] = l->time[i];
  }
  return x;
}

/* ---- the paths, built here from the store ---------------------------------------- */

typedef struct ref_acc {
  const mc_spill *s;
  const double *first;
  char **text; /* [nrep] */
} ref_acc;

static int ref_point(void *ctx, int rep, double t, double value) {
  ref_acc *a = ctx;
  if (rep < 0 || (size_t)rep >= a->s->nrep || isnan(a->first[rep]) || t > a->first[rep])
    return 0;
  char id[256];
  snprintf(id, sizeof id, "%s", a->s->ms.def[(size_t)value].name);
  size_t n = strlen(id);
  if (n > 5 && strcmp(id + n - 5, ".time") == 0) id[n - 5] = 0;
  size_t old = a->text[rep] ? strlen(a->text[rep]) : 0;
  a->text[rep] = realloc(a->text[rep], old + strlen(id) + 4);
  assert_non_null(a->text[rep]);
  sprintf(a->text[rep] + old, "%s%s", old ? " > " : "", id);
  return 0;
}

/* Every replication that reached territory t has its path among s's, and the counts
 * add up: s's paths are exactly the tally of the reference paths. */
static void assert_paths_match(const mc_spill *s, store *st, size_t t) {
  int seq = metric_find(&s->ms, "spillover", "sequence");
  assert_true(seq >= 0);
  double *first = dense_times(s, t);
  ref_acc a = {s, first, calloc(s->nrep, sizeof(char *))};
  assert_non_null(a.text);
  assert_int_equal(store_series_each(st, s->run_id, seq, s->nrep, ref_point, &a), 0);
  int reached = 0;
  for (size_t r = 0; r < s->nrep; r++) {
    if (isnan(a.first[r])) continue;
    reached++;
    const char *want = a.text[r] ? a.text[r] : "(no event)";
    int count = 0;
    for (size_t r2 = 0; r2 < s->nrep; r2++)
      if (!isnan(a.first[r2]) && strcmp(a.text[r2] ? a.text[r2] : "(no event)", want) == 0)
        count++;
    size_t i = 0;
    while (i < s->npath && strcmp(s->path[i].text, want) != 0) i++;
    if (i == s->npath) fail_msg("territory %zu: no path '%s'", t, want);
    assert_int_equal(s->path[i].count, count);
  }
  int total = 0;
  for (size_t i = 0; i < s->npath; i++) {
    total += s->path[i].count;
    assert_true(fabs(s->path[i].share - (double)s->path[i].count / reached) < 1e-12);
    if (i) assert_true(s->path[i].count < s->path[i - 1].count ||
                       (s->path[i].count == s->path[i - 1].count &&
                        strcmp(s->path[i - 1].text, s->path[i].text) < 0));
  }
  assert_int_equal(total, reached);
  for (size_t r = 0; r < s->nrep; r++) free(a.text[r]);
  free(a.text), free(first);
}

static void wilson_by_hand(void **state) {
  (void)state;
  double lo, hi;
  mc_wilson(10, 100, 1.96, &lo, &hi); /* 0.1: (0.0552, 0.1744) */
  assert_true(fabs(lo - 0.05522) < 1e-4 && fabs(hi - 0.17437) < 1e-4);
  mc_wilson(0, 50, 1.96, &lo, &hi); /* zero successes: [0, z^2/(n+z^2)] */
  assert_true(lo == 0 && fabs(hi - 3.8416 / 53.8416) < 1e-9);
  /* Three of four replications reached, at 1, 3 and 2; the fourth never was. */
  double t[3] = {1, 3, 2}, grid[3] = {0.5, 2, 10}, p[3], l[3], h[3];
  mc_spill_curve(t, 3, 4, grid, 3, 1.96, p, l, h);
  assert_true(p[0] == 0 && p[1] == 0.5 && p[2] == 0.75);
  mc_wilson(3, 4, 1.96, &lo, &hi);
  assert_true(l[2] == lo && h[2] == hi);
  mc_spill_curve(t, 0, 0, grid, 1, 1.96, p, l, h); /* no replication: unknown */
  assert_true(isnan(p[0]) && l[0] == 0 && h[0] == 1);
}

static void store_analysis_matches_replications(void **state) {
  spill_fixture *fx = spill_run(state, scenario, 400, 2);
  scn_scenario *sc = fx->sc;
  store *st = fx->st;
  mc_result *res = fx->res;
  diag *d = fx->d;

  mc_spill s;
  assert_int_equal(mc_spill_read(&s, st, -1, 0, d), 0);
  assert_int_equal(s.nrep, 400);
  assert_int_equal(s.nterr, 2);
  assert_string_equal(s.terr[0], "okinawa");
  assert_string_equal(s.terr[1], "senkaku");
  assert_true(s.horizon == sc->horizon);
  /* "any" is the earlier of the two; senkaku always comes first here (islands
   * before strikes). */
  int spilled = 0, counted = 0;
  double *okt = dense_times(&s, 0), *skt = dense_times(&s, 1), *anyt = dense_times(&s, 2);
  for (size_t r = 0; r < s.nrep; r++) {
    double ok = okt[r], sk = skt[r], any = anyt[r];
    assert_true(isnan(any) == (isnan(ok) && isnan(sk)));
    if (!isnan(ok)) assert_true(sk < ok);
    if (!isnan(any)) assert_true(any == sk), spilled++;
  }
  /* P(reached by the horizon) is the headline mean. */
  int occ = metric_find(&res->metrics, "spillover", "occurred");
  assert_true(occ >= 0);
  assert_true(fabs(res->summary[occ].mean - spilled / 400.0) < 1e-12);
  /* Paths: every spilled replication has one, and each ends at the level that spilled. */
  for (size_t i = 0; i < s.npath; i++) {
    counted += s.path[i].count;
    const char *tail = strrchr(s.path[i].text, '>');
    assert_non_null(tail);
    assert_string_equal(tail + 2, "islands");
    assert_true(strncmp(s.path[i].text, "calm", 4) == 0);
    if (i) assert_true(s.path[i].count <= s.path[i - 1].count);
  }
  assert_int_equal(counted, spilled);
  assert_true(s.npath == 2); /* calm > islands, and calm > tension > islands */
  /* Paths to one territory: Okinawa is reached when the strike closes Naha, right
   * after the strikes level and after the islands, in every replication that got there. */
  assert_int_equal(mc_spill_paths(&s, 0), 0);
  int to_okinawa = 0, reached = 0;
  for (size_t r = 0; r < s.nrep; r++) reached += !isnan(okt[r]);
  for (size_t i = 0; i < s.npath; i++) {
    to_okinawa += s.path[i].count;
    const char *tail = strrchr(s.path[i].text, '>');
    assert_non_null(tail);
    assert_string_equal(tail + 2, "strike");
    const char *islands = strstr(s.path[i].text, "islands");
    assert_non_null(islands); /* the islands level always comes first */
    size_t len = strlen(s.path[i].text), want = strlen("strikes > strike");
    assert_true(len > want && strcmp(s.path[i].text + len - want, "strikes > strike") == 0);
  }
  assert_int_equal(to_okinawa, reached);
  assert_int_equal(mc_spill_paths(&s, 3), ERR_RANGE);
  assert_int_equal(mc_spill_paths(&s, 2), 0); /* back to "any" */
  assert_true(s.npath == 2);
  /* The missions with and without spillover: the task runs iff `tension` occurred,
   * which triples the rate that spills over, so it ran more often where it spilled. */
  int ran = metric_find(&res->metrics, "plan", "task.watch.ran");
  assert_true(ran >= 0);
  double *v = malloc(s.nrep * sizeof *v), sum_y = 0, sum_n = 0;
  assert_int_equal(store_metric_values(st, s.run_id, &s.ms, ran, v, s.nrep), 0);
  size_t ny = 0;
  for (size_t r = 0; r < s.nrep; r++) {
    if (isnan(anyt[r])) sum_n += v[r];
    else sum_y += v[r], ny++;
  }
  free(v), free(okt), free(skt), free(anyt);
  const mc_spill_split *sp = NULL;
  for (size_t i = 0; i < s.nsplit; i++) {
    assert_true(strcmp(s.split[i].module, "crisis") && strcmp(s.split[i].module, "spillover"));
    if (!strcmp(s.split[i].module, "plan") && !strcmp(s.split[i].name, "task.watch.ran"))
      sp = &s.split[i];
  }
  assert_non_null(sp);
  assert_true(sp->headline);
  assert_int_equal(sp->n_yes, ny);
  assert_int_equal(sp->n_no, s.nrep - ny);
  assert_true(fabs(sp->mean_yes - sum_y / (double)ny) < 1e-12);
  assert_true(fabs(sp->mean_no - sum_n / (double)(s.nrep - ny)) < 1e-12);
  assert_true(fabs(sp->diff - (sp->mean_yes - sp->mean_no)) < 1e-12);
  double want = 1.96 * sqrt(sp->sd_yes * sp->sd_yes / (double)sp->n_yes +
                            sp->sd_no * sp->sd_no / (double)sp->n_no);
  assert_true(fabs(sp->half_diff - want) < 1e-12);
  assert_true(sp->diff - sp->half_diff > 0); /* clearly more often with spillover */
  mc_spill_free(&s);
}

static void paths_from_memory(void **state) {
  spill_fixture *fx = spill_run(state, scenario3, 300, 1);
  store *st = fx->st;
  diag *d = fx->d;

  mc_spill s;
  assert_int_equal(mc_spill_read(&s, st, -1, MC_SPILL_SHOWN, d), 0);
  assert_int_equal(s.nterr, 3);
  assert_non_null(s.paths);
  assert_paths_match(&s, st, s.nterr);
  /* Each territory, then "any" again: every one was counted by mc_spill_read. */
  size_t order[] = {2, 0, 1, 3, 0};
  for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
    assert_int_equal(mc_spill_paths(&s, order[k]), 0);
    assert_true(s.path_of == order[k]);
    assert_paths_match(&s, st, order[k]);
  }
  assert_int_equal(mc_spill_paths(&s, 4), ERR_RANGE);

  /* The whole-run facts of a 0/1 metric of the missions. */
  int ran = metric_find(&s.ms, "plan", "task.watch.ran");
  assert_true(ran >= 0);
  const mc_spill_split *sp = NULL;
  for (size_t i = 0; i < s.nsplit; i++)
    if (!strcmp(s.split[i].module, "plan") && !strcmp(s.split[i].name, "task.watch.ran"))
      sp = &s.split[i];
  assert_non_null(sp);
  double *v = malloc(s.nrep * sizeof *v), sum = 0;
  assert_int_equal(store_metric_values(st, s.run_id, &s.ms, ran, v, s.nrep), 0);
  for (size_t r = 0; r < s.nrep; r++) sum += v[r];
  free(v);
  assert_true(sp->binary);
  assert_true(sp->min == 0 && sp->max == 1);
  /* The larger of median (0 or 1) and mean. */
  double mean = sum / (double)s.nrep;
  assert_true(fabs(sp->typical - mean) < 1e-12 || sp->typical == 1 || sp->typical == 0);
  assert_true(fabs(sp->typical) >= fabs(mean) - 1e-12);
  mc_spill_free(&s);

  /* Without MC_SPILL_SHOWN (the analysis stored after a run) they are not computed. */
  assert_int_equal(mc_spill_read(&s, st, -1, 0, d), 0);
  assert_true(s.nsplit > 0);
  for (size_t i = 0; i < s.nsplit; i++)
    assert_true(isnan(s.split[i].typical) && isnan(s.split[i].min) && !s.split[i].binary);
  mc_spill_free(&s);
}

/* Each territory's list holds exactly the replications whose first time the store
 * has (not NaN), in replication order, with those times to the bit, and no room
 * beyond them: the list is the analysis's only memory that grows with the run. */
static void reached_lists_match_store(void **state) {
  spill_fixture *fx = spill_run(state, scenario3, 500, 2);
  mc_spill s;
  assert_int_equal(mc_spill_read(&s, fx->st, -1, 0, fx->d), 0);
  assert_int_equal(s.nterr, 3);
  double *v = malloc(s.nrep * sizeof *v);
  assert_non_null(v);
  size_t total = 0;
  for (size_t t = 0; t <= s.nterr; t++) {
    char name[64];
    snprintf(name, sizeof name, "%s.time", s.terr[t]);
    int m = metric_find(&s.ms, "spillover", t < s.nterr ? name : "time");
    assert_true(m >= 0);
    assert_int_equal(store_metric_values(fx->st, s.run_id, &s.ms, m, v, s.nrep), 0);
    const mc_spill_reached *l = &s.reached[t];
    size_t i = 0;
    for (size_t r = 0; r < s.nrep; r++) {
      if (isnan(v[r])) continue;
      if (i == l->n) fail_msg("territory %s: replication %zu missing", s.terr[t], r);
      assert_int_equal(l->rep[i], r);
      assert_memory_equal(&l->time[i], &v[r], sizeof v[r]);
      i++;
    }
    assert_int_equal(i, l->n);
    assert_int_equal(l->cap, l->n);
    total += l->n;
  }
  /* Each territory is reached in some replications, not all (else nothing is shown). */
  for (size_t t = 0; t <= s.nterr; t++)
    assert_true(s.reached[t].n > 0 && s.reached[t].n < s.nrep);
  assert_true(total < (s.nterr + 1) * s.nrep);
  free(v);
  mc_spill_free(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(wilson_by_hand),
      cmocka_unit_test_teardown(store_analysis_matches_replications, spill_cleanup),
      cmocka_unit_test_teardown(paths_from_memory, spill_cleanup),
      cmocka_unit_test_teardown(reached_lists_match_store, spill_cleanup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
