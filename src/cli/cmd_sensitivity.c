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
#include "diag.h"
#include "err.h"
#include "mc_sens.h"

void cmd_sensitivity_usage(FILE *out) {
  fprintf(out,
          "usage: straits sensitivity [options] SCENARIO.yaml\n"
          "\n"
          "Vary each crisis event's probability p and each escalation rate over\n"
          "base x (1 -+ delta) (probabilities clipped to [0, 1]) and report the change in\n"
          "a crisis metric's mean: one at a time, sorted by swing (tornado), and with\n"
          "--sobol N the first-order and total Sobol indices over all of them at once.\n"
          "Every evaluation runs the same replications with the same seed (common\n"
          "random numbers).  The crisis model runs alone (no store).\n"
          "\n"
          "  -n, --replications N  replications per evaluation (default 200)\n"
          "      --delta D         relative range, 0 < D <= 1 (default 0.5)\n"
          "      --metric M        response (default spillover.occurred)\n"
          "      --sobol N         Sobol indices from N base samples: N (k + 2)\n"
          "                        evaluations for k parameters (default: off)\n"
          "      --csv FILE        tornado data as CSV\n"
          "      --json FILE       tornado (and Sobol) data as JSON\n"
          "      --set KEY=VALUE   override a scenario value (repeatable)\n");
}

typedef struct oat_row {
  size_t param;
  double y_lo, y_hi, swing;
} oat_row;

static int swing_cmp(const void *a, const void *b) {
  const oat_row *x = a, *y = b;
  if (x->swing != y->swing) return x->swing < y->swing ? 1 : -1;
  return x->param < y->param ? -1 : x->param > y->param;
}

static void json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fprintf(f, "\\%c", *s);
    else if ((unsigned char)*s < 0x20) fprintf(f, "\\u%04x", (unsigned char)*s);
    else fputc(*s, f);
  }
  fputc('"', f);
}

static int sobol_eval(const double *x, double *y, void *ctx) {
  double se;
  return mc_sens_eval(ctx, x, y, &se);
}

typedef struct sens_opts {
  int reps, sobol;
  double delta;
  const char *metric, *csv, *json;
} sens_opts;

static int run_oat(mc_sens *s, oat_row *rows, double *x) {
  double se;
  for (size_t i = 0; i < s->nparam; i++) x[i] = s->param[i].base;
  for (size_t i = 0; i < s->nparam; i++) {
    int rc;
    rows[i].param = i;
    x[i] = s->param[i].lo;
    if ((rc = mc_sens_eval(s, x, &rows[i].y_lo, &se))) return rc;
    x[i] = s->param[i].hi;
    if ((rc = mc_sens_eval(s, x, &rows[i].y_hi, &se))) return rc;
    x[i] = s->param[i].base;
    rows[i].swing = fabs(rows[i].y_hi - rows[i].y_lo);
  }
  qsort(rows, s->nparam, sizeof *rows, swing_cmp);
  return 0;
}

static int write_outputs(const sens_opts *o, const mc_sens *s, double base, const oat_row *rows,
                         const double *first, const double *total) {
  if (o->csv) {
    FILE *f = fopen(o->csv, "w");
    if (!f) return cli_error("%s: %s", o->csv, strerror(errno)), CLI_FAILURE;
    fprintf(f, "parameter,unit,base,lo,hi,response_lo,response_hi,swing\n");
    for (size_t i = 0; i < s->nparam; i++) {
      const mc_sens_param *p = &s->param[rows[i].param];
      fprintf(f, "%s,%s,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n", p->name, *p->unit ? "1/s" : "1",
              p->base, p->lo, p->hi,
              rows[i].y_lo, rows[i].y_hi, rows[i].swing);
    }
    if (fclose(f)) return CLI_FAILURE;
  }
  if (o->json) {
    FILE *f = fopen(o->json, "w");
    if (!f) return cli_error("%s: %s", o->json, strerror(errno)), CLI_FAILURE;
    fprintf(f, "{\"metric\": ");
    json_string(f, o->metric);
    fprintf(f, ", \"replications\": %d, \"delta\": %.17g, \"base\": %.17g,\n \"tornado\": [",
            o->reps, o->delta, base);
    for (size_t i = 0; i < s->nparam; i++) {
      const mc_sens_param *p = &s->param[rows[i].param];
      fprintf(f, "%s\n  {\"parameter\": ", i ? "," : "");
      json_string(f, p->name);
      fprintf(f, ", \"unit\": \"%s\"", *p->unit ? "1/s" : "1");
      fprintf(f, ", \"base\": %.17g, \"lo\": %.17g, \"hi\": %.17g, \"response_lo\": %.17g, "
                 "\"response_hi\": %.17g, \"swing\": %.17g}",
              p->base, p->lo, p->hi, rows[i].y_lo, rows[i].y_hi, rows[i].swing);
    }
    fprintf(f, "]");
    if (first) {
      fprintf(f, ",\n \"sobol\": {\"base_samples\": %d, \"indices\": [", o->sobol);
      for (size_t i = 0; i < s->nparam; i++) {
        fprintf(f, "%s\n  {\"parameter\": ", i ? "," : "");
        json_string(f, s->param[i].name);
        fprintf(f, ", \"first\": %.17g, \"total\": %.17g}", first[i], total[i]);
      }
      fprintf(f, "]}");
    }
    fprintf(f, "}\n");
    if (fclose(f)) return CLI_FAILURE;
  }
  return CLI_OK;
}

static int parse_args(int argc, char **argv, sens_opts *o, const char **overrides, size_t *nover) {
  static const struct option longopts[] = {
      {"replications", required_argument, NULL, 'n'}, {"delta", required_argument, NULL, 'd'},
      {"metric", required_argument, NULL, 'm'},       {"sobol", required_argument, NULL, 's'},
      {"csv", required_argument, NULL, 'c'},          {"json", required_argument, NULL, 'J'},
      {"set", required_argument, NULL, 'S'},          {"help", no_argument, NULL, 'h'},
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
    case 'S':
      if (*nover >= 64) return cli_error("too many --set overrides (64 at most)"), CLI_BAD_INPUT;
      overrides[(*nover)++] = optarg;
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

static void print_tables(const sens_opts *o, const mc_sens *s, double base, double base_se,
                         const oat_row *rows, const double *first, const double *total) {
  printf("sensitivity of %s: base %.4f (se %.4f), %d replications per point, "
         "ranges base x (1 -+ %g)\n\n",
         o->metric, base, base_se, o->reps, o->delta);
  printf("one at a time, largest swing first (tornado)\n");
  printf("%-48s %9s %9s %9s %9s %9s %9s\n", "parameter (rates per day)", "base", "low", "high", "at low",
         "at high", "swing");
  for (size_t i = 0; i < s->nparam; i++) {
    const mc_sens_param *p = &s->param[rows[i].param];
    char name[200];
    snprintf(name, sizeof name, "%s%s%s", p->name, *p->unit ? " " : "", p->unit);
    printf("%-48.48s %9.4g %9.4g %9.4g %9.4f %9.4f %9.4f\n", name, p->base * p->scale,
           p->lo * p->scale, p->hi * p->scale, rows[i].y_lo, rows[i].y_hi, rows[i].swing);
  }
  if (!first) return;
  printf("\nSobol indices (%d base samples, %zu evaluations): first order, total\n", o->sobol,
         (size_t)o->sobol * (s->nparam + 2));
  printf("%-48s %9s %9s\n", "parameter", "first", "total");
  for (size_t i = 0; i < s->nparam; i++)
    printf("%-48.48s %9.3f %9.3f\n", s->param[i].name, first[i], total[i]);
}

int cmd_sensitivity(int argc, char **argv) {
  sens_opts o = {200, 0, 0.5, "spillover.occurred", NULL, NULL};
  const char *overrides[64];
  size_t nover = 0;
  int status = parse_args(argc, argv, &o, overrides, &nover);
  if (status) return status < 0 ? CLI_OK : status;
  scn_scenario *sc = NULL;
  if ((status = cli_load_scenario(&sc, argv[optind], overrides, nover))) return status;
  diag *d = diag_new();
  mc_sens s;
  oat_row *rows = NULL;
  double *x = NULL, *first = NULL, *total = NULL, *lo = NULL, *hi = NULL, base, base_se;
  int rc = d ? mc_sens_init(&s, sc, o.metric, o.delta, o.reps, d) : ERR_NOMEM;
  status = rc == ERR_NOTFOUND ? CLI_BAD_INPUT : CLI_FAILURE;
  if (rc) goto out;
  rows = calloc(s.nparam + 1, sizeof *rows);
  x = calloc(s.nparam + 1, sizeof *x);
  if (!rows || !x) goto out;
  if ((rc = mc_sens_eval(&s, NULL, &base, &base_se)) || (rc = run_oat(&s, rows, x))) goto out;
  if (o.sobol && s.nparam) {
    first = calloc(s.nparam, sizeof *first), total = calloc(s.nparam, sizeof *total);
    lo = calloc(s.nparam, sizeof *lo), hi = calloc(s.nparam, sizeof *hi);
    if (!first || !total || !lo || !hi) goto out;
    for (size_t i = 0; i < s.nparam; i++) lo[i] = s.param[i].lo, hi[i] = s.param[i].hi;
    if ((rc = mc_sobol(s.nparam, (size_t)o.sobol, lo, hi, sobol_eval, &s, sc->seed, first, total)))
      goto out;
  }
  print_tables(&o, &s, base, base_se, rows, first, total);
  status = write_outputs(&o, &s, base, rows, first, total);
out:
  if (d && diag_count(d, DIAG_ERROR)) diag_print(d, stderr, 0);
  else if (rc) cli_error("sensitivity failed: %s", err_strerror(rc));
  free(rows), free(x), free(first), free(total), free(lo), free(hi);
  if (d) mc_sens_free(&s);
  diag_free(d);
  scn_free(sc);
  return status;
}
