/* store_run.c - runs and their replications: recording a run and its metric
 * registry, finding it again to resume, and the batched writes of replications. */
#include <math.h>
#include <string.h>

#include "err.h"
#include "store_internal.h"

/* ---- runs --------------------------------------------------------------------- */

int store_run_begin(store *st, int64_t *run_id, const store_run_info *info,
                    const metric_set *ms, diag *d) {
  int err, rc;
  int64_t id = 0;
  sqlite3_stmt *s;
  *run_id = 0;
  if ((err = store__sp_begin(st)))
    goto report;

  s = store__stmt(st, S_RUN_INSERT);
  store__bind_text(s, 1, info->scenario_name);
  store__bind_text(s, 2, info->scenario_hash);
  store__bind_text(s, 3, info->scenario_path);
  sqlite3_bind_int64(s, 4, (int64_t)info->seed);
  store__bind_text(s, 5, info->version);
  store__bind_text(s, 6, info->options);
  sqlite3_bind_int(s, 7, info->replications);
  rc = store__exec(st, S_RUN_INSERT);
  if (rc != SQLITE_OK) {
    err = store__fail(st, rc, "cannot record the run");
    goto done;
  }
  id = sqlite3_last_insert_rowid(st->db);

  s = store__stmt(st, S_DEF_INSERT);
  for (size_t i = 0; i < ms->n; i++) {
    const metric_def *m = &ms->def[i];
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, (int64_t)i);
    store__bind_text(s, 3, m->module);
    store__bind_text(s, 4, m->name);
    store__bind_text(s, 5, m->unit);
    store__bind_text(s, 6, m->description);
    sqlite3_bind_int64(s, 7, (int64_t)m->flags);
    rc = store__exec(st, S_DEF_INSERT);
    if (rc != SQLITE_OK) {
      err = store__fail(st, rc, "cannot record metric '%s.%s'", m->module, m->name);
      goto done;
    }
  }
done:;
  int e2 = store__sp_end(st, err == 0);
  if (!err)
    err = e2;
report:
  if (err) {
    if (d)
      diag_report(d, DIAG_ERROR, NULL, 0, 0, "%s", st->msg);
    return err;
  }
  *run_id = id;
  return 0;
}

static int text_eq(const unsigned char *a, const char *b) {
  return strcmp(a ? (const char *)a : "", b ? b : "") == 0;
}

/* Compare the stored registry of run `id` with ms; 0 or ERR_MISMATCH with a message. */
static int registry_check(store *st, int64_t id, const metric_set *ms, diag *d) {
  sqlite3_stmt *s = store__stmt(st, S_DEF_SELECT);
  size_t i = 0;
  int err = 0, rc;
  sqlite3_bind_int64(s, 1, id);
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const unsigned char *module = sqlite3_column_text(s, 1);
    const unsigned char *name = sqlite3_column_text(s, 2);
    const unsigned char *unit = sqlite3_column_text(s, 3);
    unsigned flags = (unsigned)sqlite3_column_int64(s, 4);
    if (i >= ms->n) {
      store__fail(st, SQLITE_OK, "stored run %lld has more metrics (first extra: '%s.%s') "
                  "than this scenario's %zu", (long long)id,
                  module ? (const char *)module : "", name ? (const char *)name : "", ms->n);
      err = ERR_MISMATCH;
      break;
    }
    const metric_def *m = &ms->def[i];
    if (sqlite3_column_int64(s, 0) != (int64_t)i || !text_eq(module, m->module) ||
        !text_eq(name, m->name) || !text_eq(unit, m->unit) || flags != m->flags) {
      store__fail(st, SQLITE_OK, "stored run %lld has metric %zu '%s.%s' [%s] where this "
                  "scenario has '%s.%s' [%s]", (long long)id, i,
                  module ? (const char *)module : "", name ? (const char *)name : "",
                  unit ? (const char *)unit : "", m->module, m->name, m->unit);
      err = ERR_MISMATCH;
      break;
    }
    i++;
  }
  if (!err && rc != SQLITE_DONE)
    err = store__fail(st, rc, "cannot read the metrics of run %lld", (long long)id);
  else if (!err && i < ms->n) {
    store__fail(st, SQLITE_OK, "stored run %lld has %zu metrics where this scenario has %zu "
                "(first missing: '%s.%s')", (long long)id, i, ms->n, ms->def[i].module,
                ms->def[i].name);
    err = ERR_MISMATCH;
  }
  store__reset(s);
  if (err && d)
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "%s", st->msg);
  return err;
}

int store_run_find(store *st, int64_t *run_id, const store_run_info *info,
                   const metric_set *ms, diag *d) {
  sqlite3_stmt *s = store__stmt(st, S_RUN_FIND);
  int64_t id = 0;
  int rc;
  *run_id = 0;
  /* Binding copies the text and can fail (out of memory); a key left NULL would
   * match nothing and pass for "no such run", starting a new run instead of resuming. */
  if ((rc = store__bind_text(s, 1, info->scenario_hash)) == SQLITE_OK &&
      (rc = sqlite3_bind_int64(s, 2, (int64_t)info->seed)) == SQLITE_OK &&
      (rc = store__bind_text(s, 3, info->version)) == SQLITE_OK &&
      (rc = store__bind_text(s, 4, info->options)) == SQLITE_OK)
    rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64(s, 0);
  store__reset(s);
  if (rc == SQLITE_DONE) {
    store__fail(st, SQLITE_OK, "no stored run matches");
    return ERR_NOTFOUND;
  }
  if (rc != SQLITE_ROW) {
    int err = store__fail(st, rc, "cannot look up runs");
    if (d)
      diag_report(d, DIAG_ERROR, NULL, 0, 0, "%s", st->msg);
    return err;
  }
  int err = registry_check(st, id, ms, d);
  if (err)
    return err;
  *run_id = id;
  return 0;
}

int store_run_reopen(store *st, int64_t run_id, int replications_planned) {
  sqlite3_stmt *s = store__stmt(st, S_RUN_REOPEN);
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_int(s, 2, replications_planned);
  int rc = store__exec(st, S_RUN_REOPEN);
  if (rc != SQLITE_OK)
    return store__fail(st, rc, "cannot update run %lld", (long long)run_id);
  if (sqlite3_changes(st->db) != 1)
    return store__fail(st, SQLITE_OK, "run %lld is not in the store", (long long)run_id);
  return 0;
}

int store_run_finish(store *st, int64_t run_id, int completed, double wall_s) {
  sqlite3_stmt *s = store__stmt(st, S_RUN_FINISH);
  sqlite3_bind_int64(s, 1, run_id);
  if (completed >= 0)
    sqlite3_bind_int(s, 2, completed); /* else NULL: keep the count */
  sqlite3_bind_double(s, 3, isfinite(wall_s) && wall_s > 0 ? wall_s : 0.0);
  int rc = store__exec(st, S_RUN_FINISH);
  if (rc != SQLITE_OK)
    return store__fail(st, rc, "cannot finish run %lld", (long long)run_id);
  if (sqlite3_changes(st->db) != 1)
    return store__fail(st, SQLITE_OK, "run %lld is not in the store", (long long)run_id);
  return 0;
}

int store_replications_done(store *st, int64_t run_id, unsigned char *done, size_t n) {
  sqlite3_stmt *s = store__stmt(st, S_REP_DONE);
  int rc, err = 0;
  if (n)
    memset(done, 0, n);
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_int64(s, 2, (int64_t)n);
  /* A resumed run builds on these rows: each is verified, so a damaged one stops
   * the run instead of entering its summary. */
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    int64_t r;
    rep_view v;
    if ((err = store__rep_read(st, s, 0, run_id, SIZE_MAX, &r, &v)))
      break;
    done[r] = 1; /* 0 <= idx < n by the query */
  }
  store__reset(s);
  if (!err && rc != SQLITE_DONE)
    return store__fail(st, rc, "cannot read the replications of run %lld", (long long)run_id);
  return err;
}

/* ---- batched writes ------------------------------------------------------------ */

int store_begin(store *st) {
  store__cache_drop(st);
  int rc = store__exec(st, S_BEGIN);
  return rc == SQLITE_OK ? 0 : store__fail(st, rc, "cannot begin a transaction");
}

int store_commit(store *st) {
  int rc = store__exec(st, S_COMMIT);
  return rc == SQLITE_OK ? 0 : store__fail(st, rc, "cannot commit");
}

int store_rollback(store *st) {
  store__cache_drop(st);
  if (sqlite3_get_autocommit(st->db))
    return 0;
  int rc = store__exec(st, S_ROLLBACK);
  return rc == SQLITE_OK ? 0 : store__fail(st, rc, "cannot roll back");
}

int store_put_packed(store *st, int64_t run_id, int replication, const metric_set *ms,
                     const void *bytes, size_t len, int if_new) {
  int err = 0, rc;
  rep_view v;
  sqlite3_stmt *s;
  store__cache_drop(st);
  if (store__rep_parse(&v, bytes, len) != 0 || v.nvalues != ms->n)
    return store__fail(st, SQLITE_OK, "replication %d of run %lld: not a packed replication "
                       "of its %zu metrics", replication, (long long)run_id, ms->n);
  if ((err = store__sp_begin(st)))
    return err;

  /* The primary key refuses a replication stored before. */
  s = store__stmt(st, S_REP_INSERT);
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_int(s, 2, replication);
  rc = sqlite3_bind_blob64(s, 3, bytes, (sqlite3_uint64)len, SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(s, 4, store__rep_checksum(bytes, len, replication));
  if (rc == SQLITE_OK)
    rc = store__exec(st, S_REP_INSERT);
  else
    store__reset(s);
  if ((rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) && if_new)
    goto done; /* nothing written: the savepoint ends empty */
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
    err = store__fail(st, SQLITE_OK, "replication %d of run %lld is already stored",
                      replication, (long long)run_id);
    goto done;
  }
  if (rc != SQLITE_OK) {
    err = store__fail(st, rc, "cannot store replication %d of run %lld", replication,
                      (long long)run_id);
    goto done;
  }

  /* The run row's count stays true even for a run that never finishes. */
  sqlite3_bind_int64(store__stmt(st, S_RUN_COUNT), 1, run_id);
  rc = store__exec(st, S_RUN_COUNT);
  if (rc != SQLITE_OK)
    err = store__fail(st, rc, "cannot count replication %d of run %lld", replication,
                      (long long)run_id);
done:;
  char keep[sizeof st->msg];
  if (err)
    memcpy(keep, st->msg, sizeof keep); /* sp_end may overwrite the first cause */
  int e2 = store__sp_end(st, err == 0);
  if (err) {
    memcpy(st->msg, keep, sizeof keep);
    return err;
  }
  return e2;
}

int store_put_replication(store *st, int64_t run_id, int replication,
                          const metric_set *ms, const metric_out *out) {
  const void *bytes;
  long len = store_pack_replication(st, replication, ms, out, &bytes);
  if (len < 0)
    return (int)len;
  return store_put_packed(st, run_id, replication, ms, bytes, (size_t)len, 0);
}
