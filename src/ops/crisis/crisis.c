/* crisis.c - the crisis timeline: uncertain events, branches and the signals they raise.
 *
 * Each event draws from its own random stream, keyed by a hash of its id, so adding,
 * removing or reordering other events leaves its draws unchanged, and two courses of
 * action that share an event share its random numbers. */
#include "crisis.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "geo_polygon.h"
#include "rng.h"
#include "scn_escalation.h"
#include "scn_plan.h"

/* Per-run, read-only after crisis_model_new: metric indices and the reverse
 * dependency lists (which events must re-check their trigger when one occurs). */
struct crisis_model {
  const scn_scenario *sc;
  size_t nevent, nplace, nregion;
  size_t *dep_start; /* [nevent + 1]: dependents of e are dep[dep_start[e] .. dep_start[e+1]) */
  int *dep;
  int *m_occurred, *m_time; /* [nevent] metric indices */
  int *m_closed;            /* [nplace] or -1 if no event closes the place */
  int *m_active;            /* [nregion] or -1 if no event activates the region */
  int m_missing;            /* persons reported missing, or -1 */
  int m_sites_closed;       /* series: number of closed sites over time */
  int m_situation;          /* gravest legal situation in force (situation_max), or -1 */
  uint32_t *purpose;        /* [nevent] random stream of each event */
  /* escalation ladder (NULL when the scenario has none) */
  const scn_escalation *esc;
  uint32_t *esc_purpose;    /* [nlevel] random stream of each level */
  int *m_level_time;        /* [nlevel] first entry time */
  int m_level_final;        /* level at the horizon */
  int esc_situation;        /* some multiplier waits for a legal situation */
  int esc_phase, esc_task;  /* some multiplier waits for a plan phase / a running task */
  size_t ntask;             /* the plan's tasks (0 without a plan) */
  /* spillover: regions of kind `territory` */
  size_t nterr;
  int *terr;                /* [nterr] region index */
  int *terr_of_region;      /* [nregion] territory index or -1 */
  size_t *pt_start;         /* [nplace + 1] CSR: territories containing each place */
  int *pt;
  int *m_reach_time, *m_reach_occ; /* [nterr] */
  int m_first_time, m_first_occ, m_horizon;
  int m_seq; /* series: occurrence order (value = the `.time` metric's index), or -1 */
};

enum event_state { EV_PENDING, EV_DUE, EV_OCCURRED, EV_FAILED };

typedef struct event_slot {
  crisis *c;
  int ev;
  int state;
  double time; /* occurred at, NaN otherwise */
  rng_stream rng;
} event_slot;

/* One active closure of a site or activation of a region, ended by its own timer. */
typedef struct closure_slot {
  crisis *c;
  int signal; /* SIG_SITE_STATUS or SIG_REGION_STATUS */
  int index;  /* place or region */
} closure_slot;

typedef struct status_track {
  int depth;       /* overlapping closures in force */
  double since;    /* start of the current closed spell */
  double total;    /* closed seconds so far */
} status_track;

struct crisis {
  const crisis_model *m;
  sim *sim;
  arena *arena;
  event_slot *ev;        /* [nevent] */
  status_track *place;   /* [nplace] */
  status_track *region;  /* [nregion] */
  int sites_closed;
  int persons_missing;
  int situation;         /* gravest scn_situation in force so far: the initial one, the
                            crisis's raises, the Cabinet's recognitions (the plan's
                            SIG_SITUATION_CHANGED); -1 if none */
  metric_out *series;    /* the replication's output, for time series points */
  /* escalation */
  int level;             /* current level, -1 before the ladder starts */
  int entering;          /* inside a level's entry effects: reschedule once, after */
  uint32_t generation;   /* bumps on every (re)draw: older pending jumps are stale */
  rng_stream *esc_rng;   /* [nlevel] */
  double *level_time;    /* [nlevel] first entry, NaN if never */
  int situation_seen;    /* gravest SIG_SITUATION_CHANGED seen from anyone, -1 if none */
  int phase;             /* the plan's current phase (last SIG_PHASE_BEGAN), -1 if none */
  unsigned char *task_running; /* [ntask]: 1 while SIG_TASK_STATUS says it runs */
  /* spillover */
  double *reach_time;    /* [nterr] first time violence reached it, NaN if not */
};

/* A drawn jump of the ladder, valid only while the generation matches. */
typedef struct esc_jump {
  crisis *c;
  uint32_t generation;
  int transition;
} esc_jump;

/* ---- model ---------------------------------------------------------------- */

static void collect_trigger_refs(const scn_trigger *t, int *out, size_t *n) {
  switch (t->kind) {
  case SCN_TRIG_AT:
    return;
  case SCN_TRIG_EVENT:
    if (out) out[*n] = t->event;
    (*n)++;
    return;
  case SCN_TRIG_ALL:
  case SCN_TRIG_ANY:
    for (size_t i = 0; i < t->n; i++) collect_trigger_refs(&t->sub[i], out, n);
    return;
  }
}

static int build_dependents(crisis_model *m) {
  const scn_scenario *sc = m->sc;
  size_t *count = calloc(sc->nevent + 1, sizeof *count);
  if (!count) return ERR_NOMEM;
  size_t total = 0;
  for (size_t e = 0; e < sc->nevent; e++) {
    if (sc->event[e].parent >= 0) continue;
    size_t n = 0;
    collect_trigger_refs(&sc->event[e].trigger, NULL, &n);
    total += n;
  }
  int *refs = malloc((total ? total : 1) * sizeof *refs);
  int *owner = malloc((total ? total : 1) * sizeof *owner);
  m->dep = malloc((total ? total : 1) * sizeof *m->dep);
  m->dep_start = calloc(sc->nevent + 1, sizeof *m->dep_start);
  if (!refs || !owner || !m->dep || !m->dep_start) {
    free(count), free(refs), free(owner);
    return ERR_NOMEM;
  }
  size_t n = 0;
  for (size_t e = 0; e < sc->nevent; e++) {
    if (sc->event[e].parent >= 0) continue;
    size_t from = n;
    collect_trigger_refs(&sc->event[e].trigger, refs, &n);
    for (size_t i = from; i < n; i++) owner[i] = (int)e;
  }
  /* Counting sort by referenced event keeps dependents in event order. */
  for (size_t i = 0; i < n; i++) count[refs[i] + 1]++;
  for (size_t e = 0; e < sc->nevent; e++) count[e + 1] += count[e];
  memcpy(m->dep_start, count, (sc->nevent + 1) * sizeof *count);
  for (size_t i = 0; i < n; i++) m->dep[count[refs[i]]++] = owner[i];
  free(count), free(refs), free(owner);
  return 0;
}

static int define(metric_set *ms, const char *name, const char *unit,
                  unsigned flags, const char *description) {
  return metric_define(ms, "crisis", name, unit, flags, description);
}

static int define_metrics(crisis_model *m, metric_set *ms) {
  const scn_scenario *sc = m->sc;
  char name[256], text[512];
  for (size_t e = 0; e < sc->nevent; e++) {
    const scn_event *ev = &sc->event[e];
    const char *label = ev->name && *ev->name ? ev->name : ev->id;
    snprintf(name, sizeof name, "%s.occurred", ev->id);
    snprintf(text, sizeof text, "1 if '%s' occurred before the horizon", label);
    if ((m->m_occurred[e] = define(ms, name, "1", METRIC_HEADLINE | METRIC_BINARY, text)) < 0)
      return m->m_occurred[e];
    snprintf(name, sizeof name, "%s.time", ev->id);
    snprintf(text, sizeof text, "time of '%s' after the epoch, when it occurred", label);
    if ((m->m_time[e] = define(ms, name, "s", 0, text)) < 0) return m->m_time[e];
  }
  int any_missing = 0, any_situation = 0;
  for (size_t e = 0; e < sc->nevent; e++) {
    for (size_t r = 0; r < sc->event[e].nraise; r++) {
      const scn_raise *ra = &sc->event[e].raise[r];
      if (ra->signal == SIG_SITE_STATUS && m->m_closed[ra->place] < 0) {
        snprintf(name, sizeof name, "%s.closed_time", sc->place[ra->place].id);
        snprintf(text, sizeof text, "time '%s' was closed before the horizon",
                 sc->place[ra->place].id);
        if ((m->m_closed[ra->place] = define(ms, name, "s", METRIC_LOWER_BETTER, text)) < 0)
          return m->m_closed[ra->place];
      } else if (ra->signal == SIG_REGION_STATUS && m->m_active[ra->region] < 0) {
        snprintf(name, sizeof name, "%s.active_time", sc->region[ra->region].id);
        snprintf(text, sizeof text, "time region '%s' was active before the horizon",
                 sc->region[ra->region].id);
        if ((m->m_active[ra->region] = define(ms, name, "s", METRIC_LOWER_BETTER, text)) < 0)
          return m->m_active[ra->region];
      } else if (ra->signal == SIG_PERSON_MISSING) {
        any_missing = 1;
      } else if (ra->signal == SIG_SITUATION_CHANGED) {
        any_situation = 1;
      }
    }
  }
  if (any_missing &&
      (m->m_missing = define(ms, "persons_missing", "1", METRIC_HEADLINE | METRIC_LOWER_BETTER,
                             "persons reported missing at sea")) < 0)
    return m->m_missing;
  /* Japan's legal situation changes by a crisis event's raise or by the Cabinet's
   * decisions (the `situations:` section, which the plan model runs). */
  if (sc->plan && sc->plan->has_situations) any_situation = 1;
  if (any_situation &&
      (m->m_situation = define(ms, "situation_max", "1", METRIC_LOWER_BETTER,
                               "gravest legal situation in force: recognised by the Cabinet "
                               "or raised by a crisis event (0 peacetime, 1 gray zone, "
                               "2 important influence, 3 survival-threatening, 4 armed "
                               "attack anticipated, 5 armed attack)")) < 0)
    return m->m_situation;
  m->m_sites_closed = define(ms, "sites_closed", "1", METRIC_SERIES | METRIC_LOWER_BETTER,
                             "number of places closed, over time");
  return m->m_sites_closed < 0 ? m->m_sites_closed : 0;
}

/* FNV-1a, 32 bits: an event's stream follows its id, not its position in the file. */
static uint32_t id_hash(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static int purpose_taken(const crisis_model *m, size_t upto, uint32_t p) {
  for (size_t k = 0; k < upto; k++)
    if (m->purpose[k] == p) return 1;
  return 0;
}

static void assign_streams(crisis_model *m) {
  for (size_t e = 0; e < m->nevent; e++) {
    uint32_t h = id_hash(m->sc->event[e].id), p = h;
    /* Two ids with one hash would share draws: salt the later one (deterministic). */
    for (uint32_t salt = 1; purpose_taken(m, e, p); salt++) p = h ^ (0x9E3779B9u * salt);
    m->purpose[e] = p;
  }
}

/* ---- escalation and spillover: model ------------------------------------------ */

static int define_escalation(crisis_model *m, metric_set *ms) {
  const scn_escalation *e = m->esc;
  char name[256], text[512];
  m->m_level_time = malloc(e->nlevel * sizeof *m->m_level_time);
  m->esc_purpose = malloc(e->nlevel * sizeof *m->esc_purpose);
  if (!m->m_level_time || !m->esc_purpose) return ERR_NOMEM;
  for (size_t l = 0; l < e->nlevel; l++) {
    const scn_esc_level *lv = &e->level[l];
    snprintf(name, sizeof name, "%s.time", lv->id);
    snprintf(text, sizeof text, "first time the ladder entered '%s', when it did",
             *lv->name ? lv->name : lv->id);
    if ((m->m_level_time[l] = metric_define(ms, "escalation", name, "s", 0, text)) < 0)
      return m->m_level_time[l];
    /* Salted so a level and an event with one id draw different numbers. */
    m->esc_purpose[l] = id_hash(lv->id) ^ 0x5bd1e995u;
  }
  for (size_t t = 0; t < e->ntransition; t++)
    for (size_t f = 0; f < e->transition[t].nfactor; f++) {
      scn_esc_cond cond = e->transition[t].factor[f].cond;
      m->esc_situation |= cond == SCN_ESC_SITUATION;
      m->esc_phase |= cond == SCN_ESC_PHASE;
      m->esc_task |= cond == SCN_ESC_TASK;
    }
  m->ntask = m->sc->plan ? m->sc->plan->ntask : 0;
  m->m_level_final = metric_define(ms, "escalation", "final_level", "1", 0,
                                   "index (0-based, file order) of the level at the horizon");
  return m->m_level_final < 0 ? m->m_level_final : 0;
}

/* Territories, and which of them contain each place (so a closed site inside one
 * counts as violence reaching it). */
static int map_territories(crisis_model *m) {
  const scn_scenario *sc = m->sc;
  m->terr = malloc((sc->nregion + 1) * sizeof *m->terr);
  m->terr_of_region = malloc((sc->nregion + 1) * sizeof *m->terr_of_region);
  m->pt_start = calloc(sc->nplace + 1, sizeof *m->pt_start);
  if (!m->terr || !m->terr_of_region || !m->pt_start) return ERR_NOMEM;
  for (size_t r = 0; r < sc->nregion; r++) {
    m->terr_of_region[r] = -1;
    if (strcmp(sc->region[r].kind, "territory") == 0) {
      m->terr_of_region[r] = (int)m->nterr;
      m->terr[m->nterr++] = (int)r;
    }
  }
  size_t total = 0;
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1 && !(m->pt = malloc((total ? total : 1) * sizeof *m->pt))) return ERR_NOMEM;
    total = 0;
    for (size_t p = 0; p < sc->nplace; p++) {
      m->pt_start[p] = total;
      for (size_t t = 0; t < m->nterr; t++) {
        const scn_region *rg = &sc->region[m->terr[t]];
        if (!geo_point_in_polygon(sc->place[p].lat, sc->place[p].lon, rg->lat, rg->lon, rg->n))
          continue;
        if (pass == 1) m->pt[total] = (int)t;
        total++;
      }
    }
    m->pt_start[sc->nplace] = total;
  }
  return 0;
}

static int define_spillover(crisis_model *m, metric_set *ms) {
  const scn_scenario *sc = m->sc;
  char name[256], text[512];
  int rc;
  if ((rc = map_territories(m)) < 0) return rc;
  if (!m->nterr) return 0;
  m->m_reach_time = malloc(m->nterr * sizeof *m->m_reach_time);
  m->m_reach_occ = malloc(m->nterr * sizeof *m->m_reach_occ);
  if (!m->m_reach_time || !m->m_reach_occ) return ERR_NOMEM;
  for (size_t t = 0; t < m->nterr; t++) {
    const scn_region *rg = &sc->region[m->terr[t]];
    const char *label = *rg->name ? rg->name : rg->id;
    snprintf(name, sizeof name, "%s.occurred", rg->id);
    snprintf(text, sizeof text, "1 if violence reached '%s' before the horizon", label);
    if ((m->m_reach_occ[t] = metric_define(ms, "spillover", name, "1",
                                           METRIC_BINARY | METRIC_LOWER_BETTER, text)) < 0)
      return m->m_reach_occ[t];
    snprintf(name, sizeof name, "%s.time", rg->id);
    snprintf(text, sizeof text, "first time violence reached '%s', when it did", label);
    if ((m->m_reach_time[t] = metric_define(ms, "spillover", name, "s", METRIC_HIGHER_BETTER, text)) < 0)
      return m->m_reach_time[t];
  }
  if ((m->m_first_occ = metric_define(ms, "spillover", "occurred", "1",
                                      METRIC_HEADLINE | METRIC_BINARY | METRIC_LOWER_BETTER,
                                      "1 if violence reached any Japanese territory")) < 0)
    return m->m_first_occ;
  if ((m->m_first_time = metric_define(ms, "spillover", "time", "s", METRIC_HIGHER_BETTER,
                                       "time to first spillover to Japanese territory")) < 0)
    return m->m_first_time;
  m->m_horizon = metric_define(ms, "spillover", "horizon", "s", METRIC_INTERNAL,
                               "the scenario horizon (for curves read back from the store)");
  if (m->m_horizon < 0) return m->m_horizon;
  /* The event path, in the order things happened (ties in time included): each point
   * names an event or level by the registry index of its `.time` metric. */
  m->m_seq = metric_define(ms, "spillover", "sequence", "1", METRIC_SERIES | METRIC_INTERNAL,
                           "order of events and level entries (value: index of the "
                           "event's or level's .time metric)");
  return m->m_seq < 0 ? m->m_seq : 0;
}

int crisis_model_new(crisis_model **out, const scn_scenario *sc, metric_set *ms, diag *d) {
  (void)d;
  *out = NULL;
  crisis_model *m = calloc(1, sizeof *m);
  if (!m) return ERR_NOMEM;
  m->sc = sc;
  m->nevent = sc->nevent, m->nplace = sc->nplace, m->nregion = sc->nregion;
  m->m_missing = m->m_situation = -1;
  m->esc = sc->escalation;
  m->m_level_final = m->m_first_time = m->m_first_occ = m->m_horizon = m->m_seq = -1;
  m->m_occurred = malloc((sc->nevent + 1) * sizeof *m->m_occurred);
  m->m_time = malloc((sc->nevent + 1) * sizeof *m->m_time);
  m->m_closed = malloc((sc->nplace + 1) * sizeof *m->m_closed);
  m->m_active = malloc((sc->nregion + 1) * sizeof *m->m_active);
  m->purpose = malloc((sc->nevent + 1) * sizeof *m->purpose);
  int rc = ERR_NOMEM;
  if (!m->m_occurred || !m->m_time || !m->m_closed || !m->m_active || !m->purpose) goto fail;
  assign_streams(m);
  for (size_t i = 0; i < sc->nplace; i++) m->m_closed[i] = -1;
  for (size_t i = 0; i < sc->nregion; i++) m->m_active[i] = -1;
  if ((rc = build_dependents(m)) < 0) goto fail;
  if ((rc = define_metrics(m, ms)) < 0) goto fail;
  if (m->esc && (rc = define_escalation(m, ms)) < 0) goto fail;
  if ((rc = define_spillover(m, ms)) < 0) goto fail;
  *out = m;
  return 0;
fail:
  crisis_model_free(m);
  return rc;
}

void crisis_model_free(crisis_model *m) {
  if (!m) return;
  free(m->dep_start), free(m->dep);
  free(m->m_occurred), free(m->m_time), free(m->m_closed), free(m->m_active);
  free(m->purpose);
  free(m->m_level_time), free(m->esc_purpose);
  free(m->terr), free(m->terr_of_region), free(m->pt_start), free(m->pt);
  free(m->m_reach_time), free(m->m_reach_occ);
  free(m);
}

/* ---- replication ---------------------------------------------------------- */

static void event_due(sim *s, void *ctx);

static void note_sites_closed(crisis *c, int delta) {
  c->sites_closed += delta;
  if (metric_point_add(c->series, c->m->m_sites_closed, sim_now(c->sim), c->sites_closed) < 0)
    sim_fail(c->sim, ERR_LIMIT);
}

/* The crisis's own spell at a place or region (its metrics: closed by the crisis's
 * events).  What the other models hear of a place is the kernel's count of every
 * model's closures (sim_site_close, one rule for all); regions only the crisis
 * raises, so it announces their transitions itself. */
static void status_change(crisis *c, int signal, int index, int open, int source) {
  status_track *t = signal == SIG_SITE_STATUS ? &c->place[index] : &c->region[index];
  double now = sim_now(c->sim);
  if (signal == SIG_SITE_STATUS) {
    if (open && NEVER(t->depth <= 0)) return;
    if (open) sim_site_reopen(c->sim, index, source);
    else sim_site_close(c->sim, index, source);
  }
  if (!open) {
    if (t->depth++ > 0) return; /* already closed: no transition to announce */
    t->since = now;
  } else {
    if (--t->depth > 0) return;
    t->total += now - t->since;
  }
  if (signal == SIG_SITE_STATUS) {
    note_sites_closed(c, open ? -1 : 1);
    return;
  }
  sim_signal sig = {.type = SIG_REGION_STATUS, .source = source, .place = -1,
                    .region = index, .open = open};
  sim_publish(c->sim, &sig);
}

static void closure_ends(sim *s, void *ctx) {
  (void)s;
  closure_slot *cl = ctx;
  status_change(cl->c, cl->signal, cl->index, 1, -1);
}

static void raise_one(crisis *c, int ev, const scn_raise *ra, rng_stream *rng) {
  sim_signal sig = {.type = (sim_signal_type)ra->signal, .source = ev, .place = -1,
                    .region = -1};
  switch (ra->signal) {
  case SIG_SITE_STATUS:
  case SIG_REGION_STATUS: {
    int index = ra->signal == SIG_SITE_STATUS ? ra->place : ra->region;
    status_change(c, ra->signal, index, 0, ev);
    if (!ra->has_duration) return;
    double dur = dist_sample(&ra->duration, rng);
    closure_slot *cl = arena_alloc(c->arena, sizeof *cl);
    if (!cl) {
      sim_fail(c->sim, ERR_LIMIT);
      return;
    }
    *cl = (closure_slot){c, ra->signal, index};
    if (!isfinite(dur)) { /* the loader bounds the draws: defence in depth */
      sim_blame b = {ra->duration_loc.file, ra->duration_loc.line, ra->duration_loc.col,
                     "the duration ('for') of a closure raised by event",
                     c->m->sc->event[ev].id, dur};
      sim_fail_blame(c->sim, ERR_RANGE, &b);
      return;
    }
    sim_after(c->sim, dur > 0 ? dur : 0, closure_ends, cl);
    return;
  }
  case SIG_SITUATION_CHANGED:
    if (ra->situation > c->situation) c->situation = ra->situation;
    sig.situation = ra->situation;
    break;
  case SIG_PERSON_MISSING:
    c->persons_missing += ra->count;
    sig.place = ra->place, sig.object = ra->object, sig.count = ra->count;
    sig.lat = ra->lat, sig.lon = ra->lon;
    break;
  default:
    BUG("crisis: unknown signal in a raise");
  }
  sim_publish(c->sim, &sig);
}

static int trigger_holds(const crisis *c, const scn_trigger *t) {
  switch (t->kind) {
  case SCN_TRIG_AT:
    return sim_now(c->sim) >= t->at;
  case SCN_TRIG_EVENT:
    return c->ev[t->event].state == EV_OCCURRED;
  case SCN_TRIG_ALL:
    for (size_t i = 0; i < t->n; i++)
      if (!trigger_holds(c, &t->sub[i])) return 0;
    return 1;
  case SCN_TRIG_ANY:
    for (size_t i = 0; i < t->n; i++)
      if (trigger_holds(c, &t->sub[i])) return 1;
    return 0;
  }
  return 0;
}

/* The trigger holds: wait the event's delay, then it occurs with probability p. */
static void make_due(crisis *c, int e) {
  event_slot *slot = &c->ev[e];
  slot->state = EV_DUE;
  const scn_event *ev = &c->m->sc->event[e];
  double delay = dist_sample(&ev->delay, &slot->rng);
  if (!isfinite(delay)) { /* the loader bounds the draws: defence in depth */
    sim_blame b = {ev->delay_loc.file, ev->delay_loc.line, ev->delay_loc.col,
                   "the delay of event", ev->id, delay};
    sim_fail_blame(c->sim, ERR_RANGE, &b);
    return;
  }
  sim_after(c->sim, delay > 0 ? delay : 0, event_due, slot);
}

static void occur(crisis *c, int e);
static void esc_on_event(crisis *c);

/* Append an event or level entry to the replication's path (spillover.sequence). */
static void note_step(crisis *c, int time_metric) {
  if (c->m->m_seq >= 0 &&
      metric_point_add(c->series, c->m->m_seq, sim_now(c->sim), time_metric) < 0)
    sim_fail(c->sim, ERR_LIMIT);
}

static void choose_branch(crisis *c, int e) {
  const scn_event *ev = &c->m->sc->event[e];
  double u = rng_uniform(&c->ev[e].rng), acc = 0;
  for (size_t b = 0; b < ev->nbranch; b++) {
    acc += c->m->sc->event[ev->branch[b]].p;
    if (u < acc) {
      make_due(c, ev->branch[b]); /* a branch occurs after its own delay (default 0) */
      return;
    }
  }
}

static void occur(crisis *c, int e) {
  const scn_event *ev = &c->m->sc->event[e];
  event_slot *slot = &c->ev[e];
  slot->state = EV_OCCURRED;
  slot->time = sim_now(c->sim);
  note_step(c, c->m->m_time[e]);
  sim_signal sig = {.type = SIG_EVENT_OCCURRED, .source = e, .event = e, .place = -1,
                    .region = -1};
  sim_publish(c->sim, &sig);
  for (size_t r = 0; r < ev->nraise; r++) raise_one(c, e, &ev->raise[r], &slot->rng);
  if (ev->nbranch) choose_branch(c, e);
  const crisis_model *m = c->m;
  for (size_t i = m->dep_start[e]; i < m->dep_start[e + 1]; i++) {
    int d = m->dep[i];
    if (c->ev[d].state == EV_PENDING && trigger_holds(c, &m->sc->event[d].trigger))
      make_due(c, d);
  }
  esc_on_event(c);
}

static void event_due(sim *s, void *ctx) {
  (void)s;
  event_slot *slot = ctx;
  crisis *c = slot->c;
  const scn_event *ev = &c->m->sc->event[slot->ev];
  if (slot->state != EV_DUE) return; /* an escalation level made it occur already */
  /* A branch's share was spent choosing it; p is the event's own chance otherwise. */
  if (ev->parent < 0 && ev->p < 1 && rng_uniform(&slot->rng) >= ev->p) {
    slot->state = EV_FAILED;
    return;
  }
  occur(c, slot->ev);
}

/* ---- spillover and escalation: replication ------------------------------------- */

static void reach(crisis *c, int t) {
  if (isnan(c->reach_time[t])) c->reach_time[t] = sim_now(c->sim);
}

/* Violence reaches a territory when a site inside it closes or it becomes active,
 * whoever raised the signal (an event, a level, another module). */
static void on_status(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  crisis *c = ctx;
  const crisis_model *m = c->m;
  if (sig->open) return;
  if (sig->type == SIG_SITE_STATUS && sig->place >= 0 && (size_t)sig->place < m->nplace) {
    for (size_t k = m->pt_start[sig->place]; k < m->pt_start[sig->place + 1]; k++)
      reach(c, m->pt[k]);
  } else if (sig->type == SIG_REGION_STATUS && sig->region >= 0 &&
             (size_t)sig->region < m->nregion && m->terr_of_region[sig->region] >= 0) {
    reach(c, m->terr_of_region[sig->region]);
  }
}

static int factor_holds(const crisis *c, const scn_esc_factor *fa) {
  switch (fa->cond) {
  case SCN_ESC_AFTER:
    return trigger_holds(c, &fa->when);
  case SCN_ESC_SITUATION:
    return fa->ref >= 0 && c->situation_seen >= fa->ref;
  case SCN_ESC_PHASE:
    return fa->ref >= 0 && c->phase == fa->ref;
  case SCN_ESC_TASK:
    return fa->ref >= 0 && (size_t)fa->ref < c->m->ntask && c->task_running[fa->ref];
  }
  return 0;
}

/* Whether a transition leaving the current level has a multiplier of this kind (and,
 * for ref >= 0, about this phase or task): only then may its rate have changed. */
static int level_waits_for(const crisis *c, scn_esc_cond cond, int ref) {
  const scn_escalation *e = c->m->esc;
  const scn_esc_level *lv = &e->level[c->level];
  for (size_t k = 0; k < lv->nout; k++) {
    const scn_esc_transition *tr = &e->transition[lv->out[k]];
    for (size_t f = 0; f < tr->nfactor; f++)
      if (tr->factor[f].cond == cond && (ref < 0 || tr->factor[f].ref == ref)) return 1;
  }
  return 0;
}

static double transition_rate(const crisis *c, int t) {
  const scn_esc_transition *tr = &c->m->esc->transition[t];
  double r = tr->rate;
  for (size_t f = 0; f < tr->nfactor; f++) {
    if (factor_holds(c, &tr->factor[f])) r *= tr->factor[f].factor;
  }
  return r;
}

static void esc_jump_due(sim *s, void *ctx);

/* Competing exponentials: the time to leave the level is exponential with the total
 * rate, and the transition taken is chosen in proportion to its rate.  Redrawing
 * after a rate change is exact because the exponential has no memory. */
static void esc_draw(crisis *c) {
  const scn_esc_level *lv = &c->m->esc->level[c->level];
  c->generation++;
  double total = 0;
  for (size_t k = 0; k < lv->nout; k++) total += transition_rate(c, lv->out[k]);
  if (!(total > 0)) return; /* absorbing, for now */
  rng_stream *r = &c->esc_rng[c->level];
  double dt = rng_exponential(r, 1.0 / total);
  double u = rng_uniform(r) * total, acc = 0;
  int pick = -1;
  for (size_t k = 0; k < lv->nout; k++) {
    double rate = transition_rate(c, lv->out[k]);
    if (rate <= 0) continue;
    pick = lv->out[k]; /* the last positive one absorbs rounding */
    if (u < (acc += rate)) break;
  }
  esc_jump *j = arena_alloc(c->arena, sizeof *j);
  if (!j) {
    sim_fail(c->sim, ERR_LIMIT);
    return;
  }
  *j = (esc_jump){c, c->generation, pick};
  sim_after(c->sim, dt, esc_jump_due, j);
}

static void apply_effects(crisis *c, const scn_esc_effects *fx, rng_stream *rng) {
  for (size_t i = 0; i < fx->nraise; i++) raise_one(c, -1, &fx->raise[i], rng);
  for (size_t i = 0; i < fx->noccur; i++)
    if (c->ev[fx->occur[i]].state != EV_OCCURRED) occur(c, fx->occur[i]);
  for (size_t i = 0; i < fx->nreach; i++) {
    int t = c->m->terr_of_region[fx->reach[i]];
    if (t >= 0) reach(c, t);
  }
}

static void enter_level(crisis *c, int l) {
  c->level = l;
  if (isnan(c->level_time[l])) c->level_time[l] = sim_now(c->sim);
  note_step(c, c->m->m_level_time[l]);
  c->entering = 1;
  apply_effects(c, &c->m->esc->level[l].fx, &c->esc_rng[l]);
  c->entering = 0;
  esc_draw(c);
}

static void esc_jump_due(sim *s, void *ctx) {
  (void)s;
  esc_jump *j = ctx;
  crisis *c = j->c;
  if (j->generation != c->generation) return; /* redrawn since */
  const scn_esc_transition *tr = &c->m->esc->transition[j->transition];
  c->entering = 1;
  apply_effects(c, &tr->fx, &c->esc_rng[c->level]);
  enter_level(c, tr->to);
}

static void esc_begin(sim *s, void *ctx) {
  (void)s;
  crisis *c = ctx;
  if (c->level < 0) enter_level(c, c->m->esc->start);
}

/* An event occurred: the ladder may start, or its rates may have changed. */
static void esc_on_event(crisis *c) {
  const scn_escalation *e = c->m->esc;
  if (!e) return;
  if (c->level < 0) {
    if (e->trigger.kind != SCN_TRIG_AT && trigger_holds(c, &e->trigger))
      enter_level(c, e->start);
    return;
  }
  if (c->entering) return; /* enter_level draws once its effects are done */
  if (level_waits_for(c, SCN_ESC_AFTER, -1)) esc_draw(c); /* an event condition may have changed */
}

/* Japan's legal situation changed (the crisis's own raises, or the Cabinet's
 * recognitions, which the plan model announces with source -1): the gravest in force
 * for situation_max, and rates with a situation multiplier may have changed. */
static void on_situation(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  crisis *c = ctx;
  if (sig->situation < 0 || sig->situation >= SCN_SIT__COUNT) return;
  if (sig->situation > c->situation) c->situation = sig->situation;
  if (sig->situation <= c->situation_seen) return;
  c->situation_seen = sig->situation;
  /* Redraw only where a rate may have changed: other levels keep their draws. */
  if (c->level >= 0 && !c->entering && level_waits_for(c, SCN_ESC_SITUATION, -1)) esc_draw(c);
}

/* The plan announced a phase: the current one is the last to begin (phases begin in
 * order, possibly several at one instant). */
static void on_phase(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  crisis *c = ctx;
  if (sig->phase < 0 || sig->phase == c->phase) return;
  c->phase = sig->phase;
  if (c->level >= 0 && !c->entering && level_waits_for(c, SCN_ESC_PHASE, -1)) esc_draw(c);
}

/* A plan task started, resumed, paused or ended. */
static void on_task(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  crisis *c = ctx;
  if (sig->task < 0 || (size_t)sig->task >= c->m->ntask) return;
  unsigned char running = sig->open != 0;
  if (c->task_running[sig->task] == running) return;
  c->task_running[sig->task] = running;
  if (c->level >= 0 && !c->entering && level_waits_for(c, SCN_ESC_TASK, sig->task)) esc_draw(c);
}

static int esc_start(crisis *c, uint64_t seed, uint32_t rep) {
  const crisis_model *m = c->m;
  arena *a = c->arena;
  c->level = -1;
  c->situation_seen = -1;
  c->phase = -1;
  /* The plan starts after the crisis (mc.c's module table) and announces its phases
   * and tasks from its first event, so subscribing here hears every one of them. */
  if ((m->esc_situation || m->m_situation >= 0) &&
      sim_subscribe(c->sim, SIG_SITUATION_CHANGED, on_situation, c) < 0)
    return -1;
  if (m->esc_phase && sim_subscribe(c->sim, SIG_PHASE_BEGAN, on_phase, c) < 0) return -1;
  if (m->esc_task) {
    if (!(c->task_running = arena_calloc(a, m->ntask ? m->ntask : 1, 1)) ||
        sim_subscribe(c->sim, SIG_TASK_STATUS, on_task, c) < 0)
      return -1;
  }
  if (m->nterr) {
    if (!(c->reach_time = arena_alloc(a, m->nterr * sizeof *c->reach_time))) return -1;
    for (size_t t = 0; t < m->nterr; t++) c->reach_time[t] = NAN;
    if (sim_subscribe(c->sim, SIG_SITE_STATUS, on_status, c) < 0 ||
        sim_subscribe(c->sim, SIG_REGION_STATUS, on_status, c) < 0)
      return -1;
  }
  const scn_escalation *e = m->esc;
  if (!e) return 0;
  c->esc_rng = arena_alloc(a, e->nlevel * sizeof *c->esc_rng);
  c->level_time = arena_alloc(a, e->nlevel * sizeof *c->level_time);
  if (!c->esc_rng || !c->level_time) return -1;
  for (size_t l = 0; l < e->nlevel; l++) {
    rng_init(&c->esc_rng[l], seed, rep, RNG_ESCALATION, m->esc_purpose[l]);
    c->level_time[l] = NAN;
  }
  if (e->trigger.kind == SCN_TRIG_AT && sim_at(c->sim, e->trigger.at, esc_begin, c) < 0)
    return -1;
  return 0;
}

static void esc_collect(const crisis *c, metric_out *out) {
  const crisis_model *m = c->m;
  if (m->esc) {
    for (size_t l = 0; l < m->esc->nlevel; l++)
      if (!isnan(c->level_time[l])) metric_put(out, m->m_level_time[l], c->level_time[l]);
    if (c->level >= 0) metric_put(out, m->m_level_final, c->level);
  }
  if (!m->nterr) return;
  double first = INFINITY;
  for (size_t t = 0; t < m->nterr; t++) {
    double when = c->reach_time[t];
    metric_put(out, m->m_reach_occ[t], !isnan(when));
    if (isnan(when)) continue;
    metric_put(out, m->m_reach_time[t], when);
    if (when < first) first = when;
  }
  metric_put(out, m->m_first_occ, isfinite(first));
  if (isfinite(first)) metric_put(out, m->m_first_time, first);
  metric_put(out, m->m_horizon, m->sc->horizon);
}

crisis *crisis_start(const crisis_model *m, sim *s, arena *a, metric_out *out,
                     uint64_t seed, uint32_t rep) {
  crisis *c = arena_calloc(a, 1, sizeof *c);
  if (!c) return NULL;
  c->m = m, c->sim = s, c->arena = a, c->series = out;
  if (sim_sites(s, m->nplace)) return NULL;
  c->situation = m->sc->plan ? m->sc->plan->initial : -1;
  if (metric_point_add(out, m->m_sites_closed, sim_now(s), 0) < 0) return NULL;
  c->ev = arena_calloc(a, m->nevent ? m->nevent : 1, sizeof *c->ev);
  c->place = arena_calloc(a, m->nplace ? m->nplace : 1, sizeof *c->place);
  c->region = arena_calloc(a, m->nregion ? m->nregion : 1, sizeof *c->region);
  if (!c->ev || !c->place || !c->region) return NULL;
  for (size_t e = 0; e < m->nevent; e++) {
    event_slot *slot = &c->ev[e];
    slot->c = c, slot->ev = (int)e, slot->state = EV_PENDING, slot->time = NAN;
    rng_init(&slot->rng, seed, rep, RNG_CRISIS, m->purpose[e]);
  }
  for (size_t e = 0; e < m->nevent; e++) {
    const scn_event *ev = &m->sc->event[e];
    if (ev->parent < 0 && ev->trigger.kind == SCN_TRIG_AT && isfinite(ev->trigger.at)) {
      c->ev[e].state = EV_DUE;
      double delay = dist_sample(&ev->delay, &c->ev[e].rng);
      if (sim_at(s, ev->trigger.at + (delay > 0 ? delay : 0), event_due, &c->ev[e]) < 0)
        return NULL;
    }
  }
  if (esc_start(c, seed, rep) < 0) return NULL;
  return c;
}

void crisis_collect(const crisis *c, sim *s, metric_out *out) {
  const crisis_model *m = c->m;
  double now = sim_now(s);
  for (size_t e = 0; e < m->nevent; e++) {
    int occurred = c->ev[e].state == EV_OCCURRED;
    metric_put(out, m->m_occurred[e], occurred);
    if (occurred) metric_put(out, m->m_time[e], c->ev[e].time);
  }
  for (size_t p = 0; p < m->nplace; p++) {
    if (m->m_closed[p] < 0) continue;
    const status_track *t = &c->place[p];
    metric_put(out, m->m_closed[p], t->total + (t->depth > 0 ? now - t->since : 0));
  }
  for (size_t r = 0; r < m->nregion; r++) {
    if (m->m_active[r] < 0) continue;
    const status_track *t = &c->region[r];
    metric_put(out, m->m_active[r], t->total + (t->depth > 0 ? now - t->since : 0));
  }
  if (m->m_missing >= 0) metric_put(out, m->m_missing, c->persons_missing);
  if (m->m_situation >= 0) metric_put(out, m->m_situation, c->situation < 0 ? 0 : c->situation);
  esc_collect(c, out);
}
