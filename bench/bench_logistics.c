/* bench_logistics.c - throughput of the logistics model: 30-day replications of a
 * scenario's logistics section with its crisis (closures, combat areas) and its plan
 * (phases and supply tasks the logistics follows) on one core; prints replications per
 * second, plans per second and events per second, and which planner ran.
 * Usage: bench_logistics [SCENARIO [REPLICATIONS [KEY=VALUE]]] (one --set override, e.g.
 * logistics.planner=network to time the per-commodity network planner instead). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "arena.h"
#include "crisis.h"
#include "diag.h"
#include "logistics.h"
#include "metric.h"
#include "plan.h"
#include "scenario.h"
#include "sim.h"
#include "bench_clock.h"
#include "ops.h"

#define REPEATS 5

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : STRAITS_SCENARIO_DIR "/taiwan-strait.yaml";
  int reps = argc > 2 ? atoi(argv[2]) : 1000;
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  const char *set[1] = {argc > 3 ? argv[3] : NULL};
  if (set[0]) opt.overrides = set, opt.noverrides = 1;
  if (reps < 1 || scn_load(&sc, path, &opt, d) != 0) {
    diag_print(d, stderr, 0);
    fprintf(stderr, "usage: bench_logistics [SCENARIO [REPLICATIONS [KEY=VALUE]]]\n");
    return 2;
  }
  metric_set ms;
  metric_set_init(&ms);
  crisis_model *cm = NULL;
  plan_authorities *pa = NULL;
  plan_model *pm = NULL;
  lgs_model *lm = NULL;
  if (crisis_model_new(&cm, sc, &ms, d) != 0 ||
      (plan_scenario_uses(sc) &&
       (plan_authorities_load(&pa, plan_authorities_default_path(), d) != 0 ||
        plan_model_new(&pm, sc, pa, &ms, d) != 0)) ||
      lgs_model_build(&lm, sc, &ms, d) != 0 || !lm) {
    diag_print(d, stderr, 0);
    fprintf(stderr, "bench_logistics: '%s' has no usable logistics section\n", path);
    return 2;
  }
  double horizon = 30 * 86400.0;
  sim *s = sim_new();
  arena a;
  arena_init(&a, ARENA_DEFAULT_CAP);
  double best = 1e300, best_cpu = 1e300;
  uint64_t events = 0, plans = 0;
  for (int rep = 0; rep < REPEATS; rep++) {
    events = plans = 0;
    double t0 = now_s(), c0 = cpu_s();
    for (int i = 0; i < reps; i++) {
      metric_out out;
      sim_reset(s);
      arena_reset(&a);
      if (metric_out_init(&out, &ms, &a)) return 1;
      crisis *c = crisis_start(cm, s, &a, &out, sc->seed, (uint32_t)i);
      plan_run *p = pm ? plan_start(pm, s, &a, &out, sc->seed, (uint32_t)i) : NULL;
      lgs_run *r = lgs_start(lm, s, &a, &out, sc->seed, (uint32_t)i);
      if (!c || (pm && !p) || !r || sim_run(s, horizon)) {
        fprintf(stderr, "bench_logistics: replication %d failed\n", i);
        return 1;
      }
      plans += (uint64_t)lgs_plans(r);
      crisis_collect(c, s, &out);
      if (p) plan_collect(p, s, &out);
      lgs_collect(r, s, &out);
      events += sim_events_run(s);
    }
    double dt = now_s() - t0, dc = cpu_s() - c0;
    if (dt < best) best = dt;
    if (dc < best_cpu) best_cpu = dc;
  }
  printf("%s: %d replications of 30 days (crisis%s + logistics, %s planner), best of %d\n", path,
         reps, pm ? " + plan" : "", lgs_coupled(lm) ? "coupled LP" : "network simplex", REPEATS);
  printf("  %.4f s: %.0f replications/s, %.0f plans/s (%.1f per replication), %.2e events/s\n",
         best, reps / best, (double)plans / best, (double)plans / reps, (double)events / best);
  printf("  %.4f s of CPU: %.0f replications per CPU-second\n", best_cpu, reps / best_cpu);
  lgs_model_free(lm);
  plan_model_free(pm);
  plan_authorities_free(pa);
  crisis_model_free(cm);
  sim_free(s);
  arena_release(&a);
  metric_set_release(&ms);
  scn_free(sc);
  diag_free(d);
  return 0;
}
