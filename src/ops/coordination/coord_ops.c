/* coord_ops.c - the coordination model's descriptor (ops.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coordination.h"
#include "err.h"
#include "ops.h"
#include "plan.h"
#include "scn_coordination.h"
#include "scn_plan.h"
#include "stats.h"

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

/* ---- straits check and straits plan: steps that can never be approved --------------------- */

static void check_step(const scn_scenario *sc, const scn_coordination *co, size_t i,
                       const plan_report *rep, const plan_authorities *table, diag *d) {
  const scn_co_step *st = &co->step[i];
  if (st->situations) {
    int any = 0;
    for (int s = 0; s < SCN_SIT__COUNT && !any; s++)
      any = ((st->situations >> s) & 1) && plan_report_situation_can(rep, s);
    if (!any) {
      char names[256] = "";
      int n = 0;
      for (int s = 0; s < SCN_SIT__COUNT; s++)
        if ((st->situations >> s) & 1)
          snprintf(names + strlen(names), sizeof names - strlen(names), "%s'%s'", n++ ? " or " : "",
                   scn_situation_name((scn_situation)s));
      diag_report(d, DIAG_WARNING, st->situation_loc.file, st->situation_loc.line,
                  st->situation_loc.col,
                  "decision step '%s' needs the situation %s, which nothing in the scenario "
                  "can bring about: it is never submitted, and what waits on it never starts",
                  st->id, names);
    }
  }
  for (size_t k = 0; k < st->ngate; k++) {
    int g = plan_authorities_find(table, PLAN_GATES, st->gate[k].id);
    if (g >= 0 && !plan_report_gate_can_open(rep, g))
      diag_report(d, DIAG_WARNING, st->gate[k].loc.file, st->gate[k].loc.line, st->gate[k].loc.col,
                  "decision step '%s' needs gate '%s', which nothing in the scenario can open: "
                  "it is never submitted", st->id, st->gate[k].id);
  }
  if (st->on_task >= 0 && !plan_report_task_can_start(rep, st->on_task))
    diag_report(d, DIAG_WARNING, st->on_task_loc.file, st->on_task_loc.line, st->on_task_loc.col,
                "decision step '%s' is raised by task '%s', which cannot start (the plan check "
                "says why): the step is never raised", st->id,
                sc->plan->task[st->on_task].id);
}

/* What the plan's static analysis says cannot happen, against what each step needs of
 * it; `after:` cycles are the loader's errors.  Warnings: such a scenario runs, and the
 * step is simply never approved. */
static int check(const scn_scenario *sc, const ops_context *ctx, diag *d) {
  const scn_coordination *co = scn_section_of(sc, "coordination");
  if (!co || !plan_scenario_uses(sc)) return 0;
  plan_authorities *own = NULL;
  plan_model *pm = NULL;
  plan_report *rep = NULL;
  diag *quiet = diag_new(); /* the plan's own problems are the plan's to report */
  const plan_authorities *table = ctx->authorities;
  int err = quiet ? 0 : ERR_NOMEM;
  if (!err && !table &&
      !(err = plan_authorities_load(&own, plan_authorities_default_path(), quiet)))
    table = own;
  if (!err) err = plan_model_new(&pm, sc, table, NULL, quiet);
  plan_check_options opt = {0, NULL, NULL};
  if (!err) err = plan_check(&rep, pm, &opt);
  for (size_t i = 0; !err && i < co->nstep; i++) check_step(sc, co, i, rep, table, d);
  plan_report_free(rep);
  plan_model_free(pm);
  plan_authorities_free(own);
  diag_free(quiet);
  return err == ERR_NOMEM ? err : 0;
}

static void *start(const void *model, sim *s, arena *a, metric_out *out, const ops_rep *r) {
  return coord_start(((const coord_ops_model *)model)->model, s, a, out, r->seed, r->index,
                     r->trace);
}

static void collect(void *state, sim *s, metric_out *out) { coord_collect(state, s, out); }

/* ---- the report: what holds each task back ---------------------------------------------- */

typedef struct crit_row {
  int task;                  /* plan task index */
  const char *link;          /* the metric name's last part */
  double share, lo, hi;      /* of the replications where the task started; Wilson 95% */
  double delay;              /* s: mean delay it added where it was critical, NaN if never */
  size_t n;
} crit_row;

/* Rows of one task's links, most often critical first. */
static void sort_rows(crit_row *row, size_t n) {
  for (size_t i = 1; i < n; i++) {
    crit_row x = row[i];
    size_t j = i;
    while (j > 0 && (row[j - 1].task > x.task ||
                     (row[j - 1].task == x.task && row[j - 1].share < x.share)))
      row[j] = row[j - 1], j--;
    row[j] = x;
  }
}

/* What collect_rows reads, sized for every link of the plan (cap): the links' metrics
 * (task by task) and then their tasks' critical_delay, which of those each link's task
 * has, and per link the delay it added summed over the replications where it held
 * last. */
typedef struct crit_work {
  int *metric;       /* [2 cap]: nlink links, then ndelay delays */
  size_t *delay;     /* [cap]: link c's delay is metric[nlink + delay[c]] */
  stats_kind *kind;  /* [cap]: STATS_BINARY */
  stats_summary *st; /* [cap] */
  double *sum;       /* [cap] */
  size_t *k;         /* [cap] */
  size_t nlink, ndelay;
} crit_work;

static int crit_work_init(crit_work *w, size_t cap) {
  w->metric = malloc(2 * cap * sizeof *w->metric);
  w->delay = malloc(cap * sizeof *w->delay);
  w->kind = malloc(cap * sizeof *w->kind);
  w->st = malloc(cap * sizeof *w->st);
  w->sum = calloc(cap, sizeof *w->sum);
  w->k = calloc(cap, sizeof *w->k);
  for (size_t c = 0; w->kind && c < cap; c++) w->kind[c] = STATS_BINARY;
  return w->metric && w->delay && w->kind && w->st && w->sum && w->k ? 0 : ERR_NOMEM;
}

static void crit_work_release(crit_work *w) {
  free(w->metric), free(w->delay), free(w->kind), free(w->st), free(w->sum), free(w->k);
}

/* One replication (ops_rows): v[c] link c's indicator, v[nlink + d] delay d. */
static int add_delay(void *fctx, size_t rep, const double *v) {
  crit_work *w = fctx;
  (void)rep;
  for (size_t c = 0; c < w->nlink; c++) {
    double dv = v[w->nlink + w->delay[c]];
    if (v[c] == 1 && !isnan(dv)) w->sum[c] += dv, w->k[c]++;
  }
  return 0;
}

/* Task t's links as rows and metrics after those gathered, its critical_delay into
 * delay_metric; none when it has no delay metric. */
static void task_links(const ops_results *r, int t, crit_work *w, int *delay_metric,
                       crit_row *row) {
  const char *id = r->sc->plan->task[t].id;
  char prefix[300], name[300];
  snprintf(prefix, sizeof prefix, "task.%s.critical.", id);
  snprintf(name, sizeof name, "task.%s.critical_delay", id);
  int md = metric_find(r->ms, "plan", name);
  size_t before = w->nlink;
  if (md < 0) return;
  for (size_t m = 0; m < r->ms->n; m++) {
    const metric_def *def = &r->ms->def[m];
    if (strcmp(def->module, "plan") || strncmp(def->name, prefix, strlen(prefix))) continue;
    row[w->nlink] = (crit_row){t, def->name + strlen(prefix), NAN, NAN, NAN, NAN, 0};
    w->metric[w->nlink] = (int)m;
    w->delay[w->nlink++] = w->ndelay;
  }
  if (w->nlink > before) delay_metric[w->ndelay++] = md;
}

/* Every link's share (its summary) and mean delay, in two reads of the columns of all
 * tasks' links a chunk at a time. */
static int link_stats(const ops_results *r, crit_work *w, crit_row *row) {
  int err = ops_summarize(w->st, r, w->metric, w->nlink, w->kind);
  if (!err) err = ops_rows(r, w->metric, w->nlink + w->ndelay, add_delay, w);
  for (size_t c = 0; c < w->nlink && !err; c++) {
    const stats_summary *st = &w->st[c];
    row[c].share = st->mean, row[c].lo = st->ci_lo, row[c].hi = st->ci_hi, row[c].n = st->n;
    row[c].delay = w->k[c] ? w->sum[c] / w->k[c] : NAN;
  }
  return err;
}

static int collect_rows(const ops_results *r, crit_row *row, size_t *nrow, size_t cap) {
  const scn_plan *p = r->sc->plan;
  crit_work w = {0};
  int err = crit_work_init(&w, cap);
  int *delay_metric = err ? NULL : w.metric + cap; /* moved after the links below */
  for (size_t t = 0; p && t < p->ntask && !err; t++)
    if (p->task[t].ndecision) task_links(r, (int)t, &w, delay_metric, row);
  if (!err && w.nlink) {
    memmove(w.metric + w.nlink, delay_metric, w.ndelay * sizeof *w.metric);
    err = link_stats(r, &w, row);
  }
  *nrow = err ? 0 : w.nlink;
  crit_work_release(&w);
  if (!err) sort_rows(row, *nrow);
  return err;
}

/* The bar chart of critical_doc, a Vega spec whose height and rows (data "c") are set
 * per run: a constant, so it is read as JSON rather than built member by member. */
static const char critical_vega[] =
    "{\"width\":420,\"height\":\"@height\",\"padding\":5,\"data\":[{\"name\":\"c\",\"values\":\"@values\"}],"
    "\"scales\":[{\"name\":\"y\",\"type\":\"band\",\"range\":\"height\",\"padding\":0.2,"
    "\"domain\":{\"data\":\"c\",\"field\":\"label\",\"sort\":{\"field\":\"row\",\"op\":\"min\"}}},"
    "{\"name\":\"x\",\"type\":\"linear\",\"range\":\"width\",\"domain\":[0,1]},"
    "{\"name\":\"color\",\"type\":\"ordinal\",\"scheme\":\"tableau10\","
    "\"domain\":{\"data\":\"c\",\"field\":\"task\"}}],"
    "\"axes\":[{\"orient\":\"bottom\",\"scale\":\"x\",\"format\":\"%\","
    "\"title\":\"share of replications in which the link held last\"},"
    "{\"orient\":\"left\",\"scale\":\"y\"}],"
    "\"marks\":[{\"type\":\"rect\",\"from\":{\"data\":\"c\"},\"encode\":{\"enter\":{"
    "\"y\":{\"scale\":\"y\",\"field\":\"label\"},\"height\":{\"scale\":\"y\",\"band\":1},"
    "\"x\":{\"scale\":\"x\",\"value\":0},\"x2\":{\"scale\":\"x\",\"field\":\"share\"},"
    "\"fill\":{\"scale\":\"color\",\"field\":\"task\"},"
    "\"tooltip\":{\"signal\":\"datum.label + ': ' + datum.note\"}}}},"
    "{\"type\":\"rule\",\"from\":{\"data\":\"c\"},\"encode\":{\"enter\":{"
    "\"y\":{\"scale\":\"y\",\"field\":\"label\",\"band\":0.5},"
    "\"x\":{\"scale\":\"x\",\"field\":\"lo\"},\"x2\":{\"scale\":\"x\",\"field\":\"hi\"},"
    "\"stroke\":{\"value\":\"#333\"}}}},"
    "{\"type\":\"text\",\"from\":{\"data\":\"c\"},\"encode\":{\"enter\":{"
    "\"y\":{\"scale\":\"y\",\"field\":\"label\",\"band\":0.5},"
    "\"x\":{\"scale\":\"x\",\"field\":\"hi\",\"offset\":4},\"baseline\":{\"value\":\"middle\"},"
    "\"fontSize\":{\"value\":10},\"text\":{\"field\":\"note\"}}}}]}";

/* Row i of the chart: one link of one task. */
static json_t *critical_row(const scn_plan *p, const crit_row *w, size_t i) {
  const scn_task *t = &p->task[w->task];
  char label[512], note[128];
  snprintf(label, sizeof label, "%s: %s", t->id, w->link);
  if (isnan(w->delay))
    snprintf(note, sizeof note, "%.0f%% [%.0f-%.0f%%], n %zu", 100 * w->share, 100 * w->lo,
             100 * w->hi, w->n);
  else
    snprintf(note, sizeof note, "%.0f%% [%.0f-%.0f%%], +%.1f h, n %zu", 100 * w->share,
             100 * w->lo, 100 * w->hi, w->delay / 3600, w->n);
  json_t *row = json_object();
  jdoc_set(row, "row", json_integer((json_int_t)i));
  jdoc_set(row, "label", jdoc_str(label));
  jdoc_set(row, "task", jdoc_str(t->id));
  jdoc_set(row, "link", jdoc_str(w->link));
  jdoc_set(row, "share", jdoc_num(w->share));
  jdoc_set(row, "lo", jdoc_num(w->lo));
  jdoc_set(row, "hi", jdoc_num(w->hi));
  jdoc_set(row, "delay_h", jdoc_num(isnan(w->delay) ? NAN : w->delay / 3600));
  jdoc_set(row, "note", jdoc_str(note));
  return row;
}

/* The chart of nrow rows: critical_vega (jdoc_template), 22 px a row. */
static json_t *critical_chart(const scn_plan *p, const crit_row *row, size_t nrow) {
  json_t *vega = jdoc_template(critical_vega), *values = json_array();
  for (size_t i = 0; i < nrow; i++) jdoc_push(values, critical_row(p, &row[i], i));
  jdoc_fill(vega, "@height", json_integer((json_int_t)(22 * nrow)));
  jdoc_fill(vega, "@values", values);
  return vega;
}

/* "report.section.coordination-critical": per task that waits on decisions, each link
 * of its critical path by the share of replications in which it held last (Wilson 95%
 * interval) and the mean delay it then added -- a ranked table drawn as bars. */
static int critical_doc(const ops_results *r, strbuf *b, const ops_doc_sink *sink) {
  size_t cap = 0;
  for (size_t m = 0; m < r->ms->n; m++)
    if (!strcmp(r->ms->def[m].module, "plan") && strstr(r->ms->def[m].name, ".critical.")) cap++;
  if (!cap || !r->n) return 0;
  crit_row *row = malloc(cap * sizeof *row);
  size_t nrow = 0;
  int err = row ? collect_rows(r, row, &nrow, cap) : ERR_NOMEM;
  if (err || !nrow) goto done;
  json_t *doc = json_object();
  jdoc_set(doc, "title", jdoc_str("What holds each task back"));
  jdoc_set(doc, "order", json_integer(40));
  jdoc_set(doc, "text",
           jdoc_str("For each task that waits on decisions of the coordination section, the "
                    "links of its critical path -- its start condition, its own gates, its "
                    "decisions -- ranked by the share of the replications (where it started) "
                    "in which that link held last, with the 95% Wilson interval, and the mean "
                    "delay the link then added over the one before it (docs/models.md section "
                    "12)."));
  jdoc_set(doc, "vega", critical_chart(r->sc->plan, row, nrow));
  err = ops_doc_put(sink, b, "report.section.coordination-critical", doc);
done:
  free(row);
  return err;
}

/* ---- the report: the decision timeline ---------------------------------------------------- */

/* Lanes by the nation of the body that decides (a step's `to`), in the chart's order. */
static const char *const lane_name[SCN_CO_NATION__COUNT] = {"US", "Japan", "bilateral"};
static const int lane_rank[SCN_CO_NATION__COUNT] = {0, 2, 1}; /* US, bilateral, Japan */

static json_t *timeline_step(const scn_coordination *co, size_t i, const stats_summary *st,
                             size_t n) {
  const scn_co_step *s = &co->step[i];
  const scn_co_body *to = &co->body[s->to], *from = &co->body[s->from];
  json_t *step = json_object();
  jdoc_set(step, "id", jdoc_str(s->id));
  jdoc_set(step, "name", jdoc_str(*s->name ? s->name : s->id));
  jdoc_set(step, "kind", jdoc_str(scn_co_kind_name((scn_co_kind)s->kind)));
  jdoc_set(step, "from", jdoc_str(*from->name ? from->name : from->id));
  jdoc_set(step, "to", jdoc_str(*to->name ? to->name : to->id));
  jdoc_set(step, "lane", jdoc_str(lane_name[to->nation]));
  jdoc_set(step, "lane_rank", json_integer(lane_rank[to->nation]));
  jdoc_set(step, "order", json_integer((json_int_t)i));
  jdoc_set(step, "approved_share", jdoc_num(n ? (double)st->n / (double)n : NAN));
  jdoc_set(step, "approved", json_integer((json_int_t)st->n));
  jdoc_set(step, "p5", jdoc_num(st->n ? st->p5 : NAN));
  jdoc_set(step, "p50", jdoc_num(st->n ? st->p50 : NAN));
  jdoc_set(step, "p95", jdoc_num(st->n ? st->p95 : NAN));
  return step;
}

/* Each decision step's approval time summarised into steps, in the steps' order: the
 * steps' columns summarised together, a chunk of replications at a time.  The times
 * are the clock's, never -0, so the stream's quantiles are stats_summarize's bits. */
static int timeline_steps(json_t *steps, const ops_results *r, const scn_coordination *co) {
  int *metric = malloc(co->nstep * sizeof *metric);
  size_t *step = malloc(co->nstep * sizeof *step), k = 0;
  stats_summary *st = malloc(co->nstep * sizeof *st);
  int err = metric && step && st ? 0 : ERR_NOMEM;
  for (size_t i = 0; i < co->nstep && !err; i++) {
    char name[320];
    snprintf(name, sizeof name, "step.%s.decided", co->step[i].id);
    int m = metric_find(r->ms, "coordination", name);
    if (m >= 0) metric[k] = m, step[k++] = i;
  }
  if (!err && k) err = ops_summarize(st, r, metric, k, NULL);
  for (size_t j = 0; j < k && !err; j++) jdoc_push(steps, timeline_step(co, step[j], &st[j], r->n));
  free(metric), free(step), free(st);
  return err;
}

/* "report.section.coordination-timeline": each decision step's approval time over the
 * replications where it was approved -- median and 5th-95th percentiles, s after the
 * epoch -- in the swimlane of the deciding body's nation; drawn by report.js
 * (timelineView), documented in docs/report.md. */
static int timeline_doc(const ops_results *r, strbuf *b, const ops_doc_sink *sink) {
  const scn_coordination *co = scn_section_of(r->sc, "coordination");
  if (!co || !co->nstep || !r->n) return 0;
  json_t *steps = json_array();
  int err = timeline_steps(steps, r, co);
  if (err) {
    json_decref(steps);
    return err;
  }
  json_t *doc = json_object(), *timeline = json_object();
  jdoc_set(doc, "title", jdoc_str("Decision timeline"));
  jdoc_set(doc, "order", json_integer(39));
  jdoc_set(doc, "text",
           jdoc_str("When each decision step of the coordination section was approved, in "
                    "the lane of the nation whose body decides it: the mark at the median over "
                    "the replications where it was approved, the bar from the 5th to the 95th "
                    "percentile; the share approved beside it (docs/models.md section 12)."));
  jdoc_set(timeline, "time_unit", jdoc_str("s"));
  jdoc_set(timeline, "horizon", jdoc_num(r->sc->horizon));
  jdoc_set(timeline, "replications", json_integer((json_int_t)r->n));
  jdoc_set(timeline, "steps", steps);
  jdoc_set(doc, "timeline", timeline);
  return ops_doc_put(sink, b, "report.section.coordination-timeline", doc);
}

static int docs(const void *model, const ops_results *r, strbuf *b, const ops_doc_sink *sink) {
  (void)model;
  int err = timeline_doc(r, b, sink);
  return err ? err : critical_doc(r, b, sink);
}

const ops_module coord_ops = {
    .name = "coordination",
    .title = "Bilateral coordination: requests, consultations and approvals",
    .section = &coord_section,
    .prepare = prepare,
    .start = start,
    .collect = collect,
    .check = check,
    .docs = docs,
    .release = release,
};
