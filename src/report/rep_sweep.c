/* rep_sweep.c - a sweep store's report section (issue 19 item 5): every design point
 * of the newest sweep with its overrides, its headline metrics' means and 95%
 * confidence intervals and its objectives' verdicts (the "objectives" document each
 * point's run stored), and a chart of each headline metric across the points.
 *
 * Summaries are recomputed from the stored values (stats_summarize, as the run's own
 * summary), so the section shows what the store holds, whatever wrote it. */
#include "rep_internal.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "jdoc.h"
#include "metric.h"
#include "stats.h"

typedef struct sweep_ctx {
  store *st;
  json_t *points; /* the section's "points" array, built point by point */
  json_t *chart;  /* the chart's rows {metric, label, mean, lo, hi} */
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

/* The metric's row of its point (added to metrics) and, when it has a mean, its row
 * of the chart. */
static void metric_row(sweep_ctx *x, json_t *metrics, const metric_def *def,
                       const stats_summary *s, const char *label) {
  char name[256];
  snprintf(name, sizeof name, "%s.%s", def->module, def->name);
  json_t *o = json_object();
  jdoc_set(o, "metric", jdoc_str(name));
  jdoc_set(o, "unit", jdoc_str(def->unit ? def->unit : ""));
  jdoc_set(o, "n", json_integer((json_int_t)s->n));
  jdoc_set(o, "mean", jdoc_num(s->mean));
  jdoc_set(o, "lo", jdoc_num(s->ci_lo));
  jdoc_set(o, "hi", jdoc_num(s->ci_hi));
  jdoc_push(metrics, o);
  if (!isfinite(s->mean)) return; /* nothing to draw */
  json_t *c = json_object();
  jdoc_set(c, "metric", jdoc_str(name));
  jdoc_set(c, "label", jdoc_str(label));
  jdoc_set(c, "mean", jdoc_num(s->mean));
  jdoc_set(c, "lo", jdoc_num(isfinite(s->ci_lo) ? s->ci_lo : s->mean));
  jdoc_set(c, "hi", jdoc_num(isfinite(s->ci_hi) ? s->ci_hi : s->mean));
  jdoc_push(x->chart, c);
}

/* Every headline scalar metric of one point's run, summarised, into metrics. */
static int point_metrics(sweep_ctx *x, json_t *metrics, int64_t run, size_t n,
                         const char *label) {
  metric_set ms;
  if (store_metric_defs(x->st, run, &ms)) return ERR_STORE;
  double *v = malloc((n ? n : 1) * sizeof *v), *scratch = malloc((n ? n : 1) * sizeof *v);
  int err = v && scratch ? 0 : ERR_NOMEM;
  for (size_t m = 0; m < ms.n && !err; m++) {
    const metric_def *def = &ms.def[m];
    if (!(def->flags & METRIC_HEADLINE) || (def->flags & METRIC_SERIES)) continue;
    if (store_metric_values(x->st, run, &ms, (int)m, v, n)) {
      err = ERR_STORE;
      break;
    }
    stats_summary s;
    stats_summarize(&s, v, n, metric_stats_kind(def->flags), scratch);
    metric_row(x, metrics, def, &s, label);
  }
  free(v), free(scratch);
  metric_set_release(&ms);
  return err;
}

/* The verdicts as the point's run recorded them (mc_objectives.c writes the
 * document), parsed; null when it has none. */
static json_t *point_objectives(store *st, int64_t run) {
  char *text = NULL;
  json_t *doc = rep__doc(store_doc_get(st, run, "objectives", &text) == 0 ? text : NULL);
  free(text);
  return doc;
}

static int add_point(void *ctx, int point, int64_t run, const char *overrides) {
  sweep_ctx *x = ctx;
  store_run_row row;
  char label[512];
  if (store_run_read(x->st, run, &row)) return x->err = ERR_STORE;
  point_label(label, sizeof label, point, overrides);
  json_t *o = json_object(), *metrics = json_array();
  jdoc_set(o, "point", json_integer(point));
  jdoc_set(o, "run", json_integer(run));
  jdoc_set(o, "replications", json_integer(row.replications_done));
  jdoc_set(o, "label", jdoc_str(label));
  jdoc_set(o, "overrides", jdoc_str(overrides));
  int err = point_metrics(x, metrics, run, (size_t)row.replications_done, label);
  jdoc_set(o, "metrics", metrics);
  jdoc_set(o, "objectives", err ? json_null() : point_objectives(x->st, run));
  jdoc_push(x->points, o);
  x->npoints++;
  x->last_run = run;
  return x->err = err;
}

/* The chart: one panel per headline metric, the points along x, the mean (dot) and
 * its 95% confidence interval (bar).  A Vega spec (jdoc_template); the rows go into its
 * data set "m". */
static const char chart_spec_json[] =
    "{\"padding\":5,\"autosize\":\"pad\",\"layout\":{\"columns\":2,\"padding\":30},"
    "\"data\":[{\"name\":\"m\",\"values\":\"@values\"}],\"marks\":[{\"type\":\"group\",\"from\":"
    "{\"facet\":{\"name\":\"f\",\"data\":\"m\",\"groupby\":\"metric\"}},\"encode\":"
    "{\"update\":{\"width\":{\"value\":300},\"height\":{\"value\":140}}},\"title\":{\"text\":"
    "{\"signal\":\"parent.metric\"},\"fontSize\":11},\"scales\":[{\"name\":\"x\",\"type\":"
    "\"point\",\"range\":\"width\",\"padding\":0.5,\"domain\":{\"data\":\"f\",\"field\":"
    "\"label\"}},{\"name\":\"y\",\"type\":\"linear\",\"range\":\"height\",\"nice\":true,"
    "\"zero\":false,\"domain\":{\"data\":\"f\",\"fields\":[\"lo\",\"hi\"]}}],\"axes\":"
    "[{\"orient\":\"bottom\",\"scale\":\"x\",\"labelAngle\":-30,\"labelAlign\":\"right\","
    "\"labelLimit\":160},{\"orient\":\"left\",\"scale\":\"y\",\"tickCount\":4}],\"marks\":"
    "[{\"type\":\"rule\",\"from\":{\"data\":\"f\"},\"encode\":{\"enter\":{\"x\":{\"scale\":"
    "\"x\",\"field\":\"label\"},\"y\":{\"scale\":\"y\",\"field\":\"lo\"},\"y2\":{\"scale\":"
    "\"y\",\"field\":\"hi\"},\"stroke\":{\"value\":\"#4c78a8\"},\"strokeWidth\":{\"value\":"
    "2}}}},{\"type\":\"symbol\",\"from\":{\"data\":\"f\"},\"encode\":{\"enter\":{\"x\":"
    "{\"scale\":\"x\",\"field\":\"label\"},\"y\":{\"scale\":\"y\",\"field\":\"mean\"},"
    "\"fill\":{\"value\":\"#f58518\"},\"size\":{\"value\":40},\"tooltip\":{\"signal\":"
    "\"datum.label + ': ' + format(datum.mean, '.4g') + ' [' + format(datum.lo, '.4g') + "
    "', ' + format(datum.hi, '.4g') + ']'\"}}}}]}]}";

/* The spec with rows (taken) as its data. */
static json_t *chart_spec(json_t *rows) {
  json_t *spec = jdoc_template(chart_spec_json);
  jdoc_fill(spec, "@values", rows);
  return spec;
}

static json_t *section_tree(sweep_ctx *x, int64_t sweep_id, const char *name) {
  char text[600], title[300];
  snprintf(text, sizeof text,
           "Every point of sweep %lld (%d points): its overrides, the mean of each headline "
           "metric with its 95%% confidence interval, and its objectives' verdicts; then each "
           "headline metric across the points (dot: mean, bar: 95%% CI). The rest of this "
           "report is the last point's run. From `straits sweep` (docs/cli.md).",
           (long long)sweep_id, x->npoints);
  snprintf(title, sizeof title, "Sweep: %s, every point", name);
  json_t *o = json_object(), *sweep = json_object();
  jdoc_set(o, "title", jdoc_str(title));
  jdoc_set(o, "text", jdoc_str(text));
  jdoc_set(o, "order", json_integer(-10));
  jdoc_set(sweep, "id", json_integer(sweep_id));
  jdoc_set(sweep, "name", jdoc_str(name));
  jdoc_set(sweep, "points", json_incref(x->points));
  jdoc_set(o, "sweep", sweep);
  jdoc_set(o, "vega", chart_spec(json_incref(x->chart)));
  return o;
}

int rep_sweep_section(strbuf *b, store *st, int64_t *last_run) {
  sweep_ctx x = {st, json_array(), json_array(), 0, 0, 0};
  int64_t sweep_id;
  char name[256];
  *last_run = 0;
  int err = store_sweep_latest_points(st, &sweep_id, name, sizeof name, add_point, &x);
  if (!err) err = x.err;
  if (!err && !x.npoints) err = ERR_NOTFOUND;
  /* Dumped even when it is not wanted: the dump clears what failed in building it
   * (jdoc.h), which would otherwise fail the thread's next document. */
  strbuf scratch = STRBUF_INIT;
  int bad = jdoc_dump(err ? &scratch : b, err ? json_null() : section_tree(&x, sweep_id, name));
  strbuf_release(&scratch);
  if (!err && bad) err = ERR_NOMEM;
  if (!err) *last_run = x.last_run;
  json_decref(x.points);
  json_decref(x.chart);
  return err;
}
