/* gshhg.h - GSHHG coastlines (Wessel and Smith, LGPL) from GMT's binned netCDF files,
 * clipped to a latitude/longitude box, as polylines for maps.
 *
 * The binned format is described in shared/notes/gshhg-binned-format.md: each bin of
 * d x d degrees holds coastline segments whose points are 16-bit offsets from the
 * bin's south-west corner.  We return the segments themselves (not whole polygons),
 * which is what a theater map draws.  Debian ships the files in gmt-gshhg-low
 * (resolutions c, l, i) under /usr/share/gmt-gshhg.
 *
 * Ownership: the geo_coast is the caller's, filled here and freed with
 * geo_coast_release(); nothing is kept after geo_gshhg_read returns. */
#ifndef STRAITS_GSHHG_H
#define STRAITS_GSHHG_H

#include <stddef.h>
#include "diag.h"

/* Degrees; longitudes in [-180, 360], lon_min < lon_max (no wrap across 0/360). */
typedef struct geo_box {
  double lat_min, lat_max, lon_min, lon_max;
} geo_box;

/* Polylines: line i is points [start[i], start[i+1]) of lat/lon. */
typedef struct geo_coast {
  size_t nline, npoint;
  size_t *start; /* [nline + 1] */
  int *level;    /* [nline]: 1 land, 2 lake, 3 island in a lake, 4 pond */
  double *lat, *lon;
  char resolution; /* 'c', 'l', 'i', 'h' or 'f' */
} geo_coast;

#define GEO_GSHHG_DIR "/usr/share/gmt-gshhg"
#define GEO_GSHHG_MAX_POINTS 5000000 /* cap on the points of one file */

/* Read the file at path (a binned_GSHHS_?.nc) and keep what lies inside box.
 * min_step_deg > 0 thins the lines: a point closer than that (in degrees, both
 * axes) to the last kept one is dropped, except a line's last point.  Returns 0;
 * ERR_IO (missing file, or straits built without NetCDF), ERR_INPUT (not a GSHHG
 * binned file, or one cut short: a copy shorter than its HDF5 superblock says, named
 * with the byte it stops at), ERR_LIMIT or ERR_NOMEM, with the reason in d. */
int geo_gshhg_read(geo_coast *out, const char *path, const geo_box *box,
                   double min_step_deg, diag *d);
void geo_coast_release(geo_coast *c);

/* The finest installed resolution not finer than `finest` ('c' < 'l' < 'i' < 'h' <
 * 'f'): writes its path into buf and returns 0, or ERR_NOTFOUND.  dir NULL means
 * GEO_GSHHG_DIR (overridden by the environment variable STRAITS_GSHHG_DIR). */
int geo_gshhg_find(char *buf, size_t size, const char *dir, char finest);

#endif
