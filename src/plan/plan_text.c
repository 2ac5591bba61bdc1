/* plan_text.c - small text helpers of plan/: a growable string, JSON values, and the
 * "did you mean" suggestion for a misspelt table name. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_internal.h"

#define PL_BUF_MAX ((size_t)256 << 20) /* a JSON text larger than this is refused */

static int reserve(pl_buf *b, size_t more) {
  if (b->failed) return -1;
  if (b->len + more + 1 <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 1024;
  while (cap < b->len + more + 1) cap *= 2;
  char *s = cap > PL_BUF_MAX ? NULL : realloc(b->s, cap);
  if (!s) {
    b->failed = 1;
    return -1;
  }
  b->s = s;
  b->cap = cap;
  return 0;
}

void plan__buf_printf(pl_buf *b, const char *fmt, ...) {
  va_list ap, again;
  va_start(ap, fmt);
  va_copy(again, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n >= 0 && reserve(b, (size_t)n) == 0) {
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, again);
    b->len += (size_t)n;
  } else if (n < 0) {
    b->failed = 1;
  }
  va_end(again);
}

void plan__buf_json_str(pl_buf *b, const char *s) {
  if (!s) {
    plan__buf_printf(b, "null");
    return;
  }
  plan__buf_printf(b, "\"");
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      plan__buf_printf(b, "\\%c", *p);
    else if (*p == '\n')
      plan__buf_printf(b, "\\n");
    else if (*p == '\t')
      plan__buf_printf(b, "\\t");
    else if (*p < 0x20)
      plan__buf_printf(b, "\\u%04x", *p);
    else
      plan__buf_printf(b, "%c", *p);
  }
  plan__buf_printf(b, "\"");
}

void plan__buf_json_num(pl_buf *b, double v) {
  if (!isfinite(v))
    plan__buf_printf(b, "null");
  else
    plan__buf_printf(b, "%.10g", v);
}

