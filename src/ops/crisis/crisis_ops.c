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

/* Map layer "map.layer.sar-datums": one point per person_missing raise, where the
 * crisis reports persons missing, valued by the probability that its event occurred.
 * The crisis owns it, not SAR: the datums exist whether or not a search is planned. */
static int datums_layer(const ops_results *r, strbuf *b) {
  const scn_scenario *sc = r->sc;
  char id[256], metric[256], name[512];
  int nfeat = 0;
  /* Before any run (a preview) the datums are where the crisis can report persons
   * missing, with no probability yet. */
  if (r->n == 0)
    strbuf_put(b, "{\"title\":\"SAR datums: where persons can be reported missing\","
               "\"features\":[");
  else
    strbuf_put(b, "{\"title\":\"SAR datums: P(persons missing)\",\"properties\":{"
               "\"value\":\"probability that the event reporting the persons missing "
               "occurred (mean of crisis.<event>.occurred)\"},\"features\":[");
  for (size_t e = 0; e < sc->nevent; e++) {
    const scn_event *ev = &sc->event[e];
    for (size_t k = 0; k < ev->nraise; k++) {
      const scn_raise *ra = &ev->raise[k];
      if (ra->signal != SIG_PERSON_MISSING) continue;
      snprintf(metric, sizeof metric, "%s.occurred", ev->id);
      snprintf(id, sizeof id, "%s.%zu", ev->id, k);
      snprintf(name, sizeof name, "%s: %d %s missing", ev->name && *ev->name ? ev->name : ev->id,
               ra->count, scn_object_name((scn_object)ra->object));
      ops_feature(b, nfeat++ == 0, "sar-datum", id, name, ops_mean(r, "crisis", metric));
      strbuf_put(b, ",\"event\":");
      strbuf_json_str(b, ev->id);
      strbuf_printf(b, ",\"count\":%d", ra->count);
      strbuf_printf(b, "},\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]}}", ra->lon,
                 ra->lat);
    }
  }
  strbuf_put(b, "]}");
  return nfeat;
}

static int docs(const void *model, const ops_results *r, strbuf *b, const ops_doc_sink *sink) {
  (void)model;
  if (datums_layer(r, b) == 0) return 0; /* an empty layer is not written */
  return b->failed ? ERR_NOMEM : sink->put(sink->ctx, "map.layer.sar-datums", b->s);
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
