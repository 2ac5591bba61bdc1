/* scn_objectives.h - the loaded `objectives:` section (docs/scenario.md): criteria on
 * stored metrics that say whether the plan works, each with a verdict after a run
 * (src/mc/mc_objectives.h).
 *
 * Part of the immutable scenario (its arena, read-only after scn_load()).  The metric
 * is kept by name: modules define their metrics when a run prepares, so whether it
 * exists and its unit fits is checked then, at the objective's location. */
#ifndef STRAITS_SCN_OBJECTIVES_H
#define STRAITS_SCN_OBJECTIVES_H

#include <stddef.h>
#include "scenario.h"

/* What is compared with the threshold: the mean over replications, a percentile, or
 * (with `probability:`) the share of replications whose own value meets it. */
typedef enum scn_statistic { SCN_STAT_MEAN, SCN_STAT_P50, SCN_STAT_P90, SCN_STAT_P95,
                             SCN_STAT_SHARE } scn_statistic;

typedef struct scn_objective {
  const char *id, *name;   /* id defaults to the metric's full name */
  const char *module;      /* "logistics" */
  const char *metric;      /* "fill_rate.csg-east.fuel" */
  int at_least;            /* 1: good at or above the threshold; 0: at or below */
  double threshold;        /* SI */
  const char *unit;        /* the threshold's SI unit ("" for a bare number, "s", ...) */
  int statistic;           /* scn_statistic */
  double probability;      /* SCN_STAT_SHARE: the share that must meet it, in (0, 1) */
  scn_loc loc, metric_loc;
} scn_objective;

typedef struct scn_objectives {
  size_t n;
  scn_objective *item;
} scn_objectives;

/* The percentile a statistic stands for (0.5, 0.9, 0.95), or NaN. */
double scn_statistic_p(int statistic);
const char *scn_statistic_name(int statistic); /* "mean", "p90", "share" */

#endif
