/* plan_json.c - the plan check's findings and the synchronization matrix as JSON, for
 * tools and for the report (docs/plan.md shows both shapes). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "plan_internal.h"
#include "stats.h"

static const char *const severities[] = {"error", "warning", "note"};

static void json_loc(strbuf *b, scn_loc l) {
  strbuf_printf(b, "\"file\": ");
  strbuf_json_str(b, l.file);
  strbuf_printf(b, ", \"line\": %d, \"col\": %d", l.line, l.col);
}

static const char *task_id(const plan_model *m, int t) { return t >= 0 ? m->p->task[t].id : NULL; }

static void json_finding(strbuf *b, const plan_model *m, const plan_finding *f) {
  strbuf_printf(b, "    {\"kind\": \"%s\", \"severity\": \"%s\", ", plan_finding_name(f->kind),
                   severities[f->severity]);
  json_loc(b, f->loc);
  strbuf_printf(b, ",\n     \"message\": ");
  strbuf_json_str(b, f->message);
  strbuf_printf(b, ",\n     \"task\": ");
  strbuf_json_str(b, task_id(m, f->task));
  strbuf_printf(b, ", \"other_task\": ");
  strbuf_json_str(b, task_id(m, f->other));
  strbuf_printf(b, ", \"asset\": ");
  strbuf_json_str(b, f->asset >= 0 ? m->sc->force[f->asset].id : NULL);
  strbuf_printf(b, ", \"gate\": ");
  strbuf_json_str(b, f->gate >= 0 ? m->a->gate[f->gate].id : NULL);
  strbuf_printf(b, ", \"probability\": ");
  strbuf_json_num(b, f->probability);
  strbuf_printf(b, ",\n     \"branches\": [");
  for (size_t i = 0; i < f->nbranch; i++) {
    strbuf_printf(b, "%s{\"event\": ", i ? ", " : "");
    strbuf_json_str(b, m->sc->event[f->branch[i].event].id);
    strbuf_printf(b, ", \"share\": ");
    strbuf_json_num(b, f->branch[i].share);
    strbuf_printf(b, "}");
  }
  strbuf_printf(b, "],\n     \"notes\": [");
  for (size_t i = 0; i < f->nnote; i++) {
    strbuf_printf(b, "%s{", i ? ", " : "");
    json_loc(b, f->note[i].loc);
    strbuf_printf(b, ", \"message\": ");
    strbuf_json_str(b, f->note[i].message);
    strbuf_printf(b, "}");
  }
  strbuf_printf(b, "]}");
}

char *plan_check_json(const plan_report *r, const char *scenario_path,
                      const char *authorities_path, const diag *d) {
  strbuf b = STRBUF_INIT;
  size_t errors = (d ? diag_count(d, DIAG_ERROR) : 0) + plan_report_severity_count(r, DIAG_ERROR);
  size_t warnings = (d ? diag_count(d, DIAG_WARNING) : 0) + plan_report_severity_count(r, DIAG_WARNING);
  strbuf_printf(&b, "{\n  \"scenario\": ");
  strbuf_json_str(&b, scenario_path);
  strbuf_printf(&b, ",\n  \"authorities\": ");
  strbuf_json_str(&b, authorities_path);
  strbuf_printf(&b, ",\n  \"samples\": %d,\n  \"errors\": %zu,\n  \"warnings\": %zu,\n  \"findings\": [",
                   plan_report_samples(r), errors, warnings);
  int first = 1;
  for (size_t i = 0; d && i < diag_size(d); i++) {
    const diag_entry *e = diag_at(d, i);
    scn_loc l = {e->file, e->line, e->col};
    strbuf_printf(&b, "%s\n    {\"kind\": \"input\", \"severity\": \"%s\", ", first ? "" : ",",
                     severities[e->severity]);
    json_loc(&b, l);
    strbuf_printf(&b, ", \"message\": ");
    strbuf_json_str(&b, e->message);
    strbuf_printf(&b, "}");
    first = 0;
  }
  for (size_t i = 0; i < plan_report_count(r); i++) {
    strbuf_printf(&b, "%s\n", first ? "" : ",");
    json_finding(&b, plan__report_model(r), plan_report_at(r, i));
    first = 0;
  }
  strbuf_printf(&b, "%s]\n}\n", first ? "" : "\n  ");
  if (b.failed) {
    free(b.s);
    return NULL;
  }
  return b.s;
}

/* ---- the synchronization matrix --------------------------------------------------------- */

static void json_times(strbuf *b, const double *x, size_t n, double *scratch) {
  stats_summary s;
  stats_summarize(&s, x, n, STATS_REAL, scratch);
  if (!s.n) {
    strbuf_printf(b, "null");
    return;
  }
  strbuf_printf(b, "{\"n\": %zu, \"mean\": ", s.n);
  strbuf_json_num(b, s.mean);
  strbuf_printf(b, ", \"min\": ");
  strbuf_json_num(b, s.min);
  strbuf_printf(b, ", \"p5\": ");
  strbuf_json_num(b, s.p5);
  strbuf_printf(b, ", \"p50\": ");
  strbuf_json_num(b, s.p50);
  strbuf_printf(b, ", \"p95\": ");
  strbuf_json_num(b, s.p95);
  strbuf_printf(b, ", \"max\": ");
  strbuf_json_num(b, s.max);
  strbuf_printf(b, "}");
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

static void line_id(strbuf *b, const plan_model *m, const line *l) {
  char id[256];
  snprintf(id, sizeof id, "%s/%s", l->nation, m->a->act[l->activity].id);
  strbuf_json_str(b, id);
}

char *plan_sync_json(const plan_report *r) {
  const plan_model *m = plan__report_model(r);
  const scn_plan *p = m->p;
  const scn_scenario *sc = m->sc;
  const plan_authorities *a = m->a;
  size_t nt = p->ntask, np = p->nphase, n = (size_t)plan_report_samples(r);
  const double *start, *end, *phase_t;
  const int *ran, *phase_of;
  plan__report_sampled(r, &start, &end, &phase_t, &ran, &phase_of);
  strbuf b = STRBUF_INIT;
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

  strbuf_printf(&b, "{\n  \"scenario\": {\"name\": ");
  strbuf_json_str(&b, sc->name);
  strbuf_printf(&b, ", \"path\": ");
  strbuf_json_str(&b, sc->path);
  strbuf_printf(&b, ", \"hash\": \"%s\", \"seed\": %llu, \"epoch\": ", sc->hash,
                   (unsigned long long)sc->seed);
  strbuf_json_str(&b, sc->epoch);
  strbuf_printf(&b, ", \"horizon\": ");
  strbuf_json_num(&b, sc->horizon);
  strbuf_printf(&b, "},\n  \"authorities\": {\"path\": ");
  strbuf_json_str(&b, a->path);
  strbuf_printf(&b, ", \"hash\": \"%s\"},\n  \"samples\": %zu,\n  \"time_unit\": \"s\",\n", a->hash, n);

  strbuf_printf(&b, "  \"phases\": [");
  for (size_t q = 0; q < np; q++) {
    size_t began = 0;
    for (size_t k = 0; k < n; k++) began += !isnan(phase_t[q * n + k]);
    strbuf_printf(&b, "%s\n    {\"id\": ", q ? "," : "");
    strbuf_json_str(&b, p->phase[q].id);
    strbuf_printf(&b, ", \"name\": ");
    strbuf_json_str(&b, p->phase[q].name);
    strbuf_printf(&b, ", \"began_share\": ");
    strbuf_json_num(&b, n ? (double)began / n : NAN);
    strbuf_printf(&b, ", \"began\": ");
    json_times(&b, phase_t + q * n, n, scratch);
    strbuf_printf(&b, "}");
  }
  strbuf_printf(&b, "%s],\n  \"lines\": [", np ? "\n  " : "");
  for (size_t l = 0; l < nl; l++) {
    strbuf_printf(&b, "%s\n    {\"id\": ", l ? "," : "");
    line_id(&b, m, &lines[l]);
    strbuf_printf(&b, ", \"nation\": ");
    strbuf_json_str(&b, lines[l].nation);
    strbuf_printf(&b, ", \"activity\": ");
    strbuf_json_str(&b, a->act[lines[l].activity].id);
    strbuf_printf(&b, ", \"name\": ");
    strbuf_json_str(&b, a->act[lines[l].activity].name);
    strbuf_printf(&b, "}");
  }
  strbuf_printf(&b, "%s],\n  \"tasks\": [", nl ? "\n  " : "");
  for (size_t i = 0; i < nt; i++) {
    const scn_task *t = &p->task[i];
    strbuf_printf(&b, "%s\n    {\"id\": ", i ? "," : "");
    strbuf_json_str(&b, t->id);
    strbuf_printf(&b, ", \"name\": ");
    strbuf_json_str(&b, t->name);
    strbuf_printf(&b, ", \"line\": ");
    line_id(&b, m, &lines[task_line[i]]);
    strbuf_printf(&b, ", \"phase\": ");
    strbuf_json_str(&b, phase_of[i] >= 0 ? p->phase[phase_of[i]].id : NULL);
    strbuf_printf(&b, ", \"phase_declared\": %s,\n     \"owner\": ", t->phase >= 0 ? "true" : "false");
    strbuf_json_str(&b, t->owner);
    strbuf_printf(&b, ", \"activity\": ");
    strbuf_json_str(&b, a->act[m->task[i].activity].id);
    strbuf_printf(&b, ", \"area\": ");
    strbuf_json_str(&b, t->place >= 0 ? sc->place[t->place].id : sc->region[t->region].id);
    strbuf_printf(&b, ", \"legal_area\": ");
    strbuf_json_str(&b, a->area[m->task[i].area].id);
    strbuf_printf(&b, ", \"priority\": %d, \"assets\": [", t->priority);
    for (size_t j = 0; j < t->nasset; j++) {
      strbuf_printf(&b, "%s{\"force\": ", j ? ", " : "");
      strbuf_json_str(&b, sc->force[t->asset[j].force].id);
      strbuf_printf(&b, ", \"count\": %d}", t->asset[j].count);
    }
    /* Where the law allows it: each rule with its plain-language limits, for the report
     * to show beside the task (the check cannot test them). */
    strbuf_printf(&b, "],\n     \"authorities\": [");
    int nr = 0;
    for (size_t s = 0; m->task[i].law && s < a->nsit; s++) {
      int k = plan_rule_find(a, (int)s, m->task[i].activity);
      if (k < 0 || !a->rule[k].allowed || !((a->rule[k].areas >> m->task[i].area) & 1)) continue;
      const pl_rule *rule = &a->rule[k];
      strbuf_printf(&b, "%s{\"situation\": ", nr++ ? ", " : "");
      strbuf_json_str(&b, a->sit[s].id);
      strbuf_printf(&b, ", \"rule\": ");
      strbuf_json_str(&b, rule->id);
      strbuf_printf(&b, ", \"source\": ");
      strbuf_json_str(&b, rule->source);
      strbuf_printf(&b, ", \"limits\": [");
      for (size_t q = 0; q < rule->nlimit; q++) {
        strbuf_printf(&b, "%s", q ? ", " : "");
        strbuf_json_str(&b, rule->limit[q]);
      }
      strbuf_printf(&b, "]}");
    }
    strbuf_printf(&b, "],\n     \"ran_share\": ");
    strbuf_json_num(&b, n ? (double)ran[i] / n : NAN);
    strbuf_printf(&b, ", \"start\": ");
    json_times(&b, start + i * n, n, scratch);
    strbuf_printf(&b, ",\n     \"end\": ");
    json_times(&b, end + i * n, n, scratch);
    strbuf_printf(&b, ",\n     \"location\": {");
    json_loc(&b, t->loc);
    strbuf_printf(&b, "}}");
  }
  strbuf_printf(&b, "%s],\n  \"cells\": [", nt ? "\n  " : "");
  int first = 1;
  for (int q = -1; q < (int)np; q++)
    for (size_t l = 0; l < nl; l++) {
      int any = 0;
      for (size_t i = 0; i < nt; i++) any |= phase_of[i] == q && task_line[i] == (int)l;
      if (!any) continue;
      strbuf_printf(&b, "%s\n    {\"phase\": ", first ? "" : ",");
      strbuf_json_str(&b, q >= 0 ? p->phase[q].id : NULL);
      strbuf_printf(&b, ", \"line\": ");
      line_id(&b, m, &lines[l]);
      strbuf_printf(&b, ", \"tasks\": [");
      int k = 0;
      for (size_t i = 0; i < nt; i++)
        if (phase_of[i] == q && task_line[i] == (int)l) {
          strbuf_printf(&b, "%s", k++ ? ", " : "");
          strbuf_json_str(&b, p->task[i].id);
        }
      strbuf_printf(&b, "]}");
      first = 0;
    }
  strbuf_printf(&b, "%s]\n}\n", first ? "" : "\n  ");
  free(scratch), free(lines), free(task_line);
  if (b.failed) {
    free(b.s);
    return NULL;
  }
  return b.s;
}
