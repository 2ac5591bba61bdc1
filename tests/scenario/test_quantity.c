/* test_quantity.c - every unit, every error message of core/quantity. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "quantity.h"

typedef struct good_case {
  const char *text;
  qty_kind kind;
  double si;
} good_case;

static void test_every_unit(void **state) {
  (void)state;
  static const good_case cases[] = {
      {"90s", QTY_DURATION, 90},           {"45min", QTY_DURATION, 2700},
      {"72h", QTY_DURATION, 259200},       {"3d", QTY_DURATION, 259200},
      {"2w", QTY_DURATION, 1209600},       {"0h", QTY_DURATION, 0},
      {"1.5h", QTY_DURATION, 5400},        {" 20 min ", QTY_DURATION, 1200},
      {"12m", QTY_LENGTH, 12},             {"12km", QTY_LENGTH, 12000},
      {"150nmi", QTY_LENGTH, 277800},      {"150NM", QTY_LENGTH, 277800},
      {"20kn", QTY_SPEED, 20 * 1852.0 / 3600}, {"20kt", QTY_SPEED, 20 * 1852.0 / 3600},
      {"3m/s", QTY_SPEED, 3},              {"36km/h", QTY_SPEED, 10},
      {"5kg", QTY_MASS, 5},                {"500t", QTY_MASS, 500000},
      {"30m3", QTY_VOLUME, 30},            {"1500L", QTY_VOLUME, 1.5},
      {"3.5/h", QTY_FREQUENCY, 3.5 / 3600}, {"2/d", QTY_FREQUENCY, 2 / 86400.0},
      {"1/s", QTY_FREQUENCY, 1},           {"7/w", QTY_FREQUENCY, 7 / 604800.0},
      {"6/min", QTY_FREQUENCY, 0.1},       {"500t/d", QTY_MASS_RATE, 500000 / 86400.0},
      {"36kg/h", QTY_MASS_RATE, 0.01},     {"30m3/h", QTY_VOLUME_RATE, 30 / 3600.0},
      {"3600L/h", QTY_VOLUME_RATE, 0.001}, {"0.8", QTY_NUMBER, 0.8},
      {"-3", QTY_NUMBER, -3},              {"1e3", QTY_NUMBER, 1000},
      {".5", QTY_NUMBER, 0.5},             {"+2", QTY_NUMBER, 2},
      {"-1h", QTY_DURATION, -3600},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    double v = NAN;
    char why[256];
    int rc = qty_parse(&v, cases[i].text, cases[i].kind, why, sizeof why);
    if (rc != 0) fail_msg("'%s': %s", cases[i].text, why);
    assert_float_equal(v, cases[i].si, 1e-9 * fabs(cases[i].si) + 1e-12);
    assert_string_equal(why, "");
  }
}

typedef struct bad_case {
  const char *text;
  qty_kind kind;
  const char *message;
} bad_case;

static void test_every_error(void **state) {
  (void)state;
  static const bad_case cases[] = {
      {"12", QTY_DURATION, "missing unit in '12' (a duration needs one: s, min, h, d, w)"},
      {"150", QTY_LENGTH, "missing unit in '150' (a length needs one: m, km, nmi)"},
      {"20", QTY_SPEED, "missing unit in '20' (a speed needs one: kn, m/s, km/h)"},
      {"5", QTY_MASS, "missing unit in '5' (a mass needs one: kg, t)"},
      {"5", QTY_VOLUME, "missing unit in '5' (a volume needs one: m3, L)"},
      {"3.5", QTY_FREQUENCY, "missing unit in '3.5' (a rate needs one: /s, /min, /h, /d, /w)"},
      {"500", QTY_MASS_RATE, "missing unit in '500' (a mass rate needs one: kg/h, t/d)"},
      {"30", QTY_VOLUME_RATE, "missing unit in '30' (a volume rate needs one: m3/h, L/h)"},
      {"12hr", QTY_DURATION, "unknown unit 'hr' in '12hr' (did you mean 'h'?)"},
      {"12x", QTY_DURATION, "unknown unit 'x' in '12x' (a duration takes s, min, h, d, w)"},
      {"5knots", QTY_SPEED, "unknown unit 'knots' in '5knots' (did you mean 'kn'?)"},
      {"5 kg/x", QTY_MASS_RATE, "unknown unit 'kg/x' in '5 kg/x' (a mass rate takes kg/h, t/d)"},
      {"20kn", QTY_DURATION, "'20kn' is a speed, expected a duration"},
      {"5m", QTY_DURATION, "'5m' is a length, expected a duration (did you mean 'min'?)"},
      {"3h", QTY_LENGTH, "'3h' is a duration, expected a length"},
      {"500t", QTY_VOLUME, "'500t' is a mass, expected a volume"},
      {"2/d", QTY_MASS_RATE, "'2/d' is a rate, expected a mass rate"},
      {"30m3/h", QTY_FREQUENCY, "'30m3/h' is a volume rate, expected a rate"},
      {"0.8h", QTY_NUMBER, "'0.8h' is a duration, expected a plain number"},
      {"0.8x", QTY_NUMBER, "expected a plain number, got '0.8x'"},
      {"1e999", QTY_NUMBER, "'1e999' is out of range"},
      {"-1e999h", QTY_DURATION, "'-1e999h' is out of range"},
      {"1e308w", QTY_DURATION, "'1e308w' is out of range"},
      {"nan", QTY_NUMBER, "'nan' is not a finite number"},
      {"inf", QTY_DURATION, "'inf' is not a finite number"},
      {"-.inf", QTY_NUMBER, "'-.inf' is not a finite number"},
      {".NaN", QTY_NUMBER, "'.NaN' is not a finite number"},
      {"abc", QTY_DURATION, "expected a duration such as '72h', got 'abc'"},
      {"h", QTY_DURATION, "expected a duration such as '72h', got 'h'"},
      {"12 h h", QTY_DURATION, "expected a duration such as '72h', got '12 h h'"},
      {"", QTY_SPEED, "empty value, expected a speed"},
      {"  ", QTY_NUMBER, "empty value, expected a number"},
      {"0x10", QTY_NUMBER, "expected a plain number, got '0x10'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    double v = 42;
    char why[256];
    int rc = qty_parse(&v, cases[i].text, cases[i].kind, why, sizeof why);
    if (rc != ERR_INPUT) fail_msg("'%s' parsed (rc %d)", cases[i].text, rc);
    assert_string_equal(why, cases[i].message);
    assert_float_equal(v, 42, 0); /* untouched on failure */
  }
}

static void test_long_value_is_cut_in_messages(void **state) {
  (void)state;
  char text[200], why[256];
  memset(text, 'x', sizeof text - 1);
  text[sizeof text - 1] = '\0';
  double v;
  assert_int_equal(qty_parse(&v, text, QTY_DURATION, why, sizeof why), ERR_INPUT);
  assert_non_null(strstr(why, "xxx...'"));
  assert_true(strlen(why) < 120);
  /* A NULL or short buffer for the message is fine. */
  assert_int_equal(qty_parse(&v, "12", QTY_DURATION, NULL, 0), ERR_INPUT);
  assert_int_equal(qty_parse(&v, "12", QTY_DURATION, why, 4), ERR_INPUT);
  assert_string_equal(why, "mis");
}

static void test_parse_any(void **state) {
  (void)state;
  double v;
  qty_kind k;
  char why[256];
  assert_int_equal(qty_parse_any(&v, &k, "30m3", why, sizeof why), 0);
  assert_int_equal(k, QTY_VOLUME);
  assert_float_equal(v, 30, 0);
  assert_int_equal(qty_parse_any(&v, &k, "500t/d", why, sizeof why), 0);
  assert_int_equal(k, QTY_MASS_RATE);
  assert_int_equal(qty_parse_any(&v, &k, "7", why, sizeof why), 0);
  assert_int_equal(k, QTY_NUMBER);
  assert_int_equal(qty_parse_any(&v, &k, "7zz", why, sizeof why), ERR_INPUT);
  assert_string_equal(why, "unknown unit 'zz' in '7zz'");
  assert_int_equal(qty_parse_any(&v, &k, "zz", why, sizeof why), ERR_INPUT);
  assert_string_equal(why, "expected a quantity such as '500t', got 'zz'");
}

static void test_format(void **state) {
  (void)state;
  static const struct {
    const char *text;
    qty_kind kind;
    const char *shown;
  } cases[] = {
      {"2.5d", QTY_DURATION, "2.5d"},  {"90min", QTY_DURATION, "1.5h"},
      {"45min", QTY_DURATION, "45min"}, {"30s", QTY_DURATION, "30s"},
      {"0h", QTY_DURATION, "0s"},      {"12km", QTY_LENGTH, "12km"},
      {"500m", QTY_LENGTH, "500m"},    {"20kn", QTY_SPEED, "20kn"},
      {"500t", QTY_MASS, "500t"},      {"5kg", QTY_MASS, "5kg"},
      {"30m3", QTY_VOLUME, "30m3"},    {"3.5/h", QTY_FREQUENCY, "3.5/h"},
      {"2/d", QTY_FREQUENCY, "2/d"},   {"500t/d", QTY_MASS_RATE, "500t/d"},
      {"30m3/h", QTY_VOLUME_RATE, "30m3/h"}, {"0.8", QTY_NUMBER, "0.8"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    double v;
    char buf[32];
    assert_int_equal(qty_parse(&v, cases[i].text, cases[i].kind, NULL, 0), 0);
    qty_format(buf, sizeof buf, v, cases[i].kind);
    assert_string_equal(buf, cases[i].shown);
  }
  char buf[32];
  qty_format(buf, sizeof buf, INFINITY, QTY_DURATION);
  assert_string_equal(buf, "inf");
}

static void test_kind_names(void **state) {
  (void)state;
  assert_string_equal(qty_kind_name(QTY_DURATION), "duration");
  assert_string_equal(qty_kind_name(QTY_FREQUENCY), "rate");
  assert_string_equal(qty_kind_name(QTY_VOLUME_RATE), "volume rate");
  assert_string_equal(qty_kind_name((qty_kind)99), "quantity");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_unit),       cmocka_unit_test(test_every_error),
      cmocka_unit_test(test_long_value_is_cut_in_messages), cmocka_unit_test(test_parse_any),
      cmocka_unit_test(test_format),           cmocka_unit_test(test_kind_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
