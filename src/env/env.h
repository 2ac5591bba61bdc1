/* env.h - met-ocean fields behind one interface: surface current and 10 m wind as
 * (eastward, northward) velocity in m/s at a time and a position.
 *
 * A field is analytic (constant, rotating, eddy: exact, for tests) or gridded (read
 * from a CF-convention NetCDF file: regular lat/lon grid, a time axis; bilinear in
 * space, linear in time).  Sampling is read-only and thread-safe.
 *
 * Ownership: env_field_* constructors return a heap object the caller frees with
 * env_field_free() (NULL is a no-op).  Times are seconds since the caller's epoch
 * (the scenario epoch, given as Unix seconds when a file is read). */
#ifndef STRAITS_ENV_H
#define STRAITS_ENV_H

#include <stddef.h>
#include <stdint.h>
#include "diag.h"

typedef struct env_field env_field;

/* Which pair of CF standard names a gridded field is read from. */
typedef enum env_quantity {
  ENV_CURRENT, /* eastward_sea_water_velocity / northward_sea_water_velocity */
  ENV_WIND,    /* x_wind / y_wind, or eastward_wind / northward_wind (10 m) */
  ENV_SST      /* sea_surface_temperature (or sea_water_temperature), K or degC: a
                  scalar in degrees C, given as both components */
} env_quantity;

/* Analytic fields.  constant: (u, v) everywhere, always.  rotating: speed s whose
 * direction turns counter-clockwise at omega rad/s, starting toward the east at
 * t = 0 (an inertial-oscillation-like field that tests time interpolation).
 * eddy: a Gaussian eddy centred at (lat0, lon0), tangential speed
 * vmax * (r/R) * exp((1 - (r/R)^2) / 2), peaking at r = R (metres), counter-clockwise
 * for vmax > 0 (tests space interpolation). */
env_field *env_field_constant(double u, double v);
env_field *env_field_rotating(double speed, double omega);
env_field *env_field_eddy(double lat0, double lon0, double radius, double vmax);

/* A gridded field from arrays: nt times (increasing, seconds since the epoch),
 * ny latitudes lat0 + j*dlat, nx longitudes lon0 + i*dlon; u and v are
 * [nt][ny][nx] (copied), NaN for missing.  NULL when out of memory. */
env_field *env_field_grid(size_t nt, size_t ny, size_t nx, const double *t, double lat0,
                          double dlat, double lon0, double dlon, const float *u,
                          const float *v);

void env_field_free(env_field *f);

/* The velocity at (t, lat, lon) into *u, *v (m/s, east and north).  Returns 1 when
 * the point lies in the field's data, 0 when it lies outside the grid or every
 * surrounding node is missing (then *u = *v = 0: no drift from that field).  Times
 * before the first or after the last record take the nearest record (persistence).
 * Near missing nodes (a coast), the valid neighbours' bilinear weights are
 * renormalised. */
int env_sample(const env_field *f, double t, double lat, double lon, double *u, double *v);

/* A field at one time, for sampling many points at that time (a drift step): the
 * time bracket, the two records' planes and the grid's inverse spacing are found once,
 * and env_slice_sample_fast() is inline.  Gives env_sample's answers (to float
 * rounding: the fast path interpolates in single precision, as the field is stored).
 * Borrows f. */
typedef struct env_slice {
  const env_field *f;
  double t, a;   /* a: weight of record k1 */
  size_t k0, k1;
  /* the fast path (a grid of at least 2 x 2 nodes) */
  int grid;
  const float *p0, *p1; /* records k0, k1: [ny][nx][2] */
  double lat0, lon0, inv_dlat, inv_dlon, ni, nj;
  size_t nx;
  float wa;
  int mixed; /* p0 holds the two records already mixed in time (env_slice_mix) */
} env_slice;
void env_slice_init(env_slice *s, const env_field *f, double t);

/* Mix the slice's two records into buf once (cap floats; the plane needs 2 ny nx) so
 * that each sample reads 4 nodes instead of 8: worth it when a step samples more
 * points than the grid has nodes.  Returns 1 if mixed, 0 if the plane does not fit
 * (the slice is unchanged).  buf must outlive the slice's use. */
int env_slice_mix(env_slice *s, float *buf, size_t cap);
size_t env_slice_plane(const env_slice *s); /* floats a mixed plane needs (0: none) */
int env_slice_sample(const env_slice *s, double lat, double lon, double *u, double *v);

/* Inside the grid, away from missing nodes: linear in time, then bilinear, in
 * float; anything else (outside, an edge, wrapping longitudes, a missing node, an
 * analytic field) takes env_slice_sample. */
#if defined(__GNUC__)
#define ENV_INLINE static inline __attribute__((always_inline))
#else
#define ENV_INLINE static inline
#endif
ENV_INLINE int env_slice_sample_fast(const env_slice *s, double lat, double lon, double *u,
                                     double *v) {
  if (s->grid) {
    double fj = (lat - s->lat0) * s->inv_dlat, fi = (lon - s->lon0) * s->inv_dlon;
    if (fi >= 0 && fj >= 0 && fi < s->ni && fj < s->nj) {
      size_t i = (size_t)fi, j = (size_t)fj, c = 2 * (j * s->nx + i), r = 2 * s->nx;
      float x = (float)(fi - (double)i), y = (float)(fj - (double)j), a = s->wa, b = 1 - a;
      const float *q0 = s->p0 + c, *q1 = s->p1 + c;
      float u00, v00, u10, v10, u01, v01, u11, v11;
      if (s->mixed) { /* already mixed in time: 4 nodes */
        u00 = q0[0], v00 = q0[1], u10 = q0[2], v10 = q0[3];
        u01 = q0[r], v01 = q0[r + 1], u11 = q0[r + 2], v11 = q0[r + 3];
      } else { /* the 4 corners' (u, v), each the time mix of the two records */
        u00 = b * q0[0] + a * q1[0], v00 = b * q0[1] + a * q1[1];
        u10 = b * q0[2] + a * q1[2], v10 = b * q0[3] + a * q1[3];
        u01 = b * q0[r] + a * q1[r], v01 = b * q0[r + 1] + a * q1[r + 1];
        u11 = b * q0[r + 2] + a * q1[r + 2], v11 = b * q0[r + 3] + a * q1[r + 3];
      }
      float ub = u00 + x * (u10 - u00), ut = u01 + x * (u11 - u01);
      float vb = v00 + x * (v10 - v00), vt = v01 + x * (v11 - v01);
      float ru = ub + y * (ut - ub), rv = vb + y * (vt - vb);
      if (ru == ru && rv == rv) { /* not NaN: no missing node had weight */
        *u = ru, *v = rv;
        return 1;
      }
    }
  }
  return env_slice_sample(s, lat, lon, u, v);
}

/* Grid geometry of a gridded field (0 for an analytic one): nodes and spacing. */
typedef struct env_grid_info {
  size_t nt, ny, nx;
  double lat0, dlat, lon0, dlon, t0, t1;
} env_grid_info;
int env_field_info(const env_field *f, env_grid_info *out);

/* Read one quantity from a CF NetCDF file.  Variables are found by standard_name;
 * the time axis's units ("seconds|minutes|hours|days since YYYY-MM-DD[ hh:mm:ss]")
 * are converted to seconds since epoch_unix.  _FillValue/missing_value become
 * missing, scale_factor/add_offset are applied.  A variable may have dimensions
 * (time, lat, lon), (lat, lon), or (time, depth, lat, lon) with the first depth
 * level taken.  Returns 0, or ERR_IO (missing file, no NetCDF support), ERR_INPUT
 * (not such a file: the reason in d), ERR_LIMIT, ERR_NOMEM. */
#define ENV_MAX_VALUES ((size_t)200000000) /* per variable */
int env_nc_read(env_field **out, const char *path, env_quantity q, int64_t epoch_unix,
                diag *d);
/* Whether path is a whole field file (regular, opens, not cut short), the checks
 * env_nc_read makes first: 0, or ERR_IO / ERR_INPUT with the reason in d once, for a
 * caller that reads several quantities from one file. */
int env_nc_check(const char *path, diag *d);

/* Write a sample file: the current field sampled on one grid and the wind field on
 * another (each may be NULL to leave it out), hourly records.  With pack_current the
 * current is stored as 16-bit integers with scale_factor/add_offset and a
 * _FillValue, as ocean models distribute theirs; wind is float.  Times are written
 * as "hours since" the epoch (epoch_unix).  Returns 0 or an error with d filled. */
typedef struct env_synth_grid {
  double lat_min, lat_max, lon_min, lon_max, res; /* degrees */
} env_synth_grid;
int env_nc_write(const char *path, const env_field *current, const env_synth_grid *gc,
                 const env_field *wind, const env_synth_grid *gw, int hours,
                 int64_t epoch_unix, int pack_current, diag *d);

/* Add a sea surface temperature to a file written by env_nc_write: on grid g, no time
 * axis, t_south degrees C at g's southern edge changing by per_deg per degree north,
 * stored in kelvin with standard_name sea_surface_temperature.  0 or an error. */
int env_nc_add_sst(const char *path, const env_synth_grid *g, double t_south, double per_deg,
                   diag *d);

/* "YYYY-MM-DD[Thh:mm[:ss]][Z]" (or a space instead of T) to Unix seconds; 0 or -1. */
int env_parse_time(const char *s, int64_t *out);

#endif
