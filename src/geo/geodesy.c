/* geodesy.c - great-circle distance on the mean sphere (geodesy.h). */
#include "geodesy.h"

#include <math.h>

double geo_distance(double lat1, double lon1, double lat2, double lon2) {
  const double k = 3.14159265358979323846 / 180;
  double dlat = (lat2 - lat1) * k, dlon = (lon2 - lon1) * k;
  double h = sin(dlat / 2) * sin(dlat / 2) +
             cos(lat1 * k) * cos(lat2 * k) * sin(dlon / 2) * sin(dlon / 2);
  return 2 * GEO_EARTH_RADIUS * asin(sqrt(h < 1 ? h : 1));
}
