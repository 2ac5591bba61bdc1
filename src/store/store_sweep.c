/* store_sweep.c - sweeps: a design's record and, per design point, the run that
 * computed it (store.h). */
#include <stdio.h>

#include "err.h"
#include "store_internal.h"

/* The sweep's key in ?1..?6 (SWEEP_INSERT's columns, in order). */
static int bind_sweep_key(sqlite3_stmt *s, const store_sweep_info *info) {
  int rc;
  if ((rc = store__bind_text(s, 1, info->name)) == SQLITE_OK &&
      (rc = store__bind_text(s, 2, info->hash)) == SQLITE_OK &&
      (rc = store__bind_text(s, 3, info->path)) == SQLITE_OK &&
      (rc = store__bind_text(s, 4, info->design)) == SQLITE_OK &&
      (rc = sqlite3_bind_int(s, 5, info->points)) == SQLITE_OK)
    rc = sqlite3_bind_int(s, 6, info->replications);
  return rc;
}

int store_sweep_begin(store *st, int64_t *sweep_id, const store_sweep_info *info) {
  sqlite3_stmt *s = store__stmt(st, S_SWEEP_INSERT);
  *sweep_id = 0;
  int rc = bind_sweep_key(s, info);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(s);
  store__reset(s);
  if (rc != SQLITE_DONE)
    return store__fail(st, rc, "cannot record the sweep");
  *sweep_id = sqlite3_last_insert_rowid(st->db);
  return 0;
}

int store_sweep_find(store *st, int64_t *sweep_id, const store_sweep_info *info) {
  /* ?1 and ?3 (name, path) are bound but not part of the key: a renamed or moved
   * file with the same bytes is the same sweep. */
  sqlite3_stmt *s = store__stmt(st, S_SWEEP_FIND);
  *sweep_id = 0;
  int rc = bind_sweep_key(s, info);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    *sweep_id = sqlite3_column_int64(s, 0);
  store__reset(s);
  if (rc == SQLITE_ROW)
    return 0;
  if (rc == SQLITE_DONE) {
    store__fail(st, SQLITE_OK, "no stored sweep matches");
    return ERR_NOTFOUND;
  }
  return store__fail(st, rc, "cannot look up sweeps");
}

int store_sweep_point(store *st, int64_t sweep_id, int point, int64_t run_id,
                      const char *overrides) {
  sqlite3_stmt *s = store__stmt(st, S_SWEEP_POINT);
  int rc = sqlite3_bind_int64(s, 1, sweep_id);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int(s, 2, point);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(s, 3, run_id);
  if (rc == SQLITE_OK)
    rc = store__bind_text(s, 4, overrides);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(s);
  store__reset(s);
  return rc == SQLITE_DONE ? 0
                           : store__fail(st, rc, "cannot record point %d of sweep %lld",
                                         point, (long long)sweep_id);
}

int store_sweep_finish(store *st, int64_t sweep_id) {
  sqlite3_stmt *s = store__stmt(st, S_SWEEP_FINISH);
  int rc = sqlite3_bind_int64(s, 1, sweep_id);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(s);
  store__reset(s);
  return rc == SQLITE_DONE ? 0
                           : store__fail(st, rc, "cannot finish sweep %lld",
                                         (long long)sweep_id);
}

int store_sweep_point_run(store *st, int64_t sweep_id, int point, int64_t *run_id) {
  sqlite3_stmt *s = store__stmt(st, S_SWEEP_POINT_RUN);
  *run_id = 0;
  sqlite3_bind_int64(s, 1, sweep_id);
  sqlite3_bind_int(s, 2, point);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    *run_id = sqlite3_column_int64(s, 0);
  store__reset(s);
  if (rc == SQLITE_ROW)
    return 0;
  if (rc == SQLITE_DONE) {
    store__fail(st, SQLITE_OK, "point %d of sweep %lld is not recorded", point,
                (long long)sweep_id);
    return ERR_NOTFOUND;
  }
  return store__fail(st, rc, "cannot look up point %d of sweep %lld", point,
                     (long long)sweep_id);
}

/* Read once per report, so prepared here rather than kept in the statement table. */
int store_sweep_latest_points(store *st, int64_t *sweep_id, char *name, size_t size,
                              int (*fn)(void *ctx, int point, int64_t run,
                                        const char *overrides),
                              void *ctx) {
  sqlite3_stmt *s = NULL;
  *sweep_id = 0;
  int rc = sqlite3_prepare_v2(st->db, "SELECT id, name FROM sweep ORDER BY id DESC LIMIT 1",
                              -1, &s, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    *sweep_id = sqlite3_column_int64(s, 0);
    const unsigned char *n = sqlite3_column_text(s, 1);
    snprintf(name, size, "%s", n ? (const char *)n : "");
  }
  sqlite3_finalize(s);
  if (rc == SQLITE_DONE) return ERR_NOTFOUND;
  if (rc != SQLITE_ROW) return store__fail(st, rc, "cannot look up sweeps");
  rc = sqlite3_prepare_v2(st->db, "SELECT point, run, overrides FROM sweep_point "
                          "WHERE sweep = ?1 ORDER BY point", -1, &s, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(s, 1, *sweep_id);
  int stop = 0;
  while (rc == SQLITE_OK && !stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    const unsigned char *o = sqlite3_column_text(s, 2);
    stop = fn(ctx, sqlite3_column_int(s, 0), sqlite3_column_int64(s, 1),
              o ? (const char *)o : "");
    rc = SQLITE_OK;
  }
  sqlite3_finalize(s);
  if (stop) return stop;
  if (rc == SQLITE_DONE || rc == SQLITE_OK) return 0;
  return store__fail(st, rc, "cannot read the sweep's points");
}
