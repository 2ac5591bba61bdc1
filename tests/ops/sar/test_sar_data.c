/* test_sar_data.c - the Leeway table as shipped (data/leeway.csv compiled in) against
 * the published coefficients, its stable ids, and the CF NetCDF outputs of a case's
 * drift read back with the NetCDF library (values equal the particles in memory). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "diag.h"
#include "err.h"
#include "metric.h"
#include "sar.h"
#include "sar_netcdf.h"
#include "sar_sweep.h"
#include "scenario.h"
#include "scn_sar.h"

/* ---- the Leeway table ------------------------------------------------------------ */

/* A row as published (slope %, offset and std cm/s): Allen & Plourde (1999) / Allen
 * (2005) via the SAROPS list of 2010-11-15 that OpenDrift ships as OBJECTPROP.DAT. */
typedef struct published {
  const char *id, *code;
  double c[9];
} published;

static const published rows[] = {
    {"piw", "PIW-1", {0.96, 0.00, 12.00, 0.54, 0.00, 9.40, -0.54, 0.00, 9.40}},
    {"piw_6", "PIW-6", {1.117, 10.2, 3.04, 0.04, 3.90, 4.05, -0.04, -3.90, 4.05}},
    {"life_raft", "LIFE-RAFT-DB-12", {3.75, -2.30, 4.40, 0.78, -3.60, 3.60, -0.47, -0.10, 3.90}},
    {"life_raft_drogue", "LIFE-RAFT-DB-15", {1.91, 0.90, 1.60, 0.78, -3.60, 3.60, -0.47, -0.10, 3.90}},
    {"life_raft_db_17", "LIFE-RAFT-DB-17", {2.19, -0.96, 1.01, 1.39, -7.90, 1.46, -1.39, 7.90, 1.46}},
    {"life_raft_sb_10", "LIFE-RAFT-SB-10", {3.30, -3.90, 4.20, 0.50, 7.0, 5.7, 0.1, -6.2, 3.6}},
    {"aviation_1", "AVIATION-1", {3.39, 0.00, 2.40, 1.49, 0.00, 2.40, -1.49, 0.00, 2.40}},
    {"ovatek_craft_6", "OVATEK-CRAFT-6", {0.995, 3.46, 2.34, 0.023, -1.86, 1.32, -0.005, -0.95, 0.88}},
    {"small_boat", "SKIFF-1", {3.15, 0.00, 2.20, 1.29, 0.00, 2.20, -1.29, 0.00, 2.20}},
    {"fishing_vessel_2", "FISHING-VESSEL-2", {2.67, 0.00, 8.30, 2.98, 0.00, 6.70, -2.98, 0.00, 6.70}},
    {"sailboat_2", "SAILBOAT-2", {3.94, 0.0, 19.62, 3.98, 0.0, 12.6788, -0.79, 0.0, 2.13}},
    {"sailboat_6b", "SAILBOAT-6b", {2.69, 0.0, 10.48, 2.81, 0.0, 11.14, -4.01, 0.0, 13.6608}},
    {"sldmb", "SLDMB", {0, 0, 0, 0, 0, 0, 0, 0, 0}},
    {"med_waste_7", "MED-WASTE-7", {1.79, 0.00, 2.40, 0.16, 0.00, 2.30, -0.16, 0.00, 2.30}},
};

static void test_table_rows(void **state) {
  (void)state;
  /* the SAROPS list as distributed numbers its classes 1..85 (SAILBOAT-6b is 63: the
   * "63 classes" of older descriptions end there) */
  assert_int_equal(sar_object_count(), 85);
  assert_int_equal(SCN_OBJ__COUNT, 85);
  for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
    int o = sar_object_find(rows[r].id);
    assert_true(o >= 0);
    const sar_leeway *c = sar_leeway_of(o);
    assert_string_equal(c->name, rows[r].code);
    assert_string_equal(c->id, rows[r].id);
    assert_string_equal(scn_object_name((scn_object)o), rows[r].id);
    const double got[9] = {c->dw_slope, c->dw_offset, c->dw_std, c->cwr_slope, c->cwr_offset,
                           c->cwr_std, c->cwl_slope, c->cwl_offset, c->cwl_std};
    for (int k = 0; k < 9; k++) /* % and cm/s -> fractions and m/s */
      assert_float_equal(got[k], rows[r].c[k] / 100, 1e-15);
  }
}

static void test_table_ids(void **state) {
  (void)state;
  /* the ids straits had before the whole table keep their numbers and meanings */
  assert_int_equal(sar_object_find("piw"), SCN_OBJ_PIW);
  assert_int_equal(SCN_OBJ_PIW, 0);
  assert_int_equal(sar_object_find("life_raft"), SCN_OBJ_RAFT);
  assert_int_equal(SCN_OBJ_RAFT, 1);
  assert_int_equal(sar_object_find("life_raft_drogue"), SCN_OBJ_RAFT_DROGUE);
  assert_int_equal(SCN_OBJ_RAFT_DROGUE, 2);
  assert_int_equal(sar_object_find("small_boat"), SCN_OBJ_SMALL_BOAT);
  assert_int_equal(SCN_OBJ_SMALL_BOAT, 3);
  assert_int_equal(sar_object_find("PIW-1"), -1); /* ids, not codes */
  assert_int_equal(sar_object_find("no_such"), -1);
  assert_null(sar_leeway_of(SCN_OBJ__COUNT));
  for (int a = 0; a < SCN_OBJ__COUNT; a++) /* ids and codes unique; groups known */
    for (int b = a + 1; b < SCN_OBJ__COUNT; b++) {
      assert_string_not_equal(sar_leeway_of(a)->id, sar_leeway_of(b)->id);
      assert_string_not_equal(sar_leeway_of(a)->name, sar_leeway_of(b)->name);
    }
  assert_true(sar_object_in_water(SCN_OBJ_PIW));
  assert_true(sar_object_in_water(sar_object_find("piw_4")));
  assert_false(sar_object_in_water(SCN_OBJ_RAFT));
  assert_false(sar_object_in_water(sar_object_find("fishing_vessel_3")));
}

/* ---- sweep widths from the table --------------------------------------------------- */

static size_t sensor(const char *name) {
  int k = sar_sweep_sensor_find(name);
  assert_true(k >= 0);
  return (size_t)k;
}

static void test_sweep_table(void **state) {
  (void)state;
  assert_int_equal(sar_sweep_sensor_count(), 4);
  assert_string_equal(sar_sweep_sensor_name(0), "helicopter");
  assert_int_equal(sar_sweep_sensor_find("fixed_wing"), 1);
  assert_int_equal(sar_sweep_sensor_find("satellite"), -1);
  double lo, hi;
  sar_sweep_altitudes(sensor("helicopter"), &lo, &hi);
  assert_true(lo == 150 && hi == 600);
  sar_sweep_altitudes(sensor("vessel"), &lo, &hi);
  assert_true(lo == 0 && hi == 0);
  /* exact at the table's nodes (data/sweep_width.csv rows, km -> m) */
  assert_float_equal(sar_sweep_table(sensor("helicopter"), 300, "raft", 9300), 2000, 1e-9);
  assert_float_equal(sar_sweep_table(sensor("helicopter"), 150, "vessel", 37000), 9400, 1e-9);
  assert_float_equal(sar_sweep_table(sensor("vessel"), 0, "piw", 5600), 300, 1e-9);
  assert_float_equal(sar_sweep_table(sensor("flir"), 150, "piw", 1900), 300, 1e-9);
  assert_float_equal(sar_sweep_table(sensor("fixed_wing"), 600, "boat", 18500), 4000, 1e-9);
  /* linear between altitudes: 225 m is halfway from 150 m (2.5 km) to 300 m (2.6 km) */
  assert_float_equal(sar_sweep_table(sensor("helicopter"), 225, "raft", 18500), 2550, 1e-9);
  /* 450 m: halfway from 300 m (4.8 km) to 600 m (5.0 km) */
  assert_float_equal(sar_sweep_table(sensor("helicopter"), 450, "vessel", 9300), 4900, 1e-9);
  /* between visibilities: 7.45 km halfway from 5.6 (1.5 km) to 9.3 (2.0 km) */
  assert_float_equal(sar_sweep_table(sensor("helicopter"), 150, "raft", 7450), 1750, 1e-9);
  /* both at once: the bilinear mean of the four nodes */
  assert_float_equal(sar_sweep_table(sensor("helicopter"), 225, "raft", 7450),
                     0.25 * (1500 + 2000 + 1500 + 2000), 1e-9);
  /* the end values held outside the table */
  assert_float_equal(sar_sweep_table(sensor("helicopter"), 150, "raft", 80000), 2800, 1e-9);
  assert_float_equal(sar_sweep_table(sensor("helicopter"), 150, "raft", 500), 600, 1e-9);
  assert_true(isnan(sar_sweep_table(sensor("helicopter"), 150, "spaceship", 9300)));
  /* the weather correction (JP 3-50 App. D Table D-1) */
  assert_float_equal(sar_sweep_weather_factor(SCN_OBJ_PIW, SAR_WEATHER_CALM), 1, 0);
  assert_float_equal(sar_sweep_weather_factor(SCN_OBJ_PIW, SAR_WEATHER_MODERATE), 0.5, 0);
  assert_float_equal(sar_sweep_weather_factor(SCN_OBJ_PIW, SAR_WEATHER_ROUGH), 0.25, 0);
  assert_float_equal(sar_sweep_weather_factor(SCN_OBJ_SMALL_BOAT, SAR_WEATHER_ROUGH), 0.25, 0);
  assert_float_equal(sar_sweep_weather_factor(SCN_OBJ_RAFT, SAR_WEATHER_MODERATE), 0.9, 0);
  assert_float_equal(sar_sweep_weather_factor(SCN_OBJ_RAFT, SAR_WEATHER_ROUGH), 0.9, 0);
  assert_float_equal(sar_sweep_width(sensor("helicopter"), 300, SCN_OBJ_RAFT, 9300,
                                     SAR_WEATHER_MODERATE), 1800, 1e-9);
}

/* A unit with `sensor:` gets the table's widths; `sweep_width:` wins where it names a
 * class. */
static void test_sweep_from_case(void **state) {
  (void)state;
  char dir[] = "/tmp/straits_sar_sw_XXXXXX", path[64];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/case.yaml", dir);
  FILE *f = fopen(path, "w");
  fputs("case: {reported: 2027-03-10T06:30Z, object: piw, at: [26.9, 126.6]}\n"
        "search: {visibility: 9.3km, weather: moderate, land: false}\n"
        "units:\n"
        "  - {id: helo, base: [26.2, 127.6], speed: 120kn, endurance: 4h,\n"
        "     sensor: helicopter, altitude: 300m, sweep_width: {piw: 0.4nmi}}\n"
        "  - {id: ship, base: [26.2, 127.6], speed: 15kn, endurance: 2d, sensor: vessel}\n",
        f);
  fclose(f);
  diag *d = diag_new();
  scn_scenario *sc = NULL;
  int err = scn_sar_case_load(&sc, path, NULL, d);
  if (err)
    diag_print(d, stderr, 0);
  assert_int_equal(err, 0);
  const scn_sar *s = scn_sar_of(sc);
  assert_float_equal(s->visibility, 9300, 1e-9);
  assert_int_equal(s->weather, SAR_WEATHER_MODERATE);
  const scn_sar_asset *helo = &s->asset[0], *ship = &s->asset[1];
  assert_float_equal(helo->sweep[SCN_OBJ_PIW], 0.4 * 1852, 1e-9);       /* the override */
  assert_float_equal(helo->sweep[SCN_OBJ_RAFT], 2000 * 0.9, 1e-9);      /* raft, 300 m */
  assert_float_equal(helo->sweep[SCN_OBJ_SMALL_BOAT], 3000 * 0.5, 1e-9); /* boat, 300 m */
  assert_float_equal(ship->sweep[SCN_OBJ_PIW], 400 * 0.5, 1e-9);        /* vessel, piw */
  assert_float_equal(ship->sweep[sar_object_find("fishing_vessel_3")], 5900 * 0.9, 1e-9);
  scn_free(sc);
  diag_free(d);
  unlink(path);
  rmdir(dir);
}

/* ---- NetCDF outputs -------------------------------------------------------------- */

static const char case_text[] =
    "case:\n"
    "  name: NetCDF round trip\n"
    "  reported: 2027-03-10T06:30Z\n"
    "  seed: 42\n"
    "  object: aviation_1\n"
    "  at: [26.9, 126.6]\n"
    "search:\n"
    "  particles: 600\n"
    "  time_step: 30min\n"
    "  time_window: 1h\n"
    "  cell: 2km\n"
    "  land: false\n"
    "  current: {east: 0.4kn, north: 0.2kn}\n"
    "  wind: {rotating: {speed: 12kn, period: 1d}}\n"
    "units:\n"
    "  - {id: helo, base: [26.2, 127.6], speed: 120kn, endurance: 4h,\n"
    "     sweep_width: {aviation_1: 2nmi}}\n";

typedef struct world {
  char dir[64];
  scn_scenario *sc;
  metric_set ms;
  sar_model *m;
  arena a;
} world;

static int setup(void **state) {
  world *w = calloc(1, sizeof *w);
  snprintf(w->dir, sizeof w->dir, "/tmp/straits_sar_nc_XXXXXX");
  if (!mkdtemp(w->dir))
    return -1;
  char path[128];
  snprintf(path, sizeof path, "%s/case.yaml", w->dir);
  FILE *f = fopen(path, "w");
  fputs(case_text, f);
  fclose(f);
  diag *d = diag_new();
  int err = scn_sar_case_load(&w->sc, path, NULL, d);
  metric_set_init(&w->ms);
  if (!err)
    err = sar_model_build(&w->m, w->sc, &w->ms, d);
  if (err)
    diag_print(d, stderr, 0);
  diag_free(d);
  arena_init(&w->a, (size_t)1 << 28);
  *state = w;
  return err;
}

static int teardown(void **state) {
  world *w = *state;
  char cmd[160];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", w->dir);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", w->dir);
  arena_release(&w->a);
  sar_model_free(w->m);
  metric_set_release(&w->ms);
  scn_free(w->sc);
  free(w);
  return 0;
}

static const double out_times[] = {0, 6 * 3600.0, 12 * 3600.0, 24 * 3600.0};
#define NT (sizeof out_times / sizeof out_times[0])

/* The snapshots are the particles in memory: one drift straight to each time gives
 * the same numbers as the snapshots' chunked drift; and the plan's particles after
 * its drift are those of the snapshots' seeding at some whole number of steps. */
static void test_snapshots_are_the_drift(void **state) {
  world *w = *state;
  sar_snapshots s;
  assert_int_equal(sar_snapshots_take(&s, w->m, 42, out_times, NT, &w->a), 0);
  assert_int_equal(s.n, 600);
  assert_int_equal(s.nt, NT);
  assert_int_equal(s.object, sar_object_find("aviation_1"));
  for (size_t k = 0; k < NT; k++) {
    sar_particles p;
    sar_drift_opts o;
    assert_int_equal(sar_case_particles(&p, &o, w->m, 42, &w->a), 0);
    int steps = (int)(out_times[k] / o.dt);
    if (steps)
      sar_drift(&p, 0, steps, &o);
    for (size_t i = 0; i < p.n; i++) {
      assert_true(p.lat[i] == s.lat[k * s.n + i] && p.lon[i] == s.lon[k * s.n + i]);
      assert_int_equal(p.state[i], s.status[k * s.n + i]);
    }
  }
  /* at 0 all wait (released within the first hour), at 6h all drift */
  for (size_t i = 0; i < s.n; i++) {
    assert_int_equal(s.status[i], SAR_WAITING);
    assert_int_equal(s.status[s.n + i], SAR_DRIFTING);
  }
  sar_plan pl; /* the plan drifts the same particles: its last positions are a snapshot's */
  assert_int_equal(sar_plan_case(&pl, w->m, 1, 42, &w->a), 0);
  assert_true(pl.nsortie > 0);
  sar_particles q;
  sar_drift_opts o;
  assert_int_equal(sar_case_particles(&q, &o, w->m, 42, &w->a), 0);
  int match = 0;
  for (int step = 0; step <= 72 * 2 && !match; step++) {
    match = 1;
    for (size_t i = 0; i < q.n && match; i++)
      match = q.lat[i] == pl.p.lat[i] && q.lon[i] == pl.p.lon[i];
    if (!match)
      sar_drift(&q, step * o.dt, 1, &o);
  }
  assert_true(match);
  /* times off the step grid or not increasing are refused */
  const double bad[] = {3600, 3600 + 60};
  assert_int_equal(sar_snapshots_take(&s, w->m, 42, bad, 2, &w->a), ERR_RANGE);
  const double back[] = {7200, 3600};
  assert_int_equal(sar_snapshots_take(&s, w->m, 42, back, 2, &w->a), ERR_RANGE);
}

static void text_att(int nc, int var, const char *name, char *buf, size_t n) {
  size_t len = 0;
  assert_int_equal(nc_inq_attlen(nc, var, name, &len), NC_NOERR);
  assert_true(len < n);
  assert_int_equal(nc_get_att_text(nc, var, name, buf), NC_NOERR);
  buf[len] = 0;
}

static void test_trajectories_round_trip(void **state) {
  world *w = *state;
  sar_snapshots s;
  assert_int_equal(sar_snapshots_take(&s, w->m, 42, out_times, NT, &w->a), 0);
  char path[128], msg[512], buf[256];
  snprintf(path, sizeof path, "%s/trajectories.nc", w->dir);
  sar_nc_meta meta = {w->sc->epoch_unix, "t", "straits test", "test_sar_data"};
  assert_int_equal(sar_nc_write_trajectories(path, &s, &meta, msg, sizeof msg), 0);
  int nc, v, dim;
  size_t len;
  assert_int_equal(nc_open(path, NC_NOWRITE, &nc), NC_NOERR);
  text_att(nc, NC_GLOBAL, "Conventions", buf, sizeof buf);
  assert_string_equal(buf, "CF-1.8");
  text_att(nc, NC_GLOBAL, "featureType", buf, sizeof buf);
  assert_string_equal(buf, "trajectory");
  text_att(nc, NC_GLOBAL, "object_type", buf, sizeof buf);
  assert_string_equal(buf, "AVIATION-1");
  assert_int_equal(nc_inq_dimid(nc, "trajectory", &dim), NC_NOERR);
  assert_int_equal(nc_inq_dimlen(nc, dim, &len), NC_NOERR);
  assert_int_equal(len, s.n);
  assert_int_equal(nc_inq_dimid(nc, "time", &dim), NC_NOERR);
  assert_int_equal(nc_inq_dimlen(nc, dim, &len), NC_NOERR);
  assert_int_equal(len, NT);
  double t[NT];
  assert_int_equal(nc_inq_varid(nc, "time", &v), NC_NOERR);
  assert_int_equal(nc_get_var_double(nc, v, t), NC_NOERR);
  text_att(nc, v, "units", buf, sizeof buf);
  assert_string_equal(buf, "seconds since 2027-03-10 06:30:00");
  for (size_t k = 0; k < NT; k++)
    assert_true(t[k] == out_times[k]);
  size_t all = s.n * NT;
  double *lat = malloc(all * sizeof *lat), *lon = malloc(all * sizeof *lon);
  double *wt = malloc(all * sizeof *wt);
  signed char *st = malloc(all);
  assert_int_equal(nc_inq_varid(nc, "lat", &v), NC_NOERR);
  text_att(nc, v, "standard_name", buf, sizeof buf);
  assert_string_equal(buf, "latitude");
  assert_int_equal(nc_get_var_double(nc, v, lat), NC_NOERR);
  assert_int_equal(nc_inq_varid(nc, "lon", &v), NC_NOERR);
  text_att(nc, v, "units", buf, sizeof buf);
  assert_string_equal(buf, "degrees_east");
  assert_int_equal(nc_get_var_double(nc, v, lon), NC_NOERR);
  assert_int_equal(nc_inq_varid(nc, "weight", &v), NC_NOERR);
  assert_int_equal(nc_get_var_double(nc, v, wt), NC_NOERR);
  assert_int_equal(nc_inq_varid(nc, "status", &v), NC_NOERR);
  assert_int_equal(nc_get_var_schar(nc, v, st), NC_NOERR);
  assert_int_equal(nc_close(nc), NC_NOERR);
  for (size_t i = 0; i < s.n; i++) /* the file is (trajectory, time); memory time-major */
    for (size_t k = 0; k < NT; k++) {
      assert_true(lat[i * NT + k] == s.lat[k * s.n + i]);
      assert_true(lon[i * NT + k] == s.lon[k * s.n + i]);
      assert_true(wt[i * NT + k] == s.w[k * s.n + i]);
      assert_int_equal(st[i * NT + k], s.status[k * s.n + i]);
    }
  free(lat), free(lon), free(wt), free(st);
}

static void test_grid_round_trip(void **state) {
  world *w = *state;
  sar_snapshots s;
  assert_int_equal(sar_snapshots_take(&s, w->m, 42, out_times, NT, &w->a), 0);
  size_t cap = (size_t)1 << 18;
  double *gp = malloc(cap * sizeof *gp), *ga = malloc(cap * sizeof *ga);
  sar_grid g;
  sar_snapshots_grid(&g, &s, 2000, cap, gp, ga);
  char path[128], msg[512], buf[256];
  snprintf(path, sizeof path, "%s/probability.nc", w->dir);
  sar_nc_meta meta = {w->sc->epoch_unix, "t", "straits test", "test_sar_data"};
  assert_int_equal(sar_nc_write_grid(path, &s, &g, &meta, &w->a, msg, sizeof msg), 0);
  int nc, v;
  assert_int_equal(nc_open(path, NC_NOWRITE, &nc), NC_NOERR);
  text_att(nc, NC_GLOBAL, "Conventions", buf, sizeof buf);
  assert_string_equal(buf, "CF-1.8");
  double *la = malloc(g.ny * sizeof *la), *lo = malloc(g.nx * sizeof *lo);
  assert_int_equal(nc_inq_varid(nc, "lat", &v), NC_NOERR);
  text_att(nc, v, "units", buf, sizeof buf);
  assert_string_equal(buf, "degrees_north");
  assert_int_equal(nc_get_var_double(nc, v, la), NC_NOERR);
  assert_int_equal(nc_inq_varid(nc, "lon", &v), NC_NOERR);
  assert_int_equal(nc_get_var_double(nc, v, lo), NC_NOERR);
  size_t cells = g.nx * g.ny;
  double *p = malloc(NT * cells * sizeof *p);
  assert_int_equal(nc_inq_varid(nc, "probability", &v), NC_NOERR);
  assert_int_equal(nc_get_var_double(nc, v, p), NC_NOERR);
  assert_int_equal(nc_close(nc), NC_NOERR);
  for (size_t j = 0; j < g.ny; j++) /* cell centres */
    assert_float_equal(la[j], g.lat0 + (j + 0.5) * g.dlat, 1e-12);
  for (size_t k = 0; k < NT; k++) {
    /* every particle in a cell of the common grid: each map sums to 1, and a cell holds
     * the weight of the particles whose centre-distance puts them in it */
    double sum = 0;
    for (size_t c = 0; c < cells; c++)
      sum += p[k * cells + c];
    assert_float_equal(sum, 1.0, 1e-9);
    double *direct = calloc(cells, sizeof *direct);
    for (size_t i = 0; i < s.n; i++) {
      double y = s.lat[k * s.n + i], x = s.lon[k * s.n + i];
      size_t jj = 0, ii = 0;
      while (jj + 1 < g.ny && y >= la[jj] + 0.5 * g.dlat) jj++;
      while (ii + 1 < g.nx && x >= lo[ii] + 0.5 * g.dlon) ii++;
      direct[jj * g.nx + ii] += s.w[k * s.n + i];
    }
    for (size_t c = 0; c < cells; c++)
      assert_float_equal(p[k * cells + c], direct[c], 1e-12);
    free(direct);
  }
  free(la), free(lo), free(p), free(gp), free(ga);
}

int main(void) {
  const struct CMUnitTest table[] = {
      cmocka_unit_test(test_table_rows),
      cmocka_unit_test(test_table_ids),
      cmocka_unit_test(test_sweep_table),
      cmocka_unit_test(test_sweep_from_case),
  };
  const struct CMUnitTest nc[] = {
      cmocka_unit_test(test_snapshots_are_the_drift),
      cmocka_unit_test(test_trajectories_round_trip),
      cmocka_unit_test(test_grid_round_trip),
  };
  int bad = cmocka_run_group_tests(table, NULL, NULL);
  return bad + cmocka_run_group_tests(nc, setup, teardown);
}
