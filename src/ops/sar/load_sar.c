/* load_sar.c - the `sar:` section (drift settings, fields, water temperature and
 * survival, the plan tasks that carry the search, datum shapes, search units) and the
 * standalone case file of `straits sar` (schema in docs/scenario.md and docs/cli.md,
 * model in docs/models.md). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "geodesy.h"
#include "sar.h"
#include "sar_pattern.h"
#include "sar_sweep.h"
#include "scn_plan.h"
#include "scn_sar.h"
#include "scn_section.h"
#include "sim.h"

/* Notional median survival times (h; people in temperate seas) by the class's group in
 * data/leeway.csv, because a raft or a boat keeps its occupants out of the water: in the
 * water (piw, and debris a person clings to) 6 h, a raft 72 h, a boat or a vessel 120 h.
 * Override with `survival:`, or give `water_temperature:` for a person in the water. */
static double survival_median_h(int object) {
  const sar_leeway *c = sar_leeway_of(object);
  if (sar_object_in_water(object)) return 6;
  return c && strcmp(c->group, "raft") == 0 ? 72 : 120;
}

static void resolve(scn__ctx *c, const scn__node *at, const char **out) {
  char buf[4096];
  const char *slash = at->file ? strrchr(at->file, '/') : NULL;
  if (at->str[0] == '/' || !slash || strcmp(at->file, "--set") == 0)
    snprintf(buf, sizeof buf, "%s", at->str);
  else
    snprintf(buf, sizeof buf, "%.*s/%s", (int)(slash - at->file), at->file, at->str);
  *out = scn__strdup(c, c->mem, buf, strlen(buf));
}

/* A field: {file: f.nc}, {east: .., north: ..} (constant), {rotating: {speed: ..,
 * period: .., clockwise: bool}} or {eddy: {at: [lat, lon], radius: .., speed: ..,
 * clockwise: bool}} -- env's analytic fields, for tests and what-if studies. */
static void load_rotating(scn__ctx *c, const scn__node *m, scn_sar_field *f) {
  static const char *const keys[] = {"speed", "period", "clockwise", NULL};
  const scn__node *v;
  double period = NAN;
  int cw = 0;
  f->kind = SCN_SAR_FIELD_ROTATING;
  if (!scn__expect_map(c, m, "rotating")) return;
  scn__check_keys(c, m, "rotating", keys);
  if ((v = scn__need(c, m, "speed", "rotating")) &&
      scn__quantity(c, v, "speed", QTY_SPEED, &f->speed) == 0 && !(f->speed >= 0))
    scn__error(c, v, "'speed' of a rotating field must not be negative, got '%s'", v->str);
  if ((v = scn__need(c, m, "period", "rotating")) &&
      scn__quantity(c, v, "period", QTY_DURATION, &period) == 0 &&
      !(period >= 60 && isfinite(period)))
    scn__error(c, v, "'period' of a rotating field must be at least 1min, got '%s'", v->str);
  if ((v = scn__get(m, "clockwise"))) scn__boolean(c, v, "clockwise", &cw);
  f->omega = (cw ? -1 : 1) * 6.283185307179586 / period; /* 2 pi / period */
}

static void load_eddy(scn__ctx *c, const scn__node *m, scn_sar_field *f) {
  static const char *const keys[] = {"at", "radius", "speed", "clockwise", NULL};
  const scn__node *v;
  int cw = 0;
  f->kind = SCN_SAR_FIELD_EDDY;
  if (!scn__expect_map(c, m, "eddy")) return;
  scn__check_keys(c, m, "eddy", keys);
  if ((v = scn__need(c, m, "at", "eddy"))) scn__latlon(c, v, "at", &f->lat0, &f->lon0);
  if ((v = scn__need(c, m, "radius", "eddy")) &&
      scn__quantity(c, v, "radius", QTY_LENGTH, &f->radius) == 0 &&
      !(f->radius > 0 && isfinite(f->radius)))
    scn__error(c, v, "'radius' of an eddy must be greater than 0, got '%s'", v->str);
  if ((v = scn__need(c, m, "speed", "eddy")) &&
      scn__quantity(c, v, "speed", QTY_SPEED, &f->speed) == 0 && !(f->speed >= 0))
    scn__error(c, v, "'speed' of an eddy must not be negative (turn it with 'clockwise'), "
               "got '%s'", v->str);
  if ((v = scn__get(m, "clockwise"))) scn__boolean(c, v, "clockwise", &cw);
  if (cw) f->speed = -f->speed;
}

static void load_field(scn__ctx *c, const scn__node *m, const char *what, scn_sar_field *f) {
  static const char *const keys[] = {"file", "east", "north", "rotating", "eddy", NULL};
  static const char *const kinds[] = {"file", "rotating", "eddy"};
  const scn__node *v, *first = NULL;
  if (!scn__expect_map(c, m, what)) return;
  scn__check_keys(c, m, what, keys);
  /* one kind of field: a file, a constant (east/north), rotating or eddy */
  const scn__node *konst = scn__get(m, "east") ? scn__key(m, "east")
                           : scn__get(m, "north") ? scn__key(m, "north") : NULL;
  for (size_t i = 0; i < 3; i++) {
    if (!scn__get(m, kinds[i])) continue;
    if (first || konst) {
      scn__error(c, m, "'%s' takes one of 'file', 'east'/'north', 'rotating' and 'eddy', "
                 "not several", what);
      return;
    }
    first = scn__key(m, kinds[i]);
  }
  if ((v = scn__get(m, "file"))) {
    const char *s;
    f->kind = SCN_SAR_FIELD_FILE;
    if (scn__text(c, v, "file", &s) == 0) resolve(c, v, &f->path);
    return;
  }
  if ((v = scn__get(m, "rotating"))) {
    load_rotating(c, v, f);
    return;
  }
  if ((v = scn__get(m, "eddy"))) {
    load_eddy(c, v, f);
    return;
  }
  f->kind = SCN_SAR_FIELD_CONSTANT;
  if ((v = scn__get(m, "east"))) scn__quantity(c, v, "east", QTY_SPEED, &f->east);
  if ((v = scn__get(m, "north"))) scn__quantity(c, v, "north", QTY_SPEED, &f->north);
}

/* `water_temperature: 18C` (degrees Celsius; the quantity parser has no temperatures)
 * or `{file: sst.nc}` (CF sea_surface_temperature, read through env/). */
static void load_water(scn__ctx *c, const scn__node *v, scn_sar_field *f) {
  if (v->kind == SCN__MAP) {
    static const char *const keys[] = {"file", NULL};
    const scn__node *p;
    const char *s;
    scn__check_keys(c, v, "water_temperature", keys);
    f->kind = SCN_SAR_FIELD_FILE;
    if ((p = scn__need(c, v, "file", "water_temperature")) && scn__text(c, p, "file", &s) == 0)
      resolve(c, p, &f->path);
    return;
  }
  char *end = NULL;
  double t = v->kind == SCN__SCALAR ? strtod(v->str, &end) : NAN;
  if (v->kind != SCN__SCALAR || end == v->str || !(strcmp(end, "C") == 0 || strcmp(end, "degC") == 0)) {
    if (v->kind == SCN__SCALAR)
      scn__error(c, v, "'water_temperature' should be degrees Celsius like '18C' or {file: "
                 "sst.nc}, got '%s'", v->str);
    else
      scn__error(c, v, "'water_temperature' should be degrees Celsius like '18C' or {file: "
                 "sst.nc}, got %s", scn__kind_phrase(v));
    return;
  }
  if (!(t >= -2 && t <= 40)) {
    scn__error(c, v, "'water_temperature' must lie between -2C and 40C, got '%s'", v->str);
    return;
  }
  f->east = t;
}

static int object_index(const char *s) {
  for (int o = 0; o < SCN_OBJ__COUNT; o++)
    if (strcmp(scn_object_name((scn_object)o), s) == 0) return o;
  return -1;
}

static void object_error(scn__ctx *c, const scn__node *k) {
  const char *names[SCN_OBJ__COUNT];
  for (int o = 0; o < SCN_OBJ__COUNT; o++) names[o] = scn_object_name((scn_object)o);
  const char *hint = k->kind == SCN__SCALAR ? scn__suggest(k->str, names, SCN_OBJ__COUNT) : NULL;
  if (hint)
    scn__error(c, k, "unknown object class '%s' (did you mean '%s'?)", k->str, hint);
  else if (k->kind == SCN__SCALAR)
    scn__error(c, k, "unknown object class '%s'", k->str);
  else
    scn__error(c, k, "an object class should be a name, got %s", scn__kind_phrase(k));
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
  scn_sar *s = out;
  scn__dist(c, v, key, QTY_DURATION, &s->survival[o]);
  s->survival_loc[o] = scn__loc(v); /* a draw that fails at run time is blamed here */
}

/* `sensor:` and `altitude:` of a unit: a sensor of data/sweep_width.csv, at an altitude
 * inside the table's for it (none for a sensor with one row, a vessel's). */
static void load_sensor(scn__ctx *c, const scn__node *m, scn_sar_asset *a) {
  const scn__node *v = scn__get(m, "sensor"), *alt = scn__get(m, "altitude");
  const char *name;
  if (!v) {
    if (alt) scn__error(c, alt, "'altitude' goes with 'sensor' (the sweep-width table's)");
    return;
  }
  if (scn__text(c, v, "sensor", &name)) return;
  size_t n = sar_sweep_sensor_count();
  const char *names[16];
  for (size_t k = 0; k < n && k < 16; k++) names[k] = sar_sweep_sensor_name(k);
  a->sensor = sar_sweep_sensor_find(name);
  if (a->sensor < 0) {
    const char *hint = scn__suggest(name, names, n < 16 ? n : 16);
    if (hint)
      scn__error(c, v, "unknown sensor '%s' (did you mean '%s'?)", name, hint);
    else
      scn__error(c, v, "unknown sensor '%s'", name);
    return;
  }
  double lo, hi;
  sar_sweep_altitudes((size_t)a->sensor, &lo, &hi);
  a->altitude = lo;
  if (lo == hi) {
    if (alt) scn__error(c, alt, "sensor '%s' has one altitude in the table: give no 'altitude'", name);
    return;
  }
  if (!alt) {
    scn__error(c, v, "sensor '%s' needs 'altitude' (the table has %gm to %gm)", name, lo, hi);
    return;
  }
  if (scn__quantity(c, alt, "altitude", QTY_LENGTH, &a->altitude) == 0 &&
      !(a->altitude >= lo && a->altitude <= hi))
    scn__error(c, alt, "'altitude' of sensor '%s' must lie within the table's %gm to %gm, got "
               "'%s'", name, lo, hi, alt->str);
}

/* The classes `sweep_width:` leaves out get the table's width for the unit's sensor. */
static void sweep_from_table(scn_sar_asset *a, const scn_sar *s) {
  if (a->sensor < 0) return;
  for (int o = 0; o < SCN_OBJ__COUNT; o++)
    if (!(a->sweep[o] > 0)) {
      double w = sar_sweep_width((size_t)a->sensor, a->altitude, o, s->visibility, s->weather);
      a->sweep[o] = w > 0 ? w : 0;
    }
}

/* `pattern:`, `coverage:` or `spacing:`, `layers:`, `detection:` and `recovery:` of a
 * unit (docs/scenario.md, "search patterns"). */
static void load_pattern(scn__ctx *c, const scn__node *m, scn_sar_asset *a, const char *id,
                         const char *what) {
  const scn__node *v, *cov = scn__get(m, "coverage"), *sp = scn__get(m, "spacing");
  const scn__node *lay = scn__get(m, "layers");
  a->layers = 1, a->pattern = SAR_PATTERN_OPTIMAL, a->detection = SAR_DETECT_RANDOM;
  if ((v = scn__get(m, "pattern"))) {
    static const char *const names[] = {"optimal", "parallel", "creeping", "square", "sector"};
    int k = v->kind == SCN__SCALAR ? sar_pattern_find(v->str) : -1;
    if (k < 0) {
      const char *hint = v->kind == SCN__SCALAR ? scn__suggest(v->str, names, 5) : NULL;
      if (hint)
        scn__error(c, v, "unknown search pattern '%s' (did you mean '%s'?)", v->str, hint);
      else
        scn__error(c, v, "'pattern' should be one of optimal, parallel, creeping, square, "
                   "sector");
    } else {
      a->pattern = k;
    }
  }
  if (cov && sp)
    scn__error(c, sp, "%s '%s' gives both 'coverage' and 'spacing': the spacing is the sweep "
               "width over the coverage, give one", what, id);
  if ((cov || sp) && a->pattern == SAR_PATTERN_OPTIMAL)
    scn__error(c, cov ? cov : sp, "'%s' sets the track spacing of a search pattern: give "
               "'pattern' (parallel, creeping, square or sector); the optimal plan sets its own",
               cov ? "coverage" : "spacing");
  if (cov) scn__number(c, cov, "coverage", 0.01, 10, &a->coverage);
  if (sp && scn__quantity(c, sp, "spacing", QTY_LENGTH, &a->spacing) == 0 && !(a->spacing > 0))
    scn__error(c, sp, "'spacing' must be greater than 0, got '%s'", sp->str);
  if (!cov && !sp && a->pattern != SAR_PATTERN_OPTIMAL)
    a->coverage = 1; /* IAMSAR's usual first search */
  if (lay) {
    long long x;
    if (a->pattern != SAR_PATTERN_OPTIMAL)
      scn__error(c, lay, "'layers' nests passes of the optimal plan; a '%s' pattern flies one",
                 sar_pattern_name(a->pattern));
    else if (scn__integer(c, lay, "layers", 1, SAR_LAYERS_MAX, &x) == 0)
      a->layers = (int)x;
  }
  if ((v = scn__get(m, "detection"))) {
    int k = v->kind == SCN__SCALAR ? sar_detection_find(v->str) : -1;
    if (k < 0)
      scn__error(c, v, "'detection' should be random, definite or inverse_cube");
    else
      a->detection = k;
  }
  if ((v = scn__get(m, "recovery"))) scn__quantity(c, v, "recovery", QTY_DURATION, &a->recovery);
}

/* The keys of a unit shared by a scenario's asset and a case file's unit. */
static void load_unit_common(scn__ctx *c, const scn__node *m, scn_sar_asset *a, const char *id,
                             int unit, const scn_sar *s) {
  const scn__node *v;
  const char *what = unit ? "unit" : "sar asset", *where = unit ? "" : " here or in the force";
  if ((v = scn__get(m, "speed"))) scn__quantity(c, v, "speed", QTY_SPEED, &a->speed);
  if (!(a->speed > 0))
    scn__error(c, v ? v : m, "%s '%s' needs a speed greater than 0: give 'speed'%s", what, id,
               where);
  if ((v = scn__get(m, "endurance"))) scn__quantity(c, v, "endurance", QTY_DURATION, &a->endurance);
  if (!(a->endurance > 0) || isinf(a->endurance))
    scn__error(c, v ? v : m, "%s '%s' needs a finite endurance: give 'endurance'%s", what, id,
               where);
  if ((v = scn__get(m, "response"))) scn__quantity(c, v, "response", QTY_DURATION, &a->response);
  if ((v = scn__get(m, "turnaround")))
    scn__quantity(c, v, "turnaround", QTY_DURATION, &a->turnaround);
  load_sensor(c, m, a);
  if ((v = scn__get(m, "sweep_width")))
    per_object(c, v, "sweep_width", read_sweep, a->sweep);
  else if (!scn__get(m, "sensor"))
    scn__error(c, m, "%s '%s' needs 'sweep_width' (per object class) or 'sensor' (the "
               "sweep-width table's)", what, id);
  sweep_from_table(a, s); /* `sweep_width:` wins where it names a class */
  load_pattern(c, m, a, id, what);
}

static void load_asset(scn__ctx *c, const scn__node *m, scn_sar_asset *a, const scn_sar *s) {
  static const char *const keys[] = {"force", "count", "speed", "endurance", "response",
                                     "turnaround", "sweep_width", "sensor", "altitude",
                                     "pattern", "coverage", "spacing", "layers", "detection",
                                     "recovery", NULL};
  memset(a, 0, sizeof *a);
  a->force = -1, a->turnaround = 3600, a->loc = scn__loc(m), a->sensor = -1;
  if (!scn__expect_map(c, m, "asset")) return;
  scn__check_keys(c, m, "sar asset", keys);
  a->force = scn__force_asset(c, m, "sar asset", &a->count, &a->speed, &a->endurance);
  if (a->force < 0) return;
  load_unit_common(c, m, a, c->sc->force[a->force].id, 0, s);
}

/* ---- datums: a point, a track or an area -------------------------------------- */

static void load_datum(scn__ctx *c, const scn__node *m, const char *what, scn_sar_datum *d) {
  const scn__node *at = scn__get(m, "at"), *track = scn__get(m, "track");
  const scn__node *radius = scn__get(m, "radius");
  d->shape = SCN_SAR_POINT, d->loc = scn__loc(m);
  if ((at != NULL) == (track != NULL)) {
    scn__error(c, m, "%s needs exactly one of 'at' (a last known position or, with 'radius', "
               "an area) and 'track'", what);
    return;
  }
  if (at) {
    scn__latlon(c, at, "at", &d->lat0, &d->lon0);
    if (radius && scn__quantity(c, radius, "radius", QTY_LENGTH, &d->radius) == 0) {
      if (!(d->radius > 0))
        scn__error(c, radius, "'radius' must be greater than 0, got '%s'", radius->str);
      d->shape = SCN_SAR_AREA;
    }
    return;
  }
  if (radius) scn__error(c, radius, "'radius' goes with 'at' (an area), not with 'track'");
  d->shape = SCN_SAR_TRACK;
  if (track->kind != SCN__SEQ || track->n != 2) {
    scn__error(c, track, "'track' should be two [lat, lon] points (from, to), got %s",
               scn__kind_phrase(track));
    return;
  }
  scn__latlon(c, track->item[0], "track", &d->lat0, &d->lon0);
  scn__latlon(c, track->item[1], "track", &d->lat1, &d->lon1);
}

/* sar.datums[]: {event: id, at | track, radius}: the event must raise person_missing. */
static void load_datums(scn__ctx *c, const scn__node *v, scn_sar *s) {
  static const char *const keys[] = {"event", "at", "track", "radius", NULL};
  if (!scn__expect_seq(c, v, "datums")) return;
  s->datum = scn__alloc(c, c->mem, (v->n ? v->n : 1) * sizeof *s->datum);
  if (!s->datum) return;
  for (size_t i = 0; i < v->n; i++) {
    const scn__node *m = v->item[i], *e;
    scn_sar_datum *d = &s->datum[s->ndatum];
    if (!scn__expect_map(c, m, "datum")) continue;
    scn__check_keys(c, m, "datum", keys);
    d->event = -1;
    if ((e = scn__need(c, m, "event", "datum")) && (d->event = scn__ids_resolve(c, &c->events, e)) >= 0) {
      const scn_event *ev = &c->sc->event[d->event];
      int raises = 0;
      for (size_t k = 0; k < ev->nraise; k++) raises |= ev->raise[k].signal == SIG_PERSON_MISSING;
      if (!raises)
        scn__error(c, e, "event '%s' raises no person_missing, so it opens no case to shape",
                   ev->id);
      for (size_t k = 0; k < s->ndatum; k++)
        if (s->datum[k].event == d->event)
          scn__error(c, e, "event '%s' has a datum already (line %d)", ev->id, s->datum[k].loc.line);
    }
    load_datum(c, m, "a datum", d);
    s->ndatum++;
  }
}

/* ---- tasks: the search obeys the plan ---------------------------------------- */

static void load_tasks(scn__ctx *c, const scn__node *v, scn_sar *s) {
  const scn_plan *p = c->sc->plan;
  if (!scn__expect_seq(c, v, "tasks")) return;
  if (!p || !p->ntask) {
    scn__error(c, v, "'tasks' names plan tasks, but the scenario has no plan tasks");
    return;
  }
  s->task = scn__alloc(c, c->mem, (v->n ? v->n : 1) * sizeof *s->task);
  if (!s->task) return;
  const char **names = scn__alloc(c, c->tree, p->ntask * sizeof *names);
  if (!names) return;
  for (size_t k = 0; k < p->ntask; k++) names[k] = p->task[k].id;
  for (size_t i = 0; i < v->n; i++) {
    const scn__node *t = v->item[i];
    const char *id;
    if (scn__text(c, t, "task", &id)) continue;
    int k = scn_task_find(p, id);
    if (k < 0) {
      const char *hint = scn__suggest(id, names, p->ntask);
      if (hint)
        scn__error(c, t, "unknown task '%s' (did you mean '%s'?)", id, hint);
      else
        scn__error(c, t, "unknown task '%s'", id);
      continue;
    }
    const scn_task *tk = &p->task[k];
    if (!tk->activity.id || strcmp(tk->activity.id, "search_and_rescue") != 0) {
      scn__error(c, t, "task '%s' is '%s', not search_and_rescue: it cannot carry the search",
                 id, tk->activity.id ? tk->activity.id : "");
      continue;
    }
    int bad = 0;
    for (size_t a = 0; a < s->nasset && !bad; a++) {
      if (s->asset[a].force < 0) continue;
      const scn_force *f = &c->sc->force[s->asset[a].force];
      if (tk->owner && f->nation && strcmp(tk->owner, f->nation) != 0) {
        scn__error(c, t, "task '%s' is owned by %s, but sar asset '%s' belongs to %s", id,
                   tk->owner, f->id, f->nation);
        bad = 1;
      }
    }
    for (size_t j = 0; j < s->ntask; j++)
      if (s->task[j] == k) scn__error(c, t, "task '%s' is listed twice", id), bad = 1;
    if (!bad) s->task[s->ntask++] = k;
  }
}

/* ---- which task searches a case ---------------------------------------------- */

void scn_sar_case_centre(const scn_sar *s, int event, double lat, double lon, double *clat,
                         double *clon) {
  *clat = lat, *clon = lon;
  for (size_t i = 0; event >= 0 && i < s->ndatum; i++) {
    const scn_sar_datum *d = &s->datum[i];
    if (d->event != event) continue;
    *clat = d->lat0, *clon = d->lon0;
    if (d->shape == SCN_SAR_TRACK) /* the midpoint is near enough for a leg of a track */
      *clat = 0.5 * (d->lat0 + d->lat1), *clon = 0.5 * (d->lon0 + d->lon1);
    return;
  }
}

static int cond_names_event(const scn_cond *q, int event) {
  if (q->kind == SCN_COND_EVENT) return q->ref == event;
  if (q->kind == SCN_COND_ALL || q->kind == SCN_COND_ANY)
    for (size_t i = 0; i < q->n; i++)
      if (cond_names_event(&q->sub[i], event)) return 1;
  return 0;
}

int scn_sar_task_covers(const scn_scenario *sc, const scn_sar *s, int task, int event,
                        double clat, double clon) {
  const scn_plan *p = sc->plan;
  if (!p || task < 0 || (size_t)task >= p->ntask) return 0;
  const scn_task *t = &p->task[task];
  if (event >= 0 && t->has_start && cond_names_event(&t->start, event)) return 1;
  if (t->region >= 0) return scn_region_contains(&sc->region[t->region], clat, clon);
  if (t->place >= 0)
    return geo_distance(sc->place[t->place].lat, sc->place[t->place].lon, clat, clon) <=
           s->task_radius;
  return 0;
}

/* A case that no task of `tasks:` covers is never searched: say so where its position
 * is written (the datum, else the person_missing raise). */
static void warn_uncovered(scn__ctx *c, const scn_sar *s) {
  const scn_scenario *sc = c->sc;
  for (size_t e = 0; e < sc->nevent; e++)
    for (size_t k = 0; k < sc->event[e].nraise; k++) {
      const scn_raise *r = &sc->event[e].raise[k];
      if (r->signal != SIG_PERSON_MISSING) continue;
      double la, lo;
      scn_sar_case_centre(s, (int)e, r->lat, r->lon, &la, &lo);
      int covered = 0;
      for (size_t j = 0; j < s->ntask && !covered; j++)
        covered = scn_sar_task_covers(sc, s, s->task[j], (int)e, la, lo);
      if (covered) continue;
      scn_loc at = r->loc;
      for (size_t i = 0; i < s->ndatum; i++)
        if (s->datum[i].event == (int)e) at = s->datum[i].loc;
      diag_report(c->d, DIAG_WARNING, at.file, at.line, at.col,
                  "the case that event '%s' opens at (%.4f, %.4f) is covered by no task of "
                  "'sar.tasks' (none starts on '%s' or has it in its area, a place's "
                  "area reaching task_radius): it will not be searched", sc->event[e].id, la, lo,
                  sc->event[e].id);
    }
}

/* ---- the settings shared by `sar:` and a case file's `search:` ------------------ */

static const char *const settings_keys[] = {
    "particles", "time_step", "jibe_rate", "position_sigma", "time_window", "search_limit",
    "cell", "land", "land_resolution", "current", "wind", "survival", "water_temperature",
    "survival_sigma", "visibility", "weather"};
#define NSETTINGS (sizeof settings_keys / sizeof settings_keys[0])

static scn_sar *new_sar(scn__ctx *c) {
  scn_sar *s = scn__alloc(c, c->mem, sizeof *s);
  if (!s) return NULL;
  *s = (scn_sar){.particles = 2000, .max_cases = 4, .time_step = 1800,
                 .jibe_rate = 0.04 / 3600, .position_sigma = 1852, .time_window = 0,
                 .search_limit = 72 * 3600.0, .cell = 2000, .land = 1, .land_res = 1.0 / 60,
                 .survival_sigma = 0.25, .task_radius = 100 * 1852.0, .stop_pos = 1,
                 .visibility = 10 * 1852.0, .weather = SAR_WEATHER_CALM};
  for (int o = 0; o < SCN_OBJ__COUNT; o++)
    s->survival[o] = (dist){DIST_LOGNORMAL, log(survival_median_h(o) * 3600), 0.5, 0, NULL, 0};
  return s;
}

static void load_settings(scn__ctx *c, const scn__node *m, scn_sar *s) {
  const scn__node *v;
  long long x;
  double d;
  if ((v = scn__get(m, "particles")) && scn__integer(c, v, "particles", 10, 1000000, &x) == 0)
    s->particles = (int)x;
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
  if ((v = scn__get(m, "survival"))) per_object(c, v, "survival", read_survival, s);
  if ((v = scn__get(m, "water_temperature"))) {
    s->has_water = 1;
    load_water(c, v, &s->water);
    s->water_loc = scn__loc(v);
    const scn__node *sv = scn__get(m, "survival");
    if (sv && sv->kind == SCN__MAP && scn__get(sv, "piw"))
      scn__error(c, scn__key(sv, "piw"), "'survival.piw' and 'water_temperature' both set how "
                 "long a person survives in the water: give one");
  }
  if ((v = scn__get(m, "visibility")) &&
      scn__quantity(c, v, "visibility", QTY_LENGTH, &s->visibility) == 0 && !(s->visibility > 0))
    scn__error(c, v, "'visibility' must be greater than 0, got '%s'", v->str);
  if ((v = scn__get(m, "weather"))) {
    static const char *const weathers[] = {"calm", "moderate", "rough"};
    scn__choice(c, v, "weather", weathers, 3, &s->weather);
  }
  if ((v = scn__get(m, "survival_sigma"))) {
    if (!s->has_water)
      scn__error(c, v, "'survival_sigma' spreads the survival time from 'water_temperature', "
                 "which is not given");
    else
      scn__number(c, v, "survival_sigma", 0, 2, &s->survival_sigma);
  }
}

/* `stop: {p_alive_below, pos_above}`: a case file's `case:` or a scenario's `sar:`. */
static void load_stop(scn__ctx *c, const scn__node *v, double *p_alive, double *pos) {
  static const char *const keys[] = {"p_alive_below", "pos_above", NULL};
  const scn__node *w;
  if (!scn__expect_map(c, v, "stop")) return;
  scn__check_keys(c, v, "stop", keys);
  if ((w = scn__get(v, "p_alive_below"))) scn__number(c, w, "p_alive_below", 0, 1, p_alive);
  if ((w = scn__get(v, "pos_above"))) scn__number(c, w, "pos_above", 0, 1, pos);
}

static void *load_section(scn__ctx *c, const scn__node *m) {
  static const char *extra[] = {"max_cases", "assets", "tasks", "datums", "task_radius",
                                "stop"};
  const char *keys[NSETTINGS + 7];
  const scn__node *v;
  long long x;
  memcpy(keys, settings_keys, sizeof settings_keys);
  memcpy(keys + NSETTINGS, extra, sizeof extra);
  keys[NSETTINGS + 6] = NULL;
  if (!scn__expect_map(c, m, "sar")) return NULL;
  scn__check_keys(c, m, "sar", keys);
  scn_sar *s = new_sar(c);
  if (!s) return NULL;
  load_settings(c, m, s);
  if ((v = scn__get(m, "max_cases")) && scn__integer(c, v, "max_cases", 1, 1000, &x) == 0)
    s->max_cases = (int)x;
  if ((v = scn__need(c, m, "assets", "sar")) && scn__expect_seq(c, v, "assets")) {
    if (v->n == 0) scn__error(c, v, "'assets' needs at least one asset");
    s->asset = scn__alloc(c, c->mem, (v->n ? v->n : 1) * sizeof *s->asset);
    if (s->asset) {
      s->nasset = v->n;
      for (size_t i = 0; i < v->n; i++) load_asset(c, v->item[i], &s->asset[i], s);
    }
  }
  if ((v = scn__get(m, "task_radius")) &&
      scn__quantity(c, v, "task_radius", QTY_LENGTH, &s->task_radius) == 0 &&
      !(s->task_radius >= 0 && isfinite(s->task_radius)))
    scn__error(c, v, "'task_radius' must be a distance of 0 or more, got '%s'", v->str);
  if ((v = scn__get(m, "tasks"))) load_tasks(c, v, s);
  if ((v = scn__get(m, "datums"))) load_datums(c, v, s);
  if ((v = scn__get(m, "stop"))) load_stop(c, v, &s->stop_p_alive, &s->stop_pos);
  if (s->ntask) warn_uncovered(c, s);
  return s;
}

const scn_section sar_section = {"sar", load_section, NULL};

/* ---- a standalone case file ----------------------------------------------------- */

static void load_case(scn__ctx *c, const scn__node *m, scn_sar_case *k) {
  static const char *const keys[] = {"name", "reported", "seed", "object", "persons", "at",
                                     "track", "radius", "sorties", "stop", NULL};
  const scn__node *v;
  long long x;
  scn_scenario *sc = c->sc;
  k->name = "", k->persons = 1, k->sorties = 1, k->object = SCN_OBJ_PIW;
  k->stop_p_alive = 0, k->stop_pos = 1;
  if (!scn__expect_map(c, m, "case")) return;
  scn__check_keys(c, m, "case", keys);
  if ((v = scn__get(m, "name"))) scn__text(c, v, "name", &k->name);
  if ((v = scn__need(c, m, "reported", "case")) && scn__text(c, v, "reported", &sc->epoch) == 0 &&
      !scn__parse_epoch(sc->epoch, &sc->epoch_unix))
    scn__error(c, v, "'reported' should be a UTC time like '2027-04-01T06:30Z', got '%s'", sc->epoch);
  if ((v = scn__get(m, "seed")) && scn__integer(c, v, "seed", 0, LLONG_MAX, &x) == 0)
    sc->seed = (uint64_t)x;
  if ((v = scn__get(m, "object"))) {
    int o = v->kind == SCN__SCALAR ? object_index(v->str) : -1;
    if (o < 0)
      object_error(c, v);
    else
      k->object = o;
  }
  if ((v = scn__get(m, "persons")) && scn__integer(c, v, "persons", 1, 10000, &x) == 0)
    k->persons = (int)x;
  if ((v = scn__get(m, "sorties")) && scn__integer(c, v, "sorties", 1, 20, &x) == 0)
    k->sorties = (int)x;
  if ((v = scn__get(m, "stop"))) load_stop(c, v, &k->stop_p_alive, &k->stop_pos);
  load_datum(c, m, "'case'", &k->datum);
  k->datum.event = -1;
}

/* units[]: {id, base: [lat, lon], count, speed, endurance, response, turnaround,
 * sweep_width}: each becomes a force based at a place of its own. */
static void load_units(scn__ctx *c, const scn__node *v, scn_sar *s) {
  static const char *const keys[] = {"id", "base", "count", "speed", "endurance", "response",
                                     "turnaround", "sweep_width", "sensor", "altitude",
                                     "pattern", "coverage", "spacing", "layers", "detection",
                                     "recovery", NULL};
  scn_scenario *sc = c->sc;
  if (!scn__expect_seq(c, v, "units")) return;
  if (v->n == 0) scn__error(c, v, "'units' needs at least one unit");
  size_t n = v->n ? v->n : 1;
  sc->place = scn__alloc(c, c->mem, n * sizeof *sc->place);
  sc->force = scn__alloc(c, c->mem, n * sizeof *sc->force);
  s->asset = scn__alloc(c, c->mem, n * sizeof *s->asset);
  if (!sc->place || !sc->force || !s->asset) return;
  for (size_t i = 0; i < v->n; i++) {
    const scn__node *m = v->item[i], *p;
    if (!scn__expect_map(c, m, "unit")) continue;
    scn__check_keys(c, m, "unit", keys);
    const char *id = NULL;
    if (scn__item_id(c, m, &c->forces, &id) < 0 || !id) continue;
    size_t k = sc->nforce++;
    scn_place *pl = &sc->place[k];
    scn_force *f = &sc->force[k];
    scn_sar_asset *a = &s->asset[k];
    *pl = (scn_place){.id = id, .name = "", .kind = "base", .nation = "", .source = "",
                      .loc = scn__loc(m)};
    *f = (scn_force){.id = id, .name = "", .nation = "", .kind = "sar_unit", .base = (int)k,
                     .count = 1, .capacity_mass = NAN, .capacity_volume = NAN,
                     .endurance = INFINITY, .loc = scn__loc(m)};
    memset(a, 0, sizeof *a);
    a->force = (int)k, a->count = 1, a->turnaround = 3600, a->endurance = INFINITY;
    a->sensor = -1;
    if ((p = scn__need(c, m, "base", "unit"))) scn__latlon(c, p, "base", &pl->lat, &pl->lon);
    long long x;
    if ((p = scn__get(m, "count")) && scn__integer(c, p, "count", 1, 100, &x) == 0)
      f->count = a->count = (int)x;
    load_unit_common(c, m, a, id, 1, s);
    f->speed = a->speed, f->endurance = a->endurance;
  }
  sc->nplace = sc->nforce;
  s->nasset = sc->nforce;
}

static void interpret_case(scn__ctx *c, const scn__node *root) {
  static const char *const keys[] = {"case", "search", "units", NULL};
  const scn__node *v;
  scn_scenario *sc = c->sc;
  if (!scn__expect_map(c, root, "the top level")) return;
  scn__check_keys(c, root, "a case file", keys);
  scn_sar *s = new_sar(c);
  if (!s) return;
  s->kase = scn__alloc(c, c->mem, sizeof *s->kase);
  if (!s->kase) return;
  sc->seed = 1, sc->notional = 1, sc->description = "", sc->name = "";
  c->forces.what = "unit"; /* a case file's units are its forces: say so in messages */
  if ((v = scn__need(c, root, "case", "a case file"))) load_case(c, v, s->kase);
  sc->name = s->kase->name;
  if ((v = scn__get(root, "search"))) {
    const char *keys2[NSETTINGS + 1];
    memcpy(keys2, settings_keys, sizeof settings_keys);
    keys2[NSETTINGS] = NULL;
    if (scn__expect_map(c, v, "search")) {
      scn__check_keys(c, v, "search", keys2);
      load_settings(c, v, s);
    }
  }
  if ((v = scn__need(c, root, "units", "a case file"))) load_units(c, v, s);
  s->max_cases = 1;
  sc->horizon = s->search_limit;
  scn__section_put(c, &sar_section, s);
}

int scn_sar_case_load(scn_scenario **out, const char *path, const scn_load_options *opt,
                      diag *d) {
  return scn__load_with(out, path, opt, d, interpret_case);
}
