/* store_export.c - the relational export (straits export --format sqlite). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "store_internal.h"

/* DESIGN.md section 7's tables, a row per value and per series point, written into a
 * new file ATTACHed as `xp`: the run and replication rows are copied by SQL, the
 * values and points decoded from each replication's blob (store_blob.c).  Indexes are
 * built after the rows are in, which is faster than keeping them up to date. */

static const char export_schema_sql[] =
    "CREATE TABLE xp.run(\n" STORE__RUN_COLUMNS
    "CREATE TABLE xp.replication(\n"
    "  run INTEGER NOT NULL REFERENCES run(id),\n"
    "  replication INTEGER NOT NULL,\n"
    "  status TEXT NOT NULL,\n"
    "  PRIMARY KEY(run, replication)) WITHOUT ROWID;\n"
    /* unit: the values are bare SI numbers (seconds, kilograms, metres); the store's
     * metric_def, which says which, is not part of this file. */
    "CREATE TABLE xp.metric(\n"
    "  run INTEGER NOT NULL,\n"
    "  replication INTEGER NOT NULL,\n"
    "  module TEXT NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  value REAL NOT NULL,\n"
    "  unit TEXT NOT NULL,\n"
    "  FOREIGN KEY(run, replication) REFERENCES replication(run, replication));\n"
    /* value NULL: a NaN point (SQLite stores NaN as NULL). */
    "CREATE TABLE xp.series(\n"
    "  run INTEGER NOT NULL,\n"
    "  replication INTEGER NOT NULL,\n"
    "  module TEXT NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  time REAL NOT NULL,\n"
    "  value REAL,\n"
    "  unit TEXT NOT NULL,\n"
    "  FOREIGN KEY(run, replication) REFERENCES replication(run, replication));\n"
    "INSERT INTO xp.run SELECT id, scenario_name, scenario_hash, scenario_path, seed, "
    "  version, options, replications_planned, replications_done, created_at, "
    "  finished_at, wall_s FROM main.run WHERE id = ?1;\n"
    "INSERT INTO xp.replication SELECT run, idx, status FROM main.replication "
    "  WHERE run = ?1 ORDER BY idx;\n";

/* The queries the tables are for: one metric over the replications (and joined to
 * another by replication), one series of one replication in time order. */
static const char export_index_sql[] =
    "CREATE INDEX xp.metric_by_name ON metric(module, name, replication);\n"
    "CREATE INDEX xp.series_by_name ON series(module, name, replication, time);\n";

/* Insert one replication's observed scalars and its series points. */
static int export_rep(store *st, sqlite3_stmt *ins_metric, sqlite3_stmt *ins_series,
                      int64_t run_id, int r, const rep_view *v, const metric_set *ms) {
  int rc = SQLITE_OK;
  for (size_t k = 0; k < v->nvalues && rc == SQLITE_OK; k++) {
    double value = store__rep_scalar(v, k);
    if ((ms->def[k].flags & METRIC_SERIES) || isnan(value))
      continue; /* a series is its points; NaN: not observed in this replication */
    sqlite3_bind_int64(ins_metric, 1, run_id);
    sqlite3_bind_int(ins_metric, 2, r);
    sqlite3_bind_text(ins_metric, 3, ms->def[k].module, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins_metric, 4, ms->def[k].name, -1, SQLITE_STATIC);
    sqlite3_bind_double(ins_metric, 5, value);
    sqlite3_bind_text(ins_metric, 6, ms->def[k].unit, -1, SQLITE_STATIC);
    rc = sqlite3_step(ins_metric);
    rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    sqlite3_reset(ins_metric);
  }
  size_t first = 0;
  for (size_t i = 0; i < v->nseries && rc == SQLITE_OK; i++) {
    size_t k, np;
    store__rep_dir(v, i, &k, &np);
    if (k >= ms->n)
      return store__fail(st, SQLITE_OK, "replication %d of run %lld is damaged in the store",
                         r, (long long)run_id);
    for (size_t j = 0; j < np && rc == SQLITE_OK; j++) {
      double t, value;
      store__rep_point(v, first + j, &t, &value);
      sqlite3_bind_int64(ins_series, 1, run_id);
      sqlite3_bind_int(ins_series, 2, r);
      sqlite3_bind_text(ins_series, 3, ms->def[k].module, -1, SQLITE_STATIC);
      sqlite3_bind_text(ins_series, 4, ms->def[k].name, -1, SQLITE_STATIC);
      sqlite3_bind_double(ins_series, 5, t);
      sqlite3_bind_double(ins_series, 6, value);
      sqlite3_bind_text(ins_series, 7, ms->def[k].unit, -1, SQLITE_STATIC);
      rc = sqlite3_step(ins_series);
      rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
      sqlite3_reset(ins_series);
    }
    first += np;
  }
  return rc == SQLITE_OK ? 0 : store__fail(st, rc, "cannot export replication %d", r);
}

/* Every row of the export, inside the caller's transaction. */
static int export_rows(store *st, int64_t run_id, const metric_set *ms) {
  sqlite3_stmt *scan = store__stmt(st, S_EXPORT_SCAN);
  sqlite3_stmt *ins_metric = NULL, *ins_series = NULL;
  int err, rc;
  if ((rc = store__script(st, export_schema_sql, run_id, 0)) != SQLITE_OK)
    return store__fail(st, rc, "cannot create the exported tables");
  /* The inserts name xp's tables, so they are prepared here, once an export. */
  if ((err = store__prepare(st, &ins_metric,
                            "INSERT INTO xp.metric VALUES(?1, ?2, ?3, ?4, ?5, ?6)")) ||
      (err = store__prepare(st, &ins_series,
                            "INSERT INTO xp.series VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)")))
    goto done;
  sqlite3_bind_int64(scan, 1, run_id);
  while (!err && (rc = sqlite3_step(scan)) == SQLITE_ROW) {
    int64_t r;
    rep_view v;
    if ((err = store__rep_read(st, scan, 0, run_id, ms->n, &r, &v)))
      break;
    err = export_rep(st, ins_metric, ins_series, run_id, (int)r, &v, ms);
  }
  if (!err && rc != SQLITE_DONE)
    err = store__fail(st, rc, "cannot read the replications of run %lld",
                      (long long)run_id);
  store__reset(scan);
  if (!err && (rc = store__script(st, export_index_sql, 0, 0)) != SQLITE_OK)
    err = store__fail(st, rc, "cannot index the exported tables");
done:
  sqlite3_finalize(ins_metric);
  sqlite3_finalize(ins_series);
  return err;
}

/* Create path, refusing one that exists (O_EXCL: no window between look and make). */
static int export_create(store *st, const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
  if (fd < 0 && errno == EEXIST) {
    store__fail(st, SQLITE_OK, "'%s' already exists; export writes a new file and does "
                "not overwrite one", path);
    return ERR_USAGE;
  }
  if (fd < 0) {
    store__fail(st, SQLITE_OK, "cannot create '%s': %s", path, strerror(errno));
    return ERR_IO;
  }
  close(fd);
  return 0;
}

int store_export_tables(store *st, int64_t run_id, const char *path) {
  store_run_row row;
  metric_set ms;
  sqlite3_stmt *s = store__stmt(st, S_XP_ATTACH);
  int err, rc, attached = 0, created = 0;
  metric_set_init(&ms);
  if ((err = store_run_read(st, run_id, &row))) {
    if (err == ERR_NOTFOUND)
      store__fail(st, SQLITE_OK, "no run %lld in the results store", (long long)run_id);
    goto done;
  }
  if ((err = store_metric_defs(st, run_id, &ms)))
    goto done;
  if (!sqlite3_get_autocommit(st->db)) {
    err = store__fail(st, SQLITE_OK, "cannot export inside an open transaction");
    goto done;
  }
  if ((err = export_create(st, path)))
    goto done;
  created = 1;
  rc = store__bind_text(s, 1, path);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(s);
  store__reset(s);
  if (rc != SQLITE_DONE) {
    err = store__fail(st, rc, "cannot open '%s'", path);
    goto done;
  }
  attached = 1;
  /* One self-contained file (no -wal beside it), all of it or nothing.  Deferred,
   * not S_BEGIN's IMMEDIATE: as it always was. */
  rc = sqlite3_exec(st->db, "PRAGMA xp.journal_mode = DELETE; BEGIN", NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    err = store__fail(st, rc, "cannot start writing '%s'", path);
    goto done;
  }
  err = export_rows(st, run_id, &ms);
  if (!err && (rc = store__exec(st, S_COMMIT)) != SQLITE_OK)
    err = store__fail(st, rc, "cannot write '%s'", path);
done:
  if (err && !sqlite3_get_autocommit(st->db))
    store__exec(st, S_ROLLBACK); /* st->msg keeps the cause */
  if (attached)
    store__exec(st, S_XP_DETACH);
  if (err && created) { /* no partial file, nor its journal */
    char journal[4200];
    remove(path);
    if (snprintf(journal, sizeof journal, "%s-journal", path) < (int)sizeof journal)
      remove(journal);
  }
  metric_set_release(&ms);
  return err;
}
