/* store.c - the SQLite results store: schema, run registry, batched replication writes.
 *
 * Every statement is prepared once at open and reset after each use.  Writes happen
 * inside the caller's BEGIN IMMEDIATE transaction; each replication is additionally
 * wrapped in a savepoint so that it lands whole or not at all. */
#include "store.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "err.h"

#define STORE__XSTR(x) #x
#define STORE__STR(x) STORE__XSTR(x)

/* Value columns carry no declared type on purpose: REAL affinity stores integral
 * doubles as integers and reads -0.0 back as 0.0, which would make a resumed run's
 * summary differ in the last bit from an uninterrupted one. */
static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS run(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  scenario_name TEXT NOT NULL,\n"
    "  scenario_hash TEXT NOT NULL,\n"
    "  scenario_path TEXT NOT NULL,\n"
    "  seed INTEGER NOT NULL,\n"
    "  version TEXT NOT NULL,\n"
    "  options TEXT NOT NULL,\n"
    "  replications_planned INTEGER NOT NULL,\n"
    "  replications_done INTEGER NOT NULL DEFAULT 0,\n"
    "  created_at TEXT NOT NULL,\n"
    "  finished_at TEXT,\n"
    "  wall_s REAL NOT NULL DEFAULT 0);\n"
    "CREATE INDEX IF NOT EXISTS run_key ON run(scenario_hash, seed, version, options);\n"
    "CREATE TABLE IF NOT EXISTS metric_def(\n"
    "  run INTEGER NOT NULL REFERENCES run(id),\n"
    "  idx INTEGER NOT NULL,\n"
    "  module TEXT NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  unit TEXT NOT NULL,\n"
    "  description TEXT NOT NULL,\n"
    "  flags INTEGER NOT NULL,\n"
    "  PRIMARY KEY(run, idx),\n"
    "  UNIQUE(run, module, name)) WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS replication(\n"
    "  run INTEGER NOT NULL REFERENCES run(id),\n"
    "  idx INTEGER NOT NULL,\n"
    "  status TEXT NOT NULL,\n"
    "  PRIMARY KEY(run, idx)) WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS metric_value(\n"
    "  run INTEGER NOT NULL,\n"
    "  metric INTEGER NOT NULL,\n"
    "  replication INTEGER NOT NULL,\n"
    "  value NOT NULL,\n"
    "  PRIMARY KEY(run, metric, replication),\n"
    "  FOREIGN KEY(run, replication) REFERENCES replication(run, idx),\n"
    "  FOREIGN KEY(run, metric) REFERENCES metric_def(run, idx)) WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS series_point(\n"
    "  run INTEGER NOT NULL,\n"
    "  metric INTEGER NOT NULL,\n"
    "  replication INTEGER NOT NULL,\n"
    "  seq INTEGER NOT NULL,\n"
    "  t NOT NULL,\n"
    "  value,\n"
    "  PRIMARY KEY(run, metric, replication, seq),\n"
    "  FOREIGN KEY(run, replication) REFERENCES replication(run, idx),\n"
    "  FOREIGN KEY(run, metric) REFERENCES metric_def(run, idx)) WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS track(\n"
    "  run INTEGER NOT NULL,\n"
    "  replication INTEGER NOT NULL,\n"
    "  module TEXT NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  seq INTEGER NOT NULL,\n"
    "  t NOT NULL,\n"
    "  lat NOT NULL,\n"
    "  lon NOT NULL,\n"
    "  PRIMARY KEY(run, replication, module, name, seq),\n"
    "  FOREIGN KEY(run, replication) REFERENCES replication(run, idx)) WITHOUT ROWID;\n"
    "CREATE VIEW IF NOT EXISTS metric AS\n"
    "  SELECT v.run, v.replication, d.module, d.name, d.unit, v.value\n"
    "  FROM metric_value v JOIN metric_def d ON d.run = v.run AND d.idx = v.metric;\n"
    "CREATE VIEW IF NOT EXISTS series AS\n"
    "  SELECT p.run, p.replication, d.module, d.name, p.seq, p.t, p.value\n"
    "  FROM series_point p JOIN metric_def d ON d.run = p.run AND d.idx = p.metric;\n";

/* The prepared statements, by purpose. */
#define STMT_MAP(X)                                                                  \
  X(BEGIN, "BEGIN IMMEDIATE")                                                        \
  X(COMMIT, "COMMIT")                                                                \
  X(ROLLBACK, "ROLLBACK")                                                            \
  X(SP_BEGIN, "SAVEPOINT store_sp")                                                  \
  X(SP_RELEASE, "RELEASE store_sp")                                                  \
  X(SP_UNDO, "ROLLBACK TO store_sp")                                                 \
  X(RUN_INSERT,                                                                      \
    "INSERT INTO run(scenario_name, scenario_hash, scenario_path, seed, version, "   \
    "options, replications_planned, created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, " \
    "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))")                                        \
  X(RUN_FIND,                                                                        \
    "SELECT id FROM run WHERE scenario_hash = ?1 AND seed = ?2 AND version = ?3 "    \
    "AND options = ?4 ORDER BY id DESC LIMIT 1")                                     \
  X(RUN_REOPEN,                                                                      \
    "UPDATE run SET replications_planned = ?2, finished_at = NULL WHERE id = ?1")    \
  X(RUN_FINISH,                                                                      \
    "UPDATE run SET replications_done = coalesce(?2, replications_done), "           \
    "wall_s = wall_s + ?3, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "     \
    "WHERE id = ?1")                                                                 \
  X(RUN_COUNT,                                                                       \
    "UPDATE run SET replications_done = replications_done + 1 WHERE id = ?1")        \
  X(DEF_INSERT,                                                                      \
    "INSERT INTO metric_def(run, idx, module, name, unit, description, flags) "      \
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)")                                            \
  X(DEF_SELECT,                                                                      \
    "SELECT idx, module, name, unit, flags FROM metric_def WHERE run = ?1 "          \
    "ORDER BY idx")                                                                  \
  X(REP_INSERT, "INSERT INTO replication(run, idx, status) VALUES(?1, ?2, 'done')")  \
  X(REP_DONE,                                                                        \
    "SELECT idx FROM replication WHERE run = ?1 AND status = 'done' AND idx >= 0 "   \
    "AND idx < ?2")                                                                  \
  X(VAL_INSERT,                                                                      \
    "INSERT INTO metric_value(run, metric, replication, value) "                     \
    "VALUES(?1, ?2, ?3, ?4)")                                                        \
  X(PT_INSERT,                                                                       \
    "INSERT INTO series_point(run, metric, replication, seq, t, value) "             \
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)")                                                \
  X(VAL_SELECT,                                                                      \
    "SELECT replication, value FROM metric_value WHERE run = ?1 AND metric = ?2 "    \
    "AND replication >= 0 AND replication < ?3 ORDER BY replication")                \
  /* SQLite documents that a bare column beside max() comes from the max row. */    \
  X(LAST_SELECT,                                                                     \
    "SELECT replication, value, max(seq) FROM series_point WHERE run = ?1 AND "      \
    "metric = ?2 AND replication >= 0 AND replication < ?3 GROUP BY replication "    \
    "ORDER BY replication")

enum {
#define STMT__ENUM(name, sql) S_##name,
  STMT_MAP(STMT__ENUM)
#undef STMT__ENUM
  S__COUNT
};

static const char *const stmt_sql[S__COUNT] = {
#define STMT__SQL(name, sql) sql,
    STMT_MAP(STMT__SQL)
#undef STMT__SQL
};

struct store {
  sqlite3 *db;
  sqlite3_stmt *stmt[S__COUNT];
  char msg[512];
};

/* Remember a failure: the caller's words, then SQLite's if it has any. */
static int fail(store *st, int sqlite_rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(store *st, int sqlite_rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(st->msg, sizeof st->msg, fmt, ap);
  va_end(ap);
  if (sqlite_rc != SQLITE_OK && len >= 0 && (size_t)len < sizeof st->msg)
    snprintf(st->msg + len, sizeof st->msg - (size_t)len, ": %s",
             st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(sqlite_rc));
  return sqlite_rc == SQLITE_NOMEM ? ERR_NOMEM : ERR_STORE;
}

/* Run a statement that returns no rows (or whose rows are ignored) and reset it. */
static int exec_stmt(store *st, int which) {
  sqlite3_stmt *s = st->stmt[which];
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
  }
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int bind_text(sqlite3_stmt *s, int i, const char *text) {
  return sqlite3_bind_text(s, i, text ? text : "", -1, SQLITE_TRANSIENT);
}

/* A pragma that returns one text row (journal_mode); copies it into buf. */
static int pragma_text(sqlite3 *db, const char *sql, char *buf, size_t size) {
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
  if (rc != SQLITE_OK)
    return rc;
  rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    const unsigned char *t = sqlite3_column_text(s, 0);
    snprintf(buf, size, "%s", t ? (const char *)t : "");
    rc = SQLITE_OK;
  } else if (rc == SQLITE_DONE) {
    buf[0] = '\0';
    rc = SQLITE_OK;
  }
  sqlite3_finalize(s);
  return rc;
}

static int pragma_int(sqlite3 *db, const char *sql, int *value) {
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
  if (rc != SQLITE_OK)
    return rc;
  rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    *value = sqlite3_column_int(s, 0);
    rc = SQLITE_OK;
  }
  sqlite3_finalize(s);
  return rc;
}

/* Create the schema on a new file, or check that an existing one is ours. */
static int apply_schema(store *st) {
  int version = 0, rc;
  /* Take the write lock first so two processes creating one file don't race. */
  rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return fail(st, rc, "cannot lock the results store");
  rc = pragma_int(st->db, "PRAGMA user_version", &version);
  if (rc != SQLITE_OK) {
    fail(st, rc, "cannot read the results store's schema version");
    goto done;
  }
  if (version != 0 && version != STORE_SCHEMA_VERSION) {
    fail(st, SQLITE_OK, "results store schema version %d is not supported (expected %d)",
         version, STORE_SCHEMA_VERSION);
    rc = SQLITE_ERROR;
    goto done;
  }
  if (version == 0) {
    rc = sqlite3_exec(st->db, schema_sql, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
      rc = sqlite3_exec(st->db, "PRAGMA user_version = " STORE__STR(STORE_SCHEMA_VERSION),
                        NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
      fail(st, rc, "cannot create the results store's tables");
      goto done;
    }
  }
  rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    fail(st, rc, "cannot create the results store's tables");
done:
  if (rc != SQLITE_OK) {
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return ERR_STORE;
  }
  return 0;
}

int store_open(store **out, const char *path, diag *d) {
  int err = 0, rc;
  char mode[32];
  store *st = calloc(1, sizeof *st);
  *out = NULL;
  if (!st) {
    diag_report(d, DIAG_ERROR, path, 0, 0, "cannot open results store: out of memory");
    return ERR_NOMEM;
  }
  /* The handle belongs to one thread, so SQLite's own mutexes are not needed. */
  rc = sqlite3_open_v2(path, &st->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                       NULL);
  if (rc != SQLITE_OK) {
    err = rc == SQLITE_NOMEM ? ERR_NOMEM : ERR_IO;
    diag_report(d, DIAG_ERROR, path, 0, 0, "cannot open results store: %s",
                st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
    goto done;
  }
  sqlite3_extended_result_codes(st->db, 1);
  sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
  /* journal_mode is the first read of the file: a file that is not a database
   * fails here with SQLITE_NOTADB. */
  rc = pragma_text(st->db, "PRAGMA journal_mode = WAL", mode, sizeof mode);
  if (rc != SQLITE_OK) {
    err = ERR_STORE;
    diag_report(d, DIAG_ERROR, path, 0, 0, "cannot open results store: %s",
                sqlite3_errmsg(st->db));
    goto done;
  }
  /* In-memory databases report "memory"; a file system without shared memory may
   * refuse WAL, which costs speed, not correctness. */
  if (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0)
    diag_report(d, DIAG_WARNING, path, 0, 0,
                "results store uses journal mode '%s', not 'wal'", mode);
  /* With WAL, NORMAL loses at most the last commits on power loss, never consistency. */
  rc = sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; "
                    "PRAGMA temp_store = MEMORY",
                    NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    err = ERR_STORE;
    diag_report(d, DIAG_ERROR, path, 0, 0, "cannot configure results store: %s",
                sqlite3_errmsg(st->db));
    goto done;
  }
  err = apply_schema(st);
  if (err) {
    diag_report(d, DIAG_ERROR, path, 0, 0, "%s", st->msg);
    goto done;
  }
  for (int i = 0; i < S__COUNT; i++) {
    rc = sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                            &st->stmt[i], NULL);
    if (rc != SQLITE_OK) {
      err = rc == SQLITE_NOMEM ? ERR_NOMEM : ERR_STORE;
      diag_report(d, DIAG_ERROR, path, 0, 0, "cannot prepare results store statement: %s",
                  sqlite3_errmsg(st->db));
      goto done;
    }
  }
  st->msg[0] = '\0';
done:
  if (err) {
    store_close(st);
    return err;
  }
  *out = st;
  return 0;
}

void store_close(store *st) {
  if (!st)
    return;
  for (int i = 0; i < S__COUNT; i++)
    sqlite3_finalize(st->stmt[i]);
  /* An open transaction is rolled back by closing; the _v2 form never leaves the
   * handle half-alive. */
  sqlite3_close_v2(st->db);
  free(st);
}

const char *store_errmsg(const store *st) { return st ? st->msg : "no results store"; }

/* ---- savepoints: one unit of work, inside or outside the caller's transaction --- */

static int sp_begin(store *st) {
  int rc = exec_stmt(st, S_SP_BEGIN);
  return rc == SQLITE_OK ? 0 : fail(st, rc, "cannot start a savepoint");
}

static int sp_end(store *st, int ok) {
  int rc = SQLITE_OK;
  if (!ok)
    rc = exec_stmt(st, S_SP_UNDO);
  /* RELEASE after ROLLBACK TO closes the (now empty) savepoint; outside a
   * transaction it is the commit. */
  int rc2 = exec_stmt(st, S_SP_RELEASE);
  if (rc == SQLITE_OK)
    rc = rc2;
  return rc == SQLITE_OK ? 0 : fail(st, rc, "cannot end a savepoint");
}

/* ---- runs --------------------------------------------------------------------- */

int store_run_begin(store *st, int64_t *run_id, const store_run_info *info,
                    const metric_set *ms, diag *d) {
  int err, rc;
  int64_t id = 0;
  sqlite3_stmt *s;
  *run_id = 0;
  if ((err = sp_begin(st)))
    goto report;

  s = st->stmt[S_RUN_INSERT];
  bind_text(s, 1, info->scenario_name);
  bind_text(s, 2, info->scenario_hash);
  bind_text(s, 3, info->scenario_path);
  sqlite3_bind_int64(s, 4, (int64_t)info->seed);
  bind_text(s, 5, info->version);
  bind_text(s, 6, info->options);
  sqlite3_bind_int(s, 7, info->replications);
  rc = exec_stmt(st, S_RUN_INSERT);
  if (rc != SQLITE_OK) {
    err = fail(st, rc, "cannot record the run");
    goto done;
  }
  id = sqlite3_last_insert_rowid(st->db);

  s = st->stmt[S_DEF_INSERT];
  for (size_t i = 0; i < ms->n; i++) {
    const metric_def *m = &ms->def[i];
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, (int64_t)i);
    bind_text(s, 3, m->module);
    bind_text(s, 4, m->name);
    bind_text(s, 5, m->unit);
    bind_text(s, 6, m->description);
    sqlite3_bind_int64(s, 7, (int64_t)m->flags);
    rc = exec_stmt(st, S_DEF_INSERT);
    if (rc != SQLITE_OK) {
      err = fail(st, rc, "cannot record metric '%s.%s'", m->module, m->name);
      goto done;
    }
  }
done:;
  int e2 = sp_end(st, err == 0);
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
  sqlite3_stmt *s = st->stmt[S_DEF_SELECT];
  size_t i = 0;
  int err = 0, rc;
  sqlite3_bind_int64(s, 1, id);
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const unsigned char *module = sqlite3_column_text(s, 1);
    const unsigned char *name = sqlite3_column_text(s, 2);
    const unsigned char *unit = sqlite3_column_text(s, 3);
    unsigned flags = (unsigned)sqlite3_column_int64(s, 4);
    if (i >= ms->n) {
      fail(st, SQLITE_OK, "stored run %lld has more metrics (first extra: '%s.%s') than this "
           "scenario's %zu", (long long)id, module ? (const char *)module : "",
           name ? (const char *)name : "", ms->n);
      err = ERR_MISMATCH;
      break;
    }
    const metric_def *m = &ms->def[i];
    if (sqlite3_column_int64(s, 0) != (int64_t)i || !text_eq(module, m->module) ||
        !text_eq(name, m->name) || !text_eq(unit, m->unit) || flags != m->flags) {
      fail(st, SQLITE_OK, "stored run %lld has metric %zu '%s.%s' [%s] where this scenario "
           "has '%s.%s' [%s]", (long long)id, i, module ? (const char *)module : "",
           name ? (const char *)name : "", unit ? (const char *)unit : "", m->module,
           m->name, m->unit);
      err = ERR_MISMATCH;
      break;
    }
    i++;
  }
  if (!err && rc != SQLITE_DONE)
    err = fail(st, rc, "cannot read the metrics of run %lld", (long long)id);
  else if (!err && i < ms->n) {
    fail(st, SQLITE_OK, "stored run %lld has %zu metrics where this scenario has %zu "
         "(first missing: '%s.%s')", (long long)id, i, ms->n, ms->def[i].module,
         ms->def[i].name);
    err = ERR_MISMATCH;
  }
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  if (err && d)
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "%s", st->msg);
  return err;
}

int store_run_find(store *st, int64_t *run_id, const store_run_info *info,
                   const metric_set *ms, diag *d) {
  sqlite3_stmt *s = st->stmt[S_RUN_FIND];
  int64_t id = 0;
  int rc;
  *run_id = 0;
  bind_text(s, 1, info->scenario_hash);
  sqlite3_bind_int64(s, 2, (int64_t)info->seed);
  bind_text(s, 3, info->version);
  bind_text(s, 4, info->options);
  rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  if (rc == SQLITE_DONE) {
    fail(st, SQLITE_OK, "no stored run matches");
    return ERR_NOTFOUND;
  }
  if (rc != SQLITE_ROW) {
    int err = fail(st, rc, "cannot look up runs");
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
  sqlite3_stmt *s = st->stmt[S_RUN_REOPEN];
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_int(s, 2, replications_planned);
  int rc = exec_stmt(st, S_RUN_REOPEN);
  if (rc != SQLITE_OK)
    return fail(st, rc, "cannot update run %lld", (long long)run_id);
  if (sqlite3_changes(st->db) != 1)
    return fail(st, SQLITE_OK, "run %lld is not in the store", (long long)run_id);
  return 0;
}

int store_run_finish(store *st, int64_t run_id, int completed, double wall_s) {
  sqlite3_stmt *s = st->stmt[S_RUN_FINISH];
  sqlite3_bind_int64(s, 1, run_id);
  if (completed >= 0)
    sqlite3_bind_int(s, 2, completed); /* else NULL: keep the count */
  sqlite3_bind_double(s, 3, isfinite(wall_s) && wall_s > 0 ? wall_s : 0.0);
  int rc = exec_stmt(st, S_RUN_FINISH);
  if (rc != SQLITE_OK)
    return fail(st, rc, "cannot finish run %lld", (long long)run_id);
  if (sqlite3_changes(st->db) != 1)
    return fail(st, SQLITE_OK, "run %lld is not in the store", (long long)run_id);
  return 0;
}

int store_replications_done(store *st, int64_t run_id, unsigned char *done, size_t n) {
  sqlite3_stmt *s = st->stmt[S_REP_DONE];
  int rc;
  if (n)
    memset(done, 0, n);
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_int64(s, 2, (int64_t)n);
  while ((rc = sqlite3_step(s)) == SQLITE_ROW)
    done[sqlite3_column_int64(s, 0)] = 1; /* 0 <= idx < n by the query */
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  if (rc != SQLITE_DONE)
    return fail(st, rc, "cannot read the replications of run %lld", (long long)run_id);
  return 0;
}

/* ---- batched writes ------------------------------------------------------------ */

int store_begin(store *st) {
  int rc = exec_stmt(st, S_BEGIN);
  return rc == SQLITE_OK ? 0 : fail(st, rc, "cannot begin a transaction");
}

int store_commit(store *st) {
  int rc = exec_stmt(st, S_COMMIT);
  return rc == SQLITE_OK ? 0 : fail(st, rc, "cannot commit");
}

int store_rollback(store *st) {
  if (sqlite3_get_autocommit(st->db))
    return 0;
  int rc = exec_stmt(st, S_ROLLBACK);
  return rc == SQLITE_OK ? 0 : fail(st, rc, "cannot roll back");
}

int store_put_replication(store *st, int64_t run_id, int replication,
                          const metric_set *ms, const metric_out *out) {
  int err, rc;
  sqlite3_stmt *s;
  if ((err = sp_begin(st)))
    return err;

  /* The done mark goes first: its primary key refuses a replication stored before,
   * before any of its rows are written. */
  s = st->stmt[S_REP_INSERT];
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_int(s, 2, replication);
  rc = exec_stmt(st, S_REP_INSERT);
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    err = fail(st, SQLITE_OK, "replication %d of run %lld is already stored", replication,
               (long long)run_id);
    goto done;
  }
  if (rc != SQLITE_OK) {
    err = fail(st, rc, "cannot store replication %d of run %lld", replication,
               (long long)run_id);
    goto done;
  }

  /* The run row's count stays true even for a run that never finishes. */
  sqlite3_bind_int64(st->stmt[S_RUN_COUNT], 1, run_id);
  rc = exec_stmt(st, S_RUN_COUNT);
  if (rc != SQLITE_OK) {
    err = fail(st, rc, "cannot count replication %d of run %lld", replication,
               (long long)run_id);
    goto done;
  }

  s = st->stmt[S_VAL_INSERT];
  for (size_t i = 0; i < ms->n; i++) {
    double v = out->value[i];
    if (isnan(v))
      continue; /* not observed: no row (SQLite would store NaN as NULL anyway) */
    sqlite3_bind_int64(s, 1, run_id);
    sqlite3_bind_int64(s, 2, (int64_t)i);
    sqlite3_bind_int(s, 3, replication);
    sqlite3_bind_double(s, 4, v);
    rc = exec_stmt(st, S_VAL_INSERT);
    if (rc != SQLITE_OK) {
      err = fail(st, rc, "cannot store metric '%s.%s' of replication %d",
                 ms->def[i].module, ms->def[i].name, replication);
      goto done;
    }
  }

  s = st->stmt[S_PT_INSERT];
  for (size_t k = 0; k < out->npoints; k++) {
    const metric_point *p = &out->point[k];
    if (p->metric < 0 || (size_t)p->metric >= ms->n) {
      err = fail(st, SQLITE_OK, "replication %d has a point of unknown metric %d",
                 replication, p->metric);
      goto done;
    }
    sqlite3_bind_int64(s, 1, run_id);
    sqlite3_bind_int(s, 2, p->metric);
    sqlite3_bind_int(s, 3, replication);
    sqlite3_bind_int64(s, 4, (int64_t)k);
    sqlite3_bind_double(s, 5, p->t);
    if (isnan(p->value))
      sqlite3_bind_null(s, 6);
    else
      sqlite3_bind_double(s, 6, p->value);
    rc = exec_stmt(st, S_PT_INSERT);
    if (rc != SQLITE_OK) {
      err = fail(st, rc, "cannot store a point of '%s.%s' in replication %d",
                 ms->def[p->metric].module, ms->def[p->metric].name, replication);
      goto done;
    }
  }
done:;
  char keep[sizeof st->msg];
  if (err)
    memcpy(keep, st->msg, sizeof keep); /* sp_end may overwrite the first cause */
  int e2 = sp_end(st, err == 0);
  if (err) {
    memcpy(st->msg, keep, sizeof keep);
    return err;
  }
  return e2;
}

int store_metric_values(store *st, int64_t run_id, const metric_set *ms, int metric,
                        double *vals, size_t n) {
  if (metric < 0 || (size_t)metric >= ms->n)
    return fail(st, SQLITE_OK, "no metric %d in the registry", metric);
  int series = (ms->def[metric].flags & METRIC_SERIES) != 0;
  int which = series ? S_LAST_SELECT : S_VAL_SELECT;
  sqlite3_stmt *s = st->stmt[which];
  int rc;
  for (size_t i = 0; i < n; i++)
    vals[i] = NAN;
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_int(s, 2, metric);
  sqlite3_bind_int64(s, 3, (int64_t)n);
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    sqlite3_int64 r = sqlite3_column_int64(s, 0); /* 0 <= r < n by the query */
    if (sqlite3_column_type(s, 1) != SQLITE_NULL)
      vals[r] = sqlite3_column_double(s, 1);
  }
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  if (rc != SQLITE_DONE)
    return fail(st, rc, "cannot read metric '%s.%s' of run %lld", ms->def[metric].module,
                ms->def[metric].name, (long long)run_id);
  return 0;
}
