/* geo_local.h - the one local (tangent-plane) projection: x east and y north, metres,
 * about an origin, for moves and distances inside a theater's zone.
 *
 * When it holds: the plane is equirectangular on the mean sphere (GEO_EARTH_RADIUS),
 * its east scale fixed at one latitude.  Over a zone up to ~100 km across (an
 * inspection zone, a SAR search area, a router's hop, an analytic eddy) its distances
 * agree with geo_distance to a fraction of a per cent; the error grows with the
 * square of the span and with the latitude.  Legs of hundreds of kilometres (ships
 * to a zone, a base to a port) use geo_distance / geo_geodesic_* (PROJ's geodesics),
 * never this.  geo_local_move is WGS84's own tangent plane (geo_local_scale) for the
 * drift's short steps.
 *
 * The expression order is part of the contract: results are stored, and a reordered
 * product changes the last bit.  x = dlon * GEO_M_PER_DEG * coslat (left to right),
 * y = dlat * GEO_M_PER_DEG, and back lat = y / GEO_M_PER_DEG,
 * lon = x / (GEO_M_PER_DEG * coslat).  All in degrees and metres; a geo_local is a
 * plain value the caller owns; nothing allocates, everything is thread-safe. */
#ifndef STRAITS_GEO_LOCAL_H
#define STRAITS_GEO_LOCAL_H

#include <math.h>

#include "geodesy.h"

#define GEO_DEG (3.14159265358979323846 / 180)      /* radians per degree */
#define GEO_M_PER_DEG (GEO_EARTH_RADIUS * GEO_DEG) /* metres per degree of a meridian */

/* The plane at (lat0, lon0); coslat is the east scale's cos(latitude), that of lat0
 * (geo_local_init) or of a leg's mean latitude (geo_local_init_mean). */
typedef struct geo_local {
  double lat0, lon0; /* origin, degrees */
  double coslat;     /* cos of the scale latitude; > 0 away from the poles */
} geo_local;

/* cos(lat): the east scale at one latitude. */
static inline double geo_local_cos(double lat) { return cos(lat * GEO_DEG); }

/* cos of the mean latitude of a short leg from lat1 to lat2: its east scale. */
static inline double geo_local_cos_mean(double lat1, double lat2) {
  return cos(0.5 * (lat1 + lat2) * GEO_DEG);
}

static inline void geo_local_init(geo_local *p, double lat0, double lon0) {
  p->lat0 = lat0, p->lon0 = lon0, p->coslat = geo_local_cos(lat0);
}

/* The plane at (lat0, lon0) with the east scale of the leg to latitude lat1 (its mean
 * latitude): geo_local_xy of the leg's far end is the leg on the plane. */
static inline void geo_local_init_mean(geo_local *p, double lat0, double lon0, double lat1) {
  p->lat0 = lat0, p->lon0 = lon0, p->coslat = geo_local_cos_mean(lat0, lat1);
}

/* (lat, lon) on the plane.  No wrap at the antimeridian: the zone must not cross it. */
static inline void geo_local_xy(const geo_local *p, double lat, double lon, double *x, double *y) {
  *x = (lon - p->lon0) * GEO_M_PER_DEG * p->coslat;
  *y = (lat - p->lat0) * GEO_M_PER_DEG;
}

/* Degrees of latitude for y metres north, and of longitude for x metres east. */
static inline double geo_local_dlat(double y) { return y / GEO_M_PER_DEG; }
static inline double geo_local_dlon(const geo_local *p, double x) {
  return x / (GEO_M_PER_DEG * p->coslat);
}

/* The inverse of geo_local_xy (to round-off). */
static inline void geo_local_latlon(const geo_local *p, double x, double y, double *lat,
                                    double *lon) {
  *lat = p->lat0 + geo_local_dlat(y);
  *lon = p->lon0 + geo_local_dlon(p, x);
}

/* (*lat, *lon) moved x metres east and y north on WGS84's tangent plane at *lat
 * (geo_local_scale): a drift step of tens of kilometres at most. */
static inline void geo_local_move(double *lat, double *lon, double x, double y) {
  double m_lat, m_lon;
  geo_local_scale(*lat, &m_lat, &m_lon);
  *lat += y / m_lat;
  *lon += x / m_lon;
}

#endif
