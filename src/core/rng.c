/* rng.c - Philox4x32-10 counter-based streams and their gsl_rng adapter.
 * Algorithm: Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2,
 * 3", SC'11, section 3.3 (Philox); implementation: Random123's <Random123/philox.h>. */
#include "rng.h"

#include <math.h>
#include <stddef.h>

#include <Random123/philox.h>

/* The block function is Random123's philox4x32_R (D. E. Shaw Research, the
 * authors' reference implementation, BSD-3-Clause; Debian librandom123-dev),
 * header-only and inlined here.  Its words are the ones tests/core/test_rng.c checks
 * against Random123's kat_vectors and against the golden streams recorded from the
 * implementation this file carried before (issue 23). */
void rng_philox4x32_10(uint32_t out[4], const uint32_t ctr[4], const uint32_t key[2]) {
  philox4x32_ctr_t c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
  philox4x32_key_t k = {{key[0], key[1]}};
  philox4x32_ctr_t x = philox4x32_R(10, c, k);
  out[0] = x.v[0];
  out[1] = x.v[1];
  out[2] = x.v[2];
  out[3] = x.v[3];
}

/* ---- gsl_rng adapter -------------------------------------------------------
 * The gsl_rng's state is the rng_stream itself and the type's size is
 * sizeof(rng_stream), so the callbacks below are also valid on a state that GSL
 * allocated (gsl_rng_alloc(rng_philox_type)): set() then initialises it as a stream
 * with replication, module and purpose 0. */

static void philox_gsl_set(void *state, unsigned long seed) {
  rng_init((rng_stream *)state, (uint64_t)seed, 0, 0, 0);
}

static unsigned long philox_gsl_get(void *state) {
  return rng_u32((rng_stream *)state);
}

static double philox_gsl_get_double(void *state) {
  return rng_uniform((rng_stream *)state);
}

static const gsl_rng_type philox_type = {
    "philox4x32-10",         /* name */
    UINT32_C(0xffffffff),    /* max */
    0,                       /* min */
    sizeof(rng_stream),      /* size of state */
    philox_gsl_set,
    philox_gsl_get,
    philox_gsl_get_double,
};

const gsl_rng_type *rng_philox_type = &philox_type;

/* ---- streams ---------------------------------------------------------------- */

void rng_init(rng_stream *r, uint64_t seed, uint32_t replication, uint32_t module,
              uint32_t purpose) {
  r->key[0] = (uint32_t)seed;
  r->key[1] = (uint32_t)(seed >> 32);
  r->ctr[0] = 0; /* block */
  r->ctr[1] = purpose;
  r->ctr[2] = module;
  r->ctr[3] = replication;
  r->out[0] = r->out[1] = r->out[2] = r->out[3] = 0;
  r->next = 4;
  r->gsl.type = &philox_type;
  r->gsl.state = r;
}

uint32_t rng_u32(rng_stream *r) {
  if (r->next >= 4) {
    rng_philox4x32_10(r->out, r->ctr, r->key);
    /* 2^32 blocks (2^34 words) per stream before the block counter wraps and the
     * stream repeats; a replication draws many orders of magnitude fewer. */
    r->ctr[0]++;
    r->next = 0;
  }
  return r->out[r->next++];
}

double rng_uniform(rng_stream *r) {
  /* (u + 1/2) / 2^32: the midpoints of 2^32 equal cells, so never 0 and never 1
   * (the largest value, 1 - 2^-33, is exact in a double). */
  return ((double)rng_u32(r) + 0.5) * (1.0 / 4294967296.0);
}

double rng_exponential(rng_stream *r, double mean) {
  /* Inverse transform: -mean ln U.  U is in (0, 1), so the result is finite and
   * positive; the largest value is mean * 32 ln 2 + a little. */
  return -mean * log(rng_uniform(r));
}

gsl_rng *rng_gsl(rng_stream *r) {
  /* Re-point every time: the struct may have been copied since rng_init. */
  r->gsl.type = &philox_type;
  r->gsl.state = r;
  return &r->gsl;
}
