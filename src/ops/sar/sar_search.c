/* sar_search.c - search planning: the probability map from particle weights, the
 * optimal allocation of effort (Koopman's random search; Stone's theorem), a search
 * rectangle per unit with parallel-track spacing, and the Bayesian update after an
 * unsuccessful search.  Derivations: docs/models.md. */
#include "sar.h"
#include "geo_local.h"
#include "sar_pattern.h"

#include <float.h>
#include <math.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#define R_EARTH GEO_EARTH_RADIUS
#define DEG (M_PI / 180.0)

void sar_grid_build(sar_grid *g, const sar_particles *p, double cell, size_t max_cells,
                    double *p_buf, double *area_buf) {
  memset(g, 0, sizeof *g);
  double la0 = 90, la1 = -90, lo0 = 1e9, lo1 = -1e9;
  for (size_t i = 0; i < p->n; i++) {
    la0 = fmin(la0, p->lat[i]), la1 = fmax(la1, p->lat[i]);
    lo0 = fmin(lo0, p->lon[i]), lo1 = fmax(lo1, p->lon[i]);
  }
  if (p->n == 0)
    la0 = la1 = lo0 = lo1 = 0;
  if (max_cells > SAR_MAX_CELLS)
    max_cells = SAR_MAX_CELLS; /* callers pass at least 9 */
  double coslat = geo_local_cos_mean(la0, la1);
  g->dlat = geo_local_dlat(cell);
  g->dlon = g->dlat / fmax(coslat, 0.01); /* the clamp keeps a polar grid finite */
  for (;;) {
    g->ny = (size_t)floor((la1 - la0) / g->dlat) + 3; /* one cell of margin each side */
    g->nx = (size_t)floor((lo1 - lo0) / g->dlon) + 3;
    if (g->ny * g->nx <= max_cells)
      break;
    double f = sqrt((double)(g->ny * g->nx) / (double)max_cells) * 1.01;
    g->dlat *= f, g->dlon *= f;
  }
  g->lat0 = la0 - g->dlat, g->lon0 = lo0 - g->dlon;
  size_t n = g->ny * g->nx;
  g->p = p_buf, g->area = area_buf;
  memset(g->p, 0, n * sizeof *g->p);
  for (size_t j = 0; j < g->ny; j++) {
    double s0 = sin((g->lat0 + (double)j * g->dlat) * DEG);
    double s1 = sin((g->lat0 + (double)(j + 1) * g->dlat) * DEG);
    double A = R_EARTH * R_EARTH * g->dlon * DEG * (s1 - s0); /* exact on the sphere */
    for (size_t i = 0; i < g->nx; i++)
      g->area[j * g->nx + i] = A;
  }
  for (size_t k = 0; k < p->n; k++) {
    size_t i = (size_t)((p->lon[k] - g->lon0) / g->dlon);
    size_t j = (size_t)((p->lat[k] - g->lat0) / g->dlat);
    if (i < g->nx && j < g->ny)
      g->p[j * g->nx + i] += p->w[k];
  }
}

/* sum_j A_j max(0, ln(d_j) - ln lambda): the effort lambda asks for. */
static double effort_at(const double *p, const double *area, size_t n, double ll) {
  double e = 0;
  for (size_t j = 0; j < n; j++)
    if (p[j] > 0 && area[j] > 0) {
      double x = log(p[j] / area[j]) - ll;
      if (x > 0)
        e += area[j] * x;
    }
  return e;
}

double sar_alloc_effort(double *z, const double *p, const double *area, size_t n, double E,
                        double *lambda_out) {
  double lo = INFINITY, hi = -INFINITY, total_a = 0;
  for (size_t j = 0; j < n; j++) {
    z[j] = 0;
    if (p[j] > 0 && area[j] > 0) {
      double ld = log(p[j] / area[j]);
      lo = fmin(lo, ld), hi = fmax(hi, ld);
      total_a += area[j];
    }
  }
  if (!(hi > -INFINITY) || !(E > 0)) {
    if (lambda_out)
      *lambda_out = hi > -INFINITY ? exp(hi) : 0;
    return 0;
  }
  /* ln lambda lies in [lo - E/total_a, hi]: at the lower end every cell is active and
   * asks for at least E. */
  double a = lo - E / total_a, b = hi;
  for (int it = 0; it < 200 && b - a > 1e-13 * fmax(1.0, fabs(a)); it++) {
    double m = 0.5 * (a + b);
    if (effort_at(p, area, n, m) > E)
      a = m;
    else
      b = m;
  }
  /* The active set {d_j > lambda} at the bisection's answer, then the exact closed
   * form over it (repeated in case a cell sits on the boundary). */
  double ll = 0.5 * (a + b);
  for (int pass = 0; pass < 4; pass++) {
    double sa = 0, sal = 0;
    for (size_t j = 0; j < n; j++)
      if (p[j] > 0 && area[j] > 0 && log(p[j] / area[j]) > ll)
        sa += area[j], sal += area[j] * log(p[j] / area[j]);
    if (!(sa > 0))
      break;
    double nl = (sal - E) / sa;
    if (nl == ll)
      break;
    ll = nl;
  }
  double pos = 0;
  for (size_t j = 0; j < n; j++)
    if (p[j] > 0 && area[j] > 0) {
      double x = log(p[j] / area[j]) - ll;
      if (x > 0) {
        z[j] = area[j] * x;
        pos += p[j] * (1 - exp(-x));
      }
    }
  if (lambda_out)
    *lambda_out = exp(ll);
  return pos;
}

void sar_plan_rect(sar_rect *out, const sar_grid *g, double W, double L, double *scratch) {
  sar_plan_rect_in(out, g, W, L, 0, g->nx, 0, g->ny, scratch);
}

/* Prefix sums of p (S, (ny+1) x (nx+1)) and of a row's cell area (RA, ny+1). */
static void prefix_sums(const sar_grid *g, double *S, double *RA) {
  size_t nx = g->nx, ny = g->ny, w1 = nx + 1;
  for (size_t j = 0; j <= ny; j++)
    S[j * w1] = 0;
  for (size_t i = 0; i <= nx; i++)
    S[i] = 0;
  RA[0] = 0;
  for (size_t j = 0; j < ny; j++) {
    RA[j + 1] = RA[j] + g->area[j * nx];
    for (size_t i = 0; i < nx; i++)
      S[(j + 1) * w1 + i + 1] = g->p[j * nx + i] + S[j * w1 + i + 1] + S[(j + 1) * w1 + i] - S[j * w1 + i];
  }
}

static void rect_finish(sar_rect *out, const sar_grid *g, double W, double L) {
  out->lat_min = g->lat0 + (double)out->j0 * g->dlat;
  out->lat_max = g->lat0 + (double)out->j1 * g->dlat;
  out->lon_min = g->lon0 + (double)out->i0 * g->dlon;
  out->lon_max = g->lon0 + (double)out->i1 * g->dlon;
  out->track = L;
  out->spacing = L > 0 && out->area > 0 ? out->area / L : INFINITY;
  out->coverage = L > 0 && out->area > 0 ? W / out->spacing : 0;
  out->pod = 1 - exp(-out->coverage);
}

void sar_plan_rect_in(sar_rect *out, const sar_grid *g, double W, double L, size_t bi0,
                      size_t bi1, size_t bj0, size_t bj1, double *scratch) {
  size_t nx = g->nx, ny = g->ny, w1 = nx + 1;
  double *S = scratch, *RA = scratch + (ny + 1) * w1; /* prefix sums: p, row area */
  memset(out, 0, sizeof *out);
  if (bi1 > nx) bi1 = nx;
  if (bj1 > ny) bj1 = ny;
  if (bi0 >= bi1 || bj0 >= bj1)
    return;
  prefix_sums(g, S, RA);
  size_t ci = bi0, cj = bj0;
  double bestd = -1;
  for (size_t j = bj0; j < bj1; j++)
    for (size_t i = bi0; i < bi1; i++) {
      double d = g->p[j * nx + i] / g->area[j * nx + i];
      if (d > bestd)
        bestd = d, ci = i, cj = j;
    }
  double bestv = -1, E = W * L;
  for (size_t b = 0; b < bj1 - bj0; b++) {
    size_t j0 = cj >= bj0 + b ? cj - b : bj0, j1 = cj + b + 1 > bj1 ? bj1 : cj + b + 1;
    for (size_t a = 0; a < bi1 - bi0; a++) {
      size_t i0 = ci >= bi0 + a ? ci - a : bi0, i1 = ci + a + 1 > bi1 ? bi1 : ci + a + 1;
      double P = S[j1 * w1 + i1] - S[j0 * w1 + i1] - S[j1 * w1 + i0] + S[j0 * w1 + i0];
      double A = (RA[j1] - RA[j0]) * (double)(i1 - i0);
      double v = P * (1 - exp(-E / A));
      if (v > bestv) {
        bestv = v;
        out->i0 = i0, out->i1 = i1, out->j0 = j0, out->j1 = j1, out->area = A, out->poc = P;
      }
      if (i0 == bi0 && i1 == bi1)
        break;
    }
    if (j0 == bj0 && j1 == bj1)
      break;
  }
  rect_finish(out, g, W, L);
}

/* ---- several units planned together ------------------------------------------------ */

typedef struct joint_ctx {
  const sar_grid *g;
  const double *W, *L, *blat, *blon, *z;
  sar_rect *out;
  double *scratch;
} joint_ctx;

/* Effort z (or, where none was allocated, probability) in the box's lines along one
 * axis: line k of [a0, a1) along x (columns) or y (rows). */
static double line_mass(const joint_ctx *J, int along_x, size_t k, size_t i0, size_t i1,
                        size_t j0, size_t j1, const double *v) {
  const sar_grid *g = J->g;
  double m = 0;
  if (along_x)
    for (size_t j = j0; j < j1; j++)
      m += v[j * g->nx + k];
  else
    for (size_t i = i0; i < i1; i++)
      m += v[k * g->nx + i];
  return m;
}

/* Order units by key (insertion sort: a handful of units, no global comparator state,
 * ties by index so the order is deterministic). */
static void sort_units(size_t *u, size_t n, const double *key) {
  for (size_t a = 1; a < n; a++) {
    size_t x = u[a], b = a;
    while (b > 0 && (key[u[b - 1]] > key[x] || (key[u[b - 1]] == key[x] && u[b - 1] > x)))
      u[b] = u[b - 1], b--;
    u[b] = x;
  }
}

static void joint_split(const joint_ctx *J, size_t *u, size_t n, size_t i0, size_t i1,
                        size_t j0, size_t j1) {
  const sar_grid *g = J->g;
  if (n == 1) {
    size_t k = u[0];
    sar_plan_rect_in(&J->out[k], g, J->W[k], J->L[k], i0, i1, j0, j1, J->scratch);
    return;
  }
  double coslat = geo_local_cos(g->lat0 + 0.5 * (double)(j0 + j1) * g->dlat);
  double wx = (double)(i1 - i0) * g->dlon * coslat, wy = (double)(j1 - j0) * g->dlat;
  int along_x = wx >= wy; /* cut across the longer side */
  if (i1 - i0 < 2) along_x = 0;
  if (j1 - j0 < 2) along_x = 1;
  size_t a0 = along_x ? i0 : j0, a1 = along_x ? i1 : j1;
  if (a1 - a0 < 2) { /* one cell: no room to cut; every unit plans in it */
    for (size_t k = 0; k < n; k++)
      sar_plan_rect_in(&J->out[u[k]], g, J->W[u[k]], J->L[u[k]], i0, i1, j0, j1, J->scratch);
    return;
  }
  sort_units(u, n, along_x ? J->blon : J->blat); /* the nearer part to the nearer base */
  size_t n1 = n / 2;
  double e1 = 0, e = 0;
  for (size_t k = 0; k < n; k++) {
    double ek = J->W[u[k]] * J->L[u[k]];
    e += ek;
    if (k < n1) e1 += ek;
  }
  double f = e > 0 ? e1 / e : 0.5;
  const double *v = J->z;
  double tot = 0;
  for (size_t k = a0; k < a1; k++)
    tot += line_mass(J, along_x, k, i0, i1, j0, j1, v);
  if (!(tot > 0)) { /* nothing allocated here: share the probability instead */
    v = g->p, tot = 0;
    for (size_t k = a0; k < a1; k++)
      tot += line_mass(J, along_x, k, i0, i1, j0, j1, v);
  }
  size_t cut = a0 + (a1 - a0) / 2;
  if (tot > 0) {
    double cum = 0, best = INFINITY;
    for (size_t k = a0; k + 1 < a1; k++) {
      cum += line_mass(J, along_x, k, i0, i1, j0, j1, v);
      double d = fabs(cum / tot - f);
      if (d < best)
        best = d, cut = k + 1;
    }
  }
  if (along_x) {
    joint_split(J, u, n1, i0, cut, j0, j1);
    joint_split(J, u + n1, n - n1, cut, i1, j0, j1);
  } else {
    joint_split(J, u, n1, i0, i1, j0, cut);
    joint_split(J, u + n1, n - n1, i0, i1, cut, j1);
  }
}

/* P(R) (1 - exp(-E / A(R))) of the cell box from the prefix sums. */
static double box_value(const sar_grid *g, const double *S, const double *RA, size_t i0,
                        size_t i1, size_t j0, size_t j1, double E, double *P, double *A) {
  size_t w1 = g->nx + 1;
  *P = S[j1 * w1 + i1] - S[j0 * w1 + i1] - S[j1 * w1 + i0] + S[j0 * w1 + i0];
  *A = (RA[j1] - RA[j0]) * (double)(i1 - i0);
  return *A > 0 ? *P * (1 - exp(-E / *A)) : 0;
}

static int boxes_overlap(const sar_rect *a, const sar_rect *b) {
  return a->i0 < b->i1 && b->i0 < a->i1 && a->j0 < b->j1 && b->j0 < a->j1;
}

/* Local improvement of the joint plan: move one edge of one rectangle by a cell at a
 * time while that raises the plan's POS (the rectangles stay disjoint, so the POS is
 * the sum of their P(R) POD), until no move does. */
static void joint_improve(const sar_grid *g, sar_rect *out, const size_t *u, size_t m,
                          const double *W, const double *L, double *scratch) {
  double *S = scratch, *RA = scratch + (g->ny + 1) * (g->nx + 1);
  prefix_sums(g, S, RA);
  /* each edge alone, or the whole rectangle shifted, by a step of 1, 2, 4 or 8 cells */
  static const int moves[12][4] = {{-1, 0, 0, 0}, {1, 0, 0, 0}, {0, -1, 0, 0}, {0, 1, 0, 0},
                                   {0, 0, -1, 0}, {0, 0, 1, 0}, {0, 0, 0, -1}, {0, 0, 0, 1},
                                   {-1, -1, 0, 0}, {1, 1, 0, 0}, {0, 0, -1, -1}, {0, 0, 1, 1}};
  for (int round = 0, improved = 1; improved && round < 10000; round++) {
    improved = 0;
    for (size_t k = 0; k < m; k++) {
      sar_rect *r = &out[u[k]];
      double E = W[u[k]] * L[u[k]], P, A;
      if (r->i1 <= r->i0 || r->j1 <= r->j0)
        continue;
      double best = box_value(g, S, RA, r->i0, r->i1, r->j0, r->j1, E, &P, &A);
      for (int mv = 0; mv < 48; mv++) {
        sar_rect t = *r;
        long st = 1L << (mv / 12);
        const int *d = moves[mv % 12];
        long i0 = (long)t.i0 + st * d[0], i1 = (long)t.i1 + st * d[1];
        long j0 = (long)t.j0 + st * d[2], j1 = (long)t.j1 + st * d[3];
        if (i0 < 0 || j0 < 0 || i1 > (long)g->nx || j1 > (long)g->ny || i0 >= i1 || j0 >= j1)
          continue;
        t.i0 = (size_t)i0, t.i1 = (size_t)i1, t.j0 = (size_t)j0, t.j1 = (size_t)j1;
        int clash = 0;
        for (size_t o = 0; o < m && !clash; o++)
          clash = o != k && boxes_overlap(&t, &out[u[o]]);
        if (clash)
          continue;
        double v = box_value(g, S, RA, t.i0, t.i1, t.j0, t.j1, E, &P, &A);
        if (v > best * (1 + 1e-12) + 1e-300) {
          best = v, *r = t, improved = 1;
          r->poc = P, r->area = A;
        }
      }
    }
  }
  for (size_t k = 0; k < m; k++) {
    sar_rect *r = &out[u[k]];
    if (r->i1 > r->i0 && r->j1 > r->j0) {
      double P, A;
      box_value(g, S, RA, r->i0, r->i1, r->j0, r->j1, 0, &P, &A);
      r->poc = P, r->area = A;
      rect_finish(r, g, W[u[k]], L[u[k]]);
    }
  }
}

double sar_plan_joint(sar_rect *out, const sar_grid *g, size_t n, const double *W,
                      const double *L, const double *blat, const double *blon, double *z,
                      double *scratch) {
  size_t u[SAR_JOINT_MAX], m = 0;
  double E = 0;
  for (size_t k = 0; k < n; k++) {
    memset(&out[k], 0, sizeof out[k]);
    if (k < SAR_JOINT_MAX && W[k] > 0 && L[k] > 0)
      u[m++] = k, E += W[k] * L[k];
  }
  size_t cells = g->nx * g->ny;
  sar_alloc_effort(z, g->p, g->area, cells, E, NULL);
  size_t i0 = g->nx, i1 = 0, j0 = g->ny, j1 = 0;
  for (size_t c = 0; c < cells; c++)
    if (z[c] > 0) {
      size_t i = c % g->nx, j = c / g->nx;
      i0 = i < i0 ? i : i0, i1 = i + 1 > i1 ? i + 1 : i1;
      j0 = j < j0 ? j : j0, j1 = j + 1 > j1 ? j + 1 : j1;
    }
  if (!m)
    return 0;
  if (i0 >= i1) /* no effort allocated (no probability): the whole grid */
    i0 = 0, i1 = g->nx, j0 = 0, j1 = g->ny;
  joint_ctx J = {g, W, L, blat, blon, z, out, scratch};
  joint_split(&J, u, m, i0, i1, j0, j1);
  joint_improve(g, out, u, m, W, L, scratch);
  double pos = 0;
  for (size_t k = 0; k < m; k++)
    pos += out[u[k]].poc * out[u[k]].pod;
  return pos;
}

void sar_rect_tracks(sar_tracks *t, const sar_rect *r, double from_lat, double from_lon) {
  geo_local pl; /* at the south-west corner, the east scale at the mean latitude */
  geo_local_init_mean(&pl, r->lat_min, r->lon_min, r->lat_max);
  double w, h; /* east-west, north-south */
  geo_local_xy(&pl, r->lat_max, r->lon_max, &w, &h);
  memset(t, 0, sizeof *t);
  if (!(r->area > 0) || !(r->spacing > 0) || !isfinite(r->spacing))
    return;
  t->along_lat = h >= w;
  double across = t->along_lat ? w : h;
  t->leg_m = t->along_lat ? h : w;
  t->legs = (int)fmax(1, floor(across / r->spacing + 0.5));
  double s = across / t->legs; /* legs centred in strips of equal width */
  /* the corner nearest the start point, the first leg half a strip inside */
  int west = fabs(from_lon - r->lon_min) <= fabs(from_lon - r->lon_max);
  int south = fabs(from_lat - r->lat_min) <= fabs(from_lat - r->lat_max);
  double dlat_s = geo_local_dlat(0.5 * s), dlon_s = geo_local_dlon(&pl, 0.5 * s);
  if (t->along_lat) {
    t->csp_lat = south ? r->lat_min : r->lat_max;
    t->csp_lon = west ? r->lon_min + dlon_s : r->lon_max - dlon_s;
  } else {
    t->csp_lon = west ? r->lon_min : r->lon_max;
    t->csp_lat = south ? r->lat_min + dlat_s : r->lat_max - dlat_s;
  }
}

int sar_rect_contains(const sar_rect *r, double lat, double lon) {
  if (r->pattern == SAR_PATTERN_SECTOR) {
    double x, y;
    sar_local_xy(r->clat, r->clon, lat, lon, &x, &y);
    return hypot(x, y) <= r->radius;
  }
  return lat >= r->lat_min && lat < r->lat_max && lon >= r->lon_min && lon < r->lon_max;
}

/* The particles' weighted centre and their east and north standard deviations (m). */
static void particle_spread(const sar_particles *p, double *clat, double *clon, double *sx,
                            double *sy) {
  double a = 0, b = 0, w = 0, xx = 0, yy = 0;
  for (size_t i = 0; i < p->n; i++) a += p->w[i] * p->lat[i], b += p->w[i] * p->lon[i], w += p->w[i];
  *clat = w > 0 ? a / w : (p->n ? p->lat[0] : 0), *clon = w > 0 ? b / w : (p->n ? p->lon[0] : 0);
  for (size_t i = 0; i < p->n; i++) {
    double x, y;
    sar_local_xy(*clat, *clon, p->lat[i], p->lon[i], &x, &y);
    xx += p->w[i] * x * x, yy += p->w[i] * y * y;
  }
  *sx = w > 0 ? sqrt(xx / w) : 0, *sy = w > 0 ? sqrt(yy / w) : 0;
}

int sar_plan_pattern(sar_rect *r, sar_pattern *pat_out, const sar_particles *p, int kind,
                     double W, double L, double spacing, double coverage, int detection) {
  sar_pattern pat;
  memset(r, 0, sizeof *r);
  double clat, clon, sx, sy;
  particle_spread(p, &clat, &clon, &sx, &sy);
  double aspect = sx > 0 && sy > 0 ? fmin(4.0, fmax(0.25, sx / sy)) : 1.0;
  double S = spacing > 0 ? spacing : (coverage > 0 ? W / coverage : 0);
  if (kind == SAR_PATTERN_SECTOR && !(spacing > 0) && coverage > 0)
    S = 9 * W / (M_PI * coverage); /* the radius whose pass has mean coverage C */
  int err = sar_pattern_fit(&pat, kind, S, L, aspect, W);
  if (pat_out) *pat_out = pat;
  r->pattern = kind, r->clat = clat, r->clon = clon;
  if (err) return -1;
  geo_local pl;
  geo_local_init(&pl, clat, clon);
  geo_local_latlon(&pl, -0.5 * pat.width, -0.5 * pat.height, &r->lat_min, &r->lon_min);
  geo_local_latlon(&pl, 0.5 * pat.width, 0.5 * pat.height, &r->lat_max, &r->lon_max);
  r->radius = pat.radius, r->area = pat.area, r->track = pat.track, r->spacing = pat.spacing;
  r->coverage = pat.coverage, r->pod = sar_pod(detection, pat.coverage);
  for (size_t i = 0; i < p->n; i++)
    if (sar_rect_contains(r, p->lat[i], p->lon[i])) r->poc += p->w[i];
  return 0;
}

double sar_update_after_search(sar_particles *p, const sar_rect *r) {
  double before = 0, after = 0, keep = 1 - r->pod;
  for (size_t i = 0; i < p->n; i++) {
    before += p->w[i];
    if (sar_rect_contains(r, p->lat[i], p->lon[i]))
      p->w[i] *= keep;
    after += p->w[i];
  }
  if (after > DBL_MIN)
    for (size_t i = 0; i < p->n; i++)
      p->w[i] /= after;
  return before > 0 ? (before - after) / before : 0;
}
