/* ops_crisis.c - the crisis model's descriptor (ops.h) and its report documents. */
#include <stdio.h>

#include "crisis.h"
#include "err.h"
#include "ops.h"

static int prepare(void **model, const scn_scenario *sc, const ops_context *ctx,
                   metric_set *ms, diag *d) {
  (void)ctx;
  crisis_model *m = NULL;
  int err = crisis_model_new(&m, sc, ms, d);
  *model = m;
  return err;
}

static void *start(const void *model, sim *s, arena *a, metric_out *out, const ops_rep *r) {
  return crisis_start(model, s, a, out, r->seed, r->index);
}

static void collect(void *state, sim *s, metric_out *out) { crisis_collect(state, s, out); }

static void release(void *model) { crisis_model_free(model); }

/* One datum: raise k of event ev, valued by the probability that the event occurred. */
static json_t *datum_feature(const ops_results *r, const scn_event *ev, size_t k) {
  const scn_raise *ra = &ev->raise[k];
  char id[256], metric[256], name[512];
  snprintf(metric, sizeof metric, "%s.occurred", ev->id);
  snprintf(id, sizeof id, "%s.%zu", ev->id, k);
  snprintf(name, sizeof name, "%s: %d %s missing", ev->name && *ev->name ? ev->name : ev->id,
           ra->count, scn_object_name((scn_object)ra->object));
  json_t *f = ops_feature_json("sar-datum", id, name, ops_mean(r, "crisis", metric));
  json_t *p = json_object_get(f, "properties");
  jdoc_set(p, "event", jdoc_str(ev->id));
  jdoc_set(p, "count", json_integer(ra->count));
  jdoc_set(f, "geometry", jdoc_geometry("Point", jdoc_position(ra->lon, ra->lat)));
  return f;
}

/* Map layer "map.layer.sar-datums": one point per person_missing raise, where the
 * crisis reports persons missing, valued by the probability that its event occurred.
 * The crisis owns it, not SAR: the datums exist whether or not a search is planned.
 * Before any run (a preview) the datums are where the crisis can report persons
 * missing, with no probability yet.  NULL when there is none (an empty layer is not
 * written). */
static json_t *datums_layer(const ops_results *r) {
  const scn_scenario *sc = r->sc;
  json_t *features = json_array();
  for (size_t e = 0; e < sc->nevent; e++)
    for (size_t k = 0; k < sc->event[e].nraise; k++)
      if (sc->event[e].raise[k].signal == SIG_PERSON_MISSING)
        jdoc_push(features, datum_feature(r, &sc->event[e], k));
  if (features && json_array_size(features) == 0) {
    json_decref(features);
    return NULL;
  }
  json_t *layer =
      r->n == 0 ? ops_layer_json("SAR datums: where persons can be reported missing", NULL)
                : ops_layer_json("SAR datums: P(persons missing)",
                                 "probability that the event reporting the persons missing "
                                 "occurred (mean of crisis.<event>.occurred)");
  jdoc_set(layer, "features", features);
  return layer;
}

static int docs(const void *model, const ops_results *r, strbuf *b, const ops_doc_sink *sink) {
  (void)model;
  json_t *layer = datums_layer(r);
  return layer ? ops_doc_put(sink, b, "map.layer.sar-datums", layer) : 0;
}

static const char *const metric_titles[] = {"escalation", "Escalation ladder", "spillover",
                                            "Spillover to Japanese territory", NULL};

const ops_module crisis_ops = {
    .name = "crisis",
    .title = "Crisis events",
    .metric_titles = metric_titles,
    .driver = 1,
    .prepare = prepare,
    .start = start,
    .collect = collect,
    .docs = docs,
    .release = release,
};
