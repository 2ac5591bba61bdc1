/* test_gshhg.c - a GSHHG file cut short is refused, naming the file and the offset
 * (issue 21), not read as a shorter coastline: copies of the installed file cut at
 * 90%, half way, inside the HDF5 superblock and inside its signature.  The whole file
 * reads.  Skipped where no GSHHG file is installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "err.h"
#include "gshhg.h"

static const geo_box world = {-90, 90, -180, 180};

/* Copy the first n bytes of src into dst (n = SIZE_MAX: all); the file's length. */
static long copy_prefix(const char *src, const char *dst, size_t n) {
  FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
  assert_non_null(in);
  assert_non_null(out);
  char buf[65536];
  size_t got, total = 0;
  while (total < n && (got = fread(buf, 1, sizeof buf, in)) > 0) {
    if (got > n - total)
      got = n - total;
    assert_int_equal(fwrite(buf, 1, got, out), got);
    total += got;
  }
  fclose(in);
  assert_int_equal(fclose(out), 0);
  return (long)total;
}

/* Whether the diagnostics hold one error whose message contains both needles. */
static int said(const diag *d, const char *a, const char *b) {
  for (size_t i = 0; i < diag_size(d); i++) {
    const diag_entry *e = diag_at(d, i);
    if (e->severity == DIAG_ERROR && strstr(e->message, a) && (!b || strstr(e->message, b)))
      return 1;
  }
  return 0;
}

static void test_truncated(void **state) {
  (void)state;
  char path[1024], cut[1100], at[64];
  if (geo_gshhg_find(path, sizeof path, NULL, 'c'))
    skip();
  snprintf(cut, sizeof cut, "%s", "gshhg_cut_GSHHS_c.nc");
  long whole = copy_prefix(path, cut, SIZE_MAX);
  geo_coast c;
  diag *d = diag_new();
  assert_int_equal(geo_gshhg_read(&c, cut, &world, 0, d), 0);
  assert_true(c.npoint > 1000);
  geo_coast_release(&c);
  /* 90%, half, inside the superblock (it ends past byte 56), inside the signature. */
  const size_t lens[] = {(size_t)whole * 9 / 10, (size_t)whole / 2, 40, 5, 0};
  for (size_t i = 0; i < sizeof lens / sizeof *lens; i++) {
    diag_free(d);
    d = diag_new();
    copy_prefix(path, cut, lens[i]);
    int err = geo_gshhg_read(&c, cut, &world, 0, d);
    if (err == 0)
      fail_msg("a copy cut at byte %zu of %ld was read (%zu points)", lens[i], whole,
               c.npoint);
    if (err != ERR_INPUT)
      fail_msg("cut at %zu: error %d, not ERR_INPUT: %s", lens[i], err,
               diag_size(d) ? diag_at(d, 0)->message : "(none)");
    assert_int_equal(c.npoint, 0);
    snprintf(at, sizeof at, "byte %zu", lens[i]);
    if (!said(d, "cut short", at))
      fail_msg("cut at %zu: no error saying 'cut short' and '%s': %s", lens[i], at,
               diag_size(d) ? diag_at(d, 0)->message : "(none)");
    /* The file is named (diag's own file field). */
    assert_string_equal(diag_at(d, 0)->file, cut);
  }
  diag_free(d);
  remove(cut);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_truncated)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
