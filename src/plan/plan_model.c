/* plan_model.c - resolve a scenario's `situations:` and `plan:` against the authorities
 * table: activities, gates, legal areas and situations by name (an unknown one is an
 * error where the scenario writes it), the combat areas each task lies in, and the
 * module's metrics. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "plan_internal.h"

typedef struct resolver {
  plan_model *m;
  diag *d;
  int nomem;
} resolver;

static void rerror(resolver *r, scn_loc at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void rerror(resolver *r, scn_loc at, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  diag_report(r->d, DIAG_ERROR, at.file, at.line, at.col, "%s", msg);
}

static void *ralloc(resolver *r, size_t n, size_t size) {
  void *p = arena_calloc(&r->m->mem, n ? n : 1, size);
  if (!p) r->nomem = 1;
  return p;
}

int plan_scenario_uses(const scn_scenario *sc) {
  return sc && sc->plan && (sc->plan->has_situations || sc->plan->has_plan);
}

/* A table name written in the scenario, or -1 (reported, with a suggestion). */
static int resolve_name(resolver *r, plan_list what, const char *word, const char *noun,
                        scn_loc at) {
  const plan_authorities *a = r->m->a;
  if (!word) return -1;
  int i = plan_authorities_find(a, what, word);
  if (i >= 0) return i;
  size_t n = plan_authorities_count(a, what);
  const char **ids = malloc((n ? n : 1) * sizeof *ids);
  const char *hint = NULL;
  if (ids) {
    for (size_t k = 0; k < n; k++) ids[k] = plan_authorities_id(a, what, k);
    hint = diag_suggest(word, ids, n);
  }
  if (hint)
    rerror(r, at, "unknown %s '%s' (did you mean '%s'?)", noun, word, hint);
  else
    rerror(r, at, "unknown %s '%s' (not in the authorities table %s)", noun, word, a->path);
  free(ids);
  return -1;
}

static int table_situation(resolver *r, int scn, scn_loc at) {
  int s = scn >= 0 && scn < SCN_SIT__COUNT ? r->m->a->sit_of_scn[scn] : -1;
  if (s < 0 && scn >= 0)
    rerror(r, at, "situation '%s' is not in the authorities table %s",
           scn_situation_name((scn_situation)scn), r->m->a->path);
  return s;
}

static int resolve_cond(resolver *r, const scn_cond *c, pl_cond *out) {
  memset(out, 0, sizeof *out);
  out->kind = c->kind;
  out->at = c->at;
  out->ref = c->ref;
  out->loc = c->loc;
  switch (c->kind) {
  case SCN_COND_GATE:
    out->ref = resolve_name(r, PLAN_GATES, c->name, "gate", c->loc);
    return out->ref < 0 ? -1 : 0;
  case SCN_COND_SITUATION:
    out->ref = table_situation(r, c->ref, c->loc);
    return out->ref < 0 ? -1 : 0;
  case SCN_COND_ALL:
  case SCN_COND_ANY: {
    out->n = c->n;
    out->sub = ralloc(r, c->n, sizeof *out->sub);
    if (!out->sub) return -1;
    int bad = 0;
    for (size_t i = 0; i < c->n; i++) bad |= resolve_cond(r, &c->sub[i], &out->sub[i]);
    return bad ? -1 : 0;
  }
  default:
    return 0;
  }
}

/* ---- where a task is against the combat areas ------------------------------------------ */

static void find_combat_regions(resolver *r, const scn_task *t, pl_task *pt) {
  const plan_model *m = r->m;
  const scn_scenario *sc = m->sc;
  if (m->a->combat_area < 0 || !sc->nregion) return;
  const char *kind = m->a->area[m->a->combat_area].region_kind;
  pt->combat = ralloc(r, sc->nregion, sizeof *pt->combat);
  if (!pt->combat || !kind) return;
  for (size_t g = 0; g < sc->nregion; g++) {
    const scn_region *reg = &sc->region[g];
    if (strcmp(reg->kind, kind) != 0 || reg->n < 3) continue;
    int in = t->place >= 0 ? scn_region_contains(reg, sc->place[t->place].lat, sc->place[t->place].lon)
                           : ((int)g == t->region || scn_regions_overlap(reg, &sc->region[t->region]));
    if (in) pt->combat[pt->ncombat++] = (int)g;
  }
}

/* The legal area: as written, or from the place's nation. */
static int task_area(resolver *r, const scn_task *t) {
  const plan_authorities *a = r->m->a;
  const scn_scenario *sc = r->m->sc;
  if (t->legal_area.id) {
    int x = resolve_name(r, PLAN_AREAS, t->legal_area.id, "legal area", t->legal_area.loc);
    if (x >= 0 && a->area[x].exclusion) {
      rerror(r, t->legal_area.loc, "'%s' is the combat-scene overlay, not a legal area a task is in",
             a->area[x].id);
      return -1;
    }
    return x;
  }
  if (t->place < 0 && t->region < 0) return -1; /* reported by the loader */
  if (t->place < 0) {
    rerror(r, t->area_loc, "task '%s' is in region '%s': say which legal area that is with "
                           "'legal_area' (an area of the authorities table)",
           t->id, sc->region[t->region].id);
    return -1;
  }
  const char *nation = sc->place[t->place].nation;
  int match = !*nation ? PL_MATCH_NO_NATION
              : !strcmp(nation, a->nation) ? PL_MATCH_OWN_NATION
                                           : PL_MATCH_OTHER_NATION;
  for (size_t x = 0; x < a->narea; x++)
    if (a->area[x].match == match) return (int)x;
  rerror(r, t->area_loc, "no area of the authorities table matches place '%s' (nation '%s'): "
                         "give 'legal_area'", sc->place[t->place].id, nation);
  return -1;
}

static uint64_t resolve_gate_list(resolver *r, const scn_name *names, size_t n) {
  uint64_t m = 0;
  for (size_t i = 0; i < n; i++) {
    int g = resolve_name(r, PLAN_GATES, names[i].id, "gate", names[i].loc);
    if (g >= 0) m |= PLAN__BIT(g);
  }
  return m;
}

static void resolve_task(resolver *r, size_t i) {
  plan_model *m = r->m;
  const scn_task *t = &m->p->task[i];
  pl_task *pt = &m->task[i];
  pt->m_ran = pt->m_start = pt->m_auth = pt->m_gates = pt->m_assets = -1;
  pt->activity = resolve_name(r, PLAN_ACTIVITIES, t->activity.id, "activity", t->activity.loc);
  pt->area = task_area(r, t);
  pt->law = !strcmp(t->owner, m->a->nation);
  pt->gates = resolve_gate_list(r, t->gate, t->ngate);
  if ((pt->has_start = t->has_start)) resolve_cond(r, &t->start, &pt->start);
  if ((pt->has_until = t->has_until)) resolve_cond(r, &t->until, &pt->until);
  if (t->place >= 0 || t->region >= 0) find_combat_regions(r, t, pt);
  pt->m_crit_delay = pt->m_decisions = -1;
  for (int c = 0; c < SIM_CAUSE__COUNT; c++) pt->m_cause[c] = -1;
  /* Every task has the links (the delay its first start is put down to is published
   * with it, for the steps it raises); the metrics are only those of a task with
   * decisions. */
  size_t ng = 0;
  for (uint64_t g = pt->gates; g; g &= g - 1) ng++;
  size_t n = 1 + t->ndecision + ng;
  pt->crit_gate = ralloc(r, n, sizeof *pt->crit_gate);
  pt->m_crit = ralloc(r, n, sizeof *pt->m_crit);
  if (!pt->crit_gate || !pt->m_crit) return;
  pt->ncrit = n;
  size_t k = 0;
  pt->crit_gate[k++] = -1;
  for (int g = 0; g < 64; g++)
    if ((pt->gates >> g) & 1) pt->crit_gate[k++] = g;
  for (; k < n; k++) pt->crit_gate[k] = -1;
  pt->ncrit_gate = ng;
  for (k = 0; k < n; k++) pt->m_crit[k] = -1;
}

/* ---- wake-up times and task order ------------------------------------------------------- */

static void count_at(const pl_cond *c, double *out, size_t *n) {
  if (c->kind == SCN_COND_AT) {
    if (out) out[*n] = c->at;
    (*n)++;
  }
  for (size_t i = 0; i < c->n; i++) count_at(&c->sub[i], out, n);
}

static void collect_wakes(resolver *r, double *out, size_t *n) {
  plan_model *m = r->m;
  for (size_t i = 0; i < m->p->nchange; i++) count_at(&m->ch[i].trig, out, n);
  for (size_t i = 0; i < m->p->ngate; i++) count_at(&m->gm[i].trig, out, n);
  for (size_t i = 0; i < m->p->nphase; i++)
    if (m->ph[i].has_start) count_at(&m->ph[i].start, out, n);
  for (size_t i = 0; i < m->p->ntask; i++) {
    if (m->task[i].has_start) count_at(&m->task[i].start, out, n);
    if (m->task[i].has_until) count_at(&m->task[i].until, out, n);
  }
}

/* Insertion sort: stable, no global state, and plans have tens of tasks. */
static void sort_order(plan_model *m) {
  size_t n = m->p->ntask;
  for (size_t i = 0; i < n; i++) m->order[i] = (int)i;
  for (size_t i = 1; i < n; i++) {
    int x = m->order[i];
    size_t j = i;
    while (j > 0 && m->p->task[m->order[j - 1]].priority < m->p->task[x].priority) {
      m->order[j] = m->order[j - 1];
      j--;
    }
    m->order[j] = x;
  }
}

/* ---- metrics ----------------------------------------------------------------------------- */

static int define(metric_set *ms, const char *kind, const char *id, const char *what,
                  const char *unit, unsigned flags, const char *text) {
  char name[320];
  snprintf(name, sizeof name, "%s.%s.%s", kind, id, what);
  return metric_define(ms, "plan", name, unit, flags, text);
}

static int define_metrics(plan_model *m, metric_set *ms) {
  const scn_plan *p = m->p;
  const plan_authorities *a = m->a;
  char text[512];
  for (size_t i = 0; i < p->ntask; i++) {
    const scn_task *t = &p->task[i];
    pl_task *pt = &m->task[i];
    const char *label = *t->name ? t->name : t->id;
    snprintf(text, sizeof text, "1 if task '%s' started before the horizon", label);
    if ((pt->m_ran = define(ms, "task", t->id, "ran", "1", METRIC_HEADLINE | METRIC_BINARY, text)) < 0) return pt->m_ran;
    snprintf(text, sizeof text, "time task '%s' first started, when it did", label);
    if ((pt->m_start = define(ms, "task", t->id, "start", "s", 0, text)) < 0) return pt->m_start;
    snprintf(text, sizeof text, "time task '%s' was due but not authorised (no situation in force "
                                "allowed it there, or combat was under way there)", label);
    if ((pt->m_auth = define(ms, "task", t->id, "delay_authority", "s", METRIC_LOWER_BETTER, text)) < 0) return pt->m_auth;
    snprintf(text, sizeof text, "time task '%s' was due and authorised but waited for gates", label);
    if ((pt->m_gates = define(ms, "task", t->id, "delay_gates", "s", METRIC_LOWER_BETTER, text)) < 0) return pt->m_gates;
    snprintf(text, sizeof text, "time task '%s' could run but waited for its assets", label);
    if ((pt->m_assets = define(ms, "task", t->id, "delay_assets", "s", METRIC_LOWER_BETTER, text)) < 0) return pt->m_assets;
    if (!t->ndecision) continue;
    char what[200];
    for (size_t k = 0; k < pt->ncrit; k++) {
      int gate = pt->crit_gate[k] >= 0;
      const char *link = k == 0 ? "start_condition"
                         : gate ? a->gate[pt->crit_gate[k]].id
                                : p->decision[t->decision[k - 1 - pt->ncrit_gate]].id;
      snprintf(what, sizeof what, "critical.%s", link);
      snprintf(text, sizeof text, "1 if %s%s%s was the last to hold before task '%s' could "
                                  "start (its critical link), when it started",
               k == 0 ? "its start condition" : gate ? "gate '" : "decision '",
               k == 0 ? "" : link, k == 0 ? "" : "'", label);
      if ((pt->m_crit[k] = define(ms, "task", t->id, what, "1", METRIC_BINARY, text)) < 0)
        return pt->m_crit[k];
    }
    snprintf(text, sizeof text, "how much later task '%s' could start because of its critical "
                                "link: from the link before it to the last", label);
    if ((pt->m_crit_delay = define(ms, "task", t->id, "critical_delay", "s", METRIC_LOWER_BETTER, text)) < 0)
      return pt->m_crit_delay;
    snprintf(text, sizeof text, "time task '%s' was due and authorised but waited for decisions", label);
    if ((pt->m_decisions = define(ms, "task", t->id, "delay_decisions", "s", METRIC_LOWER_BETTER, text)) < 0)
      return pt->m_decisions;
    static const char *const cause_what[SIM_CAUSE__COUNT] = {
        "delay_coordination", "delay_law", "delay_crisis", "delay_resources"};
    static const char *const cause_text[SIM_CAUSE__COUNT] = {
        "the coordination (decision steps: queues, latencies, retries)",
        "the law (legal gates and situations)",
        "the crisis (its start condition, the events raising its decisions, combat)",
        "its own units busy elsewhere"};
    for (int c = 0; c < SIM_CAUSE__COUNT; c++) {
      snprintf(text, sizeof text, "of the time from 0 to the first start of task '%s', the part "
                                  "its critical chain puts down to %s", label, cause_text[c]);
      if ((pt->m_cause[c] =
               define(ms, "task", t->id, cause_what[c], "s", METRIC_LOWER_BETTER, text)) < 0)
        return pt->m_cause[c];
    }
  }
  for (size_t i = 0; i < p->nphase; i++) {
    const scn_phase *ph = &p->phase[i];
    snprintf(text, sizeof text, "time phase '%s' began, when it did", *ph->name ? ph->name : ph->id);
    if ((m->ph[i].m_began = define(ms, "phase", ph->id, "began", "s", 0, text)) < 0)
      return m->ph[i].m_began;
  }
  /* Situations some change or crisis event recognises, and gates something opens. */
  uint64_t sits = 0, gates = 0;
  for (size_t i = 0; i < p->nchange; i++) {
    if (m->ch[i].sit >= 0) sits |= PLAN__BIT(m->ch[i].sit);
    gates |= m->ch[i].opens;
    if (m->ch[i].diet_gate >= 0) gates |= PLAN__BIT(m->ch[i].diet_gate);
  }
  for (size_t i = 0; i < p->ngate; i++)
    if (m->gm[i].gate >= 0) gates |= PLAN__BIT(m->gm[i].gate);
  for (size_t e = 0; e < m->sc->nevent; e++)
    for (size_t k = 0; k < m->sc->event[e].nraise; k++) {
      const scn_raise *ra = &m->sc->event[e].raise[k];
      if (ra->signal != SIG_SITUATION_CHANGED || ra->situation < 0) continue;
      int s = a->sit_of_scn[ra->situation];
      if (s < 0) continue;
      sits |= PLAN__BIT(s);
      gates |= plan__expr_gates(&a->sit[s].recognition);
    }
  for (size_t s = 0; s < a->nsit; s++) {
    if (!((sits >> s) & 1)) continue;
    snprintf(text, sizeof text, "time the situation '%s' was first recognised, when it was",
             a->sit[s].id);
    if ((m->m_sit[s] = define(ms, "situation", a->sit[s].id, "recognised", "s", 0, text)) < 0)
      return m->m_sit[s];
  }
  for (size_t g = 0; g < a->ngate; g++) {
    if (!((gates >> g) & 1)) continue;
    snprintf(text, sizeof text, "time gate '%s' first opened, when it did", a->gate[g].id);
    if ((m->m_gate[g] = define(ms, "gate", a->gate[g].id, "opened", "s", 0, text)) < 0)
      return m->m_gate[g];
  }
  return 0;
}

/* ---- the model ---------------------------------------------------------------------------- */

static void check_crisis_raises(resolver *r) {
  const scn_scenario *sc = r->m->sc;
  for (size_t e = 0; e < sc->nevent; e++)
    for (size_t k = 0; k < sc->event[e].nraise; k++) {
      const scn_raise *ra = &sc->event[e].raise[k];
      if (ra->signal == SIG_SITUATION_CHANGED && ra->situation >= 0)
        table_situation(r, ra->situation, ra->loc);
    }
}

static void resolve_all(resolver *r) {
  plan_model *m = r->m;
  const scn_plan *p = m->p;
  const plan_authorities *a = m->a;
  m->initial = a->sit_of_scn[p->initial];
  if (m->initial < 0)
    rerror(r, p->situations_loc, "the initial situation '%s' is not in the authorities table %s",
           scn_situation_name((scn_situation)p->initial), a->path);
  check_crisis_raises(r);
  for (size_t i = 0; i < p->nchange; i++) {
    const scn_change *c = &p->change[i];
    pl_change *pc = &m->ch[i];
    pc->sit = table_situation(r, c->to, c->loc);
    pc->diet_gate = -1;
    resolve_cond(r, &c->trigger, &pc->trig);
    if (pc->sit >= 0) pc->opens = plan__expr_gates(&a->sit[pc->sit].recognition);
    pc->opens |= resolve_gate_list(r, c->open, c->nopen);
    for (size_t k = 0; k < c->nend; k++) {
      int e = table_situation(r, c->end[k], c->loc);
      if (e >= 0 && e != pc->sit) pc->ends |= PLAN__BIT(e);
    }
    if (c->has_diet)
      pc->diet_gate = resolve_name(r, PLAN_GATES, c->diet_gate.id, "gate", c->diet_gate.loc);
  }
  for (size_t i = 0; i < p->ngate; i++) {
    const scn_gate_model *g = &p->gate[i];
    pl_gatem *pg = &m->gm[i];
    pg->gate = resolve_name(r, PLAN_GATES, g->gate.id, "gate", g->gate.loc);
    pg->sit = g->situation >= 0 ? table_situation(r, g->situation, g->loc) : -1;
    resolve_cond(r, &g->trigger, &pg->trig);
  }
  for (size_t i = 0; i < p->nphase; i++) {
    m->ph[i].m_began = -1;
    if ((m->ph[i].has_start = p->phase[i].has_start)) resolve_cond(r, &p->phase[i].start, &m->ph[i].start);
  }
  for (size_t i = 0; i < p->ntask; i++) resolve_task(r, i);
}

int plan_model_new(plan_model **out, const scn_scenario *sc, const plan_authorities *a,
                   metric_set *ms, diag *d) {
  static const scn_plan empty = {0};
  *out = NULL;
  plan_model *m = calloc(1, sizeof *m);
  if (!m) return ERR_NOMEM;
  arena_init(&m->mem, ARENA_DEFAULT_CAP);
  m->sc = sc;
  m->a = a;
  m->p = sc->plan ? sc->plan : &empty;
  resolver r = {m, d, 0};
  size_t errors_before = diag_count(d, DIAG_ERROR);
  const scn_plan *p = m->p;
  m->ch = ralloc(&r, p->nchange, sizeof *m->ch);
  m->gm = ralloc(&r, p->ngate, sizeof *m->gm);
  m->ph = ralloc(&r, p->nphase, sizeof *m->ph);
  m->task = ralloc(&r, p->ntask, sizeof *m->task);
  m->order = ralloc(&r, p->ntask, sizeof *m->order);
  m->m_sit = ralloc(&r, a->nsit, sizeof *m->m_sit);
  m->m_gate = ralloc(&r, a->ngate, sizeof *m->m_gate);
  int err = 0;
  if (r.nomem) goto fail_nomem;
  for (size_t s = 0; s < a->nsit; s++) m->m_sit[s] = -1;
  for (size_t g = 0; g < a->ngate; g++) m->m_gate[g] = -1;
  resolve_all(&r);
  if (r.nomem) goto fail_nomem;
  if (diag_count(d, DIAG_ERROR) > errors_before) {
    err = ERR_INPUT;
    goto fail;
  }
  sort_order(m);
  for (size_t i = 0; i < p->nchange; i++)
    m->possible |= m->ch[i].opens | (m->ch[i].diet_gate >= 0 ? PLAN__BIT(m->ch[i].diet_gate) : 0);
  for (size_t i = 0; i < p->ngate; i++) m->possible |= PLAN__BIT(m->gm[i].gate);
  for (size_t e = 0; e < sc->nevent; e++)
    for (size_t k = 0; k < sc->event[e].nraise; k++) {
      const scn_raise *ra = &sc->event[e].raise[k];
      if (ra->signal == SIG_SITUATION_CHANGED && ra->situation >= 0 && a->sit_of_scn[ra->situation] >= 0)
        m->possible |= plan__expr_gates(&a->sit[a->sit_of_scn[ra->situation]].recognition);
    }
  size_t n = 0;
  collect_wakes(&r, NULL, &n);
  m->wake = ralloc(&r, n, sizeof *m->wake);
  if (!m->wake) goto fail_nomem;
  collect_wakes(&r, m->wake, &m->nwake);
  if (ms && (err = define_metrics(m, ms)) < 0) goto fail;
  *out = m;
  return 0;
fail_nomem:
  err = ERR_NOMEM;
fail:
  plan_model_free(m);
  return err;
}

const plan_authorities *plan_model_authorities(const plan_model *m) { return m->a; }

void plan_model_free(plan_model *m) {
  if (!m) return;
  arena_release(&m->mem);
  free(m);
}
