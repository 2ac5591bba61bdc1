/* rep_buf.c - growing text buffer and the escaping rules of JSON and HTML. */
#include "rep_buf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void rep_buf_release(rep_buf *b) {
  free(b->s);
  b->s = NULL;
  b->len = b->cap = 0;
  b->failed = 0;
}

static int reserve(rep_buf *b, size_t extra) {
  if (b->failed)
    return -1;
  if (b->len + extra + 1 <= b->cap)
    return 0;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + extra + 1)
    cap *= 2;
  char *s = cap <= REP_BUF_MAX ? realloc(b->s, cap) : NULL;
  if (!s) {
    b->failed = 1;
    return -1;
  }
  b->s = s;
  b->cap = cap;
  return 0;
}

void rep_buf_putn(rep_buf *b, const char *s, size_t n) {
  if (reserve(b, n))
    return;
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

void rep_buf_put(rep_buf *b, const char *s) { rep_buf_putn(b, s, strlen(s)); }

void rep_buf_printf(rep_buf *b, const char *fmt, ...) {
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

void rep_buf_json_str(rep_buf *b, const char *s) {
  rep_buf_put(b, "\"");
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    switch (*p) {
    case '"': rep_buf_put(b, "\\\""); break;
    case '\\': rep_buf_put(b, "\\\\"); break;
    case '\n': rep_buf_put(b, "\\n"); break;
    case '\r': rep_buf_put(b, "\\r"); break;
    case '\t': rep_buf_put(b, "\\t"); break;
    case '<': case '>': case '&': rep_buf_printf(b, "\\u%04x", *p); break;
    default:
      if (*p < 0x20)
        rep_buf_printf(b, "\\u%04x", *p);
      else
        rep_buf_putn(b, (const char *)p, 1);
    }
  }
  rep_buf_put(b, "\"");
}

void rep_buf_json_num(rep_buf *b, double v) {
  if (!isfinite(v)) {
    rep_buf_put(b, "null");
    return;
  }
  if (v == 0)
    v = 0; /* -0 prints as 0 */
  rep_buf_printf(b, "%.9g", v);
}

void rep_buf_html(rep_buf *b, const char *s) {
  for (const char *p = s ? s : ""; *p; p++) {
    switch (*p) {
    case '<': rep_buf_put(b, "&lt;"); break;
    case '>': rep_buf_put(b, "&gt;"); break;
    case '&': rep_buf_put(b, "&amp;"); break;
    case '"': rep_buf_put(b, "&quot;"); break;
    case '\'': rep_buf_put(b, "&#39;"); break;
    default: rep_buf_putn(b, p, 1);
    }
  }
}

void rep_buf_script_json(rep_buf *b, const char *json) {
  const char *p = json ? json : "null";
  for (const char *q; (q = strstr(p, "</")); p = q + 2) {
    rep_buf_putn(b, p, (size_t)(q - p));
    rep_buf_put(b, "<\\/");
  }
  rep_buf_put(b, p);
}

void rep_buf_script_text(rep_buf *b, const char *js) {
  const char *p = js;
  for (const char *q = p; (q = strstr(q, "</")); q += 2) {
    if (strncasecmp(q + 2, "script", 6) != 0)
      continue;
    rep_buf_putn(b, p, (size_t)(q - p));
    rep_buf_put(b, "<\\/");
    p = q + 2;
  }
  rep_buf_put(b, p);
}
