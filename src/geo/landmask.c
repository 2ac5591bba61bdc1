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

int geo_landmask_build_fresh(geo_landmask *m, const char *path, double lat_min, double lat_max,
                             double lon_min, double lon_max, double res, diag *d) {
  return geo_landmask_build(m, path, lat_min, lat_max, lon_min, lon_max, res, d);
}

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

/* Scratch for one bin, grown as needed and reused from bin to bin. */
typedef struct lm_scratch {
  double *y;     /* [rows] each row's latitude in bin units */
  size_t *first; /* [rows + 1] where each row's edges start in `edge` */
  size_t *edge;  /* the edges each row crosses, rows in order, edges ascending */
  size_t *west;  /* [edges] the edges that touch the bin's west side */
  lm_cross *cr;  /* [edges + 1] one row's crossings */
  size_t y_cap, first_cap, edge_cap, west_cap, cr_cap;
} lm_scratch;

static void scratch_release(lm_scratch *s) {
  free(s->y), free(s->first), free(s->edge), free(s->west), free(s->cr);
}

/* Make *p hold at least `want` elements of `size` bytes. */
static int grow(void *p, size_t *cap, size_t want, size_t size) {
  if (want <= *cap)
    return 0;
  void *q = realloc(*(void **)p, want * size);
  if (!q)
    return ERR_NOMEM;
  *(void **)p = q, *cap = want;
  return 0;
}

static int scratch_fit(lm_scratch *s, size_t rows, size_t ne) {
  return grow(&s->y, &s->y_cap, rows, sizeof *s->y) ||
                 grow(&s->first, &s->first_cap, rows + 1, sizeof *s->first) ||
                 grow(&s->west, &s->west_cap, ne + 1, sizeof *s->west) ||
                 grow(&s->cr, &s->cr_cap, ne + 1, sizeof *s->cr)
             ? ERR_NOMEM
             : 0;
}

/* The first of the n increasing values in y that is >= v. */
static size_t lower_bound(const double *y, size_t n, double v) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (y[mid] < v)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* Which edges each of the bin's rows crosses: edge k crosses the row at height y iff
 * (y0 > y) != (y1 > y), i.e. min(y0, y1) <= y < max(y0, y1).  Rows come in increasing
 * y, so each edge's rows are one range; listing them once replaces a test of every
 * edge on every row.  Within a row the edges stay in ascending order, so the crossings
 * (and their sort) are exactly those of the test over all edges.  *listed = 0 when
 * the rows are not strictly increasing: then the caller tests every edge. */
static int rows_edges(lm_scratch *s, const lm_edge *e, size_t ne, size_t rows, int *listed) {
  *listed = 0;
  for (size_t i = 1; i < rows; i++)
    if (!(s->y[i] > s->y[i - 1]))
      return 0;
  memset(s->first, 0, (rows + 1) * sizeof *s->first);
  for (size_t k = 0; k < ne; k++) {
    double lo = fmin(e[k].y0, e[k].y1), hi = fmax(e[k].y0, e[k].y1);
    size_t a = lower_bound(s->y, rows, lo), b = lower_bound(s->y, rows, hi);
    for (size_t i = a; i < b; i++)
      s->first[i + 1]++;
  }
  for (size_t i = 0; i < rows; i++)
    s->first[i + 1] += s->first[i];
  if (grow(&s->edge, &s->edge_cap, s->first[rows] + 1, sizeof *s->edge))
    return ERR_NOMEM;
  for (size_t k = 0; k < ne; k++) {
    double lo = fmin(e[k].y0, e[k].y1), hi = fmax(e[k].y0, e[k].y1);
    size_t a = lower_bound(s->y, rows, lo), b = lower_bound(s->y, rows, hi);
    for (size_t i = a; i < b; i++)
      s->edge[s->first[i]++] = k;
  }
  for (size_t i = rows; i > 0; i--) /* the fill moved each start to the next row's */
    s->first[i] = s->first[i - 1];
  s->first[0] = 0;
  *listed = 1;
  return 0;
}

/* The cell centre's x in bin units.  v is in [720, 1080) for every cell of the bin,
 * where fmod(v, 360) is v - 720 exactly (Sterbenz); fmod stays for rounding at the
 * edges.  The shortcut took a tenth of a run's start-up. */
static double cell_x(double lon, double lon_sw, double d) {
  double v = lon - lon_sw + 720.0;
  return (v >= 720.0 && v < 1080.0 ? v - 720.0 : fmod(v, 360.0)) / d * UNITS;
}

/* The innermost level k that a point is inside: (k <= corner's level) XOR parity[k]. */
static int level_of(const int parity[5], int corner) {
  int level = 0;
  for (int k = 1; k <= 4; k++)
    if ((k <= corner) ^ parity[k])
      level = k;
  return level;
}

/* Classify raster row r's cells [c0, c1) that fall in the bin: the row crosses the
 * edges idx[0..n) (or all ne edges when idx is NULL); `west` lists the edges that
 * can cross the path up the west side. */
static void classify_row(geo_landmask *m, const geo__gshhg_bins *f, size_t bin, const lm_edge *e,
                         const size_t *idx, size_t n, const size_t *west, size_t nwest,
                         lm_cross *cr, double y, double lon_sw, size_t r, size_t c0, size_t c1) {
  int corner = (f->bin_node[bin] >> 9) & 7;
  const double wx = 0.5; /* just inside the west side, off every vertex */
  int parity[5] = {0};
  size_t nc = 0;
  for (size_t i = 0; i < nwest; i++)
    if (crosses(&e[west[i]], wx, y))
      parity[e[west[i]].level] ^= 1;
  for (size_t i = 0; i < n; i++) {
    const lm_edge *k = &e[idx ? idx[i] : i];
    if ((k->y0 > y) != (k->y1 > y)) {
      double x = k->x0 + (y - k->y0) * (k->x1 - k->x0) / (k->y1 - k->y0);
      if (x > wx)
        cr[nc++] = (lm_cross){x, k->level};
    }
  }
  qsort(cr, nc, sizeof *cr, cmp_cross);
  size_t next = 0;
  int level = level_of(parity, corner);
  for (size_t c = c0; c < c1; c++) {
    double x = cell_x(m->lon_min + ((double)c + 0.5) * m->res, lon_sw, f->d);
    if (next < nc && cr[next].x < x) {
      while (next < nc && cr[next].x < x)
        parity[cr[next++].level] ^= 1;
      level = level_of(parity, corner);
    }
    m->level[r * m->nx + c] = (uint8_t)level;
  }
}

/* Classify the bin's raster rows [r0, r1) x columns [c0, c1). */
static int classify_bin(geo_landmask *m, const geo__gshhg_bins *f, size_t bin, const lm_edge *e,
                        size_t ne, lm_scratch *s, double lat_sw, double lon_sw, size_t r0,
                        size_t r1, size_t c0, size_t c1) {
  size_t rows = r1 - r0, nwest = 0;
  if (scratch_fit(s, rows, ne))
    return ERR_NOMEM;
  for (size_t i = 0; i < rows; i++) {
    double lat = m->lat_min + ((double)(r0 + i) + 0.5) * m->res;
    double y = (lat - lat_sw) / f->d * UNITS;
    if (fabs(y - round(y)) < 1e-3)
      y += 1e-2; /* keep the row off the integer vertex coordinates */
    s->y[i] = y;
  }
  /* Vertices are integers, and the path up the west side keeps to x <= 0.5: only an
   * edge with an end at x = 0 can cross it. */
  for (size_t k = 0; k < ne; k++)
    if (e[k].x0 < 1 || e[k].x1 < 1)
      s->west[nwest++] = k;
  int listed;
  if (rows_edges(s, e, ne, rows, &listed))
    return ERR_NOMEM;
  for (size_t i = 0; i < rows; i++) {
    const size_t *idx = listed ? s->edge + s->first[i] : NULL;
    size_t n = listed ? s->first[i + 1] - s->first[i] : ne;
    classify_row(m, f, bin, e, idx, n, s->west, nwest, s->cr, s->y[i], lon_sw, r0 + i, c0, c1);
  }
  return 0;
}

static int rasterise(geo_landmask *m, const char *path, double lat_min, double lat_max,
                     double lon_min, double lon_max, double res, diag *d) {
  geo__gshhg_bins f;
  lm_edge *e = NULL;
  lm_scratch scratch = {0};
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
        err = classify_bin(m, &f, bin, e, (size_t)ne, &scratch, lat_sw, lon_sw, r0, r1, c0, c1);
      }
    }
  }
done:
  if (err == ERR_NOMEM)
    diag_report(d, DIAG_ERROR, path, 0, 0, "out of memory building the land mask");
  free(e);
  scratch_release(&scratch);
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

int geo_landmask_build_fresh(geo_landmask *m, const char *path, double lat_min, double lat_max,
                             double lon_min, double lon_max, double res, diag *d) {
  return rasterise(m, path, lat_min, lat_max, lon_min, lon_max, res, d);
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
