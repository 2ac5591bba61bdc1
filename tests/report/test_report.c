/* test_report.c - the report library: escaping, reading a run back (summaries, series
 * bands), paired comparison verdicts, exports; and the GSHHG coastline reader. */
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
#include "gshhg.h"
#include "metric.h"
#include "rep_internal.h"
#include "report.h"
#include "store.h"

/* ---- buf ------------------------------------------------------------------ */

/* The report's escapes of text put into HTML: JSON in a <script> element, a script's
 * text, and markup (JSON strings and numbers themselves: tests/core/test_jdoc.c). */
static void test_json_escaping(void **state) {
  (void)state;
  strbuf b = STRBUF_INIT;
  rep_script_json(&b, "{\"a\":\"</b><!--\"}"); /* every '<' in a string: no tag, no comment */
  assert_string_equal(b.s, "{\"a\":\"\\u003c/b>\\u003c!--\"}");
  b.len = 0; /* in place, after what the buffer held */
  strbuf_put(&b, "<p>");
  strbuf_put(&b, "{\"a\":\"<x<\",\"b\":1}");
  rep_script_json_tail(&b, 3);
  assert_string_equal(b.s, "<p>{\"a\":\"\\u003cx\\u003c\",\"b\":1}");
  b.len = 0;
  rep_script_text(&b, "x='</SCRIPT>'; y = a</b;");
  assert_string_equal(b.s, "x='<\\/SCRIPT>'; y = a</b;");
  b.len = 0;
  rep_html_escape(&b, "<a href=\"x\">&'");
  assert_string_equal(b.s, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  strbuf_release(&b);
}


/* CSV text cells: RFC 4180 quoting, and OWASP's neutralisation of cells a
 * spreadsheet would run as formulas -- but plain numbers stay numbers (issue 21). */
static void test_csv_cells(void **state) {
  (void)state;
  static const char *const cases[][2] = {
      {"plain", "plain"},
      {"a,b", "\"a,b\""},
      {"say \"x\"", "\"say \"\"x\"\"\""},
      {"=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""},
      {"+cmd|' /C calc'!A0", "\"'+cmd|' /C calc'!A0\""},
      {"-2+3", "\"'-2+3\""},
      {"@SUM(A1:A9)", "\"'@SUM(A1:A9)\""},
      {"\tx", "\"'\tx\""},
      {"\rx", "\"'\rx\""},
      {"-", "\"'-\""},
      {"-1.5", "-1.5"},
      {"+2", "+2"},
      {"-1e-3", "-1e-3"},
      {"-.5", "-.5"},
      {"-1e", "\"'-1e\""},
      {"x\ry", "\"x\ry\""},
      {"", ""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    strbuf b = STRBUF_INIT;
    rep_csv_cell(&b, cases[i][0]);
    if (!b.s || strcmp(b.s, cases[i][1]) != 0)
      fail_msg("cell '%s': got '%s', want '%s'", cases[i][0], b.s ? b.s : "", cases[i][1]);
    strbuf_release(&b);
  }
  /* Cells longer than the quoting's stack buffers (libcsv's csv_write, issue 23). */
  for (size_t len = 250; len <= 2000; len += 875) {
    char in[2048], want[4200];
    size_t w = 0;
    want[w++] = '"';
    want[w++] = '\'';
    in[0] = '=';
    want[w++] = '=';
    for (size_t k = 1; k < len; k++) {
      in[k] = "a\",b"[k % 4];
      want[w++] = in[k];
      if (in[k] == '"')
        want[w++] = '"';
    }
    in[len] = '\0';
    want[w++] = '"';
    want[w] = '\0';
    strbuf b = STRBUF_INIT;
    rep_csv_cell(&b, in);
    if (!b.s || strcmp(b.s, want) != 0)
      fail_msg("a %zu-byte cell: got '%.60s...', want '%.60s...'", len, b.s ? b.s : "", want);
    strbuf_release(&b);
  }
}

/* Stored documents are parsed (jansson), not scanned: a feature's layer is its
 * properties.layer, whatever its strings hold; a document that is not JSON is none. */
static void test_stored_docs(void **state) {
  (void)state;
  json_t *bad = rep__doc("{\"features\":[{\"type\":\"Feature\"}");
  assert_true(json_is_null(bad));
  json_decref(bad);
  json_t *none = rep__doc(NULL);
  assert_true(json_is_null(none));
  json_decref(none);
  json_t *doc = rep__doc(
      "{\"features\":[{\"properties\":{\"name\":\"\\\"layer\\\":\\\"route\\\"\",\"layer\":"
      "\"place\"}},{\"properties\":{\"layer\":\"route\",\"name\":\"</script>\"}},"
      "{\"properties\":{\"layer\":7}},{\"type\":\"Feature\"}]}");
  assert_true(json_is_object(doc));
  int first = 1;
  assert_int_equal(rep__features(NULL, doc, "route", NULL), 1);
  assert_int_equal(rep__features(NULL, doc, "place", NULL), 1);
  assert_int_equal(rep__features(NULL, doc, "7", NULL), 0);
  assert_int_equal(rep__features(NULL, doc, NULL, NULL), 4);
  strbuf b = STRBUF_INIT;
  assert_int_equal(rep__features(&b, doc, "route", &first), 1);
  assert_false(first);
  assert_string_equal(b.s, "\n{\"properties\":{\"layer\":\"route\",\"name\":\"</script>\"}}");
  rep__features(&b, doc, "place", &first); /* a second: after a comma */
  const char *second =
      ",\n{\"properties\":{\"name\":\"\\\"layer\\\":\\\"route\\\"\",\"layer\":\"place\"}}";
  assert_true(b.len > strlen(second));
  assert_string_equal(b.s + b.len - strlen(second), second);
  strbuf_release(&b);
  json_decref(doc);
}

/* ---- numbers as the report shows them ------------------------------------------ */

static const char *fmt(double v, double hw, int percent) {
  static char dst[64]; /* one test thread */
  rep_fmt(dst, sizeof dst, v, rep_decimals(v, hw, percent));
  return dst;
}

static void test_number_format(void **state) {
  (void)state;
  /* Three significant digits, a fourth where the 95% CI is that narrow. */
  assert_string_equal(fmt(52.91, 1.91, 0), "52.9");
  assert_string_equal(fmt(0.566, 0.09, 0), "0.566");
  assert_string_equal(fmt(93.081, 0.0438, 0), "93.08");
  assert_string_equal(fmt(93.081, 0, 0), "93.1");
  assert_string_equal(fmt(123456, 0, 0), "123,000");
  assert_string_equal(fmt(1234.5, NAN, 0), "1,230");
  assert_string_equal(fmt(-98765432, 10, 0), "-98,770,000");
  assert_string_equal(fmt(0, 0, 0), "0");
  /* Percentages: two significant digits, or the interval's first, up to one more. */
  assert_string_equal(fmt(89.4, 1.9, 1), "89");
  assert_string_equal(fmt(8.3, 1.7, 1), "8.3");
  assert_string_equal(fmt(0, 0.19, 1), "0.0");
  assert_string_equal(fmt(99.995, 0.005, 1), "100.0");
  assert_string_equal(fmt(0.05, 0.01, 1), "0.05");
  assert_string_equal(fmt(100, 0.19, 1), "100.0");
  assert_string_equal(fmt(100, 3, 1), "100");
  char dst[32];
  rep_fmt(dst, sizeof dst, -0.0001, 2);
  assert_string_equal(dst, "0.00"); /* no "-0.00" */
  rep_fmt(dst, sizeof dst, NAN, 2);
  assert_string_equal(dst, "-");
  /* Units by size: a wait in minutes, a crisis in days, tonnes from 1000 kg. */
  double k;
  const char *u;
  rep_display_unit_for("s", 1800, &k, &u);
  assert_string_equal(u, "min");
  assert_true(fabs(1800 * k - 30) < 1e-12);
  rep_display_unit_for("s", 36000, &k, &u);
  assert_string_equal(u, "h");
  rep_display_unit_for("s", 5 * 86400.0, &k, &u);
  assert_string_equal(u, "d");
  rep_display_unit_for("s", NAN, &k, &u);
  assert_string_equal(u, "h");
  rep_display_unit_for("kg", 500, &k, &u);
  assert_string_equal(u, "kg");
  rep_display_unit_for("kg", 5000, &k, &u);
  assert_string_equal(u, "t");
  rep_display_unit_for("m2", 8e8, &k, &u);
  assert_string_equal(u, "km\u00b2");
  assert_true(fabs(8e8 * k - 800) < 1e-9);
}

/* ---- a store with two hand-made runs ------------------------------------------- */

typedef struct fixture {
  char dir[64], path[128];
  store *st;
  diag *d;
  metric_set ms;
  arena a;
  int64_t run[2];
} fixture;

#define NREP 40

/* Run k: x.delivered = r + k (higher is better, B is 1 more everywhere), y.thing = r
 * (same), z.odd = r * (k ? -1 : 1) + ... (differs, direction unknown), a series
 * s that steps from 0 to 1 at t = 10 * r (run 0) seconds; w.delivered = r - k, flagged
 * lower-better (B went down: better, whatever its name suggests), w.queue = r + 2 k,
 * lower-better (B went up: worse). */
static void put_run(fixture *f, int k) {
  store_run_info info = {"test", k ? "bbbb" : "aaaa", "t.yaml", 7, "0", "modules=t", NREP};
  assert_int_equal(store_run_begin(f->st, &f->run[k], &info, &f->ms, f->d), 0);
  for (int r = 0; r < NREP; r++) {
    metric_out o;
    arena_reset(&f->a);
    assert_int_equal(metric_out_init(&o, &f->ms, &f->a), 0);
    metric_put(&o, 0, r + k);
    metric_put(&o, 1, r);
    metric_put(&o, 2, k ? 3.0 * r + 50 : r);
    metric_put(&o, 3, r % 2); /* a probability */
    assert_int_equal(metric_point_add(&o, 4, 0, 0), 0);
    assert_int_equal(metric_point_add(&o, 4, 10.0 * r, 1), 0);
    metric_put(&o, 5, r - k);
    metric_put(&o, 6, r + 2 * k);
    assert_int_equal(store_put_replication(f->st, f->run[k], r, &f->ms, &o), 0);
  }
  assert_int_equal(store_run_finish(f->st, f->run[k], -1, 0.5), 0);
  assert_int_equal(store_doc_put(f->st, f->run[k], "scenario",
                                 "{\"name\":\"test\",\"horizon_s\":1000,\"notional\":true}"),
                   0);
  assert_int_equal(
      store_doc_put(f->st, f->run[k], "theater",
                    "{\"type\":\"FeatureCollection\",\"bbox\":[118,20,130,30],\"features\":["
                    "{\"type\":\"Feature\",\"properties\":{\"layer\":\"place\",\"id\":\"naha\"},"
                    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[127.6792,26.2124]}}]}"),
      0);
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/straits-report-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
  f->d = diag_new();
  metric_set_init(&f->ms);
  assert_int_equal(metric_define(&f->ms, "x", "delivered", "kg",
                                 METRIC_HEADLINE | METRIC_HIGHER_BETTER, "d"), 0);
  assert_int_equal(metric_define(&f->ms, "y", "thing", "s", 0, "t"), 1);
  assert_int_equal(metric_define(&f->ms, "z", "odd", "1", 0, "o"), 2);
  assert_int_equal(metric_define(&f->ms, "z", "event.occurred", "1", 0, "p"), 3);
  assert_int_equal(metric_define(&f->ms, "z", "level", "1", METRIC_SERIES, "s"), 4);
  assert_int_equal(metric_define(&f->ms, "w", "delivered", "kg", METRIC_LOWER_BETTER, "l"), 5);
  assert_int_equal(metric_define(&f->ms, "w", "queue", "s", METRIC_LOWER_BETTER, "q"), 6);
  arena_init(&f->a, 1 << 20);
  assert_int_equal(store_open(&f->st, f->path, f->d), 0);
  put_run(f, 0);
  put_run(f, 1);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  char p[160];
  static const char *const suffix[] = {"", "-wal", "-shm"};
  store_close(f->st);
  for (size_t i = 0; i < 3; i++) {
    snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
    unlink(p);
  }
  rmdir(f->dir);
  arena_release(&f->a);
  metric_set_release(&f->ms);
  diag_free(f->d);
  free(f);
  return 0;
}

/* rep_export_values' flush: what it writes, kept. */
static int keep_flushed(void *ctx, strbuf *b) {
  strbuf_putn(ctx, b->s, b->len);
  b->len = 0;
  return 0;
}

static void test_load(void **state) {
  fixture *f = *state;
  rep_run *r = NULL;
  assert_int_equal(rep_run_load(&r, f->st, f->run[0], f->d), 0);
  assert_int_equal(r->nrep, NREP);
  assert_int_equal(r->ms.n, 7);
  /* Flags (the good direction among them) come back from the store. */
  assert_int_equal(r->ms.def[0].flags, METRIC_HEADLINE | METRIC_HIGHER_BETTER);
  assert_int_equal(r->ms.def[5].flags, METRIC_LOWER_BETTER);
  assert_string_equal(r->ms.def[0].description, "d");
  assert_true(fabs(r->summary[0].mean - (NREP - 1) / 2.0) < 1e-12);
  assert_true(fabs(r->horizon - 1000) < 1e-12);
  assert_true(fabs(r->bbox[0] - 118) < 1e-12 && fabs(r->bbox[3] - 30) < 1e-12);
  /* The band: replication r is 1 from t = 10 r on, so at grid time t the mean is the
   * share of r with 10 r <= t. */
  assert_int_equal(r->nband, 1);
  const rep_band *b = &r->band[0];
  for (size_t g = 0; g < b->n; g++) {
    double want = 0;
    for (int k = 0; k < NREP; k++)
      want += 10.0 * k <= b->t[g];
    assert_true(fabs(b->mean[g] - want / NREP) < 1e-12);
  }
  assert_null(r->sync_doc);
  rep_run_free(r);
  /* 0 means the newest run. */
  assert_int_equal(rep_run_load(&r, f->st, 0, f->d), 0);
  assert_int_equal(r->run.id, f->run[1]);
  rep_run_free(r);
  assert_int_equal(rep_run_load(&r, f->st, 999, f->d), ERR_NOTFOUND);
  assert_null(r);
}

/* ---- a long run: the bands and summaries whatever the thread count ------------
 * 5,000 replications of NSERIES step functions: replication r of series k is 0 from
 * t = 0 and 1 + k from t = (7 r + 13 k) mod 1000 on.  More than one chunk holds a
 * band's grid (121 x 5,000 values), so the bands' passes come from the run-length
 * cache of their rows; the summaries are stream passes too. */

#define NLONG 5000
#define NSERIES 5

static double step_time(int r, int k) { return (double)((7 * r + 13 * k) % 1000); }

static void put_long_run(fixture *f, metric_set *ms, int64_t *run) {
  metric_set_init(ms);
  for (int k = 0; k < NSERIES; k++) {
    char name[16];
    snprintf(name, sizeof name, "s%d", k);
    assert_int_equal(metric_define(ms, "long", name, "1", METRIC_SERIES, "s"), 2 * k);
    snprintf(name, sizeof name, "v%d", k);
    assert_int_equal(metric_define(ms, "long", name, "s", 0, "v"), 2 * k + 1);
  }
  store_run_info info = {"long", "cccc", "l.yaml", 9, "0", "modules=l", NLONG};
  assert_int_equal(store_run_begin(f->st, run, &info, ms, f->d), 0);
  assert_int_equal(store_begin(f->st), 0);
  for (int r = 0; r < NLONG; r++) {
    metric_out o;
    arena_reset(&f->a);
    assert_int_equal(metric_out_init(&o, ms, &f->a), 0);
    for (int k = 0; k < NSERIES; k++) {
      assert_int_equal(metric_point_add(&o, 2 * k, 0, 0), 0);
      assert_int_equal(metric_point_add(&o, 2 * k, step_time(r, k), 1 + k), 0);
      metric_put(&o, 2 * k + 1, sin(r * 0.37 + k) * 1e3); /* no two alike */
    }
    assert_int_equal(store_put_replication(f->st, *run, r, ms, &o), 0);
  }
  assert_int_equal(store_commit(f->st), 0);
  assert_int_equal(store_run_finish(f->st, *run, -1, 0.5), 0);
  assert_int_equal(store_doc_put(f->st, *run, "scenario", "{\"horizon_s\":1000}"), 0);
}

static void assert_same_bits(const void *a, const void *b, size_t n) {
  if (memcmp(a, b, n) != 0) fail_msg("results differ with the thread count");
}

static void test_long_run_threads(void **state) {
  fixture *f = *state;
  metric_set ms;
  int64_t run;
  put_long_run(f, &ms, &run);
  rep_run *r[3] = {NULL};
  for (int t = 0; t < 3; t++) {
    rep_load_options opt = {t + 1, NULL, 0, 0, 0};
    assert_int_equal(rep_run_load_with(&r[t], f->st, run, &opt, f->d), 0);
  }
  assert_int_equal(r[0]->nband, NSERIES);
  for (size_t b = 0; b < NSERIES; b++) {
    const rep_band *band = &r[0]->band[b];
    int k = (int)b;
    /* The closed form: at grid time t, 1 + k in the replications stepped by t. */
    for (size_t g = 0; g < band->n; g++) {
      size_t up = 0;
      for (int i = 0; i < NLONG; i++)
        up += step_time(i, k) <= band->t[g];
      double mean = (1.0 + k) * (double)up / NLONG;
      assert_true(fabs(band->mean[g] - mean) < 1e-12 * (1 + k));
      assert_true(band->max[g] == (up ? 1.0 + k : 0.0));
      double over = band->p95[g] < 1.0 + k && up ? (double)up / NLONG : 0;
      assert_true(fabs(band->over[g] - over) < 1e-15);
    }
    for (int t = 1; t < 3; t++) {
      const rep_band *o = &r[t]->band[b];
      assert_int_equal(o->metric, band->metric);
      assert_same_bits(o->mean, band->mean, band->n * sizeof *band->mean);
      assert_same_bits(o->p5, band->p5, band->n * sizeof *band->p5);
      assert_same_bits(o->p95, band->p95, band->n * sizeof *band->p95);
      assert_same_bits(o->max, band->max, band->n * sizeof *band->max);
      assert_same_bits(o->over, band->over, band->n * sizeof *band->over);
    }
  }
  for (int t = 1; t < 3; t++)
    assert_same_bits(r[t]->summary, r[0]->summary, ms.n * sizeof *r[0]->summary);
  /* A summary handed in is used as it is (straits run's), one for another run is not. */
  stats_summary *fake = calloc(ms.n, sizeof *fake);
  assert_non_null(fake);
  fake[1].mean = 42;
  rep_run *g = NULL;
  rep_load_options given = {1, fake, ms.n, NLONG, run};
  assert_int_equal(rep_run_load_with(&g, f->st, run, &given, f->d), 0);
  assert_true(g->summary[1].mean == 42);
  rep_run_free(g);
  given.run_id = run + 1;
  assert_int_equal(rep_run_load_with(&g, f->st, run, &given, f->d), 0);
  assert_same_bits(g->summary, r[0]->summary, ms.n * sizeof *g->summary);
  rep_run_free(g);
  free(fake);
  for (int t = 0; t < 3; t++)
    rep_run_free(r[t]);
  metric_set_release(&ms);
}

static void test_compare(void **state) {
  fixture *f = *state;
  rep_run *a = NULL, *b = NULL;
  rep_pair *p = NULL;
  size_t n = 0;
  assert_int_equal(rep_run_load(&a, f->st, f->run[0], f->d), 0);
  assert_int_equal(rep_run_load(&b, f->st, f->run[1], f->d), 0);
  assert_int_equal(rep_compare(&p, &n, f->st, a, b), 0);
  assert_int_equal(n, 6); /* the series is not compared */
  /* delivered: +1 in every replication, so the interval is [1, 1]: better. */
  assert_string_equal(p[0].def->name, "delivered");
  assert_true(fabs(p[0].diff.mean - 1) < 1e-12);
  assert_true(p[0].diff.half_width < 1e-12);
  assert_int_equal(p[0].verdict, REP_BETTER);
  assert_int_equal(p[1].verdict, REP_SAME); /* identical */
  assert_int_equal(p[2].verdict, REP_DIFFERS); /* direction unknown */
  assert_int_equal(p[3].verdict, REP_SAME);
  /* The verdict follows the flag: lower-better and down is better, up is worse. */
  assert_string_equal(p[4].def->module, "w");
  assert_true(fabs(p[4].diff.mean + 1) < 1e-12);
  assert_int_equal(p[4].verdict, REP_BETTER);
  assert_string_equal(p[5].def->name, "queue");
  assert_int_equal(p[5].verdict, REP_WORSE);
  /* Against itself, nothing differs. */
  rep_pair *q = NULL;
  size_t nq = 0;
  assert_int_equal(rep_compare(&q, &nq, f->st, a, a), 0);
  for (size_t i = 0; i < nq; i++) {
    assert_int_equal(q[i].verdict, REP_SAME);
    assert_true(q[i].diff.mean == 0);
  }
  assert_int_equal(metric_direction(METRIC_HEADLINE | METRIC_HIGHER_BETTER), 1);
  assert_int_equal(metric_direction(METRIC_LOWER_BETTER), -1);
  assert_int_equal(metric_direction(METRIC_SERIES), 0);
  rep_coa coa[2] = {{"a.yaml", "A", f->run[0], NULL, 0}, {"b.yaml", "B", f->run[1], p, n}};
  strbuf j = STRBUF_INIT;
  rep_compare_json(&j, coa, 2, NREP);
  assert_non_null(strstr(j.s, "\"verdict\":\"better\""));
  assert_non_null(strstr(j.s, "\"verdict\":\"differs\""));
  assert_non_null(strstr(j.s, "\"direction\":-1,\"verdict\":\"worse\""));
  json_t *doc = json_loads(j.s, 0, NULL);
  assert_non_null(doc);
  json_t *coas = json_object_get(doc, "coas");
  assert_int_equal(json_array_size(coas), 2);
  assert_int_equal(json_array_size(json_object_get(json_array_get(coas, 0), "rows")), 0);
  json_t *row = json_array_get(json_object_get(json_array_get(coas, 1), "rows"), 0);
  assert_string_equal(json_string_value(json_object_get(row, "metric")), "x.delivered");
  assert_true(json_number_value(json_object_get(row, "diff")) == 1);
  json_decref(doc);
  strbuf_release(&j);
  free(p);
  free(q);
  rep_run_free(a);
  rep_run_free(b);
}

/* A GeoJSON FeatureCollection (jansson parses it) of n features, each [lon, lat]
 * where it is a point. */
static void assert_geojson(const char *text, size_t n) {
  json_error_t e;
  json_t *g = json_loads(text, 0, &e);
  if (!g) fail_msg("GeoJSON does not parse: %s at %d:%d", e.text, e.line, e.column);
  assert_string_equal(json_string_value(json_object_get(g, "type")), "FeatureCollection");
  json_t *features = json_object_get(g, "features"), *f;
  size_t i;
  assert_int_equal(json_array_size(features), n);
  json_array_foreach(features, i, f) {
    json_t *geom = json_object_get(f, "geometry");
    if (strcmp(json_string_value(json_object_get(geom, "type")), "Point") == 0) {
      double lon = json_number_value(json_array_get(json_object_get(geom, "coordinates"), 0));
      assert_true(lon > 100 && lon < 180); /* the theater's longitudes, not its latitudes */
    }
  }
  json_decref(g);
}

/* The page's data element parses as JSON with the run's values where they belong. */
static void assert_page_data(const char *page) {
  const char *open = "<script type=\"application/json\" id=\"straits-data\">";
  const char *from = strstr(page, open), *to;
  assert_non_null(from);
  from += strlen(open);
  to = strstr(from, "</script>");
  assert_non_null(to);
  assert_null(memchr(from, '<', (size_t)(to - from))); /* every '<' escaped */
  json_error_t e;
  json_t *d = json_loadb(from, (size_t)(to - from), 0, &e);
  if (!d) fail_msg("page data does not parse: %s at %d:%d", e.text, e.line, e.column);
  json_t *run = json_object_get(d, "run");
  assert_string_equal(json_string_value(json_object_get(run, "scenario_name")),
                      "caf\xef\xbf\xbd </script>");
  assert_int_equal(json_integer_value(json_object_get(run, "replications")), NREP);
  assert_string_equal(json_string_value(json_object_get(run, "seed")), "7");
  assert_int_equal(json_integer_value(json_object_get(json_object_get(d, "scenario"),
                                                      "horizon_s")), 1000);
  json_t *metrics = json_object_get(d, "metrics");
  assert_int_equal(json_array_size(metrics), 7);
  json_t *m0 = json_array_get(metrics, 0), *m1 = json_array_get(metrics, 1);
  assert_string_equal(json_string_value(json_object_get(m0, "name")), "delivered");
  assert_true(json_is_true(json_object_get(m0, "headline")));
  assert_int_equal(json_integer_value(json_object_get(m0, "direction")), 1);
  assert_true(json_number_value(json_object_get(m0, "mean")) == 19.5);
  json_t *values = json_object_get(m0, "values");
  assert_int_equal(json_array_size(values), NREP); /* its histogram's */
  assert_int_equal(json_integer_value(json_array_get(values, NREP - 1)), NREP - 1);
  assert_true(json_is_null(json_object_get(m1, "sd"))); /* NaN */
  assert_true(json_is_number(json_object_get(m1, "mean")));
  json_t *band = json_array_get(json_object_get(d, "bands"), 0);
  assert_int_equal(json_array_size(json_object_get(band, "t")), REP_SERIES_POINTS);
  assert_int_equal(json_array_size(json_object_get(band, "over")), REP_SERIES_POINTS);
  json_t *naha = json_array_get(json_object_get(json_object_get(d, "theater"), "features"), 0);
  json_t *at = json_object_get(json_object_get(naha, "geometry"), "coordinates");
  assert_true(json_number_value(json_array_get(at, 0)) == 127.6792);
  json_t *coast = json_object_get(d, "coast");
  assert_int_equal(json_array_size(json_object_get(coast, "bbox")), 4);
  json_t *line = json_array_get(json_object_get(coast, "features"), 0);
  at = json_object_get(json_object_get(line, "geometry"), "coordinates");
  assert_true(json_number_value(json_array_get(json_array_get(at, 1), 1)) == 25.5);
  /* Member order as before the documents went through jansson (report.js reads them
   * by name; people and diffs read them in order). */
  const char *keys[] = {"run", "scenario", "theater", "metrics", "bands", "coast"};
  void *it = json_object_iter(d);
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++, it = json_object_iter_next(d, it))
    assert_string_equal(json_object_iter_key(it), keys[i]);
  json_decref(d);
}

static void test_exports(void **state) {
  fixture *f = *state;
  rep_run *r = NULL;
  strbuf b = STRBUF_INIT;
  assert_int_equal(rep_run_load(&r, f->st, f->run[0], f->d), 0);
  /* GeoJSON: [lon, lat]; coastline features go into the same collection. */
  size_t start[2] = {0, 2};
  double lat[2] = {25.0, 25.5}, lon[2] = {121.0, 121.5};
  rep_lines coast = {1, start, lat, lon, "test"};
  assert_int_equal(store_doc_put(f->st, f->run[0], "map.layer.sar",
                                 "{\"title\":\"POC\",\"features\":[{\"type\":\"Feature\","
                                 "\"properties\":{\"value\":0.25},\"geometry\":{\"type\":"
                                 "\"Point\",\"coordinates\":[124,24]}}]}"), 0);
  rep_run_free(r);
  assert_int_equal(rep_run_load(&r, f->st, f->run[0], f->d), 0);
  assert_int_equal(r->nlayer, 1);
  assert_int_equal(rep_export_geojson(&b, r, &coast), 0);
  const char *head = "{\"type\":\"FeatureCollection\",\"bbox\":[118,20,130,30],";
  assert_memory_equal(b.s, head, strlen(head));
  assert_non_null(strstr(b.s, "\"value\":0.25},\"geometry\":{\"type\":\"Point\",\"coordinates\":[124,24]}}"));
  assert_non_null(strstr(b.s, "[127.6792,26.2124]"));
  assert_non_null(strstr(b.s, "}},\n{\"type\":\"Feature\",\"properties\":{\"layer\":\"coastline\"}"));
  assert_non_null(strstr(b.s, "\"coordinates\":[[121,25],[121.5,25.5]]"));
  assert_int_equal(b.s[b.len - 3], ']');
  assert_geojson(b.s, 3);
  b.len = 0;
  /* A layer that is not JSON adds no features, and breaks nothing. */
  assert_int_equal(store_doc_put(f->st, f->run[0], "map.layer.z-broken",
                                 "{\"features\":[{\"type\":\"Feature\"},"), 0);
  rep_run_free(r);
  assert_int_equal(rep_run_load(&r, f->st, f->run[0], f->d), 0);
  assert_int_equal(r->nlayer, 2);
  assert_int_equal(rep_export_geojson(&b, r, &coast), 0);
  assert_geojson(b.s, 3);
  b.len = 0;
  /* One layer: the theater's features of a kind, a module's layer, the coastline. */
  assert_int_equal(rep_export_geojson_layer(&b, r, "places", NULL, &coast), 0);
  assert_string_equal(b.s, "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":"
                           "\"Feature\",\"properties\":{\"layer\":\"place\",\"id\":\"naha\"},"
                           "\"geometry\":{\"type\":\"Point\",\"coordinates\":[127.6792,26."
                           "2124]}}]}\n");
  b.len = 0;
  assert_int_equal(rep_export_geojson_layer(&b, r, "routes", NULL, &coast), ERR_NOTFOUND);
  b.len = 0;
  assert_int_equal(rep_export_geojson_layer(&b, r, "coastline", NULL, &coast), 0);
  assert_geojson(b.s, 1);
  b.len = 0;
  assert_int_equal(rep_export_geojson_layer(&b, r, "sar", r->layer_doc[0], &coast), 0);
  assert_geojson(b.s, 1);
  b.len = 0;
  assert_int_equal(rep_export_geojson_layer(&b, r, "z-broken", r->layer_doc[1], &coast), 0);
  assert_geojson(b.s, 0);
  b.len = 0;
  assert_true(rep_theater_has(r, "place"));
  assert_false(rep_theater_has(r, "route"));
  assert_int_equal(rep_export_csv(&b, r, "metrics"), 0);
  assert_memory_equal(b.s, "module,name,unit,", 17);
  assert_non_null(strstr(b.s, "\nx,delivered,kg,1,0,1,40,19.5,"));
  b.len = 0;
  assert_int_equal(rep_export_csv(&b, r, "values"), ERR_USAGE); /* streamed instead */
  b.len = 0;
  strbuf got = STRBUF_INIT;
  assert_int_equal(rep_export_values(&b, f->st, r, keep_flushed, &got), 0);
  assert_int_equal(b.len, 0); /* all handed to flush */
  assert_memory_equal(got.s, "replication,module,name,unit,value\n", 35);
  assert_non_null(strstr(got.s, "\n39,x,delivered,kg,39\n"));
  strbuf_release(&got);
  b.len = 0;
  assert_int_equal(rep_export_csv(&b, r, "nonsense"), ERR_USAGE);
  b.len = 0;
  /* The page: Vega inlined, data in a JSON element, nothing fetched. */
  rep_options opt = REP_OPTIONS_INIT;
  opt.vega_js = "/* vega */";
  assert_int_equal(store_doc_put(f->st, f->run[0], "plan.findings",
                                 "{\"findings\":[{\"message\":\"</script><b>\"}]}"), 0);
  rep_run_free(r);
  assert_int_equal(rep_run_load(&r, f->st, f->run[0], f->d), 0);
  /* A name that is not UTF-8 and would end the element; a summary value that is NaN. */
  strcpy(r->run.scenario_name, "caf\xe9 </script>");
  r->summary[1].sd = NAN;
  opt.coast = &coast;
  assert_int_equal(rep_html(&b, r, &opt), 0);
  assert_page_data(b.s);
  opt.coast = NULL;
  assert_non_null(strstr(b.s, "/* vega */"));
  assert_non_null(strstr(b.s, "id=\"straits-data\""));
  assert_non_null(strstr(b.s, "\\u003c/script>\\u003cb>"));
  assert_null(strstr(b.s, "src=\"http"));
  assert_non_null(strstr(b.s, "Notional forces"));
  /* The brief's card for the headline metric with a direction; the summary: headline
   * rows in their table, the others in a collapsed group per module, in units. */
  assert_non_null(strstr(b.s, "<div class=\"card\"><div class=\"value\">19.5\u2009kg</div>"));
  const char *htab = strstr(b.s, "<table class=\"summary headline\">");
  const char *group = strstr(b.s, "<details class=\"group\" data-module=\"y\">");
  assert_non_null(htab);
  assert_non_null(group);
  const char *x = strstr(b.s, "<span class=\"id\">x.delivered</span>");
  const char *y = strstr(b.s, "<span class=\"id\">y.thing</span>");
  assert_true(x && htab < x && x < group);
  assert_true(y && group < y);
  assert_null(strstr(b.s, "<details class=\"group\" data-module=\"x\">")); /* all headline */
  assert_null(strstr(b.s, "<details open"));
  assert_non_null(strstr(b.s, "title=\"lower is better\""));
  assert_non_null(strstr(b.s, "id=\"summary-filter\""));
  /* y.thing: r seconds, r < 40: a mean of 19.5 s is shown in minutes. */
  assert_non_null(strstr(b.s, "<td class=\"num mean\">0.325\u2009min</td>"));
  strbuf_release(&b);
  rep_run_free(r);
}

/* ---- GSHHG ----------------------------------------------------------------------- */

static void test_gshhg(void **state) {
  (void)state;
  char path[512];
  if (geo_gshhg_find(path, sizeof path, NULL, 'i') != 0)
    skip(); /* gmt-gshhg-low not installed */
  diag *d = diag_new();
  geo_coast c;
  geo_box box = {21.5, 25.5, 119.5, 122.5}; /* Taiwan */
  assert_int_equal(geo_gshhg_read(&c, path, &box, 0, d), 0);
  assert_true(c.nline > 0);
  /* Every kept point is in the box or one step outside it; Taiwan's east coast
   * passes near Hualien (23.98 N, 121.62 E). */
  int near = 0;
  for (size_t k = 0; k < c.npoint; k++) {
    assert_true(c.lat[k] > 20 && c.lat[k] < 27 && c.lon[k] > 118 && c.lon[k] < 124);
    near |= fabs(c.lat[k] - 23.98) < 0.1 && fabs(c.lon[k] - 121.62) < 0.1;
  }
  assert_true(near);
  assert_int_equal(c.start[c.nline], c.npoint);
  /* The open ocean east of Taiwan has no coast. */
  geo_coast_release(&c);
  geo_box sea = {22.0, 23.0, 123.5, 124.5};
  assert_int_equal(geo_gshhg_read(&c, path, &sea, 0, d), 0);
  assert_int_equal(c.nline, 0);
  geo_coast_release(&c);
  assert_int_equal(geo_gshhg_read(&c, "/nonexistent/binned_GSHHS_i.nc", &box, 0, d), ERR_IO);
  diag_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_json_escaping),
      cmocka_unit_test(test_csv_cells),
      cmocka_unit_test(test_stored_docs),
      cmocka_unit_test(test_number_format),
      cmocka_unit_test_setup_teardown(test_load, setup, teardown),
      cmocka_unit_test_setup_teardown(test_compare, setup, teardown),
      cmocka_unit_test_setup_teardown(test_exports, setup, teardown),
      cmocka_unit_test_setup_teardown(test_long_run_threads, setup, teardown),
      cmocka_unit_test(test_gshhg),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
