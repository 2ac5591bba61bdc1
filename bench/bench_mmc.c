/* bench_mmc.c - throughput of a whole model on the kernel: M/M/4 with arrivals at
 * 3.5/h and service at 1/h, 1e6 customers; prints customers/s and events/s. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "arena.h"
#include "err.h"
#include "rng.h"
#include "sim.h"
#include "bench_clock.h"

#define HOUR 3600.0
#define SERVERS 4
#define LAMBDA 3.5 /* per hour */
#define MU 1.0     /* per hour */
#define REPEATS 5
/* Arrival times of customers in the system, in arrival order (FIFO queue, so the
 * next one granted is always the oldest).  More than 2^16 in the system at rho =
 * 0.875 would be a bug; the run aborts if it happens. */
#define RING (1u << 16)

typedef struct mmc {
  sim_resource *res;
  rng_stream arrivals, services;
  uint64_t left; /* customers still to arrive */
  uint64_t in, out; /* arrivals and grants so far (ring indices) */
  double ring[RING];
  double wait_sum;
} mmc;

static void on_departure(sim *s, void *ctx) {
  (void)s;
  mmc *m = ctx;
  sim_release(m->res);
}

static void on_granted(sim *s, void *ctx) {
  mmc *m = ctx;
  m->wait_sum += sim_now(s) - m->ring[m->out++ & (RING - 1)];
  sim_after(s, rng_exponential(&m->services, HOUR / MU), on_departure, m);
}

static void on_arrival(sim *s, void *ctx) {
  mmc *m = ctx;
  if (m->in - m->out >= RING) abort();
  m->ring[m->in++ & (RING - 1)] = sim_now(s);
  if (--m->left > 0)
    sim_after(s, rng_exponential(&m->arrivals, HOUR / LAMBDA), on_arrival, m);
  sim_request(m->res, on_granted, m);
}

int main(int argc, char **argv) {
  uint64_t customers = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000000;
  if (customers < 1) customers = 1000000;
  sim *s = sim_new();
  mmc *m = malloc(sizeof *m);
  arena a;
  arena_init(&a, ARENA_DEFAULT_CAP);
  if (!s || !m) return 1;

  printf("M/M/%d, lambda %.1f/h, mu %.1f/h, %llu customers per run\n", SERVERS, LAMBDA, MU,
         (unsigned long long)customers);
  printf("%4s %14s %14s %8s %10s\n", "run", "customers/s", "events/s", "ev/cust", "Wq (h)");
  double best_c = 0, best_e = 0;
  for (int rep = 0; rep < REPEATS; rep++) {
    /* Each run is a fresh replication on the same sim and arena, as in mc/. */
    sim_reset(s);
    arena_reset(&a);
    m->res = sim_resource_new(s, &a, SERVERS);
    if (!m->res) return 1;
    rng_init(&m->arrivals, 42, (uint32_t)rep, RNG_TEST, 0);
    rng_init(&m->services, 42, (uint32_t)rep, RNG_TEST, 1);
    m->left = customers;
    m->in = m->out = 0;
    m->wait_sum = 0;
    double t0 = now_s();
    if (sim_after(s, rng_exponential(&m->arrivals, HOUR / LAMBDA), on_arrival, m)) return 1;
    if (sim_run(s, INFINITY)) return 1;
    double dt = now_s() - t0;
    if (m->out != customers) return 1;
    double ev = (double)sim_events_run(s);
    double cps = (double)customers / dt, eps = ev / dt;
    printf("%4d %14.3e %14.3e %8.3f %10.4f\n", rep, cps, eps, ev / (double)customers,
           m->wait_sum / (double)customers / HOUR);
    if (cps > best_c) best_c = cps;
    if (eps > best_e) best_e = eps;
  }
  printf("best %14.3e %14.3e   (Erlang C Wq = 1.4757 h; runs start empty)\n", best_c,
         best_e);
  arena_release(&a);
  free(m);
  sim_free(s);
  return 0;
}
