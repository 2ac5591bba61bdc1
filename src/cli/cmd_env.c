/* cmd_env.c - `straits env synth` writes a sample CF NetCDF field (an eddy current
 * and a turning wind) so anyone can try a field file; `straits env sample` prints
 * what a field file gives at a point and time. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "env.h"
#include "err.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

void cmd_env_usage(FILE *out) {
  fprintf(out,
          "usage: straits env synth [options] -o FILE\n"
          "       straits env sample FILE --at LAT,LON [--time HOURS] [--epoch TIME]\n"
          "\n"
          "synth writes a CF-convention NetCDF file with hourly records: a surface current\n"
          "(an eddy, stored packed as 16-bit integers with scale_factor/add_offset) and a\n"
          "10 m wind (turning once a day).  Read it from a scenario's sar section with\n"
          "`current: {file: FILE}` and `wind: {file: FILE}`.\n"
          "\n"
          "  -o, --output FILE       the file to write (required)\n"
          "      --box LAT0,LAT1,LON0,LON1  area in degrees (default 20,30,118,130)\n"
          "      --current-res DEG   current grid spacing (default 0.083333: 1/12)\n"
          "      --wind-res DEG      wind grid spacing (default 0.25)\n"
          "      --hours N           hours of records after the epoch (default 24)\n"
          "      --epoch TIME        ISO-8601 UTC of the first record (default\n"
          "                          2027-04-01T00:00Z)\n"
          "      --eddy LAT,LON,RADIUS_KM,VMAX  the current's eddy (default\n"
          "                          25,125,60,0.8: m/s, counter-clockwise)\n"
          "      --wind SPEED        wind speed in m/s (default 10)\n"
          "      --sst C[,PER_DEG]   add a sea surface temperature (kelvin, CF\n"
          "                          sea_surface_temperature, on the wind grid): C degrees\n"
          "                          Celsius at the box's south edge, changing by PER_DEG\n"
          "                          per degree north (default 0); for `water_temperature:\n"
          "                          {file: FILE}`\n"
          "\n"
          "sample prints the current, the wind and (if the file has one) the sea surface\n"
          "temperature at a point, HOURS after the epoch.\n");
}

static int parse_list(const char *s, double *v, int n) {
  char *end;
  for (int i = 0; i < n; i++) {
    v[i] = strtod(s, &end);
    if (end == s || !isfinite(v[i]))
      return -1;
    s = end;
    if (i + 1 < n) {
      if (*s != ',')
        return -1;
      s++;
    }
  }
  return *s ? -1 : 0;
}

static int env_synth(int argc, char **argv) {
  static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                       {"box", required_argument, NULL, 'b'},
                                       {"current-res", required_argument, NULL, 'c'},
                                       {"wind-res", required_argument, NULL, 'w'},
                                       {"hours", required_argument, NULL, 'h'},
                                       {"epoch", required_argument, NULL, 'e'},
                                       {"eddy", required_argument, NULL, 'E'},
                                       {"wind", required_argument, NULL, 'W'},
                                       {"sst", required_argument, NULL, 'S'},
                                       {NULL, 0, NULL, 0}};
  const char *out = NULL, *epoch_s = "2027-04-01T00:00Z";
  double sst[2] = {NAN, 0};
  double box[4] = {20, 30, 118, 130}, cres = 1.0 / 12, wres = 0.25, eddy[4] = {25, 125, 60, 0.8};
  double wspeed = 10;
  long hours = 24;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
    char *end = NULL;
    switch (c) {
    case 'o': out = optarg; break;
    case 'b':
      if (parse_list(optarg, box, 4) || !(box[1] > box[0]) || !(box[3] > box[2]))
        return cli_error("bad --box '%s' (want LAT0,LAT1,LON0,LON1)", optarg), CLI_BAD_INPUT;
      break;
    case 'c':
    case 'w': {
      double r = strtod(optarg, &end);
      if (*end || !(r > 0.001 && r <= 10))
        return cli_error("bad grid spacing '%s' (degrees, 0.001 to 10)", optarg), CLI_BAD_INPUT;
      *(c == 'c' ? &cres : &wres) = r;
      break;
    }
    case 'h':
      hours = strtol(optarg, &end, 10);
      if (*end || hours < 0 || hours > 24 * 366)
        return cli_error("bad --hours '%s'", optarg), CLI_BAD_INPUT;
      break;
    case 'e': epoch_s = optarg; break;
    case 'E':
      if (parse_list(optarg, eddy, 4) || !(eddy[2] > 0))
        return cli_error("bad --eddy '%s' (want LAT,LON,RADIUS_KM,VMAX)", optarg), CLI_BAD_INPUT;
      break;
    case 'W':
      wspeed = strtod(optarg, &end);
      if (*end || !(wspeed >= 0 && wspeed < 100))
        return cli_error("bad --wind '%s' (m/s)", optarg), CLI_BAD_INPUT;
      break;
    case 'S':
      if ((parse_list(optarg, sst, 1) && parse_list(optarg, sst, 2)) ||
          !(sst[0] >= -2 && sst[0] <= 40) || !(fabs(sst[1]) <= 5))
        return cli_error("bad --sst '%s' (want C[,PER_DEG]: -2 to 40 C, at most 5 C per "
                         "degree)", optarg), CLI_BAD_INPUT;
      break;
    default: cmd_env_usage(stderr); return CLI_BAD_INPUT;
    }
  }
  int64_t epoch;
  if (!out || optind != argc) {
    cmd_env_usage(stderr);
    return CLI_BAD_INPUT;
  }
  if (env_parse_time(epoch_s, &epoch))
    return cli_error("bad --epoch '%s' (want YYYY-MM-DDThh:mmZ)", epoch_s), CLI_BAD_INPUT;
  double cells = ((box[1] - box[0]) / cres + 1) * ((box[3] - box[2]) / cres + 1) * (double)(hours + 1);
  if (cells > (double)ENV_MAX_VALUES)
    return cli_error("the field would have %.0f values, more than straits reads", cells),
           CLI_BAD_INPUT;
  env_field *cur = env_field_eddy(eddy[0], eddy[1], eddy[2] * 1000, eddy[3]);
  env_field *wind = env_field_rotating(wspeed, 2 * M_PI / 86400);
  env_synth_grid gc = {box[0], box[1], box[2], box[3], cres}, gw = {box[0], box[1], box[2], box[3], wres};
  diag *d = diag_new();
  int err = cur && wind && d ? env_nc_write(out, cur, &gc, wind, &gw, (int)hours, epoch, 1, d)
                             : ERR_NOMEM;
  if (!err && !isnan(sst[0]))
    err = env_nc_add_sst(out, &gw, sst[0], sst[1], d);
  if (err) {
    if (d)
      diag_print(d, stderr, 0);
    else
      cli_error("%s", err_strerror(err));
  } else {
    printf("wrote %s: current %gx%g deg grid, wind %g deg grid, %ld hourly records from %s\n",
           out, cres, cres, wres, hours + 1, epoch_s);
    if (!isnan(sst[0]))
      printf("and a sea surface temperature on the wind grid: %.1f C at %g N, %+.2f C per "
             "degree north\n", sst[0], box[0], sst[1]);
  }
  env_field_free(cur), env_field_free(wind), diag_free(d);
  return err ? CLI_FAILURE : CLI_OK;
}

static int env_sample_cmd(int argc, char **argv) {
  static const struct option opts[] = {{"at", required_argument, NULL, 'a'},
                                       {"time", required_argument, NULL, 't'},
                                       {"epoch", required_argument, NULL, 'e'},
                                       {NULL, 0, NULL, 0}};
  const char *epoch_s = "2027-04-01T00:00Z";
  double at[2] = {NAN, NAN}, hours = 0;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    char *end = NULL;
    switch (c) {
    case 'a':
      if (parse_list(optarg, at, 2))
        return cli_error("bad --at '%s' (want LAT,LON)", optarg), CLI_BAD_INPUT;
      break;
    case 't':
      hours = strtod(optarg, &end);
      if (*end || !isfinite(hours))
        return cli_error("bad --time '%s' (hours)", optarg), CLI_BAD_INPUT;
      break;
    case 'e': epoch_s = optarg; break;
    default: cmd_env_usage(stderr); return CLI_BAD_INPUT;
    }
  }
  int64_t epoch;
  if (optind + 1 != argc || isnan(at[0])) {
    cmd_env_usage(stderr);
    return CLI_BAD_INPUT;
  }
  if (env_parse_time(epoch_s, &epoch))
    return cli_error("bad --epoch '%s'", epoch_s), CLI_BAD_INPUT;
  const char *path = argv[optind];
  diag *d = diag_new();
  env_field *f[2] = {NULL, NULL};
  static const char *const what[2] = {"current", "wind"};
  int rc = CLI_OK;
  if (env_nc_check(path, d) == 0) /* the file itself is said once, not per quantity */
    for (int q = 0; q < 2; q++)
      env_nc_read(&f[q], path, q == 0 ? ENV_CURRENT : ENV_WIND, epoch, d);
  for (int q = 0; q < 2 && (f[0] || f[1]); q++) {
    if (!f[q]) {
      printf("%-8s none in this file\n", what[q]);
      continue;
    }
    double u, v;
    int ok = env_sample(f[q], hours * 3600, at[0], at[1], &u, &v);
    if (ok)
      printf("%-8s east %+.3f m/s  north %+.3f m/s  speed %.3f m/s\n", what[q], u, v, hypot(u, v));
    else
      printf("%-8s no data at %g, %g\n", what[q], at[0], at[1]);
  }
  if (!f[0] && !f[1]) {
    diag_print(d, stderr, 0);
    rc = CLI_BAD_INPUT;
  } else {
    env_field *t = NULL;
    diag *quiet = diag_new(); /* a file without a temperature is no error here */
    double c1, c2;
    if (quiet && env_nc_read(&t, path, ENV_SST, epoch, quiet) == 0) {
      if (env_sample(t, hours * 3600, at[0], at[1], &c1, &c2))
        printf("%-8s %.2f C\n", "sst", c1);
      else
        printf("%-8s no data at %g, %g\n", "sst", at[0], at[1]);
    }
    env_field_free(t), diag_free(quiet);
  }
  env_field_free(f[0]), env_field_free(f[1]), diag_free(d);
  return rc;
}

int cmd_env(int argc, char **argv) {
  if (argc < 2) {
    cmd_env_usage(stderr);
    return CLI_BAD_INPUT;
  }
  if (strcmp(argv[1], "synth") == 0)
    return env_synth(argc - 1, argv + 1);
  if (strcmp(argv[1], "sample") == 0)
    return env_sample_cmd(argc - 1, argv + 1);
  cli_error("unknown env command '%s' (synth or sample)", argv[1]);
  return CLI_BAD_INPUT;
}
