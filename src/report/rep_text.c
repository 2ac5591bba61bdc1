/* rep_text.c - the escaping rules of HTML and of <script> elements. */
#include "rep_text.h"

#include <string.h>
#include <strings.h>

void rep_html_escape(buf *b, const char *s) {
  for (const char *p = s ? s : ""; *p; p++) {
    switch (*p) {
    case '<': buf_put(b, "&lt;"); break;
    case '>': buf_put(b, "&gt;"); break;
    case '&': buf_put(b, "&amp;"); break;
    case '"': buf_put(b, "&quot;"); break;
    case '\'': buf_put(b, "&#39;"); break;
    default: buf_putn(b, p, 1);
    }
  }
}

void rep_script_json(buf *b, const char *json) {
  const char *p = json ? json : "null";
  for (const char *q; (q = strstr(p, "</")); p = q + 2) {
    buf_putn(b, p, (size_t)(q - p));
    buf_put(b, "<\\/");
  }
  buf_put(b, p);
}

void rep_script_text(buf *b, const char *js) {
  const char *p = js;
  for (const char *q = p; (q = strstr(q, "</")); q += 2) {
    if (strncasecmp(q + 2, "script", 6) != 0)
      continue;
    buf_putn(b, p, (size_t)(q - p));
    buf_put(b, "<\\/");
    p = q + 2;
  }
  buf_put(b, p);
}
