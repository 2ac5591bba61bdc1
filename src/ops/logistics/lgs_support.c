/* lgs_support.c - no Japanese support without a plan task, for logistics: every
 * consumer the table's nation's transports may supply names a task of that nation
 * whose activity carries goods (docs/plan.md, "Japanese support needs a task").  The
 * run-time half is the model's: it follows its tasks through SIG_TASK_STATUS. */
#include <string.h>

#include "err.h"
#include "logistics.h"
#include "plan.h"
#include "scn_logistics.h"
#include "scn_plan.h"

/* Activities under which a transport may carry goods to a consumer: goods from SDF
 * stocks are supply (IISA Appended Table 1; USFA art. 10(4)), carriage of US-owned
 * goods is transportation. */
static int supplies_goods(const char *activity) {
  static const char *const ok[] = {"supply", "supply_ammunition", "transportation"};
  for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
    if (activity && strcmp(activity, ok[i]) == 0) return 1;
  return 0;
}

static int same_nation(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

static int transport_serves(const scn_lgs_transport *t, size_t consumer) {
  if (t->nserve == 0) return 1;
  for (size_t i = 0; i < t->nserve; i++)
    if (t->serve[i] == (int)consumer) return 1;
  return 0;
}

/* Whether task t's area is where consumer u is supplied: its place, its port or
 * airfield, or a region that holds the place. */
static int task_reaches(const scn_scenario *sc, const scn_task *t, const scn_lgs_consumer *u) {
  if (u->place < 0) return 1; /* at sea: the task's area is the plan's statement of it */
  if (t->place >= 0) return t->place == u->place || t->place == u->port || t->place == u->airfield;
  return t->region >= 0 && scn_region_contains(&sc->region[t->region], u->lat, u->lon);
}

static void check_consumer(const scn_scenario *sc, const char *nation, size_t c, diag *d) {
  const scn_logistics *L = scn_logistics_of(sc);
  const scn_lgs_consumer *u = &L->consumer[c];
  const char *first = NULL;
  for (size_t i = 0; i < L->ntransport && !first; i++) {
    const scn_force *f = &sc->force[L->transport[i].force];
    if (same_nation(f->nation, nation) && transport_serves(&L->transport[i], c)) first = f->id;
  }
  if (!first) return;
  int covered = 0;
  for (size_t i = 0; i < u->ntask; i++) {
    const scn_task *t = &sc->plan->task[u->task[i]];
    if (!same_nation(t->owner, nation)) continue;
    covered = 1;
    if (!supplies_goods(t->activity.id))
      diag_report(d, DIAG_ERROR, u->loc.file, u->loc.line, u->loc.col,
                  "task '%s' of consumer '%s' is '%s': %s transports deliver goods only under "
                  "a supply, supply_ammunition or transportation task",
                  t->id, u->id, t->activity.id ? t->activity.id : "", nation);
    else if (!task_reaches(sc, t, u))
      diag_report(d, DIAG_WARNING, u->loc.file, u->loc.line, u->loc.col,
                  "task '%s' of consumer '%s' is in '%s', not where the consumer is supplied: "
                  "its authority is checked there",
                  t->id, u->id,
                  t->place >= 0 ? sc->place[t->place].id : sc->region[t->region].id);
  }
  if (!covered)
    diag_report(d, DIAG_ERROR, u->loc.file, u->loc.line, u->loc.col,
                "consumer '%s' can be supplied by %s transports ('%s') but names no %s task: "
                "%s support needs a plan task under an authority ('task:'), or keep those "
                "transports away with 'serves:'",
                u->id, nation, first, nation, nation);
}

int lgs_support_check(const scn_scenario *sc, const struct plan_authorities *a, diag *d) {
  const scn_logistics *L = scn_logistics_of(sc);
  if (!L) return 0;
  plan_authorities *own = NULL;
  if (!a) {
    int err = plan_authorities_load(&own, plan_authorities_default_path(), d);
    if (err) return err;
    a = own;
  }
  const char *nation = plan_authorities_nation(a);
  size_t before = diag_count(d, DIAG_ERROR);
  for (size_t c = 0; c < L->nconsumer; c++) check_consumer(sc, nation, c, d);
  plan_authorities_free(own);
  return diag_count(d, DIAG_ERROR) > before ? ERR_INPUT : 0;
}
