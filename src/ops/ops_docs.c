/* ops_docs.c - what the models' docs hooks share (ops.h): the stored replications
 * visited and summarised a chunk at a time, a metric's mean over them, a map layer's
 * head and GeoJSON feature as trees, and the dump of a document to the sink. */
#include <math.h>
#include <stdlib.h>

#include "err.h"
#include "ops.h"

/* Replications per chunk for nmetric metrics: the chunk's values, at least a row. */
static size_t chunk_rows(size_t nmetric) {
  size_t rows = nmetric ? STATS_STREAM_CHUNK / nmetric : STATS_STREAM_CHUNK;
  return rows ? rows : 1;
}

int ops_rows(const ops_results *r, const int *metric, size_t nmetric, ops_row_fn fn,
             void *fctx) {
  size_t rows = chunk_rows(nmetric);
  rows = rows < r->n ? rows : r->n;
  if (!rows) return 0;
  double *v = malloc(rows * (nmetric ? nmetric : 1) * sizeof *v);
  int err = v ? 0 : ERR_NOMEM;
  for (size_t lo = 0; lo < r->n && !err; lo += rows) {
    size_t hi = r->n - lo < rows ? r->n : lo + rows;
    err = r->chunk(r->ctx, metric, nmetric, lo, hi, v);
    for (size_t i = lo; i < hi && !err; i++) err = fn(fctx, i, v + (i - lo) * nmetric);
  }
  free(v);
  return err;
}

/* The stream's rows through r->chunk (ops_summarize). */
typedef struct summary_fill {
  const ops_results *r;
  const int *metric;
  size_t nmetric;
} summary_fill;

static int fill_chunk(void *ctx, size_t lo, size_t hi, double *vals) {
  const summary_fill *f = ctx;
  return f->r->chunk(f->r->ctx, f->metric, f->nmetric, lo, hi, vals);
}

int ops_summarize(stats_summary *out, const ops_results *r, const int *metric, size_t nmetric,
                  const stats_kind *kind) {
  summary_fill f = {r, metric, nmetric};
  return stats_summarize_stream(out, nmetric, kind, r->n, fill_chunk, &f);
}

/* The sum of the observed values, in replication order, and their count (ops_mean). */
typedef struct mean_sum {
  double sum;
  size_t k;
} mean_sum;

static int add_value(void *fctx, size_t rep, const double *v) {
  mean_sum *s = fctx;
  (void)rep;
  if (!isnan(v[0])) s->sum += v[0], s->k++;
  return 0;
}

double ops_mean(const ops_results *r, const char *module, const char *name) {
  int m = metric_find(r->ms, module, name);
  if (m < 0 || r->n == 0) return NAN;
  if (r->mean) return r->mean[m]; /* the runner's one pass over the store (mc.c) */
  mean_sum s = {0, 0};
  if (ops_rows(r, &m, 1, add_value, &s) != 0) return NAN;
  return s.k ? s.sum / (double)s.k : NAN;
}

json_t *ops_feature_json(const char *layer, const char *id, const char *name, double value) {
  json_t *f = json_object(), *p = json_object();
  jdoc_set(f, "type", jdoc_str("Feature"));
  jdoc_set(f, "id", jdoc_str(id));
  jdoc_set(p, "layer", jdoc_str(layer));
  jdoc_set(p, "id", jdoc_str(id));
  jdoc_set(p, "name", jdoc_str(name));
  if (isfinite(value)) jdoc_set(p, "value", jdoc_num(value));
  jdoc_set(f, "properties", p);
  return f;
}

json_t *ops_layer_json(const char *title, const char *legend) {
  json_t *layer = json_object();
  jdoc_set(layer, "title", jdoc_str(title));
  if (legend) {
    json_t *p = json_object();
    jdoc_set(p, "value", jdoc_str(legend));
    jdoc_set(layer, "properties", p);
  }
  return layer;
}

int ops_doc_put(const ops_doc_sink *sink, strbuf *b, const char *name, json_t *doc) {
  b->len = 0;
  if (b->s) b->s[0] = '\0';
  return jdoc_dump(b, doc) ? ERR_NOMEM : sink->put(sink->ctx, name, b->s);
}
