/* cmd_version.c - `straits version`: the version and the libraries it was built with. */
#include <gsl/gsl_version.h>
#include <stdio.h>

#include "cli.h"

void cmd_version_usage(FILE *out) { fprintf(out, "usage: straits version\n"); }

int cmd_version(int argc, char **argv) {
  (void)argv;
  if (argc > 1) {
    cmd_version_usage(stderr);
    return CLI_BAD_INPUT;
  }
  printf("straits %s\n", STRAITS_VERSION);
  printf("GSL %s; licence GPL-3.0-or-later\n", GSL_VERSION);
  return CLI_OK;
}
