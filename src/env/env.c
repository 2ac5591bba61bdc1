/* env.c - analytic and gridded velocity fields and their sampling (bilinear in
 * space, linear in time).  The NetCDF reader and writer are in env_nc.c. */
#include "env.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "geo_local.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

typedef enum env_kind { ENV_K_CONSTANT, ENV_K_ROTATING, ENV_K_EDDY, ENV_K_GRID } env_kind;

struct env_field {
  env_kind kind;
  double a, b, c, d; /* analytic parameters (see the constructors) */
  /* grid */
  size_t nt, ny, nx;
  double lat0, dlat, lon0, dlon;
  double *t;    /* [nt], increasing */
  float *uv;    /* [nt][ny][nx][2]: (u, v) side by side, one cache line serves both;
                   NaN = missing */
};

static env_field *field_new(env_kind k) {
  env_field *f = calloc(1, sizeof *f);
  if (f)
    f->kind = k;
  return f;
}

env_field *env_field_constant(double u, double v) {
  env_field *f = field_new(ENV_K_CONSTANT);
  if (f)
    f->a = u, f->b = v;
  return f;
}

env_field *env_field_rotating(double speed, double omega) {
  env_field *f = field_new(ENV_K_ROTATING);
  if (f)
    f->a = speed, f->b = omega;
  return f;
}

env_field *env_field_eddy(double lat0, double lon0, double radius, double vmax) {
  env_field *f = field_new(ENV_K_EDDY);
  if (f)
    f->a = lat0, f->b = lon0, f->c = radius, f->d = vmax;
  return f;
}

env_field *env_field_grid(size_t nt, size_t ny, size_t nx, const double *t, double lat0,
                          double dlat, double lon0, double dlon, const float *u,
                          const float *v) {
  if (!nt || !ny || !nx || nt > ENV_MAX_VALUES / ny / nx)
    return NULL;
  size_t n = nt * ny * nx;
  env_field *f = field_new(ENV_K_GRID);
  if (!f)
    return NULL;
  f->nt = nt, f->ny = ny, f->nx = nx;
  f->lat0 = lat0, f->dlat = dlat, f->lon0 = lon0, f->dlon = dlon;
  f->t = malloc(nt * sizeof *f->t);
  f->uv = malloc(2 * n * sizeof *f->uv);
  if (!f->t || !f->uv) {
    env_field_free(f);
    return NULL;
  }
  memcpy(f->t, t, nt * sizeof *t);
  for (size_t k = 0; k < n; k++)
    f->uv[2 * k] = u[k], f->uv[2 * k + 1] = v[k];
  return f;
}

void env_field_free(env_field *f) {
  if (!f)
    return;
  free(f->t);
  free(f->uv);
  free(f);
}

int env_field_info(const env_field *f, env_grid_info *out) {
  memset(out, 0, sizeof *out);
  if (f->kind != ENV_K_GRID)
    return 0;
  out->nt = f->nt, out->ny = f->ny, out->nx = f->nx;
  out->lat0 = f->lat0, out->dlat = f->dlat, out->lon0 = f->lon0, out->dlon = f->dlon;
  out->t0 = f->t[0], out->t1 = f->t[f->nt - 1];
  return 1;
}

static void eddy(const env_field *f, double lat, double lon, double *u, double *v) {
  geo_local pl;
  double x, y;
  geo_local_init(&pl, f->a, f->b);
  geo_local_xy(&pl, lat, lon, &x, &y);
  double r = hypot(x, y);
  if (r == 0) {
    *u = *v = 0;
    return;
  }
  double q = r / f->c, vt = f->d * q * exp(0.5 * (1.0 - q * q));
  *u = -vt * y / r;
  *v = vt * x / r;
}

/* Bilinear at fractional grid index (fi, fj) of record k; 0 when every node with
 * weight is missing.  Missing nodes drop out and the others' weights are
 * renormalised, so a coast does not drag currents to zero. */
static int bilinear(const env_field *f, size_t k, double fi, double fj, double *u,
                    double *v) {
  size_t i = (size_t)fi, j = (size_t)fj;
  if (i >= f->nx - 1)
    i = f->nx > 1 ? f->nx - 2 : 0;
  if (j >= f->ny - 1)
    j = f->ny > 1 ? f->ny - 2 : 0;
  double x = f->nx > 1 ? fi - (double)i : 0, y = f->ny > 1 ? fj - (double)j : 0;
  size_t i1 = f->nx > 1 ? i + 1 : i, j1 = f->ny > 1 ? j + 1 : j;
  const float *P = f->uv + 2 * k * f->ny * f->nx;
  size_t idx[4] = {j * f->nx + i, j * f->nx + i1, j1 * f->nx + i, j1 * f->nx + i1};
  double w[4] = {(1 - x) * (1 - y), x * (1 - y), (1 - x) * y, x * y};
  double su = 0, sv = 0, sw = 0;
  for (int c = 0; c < 4; c++) {
    float a = P[2 * idx[c]], b = P[2 * idx[c] + 1];
    if (w[c] == 0 || isnan(a) || isnan(b))
      continue;
    su += w[c] * a, sv += w[c] * b, sw += w[c];
  }
  if (sw <= 0) {
    *u = *v = 0;
    return 0;
  }
  *u = su / sw, *v = sv / sw;
  return 1;
}

static int grid_sample(const env_field *f, double t, double lat, double lon, double *u,
                       double *v) {
  double fj = (lat - f->lat0) / f->dlat, fi = (lon - f->lon0) / f->dlon;
  double ni = (double)(f->nx - 1), nj = (double)(f->ny - 1);
  for (int turn = -1; turn <= 1 && !(fi >= 0 && fi <= ni); turn += 2)
    fi = (lon + 360.0 * turn - f->lon0) / f->dlon; /* 0..360 files, -180..180 queries */
  if (!(fi >= 0 && fi <= ni && fj >= 0 && fj <= nj)) {
    *u = *v = 0;
    return 0;
  }
  if (f->nt == 1 || t <= f->t[0])
    return bilinear(f, 0, fi, fj, u, v);
  if (t >= f->t[f->nt - 1])
    return bilinear(f, f->nt - 1, fi, fj, u, v);
  size_t lo = 0, hi = f->nt - 1; /* t[lo] <= t < t[hi] */
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (f->t[mid] <= t)
      lo = mid;
    else
      hi = mid;
  }
  double a = (t - f->t[lo]) / (f->t[hi] - f->t[lo]), u0, v0, u1, v1;
  int ok0 = bilinear(f, lo, fi, fj, &u0, &v0), ok1 = bilinear(f, hi, fi, fj, &u1, &v1);
  if (ok0 && ok1) {
    *u = (1 - a) * u0 + a * u1, *v = (1 - a) * v0 + a * v1;
    return 1;
  }
  *u = ok0 ? u0 : u1, *v = ok0 ? v0 : v1;
  return ok0 || ok1;
}

void env_slice_init(env_slice *s, const env_field *f, double t) {
  memset(s, 0, sizeof *s);
  s->f = f, s->t = t;
  if (f->kind != ENV_K_GRID)
    return;
  if (f->nt > 1 && t > f->t[0]) {
    if (t >= f->t[f->nt - 1]) {
      s->k0 = s->k1 = f->nt - 1;
    } else {
      size_t lo = 0, hi = f->nt - 1;
      while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->t[mid] <= t)
          lo = mid;
        else
          hi = mid;
      }
      s->k0 = lo, s->k1 = hi, s->a = (t - f->t[lo]) / (f->t[hi] - f->t[lo]);
    }
  }
  if (f->nx < 2 || f->ny < 2)
    return; /* the general path only */
  size_t plane = 2 * f->ny * f->nx;
  s->grid = 1;
  s->p0 = f->uv + s->k0 * plane, s->p1 = f->uv + s->k1 * plane;
  s->lat0 = f->lat0, s->lon0 = f->lon0, s->inv_dlat = 1.0 / f->dlat, s->inv_dlon = 1.0 / f->dlon;
  s->ni = (double)(f->nx - 1), s->nj = (double)(f->ny - 1), s->nx = f->nx;
  s->wa = (float)s->a;
}

size_t env_slice_plane(const env_slice *s) {
  return s->grid ? 2 * s->f->ny * s->f->nx : 0;
}

int env_slice_mix(env_slice *s, float *buf, size_t cap) {
  size_t n = env_slice_plane(s);
  if (!n || n > cap)
    return 0;
  /* the same float arithmetic as the unmixed fast path: b q0 + a q1 */
  float a = s->wa, b = 1 - a;
  const float *p0 = s->p0, *p1 = s->p1;
  for (size_t k = 0; k < n; k++)
    buf[k] = b * p0[k] + a * p1[k];
  s->p0 = s->p1 = buf, s->mixed = 1;
  return 1;
}

int env_slice_sample(const env_slice *s, double lat, double lon, double *u, double *v) {
  const env_field *f = s->f;
  if (f->kind != ENV_K_GRID)
    return env_sample(f, s->t, lat, lon, u, v);
  return grid_sample(f, s->t, lat, lon, u, v); /* wrapping, edges, missing nodes */
}

int env_sample(const env_field *f, double t, double lat, double lon, double *u, double *v) {
  switch (f->kind) {
  case ENV_K_CONSTANT:
    *u = f->a, *v = f->b;
    return 1;
  case ENV_K_ROTATING:
    *u = f->a * cos(f->b * t), *v = f->a * sin(f->b * t);
    return 1;
  case ENV_K_EDDY:
    eddy(f, lat, lon, u, v);
    return 1;
  case ENV_K_GRID:
    return grid_sample(f, t, lat, lon, u, v);
  }
  *u = *v = 0;
  return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's
 * days_from_civil algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

int env_parse_time(const char *s, int64_t *out) {
  int y, mo, d, h = 0, mi = 0, n = 0;
  double sec = 0;
  if (sscanf(s, "%d-%d-%d%n", &y, &mo, &d, &n) != 3)
    return -1;
  s += n;
  if (*s == 'T' || *s == ' ') {
    int m2 = 0;
    if (sscanf(s + 1, "%d:%d%n", &h, &mi, &m2) == 2) {
      s += 1 + m2;
      if (*s == ':') {
        int m3 = 0;
        if (sscanf(s + 1, "%lf%n", &sec, &m3) == 1)
          s += 1 + m3;
      }
    }
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 24 || mi < 0 || mi > 59 ||
      sec < 0 || sec >= 61)
    return -1;
  *out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 +
         (int64_t)sec;
  return 0;
}
