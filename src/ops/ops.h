/* ops.h - a mission model as one descriptor, and the ordered registry of them.
 *
 * Every mission model (the crisis, the plan's tasks, inspection, logistics, SAR, and
 * those to come) exports one `const ops_module`; the runner (mc/), the loader's
 * section table, the report's documents and the CLI know a model only through it and
 * iterate ops_registry().  None of them includes a mission's header or names one
 * (DESIGN.md section 2; docs/hacking.md adds a model).
 *
 * Life of a model, per run: its section is loaded with the scenario (`section`, NULL
 * for a model that reads only the common sections), `prepare` resolves it against
 * the scenario and the plan and defines its metrics (in registry order, so metric
 * indices are the same on every thread and rank); a NULL model means the scenario
 * does not use it and nothing else of it is called.  Per replication `start`
 * schedules its first events on the kernel and `collect` writes its metrics after
 * the run to the horizon.  After the run `docs` writes its report documents from the
 * stored results, read a chunk at a time (ops_results).  `release` frees the model.  Every hook but `prepare` and `release`
 * may be NULL. */
#ifndef STRAITS_OPS_H
#define STRAITS_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "jdoc.h"
#include "strbuf.h"
#include "diag.h"
#include "metric.h"
#include "scenario.h"
#include "sim.h"
#include "stats.h"

struct plan_authorities;
struct ops_module;

/* What a run hands every model besides the scenario. */
typedef struct ops_context {
  /* Japan's legal authorities (plan.h), borrowed; NULL: the shipped table, read by
   * the models that need it. */
  const struct plan_authorities *authorities;
} ops_context;

/* Where a traced replication's lines go (straits trace, mc_trace.h): one call per
 * line, at simulated time t (s), from module `module`; text is valid during the call
 * only.  Written straight to the sink, so a traced run allocates nothing more in its
 * event loop. */
typedef struct ops_trace {
  void *ctx;
  void (*line)(void *ctx, double t, const char *module, const char *text);
} ops_trace;

/* Which replication a model starts, and how (initialise by field name). */
typedef struct ops_rep {
  uint64_t seed;  /* the scenario's seed */
  uint32_t index; /* the replication */
  int record;     /* keep what the report draws of one replication (a SAR case's map
                     and searches): a replay for the report, never a stored run */
  /* straits trace: where the model writes its own lines (voyages, sorties,
     inspections) with ops_trace_line; NULL in every other run. */
  const ops_trace *trace;
} ops_rep;

/* One printf-style line to t (NULL: nothing, the normal run). */
void ops_trace_line(const ops_trace *t, double time, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A file or table a model read when prepared, for the study hash (mc.h): role is a
 * fixed word ("authorities", "sar.current"), sha256 64 hex digits. */
typedef void (*ops_input_fn)(void *ctx, const char *role, const char *sha256);

/* The stored results of a run, for the docs hooks: the registry, the replications
 * [0, n), their values read a chunk of replications at a time, and a replay of one
 * replication.  A hook reads them through ops_rows, ops_summarize and ops_mean, which
 * hold at most a chunk (STATS_STREAM_CHUNK values, 4 MiB) whatever n is: the docs
 * phase of a million-replication run must not hold a column (8 MB) per metric it
 * draws (issue 22). */
typedef struct ops_results {
  const scn_scenario *sc;
  const metric_set *ms;
  size_t n;
  void *ctx;
  /* Replications [lo, hi) of metrics metric[0..nmetric) into v: v[(r - lo) * nmetric
   * + c] is metric metric[c] of replication r (NaN: not observed), the metrics in any
   * order.  The caller keeps (hi - lo) * nmetric within max(nmetric,
   * STATS_STREAM_CHUNK); the runner's reader (mc.c) holds nothing more.  0 or an
   * error. */
  int (*chunk)(void *ctx, const int *metric, size_t nmetric, size_t lo, size_t hi, double *v);
  /* Run replication rep again with every model, recording (ops_rep.record); *state
   * is `self`'s state after the horizon (NULL if the model has none) and *value the
   * replication's metrics [ms->n]; both valid until the next replay or the end of
   * the docs hook.  0 or an error (a failed replay is a missing picture). */
  int (*replay)(void *ctx, const struct ops_module *self, int rep, void **state,
                const double **value);
  /* Every metric's mean over the replications that observed it [ms->n] (NaN: none
   * did), summed in replication order and then divided, so the same bits as the
   * values would give: what ops_mean answers from, or NULL (it reads the values). */
  const double *mean;
} ops_results;

/* Where a docs hook puts a document: its name in the store ("map.layer.sar-datums",
 * docs/report.md) and its JSON text. */
typedef struct ops_doc_sink {
  void *ctx;
  int (*put)(void *ctx, const char *name, const char *json);
} ops_doc_sink;

/* 0, or an error (problems in d); a model left in *model on failure is released by
 * the caller. */
typedef int (*ops_prepare)(void **model, const scn_scenario *sc, const ops_context *ctx,
                           metric_set *ms, diag *d);
/* The replication's state (in the arena), or NULL when the arena is exhausted. */
typedef void *(*ops_start)(const void *model, sim *s, arena *a, metric_out *out,
                           const ops_rep *rep);
typedef void (*ops_collect)(void *state, sim *s, metric_out *out);
/* Checks of `straits check` that need more than the loader (reachability, the legal
 * authority of each Japanese asset): findings in d, ERR_INPUT when one is an error. */
typedef int (*ops_check)(const scn_scenario *sc, const ops_context *ctx, diag *d);
/* Called for every model, prepared or NULL (a table the run was handed is an input
 * even when the scenario has no plan). */
typedef void (*ops_inputs)(const void *model, const ops_context *ctx, ops_input_fn fn,
                           void *fctx);
/* The model's report documents; b is a scratch buffer (emptied, owned by the caller).
 * 0, or an error (ERR_NOMEM, or the sink's). */
typedef int (*ops_docs)(const void *model, const ops_results *r, strbuf *b,
                        const ops_doc_sink *sink);

typedef struct ops_module {
  const char *name;         /* "logistics": its metric prefix and report id */
  const char *title;        /* "Rear-area logistics": the report's section title */
  /* Other metric prefixes the model defines and their titles, as pairs ending in NULL
   * ({"escalation", "Escalation ladder", NULL}), or NULL. */
  const char *const *metric_titles;
  /* A model that drives the others (the crisis): its metrics are causes, and the
   * spillover analysis compares only the others' outcomes with and without spillover. */
  int driver;
  const scn_section *section; /* its top-level YAML section, or NULL */
  ops_prepare prepare;
  ops_start start;
  ops_collect collect;
  ops_check check;
  ops_inputs inputs;
  ops_docs docs;
  void (*release)(void *model);
} ops_module;

/* The models in the order they are prepared and started (ops.c says why). */
#define OPS_MAX_MODULES 32
const ops_module *const *ops_registry(size_t *n);
/* Use table instead of the shipped models (n of them, at most OPS_MAX_MODULES), or
 * the shipped ones again for NULL: for a test or a tool that runs a model of its own
 * (docs/hacking.md).  Not while a run or a load is under way.  0 or ERR_LIMIT. */
int ops_registry_use(const ops_module *const *table, size_t n);
/* The model named name, or NULL. */
const ops_module *ops_find(const char *name);
/* The model that defines metric module `name` (its own name or one of its
 * metric_titles prefixes), or NULL. */
const ops_module *ops_owner(const char *name);
/* The report's title for a metric module: a model's title, or NULL. */
const char *ops_title(const char *name);
/* The scenario sections of the registry's models, for scn_load_options (sets
 * opt->sections and opt->nsections; the table is static). */
void ops_load_options(scn_load_options *opt);
/* Every model's `straits check` checks (ops_module.check), all of them, findings in d:
 * 0, ERR_INPUT when one found an error, or the first worse error. */
int ops_check_all(const scn_scenario *sc, const ops_context *ctx, diag *d);

/* Mean over the replications of metric module.name, ignoring those where it was not
 * observed; NaN when it is unknown, never observed, or cannot be read.  From r->mean
 * when it is there (no read), else from the metric's values (ops_rows). */
double ops_mean(const ops_results *r, const char *module, const char *name);

/* What ops_rows hands over: replication rep's values v[nmetric] (NaN: not observed),
 * valid during the call.  Non-zero stops the visit with that value. */
typedef int (*ops_row_fn)(void *fctx, size_t rep, const double *v);

/* Every replication [0, r->n) in order with the values of metric[0..nmetric), read
 * through r->chunk a chunk at a time (at most max(nmetric, STATS_STREAM_CHUNK)
 * values held).  0, ERR_NOMEM, the read's error, or fn's non-zero value. */
int ops_rows(const ops_results *r, const int *metric, size_t nmetric, ops_row_fn fn,
             void *fctx);

/* The summary of each metric[c]'s values over [0, r->n) into out[nmetric] (kind
 * [nmetric], or NULL for STATS_REAL): stats_summarize_stream through r->chunk, so the
 * same bits as stats_summarize over the column, in memory bounded by the chunk --
 * but for a quantile whose rank falls among zeros of both signs, which may be the
 * other zero (stats_stream.c).  0, ERR_NOMEM or the read's error. */
int ops_summarize(stats_summary *out, const ops_results *r, const int *metric, size_t nmetric,
                  const stats_kind *kind);

/* One GeoJSON feature of a map layer (docs/report.md) as a jansson tree (jdoc.h):
 * {"type":"Feature","id":id,"properties":{layer, id, name, value}}, value left out
 * when not finite (JSON has no NaN).  The caller adds its own properties
 * (json_object_get(f, "properties")) and the geometry (jdoc_geometry). */
json_t *ops_feature_json(const char *layer, const char *id, const char *name, double value);
/* A map layer's head: {"title": title, "properties": {"value": legend}}, without
 * properties when legend is NULL; the caller adds its "features" (last). */
json_t *ops_layer_json(const char *title, const char *legend);
/* Dump doc (taken) into b, emptied first, and hand the text to the sink as document
 * `name`: 0, ERR_NOMEM (the tree or b failed), or the sink's error. */
int ops_doc_put(const ops_doc_sink *sink, strbuf *b, const char *name, json_t *doc);

#endif
