/* geo_polygon.c - even-odd point in polygon (W. R. Franklin's PNPOLY crossing test) and
 * polygon overlap. */
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

static double cross(double ax, double ay, double bx, double by, double cx, double cy) {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

/* Proper crossing of segments ab and cd (touching at an end does not count). */
static int segments_cross(double ax, double ay, double bx, double by, double cx, double cy,
                          double dx, double dy) {
  double d1 = cross(cx, cy, dx, dy, ax, ay), d2 = cross(cx, cy, dx, dy, bx, by);
  double d3 = cross(ax, ay, bx, by, cx, cy), d4 = cross(ax, ay, bx, by, dx, dy);
  return ((d1 > 0) != (d2 > 0)) && ((d3 > 0) != (d4 > 0)) && d1 && d2 && d3 && d4;
}

int geo_polygons_overlap(const double *alat, const double *alon, size_t an,
                         const double *blat, const double *blon, size_t bn) {
  for (size_t i = 0; i < an; i++)
    if (geo_point_in_polygon(alat[i], alon[i], blat, blon, bn)) return 1;
  for (size_t i = 0; i < bn; i++)
    if (geo_point_in_polygon(blat[i], blon[i], alat, alon, an)) return 1;
  for (size_t i = 0; i < an; i++) {
    size_t i2 = (i + 1) % an;
    for (size_t j = 0; j < bn; j++) {
      size_t j2 = (j + 1) % bn;
      if (segments_cross(alon[i], alat[i], alon[i2], alat[i2], blon[j], blat[j], blon[j2],
                         blat[j2]))
        return 1;
    }
  }
  return 0;
}
