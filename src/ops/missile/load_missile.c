/* load_missile.c - the `missile:` section: the notional missile defense (leak-through
 * probability, interceptors per missile, one stock or defended areas), the raids (a
 * trigger, a size, weighted targets, repeats), J-Alert warnings, closure durations and
 * missing persons after an impact at a port (schema in docs/scenario.md "missile"). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scn_missile.h"
#include "scn_section.h"

/* Section-wide values a raid inherits unless it writes its own. */
typedef struct msl_defaults {
  double lead;
  dist shelter, closure;
  int has_alert, has_closure;
  scn_loc shelter_loc, closure_loc;
  scn_msl_missing missing;
  double casualties;
} msl_defaults;

/* A list of place ids into out[n] (scenario memory); -1 entries after an error. */
static int *read_places(scn__ctx *c, const scn__node *v, const char *key, size_t *n) {
  *n = 0;
  if (!scn__expect_seq(c, v, key)) return NULL;
  if (v->n == 0) return NULL;
  int *out = scn__alloc(c, c->mem, v->n * sizeof *out);
  if (!out) return NULL;
  for (size_t i = 0; i < v->n; i++) out[i] = scn__ids_resolve(c, &c->places, v->item[i]);
  *n = v->n;
  return out;
}

/* alert: {lead, shelter} -- J-Alert's warning lead time before the impacts and the
 * time warned places shelter (pause loading, flight and boarding). */
static void read_alert(scn__ctx *c, const scn__node *v, double *lead, dist *shelter,
                       scn_loc *shelter_loc) {
  static const char *const keys[] = {"lead", "shelter", NULL};
  if (!scn__expect_map(c, v, "alert")) return;
  scn__check_keys(c, v, "alert", keys);
  const scn__node *w;
  if ((w = scn__need(c, v, "lead", "alert")) &&
      scn__quantity(c, w, "lead", QTY_DURATION, lead) == 0 && *lead < 0)
    scn__error(c, w, "'lead' must be at least 0, got '%s'", w->str);
  if ((w = scn__need(c, v, "shelter", "alert")) &&
      scn__dist(c, w, "shelter", QTY_DURATION, shelter) == 0)
    *shelter_loc = scn__loc(w);
}

/* missing: {p, object, count} after an impact at a port. */
static void read_missing(scn__ctx *c, const scn__node *v, scn_msl_missing *out) {
  static const char *const keys[] = {"p", "object", "count", NULL};
  const char *objects[SCN_OBJ__COUNT];
  for (int i = 0; i < SCN_OBJ__COUNT; i++) objects[i] = scn_object_name((scn_object)i);
  if (!scn__expect_map(c, v, "missing")) return;
  scn__check_keys(c, v, "missing", keys);
  const scn__node *w;
  long long n;
  *out = (scn_msl_missing){0, SCN_OBJ_PIW, 1};
  if ((w = scn__need(c, v, "p", "missing"))) scn__probability(c, w, "p", &out->p);
  if ((w = scn__get(v, "object"))) scn__choice(c, w, "object", objects, SCN_OBJ__COUNT, &out->object);
  if ((w = scn__need(c, v, "count", "missing")) && scn__integer(c, w, "count", 1, 10000, &n) == 0)
    out->count = (int)n;
}

static void read_closure(scn__ctx *c, const scn__node *v, dist *d, scn_loc *loc) {
  if (scn__dist(c, v, "closure", QTY_DURATION, d) == 0) *loc = scn__loc(v);
}

/* defense: {leak, per_missile, stock | areas: [{id, places, stock}]} */
static void read_defense(scn__ctx *c, const scn__node *v, scn_missile *M) {
  static const char *const keys[] = {"leak", "per_missile", "stock", "areas", NULL};
  static const char *const area_keys[] = {"id", "places", "stock", NULL};
  if (!scn__expect_map(c, v, "defense")) return;
  scn__check_keys(c, v, "defense", keys);
  const scn__node *w, *stock = scn__get(v, "stock"), *areas = scn__get(v, "areas");
  long long n;
  if ((w = scn__need(c, v, "leak", "defense"))) scn__probability(c, w, "leak", &M->leak);
  if ((w = scn__get(v, "per_missile")) && scn__integer(c, w, "per_missile", 1, 1000, &n) == 0)
    M->per_missile = (int)n;
  if ((stock != NULL) == (areas != NULL)) {
    scn__error(c, v, "'defense' takes one of 'stock' (one pool for every place) or 'areas'");
    return;
  }
  if (stock) {
    if (scn__integer(c, stock, "stock", 0, SCN_MSL_MAX_STOCK, &n)) return;
    if (!(M->area = scn__alloc(c, c->mem, sizeof *M->area))) return;
    M->narea = 1;
    M->area[0] = (scn_msl_area){"pool", 0, NULL, (int)n};
    for (size_t p = 0; p < c->sc->nplace; p++) M->area_of[p] = 0;
    return;
  }
  if (!scn__expect_seq(c, areas, "areas")) return;
  if (areas->n == 0) {
    scn__error(c, areas, "'areas' needs at least one area");
    return;
  }
  if (!(M->area = scn__alloc(c, c->mem, areas->n * sizeof *M->area))) return;
  M->narea = areas->n;
  scn__ids ids;
  scn__ids_init(&ids, "defended area");
  for (size_t i = 0; i < areas->n; i++) {
    const scn__node *item = areas->item[i];
    scn_msl_area *a = &M->area[i];
    a->id = "";
    if (!scn__expect_map(c, item, "area")) continue;
    scn__check_keys(c, item, "defended area", area_keys);
    scn__item_id(c, item, &ids, &a->id);
    if (!a->id) a->id = "";
    if ((w = scn__need(c, item, "stock", "defended area")) &&
        scn__integer(c, w, "stock", 0, SCN_MSL_MAX_STOCK, &n) == 0)
      a->stock = (int)n;
    if (!(w = scn__need(c, item, "places", "defended area"))) continue;
    a->place = read_places(c, w, "places", &a->nplace);
    if (w->kind == SCN__SEQ && w->n == 0) scn__error(c, w, "'places' needs at least one place");
    for (size_t k = 0; k < a->nplace; k++) {
      int p = a->place[k];
      if (p < 0) continue;
      if (M->area_of[p] >= 0 && M->area_of[p] != (int)i)
        scn__error(c, w->item[k], "place '%s' is already defended by area '%s'",
                   c->sc->place[p].id, M->area[M->area_of[p]].id);
      else
        M->area_of[p] = (int)i;
    }
  }
}

/* targets: [{place, weight} ...] or [{place, share} ...] (shares sum to 1). */
static void read_targets(scn__ctx *c, const scn__node *v, scn_msl_raid *r) {
  static const char *const keys[] = {"place", "weight", "share", NULL};
  if (!scn__expect_seq(c, v, "targets")) return;
  if (v->n == 0) {
    scn__error(c, v, "'targets' needs at least one place");
    return;
  }
  if (!(r->target = scn__alloc(c, c->mem, v->n * sizeof *r->target))) return;
  r->ntarget = v->n;
  int shares = 0, weights = 0, bad = 0;
  double total = 0;
  for (size_t i = 0; i < v->n; i++) {
    const scn__node *item = v->item[i], *w, *s;
    scn_msl_target *t = &r->target[i];
    t->place = -1, t->p = 0;
    if (!scn__expect_map(c, item, "target")) {
      bad = 1;
      continue;
    }
    scn__check_keys(c, item, "target", keys);
    if ((w = scn__need(c, item, "place", "target")))
      bad |= (t->place = scn__ids_resolve(c, &c->places, w)) < 0;
    for (size_t k = 0; k < i; k++)
      if (t->place >= 0 && r->target[k].place == t->place) {
        scn__error(c, w, "place '%s' is a target of raid '%s' twice", c->sc->place[t->place].id,
                   r->id);
        bad = 1;
      }
    w = scn__get(item, "weight"), s = scn__get(item, "share");
    if (w && s) {
      scn__error(c, s, "a target takes 'weight' or 'share', not both");
      bad = 1;
      continue;
    }
    if (s) {
      shares = 1;
      bad |= scn__probability(c, s, "share", &t->p) != 0;
    } else if (w) {
      weights = 1;
      if (scn__number(c, w, "weight", 0, 1e9, &t->p)) bad = 1;
    } else {
      t->p = 1; /* equal weights */
      weights = 1;
    }
    total += t->p;
  }
  if (shares && weights) {
    scn__error(c, v, "the targets of raid '%s' mix 'share' and 'weight' (or none); give "
               "every target a share, or weights", r->id);
    return;
  }
  if (bad) return;
  if (shares && fabs(total - 1) > 1e-6) {
    scn__error(c, v, "the shares of raid '%s' add up to %g, not 1", r->id, total);
    return;
  }
  if (!(total > 0)) {
    scn__error(c, v, "the weights of raid '%s' are all 0", r->id);
    return;
  }
  double acc = 0;
  for (size_t i = 0; i < r->ntarget; i++) {
    r->target[i].p /= total;
    r->target[i].cum = (acc += r->target[i].p);
  }
  r->target[r->ntarget - 1].cum = 1;
}

static void read_repeat(scn__ctx *c, const scn__node *v, scn_msl_raid *r) {
  static const char *const keys[] = {"every", "count", NULL};
  if (!scn__expect_map(c, v, "repeat")) return;
  scn__check_keys(c, v, "repeat", keys);
  const scn__node *w;
  long long n;
  if ((w = scn__need(c, v, "every", "repeat")) &&
      scn__quantity(c, w, "every", QTY_DURATION, &r->every) == 0 && !(r->every > 0))
    scn__error(c, w, "'every' must be greater than 0, got '%s'", w->str);
  if ((w = scn__need(c, v, "count", "repeat")) &&
      scn__integer(c, w, "count", 0, SCN_MSL_MAX_REPEAT, &n) == 0)
    r->repeat = (int)n;
}

static void read_raid(scn__ctx *c, const scn__node *item, scn__ids *ids, const msl_defaults *df,
                      scn_msl_raid *r) {
  static const char *const keys[] = {"id",   "name",   "at",      "after",   "delay",
                                     "size", "targets", "repeat", "warn",    "alert",
                                     "closure", "missing", "casualties", NULL};
  *r = (scn_msl_raid){.event = -1, .delay = dist_fixed(0), .size = 1, .lead = df->lead,
                      .shelter = df->shelter, .closure = df->closure, .missing = df->missing,
                      .casualties = df->casualties, .loc = scn__loc(item),
                      .closure_loc = df->closure_loc, .shelter_loc = df->shelter_loc};
  r->id = "";
  if (!scn__expect_map(c, item, "raid")) return;
  scn__check_keys(c, item, "raid", keys);
  scn__item_id(c, item, ids, &r->id);
  if (!r->id) r->id = "";
  const scn__node *v, *at = scn__get(item, "at"), *after = scn__get(item, "after");
  long long n;
  if ((v = scn__get(item, "name"))) scn__text(c, v, "name", &r->name);
  if (!r->name) r->name = "";
  if ((at != NULL) == (after != NULL)) {
    scn__error(c, item, "raid '%s' takes one of 'at' (a time) or 'after' (a crisis event)", r->id);
  } else if (at) {
    if (scn__quantity(c, at, "at", QTY_DURATION, &r->at) == 0 && r->at < 0)
      scn__error(c, at, "'at' must be at least 0, got '%s'", at->str);
  } else {
    r->event = scn__ids_resolve(c, &c->events, after);
  }
  r->delay_loc = scn__loc(item);
  if ((v = scn__get(item, "delay")) && scn__dist(c, v, "delay", QTY_DURATION, &r->delay) == 0)
    r->delay_loc = scn__loc(v);
  if ((v = scn__need(c, item, "size", "raid")) &&
      scn__integer(c, v, "size", 1, SCN_MSL_MAX_SIZE, &n) == 0)
    r->size = (int)n;
  if ((v = scn__need(c, item, "targets", "raid"))) read_targets(c, v, r);
  if ((v = scn__get(item, "repeat"))) read_repeat(c, v, r);
  const scn__node *alert = scn__get(item, "alert"), *warn = scn__get(item, "warn");
  int has_alert = df->has_alert;
  if (alert && alert->kind == SCN__SCALAR && strcmp(alert->str, "none") == 0) {
    has_alert = 0;
    if (warn) scn__error(c, warn, "raid '%s' has 'alert: none' and 'warn'; give one", r->id);
    warn = NULL;
  } else if (alert) {
    read_alert(c, alert, &r->lead, &r->shelter, &r->shelter_loc);
    has_alert = 1;
  }
  if (warn) {
    if (!has_alert)
      scn__error(c, warn, "raid '%s' warns places but no 'alert: {lead, shelter}' is given "
                 "(here or for the section)", r->id);
    else if (!(warn->kind == SCN__SEQ && warn->n == 0))
      r->warn = read_places(c, warn, "warn", &r->nwarn);
  } else if (has_alert && r->target) {
    /* J-Alert warns the targets by default */
    if ((r->warn = scn__alloc(c, c->mem, r->ntarget * sizeof *r->warn))) {
      r->nwarn = r->ntarget;
      for (size_t i = 0; i < r->ntarget; i++) r->warn[i] = r->target[i].place;
    }
  }
  if ((v = scn__get(item, "closure"))) read_closure(c, v, &r->closure, &r->closure_loc);
  else if (!df->has_closure)
    scn__error(c, item, "raid '%s' needs a 'closure' duration (here or for the section)", r->id);
  if ((v = scn__get(item, "missing"))) read_missing(c, v, &r->missing);
  if ((v = scn__get(item, "casualties"))) scn__number(c, v, "casualties", 0, 1e6, &r->casualties);
}

static void *load_section(scn__ctx *c, const scn__node *m) {
  static const char *const keys[] = {"defense", "raids",   "alert", "closure",
                                     "missing", "casualties", NULL};
  if (!scn__expect_map(c, m, "missile")) return NULL;
  scn__check_keys(c, m, "missile", keys);
  scn_missile *M = scn__alloc(c, c->mem, sizeof *M);
  if (!M) return NULL;
  M->per_missile = 1;
  M->area_of = scn__alloc(c, c->mem, (c->sc->nplace + 1) * sizeof *M->area_of);
  if (!M->area_of) return NULL;
  for (size_t p = 0; p < c->sc->nplace; p++) M->area_of[p] = -1;
  msl_defaults df = {.lead = 0, .shelter = dist_fixed(0), .closure = dist_fixed(0)};
  const scn__node *v;
  if ((v = scn__need(c, m, "defense", "missile"))) read_defense(c, v, M);
  if ((v = scn__get(m, "alert"))) {
    read_alert(c, v, &df.lead, &df.shelter, &df.shelter_loc);
    df.has_alert = 1;
  }
  if ((v = scn__get(m, "closure"))) {
    read_closure(c, v, &df.closure, &df.closure_loc);
    df.has_closure = 1;
  }
  if ((v = scn__get(m, "missing"))) read_missing(c, v, &df.missing);
  if ((v = scn__get(m, "casualties"))) scn__number(c, v, "casualties", 0, 1e6, &df.casualties);
  const scn__node *raids = scn__need(c, m, "raids", "missile");
  if (!raids || !scn__expect_seq(c, raids, "raids")) return M;
  if (raids->n == 0) {
    scn__error(c, raids, "'raids' needs at least one raid");
    return M;
  }
  if (raids->n > SCN_MSL_MAX_RAIDS) {
    scn__error(c, raids, "too many raids: %zu (the limit is %d)", raids->n, SCN_MSL_MAX_RAIDS);
    return M;
  }
  if (!(M->raid = scn__alloc(c, c->mem, raids->n * sizeof *M->raid))) return M;
  M->nraid = raids->n;
  scn__ids ids;
  scn__ids_init(&ids, "raid");
  for (size_t i = 0; i < raids->n; i++) read_raid(c, raids->item[i], &ids, &df, &M->raid[i]);
  return M;
}

const scn_section msl_section = {"missile", load_section, NULL};
