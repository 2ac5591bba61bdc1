/* landmask.h - land/water lookup for a theater, rasterised once from GSHHG.
 *
 * Coastlines: GSHHG (Global Self-consistent, Hierarchical, High-resolution Geography
 * Database) by P. Wessel and W. H. F. Smith, distributed under the GNU LGPL
 * (version 3 or later), read from GMT's binned netCDF files (Debian gmt-gshhg-low,
 * -high, -full under /usr/share/gmt-gshhg).  Format: shared/notes/gshhg-binned-format.md.
 *
 * geo_landmask_build() classifies the centre of every cell of a regular lat/lon
 * raster over the theater (land: GSHHG level 1 or 3; water: the sea, lakes (2),
 * ponds (4)); after that geo_landmask_is_land() is one table lookup and thread-safe.
 * Ownership: the caller owns the geo_landmask (build / release).  The last raster
 * built is kept for the process and copied to a caller asking for the same one. */
#ifndef STRAITS_LANDMASK_H
#define STRAITS_LANDMASK_H

#include <stddef.h>
#include <stdint.h>
#include "diag.h"

typedef struct geo_landmask {
  double lat_min, lon_min, res; /* south-west corner and cell size, degrees */
  double inv_res;
  size_t ny, nx;
  uint8_t *level;               /* [ny][nx], row 0 in the south: GSHHG level 0..4 */
  char resolution;              /* of the GSHHG file used */
} geo_landmask;

#define GEO_LANDMASK_MAX_CELLS ((size_t)1 << 28)

/* Rasterise [lat_min, lat_max] x [lon_min, lon_max] (degrees, lon_min < lon_max,
 * within [-180, 360]) at res degrees from the GSHHG file at path (see
 * geo_gshhg_find() to pick one).  Returns 0, or ERR_IO / ERR_INPUT / ERR_LIMIT /
 * ERR_NOMEM with the reason in d. */
int geo_landmask_build(geo_landmask *m, const char *path, double lat_min, double lat_max,
                       double lon_min, double lon_max, double res, diag *d);
/* The same raster, built afresh and not kept for the process (for a caller that keeps
 * its own: the sea router). */
int geo_landmask_build_fresh(geo_landmask *m, const char *path, double lat_min, double lat_max,
                             double lon_min, double lon_max, double res, diag *d);
void geo_landmask_release(geo_landmask *m);

/* GSHHG level at a point: 0 sea, 1 land, 2 lake, 3 island in a lake, 4 pond; points
 * outside the raster are sea (0). */
static inline int geo_landmask_level(const geo_landmask *m, double lat, double lon) {
  double y = (lat - m->lat_min) * m->inv_res, x = (lon - m->lon_min) * m->inv_res;
  if (x < 0)
    x += 360.0 * m->inv_res;
  if (!(y >= 0 && x >= 0 && y < (double)m->ny && x < (double)m->nx))
    return 0;
  return m->level[(size_t)y * m->nx + (size_t)x];
}

static inline int geo_landmask_is_land(const geo_landmask *m, double lat, double lon) {
  int l = geo_landmask_level(m, lat, lon);
  return l == 1 || l == 3;
}

#endif
