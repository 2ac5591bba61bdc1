/* mc_trace.h - one replication's story (issue 19 item 4): replication r of a scenario
 * run again from its seed with every model, as mc_run runs it (the same modules,
 * order, streams and horizon, so its metrics are the stored ones bit for bit), and
 * its timeline handed to a sink one line at a time: what the kernel's signals say
 * (crisis events, situation changes, sites and regions closing and reopening, persons
 * missing, gates, phases, task starts, pauses and ends, decisions). */
#ifndef STRAITS_MC_TRACE_H
#define STRAITS_MC_TRACE_H

#include "diag.h"
#include "metric.h"
#include "ops.h"
#include "scenario.h"

struct plan_authorities;

/* Run replication rep of sc with the authorities table auth (NULL: the shipped one,
 * as mc_options.authorities), lines to sink.  ms is initialised here (the caller
 * releases it, also after a failure) and *values is a malloc'ed copy of the
 * replication's metrics [ms->n].  0, or an error (in d). */
int mc_trace_replication(const scn_scenario *sc, const struct plan_authorities *auth,
                         uint32_t rep, const ops_trace *sink, metric_set *ms, double **values,
                         diag *d);

/* The same replication as a report section (docs/report.md "report.section.<id>"):
 * its timeline as a Gantt chart -- a bar for each task's run, place's closure and
 * region's activity, a point for every other line -- written into b; why says how the
 * replication was chosen ("the worst logistics.fill_rate.csg-east.fuel"; NULL: none).
 * ms and *values as mc_trace_replication's. */
int mc_trace_story(strbuf *b, const scn_scenario *sc, const struct plan_authorities *auth,
                   uint32_t rep, const char *why, metric_set *ms, double **values, diag *d);

#endif
