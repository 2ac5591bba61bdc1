/* store.c - the SQLite results store: schema, run registry, batched replication writes.
 *
 * Every statement is prepared once at open and reset after each use.  Writes happen
 * inside the caller's BEGIN IMMEDIATE transaction; each replication is additionally
 * wrapped in a savepoint so that it lands whole or not at all. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sqlite3.h>
#include <xxhash.h>

#include "err.h"

#define STORE__XSTR(x) #x
#define STORE__STR(x) STORE__XSTR(x)

/* A replication is one row: its done mark and, in `data`, every value it yields --
 * the metric values and the series points -- packed as one BLOB (format below).
 * With a row per value and per point (schema 1) the single writer spent most of a
 * run in SQLite, inserting ~450 rows per replication at as many places in the
 * indexes (bench/README.md, issue 8); now a replication is one append.
 *
 * data, all integers little-endian uint32, all values little-endian IEEE-754 doubles
 * stored bit for bit (so -0.0 and NaN survive; NaN = not observed):
 *   nvalues, nseries                    (nvalues = the run's metric count)
 *   value[nvalues]
 *   nseries x (metric, npoints)         series with points, metric ascending
 *   points: for each series in that order, npoints x (t, value)
 * The replication table is a rowid table so the blob lives in its leaves and the
 * (run, idx) key index stays small.
 *
 * checksum: XXH3-64 (libxxhash) of the data blob, seeded with the replication's
 * index, stored as its two's-complement int64.  It is metadata beside the bytes,
 * which stay as they were; every read of a blob verifies it (rep_check), so a
 * flipped bit in a value is an error naming the store and the replication instead
 * of a different number.  The seed ties a blob to its index: a row whose idx was
 * altered fails too.  It does not depend on the run id, so a merge copies it. */
#define STORE__POINT_BYTES 16
#define STORE__DIR_BYTES 8
#define STORE__CACHE_BYTES ((size_t)64 << 20) /* reader's cache of a run's values */

/* The run table's columns, as the store and the relational export (below) have it. */
#define STORE__RUN_COLUMNS                              \
    "  id INTEGER PRIMARY KEY,\n"                       \
    "  scenario_name TEXT NOT NULL,\n"                  \
    "  scenario_hash TEXT NOT NULL,\n"                  \
    "  scenario_path TEXT NOT NULL,\n"                  \
    "  seed INTEGER NOT NULL,\n"                        \
    "  version TEXT NOT NULL,\n"                        \
    "  options TEXT NOT NULL,\n"                        \
    "  replications_planned INTEGER NOT NULL,\n"        \
    "  replications_done INTEGER NOT NULL DEFAULT 0,\n" \
    "  created_at TEXT NOT NULL,\n"                     \
    "  finished_at TEXT,\n"                             \
    "  wall_s REAL NOT NULL DEFAULT 0);\n"

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

/* Named documents of a run (store_doc_put): the theater, the plan's findings. */
static const char doc_sql[] =
    "CREATE TABLE IF NOT EXISTS doc(\n"
    "  run INTEGER NOT NULL REFERENCES run(id),\n"
    "  name TEXT NOT NULL,\n"
    "  body TEXT NOT NULL,\n"
    "  PRIMARY KEY(run, name)) WITHOUT ROWID;\n";

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
  X(REP_INSERT,                                                                      \
    "INSERT INTO replication(run, idx, status, data, checksum) "                     \
    "VALUES(?1, ?2, 'done', ?3, ?4)")                                                \
  X(REP_DONE,                                                                        \
    "SELECT idx, data, checksum FROM replication WHERE run = ?1 AND idx >= 0 "       \
    "AND idx < ?2")                                                                  \
  X(REP_DATA,                                                                        \
    "SELECT idx, data, checksum FROM replication WHERE run = ?1 AND idx >= 0 "       \
    "AND idx < ?2 ORDER BY idx")

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
  char *path; /* as opened, for messages */
  const char *damage; /* why the last damaged row was refused (a static string) */
  sqlite3_stmt *stmt[S__COUNT];
  char msg[512];
  /* The writer's scratch, grown on demand and kept: a replication's data blob
   * (pack) and per metric where its points go (at, [nat]). */
  unsigned char *pack;
  size_t pack_cap;
  size_t *at;
  size_t nat;
  /* The readers' cache: replications [0, cache_n) of run cache_run, cache_m values
   * each (a series' value is its last point), NaN where absent.  Dropped by every
   * write, so it never shows a stale value. */
  double *cache;
  int64_t cache_run;
  size_t cache_n, cache_m;
};

static void put_le32(unsigned char *b, uint32_t v) {
  for (int i = 0; i < 4; i++)
    b[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_le32(const unsigned char *b) {
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Doubles in the blob: little-endian IEEE-754 bit patterns, whatever the host's order. */
static void put_le64(unsigned char *b, double v) {
  uint64_t u;
  memcpy(&u, &v, sizeof u);
  for (int i = 0; i < 8; i++)
    b[i] = (unsigned char)(u >> (8 * i));
}

static double get_le64(const unsigned char *b) {
  uint64_t u = 0;
  double v;
  for (int i = 0; i < 8; i++)
    u |= (uint64_t)b[i] << (8 * i);
  memcpy(&v, &u, sizeof v);
  return v;
}

/* A data blob taken apart (pointers into it); 0, or -1 when it is malformed. */
typedef struct rep_view {
  size_t nvalues, nseries;
  const unsigned char *value, *dir, *points;
} rep_view;

static int rep_parse(rep_view *v, const unsigned char *b, size_t len) {
  if (!b || len < 8)
    return -1;
  v->nvalues = get_le32(b);
  v->nseries = get_le32(b + 4);
  size_t head = 8 + 8 * v->nvalues + STORE__DIR_BYTES * v->nseries;
  if (v->nvalues > METRIC_MAX || v->nseries > METRIC_MAX || head > len)
    return -1;
  v->value = b + 8;
  v->dir = v->value + 8 * v->nvalues;
  v->points = v->dir + STORE__DIR_BYTES * v->nseries;
  size_t total = 0;
  for (size_t i = 0; i < v->nseries; i++)
    total += get_le32(v->dir + STORE__DIR_BYTES * i + 4);
  return total * STORE__POINT_BYTES == len - head ? 0 : -1;
}

/* Entry i < nseries of a parsed blob's series directory: the series' metric index and
 * its number of points (the points of entries 0..i-1 come before its own). */
static void rep_dir(const rep_view *v, size_t i, size_t *metric, size_t *npoints) {
  *metric = get_le32(v->dir + STORE__DIR_BYTES * i);
  *npoints = get_le32(v->dir + STORE__DIR_BYTES * i + 4);
}

/* Point j (counting over all series, in directory order) of a parsed blob. */
static void rep_point(const rep_view *v, size_t j, double *t, double *value) {
  const unsigned char *q = v->points + STORE__POINT_BYTES * j;
  *t = get_le64(q);
  *value = get_le64(q + 8);
}

/* The checksum of replication idx's data blob (format above). */
static int64_t rep_checksum(const void *bytes, size_t len, int64_t idx) {
  return (int64_t)XXH3_64bits_withSeed(bytes, len, (XXH64_hash_t)idx);
}

static int fail(store *st, int sqlite_rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A damaged replication: the message names the store, the run and the replication,
 * and the way out. */
static int damaged(store *st, const char *path, int64_t run_id, int64_t r, const char *why) {
  st->damage = why;
  fail(st, SQLITE_OK, "results store '%s': replication %lld of run %lld is damaged (%s); "
       "'straits verify --drop %s' removes it, then '--resume' recomputes it",
       path, (long long)r, (long long)run_id, why, path);
  return ERR_STORE;
}

/* Read the current row of s, whose columns first, first + 1, first + 2 are a
 * replication's idx, data and checksum: verify the checksum and parse the blob into
 * v (of nvalues values, unless nvalues is SIZE_MAX).  0, or ERR_STORE (damaged; the
 * message names path, the file the row is in). */
static int rep_read_in(store *st, const char *path, sqlite3_stmt *s, int first,
                       int64_t run_id, size_t nvalues, int64_t *idx, rep_view *v) {
  *idx = sqlite3_column_int64(s, first);
  const void *b = sqlite3_column_blob(s, first + 1);
  size_t len = (size_t)sqlite3_column_bytes(s, first + 1);
  if (sqlite3_column_type(s, first + 2) != SQLITE_INTEGER ||
      sqlite3_column_int64(s, first + 2) != rep_checksum(b, len, *idx))
    return damaged(st, path, run_id, *idx, "its checksum does not match its data");
  if (rep_parse(v, b, len) != 0 || (nvalues != SIZE_MAX && v->nvalues != nvalues))
    return damaged(st, path, run_id, *idx, "its data is not a replication of the run's metrics");
  return 0;
}

static int rep_read(store *st, sqlite3_stmt *s, int first, int64_t run_id, size_t nvalues,
                    int64_t *idx, rep_view *v) {
  return rep_read_in(st, st->path, s, first, run_id, nvalues, idx, v);
}

static void cache_drop(store *st) {
  free(st->cache);
  st->cache = NULL;
  st->cache_n = st->cache_m = 0;
  st->cache_run = 0;
}

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

/* PRAGMA quick_check or integrity_check (pragma names which; it runs as
 * "PRAGMA name(10)"): 0 when SQLite finds the file sound, else ERR_STORE with the
 * first problem in st->msg. */
static int check_pages(store *st, const char *pragma) {
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
    return fail(st, rc, "results store '%s': no memory to check it", st->path);
  if (rc == SQLITE_OK && !problems)
    return 0;
  fail(st, SQLITE_OK, "results store '%s' is damaged: PRAGMA %s found %s%d problem%s, the "
       "first: %s; straits reads nothing from it (restore it from a copy, or salvage "
       "what SQLite can with 'sqlite3 %s .recover')", st->path, pragma,
       problems >= 10 ? "at least " : "", problems ? problems : 1,
       problems > 1 ? "s" : "", first, st->path);
  return ERR_STORE;
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
  /* Older stores are refused, not migrated: version 2 has no checksums, and one
   * computed now would vouch for bytes that nobody verified. */
  if (version != 0 && version != STORE_SCHEMA_VERSION) {
    fail(st, SQLITE_OK, "results store schema version %d is not supported (expected %d)%s",
         version, STORE_SCHEMA_VERSION,
         version == 2 ? "; it was made by an older straits and its replications carry no "
                        "checksums: run again into a new store"
         : version < STORE_SCHEMA_VERSION ? "; it was made by an older straits: run again "
                                            "into a new store" : "");
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
  /* Added after schema version 1 shipped, so created on every open: additive, and a
   * store from before it gains the table without a version bump. */
  rc = sqlite3_exec(st->db, doc_sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    fail(st, rc, "cannot create the results store's doc table");
    goto done;
  }
  rc = sqlite3_exec(st->db, sweep_sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    fail(st, rc, "cannot create the results store's sweep tables");
    goto done;
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
  /* With WAL, NORMAL loses at most the last commits on power loss, never consistency.
   * A page cache of up to 64 MiB (SQLite's default is 2 MiB) keeps a run's rows, ~8 KB
   * a replication, in memory from their writing to the summaries and analyses that
   * read them all back right after: without it each of those scans re-read every page
   * through a system call, most of the serial time at the end of a run. */
  rc = sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; "
                    "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536",
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
  err = check_pages(st, "integrity_check");
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
  /* Binding copies the text and can fail (out of memory); a key left NULL would
   * match nothing and pass for "no such run", starting a new run instead of resuming. */
  if ((rc = bind_text(s, 1, info->scenario_hash)) == SQLITE_OK &&
      (rc = sqlite3_bind_int64(s, 2, (int64_t)info->seed)) == SQLITE_OK &&
      (rc = bind_text(s, 3, info->version)) == SQLITE_OK &&
      (rc = bind_text(s, 4, info->options)) == SQLITE_OK)
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
    if ((err = rep_read(st, s, 0, run_id, SIZE_MAX, &r, &v)))
      break;
    done[r] = 1; /* 0 <= idx < n by the query */
  }
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  if (!err && rc != SQLITE_DONE)
    return fail(st, rc, "cannot read the replications of run %lld", (long long)run_id);
  return err;
}

/* ---- batched writes ------------------------------------------------------------ */

int store_begin(store *st) {
  cache_drop(st);
  int rc = exec_stmt(st, S_BEGIN);
  return rc == SQLITE_OK ? 0 : fail(st, rc, "cannot begin a transaction");
}

int store_commit(store *st) {
  int rc = exec_stmt(st, S_COMMIT);
  return rc == SQLITE_OK ? 0 : fail(st, rc, "cannot commit");
}

int store_rollback(store *st) {
  cache_drop(st);
  if (sqlite3_get_autocommit(st->db))
    return 0;
  int rc = exec_stmt(st, S_ROLLBACK);
  return rc == SQLITE_OK ? 0 : fail(st, rc, "cannot roll back");
}

/* Grow the writer's scratch; 0 or ERR_NOMEM. */
static int scratch(store *st, size_t bytes, size_t nat, int replication) {
  if (st->nat < nat) {
    size_t *at = realloc(st->at, nat * sizeof *at);
    if (!at)
      goto nomem;
    st->at = at, st->nat = nat;
  }
  if (st->pack_cap < bytes) {
    size_t cap = st->pack_cap ? st->pack_cap : 4096;
    while (cap < bytes)
      cap *= 2;
    unsigned char *p = realloc(st->pack, cap);
    if (!p)
      goto nomem;
    st->pack = p, st->pack_cap = cap;
  }
  return 0;
nomem:
  fail(st, SQLITE_OK, "no memory to store replication %d", replication);
  return ERR_NOMEM;
}

/* Pack a replication into st->pack (format at the top); its length, or < 0 (err).
 * Points are grouped by series with a counting sort, which keeps each series' points
 * in the order they were added. */
static long pack_replication(store *st, int replication, const metric_set *ms,
                             const metric_out *out, int *err) {
  const size_t m = ms->n;
  if ((*err = scratch(st, 8, m + 1, replication)))
    return -1;
  size_t *at = st->at; /* at[k + 1] = points of series k, then running starts */
  memset(at, 0, (m + 1) * sizeof *at);
  for (size_t k = 0; k < out->npoints; k++) {
    int mk = out->point[k].metric;
    if (mk < 0 || (size_t)mk >= m) {
      *err = fail(st, SQLITE_OK, "replication %d has a point of unknown metric %d",
                  replication, mk);
      return -1;
    }
    at[mk + 1]++;
  }
  size_t nseries = 0;
  for (size_t k = 0; k < m; k++)
    nseries += at[k + 1] != 0;
  size_t head = 8 + 8 * m + STORE__DIR_BYTES * nseries;
  size_t len = head + STORE__POINT_BYTES * out->npoints;
  if (m > METRIC_MAX || (*err = scratch(st, len, m + 1, replication)))
    return -1;
  unsigned char *b = st->pack, *dir = b + 8 + 8 * m;
  put_le32(b, (uint32_t)m);
  put_le32(b + 4, (uint32_t)nseries);
  for (size_t k = 0; k < m; k++)
    put_le64(b + 8 + 8 * k, out->value[k]);
  for (size_t k = 0, d = 0; k < m; k++)
    if (at[k + 1]) {
      put_le32(dir + STORE__DIR_BYTES * d, (uint32_t)k);
      put_le32(dir + STORE__DIR_BYTES * d + 4, (uint32_t)at[k + 1]);
      d++;
    }
  for (size_t k = 0; k < m; k++) /* at[k] = first point of series k */
    at[k + 1] += at[k];
  for (size_t k = 0; k < out->npoints; k++) {
    const metric_point *p = &out->point[k];
    unsigned char *q = b + head + STORE__POINT_BYTES * at[p->metric]++;
    put_le64(q, p->t);
    put_le64(q + 8, p->value);
  }
  return (long)len;
}

long store_pack_replication(store *st, int replication, const metric_set *ms,
                           const metric_out *out, const void **bytes) {
  int err = 0;
  long len = pack_replication(st, replication, ms, out, &err);
  *bytes = len < 0 ? NULL : st->pack;
  return len < 0 ? (long)err : len;
}

int store_put_packed(store *st, int64_t run_id, int replication, const metric_set *ms,
                     const void *bytes, size_t len, int if_new) {
  int err = 0, rc;
  rep_view v;
  sqlite3_stmt *s;
  cache_drop(st);
  if (rep_parse(&v, bytes, len) != 0 || v.nvalues != ms->n)
    return fail(st, SQLITE_OK, "replication %d of run %lld: not a packed replication of "
                "its %zu metrics", replication, (long long)run_id, ms->n);
  if ((err = sp_begin(st)))
    return err;

  /* The primary key refuses a replication stored before. */
  s = st->stmt[S_REP_INSERT];
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_int(s, 2, replication);
  rc = sqlite3_bind_blob64(s, 3, bytes, (sqlite3_uint64)len, SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(s, 4, rep_checksum(bytes, len, replication));
  if (rc == SQLITE_OK)
    rc = exec_stmt(st, S_REP_INSERT);
  else
    sqlite3_reset(s), sqlite3_clear_bindings(s);
  if ((rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) && if_new)
    goto done; /* nothing written: the savepoint ends empty */
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
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
  if (rc != SQLITE_OK)
    err = fail(st, rc, "cannot count replication %d of run %lld", replication,
               (long long)run_id);
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

int store_put_replication(store *st, int64_t run_id, int replication,
                          const metric_set *ms, const metric_out *out) {
  const void *bytes;
  long len = store_pack_replication(st, replication, ms, out, &bytes);
  if (len < 0)
    return (int)len;
  return store_put_packed(st, run_id, replication, ms, bytes, (size_t)len, 0);
}

/* The value a summary reads from a parsed blob: the scalar, or a series' last point
 * (NaN if the series has none in this replication). */
static double rep_value(const rep_view *v, const metric_set *ms, size_t metric) {
  if (!(ms->def[metric].flags & METRIC_SERIES))
    return get_le64(v->value + 8 * metric);
  size_t first = 0;
  for (size_t i = 0; i < v->nseries; i++) {
    size_t k = get_le32(v->dir + STORE__DIR_BYTES * i);
    size_t np = get_le32(v->dir + STORE__DIR_BYTES * i + 4);
    if (k == metric)
      return get_le64(v->points + STORE__POINT_BYTES * (first + np - 1) + 8);
    first += np;
  }
  return NAN;
}

/* Scan replications [0, n) of a run: fill vals [n x ncol] with the values of metrics
 * cols[0..ncol) (all metrics when cols is NULL), NaN where absent. */
static int read_values(store *st, int64_t run_id, const metric_set *ms, const int *cols,
                       size_t ncol, double *vals, size_t n) {
  sqlite3_stmt *s = st->stmt[S_REP_DATA];
  int rc, err = 0;
  for (size_t i = 0; i < n * ncol; i++)
    vals[i] = NAN;
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_int64(s, 2, (int64_t)n);
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    int64_t r; /* 0 <= r < n by the query */
    rep_view v;
    if ((err = rep_read(st, s, 0, run_id, ms->n, &r, &v)))
      break;
    for (size_t c = 0; c < ncol; c++)
      vals[(size_t)r * ncol + c] = rep_value(&v, ms, cols ? (size_t)cols[c] : c);
  }
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  if (!err && rc != SQLITE_DONE)
    err = fail(st, rc, "cannot read the values of run %lld", (long long)run_id);
  return err;
}

int store_metric_values(store *st, int64_t run_id, const metric_set *ms, int metric,
                        double *vals, size_t n) {
  if (metric < 0 || (size_t)metric >= ms->n)
    return fail(st, SQLITE_OK, "no metric %d in the registry", metric);
  /* Readers ask for every metric in turn (summaries, reports): one scan of the run
   * serves them all while it fits the cache; past that, a scan per metric. */
  const size_t m = ms->n;
  int cached = st->cache && st->cache_run == run_id && st->cache_m == m && st->cache_n >= n;
  if (!cached && n > 0 && n <= STORE__CACHE_BYTES / sizeof(double) / m) {
    double *c = malloc(n * m * sizeof *c);
    if (!c) {
      fail(st, SQLITE_OK, "no memory to read run %lld", (long long)run_id);
      return ERR_NOMEM;
    }
    int err = read_values(st, run_id, ms, NULL, m, c, n);
    if (err) {
      free(c);
      return err;
    }
    cache_drop(st);
    st->cache = c, st->cache_run = run_id, st->cache_n = n, st->cache_m = m;
    cached = 1;
  }
  if (!cached)
    return read_values(st, run_id, ms, &metric, 1, vals, n);
  for (size_t r = 0; r < n; r++)
    vals[r] = st->cache[r * m + (size_t)metric];
  return 0;
}

/* ---- reading back: documents, runs, registry, series ---------------------------
 * Used once per report, so statements are prepared on the spot. */

static int prepare(store *st, sqlite3_stmt **s, const char *sql) {
  int rc = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);
  return rc == SQLITE_OK ? 0 : fail(st, rc, "cannot prepare a query");
}

int store_doc_put(store *st, int64_t run_id, const char *name, const char *body) {
  sqlite3_stmt *s;
  int err = prepare(st, &s, "INSERT OR REPLACE INTO doc(run, name, body) VALUES(?1, ?2, ?3)");
  if (err)
    return err;
  sqlite3_bind_int64(s, 1, run_id);
  bind_text(s, 2, name);
  bind_text(s, 3, body);
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  return rc == SQLITE_DONE ? 0 : fail(st, rc, "cannot write document '%s'", name);
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
  sqlite3_stmt *s;
  *body = NULL;
  int err = prepare(st, &s, "SELECT body FROM doc WHERE run = ?1 AND name = ?2");
  if (err)
    return err;
  sqlite3_bind_int64(s, 1, run_id);
  bind_text(s, 2, name);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    *body = dup_column(s, 0);
    err = *body ? 0 : ERR_NOMEM;
  } else if (rc == SQLITE_DONE) {
    err = ERR_NOTFOUND;
  } else {
    err = fail(st, rc, "cannot read document '%s'", name);
  }
  sqlite3_finalize(s);
  return err;
}

int store_doc_each(store *st, int64_t run_id, const char *prefix,
                   int (*fn)(void *ctx, const char *name, const char *body), void *ctx) {
  sqlite3_stmt *s;
  int err = prepare(st, &s,
                    "SELECT name, body FROM doc WHERE run = ?1 AND substr(name, 1, "
                    "length(?2)) = ?2 ORDER BY name");
  if (err)
    return err;
  sqlite3_bind_int64(s, 1, run_id);
  bind_text(s, 2, prefix);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(s, 0);
    const char *body = (const char *)sqlite3_column_text(s, 1);
    if ((err = fn(ctx, name ? name : "", body ? body : "")))
      break;
  }
  if (!err && rc != SQLITE_DONE)
    err = fail(st, rc, "cannot read the documents of run %lld", (long long)run_id);
  sqlite3_finalize(s);
  return err;
}

int store_run_latest(store *st, int64_t *run_id) {
  sqlite3_stmt *s;
  *run_id = 0;
  int err = prepare(st, &s, "SELECT max(id) FROM run");
  if (err)
    return err;
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
    *run_id = sqlite3_column_int64(s, 0);
  else if (rc == SQLITE_ROW)
    err = ERR_NOTFOUND;
  else
    err = fail(st, rc, "cannot read the runs");
  sqlite3_finalize(s);
  return err;
}

static void copy_column(char *dst, size_t size, sqlite3_stmt *s, int col) {
  const unsigned char *t = sqlite3_column_text(s, col);
  snprintf(dst, size, "%s", t ? (const char *)t : "");
}

int store_run_read(store *st, int64_t run_id, store_run_row *out) {
  sqlite3_stmt *s;
  memset(out, 0, sizeof *out);
  int err = prepare(st, &s,
                    "SELECT id, scenario_name, scenario_hash, scenario_path, seed, version, "
                    "options, replications_planned, replications_done, created_at, "
                    "finished_at, wall_s FROM run WHERE id = ?1");
  if (err)
    return err;
  sqlite3_bind_int64(s, 1, run_id);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    out->id = sqlite3_column_int64(s, 0);
    copy_column(out->scenario_name, sizeof out->scenario_name, s, 1);
    copy_column(out->scenario_hash, sizeof out->scenario_hash, s, 2);
    copy_column(out->scenario_path, sizeof out->scenario_path, s, 3);
    out->seed = (uint64_t)sqlite3_column_int64(s, 4);
    copy_column(out->version, sizeof out->version, s, 5);
    copy_column(out->options, sizeof out->options, s, 6);
    out->replications_planned = sqlite3_column_int(s, 7);
    out->replications_done = sqlite3_column_int(s, 8);
    copy_column(out->created_at, sizeof out->created_at, s, 9);
    copy_column(out->finished_at, sizeof out->finished_at, s, 10);
    out->wall_s = sqlite3_column_double(s, 11);
  } else if (rc == SQLITE_DONE) {
    err = ERR_NOTFOUND;
  } else {
    err = fail(st, rc, "cannot read run %lld", (long long)run_id);
  }
  sqlite3_finalize(s);
  return err;
}

int store_metric_defs(store *st, int64_t run_id, metric_set *ms) {
  sqlite3_stmt *s;
  metric_set_init(ms);
  int err = prepare(st, &s,
                    "SELECT module, name, unit, description, flags FROM metric_def "
                    "WHERE run = ?1 ORDER BY idx");
  if (err)
    return err;
  sqlite3_bind_int64(s, 1, run_id);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    int m = metric_define(ms, (const char *)sqlite3_column_text(s, 0),
                          (const char *)sqlite3_column_text(s, 1),
                          (const char *)sqlite3_column_text(s, 2),
                          (unsigned)sqlite3_column_int64(s, 4),
                          (const char *)sqlite3_column_text(s, 3));
    if (m < 0) {
      err = m;
      break;
    }
  }
  if (!err && rc != SQLITE_DONE)
    err = fail(st, rc, "cannot read the metrics of run %lld", (long long)run_id);
  sqlite3_finalize(s);
  return err;
}

int store_series_each(store *st, int64_t run_id, int metric, size_t n,
                      int (*fn)(void *ctx, int replication, double t, double value),
                      void *ctx) {
  sqlite3_stmt *s;
  int rc = SQLITE_DONE;
  int err = prepare(st, &s,
                    "SELECT idx, data, checksum FROM replication WHERE run = ?1 AND "
                    "idx >= 0 AND idx < ?2 ORDER BY idx");
  if (err)
    return err;
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_int64(s, 2, (int64_t)n);
  while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    int64_t r64;
    rep_view v;
    if ((err = rep_read(st, s, 0, run_id, SIZE_MAX, &r64, &v)))
      break;
    int r = (int)r64;
    size_t first = 0;
    for (size_t i = 0; i < v.nseries && !err; i++) {
      size_t k, np;
      double t, value;
      rep_dir(&v, i, &k, &np);
      for (size_t j = 0; k == (size_t)metric && j < np && !err; j++) {
        rep_point(&v, first + j, &t, &value);
        err = fn(ctx, r, t, value);
      }
      first += np;
    }
  }
  if (!err && rc != SQLITE_DONE)
    err = fail(st, rc, "cannot read series %d of run %lld", metric, (long long)run_id);
  sqlite3_finalize(s);
  return err;
}

/* ---- sweeps --------------------------------------------------------------------- */

static int bind_sweep_key(sqlite3_stmt *s, const store_sweep_info *info) {
  int rc;
  if ((rc = bind_text(s, 1, info->name)) == SQLITE_OK &&
      (rc = bind_text(s, 2, info->hash)) == SQLITE_OK &&
      (rc = bind_text(s, 3, info->path)) == SQLITE_OK &&
      (rc = bind_text(s, 4, info->design)) == SQLITE_OK &&
      (rc = sqlite3_bind_int(s, 5, info->points)) == SQLITE_OK)
    rc = sqlite3_bind_int(s, 6, info->replications);
  return rc;
}

int store_sweep_begin(store *st, int64_t *sweep_id, const store_sweep_info *info) {
  sqlite3_stmt *s;
  *sweep_id = 0;
  int err = prepare(st, &s,
                    "INSERT INTO sweep(name, sweep_hash, sweep_path, design, points, "
                    "replications, created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, "
                    "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
  if (err)
    return err;
  int rc = bind_sweep_key(s, info);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(s);
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE)
    return fail(st, rc, "cannot record the sweep");
  *sweep_id = sqlite3_last_insert_rowid(st->db);
  return 0;
}

int store_sweep_find(store *st, int64_t *sweep_id, const store_sweep_info *info) {
  sqlite3_stmt *s;
  *sweep_id = 0;
  /* ?1 and ?3 (name, path) are bound but not part of the key: a renamed or moved
   * file with the same bytes is the same sweep. */
  int err = prepare(st, &s,
                    "SELECT id FROM sweep WHERE sweep_hash = ?2 AND design = ?4 AND "
                    "points = ?5 AND replications = ?6 ORDER BY id DESC LIMIT 1");
  if (err)
    return err;
  int rc = bind_sweep_key(s, info);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    *sweep_id = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  if (rc == SQLITE_ROW)
    return 0;
  if (rc == SQLITE_DONE) {
    fail(st, SQLITE_OK, "no stored sweep matches");
    return ERR_NOTFOUND;
  }
  return fail(st, rc, "cannot look up sweeps");
}

int store_sweep_point(store *st, int64_t sweep_id, int point, int64_t run_id,
                      const char *overrides) {
  sqlite3_stmt *s;
  int err = prepare(st, &s,
                    "INSERT OR REPLACE INTO sweep_point(sweep, point, run, overrides) "
                    "VALUES(?1, ?2, ?3, ?4)");
  if (err)
    return err;
  int rc = sqlite3_bind_int64(s, 1, sweep_id);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int(s, 2, point);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(s, 3, run_id);
  if (rc == SQLITE_OK)
    rc = bind_text(s, 4, overrides);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(s);
  sqlite3_finalize(s);
  return rc == SQLITE_DONE ? 0
                           : fail(st, rc, "cannot record point %d of sweep %lld", point,
                                  (long long)sweep_id);
}

int store_sweep_finish(store *st, int64_t sweep_id) {
  sqlite3_stmt *s;
  int err = prepare(st, &s,
                    "UPDATE sweep SET finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                    "WHERE id = ?1");
  if (err)
    return err;
  int rc = sqlite3_bind_int64(s, 1, sweep_id);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(s);
  sqlite3_finalize(s);
  return rc == SQLITE_DONE ? 0 : fail(st, rc, "cannot finish sweep %lld", (long long)sweep_id);
}

int store_sweep_point_run(store *st, int64_t sweep_id, int point, int64_t *run_id) {
  sqlite3_stmt *s;
  *run_id = 0;
  int err = prepare(st, &s, "SELECT run FROM sweep_point WHERE sweep = ?1 AND point = ?2");
  if (err)
    return err;
  sqlite3_bind_int64(s, 1, sweep_id);
  sqlite3_bind_int(s, 2, point);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    *run_id = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  if (rc == SQLITE_ROW)
    return 0;
  if (rc == SQLITE_DONE) {
    fail(st, SQLITE_OK, "point %d of sweep %lld is not recorded", point, (long long)sweep_id);
    return ERR_NOTFOUND;
  }
  return fail(st, rc, "cannot look up point %d of sweep %lld", point, (long long)sweep_id);
}

/* ---- merging a part's run (MPI ranks, sweep.h) ------------------------------------ */

/* Run each statement of a ';'-separated script with ?1 = dst, ?2 = src bound where
 * they appear (also the export's scripts, with ?1 = the run). */
static int merge_exec(store *st, const char *sql, int64_t dst, int64_t src) {
  const char *tail = sql;
  int rc = SQLITE_OK;
  while (rc == SQLITE_OK && tail && *tail) {
    sqlite3_stmt *s = NULL;
    rc = sqlite3_prepare_v2(st->db, tail, -1, &s, &tail);
    if (rc != SQLITE_OK || !s)
      break; /* an error, or only whitespace was left */
    if (sqlite3_bind_parameter_count(s) >= 1)
      rc = sqlite3_bind_int64(s, 1, dst);
    if (rc == SQLITE_OK && sqlite3_bind_parameter_count(s) >= 2)
      rc = sqlite3_bind_int64(s, 2, src);
    if (rc == SQLITE_OK) {
      rc = sqlite3_step(s);
      rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
    }
    sqlite3_finalize(s);
  }
  return rc;
}

/* Every replication of run src_run in the attached part store, verified before any
 * is copied: a part with a damaged row is refused whole. */
static int merge_verify(store *st, const char *src_path, int64_t src_run) {
  sqlite3_stmt *s;
  int err = prepare(st, &s, "SELECT idx, data, checksum FROM part.replication WHERE run = ?1");
  if (err)
    return err;
  sqlite3_bind_int64(s, 1, src_run);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    int64_t r;
    rep_view v;
    if ((err = rep_read_in(st, src_path, s, 0, src_run, SIZE_MAX, &r, &v)))
      break;
  }
  if (!err && rc != SQLITE_DONE)
    err = fail(st, rc, "cannot read the part store '%s'", src_path);
  sqlite3_finalize(s);
  return err;
}

int store_merge_run(store *st, int64_t dst_run, const char *src_path, int64_t src_run,
                    int *copied) {
  cache_drop(st);
  /* Only replications dst lacks, so repeating an interrupted merge is harmless. */
  static const char copy_sql[] =
      "CREATE TEMP TABLE merge_rep AS SELECT idx FROM part.replication "
      "  WHERE run = ?2 AND idx NOT IN "
      "  (SELECT idx FROM main.replication WHERE run = ?1);"
      "INSERT INTO main.replication(run, idx, status, data, checksum) "
      "  SELECT ?1, idx, status, data, checksum FROM part.replication "
      "  WHERE run = ?2 AND idx IN (SELECT idx FROM temp.merge_rep);"
      "UPDATE main.run SET replications_done = "
      "  (SELECT count(*) FROM main.replication WHERE run = ?1) WHERE id = ?1;";
  sqlite3_stmt *s;
  int err, rc, n = 0;
  *copied = 0;
  if ((err = prepare(st, &s, "ATTACH ?1 AS part")))
    return err;
  rc = bind_text(s, 1, src_path);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(s);
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE)
    return fail(st, rc, "cannot open the part store '%s'", src_path);
  if ((err = merge_verify(st, src_path, src_run))) {
    char keep[sizeof st->msg];
    memcpy(keep, st->msg, sizeof keep);
    sqlite3_exec(st->db, "DETACH part", NULL, NULL, NULL);
    memcpy(st->msg, keep, sizeof keep);
    return err;
  }
  rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = merge_exec(st, copy_sql, dst_run, src_run);
  if (rc == SQLITE_OK) {
    sqlite3_stmt *q = NULL;
    rc = sqlite3_prepare_v2(st->db, "SELECT count(*) FROM temp.merge_rep", -1, &q, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
      n = sqlite3_column_int(q, 0);
      rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
  }
  if (rc == SQLITE_OK)
    rc = merge_exec(st, "DROP TABLE temp.merge_rep", 0, 0);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    err = fail(st, rc, "cannot merge run %lld of '%s'", (long long)src_run, src_path);
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
  }
  sqlite3_exec(st->db, "DETACH part", NULL, NULL, NULL);
  if (!err)
    *copied = n;
  return err;
}

/* ---- the relational export (straits export --format sqlite) ---------------------
 * DESIGN.md section 7's tables, a row per value and per series point, written into a
 * new file ATTACHed as `xp`: the run and replication rows are copied by SQL, the
 * values and points decoded from each replication's blob with rep_parse.  Indexes are
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
    double value = get_le64(v->value + 8 * k);
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
    rep_dir(v, i, &k, &np);
    if (k >= ms->n)
      return fail(st, SQLITE_OK, "replication %d of run %lld is damaged in the store", r,
                  (long long)run_id);
    for (size_t j = 0; j < np && rc == SQLITE_OK; j++) {
      double t, value;
      rep_point(v, first + j, &t, &value);
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
  return rc == SQLITE_OK ? 0 : fail(st, rc, "cannot export replication %d", r);
}

/* Every row of the export, inside the caller's transaction. */
static int export_rows(store *st, int64_t run_id, const metric_set *ms) {
  sqlite3_stmt *scan = NULL, *ins_metric = NULL, *ins_series = NULL;
  int err, rc;
  if ((rc = merge_exec(st, export_schema_sql, run_id, 0)) != SQLITE_OK)
    return fail(st, rc, "cannot create the exported tables");
  if ((err = prepare(st, &scan, "SELECT idx, data, checksum FROM main.replication "
                                "WHERE run = ?1 ORDER BY idx")) ||
      (err = prepare(st, &ins_metric,
                     "INSERT INTO xp.metric VALUES(?1, ?2, ?3, ?4, ?5, ?6)")) ||
      (err = prepare(st, &ins_series,
                     "INSERT INTO xp.series VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)")))
    goto done;
  sqlite3_bind_int64(scan, 1, run_id);
  while (!err && (rc = sqlite3_step(scan)) == SQLITE_ROW) {
    int64_t r;
    rep_view v;
    if ((err = rep_read(st, scan, 0, run_id, ms->n, &r, &v)))
      break;
    err = export_rep(st, ins_metric, ins_series, run_id, (int)r, &v, ms);
  }
  if (!err && rc != SQLITE_DONE)
    err = fail(st, rc, "cannot read the replications of run %lld", (long long)run_id);
  if (!err && (rc = merge_exec(st, export_index_sql, 0, 0)) != SQLITE_OK)
    err = fail(st, rc, "cannot index the exported tables");
done:
  sqlite3_finalize(scan);
  sqlite3_finalize(ins_metric);
  sqlite3_finalize(ins_series);
  return err;
}

/* Create path, refusing one that exists (O_EXCL: no window between look and make). */
static int export_create(store *st, const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
  if (fd < 0 && errno == EEXIST) {
    fail(st, SQLITE_OK, "'%s' already exists; export writes a new file and does not "
         "overwrite one", path);
    return ERR_USAGE;
  }
  if (fd < 0) {
    fail(st, SQLITE_OK, "cannot create '%s': %s", path, strerror(errno));
    return ERR_IO;
  }
  close(fd);
  return 0;
}

int store_export_tables(store *st, int64_t run_id, const char *path) {
  store_run_row row;
  metric_set ms;
  sqlite3_stmt *s = NULL;
  int err, rc, attached = 0, created = 0;
  metric_set_init(&ms);
  if ((err = store_run_read(st, run_id, &row))) {
    if (err == ERR_NOTFOUND)
      fail(st, SQLITE_OK, "no run %lld in the results store", (long long)run_id);
    goto done;
  }
  if ((err = store_metric_defs(st, run_id, &ms)))
    goto done;
  if (!sqlite3_get_autocommit(st->db)) {
    err = fail(st, SQLITE_OK, "cannot export inside an open transaction");
    goto done;
  }
  if ((err = export_create(st, path)))
    goto done;
  created = 1;
  if ((err = prepare(st, &s, "ATTACH ?1 AS xp")))
    goto done;
  rc = bind_text(s, 1, path);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(s);
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) {
    err = fail(st, rc, "cannot open '%s'", path);
    goto done;
  }
  attached = 1;
  /* One self-contained file (no -wal beside it), all of it or nothing. */
  rc = sqlite3_exec(st->db, "PRAGMA xp.journal_mode = DELETE; BEGIN", NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    err = fail(st, rc, "cannot start writing '%s'", path);
    goto done;
  }
  err = export_rows(st, run_id, &ms);
  if (!err && (rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK)
    err = fail(st, rc, "cannot write '%s'", path);
done:
  if (err && !sqlite3_get_autocommit(st->db)) {
    char keep[sizeof st->msg];
    memcpy(keep, st->msg, sizeof keep);
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    memcpy(st->msg, keep, sizeof keep);
  }
  if (attached)
    sqlite3_exec(st->db, "DETACH xp", NULL, NULL, NULL);
  if (err && created) { /* no partial file, nor its journal */
    char journal[4200];
    remove(path);
    if (snprintf(journal, sizeof journal, "%s-journal", path) < (int)sizeof journal)
      remove(journal);
  }
  metric_set_release(&ms);
  return err;
}

/* ---- verifying a store (straits verify) ------------------------------------------ */

int store_verify(store *st, int drop, store_verify_counts *counts,
                 int (*fn)(void *ctx, int64_t run, int64_t replication, const char *why),
                 void *ctx) {
  sqlite3_stmt *s = NULL, *del = NULL;
  int err, rc, in_tx = 0;
  memset(counts, 0, sizeof *counts);
  cache_drop(st);
  if ((err = check_pages(st, "integrity_check")))
    return err;
  if (!sqlite3_get_autocommit(st->db))
    return fail(st, SQLITE_OK, "cannot verify inside an open transaction");
  if ((err = prepare(st, &s, "SELECT r.run, r.idx, r.data, r.checksum, "
                             "(SELECT count(*) FROM metric_def m WHERE m.run = r.run) "
                             "FROM replication r ORDER BY r.run, r.idx")) ||
      (drop && (err = prepare(st, &del, "DELETE FROM replication WHERE run = ?1 AND "
                                        "idx = ?2"))))
    goto done;
  if (drop) {
    if ((rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK) {
      err = fail(st, rc, "cannot lock results store '%s'", st->path);
      goto done;
    }
    in_tx = 1;
  }
  while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    int64_t run = sqlite3_column_int64(s, 0), r;
    rep_view v;
    counts->checked++;
    int bad = rep_read(st, s, 1, run, (size_t)sqlite3_column_int64(s, 4), &r, &v);
    if (!bad)
      continue;
    counts->damaged++;
    if (fn && (err = fn(ctx, run, r, st->damage))) /* without the readers' advice */
      break;
    if (drop) {
      sqlite3_bind_int64(del, 1, run);
      sqlite3_bind_int64(del, 2, r);
      rc = sqlite3_step(del);
      sqlite3_reset(del);
      if (rc != SQLITE_DONE) {
        err = fail(st, rc, "cannot drop replication %lld of run %lld", (long long)r,
                   (long long)run);
        break;
      }
      counts->dropped++;
    }
  }
  if (!err && rc != SQLITE_DONE)
    err = fail(st, rc, "cannot read the replications of '%s'", st->path);
  /* A run's count follows its rows, so --resume sees what is missing, and a run that
   * lost rows is unfinished again until it is resumed. */
  if (!err && drop && counts->dropped &&
      (rc = sqlite3_exec(st->db, "UPDATE run SET finished_at = NULL WHERE "
                                 "replications_done > (SELECT count(*) FROM replication "
                                 "WHERE replication.run = run.id); "
                                 "UPDATE run SET replications_done = (SELECT count(*) FROM "
                                 "replication WHERE replication.run = run.id)",
                         NULL, NULL, NULL)) != SQLITE_OK)
    err = fail(st, rc, "cannot recount the runs of '%s'", st->path);
  if (!err && in_tx && (rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK)
    err = fail(st, rc, "cannot commit to '%s'", st->path);
  if (!err)
    in_tx = 0;
done:
  sqlite3_finalize(s);
  sqlite3_finalize(del);
  if (in_tx) {
    char keep[sizeof st->msg];
    memcpy(keep, st->msg, sizeof keep);
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    memcpy(st->msg, keep, sizeof keep);
    counts->dropped = 0;
  }
  if (!err)
    st->msg[0] = '\0';
  return err;
}
