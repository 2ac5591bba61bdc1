/* store_internal.h - what the store's files share: the handle, the prepared-statement
 * table and the data blob's reader.  Not API: nothing outside src/store includes it.
 *
 * Every statement on the store's own tables is in STMT_MAP, prepared once at open
 * (store.c) and reset after each use, so a store serves thousands of replications a
 * second without compiling SQL.  A statement belongs to one function: one that is
 * mid-scan (a callback running inside store_series_each, say) never shares its
 * statement with another reader the callback may call. */
#ifndef STRAITS_STORE_INTERNAL_H
#define STRAITS_STORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "store.h"

#define STORE__XSTR(x) #x
#define STORE__STR(x) STORE__XSTR(x)

#define STORE__POINT_BYTES 16
#define STORE__DIR_BYTES 8
/* The readers' cache of a run's values: small, so that what a reader holds does not
 * grow with the replications (issue 22); larger runs are read a column per scan. */
#define STORE__CACHE_BYTES ((size_t)4 << 20)
/* The page size of a new store file (store.c says why; SQLite allows 512..65536). */
#define STORE__PAGE_SIZE 32768

/* The run table's columns, as the store and the relational export have it. */
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

/* Replications [0, ?2) of run ?1 in index order: the summaries' scan and the series'
 * scan, two statements so that one may run inside the other's callback. */
#define STORE__REP_SCAN_SQL                                                          \
  "SELECT idx, data, checksum FROM replication WHERE run = ?1 AND idx >= 0 "         \
  "AND idx < ?2 ORDER BY idx"

#define STORE__NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

/* The prepared statements, by purpose; the file that uses each is named. */
#define STMT_MAP(X)                                                                  \
  /* transactions (store_run.c, store_merge.c, store_verify.c) */                    \
  X(BEGIN, "BEGIN IMMEDIATE")                                                        \
  X(COMMIT, "COMMIT")                                                                \
  X(ROLLBACK, "ROLLBACK")                                                            \
  X(SP_BEGIN, "SAVEPOINT store_sp")                                                  \
  X(SP_RELEASE, "RELEASE store_sp")                                                  \
  X(SP_UNDO, "ROLLBACK TO store_sp")                                                 \
  /* runs and replications (store_run.c) */                                          \
  X(RUN_INSERT,                                                                      \
    "INSERT INTO run(scenario_name, scenario_hash, scenario_path, seed, version, "   \
    "options, replications_planned, created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, " \
    STORE__NOW ")")                                                                  \
  X(RUN_FIND,                                                                        \
    "SELECT id FROM run WHERE scenario_hash = ?1 AND seed = ?2 AND version = ?3 "    \
    "AND options = ?4 ORDER BY id DESC LIMIT 1")                                     \
  X(RUN_REOPEN,                                                                      \
    "UPDATE run SET replications_planned = ?2, finished_at = NULL WHERE id = ?1")    \
  X(RUN_FINISH,                                                                      \
    "UPDATE run SET replications_done = coalesce(?2, replications_done), "           \
    "wall_s = wall_s + ?3, finished_at = " STORE__NOW " WHERE id = ?1")              \
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
  /* readers (store_read.c) */                                                       \
  X(REP_DATA, STORE__REP_SCAN_SQL)                                                   \
  X(SERIES_SCAN, STORE__REP_SCAN_SQL)                                                \
  X(SERIES_RANGE,                                                                    \
    "SELECT idx, data, checksum FROM replication WHERE run = ?1 AND idx >= ?2 "      \
    "AND idx < ?3 ORDER BY idx")                                                     \
  X(REP_RANGE,                                                                       \
    "SELECT idx, data, checksum FROM replication WHERE run = ?1 AND idx >= ?2 "      \
    "AND idx < ?3 ORDER BY idx")                                                \
  X(RUN_LATEST, "SELECT max(id) FROM run")                                           \
  X(RUN_READ,                                                                        \
    "SELECT id, scenario_name, scenario_hash, scenario_path, seed, version, "        \
    "options, replications_planned, replications_done, created_at, "                 \
    "finished_at, wall_s FROM run WHERE id = ?1")                                    \
  X(DEF_READ,                                                                        \
    "SELECT module, name, unit, description, flags FROM metric_def "                 \
    "WHERE run = ?1 ORDER BY idx")                                                   \
  /* documents (store_doc.c) */                                                      \
  X(DOC_PUT,                                                                         \
    "INSERT OR REPLACE INTO doc(run, name, body, checksum) VALUES(?1, ?2, ?3, ?4)")  \
  X(DOC_GET, "SELECT name, body, checksum FROM doc WHERE run = ?1 AND name = ?2")    \
  X(DOC_EACH,                                                                        \
    "SELECT name, body, checksum FROM doc WHERE run = ?1 AND substr(name, 1, "       \
    "length(?2)) = ?2 ORDER BY name")                                                \
  /* sweeps (store_sweep.c); ?1 and ?3 of SWEEP_FIND: see store_sweep_find */        \
  X(SWEEP_INSERT,                                                                    \
    "INSERT INTO sweep(name, sweep_hash, sweep_path, design, points, "               \
    "replications, created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, " STORE__NOW ")")      \
  X(SWEEP_FIND,                                                                      \
    "SELECT id FROM sweep WHERE sweep_hash = ?2 AND design = ?4 AND "                \
    "points = ?5 AND replications = ?6 ORDER BY id DESC LIMIT 1")                    \
  X(SWEEP_POINT,                                                                     \
    "INSERT OR REPLACE INTO sweep_point(sweep, point, run, overrides) "              \
    "VALUES(?1, ?2, ?3, ?4)")                                                        \
  X(SWEEP_FINISH, "UPDATE sweep SET finished_at = " STORE__NOW " WHERE id = ?1")     \
  X(SWEEP_POINT_RUN, "SELECT run FROM sweep_point WHERE sweep = ?1 AND point = ?2")  \
  /* other files, attached (store_merge.c, store_export.c) */                        \
  X(PART_ATTACH, "ATTACH ?1 AS part")                                                \
  X(PART_DETACH, "DETACH part")                                                      \
  X(XP_ATTACH, "ATTACH ?1 AS xp")                                                    \
  X(XP_DETACH, "DETACH xp")                                                          \
  X(EXPORT_SCAN,                                                                     \
    "SELECT idx, data, checksum FROM main.replication WHERE run = ?1 ORDER BY idx")  \
  /* verifying (store_verify.c) */                                                   \
  X(VERIFY_SCAN,                                                                     \
    "SELECT r.run, r.idx, r.data, r.checksum, "                                      \
    "(SELECT count(*) FROM metric_def m WHERE m.run = r.run) "                       \
    "FROM replication r ORDER BY r.run, r.idx")                                      \
  X(VERIFY_DROP, "DELETE FROM replication WHERE run = ?1 AND idx = ?2")              \
  X(VERIFY_DOCS, "SELECT run, name, body, checksum FROM doc ORDER BY run, name")    \
  X(VERIFY_DOC_DROP, "DELETE FROM doc WHERE run = ?1 AND name = ?2")                 \
  X(VERIFY_UNFINISH,                                                                 \
    "UPDATE run SET finished_at = NULL WHERE replications_done > (SELECT count(*) "  \
    "FROM replication WHERE replication.run = run.id)")                              \
  X(VERIFY_RECOUNT,                                                                  \
    "UPDATE run SET replications_done = (SELECT count(*) FROM replication WHERE "    \
    "replication.run = run.id)")

enum {
#define STMT__ENUM(name, sql) S_##name,
  STMT_MAP(STMT__ENUM)
#undef STMT__ENUM
  S__COUNT
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
  size_t peak_values; /* the most values one read has handed out (store_peak_values) */
};

/* ---- store.c: messages, statements, savepoints --------------------------------- */

/* Remember a failure in st->msg: the caller's words, then SQLite's if sqlite_rc has
 * any.  ERR_NOMEM for SQLITE_NOMEM, else ERR_STORE. */
int store__fail(store *st, int sqlite_rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Step table statement `which` to its end, ignoring rows, and reset it; an SQLite
 * result code (SQLITE_OK when it ran to SQLITE_DONE). */
int store__exec(store *st, int which);
/* The table statement `which`, ready to bind; hand it back with store__reset. */
sqlite3_stmt *store__stmt(store *st, int which);
void store__reset(sqlite3_stmt *s); /* reset and clear its bindings */
int store__bind_text(sqlite3_stmt *s, int i, const char *text); /* NULL binds "" */
/* Prepare SQL that the table cannot hold (it names an attached file's tables) into
 * *s, for the caller to finalize; 0 or the store's error. */
int store__prepare(store *st, sqlite3_stmt **s, const char *sql);
/* Run each statement of a ';'-separated script, binding ?1 = a, ?2 = b where they
 * appear (for SQL on an attached file, which the table cannot hold). */
int store__script(store *st, const char *sql, int64_t a, int64_t b);
/* PRAGMA integrity_check or quick_check: 0, or ERR_STORE with the first problem. */
int store__check_pages(store *st, const char *pragma);
void store__cache_drop(store *st);
/* A savepoint around one unit of work; sp_end(ok = 0) undoes it. */
int store__sp_begin(store *st);
int store__sp_end(store *st, int ok);

/* ---- store_blob.c: a replication's data blob ----------------------------------- */

/* A data blob taken apart (pointers into it). */
typedef struct rep_view {
  size_t nvalues, nseries;
  const unsigned char *value, *dir, *points;
} rep_view;

int store__rep_parse(rep_view *v, const unsigned char *b, size_t len); /* 0 or -1 */
void store__rep_dir(const rep_view *v, size_t i, size_t *metric, size_t *npoints);
void store__rep_point(const rep_view *v, size_t j, double *t, double *value);
double store__rep_scalar(const rep_view *v, size_t k); /* value[k] as stored */
double store__rep_value(const rep_view *v, const metric_set *ms, size_t metric);
/* Metrics [first, first + count) at once (store_blob.c); series: the METRIC_SERIES
 * ones among them, ascending.  v->nvalues >= first + count. */
void store__rep_values(const rep_view *v, size_t first, size_t count, const size_t *series,
                       size_t nseries, double *out);
int64_t store__rep_checksum(const void *bytes, size_t len, int64_t idx);
int store__rep_read_in(store *st, const char *path, sqlite3_stmt *s, int first,
                       int64_t run_id, size_t nvalues, int64_t *idx, rep_view *v);
int store__rep_read(store *st, sqlite3_stmt *s, int first, int64_t run_id,
                    size_t nvalues, int64_t *idx, rep_view *v);

/* ---- store_doc.c: a document row's checksum ------------------------------------ */

/* Check the current row of s, whose columns first, first + 1, first + 2 are a
 * document's name, body and checksum: 1 when it verifies, 0 when its checksum is NULL
 * (a row written before documents had one: read, unverified), -1 when it is damaged
 * (st->damage says why). */
int store__doc_check(store *st, sqlite3_stmt *s, int first);

#endif
