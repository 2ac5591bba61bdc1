/* test_fault_store.c - the results store under allocation failure.  A store holding a
 * committed run is copied; then, for every n, a write cycle on the copy (open, find
 * the run, write a batch of replications in one transaction, finish, read back,
 * close) runs with its n-th SQLite or straits allocation failing.  Every cycle must
 * end in success or a clean ERR_NOMEM/ERR_STORE with a message; afterwards the file
 * must pass PRAGMA integrity_check, still hold the earlier batch, hold the new batch
 * whole or not at all, and accept the same cycle again without faults.  The same for
 * merging another rank's store into it (store_merge_run, MPI sweeps). */
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

#include "diag.h"
#include "err.h"
#include "fault_alloc.h"
#include "metric.h"
#include "store.h"

#define MAX_N 100000
#define BATCH 3 /* replications per write cycle */

static char dir[64], base[128], path[128];
static metric_set ms;

static const store_run_info info = {"fault", "00000000deadbeef", "fault.yaml", 42, "test",
                                    "modules=crisis", 2 * BATCH};

static void remove_db(const char *p) {
  static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
  char f[160];
  for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
    snprintf(f, sizeof f, "%s%s", p, suffix[i]);
    unlink(f);
  }
}

static void copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
  char buf[8192];
  size_t n;
  assert_non_null(in);
  assert_non_null(out);
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    assert_int_equal(fwrite(buf, 1, n, out), n);
  fclose(in);
  assert_int_equal(fclose(out), 0);
}

/* Write replications [first, first + BATCH) of the run; returns the first error. */
static int write_batch(store *st, int64_t run, int first) {
  double value[3];
  metric_point point[2];
  int err = store_begin(st);
  for (int r = first; !err && r < first + BATCH; r++) {
    value[0] = r;
    value[1] = r % 2 ? NAN : 0.5 * r;
    value[2] = NAN;
    point[0] = (metric_point){2, 0.0, 1.0};
    point[1] = (metric_point){2, 3600.0 * r, 2.0};
    metric_out out = {value, point, 2, 2, NULL};
    err = store_put_replication(st, run, r, &ms, &out);
  }
  if (!err)
    err = store_commit(st);
  if (err)
    store_rollback(st);
  return err;
}

/* The cycle under test: continue the run with replications BATCH..2 BATCH-1. */
static int write_cycle_in(const char *p, int *has_message, diag *d) {
  store *st = NULL;
  int64_t run = 0;
  int err = store_open(&st, p, d);
  *has_message = diag_count(d, DIAG_ERROR) > 0;
  if (!err && (err = store_run_find(st, &run, &info, &ms, d)) != 0 && getenv("FAULT_DEBUG"))
    fprintf(stderr, "find: %d %s\n", err, store_errmsg(st));
  if (err)
    *has_message = diag_count(d, DIAG_ERROR) > 0 || store_errmsg(st)[0];
  if (!err) {
    err = store_run_reopen(st, run, 2 * BATCH);
    if (!err)
      err = write_batch(st, run, BATCH);
    if (!err)
      err = store_run_finish(st, run, -1, 1.0);
    if (!err) {
      double v[2 * BATCH];
      err = store_metric_values(st, run, &ms, 0, v, 2 * BATCH);
    }
    if (err)
      *has_message = store_errmsg(st)[0] != '\0';
  }
  store_close(st);
  return err;
}

/* The caller's diag is made before the fault is armed (it is not the store's). */
static long arm_at; /* 0: no fault */
static int write_cycle(const char *p, int *has_message) {
  diag *d = diag_new();
  assert_non_null(d);
  if (arm_at > 0)
    fault_arm(arm_at, 0);
  int err = write_cycle_in(p, has_message, d);
  diag_free(d);
  return err;
}

/* Check the file with SQLite directly (no faults armed). */
static void check_file(const char *p, long n, int cycle_ok) {
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  assert_int_equal(sqlite3_open_v2(p, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  if (strcmp((const char *)sqlite3_column_text(s, 0), "ok") != 0)
    fail_msg("allocation %ld: integrity_check says '%s'", n, sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  assert_int_equal(sqlite3_prepare_v2(db,
                       "SELECT (SELECT count(*) FROM replication), "
                       "(SELECT replications_done FROM run), "
                       /* a whole replication is one 72-byte blob (store.c): 3
                        * values and one series of 2 points */
                       "(SELECT 3 * count(*) FROM replication WHERE length(data) = 72), "
                       "(SELECT 2 * count(*) FROM replication WHERE length(data) = 72), "
                       "(SELECT count(*) FROM replication WHERE idx < " "3" ")",
                       -1, &s, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  int reps = sqlite3_column_int(s, 0), counted = sqlite3_column_int(s, 1);
  int values = sqlite3_column_int(s, 2), points = sqlite3_column_int(s, 3);
  int old = sqlite3_column_int(s, 4);
  sqlite3_finalize(s);
  sqlite3_close(db);
  if (old != BATCH || (reps != BATCH && reps != 2 * BATCH) || counted != reps ||
      points != 2 * reps || (cycle_ok && reps != 2 * BATCH))
    fail_msg("allocation %ld: %d replications (%d counted, %d old), %d values, %d points",
             n, reps, counted, old, values, points);
}

static void test_store_write_cycle(void **state) {
  (void)state;
  int has_message;
  long n, total, clean = 0;
  /* The reference: one cycle without faults, counted. */
  copy_file(base, path);
  fault_reset_count();
  assert_int_equal(write_cycle(path, &has_message), 0);
  total = fault_count();
  check_file(path, 0, 1);
  remove_db(path);

  for (n = 1; n < MAX_N; n++) {
    copy_file(base, path);
    arm_at = n;
    int err = write_cycle(path, &has_message);
    arm_at = 0;
    long failed = fault_disarm();
    if (failed == 0) {
      assert_int_equal(err, 0);
      remove_db(path);
      break;
    }
    if (err != 0 && err != ERR_NOMEM && err != ERR_STORE)
      fail_msg("allocation %ld: %s", n, err_name(err));
    if (err && !has_message)
      fail_msg("allocation %ld: %s without a message", n, err_name(err));
    clean += err == 0;
    check_file(path, n, err == 0);
    /* The store stays usable: the same cycle completes it afterwards (checked at
     * every 8th failure point, which keeps the loop quick under ASan). */
    if (n % 8 == 1) {
      write_cycle(path, &has_message); /* fails only if the batch had already landed */
      check_file(path, n, 1);
    }
    remove_db(path);
  }
  assert_true(n < MAX_N);
  print_message("store write cycle: %ld allocations, %ld failure points, %ld absorbed\n",
                total, n - 1, clean);
}

/* ---- merging a part's run (MPI ranks) under allocation failure ---------------- */

static char part[128];

/* Copy the part's replications BATCH..2 BATCH-1 into the run of the store at p. */
static int merge_cycle(const char *p, int *has_message, long *failed) {
  store *st = NULL;
  int64_t run = 0, src = 0;
  int copied = 0;
  diag *d = diag_new();
  assert_non_null(d);
  if (arm_at > 0)
    fault_arm(arm_at, 0);
  int err = store_open(&st, p, d);
  *has_message = diag_count(d, DIAG_ERROR) > 0;
  if (!err)
    err = store_run_find(st, &run, &info, &ms, d);
  if (!err) {
    src = run; /* the part store was made the same way: its run has the same id */
    err = store_merge_run(st, run, part, src, &copied);
  }
  if (err && st)
    *has_message = *has_message || store_errmsg(st)[0] || diag_count(d, DIAG_ERROR) > 0;
  store_close(st);
  *failed = fault_disarm();
  diag_free(d);
  if (!err && copied != BATCH)
    fail_msg("merge copied %d replications, not %d", copied, BATCH);
  return err;
}

static void test_store_merge(void **state) {
  (void)state;
  int has_message;
  long n, clean = 0, failed;
  copy_file(base, path);
  arm_at = 0;
  fault_reset_count();
  assert_int_equal(merge_cycle(path, &has_message, &failed), 0);
  long total = fault_count();
  check_file(path, 0, 1);
  remove_db(path);
  for (n = 1; n < MAX_N; n++) {
    copy_file(base, path);
    arm_at = n;
    int err = merge_cycle(path, &has_message, &failed);
    arm_at = 0;
    if (failed == 0) { /* past the last allocation: nothing failed */
      assert_int_equal(err, 0);
      check_file(path, n, 1);
      remove_db(path);
      break;
    }
    if (err != 0 && err != ERR_NOMEM && err != ERR_STORE)
      fail_msg("merge, allocation %ld: %s", n, err_name(err));
    if (err && !has_message)
      fail_msg("merge, allocation %ld: %s without a message", n, err_name(err));
    clean += err == 0;
    check_file(path, n, err == 0);
    remove_db(path);
  }
  assert_true(n < MAX_N);
  print_message("store merge: %ld allocations, %ld failure points, %ld absorbed\n", total,
                n - 1, clean);
}

static int setup(void **state) {
  (void)state;
  diag *d = diag_new();
  store *st = NULL;
  int64_t run;
  /* tmpfs where there is one: a thousand small databases cost fsyncs on disk. */
  snprintf(dir, sizeof dir, "%s/straits-fault-XXXXXX",
           access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
  if (!mkdtemp(dir) || !d)
    return -1;
  snprintf(base, sizeof base, "%s/base.db", dir);
  snprintf(path, sizeof path, "%s/t.db", dir);
  metric_set_init(&ms);
  if (metric_define(&ms, "crisis", "a", "1", METRIC_HEADLINE, "a") != 0 ||
      metric_define(&ms, "crisis", "b", "s", 0, "b") != 1 ||
      metric_define(&ms, "crisis", "c", "1", METRIC_SERIES, "c") != 2)
    return -1;
  if (store_open(&st, base, d) || store_run_begin(st, &run, &info, &ms, d) ||
      write_batch(st, run, 0))
    return -1;
  store_close(st);
  diag_free(d);
  /* Fold the WAL into the file, so one file copy is the whole store. */
  sqlite3 *db;
  if (sqlite3_open(base, &db) != SQLITE_OK ||
      sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK)
    return -1;
  sqlite3_close(db);
  /* A part store (another rank's) holding replications BATCH..2 BATCH-1 of the same
   * run, folded into one file too. */
  snprintf(part, sizeof part, "%s/part.db", dir);
  st = NULL;
  if (!(d = diag_new()) || store_open(&st, part, d) ||
      store_run_begin(st, &run, &info, &ms, d) || write_batch(st, run, BATCH))
    return -1;
  store_close(st);
  diag_free(d);
  if (sqlite3_open(part, &db) != SQLITE_OK ||
      sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK)
    return -1;
  sqlite3_close(db);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  remove_db(base);
  remove_db(path);
  remove_db(part);
  rmdir(dir);
  metric_set_release(&ms);
  sqlite3_shutdown();
  return 0;
}

int main(void) {
  if (fault_install_sqlite() != SQLITE_OK) {
    fprintf(stderr, "cannot install the counting allocator in SQLite\n");
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_store_write_cycle),
      cmocka_unit_test(test_store_merge),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
