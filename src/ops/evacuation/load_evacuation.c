/* load_evacuation.c - the `evacuation:` section: groups, modes and facilities, every
 * bad field reported where it is written (schema in docs/scenario.md "evacuation"). */
#include <math.h>
#include <string.h>

#include "scn_evacuation.h"
#include "scn_plan.h"
#include "scn_section.h"

const char *scn_evac_operator_name(scn_evac_operator op) {
  static const char *const names[] = {"sdf", "us", "civil"};
  return (unsigned)op < 3 ? names[op] : NULL;
}

typedef struct evac_loader {
  scn__ctx *c;
  scn_evacuation *ev;
  scn__ids groups, modes;
} evac_loader;

/* start: exactly one of at, after (a crisis event), situation, gate. */
static void load_start(evac_loader *L, scn_evac_group *g, const scn__node *m) {
  static const char *const keys[] = {"at", "after", "situation", "gate", NULL};
  scn__ctx *c = L->c;
  g->start_loc = scn__loc(m);
  if (!scn__expect_map(c, m, "start")) return;
  scn__check_keys(c, m, "start", keys);
  const scn__node *at = scn__get(m, "at"), *after = scn__get(m, "after"),
                  *sit = scn__get(m, "situation"), *gate = scn__get(m, "gate");
  if ((at != NULL) + (after != NULL) + (sit != NULL) + (gate != NULL) != 1) {
    scn__error(c, m, "'start' takes exactly one of 'at', 'after', 'situation' or 'gate'");
    return;
  }
  if (at) {
    g->start_kind = SCN_EVAC_START_AT;
    if (scn__quantity(c, at, "at", QTY_DURATION, &g->start_at) == 0 && g->start_at < 0)
      scn__error(c, at, "'at' must not be negative");
  } else if (after) {
    g->start_kind = SCN_EVAC_START_EVENT;
    g->start_event = scn__ids_resolve(c, &c->events, after);
  } else if (sit) {
    const char *names[SCN_SIT__COUNT];
    for (int i = 0; i < SCN_SIT__COUNT; i++) names[i] = scn_situation_name((scn_situation)i);
    g->start_kind = SCN_EVAC_START_SITUATION;
    scn__choice(c, sit, "situation", names, SCN_SIT__COUNT, &g->start_situation);
  } else {
    g->start_kind = SCN_EVAC_START_GATE;
    scn__text(c, gate, "gate", &g->start_gate);
    g->start_loc = scn__loc(gate);
  }
}

static void load_groups(evac_loader *L, const scn__node *list) {
  static const char *const keys[] = {"id", "kind", "nation", "count", "at", "start",
                                     "priority", NULL};
  static const char *const kinds[] = {"nationals", "residents"};
  static const char *const nations[] = {"JP", "US", "other"};
  scn__ctx *c = L->c;
  scn_evacuation *ev = L->ev;
  if (!scn__expect_seq(c, list, "groups")) return;
  if (list->n == 0) scn__error(c, list, "'groups' needs at least one group");
  if (list->n > SCN_EVAC_MAX_GROUPS) {
    scn__error(c, list, "%zu groups: at most %d", list->n, SCN_EVAC_MAX_GROUPS);
    return;
  }
  ev->group = scn__alloc(c, c->mem, (list->n ? list->n : 1) * sizeof *ev->group);
  if (!ev->group) return;
  ev->ngroup = list->n;
  for (size_t i = 0; i < list->n; i++) {
    const scn__node *m = list->item[i], *v;
    scn_evac_group *g = &ev->group[i];
    *g = (scn_evac_group){.id = "", .nation = "other", .count = 0, .place = -1, .priority = 1,
                          .start_kind = SCN_EVAC_START_AT, .start_event = -1,
                          .start_situation = -1, .start_loc = scn__loc(m), .loc = scn__loc(m)};
    if (!scn__expect_map(c, m, "groups")) continue;
    scn__check_keys(c, m, "evacuation group", keys);
    scn__item_id(c, m, &L->groups, &g->id);
    int x;
    if ((v = scn__get(m, "kind")) && scn__choice(c, v, "kind", kinds, 2, &x) == 0)
      g->kind = (scn_evac_kind)x;
    if ((v = scn__need(c, m, "nation", "evacuation group")) &&
        scn__choice(c, v, "nation", nations, 3, &x) == 0)
      g->nation = nations[x];
    if ((v = scn__need(c, m, "count", "evacuation group")))
      scn__integer(c, v, "count", 1, SCN_EVAC_MAX_COUNT, &g->count);
    if ((v = scn__need(c, m, "at", "evacuation group"))) g->place = scn__ids_resolve(c, &c->places, v);
    long long p;
    if ((v = scn__get(m, "priority")) && scn__integer(c, v, "priority", 0, 1000, &p) == 0)
      g->priority = (int)p;
    if ((v = scn__get(m, "start"))) load_start(L, g, v);
    /* CPA arts. 52, 54: residents leave on the government's instruction to evacuate. */
    if (g->kind == SCN_EVAC_RESIDENTS && g->start_kind != SCN_EVAC_START_SITUATION &&
        g->start_kind != SCN_EVAC_START_GATE)
      scn__error(c, v ? v : m, "group '%s' is residents of Japan, whom the government orders "
                 "to evacuate (Civil Protection Act): start it with 'start: {situation: ...}' "
                 "or 'start: {gate: ...}'", g->id);
    if (g->kind == SCN_EVAC_RESIDENTS && strcmp(g->nation, "JP") != 0 && v)
      scn__warning(c, m, "group '%s' is residents of Japan but of nation '%s'", g->id, g->nation);
  }
}

/* A list of ids (groups of the section, or places) into out[n]. */
static int *id_list(evac_loader *L, const scn__node *v, const char *key, const scn__ids *ids,
                    size_t *n) {
  scn__ctx *c = L->c;
  *n = 0;
  if (!scn__expect_seq(c, v, key)) return NULL;
  if (v->n == 0) {
    scn__error(c, v, "'%s' needs at least one entry", key);
    return NULL;
  }
  int *out = scn__alloc(c, c->mem, v->n * sizeof *out);
  if (!out) return NULL;
  for (size_t i = 0; i < v->n; i++) out[i] = scn__ids_resolve(c, ids, v->item[i]);
  *n = v->n;
  return out;
}

static void load_modes(evac_loader *L, const scn__node *list) {
  static const char *const keys[] = {"id", "operator", "by", "force", "count", "base", "speed",
                                     "capacity", "turnaround", "task", "groups", "to", "lift",
                                     NULL};
  static const char *const ops[] = {"sdf", "us", "civil"};
  static const char *const media[] = {"air", "sea"};
  scn__ctx *c = L->c;
  scn_evacuation *ev = L->ev;
  if (!scn__expect_seq(c, list, "modes")) return;
  if (list->n == 0) scn__error(c, list, "'modes' needs at least one mode");
  if (list->n > SCN_EVAC_MAX_MODES) {
    scn__error(c, list, "%zu modes: at most %d", list->n, SCN_EVAC_MAX_MODES);
    return;
  }
  ev->mode = scn__alloc(c, c->mem, (list->n ? list->n : 1) * sizeof *ev->mode);
  if (!ev->mode) return;
  ev->nmode = list->n;
  for (size_t i = 0; i < list->n; i++) {
    const scn__node *m = list->item[i], *v;
    scn_evac_mode *md = &ev->mode[i];
    *md = (scn_evac_mode){.id = "", .op = SCN_EVAC_CIVIL, .force = -1, .base = -1, .count = 1, .speed = 0,
                          .capacity = 1, .turnaround = dist_fixed(0), .task = -1,
                          .task_loc = scn__loc(m), .loc = scn__loc(m)};
    if (!scn__expect_map(c, m, "modes")) continue;
    scn__check_keys(c, m, "evacuation mode", keys);
    scn__item_id(c, m, &L->modes, &md->id);
    int x;
    if ((v = scn__need(c, m, "operator", "evacuation mode")) &&
        scn__choice(c, v, "operator", ops, 3, &x) == 0)
      md->op = (scn_evac_operator)x;
    if ((v = scn__need(c, m, "by", "evacuation mode")) && scn__choice(c, v, "by", media, 2, &x) == 0)
      md->by = (scn_evac_medium)x;
    if (scn__get(m, "force")) {
      double endurance;
      md->force = scn__force_asset(c, m, "evacuation mode", &md->count, &md->speed, &endurance);
      if (md->force >= 0) md->base = c->sc->force[md->force].base;
      if ((v = scn__get(m, "base")))
        scn__error(c, v, "'base' comes from force '%s'; leave it out",
                   md->force >= 0 ? c->sc->force[md->force].id : "");
      if ((v = scn__get(m, "speed")) && scn__quantity(c, v, "speed", QTY_SPEED, &md->speed) == 0 &&
          !(md->speed > 0))
        scn__error(c, v, "'speed' must be greater than 0");
    } else {
      /* A chartered ferry or airliner, or US lift not listed among the forces. */
      if (md->op == SCN_EVAC_SDF && (v = scn__get(m, "operator")))
        scn__error(c, v, "an SDF mode needs 'force': the plan task assigns the force's units");
      if ((v = scn__need(c, m, "base", "evacuation mode"))) md->base = scn__ids_resolve(c, &c->places, v);
      long long n;
      if ((v = scn__get(m, "count")) && scn__integer(c, v, "count", 1, 1000000, &n) == 0)
        md->count = (int)n;
      if ((v = scn__need(c, m, "speed", "evacuation mode")) &&
          scn__quantity(c, v, "speed", QTY_SPEED, &md->speed) == 0 && !(md->speed > 0))
        scn__error(c, v, "'speed' must be greater than 0");
    }
    if ((v = scn__need(c, m, "capacity", "evacuation mode")))
      scn__integer(c, v, "capacity", 1, 1000000, &md->capacity);
    md->turnaround_loc = scn__loc(m);
    if ((v = scn__get(m, "turnaround"))) {
      md->turnaround_loc = scn__loc(v);
      scn__dist(c, v, "turnaround", QTY_DURATION, &md->turnaround);
    }
    if ((v = scn__get(m, "task"))) {
      md->task_loc = scn__loc(v);
      const char *id;
      if (scn__text(c, v, "task", &id) == 0) {
        md->task = c->sc->plan ? scn_task_find(c->sc->plan, id) : -1;
        if (md->task < 0)
          scn__error(c, v, "unknown task '%s'%s", id,
                     c->sc->plan && c->sc->plan->has_plan ? "" : ": the scenario has no 'plan:' section");
      }
    } else if (md->op == SCN_EVAC_SDF) {
      /* SDF Act art. 84-4 (nationals), art. 75-4 with the CPA (residents): the SDF carry
       * evacuees only when ordered, which straits writes as a plan task the authorities
       * table gates. */
      scn__error(c, m, "SDF mode '%s' needs 'task': a plan task of activity "
                 "'noncombatant_evacuation' (SDF Act art. 84-4) or 'civil_protection' under "
                 "which it flies or sails", md->id);
    }
    if ((v = scn__get(m, "groups"))) md->group = id_list(L, v, "groups", &L->groups, &md->ngroup);
    if ((v = scn__need(c, m, "to", "evacuation mode"))) md->to = id_list(L, v, "to", &c->places, &md->nto);
    if ((v = scn__get(m, "lift"))) {
      /* How the force's units are shared with logistics' transports of the same force. */
      static const char *const lifts[] = {"shared", "first"};
      int lift;
      if (!scn__get(m, "force"))
        scn__error(c, v, "'lift' says how a force's units are shared: it needs 'force'");
      else if (scn__choice(c, v, "lift", lifts, 2, &lift) == 0)
        md->lift_first = lift == 1;
    }
  }
}

static void load_facilities(evac_loader *L, const scn__node *list) {
  static const char *const keys[] = {"place", "lanes", "load", "unload", NULL};
  scn__ctx *c = L->c;
  scn_evacuation *ev = L->ev;
  if (!scn__expect_seq(c, list, "facilities")) return;
  ev->facility = scn__alloc(c, c->mem, (list->n ? list->n : 1) * sizeof *ev->facility);
  if (!ev->facility) return;
  ev->nfacility = list->n;
  for (size_t i = 0; i < list->n; i++) {
    const scn__node *m = list->item[i], *v;
    scn_evac_facility *f = &ev->facility[i];
    *f = (scn_evac_facility){.place = -1, .lanes = 1, .loc = scn__loc(m)};
    if (!scn__expect_map(c, m, "facilities")) continue;
    scn__check_keys(c, m, "evacuation facility", keys);
    if ((v = scn__need(c, m, "place", "evacuation facility"))) {
      f->place = scn__ids_resolve(c, &c->places, v);
      if (f->place >= 0 && ev->facility_of[f->place] >= 0)
        scn__error(c, v, "place '%s' already has a facility", c->sc->place[f->place].id);
      else if (f->place >= 0) ev->facility_of[f->place] = (int)i;
    }
    long long n;
    if ((v = scn__need(c, m, "lanes", "evacuation facility")) &&
        scn__integer(c, v, "lanes", 1, 10000, &n) == 0)
      f->lanes = (int)n;
    if ((v = scn__get(m, "load"))) scn__quantity(c, v, "load", QTY_DURATION, &f->load);
    if ((v = scn__get(m, "unload"))) scn__quantity(c, v, "unload", QTY_DURATION, &f->unload);
    if (f->load < 0 || f->unload < 0) scn__error(c, m, "'load' and 'unload' must not be negative");
  }
}

/* Cross-field checks once everything is read: a mode's groups default to all groups it
 * may carry; SDF modes carry nationals or residents as their task's activity says. */
static void finish_modes(evac_loader *L, const scn__node *modes) {
  scn__ctx *c = L->c;
  scn_evacuation *ev = L->ev;
  for (size_t i = 0; i < ev->nmode; i++) {
    scn_evac_mode *md = &ev->mode[i];
    const scn__node *m = modes->item[i];
    if (!md->group && ev->ngroup) {
      md->group = scn__alloc(c, c->mem, ev->ngroup * sizeof *md->group);
      if (!md->group) return;
      for (size_t g = 0; g < ev->ngroup; g++) md->group[g] = (int)g;
      md->ngroup = ev->ngroup;
    }
    for (size_t k = 0; k < md->nto; k++)
      if (md->to[k] >= 0) {
        const scn_place *p = &c->sc->place[md->to[k]];
        for (size_t g = 0; g < md->ngroup; g++)
          if (md->group[g] >= 0 && ev->group[md->group[g]].place == md->to[k])
            scn__error(c, m, "mode '%s' takes group '%s' from '%s' to the same place", md->id,
                       ev->group[md->group[g]].id, p->id);
      }
    if (md->op != SCN_EVAC_SDF || md->task < 0) continue;
    const scn_task *t = &c->sc->plan->task[md->task];
    int cp = t->activity.id && strcmp(t->activity.id, "civil_protection") == 0;
    int neo = t->activity.id && strcmp(t->activity.id, "noncombatant_evacuation") == 0;
    const scn__node *at = scn__get(m, "task");
    if (!cp && !neo) {
      scn__error(c, at, "task '%s' is of activity '%s': an SDF evacuation mode needs "
                 "'noncombatant_evacuation' (SDF Act art. 84-4) or 'civil_protection'",
                 t->id, t->activity.id ? t->activity.id : "");
      continue;
    }
    for (size_t g = 0; g < md->ngroup; g++) {
      int gi = md->group[g];
      if (gi < 0) continue;
      if (cp && ev->group[gi].kind != SCN_EVAC_RESIDENTS)
        scn__error(c, at, "task '%s' is civil protection, but mode '%s' serves group '%s' of "
                   "nationals abroad (SDF Act art. 84-4: activity 'noncombatant_evacuation')",
                   t->id, md->id, ev->group[gi].id);
      if (neo && ev->group[gi].kind == SCN_EVAC_RESIDENTS)
        scn__error(c, at, "task '%s' transports nationals abroad, but mode '%s' serves group "
                   "'%s' of residents (Civil Protection Act: activity 'civil_protection')",
                   t->id, md->id, ev->group[gi].id);
    }
  }
}

static void *load_section(scn__ctx *c, const scn__node *m) {
  static const char *const keys[] = {"groups", "modes", "facilities", NULL};
  if (!scn__expect_map(c, m, "evacuation")) return NULL;
  scn__check_keys(c, m, "evacuation", keys);
  scn_evacuation *ev = scn__alloc(c, c->mem, sizeof *ev);
  if (!ev) return NULL;
  ev->loc = scn__loc(m);
  ev->facility_of = scn__alloc(c, c->mem, (c->sc->nplace + 1) * sizeof *ev->facility_of);
  if (!ev->facility_of) return NULL;
  for (size_t p = 0; p < c->sc->nplace; p++) ev->facility_of[p] = -1;
  evac_loader L = {c, ev, {0}, {0}};
  scn__ids_init(&L.groups, "evacuation group");
  scn__ids_init(&L.modes, "evacuation mode");
  const scn__node *v, *modes;
  if ((v = scn__need(c, m, "groups", "evacuation"))) load_groups(&L, v);
  if ((modes = scn__need(c, m, "modes", "evacuation"))) load_modes(&L, modes);
  if ((v = scn__get(m, "facilities"))) load_facilities(&L, v);
  if (modes && modes->kind == SCN__SEQ && ev->nmode == modes->n) finish_modes(&L, modes);
  return ev;
}

const scn_section evac_section = {"evacuation", load_section, NULL};
