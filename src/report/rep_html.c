/* rep_html.c - the report as one self-contained HTML file: tables written here, Vega
 * views built in the page by report.js from the embedded data. */
#include "rep_internal.h"

#include <math.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

int rep__binary(const rep_run *r, size_t m) {
  const char *u = r->ms.def[m].unit;
  if (!(r->ms.def[m].flags & METRIC_BINARY) || (r->ms.def[m].flags & METRIC_SERIES) ||
      (strcmp(u, "1") != 0 && u[0] != '\0'))
    return 0;
  return r->summary[m].n > 0;
}

int rep__fraction(const rep_run *r, size_t m) {
  const char *u = r->ms.def[m].unit;
  const stats_summary *s = &r->summary[m];
  if ((strcmp(u, "1") != 0 && u[0] != '\0') || s->n == 0 || rep__binary(r, m))
    return 0;
  return s->min >= 0 && s->max <= 1 && s->min < s->max;
}

int rep__histogram(const rep_run *r, size_t m) {
  const stats_summary *s = &r->summary[m];
  return !(r->ms.def[m].flags & (METRIC_SERIES | METRIC_INTERNAL)) && s->n >= 2 &&
         s->min < s->max && !rep__binary(r, m);
}

void rep_display_unit_for(const char *si, double typical, double *scale, const char **shown) {
  double a = fabs(typical);
  si = si ? si : "";
  *scale = 1;
  *shown = si;
  if (strcmp(si, "s") == 0) {
    /* Minutes for waits, hours for a day or two, days for a crisis's course. */
    if (a < 3600)
      *scale = 1.0 / 60, *shown = "min";
    else if (isnan(a) || a < 72 * 3600.0)
      *scale = 1.0 / 3600, *shown = "h";
    else
      *scale = 1.0 / 86400, *shown = "d";
  } else if (strcmp(si, "kg") == 0) {
    if (!(a < 1000))
      *scale = 1e-3, *shown = "t";
  } else if (strcmp(si, "m") == 0) {
    if (!(a < 1000))
      *scale = 1e-3, *shown = "km";
  } else if (strcmp(si, "m2") == 0) {
    if (!(a < 1e6))
      *scale = 1e-6, *shown = "km\u00b2";
    else
      *shown = "m\u00b2";
  } else if (strcmp(si, "m3") == 0) {
    *shown = "m\u00b3";
  } else if (strcmp(si, "m/s") == 0) {
    *scale = 3600.0 / 1852, *shown = "kn";
  } else if (strcmp(si, "1") == 0) {
    *shown = "";
  }
}

void rep_display_unit(const char *si, double *scale, const char **shown) {
  rep_display_unit_for(si, NAN, scale, shown);
}

void rep__show(rep__shown *o, const rep_run *r, size_t m) {
  const stats_summary *s = &r->summary[m];
  o->integral = r->integral[m];
  o->percent = rep__binary(r, m) || rep__fraction(r, m);
  if (o->percent) {
    o->scale = 100;
    o->unit = "%";
    return;
  }
  double typical = s->n ? (fabs(s->p50) > fabs(s->mean) ? s->p50 : s->mean) : NAN;
  /* A series is drawn over time: its size over time, not at the horizon. */
  for (size_t i = 0; i < r->nband; i++)
    if (r->band[i].metric == (int)m)
      for (size_t g = 0; g < r->band[i].n; g++)
        if (!isnan(r->band[i].mean[g]) && !(fabs(r->band[i].mean[g]) <= fabs(typical)))
          typical = fabs(r->band[i].mean[g]);
  rep_display_unit_for(r->ms.def[m].unit, typical, &o->scale, &o->unit);
}

/* Decimal places (negative: round to tens, hundreds) with which k significant digits
 * of x show; 0 for x = 0. */
static int sig_decimals(double x, int k) {
  if (x == 0 || !isfinite(x))
    return 0;
  return k - 1 - (int)floor(log10(fabs(x)));
}

int rep_decimals(double mean, double half_width, int percent) {
  int d;
  if (percent) {
    /* Two significant digits, or as many as the interval's first: 89% (87 - 91),
     * 8.3% (6.8 - 10.2), 0.0% (0.0 - 0.4). */
    int dm = sig_decimals(mean, 2), dh = half_width > 0 ? sig_decimals(half_width, 1) : 0;
    if (dm < 0)
      dm = 0; /* 100% */
    d = dm > dh ? dm : dh < dm + 1 ? dh : dm + 1; /* 100.0%, not 100.00% */
    return d < 0 ? 0 : d > 2 ? 2 : d;
  }
  if (mean == 0 || !isfinite(mean))
    d = half_width > 0 ? sig_decimals(half_width, 2) : 0;
  else {
    /* Three significant digits, or more (up to four) where the interval is narrow
     * enough to make the fourth mean something. */
    int d3 = sig_decimals(mean, 3), d4 = sig_decimals(mean, 4);
    int dh = half_width > 0 ? sig_decimals(half_width, 2) : d3;
    d = dh > d3 ? (dh < d4 ? dh : d4) : d3;
  }
  return d < -12 ? -12 : d > 6 ? 6 : d;
}

void rep_fmt(char *dst, size_t size, double v, int decimals) {
  char digits[64];
  if (isnan(v)) {
    snprintf(dst, size, "-");
    return;
  }
  if (decimals < 0) {
    double q = pow(10, -decimals);
    v = round(v / q) * q;
    decimals = 0;
  }
  snprintf(digits, sizeof digits, "%.*f", decimals, v);
  if (strspn(digits, "-0.") == strlen(digits) && digits[0] == '-')
    memmove(digits, digits + 1, strlen(digits)); /* no "-0.0" */
  /* Thousands separated by commas in the integer part. */
  const char *p = digits, *dot = strchr(digits, '.');
  size_t out = 0, nint;
  if (*p == '-' && out + 1 < size)
    dst[out++] = *p++;
  nint = (size_t)((dot ? dot : digits + strlen(digits)) - p);
  for (size_t i = 0; *p && out + 2 < size; i++, p++) {
    if (i < nint && i > 0 && (nint - i) % 3 == 0)
      dst[out++] = ',';
    dst[out++] = *p;
  }
  dst[out] = '\0';
}

/* v[0, n) as a JSON array (NaN: null). */
static json_t *num_array(const double *v, size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++) jdoc_push(a, jdoc_num(v[i]));
  return a;
}

static json_t *metric_tree(const rep_run *r, size_t m, int with_values) {
  const metric_def *def = &r->ms.def[m];
  const stats_summary *s = &r->summary[m];
  rep__shown show;
  rep__show(&show, r, m);
  json_t *o = json_object();
  jdoc_set(o, "module", jdoc_str(def->module));
  jdoc_set(o, "name", jdoc_str(def->name));
  jdoc_set(o, "unit", jdoc_str(def->unit));
  jdoc_set(o, "shown", jdoc_str(show.unit));
  jdoc_set(o, "scale", jdoc_num(show.scale));
  jdoc_set(o, "description", jdoc_str(def->description));
  jdoc_set(o, "headline", json_boolean(def->flags & METRIC_HEADLINE));
  jdoc_set(o, "series", json_boolean(def->flags & METRIC_SERIES));
  jdoc_set(o, "internal", json_boolean(def->flags & METRIC_INTERNAL));
  jdoc_set(o, "binary", json_boolean(rep__binary(r, m)));
  jdoc_set(o, "percent", json_boolean(show.percent));
  jdoc_set(o, "direction", json_integer(metric_direction(def->flags)));
  jdoc_set(o, "n", json_integer((json_int_t)s->n));
  const struct { const char *k; double v; } f[] = {
      {"mean", s->mean}, {"sd", s->sd}, {"half_width", s->half_width},
      {"ci95_low", s->ci_lo}, {"ci95_high", s->ci_hi},
      {"min", s->min}, {"p5", s->p5}, {"p50", s->p50}, {"p95", s->p95}, {"max", s->max}};
  for (size_t i = 0; i < sizeof f / sizeof *f; i++)
    jdoc_set(o, f[i].k, jdoc_num(s->n ? f[i].v : NAN));
  if (with_values && rep__histogram(r, m))
    jdoc_set(o, "values", num_array(r->sample[m], r->nsample[m]));
  return o;
}

/* Metrics [lo, hi) of the "metrics" array, a tree each (at most REP_MAX_VALUES
 * values), dumped as it is built. */
static void metrics_range(strbuf *b, const rep_run *r, size_t lo, size_t hi, int with_values) {
  for (size_t m = lo; m < hi; m++)
    rep__item(b, m == 0, metric_tree(r, m, with_values));
}

typedef struct metrics_part {
  const rep_run *r;
  size_t lo, hi;
  int with_values;
  strbuf b;
} metrics_part;

static void *metrics_part_main(void *arg) {
  metrics_part *p = arg;
  metrics_range(&p->b, p->r, p->lo, p->hi, p->with_values);
  return NULL;
}

#define REP_JSON_THREADS 8
#define REP_JSON_THREADED_VALUES 1000000

/* Every metric's JSON; with the histograms' values (printing them is most of a
 * report's writing: 1,000 numbers a metric at 1,000 replications), ranges of the
 * metrics printed on `threads` threads (0: one per online CPU) into buffers of their
 * own, appended in order: the same text for any count.  Each thread builds and dumps
 * its own trees (jdoc.h: a failure is remembered per thread). */
static void metrics_json(strbuf *b, const rep_run *r, int with_values, int threads) {
  if (threads <= 0) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    threads = n > 0 ? (int)n : 1;
  }
  if (threads > REP_JSON_THREADS) threads = REP_JSON_THREADS;
  if (!with_values || r->ms.n < 64) threads = 1;
  /* The parts are copies until appended: a page of more values than this (from ~2,500
   * replications of the default scenario) is printed on one thread, so that a long
   * run's peak memory, which is here, is not its text twice over (issue 22). */
  size_t nvalues = 0;
  for (size_t m = 0; m < r->ms.n; m++)
    nvalues += r->sample[m] ? r->nsample[m] : 0;
  if (nvalues > REP_JSON_THREADED_VALUES) threads = 1;
  metrics_part part[REP_JSON_THREADS];
  pthread_t th[REP_JSON_THREADS];
  int started[REP_JSON_THREADS] = {0};
  for (int k = 1; k < threads; k++) {
    part[k] = (metrics_part){r, r->ms.n * (size_t)k / (size_t)threads,
                             r->ms.n * (size_t)(k + 1) / (size_t)threads, with_values, STRBUF_INIT};
    started[k] = pthread_create(&th[k], NULL, metrics_part_main, &part[k]) == 0;
  }
  metrics_range(b, r, 0, r->ms.n / (size_t)threads, with_values);
  for (int k = 1; k < threads; k++) {
    if (started[k])
      pthread_join(th[k], NULL);
    else
      metrics_part_main(&part[k]); /* a thread that could not start: here */
    if (part[k].b.failed) b->failed = 1;
    if (part[k].b.len) strbuf_putn(b, part[k].b.s, part[k].b.len);
    strbuf_release(&part[k].b);
  }
}

static json_t *run_tree(const rep_run *r) {
  const store_run_row *run = &r->run;
  char seed[24];
  /* A uint64 seed does not fit a JSON number exactly: a string. */
  snprintf(seed, sizeof seed, "%llu", (unsigned long long)run->seed);
  json_t *o = json_object();
  jdoc_set(o, "id", json_integer(run->id));
  jdoc_set(o, "scenario_name", jdoc_str(run->scenario_name));
  jdoc_set(o, "scenario_hash", jdoc_str(run->scenario_hash));
  jdoc_set(o, "scenario_path", jdoc_str(run->scenario_path));
  jdoc_set(o, "seed", jdoc_str(seed));
  jdoc_set(o, "version", jdoc_str(run->version));
  jdoc_set(o, "options", jdoc_str(run->options));
  jdoc_set(o, "replications", json_integer((json_int_t)r->nrep));
  jdoc_set(o, "replications_planned", json_integer(run->replications_planned));
  jdoc_set(o, "created_at", jdoc_str(run->created_at));
  jdoc_set(o, "finished_at", jdoc_str(run->finished_at));
  jdoc_set(o, "wall_s", jdoc_num(run->wall_s));
  return o;
}

static json_t *band_tree(const rep_run *r, const rep_band *band) {
  json_t *o = json_object();
  jdoc_set(o, "metric", json_integer(band->metric));
  jdoc_set(o, "replications", json_integer((json_int_t)band->nrep));
  jdoc_set(o, "module", jdoc_str(r->ms.def[band->metric].module));
  jdoc_set(o, "name", jdoc_str(r->ms.def[band->metric].name));
  jdoc_set(o, "t", num_array(band->t, band->n));
  jdoc_set(o, "mean", num_array(band->mean, band->n));
  jdoc_set(o, "p5", num_array(band->p5, band->n));
  jdoc_set(o, "p95", num_array(band->p95, band->n));
  jdoc_set(o, "max", num_array(band->max, band->n));
  jdoc_set(o, "over", num_array(band->over, band->n));
  return o;
}

/* The coastline as a FeatureCollection; its bbox is the box the lines were clipped
 * to, along which the page closes land. */
static void coast_json(strbuf *b, const rep_run *r, const rep_lines *coast, const int *level) {
  int first = 1;
  strbuf_put(b, "{");
  rep__key(b, 1, "type");
  jdoc_dump(b, jdoc_str("FeatureCollection"));
  if (isfinite(r->bbox[0])) {
    rep__key(b, 0, "bbox");
    jdoc_dump(b, rep__bbox(r->bbox));
  }
  rep__key(b, 0, "features");
  strbuf_put(b, "[");
  rep__coast_features(b, coast, level, &first);
  strbuf_put(b, "]}");
}

void rep__data_json(strbuf *b, const rep_run *r, const rep_lines *coast, const int *level,
                    int with_values, int threads) {
  strbuf_put(b, "{");
  rep__key(b, 1, "run");
  jdoc_dump(b, run_tree(r));
  rep__key(b, 0, "scenario");
  jdoc_dump(b, rep__doc(r->scenario_doc));
  rep__key(b, 0, "theater");
  jdoc_dump(b, rep__doc(r->theater_doc));
  rep__key(b, 0, "metrics");
  strbuf_put(b, "[");
  metrics_json(b, r, with_values, threads);
  strbuf_put(b, "]");
  rep__key(b, 0, "bands");
  strbuf_put(b, "[");
  for (size_t i = 0; i < r->nband; i++)
    rep__item(b, i == 0, band_tree(r, &r->band[i]));
  strbuf_put(b, "]");
  if (coast) {
    rep__key(b, 0, "coast");
    coast_json(b, r, coast, level);
  }
  strbuf_put(b, "}");
}

/* ---- the HTML tables ------------------------------------------------------------- */

static void cell(strbuf *b, const char *cls, const char *text) {
  strbuf_printf(b, "<td class=\"%s\">", cls);
  rep_html_escape(b, text);
  strbuf_put(b, "</td>");
}

/* "31.8%", "52.9 h", "1,230 t": a value as the report shows metric m. */
static void shown_value(char *dst, size_t size, const rep__shown *sh, double v, int dec) {
  char num[64];
  rep_fmt(num, sizeof num, v * sh->scale, dec);
  snprintf(dst, size, "%s%s%s", num, sh->percent || !sh->unit[0] ? "" : "\u2009",
           sh->unit);
}

static int metric_decimals(const rep_run *r, size_t m, const rep__shown *sh) {
  const stats_summary *s = &r->summary[m];
  double hw = isnan(s->ci_lo) ? NAN : (s->ci_hi - s->ci_lo) / 2;
  return rep_decimals(s->mean * sh->scale, hw * sh->scale, sh->percent);
}

/* "29.0 – 34.8" (the unit is the mean's), or "-" */
static void shown_ci(char *dst, size_t size, const rep_run *r, size_t m, const rep__shown *sh,
                     int dec) {
  const stats_summary *s = &r->summary[m];
  char lo[64], hi[64];
  if (isnan(s->ci_lo)) {
    snprintf(dst, size, "-");
    return;
  }
  rep_fmt(lo, sizeof lo, s->ci_lo * sh->scale, dec);
  rep_fmt(hi, sizeof hi, s->ci_hi * sh->scale, dec);
  snprintf(dst, size, "%s\u2009\u2013\u2009%s", lo, hi);
}

static const char *direction_mark(unsigned flags) {
  switch (metric_direction(flags)) {
  case 1: return " <span class=\"dir\" title=\"higher is better\">\u2191</span>";
  case -1: return " <span class=\"dir\" title=\"lower is better\">\u2193</span>";
  default: return "";
  }
}

static void summary_row(strbuf *b, const rep_run *r, size_t m) {
  const metric_def *def = &r->ms.def[m];
  const stats_summary *s = &r->summary[m];
  rep__shown sh;
  char t[160];
  rep__show(&sh, r, m);
  int dec = metric_decimals(r, m, &sh);
  strbuf_put(b, "<tr><td class=\"metric\"><span class=\"id\">");
  rep_html_escape(b, def->module);
  strbuf_put(b, ".");
  rep_html_escape(b, def->name);
  strbuf_put(b, "</span>");
  strbuf_put(b, direction_mark(def->flags));
  if (def->flags & METRIC_SERIES)
    strbuf_put(b, " <small>(at the horizon)</small>");
  if (def->description[0]) {
    strbuf_put(b, "<div class=\"desc\">");
    rep_html_escape(b, def->description);
    strbuf_put(b, "</div>");
  }
  strbuf_put(b, "</td>");
  if (s->n == 0) {
    strbuf_put(b, "<td class=\"num never\" colspan=\"5\">never observed</td>"
                   "<td class=\"num\">0</td></tr>\n");
    return;
  }
  shown_value(t, sizeof t, &sh, s->mean, dec);
  cell(b, "num mean", t);
  shown_ci(t, sizeof t, r, m, &sh, dec);
  cell(b, "num ci", t);
  /* A 0/1 metric's percentiles are 0 or 1: its mean says it all. */
  const double pct[3] = {s->p5, s->p50, s->p95};
  for (int i = 0; i < 3; i++) {
    if (rep__binary(r, m))
      snprintf(t, sizeof t, " ");
    else
      rep_fmt(t, sizeof t, pct[i] * sh.scale, sh.integral && sh.scale == 1 ? 0 : dec);
    cell(b, "num pct", t);
  }
  snprintf(t, sizeof t, "%zu", s->n);
  cell(b, s->n < r->nrep ? "num n partial" : "num n", t);
  strbuf_put(b, "</tr>\n");
}

static void table_head(strbuf *b, const char *cls) {
  strbuf_printf(b, "<table class=\"%s\"><thead><tr><th>metric</th><th>mean</th>"
                    "<th>95%% CI</th><th>p5</th><th>median</th><th>p95</th><th>n</th></tr>"
                    "</thead><tbody>\n", cls);
}

static int shown_in_summary(const metric_def *def) { return !(def->flags & METRIC_INTERNAL); }

/* A module's group title: the caller's (the models' titles, ops.h), else its id. */
static const char *module_title(const rep_options *opt, const char *module) {
  const char *t = opt->title ? opt->title(module) : NULL;
  return t ? t : module;
}

/* Headline metrics in one table; every other metric in a collapsed group per module
 * (in the order modules defined them), with a filter box that report.js wires up. */
static void summary_table(strbuf *b, const rep_run *r, const rep_options *opt) {
  size_t nshown = 0;
  for (size_t m = 0; m < r->ms.n; m++)
    nshown += shown_in_summary(&r->ms.def[m]);
  strbuf_printf(b, "<section id=\"summary\"><h2>All metrics</h2>\n"
                    "<p class=\"note\">%zu metrics: the headline ones first, the others by "
                    "model (click a group to open it).  Mean over replications with the 95%% "
                    "confidence interval of the mean (Student t; Wilson's score interval for "
                    "a metric declared 0/1 such as whether an event occurred, shown as a "
                    "percentage); p5, median and p95 across replications, each the value of "
                    "one replication (the nearest rank); n, the replications where the "
                    "metric was observed (an event's time exists only where it occurred).  "
                    "&uarr; higher is better, &darr; lower is better; no arrow: it depends."
                    "</p>\n<p class=\"filter\"><label>Filter <input type=\"search\" "
                    "id=\"summary-filter\" placeholder=\"name, model or words of the "
                    "description\" size=\"40\"></label> <span id=\"filter-count\"></span></p>\n"
                    "<h3>Headline metrics</h3>\n", nshown);
  table_head(b, "summary headline");
  for (size_t m = 0; m < r->ms.n; m++)
    if ((r->ms.def[m].flags & METRIC_HEADLINE) && shown_in_summary(&r->ms.def[m]))
      summary_row(b, r, m);
  strbuf_put(b, "</tbody></table>\n");
  for (size_t m = 0; m < r->ms.n; m++) {
    const char *module = r->ms.def[m].module;
    int first = 1;
    size_t count = 0;
    for (size_t k = 0; k < m && first; k++)
      first = strcmp(r->ms.def[k].module, module) != 0;
    if (!first)
      continue;
    for (size_t k = m; k < r->ms.n; k++)
      count += strcmp(r->ms.def[k].module, module) == 0 && shown_in_summary(&r->ms.def[k]) &&
               !(r->ms.def[k].flags & METRIC_HEADLINE);
    if (!count)
      continue;
    strbuf_put(b, "<details class=\"group\" data-module=\"");
    rep_html_escape(b, module);
    strbuf_put(b, "\"><summary><span class=\"group-title\">");
    rep_html_escape(b, module_title(opt, module));
    strbuf_printf(b, "</span> <span class=\"count\">%zu metric%s (", count,
                   count == 1 ? "" : "s");
    rep_html_escape(b, module);
    strbuf_put(b, ".*)</span></summary>\n");
    table_head(b, "summary");
    for (size_t k = m; k < r->ms.n; k++)
      if (strcmp(r->ms.def[k].module, module) == 0 && shown_in_summary(&r->ms.def[k]) &&
          !(r->ms.def[k].flags & METRIC_HEADLINE))
        summary_row(b, r, k);
    strbuf_put(b, "</tbody></table></details>\n");
  }
  strbuf_put(b, "</section>\n");
}

/* ---- the brief: what the report says, in a few numbers ------------------------ */

/* One headline number: value, what it is, its interval and which way is good.  A
 * 0/1 metric described "1 if X" reads "chance that X". */
static void brief_card(strbuf *b, const rep_run *r, size_t m) {
  const metric_def *def = &r->ms.def[m];
  const stats_summary *s = &r->summary[m];
  rep__shown sh;
  char t[160];
  rep__show(&sh, r, m);
  int dir = metric_direction(def->flags), dec = metric_decimals(r, m, &sh);
  strbuf_put(b, "<div class=\"card\"><div class=\"value\">");
  if (s->n) {
    shown_value(t, sizeof t, &sh, s->mean, dec);
    rep_html_escape(b, t);
  } else {
    strbuf_put(b, "never");
  }
  strbuf_put(b, "</div><div class=\"label\">");
  if (rep__binary(r, m) && strncmp(def->description, "1 if ", 5) == 0) {
    strbuf_put(b, "chance that ");
    rep_html_escape(b, def->description + 5);
  } else {
    rep_html_escape(b, def->description[0] ? def->description : def->name);
  }
  strbuf_put(b, "</div><div class=\"ci\">");
  if (s->n && !isnan(s->ci_lo)) {
    shown_ci(t, sizeof t, r, m, &sh, dec);
    strbuf_put(b, "95% CI ");
    rep_html_escape(b, t);
    if (sh.unit[0])
      strbuf_printf(b, "%s%s", sh.percent ? "" : "\u2009", sh.unit);
  }
  if (dir)
    strbuf_printf(b, "%s%s is better", s->n && !isnan(s->ci_lo) ? " &middot; " : "",
                   dir > 0 ? "higher" : "lower");
  strbuf_put(b, "</div><div class=\"id\">");
  rep_html_escape(b, def->module);
  strbuf_put(b, ".");
  rep_html_escape(b, def->name);
  strbuf_put(b, "</div></div>\n");
}

#define REP_BRIEF_CARDS 8

/* The outcomes the scenario is about: headline metrics with a good direction (then,
 * when none has one, the first headline metrics). */
/* A run stored by `straits show` (report.h): the scenario drawn, nothing simulated. */
static int is_preview(const rep_run *r) {
  return r->run.replications_planned == 0 && strcmp(r->run.options, REP_PREVIEW_OPTIONS) == 0;
}

/* A preview's brief says what the page is, and how to get the numbers. */
static void brief_preview(strbuf *b, const rep_run *r) {
  strbuf_put(b, "<section id=\"brief\"><h2>What this scenario says</h2>\n<p class=\"lead\">"
                 "A preview, drawn from the scenario file before any run: the theater, the "
                 "crisis event tree and the plan, as a run's report would draw them");
  if (r->horizon > 0)
    strbuf_printf(b, " over its horizon of %.0f days", r->horizon / 86400);
  strbuf_put(b, ".  Nothing has been simulated yet: <code>straits run ");
  rep_html_escape(b, r->run.scenario_path);
  strbuf_put(b, "</code> gives the numbers.</p>\n<ul id=\"brief-points\"></ul>\n</section>\n");
}

static void brief(strbuf *b, const rep_run *r) {
  if (is_preview(r)) {
    brief_preview(b, r);
    return;
  }
  size_t pick[REP_BRIEF_CARDS], n = 0;
  for (int pass = 0; pass < 2 && n == 0; pass++)
    for (size_t m = 0; m < r->ms.n && n < REP_BRIEF_CARDS; m++) {
      unsigned f = r->ms.def[m].flags;
      if ((f & METRIC_HEADLINE) && !(f & (METRIC_SERIES | METRIC_INTERNAL)) &&
          (pass == 1 || metric_direction(f)))
        pick[n++] = m;
    }
  strbuf_put(b, "<section id=\"brief\"><h2>What this report says</h2>\n<p class=\"lead\">");
  strbuf_printf(b, "%zu simulated replications of the scenario", r->nrep);
  if (r->horizon > 0)
    strbuf_printf(b, " over %.0f days", r->horizon / 86400);
  strbuf_put(b, ".  Each number is the mean over the replications, with the 95% confidence "
                 "interval of that mean; a percentage is the share of replications in "
                 "which it happened.</p>\n");
  if (n) {
    strbuf_put(b, "<div class=\"cards\">\n");
    for (size_t i = 0; i < n; i++)
      brief_card(b, r, pick[i]);
    strbuf_put(b, "</div>\n");
  }
  strbuf_put(b, "<ul id=\"brief-points\"></ul>\n</section>\n");
}

static void prov_row(strbuf *b, const char *k, const char *v) {
  strbuf_put(b, "<tr><th>");
  rep_html_escape(b, k);
  strbuf_put(b, "</th><td class=\"mono\">");
  rep_html_escape(b, v);
  strbuf_put(b, "</td></tr>\n");
}

static void provenance(strbuf *b, const rep_run *r, const rep_lines *coast) {
  const store_run_row *run = &r->run;
  char t[128];
  strbuf_put(b, "<section id=\"provenance\"><h2>Provenance</h2><table>\n");
  prov_row(b, "scenario", run->scenario_name);
  prov_row(b, "scenario file", run->scenario_path);
  /* The run's identity (mc.h): SHA-256 over the scenario, its includes and --set
   * overrides, the authorities table and the field and coastline files it read. */
  prov_row(b, "study hash (SHA-256 of the scenario, its includes and overrides, the "
              "authorities table, field and coastline files)", run->scenario_hash);
  snprintf(t, sizeof t, "%llu", (unsigned long long)run->seed);
  prov_row(b, "seed", t);
  if (is_preview(r)) {
    prov_row(b, "straits version", run->version);
    prov_row(b, "drawn", run->created_at);
  } else {
    snprintf(t, sizeof t, "%zu (planned %d)", r->nrep, run->replications_planned);
    prov_row(b, "replications", t);
    prov_row(b, "straits version", run->version);
    prov_row(b, "options", run->options);
    snprintf(t, sizeof t, "%lld", (long long)run->id);
    prov_row(b, "run id in the store", t);
    prov_row(b, "started", run->created_at);
    prov_row(b, "finished", run->finished_at[0] ? run->finished_at : "(not finished)");
    snprintf(t, sizeof t, "%.2f s", run->wall_s);
    prov_row(b, "wall time", t);
  }
  snprintf(t, sizeof t, "Vega %s (BSD-3-Clause), inlined", rep_vega_version);
  prov_row(b, "charts", t);
  prov_row(b, "coastline", coast && coast->source ? coast->source : "none");
  strbuf_put(b, "</table></section>\n");
}

/* A document in its own JSON element, parsed by the page (a module's malformed
 * document then breaks its section, not the report). */
static void doc_element(strbuf *b, const char *id, const char *doc) {
  if (!doc)
    return;
  strbuf_printf(b, "<script type=\"application/json\" id=\"%s\">", id);
  rep_script_json(b, doc);
  strbuf_put(b, "</script>\n");
}

int rep_html(strbuf *b, const rep_run *r, const rep_options *opt) {
  rep_options defaults = REP_OPTIONS_INIT;
  if (!opt)
    opt = &defaults;
  const char *vega = opt->vega_js ? opt->vega_js : rep_vega_js;
  if (!vega[0])
    return ERR_NOTFOUND;
  strbuf_put(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 "<title>straits report: ");
  rep_html_escape(b, r->run.scenario_name);
  strbuf_put(b, "</title>\n<style>\n");
  strbuf_put(b, rep_report_css);
  strbuf_put(b, "</style>\n<script>\n");
  rep_script_text(b, vega);
  strbuf_put(b, "\n</script>\n</head><body>\n<header><h1>");
  rep_html_escape(b, r->run.scenario_name);
  strbuf_put(b, "</h1>\n");
  if (rep_doc_true(r->scenario_doc, "notional"))
    strbuf_put(b, "<p class=\"notional\">Notional forces and numbers: an illustration, "
                   "not an assessment.</p>\n");
  if (is_preview(r)) {
    strbuf_printf(b, "<p class=\"meta\">preview before any run, seed %llu, study hash %.12s, "
                      "straits %s",
                   (unsigned long long)r->run.seed, r->run.scenario_hash, r->run.version);
  } else {
    strbuf_printf(b, "<p class=\"meta\">%zu replications, seed %llu, study hash %.12s, "
                      "straits %s, run %lld of its store, finished ",
                   r->nrep, (unsigned long long)r->run.seed, r->run.scenario_hash,
                   r->run.version, (long long)r->run.id);
    rep_html_escape(b, r->run.finished_at[0] ? r->run.finished_at : "(not finished)");
  }
  /* report.js replaces the links with one per section present. */
  strbuf_put(b, "</p>\n<nav id=\"straits-nav\"><a href=\"#brief\">Summary</a>"
                 "<a href=\"#summary\">All metrics</a><a href=\"#provenance\">Provenance</a>"
                 "</nav>\n</header>\n");
  brief(b, r);
  /* Where report.js puts its views: the map, then outcomes (probabilities, the
   * comparison, modules' own sections), then the plan, series and distributions;
   * the table of every metric, for reference, after them. */
  strbuf_put(b, "<div id=\"straits-top\"></div>\n<div id=\"straits-outcomes\"></div>\n"
                 "<div id=\"straits-sections\"></div>\n");
  if (!is_preview(r))
    summary_table(b, r, opt);
  provenance(b, r, opt->coast);
  if (opt->coast && opt->coast->nline)
    strbuf_put(b, "<p class=\"attribution\">Coastline: GSHHG, Wessel, P. and W. H. F. Smith "
                   "(1996), A Global Self-consistent, Hierarchical, High-resolution Shoreline "
                   "Database, J. Geophys. Res. 101(B4); distributed under the LGPL.</p>\n");
  strbuf_put(b, "<p id=\"straits-status\" data-status=\"pending\">views not rendered "
                 "(JavaScript is off?)</p>\n");
  /* Every '<' of the data escaped where it was written (rep_script_json_tail): a name
   * or a description may hold "</script>". */
  strbuf_put(b, "<script type=\"application/json\" id=\"straits-data\">");
  size_t data_at = b->len;
  rep__data_json(b, r, opt->coast, opt->coast_level, 1, opt->threads);
  rep_script_json_tail(b, data_at);
  strbuf_put(b, "</script>\n");
  doc_element(b, "doc-sync", r->sync_doc);
  doc_element(b, "doc-tree", r->tree_doc);
  doc_element(b, "doc-findings", r->findings_doc);
  doc_element(b, "doc-compare", r->compare_doc);
  doc_element(b, "doc-objectives", r->objectives_doc);
  for (size_t i = 0; i < r->nsection; i++) {
    char id[48];
    snprintf(id, sizeof id, "doc-section-%zu", i);
    doc_element(b, id, r->section_doc[i]);
  }
  for (size_t i = 0; i < r->nlayer; i++) {
    char id[48];
    snprintf(id, sizeof id, "doc-layer-%zu", i);
    doc_element(b, id, r->layer_doc[i]);
  }
  strbuf_put(b, "<script>\n");
  rep_script_text(b, rep_land_js);
  strbuf_put(b, "\n</script>\n<script>\n");
  rep_script_text(b, rep_report_js);
  strbuf_put(b, "\n</script>\n</body></html>\n");
  return b->failed ? ERR_NOMEM : 0;
}
