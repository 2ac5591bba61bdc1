/* crisis.h - the crisis model: uncertain events with branches that raise signals.
 *
 * Per run, crisis_model_new() reads the scenario's crisis.events and defines the
 * module's metrics.  Per replication, crisis_start() schedules the timeline on the
 * kernel: an event becomes due when its trigger holds (at a time; after an event;
 * all_of / any_of), occurs after its delay with probability p, picks at most one of
 * its mutually exclusive branches, and publishes SIG_EVENT_OCCURRED plus the signals
 * it raises (site closed for a duration, region active, situation changed, person
 * missing).  Other modules subscribe to those signals; crisis includes none of them.
 *
 * The escalation ladder (crisis.escalation, scn_escalation.h) runs in the same
 * timeline: a continuous-time Markov chain whose level entries and transitions raise
 * the same signals and make events occur, with rates multiplied while events have
 * occurred, a legal situation holds, a plan phase is current or a plan task runs
 * (SIG_PHASE_BEGAN, SIG_TASK_STATUS from plan/; redrawn exactly on every change).  The
 * model
 * also tracks spillover: the first time violence reaches each region of kind
 * `territory` (a site inside it closes, it turns active, or a level `reaches` it),
 * and the path of events and levels (series spillover.sequence); mc_spill.h reads
 * them back from the store.  Derivation and checks: docs/models.md, section 7.
 *
 * The model borrows the scenario (which must outlive it); replication state lives
 * in the replication's arena. */
#ifndef STRAITS_CRISIS_H
#define STRAITS_CRISIS_H

#include <stdint.h>
#include "arena.h"
#include "diag.h"
#include "metric.h"
#include "sim.h"
#include "scenario.h"

typedef struct crisis_model crisis_model;
typedef struct crisis crisis;

int crisis_model_new(crisis_model **out, const scn_scenario *sc, metric_set *ms, diag *d);
void crisis_model_free(crisis_model *m); /* NULL is a no-op */

/* Schedule replication `rep`'s timeline on s.  Time series points go to out during
 * the run (out must outlive the run).  NULL when the arena is exhausted. */
crisis *crisis_start(const crisis_model *m, sim *s, arena *a, metric_out *out,
                     uint64_t seed, uint32_t rep);
/* Write the replication's metrics (call after sim_run to the horizon). */
void crisis_collect(const crisis *c, sim *s, metric_out *out);

#endif
