/* jdoc.c - JSON documents as jansson trees (jdoc.h). */
#include "jdoc.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
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

/* v to 9 significant digits, as the dump prints a real. */
static double nine_digits(double v) {
  char text[32];
  snprintf(text, sizeof text, "%.9g", v);
  return strtod(text, NULL);
}

json_t *jdoc_num(double v) {
  ensure_alloc();
  if (!isfinite(v)) return json_null();
  /* A whole number is an integer, exactly; so is a value the dump would print as one
   * (712000.0000001 at 9 digits), which jansson would otherwise write as "712000.0". */
  double r = nearbyint(v);
  if (r != v && fabs(v - r) <= 5e-10 * fabs(v) && nine_digits(v) == r) v = r;
  if (v == r && fabs(v) < JDOC_EXACT_INT) /* -0 becomes 0 too */
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

json_t *jdoc_template(const char *text) {
  ensure_alloc();
  json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
  if (!doc) failures++;
  return doc;
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
        failures++; /* x is released by json_array_set_new */
        return -1;
      }
      int r = fill(m, mark, v);
      if (r) return r;
    }
  }
  return 0;
}

int jdoc_fill(json_t *doc, const char *mark, json_t *v) {
  int r = fill(doc, mark, &v);
  if (r == 1) return 0;
  if (r == 0) { /* no such marker */
    json_decref(v);
    failures++;
  }
  return -1;
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
