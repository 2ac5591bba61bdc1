/* gshhg.c - read GMT's binned GSHHG coastline files (netCDF) and clip them to a box.
 * GSHHG by P. Wessel and W. H. F. Smith (LGPL-3+), binned by GMT.
 * Format: shared/notes/gshhg-binned-format.md (worked out from the files).  The file
 * reader itself (geo__gshhg_load, gshhg_bins.h) lives here too; landmask.c uses it. */
#include "gshhg.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"

#include "gshhg_bins.h"

#ifdef STRAITS_HAVE_NETCDF
#include <netcdf.h>
#endif

void geo_coast_release(geo_coast *c) {
  if (!c)
    return;
  free(c->start);
  free(c->level);
  free(c->lat);
  free(c->lon);
  memset(c, 0, sizeof *c);
}

int geo_gshhg_find(char *buf, size_t size, const char *dir, char finest) {
  static const char order[] = "flihc"; /* finest first */
  const char *env = getenv("STRAITS_GSHHG_DIR");
  if (!dir)
    dir = env && *env ? env : GEO_GSHHG_DIR;
  const char *from = strchr(order, finest);
  if (!from)
    from = order;
  for (const char *r = from; *r; r++) {
    snprintf(buf, size, "%s/binned_GSHHS_%c.nc", dir, *r);
    if (access(buf, R_OK) == 0)
      return 0;
  }
  buf[0] = '\0';
  return ERR_NOTFOUND;
}

#ifndef STRAITS_HAVE_NETCDF

int geo_gshhg_read(geo_coast *out, const char *path, const geo_box *box,
                   double min_step_deg, diag *d) {
  (void)box;
  (void)min_step_deg;
  memset(out, 0, sizeof *out);
  diag_report(d, DIAG_ERROR, path, 0, 0, "straits was built without NetCDF, so it "
              "cannot read coastlines (install libnetcdf-dev and rebuild)");
  return ERR_IO;
}

#else

/* The growing output, with the line being built. */
typedef struct coast_builder {
  geo_coast *c;
  size_t cap_pt, cap_ln;
  size_t open_start; /* first point of the open line, or SIZE_MAX */
  double last_lat, last_lon;
  int failed;
} coast_builder;

static int push_point(coast_builder *b, double lat, double lon) {
  geo_coast *c = b->c;
  if (c->npoint == b->cap_pt) {
    size_t cap = b->cap_pt ? 2 * b->cap_pt : 4096;
    double *la = realloc(c->lat, cap * sizeof *la);
    if (!la)
      return ERR_NOMEM;
    c->lat = la;
    double *lo = realloc(c->lon, cap * sizeof *lo);
    if (!lo)
      return ERR_NOMEM;
    c->lon = lo;
    b->cap_pt = cap;
  }
  c->lat[c->npoint] = lat;
  c->lon[c->npoint] = lon;
  c->npoint++;
  b->last_lat = lat;
  b->last_lon = lon;
  return 0;
}

/* End the open line: kept with two points or more, else dropped. */
static int close_line(coast_builder *b, int level) {
  geo_coast *c = b->c;
  if (b->open_start == SIZE_MAX)
    return 0;
  size_t start = b->open_start;
  b->open_start = SIZE_MAX;
  if (c->npoint - start < 2) {
    c->npoint = start;
    return 0;
  }
  if (c->nline + 1 >= b->cap_ln) {
    size_t cap = b->cap_ln ? 2 * b->cap_ln : 1024;
    size_t *s = realloc(c->start, (cap + 1) * sizeof *s);
    if (!s)
      return ERR_NOMEM;
    c->start = s;
    int *l = realloc(c->level, cap * sizeof *l);
    if (!l)
      return ERR_NOMEM;
    c->level = l;
    b->cap_ln = cap;
  }
  c->start[c->nline] = start;
  c->level[c->nline] = level;
  c->nline++;
  c->start[c->nline] = c->npoint;
  return 0;
}

/* The longitude shifted by whole turns into the box, if one of them lies in it. */
static double box_lon(const geo_box *box, double lon) {
  for (int k = -1; k <= 1; k++) {
    double l = lon + 360.0 * k;
    if (l >= box->lon_min && l <= box->lon_max)
      return l;
  }
  return lon;
}

static int in_box(const geo_box *box, double lat, double lon) {
  return lat >= box->lat_min && lat <= box->lat_max && lon >= box->lon_min &&
         lon <= box->lon_max;
}

/* Whether [lon0, lon0 + d] x [lat0, lat0 + d] meets the box (any whole-turn shift). */
static int bin_meets_box(const geo_box *box, double lon0, double lat0, double d) {
  if (lat0 > box->lat_max || lat0 + d < box->lat_min)
    return 0;
  for (int k = -1; k <= 1; k++) {
    double l = lon0 + 360.0 * k;
    if (l <= box->lon_max && l + d >= box->lon_min)
      return 1;
  }
  return 0;
}

/* ---- The binned file's raw arrays (gshhg_bins.h), shared with landmask.c. ---- */

void geo__gshhg_release(geo__gshhg_bins *b) {
  free(b->bin_node);
  free(b->bin_nseg);
  free(b->bin_first);
  free(b->seg_hdr);
  free(b->seg_first);
  free(b->pt_u);
  free(b->pt_w);
  memset(b, 0, sizeof *b);
}

/* Id and length of a one-dimensional variable: 0, ERR_INPUT or ERR_LIMIT. */
static int var_len(int nc, const char *name, size_t max_len, int *var, size_t *len) {
  int dim, nd;
  if (nc_inq_varid(nc, name, var) != NC_NOERR ||
      nc_inq_varndims(nc, *var, &nd) != NC_NOERR || nd != 1 ||
      nc_inq_vardimid(nc, *var, &dim) != NC_NOERR ||
      nc_inq_dimlen(nc, dim, len) != NC_NOERR)
    return ERR_INPUT;
  return *len > max_len ? ERR_LIMIT : 0;
}

static int read_ints(int nc, const char *name, size_t max_len, int **out, size_t *len) {
  int var, err = var_len(nc, name, max_len, &var, len);
  if (err)
    return err;
  if (!(*out = malloc((*len ? *len : 1) * sizeof **out)))
    return ERR_NOMEM;
  return nc_get_var_int(nc, var, *out) == NC_NOERR ? 0 : ERR_INPUT;
}

static int read_shorts(int nc, const char *name, size_t max_len, short **out, size_t *len) {
  int var, err = var_len(nc, name, max_len, &var, len);
  if (err)
    return err;
  if (!(*out = malloc((*len ? *len : 1) * sizeof **out)))
    return ERR_NOMEM;
  return nc_get_var_short(nc, var, *out) == NC_NOERR ? 0 : ERR_INPUT;
}

static int read_scalar(int nc, const char *name, int *v) {
  int var;
  if (nc_inq_varid(nc, name, &var) != NC_NOERR)
    return ERR_INPUT;
  return nc_get_var_int(nc, var, v) == NC_NOERR ? 0 : ERR_INPUT;
}

/* ---- a file cut short is refused before NetCDF reads it ---------------------------
 * GMT ships the binned files as NetCDF-4, that is HDF5, whose superblock records the
 * file's end ("end of file address", HDF5 File Format Specification, section II.A,
 * superblock versions 0-3).  A copy shorter than that is cut short: refused with the
 * byte it stops at, where the library would fail later with "HDF error" (or, for some
 * cuts, return what it could read).  The superblock sits at byte 0 or at 512, 1024,
 * 2048, ... (after a user block).  A file that ends inside the superblock, or inside
 * the signature of an HDF5 or classic NetCDF file, is cut short there.  A classic-
 * format file past its signature is left to the NetCDF library's own checks. */

static uint64_t get_le(const unsigned char *p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--)
    v = v << 8 | p[i];
  return v;
}

static int cut_short(diag *d, const char *path, unsigned long long at, const char *why) {
  diag_report(d, DIAG_ERROR, path, 0, 0, "coastline file is cut short at byte %llu: %s "
              "(a truncated copy?)", at, why);
  return ERR_INPUT;
}

static int check_whole(const char *path, diag *d) {
  static const unsigned char hdf5[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  unsigned char h[128];
  char why[200];
  struct stat sb;
  int fd = open(path, O_RDONLY | O_NONBLOCK); /* never blocks on a FIFO */
  if (fd < 0)
    return 0; /* nc_open says why */
  if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    close(fd);
    diag_report(d, DIAG_ERROR, path, 0, 0, "coastline file is not a regular file");
    return ERR_INPUT;
  }
  unsigned long long size = (unsigned long long)sb.st_size;
  int err = 0;
  if (size < 8) { /* shorter than any NetCDF file's signature */
    ssize_t got = pread(fd, h, (size_t)size, 0);
    size_t n = got > 0 ? (size_t)got : 0;
    if (n == size && (memcmp(h, hdf5, n) == 0 || memcmp(h, "CDF", n < 3 ? n : 3) == 0))
      err = cut_short(d, path, size, size ? "inside the signature of its header"
                                          : "the file is empty");
  }
  for (unsigned long long base = 0; !err && base + 8 <= size;
       base = base ? 2 * base : 512) {
    ssize_t got = pread(fd, h, sizeof h, (off_t)base);
    size_t n = got > 0 ? (size_t)got : 0;
    if (n < 8 || memcmp(h, hdf5, 8) != 0)
      continue;
    int version = n > 8 ? h[8] : -1, o = 0;
    size_t at_eof = 0, sb_len = 0; /* the end-of-file address's place, the superblock's size */
    if (version == 0 || version == 1) {
      o = n > 13 ? h[13] : 0;
      at_eof = (version == 0 ? 24 : 28) + 2 * (size_t)o;
      sb_len = (version == 0 ? 24 : 28) + 6 * (size_t)o + 24;
    } else if (version == 2 || version == 3) {
      o = n > 9 ? h[9] : 0;
      at_eof = 12 + 2 * (size_t)o;
      sb_len = 12 + 4 * (size_t)o + 4;
    } else if (version >= 0) {
      break; /* a superblock straits does not know: nc_open judges it */
    }
    if (version >= 0 && o != 2 && o != 4 && o != 8)
      break;
    if (version < 0 || n < sb_len) {
      snprintf(why, sizeof why, "inside its HDF5 superblock (at byte %llu)", base);
      err = cut_short(d, path, size, why);
      break;
    }
    uint64_t base_addr = get_le(h + at_eof - 2 * (size_t)o, o);
    uint64_t eof = get_le(h + at_eof, o);
    uint64_t undefined = o == 8 ? UINT64_MAX : ((uint64_t)1 << (8 * o)) - 1;
    if (eof != undefined && base_addr != undefined && base_addr + eof > size) {
      snprintf(why, sizeof why, "its HDF5 superblock says the file has %llu bytes",
               (unsigned long long)(base_addr + eof));
      err = cut_short(d, path, size, why);
    }
    break;
  }
  close(fd);
  return err;
}

int geo__gshhg_load(geo__gshhg_bins *b, const char *path, size_t max_len, diag *d) {
  int nc, err, minutes = 0, nx = 0;
  size_t n_nseg, n_first, n_segfirst, n_w; /* lengths that must match their kin */
  memset(b, 0, sizeof *b);
  if ((err = check_whole(path, d)))
    return err;
  int rc = nc_open(path, NC_NOWRITE, &nc);
  if (rc != NC_NOERR) {
    diag_report(d, DIAG_ERROR, path, 0, 0, "cannot open coastline file: %s",
                nc_strerror(rc));
    return ERR_IO;
  }
  if ((err = read_scalar(nc, "Bin_size_in_minutes", &minutes)) ||
      (err = read_scalar(nc, "N_bins_in_360_longitude_range", &nx)) ||
      (err = read_ints(nc, "Embedded_node_levels_in_a_bin", max_len, &b->bin_node,
                       &b->nbin)) ||
      (err = read_ints(nc, "N_segments_in_a_bin", max_len, &b->bin_nseg, &n_nseg)) ||
      (err = read_ints(nc, "Id_of_first_segment_in_a_bin", max_len, &b->bin_first,
                       &n_first)) ||
      (err = read_ints(nc, "Embedded_npts_levels_exit_entry_for_a_segment", max_len,
                       &b->seg_hdr, &b->nseg)) ||
      (err = read_ints(nc, "Id_of_first_point_in_a_segment", max_len, &b->seg_first,
                       &n_segfirst)) ||
      (err = read_shorts(nc, "Relative_longitude_from_SW_corner_of_bin", max_len,
                         &b->pt_u, &b->npt)) ||
      (err = read_shorts(nc, "Relative_latitude_from_SW_corner_of_bin", max_len,
                         &b->pt_w, &n_w)))
    goto done;
  if (minutes <= 0 || nx <= 0 || n_nseg != b->nbin || n_first != b->nbin ||
      n_segfirst != b->nseg || n_w != b->npt) {
    err = ERR_INPUT;
    goto done;
  }
  b->nx = nx;
  b->d = minutes / 60.0;
done:
  nc_close(nc);
  if (err) {
    diag_report(d, DIAG_ERROR, path, 0, 0, "%s",
                err == ERR_LIMIT   ? "coastline file has more points than straits reads"
                : err == ERR_NOMEM ? "out of memory reading the coastline file"
                                   : "not a GSHHG binned coastline file");
    geo__gshhg_release(b);
  }
  return err;
}

/* Walk one segment's points, keeping the runs inside the box (with one point beyond
 * each end, so a line reaches the edge of the map). */
static int clip_segment(coast_builder *b, const geo__gshhg_bins *f, const geo_box *box,
                        size_t seg, double lon0, double lat0, double step) {
  unsigned hdr = (unsigned)f->seg_hdr[seg];
  size_t npts = hdr >> 9, first = (size_t)f->seg_first[seg];
  int level = (int)((hdr >> 6) & 7), entry = (int)((hdr >> 3) & 7);
  if (level < 1 || level > 4 || npts == 0 || first + npts > f->npt)
    return 0; /* Antarctic grounding lines and damaged headers are not drawn */
  size_t total = npts + (entry == 4); /* a closed ring repeats its first point */
  double scale = f->d / GEO__GSHHG_UNITS, prev_lat = 0, prev_lon = 0;
  int prev_in = 0, err;
  for (size_t k = 0; k < total; k++) {
    size_t p = first + (k % npts);
    double lon = box_lon(box, lon0 + (uint16_t)f->pt_u[p] * scale);
    double lat = lat0 + (uint16_t)f->pt_w[p] * scale;
    int in = in_box(box, lat, lon), last = k + 1 == total;
    if (in) {
      if (b->open_start == SIZE_MAX) {
        b->open_start = b->c->npoint;
        if (k > 0 && (err = push_point(b, prev_lat, prev_lon)))
          return err;
        if ((err = push_point(b, lat, lon)))
          return err;
      } else if (last || fabs(lat - b->last_lat) >= step ||
                 fabs(lon - b->last_lon) >= step) {
        if ((err = push_point(b, lat, lon)))
          return err;
      }
    } else if (prev_in) {
      if ((err = push_point(b, lat, lon)) || (err = close_line(b, level)))
        return err;
    }
    prev_in = in;
    prev_lat = lat;
    prev_lon = lon;
  }
  return close_line(b, level);
}

int geo_gshhg_read(geo_coast *out, const char *path, const geo_box *box,
                   double min_step_deg, diag *d) {
  geo__gshhg_bins f;
  coast_builder b = {out, 0, 0, SIZE_MAX, 0, 0, 0};
  memset(out, 0, sizeof *out);
  const char *base = strrchr(path, '_');
  out->resolution = base && base[1] ? base[1] : '?';
  int err = geo__gshhg_load(&f, path, GEO_GSHHG_MAX_POINTS, d);
  if (err)
    goto done;
  if (!(out->start = calloc(1, sizeof *out->start))) {
    err = ERR_NOMEM;
    goto done;
  }
  for (size_t bin = 0; bin < f.nbin && !err; bin++) {
    double lon0 = (double)(bin % (size_t)f.nx) * f.d;
    double lat0 = 90.0 - (double)(bin / (size_t)f.nx + 1) * f.d;
    if (!bin_meets_box(box, lon0, lat0, f.d))
      continue;
    size_t s0 = (size_t)f.bin_first[bin], ns = (size_t)f.bin_nseg[bin];
    if (s0 + ns > f.nseg) {
      diag_report(d, DIAG_ERROR, path, 0, 0, "coastline bin %zu points past the segments",
                  bin);
      err = ERR_INPUT;
      break;
    }
    for (size_t s = s0; s < s0 + ns && !err; s++)
      err = clip_segment(&b, &f, box, s, lon0, lat0, min_step_deg);
  }
  if (err == ERR_NOMEM)
    diag_report(d, DIAG_ERROR, path, 0, 0, "out of memory clipping the coastline");
done:
  geo__gshhg_release(&f); /* the load emptied it, even on failure */
  if (err)
    geo_coast_release(out);
  return err;
}

#endif
