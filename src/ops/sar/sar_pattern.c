/* sar_pattern.c - IAMSAR search patterns: track spacing, track length, waypoints, and
 * the detection models (docs/models.md, "Search patterns"). */
#include "sar_pattern.h"

#include <math.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static const char *const pattern_names[SAR_PATTERN__COUNT] = {"optimal", "parallel", "creeping",
                                                              "square", "sector"};
static const char *const detection_names[] = {"random", "definite", "inverse_cube"};
#define NDETECTION (sizeof detection_names / sizeof *detection_names)

const char *sar_pattern_name(int kind) {
  return kind >= 0 && kind < SAR_PATTERN__COUNT ? pattern_names[kind] : NULL;
}

int sar_pattern_find(const char *name) {
  for (int k = 0; k < SAR_PATTERN__COUNT; k++)
    if (strcmp(pattern_names[k], name) == 0) return k;
  return -1;
}

const char *sar_detection_name(int model) {
  return model >= 0 && (size_t)model < NDETECTION ? detection_names[model] : NULL;
}

int sar_detection_find(const char *name) {
  for (size_t k = 0; k < NDETECTION; k++)
    if (strcmp(detection_names[k], name) == 0) return (int)k;
  return -1;
}

double sar_pod(int model, double c) {
  if (!(c > 0)) return 0;
  switch (model) {
  case SAR_DETECT_DEFINITE:
    return fmin(1.0, c);
  case SAR_DETECT_INVERSE_CUBE:
    return erf(0.5 * sqrt(M_PI) * c);
  default:
    return 1 - exp(-c);
  }
}

double sar_pattern_track(int kind, double area, double spacing) {
  if (!(area > 0) || !(spacing > 0)) return 0;
  if (kind == SAR_PATTERN_SECTOR) return 9 * sqrt(area / M_PI);
  return area / spacing - spacing;
}

/* PS and CS: n legs across, each (along - S) long; the sides from the track exactly. */
static int fit_parallel(sar_pattern *p, int creeping, double S, double L, double aspect) {
  double A = S * (L + S), h = sqrt(A / aspect), w = aspect * h;
  int wide = w >= h;                     /* the longer side runs east-west */
  int legs_ew = creeping ? !wide : wide; /* PS: legs along the longer side */
  double across = legs_ew ? h : w;
  /* whole legs: PS rounds its (shorter) side across down, CS its (longer) one up, so
   * that the legs stay along the side they belong to */
  int n = creeping ? (int)ceil(across / S - 1e-9) : (int)floor(across / S + 1e-9);
  if (n < 1) n = 1;
  double along = (L + S) / n; /* n (along - S) + (n - 1) S = L */
  if (!(along > S)) return -1;
  p->legs = n, p->leg = along - S, p->along_x = legs_ew;
  p->width = legs_ew ? along : n * S, p->height = legs_ew ? n * S : along;
  p->track = n * along - S;
  p->area = p->width * p->height;
  return 0;
}

int sar_pattern_fit(sar_pattern *p, int kind, double S, double L, double aspect, double W) {
  memset(p, 0, sizeof *p);
  p->kind = kind, p->spacing = S, p->passes = 1;
  if (!(L > 0) || !(aspect > 0)) return -1;
  if (kind == SAR_PATTERN_SECTOR) {
    double R = S > 0 ? S : L / 9;
    int passes = (int)floor(L / (9 * R) + 1e-9);
    if (passes < 1) return -1;
    if (passes > 2) passes = 2; /* a third pass, turned 60 degrees, would retrace the first */
    p->radius = p->leg = p->spacing = R, p->passes = passes, p->legs = 9;
    p->width = p->height = 2 * R;
    p->track = 9 * R * passes, p->area = M_PI * R * R;
    p->coverage = W * p->track / p->area;
    return 0;
  }
  if (!(S > 0)) return -1;
  if (kind == SAR_PATTERN_SQUARE) {
    int m = (int)floor(sqrt(1 + L / S) - 1 + 1e-9); /* S m (m + 2) <= L */
    if (m < 1) return -1;
    p->legs = 2 * m + 1, p->leg = m * S;
    p->width = p->height = (m + 1) * S;
    p->track = S * m * (m + 2), p->area = p->width * p->height;
  } else if (fit_parallel(p, kind == SAR_PATTERN_CREEPING, S, L, aspect)) {
    return -1;
  }
  p->coverage = W / S;
  return 0;
}

static size_t put(double *x, double *y, size_t max, size_t k, double px, double py) {
  if (k < max) x[k] = px, y[k] = py;
  return k + 1;
}

/* Legs along x (east-west) or y, boustrophedon from the south-west corner. */
static size_t parallel_points(const sar_pattern *p, double *x, double *y, size_t max) {
  double S = p->spacing, hw = 0.5 * p->width, hh = 0.5 * p->height;
  int ew = p->along_x;
  size_t k = 0;
  for (int i = 0; i < p->legs; i++) {
    double a0 = -(ew ? hw : hh) + 0.5 * S, a1 = (ew ? hw : hh) - 0.5 * S;
    double c = -(ew ? hh : hw) + 0.5 * S + i * S;
    if (i % 2) {
      double t = a0;
      a0 = a1, a1 = t;
    }
    k = ew ? put(x, y, max, k, a0, c) : put(x, y, max, k, c, a0);
    k = ew ? put(x, y, max, k, a1, c) : put(x, y, max, k, c, a1);
  }
  return k;
}

/* North, east, south, west, legs S, S, 2S, 2S, ..., the last mS once more. */
static size_t square_points(const sar_pattern *p, double *x, double *y, size_t max) {
  static const double dx[4] = {0, 1, 0, -1}, dy[4] = {1, 0, -1, 0};
  double px = 0, py = 0, S = p->spacing;
  int m = (p->legs - 1) / 2;
  size_t k = put(x, y, max, 0, px, py);
  for (int i = 1; i <= p->legs; i++) {
    double len = (i == p->legs ? m : (i + 1) / 2) * S;
    px += dx[(i - 1) % 4] * len, py += dy[(i - 1) % 4] * len;
    k = put(x, y, max, k, px, py);
  }
  return k;
}

/* Out R, right 120 degrees, R, right 120 degrees, back R to the datum; three times
 * (the next triangle straight on), each pass turned 30 degrees. */
static size_t sector_points(const sar_pattern *p, double *x, double *y, size_t max) {
  double R = p->radius, deg = M_PI / 180;
  size_t k = put(x, y, max, 0, 0, 0);
  for (int pass = 0; pass < p->passes; pass++) {
    double hdg = 30.0 * pass; /* degrees clockwise from north */
    double px = 0, py = 0;
    for (int leg = 0; leg < 9; leg++) {
      px += R * sin(hdg * deg), py += R * cos(hdg * deg);
      if (leg % 3 == 2) px = 0, py = 0; /* back at the datum (exactly) */
      k = put(x, y, max, k, px, py);
      if (leg % 3 != 2) hdg += 120;
    }
  }
  return k;
}

size_t sar_pattern_waypoints(const sar_pattern *p, double *x, double *y, size_t max) {
  switch (p->kind) {
  case SAR_PATTERN_SQUARE:
    return square_points(p, x, y, max);
  case SAR_PATTERN_SECTOR:
    return sector_points(p, x, y, max);
  case SAR_PATTERN_PARALLEL:
  case SAR_PATTERN_CREEPING:
    return parallel_points(p, x, y, max);
  default:
    return 0;
  }
}
