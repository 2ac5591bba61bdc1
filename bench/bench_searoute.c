/* bench_searoute.c - the sea router over the default scenario's theater: building the
 * sea (land mask, clearance, graph), one Dijkstra per port, and a path per pair of
 * ports (bench/README.md).  Usage: bench_searoute [mask_res_deg [step [threads]]]. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_clock.h"
#include "diag.h"
#include "geodesy.h"
#include "searoute.h"

typedef struct port {
  const char *id;
  double lat, lon;
} port;

/* The default scenario's ports (scenarios/taiwan-strait.yaml). */
static const port ports[] = {
    {"kaohsiung", 22.6150, 120.2800}, {"naha", 26.2124, 127.6792},  {"ishigaki", 24.3380, 124.1560},
    {"sasebo", 33.1594, 129.7225},    {"kure", 34.2400, 132.5550},  {"yokosuka", 35.2925, 139.6650},
    {"guam", 13.4443, 144.6537}};
#define NPORT (sizeof ports / sizeof *ports)

int main(int argc, char **argv) {
  geo_sea_options o = GEO_SEA_OPTIONS_INIT;
  if (argc > 1) o.mask_res = atof(argv[1]);
  if (argc > 2) o.step = atoi(argv[2]);
  int threads = argc > 3 ? atoi(argv[3]) : 1;
  /* Build and search every time (the cache on disk, sea_cache.c, would make this a
   * read): STRAITS_CACHE_DIR set by the caller measures the cache instead. */
  setenv("STRAITS_CACHE_DIR", "off", 0);
  /* The box the logistics model asks for: the places, 3 degrees around. */
  geo_box box = {10.4443, 38.2925, 116.9, 147.6537};
  diag *d = diag_new();
  geo_sea *s;
  double t0 = now_s(), c0 = cpu_s();
  int err = geo_sea_open(&s, &box, &o, d);
  double t1 = now_s(), c1 = cpu_s();
  if (err) {
    fprintf(stderr, "bench_searoute: cannot open the sea (%d)\n", err);
    return 1;
  }
  int nodes, arcs;
  geo_sea_size(s, &nodes, &arcs);
  printf("sea: mask %.3f deg, step %d, %d nodes, %d arcs, coastline %c: built in %.3f s "
         "(%.3f s CPU)\n", o.mask_res, o.step, nodes, arcs, geo_sea_coastline(s), t1 - t0, c1 - c0);
  int src[NPORT];
  for (size_t i = 0; i < NPORT; i++) src[i] = geo_sea_source(s, ports[i].lat, ports[i].lon);
  double t2 = now_s(), c2 = cpu_s();
  geo_sea_cover_all(s, src, (int)NPORT, INFINITY, threads);
  double t3 = now_s(), c3 = cpu_s();
  printf("dijkstra fields: %zu sources on %d threads in %.3f s (%.1f ms CPU each)\n", NPORT,
         threads, t3 - t2, 1e3 * (c3 - c2) / NPORT);
  double t4 = now_s();
  int npath = 0;
  for (size_t i = 0; i < NPORT; i++)
    for (size_t j = 0; j < NPORT; j++) {
      if (i == j) continue;
      geo_path p;
      if (geo_sea_path(s, src[i], ports[j].lat, ports[j].lon, &p)) continue;
      double gc = geo_geodesic_inverse(ports[i].lat, ports[i].lon, ports[j].lat, ports[j].lon, NULL, NULL);
      if (i < j)
        printf("  %-9s > %-9s sea %7.1f nmi, great circle %7.1f: x%.3f, %zu points\n",
               ports[i].id, ports[j].id, p.length / 1852, gc / 1852, p.length / gc, p.n);
      geo_path_release(&p);
      npath++;
    }
  double t5 = now_s();
  printf("paths (from the fields, each pair once): %d in %.3f s (%.2f ms each)\n", npath, t5 - t4,
         1e3 * (t5 - t4) / npath);
  for (size_t i = 0; i < NPORT; i++)
    for (size_t j = i + 1; j < NPORT; j++)
      printf("  %-9s > %-9s grid lookup %7.1f nmi\n", ports[i].id, ports[j].id,
             geo_sea_distance(s, src[i], ports[j].lat, ports[j].lon) / 1852);
  double t6 = now_s();
  double sum = 0;
  int nlook = 100000;
  for (int k = 0; k < nlook; k++)
    sum += geo_sea_distance(s, src[1], 23.0 + 2.0 * k / nlook, 126.5);
  double t7 = now_s();
  printf("lookups: %d in %.3f s (%.2f us each; checksum %.0f)\n", nlook, t7 - t6,
         1e6 * (t7 - t6) / nlook, sum / nlook);
  geo_sea_close(s);
  diag_free(d);
  return 0;
}
