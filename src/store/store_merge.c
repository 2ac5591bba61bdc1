/* store_merge.c - merging a part's run (MPI ranks, sweep.h): another store's
 * replications, verified, copied into a run of this one.  The SQL that names the
 * part's tables (part.) or the merge's temp table is prepared here, at its use: it
 * cannot be prepared at open, before the part is attached. */
#include "err.h"
#include "store_internal.h"

/* Only replications dst (?1) lacks, so repeating an interrupted merge is harmless. */
static const char copy_sql[] =
    "CREATE TEMP TABLE merge_rep AS SELECT idx FROM part.replication "
    "  WHERE run = ?2 AND idx NOT IN "
    "  (SELECT idx FROM main.replication WHERE run = ?1);"
    "INSERT INTO main.replication(run, idx, status, data, checksum) "
    "  SELECT ?1, idx, status, data, checksum FROM part.replication "
    "  WHERE run = ?2 AND idx IN (SELECT idx FROM temp.merge_rep);"
    "UPDATE main.run SET replications_done = "
    "  (SELECT count(*) FROM main.replication WHERE run = ?1) WHERE id = ?1;";

/* Every replication of run src_run in the attached part store, verified before any
 * is copied: a part with a damaged row is refused whole. */
static int merge_verify(store *st, const char *src_path, int64_t src_run) {
  sqlite3_stmt *s;
  int err = store__prepare(st, &s,
                           "SELECT idx, data, checksum FROM part.replication WHERE run = ?1");
  if (err)
    return err;
  sqlite3_bind_int64(s, 1, src_run);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    int64_t r;
    rep_view v;
    if ((err = store__rep_read_in(st, src_path, s, 0, src_run, SIZE_MAX, &r, &v)))
      break;
  }
  if (!err && rc != SQLITE_DONE)
    err = store__fail(st, rc, "cannot read the part store '%s'", src_path);
  sqlite3_finalize(s);
  return err;
}

/* Copy the rows and count them (*n), in one transaction; an SQLite result code. */
static int merge_copy(store *st, int64_t dst_run, int64_t src_run, int *n) {
  int rc = store__exec(st, S_BEGIN);
  if (rc == SQLITE_OK)
    rc = store__script(st, copy_sql, dst_run, src_run);
  if (rc == SQLITE_OK) {
    sqlite3_stmt *q = NULL;
    rc = sqlite3_prepare_v2(st->db, "SELECT count(*) FROM temp.merge_rep", -1, &q, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
      *n = sqlite3_column_int(q, 0);
      rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
  }
  if (rc == SQLITE_OK)
    rc = store__script(st, "DROP TABLE temp.merge_rep", 0, 0);
  if (rc == SQLITE_OK)
    rc = store__exec(st, S_COMMIT);
  return rc;
}

int store_merge_run(store *st, int64_t dst_run, const char *src_path, int64_t src_run,
                    int *copied) {
  sqlite3_stmt *s = store__stmt(st, S_PART_ATTACH);
  int err, rc, n = 0;
  store__cache_drop(st);
  *copied = 0;
  rc = store__bind_text(s, 1, src_path);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(s);
  store__reset(s);
  if (rc != SQLITE_DONE)
    return store__fail(st, rc, "cannot open the part store '%s'", src_path);
  if ((err = merge_verify(st, src_path, src_run))) {
    store__exec(st, S_PART_DETACH); /* leaves st->msg, the cause, as it is */
    return err;
  }
  rc = merge_copy(st, dst_run, src_run, &n);
  if (rc != SQLITE_OK) {
    err = store__fail(st, rc, "cannot merge run %lld of '%s'", (long long)src_run, src_path);
    store__exec(st, S_ROLLBACK);
  }
  store__exec(st, S_PART_DETACH);
  if (!err)
    *copied = n;
  return err;
}
