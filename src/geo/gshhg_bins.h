/* gshhg_bins.h - the raw arrays of one GMT binned GSHHG coastline file (geo-internal).
 *
 * GSHHG by P. Wessel and W. H. F. Smith (LGPL-3+), binned by GMT.  The encoding is in
 * shared/notes/gshhg-binned-format.md.  One reader, shared by the map's polylines
 * (gshhg.c) and the land mask (landmask.c), so the two agree on what a valid file is.
 *
 * Defined only in NetCDF builds (STRAITS_HAVE_NETCDF); without NetCDF each caller
 * reports its own "built without NetCDF" error instead of calling it. */
#ifndef STRAITS_GSHHG_BINS_H
#define STRAITS_GSHHG_BINS_H

#include <stddef.h>
#include "diag.h"

/* Point offsets are 16-bit fractions of a bin side: coordinate = corner + u * d / this. */
#define GEO__GSHHG_UNITS 65535.0

/* Bin b is row b / nx (row 0 just south of 90N), column b % nx.  Every array holds
 * at least one element, so it is never NULL after a successful load. */
typedef struct geo__gshhg_bins {
  int nx;                   /* bins in 360 degrees of longitude */
  double d;                 /* bin size, degrees */
  size_t nbin, nseg, npt;
  int *bin_node;            /* [nbin] corner levels, 3 bits each (SW at bit 9) */
  int *bin_nseg;            /* [nbin] segments in the bin */
  int *bin_first;           /* [nbin] the bin's first segment */
  int *seg_hdr;             /* [nseg] npts << 9 | level << 6 | entry << 3 | exit */
  int *seg_first;           /* [nseg] the segment's first point */
  short *pt_u, *pt_w;       /* [npt] lon/lat offsets from the SW corner (read as uint16) */
} geo__gshhg_bins;

/* Read the whole file at path into *b; at most max_len values per variable.  Returns
 * 0; ERR_IO (cannot open), ERR_INPUT (not a GSHHG binned file), ERR_LIMIT or
 * ERR_NOMEM, with the reason in d and *b left empty.  The file is closed on return. */
int geo__gshhg_load(geo__gshhg_bins *b, const char *path, size_t max_len, diag *d);

/* Free the arrays and empty *b; safe on an empty or failed-to-load *b. */
void geo__gshhg_release(geo__gshhg_bins *b);

#endif
