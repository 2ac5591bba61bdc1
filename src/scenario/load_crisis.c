/* load_crisis.c - the `crisis:` section: events, their triggers, delays, branches
 * and the signals they raise; then a check that no trigger waits on itself; then the
 * escalation ladder (`crisis.escalation:`), which speaks the events' vocabulary. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scn_escalation.h"
#include "scn_internal.h"
#include "scn_plan.h"
#include "sim.h"

/* Events and branches share one id namespace and one array: each event is followed
 * by its branches, in file order.  Pass one registers every id (so `after:` may name
 * an event defined further down); pass two reads the rest. */
typedef struct crisis_loader {
  scn__ctx *c;
  size_t cap;
  const scn__node **item; /* [event] its mapping */
  int *is_branch;         /* [event] */
  int *parent;            /* [event] parent index for a branch, or -1 */
  int **dep;              /* [event] events it waits for (trigger, or a branch's parent) */
  size_t *ndep, *capdep;
  int escalation;             /* the section has a ladder: untriggered events may wait for it */
  const scn__node **untriggered; /* [event] written without at/after, or NULL */
} crisis_loader;

static int add_dep(crisis_loader *L, int e, int on) {
  scn__ctx *c = L->c;
  if (L->ndep[e] == L->capdep[e]) {
    size_t cap = L->capdep[e] ? 2 * L->capdep[e] : 4;
    int *grown = arena_alloc(c->tree, cap * sizeof *grown);
    if (!grown) {
      c->nomem = 1;
      return -1;
    }
    if (L->ndep[e]) memcpy(grown, L->dep[e], L->ndep[e] * sizeof *grown);
    L->dep[e] = grown;
    L->capdep[e] = cap;
  }
  L->dep[e][L->ndep[e]++] = on;
  return 0;
}

static int register_event(crisis_loader *L, const scn__node *item, int branch, int parent) {
  const char *id;
  if (!scn__expect_map(L->c, item, branch ? "branch" : "event")) return -1;
  int e = scn__item_id(L->c, item, &L->c->events, &id);
  if (e < 0) return -1;
  L->item[e] = item;
  L->is_branch[e] = branch;
  L->parent[e] = parent;
  return e;
}

/* Pass one.  Nested branches are not registered: they are reported in pass two. */
static void register_all(crisis_loader *L, const scn__node *events) {
  for (size_t i = 0; i < events->n; i++) {
    const scn__node *item = events->item[i];
    int e = register_event(L, item, 0, -1);
    const scn__node *branches = item->kind == SCN__MAP ? scn__get(item, "branches") : NULL;
    if (!branches || branches->kind != SCN__SEQ) continue;
    for (size_t j = 0; j < branches->n; j++) {
      int b = register_event(L, branches->item[j], 1, e);
      if (b >= 0 && e >= 0) add_dep(L, b, e);
    }
  }
}

static size_t count_events(const scn__node *events) {
  size_t n = events->n;
  for (size_t i = 0; i < events->n; i++) {
    const scn__node *b = scn__get(events->item[i], "branches");
    if (b && b->kind == SCN__SEQ) n += b->n;
  }
  return n;
}

/* ---- triggers ------------------------------------------------------------------------------ */

static int read_trigger(crisis_loader *L, int self, const scn__node *v, scn_trigger *out);

static int read_trigger_list(crisis_loader *L, int self, const scn__node *list, const char *key,
                             scn_trigger *out) {
  scn__ctx *c = L->c;
  if (!scn__expect_seq(c, list, key)) return -1;
  if (list->n == 0) {
    scn__error(c, list, "'%s' needs at least one event", key);
    return -1;
  }
  out->sub = scn__alloc(c, c->mem, list->n * sizeof *out->sub);
  if (!out->sub) return -1;
  out->n = list->n;
  int bad = 0;
  for (size_t i = 0; i < list->n; i++) bad |= read_trigger(L, self, list->item[i], &out->sub[i]);
  return bad ? -1 : 0;
}

/* An event id, or {all_of: [...]} / {any_of: [...]} whose items are triggers too. */
static int read_trigger(crisis_loader *L, int self, const scn__node *v, scn_trigger *out) {
  static const char *const keys[] = {"all_of", "any_of", NULL};
  scn__ctx *c = L->c;
  memset(out, 0, sizeof *out);
  if (v && v->kind == SCN__MAP) {
    const scn__node *all = scn__get(v, "all_of"), *any = scn__get(v, "any_of");
    scn__check_keys(c, v, "trigger", keys);
    if ((all != NULL) == (any != NULL)) {
      scn__error(c, v, "a trigger mapping takes one of 'all_of' or 'any_of'");
      return -1;
    }
    out->kind = all ? SCN_TRIG_ALL : SCN_TRIG_ANY;
    return read_trigger_list(L, self, all ? all : any, all ? "all_of" : "any_of", out);
  }
  if (v && v->kind == SCN__SEQ) {
    scn__error(c, v, "'after' should be an event id, {all_of: [...]} or {any_of: [...]}, got a list");
    return -1;
  }
  out->kind = SCN_TRIG_EVENT;
  out->event = scn__ids_resolve(c, &c->events, v);
  if (out->event < 0) return -1;
  if (self < 0) return 0; /* an escalation condition: no event waits on it */
  if (out->event == self) {
    scn__error(c, v, "event '%s' cannot come after itself", v->str);
    return -1;
  }
  return add_dep(L, self, out->event);
}

static void read_event_trigger(crisis_loader *L, int e, scn_event *ev) {
  scn__ctx *c = L->c;
  const scn__node *item = L->item[e];
  const scn__node *at = scn__get(item, "at"), *after = scn__get(item, "after");
  if (L->is_branch[e]) {
    if (at || after)
      scn__error(c, at ? at : after, "branch '%s' takes no '%s': its parent event decides when it occurs",
                 ev->id, at ? "at" : "after");
    return;
  }
  if (at && after) {
    scn__error(c, after, "event '%s' has both 'at' and 'after'; give one", ev->id);
    return;
  }
  if (!at && !after) {
    /* Never due by itself; an escalation level may still make it occur (checked
     * once the ladder is read). */
    ev->trigger.kind = SCN_TRIG_AT;
    ev->trigger.at = INFINITY;
    if (L->escalation) L->untriggered[e] = item;
    else scn__error(c, item, "event '%s' needs a trigger: 'at' or 'after'", ev->id);
    return;
  }
  if (after) {
    read_trigger(L, e, after, &ev->trigger);
    return;
  }
  ev->trigger.kind = SCN_TRIG_AT;
  if (scn__quantity(c, at, "at", QTY_DURATION, &ev->trigger.at) == 0 && ev->trigger.at < 0)
    scn__error(c, at, "'at' must be at least 0, got '%s'", at->str);
}

/* ---- raises -------------------------------------------------------------------------------- */

static const char *const signal_names[] = {"site_closed", "region_active", "situation_changed",
                                           "person_missing"};
static const int signal_types[] = {SIG_SITE_STATUS, SIG_REGION_STATUS, SIG_SITUATION_CHANGED,
                                   SIG_PERSON_MISSING};

static const char *const *signal_keys(int s) {
  static const char *const site[] = {"signal", "place", "for", NULL};
  static const char *const region[] = {"signal", "region", "for", NULL};
  static const char *const situation[] = {"signal", "to", NULL};
  static const char *const person[] = {"signal", "at", "place", "object", "count", NULL};
  static const char *const *const keys[] = {site, region, situation, person};
  return keys[s];
}

static void read_duration_for(scn__ctx *c, const scn__node *item, scn_raise *r) {
  const scn__node *v = scn__get(item, "for");
  if (v && scn__dist(c, v, "for", QTY_DURATION, &r->duration) == 0) {
    r->has_duration = 1;
    r->duration_loc = scn__loc(v);
  }
}

static void read_missing_position(scn__ctx *c, const scn__node *item, scn_raise *r) {
  static const char *const at_keys[] = {"lat", "lon", NULL};
  const scn__node *at = scn__get(item, "at"), *place = scn__get(item, "place"), *v;
  if (at && place) {
    scn__error(c, place, "person_missing takes 'at' or 'place', not both");
    return;
  }
  if (!at && !place) {
    scn__error(c, item, "person_missing needs a position: 'at: {lat, lon}' or 'place'");
    return;
  }
  if (place) {
    r->place = scn__ids_resolve(c, &c->places, place);
    if (r->place >= 0) {
      r->lat = c->sc->place[r->place].lat;
      r->lon = c->sc->place[r->place].lon;
    }
    return;
  }
  if (!scn__expect_map(c, at, "at")) return;
  scn__check_keys(c, at, "position", at_keys);
  if ((v = scn__need(c, at, "lat", "position"))) scn__number(c, v, "lat", -90, 90, &r->lat);
  if ((v = scn__need(c, at, "lon", "position"))) scn__number(c, v, "lon", -180, 180, &r->lon);
}

static void read_raise(scn__ctx *c, const scn__node *item, scn_raise *r) {
  const char *situations[SCN_SIT__COUNT], *objects[SCN_OBJ__COUNT];
  *r = (scn_raise){.signal = -1, .place = -1, .region = -1, .situation = -1, .object = -1,
                   .lat = NAN, .lon = NAN, .loc = scn__loc(item)};
  for (int i = 0; i < SCN_SIT__COUNT; i++) situations[i] = scn_situation_name((scn_situation)i);
  for (int i = 0; i < SCN_OBJ__COUNT; i++) objects[i] = scn_object_name((scn_object)i);
  if (!scn__expect_map(c, item, "raise")) return;
  const scn__node *v = scn__need(c, item, "signal", "raise");
  int s;
  if (!v || scn__choice(c, v, "signal", signal_names, 4, &s)) return;
  char what[64];
  snprintf(what, sizeof what, "%s signal", signal_names[s]);
  scn__check_keys(c, item, what, signal_keys(s));
  r->signal = signal_types[s];
  long long count;
  switch (signal_types[s]) {
  case SIG_SITE_STATUS:
    if ((v = scn__need(c, item, "place", what))) r->place = scn__ids_resolve(c, &c->places, v);
    read_duration_for(c, item, r);
    break;
  case SIG_REGION_STATUS:
    if ((v = scn__need(c, item, "region", what))) r->region = scn__ids_resolve(c, &c->regions, v);
    read_duration_for(c, item, r);
    break;
  case SIG_SITUATION_CHANGED:
    if ((v = scn__need(c, item, "to", what)))
      scn__choice(c, v, "situation", situations, SCN_SIT__COUNT, &r->situation);
    break;
  default:
    read_missing_position(c, item, r);
    r->object = SCN_OBJ_PIW;
    r->count = 1;
    if ((v = scn__get(item, "object"))) scn__choice(c, v, "object", objects, SCN_OBJ__COUNT, &r->object);
    if ((v = scn__get(item, "count")) && scn__integer(c, v, "count", 1, 1000000, &count) == 0)
      r->count = (int)count;
    break;
  }
}

static void read_raises(scn__ctx *c, const scn__node *list, scn_event *ev) {
  if (!scn__expect_seq(c, list, "raises")) return;
  ev->raise = scn__alloc(c, c->mem, list->n * sizeof *ev->raise);
  if (!ev->raise) return;
  ev->nraise = list->n;
  for (size_t i = 0; i < list->n; i++) read_raise(c, list->item[i], &ev->raise[i]);
}

/* ---- events ---------------------------------------------------------------------------------- */

/* Branch shares: each branch's p is its chance among the parent's outcomes, and the
 * remainder is "nothing happens", so they may not sum past 1. */
static void read_branches(crisis_loader *L, int e, const scn__node *list, scn_event *events) {
  scn__ctx *c = L->c;
  scn_event *ev = &events[e];
  if (!scn__expect_seq(c, list, "branches")) return;
  ev->branch = scn__alloc(c, c->mem, (list->n ? list->n : 1) * sizeof *ev->branch);
  if (!ev->branch) return;
  for (int b = 0; b < (int)c->events.n; b++)
    if (L->parent[b] == e) ev->branch[ev->nbranch++] = b;
  if (list->n == 0) scn__error(c, list, "'branches' needs at least one branch");
}

static void check_branch_sum(crisis_loader *L, int e, scn_event *events) {
  scn__ctx *c = L->c;
  scn_event *ev = &events[e];
  double sum = 0;
  for (size_t i = 0; i < ev->nbranch; i++) sum += events[ev->branch[i]].p;
  if (sum > 1 + 1e-9)
    scn__error(c, scn__get(L->item[e], "branches"),
               "branch shares of event '%s' sum to %g, more than 1", ev->id, sum);
}

static void read_event(crisis_loader *L, int e, scn_event *ev) {
  static const char *const keys[] = {"id", "name", "at", "after", "delay", "p", "branches",
                                     "raises", NULL};
  scn__ctx *c = L->c;
  const scn__node *item = L->item[e], *v;
  const char *what = L->is_branch[e] ? "branch" : "event";
  ev->id = c->events.name[e];
  ev->name = "";
  ev->delay = dist_fixed(0);
  ev->p = 1;
  ev->parent = L->parent[e];
  ev->loc = scn__loc(item);
  scn__check_keys(c, item, what, keys);
  if ((v = scn__get(item, "name"))) scn__text(c, v, "name", &ev->name);
  read_event_trigger(L, e, ev);
  ev->delay_loc = scn__loc(item);
  if ((v = scn__get(item, "delay"))) {
    ev->delay_loc = scn__loc(v);
    scn__dist(c, v, "delay", QTY_DURATION, &ev->delay);
  }
  v = L->is_branch[e] ? scn__need(c, item, "p", "branch") : scn__get(item, "p");
  if (L->is_branch[e] && !v) ev->p = 0; /* reported; keep it out of the shares' sum */
  if (v && scn__probability(c, v, "p", &ev->p)) ev->p = 0;
  if ((v = scn__get(item, "raises"))) read_raises(c, v, ev);
  v = scn__get(item, "branches");
  if (v && L->is_branch[e])
    scn__error(c, v, "branches cannot be nested: branch '%s' has its own", ev->id);
  else if (v)
    read_branches(L, e, v, c->sc->event);
}

/* ---- cycles ----------------------------------------------------------------------------------- */

/* Depth-first search with an explicit stack (a long chain of events must not overflow
 * the C stack).  A dependency on an event still on the stack closes a cycle. */
static void report_cycle(crisis_loader *L, const int *stack, size_t top, int closing) {
  scn__ctx *c = L->c;
  char text[512];
  size_t used = 0, start = top - 1;
  while (start > 0 && stack[start] != closing) start--;
  for (size_t i = start; i < top && used < sizeof text - 8; i++)
    used += (size_t)snprintf(text + used, sizeof text - used, "'%s' -> ", c->events.name[stack[i]]);
  if (used < sizeof text) snprintf(text + used, sizeof text - used, "'%s'", c->events.name[closing]);
  const scn__node *at = scn__get(L->item[closing], "after");
  scn__error(c, at ? at : L->item[closing], "trigger cycle: %s (each waits for the next)", text);
}

static void check_cycles(crisis_loader *L) {
  scn__ctx *c = L->c;
  size_t n = c->events.n;
  if (!n) return;
  unsigned char *color = scn__alloc(c, c->tree, n); /* 0 new, 1 on the stack, 2 done */
  int *stack = scn__alloc(c, c->tree, n * sizeof *stack);
  size_t *next = scn__alloc(c, c->tree, n * sizeof *next);
  if (!color || !stack || !next) return;
  for (size_t root = 0; root < n; root++) {
    if (color[root]) continue;
    size_t top = 0;
    stack[top++] = (int)root;
    color[root] = 1;
    next[root] = 0;
    while (top) {
      int u = stack[top - 1];
      if (next[u] == L->ndep[u]) {
        color[u] = 2;
        top--;
        continue;
      }
      int v = L->dep[u][next[u]++];
      if (color[v] == 1) {
        report_cycle(L, stack, top, v);
      } else if (color[v] == 0) {
        color[v] = 1;
        next[v] = 0;
        stack[top++] = v;
      }
    }
  }
}

/* ---- escalation ------------------------------------------------------------------------------ */

/* The effects of entering a level or taking a transition: `raises:` as for events,
 * `occurs:` (events made to occur), `reaches:` (regions violence reaches). */
static void read_effects(crisis_loader *L, const scn__node *item, scn_esc_effects *fx) {
  scn__ctx *c = L->c;
  const scn__node *v;
  memset(fx, 0, sizeof *fx);
  if ((v = scn__get(item, "raises"))) {
    scn_event tmp;
    memset(&tmp, 0, sizeof tmp);
    read_raises(c, v, &tmp);
    fx->nraise = tmp.nraise, fx->raise = tmp.raise;
  }
  if ((v = scn__get(item, "occurs")) && scn__expect_seq(c, v, "occurs")) {
    fx->occur = scn__alloc(c, c->mem, (v->n ? v->n : 1) * sizeof *fx->occur);
    if (!fx->occur) return;
    for (size_t i = 0; i < v->n; i++) {
      int e = scn__ids_resolve(c, &c->events, v->item[i]);
      if (e < 0) continue;
      fx->occur[fx->noccur++] = e;
      if (L->untriggered) L->untriggered[e] = NULL; /* it has a way to occur */
    }
  }
  if ((v = scn__get(item, "reaches")) && scn__expect_seq(c, v, "reaches")) {
    fx->reach = scn__alloc(c, c->mem, (v->n ? v->n : 1) * sizeof *fx->reach);
    if (!fx->reach) return;
    for (size_t i = 0; i < v->n; i++) {
      int r = scn__ids_resolve(c, &c->regions, v->item[i]);
      if (r >= 0) fx->reach[fx->nreach++] = r;
    }
  }
}

/* A phase or task id: kept as written and resolved against the plan once it is
 * loaded (scn__resolve_escalation_plan), since `plan:` is read after `crisis:`. */
static void read_plan_ref(scn__ctx *c, const scn__node *v, const char *key, scn_esc_factor *f) {
  if (!v || v->kind != SCN__SCALAR || !*v->str) {
    scn__error(c, v, "'%s' should be a plan %s id, got %s", key, key, scn__kind_phrase(v));
    return;
  }
  f->ref_id = v->str; /* tree memory: lives until loading ends */
  f->ref_loc = scn__loc(v);
}

/* One condition per multiplier: after (events), situation, phase or task. */
static void read_factor(crisis_loader *L, const scn__node *item, scn_esc_factor *f) {
  static const char *const keys[] = {"after", "situation", "phase", "task", "factor", NULL};
  static const char *const conds[] = {"after", "situation", "phase", "task"};
  const char *situations[SCN_SIT__COUNT];
  scn__ctx *c = L->c;
  const scn__node *v, *cond = NULL;
  *f = (scn_esc_factor){.cond = SCN_ESC_AFTER, .ref = -1, .factor = 1, .loc = scn__loc(item)};
  f->when.kind = SCN_TRIG_AT, f->when.at = INFINITY; /* never holds unless read below */
  if (!scn__expect_map(c, item, "multiplier")) return;
  scn__check_keys(c, item, "multiplier", keys);
  int n = 0, kind = -1;
  for (int k = 0; k < 4; k++)
    if ((v = scn__get(item, conds[k]))) n++, kind = k, cond = v;
  if (n != 1)
    scn__error(c, item, "a multiplier takes one condition: 'after' (events), 'situation', "
                        "'phase' or 'task'");
  else if (kind == 0)
    read_trigger(L, -1, cond, &f->when);
  for (int i = 0; i < SCN_SIT__COUNT; i++) situations[i] = scn_situation_name((scn_situation)i);
  if (n == 1 && kind == 1) {
    f->cond = SCN_ESC_SITUATION;
    if (scn__choice(c, cond, "situation", situations, SCN_SIT__COUNT, &f->ref)) f->ref = -1;
  } else if (n == 1 && kind >= 2) {
    f->cond = kind == 2 ? SCN_ESC_PHASE : SCN_ESC_TASK;
    read_plan_ref(c, cond, conds[kind], f);
  }
  if ((v = scn__need(c, item, "factor", "multiplier")))
    scn__number(c, v, "factor", 0, 1e9, &f->factor);
}

static void read_transition(crisis_loader *L, const scn__ids *levels, const scn__node *item,
                            scn_esc_transition *t) {
  static const char *const keys[] = {"from", "to", "rate", "multipliers", "raises", "occurs",
                                     "reaches", NULL};
  scn__ctx *c = L->c;
  const scn__node *v;
  *t = (scn_esc_transition){.from = -1, .to = -1, .loc = scn__loc(item)};
  if (!scn__expect_map(c, item, "transition")) return;
  scn__check_keys(c, item, "transition", keys);
  if ((v = scn__need(c, item, "from", "transition"))) t->from = scn__ids_resolve(c, levels, v);
  if ((v = scn__need(c, item, "to", "transition"))) t->to = scn__ids_resolve(c, levels, v);
  if (t->from >= 0 && t->from == t->to)
    scn__error(c, scn__get(item, "to"), "a transition must lead to another level, not back to '%s'",
               levels->name[t->to]);
  if ((v = scn__need(c, item, "rate", "transition"))) scn__quantity(c, v, "rate", QTY_FREQUENCY, &t->rate);
  if (t->rate < 0) scn__error(c, v, "'rate' must be at least 0");
  if ((v = scn__get(item, "multipliers")) && scn__expect_seq(c, v, "multipliers")) {
    t->factor = scn__alloc(c, c->mem, (v->n ? v->n : 1) * sizeof *t->factor);
    if (!t->factor) return;
    t->nfactor = v->n;
    for (size_t i = 0; i < v->n; i++) read_factor(L, v->item[i], &t->factor[i]);
  }
  read_effects(L, item, &t->fx);
}

static void read_level(crisis_loader *L, const scn__node *item, scn_esc_level *lv) {
  static const char *const keys[] = {"id", "name", "raises", "occurs", "reaches", NULL};
  const scn__node *v;
  lv->name = "";
  lv->loc = scn__loc(item);
  scn__check_keys(L->c, item, "level", keys);
  if ((v = scn__get(item, "name"))) scn__text(L->c, v, "name", &lv->name);
  read_effects(L, item, &lv->fx);
}

/* Index each level's outgoing transitions (file order, which fixes the draws). */
static void link_transitions(scn__ctx *c, scn_escalation *e) {
  for (size_t t = 0; t < e->ntransition; t++)
    if (e->transition[t].from >= 0) e->level[e->transition[t].from].nout++;
  for (size_t l = 0; l < e->nlevel; l++) {
    e->level[l].out = scn__alloc(c, c->mem, (e->level[l].nout + 1) * sizeof *e->level[l].out);
    if (!e->level[l].out) return;
    e->level[l].nout = 0;
  }
  for (size_t t = 0; t < e->ntransition; t++) {
    int f = e->transition[t].from;
    if (f >= 0) e->level[f].out[e->level[f].nout++] = (int)t;
  }
}

static void read_ladder_start(crisis_loader *L, const scn__node *esc, const scn__ids *levels,
                              scn_escalation *e) {
  scn__ctx *c = L->c;
  const scn__node *at = scn__get(esc, "at"), *after = scn__get(esc, "after"), *v;
  e->trigger.kind = SCN_TRIG_AT;
  e->trigger.at = 0;
  if (at && after) scn__error(c, after, "the escalation ladder has both 'at' and 'after'; give one");
  else if (after) read_trigger(L, -1, after, &e->trigger);
  else if (at && scn__quantity(c, at, "at", QTY_DURATION, &e->trigger.at) == 0 && e->trigger.at < 0)
    scn__error(c, at, "'at' must be at least 0, got '%s'", at->str);
  e->start = 0;
  if ((v = scn__get(esc, "start"))) e->start = scn__ids_resolve(c, levels, v);
}

static void report_untriggered(crisis_loader *L) {
  if (!L->untriggered) return;
  for (size_t e = 0; e < L->c->events.n; e++)
    if (L->untriggered[e])
      scn__error(L->c, L->untriggered[e],
                 "event '%s' needs a trigger: 'at' or 'after' (or an escalation level or "
                 "transition that 'occurs' it)",
                 L->c->events.name[e]);
}

static void load_escalation(crisis_loader *L, const scn__node *esc) {
  static const char *const keys[] = {"start", "at", "after", "levels", "transitions", NULL};
  scn__ctx *c = L->c;
  const scn__node *levels_node, *trans;
  if (!scn__expect_map(c, esc, "escalation")) return;
  scn__check_keys(c, esc, "escalation", keys);
  scn_escalation *e = scn__alloc(c, c->mem, sizeof *e);
  scn__ids *levels = scn__alloc(c, c->tree, sizeof *levels);
  if (!e || !levels) return;
  scn__ids_init(levels, "escalation level");
  levels_node = scn__need(c, esc, "levels", "escalation");
  if (!levels_node || !scn__expect_seq(c, levels_node, "levels")) return;
  if (levels_node->n == 0) {
    scn__error(c, levels_node, "'levels' needs at least one level");
    return;
  }
  e->level = scn__alloc(c, c->mem, levels_node->n * sizeof *e->level);
  if (!e->level) return;
  for (size_t i = 0; i < levels_node->n; i++) { /* pass one: ids, so `to:` may look ahead */
    const scn__node *item = levels_node->item[i];
    const char *id;
    if (scn__expect_map(c, item, "level") && scn__item_id(c, item, levels, &id) >= 0)
      e->level[levels->n - 1].id = id;
  }
  e->nlevel = levels->n;
  for (size_t i = 0, l = 0; i < levels_node->n && l < e->nlevel; i++) {
    const scn__node *item = levels_node->item[i], *idn;
    if (item->kind != SCN__MAP || !(idn = scn__get(item, "id")) || idn->kind != SCN__SCALAR)
      continue;
    size_t idx;
    if (!scn__map_get(&levels->map, idn->str, &idx) || levels->at[idx] != idn) continue;
    read_level(L, item, &e->level[idx]);
    l++;
  }
  if ((trans = scn__get(esc, "transitions")) && scn__expect_seq(c, trans, "transitions")) {
    e->transition = scn__alloc(c, c->mem, (trans->n ? trans->n : 1) * sizeof *e->transition);
    if (!e->transition) return;
    e->ntransition = trans->n;
    for (size_t i = 0; i < trans->n; i++)
      read_transition(L, levels, trans->item[i], &e->transition[i]);
  }
  read_ladder_start(L, esc, levels, e);
  link_transitions(c, e);
  report_untriggered(L);
  c->sc->escalation = e;
}

/* ---- the section ------------------------------------------------------------------------------- */

static int make_loader(crisis_loader *L, scn__ctx *c, size_t cap) {
  memset(L, 0, sizeof *L);
  L->c = c;
  L->cap = cap ? cap : 1;
  L->item = scn__alloc(c, c->tree, L->cap * sizeof *L->item);
  L->is_branch = scn__alloc(c, c->tree, L->cap * sizeof *L->is_branch);
  L->parent = scn__alloc(c, c->tree, L->cap * sizeof *L->parent);
  L->dep = scn__alloc(c, c->tree, L->cap * sizeof *L->dep);
  L->ndep = scn__alloc(c, c->tree, L->cap * sizeof *L->ndep);
  L->capdep = scn__alloc(c, c->tree, L->cap * sizeof *L->capdep);
  L->untriggered = scn__alloc(c, c->tree, L->cap * sizeof *L->untriggered);
  return L->item && L->is_branch && L->parent && L->dep && L->ndep && L->capdep &&
                 L->untriggered
             ? 0
             : -1;
}

static void load_events(crisis_loader *Lp, scn__ctx *c, const scn__node *events) {
  crisis_loader L;
  if (!scn__expect_seq(c, events, "events")) return;
  /* Each event is two metrics of a run (occurred, time), and a run's registry holds
   * at most METRIC_MAX (100000): a scenario past this cap would pass the check and
   * then fail to run. */
  if (count_events(events) > SCN_MAX_EVENTS) {
    scn__error(c, events, "the crisis has %zu events (branches included), more than the "
               "limit of %d (SCN_MAX_EVENTS: each event is two metrics of a run)",
               count_events(events), SCN_MAX_EVENTS);
    return;
  }
  if (make_loader(&L, c, count_events(events))) return;
  L.escalation = Lp->escalation;
  register_all(&L, events);
  size_t n = c->events.n;
  c->sc->event = scn__alloc(c, c->mem, (n ? n : 1) * sizeof *c->sc->event);
  if (!c->sc->event) return;
  c->sc->nevent = n;
  for (size_t e = 0; e < n; e++) read_event(&L, (int)e, &c->sc->event[e]);
  for (size_t e = 0; e < n; e++)
    if (c->sc->event[e].nbranch) check_branch_sum(&L, (int)e, c->sc->event);
  check_cycles(&L);
  *Lp = L;
}

void scn__load_crisis(scn__ctx *c, const scn__node *crisis) {
  static const char *const keys[] = {"events", "escalation", NULL};
  if (!scn__expect_map(c, crisis, "crisis")) return;
  scn__check_keys(c, crisis, "crisis", keys);
  const scn__node *esc = scn__get(crisis, "escalation"), *v;
  crisis_loader L;
  memset(&L, 0, sizeof L);
  L.c = c;
  L.escalation = esc != NULL;
  if ((v = scn__get(crisis, "events"))) load_events(&L, c, v);
  if (esc) load_escalation(&L, esc);
}

/* ---- phases and tasks --------------------------------------------------------------------- */

static void resolve_plan_ref(scn__ctx *c, const scn_plan *p, scn_esc_factor *f) {
  int phase = f->cond == SCN_ESC_PHASE;
  const char *what = phase ? "phase" : "task";
  size_t n = p ? (phase ? p->nphase : p->ntask) : 0;
  /* A stand-in node: diagnostics need only the place it was written. */
  scn__node at = {.kind = SCN__SCALAR, .file = f->ref_loc.file, .line = f->ref_loc.line,
                  .col = f->ref_loc.col, .str = f->ref_id};
  f->ref = phase ? scn_phase_find(p, f->ref_id) : scn_task_find(p, f->ref_id);
  if (f->ref >= 0) {
    f->ref_id = phase ? p->phase[f->ref].id : p->task[f->ref].id; /* scenario memory */
    return;
  }
  if (n == 0) {
    scn__error(c, &at, "multiplier waits for %s '%s', but the scenario's plan has no %ss",
               what, f->ref_id, what);
    f->ref_id = NULL;
    return;
  }
  const char **names = scn__alloc(c, c->tree, n * sizeof *names);
  if (!names) return;
  for (size_t i = 0; i < n; i++) names[i] = phase ? p->phase[i].id : p->task[i].id;
  const char *hint = scn__suggest(f->ref_id, names, n);
  if (hint)
    scn__error(c, &at, "unknown %s id '%s' (did you mean '%s'?)", what, f->ref_id, hint);
  else
    scn__error(c, &at, "unknown %s id '%s'", what, f->ref_id);
  f->ref_id = NULL;
}

void scn__resolve_escalation_plan(scn__ctx *c) {
  scn_escalation *e = c->sc->escalation;
  for (size_t t = 0; e && t < e->ntransition; t++)
    for (size_t k = 0; k < e->transition[t].nfactor; k++) {
      scn_esc_factor *f = &e->transition[t].factor[k];
      if ((f->cond == SCN_ESC_PHASE || f->cond == SCN_ESC_TASK) && f->ref_id)
        resolve_plan_ref(c, c->sc->plan, f);
    }
}
