/* load_sar.c - the `sar:` section: drift settings, fields, survival, search units
 * (schema in docs/scenario.md, model in docs/models.md). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scn_internal.h"
#include "scn_sar.h"

/* Notional survival times (people in water in temperate seas); per class because a
 * raft keeps its occupants out of the water.  Override with `survival:`. */
static const double survival_median_h[SCN_OBJ__COUNT] = {
    [SCN_OBJ_PIW] = 6, [SCN_OBJ_RAFT] = 72, [SCN_OBJ_RAFT_DROGUE] = 72, [SCN_OBJ_SMALL_BOAT] = 120};

static void resolve(scn__ctx *c, const scn__node *at, const char **out) {
  char buf[4096];
  const char *slash = at->file ? strrchr(at->file, '/') : NULL;
  if (at->str[0] == '/' || !slash || strcmp(at->file, "--set") == 0)
    snprintf(buf, sizeof buf, "%s", at->str);
  else
    snprintf(buf, sizeof buf, "%.*s/%s", (int)(slash - at->file), at->file, at->str);
  *out = scn__strdup(c, c->mem, buf, strlen(buf));
}

static void load_field(scn__ctx *c, const scn__node *m, const char *what, scn_sar_field *f) {
  static const char *const keys[] = {"file", "east", "north", NULL};
  const scn__node *v;
  if (!scn__expect_map(c, m, what)) return;
  scn__check_keys(c, m, what, keys);
  if ((v = scn__get(m, "file"))) {
    const char *s;
    if (scn__text(c, v, "file", &s) == 0) resolve(c, v, &f->path);
    if (scn__get(m, "east") || scn__get(m, "north"))
      scn__error(c, m, "'%s' takes either 'file' or 'east'/'north', not both", what);
    return;
  }
  if ((v = scn__get(m, "east"))) scn__quantity(c, v, "east", QTY_SPEED, &f->east);
  if ((v = scn__get(m, "north"))) scn__quantity(c, v, "north", QTY_SPEED, &f->north);
}

static int object_index(const char *s) {
  for (int o = 0; o < SCN_OBJ__COUNT; o++)
    if (strcmp(scn_object_name((scn_object)o), s) == 0) return o;
  return -1;
}

static void object_error(scn__ctx *c, const scn__node *k) {
  const char *names[SCN_OBJ__COUNT];
  for (int o = 0; o < SCN_OBJ__COUNT; o++) names[o] = scn_object_name((scn_object)o);
  const char *hint = scn__suggest(k->str, names, SCN_OBJ__COUNT);
  if (hint)
    scn__error(c, k, "unknown object class '%s' (did you mean '%s'?)", k->str, hint);
  else
    scn__error(c, k, "unknown object class '%s'", k->str);
}

/* A mapping object class -> value, read by fn into out[class]. */
static void per_object(scn__ctx *c, const scn__node *m, const char *key,
                       void (*fn)(scn__ctx *, const scn__node *, const char *, void *, int),
                       void *out) {
  if (!scn__expect_map(c, m, key)) return;
  for (size_t i = 0; i < m->n; i++) {
    const scn__node *k = m->item[2 * i], *v = m->item[2 * i + 1];
    int o = k->kind == SCN__SCALAR ? object_index(k->str) : -1;
    if (o < 0)
      object_error(c, k);
    else
      fn(c, v, k->str, out, o);
  }
}

static void read_sweep(scn__ctx *c, const scn__node *v, const char *key, void *out, int o) {
  double *w = out;
  if (scn__quantity(c, v, key, QTY_LENGTH, &w[o]) == 0 && !(w[o] > 0))
    scn__error(c, v, "sweep width must be greater than 0, got '%s'", v->str);
}

static void read_survival(scn__ctx *c, const scn__node *v, const char *key, void *out, int o) {
  dist *d = out;
  scn__dist(c, v, key, QTY_DURATION, &d[o]);
}

static void load_asset(scn__ctx *c, const scn__node *m, scn_sar_asset *a) {
  static const char *const keys[] = {"force", "count", "speed", "endurance", "response",
                                     "turnaround", "sweep_width", NULL};
  const scn__node *v;
  memset(a, 0, sizeof *a);
  a->force = -1, a->turnaround = 3600;
  if (!scn__expect_map(c, m, "asset")) return;
  scn__check_keys(c, m, "sar asset", keys);
  a->force = scn__force_asset(c, m, "sar asset", &a->count, &a->speed, &a->endurance);
  if (a->force < 0) return;
  if ((v = scn__get(m, "speed"))) scn__quantity(c, v, "speed", QTY_SPEED, &a->speed);
  if (!(a->speed > 0))
    scn__error(c, v ? v : m, "sar asset '%s' needs a speed greater than 0: give 'speed' here or "
               "in the force", c->sc->force[a->force].id);
  if ((v = scn__get(m, "endurance"))) scn__quantity(c, v, "endurance", QTY_DURATION, &a->endurance);
  if (!(a->endurance > 0) || isinf(a->endurance))
    scn__error(c, v ? v : m, "sar asset '%s' needs a finite endurance: give 'endurance' here or "
               "in the force", c->sc->force[a->force].id);
  if ((v = scn__get(m, "response"))) scn__quantity(c, v, "response", QTY_DURATION, &a->response);
  if ((v = scn__get(m, "turnaround")))
    scn__quantity(c, v, "turnaround", QTY_DURATION, &a->turnaround);
  if ((v = scn__need(c, m, "sweep_width", "sar asset")))
    per_object(c, v, "sweep_width", read_sweep, a->sweep);
}

void scn__load_sar(scn__ctx *c, const scn__node *m) {
  static const char *const keys[] = {"particles", "max_cases", "time_step", "jibe_rate",
                                     "position_sigma", "time_window", "search_limit", "cell",
                                     "land", "land_resolution", "current", "wind", "survival",
                                     "assets", NULL};
  const scn__node *v;
  long long x;
  double d;
  if (!scn__expect_map(c, m, "sar")) return;
  scn__check_keys(c, m, "sar", keys);
  scn_sar *s = scn__alloc(c, c->mem, sizeof *s);
  if (!s) return;
  *s = (scn_sar){.particles = 2000, .max_cases = 4, .time_step = 1800,
                 .jibe_rate = 0.04 / 3600, .position_sigma = 1852, .time_window = 0,
                 .search_limit = 72 * 3600.0, .cell = 2000, .land = 1, .land_res = 1.0 / 60};
  for (int o = 0; o < SCN_OBJ__COUNT; o++)
    s->survival[o] = (dist){DIST_LOGNORMAL, log(survival_median_h[o] * 3600), 0.5, 0, NULL, 0};
  if ((v = scn__get(m, "particles")) && scn__integer(c, v, "particles", 10, 1000000, &x) == 0)
    s->particles = (int)x;
  if ((v = scn__get(m, "max_cases")) && scn__integer(c, v, "max_cases", 1, 1000, &x) == 0)
    s->max_cases = (int)x;
  if ((v = scn__get(m, "time_step")) &&
      scn__quantity(c, v, "time_step", QTY_DURATION, &s->time_step) == 0 &&
      !(s->time_step >= 60 && s->time_step <= 6 * 3600))
    scn__error(c, v, "'time_step' must lie between 1min and 6h, got '%s'", v->str);
  /* A probability per hour, as Breivik & Allen state it (4 % per hour). */
  if ((v = scn__get(m, "jibe_rate")) && scn__number(c, v, "jibe_rate", 0, 1, &d) == 0)
    s->jibe_rate = d / 3600;
  if ((v = scn__get(m, "position_sigma")))
    scn__quantity(c, v, "position_sigma", QTY_LENGTH, &s->position_sigma);
  if ((v = scn__get(m, "time_window")))
    scn__quantity(c, v, "time_window", QTY_DURATION, &s->time_window);
  if ((v = scn__get(m, "search_limit")))
    scn__quantity(c, v, "search_limit", QTY_DURATION, &s->search_limit);
  if ((v = scn__get(m, "cell")) && scn__quantity(c, v, "cell", QTY_LENGTH, &s->cell) == 0 &&
      !(s->cell >= 100))
    scn__error(c, v, "'cell' must be at least 100m, got '%s'", v->str);
  if ((v = scn__get(m, "land"))) scn__boolean(c, v, "land", &s->land);
  if ((v = scn__get(m, "land_resolution")) &&
      scn__number(c, v, "land_resolution", 0.001, 1, &s->land_res) != 0)
    s->land_res = 1.0 / 60;
  if ((v = scn__get(m, "current"))) load_field(c, v, "current", &s->current);
  if ((v = scn__get(m, "wind"))) load_field(c, v, "wind", &s->wind);
  if ((v = scn__get(m, "survival"))) per_object(c, v, "survival", read_survival, s->survival);
  if ((v = scn__need(c, m, "assets", "sar")) && scn__expect_seq(c, v, "assets")) {
    if (v->n == 0) scn__error(c, v, "'assets' needs at least one asset");
    s->asset = scn__alloc(c, c->mem, (v->n ? v->n : 1) * sizeof *s->asset);
    if (s->asset) {
      s->nasset = v->n;
      for (size_t i = 0; i < v->n; i++) load_asset(c, v->item[i], &s->asset[i]);
    }
  }
  c->sc->sar = s;
}
