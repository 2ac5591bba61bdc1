/* sar_search.c - search planning: the probability map from particle weights, the
 * optimal allocation of effort (Koopman's random search; Stone's theorem), a search
 * rectangle per unit with parallel-track spacing, and the Bayesian update after an
 * unsuccessful search.  Derivations: docs/models.md. */
#include "sar.h"
#include "geodesy.h"

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
  double coslat = cos(0.5 * (la0 + la1) * DEG);
  g->dlat = cell / (R_EARTH * DEG);
  g->dlon = g->dlat / fmax(coslat, 0.01);
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
  size_t nx = g->nx, ny = g->ny, w1 = nx + 1;
  double *S = scratch, *RA = scratch + (ny + 1) * w1; /* prefix sums: p, row area */
  size_t best = 0;
  double bestd = -1;
  memset(out, 0, sizeof *out);
  for (size_t j = 0; j <= ny; j++)
    S[j * w1] = 0;
  for (size_t i = 0; i <= nx; i++)
    S[i] = 0;
  RA[0] = 0;
  for (size_t j = 0; j < ny; j++) {
    RA[j + 1] = RA[j] + g->area[j * nx];
    for (size_t i = 0; i < nx; i++) {
      double pj = g->p[j * nx + i];
      S[(j + 1) * w1 + i + 1] = pj + S[j * w1 + i + 1] + S[(j + 1) * w1 + i] - S[j * w1 + i];
      double d = pj / g->area[j * nx + i];
      if (d > bestd)
        bestd = d, best = j * nx + i;
    }
  }
  size_t ci = best % nx, cj = best / nx;
  double bestv = -1, E = W * L;
  for (size_t b = 0; b < ny; b++) {
    size_t j0 = cj >= b ? cj - b : 0, j1 = cj + b + 1 > ny ? ny : cj + b + 1;
    for (size_t a = 0; a < nx; a++) {
      size_t i0 = ci >= a ? ci - a : 0, i1 = ci + a + 1 > nx ? nx : ci + a + 1;
      double P = S[j1 * w1 + i1] - S[j0 * w1 + i1] - S[j1 * w1 + i0] + S[j0 * w1 + i0];
      double A = (RA[j1] - RA[j0]) / 1.0 * (double)(i1 - i0);
      double v = P * (1 - exp(-E / A));
      if (v > bestv) {
        bestv = v;
        out->i0 = i0, out->i1 = i1, out->j0 = j0, out->j1 = j1, out->area = A, out->poc = P;
      }
      if (i0 == 0 && i1 == nx)
        break;
    }
    if (j0 == 0 && j1 == ny)
      break;
  }
  out->lat_min = g->lat0 + (double)out->j0 * g->dlat;
  out->lat_max = g->lat0 + (double)out->j1 * g->dlat;
  out->lon_min = g->lon0 + (double)out->i0 * g->dlon;
  out->lon_max = g->lon0 + (double)out->i1 * g->dlon;
  out->track = L;
  out->spacing = L > 0 ? out->area / L : INFINITY;
  out->coverage = L > 0 ? W / out->spacing : 0;
  out->pod = 1 - exp(-out->coverage);
}

double sar_update_after_search(sar_particles *p, const sar_rect *r) {
  double before = 0, after = 0, keep = 1 - r->pod;
  for (size_t i = 0; i < p->n; i++) {
    before += p->w[i];
    if (p->lat[i] >= r->lat_min && p->lat[i] < r->lat_max && p->lon[i] >= r->lon_min &&
        p->lon[i] < r->lon_max)
      p->w[i] *= keep;
    after += p->w[i];
  }
  if (after > DBL_MIN)
    for (size_t i = 0; i < p->n; i++)
      p->w[i] /= after;
  return before > 0 ? (before - after) / before : 0;
}
