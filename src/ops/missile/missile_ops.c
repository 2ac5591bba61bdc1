/* missile_ops.c - the missile attack model's descriptor (ops.h). */
#include <stdio.h>
#include <stdlib.h>

#include "err.h"
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

/* Place pl, valued by its mean impacts per replication, with the mean hours closed. */
static json_t *impact_feature(const ops_results *r, const scn_place *pl) {
  char name[256];
  snprintf(name, sizeof name, "impacts.%s", pl->id);
  json_t *f = ops_feature_json("missile-impact", pl->id, pl->name && *pl->name ? pl->name : pl->id,
                               ops_mean(r, "missile", name));
  snprintf(name, sizeof name, "closure_time.%s", pl->id);
  jdoc_set(json_object_get(f, "properties"), "closed_h",
           jdoc_num(ops_mean(r, "missile", name) / 3600));
  jdoc_set(f, "geometry", jdoc_geometry("Point", jdoc_position(pl->lon, pl->lat)));
  return f;
}

/* "map.layer.missile-impacts": each place a raid targets, valued by its mean number of
 * impacts per replication, with the mean hours it was closed by them.  Before any run
 * (a preview) the places the raids may target, with no means yet. */
static int docs(const void *model, const ops_results *r, strbuf *b, const ops_doc_sink *sink) {
  (void)model;
  const scn_scenario *sc = r->sc;
  const scn_missile *M = scn_section_of(sc, "missile");
  char *seen = calloc(sc->nplace ? sc->nplace : 1, 1);
  if (!seen) return ERR_NOMEM;
  json_t *features = json_array();
  for (size_t i = 0; M && i < M->nraid; i++)
    for (size_t t = 0; t < M->raid[i].ntarget; t++) {
      int p = M->raid[i].target[t].place;
      if (seen[p]) continue;
      seen[p] = 1;
      jdoc_push(features, impact_feature(r, &sc->place[p]));
    }
  free(seen);
  if (features && json_array_size(features) == 0) { /* an empty layer is not written */
    json_decref(features);
    return 0;
  }
  json_t *layer =
      r->n == 0 ? ops_layer_json("missile raids' targets (notional)", NULL)
                : ops_layer_json("missile impacts (notional): mean per replication",
                                 "mean of missile.impacts.<place>; closed_h: mean hours "
                                 "closed by impacts (missile.closure_time.<place>)");
  jdoc_set(layer, "features", features);
  return ops_doc_put(sink, b, "map.layer.missile-impacts", layer);
}

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
    .docs = docs,
    .release = release,
};
