/* test_port_watch.c - the worked example model (port_watch.c, docs/hacking.md) run by
 * the registry: its section loads with located errors, the runner prepares, starts
 * and collects it beside the crisis, its closed time equals the crisis' own count in
 * every replication, and its docs hook stores a map layer. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mc.h"
#include "ops.h"
#include "store.h"

extern const ops_module crisis_ops, port_watch_ops;
static const ops_module *const models[] = {&crisis_ops, &port_watch_ops};

static scn_scenario *load(const char *name, diag *d) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", EXAMPLE_DATA, name);
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt); /* the sections of the registry's models: port_watch's too */
  scn_scenario *sc = NULL;
  scn_load(&sc, path, &opt, d);
  return sc;
}

static int setup(void **state) {
  (void)state;
  return ops_registry_use(models, sizeof models / sizeof *models);
}

static int teardown(void **state) {
  (void)state;
  return ops_registry_use(NULL, 0);
}

/* Values of module.name over replications [0, n). */
static void values(store *st, const mc_result *r, const char *module, const char *name,
                   double *v, size_t n) {
  int m = metric_find(&r->metrics, module, name);
  assert_true(m >= 0);
  assert_int_equal(store_metric_values(st, r->run_id, &r->metrics, m, v, n), 0);
}

static void runs_beside_the_crisis(void **state) {
  (void)state;
  diag *d = diag_new();
  scn_scenario *sc = load("watch.yaml", d);
  assert_non_null(sc);
  char db[] = "/tmp/port_watch_XXXXXX";
  int fd = mkstemp(db);
  assert_true(fd >= 0);
  close(fd);
  unlink(db);
  store *st = NULL;
  assert_int_equal(store_open(&st, db, d), 0);
  mc_options opt = MC_OPTIONS_INIT;
  opt.threads = 2;
  mc_result *r = NULL;
  assert_int_equal(mc_run(&r, sc, &opt, st, d), 0);
  enum { N = 200 };
  double mine[N], crisis[N];
  /* Naha closes at 24 h for 12 h in every replication. */
  values(st, r, "port_watch", "closed_time.naha", mine, N);
  values(st, r, "crisis", "naha.closed_time", crisis, N);
  for (size_t i = 0; i < N; i++) {
    assert_true(mine[i] == 12 * 3600.0);
    assert_true(mine[i] == crisis[i]);
  }
  /* Kagoshima for 6 h in about half: the same replications as the crisis counts. */
  values(st, r, "port_watch", "closed_time.kagoshima", mine, N);
  values(st, r, "crisis", "kagoshima.closed_time", crisis, N);
  size_t closed = 0;
  for (size_t i = 0; i < N; i++) {
    assert_true(mine[i] == 0 || mine[i] == 6 * 3600.0);
    assert_true(mine[i] == (isnan(crisis[i]) ? 0 : crisis[i]));
    closed += mine[i] > 0;
  }
  /* p = 0.5 over 200 replications: within 4 standard deviations (sd ~ 7.1). */
  assert_true(fabs((double)closed - 100) < 4 * sqrt(N * 0.25));
  /* Its docs hook: the watched ports on the map. */
  assert_int_equal(mc_module_docs(st, r->run_id, sc, &opt, d), 0);
  char *doc = NULL;
  assert_int_equal(store_doc_get(st, r->run_id, "map.layer.port-watch", &doc), 0);
  assert_non_null(strstr(doc, "\"id\":\"naha\""));
  assert_non_null(strstr(doc, "\"value\":12"));
  free(doc);
  mc_result_free(r);
  store_close(st);
  unlink(db);
  scn_free(sc);
  diag_free(d);
}

static void a_bad_port_is_located(void **state) {
  (void)state;
  diag *d = diag_new();
  assert_null(load("bad.yaml", d));
  assert_int_equal(diag_count(d, DIAG_ERROR), 1);
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  diag_print(d, f, 0);
  fclose(f);
  assert_non_null(strstr(text, "bad.yaml:6:"));
  assert_non_null(strstr(text, "'nah'"));
  free(text);
  diag_free(d);
}

/* A file's whole text (NUL-terminated), or NULL. */
static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *text = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&text, &len);
  int ch;
  while ((ch = fgetc(f)) != EOF) fputc(ch, m);
  fclose(m);
  fclose(f);
  return text;
}

/* docs/hacking.md's ```c blocks are copied from the example and its test: each must
 * still appear in one of them, verbatim, so the page cannot rot. */
static void the_page_quotes_the_code(void **state) {
  (void)state;
  char *doc = slurp(EXAMPLE_DATA "/../../../../docs/hacking.md");
  char *model = slurp(EXAMPLE_DATA "/../port_watch.c");
  char *test = slurp(EXAMPLE_DATA "/../test_port_watch.c");
  assert_non_null(doc), assert_non_null(model), assert_non_null(test);
  int blocks = 0;
  for (char *p = strstr(doc, "```c\n"); p; p = strstr(p, "```c\n")) {
    char *body = p + 5, *end = strstr(body, "```\n");
    assert_non_null(end);
    *end = 0;
    if (!strstr(model, body) && !strstr(test, body)) fail_msg("not in the example: %s", body);
    blocks++;
    p = end + 4;
  }
  assert_true(blocks >= 5);
  free(doc), free(model), free(test);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(runs_beside_the_crisis),
      cmocka_unit_test(a_bad_port_is_located),
      cmocka_unit_test(the_page_quotes_the_code),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
