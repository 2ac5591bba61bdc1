/* test_jdoc.c - the JSON document writer: numbers as straits writes them, strings
 * that are not UTF-8, and a failed member failing the whole dump. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "jdoc.h"

static void expect_dump(json_t *v, const char *want) {
  strbuf b = STRBUF_INIT;
  assert_int_equal(jdoc_dump(&b, v), 0);
  assert_string_equal(b.s, want);
  strbuf_release(&b);
}

static void test_numbers(void **state) {
  (void)state;
  expect_dump(jdoc_num(3), "3");
  expect_dump(jdoc_num(-0.0), "0");
  expect_dump(jdoc_num(0.1), "0.1");
  expect_dump(jdoc_num(1.0 / 3), "0.333333333");
  expect_dump(jdoc_num(2.5e-5), "2.5e-5");
  expect_dump(jdoc_num(1234567890123), "1234567890123"); /* integers stay exact */
  expect_dump(jdoc_num(1e300), "1e300");
  expect_dump(jdoc_num(712000.0000001), "712000"); /* not "712000.0" */
  expect_dump(jdoc_num(0.99999999999), "1");
  expect_dump(jdoc_num(712000.5), "712000.5");
  expect_dump(jdoc_num(NAN), "null");
  expect_dump(jdoc_num(-INFINITY), "null");
  expect_dump(jdoc_fixed(130.1234565, 6), "130.123457");
  expect_dump(jdoc_fixed(26.5, 4), "26.5");
}

static void test_strings(void **state) {
  (void)state;
  expect_dump(jdoc_str(NULL), "null");
  expect_dump(jdoc_str("a\"b\\c\n</script>\x01"), "\"a\\\"b\\\\c\\n</script>\\u0001\"");
  expect_dump(jdoc_str("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  expect_dump(jdoc_str("x\xff" "y"), "\"x\xef\xbf\xbdy\"");
}

static void test_document(void **state) {
  (void)state;
  json_t *doc = json_object(), *arr = json_array();
  jdoc_push(arr, jdoc_num(1.5));
  jdoc_push(arr, json_true());
  jdoc_set(doc, "z", jdoc_str("first")); /* insertion order, not sorted */
  jdoc_set(doc, "a", arr);
  expect_dump(doc, "{\"z\":\"first\",\"a\":[1.5,true]}");
  expect_dump(jdoc_geometry("Point", jdoc_position(127.68, 26.2123456)),
              "{\"type\":\"Point\",\"coordinates\":[127.68,26.212346]}");
}

/* A member that cannot be set (its key is not UTF-8) fails the dump, and the buffer
 * keeps nothing of it; the next document dumps again. */
static void test_failed_member(void **state) {
  (void)state;
  strbuf b = STRBUF_INIT;
  strbuf_put(&b, "before ");
  json_t *doc = json_object();
  jdoc_set(doc, "ok", jdoc_num(1));
  assert_int_equal(jdoc_set(doc, "bad\xff", jdoc_num(2)), -1);
  assert_int_equal(jdoc_dump(&b, doc), -1);
  assert_true(b.failed);
  assert_string_equal(b.s, "before ");
  strbuf_release(&b);
  assert_int_equal(jdoc_dump(&b, NULL), -1);
  strbuf_release(&b);
  expect_dump(jdoc_num(7), "7");
}

/* A chart's template (jdoc_template): filled in place, the members keep their order; a
 * marker the template lacks, a template that is not JSON, or a value that failed makes
 * the dump fail rather than write a chart with a piece missing. */
static void test_json_template(void **state) {
  (void)state;
  strbuf b = STRBUF_INIT;
  json_t *t = jdoc_template("{\"a\":1,\"data\":[{\"name\":\"x\",\"values\":\"@v\"}],"
                                "\"h\":\"@h\",\"z\":[\"@first\",2]}");
  assert_non_null(t);
  json_t *v = json_array();
  jdoc_push(v, jdoc_num(NAN));
  jdoc_push(v, jdoc_str("</script>\"q\""));
  assert_int_equal(jdoc_fill(t, "@v", v), 0);
  assert_int_equal(jdoc_fill(t, "@h", jdoc_num(2.5)), 0);
  assert_int_equal(jdoc_fill(t, "@first", json_integer(1)), 0);
  assert_int_equal(jdoc_dump(&b, t), 0);
  assert_string_equal(b.s, "{\"a\":1,\"data\":[{\"name\":\"x\",\"values\":[null,"
                           "\"</script>\\\"q\\\"\"]}],\"h\":2.5,\"z\":[1,2]}");

  b.len = 0;
  t = jdoc_template("{\"a\":\"@a\"}");
  assert_int_equal(jdoc_fill(t, "@b", json_integer(1)), -1);
  assert_int_equal(jdoc_dump(&b, t), -1);
  assert_int_equal(b.len, 0);

  strbuf c = STRBUF_INIT;
  t = jdoc_template("{\"a\":\"@a\"}");
  jdoc_fill(t, "@a", NULL); /* a value that could not be made */
  assert_int_equal(jdoc_dump(&c, t), -1);
  strbuf_release(&c);

  strbuf e = STRBUF_INIT;
  json_t *doc = json_object();
  jdoc_set(doc, "vega", jdoc_template("{\"a\":")); /* not JSON: a bug, caught */
  assert_int_equal(jdoc_dump(&e, doc), -1);
  strbuf_release(&e);
  strbuf_release(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_numbers),
      cmocka_unit_test(test_strings),
      cmocka_unit_test(test_document),
      cmocka_unit_test(test_failed_member),
      cmocka_unit_test(test_json_template),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
