/* plan_support.c - no Japanese support without a plan task (docs/plan.md, "Japanese
 * support needs a task").  The checks are the missions' own (log_support_check,
 * sar_support_check, insp_check), run by their models when prepared and by `straits
 * check`; what stays here is this entry point, kept for the runner until the registry
 * (ops.h) calls the missions' checks: it has nothing left to check. */
#include "plan.h"

int plan_support_check(const scn_scenario *sc, const plan_authorities *a, diag *d) {
  (void)sc, (void)a, (void)d;
  return 0;
}
