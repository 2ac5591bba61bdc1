/* bench_inspection.c - throughput of the ship inspection model: one-month replications
 * of a scenario's inspection zone (default: the shipped Taiwan Strait scenario, its
 * operation started at once); prints vessels simulated per second and events/s.
 * Usage: bench_inspection [SCENARIO [REPLICATIONS [--set KEY=VALUE]...]] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "diag.h"
#include "inspection.h"
#include "metric.h"
#include "scenario.h"
#include "scn_inspection.h"
#include "sim.h"
#include "bench_clock.h"
#include "ops.h"

#define REPEATS 5

/* The operation waits for an important influence situation or for the plan's ship
 * inspection task; announce both at t = 0, as the crisis and plan models would, so every
 * replication runs the zone for the whole month. */
static void announce(sim *s, void *ctx) {
  const scn_inspection *in = ctx;
  sim_signal sig = {.type = SIG_SITUATION_CHANGED, .source = -1, .event = -1, .place = -1,
                    .region = -1, .gate = -1, .phase = -1, .task = -1,
                    .situation = SCN_SIT_IMPORTANT_INFLUENCE};
  sim_publish(s, &sig);
  if (in->start_kind == SCN_INSP_START_TASK) {
    sig.type = SIG_TASK_STATUS, sig.situation = -1, sig.task = in->start_task, sig.open = 1;
    sim_publish(s, &sig);
  }
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : STRAITS_SCENARIO_DIR "/taiwan-strait.yaml";
  int reps = argc > 2 ? atoi(argv[2]) : 200;
  const char *overrides[64];
  size_t nov = 0;
  for (int i = 3; i + 1 < argc && nov < 64; i += 2)
    if (strcmp(argv[i], "--set") == 0) overrides[nov++] = argv[i + 1];
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  opt.overrides = overrides, opt.noverrides = nov;
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  if (reps < 1 || scn_load(&sc, path, &opt, d) != 0) {
    diag_print(d, stderr, 0);
    fprintf(stderr, "usage: bench_inspection [SCENARIO [REPLICATIONS [--set K=V]...]]\n");
    return 2;
  }
  metric_set ms;
  metric_set_init(&ms);
  insp_model *m = NULL;
  if (insp_model_new(&m, sc, &ms, d) != 0 || !m) {
    fprintf(stderr, "bench_inspection: '%s' has no usable inspection section\n", path);
    return 2;
  }
  sim *s = sim_new();
  arena a;
  arena_init(&a, ARENA_DEFAULT_CAP);
  double best = 0, best_events = 0, best_cpu = 0;
  uint64_t ships = 0;
  for (int k = 0; k < REPEATS; k++) {
    uint64_t n = 0, events = 0;
    double t0 = now_s(), c0 = cpu_s();
    for (int r = 0; r < reps; r++) {
      sim_reset(s);
      arena_reset(&a);
      metric_out out;
      insp *I;
      if (metric_out_init(&out, &ms, &a) || !(I = insp_start(m, s, &a, &out, sc->seed, (uint32_t)r)) ||
          sim_at(s, 0, announce, (void *)scn_inspection_of(sc)) || sim_run(s, sc->horizon)) {
        fprintf(stderr, "bench_inspection: replication %d failed\n", r);
        return 1;
      }
      insp_collect(I, s, &out);
      n += insp_ships_simulated(I);
      events += sim_events_run(s);
    }
    double dt = now_s() - t0, dc = cpu_s() - c0;
    if (n / dt > best) best = (double)n / dt, best_events = (double)events / dt;
    if (n / dc > best_cpu) best_cpu = (double)n / dc;
    ships = n;
  }
  printf("inspection: %d replications of %.0f days, %.0f vessels each: %.3g vessels/s, "
         "%.3g events/s, %.3g vessels per CPU-second (best of %d)\n",
         reps, sc->horizon / 86400, (double)ships / reps, best, best_events, best_cpu, REPEATS);
  arena_release(&a);
  sim_free(s);
  insp_model_free(m);
  metric_set_release(&ms);
  scn_free(sc);
  diag_free(d);
  return 0;
}
