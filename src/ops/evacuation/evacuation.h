/* evacuation.h - evacuation of nationals abroad (SDF Act art. 84-4, US lift, civil
 * charter) and of residents of Japan (Civil Protection Act, 2004): groups of evacuees
 * wait at assembly places, units of each mode fly or sail trips to destinations in
 * Japan, loading and unloading through the places' lanes (kernel resources), stopped by
 * closures (SIG_SITE_STATUS) and, for SDF modes, by their plan task (SIG_TASK_STATUS).
 *
 * Per run, evac_model_new_with() reads the scenario's `evacuation:` section (NULL model
 * and no metrics when there is none), resolves its gates against the authorities table,
 * computes the legs' distances (ships over water by geo/searoute.h) and defines the
 * metrics (module "evacuation").  Per replication evac_start() schedules the groups'
 * releases and subscribes to the signals; evac_collect() writes the metrics.  Model
 * semantics and validation: docs/models.md section 10.
 *
 * The model borrows the scenario (which must outlive it); replication state lives in
 * the replication's arena.  evacuation includes no other ops module. */
#ifndef STRAITS_EVACUATION_H
#define STRAITS_EVACUATION_H

#include <stdint.h>
#include "arena.h"
#include "diag.h"
#include "metric.h"
#include "scenario.h"
#include "sim.h"

struct plan_authorities;
typedef struct evac_model evac_model;
typedef struct evac_run evac_run;

/* *out is NULL (and 0 returned) when the scenario has no evacuation section.  Gates are
 * resolved against table (NULL: the shipped one).  ERR_INPUT (see d) for an unknown
 * gate or a failed evac_check. */
int evac_model_new_with(evac_model **out, const scn_scenario *sc,
                        const struct plan_authorities *table, metric_set *ms, diag *d);
void evac_model_free(evac_model *m); /* NULL is a no-op */

/* The checks that need the authorities table (`straits check`; the constructor runs
 * them too): an SDF mode's force must be of the table's nation (JP) and its task owned
 * by that nation; a US mode's force should be American and a destination a place of
 * the table's nation (warnings).  0 or ERR_INPUT.  No section or no table: 0. */
int evac_check(const scn_scenario *sc, const struct plan_authorities *table, diag *d);

/* Schedule replication rep on s.  NULL when the arena is exhausted. */
evac_run *evac_start(const evac_model *m, sim *s, arena *a, metric_out *out, uint64_t seed,
                     uint32_t rep);
/* Write the replication's metrics (after sim_run to the horizon). */
void evac_collect(const evac_run *r, sim *s, metric_out *out);

/* What happened, for tests: loaded trips delivered, the most people one trip carried,
 * and the sum of people delivered. */
long long evac_run_trips(const evac_run *r);
long long evac_run_max_load(const evac_run *r);
long long evac_run_delivered(const evac_run *r);

/* The leg in metres mode `mode` travels from place a to place b (sea legs over water
 * where a coastline is installed, else and by air the WGS84 geodesic). */
double evac_leg(const evac_model *m, int mode, int a, int b);

#endif
