/* test_sea_lanes.c - the logistics model's ship lanes over water (issue 15): in the
 * default scenario and in a scenario with consumers at sea in the Sea of Japan, no
 * sea lane (its sailed path, or the theater route it follows, as the map draws it)
 * crosses the coastline more than 15 km from its ends, sampled against a land mask
 * built on its own; the Sea of Japan's lanes go round by sea, not over Honshu.
 * Skipped where no GSHHG file is installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "geodesy.h"
#include "gshhg.h"
#include "landmask.h"
#include "inspection.h"
#include "logistics.h"
#include "metric.h"
#include "scenario.h"
#include "scn_inspection.h"
#include "scn_logistics.h"
#include "ops.h"
#include "searoute.h"

#define NMI 1852.0
#define END_SLACK 15000.0 /* m: the allowance at a lane's ends */

static geo_landmask land;

static int setup(void **state) {
  (void)state;
  char path[1024];
  if (geo_gshhg_find(path, sizeof path, NULL, 'i')) return 0;
  return geo_landmask_build(&land, path, 0, 50, 100, 160, 0.005, NULL);
}

static int teardown(void **state) {
  (void)state;
  geo_landmask_release(&land);
  return 0;
}

typedef struct lanes {
  scn_scenario *sc;
  lgs_model *m;
  metric_set ms;
} lanes;

static void lanes_open(lanes *l, const char *path) {
  if (!land.level) skip();
  diag *d = diag_new();
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  int err = scn_load(&l->sc, path, &opt, d);
  metric_set_init(&l->ms);
  if (!err) err = lgs_model_new(&l->m, l->sc, &l->ms, d);
  if (err) diag_print(d, stderr, 0);
  diag_free(d);
  assert_int_equal(err, 0);
  assert_non_null(l->m);
}

static void lanes_close(lanes *l) {
  lgs_model_free(l->m);
  metric_set_release(&l->ms);
  scn_free(l->sc);
}

/* The lane's polyline as the logistics-flow layer draws it (the logistics docs hook, src/ops/logistics/lgs_ops.c). */
static size_t lane_points(const lanes *l, int i, double *lat, double *lon, size_t cap) {
  const double *plat, *plon;
  size_t n = lgs_lane_path(l->m, i, &plat, &plon);
  lgs_lane_info in;
  lgs_lane_describe(l->m, i, &in);
  if (n >= 2) {
    for (size_t k = 0; k < n && k < cap; k++) lat[k] = plat[k], lon[k] = plon[k];
    return n < cap ? n : cap;
  }
  if (in.route >= 0) {
    const scn_route *rt = &l->sc->route[in.route];
    for (size_t k = 0; k < rt->n && k < cap; k++) {
      size_t j = in.reverse ? rt->n - 1 - k : k;
      lat[k] = rt->lat[j], lon[k] = rt->lon[j];
    }
    return rt->n < cap ? rt->n : cap;
  }
  lat[0] = l->sc->place[in.from].lat, lon[0] = l->sc->place[in.from].lon;
  lat[1] = in.to_lat, lon[1] = in.to_lon;
  return 2;
}

/* Land samples (every 500 m, linear in lat/lon) farther than END_SLACK from both ends. */
static int land_beyond_ends(const double *lat, const double *lon, size_t n, double *at_lat,
                            double *at_lon) {
  int bad = 0;
  for (size_t i = 0; i + 1 < n; i++) {
    double len = geo_distance(lat[i], lon[i], lat[i + 1], lon[i + 1]);
    int steps = (int)ceil(len / 500) + 1;
    for (int k = 0; k <= steps; k++) {
      double t = (double)k / steps;
      double la = lat[i] + t * (lat[i + 1] - lat[i]), lo = lon[i] + t * (lon[i + 1] - lon[i]);
      if (geo_distance(la, lo, lat[0], lon[0]) < END_SLACK ||
          geo_distance(la, lo, lat[n - 1], lon[n - 1]) < END_SLACK)
        continue;
      if (geo_landmask_is_land(&land, la, lo)) {
        if (!bad) *at_lat = la, *at_lon = lo;
        bad++;
      }
    }
  }
  return bad;
}

/* Every sea lane of the scenario over water; returns how many there are. */
static int check_sea_lanes(const lanes *l) {
  static double lat[100000], lon[100000];
  int nsea = 0, failed = 0;
  for (int i = 0; i < lgs_lanes(l->m); i++) {
    lgs_lane_info in;
    lgs_lane_describe(l->m, i, &in);
    if (in.air) continue;
    nsea++;
    size_t n = lane_points(l, i, lat, lon, sizeof lat / sizeof *lat);
    double la = 0, lo = 0;
    int bad = land_beyond_ends(lat, lon, n, &la, &lo);
    fprintf(stderr, "  %-40s %7.1f nmi, %3zu points%s\n", lgs_lane_name(l->m, i),
            lgs_lane_distance(l->m, i) / NMI, n, bad ? "  CROSSES LAND" : "");
    if (bad) {
      fprintf(stderr, "    %d land samples, the first at %.4f %.4f\n", bad, la, lo);
      failed = 1;
    }
  }
  if (failed) fail();
  return nsea;
}

static void default_scenario(void **state) {
  (void)state;
  lanes l;
  lanes_open(&l, LOG_TEST_SCENARIO);
  assert_true(check_sea_lanes(&l) >= 10);
  lanes_close(&l);
}

/* The inspection model's diversion legs, as the map draws them (issue 15: every ship
 * over water): in the default scenario from the zone north of the Sakishima islands
 * to Ishigaki (round the island to its port on the south coast) and to Naha. */
static void default_diversions(void **state) {
  (void)state;
  if (!land.level) skip();
  diag *d = diag_new();
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  scn_scenario *sc;
  metric_set ms;
  metric_set_init(&ms);
  insp_model *m = NULL;
  int err = scn_load(&sc, LOG_TEST_SCENARIO, &opt, d);
  if (!err) err = insp_model_new(&m, sc, &ms, d);
  if (err) diag_print(d, stderr, 0);
  diag_free(d);
  assert_int_equal(err, 0);
  assert_non_null(m);
  size_t nport = scn_inspection_of(sc)->nport;
  assert_true(nport >= 2);
  for (size_t k = 0; k < nport; k++) {
    geo_path p;
    assert_int_equal(insp_diversion_path(m, k, &p), 0);
    const scn_place *port = &sc->place[scn_inspection_of(sc)->port[k]];
    double la = 0, lo = 0, gc = geo_distance(p.lat[0], p.lon[0], port->lat, port->lon);
    int bad = land_beyond_ends(p.lat, p.lon, p.n, &la, &lo);
    fprintf(stderr, "  diversion to %-10s %6.1f nmi (straight %6.1f), %zu points%s\n", port->id,
            p.length / NMI, gc / NMI, p.n, bad ? "  CROSSES LAND" : "");
    if (bad) fprintf(stderr, "    %d land samples, the first at %.4f %.4f\n", bad, la, lo);
    assert_int_equal(bad, 0);
    assert_true(p.lat[p.n - 1] == port->lat && p.lon[p.n - 1] == port->lon);
    assert_true(p.length >= gc);
    geo_path_release(&p);
  }
  insp_model_free(m);
  metric_set_release(&ms);
  scn_free(sc);
}

static int lane_to(const lanes *l, const char *consumer) {
  for (int i = 0; i < lgs_lanes(l->m); i++) {
    lgs_lane_info in;
    lgs_lane_describe(l->m, i, &in);
    if (!in.air && strcmp(scn_logistics_of(l->sc)->consumer[in.consumer].id, consumer) == 0) return i;
  }
  return -1;
}

/* The group off Izumo: from Yokosuka the straight line is some 320 nmi over Honshu; by
 * sea it is round Kyushu or through the Tsugaru Strait, several times that. */
static void sea_of_japan(void **state) {
  (void)state;
  lanes l;
  lanes_open(&l, GEO_TEST_DATA "/check/sea_of_japan.yaml");
  assert_true(check_sea_lanes(&l) == 2);
  int i = lane_to(&l, "sea-of-japan-group");
  assert_true(i >= 0);
  double gc = geo_geodesic_inverse(35.2925, 139.6650, 36.0, 133.0, NULL, NULL);
  double d = lgs_lane_distance(l.m, i);
  fprintf(stderr, "yokosuka > off izumo: %.1f nmi by sea, %.1f nmi straight\n", d / NMI, gc / NMI);
  assert_true(d > 2 * gc);
  assert_true(d < 1200 * NMI);
  lanes_close(&l);
}

/* The group off Izumo names a route north about by the Tsugaru Strait (`route:`): its
 * lane follows the route's points, then sails over water from the route's end to the
 * group; the distance is the polyline's, and over water like every lane. */
static void named_route(void **state) {
  (void)state;
  lanes l;
  lanes_open(&l, GEO_TEST_DATA "/check/sea_of_japan_tsugaru.yaml");
  assert_true(check_sea_lanes(&l) == 2);
  int i = lane_to(&l, "sea-of-japan-group");
  assert_true(i >= 0);
  lgs_lane_info in;
  lgs_lane_describe(l.m, i, &in);
  const scn_route *rt = &l.sc->route[0];
  assert_int_equal(in.route, 0);
  const double *lat, *lon;
  size_t n = lgs_lane_path(l.m, i, &lat, &lon);
  assert_true(n > rt->n); /* the route, then the way over water to the group */
  for (size_t k = 0; k < rt->n; k++) assert_true(lat[k] == rt->lat[k] && lon[k] == rt->lon[k]);
  assert_true(lat[n - 1] == 36.0 && lon[n - 1] == 133.0);
  double len = 0, north = -90;
  for (size_t k = 0; k + 1 < n; k++) len += geo_distance(lat[k], lon[k], lat[k + 1], lon[k + 1]);
  for (size_t k = 0; k < n; k++) north = lat[k] > north ? lat[k] : north;
  double d = lgs_lane_distance(l.m, i);
  fprintf(stderr, "yokosuka > off izumo by tsugaru: %.1f nmi, north to %.2fN\n", d / NMI, north);
  assert_true(fabs(d - len) < 1e-6 * len);
  assert_true(north > 41.3);
  lanes_close(&l);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(default_scenario),
                                     cmocka_unit_test(default_diversions),
                                     cmocka_unit_test(sea_of_japan),
                                     cmocka_unit_test(named_route)};
  return cmocka_run_group_tests(tests, setup, teardown);
}
