/* rep_sweep.c - a sweep store's report section (issue 19 item 5): every design point
 * of the newest sweep with its overrides, its headline metrics' means and 95%
 * confidence intervals and its objectives' verdicts (the "objectives" document each
 * point's run stored), and a chart of each headline metric across the points.
 *
 * Summaries are recomputed from the stored values (stats_summarize, as the run's own
 * summary), so the section shows what the store holds, whatever wrote it. */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "metric.h"
#include "stats.h"

typedef struct sweep_ctx {
  store *st;
  strbuf *points; /* the section's "points" array, built point by point */
  strbuf *chart;  /* the chart's rows {metric, label, mean, lo, hi} */
  int npoints;
  int64_t last_run;
  int err;
} sweep_ctx;

/* "a=1, b=2" from the stored "a=1\nb=2" lines: the point's label. */
static void point_label(char *dst, size_t size, int point, const char *overrides) {
  size_t n = (size_t)snprintf(dst, size, "%d: ", point);
  for (const char *c = overrides; *c && n + 3 < size; c++) {
    if (*c == '\n') {
      if (c[1]) dst[n++] = ',', dst[n++] = ' ';
    } else {
      dst[n++] = *c;
    }
  }
  dst[n < size ? n : size - 1] = '\0';
}

static void metric_row(sweep_ctx *x, const metric_def *def, const stats_summary *s,
                       const char *label, int first) {
  char name[256];
  snprintf(name, sizeof name, "%s.%s", def->module, def->name);
  strbuf_put(x->points, first ? "{\"metric\":" : ",{\"metric\":");
  strbuf_json_str(x->points, name);
  strbuf_put(x->points, ",\"unit\":");
  strbuf_json_str(x->points, def->unit ? def->unit : "");
  strbuf_printf(x->points, ",\"n\":%zu,\"mean\":", s->n);
  strbuf_json_num(x->points, s->mean);
  strbuf_put(x->points, ",\"lo\":");
  strbuf_json_num(x->points, s->ci_lo);
  strbuf_put(x->points, ",\"hi\":");
  strbuf_json_num(x->points, s->ci_hi);
  strbuf_put(x->points, "}");
  if (!isfinite(s->mean)) return; /* nothing to draw */
  strbuf_put(x->chart, x->chart->len ? ",{\"metric\":" : "{\"metric\":");
  strbuf_json_str(x->chart, name);
  strbuf_put(x->chart, ",\"label\":");
  strbuf_json_str(x->chart, label);
  strbuf_put(x->chart, ",\"mean\":");
  strbuf_json_num(x->chart, s->mean);
  strbuf_put(x->chart, ",\"lo\":");
  strbuf_json_num(x->chart, isfinite(s->ci_lo) ? s->ci_lo : s->mean);
  strbuf_put(x->chart, ",\"hi\":");
  strbuf_json_num(x->chart, isfinite(s->ci_hi) ? s->ci_hi : s->mean);
  strbuf_put(x->chart, "}");
}

/* Every headline scalar metric of one point's run, summarised. */
static int point_metrics(sweep_ctx *x, int64_t run, size_t n, const char *label) {
  metric_set ms;
  if (store_metric_defs(x->st, run, &ms)) return ERR_STORE;
  double *v = malloc((n ? n : 1) * sizeof *v), *scratch = malloc((n ? n : 1) * sizeof *v);
  int err = v && scratch ? 0 : ERR_NOMEM, first = 1;
  strbuf_put(x->points, ",\"metrics\":[");
  for (size_t m = 0; m < ms.n && !err; m++) {
    const metric_def *def = &ms.def[m];
    if (!(def->flags & METRIC_HEADLINE) || (def->flags & METRIC_SERIES)) continue;
    if (store_metric_values(x->st, run, &ms, (int)m, v, n)) {
      err = ERR_STORE;
      break;
    }
    stats_summary s;
    stats_summarize(&s, v, n, metric_stats_kind(def->flags), scratch);
    metric_row(x, def, &s, label, first);
    first = 0;
  }
  strbuf_put(x->points, "]");
  free(v), free(scratch);
  metric_set_release(&ms);
  return err;
}

static int add_point(void *ctx, int point, int64_t run, const char *overrides) {
  sweep_ctx *x = ctx;
  store_run_row row;
  char label[512], *objectives = NULL;
  if (store_run_read(x->st, run, &row)) return x->err = ERR_STORE;
  point_label(label, sizeof label, point, overrides);
  strbuf_printf(x->points, "%s\n{\"point\":%d,\"run\":%lld,\"replications\":%d,\"label\":",
                x->npoints ? "," : "", point, (long long)run, row.replications_done);
  strbuf_json_str(x->points, label);
  strbuf_put(x->points, ",\"overrides\":");
  strbuf_json_str(x->points, overrides);
  int err = point_metrics(x, run, (size_t)row.replications_done, label);
  /* The verdicts as the point's run recorded them (mc_objectives.c writes it). */
  strbuf_put(x->points, ",\"objectives\":");
  if (!err && store_doc_get(x->st, run, "objectives", &objectives) == 0 && objectives)
    strbuf_put(x->points, objectives);
  else
    strbuf_put(x->points, "null");
  free(objectives);
  strbuf_put(x->points, "}");
  x->npoints++;
  x->last_run = run;
  return x->err = err;
}

/* The chart: one panel per headline metric, the points along x, the mean (dot) and
 * its 95% confidence interval (bar). */
static void chart_spec(strbuf *b, const strbuf *rows) {
  strbuf_put(b,
             "{\"padding\":5,\"autosize\":\"pad\",\"layout\":{\"columns\":2,\"padding\":30},"
             "\"data\":[{\"name\":\"m\",\"values\":[");
  strbuf_put(b, rows->s ? rows->s : "");
  strbuf_put(
      b,
      "]}],\"marks\":[{\"type\":\"group\",\"from\":{\"facet\":{\"name\":\"f\",\"data\":\"m\","
      "\"groupby\":\"metric\"}},\"encode\":{\"update\":{\"width\":{\"value\":300},"
      "\"height\":{\"value\":140}}},\"title\":{\"text\":{\"signal\":\"parent.metric\"},"
      "\"fontSize\":11},\"scales\":[{\"name\":\"x\",\"type\":\"point\",\"range\":\"width\","
      "\"padding\":0.5,\"domain\":{\"data\":\"f\",\"field\":\"label\"}},{\"name\":\"y\","
      "\"type\":\"linear\",\"range\":\"height\",\"nice\":true,\"zero\":false,\"domain\":"
      "{\"data\":\"f\",\"fields\":[\"lo\",\"hi\"]}}],\"axes\":[{\"orient\":\"bottom\","
      "\"scale\":\"x\",\"labelAngle\":-30,\"labelAlign\":\"right\",\"labelLimit\":160},"
      "{\"orient\":\"left\",\"scale\":\"y\",\"tickCount\":4}],\"marks\":[{\"type\":\"rule\","
      "\"from\":{\"data\":\"f\"},\"encode\":{\"enter\":{\"x\":{\"scale\":\"x\",\"field\":"
      "\"label\"},\"y\":{\"scale\":\"y\",\"field\":\"lo\"},\"y2\":{\"scale\":\"y\",\"field\":"
      "\"hi\"},\"stroke\":{\"value\":\"#4c78a8\"},\"strokeWidth\":{\"value\":2}}}},"
      "{\"type\":\"symbol\",\"from\":{\"data\":\"f\"},\"encode\":{\"enter\":{\"x\":{\"scale\":"
      "\"x\",\"field\":\"label\"},\"y\":{\"scale\":\"y\",\"field\":\"mean\"},\"fill\":"
      "{\"value\":\"#f58518\"},\"size\":{\"value\":40},\"tooltip\":{\"signal\":"
      "\"datum.label + ': ' + format(datum.mean, '.4g') + ' [' + format(datum.lo, '.4g') + "
      "', ' + format(datum.hi, '.4g') + ']'\"}}}}]}]}");
}

int rep_sweep_section(strbuf *b, store *st, int64_t *last_run) {
  strbuf points = STRBUF_INIT, chart = STRBUF_INIT;
  sweep_ctx x = {st, &points, &chart, 0, 0, 0};
  int64_t sweep_id;
  char name[256];
  *last_run = 0;
  int err = store_sweep_latest_points(st, &sweep_id, name, sizeof name, add_point, &x);
  if (!err) err = x.err;
  if (!err && !x.npoints) err = ERR_NOTFOUND;
  if (!err) {
    char text[600];
    snprintf(text, sizeof text,
             "Every point of sweep %lld (%d points): its overrides, the mean of each headline "
             "metric with its 95%% confidence interval, and its objectives' verdicts; then each "
             "headline metric across the points (dot: mean, bar: 95%% CI). The rest of this "
             "report is the last point's run. From `straits sweep` (docs/cli.md).",
             (long long)sweep_id, x.npoints);
    strbuf_put(b, "{\"title\":");
    char title[300];
    snprintf(title, sizeof title, "Sweep: %s, every point", name);
    strbuf_json_str(b, title);
    strbuf_put(b, ",\"text\":");
    strbuf_json_str(b, text);
    strbuf_printf(b, ",\"order\":-10,\"sweep\":{\"id\":%lld,\"name\":", (long long)sweep_id);
    strbuf_json_str(b, name);
    strbuf_put(b, ",\"points\":[");
    strbuf_put(b, points.s ? points.s : "");
    strbuf_put(b, "]},\"vega\":");
    chart_spec(b, &chart);
    strbuf_put(b, "}");
    *last_run = x.last_run;
  }
  if (points.failed || chart.failed || b->failed) err = ERR_NOMEM;
  strbuf_release(&points);
  strbuf_release(&chart);
  return err;
}
