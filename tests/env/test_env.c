/* test_env.c - met-ocean fields: analytic fields, the CF NetCDF reader against the
 * analytic field a file was written from (round trip), fill values, packing, time
 * units, and a file without the standard names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "env.h"
#include "err.h"

#define EPOCH 1806537600 /* 2027-04-01T00:00Z */
#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static void tmp_path(char *buf, size_t n, const char *tag) {
  snprintf(buf, n, "/tmp/test_env_%s_%ld.nc", tag, (long)getpid());
}

static void analytic_fields(void **state) {
  (void)state;
  double u, v;
  env_field *c = env_field_constant(0.3, -0.2);
  assert_int_equal(env_sample(c, 123, 25, 125, &u, &v), 1);
  assert_true(u == 0.3 && v == -0.2);
  env_field *r = env_field_rotating(2.0, M_PI / 7200); /* quarter turn in an hour */
  env_sample(r, 3600, 0, 0, &u, &v);
  assert_true(fabs(u) < 1e-12 && fabs(v - 2.0) < 1e-12);
  /* eddy: speed vmax at r = R, counter-clockwise (north of the centre flows west) */
  env_field *e = env_field_eddy(25.0, 125.0, 50000, 0.8);
  double dlat = 50000 / (6371008.8 * M_PI / 180);
  env_sample(e, 0, 25.0 + dlat, 125.0, &u, &v);
  assert_true(fabs(u + 0.8) < 1e-9 && fabs(v) < 1e-9);
  env_field_free(c), env_field_free(r), env_field_free(e);
}

/* Written from analytic fields, read back: nodes agree to the packing step, times
 * between records interpolate linearly, points between nodes bilinearly. */
static void round_trip(void **state) {
  (void)state;
  char path[128];
  tmp_path(path, sizeof path, "rt");
  env_field *eddy = env_field_eddy(25.0, 125.0, 40000, 0.9);
  env_field *wind = env_field_rotating(10.0, 2 * M_PI / 86400);
  env_synth_grid gc = {24.0, 26.0, 124.0, 126.0, 0.05}, gw = {24.0, 26.0, 124.0, 126.0, 0.25};
  diag *d = diag_new();
  assert_int_equal(env_nc_write(path, eddy, &gc, wind, &gw, 6, EPOCH, 1, d), 0);
  env_field *fc = NULL, *fw = NULL;
  assert_int_equal(env_nc_read(&fc, path, ENV_CURRENT, EPOCH, d), 0);
  assert_int_equal(env_nc_read(&fw, path, ENV_WIND, EPOCH, d), 0);
  env_grid_info gi;
  assert_int_equal(env_field_info(fc, &gi), 1);
  assert_int_equal(gi.nx, 41);
  assert_int_equal(gi.ny, 41);
  assert_int_equal(gi.nt, 7);
  assert_true(gi.t0 == 0 && gi.t1 == 6 * 3600.0);
  double u, v, ua, va, worst_node = 0, worst_mid = 0;
  for (int j = 0; j < 41; j++)
    for (int i = 0; i < 41; i++) {
      double lat = 24.0 + 0.05 * j, lon = 124.0 + 0.05 * i;
      assert_int_equal(env_sample(fc, 1800, lat, lon, &u, &v), 1);
      env_sample(eddy, 0, lat, lon, &ua, &va);
      worst_node = fmax(worst_node, fmax(fabs(u - ua), fabs(v - va)));
      if (i < 40 && j < 40) {
        env_sample(fc, 0, lat + 0.025, lon + 0.025, &u, &v);
        env_sample(eddy, 0, lat + 0.025, lon + 0.025, &ua, &va);
        worst_mid = fmax(worst_mid, fmax(fabs(u - ua), fabs(v - va)));
      }
    }
  assert_true(worst_node <= 0.00025 + 1e-6); /* half the packing step */
  assert_true(worst_mid < 0.02);             /* bilinear error on a 5.5 km grid */
  /* wind: float, exact at records; halfway between records the mean of the two */
  double om = 2 * M_PI / 86400;
  env_sample(fw, 2 * 3600, 25.1, 125.3, &u, &v);
  assert_true(fabs(u - 10 * cos(om * 7200)) < 1e-5 && fabs(v - 10 * sin(om * 7200)) < 1e-5);
  env_sample(fw, 2.5 * 3600, 25.1, 125.3, &u, &v);
  assert_true(fabs(u - 5 * (cos(om * 7200) + cos(om * 10800))) < 1e-5);
  assert_true(fabs(v - 5 * (sin(om * 7200) + sin(om * 10800))) < 1e-5);
  /* outside the grid: no data, no drift */
  assert_int_equal(env_sample(fc, 0, 30.0, 125.0, &u, &v), 0);
  assert_true(u == 0 && v == 0);
  /* before the first record and after the last: persistence */
  env_sample(fw, -3600, 25, 125, &u, &v);
  assert_true(fabs(u - 10) < 1e-5);
  env_field_free(fc), env_field_free(fw), env_field_free(eddy), env_field_free(wind);
  diag_free(d);
  unlink(path);
}

/* A 3 x 3 field by hand: packed shorts, _FillValue on u, missing_value on v, time in
 * seconds since a date one day before the epoch, x_wind/y_wind names. */
static void write_small(const char *path, int with_names) {
  int nc, dt, dy, dx, vt, vy, vx, vu, vv;
  assert_int_equal(nc_create(path, NC_CLOBBER, &nc), NC_NOERR);
  nc_def_dim(nc, "t", 2, &dt), nc_def_dim(nc, "y", 3, &dy), nc_def_dim(nc, "x", 3, &dx);
  nc_def_var(nc, "t", NC_DOUBLE, 1, &dt, &vt);
  nc_put_att_text(nc, vt, "units", 33, "seconds since 2027-03-31T00:00:00");
  nc_def_var(nc, "y", NC_FLOAT, 1, &dy, &vy);
  nc_def_var(nc, "x", NC_FLOAT, 1, &dx, &vx);
  int dims[3] = {dt, dy, dx};
  nc_def_var(nc, "a", NC_SHORT, 3, dims, &vu);
  nc_def_var(nc, "b", NC_SHORT, 3, dims, &vv);
  if (with_names) {
    nc_put_att_text(nc, vu, "standard_name", 6, "x_wind");
    nc_put_att_text(nc, vv, "standard_name", 6, "y_wind");
  }
  double sc = 0.01, off = 1.0;
  short fill = -999, miss = 32000;
  nc_put_att_double(nc, vu, "scale_factor", NC_DOUBLE, 1, &sc);
  nc_put_att_double(nc, vu, "add_offset", NC_DOUBLE, 1, &off);
  nc_put_att_short(nc, vu, "_FillValue", NC_SHORT, 1, &fill);
  nc_put_att_short(nc, vv, "missing_value", NC_SHORT, 1, &miss);
  nc_enddef(nc);
  double t[2] = {86400, 90000}; /* epoch and epoch + 1 h */
  float y[3] = {10, 11, 12}, x[3] = {130, 131, 132};
  short a[18], b[18];
  for (int k = 0; k < 18; k++)
    a[k] = 100, b[k] = 7; /* u = 100 * 0.01 + 1 = 2 m/s, v = 7 m/s (no packing) */
  a[4] = fill;                /* record 0, centre node */
  b[9 + 0] = b[9 + 1] = b[9 + 3] = b[9 + 4] = miss; /* record 1, SW cell all missing */
  nc_put_var_double(nc, vt, t), nc_put_var_float(nc, vy, y), nc_put_var_float(nc, vx, x);
  nc_put_var_short(nc, vu, a), nc_put_var_short(nc, vv, b);
  nc_close(nc);
}

static void fill_and_packing(void **state) {
  (void)state;
  char path[128];
  tmp_path(path, sizeof path, "fill");
  write_small(path, 1);
  diag *d = diag_new();
  env_field *f = NULL;
  assert_int_equal(env_nc_read(&f, path, ENV_WIND, EPOCH, d), 0);
  double u, v;
  /* scale/offset applied; the fill node drops out (renormalised neighbours) */
  assert_int_equal(env_sample(f, 0, 10.5, 130.5, &u, &v), 1);
  assert_true(fabs(u - 2.0) < 1e-6 && fabs(v - 7.0) < 1e-6);
  /* on the fill node itself there is no data; just beside it the neighbours answer */
  assert_int_equal(env_sample(f, 0, 11.0, 131.0, &u, &v), 0);
  assert_int_equal(env_sample(f, 0, 11.01, 131.01, &u, &v), 1);
  assert_true(fabs(u - 2.0) < 1e-6);
  /* record 1 (t = 3600 s after the epoch): the SW cell's v is missing everywhere */
  assert_int_equal(env_sample(f, 3600, 10.5, 130.5, &u, &v), 0);
  env_field_free(f);
  diag_free(d);
  unlink(path);
}

static void missing_names(void **state) {
  (void)state;
  char path[128];
  tmp_path(path, sizeof path, "nonames");
  write_small(path, 0);
  diag *d = diag_new();
  env_field *f = NULL;
  assert_int_equal(env_nc_read(&f, path, ENV_CURRENT, EPOCH, d), ERR_INPUT);
  assert_null(f);
  assert_int_equal(diag_count(d, DIAG_ERROR), 1);
  assert_int_equal(env_nc_read(&f, "/nonexistent/x.nc", ENV_WIND, EPOCH, d), ERR_IO);
  diag_free(d);
  unlink(path);
}

/* Sea surface temperature in kelvin, (lat, lon) grid, no time axis: read as degrees C,
 * bilinear between nodes. */
static void sst_kelvin(void **state) {
  (void)state;
  char path[128];
  tmp_path(path, sizeof path, "sst");
  int nc, dy, dx, vy, vx, vs;
  assert_int_equal(nc_create(path, NC_CLOBBER, &nc), NC_NOERR);
  nc_def_dim(nc, "lat", 2, &dy), nc_def_dim(nc, "lon", 2, &dx);
  nc_def_var(nc, "lat", NC_DOUBLE, 1, &dy, &vy);
  nc_def_var(nc, "lon", NC_DOUBLE, 1, &dx, &vx);
  int dims[2] = {dy, dx};
  nc_def_var(nc, "analysed_sst", NC_FLOAT, 2, dims, &vs);
  nc_put_att_text(nc, vs, "standard_name", 23, "sea_surface_temperature");
  nc_put_att_text(nc, vs, "units", 6, "kelvin");
  nc_enddef(nc);
  double lat[2] = {24, 26}, lon[2] = {124, 126};
  float sst[4] = {293.15f, 293.15f, 283.15f, 283.15f}; /* 20 C in the south, 10 C north */
  nc_put_var_double(nc, vy, lat), nc_put_var_double(nc, vx, lon), nc_put_var_float(nc, vs, sst);
  nc_close(nc);
  diag *d = diag_new();
  env_field *f = NULL;
  assert_int_equal(env_nc_read(&f, path, ENV_SST, EPOCH, d), 0);
  double t, t2;
  assert_int_equal(env_sample(f, 0, 24, 125, &t, &t2), 1);
  assert_true(fabs(t - 20) < 1e-4 && t2 == t);
  assert_int_equal(env_sample(f, 0, 25.5, 124.3, &t, &t2), 1);
  assert_true(fabs(t - 12.5) < 1e-4); /* a quarter of the way from 10 C to 20 C */
  env_field_free(f);
  /* straits env synth --sst: written in kelvin beside a current and a wind */
  env_field *c = env_field_constant(0.1, 0.2);
  env_synth_grid g = {24, 26, 124, 126, 0.5};
  assert_int_equal(env_nc_write(path, c, &g, c, &g, 1, EPOCH, 0, d), 0);
  assert_int_equal(env_nc_add_sst(path, &g, 21, -0.8, d), 0);
  assert_int_equal(env_nc_read(&f, path, ENV_SST, EPOCH, d), 0);
  assert_int_equal(env_sample(f, 0, 25.5, 125, &t, &t2), 1);
  assert_true(fabs(t - (21 - 0.8 * 1.5)) < 1e-4); /* a node: 19.8 C */
  env_field_free(f), env_field_free(c);
  /* a wind file has no temperature */
  write_small(path, 1);
  assert_int_equal(env_nc_read(&f, path, ENV_SST, EPOCH, d), ERR_INPUT);
  diag_free(d);
  unlink(path);
}


/* Keep the first keep bytes of the file at path (truncate(2) is not in strict POSIX
 * C11 headers here, so by copy). */
static void cut_file(const char *path, long keep) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  char *buf = malloc((size_t)keep);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)keep, f), (size_t)keep);
  fclose(f);
  f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(buf, 1, (size_t)keep, f), (size_t)keep);
  fclose(f);
  free(buf);
}

static long file_size(const char *path) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fclose(f);
  return n;
}

/* A truncated field is refused with its name and the variable cut, never read as the
 * zeros NetCDF's classic reader supplies past the end (issue 21): 90% of a synth
 * file, one byte short, and a file with a record (unlimited) time dimension. */
static void truncated(void **state) {
  (void)state;
  char path[128];
  tmp_path(path, sizeof path, "cut");
  env_field *eddy = env_field_eddy(25.0, 125.0, 40000, 0.9);
  env_field *wind = env_field_constant(0.0, 10.0);
  env_synth_grid gc = {24.0, 26.0, 124.0, 126.0, 0.05}, gw = {24.0, 26.0, 124.0, 126.0, 0.25};
  diag *d = diag_new();
  env_field *f = NULL;
  assert_int_equal(env_nc_write(path, eddy, &gc, wind, &gw, 6, EPOCH, 1, d), 0);
  long full = file_size(path);
  assert_int_equal(env_nc_read(&f, path, ENV_WIND, EPOCH, d), 0);
  env_field_free(f);
  const long keep[] = {full * 9 / 10, full - 1};
  for (size_t k = 0; k < 2; k++) {
    assert_int_equal(env_nc_write(path, eddy, &gc, wind, &gw, 6, EPOCH, 1, d), 0);
    cut_file(path, keep[k]);
    size_t before = diag_count(d, DIAG_ERROR);
    f = (env_field *)d; /* must come back NULL */
    assert_int_equal(env_nc_read(&f, path, ENV_WIND, EPOCH, d), ERR_INPUT);
    assert_null(f);
    assert_int_equal(diag_count(d, DIAG_ERROR), before + 1);
    const diag_entry *e = diag_at(d, diag_size(d) - 1);
    assert_string_equal(e->file, path);
    assert_non_null(strstr(e->message, "cut short"));
    assert_non_null(strstr(e->message, k == 0 ? "variable '" : "'v10'"));
    assert_int_equal(env_nc_read(&f, path, ENV_CURRENT, EPOCH, d), ERR_INPUT);
  }
  /* The same values with time as the record dimension. */
  int nc, dt, dy, dx, vt, vy, vx, vu, vv, dims[3];
  assert_int_equal(nc_create(path, NC_CLOBBER | NC_64BIT_OFFSET, &nc), NC_NOERR);
  nc_def_dim(nc, "time", NC_UNLIMITED, &dt), nc_def_dim(nc, "lat", 3, &dy);
  nc_def_dim(nc, "lon", 3, &dx);
  nc_def_var(nc, "time", NC_DOUBLE, 1, &dt, &vt);
  nc_put_att_text(nc, vt, "units", 30, "hours since 2027-04-01 00:00:00");
  nc_def_var(nc, "lat", NC_DOUBLE, 1, &dy, &vy), nc_def_var(nc, "lon", NC_DOUBLE, 1, &dx, &vx);
  dims[0] = dt, dims[1] = dy, dims[2] = dx;
  nc_def_var(nc, "u10", NC_FLOAT, 3, dims, &vu), nc_def_var(nc, "v10", NC_FLOAT, 3, dims, &vv);
  nc_put_att_text(nc, vu, "standard_name", 13, "eastward_wind");
  nc_put_att_text(nc, vv, "standard_name", 14, "northward_wind");
  assert_int_equal(nc_enddef(nc), NC_NOERR);
  double t[4] = {0, 1, 2, 3}, ll[3] = {10, 11, 12};
  float w[36];
  for (int i = 0; i < 36; i++) w[i] = 10.0f;
  size_t start[3] = {0, 0, 0}, count[3] = {4, 3, 3};
  nc_put_vara_double(nc, vt, start, count, t);
  nc_put_var_double(nc, vy, ll), nc_put_var_double(nc, vx, ll);
  nc_put_vara_float(nc, vu, start, count, w), nc_put_vara_float(nc, vv, start, count, w);
  nc_close(nc);
  full = file_size(path);
  assert_int_equal(env_nc_read(&f, path, ENV_WIND, EPOCH, d), 0);
  env_field_free(f);
  cut_file(path, full - 20); /* inside v10 of the last record */
  assert_int_equal(env_nc_read(&f, path, ENV_WIND, EPOCH, d), ERR_INPUT);
  const diag_entry *e = diag_at(d, diag_size(d) - 1);
  assert_non_null(strstr(e->message, "variable 'v10' of record 4 of 4"));
  env_field_free(eddy), env_field_free(wind);
  diag_free(d);
  unlink(path);
}

static void parse_time(void **state) {
  (void)state;
  int64_t t;
  assert_int_equal(env_parse_time("2027-04-01T00:00Z", &t), 0);
  assert_int_equal(t, EPOCH);
  assert_int_equal(env_parse_time("1970-01-02 01:00:30", &t), 0);
  assert_int_equal(t, 86400 + 3600 + 30);
  assert_int_equal(env_parse_time("yesterday", &t), -1);
}

/* A slice mixed in time once (env_slice_mix) samples exactly as the unmixed one, at
 * random points inside, on the edges, outside and beside a missing node, and at a
 * time between records and on a record. */
static void slice_mix_same(void **state) {
  (void)state;
  enum { NT = 3, NY = 7, NX = 9 };
  double t[NT] = {0, 3600, 7200};
  float u[NT * NY * NX], v[NT * NY * NX];
  unsigned x = 12345;
  for (size_t k = 0; k < NT * NY * NX; k++) { /* a small LCG: fixed, portable values */
    x = x * 1103515245u + 12345u, u[k] = (float)((x >> 8) % 2000) / 1000.0f - 1;
    x = x * 1103515245u + 12345u, v[k] = (float)((x >> 8) % 2000) / 1000.0f - 1;
  }
  u[1 * NY * NX + 3 * NX + 4] = NAN; /* a missing node in the second record */
  env_field *f = env_field_grid(NT, NY, NX, t, 20, 0.5, 120, 0.25, u, v);
  assert_non_null(f);
  float buf[2 * NY * NX];
  const double times[] = {1800, 3600, 5000};
  for (size_t k = 0; k < 3; k++) {
    env_slice a, b;
    env_slice_init(&a, f, times[k]);
    env_slice_init(&b, f, times[k]);
    assert_int_equal(env_slice_plane(&b), 2 * NY * NX);
    assert_int_equal(env_slice_mix(&b, buf, 2 * NY * NX - 1), 0); /* too small */
    assert_int_equal(env_slice_mix(&b, buf, 2 * NY * NX), 1);
    for (int i = 0; i < 2000; i++) {
      x = x * 1103515245u + 12345u;
      double lat = 19.8 + 3.4 * (double)(x >> 8) / 16777216.0;
      x = x * 1103515245u + 12345u;
      double lon = 119.9 + 2.2 * (double)(x >> 8) / 16777216.0;
      if (i < 4) /* the grid's corners */
        lat = i & 1 ? 23 : 20, lon = i & 2 ? 122 : 120;
      double ua, va, ub, vb;
      int ra = env_slice_sample_fast(&a, lat, lon, &ua, &va);
      int rb = env_slice_sample_fast(&b, lat, lon, &ub, &vb);
      assert_int_equal(ra, rb);
      if (ra) {
        assert_true(ua == ub || (isnan(ua) && isnan(ub)));
        assert_true(va == vb || (isnan(va) && isnan(vb)));
      }
    }
  }
  env_field_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(slice_mix_same),
      cmocka_unit_test(analytic_fields), cmocka_unit_test(round_trip),
      cmocka_unit_test(fill_and_packing),
      cmocka_unit_test(truncated), cmocka_unit_test(missing_names),
      cmocka_unit_test(parse_time),      cmocka_unit_test(sst_kelvin),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
