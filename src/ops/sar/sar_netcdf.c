/* sar_netcdf.c - a case's drift as CF-1.8 NetCDF (sar_netcdf.h; docs/cli.md and
 * docs/models.md say what the files hold).  Conventions followed: CF 1.8 section 9
 * (discrete sampling geometries, the orthogonal multidimensional array representation
 * of trajectories: every trajectory has the same times), section 4 (coordinates with
 * units and standard_name), section 7.1 (cell boundaries) and the ACDD-style global
 * attributes OpenDrift also writes (title, source, history). */
#include "sar_netcdf.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "err.h"

#ifdef STRAITS_HAVE_NETCDF
#include <netcdf.h>
#endif

int sar_snapshots_take(sar_snapshots *s, const sar_model *m, uint64_t seed, const double *times,
                       size_t nt, arena *a) {
  sar_particles p;
  sar_drift_opts o;
  memset(s, 0, sizeof *s);
  int err = sar_case_particles(&p, &o, m, seed, a);
  if (err)
    return err;
  for (size_t k = 0; k < nt; k++) { /* on the drift's step grid, increasing */
    double steps = times[k] / o.dt;
    if (!(times[k] >= 0) || steps != floor(steps) || (k && !(times[k] > times[k - 1])))
      return ERR_RANGE;
  }
  size_t n = p.n, all = n * (nt ? nt : 1);
  s->time = arena_alloc(a, (nt ? nt : 1) * sizeof *s->time);
  s->lat = arena_alloc(a, all * sizeof *s->lat);
  s->lon = arena_alloc(a, all * sizeof *s->lon);
  s->w = arena_alloc(a, all * sizeof *s->w);
  s->status = arena_alloc(a, all * sizeof *s->status);
  if (!s->time || !s->lat || !s->lon || !s->w || !s->status)
    return ERR_LIMIT;
  s->n = n, s->nt = nt, s->object = p.n ? p.object[0] : 0;
  double t = 0;
  for (size_t k = 0; k < nt; k++) {
    int steps = (int)llround((times[k] - t) / o.dt);
    if (steps > 0)
      sar_drift(&p, t, steps, &o), t += steps * o.dt;
    s->time[k] = times[k];
    memcpy(s->lat + k * n, p.lat, n * sizeof *p.lat);
    memcpy(s->lon + k * n, p.lon, n * sizeof *p.lon);
    memcpy(s->w + k * n, p.w, n * sizeof *p.w);
    memcpy(s->status + k * n, p.state, n * sizeof *p.state);
  }
  return 0;
}

void sar_snapshots_grid(sar_grid *g, const sar_snapshots *s, double cell, size_t max_cells,
                        double *p_buf, double *area_buf) {
  /* every snapshot at once: sar_grid_build's cells over their common extent */
  sar_particles all = {.n = s->n * s->nt, .lat = s->lat, .lon = s->lon, .w = s->w};
  sar_grid_build(g, &all, cell, max_cells, p_buf, area_buf);
}

void sar_snapshots_bin(double *p, const sar_grid *g, const sar_snapshots *s, size_t k) {
  memset(p, 0, g->nx * g->ny * sizeof *p);
  const double *lat = s->lat + k * s->n, *lon = s->lon + k * s->n, *w = s->w + k * s->n;
  for (size_t q = 0; q < s->n; q++) { /* the cell rule of sar_grid_build */
    size_t i = (size_t)((lon[q] - g->lon0) / g->dlon);
    size_t j = (size_t)((lat[q] - g->lat0) / g->dlat);
    if (i < g->nx && j < g->ny)
      p[j * g->nx + i] += w[q];
  }
}

#ifdef STRAITS_HAVE_NETCDF

/* One NetCDF call: on failure, say which and why, once. */
#define NC(call)                                                                           \
  do {                                                                                     \
    int rc_ = (call);                                                                      \
    if (rc_ != NC_NOERR) {                                                                 \
      snprintf(msg, msglen, "%s: %s", path, nc_strerror(rc_));                             \
      goto fail;                                                                           \
    }                                                                                      \
  } while (0)

static int put_text(int nc, int var, const char *name, const char *value) {
  return nc_put_att_text(nc, var, name, strlen(value), value);
}

/* CF time units: "seconds since 2027-04-01 06:30:00" (UTC, udunits' form). */
static void time_units(char *buf, size_t n, long long epoch) {
  time_t t = (time_t)epoch;
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, n, "seconds since %Y-%m-%d %H:%M:%S", &tm);
}

static int put_globals(int nc, const sar_nc_meta *meta, const char *feature) {
  int rc = put_text(nc, NC_GLOBAL, "Conventions", "CF-1.8");
  if (!rc && feature)
    rc = put_text(nc, NC_GLOBAL, "featureType", feature);
  if (!rc)
    rc = put_text(nc, NC_GLOBAL, "title", meta->title && meta->title[0] ? meta->title : "straits sar case");
  if (!rc)
    rc = put_text(nc, NC_GLOBAL, "source", meta->source ? meta->source : "straits sar");
  if (!rc)
    rc = put_text(nc, NC_GLOBAL, "history", meta->history ? meta->history : "");
  if (!rc)
    rc = put_text(nc, NC_GLOBAL, "comment", "notional planning data (straits): not for operational use");
  return rc;
}

static int def_time(int nc, int dim, const sar_nc_meta *meta, int *var) {
  char units[64];
  time_units(units, sizeof units, meta->epoch_unix);
  int rc = nc_def_var(nc, "time", NC_DOUBLE, 1, &dim, var);
  if (!rc)
    rc = put_text(nc, *var, "standard_name", "time");
  if (!rc)
    rc = put_text(nc, *var, "long_name", "time");
  if (!rc)
    rc = put_text(nc, *var, "units", units);
  if (!rc)
    rc = put_text(nc, *var, "calendar", "standard");
  if (!rc)
    rc = put_text(nc, *var, "axis", "T");
  return rc;
}

static int def_coord(int nc, const char *name, int ndims, const int *dims, const char *std,
                     const char *units, const char *axis, int *var) {
  int rc = nc_def_var(nc, name, NC_DOUBLE, ndims, dims, var);
  if (!rc)
    rc = put_text(nc, *var, "standard_name", std);
  if (!rc)
    rc = put_text(nc, *var, "long_name", std);
  if (!rc)
    rc = put_text(nc, *var, "units", units);
  if (!rc && axis)
    rc = put_text(nc, *var, "axis", axis);
  return rc;
}

/* The Leeway class as attributes of the file (OpenDrift's object_type, and ours). */
static int put_object(int nc, int object) {
  const sar_leeway *c = sar_leeway_of(object);
  if (!c)
    return NC_NOERR;
  int rc = put_text(nc, NC_GLOBAL, "object_type", c->name);
  if (!rc)
    rc = put_text(nc, NC_GLOBAL, "straits_object", c->id);
  if (!rc)
    rc = put_text(nc, NC_GLOBAL, "object_description", c->description);
  return rc;
}

int sar_nc_write_trajectories(const char *path, const sar_snapshots *s, const sar_nc_meta *meta,
                              char *msg, size_t msglen) {
  int nc = -1, dtraj, dtime, vtraj, vtime, vlat, vlon, vstat, vw;
  NC(nc_create(path, NC_CLOBBER | NC_NETCDF4, &nc));
  NC(nc_def_dim(nc, "trajectory", s->n, &dtraj));
  NC(nc_def_dim(nc, "time", s->nt, &dtime));
  NC(put_globals(nc, meta, "trajectory"));
  NC(put_object(nc, s->object));
  NC(nc_def_var(nc, "trajectory", NC_INT, 1, &dtraj, &vtraj));
  NC(put_text(nc, vtraj, "cf_role", "trajectory_id"));
  NC(put_text(nc, vtraj, "long_name", "particle number (0-based)"));
  NC(def_time(nc, dtime, meta, &vtime));
  int d2[2] = {dtraj, dtime};
  NC(def_coord(nc, "lat", 2, d2, "latitude", "degrees_north", NULL, &vlat));
  NC(def_coord(nc, "lon", 2, d2, "longitude", "degrees_east", NULL, &vlon));
  NC(nc_def_var(nc, "status", NC_BYTE, 2, d2, &vstat));
  NC(put_text(nc, vstat, "long_name", "particle state"));
  const signed char flags[3] = {SAR_WAITING, SAR_DRIFTING, SAR_STRANDED};
  NC(nc_put_att_schar(nc, vstat, "flag_values", NC_BYTE, 3, flags));
  NC(put_text(nc, vstat, "flag_meanings", "waiting_to_enter_water drifting stranded"));
  NC(put_text(nc, vstat, "coordinates", "time lat lon"));
  NC(nc_def_var(nc, "weight", NC_DOUBLE, 2, d2, &vw));
  NC(put_text(nc, vw, "long_name", "probability weight of the particle (prior: before any search)"));
  NC(put_text(nc, vw, "units", "1"));
  NC(put_text(nc, vw, "coordinates", "time lat lon"));
  NC(nc_enddef(nc));
  for (size_t i = 0; i < s->n; i++) {
    int id = (int)i;
    NC(nc_put_var1_int(nc, vtraj, &i, &id));
  }
  NC(nc_put_var_double(nc, vtime, s->time));
  for (size_t k = 0; k < s->nt; k++) { /* one time at a time: [k * n ...] is (trajectory, k) */
    size_t start[2] = {0, k}, count[2] = {s->n, 1};
    NC(nc_put_vara_double(nc, vlat, start, count, s->lat + k * s->n));
    NC(nc_put_vara_double(nc, vlon, start, count, s->lon + k * s->n));
    NC(nc_put_vara_double(nc, vw, start, count, s->w + k * s->n));
    NC(nc_put_vara_schar(nc, vstat, start, count, (const signed char *)(s->status + k * s->n)));
  }
  NC(nc_close(nc));
  return 0;
fail:
  if (nc >= 0)
    nc_close(nc);
  return ERR_IO;
}

/* lat or lon of the grid: cell centres and their bounds. */
static int put_axis(int nc, int var, int bnds, size_t n, double x0, double dx, double *buf) {
  for (size_t i = 0; i < n; i++)
    buf[i] = x0 + ((double)i + 0.5) * dx;
  int rc = nc_put_var_double(nc, var, buf);
  for (size_t i = 0; !rc && i < n; i++) {
    double b[2] = {x0 + (double)i * dx, x0 + (double)(i + 1) * dx};
    size_t start[2] = {i, 0}, count[2] = {1, 2};
    rc = nc_put_vara_double(nc, bnds, start, count, b);
  }
  return rc;
}

int sar_nc_write_grid(const char *path, const sar_snapshots *s, const sar_grid *g,
                      const sar_nc_meta *meta, arena *a, char *msg, size_t msglen) {
  size_t cells = g->nx * g->ny, axis = g->nx > g->ny ? g->nx : g->ny;
  double *p = arena_alloc(a, (cells ? cells : 1) * sizeof *p);
  double *buf = arena_alloc(a, (axis ? axis : 1) * sizeof *buf);
  if (!p || !buf) {
    snprintf(msg, msglen, "%s: out of memory for the grid", path);
    return ERR_LIMIT;
  }
  int nc = -1, dtime, dlat, dlon, dnv, vtime, vlat, vlon, vlatb, vlonb, vp, vd;
  NC(nc_create(path, NC_CLOBBER | NC_NETCDF4, &nc));
  NC(nc_def_dim(nc, "time", s->nt, &dtime));
  NC(nc_def_dim(nc, "lat", g->ny, &dlat));
  NC(nc_def_dim(nc, "lon", g->nx, &dlon));
  NC(nc_def_dim(nc, "nv", 2, &dnv));
  NC(put_globals(nc, meta, NULL));
  NC(put_object(nc, s->object));
  NC(def_time(nc, dtime, meta, &vtime));
  NC(def_coord(nc, "lat", 1, &dlat, "latitude", "degrees_north", "Y", &vlat));
  NC(put_text(nc, vlat, "bounds", "lat_bnds"));
  NC(def_coord(nc, "lon", 1, &dlon, "longitude", "degrees_east", "X", &vlon));
  NC(put_text(nc, vlon, "bounds", "lon_bnds"));
  int db[2] = {dlat, dnv};
  NC(nc_def_var(nc, "lat_bnds", NC_DOUBLE, 2, db, &vlatb));
  db[0] = dlon;
  NC(nc_def_var(nc, "lon_bnds", NC_DOUBLE, 2, db, &vlonb));
  int d3[3] = {dtime, dlat, dlon};
  NC(nc_def_var(nc, "probability", NC_DOUBLE, 3, d3, &vp));
  NC(put_text(nc, vp, "long_name", "probability of containment of the search object in the cell "
                                   "(prior: before any search)"));
  NC(put_text(nc, vp, "units", "1"));
  NC(put_text(nc, vp, "cell_methods", "area: sum"));
  NC(nc_def_var(nc, "probability_density", NC_DOUBLE, 3, d3, &vd));
  NC(put_text(nc, vd, "long_name", "probability of containment per unit area"));
  NC(put_text(nc, vd, "units", "km-2"));
  NC(put_text(nc, vd, "cell_methods", "area: mean"));
  NC(nc_enddef(nc));
  NC(nc_put_var_double(nc, vtime, s->time));
  NC(put_axis(nc, vlat, vlatb, g->ny, g->lat0, g->dlat, buf));
  NC(put_axis(nc, vlon, vlonb, g->nx, g->lon0, g->dlon, buf));
  for (size_t k = 0; k < s->nt; k++) {
    size_t start[3] = {k, 0, 0}, count[3] = {1, g->ny, g->nx};
    sar_snapshots_bin(p, g, s, k);
    NC(nc_put_vara_double(nc, vp, start, count, p));
    for (size_t c = 0; c < cells; c++) /* per km^2: the cell's probability over its area */
      p[c] = p[c] / g->area[c] * 1e6;
    NC(nc_put_vara_double(nc, vd, start, count, p));
  }
  NC(nc_close(nc));
  return 0;
fail:
  if (nc >= 0)
    nc_close(nc);
  return ERR_IO;
}

#else /* built without NetCDF */

int sar_nc_write_trajectories(const char *path, const sar_snapshots *s, const sar_nc_meta *meta,
                              char *msg, size_t msglen) {
  (void)s, (void)meta;
  snprintf(msg, msglen, "%s: straits was built without NetCDF", path);
  return ERR_NOTFOUND;
}

int sar_nc_write_grid(const char *path, const sar_snapshots *s, const sar_grid *g,
                      const sar_nc_meta *meta, arena *a, char *msg, size_t msglen) {
  (void)s, (void)g, (void)meta, (void)a;
  snprintf(msg, msglen, "%s: straits was built without NetCDF", path);
  return ERR_NOTFOUND;
}

#endif
