/* test_store.c - the results store: schema, WAL, whole replications, run lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>
#include <xxhash.h>

#include "arena.h"
#include "diag.h"
#include "err.h"
#include "metric.h"
#include "store.h"

typedef struct fixture {
  char dir[64];
  char path[128];
  diag *d;
  metric_set ms;
  arena a;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/straits-store-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
  f->d = diag_new();
  assert_non_null(f->d);
  metric_set_init(&f->ms);
  assert_int_equal(metric_define(&f->ms, "crisis", "blockade.occurred", "1",
                                 METRIC_HEADLINE, "1 if the blockade happened"), 0);
  assert_int_equal(metric_define(&f->ms, "crisis", "blockade.time", "s", 0,
                                 "time of the blockade"), 1);
  assert_int_equal(metric_define(&f->ms, "crisis", "situation", "1", METRIC_SERIES,
                                 "legal situation over time"), 2);
  arena_init(&f->a, 1 << 20);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  char p[160];
  static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
  for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
    snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
    unlink(p);
  }
  snprintf(p, sizeof p, "%s/x.sqlite", f->dir); /* test_export_tables', if it failed */
  unlink(p);
  rmdir(f->dir);
  arena_release(&f->a);
  metric_set_release(&f->ms);
  diag_free(f->d);
  free(f);
  return 0;
}

static store_run_info info_of(uint64_t seed) {
  store_run_info info = {"test", "0123456789abcdef", "test.yaml", seed, "0.1.0",
                         "modules=crisis", 10};
  return info;
}

/* Replication r: occurred = r % 2, time = r * 3600 (absent when not occurred;
 * -0.0 for r == 0 to check bits survive), two points of the series. */
static void fill(fixture *f, metric_out *o, int r) {
  arena_reset(&f->a);
  assert_int_equal(metric_out_init(o, &f->ms, &f->a), 0);
  metric_put(o, 0, (double)(r % 2));
  if (r == 0)
    metric_put(o, 1, -0.0);
  else if (r % 2)
    metric_put(o, 1, r * 3600.0);
  assert_int_equal(metric_point_add(o, 2, 0.0, 1.0), 0);
  assert_int_equal(metric_point_add(o, 2, r * 10.0, 2.0 + r), 0);
}

static int put_reps(fixture *f, store *st, int64_t run, int from, int to) {
  metric_out o;
  int err = store_begin(st);
  for (int r = from; !err && r < to; r++) {
    fill(f, &o, r);
    err = store_put_replication(st, run, r, &f->ms, &o);
  }
  if (err) {
    store_rollback(st);
    return err;
  }
  return store_commit(st);
}

/* Series points read back through store_series_each: counted, and checked to come
 * in (replication, order added) order as fill() wrote them. */
typedef struct pt_count {
  int n, last_rep, k;
} pt_count;

static int count_point(void *ctx, int replication, double t, double value) {
  pt_count *c = ctx;
  c->k = replication == c->last_rep ? c->k + 1 : 0;
  c->last_rep = replication;
  if (c->k == 0 ? (t != 0.0 || value != 1.0)
                : (t != replication * 10.0 || value != 2.0 + replication))
    fail_msg("point %d of replication %d is (%g, %g)", c->k, replication, t, value);
  c->n++;
  return 0;
}

static int series_points(store *st, int64_t run, size_t n) {
  pt_count c = {0, -1, 0};
  assert_int_equal(store_series_each(st, run, 2, n, count_point, &c), 0);
  return c.n;
}

/* A scalar query on a second connection, as another tool would see the file. */
static long long query_int(const char *path, const char *sql) {
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  long long v = -1;
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
  if (sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

static void query_text(const char *path, const char *sql, char *buf, size_t size) {
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  buf[0] = '\0';
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
  if (sqlite3_step(s) == SQLITE_ROW)
    snprintf(buf, size, "%s", (const char *)sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  sqlite3_close(db);
}

static void test_schema(void **state) {
  fixture *f = *state;
  store *st = NULL;
  char buf[64];
  assert_int_equal(store_open(&st, f->path, f->d), 0);
  static const char *const names[] = {"run", "metric_def", "replication", "track"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_schema WHERE name = '%s'",
             names[i]);
    if (query_int(f->path, sql) != 1)
      fail_msg("no table or view '%s'", names[i]);
  }
  query_text(f->path, "PRAGMA journal_mode", buf, sizeof buf);
  assert_string_equal(buf, "wal");
  assert_int_equal(query_int(f->path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
  store_close(st);
  /* Reopening an existing store keeps its schema and succeeds. */
  assert_int_equal(store_open(&st, f->path, f->d), 0);
  store_close(st);
  assert_int_equal(diag_count(f->d, DIAG_ERROR), 0);
  store_close(NULL);
}

static void test_roundtrip(void **state) {
  fixture *f = *state;
  store *st = NULL;
  int64_t run = 0;
  store_run_info info = info_of(42);
  unsigned char done[8];
  double v[8];
  assert_int_equal(store_open(&st, f->path, f->d), 0);
  assert_int_equal(store_run_begin(st, &run, &info, &f->ms, f->d), 0);
  assert_true(run > 0);
  assert_int_equal(put_reps(f, st, run, 0, 5), 0);

  assert_int_equal(store_replications_done(st, run, done, 8), 0);
  for (int i = 0; i < 8; i++)
    assert_int_equal(done[i], i < 5);

  assert_int_equal(store_metric_values(st, run, &f->ms, 0, v, 8), 0);
  for (int i = 0; i < 5; i++)
    assert_true(v[i] == (double)(i % 2));
  for (int i = 5; i < 8; i++)
    assert_true(isnan(v[i]));

  assert_int_equal(store_metric_values(st, run, &f->ms, 1, v, 5), 0);
  assert_true(v[0] == 0.0 && signbit(v[0])); /* -0.0 kept bit for bit */
  assert_true(v[1] == 3600.0 && isnan(v[2]) && v[3] == 3 * 3600.0 && isnan(v[4]));

  /* A series reads back as its last point. */
  assert_int_equal(store_metric_values(st, run, &f->ms, 2, v, 6), 0);
  for (int i = 0; i < 5; i++)
    assert_true(v[i] == 2.0 + i);
  assert_true(isnan(v[5]));

  assert_int_equal(store_run_finish(st, run, -1, 1.5), 0); /* keeps the count, 5 */
  assert_int_equal(store_run_reopen(st, run, 20), 0);
  assert_int_equal(query_int(f->path, "SELECT finished_at IS NULL FROM run"), 1);
  assert_int_equal(store_run_finish(st, run, -1, 2.0), 0);
  assert_int_equal(store_run_finish(st, run + 1, -1, 2.0), ERR_STORE); /* no such run */
  assert_int_equal(series_points(st, run, 8), 10);
  assert_int_equal(series_points(st, run, 3), 6);
  store_close(st);

  /* A replication is one row: nvalues, nseries, 3 values, one series directory
   * entry, two 16-byte points (store.c). */
  assert_int_equal(query_int(f->path, "SELECT length(data) FROM replication WHERE idx = 0"),
                   8 + 3 * 8 + 8 + 2 * 16);
  assert_int_equal(query_int(f->path, "SELECT count(*) FROM replication"), 5);
  assert_int_equal(query_int(f->path, "SELECT count(*) FROM metric_def"), 3);
  assert_int_equal(query_int(f->path, "SELECT replications_done FROM run"), 5);
  assert_int_equal(query_int(f->path, "SELECT replications_planned FROM run"), 20);
  assert_int_equal(query_int(f->path, "SELECT wall_s * 10 FROM run"), 35);
  assert_int_equal(query_int(f->path, "SELECT finished_at IS NOT NULL FROM run"), 1);
  assert_int_equal(query_int(f->path, "SELECT seed FROM run"), 42);
}

/* Chunks of rows, every metric or a range of them, read back as store_metric_values
 * reads each column, bit for bit: the scalars (-0.0 and absent ones too), a series as
 * its last point, NaN for a series without points and for a replication not stored. */
static void test_chunks(void **state) {
  fixture *f = *state;
  store *st = NULL;
  int64_t run = 0;
  store_run_info info = info_of(7);
  assert_int_equal(store_open(&st, f->path, f->d), 0);
  assert_int_equal(store_run_begin(st, &run, &info, &f->ms, f->d), 0);
  assert_int_equal(put_reps(f, st, run, 0, 5), 0);
  metric_out o; /* replication 5: the series has no point */
  arena_reset(&f->a);
  assert_int_equal(metric_out_init(&o, &f->ms, &f->a), 0);
  metric_put(&o, 0, 1.0);
  assert_int_equal(store_put_replication(st, run, 5, &f->ms, &o), 0);
  enum { N = 7, M = 3 };
  double col[M][N], all[N * M], part[N * 2];
  for (int m = 0; m < M; m++)
    assert_int_equal(store_metric_values(st, run, &f->ms, m, col[m], N), 0);
  assert_true(isnan(col[2][5]) && isnan(col[2][6]) && col[2][4] == 6.0);
  assert_int_equal(store_values_chunk(st, run, &f->ms, 0, N, all), 0);
  assert_int_equal(store_columns_chunk(st, run, &f->ms, 1, 2, 2, N, part), 0);
  for (int r = 0; r < N; r++)
    for (int m = 0; m < M; m++) {
      if (memcmp(&all[r * M + m], &col[m][r], sizeof(double)) != 0)
        fail_msg("replication %d, metric %d: %g in the chunk, %g in the column", r, m,
                 all[r * M + m], col[m][r]);
      if (m > 0 && r >= 2 && memcmp(&part[(r - 2) * 2 + m - 1], &col[m][r], sizeof(double)))
        fail_msg("replication %d, metric %d: %g in the part, %g in the column", r, m,
                 part[(r - 2) * 2 + m - 1], col[m][r]);
    }
  store_close(st);
}

/* Chunks read ahead (store_ahead) are the chunks read on the store, bit for bit: in
 * order over three passes (each chunk but the first of a pass read by the thread), a
 * short last chunk, out of order, and with the run in one chunk (no thread). */
static void test_read_ahead(void **state) {
  fixture *f = *state;
  store *st = NULL;
  int64_t run = 0;
  store_run_info info = info_of(9);
  enum { N = 23, M = 3, ROWS = 5 };
  assert_int_equal(store_open(&st, f->path, f->d), 0);
  assert_int_equal(store_run_begin(st, &run, &info, &f->ms, f->d), 0);
  assert_int_equal(put_reps(f, st, run, 0, N), 0);
  double want[N * M];
  assert_int_equal(store_values_chunk(st, run, &f->ms, 0, N, want), 0);
  for (size_t rows = ROWS; rows <= N; rows += N - ROWS) {
    store_ahead *a = NULL;
    assert_int_equal(store_ahead_open(&a, st, run, &f->ms, N, rows), 0);
    double *buf = malloc(rows * M * sizeof *buf);
    assert_non_null(buf);
    for (int pass = 0; pass < 3; pass++)
      for (size_t lo = 0; lo < N; lo += rows) {
        size_t hi = lo + rows < N ? lo + rows : N;
        assert_int_equal(store_ahead_fill(a, lo, hi, buf), 0);
        assert_memory_equal(buf, want + lo * M, (hi - lo) * M * sizeof *buf);
      }
    /* Out of order: what the thread read is not what is asked. */
    assert_int_equal(store_ahead_fill(a, 2, 4, buf), 0);
    assert_memory_equal(buf, want + 2 * M, 2 * M * sizeof *buf);
    assert_int_equal(store_ahead_fill(a, 0, 1, buf), 0);
    assert_memory_equal(buf, want, M * sizeof *buf);
    store_ahead_close(a);
    free(buf);
  }
  /* Metrics [1, 3) only, as store_columns_chunk reads them. */
  double part[N * 2], two[ROWS * 2];
  assert_int_equal(store_columns_chunk(st, run, &f->ms, 1, 2, 0, N, part), 0);
  store_ahead *a = NULL;
  assert_int_equal(store_ahead_open_columns(&a, st, run, &f->ms, 1, 2, N, ROWS), 0);
  for (int pass = 0; pass < 2; pass++)
    for (size_t lo = 0; lo < N; lo += ROWS) {
      size_t hi = lo + ROWS < N ? lo + ROWS : N;
      assert_int_equal(store_ahead_fill(a, lo, hi, two), 0);
      assert_memory_equal(two, part + lo * 2, (hi - lo) * 2 * sizeof *two);
    }
  store_ahead_close(a);
  store_close(st);
}

static void test_double_put(void **state) {
  fixture *f = *state;
  store *st = NULL;
  int64_t run = 0;
  store_run_info info = info_of(42);
  metric_out o;
  assert_int_equal(store_open(&st, f->path, f->d), 0);
  assert_int_equal(store_run_begin(st, &run, &info, &f->ms, f->d), 0);
  assert_int_equal(put_reps(f, st, run, 0, 3), 0);

  assert_int_equal(store_begin(st), 0);
  fill(f, &o, 3);
  assert_int_equal(store_put_replication(st, run, 3, &f->ms, &o), 0);
  fill(f, &o, 1);
  o.value[0] = 99.0; /* would be a second count of replication 1 */
  assert_int_equal(store_put_replication(st, run, 1, &f->ms, &o), ERR_STORE);
  assert_non_null(strstr(store_errmsg(st), "already stored"));
  /* The batch goes on: the refused replication took nothing with it. */
  fill(f, &o, 4);
  assert_int_equal(store_put_replication(st, run, 4, &f->ms, &o), 0);
  assert_int_equal(store_commit(st), 0);

  /* Outside a transaction the put commits alone, and is refused the same way. */
  fill(f, &o, 2);
  assert_int_equal(store_put_replication(st, run, 2, &f->ms, &o), ERR_STORE);
  fill(f, &o, 5);
  assert_int_equal(store_put_replication(st, run, 5, &f->ms, &o), 0);
  store_close(st);

  assert_int_equal(query_int(f->path, "SELECT count(*) FROM replication"), 6);
  /* The run's count moved with the puts, refused ones not counted. */
  assert_int_equal(query_int(f->path, "SELECT replications_done FROM run"), 6);
  /* Replication 1 keeps its first values, not the refused 99. */
  double v[6];
  assert_int_equal(store_open(&st, f->path, f->d), 0);
  assert_int_equal(store_metric_values(st, run, &f->ms, 0, v, 6), 0);
  for (int r = 0; r < 6; r++)
    assert_true(v[r] == (double)(r % 2));
  assert_int_equal(series_points(st, run, 6), 12);
  store_close(st);
}

static void test_rollback(void **state) {
  fixture *f = *state;
  store *st = NULL;
  int64_t run = 0;
  store_run_info info = info_of(42);
  unsigned char done[4];
  double v[4];
  metric_out o;
  assert_int_equal(store_open(&st, f->path, f->d), 0);
  assert_int_equal(store_run_begin(st, &run, &info, &f->ms, f->d), 0);
  assert_int_equal(store_begin(st), 0);
  for (int r = 0; r < 4; r++) {
    fill(f, &o, r);
    assert_int_equal(store_put_replication(st, run, r, &f->ms, &o), 0);
  }
  assert_int_equal(store_rollback(st), 0);
  assert_int_equal(store_rollback(st), 0); /* nothing open: a no-op */
  assert_int_equal(store_replications_done(st, run, done, 4), 0);
  for (int r = 0; r < 4; r++)
    assert_int_equal(done[r], 0);
  assert_int_equal(store_metric_values(st, run, &f->ms, 0, v, 4), 0);
  for (int r = 0; r < 4; r++)
    assert_true(isnan(v[r]));
  store_close(st);

  /* A store closed in the middle of a batch (a killed run) keeps nothing of it. */
  assert_int_equal(store_open(&st, f->path, f->d), 0);
  assert_int_equal(store_begin(st), 0);
  fill(f, &o, 0);
  assert_int_equal(store_put_replication(st, run, 0, &f->ms, &o), 0);
  store_close(st);
  assert_int_equal(query_int(f->path, "SELECT count(*) FROM replication"), 0);
  assert_int_equal(query_int(f->path, "SELECT replications_done FROM run"), 0);
}

static void test_run_find(void **state) {
  fixture *f = *state;
  store *st = NULL;
  int64_t run1 = 0, run2 = 0, found = -1;
  store_run_info info = info_of(7), other = info_of(8);
  metric_set ms2;
  assert_int_equal(store_open(&st, f->path, f->d), 0);
  assert_int_equal(store_run_find(st, &found, &info, &f->ms, f->d), ERR_NOTFOUND);
  assert_int_equal(found, 0);
  assert_int_equal(store_run_begin(st, &run1, &info, &f->ms, f->d), 0);
  assert_int_equal(store_run_find(st, &found, &info, &f->ms, f->d), 0);
  assert_int_equal(found, run1);
  /* The latest matching run wins. */
  assert_int_equal(store_run_begin(st, &run2, &info, &f->ms, f->d), 0);
  assert_true(run2 > run1);
  assert_int_equal(store_run_find(st, &found, &info, &f->ms, f->d), 0);
  assert_int_equal(found, run2);
  /* Seed, hash, version and options are each part of the key. */
  assert_int_equal(store_run_find(st, &found, &other, &f->ms, f->d), ERR_NOTFOUND);
  other = info_of(7);
  other.options = "modules=crisis,sar";
  assert_int_equal(store_run_find(st, &found, &other, &f->ms, f->d), ERR_NOTFOUND);
  other = info_of(7);
  other.version = "0.2.0";
  assert_int_equal(store_run_find(st, &found, &other, &f->ms, f->d), ERR_NOTFOUND);
  other = info_of(7);
  other.scenario_hash = "fedcba9876543210";
  assert_int_equal(store_run_find(st, &found, &other, &f->ms, f->d), ERR_NOTFOUND);
  /* The planned count and the name are not. */
  other = info_of(7);
  other.replications = 999;
  other.scenario_name = "renamed";
  assert_int_equal(store_run_find(st, &found, &other, &f->ms, f->d), 0);
  assert_int_equal(diag_count(f->d, DIAG_ERROR), 0);

  /* Same key, different registry: a unit changed. */
  metric_set_init(&ms2);
  assert_int_equal(metric_define(&ms2, "crisis", "blockade.occurred", "1", METRIC_HEADLINE,
                                 ""), 0);
  assert_int_equal(metric_define(&ms2, "crisis", "blockade.time", "h", 0, ""), 1);
  assert_int_equal(metric_define(&ms2, "crisis", "situation", "1", METRIC_SERIES, ""), 2);
  assert_int_equal(store_run_find(st, &found, &info, &ms2, f->d), ERR_MISMATCH);
  assert_int_equal(diag_count(f->d, DIAG_ERROR), 1);
  assert_non_null(strstr(diag_at(f->d, 0)->message, "blockade.time"));
  metric_set_release(&ms2);
  /* One metric fewer, one more. */
  metric_set_init(&ms2);
  assert_int_equal(metric_define(&ms2, "crisis", "blockade.occurred", "1", METRIC_HEADLINE,
                                 ""), 0);
  assert_int_equal(store_run_find(st, &found, &info, &ms2, NULL), ERR_MISMATCH);
  assert_int_equal(metric_define(&ms2, "crisis", "blockade.time", "s", 0, ""), 1);
  assert_int_equal(metric_define(&ms2, "crisis", "situation", "1", METRIC_SERIES, ""), 2);
  assert_int_equal(metric_define(&ms2, "crisis", "extra", "1", 0, ""), 3);
  assert_int_equal(store_run_find(st, &found, &info, &ms2, NULL), ERR_MISMATCH);
  metric_set_release(&ms2);
  store_close(st);
}

static void test_integrity(void **state) {
  fixture *f = *state;
  store *st = NULL;
  int64_t run = 0;
  store_run_info info = info_of(1);
  char buf[64];
  assert_int_equal(store_open(&st, f->path, f->d), 0);
  assert_int_equal(store_run_begin(st, &run, &info, &f->ms, f->d), 0);
  assert_int_equal(put_reps(f, st, run, 0, 50), 0);
  store_close(st);
  query_text(f->path, "PRAGMA integrity_check", buf, sizeof buf);
  assert_string_equal(buf, "ok");
  assert_int_equal(query_int(f->path, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
}


/* Every row carries the XXH3-64 of its blob seeded with its index (the blob itself is
 * as before); a byte changed in a value is refused by every reader, named, and
 * store_verify lists it and can drop it so that a resume recomputes it. */
typedef struct bad_rep {
  int n;
  int64_t run, rep;
  char why[128];
} bad_rep;

static int note_bad(void *ctx, int64_t run, int64_t replication, const char *why) {
  bad_rep *b = ctx;
  b->n++;
  b->run = run, b->rep = replication;
  snprintf(b->why, sizeof b->why, "%s", why);
  return 0;
}

static void test_checksums(void **state) {
  fixture *f = *state;
  store *st = NULL;
  int64_t run = 0;
  store_run_info info = info_of(3);
  double v[6];
  unsigned char done[6];
  assert_int_equal(store_open(&st, f->path, f->d), 0);
  assert_int_equal(store_run_begin(st, &run, &info, &f->ms, f->d), 0);
  assert_int_equal(put_reps(f, st, run, 0, 6), 0);
  assert_int_equal(store_run_finish(st, run, -1, 1.0), 0);
  store_close(st);

  sqlite3 *db = NULL;
  sqlite3_stmt *q = NULL;
  assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT idx, data, checksum FROM replication",
                                      -1, &q, NULL), SQLITE_OK);
  int rows = 0;
  while (sqlite3_step(q) == SQLITE_ROW) {
    int64_t idx = sqlite3_column_int64(q, 0);
    const void *b = sqlite3_column_blob(q, 1);
    size_t len = (size_t)sqlite3_column_bytes(q, 1);
    assert_true((uint64_t)sqlite3_column_int64(q, 2) ==
                XXH3_64bits_withSeed(b, len, (XXH64_hash_t)idx));
    rows++;
  }
  sqlite3_finalize(q);
  assert_int_equal(rows, 6);
  /* Flip one bit of replication 3's first value (offset 8: after the two counts). */
  unsigned char blob[4096];
  int len = 0;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT data FROM replication WHERE idx = 3", -1,
                                      &q, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(q), SQLITE_ROW);
  len = sqlite3_column_bytes(q, 0);
  assert_true(len > 16 && len <= (int)sizeof blob);
  memcpy(blob, sqlite3_column_blob(q, 0), (size_t)len);
  sqlite3_finalize(q);
  blob[8 + 6] ^= 0x01;
  assert_int_equal(sqlite3_prepare_v2(db, "UPDATE replication SET data = ?1 WHERE idx = 3",
                                      -1, &q, NULL), SQLITE_OK);
  sqlite3_bind_blob(q, 1, blob, len, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(q), SQLITE_DONE);
  sqlite3_finalize(q);
  sqlite3_close(db);

  assert_int_equal(store_open(&st, f->path, f->d), 0); /* the pages are sound */
  assert_int_equal(store_metric_values(st, run, &f->ms, 0, v, 6), ERR_STORE);
  assert_non_null(strstr(store_errmsg(st), "replication 3 of run"));
  assert_non_null(strstr(store_errmsg(st), "checksum"));
  assert_non_null(strstr(store_errmsg(st), f->path));
  assert_int_equal(store_metric_values(st, run, &f->ms, 0, v, 3), 0); /* before it: fine */
  pt_count c = {0, -1, 0};
  assert_int_equal(store_series_each(st, run, 2, 6, count_point, &c), ERR_STORE);
  assert_int_equal(store_replications_done(st, run, done, 6), ERR_STORE);

  store_verify_counts n;
  bad_rep bad = {0};
  assert_int_equal(store_verify(st, 0, &n, note_bad, NULL, &bad), 0);
  assert_int_equal(n.checked, 6);
  assert_int_equal(n.damaged, 1);
  assert_int_equal(n.dropped, 0);
  assert_int_equal(bad.n, 1);
  assert_int_equal(bad.rep, 3);
  assert_int_equal(bad.run, run);
  assert_non_null(strstr(bad.why, "checksum"));
  memset(&bad, 0, sizeof bad);
  assert_int_equal(store_verify(st, 1, &n, note_bad, NULL, &bad), 0);
  assert_int_equal(n.dropped, 1);
  assert_int_equal(store_replications_done(st, run, done, 6), 0);
  assert_true(done[2] && !done[3] && done[4]);
  store_close(st);
  assert_int_equal(query_int(f->path, "SELECT replications_done FROM run"), 5);
  assert_int_equal(query_int(f->path, "SELECT finished_at IS NULL FROM run"), 1);
  assert_int_equal(store_open(&st, f->path, f->d), 0);
  assert_int_equal(store_verify(st, 0, &n, NULL, NULL, NULL), 0);
  assert_int_equal(n.checked, 5);
  assert_int_equal(n.damaged, 0);
  store_close(st);
}

/* ---- straits export --format sqlite: section 7's tables in a new file -------- */

/* A statement on the exported file, as an analyst's tool would run it. */
static sqlite3_stmt *export_query(sqlite3 *db, const char *sql, const metric_def *m) {
  sqlite3_stmt *s = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
  if (m) {
    sqlite3_bind_text(s, 1, m->module, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, m->name, -1, SQLITE_STATIC);
  }
  return s;
}

/* store_series_each's points, checked one by one against the exported rows. */
typedef struct series_cmp {
  sqlite3_stmt *rows; /* replication, time, value of one series in stored order */
  int n;
} series_cmp;

static int compare_point(void *ctx, int replication, double t, double value) {
  series_cmp *c = ctx;
  if (sqlite3_step(c->rows) != SQLITE_ROW)
    fail_msg("the export lacks point %d (replication %d, t %g)", c->n, replication, t);
  if (sqlite3_column_int(c->rows, 0) != replication ||
      sqlite3_column_double(c->rows, 1) != t || sqlite3_column_double(c->rows, 2) != value)
    fail_msg("point %d: store (%d, %g, %g), export (%d, %g, %g)", c->n, replication, t,
             value, sqlite3_column_int(c->rows, 0), sqlite3_column_double(c->rows, 1),
             sqlite3_column_double(c->rows, 2));
  c->n++;
  return 0;
}

/* The export of one run (another run in the store must not leak in) holds each
 * observed scalar value and each series point the store's readers give, no more. */
static void test_export_tables(void **state) {
  fixture *f = *state;
  store *st = NULL;
  int64_t other = 0, run = 0;
  store_run_info info = info_of(7), info2 = info_of(8);
  const size_t n = 6;
  double v[6];
  char out[160];
  sqlite3 *db = NULL;
  snprintf(out, sizeof out, "%s/x.sqlite", f->dir);
  assert_int_equal(store_open(&st, f->path, f->d), 0);
  assert_int_equal(store_run_begin(st, &other, &info, &f->ms, f->d), 0);
  assert_int_equal(put_reps(f, st, other, 0, 3), 0);
  assert_int_equal(store_run_begin(st, &run, &info2, &f->ms, f->d), 0);
  assert_int_equal(put_reps(f, st, run, 0, (int)n), 0);
  assert_int_equal(store_run_finish(st, run, -1, 2.5), 0);
  assert_int_equal(store_export_tables(st, run, out), 0);

  assert_int_equal(sqlite3_open_v2(out, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  sqlite3_stmt *q = export_query(db, "SELECT count(*), min(id), min(seed), "
                                     "min(replications_done) FROM run", NULL);
  assert_int_equal(sqlite3_step(q), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int(q, 0), 1);
  assert_int_equal(sqlite3_column_int64(q, 1), run);
  assert_int_equal(sqlite3_column_int64(q, 2), 8);
  assert_int_equal(sqlite3_column_int64(q, 3), (long long)n);
  sqlite3_finalize(q);
  q = export_query(db, "SELECT count(*), sum(status = 'done'), max(replication), "
                       "sum(run <> (SELECT id FROM run)) FROM replication", NULL);
  assert_int_equal(sqlite3_step(q), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int(q, 0), (int)n);
  assert_int_equal(sqlite3_column_int(q, 1), (int)n);
  assert_int_equal(sqlite3_column_int(q, 2), (int)n - 1);
  assert_int_equal(sqlite3_column_int(q, 3), 0);
  sqlite3_finalize(q);

  long long observed = 0;
  for (size_t k = 0; k < f->ms.n; k++) {
    const metric_def *m = &f->ms.def[k];
    if (m->flags & METRIC_SERIES) {
      series_cmp c = {export_query(db, "SELECT replication, time, value FROM series "
                                       "WHERE module = ?1 AND name = ?2 "
                                       "ORDER BY replication, rowid", m), 0};
      assert_int_equal(store_series_each(st, run, (int)k, n, compare_point, &c), 0);
      assert_int_equal(sqlite3_step(c.rows), SQLITE_DONE); /* no extra points */
      sqlite3_finalize(c.rows);
      assert_int_equal(c.n, 2 * (int)n);
      continue;
    }
    assert_int_equal(store_metric_values(st, run, &f->ms, (int)k, v, n), 0);
    q = export_query(db, "SELECT replication, value, unit FROM metric WHERE module = ?1 "
                         "AND name = ?2 ORDER BY replication", m);
    for (size_t r = 0; r < n; r++) {
      if (isnan(v[r]))
        continue; /* not observed: no row */
      observed++;
      assert_int_equal(sqlite3_step(q), SQLITE_ROW);
      assert_int_equal(sqlite3_column_int(q, 0), (int)r);
      assert_true(sqlite3_column_double(q, 1) == v[r]);
      assert_string_equal((const char *)sqlite3_column_text(q, 2), m->unit);
    }
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
  }
  /* 6 of occurred, and time where it occurred (r odd) or is -0.0 (r 0): 4. */
  assert_int_equal(observed, 10);
  q = export_query(db, "SELECT count(*) FROM metric", NULL);
  assert_int_equal(sqlite3_step(q), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int64(q, 0), observed);
  sqlite3_finalize(q);
  /* The obvious query, a metric by name, reads the index. */
  q = export_query(db, "EXPLAIN QUERY PLAN SELECT avg(value) FROM metric "
                       "WHERE module = 'crisis' AND name = 'blockade.time'", NULL);
  assert_int_equal(sqlite3_step(q), SQLITE_ROW);
  assert_non_null(strstr((const char *)sqlite3_column_text(q, 3), "metric_by_name"));
  sqlite3_finalize(q);
  sqlite3_close(db);

  /* An existing file is never overwritten, whatever it holds. */
  assert_int_equal(store_export_tables(st, other, out), ERR_USAGE);
  assert_non_null(strstr(store_errmsg(st), "already exists"));
  assert_int_equal(query_int(out, "SELECT min(id) FROM run"), run);
  assert_int_equal(unlink(out), 0);
  /* No such run: nothing is created. */
  assert_int_equal(store_export_tables(st, run + 1, out), ERR_NOTFOUND);
  assert_int_equal(access(out, F_OK), -1);
  store_close(st);

  /* A failure half-way (a damaged replication after good ones were written) leaves
   * no file behind, nor its journal. */
  assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "UPDATE replication SET data = x'00' WHERE idx = 4",
                                NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  assert_int_equal(store_open(&st, f->path, f->d), 0);
  assert_int_equal(store_export_tables(st, run, out), ERR_STORE);
  assert_non_null(strstr(store_errmsg(st), "damaged"));
  assert_int_equal(access(out, F_OK), -1);
  snprintf(out, sizeof out, "%s/x.sqlite-journal", f->dir);
  assert_int_equal(access(out, F_OK), -1);
  /* The store is still usable after the failed export (its attachment is gone). */
  assert_int_equal(store_metric_values(st, run, &f->ms, 0, v, 4), 0);
  store_close(st);
}

static void test_open_errors(void **state) {
  fixture *f = *state;
  store *st = (store *)f; /* must come back NULL */
  char p[160];
  snprintf(p, sizeof p, "%s/no/such/dir/t.db", f->dir);
  assert_int_equal(store_open(&st, p, f->d), ERR_IO);
  assert_null(st);
  assert_int_equal(diag_count(f->d, DIAG_ERROR), 1);
  assert_string_equal(diag_at(f->d, 0)->file, p);

  FILE *fp = fopen(f->path, "w");
  assert_non_null(fp);
  fputs("this is not a database, but it is long enough to have a header page.......\n",
        fp);
  fclose(fp);
  assert_int_equal(store_open(&st, f->path, f->d), ERR_STORE);
  assert_null(st);
  assert_int_equal(diag_count(f->d, DIAG_ERROR), 2);

  /* A store from a newer straits is refused, not damaged. */
  unlink(f->path);
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  assert_int_equal(store_open(&st, f->path, f->d), ERR_STORE);
  assert_null(st);
  assert_non_null(strstr(diag_at(f->d, 2)->message, "99"));
}

/* The readers' cache (one scan serves every metric) never shows a value a write has
 * changed since; and a store of schema 1 (a row per value) is refused with a reason. */
static void test_cache_and_old_schema(void **state) {
  fixture *f = *state;
  store *st = NULL;
  int64_t run = 0;
  store_run_info info = info_of(42);
  metric_out o;
  double v[4];
  assert_int_equal(store_open(&st, f->path, f->d), 0);
  assert_int_equal(store_run_begin(st, &run, &info, &f->ms, f->d), 0);
  assert_int_equal(put_reps(f, st, run, 0, 3), 0);
  assert_int_equal(store_metric_values(st, run, &f->ms, 0, v, 4), 0);
  assert_true(v[1] == 1.0 && isnan(v[3]));
  fill(f, &o, 3);
  assert_int_equal(store_put_replication(st, run, 3, &f->ms, &o), 0);
  assert_int_equal(store_metric_values(st, run, &f->ms, 0, v, 4), 0);
  assert_true(v[3] == 1.0);
  assert_int_equal(store_metric_values(st, run, &f->ms, 2, v, 4), 0);
  assert_true(v[3] == 5.0); /* the series' last point */
  store_close(st);

  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  assert_int_equal(store_open(&st, f->path, f->d), ERR_STORE);
  assert_null(st);
  assert_int_equal(diag_count(f->d, DIAG_ERROR), 1);
  assert_non_null(strstr(diag_at(f->d, 0)->message, "made by an older straits"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_schema, setup, teardown),
      cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
      cmocka_unit_test_setup_teardown(test_chunks, setup, teardown),
      cmocka_unit_test_setup_teardown(test_read_ahead, setup, teardown),
      cmocka_unit_test_setup_teardown(test_double_put, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
      cmocka_unit_test_setup_teardown(test_run_find, setup, teardown),
      cmocka_unit_test_setup_teardown(test_integrity, setup, teardown),
      cmocka_unit_test_setup_teardown(test_checksums, setup, teardown),
      cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cache_and_old_schema, setup, teardown),
      cmocka_unit_test_setup_teardown(test_export_tables, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
