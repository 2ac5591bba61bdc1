/* sar_support.c - no Japanese support without a plan task, for SAR: the table's
 * nation's assets search only under a search_and_rescue task of that nation listed in
 * `sar.tasks` (docs/plan.md, "Japanese support needs a task"). */
#include <string.h>

#include "err.h"
#include "plan.h"
#include "sar.h"
#include "scn_plan.h"
#include "scn_sar.h"

static int same_nation(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

static void check_sar(const scn_scenario *sc, const char *nation, diag *d) {
  const scn_sar *s = scn_sar_of(sc);
  if (s->kase) return; /* a standalone case studies the search, not the plan */
  for (size_t i = 0; i < s->ntask; i++)
    if (same_nation(sc->plan->task[s->task[i]].owner, nation)) return;
  for (size_t i = 0; i < s->nasset; i++) {
    const scn_sar_asset *a = &s->asset[i];
    if (a->force < 0 || !same_nation(sc->force[a->force].nation, nation)) continue;
    diag_report(d, DIAG_ERROR, a->loc.file, a->loc.line, a->loc.col,
                "sar asset '%s' is %s, but the search follows no %s plan task: list the "
                "search_and_rescue tasks it searches under in 'sar.tasks'",
                sc->force[a->force].id, nation, nation);
    return;
  }
}

int sar_support_check(const scn_scenario *sc, const struct plan_authorities *a, diag *d) {
  if (!scn_sar_of(sc)) return 0;
  plan_authorities *own = NULL;
  if (!a) {
    int err = plan_authorities_load(&own, plan_authorities_default_path(), d);
    if (err) return err;
    a = own;
  }
  size_t before = diag_count(d, DIAG_ERROR);
  check_sar(sc, plan_authorities_nation(a), d);
  plan_authorities_free(own);
  return diag_count(d, DIAG_ERROR) > before ? ERR_INPUT : 0;
}
