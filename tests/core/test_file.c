/* test_file.c - input files are opened only when regular: a FIFO (which would block
 * for ever), a folder or a device is named and refused at once (issue 21). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"

static void test_kinds(void **state) {
  (void)state;
  char dir[] = "/tmp/straits-file-XXXXXX", path[96];
  assert_non_null(mkdtemp(dir));
  alarm(20); /* a regression (blocking on the FIFO) fails instead of hanging */
  const char *kind = "unset";
  size_t size = 0;

  snprintf(path, sizeof path, "%s/plain.yaml", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("scenario: {}\n", f);
  fclose(f);
  f = file_open_regular(path, &kind, &size);
  assert_non_null(f);
  assert_null(kind);
  assert_int_equal(size, 13);
  char buf[32] = "";
  assert_non_null(fgets(buf, sizeof buf, f));
  assert_string_equal(buf, "scenario: {}\n");
  fclose(f);
  unlink(path);

  snprintf(path, sizeof path, "%s/fifo", dir);
  assert_int_equal(mkfifo(path, 0666), 0);
  assert_null(file_open_regular(path, &kind, NULL));
  assert_string_equal(kind, "a FIFO");
  unlink(path);

  assert_null(file_open_regular(dir, &kind, NULL));
  assert_string_equal(kind, "a folder");
  assert_null(file_open_regular("/dev/null", &kind, NULL));
  assert_string_equal(kind, "a device");

  snprintf(path, sizeof path, "%s/missing", dir);
  errno = 0;
  assert_null(file_open_regular(path, &kind, NULL));
  assert_null(kind);
  assert_int_equal(errno, ENOENT);
  alarm(0);
  rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_kinds)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
