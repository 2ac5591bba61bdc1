/* crisis_fixture.h - what the crisis-model tests share: load a scenario from text,
 * run the crisis model (and the plan, if asked) for n replications, read the values back. */
#ifndef STRAITS_CRISIS_FIXTURE_H
#define STRAITS_CRISIS_FIXTURE_H

#include "metric.h"
#include "plan.h"
#include "scenario.h"

/* header + body written to a temporary file and loaded; fails the test on errors. */
scn_scenario *fixture_load(const char *header, const char *body);

typedef struct fixture_runs {
  metric_set ms;
  double *values;  /* [n * ms.n]: replication r's metric m at r * ms.n + m */
  int n;
  int transitions; /* SIG_SITE_STATUS signals seen, all replications */
} fixture_runs;

void fixture_run(fixture_runs *out, const scn_scenario *sc, int n);
/* The same with the plan module after the crisis (as mc.c orders them), its
 * authorities from table; NULL runs the crisis alone. */
void fixture_run_plan(fixture_runs *out, const scn_scenario *sc, int n,
                      const plan_authorities *table);
void fixture_runs_free(fixture_runs *r);
/* Replication rep's value of module.name (the metric must exist). */
double fixture_value(const fixture_runs *r, int rep, const char *module, const char *name);

#endif
