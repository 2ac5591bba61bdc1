/* plan_json.c - the plan check's findings and the synchronization matrix as JSON, for
 * tools and for the report (docs/plan.md shows both shapes). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "jdoc.h"
#include "plan_internal.h"
#include "stats.h"

static const char *const severities[] = {"error", "warning", "note"};

/* Each document is a jansson tree (jdoc.h), dumped compact with a final newline (both
 * are printed as they are by straits check and straits plan); NULL if out of memory. */
static char *dump_text(json_t *doc) {
  strbuf b = STRBUF_INIT;
  if (jdoc_dump(&b, doc) == 0) strbuf_put(&b, "\n");
  if (b.failed) {
    free(b.s);
    return NULL;
  }
  return b.s;
}

/* Members file, line and col of l, added to o. */
static void add_loc(json_t *o, scn_loc l) {
  jdoc_set(o, "file", jdoc_str(l.file));
  jdoc_set(o, "line", json_integer(l.line));
  jdoc_set(o, "col", json_integer(l.col));
}

static const char *task_id(const plan_model *m, int t) { return t >= 0 ? m->p->task[t].id : NULL; }

static json_t *finding_branches(const plan_model *m, const plan_finding *f) {
  json_t *a = json_array();
  for (size_t i = 0; i < f->nbranch; i++) {
    json_t *o = json_object();
    jdoc_set(o, "event", jdoc_str(m->sc->event[f->branch[i].event].id));
    jdoc_set(o, "share", jdoc_num(f->branch[i].share));
    jdoc_push(a, o);
  }
  return a;
}

static json_t *finding_notes(const plan_finding *f) {
  json_t *a = json_array();
  for (size_t i = 0; i < f->nnote; i++) {
    json_t *o = json_object();
    add_loc(o, f->note[i].loc);
    jdoc_set(o, "message", jdoc_str(f->note[i].message));
    jdoc_push(a, o);
  }
  return a;
}

static json_t *json_finding(const plan_model *m, const plan_finding *f) {
  json_t *o = json_object();
  jdoc_set(o, "kind", jdoc_str(plan_finding_name(f->kind)));
  jdoc_set(o, "severity", jdoc_str(severities[f->severity]));
  add_loc(o, f->loc);
  jdoc_set(o, "message", jdoc_str(f->message));
  jdoc_set(o, "task", jdoc_str(task_id(m, f->task)));
  jdoc_set(o, "other_task", jdoc_str(task_id(m, f->other)));
  jdoc_set(o, "asset", jdoc_str(f->asset >= 0 ? m->sc->force[f->asset].id : NULL));
  jdoc_set(o, "gate", jdoc_str(f->gate >= 0 ? m->a->gate[f->gate].id : NULL));
  jdoc_set(o, "probability", jdoc_num(f->probability));
  jdoc_set(o, "branches", finding_branches(m, f));
  jdoc_set(o, "notes", finding_notes(f));
  return o;
}

/* A diagnostic of loading the scenario or the table, as a finding of kind "input". */
static json_t *json_input(const diag_entry *e) {
  json_t *o = json_object();
  scn_loc l = {e->file, e->line, e->col};
  jdoc_set(o, "kind", jdoc_str("input"));
  jdoc_set(o, "severity", jdoc_str(severities[e->severity]));
  add_loc(o, l);
  jdoc_set(o, "message", jdoc_str(e->message));
  return o;
}

char *plan_check_json(const plan_report *r, const char *scenario_path,
                      const char *authorities_path, const diag *d) {
  size_t errors = (d ? diag_count(d, DIAG_ERROR) : 0) + plan_report_severity_count(r, DIAG_ERROR);
  size_t warnings = (d ? diag_count(d, DIAG_WARNING) : 0) + plan_report_severity_count(r, DIAG_WARNING);
  json_t *doc = json_object(), *findings = json_array();
  jdoc_set(doc, "scenario", jdoc_str(scenario_path));
  jdoc_set(doc, "authorities", jdoc_str(authorities_path));
  jdoc_set(doc, "samples", json_integer(plan_report_samples(r)));
  jdoc_set(doc, "errors", json_integer((json_int_t)errors));
  jdoc_set(doc, "warnings", json_integer((json_int_t)warnings));
  for (size_t i = 0; d && i < diag_size(d); i++) jdoc_push(findings, json_input(diag_at(d, i)));
  for (size_t i = 0; i < plan_report_count(r); i++)
    jdoc_push(findings, json_finding(plan__report_model(r), plan_report_at(r, i)));
  jdoc_set(doc, "findings", findings);
  return dump_text(doc);
}

/* ---- the synchronization matrix --------------------------------------------------------- */

/* The quantiles of x[n], or null when none is finite. */
static json_t *json_times(const double *x, size_t n, double *scratch) {
  stats_summary s;
  stats_summarize(&s, x, n, STATS_REAL, scratch);
  if (!s.n) return json_null();
  json_t *o = json_object();
  jdoc_set(o, "n", json_integer((json_int_t)s.n));
  jdoc_set(o, "mean", jdoc_num(s.mean));
  jdoc_set(o, "min", jdoc_num(s.min));
  jdoc_set(o, "p5", jdoc_num(s.p5));
  jdoc_set(o, "p50", jdoc_num(s.p50));
  jdoc_set(o, "p95", jdoc_num(s.p95));
  jdoc_set(o, "max", jdoc_num(s.max));
  return o;
}

int plan_report_task_timing(const plan_report *r, int task, plan_timing *out) {
  const plan_model *m = plan__report_model(r);
  size_t n = (size_t)plan_report_samples(r);
  const double *start, *end, *phase_t;
  const int *ran, *phase_of;
  memset(out, 0, sizeof *out);
  if (task < 0 || (size_t)task >= m->p->ntask) return ERR_RANGE;
  plan__report_sampled(r, &start, &end, &phase_t, &ran, &phase_of);
  double *scratch = malloc((n ? n : 1) * sizeof *scratch);
  if (!scratch) return ERR_NOMEM;
  out->share = n ? (double)ran[task] / n : NAN;
  stats_summarize(&out->start, start + (size_t)task * n, n, STATS_REAL, scratch);
  stats_summarize(&out->end, end + (size_t)task * n, n, STATS_REAL, scratch);
  out->phase = phase_of[task];
  free(scratch);
  return 0;
}

int plan_report_phase_timing(const plan_report *r, int phase, plan_timing *out) {
  const plan_model *m = plan__report_model(r);
  size_t n = (size_t)plan_report_samples(r);
  const double *start, *end, *phase_t;
  const int *ran, *phase_of;
  memset(out, 0, sizeof *out);
  if (phase < 0 || (size_t)phase >= m->p->nphase) return ERR_RANGE;
  plan__report_sampled(r, &start, &end, &phase_t, &ran, &phase_of);
  double *scratch = malloc((n ? n : 1) * sizeof *scratch);
  if (!scratch) return ERR_NOMEM;
  stats_summarize(&out->start, phase_t + (size_t)phase * n, n, STATS_REAL, scratch);
  out->share = n ? (double)out->start.n / n : NAN;
  out->phase = phase;
  free(scratch);
  return 0;
}

typedef struct line {
  const char *nation;
  int activity;
} line;

static int line_of(const line *lines, size_t n, const char *nation, int activity) {
  for (size_t i = 0; i < n; i++)
    if (lines[i].activity == activity && !strcmp(lines[i].nation, nation)) return (int)i;
  return -1;
}

static json_t *line_id(const plan_model *m, const line *l) {
  char id[256];
  snprintf(id, sizeof id, "%s/%s", l->nation, m->a->act[l->activity].id);
  return jdoc_str(id);
}

/* What the sync matrix's parts read: the model, the sampled times and the lines. */
typedef struct sync_ctx {
  const plan_model *m;
  size_t n; /* samples */
  const double *start, *end, *phase_t;
  const int *ran, *phase_of;
  const line *lines;
  size_t nl;
  const int *task_line;
  double *scratch; /* [n] */
} sync_ctx;

static json_t *sync_scenario(const scn_scenario *sc) {
  json_t *o = json_object();
  jdoc_set(o, "name", jdoc_str(sc->name));
  jdoc_set(o, "path", jdoc_str(sc->path));
  jdoc_set(o, "hash", jdoc_str(sc->hash));
  /* json_int_t is signed 64-bit: a seed past it (the loader takes any uint64) is
   * written as a real, to 9 digits, rather than as a negative integer. */
  jdoc_set(o, "seed", sc->seed <= INT64_MAX ? json_integer((json_int_t)sc->seed)
                                            : jdoc_num((double)sc->seed));
  jdoc_set(o, "epoch", jdoc_str(sc->epoch));
  jdoc_set(o, "horizon", jdoc_num(sc->horizon));
  return o;
}

static json_t *sync_phases(const sync_ctx *c) {
  const scn_plan *p = c->m->p;
  size_t n = c->n;
  json_t *a = json_array();
  for (size_t q = 0; q < p->nphase; q++) {
    size_t began = 0;
    for (size_t k = 0; k < n; k++) began += !isnan(c->phase_t[q * n + k]);
    json_t *o = json_object();
    jdoc_set(o, "id", jdoc_str(p->phase[q].id));
    jdoc_set(o, "name", jdoc_str(p->phase[q].name));
    jdoc_set(o, "began_share", jdoc_num(n ? (double)began / n : NAN));
    jdoc_set(o, "began", json_times(c->phase_t + q * n, n, c->scratch));
    jdoc_push(a, o);
  }
  return a;
}

static json_t *sync_lines(const sync_ctx *c) {
  const plan_authorities *A = c->m->a;
  json_t *a = json_array();
  for (size_t l = 0; l < c->nl; l++) {
    json_t *o = json_object();
    jdoc_set(o, "id", line_id(c->m, &c->lines[l]));
    jdoc_set(o, "nation", jdoc_str(c->lines[l].nation));
    jdoc_set(o, "activity", jdoc_str(A->act[c->lines[l].activity].id));
    jdoc_set(o, "name", jdoc_str(A->act[c->lines[l].activity].name));
    jdoc_push(a, o);
  }
  return a;
}

static json_t *task_assets(const scn_scenario *sc, const scn_task *t) {
  json_t *a = json_array();
  for (size_t j = 0; j < t->nasset; j++) {
    json_t *o = json_object();
    jdoc_set(o, "force", jdoc_str(sc->force[t->asset[j].force].id));
    jdoc_set(o, "count", json_integer(t->asset[j].count));
    jdoc_push(a, o);
  }
  return a;
}

/* Where the law allows task i: each rule with its plain-language limits, for the report
 * to show beside the task (the check cannot test them). */
static json_t *task_authorities(const plan_model *m, size_t i) {
  const plan_authorities *A = m->a;
  json_t *a = json_array();
  for (size_t s = 0; m->task[i].law && s < A->nsit; s++) {
    int k = plan_rule_find(A, (int)s, m->task[i].activity);
    if (k < 0 || !A->rule[k].allowed || !((A->rule[k].areas >> m->task[i].area) & 1)) continue;
    const pl_rule *rule = &A->rule[k];
    json_t *o = json_object(), *limits = json_array();
    jdoc_set(o, "situation", jdoc_str(A->sit[s].id));
    jdoc_set(o, "rule", jdoc_str(rule->id));
    jdoc_set(o, "source", jdoc_str(rule->source));
    for (size_t q = 0; q < rule->nlimit; q++) jdoc_push(limits, jdoc_str(rule->limit[q]));
    jdoc_set(o, "limits", limits);
    jdoc_push(a, o);
  }
  return a;
}

static json_t *sync_task(const sync_ctx *c, size_t i) {
  const plan_model *m = c->m;
  const scn_plan *p = m->p;
  const scn_scenario *sc = m->sc;
  const scn_task *t = &p->task[i];
  size_t n = c->n;
  int ph = c->phase_of[i];
  json_t *o = json_object(), *loc = json_object();
  jdoc_set(o, "id", jdoc_str(t->id));
  jdoc_set(o, "name", jdoc_str(t->name));
  jdoc_set(o, "line", line_id(m, &c->lines[c->task_line[i]]));
  jdoc_set(o, "phase", jdoc_str(ph >= 0 ? p->phase[ph].id : NULL));
  jdoc_set(o, "phase_declared", json_boolean(t->phase >= 0));
  jdoc_set(o, "owner", jdoc_str(t->owner));
  jdoc_set(o, "activity", jdoc_str(m->a->act[m->task[i].activity].id));
  jdoc_set(o, "area", jdoc_str(t->place >= 0 ? sc->place[t->place].id : sc->region[t->region].id));
  jdoc_set(o, "legal_area", jdoc_str(m->a->area[m->task[i].area].id));
  jdoc_set(o, "priority", json_integer(t->priority));
  jdoc_set(o, "assets", task_assets(sc, t));
  jdoc_set(o, "authorities", task_authorities(m, i));
  jdoc_set(o, "ran_share", jdoc_num(n ? (double)c->ran[i] / n : NAN));
  jdoc_set(o, "start", json_times(c->start + i * n, n, c->scratch));
  jdoc_set(o, "end", json_times(c->end + i * n, n, c->scratch));
  add_loc(loc, t->loc);
  jdoc_set(o, "location", loc);
  return o;
}

/* The non-empty cells, phase by phase (none first), line by line. */
static json_t *sync_cells(const sync_ctx *c) {
  const scn_plan *p = c->m->p;
  size_t nt = p->ntask;
  json_t *a = json_array();
  for (int q = -1; q < (int)p->nphase; q++)
    for (size_t l = 0; l < c->nl; l++) {
      json_t *tasks = json_array();
      for (size_t i = 0; i < nt; i++)
        if (c->phase_of[i] == q && c->task_line[i] == (int)l) jdoc_push(tasks, jdoc_str(p->task[i].id));
      if (tasks && json_array_size(tasks) == 0) {
        json_decref(tasks);
        continue;
      }
      json_t *o = json_object();
      jdoc_set(o, "phase", jdoc_str(q >= 0 ? p->phase[q].id : NULL));
      jdoc_set(o, "line", line_id(c->m, &c->lines[l]));
      jdoc_set(o, "tasks", tasks);
      jdoc_push(a, o);
    }
  return a;
}

char *plan_sync_json(const plan_report *r) {
  const plan_model *m = plan__report_model(r);
  const scn_plan *p = m->p;
  const plan_authorities *a = m->a;
  size_t nt = p->ntask, n = (size_t)plan_report_samples(r);
  sync_ctx c = {.m = m, .n = n};
  plan__report_sampled(r, &c.start, &c.end, &c.phase_t, &c.ran, &c.phase_of);
  double *scratch = malloc((n ? n : 1) * sizeof *scratch);
  line *lines = malloc((nt ? nt : 1) * sizeof *lines);
  int *task_line = malloc((nt ? nt : 1) * sizeof *task_line);
  if (!scratch || !lines || !task_line) {
    free(scratch), free(lines), free(task_line);
    return NULL;
  }
  /* Lines of effort: the table's nation first, then the others; activities in table order. */
  size_t nl = 0;
  for (int own = 1; own >= 0; own--)
    for (size_t act = 0; act < a->nact; act++)
      for (size_t i = 0; i < nt; i++) {
        const scn_task *t = &p->task[i];
        if (m->task[i].activity != (int)act || (!strcmp(t->owner, a->nation)) != own) continue;
        if (line_of(lines, nl, t->owner, (int)act) < 0) lines[nl++] = (line){t->owner, (int)act};
      }
  for (size_t i = 0; i < nt; i++) task_line[i] = line_of(lines, nl, p->task[i].owner, m->task[i].activity);
  c.lines = lines, c.nl = nl, c.task_line = task_line, c.scratch = scratch;

  json_t *doc = json_object(), *auth = json_object(), *tasks = json_array();
  jdoc_set(doc, "scenario", sync_scenario(m->sc));
  jdoc_set(auth, "path", jdoc_str(a->path));
  jdoc_set(auth, "hash", jdoc_str(a->hash));
  jdoc_set(doc, "authorities", auth);
  jdoc_set(doc, "samples", json_integer((json_int_t)n));
  jdoc_set(doc, "time_unit", jdoc_str("s"));
  jdoc_set(doc, "phases", sync_phases(&c));
  jdoc_set(doc, "lines", sync_lines(&c));
  for (size_t i = 0; i < nt; i++) jdoc_push(tasks, sync_task(&c, i));
  jdoc_set(doc, "tasks", tasks);
  jdoc_set(doc, "cells", sync_cells(&c));
  free(scratch), free(lines), free(task_line);
  return dump_text(doc);
}
