/* sweep.c - run a design over scenario overrides point by point (sweep.h): the design
 * (full factorial or Latin hypercube), one mc_run per point, and the sweep's rows in
 * the store. */
#include "sweep.h"
#include "ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "hash.h"
#include "mc_docs.h"
#include "mc_objectives.h"
#include "quantity.h"
#include "rng.h"

#define SWEEP_RNG_DESIGN 1 /* rng purpose: the Latin hypercube's permutations */

/* The SI unit written after a sampled value, so the override parses as the kind. */
static const char *si_unit(qty_kind k) {
  switch (k) {
  case QTY_DURATION: return "s";
  case QTY_LENGTH: return "m";
  case QTY_SPEED: return "m/s";
  case QTY_MASS: return "kg";
  case QTY_VOLUME: return "m3";
  case QTY_FREQUENCY: return "/s";
  case QTY_MASS_RATE: return "kg/s";
  case QTY_VOLUME_RATE: return "m3/s";
  default: return "";
  }
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* "path=value" in one malloc'd string. */
static char *make_set(const char *path, const char *value) {
  size_t a = strlen(path), b = strlen(value);
  char *s = malloc(a + b + 2);
  if (s) {
    memcpy(s, path, a);
    s[a] = '=';
    memcpy(s + a + 1, value, b + 1);
  }
  return s;
}

/* Latin hypercube position of each point for one factor: u[i] in (0, 1), exactly one
 * point in each stratum [k/n, (k+1)/n).  Permutation (Fisher-Yates), then jitter,
 * from one stream keyed by (seed, factor), so adding a factor leaves the others. */
static void lhs_column(double *u, int *perm, int n, uint64_t seed, uint32_t factor) {
  rng_stream r;
  rng_init(&r, seed, factor, RNG_MC, SWEEP_RNG_DESIGN);
  for (int i = 0; i < n; i++)
    perm[i] = i;
  for (int i = n - 1; i > 0; i--) {
    int j = (int)(rng_uniform(&r) * (double)(i + 1));
    if (j > i)
      j = i; /* rng_uniform < 1, but stay safe against rounding */
    int t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  for (int i = 0; i < n; i++)
    u[i] = ((double)perm[i] + rng_uniform(&r)) / (double)n;
}

int mc_sweep_design(char ***out, const scn_sweep *sw, diag *d) {
  const int n = sw->points;
  const size_t nf = sw->nfactor;
  char **set = calloc((size_t)n * nf + 1, sizeof *set);
  double *u = malloc((size_t)n * sizeof *u);
  int *perm = malloc((size_t)n * sizeof *perm);
  int err = 0;
  *out = NULL;
  if (!set || !u || !perm)
    goto nomem;
  for (size_t f = 0; f < nf; f++) {
    const scn_factor *fa = &sw->factor[f];
    if (sw->design == SCN_DESIGN_LHS)
      lhs_column(u, perm, n, sw->seed, (uint32_t)f);
    /* Factorial: mixed radix, the first factor varying slowest. */
    size_t stride = 1;
    for (size_t g = f + 1; sw->design == SCN_DESIGN_FACTORIAL && g < nf; g++)
      stride *= sw->factor[g].nvalue;
    for (int p = 0; p < n; p++) {
      char text[64];
      const char *value;
      if (sw->design == SCN_DESIGN_FACTORIAL) {
        value = fa->value[((size_t)p / stride) % fa->nvalue];
      } else if (fa->nvalue) {
        size_t level = (size_t)(u[p] * (double)fa->nvalue);
        value = fa->value[level < fa->nvalue ? level : fa->nvalue - 1];
      } else {
        /* %.17g: the sampled double itself, not a rounding of it. */
        snprintf(text, sizeof text, "%.17g%s", fa->lo + u[p] * (fa->hi - fa->lo),
                 si_unit(fa->kind));
        value = text;
      }
      if (!(set[(size_t)p * nf + f] = make_set(fa->path, value)))
        goto nomem;
    }
  }
  *out = set;
  set = NULL;
  goto done;
nomem:
  err = ERR_NOMEM;
  diag_report(d, DIAG_ERROR, sw->path, 0, 0, "out of memory for the sweep's design");
done:
  if (set) {
    for (size_t i = 0; i < (size_t)n * nf; i++)
      free(set[i]);
    free(set);
  }
  free(u);
  free(perm);
  return err;
}

void mc_sweep_result_free(mc_sweep_result *r) {
  if (!r)
    return;
  for (int p = 0; r->point && p < r->points; p++)
    mc_result_free(r->point[p].result);
  if (r->point && r->point[0].set) {
    for (size_t i = 0; i < (size_t)r->points * r->nfactor; i++)
      free(r->point[0].set[i]);
    free(r->point[0].set); /* the design's one block */
  }
  free(r->point);
  free(r);
}

/* The sweep's key: the file's bytes and the overrides every point gets. */
static void sweep_key(char hash[HASH_SHA256_HEX], const scn_sweep *sw,
                      const mc_sweep_options *opt) {
  hash_sha256 h;
  hash_sha256_init(&h);
  hash_sha256_update(&h, sw->hash, strlen(sw->hash));
  for (size_t i = 0; i < opt->noverrides; i++)
    hash_sha256_item(&h, opt->overrides[i], strlen(opt->overrides[i]));
  hash_sha256_final_hex(&h, hash);
}

/* Load the scenario with the sweep-wide overrides, then the point's. */
static int load_point(scn_scenario **sc, const scn_sweep *sw, const mc_sweep_options *opt,
                      const char *scenario, char **set, int p, diag *d) {
  const char **all = malloc((opt->noverrides + sw->nfactor + 1) * sizeof *all);
  if (!all)
    return ERR_NOMEM;
  size_t n = 0;
  for (size_t i = 0; i < opt->noverrides; i++)
    all[n++] = opt->overrides[i];
  for (size_t f = 0; f < sw->nfactor; f++)
    all[n++] = set[(size_t)p * sw->nfactor + f];
  scn_load_options lo = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&lo);
  lo.overrides = all;
  lo.noverrides = n;
  int err = scn_load(sc, scenario, &lo, d);
  if (err == ERR_INPUT)
    diag_report(d, DIAG_NOTE, sw->path, sw->factor[0].loc.line, sw->factor[0].loc.col,
                "while loading design point %d of the sweep", p);
  free(all);
  return err;
}

/* mc_hooks for point p, passed on to the sweep's hooks with the point. */
typedef struct point_hooks {
  const mc_sweep_hooks *h;
  int p;
} point_hooks;

static void ph_started(void *ctx, int64_t run_id, const metric_set *ms, int cap) {
  const point_hooks *ph = ctx;
  if (ph->h->started) ph->h->started(ph->h->ctx, ph->p, run_id, ms, cap);
}

static int ph_claim(void *ctx, int *lo, int *hi) {
  const point_hooks *ph = ctx;
  return ph->h->claim(ph->h->ctx, ph->p, lo, hi);
}

static void ph_stored(void *ctx, int replication, const void *bytes, size_t len) {
  const point_hooks *ph = ctx;
  if (ph->h->stored) ph->h->stored(ph->h->ctx, ph->p, replication, bytes, len);
}

static void ph_committed(void *ctx, int ok) {
  const point_hooks *ph = ctx;
  if (ph->h->committed) ph->h->committed(ph->h->ctx, ph->p, ok);
}

static void ph_poll(void *ctx) {
  const point_hooks *ph = ctx;
  if (ph->h->poll) ph->h->poll(ph->h->ctx);
}

/* With hooks, the other ranks' rows of a point keep arriving while later points run:
 * a point is summarised as soon as every replication of it is in the store, instead
 * of all of them after the last point, when the other ranks would wait.  *first: the
 * points before it are summarised. */
static void summarise_whole_points(mc_sweep_result *res, store *st, int upto, int *first,
                                   diag *d) {
  for (int q = *first; q <= upto; q++) {
    mc_result *r = res->point[q].result;
    store_run_row row;
    if (r->summary || store_run_read(st, r->run_id, &row) ||
        row.replications_done < res->replications)
      continue;
    r->replications = res->replications;
    if (mc_result_summarize(r, st, d)) { /* mc_sweep_gather tries again */
      free(r->summary);
      r->summary = NULL;
    }
  }
  while (*first <= upto && res->point[*first].result->summary)
    (*first)++;
}

int mc_sweep_run(mc_sweep_result **out, const scn_sweep *sw, const mc_sweep_options *opt,
                 store *st, diag *d) {
  const double t0 = now_s();
  int summarised = 0; /* with hooks: points [0, summarised) have their summary */
  mc_sweep_result *res = calloc(1, sizeof *res);
  char **set = NULL, *lines = NULL;
  scn_scenario *sc = NULL;
  int err;
  *out = NULL;
  const char *scenario = sw->scenario ? sw->scenario : opt->scenario;
  if (!res)
    return ERR_NOMEM;
  if (!scenario) {
    diag_report(d, DIAG_ERROR, sw->path, 0, 0, "the sweep names no scenario");
    err = ERR_USAGE;
    goto done;
  }
  res->points = sw->points;
  res->nfactor = sw->nfactor;
  if ((err = mc_sweep_design(&set, sw, d)))
    goto done;
  res->point = calloc((size_t)sw->points, sizeof *res->point);
  if (!res->point) {
    for (size_t i = 0; i < (size_t)sw->points * sw->nfactor; i++)
      free(set[i]);
    free(set);
    err = ERR_NOMEM;
    goto done;
  }
  for (int p = 0; p < sw->points; p++)
    res->point[p].set = set + (size_t)p * sw->nfactor;

  /* Check every point loads before running any, so a bad level is found at once. */
  for (int p = 0; p < sw->points; p++) {
    if ((err = load_point(&sc, sw, opt, scenario, set, p, d)))
      goto done;
    if (p == 0)
      res->replications = opt->mc.replications > 0 ? opt->mc.replications
                          : sw->replications > 0   ? sw->replications
                                                   : sc->replications;
    scn_free(sc);
    sc = NULL;
  }

  char hash[HASH_SHA256_HEX];
  sweep_key(hash, sw, opt);
  store_sweep_info info = {sw->name, hash, sw->path,
                           sw->design == SCN_DESIGN_LHS ? "latin_hypercube" : "factorial",
                           sw->points, res->replications};
  err = ERR_NOTFOUND;
  if (opt->mc.resume)
    err = store_sweep_find(st, &res->sweep_id, &info);
  if (err == ERR_NOTFOUND)
    err = store_sweep_begin(st, &res->sweep_id, &info);
  if (err) {
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "%s", store_errmsg(st));
    goto done;
  }

  for (int p = 0; p < sw->points; p++) {
    if (opt->point_progress)
      opt->point_progress(p, sw->points, opt->point_ctx);
    if ((err = load_point(&sc, sw, opt, scenario, set, p, d)))
      goto done;
    mc_options mo = opt->mc;
    mo.replications = res->replications;
    /* Every point resumes its own run: the sweep's resume is the points' resume. */
    mo.resume = opt->mc.resume;
    point_hooks ph = {opt->hooks, p};
    const mc_hooks mh = {&ph, ph_started, opt->hooks && opt->hooks->claim ? ph_claim : NULL,
                         ph_stored, ph_committed, ph_poll};
    if (opt->hooks) {
      mo.hooks = &mh;
    } else if (opt->nparts > 1) {
      mo.part = opt->part;
      mo.nparts = opt->nparts;
      mo.part_base = p; /* (p + r) % nparts: sweep.h says why */
    }
    if ((err = mc_run(&res->point[p].result, sc, &mo, st, d)))
      goto done;
    if (opt->hooks)
      summarise_whole_points(res, st, p, &summarised, d);
    /* The point's overrides, one per line, as the run's key saw them. */
    size_t len = 0;
    for (size_t f = 0; f < sw->nfactor; f++)
      len += strlen(res->point[p].set[f]) + 1;
    free(lines);
    if (!(lines = malloc(len + 1))) {
      err = ERR_NOMEM;
      goto done;
    }
    lines[0] = '\0';
    for (size_t f = 0, at = 0; f < sw->nfactor; f++)
      at += (size_t)sprintf(lines + at, "%s%s", f ? "\n" : "", res->point[p].set[f]);
    if ((err = store_sweep_point(st, res->sweep_id, p, res->point[p].result->run_id, lines))) {
      diag_report(d, DIAG_ERROR, NULL, 0, 0, "%s", store_errmsg(st));
      goto done;
    }
    scn_free(sc);
    sc = NULL;
  }
  if ((err = store_sweep_finish(st, res->sweep_id)))
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "%s", store_errmsg(st));
  res->wall_s = now_s() - t0;
done:
  scn_free(sc);
  free(lines);
  if (err) {
    mc_sweep_result_free(res); /* owns the design once res->point exists */
    return err;
  }
  *out = res;
  return 0;
}

/* ---- the points' documents ------------------------------------------------------- */

int mc_sweep_store_docs(const mc_sweep_result *r, const scn_sweep *sw,
                        const mc_sweep_options *opt, store *st, diag *d) {
  const char *scenario = sw->scenario ? sw->scenario : opt->scenario;
  char **set = NULL;
  int err = 0;
  if (r->points > 0)
    set = r->point[0].set; /* one allocation: point p's are set + p * nfactor */
  for (int p = 0; p < r->points && !err; p++) {
    const mc_result *res = r->point[p].result;
    scn_scenario *sc = NULL;
    mc_objective_result *verdicts = NULL;
    size_t nverdicts = 0;
    if (!res || !res->summary)
      continue; /* a part of a split sweep: its run is not whole here */
    mc_options mo = opt->mc;
    mo.replications = r->replications;
    if (!(err = load_point(&sc, sw, opt, scenario, set, p, d)) &&
        !(err = mc_store_docs(st, res->run_id, sc, &mo, d)))
      err = mc_store_objectives(&verdicts, &nverdicts, st, sc, res, d);
    free(verdicts);
    scn_free(sc);
  }
  return err;
}

/* ---- gathering the parts (MPI rank 0) -------------------------------------------- */

/* Whether two stored runs are the same run: scenario hash, seed, version, options. */
static int same_run(store *a, int64_t ra, store *b, int64_t rb) {
  store_run_row x, y;
  return store_run_read(a, ra, &x) == 0 && store_run_read(b, rb, &y) == 0 &&
         strcmp(x.scenario_hash, y.scenario_hash) == 0 && x.seed == y.seed &&
         strcmp(x.version, y.version) == 0 && strcmp(x.options, y.options) == 0;
}

int mc_sweep_gather(mc_sweep_result *r, const scn_sweep *sw, const mc_sweep_options *opt,
                    store *st, const char *const *parts, size_t nparts, diag *d) {
  const double t0 = now_s();
  char hash[HASH_SHA256_HEX];
  unsigned char *done = NULL, *fresh = NULL; /* fresh[p]: rows were copied for point p */
  int64_t *src = NULL;
  int err = 0;
  sweep_key(hash, sw, opt);
  store_sweep_info info = {sw->name, hash, sw->path,
                           sw->design == SCN_DESIGN_LHS ? "latin_hypercube" : "factorial",
                           sw->points, r->replications};
  for (int p = 0; p < r->points; p++)
    if (!r->point[p].result)
      return ERR_NOTFOUND;
  done = malloc(r->replications > 0 ? (size_t)r->replications : 1);
  src = malloc((size_t)r->points * sizeof *src);
  fresh = calloc((size_t)r->points, 1);
  if (!done || !src || !fresh) {
    free(done);
    free(src);
    free(fresh);
    return ERR_NOMEM;
  }
  /* Each part: its record of the sweep gives every point's run there, which must be
   * the same run (key) as this store's; then the rows it lacks are copied. */
  for (size_t k = 0; k < nparts && !err; k++) {
    store *part = NULL;
    int64_t sweep_id = 0;
    err = store_open(&part, parts[k], d);
    if (!err)
      err = store_sweep_find(part, &sweep_id, &info);
    for (int p = 0; p < r->points && !err; p++)
      if (!(err = store_sweep_point_run(part, sweep_id, p, &src[p])) &&
          !same_run(st, r->point[p].result->run_id, part, src[p]))
        err = ERR_NOTFOUND;
    if (err && err != ERR_NOTFOUND && part)
      diag_report(d, DIAG_ERROR, parts[k], 0, 0, "%s", store_errmsg(part));
    store_close(part);
    for (int p = 0; p < r->points && !err; p++) {
      int copied = 0;
      if ((err = store_merge_run(st, r->point[p].result->run_id, parts[k], src[p], &copied)))
        diag_report(d, DIAG_ERROR, parts[k], 0, 0, "%s", store_errmsg(st));
      fresh[p] |= copied > 0;
    }
  }
  /* Every point whole now?  Then its summary over all replications. */
  for (int p = 0; p < r->points && !err; p++) {
    mc_result *res = r->point[p].result;
    if ((err = store_replications_done(st, res->run_id, done, (size_t)r->replications)))
      diag_report(d, DIAG_ERROR, NULL, 0, 0, "%s", store_errmsg(st));
    for (int i = 0; !err && i < r->replications; i++)
      if (!done[i])
        err = ERR_NOTFOUND; /* a part did not run its share: the caller resumes */
    res->replications = r->replications;
    if (!err && (!res->summary || fresh[p])) /* summarised whole already: the same */
      err = mc_result_summarize(res, st, d);
  }
  free(done);
  free(src);
  free(fresh);
  r->wall_s += now_s() - t0;
  return err;
}
