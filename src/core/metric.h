/* metric.h - what a replication measures: named metrics and time series.
 *
 * A metric_set is the run's registry, built once before any replication (in module
 * order, so indices are the same on every thread and rank).  A metric_out holds one
 * replication's values: one double per metric (NaN = not observed in this
 * replication, e.g. the time of an event that did not happen) and a list of
 * (series, time, value) points.  Names and units are copied into the set. */
#ifndef STRAITS_METRIC_H
#define STRAITS_METRIC_H

#include <stddef.h>
#include "arena.h"
#include "stats.h"

enum metric_flags {
  METRIC_HEADLINE = 1 << 0, /* shown first; watched by --until-ci */
  METRIC_SERIES = 1 << 1,   /* a time series, not a scalar */
  /* Which way is good, for comparisons of courses of action (at most one of the two;
   * neither: it depends, e.g. whether an event occurring is good, and a comparison
   * can then only say "differs").  Stored with the definition (metric_def.flags). */
  METRIC_HIGHER_BETTER = 1 << 2,
  METRIC_LOWER_BETTER = 1 << 3,
  /* Bookkeeping for other tools (an event sequence, the horizon): stored and
   * exported, not shown in the report. */
  METRIC_INTERNAL = 1 << 4,
  /* An indicator: every value is 0 or 1 (an event occurred, a task ran), so its mean
   * is a proportion and gets Wilson's interval.  Declared, never inferred from the
   * values: a count or a time that is 0 in every replication is not a proportion. */
  METRIC_BINARY = 1 << 5,
  /* A value that can be negative (a difference, a margin).  Every other metric is a
   * magnitude -- a count, a time, a duration, a quantity, a share -- whose confidence
   * interval stops at 0 (STATS_NONNEG): "0.100 persons missing, 95% CI -0.109 to
   * 0.309" reads as nonsense to a planner.  No shipped model defines one yet. */
  METRIC_SIGNED = 1 << 6,
};

/* How a metric's values are summarised (stats_summarize). */
static inline stats_kind metric_stats_kind(unsigned flags) {
  if (flags & METRIC_BINARY) return STATS_BINARY;
  return flags & METRIC_SIGNED ? STATS_REAL : STATS_NONNEG;
}

/* +1 when more is better, -1 when less is, 0 when neither (or, wrongly, both). */
static inline int metric_direction(unsigned flags) {
  int hi = (flags & METRIC_HIGHER_BETTER) != 0, lo = (flags & METRIC_LOWER_BETTER) != 0;
  return hi - lo;
}

typedef struct metric_def {
  char *module;      /* "crisis" */
  char *name;        /* "blockade.occurred" */
  char *unit;        /* SI unit of the value ("s", "1", "kg"); "" if none */
  char *description; /* one line for reports */
  unsigned flags;
} metric_def;

typedef struct metric_set {
  metric_def *def;
  size_t n, cap;
  size_t *slot; /* hash index over module.name: def index + 1, 0 = empty */
  size_t nslot; /* a power of two, at least twice n */
} metric_set;

#define METRIC_MAX 100000

void metric_set_init(metric_set *ms);
void metric_set_release(metric_set *ms);
/* Returns the new metric's index, or ERR_NOMEM / ERR_LIMIT, or ERR_INPUT when
 * module.name is already defined.  unit and description may be NULL (""). */
int metric_define(metric_set *ms, const char *module, const char *name,
                  const char *unit, unsigned flags, const char *description);
/* Index of module.name, or -1. */
int metric_find(const metric_set *ms, const char *module, const char *name);

typedef struct metric_point {
  int metric;
  double t, value;
} metric_point;

typedef struct metric_out {
  double *value;       /* [set->n], NaN = not observed */
  metric_point *point; /* series points in the order they were added */
  size_t npoints, cap;
  arena *arena;        /* where points grow (no malloc in the event loop) */
} metric_out;

/* Allocate from a (one replication's arena) and fill value with NaN. */
int metric_out_init(metric_out *o, const metric_set *ms, arena *a);
static inline void metric_put(metric_out *o, int metric, double v) { o->value[metric] = v; }
/* Append a series point; ERR_LIMIT when the arena is exhausted. */
int metric_point_add(metric_out *o, int metric, double t, double v);

#endif
