/* bench_drift.c - Leeway drift throughput (issue 9): N particles for 24 h in 10-minute
 * steps on a generated CF NetCDF field (1/12 degree current, 0.25 degree wind, hourly
 * records), land check on (GSHHG).  Prints element-steps per second for 1 to
 * THREADS_MAX threads, wall clock and per CPU-second, the speed-up from 1 thread, a
 * digest of the particles' positions (equal digests: bit-identical drifts), and the
 * peak resident memory.
 *
 * usage: bench_drift [PARTICLES] [THREADS_MAX] [WITHOUT]   (default 100000 2)
 * WITHOUT, for finding where the time goes: any of the letters c (no current), w (no
 * wind), l (no land check).  MIX=0 in the environment lends the drift no scratch, so
 * each sample mixes the two records itself (the path before env_slice_mix). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "diag.h"
#include "env.h"
#include "gshhg.h"
#include "landmask.h"
#include "rng.h"
#include "sar.h"
#include "scenario.h"
#include "bench_clock.h"

#define EPOCH 1806537600 /* 2027-04-01T00:00Z */

/* FNV-1a over the particles' positions and states: equal digests from two builds mean
 * bit-identical drifts (a check that a faster step did not change the answers). */
static uint64_t digest(const sar_particles *p) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < p->n; i++) {
    unsigned char b[17];
    memcpy(b, &p->lat[i], 8), memcpy(b + 8, &p->lon[i], 8), b[16] = p->state[i];
    for (int k = 0; k < 17; k++)
      h = (h ^ b[k]) * 1099511628211ull;
  }
  return h;
}

static double peak_mb(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_maxrss / 1024.0; /* Linux: KiB */
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? (size_t)atol(argv[1]) : 100000;
  int tmax = argc > 2 ? atoi(argv[2]) : 2;
  const char *without = argc > 3 ? argv[3] : "";
  char path[256], gshhg[512];
  snprintf(path, sizeof path, "/tmp/bench_drift_%ld.nc", (long)getpid());
  diag *d = diag_new();
  env_field *eddy = env_field_eddy(25.0, 125.0, 80000, 0.8);
  env_field *turn = env_field_rotating(10.0, 2 * 3.14159265358979 / 86400);
  env_synth_grid gc = {20, 30, 118, 130, 1.0 / 12}, gw = {20, 30, 118, 130, 0.25};
  double t0 = now_s();
  if (env_nc_write(path, eddy, &gc, turn, &gw, 25, EPOCH, 1, d)) {
    diag_print(d, stderr, 0);
    return 1;
  }
  env_field *cur = NULL, *wind = NULL;
  if (env_nc_read(&cur, path, ENV_CURRENT, EPOCH, d) ||
      env_nc_read(&wind, path, ENV_WIND, EPOCH, d)) {
    diag_print(d, stderr, 0);
    return 1;
  }
  double t1 = now_s();
  geo_landmask land;
  int has_land = geo_gshhg_find(gshhg, sizeof gshhg, NULL, 'i') == 0 &&
                 geo_landmask_build(&land, gshhg, 20, 30, 118, 130, 1.0 / 60, d) == 0;
  double t2 = now_s();
  printf("field: write+read %.2f s; land mask %s %.2f s\n", t1 - t0,
         has_land ? gshhg : "(none)", t2 - t1);
  double wall1 = NAN;
  for (int threads = 1; threads <= tmax; threads++) {
    arena a;
    arena_init(&a, (size_t)4 << 30);
    sar_particles p;
    if (sar_particles_alloc(&p, &a, n)) {
      fprintf(stderr, "no memory for %zu particles\n", n);
      return 1;
    }
    rng_stream r;
    rng_init(&r, 1, 0, RNG_TEST, 9);
    sar_seed s = {.object = SCN_OBJ_RAFT, .lat0 = 25.0, .lon0 = 125.0, .radius = 150000,
                  .sigma = 0, .count = n};
    sar_seed_area(&p, &s, &r);
    sar_drift_opts o = SAR_DRIFT_OPTS_INIT;
    o.current = strchr(without, 'c') ? NULL : cur, o.wind = strchr(without, 'w') ? NULL : wind;
    o.land = has_land && !strchr(without, 'l') ? &land : NULL, o.threads = threads;
    o.dt = 600, o.seed = 1;
    /* scratch for mixing each field's records once a step (MIX=0 in the environment
     * leaves it out, to compare) */
    const char *mix = getenv("MIX");
    if (!(mix && strcmp(mix, "0") == 0)) {
      o.scratch_floats = sar_drift_scratch(&o);
      o.scratch = arena_alloc(&a, o.scratch_floats * sizeof *o.scratch);
      if (!o.scratch)
        o.scratch_floats = 0;
    }
    int steps = 144;
    double ta = now_s(), ca = cpu_s();
    sar_drift(&p, 0, steps, &o);
    double tb = now_s(), cb = cpu_s();
    size_t stranded = 0;
    for (size_t i = 0; i < p.n; i++)
      stranded += p.state[i] == SAR_STRANDED;
    /* Per CPU-second is per core-second: the figure a loaded machine leaves stable
     * (it does not count the time the threads waited for a core); the cores busy and
     * the load average say how loaded the machine was. */
    double load[1] = {NAN};
    FILE *lf = fopen("/proc/loadavg", "r");
    if (!lf || fscanf(lf, "%lf", &load[0]) != 1)
      load[0] = NAN;
    if (lf)
      fclose(lf);
    printf("%zu particles x %d steps, %d thread%s: %.3f s wall, %.3g element-steps/s "
           "(%.3g per CPU-second, i.e. per core), %.2f cores busy, load average %.2f, "
           "%zu stranded, particle memory %.1f MB, positions digest %016llx\n",
           n, steps, threads, threads > 1 ? "s" : "", tb - ta, (double)n * steps / (tb - ta),
           (double)n * steps / (cb - ca), (cb - ca) / (tb - ta), load[0], stranded,
           (double)a.used / 1e6, (unsigned long long)digest(&p));
    if (threads == 1)
      wall1 = tb - ta;
    else if (threads == tmax)
      /* a wall-clock ratio: the threads' speed-up only when that many cores are free
       * (the load average above says whether they were) */
      printf("speed-up 1 -> %d threads: %.2fx (wall clock)\n", threads, wall1 / (tb - ta));
    arena_release(&a);
  }
  printf("peak resident memory %.1f MB\n", peak_mb());
  env_field_free(cur), env_field_free(wind), env_field_free(eddy), env_field_free(turn);
  if (has_land)
    geo_landmask_release(&land);
  diag_free(d);
  unlink(path);
  return 0;
}
