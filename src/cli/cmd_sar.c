/* cmd_sar.c - `straits sar CASE.yaml`: the search plan for one case from a standalone
 * case file (docs/cli.md): the datum's drift, every unit's sorties as search
 * rectangles with their parallel tracks, POC, POD, cumulative POS and the probability
 * of finding the persons alive; and GeoJSON of the probability map, the search areas
 * and tracks, and the particles. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "geo_local.h"
#include "cli.h"
#include "diag.h"
#include "err.h"
#include "jdoc.h"
#include "metric.h"
#include "quantity.h"
#include "sar.h"
#include "sar_netcdf.h"
#include "scn_sar.h"

#define SAR_CLI_MAX_OVERRIDES 64
#define SAR_CLI_MAX_PATH 4096
#define SAR_CLI_MAX_TIMES 256
#define SAR_CLI_NC_CELLS ((size_t)1 << 20) /* cells of the NetCDF probability grid */

void cmd_sar_usage(FILE *out) {
  fprintf(out,
          "usage: straits sar [options] CASE.yaml\n"
          "       straits sar --list-objects\n"
          "\n"
          "Plan the search for one case (docs/cli.md): drift the search object from the\n"
          "case's datum, plan each wave of sorties of all units together (the optimal\n"
          "allocation of their effort, one rectangle per unit), and print the rectangles,\n"
          "tracks, POC, POD, cumulative POS and the probability of finding them alive.\n"
          "\n"
          "  -o, --out DIR           write probability.geojson, search_areas.geojson and\n"
          "                          particles.geojson into DIR (created if needed)\n"
          "      --sequential        plan units one after another, each on the map its\n"
          "                          predecessors left, instead of together\n"
          "      --seed S            random seed (default: the case's)\n"
          "      --set KEY=VALUE     override a scalar of the case file (repeatable)\n"
          "      --output-times LIST also write DIR/trajectories.nc and DIR/probability.nc\n"
          "                          (CF-1.8 NetCDF): the particles and the probability\n"
          "                          map before any search at these times after the\n"
          "                          report, e.g. 6h,12h,24h (needs -o)\n"
          "      --list-objects      print the Leeway object classes, one a line: id, code,\n"
          "                          group, downwind and right/left crosswind slope (%%),\n"
          "                          offset and std (cm/s), description\n");
}

/* A rectangle as a closed counterclockwise ring (RFC 7946). */
static json_t *geo_rect(double la0, double la1, double lo0, double lo1) {
  const double ring[5][2] = {{lo0, la0}, {lo1, la0}, {lo1, la1}, {lo0, la1}, {lo0, la0}};
  json_t *r = json_array(), *rings = json_array();
  for (int k = 0; k < 5; k++) jdoc_push(r, jdoc_position(ring[k][0], ring[k][1]));
  jdoc_push(rings, r);
  return jdoc_geometry("Polygon", rings);
}

/* v to 6 significant digits: what these files have always given a probability or a
 * weight (more would only make them larger); the dump prints it back exactly so. */
static json_t *sig6(double v) {
  char text[32];
  snprintf(text, sizeof text, "%.6g", v);
  return jdoc_num(strtod(text, NULL));
}

/* A FeatureCollection written a feature at a time (jdoc.h: a large array's elements
 * dumped one by one, '[', ',' and ']' around them), so that a map of a million cells
 * needs the memory of one feature. */
typedef struct geo_out {
  FILE *f;
  strbuf b; /* the feature's text */
  size_t n; /* features written */
  int bad;
} geo_out;

static void geo_begin(geo_out *o, FILE *f) {
  *o = (geo_out){.f = f, .b = STRBUF_INIT};
  fputs("{\"type\":\"FeatureCollection\",\"features\":[\n", f);
}

/* properties and geometry taken. */
static void geo_feature(geo_out *o, json_t *properties, json_t *geometry) {
  json_t *feature = json_object();
  jdoc_set(feature, "type", jdoc_str("Feature"));
  jdoc_set(feature, "properties", properties);
  jdoc_set(feature, "geometry", geometry);
  o->b.len = 0;
  if (jdoc_dump(&o->b, feature)) {
    o->bad = 1;
    return;
  }
  if (o->n++) fputs(",\n", o->f);
  fwrite(o->b.s, 1, o->b.len, o->f);
}

static int geo_end(geo_out *o) {
  fputs("\n]}\n", o->f);
  strbuf_release(&o->b);
  return o->bad || ferror(o->f) ? -1 : 0;
}

static FILE *open_in(const char *dir, const char *name, char *path) {
  snprintf(path, SAR_CLI_MAX_PATH, "%s/%s", dir, name);
  return fopen(path, "w");
}

/* The map the first wave searched (each cell's probability before any search). */
static int write_map(FILE *f, const sar_grid *g) {
  geo_out o;
  geo_begin(&o, f);
  for (size_t j = 0; j < g->ny; j++)
    for (size_t i = 0; i < g->nx; i++) {
      double p = g->p[j * g->nx + i];
      if (!(p > 0))
        continue;
      json_t *props = json_object();
      jdoc_set(props, "layer", jdoc_str("probability"));
      jdoc_set(props, "p", sig6(p));
      jdoc_set(props, "density_per_km2", sig6(p / g->area[j * g->nx + i] * 1e6));
      geo_feature(&o, props,
                  geo_rect(g->lat0 + (double)j * g->dlat, g->lat0 + (double)(j + 1) * g->dlat,
                           g->lon0 + (double)i * g->dlon, g->lon0 + (double)(i + 1) * g->dlon));
    }
  return geo_end(&o);
}

/* The parallel tracks of a rectangle as one line (legs joined at their ends). */
static json_t *geo_tracks(const sar_rect *r, const sar_tracks *t) {
  json_t *line = json_array();
  for (int k = 0; k < t->legs; k++) {
    double off = (k + 0.5) / t->legs; /* legs centred in equal strips */
    double a0, a1, lat0, lon0, lat1, lon1;
    if (t->along_lat) {
      int from_west = fabs(t->csp_lon - r->lon_min) < fabs(t->csp_lon - r->lon_max);
      double lon = from_west ? r->lon_min + off * (r->lon_max - r->lon_min)
                             : r->lon_max - off * (r->lon_max - r->lon_min);
      int up = (fabs(t->csp_lat - r->lat_min) < 1e-12) ^ (k % 2);
      a0 = up ? r->lat_min : r->lat_max, a1 = up ? r->lat_max : r->lat_min;
      lat0 = a0, lat1 = a1, lon0 = lon1 = lon;
    } else {
      int from_south = fabs(t->csp_lat - r->lat_min) < fabs(t->csp_lat - r->lat_max);
      double lat = from_south ? r->lat_min + off * (r->lat_max - r->lat_min)
                              : r->lat_max - off * (r->lat_max - r->lat_min);
      int east = (fabs(t->csp_lon - r->lon_min) < 1e-12) ^ (k % 2);
      a0 = east ? r->lon_min : r->lon_max, a1 = east ? r->lon_max : r->lon_min;
      lon0 = a0, lon1 = a1, lat0 = lat1 = lat;
    }
    jdoc_push(line, jdoc_position(lon0, lat0));
    jdoc_push(line, jdoc_position(lon1, lat1));
  }
  return jdoc_geometry("LineString", line);
}

/* An IAMSAR pattern's track as one line through its waypoints (sar_pattern.h), placed
 * about its centre as sar_plan_pattern placed its area. */
static json_t *geo_pattern(const sar_rect *r, const sar_pattern *p) {
  enum { MAXPT = 4096 };
  static double x[MAXPT], y[MAXPT];
  size_t n = sar_pattern_waypoints(p, x, y, MAXPT);
  if (n > MAXPT) n = MAXPT;
  geo_local pl;
  geo_local_init(&pl, r->clat, r->clon);
  json_t *line = json_array();
  for (size_t k = 0; k < n; k++) {
    double lat, lon;
    geo_local_latlon(&pl, x[k], y[k], &lat, &lon);
    jdoc_push(line, jdoc_position(lon, lat));
  }
  return jdoc_geometry("LineString", line);
}

/* A search area's properties: who searched it, when, how, and what it found. */
static json_t *area_properties(const sar_sortie *so, const char *unit) {
  const sar_rect *r = &so->rect;
  json_t *j = json_object();
  jdoc_set(j, "layer", jdoc_str("search_area"));
  jdoc_set(j, "unit", jdoc_str(unit));
  jdoc_set(j, "number", json_integer(so->unit + 1));
  jdoc_set(j, "sortie", json_integer(so->wave + 1));
  jdoc_set(j, "start_h", jdoc_fixed(so->t_start / 3600, 3));
  jdoc_set(j, "end_h", jdoc_fixed(so->t_end / 3600, 3));
  jdoc_set(j, "spacing_m", jdoc_fixed(r->spacing, 1));
  jdoc_set(j, "legs", json_integer(so->tracks.legs));
  jdoc_set(j, "coverage", jdoc_fixed(r->coverage, 4));
  jdoc_set(j, "pod", jdoc_fixed(r->pod, 4));
  jdoc_set(j, "poc", jdoc_fixed(r->poc, 4));
  jdoc_set(j, "pos", jdoc_fixed(so->pos, 4));
  jdoc_set(j, "pattern", jdoc_str(sar_pattern_name(so->pattern.kind)));
  jdoc_set(j, "pass", json_integer(so->layer + 1));
  return j;
}

static json_t *track_properties(const sar_sortie *so, const char *unit) {
  json_t *j = json_object();
  jdoc_set(j, "layer", jdoc_str("track"));
  jdoc_set(j, "unit", jdoc_str(unit));
  jdoc_set(j, "number", json_integer(so->unit + 1));
  jdoc_set(j, "sortie", json_integer(so->wave + 1));
  jdoc_set(j, "csp", jdoc_position(so->tracks.csp_lon, so->tracks.csp_lat));
  return j;
}

static int write_areas(FILE *f, const scn_scenario *sc, const sar_plan *pl) {
  geo_out o;
  geo_begin(&o, f);
  for (size_t k = 0; k < pl->nsortie; k++) {
    const sar_sortie *so = &pl->sortie[k];
    const sar_rect *r = &so->rect;
    const char *unit = sc->force[scn_sar_of(sc)->asset[so->asset].force].id;
    geo_feature(&o, area_properties(so, unit),
                geo_rect(r->lat_min, r->lat_max, r->lon_min, r->lon_max));
    geo_feature(&o, track_properties(so, unit),
                so->pattern.kind != SAR_PATTERN_OPTIMAL ? geo_pattern(r, &so->pattern)
                                                        : geo_tracks(r, &so->tracks));
  }
  return geo_end(&o);
}

static int write_particles(FILE *f, const sar_particles *p) {
  geo_out o;
  geo_begin(&o, f);
  for (size_t i = 0; i < p->n; i++) {
    json_t *props = json_object();
    jdoc_set(props, "layer", jdoc_str("particle"));
    jdoc_set(props, "w", sig6(p->w[i]));
    jdoc_set(props, "stranded", json_boolean(p->state[i] == SAR_STRANDED));
    geo_feature(&o, props, jdoc_geometry("Point", jdoc_position(p->lon[i], p->lat[i])));
  }
  return geo_end(&o);
}

/* One file of dir: written whole and closed, or an error. */
static int write_one(const char *dir, const char *name, char *path,
                     int (*write)(FILE *, const scn_scenario *, const sar_plan *),
                     const scn_scenario *sc, const sar_plan *pl) {
  FILE *f = open_in(dir, name, path);
  if (!f) return -1;
  int bad = write(f, sc, pl) != 0;
  return fclose(f) || bad ? -1 : 0;
}

static int map_file(FILE *f, const scn_scenario *sc, const sar_plan *pl) {
  (void)sc;
  return write_map(f, &pl->map0);
}

static int particles_file(FILE *f, const scn_scenario *sc, const sar_plan *pl) {
  (void)sc;
  return write_particles(f, &pl->p);
}

static int write_all(const char *dir, const scn_scenario *sc, const sar_plan *pl) {
  char path[SAR_CLI_MAX_PATH];
  if (mkdir(dir, 0777) && errno != EEXIST)
    return cli_error("cannot create '%s': %s", dir, strerror(errno)), -1;
  if (write_one(dir, "probability.geojson", path, map_file, sc, pl) ||
      write_one(dir, "search_areas.geojson", path, write_areas, sc, pl) ||
      write_one(dir, "particles.geojson", path, particles_file, sc, pl))
    return cli_error("cannot write '%s'", path), -1;
  return 0;
}

static size_t nonzero(const sar_grid *g) {
  size_t n = 0;
  for (size_t i = 0; i < g->nx * g->ny; i++)
    n += g->p[i] > 0;
  return n;
}

static const char *shape_text(const scn_sar_datum *d, char *buf, size_t n) {
  if (d->shape == SCN_SAR_TRACK)
    snprintf(buf, n, "track %.4f, %.4f to %.4f, %.4f", d->lat0, d->lon0, d->lat1, d->lon1);
  else if (d->shape == SCN_SAR_AREA)
    snprintf(buf, n, "area of radius %.1f nmi about %.4f, %.4f", d->radius / 1852, d->lat0,
             d->lon0);
  else
    snprintf(buf, n, "last known position %.4f, %.4f", d->lat0, d->lon0);
  return buf;
}

static void print_plan(const scn_scenario *sc, const sar_plan *pl, int joint) {
  const scn_sar_case *k = scn_sar_of(sc)->kase;
  char buf[160];
  printf("case: %s; %d x %s, %s, reported %s; %zu particles\n",
         k->name[0] ? k->name : "(unnamed)", k->persons, scn_object_name((scn_object)k->object),
         shape_text(&k->datum, buf, sizeof buf), sc->epoch, pl->p.n);
  if (!isnan(pl->water_temp))
    printf("water %.1f C: survival median %.1f h (Hayward et al. 1975)\n", pl->water_temp,
           pl->survival_median / 3600);
  else
    printf("survival median %.1f h (the class's survival distribution)\n",
           pl->survival_median / 3600);
  printf("%-6s %-14s %7s %7s  %-29s %4s %7s %8s %6s %6s %6s %7s\n", "sortie", "unit", "on h",
         "off h", "area (lat, lon)", "legs", "spacing", "coverage", "POC", "POD", "POS", "alive");
  for (size_t i = 0; i < pl->nsortie; i++) {
    const sar_sortie *so = &pl->sortie[i];
    const sar_rect *r = &so->rect;
    char area[64], unit[64];
    snprintf(area, sizeof area, "%.3f-%.3f, %.3f-%.3f", r->lat_min, r->lat_max, r->lon_min,
             r->lon_max);
    snprintf(unit, sizeof unit, "%s/%d", sc->force[scn_sar_of(sc)->asset[so->asset].force].id,
             so->unit + 1);
    char how[64] = ""; /* a pattern or a nested pass says so after the row */
    if (so->pattern.kind != SAR_PATTERN_OPTIMAL && so->pattern.kind == SAR_PATTERN_SECTOR)
      snprintf(how, sizeof how, "  sector R %.2f nm, %d pass%s", r->radius / 1852,
               so->pattern.passes, so->pattern.passes > 1 ? "es" : "");
    else if (so->pattern.kind != SAR_PATTERN_OPTIMAL)
      snprintf(how, sizeof how, "  %s %.1f x %.1f nm", sar_pattern_name(so->pattern.kind),
               so->pattern.width / 1852, so->pattern.height / 1852);
    else if (scn_sar_of(sc)->asset[so->asset].layers > 1)
      snprintf(how, sizeof how, "  pass %d of %d", so->layer + 1,
               scn_sar_of(sc)->asset[so->asset].layers);
    printf("%-6d %-14s %7.2f %7.2f  %-29s %4d %5.2f nm %8.3f %6.3f %6.3f %6.3f %7.3f%s\n",
           so->wave + 1, unit, so->t_start / 3600, so->t_end / 3600, area, so->tracks.legs,
           r->spacing / 1852, r->coverage, r->poc, r->pod, so->pos, so->p_alive, how);
  }
  for (size_t w = 0; w < pl->nwave; w++) {
    const sar_wave *wv = &pl->wave[w];
    printf("period %zu at %.2f h: POS %.3f, optimal allocation of the same effort %.3f "
           "(ratio %.3f); cumulative POS %.3f, P(alive) %.3f\n", w + 1, wv->t_mid / 3600,
           wv->pos, wv->pos_opt, wv->pos_opt > 0 ? wv->pos / wv->pos_opt : 0, wv->pos_cum,
           wv->p_alive);
  }
  if (pl->stopped)
    printf("search stopped after period %zu: %s\n", pl->nwave,
           pl->stopped == 1 ? "probability alive below case.stop.p_alive_below"
                            : "cumulative POS reached case.stop.pos_above");
  if (!pl->nsortie)
    printf("no unit can reach the case with time to search\n");
  else
    printf("plan (%s): POS %.3f, probability of finding them alive %.3f\n",
           joint ? "units planned together" : "units one after another", pl->pos,
           pl->p_found_alive);
}

/* The Leeway table (data/leeway.csv as compiled in), one class a line, in its units. */
static int list_objects(void) {
  printf("# id code group dw_slope%% dw_offset_cm/s dw_std_cm/s cwr_slope%% cwr_offset cwr_std "
         "cwl_slope%% cwl_offset cwl_std description\n");
  for (int o = 0; o < sar_object_count(); o++) {
    const sar_leeway *c = sar_leeway_of(o);
    printf("%s %s %s %g %g %g %g %g %g %g %g %g %s\n", c->id, c->name, c->group,
           100 * c->dw_slope, 100 * c->dw_offset, 100 * c->dw_std, 100 * c->cwr_slope,
           100 * c->cwr_offset, 100 * c->cwr_std, 100 * c->cwl_slope, 100 * c->cwl_offset,
           100 * c->cwl_std, c->description);
  }
  return CLI_OK;
}

/* --output-times 6h,12h,24h: durations after the report, increasing. */
static int parse_times(const char *text, double *t, size_t *nt) {
  char buf[4096], why[256];
  snprintf(buf, sizeof buf, "%s", text);
  *nt = 0;
  for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    if (*nt == SAR_CLI_MAX_TIMES)
      return cli_error("--output-times: at most %d times", SAR_CLI_MAX_TIMES), -1;
    if (qty_parse(&t[*nt], tok, QTY_DURATION, why, sizeof why))
      return cli_error("--output-times: %s", why), -1;
    if (!(t[*nt] >= 0) || (*nt && !(t[*nt] > t[*nt - 1])))
      return cli_error("--output-times: '%s' should be 0 or more and after the time before it",
                       tok), -1;
    (*nt)++;
  }
  if (!*nt)
    return cli_error("--output-times needs at least one time, e.g. 6h,12h,24h"), -1;
  return 0;
}

/* CF history: when and by which command the files were made. */
static void history_of(char *buf, size_t n, int argc, char **argv) {
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  size_t k = strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ straits", &tm);
  for (int i = 0; i < argc && k < n; i++) /* argv[0] is the command, "sar" */
    k += (size_t)snprintf(buf + k, n - k, " %s", argv[i]);
}

/* DIR/trajectories.nc and DIR/probability.nc of the case's drift at times t[nt]. */
static int write_netcdf(const char *dir, const sar_model *m, const scn_scenario *sc,
                        uint64_t seed, const double *t, size_t nt, const char *history,
                        arena *a) {
  sar_snapshots snap;
  int err = sar_snapshots_take(&snap, m, seed, t, nt, a);
  if (err == ERR_RANGE)
    return cli_error("--output-times: each time must be a whole number of the case's time "
                     "steps (%g s)", scn_sar_of(sc)->time_step), -1;
  if (err)
    return cli_error("cannot drift the case for --output-times: %s", err_strerror(err)), -1;
  char path[SAR_CLI_MAX_PATH], msg[SAR_CLI_MAX_PATH + 256];
  sar_nc_meta meta = {sc->epoch_unix, sc->name,
                      "straits " STRAITS_VERSION " sar: Leeway drift (Breivik and Allen 2008), "
                      "Monte Carlo particles", history};
  snprintf(path, sizeof path, "%s/trajectories.nc", dir);
  if (sar_nc_write_trajectories(path, &snap, &meta, msg, sizeof msg))
    return cli_error("cannot write %s", msg), -1;
  sar_grid g;
  double *gp = arena_alloc(a, SAR_CLI_NC_CELLS * sizeof *gp);
  double *ga = arena_alloc(a, SAR_CLI_NC_CELLS * sizeof *ga);
  if (!gp || !ga)
    return cli_error("out of memory for the NetCDF grid"), -1;
  sar_snapshots_grid(&g, &snap, scn_sar_of(sc)->cell, SAR_CLI_NC_CELLS, gp, ga);
  snprintf(path, sizeof path, "%s/probability.nc", dir);
  if (sar_nc_write_grid(path, &snap, &g, &meta, a, msg, sizeof msg))
    return cli_error("cannot write %s", msg), -1;
  printf("wrote %s/: trajectories.nc (%zu particles x %zu times), probability.nc (%zu x %zu "
         "cells, CF-1.8)\n", dir, snap.n, snap.nt, g.ny, g.nx);
  return 0;
}

int cmd_sar(int argc, char **argv) {
  static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                       {"sequential", no_argument, NULL, 'q'},
                                       {"seed", required_argument, NULL, 's'},
                                       {"set", required_argument, NULL, 'S'},
                                       {"output-times", required_argument, NULL, 'T'},
                                       {"list-objects", no_argument, NULL, 'L'},
                                       {NULL, 0, NULL, 0}};
  double times[SAR_CLI_MAX_TIMES];
  size_t ntimes = 0;
  int list = 0;
  const char *overrides[SAR_CLI_MAX_OVERRIDES], *dir = NULL;
  size_t nover = 0;
  int has_seed = 0, joint = 1, c;
  unsigned long long seed = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
    char *end = NULL;
    switch (c) {
    case 'o': dir = optarg; break;
    case 'q': joint = 0; break;
    case 'L': list = 1; break;
    case 'T':
      if (parse_times(optarg, times, &ntimes))
        return CLI_BAD_INPUT;
      break;
    case 's':
      seed = strtoull(optarg, &end, 10), has_seed = 1;
      if (*end || !*optarg)
        return cli_error("bad --seed '%s'", optarg), CLI_BAD_INPUT;
      break;
    case 'S':
      if (nover == SAR_CLI_MAX_OVERRIDES)
        return cli_error("too many --set (at most %d)", SAR_CLI_MAX_OVERRIDES), CLI_BAD_INPUT;
      overrides[nover++] = optarg;
      break;
    default: cmd_sar_usage(stderr); return CLI_BAD_INPUT;
    }
  }
  if (list && optind == argc)
    return list_objects();
  if (optind + 1 != argc || list) {
    cmd_sar_usage(stderr);
    return CLI_BAD_INPUT;
  }
  if (ntimes && !dir)
    return cli_error("--output-times writes its NetCDF files into the folder of -o DIR: "
                     "give -o"), CLI_BAD_INPUT;
  if (cli_wrong_file(argv[optind], CLI_FILE_SAR_CASE)) return CLI_BAD_INPUT;
  diag *d = diag_new();
  if (!d)
    return CLI_FAILURE;
  scn_load_options lo = SCN_LOAD_OPTIONS_INIT;
  lo.overrides = overrides, lo.noverrides = nover;
  scn_scenario *sc = NULL;
  int err = scn_sar_case_load(&sc, argv[optind], &lo, d);
  diag_print(d, stderr, isatty(fileno(stderr)));
  diag_free(d);
  if (err)
    return err == ERR_NOMEM ? CLI_FAILURE : CLI_BAD_INPUT;
  if (!(d = diag_new())) {
    scn_free(sc);
    return CLI_FAILURE;
  }
  metric_set ms;
  metric_set_init(&ms);
  sar_model *m = NULL;
  arena a;
  arena_init(&a, (size_t)2 << 30);
  sar_plan pl;
  int rc = CLI_OK;
  err = sar_model_new(&m, sc, &ms, d);
  diag_print(d, stderr, isatty(fileno(stderr)));
  if (!err)
    err = sar_plan_case(&pl, m, joint, has_seed ? seed : sc->seed, &a);
  if (err == ERR_LIMIT) { /* which limits: the units planned jointly, and the memory */
    cli_error("cannot plan the case: a size limit was reached: at most %d search units "
              "(SAR_JOINT_MAX), and the particles and grid within %zu MiB", SAR_JOINT_MAX,
              (size_t)a.cap >> 20);
    rc = CLI_BAD_INPUT;
    goto done;
  }
  if (err) {
    cli_error("cannot plan the case: %s", err_strerror(err));
    rc = err == ERR_INPUT || err == ERR_IO ? CLI_BAD_INPUT : CLI_FAILURE;
    goto done;
  }
  print_plan(sc, &pl, joint);
  if (dir) {
    if (write_all(dir, sc, &pl))
      rc = CLI_FAILURE;
    else
      printf("wrote %s/: probability.geojson (%zu cells), search_areas.geojson (%zu areas with "
             "tracks), particles.geojson (%zu)\n", dir, nonzero(&pl.map0), pl.nsortie,
             pl.p.n);
  }
  if (dir && ntimes && rc == CLI_OK) {
    char history[2048];
    history_of(history, sizeof history, argc, argv);
    if (write_netcdf(dir, m, sc, has_seed ? seed : sc->seed, times, ntimes, history, &a))
      rc = CLI_FAILURE;
  }
done:
  arena_release(&a);
  sar_model_free(m);
  metric_set_release(&ms);
  diag_free(d);
  scn_free(sc);
  return rc;
}
