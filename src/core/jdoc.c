/* jdoc.c - JSON documents as jansson trees (jdoc.h). */
#include "jdoc.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Failures since this thread's last dump: a failed allocation inside jansson, or a
 * member that could not be set. */
static _Thread_local int failures;

static void *counting_malloc(size_t n) {
  void *p = malloc(n);
  if (!p) failures++;
  return p;
}

static pthread_once_t alloc_once = PTHREAD_ONCE_INIT;
static void install_alloc(void) { json_set_alloc_funcs(counting_malloc, free); }
/* jansson frees with free() whatever it allocated before this ran, which is malloc's
 * too, so the allocator may be installed at the first use rather than at start-up. */
static void ensure_alloc(void) { pthread_once(&alloc_once, install_alloc); }

/* 2^53: every integer below it is a double exactly, and prints exactly. */
#define JDOC_EXACT_INT 9007199254740992.0

json_t *jdoc_num(double v) {
  ensure_alloc();
  if (!isfinite(v)) return json_null();
  if (v == floor(v) && fabs(v) < JDOC_EXACT_INT) /* -0 becomes 0 too */
    return json_integer((json_int_t)v);
  return json_real(v);
}

json_t *jdoc_fixed(double v, int decimals) {
  if (!isfinite(v)) return json_null();
  double scale = pow(10, decimals);
  return jdoc_num(round(v * scale) / scale);
}

json_t *jdoc_str(const char *s) {
  ensure_alloc();
  if (!s) return json_null();
  json_t *j = json_string(s);
  if (j) return j;
  size_t n = strlen(s); /* not UTF-8: each byte above ASCII as U+FFFD */
  char *clean = malloc(3 * n + 1), *o = clean;
  if (!clean) {
    failures++;
    return NULL;
  }
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x80) *o++ = (char)*p;
    else memcpy(o, "\xEF\xBF\xBD", 3), o += 3;
  *o = '\0';
  j = json_string(clean);
  free(clean);
  if (!j) failures++;
  return j;
}

int jdoc_set(json_t *obj, const char *key, json_t *v) {
  if (json_object_set_new(obj, key, v)) {
    failures++;
    return -1;
  }
  return 0;
}

int jdoc_push(json_t *arr, json_t *v) {
  if (json_array_append_new(arr, v)) {
    failures++;
    return -1;
  }
  return 0;
}

static int put_chunk(const char *s, size_t n, void *data) {
  strbuf *b = data;
  strbuf_putn(b, s, n);
  return b->failed ? -1 : 0;
}

int jdoc_dump(strbuf *b, json_t *doc) {
  ensure_alloc();
  int bad = failures || !doc;
  failures = 0;
  if (!bad) {
    size_t mark = b->len;
    bad = json_dump_callback(doc, put_chunk, b,
                             JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(9)) ||
          failures;
    failures = 0;
    if (bad && !b->failed) { /* nothing of a failed document stays */
      b->len = mark;
      if (b->s) b->s[mark] = '\0';
    }
  }
  json_decref(doc);
  if (bad) b->failed = 1;
  return bad ? -1 : 0;
}

json_t *jdoc_position(double lon, double lat) {
  json_t *p = json_array();
  jdoc_push(p, jdoc_fixed(lon, 6));
  jdoc_push(p, jdoc_fixed(lat, 6));
  return p;
}

json_t *jdoc_geometry(const char *type, json_t *coordinates) {
  json_t *g = json_object();
  jdoc_set(g, "type", jdoc_str(type));
  jdoc_set(g, "coordinates", coordinates);
  return g;
}
