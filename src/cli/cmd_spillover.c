/* cmd_spillover.c - `straits spillover [straits.db]`: how likely and how soon violence
 * reaches each Japanese territory, by which event paths, and what it does to the
 * headline metrics of the other modules (mc_spill.h). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_report.h"
#include "diag.h"
#include "err.h"
#include "mc_spill.h"
#include "buf.h"
#include "report.h"
#include "stats.h"

#define SPILL_GRID 10   /* rows of the curve table: horizon/10 .. horizon */
#define SPILL_PATHS 10  /* paths shown */
#define SPILL_NAME_WIDTH 48 /* the missions table's metric column; longer names get a line */

void cmd_spillover_usage(FILE *out) {
  fprintf(out,
          "usage: straits spillover [options] [STORE]\n"
          "\n"
          "Spillover analysis of a stored run (default: the latest run in straits.db):\n"
          "for each region of kind 'territory' the probability that violence has\n"
          "reached it by each time (95%% Wilson CI), the time to first spillover, the\n"
          "most frequent paths of crisis events and escalation levels leading to it,\n"
          "and the effect on the missions: their headline metrics (and the others whose\n"
          "difference is significant) with and without spillover, and the difference\n"
          "with its 95%% CI (Welch) and a verdict: better or worse with spillover by the\n"
          "metric's direction, differs, or no significant difference.  Shown in the\n"
          "report's units and digits; the analysis is stored with the run for its report.\n"
          "Violence reaches a territory when a site inside it closes, the region itself\n"
          "turns active, or an escalation level or transition 'reaches' it.\n"
          "\n"
          "      --run ID     the run to analyse (default: the latest)\n"
          "      --csv FILE   write the curves as CSV (region,t_s,p,lo,hi)\n"
          "      --region ID  time to and paths to that territory instead of the first\n"
          "      --all        every scalar metric of the missions, not only the headline\n"
          "                   ones and those whose difference's 95%% CI excludes 0\n");
}

static double days(double s) { return s / 86400.0; }

static void print_curves(FILE *out, const mc_spill *s) {
  double grid[SPILL_GRID], p[SPILL_GRID], lo[SPILL_GRID], hi[SPILL_GRID];
  for (int g = 0; g < SPILL_GRID; g++) grid[g] = s->horizon * (g + 1) / SPILL_GRID;
  fprintf(out, "P(violence has reached the territory by t), 95%% Wilson CI\n");
  fprintf(out, "%8s", "t (d)");
  /* The last column unpadded: no trailing blanks. */
  for (size_t t = 0; t <= s->nterr; t++)
    fprintf(out, t < s->nterr ? "  %-22.22s" : "  %.22s", s->terr[t]);
  fputc('\n', out);
  double *cols = malloc((s->nterr + 1) * SPILL_GRID * 3 * sizeof *cols);
  if (!cols) return;
  for (size_t t = 0; t <= s->nterr; t++) {
    mc_spill_curve(&s->time[t * s->nrep], s->nrep, grid, SPILL_GRID, 1.96, p, lo, hi);
    for (int g = 0; g < SPILL_GRID; g++) {
      cols[(t * SPILL_GRID + g) * 3] = p[g];
      cols[(t * SPILL_GRID + g) * 3 + 1] = lo[g];
      cols[(t * SPILL_GRID + g) * 3 + 2] = hi[g];
    }
  }
  for (int g = 0; g < SPILL_GRID; g++) {
    fprintf(out, "%8.2f", days(grid[g]));
    for (size_t t = 0; t <= s->nterr; t++) {
      const double *c = &cols[(t * SPILL_GRID + g) * 3];
      char cell[64];
      snprintf(cell, sizeof cell, "%.3f [%.3f, %.3f]", c[0], c[1], c[2]);
      fprintf(out, t < s->nterr ? "  %-22s" : "  %s", cell);
    }
    fputc('\n', out);
  }
  free(cols);
}

/* Time to first spillover, or (with --region) to violence first reaching that region. */
static void print_first_time(FILE *out, const mc_spill *s) {
  const double *first = &s->time[s->path_of * s->nrep];
  double *scratch = malloc((s->nrep + 1) * sizeof *scratch);
  double *x = malloc((s->nrep + 1) * sizeof *x);
  if (!scratch || !x) goto done;
  for (size_t r = 0; r < s->nrep; r++) x[r] = days(first[r]);
  stats_summary su;
  stats_summarize(&su, x, s->nrep, STATS_REAL, scratch);
  if (s->path_of == s->nterr)
    fprintf(out, "\ntime to first spillover: %zu of %zu replications spilled over\n", su.n,
            s->nrep);
  else
    fprintf(out, "\ntime until violence reached %s: in %zu of %zu replications\n",
            s->terr[s->path_of], su.n, s->nrep);
  if (su.n)
    fprintf(out, "  mean %.2f d (95%% CI +-%.2f), min %.2f, p5 %.2f, median %.2f, p95 %.2f, "
                 "max %.2f d\n",
            su.mean, isnan(su.half_width) ? 0.0 : su.half_width, su.min, su.p5, su.p50,
            su.p95, su.max);
done:
  free(scratch), free(x);
}

static void print_paths(FILE *out, const mc_spill *s) {
  if (s->path_of == s->nterr)
    fprintf(out, "\nmost frequent paths to the first spillover (events and levels up to it)\n");
  else
    fprintf(out, "\nmost frequent paths to %s (events and levels up to the step that reached "
                 "it)\n", s->terr[s->path_of]);
  fprintf(out, "%7s %6s  %s\n", "share", "count", "path");
  for (size_t i = 0; i < s->npath && i < SPILL_PATHS; i++)
    fprintf(out, "%6.1f%% %6d  %s\n", 100 * s->path[i].share, s->path[i].count,
            s->path[i].text);
  if (s->npath > SPILL_PATHS) fprintf(out, "  (%zu more paths)\n", s->npath - SPILL_PATHS);
}

/* "better" or "worse" with spillover by the metric's direction, "differs" without
 * one, "no significant difference" when the interval holds 0 (as compare says). */
static const char *split_verdict(const mc_spill *s, const mc_spill_split *sp) {
  if (isnan(sp->half_diff) || !(fabs(sp->diff) > sp->half_diff))
    return rep_verdict_name(REP_SAME);
  int m = metric_find(&s->ms, sp->module, sp->name);
  int dir = m < 0 ? 0 : metric_direction(s->ms.def[m].flags);
  return rep_verdict_name(!dir ? REP_DIFFERS : dir * sp->diff > 0 ? REP_BETTER : REP_WORSE);
}

/* ---- the effect on the missions, as the report's table shows it ------------------ */

/* How a split is shown: as report.js's split table shows the metric from the
 * registry entry rep_html.c writes for it: a dimensionless metric that is 0/1 (a
 * probability) or a share within [0, 1] in percent (differences then in percentage
 * points), other units scaled by the run's typical size (rep_display_unit_for). */
typedef struct split_shown {
  double scale;
  const char *unit;
  int percent;
  int decimals; /* negative: rounded to tens, hundreds */
} split_shown;

static split_shown split_show(const mc_spill_split *sp) {
  split_shown o = {1, "", 0, 0};
  int dimensionless = !sp->unit || !sp->unit[0] || strcmp(sp->unit, "1") == 0;
  o.percent = dimensionless && sp->n_yes + sp->n_no > 0 &&
              (sp->binary || (sp->min >= 0 && sp->max <= 1 && sp->min < sp->max));
  if (o.percent) o.scale = 100, o.unit = "%";
  else rep_display_unit_for(sp->unit, sp->typical, &o.scale, &o.unit);
  double big = fabs(sp->mean_no) > fabs(sp->mean_yes) ? sp->mean_no : sp->mean_yes;
  o.decimals = rep_decimals(big * o.scale, sp->half_diff * o.scale, o.percent);
  return o;
}

/* v * scale as the report shows it (rep_fmt), with a sign when signed ("+7.7"). */
static void split_num(char *text, size_t size, double v, const split_shown *o, int with_sign) {
  char digits[64];
  rep_fmt(digits, sizeof digits, v * o->scale, o->decimals);
  int zero = !isnan(v) && strspn(digits, "-0.,") == strlen(digits);
  const char *p = digits + (zero && digits[0] == '-'); /* no "-0.0" */
  snprintf(text, size, "%s%s", with_sign && !zero && !isnan(v) && *p != '-' ? "+" : "", p);
}

/* Terminal columns of a UTF-8 string ("km\u00b2" is three). */
static size_t text_cols(const char *s) {
  size_t n = 0;
  for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

static void put_cell(FILE *out, const char *s, size_t width, int right) {
  size_t pad = width > text_cols(s) ? width - text_cols(s) : 0;
  if (right) fprintf(out, "%*s%s", (int)pad, "", s);
  else fprintf(out, "%s%*s", s, (int)pad, "");
}

enum { SC_METRIC, SC_UNIT, SC_YES, SC_NYES, SC_NO, SC_NNO, SC_DIFF, SC_CI, SC_VERDICT, SC_N };
typedef struct split_row { char cell[SC_N][160]; } split_row;

static void split_cells(split_row *row, const mc_spill *s, const mc_spill_split *sp) {
  split_shown o = split_show(sp);
  char(*c)[160] = row->cell, lo[64], hi[64];
  snprintf(c[SC_METRIC], sizeof c[0], "%s.%s", sp->module, sp->name);
  snprintf(c[SC_UNIT], sizeof c[0], "%s", o.unit);
  if (sp->n_yes) split_num(c[SC_YES], sizeof c[0], sp->mean_yes, &o, 0);
  else snprintf(c[SC_YES], sizeof c[0], "never");
  if (sp->n_no) split_num(c[SC_NO], sizeof c[0], sp->mean_no, &o, 0);
  else snprintf(c[SC_NO], sizeof c[0], "never");
  snprintf(c[SC_NYES], sizeof c[0], "%zu", sp->n_yes);
  snprintf(c[SC_NNO], sizeof c[0], "%zu", sp->n_no);
  split_num(c[SC_DIFF], sizeof c[0], sp->diff, &o, 1);
  if (isnan(sp->diff) || isnan(sp->half_diff)) {
    snprintf(c[SC_CI], sizeof c[0], "-");
  } else {
    split_num(lo, sizeof lo, sp->diff - sp->half_diff, &o, 1);
    split_num(hi, sizeof hi, sp->diff + sp->half_diff, &o, 1);
    snprintf(c[SC_CI], sizeof c[0], "%s to %s", lo, hi);
  }
  snprintf(c[SC_VERDICT], sizeof c[0], "%s", split_verdict(s, sp));
}

/* A name wider than its column goes on a line of its own, the numbers under it. */
static void put_row(FILE *out, const split_row *row, const size_t *width) {
  static const int right[SC_N] = {0, 0, 1, 1, 1, 1, 1, 1, 0};
  for (int k = 0; k < SC_N; k++) {
    if (k) fputs("  ", out);
    if (k == SC_METRIC && text_cols(row->cell[k]) > width[k])
      fprintf(out, "%s\n%*s", row->cell[k], (int)width[k], "");
    else if (k == SC_VERDICT) fputs(row->cell[k], out); /* the last column unpadded */
    else put_cell(out, row->cell[k], width[k], right[k]);
  }
  fputc('\n', out);
}

/* The missions with and without spillover: the headline metrics, then the others
 * (all of them with --all), in the report's units and digits, with its verdicts. */
static void print_splits(FILE *out, const mc_spill *s, int all) {
  size_t yes = 0;
  for (size_t r = 0; r < s->nrep; r++) yes += !isnan(s->time[s->nterr * s->nrep + r]);
  fprintf(out, "\neffect on the missions: with and without spillover (%zu and %zu "
               "replications; means, and the difference with its 95%% CI)\n", yes,
          s->nrep - yes);
  if (!s->nsplit) {
    fprintf(out, "  (no mission module in this run: plan, logistics, sar or inspection)\n");
    return;
  }
  split_row *row = malloc((s->nsplit + 1) * sizeof *row);
  if (!row) return;
  static const char *const head[SC_N] = {"metric", "unit", "with spillover", "n", "without",
                                         "n", "difference", "95% CI", "verdict"};
  size_t width[SC_N];
  for (int k = 0; k < SC_N; k++) {
    snprintf(row[0].cell[k], sizeof row[0].cell[k], "%s", head[k]);
    width[k] = text_cols(head[k]);
  }
  for (size_t i = 0; i < s->nsplit; i++) {
    split_cells(&row[i + 1], s, &s->split[i]);
    for (int k = 0; k < SC_N; k++)
      if (text_cols(row[i + 1].cell[k]) > width[k]) width[k] = text_cols(row[i + 1].cell[k]);
  }
  if (width[SC_METRIC] > SPILL_NAME_WIDTH) width[SC_METRIC] = SPILL_NAME_WIDTH;
  put_row(out, &row[0], width);
  for (size_t i = 0; i < s->nsplit; i++) {
    if (!s->split[i].headline && (!i || s->split[i - 1].headline))
      fprintf(out, "%s\n", all ? "other metrics of the missions:"
                               : "other metrics whose difference's 95% CI excludes 0:");
    put_row(out, &row[i + 1], width);
  }
  free(row);
  fprintf(out, "  (%%: differences in percentage points; better or worse with spillover by "
               "the metric's direction,\n   'differs' without one; the other metrics are "
               "untested for multiple comparisons; a conditional\n   comparison: "
               "replications that spill over differ in other ways too)\n");
}

/* ---- the report's sections (store documents report.section.spillover-*) ---------- */

#define SPILL_REPORT_GRID 61 /* curve points over [0, horizon] */

static void doc_begin(buf *b, const char *title, const char *text, int order) {
  buf_put(b, "{\"title\":");
  buf_json_str(b, title);
  buf_put(b, ",\"text\":");
  buf_json_str(b, text);
  buf_printf(b, ",\"order\":%d,\"vega\":", order);
}

/* P(reached by t) per territory: lines with their Wilson bands. */
static int curves_doc(buf *b, mc_spill *s, store *st) {
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
  buf_put(b, "{\"width\":620,\"height\":260,\"padding\":5,"
                 "\"title\":{\"text\":\"P(violence has reached the territory by t)\"},"
                 "\"data\":[{\"name\":\"c\",\"values\":[");
  double grid[SPILL_REPORT_GRID], p[SPILL_REPORT_GRID], l[SPILL_REPORT_GRID],
      h[SPILL_REPORT_GRID];
  for (int g = 0; g < SPILL_REPORT_GRID; g++)
    grid[g] = s->horizon * g / (SPILL_REPORT_GRID - 1);
  for (size_t t = 0; t <= s->nterr; t++) {
    mc_spill_curve(&s->time[t * s->nrep], s->nrep, grid, SPILL_REPORT_GRID, 1.96, p, l, h);
    for (int g = 0; g < SPILL_REPORT_GRID; g++) {
      buf_put(b, t || g ? ",{\"region\":" : "{\"region\":");
      buf_json_str(b, s->terr[t]);
      buf_put(b, ",\"t\":");
      buf_json_num(b, days(grid[g]));
      buf_put(b, ",\"p\":");
      buf_json_num(b, p[g]);
      buf_put(b, ",\"lo\":");
      buf_json_num(b, l[g]);
      buf_put(b, ",\"hi\":");
      buf_json_num(b, h[g]);
      buf_put(b, "}");
    }
  }
  buf_put(b,
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
static int paths_doc(buf *b, mc_spill *s, store *st) {
  char text[512];
  snprintf(text, sizeof text,
           "The sequences of crisis events and escalation levels up to and including the "
           "step that first reached Japanese territory (or, with the selector under the "
           "chart, one territory), by their share of the replications that reached it; "
           "the %d most frequent paths.",
           SPILL_PATHS);
  doc_begin(b, "Paths to spillover", text, 61);
  buf_printf(b, "{\"width\":560,\"height\":%d,\"padding\":5,"
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
      buf_printf(b, "%s{\"region\":", first ? "" : ",");
      buf_json_str(b, s->terr[t]);
      buf_printf(b, ",\"rank\":%zu,\"count\":%d,\"share\":", k + 1, s->path[k].count);
      buf_json_num(b, s->path[k].share);
      buf_put(b, ",\"path\":");
      buf_json_str(b, s->path[k].text);
      buf_put(b, "}");
    }
  }
  /* Per territory: how often it was reached, and by how many distinct paths (the
   * line above the bars). */
  buf_put(b, "]},{\"name\":\"r\",\"values\":[");
  for (size_t i = 0; i <= s->nterr && !err; i++) {
    size_t t = i == 0 ? s->nterr : i - 1;
    buf_put(b, i ? ",{\"region\":" : "{\"region\":");
    buf_json_str(b, s->terr[t]);
    buf_printf(b, ",\"reached\":%zu,\"nrep\":%zu,\"npath\":%zu}", reached(s, t), s->nrep,
                   npath[t]);
  }
  free(npath);
  buf_put(b, "]},"
                 "{\"name\":\"sel\",\"source\":\"p\",\"transform\":[{\"type\":\"filter\","
                 "\"expr\":\"datum.region === territory\"}]},"
                 "{\"name\":\"rsel\",\"source\":\"r\",\"transform\":[{\"type\":\"filter\","
                 "\"expr\":\"datum.region === territory\"}]}],"
                 "\"signals\":[{\"name\":\"territory\",\"value\":");
  buf_json_str(b, s->terr[s->nterr]);
  buf_put(b, ",\"bind\":{\"input\":\"select\",\"name\":\"Paths to \",\"options\":[");
  for (size_t i = 0; i <= s->nterr; i++) {
    buf_put(b, i ? "," : "");
    buf_json_str(b, s->terr[i == 0 ? s->nterr : i - 1]);
  }
  buf_put(b, "],\"labels\":[\"the first spillover (any territory)\"");
  for (size_t t = 0; t < s->nterr; t++) {
    buf_put(b, ",");
    buf_json_str(b, s->terr[t]);
  }
  buf_printf(b, "]}}],"
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
static void missions_chart(buf *b, const mc_spill *s) {
  size_t n = 0;
  buf_put(b, "{\"width\":520,\"padding\":5,\"title\":{\"text\":"
                 "\"How large each difference is (headline metrics)\",\"subtitle\":"
                 "\"with \u2212 without spillover, in standard deviations, with its 95% CI\"},"
                 "\"data\":[{\"name\":\"d\",\"values\":[");
  for (size_t i = 0; i < s->nsplit; i++) {
    const mc_spill_split *sp = &s->split[i];
    double sd = split_sd(sp);
    if (!sp->headline || isnan(sd) || isnan(sp->diff) || isnan(sp->half_diff)) continue;
    char id[160];
    snprintf(id, sizeof id, "%s.%s", sp->module, sp->name);
    buf_put(b, n++ ? ",{\"metric\":" : "{\"metric\":");
    buf_json_str(b, id);
    buf_put(b, ",\"verdict\":");
    buf_json_str(b, split_verdict(s, sp));
    buf_put(b, ",\"d\":");
    buf_json_num(b, sp->diff / sd);
    buf_put(b, ",\"lo\":");
    buf_json_num(b, (sp->diff - sp->half_diff) / sd);
    buf_put(b, ",\"hi\":");
    buf_json_num(b, (sp->diff + sp->half_diff) / sd);
    buf_put(b, "}");
  }
  buf_printf(b, "]}],\"height\":%zu,"
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
static int missions_doc(buf *b, mc_spill *s, store *st) {
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
  buf_put(b, "{\"title\":\"Effect of spillover on the missions\",\"text\":");
  buf_json_str(b, text);
  buf_printf(b, ",\"order\":62,\"split\":{\"yes\":\"with spillover\",\"no\":\"without\","
                    "\"n_yes\":%zu,\"n_no\":%zu,\"rows\":[", yes, s->nrep - yes);
  for (size_t i = 0; i < s->nsplit; i++) {
    const mc_spill_split *sp = &s->split[i];
    char id[160];
    snprintf(id, sizeof id, "%s.%s", sp->module, sp->name);
    buf_printf(b, "%s{\"metric\":", i ? ",\n" : "");
    buf_json_str(b, id);
    buf_put(b, ",\"unit\":");
    buf_json_str(b, sp->unit);
    buf_printf(b, ",\"headline\":%s,\"n_yes\":%zu,\"n_no\":%zu,\"verdict\":\"%s\"",
                   sp->headline ? "true" : "false", sp->n_yes, sp->n_no, split_verdict(s, sp));
    const struct { const char *k; double v; } f[] = {
        {"mean_yes", sp->mean_yes}, {"half_yes", sp->half_yes}, {"sd_yes", sp->sd_yes},
        {"mean_no", sp->mean_no},   {"half_no", sp->half_no},   {"sd_no", sp->sd_no},
        {"diff", sp->diff},         {"half_diff", sp->half_diff}};
    for (size_t k = 0; k < sizeof f / sizeof *f; k++) {
      buf_printf(b, ",\"%s\":", f[k].k);
      buf_json_num(b, f[k].v);
    }
    buf_put(b, "}");
  }
  buf_put(b, "]},\"vega\":");
  missions_chart(b, s);
  buf_put(b, "}");
  return 0;
}

int cli_store_spillover(store *st, int64_t run_id) {
  diag *d = diag_new();
  mc_spill s;
  buf b = BUF_INIT;
  if (!d) return ERR_NOMEM;
  int err = mc_spill_read(&s, st, run_id, 0, d);
  if (err == ERR_NOTFOUND) { /* no territory in the scenario: nothing to add */
    err = 0;
    goto done;
  }
  static const struct { const char *name; int (*write)(buf *, mc_spill *, store *); } docs[] = {
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
    cli_error("cannot record the spillover analysis in the store: %s",
              err == ERR_NOMEM ? "out of memory" : store_errmsg(st));
done:
  mc_spill_free(&s);
  buf_release(&b);
  diag_free(d);
  return err;
}

static int write_csv(const char *path, const mc_spill *s) {
  FILE *f = fopen(path, "w");
  if (!f) {
    cli_error("%s: %s", path, strerror(errno));
    return CLI_FAILURE;
  }
  fprintf(f, "region,t_s,p,lo,hi\n");
  enum { NG = 50 };
  double grid[NG], p[NG], lo[NG], hi[NG];
  for (int g = 0; g < NG; g++) grid[g] = s->horizon * g / (NG - 1);
  for (size_t t = 0; t <= s->nterr; t++) {
    mc_spill_curve(&s->time[t * s->nrep], s->nrep, grid, NG, 1.96, p, lo, hi);
    for (int g = 0; g < NG; g++) {
      cli_csv_cell(f, s->terr[t]); /* a region id from the scenario: may be hostile */
      fprintf(f, ",%.17g,%.6f,%.6f,%.6f\n", grid[g], p[g], lo[g], hi[g]);
    }
  }
  return fclose(f) ? CLI_FAILURE : CLI_OK;
}

/* --region: the territory the time and the paths are about. */
static int pick_region(mc_spill *s, store *st, const char *id) {
  for (size_t t = 0; t < s->nterr; t++)
    if (strcmp(s->terr[t], id) == 0)
      return mc_spill_paths(s, st, t) ? CLI_FAILURE : CLI_OK;
  char list[512] = "";
  size_t used = 0;
  for (size_t t = 0; t < s->nterr && used < sizeof list; t++)
    used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", t ? ", " : "", s->terr[t]);
  cli_error("no territory '%s' in run %lld (territories: %s)", id, (long long)s->run_id, list);
  return CLI_BAD_INPUT;
}

int cmd_spillover(int argc, char **argv) {
  static const struct option longopts[] = {
      {"run", required_argument, NULL, 'r'},
      {"csv", required_argument, NULL, 'c'},
      {"all", no_argument, NULL, 'a'},
      {"region", required_argument, NULL, 'g'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *csv = NULL, *region = NULL;
  long long run = -1;
  int c, all = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
    case 'r': {
      char *end;
      run = strtoll(optarg, &end, 10);
      if (*end || run < 1) {
        cli_error("--run needs a run id, got '%s'", optarg);
        return CLI_BAD_INPUT;
      }
      break;
    }
    case 'c': csv = optarg; break;
    case 'a': all = 1; break;
    case 'g': region = optarg; break;
    case 'h': cmd_spillover_usage(stdout); return CLI_OK;
    default: cmd_spillover_usage(stderr); return CLI_BAD_INPUT;
    }
  }
  if (argc - optind > 1) {
    cmd_spillover_usage(stderr);
    return CLI_BAD_INPUT;
  }
  const char *db = optind < argc ? argv[optind] : "straits.db";
  diag *d = diag_new();
  store *st = NULL;
  mc_spill s;
  memset(&s, 0, sizeof s);
  int status = CLI_FAILURE, rc;
  if (!d) return CLI_FAILURE;
  if (access(db, F_OK) != 0) { /* store_open would create an empty store */
    cli_error("%s: %s (run 'straits run' first)", db, strerror(errno));
    diag_free(d);
    return CLI_BAD_INPUT;
  }
  if ((rc = store_open(&st, db, d))) goto out;
  if ((rc = mc_spill_read(&s, st, run, MC_SPILL_SHOWN | (all ? MC_SPILL_ALL_METRICS : 0), d))) {
    if (rc == ERR_NOTFOUND) status = CLI_BAD_INPUT;
    goto out;
  }
  if (region && (status = pick_region(&s, st, region)) != CLI_OK) goto out;
  printf("spillover to Japanese territory: run %lld, %zu replications, horizon %.2f d\n\n",
         (long long)s.run_id, s.nrep, days(s.horizon));
  print_curves(stdout, &s);
  print_first_time(stdout, &s);
  print_paths(stdout, &s);
  print_splits(stdout, &s, all);
  status = csv ? write_csv(csv, &s) : CLI_OK;
  /* Runs stored before straits wrote these sections get them now.  Best effort: the
   * analysis above stands even when the store cannot be written (read-only). */
  if (status == CLI_OK) (void)cli_store_spillover(st, s.run_id);
out:
  if (diag_count(d, DIAG_ERROR)) diag_print(d, stderr, 0);
  else if (status != CLI_OK && rc == ERR_NOTFOUND) cli_error("%s: no run %lld", db, run);
  else if (status != CLI_OK && rc) cli_error("%s: %s", db, st && *store_errmsg(st) ? store_errmsg(st) : err_strerror(rc));
  mc_spill_free(&s);
  store_close(st);
  diag_free(d);
  return status;
}
