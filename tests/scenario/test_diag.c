/* test_diag.c - diagnostics: storage, sorting, rendering of the quoted line and caret,
 * the cap, and that locations from libyaml's 0-based marks come out 1-based. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diag.h"
#include "scenario.h"

/* diag_print into a string (caller frees). */
static char *print_to_string(const diag *d, int color) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  assert_non_null(f);
  diag_print(d, f, color);
  fclose(f);
  return buf;
}

static void test_strings_are_copied(void **state) {
  (void)state;
  diag *d = diag_new();
  char file[] = "a.yaml", word[] = "expo";
  diag_report(d, DIAG_ERROR, file, 3, 9, "unknown distribution '%s'", word);
  strcpy(file, "zzzzzz");
  strcpy(word, "zzzz");
  const diag_entry *e = diag_at(d, 0);
  assert_string_equal(e->file, "a.yaml");
  assert_string_equal(e->message, "unknown distribution 'expo'");
  assert_int_equal(e->line, 3);
  assert_int_equal(e->col, 9);
  assert_int_equal(diag_count(d, DIAG_ERROR), 1);
  assert_int_equal(diag_count(d, DIAG_WARNING), 0);
  assert_null(diag_at(d, 1));
  diag_free(d);
  diag_free(NULL);
}

static void test_sorted_by_file_line_col_and_stable(void **state) {
  (void)state;
  diag *d = diag_new();
  diag_report(d, DIAG_ERROR, "b.yaml", 1, 1, "b1");
  diag_report(d, DIAG_ERROR, "a.yaml", 5, 2, "a5 second");
  diag_report(d, DIAG_WARNING, "a.yaml", 5, 2, "a5 third");
  diag_report(d, DIAG_ERROR, "a.yaml", 5, 1, "a5 first");
  diag_report(d, DIAG_NOTE, "a.yaml", 2, 7, "a2");
  diag_report(d, DIAG_ERROR, NULL, 0, 0, "no file");
  diag_report(d, DIAG_ERROR, "a.yaml", 0, 0, "whole file");
  /* Report order is kept by diag_at; printing sorts. */
  assert_string_equal(diag_at(d, 0)->message, "b1");
  char *out = print_to_string(d, 0);
  assert_string_equal(out,
                      "error: no file\n"
                      "a.yaml: error: whole file\n"
                      "a.yaml:2:7: note: a2\n"
                      "a.yaml:5:1: error: a5 first\n"
                      "a.yaml:5:2: error: a5 second\n"
                      "a.yaml:5:2: warning: a5 third\n"
                      "b.yaml:1:1: error: b1\n"
                      "1 warning and 5 errors generated\n");
  free(out);
  diag_free(d);
}

static void test_quotes_line_with_caret(void **state) {
  (void)state;
  diag *d = diag_new();
  const char *text = "crisis:\n  events:\n    - id: a\n      delay: {dist: expo, mean: 5d}\n";
  assert_int_equal(diag_add_source(d, "t.yaml", text, strlen(text)), 0);
  diag_report(d, DIAG_ERROR, "t.yaml", 4, 21, "unknown distribution '%s'", "expo");
  char *out = print_to_string(d, 0);
  assert_string_equal(out, "t.yaml:4:21: error: unknown distribution 'expo'\n"
                           " 4 |       delay: {dist: expo, mean: 5d}\n"
                           "   |                     ^\n"
                           "1 error generated\n");
  free(out);
  diag_free(d);
}

static void test_gutter_widens_with_line_number(void **state) {
  (void)state;
  diag *d = diag_new();
  char text[2048] = "";
  for (int i = 1; i <= 120; i++) sprintf(text + strlen(text), "line%d\n", i);
  diag_add_source(d, "f", text, strlen(text));
  diag_report(d, DIAG_ERROR, "f", 114, 5, "bad");
  diag_report(d, DIAG_ERROR, "f", 121, 1, "past the end: no quote");
  diag_report(d, DIAG_ERROR, "f", 7, 0, "no column: quote, no caret");
  char *out = print_to_string(d, 0);
  assert_string_equal(out, "f:7: error: no column: quote, no caret\n"
                           " 7 | line7\n"
                           "f:114:5: error: bad\n"
                           " 114 | line114\n"
                           "     |     ^\n"
                           "f:121:1: error: past the end: no quote\n"
                           "3 errors generated\n");
  free(out);
  diag_free(d);
}

/* libyaml counts columns in characters: the caret must sit under the 7th character
 * even when earlier ones take several bytes, and tabs are kept so it lines up. */
static void test_caret_after_utf8_and_tab(void **state) {
  (void)state;
  diag *d = diag_new();
  const char *text = "name: \xe5\x98\x89\xe6\x89\x8b x\r\n\tkey: v\n";
  diag_add_source(d, "u", text, strlen(text));
  diag_report(d, DIAG_ERROR, "u", 1, 10, "x");
  diag_report(d, DIAG_ERROR, "u", 2, 3, "y");
  char *out = print_to_string(d, 0);
  assert_string_equal(out, "u:1:10: error: x\n"
                           " 1 | name: \xe5\x98\x89\xe6\x89\x8b x\n"
                           "   |          ^\n"
                           "u:2:3: error: y\n"
                           " 2 | \tkey: v\n"
                           "   | \t ^\n"
                           "2 errors generated\n");
  free(out);
  diag_free(d);
}

static void test_source_replaced_and_copied(void **state) {
  (void)state;
  diag *d = diag_new();
  char text[] = "old\n";
  diag_add_source(d, "s", text, 4);
  text[0] = 'X';
  diag_add_source(d, "s", "new\n", 4);
  diag_report(d, DIAG_WARNING, "s", 1, 2, "w");
  char *out = print_to_string(d, 0);
  assert_string_equal(out, "s:1:2: warning: w\n 1 | new\n   |  ^\n1 warning generated\n");
  free(out);
  diag_free(d);
}

static void test_color(void **state) {
  (void)state;
  diag *d = diag_new();
  diag_add_source(d, "c", "abc\n", 4);
  diag_report(d, DIAG_ERROR, "c", 1, 2, "m");
  char *out = print_to_string(d, 1);
  assert_non_null(strstr(out, "\033[1;31merror:"));
  assert_non_null(strstr(out, "\033[1;32m^"));
  free(out);
  diag_free(d);
}

static void test_cap(void **state) {
  (void)state;
  diag *d = diag_new();
  for (int i = 0; i < DIAG_MAX_ENTRIES + 5; i++) diag_report(d, DIAG_ERROR, "f", i + 1, 1, "e%d", i);
  assert_int_equal(diag_size(d), DIAG_MAX_ENTRIES);
  assert_int_equal(diag_count(d, DIAG_ERROR), DIAG_MAX_ENTRIES + 5);
  char *out = print_to_string(d, 0);
  assert_non_null(strstr(out, "\n5 more not shown\n1005 errors generated\n"));
  free(out);
  diag_free(d);
}

static void test_empty_prints_nothing(void **state) {
  (void)state;
  diag *d = diag_new();
  char *out = print_to_string(d, 0);
  assert_string_equal(out, "");
  free(out);
  diag_free(d);
}

/* The loader adds one to libyaml's 0-based marks: a problem at the very first
 * character is 1:1, not 0:0, and a value is located where it starts. */
static void test_locations_are_one_based(void **state) {
  (void)state;
  const char *path = SCN_TEST_TMP "/one_based.yaml";
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("bogus: 1\nscenario:\n  name: x\n  epoch: 2027-04-01T00:00Z\n  horizon: 12\n", f);
  fclose(f);
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  assert_int_not_equal(scn_load(&sc, path, NULL, d), 0);
  assert_null(sc);
  assert_int_equal(diag_size(d), 2);
  assert_string_equal(diag_at(d, 0)->message, "unknown section 'bogus'");
  assert_int_equal(diag_at(d, 0)->line, 1);
  assert_int_equal(diag_at(d, 0)->col, 1);
  assert_int_equal(diag_at(d, 1)->line, 5); /* the value of horizon: "  horizon: 12" */
  assert_int_equal(diag_at(d, 1)->col, 12);
  diag_free(d);
  remove(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_strings_are_copied),
      cmocka_unit_test(test_sorted_by_file_line_col_and_stable),
      cmocka_unit_test(test_quotes_line_with_caret),
      cmocka_unit_test(test_gutter_widens_with_line_number),
      cmocka_unit_test(test_caret_after_utf8_and_tab),
      cmocka_unit_test(test_source_replaced_and_copied),
      cmocka_unit_test(test_color),
      cmocka_unit_test(test_cap),
      cmocka_unit_test(test_empty_prints_nothing),
      cmocka_unit_test(test_locations_are_one_based),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
