/* strbuf.c - growing text buffer; JSON strings encoded by jansson. */
#include "strbuf.h"

#include <jansson.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_release(strbuf *b) {
  free(b->s);
  b->s = NULL;
  b->len = b->cap = 0;
  b->failed = 0;
}

static int reserve(strbuf *b, size_t extra) {
  if (b->failed)
    return -1;
  if (b->len + extra + 1 <= b->cap)
    return 0;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + extra + 1)
    cap *= 2;
  char *s = cap <= STRBUF_MAX ? realloc(b->s, cap) : NULL;
  if (!s) {
    b->failed = 1;
    return -1;
  }
  b->s = s;
  b->cap = cap;
  return 0;
}

void strbuf_putn(strbuf *b, const char *s, size_t n) {
  if (reserve(b, n))
    return;
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

void strbuf_put(strbuf *b, const char *s) { strbuf_putn(b, s, strlen(s)); }

void strbuf_printf(strbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || reserve(b, (size_t)n)) {
    b->failed = 1;
    return;
  }
  va_start(ap, fmt);
  vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

/* Append the encoded JSON value j (jansson's encoder: its escapes, one per control
 * byte, quote and backslash); j is released. */
static void put_json(strbuf *b, json_t *j) {
  char *text = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
  if (text) strbuf_put(b, text);
  else b->failed = 1;
  free(text);
  json_decref(j);
}

void strbuf_json_str(strbuf *b, const char *s) {
  if (!s) {
    strbuf_put(b, "null");
    return;
  }
  json_t *j = json_string(s);
  if (!j) { /* not UTF-8 (a path's bytes): each byte above ASCII as U+FFFD */
    size_t n = strlen(s);
    char *clean = malloc(3 * n + 1), *o = clean;
    if (!clean) {
      b->failed = 1;
      return;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
      if (*p < 0x80) *o++ = (char)*p;
      else memcpy(o, "\xEF\xBF\xBD", 3), o += 3;
    *o = '\0';
    j = json_string(clean);
    free(clean);
  }
  put_json(b, j);
}

void strbuf_json_num(strbuf *b, double v) {
  if (!isfinite(v)) {
    strbuf_put(b, "null");
    return;
  }
  if (v == 0)
    v = 0; /* -0 prints as 0 */
  strbuf_printf(b, "%.9g", v);
}

