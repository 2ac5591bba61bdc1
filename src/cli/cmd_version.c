/* cmd_version.c - `straits version [--json]`: the version, how it was built, the
 * libraries it was built with, and the provenance of the data a default run reads. */
#include <gsl/gsl_version.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gshhg.h"
#include "hash.h"
#include "strbuf.h"

/* Configure-time facts from src/cli/CMakeLists.txt (pkg-config's versions of what the
 * binary was built against); "" when unknown or left out of the build. */
#ifndef STRAITS_BUILD_TYPE
#define STRAITS_BUILD_TYPE ""
#endif
#ifndef STRAITS_COMPILER
#define STRAITS_COMPILER ""
#endif
#ifndef STRAITS_SANITIZE_BUILD
#define STRAITS_SANITIZE_BUILD 0
#endif
#define STRAITS_LIB_VERSIONS(X)                    \
  X("libyaml", STRAITS_VERSION_YAML)               \
  X("sqlite", STRAITS_VERSION_SQLITE)              \
  X("gsl", GSL_VERSION)                            \
  X("nettle", STRAITS_VERSION_NETTLE)              \
  X("random123", STRAITS_VERSION_RANDOM123)        \
  X("netcdf", STRAITS_VERSION_NETCDF)              \
  X("glpk", STRAITS_VERSION_GLPK)                  \
  X("lemon", STRAITS_VERSION_LEMON)                \
  X("mpi", STRAITS_VERSION_MPI)

void cmd_version_usage(FILE *out) {
  fprintf(out, "usage: straits version [--json]\n\n"
               "  --json   the version, build options, the libraries' versions and the\n"
               "           SHA-256 of the shipped data a default run reads, as JSON\n");
}

/* One input a default run reads: its path and the SHA-256 of its bytes (null when it
 * cannot be read). */
static void data_file(strbuf *b, const char *key, const char *path, int first) {
  char sha[HASH_SHA256_HEX];
  strbuf_printf(b, "%s\n    ", first ? "" : ",");
  strbuf_json_str(b, key);
  strbuf_put(b, ": {\"path\": ");
  if (path) strbuf_json_str(b, path);
  else strbuf_put(b, "null");
  strbuf_put(b, ", \"sha256\": ");
  if (path && hash_sha256_file(sha, path) == 0) strbuf_json_str(b, sha);
  else strbuf_put(b, "null");
  strbuf_put(b, "}");
}

static int print_json(void) {
  strbuf b = STRBUF_INIT;
  char nettle_rt[32];
  hash_library_version(nettle_rt, sizeof nettle_rt);
  strbuf_put(&b, "{\n  \"name\": \"straits\",\n  \"version\": ");
  strbuf_json_str(&b, STRAITS_VERSION);
  strbuf_put(&b, ",\n  \"licence\": \"GPL-3.0-or-later\",\n  \"build\": {\"type\": ");
  strbuf_json_str(&b, STRAITS_BUILD_TYPE);
  strbuf_put(&b, ", \"compiler\": ");
  strbuf_json_str(&b, STRAITS_COMPILER);
#ifdef STRAITS_MPI
  strbuf_put(&b, ", \"mpi\": true");
#else
  strbuf_put(&b, ", \"mpi\": false");
#endif
  strbuf_printf(&b, ", \"netcdf\": %s, \"sanitizers\": %s},\n",
                 STRAITS_VERSION_NETCDF[0] ? "true" : "false",
                 STRAITS_SANITIZE_BUILD ? "true" : "false");
  /* Versions built against (pkg-config at configure time), and for GSL and nettle
   * the library loaded now. */
  strbuf_put(&b, "  \"libraries\": {");
  int first = 1;
#define LIB(name, v)                                   \
  strbuf_printf(&b, "%s\n    \"%s\": ", first ? "" : ",", name); \
  if ((v)[0]) strbuf_json_str(&b, (v));               \
  else strbuf_put(&b, "null");                        \
  first = 0;
  STRAITS_LIB_VERSIONS(LIB)
#undef LIB
  strbuf_put(&b, "\n  },\n  \"runtime\": {\"gsl\": ");
  strbuf_json_str(&b, gsl_version);
  strbuf_put(&b, ", \"nettle\": ");
  strbuf_json_str(&b, nettle_rt);
  strbuf_put(&b, "},\n  \"rng\": \"Philox4x32-10 (Random123)\",\n"
                  "  \"provenance_hash\": \"SHA-256 (nettle)\",\n  \"data\": {");
  char coast[1024];
  int have_coast = geo_gshhg_find(coast, sizeof coast, NULL, 'i') == 0;
  data_file(&b, "authorities", cli_default_authorities(), 1);
  data_file(&b, "coastline", have_coast ? coast : NULL, 0);
  strbuf_put(&b, "\n  }\n}\n");
  if (b.failed) {
    strbuf_release(&b);
    cli_error("out of memory");
    return CLI_FAILURE;
  }
  fputs(b.s, stdout);
  strbuf_release(&b);
  return CLI_OK;
}

int cmd_version(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--json") == 0) return print_json();
  if (argc > 1) {
    cmd_version_usage(stderr);
    return CLI_BAD_INPUT;
  }
  printf("straits %s\n", STRAITS_VERSION);
  printf("GSL %s; licence GPL-3.0-or-later\n", GSL_VERSION);
  return CLI_OK;
}
