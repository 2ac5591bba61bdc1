/* ops_plan.c - the plan's descriptor (ops.h): Japan's legal situation over time and
 * the plan's tasks as a model the runner drives like a mission (plan.h). */
#include <stdlib.h>

#include "err.h"
#include "ops.h"
#include "plan.h"

/* The model and, when the run was handed no authorities table, the shipped one it read. */
typedef struct plan_ops_model {
  plan_model *model;
  plan_authorities *own;
} plan_ops_model;

static void release(void *model) {
  plan_ops_model *p = model;
  if (!p) return;
  plan_model_free(p->model);
  plan_authorities_free(p->own);
  free(p);
}

/* A NULL model (no `situations:` or `plan:` section) runs nothing.  (Without a plan a
 * Japanese asset has no task to act under: each mission's own prepare refuses that.) */
static int prepare(void **model, const scn_scenario *sc, const ops_context *ctx,
                   metric_set *ms, diag *d) {
  *model = NULL;
  if (!plan_scenario_uses(sc)) return 0;
  plan_ops_model *p = calloc(1, sizeof *p);
  if (!p) return ERR_NOMEM;
  const plan_authorities *table = ctx->authorities;
  int err = 0;
  if (!table && !(err = plan_authorities_load(&p->own, plan_authorities_default_path(), d)))
    table = p->own;
  if (!err) err = plan_model_new(&p->model, sc, table, ms, d);
  if (err) {
    release(p);
    return err;
  }
  *model = p;
  return 0;
}

static void *start(const void *model, sim *s, arena *a, metric_out *out, const ops_rep *r) {
  return plan_start(((const plan_ops_model *)model)->model, s, a, out, r->seed, r->index);
}

static void collect(void *state, sim *s, metric_out *out) { plan_collect(state, s, out); }

/* The authorities table decides what a plan's tasks may do: the one the plan read, or
 * the one the run was handed. */
static void inputs(const void *model, const ops_context *ctx, ops_input_fn fn, void *fctx) {
  const plan_ops_model *p = model;
  const plan_authorities *table = p ? plan_model_authorities(p->model) : ctx->authorities;
  if (table) fn(fctx, "authorities", plan_authorities_hash(table));
}

const ops_module plan_ops = {
    .name = "plan",
    .title = "Plan: tasks, phases, situations and gates",
    .prepare = prepare,
    .start = start,
    .collect = collect,
    .inputs = inputs,
    .release = release,
};
