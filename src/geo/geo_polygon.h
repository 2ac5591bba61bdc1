/* geo_polygon.h - point in polygon for scenario regions (lat/lon vertex rings).
 *
 * Even-odd ray casting on the equirectangular plane: exact for the small regions a
 * scenario draws (islands, prefectures, sea areas) that neither cross the
 * antimeridian nor enclose a pole.  The ring is closed implicitly. */
#ifndef STRAITS_GEO_POLYGON_H
#define STRAITS_GEO_POLYGON_H

#include <stddef.h>

/* 1 if (lat, lon) lies inside the ring lat[0..n), lon[0..n) (degrees), else 0.
 * A point exactly on an edge may fall either way. */
int geo_point_in_polygon(double lat, double lon, const double *plat, const double *plon,
                         size_t n);

/* 1 if the two rings share any point: a vertex of one inside the other, or two edges
 * crossing (same plane and limits as geo_point_in_polygon). */
int geo_polygons_overlap(const double *alat, const double *alon, size_t an,
                         const double *blat, const double *blon, size_t bn);

#endif
