/* test_ops_docs.c - what the models' docs hooks share (src/ops/ops_docs.c): a map
 * layer's head and features as jansson trees, the dump to the sink (a failed member
 * fails the document, nothing reaches the sink), and the crisis' datums layer through
 * its hook on stored results made up here: a name that holds quotes and "</script>",
 * a value that is NaN (left out), coordinates to 6 decimals. */
#include <math.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "err.h"
#include "ops.h"

extern const ops_module crisis_ops;

/* A sink that keeps the last document, or fails with `fail`. */
typedef struct kept {
  int calls, fail;
  char name[64];
  char *text;
} kept;

static int keep(void *ctx, const char *name, const char *json) {
  kept *k = ctx;
  k->calls++;
  if (k->fail) return k->fail;
  snprintf(k->name, sizeof k->name, "%s", name);
  free(k->text);
  k->text = strdup(json);
  return k->text ? 0 : ERR_NOMEM;
}

static json_t *parse(const char *text) {
  json_error_t e;
  json_t *doc = json_loads(text, 0, &e);
  if (!doc) fail_msg("not JSON: %s: %s", e.text, text);
  return doc;
}

static const char *str(json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

static void feature_and_layer(void **state) {
  (void)state;
  json_t *f = ops_feature_json("l", "a\"b", "x </script> \xff y", NAN);
  json_t *g = ops_feature_json("l", "c", "c", 0.25);
  json_t *h = ops_feature_json("l", "d", "d", INFINITY);
  json_t *layer = ops_layer_json("T", NULL), *legend = ops_layer_json("T2", "what value is");
  json_t *features = json_array();
  jdoc_push(features, f), jdoc_push(features, g), jdoc_push(features, h);
  jdoc_set(layer, "features", features);
  strbuf b = STRBUF_INIT;
  assert_int_equal(jdoc_dump(&b, layer), 0);
  assert_non_null(strstr(b.s, "{\"title\":\"T\",\"features\":[{\"type\":\"Feature\",\"id\":\"a\\\"b\","
                              "\"properties\":{\"layer\":\"l\",\"id\":\"a\\\"b\",\"name\":"));
  json_t *doc = parse(b.s);
  json_t *p0 = json_object_get(json_array_get(json_object_get(doc, "features"), 0), "properties");
  json_t *p1 = json_object_get(json_array_get(json_object_get(doc, "features"), 1), "properties");
  json_t *p2 = json_object_get(json_array_get(json_object_get(doc, "features"), 2), "properties");
  assert_string_equal(str(p0, "name"), "x </script> \xef\xbf\xbd y");
  assert_null(json_object_get(p0, "value")); /* not finite: left out */
  assert_null(json_object_get(p2, "value"));
  assert_true(json_real_value(json_object_get(p1, "value")) == 0.25);
  assert_null(json_object_get(doc, "properties")); /* no legend */
  json_decref(doc);
  b.len = 0;
  assert_int_equal(jdoc_dump(&b, legend), 0);
  assert_string_equal(b.s, "{\"title\":\"T2\",\"properties\":{\"value\":\"what value is\"}}");
  strbuf_release(&b);
}

/* ops_doc_put empties the scratch buffer first; a member that could not be set fails
 * the document before the sink sees it; the sink's own error comes back. */
static void doc_put(void **state) {
  (void)state;
  kept k = {0};
  ops_doc_sink sink = {&k, keep};
  strbuf b = STRBUF_INIT;
  strbuf_put(&b, "left over from the last document");
  assert_int_equal(ops_doc_put(&sink, &b, "map.layer.x", ops_layer_json("x", NULL)), 0);
  assert_string_equal(k.name, "map.layer.x");
  assert_string_equal(k.text, "{\"title\":\"x\"}");
  json_t *bad = ops_layer_json("y", NULL);
  jdoc_set(bad, "k\xff", jdoc_num(1)); /* a key that is not UTF-8 cannot be set */
  assert_int_equal(ops_doc_put(&sink, &b, "map.layer.y", bad), ERR_NOMEM);
  assert_int_equal(k.calls, 1);
  strbuf_release(&b);
  b = (strbuf)STRBUF_INIT;
  k.fail = ERR_STORE;
  assert_int_equal(ops_doc_put(&sink, &b, "map.layer.z", ops_layer_json("z", NULL)), ERR_STORE);
  strbuf_release(&b);
  free(k.text);
}

/* Stored results made up for the hook: every metric NaN but ditch.occurred, observed
 * in 3 of 4 replications. */
typedef struct made_up {
  const metric_set *ms;
} made_up;

static int made_up_chunk(void *ctx, const int *metric, size_t nmetric, size_t lo, size_t hi,
                         double *v) {
  const made_up *u = ctx;
  for (size_t i = lo; i < hi; i++)
    for (size_t c = 0; c < nmetric; c++) {
      int ditch = !strcmp(u->ms->def[metric[c]].name, "ditch.occurred");
      v[(i - lo) * nmetric + c] = ditch ? (i < 3) : NAN;
    }
  return 0;
}

static void crisis_datums(void **state) {
  (void)state;
  char path[1024];
  snprintf(path, sizeof path, "%s/datums.yaml", DOCS_DATA);
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  if (scn_load(&sc, path, &opt, d)) diag_print(d, stderr, 0), fail();
  metric_set ms;
  metric_set_init(&ms);
  ops_context ctx = {NULL};
  void *model = NULL;
  assert_int_equal(crisis_ops.prepare(&model, sc, &ctx, &ms, d), 0);
  made_up u = {&ms};
  kept k = {0};
  ops_doc_sink sink = {&k, keep};
  strbuf b = STRBUF_INIT;
  ops_results r = {sc, &ms, 4, &u, made_up_chunk, NULL, NULL}; /* no means: from the values */
  assert_int_equal(crisis_ops.docs(model, &r, &b, &sink), 0);
  assert_string_equal(k.name, "map.layer.sar-datums");
  json_t *doc = parse(k.text);
  assert_string_equal(str(doc, "title"), "SAR datums: P(persons missing)");
  json_t *features = json_object_get(doc, "features");
  assert_int_equal(json_array_size(features), 2);
  json_t *f0 = json_array_get(features, 0), *f1 = json_array_get(features, 1);
  json_t *p0 = json_object_get(f0, "properties"), *p1 = json_object_get(f1, "properties");
  assert_string_equal(str(f0, "id"), "ditch.0");
  assert_string_equal(str(p0, "name"), "Ditching \"near\" </script><b>: 4 life_raft missing");
  assert_true(json_real_value(json_object_get(p0, "value")) == 0.75);
  assert_string_equal(str(p0, "event"), "ditch");
  assert_int_equal(json_integer_value(json_object_get(p0, "count")), 4);
  assert_null(json_object_get(p1, "value")); /* never.occurred is NaN here */
  json_t *c0 = json_object_get(json_object_get(f0, "geometry"), "coordinates");
  json_t *c1 = json_object_get(json_object_get(f1, "geometry"), "coordinates");
  assert_string_equal(str(json_object_get(f0, "geometry"), "type"), "Point");
  assert_true(json_real_value(json_array_get(c0, 0)) == 123.5);
  assert_true(json_real_value(json_array_get(c0, 1)) == 25.123457); /* 6 decimals */
  assert_int_equal(json_integer_value(json_array_get(c1, 0)), -170);
  assert_non_null(strstr(k.text, "[-170,-10.25]")); /* not -170.000000 */
  json_decref(doc);
  /* A preview (no replication): no legend, no values. */
  r.n = 0;
  assert_int_equal(crisis_ops.docs(model, &r, &b, &sink), 0);
  doc = parse(k.text);
  assert_string_equal(str(doc, "title"), "SAR datums: where persons can be reported missing");
  assert_null(json_object_get(doc, "properties"));
  json_t *p = json_object_get(json_array_get(json_object_get(doc, "features"), 0), "properties");
  assert_null(json_object_get(p, "value"));
  json_decref(doc);
  free(k.text);
  strbuf_release(&b);
  crisis_ops.release(model);
  metric_set_release(&ms);
  scn_free(sc);
  diag_free(d);
}

/* ---- the docs phase in memory bounded by the chunk (issue 22) ---------------------
 * Every shipped model's docs hook on the shipped Taiwan Strait scenario (coordination
 * steps, tasks that wait on decisions, SAR), over 2,000,000 replications made up as
 * they are read: a column would be 16 MB.  Each read through ops_results.chunk must
 * ask for at most a chunk of values, and the heap in use while it is asked must stay
 * within a few chunks over what it was before the hooks -- a hook that held a column
 * (ops_results' old `values`, or its own array of n) fails here. */

#define BIG_N ((size_t)2000000)

typedef struct big_run {
  const metric_set *ms;
  size_t reads, most;  /* chunk calls; the most values one asked for */
  size_t heap0, heap;  /* heap in use before the hooks; the most seen during a read */
} big_run;

static size_t heap_in_use(void) {
#ifdef __GLIBC__
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
#else
  return 0;
#endif
}

/* Replication i's metric m, made up: a binary metric 0 or 1, another NaN one time in
 * ten, else a value in [0, 1000). */
static double made_up_value(const metric_def *def, size_t m, size_t i) {
  uint64_t z = (uint64_t)i * 0x9E3779B97F4A7C15u + (uint64_t)m * 0xBF58476D1CE4E5B9u;
  z ^= z >> 31, z *= 0x94D049BB133111EBu, z ^= z >> 29;
  double u = (double)(z >> 11) / 9007199254740992.0;
  if (def->flags & METRIC_BINARY) return u < 0.3;
  return u < 0.1 ? NAN : 1000 * u;
}

static int big_chunk(void *ctx, const int *metric, size_t nmetric, size_t lo, size_t hi,
                     double *v) {
  big_run *g = ctx;
  size_t heap = heap_in_use();
  g->reads++;
  if ((hi - lo) * nmetric > g->most) g->most = (hi - lo) * nmetric;
  if (heap > g->heap) g->heap = heap;
  for (size_t i = lo; i < hi; i++)
    for (size_t c = 0; c < nmetric; c++)
      v[(i - lo) * nmetric + c] = made_up_value(&g->ms->def[metric[c]], (size_t)metric[c], i);
  return 0;
}

static int no_replay(void *ctx, const ops_module *self, int rep, void **state,
                     const double **value) {
  (void)ctx, (void)self, (void)rep, (void)state, (void)value;
  return ERR_USAGE; /* a missing picture */
}

static int drop(void *ctx, const char *name, const char *json) {
  (void)name, (void)json;
  ++*(int *)ctx;
  return 0;
}

static void docs_bounded(void **state) {
  (void)state;
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  if (scn_load(&sc, DOCS_DATA "/../../../../scenarios/taiwan-strait.yaml", &opt, d))
    diag_print(d, stderr, 0), fail();
  size_t nmod = 0;
  const ops_module *const *mod = ops_registry(&nmod);
  void *model[OPS_MAX_MODULES] = {NULL};
  metric_set ms;
  metric_set_init(&ms);
  ops_context ctx = {NULL};
  for (size_t k = 0; k < nmod; k++) assert_int_equal(mod[k]->prepare(&model[k], sc, &ctx, &ms, d), 0);
  double *mean = calloc(ms.n, sizeof *mean); /* ops_mean's answers: not what is tested */
  assert_non_null(mean);
  big_run g = {&ms, 0, 0, 0, 0};
  int docs = 0;
  ops_results r = {sc, &ms, BIG_N, &g, big_chunk, no_replay, mean};
  ops_doc_sink sink = {&docs, drop};
  strbuf b = STRBUF_INIT;
  g.heap0 = g.heap = heap_in_use();
  for (size_t k = 0; k < nmod; k++)
    if (model[k] && mod[k]->docs) assert_int_equal(mod[k]->docs(model[k], &r, &b, &sink), 0);
  /* The coordination timeline and critical paths were drawn, SAR's median read. */
  assert_true(docs >= 2);
  assert_true(g.reads > BIG_N / STATS_STREAM_CHUNK);
  assert_true(g.most <= STATS_STREAM_CHUNK);
  size_t grew = g.heap - g.heap0, column = BIG_N * sizeof(double);
  print_message("%zu reads, at most %zu values; heap +%zu KB during reads (a column %zu KB)\n",
                g.reads, g.most, grew >> 10, column >> 10);
  assert_true(grew < 2 * STATS_STREAM_CHUNK * sizeof(double) + ((size_t)1 << 20));
  assert_true(grew < column / 2);
  strbuf_release(&b);
  free(mean);
  for (size_t k = 0; k < nmod; k++)
    if (model[k]) mod[k]->release(model[k]);
  metric_set_release(&ms);
  scn_free(sc);
  diag_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(feature_and_layer),
      cmocka_unit_test(doc_put),
      cmocka_unit_test(crisis_datums),
      cmocka_unit_test(docs_bounded),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
