/* test_sar_pattern.c - the IAMSAR search patterns and the detection models against
 * what is known exactly: each pattern's track (summed from its waypoints) equals its
 * closed form and the track available, adjacent legs lie exactly one spacing apart,
 * and on a uniform datum a coverage factor of 1 detects 1 - e^-1 of the objects under
 * random search (Koopman, simulated with randomly placed track) and all of them under a
 * definite-range sensor on parallel tracks; a pattern placed on particles has the
 * pattern's size and the particles' weight inside as its POC; and nested passes reach
 * 98 % of the circular normal's optimum where one rectangle cannot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "arena.h"
#include "rng.h"
#include "sar.h"
#include "sar_pattern.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define MAXPT 4096

/* The length of the polyline through the waypoints. */
static double polyline(const double *x, const double *y, size_t n) {
  double L = 0;
  for (size_t k = 1; k < n; k++) L += hypot(x[k] - x[k - 1], y[k] - y[k - 1]);
  return L;
}

static void check_close(double got, double want, double tol, const char *what) {
  if (!(fabs(got - want) <= tol)) print_error("%s: %.9g, want %.9g\n", what, got, want);
  assert_true(fabs(got - want) <= tol);
}

/* PS and CS: n legs of (along - S) and n - 1 cross legs of S use exactly the track
 * available; legs one spacing apart, inset S / 2 from the area's edges. */
static void parallel_and_creeping(void **state) {
  (void)state;
  static double x[MAXPT], y[MAXPT];
  const double S = 500, L = 120000, W = 400;
  for (int kind = SAR_PATTERN_PARALLEL; kind <= SAR_PATTERN_CREEPING; kind++)
    for (int a = 0; a < 4; a++) {
      double aspect = a == 0 ? 2.5 : a == 1 ? 0.4 : a == 2 ? 1.02 : 0.98; /* near square too */
      sar_pattern p;
      assert_int_equal(sar_pattern_fit(&p, kind, S, L, aspect, W), 0);
      size_t n = sar_pattern_waypoints(&p, x, y, MAXPT);
      assert_int_equal(n, 2 * (size_t)p.legs);
      check_close(polyline(x, y, n), L, 1e-6, "track from waypoints");
      check_close(p.track, L, 1e-6, "track");
      check_close(sar_pattern_track(kind, p.area, S), L, 1e-6, "A / S - S");
      check_close(p.coverage, W / S, 1e-12, "coverage W / S");
      /* the longer side carries PS legs, the shorter CS legs */
      int longer_ew = p.width >= p.height;
      assert_int_equal(p.along_x, kind == SAR_PATTERN_PARALLEL ? longer_ew : !longer_ew);
      double across = p.along_x ? p.height : p.width;
      check_close(across, p.legs * S, 1e-6, "legs x spacing = the side across");
      for (int i = 0; i + 1 < p.legs; i++) { /* leg i+1 one spacing from leg i */
        double c0 = p.along_x ? y[2 * i] : x[2 * i], c1 = p.along_x ? y[2 * i + 2] : x[2 * i + 2];
        check_close(c1 - c0, S, 1e-6, "spacing between legs");
      }
      for (size_t k = 0; k < n; k++) { /* every leg inside the area, S / 2 in */
        assert_true(fabs(x[k]) <= 0.5 * p.width - 0.5 * S + 1e-6);
        assert_true(fabs(y[k]) <= 0.5 * p.height - 0.5 * S + 1e-6);
      }
    }
}

/* SS: 2m + 1 legs S, S, 2S, 2S, ..., mS, mS, mS: S m (m + 2) = A / S - S, the square
 * of side (m + 1) S; the north-south legs one spacing apart. */
static void expanding_square(void **state) {
  (void)state;
  static double x[MAXPT], y[MAXPT];
  const double S = 300;
  for (int m = 1; m <= 12; m++) {
    double L = S * m * (m + 2);
    sar_pattern p;
    assert_int_equal(sar_pattern_fit(&p, SAR_PATTERN_SQUARE, S, L + 0.5 * S, 1, S), 0);
    assert_int_equal(p.legs, 2 * m + 1);
    check_close(p.track, L, 1e-6, "S m (m + 2)");
    check_close(p.width, (m + 1) * S, 1e-6, "side");
    check_close(sar_pattern_track(SAR_PATTERN_SQUARE, p.area, S), L, 1e-6, "A / S - S");
    size_t n = sar_pattern_waypoints(&p, x, y, MAXPT);
    assert_int_equal(n, (size_t)p.legs + 1);
    check_close(polyline(x, y, n), L, 1e-6, "track from waypoints");
    /* the x of the north-south legs: m + 1 distinct values, S apart */
    double lo = 0, hi = 0;
    for (size_t k = 0; k < n; k++) lo = fmin(lo, x[k]), hi = fmax(hi, x[k]);
    check_close(hi - lo, m * S, 1e-6, "legs across the square");
    for (size_t k = 0; k < n; k++) {
      double f = x[k] / S;
      check_close(f, round(f), 1e-9, "legs on the spacing's lattice");
    }
  }
}

/* VS: 9 legs of R per pass, all of length R, back at the datum after each triangle;
 * the radials 60 degrees apart, so the legs' ends are R apart (the spacing). */
static void sector(void **state) {
  (void)state;
  static double x[MAXPT], y[MAXPT];
  sar_pattern p;
  assert_int_equal(sar_pattern_fit(&p, SAR_PATTERN_SECTOR, 0, 27000, 1, 500), 0);
  check_close(p.radius, 3000, 1e-9, "R = track / 9");
  size_t n = sar_pattern_waypoints(&p, x, y, MAXPT);
  assert_int_equal(n, 10);
  check_close(polyline(x, y, n), 27000, 1e-6, "9 R");
  for (size_t k = 1; k < n; k++)
    check_close(hypot(x[k] - x[k - 1], y[k] - y[k - 1]), 3000, 1e-6, "each leg R");
  check_close(hypot(x[3], y[3]), 0, 1e-9, "back at the datum");
  check_close(hypot(x[2] - x[1], y[2] - y[1]), 3000, 1e-6, "the ends of two radials R apart");
  check_close(p.coverage, 500 * 27000 / (M_PI * 9e6), 1e-12, "mean coverage W 9R / pi R^2");
  /* with a spacing: R = S, as many passes as fit, each turned 30 degrees */
  assert_int_equal(sar_pattern_fit(&p, SAR_PATTERN_SECTOR, 1000, 20000, 1, 500), 0);
  assert_int_equal(p.passes, 2);
  n = sar_pattern_waypoints(&p, x, y, MAXPT);
  check_close(polyline(x, y, n), 18000, 1e-6, "2 x 9 R");
  check_close(atan2(x[10], y[10]) * 180 / M_PI, 30, 1e-9, "second pass turned 30 degrees");
  assert_int_equal(sar_pattern_fit(&p, SAR_PATTERN_SECTOR, 1000, 8000, 1, 500), -1);
  assert_int_equal(sar_pattern_fit(&p, SAR_PATTERN_SECTOR, 1000, 90000, 1, 500), 0);
  assert_int_equal(p.passes, 2); /* a third would retrace the first */
}

/* A point is detected by a definite-range sensor of sweep width W when it lies within
 * W / 2 of the track. */
static double seg_dist(double px, double py, double ax, double ay, double bx, double by) {
  double vx = bx - ax, vy = by - ay, L2 = vx * vx + vy * vy;
  double t = L2 > 0 ? ((px - ax) * vx + (py - ay) * vy) / L2 : 0;
  t = fmax(0, fmin(1, t));
  return hypot(px - ax - t * vx, py - ay - t * vy);
}

/* Parallel sweep, definite range: coverage 1 detects everything (min(1, C) = 1), a
 * coverage of 1/2 half; the objects uniform over the pattern's area. */
static void definite_range_sweep(void **state) {
  (void)state;
  static double x[MAXPT], y[MAXPT];
  const double W = 100;
  const double Cs[] = {1.0, 0.5};
  rng_stream r;
  rng_init(&r, 11, 0, RNG_SAR, 77);
  for (int c = 0; c < 2; c++) {
    sar_pattern p;
    double S = W / Cs[c];
    assert_int_equal(sar_pattern_fit(&p, SAR_PATTERN_PARALLEL, S, 400 * S * 20, 1, W), 0);
    size_t n = sar_pattern_waypoints(&p, x, y, MAXPT), hit = 0, N = 20000;
    for (size_t i = 0; i < N; i++) {
      double px = (rng_uniform(&r) - 0.5) * p.width, py = (rng_uniform(&r) - 0.5) * p.height;
      for (size_t k = 1; k < n; k++)
        if (seg_dist(px, py, x[k - 1], y[k - 1], x[k], y[k]) <= 0.5 * W) {
          hit++;
          break;
        }
    }
    double pod = (double)hit / (double)N, want = sar_pod(SAR_DETECT_DEFINITE, Cs[c]);
    if (fabs(pod - want) > 0.015) print_error("C = %g: POD %.4f, want %.4f\n", Cs[c], pod, want);
    assert_true(fabs(pod - want) <= 0.015);
  }
}

/* Random search (Koopman): the same track length cut into short pieces placed and
 * turned at random over the area (a torus, so no edge is favoured); coverage 1 detects
 * 1 - e^-1 of uniform objects with a definite-range sensor, not all of them. */
static void random_search(void **state) {
  (void)state;
  const double side = 4000, W = 100, piece = 200, C = 1;
  size_t npiece = (size_t)(C * side * side / (W * piece)), N = 20000, hit = 0;
  double *ax = malloc(npiece * 4 * sizeof *ax), *ay = ax + npiece, *ux = ay + npiece,
         *uy = ux + npiece;
  assert_non_null(ax);
  rng_stream r;
  rng_init(&r, 12, 0, RNG_SAR, 78);
  for (size_t k = 0; k < npiece; k++) {
    double th = 2 * M_PI * rng_uniform(&r);
    ax[k] = side * rng_uniform(&r), ay[k] = side * rng_uniform(&r);
    ux[k] = cos(th), uy[k] = sin(th);
  }
  for (size_t i = 0; i < N; i++) {
    double px = side * rng_uniform(&r), py = side * rng_uniform(&r);
    for (size_t k = 0; k < npiece; k++) {
      double dx = px - ax[k], dy = py - ay[k]; /* nearest image on the torus */
      dx -= side * round(dx / side), dy -= side * round(dy / side);
      double along = dx * ux[k] + dy * uy[k], lateral = fabs(-dx * uy[k] + dy * ux[k]);
      if (along >= 0 && along <= piece && lateral <= 0.5 * W) { /* a W x piece strip */
        hit++;
        break;
      }
    }
  }
  free(ax);
  double pod = (double)hit / (double)N, want = sar_pod(SAR_DETECT_RANDOM, C);
  check_close(want, 1 - exp(-1), 1e-15, "1 - e^-1");
  if (fabs(pod - want) > 0.015) print_error("random search: POD %.4f, want %.4f\n", pod, want);
  assert_true(fabs(pod - want) <= 0.015);
}

static void detection_models(void **state) {
  (void)state;
  check_close(sar_pod(SAR_DETECT_DEFINITE, 0.3), 0.3, 0, "definite below 1");
  check_close(sar_pod(SAR_DETECT_DEFINITE, 2), 1, 0, "definite above 1");
  check_close(sar_pod(SAR_DETECT_INVERSE_CUBE, 1), erf(0.5 * sqrt(M_PI)), 1e-15, "inverse cube");
  assert_int_equal(sar_detection_find("inverse_cube"), SAR_DETECT_INVERSE_CUBE);
  assert_int_equal(sar_pattern_find("creeping"), SAR_PATTERN_CREEPING);
  assert_int_equal(sar_pattern_find("zigzag"), -1);
}

/* A circular normal datum on a grid of m x m cells over +-4 sigma (cell probabilities
 * from the normal's CDF), sigma = 1000 m; lat/lon are nominal (the plan uses cells). */
static sar_grid normal_grid(size_t m, double sigma) {
  sar_grid g = {.lat0 = 0, .lon0 = 0, .dlat = 1e-3, .dlon = 1e-3, .ny = m, .nx = m};
  double half = 4 * sigma, h = 2 * half / (double)m;
  g.p = malloc(m * m * sizeof *g.p), g.area = malloc(m * m * sizeof *g.area);
  double *q = malloc(m * sizeof *q);
  assert_non_null(g.p), assert_non_null(g.area), assert_non_null(q);
  for (size_t i = 0; i < m; i++) {
    double a = -half + (double)i * h;
    q[i] = 0.5 * (erf((a + h) / (sigma * sqrt(2))) - erf(a / (sigma * sqrt(2))));
  }
  for (size_t j = 0; j < m; j++)
    for (size_t i = 0; i < m; i++) g.p[j * m + i] = q[i] * q[j], g.area[j * m + i] = h * h;
  free(q);
  return g;
}

/* One unit, circular normal datum, effort E = h pi sigma^2: nested rectangles reach 98 %
 * of the optimum 1 - (1 + sqrt h) e^-sqrt h at h = 1 and h = 4, where one uniform
 * rectangle cannot (a uniform disc, the best uniform shape, reaches 97.3 % and 96.4 %). */
static void layers_near_optimum(void **state) {
  (void)state;
  const double sigma = 1000, W = 200;
  sar_grid g = normal_grid(160, sigma);
  double *z = malloc(g.nx * g.ny * sizeof *z);
  assert_non_null(z);
  const double hs[] = {1, 4};
  for (int t = 0; t < 2; t++) {
    double h = hs[t], E = h * M_PI * sigma * sigma, L = E / W, opt;
    double closed = 1 - (1 + sqrt(h)) * exp(-sqrt(h));
    sar_rect r[SAR_LAYERS_MAX];
    double one = sar_plan_layers(r, 1, &g, W, L, z, &opt);
    check_close(opt, closed, 3e-4, "the grid's optimum against the closed form");
    double four = sar_plan_layers(r, 4, &g, W, L, z, &opt);
    print_message(
        "h = %g: optimum %.4f, one rectangle %.4f (%.1f %%), four nested %.4f "
        "(%.1f %%)\n",
        h, closed, one, 100 * one / closed, four, 100 * four / closed);
    assert_true(one < 0.98 * closed);
    assert_true(four >= 0.98 * closed);
    assert_true(four <= opt + 1e-12);
    double track = 0, pos = 0; /* the rectangles fly the whole track; POS from them */
    for (int k = 0; k < 4; k++) track += r[k].track;
    check_close(track, L, 1e-6 * L, "the layers' tracks add up to the unit's");
    for (size_t j = 0; j < g.ny; j++)
      for (size_t i = 0; i < g.nx; i++) {
        double c = 0;
        for (int k = 0; k < 4; k++)
          if (i >= r[k].i0 && i < r[k].i1 && j >= r[k].j0 && j < r[k].j1) c += r[k].coverage;
        pos += g.p[j * g.nx + i] * (1 - exp(-c));
      }
    check_close(pos, four, 1e-9, "POS recomputed from the rectangles");
  }
  free(z), free(g.p), free(g.area);
}

/* A pattern placed on a datum of particles: centred on their weighted centre, its
 * rectangle's sides in metres those of the pattern (within the tangent plane's 0.5 %),
 * its POC the particles' weight inside, counted here by hand. */
static void pattern_on_particles(void **state) {
  (void)state;
  arena a;
  arena_init(&a, (size_t)1 << 26);
  sar_particles p;
  assert_int_equal(sar_particles_alloc(&p, &a, 20000), 0);
  rng_stream r;
  rng_init(&r, 5, 0, RNG_SAR, 79);
  sar_seed sd = {.object = 0, .lat0 = 26.4, .lon0 = 128.1, .sigma = 3000, .count = 20000};
  sar_seed_point(&p, &sd, &r);
  for (int kind = SAR_PATTERN_PARALLEL; kind <= SAR_PATTERN_SECTOR; kind++) {
    sar_rect rect;
    sar_pattern pat;
    double W = 500, L = 150000;
    assert_int_equal(sar_plan_pattern(&rect, &pat, &p, kind, W, L, 0, 1, SAR_DETECT_RANDOM), 0);
    double clat = 0, clon = 0, wsum = 0, in = 0;
    for (size_t i = 0; i < p.n; i++)
      clat += p.w[i] * p.lat[i], clon += p.w[i] * p.lon[i], wsum += p.w[i];
    check_close(rect.clat, clat / wsum, 1e-12, "centre latitude");
    check_close(rect.clon, clon / wsum, 1e-12, "centre longitude");
    double x0, y0, x1, y1;
    sar_local_xy(rect.clat, rect.clon, rect.lat_min, rect.lon_min, &x0, &y0);
    sar_local_xy(rect.clat, rect.clon, rect.lat_max, rect.lon_max, &x1, &y1);
    check_close((x1 - x0) / pat.width, 1, 5e-3, "width in metres");
    check_close((y1 - y0) / pat.height, 1, 5e-3, "height in metres");
    for (size_t i = 0; i < p.n; i++) {
      double x, y;
      sar_local_xy(rect.clat, rect.clon, p.lat[i], p.lon[i], &x, &y);
      int inside = kind == SAR_PATTERN_SECTOR
                       ? hypot(x, y) <= pat.radius
                       : p.lat[i] >= rect.lat_min && p.lat[i] < rect.lat_max &&
                             p.lon[i] >= rect.lon_min && p.lon[i] < rect.lon_max;
      in += inside ? p.w[i] : 0;
    }
    check_close(rect.poc, in, 1e-12, "POC");
    check_close(rect.pod, 1 - exp(-rect.coverage), 1e-15, "POD");
    assert_true(rect.poc > 0.05 && rect.poc < 1);
  }
  arena_release(&a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(parallel_and_creeping),
      cmocka_unit_test(expanding_square),
      cmocka_unit_test(sector),
      cmocka_unit_test(definite_range_sweep),
      cmocka_unit_test(random_search),
      cmocka_unit_test(detection_models),
      cmocka_unit_test(layers_near_optimum),
      cmocka_unit_test(pattern_on_particles),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
