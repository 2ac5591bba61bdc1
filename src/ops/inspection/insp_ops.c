/* ops_inspection.c - the ship inspection model's descriptor (ops.h). */
#include "inspection.h"
#include "ops.h"
#include "scn_inspection.h"

/* A NULL model (no `inspection:` section) runs nothing.  It takes the run's
 * authorities table to find the UNSC resolution gate the plan opens. */
static int prepare(void **model, const scn_scenario *sc, const ops_context *ctx,
                   metric_set *ms, diag *d) {
  insp_model *m = NULL;
  int err = insp_model_new_with(&m, sc, ctx->authorities, ms, d);
  *model = m;
  return err;
}

static void *start(const void *model, sim *s, arena *a, metric_out *out, const ops_rep *r) {
  insp *I = insp_start(model, s, a, out, r->seed, r->index);
  insp_trace(I, r->trace);
  return I;
}

static void collect(void *state, sim *s, metric_out *out) { insp_collect(state, s, out); }

static int check(const scn_scenario *sc, const ops_context *ctx, diag *d) {
  return insp_check(sc, ctx->authorities, d);
}

static void release(void *model) { insp_model_free(model); }

const ops_module insp_ops = {
    .name = "inspection",
    .title = "Ship inspection",
    .section = &insp_section,
    .prepare = prepare,
    .start = start,
    .collect = collect,
    .check = check,
    .release = release,
};
