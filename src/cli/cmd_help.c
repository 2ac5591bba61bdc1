/* cmd_help.c - `straits help [COMMAND]`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

void cmd_help_usage(FILE *out) {
  fprintf(out,
          "usage: straits COMMAND [ARGS]\n"
          "\n"
          "straits checks and simulates bilateral US-Japan contingency plans.\n"
          "\n"
          "commands:\n");
  int width = 0;
  for (const cli_command *c = cli_commands; c->name; c++)
    if ((int)strlen(c->name) > width) width = (int)strlen(c->name);
  for (const cli_command *c = cli_commands; c->name; c++)
    fprintf(out, "  %-*s  %s\n", width, c->name, c->summary);
  fprintf(out, "\n'straits help COMMAND' shows one command's options.\n"
               "exit status: 0 ok, 1 runtime failure, 2 bad usage or input\n");
}

int cmd_help(int argc, char **argv) {
  if (argc < 2) {
    cmd_help_usage(stdout);
    return CLI_OK;
  }
  const cli_command *c = cli_find_command(argv[1]);
  if (!c || argc > 2) {
    cli_error("no help for '%s'; commands are listed by 'straits help'", argv[1]);
    return CLI_BAD_INPUT;
  }
  c->usage(stdout);
  return CLI_OK;
}
