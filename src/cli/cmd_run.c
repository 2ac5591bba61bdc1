/* cmd_run.c - `straits run [SCENARIO]`: simulate, store, summarise. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_report.h"
#include "diag.h"
#include "err.h"
#include "mc_docs.h"
#include "store.h"

void cmd_run_usage(FILE *out) {
  fprintf(out,
          "usage: straits run [options] [SCENARIO]\n"
          "\n"
          "Simulate SCENARIO (default: the shipped Taiwan Strait scenario) as many\n"
          "independent replications, store every result and print a summary.\n"
          "\n"
          "  -n, --replications N  replications to run (default: the scenario's);\n"
          "                        with --until-ci, the most to run\n"
          "  -j, --threads N       worker threads (default: all CPUs); results do not\n"
          "                        depend on it\n"
          "      --until-ci REL    stop once every headline metric's 95%% confidence\n"
          "                        interval half-width is at most REL times its mean\n"
          "      --seed S          override the scenario's seed\n"
          "      --set KEY=VALUE   override a scalar of the scenario (repeatable)\n"
          "      --include-dir DIR  a folder includes may also come from (repeatable)\n"
          "      --db PATH         results store (default: straits.db)\n"
          "      --resume          finish the latest interrupted run of the same\n"
          "                        scenario, seed and options in the store\n"
          "      --authorities PATH  legal authorities table for the plan (default:\n"
          "                        the shipped data/authorities.yaml)\n"
          "  -q, --quiet           no summary table\n"
          "      --all             the summary lists every metric, not only the\n"
          "                        headline ones\n"
          "      --no-report       do not write the report (STORE.html beside the\n"
          "                        store: straits.db gives straits.html)\n");
}

typedef struct run_args {
  const char *scenario, *db;
  const char **overrides;
  size_t noverrides;
  const char **include_dirs;
  size_t ninclude_dirs;
  char seed_override[64];
  mc_options mc;
  int quiet;
  int all;
  int no_report;
  const char *authorities;
  cli_plan plan;
  size_t plan_errors, plan_warnings; /* the plan check's findings, for the summary */
} run_args;

/* Returns -1 to continue, or an exit status. */
static int parse_args(run_args *a, int argc, char **argv) {
  static const struct option longopts[] = {
      {"replications", required_argument, NULL, 'n'},
      {"threads", required_argument, NULL, 'j'},
      {"until-ci", required_argument, NULL, 'c'},
      {"seed", required_argument, NULL, 'S'},
      {"set", required_argument, NULL, 's'},
      {"db", required_argument, NULL, 'd'},
      {"resume", no_argument, NULL, 'r'},
      {"quiet", no_argument, NULL, 'q'},
      {"all", no_argument, NULL, 'a'},
      {"no-report", no_argument, NULL, 'R'},
      {"authorities", required_argument, NULL, 'A'},
      {"include-dir", required_argument, NULL, 'I'},
      {"help", no_argument, NULL, 'h'},
      {0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "n:j:qh", longopts, NULL)) != -1) {
    switch (c) {
    case 'n':
    case 'j':
      if (cli_parse_run_option(&a->mc, c, optarg)) return CLI_BAD_INPUT;
      break;
    case 'c': {
      char *end;
      double rel = strtod(optarg, &end);
      if (end == optarg || *end || !(rel > 0 && rel < 1)) {
        cli_error("--until-ci wants a relative half-width in (0, 1), e.g. 0.05, not '%s'",
                  optarg);
        return CLI_BAD_INPUT;
      }
      a->mc.until_ci = rel;
      break;
    }
    case 'S':
      snprintf(a->seed_override, sizeof a->seed_override, "scenario.seed=%s", optarg);
      a->overrides[a->noverrides++] = a->seed_override;
      break;
    case 's':
      a->overrides[a->noverrides++] = optarg;
      break;
    case 'd':
      a->db = optarg;
      break;
    case 'r':
      a->mc.resume = 1;
      break;
    case 'q':
      a->quiet = 1;
      break;
    case 'a':
      a->all = 1;
      break;
    case 'R':
      a->no_report = 1;
      break;
    case 'A':
      a->authorities = optarg;
      break;
    case 'I':
      a->include_dirs[a->ninclude_dirs++] = optarg;
      break;
    case 'h':
      cmd_run_usage(stdout);
      return CLI_OK;
    default:
      cmd_run_usage(stderr);
      return CLI_BAD_INPUT;
    }
  }
  if (optind < argc - 1) {
    cmd_run_usage(stderr);
    return CLI_BAD_INPUT;
  }
  a->scenario = optind < argc ? argv[optind] : cli_default_scenario();
  return -1;
}

/* The synchronization matrix and the plan check's findings, for the report's Gantt
 * chart and findings table (documents "plan.sync" and "plan.findings"). */
static int store_plan(store *st, int64_t run_id, run_args *a) {
  if (!a->plan.model) return 0;
  plan_report *report = NULL;
  diag *d = diag_new();
  char *sync = NULL, *findings = NULL;
  int err = d ? cli_plan_check(&report, &a->plan, PLAN_CHECK_SAMPLES, d) : ERR_NOMEM;
  if (!err) {
    a->plan_errors = plan_report_severity_count(report, DIAG_ERROR);
    a->plan_warnings = plan_report_severity_count(report, DIAG_WARNING);
    sync = plan_sync_json(report);
    findings = plan_check_json(report, a->scenario, a->authorities, d);
    err = sync && findings ? 0 : ERR_NOMEM;
  }
  if (!err) err = store_doc_put(st, run_id, "plan.sync", sync);
  if (!err) err = store_doc_put(st, run_id, "plan.findings", findings);
  if (err)
    cli_error("cannot record the plan in the store: %s",
              err == ERR_STORE ? store_errmsg(st) : err_strerror(err));
  free(sync), free(findings);
  plan_report_free(report);
  diag_free(d);
  return err;
}

int cmd_run(int argc, char **argv) {
  run_args a = {.db = "straits.db", .mc = MC_OPTIONS_INIT};
  scn_scenario *sc = NULL;
  store *st = NULL;
  mc_result *res = NULL;
  diag *d = NULL;
  cli_objectives objectives = {0};
  int rc;
  a.overrides = calloc((size_t)argc + 1, sizeof *a.overrides);
  a.include_dirs = calloc((size_t)argc + 1, sizeof *a.include_dirs);
  if (!a.overrides || !a.include_dirs) {
    free(a.overrides), free(a.include_dirs);
    return CLI_FAILURE;
  }
  if ((rc = parse_args(&a, argc, argv)) >= 0) goto done;
  if ((rc = cli_load_scenario_in(&sc, a.scenario, a.overrides, a.noverrides, a.include_dirs,
                                  a.ninclude_dirs)) != CLI_OK)
    goto done;
  a.mc.progress = cli_progress;
  a.mc.version = STRAITS_VERSION;
  if (!(d = diag_new())) {
    rc = CLI_FAILURE;
    goto done;
  }
  /* A plan needs the legal authorities table; its names are checked before running. */
  if (plan_scenario_uses(sc)) {
    /* Its own diagnostics: the run's preparation repeats the model's warnings. */
    diag *pd = diag_new();
    int perr = pd ? cli_plan_open(&a.plan, sc, a.authorities, pd) : ERR_NOMEM;
    if (perr) diag_print(pd, stderr, isatty(fileno(stderr)));
    diag_free(pd);
    if (perr) {
      rc = perr == ERR_NOMEM ? CLI_FAILURE : CLI_BAD_INPUT;
      goto done;
    }
    a.mc.authorities = a.plan.table;
  }
  int err = store_open(&st, a.db, d);
  if (err == 0) err = mc_run(&res, sc, &a.mc, st, d);
  diag_print(d, stderr, isatty(fileno(stderr)));
  if (err < 0) {
    if (diag_count(d, DIAG_ERROR) == 0) cli_error("run failed: %s", err_strerror(err));
    /* A module that finds a problem in the scenario while preparing is bad input. */
    rc = err == ERR_MISMATCH || err == ERR_INPUT ? CLI_BAD_INPUT : CLI_FAILURE;
    goto done;
  }
  /* The run's documents and the plan go into the store so that a report needs nothing
   * else (mc_docs.h). */
  diag *dd = diag_new();
  err = dd ? mc_store_docs(st, res->run_id, sc, &a.mc, dd) : ERR_NOMEM;
  diag_print(dd, stderr, isatty(fileno(stderr)));
  diag_free(dd);
  if (err || store_plan(st, res->run_id, &a)) {
    if (err == ERR_NOMEM) cli_error("cannot record the run's documents: out of memory");
    rc = CLI_FAILURE;
    goto done;
  }
  /* The objectives' verdicts, for the report and the head of the summary.  A metric an
   * objective names that no module defined is only known now: bad input, located. */
  diag *od = diag_new();
  err = od ? cli_objectives_eval(&objectives, sc, res, st, od) : ERR_NOMEM;
  diag_print(od, stderr, isatty(fileno(stderr)));
  diag_free(od);
  if (err) {
    if (err != ERR_INPUT) cli_error("cannot judge the objectives: %s", err_strerror(err));
    rc = err == ERR_INPUT ? CLI_BAD_INPUT : CLI_FAILURE;
    goto done;
  }
  char report[4096] = "";
  if (!a.no_report && cli_report_available()) {
    cli_report_path_for(report, sizeof report, a.db);
    if ((rc = cli_write_report(st, res->run_id, report)) != CLI_OK) goto done;
  }
  if (!a.quiet) {
    int threads = a.mc.threads > 0 ? a.mc.threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    cli_print_summary(stdout, sc, res, a.db, threads, a.all, &objectives);
    if (a.plan_errors + a.plan_warnings)
      printf("plan check: %zu error%s, %zu warning%s (straits check %s lists them)\n",
             a.plan_errors, a.plan_errors == 1 ? "" : "s", a.plan_warnings,
             a.plan_warnings == 1 ? "" : "s", a.scenario);
    if (report[0]) printf("report: %s\n", report);
  }
  rc = CLI_OK;
done:
  cli_objectives_release(&objectives);
  mc_result_free(res);
  cli_plan_close(&a.plan);
  store_close(st);
  diag_free(d);
  scn_free(sc);
  free(a.overrides);
  free(a.include_dirs);
  return rc;
}
