/* bench_rng.c - throughput of the RNG: the Philox4x32-10 block function, rng_u32,
 * rng_uniform, rng_exponential and gsl_ran_gaussian through the stream's gsl_rng.
 * Prints draws per second (best of the repeats, wall and CPU time) and a checksum of
 * the draws, so two builds can be compared for speed and for identical output. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

#include "rng.h"
#include "bench_clock.h"

#define REPEATS 5

typedef struct result {
  double best_wall, best_cpu; /* draws per second */
  uint64_t sum;               /* checksum of the draws (same in every repeat) */
} result;

/* FNV-1a style fold of 64-bit words: only to show two builds drew the same. */
static uint64_t fold(uint64_t h, uint64_t v) { return (h ^ v) * UINT64_C(0x100000001b3); }

static uint64_t bits(double x) {
  union { double d; uint64_t u; } c = {x};
  return c.u;
}

enum kind { BLOCK, U32, UNIFORM, EXPONENTIAL, GAUSSIAN };

static uint64_t one_pass(enum kind k, uint64_t n) {
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  rng_stream r;
  rng_init(&r, UINT64_C(20270401), 3, RNG_TEST, 1);
  switch (k) {
  case BLOCK: {
    /* Four words per call; n counts words. */
    uint32_t ctr[4] = {0, 1, RNG_TEST, 3}, key[2] = {20270401u, 0}, out[4];
    for (uint64_t i = 0; i < n / 4; i++) {
      ctr[0] = (uint32_t)i;
      rng_philox4x32_10(out, ctr, key);
      h = fold(h, (uint64_t)out[0] << 32 ^ out[1] ^ (uint64_t)out[2] << 16 ^ out[3]);
    }
    break;
  }
  case U32:
    for (uint64_t i = 0; i < n; i++) h = fold(h, rng_u32(&r));
    break;
  case UNIFORM:
    for (uint64_t i = 0; i < n; i++) h = fold(h, bits(rng_uniform(&r)));
    break;
  case EXPONENTIAL:
    for (uint64_t i = 0; i < n; i++) h = fold(h, bits(rng_exponential(&r, 3600.0)));
    break;
  case GAUSSIAN: {
    gsl_rng *g = rng_gsl(&r);
    for (uint64_t i = 0; i < n; i++) h = fold(h, bits(gsl_ran_gaussian_ziggurat(g, 1.0)));
    break;
  }
  }
  return h;
}

static result measure(enum kind k, uint64_t n) {
  result res = {0, 0, 0};
  for (int rep = 0; rep < REPEATS; rep++) {
    double w0 = now_s(), c0 = cpu_s();
    uint64_t h = one_pass(k, n);
    double dw = now_s() - w0, dc = cpu_s() - c0;
    if (rep > 0 && h != res.sum) {
      fprintf(stderr, "bench_rng: checksum changed between repeats\n");
      exit(1);
    }
    res.sum = h;
    if ((double)n / dw > res.best_wall) res.best_wall = (double)n / dw;
    if ((double)n / dc > res.best_cpu) res.best_cpu = (double)n / dc;
  }
  return res;
}

int main(int argc, char **argv) {
  uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : UINT64_C(100000000);
  if (n < 4) n = 100000000;
  static const struct { enum kind k; const char *name; } rows[] = {
      {BLOCK, "philox4x32_10 (words)"},
      {U32, "rng_u32"},
      {UNIFORM, "rng_uniform"},
      {EXPONENTIAL, "rng_exponential"},
      {GAUSSIAN, "gsl gaussian_ziggurat"},
  };
  printf("%llu draws per pass, best of %d passes\n", (unsigned long long)n, REPEATS);
  printf("%-24s %14s %14s %16s\n", "draw", "per s (wall)", "per s (cpu)", "checksum");
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    result r = measure(rows[i].k, n);
    printf("%-24s %14.3e %14.3e %016llx\n", rows[i].name, r.best_wall, r.best_cpu,
           (unsigned long long)r.sum);
  }
  return 0;
}
