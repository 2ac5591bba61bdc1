/* mc_json.h - the fixed part of a runner document's chart as a jansson tree (jdoc.h).
 *
 * A Vega spec is mostly constant: its text is parsed once per document, and the values
 * the run computed go in where the text has a marker, a string value such as
 * "@values" (no Vega spec has such a string), so that the whole chart stays readable
 * in one place and no JSON text is pasted together.  Internal to mc/. */
#ifndef STRAITS_MC_JSON_H
#define STRAITS_MC_JSON_H

#include "jdoc.h"

/* The tree of a constant JSON text; NULL when out of memory or when the text is not
 * JSON (a bug, which every test writing the document catches: the dump fails). */
json_t *mc__json_template(const char *text);
/* Replace the first value of doc (depth first) that is the string mark by v (taken).
 * 0, or -1 remembered for the dump (jdoc.h) when doc has no such marker. */
int mc__json_fill(json_t *doc, const char *mark, json_t *v);

#endif
