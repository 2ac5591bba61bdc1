/* ops_docs.c - what the models' docs hooks share (ops.h): a metric's mean over the
 * stored replications, and the head of a map layer's GeoJSON feature. */
#include <math.h>

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

void ops_feature(strbuf *b, int first, const char *layer, const char *id, const char *name,
                 double value) {
  strbuf_put(b, first ? "\n" : ",\n");
  strbuf_put(b, "{\"type\":\"Feature\",\"id\":");
  strbuf_json_str(b, id);
  strbuf_put(b, ",\"properties\":{\"layer\":");
  strbuf_json_str(b, layer);
  strbuf_put(b, ",\"id\":");
  strbuf_json_str(b, id);
  strbuf_put(b, ",\"name\":");
  strbuf_json_str(b, name);
  if (isfinite(value)) {
    strbuf_put(b, ",\"value\":");
    strbuf_json_num(b, value);
  }
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
