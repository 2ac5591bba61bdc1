/* rep_text.h - text for HTML: element content, attribute values, and what may sit
 * inside a <script> element. */
#ifndef STRAITS_REP_TEXT_H
#define STRAITS_REP_TEXT_H

#include "strbuf.h"

/* Text escaped for HTML element content and attribute values. */
void rep_html_escape(strbuf *b, const char *s);
/* JSON text copied into a <script> element: "</" becomes "<\/" (same JSON value). */
void rep_script_json(strbuf *b, const char *json);
/* The same, in place, for what b holds from offset `from` on (no copy of a large
 * document). */
void rep_script_json_tail(strbuf *b, size_t from);
/* JavaScript copied into a <script> element: "</script" becomes "<\/script", the
 * same text inside the string or regular expression where it can occur. */
void rep_script_text(strbuf *b, const char *js);

#endif
