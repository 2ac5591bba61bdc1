/* cmd_version.c - `straits version [--json]`: the version, how it was built, the
 * libraries it was built with, and the provenance of the data a default run reads. */
#include <gsl/gsl_version.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gshhg.h"
#include "hash.h"
#include "jdoc.h"
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
static json_t *data_file(const char *path) {
  char sha[HASH_SHA256_HEX];
  json_t *j = json_object();
  jdoc_set(j, "path", jdoc_str(path));
  jdoc_set(j, "sha256", path && hash_sha256_file(sha, path) == 0 ? jdoc_str(sha) : json_null());
  return j;
}

/* A configure-time version: null when unknown or left out of the build. */
static json_t *known(const char *v) { return v[0] ? jdoc_str(v) : json_null(); }

static json_t *build_json(void) {
  json_t *j = json_object();
  jdoc_set(j, "type", jdoc_str(STRAITS_BUILD_TYPE));
  jdoc_set(j, "compiler", jdoc_str(STRAITS_COMPILER));
#ifdef STRAITS_MPI
  jdoc_set(j, "mpi", json_true());
#else
  jdoc_set(j, "mpi", json_false());
#endif
  jdoc_set(j, "netcdf", json_boolean(STRAITS_VERSION_NETCDF[0]));
  jdoc_set(j, "sanitizers", json_boolean(STRAITS_SANITIZE_BUILD));
  return j;
}

static json_t *version_json(void) {
  char nettle_rt[32], coast[1024];
  hash_library_version(nettle_rt, sizeof nettle_rt);
  int have_coast = geo_gshhg_find(coast, sizeof coast, NULL, 'i') == 0;
  json_t *doc = json_object(), *libs = json_object(), *rt = json_object(), *data = json_object();
  jdoc_set(doc, "name", jdoc_str("straits"));
  jdoc_set(doc, "version", jdoc_str(STRAITS_VERSION));
  jdoc_set(doc, "licence", jdoc_str("GPL-3.0-or-later"));
  jdoc_set(doc, "build", build_json());
  /* Versions built against (pkg-config at configure time), and for GSL and nettle
   * the library loaded now. */
#define LIB(name, v) jdoc_set(libs, name, known(v));
  STRAITS_LIB_VERSIONS(LIB)
#undef LIB
  jdoc_set(doc, "libraries", libs);
  jdoc_set(rt, "gsl", jdoc_str(gsl_version));
  jdoc_set(rt, "nettle", jdoc_str(nettle_rt));
  jdoc_set(doc, "runtime", rt);
  jdoc_set(doc, "rng", jdoc_str("Philox4x32-10 (Random123)"));
  jdoc_set(doc, "provenance_hash", jdoc_str("SHA-256 (nettle)"));
  jdoc_set(data, "authorities", data_file(cli_default_authorities()));
  jdoc_set(data, "coastline", data_file(have_coast ? coast : NULL));
  jdoc_set(doc, "data", data);
  return doc;
}

static int print_json(void) {
  strbuf b = STRBUF_INIT;
  if (jdoc_dump(&b, version_json()) || (strbuf_put(&b, "\n"), b.failed)) {
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
