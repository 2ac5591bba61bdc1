/* store_verify.c - verifying a store (straits verify): the file's pages, then every
 * replication's checksum and blob and every document's checksum, dropping the damaged
 * ones when asked. */
#include <string.h>

#include "err.h"
#include "store_internal.h"

/* Delete replication r of run (VERIFY_DROP); 0 or the store's error. */
static int verify_drop(store *st, int64_t run, int64_t r) {
  sqlite3_stmt *del = store__stmt(st, S_VERIFY_DROP);
  sqlite3_bind_int64(del, 1, run);
  sqlite3_bind_int64(del, 2, r);
  int rc = sqlite3_step(del);
  store__reset(del);
  if (rc != SQLITE_DONE)
    return store__fail(st, rc, "cannot drop replication %lld of run %lld", (long long)r,
                       (long long)run);
  return 0;
}

/* Every document of every run (the replications' loop's twin): count, report and
 * (drop) delete the damaged ones. */
static int verify_docs(store *st, int drop, store_verify_counts *counts,
                       int (*fn)(void *ctx, int64_t run, const char *name, const char *why),
                       void *ctx) {
  sqlite3_stmt *s = store__stmt(st, S_VERIFY_DOCS);
  int err = 0, rc = SQLITE_DONE;
  while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    int64_t run = sqlite3_column_int64(s, 0);
    const char *name = (const char *)sqlite3_column_text(s, 1);
    counts->docs_checked++;
    int ok = store__doc_check(st, s, 1);
    if (ok >= 0) {
      counts->docs_unverified += ok == 0;
      continue;
    }
    counts->docs_damaged++;
    if (fn && (err = fn(ctx, run, name ? name : "", st->damage)))
      break;
    if (drop) {
      sqlite3_stmt *del = store__stmt(st, S_VERIFY_DOC_DROP);
      sqlite3_bind_int64(del, 1, run);
      store__bind_text(del, 2, name);
      rc = sqlite3_step(del);
      store__reset(del);
      if (rc != SQLITE_DONE) {
        err = store__fail(st, rc, "cannot drop document '%s' of run %lld", name ? name : "",
                          (long long)run);
        break;
      }
      counts->docs_dropped++;
    }
  }
  if (!err && rc != SQLITE_DONE)
    err = store__fail(st, rc, "cannot read the documents of '%s'", st->path);
  store__reset(s);
  return err;
}

/* A run's count follows its rows, so --resume sees what is missing, and a run that
 * lost rows is unfinished again until it is resumed. */
static int verify_recount(store *st) {
  int rc = store__exec(st, S_VERIFY_UNFINISH);
  if (rc == SQLITE_OK)
    rc = store__exec(st, S_VERIFY_RECOUNT);
  return rc == SQLITE_OK ? 0
                         : store__fail(st, rc, "cannot recount the runs of '%s'", st->path);
}

int store_verify(store *st, int drop, store_verify_counts *counts,
                 int (*fn)(void *ctx, int64_t run, int64_t replication, const char *why),
                 int (*doc_fn)(void *ctx, int64_t run, const char *name, const char *why),
                 void *ctx) {
  sqlite3_stmt *s = store__stmt(st, S_VERIFY_SCAN);
  int err, rc, in_tx = 0;
  memset(counts, 0, sizeof *counts);
  store__cache_drop(st);
  if ((err = store__check_pages(st, "integrity_check")))
    return err;
  if (!sqlite3_get_autocommit(st->db))
    return store__fail(st, SQLITE_OK, "cannot verify inside an open transaction");
  if (drop) {
    if ((rc = store__exec(st, S_BEGIN)) != SQLITE_OK)
      return store__fail(st, rc, "cannot lock results store '%s'", st->path);
    in_tx = 1;
  }
  while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    int64_t run = sqlite3_column_int64(s, 0), r;
    rep_view v;
    counts->checked++;
    int bad = store__rep_read(st, s, 1, run, (size_t)sqlite3_column_int64(s, 4), &r, &v);
    if (!bad)
      continue;
    counts->damaged++;
    if (fn && (err = fn(ctx, run, r, st->damage))) /* without the readers' advice */
      break;
    if (drop) {
      if ((err = verify_drop(st, run, r)))
        break;
      counts->dropped++;
    }
  }
  if (!err && rc != SQLITE_DONE)
    err = store__fail(st, rc, "cannot read the replications of '%s'", st->path);
  store__reset(s);
  if (!err)
    err = verify_docs(st, drop, counts, doc_fn, ctx);
  if (!err && drop && counts->dropped)
    err = verify_recount(st);
  if (!err && in_tx && (rc = store__exec(st, S_COMMIT)) != SQLITE_OK)
    err = store__fail(st, rc, "cannot commit to '%s'", st->path);
  if (!err)
    in_tx = 0;
  if (in_tx) {
    store__exec(st, S_ROLLBACK); /* st->msg keeps the cause */
    counts->dropped = counts->docs_dropped = 0;
  }
  if (!err)
    st->msg[0] = '\0';
  return err;
}
