/* plan_check.c - the plan check: what can never happen (found by a fixed point over
 * the scenario's conditions), what goes wrong in sampled replications of the crisis
 * and the plan, each finding located at its task like a compiler's diagnostic.
 *
 * "Can" is an over-approximation: an event can occur if its probability is positive
 * and its trigger can hold before the horizon; a situation can be in force if
 * something that can happen recognises it; a gate can open likewise.  Timing is
 * ignored, so a finding that something can NEVER happen is certain, while one that
 * something does happen comes from the samples, with its share of them. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "plan_internal.h"
#include "quantity.h"

typedef struct conflict_count {
  int a, b, force, count;
} conflict_count;

struct plan_report {
  const plan_model *m;
  arena mem;
  int samples;
  plan_finding *f;
  size_t nf, capf;
  size_t count[3];
  /* Sampled, for the synchronization matrix ([task * samples + rep]; NaN = never). */
  double *start, *end, *phase_t;
  int *ran, *phase_of;
  /* What the static analysis found can happen (for other models' checks). */
  uint64_t can_sit, can_gate;  /* table situations, gates (for some situation) */
  unsigned char *can_task;     /* [ntask] */
};

const char *plan_finding_name(plan_finding_kind k) {
  static const char *const names[] = {
#define PLAN__FINDING_NAME(name, str) str,
      PLAN_FINDING_MAP(PLAN__FINDING_NAME)
#undef PLAN__FINDING_NAME
  };
  return (unsigned)k < PLAN_FINDING__COUNT ? names[k] : "?";
}

/* ---- building findings ------------------------------------------------------------------ */

typedef struct checker {
  plan_report *rep;
  const plan_model *m;
  const plan_authorities *a;
  const scn_scenario *sc;
  const scn_plan *p;
  int nomem;
  /* what can happen */
  unsigned char *ev, *ch, *gm, *ph, *task;
  uint64_t gate, sit;       /* gates that can open (for some situation); situations */
  uint64_t *gate_sit;       /* [nsit]: gates that can open for that situation (or all) */
  unsigned char *cyc;      /* [ntask + nphase]: on a dependency cycle */
  unsigned char *reported; /* [ntask]: a static finding already explains it */
} checker;

static char *vfmt(checker *k, const char *fmt, va_list ap) {
  char small[1024];
  vsnprintf(small, sizeof small, fmt, ap);
  char *s = arena_strdup(&k->rep->mem, small);
  if (!s) k->nomem = 1;
  return s;
}

static plan_finding *add(checker *k, plan_finding_kind kind, diag_severity sev, int task,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static plan_finding *add(checker *k, plan_finding_kind kind, diag_severity sev, int task,
                         const char *fmt, ...) {
  plan_report *r = k->rep;
  if (r->nf == r->capf) {
    size_t cap = r->capf ? 2 * r->capf : 16;
    plan_finding *grown = realloc(r->f, cap * sizeof *grown);
    if (!grown) {
      k->nomem = 1;
      return NULL;
    }
    r->f = grown;
    r->capf = cap;
  }
  plan_finding *f = &r->f[r->nf++];
  memset(f, 0, sizeof *f);
  f->kind = kind;
  f->severity = sev;
  f->task = task;
  f->other = f->asset = f->gate = -1;
  f->probability = NAN;
  f->loc = task >= 0 ? k->p->task[task].loc : k->p->plan_loc;
  va_list ap;
  va_start(ap, fmt);
  f->message = vfmt(k, fmt, ap);
  va_end(ap);
  r->count[sev]++;
  return f;
}

static void note(checker *k, plan_finding *f, scn_loc at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void note(checker *k, plan_finding *f, scn_loc at, const char *fmt, ...) {
  if (!f) return;
  plan_note *grown = arena_alloc(&k->rep->mem, (f->nnote + 1) * sizeof *grown);
  if (!grown) {
    k->nomem = 1;
    return;
  }
  if (f->nnote) memcpy(grown, f->note, f->nnote * sizeof *grown);
  f->note = grown;
  va_list ap;
  va_start(ap, fmt);
  f->note[f->nnote].loc = at;
  f->note[f->nnote].message = vfmt(k, fmt, ap);
  va_end(ap);
  f->nnote++;
}

static const char *sit_id(const checker *k, int s) { return k->a->sit[s].id; }

/* "'a', 'b' and 'c'" for the members of a bit set of table names. */
static void name_list(char *dst, size_t len, uint64_t set, const char *(*name)(const checker *, int),
                      const checker *k, size_t n) {
  size_t used = 0, total = 0, seen = 0;
  dst[0] = '\0';
  for (size_t i = 0; i < n; i++) total += (set >> i) & 1;
  for (size_t i = 0; i < n && used < len; i++) {
    if (!((set >> i) & 1)) continue;
    const char *sep = seen == 0 ? "" : seen + 1 == total ? " and " : ", ";
    used += (size_t)snprintf(dst + used, len - used, "%s'%s'", sep, name(k, (int)i));
    seen++;
  }
}

static const char *gate_id(const checker *k, int g) { return k->a->gate[g].id; }
static const char *area_id(const checker *k, int x) { return k->a->area[x].id; }

static void duration_text(char *dst, size_t len, double s) { qty_format(dst, len, s, QTY_DURATION); }

/* ---- what can happen ----------------------------------------------------------------------- */

static int trigger_can(const checker *k, const scn_trigger *t) {
  switch (t->kind) {
  case SCN_TRIG_AT: return t->at <= k->sc->horizon;
  case SCN_TRIG_EVENT: return k->ev[t->event];
  case SCN_TRIG_ALL:
    for (size_t i = 0; i < t->n; i++)
      if (!trigger_can(k, &t->sub[i])) return 0;
    return 1;
  default:
    for (size_t i = 0; i < t->n; i++)
      if (trigger_can(k, &t->sub[i])) return 1;
    return 0;
  }
}

static int cond_can(const checker *k, const pl_cond *c) {
  switch (c->kind) {
  case SCN_COND_AT: return c->at <= k->sc->horizon;
  case SCN_COND_EVENT: return k->ev[c->ref];
  case SCN_COND_CHANGE: return k->ch[c->ref];
  case SCN_COND_SITUATION: return (k->sit >> c->ref) & 1;
  case SCN_COND_GATE: return (k->gate >> c->ref) & 1;
  case SCN_COND_PHASE: return k->ph[c->ref];
  case SCN_COND_TASK:
  case SCN_COND_DONE: return k->task[c->ref];
  case SCN_COND_ALL:
    for (size_t i = 0; i < c->n; i++)
      if (!cond_can(k, &c->sub[i])) return 0;
    return 1;
  default:
    for (size_t i = 0; i < c->n; i++)
      if (cond_can(k, &c->sub[i])) return 1;
    return 0;
  }
}

/* Situations under which the task's activity is allowed in its area. */
static uint64_t allowed_under(const checker *k, int task) {
  const pl_task *pt = &k->m->task[task];
  uint64_t set = 0;
  for (size_t s = 0; s < k->a->nsit; s++) {
    int r = plan_rule_find(k->a, (int)s, pt->activity);
    if (r >= 0 && k->a->rule[r].allowed && ((k->a->rule[r].areas >> pt->area) & 1))
      set |= PLAN__BIT(s);
  }
  return set;
}

/* Gates that can be open for situation s: as in a run, those opened for it, for every
 * situation, or for a situation it supersedes (plan_run.c, gates_for). */
static uint64_t gates_for(const checker *k, int s) {
  uint64_t open = k->gate_sit[s], sup = k->a->sit[s].supersedes;
  for (size_t q = 0; sup; q++, sup >>= 1)
    if (sup & 1) open |= k->gate_sit[q];
  return open;
}

static int gates_can(const checker *k, const pl_task *pt, int s) {
  const pl_rule *rule = &k->a->rule[plan_rule_find(k->a, s, pt->activity)];
  uint64_t open = gates_for(k, s);
  return plan__expr_open(&rule->gates, open) &&
         plan__expr_open(&k->a->area[pt->area].requires, open) && !(pt->gates & ~open);
}

static int authority_can(const checker *k, int task) {
  const pl_task *pt = &k->m->task[task];
  if (!pt->law) return !(pt->gates & ~k->gate);
  uint64_t set = allowed_under(k, task) & k->sit;
  for (size_t s = 0; s < k->a->nsit; s++)
    if (((set >> s) & 1) && gates_can(k, pt, (int)s)) return 1;
  return 0;
}

static int set(unsigned char *x, int v) {
  if (*x || !v) return 0;
  *x = 1;
  return 1;
}

/* Gates g can open for situation s; adds them to *any.  Returns whether it is news. */
static int can_open(checker *k, uint64_t g, int s, uint64_t *any) {
  *any |= g;
  if (!(g & ~k->gate_sit[s])) return 0;
  k->gate_sit[s] |= g;
  return 1;
}

static void fixed_point(checker *k) {
  const scn_scenario *sc = k->sc;
  const scn_plan *p = k->p;
  const plan_model *m = k->m;
  const plan_authorities *a = k->a;
  int changed;
  do {
    changed = 0;
    for (size_t e = 0; e < sc->nevent; e++) {
      const scn_event *ev = &sc->event[e];
      int can = ev->p > 0 && (ev->parent >= 0 ? k->ev[ev->parent] : trigger_can(k, &ev->trigger));
      changed |= set(&k->ev[e], can);
    }
    uint64_t sit = m->initial >= 0 ? PLAN__BIT(m->initial) : 0, gate = 0;
    uint64_t all = 0; /* gates that can open for every situation */
    for (size_t e = 0; e < sc->nevent; e++) {
      if (!k->ev[e]) continue;
      for (size_t r = 0; r < sc->event[e].nraise; r++) {
        const scn_raise *ra = &sc->event[e].raise[r];
        if (ra->signal != SIG_SITUATION_CHANGED || ra->situation < 0) continue;
        int s = a->sit_of_scn[ra->situation];
        if (s < 0) continue;
        sit |= PLAN__BIT(s);
        changed |= can_open(k, plan__expr_gates(&a->sit[s].recognition), s, &gate);
      }
    }
    for (size_t i = 0; i < p->nchange; i++) {
      changed |= set(&k->ch[i], p->change[i].p > 0 && cond_can(k, &m->ch[i].trig));
      if (!k->ch[i]) continue;
      sit |= PLAN__BIT(m->ch[i].sit);
      changed |= can_open(k, m->ch[i].opens, m->ch[i].sit, &gate);
      if (m->ch[i].diet_gate >= 0 && (p->change[i].diet_p > 0 || p->change[i].emergency))
        changed |= can_open(k, PLAN__BIT(m->ch[i].diet_gate), m->ch[i].sit, &gate);
    }
    for (size_t i = 0; i < p->ngate; i++) {
      changed |= set(&k->gm[i], p->gate[i].p > 0 && cond_can(k, &m->gm[i].trig));
      if (!k->gm[i]) continue;
      if (m->gm[i].sit >= 0)
        changed |= can_open(k, PLAN__BIT(m->gm[i].gate), m->gm[i].sit, &gate);
      else
        all |= PLAN__BIT(m->gm[i].gate);
    }
    gate |= all;
    for (size_t s = 0; s < a->nsit; s++) {
      if (all & ~k->gate_sit[s]) changed = 1;
      k->gate_sit[s] |= all;
    }
    if ((sit & ~k->sit) || (gate & ~k->gate)) changed = 1;
    k->sit |= sit;
    k->gate |= gate;
    for (size_t i = 0; i < p->nphase; i++) {
      int can = (i == 0 || k->ph[i - 1]) && (!m->ph[i].has_start || cond_can(k, &m->ph[i].start));
      changed |= set(&k->ph[i], can);
    }
    for (size_t i = 0; i < p->ntask; i++) {
      const scn_task *t = &p->task[i];
      const pl_task *pt = &m->task[i];
      int can = (t->phase < 0 || k->ph[t->phase]) && (!pt->has_start || cond_can(k, &pt->start)) &&
                authority_can(k, (int)i);
      changed |= set(&k->task[i], can);
    }
  } while (changed);
}

/* ---- static findings ------------------------------------------------------------------------ */

static void check_assets(checker *k, int i) {
  const scn_task *t = &k->p->task[i];
  const pl_activity *act = &k->a->act[k->m->task[i].activity];
  for (size_t j = 0; j < t->nasset; j++) {
    const scn_force *f = &k->sc->force[t->asset[j].force];
    if (strcmp(f->nation, t->owner) != 0) {
      plan_finding *x = add(k, PLAN_FINDING_ASSET_NATION, DIAG_ERROR, i,
                            "task '%s' is a %s task but asset '%s' belongs to %s", t->id, t->owner,
                            f->id, f->nation);
      if (x) x->asset = t->asset[j].force;
      note(k, x, f->loc, "'%s' is defined here", f->id);
    }
    if (!act->nkind) continue;
    size_t m = 0;
    while (m < act->nkind && strcmp(act->kind[m], f->kind) != 0) m++;
    if (m < act->nkind) continue;
    char kinds[512] = "";
    size_t used = 0;
    for (size_t q = 0; q < act->nkind && used < sizeof kinds; q++)
      used += (size_t)snprintf(kinds + used, sizeof kinds - used, "%s%s", q ? ", " : "", act->kind[q]);
    plan_finding *x = add(k, PLAN_FINDING_ASSET_KIND, DIAG_ERROR, i,
                          "asset '%s' is a '%s', which cannot do '%s' (task '%s')", f->id, f->kind,
                          act->id, t->id);
    if (x) x->asset = t->asset[j].force;
    note(k, x, act->loc, "'%s' is done by %s", act->id, kinds);
  }
}

/* Required dependencies: the references of a condition not under an any_of. */
static size_t required_refs(const checker *k, const pl_cond *c, int *out, size_t n) {
  size_t nt = k->p->ntask;
  switch (c->kind) {
  case SCN_COND_TASK:
  case SCN_COND_DONE: out[n++] = c->ref; break;
  case SCN_COND_PHASE: out[n++] = (int)nt + c->ref; break;
  case SCN_COND_ALL:
    for (size_t i = 0; i < c->n; i++) n = required_refs(k, &c->sub[i], out, n);
    break;
  default: break;
  }
  return n;
}

static size_t count_leaves(const pl_cond *c) {
  size_t n = 1;
  for (size_t i = 0; i < c->n; i++) n += count_leaves(&c->sub[i]);
  return n;
}

static const char *node_name(const checker *k, int v, char *dst, size_t len) {
  size_t nt = k->p->ntask;
  if ((size_t)v < nt)
    snprintf(dst, len, "task '%s'", k->p->task[v].id);
  else
    snprintf(dst, len, "phase '%s'", k->p->phase[(size_t)v - nt].id);
  return dst;
}

static scn_loc node_loc(const checker *k, int v) {
  size_t nt = k->p->ntask;
  return (size_t)v < nt ? k->p->task[v].loc : k->p->phase[(size_t)v - nt].loc;
}

/* A cycle of required dependencies among tasks and phases: none of them can start. */
static void check_cycles(checker *k) {
  const scn_plan *p = k->p;
  const plan_model *m = k->m;
  size_t nt = p->ntask, n = nt + p->nphase;
  if (!n) return;
  size_t *start = calloc(n + 1, sizeof *start);
  unsigned char *color = calloc(n, 1);
  int *stack = malloc(n * sizeof *stack);
  size_t *next = calloc(n, sizeof *next);
  size_t total = 0;
  for (size_t v = 0; v < n; v++) {
    size_t c = 1;
    if (v < nt && m->task[v].has_start) c += count_leaves(&m->task[v].start);
    if (v >= nt && m->ph[v - nt].has_start) c += count_leaves(&m->ph[v - nt].start);
    total += c;
  }
  int *adj = malloc((total ? total : 1) * sizeof *adj);
  if (!start || !color || !stack || !next || !adj) {
    k->nomem = 1;
    goto done;
  }
  for (size_t v = 0; v < n; v++) {
    size_t e = start[v];
    if (v < nt) {
      if (p->task[v].phase >= 0) adj[e++] = (int)nt + p->task[v].phase;
      if (m->task[v].has_start) e = required_refs(k, &m->task[v].start, adj, e);
    } else {
      size_t ph = v - nt;
      if (ph > 0) adj[e++] = (int)(v - 1);
      if (m->ph[ph].has_start) e = required_refs(k, &m->ph[ph].start, adj, e);
    }
    start[v + 1] = e;
  }
  for (size_t root = 0; root < n; root++) {
    if (color[root]) continue;
    size_t top = 0;
    stack[top++] = (int)root;
    color[root] = 1;
    next[root] = start[root];
    while (top) {
      int u = stack[top - 1];
      if (next[u] == start[u + 1]) {
        color[u] = 2;
        top--;
        continue;
      }
      int w = adj[next[u]++];
      if (color[w] == 0) {
        color[w] = 1;
        next[w] = start[w];
        stack[top++] = w;
        continue;
      }
      if (color[w] != 1) continue;
      /* stack[from..top) closes a cycle at w: report it at its first task. */
      size_t from = top - 1;
      while (from > 0 && stack[from] != w) from--;
      int first = -1;
      for (size_t q = from; q < top; q++)
        if ((size_t)stack[q] < nt && (first < 0 || stack[q] < first)) first = stack[q];
      int already = 0;
      for (size_t q = from; q < top; q++) already |= k->cyc[stack[q]];
      for (size_t q = from; q < top; q++) k->cyc[stack[q]] = 1;
      if (already) continue;
      char chain[768] = "", name[160];
      size_t used = 0;
      for (size_t q = from; q < top && used < sizeof chain; q++)
        used += (size_t)snprintf(chain + used, sizeof chain - used, "%s -> ",
                                 node_name(k, stack[q], name, sizeof name));
      if (used < sizeof chain)
        snprintf(chain + used, sizeof chain - used, "%s", node_name(k, w, name, sizeof name));
      plan_finding *f = add(k, PLAN_FINDING_CYCLE, DIAG_ERROR, first,
                            "dependency cycle: %s (each waits for the next, so none can start)", chain);
      if (f && first < 0) f->loc = node_loc(k, stack[from]);
      for (size_t q = from; q < top; q++)
        if (stack[q] != first)
          note(k, f, node_loc(k, stack[q]), "%s is on the cycle", node_name(k, stack[q], name, sizeof name));
    }
  }
done:
  free(start), free(color), free(stack), free(next), free(adj);
}

/* The first leaf that keeps a condition from ever holding. */
static const pl_cond *impossible_leaf(const checker *k, const pl_cond *c) {
  if (cond_can(k, c)) return NULL;
  if (c->kind != SCN_COND_ALL && c->kind != SCN_COND_ANY) return c;
  for (size_t i = 0; i < c->n; i++) {
    const pl_cond *x = impossible_leaf(k, &c->sub[i]);
    if (x) return x;
  }
  return c;
}

static void describe_leaf(const checker *k, const pl_cond *c, char *dst, size_t len) {
  char a[32], b[32];
  switch (c->kind) {
  case SCN_COND_AT:
    duration_text(a, sizeof a, c->at);
    duration_text(b, sizeof b, k->sc->horizon);
    snprintf(dst, len, "time %s is past the horizon %s", a, b);
    break;
  case SCN_COND_EVENT: snprintf(dst, len, "event '%s' can never occur", k->sc->event[c->ref].id); break;
  case SCN_COND_CHANGE:
    snprintf(dst, len, "situation change '%s' is never decided", k->p->change[c->ref].id);
    break;
  case SCN_COND_SITUATION: snprintf(dst, len, "situation '%s' is never in force", sit_id(k, c->ref)); break;
  case SCN_COND_GATE: snprintf(dst, len, "gate '%s' never opens", gate_id(k, c->ref)); break;
  case SCN_COND_PHASE: snprintf(dst, len, "phase '%s' never begins", k->p->phase[c->ref].id); break;
  case SCN_COND_TASK: snprintf(dst, len, "task '%s' never starts", k->p->task[c->ref].id); break;
  case SCN_COND_DONE: snprintf(dst, len, "task '%s' never finishes", k->p->task[c->ref].id); break;
  default: snprintf(dst, len, "no alternative can hold"); break;
  }
}

/* Gates of an expression that keep it closed, given what can open. */
static uint64_t missing_gates(const pl_expr *e, uint64_t can) {
  if (plan__expr_open(e, can)) return 0;
  if (e->kind == PX_GATE) return PLAN__BIT(e->gate);
  uint64_t m = 0;
  for (size_t i = 0; i < e->n; i++) m |= missing_gates(&e->sub[i], can);
  return m;
}

static void check_authority(checker *k, int i) {
  const scn_task *t = &k->p->task[i];
  const pl_task *pt = &k->m->task[i];
  const plan_authorities *a = k->a;
  const pl_activity *act = &a->act[pt->activity];
  char list[512];
  if (!pt->law) {
    uint64_t miss = pt->gates & ~k->gate;
    if (!miss) return;
    name_list(list, sizeof list, miss, gate_id, k, a->ngate);
    int many = __builtin_popcountll(miss) > 1;
    plan_finding *f = add(k, PLAN_FINDING_GATE_NEVER_OPENS, DIAG_ERROR, i,
                          "task '%s' waits for gate%s %s, which never open%s: nothing in this "
                          "scenario opens %s", t->id, many ? "s" : "", list, many ? "" : "s",
                          many ? "them" : "it");
    if (f) f->gate = __builtin_ctzll(miss);
    k->reported[i] = 1;
    return;
  }
  uint64_t allowed = allowed_under(k, i), reach = allowed & k->sit;
  if (!reach) {
    name_list(list, sizeof list, k->sit, sit_id, k, a->nsit);
    plan_finding *f = add(k, PLAN_FINDING_UNAUTHORISED, DIAG_ERROR, i,
                          "%s task '%s' is never authorised: '%s' in %s is not allowed under any "
                          "situation this scenario can reach (%s)", t->owner, t->id, act->id,
                          a->area[pt->area].id, list);
    k->reported[i] = 1;
    size_t shown = 0;
    for (size_t s = 0; s < a->nsit && shown < 3; s++) {
      if (!((k->sit >> s) & 1)) continue;
      int r = plan_rule_find(a, (int)s, pt->activity);
      if (r < 0) continue;
      const pl_rule *rule = &a->rule[r];
      if (!rule->allowed) {
        size_t len = strlen(rule->reason);
        note(k, f, rule->loc, "under '%s': %.*s", sit_id(k, (int)s),
             (int)(len && rule->reason[len - 1] == '.' ? len - 1 : len), rule->reason);
      } else {
        char areas[256];
        name_list(areas, sizeof areas, rule->areas, area_id, k, a->narea);
        note(k, f, rule->loc, "under '%s' it is allowed only in %s", sit_id(k, (int)s), areas);
      }
      shown++;
    }
    for (size_t s = 0; s < a->nsit; s++)
      if ((allowed >> s) & 1) {
        note(k, f, a->rule[plan_rule_find(a, (int)s, pt->activity)].loc,
             "it is allowed under '%s', which nothing in this scenario recognises", sit_id(k, (int)s));
        break;
      }
    return;
  }
  for (size_t s = 0; s < a->nsit; s++)
    if (((reach >> s) & 1) && gates_can(k, pt, (int)s)) return;
  /* Authorised somewhere reachable, but a gate it needs never opens: name the
   * situation that misses the fewest. */
  int s = -1, fewest = 65;
  uint64_t miss = 0;
  for (size_t q = 0; q < a->nsit; q++) {
    if (!((reach >> q) & 1)) continue;
    const pl_rule *rq = &a->rule[plan_rule_find(a, (int)q, pt->activity)];
    uint64_t open = gates_for(k, (int)q);
    uint64_t mq = missing_gates(&rq->gates, open) |
                  missing_gates(&a->area[pt->area].requires, open) | (pt->gates & ~open);
    if (__builtin_popcountll(mq) < fewest) {
      fewest = __builtin_popcountll(mq);
      s = (int)q;
      miss = mq;
    }
  }
  const pl_rule *rule = &a->rule[plan_rule_find(a, s, pt->activity)];
  name_list(list, sizeof list, miss, gate_id, k, a->ngate);
  uint64_t open = gates_for(k, s);
  int elsewhere = (miss & k->gate) == miss; /* they open, but for other situations */
  plan_finding *f = add(k, PLAN_FINDING_GATE_NEVER_OPENS, DIAG_ERROR, i,
                        "task '%s' needs gate%s %s under '%s', which never open%s%s",
                        t->id, fewest > 1 ? "s" : "", list, sit_id(k, s), fewest > 1 ? "" : "s",
                        elsewhere ? " for that situation: a gate opened for one situation does "
                                    "not count for another"
                                  : fewest > 1 ? ": nothing in this scenario opens them"
                                               : ": nothing in this scenario opens it");
  if (f) f->gate = __builtin_ctzll(miss ? miss : 1);
  k->reported[i] = 1;
  if (missing_gates(&rule->gates, open))
    note(k, f, rule->gates_loc, "rule '%s' requires these gates", rule->id);
  if (missing_gates(&a->area[pt->area].requires, open))
    note(k, f, a->area[pt->area].loc, "area '%s' requires these gates", a->area[pt->area].id);
}

static void check_never_starts(checker *k, int i) {
  const scn_task *t = &k->p->task[i];
  const pl_task *pt = &k->m->task[i];
  if (k->task[i] || k->cyc[i] || k->reported[i]) return;
  char why[256];
  scn_loc at = t->loc;
  if (t->phase >= 0 && !k->ph[t->phase]) {
    snprintf(why, sizeof why, "its phase '%s' never begins", k->p->phase[t->phase].id);
    at = k->p->phase[t->phase].loc;
  } else if (pt->has_start) {
    const pl_cond *leaf = impossible_leaf(k, &pt->start);
    if (!leaf) return;
    describe_leaf(k, leaf, why, sizeof why);
    at = leaf->loc;
  } else {
    return;
  }
  plan_finding *f = add(k, PLAN_FINDING_NEVER_STARTS, DIAG_ERROR, i,
                        "task '%s' can never start: %s", t->id, why);
  note(k, f, at, "here");
  k->reported[i] = 1;
}

/* A region some event that can occur makes active: the event, or -1. */
static int activating_event(const checker *k, int region, const scn_raise **raise) {
  const scn_scenario *sc = k->sc;
  for (size_t e = 0; e < sc->nevent; e++) {
    if (!k->ev[e]) continue;
    for (size_t r = 0; r < sc->event[e].nraise; r++) {
      const scn_raise *ra = &sc->event[e].raise[r];
      if (ra->signal == SIG_REGION_STATUS && ra->region == region) {
        *raise = ra;
        return (int)e;
      }
    }
  }
  return -1;
}

static void check_combat(checker *k, int i, int combat_samples) {
  const scn_task *t = &k->p->task[i];
  const pl_task *pt = &k->m->task[i];
  const plan_authorities *a = k->a;
  if (!pt->law || !pt->ncombat || !k->task[i]) return;
  const scn_raise *raise = NULL;
  int region = -1;
  for (size_t c = 0; c < pt->ncombat && region < 0; c++)
    if (activating_event(k, pt->combat[c], &raise) >= 0) region = pt->combat[c];
  if (region < 0) return;
  uint64_t reach = allowed_under(k, i) & k->sit;
  int excluded = 0, rescue = 0;
  for (size_t s = 0; s < a->nsit; s++) {
    if (!((reach >> s) & 1)) continue;
    int c = a->rule[plan_rule_find(a, (int)s, pt->activity)].combat;
    excluded |= c == PLAN_COMBAT_EXCLUDED;
    rescue |= c == PLAN_COMBAT_CONTINUE_RESCUE;
  }
  if (!excluded && !rescue) return;
  const char *where = t->place >= 0 ? k->sc->place[t->place].id : k->sc->region[t->region].id;
  char share[128] = "";
  if (k->rep->samples > 0)
    snprintf(share, sizeof share, " (under way there while the task was due or running in %.1f%% "
                                  "of %d sampled replications)",
             100.0 * combat_samples / k->rep->samples, k->rep->samples);
  plan_finding *f =
      excluded
          ? add(k, PLAN_FINDING_COMBAT_SCENE, DIAG_ERROR, i,
                "%s task '%s' is located where combat can be under way: '%s' lies in combat area "
                "'%s'%s, and '%s' is never performed at a combat scene",
                t->owner, t->id, where, k->sc->region[region].id, share, a->act[pt->activity].id)
          : add(k, PLAN_FINDING_COMBAT_SCENE, DIAG_WARNING, i,
                "%s task '%s' is located where combat can be under way: '%s' lies in combat area "
                "'%s'%s; a rescue under way may continue, but none may begin there",
                t->owner, t->id, where, k->sc->region[region].id, share);
  if (!f) return;
  if (k->rep->samples > 0) f->probability = (double)combat_samples / k->rep->samples;
  note(k, f, raise->loc, "combat area '%s' becomes active here", k->sc->region[region].id);
  k->reported[i] = 1;
}

/* ---- sampling ------------------------------------------------------------------------------- */

typedef struct mask_count {
  uint64_t mask;
  int count;
} mask_count;

typedef struct sampled {
  int *due, *unauth, *started, *combat; /* [ntask] */
  int *branch;                           /* [ntask * nbranch] among unauthorised samples */
  int *branch_ev;                        /* [nbranch] event index of each branch */
  size_t nbranch;
  mask_count *masks;                     /* [ntask * 8] most frequent due situations */
  conflict_count *conf;
  size_t nconf, capconf;
  int *phase_votes;                      /* [ntask * (nphase + 1)] */
} sampled;

#define MASK_SLOTS 8

static void count_mask(mask_count *slots, uint64_t mask) {
  for (int i = 0; i < MASK_SLOTS; i++) {
    if (slots[i].count && slots[i].mask == mask) {
      slots[i].count++;
      return;
    }
    if (!slots[i].count) {
      slots[i] = (mask_count){mask, 1};
      return;
    }
  }
}

static int add_conflict(sampled *s, const pl_conflict *c) {
  for (size_t i = 0; i < s->nconf; i++)
    if (s->conf[i].a == c->a && s->conf[i].b == c->b && s->conf[i].force == c->force) {
      s->conf[i].count++;
      return 0;
    }
  if (s->nconf == s->capconf) {
    size_t cap = s->capconf ? 2 * s->capconf : 8;
    conflict_count *grown = realloc(s->conf, cap * sizeof *grown);
    if (!grown) return ERR_NOMEM;
    s->conf = grown;
    s->capconf = cap;
  }
  s->conf[s->nconf++] = (conflict_count){c->a, c->b, c->force, 1};
  return 0;
}

static int sample(checker *k, const plan_check_options *opt, sampled *S) {
  plan_report *R = k->rep;
  const scn_plan *p = k->p;
  size_t nt = p->ntask, np = p->nphase, n = (size_t)R->samples;
  sim *s = sim_new();
  arena a;
  arena_init(&a, ARENA_DEFAULT_CAP);
  pl_task_obs *obs = malloc((nt ? nt : 1) * sizeof *obs);
  int err = 0;
  if (!s || !obs) {
    err = ERR_NOMEM;
    goto done;
  }
  for (size_t rep = 0; rep < n; rep++) {
    sim_reset(s);
    arena_reset(&a);
    if (opt->world && (err = opt->world(s, &a, k->sc->seed, (uint32_t)rep, opt->world_ctx))) goto done;
    plan_run *r = plan__start(k->m, s, &a, NULL, k->sc->seed, (uint32_t)rep, 1);
    if (!r) {
      err = ERR_LIMIT;
      goto done;
    }
    if ((err = sim_run(s, k->sc->horizon))) goto done;
    plan__observe(r, obs);
    for (size_t i = 0; i < nt; i++) {
      const pl_task_obs *o = &obs[i];
      S->due[i] += o->due;
      S->combat[i] += o->combat;
      if (o->due_unauthorised) {
        S->unauth[i]++;
        count_mask(&S->masks[i * MASK_SLOTS], o->due_sits);
        for (size_t b = 0; S->branch && b < S->nbranch; b++)
          S->branch[i * S->nbranch + b] += plan__event_occurred(r, S->branch_ev[b]);
      }
      if (o->started) {
        S->started[i]++;
        R->start[i * n + rep] = o->start_t;
        R->end[i * n + rep] = isnan(o->end_t) ? k->sc->horizon : o->end_t;
        S->phase_votes[i * (np + 1) + (size_t)(o->phase_at_start + 1)]++;
      }
    }
    for (size_t q = 0; q < np; q++) R->phase_t[q * n + rep] = plan_run_phase_began(r, (int)q);
    const pl_conflict *c;
    size_t nc = plan__conflicts(r, &c);
    for (size_t q = 0; q < nc; q++)
      if ((err = add_conflict(S, &c[q]))) goto done;
  }
done:
  free(obs);
  sim_free(s);
  arena_release(&a);
  return err;
}

static int cmp_share(const void *x, const void *y) {
  const plan_branch_share *a = x, *b = y;
  if (a->share != b->share) return a->share > b->share ? -1 : 1;
  return a->event - b->event;
}

static void sampled_unauthorised(checker *k, const sampled *S, int i) {
  const scn_task *t = &k->p->task[i];
  const pl_task *pt = &k->m->task[i];
  const plan_authorities *a = k->a;
  int n = k->rep->samples, u = S->unauth[i];
  if (!u || k->reported[i]) return;
  const mask_count *slots = &S->masks[(size_t)i * MASK_SLOTS];
  int best = 0;
  for (int q = 1; q < MASK_SLOTS; q++)
    if (slots[q].count > slots[best].count) best = q;
  char sits[256];
  name_list(sits, sizeof sits, slots[best].mask, sit_id, k, a->nsit);
  if (!slots[best].mask) snprintf(sits, sizeof sits, "no situation");
  plan_finding *f = add(k, PLAN_FINDING_UNAUTHORISED, DIAG_WARNING, i,
                        "%s task '%s' can become due where '%s' is not authorised: in %.1f%% of %d "
                        "sampled replications it became due under %s and waited for authority",
                        t->owner, t->id, a->act[pt->activity].id, 100.0 * u / n, n, sits);
  if (!f) return;
  f->probability = (double)u / n;
  if (S->branch) {
    size_t nb = 0;
    f->branch = arena_alloc(&k->rep->mem, (S->nbranch ? S->nbranch : 1) * sizeof *f->branch);
    if (!f->branch) {
      k->nomem = 1;
      return;
    }
    for (size_t b = 0; b < S->nbranch; b++) {
      int c = S->branch[(size_t)i * S->nbranch + b];
      if (c) f->branch[nb++] = (plan_branch_share){S->branch_ev[b], (double)c / u};
    }
    qsort(f->branch, nb, sizeof *f->branch, cmp_share);
    f->nbranch = nb;
    if (nb) {
      char text[512];
      size_t used = 0;
      for (size_t b = 0; b < nb && b < 4 && used < sizeof text; b++)
        used += (size_t)snprintf(text + used, sizeof text - used, "%s'%s' in %.0f%%", b ? ", " : "",
                                 k->sc->event[f->branch[b].event].id, 100 * f->branch[b].share);
      note(k, f, t->loc, "crisis branches taken in those replications: %s", text);
    }
  }
  uint64_t reach = allowed_under(k, i) & k->sit;
  for (size_t s = 0; s < a->nsit; s++) {
    if (!((reach >> s) & 1) || !gates_can(k, pt, (int)s)) continue;
    const pl_rule *rule = &a->rule[plan_rule_find(a, (int)s, pt->activity)];
    note(k, f, rule->loc, "'%s' is authorised under '%s' (rule '%s')", a->act[pt->activity].id,
         sit_id(k, (int)s), rule->id);
    break;
  }
}

static void sampled_conflicts(checker *k, const sampled *S) {
  int n = k->rep->samples;
  for (size_t q = 0; q < S->nconf; q++) {
    const conflict_count *c = &S->conf[q];
    const scn_task *ta = &k->p->task[c->a], *tb = &k->p->task[c->b];
    const scn_force *f = &k->sc->force[c->force];
    int na = 0, nb = 0;
    for (size_t j = 0; j < ta->nasset; j++)
      if (ta->asset[j].force == c->force) na = ta->asset[j].count;
    for (size_t j = 0; j < tb->nasset; j++)
      if (tb->asset[j].force == c->force) nb = tb->asset[j].count;
    plan_finding *x = add(k, PLAN_FINDING_DOUBLE_BOOKED, DIAG_ERROR, c->b,
                          "asset '%s' is double-booked: tasks '%s' and '%s' need %d and %d of its %d "
                          "units at the same time in %.1f%% of %d sampled replications",
                          f->id, ta->id, tb->id, na, nb, f->count, 100.0 * c->count / n, n);
    if (!x) return;
    x->other = c->a;
    x->asset = c->force;
    x->probability = (double)c->count / n;
    note(k, x, ta->loc, "task '%s' uses '%s' here", ta->id, f->id);
  }
}

/* ---- the check ------------------------------------------------------------------------------ */

static int cmp_finding(const void *x, const void *y) {
  const plan_finding *a = x, *b = y;
  const char *fa = a->loc.file ? a->loc.file : "", *fb = b->loc.file ? b->loc.file : "";
  int c = strcmp(fa, fb);
  if (c) return c;
  if (a->loc.line != b->loc.line) return a->loc.line < b->loc.line ? -1 : 1;
  if (a->loc.col != b->loc.col) return a->loc.col < b->loc.col ? -1 : 1;
  if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
  if (a->other != b->other) return a->other < b->other ? -1 : 1;
  return a->asset - b->asset;
}

static void sampled_free(sampled *S) {
  free(S->due), free(S->unauth), free(S->started), free(S->combat), free(S->branch);
  free(S->branch_ev), free(S->masks), free(S->conf), free(S->phase_votes);
}

int plan_check(plan_report **out, const plan_model *m, const plan_check_options *opt) {
  static const plan_check_options defaults = PLAN_CHECK_OPTIONS_INIT;
  if (!opt) opt = &defaults;
  *out = NULL;
  if (opt->samples < 0 || opt->samples > PLAN_MAX_SAMPLES) return ERR_USAGE;
  plan_report *R = calloc(1, sizeof *R);
  if (!R) return ERR_NOMEM;
  arena_init(&R->mem, ARENA_DEFAULT_CAP);
  R->m = m;
  R->samples = opt->samples;
  const scn_plan *p = m->p;
  const scn_scenario *sc = m->sc;
  size_t nt = p->ntask, np = p->nphase, n = (size_t)opt->samples;
  checker k = {R, m, m->a, sc, p, 0, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL};
  sampled S = {0};
  int err = 0;
  if (n && (nt + np) > (size_t)50000000 / n) {
    err = ERR_LIMIT; /* the sampled times would not fit */
    goto done;
  }
  k.ev = arena_calloc(&R->mem, sc->nevent + 1, 1);
  k.ch = arena_calloc(&R->mem, p->nchange + 1, 1);
  k.gm = arena_calloc(&R->mem, p->ngate + 1, 1);
  k.gate_sit = arena_calloc(&R->mem, m->a->nsit + 1, sizeof *k.gate_sit);
  k.ph = arena_calloc(&R->mem, np + 1, 1);
  k.task = arena_calloc(&R->mem, nt + 1, 1);
  k.cyc = arena_calloc(&R->mem, nt + np + 1, 1);
  k.reported = arena_calloc(&R->mem, nt + 1, 1);
  R->start = arena_alloc(&R->mem, (nt * n + 1) * sizeof *R->start);
  R->end = arena_alloc(&R->mem, (nt * n + 1) * sizeof *R->end);
  R->phase_t = arena_alloc(&R->mem, (np * n + 1) * sizeof *R->phase_t);
  R->ran = arena_calloc(&R->mem, nt + 1, sizeof *R->ran);
  R->phase_of = arena_calloc(&R->mem, nt + 1, sizeof *R->phase_of);
  S.due = calloc(nt + 1, sizeof *S.due);
  S.unauth = calloc(nt + 1, sizeof *S.unauth);
  S.started = calloc(nt + 1, sizeof *S.started);
  S.combat = calloc(nt + 1, sizeof *S.combat);
  S.masks = calloc((nt + 1) * MASK_SLOTS, sizeof *S.masks);
  S.phase_votes = calloc((nt + 1) * (np + 1), sizeof *S.phase_votes);
  S.branch_ev = calloc(sc->nevent + 1, sizeof *S.branch_ev);
  if (!k.ev || !k.ch || !k.gm || !k.gate_sit || !k.ph || !k.task || !k.cyc || !k.reported || !R->start ||
      !R->end || !R->phase_t || !R->ran || !R->phase_of || !S.due || !S.unauth || !S.started ||
      !S.combat || !S.masks || !S.phase_votes || !S.branch_ev) {
    err = ERR_NOMEM;
    goto done;
  }
  for (size_t e = 0; e < sc->nevent; e++)
    if (sc->event[e].parent >= 0) S.branch_ev[S.nbranch++] = (int)e;
  if (nt * S.nbranch <= (size_t)10000000 && (S.branch = calloc(nt * S.nbranch + 1, sizeof *S.branch)) == NULL) {
    err = ERR_NOMEM;
    goto done;
  }
  for (size_t i = 0; i < nt * n; i++) R->start[i] = R->end[i] = NAN;
  for (size_t i = 0; i < np * n; i++) R->phase_t[i] = NAN;

  fixed_point(&k);
  R->can_sit = k.sit, R->can_gate = k.gate, R->can_task = k.task;
  if (n && (err = sample(&k, opt, &S))) goto done;

  check_cycles(&k);
  for (size_t i = 0; i < nt; i++) {
    check_assets(&k, (int)i);
    check_authority(&k, (int)i);
    check_never_starts(&k, (int)i);
    check_combat(&k, (int)i, S.combat[i]);
    if (n) sampled_unauthorised(&k, &S, (int)i);
  }
  if (n) sampled_conflicts(&k, &S);
  for (size_t i = 0; n && i < nt; i++) {
    if (!k.task[i] || k.reported[i] || k.cyc[i] || S.started[i]) continue;
    plan_finding *f = add(&k, PLAN_FINDING_NEVER_STARTS, DIAG_WARNING, (int)i,
                          "task '%s' did not start in any of %d sampled replications (it can start, "
                          "but only on a path rarer than about 3 in %d)",
                          p->task[i].id, R->samples, R->samples);
    if (f) f->probability = 0;
  }
  for (size_t i = 0; i < nt; i++) {
    R->ran[i] = S.started[i];
    int best = 0;
    for (size_t q = 1; q <= np; q++)
      if (S.phase_votes[i * (np + 1) + q] > S.phase_votes[i * (np + 1) + (size_t)best]) best = (int)q;
    R->phase_of[i] = p->task[i].phase >= 0 ? p->task[i].phase : best - 1;
  }
  if (k.nomem) err = ERR_NOMEM;
  else if (R->nf) qsort(R->f, R->nf, sizeof *R->f, cmp_finding);
done:
  sampled_free(&S);
  if (err) {
    plan_report_free(R);
    return err;
  }
  *out = R;
  return 0;
}

void plan_report_free(plan_report *r) {
  if (!r) return;
  free(r->f);
  arena_release(&r->mem);
  free(r);
}

size_t plan_report_count(const plan_report *r) { return r ? r->nf : 0; }
const plan_finding *plan_report_at(const plan_report *r, size_t i) { return i < r->nf ? &r->f[i] : NULL; }
size_t plan_report_severity_count(const plan_report *r, diag_severity sev) {
  return r && (unsigned)sev < 3 ? r->count[sev] : 0;
}
int plan_report_samples(const plan_report *r) { return r ? r->samples : 0; }

const plan_model *plan__report_model(const plan_report *r) { return r->m; }

int plan_report_task_can_start(const plan_report *r, int task) {
  return task >= 0 && (size_t)task < r->m->p->ntask && r->can_task[task];
}

int plan_report_situation_can(const plan_report *r, int situation) {
  if (situation < 0 || situation >= SCN_SIT__COUNT) return 0;
  int s = r->m->a->sit_of_scn[situation];
  return s >= 0 && ((r->can_sit >> s) & 1);
}

int plan_report_gate_can_open(const plan_report *r, int gate) {
  return gate >= 0 && gate < 64 && ((r->can_gate >> gate) & 1);
}

void plan__report_sampled(const plan_report *r, const double **start, const double **end,
                          const double **phase_t, const int **ran, const int **phase_of) {
  *start = r->start, *end = r->end, *phase_t = r->phase_t, *ran = r->ran, *phase_of = r->phase_of;
}
