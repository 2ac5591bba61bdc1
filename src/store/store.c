/* store.c - the SQLite results store: opening a file, its schema, the prepared-
 * statement table, messages and savepoints.  The rest is by section: runs and
 * replication writes in store_run.c, the data blob in store_blob.c, readers in
 * store_read.c, documents in store_doc.c, sweeps in store_sweep.c, then
 * store_merge.c, store_export.c and store_verify.c.
 *
 * Every statement on the store's own tables goes through the prepared-statement
 * table (STMT_MAP, store_internal.h): prepared once here at open, reset after each
 * use.  Only these run through sqlite3_exec or are prepared on the spot, once per
 * open, verify, merge or export: the PRAGMAs and the schema at open (the schema
 * must exist before the table can be prepared); PRAGMA integrity_check
 * (store__check_pages); the export's "PRAGMA xp.journal_mode = DELETE; BEGIN"; and
 * the SQL that names an ATTACHed file's tables (part., xp.) or the merge's temp
 * table, which do not exist at open (store__script, store__prepare).  Writes happen
 * inside the caller's BEGIN IMMEDIATE transaction; each replication is additionally
 * wrapped in a savepoint so that it lands whole or not at all. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sqlite3.h>

#include "err.h"
#include "store_internal.h"

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS run(\n" STORE__RUN_COLUMNS
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
    "  data BLOB NOT NULL,\n"
    "  checksum INTEGER NOT NULL,\n"
    "  PRIMARY KEY(run, idx));\n"
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
    "  FOREIGN KEY(run, replication) REFERENCES replication(run, idx)) WITHOUT ROWID;\n";

/* Named documents of a run (store_doc_put): the theater, the plan's findings.
 * checksum: see store_doc.c; NULL only in a row written before documents had one. */
static const char doc_sql[] =
    "CREATE TABLE IF NOT EXISTS doc(\n"
    "  run INTEGER NOT NULL REFERENCES run(id),\n"
    "  name TEXT NOT NULL,\n"
    "  body TEXT NOT NULL,\n"
    "  checksum INTEGER,\n"
    "  PRIMARY KEY(run, name)) WITHOUT ROWID;\n";

/* Whether table doc has its checksum column: 1, 0, or -1 (an SQLite error). */
static int doc_has_checksum(sqlite3 *db) {
  sqlite3_stmt *s = NULL;
  int found = 0, rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_info('doc') "
                                         "WHERE name = 'checksum'", -1, &s, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
    found = sqlite3_column_int(s, 0) > 0;
  sqlite3_finalize(s);
  return rc == SQLITE_ROW ? found : -1;
}

/* Sweeps (store_sweep_begin): a design point is a run; see store.h. */
static const char sweep_sql[] =
    "CREATE TABLE IF NOT EXISTS sweep(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  sweep_hash TEXT NOT NULL,\n"
    "  sweep_path TEXT NOT NULL,\n"
    "  design TEXT NOT NULL,\n"
    "  points INTEGER NOT NULL,\n"
    "  replications INTEGER NOT NULL,\n"
    "  created_at TEXT NOT NULL,\n"
    "  finished_at TEXT);\n"
    "CREATE TABLE IF NOT EXISTS sweep_point(\n"
    "  sweep INTEGER NOT NULL REFERENCES sweep(id),\n"
    "  point INTEGER NOT NULL,\n"
    "  run INTEGER NOT NULL REFERENCES run(id),\n"
    "  overrides TEXT NOT NULL,\n"
    "  PRIMARY KEY(sweep, point)) WITHOUT ROWID;\n";

static const char *const stmt_sql[S__COUNT] = {
#define STMT__SQL(name, sql) sql,
    STMT_MAP(STMT__SQL)
#undef STMT__SQL
};

void store__cache_drop(store *st) {
  free(st->cache);
  st->cache = NULL;
  st->cache_n = st->cache_m = 0;
  st->cache_run = 0;
}

int store__fail(store *st, int sqlite_rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(st->msg, sizeof st->msg, fmt, ap);
  va_end(ap);
  if (sqlite_rc != SQLITE_OK && len >= 0 && (size_t)len < sizeof st->msg)
    snprintf(st->msg + len, sizeof st->msg - (size_t)len, ": %s",
             st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(sqlite_rc));
  return sqlite_rc == SQLITE_NOMEM ? ERR_NOMEM : ERR_STORE;
}

sqlite3_stmt *store__stmt(store *st, int which) { return st->stmt[which]; }

void store__reset(sqlite3_stmt *s) {
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
}

int store__exec(store *st, int which) {
  sqlite3_stmt *s = st->stmt[which];
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
  }
  store__reset(s);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store__bind_text(sqlite3_stmt *s, int i, const char *text) {
  return sqlite3_bind_text(s, i, text ? text : "", -1, SQLITE_TRANSIENT);
}

int store__script(store *st, const char *sql, int64_t a, int64_t b) {
  const char *tail = sql;
  int rc = SQLITE_OK;
  while (rc == SQLITE_OK && tail && *tail) {
    sqlite3_stmt *s = NULL;
    rc = sqlite3_prepare_v2(st->db, tail, -1, &s, &tail);
    if (rc != SQLITE_OK || !s)
      break; /* an error, or only whitespace was left */
    if (sqlite3_bind_parameter_count(s) >= 1)
      rc = sqlite3_bind_int64(s, 1, a);
    if (rc == SQLITE_OK && sqlite3_bind_parameter_count(s) >= 2)
      rc = sqlite3_bind_int64(s, 2, b);
    if (rc == SQLITE_OK) {
      rc = sqlite3_step(s);
      rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
    }
    sqlite3_finalize(s);
  }
  return rc;
}

int store__prepare(store *st, sqlite3_stmt **s, const char *sql) {
  int rc = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);
  return rc == SQLITE_OK ? 0 : store__fail(st, rc, "cannot prepare a query");
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

/* PRAGMA quick_check or integrity_check (pragma names which; it runs as
 * "PRAGMA name(10)"): 0 when SQLite finds the file sound, else ERR_STORE with the
 * first problem in st->msg. */
int store__check_pages(store *st, const char *pragma) {
  char sql[64], first[200] = "";
  sqlite3_stmt *s = NULL;
  int problems = 0;
  snprintf(sql, sizeof sql, "PRAGMA %s(10)", pragma);
  int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    const unsigned char *t = sqlite3_column_text(s, 0);
    if (t && strcmp((const char *)t, "ok") == 0)
      continue;
    if (!problems++) { /* its first line, without SQLite's "*** in database main ***" */
      const char *p = t ? (const char *)t : "?";
      if (strncmp(p, "*** ", 4) == 0 && strchr(p, '\n'))
        p = strchr(p, '\n') + 1;
      snprintf(first, sizeof first, "%.*s", (int)strcspn(p, "\n"), p);
    }
  }
  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    rc = SQLITE_OK;
  if (rc != SQLITE_OK && !first[0]) /* the check itself could not read the file */
    snprintf(first, sizeof first, "%s", sqlite3_errmsg(st->db));
  sqlite3_finalize(s);
  if (rc == SQLITE_NOMEM)
    return store__fail(st, rc, "results store '%s': no memory to check it", st->path);
  if (rc == SQLITE_OK && !problems)
    return 0;
  store__fail(st, SQLITE_OK, "results store '%s' is damaged: PRAGMA %s found %s%d "
              "problem%s, the first: %s; straits reads nothing from it (restore it from "
              "a copy, or salvage what SQLite can with 'sqlite3 %s .recover')", st->path,
              pragma, problems >= 10 ? "at least " : "", problems ? problems : 1,
              problems > 1 ? "s" : "", first, st->path);
  return ERR_STORE;
}

/* Create the schema on a new file, or check that an existing one is ours. */
static int apply_schema(store *st) {
  int version = 0, rc;
  /* Take the write lock first so two processes creating one file don't race. */
  rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return store__fail(st, rc, "cannot lock the results store");
  rc = pragma_int(st->db, "PRAGMA user_version", &version);
  if (rc != SQLITE_OK) {
    store__fail(st, rc, "cannot read the results store's schema version");
    goto done;
  }
  /* Older stores are refused, not migrated: version 2 has no checksums, and one
   * computed now would vouch for bytes that nobody verified. */
  if (version != 0 && version != STORE_SCHEMA_VERSION) {
    store__fail(st, SQLITE_OK,
                "results store schema version %d is not supported (expected %d)%s",
                version, STORE_SCHEMA_VERSION,
                version == 2 ? "; it was made by an older straits and its replications "
                               "carry no checksums: run again into a new store"
                : version < STORE_SCHEMA_VERSION ? "; it was made by an older straits: "
                                                   "run again into a new store" : "");
    rc = SQLITE_ERROR;
    goto done;
  }
  if (version == 0) {
    rc = sqlite3_exec(st->db, schema_sql, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
      rc = sqlite3_exec(st->db, "PRAGMA user_version = " STORE__STR(STORE_SCHEMA_VERSION),
                        NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
      store__fail(st, rc, "cannot create the results store's tables");
      goto done;
    }
  }
  /* Added after schema version 1 shipped, so created on every open: additive, and a
   * store from before it gains the table without a version bump. */
  rc = sqlite3_exec(st->db, doc_sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    store__fail(st, rc, "cannot create the results store's doc table");
    goto done;
  }
  /* The documents' checksum came later still: a store from before gains the column,
   * and its old rows keep a NULL there -- read as unverified (store_doc.c), never
   * given a checksum now, which would vouch for bytes nobody verified. */
  int has = doc_has_checksum(st->db);
  if (has == 0)
    rc = sqlite3_exec(st->db, "ALTER TABLE doc ADD COLUMN checksum INTEGER", NULL, NULL,
                      NULL);
  if (has < 0 || rc != SQLITE_OK) {
    store__fail(st, has < 0 ? SQLITE_ERROR : rc,
                "cannot add the checksum column to the results store's doc table");
    rc = SQLITE_ERROR;
    goto done;
  }
  rc = sqlite3_exec(st->db, sweep_sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    store__fail(st, rc, "cannot create the results store's sweep tables");
    goto done;
  }
  rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    store__fail(st, rc, "cannot create the results store's tables");
done:
  if (rc != SQLITE_OK) {
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return ERR_STORE;
  }
  return 0;
}

/* store_open, with the file's page check or without it (check 0: a second handle on
 * a file this process has checked already, store_open_reader). */
static int open_store(store **out, const char *path, int check, diag *d) {
  int err = 0, rc;
  char mode[32];
  store *st = calloc(1, sizeof *st);
  *out = NULL;
  if (!st) {
    diag_report(d, DIAG_ERROR, path, 0, 0, "cannot open results store: out of memory");
    return ERR_NOMEM;
  }
  /* A store is a regular file (or SQLite's ":memory:" and its URIs, which stat does
   * not find): a FIFO or a device is refused by name before SQLite touches it. */
  struct stat sb;
  if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
    diag_report(d, DIAG_ERROR, path, 0, 0, "cannot open results store: '%s' is not a regular "
                "file (%s)", path, S_ISFIFO(sb.st_mode) ? "a FIFO" : S_ISDIR(sb.st_mode)
                                                              ? "a folder" : "a device");
    err = ERR_STORE;
    goto done;
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
  if (!(st->path = malloc(strlen(path) + 1))) {
    err = ERR_NOMEM;
    diag_report(d, DIAG_ERROR, path, 0, 0, "cannot open results store: out of memory");
    goto done;
  }
  memcpy(st->path, path, strlen(path) + 1);
  /* A new file's page size, before anything is written (on an existing file it does
   * nothing: SQLite keeps the file's own).  A replication is one ~10 KB row: on
   * SQLite's default 4 KiB pages it spills into a chain of overflow pages, each
   * fetched by a system call of its own in every scan of the run; on 32 KiB pages
   * three rows share a leaf.  A scan of 20,000 replications of the default scenario
   * (the summaries of `straits export -f csv`, which reads the run a few times) took
   * 6.3 s of CPU against 9.7 s, at 4% more file (bench/README.md, issue 22). */
  rc = sqlite3_exec(st->db, "PRAGMA page_size = " STORE__STR(STORE__PAGE_SIZE), NULL, NULL,
                    NULL);
  /* journal_mode is the first read of the file: a file that is not a database
   * fails here with SQLITE_NOTADB. */
  if (rc == SQLITE_OK)
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
  /* With WAL, NORMAL loses at most the last commits on power loss, never consistency.
   * A page cache of up to 16 MiB (SQLite's default is 2 MiB) keeps a run's rows, ~9.5 KB
   * a replication, in memory from their writing to the summaries and analyses that
   * read them all back right after, for runs up to ~1,700 replications of the default
   * scenario: without it each of those scans re-read every page through a system
   * call.  Not more: the cache is most of what grows with a run's length (64 MiB made
   * a 10,000-replication run peak at 149 MB against 83 MB at 1,000, issue 22), and the
   * readers now scan a run a few times, not once per metric. */
  rc = sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; "
                    "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384",
                    NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    err = ERR_STORE;
    diag_report(d, DIAG_ERROR, path, 0, 0, "cannot configure results store: %s",
                sqlite3_errmsg(st->db));
    goto done;
  }
  /* Every open checks the file's pages (b-trees, free list, overflow chains, and
   * each index against its table), so a damaged store is refused before anything is
   * read or written; the rows' own checksums cover their values.  The full
   * integrity_check, not quick_check: on the stores straits writes they cost the
   * same (0.02 s for 5,000 replications, 46 MB; 0.18 s for 40,000, 364 MB: one read
   * of the file, figures in docs/cli.md), as the indexes are small. */
  err = check ? store__check_pages(st, "integrity_check") : 0;
  if (err) {
    diag_report(d, DIAG_ERROR, path, 0, 0, "%s", st->msg);
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

int store_open(store **out, const char *path, diag *d) { return open_store(out, path, 1, d); }

void store_close(store *st) {
  if (!st)
    return;
  for (int i = 0; i < S__COUNT; i++)
    sqlite3_finalize(st->stmt[i]);
  /* An open transaction is rolled back by closing; the _v2 form never leaves the
   * handle half-alive. */
  sqlite3_close_v2(st->db);
  free(st->pack);
  free(st->at);
  free(st->cache);
  free(st->path);
  free(st);
}

int store_open_reader(store **out, const store *st) {
  *out = NULL;
  const char *path = st->path;
  if (!path[0] || strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
    return ERR_USAGE; /* SQLite's memory and URI forms: not a file another handle opens */
  diag *quiet = diag_new();
  /* st's open checked the file's pages: a reader does not read it all again (0.2 s at
   * 40,000 replications, before the report's threads may start). */
  int err = quiet ? open_store(out, path, 0, quiet) : ERR_NOMEM;
  diag_free(quiet);
  /* A reader scans: SQLite's default cache (2 MiB), not the writer's 16 MiB. */
  if (!err && sqlite3_exec((*out)->db, "PRAGMA cache_size = -2000", NULL, NULL, NULL) != SQLITE_OK) {
    store_close(*out);
    *out = NULL;
    err = ERR_STORE;
  }
  return err;
}

const char *store_errmsg(const store *st) { return st ? st->msg : "no results store"; }

/* ---- savepoints: one unit of work, inside or outside the caller's transaction --- */

int store__sp_begin(store *st) {
  int rc = store__exec(st, S_SP_BEGIN);
  return rc == SQLITE_OK ? 0 : store__fail(st, rc, "cannot start a savepoint");
}

int store__sp_end(store *st, int ok) {
  int rc = SQLITE_OK;
  if (!ok)
    rc = store__exec(st, S_SP_UNDO);
  /* RELEASE after ROLLBACK TO closes the (now empty) savepoint; outside a
   * transaction it is the commit. */
  int rc2 = store__exec(st, S_SP_RELEASE);
  if (rc == SQLITE_OK)
    rc = rc2;
  return rc == SQLITE_OK ? 0 : store__fail(st, rc, "cannot end a savepoint");
}
