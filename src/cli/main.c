/* main.c - entry point of the straits command: dispatch to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

const cli_command cli_commands[] = {
    {"run", cmd_run, cmd_run_usage, "simulate a scenario many times and summarise it"},
    {"check", cmd_check, cmd_check_usage, "validate a scenario and report every problem"},
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
