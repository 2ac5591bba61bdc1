/* cli_layers.c - the models' report documents (map layers) of a run, through the
 * registry's docs hooks (mc_module_docs), with their failures printed. */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "cli_report.h"
#include "err.h"
#include "mc.h"

int cli_store_layers(store *st, int64_t run_id, const scn_scenario *sc) {
  diag *d = diag_new();
  if (!d) return ERR_NOMEM;
  mc_options opt = MC_OPTIONS_INIT;
  int err = mc_module_docs(st, run_id, sc, &opt, d);
  diag_print(d, stderr, isatty(fileno(stderr)));
  diag_free(d);
  return err;
}
