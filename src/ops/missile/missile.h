/* missile.h - the missile attack's effects (docs/models.md "Missile attack"): raids of
 * notional size on named places, a leak-through probability per missile while a finite
 * interceptor stock lasts, impacts that close their place (SIG_SITE_STATUS) and may
 * raise missing persons at sea (SIG_PERSON_MISSING), J-Alert warnings that pause warned
 * places for the shelter time (SIG_SITE_STATUS).  No trajectories, no fire control.
 *
 * Ownership: the model borrows the scenario (which must outlive it) and is read-only
 * once made, shared by the threads; a replication's state lives in its arena. */
#ifndef STRAITS_MISSILE_H
#define STRAITS_MISSILE_H

#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "metric.h"
#include "scenario.h"
#include "sim.h"

typedef struct msl_model msl_model;
typedef struct msl_run msl_run;

/* *out NULL (and 0) when the scenario has no `missile:` section.  0 or an error. */
int msl_model_new(msl_model **out, const scn_scenario *sc, metric_set *ms, diag *d);
void msl_model_free(msl_model *m); /* NULL is a no-op */

/* Schedule the replication's raids; NULL when the arena is exhausted or the calendar
 * refuses. */
msl_run *msl_start(const msl_model *m, sim *s, arena *a, metric_out *out, uint64_t seed,
                   uint32_t rep);
void msl_collect(const msl_run *r, sim *s, metric_out *out);

/* Interceptors left in every area now (for the tests' invariant). */
long msl_interceptors_left(const msl_run *r);

#endif
