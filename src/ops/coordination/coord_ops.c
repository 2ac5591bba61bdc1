/* coord_ops.c - the coordination model's descriptor (ops.h). */
#include <stdlib.h>

#include "coordination.h"
#include "err.h"
#include "ops.h"
#include "plan.h"
#include "scn_coordination.h"

/* The model and, when a step needs a gate and the run was handed no authorities
 * table, the shipped one it read. */
typedef struct coord_ops_model {
  coord_model *model;
  plan_authorities *own;
} coord_ops_model;

static void release(void *model) {
  coord_ops_model *p = model;
  if (!p) return;
  coord_model_free(p->model);
  plan_authorities_free(p->own);
  free(p);
}

/* A NULL model (no `coordination:` section) runs nothing. */
static int prepare(void **model, const scn_scenario *sc, const ops_context *ctx,
                   metric_set *ms, diag *d) {
  *model = NULL;
  if (!scn_section_of(sc, "coordination")) return 0;
  coord_ops_model *p = calloc(1, sizeof *p);
  if (!p) return ERR_NOMEM;
  const plan_authorities *table = ctx->authorities;
  int err = 0;
  if (!table && coord_scenario_needs_table(sc) &&
      !(err = plan_authorities_load(&p->own, plan_authorities_default_path(), d)))
    table = p->own;
  if (!err) err = coord_model_new(&p->model, sc, table, ms, d);
  if (err) {
    release(p);
    return err;
  }
  *model = p;
  return 0;
}

static void *start(const void *model, sim *s, arena *a, metric_out *out, const ops_rep *r) {
  return coord_start(((const coord_ops_model *)model)->model, s, a, out, r->seed, r->index);
}

static void collect(void *state, sim *s, metric_out *out) { coord_collect(state, s, out); }

const ops_module coord_ops = {
    .name = "coordination",
    .title = "Bilateral coordination: requests, consultations and approvals",
    .section = &coord_section,
    .prepare = prepare,
    .start = start,
    .collect = collect,
    .release = release,
};
