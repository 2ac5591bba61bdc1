/* strbuf.h - a growing text buffer (JSON documents are jansson trees: jdoc.h).
 *
 * A buffer that fails to grow remembers it (failed = 1) and ignores later appends, so
 * a writer checks once at the end.  Text is always NUL-terminated.  The buffer owns
 * its memory: strbuf_release frees it. */
#ifndef STRAITS_STRBUF_H
#define STRAITS_STRBUF_H

#include <stddef.h>

typedef struct strbuf {
  char *s;
  size_t len, cap;
  int failed;
} strbuf;

#define STRBUF_INIT {NULL, 0, 0, 0}
#define STRBUF_MAX ((size_t)1 << 30) /* a report larger than 1 GiB is refused */

void strbuf_release(strbuf *b);
void strbuf_put(strbuf *b, const char *s);
void strbuf_putn(strbuf *b, const char *s, size_t n);
void strbuf_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#endif
