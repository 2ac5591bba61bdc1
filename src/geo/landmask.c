/* landmask.c - rasterise GSHHG's binned coastlines into a land/water table.
 *
 * GSHHG by P. Wessel and W. H. F. Smith (LGPL-3+), binned by GMT.  The land test
 * follows shared/notes/gshhg-binned-format.md: inside a bin, a point is inside level
 * k iff (k <= level of the bin's SW corner) XOR (a path from the SW corner to the
 * point crosses level-k segments an odd number of times).  We take the path up the
 * bin's west side (just inside it) to the row's latitude and then east along the
 * row, so one sorted list of crossings classifies a whole raster row of the bin.
 * The file itself is read by the one GSHHG reader, geo__gshhg_load (gshhg_bins.h). */
#include "landmask.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "gshhg_bins.h"

void geo_landmask_release(geo_landmask *m) {
  if (!m)
    return;
  free(m->level);
  memset(m, 0, sizeof *m);
}

#ifndef STRAITS_HAVE_NETCDF

int geo_landmask_build(geo_landmask *m, const char *path, double lat_min, double lat_max,
                       double lon_min, double lon_max, double res, diag *d) {
  (void)lat_min, (void)lat_max, (void)lon_min, (void)lon_max, (void)res;
  memset(m, 0, sizeof *m);
  diag_report(d, DIAG_ERROR, path, 0, 0, "straits was built without NetCDF, so it "
              "cannot read the land mask (install libnetcdf-dev and rebuild)");
  return ERR_IO;
}

#else

#define UNITS GEO__GSHHG_UNITS
#define MAX_POINTS ((size_t)50000000) /* per variable; the map reader's cap is lower */

/* One coastline edge inside a bin, in bin units (0..65535 from the SW corner). */
typedef struct lm_edge {
  float x0, y0, x1, y1;
  int level;
} lm_edge;

typedef struct lm_cross {
  double x;
  int level;
} lm_cross;

/* The bin's edges of levels 1..4 into *e (grown as needed); their count, or -1. */
static long bin_edges(const geo__gshhg_bins *f, size_t bin, lm_edge **e, size_t *cap) {
  size_t s0 = (size_t)f->bin_first[bin], ns = (size_t)f->bin_nseg[bin], n = 0;
  if (s0 + ns > f->nseg)
    return -1;
  for (size_t s = s0; s < s0 + ns; s++) {
    unsigned hdr = (unsigned)f->seg_hdr[s];
    size_t np = hdr >> 9, first = (size_t)f->seg_first[s];
    int level = (int)((hdr >> 6) & 7), closed = ((hdr >> 3) & 7) == 4;
    if (level < 1 || level > 4 || np < 2)
      continue; /* Antarctic grounding lines */
    if (first + np > f->npt)
      return -1;
    size_t ne = np - 1 + (size_t)closed;
    if (n + ne > *cap) {
      size_t c = 2 * (n + ne);
      lm_edge *g = realloc(*e, c * sizeof *g);
      if (!g)
        return -2;
      *e = g, *cap = c;
    }
    for (size_t k = 0; k < ne; k++) {
      size_t p = first + k, q = first + (k + 1) % np;
      (*e)[n++] = (lm_edge){(float)(uint16_t)f->pt_u[p], (float)(uint16_t)f->pt_w[p],
                            (float)(uint16_t)f->pt_u[q], (float)(uint16_t)f->pt_w[q], level};
    }
  }
  return (long)n;
}

static double orient(double ax, double ay, double bx, double by, double cx, double cy) {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

/* Whether segment (0,0)-(wx,wy) properly crosses edge e. */
static int crosses(const lm_edge *e, double wx, double wy) {
  double d1 = orient(0, 0, wx, wy, e->x0, e->y0), d2 = orient(0, 0, wx, wy, e->x1, e->y1);
  double d3 = orient(e->x0, e->y0, e->x1, e->y1, 0, 0);
  double d4 = orient(e->x0, e->y0, e->x1, e->y1, wx, wy);
  return ((d1 > 0) != (d2 > 0)) && ((d3 > 0) != (d4 > 0)) && d1 != 0 && d2 != 0 &&
         d3 != 0 && d4 != 0;
}

static int cmp_cross(const void *a, const void *b) {
  double x = ((const lm_cross *)a)->x, y = ((const lm_cross *)b)->x;
  return (x > y) - (x < y);
}

/* Classify raster row r's cells [c0, c1) that fall in bin `bin`. */
static void classify_row(geo_landmask *m, const geo__gshhg_bins *f, size_t bin, const lm_edge *e,
                         size_t ne, lm_cross *cr, double lat_sw, double lon_sw, size_t r,
                         size_t c0, size_t c1) {
  int corner = (f->bin_node[bin] >> 9) & 7;
  double lat = m->lat_min + ((double)r + 0.5) * m->res;
  double y = (lat - lat_sw) / f->d * UNITS;
  if (fabs(y - round(y)) < 1e-3)
    y += 1e-2; /* keep the row off the integer vertex coordinates */
  const double wx = 0.5; /* just inside the west side, off every vertex */
  int parity[5] = {0};
  size_t nc = 0;
  for (size_t k = 0; k < ne; k++) {
    if (crosses(&e[k], wx, y))
      parity[e[k].level] ^= 1;
    if ((e[k].y0 > y) != (e[k].y1 > y)) {
      double x = e[k].x0 + (y - e[k].y0) * (e[k].x1 - e[k].x0) / (e[k].y1 - e[k].y0);
      if (x > wx)
        cr[nc++] = (lm_cross){x, e[k].level};
    }
  }
  qsort(cr, nc, sizeof *cr, cmp_cross);
  size_t next = 0;
  for (size_t c = c0; c < c1; c++) {
    double lon = m->lon_min + ((double)c + 0.5) * m->res;
    double x = fmod(lon - lon_sw + 720.0, 360.0) / f->d * UNITS;
    while (next < nc && cr[next].x < x)
      parity[cr[next++].level] ^= 1;
    int level = 0;
    for (int k = 1; k <= 4; k++)
      if ((k <= corner) ^ parity[k])
        level = k;
    m->level[r * m->nx + c] = (uint8_t)level;
  }
}

static int rasterise(geo_landmask *m, const char *path, double lat_min, double lat_max,
                     double lon_min, double lon_max, double res, diag *d) {
  geo__gshhg_bins f;
  lm_edge *e = NULL;
  lm_cross *cr = NULL;
  size_t ecap = 0;
  int err;
  memset(m, 0, sizeof *m);
  if (!(res > 0) || !(lat_max > lat_min) || !(lon_max > lon_min) || lat_min < -90 ||
      lat_max > 90 || lon_min < -180 || lon_max > 360 || lon_max - lon_min > 360) {
    diag_report(d, DIAG_ERROR, path, 0, 0, "bad land mask box or resolution");
    return ERR_RANGE;
  }
  m->lat_min = lat_min, m->lon_min = lon_min, m->res = res, m->inv_res = 1.0 / res;
  m->ny = (size_t)ceil((lat_max - lat_min) / res - 1e-9);
  m->nx = (size_t)ceil((lon_max - lon_min) / res - 1e-9);
  if (m->ny == 0 || m->nx == 0 || m->ny > GEO_LANDMASK_MAX_CELLS / m->nx) {
    diag_report(d, DIAG_ERROR, path, 0, 0, "land mask of %zu x %zu cells is too large",
                m->ny, m->nx);
    return ERR_LIMIT;
  }
  const char *base = strrchr(path, '_');
  m->resolution = base && base[1] ? base[1] : '?';
  if ((err = geo__gshhg_load(&f, path, MAX_POINTS, d)))
    return err;
  if (!(m->level = calloc(m->ny * m->nx, 1))) {
    err = ERR_NOMEM;
    goto done;
  }
  /* Bin by bin over the box: bins in the file's 0..360 longitudes. */
  int nbx = f.nx, nby = (int)(f.nbin / (size_t)f.nx);
  for (int br = 0; br < nby && !err; br++) {
    double lat_sw = 90.0 - (br + 1) * f.d;
    if (lat_sw >= lat_max || lat_sw + f.d <= lat_min)
      continue;
    /* raster rows whose centre lies in [lat_sw, lat_sw + d) */
    double r0f = ceil((lat_sw - lat_min) / res - 0.5), r1f = ceil((lat_sw + f.d - lat_min) / res - 0.5);
    size_t r0 = r0f < 0 ? 0 : (size_t)r0f, r1 = r1f > (double)m->ny ? m->ny : (size_t)r1f;
    for (int shift = -360; shift <= 360 && !err; shift += 360) {
      for (int bc = 0; bc < nbx && !err; bc++) {
        double lon_sw = bc * f.d + shift;
        if (lon_sw >= lon_max || lon_sw + f.d <= lon_min || r0 >= r1)
          continue;
        double c0f = ceil((lon_sw - lon_min) / res - 0.5), c1f = ceil((lon_sw + f.d - lon_min) / res - 0.5);
        size_t c0 = c0f < 0 ? 0 : (size_t)c0f, c1 = c1f > (double)m->nx ? m->nx : (size_t)c1f;
        if (c0 >= c1)
          continue;
        size_t bin = (size_t)br * (size_t)nbx + (size_t)bc;
        long ne = bin_edges(&f, bin, &e, &ecap);
        if (ne < 0) {
          err = ne == -2 ? ERR_NOMEM : ERR_INPUT;
          if (err == ERR_INPUT)
            diag_report(d, DIAG_ERROR, path, 0, 0, "coastline bin %zu is damaged", bin);
          break;
        }
        lm_cross *g = realloc(cr, ((size_t)ne + 1) * sizeof *g);
        if (!g) {
          err = ERR_NOMEM;
          break;
        }
        cr = g;
        for (size_t r = r0; r < r1; r++)
          classify_row(m, &f, bin, e, (size_t)ne, cr, lat_sw, lon_sw, r, c0, c1);
      }
    }
  }
done:
  if (err == ERR_NOMEM)
    diag_report(d, DIAG_ERROR, path, 0, 0, "out of memory building the land mask");
  free(e), free(cr);
  geo__gshhg_release(&f);
  if (err)
    geo_landmask_release(m);
  return err;
}

/* One run asks for the same raster several times (the SAR model's prepare, the map
 * layers after the run, every point of a sweep, on every rank), and rasterising is
 * most of a run's serial start-up: the last raster built is kept (until exit) and
 * handed out as a copy, so ownership stays with the caller. */
static struct {
  pthread_mutex_t lock;
  char path[1024];
  double key[5];
  geo_landmask m; /* level == NULL: nothing kept */
} last = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int copy_mask(geo_landmask *to, const geo_landmask *from) {
  *to = *from;
  size_t n = from->ny * from->nx;
  if (!(to->level = malloc(n)))
    return ERR_NOMEM;
  memcpy(to->level, from->level, n);
  return 0;
}

static int same_request(const char *path, const double key[5]) {
  return last.m.level && strcmp(last.path, path) == 0 && memcmp(last.key, key, sizeof last.key) == 0;
}

int geo_landmask_build(geo_landmask *m, const char *path, double lat_min, double lat_max,
                       double lon_min, double lon_max, double res, diag *d) {
  const double key[5] = {lat_min, lat_max, lon_min, lon_max, res};
  pthread_mutex_lock(&last.lock);
  int hit = same_request(path, key) && copy_mask(m, &last.m) == 0;
  pthread_mutex_unlock(&last.lock);
  if (hit)
    return 0;
  int err = rasterise(m, path, lat_min, lat_max, lon_min, lon_max, res, d);
  if (err || strlen(path) >= sizeof last.path)
    return err;
  pthread_mutex_lock(&last.lock);
  geo_landmask kept;
  if (copy_mask(&kept, m) == 0) { /* without memory to keep it, the next call rebuilds */
    geo_landmask_release(&last.m);
    last.m = kept;
    strcpy(last.path, path);
    memcpy(last.key, key, sizeof last.key);
  }
  pthread_mutex_unlock(&last.lock);
  return 0;
}

#endif
