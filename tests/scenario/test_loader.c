/* test_loader.c - scn_load: exact values of a good scenario, includes, overrides, the
 * caps against hostile files, and every error of a file reported in one pass. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "hash.h"
#include "scenario.h"
#include "scn_sweep.h"
#include "sim.h"
#include "ops.h"

/* The loader's table of mission sections (ops.h), as the program's callers pass it. */
static const scn_load_options *mission_sections(void) {
  static scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  return &opt;
}

#define DATA SCN_TEST_DATA "/"
#define TMP SCN_TEST_TMP "/"

static const double KN = 1852.0 / 3600.0, H = 3600.0, D = 86400.0;

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

/* Any diagnostic whose message contains needle. */
static const diag_entry *find_message(const diag *d, const char *needle) {
  for (size_t i = 0; i < diag_size(d); i++)
    if (strstr(diag_at(d, i)->message, needle)) return diag_at(d, i);
  return NULL;
}

static void dump(const diag *d) { diag_print(d, stderr, 0); }

/* Load expecting failure with a message containing needle; returns nothing. */
static void expect_error(const char *path, const scn_load_options *opt, const char *needle) {
  diag *d = diag_new();
  scn_scenario *sc = (scn_scenario *)&sc; /* must be reset to NULL */
  int rc = scn_load(&sc, path, opt, d);
  if (rc != ERR_INPUT || !find_message(d, needle)) {
    dump(d);
    fail_msg("%s: rc %d, wanted ERR_INPUT with '%s'", path, rc, needle);
  }
  assert_null(sc);
  diag_free(d);
}

static scn_scenario *load_ok(const char *path, const scn_load_options *opt) {
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  int rc = scn_load(&sc, path, opt, d);
  if (rc != 0 || diag_count(d, DIAG_ERROR)) {
    dump(d);
    fail_msg("%s: rc %d", path, rc);
  }
  diag_free(d);
  return sc;
}

/* ---- the good scenario ------------------------------------------------------------ */

static void test_header_and_theater(void **state) {
  (void)state;
  scn_scenario *sc = load_ok(DATA "good.yaml", NULL);
  assert_string_equal(sc->name, "Taiwan Strait crisis (notional)");
  assert_string_equal(sc->description, "test scenario");
  assert_string_equal(sc->epoch, "2027-04-01T00:00Z");
  assert_int_equal(sc->epoch_unix, 1806537600);
  assert_float_equal(sc->horizon, 30 * D, 0);
  assert_int_equal(sc->seed, 20270401);
  assert_int_equal(sc->replications, 1000);
  assert_true(sc->notional);
  assert_int_equal(strlen(sc->hash), 64); /* SHA-256, hex */
  assert_string_equal(sc->path, DATA "good.yaml");

  /* common.yaml's places come first: included sections merge before the includer's. */
  assert_int_equal(sc->nplace, 2);
  assert_string_equal(sc->place[0].id, "kadena");
  assert_string_equal(sc->place[0].kind, "airfield");
  assert_float_equal(sc->place[0].lat, 26.3516, 0);
  assert_non_null(strstr(sc->place[0].loc.file, "common.yaml"));
  assert_string_equal(sc->place[1].id, "naha");
  assert_string_equal(sc->place[1].name, "Naha");
  assert_string_equal(sc->place[1].nation, "JP");
  assert_string_equal(sc->place[1].source, "Japan Coast Guard port data");
  assert_float_equal(sc->place[1].lon, 127.6792, 0);
  /* "    - {id: naha": the mapping starts at line 13, column 7 (1-based). */
  assert_int_equal(sc->place[1].loc.line, 13);
  assert_int_equal(sc->place[1].loc.col, 7);
  assert_int_equal(scn_place_find(sc, "naha"), 1);
  assert_int_equal(scn_place_find(sc, "nowhere"), -1);

  assert_int_equal(sc->nregion, 1);
  assert_string_equal(sc->region[0].kind, "combat_area");
  assert_int_equal(sc->region[0].n, 3);
  assert_float_equal(sc->region[0].lat[1], 26.0, 0);
  assert_float_equal(sc->region[0].lon[2], 121.0, 0);
  assert_int_equal(scn_region_find(sc, "taiwan-strait-combat"), 0);

  assert_int_equal(sc->nroute, 1);
  const scn_route *r = &sc->route[0];
  assert_string_equal(r->kind, "land");
  assert_int_equal(r->n, 3);
  assert_int_equal(r->place[0], 1);
  assert_int_equal(r->place[1], -1);
  assert_int_equal(r->place[2], 0);
  assert_float_equal(r->lat[1], 26.3, 0);
  assert_float_equal(r->lat[2], 26.3516, 0);
  scn_free(sc);
  scn_free(NULL);
}

static void test_forces(void **state) {
  (void)state;
  scn_scenario *sc = load_ok(DATA "good.yaml", NULL);
  assert_int_equal(sc->nforce, 2);
  const scn_force *f = &sc->force[0];
  assert_string_equal(f->id, "lst");
  assert_string_equal(f->nation, "US");
  assert_string_equal(f->kind, "ship");
  assert_int_equal(f->base, 1);
  assert_int_equal(f->count, 2);
  assert_float_equal(f->speed, 20 * KN, 1e-12);
  assert_float_equal(f->capacity_mass, 500000, 0);
  assert_float_equal(f->capacity_volume, 30, 0);
  assert_float_equal(f->endurance, 30 * D, 0);
  f = &sc->force[1];
  assert_int_equal(f->base, 0);
  assert_int_equal(f->count, 1);
  assert_float_equal(f->speed, 0, 0);
  assert_true(isnan(f->capacity_mass) && isnan(f->capacity_volume));
  assert_true(isinf(f->endurance));
  assert_int_equal(scn_force_find(sc, "c130"), 1);
  scn_free(sc);
}

static void test_crisis(void **state) {
  (void)state;
  scn_scenario *sc = load_ok(DATA "good.yaml", NULL);
  assert_int_equal(sc->nevent, 5);
  const scn_event *e = sc->event;
  assert_string_equal(e[0].name, "Declaration of independence");
  assert_int_equal(e[0].trigger.kind, SCN_TRIG_AT);
  assert_float_equal(e[0].trigger.at, 0, 0);
  assert_int_equal(e[0].delay.kind, DIST_FIXED);
  assert_float_equal(e[0].delay.a, 0, 0);
  assert_float_equal(e[0].p, 1, 0);
  assert_int_equal(e[0].parent, -1);

  assert_int_equal(e[1].trigger.kind, SCN_TRIG_EVENT);
  assert_int_equal(e[1].trigger.event, 0);
  assert_int_equal(e[1].delay.kind, DIST_LOGNORMAL);
  assert_float_equal(e[1].delay.a, log(48 * H), 1e-12);
  assert_float_equal(e[1].delay.b, 0.5, 0);
  assert_float_equal(e[1].p, 0.9, 0);
  assert_int_equal(e[1].nbranch, 2);
  assert_int_equal(e[1].branch[0], 2);
  assert_int_equal(e[1].branch[1], 3);
  assert_int_equal(e[1].nraise, 3);
  const scn_raise *r = e[1].raise;
  assert_int_equal(r[0].signal, SIG_SITE_STATUS);
  assert_int_equal(r[0].place, 0);
  assert_true(r[0].has_duration);
  assert_int_equal(r[0].duration.kind, DIST_UNIFORM);
  assert_float_equal(r[0].duration.a, 12 * H, 0);
  assert_float_equal(r[0].duration.b, 72 * H, 0);
  assert_int_equal(r[1].signal, SIG_REGION_STATUS);
  assert_int_equal(r[1].region, 0);
  assert_int_equal(r[1].duration.kind, DIST_FIXED);
  assert_float_equal(r[1].duration.a, 10 * D, 0);
  assert_int_equal(r[2].signal, SIG_PERSON_MISSING);
  assert_int_equal(r[2].place, -1);
  assert_float_equal(r[2].lat, 25.9, 0);
  assert_float_equal(r[2].lon, 127.2, 0);
  assert_int_equal(r[2].object, SCN_OBJ_PIW);
  assert_int_equal(r[2].count, 2);

  assert_string_equal(e[2].id, "quarantine");
  assert_int_equal(e[2].parent, 1);
  assert_float_equal(e[2].p, 0.6, 0);
  assert_int_equal(e[2].raise[0].signal, SIG_SITUATION_CHANGED);
  assert_int_equal(e[2].raise[0].situation, SCN_SIT_IMPORTANT_INFLUENCE);
  assert_int_equal(e[3].parent, 1);
  assert_float_equal(e[3].delay.a, 12 * H, 0);

  const scn_trigger *t = &e[4].trigger;
  assert_int_equal(t->kind, SCN_TRIG_ALL);
  assert_int_equal(t->n, 2);
  assert_int_equal(t->sub[0].kind, SCN_TRIG_EVENT);
  assert_int_equal(t->sub[0].event, 2);
  assert_int_equal(t->sub[1].kind, SCN_TRIG_ANY);
  assert_int_equal(t->sub[1].n, 2);
  assert_int_equal(t->sub[1].sub[0].event, 3);
  assert_int_equal(t->sub[1].sub[1].event, 0);
  assert_int_equal(e[4].delay.kind, DIST_EXPONENTIAL);
  assert_float_equal(e[4].delay.a, 5 * D, 0);
  assert_int_equal(e[4].raise[0].place, 1);
  assert_float_equal(e[4].raise[0].lat, 26.2124, 0);
  assert_int_equal(e[4].raise[0].object, SCN_OBJ_RAFT);
  assert_int_equal(e[4].raise[0].count, 1);
  assert_int_equal(scn_event_find(sc, "blockade"), 3);
  assert_string_equal(scn_situation_name(SCN_SIT_ARMED_ATTACK), "armed_attack");
  assert_string_equal(scn_object_name(SCN_OBJ_RAFT_DROGUE), "life_raft_drogue");
  scn_free(sc);
}

static void test_distributions(void **state) {
  (void)state;
  write_file(TMP "dists.yaml",
             "scenario: {name: d, epoch: 2027-04-01T00:00:30Z, horizon: 1d}\n"
             "crisis:\n  events:\n"
             "    - {id: a, at: 1h, delay: 2h}\n"
             "    - {id: b, at: 0h, delay: {dist: fixed, value: 3h}}\n"
             "    - {id: c, at: 0h, delay: {dist: triangular, min: 1h, mode: 2h, max: 4h}}\n"
             "    - {id: d, at: 0h, delay: {dist: normal, mean: 10h, sd: 2h}}\n"
             "    - {id: e, at: 0h, delay: {dist: lognormal, mean: 10h, sd: 5h}}\n"
             "    - {id: f, at: 0h, delay: {dist: gamma, shape: 2, scale: 3h}}\n"
             "    - {id: g, at: 0h, delay: {dist: weibull, shape: 1.5, scale: 1d}}\n"
             "    - {id: h, at: 0h, delay: {dist: empirical, values: [1h, 2h, 1d]}}\n");
  scn_scenario *sc = load_ok(TMP "dists.yaml", NULL);
  const scn_event *e = sc->event;
  assert_int_equal(sc->epoch_unix, 1806537600 + 30);
  assert_int_equal(sc->seed, 1);            /* defaults */
  assert_int_equal(sc->replications, 100);
  assert_false(sc->notional);
  assert_float_equal(e[0].trigger.at, H, 0);
  assert_float_equal(e[0].delay.a, 2 * H, 0);
  assert_float_equal(e[1].delay.a, 3 * H, 0);
  assert_int_equal(e[2].delay.kind, DIST_TRIANGULAR);
  assert_float_equal(e[2].delay.c, 4 * H, 0);
  assert_int_equal(e[3].delay.kind, DIST_NORMAL);
  assert_float_equal(e[3].delay.b, 2 * H, 0);
  /* lognormal by mean and sd: sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2 */
  double s2 = log(1.25);
  assert_float_equal(e[4].delay.b, sqrt(s2), 1e-12);
  assert_float_equal(e[4].delay.a, log(10 * H) - s2 / 2, 1e-12);
  assert_int_equal(e[5].delay.kind, DIST_GAMMA);
  assert_float_equal(e[5].delay.a, 2, 0);
  assert_float_equal(e[5].delay.b, 3 * H, 0);
  assert_int_equal(e[6].delay.kind, DIST_WEIBULL);
  assert_float_equal(e[6].delay.b, D, 0);
  assert_int_equal(e[7].delay.kind, DIST_EMPIRICAL);
  assert_int_equal(e[7].delay.n, 3);
  assert_float_equal(e[7].delay.values[2], D, 0);
  scn_free(sc);
}

/* ---- includes ------------------------------------------------------------------------ */

static void test_includes_merge(void **state) {
  (void)state;
  write_file(TMP "inc_base.yaml",
             "scenario: {name: base, seed: 5, replications: 7}\n"
             "forces: [{id: f1, nation: JP, kind: ship, base: p1}]\n"
             "theater: {places: [{id: p1, lat: 1, lon: 2}]}\n");
  write_file(TMP "inc_main.yaml",
             "includes: [inc_base.yaml]\n"
             "scenario: {name: main, seed: 6, epoch: 2027-04-01T00:00Z, horizon: 2d, notional: true}\n"
             "forces: [{id: f2, nation: US, kind: ship, base: p1}]\n");
  scn_scenario *sc = load_ok(TMP "inc_main.yaml", NULL);
  assert_string_equal(sc->name, "main"); /* the includer wins a scalar */
  assert_int_equal(sc->seed, 6);
  assert_int_equal(sc->replications, 7); /* the included file's key is kept */
  assert_int_equal(sc->nforce, 2);       /* lists are appended */
  assert_string_equal(sc->force[0].id, "f1");
  assert_string_equal(sc->force[1].id, "f2");
  assert_int_equal(sc->force[1].base, 0);
  scn_free(sc);
}

static void test_include_diamond_is_read_once(void **state) {
  (void)state;
  write_file(TMP "dia_d.yaml", "theater: {places: [{id: p, lat: 1, lon: 2}]}\n");
  write_file(TMP "dia_b.yaml", "includes: [dia_d.yaml]\n");
  write_file(TMP "dia_c.yaml", "includes: [./dia_d.yaml]\n");
  write_file(TMP "dia_a.yaml", "includes: [dia_b.yaml, dia_c.yaml]\n"
                               "scenario: {name: a, epoch: 2027-04-01T00:00Z, horizon: 1d}\n");
  scn_scenario *sc = load_ok(TMP "dia_a.yaml", NULL);
  assert_int_equal(sc->nplace, 1);
  scn_free(sc);
}

static void test_include_cycle(void **state) {
  (void)state;
  write_file(TMP "cyc_a.yaml", "includes: [cyc_b.yaml]\n"
                               "scenario: {name: a, epoch: 2027-04-01T00:00Z, horizon: 1d}\n");
  write_file(TMP "cyc_b.yaml", "includes: [cyc_a.yaml]\n");
  expect_error(TMP "cyc_a.yaml", NULL, "include cycle: '");
  write_file(TMP "cyc_self.yaml", "includes: [cyc_self.yaml]\n");
  expect_error(TMP "cyc_self.yaml", NULL, "include cycle");
}

static void test_include_problems(void **state) {
  (void)state;
  write_file(TMP "inc_missing.yaml", "includes: [no-such-file.yaml]\n");
  expect_error(TMP "inc_missing.yaml", NULL, "cannot open '" TMP "no-such-file.yaml'");
  write_file(TMP "inc_notlist.yaml", "includes: other.yaml\n");
  expect_error(TMP "inc_notlist.yaml", NULL, "'includes' should be a list, got a single value");
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  opt.max_include_depth = 0;
  expect_error(DATA "good.yaml", &opt, "includes nested deeper than 0 files");
}


/* Includes stay inside the main file's folder (and the --include-dir ones): no
 * absolute path, no '..' out of it, no symbolic link out of it; only regular files
 * (a FIFO would block for ever); a non-mapping include is an error; `--set
 * includes=` is refused; and a refused file never has a line quoted (issue 21). */
#define HEAD "scenario: {name: c, epoch: 2027-04-01T00:00Z, horizon: 1d}\n"
static void test_include_confinement(void **state) {
  (void)state;
  alarm(30); /* a regression (a blocking open of a FIFO) fails instead of hanging */
  mkdir(TMP "conf", 0777), mkdir(TMP "conf/sub", 0777), mkdir(TMP "outside", 0777);
  mkdir(TMP "shared", 0777);
  write_file(TMP "outside/x.yaml", "theater: {places: [{id: secret, lat: 1, lon: 2}]}\n");
  write_file(TMP "shared/forces.yaml", "theater: {places: [{id: shared, lat: 1, lon: 2}]}\n");
  write_file(TMP "conf/sub/ok.yaml", "includes: [../sib.yaml]\n"); /* '..' inside: fine */
  write_file(TMP "conf/sib.yaml", "theater: {places: [{id: p, lat: 1, lon: 2}]}\n");
  write_file(TMP "conf/main.yaml", "includes: [sub/ok.yaml]\n" HEAD);
  scn_scenario *sc = load_ok(TMP "conf/main.yaml", NULL);
  assert_int_equal(sc->nplace, 1);
  scn_free(sc);

  write_file(TMP "conf/escape.yaml", "includes: [../outside/x.yaml]\n" HEAD);
  expect_error(TMP "conf/escape.yaml", NULL, "is outside the scenario's folder");
  write_file(TMP "conf/abs.yaml", "includes: [" TMP "outside/x.yaml]\n" HEAD);
  expect_error(TMP "conf/abs.yaml", NULL, "is an absolute path");
  unlink(TMP "conf/sub/link.yaml");
  assert_int_equal(symlink("../../outside/x.yaml", TMP "conf/sub/link.yaml"), 0);
  write_file(TMP "conf/link.yaml", "includes: [sub/link.yaml]\n" HEAD);
  expect_error(TMP "conf/link.yaml", NULL, "is outside the scenario's folder");

  /* --include-dir: looked up there, and '..' into it is inside too. */
  write_file(TMP "conf/dir.yaml", "includes: [forces.yaml]\n" HEAD);
  expect_error(TMP "conf/dir.yaml", NULL, "cannot open");
  write_file(TMP "conf/dotdot.yaml", "includes: [../shared/forces.yaml]\n" HEAD);
  expect_error(TMP "conf/dotdot.yaml", NULL, "is outside the scenario's folder");
  const char *dirs[] = {TMP "shared"};
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  opt.include_dirs = dirs;
  opt.ninclude_dirs = 1;
  sc = load_ok(TMP "conf/dir.yaml", &opt);
  assert_string_equal(sc->place[0].id, "shared");
  scn_free(sc);
  sc = load_ok(TMP "conf/dotdot.yaml", &opt);
  scn_free(sc);
  const char *nodir[] = {TMP "no-such-dir"};
  opt.include_dirs = nodir;
  expect_error(TMP "conf/main.yaml", &opt, "--include-dir '" TMP "no-such-dir'");

  /* Regular files only: a FIFO as an include or as the scenario is refused at once. */
  unlink(TMP "conf/fifo.yaml");
  assert_int_equal(mkfifo(TMP "conf/fifo.yaml", 0666), 0);
  write_file(TMP "conf/fifo_inc.yaml", "includes: [fifo.yaml]\n" HEAD);
  expect_error(TMP "conf/fifo_inc.yaml", NULL, "'" TMP "conf/fifo.yaml' is a FIFO");
  expect_error(TMP "conf/fifo.yaml", NULL, "is a FIFO");
  unlink(TMP "conf/sweep.fifo");
  assert_int_equal(mkfifo(TMP "conf/sweep.fifo", 0666), 0);
  scn_sweep *sw = NULL;
  diag *sd = diag_new();
  assert_int_equal(scn_sweep_load(&sw, TMP "conf/sweep.fifo", sd), ERR_INPUT);
  assert_non_null(find_message(sd, "is a FIFO, not a regular file"));
  diag_free(sd);
  /* A sweep file not named .yaml that is not a mapping: located, never quoted. */
  const char *bad_sweeps[] = {"secret-line-9: [unclosed\n", "secret-line-9 as plain text\n"};
  for (size_t i = 0; i < 2; i++) {
    write_file(TMP "conf/sweep.txt", bad_sweeps[i]);
    sd = diag_new();
    assert_int_equal(scn_sweep_load(&sw, TMP "conf/sweep.txt", sd), ERR_INPUT);
    FILE *so = tmpfile();
    diag_print(sd, so, 0);
    rewind(so);
    char sb[2048];
    size_t sn = fread(sb, 1, sizeof sb - 1, so);
    sb[sn] = '\0';
    fclose(so);
    assert_non_null(strstr(sb, "sweep.txt:"));
    assert_null(strstr(sb, "secret-line"));
    diag_free(sd);
  }
  write_file(TMP "conf/folder_inc.yaml", "includes: [sub]\n" HEAD);
  expect_error(TMP "conf/folder_inc.yaml", NULL, "is a folder");

  /* A non-mapping include is an error, and its text is not shown. */
  write_file(TMP "conf/list.yaml", "- secret-line-1\n- secret-line-2\n");
  write_file(TMP "conf/nonmap.yaml", "includes: [list.yaml]\n" HEAD);
  expect_error(TMP "conf/nonmap.yaml", NULL,
               "included file 'list.yaml' should hold a mapping of sections, got a list");
  write_file(TMP "conf/text.txt", "password: [unclosed\nsecret-line-3\n");
  write_file(TMP "conf/text_inc.yaml", "includes: [text.txt]\n" HEAD);
  diag *d = diag_new();
  sc = NULL;
  assert_int_equal(scn_load(&sc, TMP "conf/text_inc.yaml", mission_sections(), d), ERR_INPUT);
  FILE *out = tmpfile();
  assert_non_null(out);
  diag_print(d, out, 0);
  rewind(out);
  char text[4096];
  size_t n = fread(text, 1, sizeof text - 1, out);
  text[n] = '\0';
  fclose(out);
  assert_non_null(strstr(text, "text.txt:"));     /* the error is located there */
  assert_null(strstr(text, "password"));          /* but no line of it is shown */
  assert_null(strstr(text, "secret-line"));
  diag_free(d);
  d = diag_new();
  assert_int_equal(scn_load(&sc, TMP "conf/nonmap.yaml", mission_sections(), d), ERR_INPUT);
  out = tmpfile();
  diag_print(d, out, 0);
  rewind(out);
  n = fread(text, 1, sizeof text - 1, out);
  text[n] = '\0';
  fclose(out);
  assert_null(strstr(text, "secret-line"));
  diag_free(d);

  /* --set cannot add or change includes: they were read before overrides apply. */
  const char *set[] = {"includes=../outside/x.yaml"};
  opt = (scn_load_options)SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  opt.overrides = set;
  opt.noverrides = 1;
  expect_error(TMP "conf/main.yaml", &opt, "'includes' cannot be overridden");
  const char *set2[] = {"includes.0=x.yaml"};
  opt.overrides = set2;
  expect_error(TMP "conf/main.yaml", &opt, "'includes' cannot be overridden");
  alarm(0);
}


/* Seeds are unsigned 64-bit: above INT64_MAX they load (they were refused as "must be
 * at least 0"), and past UINT64_MAX the message names the bound (issue 21). */
static void test_seed_range(void **state) {
  (void)state;
  write_file(TMP "seed_hi.yaml", "scenario: {name: s, epoch: 2027-04-01T00:00Z, horizon: 1d, "
                                 "seed: 18446744073709551615}\n");
  scn_scenario *sc = load_ok(TMP "seed_hi.yaml", NULL);
  assert_true(sc->seed == UINT64_MAX);
  scn_free(sc);
  write_file(TMP "seed_mid.yaml", "scenario: {name: s, epoch: 2027-04-01T00:00Z, horizon: 1d, "
                                  "seed: 9223372036854775808}\n");
  sc = load_ok(TMP "seed_mid.yaml", NULL);
  assert_true(sc->seed == (uint64_t)1 << 63);
  scn_free(sc);
  write_file(TMP "seed_over.yaml", "scenario: {name: s, epoch: 2027-04-01T00:00Z, horizon: 1d, "
                                   "seed: 18446744073709551616}\n");
  expect_error(TMP "seed_over.yaml", NULL, "'seed' must be at most 18446744073709551615");
  write_file(TMP "reps_over.yaml", "scenario: {name: s, epoch: 2027-04-01T00:00Z, horizon: 1d, "
                                   "replications: 99999999999999999999}\n");
  expect_error(TMP "reps_over.yaml", NULL, "'replications' must be in [1, 10000000]");
}

static void test_missing_main_file_is_io(void **state) {
  (void)state;
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  assert_int_equal(scn_load(&sc, TMP "does-not-exist.yaml", mission_sections(), d), ERR_IO);
  assert_null(sc);
  assert_non_null(find_message(d, "No such file"));
  diag_free(d);
}

/* ---- caps against hostile files ------------------------------------------------------ */

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* "Billion laughs": 9^12 nodes once expanded, a few hundred bytes written. */
static void test_alias_bomb_is_rejected_fast(void **state) {
  (void)state;
  FILE *f = fopen(TMP "bomb.yaml", "w");
  assert_non_null(f);
  fprintf(f, "scenario: {name: lol}\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
  for (int i = 1; i <= 12; i++) {
    fprintf(f, "l%d: &l%d [", i, i);
    for (int j = 0; j < 9; j++) fprintf(f, "%s*l%d", j ? ", " : "", i - 1);
    fprintf(f, "]\n");
  }
  fclose(f);
  double t0 = now();
  expect_error(TMP "bomb.yaml", NULL, "document too large: more than 1000000 nodes");
  double elapsed = now() - t0;
  if (elapsed > 0.5) fail_msg("alias bomb took %.3f s", elapsed);
}

static void test_recursive_alias(void **state) {
  (void)state;
  write_file(TMP "rec.yaml", "scenario: &s\n  name: x\n  self: *s\n");
  expect_error(TMP "rec.yaml", NULL, "recursive alias '*s'");
  write_file(TMP "noanchor.yaml", "scenario: *nope\n");
  expect_error(TMP "noanchor.yaml", NULL, "unknown anchor in alias '*nope'");
}

static void write_alias_ok(void) {
  write_file(TMP "alias_ok.yaml",
             "scenario: {name: a, epoch: 2027-04-01T00:00Z, horizon: 1d}\n"
             "crisis:\n  events:\n"
             "    - {id: a, at: 0h, delay: &d {dist: uniform, min: 1h, max: 2h}}\n"
             "    - {id: b, at: 0h, delay: *d}\n");
}

static void test_aliases_share_nodes(void **state) {
  (void)state;
  write_alias_ok();
  scn_scenario *sc = load_ok(TMP "alias_ok.yaml", NULL);
  assert_float_equal(sc->event[1].delay.b, 2 * H, 0);
  scn_free(sc);
}

static void test_depth_cap(void **state) {
  (void)state;
  FILE *f = fopen(TMP "deep.yaml", "w");
  assert_non_null(f);
  fputs("scenario: ", f);
  for (int i = 0; i < 200; i++) fputc('[', f);
  for (int i = 0; i < 200; i++) fputc(']', f);
  fputc('\n', f);
  fclose(f);
  expect_error(TMP "deep.yaml", NULL, "nesting deeper than 64 levels");
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  opt.max_depth = 3;
  expect_error(DATA "good.yaml", &opt, "nesting deeper than 3 levels");
}

static void test_size_and_node_caps(void **state) {
  (void)state;
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  opt.max_file_bytes = 100;
  expect_error(DATA "good.yaml", &opt, "is larger than the limit of 100 bytes");
  opt = (scn_load_options)SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  opt.max_nodes = 50;
  expect_error(DATA "good.yaml", &opt, "document too large: more than 50 nodes");
}

/* ---- overrides ------------------------------------------------------------------------ */

static void test_overrides(void **state) {
  (void)state;
  const char *set[] = {"scenario.seed=7",
                       "theater.places.kadena.lat=26.5",
                       "forces.1.count=3",
                       "forces.lst.speed=12kn",
                       "crisis.events.pla-response.branches.quarantine.p=0.5",
                       "crisis.events.declaration.at=2h"};
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  opt.overrides = set;
  opt.noverrides = sizeof set / sizeof set[0];
  scn_scenario *plain = load_ok(DATA "good.yaml", NULL);
  scn_scenario *sc = load_ok(DATA "good.yaml", &opt);
  assert_int_equal(sc->seed, 7);
  assert_float_equal(sc->place[0].lat, 26.5, 0);
  assert_float_equal(sc->route[0].lat[2], 26.5, 0); /* waypoints copy the overridden place */
  assert_int_equal(sc->force[1].count, 3);
  assert_float_equal(sc->force[0].speed, 12 * KN, 1e-12);
  assert_float_equal(sc->event[2].p, 0.5, 0);
  assert_float_equal(sc->event[0].trigger.at, 2 * H, 0);
  /* The same files and overrides hash the same; an override changes the hash. */
  scn_scenario *again = load_ok(DATA "good.yaml", &opt);
  assert_string_equal(sc->hash, again->hash);
  assert_string_not_equal(sc->hash, plain->hash);
  scn_free(again);
  scn_free(sc);
  scn_free(plain);
}

/* The scenario hash is SHA-256 over each input framed by its length (8 bytes,
 * little-endian), in reading order: the main file, then its includes, then each
 * override (docs/scenario.md).  One byte changed in an include changes it. */
static void frame(hash_sha256 *h, const char *text, size_t n) {
  unsigned char len[8];
  for (int i = 0; i < 8; i++) len[i] = (unsigned char)((uint64_t)n >> (8 * i));
  hash_sha256_update(h, len, sizeof len);
  hash_sha256_update(h, text, n);
}

static void test_hash_definition(void **state) {
  (void)state;
  static const char inc[] = "theater:\n  places:\n    - {id: a, name: A, kind: port, lat: 26, lon: 127}\n";
  static const char inc2[] = "theater:\n  places:\n    - {id: a, name: A, kind: port, lat: 26, lon: 128}\n";
  static const char main_text[] =
      "includes: [hash_inc.yaml]\n"
      "scenario: {name: h, epoch: 2027-04-01T00:00Z, horizon: 1d, seed: 1, replications: 1}\n";
  static const char *const set[] = {"scenario.seed=2"};
  write_file(TMP "hash_inc.yaml", inc);
  write_file(TMP "hash_main.yaml", main_text);
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  opt.overrides = set;
  opt.noverrides = 1;
  scn_scenario *sc = load_ok(TMP "hash_main.yaml", &opt);

  hash_sha256 h;
  char want[HASH_SHA256_HEX];
  hash_sha256_init(&h);
  frame(&h, main_text, strlen(main_text));
  frame(&h, inc, strlen(inc));
  frame(&h, set[0], strlen(set[0]) + 1); /* an override with its NUL, as before */
  hash_sha256_final_hex(&h, want);
  assert_string_equal(sc->hash, want);

  /* One byte of the include: another hash, and back again. */
  write_file(TMP "hash_inc.yaml", inc2);
  scn_scenario *changed = load_ok(TMP "hash_main.yaml", &opt);
  assert_string_not_equal(changed->hash, sc->hash);
  write_file(TMP "hash_inc.yaml", inc);
  scn_scenario *back = load_ok(TMP "hash_main.yaml", &opt);
  assert_string_equal(back->hash, sc->hash);
  scn_free(back);
  scn_free(changed);
  scn_free(sc);
}

static void test_override_shared_alias_is_copied(void **state) {
  (void)state;
  const char *set[] = {"crisis.events.b.delay.max=5h"};
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  opt.overrides = set;
  opt.noverrides = 1;
  write_alias_ok();
  scn_scenario *sc = load_ok(TMP "alias_ok.yaml", &opt);
  assert_float_equal(sc->event[0].delay.b, 2 * H, 0); /* the anchor's user keeps its value */
  assert_float_equal(sc->event[1].delay.b, 5 * H, 0);
  scn_free(sc);
}

static void test_bad_overrides(void **state) {
  (void)state;
  static const struct {
    const char *set, *message;
  } cases[] = {
      {"nope.x=1", "override 'nope.x=1': no key 'nope' in the top level"},
      {"theater.places.zzz.lat=1", "no item with id 'zzz' in 'theater.places'"},
      {"forces.9.count=1", "no item with id '9' in 'forces'"},
      {"scenario.name.x=1", "'scenario.name' is a single value, it has no 'x'"},
      {"theater.places=1", "'theater.places' is a list, not a single value"},
      {"scenario.seed", "override 'scenario.seed': expected path.to.key=value"},
      {"scenario..seed=1", "empty key in the path"},
      {"scenario.sed=1", "unknown key 'sed' in scenario (did you mean 'seed'?)"},
      {"scenario.horizon=12", "missing unit in '12'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
    ops_load_options(&opt);
    opt.overrides = &cases[i].set;
    opt.noverrides = 1;
    diag *d = diag_new();
    scn_scenario *sc = NULL;
    assert_int_equal(scn_load(&sc, DATA "good.yaml", &opt, d), ERR_INPUT);
    const diag_entry *e = find_message(d, cases[i].message);
    if (!e) {
      dump(d);
      fail_msg("--set %s: no '%s'", cases[i].set, cases[i].message);
    }
    assert_string_equal(e->file, "--set"); /* located in the override, line 1 */
    assert_int_equal(e->line, 1);
    diag_free(d);
  }
}

/* ---- one pass ------------------------------------------------------------------------ */

static void test_all_errors_in_one_pass(void **state) {
  (void)state;
  static const char *const expected[] = {
      "'epoch' should be a UTC time like '2027-04-01T00:00Z', got '2027-04-31T00:00Z'",
      "missing unit in '12' (a duration needs one: s, min, h, d, w)",
      "unknown key 'lattitude' in place (did you mean 'lat'?)",
      "'lat' must be in [-90, 90], got '91.5'",
      "duplicate place id 'naha' (first defined at " DATA "multi.yaml:11:12)",
      "missing required key 'id' in place",
      "'polygon' needs at least 3 vertices, got 2",
      "unknown place id 'kadna'",
      "'20kn' is a speed, expected a mass or a volume",
      "trigger cycle: 'a' -> 'b' -> 'a' (each waits for the next)",
      "unknown distribution 'expo' (did you mean 'exponential'?)",
      "'p' must be in [0, 1], got '1.5'",
      "branch shares of event 'b' sum to 1.3, more than 1",
      "event 'c' has both 'at' and 'after'; give one",
      "event 'd' needs a trigger: 'at' or 'after'",
      "unknown section 'foo'",
      "missing required key 'assets' in sar", /* sar is modelled now (issue 9) */
  };
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  assert_int_equal(scn_load(&sc, DATA "multi.yaml", mission_sections(), d), ERR_INPUT);
  assert_null(sc);
  for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
    if (!find_message(d, expected[i])) {
      dump(d);
      fail_msg("missing: %s", expected[i]);
    }
  assert_int_equal(diag_count(d, DIAG_ERROR), 30); /* sar's missing assets: an error now */
  assert_int_equal(diag_count(d, DIAG_WARNING), 1);
  diag_free(d);
}

static void test_without_a_diag(void **state) {
  (void)state;
  scn_scenario *sc = NULL;
  assert_int_equal(scn_load(&sc, DATA "multi.yaml", mission_sections(), NULL), ERR_INPUT);
  assert_int_equal(scn_load(&sc, DATA "good.yaml", mission_sections(), NULL), 0);
  scn_free(sc);
}

/* ---- documentation examples ----------------------------------------------------------- */

static char *read_all(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  char *text = malloc(cap);
  size_t got;
  while (text && (got = fread(text + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (n + 1 == cap) text = realloc(text, cap *= 2);
  }
  fclose(f);
  if (text) text[n] = '\0';
  return text;
}

/* Every ```yaml block of docs/scenario.md that holds a whole scenario (a top-level
 * `scenario:` line) must load without errors: the documentation stays true. */
static void test_docs_examples_load(void **state) {
  (void)state;
  char *doc = read_all(SCN_DOCS);
  assert_non_null(doc);
  int full = 0;
  for (char *p = strstr(doc, "```yaml\n"); p; p = strstr(p, "```yaml\n")) {
    char *body = p + 8, *end = strstr(body, "\n```");
    assert_non_null(end);
    end[1] = '\0';
    p = end + 2;
    if (strncmp(body, "scenario:", 9) != 0 && !strstr(body, "\nscenario:")) continue;
    char path[256];
    snprintf(path, sizeof path, TMP "doc_example_%d.yaml", ++full);
    write_file(path, body);
    diag *d = diag_new();
    scn_scenario *sc = NULL;
    if (scn_load(&sc, path, mission_sections(), d) != 0) {
      dump(d);
      fail_msg("docs/scenario.md example %d does not load:\n%s", full, body);
    }
    scn_free(sc);
    diag_free(d);
  }
  free(doc);
  assert_true(full >= 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_header_and_theater),
      cmocka_unit_test(test_forces),
      cmocka_unit_test(test_crisis),
      cmocka_unit_test(test_distributions),
      cmocka_unit_test(test_includes_merge),
      cmocka_unit_test(test_include_diamond_is_read_once),
      cmocka_unit_test(test_include_cycle),
      cmocka_unit_test(test_include_problems),
      cmocka_unit_test(test_include_confinement),
      cmocka_unit_test(test_seed_range),
      cmocka_unit_test(test_missing_main_file_is_io),
      cmocka_unit_test(test_alias_bomb_is_rejected_fast),
      cmocka_unit_test(test_recursive_alias),
      cmocka_unit_test(test_aliases_share_nodes),
      cmocka_unit_test(test_depth_cap),
      cmocka_unit_test(test_size_and_node_caps),
      cmocka_unit_test(test_overrides),
      cmocka_unit_test(test_hash_definition),
      cmocka_unit_test(test_override_shared_alias_is_copied),
      cmocka_unit_test(test_bad_overrides),
      cmocka_unit_test(test_all_errors_in_one_pass),
      cmocka_unit_test(test_without_a_diag),
      cmocka_unit_test(test_docs_examples_load),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
