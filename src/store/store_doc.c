/* store_doc.c - a run's named documents (the theater, the plan's findings, report
 * sections and map layers), stored beside its replications. */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "store_internal.h"

int store_doc_put(store *st, int64_t run_id, const char *name, const char *body) {
  sqlite3_stmt *s = store__stmt(st, S_DOC_PUT);
  sqlite3_bind_int64(s, 1, run_id);
  store__bind_text(s, 2, name);
  store__bind_text(s, 3, body);
  int rc = sqlite3_step(s);
  store__reset(s);
  return rc == SQLITE_DONE ? 0 : store__fail(st, rc, "cannot write document '%s'", name);
}

static char *dup_column(sqlite3_stmt *s, int col) {
  const unsigned char *t = sqlite3_column_text(s, col);
  size_t n = (size_t)sqlite3_column_bytes(s, col);
  char *c = malloc(n + 1);
  if (c) {
    if (n)
      memcpy(c, t, n);
    c[n] = '\0';
  }
  return c;
}

int store_doc_get(store *st, int64_t run_id, const char *name, char **body) {
  sqlite3_stmt *s = store__stmt(st, S_DOC_GET);
  int err;
  *body = NULL;
  sqlite3_bind_int64(s, 1, run_id);
  store__bind_text(s, 2, name);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    *body = dup_column(s, 0);
    err = *body ? 0 : ERR_NOMEM;
  } else if (rc == SQLITE_DONE) {
    err = ERR_NOTFOUND;
  } else {
    err = store__fail(st, rc, "cannot read document '%s'", name);
  }
  store__reset(s);
  return err;
}

int store_doc_each(store *st, int64_t run_id, const char *prefix,
                   int (*fn)(void *ctx, const char *name, const char *body), void *ctx) {
  sqlite3_stmt *s = store__stmt(st, S_DOC_EACH);
  int err = 0, rc;
  sqlite3_bind_int64(s, 1, run_id);
  store__bind_text(s, 2, prefix);
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(s, 0);
    const char *body = (const char *)sqlite3_column_text(s, 1);
    if ((err = fn(ctx, name ? name : "", body ? body : "")))
      break;
  }
  if (!err && rc != SQLITE_DONE)
    err = store__fail(st, rc, "cannot read the documents of run %lld", (long long)run_id);
  store__reset(s);
  return err;
}
