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
#include "buf.h"

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

/* Sobol indices with their bootstrap intervals, [k] each (NULL when not asked for). */
typedef struct sobol_out {
  double *first, *total, *first_lo, *first_hi, *total_lo, *total_hi;
  size_t resamples;
  double level;
} sobol_out;

typedef struct sens_opts {
  int reps, sobol;
  double delta;
  const char *metric, *csv, *json, *db;
  int64_t run;
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

/* Row i of the tornado's CSV: the parameter's Sobol columns (empty without --sobol). */
static void csv_sobol(FILE *f, const sobol_out *so, size_t p) {
  if (!so) {
    fprintf(f, ",,,,,\n");
    return;
  }
  fprintf(f, ",%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n", so->first[p], so->first_lo[p],
          so->first_hi[p], so->total[p], so->total_lo[p], so->total_hi[p]);
}

static int write_outputs(const sens_opts *o, const mc_sens *s, double base, const oat_row *rows,
                         const sobol_out *so) {
  if (o->csv) {
    FILE *f = fopen(o->csv, "w");
    if (!f) return cli_error("%s: %s", o->csv, strerror(errno)), CLI_FAILURE;
    fprintf(f, "parameter,unit,base,lo,hi,response_lo,response_hi,swing,"
               "sobol_first,sobol_first_lo,sobol_first_hi,sobol_total,sobol_total_lo,"
               "sobol_total_hi\n");
    for (size_t i = 0; i < s->nparam; i++) {
      const mc_sens_param *p = &s->param[rows[i].param];
      cli_csv_cell(f, p->name); /* ids come from the scenario: a cell may be hostile */
      fprintf(f, ",%s,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g", *p->unit ? "1/s" : "1",
              p->base, p->lo, p->hi, rows[i].y_lo, rows[i].y_hi, rows[i].swing);
      csv_sobol(f, so, rows[i].param);
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
    if (so) {
      fprintf(f, ",\n \"sobol\": {\"base_samples\": %d, \"evaluations\": %zu, "
                 "\"ci\": {\"method\": \"percentile bootstrap over base rows\", "
                 "\"resamples\": %zu, \"level\": %g},\n  \"indices\": [",
              o->sobol, (size_t)o->sobol * (s->nparam + 2), so->resamples, so->level);
      for (size_t i = 0; i < s->nparam; i++) {
        fprintf(f, "%s\n  {\"parameter\": ", i ? "," : "");
        json_string(f, s->param[i].name);
        fprintf(f, ", \"first\": %.17g, \"first_lo\": %.17g, \"first_hi\": %.17g, "
                   "\"total\": %.17g, \"total_lo\": %.17g, \"total_hi\": %.17g}",
                so->first[i], so->first_lo[i], so->first_hi[i], so->total[i], so->total_lo[i],
                so->total_hi[i]);
      }
      fprintf(f, "]}");
    }
    fprintf(f, "}\n");
    if (fclose(f)) return CLI_FAILURE;
  }
  return CLI_OK;
}

/* ---- the report's sections ---------------------------------------------------------- */

#define SENS_TORNADO_ROWS 15 /* largest swings drawn */

static void display_name(char *text, size_t size, const mc_sens_param *p) {
  snprintf(text, size, "%s%s%s", p->name, *p->unit ? " " : "", p->unit);
}

/* The tornado: for each parameter, a bar from the response at its low end to the
 * response at its high end, around the base response (a rule). */
static void tornado_doc(buf *b, const sens_opts *o, const mc_sens *s, double base,
                        const oat_row *rows) {
  size_t n = s->nparam < SENS_TORNADO_ROWS ? s->nparam : SENS_TORNADO_ROWS;
  char text[640];
  snprintf(text, sizeof text,
           "How the mean of %s moves when one parameter at a time goes from base x (1 - %g) "
           "to base x (1 + %g) (probabilities clipped to [0, 1]), the others at base: blue "
           "at the low end, orange at the high end, the %zu largest swings of %zu "
           "parameters (rates per day). %d replications per point with common random "
           "numbers; base %.4f (line). From `straits sensitivity` (docs/models.md, "
           "section 7).",
           o->metric, o->delta, o->delta, n, s->nparam, o->reps, base);
  buf_put(b, "{\"title\":\"Sensitivity: one at a time (tornado)\",\"text\":");
  buf_json_str(b, text);
  buf_printf(b, ",\"order\":70,\"vega\":{\"width\":480,\"height\":%zu,\"padding\":5,"
                    "\"signals\":[{\"name\":\"base\",\"value\":",
                 22 * (n ? n : 1));
  buf_json_num(b, base);
  buf_put(b, "}],\"data\":[{\"name\":\"t\",\"values\":[");
  for (size_t i = 0; i < n; i++) {
    const mc_sens_param *p = &s->param[rows[i].param];
    char name[200];
    display_name(name, sizeof name, p);
    buf_printf(b, "%s{\"rank\":%zu,\"name\":", i ? "," : "", i);
    buf_json_str(b, name);
    buf_put(b, ",\"lo\":");
    buf_json_num(b, rows[i].y_lo);
    buf_put(b, ",\"hi\":");
    buf_json_num(b, rows[i].y_hi);
    buf_put(b, ",\"range\":");
    char range[96];
    snprintf(range, sizeof range, "%.4g .. %.4g", p->lo * p->scale, p->hi * p->scale);
    buf_json_str(b, range);
    buf_put(b, "}");
  }
  buf_put(b,
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
  buf_json_str(b, o->metric);
  buf_put(b,
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
static void sobol_doc(buf *b, const sens_opts *o, const mc_sens *s, const sobol_out *so) {
  char text[640];
  snprintf(text, sizeof text,
           "Variance-based (Sobol) indices of %s over all %zu parameters at once, uniform "
           "on their ranges: first order (the share of the variance a parameter explains "
           "alone) and total (with its interactions), each with its %g%% bootstrap "
           "interval over the %d base samples (%zu resamples). %zu evaluations of %d "
           "replications each.",
           o->metric, s->nparam, 100 * so->level, o->sobol, so->resamples,
           (size_t)o->sobol * (s->nparam + 2), o->reps);
  buf_put(b, "{\"title\":\"Sensitivity: Sobol indices\",\"text\":");
  buf_json_str(b, text);
  buf_printf(b, ",\"order\":71,\"vega\":{\"width\":480,\"height\":%zu,\"padding\":5,"
                    "\"data\":[{\"name\":\"s\",\"values\":[",
                 26 * (s->nparam ? s->nparam : 1));
  for (size_t i = 0; i < s->nparam; i++) {
    const double v[2][3] = {{so->first[i], so->first_lo[i], so->first_hi[i]},
                            {so->total[i], so->total_lo[i], so->total_hi[i]}};
    for (int k = 0; k < 2; k++) {
      buf_printf(b, "%s{\"rank\":%zu,\"index\":\"%s\",\"name\":", i || k ? "," : "", i,
                     k ? "total" : "first order");
      buf_json_str(b, s->param[i].name);
      buf_put(b, ",\"v\":");
      buf_json_num(b, v[k][0]);
      buf_put(b, ",\"lo\":");
      buf_json_num(b, v[k][1]);
      buf_put(b, ",\"hi\":");
      buf_json_num(b, v[k][2]);
      buf_put(b, "}");
    }
  }
  buf_put(b,
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
                          double base, const oat_row *rows, const sobol_out *so) {
  buf b = BUF_INIT;
  tornado_doc(&b, o, s, base, rows);
  int err = b.failed ? ERR_NOMEM
                     : store_doc_put(st, run, "report.section.spillover-4-tornado", b.s);
  if (!err && so) {
    b.len = 0;
    sobol_doc(&b, o, s, so);
    err = b.failed ? ERR_NOMEM : store_doc_put(st, run, "report.section.spillover-5-sobol", b.s);
  }
  buf_release(&b);
  if (err) {
    cli_error("%s: cannot store the sensitivity: %s", o->db,
              err == ERR_NOMEM ? "out of memory" : store_errmsg(st));
    return CLI_FAILURE;
  }
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
                         const oat_row *rows, const sobol_out *so) {
  printf("sensitivity of %s: base %.4f (se %.4f), %d replications per point, "
         "ranges base x (1 -+ %g)\n\n",
         o->metric, base, base_se, o->reps, o->delta);
  printf("one at a time, largest swing first (tornado)\n");
  printf("%-60s %9s %9s %9s %9s %9s %9s\n", "parameter (rates per day)", "base", "low", "high", "at low",
         "at high", "swing");
  for (size_t i = 0; i < s->nparam; i++) {
    const mc_sens_param *p = &s->param[rows[i].param];
    char name[200];
    snprintf(name, sizeof name, "%s%s%s", p->name, *p->unit ? " " : "", p->unit);
    printf("%-60.60s %9.4g %9.4g %9.4g %9.4f %9.4f %9.4f\n", name, p->base * p->scale,
           p->lo * p->scale, p->hi * p->scale, rows[i].y_lo, rows[i].y_hi, rows[i].swing);
  }
  if (!so) return;
  printf("\nSobol indices (%d base samples, %zu evaluations): first order, total, "
         "%g%% bootstrap CI (%zu resamples)\n",
         o->sobol, (size_t)o->sobol * (s->nparam + 2), 100 * so->level, so->resamples);
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
  sens_opts o = {200, 0, 0.5, "spillover.occurred", NULL, NULL, NULL, 0};
  const char *overrides[64];
  size_t nover = 0;
  int status = parse_args(argc, argv, &o, overrides, &nover);
  if (status) return status < 0 ? CLI_OK : status;
  scn_scenario *sc = NULL;
  if ((status = cli_load_scenario(&sc, argv[optind], overrides, nover))) return status;
  diag *d = diag_new();
  mc_sens s;
  oat_row *rows = NULL;
  double *x = NULL, *lo = NULL, *hi = NULL, *cells = NULL, base, base_se;
  sobol_out so = {0}, *sop = NULL;
  store *st = NULL;
  int64_t run = 0;
  int rc = 0;
  memset(&s, 0, sizeof s);
  if (o.db && (status = d ? open_target(&o, sc, &st, &run, d) : CLI_FAILURE)) goto out;
  rc = d ? mc_sens_init(&s, sc, o.metric, o.delta, o.reps, NULL, d) : ERR_NOMEM;
  status = rc == ERR_NOTFOUND || rc == ERR_INPUT ? CLI_BAD_INPUT : CLI_FAILURE;
  if (rc) goto out;
  rows = calloc(s.nparam + 1, sizeof *rows);
  x = calloc(s.nparam + 1, sizeof *x);
  if (!rows || !x) goto out;
  if ((rc = mc_sens_eval(&s, NULL, &base, &base_se)) || (rc = run_oat(&s, rows, x))) goto out;
  if (o.sobol && s.nparam) {
    size_t k = s.nparam;
    cells = calloc(6 * k, sizeof *cells);
    lo = calloc(k, sizeof *lo), hi = calloc(k, sizeof *hi);
    if (!cells || !lo || !hi) goto out;
    for (size_t i = 0; i < k; i++) lo[i] = s.param[i].lo, hi[i] = s.param[i].hi;
    mc_sobol_ci ci = MC_SOBOL_CI_INIT;
    so = (sobol_out){cells, cells + k, cells + 2 * k, cells + 3 * k, cells + 4 * k, cells + 5 * k,
                     ci.resamples, ci.level};
    ci.first_lo = so.first_lo, ci.first_hi = so.first_hi;
    ci.total_lo = so.total_lo, ci.total_hi = so.total_hi;
    if ((rc = mc_sobol(k, (size_t)o.sobol, lo, hi, sobol_eval, &s, sc->seed, so.first,
                       so.total, &ci)))
      goto out;
    sop = &so;
  }
  print_tables(&o, &s, base, base_se, rows, sop);
  status = write_outputs(&o, &s, base, rows, sop);
  if (status == CLI_OK && st) status = store_sections(&o, st, run, &s, base, rows, sop);
out:
  if (d && diag_count(d, DIAG_ERROR)) diag_print(d, stderr, 0);
  else if (rc) cli_error("sensitivity failed: %s", err_strerror(rc));
  free(rows), free(x), free(cells), free(lo), free(hi);
  mc_sens_free(&s);
  store_close(st);
  diag_free(d);
  scn_free(sc);
  return status;
}
