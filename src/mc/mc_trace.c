/* mc_trace.c - a replication re-simulated with its timeline (mc_trace.h).
 *
 * The models are prepared, started, run and collected exactly as mc.c's
 * run_replication does; a listener on every signal type only reads, so tracing
 * cannot change a number.  Signal lines are formatted on the stack and go straight to
 * the sink: nothing is allocated while the replication runs. */
#include "mc_trace.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "err.h"
#include "jdoc.h"
#include "jdoc.h"
#include "plan.h"
#include "scn_plan.h"
#include "sim.h"

struct story;

typedef struct tracer {
  const scn_scenario *sc;
  const plan_authorities *auth;
  const ops_trace *sink;
  unsigned char *task_started; /* [ntask]: 1 once a task has started (then it resumes) */
  struct story *story;         /* mc_trace_story's timeline, or NULL */
} tracer;

static void story_signal(struct story *st, double t, const char *module, const char *text,
                         const sim_signal *g, const scn_scenario *sc);

static const char *event_id(const scn_scenario *sc, int e) {
  return e >= 0 && (size_t)e < sc->nevent ? sc->event[e].id : "?";
}

static const char *place_or_region(const scn_scenario *sc, const sim_signal *g) {
  if (g->type == SIG_SITE_STATUS)
    return g->place >= 0 && (size_t)g->place < sc->nplace ? sc->place[g->place].id : "?";
  return g->region >= 0 && (size_t)g->region < sc->nregion ? sc->region[g->region].id : "?";
}

/* " (raised by 'blockade')" when a crisis event raised it. */
static void cause(char *dst, size_t size, const scn_scenario *sc, const sim_signal *g) {
  if (g->source >= 0 && g->type != SIG_EVENT_OCCURRED)
    snprintf(dst, size, " (raised by '%s')", event_id(sc, g->source));
  else
    dst[0] = '\0';
}

static const char *task_line(tracer *tr, const sim_signal *g, char *buf, size_t size) {
  const scn_plan *pl = tr->sc->plan;
  const char *id = pl && g->task >= 0 && (size_t)g->task < pl->ntask ? pl->task[g->task].id : "?";
  const char *what = "stopped (paused, withdrawn, done or cancelled)";
  if (g->open) {
    int again = tr->task_started && g->task >= 0 && tr->task_started[g->task];
    what = again ? "resumed" : "started";
    if (tr->task_started && g->task >= 0) tr->task_started[g->task] = 1;
  }
  snprintf(buf, size, "task '%s' %s", id, what);
  return "plan";
}

/* The signal as one line; the module that speaks for it, or NULL for no line. */
static const char *signal_line(tracer *tr, const sim_signal *g, char *buf, size_t size) {
  const scn_scenario *sc = tr->sc;
  const scn_plan *pl = sc->plan;
  char why[160];
  cause(why, sizeof why, sc, g);
  switch (g->type) {
  case SIG_EVENT_OCCURRED: {
    const scn_event *e =
        g->event >= 0 && (size_t)g->event < sc->nevent ? &sc->event[g->event] : NULL;
    snprintf(buf, size, "event '%s' occurred%s%s%s", event_id(sc, g->event),
             e && e->name && *e->name ? ": " : "", e && e->name ? e->name : "",
             e && e->parent >= 0 ? " (a branch)" : "");
    return "crisis";
  }
  case SIG_SITUATION_CHANGED:
    snprintf(buf, size, "situation now '%s'%s", scn_situation_name((scn_situation)g->situation),
             why);
    return "plan";
  case SIG_SITE_STATUS:
    snprintf(buf, size, "site '%s' %s%s", place_or_region(sc, g), g->open ? "reopened" : "closed",
             why);
    return "crisis";
  case SIG_REGION_STATUS:
    snprintf(buf, size, "region '%s' %s%s", place_or_region(sc, g), g->open ? "quiet" : "active",
             why);
    return "crisis";
  case SIG_PERSON_MISSING:
    snprintf(buf, size, "%d person%s missing (%s) at %.4f, %.4f%s", g->count,
             g->count == 1 ? "" : "s", scn_object_name((scn_object)g->object), g->lat, g->lon, why);
    return "crisis";
  case SIG_GATE_OPENED:
    snprintf(buf, size, "gate '%s' %s%s%s", plan_gate_id(tr->auth, g->gate),
             g->open ? "opened" : "closed", g->situation >= 0 ? " for " : "",
             g->situation >= 0 ? scn_situation_name((scn_situation)g->situation) : "");
    return "plan";
  case SIG_PHASE_BEGAN:
    snprintf(buf, size, "phase '%s' began",
             pl && g->phase >= 0 && (size_t)g->phase < pl->nphase ? pl->phase[g->phase].id : "?");
    return "plan";
  case SIG_TASK_STATUS:
    return task_line(tr, g, buf, size);
  case SIG_DECISION: {
    const char *id = pl && g->decision >= 0 && (size_t)g->decision < pl->ndecision
                         ? pl->decision[g->decision].id
                         : NULL;
    /* A step no task or gate waits on has no line here: the coordination model
     * writes its own, naming it (the runner knows no mission's section). */
    if (!id) return NULL;
    snprintf(buf, size, "decision '%s' %s", id, g->open ? "approved" : "refused for good");
    return "coordination";
  }
  case SIG__COUNT:
    break;
  }
  snprintf(buf, size, "signal %d", (int)g->type);
  return "sim";
}

static void on_signal(sim *s, const sim_signal *g, void *ctx) {
  tracer *tr = ctx;
  char line[320];
  const char *module = signal_line(tr, g, line, sizeof line);
  if (!module) return;
  if (tr->story) /* the story sorts signals into bars and points itself */
    story_signal(tr->story, sim_now(s), module, line, g, tr->sc);
  else
    tr->sink->line(tr->sink->ctx, sim_now(s), module, line);
}

/* ---- the replication ---------------------------------------------------------------- */

static void release(void **model, size_t n) {
  const ops_module *const *reg = ops_registry(&n);
  for (size_t m = 0; m < n; m++)
    if (model[m]) reg[m]->release(model[m]);
}

static int prepare(void **model, metric_set *ms, const scn_scenario *sc, const ops_context *ctx,
                   diag *d) {
  size_t n;
  const ops_module *const *reg = ops_registry(&n);
  for (size_t m = 0; m < n; m++) {
    int err = reg[m]->prepare(&model[m], sc, ctx, ms, d);
    if (err) return err;
  }
  return 0;
}

/* Start, listen, run to the horizon and collect, as mc.c's run_replication. */
static int run_one(void **model, sim *sm, arena *a, metric_out *out, const scn_scenario *sc,
                   const ops_rep *r, tracer *tr, diag *d) {
  size_t n;
  const ops_module *const *reg = ops_registry(&n);
  void *state[OPS_MAX_MODULES] = {NULL};
  for (size_t m = 0; m < n; m++)
    if (model[m] && reg[m]->start && !(state[m] = reg[m]->start(model[m], sm, a, out, r))) {
      diag_report(d, DIAG_ERROR, NULL, 0, 0, "module '%s' could not start", reg[m]->name);
      return ERR_LIMIT;
    }
  /* After the models: the listener hears each signal after they acted on it. */
  for (int t = 0; t < SIG__COUNT; t++)
    if (sim_subscribe(sm, (sim_signal_type)t, on_signal, tr)) return ERR_LIMIT;
  int err = sim_run(sm, sc->horizon);
  if (err) {
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "the simulation stopped at t = %.17g s: %s", sim_now(sm),
                err_strerror(err));
    return err;
  }
  for (size_t m = 0; m < n; m++)
    if (state[m] && reg[m]->collect) reg[m]->collect(state[m], sm, out);
  return sim_error(sm);
}

static int trace(const scn_scenario *sc, const plan_authorities *auth, uint32_t rep,
                 const ops_trace *sink, struct story *story, metric_set *ms, double **values,
                 diag *d) {
  void *model[OPS_MAX_MODULES] = {NULL};
  ops_context ctx = {auth};
  size_t ntask = sc->plan ? sc->plan->ntask : 0;
  tracer tr = {sc, auth, sink, calloc(ntask + 1, 1), story};
  sim *sm = sim_new();
  arena a;
  metric_out out;
  *values = NULL;
  metric_set_init(ms);
  arena_init(&a, ARENA_DEFAULT_CAP);
  int err = sm && tr.task_started ? prepare(model, ms, sc, &ctx, d) : ERR_NOMEM;
  if (!err) err = metric_out_init(&out, ms, &a);
  ops_rep r = {.seed = sc->seed, .index = rep, .trace = sink};
  if (!err) err = run_one(model, sm, &a, &out, sc, &r, &tr, d);
  if (!err && !(*values = malloc((ms->n ? ms->n : 1) * sizeof **values))) err = ERR_NOMEM;
  if (!err) memcpy(*values, out.value, ms->n * sizeof **values);
  release(model, 0);
  arena_release(&a);
  sim_free(sm);
  free(tr.task_started);
  return err;
}

int mc_trace_replication(const scn_scenario *sc, const plan_authorities *auth, uint32_t rep,
                         const ops_trace *sink, metric_set *ms, double **values, diag *d) {
  return trace(sc, auth, rep, sink, NULL, ms, values, d);
}

/* ---- the story as a report section ------------------------------------------------- */

/* One timed entry: a point (an event, a decision, a voyage) on its module's row, or
 * the opening (a task starts, a site closes, a region turns active) or closing of a
 * bar on its own row.  Kept in a growing array: a traced replication is one run for
 * a report, not the event loop of a study. */
typedef struct story_item {
  double t;
  char row[96], text[240];
  int kind; /* 0 point, 1 a bar opens, 2 it closes */
} story_item;

typedef struct story {
  story_item *item;
  size_t n, cap;
  int failed;
} story;

static void story_add(story *st, double t, const char *row, const char *text, int kind) {
  if (st->failed) return;
  if (st->n == st->cap) {
    size_t cap = st->cap ? 2 * st->cap : 256;
    story_item *grown = realloc(st->item, cap * sizeof *grown);
    if (!grown) {
      st->failed = 1;
      return;
    }
    st->item = grown, st->cap = cap;
  }
  story_item *it = &st->item[st->n++];
  it->t = t, it->kind = kind;
  snprintf(it->row, sizeof it->row, "%s", row);
  snprintf(it->text, sizeof it->text, "%s", text);
}

/* A task's run, a site's closure, a region's activity are bars on their own rows;
 * everything else is a point on its module's row. */
static void story_signal(story *st, double t, const char *module, const char *text,
                         const sim_signal *g, const scn_scenario *sc) {
  char row[96];
  const scn_plan *pl = sc->plan;
  switch (g->type) {
  case SIG_TASK_STATUS:
    snprintf(row, sizeof row, "task %s",
             pl && g->task >= 0 && (size_t)g->task < pl->ntask ? pl->task[g->task].id : "?");
    story_add(st, t, row, text, g->open ? 1 : 2);
    return;
  case SIG_SITE_STATUS:
  case SIG_REGION_STATUS:
    snprintf(row, sizeof row, "%s %s", g->type == SIG_SITE_STATUS ? "closed" : "active",
             place_or_region(sc, g));
    story_add(st, t, row, text, g->open ? 2 : 1);
    return;
  default:
    story_add(st, t, module, text, 0);
  }
}

static void story_line(void *ctx, double t, const char *module, const char *text) {
  story_add(ctx, t, module, text, 0);
}

/* One entry of the chart's data: its row, its time t (s; in days) under key, its end
 * t1 unless NaN (a bar's), its text. */
static json_t *story_entry(const char *row, const char *key, double t, double t1,
                           const char *text) {
  json_t *e = json_object();
  jdoc_set(e, "row", jdoc_str(row));
  jdoc_set(e, key, jdoc_num(t / 86400));
  if (!isnan(t1)) jdoc_set(e, "t1", jdoc_num(t1 / 86400));
  jdoc_set(e, "text", jdoc_str(text));
  return e;
}

/* The bars: each opening to the next closing on its row, or to the horizon. */
static json_t *story_bars(const story *st, double horizon) {
  json_t *bars = json_array();
  for (size_t i = 0; i < st->n; i++) {
    const story_item *it = &st->item[i];
    if (it->kind != 1) continue;
    double end = horizon;
    const char *how = "to the horizon";
    for (size_t j = i + 1; j < st->n; j++)
      if (strcmp(st->item[j].row, it->row) == 0 && st->item[j].kind) {
        if (st->item[j].kind == 2)
          end = st->item[j].t, how = st->item[j].text;
        else
          continue; /* opened again while open: the first opening holds */
        break;
      }
    char text[512];
    snprintf(text, sizeof text, "%s; then %s", it->text, how);
    jdoc_push(bars, story_entry(it->row, "t0", it->t, end, text));
  }
  return bars;
}

static json_t *story_points(const story *st) {
  json_t *points = json_array();
  for (size_t i = 0; i < st->n; i++) {
    const story_item *it = &st->item[i];
    if (!it->kind) jdoc_push(points, story_entry(it->row, "t", it->t, NAN, it->text));
  }
  return points;
}

/* Rows in the order they first appear. */
static json_t *story_rows(const story *st) {
  json_t *rows = json_array();
  for (size_t i = 0; i < st->n; i++) {
    size_t j = 0;
    while (j < i && strcmp(st->item[j].row, st->item[i].row) != 0) j++;
    if (j == i) jdoc_push(rows, jdoc_str(st->item[i].row));
  }
  return rows;
}

/* The Gantt chart; the markers ("@bars") are what the replication filled in. */
static const char story_vega[] =
    "{\"$schema\":\"https://vega.github.io/schema/vega/v5.json\","
    "\"width\":900,\"height\":\"@height\",\"padding\":5,"
    "\"data\":[{\"name\":\"bars\",\"values\":\"@bars\"},"
    "{\"name\":\"points\",\"values\":\"@points\"}],"
    "\"scales\":[{\"name\":\"x\",\"type\":\"linear\",\"range\":\"width\","
    "\"domain\":[0,\"@horizon\"],\"zero\":true},"
    "{\"name\":\"y\",\"type\":\"band\",\"range\":\"height\",\"padding\":0.2,"
    "\"domain\":\"@rows\"},"
    "{\"name\":\"c\",\"type\":\"ordinal\",\"range\":\"category\"}],"
    "\"axes\":[{\"orient\":\"bottom\",\"scale\":\"x\",\"title\":\"days from the "
    "epoch\"},{\"orient\":\"left\",\"scale\":\"y\",\"labelLimit\":220}],"
    "\"marks\":[{\"type\":\"rect\",\"from\":{\"data\":\"bars\"},\"encode\":"
    "{\"enter\":{\"x\":{\"scale\":\"x\",\"field\":\"t0\"},\"x2\":{\"scale\":"
    "\"x\",\"field\":\"t1\"},\"y\":{\"scale\":\"y\",\"field\":\"row\"},"
    "\"height\":{\"scale\":\"y\",\"band\":1},\"fill\":{\"scale\":\"c\","
    "\"field\":\"row\"},\"fillOpacity\":{\"value\":0.8},\"tooltip\":{\"field\":"
    "\"text\"}}}},{\"type\":\"symbol\",\"from\":{\"data\":\"points\"},\"encode\":"
    "{\"enter\":{\"x\":{\"scale\":\"x\",\"field\":\"t\"},\"y\":{\"scale\":"
    "\"y\",\"field\":\"row\",\"band\":0.5},\"size\":{\"value\":40},\"shape\":"
    "{\"value\":\"diamond\"},\"fill\":{\"value\":\"#333\"},\"tooltip\":{\"field\":"
    "\"text\"}}}}]}";

static json_t *story_doc(const story *st, const scn_scenario *sc, uint32_t rep,
                         const char *why) {
  char title[256], text[512];
  snprintf(title, sizeof title, "One replication's story: replication %u%s%s", (unsigned)rep,
           why && *why ? ", " : "", why ? why : "");
  snprintf(text, sizeof text,
           "Replication %u re-simulated from its seed with every model; its metrics equal "
           "the stored ones bit for bit.  Bars: a task running, a place closed, a region "
           "active; points: events, decisions, voyages (hover for each line).  The whole "
           "timeline: straits trace STORE --replication %u.",
           (unsigned)rep, (unsigned)rep);
  json_t *rows = story_rows(st), *vega = jdoc_template(story_vega);
  jdoc_fill(vega, "@height", json_integer((json_int_t)(18 * json_array_size(rows) + 10)));
  jdoc_fill(vega, "@bars", story_bars(st, sc->horizon));
  jdoc_fill(vega, "@points", story_points(st));
  jdoc_fill(vega, "@horizon", jdoc_num(sc->horizon / 86400));
  jdoc_fill(vega, "@rows", rows);
  json_t *doc = json_object();
  jdoc_set(doc, "title", jdoc_str(title));
  jdoc_set(doc, "order", json_integer(5));
  jdoc_set(doc, "text", jdoc_str(text));
  jdoc_set(doc, "vega", vega);
  return doc;
}

int mc_trace_story(strbuf *b, const scn_scenario *sc, const plan_authorities *auth, uint32_t rep,
                   const char *why, metric_set *ms, double **values, diag *d) {
  story st = {NULL, 0, 0, 0};
  ops_trace sink = {&st, story_line};
  int err = trace(sc, auth, rep, &sink, &st, ms, values, d);
  if (!err && st.failed) err = ERR_NOMEM;
  if (!err && jdoc_dump(b, story_doc(&st, sc, rep, why))) err = ERR_NOMEM;
  free(st.item);
  return err;
}
