/* searoute.c - the sea router (searoute.h): a clearance mask from the GSHHG land mask,
 * a 16-neighbour water grid, LEMON's Dijkstra per source (geo_graph.cc), lookups and
 * polylines.  Model and validation: docs/models.md, "Sea routing". */
#include "searoute.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "geo_graph.h"
#include "geo_local.h"
#include "geodesy.h"
#include "landmask.h"
#include "sea_internal.h"

/* The 16 moves, (row, column) in nodes: the 8 forward ones first, then their opposites
 * in the same order (dir + 8 is dir reversed). */
static const int move[NDIR][2] = {{0, 1},  {1, 1},  {1, 0},  {1, -1},  {1, 2},   {2, 1},
                                  {2, -1}, {1, -2}, {0, -1}, {-1, -1}, {-1, 0},  {-1, 1},
                                  {-1, -2}, {-2, -1}, {-2, 1}, {-1, 2}};

/* ---- geometry on the mask ----------------------------------------------------------- */

/* Mask cell coordinates (continuous, cell centres at .5) of a point. */
static void to_cell(const geo_sea *s, double lat, double lon, double *r, double *c) {
  *r = (lat - s->land.lat_min) * s->land.inv_res;
  double x = lon - s->land.lon_min;
  if (x < 0) x += 360;
  *c = x * s->land.inv_res;
}

static void node_pos(const geo_sea *s, int gi, int gj, double *lat, double *lon) {
  int r = gi * s->o.step + s->o.step / 2, c = gj * s->o.step + s->o.step / 2;
  *lat = s->land.lat_min + (r + 0.5) * s->land.res;
  *lon = s->land.lon_min + (c + 0.5) * s->land.res;
}

static int cell_level(const geo_sea *s, long r, long c) {
  if (r < 0 || c < 0 || r >= (long)s->land.ny || c >= (long)s->land.nx) return 0;
  return s->land.level[(size_t)r * s->land.nx + (size_t)c] & 7;
}

static int cell_clear(const geo_sea *s, long r, long c) {
  if (r < 0 || c < 0 || r >= (long)s->land.ny || c >= (long)s->land.nx) return 0;
  return s->land.level[(size_t)r * s->land.nx + (size_t)c] >> 7;
}

/* Short distances (up to a few tens of km): the local plane at the mean latitude. */
static double local_distance(double a_lat, double a_lon, double b_lat, double b_lon) {
  geo_local pl;
  double dx, dy;
  geo_local_init_mean(&pl, a_lat, a_lon, b_lat);
  geo_local_xy(&pl, b_lat, b_lon, &dx, &dy);
  return sqrt(dx * dx + dy * dy);
}

/* Whether the straight line a -> b (linear in lat/lon, sampled every third of a mask
 * cell) may be sailed: clear of the coast by the clearance, except within `reach` of an
 * end point (a_end, b_end), where plain sea will do, and within `slack` of one, where
 * anything will (the port's own shore at this resolution). */
static int line_ok(const geo_sea *s, double a_lat, double a_lon, int a_end, double b_lat,
                   double b_lon, int b_end, double len) {
  double r0, c0, r1, c1;
  to_cell(s, a_lat, a_lon, &r0, &c0);
  to_cell(s, b_lat, b_lon, &r1, &c1);
  int n = (int)ceil(3 * fmax(fabs(r1 - r0), fabs(c1 - c0))) + 1; /* a third of a cell */
  for (int k = 0; k <= n; k++) {
    double f = (double)k / n, da = f * len, db = (1 - f) * len;
    if ((a_end && da < s->slack) || (b_end && db < s->slack)) continue;
    long r = (long)floor(r0 + f * (r1 - r0)), c = (long)floor(c0 + f * (c1 - c0));
    int near = (a_end && da < s->o.reach) || (b_end && db < s->o.reach);
    if (near ? cell_level(s, r, c) != 0 : !cell_clear(s, r, c)) return 0;
  }
  return 1;
}

/* ---- building the sea --------------------------------------------------------------- */

/* The cells of each forward move's line, sampled as line_ok does. */
static void build_trails(geo_sea *s) {
  int step = s->o.step;
  for (int d = 0; d < NDIR / 2; d++) {
    double r1 = move[d][0] * step, c1 = move[d][1] * step;
    int n = (int)ceil(3 * fmax(fabs(r1), fabs(c1))) + 1, m = 0;
    for (int k = 0; k <= n && m < TRAIL_MAX; k++) {
      double f = (double)k / n;
      int r = (int)floor(0.5 + f * r1), c = (int)floor(0.5 + f * c1);
      if (m && s->trail[d][m - 1][0] == r && s->trail[d][m - 1][1] == c) continue;
      s->trail[d][m][0] = r, s->trail[d][m][1] = c, m++;
    }
    s->ntrail[d] = m;
  }
}

static int arc_clear(const geo_sea *s, long r0, long c0, int d) {
  for (int k = 0; k < s->ntrail[d]; k++)
    if (!cell_clear(s, r0 + s->trail[d][k][0], c0 + s->trail[d][k][1])) return 0;
  return 1;
}

/* Cells at least o.clearance from every land cell (centre to centre, plus half a cell:
 * the distance to the land cell's edge).  Row by row: the nearest land cell along the
 * row, then the rows within the clearance above and below (a ring of 2k + 1 rows). */
static void near_row(const geo_sea *s, size_t r, int *row, int has_land) {
  size_t nx = s->land.nx;
  const uint8_t *lv = s->land.level + r * nx;
  const int far = 1 << 28;
  if (!has_land) { /* open ocean: no land along the row */
    for (size_t c = 0; c < nx; c++) row[c] = far;
    return;
  }
  int last = -far;
  for (size_t c = 0; c < nx; c++) {
    if ((lv[c] & 7) != 0) last = (int)c;
    row[c] = last == -far ? far : (int)c - last;
  }
  last = far;
  for (size_t c = nx; c-- > 0;) {
    if ((lv[c] & 7) != 0) last = (int)c;
    if (last != far && last - (int)c < row[c]) row[c] = last - (int)c;
  }
}

static int build_clear(geo_sea *s) {
  size_t ny = s->land.ny, nx = s->land.nx;
  double res = s->land.res, hy = res * GEO_M_PER_DEG;
  double lim = s->o.clearance + 0.5 * hy; /* hy >= hx: the larger half cell */
  long k = (long)ceil(lim / hy), rows = 2 * k + 1;
  if (rows > 64) return ERR_RANGE; /* a clearance of 30 cells or more */
  int *ring = malloc((size_t)rows * nx * sizeof *ring);
  /* land_to[r]: rows below r with land, so a window of rows without any (most of the
   * ocean) is cleared at once, with the same result. */
  long *land_to = malloc((ny + 1) * sizeof *land_to);
  if (!ring || !land_to) {
    free(ring), free(land_to);
    return ERR_NOMEM;
  }
  land_to[0] = 0;
  for (size_t r = 0; r < ny; r++) {
    const uint8_t *lv = s->land.level + r * nx;
    int any = 0;
    for (size_t c = 0; c < nx && !any; c++) any = (lv[c] & 7) != 0;
    land_to[r + 1] = land_to[r] + any;
  }
#define ROW_LAND(q) (land_to[(q) + 1] != land_to[(q)])
  for (long q = 0; q < k && q < (long)ny; q++)
    near_row(s, (size_t)q, ring + (size_t)(q % rows) * nx, ROW_LAND(q));
  for (size_t r = 0; r < ny; r++) {
    if ((long)r + k < (long)ny)
      near_row(s, r + (size_t)k, ring + (size_t)(((long)r + k) % rows) * nx, ROW_LAND(r + (size_t)k));
    long lo = (long)r - k < 0 ? 0 : (long)r - k, hi = (long)r + k + 1 > (long)ny ? (long)ny : (long)r + k + 1;
    if (land_to[hi] == land_to[lo]) { /* no land within the clearance's rows */
      uint8_t *lv = s->land.level + r * nx;
      for (size_t c = 0; c < nx; c++) lv[c] |= CLEAR;
      continue;
    }
    double lat = s->land.lat_min + (r + 0.5) * res;
    double hx = hy * geo_local_cos(lat);
    double lim_r = s->o.clearance + 0.5 * fmax(hx, hy);
    int hmax[64]; /* per row offset: land this many cells along it or fewer is too near */
    for (long dr = -k; dr <= k; dr++) {
      double w = lim_r * lim_r - (double)(dr * dr) * hy * hy;
      hmax[dr + k] = w < 0 ? -1 : (int)floor(sqrt(w) / hx);
    }
    uint8_t *lv = s->land.level + r * nx;
    const int *rowp[64];
    int nrow = 0, lim_c[64];
    for (long dr = -k; dr <= k; dr++) {
      long q = (long)r + dr;
      if (q < 0 || q >= (long)ny || hmax[dr + k] < 0) continue;
      rowp[nrow] = ring + (size_t)(q % rows) * nx, lim_c[nrow++] = hmax[dr + k];
    }
    for (size_t c = 0; c < nx; c++) {
      int ok = lv[c] == 0; /* no CLEAR bit yet in this row */
      for (int i = 0; i < nrow && ok; i++) ok = rowp[i][c] > lim_c[i];
      if (ok) lv[c] |= CLEAR;
    }
  }
#undef ROW_LAND
  free(ring), free(land_to);
  return 0;
}

/* The mask classifies a cell by its centre, which misses islets smaller than a few
 * cells (the Bonin islands' smaller ones): the cells such an islet's shore crosses are
 * not clear either (a closed ring within one GSHHG bin).  Long coasts are left to the
 * mask and the clearance (marking their cells too would close channels a few cells
 * wide, the Inland Sea's). */
static int clear_coast(geo_sea *s, const char *path, diag *d) {
  geo_coast coast;
  int err = geo_gshhg_read(&coast, path, &s->box, 0, d);
  if (err) return err;
  for (size_t l = 0; l < coast.nline; l++) {
    double la0 = INFINITY, la1 = -INFINITY, lo0 = INFINITY, lo1 = -INFINITY;
    for (size_t i = coast.start[l]; i < coast.start[l + 1]; i++)
      la0 = fmin(la0, coast.lat[i]), la1 = fmax(la1, coast.lat[i]),
      lo0 = fmin(lo0, coast.lon[i]), lo1 = fmax(lo1, coast.lon[i]);
    size_t a = coast.start[l], b = coast.start[l + 1] - 1;
    int closed = b > a && coast.lat[a] == coast.lat[b] && coast.lon[a] == coast.lon[b];
    if (!closed || la1 - la0 > 3 * s->land.res || lo1 - lo0 > 3 * s->land.res) continue;
    for (size_t i = coast.start[l]; i + 1 < coast.start[l + 1]; i++) {
      double r0, c0, r1, c1;
      to_cell(s, coast.lat[i], coast.lon[i], &r0, &c0);
      to_cell(s, coast.lat[i + 1], coast.lon[i + 1], &r1, &c1);
      int n = (int)ceil(2 * fmax(fabs(r1 - r0), fabs(c1 - c0))) + 1;
      if (n > 100000) continue; /* a line that wraps the box's edge, not a coast */
      for (int k = 0; k <= n; k++) {
        double f = (double)k / n;
        long r = (long)floor(r0 + f * (r1 - r0)), c = (long)floor(c0 + f * (c1 - c0));
        if (r >= 0 && c >= 0 && r < (long)s->land.ny && c < (long)s->land.nx)
          s->land.level[(size_t)r * s->land.nx + (size_t)c] &= (uint8_t)~CLEAR;
      }
    }
  }
  geo_coast_release(&coast);
  return 0;
}

/* Levels of the grid (docs/models.md "Sea routing"): near the coast every node, with
 * the 16 moves whose lines are tested on the mask; in open water only the nodes of a
 * coarser lattice (every 2, 4, 8 nodes), joined by the same moves 2, 4, 8 times longer.
 * A node's level comes from its openness o, the Chebyshev distance in nodes to the
 * nearest grid cell that is not clear all over: level l needs o > 2^(l+1), so every
 * move of that scale from the node stays inside clear water (no line to test), and a
 * node one level up is always one move away (the lattices nest). */
#define LEVELS 4

static int level_of_openness(int o) {
  int l = 0;
  while (l + 1 < LEVELS && o > 2 << (l + 1)) l++;
  return l;
}

/* Chebyshev distance (in nodes) from each grid cell to the nearest cell that is not
 * open, beyond the grid's edge counting as not open: the two passes of the chessboard
 * distance transform. */
static int od_at(const int *o, int ni, int nj, int i, int j) {
  return i < 0 || j < 0 || i >= ni || j >= nj ? 0 : o[(size_t)i * nj + j];
}

static void openness(const geo_sea *s, int *o) {
  int ni = s->ni, nj = s->nj;
  for (size_t k = 0; k < (size_t)ni * nj; k++) o[k] = s->open[k] ? INT32_MAX / 2 : 0;
  for (int i = 0; i < ni; i++)
    for (int j = 0; j < nj; j++) {
      int *v = &o[(size_t)i * nj + j], b = *v;
      if (!b) continue;
      const int nb[4] = {od_at(o, ni, nj, i - 1, j - 1), od_at(o, ni, nj, i - 1, j),
                         od_at(o, ni, nj, i - 1, j + 1), od_at(o, ni, nj, i, j - 1)};
      for (int k = 0; k < 4; k++) if (nb[k] + 1 < b) b = nb[k] + 1;
      *v = b;
    }
  for (int i = ni; i-- > 0;)
    for (int j = nj; j-- > 0;) {
      int *v = &o[(size_t)i * nj + j], b = *v;
      if (!b) continue;
      const int nb[4] = {od_at(o, ni, nj, i + 1, j + 1), od_at(o, ni, nj, i + 1, j),
                         od_at(o, ni, nj, i + 1, j - 1), od_at(o, ni, nj, i, j + 1)};
      for (int k = 0; k < 4; k++) if (nb[k] + 1 < b) b = nb[k] + 1;
      *v = b;
    }
}

/* Each node's grid cell and unit vector, from the node table: 0 or ERR_NOMEM. */
static int node_tables(geo_sea *s) {
  size_t ncell = (size_t)s->ni * (size_t)s->nj;
  if (!(s->cell = malloc(((size_t)s->nnode + 1) * sizeof *s->cell)) ||
      !(s->xyz = malloc(3 * ((size_t)s->nnode + 1) * sizeof *s->xyz)))
    return ERR_NOMEM;
  for (size_t i = 0; i < ncell; i++)
    if (s->node[i] >= 0) {
      int u = s->node[i];
      double lat, lon;
      s->cell[u] = (int)i;
      node_pos(s, (int)(i / (size_t)s->nj), (int)(i % (size_t)s->nj), &lat, &lon);
      s->xyz[3 * u] = cos(lat * GEO_DEG) * cos(lon * GEO_DEG);
      s->xyz[3 * u + 1] = cos(lat * GEO_DEG) * sin(lon * GEO_DEG);
      s->xyz[3 * u + 2] = sin(lat * GEO_DEG);
    }
  return 0;
}

/* Nodes where the mask is clear (in open water, those of their level's lattice), and
 * the arcs between them that stay clear; the result is kept on disk (sea_cache.c). */
static int build_graph(geo_sea *s) {
  int step = s->o.step, err = ERR_NOMEM;
  s->ni = (int)(s->land.ny / (size_t)step), s->nj = (int)(s->land.nx / (size_t)step);
  size_t ncell = (size_t)s->ni * (size_t)s->nj;
  int *first = NULL, *head = NULL, *deg = NULL, *eu = NULL, *ev = NULL;
  double *len = NULL, *dlen = NULL, *elen = NULL;
  if (!(s->node = malloc((ncell + 1) * sizeof *s->node)) || !(s->open = calloc(ncell + 1, 1)) ||
      !(s->odist = malloc((ncell + 1) * sizeof *s->odist)))
    goto done;
  for (int gi = 0; gi + 1 < s->ni; gi++)
    for (int gj = 0; gj + 1 < s->nj; gj++) {
      long r0 = (long)gi * step + step / 2, c0 = (long)gj * step + step / 2;
      int all = 1;
      for (long r = r0; r <= r0 + step && all; r++)
        for (long c = c0; c <= c0 + step && all; c++) all = cell_clear(s, r, c);
      s->open[(size_t)gi * s->nj + gj] = (uint8_t)all;
    }
  openness(s, s->odist);
  s->nnode = 0;
  for (int gi = 0; gi < s->ni; gi++)
    for (int gj = 0; gj < s->nj; gj++) {
      long r = (long)gi * step + step / 2, c = (long)gj * step + step / 2;
      int l = level_of_openness(s->odist[(size_t)gi * s->nj + gj]), m = (1 << l) - 1;
      int kept = cell_clear(s, r, c) && !(gi & m) && !(gj & m);
      s->node[(size_t)gi * s->nj + gj] = kept ? s->nnode++ : -1;
    }
  if (node_tables(s) || !(dlen = malloc(((size_t)s->ni * NDIR * LEVELS + 1) * sizeof *dlen)) ||
      !(deg = calloc((size_t)s->nnode + 1, sizeof *deg)))
    goto done;
  /* Arc lengths by row, move and scale: the WGS84 geodesic between the two nodes. */
  for (int gi = 0; gi < s->ni; gi++)
    for (int d = 0; d < NDIR; d++)
      for (int l = 0; l < LEVELS; l++) {
        double a_lat, a_lon, b_lat, b_lon;
        node_pos(s, gi, 0, &a_lat, &a_lon);
        node_pos(s, gi + (move[d][0] * (1 << l)), move[d][1] * (1 << l), &b_lat, &b_lon);
        dlen[((size_t)gi * NDIR + d) * LEVELS + l] =
            geo_geodesic_inverse(a_lat, a_lon, b_lat, b_lon, NULL, NULL);
      }
  /* Edges, each made once: by the end of the higher level (the scale is within its
   * openness), or between two of the same level by the one it leaves forward. */
  size_t cap = (size_t)s->nnode * (NDIR / 2) + 1, ne = 0; /* grown if need be */
  if (cap > (size_t)INT32_MAX / 2) {
    err = ERR_LIMIT;
    goto done;
  }
  if (!(eu = malloc(cap * sizeof *eu)) || !(ev = malloc(cap * sizeof *ev)) ||
      !(elen = malloc(cap * sizeof *elen)))
    goto done;
  for (int u = 0; u < s->nnode; u++) {
    int gi = s->cell[u] / s->nj, gj = s->cell[u] % s->nj;
    int lu = level_of_openness(s->odist[s->cell[u]]);
    long r0 = (long)gi * step + step / 2, c0 = (long)gj * step + step / 2;
    for (int l = 0; l <= lu; l++)
      for (int d = 0; d < NDIR; d++) {
        int vi = gi + (move[d][0] * (1 << l)), vj = gj + (move[d][1] * (1 << l));
        if (vi < 0 || vj < 0 || vi >= s->ni || vj >= s->nj) continue;
        int v = s->node[(size_t)vi * s->nj + vj];
        if (v < 0) continue;
        int lv = level_of_openness(s->odist[(size_t)vi * s->nj + vj]);
        if (lv >= l && (lv > lu || (lv == lu && d >= NDIR / 2))) continue; /* v makes it */
        if (l == 0 && !(d < NDIR / 2 ? arc_clear(s, r0, c0, d)
                                     : arc_clear(s, (long)vi * step + step / 2,
                                                 (long)vj * step + step / 2, d - NDIR / 2)))
          continue;
        if (ne == cap) {
          size_t c2 = 2 * cap;
          int *a = realloc(eu, c2 * sizeof *a);
          if (a) eu = a;
          int *b = a ? realloc(ev, c2 * sizeof *b) : NULL;
          if (b) ev = b;
          double *e = b ? realloc(elen, c2 * sizeof *e) : NULL;
          if (!e) goto done;
          elen = e, cap = c2;
        }
        eu[ne] = u, ev[ne] = v, elen[ne] = dlen[((size_t)gi * NDIR + d) * LEVELS + l];
        deg[u]++, deg[v]++;
        ne++;
      }
  }
  if (2 * ne > (size_t)INT32_MAX) {
    err = ERR_LIMIT;
    goto done;
  }
  /* Both directions of every edge, in compressed rows (in the order made). */
  if (!(first = malloc(((size_t)s->nnode + 1) * sizeof *first)) ||
      !(head = malloc((2 * ne + 1) * sizeof *head)) || !(len = malloc((2 * ne + 1) * sizeof *len)))
    goto done;
  first[0] = 0;
  for (int u = 0; u < s->nnode; u++) first[u + 1] = first[u] + deg[u], deg[u] = first[u];
  for (size_t e = 0; e < ne; e++) {
    head[deg[eu[e]]] = ev[e], len[deg[eu[e]]++] = elen[e];
    head[deg[ev[e]]] = eu[e], len[deg[ev[e]]++] = elen[e];
  }
  s->narc = (int)(2 * ne);
  err = (s->g = geo__graph_new(s->nnode, first, head, len)) ? 0 : ERR_NOMEM;
  if (!err) geo__sea_cache_save(s, first, head, len);
done:
  free(first), free(head), free(len), free(dlen), free(deg), free(eu), free(ev), free(elen);
  return err;
}

static void sea_free(geo_sea *s) {
  if (!s) return;
  for (int i = 0; i < s->nsrc; i++) {
    sea_source *q = &s->src[i];
    free(q->dist), free(q->pred), free(q->seed), free(q->hop);
    for (sea_route *r = q->routes, *next; r; r = next) {
      next = r->next;
      geo_path_release(&r->path);
      free(r);
    }
  }
  geo__graph_free(s->g);
  free(s->node), free(s->cell), free(s->xyz), free(s->open), free(s->odist);
  geo_landmask_release(&s->land);
  pthread_mutex_destroy(&s->lock);
  free(s);
}

/* The sea from its file on disk (sea_cache.c), if there is a usable one: 0, or -1 with
 * s as it was (but for what it allocated, released). */
static int sea_load(geo_sea *s) {
  int *first = NULL, *head = NULL;
  double *len = NULL;
  if (geo__sea_cache_load(s, &first, &head, &len)) return -1;
  s->slack = 2 * s->o.mask_res * GEO_M_PER_DEG;
  build_trails(s);
  int err = node_tables(s);
  if (!err && !(s->g = geo__graph_new(s->nnode, first, head, len))) err = ERR_NOMEM;
  free(first), free(head), free(len);
  if (!err) return 0;
  free(s->node), free(s->cell), free(s->xyz), free(s->open), free(s->odist);
  s->node = s->cell = s->odist = NULL, s->xyz = NULL, s->open = NULL;
  geo_landmask_release(&s->land);
  return -1;
}

static int sea_build(geo_sea **out, const char *path, const geo_box *box,
                     const geo_sea_options *o, diag *d) {
  geo_sea *s = calloc(1, sizeof *s);
  int err;
  *out = NULL;
  if (!s) return ERR_NOMEM;
  s->o = *o, s->box = *box;
  pthread_mutex_init(&s->lock, NULL);
  snprintf(s->path, sizeof s->path, "%s", path);
  geo__sea_cache_key(s);
  if (sea_load(s) == 0) {
    *out = s;
    return 0;
  }
  if ((err = geo_landmask_build_fresh(&s->land, path, box->lat_min, box->lat_max, box->lon_min,
                                box->lon_max, o->mask_res, d))) {
    sea_free(s);
    return err;
  }
  s->slack = 2 * o->mask_res * GEO_M_PER_DEG;
  build_trails(s);
  if ((err = build_clear(s)) || (err = clear_coast(s, path, d)) || (err = build_graph(s))) {
    if (err == ERR_NOMEM) diag_report(d, DIAG_ERROR, path, 0, 0, "out of memory building the sea graph");
    sea_free(s);
    return err;
  }
  *out = s;
  return 0;
}

/* The last sea opened, kept for the process (searoute.h). */
static struct {
  pthread_mutex_t lock;
  geo_sea *last;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int same_sea(const geo_sea *s, const char *path, const geo_box *b, const geo_sea_options *o) {
  return s && !strcmp(s->path, path) && !memcmp(&s->box, b, sizeof *b) &&
         s->o.mask_res == o->mask_res && s->o.step == o->step &&
         s->o.clearance == o->clearance && s->o.reach == o->reach &&
         s->o.coastline == o->coastline;
}

int geo_sea_open(geo_sea **out, const geo_box *box, const geo_sea_options *o, diag *d) {
  char path[1024];
  *out = NULL;
  if (!(o->mask_res > 0) || o->step < 1 || !(o->clearance >= 0) || !(o->reach > 0)) {
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "bad sea routing options");
    return ERR_RANGE;
  }
  if (geo_gshhg_find(path, sizeof path, NULL, o->coastline)) return ERR_NOTFOUND;
  pthread_mutex_lock(&cache.lock);
  int err = 0;
  if (same_sea(cache.last, path, box, o)) {
    cache.last->refs++;
    *out = cache.last;
  } else if (!(err = sea_build(out, path, box, o, d))) {
    (*out)->refs = 1;
    if (cache.last && cache.last->refs == 0) sea_free(cache.last);
    cache.last = *out;
  }
  pthread_mutex_unlock(&cache.lock);
  return err;
}

void geo_sea_close(geo_sea *s) {
  if (!s) return;
  pthread_mutex_lock(&cache.lock);
  int gone = --s->refs == 0 && s != cache.last;
  pthread_mutex_unlock(&cache.lock);
  if (gone) sea_free(s);
}

/* ---- joining a point to the graph --------------------------------------------------- */

/* The best way from the graph to lat/lon: over the nodes within reach, the least
 * base[node] + the hop to the point (base NULL: 0 for every node), among the nodes it
 * sees over water if there are any, else among all of them (the point lies inland at
 * this resolution).  Calls visit(ctx, node, hop) for each chosen node instead when
 * visit is not NULL.  Returns the best node or -1, its total in *total. */
static int join_window(const geo_sea *s, const double *base, double lat, double lon, int ki,
                       int kj, double *total, void (*visit)(void *, int, double), void *ctx) {
  double r, c;
  to_cell(s, lat, lon, &r, &c);
  int gi0 = (int)floor(r / s->o.step), gj0 = (int)floor(c / s->o.step);
  int best[2] = {-1, -1};
  double val[2] = {INFINITY, INFINITY};
  for (int pass = 0; pass < (visit ? 2 : 1); pass++)
    for (int gi = gi0 - ki; gi <= gi0 + ki + 1; gi++) {
      if (gi < 0 || gi >= s->ni) continue;
      for (int gj = gj0 - kj; gj <= gj0 + kj + 1; gj++) {
        if (gj < 0 || gj >= s->nj) continue;
        int u = s->node[(size_t)gi * s->nj + gj];
        if (u < 0) continue;
        double b = base ? base[u] : 0;
        if (!isfinite(b)) continue;
        double n_lat, n_lon;
        node_pos(s, gi, gj, &n_lat, &n_lon);
        double hop = local_distance(lat, lon, n_lat, n_lon);
        if (hop > s->o.reach) continue;
        /* Whether it sees the point matters only if it could be the best of either
         * kind (the result is that of testing every node). */
        if (pass == 0 && !(b + hop < val[0] || b + hop < val[1])) continue;
        int sees = line_ok(s, lat, lon, 1, n_lat, n_lon, 0, hop);
        if (pass == 0) {
          if (b + hop < val[!sees]) val[!sees] = b + hop, best[!sees] = u;
        } else if (sees || best[0] < 0) {
          visit(ctx, u, hop);
        }
      }
    }
  int k = best[0] >= 0 ? 0 : 1;
  *total = val[k];
  return best[k];
}

/* The node cell (south-west corner node) holding a point, -1 outside the grid. */
static long grid_cell(const geo_sea *s, double lat, double lon, int *gi, int *gj) {
  double r, c;
  to_cell(s, lat, lon, &r, &c);
  /* Node rows and columns count from each node's cell centre (node_pos). */
  *gi = (int)floor((r - s->o.step / 2 - 0.5) / s->o.step);
  *gj = (int)floor((c - s->o.step / 2 - 0.5) / s->o.step);
  if (*gi < 0 || *gj < 0 || *gi + 1 >= s->ni || *gj + 1 >= s->nj) return -1;
  return (long)*gi * s->nj + *gj;
}

/* join() in open water (level >= 1): the nodes of the level's lattice within one
 * spacing (and a node) of the point's cell, all inside the clear water around it, so no
 * line is tested; one of them is always kept (the next lattice's nearest node).  -1
 * elsewhere.  Hops on the local plane at the point's latitude. */
static int join_open(const geo_sea *s, const double *base, double lat, double lon,
                     double *total, void (*visit)(void *, int, double), void *ctx) {
  int gi, gj;
  long k = grid_cell(s, lat, lon, &gi, &gj);
  if (k < 0) return -1;
  int l = level_of_openness(s->odist[k]);
  if (l == 0) return -1;
  int L = 1 << l, R = L + 1, best = -1;
  if (visit) {
    /* A source joins every node of the open square around it (once, at prepare
     * time): straight hops in all directions, so the first leg is not a lattice's. */
    R = s->odist[k] - 1 < 64 ? s->odist[k] - 1 : 64, L = 1;
  }
  geo_local pl; /* the source's plane */
  geo_local_init(&pl, lat, lon);
  *total = INFINITY;
  for (int i = (gi - R + L - 1) / L * L; i <= gi + R; i += L) {
    if (i < 0 || i >= s->ni) continue;
    for (int j = (gj - R + L - 1) / L * L; j <= gj + R; j += L) {
      if (j < 0 || j >= s->nj) continue;
      int u = s->node[(size_t)i * s->nj + j];
      if (u < 0 || (base && !isfinite(base[u]))) continue;
      double n_lat, n_lon;
      node_pos(s, i, j, &n_lat, &n_lon);
      double dx, dy;
      geo_local_xy(&pl, n_lat, n_lon, &dx, &dy);
      double hop = sqrt(dx * dx + dy * dy), t = (base ? base[u] : 0) + hop;
      if (visit) visit(ctx, u, hop);
      if (t < *total) *total = t, best = u;
    }
  }
  return best;
}

static int join(const geo_sea *s, const double *base, double lat, double lon, double *total,
                void (*visit)(void *, int, double), void *ctx) {
  int u = join_open(s, base, lat, lon, total, visit, ctx);
  if (u >= 0) return u;
  double step_m = s->o.step * s->land.res * GEO_M_PER_DEG;
  double coslat = fmax(geo_local_cos(lat), 0.05);
  int ki = (int)ceil(s->o.reach / step_m), kj = (int)ceil(s->o.reach / (step_m * coslat));
  return join_window(s, base, lat, lon, ki, kj, total, visit, ctx);
}

/* join() for a point at sea, quickly: the nodes of its grid cell and the ring around
 * it first, the whole reach only when none of them sees it (near a coast). */
static int join_near(const geo_sea *s, const double *base, double lat, double lon, double *total) {
  int gi, gj;
  long cell = grid_cell(s, lat, lon, &gi, &gj);
  int v0 = join_open(s, base, lat, lon, total, NULL, NULL);
  if (v0 >= 0) return v0;
  if (cell >= 0 && s->open[cell]) {
    /* Open water all round: the four corners see the point, no line to test. */
    int u = -1;
    *total = INFINITY;
    for (int di = 0; di <= 1; di++)
      for (int dj = 0; dj <= 1; dj++) {
        int v = s->node[(size_t)(gi + di) * s->nj + gj + dj];
        double n_lat, n_lon;
        if (v < 0 || !isfinite(base[v])) continue;
        node_pos(s, gi + di, gj + dj, &n_lat, &n_lon);
        double t = base[v] + local_distance(lat, lon, n_lat, n_lon);
        if (t < *total) *total = t, u = v;
      }
    if (u >= 0) return u;
  }
  for (int k = 0; k <= 1; k++) {
    int u = join_window(s, base, lat, lon, k, k, total, NULL, NULL);
    if (u >= 0) {
      double n_lat, n_lon;
      node_pos(s, s->cell[u] / s->nj, s->cell[u] % s->nj, &n_lat, &n_lon);
      if (line_ok(s, lat, lon, 1, n_lat, n_lon, 0, local_distance(lat, lon, n_lat, n_lon))) return u;
    }
  }
  return join(s, base, lat, lon, total, NULL, NULL);
}

typedef struct seeds {
  int n, cap;
  int *node;
  double *d0;
  int failed;
} seeds;

static void add_seed(void *ctx, int u, double hop) {
  seeds *z = ctx;
  if (z->n == z->cap) {
    int cap = z->cap ? 2 * z->cap : 64;
    int *n = realloc(z->node, (size_t)cap * sizeof *n);
    if (n) z->node = n;
    double *d = n ? realloc(z->d0, (size_t)cap * sizeof *d) : NULL;
    if (d) z->d0 = d;
    if (!n || !d) {
      z->failed = 1;
      return;
    }
    z->cap = cap;
  }
  z->node[z->n] = u, z->d0[z->n] = hop, z->n++;
}

int geo_sea_source(geo_sea *s, double lat, double lon) {
  pthread_mutex_lock(&s->lock);
  int id = -1, err = 0;
  for (int i = 0; i < s->nsrc && id < 0; i++)
    if (s->src[i].lat == lat && s->src[i].lon == lon) id = i;
  if (id >= 0) goto done;
  if (s->nsrc == GEO_SEA_MAX_SOURCES) {
    err = ERR_LIMIT;
    goto done;
  }
  sea_source *q = &s->src[s->nsrc];
  seeds z = {0};
  double unused;
  join(s, NULL, lat, lon, &unused, add_seed, &z);
  if (z.failed) {
    free(z.node), free(z.d0);
    err = ERR_NOMEM;
    goto done;
  }
  memset(q, 0, sizeof *q);
  q->lat = lat, q->lon = lon, q->nseed = z.n, q->seed = z.node, q->hop = z.d0;
  long cell = grid_cell(s, lat, lon, &q->gi, &q->gj);
  q->open = cell >= 0 ? s->odist[cell] : 0;
  id = s->nsrc++;
done:
  pthread_mutex_unlock(&s->lock);
  return err ? err : id;
}

int geo_sea_cover(geo_sea *s, int src, double radius) {
  pthread_mutex_lock(&s->lock);
  sea_source *q = &s->src[src];
  int done = q->dist && q->limit >= radius;
  pthread_mutex_unlock(&s->lock);
  if (done) return 0;
  /* The search reads only what never changes (graph, seeds): it runs unlocked, so
   * several sources are covered at once (geo_sea_cover_all). */
  double *dist = malloc(((size_t)s->nnode + 1) * sizeof *dist);
  int *pred = malloc(((size_t)s->nnode + 1) * sizeof *pred);
  if (!dist || !pred) {
    free(dist), free(pred);
    return ERR_NOMEM;
  }
  /* A full field is kept on disk (sea_cache.c): read it, or search and keep it. */
  if (geo__sea_field_load(s, q, dist, pred) == 0) {
    radius = INFINITY;
  } else if (geo__graph_paths(s->g, q->seed, q->hop, q->nseed, radius, dist, pred)) {
    free(dist), free(pred);
    return ERR_NOMEM;
  } else if (isinf(radius)) {
    geo__sea_field_save(s, q, dist, pred);
  }
  pthread_mutex_lock(&s->lock);
  if (q->dist && q->limit >= radius) {
    free(dist), free(pred);
  } else {
    free(q->dist), free(q->pred);
    q->dist = dist, q->pred = pred, q->limit = radius;
  }
  pthread_mutex_unlock(&s->lock);
  return 0;
}

typedef struct cover_job {
  geo_sea *s;
  const int *src;
  int n, next, err;
  double radius;
  pthread_mutex_t lock;
} cover_job;

static void *cover_worker(void *arg) {
  cover_job *j = arg;
  for (;;) {
    pthread_mutex_lock(&j->lock);
    int i = j->next < j->n && !j->err ? j->next++ : -1;
    pthread_mutex_unlock(&j->lock);
    if (i < 0) return NULL;
    int err = geo_sea_cover(j->s, j->src[i], j->radius);
    if (err) {
      pthread_mutex_lock(&j->lock);
      j->err = err;
      pthread_mutex_unlock(&j->lock);
    }
  }
}

int geo_sea_cover_all(geo_sea *s, const int *src, int n, double radius, int threads) {
  int *distinct = malloc(((size_t)n + 1) * sizeof *distinct), m = 0;
  if (!distinct) return ERR_NOMEM;
  for (int i = 0; i < n; i++) { /* one search per source, however often it is listed */
    int seen = 0;
    for (int k = 0; k < m && !seen; k++) seen = distinct[k] == src[i];
    if (!seen) distinct[m++] = src[i];
  }
  cover_job j = {s, distinct, m, 0, 0, radius, PTHREAD_MUTEX_INITIALIZER};
  n = m;
  pthread_t t[16];
  int nt = 0;
  if (threads > 16) threads = 16;
  for (; nt < threads - 1 && nt < n - 1; nt++)
    if (pthread_create(&t[nt], NULL, cover_worker, &j)) break;
  cover_worker(&j);
  for (int i = 0; i < nt; i++) pthread_join(t[i], NULL);
  pthread_mutex_destroy(&j.lock);
  free(distinct);
  return j.err;
}

/* Whether the straight line from source q to lat/lon lies in clear water: the point is
 * inside the open square (in nodes) around one of the two ends, which holds the line. */
static int in_open_sight(const geo_sea *s, const sea_source *q, double lat, double lon) {
  int gi, gj;
  long cell = grid_cell(s, lat, lon, &gi, &gj);
  if (cell < 0) return 0;
  int o = s->odist[cell] > q->open ? s->odist[cell] : q->open;
  int di = abs(gi - q->gi), dj = abs(gj - q->gj);
  return (di > dj ? di : dj) + 1 < o;
}

double geo_sea_distance(const geo_sea *s, int src, double lat, double lon) {
  const sea_source *q = &s->src[src];
  double total;
  if (lat == q->lat && lon == q->lon) return 0;
  if (in_open_sight(s, q, lat, lon)) return geo_geodesic_inverse(q->lat, q->lon, lat, lon, NULL, NULL);
  if (!q->dist) return INFINITY;
  return join_near(s, q->dist, lat, lon, &total) >= 0 ? total : INFINITY;
}

/* A point f of the way from a to b, linear in lat/lon (legs are short or drawn so). */
static void between(double a_lat, double a_lon, double b_lat, double b_lon, double f, double *lat,
                    double *lon) {
  f = f < 0 ? 0 : f > 1 ? 1 : f;
  *lat = a_lat + f * (b_lat - a_lat), *lon = a_lon + f * (b_lon - a_lon);
}

int geo_sea_along(const geo_sea *s, int src, double lat, double lon, double along,
                  double *at_lat, double *at_lon) {
  const sea_source *q = &s->src[src];
  double total = geo_sea_distance(s, src, lat, lon);
  if (!isfinite(total)) return ERR_NOTFOUND;
  if (!(along < total)) {
    *at_lat = q->lat, *at_lon = q->lon;
    return 0;
  }
  if (in_open_sight(s, q, lat, lon) || !q->dist || (lat == q->lat && lon == q->lon)) {
    between(lat, lon, q->lat, q->lon, along / total, at_lat, at_lon);
    return 0;
  }
  /* The node the point joins, then down the tree: each arc's length is the fall in
   * the field along it, the last one (from a seed) the seed's hop from the source. */
  double unused, p_lat = lat, p_lon = lon, left = along;
  int u = join_near(s, q->dist, lat, lon, &unused);
  double hop = total - q->dist[u];
  for (;;) {
    double n_lat, n_lon;
    if (u >= 0) node_pos(s, s->cell[u] / s->nj, s->cell[u] % s->nj, &n_lat, &n_lon);
    else n_lat = q->lat, n_lon = q->lon;
    if (u < 0 || left < hop) {
      between(p_lat, p_lon, n_lat, n_lon, hop > 0 ? left / hop : 1, at_lat, at_lon);
      return 0;
    }
    left -= hop, p_lat = n_lat, p_lon = n_lon;
    int v = q->pred[u];
    hop = v >= 0 ? q->dist[u] - q->dist[v] : q->dist[u];
    u = v;
  }
}

/* ---- paths -------------------------------------------------------------------------- */

void geo_path_release(geo_path *p) {
  if (!p) return;
  free(p->lat), free(p->lon);
  memset(p, 0, sizeof *p);
}

static int path_copy(geo_path *to, const geo_path *from) {
  memset(to, 0, sizeof *to);
  if (!(to->lat = malloc((from->n + 1) * sizeof *to->lat)) ||
      !(to->lon = malloc((from->n + 1) * sizeof *to->lon))) {
    geo_path_release(to);
    return ERR_NOMEM;
  }
  memcpy(to->lat, from->lat, from->n * sizeof *to->lat);
  memcpy(to->lon, from->lon, from->n * sizeof *to->lon);
  to->n = from->n, to->length = from->length;
  return 0;
}

/* Pull the polyline straight: from each kept point, go on to the farthest next point
 * that the line from it still reaches over clear water (the first and the last
 * points are the end points, with their reach and slack). */
static size_t pull_straight(const geo_sea *s, double *lat, double *lon, size_t n) {
  size_t out = 1, i = 0;
  while (i + 1 < n) {
    size_t j = i + 1;
    while (j + 1 < n) {
      double len = local_distance(lat[i], lon[i], lat[j + 1], lon[j + 1]);
      if (!line_ok(s, lat[i], lon[i], i == 0, lat[j + 1], lon[j + 1], j + 1 == n - 1, len)) break;
      j++;
    }
    lat[out] = lat[j], lon[out] = lon[j], out++;
    i = j;
  }
  return out;
}

/* The search's bound: 0.99 of the great circle on the mean sphere to the target, below
 * the WGS84 geodesic (they differ by under 0.6%), so consistent with the arc lengths. */
typedef struct aim_ctx {
  const geo_sea *s;
  double x, y, z;
} aim_ctx;

static double aim_bound(const void *ctx, int u) {
  const aim_ctx *a = ctx;
  const double *p = &a->s->xyz[3 * u];
  double dx = p[0] - a->x, dy = p[1] - a->y, dz = p[2] - a->z;
  double h = 0.5 * sqrt(dx * dx + dy * dy + dz * dz);
  return 0.99 * 2 * GEO_EARTH_RADIUS * asin(h < 1 ? h : 1);
}

/* The polyline from q through the nodes ending at u (by pred) to lat/lon. */
static int trace(const geo_sea *s, const sea_source *q, const int *pred, int u, double lat,
                 double lon, geo_path *out) {
  size_t n = 2;
  for (int v = u; v >= 0; v = pred[v]) n++;
  if (!(out->lat = malloc(n * sizeof *out->lat)) || !(out->lon = malloc(n * sizeof *out->lon))) {
    geo_path_release(out);
    return ERR_NOMEM;
  }
  out->lat[0] = q->lat, out->lon[0] = q->lon;
  out->lat[n - 1] = lat, out->lon[n - 1] = lon;
  size_t k = n - 2;
  for (int v = u; v >= 0; v = pred[v], k--) {
    int gi = s->cell[v] / s->nj, gj = s->cell[v] % s->nj;
    node_pos(s, gi, gj, &out->lat[k], &out->lon[k]);
  }
  out->n = n;
  return 0;
}

/* Search the path from q to lat/lon (under the sea's lock). */
static int find_path(geo_sea *s, sea_source *q, double lat, double lon, geo_path *out) {
  seeds t = {0};
  double unused, *dist = q->dist;
  int *pred = q->pred, err = 0, best = -1;
  memset(out, 0, sizeof *out);
  double direct = local_distance(q->lat, q->lon, lat, lon);
  if ((direct < s->o.reach && line_ok(s, q->lat, q->lon, 1, lat, lon, 1, direct)) ||
      in_open_sight(s, q, lat, lon)) {
    if (!(out->lat = malloc(2 * sizeof *out->lat)) || !(out->lon = malloc(2 * sizeof *out->lon))) {
      geo_path_release(out);
      return ERR_NOMEM;
    }
    out->lat[0] = q->lat, out->lon[0] = q->lon, out->lat[1] = lat, out->lon[1] = lon, out->n = 2;
    goto measure;
  }
  join(s, NULL, lat, lon, &unused, add_seed, &t);
  if (t.failed) {
    err = ERR_NOMEM;
    goto done;
  }
  int covered = dist != NULL;
  /* Within the field, or beyond it but then unreachable (a field to the end). */
  for (int i = 0; i < t.n && covered; i++) covered = dist[t.node[i]] <= q->limit || isinf(q->limit);
  if (!covered) {
    aim_ctx a = {s, cos(lat * GEO_DEG) * cos(lon * GEO_DEG), cos(lat * GEO_DEG) * sin(lon * GEO_DEG), sin(lat * GEO_DEG)};
    dist = malloc(((size_t)s->nnode + 1) * sizeof *dist);
    pred = malloc(((size_t)s->nnode + 1) * sizeof *pred);
    if (!dist || !pred ||
        geo__graph_aim(s->g, q->seed, q->hop, q->nseed, t.node, t.n, aim_bound, &a, dist, pred)) {
      err = ERR_NOMEM;
      goto done;
    }
  }
  double total = INFINITY;
  for (int i = 0; i < t.n; i++)
    if (dist[t.node[i]] + t.d0[i] < total) total = dist[t.node[i]] + t.d0[i], best = t.node[i];
  if (best < 0) {
    err = ERR_NOTFOUND;
    goto done;
  }
  if ((err = trace(s, q, pred, best, lat, lon, out))) goto done;
  out->n = pull_straight(s, out->lat, out->lon, out->n);
measure:
  out->length = 0;
  for (size_t i = 0; i + 1 < out->n; i++)
    out->length += geo_geodesic_inverse(out->lat[i], out->lon[i], out->lat[i + 1],
                                        out->lon[i + 1], NULL, NULL);
done:
  if (dist != q->dist) free(dist);
  if (pred != q->pred) free(pred);
  free(t.node), free(t.d0);
  return err;
}

int geo_sea_path(geo_sea *s, int src, double lat, double lon, geo_path *out) {
  pthread_mutex_lock(&s->lock);
  sea_source *q = &s->src[src];
  sea_route *r = q->routes;
  while (r && !(r->lat == lat && r->lon == lon)) r = r->next;
  int err = 0;
  memset(out, 0, sizeof *out);
  if (!r) {
    if (!(r = calloc(1, sizeof *r))) {
      err = ERR_NOMEM;
      goto done;
    }
    err = find_path(s, q, lat, lon, &r->path);
    if (err && err != ERR_NOTFOUND) {
      free(r);
      goto done;
    }
    r->lat = lat, r->lon = lon, r->found = !err;
    r->next = q->routes, q->routes = r;
  }
  err = r->found ? path_copy(out, &r->path) : ERR_NOTFOUND;
done:
  pthread_mutex_unlock(&s->lock);
  return err;
}

/* GSHHG land (level 1 or 3) at a point of the mask; outside it, sea. */
static int sea_land(const geo_sea *s, double lat, double lon) {
  double r, c;
  to_cell(s, lat, lon, &r, &c);
  if (!(r >= 0 && c >= 0 && r < (double)s->land.ny && c < (double)s->land.nx)) return 0;
  int l = cell_level(s, (long)r, (long)c);
  return l == 1 || l == 3;
}

/* ---- questions about the coast ------------------------------------------------------ */

int geo_sea_crosses(const geo_sea *s, double a_lat, double a_lon, double b_lat, double b_lon,
                    double slack_a, double slack_b, double *lat, double *lon) {
  double r0, c0, r1, c1;
  to_cell(s, a_lat, a_lon, &r0, &c0);
  to_cell(s, b_lat, b_lon, &r1, &c1);
  double len = local_distance(a_lat, a_lon, b_lat, b_lon);
  if (len > 50000) len = geo_geodesic_inverse(a_lat, a_lon, b_lat, b_lon, NULL, NULL);
  int n = (int)ceil(2 * fmax(fabs(r1 - r0), fabs(c1 - c0))) + 1;
  for (int k = 0; k <= n; k++) {
    double f = (double)k / n;
    if (f * len < slack_a || (1 - f) * len < slack_b) continue;
    double la = a_lat + f * (b_lat - a_lat), lo = a_lon + f * (b_lon - a_lon);
    if (sea_land(s, la, lo)) {
      *lat = la, *lon = lo;
      return 1;
    }
  }
  return 0;
}

int geo_sea_is_land(const geo_sea *s, double lat, double lon) {
  return sea_land(s, lat, lon);
}

char geo_sea_coastline(const geo_sea *s) { return s->land.resolution; }

void geo_sea_size(const geo_sea *s, int *nodes, int *arcs) {
  *nodes = s->nnode, *arcs = s->narc;
}
