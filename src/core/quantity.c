/* quantity.c - parse "72h", "20kn", "500t/d" into SI values, and format them back.
 *
 * A quantity is a number followed by a unit.  A unit is a simple unit (s, km, kn, t,
 * m3, ...) or a quotient "A/T" of an optional length, mass or volume A and a time
 * unit T: "/h" is a rate, "km/h" a speed, "t/d" a mass rate, "m3/h" a volume rate. */
#include "quantity.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

typedef struct unit {
  const char *name;
  qty_kind kind;
  double si; /* SI value of one unit */
} unit;

#define KNOT (1852.0 / 3600.0)

/* Case matters: "m" is a metre, "M" nothing; "L" is a litre (as SI allows). */
static const unit simple_units[] = {
    {"s", QTY_DURATION, 1.0},        {"min", QTY_DURATION, 60.0},
    {"h", QTY_DURATION, 3600.0},     {"d", QTY_DURATION, 86400.0},
    {"w", QTY_DURATION, 604800.0},   {"m", QTY_LENGTH, 1.0},
    {"km", QTY_LENGTH, 1000.0},      {"nmi", QTY_LENGTH, 1852.0},
    {"NM", QTY_LENGTH, 1852.0},      {"kn", QTY_SPEED, KNOT},
    {"kt", QTY_SPEED, KNOT},         {"kg", QTY_MASS, 1.0},
    {"t", QTY_MASS, 1000.0},         {"m3", QTY_VOLUME, 1.0},
    {"L", QTY_VOLUME, 0.001},
};

/* What people write instead, for a "did you mean" hint. */
static const struct {
  const char *written, *meant;
} unit_synonyms[] = {
    {"sec", "s"},  {"secs", "s"},   {"second", "s"}, {"seconds", "s"}, {"mins", "min"},
    {"minute", "min"}, {"minutes", "min"}, {"m", "min"}, {"hr", "h"}, {"hrs", "h"},
    {"hour", "h"}, {"hours", "h"},  {"day", "d"},    {"days", "d"},    {"wk", "w"},
    {"week", "w"}, {"weeks", "w"},  {"nm", "nmi"},   {"mi", "nmi"},    {"knot", "kn"},
    {"knots", "kn"}, {"kts", "kn"}, {"kph", "km/h"}, {"kmh", "km/h"},  {"mps", "m/s"},
    {"ton", "t"},  {"tons", "t"},   {"tonne", "t"},  {"tonnes", "t"},  {"l", "L"},
    {"M3", "m3"},  {"m^3", "m3"},   {"K", "km"},
};

static const struct kind_info {
  const char *name, *si, *units, *example;
} kind_info[QTY__COUNT] = {
#define QTY__INFO(n, str, si) [QTY_##n] = {str, si, NULL, NULL},
    QTY_MAP(QTY__INFO)
#undef QTY__INFO
};

/* Units suggested per kind, and an example of a well-formed value. */
static const char *const kind_units[QTY__COUNT] = {
    [QTY_DURATION] = "s, min, h, d, w",
    [QTY_LENGTH] = "m, km, nmi",
    [QTY_SPEED] = "kn, m/s, km/h",
    [QTY_MASS] = "kg, t",
    [QTY_VOLUME] = "m3, L",
    [QTY_FREQUENCY] = "/s, /min, /h, /d, /w",
    [QTY_MASS_RATE] = "kg/h, t/d",
    [QTY_VOLUME_RATE] = "m3/h, L/h",
    [QTY_NUMBER] = "",
};
static const char *const kind_example[QTY__COUNT] = {
    [QTY_DURATION] = "72h", [QTY_LENGTH] = "150nmi", [QTY_SPEED] = "20kn",
    [QTY_MASS] = "500t",    [QTY_VOLUME] = "30m3",   [QTY_FREQUENCY] = "3.5/h",
    [QTY_MASS_RATE] = "500t/d", [QTY_VOLUME_RATE] = "30m3/h", [QTY_NUMBER] = "0.8",
};

const char *qty_kind_name(qty_kind kind) {
  return (unsigned)kind < QTY__COUNT ? kind_info[kind].name : "quantity";
}

/* "a duration", "an hour": the article for a kind's name. */
static const char *article(const char *word) {
  return strchr("aeiou", word[0]) ? "an" : "a";
}

static int fail(char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *why, size_t why_len, const char *fmt, ...) {
  if (why && why_len) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
  }
  return ERR_INPUT;
}

static const unit *find_simple_unit(const char *name, size_t len) {
  for (size_t i = 0; i < sizeof simple_units / sizeof simple_units[0]; i++)
    if (strlen(simple_units[i].name) == len && memcmp(simple_units[i].name, name, len) == 0)
      return &simple_units[i];
  return NULL;
}

/* Resolve a unit text to its kind and SI factor; 0 if it is no unit we know. */
static int resolve_unit(const char *text, qty_kind *kind, double *si) {
  const char *slash = strchr(text, '/');
  if (!slash) {
    const unit *u = find_simple_unit(text, strlen(text));
    if (!u) return 0;
    *kind = u->kind;
    *si = u->si;
    return 1;
  }
  const unit *per = find_simple_unit(slash + 1, strlen(slash + 1));
  if (!per || per->kind != QTY_DURATION) return 0;
  if (slash == text) {
    *kind = QTY_FREQUENCY;
    *si = 1.0 / per->si;
    return 1;
  }
  const unit *top = find_simple_unit(text, (size_t)(slash - text));
  if (!top) return 0;
  static const qty_kind per_time[QTY__COUNT] = {
      [QTY_LENGTH] = QTY_SPEED, [QTY_MASS] = QTY_MASS_RATE, [QTY_VOLUME] = QTY_VOLUME_RATE};
  if (!per_time[top->kind]) return 0; /* QTY_DURATION (0) has no quotient */
  *kind = per_time[top->kind];
  *si = top->si / per->si;
  return 1;
}

static const char *synonym_of(const char *written) {
  for (size_t i = 0; i < sizeof unit_synonyms / sizeof unit_synonyms[0]; i++)
    if (strcmp(unit_synonyms[i].written, written) == 0) return unit_synonyms[i].meant;
  return NULL;
}

/* YAML spells infinity ".inf" and not-a-number ".nan"; C spells them "inf", "nan". */
static int names_non_finite(const char *p) {
  if (*p == '+' || *p == '-') p++;
  if (*p == '.') p++;
  return strncasecmp_ascii(p, "inf") || strncasecmp_ascii(p, "nan");
}
