/* rep_html.c - the report as one self-contained HTML file: tables written here, Vega
 * views built in the page by report.js from the embedded data. */
#include "rep_internal.h"

#include <math.h>
#include <string.h>

#include "err.h"

int rep__binary(const rep_run *r, size_t m) {
  const char *u = r->ms.def[m].unit;
  if ((r->ms.def[m].flags & METRIC_SERIES) || (strcmp(u, "1") != 0 && u[0] != '\0'))
    return 0;
  for (size_t k = 0; k < r->nrep; k++) {
    double v = r->value[m][k];
    if (!isnan(v) && v != 0 && v != 1)
      return 0;
  }
  return r->summary[m].n > 0;
}

int rep__histogram(const rep_run *r, size_t m) {
  const stats_summary *s = &r->summary[m];
  return !(r->ms.def[m].flags & METRIC_SERIES) && s->n >= 2 && s->min < s->max &&
         !rep__binary(r, m);
}

void rep_display_unit(const char *si, double *scale, const char **shown) {
  static const struct { const char *si, *shown; double scale; } units[] = {
      {"s", "h", 1.0 / 3600}, {"kg", "t", 1e-3}, {"m", "km", 1e-3},
      {"m/s", "kn", 3600.0 / 1852}, {"1", "", 1}, {"", "", 1}};
  for (size_t i = 0; i < sizeof units / sizeof *units; i++)
    if (strcmp(units[i].si, si ? si : "") == 0) {
      *scale = units[i].scale;
      *shown = units[i].shown;
      return;
    }
  *scale = 1;
  *shown = si ? si : "";
}

static void num_array(rep_buf *b, const double *v, size_t n, double scale) {
  rep_buf_put(b, "[");
  for (size_t i = 0; i < n; i++) {
    if (i)
      rep_buf_put(b, ",");
    rep_buf_json_num(b, v[i] * scale);
  }
  rep_buf_put(b, "]");
}

void rep__coast_features(rep_buf *b, const rep_lines *coast) {
  for (size_t i = 0; coast && i < coast->nline; i++) {
    if (i)
      rep_buf_put(b, ",\n");
    rep_buf_put(b, "{\"type\":\"Feature\",\"properties\":{\"layer\":\"coastline\"},"
                   "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[");
    for (size_t k = coast->start[i]; k < coast->start[i + 1]; k++)
      rep_buf_printf(b, "%s[%.4f,%.4f]", k > coast->start[i] ? "," : "", coast->lon[k],
                     coast->lat[k]);
    rep_buf_put(b, "]}}");
  }
}

static void metric_json(rep_buf *b, const rep_run *r, size_t m, int with_values) {
  const metric_def *def = &r->ms.def[m];
  const stats_summary *s = &r->summary[m];
  double scale;
  const char *shown;
  rep_display_unit(def->unit, &scale, &shown);
  rep_buf_put(b, "{\"module\":");
  rep_buf_json_str(b, def->module);
  rep_buf_put(b, ",\"name\":");
  rep_buf_json_str(b, def->name);
  rep_buf_put(b, ",\"unit\":");
  rep_buf_json_str(b, def->unit);
  rep_buf_put(b, ",\"shown\":");
  rep_buf_json_str(b, shown);
  rep_buf_put(b, ",\"scale\":");
  rep_buf_json_num(b, scale);
  rep_buf_put(b, ",\"description\":");
  rep_buf_json_str(b, def->description);
  rep_buf_printf(b, ",\"headline\":%s,\"series\":%s,\"binary\":%s,\"n\":%zu",
                 def->flags & METRIC_HEADLINE ? "true" : "false",
                 def->flags & METRIC_SERIES ? "true" : "false",
                 rep__binary(r, m) ? "true" : "false", s->n);
  const struct { const char *k; double v; } f[] = {
      {"mean", s->mean}, {"sd", s->sd}, {"half_width", s->half_width},
      {"ci95_low", s->ci_lo}, {"ci95_high", s->ci_hi},
      {"min", s->min}, {"p5", s->p5}, {"p50", s->p50}, {"p95", s->p95}, {"max", s->max}};
  for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
    rep_buf_printf(b, ",\"%s\":", f[i].k);
    rep_buf_json_num(b, s->n ? f[i].v : NAN);
  }
  if (with_values && rep__histogram(r, m)) {
    rep_buf_put(b, ",\"values\":[");
    size_t kept = 0;
    for (size_t k = 0; k < r->nrep && kept < REP_MAX_VALUES; k++) {
      if (isnan(r->value[m][k]))
        continue;
      rep_buf_put(b, kept++ ? "," : "");
      rep_buf_json_num(b, r->value[m][k]);
    }
    rep_buf_put(b, "]");
  }
  rep_buf_put(b, "}");
}

void rep__data_json(rep_buf *b, const rep_run *r, const rep_lines *coast, int with_values) {
  const store_run_row *run = &r->run;
  rep_buf_printf(b, "{\"run\":{\"id\":%lld,\"scenario_name\":", (long long)run->id);
  rep_buf_json_str(b, run->scenario_name);
  rep_buf_put(b, ",\"scenario_hash\":");
  rep_buf_json_str(b, run->scenario_hash);
  rep_buf_put(b, ",\"scenario_path\":");
  rep_buf_json_str(b, run->scenario_path);
  /* A uint64 seed does not fit a JSON number exactly: a string. */
  rep_buf_printf(b, ",\"seed\":\"%llu\",\"version\":", (unsigned long long)run->seed);
  rep_buf_json_str(b, run->version);
  rep_buf_put(b, ",\"options\":");
  rep_buf_json_str(b, run->options);
  rep_buf_printf(b, ",\"replications\":%zu,\"replications_planned\":%d,\"created_at\":",
                 r->nrep, run->replications_planned);
  rep_buf_json_str(b, run->created_at);
  rep_buf_put(b, ",\"finished_at\":");
  rep_buf_json_str(b, run->finished_at);
  rep_buf_put(b, ",\"wall_s\":");
  rep_buf_json_num(b, run->wall_s);
  rep_buf_put(b, "},\n\"scenario\":");
  rep_buf_script_json(b, r->scenario_doc);
  rep_buf_put(b, ",\n\"theater\":");
  rep_buf_script_json(b, r->theater_doc);
  rep_buf_put(b, ",\n\"metrics\":[");
  for (size_t m = 0; m < r->ms.n; m++) {
    rep_buf_put(b, m ? ",\n" : "\n");
    metric_json(b, r, m, with_values);
  }
  rep_buf_put(b, "],\n\"bands\":[");
  for (size_t i = 0; i < r->nband; i++) {
    const rep_band *band = &r->band[i];
    rep_buf_printf(b, "%s{\"metric\":%d,\"replications\":%zu,\"module\":", i ? ",\n" : "\n",
                   band->metric, band->nrep);
    rep_buf_json_str(b, r->ms.def[band->metric].module);
    rep_buf_put(b, ",\"name\":");
    rep_buf_json_str(b, r->ms.def[band->metric].name);
    rep_buf_put(b, ",\"t\":");
    num_array(b, band->t, band->n, 1);
    rep_buf_put(b, ",\"mean\":");
    num_array(b, band->mean, band->n, 1);
    rep_buf_put(b, ",\"p5\":");
    num_array(b, band->p5, band->n, 1);
    rep_buf_put(b, ",\"p95\":");
    num_array(b, band->p95, band->n, 1);
    rep_buf_put(b, "}");
  }
  rep_buf_put(b, "]");
  if (coast) {
    rep_buf_put(b, ",\n\"coast\":{\"type\":\"FeatureCollection\",\"features\":[");
    rep__coast_features(b, coast);
    rep_buf_put(b, "]}");
  }
  rep_buf_put(b, "}");
}

/* ---- the HTML tables ------------------------------------------------------------- */

static void cell_num(rep_buf *b, double v) {
  if (isnan(v))
    rep_buf_put(b, "<td class=\"num\">-</td>");
  else
    rep_buf_printf(b, "<td class=\"num\">%.4g</td>", v);
}

static void summary_row(rep_buf *b, const rep_run *r, size_t m) {
  const metric_def *def = &r->ms.def[m];
  const stats_summary *s = &r->summary[m];
  double k;
  const char *shown;
  rep_display_unit(def->unit, &k, &shown);
  rep_buf_put(b, def->flags & METRIC_HEADLINE ? "<tr class=\"headline\"><td>" : "<tr><td>");
  rep_buf_html(b, def->module);
  rep_buf_put(b, ".");
  rep_buf_html(b, def->name);
  if (def->flags & METRIC_SERIES)
    rep_buf_put(b, " <small>(at the horizon)</small>");
  rep_buf_put(b, "</td><td>");
  rep_buf_html(b, shown);
  rep_buf_put(b, "</td>");
  if (s->n == 0) {
    rep_buf_put(b, "<td class=\"num\">never</td><td></td><td></td><td></td><td></td>"
                   "<td></td><td class=\"num\">0</td><td>");
  } else {
    cell_num(b, s->mean * k);
    if (isnan(s->ci_lo))
      rep_buf_put(b, "<td class=\"num\">-</td>");
    else
      rep_buf_printf(b, "<td class=\"num\">%.4g &ndash; %.4g</td>",
                     s->ci_lo * k, s->ci_hi * k);
    cell_num(b, s->p5 * k);
    cell_num(b, s->p50 * k);
    cell_num(b, s->p95 * k);
    cell_num(b, s->sd * k);
    rep_buf_printf(b, "<td class=\"num\">%zu</td><td>", s->n);
  }
  rep_buf_html(b, def->description);
  rep_buf_put(b, "</td></tr>\n");
}

static void summary_table(rep_buf *b, const rep_run *r) {
  rep_buf_put(b, "<section id=\"summary\"><h2>Summary</h2>\n"
                 "<p class=\"note\">Headline metrics (bold) first.  Mean with its 95% "
                 "confidence interval (Student t; Wilson's score interval for 0/1 metrics), "
                 "percentiles across replications; n is "
                 "the number of replications where the metric was observed (an event's "
                 "time exists only where it occurred).  Times in hours.</p>\n"
                 "<table class=\"summary\"><tr><th>metric</th><th>unit</th><th>mean</th>"
                 "<th>95% CI of the mean</th><th>p5</th><th>p50</th><th>p95</th><th>sd</th>"
                 "<th>n</th><th>description</th></tr>\n");
  for (int pass = 0; pass < 2; pass++)
    for (size_t m = 0; m < r->ms.n; m++)
      if (((r->ms.def[m].flags & METRIC_HEADLINE) != 0) == (pass == 0))
        summary_row(b, r, m);
  rep_buf_put(b, "</table></section>\n");
}

static void prov_row(rep_buf *b, const char *k, const char *v) {
  rep_buf_put(b, "<tr><th>");
  rep_buf_html(b, k);
  rep_buf_put(b, "</th><td class=\"mono\">");
  rep_buf_html(b, v);
  rep_buf_put(b, "</td></tr>\n");
}

static void provenance(rep_buf *b, const rep_run *r, const rep_lines *coast) {
  const store_run_row *run = &r->run;
  char t[128];
  rep_buf_put(b, "<section id=\"provenance\"><h2>Provenance</h2><table>\n");
  prov_row(b, "scenario", run->scenario_name);
  prov_row(b, "scenario file", run->scenario_path);
  prov_row(b, "scenario hash", run->scenario_hash);
  snprintf(t, sizeof t, "%llu", (unsigned long long)run->seed);
  prov_row(b, "seed", t);
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
  snprintf(t, sizeof t, "Vega %s (BSD-3-Clause), inlined", rep_vega_version);
  prov_row(b, "charts", t);
  prov_row(b, "coastline", coast && coast->source ? coast->source : "none");
  rep_buf_put(b, "</table></section>\n");
}

/* A document in its own JSON element, parsed by the page (a module's malformed
 * document then breaks its section, not the report). */
static void doc_element(rep_buf *b, const char *id, const char *doc) {
  if (!doc)
    return;
  rep_buf_printf(b, "<script type=\"application/json\" id=\"%s\">", id);
  rep_buf_script_json(b, doc);
  rep_buf_put(b, "</script>\n");
}

int rep_html(rep_buf *b, const rep_run *r, const rep_options *opt) {
  rep_options defaults = REP_OPTIONS_INIT;
  if (!opt)
    opt = &defaults;
  const char *vega = opt->vega_js ? opt->vega_js : rep_vega_js;
  if (!vega[0])
    return ERR_NOTFOUND;
  rep_buf_put(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 "<title>straits report: ");
  rep_buf_html(b, r->run.scenario_name);
  rep_buf_put(b, "</title>\n<style>\n");
  rep_buf_put(b, rep_report_css);
  rep_buf_put(b, "</style>\n<script>\n");
  rep_buf_script_text(b, vega);
  rep_buf_put(b, "\n</script>\n</head><body>\n<header><h1>");
  rep_buf_html(b, r->run.scenario_name);
  rep_buf_put(b, "</h1>\n");
  if (r->scenario_doc && strstr(r->scenario_doc, "\"notional\":true"))
    rep_buf_put(b, "<p class=\"notional\">Notional forces and numbers: an illustration, "
                   "not an assessment.</p>\n");
  rep_buf_printf(b, "<p class=\"meta\">%zu replications, seed %llu, scenario hash %s, "
                    "straits %s, run %lld of its store, finished ",
                 r->nrep, (unsigned long long)r->run.seed, r->run.scenario_hash,
                 r->run.version, (long long)r->run.id);
  rep_buf_html(b, r->run.finished_at[0] ? r->run.finished_at : "(not finished)");
  rep_buf_put(b, "</p>\n<nav><a href=\"#map\">Theater</a><a href=\"#summary\">Summary</a>"
                 "<a href=\"#series\">Time series</a><a href=\"#histograms\">Distributions"
                 "</a><a href=\"#provenance\">Provenance</a></nav>\n</header>\n");
  rep_buf_put(b, "<div id=\"straits-top\"></div>\n");
  summary_table(b, r);
  rep_buf_put(b, "<div id=\"straits-sections\"></div>\n");
  provenance(b, r, opt->coast);
  if (opt->coast && opt->coast->nline)
    rep_buf_put(b, "<p class=\"attribution\">Coastline: GSHHG, Wessel, P. and W. H. F. Smith "
                   "(1996), A Global Self-consistent, Hierarchical, High-resolution Shoreline "
                   "Database, J. Geophys. Res. 101(B4); distributed under the LGPL.</p>\n");
  rep_buf_put(b, "<p id=\"straits-status\" data-status=\"pending\">views not rendered "
                 "(JavaScript is off?)</p>\n");
  rep_buf_put(b, "<script type=\"application/json\" id=\"straits-data\">");
  rep__data_json(b, r, opt->coast, 1);
  rep_buf_put(b, "</script>\n");
  doc_element(b, "doc-sync", r->sync_doc);
  doc_element(b, "doc-findings", r->findings_doc);
  doc_element(b, "doc-compare", r->compare_doc);
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
  rep_buf_put(b, "<script>\n");
  rep_buf_script_text(b, rep_report_js);
  rep_buf_put(b, "\n</script>\n</body></html>\n");
  return b->failed ? ERR_NOMEM : 0;
}
