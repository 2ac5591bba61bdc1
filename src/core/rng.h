/* rng.h - counter-based random streams (Philox4x32-10, Salmon et al., SC'11; the
 * block function is Random123's reference implementation, see rng.c).
 *
 * A stream is a pure function of (seed, replication, module, purpose) and a block
 * counter, so a replication draws the same numbers whichever thread or rank runs
 * it, and two courses of action run with the same key share common random numbers.
 * Key = seed (64 bits); counter = (block, purpose, module, replication).
 *
 * GSL's distributions draw from a stream through rng_gsl(): the stream carries a
 * gsl_rng whose type is this generator (no allocation).  The struct is caller-owned;
 * rng_gsl() re-points the gsl_rng at its state, so the struct may be copied. */
#ifndef STRAITS_RNG_H
#define STRAITS_RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

/* Module part of the key.  Append only: changing a value changes every result. */
enum rng_module {
  RNG_TEST = 0,
  RNG_CRISIS = 1,
  RNG_SITUATION = 2,
  RNG_LOGISTICS = 3,
  RNG_SAR = 4,
  RNG_INSPECTION = 5,
  RNG_ESCALATION = 6,
  RNG_MC = 7,
  RNG_EVACUATION = 8,
  RNG_MISSILE = 9,
  RNG_COORDINATION = 10,
};

typedef struct rng_stream {
  gsl_rng gsl;        /* type = rng_philox_type, state = this stream */
  uint32_t key[2];    /* seed */
  uint32_t ctr[4];    /* block, purpose, module, replication */
  uint32_t out[4];    /* current block of output */
  unsigned next;      /* index of the next unused word in out (4 = empty) */
} rng_stream;

extern const gsl_rng_type *rng_philox_type;

void rng_init(rng_stream *r, uint64_t seed, uint32_t replication, uint32_t module,
              uint32_t purpose);

/* The raw block function, exposed for known-answer tests. */
void rng_philox4x32_10(uint32_t out[4], const uint32_t ctr[4], const uint32_t key[2]);

uint32_t rng_u32(rng_stream *r);
/* Uniform on the open interval (0, 1), 32 bits of resolution. */
double rng_uniform(rng_stream *r);
/* Exponential with the given mean (inverse transform; fast path for the kernel). */
double rng_exponential(rng_stream *r, double mean);

/* The stream as a gsl_rng for gsl_ran_*(); valid while r is. */
gsl_rng *rng_gsl(rng_stream *r);

#endif
