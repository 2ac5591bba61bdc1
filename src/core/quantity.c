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

static const char *const kind_names[QTY__COUNT] = {
#define QTY__NAME(n, str, si) [QTY_##n] = str,
    QTY_MAP(QTY__NAME)
#undef QTY__NAME
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
  return (unsigned)kind < QTY__COUNT ? kind_names[kind] : "quantity";
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

/* ASCII, case-insensitive "does p start with word" (locale-free on purpose). */
static int starts_with_nocase(const char *p, const char *word) {
  for (; *word; p++, word++)
    if (tolower((unsigned char)*p) != *word) return 0;
  return 1;
}

/* YAML spells infinity ".inf" and not-a-number ".nan"; C spells them "inf", "nan". */
static int names_non_finite(const char *p) {
  if (*p == '+' || *p == '-') p++;
  if (*p == '.') p++;
  return starts_with_nocase(p, "inf") || starts_with_nocase(p, "nan");
}

/* Length of the decimal number at the start of p ("12", "-3.5", ".5", "1e3"), or 0. */
static size_t scan_number(const char *p) {
  size_t i = 0, digits = 0;
  if (p[i] == '+' || p[i] == '-') i++;
  while (isdigit((unsigned char)p[i])) i++, digits++;
  if (p[i] == '.') {
    i++;
    while (isdigit((unsigned char)p[i])) i++, digits++;
  }
  if (!digits) return 0;
  if (p[i] == 'e' || p[i] == 'E') {
    size_t j = i + 1;
    if (p[j] == '+' || p[j] == '-') j++;
    if (isdigit((unsigned char)p[j])) {
      while (isdigit((unsigned char)p[j])) j++;
      i = j;
    }
  }
  return i;
}

/* The value as the user wrote it, trimmed and cut short for messages. */
typedef struct shown {
  char text[72];
} shown;

static shown show(const char *p, size_t len) {
  shown s;
  if (len > 60)
    snprintf(s.text, sizeof s.text, "%.57s...", p);
  else
    snprintf(s.text, sizeof s.text, "%.*s", (int)len, p);
  return s;
}

/* A hint for a unit written the wrong way, if its meaning has the wanted kind. */
static const char *synonym_for_kind(const char *written, qty_kind want) {
  const char *meant = synonym_of(written);
  qty_kind k;
  double si;
  if (meant && resolve_unit(meant, &k, &si) && k == want) return meant;
  return NULL;
}

static int check_unit(double *factor, const char *unit_text, const char *value, qty_kind want,
                      char *why, size_t why_len) {
  const char *kname = qty_kind_name(want);
  qty_kind got;
  if (!resolve_unit(unit_text, &got, factor)) {
    if (want == QTY_NUMBER)
      return fail(why, why_len, "expected a plain number, got '%s'", value);
    const char *hint = synonym_for_kind(unit_text, want);
    if (hint)
      return fail(why, why_len, "unknown unit '%s' in '%s' (did you mean '%s'?)", unit_text,
                  value, hint);
    return fail(why, why_len, "unknown unit '%s' in '%s' (%s %s takes %s)", unit_text, value,
                article(kname), kname, kind_units[want]);
  }
  if (got == want) return 0;
  if (want == QTY_NUMBER)
    return fail(why, why_len, "'%s' is %s %s, expected a plain number", value,
                article(qty_kind_name(got)), qty_kind_name(got));
  const char *hint = synonym_for_kind(unit_text, want);
  if (hint)
    return fail(why, why_len, "'%s' is %s %s, expected %s %s (did you mean '%s'?)", value,
                article(qty_kind_name(got)), qty_kind_name(got), article(kname), kname, hint);
  return fail(why, why_len, "'%s' is %s %s, expected %s %s", value, article(qty_kind_name(got)),
              qty_kind_name(got), article(kname), kname);
}

/* A value split into its number and unit text; the unit may be empty. */
typedef struct split_value {
  double number;
  char unit[32];
  shown value; /* as written, for messages */
} split_value;

/* kname/example describe what was expected, for the messages about garbage. */
static int split(split_value *sv, const char *text, const char *kname, const char *example,
                 char *why, size_t why_len) {
  if (why && why_len) why[0] = '\0';
  if (!text) text = "";
  while (isspace((unsigned char)*text)) text++;
  size_t len = strlen(text);
  while (len && isspace((unsigned char)text[len - 1])) len--;
  sv->value = show(text, len);
  sv->unit[0] = '\0';
  if (!len) return fail(why, why_len, "empty value, expected %s %s", article(kname), kname);
  if (names_non_finite(text)) return fail(why, why_len, "'%s' is not a finite number", sv->value.text);
  size_t nlen = scan_number(text);
  char number[64];
  if (!nlen)
    return fail(why, why_len, "expected %s %s such as '%s', got '%s'", article(kname), kname,
                example, sv->value.text);
  if (nlen >= sizeof number) return fail(why, why_len, "number too long in '%s'", sv->value.text);
  memcpy(number, text, nlen);
  number[nlen] = '\0';
  errno = 0;
  sv->number = strtod(number, NULL);
  if (errno == ERANGE && fabs(sv->number) > 1.0)
    return fail(why, why_len, "'%s' is out of range", sv->value.text);
  /* The unit is the rest, after optional spaces ("20 kn" reads like "20kn"). */
  size_t u = nlen;
  while (u < len && isspace((unsigned char)text[u])) u++;
  size_t ulen = len - u;
  if (ulen >= sizeof sv->unit || memchr(text + u, ' ', ulen) || memchr(text + u, '\t', ulen))
    return fail(why, why_len, "expected %s %s such as '%s', got '%s'", article(kname), kname,
                example, sv->value.text);
  memcpy(sv->unit, text + u, ulen);
  sv->unit[ulen] = '\0';
  return 0;
}

static int finish(double *out, double si, const split_value *sv, char *why, size_t why_len) {
  if (!isfinite(si)) return fail(why, why_len, "'%s' is out of range", sv->value.text);
  *out = si;
  return 0;
}

int qty_parse(double *out, const char *text, qty_kind kind, char *why, size_t why_len) {
  if ((unsigned)kind >= QTY__COUNT) return fail(why, why_len, "invalid quantity kind");
  const char *kname = qty_kind_name(kind);
  split_value sv;
  int rc = split(&sv, text, kname, kind_example[kind], why, why_len);
  if (rc) return rc;
  if (!sv.unit[0]) {
    if (kind != QTY_NUMBER)
      return fail(why, why_len, "missing unit in '%s' (%s %s needs one: %s)", sv.value.text,
                  article(kname), kname, kind_units[kind]);
    return finish(out, sv.number, &sv, why, why_len);
  }
  double factor;
  rc = check_unit(&factor, sv.unit, sv.value.text, kind, why, why_len);
  if (rc) return rc;
  return finish(out, sv.number * factor, &sv, why, why_len);
}

int qty_parse_any(double *out, qty_kind *kind, const char *text, char *why, size_t why_len) {
  split_value sv;
  int rc = split(&sv, text, "quantity", "500t", why, why_len);
  if (rc) return rc;
  double factor = 1.0;
  qty_kind k = QTY_NUMBER;
  if (sv.unit[0] && !resolve_unit(sv.unit, &k, &factor))
    return fail(why, why_len, "unknown unit '%s' in '%s'", sv.unit, sv.value.text);
  rc = finish(out, sv.number * factor, &sv, why, why_len);
  if (rc == 0) *kind = k;
  return rc;
}

/* ---- formatting ---------------------------------------------------------------- */

typedef struct display_unit {
  const char *name;
  double si;
} display_unit;

/* The largest unit of which the value is at least one, else the smallest. */
static display_unit pick_unit(double v, const display_unit *choices, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (fabs(v) >= choices[i].si) return choices[i];
  return choices[n - 1];
}

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

void qty_format(char *buf, size_t len, double v, qty_kind kind) {
  static const display_unit durations[] = {{"d", 86400.0}, {"h", 3600.0}, {"min", 60.0}, {"s", 1.0}};
  static const display_unit lengths[] = {{"km", 1000.0}, {"m", 1.0}};
  static const display_unit masses[] = {{"t", 1000.0}, {"kg", 1.0}};
  static const display_unit rates[] = {{"/s", 1.0}, {"/h", 1.0 / 3600.0}, {"/d", 1.0 / 86400.0}};
  static const display_unit mass_rates[] = {{"t/d", 1000.0 / 86400.0}, {"kg/h", 1.0 / 3600.0}};
  static const display_unit volume_rates[] = {{"m3/h", 1.0 / 3600.0}, {"L/h", 0.001 / 3600.0}};
  if (!buf || !len) return;
  display_unit u = {"", 1.0};
  switch (kind) {
  case QTY_DURATION: u = pick_unit(v, durations, COUNT_OF(durations)); break;
  case QTY_LENGTH: u = pick_unit(v, lengths, COUNT_OF(lengths)); break;
  case QTY_SPEED: u = (display_unit){"kn", KNOT}; break;
  case QTY_MASS: u = pick_unit(v, masses, COUNT_OF(masses)); break;
  case QTY_VOLUME: u = (display_unit){"m3", 1.0}; break;
  case QTY_FREQUENCY: u = pick_unit(v, rates, COUNT_OF(rates)); break;
  case QTY_MASS_RATE: u = pick_unit(v, mass_rates, COUNT_OF(mass_rates)); break;
  case QTY_VOLUME_RATE: u = pick_unit(v, volume_rates, COUNT_OF(volume_rates)); break;
  default: break;
  }
  if (!isfinite(v) || v == 0.0) u.si = 1.0, u.name = v == 0.0 ? u.name : "";
  snprintf(buf, len, "%.6g%s", v / u.si, u.name);
}
