/* geodesy.c - the WGS84 geodesic through PROJ's geodesic.h (Karney 2013), and the
 * mean sphere's great circle for comparison (geodesy.h). */
#include "geodesy.h"

#include <geodesic.h>
#include <math.h>
#include <pthread.h>

double geo_sphere_distance(double lat1, double lon1, double lat2, double lon2) {
  const double k = 3.14159265358979323846 / 180;
  double dlat = (lat2 - lat1) * k, dlon = (lon2 - lon1) * k;
  double h = sin(dlat / 2) * sin(dlat / 2) +
             cos(lat1 * k) * cos(lat2 * k) * sin(dlon / 2) * sin(dlon / 2);
  return 2 * GEO_EARTH_RADIUS * asin(sqrt(h < 1 ? h : 1));
}

/* The ellipsoid's constants, computed once; read-only afterwards. */
static struct geod_geodesic wgs84;
static pthread_once_t wgs84_once = PTHREAD_ONCE_INIT;
static void wgs84_init(void) { geod_init(&wgs84, GEO_WGS84_A, GEO_WGS84_F); }

double geo_geodesic_inverse(double lat1, double lon1, double lat2, double lon2,
                            double *azi1, double *azi2) {
  double s12, a1, a2;
  pthread_once(&wgs84_once, wgs84_init);
  geod_inverse(&wgs84, lat1, lon1, lat2, lon2, &s12, &a1, &a2);
  if (azi1) *azi1 = a1;
  if (azi2) *azi2 = a2;
  return s12;
}

double geo_distance(double lat1, double lon1, double lat2, double lon2) {
  return geo_geodesic_inverse(lat1, lon1, lat2, lon2, NULL, NULL);
}

void geo_geodesic_direct(double *lat2, double *lon2, double lat1, double lon1, double azi1,
                         double s12) {
  pthread_once(&wgs84_once, wgs84_init);
  geod_direct(&wgs84, lat1, lon1, azi1, s12, lat2, lon2, NULL);
}
