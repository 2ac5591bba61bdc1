/* fuzz_netcdf.c - libFuzzer target for the CF NetCDF field reader (env_nc_read).
 *
 * Structure-aware: the input is not a NetCDF file but a small program that builds
 * one through the netCDF API -- dimensions, variables with names, types and shapes,
 * CF attributes (standard_name, units, _FillValue, missing_value, scale_factor,
 * add_offset) and values -- which env_nc_read then reads as a current, a wind and a
 * sea surface temperature.  So every file is one libnetcdf itself wrote, and the
 * fuzzer explores what straits does with odd but valid files (2-D coordinates,
 * shapes that disagree, irregular or non-increasing axes, strange units, packing
 * that overflows) instead of libnetcdf's parser of hostile headers, which allocates
 * whatever a header declares.  (Raw-byte fuzzing of the classic format found only
 * libnetcdf's own limits within seconds; fuzz/README.md.)
 *
 * The program, read byte by byte (0 once the input is exhausted):
 *   format                       % 4: classic, 64-bit offset, CDF5, netCDF-4 classic
 *   ndim (1 + % 4), then per dimension: name (% NAMES), length (1 + % 6; bit 7:
 *                                unlimited, first dimension only)
 *   nvar (1 + % 6), then per variable:
 *     name (% NAMES), type (% 6), rank (% 5), rank x dimension (% ndim)
 *     nattr (% 6), per attribute: kind (% 6) and its argument: a vocabulary index
 *       for standard_name / units, else an 8-byte double (any bits: NaN, inf, huge)
 *     fill (% 3): values as signed bytes / raw doubles / start + i * step (doubles)
 * A field that is read must sample to finite values, or report no data, anywhere. */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "env.h"
#include "err.h"
#include "fuzz.h"

#ifdef STRAITS_FUZZ_HAVE_NETCDF
#include <netcdf.h>
#endif

#define FUZZ_NC_MAX_VALUES 4096 /* per variable: 6^4 at most anyway */

static char dir[64], path[96];

static void cleanup(void) {
  unlink(path);
  rmdir(dir);
}

static void setup(void) {
  const char *tmp = getenv("TMPDIR");
  snprintf(dir, sizeof dir, "%s/straits-fuzz-XXXXXX",
           tmp && tmp[0] && strlen(tmp) < 32 ? tmp : "/tmp");
  if (!mkdtemp(dir))
    abort();
  snprintf(path, sizeof path, "%s/field.nc", dir);
  atexit(cleanup);
}

/* A field that was read must answer every sample with finite values. */
static void check_field(const env_field *f) {
  env_grid_info g;
  if (env_field_info(f, &g) != 1 || g.nt == 0 || g.ny == 0 || g.nx == 0)
    abort();
  const double lat[] = {g.lat0, g.lat0 + 0.5 * g.dlat * (double)(g.ny - 1), -91, 91};
  const double lon[] = {g.lon0, g.lon0 + 0.5 * g.dlon * (double)(g.nx - 1), -200, 400};
  const double t[] = {g.t0, 0.5 * (g.t0 + g.t1), g.t1 + 3600, -1e12};
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++) {
      double u = NAN, v = NAN;
      int in = env_sample(f, t[(i + j) % 4], lat[i], lon[j], &u, &v);
      if ((in != 0 && in != 1) || !isfinite(u) || !isfinite(v))
        abort();
    }
}

/* Read the file as each quantity and check the reader's contract. */
static void read_all(void) {
  static const env_quantity qs[] = {ENV_CURRENT, ENV_WIND, ENV_SST};
  for (size_t k = 0; k < sizeof qs / sizeof *qs; k++) {
    diag *d = diag_new();
    env_field *f = NULL;
    if (!d)
      return;
    int err = env_nc_read(&f, path, qs[k], 1806537600 /* 2027-04-01 */, d);
    if ((err == 0) != (f != NULL))
      abort(); /* a field exactly on success */
    if (err && diag_count(d, DIAG_ERROR) == 0)
      abort(); /* every refusal explains itself */
    if (f)
      check_field(f);
    if (getenv("FUZZ_NETCDF_VERBOSE")) /* what a seed reaches: fuzz/README.md */
      fprintf(stderr, "quantity %zu: %s%s\n", k, err ? "refused: " : "read",
              err ? diag_at(d, 0)->message : "");
    env_field_free(f);
    diag_free(d);
  }
}

#ifdef STRAITS_FUZZ_HAVE_NETCDF

typedef struct cursor {
  const uint8_t *p;
  size_t n;
} cursor;

static unsigned byte(cursor *c) {
  if (!c->n)
    return 0;
  c->n--;
  return *c->p++;
}

static double f64(cursor *c) {
  uint64_t u = 0;
  double v;
  for (int i = 0; i < 8; i++)
    u |= (uint64_t)byte(c) << (8 * i);
  memcpy(&v, &u, sizeof v);
  return v;
}

static const char *const names[] = {"lat", "lon", "time", "depth", "y", "x", "u", "v"};
#define NAMES (sizeof names / sizeof *names)
static const char *const standard[] = {
    "eastward_sea_water_velocity", "northward_sea_water_velocity", "x_wind", "y_wind",
    "eastward_wind", "northward_wind", "sea_surface_temperature", "sea_water_temperature",
    "latitude", "time"};
static const char *const units[] = {
    "hours since 2027-04-01 00:00:00", "days since 2027-03-31", "seconds since 1970-01-01",
    "minutes since 2027-04-01T06:30", "K", "degC", "m s-1", "fortnights since 2027-01-01",
    "hours since 99999999-12-31", "", "days since 2027-02-30 25:61"};
static const nc_type types[] = {NC_BYTE, NC_SHORT, NC_INT, NC_FLOAT, NC_DOUBLE, NC_CHAR};

static void put_attr(int nc, int var, nc_type type, cursor *c) {
  unsigned kind = byte(c) % 6;
  if (kind == 0) {
    const char *s = standard[byte(c) % (sizeof standard / sizeof *standard)];
    nc_put_att_text(nc, var, "standard_name", strlen(s), s);
  } else if (kind == 1) {
    const char *s = units[byte(c) % (sizeof units / sizeof *units)];
    nc_put_att_text(nc, var, "units", strlen(s), s);
  } else {
    static const char *const num[] = {"_FillValue", "missing_value", "scale_factor",
                                      "add_offset"};
    double v = f64(c);
    /* _FillValue must have the variable's type (netCDF refuses it otherwise). */
    nc_type t = kind == 2 && type != NC_CHAR ? type : NC_DOUBLE;
    nc_put_att_double(nc, var, num[kind - 2], t, 1, &v);
  }
}

/* A variable's values as the program gives them, read right after its attributes. */
static size_t read_values(double *buf, size_t *count, int nc, const int *dims, int rank,
                          cursor *c) {
  size_t n = 1;
  for (int k = 0; k < rank; k++) {
    nc_inq_dimlen(nc, dims[k], &count[k]);
    if (count[k] == 0) /* an unlimited dimension gets two records */
      count[k] = 2;
    n *= count[k];
  }
  unsigned fill = byte(c) % 3;
  double start = fill == 2 ? f64(c) : 0, step = fill == 2 ? f64(c) : 0;
  for (size_t k = 0; k < n && k < FUZZ_NC_MAX_VALUES; k++)
    buf[k] = fill == 0 ? (double)(int8_t)byte(c) : fill == 1 ? f64(c) : start + (double)k * step;
  return n;
}

/* Build the file the program describes; 0, or -1 when netCDF refused the basics. */
static int build(cursor *c) {
  static const int formats[] = {NC_CLOBBER, NC_CLOBBER | NC_64BIT_OFFSET,
                                NC_CLOBBER | NC_64BIT_DATA,
                                NC_CLOBBER | NC_NETCDF4 | NC_CLASSIC_MODEL};
  static double buf[6][FUZZ_NC_MAX_VALUES];
  static char text[FUZZ_NC_MAX_VALUES];
  int nc, dims[4], ndim = 0, vars[6], nvar = 0;
  size_t count[6][4], nval[6];
  nc_type vtype[6];
  if (nc_create(path, formats[byte(c) % 4], &nc) != NC_NOERR)
    return -1;
  unsigned want = 1 + byte(c) % 4;
  for (unsigned i = 0; i < want; i++) {
    const char *name = names[byte(c) % NAMES];
    unsigned b = byte(c);
    size_t len = (b & 0x80) && i == 0 ? NC_UNLIMITED : 1 + (b & 0x7f) % 6;
    if (nc_def_dim(nc, name, len, &dims[ndim]) == NC_NOERR)
      ndim++;
  }
  unsigned wantv = 1 + byte(c) % 6;
  for (unsigned i = 0; i < wantv && ndim; i++) {
    const char *name = names[byte(c) % NAMES];
    nc_type type = types[byte(c) % 6];
    int rank = (int)(byte(c) % 5), d[4];
    for (int k = 0; k < rank; k++)
      d[k] = dims[byte(c) % (unsigned)ndim];
    int ok = nc_def_var(nc, name, type, rank, d, &vars[nvar]) == NC_NOERR;
    unsigned nattr = byte(c) % 6;
    for (unsigned a = 0; a < nattr; a++)
      put_attr(nc, ok ? vars[nvar] : NC_GLOBAL, type, c);
    nval[nvar] = read_values(buf[nvar], count[nvar], nc, d, rank, c);
    vtype[nvar] = type;
    nvar += ok;
  }
  if (nc_enddef(nc) != NC_NOERR) {
    nc_close(nc);
    return -1;
  }
  for (int i = 0; i < nvar; i++) {
    static const size_t start[4] = {0, 0, 0, 0};
    if (vtype[i] == NC_CHAR) {
      for (size_t k = 0; k < nval[i]; k++)
        text[k] = fabs(buf[i][k]) < 127 ? (char)(int)buf[i][k] : '?';
      nc_put_vara_text(nc, vars[i], start, count[i], text);
    } else {
      nc_put_vara_double(nc, vars[i], start, count[i], buf[i]); /* NC_ERANGE is fine */
    }
  }
  return nc_close(nc) == NC_NOERR ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cursor c = {data, size};
  if (!dir[0])
    setup();
  if (build(&c) == 0)
    read_all();
  return 0;
}

#else /* no NetCDF: the reader refuses every file, and says so */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  (void)data, (void)size;
  if (!dir[0])
    setup();
  read_all();
  return 0;
}

#endif
