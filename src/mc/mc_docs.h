/* mc_docs.h - the documents of a run that a report reads from the store (table doc,
 * store.h): what `run`, `compare` and `sweep` store after running, through one
 * function, so that every store's report has the same sections.
 *
 * Documents (JSON text): "scenario" (name, description, epoch, horizon, seed, path),
 * "theater" (GeoJSON, RFC 7946: places with the forces based there, regions, routes,
 * with a bbox), "crisis.tree" (the events, each under the first event its trigger
 * waits for; none without events), the spillover
 * sections "report.section.spillover-1-curves", -2-paths and -3-missions (mc_spill.h;
 * none for a scenario without a region of kind territory), and each mission module's
 * own (map layers, charts: mc_module_docs).  Not here: "plan.sync" and
 * "plan.findings" (they need the plan check's command-line arguments), "objectives"
 * (mc_store_objectives, mc_objectives.h: it needs the run's summary), and the
 * sensitivity sections (`straits sensitivity`, mc_sens.h).
 *
 * Ownership: everything is borrowed.  Errors go to d; 0 or an err.h code. */
#ifndef STRAITS_MC_DOCS_H
#define STRAITS_MC_DOCS_H

#include <stdint.h>

#include "diag.h"
#include "mc.h"
#include "scenario.h"
#include "store.h"

/* Every document above of run run_id, which holds replications of sc run with opt:
 * the mission modules' (mc_module_docs, mc.h), then mc_store_run_docs. */
int mc_store_docs(store *st, int64_t run_id, const scn_scenario *sc, const mc_options *opt,
                  diag *d);
/* The documents that need no model: the scenario, theater, crisis tree and spillover
 * sections.  For a caller that releases its prepared models (mc_prepare) after
 * mc_module_docs, before the spillover's scans of a large store. */
int mc_store_run_docs(store *st, int64_t run_id, const scn_scenario *sc, diag *d);

#endif
