/* mc_json.c - a chart's constant text as a tree, filled in at its markers (mc_json.h). */
#include "mc_json.h"

#include <string.h>

/* A parse that fails returns NULL, which the caller's jdoc_set or mc__json_fill
 * remembers for the dump. */
json_t *mc__json_template(const char *text) {
  return json_loads(text, JSON_REJECT_DUPLICATES, NULL);
}

static int is_mark(const json_t *j, const char *mark) {
  return json_is_string(j) && strcmp(json_string_value(j), mark) == 0;
}

/* 1 when the marker was found and replaced (*v taken, then NULL), -1 when it was found
 * and could not be, 0 when it is not under j. */
static int fill(json_t *j, const char *mark, json_t **v) {
  if (json_is_object(j)) {
    const char *key;
    json_t *m;
    json_object_foreach(j, key, m) {
      if (is_mark(m, mark)) {
        json_t *x = *v;
        *v = NULL;
        return jdoc_set(j, key, x) ? -1 : 1; /* in place: the member keeps its rank */
      }
      int r = fill(m, mark, v);
      if (r) return r;
    }
  } else if (json_is_array(j)) {
    for (size_t i = 0; i < json_array_size(j); i++) {
      json_t *m = json_array_get(j, i);
      if (is_mark(m, mark)) {
        json_t *x = *v;
        *v = NULL;
        if (json_array_set_new(j, i, x) == 0) return 1;
        jdoc_push(NULL, json_null()); /* x is released: remember the failure */
        return -1;
      }
      int r = fill(m, mark, v);
      if (r) return r;
    }
  }
  return 0;
}

int mc__json_fill(json_t *doc, const char *mark, json_t *v) {
  int r = fill(doc, mark, &v);
  if (r == 1) return 0;
  if (r == 0) jdoc_push(NULL, v); /* no such marker: v is released, the failure remembered */
  return -1;
}
