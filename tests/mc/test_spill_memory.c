/* test_spill_memory.c - the spillover paths built from the sequence mc_spill_read keeps
 * (one scan of the store for every territory) agree with paths built here straight
 * from the store's series, for each territory in any order; and the whole-run facts a
 * split carries for showing it (typical size, range, 0/1: MC_SPILL_SHOWN) agree with
 * the values, and are left out without that flag. */
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

/* Three territories reached by different steps, so each has its own paths. */
static const char scenario[] =
    "scenario: {name: spill memory test, epoch: 2027-04-01T00:00Z, horizon: 20d, seed: 5,\n"
    "           notional: true}\n"
    "theater:\n"
    "  places:\n"
    "    - {id: naha, lat: 26.2124, lon: 127.6792}\n"
    "  regions:\n"
    "    - {id: okinawa, kind: territory, polygon: [[27.0, 127.0], [27.0, 128.5], [25.8, 128.5],"
    " [25.8, 127.0]]}\n"
    "    - {id: senkaku, kind: territory, polygon: [[25.6, 123.3], [26.0, 123.3], [26.0, 123.8],"
    " [25.6, 123.8]]}\n"
    "    - {id: kyushu, kind: territory, polygon: [[33.9, 129.5], [33.9, 132.0], [31.0, 132.0],"
    " [31.0, 129.5]]}\n"
    "crisis:\n"
    "  events:\n"
    "    - {id: tension, at: 1d, p: 0.5}\n"
    "    - {id: strike, raises: [{signal: site_closed, place: naha, for: 1d}]}\n"
    "  escalation:\n"
    "    levels:\n"
    "      - {id: calm}\n"
    "      - {id: islands, reaches: [senkaku]}\n"
    "      - {id: mainland, reaches: [kyushu]}\n"
    "      - {id: strikes, occurs: [strike]}\n"
    "    transitions:\n"
    "      - {from: calm, to: islands, rate: 0.1/d, multipliers: [{after: tension, factor: 3}]}\n"
    "      - {from: calm, to: mainland, rate: 0.02/d}\n"
    "      - {from: islands, to: strikes, rate: 0.2/d}\n"
    "      - {from: mainland, to: strikes, rate: 0.1/d}\n"
    "forces:\n"
    "  - {id: helo, nation: JP, kind: rescue_helicopter, base: naha, count: 1}\n"
    "plan:\n"
    "  tasks:\n"
    "    - {id: watch, activity: search_and_rescue, owner: JP, assets: [helo], area: naha,\n"
    "       legal_area: japan_territory, start: tension, duration: 1d}\n";

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
  ref_acc a = {s, &s->time[t * s->nrep], calloc(s->nrep, sizeof(char *))};
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
  free(a.text);
}

static void paths_from_memory(void **state) {
  (void)state;
  char path[] = "/tmp/test_spill_memory_XXXXXX", db[64];
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
  opt.replications = 300;
  opt.threads = 1;
  mc_result *res = NULL;
  if (mc_run(&res, sc, &opt, st, d)) diag_print(d, stderr, 0);
  assert_non_null(res);

  mc_spill s;
  assert_int_equal(mc_spill_read(&s, st, -1, MC_SPILL_SHOWN, d), 0);
  assert_int_equal(s.nterr, 3);
  assert_true(s.nseq > 0);
  assert_paths_match(&s, st, s.nterr);
  /* Each territory, then "any" again, without the store: the kept sequence serves. */
  size_t order[] = {2, 0, 1, 3, 0};
  for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
    assert_int_equal(mc_spill_paths(&s, NULL, order[k]), 0);
    assert_true(s.path_of == order[k]);
    assert_paths_match(&s, st, order[k]);
  }
  assert_int_equal(mc_spill_paths(&s, NULL, 4), ERR_RANGE);

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
      cmocka_unit_test(paths_from_memory),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
