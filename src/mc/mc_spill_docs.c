/* mc_spill_docs.c - the report's spillover sections of a run (mc_spill.h): store
 * documents "report.section.spillover-*", each a titled text with a Vega chart (and,
 * for the missions, the table's rows in SI units). */
#include "mc_spill.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "err.h"
#include "jdoc.h"
#include "jdoc.h"

#define SPILL_PATHS 10 /* paths drawn per territory (the chart's rank scale is 1..10) */

static double days(double s) { return s / 86400.0; }

#define SPILL_REPORT_GRID 61 /* curve points over [0, horizon] */

/* A section's head: {"title", "text", "order"}; the caller adds its "vega". */
static json_t *doc_begin(const char *title, const char *text, int order) {
  json_t *doc = json_object();
  jdoc_set(doc, "title", jdoc_str(title));
  jdoc_set(doc, "text", jdoc_str(text));
  jdoc_set(doc, "order", json_integer(order));
  return doc;
}

/* The curves' chart; "@values" is where the points go. */
static const char curves_vega[] =
    "{\"width\":620,\"height\":260,\"padding\":5,"
    "\"title\":{\"text\":\"P(violence has reached the territory by t)\"},"
    "\"data\":[{\"name\":\"c\",\"values\":\"@values\"}],"
    "\"scales\":[{\"name\":\"x\",\"type\":\"linear\",\"range\":\"width\","
    "\"domain\":{\"data\":\"c\",\"field\":\"t\"}},"
    "{\"name\":\"y\",\"type\":\"linear\",\"range\":\"height\",\"nice\":true,"
    "\"zero\":true,\"domain\":{\"data\":\"c\",\"field\":\"hi\"}},"
    "{\"name\":\"color\",\"type\":\"ordinal\",\"range\":\"category\","
    "\"domain\":{\"data\":\"c\",\"field\":\"region\"}}],"
    "\"axes\":[{\"orient\":\"bottom\",\"scale\":\"x\",\"title\":\"day\"},"
    "{\"orient\":\"left\",\"scale\":\"y\",\"format\":\".0%\","
    "\"title\":\"probability\"}],"
    "\"legends\":[{\"stroke\":\"color\",\"title\":\"territory\"}],"
    "\"marks\":[{\"type\":\"group\",\"from\":{\"facet\":{\"name\":\"one\","
    "\"data\":\"c\",\"groupby\":\"region\"}},\"marks\":["
    "{\"type\":\"area\",\"from\":{\"data\":\"one\"},\"encode\":{\"enter\":{"
    "\"x\":{\"scale\":\"x\",\"field\":\"t\"},\"y\":{\"scale\":\"y\",\"field\":\"lo\"},"
    "\"y2\":{\"scale\":\"y\",\"field\":\"hi\"},"
    "\"fill\":{\"scale\":\"color\",\"field\":\"region\"},"
    "\"fillOpacity\":{\"value\":0.15}}}},"
    "{\"type\":\"line\",\"from\":{\"data\":\"one\"},\"encode\":{\"enter\":{"
    "\"x\":{\"scale\":\"x\",\"field\":\"t\"},\"y\":{\"scale\":\"y\",\"field\":\"p\"},"
    "\"stroke\":{\"scale\":\"color\",\"field\":\"region\"},"
    "\"strokeWidth\":{\"value\":2},"
    "\"tooltip\":{\"signal\":\"datum.region + ', day ' + format(datum.t, '.1f') + ': ' + "
    "format(datum.p, '.1%')\"}}}}]}]}";

/* P(reached by t) per territory: lines with their Wilson bands. */
static int curves_doc(json_t **out, mc_spill *s) {
  char text[512];
  double any = NAN, lo, hi;
  const size_t k = s->reached[s->nterr].n;
  if (s->nrep) any = (double)k / (double)s->nrep;
  mc_wilson((double)k, (double)s->nrep, 1.96, &lo, &hi);
  snprintf(text, sizeof text,
           "Probability that violence has reached each region of kind territory by day t "
           "(line) with its 95%% Wilson interval (band), over %zu replications; 'any' is the "
           "first of them: %.1f%% [%.1f%%, %.1f%%] by the horizon. Violence reaches a "
           "territory when a site inside it closes, it turns active, or an escalation "
           "level reaches it (docs/models.md, section 7).",
           s->nrep, 100 * any, 100 * lo, 100 * hi);
  double grid[SPILL_REPORT_GRID], p[SPILL_REPORT_GRID], l[SPILL_REPORT_GRID],
      h[SPILL_REPORT_GRID];
  for (int g = 0; g < SPILL_REPORT_GRID; g++)
    grid[g] = s->horizon * g / (SPILL_REPORT_GRID - 1);
  json_t *values = json_array();
  for (size_t t = 0; t <= s->nterr; t++) {
    mc_spill_curve(s->reached[t].time, s->reached[t].n, s->nrep, grid, SPILL_REPORT_GRID, 1.96, p,
                   l, h);
    for (int g = 0; g < SPILL_REPORT_GRID; g++) {
      json_t *v = json_object();
      jdoc_set(v, "region", jdoc_str(s->terr[t]));
      jdoc_set(v, "t", jdoc_num(days(grid[g])));
      jdoc_set(v, "p", jdoc_num(p[g]));
      jdoc_set(v, "lo", jdoc_num(l[g]));
      jdoc_set(v, "hi", jdoc_num(h[g]));
      jdoc_push(values, v);
    }
  }
  json_t *vega = jdoc_template(curves_vega);
  jdoc_fill(vega, "@values", values);
  *out = doc_begin("Spillover to Japanese territory", text, 60);
  jdoc_set(*out, "vega", vega);
  return 0;
}

/* The paths' chart: "@paths" the bars of every territory, "@reached" how often each
 * was reached, and the selector's territories; "@headline" the line above the bars. */
static const char paths_vega[] =
    "{\"width\":560,\"height\":\"@height\",\"padding\":5,"
    "\"data\":[{\"name\":\"p\",\"values\":\"@paths\"},{\"name\":\"r\",\"values\":\"@reached\"},"
    "{\"name\":\"sel\",\"source\":\"p\",\"transform\":[{\"type\":\"filter\","
    "\"expr\":\"datum.region === territory\"}]},"
    "{\"name\":\"rsel\",\"source\":\"r\",\"transform\":[{\"type\":\"filter\","
    "\"expr\":\"datum.region === territory\"}]}],"
    "\"signals\":[{\"name\":\"territory\",\"value\":\"@territory\","
    "\"bind\":{\"input\":\"select\",\"name\":\"Paths to \",\"options\":\"@options\","
    "\"labels\":\"@labels\"}}],"
    "\"scales\":[{\"name\":\"y\",\"type\":\"band\",\"range\":\"height\","
    "\"padding\":0.2,\"domain\":[1,2,3,4,5,6,7,8,9,10]},"
    "{\"name\":\"x\",\"type\":\"linear\",\"range\":[0,180],\"nice\":true,"
    "\"zero\":true,\"domain\":{\"data\":\"sel\",\"field\":\"share\"}}],"
    "\"axes\":[{\"orient\":\"top\",\"scale\":\"x\",\"format\":\".0%\",\"tickCount\":4},"
    "{\"orient\":\"left\",\"scale\":\"y\",\"title\":\"rank\",\"grid\":false}],"
    "\"marks\":[{\"type\":\"text\",\"from\":{\"data\":\"rsel\"},\"encode\":{\"update\":{"
    "\"x\":{\"value\":-40},\"y\":{\"value\":-30},\"fontSize\":{\"value\":12},"
    "\"fontWeight\":{\"value\":\"bold\"},"
    "\"text\":{\"signal\":\"@headline\"}}}},"
    "{\"type\":\"rect\",\"from\":{\"data\":\"sel\"},\"encode\":{\"update\":{"
    "\"y\":{\"scale\":\"y\",\"field\":\"rank\"},\"height\":{\"scale\":\"y\",\"band\":1},"
    "\"x\":{\"scale\":\"x\",\"value\":0},\"x2\":{\"scale\":\"x\",\"field\":\"share\"},"
    "\"fill\":{\"value\":\"#c0504d\"},"
    "\"tooltip\":{\"signal\":\"datum.path + ': ' + datum.count + ' replications'\"}}}},"
    "{\"type\":\"text\",\"from\":{\"data\":\"sel\"},\"encode\":{\"update\":{"
    "\"y\":{\"scale\":\"y\",\"field\":\"rank\",\"band\":0.5},"
    "\"x\":{\"scale\":\"x\",\"field\":\"share\",\"offset\":4},"
    "\"baseline\":{\"value\":\"middle\"},\"fontSize\":{\"value\":10.5},"
    "\"text\":{\"signal\":\"format(datum.share, '.0%') + '  ' + datum.path\"}}}}]}";

/* The territories in the selector's order: "any" first (its default), then each. */
static size_t selector_terr(const mc_spill *s, size_t i) { return i == 0 ? s->nterr : i - 1; }

/* The Vega expression of the line above the bars (a JavaScript string, quoted in ''). */
static void paths_headline(char *out, size_t size, const mc_spill *s) {
  snprintf(out, size,
           "(datum.region === '%s' ? 'Any Japanese territory' : "
           "'Territory ' + datum.region) + ': reached in ' + datum.reached + ' of ' + "
           "datum.nrep + ' replications, by ' + datum.npath + ' distinct paths' + "
           "(datum.npath > %d ? ' (the %d most frequent shown; bar: share of those "
           "replications)' : ' (bar: share of those replications)')",
           s->terr[s->nterr], SPILL_PATHS, SPILL_PATHS);
}

/* The most frequent paths to each territory (and to the first spillover): bars of
 * their shares, one territory at a time, picked with a selector under the chart.
 * Leaves s's paths those of the last territory. */
static int paths_doc(json_t **out, mc_spill *s) {
  char text[512], headline[768];
  snprintf(text, sizeof text,
           "The sequences of crisis events and escalation levels up to and including the "
           "step that first reached Japanese territory (or, with the selector under the "
           "chart, one territory), by their share of the replications that reached it; "
           "the %d most frequent paths.",
           SPILL_PATHS);
  int err = 0;
  json_t *paths = json_array(), *reach = json_array(), *options = json_array(),
         *labels = json_array();
  for (size_t i = 0; i <= s->nterr && !err; i++) {
    size_t t = selector_terr(s, i);
    if ((err = mc_spill_paths(s, t))) break;
    for (size_t k = 0; k < s->npath && k < SPILL_PATHS; k++) {
      json_t *v = json_object();
      jdoc_set(v, "region", jdoc_str(s->terr[t]));
      jdoc_set(v, "rank", json_integer((json_int_t)k + 1));
      jdoc_set(v, "count", json_integer(s->path[k].count));
      jdoc_set(v, "share", jdoc_num(s->path[k].share));
      jdoc_set(v, "path", jdoc_str(s->path[k].text));
      jdoc_push(paths, v);
    }
    /* How often it was reached, and by how many distinct paths (the line above the
     * bars). */
    json_t *r = json_object();
    jdoc_set(r, "region", jdoc_str(s->terr[t]));
    jdoc_set(r, "reached", json_integer((json_int_t)s->reached[t].n));
    jdoc_set(r, "nrep", json_integer((json_int_t)s->nrep));
    jdoc_set(r, "npath", json_integer((json_int_t)s->npath));
    jdoc_push(reach, r);
    jdoc_push(options, jdoc_str(s->terr[t]));
  }
  jdoc_push(labels, jdoc_str("the first spillover (any territory)"));
  for (size_t t = 0; t < s->nterr; t++) jdoc_push(labels, jdoc_str(s->terr[t]));
  paths_headline(headline, sizeof headline, s);
  json_t *vega = jdoc_template(paths_vega);
  jdoc_fill(vega, "@height", json_integer(22 * SPILL_PATHS));
  jdoc_fill(vega, "@paths", paths);
  jdoc_fill(vega, "@reached", reach);
  jdoc_fill(vega, "@territory", jdoc_str(s->terr[s->nterr]));
  jdoc_fill(vega, "@options", options);
  jdoc_fill(vega, "@labels", labels);
  jdoc_fill(vega, "@headline", jdoc_str(headline));
  *out = doc_begin("Paths to spillover", text, 61);
  jdoc_set(*out, "vega", vega);
  return err;
}

/* The difference in standard deviations (pooled over the two groups), NaN without. */
static double split_sd(const mc_spill_split *sp) {
  double v = (sp->sd_yes * sp->sd_yes + sp->sd_no * sp->sd_no) / 2;
  return v > 0 ? sqrt(v) : NAN;
}

/* The chart of the headline differences' sizes; "@values" its points, "@height" 20
 * px a metric. */
static const char missions_vega[] =
    "{\"width\":520,\"padding\":5,\"title\":{\"text\":"
    "\"How large each difference is (headline metrics)\",\"subtitle\":"
    "\"with \u2212 without spillover, in standard deviations, with its 95% CI\"},"
    "\"data\":[{\"name\":\"d\",\"values\":\"@values\"}],\"height\":\"@height\","
    "\"scales\":[{\"name\":\"y\",\"type\":\"band\",\"range\":\"height\",\"padding\":0.3,"
    "\"domain\":{\"data\":\"d\",\"field\":\"metric\",\"sort\":{\"field\":\"d\",\"op\":\"max\","
    "\"order\":\"descending\"}}},"
    "{\"name\":\"x\",\"type\":\"linear\",\"range\":\"width\",\"nice\":true,\"zero\":true,"
    "\"domain\":{\"data\":\"d\",\"fields\":[\"lo\",\"hi\"]}},"
    "{\"name\":\"c\",\"type\":\"ordinal\","
    "\"domain\":[\"better\",\"worse\",\"differs\",\"no significant difference\"],"
    "\"range\":[\"#2ca02c\",\"#d62728\",\"#ff7f0e\",\"#7f7f7f\"]}],"
    "\"axes\":[{\"orient\":\"bottom\",\"scale\":\"x\",\"title\":\"difference "
    "(standard deviations)\"},{\"orient\":\"left\",\"scale\":\"y\",\"grid\":false,"
    "\"labelLimit\":300}],"
    "\"legends\":[{\"stroke\":\"c\",\"fill\":\"c\",\"title\":\"with spillover\"}],"
    "\"marks\":[{\"type\":\"rule\",\"encode\":{\"update\":{\"x\":{\"scale\":\"x\",\"value\":0},"
    "\"y\":{\"value\":0},\"y2\":{\"signal\":\"height\"},\"stroke\":{\"value\":\"#444\"}}}},"
    "{\"type\":\"rule\",\"from\":{\"data\":\"d\"},\"encode\":{\"update\":{"
    "\"y\":{\"scale\":\"y\",\"field\":\"metric\",\"band\":0.5},"
    "\"x\":{\"scale\":\"x\",\"field\":\"lo\"},\"x2\":{\"scale\":\"x\",\"field\":\"hi\"},"
    "\"stroke\":{\"scale\":\"c\",\"field\":\"verdict\"},\"strokeWidth\":{\"value\":2}}}},"
    "{\"type\":\"symbol\",\"from\":{\"data\":\"d\"},\"encode\":{\"update\":{"
    "\"y\":{\"scale\":\"y\",\"field\":\"metric\",\"band\":0.5},"
    "\"x\":{\"scale\":\"x\",\"field\":\"d\"},\"fill\":{\"scale\":\"c\",\"field\":\"verdict\"},"
    "\"size\":{\"value\":40},\"tooltip\":{\"signal\":\"datum.metric + ': ' + "
    "format(datum.d, '+.2f') + ' sd'\"}}}}]}";

/* The headline metrics' differences in standard deviations with their intervals,
 * coloured by verdict: how large each effect is, at a glance. */
static json_t *missions_chart(const mc_spill *s) {
  json_t *values = json_array();
  for (size_t i = 0; i < s->nsplit; i++) {
    const mc_spill_split *sp = &s->split[i];
    double sd = split_sd(sp);
    if (!sp->headline || isnan(sd) || isnan(sp->diff) || isnan(sp->half_diff)) continue;
    char id[160];
    snprintf(id, sizeof id, "%s.%s", sp->module, sp->name);
    json_t *v = json_object();
    jdoc_set(v, "metric", jdoc_str(id));
    jdoc_set(v, "verdict", jdoc_str(mc_spill_verdict(s, sp)));
    jdoc_set(v, "d", jdoc_num(sp->diff / sd));
    jdoc_set(v, "lo", jdoc_num((sp->diff - sp->half_diff) / sd));
    jdoc_set(v, "hi", jdoc_num((sp->diff + sp->half_diff) / sd));
    jdoc_push(values, v);
  }
  size_t n = json_array_size(values);
  json_t *vega = jdoc_template(missions_vega);
  jdoc_fill(vega, "@values", values);
  jdoc_fill(vega, "@height", json_integer((json_int_t)(20 * (n > 5 ? n : 5))));
  return vega;
}

/* One metric's row of the table: its means, intervals and standard deviations in each
 * group, and the difference. */
static json_t *missions_row(const mc_spill *s, const mc_spill_split *sp) {
  char id[160];
  snprintf(id, sizeof id, "%s.%s", sp->module, sp->name);
  json_t *row = json_object();
  jdoc_set(row, "metric", jdoc_str(id));
  jdoc_set(row, "unit", jdoc_str(sp->unit));
  jdoc_set(row, "headline", json_boolean(sp->headline));
  jdoc_set(row, "n_yes", json_integer((json_int_t)sp->n_yes));
  jdoc_set(row, "n_no", json_integer((json_int_t)sp->n_no));
  jdoc_set(row, "verdict", jdoc_str(mc_spill_verdict(s, sp)));
  const struct { const char *k; double v; } f[] = {
      {"mean_yes", sp->mean_yes}, {"half_yes", sp->half_yes}, {"sd_yes", sp->sd_yes},
      {"mean_no", sp->mean_no},   {"half_no", sp->half_no},   {"sd_no", sp->sd_no},
      {"diff", sp->diff},         {"half_diff", sp->half_diff}};
  for (size_t k = 0; k < sizeof f / sizeof *f; k++) jdoc_set(row, f[k].k, jdoc_num(f[k].v));
  return row;
}

/* The missions with and without spillover, as numbers in SI units: the report shows
 * them as its summary does (units, percentages and significant digits by the
 * metric's registry entry), the significant headline ones open, the rest collapsed;
 * and a chart of the headline differences' sizes. */
static int missions_doc(json_t **out, mc_spill *s) {
  size_t yes = s->reached[s->nterr].n;
  char text[768];
  snprintf(text, sizeof text,
           "How the missions fared in the %zu replications in which violence reached "
           "Japanese territory against the %zu in which it did not: the mean of each metric "
           "in each group and the difference (with \u2212 without) with its 95%% confidence "
           "interval (Welch). A conditional comparison: replications that spill over also "
           "differ in other ways (a blockade, US intervention), so a difference is an "
           "association, not the effect of spillover alone.",
           yes, s->nrep - yes);
  json_t *split = json_object(), *rows = json_array();
  jdoc_set(split, "yes", jdoc_str("with spillover"));
  jdoc_set(split, "no", jdoc_str("without"));
  jdoc_set(split, "n_yes", json_integer((json_int_t)yes));
  jdoc_set(split, "n_no", json_integer((json_int_t)(s->nrep - yes)));
  for (size_t i = 0; i < s->nsplit; i++) jdoc_push(rows, missions_row(s, &s->split[i]));
  jdoc_set(split, "rows", rows);
  *out = doc_begin("Effect of spillover on the missions", text, 62);
  jdoc_set(*out, "split", split);
  jdoc_set(*out, "vega", missions_chart(s));
  return 0;
}

int mc_spill_store_docs(store *st, int64_t run_id, diag *d) {
  mc_spill s;
  strbuf b = STRBUF_INIT;
  /* Its own diagnostics: a run without territories (ERR_NOTFOUND) is not a problem. */
  diag *rd = diag_new();
  int err = rd ? mc_spill_read(&s, st, run_id, 0, rd) : ERR_NOMEM;
  if (err == ERR_NOTFOUND) { /* no territory in the scenario: nothing to add */
    err = 0;
    goto done;
  }
  if (!err && s.nrep == 0) /* a preview (`straits show`): nothing has happened yet */
    goto done;
  static const struct { const char *name; int (*write)(json_t **, mc_spill *); } docs[] = {
      {"report.section.spillover-1-curves", curves_doc},
      {"report.section.spillover-2-paths", paths_doc},
      {"report.section.spillover-3-missions", missions_doc},
  };
  for (size_t i = 0; !err && i < sizeof docs / sizeof *docs; i++) {
    b.len = 0;
    if (b.s) b.s[0] = 0;
    json_t *doc = NULL;
    err = docs[i].write(&doc, &s);
    if (err) json_decref(doc);
    else err = jdoc_dump(&b, doc) ? ERR_NOMEM : store_doc_put(st, s.run_id, docs[i].name, b.s);
  }
  if (err)
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "cannot record the spillover analysis in the store: %s",
                err == ERR_NOMEM ? "out of memory" : store_errmsg(st));
done:
  if (rd) mc_spill_free(&s);
  strbuf_release(&b);
  diag_free(rd);
  return err;
}
