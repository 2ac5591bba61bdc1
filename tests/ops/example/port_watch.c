/* port_watch.c - the worked example of docs/hacking.md: a whole mission model in one
 * file, run by the registry like the shipped ones.
 *
 * `port_watch:` names ports; per replication the model listens to the kernel's site
 * signals (SIG_SITE_STATUS, raised by the crisis) and measures how long each watched
 * port was closed before the horizon: metric port_watch.closed_time.<port> (s), and
 * port_watch.closures (how many closures began).  Its docs hook draws the watched
 * ports on the theater map, valued by the mean closed time.  The crisis model counts
 * the same closed time (crisis.<place>.closed_time), so the test can hold the two
 * against each other. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "err.h"
#include "ops.h"
#include "scn_section.h"

/* ---- the section: `port_watch: {ports: [id, ...]}` --------------------------------- */

typedef struct pw_section {
  size_t n;
  int *port; /* [n] place indices */
} pw_section;

static void *load(scn__ctx *c, const scn__node *m) {
  static const char *const keys[] = {"ports", NULL};
  if (!scn__expect_map(c, m, "port_watch")) return NULL;
  scn__check_keys(c, m, "port_watch", keys);
  const scn__node *ports = scn__need(c, m, "ports", "port_watch");
  if (!ports || !scn__expect_seq(c, ports, "ports")) return NULL;
  pw_section *s = scn__alloc(c, c->mem, sizeof *s);
  if (!s || !(s->port = scn__alloc(c, c->mem, (ports->n ? ports->n : 1) * sizeof *s->port)))
    return NULL;
  for (size_t i = 0; i < ports->n; i++) {
    int p = scn__ids_resolve(c, &c->places, ports->item[i]); /* located "did you mean" */
    if (p >= 0) s->port[s->n++] = p;
  }
  return s;
}

static const scn_section section = {"port_watch", load, NULL};

/* ---- the model ----------------------------------------------------------------------- */

typedef struct pw_model {
  const scn_scenario *sc;
  const pw_section *s;
  int closed_time; /* metric index of the first port's closed_time; the others follow */
  int closures;
} pw_model;

static int prepare(void **model, const scn_scenario *sc, const ops_context *ctx,
                   metric_set *ms, diag *d) {
  (void)ctx, (void)d;
  *model = NULL;
  const pw_section *s = scn_section_of(sc, "port_watch");
  if (!s) return 0; /* no section: the model does not run */
  pw_model *m = calloc(1, sizeof *m); /* per run: allocation is fine here, not per event */
  if (!m) return ERR_NOMEM;
  m->sc = sc, m->s = s;
  *model = m; /* released by the runner, also when a metric below fails */
  char name[256];
  for (size_t i = 0; i < s->n; i++) {
    snprintf(name, sizeof name, "closed_time.%s", sc->place[s->port[i]].id);
    int k = metric_define(ms, "port_watch", name, "s", METRIC_LOWER_BETTER,
                          "time the port was closed before the horizon");
    if (k < 0) return k;
    if (i == 0) m->closed_time = k;
  }
  m->closures = metric_define(ms, "port_watch", "closures", "1", 0, "closures of watched ports");
  return m->closures < 0 ? m->closures : 0;
}

/* A replication's state: when each watched port closed (NaN: open), and the sums. */
typedef struct pw_run {
  const pw_model *m;
  double *since, *closed;
  int closures;
} pw_run;

static void on_site(sim *s, const sim_signal *sig, void *ctx) {
  pw_run *r = ctx;
  for (size_t i = 0; i < r->m->s->n; i++) {
    if (r->m->s->port[i] != sig->place) continue;
    if (!sig->open && isnan(r->since[i])) r->since[i] = sim_now(s), r->closures++;
    if (sig->open && !isnan(r->since[i])) r->closed[i] += sim_now(s) - r->since[i], r->since[i] = NAN;
  }
}

static void *start(const void *model, sim *s, arena *a, metric_out *out, const ops_rep *rep) {
  (void)out, (void)rep;
  const pw_model *m = model;
  pw_run *r = arena_alloc(a, sizeof *r);
  size_t n = m->s->n ? m->s->n : 1;
  if (!r || !(r->since = arena_alloc(a, n * sizeof *r->since)) ||
      !(r->closed = arena_alloc(a, n * sizeof *r->closed)))
    return NULL;
  r->m = m, r->closures = 0;
  for (size_t i = 0; i < m->s->n; i++) r->since[i] = NAN, r->closed[i] = 0;
  return sim_subscribe(s, SIG_SITE_STATUS, on_site, r) == 0 ? r : NULL;
}

/* A port still closed at the horizon counts up to the horizon. */
static void collect(void *state, sim *s, metric_out *out) {
  pw_run *r = state;
  for (size_t i = 0; i < r->m->s->n; i++)
    out->value[r->m->closed_time + (int)i] =
        r->closed[i] + (isnan(r->since[i]) ? 0 : sim_now(s) - r->since[i]);
  out->value[r->m->closures] = r->closures;
}

/* "map.layer.port-watch": the watched ports, valued by their mean closed time (h). */
static int docs(const void *model, const ops_results *r, strbuf *b, const ops_doc_sink *sink) {
  const pw_model *m = model;
  char name[256];
  json_t *features = json_array();
  for (size_t i = 0; i < m->s->n; i++) {
    const scn_place *p = &r->sc->place[m->s->port[i]];
    snprintf(name, sizeof name, "closed_time.%s", p->id);
    json_t *f = ops_feature_json("port-watch", p->id, p->name,
                                 ops_mean(r, "port_watch", name) / 3600);
    jdoc_set(f, "geometry", jdoc_geometry("Point", jdoc_position(p->lon, p->lat)));
    jdoc_push(features, f);
  }
  json_t *layer = ops_layer_json("watched ports: mean hours closed", NULL);
  jdoc_set(layer, "features", features);
  return ops_doc_put(sink, b, "map.layer.port-watch", layer);
}

static void release(void *model) { free(model); }

const ops_module port_watch_ops = {
    .name = "port_watch",
    .title = "Watched ports (the worked example of docs/hacking.md)",
    .section = &section,
    .prepare = prepare,
    .start = start,
    .collect = collect,
    .docs = docs,
    .release = release,
};
