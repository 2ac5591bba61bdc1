/* cmd_show.c - `straits show SCENARIO -o FILE.html`: what a scenario says, drawn
 * before any run: its theater map, crisis event tree and plan, through the report.
 *
 * The documents go into an in-memory store under a run of no replications, written
 * by the same functions `straits run` uses (mc_docs.h, the plan check's sync
 * matrix), so the preview and a run's report can never draw a scenario differently. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "cli_report.h"
#include "diag.h"
#include "err.h"
#include "mc_docs.h"
#include "store.h"

void cmd_show_usage(FILE *out) {
  fprintf(out,
          "usage: straits show [options] SCENARIO -o FILE.html\n"
          "\n"
          "Check SCENARIO as `straits check` does and, before any run, draw what it\n"
          "says: the theater map (places, regions, routes, forces at their bases, SAR\n"
          "datums, the inspection zone), the crisis event tree (probabilities, branch\n"
          "shares, delays) and the plan's phases and tasks with their authorities.\n"
          "\n"
          "  -o, --output FILE     the page to write (required)\n"
          "      --authorities PATH  legal authorities table for the plan (default:\n"
          "                        the shipped data/authorities.yaml)\n");
}

/* The plan's sync matrix and findings, as cmd_run.c's store_plan records them. */
static int show_plan(store *st, int64_t run_id, const scn_scenario *sc, const char *path,
                     const char *authorities, mc_options *mc, cli_plan *p) {
  plan_report *report = NULL;
  char *sync = NULL, *findings = NULL;
  diag *d = diag_new();
  int err = d ? cli_plan_open(p, sc, authorities, d) : ERR_NOMEM;
  if (!err) err = cli_plan_check(&report, p, PLAN_CHECK_SAMPLES, d);
  diag_print(d, stderr, 0);
  if (!err) {
    mc->authorities = p->table;
    sync = plan_sync_json(report);
    findings = plan_check_json(report, path, authorities, d);
    err = sync && findings ? 0 : ERR_NOMEM;
  }
  if (!err) err = store_doc_put(st, run_id, "plan.sync", sync);
  if (!err) err = store_doc_put(st, run_id, "plan.findings", findings);
  free(sync), free(findings);
  plan_report_free(report);
  diag_free(d);
  return err;
}

static int show_docs(store *st, const scn_scenario *sc, const char *path,
                     const char *authorities, int64_t *run_id) {
  metric_set ms;
  mc_options mc = MC_OPTIONS_INIT;
  cli_plan plan = {0};
  store_run_info info = {sc->name, sc->hash, sc->path, sc->seed, STRAITS_VERSION,
                          REP_PREVIEW_OPTIONS, 0};
  diag *d = diag_new();
  /* The run's metric definitions as `run` stores them: the models' documents are
   * written only for a run whose metrics they define (mc_module_docs). */
  int err = d ? mc_define_metrics(&ms, sc, d) : ERR_NOMEM;
  if (!err) err = store_run_begin(st, run_id, &info, &ms, d);
  if (!err && plan_scenario_uses(sc))
    err = show_plan(st, *run_id, sc, path, authorities, &mc, &plan);
  if (!err) err = mc_store_docs(st, *run_id, sc, &mc, d);
  diag_print(d, stderr, 0);
  if (err == ERR_NOMEM) cli_error("cannot draw the scenario: out of memory");
  else if (err == ERR_STORE) cli_error("cannot draw the scenario: %s", store_errmsg(st));
  cli_plan_close(&plan);
  metric_set_release(&ms);
  diag_free(d);
  return err;
}

int cmd_show(int argc, char **argv) {
  static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
                                           {"authorities", required_argument, NULL, 'A'},
                                           {"help", no_argument, NULL, 'h'},
                                           {0}};
  const char *out = NULL, *authorities = NULL;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'o': out = optarg; break;
    case 'A': authorities = optarg; break;
    case 'h': cmd_show_usage(stdout); return CLI_OK;
    default: cmd_show_usage(stderr); return CLI_BAD_INPUT;
    }
  }
  if (optind != argc - 1 || !out) {
    cmd_show_usage(stderr);
    return CLI_BAD_INPUT;
  }
  const char *path = argv[optind];
  if (cli_wrong_file(path, CLI_FILE_SCENARIO)) return CLI_BAD_INPUT;
  if (!cli_report_available()) return CLI_FAILURE;
  scn_scenario *sc = NULL;
  store *st = NULL;
  int64_t run_id = 0;
  int rc = cli_load_scenario(&sc, path, NULL, 0);
  if (rc != CLI_OK) return rc;
  diag *d = diag_new();
  int err = d ? store_open(&st, ":memory:", d) : ERR_NOMEM;
  diag_print(d, stderr, 0);
  diag_free(d);
  if (!err) err = show_docs(st, sc, path, authorities, &run_id);
  rc = err == ERR_INPUT || err == ERR_MISMATCH ? CLI_BAD_INPUT : err ? CLI_FAILURE : CLI_OK;
  if (rc == CLI_OK) rc = cli_write_report(st, run_id, out);
  if (rc == CLI_OK) printf("preview: %s\n", out);
  store_close(st);
  scn_free(sc);
  return rc;
}
