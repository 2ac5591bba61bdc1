/* main.c - entry point of the straits command: dispatch to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* In the order a study uses them: check and run, then analyse, then tools. */
const cli_command cli_commands[] = {
    {"check", cmd_check, cmd_check_usage, "validate a scenario and report every problem"},
    {"run", cmd_run, cmd_run_usage, "simulate a scenario many times and summarise it"},
    {"show", cmd_show, cmd_show_usage, "draw a scenario's map, event tree and plan before a run"},
    {"plan", cmd_plan, cmd_plan_usage, "place the plan's tasks in time (synchronization matrix)"},
    {"report", cmd_report, cmd_report_usage, "write a self-contained HTML report of a run"},
    {"export", cmd_export, cmd_export_usage, "export a run as JSON, CSV, GeoJSON or SQLite tables"},
    {"compare", cmd_compare, cmd_compare_usage,
     "compare courses of action with common random numbers"},
    {"sweep", cmd_sweep, cmd_sweep_usage, "run a design over scenario overrides (CRN, MPI)"},
    {"spillover", cmd_spillover, cmd_spillover_usage,
     "how likely, how soon and by which paths violence reaches Japanese territory"},
    {"sensitivity", cmd_sensitivity, cmd_sensitivity_usage,
     "which event probabilities and escalation rates move a crisis metric most"},
    {"trace", cmd_trace, cmd_trace_usage,
     "one replication's timeline, re-simulated from its seed"},
    {"inspect-sweep", cmd_inspect_sweep, cmd_inspect_sweep_usage,
     "find the fewest inspection assets that meet a target coverage"},
    {"sar", cmd_sar, cmd_sar_usage, "plan the search for one missing-person case"},
    {"env", cmd_env, cmd_env_usage, "write or sample a current/wind NetCDF field"},
    {"verify", cmd_verify, cmd_verify_usage,
     "check a results store and drop damaged replications"},
    {"version", cmd_version, cmd_version_usage, "print the version"},
    {"help", cmd_help, cmd_help_usage, "show help for straits or one command"},
    {NULL, NULL, NULL, NULL},
};

const cli_command *cli_find_command(const char *name) {
  for (const cli_command *c = cli_commands; c->name; c++)
    if (strcmp(c->name, name) == 0) return c;
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    cmd_help_usage(stderr);
    return CLI_BAD_INPUT;
  }
  const char *name = argv[1];
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) name = "help";
  if (strcmp(name, "--version") == 0) name = "version";
  const cli_command *cmd = cli_find_command(name);
  if (!cmd) {
    cli_error("'%s' is not a straits command; see 'straits help'", argv[1]);
    return CLI_BAD_INPUT;
  }
  return cmd->run(argc - 1, argv + 1);
}
