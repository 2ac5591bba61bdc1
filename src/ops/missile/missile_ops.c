/* missile_ops.c - the missile attack model's descriptor (ops.h). */
#include "missile.h"
#include "ops.h"
#include "scn_missile.h"

/* A NULL model (no `missile:` section) runs nothing. */
static int prepare(void **model, const scn_scenario *sc, const ops_context *ctx,
                   metric_set *ms, diag *d) {
  (void)ctx;
  msl_model *m = NULL;
  int err = msl_model_new(&m, sc, ms, d);
  *model = m;
  return err;
}

static void *start(const void *model, sim *s, arena *a, metric_out *out, const ops_rep *r) {
  return msl_start(model, s, a, out, r->seed, r->index);
}

static void collect(void *state, sim *s, metric_out *out) { msl_collect(state, s, out); }

static void release(void *model) { msl_model_free(model); }

/* A driver, like the crisis: its impacts and warnings are the closures the missions
 * react to, so the spillover analysis reads its metrics as causes, not outcomes. */
const ops_module missile_ops = {
    .name = "missile",
    .title = "Missile attack effects",
    .driver = 1,
    .section = &msl_section,
    .prepare = prepare,
    .start = start,
    .collect = collect,
    .release = release,
};
