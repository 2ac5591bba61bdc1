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

/* "map.layer.missile-impacts": each place a raid targets, valued by its mean number of
 * impacts per replication, with the mean hours it was closed by them. */
static int docs(const void *model, const ops_results *r, strbuf *b, const ops_doc_sink *sink) {
  (void)model;
  const scn_scenario *sc = r->sc;
  const scn_missile *M = scn_section_of(sc, "missile");
  char *seen = calloc(sc->nplace ? sc->nplace : 1, 1);
  if (!seen) return ERR_NOMEM;
  char name[256];
  int nfeat = 0;
  /* Before any run (a preview) the places the raids may target, with no means yet. */
  if (r->n == 0)
    strbuf_put(b, "{\"title\":\"missile raids' targets (notional)\",\"features\":[");
  else
    strbuf_put(b, "{\"title\":\"missile impacts (notional): mean per replication\","
                  "\"properties\":{\"value\":\"mean of missile.impacts.<place>; closed_h: "
                  "mean hours closed by impacts (missile.closure_time.<place>)\"},"
                  "\"features\":[");
  for (size_t i = 0; M && i < M->nraid; i++)
    for (size_t t = 0; t < M->raid[i].ntarget; t++) {
      int p = M->raid[i].target[t].place;
      if (seen[p]) continue;
      seen[p] = 1;
      const scn_place *pl = &sc->place[p];
      snprintf(name, sizeof name, "impacts.%s", pl->id);
      ops_feature(b, nfeat++ == 0, "missile-impact", pl->id, pl->name && *pl->name ? pl->name : pl->id,
                  ops_mean(r, "missile", name));
      snprintf(name, sizeof name, "closure_time.%s", pl->id);
      strbuf_put(b, ",\"closed_h\":");
      strbuf_json_num(b, ops_mean(r, "missile", name) / 3600);
      strbuf_printf(b, "},\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]}}",
                    pl->lon, pl->lat);
    }
  strbuf_put(b, "]}");
  free(seen);
  if (!nfeat) return 0; /* an empty layer is not written */
  return b->failed ? ERR_NOMEM : sink->put(sink->ctx, "map.layer.missile-impacts", b->s);
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
