/* mc_sens_docs.c - what a sensitivity study found (mc_sens.h), as JSON trees (jdoc.h):
 * the file `straits sensitivity --json` writes, and the report's sections stored with a run
 * ("report.section.spillover-4-tornado", -5-sobol: a titled text and a Vega chart). */
#include "mc_sens.h"

#include <math.h>
#include <stdio.h>

#include "err.h"
#include "jdoc.h"
#include "jdoc.h"
#include "store.h"

/* ---- the --json file ---------------------------------------------------------------- */

/* A parameter's SI unit: a path's own, else a rate's or a factor's. */
static const char *param_unit(const mc_sens_param *p) {
  return p->path ? p->si_unit : *p->unit ? "1/s" : "1";
}

static json_t *tornado_row_json(const mc_sens *s, const mc_sens_oat *row) {
  const mc_sens_param *p = &s->param[row->param];
  json_t *j = json_object();
  jdoc_set(j, "parameter", jdoc_str(p->name));
  jdoc_set(j, "unit", jdoc_str(param_unit(p)));
  jdoc_set(j, "base", jdoc_num(p->base));
  jdoc_set(j, "lo", jdoc_num(p->lo));
  jdoc_set(j, "hi", jdoc_num(p->hi));
  jdoc_set(j, "response_lo", jdoc_num(row->y_lo));
  jdoc_set(j, "response_hi", jdoc_num(row->y_hi));
  jdoc_set(j, "swing", jdoc_num(row->swing));
  return j;
}

static json_t *sobol_json(const mc_sens *s, const mc_sens_sobol *so) {
  json_t *j = json_object(), *ci = json_object(), *indices = json_array();
  jdoc_set(j, "base_samples", json_integer(so->base_samples));
  jdoc_set(j, "evaluations", json_integer((json_int_t)so->base_samples *
                                          (json_int_t)(s->nparam + 2)));
  jdoc_set(ci, "method", jdoc_str("percentile bootstrap over base rows"));
  jdoc_set(ci, "resamples", json_integer((json_int_t)so->resamples));
  jdoc_set(ci, "level", jdoc_num(so->level));
  jdoc_set(j, "ci", ci);
  for (size_t i = 0; i < s->nparam; i++) {
    json_t *x = json_object();
    jdoc_set(x, "parameter", jdoc_str(s->param[i].name));
    jdoc_set(x, "first", jdoc_num(so->first[i]));
    jdoc_set(x, "first_lo", jdoc_num(so->first_lo[i]));
    jdoc_set(x, "first_hi", jdoc_num(so->first_hi[i]));
    jdoc_set(x, "total", jdoc_num(so->total[i]));
    jdoc_set(x, "total_lo", jdoc_num(so->total_lo[i]));
    jdoc_set(x, "total_hi", jdoc_num(so->total_hi[i]));
    jdoc_push(indices, x);
  }
  jdoc_set(j, "indices", indices);
  return j;
}

json_t *mc_sens_json(const mc_sens *s, const mc_sens_result *r) {
  json_t *doc = json_object(), *tornado = json_array();
  jdoc_set(doc, "metric", jdoc_str(r->metric));
  jdoc_set(doc, "replications", json_integer(s->replications));
  jdoc_set(doc, "delta", jdoc_num(r->delta));
  jdoc_set(doc, "base", jdoc_num(r->base));
  for (size_t i = 0; i < s->nparam; i++) jdoc_push(tornado, tornado_row_json(s, &r->rows[i]));
  jdoc_set(doc, "tornado", tornado);
  if (r->sobol) jdoc_set(doc, "sobol", sobol_json(s, r->sobol));
  return doc;
}

/* ---- the report's sections ---------------------------------------------------------- */

#define SENS_TORNADO_ROWS 15 /* largest swings drawn */

static void display_name(char *out, size_t size, const mc_sens_param *p) {
  snprintf(out, size, "%s%s%s", p->name, *p->unit ? " " : "", p->unit);
}

/* The tornado's chart: "@base" the base response (a signal and the rule), "@rows" the
 * bars, "@metric" the axis' title. */
static const char tornado_vega[] =
    "{\"width\":480,\"height\":\"@height\",\"padding\":5,"
    "\"signals\":[{\"name\":\"base\",\"value\":\"@base\"}],"
    "\"data\":[{\"name\":\"t\",\"values\":\"@rows\"},"
    "{\"name\":\"ends\",\"source\":\"t\",\"transform\":[{\"type\":\"fold\","
    "\"fields\":[\"lo\",\"hi\"],\"as\":[\"end\",\"y\"]}]}],"
    "\"scales\":[{\"name\":\"row\",\"type\":\"band\",\"range\":\"height\","
    "\"padding\":0.25,\"domain\":{\"data\":\"t\",\"field\":\"name\",\"sort\":"
    "{\"field\":\"rank\",\"op\":\"min\"}}},"
    "{\"name\":\"x\",\"type\":\"linear\",\"range\":\"width\",\"nice\":true,"
    "\"zero\":false,\"domain\":{\"fields\":[{\"data\":\"ends\",\"field\":\"y\"},"
    "{\"signal\":\"[base]\"}]}},"
    "{\"name\":\"c\",\"type\":\"ordinal\",\"domain\":[\"lo\",\"hi\"],"
    "\"range\":[\"#4c78a8\",\"#f58518\"]}],"
    "\"axes\":[{\"orient\":\"top\",\"scale\":\"x\",\"title\":\"@metric\"},"
    "{\"orient\":\"left\",\"scale\":\"row\",\"labelLimit\":300,\"grid\":false}],"
    "\"marks\":[{\"type\":\"rect\",\"from\":{\"data\":\"ends\"},\"encode\":{\"enter\":{"
    "\"y\":{\"scale\":\"row\",\"field\":\"name\"},\"height\":{\"scale\":\"row\",\"band\":1},"
    "\"x\":{\"scale\":\"x\",\"signal\":\"base\"},\"x2\":{\"scale\":\"x\",\"field\":\"y\"},"
    "\"fill\":{\"scale\":\"c\",\"field\":\"end\"},\"fillOpacity\":{\"value\":0.85},"
    "\"tooltip\":{\"signal\":\"datum.name + ' over ' + datum.range + ': ' + "
    "format(datum.lo, '.3f') + ' .. ' + format(datum.hi, '.3f')\"}}}},"
    "{\"type\":\"rule\",\"encode\":{\"enter\":{\"x\":{\"scale\":\"x\",\"signal\":\"base\"},"
    "\"y\":{\"value\":0},\"y2\":{\"signal\":\"height\"},\"stroke\":{\"value\":\"#222\"}}}}]}";

/* The tornado's bars: the n largest swings, each from the response at its parameter's
 * low end to the response at its high end. */
static json_t *tornado_rows(const mc_sens *s, const mc_sens_result *r, size_t n) {
  json_t *rows = json_array();
  for (size_t i = 0; i < n; i++) {
    const mc_sens_param *p = &s->param[r->rows[i].param];
    char name[200], range[96];
    display_name(name, sizeof name, p);
    snprintf(range, sizeof range, "%.4g .. %.4g", p->lo * p->scale, p->hi * p->scale);
    json_t *j = json_object();
    jdoc_set(j, "rank", json_integer((json_int_t)i));
    jdoc_set(j, "name", jdoc_str(name));
    jdoc_set(j, "lo", jdoc_num(r->rows[i].y_lo));
    jdoc_set(j, "hi", jdoc_num(r->rows[i].y_hi));
    jdoc_set(j, "range", jdoc_str(range));
    jdoc_push(rows, j);
  }
  return rows;
}

/* The tornado: for each parameter, a bar from the response at its low end to the
 * response at its high end, around the base response (a rule). */
static json_t *tornado_doc(const mc_sens *s, const mc_sens_result *r) {
  size_t n = s->nparam < SENS_TORNADO_ROWS ? s->nparam : SENS_TORNADO_ROWS;
  char text[640];
  snprintf(text, sizeof text,
           "How the mean of %s moves when one parameter at a time goes from base x (1 - %g) "
           "to base x (1 + %g) (probabilities clipped to [0, 1]), the others at base: blue "
           "at the low end, orange at the high end, the %zu largest swings of %zu "
           "parameters (rates per day). %d replications per point with common random "
           "numbers; base %.4f (line). From `straits sensitivity` (docs/models.md, "
           "section 7).",
           r->metric, r->delta, r->delta, n, s->nparam, s->replications, r->base);
  json_t *vega = jdoc_template(tornado_vega);
  jdoc_fill(vega, "@height", json_integer((json_int_t)(22 * (n ? n : 1))));
  jdoc_fill(vega, "@base", jdoc_num(r->base));
  jdoc_fill(vega, "@rows", tornado_rows(s, r, n));
  jdoc_fill(vega, "@metric", jdoc_str(r->metric));
  json_t *doc = json_object();
  jdoc_set(doc, "title", jdoc_str("Sensitivity: one at a time (tornado)"));
  jdoc_set(doc, "text", jdoc_str(text));
  jdoc_set(doc, "order", json_integer(70));
  jdoc_set(doc, "vega", vega);
  return doc;
}

/* The Sobol chart: "@values" two points a parameter (first order, total). */
static const char sobol_vega[] =
    "{\"width\":480,\"height\":\"@height\",\"padding\":5,"
    "\"data\":[{\"name\":\"s\",\"values\":\"@values\"}],"
    "\"scales\":[{\"name\":\"row\",\"type\":\"band\",\"range\":\"height\","
    "\"padding\":0.2,\"domain\":{\"data\":\"s\",\"field\":\"name\",\"sort\":"
    "{\"field\":\"rank\",\"op\":\"min\"}}},"
    "{\"name\":\"x\",\"type\":\"linear\",\"range\":\"width\",\"nice\":true,"
    "\"domain\":{\"fields\":[{\"data\":\"s\",\"field\":\"lo\"},"
    "{\"data\":\"s\",\"field\":\"hi\"}]}},"
    "{\"name\":\"c\",\"type\":\"ordinal\",\"domain\":[\"first order\",\"total\"],"
    "\"range\":[\"#4c78a8\",\"#e45756\"]}],"
    "\"axes\":[{\"orient\":\"top\",\"scale\":\"x\",\"title\":\"index\"},"
    "{\"orient\":\"left\",\"scale\":\"row\",\"labelLimit\":300,\"grid\":false}],"
    "\"legends\":[{\"fill\":\"c\",\"orient\":\"bottom-right\"}],"
    "\"marks\":[{\"type\":\"rule\",\"from\":{\"data\":\"s\"},\"encode\":{\"enter\":{"
    "\"y\":{\"scale\":\"row\",\"field\":\"name\",\"band\":{\"signal\":"
    "\"datum.index == 'total' ? 0.7 : 0.3\"}},"
    "\"x\":{\"scale\":\"x\",\"field\":\"lo\"},\"x2\":{\"scale\":\"x\",\"field\":\"hi\"},"
    "\"stroke\":{\"scale\":\"c\",\"field\":\"index\"},\"strokeWidth\":{\"value\":1.5}}}},"
    "{\"type\":\"symbol\",\"from\":{\"data\":\"s\"},\"encode\":{\"enter\":{"
    "\"y\":{\"scale\":\"row\",\"field\":\"name\",\"band\":{\"signal\":"
    "\"datum.index == 'total' ? 0.7 : 0.3\"}},"
    "\"x\":{\"scale\":\"x\",\"field\":\"v\"},\"size\":{\"value\":40},"
    "\"fill\":{\"scale\":\"c\",\"field\":\"index\"},"
    "\"tooltip\":{\"signal\":\"datum.name + ' ' + datum.index + ': ' + format(datum.v, '.3f')"
    " + ' [' + format(datum.lo, '.3f') + ', ' + format(datum.hi, '.3f') + ']'\"}}}}]}";

static json_t *sobol_values(const mc_sens *s, const mc_sens_sobol *so) {
  json_t *values = json_array();
  for (size_t i = 0; i < s->nparam; i++) {
    const double v[2][3] = {{so->first[i], so->first_lo[i], so->first_hi[i]},
                            {so->total[i], so->total_lo[i], so->total_hi[i]}};
    for (int k = 0; k < 2; k++) {
      json_t *j = json_object();
      jdoc_set(j, "rank", json_integer((json_int_t)i));
      jdoc_set(j, "index", jdoc_str(k ? "total" : "first order"));
      jdoc_set(j, "name", jdoc_str(s->param[i].name));
      jdoc_set(j, "v", jdoc_num(v[k][0]));
      jdoc_set(j, "lo", jdoc_num(v[k][1]));
      jdoc_set(j, "hi", jdoc_num(v[k][2]));
      jdoc_push(values, j);
    }
  }
  return values;
}

/* Sobol indices: first order and total, each with its bootstrap interval. */
static json_t *sobol_doc(const mc_sens *s, const mc_sens_result *r) {
  const mc_sens_sobol *so = r->sobol;
  char text[640];
  snprintf(text, sizeof text,
           "Variance-based (Sobol) indices of %s over all %zu parameters at once, uniform "
           "on their ranges: first order (the share of the variance a parameter explains "
           "alone) and total (with its interactions), each with its %g%% bootstrap "
           "interval over the %d base samples (%zu resamples). %zu evaluations of %d "
           "replications each.",
           r->metric, s->nparam, 100 * so->level, so->base_samples, so->resamples,
           (size_t)so->base_samples * (s->nparam + 2), s->replications);
  json_t *vega = jdoc_template(sobol_vega);
  jdoc_fill(vega, "@height", json_integer((json_int_t)(26 * (s->nparam ? s->nparam : 1))));
  jdoc_fill(vega, "@values", sobol_values(s, so));
  json_t *doc = json_object();
  jdoc_set(doc, "title", jdoc_str("Sensitivity: Sobol indices"));
  jdoc_set(doc, "text", jdoc_str(text));
  jdoc_set(doc, "order", json_integer(71));
  jdoc_set(doc, "vega", vega);
  return doc;
}

int mc_sens_store_docs(store *st, int64_t run_id, const mc_sens *s, const mc_sens_result *r,
                       diag *d) {
  strbuf b = STRBUF_INIT;
  int err = jdoc_dump(&b, tornado_doc(s, r))
                ? ERR_NOMEM
                : store_doc_put(st, run_id, "report.section.spillover-4-tornado", b.s);
  if (!err && r->sobol) {
    b.len = 0;
    err = jdoc_dump(&b, sobol_doc(s, r))
              ? ERR_NOMEM
              : store_doc_put(st, run_id, "report.section.spillover-5-sobol", b.s);
  }
  if (err)
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "cannot store the sensitivity: %s",
                err == ERR_NOMEM ? "out of memory" : store_errmsg(st));
  strbuf_release(&b);
  return err;
}
