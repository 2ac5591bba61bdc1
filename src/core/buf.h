/* buf.h - a growing text buffer and the one JSON string and number writer of straits.
 *
 * A buffer that fails to grow remembers it (failed = 1) and ignores later appends, so
 * a writer checks once at the end.  Text is always NUL-terminated.  The buffer owns
 * its memory: buf_release frees it. */
#ifndef STRAITS_BUF_H
#define STRAITS_BUF_H

#include <stddef.h>

typedef struct buf {
  char *s;
  size_t len, cap;
  int failed;
} buf;

#define BUF_INIT {NULL, 0, 0, 0}
#define BUF_MAX ((size_t)1 << 30) /* a report larger than 1 GiB is refused */

void buf_release(buf *b);
void buf_put(buf *b, const char *s);
void buf_putn(buf *b, const char *s, size_t n);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string literal (quotes included); '<', '>' and '&' are \u-escaped so the
 * text can sit inside an HTML <script> element. */
void buf_json_str(buf *b, const char *s);
/* A JSON number with up to 9 significant digits; NaN and infinities become null. */
void buf_json_num(buf *b, double v);
#endif
