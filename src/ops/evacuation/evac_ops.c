/* evac_ops.c - the evacuation model's descriptor (ops.h). */
#include "evacuation.h"
#include "ops.h"
#include "scn_evacuation.h"

/* A NULL model (no `evacuation:` section) runs nothing.  It takes the run's authorities
 * table to find the gates that order groups to leave. */
static int prepare(void **model, const scn_scenario *sc, const ops_context *ctx,
                   metric_set *ms, diag *d) {
  evac_model *m = NULL;
  int err = evac_model_new_with(&m, sc, ctx->authorities, ms, d);
  *model = m;
  return err;
}

static void *start(const void *model, sim *s, arena *a, metric_out *out, const ops_rep *r) {
  return evac_start(model, s, a, out, r->seed, r->index);
}

static void collect(void *state, sim *s, metric_out *out) { evac_collect(state, s, out); }

static int check(const scn_scenario *sc, const ops_context *ctx, diag *d) {
  return evac_check(sc, ctx->authorities, d);
}

static void release(void *model) { evac_model_free(model); }

const ops_module evac_ops = {
    .name = "evacuation",
    .title = "Evacuation of nationals and residents",
    .section = &evac_section,
    .prepare = prepare,
    .start = start,
    .collect = collect,
    .check = check,
    .release = release,
};
