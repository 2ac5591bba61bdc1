/* plan_run.c - one replication of the legal situation and the plan on the kernel.
 *
 * The state (situations in force, gates open, phases begun, tasks' states) changes
 * only in response to something: a crisis signal, a decision coming due, a task's
 * duration running out, a time named by a condition.  After each, settle() brings
 * everything to a fixed point at the current time: pending decisions whose trigger
 * now holds are scheduled, phases begin, tasks become due, start, pause, withdraw or
 * finish.  So a task that waits for a gate starts at the very instant it opens.
 *
 * Every change, gate entry and task draws from its own stream (RNG_SITUATION, purpose
 * = a hash of its kind and id), so adding one leaves the others' draws unchanged. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "plan_internal.h"
#include "rng.h"

enum { CH_PENDING, CH_DUE, CH_DECIDED, CH_FAILED };
enum { GM_PENDING, GM_DUE, GM_OPEN, GM_CLOSED, GM_FAILED };
/* Why a due task is not running, from furthest to nearest to running. */
enum { WHY_AUTHORITY, WHY_GATES, WHY_COMBAT, WHY_DECISIONS, WHY_ASSETS, WHY_OK };
/* A decision step of the coordination model, as SIG_DECISION announces it. */
enum { DEC_PENDING, DEC_APPROVED, DEC_REFUSED };

typedef struct change_slot {
  plan_run *r;
  int i, state;
  rng_stream rng;
} change_slot;

typedef struct gate_slot {
  plan_run *r;
  int i, state;
  rng_stream rng;
} gate_slot;

typedef struct task_slot {
  plan_run *r;
  int i, state, started, pauses, holds;
  double due_t, start_t, end_t;
  double remaining, run_since, ran; /* s */
  unsigned gen;                     /* bumped whenever a scheduled end becomes stale */
  int why;                          /* while due: why it is not running */
  double since;                     /* while due: since when `why` holds */
  double wait[WHY_OK];              /* s, by cause */
  uint64_t due_sits;
  int combat_seen, phase_at_start;
  int crit;                         /* its critical link when it first started (pl_task), -1 */
  double crit_delay;                /* s: what that link added over the one before it */
  double tail_t;                    /* the latest time a link held, so far (-inf before) */
  double tail[WHY_OK];              /* s, by cause, waited since tail_t */
  double cause[SIM_CAUSE__COUNT];   /* its first start time by cause (critical chain) */
  rng_stream rng;
} task_slot;

typedef struct end_timer {
  task_slot *ts;
  unsigned gen;
} end_timer;

struct plan_run {
  const plan_model *m;
  const plan_authorities *a;
  const scn_scenario *sc;
  const scn_plan *p;
  sim *sim;
  arena *arena;
  int check;                   /* assets are not enforced; over-booking is recorded */
  uint64_t sits;               /* situations in force */
  uint64_t gates_all;          /* gates open for every situation */
  uint64_t *gates_sit;         /* [nsit]: gates open for that situation only */
  int *count_all, *count_sit;  /* [ngate], [nsit * ngate]: openings in force */
  double *sit_t, *gate_t;      /* first recognised, first opened */
  double *gate_last;           /* [ngate]: last opened (for a task's critical path) */
  unsigned char *dec;          /* [ndecision]: DEC_* */
  double *dec_t;               /* [ndecision]: approved, NaN before */
  double *dec_cause;           /* [ndecision * SIM_CAUSE__COUNT]: its approval time by cause */
  unsigned char *ev;           /* [nevent] occurred */
  unsigned char *active;       /* [nregion] combat under way (region active) */
  double *phase_t;             /* [nphase] began, NaN before */
  int phase_cur;
  change_slot *ch;
  gate_slot *gm;
  task_slot *task;
  int *units;                  /* [nforce]: free units, or units in use when checking */
  pl_conflict *conf;
  size_t nconf, capconf;
  int busy, dirty;
};

static double now_of(const plan_run *r) { return sim_now(r->sim); }

/* ---- gates and situations ---------------------------------------------------------------- */

/* A signal of the plan's own, every index that does not apply set to -1. */
static sim_signal plan_signal(sim_signal_type type, int open) {
  return (sim_signal){.type = type, .source = -1, .event = -1, .situation = -1, .place = -1,
                      .region = -1, .gate = -1, .phase = -1, .task = -1, .open = open};
}

static void publish(plan_run *r, sim_signal_type type, int gate, int situation, int open) {
  sim_signal sig = plan_signal(type, open);
  sig.gate = gate;
  sig.situation = situation;
  sim_publish(r->sim, &sig);
}

/* Missions that follow the plan (a search that runs only while its task does, traffic
   that changes with the phase) hear of it through these two. */
static void publish_phase(plan_run *r, int phase) {
  sim_signal sig = plan_signal(SIG_PHASE_BEGAN, 1);
  sig.phase = phase;
  sim_publish(r->sim, &sig);
}

/* At a task's first start the signal carries its start time by cause (steps it raises
 * build on it). */
static void publish_task(plan_run *r, int task, int running) {
  sim_signal sig = plan_signal(SIG_TASK_STATUS, running);
  sig.task = task;
  const task_slot *ts = &r->task[task];
  if (running && ts->start_t == now_of(r) && ts->ran == 0)
    memcpy(sig.cause, ts->cause, sizeof sig.cause);
  sim_publish(r->sim, &sig);
}

/* One opening (delta +1) or closing (-1) of gate g for situation s (-1: every one). */
static void gate_add(plan_run *r, int g, int s, int delta) {
  size_t ng = r->a->ngate;
  int *cnt = s < 0 ? &r->count_all[g] : &r->count_sit[(size_t)s * ng + (size_t)g];
  uint64_t *mask = s < 0 ? &r->gates_all : &r->gates_sit[s];
  int before = *cnt > 0;
  *cnt += delta;
  if (NEVER(*cnt < 0)) *cnt = 0;
  int after = *cnt > 0;
  if (after)
    *mask |= PLAN__BIT(g);
  else
    *mask &= ~PLAN__BIT(g);
  if (before == after) return;
  if (after && isnan(r->gate_t[g])) r->gate_t[g] = now_of(r);
  if (after && !before) r->gate_last[g] = now_of(r);
  publish(r, SIG_GATE_OPENED, g, s < 0 ? -1 : r->a->sit[s].scn, after);
}

static void open_gates(plan_run *r, uint64_t gates, int s) {
  for (size_t g = 0; g < r->a->ngate; g++)
    if ((gates >> g) & 1) gate_add(r, (int)g, s, 1);
}

static uint64_t gates_any(const plan_run *r) {
  uint64_t m = r->gates_all;
  for (size_t s = 0; s < r->a->nsit; s++) m |= r->gates_sit[s];
  return m;
}

/* Gates open for situation s: those opened for it, and those opened for a situation it
 * supersedes -- an armed attack situation continues the response policy of the
 * anticipated one (AASA art. 9: the Cabinet amends the policy), so approvals given
 * under it stand and escalating never takes an authority away (docs/plan.md). */
static uint64_t gates_for(const plan_run *r, int s) {
  uint64_t open = r->gates_sit[s], sup = r->a->sit[s].supersedes;
  for (size_t k = 0; sup; k++, sup >>= 1)
    if (sup & 1) open |= r->gates_sit[k];
  return open;
}

/* The situation is recognised: in force from now, ending those it supersedes. */
static void recognise(plan_run *r, int s, int announce) {
  uint64_t before = r->sits;
  r->sits = (r->sits | PLAN__BIT(s)) & ~r->a->sit[s].supersedes;
  if (isnan(r->sit_t[s])) r->sit_t[s] = now_of(r);
  if (announce && !((before >> s) & 1))
    publish(r, SIG_SITUATION_CHANGED, -1, r->a->sit[s].scn, 1);
}

/* ---- conditions --------------------------------------------------------------------------- */

static int holds(const plan_run *r, const pl_cond *c) {
  switch (c->kind) {
  case SCN_COND_AT: return now_of(r) >= c->at;
  case SCN_COND_EVENT: return r->ev[c->ref];
  case SCN_COND_CHANGE: return r->ch[c->ref].state == CH_DECIDED;
  case SCN_COND_SITUATION: return (r->sits >> c->ref) & 1;
  case SCN_COND_GATE: return (gates_any(r) >> c->ref) & 1;
  case SCN_COND_PHASE: return !isnan(r->phase_t[c->ref]);
  case SCN_COND_TASK: return r->task[c->ref].started;
  case SCN_COND_DONE: return r->task[c->ref].state == PLAN_TASK_DONE;
  case SCN_COND_ALL:
    for (size_t i = 0; i < c->n; i++)
      if (!holds(r, &c->sub[i])) return 0;
    return 1;
  case SCN_COND_ANY:
    for (size_t i = 0; i < c->n; i++)
      if (holds(r, &c->sub[i])) return 1;
    return 0;
  }
  return 0;
}

/* ---- tasks --------------------------------------------------------------------------------- */

static int combat_here(const plan_run *r, const pl_task *pt) {
  for (size_t k = 0; k < pt->ncombat; k++)
    if (r->active[pt->combat[k]]) return 1;
  return 0;
}

/* Whether every decision in list is approved.  The plan check samples the crisis and
 * the law only (no coordination model): there decisions do not hold a task back. */
static int decided(const plan_run *r, const int *list, size_t n) {
  if (r->check) return 1;
  for (size_t k = 0; k < n; k++)
    if (r->dec[list[k]] != DEC_APPROVED) return 0;
  return 1;
}

static int ready(const plan_run *r, const task_slot *ts) {
  const scn_task *t = &r->p->task[ts->i];
  return decided(r, t->decision, t->ndecision) ? WHY_OK : WHY_DECISIONS;
}

/* Why the task cannot run now (WHY_OK when it can, assets aside). */
static int evaluate(const plan_run *r, const task_slot *ts) {
  const pl_task *pt = &r->m->task[ts->i];
  const plan_authorities *a = r->a;
  if (!pt->law) return (pt->gates & ~gates_any(r)) ? WHY_GATES : ready(r, ts);
  int best = WHY_AUTHORITY, combat = combat_here(r, pt);
  for (size_t s = 0; s < a->nsit; s++) {
    if (!((r->sits >> s) & 1)) continue;
    int k = plan_rule_find(a, (int)s, pt->activity);
    if (k < 0) continue;
    const pl_rule *rule = &a->rule[k];
    if (!rule->allowed || !((rule->areas >> pt->area) & 1)) continue;
    /* Gates nothing in the scenario opens make the rule no authority at all here. */
    uint64_t can = r->m->possible;
    if (!plan__expr_open(&rule->gates, can) || !plan__expr_open(&a->area[pt->area].requires, can) ||
        (pt->gates & ~can))
      continue;
    uint64_t open = r->gates_all | gates_for(r, (int)s);
    if (!plan__expr_open(&rule->gates, open) || !plan__expr_open(&a->area[pt->area].requires, open) ||
        (pt->gates & ~open)) {
      if (best < WHY_GATES) best = WHY_GATES;
      continue;
    }
    if (combat && (rule->combat == PLAN_COMBAT_EXCLUDED ||
                   (rule->combat == PLAN_COMBAT_CONTINUE_RESCUE && ts->state != PLAN_TASK_RUNNING))) {
      best = WHY_COMBAT;
      continue;
    }
    return ready(r, ts);
  }
  return best;
}

static void record_conflict(plan_run *r, int a, int b, int force) {
  if (a > b) {
    int x = a;
    a = b;
    b = x;
  }
  for (size_t i = 0; i < r->nconf; i++)
    if (r->conf[i].a == a && r->conf[i].b == b && r->conf[i].force == force) return;
  if (r->nconf == r->capconf) {
    size_t cap = r->capconf ? 2 * r->capconf : 8;
    pl_conflict *grown = arena_alloc(r->arena, cap * sizeof *grown);
    if (!grown) {
      sim_fail(r->sim, ERR_LIMIT);
      return;
    }
    if (r->nconf) memcpy(grown, r->conf, r->nconf * sizeof *grown);
    r->conf = grown;
    r->capconf = cap;
  }
  r->conf[r->nconf++] = (pl_conflict){a, b, force};
}

/* Take the task's units: all or none.  When checking, always take them and record
 * which running tasks the force is then over-booked with. */
static int acquire(plan_run *r, task_slot *ts) {
  const scn_task *t = &r->p->task[ts->i];
  if (!r->check) {
    for (size_t k = 0; k < t->nasset; k++)
      if (r->units[t->asset[k].force] < t->asset[k].count) return 0;
    for (size_t k = 0; k < t->nasset; k++) r->units[t->asset[k].force] -= t->asset[k].count;
    ts->holds = 1;
    return 1;
  }
  for (size_t k = 0; k < t->nasset; k++) {
    int f = t->asset[k].force;
    r->units[f] += t->asset[k].count;
    if (r->units[f] <= r->sc->force[f].count) continue;
    for (size_t o = 0; o < r->p->ntask; o++) {
      const task_slot *other = &r->task[o];
      if ((int)o == ts->i || !other->holds) continue;
      const scn_task *ot = &r->p->task[o];
      for (size_t j = 0; j < ot->nasset; j++)
        if (ot->asset[j].force == f) record_conflict(r, ts->i, (int)o, f);
    }
  }
  ts->holds = 1;
  return 1;
}

static void release(plan_run *r, task_slot *ts) {
  if (!ts->holds) return;
  const scn_task *t = &r->p->task[ts->i];
  for (size_t k = 0; k < t->nasset; k++)
    r->units[t->asset[k].force] += r->check ? -t->asset[k].count : t->asset[k].count;
  ts->holds = 0;
}

/* When link k of the task's critical path (pl_task) held: NaN if never. */
static double link_time(const plan_run *r, const task_slot *ts, size_t k) {
  const scn_task *t = &r->p->task[ts->i];
  const pl_task *pt = &r->m->task[ts->i];
  return k == 0 ? ts->due_t
         : pt->crit_gate[k] >= 0 ? r->gate_last[pt->crit_gate[k]]
                                 : r->dec_t[t->decision[k - 1 - pt->ncrit_gate]];
}

static double latest_link(const plan_run *r, const task_slot *ts) {
  double last = -INFINITY;
  for (size_t k = 0; k < r->m->task[ts->i].ncrit; k++) {
    double at = link_time(r, ts, k);
    if (at > last) last = at;
  }
  return last;
}

/* The wait since `since`, by cause; the part after the latest link held is kept apart
 * (the tail of the critical chain: what held the task once every link had). */
static void account(plan_run *r, task_slot *ts) {
  double now = now_of(r);
  ts->wait[ts->why] += now - ts->since;
  if (!ts->started) {
    double last = latest_link(r, ts);
    if (last > ts->tail_t) {
      memset(ts->tail, 0, sizeof ts->tail);
      ts->tail_t = last;
    }
    double from = ts->since > last ? ts->since : last;
    if (now > from) ts->tail[ts->why] += now - from;
  }
  ts->since = now;
}

static void task_end(sim *s, void *ctx);

/* The first start time by cause: the critical link's own time (the start condition:
 * the crisis; a gate: the law; a decision: what its approval was put down to), then the
 * wait after it by why the task waited (docs/plan.md). */
static void start_by_cause(plan_run *r, task_slot *ts, int crit, double at) {
  static const int of_why[WHY_OK] = {SIM_CAUSE_LAW, SIM_CAUSE_LAW, SIM_CAUSE_CRISIS,
                                     SIM_CAUSE_COORDINATION, SIM_CAUSE_RESOURCES};
  const pl_task *pt = &r->m->task[ts->i];
  memset(ts->cause, 0, sizeof ts->cause);
  if (crit == 0) {
    ts->cause[SIM_CAUSE_CRISIS] = at;
  } else if (crit > 0 && pt->crit_gate[crit] >= 0) {
    ts->cause[SIM_CAUSE_LAW] = at;
  } else if (crit > 0) {
    int d = r->p->task[ts->i].decision[(size_t)crit - 1 - pt->ncrit_gate];
    memcpy(ts->cause, &r->dec_cause[d * SIM_CAUSE__COUNT], sizeof ts->cause);
  }
  if (ts->tail_t == at)
    for (int w = 0; w < WHY_OK; w++) ts->cause[of_why[w]] += ts->tail[w];
}

/* The link of the task's critical path that held last (pl_task: its start condition,
 * its own gates, its decisions) and how much later it held than the latest link that
 * held strictly before it; a tie goes to the later link in that order (a decision over
 * the condition that raised it, or over a gate its approval opened at that instant). */
static void critical_link(plan_run *r, task_slot *ts) {
  const pl_task *pt = &r->m->task[ts->i];
  double last = -INFINITY, before = -INFINITY;
  int crit = -1;
  for (size_t k = 0; k < pt->ncrit; k++) {
    double at = link_time(r, ts, k);
    if (!isnan(at) && at >= last) last = at, crit = (int)k;
  }
  for (size_t k = 0; k < pt->ncrit; k++) {
    double at = link_time(r, ts, k);
    if (!isnan(at) && at < last && at > before) before = at;
  }
  ts->crit = crit;
  ts->crit_delay = crit >= 0 && isfinite(before) ? last - before : 0;
  start_by_cause(r, ts, crit, last);
}

static void start_running(plan_run *r, task_slot *ts) {
  const scn_task *t = &r->p->task[ts->i];
  double now = now_of(r);
  if (!ts->started) {
    ts->started = 1;
    ts->start_t = now;
    if (r->m->task[ts->i].ncrit) critical_link(r, ts);
    ts->phase_at_start = r->phase_cur;
    ts->remaining = t->has_duration ? dist_sample(&t->duration, &ts->rng) : INFINITY;
    if (!(ts->remaining >= 0)) ts->remaining = 0;
  }
  ts->state = PLAN_TASK_RUNNING;
  ts->run_since = now;
  ts->gen++;
  if (isfinite(ts->remaining)) {
    end_timer *et = arena_alloc(r->arena, sizeof *et);
    if (!et) {
      sim_fail(r->sim, ERR_LIMIT);
      return;
    }
    *et = (end_timer){ts, ts->gen};
    sim_after(r->sim, ts->remaining, task_end, et);
  }
  publish_task(r, ts->i, 1);
}

static void stop_running(plan_run *r, task_slot *ts) {
  double ran = now_of(r) - ts->run_since;
  ts->ran += ran;
  ts->remaining -= ran;
  if (ts->remaining < 0) ts->remaining = 0;
  ts->gen++;
  release(r, ts);
  publish_task(r, ts->i, 0);
}

static void finish(plan_run *r, task_slot *ts, int state) {
  if (ts->state == PLAN_TASK_RUNNING) stop_running(r, ts);
  else if (ts->state == PLAN_TASK_DUE) account(r, ts);
  release(r, ts);
  ts->state = state;
  if (state != PLAN_TASK_CANCELLED) ts->end_t = now_of(r);
}

static void become_due(plan_run *r, task_slot *ts) {
  ts->state = PLAN_TASK_DUE;
  ts->due_t = ts->since = now_of(r);
  ts->why = WHY_AUTHORITY;
  ts->due_sits = r->sits;
}

/* One step of a task; returns 1 if its state changed (others may depend on it). */
static int task_step(plan_run *r, task_slot *ts) {
  const scn_task *t = &r->p->task[ts->i];
  const pl_task *pt = &r->m->task[ts->i];
  if (ts->state == PLAN_TASK_WAITING) {
    if (t->phase >= 0 && isnan(r->phase_t[t->phase])) return 0;
    if (pt->has_start && !holds(r, &pt->start)) return 0;
    double delay = dist_sample(&t->delay, &ts->rng);
    if (delay > 0) {
      ts->state = PLAN_TASK_DELAYED;
      end_timer *et = arena_alloc(r->arena, sizeof *et);
      if (!et) {
        sim_fail(r->sim, ERR_LIMIT);
        return 0;
      }
      *et = (end_timer){ts, 0};
      sim_after(r->sim, delay, task_end, et); /* gen 0 marks "delay over" */
      return 1;
    }
    become_due(r, ts);
    return 1;
  }
  if (ts->state != PLAN_TASK_DUE && ts->state != PLAN_TASK_RUNNING) return 0;
  if (pt->has_until && holds(r, &pt->until)) {
    finish(r, ts, ts->started ? PLAN_TASK_DONE : PLAN_TASK_CANCELLED);
    return 1;
  }
  if (combat_here(r, pt)) ts->combat_seen = 1;
  if (now_of(r) == ts->due_t) ts->due_sits = r->sits; /* the situation of its first instant */
  int why = evaluate(r, ts);
  if (ts->state == PLAN_TASK_RUNNING) {
    if (why == WHY_OK) return 0;
    stop_running(r, ts);
    ts->pauses++;
    if (t->on_loss == SCN_TASK_WITHDRAW) {
      ts->state = PLAN_TASK_WITHDRAWN;
      ts->end_t = now_of(r);
      return 1;
    }
    ts->state = PLAN_TASK_DUE;
    ts->since = now_of(r);
    ts->why = why;
    return 1;
  }
  account(r, ts);
  if (why == WHY_OK) {
    if (acquire(r, ts)) {
      start_running(r, ts);
      return 1;
    }
    why = WHY_ASSETS;
  }
  ts->why = why;
  return 0;
}

/* ---- settling ------------------------------------------------------------------------------- */

static void change_decide(sim *s, void *ctx);
static void gate_due(sim *s, void *ctx);

static void settle(plan_run *r) {
  if (r->busy) {
    r->dirty = 1;
    return;
  }
  r->busy = 1;
  const plan_model *m = r->m;
  const scn_plan *p = r->p;
  /* Each round either changes something monotone (a decision scheduled, a phase begun,
   * a task moved on) or stops; the cap only guards against a bug. */
  size_t rounds = 0, cap = 4 * (p->ntask + p->nphase + p->nchange + p->ngate) + 16;
  int changed;
  do {
    r->dirty = 0;
    changed = 0;
    for (size_t i = 0; i < p->nchange; i++) {
      change_slot *cs = &r->ch[i];
      if (cs->state != CH_PENDING || !holds(r, &m->ch[i].trig)) continue;
      cs->state = CH_DUE;
      double delay = dist_sample(&p->change[i].cabinet, &cs->rng);
      sim_after(r->sim, delay > 0 ? delay : 0, change_decide, cs);
    }
    for (size_t i = 0; i < p->ngate; i++) {
      gate_slot *gs = &r->gm[i];
      if (gs->state != GM_PENDING || !holds(r, &m->gm[i].trig) ||
          !decided(r, p->gate[i].decision, p->gate[i].ndecision))
        continue;
      gs->state = GM_DUE;
      double delay = dist_sample(&p->gate[i].delay, &gs->rng);
      sim_after(r->sim, delay > 0 ? delay : 0, gate_due, gs);
    }
    for (size_t i = 0; i < p->nphase; i++) {
      if (!isnan(r->phase_t[i]) || (i > 0 && isnan(r->phase_t[i - 1]))) continue;
      if (m->ph[i].has_start && !holds(r, &m->ph[i].start)) continue;
      r->phase_t[i] = now_of(r);
      r->phase_cur = (int)i;
      changed = 1;
      publish_phase(r, (int)i);
    }
    for (size_t k = 0; k < p->ntask; k++) changed |= task_step(r, &r->task[m->order[k]]);
  } while ((changed || r->dirty) && ++rounds < cap);
  r->busy = 0;
}

static void wake(sim *s, void *ctx) {
  (void)s;
  settle(ctx);
}

/* A task's duration ran out (gen > 0), or its start delay did (gen 0). */
static void task_end(sim *s, void *ctx) {
  (void)s;
  end_timer *et = ctx;
  task_slot *ts = et->ts;
  plan_run *r = ts->r;
  if (et->gen == 0) {
    if (ts->state == PLAN_TASK_DELAYED) become_due(r, ts);
  } else if (et->gen == ts->gen && ts->state == PLAN_TASK_RUNNING) {
    stop_running(r, ts);
    ts->remaining = 0;
    ts->state = PLAN_TASK_DONE;
    ts->end_t = now_of(r);
  }
  settle(r);
}

/* ---- decisions ---------------------------------------------------------------------------- */

static void diet_vote(sim *s, void *ctx) {
  (void)s;
  change_slot *cs = ctx;
  plan_run *r = cs->r;
  const scn_change *c = &r->p->change[cs->i];
  const pl_change *pc = &r->m->ch[cs->i];
  int approve = c->diet_p >= 1 || rng_uniform(&cs->rng) < c->diet_p;
  if (c->emergency && !approve)
    gate_add(r, pc->diet_gate, pc->sit, -1); /* the measures must end */
  else if (!c->emergency && approve)
    gate_add(r, pc->diet_gate, pc->sit, 1);
  settle(r);
}

static void change_decide(sim *s, void *ctx) {
  (void)s;
  change_slot *cs = ctx;
  plan_run *r = cs->r;
  const scn_change *c = &r->p->change[cs->i];
  const pl_change *pc = &r->m->ch[cs->i];
  if (c->p < 1 && rng_uniform(&cs->rng) >= c->p) {
    cs->state = CH_FAILED;
    settle(r);
    return;
  }
  cs->state = CH_DECIDED;
  r->sits &= ~pc->ends; /* ended without an announcement: SIG_SITUATION_CHANGED names a recognition */
  recognise(r, pc->sit, 1);
  open_gates(r, pc->opens, pc->sit);
  if (pc->diet_gate >= 0) {
    if (c->emergency) gate_add(r, pc->diet_gate, pc->sit, 1);
    double delay = dist_sample(&c->diet, &cs->rng);
    sim_after(r->sim, delay > 0 ? delay : 0, diet_vote, cs);
  }
  settle(r);
}

static void gate_close(sim *s, void *ctx) {
  (void)s;
  gate_slot *gs = ctx;
  plan_run *r = gs->r;
  gs->state = GM_CLOSED;
  gate_add(r, r->m->gm[gs->i].gate, r->m->gm[gs->i].sit, -1);
  settle(r);
}

static void gate_due(sim *s, void *ctx) {
  (void)s;
  gate_slot *gs = ctx;
  plan_run *r = gs->r;
  const scn_gate_model *g = &r->p->gate[gs->i];
  if (g->p < 1 && rng_uniform(&gs->rng) >= g->p) {
    gs->state = GM_FAILED;
    settle(r);
    return;
  }
  gs->state = GM_OPEN;
  gate_add(r, r->m->gm[gs->i].gate, r->m->gm[gs->i].sit, 1);
  if (g->has_duration) {
    double d = dist_sample(&g->duration, &gs->rng);
    sim_after(r->sim, d > 0 ? d : 0, gate_close, gs);
  }
  settle(r);
}

/* ---- the crisis's signals ------------------------------------------------------------------ */

static void on_event(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  plan_run *r = ctx;
  if (sig->event >= 0 && (size_t)sig->event < r->sc->nevent) r->ev[sig->event] = 1;
  settle(r);
}

/* A crisis event's situation_changed: recognised at once, as if the Cabinet had decided
 * with no delay (its recognition gates open).  Our own announcements (source -1) are
 * not news. */
static void on_situation(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  plan_run *r = ctx;
  if (sig->source < 0 || sig->situation < 0 || sig->situation >= SCN_SIT__COUNT) return;
  int t = r->a->sit_of_scn[sig->situation];
  if (t < 0) return;
  recognise(r, t, 0);
  open_gates(r, plan__expr_gates(&r->a->sit[t].recognition), t);
  settle(r);
}

static void on_region(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  plan_run *r = ctx;
  if (sig->region < 0 || (size_t)sig->region >= r->sc->nregion) return;
  r->active[sig->region] = !sig->open;
  settle(r);
}

/* The coordination model decided a step a task or gate waits on. */
static void on_decision(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  plan_run *r = ctx;
  if (sig->decision < 0 || (size_t)sig->decision >= r->p->ndecision) return;
  if (r->dec[sig->decision] != DEC_PENDING) return;
  r->dec[sig->decision] = sig->open ? DEC_APPROVED : DEC_REFUSED;
  if (sig->open) {
    r->dec_t[sig->decision] = now_of(r);
    memcpy(&r->dec_cause[sig->decision * SIM_CAUSE__COUNT], sig->cause, sizeof sig->cause);
  }
  settle(r);
}

/* ---- start and collect ------------------------------------------------------------------ */

static uint32_t id_hash(const char *kind, const char *id, unsigned n) {
  uint32_t h = 2166136261u;
  for (const char *s = kind; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  h = (h ^ ':') * 16777619u;
  for (const char *s = id; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h ^ (n * 0x9E3779B9u);
}

/* Streams by hash of kind and id; a clash is salted, deterministically. */
static void assign(uint32_t *used, size_t n, uint32_t h) {
  for (uint32_t salt = 1;; salt++) {
    size_t k = 0;
    while (k < n && used[k] != h) k++;
    if (k == n) break;
    h ^= 0x85EBCA6Bu * salt;
  }
  used[n] = h;
}

plan_run *plan__start(const plan_model *m, sim *s, arena *a, metric_out *out, uint64_t seed,
                      uint32_t rep, int check_mode) {
  (void)out;
  const plan_authorities *t = m->a;
  const scn_plan *p = m->p;
  const scn_scenario *sc = m->sc;
  plan_run *r = arena_calloc(a, 1, sizeof *r);
  if (!r) return NULL;
  r->m = m, r->a = t, r->sc = sc, r->p = p, r->sim = s, r->arena = a, r->check = check_mode;
  r->phase_cur = -1;
  size_t nsit = t->nsit ? t->nsit : 1, ngate = t->ngate ? t->ngate : 1;
  r->gates_sit = arena_calloc(a, nsit, sizeof *r->gates_sit);
  r->count_all = arena_calloc(a, ngate, sizeof *r->count_all);
  r->count_sit = arena_calloc(a, nsit * ngate, sizeof *r->count_sit);
  r->sit_t = arena_calloc(a, nsit, sizeof *r->sit_t);
  r->gate_t = arena_calloc(a, ngate, sizeof *r->gate_t);
  r->gate_last = arena_calloc(a, ngate, sizeof *r->gate_last);
  size_t ndec = p->ndecision ? p->ndecision : 1;
  r->dec = arena_calloc(a, ndec, 1);
  r->dec_t = arena_calloc(a, ndec, sizeof *r->dec_t);
  r->dec_cause = arena_calloc(a, ndec * SIM_CAUSE__COUNT, sizeof *r->dec_cause);
  r->ev = arena_calloc(a, sc->nevent ? sc->nevent : 1, 1);
  r->active = arena_calloc(a, sc->nregion ? sc->nregion : 1, 1);
  r->phase_t = arena_calloc(a, p->nphase ? p->nphase : 1, sizeof *r->phase_t);
  r->ch = arena_calloc(a, p->nchange ? p->nchange : 1, sizeof *r->ch);
  r->gm = arena_calloc(a, p->ngate ? p->ngate : 1, sizeof *r->gm);
  r->task = arena_calloc(a, p->ntask ? p->ntask : 1, sizeof *r->task);
  r->units = arena_calloc(a, sc->nforce ? sc->nforce : 1, sizeof *r->units);
  size_t nstream = p->nchange + p->ngate + p->ntask;
  uint32_t *used = arena_calloc(a, nstream ? nstream : 1, sizeof *used);
  if (!r->gates_sit || !r->count_all || !r->count_sit || !r->sit_t || !r->gate_t ||
      !r->gate_last || !r->dec || !r->dec_t || !r->dec_cause || !r->ev ||
      !r->active || !r->phase_t || !r->ch || !r->gm || !r->task || !r->units || !used)
    return NULL;
  for (size_t i = 0; i < nsit; i++) r->sit_t[i] = NAN;
  for (size_t i = 0; i < ngate; i++) r->gate_t[i] = r->gate_last[i] = NAN;
  for (size_t i = 0; i < ndec; i++) r->dec_t[i] = NAN;
  for (size_t i = 0; i < p->nphase; i++) r->phase_t[i] = NAN;
  for (size_t f = 0; f < sc->nforce; f++) r->units[f] = check_mode ? 0 : sc->force[f].count;
  size_t k = 0;
  for (size_t i = 0; i < p->nchange; i++, k++) {
    r->ch[i] = (change_slot){.r = r, .i = (int)i, .state = CH_PENDING};
    assign(used, k, id_hash("change", p->change[i].id, 0));
    rng_init(&r->ch[i].rng, seed, rep, RNG_SITUATION, used[k]);
  }
  for (size_t i = 0; i < p->ngate; i++, k++) {
    unsigned nth = 0;
    const char *gid = p->gate[i].gate.id ? p->gate[i].gate.id : "";
    for (size_t j = 0; j < i; j++)
      nth += !*p->gate[i].id && p->gate[j].gate.id && !strcmp(p->gate[j].gate.id, gid);
    r->gm[i] = (gate_slot){.r = r, .i = (int)i, .state = GM_PENDING};
    assign(used, k, *p->gate[i].id ? id_hash("gate-entry", p->gate[i].id, 0)
                                   : id_hash("gate", gid, nth));
    rng_init(&r->gm[i].rng, seed, rep, RNG_SITUATION, used[k]);
  }
  for (size_t i = 0; i < p->ntask; i++, k++) {
    task_slot *ts = &r->task[i];
    *ts = (task_slot){.r = r, .i = (int)i, .state = PLAN_TASK_WAITING, .due_t = NAN,
                      .start_t = NAN, .end_t = NAN, .phase_at_start = -1, .crit = -1,
                      .tail_t = -INFINITY};
    assign(used, k, id_hash("task", p->task[i].id, 0));
    rng_init(&ts->rng, seed, rep, RNG_SITUATION, used[k]);
  }
  if (m->initial >= 0) r->sits = PLAN__BIT(m->initial);
  if (sim_subscribe(s, SIG_EVENT_OCCURRED, on_event, r) || sim_subscribe(s, SIG_SITUATION_CHANGED, on_situation, r) ||
      sim_subscribe(s, SIG_REGION_STATUS, on_region, r))
    return NULL;
  if (p->ndecision && sim_subscribe(s, SIG_DECISION, on_decision, r)) return NULL;
  if (sim_at(s, 0, wake, r)) return NULL;
  for (size_t i = 0; i < m->nwake; i++)
    if (m->wake[i] <= sc->horizon && sim_at(s, m->wake[i], wake, r)) return NULL;
  return r;
}

plan_run *plan_start(const plan_model *m, sim *s, arena *a, metric_out *out, uint64_t seed,
                     uint32_t rep) {
  return plan__start(m, s, a, out, seed, rep, 0);
}

/* Waits by cause up to now, without changing the replication. */
static void waits_now(const plan_run *r, const task_slot *ts, double w[WHY_OK]) {
  memcpy(w, ts->wait, sizeof ts->wait);
  if (ts->state == PLAN_TASK_DUE) w[ts->why] += now_of(r) - ts->since;
}

void plan_collect(const plan_run *r, sim *s, metric_out *out) {
  (void)s;
  const plan_model *m = r->m;
  for (size_t i = 0; i < r->p->ntask; i++) {
    const task_slot *ts = &r->task[i];
    const pl_task *pt = &m->task[i];
    if (pt->m_ran < 0) continue;
    metric_put(out, pt->m_ran, ts->started);
    if (ts->started) metric_put(out, pt->m_start, ts->start_t);
    if (isnan(ts->due_t)) continue;
    double w[WHY_OK];
    waits_now(r, ts, w);
    metric_put(out, pt->m_auth, w[WHY_AUTHORITY] + w[WHY_COMBAT]);
    metric_put(out, pt->m_gates, w[WHY_GATES]);
    metric_put(out, pt->m_assets, w[WHY_ASSETS]);
    if (pt->m_decisions >= 0) metric_put(out, pt->m_decisions, w[WHY_DECISIONS]);
    if (!ts->started || pt->m_crit_delay < 0) continue;
    for (size_t k = 0; k < pt->ncrit; k++) metric_put(out, pt->m_crit[k], ts->crit == (int)k);
    metric_put(out, pt->m_crit_delay, ts->crit_delay);
    for (int c = 0; c < SIM_CAUSE__COUNT; c++) metric_put(out, pt->m_cause[c], ts->cause[c]);
  }
  for (size_t i = 0; i < r->p->nphase; i++)
    if (m->ph[i].m_began >= 0 && !isnan(r->phase_t[i])) metric_put(out, m->ph[i].m_began, r->phase_t[i]);
  for (size_t s2 = 0; s2 < r->a->nsit; s2++)
    if (m->m_sit[s2] >= 0 && !isnan(r->sit_t[s2])) metric_put(out, m->m_sit[s2], r->sit_t[s2]);
  for (size_t g = 0; g < r->a->ngate; g++)
    if (m->m_gate[g] >= 0 && !isnan(r->gate_t[g])) metric_put(out, m->m_gate[g], r->gate_t[g]);
}

/* ---- for the check and for tests ---------------------------------------------------------- */

void plan__observe(const plan_run *r, pl_task_obs *obs) {
  for (size_t i = 0; i < r->p->ntask; i++) {
    const task_slot *ts = &r->task[i];
    double w[WHY_OK];
    waits_now(r, ts, w);
    obs[i] = (pl_task_obs){.due = !isnan(ts->due_t), .due_t = ts->due_t, .due_sits = ts->due_sits,
                           .due_unauthorised = w[WHY_AUTHORITY] > 0, .started = ts->started,
                           .start_t = ts->start_t, .end_t = ts->end_t, .combat = ts->combat_seen,
                           .phase_at_start = ts->phase_at_start};
  }
}

size_t plan__conflicts(const plan_run *r, const pl_conflict **out) {
  *out = r->conf;
  return r->nconf;
}

int plan__event_occurred(const plan_run *r, int event) { return r->ev[event]; }

int plan_run_task_state(const plan_run *r, int task) { return r->task[task].state; }
double plan_run_task_start(const plan_run *r, int task) { return r->task[task].start_t; }
double plan_run_task_end(const plan_run *r, int task) { return r->task[task].end_t; }
int plan_run_task_pauses(const plan_run *r, int task) { return r->task[task].pauses; }
double plan_run_gate_opened(const plan_run *r, int gate) { return r->gate_t[gate]; }
double plan_run_recognised(const plan_run *r, int situation) { return r->sit_t[situation]; }
double plan_run_phase_began(const plan_run *r, int phase) { return r->phase_t[phase]; }
uint64_t plan_run_situations(const plan_run *r) { return r->sits; }

double plan_run_task_ran(const plan_run *r, int task) {
  const task_slot *ts = &r->task[task];
  return ts->ran + (ts->state == PLAN_TASK_RUNNING ? now_of(r) - ts->run_since : 0);
}
