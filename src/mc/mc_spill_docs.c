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

#define SPILL_PATHS 10 /* paths drawn per territory (the chart's rank scale is 1..10) */

static double days(double s) { return s / 86400.0; }

#define SPILL_REPORT_GRID 61 /* curve points over [0, horizon] */

static void doc_begin(strbuf *b, const char *title, const char *text, int order) {
  strbuf_put(b, "{\"title\":");
  strbuf_json_str(b, title);
  strbuf_put(b, ",\"text\":");
  strbuf_json_str(b, text);
  strbuf_printf(b, ",\"order\":%d,\"vega\":", order);
}

/* P(reached by t) per territory: lines with their Wilson bands. */
static int curves_doc(strbuf *b, mc_spill *s, store *st) {
  char text[512];
  double any = NAN, lo, hi;
  size_t k = 0;
  for (size_t r = 0; r < s->nrep; r++) k += !isnan(s->time[s->nterr * s->nrep + r]);
  if (s->nrep) any = (double)k / (double)s->nrep;
  mc_wilson((double)k, (double)s->nrep, 1.96, &lo, &hi);
  snprintf(text, sizeof text,
           "Probability that violence has reached each region of kind territory by day t "
           "(line) with its 95%% Wilson interval (band), over %zu replications; 'any' is the "
           "first of them: %.1f%% [%.1f%%, %.1f%%] by the horizon. Violence reaches a "
           "territory when a site inside it closes, it turns active, or an escalation "
           "level reaches it (docs/models.md, section 7).",
           s->nrep, 100 * any, 100 * lo, 100 * hi);
  doc_begin(b, "Spillover to Japanese territory", text, 60);
  strbuf_put(b, "{\"width\":620,\"height\":260,\"padding\":5,"
                 "\"title\":{\"text\":\"P(violence has reached the territory by t)\"},"
                 "\"data\":[{\"name\":\"c\",\"values\":[");
  double grid[SPILL_REPORT_GRID], p[SPILL_REPORT_GRID], l[SPILL_REPORT_GRID],
      h[SPILL_REPORT_GRID];
  for (int g = 0; g < SPILL_REPORT_GRID; g++)
    grid[g] = s->horizon * g / (SPILL_REPORT_GRID - 1);
  for (size_t t = 0; t <= s->nterr; t++) {
    mc_spill_curve(&s->time[t * s->nrep], s->nrep, grid, SPILL_REPORT_GRID, 1.96, p, l, h);
    for (int g = 0; g < SPILL_REPORT_GRID; g++) {
      strbuf_put(b, t || g ? ",{\"region\":" : "{\"region\":");
      strbuf_json_str(b, s->terr[t]);
      strbuf_put(b, ",\"t\":");
      strbuf_json_num(b, days(grid[g]));
      strbuf_put(b, ",\"p\":");
      strbuf_json_num(b, p[g]);
      strbuf_put(b, ",\"lo\":");
      strbuf_json_num(b, l[g]);
      strbuf_put(b, ",\"hi\":");
      strbuf_json_num(b, h[g]);
      strbuf_put(b, "}");
    }
  }
  strbuf_put(b,
      "]}],"
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
      "format(datum.p, '.1%')\"}}}}]}]}}");
  (void)st;
  return 0;
}

/* Replications in which violence reached territory t (nterr: any). */
static size_t reached(const mc_spill *s, size_t t) {
  size_t k = 0;
  for (size_t r = 0; r < s->nrep; r++) k += !isnan(s->time[t * s->nrep + r]);
  return k;
}

/* The most frequent paths to each territory (and to the first spillover): bars of
 * their shares, one territory at a time, picked with a selector under the chart.
 * Leaves s's paths those of the last territory. */
static int paths_doc(strbuf *b, mc_spill *s, store *st) {
  char text[512];
  snprintf(text, sizeof text,
           "The sequences of crisis events and escalation levels up to and including the "
           "step that first reached Japanese territory (or, with the selector under the "
           "chart, one territory), by their share of the replications that reached it; "
           "the %d most frequent paths.",
           SPILL_PATHS);
  doc_begin(b, "Paths to spillover", text, 61);
  strbuf_printf(b, "{\"width\":560,\"height\":%d,\"padding\":5,"
                    "\"data\":[{\"name\":\"p\",\"values\":[", 22 * SPILL_PATHS);
  /* "any" first: the selector's default. */
  int first = 1, err = 0;
  size_t *npath = calloc(s->nterr + 1, sizeof *npath);
  if (!npath) return ERR_NOMEM;
  for (size_t i = 0; i <= s->nterr && !err; i++) {
    size_t t = i == 0 ? s->nterr : i - 1;
    if ((err = mc_spill_paths(s, st, t))) break;
    npath[t] = s->npath;
    for (size_t k = 0; k < s->npath && k < SPILL_PATHS; k++, first = 0) {
      strbuf_printf(b, "%s{\"region\":", first ? "" : ",");
      strbuf_json_str(b, s->terr[t]);
      strbuf_printf(b, ",\"rank\":%zu,\"count\":%d,\"share\":", k + 1, s->path[k].count);
      strbuf_json_num(b, s->path[k].share);
      strbuf_put(b, ",\"path\":");
      strbuf_json_str(b, s->path[k].text);
      strbuf_put(b, "}");
    }
  }
  /* Per territory: how often it was reached, and by how many distinct paths (the
   * line above the bars). */
  strbuf_put(b, "]},{\"name\":\"r\",\"values\":[");
  for (size_t i = 0; i <= s->nterr && !err; i++) {
    size_t t = i == 0 ? s->nterr : i - 1;
    strbuf_put(b, i ? ",{\"region\":" : "{\"region\":");
    strbuf_json_str(b, s->terr[t]);
    strbuf_printf(b, ",\"reached\":%zu,\"nrep\":%zu,\"npath\":%zu}", reached(s, t), s->nrep,
                   npath[t]);
  }
  free(npath);
  strbuf_put(b, "]},"
                 "{\"name\":\"sel\",\"source\":\"p\",\"transform\":[{\"type\":\"filter\","
                 "\"expr\":\"datum.region === territory\"}]},"
                 "{\"name\":\"rsel\",\"source\":\"r\",\"transform\":[{\"type\":\"filter\","
                 "\"expr\":\"datum.region === territory\"}]}],"
                 "\"signals\":[{\"name\":\"territory\",\"value\":");
  strbuf_json_str(b, s->terr[s->nterr]);
  strbuf_put(b, ",\"bind\":{\"input\":\"select\",\"name\":\"Paths to \",\"options\":[");
  for (size_t i = 0; i <= s->nterr; i++) {
    strbuf_put(b, i ? "," : "");
    strbuf_json_str(b, s->terr[i == 0 ? s->nterr : i - 1]);
  }
  strbuf_put(b, "],\"labels\":[\"the first spillover (any territory)\"");
  for (size_t t = 0; t < s->nterr; t++) {
    strbuf_put(b, ",");
    strbuf_json_str(b, s->terr[t]);
  }
  strbuf_printf(b, "]}}],"
      "\"scales\":[{\"name\":\"y\",\"type\":\"band\",\"range\":\"height\","
      "\"padding\":0.2,\"domain\":[1,2,3,4,5,6,7,8,9,10]},"
      "{\"name\":\"x\",\"type\":\"linear\",\"range\":[0,180],\"nice\":true,"
      "\"zero\":true,\"domain\":{\"data\":\"sel\",\"field\":\"share\"}}],"
      "\"axes\":[{\"orient\":\"top\",\"scale\":\"x\",\"format\":\".0%%\",\"tickCount\":4},"
      "{\"orient\":\"left\",\"scale\":\"y\",\"title\":\"rank\",\"grid\":false}],"
      "\"marks\":[{\"type\":\"text\",\"from\":{\"data\":\"rsel\"},\"encode\":{\"update\":{"
      "\"x\":{\"value\":-40},\"y\":{\"value\":-30},\"fontSize\":{\"value\":12},"
      "\"fontWeight\":{\"value\":\"bold\"},"
      "\"text\":{\"signal\":\"(datum.region === '%s' ? 'Any Japanese territory' : "
      "'Territory ' + datum.region) + ': reached in ' + datum.reached + ' of ' + datum.nrep + "
      "' replications, by ' + datum.npath + ' distinct paths' + (datum.npath > %d ? "
      "' (the %d most frequent shown; bar: share of those replications)' : "
      "' (bar: share of those replications)')\"}}}},"
      "{\"type\":\"rect\",\"from\":{\"data\":\"sel\"},\"encode\":{\"update\":{"
      "\"y\":{\"scale\":\"y\",\"field\":\"rank\"},\"height\":{\"scale\":\"y\",\"band\":1},"
      "\"x\":{\"scale\":\"x\",\"value\":0},\"x2\":{\"scale\":\"x\",\"field\":\"share\"},"
      "\"fill\":{\"value\":\"#c0504d\"},"
      "\"tooltip\":{\"signal\":\"datum.path + ': ' + datum.count + ' replications'\"}}}},"
      "{\"type\":\"text\",\"from\":{\"data\":\"sel\"},\"encode\":{\"update\":{"
      "\"y\":{\"scale\":\"y\",\"field\":\"rank\",\"band\":0.5},"
      "\"x\":{\"scale\":\"x\",\"field\":\"share\",\"offset\":4},"
      "\"baseline\":{\"value\":\"middle\"},\"fontSize\":{\"value\":10.5},"
      "\"text\":{\"signal\":\"format(datum.share, '.0%%') + '  ' + datum.path\"}}}}]}}",
      s->terr[s->nterr], SPILL_PATHS, SPILL_PATHS);
  return err;
}

/* The difference in standard deviations (pooled over the two groups), NaN without. */
static double split_sd(const mc_spill_split *sp) {
  double v = (sp->sd_yes * sp->sd_yes + sp->sd_no * sp->sd_no) / 2;
  return v > 0 ? sqrt(v) : NAN;
}

/* The headline metrics' differences in standard deviations with their intervals,
 * coloured by verdict: how large each effect is, at a glance. */
static void missions_chart(strbuf *b, const mc_spill *s) {
  size_t n = 0;
  strbuf_put(b, "{\"width\":520,\"padding\":5,\"title\":{\"text\":"
                 "\"How large each difference is (headline metrics)\",\"subtitle\":"
                 "\"with \u2212 without spillover, in standard deviations, with its 95% CI\"},"
                 "\"data\":[{\"name\":\"d\",\"values\":[");
  for (size_t i = 0; i < s->nsplit; i++) {
    const mc_spill_split *sp = &s->split[i];
    double sd = split_sd(sp);
    if (!sp->headline || isnan(sd) || isnan(sp->diff) || isnan(sp->half_diff)) continue;
    char id[160];
    snprintf(id, sizeof id, "%s.%s", sp->module, sp->name);
    strbuf_put(b, n++ ? ",{\"metric\":" : "{\"metric\":");
    strbuf_json_str(b, id);
    strbuf_put(b, ",\"verdict\":");
    strbuf_json_str(b, mc_spill_verdict(s, sp));
    strbuf_put(b, ",\"d\":");
    strbuf_json_num(b, sp->diff / sd);
    strbuf_put(b, ",\"lo\":");
    strbuf_json_num(b, (sp->diff - sp->half_diff) / sd);
    strbuf_put(b, ",\"hi\":");
    strbuf_json_num(b, (sp->diff + sp->half_diff) / sd);
    strbuf_put(b, "}");
  }
  strbuf_printf(b, "]}],\"height\":%zu,"
      "\"scales\":[{\"name\":\"y\",\"type\":\"band\",\"range\":\"height\",\"padding\":0.3,"
      "\"domain\":{\"data\":\"d\",\"field\":\"metric\",\"sort\":{\"field\":\"d\",\"op\":\"max\",\"order\":\"descending\"}}},"
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
      "format(datum.d, '+.2f') + ' sd'\"}}}}]}", 20 * (n > 5 ? n : 5));
}

/* The missions with and without spillover, as numbers in SI units: the report shows
 * them as its summary does (units, percentages and significant digits by the
 * metric's registry entry), the significant headline ones open, the rest collapsed;
 * and a chart of the headline differences' sizes. */
static int missions_doc(strbuf *b, mc_spill *s, store *st) {
  size_t yes = reached(s, s->nterr);
  char text[768];
  (void)st;
  snprintf(text, sizeof text,
           "How the missions fared in the %zu replications in which violence reached "
           "Japanese territory against the %zu in which it did not: the mean of each metric "
           "in each group and the difference (with \u2212 without) with its 95%% confidence "
           "interval (Welch). A conditional comparison: replications that spill over also "
           "differ in other ways (a blockade, US intervention), so a difference is an "
           "association, not the effect of spillover alone.",
           yes, s->nrep - yes);
  strbuf_put(b, "{\"title\":\"Effect of spillover on the missions\",\"text\":");
  strbuf_json_str(b, text);
  strbuf_printf(b, ",\"order\":62,\"split\":{\"yes\":\"with spillover\",\"no\":\"without\","
                    "\"n_yes\":%zu,\"n_no\":%zu,\"rows\":[", yes, s->nrep - yes);
  for (size_t i = 0; i < s->nsplit; i++) {
    const mc_spill_split *sp = &s->split[i];
    char id[160];
    snprintf(id, sizeof id, "%s.%s", sp->module, sp->name);
    strbuf_printf(b, "%s{\"metric\":", i ? ",\n" : "");
    strbuf_json_str(b, id);
    strbuf_put(b, ",\"unit\":");
    strbuf_json_str(b, sp->unit);
    strbuf_printf(b, ",\"headline\":%s,\"n_yes\":%zu,\"n_no\":%zu,\"verdict\":\"%s\"",
                   sp->headline ? "true" : "false", sp->n_yes, sp->n_no, mc_spill_verdict(s, sp));
    const struct { const char *k; double v; } f[] = {
        {"mean_yes", sp->mean_yes}, {"half_yes", sp->half_yes}, {"sd_yes", sp->sd_yes},
        {"mean_no", sp->mean_no},   {"half_no", sp->half_no},   {"sd_no", sp->sd_no},
        {"diff", sp->diff},         {"half_diff", sp->half_diff}};
    for (size_t k = 0; k < sizeof f / sizeof *f; k++) {
      strbuf_printf(b, ",\"%s\":", f[k].k);
      strbuf_json_num(b, f[k].v);
    }
    strbuf_put(b, "}");
  }
  strbuf_put(b, "]},\"vega\":");
  missions_chart(b, s);
  strbuf_put(b, "}");
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
  static const struct { const char *name; int (*write)(strbuf *, mc_spill *, store *); } docs[] = {
      {"report.section.spillover-1-curves", curves_doc},
      {"report.section.spillover-2-paths", paths_doc},
      {"report.section.spillover-3-missions", missions_doc},
  };
  for (size_t i = 0; !err && i < sizeof docs / sizeof *docs; i++) {
    b.len = 0;
    if (b.s) b.s[0] = 0;
    err = docs[i].write(&b, &s, st);
    if (!err) err = b.failed ? ERR_NOMEM : store_doc_put(st, s.run_id, docs[i].name, b.s);
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
