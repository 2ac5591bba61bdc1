/* test_sar.c - search and rescue against what is known exactly: the crosswind sign
 * convention, a calm sea (only the class's offsets move an object), a uniform current
 * (everything translates with it), thread invariance, the jibing rate, stranding,
 * the optimal allocation against its closed form and against the circular normal's
 * 1 - (1 + sqrt h) e^-sqrt h, the Bayesian update, and a whole case in the kernel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "diag.h"
#include "env.h"
#include "err.h"
#include "geodesy.h"
#include "gshhg.h"
#include "landmask.h"
#include "metric.h"
#include "rng.h"
#include "sar.h"
#include "scenario.h"
#include "scn_sar.h"
#include "sim.h"
#include "ops.h"

/* The loader's table of mission sections (ops.h), as the program's callers pass it. */
static const scn_load_options *mission_sections(void) {
  static scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  return &opt;
}

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#define R_EARTH 6371008.8
#define DEG (M_PI / 180.0)
#define SEED 20270401u

static arena G;

static int setup(void **state) {
  (void)state;
  arena_init(&G, (size_t)1 << 30);
  return 0;
}
static int teardown(void **state) {
  (void)state;
  arena_release(&G);
  return 0;
}

static void seed_at(sar_particles *p, size_t n, int object, double lat, double lon) {
  rng_stream r;
  rng_init(&r, SEED, 0, RNG_TEST, 1);
  assert_int_equal(sar_particles_alloc(p, &G, n), 0);
  sar_seed s = {.object = object, .lat0 = lat, .lon0 = lon, .sigma = 0, .count = n};
  assert_int_equal(sar_seed_point(p, &s, &r), n);
}

/* Wind toward the north: the right-hand side of downwind is east. */
static void crosswind_sign(void **state) {
  (void)state;
  sar_particles p;
  seed_at(&p, 2000, SCN_OBJ_PIW, 25.0, 125.0);
  env_field *wind = env_field_constant(0, 10); /* 10 m/s toward the north */
  sar_drift_opts o = SAR_DRIFT_OPTS_INIT;
  o.wind = wind, o.jibe_rate = 0, o.dt = 600;
  /* first with the random coefficients off: exactly the table's mean leeway */
  sar_particles q = p;
  for (size_t i = 0; i < q.n; i++)
    q.r_dw[i] = q.r_cw[i] = 0;
  assert_int_equal(sar_drift(&q, 0, 6, &o), 0);
  const sar_leeway *c = sar_leeway_of(SCN_OBJ_PIW);
  int right = 0, left = 0;
  for (size_t i = 0; i < q.n; i++) {
    double x, y;
    sar_local_xy(25.0, 125.0, q.lat[i], q.lon[i], &x, &y);
    assert_true(fabs(y - c->dw_slope * 10 * 3600) < 1e-3);
    if (q.side[i] > 0) {
      right++;
      assert_true(x > 0);
      assert_true(fabs(x - c->cwr_slope * 10 * 3600) < 1e-3);
    } else {
      left++;
      assert_true(x < 0);
      assert_true(fabs(x - c->cwl_slope * 10 * 3600) < 1e-3);
    }
  }
  assert_true(right > 800 && left > 800);
  env_field_free(wind);
}

/* With the random coefficients on, right-hand particles still move east on average. */
static void crosswind_sign_random(void **state) {
  (void)state;
  sar_particles p;
  seed_at(&p, 4000, SCN_OBJ_SMALL_BOAT, 25.0, 125.0);
  env_field *wind = env_field_constant(0, 10);
  sar_drift_opts o = SAR_DRIFT_OPTS_INIT;
  o.wind = wind, o.jibe_rate = 0;
  assert_int_equal(sar_drift(&p, 0, 6, &o), 0);
  double sr = 0, sl = 0;
  int nr = 0, nl = 0;
  for (size_t i = 0; i < p.n; i++) {
    double x, y;
    sar_local_xy(25.0, 125.0, p.lat[i], p.lon[i], &x, &y);
    if (p.side[i] > 0)
      sr += x, nr++;
    else
      sl += x, nl++;
  }
  assert_true(sr / nr > 0.8 * 0.0129 * 10 * 3600);
  assert_true(sl / nl < -0.8 * 0.0129 * 10 * 3600);
  env_field_free(wind);
}

/* Calm and no current: a person in the water (zero offsets) stays put; a raft moves by
 * its offsets only (downwind = north by convention in a calm). */
static void calm_sea(void **state) {
  (void)state;
  sar_particles p, q;
  seed_at(&p, 500, SCN_OBJ_PIW, 25.0, 125.0);
  seed_at(&q, 500, SCN_OBJ_RAFT, 25.0, 125.0);
  env_field *calm = env_field_constant(0, 0);
  sar_drift_opts o = SAR_DRIFT_OPTS_INIT;
  o.wind = calm, o.current = calm;
  assert_int_equal(sar_drift(&p, 0, 36, &o), 0);
  for (size_t i = 0; i < p.n; i++)
    assert_true(p.lat[i] == 25.0 && p.lon[i] == 125.0);
  o.jibe_rate = 0;
  assert_int_equal(sar_drift(&q, 0, 36, &o), 0);
  const sar_leeway *c = sar_leeway_of(SCN_OBJ_RAFT);
  double T = 36 * 600.0;
  for (size_t i = 0; i < q.n; i++) {
    double x, y;
    sar_local_xy(25.0, 125.0, q.lat[i], q.lon[i], &x, &y);
    assert_true(fabs(y - c->dw_offset * T) < 1e-3);
    double cw = q.side[i] > 0 ? c->cwr_offset : c->cwl_offset;
    assert_true(fabs(x - cw * T) < 1e-3); /* right of north is east */
  }
  env_field_free(calm);
}

/* A uniform current and no leeway: every particle, and so the centroid, moves
 * exactly with the current. */
static void uniform_current(void **state) {
  (void)state;
  sar_particles p;
  rng_stream r;
  rng_init(&r, SEED, 0, RNG_TEST, 2);
  assert_int_equal(sar_particles_alloc(&p, &G, 3000), 0);
  sar_seed s = {.object = SCN_OBJ_RAFT, .lat0 = 26.0, .lon0 = 126.0, .sigma = 20000,
                .count = 3000};
  sar_seed_point(&p, &s, &r);
  double *lat0 = malloc(p.n * sizeof *lat0), *lon0 = malloc(p.n * sizeof *lon0);
  memcpy(lat0, p.lat, p.n * sizeof *lat0), memcpy(lon0, p.lon, p.n * sizeof *lon0);
  env_field *north = env_field_constant(0, 0.7), *east = env_field_constant(0.4, 0);
  env_field *wind = env_field_constant(8, -3);
  sar_drift_opts o = SAR_DRIFT_OPTS_INIT;
  o.current = north, o.wind = wind, o.leeway_factor = 0;
  int steps = 144;
  double T = steps * o.dt;
  assert_int_equal(sar_drift(&p, 0, steps, &o), 0);
  double clat = 0, clat0 = 0;
  /* Northward on WGS84's tangent plane: each step v dt / M(lat) along the meridian, so
   * the meridian arc (the geodesic) is v T, to 1e-6 of it (Euler steps of 10 min, each
   * on the plane at its start: M grows northward by 3e-5 over these 60 km). */
  for (size_t i = 0; i < p.n; i++) {
    double arc = geo_distance(lat0[i], lon0[i], p.lat[i], p.lon[i]);
    if (!(fabs(arc - 0.7 * T) < 1e-6 * 0.7 * T)) {
      fprintf(stderr, "particle %zu: arc %.6f m, v T %.6f m\n", i, arc, 0.7 * T);
      fail();
    }
    assert_true(p.lon[i] == lon0[i]);
    clat += p.w[i] * p.lat[i], clat0 += p.w[i] * lat0[i];
  }
  assert_true(fabs(geo_distance(clat0, 126, clat, 126) - 0.7 * T) < 1e-6 * 0.7 * T);
  /* eastward: latitudes stay, each longitude moves u T / (N cos lat) */
  memcpy(p.lat, lat0, p.n * sizeof *lat0), memcpy(p.lon, lon0, p.n * sizeof *lon0);
  o.current = east;
  assert_int_equal(sar_drift(&p, 0, steps, &o), 0);
  for (size_t i = 0; i < p.n; i++) {
    assert_true(p.lat[i] == lat0[i]);
    double m_lat, m_lon;
    geo_local_scale(lat0[i], &m_lat, &m_lon);
    assert_true(fabs((p.lon[i] - lon0[i]) * m_lon - 0.4 * T) < 1e-6);
  }
  free(lat0), free(lon0);
  env_field_free(north), env_field_free(east), env_field_free(wind);
}

/* Gridded fields mixed in time once a step into the caller's scratch (and sampled a
 * block at a time) move every particle exactly as without scratch, on 1 and 2
 * threads, and with too little scratch for both fields (one mixed, one not); the
 * grid is small enough to be mixed, and particles leave it (the general path). */
static void scratch_same(void **state) {
  (void)state;
  enum { NT = 4, NY = 21, NX = 21 };
  double t[NT] = {0, 3600, 7200, 10800};
  static float cu[NT * NY * NX], cv[NT * NY * NX], wu[NT * NY * NX], wv[NT * NY * NX];
  for (size_t k = 0; k < NT; k++)
    for (size_t j = 0; j < NY; j++)
      for (size_t i = 0; i < NX; i++) {
        size_t q = (k * NY + j) * NX + i;
        cu[q] = (float)(0.3 * sin(0.4 * (double)i + 0.2 * (double)k));
        cv[q] = (float)(0.4 * cos(0.3 * (double)j - 0.1 * (double)k));
        wu[q] = (float)(6 + 3 * sin(0.2 * (double)(i + j + k)));
        wv[q] = (float)(-4 + 2 * cos(0.25 * (double)(i * j) + (double)k));
      }
  cu[(1 * NY + 10) * NX + 10] = NAN; /* a missing node */
  env_field *cur = env_field_grid(NT, NY, NX, t, 24.8, 0.02, 124.8, 0.02, cu, cv);
  env_field *wind = env_field_grid(NT, NY, NX, t, 24.8, 0.02, 124.8, 0.02, wu, wv);
  assert_non_null(cur), assert_non_null(wind);
  static float scratch[4 * 2 * NY * NX];
  for (int threads = 1; threads <= 2; threads++)
    for (int amount = 0; amount < 2; amount++) {
      sar_particles a, b;
      seed_at(&a, 3001, SCN_OBJ_RAFT, 25.0, 125.0);
      seed_at(&b, 3001, SCN_OBJ_RAFT, 25.0, 125.0);
      sar_drift_opts o = SAR_DRIFT_OPTS_INIT;
      o.current = cur, o.wind = wind, o.jibe_rate = 0.5 / 3600, o.threads = threads;
      assert_int_equal(sar_drift_scratch(&o), (size_t)threads * 2 * (2 * NY * NX));
      assert_int_equal(sar_drift(&a, 0, 18, &o), 0);
      o.scratch = scratch;
      o.scratch_floats = amount ? sar_drift_scratch(&o) : (size_t)threads * 2 * NY * NX;
      assert_int_equal(sar_drift(&b, 0, 18, &o), 0);
      assert_memory_equal(a.lat, b.lat, a.n * sizeof *a.lat);
      assert_memory_equal(a.lon, b.lon, a.n * sizeof *a.lon);
      assert_memory_equal(a.state, b.state, a.n * sizeof *a.state);
    }
  env_field_free(cur), env_field_free(wind);
}

/* The step of one particle written out as one body, in the order of docs/models.md
 * ("Drift"): the plane of geo_local_scale at its latitude, the wind's unit vector
 * (north in a calm), the leeway of its class and side, then lat += v dt / M and
 * lon += u dt / (N cos lat), the latter through the one reciprocal that also gives
 * 1/W.  No jibes (the test sets none) and no land. */
static void step_one(sar_particles *p, size_t i, double dt, double lf, double uc, double vc,
                     double uw, double vw) {
  double lat = p->lat[i], m_lat, mc, inv_mc;
  geo_local_scale(lat, &m_lat, &mc);
  double W = sqrt(uw * uw + vw * vw), ex = 0, ey = 1;
  if (W > 0) {
    double inv = 1 / (W * mc);
    ex = uw * (inv * mc), ey = vw * (inv * mc), inv_mc = inv * W;
  } else {
    inv_mc = 1 / mc;
  }
  const sar_leeway *c = sar_leeway_of(p->object[i]);
  const double k = 1.0 / SAR_WIND_REF;
  int right = p->side[i] > 0;
  double dw = (c->dw_slope + p->r_dw[i] * c->dw_std * k) * W + c->dw_offset;
  double cw = ((right ? c->cwr_slope : c->cwl_slope) +
               p->r_cw[i] * (right ? c->cwr_std : c->cwl_std) * k) * W +
              (right ? c->cwr_offset : c->cwl_offset);
  dw *= lf, cw *= lf;
  double u = uc + dw * ex + cw * ey, v = vc + dw * ey - cw * ex;
  p->lat[i] = lat + v * dt / m_lat, p->lon[i] = p->lon[i] + u * dt * inv_mc;
}

/* The drift's block passes (gathering the drifting particles, sin and cos apart, the
 * arithmetic two particles to an SSE2 register, the block sampler's lanes) move every
 * particle bit for bit as step_one does, sampling with env_slice_sample_fast: on 1
 * and 2 threads, with and without scratch (mixed records), with particles still
 * waiting to be released in the middle of blocks, odd counts of drifting particles (a
 * lane left over), a calm patch (W = 0: downwind is north), a missing node, particles
 * leaving the grid, and two classes on both sides of downwind. */
static void reference_step(void **state) {
  (void)state;
  enum { NT = 4, NY = 31, NX = 31, N = 3001, STEPS = 18 };
  double t[NT] = {0, 3600, 7200, 10800};
  static float cu[NT * NY * NX], cv[NT * NY * NX], wu[NT * NY * NX], wv[NT * NY * NX];
  for (size_t k = 0; k < NT; k++)
    for (size_t j = 0; j < NY; j++)
      for (size_t i = 0; i < NX; i++) {
        size_t q = (k * NY + j) * NX + i;
        cu[q] = (float)(0.3 * sin(0.4 * (double)i + 0.2 * (double)k));
        cv[q] = (float)(0.4 * cos(0.3 * (double)j - 0.1 * (double)k));
        int calm = i >= 14 && i <= 17 && j >= 14 && j <= 17; /* about the seed point */
        wu[q] = calm ? 0 : (float)(6 + 3 * sin(0.2 * (double)(i + j + k)));
        wv[q] = calm ? 0 : (float)(-4 + 2 * cos(0.25 * (double)(i * j) + (double)k));
      }
  cu[(1 * NY + 20) * NX + 12] = NAN; /* a missing node */
  env_field *cur = env_field_grid(NT, NY, NX, t, 24.7, 0.02, 124.7, 0.02, cu, cv);
  env_field *wind = env_field_grid(NT, NY, NX, t, 24.7, 0.02, 124.7, 0.02, wu, wv);
  assert_non_null(cur), assert_non_null(wind);
  static float scratch[4 * 2 * NY * NX];
  size_t calm_seen = 0, outside_seen = 0;
  for (int threads = 1; threads <= 2; threads++)
    for (int mixed = 0; mixed < 2; mixed++) {
      sar_particles a, b;
      sar_particles *pp[2] = {&a, &b};
      for (int w = 0; w < 2; w++) {
        rng_stream r;
        rng_init(&r, SEED, 0, RNG_TEST, 7);
        assert_int_equal(sar_particles_alloc(pp[w], &G, N), 0);
        sar_seed s = {.object = SCN_OBJ_RAFT, .lat0 = 25.0, .lon0 = 125.0, .radius = 40000,
                      .count = 2000};
        sar_seed_area(pp[w], &s, &r);
        s.object = SCN_OBJ_PIW, s.count = N - 2000, s.radius = 2000;
        sar_seed_area(pp[w], &s, &r);
        for (size_t i = 0; i < N; i += 7) /* released after a few steps */
          pp[w]->t_release[i] = (float)(600.0 * (double)(i % 5));
      }
      sar_drift_opts o = SAR_DRIFT_OPTS_INIT;
      o.current = cur, o.wind = wind, o.jibe_rate = 0, o.threads = threads;
      if (mixed)
        o.scratch = scratch, o.scratch_floats = sar_drift_scratch(&o);
      assert_int_equal(sar_drift(&a, 0, STEPS, &o), 0);
      for (int k = 0; k < STEPS; k++) {
        double tk = k * o.dt;
        env_slice sc, sw;
        env_slice_init(&sc, cur, tk), env_slice_init(&sw, wind, tk);
        for (size_t i = 0; i < N; i++) {
          if (tk < (double)b.t_release[i])
            continue;
          double uc, vc, uw, vw;
          env_slice_sample_fast(&sc, b.lat[i], b.lon[i], &uc, &vc);
          env_slice_sample_fast(&sw, b.lat[i], b.lon[i], &uw, &vw);
          calm_seen += uw == 0 && vw == 0;
          outside_seen += b.lat[i] < 24.7 || b.lat[i] > 25.3 || b.lon[i] < 124.7 ||
                          b.lon[i] > 125.3;
          step_one(&b, i, o.dt, o.leeway_factor, uc, vc, uw, vw);
        }
      }
      for (size_t i = 0; i < N; i++)
        if (memcmp(&a.lat[i], &b.lat[i], sizeof a.lat[i]) ||
            memcmp(&a.lon[i], &b.lon[i], sizeof a.lon[i])) {
          fprintf(stderr, "threads %d, mixed %d, particle %zu: %.17g %.17g, reference %.17g "
                  "%.17g\n", threads, mixed, i, a.lat[i], a.lon[i], b.lat[i], b.lon[i]);
          fail();
        }
    }
  /* the cases the test is for did occur */
  assert_true(calm_seen > 0), assert_true(outside_seen > 0);
  env_field_free(cur), env_field_free(wind);
}

/* The analytic fields named in YAML (docs/scenario.md): the loader and the model build
 * env's rotating and eddy fields with the written parameters and senses, and a pure
 * current drift in a rotating current closes its circle: back at the start after one
 * period, a diameter s T / pi away after half of one (Euler steps: the chord sum
 * s dt / sin(pi / N) for N steps a period, within 0.1 % of s T / pi for N = 72). */
static void analytic_fields_from_yaml(void **state) {
  (void)state;
  static const char text[] =
      "case: {reported: 2027-04-01T06:00Z, at: [25.0, 125.0]}\n"
      "search:\n"
      "  land: false\n"
      "  current: {rotating: {speed: 1kn, period: 12h, clockwise: true}}\n"
      "  wind: {eddy: {at: [25.0, 125.0], radius: 30km, speed: 20kn}}\n"
      "units:\n"
      "  - {id: helo, base: [26.2, 127.7], speed: 120kn, endurance: 4h, sweep_width: {piw: 1nmi}}\n";
  char path[] = "/tmp/test_sar_fields_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs(text, f);
  fclose(f);
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  int err = scn_sar_case_load(&sc, path, NULL, d);
  if (err)
    diag_print(d, stderr, 0);
  assert_int_equal(err, 0);
  metric_set ms;
  metric_set_init(&ms);
  sar_model *m = NULL;
  assert_int_equal(sar_model_build(&m, sc, &ms, d), 0);
  const env_field *cur, *wind;
  sar_model_fields(m, &cur, &wind);
  double kn = 1852.0 / 3600, u, v, T = 12 * 3600.0;
  /* rotating, clockwise: east at 0, south a quarter period later */
  assert_true(env_sample(cur, 0, 10, 10, &u, &v));
  assert_float_equal(u, kn, 1e-12), assert_float_equal(v, 0, 1e-12);
  assert_true(env_sample(cur, T / 4, -30, 170, &u, &v));
  assert_float_equal(u, 0, 1e-12), assert_float_equal(v, -kn, 1e-12);
  /* eddy, counter-clockwise: 30 km east of the centre the wind blows north at 20 kn */
  double lon_r = 125.0 + 30000 / (R_EARTH * DEG * cos(25.0 * DEG));
  assert_true(env_sample(wind, 0, 25.0, lon_r, &u, &v));
  assert_float_equal(u, 0, 1e-9), assert_float_equal(v, 20 * kn, 1e-9);
  assert_true(env_sample(wind, 0, 25.0, 125.0, &u, &v)); /* calm in the eye */
  assert_float_equal(hypot(u, v), 0, 1e-12);
  /* the circle of a pure current drift */
  sar_particles p;
  seed_at(&p, 200, SCN_OBJ_PIW, 25.0, 125.0);
  sar_drift_opts o = SAR_DRIFT_OPTS_INIT;
  o.current = cur, o.wind = wind, o.leeway_factor = 0;
  double diam = kn * T / M_PI, x, y;
  assert_int_equal(sar_drift(&p, 0, 36, &o), 0); /* half a period of 600 s steps */
  sar_local_xy(25.0, 125.0, p.lat[0], p.lon[0], &x, &y);
  assert_true(fabs(hypot(x, y) - diam) < 1e-3 * diam);
  assert_true(y < -0.99 * diam); /* clockwise from east: the far side is south */
  assert_int_equal(sar_drift(&p, 36 * 600.0, 36, &o), 0);
  for (size_t i = 0; i < p.n; i++) {
    sar_local_xy(25.0, 125.0, p.lat[i], p.lon[i], &x, &y);
    assert_true(hypot(x, y) < 1e-3 * diam);
  }
  /* particles on the eddy's radius, carried by it (wind as the current): they keep
   * their distance from the centre within 2 % over a quarter turn */
  sar_particles q;
  seed_at(&q, 10, SCN_OBJ_PIW, 25.0, lon_r);
  o.current = wind, o.dt = 60;
  int quarter = (int)(0.25 * 2 * M_PI * 30000 / (20 * kn) / 60);
  assert_int_equal(sar_drift(&q, 0, quarter, &o), 0);
  sar_local_xy(25.0, 125.0, q.lat[0], q.lon[0], &x, &y);
  assert_true(fabs(hypot(x, y) - 30000) < 0.02 * 30000);
  assert_true(y > 0.9 * 30000); /* a quarter turn counter-clockwise from east: north */
  sar_model_free(m);
  metric_set_release(&ms);
  scn_free(sc);
  diag_free(d);
  unlink(path);
}

/* One thread or two: the same particles, bit for bit (jibes keyed per particle). */
static void threads_agree(void **state) {
  (void)state;
  sar_particles a, b;
  seed_at(&a, 5001, SCN_OBJ_RAFT_DROGUE, 25.0, 125.0);
  seed_at(&b, 5001, SCN_OBJ_RAFT_DROGUE, 25.0, 125.0);
  env_field *eddy = env_field_eddy(25.0, 125.2, 30000, 0.6);
  env_field *wind = env_field_rotating(9, 2 * M_PI / 86400);
  sar_drift_opts o = SAR_DRIFT_OPTS_INIT;
  o.current = eddy, o.wind = wind, o.jibe_rate = 0.5 / 3600;
  assert_int_equal(sar_drift(&a, 0, 72, &o), 0);
  o.threads = 2;
  assert_int_equal(sar_drift(&b, 0, 72, &o), 0);
  assert_memory_equal(a.lat, b.lat, a.n * sizeof *a.lat);
  assert_memory_equal(a.lon, b.lon, a.n * sizeof *a.lon);
  assert_memory_equal(a.side, b.side, a.n * sizeof *a.side);
  env_field_free(eddy), env_field_free(wind);
}

/* Jibes are a Poisson process of rate lambda: after T a particle is on the other side
 * with probability (1 - exp(-2 lambda T)) / 2. */
static void jibe_rate(void **state) {
  (void)state;
  size_t n = 20000;
  sar_particles p;
  seed_at(&p, n, SCN_OBJ_PIW, 25.0, 125.0);
  int8_t *side0 = malloc(n);
  memcpy(side0, p.side, n);
  sar_drift_opts o = SAR_DRIFT_OPTS_INIT; /* 4 % per hour */
  assert_int_equal(sar_drift(&p, 0, 144, &o), 0); /* 24 h */
  size_t flipped = 0;
  for (size_t i = 0; i < n; i++)
    flipped += p.side[i] != side0[i];
  double want = (1 - exp(-2 * 0.04 * 24)) / 2, got = (double)flipped / (double)n;
  double sd = sqrt(want * (1 - want) / (double)n);
  if (fabs(got - want) > 4 * sd)
    print_error("seed %u: flipped %.4f, want %.4f\n", SEED, got, want);
  assert_true(fabs(got - want) <= 4 * sd);
  free(side0);
}

/* Drifting west from the sea east of Okinawa onto the island: stranded, and left at
 * its last position in the water. */
static void strands_on_land(void **state) {
  (void)state;
  char path[512];
  if (geo_gshhg_find(path, sizeof path, NULL, 'i') != 0)
    skip();
  diag *d = diag_new();
  geo_landmask m;
  assert_int_equal(geo_landmask_build(&m, path, 25.0, 28.0, 126.0, 129.0, 1.0 / 120, d), 0);
  sar_particles p;
  seed_at(&p, 50, SCN_OBJ_PIW, 26.5, 128.3);
  env_field *west = env_field_constant(-0.5, 0);
  sar_drift_opts o = SAR_DRIFT_OPTS_INIT;
  o.current = west, o.land = &m, o.leeway_factor = 0;
  assert_int_equal(sar_drift(&p, 0, 144, &o), 0); /* 43 km in a day */
  for (size_t i = 0; i < p.n; i++) {
    assert_int_equal(p.state[i], SAR_STRANDED);
    assert_false(geo_landmask_is_land(&m, p.lat[i], p.lon[i]));
    assert_true(p.lon[i] > 127.9 && p.lon[i] < 128.3);
  }
  env_field_free(west);
  geo_landmask_release(&m);
  diag_free(d);
}

/* A track: on the line between its ends; an area: inside its disc; release times in
 * the window; weights equal and summing to 1. */
static void seeding_line_and_area(void **state) {
  (void)state;
  sar_particles p;
  rng_stream r;
  rng_init(&r, SEED, 0, RNG_TEST, 5);
  assert_int_equal(sar_particles_alloc(&p, &G, 2000), 0);
  sar_seed s = {.object = SCN_OBJ_SMALL_BOAT, .lat0 = 24.0, .lon0 = 123.0, .lat1 = 24.5,
                .lon1 = 123.8, .t0 = 3600, .t_window = 7200, .count = 1000};
  assert_int_equal(sar_seed_line(&p, &s, &r), 1000);
  double x1, y1;
  sar_local_xy(24.0, 123.0, 24.5, 123.8, &x1, &y1);
  for (size_t i = 0; i < p.n; i++) {
    double x, y;
    sar_local_xy(24.0, 123.0, p.lat[i], p.lon[i], &x, &y);
    double f = (x * x1 + y * y1) / (x1 * x1 + y1 * y1);
    assert_true(f >= -1e-6 && f <= 1 + 1e-6);
    assert_true(hypot(x - f * x1, y - f * y1) < 0.005 * hypot(x1, y1)); /* tangent planes */
    assert_true(p.t_release[i] >= 3600 && p.t_release[i] <= 3600 + 7200);
  }
  s.radius = 10000, s.count = 1000;
  assert_int_equal(sar_seed_area(&p, &s, &r), 1000);
  double sum = 0;
  for (size_t i = 0; i < p.n; i++) {
    sum += p.w[i];
    if (i >= 1000) {
      double x, y;
      sar_local_xy(24.0, 123.0, p.lat[i], p.lon[i], &x, &y);
      assert_true(hypot(x, y) <= 10000 * 1.001);
    }
  }
  assert_true(fabs(sum - 1) < 1e-12);
  assert_int_equal(sar_seed_area(&p, &s, &r), 0); /* full: the cap holds */
}

/* ---- search planning ---------------------------------------------------------- */

static const double *cmp_d;
static int by_density(const void *a, const void *b) {
  double x = cmp_d[*(const size_t *)a], y = cmp_d[*(const size_t *)b];
  return (x < y) - (x > y);
}

/* Independent closed form: sort by density, grow the active set while consistent. */
static double closed_form_lambda(const double *p, const double *A, size_t n, double E) {
  double *d = malloc(n * sizeof *d);
  size_t *o = malloc(n * sizeof *o);
  for (size_t j = 0; j < n; j++)
    d[j] = p[j] / A[j], o[j] = j;
  cmp_d = d;
  qsort(o, n, sizeof *o, by_density);
  double sa = 0, sal = 0, ll = 0;
  for (size_t k = 0; k < n; k++) {
    sa += A[o[k]], sal += A[o[k]] * log(d[o[k]]);
    ll = (sal - E) / sa;
    if (k + 1 == n || log(d[o[k + 1]]) <= ll)
      break;
  }
  free(d), free(o);
  return exp(ll);
}

static void allocation_closed_form(void **state) {
  (void)state;
  rng_stream r;
  rng_init(&r, SEED, 0, RNG_TEST, 3);
  for (int trial = 0; trial < 50; trial++) {
    size_t n = 5 + (size_t)(rng_uniform(&r) * 200);
    double p[256], A[256], z[256], sum = 0;
    for (size_t j = 0; j < n; j++)
      p[j] = rng_uniform(&r) * rng_uniform(&r), A[j] = 1e6 * (0.5 + rng_uniform(&r)), sum += p[j];
    for (size_t j = 0; j < n; j++)
      p[j] /= sum;
    double E = 1e6 * (0.1 + 50 * rng_uniform(&r)), lambda;
    double pos = sar_alloc_effort(z, p, A, n, E, &lambda);
    double want = closed_form_lambda(p, A, n, E);
    assert_true(fabs(lambda / want - 1) < 1e-6);
    double used = 0, check = 0;
    for (size_t j = 0; j < n; j++) {
      used += z[j];
      check += p[j] * (1 - exp(-z[j] / A[j]));
      double marginal = p[j] / A[j] * exp(-z[j] / A[j]);
      if (z[j] > 0)
        assert_true(fabs(marginal / lambda - 1) < 1e-6); /* equal marginal returns */
      else
        assert_true(marginal <= lambda * (1 + 1e-9));
    }
    assert_true(fabs(used / E - 1) < 1e-9);
    assert_true(fabs(check - pos) < 1e-12);
  }
}

/* Circular normal target, plane cells: optimal POS after swept area E is
 * 1 - (1 + sqrt h) exp(-sqrt h), h = E / (pi sigma^2) (Stone 1975; Koopman 1980). */
static void circular_normal(void **state) {
  (void)state;
  const double sigma = 1000, half = 8 * sigma;
  const size_t m = 400;
  size_t n = m * m;
  double *p = malloc(n * sizeof *p), *A = malloc(n * sizeof *A), *z = malloc(n * sizeof *z);
  double h = 2 * half / (double)m, *q = malloc(m * sizeof *q);
  for (size_t i = 0; i < m; i++) {
    double a = -half + (double)i * h;
    q[i] = 0.5 * (erf((a + h) / (sigma * sqrt(2))) - erf(a / (sigma * sqrt(2))));
  }
  for (size_t j = 0; j < m; j++)
    for (size_t i = 0; i < m; i++)
      p[j * m + i] = q[i] * q[j], A[j * m + i] = h * h;
  const double hs[] = {0.25, 1, 4, 16};
  for (size_t k = 0; k < 4; k++) {
    double E = hs[k] * M_PI * sigma * sigma;
    double pos = sar_alloc_effort(z, p, A, n, E, NULL);
    double want = 1 - (1 + sqrt(hs[k])) * exp(-sqrt(hs[k]));
    if (fabs(pos - want) > 2e-4)
      print_error("h = %g: pos %.6f, closed form %.6f\n", hs[k], pos, want);
    assert_true(fabs(pos - want) <= 2e-4);
  }
  free(p), free(A), free(z), free(q);
}

/* After an unsuccessful search, the weights inside fall by exactly (1 - POD) =
 * exp(-coverage) relative to those outside, and all still sum to 1. */
static void bayes_update(void **state) {
  (void)state;
  sar_particles p;
  rng_stream r;
  rng_init(&r, SEED, 0, RNG_TEST, 4);
  assert_int_equal(sar_particles_alloc(&p, &G, 5000), 0);
  sar_seed s = {.object = SCN_OBJ_PIW, .lat0 = 25, .lon0 = 125, .sigma = 5000, .count = 5000};
  sar_seed_point(&p, &s, &r);
  double *g_p = malloc(20000 * sizeof *g_p), *g_a = malloc(20000 * sizeof *g_a);
  double *scr = malloc(70000 * sizeof *scr);
  sar_grid g;
  sar_grid_build(&g, &p, 1000, 20000, g_p, g_a);
  double tot = 0;
  for (size_t j = 0; j < g.ny * g.nx; j++)
    tot += g.p[j];
  assert_true(fabs(tot - 1) < 1e-9);
  double *w0 = malloc(p.n * sizeof *w0);
  for (int round = 0; round < 5; round++) {
    sar_rect rect;
    sar_plan_rect(&rect, &g, 500, 150000, scr); /* 0.27 nmi sweep, 81 nmi of track */
    assert_true(rect.area > 0 && rect.poc > 0);
    assert_true(fabs(rect.pod - (1 - exp(-500 * 150000 / rect.area))) < 1e-12);
    memcpy(w0, p.w, p.n * sizeof *w0);
    double removed = sar_update_after_search(&p, &rect);
    assert_true(fabs(removed - rect.poc * rect.pod) < 1e-9);
    double sum = 0, out_ratio = NAN;
    for (size_t i = 0; i < p.n; i++) {
      sum += p.w[i];
      int in = p.lat[i] >= rect.lat_min && p.lat[i] < rect.lat_max &&
               p.lon[i] >= rect.lon_min && p.lon[i] < rect.lon_max;
      if (!in)
        out_ratio = p.w[i] / w0[i];
    }
    assert_true(fabs(sum - 1) < 1e-12);
    for (size_t i = 0; i < p.n; i++) {
      int in = p.lat[i] >= rect.lat_min && p.lat[i] < rect.lat_max &&
               p.lon[i] >= rect.lon_min && p.lon[i] < rect.lon_max;
      double ratio = p.w[i] / w0[i] / out_ratio;
      assert_true(fabs(ratio - (in ? exp(-rect.coverage) : 1)) < 1e-12);
    }
    sar_grid_build(&g, &p, 1000, 20000, g_p, g_a);
  }
  free(g_p), free(g_a), free(scr), free(w0);
}

/* ---- a whole case in the kernel ------------------------------------------------ */

static const char case_yaml[] =
    "scenario: {name: sar test, epoch: 2027-04-01T00:00Z, horizon: 3d, seed: 7, notional: true}\n"
    "theater:\n"
    "  places:\n"
    "    - {id: naha, lat: 26.2124, lon: 127.6792}\n"
    "  regions:\n"
    "    - {id: fight, kind: combat_area, polygon: [[24, 124], [30, 124], [30, 129],\n"
    "                                              [24, 129]]}\n"
    "forces:\n"
    "  - {id: helo, nation: JP, kind: helicopter, base: naha, count: 2, speed: 120kn,\n"
    "     endurance: 4h}\n"
    "sar:\n"
    "  particles: 1000\n"
    "  land: false\n"
    "  current: {east: 0.3kn, north: 0.1kn}\n"
    "  wind: {east: 0kn, north: 15kn}\n"
    "  position_sigma: 2nmi\n"
    "  assets:\n"
    "    - {force: helo, response: 30min, turnaround: 1h,\n"
    "       sweep_width: {piw: 0.5nmi, life_raft: 4nmi, life_raft_drogue: 4nmi, small_boat: 6nmi}}\n";

static void run_case(int combat) {
  char path[] = "/tmp/test_sar_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_true(write(fd, case_yaml, sizeof case_yaml - 1) == (ssize_t)(sizeof case_yaml - 1));
  close(fd);
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  int err = scn_load(&sc, path, mission_sections(), d);
  if (err)
    diag_print(d, stderr, 0);
  assert_int_equal(err, 0);
  metric_set ms;
  metric_set_init(&ms);
  sar_model *m = NULL;
  assert_int_equal(sar_model_build(&m, sc, &ms, d), 0);
  assert_non_null(m);
  int found = 0, reps = 40;
  double pos_sum = 0;
  sim *s = sim_new();
  arena ra;
  arena_init(&ra, (size_t)1 << 28);
  for (int rep = 0; rep < reps; rep++) {
    sim_reset(s);
    arena_reset(&ra);
    metric_out out;
    assert_int_equal(metric_out_init(&out, &ms, &ra), 0);
    sar *S = sar_start(m, s, &ra, &out, sc->seed, (uint32_t)rep);
    assert_non_null(S);
    if (combat) { /* combat under way over the datum all along: no SDF search */
      sim_signal rs = {.type = SIG_REGION_STATUS, .source = -1, .region = 0, .open = 0};
      sim_publish(s, &rs);
    }
    sim_signal sig = {.type = SIG_PERSON_MISSING, .source = -1, .object = SCN_OBJ_RAFT,
                      .count = 3, .lat = 26.0, .lon = 126.5};
    sim_publish(s, &sig);
    assert_int_equal(sim_run(s, sc->horizon), 0);
    sar_collect(S, s, &out);
    int fm = metric_find(&ms, "sar", "persons.found");
    int pm = metric_find(&ms, "sar", "pos"), tm = metric_find(&ms, "sar", "time_to_locate");
    if (out.value[fm] > 0) {
      found++;
      assert_true(out.value[tm] > 0 && out.value[tm] < sc->horizon);
    }
    pos_sum += out.value[pm];
    assert_true(out.value[pm] >= 0 && out.value[pm] <= 1);
    if (combat) {
      assert_true(out.value[metric_find(&ms, "sar", "sorties")] == 0);
      assert_true(out.value[metric_find(&ms, "sar", "sorties_held")] > 0);
    }
  }
  if (combat) {
    assert_int_equal(found, 0);
    goto done;
  }
  /* two helicopters with a 4 nmi sweep width find a raft 45 nmi from base nearly
   * always, and the planner's POS is an honest forecast of that */
  if (getenv("SAR_TEST_VERBOSE"))
    print_message("found %d of %d, mean pos %.3f\n", found, reps, pos_sum / reps);
  assert_true(found >= reps * 3 / 4);
  assert_true(fabs(pos_sum / reps - (double)found / reps) < 0.25);
done:
  sim_free(s);
  arena_release(&ra);
  sar_model_free(m);
  metric_set_release(&ms);
  scn_free(sc);
  diag_free(d);
  unlink(path);
}

static void case_in_kernel(void **state) {
  (void)state;
  run_case(0);
}

/* Search and rescue is rear-area support: never where combat is under way. */
static void case_in_combat_waits(void **state) {
  (void)state;
  run_case(1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(crosswind_sign),   cmocka_unit_test(crosswind_sign_random),
      cmocka_unit_test(calm_sea),         cmocka_unit_test(uniform_current),
      cmocka_unit_test(threads_agree),    cmocka_unit_test(jibe_rate),
      cmocka_unit_test(strands_on_land),  cmocka_unit_test(seeding_line_and_area),
      cmocka_unit_test(allocation_closed_form),
      cmocka_unit_test(circular_normal),  cmocka_unit_test(bayes_update),
      cmocka_unit_test(case_in_kernel),   cmocka_unit_test(case_in_combat_waits),
      cmocka_unit_test(analytic_fields_from_yaml), cmocka_unit_test(scratch_same),
      cmocka_unit_test(reference_step),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
