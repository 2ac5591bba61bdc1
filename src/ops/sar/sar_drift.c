/* sar_drift.c - Leeway drift of search objects (Breivik & Allen 2008; Allen 2005):
 * leeway linear in the 10 m wind speed, split into downwind and crosswind parts,
 * a random coefficient per particle, jibing, the surface current added, stranding
 * on land.  The step loop allocates nothing. */
#include "sar.h"

#include "env.h"
#include "landmask.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#include <gsl/gsl_randist.h>

/* SSE2 (x86-64's baseline: two doubles or four floats a register) for the step's
 * arithmetic and the block sampler; elsewhere, or built with -DSAR_DRIFT_SCALAR, the
 * scalar passes, which give the same bits. */
#if defined(__SSE2__) && !defined(SAR_DRIFT_SCALAR)
#include <emmintrin.h>
#endif

#include "err.h"
#include "geo_local.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#define DEG (M_PI / 180.0)

enum { SAR_PURPOSE_JIBE = 0x100 };

/* Leeway coefficients: the SAROPS object table compiled by A. Allen (USCG R&D Center)
 * from the field data of Allen & Plourde (1999), CG-D-08-99, and Allen (2005), "Leeway
 * divergence", CG-D-05-05, used by Breivik & Allen (2008), J. Mar. Syst. 69, 99-113
 * (as distributed with OpenDrift's Leeway as OBJECTPROP.DAT, list of 2011-08-25).
 * The rows are data/leeway.csv, compiled in at configure time (SCN_LEEWAY_TABLE,
 * scripts/leeway_table.cmake).  Table units: slope %, offset cm/s, std cm/s; converted
 * here to fractions and m/s. */
#define LW(sym, id, code, group, a, b, s, ra, rb, rs, la, lb, ls, desc)                    \
  [SCN_OBJ_##sym] = {code, a / 100.0, b / 100.0, s / 100.0, ra / 100.0, rb / 100.0,        \
                     rs / 100.0, la / 100.0, lb / 100.0, ls / 100.0, id, group, desc},
static const sar_leeway leeway_table[SCN_OBJ__COUNT] = {SCN_LEEWAY_TABLE(LW)};
#undef LW

const sar_leeway *sar_leeway_of(int object) {
  return object >= 0 && object < SCN_OBJ__COUNT ? &leeway_table[object] : NULL;
}

int sar_object_count(void) { return SCN_OBJ__COUNT; }

int sar_object_find(const char *id) {
  for (int o = 0; id && o < SCN_OBJ__COUNT; o++)
    if (strcmp(leeway_table[o].id, id) == 0)
      return o;
  return -1;
}

int sar_object_in_water(int object) {
  const sar_leeway *c = sar_leeway_of(object);
  return c && (strcmp(c->group, "piw") == 0 || strcmp(c->group, "debris") == 0);
}

int sar_particles_alloc(sar_particles *p, arena *a, size_t cap) {
  memset(p, 0, sizeof *p);
  size_t c = cap ? cap : 1;
  p->lat = arena_alloc(a, c * sizeof *p->lat);
  p->lon = arena_alloc(a, c * sizeof *p->lon);
  p->w = arena_alloc(a, c * sizeof *p->w);
  p->t_release = arena_alloc(a, c * sizeof *p->t_release);
  p->t_jibe = arena_alloc(a, c * sizeof *p->t_jibe);
  p->r_dw = arena_alloc(a, c * sizeof *p->r_dw);
  p->r_cw = arena_alloc(a, c * sizeof *p->r_cw);
  p->side = arena_alloc(a, c * sizeof *p->side);
  p->state = arena_alloc(a, c * sizeof *p->state);
  p->object = arena_alloc(a, c * sizeof *p->object);
  if (!p->lat || !p->lon || !p->w || !p->t_release || !p->t_jibe || !p->r_dw || !p->r_cw ||
      !p->side || !p->state || !p->object)
    return -1;
  p->cap = cap;
  return 0;
}

void sar_local_xy(double lat0, double lon0, double lat, double lon, double *x, double *y) {
  double dlon = lon - lon0;
  if (dlon > 180)
    dlon -= 360;
  else if (dlon < -180)
    dlon += 360;
  double m_lat, m_lon; /* WGS84's tangent plane at the mean latitude */
  geo_local_scale(0.5 * (lat + lat0), &m_lat, &m_lon);
  *x = dlon * m_lon;
  *y = (lat - lat0) * m_lat;
}

/* The time of the next jibe after t: exponential, keyed by (seed, rep, particle, t)
 * so it does not depend on which thread advances the particle. */
static float next_jibe(const sar_drift_opts *o, size_t i, double t) {
  if (!(o->jibe_rate > 0))
    return INFINITY;
  uint32_t ctr[4] = {(uint32_t)(int64_t)floor(t), (uint32_t)i,
                     (uint32_t)RNG_SAR << 16 | SAR_PURPOSE_JIBE, o->rep};
  uint32_t key[2] = {(uint32_t)o->seed, (uint32_t)(o->seed >> 32)}, out[4];
  rng_philox4x32_10(out, ctr, key);
  double u = ((double)out[0] + 0.5) / 4294967296.0;
  return (float)(t - log(u) / o->jibe_rate);
}

static void add_particle(sar_particles *p, const sar_seed *s, rng_stream *r, double lat,
                         double lon) {
  size_t i = p->n++;
  gsl_rng *g = rng_gsl(r);
  double x = gsl_ran_gaussian_ziggurat(g, 1.0) * s->sigma;
  double y = gsl_ran_gaussian_ziggurat(g, 1.0) * s->sigma;
  geo_local_move(&lat, &lon, x, y);
  p->lat[i] = lat, p->lon[i] = lon;
  p->t_release[i] = (float)(s->t0 + rng_uniform(r) * s->t_window);
  p->t_jibe[i] = NAN; /* drawn at release by the drift */
  p->r_dw[i] = (float)gsl_ran_gaussian_ziggurat(g, 1.0);
  p->r_cw[i] = (float)gsl_ran_gaussian_ziggurat(g, 1.0);
  p->side[i] = rng_uniform(r) < 0.5 ? 1 : -1;
  p->state[i] = SAR_WAITING;
  p->object[i] = (uint8_t)s->object;
}

static void reweight(sar_particles *p) {
  for (size_t i = 0; i < p->n; i++)
    p->w[i] = 1.0 / (double)p->n;
}

size_t sar_seed_point(sar_particles *p, const sar_seed *s, rng_stream *r) {
  size_t k = 0;
  for (; k < s->count && p->n < p->cap; k++)
    add_particle(p, s, r, s->lat0, s->lon0);
  reweight(p);
  return k;
}

size_t sar_seed_line(sar_particles *p, const sar_seed *s, rng_stream *r) {
  size_t k = 0;
  double x, y;
  sar_local_xy(s->lat0, s->lon0, s->lat1, s->lon1, &x, &y);
  for (; k < s->count && p->n < p->cap; k++) {
    double f = rng_uniform(r), lat = s->lat0, lon = s->lon0;
    geo_local_move(&lat, &lon, f * x, f * y);
    add_particle(p, s, r, lat, lon);
  }
  reweight(p);
  return k;
}

size_t sar_seed_area(sar_particles *p, const sar_seed *s, rng_stream *r) {
  size_t k = 0;
  for (; k < s->count && p->n < p->cap; k++) {
    double rad = s->radius * sqrt(rng_uniform(r)), th = 2 * M_PI * rng_uniform(r);
    double lat = s->lat0, lon = s->lon0;
    geo_local_move(&lat, &lon, rad * cos(th), rad * sin(th));
    add_particle(p, s, r, lat, lon);
  }
  reweight(p);
  return k;
}

/* A step is done in blocks of particles, in passes: release and jibes, the current
 * at every particle, the wind, then the motion (move_block, itself in passes).  Short
 * loop bodies without a dependence from one particle to the next, so the processor
 * overlaps many particles' divisions and loads; bench/README.md "Drift" says what
 * each change gained and what did not. */
#define SAR_BLOCK 128

/* Release and jibes of particle i at t; whether it drifts in this step. */
static inline int step_begin(sar_particles *p, size_t i, double t, const sar_drift_opts *o) {
  uint8_t st = p->state[i];
  if (st == SAR_STRANDED)
    return 0;
  if (st == SAR_WAITING) {
    if (t < (double)p->t_release[i])
      return 0;
    p->state[i] = SAR_DRIFTING;
    p->t_jibe[i] = next_jibe(o, i, t);
  }
  if (t >= (double)p->t_jibe[i]) { /* a jibe: change sides */
    p->side[i] = (int8_t)-p->side[i];
    p->t_jibe[i] = next_jibe(o, i, t);
  }
  return 1;
}

/* The arithmetic of a step at the m particles of a block, straight-line: WGS84's
 * tangent-plane scales at each latitude from its sine and cosine (geo_local_scale's
 * expressions, in its order), the wind's unit vector, the leeway (a_* W + o_*, the
 * terms that do not depend on the wind computed before), and the new position.
 * Every expression is the per-particle step's it replaced, in the same order, so
 * positions are bit-identical to it (tests/ops/sar: reference_step).  Two square
 * roots and four divisions a particle: in one long body per particle they waited on
 * each other and on the divider; here they overlap across particles, two to an SSE2
 * instruction where there is SSE2 (IEEE division and square root are correctly
 * rounded, packed or not: the same bits). */
typedef struct step_in {
  const double *lat, *lon, *sn, *cs;  /* position, sin and cos of the latitude */
  const double *uc, *vc, *uw, *vw;    /* current and wind at the particle */
  const double *a_dw, *o_dw, *a_cw, *o_cw; /* leeway: (a W + o) */
} step_in;

#define STEP_E2 (GEO_WGS84_F * (2 - GEO_WGS84_F))
#define STEP_K (3.14159265358979323846 / 180)

static void step_math_scalar(const step_in *q, size_t j0, size_t m, double lf, double dt,
                             double *nlat, double *nlon) {
  const double e2 = STEP_E2, k = STEP_K;
  for (size_t j = j0; j < m; j++) {
    /* the plane: metres per degree of latitude (M) and of longitude (N cos lat) */
    double w = 1 - e2 * q->sn[j] * q->sn[j], nn = GEO_WGS84_A / sqrt(w);
    double m_lat = nn * (1 - e2) / w * k, mc = nn * q->cs[j] * k;
    /* One division serves both 1/W (the downwind unit vector) and 1/(N cos lat) (the
     * longitude step); in a calm "downwind" is north and it is 1/(N cos lat) alone. */
    double uw = q->uw[j], vw = q->vw[j], W = sqrt(uw * uw + vw * vw);
    int wind = W > 0;
    double inv = 1 / (wind ? W * mc : mc);
    double ex = wind ? uw * (inv * mc) : 0, ey = wind ? vw * (inv * mc) : 1;
    double inv_mc = wind ? inv * W : inv;
    double dw = (q->a_dw[j] * W + q->o_dw[j]) * lf, cw = (q->a_cw[j] * W + q->o_cw[j]) * lf;
    /* right of downwind (ex, ey) is (ey, -ex): wind toward north -> right is east */
    double u = q->uc[j] + dw * ex + cw * ey, v = q->vc[j] + dw * ey - cw * ex;
    /* the step on the tangent plane at lat (geo_local_move's, with the reciprocal of
     * N cos lat from above: the drift's own order, which differs from that division in
     * the last bit) */
    nlat[j] = q->lat[j] + v * dt / m_lat, nlon[j] = q->lon[j] + u * dt * inv_mc;
  }
}

#if defined(__SSE2__) && !defined(SAR_DRIFT_SCALAR)
/* mask ? a : b, mask all ones or all zeros per lane */
static inline __m128d sel_pd(__m128d mask, __m128d a, __m128d b) {
  return _mm_or_pd(_mm_and_pd(mask, a), _mm_andnot_pd(mask, b));
}

/* step_math_scalar two particles at a time, the same operations lane by lane. */
static void step_math(const step_in *q, size_t m, double lf, double dt, double *nlat,
                      double *nlon) {
  const __m128d one = _mm_set1_pd(1), e2 = _mm_set1_pd(STEP_E2), k = _mm_set1_pd(STEP_K);
  const __m128d a = _mm_set1_pd(GEO_WGS84_A), me2 = _mm_set1_pd(1 - STEP_E2);
  const __m128d zero = _mm_setzero_pd(), LF = _mm_set1_pd(lf), DT = _mm_set1_pd(dt);
  size_t j = 0;
  for (; j + 2 <= m; j += 2) {
    __m128d s = _mm_loadu_pd(q->sn + j), c = _mm_loadu_pd(q->cs + j);
    __m128d w = _mm_sub_pd(one, _mm_mul_pd(_mm_mul_pd(e2, s), s));
    __m128d nn = _mm_div_pd(a, _mm_sqrt_pd(w));
    __m128d m_lat = _mm_mul_pd(_mm_div_pd(_mm_mul_pd(nn, me2), w), k);
    __m128d mc = _mm_mul_pd(_mm_mul_pd(nn, c), k);
    __m128d uw = _mm_loadu_pd(q->uw + j), vw = _mm_loadu_pd(q->vw + j);
    __m128d W = _mm_sqrt_pd(_mm_add_pd(_mm_mul_pd(uw, uw), _mm_mul_pd(vw, vw)));
    __m128d wind = _mm_cmpgt_pd(W, zero); /* false for a calm and for NaN, as W > 0 */
    __m128d inv = _mm_div_pd(one, sel_pd(wind, _mm_mul_pd(W, mc), mc));
    __m128d im = _mm_mul_pd(inv, mc);
    __m128d ex = _mm_and_pd(wind, _mm_mul_pd(uw, im)); /* +0 in a calm */
    __m128d ey = sel_pd(wind, _mm_mul_pd(vw, im), one);
    __m128d inv_mc = sel_pd(wind, _mm_mul_pd(inv, W), inv);
    __m128d dw = _mm_mul_pd(
        _mm_add_pd(_mm_mul_pd(_mm_loadu_pd(q->a_dw + j), W), _mm_loadu_pd(q->o_dw + j)), LF);
    __m128d cw = _mm_mul_pd(
        _mm_add_pd(_mm_mul_pd(_mm_loadu_pd(q->a_cw + j), W), _mm_loadu_pd(q->o_cw + j)), LF);
    __m128d u = _mm_add_pd(_mm_add_pd(_mm_loadu_pd(q->uc + j), _mm_mul_pd(dw, ex)),
                           _mm_mul_pd(cw, ey));
    __m128d v = _mm_sub_pd(_mm_add_pd(_mm_loadu_pd(q->vc + j), _mm_mul_pd(dw, ey)),
                           _mm_mul_pd(cw, ex));
    _mm_storeu_pd(nlat + j,
                  _mm_add_pd(_mm_loadu_pd(q->lat + j), _mm_div_pd(_mm_mul_pd(v, DT), m_lat)));
    _mm_storeu_pd(nlon + j,
                  _mm_add_pd(_mm_loadu_pd(q->lon + j), _mm_mul_pd(_mm_mul_pd(u, DT), inv_mc)));
  }
  step_math_scalar(q, j, m, lf, dt, nlat, nlon); /* an odd one left */
}
#else
static void step_math(const step_in *q, size_t m, double lf, double dt, double *nlat,
                      double *nlon) {
  step_math_scalar(q, 0, m, lf, dt, nlat, nlon);
}
#endif

/* mask ? a : b for a mask of all ones or all zeros, by bits: the compiler turned the
 * conditional expression into a branch, which the random sides mispredicted half the
 * time (12 % of the step in `perf`). */
static inline double pick(uint64_t mask, double a, double b) {
  uint64_t x, y;
  memcpy(&x, &a, sizeof x), memcpy(&y, &b, sizeof y);
  x = (x & mask) | (y & ~mask);
  memcpy(&a, &x, sizeof a);
  return a;
}

/* The moves of a block's drifting particles (go[b]) by the current (uc, vc) and wind
 * (uw, vw) sampled at them, in passes over the whole block (a particle that does not
 * drift is computed at a harmless latitude and not stored: cheaper than gathering the
 * others): the leeway terms of each one's class and side that do not depend on the
 * wind (a table lookup, and a selection by side, pick());
 * sin and cos of each latitude (libm); the arithmetic (step_math); the land check and
 * the store. */
static void move_block(sar_particles *p, size_t i0, size_t n, const uint8_t *go,
                       const sar_drift_opts *o, const double *uc, const double *vc,
                       const double *uw, const double *vw) {
  const double kw = 1.0 / SAR_WIND_REF; /* a multiplication, not a division per particle */
  double sn[SAR_BLOCK], cs[SAR_BLOCK], a_dw[SAR_BLOCK], o_dw[SAR_BLOCK], a_cw[SAR_BLOCK];
  double o_cw[SAR_BLOCK], nlat[SAR_BLOCK], nlon[SAR_BLOCK];
  const double *lat = p->lat + i0;
  for (size_t b = 0; b < n; b++) {
    size_t i = i0 + b;
    const sar_leeway *c = &leeway_table[p->object[i]];
    uint64_t right = (uint64_t)0 - (uint64_t)(p->side[i] > 0);
    double csl = pick(right, c->cwr_slope, c->cwl_slope);
    double co = pick(right, c->cwr_offset, c->cwl_offset);
    double cd = pick(right, c->cwr_std, c->cwl_std);
    a_dw[b] = c->dw_slope + p->r_dw[i] * c->dw_std * kw, o_dw[b] = c->dw_offset;
    a_cw[b] = csl + p->r_cw[i] * cd * kw, o_cw[b] = co;
  }
  for (size_t b = 0; b < n; b++)
    if (go[b])
      sn[b] = sin(lat[b] * STEP_K), cs[b] = cos(lat[b] * STEP_K);
    else
      sn[b] = 0, cs[b] = 1; /* not stored: any latitude the arithmetic takes */
  step_in q = {lat, p->lon + i0, sn, cs, uc, vc, uw, vw, a_dw, o_dw, a_cw, o_cw};
  step_math(&q, n, o->leeway_factor, o->dt, nlat, nlon);
  for (size_t b = 0; b < n; b++) {
    if (!go[b])
      continue;
    size_t i = i0 + b;
    if (o->land && geo_landmask_is_land(o->land, nlat[b], nlon[b]))
      p->state[i] = SAR_STRANDED; /* stays at its last position in the water */
    else
      p->lat[i] = nlat[b], p->lon[i] = nlon[b];
  }
}

typedef struct drift_job {
  sar_particles *p;
  size_t i0, i1;
  double t0;
  int nsteps;
  const sar_drift_opts *o;
  float *scratch; /* this thread's share of o->scratch */
  size_t nscratch;
} drift_job;

/* Mix a slice's records once for the step when sampling it at n particles reads more
 * than mixing it does (each sample saves 4 node pairs; mixing reads 2 per node), and
 * the plane fits what is left of the scratch. */
static void mix_if_worth(env_slice *s, size_t n, float **buf, size_t *left) {
  size_t need = env_slice_plane(s);
  if (need && need <= 4 * n && need <= *left && env_slice_mix(s, *buf, *left))
    *buf += need, *left -= need;
}

#if defined(__SSE2__) && !defined(SAR_DRIFT_SCALAR)
/* sample_block with SSE2, one particle at a time but each in few instructions: the
 * cell and fractions with (lat, lon) as the two lanes of a register, and the bilinear
 * mix with a row's two nodes' (u, v) as the four lanes of one load.  Each lane does
 * the scalar pass's operations on the same values (the products' operands swapped,
 * which IEEE multiplication does not see), so the answers are bit-identical to it.
 * Fields not mixed take env_slice_sample_fast point by point, as there. */
static void sample_block(const env_slice *s, const double *lat, const double *lon, size_t n,
                         double *u, double *v) {
  if (!s->mixed) {
    for (size_t b = 0; b < n; b++)
      env_slice_sample_fast(s, lat[b], lon[b], &u[b], &v[b]);
    return;
  }
  uint8_t in[SAR_BLOCK];
  const __m128d org = _mm_set_pd(s->lon0, s->lat0), inv = _mm_set_pd(s->inv_dlon, s->inv_dlat);
  const __m128d lim = _mm_set_pd(s->ni, s->nj), zero = _mm_setzero_pd();
  const float *P = s->p0;
  const size_t r = 2 * s->nx;
  const uint32_t nx = (uint32_t)s->nx;
  for (size_t b = 0; b < n; b++) {
    __m128d f = _mm_mul_pd(_mm_sub_pd(_mm_set_pd(lon[b], lat[b]), org), inv); /* (fj, fi) */
    __m128d ok = _mm_and_pd(_mm_cmpge_pd(f, zero), _mm_cmplt_pd(f, lim));
    ok = _mm_and_pd(ok, _mm_shuffle_pd(ok, ok, 1)); /* both lanes in, else (0, 0) */
    f = _mm_and_pd(f, ok);
    __m128i ji = _mm_cvttpd_epi32(f);
    __m128 yx = _mm_cvtpd_ps(_mm_sub_pd(f, _mm_cvtepi32_pd(ji))); /* (y, x, 0, 0) */
    uint32_t j = (uint32_t)_mm_cvtsi128_si32(ji);
    uint32_t i = (uint32_t)_mm_cvtsi128_si32(_mm_shuffle_epi32(ji, 1));
    const float *q = P + 2 * (j * nx + i);
    __m128 lo = _mm_loadu_ps(q), hi = _mm_loadu_ps(q + r); /* (u, v) at i and i + 1 */
    __m128 w0 = _mm_movelh_ps(lo, hi), w1 = _mm_movehl_ps(hi, lo); /* nodes i; i + 1 */
    __m128 x = _mm_shuffle_ps(yx, yx, _MM_SHUFFLE(1, 1, 1, 1));
    __m128 y = _mm_shuffle_ps(yx, yx, 0);
    __m128 e = _mm_add_ps(w0, _mm_mul_ps(x, _mm_sub_ps(w1, w0))); /* (ub, vb, ut, vt) */
    __m128 res = _mm_add_ps(e, _mm_mul_ps(y, _mm_sub_ps(_mm_movehl_ps(e, e), e)));
    __m128d d = _mm_cvtps_pd(res); /* (ru, rv) */
    _mm_storel_pd(&u[b], d), _mm_storeh_pd(&v[b], d);
    int nan = _mm_movemask_ps(_mm_cmpunord_ps(res, res)) & 3;
    in[b] = (uint8_t)(_mm_movemask_pd(ok) == 3 && !nan);
  }
  for (size_t b = 0; b < n; b++)
    if (!in[b])
      env_slice_sample(s, lat[b], lon[b], &u[b], &v[b]);
}
#else
/* Sample a slice at the n particles from i0 in two passes: the grid cell and
 * fractions of every particle (straight-line arithmetic), then the bilinear mix of
 * each cell's 4 nodes; points outside the
 * fast path's reach (edges, missing nodes, unmixed or analytic fields) go through
 * env_slice_sample_fast.  Same answers as env_slice_sample_fast point by point. */
static void sample_block(const env_slice *s, const double *lat, const double *lon, size_t n,
                         double *u, double *v) {
  if (!s->mixed) {
    for (size_t b = 0; b < n; b++)
      env_slice_sample_fast(s, lat[b], lon[b], &u[b], &v[b]);
    return;
  }
  uint32_t idx[SAR_BLOCK];
  float fx[SAR_BLOCK], fy[SAR_BLOCK];
  uint8_t in[SAR_BLOCK];
  const double lat0 = s->lat0, lon0 = s->lon0, ky = s->inv_dlat, kx = s->inv_dlon;
  const double ni = s->ni, nj = s->nj;
  const uint32_t nx = (uint32_t)s->nx;
  for (size_t b = 0; b < n; b++) {
    double fj = (lat[b] - lat0) * ky, fi = (lon[b] - lon0) * kx;
    int ok = fi >= 0 && fj >= 0 && fi < ni && fj < nj;
    fi = ok ? fi : 0, fj = ok ? fj : 0;
    int32_t i = (int32_t)fi, j = (int32_t)fj;
    fx[b] = (float)(fi - (double)i), fy[b] = (float)(fj - (double)j);
    idx[b] = 2 * ((uint32_t)j * nx + (uint32_t)i), in[b] = (uint8_t)ok;
  }
  const float *P = s->p0;
  const size_t r = 2 * s->nx;
  for (size_t b = 0; b < n; b++) {
    const float *q = P + idx[b];
    float x = fx[b], y = fy[b];
    float ub = q[0] + x * (q[2] - q[0]), ut = q[r] + x * (q[r + 2] - q[r]);
    float vb = q[1] + x * (q[3] - q[1]), vt = q[r + 1] + x * (q[r + 3] - q[r + 1]);
    float ru = ub + y * (ut - ub), rv = vb + y * (vt - vb);
    u[b] = ru, v[b] = rv;
    in[b] &= (uint8_t)(ru == ru && rv == rv);
  }
  for (size_t b = 0; b < n; b++)
    if (!in[b])
      env_slice_sample(s, lat[b], lon[b], &u[b], &v[b]);
}

#endif

static void *drift_range(void *arg) {
  const drift_job *j = arg;
  const sar_drift_opts *o = j->o;
  for (int k = 0; k < j->nsteps; k++) {
    double t = j->t0 + k * o->dt;
    env_slice cur, wind;
    float *buf = j->scratch;
    size_t left = j->nscratch;
    if (o->current) {
      env_slice_init(&cur, o->current, t);
      mix_if_worth(&cur, j->i1 - j->i0, &buf, &left);
    }
    if (o->wind) {
      env_slice_init(&wind, o->wind, t);
      mix_if_worth(&wind, j->i1 - j->i0, &buf, &left);
    }
    sar_particles *p = j->p;
    for (size_t i0 = j->i0; i0 < j->i1; i0 += SAR_BLOCK) {
      size_t n = j->i1 - i0 < SAR_BLOCK ? j->i1 - i0 : SAR_BLOCK;
      double uc[SAR_BLOCK], vc[SAR_BLOCK], uw[SAR_BLOCK], vw[SAR_BLOCK];
      uint8_t go[SAR_BLOCK];
      for (size_t b = 0; b < n; b++)
        go[b] = (uint8_t)step_begin(p, i0 + b, t, o);
      /* sampled for every particle of the block: no branch to mispredict */
      if (o->current)
        sample_block(&cur, p->lat + i0, p->lon + i0, n, uc, vc);
      else
        memset(uc, 0, sizeof uc), memset(vc, 0, sizeof vc);
      if (o->wind)
        sample_block(&wind, p->lat + i0, p->lon + i0, n, uw, vw);
      else
        memset(uw, 0, sizeof uw), memset(vw, 0, sizeof vw);
      move_block(p, i0, n, go, o, uc, vc, uw, vw);
    }
  }
  return NULL;
}

#define SAR_MAX_THREADS 64

size_t sar_drift_scratch(const sar_drift_opts *o) {
  env_slice s;
  size_t n = 0;
  int nt = o->threads < 1 ? 1 : o->threads > SAR_MAX_THREADS ? SAR_MAX_THREADS : o->threads;
  if (o->current)
    env_slice_init(&s, o->current, 0), n += env_slice_plane(&s);
  if (o->wind)
    env_slice_init(&s, o->wind, 0), n += env_slice_plane(&s);
  return n * (size_t)nt;
}

int sar_drift(sar_particles *p, double t0, int nsteps, const sar_drift_opts *o) {
  int nt = o->threads < 1 ? 1 : o->threads > SAR_MAX_THREADS ? SAR_MAX_THREADS : o->threads;
  if ((size_t)nt > p->n)
    nt = p->n ? (int)p->n : 1;
  drift_job job[SAR_MAX_THREADS];
  pthread_t th[SAR_MAX_THREADS];
  int started[SAR_MAX_THREADS] = {0}, err = 0;
  size_t share = o->scratch ? o->scratch_floats / (size_t)nt : 0;
  for (int k = 0; k < nt; k++)
    job[k] = (drift_job){p, p->n * (size_t)k / (size_t)nt, p->n * (size_t)(k + 1) / (size_t)nt,
                         t0, nsteps, o, share ? o->scratch + (size_t)k * share : NULL, share};
  for (int k = 1; k < nt; k++)
    started[k] = pthread_create(&th[k], NULL, drift_range, &job[k]) == 0;
  drift_range(&job[0]);
  for (int k = 1; k < nt; k++) {
    if (started[k])
      pthread_join(th[k], NULL);
    else
      drift_range(&job[k]); /* a thread that could not start: do its share here */
  }
  return err;
}
