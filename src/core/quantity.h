/* quantity.h - quantities with units, the one parser for every field of a scenario.
 *
 * "72h", "45min", "3d", "20kn", "150nmi", "12km", "500t", "30m3", "3.5/h", "500t/d".
 * The value comes back in SI units.  A bare number where a unit is needed is an
 * error; so is an unknown unit, a unit of the wrong kind, or a non-finite value. */
#ifndef STRAITS_QUANTITY_H
#define STRAITS_QUANTITY_H

#include <stddef.h>

#define QTY_MAP(X)                                   \
  X(DURATION, "duration", "s")                       \
  X(LENGTH, "length", "m")                           \
  X(SPEED, "speed", "m/s")                           \
  X(MASS, "mass", "kg")                              \
  X(VOLUME, "volume", "m3")                          \
  X(FREQUENCY, "rate", "1/s")                        \
  X(MASS_RATE, "mass rate", "kg/s")                  \
  X(VOLUME_RATE, "volume rate", "m3/s")              \
  X(NUMBER, "number", "")

typedef enum qty_kind {
#define QTY__ENUM(name, str, si) QTY_##name,
  QTY_MAP(QTY__ENUM)
#undef QTY__ENUM
  QTY__COUNT
} qty_kind;

/* Parse text as a quantity of the given kind into *out (SI).  Returns 0, or
 * ERR_INPUT with a message for the user in why[why_len] (lower case, the value
 * quoted), e.g. "missing unit in '12' (a duration needs one: s, min, h, d, w)".
 * QTY_NUMBER accepts a plain finite number only. */
int qty_parse(double *out, const char *text, qty_kind kind, char *why, size_t why_len);

/* Parse a quantity of whatever kind its unit says (QTY_NUMBER for a bare number),
 * for fields that take one of several kinds ("capacity: 500t" or "30m3"). */
int qty_parse_any(double *out, qty_kind *kind, const char *text, char *why, size_t why_len);

/* Format an SI value back in a readable unit of its kind ("2.5d", "20kn"). */
void qty_format(char *buf, size_t len, double si_value, qty_kind kind);

const char *qty_kind_name(qty_kind kind);

#endif
