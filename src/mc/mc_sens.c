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
#include "rng.h"
#include "scn_escalation.h"
#include "sim.h"

/* ---- parameters ------------------------------------------------------------------ */

static int add_param(mc_sens *s, size_t *cap, double *target, double delta, int is_prob,
                     const char *fmt, const char *a, const char *b) {
  if (s->nparam == *cap) {
    size_t grown = *cap ? 2 * *cap : 16;
    mc_sens_param *p = realloc(s->param, grown * sizeof *p);
    if (!p) return ERR_NOMEM;
    s->param = p, *cap = grown;
  }
  mc_sens_param *p = &s->param[s->nparam++];
  snprintf(p->name, sizeof p->name, fmt, a, b);
  p->target = target;
  p->scale = is_prob ? 1 : 86400, p->unit = is_prob ? "" : "/d";
  p->base = *target;
  p->lo = p->base * (1 - delta);
  p->hi = p->base * (1 + delta);
  if (is_prob) p->lo = fmax(0, p->lo), p->hi = fmin(1, p->hi);
  return 0;
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
    if ((rc = add_param(s, &cap, &ev->p, delta, 1, "event.%s.p%s", ev->id, ""))) return rc;
  }
  scn_escalation *esc = sc->escalation;
  for (size_t t = 0; esc && t < esc->ntransition; t++) {
    scn_esc_transition *tr = &esc->transition[t];
    if (tr->rate <= 0 || tr->from < 0 || tr->to < 0) continue;
    if ((rc = add_param(s, &cap, &tr->rate, delta, 0, "rate.%s->%s", esc->level[tr->from].id,
                        esc->level[tr->to].id)))
      return rc;
  }
  return 0;
}

int mc_sens_init(mc_sens *s, scn_scenario *sc, const char *metric, double delta,
                 int replications, diag *d) {
  memset(s, 0, sizeof *s);
  s->sc = sc;
  s->replications = replications;
  int rc = collect_params(s, delta);
  if (rc) return rc;
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
  memset(s, 0, sizeof *s);
}

int mc_sens_eval(mc_sens *s, const double *x, double *mean, double *se) {
  for (size_t i = 0; x && i < s->nparam; i++) *s->param[i].target = x[i];
  metric_set ms;
  metric_set_init(&ms);
  crisis_model *m = NULL;
  sim *sm = sim_new();
  arena a;
  arena_init(&a, (size_t)1 << 26);
  double sum = 0, sum2 = 0;
  long n = 0;
  int rc = sm ? crisis_model_new(&m, s->sc, &ms, NULL) : ERR_NOMEM;
  for (int r = 0; rc == 0 && r < s->replications; r++) {
    sim_reset(sm);
    arena_reset(&a);
    metric_out o;
    crisis *c;
    if ((rc = metric_out_init(&o, &ms, &a))) break;
    if (!(c = crisis_start(m, sm, &a, &o, s->sc->seed, (uint32_t)r))) {
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

int mc_sobol(size_t k, size_t n, const double *lo, const double *hi, mc_sobol_fn f, void *ctx,
             uint64_t seed, double *first, double *total) {
  if (k == 0 || n < 2) return ERR_USAGE;
  sampler sp = {.dim = 2 * k};
  if (2 * k <= 40) sp.q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * k));
  else rng_init(&sp.r, seed, 0, RNG_MC, 0x50B01u);
  double *u = malloc(2 * k * sizeof *u), *xa = malloc(k * sizeof *xa),
         *xb = malloc(k * sizeof *xb), *xab = malloc(k * sizeof *xab);
  double *fa = malloc(n * sizeof *fa), *fb = malloc(n * sizeof *fb);
  double *sum_s = calloc(k, sizeof *sum_s), *sum_t = calloc(k, sizeof *sum_t);
  int rc = 0;
  if ((2 * k <= 40 && !sp.q) || !u || !xa || !xb || !xab || !fa || !fb || !sum_s || !sum_t) {
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
      double fab;
      memcpy(xab, xa, k * sizeof *xab);
      xab[i] = xb[i];
      if ((rc = f(xab, &fab, ctx))) break;
      sum_s[i] += fb[j] * (fab - fa[j]);
      sum_t[i] += (fa[j] - fab) * (fa[j] - fab);
    }
  }
  if (rc) goto done;
  double mean = 0, var = 0;
  for (size_t j = 0; j < n; j++) mean += fa[j] + fb[j];
  mean /= (double)(2 * n);
  for (size_t j = 0; j < n; j++)
    var += (fa[j] - mean) * (fa[j] - mean) + (fb[j] - mean) * (fb[j] - mean);
  var /= (double)(2 * n - 1);
  for (size_t i = 0; i < k; i++) {
    first[i] = var > 0 ? sum_s[i] / (double)n / var : NAN;
    total[i] = var > 0 ? sum_t[i] / (2.0 * (double)n) / var : NAN;
  }
done:
  if (sp.q) gsl_qrng_free(sp.q);
  free(u), free(xa), free(xb), free(xab), free(fa), free(fb), free(sum_s), free(sum_t);
  return rc;
}
