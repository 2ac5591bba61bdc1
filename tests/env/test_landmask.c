/* test_landmask.c - the GSHHG land mask (coastlines by Wessel and Smith, LGPL) at
 * known places: cities on land, open sea, a lake (Biwa is water inside land). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "err.h"
#include "gshhg.h"
#include "landmask.h"

typedef struct place {
  const char *name;
  double lat, lon;
  int land;
} place;

static const place places[] = {
    {"naha (shuri)", 26.2170, 127.7190, 1},
    {"taipei", 25.0330, 121.5650, 1},
    {"tokyo (imperial palace)", 35.6850, 139.7530, 1},
    {"nago, okinawa", 26.5920, 127.9770, 1},
    {"kagoshima", 31.5960, 130.5570, 1},
    {"fuzhou", 26.0750, 119.3000, 1},
    {"taichung", 24.1480, 120.6740, 1},
    {"taiwan strait", 24.5000, 119.5000, 0},
    {"east china sea", 29.0000, 125.0000, 0},
    {"east china sea, west of okinawa", 26.5000, 126.0000, 0},
    {"philippine sea", 22.0000, 130.0000, 0},
    {"sea of japan", 38.0000, 134.0000, 0},
    {"lake biwa (a lake: water)", 35.2500, 136.0800, 0},
};

static void known_places(void **state) {
  (void)state;
  char path[512];
  if (geo_gshhg_find(path, sizeof path, NULL, 'i') != 0) {
    print_message("no GSHHG files installed (gmt-gshhg-low): skipped\n");
    skip();
  }
  diag *d = diag_new();
  geo_landmask m;
  int err = geo_landmask_build(&m, path, 20.0, 40.0, 115.0, 142.0, 1.0 / 60, d);
  assert_int_equal(err, 0);
  int bad = 0;
  for (size_t i = 0; i < sizeof places / sizeof *places; i++) {
    const place *p = &places[i];
    if (geo_landmask_is_land(&m, p->lat, p->lon) != p->land) {
      print_error("%s (%.4f, %.4f): expected %s, level %d (file %s)\n", p->name, p->lat,
                  p->lon, p->land ? "land" : "water", geo_landmask_level(&m, p->lat, p->lon),
                  path);
      bad++;
    }
  }
  /* outside the raster counts as sea; negative longitudes wrap */
  assert_int_equal(geo_landmask_is_land(&m, 50.0, 130.0), 0);
  assert_int_equal(bad, 0);
  if (m.resolution == 'i')
    assert_int_equal(geo_landmask_level(&m, 35.25, 136.08), 2); /* Biwa is a lake */
  geo_landmask_release(&m);
  diag_free(d);
}

/* The same request twice gives the same raster, owned by each caller (the second is
 * the kept copy); another box is rasterised afresh. */
static void repeated_build(void **state) {
  (void)state;
  char path[512];
  if (geo_gshhg_find(path, sizeof path, NULL, 'l') != 0) {
    print_message("no GSHHG files installed (gmt-gshhg-low): skipped\n");
    skip();
  }
  diag *d = diag_new();
  geo_landmask a, b, c;
  assert_int_equal(geo_landmask_build(&a, path, 20.0, 30.0, 118.0, 128.0, 0.05, d), 0);
  assert_int_equal(geo_landmask_build(&b, path, 20.0, 30.0, 118.0, 128.0, 0.05, d), 0);
  assert_true(a.level != b.level);
  assert_true(a.ny == b.ny && a.nx == b.nx && a.resolution == b.resolution);
  assert_memory_equal(a.level, b.level, a.ny * a.nx);
  geo_landmask_release(&a); /* b is still whole */
  assert_int_equal(geo_landmask_is_land(&b, 25.03, 121.56), 1); /* Taipei */
  assert_int_equal(geo_landmask_build(&c, path, 20.0, 30.0, 118.0, 128.0, 0.1, d), 0);
  assert_true(c.nx * 2 == b.nx && c.ny * 2 == b.ny);
  assert_int_equal(geo_landmask_is_land(&c, 25.03, 121.56), 1);
  assert_int_equal(geo_landmask_is_land(&c, 24.5, 119.5), 0); /* Taiwan Strait */
  geo_landmask_release(&b);
  geo_landmask_release(&c);
  diag_free(d);
}

static void bad_box(void **state) {
  (void)state;
  diag *d = diag_new();
  geo_landmask m;
  assert_int_equal(geo_landmask_build(&m, "x.nc", 40, 20, 115, 142, 0.1, d), ERR_RANGE);
  assert_int_equal(geo_landmask_build(&m, "/nonexistent_binned_GSHHS_l.nc", 20, 40, 115,
                                      142, 0.1, d), ERR_IO);
  diag_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(known_places), cmocka_unit_test(repeated_build),
                                     cmocka_unit_test(bad_box)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
