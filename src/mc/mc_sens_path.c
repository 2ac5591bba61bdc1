/* mc_sens_path.c - sensitivity over any scalar scenario path (issue 19 item 3): each
 * sample is a `--set` override, the scenario is reloaded with it and every model runs.
 *
 * Reloading is the one way a value reaches every place that reads it (a delay's median
 * is checked and turned into a distribution by the loader, a branch's p is checked
 * against its siblings', a count sizes a fleet), so no model needs to expose its
 * fields to the study.  The seed and the replication indices are the same at every
 * point: common random numbers, as in the crisis mode (mc_sens.h). */
#include "mc_sens.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mc.h"
#include "metric.h"
#include "ops.h"
#include "quantity.h"
#include "store.h"

int mc_sens__eval_paths(mc_sens *s, const double *x, double *mean, double *se);

/* ---- the ranges ------------------------------------------------------------------- */

/* Split "12h" into the number 12 and the unit "h"; 0, or -1 when it is no number. */
static int split_bound(const char *text, size_t len, double *number, char *unit, size_t unit_size,
                       int *whole) {
  char buf[64];
  if (len == 0 || len >= sizeof buf) return -1;
  memcpy(buf, text, len);
  buf[len] = '\0';
  char *end;
  *number = strtod(buf, &end);
  if (end == buf || !isfinite(*number)) return -1;
  *whole = strcspn(buf, ".eE") >= (size_t)(end - buf);
  if (strlen(end) >= unit_size) return -1;
  snprintf(unit, unit_size, "%s", end);
  return 0;
}

static int range_error(diag *d, const char *text, const char *why) {
  diag_report(d, DIAG_ERROR, NULL, 0, 0, "--vary '%s': %s", text, why);
  return ERR_INPUT;
}

/* "PATH=LO:HI" into p: lo, hi in SI (by the quantity parser, so "12h:2d" is refused
 * only for its mixed units), the unit the range was written in for display. */
static int parse_range(mc_sens_param *p, const char *text, diag *d) {
  const char *eq = strchr(text, '='), *colon = eq ? strchr(eq, ':') : NULL;
  if (!eq || eq == text || !colon)
    return range_error(d, text,
                       "expected PATH=LO:HI (e.g. "
                       "situations.changes.recognise-iis.cabinet.median=12h:48h)");
  size_t path_len = (size_t)(eq - text);
  if (path_len >= sizeof p->name || path_len + 80 >= MC_SENS_TEXT)
    return range_error(d, text, "the path is too long");
  double nlo, nhi;
  char ulo[16], uhi[16];
  int wlo, whi;
  if (split_bound(eq + 1, (size_t)(colon - eq - 1), &nlo, ulo, sizeof ulo, &wlo) ||
      split_bound(colon + 1, strlen(colon + 1), &nhi, uhi, sizeof uhi, &whi))
    return range_error(d, text, "LO and HI must be numbers with the field's unit (12h:48h)");
  if (strcmp(ulo, uhi) != 0)
    return range_error(d, text, "LO and HI must be written in the same unit");
  if (!(nlo < nhi)) return range_error(d, text, "LO must be below HI");
  char why[160], lo_text[64], hi_text[64];
  qty_kind klo, khi;
  snprintf(lo_text, sizeof lo_text, "%.*s", (int)(colon - eq - 1), eq + 1);
  snprintf(hi_text, sizeof hi_text, "%s", colon + 1);
  if (qty_parse_any(&p->lo, &klo, lo_text, why, sizeof why) ||
      qty_parse_any(&p->hi, &khi, hi_text, why, sizeof why))
    return range_error(d, text, why);
  memcpy(p->name, text, path_len);
  p->name[path_len] = '\0';
  p->path = p->name;
  snprintf(p->unit_text, sizeof p->unit_text, "%s", ulo);
  snprintf(p->si_unit, sizeof p->si_unit, "%s",
           klo == QTY_NUMBER ? "1" : (klo == QTY_DURATION ? "s" : ""));
  if (!*p->si_unit) { /* the SI unit of its kind, as quantity.h names them */
    static const char *const si[] = {
#define QTY__SI(name, str, unit) unit,
        QTY_MAP(QTY__SI)
#undef QTY__SI
    };
    snprintf(p->si_unit, sizeof p->si_unit, "%s", si[klo]);
  }
  p->unit = p->unit_text;
  p->scale = nlo != 0 ? nlo / p->lo : nhi / p->hi; /* SI -> the range's unit */
  p->base = NAN;                                   /* the scenario's own value: not read here */
  const char *key = strrchr(p->name, '.');
  p->whole = wlo && whi && klo == QTY_NUMBER && strcmp(key ? key + 1 : p->name, "p") != 0;
  return 0;
}

/* ---- one evaluation ----------------------------------------------------------------- */

/* The override for parameter i at SI value v, written in the range's unit. */
static const char *sample_override(mc_sens *s, size_t i, double v) {
  const mc_sens_param *p = &s->param[i];
  char *t = s->sample_text + i * MC_SENS_TEXT;
  double shown = v * p->scale;
  if (p->whole) shown = round(shown);
  /* The shortest digits that read back as the same double: "0.1", not
   * "0.10000000000000001", so an error quotes the value as the user wrote it. */
  char num[40];
  for (int digits = 15; digits <= 17; digits++) {
    snprintf(num, sizeof num, "%.*g", digits, shown);
    if (strtod(num, NULL) == shown) break;
  }
  snprintf(t, MC_SENS_TEXT, "%s=%s%s", p->path, num, p->unit_text);
  return t;
}

static int load_with(scn_scenario **sc, mc_sens *s, const double *x, diag *d) {
  size_t n = s->nbase;
  for (size_t i = 0; x && i < s->nparam; i++)
    if (!isnan(x[i])) s->overrides[n++] = sample_override(s, i, x[i]);
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  opt.overrides = s->overrides;
  opt.noverrides = n;
  return scn_load(sc, s->file, &opt, d);
}

/* The metric's index in ms ("module.name"), or -1. */
static int find_metric(const metric_set *ms, const char *metric) {
  const char *dot = strchr(metric, '.');
  char module[64];
  if (!dot || (size_t)(dot - metric) >= sizeof module) return -1;
  memcpy(module, metric, (size_t)(dot - metric));
  module[dot - metric] = '\0';
  return metric_find(ms, module, dot + 1);
}

int mc_sens__eval_paths(mc_sens *s, const double *x, double *mean, double *se) {
  scn_scenario *sc = NULL;
  store *st = NULL;
  mc_result *res = NULL;
  *mean = *se = NAN;
  int rc = load_with(&sc, s, x, s->d);
  if (rc == 0) rc = store_open(&st, ":memory:", s->d);
  if (rc == 0) {
    mc_options opt = MC_OPTIONS_INIT;
    opt.threads = s->threads;
    opt.replications = s->replications;
    opt.batch = s->replications;
    opt.version = "sensitivity";
    rc = mc_run(&res, sc, &opt, st, s->d);
  }
  if (rc == 0) {
    int i = s->metric;
    const stats_summary *sum = &res->summary[i];
    *mean = sum->n ? sum->mean : NAN;
    *se = sum->n > 1 ? sum->sd / sqrt((double)sum->n) : NAN;
  }
  mc_result_free(res);
  store_close(st);
  scn_free(sc);
  s->evaluations++;
  return rc;
}

/* ---- setting up ------------------------------------------------------------------- */

/* "no metric 'x'": the nearest full name, for "did you mean". */
static void unknown_metric(diag *d, const metric_set *ms, const char *metric) {
  enum { MAX_NAMES = 4096 };
  char(*names)[160] = calloc(ms->n < MAX_NAMES ? ms->n : MAX_NAMES, sizeof *names);
  const char **cand = calloc(ms->n < MAX_NAMES ? ms->n : MAX_NAMES, sizeof *cand);
  size_t n = 0;
  for (size_t i = 0; names && cand && i < ms->n && n < MAX_NAMES; i++, n++) {
    snprintf(names[n], sizeof names[n], "%s.%s", ms->def[i].module, ms->def[i].name);
    cand[n] = names[n];
  }
  const char *hint = cand ? diag_suggest(metric, cand, n) : NULL;
  if (hint)
    diag_report(d, DIAG_ERROR, NULL, 0, 0,
                "no metric '%s' in this scenario's models (did "
                "you mean '%s'?)",
                metric, hint);
  else
    diag_report(d, DIAG_ERROR, NULL, 0, 0,
                "no metric '%s' in this scenario's models "
                "('straits run --json' lists them)",
                metric);
  free(names);
  free(cand);
}

/* Load both ends once (every parameter at its low end, then at its high end), so a
 * value the scenario refuses is reported before any evaluation runs. */
static int check_ends(mc_sens *s, diag *d) {
  double *x = malloc(s->nparam * sizeof *x);
  int rc = x ? 0 : ERR_NOMEM;
  for (int end = 0; end < 2 && rc == 0; end++) {
    for (size_t i = 0; i < s->nparam; i++) x[i] = end ? s->param[i].hi : s->param[i].lo;
    scn_scenario *sc = NULL;
    rc = load_with(&sc, s, x, d);
    scn_free(sc);
    if (rc < 0)
      diag_report(d, DIAG_NOTE, NULL, 0, 0, "with every --vary path at the %s end of its range",
                  end ? "high" : "low");
  }
  free(x);
  return rc < 0 ? ERR_INPUT : rc;
}

int mc_sens_init_paths(mc_sens *s, const char *file, const char *const *base, size_t nbase,
                       const char *const *vary, size_t nvary, const char *metric, int replications,
                       int threads, diag *d) {
  memset(s, 0, sizeof *s);
  s->file = file;
  s->nbase = nbase;
  s->replications = replications;
  s->threads = threads;
  s->d = d;
  s->param = calloc(nvary ? nvary : 1, sizeof *s->param);
  s->overrides = calloc(nbase + nvary + 1, sizeof *s->overrides);
  s->sample_text = calloc(nvary ? nvary : 1, MC_SENS_TEXT);
  if (!s->param || !s->overrides || !s->sample_text) return ERR_NOMEM;
  for (size_t i = 0; i < nbase; i++) s->overrides[i] = base[i];
  int rc = 0;
  for (size_t i = 0; i < nvary; i++)
    if (parse_range(&s->param[s->nparam], vary[i], d) == 0)
      s->nparam++;
    else
      rc = ERR_INPUT; /* every bad range in one pass */
  if (rc) return rc;
  if ((rc = check_ends(s, d))) return rc;
  scn_scenario *sc = NULL;
  if ((rc = load_with(&sc, s, NULL, d))) return rc < 0 ? ERR_INPUT : rc;
  metric_set ms;
  rc = mc_define_metrics(&ms, sc, d);
  if (rc == 0 && (s->metric = find_metric(&ms, metric)) < 0) {
    unknown_metric(d, &ms, metric);
    rc = ERR_NOTFOUND;
  }
  metric_set_release(&ms);
  scn_free(sc);
  return rc;
}
