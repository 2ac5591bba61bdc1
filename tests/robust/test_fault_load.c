/* test_fault_load.c - the scenario loader under allocation failure: for every n, fail
 * the n-th allocation of loading a scenario (then, separately, every allocation from
 * the n-th on).  Each must end in ERR_NOMEM (or a clean success that equals the
 * undisturbed load), never a crash; ASan's leak check at exit finds anything not
 * freed on the way out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "err.h"
#include "fault_alloc.h"
#include "scenario.h"
#include "ops.h"

#define MAX_N 200000 /* far above what one load allocates; a loop past it is a bug */

typedef struct summary {
  int rc;
  char hash[sizeof ((scn_scenario *)0)->hash];
  size_t nplace, nregion, nroute, nforce, nevent;
  uint64_t seed;
} summary;

/* Load `path` with the fault armed at n (0: not armed); returns what came out. */
static summary load_once(const char *path, long n, int sticky, long *failed) {
  static const char *const set[] = {"scenario.seed=7"};
  summary s = {0};
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  opt.overrides = set;
  opt.noverrides = 1;
  scn_scenario *sc = NULL;
  diag *d = diag_new();
  if (n > 0)
    fault_arm(n, sticky);
  else
    fault_reset_count();
  s.rc = d ? scn_load(&sc, path, &opt, d) : ERR_NOMEM;
  *failed = n > 0 ? fault_disarm() : 0;
  if (sc) {
    memcpy(s.hash, sc->hash, sizeof s.hash);
    s.nplace = sc->nplace;
    s.nregion = sc->nregion;
    s.nroute = sc->nroute;
    s.nforce = sc->nforce;
    s.nevent = sc->nevent;
    s.seed = sc->seed;
  }
  /* The contract: a scenario exactly on success. */
  if ((s.rc == 0) != (sc != NULL))
    s.rc = 12345;
  /* Printing diagnostics after a failure must be safe too. */
  FILE *sink = fopen("/dev/null", "w");
  if (sink && d) {
    diag_print(d, sink, 0);
    fclose(sink);
  }
  scn_free(sc);
  diag_free(d);
  return s;
}

static void sweep_failures(const char *path, int sticky) {
  long failed;
  summary ref = load_once(path, 0, 0, &failed);
  long total = fault_count();
  assert_int_equal(ref.rc, 0);
  assert_true(total > 0);
  long n = 1, nomem = 0;
  for (; n < MAX_N; n++) {
    summary s = load_once(path, n, sticky, &failed);
    if (failed == 0) {
      /* Past the last allocation: the load must now be whole again. */
      assert_int_equal(s.rc, 0);
      break;
    }
    if (s.rc == 0) {
      /* A failure the loader could absorb (none today) must not change the result. */
      assert_memory_equal(&s, &ref, sizeof s);
    } else {
      if (s.rc != ERR_NOMEM)
        fail_msg("%s: failing allocation %ld%s gave %s, not NOMEM", path, n,
                 sticky ? " onwards" : "", err_name(s.rc));
      nomem++;
    }
  }
  assert_true(n < MAX_N);
  print_message("%s: %ld allocations, %ld failure points%s, %ld gave ERR_NOMEM\n", path,
                total, n - 1, sticky ? " (sticky)" : "", nomem);
}

static void test_default_scenario_once(void **state) {
  (void)state;
  sweep_failures(FAULT_SCENARIO, 0);
}

/* Every allocation from the n-th on failing (the way memory really runs out): the
 * smaller scenario keeps this loop quick under ASan. */
static void test_included_scenario_sticky(void **state) {
  (void)state;
  sweep_failures(FAULT_SCENARIO_INCLUDES, 1);
}

/* A scenario with an include reaches the composer's merge code. */
static void test_included_scenario(void **state) {
  (void)state;
  sweep_failures(FAULT_SCENARIO_INCLUDES, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_default_scenario_once),
      cmocka_unit_test(test_included_scenario_sticky),
      cmocka_unit_test(test_included_scenario),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
