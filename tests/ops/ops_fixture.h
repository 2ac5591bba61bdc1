/* ops_fixture.h - what the mission models' tests share: a scenario of the test's data
 * folder loaded with the registry's sections (it must load: the test fails if not, with
 * the diagnostics printed), and the seed the environment may set. */
#ifndef STRAITS_OPS_FIXTURE_H
#define STRAITS_OPS_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

/* dir/name with the --set overrides [n]; a cmocka failure if it does not load. */
scn_scenario *ops_fixture_load(const char *dir, const char *name, const char *const *overrides,
                               size_t n);
/* STRAITS_TEST_SEED from the environment, or 0 for the scenario's own seed: a test
 * that draws reruns with another seed to show its tolerance is not tuned to one. */
uint64_t ops_fixture_seed(void);

/* Run replication 0 of sc with every registered model to its horizon: the kernel's
 * error, and into *blame the input it blamed (a zeroed blame when it blamed none). */
struct sim_blame;
int ops_fixture_run_blamed(const scn_scenario *sc, struct sim_blame *blame);

#endif
