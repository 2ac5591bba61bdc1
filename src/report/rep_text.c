/* rep_text.c - the escaping rules of HTML and of <script> elements. */
#include "rep_text.h"

#include <string.h>
#include <strings.h>

void rep_html_escape(strbuf *b, const char *s) {
  for (const char *p = s ? s : ""; *p; p++) {
    switch (*p) {
    case '<': strbuf_put(b, "&lt;"); break;
    case '>': strbuf_put(b, "&gt;"); break;
    case '&': strbuf_put(b, "&amp;"); break;
    case '"': strbuf_put(b, "&quot;"); break;
    case '\'': strbuf_put(b, "&#39;"); break;
    default: strbuf_putn(b, p, 1);
    }
  }
}

/* JSON has '<' only inside strings, where "\u003c" means the same: every '<' written
 * so, no "</script>" or "<!--" can end or confuse the element. */
void rep_script_json(strbuf *b, const char *json) {
  const char *p = json ? json : "null";
  for (const char *q; (q = strchr(p, '<')); p = q + 1) {
    strbuf_putn(b, p, (size_t)(q - p));
    strbuf_put(b, "\\u003c");
  }
  strbuf_put(b, p);
}

void rep_script_json_tail(strbuf *b, size_t from) {
  size_t k = 0;
  for (size_t i = from; i < b->len; i++) k += b->s[i] == '<';
  if (!k || b->failed) return;
  size_t old = b->len;
  for (size_t i = 0; i < k; i++) strbuf_put(b, "     "); /* room: '<' grows by 5 */
  if (b->failed) return;
  /* From the end back, so nothing is read after it is overwritten. */
  for (size_t i = old, o = b->len; i-- > from;) {
    if (b->s[i] == '<') {
      o -= 6;
      memcpy(b->s + o, "\\u003c", 6);
    } else {
      b->s[--o] = b->s[i];
    }
  }
}

void rep_script_text(strbuf *b, const char *js) {
  const char *p = js;
  for (const char *q = p; (q = strstr(q, "</")); q += 2) {
    if (strncasecmp(q + 2, "script", 6) != 0)
      continue;
    strbuf_putn(b, p, (size_t)(q - p));
    strbuf_put(b, "<\\/");
    p = q + 2;
  }
  strbuf_put(b, p);
}
