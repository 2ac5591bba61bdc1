/* cmd_sensitivity.c - `straits sensitivity SCENARIO`: which event probabilities and
 * escalation rates move the spillover probability (or another crisis metric) most:
 * one-at-a-time ranges (tornado data) and, on request, Sobol indices (mc_sens.h). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_report.h"
#include "diag.h"
#include "err.h"
#include "mc.h"
#include "mc_sens.h"

void cmd_sensitivity_usage(FILE *out) {
  fprintf(out,
          "usage: straits sensitivity [options] SCENARIO.yaml\n"
          "\n"
          "Vary each crisis event's probability p and each escalation rate over\n"
          "base x (1 -+ delta) (probabilities clipped to [0, 1]) and report the change in\n"
          "a crisis metric's mean: one at a time, sorted by swing (tornado), and with\n"
          "--sobol N the first-order and total Sobol indices over all of them at once,\n"
          "with 95%% bootstrap confidence intervals (1000 resamples of the N base rows).\n"
          "Every evaluation runs the same replications with the same seed (common\n"
          "random numbers).  The crisis model runs alone (no store).\n"
          "\n"
          "  -n, --replications N  replications per evaluation (default 200)\n"
          "      --delta D         relative range, 0 < D <= 1 (default 0.5)\n"
          "      --metric M        response (default spillover.occurred)\n"
          "      --sobol N         Sobol indices from N base samples: N (k + 2)\n"
          "                        evaluations for k parameters (default: off)\n"
          "      --csv FILE        tornado (and Sobol) data as CSV, one row per parameter\n"
          "      --json FILE       tornado (and Sobol) data as JSON\n"
          "      --db STORE        store the tornado (and Sobol) charts with the latest run\n"
          "                        of this scenario in STORE, for its report\n"
          "      --run ID          that run instead of the latest (same scenario)\n"
          "      --set KEY=VALUE   override a scenario value (repeatable)\n"
          "      --vary PATH=LO:HI vary this scalar scenario path over [LO, HI] instead\n"
          "                        (repeatable; the same unit at both ends), e.g.\n"
          "                        situations.changes.recognise-iis.cabinet.median=12h:48h\n"
          "                        or crisis.events.prc-response.branches.blockade.p=0.2:0.5.\n"
          "                        Each sample is a --set override; every model runs,\n"
          "                        so --metric may be any metric of the run; the others\n"
          "                        stay at the scenario's values in the tornado\n"
          "      --threads N       threads per evaluation with --vary (default: 1)\n");
}

static int sobol_eval(const double *x, double *y, void *ctx) {
  double se;
  return mc_sens_eval(ctx, x, y, &se);
}

typedef struct sens_opts {
  int reps, sobol, threads;
  const char *vary[64];
  size_t nvary;
  double delta;
  const char *metric, *csv, *json, *db;
  int64_t run;
} sens_opts;

/* Row i of the tornado's CSV: the parameter's Sobol columns (empty without --sobol). */
static void csv_sobol(FILE *f, const mc_sens_sobol *so, size_t p) {
  if (!so) {
    fprintf(f, ",,,,,\n");
    return;
  }
  fprintf(f, ",%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n", so->first[p], so->first_lo[p],
          so->first_hi[p], so->total[p], so->total_lo[p], so->total_hi[p]);
}

static int write_outputs(const sens_opts *o, const mc_sens *s, const mc_sens_result *r) {
  if (o->csv) {
    FILE *f = fopen(o->csv, "w");
    if (!f) return cli_error("%s: %s", o->csv, strerror(errno)), CLI_FAILURE;
    fprintf(f, "parameter,unit,base,lo,hi,response_lo,response_hi,swing,"
               "sobol_first,sobol_first_lo,sobol_first_hi,sobol_total,sobol_total_lo,"
               "sobol_total_hi\n");
    for (size_t i = 0; i < s->nparam; i++) {
      const mc_sens_oat *row = &r->rows[i];
      const mc_sens_param *p = &s->param[row->param];
      cli_csv_cell(f, p->name); /* ids come from the scenario: a cell may be hostile */
      const char *unit = p->path ? p->si_unit : *p->unit ? "1/s" : "1";
      fprintf(f, ",%s,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g", unit, p->base, p->lo, p->hi,
              row->y_lo, row->y_hi, row->swing);
      csv_sobol(f, r->sobol, row->param);
    }
    if (fclose(f)) return CLI_FAILURE;
  }
  if (o->json) {
    strbuf b = STRBUF_INIT;
    int status = jdoc_dump(&b, mc_sens_json(s, r)) || (strbuf_put(&b, "\n"), b.failed)
                     ? (cli_error("%s: out of memory", o->json), CLI_FAILURE)
                     : cli_write_file(o->json, &b);
    strbuf_release(&b);
    if (status) return status;
  }
  return CLI_OK;
}

/* The run (the latest, or --run) of this very scenario in --db, checked before any
 * evaluation so that a wrong store costs nothing.  *st stays open for store_sections. */
static int open_target(const sens_opts *o, const scn_scenario *sc, store **st, int64_t *run,
                       diag *d) {
  int status = cli_open_store(st, o->db);
  if (status) return status;
  store_run_row row;
  *run = o->run;
  if (!*run && store_run_latest(*st, run)) {
    cli_error("%s: no run to attach the sensitivity to (run 'straits run' first)", o->db);
    return CLI_BAD_INPUT;
  }
  if (store_run_read(*st, *run, &row)) {
    cli_error("%s: no run %lld", o->db, (long long)*run);
    return CLI_BAD_INPUT;
  }
  /* The stored hash is the study's (mc.h): this scenario with the shipped table,
   * which is what the sensitivity evaluates. */
  char hash[HASH_SHA256_HEX];
  if (mc_study_hash(hash, sc, NULL, d)) return CLI_FAILURE;
  if (strcmp(row.scenario_hash, hash) != 0) {
    cli_error("%s: run %lld is of another scenario (study hash %s, this one %s): not stored", o->db,
              (long long)*run, row.scenario_hash, hash);
    return CLI_BAD_INPUT;
  }
  return CLI_OK;
}

static int store_sections(const sens_opts *o, store *st, int64_t run, const mc_sens *s,
                          const mc_sens_result *r) {
  diag *d = diag_new();
  int err = d ? mc_sens_store_docs(st, run, s, r, d) : ERR_NOMEM;
  if (err) {
    diag_print(d, stderr, 0);
    if (!d) cli_error("%s: cannot store the sensitivity: out of memory", o->db);
  }
  diag_free(d);
  if (err) return CLI_FAILURE;
  printf("stored with run %lld in %s: 'straits report %s' draws it\n", (long long)run, o->db,
         o->db);
  return CLI_OK;
}

static int parse_args(int argc, char **argv, sens_opts *o, const char **overrides, size_t *nover) {
  static const struct option longopts[] = {
      {"replications", required_argument, NULL, 'n'}, {"delta", required_argument, NULL, 'd'},
      {"metric", required_argument, NULL, 'm'},       {"sobol", required_argument, NULL, 's'},
      {"csv", required_argument, NULL, 'c'},          {"json", required_argument, NULL, 'J'},
      {"set", required_argument, NULL, 'S'},          {"help", no_argument, NULL, 'h'},
      {"db", required_argument, NULL, 'D'},           {"run", required_argument, NULL, 'r'},
      {"vary", required_argument, NULL, 'V'},         {"threads", required_argument, NULL, 't'},
      {NULL, 0, NULL, 0},
  };
  int c;
  char *end;
  optind = 1;
  while ((c = getopt_long(argc, argv, "n:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'n':
      o->reps = (int)strtol(optarg, &end, 10);
      if (*end || o->reps < 2 || o->reps > 1000000)
        return cli_error("--replications needs 2..1000000, got '%s'", optarg), CLI_BAD_INPUT;
      break;
    case 'd':
      o->delta = strtod(optarg, &end);
      if (*end || !(o->delta > 0 && o->delta <= 1))
        return cli_error("--delta needs a number in (0, 1], got '%s'", optarg), CLI_BAD_INPUT;
      break;
    case 's':
      o->sobol = (int)strtol(optarg, &end, 10);
      if (*end || o->sobol < 2 || o->sobol > 1000000)
        return cli_error("--sobol needs 2..1000000 base samples, got '%s'", optarg), CLI_BAD_INPUT;
      break;
    case 'm': o->metric = optarg; break;
    case 'c': o->csv = optarg; break;
    case 'J': o->json = optarg; break;
    case 'D': o->db = optarg; break;
    case 'r':
      if (cli_parse_run_id(optarg, &o->run)) return CLI_BAD_INPUT;
      break;
    case 'S':
      if (*nover >= 64) return cli_error("too many --set overrides (64 at most)"), CLI_BAD_INPUT;
      overrides[(*nover)++] = optarg;
      break;
    case 'V':
      if (o->nvary >= 64) return cli_error("too many --vary paths (64 at most)"), CLI_BAD_INPUT;
      o->vary[o->nvary++] = optarg;
      break;
    case 't':
      o->threads = (int)strtol(optarg, &end, 10);
      if (*end || o->threads < 1 || o->threads > 256)
        return cli_error("--threads needs 1..256, got '%s'", optarg), CLI_BAD_INPUT;
      break;
    case 'h': cmd_sensitivity_usage(stdout); return -1;
    default: cmd_sensitivity_usage(stderr); return CLI_BAD_INPUT;
    }
  }
  if (argc - optind != 1) {
    cmd_sensitivity_usage(stderr);
    return CLI_BAD_INPUT;
  }
  return CLI_OK;
}

static void print_tables(const mc_sens *s, const mc_sens_result *r, double base_se) {
  const mc_sens_oat *rows = r->rows;
  const mc_sens_sobol *so = r->sobol;
  if (s->file) /* paths with their own ranges, every model run */
    printf("sensitivity of %s: at the scenario's values %.4f (se %.4f), %d replications per "
           "point, every model, ranges as given\n\n", r->metric, r->base, base_se,
           s->replications);
  else
    printf("sensitivity of %s: base %.4f (se %.4f), %d replications per point, "
           "ranges base x (1 -+ %g)\n\n",
           r->metric, r->base, base_se, s->replications, r->delta);
  printf("one at a time, largest swing first (tornado)\n");
  printf("%-60s %9s %9s %9s %9s %9s %9s\n",
         s->file ? "parameter (in its range's unit)" : "parameter (rates per day)", "base", "low",
         "high", "at low", "at high", "swing");
  for (size_t i = 0; i < s->nparam; i++) {
    const mc_sens_param *p = &s->param[rows[i].param];
    char name[200];
    snprintf(name, sizeof name, "%s%s%s", p->name, *p->unit ? " " : "", p->unit);
    char base[32];
    if (isnan(p->base)) snprintf(base, sizeof base, "scenario"); /* a path's own value */
    else snprintf(base, sizeof base, "%.4g", p->base * p->scale);
    printf("%-60.60s %9s %9.4g %9.4g %9.4f %9.4f %9.4f\n", name, base, p->lo * p->scale,
           p->hi * p->scale, rows[i].y_lo, rows[i].y_hi, rows[i].swing);
  }
  if (!so) return;
  printf("\nSobol indices (%d base samples, %zu evaluations): first order, total, "
         "%g%% bootstrap CI (%zu resamples)\n",
         so->base_samples, (size_t)so->base_samples * (s->nparam + 2), 100 * so->level,
         so->resamples);
  printf("%-60s %22s %22s\n", "parameter", "first [CI]", "total [CI]");
  for (size_t i = 0; i < s->nparam; i++) {
    char first[64], total[64];
    snprintf(first, sizeof first, "%.3f [%.3f, %.3f]", so->first[i], so->first_lo[i],
             so->first_hi[i]);
    snprintf(total, sizeof total, "%.3f [%.3f, %.3f]", so->total[i], so->total_lo[i],
             so->total_hi[i]);
    printf("%-60.60s %22s %22s\n", s->param[i].name, first, total);
  }
}

int cmd_sensitivity(int argc, char **argv) {
  sens_opts o = {200, 0, 1, {NULL}, 0, 0.5, "spillover.occurred", NULL, NULL, NULL, 0};
  const char *overrides[64];
  size_t nover = 0;
  int status = parse_args(argc, argv, &o, overrides, &nover);
  if (status) return status < 0 ? CLI_OK : status;
  scn_scenario *sc = NULL;
  if ((status = cli_load_scenario(&sc, argv[optind], overrides, nover))) return status;
  diag *d = diag_new();
  mc_sens s;
  mc_sens_oat *rows = NULL;
  double *lo = NULL, *hi = NULL, *values = NULL, base, base_se;
  mc_sens_sobol so = {0};
  mc_sens_result r = {o.metric, o.delta, 0, NULL, NULL};
  store *st = NULL;
  int64_t run = 0;
  int rc = 0;
  memset(&s, 0, sizeof s);
  if (o.db && (status = d ? open_target(&o, sc, &st, &run, d) : CLI_FAILURE)) goto out;
  if (!d) rc = ERR_NOMEM;
  else if (o.nvary) /* the paths given, every model */
    rc = mc_sens_init_paths(&s, argv[optind], overrides, nover, o.vary, o.nvary, o.metric,
                            o.reps, o.threads, d);
  else
    rc = mc_sens_init(&s, sc, o.metric, o.delta, o.reps, NULL, d);
  status = rc == ERR_NOTFOUND || rc == ERR_INPUT ? CLI_BAD_INPUT : CLI_FAILURE;
  if (rc) goto out;
  rows = calloc(s.nparam + 1, sizeof *rows);
  if (!rows) goto out;
  if ((rc = mc_sens_eval(&s, NULL, &base, &base_se)) || (rc = mc_sens_tornado(&s, rows))) goto out;
  r.base = base, r.rows = rows;
  if (o.sobol && s.nparam) {
    size_t k = s.nparam;
    values = calloc(6 * k, sizeof *values);
    lo = calloc(k, sizeof *lo), hi = calloc(k, sizeof *hi);
    if (!values || !lo || !hi) goto out;
    for (size_t i = 0; i < k; i++) lo[i] = s.param[i].lo, hi[i] = s.param[i].hi;
    mc_sobol_ci ci = MC_SOBOL_CI_INIT;
    so = (mc_sens_sobol){values, values + k, values + 2 * k, values + 3 * k, values + 4 * k,
                         values + 5 * k, ci.resamples, ci.level, o.sobol};
    ci.first_lo = so.first_lo, ci.first_hi = so.first_hi;
    ci.total_lo = so.total_lo, ci.total_hi = so.total_hi;
    if ((rc = mc_sobol(k, (size_t)o.sobol, lo, hi, sobol_eval, &s, sc->seed, so.first,
                       so.total, &ci)))
      goto out;
    r.sobol = &so;
  }
  print_tables(&s, &r, base_se);
  status = write_outputs(&o, &s, &r);
  if (status == CLI_OK && st) status = store_sections(&o, st, run, &s, &r);
out:
  if (d && diag_count(d, DIAG_ERROR)) diag_print(d, stderr, 0);
  else if (rc) cli_error("sensitivity failed: %s", err_strerror(rc));
  free(rows), free(values), free(lo), free(hi);
  mc_sens_free(&s);
  store_close(st);
  diag_free(d);
  scn_free(sc);
  return status;
}
