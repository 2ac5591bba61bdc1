/* fuzz_sweep.c - libFuzzer target for the sweep file reader (scn_sweep_load) and the
 * design built from it (mc_sweep_design): the input is written to a temp file. */
#define _XOPEN_SOURCE 700 /* mkstemp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "fuzz.h"
#include "scn_sweep.h"
#include "sweep.h"

#define FUZZ_SWEEP_MAX_CELLS 20000 /* points x factors the design may build per input */

static char path[96];
static FILE *sink;

static void cleanup(void) {
  unlink(path);
  if (sink)
    fclose(sink);
}

static void setup(void) {
  const char *tmp = getenv("TMPDIR");
  snprintf(path, sizeof path, "%s/straits-fuzz-sweep-XXXXXX",
           tmp && strlen(tmp) < 48 ? tmp : "/tmp");
  int fd = mkstemp(path);
  if (fd < 0)
    abort();
  close(fd);
  sink = fopen("/dev/null", "w");
  atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!path[0])
    setup();
  FILE *f = fopen(path, "wb");
  if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
    abort();
  diag *d = diag_new();
  scn_sweep *sw = NULL;
  int rc = scn_sweep_load(&sw, path, d);
  if ((rc == 0) != (sw != NULL) || (rc != 0 && diag_count(d, DIAG_ERROR) == 0))
    abort();
  if (sw && (sw->points < 1 || sw->points > SCN_SWEEP_MAX_POINTS || sw->nfactor < 1))
    abort();
  if (sw && (size_t)sw->points * sw->nfactor <= FUZZ_SWEEP_MAX_CELLS) {
    char **set = NULL;
    if (mc_sweep_design(&set, sw, d) == 0) {
      for (size_t i = 0; i < (size_t)sw->points * sw->nfactor; i++) {
        if (!set[i] || !strchr(set[i], '='))
          abort();
        free(set[i]);
      }
      free(set);
    }
  }
  diag_print(d, sink, 0);
  scn_sweep_free(sw);
  diag_free(d);
  return 0;
}
