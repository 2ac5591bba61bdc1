/* test_arena.c - alignment, growth, the cap, reset reusing memory, release. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "arena.h"

static void test_alignment(void **state) {
  (void)state;
  arena a;
  arena_init(&a, ARENA_DEFAULT_CAP);
  static const size_t sizes[] = {1, 3, 7, 16, 17, 31, 100, 4095, 1, 0, 12345};
  for (int round = 0; round < 50; round++) {
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
      unsigned char *p = arena_alloc(&a, sizes[i]);
      assert_non_null(p);
      assert_int_equal((uintptr_t)p % 16, 0);
      memset(p, 0xab, sizes[i]); /* ASan checks the block is really ours */
    }
  }
  arena_release(&a);
}

static void test_distinct_and_growth(void **state) {
  (void)state;
  arena a;
  arena_init(&a, ARENA_DEFAULT_CAP);
  /* Far more than one chunk, then a block bigger than any chunk so far. */
  enum { N = 20000 };
  static int *blocks[N];
  for (int i = 0; i < N; i++) {
    blocks[i] = arena_alloc(&a, 40);
    assert_non_null(blocks[i]);
    for (int j = 0; j < 10; j++) blocks[i][j] = i;
  }
  for (int i = 0; i < N; i++)
    for (int j = 0; j < 10; j++) assert_int_equal(blocks[i][j], i);
  assert_true(a.used >= (size_t)N * 40);
  assert_true(a.held >= a.used);
  /* Chunks grow geometrically, so what is held stays within a small factor of what
   * is used (not one chunk per allocation, nor unbounded slack). */
  assert_true(a.held <= 3 * a.used + ((size_t)128 << 10));
  char *big = arena_alloc(&a, (size_t)8 << 20);
  assert_non_null(big);
  memset(big, 1, (size_t)8 << 20);
  arena_release(&a);
  assert_null(a.head);
  assert_int_equal(a.held, 0);
}

static void test_calloc_strdup(void **state) {
  (void)state;
  arena a;
  arena_init(&a, ARENA_DEFAULT_CAP);
  /* Dirty the memory, reset, and check calloc really zeroes reused memory. */
  memset(arena_alloc(&a, 4096), 0xff, 4096);
  arena_reset(&a);
  double *z = arena_calloc(&a, 512, sizeof *z);
  assert_non_null(z);
  for (int i = 0; i < 512; i++) assert_true(z[i] == 0.0);
  assert_null(arena_calloc(&a, SIZE_MAX / 2, 4)); /* n * size overflows */
  char *s = arena_strdup(&a, "kadena");
  assert_string_equal(s, "kadena");
  assert_null(arena_strdup(&a, NULL));
  arena_release(&a);
}

static void test_cap(void **state) {
  (void)state;
  arena a;
  arena_init(&a, 100000);
  size_t total = 0;
  void *p;
  while ((p = arena_alloc(&a, 1000)) != NULL) total += 1000;
  assert_true(total > 50000); /* most of the cap is usable */
  assert_true(a.held <= 100000);
  assert_null(arena_alloc(&a, 1000));
  assert_null(arena_alloc(&a, 200000));
  assert_null(arena_alloc(&a, SIZE_MAX)); /* no overflow on rounding */
  /* Reset makes the memory usable again within the same cap. */
  arena_reset(&a);
  assert_non_null(arena_alloc(&a, 1000));
  arena_release(&a);

  arena tiny;
  arena_init(&tiny, 10);
  assert_null(arena_alloc(&tiny, 1));
  arena_release(&tiny);
}

/* After a reset the same sequence of allocations reuses the chunks: nothing new is
 * held, and (with one chunk) the same addresses come back. */
static void test_reset_reuses(void **state) {
  (void)state;
  arena a;
  arena_init(&a, ARENA_DEFAULT_CAP);
  assert_non_null(arena_alloc(&a, 1000));
  for (int i = 0; i < 5000; i++) assert_non_null(arena_alloc(&a, 200));
  size_t held = a.held, used = a.used;
  for (int rep = 0; rep < 5; rep++) {
    arena_reset(&a);
    assert_int_equal(a.used, 0);
    assert_int_equal(a.held, held);
    void *again = arena_alloc(&a, 1000);
    assert_non_null(again);
    for (int i = 0; i < 5000; i++) assert_non_null(arena_alloc(&a, 200));
    assert_int_equal(a.held, held); /* no growth */
    assert_int_equal(a.used, used);
  }
  arena_release(&a);

  arena b;
  arena_init(&b, ARENA_DEFAULT_CAP);
  void *p = arena_alloc(&b, 64);
  arena_reset(&b);
  assert_ptr_equal(arena_alloc(&b, 64), p);
  arena_release(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_alignment),
      cmocka_unit_test(test_distinct_and_growth),
      cmocka_unit_test(test_calloc_strdup),
      cmocka_unit_test(test_cap),
      cmocka_unit_test(test_reset_reuses),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
