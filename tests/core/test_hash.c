/* test_hash.c - SHA-256 through core/hash: the FIPS 180-2 examples, incremental and
 * one-shot digests agree, and a file's streamed digest is its bytes' digest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "hash.h"

/* FIPS 180-2, appendix B (SHA-256 examples B.1, B.2, B.3), and the empty message. */
static const char ABC[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char TWO_BLOCKS_MSG[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char TWO_BLOCKS[] = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
static const char MILLION_A[] = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
static const char EMPTY[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static void test_fips_examples(void **state) {
  (void)state;
  char hex[HASH_SHA256_HEX];
  hash_sha256_hex(hex, "abc", 3);
  assert_string_equal(hex, ABC);
  hash_sha256_hex(hex, TWO_BLOCKS_MSG, strlen(TWO_BLOCKS_MSG));
  assert_string_equal(hex, TWO_BLOCKS);
  hash_sha256_hex(hex, "", 0);
  assert_string_equal(hex, EMPTY);

  /* B.3: a million 'a', given in uneven pieces that straddle the 64-byte blocks. */
  hash_sha256 h;
  hash_sha256_init(&h);
  static char a[1000000];
  memset(a, 'a', sizeof a);
  size_t at = 0, piece = 1;
  while (at < sizeof a) {
    size_t n = piece < sizeof a - at ? piece : sizeof a - at;
    hash_sha256_update(&h, a + at, n);
    at += n;
    piece = piece * 3 % 997 + 1;
  }
  hash_sha256_final_hex(&h, hex);
  assert_string_equal(hex, MILLION_A);
  /* final starts the context over: it now digests the empty message. */
  hash_sha256_final_hex(&h, hex);
  assert_string_equal(hex, EMPTY);
}

static void test_one_byte_changes_digest(void **state) {
  (void)state;
  char x[HASH_SHA256_HEX], y[HASH_SHA256_HEX];
  hash_sha256_hex(x, "abc", 3);
  hash_sha256_hex(y, "abd", 3);
  assert_string_not_equal(x, y);
  assert_int_equal(strlen(x), 64);
}

/* A file's digest, streamed in blocks, is the digest of its bytes; one byte changed
 * changes it; a missing file is ERR_IO. */
static void test_file(void **state) {
  (void)state;
  char path[] = "/tmp/straits-test-hash-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "wb");
  assert_non_null(f);
  /* 100 003 bytes: several of hash.c's read blocks and a ragged end. */
  enum { N = 100003 };
  unsigned char *buf = malloc(N);
  assert_non_null(buf);
  for (size_t i = 0; i < N; i++) buf[i] = (unsigned char)(i * 131u + (i >> 7));
  assert_int_equal(fwrite(buf, 1, N, f), N);
  assert_int_equal(fclose(f), 0);

  char want[HASH_SHA256_HEX], got[HASH_SHA256_HEX];
  hash_sha256_hex(want, buf, N);
  assert_int_equal(hash_sha256_file(got, path), 0);
  assert_string_equal(got, want);

  f = fopen(path, "r+b");
  assert_non_null(f);
  assert_int_equal(fseek(f, N / 2, SEEK_SET), 0);
  assert_int_equal(fputc(buf[N / 2] ^ 1, f), buf[N / 2] ^ 1);
  assert_int_equal(fclose(f), 0);
  assert_int_equal(hash_sha256_file(got, path), 0);
  assert_string_not_equal(got, want);

  assert_int_equal(unlink(path), 0);
  assert_int_equal(hash_sha256_file(got, path), ERR_IO);
  free(buf);
}

/* An item is its length (8 bytes, little-endian) and its bytes; two splits of the
 * same bytes into items differ. */
static void test_items(void **state) {
  (void)state;
  char got[HASH_SHA256_HEX], want[HASH_SHA256_HEX];
  hash_sha256 h;
  hash_sha256_init(&h);
  hash_sha256_item(&h, "abc", 3);
  hash_sha256_final_hex(&h, got);
  hash_sha256_hex(want, "\x03\0\0\0\0\0\0\0abc", 11);
  assert_string_equal(got, want);

  char x[HASH_SHA256_HEX], y[HASH_SHA256_HEX];
  hash_sha256_item(&h, "ab", 2);
  hash_sha256_item(&h, "c", 1);
  hash_sha256_final_hex(&h, x);
  hash_sha256_item(&h, "a", 1);
  hash_sha256_item(&h, "bc", 2);
  hash_sha256_final_hex(&h, y);
  assert_string_not_equal(x, y);
}

static void test_library_version(void **state) {
  (void)state;
  char v[32];
  hash_library_version(v, sizeof v);
  int major = 0, minor = -1;
  assert_int_equal(sscanf(v, "%d.%d", &major, &minor), 2);
  assert_true(major >= 3 && minor >= 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fips_examples),
      cmocka_unit_test(test_one_byte_changes_digest),
      cmocka_unit_test(test_file),
      cmocka_unit_test(test_items),
      cmocka_unit_test(test_library_version),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
