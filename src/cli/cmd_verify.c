/* cmd_verify.c - `straits verify [--drop] STORE`: check a results store's file and
 * every replication's and document's checksum, and drop damaged rows so --resume
 * recomputes them. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_report.h"
#include "err.h"
#include "store.h"

void cmd_verify_usage(FILE *out) {
  fprintf(out,
          "usage: straits verify [--drop] [STORE]\n"
          "\n"
          "Check a results store (default: straits.db): SQLite's full integrity check of\n"
          "the file, then every replication's and every document's checksum.  Each\n"
          "damaged replication or document is listed; the exit status is 0 when none is,\n"
          "1 otherwise.\n"
          "\n"
          "      --drop   delete the damaged replications and documents, so that 'straits\n"
          "               run --resume' (or 'sweep --resume') computes them again\n");
}

typedef struct verify_ctx {
  const char *db;
  int drop;
} verify_ctx;

static int print_damaged(void *ctx, int64_t run, int64_t replication, const char *why) {
  const verify_ctx *v = ctx;
  printf("%s: run %lld replication %lld: damaged (%s)%s\n", v->db, (long long)run,
         (long long)replication, why, v->drop ? "; dropped" : "");
  return 0;
}

static int print_damaged_doc(void *ctx, int64_t run, const char *name, const char *why) {
  const verify_ctx *v = ctx;
  printf("%s: run %lld document '%s': damaged (%s)%s\n", v->db, (long long)run, name, why,
         v->drop ? "; dropped" : "");
  return 0;
}

int cmd_verify(int argc, char **argv) {
  static const struct option longopts[] = {{"drop", no_argument, NULL, 'd'},
                                           {"help", no_argument, NULL, 'h'},
                                           {0}};
  verify_ctx v = {"straits.db", 0};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
    case 'd': v.drop = 1; break;
    case 'h': cmd_verify_usage(stdout); return CLI_OK;
    default: cmd_verify_usage(stderr); return CLI_BAD_INPUT;
    }
  }
  if (optind < argc - 1) {
    cmd_verify_usage(stderr);
    return CLI_BAD_INPUT;
  }
  if (optind < argc) v.db = argv[optind];
  store *st = NULL;
  int rc = cli_open_store(&st, v.db); /* a file that fails integrity_check stops here */
  if (rc != CLI_OK) return rc;
  store_verify_counts n;
  int err = store_verify(st, v.drop, &n, print_damaged, print_damaged_doc, &v);
  if (err) {
    cli_error("%s", *store_errmsg(st) ? store_errmsg(st) : err_strerror(err));
    rc = CLI_FAILURE;
  } else if (n.damaged || n.docs_damaged) {
    printf("%s: %zu of %zu replications and %zu of %zu documents damaged%s\n", v.db,
           n.damaged, n.checked, n.docs_damaged, n.docs_checked,
           v.drop ? "; dropped: 'straits run --resume' computes the replications again, "
                    "a new run writes the documents anew" : "");
    rc = v.drop ? CLI_OK : CLI_FAILURE;
  } else {
    printf("%s: ok: %zu replications, %zu documents, every checksum matches\n", v.db,
           n.checked, n.docs_checked - n.docs_unverified);
  }
  if (!err && n.docs_unverified)
    printf("%s: %zu documents written before documents had checksums: read, unverified\n",
           v.db, n.docs_unverified);
  store_close(st);
  return rc;
}
