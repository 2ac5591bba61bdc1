/* cmd_check.c - `straits check SCENARIO`: load and validate, report every problem. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

void cmd_check_usage(FILE *out) {
  fprintf(out,
          "usage: straits check [--set KEY=VALUE]... SCENARIO\n"
          "\n"
          "Validate SCENARIO and print every error as file:line:col, with the\n"
          "source line and a caret.  Exit status 0 when it is valid, 2 otherwise.\n"
          "\n"
          "  --set KEY=VALUE   override a scalar, e.g. scenario.seed=7 (repeatable)\n");
}

int cmd_check(int argc, char **argv) {
  static const struct option longopts[] = {
      {"set", required_argument, NULL, 's'}, {"help", no_argument, NULL, 'h'}, {0}};
  const char **overrides = calloc((size_t)argc, sizeof *overrides);
  size_t noverrides = 0;
  int rc = CLI_BAD_INPUT, c;
  if (!overrides) return CLI_FAILURE;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    if (c == 's') overrides[noverrides++] = optarg;
    else if (c == 'h') {
      cmd_check_usage(stdout);
      rc = CLI_OK;
      goto done;
    } else {
      cmd_check_usage(stderr);
      goto done;
    }
  }
  if (optind != argc - 1) {
    cmd_check_usage(stderr);
    goto done;
  }
  scn_scenario *sc = NULL;
  rc = cli_load_scenario(&sc, argv[optind], overrides, noverrides);
  if (rc == CLI_OK)
    printf("%s: ok: %zu places, %zu regions, %zu routes, %zu forces, %zu events\n",
           argv[optind], sc->nplace, sc->nregion, sc->nroute, sc->nforce, sc->nevent);
  scn_free(sc);
done:
  free(overrides);
  return rc;
}
