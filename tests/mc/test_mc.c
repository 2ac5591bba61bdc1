/* test_mc.c - the runner: same numbers for any thread count, resume equals an
 * uninterrupted run, --until-ci stops at the same batch, failures store nothing. */
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
#include <sqlite3.h>

#include "diag.h"
#include "err.h"
#include "mc.h"
#include "scenario.h"
#include "stats.h"
#include "store.h"
#include "sweep.h"
#include "ops.h"

/* Small and fast, with every kind of metric: certain and uncertain events, branches,
 * a closed site (a series point each time), an active region. */
static const char scenario_yaml[] =
    "scenario:\n"
    "  name: mc test\n"
    "  epoch: 2027-04-01T00:00Z\n"
    "  horizon: 10d\n"
    "  seed: 12345\n"
    "  replications: 40\n"
    "  notional: true\n"
    "theater:\n"
    "  places:\n"
    "    - {id: naha, name: Naha Port, kind: port, lat: 26.2124, lon: 127.6792,\n"
    "       nation: JP, source: test}\n"
    "  regions:\n"
    "    - id: zone\n"
    "      name: Zone\n"
    "      kind: combat_area\n"
    "      polygon: [[26.2, 119.5], [26.2, 123.0], [21.6, 122.5], [21.6, 119.5]]\n"
    "      source: test\n"
    "crisis:\n"
    "  events:\n"
    "    - id: start\n"
    "      name: Start\n"
    "      at: 0h\n"
    "    - id: response\n"
    "      name: Response\n"
    "      after: start\n"
    "      delay: {dist: lognormal, median: 48h, sigma: 0.5}\n"
    "      p: 0.9\n"
    "      branches:\n"
    "        - id: quarantine\n"
    "          name: Quarantine\n"
    "          p: 0.6\n"
    "          raises:\n"
    "            - {signal: region_active, region: zone}\n"
    "        - id: blockade\n"
    "          name: Blockade\n"
    "          p: 0.4\n"
    "          raises:\n"
    "            - {signal: region_active, region: zone}\n"
    "    - id: strike\n"
    "      name: Strike\n"
    "      after: {any_of: [blockade, quarantine]}\n"
    "      delay: {dist: exponential, mean: 3d}\n"
    "      p: 0.6\n"
    "      raises:\n"
    "        - {signal: site_closed, place: naha, for: {dist: uniform, min: 12h, max: 72h}}\n";

typedef struct fixture {
  char dir[64];
  char yaml[128];
  char db[3][128];
  diag *d;
  scn_scenario *sc;
  store *st[3];
} fixture;

static void dump_diag(const diag *d) {
  for (size_t i = 0; i < diag_size(d); i++)
    print_message("diag: %s\n", diag_at(d, i)->message);
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/straits-mc-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  snprintf(f->yaml, sizeof f->yaml, "%s/mc.yaml", f->dir);
  FILE *fp = fopen(f->yaml, "w");
  assert_non_null(fp);
  assert_int_equal(fwrite(scenario_yaml, 1, sizeof scenario_yaml - 1, fp),
                   sizeof scenario_yaml - 1);
  fclose(fp);
  f->d = diag_new();
  assert_non_null(f->d);
  scn_load_options lo = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&lo);
  int err = scn_load(&f->sc, f->yaml, &lo, f->d);
  if (err) {
    dump_diag(f->d);
    fail_msg("scn_load: %s", err_strerror(err));
  }
  for (int i = 0; i < 3; i++) {
    char dir[sizeof f->dir];
    memcpy(dir, f->dir, sizeof dir); /* snprintf from one member of f into another */
    snprintf(f->db[i], sizeof f->db[i], "%s/s%d.db", dir, i);
    assert_int_equal(store_open(&f->st[i], f->db[i], f->d), 0);
  }
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  char p[160];
  static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
  for (int i = 0; i < 3; i++) {
    store_close(f->st[i]);
    for (size_t k = 0; k < sizeof suffix / sizeof *suffix; k++) {
      snprintf(p, sizeof p, "%s%s", f->db[i], suffix[k]);
      unlink(p);
    }
  }
  unlink(f->yaml);
  rmdir(f->dir);
  scn_free(f->sc);
  diag_free(f->d);
  free(f);
  return 0;
}

static mc_result *run_ok(fixture *f, store *st, const mc_options *o) {
  mc_result *r = NULL;
  int err = mc_run(&r, f->sc, o, st, f->d);
  if (err) {
    dump_diag(f->d);
    fail_msg("mc_run: %s (threads %d, replications %d)", err_strerror(err), o->threads,
             o->replications);
  }
  assert_non_null(r);
  return r;
}

static void assert_same_summary(const mc_result *a, const mc_result *b) {
  assert_int_equal(a->metrics.n, b->metrics.n);
  assert_int_equal(a->replications, b->replications);
  for (size_t m = 0; m < a->metrics.n; m++) {
    assert_string_equal(a->metrics.def[m].name, b->metrics.def[m].name);
    if (memcmp(&a->summary[m], &b->summary[m], sizeof a->summary[m]) != 0)
      fail_msg("summary of '%s' differs: mean %.17g vs %.17g, n %zu vs %zu",
               a->metrics.def[m].name, a->summary[m].mean, b->summary[m].mean,
               a->summary[m].n, b->summary[m].n);
  }
}

/* Every stored value of two runs, bit for bit. */
static void assert_same_values(store *sa, const mc_result *a, store *sb, const mc_result *b) {
  size_t n = (size_t)a->replications;
  double *va = malloc(n * sizeof *va), *vb = malloc(n * sizeof *vb);
  assert_true(va && vb);
  for (size_t m = 0; m < a->metrics.n; m++) {
    assert_int_equal(store_metric_values(sa, a->run_id, &a->metrics, (int)m, va, n), 0);
    assert_int_equal(store_metric_values(sb, b->run_id, &b->metrics, (int)m, vb, n), 0);
    if (memcmp(va, vb, n * sizeof *va) != 0)
      fail_msg("stored values of '%s' differ", a->metrics.def[m].name);
  }
  free(va);
  free(vb);
}

typedef struct progress_log {
  int calls, last_done, last_total;
  int monotonic;
} progress_log;

static void on_progress(int done, int total, double elapsed_s, void *ctx) {
  progress_log *p = ctx;
  if (done <= p->last_done || !(elapsed_s >= 0))
    p->monotonic = 0;
  p->calls++;
  p->last_done = done;
  p->last_total = total;
}


/* The run's summary is read back from the store a chunk of replications at a time
 * (issue 22): it must equal stats_summarize over each metric's whole column, bit for
 * bit, and a fresh reader must never be handed more than a chunk of values at once. */
static void test_streaming_summary(void **state) {
  fixture *f = *state;
  mc_options o = MC_OPTIONS_INIT;
  o.replications = 300;
  o.threads = 2;
  o.version = "test";
  mc_result *r = run_ok(f, f->st[0], &o);
  const size_t n = (size_t)r->replications, nm = r->metrics.n;
  double *col = malloc(n * sizeof *col), *scratch = malloc(n * sizeof *scratch);
  assert_true(col && scratch && n == 300 && nm > 0);
  for (size_t m = 0; m < nm; m++) {
    stats_summary want;
    assert_int_equal(store_metric_values(f->st[0], r->run_id, &r->metrics, (int)m, col, n), 0);
    stats_summarize(&want, col, n, metric_stats_kind(r->metrics.def[m].flags), scratch);
    if (memcmp(&want, &r->summary[m], sizeof want) != 0)
      fail_msg("summary of '%s' differs from the whole column's: p50 %.17g vs %.17g, "
               "sd %.17g vs %.17g", r->metrics.def[m].name, r->summary[m].p50, want.p50,
               r->summary[m].sd, want.sd);
  }
  store *fresh = NULL;
  assert_int_equal(store_open(&fresh, f->db[0], f->d), 0);
  assert_int_equal(store_peak_values(fresh), 0);
  free(r->summary);
  r->summary = NULL;
  assert_int_equal(mc_result_summarize(r, fresh, f->d), 0);
  size_t chunk = STATS_STREAM_CHUNK > nm ? STATS_STREAM_CHUNK : nm;
  if (store_peak_values(fresh) == 0 || store_peak_values(fresh) > chunk)
    fail_msg("the summary read %zu values at once (chunk %zu)", store_peak_values(fresh),
             chunk);
  store_close(fresh);
  free(col);
  free(scratch);
  mc_result_free(r);
}

static void test_threads_identical(void **state) {
  fixture *f = *state;
  mc_options o = MC_OPTIONS_INIT;
  progress_log pl = {0, 0, 0, 1};
  o.replications = 60;
  o.batch = 16; /* the last batch is short */
  o.threads = 1;
  o.version = "test";
  o.progress = on_progress;
  o.progress_ctx = &pl;
  mc_result *r1 = run_ok(f, f->st[0], &o);
  o.threads = 2; /* batches are written while the next one runs: same progress */
  progress_log pl2 = {0, 0, 0, 1};
  o.progress_ctx = &pl2;
  mc_result *r2 = run_ok(f, f->st[0], &o);
  assert_int_equal(pl2.calls, 4);
  assert_int_equal(pl2.last_done, 60);
  assert_true(pl2.monotonic);
  o.progress = NULL;
  o.threads = 1000; /* more than MC_MAX_THREADS and than a batch: fine */
  mc_result *r7 = run_ok(f, f->st[0], &o);

  assert_int_equal(r1->replications, 60);
  assert_int_equal(r1->ran, 60);
  assert_int_equal(r1->converged, 1);
  assert_true(r1->run_id != r2->run_id); /* no resume: a new run each time */
  assert_true(r1->metrics.n >= 8);
  assert_same_summary(r1, r2);
  assert_same_summary(r1, r7);
  assert_same_values(f->st[0], r1, f->st[0], r2);
  assert_same_values(f->st[0], r1, f->st[0], r7);
  assert_int_equal(pl.calls, 4);
  assert_int_equal(pl.last_done, 60);
  assert_int_equal(pl.last_total, 60);
  assert_true(pl.monotonic);

  /* The numbers make sense: 'start' always occurs, 'strike' sometimes. */
  int start = metric_find(&r1->metrics, "crisis", "start.occurred");
  int strike = metric_find(&r1->metrics, "crisis", "strike.occurred");
  assert_true(start >= 0 && strike >= 0);
  assert_true(r1->summary[start].mean == 1.0);
  assert_true(r1->summary[strike].mean > 0.0 && r1->summary[strike].mean < 1.0);
  assert_int_equal(r1->summary[start].n, 60);

  /* The registry equals what mc_define_metrics gives. */
  metric_set ms;
  assert_int_equal(mc_define_metrics(&ms, f->sc, f->d), 0);
  assert_int_equal(ms.n, r1->metrics.n);
  for (size_t m = 0; m < ms.n; m++)
    assert_string_equal(ms.def[m].name, r1->metrics.def[m].name);
  metric_set_release(&ms);

  mc_result_free(r1);
  mc_result_free(r2);
  mc_result_free(r7);
  mc_result_free(NULL);
}

static void exec_sql(const char *path, const char *sql) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
    fail_msg("%s: %s", sql, msg);
  sqlite3_close(db);
}

static long long count_rows(const char *path, const char *sql) {
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  long long v = -1;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
  if (sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

static void test_resume(void **state) {
  fixture *f = *state;
  mc_options o = MC_OPTIONS_INIT;
  o.batch = 8;
  o.version = "test";

  /* Reference: 40 uninterrupted replications on 1 thread in store 1. */
  o.replications = 40;
  o.threads = 1;
  mc_result *ref = run_ok(f, f->st[1], &o);
  assert_int_equal(ref->ran, 40);

  /* Store 0: 20, then resumed to 40 with another thread count. */
  o.replications = 20;
  o.threads = 2;
  o.resume = 1; /* finds nothing: starts a run */
  mc_result *a = run_ok(f, f->st[0], &o);
  assert_int_equal(a->ran, 20);
  assert_int_equal(a->replications, 20);
  o.replications = 40;
  mc_result *b = run_ok(f, f->st[0], &o);
  assert_int_equal(b->run_id, a->run_id);
  assert_int_equal(b->ran, 20);
  assert_int_equal(b->replications, 40);
  assert_same_summary(ref, b);
  assert_same_values(f->st[1], ref, f->st[0], b);
  assert_int_equal(count_rows(f->db[0], "SELECT replications_done FROM run"), 40);
  assert_int_equal(count_rows(f->db[0], "SELECT replications_planned FROM run"), 40);
  assert_int_equal(count_rows(f->db[0], "SELECT count(*) FROM run"), 1);

  /* Resuming a complete run runs nothing and says the same. */
  mc_result *c = run_ok(f, f->st[0], &o);
  assert_int_equal(c->ran, 0);
  assert_same_summary(ref, c);

  /* Holes (not something a killed run leaves, but resume must not care): forget
   * replications 5, 6 and 33, then resume. */
  exec_sql(f->db[0], "PRAGMA foreign_keys = ON;"
                     "DELETE FROM replication WHERE idx IN (5, 6, 33);");
  o.threads = 3;
  mc_result *e = run_ok(f, f->st[0], &o);
  assert_int_equal(e->run_id, a->run_id);
  assert_int_equal(e->ran, 3);
  assert_same_summary(ref, e);
  assert_same_values(f->st[1], ref, f->st[0], e);

  /* Without resume, the same options start a new run. */
  o.resume = 0;
  mc_result *g = run_ok(f, f->st[0], &o);
  assert_true(g->run_id != a->run_id);
  assert_int_equal(g->ran, 40);
  assert_same_summary(ref, g);

  mc_result_free(ref);
  mc_result_free(a);
  mc_result_free(b);
  mc_result_free(c);
  mc_result_free(e);
  mc_result_free(g);
}

static void test_resume_mismatch(void **state) {
  fixture *f = *state;
  mc_options o = MC_OPTIONS_INIT;
  mc_result *r = NULL;
  o.replications = 10;
  o.batch = 5;
  o.version = "test";
  mc_result *a = run_ok(f, f->st[0], &o);
  /* A run with the same key whose registry differs, as if a model changed without a
   * version bump. */
  exec_sql(f->db[0], "UPDATE metric_def SET unit = 'h' WHERE name = 'start.time'");
  o.resume = 1;
  assert_int_equal(mc_run(&r, f->sc, &o, f->st[0], f->d), ERR_MISMATCH);
  assert_null(r);
  assert_true(diag_count(f->d, DIAG_ERROR) >= 1);
  /* A different version is another key: a new run. */
  o.version = "test2";
  mc_result *b = run_ok(f, f->st[0], &o);
  assert_true(b->run_id != a->run_id);
  assert_int_equal(b->ran, 10);
  mc_result_free(a);
  mc_result_free(b);
}

static void test_until_ci(void **state) {
  fixture *f = *state;
  mc_options o = MC_OPTIONS_INIT;
  o.replications = 5000;
  o.until_ci = 0.25;
  o.min_replications = 30;
  o.batch = 25;
  o.version = "test";
  o.threads = 1;
  mc_result *r1 = run_ok(f, f->st[0], &o);
  o.threads = 2;
  mc_result *r2 = run_ok(f, f->st[1], &o);
  assert_int_equal(r1->converged, 1);
  assert_true(r1->replications < 5000);
  assert_true(r1->replications >= 30);
  assert_int_equal(r1->replications % 25, 0);
  assert_int_equal(r1->ran, r1->replications);
  assert_same_summary(r1, r2);
  for (size_t m = 0; m < r1->metrics.n; m++)
    if (r1->metrics.def[m].flags & METRIC_HEADLINE)
      assert_true(stats_converged(&r1->summary[m], 0.25));

  /* Interrupted early (a cap below the stopping point), then resumed: same stop. */
  o.replications = 40; /* a short last batch: checks at 25 and 40 */
  o.resume = 1;
  mc_result *a = run_ok(f, f->st[2], &o);
  assert_int_equal(a->converged, 0);
  assert_int_equal(a->replications, 40);
  o.replications = 5000;
  mc_result *b = run_ok(f, f->st[2], &o);
  assert_int_equal(b->run_id, a->run_id);
  assert_same_summary(r1, b);

  /* The largest cap costs nothing until it is reached: same stop. */
  o.replications = MC_MAX_REPLICATIONS;
  o.resume = 0;
  mc_result *big = run_ok(f, f->st[1], &o);
  assert_same_summary(r1, big);
  mc_result_free(big);

  /* A cap reached before convergence is reported as such. */
  o.replications = 10;
  o.resume = 0;
  mc_result *c = run_ok(f, f->st[2], &o);
  assert_int_equal(c->converged, 0);
  assert_int_equal(c->replications, 10);

  mc_result_free(r1);
  mc_result_free(r2);
  mc_result_free(a);
  mc_result_free(b);
  mc_result_free(c);
}

static void test_failure(void **state) {
  fixture *f = *state;
  mc_options o = MC_OPTIONS_INIT;
  mc_result *r = NULL;
  o.replications = 20;
  o.batch = 10;
  o.version = "test";
  o.threads = 2;
  o.arena_cap = 64; /* too small for any replication */
  assert_int_equal(mc_run(&r, f->sc, &o, f->st[0], f->d), ERR_LIMIT);
  assert_null(r);
  assert_int_equal(diag_count(f->d, DIAG_ERROR), 1);
  assert_non_null(strstr(diag_at(f->d, 0)->message, "replication 0 failed"));
  /* which limit, and its value */
  assert_non_null(strstr(diag_at(f->d, 0)->message, "limit of 64 bytes (the arena cap)"));
  assert_int_equal(count_rows(f->db[0], "SELECT count(*) FROM replication"), 0);

  /* Bad options are refused before anything runs. */
  o.arena_cap = 0;
  o.batch = 0;
  assert_int_equal(mc_run(&r, f->sc, &o, f->st[0], f->d), ERR_USAGE);
  o.batch = 10;
  o.replications = MC_MAX_REPLICATIONS + 1;
  assert_int_equal(mc_run(&r, f->sc, &o, f->st[0], f->d), ERR_LIMIT);
  o.replications = 20;
  o.until_ci = NAN;
  assert_int_equal(mc_run(&r, f->sc, &o, f->st[0], f->d), ERR_USAGE);
  assert_null(r);
  /* The store still works after all that. */
  o.until_ci = 0;
  r = run_ok(f, f->st[0], &o);
  assert_int_equal(r->ran, 20);
  mc_result_free(r);
  assert_int_equal(count_rows(f->db[0], "SELECT count(*) FROM replication"), 20);
}


/* A draw the kernel cannot schedule (an infinite delay) fails the run located at
 * the delay's definition, naming the event, as bad input -- whatever the thread
 * count.  The loader refuses such parameters (dist_largest), so they are put in
 * behind its back here, as a distribution it cannot bound would be (issue 21). */
static void test_located_failure(void **state) {
  fixture *f = *state;
  int e = scn_event_find(f->sc, "response");
  assert_true(e >= 0);
  scn_event *ev = (scn_event *)&f->sc->event[e]; /* the test's own copy: safe to alter */
  const dist keep = ev->delay;
  ev->delay = (dist){DIST_WEIBULL, 0.001, 3600, 0, NULL, 0};
  for (int threads = 1; threads <= 2; threads++) {
    mc_options o = MC_OPTIONS_INIT;
    mc_result *r = NULL;
    o.replications = 40;
    o.version = "test";
    o.threads = threads;
    diag *d = diag_new();
    assert_int_equal(mc_run(&r, f->sc, &o, f->st[threads - 1], d), ERR_INPUT);
    assert_null(r);
    assert_int_equal(diag_count(d, DIAG_ERROR), 1);
    const diag_entry *m = diag_at(d, 0);
    assert_string_equal(m->file, f->yaml);
    assert_int_equal(m->line, ev->delay_loc.line);
    assert_int_equal(m->col, ev->delay_loc.col);
    /* where the text has it: the line of "delay: {dist: lognormal", column 14 */
    const char *at = strstr(scenario_yaml, "delay: {dist: lognormal");
    int line = 1;
    for (const char *p = scenario_yaml; p < at; p++) line += *p == '\n';
    assert_int_equal(m->line, line);
    assert_int_equal(m->col, 14);
    assert_non_null(strstr(m->message, "the delay of event 'response' drew inf"));
    diag_free(d);
  }
  ev->delay = keep;
}

/* A store that refuses a write in the middle of a threaded run -- while the next
 * batch is already running (mc.c writes a batch during the next) -- stops the run
 * with the store's error: the batches before are kept whole, nothing of the refused
 * one, and the workers are not left running. */
static void test_store_error_midrun(void **state) {
  fixture *f = *state;
  mc_options o = MC_OPTIONS_INIT;
  mc_result *r = NULL;
  o.replications = 50;
  o.batch = 10;
  o.version = "test";
  o.threads = 2;
  exec_sql(f->db[0], "CREATE TRIGGER refuse BEFORE INSERT ON replication "
                     "WHEN NEW.idx = 25 BEGIN SELECT RAISE(ABORT, 'refused'); END;");
  assert_int_equal(mc_run(&r, f->sc, &o, f->st[0], f->d), ERR_STORE);
  assert_null(r);
  assert_int_equal(diag_count(f->d, DIAG_ERROR), 1);
  assert_int_equal(count_rows(f->db[0], "SELECT count(*) FROM replication"), 20);
  assert_int_equal(count_rows(f->db[0], "SELECT max(idx) FROM replication"), 19);
  assert_int_equal(count_rows(f->db[0], "SELECT replications_done FROM run"), 20);

  /* Without the obstacle the run resumes to the same numbers as one in one go. */
  exec_sql(f->db[0], "DROP TRIGGER refuse;");
  o.resume = 1;
  mc_result *a = run_ok(f, f->st[0], &o);
  assert_int_equal(a->ran, 30);
  o.resume = 0;
  o.threads = 1;
  mc_result *b = run_ok(f, f->st[1], &o);
  assert_same_summary(a, b);
  assert_same_values(f->st[0], a, f->st[1], b);
  mc_result_free(a);
  mc_result_free(b);
}

/* A sweep split in two parts, then gathered by part 0 (what MPI rank 0 does): the
 * same numbers as one process, bit for bit; a part without the sweep is reported as
 * ERR_NOTFOUND (the caller then falls back to --merge and resume). */
static void test_sweep_gather(void **state) {
  fixture *f = *state;
  char path[160], empty[160];
  snprintf(path, sizeof path, "%s/sweep.yaml", f->dir);
  snprintf(empty, sizeof empty, "%s/empty.db", f->dir);
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fputs("sweep:\n  name: gather\n  scenario: mc.yaml\n  replications: 12\n  factors:\n"
        "    - {set: crisis.events.strike.p, values: [0.3, 0.7]}\n"
        "    - {set: crisis.events.response.p, values: [0.5, 0.9]}\n", fp);
  fclose(fp);
  scn_sweep *sw = NULL;
  assert_int_equal(scn_sweep_load(&sw, path, f->d), 0);
  mc_sweep_options so = MC_SWEEP_OPTIONS_INIT;
  so.mc.version = "test";
  so.mc.threads = 2;
  so.mc.batch = 5;
  mc_sweep_result *ref = NULL, *part0 = NULL, *part1 = NULL;
  assert_int_equal(mc_sweep_run(&ref, sw, &so, f->st[2], f->d), 0);
  so.nparts = 2;
  so.part = 1;
  assert_int_equal(mc_sweep_run(&part1, sw, &so, f->st[1], f->d), 0);
  so.part = 0;
  assert_int_equal(mc_sweep_run(&part0, sw, &so, f->st[0], f->d), 0);

  const char *none[] = {empty};
  assert_int_equal(mc_sweep_gather(part0, sw, &so, f->st[0], none, 1, f->d), ERR_NOTFOUND);
  const char *parts[] = {f->db[1]};
  assert_int_equal(mc_sweep_gather(part0, sw, &so, f->st[0], parts, 1, f->d), 0);
  assert_int_equal(diag_count(f->d, DIAG_ERROR), 0);
  for (int p = 0; p < 4; p++) {
    assert_int_equal(part0->point[p].result->replications, 12);
    assert_same_summary(ref->point[p].result, part0->point[p].result);
    assert_same_values(f->st[2], ref->point[p].result, f->st[0], part0->point[p].result);
  }
  assert_int_equal(count_rows(f->db[0], "SELECT count(*) FROM replication"), 48);
  /* Gathering again copies nothing twice. */
  assert_int_equal(mc_sweep_gather(part0, sw, &so, f->st[0], parts, 1, f->d), 0);
  assert_int_equal(count_rows(f->db[0], "SELECT count(*) FROM replication"), 48);

  mc_sweep_result_free(ref);
  mc_sweep_result_free(part0);
  mc_sweep_result_free(part1);
  scn_sweep_free(sw);
  unlink(path);
  static const char *const suffix[] = {"", "-wal", "-shm"};
  for (size_t k = 0; k < sizeof suffix / sizeof *suffix; k++) {
    char e[200];
    snprintf(e, sizeof e, "%s%s", empty, suffix[k]);
    unlink(e);
  }
}

/* A share claimed as the run goes (what MPI ranks do, sweep_mpi.c), simulated in one
 * process: part A claims chunks 0, 2, 4, ... of 7 replications, part B the others;
 * each sends what it stored, as packed bytes, to a third store that ran nothing itself.
 * That store then holds exactly the numbers of an ordinary run. */
typedef struct share {
  int parity, next, chunks;
  store *to;
  int64_t to_run;
  const metric_set *to_ms;
  int stored, committed, cap_seen;
  unsigned char seen[40];
} share;

static int share_claim(void *ctx, int *lo, int *hi) {
  share *s = ctx;
  int c = s->next * 2 + s->parity;
  if (c >= s->chunks) return 0;
  s->next++;
  *lo = 7 * c;
  *hi = 7 * c + 7;
  return 1;
}

static void share_stored(void *ctx, int rep, const void *bytes, size_t len) {
  share *s = ctx;
  assert_true(rep >= 0 && rep < 40 && !s->seen[rep]);
  s->seen[rep] = 1;
  s->stored++;
  assert_int_equal(store_put_packed(s->to, s->to_run, rep, s->to_ms, bytes, len, 1), 0);
}

static void share_committed(void *ctx, int ok) {
  share *s = ctx;
  assert_true(ok);
  s->committed++;
}

static void share_started(void *ctx, int64_t run_id, const metric_set *ms, int cap) {
  share *s = ctx;
  (void)run_id, (void)ms;
  s->cap_seen = cap;
}

static int claim_none(void *ctx, int *lo, int *hi) {
  (void)ctx, (void)lo, (void)hi;
  return 0;
}

static void test_claimed_share(void **state) {
  fixture *f = *state;
  mc_options o = MC_OPTIONS_INIT;
  o.replications = 40;
  o.batch = 10;
  o.version = "test";
  o.threads = 2;
  mc_result *ref = run_ok(f, f->st[0], &o);

  /* The gathering store: a run begun, nothing claimed. */
  mc_hooks none = {NULL, NULL, claim_none, NULL, NULL, NULL};
  o.hooks = &none;
  mc_result *all = run_ok(f, f->st[1], &o);
  assert_int_equal(all->ran, 0);
  assert_null(all->summary); /* a share is summarised by whoever gathers it */

  share a = {0, 0, 6, f->st[1], all->run_id, &all->metrics, 0, 0, 0, {0}};
  share b = a;
  b.parity = 1;
  mc_hooks ha = {&a, share_started, share_claim, share_stored, share_committed, NULL};
  mc_hooks hb = {&b, share_started, share_claim, share_stored, share_committed, NULL};
  o.hooks = &ha;
  mc_result *ra = run_ok(f, f->st[2], &o);
  o.hooks = &hb;
  mc_result *rb = run_ok(f, f->st[2], &o);
  assert_int_equal(a.cap_seen, 40);
  assert_int_equal(ra->ran, 21); /* chunks 0, 2, 4: 0-6, 14-20, 28-34 */
  assert_int_equal(rb->ran, 19); /* chunks 1, 3, 5: 7-13, 21-27, 35-39 */
  assert_int_equal(a.stored + b.stored, 40);
  assert_true(a.committed >= 3 && b.committed >= 3);

  all->replications = 40;
  assert_int_equal(mc_result_summarize(all, f->st[1], f->d), 0);
  assert_same_summary(ref, all);
  assert_same_values(f->st[0], ref, f->st[1], all);
  /* The same bytes offered again are skipped, not counted twice. */
  mc_hooks hb2 = hb;
  b.next = 0;
  memset(b.seen, 0, sizeof b.seen);
  o.hooks = &hb2;
  mc_result *rb2 = run_ok(f, f->st[2], &o);
  assert_int_equal(count_rows(f->db[1], "SELECT count(*) FROM replication"), 40);
  assert_int_equal(count_rows(f->db[1], "SELECT replications_done FROM run"), 40);
  mc_result_free(rb2);
  mc_result_free(ref);
  mc_result_free(all);
  mc_result_free(ra);
  mc_result_free(rb);
}

/* ---- models prepared once (mc_prepare) and the docs hooks' means ----------------
 * A probe model beside the crisis: it counts its preparations, and its docs hook
 * compares every metric's ops_mean from the runner's one pass (ops_results.mean) with
 * ops_mean from the metric's values, and its ops_summarize with stats_summarize over
 * the column ops_rows collects, bit for bit. */

extern const ops_module crisis_ops;
static int probe_prepares, probe_compared, probe_unobserved, probe_differ, probe_no_means;
static int probe_token;

static int probe_prepare(void **model, const scn_scenario *sc, const ops_context *ctx,
                         metric_set *ms, diag *d) {
  (void)sc, (void)ctx, (void)ms, (void)d;
  probe_prepares++;
  *model = &probe_token;
  return 0;
}

static void probe_release(void *model) { (void)model; }

/* A column collected by ops_rows (probe_summary). */
typedef struct probe_column {
  double *v;
} probe_column;

static int probe_keep(void *fctx, size_t rep, const double *v) {
  ((probe_column *)fctx)->v[rep] = v[0];
  return 0;
}

static int same_double(double a, double b) { return !memcmp(&a, &b, sizeof a); }

/* Metric m's ops_summarize against stats_summarize over its column, read with
 * ops_rows through the runner's chunked reads: 1 when every field has the same bits. */
static int probe_summary(const ops_results *r, int m) {
  stats_kind kind = r->ms->def[m].flags & METRIC_BINARY ? STATS_BINARY : STATS_REAL;
  probe_column col = {malloc((r->n ? r->n : 1) * sizeof(double))};
  double *scratch = malloc((r->n ? r->n : 1) * sizeof *scratch);
  stats_summary a, b;
  int same = col.v && scratch && !ops_rows(r, &m, 1, probe_keep, &col) &&
             !ops_summarize(&a, r, &m, 1, &kind);
  if (same) {
    stats_summarize(&b, col.v, r->n, kind, scratch);
    same = a.n == b.n && same_double(a.mean, b.mean) && same_double(a.sd, b.sd) &&
           same_double(a.half_width, b.half_width) && same_double(a.ci_lo, b.ci_lo) &&
           same_double(a.ci_hi, b.ci_hi) && same_double(a.min, b.min) &&
           same_double(a.p5, b.p5) && same_double(a.p50, b.p50) &&
           same_double(a.p95, b.p95) && same_double(a.max, b.max);
  }
  free(col.v), free(scratch);
  return same;
}

static int probe_docs(const void *model, const ops_results *r, strbuf *b,
                      const ops_doc_sink *sink) {
  (void)model, (void)b, (void)sink;
  ops_results scan = *r;
  scan.mean = NULL; /* ops_mean reads the values */
  probe_no_means += r->mean == NULL;
  for (size_t m = 0; m < r->ms->n; m++) {
    const metric_def *def = &r->ms->def[m];
    double fast = ops_mean(r, def->module, def->name);
    double slow = ops_mean(&scan, def->module, def->name);
    probe_compared++;
    probe_unobserved += isnan(slow);
    if (isnan(fast) != isnan(slow) || (!isnan(slow) && memcmp(&fast, &slow, sizeof fast)))
      probe_differ++;
    if (!probe_summary(r, (int)m)) probe_differ++;
  }
  return 0;
}

static const ops_module probe_ops = {.name = "probe", .title = "Probe",
                                     .prepare = probe_prepare, .docs = probe_docs,
                                     .release = probe_release};
static const ops_module *const probe_models[] = {&crisis_ops, &probe_ops};

static void test_prepared_once(void **state) {
  fixture *f = *state;
  assert_int_equal(ops_registry_use(probe_models, 2), 0);
  mc_options o = MC_OPTIONS_INIT;
  o.replications = 150;
  o.threads = 2;
  o.version = "test";
  /* Each call prepares its own models. */
  probe_prepares = 0;
  mc_result *own = run_ok(f, f->st[0], &o);
  assert_int_equal(mc_module_docs(f->st[0], own->run_id, f->sc, &o, f->d), 0);
  assert_int_equal(probe_prepares, 2);
  /* Prepared once: the run, its documents and its study hash use them. */
  mc_prepared *p = NULL;
  assert_int_equal(mc_prepare(&p, f->sc, &o, f->d), 0);
  o.prepared = p;
  mc_result *once = run_ok(f, f->st[1], &o);
  probe_compared = probe_unobserved = probe_differ = probe_no_means = 0;
  assert_int_equal(mc_module_docs(f->st[1], once->run_id, f->sc, &o, f->d), 0);
  /* The hooks' reads went a chunk at a time (ops_results.chunk). */
  assert_true(store_peak_values(f->st[1]) <= STATS_STREAM_CHUNK);
  char hash[HASH_SHA256_HEX];
  assert_int_equal(mc_study_hash(hash, f->sc, &o, f->d), 0);
  assert_int_equal(probe_prepares, 3);
  assert_string_equal(hash, own->study_hash);
  assert_string_equal(once->study_hash, own->study_hash);
  assert_same_summary(own, once);
  assert_same_values(f->st[0], own, f->st[1], once);
  /* The means: every metric, some never observed (an event's time where it did not
   * happen is NaN), the same bits as from the values. */
  assert_int_equal(probe_no_means, 0);
  assert_int_equal(probe_compared, (int)once->metrics.n);
  assert_true(probe_compared > 0);
  assert_int_equal(probe_differ, 0);
  /* Models prepared for another scenario are not this run's. */
  scn_scenario *other = NULL;
  scn_load_options lo = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&lo);
  assert_int_equal(scn_load(&other, f->yaml, &lo, f->d), 0);
  mc_result *bad = NULL;
  assert_int_equal(mc_run(&bad, other, &o, f->st[2], f->d), ERR_USAGE);
  assert_null(bad);
  assert_int_equal(mc_module_docs(f->st[1], once->run_id, other, &o, f->d), ERR_USAGE);
  scn_free(other);
  mc_prepared_free(p);
  mc_result_free(own);
  mc_result_free(once);
  assert_int_equal(ops_registry_use(NULL, 0), 0);
}

/* Some replications leave metrics unobserved; the probe saw NaN columns, so the
 * comparison above covered the NaN-skipping sums too. */
static void test_means_skip_unobserved(void **state) {
  fixture *f = *state;
  assert_int_equal(ops_registry_use(probe_models, 2), 0);
  mc_options o = MC_OPTIONS_INIT;
  o.replications = 60;
  o.version = "test";
  mc_result *r = run_ok(f, f->st[0], &o);
  size_t partial = 0, n = (size_t)r->replications;
  double *v = malloc(n * sizeof *v);
  assert_non_null(v);
  for (size_t m = 0; m < r->metrics.n; m++) {
    assert_int_equal(store_metric_values(f->st[0], r->run_id, &r->metrics, (int)m, v, n), 0);
    size_t nan = 0;
    for (size_t i = 0; i < n; i++) nan += isnan(v[i]);
    partial += nan > 0 && nan < n;
  }
  assert_true(partial > 0); /* some columns are observed in some replications only */
  probe_compared = probe_differ = probe_no_means = 0;
  assert_int_equal(mc_module_docs(f->st[0], r->run_id, f->sc, &o, f->d), 0);
  assert_int_equal(probe_compared, (int)r->metrics.n);
  assert_int_equal(probe_differ, 0);
  assert_int_equal(probe_no_means, 0);
  free(v);
  mc_result_free(r);
  assert_int_equal(ops_registry_use(NULL, 0), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_threads_identical, setup, teardown),
      cmocka_unit_test_setup_teardown(test_streaming_summary, setup, teardown),
      cmocka_unit_test_setup_teardown(test_resume, setup, teardown),
      cmocka_unit_test_setup_teardown(test_resume_mismatch, setup, teardown),
      cmocka_unit_test_setup_teardown(test_until_ci, setup, teardown),
      cmocka_unit_test_setup_teardown(test_failure, setup, teardown),
      cmocka_unit_test_setup_teardown(test_located_failure, setup, teardown),
      cmocka_unit_test_setup_teardown(test_store_error_midrun, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sweep_gather, setup, teardown),
      cmocka_unit_test_setup_teardown(test_claimed_share, setup, teardown),
      cmocka_unit_test_setup_teardown(test_prepared_once, setup, teardown),
      cmocka_unit_test_setup_teardown(test_means_skip_unobserved, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
