/* test_geodesy.c - great-circle distance against exact values on the sphere; the WGS84
 * geodesic against Karney's published test set; polygon containment and overlap on
 * hand-drawn cases; the local plane (geo_local.h): its order, round trip and error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>

#include "geo_local.h"
#include "geo_polygon.h"
#include "geodesy.h"

/* The sphere's great circle (geo_sphere_distance) against exact arcs. */
static void exact_arcs(void **state) {
  (void)state;
  const double pi = 3.14159265358979323846, r = GEO_EARTH_RADIUS;
  /* One degree along a meridian, a quarter of the equator, pole to pole. */
  assert_true(fabs(geo_sphere_distance(26, 127, 27, 127) - r * pi / 180) < 1e-6);
  assert_true(fabs(geo_sphere_distance(0, 0, 0, 90) - r * pi / 2) < 1e-6);
  assert_true(fabs(geo_sphere_distance(90, 0, -90, 0) - r * pi) < 1e-6);
  assert_true(fabs(geo_sphere_distance(0, 179.5, 0, -179.5) - r * pi / 180) < 1e-6);
  /* Along a parallel at 60 degrees a degree of longitude is about half as long. */
  double d = geo_sphere_distance(60, 10, 60, 11);
  assert_true(d > 0.499 * r * pi / 180 && d < 0.501 * r * pi / 180);
}

/* geo_distance is the WGS84 geodesic: exact values of the ellipsoid. */
static void ellipsoid_arcs(void **state) {
  (void)state;
  const double a = GEO_WGS84_A, pi = 3.14159265358979323846;
  /* A quarter of the equator is a quarter of a circle of radius a. */
  assert_true(fabs(geo_distance(0, 0, 0, 90) - a * pi / 2) < 1e-6);
  /* The quarter meridian, equator to pole: 10,001,965.729 m on WGS84. */
  assert_true(fabs(geo_distance(0, 0, 90, 0) - 10001965.729) < 1e-3);
  /* Symmetric, zero on the spot, and the same across the antimeridian. */
  assert_true(geo_distance(26.2124, 127.6792, 25.0330, 121.5654) ==
              geo_distance(25.0330, 121.5654, 26.2124, 127.6792));
  assert_true(geo_distance(13.4443, 144.6537, 13.4443, 144.6537) == 0);
  assert_true(fabs(geo_distance(0, 179.5, 0, -179.5) - a * pi / 180) < 1e-6);
  /* A degree of latitude grows from the equator to the pole (the meridian's radius of
   * curvature): 110.574 km at the equator, 111.694 km at the pole. */
  assert_true(fabs(geo_distance(-0.5, 0, 0.5, 0) - 110574.3) < 1.0);
  assert_true(fabs(geo_distance(89, 0, 90, 0) - 111693.9) < 1.0);
}

/* The first five geodesics of Karney's test set (GeodTest.dat, C. F. F. Karney,
 * "Test set for geodesics", doi:10.5281/zenodo.32156; also in geodtest.c of
 * GeographicLib and PROJ): lat1, lon1, azi1, lat2, lon2, azi2, s12 (m), exact to the
 * digits given.  Distances must agree to 1 mm, azimuths to 1e-9 degree. */
static const double karney[5][7] = {
    {35.60777, -139.44815, 111.098748429560326, -11.17491, -69.95921, 129.289270889708762,
     8935244.5604818305},
    {55.52454, 106.05087, 22.020059880982801, 77.03196, 197.18234, 109.112041110671519,
     4105086.1713924406},
    {-21.97856, 142.59065, -32.44456876433189, 41.84138, 98.56635, -41.84359951440466,
     8394328.894657671},
    {-66.99028, 112.2363, 173.73491240878403, -12.70631, 285.90344, 2.512956620913668,
     11150344.2312080241},
    {-17.42761, 173.34268, -159.033557661192928, -15.84784, 5.93557, -20.787484651536988,
     16076603.1631180673}};

static double angle_diff(double a, double b) {
  double d = fmod(a - b, 360.0);
  if (d > 180) d -= 360;
  if (d < -180) d += 360;
  return fabs(d);
}

static void wgs84_karney(void **state) {
  (void)state;
  for (int i = 0; i < 5; i++) {
    const double *c = karney[i];
    double azi1, azi2;
    double s12 = geo_geodesic_inverse(c[0], c[1], c[3], c[4], &azi1, &azi2);
    if (fabs(s12 - c[6]) > 1e-3 || angle_diff(azi1, c[2]) > 1e-9 || angle_diff(azi2, c[5]) > 1e-9) {
      fprintf(stderr, "case %d: s12 %.6f (want %.6f), azi1 %.12f (%.12f), azi2 %.12f (%.12f)\n", i,
              s12, c[6], azi1, c[2], azi2, c[5]);
      fail();
    }
    /* The direct problem leads back to the second point (within 1 mm). */
    double lat2, lon2;
    geo_geodesic_direct(&lat2, &lon2, c[0], c[1], c[2], c[6]);
    assert_true(geo_geodesic_inverse(lat2, lon2, c[3], c[4], NULL, NULL) < 1e-3);
  }
  /* The sphere's great circle stays within 0.6% of the geodesic (geodesy.h). */
  for (int i = 0; i < 5; i++) {
    const double *c = karney[i];
    double r = geo_sphere_distance(c[0], c[1], c[3], c[4]) / c[6];
    assert_true(r > 0.994 && r < 1.006);
  }
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

/* geo_local: the documented order bit for bit (callers' stored results depend on it),
 * the inverse to round-off, and within 0.5% of the geodesic over a zone 100 km across. */
static void local_plane(void **state) {
  (void)state;
  geo_local p;
  geo_local_init(&p, 26.5, 127.0);
  assert_true(p.coslat == cos(26.5 * (3.14159265358979323846 / 180)));
  double x, y, lat, lon;
  geo_local_xy(&p, 26.9, 127.45, &x, &y);
  assert_true(x == (127.45 - 127.0) * (GEO_EARTH_RADIUS * (3.14159265358979323846 / 180)) * p.coslat);
  assert_true(y == (26.9 - 26.5) * GEO_M_PER_DEG);
  geo_local_latlon(&p, x, y, &lat, &lon);
  assert_true(fabs(lat - 26.9) < 1e-12 && fabs(lon - 127.45) < 1e-12);
  double d = geo_distance(26.5, 127.0, 26.9, 127.45), e = hypot(x, y);
  assert_true(fabs(e - d) < 0.005 * d);
  /* The mean-latitude plane of a leg: its east scale halfway. */
  geo_local_init_mean(&p, 26.0, 127.0, 27.0);
  assert_true(p.coslat == geo_local_cos(26.5) && p.coslat == geo_local_cos_mean(26.0, 27.0));
  assert_true(geo_local_dlon(&p, 1000) > geo_local_dlat(1000));
  /* The WGS84 move is geo_local_scale's plane. */
  double m_lat, m_lon;
  geo_local_scale(26.5, &m_lat, &m_lon);
  lat = 26.5, lon = 127.0;
  geo_local_move(&lat, &lon, 500, -300);
  assert_true(lat == 26.5 + -300 / m_lat && lon == 127.0 + 500 / m_lon);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(exact_arcs), cmocka_unit_test(ellipsoid_arcs),
                                     cmocka_unit_test(wgs84_karney),
                                     cmocka_unit_test(polygons), cmocka_unit_test(local_plane)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
