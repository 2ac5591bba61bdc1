/* geodesy.h - distances on the Earth, the one place straits computes them
 * (DESIGN.md section 3: no module writes its own haversine).
 *
 * Distances are WGS84 geodesics, from Karney's algorithms (C. F. F. Karney,
 * "Algorithms for geodesics", J. Geodesy 87, 2013) in PROJ's geodesic.h: accurate to
 * round-off (15 nm).  geo_local_scale() gives the ellipsoid's tangent plane for local
 * moves (the drift model's); GEO_EARTH_RADIUS (the IUGG mean sphere) remains for the
 * planes of geo_local.h (a zone's, a search area's, a router's hop), which span tens
 * of kilometres.  All functions take and return degrees and metres; every one is
 * thread-safe. */
#ifndef STRAITS_GEODESY_H
#define STRAITS_GEODESY_H

#include <math.h>

#define GEO_EARTH_RADIUS 6371008.8 /* m, IUGG mean radius R1 */
#define GEO_WGS84_A 6378137.0      /* m, WGS84 equatorial radius */
#define GEO_WGS84_F (1 / 298.257223563)

/* The WGS84 geodesic distance in metres between two points given in degrees (the
 * shortest path on the ellipsoid; the same as geo_geodesic_inverse's). */
double geo_distance(double lat1, double lon1, double lat2, double lon2);
/* The great circle on the mean sphere (haversine): what geo_distance was before the
 * ellipsoid, kept for comparisons (within 0.6% of the geodesic). */
double geo_sphere_distance(double lat1, double lon1, double lat2, double lon2);

/* WGS84 inverse problem: the geodesic distance in metres (the return value) and the
 * azimuths at both ends, degrees clockwise from north (either pointer may be NULL). */
double geo_geodesic_inverse(double lat1, double lon1, double lat2, double lon2,
                            double *azi1, double *azi2);
/* WGS84 direct problem: where s12 metres along azimuth azi1 from lat1/lon1 lead. */
void geo_geodesic_direct(double *lat2, double *lon2, double lat1, double lon1, double azi1,
                         double s12);

/* The local plane's scales at latitude lat (degrees) on WGS84: metres per degree of
 * latitude (the meridian's radius of curvature M) and of longitude (the parallel's
 * radius N cos lat, N the prime vertical's).  For a step of tens of kilometres from
 * lat, the ellipsoid's own tangent plane; no allocation, inline for hot loops. */
static inline void geo_local_scale(double lat, double *m_lat, double *m_lon) {
  const double e2 = GEO_WGS84_F * (2 - GEO_WGS84_F), k = 3.14159265358979323846 / 180;
  double s = sin(lat * k), w = 1 - e2 * s * s, n = GEO_WGS84_A / sqrt(w);
  *m_lat = n * (1 - e2) / w * k;
  *m_lon = n * cos(lat * k) * k;
}

#endif
