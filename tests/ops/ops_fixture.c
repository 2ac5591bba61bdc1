/* ops_fixture.c - see ops_fixture.h. */
#include "ops_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "diag.h"
#include "ops.h"

scn_scenario *ops_fixture_load(const char *dir, const char *name, const char *const *overrides,
                               size_t n) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  opt.overrides = overrides, opt.noverrides = n;
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  int rc = scn_load(&sc, path, &opt, d);
  if (rc) diag_print(d, stderr, 0);
  diag_free(d);
  assert_int_equal(rc, 0);
  return sc;
}

uint64_t ops_fixture_seed(void) {
  const char *e = getenv("STRAITS_TEST_SEED");
  return e && *e ? strtoull(e, NULL, 0) : 0;
}
