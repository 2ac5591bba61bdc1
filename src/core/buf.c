/* buf.c - growing text buffer and the escaping rules of JSON. */
#include "buf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_release(buf *b) {
  free(b->s);
  b->s = NULL;
  b->len = b->cap = 0;
  b->failed = 0;
}

static int reserve(buf *b, size_t extra) {
  if (b->failed)
    return -1;
  if (b->len + extra + 1 <= b->cap)
    return 0;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + extra + 1)
    cap *= 2;
  char *s = cap <= BUF_MAX ? realloc(b->s, cap) : NULL;
  if (!s) {
    b->failed = 1;
    return -1;
  }
  b->s = s;
  b->cap = cap;
  return 0;
}

void buf_putn(buf *b, const char *s, size_t n) {
  if (reserve(b, n))
    return;
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

void buf_put(buf *b, const char *s) { buf_putn(b, s, strlen(s)); }

void buf_printf(buf *b, const char *fmt, ...) {
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

void buf_json_str(buf *b, const char *s) {
  buf_put(b, "\"");
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    switch (*p) {
    case '"': buf_put(b, "\\\""); break;
    case '\\': buf_put(b, "\\\\"); break;
    case '\n': buf_put(b, "\\n"); break;
    case '\r': buf_put(b, "\\r"); break;
    case '\t': buf_put(b, "\\t"); break;
    case '<': case '>': case '&': buf_printf(b, "\\u%04x", *p); break;
    default:
      if (*p < 0x20)
        buf_printf(b, "\\u%04x", *p);
      else
        buf_putn(b, (const char *)p, 1);
    }
  }
  buf_put(b, "\"");
}

void buf_json_num(buf *b, double v) {
  if (!isfinite(v)) {
    buf_put(b, "null");
    return;
  }
  if (v == 0)
    v = 0; /* -0 prints as 0 */
  buf_printf(b, "%.9g", v);
}

