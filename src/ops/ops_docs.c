/* ops_docs.c - what the models' docs hooks share (ops.h): a metric's mean over the
 * stored replications, a map layer's head and GeoJSON feature as trees, and the dump
 * of a document to the sink. */
#include <math.h>

#include "err.h"
#include "ops.h"

double ops_mean(const ops_results *r, const char *module, const char *name) {
  double *scratch = r->scratch;
  int m = metric_find(r->ms, module, name);
  if (m < 0 || r->n == 0) return NAN;
  if (r->mean) return r->mean[m]; /* the runner's one pass over the store (mc.c) */
  if (r->values(r->ctx, m, scratch) != 0) return NAN;
  double sum = 0;
  size_t k = 0;
  for (size_t i = 0; i < r->n; i++)
    if (!isnan(scratch[i])) sum += scratch[i], k++;
  return k ? sum / (double)k : NAN;
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
