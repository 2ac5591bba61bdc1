/* test_spill.c - the spillover analysis read back from a store agrees with the
 * replications that produced it: curves against the per-replication times, Wilson
 * bounds against a hand computation, paths against the event times. */
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
#include "mc.h"
#include "err.h"
#include "mc_spill.h"
#include "scenario.h"
#include "store.h"

static const char scenario[] =
    "scenario: {name: spill test, epoch: 2027-04-01T00:00Z, horizon: 20d, seed: 11,\n"
    "           notional: true}\n"
    "theater:\n"
    "  places:\n"
    "    - {id: naha, lat: 26.2124, lon: 127.6792}\n"
    "  regions:\n"
    "    - {id: okinawa, kind: territory, polygon: [[27.0, 127.0], [27.0, 128.5], [25.8, 128.5],"
    " [25.8, 127.0]]}\n"
    "    - {id: senkaku, kind: territory, polygon: [[25.6, 123.3], [26.0, 123.3], [26.0, 123.8],"
    " [25.6, 123.8]]}\n"
    "crisis:\n"
    "  events:\n"
    "    - {id: tension, at: 1d, p: 0.5}\n"
    "    - {id: strike, raises: [{signal: site_closed, place: naha, for: 1d}]}\n"
    "  escalation:\n"
    "    levels:\n"
    "      - {id: calm}\n"
    "      - {id: islands, reaches: [senkaku]}\n"
    "      - {id: strikes, occurs: [strike]}\n"
    "    transitions:\n"
    "      - {from: calm, to: islands, rate: 0.1/d, multipliers: [{after: tension, factor: 3}]}\n"
    "      - {from: islands, to: strikes, rate: 0.2/d}\n"
    "forces:\n"
    "  - {id: helo, nation: JP, kind: rescue_helicopter, base: naha, count: 1}\n"
    "plan:\n"
    "  tasks:\n"
    "    - {id: watch, activity: search_and_rescue, owner: JP, assets: [helo], area: naha,\n"
    "       legal_area: japan_territory, start: tension, duration: 1d}\n";

static void wilson_by_hand(void **state) {
  (void)state;
  double lo, hi;
  mc_wilson(10, 100, 1.96, &lo, &hi); /* 0.1: (0.0552, 0.1744) */
  assert_true(fabs(lo - 0.05522) < 1e-4 && fabs(hi - 0.17437) < 1e-4);
  mc_wilson(0, 50, 1.96, &lo, &hi); /* zero successes: [0, z^2/(n+z^2)] */
  assert_true(lo == 0 && fabs(hi - 3.8416 / 53.8416) < 1e-9);
  double t[4] = {1, NAN, 3, 2}, grid[3] = {0.5, 2, 10}, p[3], l[3], h[3];
  mc_spill_curve(t, 4, grid, 3, 1.96, p, l, h);
  assert_true(p[0] == 0 && p[1] == 0.5 && p[2] == 0.75);
}

static void store_analysis_matches_replications(void **state) {
  (void)state;
  char path[] = "/tmp/test_spill_XXXXXX", db[64];
  int fd = mkstemp(path);
  FILE *f = fdopen(fd, "w");
  fputs(scenario, f);
  fclose(f);
  snprintf(db, sizeof db, "%s.db", path);
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  scn_load_options lo = SCN_LOAD_OPTIONS_INIT;
  if (scn_load(&sc, path, &lo, d)) diag_print(d, stderr, 0);
  assert_non_null(sc);
  store *st = NULL;
  assert_int_equal(store_open(&st, db, d), 0);
  mc_options opt = MC_OPTIONS_INIT;
  opt.replications = 400;
  opt.threads = 2;
  mc_result *res = NULL;
  if (mc_run(&res, sc, &opt, st, d)) diag_print(d, stderr, 0);
  assert_non_null(res);

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
  for (size_t r = 0; r < s.nrep; r++) {
    double ok = s.time[r], sk = s.time[s.nrep + r], any = s.time[2 * s.nrep + r];
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
  assert_int_equal(mc_spill_paths(&s, st, 0), 0);
  int to_okinawa = 0, reached = 0;
  for (size_t r = 0; r < s.nrep; r++) reached += !isnan(s.time[r]);
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
  assert_int_equal(mc_spill_paths(&s, st, 3), ERR_RANGE);
  assert_int_equal(mc_spill_paths(&s, st, 2), 0); /* back to "any" */
  assert_true(s.npath == 2);
  /* The missions with and without spillover: the task runs iff `tension` occurred,
   * which triples the rate that spills over, so it ran more often where it spilled. */
  int ran = metric_find(&res->metrics, "plan", "task.watch.ran");
  assert_true(ran >= 0);
  double *v = malloc(s.nrep * sizeof *v), sum_y = 0, sum_n = 0;
  assert_int_equal(store_metric_values(st, s.run_id, &s.ms, ran, v, s.nrep), 0);
  size_t ny = 0;
  for (size_t r = 0; r < s.nrep; r++) {
    if (isnan(s.time[2 * s.nrep + r])) sum_n += v[r];
    else sum_y += v[r], ny++;
  }
  free(v);
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
  mc_result_free(res);
  store_close(st);
  scn_free(sc);
  diag_free(d);
  unlink(path);
  unlink(db);
  char aux[80];
  snprintf(aux, sizeof aux, "%s-wal", db), unlink(aux);
  snprintf(aux, sizeof aux, "%s-shm", db), unlink(aux);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(wilson_by_hand),
      cmocka_unit_test(store_analysis_matches_replications),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
