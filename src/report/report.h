/* report.h - the HTML report and the JSON/CSV/GeoJSON exports of a stored run.
 *
 * Everything comes from the results store (DESIGN.md section 9): the run's row
 * (provenance), its metric registry and values, its series, and its documents --
 * "scenario" and "theater" (written by `straits run`), and any a module adds.  The
 * report is one HTML file: a summary table in HTML, and Vega views (vega.min.js
 * inlined, data embedded in each spec) for the map, the time series, histograms and
 * the sections that modules contribute.
 *
 * How a module adds a section: write a store document named "report.section.<id>"
 * whose body is {"title": ..., "text": ..., "order": n, "vega": <a Vega spec with
 * its data inlined>, "collapsed": "what it shows", "split": <metrics over two groups
 * of replications, in SI units, shown as the summary shows them; docs/report.md>}
 * (all but title optional;
 * sections go with the outcomes, by order then name; collapsed puts the view in a
 * closed <details> with that summary, for a long table).  Two documents have built-in views:
 * "plan.sync" (synchronization matrix as a Gantt chart) and "plan.findings" (the
 * plan check's findings as a table); docs/report.md gives their shapes.  A module
 * adds a layer to the theater map (a SAR probability grid, search rectangles,
 * logistics flows) with a document "map.layer.<id>": {"title": ..., "features":
 * [GeoJSON features, [lon, lat]; a numeric properties.value is coloured on a scale]};
 * the GeoJSON export includes those features.  Sections appear only when their
 * document exists.
 *
 * The coastline is passed in by the caller (the report may include core and store
 * only, so the CLI reads GSHHG through geo and hands over plain arrays).
 *
 * Ownership: rep_run borrows nothing after rep_run_load returns; free it with
 * rep_run_free.  Functions never print; errors go to d. */
#ifndef STRAITS_REPORT_H
#define STRAITS_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "metric.h"
#include "stats.h"
#include "store.h"
#include "strbuf.h"

/* Polylines, as geo_coast lays them out (line i is points [start[i], start[i+1])). */
typedef struct rep_lines {
  size_t nline;
  const size_t *start;
  const double *lat, *lon;
  const char *source; /* attribution shown under the map */
} rep_lines;

#define REP_SERIES_POINTS 121 /* grid points of a series band over [0, horizon] */
#define REP_BAND_MAX_REPS 20000 /* a band summarises at most the first this many
                                   replications (its grid holds one value each) */

/* A series summarised across replications on a grid of times. */
typedef struct rep_band {
  int metric;
  size_t n;                       /* grid points */
  size_t nrep;                    /* replications summarised */
  double *t, *mean, *p5, *p95;    /* [n]; t in s; NaN where no replication had a value */
  double *max;                    /* [n]; the largest value, NaN as above */
  double *over;                   /* [n]; share of the replications with a value that lie
                                     above p95 (explains a mean above the band) */
} rep_band;

typedef struct rep_run {
  store_run_row run;
  metric_set ms;
  size_t nrep;             /* replications read: [0, nrep) */
  /* Per metric, in memory bounded independently of nrep (issue 22): the first
   * REP_MAX_VALUES observed values of a metric that gets a histogram (rep__histogram;
   * NULL otherwise), and whether every observed value is a whole number.  Whole
   * columns are read from the store in chunks where needed (rep_export_values). */
  double **sample;         /* [ms.n][nsample[m]] */
  size_t *nsample;         /* [ms.n] */
  unsigned char *integral; /* [ms.n] */
  stats_summary *summary;  /* [ms.n] */
  rep_band *band;          /* [nband] */
  size_t nband;
  double horizon;          /* s, from the "scenario" document (NaN if absent) */
  char *scenario_doc;      /* JSON, or NULL */
  char *theater_doc;       /* GeoJSON FeatureCollection with bbox, or NULL */
  char *sync_doc, *findings_doc, *compare_doc; /* NULL when absent */
  char *objectives_doc;                          /* the objectives' verdicts, or NULL */
  char *tree_doc;                                /* "crisis.tree" (mc_docs.h), or NULL */
  size_t nsection;
  char **section_doc;      /* report.section.* bodies, ordered by name */
  size_t nlayer;
  char **layer_doc;        /* map.layer.* bodies, ordered by name */
  double bbox[4];          /* west, south, east, north (degrees); NaN if no theater;
                              the box of the coastline passed with it (a caller may widen it) */
} rep_run;

/* Read run run_id (0: the newest) from the store.  ERR_NOTFOUND when the store has
 * no such run. */
int rep_run_load(rep_run **out, store *st, int64_t run_id, diag *d);
/* How rep_run_load_with reads: the series bands on at most `threads` threads (0: one
 * per online CPU), each extra one on its own connection to the store's file (the
 * numbers do not depend on the count); and the run's summaries when the caller has
 * them already (straits run: the same stats_summarize_stream of the same values), used
 * only if run_id, nmetrics and nrep are the run's as read. */
typedef struct rep_load_options {
  int threads;
  const stats_summary *summary; /* [nmetrics], or NULL: computed here */
  size_t nmetrics, nrep;
  int64_t run_id;
} rep_load_options;
int rep_run_load_with(rep_run **out, store *st, int64_t run_id, const rep_load_options *opt,
                      diag *d);
void rep_run_free(rep_run *r); /* NULL is a no-op */

/* The newest sweep of st as a report section ("report.section.sweep-points",
 * docs/report.md): every point with its overrides, headline metrics (mean, 95% CI),
 * objectives' verdicts, and a chart of each headline metric across the points; the JSON
 * appended to b, *last_run the run of its last point.  ERR_NOTFOUND: no sweep. */
int rep_sweep_section(strbuf *b, store *st, int64_t *last_run);

typedef struct rep_options {
  const rep_lines *coast; /* NULL: the map has no coastline */
  const char *vega_js;    /* NULL: the inlined vega.min.js (rep_vega_js) */
  /* The title of a metric module's group (the models' titles: the report includes no
   * model), or NULL for its id; NULL: ids only. */
  const char *(*title)(const char *module);
  /* [coast->nline] GSHHG level of each line (1 land, 2 lake, 3 island in a lake, 4
   * pond, as geo_coast has it), or NULL: the map draws the coastline without filling
   * the land. */
  const int *coast_level;
  /* Threads printing the metrics' values (0: one per online CPU; the text is the same
   * for any count). */
  int threads;
} rep_options;

#define REP_OPTIONS_INIT {NULL, NULL, NULL, NULL, 0}

/* The options text of a run that `straits show` stores with no replications: its
 * report is a preview of the scenario, and leaves out what only a run has (the
 * counts, the metrics table, when it finished, how long it took). */
#define REP_PREVIEW_OPTIONS "preview"

/* Whether stored document json (parsed by jansson; NULL: no) has key set to true. */
int rep_doc_true(const char *json, const char *key);

/* The report as one HTML document. */
int rep_html(strbuf *out, const rep_run *r, const rep_options *opt);

/* Exports.  json: provenance, metric summaries, series bands, theater.  csv: one table
 * (`table` "metrics": summary per metric; "values": one row per replication and
 * metric; "series": the bands).  geojson: places, regions, routes and the coastline
 * (RFC 7946: [lon, lat], exterior rings counterclockwise). */
int rep_export_json(strbuf *out, const rep_run *r);
int rep_export_csv(strbuf *out, const rep_run *r, const char *table);
/* The csv table "values" (one row per replication and observed metric), streamed:
 * read from st a chunk of replications at a time and written into b, which is handed
 * to flush(ctx, b) whenever it holds REP_FLUSH_BYTES or more and at the end (flush
 * writes b out and empties it; non-zero stops with that value).  rep_export_csv
 * refuses "values" (ERR_USAGE): that table is only streamed. */
#define REP_FLUSH_BYTES ((size_t)1 << 16)
int rep_export_values(strbuf *b, store *st, const rep_run *r,
                      int (*flush)(void *ctx, strbuf *b), void *ctx);
/* One text cell of a CSV file, as every CSV straits writes has them: RFC 4180
 * quoting, and a cell beginning with = + - @ TAB or CR (a spreadsheet formula) is
 * prefixed with an apostrophe, inside quotes (OWASP's advice against CSV
 * injection), unless it is a plain decimal number ("-1.5" stays a number). */
void rep_csv_cell(strbuf *out, const char *text);
int rep_export_geojson(strbuf *out, const rep_run *r, const rep_lines *coast);
/* One map layer as its own FeatureCollection (straits export -f geojson --layer):
 * "places", "regions" or "routes" (the theater's features of that kind), "coastline"
 * (coast), or any other name: the stored document "map.layer.NAME", whose body the
 * caller passes in layer_doc (NULL when the run has none).  ERR_NOTFOUND when the run
 * has no such layer. */
int rep_export_geojson_layer(strbuf *out, const rep_run *r, const char *name,
                             const char *layer_doc, const rep_lines *coast);
/* Whether the theater holds a feature of layer kind ("place", "region", "route"). */
int rep_theater_has(const rep_run *r, const char *kind);

/* ---- courses of action ---------------------------------------------------------- */

/* Better or worse follow the metric's direction (METRIC_HIGHER_BETTER or
 * METRIC_LOWER_BETTER, metric.h); without one a real difference only "differs". */
typedef enum rep_verdict { REP_SAME, REP_BETTER, REP_WORSE, REP_DIFFERS } rep_verdict;
const char *rep_verdict_name(rep_verdict v); /* "no significant difference", ... */

typedef struct rep_pair {
  const metric_def *def;  /* in the baseline's registry */
  stats_summary a, b;     /* each course of action on the paired replications */
  stats_summary diff;     /* b - a per replication; half_width is the 95% CI */
  rep_verdict verdict;
} rep_pair;

/* Paired differences of run b against the baseline a over replications [0, n) of
 * both (common random numbers: replication r of each used the same streams).  Only
 * scalar metrics both runs define are compared; replications where either value is
 * missing are left out of that metric.  Both runs are read from st, a chunk of
 * replications at a time.  *pairs is malloc'ed ([*npairs]) and points
 * into a's registry. */
int rep_compare(rep_pair **pairs, size_t *npairs, store *st, const rep_run *a,
                const rep_run *b);
/* One course of action in a comparison: coa[0] is the baseline (pairs NULL); the
 * others carry their pairs against it. */
typedef struct rep_coa {
  const char *label; /* the scenario file, as given */
  const char *scenario_name;
  int64_t run;
  const rep_pair *pairs;
  size_t npairs;
} rep_coa;

/* The comparison as the store document "compare" (rendered by the report), appended to
 * out; out->failed set when it could not be written whole. */
void rep_compare_json(strbuf *out, const rep_coa *coa, size_t ncoa, size_t nrep);

/* Display unit for an SI unit: scale and label ("s" is shown in hours, "kg" in t). */
void rep_display_unit(const char *si, double *scale, const char **shown);
/* The same for values of a typical size (NaN: unknown): seconds in min below an
 * hour, h up to 72 h, d beyond; kg in t and m in km from 1000 on; m2 in km2 from
 * 1e6 on.  Labels are UTF-8 ("km\u00b2"). */
void rep_display_unit_for(const char *si, double typical, double *scale, const char **shown);

/* Decimal places that show a mean sensibly: three significant digits, a fourth
 * when its 95% CI half-width is that small; negative: rounded to tens, hundreds.
 * A percentage: two significant digits, or the interval's first (0 to 2 places).
 * The terminal's tables use it too, so they read as the report does. */
int rep_decimals(double mean, double half_width, int percent);
/* v with that many decimals and commas between thousands; "-" for NaN. */
void rep_fmt(char *text, size_t size, double v, int decimals);

/* Built-in files (NUL-terminated): the Vega library and its version ("" when straits
 * was built without node_modules), the report's script and style sheet. */
extern const char rep_vega_js[];
extern const char rep_vega_version[];
extern const char rep_report_js[];
extern const char rep_land_js[]; /* report_land.js: the maps' land, before report.js */
extern const char rep_report_css[];

#endif
