/* mc_sens.h - sensitivity of a crisis response (spillover probability by default) to
 * the scenario's uncertain inputs: one-at-a-time ranges (tornado) and variance-based
 * Sobol indices (Saltelli/Jansen estimators), with common random numbers.
 *
 * Parameters are the crisis events' probabilities p (events with a trigger of their
 * own; branch shares are left alone so they keep summing to at most 1; an event only
 * a ladder level makes occur has no p that matters) and the escalation
 * ladder's base rates.  Each varies over [base * (1 - delta), base * (1 + delta)]
 * (probabilities clipped to [0, 1]).
 *
 * One evaluation of the response sets the parameters on the scenario, runs
 * replications 0..R-1 of the crisis model alone (sim + crisis, no store) and averages
 * the metric.  So a ladder multiplier that waits for a legal situation sees only the
 * situations crisis events raise, not those of the plan's situation model, and
 * sites closed by other modules do not count as spillover here.
 * Every evaluation uses the same seed and replication indices, so each event and
 * level draws from the same streams at every parameter point (common random
 * numbers): differences between points are mostly the parameters' effect.
 *
 * The scenario is modified while an evaluation runs and restored after; it must not
 * be shared with another thread meanwhile. */
#ifndef STRAITS_MC_SENS_H
#define STRAITS_MC_SENS_H

#include <stddef.h>
#include <stdint.h>
#include "diag.h"
#include "scenario.h"

typedef struct mc_sens_param {
  char name[160];   /* "event.strikes-on-taiwan.p", "rate.gray-zone->enforcement" */
  double *target;   /* the scenario field it sets */
  double base, lo, hi;  /* SI (rates in 1/s) */
  double scale;         /* display: value * scale in `unit` (rates per day) */
  const char *unit;     /* "" or "/d" */
} mc_sens_param;

typedef struct mc_sens {
  scn_scenario *sc;
  size_t nparam;
  mc_sens_param *param;
  int metric;          /* index in the crisis model's registry */
  int replications;    /* R per evaluation */
  long evaluations;    /* counted */
} mc_sens;

/* Collect the parameters and find the response metric ("module.name", e.g.
 * "spillover.occurred").  ERR_NOTFOUND (message in d) when the metric is unknown. */
int mc_sens_init(mc_sens *s, scn_scenario *sc, const char *metric, double delta,
                 int replications, diag *d);
void mc_sens_free(mc_sens *s);

/* The mean response with parameters x[0..nparam) (NULL: the base values); the
 * scenario is restored afterwards.  se: standard error over the replications. */
int mc_sens_eval(mc_sens *s, const double *x, double *mean, double *se);

/* ---- generic Sobol indices --------------------------------------------------------
 * f maps a point x[0..k) to a response.  Inputs are independent uniforms on
 * [lo[i], hi[i]].  Saltelli's scheme: matrices A and B (N rows, from a Sobol
 * low-discrepancy sequence in 2k dimensions for k <= 20, else Philox uniforms keyed by
 * seed), and AB_i = A with column i from B; N (k + 2) evaluations.  First order by
 * Saltelli et al. (2010), S_i = mean(f(B) (f(AB_i) - f(A))) / V; total by Jansen
 * (1999), T_i = mean((f(A) - f(AB_i))^2) / (2 V); V the variance of f over A and B. */
typedef int (*mc_sobol_fn)(const double *x, double *y, void *ctx);

int mc_sobol(size_t k, size_t n, const double *lo, const double *hi, mc_sobol_fn f, void *ctx,
             uint64_t seed, double *first, double *total);

#endif
