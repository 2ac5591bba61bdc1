/* load_plan.c - the `situations:` section (how Japan's legal situation and its gates
 * change) and the `plan:` section (phases and tasks), and the conditions both use.
 * Names from the authorities table (activities, gates, legal areas) are kept as
 * written, with their locations: plan/ resolves them against the table. */
#include <limits.h>
#include <string.h>

#include "scn_internal.h"
#include "scn_plan.h"

/* Change, phase and task ids are registered before anything is read, so a condition
 * may name one defined further down. */
typedef struct plan_loader {
  scn__ctx *c;
  scn_plan *p;
  scn__ids changes, phases, tasks;
  int *change_at, *phase_at, *task_at; /* [position in the list]: id index, or -1 */
  size_t capdecision;                  /* of p->decision */
} plan_loader;

enum cond_scope { IN_SITUATIONS, IN_PLAN };

/* ---- conditions ------------------------------------------------------------------ */

static const char *const cond_keys[] = {"all_of", "any_of", "at",    "event", "change",
                                        "situation", "gate", "phase", "task",  "done",
                                        NULL};

static const char *const situation_names[SCN_SIT__COUNT + 1] = {
#define SCN__PLAN_SIT(name, str) str,
    SCN_SITUATION_MAP(SCN__PLAN_SIT)
#undef SCN__PLAN_SIT
    NULL};

static int read_cond(plan_loader *L, const scn__node *v, const char *key, int scope,
                     scn_cond *out);

static int read_cond_list(plan_loader *L, const scn__node *list, const char *key, int scope,
                          scn_cond *out) {
  scn__ctx *c = L->c;
  if (!scn__expect_seq(c, list, key)) return -1;
  if (list->n == 0) {
    scn__error(c, list, "'%s' needs at least one condition", key);
    return -1;
  }
  out->sub = scn__alloc(c, c->mem, list->n * sizeof *out->sub);
  if (!out->sub) return -1;
  out->n = list->n;
  int bad = 0;
  for (size_t i = 0; i < list->n; i++) bad |= read_cond(L, list->item[i], key, scope, &out->sub[i]);
  return bad ? -1 : 0;
}

static int resolve_in(plan_loader *L, const scn__ids *ids, const scn__node *v) {
  return scn__ids_resolve(L->c, ids, v);
}

/* One leaf {kind: value} or {all_of/any_of: [...]}. */
static int read_cond_map(plan_loader *L, const scn__node *v, int scope, scn_cond *out) {
  scn__ctx *c = L->c;
  scn__check_keys(c, v, "condition", cond_keys);
  if (v->n != 1) {
    scn__error(c, v, "a condition mapping takes exactly one key (all_of, any_of, at, event, "
                     "change, situation, gate, phase, task or done), got %zu", v->n);
    return -1;
  }
  const scn__node *k = v->item[0], *x = v->item[1];
  if (k->kind != SCN__SCALAR) return -1;
  const char *key = k->str;
  if (scope == IN_SITUATIONS &&
      (!strcmp(key, "phase") || !strcmp(key, "task") || !strcmp(key, "done"))) {
    scn__error(c, k, "a condition in 'situations' cannot name a %s: the legal situation does "
                     "not depend on how the plan runs", !strcmp(key, "phase") ? "phase" : "task");
    return -1;
  }
  if (!strcmp(key, "all_of") || !strcmp(key, "any_of")) {
    out->kind = key[1] == 'l' ? SCN_COND_ALL : SCN_COND_ANY;
    return read_cond_list(L, x, key, scope, out);
  }
  if (!strcmp(key, "at")) {
    out->kind = SCN_COND_AT;
    if (scn__quantity(c, x, "at", QTY_DURATION, &out->at)) return -1;
    if (out->at < 0) {
      scn__error(c, x, "'at' must be at least 0, got '%s'", x->str);
      return -1;
    }
    return 0;
  }
  if (!strcmp(key, "situation")) {
    out->kind = SCN_COND_SITUATION;
    return scn__choice(c, x, "situation", situation_names, SCN_SIT__COUNT, &out->ref);
  }
  if (!strcmp(key, "gate")) {
    out->kind = SCN_COND_GATE;
    return scn__text(c, x, "gate", &out->name);
  }
  if (!strcmp(key, "event")) {
    out->kind = SCN_COND_EVENT;
    out->ref = resolve_in(L, &c->events, x);
  } else if (!strcmp(key, "change")) {
    out->kind = SCN_COND_CHANGE;
    out->ref = resolve_in(L, &L->changes, x);
  } else if (!strcmp(key, "phase")) {
    out->kind = SCN_COND_PHASE;
    out->ref = resolve_in(L, &L->phases, x);
  } else if (!strcmp(key, "task") || !strcmp(key, "done")) {
    out->kind = key[0] == 't' ? SCN_COND_TASK : SCN_COND_DONE;
    out->ref = resolve_in(L, &L->tasks, x);
  } else {
    return -1; /* reported by scn__check_keys */
  }
  return out->ref < 0 ? -1 : 0;
}

static int read_cond(plan_loader *L, const scn__node *v, const char *key, int scope,
                     scn_cond *out) {
  scn__ctx *c = L->c;
  memset(out, 0, sizeof *out);
  out->ref = -1;
  out->loc = scn__loc(v);
  if (v && v->kind == SCN__MAP) return read_cond_map(L, v, scope, out);
  if (v && v->kind == SCN__SEQ) {
    scn__error(c, v, "'%s' should be an event id or a condition mapping such as {all_of: [...]}, "
                     "got a list", key);
    return -1;
  }
  out->kind = SCN_COND_EVENT;
  out->ref = scn__ids_resolve(c, &c->events, v);
  return out->ref < 0 ? -1 : 0;
}

/* `at:` (a time) or `after:` (a condition), exactly one. */
static void read_trigger(plan_loader *L, const scn__node *item, const char *what,
                         const char *id, scn_cond *out) {
  scn__ctx *c = L->c;
  const scn__node *at = scn__get(item, "at"), *after = scn__get(item, "after");
  memset(out, 0, sizeof *out);
  out->kind = SCN_COND_AT;
  out->loc = scn__loc(item);
  if (at && after) {
    scn__error(c, after, "%s '%s' has both 'at' and 'after'; give one", what, id);
    return;
  }
  if (!at && !after) {
    scn__error(c, item, "%s '%s' needs a trigger: 'at' or 'after'", what, id);
    return;
  }
  if (after) {
    read_cond(L, after, "after", IN_SITUATIONS, out);
    return;
  }
  out->loc = scn__loc(at);
  if (scn__quantity(c, at, "at", QTY_DURATION, &out->at) == 0 && out->at < 0)
    scn__error(c, at, "'at' must be at least 0, got '%s'", at->str);
}

static int read_name(scn__ctx *c, const scn__node *v, const char *key, scn_name *out) {
  out->loc = scn__loc(v);
  out->id = NULL;
  return scn__text(c, v, key, &out->id);
}

/* A list of table names (gates). */
static size_t read_names(scn__ctx *c, const scn__node *v, const char *key, scn_name **out) {
  *out = NULL;
  if (!scn__expect_seq(c, v, key)) return 0;
  *out = scn__alloc(c, c->mem, (v->n ? v->n : 1) * sizeof **out);
  if (!*out) return 0;
  for (size_t i = 0; i < v->n; i++) read_name(c, v->item[i], key, &(*out)[i]);
  return v->n;
}

/* `decisions: [step ids]`: each name's index in the plan's decision table (added when
 * new), kept as written for the `coordination:` section's loader to resolve. */
static size_t read_decisions(plan_loader *L, const scn__node *v, int **out) {
  scn__ctx *c = L->c;
  scn_plan *p = L->p;
  *out = NULL;
  if (!scn__expect_seq(c, v, "decisions")) return 0;
  *out = scn__alloc(c, c->mem, (v->n ? v->n : 1) * sizeof **out);
  if (!*out) return 0;
  size_t n = 0;
  for (size_t i = 0; i < v->n; i++) {
    scn_name name;
    if (read_name(c, v->item[i], "decision", &name)) continue;
    int k = scn_decision_find(p, name.id);
    if (k < 0) {
      if (p->ndecision == L->capdecision) {
        size_t cap = L->capdecision ? 2 * L->capdecision : 8;
        scn_name *grown = scn__alloc(c, c->mem, cap * sizeof *grown);
        if (!grown) return 0;
        if (p->ndecision) memcpy(grown, p->decision, p->ndecision * sizeof *grown);
        p->decision = grown, L->capdecision = cap;
      }
      k = (int)p->ndecision;
      p->decision[p->ndecision++] = name;
    }
    (*out)[n++] = k;
  }
  return n;
}

/* ---- situations ------------------------------------------------------------------- */

static void read_diet(plan_loader *L, const scn__node *v, scn_change *ch) {
  static const char *const keys[] = {"gate", "delay", "p", "emergency", NULL};
  scn__ctx *c = L->c;
  if (!scn__expect_map(c, v, "diet")) return;
  scn__check_keys(c, v, "diet", keys);
  const scn__node *x;
  ch->has_diet = 1;
  ch->diet = dist_fixed(0);
  ch->diet_p = 1;
  if ((x = scn__need(c, v, "gate", "diet"))) read_name(c, x, "gate", &ch->diet_gate);
  if ((x = scn__get(v, "delay"))) scn__dist(c, x, "delay", QTY_DURATION, &ch->diet);
  if ((x = scn__get(v, "p"))) scn__probability(c, x, "p", &ch->diet_p);
  if ((x = scn__get(v, "emergency"))) scn__boolean(c, x, "emergency", &ch->emergency);
}

static void read_change(plan_loader *L, int idx, const scn__node *item, scn_change *ch) {
  static const char *const keys[] = {"id", "name", "to",   "at",    "after",
                                     "p",  "cabinet", "diet", "opens", "ends", NULL};
  scn__ctx *c = L->c;
  const scn__node *v;
  memset(ch, 0, sizeof *ch);
  ch->id = idx >= 0 ? L->changes.name[idx] : "";
  ch->name = "";
  ch->to = -1;
  ch->p = 1;
  ch->cabinet = dist_fixed(0);
  ch->loc = scn__loc(item);
  scn__check_keys(c, item, "situation change", keys);
  if ((v = scn__get(item, "name"))) scn__text(c, v, "name", &ch->name);
  if ((v = scn__need(c, item, "to", "situation change")))
    scn__choice(c, v, "situation", situation_names, SCN_SIT__COUNT, &ch->to);
  read_trigger(L, item, "situation change", ch->id, &ch->trigger);
  if ((v = scn__get(item, "p"))) scn__probability(c, v, "p", &ch->p);
  if ((v = scn__get(item, "cabinet"))) scn__dist(c, v, "cabinet", QTY_DURATION, &ch->cabinet);
  if ((v = scn__get(item, "diet"))) read_diet(L, v, ch);
  if ((v = scn__get(item, "opens"))) ch->nopen = read_names(c, v, "opens", &ch->open);
  if ((v = scn__get(item, "ends")) && scn__expect_seq(c, v, "ends") &&
      (ch->end = scn__alloc(c, c->mem, (v->n ? v->n : 1) * sizeof *ch->end))) {
    for (size_t i = 0; i < v->n; i++)
      if (scn__choice(c, v->item[i], "situation", situation_names, SCN_SIT__COUNT,
                      &ch->end[ch->nend]) == 0)
        ch->nend++;
  }
}

static void read_gate_model(plan_loader *L, const scn__node *item, scn_gate_model *g) {
  static const char *const keys[] = {"id", "gate", "at", "after", "delay", "p", "situation",
                                     "for", "decisions", NULL};
  scn__ctx *c = L->c;
  const scn__node *v;
  memset(g, 0, sizeof *g);
  g->id = "";
  g->delay = dist_fixed(0);
  g->p = 1;
  g->situation = -1;
  g->loc = scn__loc(item);
  scn__check_keys(c, item, "gate", keys);
  if ((v = scn__get(item, "id"))) scn__text(c, v, "id", &g->id);
  if ((v = scn__need(c, item, "gate", "gate"))) read_name(c, v, "gate", &g->gate);
  read_trigger(L, item, "gate", g->gate.id ? g->gate.id : "?", &g->trigger);
  if ((v = scn__get(item, "delay"))) scn__dist(c, v, "delay", QTY_DURATION, &g->delay);
  if ((v = scn__get(item, "p"))) scn__probability(c, v, "p", &g->p);
  if ((v = scn__get(item, "situation")))
    scn__choice(c, v, "situation", situation_names, SCN_SIT__COUNT, &g->situation);
  if ((v = scn__get(item, "for")) && scn__dist(c, v, "for", QTY_DURATION, &g->duration) == 0)
    g->has_duration = 1;
  if ((v = scn__get(item, "decisions"))) g->ndecision = read_decisions(L, v, &g->decision);
}

static void load_situations(plan_loader *L, const scn__node *s) {
  static const char *const keys[] = {"initial", "changes", "gates", NULL};
  scn__ctx *c = L->c;
  scn_plan *p = L->p;
  const scn__node *v;
  p->has_situations = 1;
  p->situations_loc = scn__loc(s);
  if (!scn__expect_map(c, s, "situations")) return;
  scn__check_keys(c, s, "situations", keys);
  if ((v = scn__get(s, "initial")))
    scn__choice(c, v, "situation", situation_names, SCN_SIT__COUNT, &p->initial);
  if ((v = scn__get(s, "changes")) && v->kind == SCN__SEQ && L->change_at) {
    p->change = scn__alloc(c, c->mem, (L->changes.n ? L->changes.n : 1) * sizeof *p->change);
    scn_change scratch;
    for (size_t i = 0; p->change && i < v->n; i++) {
      const scn__node *item = v->item[i];
      if (item->kind != SCN__MAP) continue; /* reported when registering */
      int idx = L->change_at[i];
      read_change(L, idx, item, idx >= 0 ? &p->change[idx] : &scratch);
    }
    if (p->change) p->nchange = L->changes.n;
  }
  if ((v = scn__get(s, "gates")) && scn__expect_seq(c, v, "gates")) {
    p->gate = scn__alloc(c, c->mem, (v->n ? v->n : 1) * sizeof *p->gate);
    for (size_t i = 0; p->gate && i < v->n; i++) {
      if (!scn__expect_map(c, v->item[i], "gate")) continue;
      read_gate_model(L, v->item[i], &p->gate[p->ngate++]);
    }
  }
}

/* ---- plan ---------------------------------------------------------------------------- */

static void read_phase(plan_loader *L, int idx, const scn__node *item, scn_phase *ph) {
  static const char *const keys[] = {"id", "name", "start", NULL};
  scn__ctx *c = L->c;
  const scn__node *v;
  memset(ph, 0, sizeof *ph);
  ph->id = idx >= 0 ? L->phases.name[idx] : "";
  ph->name = "";
  ph->loc = scn__loc(item);
  scn__check_keys(c, item, "phase", keys);
  if ((v = scn__get(item, "name"))) scn__text(c, v, "name", &ph->name);
  if ((v = scn__get(item, "start")) && read_cond(L, v, "start", IN_PLAN, &ph->start) == 0)
    ph->has_start = 1;
}

static const char *const owners[] = {"US", "JP"};
static const char *const on_loss_names[] = {"pause", "withdraw"};

static void read_asset(plan_loader *L, const scn__node *v, scn_task_asset *a) {
  static const char *const keys[] = {"force", "count", NULL};
  scn__ctx *c = L->c;
  const scn__node *f = v;
  long long count = 1;
  a->force = -1;
  a->count = 1;
  a->loc = scn__loc(v);
  if (v && v->kind == SCN__MAP) {
    scn__check_keys(c, v, "asset", keys);
    f = scn__need(c, v, "force", "asset");
    const scn__node *n = scn__get(v, "count");
    if (n && scn__integer(c, n, "count", 1, 1000000, &count) == 0) a->count = (int)count;
    if (!f) return;
  }
  a->force = scn__ids_resolve(c, &c->forces, f);
  if (a->force < 0 || !c->sc->force) return;
  const scn_force *force = &c->sc->force[a->force];
  if (a->count > force->count)
    scn__error(c, v, "task asks for %d units of '%s', which has %d", a->count, force->id,
               force->count);
}

static void read_assets(plan_loader *L, const scn__node *v, scn_task *t) {
  scn__ctx *c = L->c;
  if (!scn__expect_seq(c, v, "assets")) return;
  t->asset = scn__alloc(c, c->mem, (v->n ? v->n : 1) * sizeof *t->asset);
  if (!t->asset) return;
  for (size_t i = 0; i < v->n; i++) {
    scn_task_asset *a = &t->asset[t->nasset];
    read_asset(L, v->item[i], a);
    if (a->force < 0) continue;
    int dup = 0;
    for (size_t j = 0; j < t->nasset; j++) dup |= t->asset[j].force == a->force;
    if (dup)
      scn__error(c, v->item[i], "asset '%s' is listed twice; give a count instead",
                 c->sc->force[a->force].id);
    else
      t->nasset++;
  }
}

/* A place id or a region id (they are separate namespaces; both is ambiguous). */
static void read_area(plan_loader *L, const scn__node *v, scn_task *t) {
  scn__ctx *c = L->c;
  t->area_loc = scn__loc(v);
  if (!v || v->kind != SCN__SCALAR || scn__is_null(v)) {
    scn__error(c, v, "'area' should be a place or region id, got %s", scn__kind_phrase(v));
    return;
  }
  size_t pi, ri;
  int is_place = scn__map_get(&c->places.map, v->str, &pi);
  int is_region = scn__map_get(&c->regions.map, v->str, &ri);
  if (is_place && is_region) {
    scn__error(c, v, "'%s' is both a place and a region; rename one", v->str);
    return;
  }
  if (is_place) {
    t->place = (int)pi;
    return;
  }
  if (is_region) {
    t->region = (int)ri;
    return;
  }
  const char *hint = scn__suggest(v->str, c->places.name, c->places.n);
  if (!hint) hint = scn__suggest(v->str, c->regions.name, c->regions.n);
  if (hint)
    scn__error(c, v, "unknown place or region id '%s' (did you mean '%s'?)", v->str, hint);
  else
    scn__error(c, v, "unknown place or region id '%s'", v->str);
}

static void read_task(plan_loader *L, int idx, const scn__node *item, scn_task *t) {
  static const char *const keys[] = {"id",       "name",  "activity", "owner",    "assets",
                                     "area",     "legal_area", "phase", "start",  "delay",
                                     "duration", "until", "priority", "on_loss", "gates",
                                     "decisions", NULL};
  scn__ctx *c = L->c;
  const scn__node *v;
  memset(t, 0, sizeof *t);
  t->id = idx >= 0 ? L->tasks.name[idx] : "";
  t->name = "";
  t->owner = "";
  t->place = t->region = t->phase = -1;
  t->delay = dist_fixed(0);
  t->loc = scn__loc(item);
  scn__check_keys(c, item, "task", keys);
  int owner;
  long long priority;
  if ((v = scn__get(item, "name"))) scn__text(c, v, "name", &t->name);
  if ((v = scn__need(c, item, "activity", "task"))) read_name(c, v, "activity", &t->activity);
  if ((v = scn__need(c, item, "owner", "task")) &&
      scn__choice(c, v, "nation", owners, 2, &owner) == 0)
    t->owner = owners[owner];
  if ((v = scn__get(item, "assets"))) read_assets(L, v, t);
  if ((v = scn__need(c, item, "area", "task"))) read_area(L, v, t);
  if ((v = scn__get(item, "legal_area"))) read_name(c, v, "legal_area", &t->legal_area);
  if ((v = scn__get(item, "phase"))) t->phase = scn__ids_resolve(c, &L->phases, v);
  if ((v = scn__get(item, "start")) && read_cond(L, v, "start", IN_PLAN, &t->start) == 0)
    t->has_start = 1;
  if ((v = scn__get(item, "delay"))) scn__dist(c, v, "delay", QTY_DURATION, &t->delay);
  if ((v = scn__get(item, "duration")) &&
      scn__dist(c, v, "duration", QTY_DURATION, &t->duration) == 0)
    t->has_duration = 1;
  if ((v = scn__get(item, "until")) && read_cond(L, v, "until", IN_PLAN, &t->until) == 0)
    t->has_until = 1;
  if ((v = scn__get(item, "priority")) &&
      scn__integer(c, v, "priority", -1000000, 1000000, &priority) == 0)
    t->priority = (int)priority;
  if ((v = scn__get(item, "on_loss"))) scn__choice(c, v, "on_loss", on_loss_names, 2, &t->on_loss);
  if ((v = scn__get(item, "gates"))) t->ngate = read_names(c, v, "gates", &t->gate);
  if ((v = scn__get(item, "decisions"))) t->ndecision = read_decisions(L, v, &t->decision);
}

/* Register the ids of a list (pass one); items that are not mappings are reported.
 * Returns, for each position in the list, the item's id index or -1. */
static int *register_ids(plan_loader *L, const scn__node *list, const char *what,
                         const char *item_what, scn__ids *ids) {
  scn__ctx *c = L->c;
  if (!list || !scn__expect_seq(c, list, what)) return NULL;
  int *at = scn__alloc(c, c->tree, (list->n ? list->n : 1) * sizeof *at);
  if (!at) return NULL;
  for (size_t i = 0; i < list->n; i++) {
    const char *id;
    const scn__node *item = list->item[i];
    at[i] = -1;
    if (scn__expect_map(c, item, item_what)) at[i] = scn__item_id(c, item, ids, &id);
  }
  return at;
}

static void load_plan_section(plan_loader *L, const scn__node *pl) {
  scn__ctx *c = L->c;
  scn_plan *p = L->p;
  p->has_plan = 1;
  p->plan_loc = scn__loc(pl);
  const scn__node *phases = scn__get(pl, "phases"), *tasks = scn__get(pl, "tasks");
  if (phases && phases->kind == SCN__SEQ && L->phase_at) {
    p->phase = scn__alloc(c, c->mem, (L->phases.n ? L->phases.n : 1) * sizeof *p->phase);
    scn_phase scratch;
    for (size_t i = 0; p->phase && i < phases->n; i++) {
      const scn__node *item = phases->item[i];
      if (item->kind != SCN__MAP) continue;
      int idx = L->phase_at[i];
      read_phase(L, idx, item, idx >= 0 ? &p->phase[idx] : &scratch);
    }
    if (p->phase) p->nphase = L->phases.n;
  }
  if (tasks && tasks->kind == SCN__SEQ && L->task_at) {
    p->task = scn__alloc(c, c->mem, (L->tasks.n ? L->tasks.n : 1) * sizeof *p->task);
    scn_task scratch;
    for (size_t i = 0; p->task && i < tasks->n; i++) {
      const scn__node *item = tasks->item[i];
      if (item->kind != SCN__MAP) continue;
      int idx = L->task_at[i];
      read_task(L, idx, item, idx >= 0 ? &p->task[idx] : &scratch);
    }
    if (p->task) p->ntask = L->tasks.n;
  }
}

void scn__load_plan(scn__ctx *c, const scn__node *situations, const scn__node *plan) {
  static const char *const plan_keys[] = {"phases", "tasks", NULL};
  if (!situations && !plan) return;
  plan_loader L = {0};
  L.c = c;
  L.p = scn__alloc(c, c->mem, sizeof *L.p);
  if (!L.p) return;
  L.p->initial = SCN_SIT_PEACETIME;
  scn__ids_init(&L.changes, "situation change");
  scn__ids_init(&L.phases, "phase");
  scn__ids_init(&L.tasks, "task");

  if (situations && situations->kind == SCN__MAP)
    L.change_at = register_ids(&L, scn__get(situations, "changes"), "changes",
                               "situation change", &L.changes);
  if (plan && scn__expect_map(c, plan, "plan")) {
    scn__check_keys(c, plan, "plan", plan_keys);
    L.phase_at = register_ids(&L, scn__get(plan, "phases"), "phases", "phase", &L.phases);
    L.task_at = register_ids(&L, scn__get(plan, "tasks"), "tasks", "task", &L.tasks);
  }
  if (situations) load_situations(&L, situations);
  if (plan && plan->kind == SCN__MAP) load_plan_section(&L, plan);
  c->sc->plan = L.p;
}

/* ---- lookups ----------------------------------------------------------------------- */

int scn_change_find(const scn_plan *p, const char *id) {
  for (size_t i = 0; p && i < p->nchange; i++)
    if (strcmp(p->change[i].id, id) == 0) return (int)i;
  return -1;
}

int scn_phase_find(const scn_plan *p, const char *id) {
  for (size_t i = 0; p && i < p->nphase; i++)
    if (strcmp(p->phase[i].id, id) == 0) return (int)i;
  return -1;
}

int scn_decision_find(const scn_plan *p, const char *id) {
  for (size_t i = 0; p && i < p->ndecision; i++)
    if (strcmp(p->decision[i].id, id) == 0) return (int)i;
  return -1;
}

int scn_task_find(const scn_plan *p, const char *id) {
  for (size_t i = 0; p && i < p->ntask; i++)
    if (strcmp(p->task[i].id, id) == 0) return (int)i;
  return -1;
}
