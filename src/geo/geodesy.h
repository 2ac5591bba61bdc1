/* geodesy.h - distances on the Earth, the one place straits computes them
 * (DESIGN.md section 3: no module writes its own haversine).
 *
 * A sphere of the IUGG mean radius: within 0.5% of the WGS84 ellipsoid's geodesic,
 * which is far below the uncertainty of transit times and drift in the models. */
#ifndef STRAITS_GEODESY_H
#define STRAITS_GEODESY_H

#define GEO_EARTH_RADIUS 6371008.8 /* m, IUGG mean radius R1 */

/* Great-circle distance in metres between two points given in degrees (haversine,
 * well conditioned for short distances). */
double geo_distance(double lat1, double lon1, double lat2, double lon2);

#endif
