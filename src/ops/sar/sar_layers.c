/* sar_layers.c - one unit's effort as nested rectangles flown one after another
 * (multi-pass), so that the coverage it lays down steps towards the optimal effort
 * density of the allocation library instead of being uniform over one rectangle
 * (docs/models.md, "Plans near the optimum"). */
#include "sar.h"

#include <math.h>
#include <string.h>

typedef struct box {
  long i0, i1, j0, j1;
} box;

typedef struct layers {
  const sar_grid *g;
  double W;
  double *cov; /* [cells] the coverage the layers lay down now */
  box b[SAR_LAYERS_MAX];
  double L[SAR_LAYERS_MAX];
  size_t k;
} layers;

static double box_area(const sar_grid *g, box b) {
  double a = 0;
  for (long j = b.j0; j < b.j1; j++) a += g->area[(size_t)j * g->nx];
  return a * (double)(b.i1 - b.i0);
}

static int box_empty(box b) { return b.i1 <= b.i0 || b.j1 <= b.j0; }

/* Coverage of layer k as it stands (0 for an empty one). */
static double layer_cov(const layers *Y, box b, double L) {
  if (box_empty(b) || !(L > 0)) return 0;
  return Y->W * L / box_area(Y->g, b);
}

static int in_box(box b, long i, long j) { return i >= b.i0 && i < b.i1 && j >= b.j0 && j < b.j1; }

/* The POS gained when layer k changes to (nb, nL); with apply, the change is made. */
static double change(layers *Y, size_t k, box nb, double nL, int apply) {
  const sar_grid *g = Y->g;
  box ob = Y->b[k];
  double oc = layer_cov(Y, ob, Y->L[k]), nc = layer_cov(Y, nb, nL);
  box u = nb;
  if (!box_empty(ob)) {
    if (box_empty(u)) u = ob;
    u.i0 = ob.i0 < u.i0 ? ob.i0 : u.i0, u.i1 = ob.i1 > u.i1 ? ob.i1 : u.i1;
    u.j0 = ob.j0 < u.j0 ? ob.j0 : u.j0, u.j1 = ob.j1 > u.j1 ? ob.j1 : u.j1;
  }
  double d = 0;
  for (long j = u.j0; j < u.j1; j++)
    for (long i = u.i0; i < u.i1; i++) {
      size_t c = (size_t)j * g->nx + (size_t)i;
      double now = Y->cov[c];
      double next = now - (in_box(ob, i, j) ? oc : 0) + (in_box(nb, i, j) ? nc : 0);
      if (next < 0) next = 0;
      if (g->p[c] > 0) d += g->p[c] * (exp(-now) - exp(-next));
      if (apply) Y->cov[c] = next;
    }
  if (apply) Y->b[k] = nb, Y->L[k] = nL;
  return d;
}

/* Layer k: the bounding box of the cells whose optimal coverage exceeds t. */
static box level_box(const sar_grid *g, const double *z, double t) {
  box b = {(long)g->nx, 0, (long)g->ny, 0};
  for (size_t j = 0; j < g->ny; j++)
    for (size_t i = 0; i < g->nx; i++) {
      size_t c = j * g->nx + i;
      if (g->area[c] > 0 && z[c] / g->area[c] > t) {
        b.i0 = (long)i < b.i0 ? (long)i : b.i0, b.i1 = (long)i + 1 > b.i1 ? (long)i + 1 : b.i1;
        b.j0 = (long)j < b.j0 ? (long)j : b.j0, b.j1 = (long)j + 1 > b.j1 ? (long)j + 1 : b.j1;
      }
    }
  return b;
}

/* The staircase of the optimal density: k levels, equal steps of coverage, the tracks
 * scaled so that together they fly L. */
static void layers_start(layers *Y, const double *z, double L) {
  const sar_grid *g = Y->g;
  double cmax = 0, sum = 0;
  for (size_t c = 0; c < g->nx * g->ny; c++)
    if (g->area[c] > 0) cmax = fmax(cmax, z[c] / g->area[c]);
  for (size_t k = 0; k < Y->k; k++) {
    Y->b[k] = level_box(g, z, cmax * (double)k / (double)Y->k);
    Y->L[k] = box_empty(Y->b[k]) ? 0 : box_area(g, Y->b[k]) * cmax / (double)Y->k / Y->W;
    sum += Y->L[k];
  }
  for (size_t k = 0; k < Y->k; k++) Y->L[k] = sum > 0 ? Y->L[k] * L / sum : L / (double)Y->k;
}

static int box_fits(const sar_grid *g, box b) {
  return b.i0 >= 0 && b.j0 >= 0 && b.i1 <= (long)g->nx && b.j1 <= (long)g->ny && !box_empty(b);
}

/* One sweep of the moves at this step: each layer's edges and shifts by `step` cells,
 * and track moved between two layers by `share` of the total.  Returns whether one
 * improved the plan. */
static int improve_once(layers *Y, long step, double share, double L) {
  static const int mv[12][4] = {{-1, 0, 0, 0},  {1, 0, 0, 0}, {0, -1, 0, 0},  {0, 1, 0, 0},
                                {0, 0, -1, 0},  {0, 0, 1, 0}, {0, 0, 0, -1},  {0, 0, 0, 1},
                                {-1, -1, 0, 0}, {1, 1, 0, 0}, {0, 0, -1, -1}, {0, 0, 1, 1}};
  int better = 0;
  for (size_t k = 0; k < Y->k; k++) {
    for (int m = 0; m < 12 && Y->L[k] > 0; m++) {
      box b = Y->b[k];
      b.i0 += step * mv[m][0], b.i1 += step * mv[m][1];
      b.j0 += step * mv[m][2], b.j1 += step * mv[m][3];
      if (!box_fits(Y->g, b)) continue;
      if (change(Y, k, b, Y->L[k], 0) > 1e-12) change(Y, k, b, Y->L[k], 1), better = 1;
    }
    for (size_t o = 0; o < Y->k; o++) { /* track from layer o to layer k */
      double d = share * L;
      if (o == k || box_empty(Y->b[k]) || !(Y->L[o] > d)) continue;
      double lk = Y->L[k], lo = Y->L[o];
      double gain = change(Y, k, Y->b[k], lk + d, 1) + change(Y, o, Y->b[o], lo - d, 1);
      if (gain > 1e-12)
        better = 1;
      else
        change(Y, o, Y->b[o], lo, 1), change(Y, k, Y->b[k], lk, 1);
    }
  }
  return better;
}

static void rect_of(sar_rect *r, const sar_grid *g, box b, double W, double L) {
  memset(r, 0, sizeof *r);
  if (box_empty(b) || !(L > 0)) return;
  r->i0 = (size_t)b.i0, r->i1 = (size_t)b.i1, r->j0 = (size_t)b.j0, r->j1 = (size_t)b.j1;
  r->lat_min = g->lat0 + (double)b.j0 * g->dlat, r->lat_max = g->lat0 + (double)b.j1 * g->dlat;
  r->lon_min = g->lon0 + (double)b.i0 * g->dlon, r->lon_max = g->lon0 + (double)b.i1 * g->dlon;
  r->area = box_area(g, b);
  for (long j = b.j0; j < b.j1; j++)
    for (long i = b.i0; i < b.i1; i++) r->poc += g->p[(size_t)j * g->nx + (size_t)i];
  r->track = L, r->spacing = r->area / L, r->coverage = W / r->spacing;
  r->pod = 1 - exp(-r->coverage);
}

double sar_plan_layers(sar_rect *out, size_t k, const sar_grid *g, double W, double L, double *z,
                       double *pos_opt) {
  size_t cells = g->nx * g->ny;
  if (k > SAR_LAYERS_MAX) k = SAR_LAYERS_MAX;
  if (k < 1) k = 1;
  double opt = W > 0 && L > 0 ? sar_alloc_effort(z, g->p, g->area, cells, W * L, NULL) : 0;
  if (pos_opt) *pos_opt = opt;
  for (size_t i = 0; i < k; i++) memset(&out[i], 0, sizeof out[i]);
  if (!(opt > 0)) return 0;
  layers Y = {.g = g, .W = W, .cov = z, .k = k};
  layers_start(&Y, z, L);
  memset(z, 0, cells * sizeof *z); /* z becomes the coverage map */
  for (size_t i = 0; i < k; i++) {
    double L0 = Y.L[i];
    Y.L[i] = 0;
    change(&Y, i, Y.b[i], L0, 1);
  }
  /* coarse to fine: steps of 8, 4, 2, 1 cells and 10 %, 3 %, 1 %, 0.3 % of the track */
  static const double shares[] = {0.1, 0.03, 0.01, 0.003};
  for (int s = 0; s < 4; s++)
    for (int round = 0; round < 200 && improve_once(&Y, 8L >> s, shares[s], L); round++) {}
  double pos = 0;
  for (size_t c = 0; c < cells; c++) pos += g->p[c] * (1 - exp(-z[c]));
  for (size_t i = 0; i < k; i++) rect_of(&out[i], g, Y.b[i], W, Y.L[i]);
  return pos;
}
