/* rep_internal.h - what the report's files share (not API). */
#ifndef STRAITS_REP_INTERNAL_H
#define STRAITS_REP_INTERNAL_H

#include <jansson.h>

#include "jdoc.h"
#include "report.h"
#include "rep_text.h"

#define REP_MAX_VALUES 2000 /* per histogram: the first observed replications */

/* Whether a scalar metric is declared an indicator (METRIC_BINARY: an event's
 * occurrence) and was observed: its mean is a probability. */
int rep__binary(const rep_run *r, size_t m);
/* Whether a dimensionless metric that is not 0/1 stays within [0, 1] and varies (a
 * share: shown in percent, as probabilities are). */
int rep__fraction(const rep_run *r, size_t m);
/* Whether a histogram says something: a scalar, seen twice or more, not constant,
 * not a probability, not internal. */
int rep__histogram(const rep_run *r, size_t m);

/* How metric m is shown: value * scale in unit ("%" for probabilities and shares;
 * times in min, h or d and masses in kg or t by the metric's typical size). */
typedef struct rep__shown {
  double scale;
  const char *unit;
  int percent;
  int integral; /* every observed value is a whole number (a count) */
} rep__shown;
void rep__show(rep__shown *o, const rep_run *r, size_t m);
/* The data the page and the JSON export share: run, scenario, theater, metrics
 * (values for histograms when with_values), bands.  The coastline as a GeoJSON
 * FeatureCollection when coast is not NULL.  Written a metric, a band and a coastline
 * line at a time (jdoc.h: no tree of the whole), so that a long run's page needs no
 * more memory than a short one's. */
void rep__data_json(strbuf *b, const rep_run *r, const rep_lines *coast, const int *level,
                    int with_values, int threads);

/* ---- JSON (rep_json.c) ---------------------------------------------------------
 * Every JSON text goes through jansson (jdoc.h).  A document too large to hold as one
 * tree is written a member or an element at a time: each key and value dumped by the
 * encoder, only the braces, brackets, colons and commas put by hand.  `first`: nothing
 * has been written yet in the enclosing object or array. */

/* A stored document (its JSON text, NULL when absent) parsed: a new reference, null
 * when absent or not JSON (a document that breaks is left out, not copied). */
json_t *rep__doc(const char *json);
/* `"key":`, after a comma unless first. */
void rep__key(strbuf *b, int first, const char *key);
/* v (taken) as an element of an array being written, after "\n" or ",\n". */
void rep__item(strbuf *b, int first, json_t *v);
/* The elements of doc's "features" array whose properties.layer is kind (NULL: all)
 * written to b as rep__item does (b NULL: only counted); *first cleared when one is.
 * Returns how many there are. */
size_t rep__features(strbuf *b, json_t *doc, const char *kind, int *first);
/* Coastline line i as a GeoJSON LineString feature ([lon, lat], 4 decimals), its
 * properties {"layer": "coastline"} and, with level (NULL: none), its GSHHG level. */
json_t *rep__coast_feature(const rep_lines *coast, size_t i, const int *level);
/* Every line of coast (NULL: none) written by rep__item. */
void rep__coast_features(strbuf *b, const rep_lines *coast, const int *level, int *first);
/* [west, south, east, north] to the coastline's decimals. */
json_t *rep__bbox(const double *bbox);

#endif
