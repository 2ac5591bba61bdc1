/* test_geodesy.c - great-circle distance against exact values on the sphere; polygon
 * containment and overlap on hand-drawn cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "geo_polygon.h"
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

static void polygons(void **state) {
  (void)state;
  const double sq_lat[] = {0, 0, 2, 2}, sq_lon[] = {0, 2, 2, 0};   /* 2x2 square */
  const double in_lat[] = {0.5, 0.5, 1}, in_lon[] = {0.5, 1.5, 1};  /* inside it */
  const double far_lat[] = {5, 5, 6}, far_lon[] = {5, 6, 5};        /* apart */
  /* A bar through the square with no vertex inside it: only edges cross. */
  const double bar_lat[] = {0.9, 0.9, 1.1, 1.1}, bar_lon[] = {-1, 3, 3, -1};
  assert_true(geo_point_in_polygon(1, 1, sq_lat, sq_lon, 4));
  assert_false(geo_point_in_polygon(3, 1, sq_lat, sq_lon, 4));
  assert_true(geo_polygons_overlap(sq_lat, sq_lon, 4, in_lat, in_lon, 3));
  assert_true(geo_polygons_overlap(in_lat, in_lon, 3, sq_lat, sq_lon, 4));
  assert_false(geo_polygons_overlap(sq_lat, sq_lon, 4, far_lat, far_lon, 3));
  assert_true(geo_polygons_overlap(sq_lat, sq_lon, 4, bar_lat, bar_lon, 4));
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(exact_arcs), cmocka_unit_test(polygons)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
