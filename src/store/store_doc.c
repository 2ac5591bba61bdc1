/* store_doc.c - a run's named documents (the theater, the plan's findings, report
 * sections and map layers), stored beside its replications.
 *
 * checksum: XXH3-64 (libxxhash) of the document's body seeded with the XXH3-64 of its
 * name, stored as its two's-complement int64, like a replication's (store_blob.c).  Every read
 * verifies it, so a byte changed in a body -- or a row renamed -- is an error naming
 * the store and the document, not a different theater or map layer.  The run id is
 * not hashed, as for replications.  A NULL checksum is a row written before
 * documents had one (the column is added on open, store.c): it is read as before,
 * unverified, and `straits verify` counts it apart. */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "err.h"
#include "store_internal.h"

static int64_t doc_checksum(const char *name, size_t name_len, const void *body,
                            size_t body_len) {
  return (int64_t)XXH3_64bits_withSeed(body, body_len, XXH3_64bits(name, name_len));
}

int store__doc_check(store *st, sqlite3_stmt *s, int first) {
  if (sqlite3_column_type(s, first + 2) == SQLITE_NULL)
    return 0;
  const void *name = sqlite3_column_text(s, first);
  size_t name_len = (size_t)sqlite3_column_bytes(s, first);
  const void *body = sqlite3_column_text(s, first + 1);
  size_t body_len = (size_t)sqlite3_column_bytes(s, first + 1);
  if (sqlite3_column_type(s, first + 2) == SQLITE_INTEGER &&
      sqlite3_column_int64(s, first + 2) ==
          doc_checksum(name ? name : "", name_len, body ? body : "", body_len))
    return 1;
  st->damage = "its checksum does not match its name and body";
  return -1;
}

/* A damaged document: the message names the store, the run and the document. */
static int damaged(store *st, int64_t run_id, const char *name) {
  store__fail(st, SQLITE_OK, "results store '%s': document '%s' of run %lld is damaged "
              "(%s); 'straits verify --drop %s' removes it (run again to write it anew)",
              st->path, name, (long long)run_id, st->damage, st->path);
  return ERR_STORE;
}

int store_doc_put(store *st, int64_t run_id, const char *name, const char *body) {
  sqlite3_stmt *s = store__stmt(st, S_DOC_PUT);
  if (!name)
    name = "";
  if (!body)
    body = "";
  sqlite3_bind_int64(s, 1, run_id);
  store__bind_text(s, 2, name);
  store__bind_text(s, 3, body);
  sqlite3_bind_int64(s, 4, doc_checksum(name, strlen(name), body, strlen(body)));
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
  if (rc == SQLITE_ROW && store__doc_check(st, s, 0) < 0) {
    err = damaged(st, run_id, name);
  } else if (rc == SQLITE_ROW) {
    *body = dup_column(s, 1);
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
    if (store__doc_check(st, s, 0) < 0) {
      err = damaged(st, run_id, name ? name : "");
      break;
    }
    if ((err = fn(ctx, name ? name : "", body ? body : "")))
      break;
  }
  if (!err && rc != SQLITE_DONE)
    err = store__fail(st, rc, "cannot read the documents of run %lld", (long long)run_id);
  store__reset(s);
  return err;
}
