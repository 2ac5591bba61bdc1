/* test_geodesy.c - great-circle distance against exact values on the sphere. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "geodesy.h"

static void exact_arcs(void **state) {
  (void)state;
  const double pi = 3.14159265358979323846, r = GEO_EARTH_RADIUS;
  /* One degree along a meridian, a quarter of the equator, pole to pole. */
  assert_true(fabs(geo_distance(26, 127, 27, 127) - r * pi / 180) < 1e-6);
  assert_true(fabs(geo_distance(0, 0, 0, 90) - r * pi / 2) < 1e-6);
  assert_true(fabs(geo_distance(90, 0, -90, 0) - r * pi) < 1e-6);
  /* Symmetric, zero on the spot, and the same across the antimeridian. */
  assert_true(geo_distance(26.2124, 127.6792, 25.0330, 121.5654) ==
              geo_distance(25.0330, 121.5654, 26.2124, 127.6792));
  assert_true(geo_distance(13.4443, 144.6537, 13.4443, 144.6537) == 0);
  assert_true(fabs(geo_distance(0, 179.5, 0, -179.5) - r * pi / 180) < 1e-6);
  /* Along a parallel at 60 degrees a degree of longitude is about half as long. */
  double d = geo_distance(60, 10, 60, 11);
  assert_true(d > 0.499 * r * pi / 180 && d < 0.501 * r * pi / 180);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(exact_arcs)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
