/* jdoc.h - the JSON documents straits writes, built as jansson trees.
 *
 * Every JSON text straits writes (stored documents, the report's data, `--format
 * json`, exports) is a jansson tree dumped by jdoc_dump: one encoder, one number
 * format, one string rule.  Build with jansson's own constructors (json_object,
 * json_array, json_integer, json_true...) and these:
 *
 *   - values: jdoc_num for every double (NaN and infinities become null, which
 *     json_real refuses), jdoc_fixed for a coordinate or another value with a set
 *     number of decimals, jdoc_str for every string (NULL becomes null, and a text
 *     that is not UTF-8, such as a path's bytes, has those bytes as U+FFFD where
 *     json_string would refuse it);
 *   - members: jdoc_set and jdoc_push, which take the value (as the _new setters do)
 *     and remember a failure, so that the dump fails rather than writing a document
 *     with a member silently missing.
 *
 * A failed allocation anywhere in jansson is remembered too (jansson's allocator is
 * straits' own, counting failures per thread): jdoc_dump then appends nothing and
 * returns -1 with the buffer marked failed.  The failure mark is per thread and
 * cleared by each dump, so build and dump one document at a time in a thread.
 *
 * A document too large to hold as one tree (an array with a row per replication) is
 * written an element at a time: jdoc_dump of each element, with the array's '[', ','
 * and ']' put around them by the caller. */
#ifndef STRAITS_JDOC_H
#define STRAITS_JDOC_H

#include <jansson.h>

#include "strbuf.h"

json_t *jdoc_num(double v);
json_t *jdoc_fixed(double v, int decimals);
json_t *jdoc_str(const char *s);
/* obj[key] = v; v is taken (released on failure).  Returns 0, or -1 remembered. */
int jdoc_set(json_t *obj, const char *key, json_t *v);
/* arr += v; v is taken.  Returns 0, or -1 remembered. */
int jdoc_push(json_t *arr, json_t *v);
/* Append doc as compact text (insertion order, 9 significant digits for reals) to b
 * and release doc.  Returns 0, or -1 with b->failed set when doc is NULL, anything
 * since the last dump in this thread failed, or b cannot grow. */
int jdoc_dump(strbuf *b, json_t *doc);

/* A document whose shape is constant (a Vega chart spec) is written as its JSON text,
 * parsed by jdoc_template, and the values the run computed go in where the text has
 * a marker: a string value such as "@values", which no chart has, replaced by
 * jdoc_fill in place (the member keeps its rank).  So a whole chart stays readable in
 * one place and no JSON text is pasted together.  A text that is not JSON (a bug,
 * which the tests writing the document catch) or a missing marker fails the dump. */
json_t *jdoc_template(const char *text);
/* Replace the first value of doc (depth first) that is the string mark by v (taken).
 * 0, or -1 remembered when doc has no such marker or it could not be set. */
int jdoc_fill(json_t *doc, const char *mark, json_t *v);

/* GeoJSON (RFC 7946) pieces: a position [lon, lat] to 6 decimals (0.1 m), and a
 * geometry {"type": type, "coordinates": coordinates} (coordinates taken). */
json_t *jdoc_position(double lon, double lat);
json_t *jdoc_geometry(const char *type, json_t *coordinates);
#endif
