/* test_err.c - error codes, names and messages come from one table; BUG aborts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"

static void test_messages(void **state) {
  (void)state;
  assert_int_equal(ERR_OK, 0);
  assert_string_equal(err_strerror(ERR_OK), "success");
  assert_string_equal(err_strerror(ERR_NOMEM), "out of memory");
  assert_string_equal(err_strerror(ERR_LIMIT), "a size limit was reached");
  assert_string_equal(err_strerror(ERR_RANGE), "value out of range");
  assert_string_equal(err_name(ERR_NOMEM), "NOMEM");
  assert_string_equal(err_name(ERR_MISMATCH), "MISMATCH");
  assert_string_equal(err_name(ERR_OK), "OK");
  assert_string_equal(err_strerror(12345), "unknown error");
  assert_string_equal(err_strerror(-999), "unknown error");
  assert_string_equal(err_name(7), "UNKNOWN");
}

/* Every code in the table is negative (but OK), distinct, and has a distinct
 * non-empty name and a lower-case message without a trailing full stop. */
static void test_table(void **state) {
  (void)state;
  static const int codes[] = {
#define X(name, code, msg) ERR_##name,
      ERR_MAP(X)
#undef X
  };
  size_t n = sizeof codes / sizeof codes[0];
  for (size_t i = 0; i < n; i++) {
    if (i > 0) assert_true(codes[i] < 0);
    const char *m = err_strerror(codes[i]);
    assert_string_not_equal(m, "unknown error");
    assert_true(m[0] >= 'a' && m[0] <= 'z');
    assert_true(m[strlen(m) - 1] != '.');
    for (size_t j = 0; j < i; j++) {
      assert_int_not_equal(codes[i], codes[j]);
      assert_string_not_equal(err_name(codes[i]), err_name(codes[j]));
    }
  }
}

/* BUG() prints where and aborts: run it in a child and look at how it died. */
static void test_bug_aborts(void **state) {
  (void)state;
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], 2);
    close(fds[0]);
    BUG("invariant broken");
    _exit(0); /* not reached */
  }
  close(fds[1]);
  char buf[256] = {0};
  size_t got = 0;
  ssize_t k;
  while (got < sizeof buf - 1 && (k = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0)
    got += (size_t)k;
  close(fds[0]);
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFSIGNALED(status));
  assert_int_equal(WTERMSIG(status), SIGABRT);
  assert_non_null(strstr(buf, "invariant broken"));
  assert_non_null(strstr(buf, "test_err.c"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_messages),
      cmocka_unit_test(test_table),
      cmocka_unit_test(test_bug_aborts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
