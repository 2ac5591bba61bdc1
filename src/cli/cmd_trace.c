/* cmd_trace.c - `straits trace STORE --replication N` (issue 19 item 4): one
 * replication of a stored run re-simulated from its seed (mc_trace.h), checked against
 * the stored metrics bit for bit, and its timeline printed one timed line each. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_report.h"
#include "diag.h"
#include "err.h"
#include "mc.h"
#include "mc_trace.h"
#include "plan.h"
#include "quantity.h"

void cmd_trace_usage(FILE *out) {
  fprintf(out,
          "usage: straits trace [options] STORE (--replication N | --worst METRIC |\n"
          "                                      --where 'METRIC=V')\n"
          "\n"
          "Run one replication of a stored run again from its seed, with every model,\n"
          "check that its metrics equal the stored ones bit for bit, and print its\n"
          "timeline: crisis events, situation changes, sites and regions, gates,\n"
          "phases, task starts, pauses and ends, decisions; one line each, with the\n"
          "scenario's date and the time since its epoch.  The scenario is read again\n"
          "from the path the run recorded (or --scenario), with the same --set\n"
          "overrides and --authorities the run had: the study hash must match.\n"
          "\n"
          "  -r, --replication N  that replication (0 is the first)\n"
          "      --worst METRIC   the replication where METRIC (module.name) is worst:\n"
          "                       the largest for a metric where less is better, the\n"
          "                       smallest for one where more is; else the largest\n"
          "      --where COND     the first replication where COND holds: METRIC=V,\n"
          "                       METRIC<V or METRIC>V (V in the metric's SI unit)\n"
          "      --run ID         which run of the store (default: the newest)\n"
          "      --scenario FILE  the scenario file, if it moved since the run\n"
          "      --set KEY=VALUE  an override the run had (repeatable)\n"
          "      --authorities PATH  the table the run had (default: the shipped one)\n"
          "  -o, --output FILE.html  also store the story as the run's report section\n"
          "                       'report.section.story' (a Gantt chart of the\n"
          "                       timeline; it replaces an earlier one) and write the\n"
          "                       run's report with it to FILE.html\n");
}

typedef struct trace_args {
  const char *db, *worst, *where, *scenario, *authorities, *output;
  long replication; /* -1: chosen by --worst or --where */
  int64_t run;
  const char *overrides[65]; /* the --set overrides, and the run's seed */
  size_t nover;
  char seed_override[48];
} trace_args;

static int parse_args(int argc, char **argv, trace_args *a) {
  static const struct option longopts[] = {
      {"replication", required_argument, NULL, 'r'},
      {"worst", required_argument, NULL, 'w'},
      {"where", required_argument, NULL, 'W'},
      {"run", required_argument, NULL, 'R'},
      {"scenario", required_argument, NULL, 'f'},
      {"set", required_argument, NULL, 'S'},
      {"authorities", required_argument, NULL, 'A'},
      {"output", required_argument, NULL, 'o'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  int c;
  char *end;
  optind = 1;
  while ((c = getopt_long(argc, argv, "r:o:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'r':
      a->replication = strtol(optarg, &end, 10);
      if (*end || end == optarg || a->replication < 0 || a->replication > MC_MAX_REPLICATIONS)
        return cli_error("--replication needs 0..%d, got '%s'", MC_MAX_REPLICATIONS, optarg),
               CLI_BAD_INPUT;
      break;
    case 'w':
      a->worst = optarg;
      break;
    case 'W':
      a->where = optarg;
      break;
    case 'R':
      if (cli_parse_run_id(optarg, &a->run)) return CLI_BAD_INPUT;
      break;
    case 'f':
      a->scenario = optarg;
      break;
    case 'A':
      a->authorities = optarg;
      break;
    case 'o':
      a->output = optarg;
      break;
    case 'S':
      if (a->nover >= 64) return cli_error("too many --set overrides (64 at most)"), CLI_BAD_INPUT;
      a->overrides[a->nover++] = optarg;
      break;
    case 'h':
      cmd_trace_usage(stdout);
      return -1;
    default:
      cmd_trace_usage(stderr);
      return CLI_BAD_INPUT;
    }
  }
  int chosen = (a->replication >= 0) + !!a->worst + !!a->where;
  if (argc - optind != 1 || chosen != 1) {
    if (argc - optind == 1) cli_error("give one of --replication, --worst and --where");
    cmd_trace_usage(stderr);
    return CLI_BAD_INPUT;
  }
  a->db = argv[optind];
  return CLI_OK;
}

/* ---- which replication ------------------------------------------------------------- */

/* "module.name" in ms, or -1 with a message (and the nearest name). */
static int metric_named(const metric_set *ms, const char *name, size_t len) {
  char full[256];
  for (size_t i = 0; i < ms->n; i++) {
    snprintf(full, sizeof full, "%s.%s", ms->def[i].module, ms->def[i].name);
    if (strlen(full) == len && strncmp(full, name, len) == 0) return (int)i;
  }
  cli_error("no metric '%.*s' in this run ('straits export --csv' lists them)", (int)len, name);
  return -1;
}

/* The replication with the worst value of metric m (NaN skipped; ties: the first). */
static long worst_of(const double *v, size_t n, int direction) {
  long best = -1;
  for (size_t r = 0; r < n; r++) {
    if (isnan(v[r])) continue;
    double x = direction > 0 ? -v[r] : v[r]; /* worst: the largest of x */
    if (best < 0 || x > (direction > 0 ? -v[best] : v[best])) best = (long)r;
  }
  return best;
}

/* The first replication where "METRIC=V" ("<", ">") holds; *matches counts them. */
static long first_where(const double *v, size_t n, char op, double bound, size_t *matches) {
  long first = -1;
  *matches = 0;
  for (size_t r = 0; r < n; r++) {
    int hit = op == '=' ? v[r] == bound : op == '<' ? v[r] < bound : v[r] > bound;
    if (!hit) continue;
    if (first < 0) first = (long)r;
    (*matches)++;
  }
  return first;
}

static int choose(trace_args *a, store *st, int64_t run, const metric_set *stored, size_t n) {
  if (a->replication >= 0) {
    if ((size_t)a->replication >= n)
      return cli_error("run %lld has replications 0..%zu: no %ld", (long long)run, n - 1,
                       a->replication),
             CLI_BAD_INPUT;
    return CLI_OK;
  }
  const char *text = a->worst ? a->worst : a->where;
  size_t len = a->worst ? strlen(text) : strcspn(text, "=<>");
  if (!a->worst && !text[len])
    return cli_error("--where needs METRIC=V, METRIC<V or METRIC>V, got '%s'", text), CLI_BAD_INPUT;
  int m = metric_named(stored, text, len);
  if (m < 0) return CLI_BAD_INPUT;
  double *v = malloc((n ? n : 1) * sizeof *v);
  if (!v || store_metric_values(st, run, stored, m, v, n))
    return free(v), cli_error("%s: cannot read the metric's values", a->db), CLI_FAILURE;
  if (a->worst) {
    a->replication = worst_of(v, n, metric_direction(stored->def[m].flags));
    if (a->replication >= 0)
      printf("worst %s: %.17g in replication %ld\n", text, v[a->replication], a->replication);
  } else {
    char *end;
    double bound = strtod(text + len + 1, &end);
    size_t matches;
    if (*end || end == text + len + 1) {
      free(v);
      return cli_error("--where: '%s' is not a number", text + len + 1), CLI_BAD_INPUT;
    }
    a->replication = first_where(v, n, text[len], bound, &matches);
    if (a->replication >= 0)
      printf("%s holds in %zu of %zu replications; the first is %ld\n", text, matches, n,
             a->replication);
  }
  free(v);
  if (a->replication < 0) return cli_error("no replication has '%s'", text), CLI_BAD_INPUT;
  return CLI_OK;
}

/* ---- the timeline ------------------------------------------------------------------ */

static void print_line(void *ctx, double t, const char *module, const char *text) {
  const scn_scenario *sc = ctx;
  char elapsed[32], date[32];
  time_t at = (time_t)(sc->epoch_unix + (int64_t)floor(t));
  struct tm tm;
  qty_format(elapsed, sizeof elapsed, t, QTY_DURATION);
  if (gmtime_r(&at, &tm))
    strftime(date, sizeof date, "%Y-%m-%dT%H:%MZ", &tm);
  else
    snprintf(date, sizeof date, "?");
  printf("%s  +%-8s %-12s %s\n", date, t > 0 ? elapsed : "0", module, text);
}

/* Every scalar metric bit for bit (NaN: not observed, either way): 0, or the first that
 * differs.  A series' points are stored apart from the values (*nseries counts them). */
static int compare_stored(const metric_set *ms, const double *now, const double *stored, size_t n,
                          long rep, size_t *nseries) {
  *nseries = 0;
  for (size_t k = 0; k < n; k++) {
    if (ms->def[k].flags & METRIC_SERIES) {
      (*nseries)++;
      continue;
    }
    if (memcmp(&now[k], &stored[k], sizeof now[k]) == 0) continue;
    if (isnan(now[k]) && isnan(stored[k])) continue; /* not observed either way */
    cli_error(
        "replication %ld re-simulated differs from the store: %s.%s is %.17g, "
        "stored %.17g",
        rep, ms->def[k].module, ms->def[k].name, now[k], stored[k]);
    return CLI_FAILURE;
  }
  return CLI_OK;
}

/* The scenario as the run had it, checked by its study hash.  The run's seed is the
 * store's: where it differs from the scenario's (a run with --seed), it is applied as
 * the last override, where `straits run --seed` puts it after its --set overrides. */
static int load_study(trace_args *a, const store_run_row *row, scn_scenario **sc, cli_plan *plan) {
  const char *path = a->scenario ? a->scenario : row->scenario_path;
  int status = cli_load_scenario(sc, path, a->overrides, a->nover);
  if (status) return status;
  if ((*sc)->seed != row->seed && a->nover < 64) {
    snprintf(a->seed_override, sizeof a->seed_override, "scenario.seed=%llu",
             (unsigned long long)row->seed);
    a->overrides[a->nover++] = a->seed_override;
    scn_free(*sc);
    *sc = NULL;
    if ((status = cli_load_scenario(sc, path, a->overrides, a->nover))) return status;
  }
  diag *d = diag_new();
  if (!d) return CLI_FAILURE;
  /* As straits run does: the table only for a scenario with a plan. */
  int err = plan_scenario_uses(*sc) ? cli_plan_open(plan, *sc, a->authorities, d) : 0;
  mc_options opt = MC_OPTIONS_INIT;
  opt.authorities = plan->table;
  char hash[HASH_SHA256_HEX];
  if (!err) err = mc_study_hash(hash, *sc, &opt, d);
  diag_print(d, stderr, 0);
  diag_free(d);
  if (err) return err == ERR_NOMEM ? CLI_FAILURE : CLI_BAD_INPUT;
  if (strcmp(hash, row->scenario_hash) != 0) {
    cli_error(
        "%s is not the study of run %lld (study hash %.12s..., the run's %.12s...): "
        "give the --set overrides and --authorities the run had",
        path, (long long)row->id, hash, row->scenario_hash);
    return CLI_BAD_INPUT;
  }
  return CLI_OK;
}

/* The story as the run's section "report.section.story" (re-simulated once more, and
 * checked again), then the run's report with it. */
static int write_story(const trace_args *a, store *st, const store_run_row *row,
                       const scn_scenario *sc, const cli_plan *plan, const double *stored,
                       size_t nstored) {
  char why[256] = "";
  if (a->worst) snprintf(why, sizeof why, "the worst %s", a->worst);
  if (a->where) snprintf(why, sizeof why, "the first where %s", a->where);
  strbuf b = STRBUF_INIT;
  metric_set ms;
  double *now = NULL;
  size_t nseries;
  metric_set_init(&ms);
  diag *d = diag_new();
  int err = d ? mc_trace_story(&b, sc, plan->table, (uint32_t)a->replication, why, &ms, &now, d)
              : ERR_NOMEM;
  diag_print(d, stderr, 0);
  diag_free(d);
  int status = err ? CLI_FAILURE : CLI_OK;
  if (err) cli_error("cannot re-simulate replication %ld: %s", a->replication, err_strerror(err));
  if (!status && ms.n != nstored) status = CLI_FAILURE;
  if (!status) status = compare_stored(&ms, now, stored, ms.n, a->replication, &nseries);
  if (!status && store_doc_put(st, row->id, "report.section.story", b.s)) {
    cli_error("%s: cannot store the story", a->db);
    status = CLI_FAILURE;
  }
  if (!status) status = cli_write_report(st, row->id, a->output);
  if (!status) printf("report with the story of replication %ld: %s\n", a->replication, a->output);
  free(now);
  metric_set_release(&ms);
  strbuf_release(&b);
  return status;
}

static int trace_run(trace_args *a, store *st, const store_run_row *row) {
  scn_scenario *sc = NULL;
  cli_plan plan = {0};
  metric_set stored, ms;
  double *now = NULL, *all = NULL;
  size_t n = (size_t)row->replications_done;
  metric_set_init(&ms);
  int status = store_metric_defs(st, row->id, &stored) ? CLI_FAILURE : CLI_OK;
  if (!status) status = load_study(a, row, &sc, &plan);
  if (!status) status = choose(a, st, row->id, &stored, n);
  if (status) goto done;
  all = malloc((stored.n ? stored.n : 1) * sizeof *all);
  if (!all || store_values_chunk(st, row->id, &stored, (size_t)a->replication,
                                 (size_t)a->replication + 1, all)) {
    status = CLI_FAILURE;
    cli_error("%s: cannot read replication %ld", a->db, a->replication);
    goto done;
  }
  printf("replication %ld of run %lld (%s, seed %llu), re-simulated:\n", a->replication,
         (long long)row->id, sc->name ? sc->name : row->scenario_name,
         (unsigned long long)sc->seed);
  ops_trace sink = {sc, print_line};
  diag *d = diag_new();
  int err = d ? mc_trace_replication(sc, plan.table, (uint32_t)a->replication, &sink, &ms, &now, d)
              : ERR_NOMEM;
  diag_print(d, stderr, 0);
  diag_free(d);
  if (err) {
    status = CLI_FAILURE;
    cli_error("cannot re-simulate replication %ld: %s", a->replication, err_strerror(err));
    goto done;
  }
  if (ms.n != stored.n) {
    status = CLI_FAILURE;
    cli_error("the models define %zu metrics now, the run stored %zu", ms.n, stored.n);
    goto done;
  }
  size_t nseries;
  status = compare_stored(&ms, now, all, ms.n, a->replication, &nseries);
  if (!status)
    printf(
        "at the horizon: all %zu metrics equal the stored ones bit for bit (%zu time "
        "series not compared)\n",
        ms.n - nseries, nseries);
  if (!status && a->output) status = write_story(a, st, row, sc, &plan, all, stored.n);
done:
  free(now), free(all);
  metric_set_release(&ms);
  metric_set_release(&stored);
  cli_plan_close(&plan);
  scn_free(sc);
  return status;
}

int cmd_trace(int argc, char **argv) {
  trace_args a = {.replication = -1};
  int status = parse_args(argc, argv, &a);
  if (status) return status < 0 ? CLI_OK : status;
  store *st = NULL;
  if ((status = cli_open_store(&st, a.db))) return status;
  store_run_row row;
  int64_t run = a.run;
  if (!run && store_run_latest(st, &run)) {
    cli_error("%s: no run to trace", a.db);
    status = CLI_BAD_INPUT;
  } else if (store_run_read(st, run, &row)) {
    cli_error("%s: no run %lld", a.db, (long long)run);
    status = CLI_BAD_INPUT;
  } else {
    status = trace_run(&a, st, &row);
  }
  store_close(st);
  return status;
}
