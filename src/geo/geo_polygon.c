/* geo_polygon.c - even-odd point in polygon (W. R. Franklin's PNPOLY crossing test). */
#include "geo_polygon.h"

int geo_point_in_polygon(double lat, double lon, const double *plat, const double *plon,
                         size_t n) {
  int inside = 0;
  for (size_t i = 0, j = n ? n - 1 : 0; i < n; j = i++) {
    /* Does the edge (j, i) cross the meridian-parallel ray going east from the point? */
    if ((plat[i] > lat) != (plat[j] > lat) &&
        lon < (plon[j] - plon[i]) * (lat - plat[i]) / (plat[j] - plat[i]) + plon[i])
      inside = !inside;
  }
  return inside;
}
