/* env_nc.c - CF-convention NetCDF: read a current or wind field found by
 * standard_name (regular lat/lon grid, time axis, fill values, packing), and write
 * sample files for `straits env synth`. */
#include "env.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"

#ifndef STRAITS_HAVE_NETCDF

int env_nc_read(env_field **out, const char *path, env_quantity q, int64_t epoch_unix,
                diag *d) {
  (void)q, (void)epoch_unix;
  *out = NULL;
  diag_report(d, DIAG_ERROR, path, 0, 0, "straits was built without NetCDF, so it "
              "cannot read fields (install libnetcdf-dev and rebuild)");
  return ERR_IO;
}

int env_nc_check(const char *path, diag *d) {
  diag_report(d, DIAG_ERROR, path, 0, 0, "straits was built without NetCDF");
  return ERR_IO;
}

int env_nc_write(const char *path, const env_field *current, const env_synth_grid *gc,
                 const env_field *wind, const env_synth_grid *gw, int hours,
                 int64_t epoch_unix, int pack_current, diag *d) {
  (void)current, (void)gc, (void)wind, (void)gw, (void)hours, (void)epoch_unix;
  (void)pack_current;
  diag_report(d, DIAG_ERROR, path, 0, 0, "straits was built without NetCDF");
  return ERR_IO;
}

int env_nc_add_sst(const char *path, const env_synth_grid *g, double t_south, double per_deg,
                   diag *d) {
  (void)g, (void)t_south, (void)per_deg;
  diag_report(d, DIAG_ERROR, path, 0, 0, "straits was built without NetCDF");
  return ERR_IO;
}

#else
#include <netcdf.h>
#include <sys/stat.h>

#define NAME_MAX_ 256

/* The text attribute att of var into buf ("" when absent or not text). */
static void att_text(int nc, int var, const char *att, char *buf, size_t size) {
  size_t len;
  nc_type type;
  buf[0] = '\0';
  if (nc_inq_att(nc, var, att, &type, &len) != NC_NOERR || type != NC_CHAR ||
      len + 1 > size)
    return;
  if (nc_get_att_text(nc, var, att, buf) == NC_NOERR)
    buf[len] = '\0';
  else
    buf[0] = '\0';
}

/* A numeric attribute as a double; 0 when absent. */
static int att_double(int nc, int var, const char *att, double *v) {
  size_t len;
  nc_type type;
  if (nc_inq_att(nc, var, att, &type, &len) != NC_NOERR || len < 1 || type == NC_CHAR)
    return 0;
  double buf[8];
  if (len > 8 || nc_get_att_double(nc, var, att, buf) != NC_NOERR)
    return 0;
  *v = buf[0];
  return 1;
}

static int find_standard(int nc, const char *name) {
  int nvar;
  char buf[NAME_MAX_];
  if (nc_inq_nvars(nc, &nvar) != NC_NOERR)
    return -1;
  for (int v = 0; v < nvar; v++) {
    att_text(nc, v, "standard_name", buf, sizeof buf);
    if (strcmp(buf, name) == 0)
      return v;
  }
  return -1;
}

/* The coordinate variable of dimension dim, read as doubles into *out[n].  It must
 * have that one dimension: a variable of the same name over more (a 2-D "lat") would
 * be read past the buffer (fuzz/corpus/netcdf/crash_2d_coord). */
static int read_coord(int nc, int dim, double **out, size_t *n, int *var) {
  char name[NC_MAX_NAME + 1];
  int ndim = 0, vdim = -1;
  if (nc_inq_dimname(nc, dim, name) != NC_NOERR || nc_inq_dimlen(nc, dim, n) != NC_NOERR ||
      nc_inq_varid(nc, name, var) != NC_NOERR || nc_inq_varndims(nc, *var, &ndim) != NC_NOERR ||
      ndim != 1 || nc_inq_vardimid(nc, *var, &vdim) != NC_NOERR || vdim != dim)
    return ERR_INPUT;
  if (*n == 0 || *n > ENV_MAX_VALUES)
    return ERR_LIMIT;
  if (!(*out = malloc(*n * sizeof **out)))
    return ERR_NOMEM;
  return nc_get_var_double(nc, *var, *out) == NC_NOERR ? 0 : ERR_INPUT;
}

/* Regular spacing within a thousandth of a step; the step through *step. */
static int regular(const double *x, size_t n, double *step) {
  if (n == 1) {
    *step = 1;
    return 1;
  }
  double s = (x[n - 1] - x[0]) / (double)(n - 1);
  if (!(s != 0) || !isfinite(s))
    return 0;
  for (size_t i = 0; i < n; i++)
    if (fabs(x[i] - (x[0] + (double)i * s)) > 1e-3 * fabs(s))
      return 0;
  *step = s;
  return 1;
}

/* "<unit> since <date>" to seconds per unit and the reference's Unix time. */
static int time_units(const char *units, double *mult, int64_t *ref) {
  char unit[32];
  int n = 0;
  if (sscanf(units, "%31s since %n", unit, &n) != 1 || n == 0)
    return -1;
  if (strcmp(unit, "seconds") == 0 || strcmp(unit, "second") == 0 || strcmp(unit, "s") == 0)
    *mult = 1;
  else if (strcmp(unit, "minutes") == 0 || strcmp(unit, "minute") == 0)
    *mult = 60;
  else if (strcmp(unit, "hours") == 0 || strcmp(unit, "hour") == 0 || strcmp(unit, "h") == 0)
    *mult = 3600;
  else if (strcmp(unit, "days") == 0 || strcmp(unit, "day") == 0)
    *mult = 86400;
  else
    return -1;
  return env_parse_time(units + n, ref);
}

/* Read variable var's first depth level as doubles, missing -> NaN, unpacked. */
static int read_values(int nc, int var, int ndim, size_t nt, size_t ny, size_t nx,
                       double *buf) {
  size_t start[4] = {0, 0, 0, 0}, count[4];
  if (ndim == 2)
    count[0] = ny, count[1] = nx;
  else if (ndim == 3)
    count[0] = nt, count[1] = ny, count[2] = nx;
  else
    count[0] = nt, count[1] = 1, count[2] = ny, count[3] = nx;
  if (nc_get_vara_double(nc, var, start, count, buf) != NC_NOERR)
    return ERR_INPUT;
  double fill = 0, miss = 0, scale = 1, offset = 0;
  int has_fill = att_double(nc, var, "_FillValue", &fill);
  int has_miss = att_double(nc, var, "missing_value", &miss);
  att_double(nc, var, "scale_factor", &scale);
  att_double(nc, var, "add_offset", &offset);
  size_t n = nt * ny * nx;
  for (size_t i = 0; i < n; i++) {
    double x = buf[i]; /* packed value: fill values compare before unpacking (CF 2.5.1) */
    double y = x * scale + offset;
    /* Fields are kept as float: a value past its range would become infinite. */
    if ((has_fill && x == fill) || (has_miss && x == miss) || !(fabs(y) <= FLT_MAX))
      buf[i] = NAN;
    else
      buf[i] = y;
  }
  return 0;
}

/* ---- a classic-format file must hold what its header describes -------------------
 * The NetCDF library reads the classic formats (CDF-1, CDF-2 64-bit offset, CDF-5)
 * past the end of a short file as if the missing bytes were zeros or fill values,
 * with NC_NOERR: a truncated field reads as a calm sea.  So the file's size is held
 * against the least its header allows (the NetCDF classic format specification,
 * "File Format Specification" in the NetCDF User's Guide): the header's own length,
 * computed from the metadata the library returns, then every non-record variable's
 * values (each padded to 4 bytes but the last, which a writer may leave unpadded),
 * then numrecs records of every record variable (padded when there are several), in
 * definition order.  A writer may add more (reserved header space, alignment),
 * never less, so a smaller file is certainly short; the variable named is the first
 * whose values would end past the end of the file.  NetCDF-4 (HDF5) files carry
 * their own checks: a short one fails in nc_open or nc_get_var*, whose statuses are
 * all checked. */

static size_t nc_type_bytes(nc_type t) {
  switch (t) {
  case NC_BYTE: case NC_CHAR: case NC_UBYTE: return 1;
  case NC_SHORT: case NC_USHORT: return 2;
  case NC_INT: case NC_UINT: case NC_FLOAT: return 4;
  case NC_DOUBLE: case NC_INT64: case NC_UINT64: return 8;
  default: return 0;
  }
}

static unsigned long long pad4(unsigned long long n) {
  return n > ULLONG_MAX - 3 ? ULLONG_MAX : (n + 3) & ~3ull;
}

/* Sizes saturate: a header can declare more bytes than any file holds (a hostile or
 * fuzzed one), and a wrapped product would pass for a small file. */
static unsigned long long mul_sat(unsigned long long a, unsigned long long b) {
  return b && a > ULLONG_MAX / b ? ULLONG_MAX : a * b;
}

static unsigned long long add_sat(unsigned long long a, unsigned long long b) {
  return a > ULLONG_MAX - b ? ULLONG_MAX : a + b;
}

/* Bytes of an attribute list (tag, count, each attribute) in a classic header;
 * 0 when the library cannot describe it. */
static unsigned long long classic_atts(int nc, int var, int natts, unsigned long long ne) {
  unsigned long long n = 4 + ne;
  for (int a = 0; a < natts; a++) {
    char name[NC_MAX_NAME + 1];
    nc_type t;
    size_t len;
    if (nc_inq_attname(nc, var, a, name) != NC_NOERR ||
        nc_inq_att(nc, var, name, &t, &len) != NC_NOERR || !nc_type_bytes(t))
      return 0;
    n = add_sat(n, ne + pad4(strlen(name)) + 4 + ne +
                       pad4(mul_sat(len, nc_type_bytes(t))));
  }
  return n;
}

/* 0 when the file is long enough, else ERR_INPUT with the reason in why[size]. */
static int classic_complete(int nc, const char *path, char *why, size_t size) {
  int fmt, ndims, nvars, ngatts, unlim;
  if (nc_inq_format(nc, &fmt) != NC_NOERR ||
      (fmt != NC_FORMAT_CLASSIC && fmt != NC_FORMAT_64BIT_OFFSET && fmt != NC_FORMAT_CDF5))
    return 0; /* NetCDF-4: HDF5 checks its own structure */
  if (nc_inq(nc, &ndims, &nvars, &ngatts, &unlim) != NC_NOERR)
    goto unreadable;
  const unsigned long long ne = fmt == NC_FORMAT_CDF5 ? 8 : 4; /* counts and lengths */
  const unsigned long long off = fmt == NC_FORMAT_CLASSIC ? 4 : 8; /* begin offsets */
  size_t numrecs = 0;
  if (unlim >= 0 && nc_inq_dimlen(nc, unlim, &numrecs) != NC_NOERR)
    goto unreadable;
  unsigned long long head = 4 + ne + 4 + ne; /* magic, numrecs, dim list tag and count */
  for (int k = 0; k < ndims; k++) {
    char name[NC_MAX_NAME + 1];
    if (nc_inq_dimname(nc, k, name) != NC_NOERR)
      goto unreadable;
    head += ne + pad4(strlen(name)) + ne;
  }
  unsigned long long atts = classic_atts(nc, NC_GLOBAL, ngatts, ne);
  if (!atts)
    goto unreadable;
  head += atts + 4 + ne; /* the variable list's tag and count */
  /* First the header's length, then each variable's bytes (per record for record
   * variables), unpadded: the least the layout can take. */
  unsigned long long record = 0;
  int nrecvars = 0, last_fixed = -1;
  for (int v = 0; v < nvars; v++) {
    int vdims[NC_MAX_VAR_DIMS], nd;
    if (nc_inq_var(nc, v, NULL, NULL, &nd, vdims, NULL) != NC_NOERR)
      goto unreadable;
    if (nd > 0 && vdims[0] == unlim)
      nrecvars++;
    else
      last_fixed = v;
  }
  for (int v = 0; v < nvars; v++) {
    char name[NC_MAX_NAME + 1];
    int vdims[NC_MAX_VAR_DIMS], nd, natts;
    nc_type t;
    if (nc_inq_var(nc, v, name, &t, &nd, vdims, &natts) != NC_NOERR || !nc_type_bytes(t))
      goto unreadable;
    atts = classic_atts(nc, v, natts, ne);
    if (!atts)
      goto unreadable;
    head += ne + pad4(strlen(name)) + ne + (unsigned long long)nd * ne + atts + 4 + ne + off;
  }
  struct stat sb;
  if (stat(path, &sb) != 0)
    goto unreadable;
  const unsigned long long have = (unsigned long long)sb.st_size;
  unsigned long long at = head;
  /* Non-record variables in definition order, then the records. */
  for (int pass = 0; pass < 2; pass++) {
    for (int v = 0; v < nvars; v++) {
      char name[NC_MAX_NAME + 1];
      int vdims[NC_MAX_VAR_DIMS], nd;
      nc_type t;
      if (nc_inq_var(nc, v, name, &t, &nd, vdims, NULL) != NC_NOERR)
        goto unreadable;
      int is_record = nd > 0 && vdims[0] == unlim;
      if (is_record != pass)
        continue;
      unsigned long long bytes = nc_type_bytes(t);
      for (int k = is_record; k < nd; k++) {
        size_t len;
        if (nc_inq_dimlen(nc, vdims[k], &len) != NC_NOERR)
          goto unreadable;
        bytes = mul_sat(bytes, len);
      }
      if (!is_record ? v != last_fixed : nrecvars > 1)
        bytes = pad4(bytes);
      if (!is_record) {
        at = add_sat(at, bytes);
        if (at > have) {
          snprintf(why, size, "the file is cut short: variable '%s' would end at byte %llu "
                   "but the file has %llu bytes (a truncated copy?)", name, at, have);
          return ERR_INPUT;
        }
      } else {
        record = add_sat(record, bytes);
      }
    }
  }
  if (numrecs && record && add_sat(at, mul_sat(record, numrecs)) > have) {
    unsigned long long whole = have >= at ? (have - at) / record : 0;
    snprintf(why, size, "the file is cut short: %zu records are declared but only %llu "
             "fit in its %llu bytes (a truncated copy?)", numrecs, whole, have);
    /* Name the record variable whose values in the first short record are cut. */
    unsigned long long into = have >= at ? (have - at) % record : 0, sum = 0;
    for (int v = 0; v < nvars; v++) {
      char name[NC_MAX_NAME + 1];
      int vdims[NC_MAX_VAR_DIMS], nd;
      nc_type t;
      if (nc_inq_var(nc, v, name, &t, &nd, vdims, NULL) != NC_NOERR || nd == 0 ||
          vdims[0] != unlim)
        continue;
      unsigned long long bytes = nc_type_bytes(t);
      for (int k = 1; k < nd; k++) {
        size_t len;
        bytes = mul_sat(bytes, nc_inq_dimlen(nc, vdims[k], &len) == NC_NOERR ? len : 0);
      }
      sum = add_sat(sum, nrecvars > 1 ? pad4(bytes) : bytes);
      if (sum > into) {
        snprintf(why, size, "the file is cut short: it ends in variable '%s' of record "
                 "%llu of %zu, after %llu of the %llu bytes its header describes (a "
                 "truncated copy?)", name, whole + 1, numrecs, have,
                 add_sat(at, mul_sat(record, numrecs)));
        break;
      }
    }
    return ERR_INPUT;
  }
  return 0;
unreadable:
  snprintf(why, size, "cannot read the file's layout to check that it is complete");
  return ERR_INPUT;
}

/* Open path as a field file that is whole: a regular file (nc_open would block on a
 * FIFO), readable by NetCDF and not cut short.  0 with *nc open, or the error, said
 * in d: ERR_IO when it cannot be opened, ERR_INPUT when it is not whole. */
static int open_whole(const char *path, int *nc, diag *d) {
  char why[2 * NC_MAX_NAME + 256];
  struct stat sb;
  if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
    diag_report(d, DIAG_ERROR, path, 0, 0, "cannot open field file: not a regular file");
    return ERR_INPUT;
  }
  int rc = nc_open(path, NC_NOWRITE, nc);
  if (rc != NC_NOERR) {
    diag_report(d, DIAG_ERROR, path, 0, 0, "cannot open field file: %s", nc_strerror(rc));
    return ERR_IO;
  }
  int err = classic_complete(*nc, path, why, sizeof why);
  if (err) {
    diag_report(d, DIAG_ERROR, path, 0, 0, "%s", why);
    nc_close(*nc);
  }
  return err;
}

int env_nc_check(const char *path, diag *d) {
  int nc, err = open_whole(path, &nc, d);
  if (!err) nc_close(nc);
  return err;
}

int env_nc_read(env_field **out, const char *path, env_quantity q, int64_t epoch_unix,
                diag *d) {
  static const char *const names[][2] = {
      {"eastward_sea_water_velocity", "northward_sea_water_velocity"},
      {"x_wind", "y_wind"},
      {"eastward_wind", "northward_wind"}};
  int nc = -1, err = ERR_INPUT, vu = -1, vv = -1, ndim = 0, ndim_v = 0;
  int dims[NC_MAX_VAR_DIMS], dims_v[NC_MAX_VAR_DIMS], cv;
  double *lat = NULL, *lon = NULL, *tt = NULL, *bu = NULL, *bv = NULL;
  float *fu = NULL, *fv = NULL;
  size_t ny = 0, nx = 0, nt = 1;
  const char *why = NULL;
  *out = NULL;
  if ((err = open_whole(path, &nc, d))) return err;
  err = ERR_INPUT;
  if (q == ENV_SST) { /* a scalar: both components read from the one variable */
    vu = vv = find_standard(nc, "sea_surface_temperature");
    if (vu < 0)
      vu = vv = find_standard(nc, "sea_water_temperature");
    if (vu < 0) {
      why = "no variable with standard_name 'sea_surface_temperature' or "
            "'sea_water_temperature'";
      goto done;
    }
  }
  for (int k = q == ENV_CURRENT ? 0 : 1; k < (q == ENV_CURRENT ? 1 : 3) && vu < 0; k++) {
    vu = find_standard(nc, names[k][0]);
    vv = find_standard(nc, names[k][1]);
    if (vu < 0 || vv < 0)
      vu = vv = -1;
  }
  if (vu < 0) {
    why = q == ENV_CURRENT ? "no variables with standard_name "
                             "'eastward_sea_water_velocity' and 'northward_sea_water_velocity'"
                           : "no variables with standard_name 'x_wind'/'y_wind' or "
                             "'eastward_wind'/'northward_wind'";
    goto done;
  }
  if (nc_inq_varndims(nc, vu, &ndim) || nc_inq_vardimid(nc, vu, dims) ||
      nc_inq_varndims(nc, vv, &ndim_v) || nc_inq_vardimid(nc, vv, dims_v) ||
      ndim != ndim_v || memcmp(dims, dims_v, (size_t)ndim * sizeof *dims) != 0 ||
      ndim < 2 || ndim > 4) {
    why = "the two velocity components must share dimensions (time,) (depth,) lat, lon";
    goto done;
  }
  if ((err = read_coord(nc, dims[ndim - 2], &lat, &ny, &cv)) ||
      (err = read_coord(nc, dims[ndim - 1], &lon, &nx, &cv))) {
    why = "latitude and longitude need coordinate variables";
    goto done;
  }
  double dlat, dlon;
  if (!regular(lat, ny, &dlat) || !regular(lon, nx, &dlon)) {
    err = ERR_INPUT;
    why = "the grid is not a regular latitude/longitude grid";
    goto done;
  }
  if (ndim >= 3) {
    char units[NAME_MAX_];
    double mult;
    int64_t ref;
    if ((err = read_coord(nc, dims[0], &tt, &nt, &cv))) {
      why = "the time dimension needs a coordinate variable";
      goto done;
    }
    att_text(nc, cv, "units", units, sizeof units);
    if (time_units(units, &mult, &ref)) {
      err = ERR_INPUT;
      why = "time units must read '<seconds|minutes|hours|days> since <date>'";
      goto done;
    }
    for (size_t k = 0; k < nt; k++) {
      tt[k] = tt[k] * mult + (double)(ref - epoch_unix);
      if (!isfinite(tt[k]) || (k && !(tt[k] > tt[k - 1]))) {
        err = ERR_INPUT;
        why = "time values must be finite and increase";
        goto done;
      }
    }
  } else if (!(tt = calloc(1, sizeof *tt))) {
    err = ERR_NOMEM;
    goto done;
  }
  if (nt > ENV_MAX_VALUES / ny / nx) {
    err = ERR_LIMIT;
    why = "the field has more values than straits reads";
    goto done;
  }
  size_t n = nt * ny * nx;
  bu = malloc(n * sizeof *bu), bv = malloc(n * sizeof *bv);
  fu = malloc(n * sizeof *fu), fv = malloc(n * sizeof *fv);
  if (!bu || !bv || !fu || !fv) {
    err = ERR_NOMEM;
    goto done;
  }
  if ((err = read_values(nc, vu, ndim, nt, ny, nx, bu)) ||
      (err = read_values(nc, vv, ndim, nt, ny, nx, bv))) {
    why = "cannot read the velocity values";
    goto done;
  }
  double shift = 0; /* temperatures in kelvin (CF canonical units) to degrees C */
  if (q == ENV_SST) {
    char units[NAME_MAX_];
    att_text(nc, vu, "units", units, sizeof units);
    if (strcmp(units, "K") == 0 || strcmp(units, "kelvin") == 0 || strcmp(units, "Kelvin") == 0 ||
        strcmp(units, "degK") == 0)
      shift = -273.15;
    else if (units[0] && strcmp(units, "degC") != 0 && strcmp(units, "Celsius") != 0 &&
             strcmp(units, "celsius") != 0 && strcmp(units, "degree_Celsius") != 0 &&
             strcmp(units, "C") != 0) {
      err = ERR_INPUT;
      why = "sea surface temperature units must be K or degC";
      goto done;
    }
  }
  for (size_t i = 0; i < n; i++)
    fu[i] = (float)(bu[i] + shift), fv[i] = (float)(bv[i] + shift);
  *out = env_field_grid(nt, ny, nx, tt, lat[0], dlat, lon[0], dlon, fu, fv);
  err = *out ? 0 : ERR_NOMEM;
done:
  if (err && why)
    diag_report(d, DIAG_ERROR, path, 0, 0, "%s", why);
  else if (err == ERR_NOMEM)
    diag_report(d, DIAG_ERROR, path, 0, 0, "out of memory reading the field");
  free(lat), free(lon), free(tt), free(bu), free(bv), free(fu), free(fv);
  nc_close(nc);
  return err;
}

/* ---- writing ---------------------------------------------------------------- */

#define PACK_SCALE 0.0005 /* m/s per count: +-16 m/s in 16 bits */
#define PACK_OFFSET 0.1   /* m/s, nonzero so that readers must apply it */
#define PACK_FILL ((short)-32767)

typedef struct synth_dims {
  int lat, lon, vlat, vlon;
  size_t ny, nx;
} synth_dims;

static size_t grid_n(double lo, double hi, double res) {
  return (size_t)floor((hi - lo) / res + 1e-9) + 1;
}

static int def_grid(int nc, const env_synth_grid *g, const char *lat, const char *lon,
                    synth_dims *sd) {
  sd->ny = grid_n(g->lat_min, g->lat_max, g->res);
  sd->nx = grid_n(g->lon_min, g->lon_max, g->res);
  if (nc_def_dim(nc, lat, sd->ny, &sd->lat) || nc_def_dim(nc, lon, sd->nx, &sd->lon) ||
      nc_def_var(nc, lat, NC_DOUBLE, 1, &sd->lat, &sd->vlat) ||
      nc_def_var(nc, lon, NC_DOUBLE, 1, &sd->lon, &sd->vlon) ||
      nc_put_att_text(nc, sd->vlat, "standard_name", 8, "latitude") ||
      nc_put_att_text(nc, sd->vlat, "units", 13, "degrees_north") ||
      nc_put_att_text(nc, sd->vlon, "standard_name", 9, "longitude") ||
      nc_put_att_text(nc, sd->vlon, "units", 12, "degrees_east"))
    return ERR_IO;
  return 0;
}

static int def_var(int nc, const char *name, const char *standard, int time_dim,
                   const synth_dims *sd, int packed, int *var) {
  int dims[3] = {time_dim, sd->lat, sd->lon};
  if (nc_def_var(nc, name, packed ? NC_SHORT : NC_FLOAT, 3, dims, var) ||
      nc_put_att_text(nc, *var, "standard_name", strlen(standard), standard) ||
      nc_put_att_text(nc, *var, "units", 5, "m s-1"))
    return ERR_IO;
  if (packed) {
    double s = PACK_SCALE, o = PACK_OFFSET;
    short f = PACK_FILL;
    if (nc_put_att_double(nc, *var, "scale_factor", NC_DOUBLE, 1, &s) ||
        nc_put_att_double(nc, *var, "add_offset", NC_DOUBLE, 1, &o) ||
        nc_put_att_short(nc, *var, "_FillValue", NC_SHORT, 1, &f))
      return ERR_IO;
  }
  return 0;
}

static int put_grid(int nc, const env_synth_grid *g, const synth_dims *sd) {
  double *x = malloc((sd->ny > sd->nx ? sd->ny : sd->nx) * sizeof *x);
  if (!x)
    return ERR_NOMEM;
  int err = 0;
  for (size_t j = 0; j < sd->ny; j++)
    x[j] = g->lat_min + (double)j * g->res;
  if (nc_put_var_double(nc, sd->vlat, x))
    err = ERR_IO;
  for (size_t i = 0; i < sd->nx; i++)
    x[i] = g->lon_min + (double)i * g->res;
  if (!err && nc_put_var_double(nc, sd->vlon, x))
    err = ERR_IO;
  free(x);
  return err;
}

/* Sample f on the grid, one record at a time (hourly). */
static int put_field(int nc, const env_field *f, const env_synth_grid *g,
                     const synth_dims *sd, int vu, int vv, int nt, int packed) {
  size_t n = sd->ny * sd->nx;
  double *u = malloc(n * sizeof *u), *v = malloc(n * sizeof *v);
  short *su = malloc(n * sizeof *su), *sv = malloc(n * sizeof *sv);
  int err = (u && v && su && sv) ? 0 : ERR_NOMEM;
  for (int k = 0; k < nt && !err; k++) {
    for (size_t j = 0; j < sd->ny; j++)
      for (size_t i = 0; i < sd->nx; i++) {
        size_t p = j * sd->nx + i;
        env_sample(f, 3600.0 * k, g->lat_min + (double)j * g->res,
                   g->lon_min + (double)i * g->res, &u[p], &v[p]);
        if (packed) {
          su[p] = (short)lround((u[p] - PACK_OFFSET) / PACK_SCALE);
          sv[p] = (short)lround((v[p] - PACK_OFFSET) / PACK_SCALE);
        }
      }
    size_t start[3] = {(size_t)k, 0, 0}, count[3] = {1, sd->ny, sd->nx};
    int rc = packed ? nc_put_vara_short(nc, vu, start, count, su) ||
                          nc_put_vara_short(nc, vv, start, count, sv)
                    : nc_put_vara_double(nc, vu, start, count, u) ||
                          nc_put_vara_double(nc, vv, start, count, v);
    if (rc)
      err = ERR_IO;
  }
  free(u), free(v), free(su), free(sv);
  return err;
}

int env_nc_write(const char *path, const env_field *current, const env_synth_grid *gc,
                 const env_field *wind, const env_synth_grid *gw, int hours,
                 int64_t epoch_unix, int pack_current, diag *d) {
  int nc, tdim, tvar, cu = -1, cv = -1, wu = -1, wv = -1, err = 0;
  synth_dims dc = {0}, dw = {0};
  char units[64];
  time_t et = (time_t)epoch_unix;
  struct tm tm;
  gmtime_r(&et, &tm);
  strftime(units, sizeof units, "hours since %Y-%m-%d %H:%M:%S", &tm);
  int rc = nc_create(path, NC_CLOBBER | NC_64BIT_OFFSET, &nc);
  if (rc != NC_NOERR) {
    diag_report(d, DIAG_ERROR, path, 0, 0, "cannot create field file: %s", nc_strerror(rc));
    return ERR_IO;
  }
  size_t nt = (size_t)hours + 1;
  if (nc_def_dim(nc, "time", nt, &tdim) || nc_def_var(nc, "time", NC_DOUBLE, 1, &tdim, &tvar) ||
      nc_put_att_text(nc, tvar, "standard_name", 4, "time") ||
      nc_put_att_text(nc, tvar, "units", strlen(units), units) ||
      nc_put_att_text(nc, NC_GLOBAL, "Conventions", 6, "CF-1.8") ||
      nc_put_att_text(nc, NC_GLOBAL, "title", 39, "straits env synth: analytic sample field"))
    err = ERR_IO;
  if (!err && current &&
      ((err = def_grid(nc, gc, "lat", "lon", &dc)) ||
       (err = def_var(nc, "uo", "eastward_sea_water_velocity", tdim, &dc, pack_current, &cu)) ||
       (err = def_var(nc, "vo", "northward_sea_water_velocity", tdim, &dc, pack_current, &cv))))
    goto done;
  if (!err && wind &&
      ((err = def_grid(nc, gw, "lat_wind", "lon_wind", &dw)) ||
       (err = def_var(nc, "u10", "eastward_wind", tdim, &dw, 0, &wu)) ||
       (err = def_var(nc, "v10", "northward_wind", tdim, &dw, 0, &wv))))
    goto done;
  if (!err && nc_enddef(nc))
    err = ERR_IO;
  for (size_t k = 0; k < nt && !err; k++) {
    double h = (double)k;
    if (nc_put_var1_double(nc, tvar, &k, &h))
      err = ERR_IO;
  }
  if (!err && current && !(err = put_grid(nc, gc, &dc)))
    err = put_field(nc, current, gc, &dc, cu, cv, (int)nt, pack_current);
  if (!err && wind && !(err = put_grid(nc, gw, &dw)))
    err = put_field(nc, wind, gw, &dw, wu, wv, (int)nt, 0);
done:
  if (nc_close(nc) && !err)
    err = ERR_IO;
  if (err)
    diag_report(d, DIAG_ERROR, path, 0, 0, "cannot write the field file (%s)",
                err_strerror(err));
  return err;
}

int env_nc_add_sst(const char *path, const env_synth_grid *g, double t_south, double per_deg,
                   diag *d) {
  int nc, var, err = 0;
  synth_dims sd = {0};
  int rc = nc_open(path, NC_WRITE, &nc);
  if (rc != NC_NOERR) {
    diag_report(d, DIAG_ERROR, path, 0, 0, "cannot open field file: %s", nc_strerror(rc));
    return ERR_IO;
  }
  if (nc_redef(nc) || (err = def_grid(nc, g, "lat_sst", "lon_sst", &sd)))
    err = err ? err : ERR_IO;
  int dims[2] = {sd.lat, sd.lon};
  if (!err && (nc_def_var(nc, "sst", NC_FLOAT, 2, dims, &var) ||
               nc_put_att_text(nc, var, "standard_name", 23, "sea_surface_temperature") ||
               nc_put_att_text(nc, var, "units", 1, "K") || nc_enddef(nc)))
    err = ERR_IO;
  if (!err)
    err = put_grid(nc, g, &sd);
  float *t = err ? NULL : malloc(sd.ny * sd.nx * sizeof *t);
  if (!err && !t)
    err = ERR_NOMEM;
  if (!err) { /* kelvin, as CF's canonical unit: readers must convert */
    for (size_t j = 0; j < sd.ny; j++)
      for (size_t i = 0; i < sd.nx; i++)
        t[j * sd.nx + i] = (float)(273.15 + t_south + per_deg * (double)j * g->res);
    if (nc_put_var_float(nc, var, t))
      err = ERR_IO;
  }
  free(t);
  if (nc_close(nc) && !err)
    err = ERR_IO;
  if (err)
    diag_report(d, DIAG_ERROR, path, 0, 0, "cannot add the temperature (%s)", err_strerror(err));
  return err;
}

#endif
