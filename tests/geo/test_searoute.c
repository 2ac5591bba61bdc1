/* test_searoute.c - the sea router on GSHHG's coastline (docs/models.md "Sea routing"):
 * paths stay over water (sampled against the land mask) and are longer than the
 * geodesic, the passages the coastline leaves open are taken (Bungo, Tsushima) and
 * those it closes are not (Kanmon at this resolution), land-locked water is
 * unreachable, the grid lookup agrees with the paths, and the fields are the same
 * whatever the number of threads.  Skipped where no GSHHG file is installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

#include "diag.h"
#include "err.h"
#include "geodesy.h"
#include "gshhg.h"
#include "landmask.h"
#include "searoute.h"

#define NMI 1852.0

/* The default scenario's theater (its places, 3 degrees around). */
static const geo_box theater = {10.4443, 38.2925, 116.9, 147.6537};

typedef struct fixture {
  geo_sea *sea;
  geo_landmask land; /* built on its own, for the samples */
} fixture;

static int setup(void **state) {
  static fixture f;
  char path[1024];
  memset(&f, 0, sizeof f);
  *state = &f;
  if (geo_gshhg_find(path, sizeof path, NULL, 'i')) return 0; /* each test skips */
  geo_sea_options o = GEO_SEA_OPTIONS_INIT;
  diag *d = diag_new();
  int err = geo_sea_open(&f.sea, &theater, &o, d);
  if (!err)
    err = geo_landmask_build(&f.land, path, theater.lat_min, theater.lat_max, theater.lon_min,
                             theater.lon_max, o.mask_res, d);
  diag_free(d);
  return err;
}

static int teardown(void **state) {
  fixture *f = *state;
  geo_sea_close(f->sea);
  geo_landmask_release(&f->land);
  return 0;
}

static fixture *need_sea(void **state) {
  fixture *f = *state;
  if (!f->sea) skip();
  return f;
}

/* Land samples (every ~500 m along each leg, linear in lat/lon as the map draws it)
 * farther than `end` m from both ends of the path; prints the first.  The router lets
 * a path touch land near its ends: within two mask cells (2.2 km) of a port that sees
 * the sea, and up to its reach (15 km) from one the coastline at this resolution
 * closes in (Sasebo's bay: its narrow mouth is land on a 0.01 degree mask). */
static int land_samples(const fixture *f, const geo_path *p, double end) {
  int bad = 0;
  double along = 0;
  for (size_t i = 0; i + 1 < p->n; i++) {
    double len = geo_distance(p->lat[i], p->lon[i], p->lat[i + 1], p->lon[i + 1]);
    int n = (int)ceil(len / 500) + 1;
    for (int k = 0; k <= n; k++) {
      double t = (double)k / n, s = along + t * len;
      double la = p->lat[i] + t * (p->lat[i + 1] - p->lat[i]);
      double lo = p->lon[i] + t * (p->lon[i + 1] - p->lon[i]);
      double from_a = geo_distance(la, lo, p->lat[0], p->lon[0]);
      double from_b = geo_distance(la, lo, p->lat[p->n - 1], p->lon[p->n - 1]);
      if (from_a < end || from_b < end || !geo_landmask_is_land(&f->land, la, lo)) continue;
      if (!bad) fprintf(stderr, "land at %.4f %.4f, %.1f km along\n", la, lo, s / 1000);
      bad++;
    }
    along += len;
  }
  return bad;
}

/* The geodesic length of the polyline agrees with what the path says it is. */
static double polyline_length(const geo_path *p) {
  double s = 0;
  for (size_t i = 0; i + 1 < p->n; i++)
    s += geo_geodesic_inverse(p->lat[i], p->lon[i], p->lat[i + 1], p->lon[i + 1], NULL, NULL);
  return s;
}

/* Whether the path passes within r m of lat/lon (its points and legs' samples). */
static int passes_near(const geo_path *p, double lat, double lon, double r) {
  for (size_t i = 0; i + 1 < p->n; i++)
    for (int k = 0; k <= 200; k++) {
      double t = k / 200.0;
      double la = p->lat[i] + t * (p->lat[i + 1] - p->lat[i]);
      double lo = p->lon[i] + t * (p->lon[i + 1] - p->lon[i]);
      if (geo_distance(la, lo, lat, lon) < r) return 1;
    }
  return 0;
}

/* Where the path first crosses a parallel going north: its longitude, or NAN. */
static double crosses_parallel(const geo_path *p, double lat) {
  for (size_t i = 0; i + 1 < p->n; i++)
    if (p->lat[i] < lat && p->lat[i + 1] >= lat)
      return p->lon[i] + (lat - p->lat[i]) / (p->lat[i + 1] - p->lat[i]) * (p->lon[i + 1] - p->lon[i]);
  return NAN;
}

static geo_path route(fixture *f, double a_lat, double a_lon, double b_lat, double b_lon) {
  int src = geo_sea_source(f->sea, a_lat, a_lon);
  assert_true(src >= 0);
  geo_path p;
  assert_int_equal(geo_sea_path(f->sea, src, b_lat, b_lon, &p), 0);
  assert_true(p.n >= 2);
  assert_true(p.lat[0] == a_lat && p.lon[0] == a_lon);
  assert_true(p.lat[p.n - 1] == b_lat && p.lon[p.n - 1] == b_lon);
  assert_true(fabs(polyline_length(&p) - p.length) < 1e-6 * p.length);
  return p;
}

/* Kure (in the Seto Inland Sea) to Naha: over water, longer than the geodesic over
 * Kyushu, out of the Inland Sea through the Bungo Channel's Hoyo Strait. */
static void kure_naha(void **state) {
  fixture *f = need_sea(state);
  geo_path p = route(f, 34.2400, 132.5550, 26.2124, 127.6792);
  double gc = geo_geodesic_inverse(34.2400, 132.5550, 26.2124, 127.6792, NULL, NULL);
  fprintf(stderr, "kure > naha: %.1f nmi over water, %.1f nmi geodesic, %zu points\n",
          p.length / NMI, gc / NMI, p.n);
  assert_int_equal(land_samples(f, &p, 5000), 0);
  assert_true(p.length > gc);
  assert_true(p.length < 1.1 * gc); /* not some detour round Shikoku or Kyushu's west */
  assert_true(passes_near(&p, 33.30, 131.95, 15000)); /* the Hoyo Strait */
  /* The straight line, which the old model sailed, is over land (Shikoku, Kyushu). */
  geo_path line = {2, (double[]){34.2400, 26.2124}, (double[]){132.5550, 127.6792}, gc};
  assert_true(land_samples(f, &line, 5000) > 0);
  geo_path_release(&p);
}

/* Sasebo to the Sea of Japan: north through the Tsushima Strait (34N between Tsushima
 * and Iki, or Tsushima and Korea). */
static void tsushima(void **state) {
  fixture *f = need_sea(state);
  geo_path p = route(f, 33.1594, 129.7225, 36.0, 131.0);
  assert_int_equal(land_samples(f, &p, 15000), 0);
  double lon = crosses_parallel(&p, 34.0);
  fprintf(stderr, "sasebo > 36N 131E: %.1f nmi, crosses 34N at %.2fE\n", p.length / NMI, lon);
  assert_true(lon > 128.3 && lon < 130.4);
  assert_true(p.length > geo_geodesic_inverse(33.1594, 129.7225, 36.0, 131.0, NULL, NULL));
  geo_path_release(&p);
}

/* Kure to the Sea of Japan off Shimane.  GSHHG's intermediate coastline on this mask
 * closes the Kanmon Strait (some 600 m wide at Hayatomo): the fairway is land here,
 * so the ship goes round Kyushu through the Bungo Channel and the Tsushima Strait. */
static void kanmon_as_the_coastline_allows(void **state) {
  fixture *f = need_sea(state);
  double la, lo;
  assert_int_equal(geo_sea_crosses(f->sea, 33.93, 130.87, 33.96, 130.96, 0, 0, &la, &lo), 1);
  geo_path p = route(f, 34.2400, 132.5550, 35.8, 132.5);
  assert_int_equal(land_samples(f, &p, 5000), 0);
  assert_false(passes_near(&p, 33.95, 130.95, 10000));   /* not through Kanmon */
  assert_true(passes_near(&p, 33.30, 131.95, 15000));    /* out by Bungo */
  double lon = crosses_parallel(&p, 34.0);
  assert_true(lon > 128.3 && lon < 130.4);                /* in by Tsushima */
  fprintf(stderr, "kure > 35.8N 132.5E: %.1f nmi round Kyushu\n", p.length / NMI);
  assert_true(p.length > 500 * NMI);
  geo_path_release(&p);
}

/* Lake Biwa is water, but no ship reaches it; a point inland neither. */
static void unreachable(void **state) {
  fixture *f = need_sea(state);
  int src = geo_sea_source(f->sea, 34.2400, 132.5550);
  geo_path p;
  assert_int_equal(geo_sea_path(f->sea, src, 35.25, 136.08, &p), ERR_NOTFOUND);
  assert_int_equal(p.n, 0);
  assert_int_equal(geo_sea_path(f->sea, src, 36.0, 138.0, &p), ERR_NOTFOUND); /* Nagano */
  assert_int_equal(geo_sea_cover(f->sea, src, INFINITY), 0);
  assert_true(isinf(geo_sea_distance(f->sea, src, 35.25, 136.08)));
  assert_true(isinf(geo_sea_distance(f->sea, src, 36.0, 138.0)));
}

/* Legs: across Kyushu is land (with the point), the open sea is not; the slack at
 * the ends leaves a port's own shore out. */
static void crossings(void **state) {
  fixture *f = need_sea(state);
  double la = 0, lo = 0;
  assert_int_equal(geo_sea_crosses(f->sea, 33.0, 129.5, 32.0, 132.0, 0, 0, &la, &lo), 1);
  assert_true(geo_sea_is_land(f->sea, la, lo));
  assert_true(la < 33.0 && la > 32.0 && lo > 129.5 && lo < 132.0);
  assert_int_equal(geo_sea_crosses(f->sea, 28.0, 130.0, 24.0, 135.0, 0, 0, &la, &lo), 0);
  assert_false(geo_sea_is_land(f->sea, 25.0, 135.0));
  assert_true(geo_sea_is_land(f->sea, 32.5, 131.0)); /* Kyushu */
}

/* The grid lookup (for ships at sea in the event loop) agrees with the pulled path:
 * a little longer (16 directions), never shorter than 0.1% below it. */
static void lookup_vs_path(void **state) {
  fixture *f = need_sea(state);
  const double pts[][2] = {{26.2124, 127.6792}, {13.4443, 144.6537}, {23.6, 124.6},
                           {24.3380, 124.1560}, {35.2925, 139.6650}};
  int src = geo_sea_source(f->sea, 33.1594, 129.7225);
  assert_int_equal(geo_sea_cover(f->sea, src, INFINITY), 0);
  for (size_t i = 0; i < sizeof pts / sizeof *pts; i++) {
    geo_path p;
    assert_int_equal(geo_sea_path(f->sea, src, pts[i][0], pts[i][1], &p), 0);
    double d = geo_sea_distance(f->sea, src, pts[i][0], pts[i][1]);
    if (!(d >= 0.999 * p.length && d <= 1.03 * p.length)) {
      fprintf(stderr, "to %.4f %.4f: lookup %.1f m, path %.1f m\n", pts[i][0], pts[i][1], d, p.length);
      fail();
    }
    geo_path_release(&p);
  }
}

/* A point part way along (geo_sea_along, where a diverted ship is when its port
 * closes): from Naha toward Kure, every point is at sea and its own sea distance to
 * Kure is what is left (the walk follows the field's tree, so to 0.5% of the whole);
 * 0 m is the point, the whole way or more is the source. */
static void along_the_field(void **state) {
  fixture *f = need_sea(state);
  int src = geo_sea_source(f->sea, 34.2400, 132.5550);
  assert_int_equal(geo_sea_cover(f->sea, src, INFINITY), 0);
  double total = geo_sea_distance(f->sea, src, 26.2124, 127.6792), lat, lon;
  assert_true(isfinite(total));
  assert_int_equal(geo_sea_along(f->sea, src, 26.2124, 127.6792, 0, &lat, &lon), 0);
  assert_true(lat == 26.2124 && lon == 127.6792);
  assert_int_equal(geo_sea_along(f->sea, src, 26.2124, 127.6792, 2 * total, &lat, &lon), 0);
  assert_true(lat == 34.2400 && lon == 132.5550);
  int near_bungo = 0;
  for (int k = 1; k < 40; k++) {
    double along = total * k / 40;
    assert_int_equal(geo_sea_along(f->sea, src, 26.2124, 127.6792, along, &lat, &lon), 0);
    if (geo_landmask_is_land(&f->land, lat, lon)) {
      fprintf(stderr, "%.1f km along: land at %.4f %.4f\n", along / 1000, lat, lon);
      fail();
    }
    double left = geo_sea_distance(f->sea, src, lat, lon);
    if (!(fabs(left - (total - along)) < 0.005 * total)) {
      fprintf(stderr, "%.1f km along: %.1f km left, want %.1f\n", along / 1000, left / 1000,
              (total - along) / 1000);
      fail();
    }
    near_bungo |= geo_distance(lat, lon, 33.30, 131.95) < 40000;
  }
  assert_true(near_bungo); /* by the Bungo Channel, not over Kyushu */
  /* A point no ship reaches has no way along. */
  assert_int_equal(geo_sea_along(f->sea, src, 36.0, 138.0, 1000, &lat, &lon), ERR_NOTFOUND);
}

/* Fields computed on 1 or 3 threads, and paths asked twice, are identical. */
static void deterministic(void **state) {
  fixture *f = need_sea(state);
  char path[1024];
  assert_int_equal(geo_gshhg_find(path, sizeof path, NULL, 'i'), 0);
  /* A second sea (another box) so the fields are computed afresh on each. */
  const geo_box box = {20.0, 37.0, 120.0, 142.0};
  geo_sea_options o = GEO_SEA_OPTIONS_INIT;
  const double ports[][2] = {{33.1594, 129.7225}, {34.2400, 132.5550}, {35.2925, 139.6650},
                             {26.2124, 127.6792}};
  double want[4][3];
  setenv("STRAITS_CACHE_DIR", "off", 1); /* fields searched each time, not read back */
  for (int threads = 1; threads <= 3; threads += 2) {
    geo_sea *s;
    assert_int_equal(geo_sea_open(&s, &box, &o, NULL), 0);
    int src[4];
    for (int i = 0; i < 4; i++) src[i] = geo_sea_source(s, ports[i][0], ports[i][1]);
    assert_int_equal(geo_sea_cover_all(s, src, 4, INFINITY, threads), 0);
    for (int i = 0; i < 4; i++)
      for (int k = 0; k < 3; k++) {
        double d = geo_sea_distance(s, src[i], 24.0 + k, 126.0 + k);
        if (threads == 1) want[i][k] = d;
        else assert_true(d == want[i][k]);
      }
    geo_path a, b;
    assert_int_equal(geo_sea_path(s, src[1], 26.2124, 127.6792, &a), 0);
    assert_int_equal(geo_sea_path(s, src[1], 26.2124, 127.6792, &b), 0);
    assert_int_equal(a.n, b.n);
    assert_true(a.length == b.length);
    assert_memory_equal(a.lat, b.lat, a.n * sizeof *a.lat);
    geo_path_release(&a), geo_path_release(&b);
    geo_sea_close(s);
  }
  unsetenv("STRAITS_CACHE_DIR");
  (void)f;
}

/* ---- the cache on disk (sea_cache.c) ---- */

static char cache[256];

/* The one file in the cache ending in suffix, its path into buf: 0, or -1. */
static int cache_file(const char *suffix, char *buf, size_t n) {
  DIR *d = opendir(cache);
  struct dirent *e;
  int found = -1;
  while (d && (e = readdir(d)))
    if (strlen(e->d_name) > strlen(suffix) &&
        !strcmp(e->d_name + strlen(e->d_name) - strlen(suffix), suffix)) {
      snprintf(buf, n, "%s/%s", cache, e->d_name);
      found = 0;
    }
  if (d) closedir(d);
  return found;
}

static unsigned char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  *n = (size_t)ftell(f);
  rewind(f);
  unsigned char *b = malloc(*n);
  assert_non_null(b);
  assert_int_equal(fread(b, 1, *n, f), *n);
  fclose(f);
  return b;
}

static void spill(const char *path, const unsigned char *b, size_t n) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(b, 1, n, f), n);
  fclose(f);
}

typedef struct sea_answers {
  int nodes, arcs;
  double d[3];
  geo_path p;
} sea_answers;

/* Open the sea over box (another box opened and closed first, so the process's kept
 * sea is not this one), one source at Kure with its full field, and what it answers. */
static void ask_sea(const geo_box *box, sea_answers *a) {
  static const geo_box other = {30.0, 36.0, 128.0, 136.0};
  geo_sea_options o = GEO_SEA_OPTIONS_INIT;
  geo_sea *s;
  char dir[256];
  snprintf(dir, sizeof dir, "%s", getenv("STRAITS_CACHE_DIR"));
  setenv("STRAITS_CACHE_DIR", "off", 1); /* the other box leaves no files */
  assert_int_equal(geo_sea_open(&s, &other, &o, NULL), 0);
  geo_sea_close(s);
  setenv("STRAITS_CACHE_DIR", dir, 1);
  assert_int_equal(geo_sea_open(&s, box, &o, NULL), 0);
  geo_sea_size(s, &a->nodes, &a->arcs);
  int src = geo_sea_source(s, 34.2400, 132.5550);
  assert_int_equal(geo_sea_cover(s, src, INFINITY), 0);
  a->d[0] = geo_sea_distance(s, src, 26.2124, 127.6792);
  a->d[1] = geo_sea_distance(s, src, 33.1594, 129.7225);
  a->d[2] = geo_sea_distance(s, src, 35.2925, 139.6650);
  assert_int_equal(geo_sea_path(s, src, 26.2124, 127.6792, &a->p), 0);
  geo_sea_close(s);
}

static void same_answers(const sea_answers *a, const sea_answers *b) {
  assert_int_equal(a->nodes, b->nodes);
  assert_int_equal(a->arcs, b->arcs);
  for (int k = 0; k < 3; k++) assert_true(a->d[k] == b->d[k]);
  assert_int_equal(a->p.n, b->p.n);
  assert_memory_equal(a->p.lat, b->p.lat, a->p.n * sizeof *a->p.lat);
  assert_memory_equal(a->p.lon, b->p.lon, a->p.n * sizeof *a->p.lon);
}

/* A sea and its field read back from the cache answer bit for bit as built; the field
 * is the file's (one altered, its checksum made good, is what the lookups read); a
 * damaged or short file is ignored, rebuilt and written again as it was; with the
 * cache off nothing is written. */
static void disk_cache(void **state) {
  need_sea(state);
  snprintf(cache, sizeof cache, "/tmp/straits-seacache-XXXXXX");
  assert_non_null(mkdtemp(cache));
  setenv("STRAITS_CACHE_DIR", cache, 1);
  const geo_box box = {24.0, 36.5, 126.0, 141.0};
  sea_answers built, read, again;
  ask_sea(&box, &built);
  char sea_path[512], field_path[512];
  assert_int_equal(cache_file(".bin", sea_path, sizeof sea_path), 0);
  assert_int_equal(cache_file(".field", field_path, sizeof field_path), 0);
  ask_sea(&box, &read);
  same_answers(&built, &read);
  /* The field as read: every distance doubled, the checksum recomputed. */
  size_t n;
  unsigned char *f = slurp(field_path, &n), *keep = malloc(n);
  assert_non_null(keep);
  memcpy(keep, f, n);
  size_t hdr = 56, nn = (n - 8 - hdr) / (sizeof(double) + sizeof(int));
  for (size_t i = 0; i < nn; i++) {
    double v;
    memcpy(&v, f + hdr + i * sizeof v, sizeof v);
    v *= 2;
    memcpy(f + hdr + i * sizeof v, &v, sizeof v);
  }
  uint64_t sum = XXH3_64bits(f, n - 8);
  memcpy(f + n - 8, &sum, 8);
  spill(field_path, f, n);
  sea_answers twice;
  ask_sea(&box, &twice);
  assert_true(fabs(twice.d[0] - 2 * built.d[0]) < 0.01 * built.d[0]);
  geo_path_release(&twice.p);
  /* Damaged files (a flipped byte in each): rebuilt, the same answers, rewritten. */
  size_t ns;
  unsigned char *sb = slurp(sea_path, &ns);
  sb[ns / 2] ^= 0x40, f[n / 2] ^= 0x40;
  spill(sea_path, sb, ns);
  spill(field_path, f, n);
  ask_sea(&box, &again);
  same_answers(&built, &again);
  size_t n2, ns2;
  unsigned char *f2 = slurp(field_path, &n2), *sb2 = slurp(sea_path, &ns2);
  sb[ns / 2] ^= 0x40;
  assert_true(n2 == n && !memcmp(f2, keep, n));
  assert_true(ns2 == ns && !memcmp(sb2, sb, ns));
  /* A short file (cut to half, e.g. a full disk): ignored and rebuilt as well. */
  assert_int_equal(truncate(sea_path, (off_t)(ns / 2)), 0);
  geo_path_release(&again.p);
  ask_sea(&box, &again);
  same_answers(&built, &again);
  free(sb2);
  sb2 = slurp(sea_path, &ns2);
  assert_true(ns2 == ns && !memcmp(sb2, sb, ns));
  free(f), free(f2), free(sb), free(sb2), free(keep);
  /* Off: nothing written (a fresh directory stays empty). */
  assert_int_equal(unlink(sea_path), 0);
  geo_path_release(&again.p);
  setenv("STRAITS_CACHE_DIR", "off", 1);
  ask_sea(&box, &again);
  same_answers(&built, &again);
  assert_int_equal(cache_file(".bin", sea_path, sizeof sea_path), -1);
  unsetenv("STRAITS_CACHE_DIR");
  geo_path_release(&built.p), geo_path_release(&read.p), geo_path_release(&again.p);
  unlink(field_path);
  rmdir(cache);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(kure_naha),      cmocka_unit_test(tsushima),
      cmocka_unit_test(kanmon_as_the_coastline_allows), cmocka_unit_test(unreachable),
      cmocka_unit_test(crossings),      cmocka_unit_test(lookup_vs_path),
      cmocka_unit_test(along_the_field), cmocka_unit_test(deterministic),
      cmocka_unit_test(disk_cache)};
  return cmocka_run_group_tests(tests, setup, teardown);
}
