/* fuzz_quantity.c - libFuzzer target for the quantity parser (core/quantity).
 *
 * Every input is parsed as each kind and as "any" kind; whatever parses must be a
 * finite SI value, and formatting it back must parse again to the same kind. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "quantity.h"

#define FUZZ_QTY_MAX 256 /* longer text is no more interesting to this parser */

static void check_roundtrip(double v, qty_kind kind) {
  char text[64], why[256];
  double back;
  qty_kind kind_back;
  qty_format(text, sizeof text, v, kind);
  /* qty_format rounds for people; the kind must survive, the value need not. */
  if (qty_parse_any(&back, &kind_back, text, why, sizeof why) == 0 &&
      (!isfinite(back) || kind_back != kind))
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char text[FUZZ_QTY_MAX + 1], why[256];
  if (size > FUZZ_QTY_MAX)
    size = FUZZ_QTY_MAX;
  memcpy(text, data, size);
  text[size] = '\0'; /* the parser takes C strings: an embedded NUL ends the text */

  for (int k = 0; k < QTY__COUNT; k++) {
    double v;
    why[0] = '\0';
    if (qty_parse(&v, text, (qty_kind)k, why, sizeof why) == 0) {
      if (!isfinite(v))
        abort(); /* the header promises finite values */
      check_roundtrip(v, (qty_kind)k);
    } else if (why[0] == '\0') {
      abort(); /* every refusal explains itself */
    }
  }
  double v;
  qty_kind kind;
  if (qty_parse_any(&v, &kind, text, why, sizeof why) == 0 &&
      (!isfinite(v) || (int)kind < 0 || kind >= QTY__COUNT))
    abort();
  return 0;
}
