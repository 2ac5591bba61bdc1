/* rep_json.c - what the report's JSON writers share: stored documents read back as
 * trees, documents too large for one tree written a piece at a time, and the
 * coastline's GeoJSON features. */
#include "rep_internal.h"

#include <string.h>

json_t *rep__doc(const char *json) {
  json_t *doc = json ? json_loads(json, 0, NULL) : NULL;
  return doc ? doc : json_null();
}

/* Only the punctuation is written here; the key goes through the encoder. */
void rep__key(strbuf *b, int first, const char *key) {
  if (!first) strbuf_put(b, ",");
  jdoc_dump(b, jdoc_str(key));
  strbuf_put(b, ":");
}

/* A line between elements: a long array stays readable, and line tools see an element
 * a line (JSON does not care). */
void rep__item(strbuf *b, int first, json_t *v) {
  strbuf_put(b, first ? "\n" : ",\n");
  jdoc_dump(b, v);
}

size_t rep__features(strbuf *b, json_t *doc, const char *kind, int *first) {
  json_t *features = json_object_get(doc, "features"), *f;
  size_t i, count = 0;
  json_array_foreach(features, i, f) {
    const char *layer = json_string_value(json_object_get(json_object_get(f, "properties"),
                                                          "layer"));
    if (kind && !(layer && strcmp(layer, kind) == 0)) continue;
    count++;
    if (!b) continue;
    rep__item(b, *first, json_incref(f));
    *first = 0;
  }
  return count;
}

/* 4 decimals (11 m): what a map of the theater shows, and a third less text than the
 * 6 of GSHHG's microdegrees. */
#define REP_COAST_DECIMALS 4

json_t *rep__coast_feature(const rep_lines *coast, size_t i, const int *level) {
  json_t *f = json_object(), *props = json_object(), *line = json_array();
  jdoc_set(f, "type", jdoc_str("Feature"));
  jdoc_set(props, "layer", jdoc_str("coastline"));
  if (level) jdoc_set(props, "level", json_integer(level[i]));
  jdoc_set(f, "properties", props);
  for (size_t k = coast->start[i]; k < coast->start[i + 1]; k++) {
    json_t *p = json_array();
    jdoc_push(p, jdoc_fixed(coast->lon[k], REP_COAST_DECIMALS));
    jdoc_push(p, jdoc_fixed(coast->lat[k], REP_COAST_DECIMALS));
    jdoc_push(line, p);
  }
  jdoc_set(f, "geometry", jdoc_geometry("LineString", line));
  return f;
}

void rep__coast_features(strbuf *b, const rep_lines *coast, const int *level, int *first) {
  for (size_t i = 0; coast && i < coast->nline; i++) {
    rep__item(b, *first, rep__coast_feature(coast, i, level));
    *first = 0;
  }
}

json_t *rep__bbox(const double *bbox) {
  json_t *a = json_array();
  for (int i = 0; i < 4; i++) jdoc_push(a, jdoc_fixed(bbox[i], REP_COAST_DECIMALS));
  return a;
}
