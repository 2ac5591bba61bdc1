/* rep_internal.h - what the report's files share (not API). */
#ifndef STRAITS_REP_INTERNAL_H
#define STRAITS_REP_INTERNAL_H

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
 * FeatureCollection when coast is not NULL. */
void rep__data_json(strbuf *b, const rep_run *r, const rep_lines *coast, const int *level,
                    int with_values, int threads);
/* Coastline polylines as GeoJSON LineString features, comma-separated; with level
 * (NULL: none) each says its GSHHG level in properties.level. */
void rep__coast_features(strbuf *b, const rep_lines *coast, const int *level);
/* The value of member `key` of the top-level JSON object in json: *start and *len
 * delimit its text.  Returns 0, or -1 when absent or the text is not an object.
 * Strings (with escapes) and nesting are skipped properly; nothing is validated. */
int rep__json_member(const char *json, const char *key, const char **start, size_t *len);

#endif
