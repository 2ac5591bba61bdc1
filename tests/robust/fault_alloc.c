/* fault_alloc.c - a counting allocator that fails the n-th allocation (see
 * fault_alloc.h).  The __wrap_ functions replace malloc & co. in the test
 * executables' own objects and static libraries via ld's --wrap; __real_ reaches
 * the C library's (or the sanitizer's) allocator, so ASan still sees every block. */
#include "fault_alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
char *__wrap_strdup(const char *s);

static long seen;      /* allocations since arming */
static long fail_at;   /* 0 = disarmed */
static int sticky;
static long failed;

void fault_arm(long n, int stick) {
  seen = 0;
  failed = 0;
  fail_at = n;
  sticky = stick;
}

long fault_disarm(void) {
  fail_at = 0;
  return failed;
}

long fault_count(void) { return seen; }
void fault_reset_count(void) { seen = 0; }

/* Count one allocation; 1 if it must fail. */
static int should_fail(void) {
  seen++;
  if (fail_at > 0 && (seen == fail_at || (sticky && seen > fail_at))) {
    failed++;
    return 1;
  }
  return 0;
}

void *__wrap_malloc(size_t size) { return should_fail() ? NULL : __real_malloc(size); }

void *__wrap_calloc(size_t n, size_t size) {
  return should_fail() ? NULL : __real_calloc(n, size);
}

/* realloc(p, 0) frees in glibc; count it like any call all the same. */
void *__wrap_realloc(void *p, size_t size) {
  return should_fail() ? NULL : __real_realloc(p, size);
}

char *__wrap_strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *c = should_fail() ? NULL : __real_malloc(n);
  if (c)
    memcpy(c, s, n);
  return c;
}

/* ---- SQLite: its allocator interface wants block sizes, kept in a header -------- */

#define FAULT_HDR 16 /* keeps the 8-byte alignment SQLite asks for (and 16 for us) */

static void *sq_malloc(int n) {
  if (n <= 0 || should_fail())
    return NULL;
  unsigned char *p = __real_malloc((size_t)n + FAULT_HDR);
  if (!p)
    return NULL;
  memcpy(p, &(int64_t){n}, sizeof(int64_t));
  return p + FAULT_HDR;
}

static void sq_free(void *p) {
  if (p)
    free((unsigned char *)p - FAULT_HDR) /* free is not wrapped */;
}

static int sq_size(void *p) {
  int64_t n = 0;
  if (p)
    memcpy(&n, (unsigned char *)p - FAULT_HDR, sizeof n);
  return (int)n;
}

static void *sq_realloc(void *p, int n) {
  if (n <= 0 || should_fail())
    return NULL;
  unsigned char *q = __real_realloc((unsigned char *)p - FAULT_HDR, (size_t)n + FAULT_HDR);
  if (!q)
    return NULL;
  memcpy(q, &(int64_t){n}, sizeof(int64_t));
  return q + FAULT_HDR;
}

static int sq_roundup(int n) { return (n + 7) & ~7; }
static int sq_init(void *ctx) { (void)ctx; return SQLITE_OK; }
static void sq_shutdown(void *ctx) { (void)ctx; }

int fault_install_sqlite(void) {
  static const sqlite3_mem_methods methods = {sq_malloc, sq_free,  sq_realloc, sq_size,
                                              sq_roundup, sq_init, sq_shutdown, NULL};
  return sqlite3_config(SQLITE_CONFIG_MALLOC, &methods);
}
