/* mc_sens.c - one-at-a-time and Sobol sensitivity with common random numbers. */
#include "mc_sens.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>

#include "arena.h"
#include "crisis.h"
#include "err.h"
#include "metric.h"
#include "plan.h"
#include "rng.h"
#include "scn_escalation.h"
#include "sim.h"
#include "stats.h"

int mc_sens__eval_paths(mc_sens *s, const double *x, double *mean, double *se); /* mc_sens_path.c */

/* ---- parameters ------------------------------------------------------------------ */

enum { PARAM_PROB, PARAM_RATE, PARAM_FACTOR };

static int add_param(mc_sens *s, size_t *cap, double *target, double delta, int kind,
                     const char *fmt, const char *a, const char *b) {
  if (s->nparam == *cap) {
    size_t grown = *cap ? 2 * *cap : 16;
    mc_sens_param *p = realloc(s->param, grown * sizeof *p);
    if (!p) return ERR_NOMEM;
    s->param = p, *cap = grown;
  }
  mc_sens_param *p = &s->param[s->nparam++];
  memset(p, 0, sizeof *p);
  snprintf(p->name, sizeof p->name, fmt, a, b);
  p->target = target;
  p->scale = kind == PARAM_RATE ? 86400 : 1, p->unit = kind == PARAM_RATE ? "/d" : "";
  p->base = *target;
  p->lo = p->base * (1 - delta);
  p->hi = p->base * (1 + delta);
  if (kind == PARAM_PROB) p->lo = fmax(0, p->lo), p->hi = fmin(1, p->hi);
  return 0;
}

/* "after=senkaku-incident", "situation=armed_attack", "phase=respond", "task=patrol"
 * (an `after:` with all_of/any_of is named by its first event and "+"). */
static void factor_condition(char *dst, size_t size, const scn_scenario *sc,
                             const scn_esc_factor *fa) {
  switch (fa->cond) {
  case SCN_ESC_AFTER: {
    const scn_trigger *t = &fa->when;
    while ((t->kind == SCN_TRIG_ALL || t->kind == SCN_TRIG_ANY) && t->n) t = &t->sub[0];
    const char *first = t->kind == SCN_TRIG_EVENT ? sc->event[t->event].id : "time";
    snprintf(dst, size, "after=%s%s", first, fa->when.kind == SCN_TRIG_EVENT ? "" : "+");
    return;
  }
  case SCN_ESC_SITUATION:
    snprintf(dst, size, "situation=%s", scn_situation_name((scn_situation)fa->ref));
    return;
  case SCN_ESC_PHASE:
  case SCN_ESC_TASK:
    snprintf(dst, size, "%s=%s", fa->cond == SCN_ESC_PHASE ? "phase" : "task",
             fa->ref_id ? fa->ref_id : "?");
    return;
  }
  snprintf(dst, size, "?");
}

static int collect_params(mc_sens *s, double delta) {
  scn_scenario *sc = s->sc;
  size_t cap = 0;
  int rc;
  for (size_t e = 0; e < sc->nevent; e++) {
    scn_event *ev = &sc->event[e];
    /* An event with p = 1 and delta > 0 can only go down; keep it (it matters). */
    if (ev->parent >= 0 || ev->p <= 0) continue;
    /* Only a ladder level makes it occur, and then p plays no part. */
    if (ev->trigger.kind == SCN_TRIG_AT && isinf(ev->trigger.at)) continue;
    if ((rc = add_param(s, &cap, &ev->p, delta, PARAM_PROB, "event.%s.p%s", ev->id, "")))
      return rc;
  }
  scn_escalation *esc = sc->escalation;
  for (size_t t = 0; esc && t < esc->ntransition; t++) {
    scn_esc_transition *tr = &esc->transition[t];
    if (tr->rate <= 0 || tr->from < 0 || tr->to < 0) continue;
    if ((rc = add_param(s, &cap, &tr->rate, delta, PARAM_RATE, "rate.%s->%s",
                        esc->level[tr->from].id, esc->level[tr->to].id)))
      return rc;
  }
  /* The multipliers are assumptions too (how much an incident, a phase or a running
   * task changes a rate): each positive factor varies like the rest. */
  for (size_t t = 0; esc && t < esc->ntransition; t++) {
    scn_esc_transition *tr = &esc->transition[t];
    if (tr->rate <= 0 || tr->from < 0 || tr->to < 0) continue;
    for (size_t f = 0; f < tr->nfactor; f++) {
      scn_esc_factor *fa = &tr->factor[f];
      char edge[200], cond[200];
      if (!(fa->factor > 0)) continue;
      snprintf(edge, sizeof edge, "%s->%s", esc->level[tr->from].id, esc->level[tr->to].id);
      factor_condition(cond, sizeof cond, sc, fa);
      if ((rc = add_param(s, &cap, &fa->factor, delta, PARAM_FACTOR, "factor.%s.%s", edge, cond)))
        return rc;
    }
  }
  return 0;
}

int mc_sens_init(mc_sens *s, scn_scenario *sc, const char *metric, double delta,
                 int replications, const plan_authorities *table, diag *d) {
  memset(s, 0, sizeof *s);
  s->sc = sc;
  s->replications = replications;
  int rc = collect_params(s, delta);
  if (rc) return rc;
  /* The plan runs too when the scenario has one: the ladder's rates may follow its
   * legal situations, phases and tasks. */
  if (plan_scenario_uses(sc)) {
    if (!table) {
      if ((rc = plan_authorities_load(&s->own_table, plan_authorities_default_path(), d)))
        return rc;
      table = s->own_table;
    }
    s->table = table;
    plan_model *pm = NULL; /* checked once here, so an evaluation cannot fail on input */
    rc = plan_model_new(&pm, sc, table, NULL, d);
    plan_model_free(pm);
    if (rc) return rc;
  }
  metric_set ms;
  metric_set_init(&ms);
  crisis_model *m = NULL;
  if ((rc = crisis_model_new(&m, sc, &ms, d)) == 0) {
    const char *dot = strchr(metric, '.');
    char module[64] = "";
    if (dot && (size_t)(dot - metric) < sizeof module) {
      memcpy(module, metric, (size_t)(dot - metric));
      s->metric = metric_find(&ms, module, dot + 1);
    } else {
      s->metric = -1;
    }
    if (s->metric < 0) {
      diag_report(d, DIAG_ERROR, NULL, 0, 0,
                  "no crisis metric '%s' for this scenario (e.g. spillover.occurred needs a "
                  "region of kind 'territory'; crisis.<event>.occurred an event)", metric);
      rc = ERR_NOTFOUND;
    }
  }
  crisis_model_free(m);
  metric_set_release(&ms);
  return rc;
}

void mc_sens_free(mc_sens *s) {
  if (!s) return;
  free(s->param);
  free(s->overrides);
  free(s->sample_text);
  plan_authorities_free(s->own_table);
  memset(s, 0, sizeof *s);
}

int mc_sens_eval(mc_sens *s, const double *x, double *mean, double *se) {
  if (s->file) return mc_sens__eval_paths(s, x, mean, se);
  for (size_t i = 0; x && i < s->nparam; i++) *s->param[i].target = x[i];
  metric_set ms;
  metric_set_init(&ms);
  crisis_model *m = NULL;
  plan_model *pm = NULL;
  sim *sm = sim_new();
  arena a;
  arena_init(&a, (size_t)1 << 26);
  double sum = 0, sum2 = 0;
  long n = 0;
  int rc = sm ? crisis_model_new(&m, s->sc, &ms, NULL) : ERR_NOMEM;
  if (rc == 0 && s->table) rc = plan_model_new(&pm, s->sc, s->table, NULL, NULL);
  for (int r = 0; rc == 0 && r < s->replications; r++) {
    sim_reset(sm);
    arena_reset(&a);
    metric_out o;
    crisis *c;
    if ((rc = metric_out_init(&o, &ms, &a))) break;
    /* In mc.c's module order: the crisis first, so it hears every plan signal. */
    if (!(c = crisis_start(m, sm, &a, &o, s->sc->seed, (uint32_t)r)) ||
        (pm && !plan_start(pm, sm, &a, NULL, s->sc->seed, (uint32_t)r))) {
      rc = ERR_LIMIT;
      break;
    }
    if ((rc = sim_run(sm, s->sc->horizon))) break;
    crisis_collect(c, sm, &o);
    double v = o.value[s->metric];
    if (isnan(v)) continue;
    sum += v, sum2 += v * v, n++;
  }
  crisis_model_free(m);
  plan_model_free(pm);
  metric_set_release(&ms);
  arena_release(&a);
  sim_free(sm);
  for (size_t i = 0; x && i < s->nparam; i++) *s->param[i].target = s->param[i].base;
  s->evaluations++;
  *mean = n ? sum / (double)n : NAN;
  *se = n > 1 ? sqrt(fmax(0, (sum2 - (double)n * *mean * *mean) / (double)(n - 1)) / (double)n)
              : NAN;
  return rc;
}

/* ---- Sobol indices ------------------------------------------------------------------ */

typedef struct sampler {
  gsl_qrng *q;   /* Sobol sequence in 2k dimensions, or NULL */
  rng_stream r;  /* otherwise */
  size_t dim;
} sampler;

static void sample_row(sampler *sp, double *u) {
  if (sp->q) {
    gsl_qrng_get(sp->q, u);
    return;
  }
  for (size_t i = 0; i < sp->dim; i++) u[i] = rng_uniform(&sp->r);
}

/* The estimators over rows idx[0..n) of the stored evaluations (idx NULL: rows 0..n):
 * first[i], total[i] as in mc_sens.h.  fab is row-major, [n][k]. */
static void sobol_estimate(size_t k, size_t n, const double *fa, const double *fb,
                           const double *fab, const size_t *idx, double *first,
                           double *total) {
  double mean = 0, var = 0;
  for (size_t j = 0; j < n; j++) {
    size_t r = idx ? idx[j] : j;
    mean += fa[r] + fb[r];
  }
  mean /= (double)(2 * n);
  for (size_t j = 0; j < n; j++) {
    size_t r = idx ? idx[j] : j;
    var += (fa[r] - mean) * (fa[r] - mean) + (fb[r] - mean) * (fb[r] - mean);
  }
  var /= (double)(2 * n - 1);
  for (size_t i = 0; i < k; i++) {
    double sum_s = 0, sum_t = 0;
    for (size_t j = 0; j < n; j++) {
      size_t r = idx ? idx[j] : j;
      double a = fa[r], b = fb[r], ab = fab[r * k + i];
      sum_s += b * (ab - a);
      sum_t += (a - ab) * (a - ab);
    }
    first[i] = var > 0 ? sum_s / (double)n / var : NAN;
    total[i] = var > 0 ? sum_t / (2.0 * (double)n) / var : NAN;
  }
}

/* The q-quantile of v[0..n) (v is scratch afterwards), by the one definition
 * (stats.h: the nearest rank, so a bound is a resample's own estimate). */
static double quantile(double *v, size_t n, double q) { return stats_quantile(v, n, q); }

/* Percentile bootstrap over the base-sample rows: each resample draws n rows with
 * replacement (row j keeps its f(A), f(B) and f(AB_i) together) from one fixed stream,
 * so the interval is the same on every run. */
static int sobol_bootstrap(size_t k, size_t n, const double *fa, const double *fb,
                           const double *fab, uint64_t seed, mc_sobol_ci *ci) {
  size_t nb = ci->resamples;
  size_t *idx = malloc(n * sizeof *idx);
  double *bf = malloc(nb * k * sizeof *bf), *bt = malloc(nb * k * sizeof *bt);
  double *f1 = malloc(k * sizeof *f1), *t1 = malloc(k * sizeof *t1);
  double *col = malloc(nb * sizeof *col);
  int rc = 0;
  if (!idx || !bf || !bt || !f1 || !t1 || !col) {
    rc = ERR_NOMEM;
    goto done;
  }
  rng_stream r;
  rng_init(&r, seed, 0, RNG_MC, 0xB0075u);
  for (size_t b = 0; b < nb; b++) {
    for (size_t j = 0; j < n; j++) {
      size_t pick = (size_t)(rng_uniform(&r) * (double)n);
      idx[j] = pick < n ? pick : n - 1;
    }
    sobol_estimate(k, n, fa, fb, fab, idx, f1, t1);
    for (size_t i = 0; i < k; i++) bf[i * nb + b] = f1[i], bt[i * nb + b] = t1[i];
  }
  double alpha = 1 - ci->level;
  for (size_t i = 0; i < k; i++) {
    memcpy(col, &bf[i * nb], nb * sizeof *col);
    ci->first_lo[i] = quantile(col, nb, alpha / 2);
    memcpy(col, &bf[i * nb], nb * sizeof *col);
    ci->first_hi[i] = quantile(col, nb, 1 - alpha / 2);
    memcpy(col, &bt[i * nb], nb * sizeof *col);
    ci->total_lo[i] = quantile(col, nb, alpha / 2);
    memcpy(col, &bt[i * nb], nb * sizeof *col);
    ci->total_hi[i] = quantile(col, nb, 1 - alpha / 2);
  }
done:
  free(idx), free(bf), free(bt), free(f1), free(t1), free(col);
  return rc;
}

int mc_sobol(size_t k, size_t n, const double *lo, const double *hi, mc_sobol_fn f, void *ctx,
             uint64_t seed, double *first, double *total, mc_sobol_ci *ci) {
  if (k == 0 || n < 2) return ERR_USAGE;
  if (ci && (ci->resamples < 2 || !(ci->level > 0 && ci->level < 1))) return ERR_USAGE;
  if (n > SIZE_MAX / sizeof(double) / (k + 2)) return ERR_NOMEM;
  sampler sp = {.dim = 2 * k};
  if (2 * k <= 40) sp.q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * k));
  else rng_init(&sp.r, seed, 0, RNG_MC, 0x50B01u);
  double *u = malloc(2 * k * sizeof *u), *xa = malloc(k * sizeof *xa),
         *xb = malloc(k * sizeof *xb), *xab = malloc(k * sizeof *xab);
  double *fa = malloc(n * sizeof *fa), *fb = malloc(n * sizeof *fb);
  double *fab = malloc(n * k * sizeof *fab); /* kept for the bootstrap */
  int rc = 0;
  if ((2 * k <= 40 && !sp.q) || !u || !xa || !xb || !xab || !fa || !fb || !fab) {
    rc = ERR_NOMEM;
    goto done;
  }
  if (sp.q) sample_row(&sp, u); /* skip the sequence's first point (all zeros) */
  for (size_t j = 0; j < n && rc == 0; j++) {
    sample_row(&sp, u);
    for (size_t i = 0; i < k; i++) {
      xa[i] = lo[i] + (hi[i] - lo[i]) * u[i];
      xb[i] = lo[i] + (hi[i] - lo[i]) * u[k + i];
    }
    if ((rc = f(xa, &fa[j], ctx)) || (rc = f(xb, &fb[j], ctx))) break;
    for (size_t i = 0; i < k; i++) {
      memcpy(xab, xa, k * sizeof *xab);
      xab[i] = xb[i];
      if ((rc = f(xab, &fab[j * k + i], ctx))) break;
    }
  }
  if (rc) goto done;
  sobol_estimate(k, n, fa, fb, fab, NULL, first, total);
  if (ci) rc = sobol_bootstrap(k, n, fa, fb, fab, seed, ci);
done:
  if (sp.q) gsl_qrng_free(sp.q);
  free(u), free(xa), free(xb), free(xab), free(fa), free(fb), free(fab);
  return rc;
}

/* ---- one at a time (tornado) -------------------------------------------------------- */

static int swing_cmp(const void *a, const void *b) {
  const mc_sens_oat *x = a, *y = b;
  if (x->swing != y->swing) return x->swing < y->swing ? 1 : -1;
  return x->param < y->param ? -1 : x->param > y->param;
}

int mc_sens_tornado(mc_sens *s, mc_sens_oat *rows) {
  double se, *x = calloc(s->nparam + 1, sizeof *x);
  int rc = 0;
  if (!x) return ERR_NOMEM;
  for (size_t i = 0; i < s->nparam; i++) x[i] = s->param[i].base;
  for (size_t i = 0; i < s->nparam && !rc; i++) {
    rows[i].param = i;
    x[i] = s->param[i].lo;
    if ((rc = mc_sens_eval(s, x, &rows[i].y_lo, &se))) break;
    x[i] = s->param[i].hi;
    if ((rc = mc_sens_eval(s, x, &rows[i].y_hi, &se))) break;
    x[i] = s->param[i].base;
    rows[i].swing = fabs(rows[i].y_hi - rows[i].y_lo);
  }
  free(x);
  if (!rc) qsort(rows, s->nparam, sizeof *rows, swing_cmp);
  return rc;
}
