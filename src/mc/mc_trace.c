/* mc_trace.c - a replication re-simulated with its timeline (mc_trace.h).
 *
 * The models are prepared, started, run and collected exactly as mc.c's
 * run_replication does; a listener on every signal type only reads, so tracing
 * cannot change a number.  Signal lines are formatted on the stack and go straight to
 * the sink: nothing is allocated while the replication runs. */
#include "mc_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "err.h"
#include "plan.h"
#include "scn_coordination.h"
#include "scn_plan.h"
#include "sim.h"

typedef struct tracer {
  const scn_scenario *sc;
  const plan_authorities *auth;
  const ops_trace *sink;
  unsigned char *task_started; /* [ntask]: 1 once a task has started (then it resumes) */
} tracer;

static const char *event_id(const scn_scenario *sc, int e) {
  return e >= 0 && (size_t)e < sc->nevent ? sc->event[e].id : "?";
}

static const char *place_or_region(const scn_scenario *sc, const sim_signal *g) {
  if (g->type == SIG_SITE_STATUS)
    return g->place >= 0 && (size_t)g->place < sc->nplace ? sc->place[g->place].id : "?";
  return g->region >= 0 && (size_t)g->region < sc->nregion ? sc->region[g->region].id : "?";
}

/* " (raised by 'blockade')" when a crisis event raised it. */
static void cause(char *dst, size_t size, const scn_scenario *sc, const sim_signal *g) {
  if (g->source >= 0 && g->type != SIG_EVENT_OCCURRED)
    snprintf(dst, size, " (raised by '%s')", event_id(sc, g->source));
  else
    dst[0] = '\0';
}

static const char *task_line(tracer *tr, const sim_signal *g, char *buf, size_t size) {
  const scn_plan *pl = tr->sc->plan;
  const char *id = pl && g->task >= 0 && (size_t)g->task < pl->ntask ? pl->task[g->task].id : "?";
  const char *what = "stopped (paused, withdrawn, done or cancelled)";
  if (g->open) {
    int again = tr->task_started && g->task >= 0 && tr->task_started[g->task];
    what = again ? "resumed" : "started";
    if (tr->task_started && g->task >= 0) tr->task_started[g->task] = 1;
  }
  snprintf(buf, size, "task '%s' %s", id, what);
  return "plan";
}

/* The signal as one line; the module that speaks for it. */
static const char *signal_line(tracer *tr, const sim_signal *g, char *buf, size_t size) {
  const scn_scenario *sc = tr->sc;
  const scn_plan *pl = sc->plan;
  char why[160];
  cause(why, sizeof why, sc, g);
  switch (g->type) {
  case SIG_EVENT_OCCURRED: {
    const scn_event *e =
        g->event >= 0 && (size_t)g->event < sc->nevent ? &sc->event[g->event] : NULL;
    snprintf(buf, size, "event '%s' occurred%s%s%s", event_id(sc, g->event),
             e && e->name && *e->name ? ": " : "", e && e->name ? e->name : "",
             e && e->parent >= 0 ? " (a branch)" : "");
    return "crisis";
  }
  case SIG_SITUATION_CHANGED:
    snprintf(buf, size, "situation now '%s'%s", scn_situation_name((scn_situation)g->situation),
             why);
    return "plan";
  case SIG_SITE_STATUS:
    snprintf(buf, size, "site '%s' %s%s", place_or_region(sc, g), g->open ? "reopened" : "closed",
             why);
    return "crisis";
  case SIG_REGION_STATUS:
    snprintf(buf, size, "region '%s' %s%s", place_or_region(sc, g), g->open ? "quiet" : "active",
             why);
    return "crisis";
  case SIG_PERSON_MISSING:
    snprintf(buf, size, "%d person%s missing (%s) at %.4f, %.4f%s", g->count,
             g->count == 1 ? "" : "s", scn_object_name((scn_object)g->object), g->lat, g->lon, why);
    return "crisis";
  case SIG_GATE_OPENED:
    snprintf(buf, size, "gate '%s' %s%s%s", plan_gate_id(tr->auth, g->gate),
             g->open ? "opened" : "closed", g->situation >= 0 ? " for " : "",
             g->situation >= 0 ? scn_situation_name((scn_situation)g->situation) : "");
    return "plan";
  case SIG_PHASE_BEGAN:
    snprintf(buf, size, "phase '%s' began",
             pl && g->phase >= 0 && (size_t)g->phase < pl->nphase ? pl->phase[g->phase].id : "?");
    return "plan";
  case SIG_TASK_STATUS:
    return task_line(tr, g, buf, size);
  case SIG_DECISION: {
    const char *id = pl && g->decision >= 0 && (size_t)g->decision < pl->ndecision
                         ? pl->decision[g->decision].id
                         : NULL;
    const scn_coordination *co = scn_section_of(sc, "coordination");
    if (!id && co && g->step >= 0 && (size_t)g->step < co->nstep) id = co->step[g->step].id;
    if (id)
      snprintf(buf, size, "decision '%s' %s", id, g->open ? "approved" : "refused for good");
    else
      snprintf(buf, size, "decision step %d %s", g->step,
               g->open ? "approved" : "refused for good");
    return "coordination";
  }
  case SIG__COUNT:
    break;
  }
  snprintf(buf, size, "signal %d", (int)g->type);
  return "sim";
}

static void on_signal(sim *s, const sim_signal *g, void *ctx) {
  tracer *tr = ctx;
  char line[320];
  const char *module = signal_line(tr, g, line, sizeof line);
  tr->sink->line(tr->sink->ctx, sim_now(s), module, line);
}

/* ---- the replication ---------------------------------------------------------------- */

static void release(void **model, size_t n) {
  const ops_module *const *reg = ops_registry(&n);
  for (size_t m = 0; m < n; m++)
    if (model[m]) reg[m]->release(model[m]);
}

static int prepare(void **model, metric_set *ms, const scn_scenario *sc, const ops_context *ctx,
                   diag *d) {
  size_t n;
  const ops_module *const *reg = ops_registry(&n);
  for (size_t m = 0; m < n; m++) {
    int err = reg[m]->prepare(&model[m], sc, ctx, ms, d);
    if (err) return err;
  }
  return 0;
}

/* Start, listen, run to the horizon and collect, as mc.c's run_replication. */
static int run_one(void **model, sim *sm, arena *a, metric_out *out, const scn_scenario *sc,
                   const ops_rep *r, tracer *tr, diag *d) {
  size_t n;
  const ops_module *const *reg = ops_registry(&n);
  void *state[OPS_MAX_MODULES] = {NULL};
  for (size_t m = 0; m < n; m++)
    if (model[m] && reg[m]->start && !(state[m] = reg[m]->start(model[m], sm, a, out, r))) {
      diag_report(d, DIAG_ERROR, NULL, 0, 0, "module '%s' could not start", reg[m]->name);
      return ERR_LIMIT;
    }
  /* After the models: the listener hears each signal after they acted on it. */
  for (int t = 0; t < SIG__COUNT; t++)
    if (sim_subscribe(sm, (sim_signal_type)t, on_signal, tr)) return ERR_LIMIT;
  int err = sim_run(sm, sc->horizon);
  if (err) {
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "the simulation stopped at t = %.17g s: %s", sim_now(sm),
                err_strerror(err));
    return err;
  }
  for (size_t m = 0; m < n; m++)
    if (state[m] && reg[m]->collect) reg[m]->collect(state[m], sm, out);
  return sim_error(sm);
}

int mc_trace_replication(const scn_scenario *sc, const plan_authorities *auth, uint32_t rep,
                         const ops_trace *sink, metric_set *ms, double **values, diag *d) {
  void *model[OPS_MAX_MODULES] = {NULL};
  ops_context ctx = {auth};
  size_t ntask = sc->plan ? sc->plan->ntask : 0;
  tracer tr = {sc, auth, sink, calloc(ntask + 1, 1)};
  sim *sm = sim_new();
  arena a;
  metric_out out;
  *values = NULL;
  metric_set_init(ms);
  arena_init(&a, ARENA_DEFAULT_CAP);
  int err = sm && tr.task_started ? prepare(model, ms, sc, &ctx, d) : ERR_NOMEM;
  if (!err) err = metric_out_init(&out, ms, &a);
  ops_rep r = {.seed = sc->seed, .index = rep, .trace = sink};
  if (!err) err = run_one(model, sm, &a, &out, sc, &r, &tr, d);
  if (!err && !(*values = malloc((ms->n ? ms->n : 1) * sizeof **values))) err = ERR_NOMEM;
  if (!err) memcpy(*values, out.value, ms->n * sizeof **values);
  release(model, 0);
  arena_release(&a);
  sim_free(sm);
  free(tr.task_started);
  return err;
}
