/* rep_buf.h - a growing text buffer with JSON helpers, for the report and exports.
 *
 * A buffer that fails to grow remembers it (failed = 1) and ignores later appends, so
 * a writer checks once at the end.  Text is always NUL-terminated.  The buffer owns
 * its memory: rep_buf_release frees it. */
#ifndef STRAITS_REP_BUF_H
#define STRAITS_REP_BUF_H

#include <stddef.h>

typedef struct rep_buf {
  char *s;
  size_t len, cap;
  int failed;
} rep_buf;

#define REP_BUF_INIT {NULL, 0, 0, 0}
#define REP_BUF_MAX ((size_t)1 << 30) /* a report larger than 1 GiB is refused */

void rep_buf_release(rep_buf *b);
void rep_buf_put(rep_buf *b, const char *s);
void rep_buf_putn(rep_buf *b, const char *s, size_t n);
void rep_buf_printf(rep_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string literal (quotes included); '<', '>' and '&' are \u-escaped so the
 * text can sit inside an HTML <script> element. */
void rep_buf_json_str(rep_buf *b, const char *s);
/* A JSON number with up to 9 significant digits; NaN and infinities become null. */
void rep_buf_json_num(rep_buf *b, double v);
/* Text escaped for HTML element content and attribute values. */
void rep_buf_html(rep_buf *b, const char *s);
/* JSON text copied into a <script> element: "</" becomes "<\/" (same JSON value). */
void rep_buf_script_json(rep_buf *b, const char *json);
/* JavaScript copied into a <script> element: "</script" becomes "<\/script", the
 * same text inside the string or regular expression where it can occur. */
void rep_buf_script_text(rep_buf *b, const char *js);

#endif
