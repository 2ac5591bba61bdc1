/* fuzz_scenario.c - libFuzzer target for the scenario loader (scn_load) and the
 * diagnostics printer it feeds.
 *
 * The loader reads files (includes are resolved against the including file), so each
 * input is written to main.yaml in a private temporary folder that also holds a small
 * include, inc.yaml.  Leading lines "#--set KEY=VALUE" (YAML comments, so the file
 * still parses) are also passed as --set overrides, so the fuzzer reaches the
 * override code too.  Caps are lowered so no input can make one run slow. */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "fuzz.h"
#include "scenario.h"
#include "ops.h"

#define FUZZ_MAX_OVERRIDES 8

static const char include_text[] =
    "theater:\n"
    "  places:\n"
    "    - {id: kadena, name: Kadena, kind: airfield, lat: 26.35, lon: 127.77, nation: JP}\n";

static char dir[64], main_path[96], inc_path[96];
static FILE *sink;

static void cleanup(void) {
  unlink(main_path);
  unlink(inc_path);
  rmdir(dir);
  if (sink)
    fclose(sink);
}

static int write_file(const char *path, const void *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f)
    return -1;
  size_t put = size ? fwrite(data, 1, size, f) : 0;
  return (fclose(f) == 0 && put == size) ? 0 : -1;
}

static void setup(void) {
  const char *tmp = getenv("TMPDIR");
  snprintf(dir, sizeof dir, "%s/straits-fuzz-XXXXXX", tmp && strlen(tmp) < 32 ? tmp : "/tmp");
  if (!mkdtemp(dir))
    abort();
  snprintf(main_path, sizeof main_path, "%s/main.yaml", dir);
  snprintf(inc_path, sizeof inc_path, "%s/inc.yaml", dir);
  if (write_file(inc_path, include_text, sizeof include_text - 1))
    abort();
  /* An input that includes /dev/stdin must not wait for a terminal. */
  if (!freopen("/dev/null", "r", stdin))
    abort();
  sink = fopen("/dev/null", "w");
  atexit(cleanup);
}

/* Collect "#--set " lines at the start of the text (copied: they end at '\n'). */
static size_t overrides(char *copy, const char **out) {
  size_t n = 0;
  char *p = copy;
  while (n < FUZZ_MAX_OVERRIDES && strncmp(p, "#--set ", 7) == 0) {
    char *eol = strchr(p, '\n');
    if (!eol)
      break;
    *eol = '\0';
    out[n++] = p + 7;
    p = eol + 1;
  }
  return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!dir[0])
    setup();
  if (write_file(main_path, data, size))
    abort();
  char *copy = malloc(size + 1);
  if (!copy)
    return 0;
  memcpy(copy, data, size);
  copy[size] = '\0';
  const char *set[FUZZ_MAX_OVERRIDES];

  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  opt.max_file_bytes = 1u << 16;
  opt.max_nodes = 20000;
  opt.overrides = set;
  opt.noverrides = overrides(copy, set);
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  int rc = scn_load(&sc, main_path, &opt, d);
  /* The contract of scn_load: a scenario exactly when it succeeds, and an input
   * error always explained. */
  if ((rc == 0) != (sc != NULL))
    abort();
  if (rc != 0 && diag_count(d, DIAG_ERROR) == 0)
    abort();
  if (sc) {
    /* Touch what the simulation reads, so a dangling index shows under ASan. */
    for (size_t i = 0; i < sc->nevent; i++)
      for (size_t b = 0; b < sc->event[i].nbranch; b++)
        if (sc->event[i].branch[b] < 0 || (size_t)sc->event[i].branch[b] >= sc->nevent)
          abort();
    for (size_t i = 0; i < sc->nforce; i++)
      if (sc->force[i].base < 0 || (size_t)sc->force[i].base >= sc->nplace)
        abort();
  }
  diag_print(d, sink, 1);
  scn_free(sc);
  diag_free(d);
  free(copy);
  return 0;
}
