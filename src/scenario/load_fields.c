/* load_fields.c - read typed fields out of the YAML tree, reporting each problem at
 * the node where it was written: keys, text, numbers, quantities, ids, distributions. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_internal.h"

/* ---- reporting --------------------------------------------------------------------- */

static void report(scn__ctx *c, diag_severity sev, const scn__node *at, const char *fmt,
                   va_list ap) {
  char small[512];
  va_list again;
  va_copy(again, ap);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  char *msg = small;
  if (n >= (int)sizeof small) {
    msg = malloc((size_t)n + 1);
    if (msg) vsnprintf(msg, (size_t)n + 1, fmt, again);
    else msg = small; /* truncated rather than lost */
  }
  va_end(again);
  diag_report(c->d, sev, at ? at->file : NULL, at ? at->line : 0, at ? at->col : 0, "%s", msg);
  if (msg != small) free(msg);
}

void scn__error(scn__ctx *c, const scn__node *at, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report(c, DIAG_ERROR, at, fmt, ap);
  va_end(ap);
}

void scn__warning(scn__ctx *c, const scn__node *at, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report(c, DIAG_WARNING, at, fmt, ap);
  va_end(ap);
}

scn_loc scn__loc(const scn__node *n) {
  scn_loc l = {n ? n->file : NULL, n ? n->line : 0, n ? n->col : 0};
  return l;
}

/* ---- node shapes ------------------------------------------------------------------- */

int scn__is_null(const scn__node *n) {
  if (!n || n->kind != SCN__SCALAR || !n->plain) return 0;
  return n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 ||
         strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0;
}

/* What a node is, for "got ..." in messages. */
const char *scn__kind_phrase(const scn__node *n) {
  if (!n) return "nothing";
  if (n->kind == SCN__SEQ) return "a list";
  if (n->kind == SCN__MAP) return "a mapping";
  if (scn__is_null(n)) return "nothing";
  return "a single value";
}

int scn__expect_map(scn__ctx *c, const scn__node *n, const char *key) {
  if (n && n->kind == SCN__MAP) return 1;
  scn__error(c, n, "'%s' should be a mapping, got %s", key, scn__kind_phrase(n));
  return 0;
}

int scn__expect_seq(scn__ctx *c, const scn__node *n, const char *key) {
  if (n && n->kind == SCN__SEQ) return 1;
  scn__error(c, n, "'%s' should be a list, got %s", key, scn__kind_phrase(n));
  return 0;
}

const scn__node *scn__get(const scn__node *map, const char *key) {
  if (!map || map->kind != SCN__MAP) return NULL;
  for (size_t i = 0; i < map->n; i++) {
    const scn__node *k = map->item[2 * i];
    if (k->kind == SCN__SCALAR && strcmp(k->str, key) == 0) return map->item[2 * i + 1];
  }
  return NULL;
}

const scn__node *scn__key(const scn__node *map, const char *key) {
  if (!map || map->kind != SCN__MAP) return NULL;
  for (size_t i = 0; i < map->n; i++) {
    const scn__node *k = map->item[2 * i];
    if (k->kind == SCN__SCALAR && strcmp(k->str, key) == 0) return k;
  }
  return NULL;
}

const scn__node *scn__need(scn__ctx *c, const scn__node *map, const char *key, const char *what) {
  const scn__node *v = scn__get(map, key);
  if (!v) scn__error(c, map, "missing required key '%s' in %s", key, what);
  return v;
}

/* ---- suggestions -------------------------------------------------------------------- */

/* Words people write for a key we spell differently. */
static const struct {
  const char *written, *meant;
} key_synonyms[] = {
    {"latitude", "lat"}, {"longitude", "lon"}, {"lng", "lon"},      {"long", "lon"},
    {"include", "includes"}, {"probability", "p"}, {"prob", "p"},   {"trigger", "after"},
    {"distribution", "dist"}, {"time", "at"},   {"duration", "for"}, {"points", "waypoints"},
    {"vertices", "polygon"}, {"type", "kind"},  {"number", "count"}, {"qty", "count"},
};

static const char *suggest_synonym(const char *word, const char *const *cand, size_t n) {
  for (size_t s = 0; s < sizeof key_synonyms / sizeof key_synonyms[0]; s++) {
    if (diag_edit_distance(word, key_synonyms[s].written, 1) > 1) continue;
    for (size_t i = 0; i < n; i++)
      if (strcmp(cand[i], key_synonyms[s].meant) == 0) return cand[i];
  }
  return NULL;
}

const char *scn__suggest(const char *word, const char *const *cand, size_t n) {
  const char *hint = diag_nearest(word, cand, n);
  if (!hint) hint = suggest_synonym(word, cand, n);
  /* "expo" for "exponential", "lattitude" for "lat": one is a prefix of the other. */
  return hint ? hint : diag_suggest(word, cand, n);
}

static size_t count_names(const char *const *names) {
  size_t n = 0;
  while (names[n]) n++;
  return n;
}

void scn__check_keys(scn__ctx *c, const scn__node *map, const char *what,
                     const char *const *allowed) {
  if (!map || map->kind != SCN__MAP) return;
  size_t n = count_names(allowed);
  for (size_t i = 0; i < map->n; i++) {
    const scn__node *k = map->item[2 * i];
    if (k->kind != SCN__SCALAR) continue; /* reported by the tree builder */
    int known = 0;
    for (size_t j = 0; j < n && !known; j++) known = strcmp(k->str, allowed[j]) == 0;
    if (known) continue;
    const char *hint = scn__suggest(k->str, allowed, n);
    if (hint)
      scn__error(c, k, "unknown key '%s' in %s (did you mean '%s'?)", k->str, what, hint);
    else
      scn__error(c, k, "unknown key '%s' in %s", k->str, what);
  }
}

/* ---- scalar readers ------------------------------------------------------------------- */

/* A scalar with a value, else reported: every reader starts here. */
static int scalar(scn__ctx *c, const scn__node *n, const char *key, const char *expected) {
  if (n && n->kind == SCN__SCALAR && !scn__is_null(n)) return 1;
  if (n && n->kind == SCN__SCALAR)
    scn__error(c, n, "missing value for '%s' (expected %s)", key, expected);
  else
    scn__error(c, n, "'%s' should be %s, got %s", key, expected, scn__kind_phrase(n));
  return 0;
}

int scn__text(scn__ctx *c, const scn__node *n, const char *key, const char **out) {
  if (!scalar(c, n, key, "text")) return -1;
  const char *s = scn__strdup(c, c->mem, n->str, strlen(n->str));
  if (!s) return -1;
  *out = s;
  return 0;
}

int scn__quantity(scn__ctx *c, const scn__node *n, const char *key, qty_kind kind, double *out) {
  char why[256];
  char expected[64];
  snprintf(expected, sizeof expected, "a %s", qty_kind_name(kind));
  if (!scalar(c, n, key, expected)) return -1;
  if (qty_parse(out, n->str, kind, why, sizeof why) != 0) {
    scn__error(c, n, "%s", why);
    return -1;
  }
  return 0;
}

/* %g keeps range bounds short: [-90, 90], not [-90.000000, 90.000000]. */
int scn__number(scn__ctx *c, const scn__node *n, const char *key, double lo, double hi,
                double *out) {
  double v;
  if (scn__quantity(c, n, key, QTY_NUMBER, &v)) return -1;
  if (v < lo || v > hi) {
    scn__error(c, n, "'%s' must be in [%g, %g], got '%s'", key, lo, hi, n->str);
    return -1;
  }
  *out = v;
  return 0;
}

int scn__probability(scn__ctx *c, const scn__node *n, const char *key, double *out) {
  return scn__number(c, n, key, 0.0, 1.0, out);
}

int scn__integer(scn__ctx *c, const scn__node *n, const char *key, long long lo, long long hi,
                 long long *out) {
  if (!scalar(c, n, key, "a whole number")) return -1;
  const char *s = n->str;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  int digits_only = s[i] != '\0';
  for (size_t j = i; s[j]; j++) digits_only &= isdigit((unsigned char)s[j]) != 0;
  if (!digits_only) {
    scn__error(c, n, "'%s' should be a whole number, got '%s'", key, s);
    return -1;
  }
  errno = 0;
  long long v = strtoll(s, NULL, 10);
  if (errno == ERANGE || v < lo || v > hi) {
    /* strtoll clamps an overflow to LLONG_MIN or LLONG_MAX: the side says which bound */
    int too_high = errno == ERANGE ? s[0] != '-' : v > hi;
    if (hi == LLONG_MAX && !too_high)
      scn__error(c, n, "'%s' must be at least %lld, got '%s'", key, lo, s);
    else if (hi == LLONG_MAX)
      scn__error(c, n, "'%s' must be at most %lld, got '%s'", key, hi, s);
    else
      scn__error(c, n, "'%s' must be in [%lld, %lld], got '%s'", key, lo, hi, s);
    return -1;
  }
  *out = v;
  return 0;
}

int scn__uint64(scn__ctx *c, const scn__node *n, const char *key, uint64_t *out) {
  if (!scalar(c, n, key, "a whole number")) return -1;
  const char *s = n->str;
  int digits_only = s[0] != '\0';
  for (size_t j = s[0] == '+' ? 1 : 0; s[j]; j++) digits_only &= isdigit((unsigned char)s[j]) != 0;
  if (s[0] == '-' || !digits_only || (s[0] == '+' && !s[1])) {
    scn__error(c, n, s[0] == '-' ? "'%s' must be at least 0, got '%s'"
                                 : "'%s' should be a whole number, got '%s'", key, s);
    return -1;
  }
  errno = 0;
  unsigned long long v = strtoull(s, NULL, 10);
  if (errno == ERANGE || v > UINT64_MAX) {
    scn__error(c, n, "'%s' must be at most %llu, got '%s'", key,
               (unsigned long long)UINT64_MAX, s);
    return -1;
  }
  *out = (uint64_t)v;
  return 0;
}

int scn__boolean(scn__ctx *c, const scn__node *n, const char *key, int *out) {
  if (!scalar(c, n, key, "true or false")) return -1;
  static const char *const yes[] = {"true", "True", "TRUE"}, *const no[] = {"false", "False", "FALSE"};
  for (size_t i = 0; i < 3; i++) {
    if (strcmp(n->str, yes[i]) == 0) return *out = 1, 0;
    if (strcmp(n->str, no[i]) == 0) return *out = 0, 0;
  }
  scn__error(c, n, "'%s' should be true or false, got '%s'", key, n->str);
  return -1;
}

#define SCN__CHOICE_LISTED 16 /* choices named in full in "expected one of" */

int scn__choice(scn__ctx *c, const scn__node *n, const char *key, const char *const *names,
                size_t count, int *out) {
  if (!scalar(c, n, key, "a name")) return -1;
  for (size_t i = 0; i < count; i++)
    if (strcmp(n->str, names[i]) == 0) return *out = (int)i, 0;
  char list[256] = "";
  size_t used = 0;
  /* a long list (the 85 Leeway object classes) by its first names and its size */
  size_t shown = count > SCN__CHOICE_LISTED ? 4 : count;
  for (size_t i = 0; i < shown && used < sizeof list; i++)
    used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]);
  if (shown < count && used < sizeof list)
    snprintf(list + used, sizeof list - used, " and %zu more", count - shown);
  const char *hint = scn__suggest(n->str, names, count);
  if (hint)
    scn__error(c, n, "unknown %s '%s' (did you mean '%s'?)", key, n->str, hint);
  else
    scn__error(c, n, "unknown %s '%s' (expected one of %s)", key, n->str, list);
  return -1;
}

int scn__latlon(scn__ctx *c, const scn__node *n, const char *key, double *lat, double *lon) {
  if (!n || n->kind != SCN__SEQ || n->n != 2) {
    if (n && n->kind == SCN__SEQ)
      scn__error(c, n, "'%s' should be a [lat, lon] pair, got a list of %zu", key, n->n);
    else
      scn__error(c, n, "'%s' should be a [lat, lon] pair, got %s", key, scn__kind_phrase(n));
    return -1;
  }
  int bad = scn__number(c, n->item[0], "lat", -90.0, 90.0, lat);
  bad |= scn__number(c, n->item[1], "lon", -180.0, 180.0, lon);
  return bad ? -1 : 0;
}

/* ---- ids ------------------------------------------------------------------------------ */

void scn__ids_init(scn__ids *ids, const char *what) {
  memset(ids, 0, sizeof *ids);
  ids->what = what;
}

int scn__ids_add(scn__ctx *c, scn__ids *ids, const scn__node *at, const char *id) {
  size_t first;
  if (scn__map_get(&ids->map, id, &first)) {
    const scn__node *f = ids->at[first];
    scn__error(c, at, "duplicate %s id '%s' (first defined at %s:%d:%d)", ids->what, id, f->file,
               f->line, f->col);
    return -1;
  }
  if (ids->n == ids->cap) {
    size_t cap = ids->cap ? 2 * ids->cap : 16;
    const char **name = arena_alloc(c->tree, cap * sizeof *name);
    const scn__node **where = arena_alloc(c->tree, cap * sizeof *where);
    if (!name || !where) {
      c->nomem = 1;
      return -1;
    }
    if (ids->n) {
      memcpy(name, ids->name, ids->n * sizeof *name);
      memcpy(where, ids->at, ids->n * sizeof *where);
    }
    ids->name = name;
    ids->at = where;
    ids->cap = cap;
  }
  if (scn__map_put(c, &ids->map, id, ids->n)) return -1;
  ids->name[ids->n] = id;
  ids->at[ids->n] = at;
  return (int)ids->n++;
}

int scn__ids_resolve(scn__ctx *c, const scn__ids *ids, const scn__node *ref) {
  char expected[64];
  snprintf(expected, sizeof expected, "a %s id", ids->what);
  if (!scalar(c, ref, ids->what, expected)) return -1;
  size_t idx;
  if (scn__map_get(&ids->map, ref->str, &idx)) return (int)idx;
  const char *hint = scn__suggest(ref->str, ids->name, ids->n);
  if (hint)
    scn__error(c, ref, "unknown %s id '%s' (did you mean '%s'?)", ids->what, ref->str, hint);
  else
    scn__error(c, ref, "unknown %s id '%s'", ids->what, ref->str);
  return -1;
}

int scn__item_id(scn__ctx *c, const scn__node *item, scn__ids *ids, const char **id) {
  const scn__node *v = scn__need(c, item, "id", ids->what);
  *id = NULL;
  if (!v || scn__text(c, v, "id", id)) return -1;
  if (!**id) {
    scn__error(c, v, "'id' must not be empty");
    return -1;
  }
  return scn__ids_add(c, ids, v, *id);
}

/* ---- distributions ----------------------------------------------------------------- */

static const char *const dist_names[DIST__COUNT + 1] = {
#define SCN__DIST_NAME(n, str) [DIST_##n] = str,
    DIST_MAP(SCN__DIST_NAME)
#undef SCN__DIST_NAME
    NULL};

/* The keys each distribution takes (besides `dist`). */
static const char *const *dist_keys(dist_kind k) {
  static const char *const fixed[] = {"dist", "value", NULL};
  static const char *const uniform[] = {"dist", "min", "max", NULL};
  static const char *const triangular[] = {"dist", "min", "mode", "max", NULL};
  static const char *const normal[] = {"dist", "mean", "sd", NULL};
  static const char *const lognormal[] = {"dist", "median", "sigma", "mean", "sd", NULL};
  static const char *const exponential[] = {"dist", "mean", NULL};
  static const char *const shape_scale[] = {"dist", "shape", "scale", NULL};
  static const char *const empirical[] = {"dist", "values", NULL};
  switch (k) {
  case DIST_FIXED: return fixed;
  case DIST_UNIFORM: return uniform;
  case DIST_TRIANGULAR: return triangular;
  case DIST_NORMAL: return normal;
  case DIST_LOGNORMAL: return lognormal;
  case DIST_EXPONENTIAL: return exponential;
  case DIST_GAMMA:
  case DIST_WEIBULL: return shape_scale;
  case DIST_EMPIRICAL: return empirical;
  default: return fixed;
  }
}

typedef struct dist_reader {
  scn__ctx *c;
  const scn__node *map;
  const char *what; /* "lognormal distribution" */
  qty_kind kind;
  int bad;
} dist_reader;

/* A parameter carrying the field's unit; nonneg for kinds with units (a negative
 * delay or capacity means nothing), positive where the formula divides or logs. */
enum { ANY_SIGN, NOT_NEGATIVE, POSITIVE };

static double param(dist_reader *r, const char *key, qty_kind kind, int sign) {
  const scn__node *v = scn__need(r->c, r->map, key, r->what);
  double x = NAN;
  if (!v) {
    r->bad = 1;
    return x;
  }
  if (scn__quantity(r->c, v, key, kind, &x)) {
    r->bad = 1;
    return x;
  }
  if (sign == NOT_NEGATIVE && kind == QTY_NUMBER) sign = ANY_SIGN;
  if ((sign == NOT_NEGATIVE && x < 0) || (sign == POSITIVE && !(x > 0))) {
    scn__error(r->c, v, "'%s' must be %s, got '%s'", key,
               sign == POSITIVE ? "greater than 0" : "at least 0", v->str);
    r->bad = 1;
  }
  return x;
}

static void check_order(dist_reader *r, const char *lo_key, double lo, const char *hi_key, double hi) {
  if (r->bad || lo <= hi) return;
  scn__error(r->c, scn__get(r->map, lo_key), "'%s' '%s' is greater than '%s' '%s'", lo_key,
             scn__get(r->map, lo_key)->str, hi_key, scn__get(r->map, hi_key)->str);
  r->bad = 1;
}

/* lognormal by mean and sd: sigma^2 = ln(1 + sd^2/mean^2), mu = ln(mean) - sigma^2/2. */
static void read_lognormal(dist_reader *r, dist *out) {
  int by_median = scn__get(r->map, "median") || scn__get(r->map, "sigma");
  int by_mean = scn__get(r->map, "mean") || scn__get(r->map, "sd");
  if (by_median && by_mean) {
    scn__error(r->c, r->map, "a lognormal distribution takes {median, sigma} or {mean, sd}, not both");
    r->bad = 1;
    return;
  }
  if (by_mean) {
    double mean = param(r, "mean", r->kind, POSITIVE), sd = param(r, "sd", r->kind, POSITIVE);
    double s2 = log1p((sd / mean) * (sd / mean));
    out->a = log(mean) - s2 / 2;
    out->b = sqrt(s2);
    return;
  }
  double median = param(r, "median", r->kind, POSITIVE);
  out->a = log(median);
  out->b = param(r, "sigma", QTY_NUMBER, POSITIVE);
}

static void read_empirical(dist_reader *r, dist *out) {
  const scn__node *v = scn__need(r->c, r->map, "values", r->what);
  if (!v || !scn__expect_seq(r->c, v, "values")) {
    r->bad = 1;
    return;
  }
  if (v->n == 0) {
    scn__error(r->c, v, "'values' needs at least one value");
    r->bad = 1;
    return;
  }
  double *values = scn__alloc(r->c, r->c->mem, v->n * sizeof *values);
  if (!values) {
    r->bad = 1;
    return;
  }
  for (size_t i = 0; i < v->n; i++) {
    const scn__node *x = v->item[i];
    if (scn__quantity(r->c, x, "values", r->kind, &values[i])) {
      r->bad = 1;
    } else if (r->kind != QTY_NUMBER && values[i] < 0) {
      scn__error(r->c, x, "'values' must be at least 0, got '%s'", x->str);
      r->bad = 1;
    }
  }
  out->values = values;
  out->n = v->n;
}

static void read_params(dist_reader *r, dist_kind k, dist *out) {
  qty_kind q = r->kind;
  switch (k) {
  case DIST_FIXED: out->a = param(r, "value", q, NOT_NEGATIVE); break;
  case DIST_UNIFORM:
    out->a = param(r, "min", q, NOT_NEGATIVE);
    out->b = param(r, "max", q, NOT_NEGATIVE);
    check_order(r, "min", out->a, "max", out->b);
    break;
  case DIST_TRIANGULAR:
    out->a = param(r, "min", q, NOT_NEGATIVE);
    out->b = param(r, "mode", q, NOT_NEGATIVE);
    out->c = param(r, "max", q, NOT_NEGATIVE);
    check_order(r, "min", out->a, "mode", out->b);
    check_order(r, "mode", out->b, "max", out->c);
    break;
  case DIST_NORMAL:
    out->a = param(r, "mean", q, NOT_NEGATIVE);
    out->b = param(r, "sd", q, POSITIVE);
    break;
  case DIST_LOGNORMAL: read_lognormal(r, out); break;
  case DIST_EXPONENTIAL: out->a = param(r, "mean", q, POSITIVE); break;
  case DIST_GAMMA:
  case DIST_WEIBULL:
    out->a = param(r, "shape", QTY_NUMBER, POSITIVE);
    out->b = param(r, "scale", q, POSITIVE);
    break;
  case DIST_EMPIRICAL: read_empirical(r, out); break;
  default: break;
  }
}

int scn__dist(scn__ctx *c, const scn__node *n, const char *key, qty_kind kind, dist *out) {
  dist d = {DIST_FIXED, 0, 0, 0, NULL, 0};
  if (n && n->kind == SCN__SCALAR && !scn__is_null(n)) {
    if (scn__quantity(c, n, key, kind, &d.a)) return -1;
    if (kind != QTY_NUMBER && d.a < 0) {
      scn__error(c, n, "'%s' must be at least 0, got '%s'", key, n->str);
      return -1;
    }
    *out = d;
    return 0;
  }
  if (!n || n->kind != SCN__MAP) {
    scn__error(c, n, "'%s' should be a %s or a distribution {dist: ...}, got %s", key,
               qty_kind_name(kind), scn__kind_phrase(n));
    return -1;
  }
  const scn__node *name = scn__need(c, n, "dist", "distribution");
  int k;
  if (!name || scn__choice(c, name, "distribution", dist_names, DIST__COUNT, &k)) return -1;
  char what[64];
  snprintf(what, sizeof what, "%s distribution", dist_names[k]);
  dist_reader r = {c, n, what, kind, 0};
  scn__check_keys(c, n, what, dist_keys((dist_kind)k));
  d.kind = (dist_kind)k;
  read_params(&r, (dist_kind)k, &d);
  if (r.bad) return -1;
  /* Parameters each valid alone can still draw infinities at run time (a Weibull
   * shape of 0.001 overflows for one draw in eight): refused here, located. */
  double big = dist_largest(&d);
  if (!(big <= DBL_MAX)) {
    scn__error(c, n, "this %s can draw values too large to represent (past %.3g): %s",
               what, DBL_MAX,
               d.kind == DIST_WEIBULL ? "its 'shape' is too small for its 'scale'"
               : d.kind == DIST_LOGNORMAL ? "its 'sigma' (or 'sd') is too large"
               : "its parameters are too large");
    return -1;
  }
  *out = d;
  return 0;
}

int scn__force_asset(scn__ctx *c, const scn__node *m, const char *what, int *count,
                     double *speed, double *endurance) {
  const scn__node *v = scn__need(c, m, "force", what);
  int force = v ? scn__ids_resolve(c, &c->forces, v) : -1;
  if (force < 0) return -1;
  const scn_force *f = &c->sc->force[force];
  long long x;
  *count = f->count, *speed = f->speed, *endurance = f->endurance;
  if ((v = scn__get(m, "count")) && scn__integer(c, v, "count", 1, 1000000, &x) == 0) {
    if (x > f->count)
      scn__error(c, v, "'count' is %lld but force '%s' has only %d", x, f->id, f->count);
    *count = (int)x;
  }
  return force;
}
