/* load_coordination.c - the `coordination:` section: bodies and decision steps (schema
 * in docs/scenario.md), and the plan's `decisions:` resolved against the steps. */
#include <string.h>

#include "scn_coordination.h"
#include "scn_plan.h"
#include "scn_section.h"

static const char *const nation_names[SCN_CO_NATION__COUNT] = {"US", "JP", "bilateral"};
static const char *const kind_names[SCN_CO_KIND__COUNT] = {
#define SCN__CO_KIND_NAME(name, str) str,
    SCN_CO_KIND_MAP(SCN__CO_KIND_NAME)
#undef SCN__CO_KIND_NAME
};
static const char *const situation_names[SCN_SIT__COUNT] = {
#define SCN__CO_SIT(name, str) str,
    SCN_SITUATION_MAP(SCN__CO_SIT)
#undef SCN__CO_SIT
};

const char *scn_co_nation_name(scn_co_nation n) {
  return (unsigned)n < SCN_CO_NATION__COUNT ? nation_names[n] : NULL;
}

const char *scn_co_kind_name(scn_co_kind k) {
  return (unsigned)k < SCN_CO_KIND__COUNT ? kind_names[k] : NULL;
}

int scn_co_step_find(const scn_coordination *co, const char *id) {
  for (size_t i = 0; co && i < co->nstep; i++)
    if (strcmp(co->step[i].id, id) == 0) return (int)i;
  return -1;
}

typedef struct co_loader {
  scn__ctx *c;
  scn_coordination *co;
  scn__ids bodies, steps;
} co_loader;

/* ---- bodies ---------------------------------------------------------------------------- */

static void read_hours(co_loader *L, const scn__node *v, scn_co_body *b) {
  static const char *const keys[] = {"from", "to", "utc_offset", NULL};
  scn__ctx *c = L->c;
  if (!scn__expect_map(c, v, "hours")) return;
  scn__check_keys(c, v, "hours", keys);
  const scn__node *x;
  int ok = 1;
  if ((x = scn__need(c, v, "from", "hours"))) ok &= scn__quantity(c, x, "from", QTY_DURATION, &b->from) == 0;
  else ok = 0;
  if ((x = scn__need(c, v, "to", "hours"))) ok &= scn__quantity(c, x, "to", QTY_DURATION, &b->to) == 0;
  else ok = 0;
  if ((x = scn__get(v, "utc_offset"))) {
    /* May be negative (US time zones). */
    if (scn__quantity(c, x, "utc_offset", QTY_DURATION, &b->utc_offset) == 0 &&
        !(b->utc_offset >= -14 * 3600.0 && b->utc_offset <= 14 * 3600.0))
      scn__error(c, x, "'utc_offset' must lie between -14h and 14h");
  }
  if (!ok) return;
  if (b->from >= 86400 || b->to > 86400)
    scn__error(c, v, "working hours must lie within a day (0h to 24h)");
  else if (b->from == b->to)
    scn__error(c, v, "working hours from %gh to %gh are empty", b->from / 3600, b->to / 3600);
  else
    b->has_hours = 1;
}

static void read_body(co_loader *L, int idx, const scn__node *item, scn_co_body *b) {
  static const char *const keys[] = {"id", "name", "nation", "capacity", "hours", NULL};
  scn__ctx *c = L->c;
  const scn__node *v;
  memset(b, 0, sizeof *b);
  b->id = idx >= 0 ? L->bodies.name[idx] : "";
  b->name = "";
  b->capacity = 1;
  b->loc = scn__loc(item);
  scn__check_keys(c, item, "body", keys);
  if ((v = scn__get(item, "name"))) scn__text(c, v, "name", &b->name);
  if ((v = scn__need(c, item, "nation", "body")))
    scn__choice(c, v, "nation", nation_names, SCN_CO_NATION__COUNT, &b->nation);
  long long cap;
  if ((v = scn__get(item, "capacity")) && scn__integer(c, v, "capacity", 1, 100000, &cap) == 0)
    b->capacity = (int)cap;
  if ((v = scn__get(item, "hours"))) read_hours(L, v, b);
}

/* ---- steps ------------------------------------------------------------------------------ */

static void read_needs(co_loader *L, const scn__node *v, scn_co_step *s) {
  static const char *const keys[] = {"situation", "gates", NULL};
  scn__ctx *c = L->c;
  if (!scn__expect_map(c, v, "needs")) return;
  scn__check_keys(c, v, "needs", keys);
  const scn__node *x;
  if ((x = scn__get(v, "situation"))) {
    int sit;
    s->situation_loc = scn__loc(x);
    if (x->kind == SCN__SEQ) {
      for (size_t i = 0; i < x->n; i++)
        if (scn__choice(c, x->item[i], "situation", situation_names, SCN_SIT__COUNT, &sit) == 0)
          s->situations |= 1u << sit;
    } else if (scn__choice(c, x, "situation", situation_names, SCN_SIT__COUNT, &sit) == 0) {
      s->situations |= 1u << sit;
    }
  }
  if ((x = scn__get(v, "gates")) && scn__expect_seq(c, x, "gates") &&
      (s->gate = scn__alloc(c, c->mem, (x->n ? x->n : 1) * sizeof *s->gate))) {
    for (size_t i = 0; i < x->n; i++) {
      scn_co_gate *g = &s->gate[s->ngate];
      g->loc = scn__loc(x->item[i]);
      if (scn__text(c, x->item[i], "gate", &g->id) == 0) s->ngate++;
    }
  }
}

static void read_retry(co_loader *L, const scn__node *v, scn_co_step *s) {
  static const char *const keys[] = {"max", "delay", NULL};
  scn__ctx *c = L->c;
  if (!scn__expect_map(c, v, "retry")) return;
  scn__check_keys(c, v, "retry", keys);
  const scn__node *x;
  long long n;
  if ((x = scn__need(c, v, "max", "retry")) && scn__integer(c, x, "max", 0, 1000000, &n) == 0)
    s->retries = (int)n;
  if ((x = scn__get(v, "delay"))) {
    scn__dist(c, x, "delay", QTY_DURATION, &s->retry_delay);
    s->retry_loc = scn__loc(x);
  }
}

/* The plan's task ids, for "did you mean". */
static const char **task_ids(scn__ctx *c, size_t *n) {
  const scn_plan *p = c->sc->plan;
  *n = p ? p->ntask : 0;
  const char **ids = scn__alloc(c, c->tree, (*n ? *n : 1) * sizeof *ids);
  for (size_t i = 0; ids && i < *n; i++) ids[i] = p->task[i].id;
  return ids;
}

static void read_on_task(co_loader *L, const scn__node *v, scn_co_step *s) {
  scn__ctx *c = L->c;
  const char *id;
  if (scn__text(c, v, "on_task", &id)) return;
  s->on_task_loc = scn__loc(v);
  s->on_task = scn_task_find(c->sc->plan, id);
  if (s->on_task >= 0) return;
  size_t n;
  const char **ids = task_ids(c, &n);
  const char *hint = ids ? scn__suggest(id, ids, n) : NULL;
  if (!n)
    scn__error(c, v, "unknown task id '%s' (the scenario's plan has no tasks)", id);
  else if (hint)
    scn__error(c, v, "unknown task id '%s' (did you mean '%s'?)", id, hint);
  else
    scn__error(c, v, "unknown task id '%s'", id);
}

static void read_step(co_loader *L, int idx, const scn__node *item, scn_co_step *s) {
  static const char *const keys[] = {"id",       "name",   "from",    "to",       "kind",
                                     "latency",  "p_refuse", "p_return", "rework", "retry",
                                     "needs",    "after",  "on_event", "on_task", NULL};
  scn__ctx *c = L->c;
  const scn__node *v;
  memset(s, 0, sizeof *s);
  s->id = idx >= 0 ? L->steps.name[idx] : "";
  s->name = "";
  s->from = s->to = s->on_event = s->on_task = s->plan_decision = -1;
  s->latency = s->rework = s->retry_delay = dist_fixed(0);
  s->loc = scn__loc(item);
  scn__check_keys(c, item, "decision step", keys);
  if ((v = scn__get(item, "name"))) scn__text(c, v, "name", &s->name);
  if ((v = scn__need(c, item, "from", "decision step"))) s->from = scn__ids_resolve(c, &L->bodies, v);
  if ((v = scn__need(c, item, "to", "decision step"))) s->to = scn__ids_resolve(c, &L->bodies, v);
  if ((v = scn__need(c, item, "kind", "decision step")))
    scn__choice(c, v, "kind", kind_names, SCN_CO_KIND__COUNT, &s->kind);
  if ((v = scn__need(c, item, "latency", "decision step"))) {
    scn__dist(c, v, "latency", QTY_DURATION, &s->latency);
    s->latency_loc = scn__loc(v);
  }
  const scn__node *pr = scn__get(item, "p_refuse"), *pt = scn__get(item, "p_return");
  if (pr) scn__probability(c, pr, "p_refuse", &s->p_refuse);
  if (pt) scn__probability(c, pt, "p_return", &s->p_return);
  if (pt && s->p_refuse + s->p_return > 1)
    scn__error(c, pt, "p_refuse and p_return add up to %g, more than 1", s->p_refuse + s->p_return);
  else if (pt && s->p_return >= 1)
    scn__error(c, pt, "a step sent back every time is never decided (p_return 1)");
  if ((v = scn__get(item, "rework"))) {
    scn__dist(c, v, "rework", QTY_DURATION, &s->rework);
    s->rework_loc = scn__loc(v);
  }
  if ((v = scn__get(item, "retry"))) read_retry(L, v, s);
  if ((v = scn__get(item, "needs"))) read_needs(L, v, s);
  if ((v = scn__get(item, "after"))) {
    const scn__node *one[1] = {v};
    const scn__node *const *list = v->kind == SCN__SEQ ? (const scn__node *const *)v->item : one;
    size_t n = v->kind == SCN__SEQ ? v->n : 1;
    s->after = scn__alloc(c, c->mem, (n ? n : 1) * sizeof *s->after);
    for (size_t i = 0; s->after && i < n; i++) {
      int k = scn__ids_resolve(c, &L->steps, list[i]);
      if (k >= 0 && k == idx)
        scn__error(c, list[i], "step '%s' cannot wait on itself", s->id);
      else if (k >= 0)
        s->after[s->nafter++] = k;
    }
  }
  if ((v = scn__get(item, "on_event"))) s->on_event = scn__ids_resolve(c, &c->events, v);
  if ((v = scn__get(item, "on_task"))) read_on_task(L, v, s);
}

/* `after:` must not loop: a step waiting on itself through others is never raised.
 * Depth-first from i; on a cycle, path[0 .. *depth) ends with the step met again. */
static int on_cycle(const scn_coordination *co, int i, unsigned char *mark, int *path,
                    size_t *depth) {
  path[(*depth)++] = i;
  if (mark[i] == 1) return 1;
  if (mark[i] == 2) {
    (*depth)--;
    return 0;
  }
  mark[i] = 1;
  for (size_t k = 0; k < co->step[i].nafter; k++)
    if (on_cycle(co, co->step[i].after[k], mark, path, depth)) return 1;
  mark[i] = 2;
  (*depth)--;
  return 0;
}

/* "'a' -> 'b' -> 'a'": the cycle's part of the path (from the first visit of its end). */
static void cycle_text(const scn_coordination *co, const int *path, size_t depth, char *out,
                       size_t cap) {
  size_t from = 0;
  while (from + 1 < depth && path[from] != path[depth - 1]) from++;
  out[0] = 0;
  for (size_t k = from; k < depth; k++) {
    size_t len = strlen(out);
    snprintf(out + len, cap - len, "%s'%s'", k > from ? " -> " : "", co->step[path[k]].id);
  }
}

/* Register a list's ids (pass one): [position] -> id index or -1. */
static int *register_ids(co_loader *L, const scn__node *list, const char *key, scn__ids *ids) {
  scn__ctx *c = L->c;
  if (!list || !scn__expect_seq(c, list, key)) return NULL;
  int *at = scn__alloc(c, c->tree, (list->n ? list->n : 1) * sizeof *at);
  for (size_t i = 0; at && i < list->n; i++) {
    const char *id;
    at[i] = scn__expect_map(c, list->item[i], ids->what) ? scn__item_id(c, list->item[i], ids, &id) : -1;
  }
  return at;
}

/* The plan's `decisions:` name steps: each resolved here, an unknown one reported where
 * it is first written. */
static void resolve_plan_decisions(co_loader *L) {
  scn__ctx *c = L->c;
  const scn_plan *p = c->sc->plan;
  for (size_t i = 0; p && i < p->ndecision; i++) {
    const scn_name *dn = &p->decision[i];
    int k = scn_co_step_find(L->co, dn->id);
    if (k >= 0) {
      L->co->step[k].plan_decision = (int)i;
      continue;
    }
    const char *hint = scn__suggest(dn->id, L->steps.name, L->steps.n);
    if (hint)
      diag_report(c->d, DIAG_ERROR, dn->loc.file, dn->loc.line, dn->loc.col,
                  "unknown decision step '%s' (did you mean '%s'?)", dn->id, hint);
    else
      diag_report(c->d, DIAG_ERROR, dn->loc.file, dn->loc.line, dn->loc.col,
                  "unknown decision step '%s'", dn->id);
  }
}

static void *load_section(scn__ctx *c, const scn__node *v) {
  static const char *const keys[] = {"bodies", "steps", NULL};
  if (!scn__expect_map(c, v, "coordination")) return NULL;
  scn__check_keys(c, v, "coordination", keys);
  size_t errors_before = diag_count(c->d, DIAG_ERROR);
  co_loader L = {c, scn__alloc(c, c->mem, sizeof *L.co), {0}, {0}};
  if (!L.co) return NULL;
  L.co->loc = scn__loc(v);
  scn__ids_init(&L.bodies, "body");
  scn__ids_init(&L.steps, "decision step");
  const scn__node *bodies = scn__need(c, v, "bodies", "coordination");
  const scn__node *steps = scn__need(c, v, "steps", "coordination");
  int *body_at = register_ids(&L, bodies, "bodies", &L.bodies);
  int *step_at = register_ids(&L, steps, "steps", &L.steps);
  if (L.bodies.n > SCN_CO_MAX_BODIES || L.steps.n > SCN_CO_MAX_STEPS) {
    scn__error(c, v, "at most %d bodies and %d steps", SCN_CO_MAX_BODIES, SCN_CO_MAX_STEPS);
    return NULL;
  }
  if (body_at && (L.co->body = scn__alloc(c, c->mem, (L.bodies.n ? L.bodies.n : 1) * sizeof *L.co->body))) {
    scn_co_body scratch;
    for (size_t i = 0; i < bodies->n; i++)
      if (bodies->item[i]->kind == SCN__MAP)
        read_body(&L, body_at[i], bodies->item[i], body_at[i] >= 0 ? &L.co->body[body_at[i]] : &scratch);
    L.co->nbody = L.bodies.n;
  }
  if (step_at && (L.co->step = scn__alloc(c, c->mem, (L.steps.n ? L.steps.n : 1) * sizeof *L.co->step))) {
    scn_co_step scratch;
    for (size_t i = 0; i < steps->n; i++)
      if (steps->item[i]->kind == SCN__MAP)
        read_step(&L, step_at[i], steps->item[i], step_at[i] >= 0 ? &L.co->step[step_at[i]] : &scratch);
    L.co->nstep = L.steps.n;
  }
  unsigned char *mark = scn__alloc(c, c->tree, L.co->nstep ? L.co->nstep : 1);
  int *path = scn__alloc(c, c->tree, (L.co->nstep + 1) * sizeof *path);
  size_t depth = 0;
  for (size_t i = 0; mark && path && i < L.co->nstep; i++)
    if (!mark[i] && on_cycle(L.co, (int)i, mark, path, &depth)) {
      const scn_co_step *s = &L.co->step[path[depth - 1]];
      char chain[512];
      cycle_text(L.co, path, depth, chain, sizeof chain);
      diag_report(c->d, DIAG_ERROR, s->loc.file, s->loc.line, s->loc.col,
                  "step '%s' waits on itself through 'after': %s (none of them is ever raised)",
                  s->id, chain);
      break;
    }
  resolve_plan_decisions(&L);
  return diag_count(c->d, DIAG_ERROR) > errors_before ? NULL : L.co;
}

const scn_section coord_section = {"coordination", load_section, NULL};
