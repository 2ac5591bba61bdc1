/* coordination.c - the coordination model on the kernel: each decision step is raised
 * (by a crisis event, a plan task's start, or the approval of the steps it comes
 * after), waits for the law it needs, queues at the receiving body (a kernel resource
 * of the body's capacity, FIFO), waits for the body's working hours, takes its
 * latency, and is refused (resubmitted after a delay while retries last), sent back
 * (resubmitted after rework) or approved.  The derivations the tests check are in
 * docs/models.md, "Bilateral coordination". */
#include "coordination.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "ops.h"
#include "plan.h"
#include "rng.h"
#include "scn_coordination.h"
#include "scn_plan.h"

#define DAY 86400.0

struct coord_model {
  const scn_scenario *sc;
  const scn_coordination *co;
  uint64_t *gates;              /* [nstep]: table gates each step needs, as a bit set */
  uint32_t *purpose;            /* [nstep]: RNG_COORDINATION purpose */
  int m_requests, m_refused, m_returned, m_approved;
  int *m_latency, *m_wait, *m_queue;  /* [nbody] */
  int *m_ok, *m_decided, *m_attempts; /* [nstep] */
};

enum { ST_IDLE, ST_NEEDS, ST_QUEUED, ST_SERVICE, ST_AWAY, ST_APPROVED, ST_REFUSED };

typedef struct step_slot {
  coord_run *r;
  int i, state, attempts, retries_left;
  double queued_t, decided_t;
  double raised_t, submitted_t;     /* raised, first submitted (NaN before) */
  double cause[SIM_CAUSE__COUNT];   /* its approval time by cause (critical chain) */
  rng_stream rng;
} step_slot;

typedef struct body_slot {
  sim_resource *res;
  double latency_sum, wait_sum; /* s, over the attempts it handled */
  int served, granted;
  size_t max_queue;
} body_slot;

struct coord_run {
  const coord_model *m;
  const scn_coordination *co;
  const scn_scenario *sc;
  sim *sim;
  step_slot *step;
  body_slot *body;
  double *ev_t, *task_t;           /* [nevent], [ntask]: occurred, first started (NaN) */
  double *task_cause;              /* [ntask * SIM_CAUSE__COUNT]: its start by cause */
  uint32_t sits;   /* bit s: situation s has been recognised */
  uint64_t gates;  /* gates that have opened */
  int requests, refused, returned, approved;
  int busy, dirty;
  const ops_trace *trace; /* straits trace; NULL in every other run */
};

/* A line of straits trace (nothing in a normal run: trace is NULL). */
#define TRACE(r, ...) ops_trace_line((r)->trace, sim_now((r)->sim), "coordination", __VA_ARGS__)

/* ---- the model ------------------------------------------------------------------------ */

int coord_scenario_needs_table(const scn_scenario *sc) {
  const scn_coordination *co = scn_section_of(sc, "coordination");
  for (size_t i = 0; co && i < co->nstep; i++)
    if (co->step[i].ngate) return 1;
  return 0;
}

static uint32_t id_hash(const char *id) {
  uint32_t h = 2166136261u;
  for (const char *s = "step:"; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  for (const char *s = id; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static int define(metric_set *ms, const char *name, const char *unit, unsigned flags,
                  const char *text) {
  return metric_define(ms, "coordination", name, unit, flags, text);
}

static int define_metrics(coord_model *m, metric_set *ms) {
  const scn_coordination *co = m->co;
  char name[320], text[512];
  if ((m->m_requests = define(ms, "requests", "1", METRIC_HEADLINE,
                              "requests submitted to a body (resubmissions included)")) < 0 ||
      (m->m_refused = define(ms, "refused", "1", METRIC_LOWER_BETTER,
                             "requests refused (resubmitted or not)")) < 0 ||
      (m->m_returned = define(ms, "returned", "1", METRIC_LOWER_BETTER,
                              "requests sent back for rework")) < 0 ||
      (m->m_approved = define(ms, "approved", "1", METRIC_HIGHER_BETTER,
                              "decision steps approved before the horizon")) < 0)
    return m->m_requests < 0 ? m->m_requests : m->m_refused < 0 ? m->m_refused
           : m->m_returned < 0 ? m->m_returned : m->m_approved;
  for (size_t b = 0; b < co->nbody; b++) {
    const scn_co_body *body = &co->body[b];
    const char *label = *body->name ? body->name : body->id;
    snprintf(name, sizeof name, "body.%s.latency", body->id);
    snprintf(text, sizeof text, "mean time from a request reaching '%s' to its answer "
                                "(queue, working hours and latency), when it had one", label);
    if ((m->m_latency[b] = define(ms, name, "s", METRIC_LOWER_BETTER, text)) < 0) return m->m_latency[b];
    snprintf(name, sizeof name, "body.%s.wait", body->id);
    snprintf(text, sizeof text, "mean time a request waited in the queue of '%s'", label);
    if ((m->m_wait[b] = define(ms, name, "s", METRIC_LOWER_BETTER, text)) < 0) return m->m_wait[b];
    snprintf(name, sizeof name, "body.%s.max_queue", body->id);
    snprintf(text, sizeof text, "longest queue of requests waiting at '%s'", label);
    if ((m->m_queue[b] = define(ms, name, "1", METRIC_LOWER_BETTER, text)) < 0) return m->m_queue[b];
  }
  for (size_t i = 0; i < co->nstep; i++) {
    const scn_co_step *s = &co->step[i];
    const char *label = *s->name ? s->name : s->id;
    snprintf(name, sizeof name, "step.%s.approved", s->id);
    snprintf(text, sizeof text, "1 if '%s' was approved before the horizon", label);
    if ((m->m_ok[i] = define(ms, name, "1", METRIC_BINARY | METRIC_HIGHER_BETTER, text)) < 0) return m->m_ok[i];
    snprintf(name, sizeof name, "step.%s.decided", s->id);
    snprintf(text, sizeof text, "time '%s' was approved, when it was", label);
    if ((m->m_decided[i] = define(ms, name, "s", 0, text)) < 0) return m->m_decided[i];
    snprintf(name, sizeof name, "step.%s.attempts", s->id);
    snprintf(text, sizeof text, "times '%s' was submitted, when it was raised", label);
    if ((m->m_attempts[i] = define(ms, name, "1", METRIC_LOWER_BETTER, text)) < 0) return m->m_attempts[i];
  }
  return 0;
}

int coord_model_new(coord_model **out, const scn_scenario *sc, const plan_authorities *table,
                    metric_set *ms, diag *d) {
  *out = NULL;
  const scn_coordination *co = scn_section_of(sc, "coordination");
  if (!co) return 0;
  coord_model *m = calloc(1, sizeof *m);
  size_t nb = co->nbody ? co->nbody : 1, ns = co->nstep ? co->nstep : 1;
  if (!m) return ERR_NOMEM;
  m->sc = sc, m->co = co;
  m->gates = calloc(ns, sizeof *m->gates);
  m->purpose = calloc(ns, sizeof *m->purpose);
  m->m_latency = calloc(nb, sizeof(int)), m->m_wait = calloc(nb, sizeof(int));
  m->m_queue = calloc(nb, sizeof(int));
  m->m_ok = calloc(ns, sizeof(int)), m->m_decided = calloc(ns, sizeof(int));
  m->m_attempts = calloc(ns, sizeof(int));
  int err = 0;
  if (!m->gates || !m->purpose || !m->m_latency || !m->m_wait || !m->m_queue || !m->m_ok ||
      !m->m_decided || !m->m_attempts) {
    err = ERR_NOMEM;
    goto done;
  }
  for (size_t i = 0; i < co->nstep; i++) {
    const scn_co_step *s = &co->step[i];
    for (size_t k = 0; k < s->ngate; k++) {
      int g = table ? plan_authorities_find(table, PLAN_GATES, s->gate[k].id) : -1;
      if (g < 0 || g >= 64) {
        diag_report(d, DIAG_ERROR, s->gate[k].loc.file, s->gate[k].loc.line, s->gate[k].loc.col,
                    "unknown gate '%s' (not in the authorities table%s%s)", s->gate[k].id,
                    table ? " " : "", table ? plan_authorities_path(table) : "");
        err = ERR_INPUT;
        continue;
      }
      m->gates[i] |= (uint64_t)1 << g;
    }
    /* A clash of two ids' hashes is salted, deterministically. */
    uint32_t h = id_hash(s->id);
    for (uint32_t salt = 1;; salt++) {
      size_t j = 0;
      while (j < i && m->purpose[j] != h) j++;
      if (j == i) break;
      h ^= 0x85EBCA6Bu * salt;
    }
    m->purpose[i] = h;
  }
  if (!err && ms) err = define_metrics(m, ms);
done:
  if (err) {
    coord_model_free(m);
    return err;
  }
  *out = m;
  return 0;
}

void coord_model_free(coord_model *m) {
  if (!m) return;
  free(m->gates), free(m->purpose);
  free(m->m_latency), free(m->m_wait), free(m->m_queue);
  free(m->m_ok), free(m->m_decided), free(m->m_attempts);
  free(m);
}

/* ---- one replication ------------------------------------------------------------------- */

static void settle(coord_run *r);

/* The approval time of a step by cause: what raised it last (a crisis event: the
 * crisis; a task's start or an earlier step: what that was put down to), then the law
 * it waited for until first submitted, then the coordination itself -- queues,
 * working hours, latencies, refusals and rework (docs/plan.md). */
static void approval_by_cause(coord_run *r, step_slot *ss) {
  const scn_co_step *st = &r->co->step[ss->i];
  double last = 0;
  const double *from = NULL;
  memset(ss->cause, 0, sizeof ss->cause);
  if (st->on_event >= 0) {
    last = r->ev_t[st->on_event];
    ss->cause[SIM_CAUSE_CRISIS] = last;
  }
  if (st->on_task >= 0 && r->task_t[st->on_task] >= last) {
    last = r->task_t[st->on_task];
    from = &r->task_cause[(size_t)st->on_task * SIM_CAUSE__COUNT];
  }
  for (size_t k = 0; k < st->nafter; k++) {
    const step_slot *a = &r->step[st->after[k]];
    if (a->decided_t >= last) last = a->decided_t, from = a->cause;
  }
  if (from) memcpy(ss->cause, from, sizeof ss->cause);
  ss->cause[SIM_CAUSE_LAW] += ss->submitted_t - last;
  ss->cause[SIM_CAUSE_COORDINATION] += ss->decided_t - ss->submitted_t;
}

static void publish(coord_run *r, int step, int approved) {
  sim_signal sig = {.type = SIG_DECISION, .source = -1, .event = -1, .situation = -1,
                    .place = -1, .region = -1, .gate = -1, .phase = -1, .task = -1,
                    .decision = r->co->step[step].plan_decision, .step = step,
                    .open = approved};
  if (approved) memcpy(sig.cause, r->step[step].cause, sizeof sig.cause);
  sim_publish(r->sim, &sig);
}

/* Seconds until body b next works, 0 when it works now. */
static double until_open(const coord_run *r, const scn_co_body *b) {
  if (!b->has_hours) return 0;
  double tod = fmod((double)(r->sc->epoch_unix % 86400) + sim_now(r->sim) + b->utc_offset, DAY);
  if (tod < 0) tod += DAY;
  int open = b->from < b->to ? tod >= b->from && tod < b->to : tod >= b->from || tod < b->to;
  if (open) return 0;
  double w = fmod(b->from - tod + DAY, DAY);
  return w;
}

static void answered(sim *s, void *ctx);

static void begin(sim *s, void *ctx) {
  step_slot *ss = ctx;
  const scn_co_step *st = &ss->r->co->step[ss->i];
  double lat = dist_sample(&st->latency, &ss->rng);
  sim_blame b = {st->latency_loc.file, st->latency_loc.line, st->latency_loc.col,
                 "the latency of decision step", st->id, lat};
  sim_after_drawn(s, lat, answered, ss, &b); /* a draw out of range fails the run, located */
}

static void granted(sim *s, void *ctx) {
  step_slot *ss = ctx;
  coord_run *r = ss->r;
  const scn_co_step *st = &r->co->step[ss->i];
  body_slot *b = &r->body[st->to];
  ss->state = ST_SERVICE;
  b->wait_sum += sim_now(s) - ss->queued_t;
  b->granted++;
  double w = until_open(r, &r->co->body[st->to]);
  if (w > 0)
    sim_after(s, w, begin, ss);
  else
    begin(s, ss);
}

static void submit(coord_run *r, step_slot *ss) {
  const scn_co_step *st = &r->co->step[ss->i];
  body_slot *b = &r->body[st->to];
  ss->state = ST_QUEUED;
  ss->attempts++;
  TRACE(r, "'%s' submitted by '%s' to '%s'%s", st->id, r->co->body[st->from].id,
        r->co->body[st->to].id, ss->attempts > 1 ? " again" : "");
  ss->queued_t = sim_now(r->sim);
  if (ss->attempts == 1) ss->submitted_t = ss->queued_t;
  r->requests++;
  if (sim_request(b->res, granted, ss)) {
    sim_fail(r->sim, ERR_LIMIT);
    return;
  }
  size_t q = sim_resource_queued(b->res);
  if (q > b->max_queue) b->max_queue = q;
}

static void resubmit(sim *s, void *ctx) {
  (void)s;
  step_slot *ss = ctx;
  submit(ss->r, ss);
}

static void answered(sim *s, void *ctx) {
  step_slot *ss = ctx;
  coord_run *r = ss->r;
  const scn_co_step *st = &r->co->step[ss->i];
  body_slot *b = &r->body[st->to];
  b->latency_sum += sim_now(s) - ss->queued_t;
  b->served++;
  sim_release(b->res);
  double u = st->p_refuse + st->p_return > 0 ? rng_uniform(&ss->rng) : 1;
  if (u < st->p_refuse) {
    r->refused++;
    if (ss->retries_left > 0) {
      ss->retries_left--;
      ss->state = ST_AWAY;
      double d = dist_sample(&st->retry_delay, &ss->rng);
      TRACE(r, "'%s' refused by '%s' (attempt %d): resubmitted in %.2f h", st->id,
            r->co->body[st->to].id, ss->attempts, d / 3600);
      sim_blame bl = {st->retry_loc.file, st->retry_loc.line, st->retry_loc.col,
                      "the retry delay of decision step", st->id, d};
      sim_after_drawn(s, d, resubmit, ss, &bl); /* a draw out of range fails the run, located */
    } else {
      ss->state = ST_REFUSED;
      TRACE(r, "'%s' refused by '%s' for good (attempt %d)", st->id, r->co->body[st->to].id,
            ss->attempts);
      publish(r, ss->i, 0);
    }
  } else if (u < st->p_refuse + st->p_return) {
    r->returned++;
    ss->state = ST_AWAY;
    double d = dist_sample(&st->rework, &ss->rng);
    TRACE(r, "'%s' sent back by '%s' for rework (attempt %d): resubmitted in %.2f h", st->id,
          r->co->body[st->to].id, ss->attempts, d / 3600);
    sim_blame bl = {st->rework_loc.file, st->rework_loc.line, st->rework_loc.col,
                    "the rework delay of decision step", st->id, d};
    sim_after_drawn(s, d, resubmit, ss, &bl);
  } else {
    ss->state = ST_APPROVED;
    ss->decided_t = sim_now(s);
    approval_by_cause(r, ss);
    r->approved++;
    TRACE(r, "'%s' approved by '%s' (attempt %d, %.2f h after it was raised)", st->id,
          r->co->body[st->to].id, ss->attempts, (ss->decided_t - ss->raised_t) / 3600);
    publish(r, ss->i, 1);
  }
  settle(r);
}

static int is_raised(const coord_run *r, const scn_co_step *st) {
  if (st->on_event >= 0 && isnan(r->ev_t[st->on_event])) return 0;
  if (st->on_task >= 0 && isnan(r->task_t[st->on_task])) return 0;
  for (size_t k = 0; k < st->nafter; k++)
    if (r->step[st->after[k]].state != ST_APPROVED) return 0;
  return 1;
}

static int law_holds(const coord_run *r, int i) {
  const scn_co_step *st = &r->co->step[i];
  if (st->situations && !(r->sits & st->situations)) return 0;
  return (r->gates & r->m->gates[i]) == r->m->gates[i];
}

/* Raise what can be raised and submit what the law allows, to a fixed point (an
 * approval announced from here may start a task that raises another step). */
static void settle(coord_run *r) {
  if (r->busy) {
    r->dirty = 1;
    return;
  }
  r->busy = 1;
  do {
    r->dirty = 0;
    for (size_t i = 0; i < r->co->nstep; i++) {
      step_slot *ss = &r->step[i];
      if (ss->state == ST_IDLE && is_raised(r, &r->co->step[i])) {
        ss->state = ST_NEEDS;
        ss->raised_t = sim_now(r->sim);
        if (!law_holds(r, (int)i))
          TRACE(r, "'%s' raised: waits for the law it needs", r->co->step[i].id);
      }
      if (ss->state == ST_NEEDS && law_holds(r, (int)i)) submit(r, ss);
    }
  } while (r->dirty);
  r->busy = 0;
}

static void wake(sim *s, void *ctx) {
  (void)s;
  settle(ctx);
}

static void on_event(sim *s, const sim_signal *sig, void *ctx) {
  coord_run *r = ctx;
  if (sig->event < 0 || (size_t)sig->event >= r->sc->nevent) return;
  if (isnan(r->ev_t[sig->event])) r->ev_t[sig->event] = sim_now(s);
  settle(r);
}

static void on_situation(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  coord_run *r = ctx;
  if (sig->situation < 0 || sig->situation >= SCN_SIT__COUNT || !sig->open) return;
  r->sits |= 1u << sig->situation;
  settle(r);
}

static void on_gate(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  coord_run *r = ctx;
  if (sig->gate < 0 || sig->gate >= 64 || !sig->open) return;
  r->gates |= (uint64_t)1 << sig->gate;
  settle(r);
}

static void on_task(sim *s, const sim_signal *sig, void *ctx) {
  coord_run *r = ctx;
  size_t ntask = r->sc->plan ? r->sc->plan->ntask : 0;
  if (sig->task < 0 || (size_t)sig->task >= ntask || !sig->open) return;
  if (!isnan(r->task_t[sig->task])) return; /* resumed: not its first start */
  r->task_t[sig->task] = sim_now(s);
  memcpy(&r->task_cause[(size_t)sig->task * SIM_CAUSE__COUNT], sig->cause, sizeof sig->cause);
  settle(r);
}

coord_run *coord_start(const coord_model *m, sim *s, arena *a, metric_out *out, uint64_t seed,
                       uint32_t rep, const ops_trace *trace) {
  (void)out;
  const scn_coordination *co = m->co;
  const scn_scenario *sc = m->sc;
  coord_run *r = arena_calloc(a, 1, sizeof *r);
  if (!r) return NULL;
  r->m = m, r->co = co, r->sc = sc, r->sim = s, r->trace = trace;
  size_t ntask = sc->plan ? sc->plan->ntask : 0;
  r->step = arena_calloc(a, co->nstep ? co->nstep : 1, sizeof *r->step);
  r->body = arena_calloc(a, co->nbody ? co->nbody : 1, sizeof *r->body);
  r->ev_t = arena_calloc(a, sc->nevent ? sc->nevent : 1, sizeof *r->ev_t);
  r->task_t = arena_calloc(a, ntask ? ntask : 1, sizeof *r->task_t);
  r->task_cause = arena_calloc(a, (ntask ? ntask : 1) * SIM_CAUSE__COUNT, sizeof *r->task_cause);
  if (!r->step || !r->body || !r->ev_t || !r->task_t || !r->task_cause) return NULL;
  for (size_t e = 0; e < sc->nevent; e++) r->ev_t[e] = NAN;
  for (size_t t = 0; t < ntask; t++) r->task_t[t] = NAN;
  for (size_t b = 0; b < co->nbody; b++)
    if (!(r->body[b].res = sim_resource_new(s, a, co->body[b].capacity))) return NULL;
  for (size_t i = 0; i < co->nstep; i++) {
    step_slot *ss = &r->step[i];
    *ss = (step_slot){.r = r, .i = (int)i, .state = ST_IDLE, .retries_left = co->step[i].retries,
                      .queued_t = NAN, .decided_t = NAN, .raised_t = NAN,
                      .submitted_t = NAN};
    rng_init(&ss->rng, seed, rep, RNG_COORDINATION, m->purpose[i]);
  }
  if (sim_subscribe(s, SIG_EVENT_OCCURRED, on_event, r) ||
      sim_subscribe(s, SIG_SITUATION_CHANGED, on_situation, r) ||
      sim_subscribe(s, SIG_GATE_OPENED, on_gate, r) || sim_subscribe(s, SIG_TASK_STATUS, on_task, r))
    return NULL;
  if (sim_at(s, 0, wake, r)) return NULL;
  return r;
}

void coord_collect(const coord_run *r, sim *s, metric_out *out) {
  (void)s;
  const coord_model *m = r->m;
  metric_put(out, m->m_requests, r->requests);
  metric_put(out, m->m_refused, r->refused);
  metric_put(out, m->m_returned, r->returned);
  metric_put(out, m->m_approved, r->approved);
  for (size_t b = 0; b < r->co->nbody; b++) {
    const body_slot *bs = &r->body[b];
    if (bs->served) metric_put(out, m->m_latency[b], bs->latency_sum / bs->served);
    if (bs->granted) metric_put(out, m->m_wait[b], bs->wait_sum / bs->granted);
    metric_put(out, m->m_queue[b], (double)bs->max_queue);
  }
  for (size_t i = 0; i < r->co->nstep; i++) {
    const step_slot *ss = &r->step[i];
    metric_put(out, m->m_ok[i], ss->state == ST_APPROVED);
    if (ss->state == ST_APPROVED) metric_put(out, m->m_decided[i], ss->decided_t);
    if (ss->attempts) metric_put(out, m->m_attempts[i], ss->attempts);
  }
}

double coord_run_decided(const coord_run *r, int step) { return r->step[step].decided_t; }
int coord_run_attempts(const coord_run *r, int step) { return r->step[step].attempts; }
