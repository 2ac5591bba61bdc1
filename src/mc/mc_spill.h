/* mc_spill.h - spillover analysis of a stored run (issue 6): how likely, how soon and
 * by which paths violence reaches Japanese territory, and what it does to the rest.
 *
 * Reads only the store: the crisis model's per-replication metrics
 *   spillover.<region>.occurred / .time   for each region of kind `territory`
 *   spillover.occurred / .time            any territory (first spillover)
 *   spillover.horizon                     the run's horizon
 *   spillover.sequence                    series: each crisis event occurrence and
 *                                         ladder level entry in the order it happened,
 *                                         value = registry index of its `.time` metric
 *                                         (crisis.<event>.time, escalation.<level>.time)
 * and, for the effect on the missions, the scalar metrics of the other modules except
 * crisis and escalation (plan, logistics, sar, inspection): every headline one, and
 * the others where the difference's 95% CI excludes 0 (or all: MC_SPILL_ALL_METRICS).
 * With many metrics some differ by chance (no correction for multiple comparisons).
 * A replication's event path is its sequence up to and including the first
 * spillover, as ids joined by " > ".  So no string is stored per replication: the
 * run's metric registry is the dictionary, and the paths need no extra table.
 *
 * Memory: what grows with the replications is the lists of those that reached each
 * territory (12 bytes each: ~11 MB at a million of the default scenario, where the
 * dense columns were 40 MB); the other columns are read a chunk at a time.
 *
 * Ownership: everything in an mc_spill, the lists included, is the caller's
 * (mc_spill_free). */
#ifndef STRAITS_MC_SPILL_H
#define STRAITS_MC_SPILL_H

#include <stddef.h>
#include <stdint.h>
#include "diag.h"
#include "metric.h"
#include "store.h"

typedef struct mc_spill_path {
  char *text;     /* "quarantine > strikes > strike-kadena" */
  int count;      /* replications with this path */
  double share;   /* count / replications that spilled over */
} mc_spill_path;

/* One headline metric of a mission module (not crisis, escalation or spillover), over
 * the replications that spilled over and those that did not.  A conditional
 * comparison: replications that spill over also differ in other ways (a blockade, US
 * intervention), so the difference is an association, not the causal effect. */
typedef struct mc_spill_split {
  const char *module, *name, *unit; /* borrowed from the mc_spill's registry */
  size_t n_yes, n_no;
  double mean_yes, half_yes, mean_no, half_no; /* 95% t half-widths; NaN if n < 2 */
  double sd_yes, sd_no;                        /* sample sd; NaN if n < 2 */
  double diff, half_diff; /* mean_yes - mean_no, and the half-width of its 95% CI
                             (Welch: 1.96 sqrt(sd_yes^2/n_yes + sd_no^2/n_no)); NaN if
                             either side has fewer than 2 */
  int headline;           /* a headline metric (else kept because it differs) */
  /* With MC_SPILL_SHOWN, over every replication that observed it, for showing it as
   * the report does: the larger of its median and mean (its typical size, which
   * picks a display unit), its range, and whether each value is 0 or 1 (a
   * probability).  NaN, NaN, NaN and 0 without the flag or when no replication
   * observed it. */
  double typical, min, max;
  int binary;
} mc_spill_split;

/* The replications in which violence reached one territory, in replication order:
 * replication rep[i] first at time[i] (s, never NaN), i < n; cap is the arrays'
 * room.  A replication not listed never reached it. */
typedef struct mc_spill_reached {
  size_t n, cap;
  uint32_t *rep;
  double *time;
} mc_spill_reached;

typedef struct mc_spill {
  int64_t run_id;
  size_t nrep;
  double horizon;           /* s */
  size_t nterr;             /* territories, then one more: index nterr is "any" */
  char **terr;              /* [nterr + 1] region ids ("any" last) */
  mc_spill_reached *reached; /* [nterr + 1]: reached[nterr].n spilled over at all */
  size_t path_of;           /* the paths lead to terr[path_of] (nterr: any territory) */
  size_t npath;
  mc_spill_path *path;      /* terr[path_of]'s: most frequent first (ties: text order) */
  /* Every territory's paths [nterr + 1], counted in one scan of spillover.sequence
   * (a replication's points at a time: memory grows with the distinct paths, not with
   * the replications -- keeping the points was ~100 MB at a million, issue 22);
   * path and npath above are those of terr[path_of]. */
  struct mc_spill_paths { size_t n, cap; mc_spill_path *path; } *paths;
  size_t nsplit;
  mc_spill_split *split;    /* headline metrics of the missions, by spillover */
  metric_set ms;            /* the run's registry */
} mc_spill;

/* mc_spill_read flags: every scalar metric of the missions; the splits' whole-run
 * facts (they cost a sort of each kept metric's values: ask only to show them). */
enum { MC_SPILL_ALL_METRICS = 1, MC_SPILL_SHOWN = 2 };

/* Read run_id (or the latest run when run_id < 0).  ERR_NOTFOUND when the run has
 * no spillover metrics (no region of kind territory); messages go to d. */
int mc_spill_read(mc_spill *out, store *st, int64_t run_id, unsigned flags, diag *d);
void mc_spill_free(mc_spill *s);

/* Show the paths to territory t (0 .. nterr - 1; nterr: any) instead: each
 * replication's sequence up to and including the step that first reached it, as
 * mc_spill_read counted them.  0, or ERR_RANGE for no such territory. */
int mc_spill_paths(mc_spill *s, size_t t);

/* P(first time <= t) for t in grid[0..ng) over nrep replications, from the n first
 * times of those that were reached (an mc_spill_reached's time: the others never
 * were), with a Wilson score interval at z (1.96 for 95%). */
void mc_spill_curve(const double *time, size_t n, size_t nrep, const double *grid, size_t ng,
                    double z, double *p, double *lo, double *hi);

/* A split's verdict, as `straits compare` words them (rep_verdict_name, report.h):
 * "better" or "worse" with spillover by the metric's direction (metric.h), "differs"
 * without one, "no significant difference" when its 95% CI holds 0. */
const char *mc_spill_verdict(const mc_spill *s, const mc_spill_split *sp);

/* Record the report's spillover sections of run_id (mc_spill_docs.c): documents
 * "report.section.spillover-*" -- P(reached by t) per territory with Wilson bands,
 * the most frequent paths, the missions with and without spillover.  Nothing (0) for
 * a run whose scenario has no region of kind territory; errors in d. */
int mc_spill_store_docs(store *st, int64_t run_id, diag *d);

/* Wilson score interval for k successes in n trials at z. */
void mc_wilson(double k, double n, double z, double *lo, double *hi);

#endif
