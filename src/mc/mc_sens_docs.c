/* mc_sens_docs.c - what a sensitivity study found (mc_sens.h), as JSON: the file
 * `straits sensitivity --json` writes, and the report's sections stored with a run
 * ("report.section.spillover-4-tornado", -5-sobol: a titled text and a Vega chart). */
#include "mc_sens.h"

#include <math.h>
#include <stdio.h>

#include "err.h"
#include "store.h"

/* ---- the --json file ---------------------------------------------------------------- */

/* A number with every digit (%.17g: it reads back the same double); null for NaN or
 * an infinity, which JSON has no words for. */
static void num17(strbuf *b, const char *key, double v) {
  strbuf_printf(b, "%s", key);
  if (isfinite(v)) strbuf_printf(b, "%.17g", v);
  else strbuf_put(b, "null");
}

void mc_sens_json(strbuf *b, const mc_sens *s, const mc_sens_result *r) {
  strbuf_put(b, "{\"metric\": ");
  strbuf_json_str(b, r->metric);
  strbuf_printf(b, ", \"replications\": %d", s->replications);
  num17(b, ", \"delta\": ", r->delta);
  num17(b, ", \"base\": ", r->base);
  strbuf_put(b, ",\n \"tornado\": [");
  for (size_t i = 0; i < s->nparam; i++) {
    const mc_sens_oat *row = &r->rows[i];
    const mc_sens_param *p = &s->param[row->param];
    strbuf_printf(b, "%s\n  {\"parameter\": ", i ? "," : "");
    strbuf_json_str(b, p->name);
    const char *unit = p->path ? p->si_unit : *p->unit ? "1/s" : "1"; /* a path's SI unit */
    strbuf_printf(b, ", \"unit\": \"%s\"", unit);
    num17(b, ", \"base\": ", p->base);
    num17(b, ", \"lo\": ", p->lo);
    num17(b, ", \"hi\": ", p->hi);
    num17(b, ", \"response_lo\": ", row->y_lo);
    num17(b, ", \"response_hi\": ", row->y_hi);
    num17(b, ", \"swing\": ", row->swing);
    strbuf_put(b, "}");
  }
  strbuf_put(b, "]");
  const mc_sens_sobol *so = r->sobol;
  if (so) {
    strbuf_printf(b, ",\n \"sobol\": {\"base_samples\": %d, \"evaluations\": %zu, "
                  "\"ci\": {\"method\": \"percentile bootstrap over base rows\", "
                  "\"resamples\": %zu, \"level\": %g},\n  \"indices\": [",
               so->base_samples, (size_t)so->base_samples * (s->nparam + 2), so->resamples,
               so->level);
    for (size_t i = 0; i < s->nparam; i++) {
      strbuf_printf(b, "%s\n  {\"parameter\": ", i ? "," : "");
      strbuf_json_str(b, s->param[i].name);
      num17(b, ", \"first\": ", so->first[i]);
      num17(b, ", \"first_lo\": ", so->first_lo[i]);
      num17(b, ", \"first_hi\": ", so->first_hi[i]);
      num17(b, ", \"total\": ", so->total[i]);
      num17(b, ", \"total_lo\": ", so->total_lo[i]);
      num17(b, ", \"total_hi\": ", so->total_hi[i]);
      strbuf_put(b, "}");
    }
    strbuf_put(b, "]}");
  }
  strbuf_put(b, "}\n");
}

/* ---- the report's sections ---------------------------------------------------------- */

#define SENS_TORNADO_ROWS 15 /* largest swings drawn */

static void display_name(char *out, size_t size, const mc_sens_param *p) {
  snprintf(out, size, "%s%s%s", p->name, *p->unit ? " " : "", p->unit);
}

/* The tornado: for each parameter, a bar from the response at its low end to the
 * response at its high end, around the base response (a rule). */
static void tornado_doc(strbuf *b, const mc_sens *s, const mc_sens_result *r) {
  const mc_sens_oat *rows = r->rows;
  double base = r->base;
  size_t n = s->nparam < SENS_TORNADO_ROWS ? s->nparam : SENS_TORNADO_ROWS;
  char text[640];
  snprintf(text, sizeof text,
           "How the mean of %s moves when one parameter at a time goes from base x (1 - %g) "
           "to base x (1 + %g) (probabilities clipped to [0, 1]), the others at base: blue "
           "at the low end, orange at the high end, the %zu largest swings of %zu "
           "parameters (rates per day). %d replications per point with common random "
           "numbers; base %.4f (line). From `straits sensitivity` (docs/models.md, "
           "section 7).",
           r->metric, r->delta, r->delta, n, s->nparam, s->replications, base);
  strbuf_put(b, "{\"title\":\"Sensitivity: one at a time (tornado)\",\"text\":");
  strbuf_json_str(b, text);
  strbuf_printf(b, ",\"order\":70,\"vega\":{\"width\":480,\"height\":%zu,\"padding\":5,"
                    "\"signals\":[{\"name\":\"base\",\"value\":",
                 22 * (n ? n : 1));
  strbuf_json_num(b, base);
  strbuf_put(b, "}],\"data\":[{\"name\":\"t\",\"values\":[");
  for (size_t i = 0; i < n; i++) {
    const mc_sens_param *p = &s->param[rows[i].param];
    char name[200];
    display_name(name, sizeof name, p);
    strbuf_printf(b, "%s{\"rank\":%zu,\"name\":", i ? "," : "", i);
    strbuf_json_str(b, name);
    strbuf_put(b, ",\"lo\":");
    strbuf_json_num(b, rows[i].y_lo);
    strbuf_put(b, ",\"hi\":");
    strbuf_json_num(b, rows[i].y_hi);
    strbuf_put(b, ",\"range\":");
    char range[96];
    snprintf(range, sizeof range, "%.4g .. %.4g", p->lo * p->scale, p->hi * p->scale);
    strbuf_json_str(b, range);
    strbuf_put(b, "}");
  }
  strbuf_put(b,
      "]},{\"name\":\"ends\",\"source\":\"t\",\"transform\":[{\"type\":\"fold\","
      "\"fields\":[\"lo\",\"hi\"],\"as\":[\"end\",\"y\"]}]}],"
      "\"scales\":[{\"name\":\"row\",\"type\":\"band\",\"range\":\"height\","
      "\"padding\":0.25,\"domain\":{\"data\":\"t\",\"field\":\"name\",\"sort\":"
      "{\"field\":\"rank\",\"op\":\"min\"}}},"
      "{\"name\":\"x\",\"type\":\"linear\",\"range\":\"width\",\"nice\":true,"
      "\"zero\":false,\"domain\":{\"fields\":[{\"data\":\"ends\",\"field\":\"y\"},"
      "{\"signal\":\"[base]\"}]}},"
      "{\"name\":\"c\",\"type\":\"ordinal\",\"domain\":[\"lo\",\"hi\"],"
      "\"range\":[\"#4c78a8\",\"#f58518\"]}],"
      "\"axes\":[{\"orient\":\"top\",\"scale\":\"x\",\"title\":");
  strbuf_json_str(b, r->metric);
  strbuf_put(b,
      "},{\"orient\":\"left\",\"scale\":\"row\",\"labelLimit\":300,\"grid\":false}],"
      "\"marks\":[{\"type\":\"rect\",\"from\":{\"data\":\"ends\"},\"encode\":{\"enter\":{"
      "\"y\":{\"scale\":\"row\",\"field\":\"name\"},\"height\":{\"scale\":\"row\",\"band\":1},"
      "\"x\":{\"scale\":\"x\",\"signal\":\"base\"},\"x2\":{\"scale\":\"x\",\"field\":\"y\"},"
      "\"fill\":{\"scale\":\"c\",\"field\":\"end\"},\"fillOpacity\":{\"value\":0.85},"
      "\"tooltip\":{\"signal\":\"datum.name + ' over ' + datum.range + ': ' + "
      "format(datum.lo, '.3f') + ' .. ' + format(datum.hi, '.3f')\"}}}},"
      "{\"type\":\"rule\",\"encode\":{\"enter\":{\"x\":{\"scale\":\"x\",\"signal\":\"base\"},"
      "\"y\":{\"value\":0},\"y2\":{\"signal\":\"height\"},\"stroke\":{\"value\":\"#222\"}}}}]}}");
}

/* Sobol indices: first order and total, each with its bootstrap interval. */
static void sobol_doc(strbuf *b, const mc_sens *s, const mc_sens_result *r) {
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
  strbuf_put(b, "{\"title\":\"Sensitivity: Sobol indices\",\"text\":");
  strbuf_json_str(b, text);
  strbuf_printf(b, ",\"order\":71,\"vega\":{\"width\":480,\"height\":%zu,\"padding\":5,"
                    "\"data\":[{\"name\":\"s\",\"values\":[",
                 26 * (s->nparam ? s->nparam : 1));
  for (size_t i = 0; i < s->nparam; i++) {
    const double v[2][3] = {{so->first[i], so->first_lo[i], so->first_hi[i]},
                            {so->total[i], so->total_lo[i], so->total_hi[i]}};
    for (int k = 0; k < 2; k++) {
      strbuf_printf(b, "%s{\"rank\":%zu,\"index\":\"%s\",\"name\":", i || k ? "," : "", i,
                     k ? "total" : "first order");
      strbuf_json_str(b, s->param[i].name);
      strbuf_put(b, ",\"v\":");
      strbuf_json_num(b, v[k][0]);
      strbuf_put(b, ",\"lo\":");
      strbuf_json_num(b, v[k][1]);
      strbuf_put(b, ",\"hi\":");
      strbuf_json_num(b, v[k][2]);
      strbuf_put(b, "}");
    }
  }
  strbuf_put(b,
      "]}],"
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
      " + ' [' + format(datum.lo, '.3f') + ', ' + format(datum.hi, '.3f') + ']'\"}}}}]}}");
}

int mc_sens_store_docs(store *st, int64_t run_id, const mc_sens *s, const mc_sens_result *r,
                       diag *d) {
  strbuf b = STRBUF_INIT;
  tornado_doc(&b, s, r);
  int err = b.failed ? ERR_NOMEM
                     : store_doc_put(st, run_id, "report.section.spillover-4-tornado", b.s);
  if (!err && r->sobol) {
    b.len = 0;
    sobol_doc(&b, s, r);
    err = b.failed ? ERR_NOMEM
                   : store_doc_put(st, run_id, "report.section.spillover-5-sobol", b.s);
  }
  if (err)
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "cannot store the sensitivity: %s",
                err == ERR_NOMEM ? "out of memory" : store_errmsg(st));
  strbuf_release(&b);
  return err;
}
