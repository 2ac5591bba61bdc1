/* scn_diagnose.c - load one scenario and print its diagnostics, as `straits check`
 * does: the golden tests in bad/ compare this output with the .expected files.
 * Usage: scn_diagnose FILE [--set path=value]...   Exit 0 ok, 2 errors, 1 usage. */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "scenario.h"
#include "ops.h"

int main(int argc, char **argv) {
  const char *overrides[64];
  size_t n = 0;
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--set") == 0 && i + 1 < argc && n < 64)
      overrides[n++] = argv[++i];
    else if (!path)
      path = argv[i];
    else
      path = NULL, i = argc;
  }
  if (!path) {
    fprintf(stderr, "usage: scn_diagnose FILE [--set path=value]...\n");
    return 1;
  }
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  opt.overrides = overrides;
  opt.noverrides = n;
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  int rc = scn_load(&sc, path, &opt, d);
  diag_print(d, stdout, 0);
  scn_free(sc);
  diag_free(d);
  return rc ? 2 : 0;
}
