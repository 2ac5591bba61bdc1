/* cmd_sar.c - `straits sar SCENARIO --at LAT,LON`: a standalone search plan for one
 * case, from the scenario's `sar:` section (fields, land, units): each unit's first
 * sortie as a rectangle with its track spacing, POD and the cumulative POS, and the
 * probability map, search areas and particles as GeoJSON. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cli.h"
#include "diag.h"
#include "err.h"
#include "metric.h"
#include "sar.h"
#include "scn_sar.h"

#define SAR_CLI_MAX_OVERRIDES 64

void cmd_sar_usage(FILE *out) {
  fprintf(out,
          "usage: straits sar [options] SCENARIO --at LAT,LON\n"
          "\n"
          "Plan the search for one case with SCENARIO's sar section (fields, land mask,\n"
          "units and sweep widths): drift the search object from the reported position,\n"
          "give each unit's first sortie a search rectangle, and print the rectangles,\n"
          "track spacing, probability of detection and cumulative probability of success.\n"
          "\n"
          "      --at LAT,LON        reported position, degrees (required)\n"
          "      --object CLASS      piw (default), life_raft, life_raft_drogue, small_boat\n"
          "      --geojson FILE      write the probability map, search areas and particles\n"
          "      --seed S            random seed (default: the scenario's)\n"
          "      --set KEY=VALUE     override a scalar of the scenario (repeatable)\n");
}

static void geo_rect(FILE *f, double la0, double la1, double lo0, double lo1) {
  fprintf(f, "{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],"
             "[%.6f,%.6f],[%.6f,%.6f]]]}",
          lo0, la0, lo1, la0, lo1, la1, lo0, la1, lo0, la0);
}

static int write_geojson(const char *path, const scn_scenario *sc, const sar_plan *pl) {
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  const sar_grid *g = &pl->grid;
  int first = 1;
  fprintf(f, "{\"type\":\"FeatureCollection\",\"features\":[\n");
  for (size_t j = 0; j < g->ny; j++)
    for (size_t i = 0; i < g->nx; i++) {
      double p = g->p[j * g->nx + i];
      if (!(p > 0))
        continue;
      fprintf(f, "%s{\"type\":\"Feature\",\"properties\":{\"layer\":\"probability\",\"p\":%.6g},"
                 "\"geometry\":", first ? "" : ",\n", p);
      geo_rect(f, g->lat0 + (double)j * g->dlat, g->lat0 + (double)(j + 1) * g->dlat,
               g->lon0 + (double)i * g->dlon, g->lon0 + (double)(i + 1) * g->dlon);
      fputc('}', f);
      first = 0;
    }
  for (size_t k = 0; k < pl->nsortie; k++) {
    const sar_sortie *so = &pl->sortie[k];
    const sar_rect *r = &so->rect;
    fprintf(f, "%s{\"type\":\"Feature\",\"properties\":{\"layer\":\"search_area\",\"force\":\"%s\","
               "\"unit\":%d,\"start_h\":%.3f,\"end_h\":%.3f,\"spacing_m\":%.1f,\"coverage\":%.4f,"
               "\"pod\":%.4f,\"poc\":%.4f,\"pos\":%.4f},\"geometry\":",
            first ? "" : ",\n", sc->force[sc->sar->asset[so->asset].force].id, so->unit + 1,
            so->t_start / 3600, so->t_end / 3600, r->spacing, r->coverage, r->pod, r->poc, so->pos);
    geo_rect(f, r->lat_min, r->lat_max, r->lon_min, r->lon_max);
    fputc('}', f);
    first = 0;
  }
  for (size_t i = 0; i < pl->p.n; i++) {
    fprintf(f, "%s{\"type\":\"Feature\",\"properties\":{\"layer\":\"particle\",\"w\":%.6g,"
               "\"stranded\":%s},\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]}}",
            first ? "" : ",\n", pl->p.w[i], pl->p.state[i] == SAR_STRANDED ? "true" : "false",
            pl->p.lon[i], pl->p.lat[i]);
    first = 0;
  }
  fprintf(f, "\n]}\n");
  return fclose(f) == 0 ? 0 : -1;
}

int cmd_sar(int argc, char **argv) {
  static const struct option opts[] = {{"at", required_argument, NULL, 'a'},
                                       {"object", required_argument, NULL, 'o'},
                                       {"geojson", required_argument, NULL, 'g'},
                                       {"seed", required_argument, NULL, 's'},
                                       {"set", required_argument, NULL, 'S'},
                                       {NULL, 0, NULL, 0}};
  const char *overrides[SAR_CLI_MAX_OVERRIDES], *geojson = NULL;
  size_t nover = 0;
  double lat = NAN, lon = NAN;
  int object = SCN_OBJ_PIW, has_seed = 0, c;
  unsigned long long seed = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    char *end = NULL;
    switch (c) {
    case 'a':
      lat = strtod(optarg, &end);
      if (*end != ',' || !(fabs(lat) <= 90))
        return cli_error("bad --at '%s' (want LAT,LON)", optarg), CLI_BAD_INPUT;
      lon = strtod(end + 1, &end);
      if (*end || !(lon >= -180 && lon <= 360))
        return cli_error("bad --at '%s' (want LAT,LON)", optarg), CLI_BAD_INPUT;
      break;
    case 'o':
      object = -1;
      for (int k = 0; k < SCN_OBJ__COUNT; k++)
        if (strcmp(optarg, scn_object_name((scn_object)k)) == 0)
          object = k;
      if (object < 0)
        return cli_error("unknown object class '%s' (piw, life_raft, life_raft_drogue, "
                         "small_boat)", optarg), CLI_BAD_INPUT;
      break;
    case 'g': geojson = optarg; break;
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
  if (optind + 1 != argc || isnan(lat)) {
    cmd_sar_usage(stderr);
    return CLI_BAD_INPUT;
  }
  scn_scenario *sc = NULL;
  int rc = cli_load_scenario(&sc, argv[optind], overrides, nover);
  if (rc != CLI_OK)
    return rc;
  if (!sc->sar) {
    cli_error("%s has no sar section (docs/scenario.md)", argv[optind]);
    scn_free(sc);
    return CLI_BAD_INPUT;
  }
  metric_set ms;
  metric_set_init(&ms);
  diag *d = diag_new();
  sar_model *m = NULL;
  arena a;
  arena_init(&a, (size_t)2 << 30);
  sar_plan pl;
  int err = sar_model_new(&m, sc, &ms, d);
  if (d && diag_size(d))
    diag_print(d, stderr, 0);
  if (!err)
    err = sar_plan_case(&pl, m, object, lat, lon, has_seed ? seed : sc->seed, &a);
  if (err) {
    cli_error("cannot plan the case: %s", err_strerror(err));
    rc = err == ERR_INPUT || err == ERR_IO ? CLI_BAD_INPUT : CLI_FAILURE;
    goto done;
  }
  printf("case: %s reported at %.4f, %.4f; %zu particles\n", scn_object_name((scn_object)object),
         lat, lon, pl.p.n);
  printf("%-14s %4s %7s %7s  %-37s %9s %8s %6s %6s %6s\n", "force", "unit", "on h", "off h",
         "area (lat, lon)", "spacing", "coverage", "POC", "POD", "POS");
  for (size_t k = 0; k < pl.nsortie; k++) {
    const sar_sortie *so = &pl.sortie[k];
    const sar_rect *r = &so->rect;
    char area[64];
    snprintf(area, sizeof area, "%.3f-%.3f, %.3f-%.3f", r->lat_min, r->lat_max, r->lon_min,
             r->lon_max);
    printf("%-14s %4d %7.2f %7.2f  %-37s %7.0f m %8.3f %6.3f %6.3f %6.3f\n",
           sc->force[sc->sar->asset[so->asset].force].id, so->unit + 1, so->t_start / 3600,
           so->t_end / 3600, area, r->spacing, r->coverage, r->poc, r->pod, so->pos);
  }
  if (!pl.nsortie)
    printf("no unit can reach the case with time to search\n");
  if (geojson) {
    if (write_geojson(geojson, sc, &pl)) {
      cli_error("cannot write '%s'", geojson);
      rc = CLI_FAILURE;
    } else {
      printf("wrote %s: probability map, %zu search areas, %zu particles\n", geojson,
             pl.nsortie, pl.p.n);
    }
  }
done:
  arena_release(&a);
  sar_model_free(m);
  metric_set_release(&ms);
  diag_free(d);
  scn_free(sc);
  return rc;
}
