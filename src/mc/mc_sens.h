/* mc_sens.h - sensitivity of a crisis response (spillover probability by default) to
 * the scenario's uncertain inputs: one-at-a-time ranges (tornado) and variance-based
 * Sobol indices (Saltelli/Jansen estimators), with common random numbers.
 *
 * Parameters are the crisis events' probabilities p (events with a trigger of their
 * own; branch shares are left alone so they keep summing to at most 1; an event only
 * a ladder level makes occur has no p that matters), the escalation
 * ladder's base rates, and its rate multipliers' positive factors (named
 * "factor.<from>-><to>.<condition>", e.g. "factor.coercion->senkaku-clash.task=
 * inspect-north").  Each varies over [base * (1 - delta), base * (1 + delta)]
 * (probabilities clipped to [0, 1]).
 *
 * One evaluation of the response sets the parameters on the scenario, runs
 * replications 0..R-1 of the crisis model and, when the scenario has `situations:` or
 * `plan:`, the plan module after it (as mc.c orders them; no store), and averages the
 * metric.  So ladder multipliers that wait for a legal situation, a plan phase or a
 * running task see what they see in `straits run`; sites closed by the other missions
 * (logistics, SAR, inspection, which do not run here) do not count as spillover.
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
#include "jdoc.h"
#include "diag.h"
#include "scenario.h"

typedef struct plan_authorities plan_authorities; /* plan.h */
typedef struct store store;                       /* store.h */

typedef struct mc_sens_param {
  char name[160];   /* "event.strikes-on-taiwan.p", "rate.gray-zone->enforcement",
                       "factor.gray-zone->enforcement.after=flotilla" (truncated) */
  double *target;   /* the scenario field it sets */
  double base, lo, hi;  /* SI (rates in 1/s) */
  double scale;         /* display: value * scale in `unit` (rates per day) */
  const char *unit;     /* "" or "/d"; a path's: the unit its range was written in */
  /* A scenario path varied through overrides (mc_sens_init_paths), else NULL: */
  const char *path;     /* "situations.changes.recognise-iis.cabinet.median" */
  char unit_text[16];   /* "h" in "12h:48h", "" for a plain number */
  char si_unit[8];      /* "s", "1" ...: the unit of base, lo, hi */
  int whole;            /* a range of whole numbers (a count): sampled values rounded */
} mc_sens_param;

typedef struct mc_sens {
  scn_scenario *sc;
  size_t nparam;
  mc_sens_param *param;
  int metric;          /* index in the crisis model's registry */
  int replications;    /* R per evaluation */
  long evaluations;    /* counted */
  const plan_authorities *table; /* the plan's table, or NULL: no plan to run */
  plan_authorities *own_table;   /* loaded here when the caller gave none */
  /* Path mode (mc_sens_init_paths): each evaluation reloads the scenario file with
   * the base overrides and one `PATH=value` per parameter, and runs every model. */
  const char *file;              /* the scenario file, or NULL: the crisis mode above */
  const char **overrides;        /* [nbase + nparam]: the base ones, then the samples */
  size_t nbase;
  char *sample_text;             /* [nparam][MC_SENS_TEXT]: the samples' "PATH=value" */
  int threads;                   /* mc_options.threads for each evaluation */
  diag *d;                       /* borrowed: where an evaluation's errors go */
} mc_sens;

#define MC_SENS_TEXT 320 /* one "PATH=value" override */

/* Collect the parameters and find the response metric ("module.name", e.g.
 * "spillover.occurred").  ERR_NOTFOUND (message in d) when the metric is unknown.
 * table: the legal authorities for a scenario with a plan (borrowed; NULL: the shipped
 * table is read); an error in the plan against it is ERR_INPUT (in d). */
int mc_sens_init(mc_sens *s, scn_scenario *sc, const char *metric, double delta,
                 int replications, const plan_authorities *table, diag *d);
void mc_sens_free(mc_sens *s);

/* Path mode (issue 19 item 3): the parameters are scenario paths with ranges,
 * vary[i] = "PATH=LO:HI" ("situations.changes.recognise-iis.cabinet.median=12h:48h",
 * "crisis.events.prc-response.branches.blockade.p=0.2:0.5", "forces.us-take.count=1:3"),
 * LO and HI in one unit (any the scenario's fields take).  An evaluation sets each
 * parameter as a `--set` override on top of base[0..nbase), reloads `file` and runs
 * every model the scenario uses (mc_run, replications 0..R-1, an in-memory store), so
 * the response may be any metric of any model ("module.name").  A parameter whose x is
 * NaN is left at the scenario's own value (its base, unknown here: base is NaN), which
 * is how the tornado holds the others.  Ranges of whole numbers are sampled in whole
 * numbers unless the key is `p`.  Both ends are loaded once here, so a value the
 * scenario refuses is an error now (ERR_INPUT, in d), not in the middle of a study.
 * d is kept for the evaluations' errors. */
int mc_sens_init_paths(mc_sens *s, const char *file, const char *const *base, size_t nbase,
                       const char *const *vary, size_t nvary, const char *metric,
                       int replications, int threads, diag *d);

/* The mean response with parameters x[0..nparam) (NULL: the base values); the
 * scenario is restored afterwards.  se: standard error over the replications. */
int mc_sens_eval(mc_sens *s, const double *x, double *mean, double *se);

/* One row of the one-at-a-time study (tornado): the mean response with parameter
 * `param` at its low and at its high end, the others at base, and the swing
 * |y_hi - y_lo|. */
typedef struct mc_sens_oat {
  size_t param;
  double y_lo, y_hi, swing;
} mc_sens_oat;

/* rows[0..nparam): every parameter one at a time (2 nparam evaluations), largest
 * swing first (ties: parameter order). */
int mc_sens_tornado(mc_sens *s, mc_sens_oat *rows);

/* Sobol indices with their bootstrap intervals (mc_sobol below), [nparam] each. */
typedef struct mc_sens_sobol {
  double *first, *total, *first_lo, *first_hi, *total_lo, *total_hi;
  size_t resamples;
  double level;
  int base_samples; /* N: N (nparam + 2) evaluations */
} mc_sens_sobol;

/* What a study found, for its JSON and its report sections (mc_sens_docs.c). */
typedef struct mc_sens_result {
  const char *metric;         /* the response, "module.name" */
  double delta;               /* the ranges' relative half-width */
  double base;                /* the mean response at the base values */
  const mc_sens_oat *rows;    /* [nparam], as mc_sens_tornado orders them */
  const mc_sens_sobol *sobol; /* NULL: not asked for */
} mc_sens_result;

/* The study as the JSON `straits sensitivity --json` writes (null for a number it
 * has none for), a tree for jdoc_dump (jdoc.h: 9 significant digits; the --csv file
 * has every digit); NULL when out of memory. */
json_t *mc_sens_json(const mc_sens *s, const mc_sens_result *r);
/* The report's sections, stored with run_id: "report.section.spillover-4-tornado"
 * (the 15 largest swings) and, with Sobol indices, -5-sobol.  Errors
 * in d. */
int mc_sens_store_docs(store *st, int64_t run_id, const mc_sens *s, const mc_sens_result *r,
                       diag *d);

/* ---- generic Sobol indices --------------------------------------------------------
 * f maps a point x[0..k) to a response.  Inputs are independent uniforms on
 * [lo[i], hi[i]].  Saltelli's scheme: matrices A and B (N rows, from a Sobol
 * low-discrepancy sequence in 2k dimensions for k <= 20, else Philox uniforms keyed by
 * seed), and AB_i = A with column i from B; N (k + 2) evaluations.  First order by
 * Saltelli et al. (2010), S_i = mean(f(B) (f(AB_i) - f(A))) / V; total by Jansen
 * (1999), T_i = mean((f(A) - f(AB_i))^2) / (2 V); V the variance of f over A and B.
 *
 * Confidence intervals (ci not NULL): percentile bootstrap over the N base-sample
 * rows (Archer, Saltelli and Sobol 1997; Efron and Tibshirani 1993): `resamples`
 * times, draw N rows with replacement (a row keeps its f(A), f(B), f(AB_1..k)),
 * recompute V, S_i and T_i; the interval is the (1 - level)/2 and (1 + level)/2
 * quantiles.  The rows are drawn from one fixed stream (seed, RNG_MC), so the
 * intervals are reproducible.  docs/models.md section 7 has the derivation. */
typedef int (*mc_sobol_fn)(const double *x, double *y, void *ctx);

typedef struct mc_sobol_ci {
  size_t resamples;  /* bootstrap resamples, >= 2 (MC_SOBOL_CI_INIT: 1000) */
  double level;      /* in (0, 1) (0.95) */
  double *first_lo, *first_hi, *total_lo, *total_hi; /* [k], the caller's, written */
} mc_sobol_ci;

#define MC_SOBOL_CI_INIT {1000, 0.95, NULL, NULL, NULL, NULL}

/* first, total: [k], written.  ci: NULL for point estimates only.  Returns 0,
 * ERR_USAGE (k = 0, n < 2, a bad ci), ERR_NOMEM, or f's first error. */
int mc_sobol(size_t k, size_t n, const double *lo, const double *hi, mc_sobol_fn f, void *ctx,
             uint64_t seed, double *first, double *total, mc_sobol_ci *ci);

#endif
