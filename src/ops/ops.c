/* ops.c - the registry: every mission model's descriptor, in the order the runner
 * prepares and starts them. */
#include "ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

/* Each descriptor is defined beside its model (src/ops/<mission>/); the registry
 * names them here and nowhere else, so no caller includes a mission's header. */
extern const ops_module crisis_ops, missile_ops, plan_ops, coord_ops, insp_ops, lgs_ops, sar_ops,
    evac_ops;

/* The order is the kernel's subscription order, and fixes metric indices:
 *  - the crisis first: its escalation ladder subscribes to the plan's phase and task
 *    signals before the plan's first wake-up announces them, and every mission
 *    subscribes to the crisis' events;
 *  - the missile attack next: a driver like the crisis (`driver = 1`), whose impacts and
 *    J-Alert warnings are the closures the missions react to, so its metrics are causes
 *    for the spillover analysis (a scenario without `missile:` defines none of its
 *    metrics, so its place changes no stored run's numbering);
 *  - the plan next: the missions' tasks wait on its phases, gates and situations;
 *  - coordination right after the plan: its steps are raised by the crisis' events
 *    and the plan's tasks and need the plan's situations and gates, so it subscribes
 *    after both; the plan's tasks and gates wait on its SIG_DECISION, which the plan
 *    subscribed to first; it defines no metrics (and draws nothing) in a scenario
 *    without a `coordination:` section, so the missions' metric indices there are
 *    unchanged;
 *  - then the missions, in the order their metrics were first defined (inspection,
 *    logistics, SAR), which stored runs and their resume keys depend on;
 *  - evacuation last: a newer model, appended so the others' metric indices (and
 *    stored runs) stay as they were; it only listens to the crisis' and the plan's
 *    signals, so it needs no earlier place. */
static const ops_module *const shipped[] = {&crisis_ops, &missile_ops, &plan_ops, &coord_ops,
                                            &insp_ops,   &lgs_ops,     &sar_ops,  &evac_ops};

static const ops_module *const *registry = shipped;
static size_t nregistry = sizeof shipped / sizeof *shipped;

const ops_module *const *ops_registry(size_t *n) {
  *n = nregistry;
  return registry;
}

int ops_registry_use(const ops_module *const *table, size_t n) {
  if (n > OPS_MAX_MODULES) return ERR_LIMIT;
  registry = table ? table : shipped;
  nregistry = table ? n : sizeof shipped / sizeof *shipped;
  return 0;
}

const ops_module *ops_find(const char *name) {
  for (size_t i = 0; i < nregistry; i++)
    if (strcmp(registry[i]->name, name) == 0) return registry[i];
  return NULL;
}

const ops_module *ops_owner(const char *name) {
  for (size_t i = 0; i < nregistry; i++) {
    const ops_module *m = registry[i];
    if (strcmp(m->name, name) == 0) return m;
    for (const char *const *t = m->metric_titles; t && t[0]; t += 2)
      if (strcmp(t[0], name) == 0) return m;
  }
  return NULL;
}

const char *ops_title(const char *name) {
  const ops_module *m = ops_owner(name);
  if (!m || strcmp(m->name, name) == 0) return m ? m->title : NULL;
  for (const char *const *t = m->metric_titles; t[0]; t += 2)
    if (strcmp(t[0], name) == 0) return t[1];
  return NULL;
}

/* The sections of the models that have one, in registry order: the loader reads them
 * in this order after the common sections.  Loading happens on one thread. */
void ops_load_options(scn_load_options *opt) {
  static const scn_section *sections[OPS_MAX_MODULES];
  size_t n = 0;
  for (size_t i = 0; i < nregistry; i++)
    if (registry[i]->section) sections[n++] = registry[i]->section;
  opt->sections = sections;
  opt->nsections = n;
}

int ops_check_all(const scn_scenario *sc, const ops_context *ctx, diag *d) {
  int first = 0;
  for (size_t i = 0; i < nregistry; i++) {
    int err = registry[i]->check ? registry[i]->check(sc, ctx, d) : 0;
    if (err && (!first || first == ERR_INPUT)) first = err; /* ERR_INPUT yields to worse */
  }
  return first;
}

void ops_trace_line(const ops_trace *t, double time, const char *module, const char *fmt, ...) {
  if (!t || !t->line) return;
  char text[256]; /* on the stack: a trace allocates nothing */
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  t->line(t->ctx, time, module, text);
}
