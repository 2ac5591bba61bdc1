/* geodesy.h - distances on the Earth, the one place straits computes them
 * (DESIGN.md section 3: no module writes its own haversine).
 *
 * geo_distance() is the great circle on a sphere of the IUGG mean radius: within 0.5%
 * of the WGS84 ellipsoid's geodesic, used where a model's uncertainty is far larger.
 * geo_geodesic_*() solve the geodesic problems on the WGS84 ellipsoid with Karney's
 * algorithms (C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87, 2013) from
 * PROJ's geodesic.h: accurate to round-off (15 nm); the sea router measures its paths
 * with them.  All take and return degrees and metres; every function is thread-safe. */
#ifndef STRAITS_GEODESY_H
#define STRAITS_GEODESY_H

#define GEO_EARTH_RADIUS 6371008.8 /* m, IUGG mean radius R1 */
#define GEO_WGS84_A 6378137.0      /* m, WGS84 equatorial radius */
#define GEO_WGS84_F (1 / 298.257223563)

/* Great-circle distance in metres between two points given in degrees (haversine,
 * well conditioned for short distances). */
double geo_distance(double lat1, double lon1, double lat2, double lon2);

/* WGS84 inverse problem: the geodesic distance in metres (the return value) and the
 * azimuths at both ends, degrees clockwise from north (either pointer may be NULL). */
double geo_geodesic_inverse(double lat1, double lon1, double lat2, double lon2,
                            double *azi1, double *azi2);
/* WGS84 direct problem: where s12 metres along azimuth azi1 from lat1/lon1 lead. */
void geo_geodesic_direct(double *lat2, double *lon2, double lat1, double lon1, double azi1,
                         double s12);

#endif
