/* missile.c - the missile attack's effects: raids, a notional leak-through probability
 * while a finite notional interceptor stock lasts, impacts closing places, J-Alert
 * pauses (docs/models.md "Missile attack").
 *
 * Each raid entry draws from its own stream keyed by a hash of its id (as the crisis'
 * events do), so adding or reordering raids leaves the others' draws unchanged. */
#include "missile.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "rng.h"
#include "scn_missile.h"

struct msl_model {
  const scn_scenario *sc;
  const scn_missile *M;
  uint32_t *purpose;   /* [nraid] */
  unsigned char *port; /* [nplace]: an impact there may raise persons missing at sea */
  int any_event;       /* some raid waits for a crisis event */
  int m_raids, m_missiles, m_intercepted, m_impacts, m_left;
  int m_warning, m_missing, m_casualties; /* -1 when no raid warns / raises / counts */
  int *m_impacts_at, *m_closure_at;       /* [nplace], -1 where no raid aims */
};

/* Why a place is closed: the two are tracked apart for their metrics, and together for
 * the status the others hear. */
enum { CL_IMPACT, CL_WARNING };

typedef struct spell {
  int depth;
  double since, total;
} spell;

typedef struct place_state {
  int depth;      /* closures of either kind in force: open = 0 */
  spell kind[2];  /* CL_IMPACT, CL_WARNING */
  int impacts;
} place_state;

typedef struct raid_slot {
  msl_run *r;
  int raid;
  int left;      /* raids of this entry still to come */
  int triggered; /* an `after:` raid's event has occurred */
  rng_stream rng;
} raid_slot;

typedef struct closure_slot {
  msl_run *r;
  int place, kind;
} closure_slot;

struct msl_run {
  const msl_model *m;
  sim *sim;
  arena *arena;
  raid_slot *raid;     /* [nraid] */
  place_state *place;  /* [nplace] */
  long *stock;         /* [narea] interceptors left, never negative */
  long raids, missiles, intercepted, impacts, missing;
  double casualties;
};

/* ---- model ------------------------------------------------------------------------ */

static uint32_t id_hash(const char *s) { /* FNV-1a */
  uint32_t h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static int define(metric_set *ms, const char *name, const char *unit, unsigned flags,
                  const char *text) {
  return metric_define(ms, "missile", name, unit, flags, text);
}

static int define_metrics(msl_model *m, metric_set *ms) {
  const scn_missile *M = m->M;
  const scn_scenario *sc = m->sc;
  char name[256], text[512];
  int any_warn = 0, any_missing = 0, any_casualties = 0;
  if ((m->m_raids = define(ms, "raids", "1", 0, "raids that arrived before the horizon")) < 0)
    return m->m_raids;
  if ((m->m_missiles = define(ms, "missiles", "1", 0, "missiles in the raids that arrived")) < 0)
    return m->m_missiles;
  if ((m->m_intercepted = define(ms, "intercepted", "1", METRIC_HIGHER_BETTER,
                                 "missiles engaged and stopped (notional leak-through)")) < 0)
    return m->m_intercepted;
  if ((m->m_impacts = define(ms, "impacts", "1", METRIC_HEADLINE | METRIC_LOWER_BETTER,
                             "missiles that leaked through and hit their target place")) < 0)
    return m->m_impacts;
  if ((m->m_left = define(ms, "interceptors_left", "1", METRIC_HIGHER_BETTER,
                          "notional interceptors left at the horizon, all areas")) < 0)
    return m->m_left;
  for (size_t i = 0; i < M->nraid; i++) {
    const scn_msl_raid *ra = &M->raid[i];
    any_warn |= ra->nwarn > 0;
    any_missing |= ra->missing.p > 0;
    any_casualties |= ra->casualties > 0;
    for (size_t t = 0; t < ra->ntarget; t++) {
      int p = ra->target[t].place;
      if (m->m_impacts_at[p] >= 0) continue;
      snprintf(name, sizeof name, "impacts.%s", sc->place[p].id);
      snprintf(text, sizeof text, "missile impacts at '%s'", sc->place[p].id);
      if ((m->m_impacts_at[p] = define(ms, name, "1", METRIC_LOWER_BETTER, text)) < 0)
        return m->m_impacts_at[p];
      snprintf(name, sizeof name, "closure_time.%s", sc->place[p].id);
      snprintf(text, sizeof text, "time '%s' was closed by impacts before the horizon",
               sc->place[p].id);
      if ((m->m_closure_at[p] = define(ms, name, "s", METRIC_LOWER_BETTER, text)) < 0)
        return m->m_closure_at[p];
    }
  }
  if (any_warn &&
      (m->m_warning = define(ms, "warning_hours", "s", METRIC_LOWER_BETTER,
                             "operations-hours lost to J-Alert warnings: the time each warned "
                             "place sheltered, summed over places")) < 0)
    return m->m_warning;
  if (any_missing &&
      (m->m_missing = define(ms, "persons_missing", "1", METRIC_LOWER_BETTER,
                             "persons missing at sea after impacts at ports")) < 0)
    return m->m_missing;
  if (any_casualties &&
      (m->m_casualties = define(ms, "casualties", "1", METRIC_LOWER_BETTER,
                                "notional casualties of the impacts (a demand for medical "
                                "care; no medical model)")) < 0)
    return m->m_casualties;
  return 0;
}

int msl_model_new(msl_model **out, const scn_scenario *sc, metric_set *ms, diag *d) {
  (void)d;
  *out = NULL;
  const scn_missile *M = scn_section_of(sc, "missile");
  if (!M) return 0;
  msl_model *m = calloc(1, sizeof *m);
  if (!m) return ERR_NOMEM;
  m->sc = sc, m->M = M;
  m->m_warning = m->m_missing = m->m_casualties = -1;
  m->purpose = malloc((M->nraid + 1) * sizeof *m->purpose);
  m->port = calloc(sc->nplace + 1, 1);
  m->m_impacts_at = malloc((sc->nplace + 1) * sizeof *m->m_impacts_at);
  m->m_closure_at = malloc((sc->nplace + 1) * sizeof *m->m_closure_at);
  int rc = ERR_NOMEM;
  if (!m->purpose || !m->port || !m->m_impacts_at || !m->m_closure_at) goto fail;
  for (size_t p = 0; p < sc->nplace; p++) {
    m->m_impacts_at[p] = m->m_closure_at[p] = -1;
    m->port[p] = strcmp(sc->place[p].kind, "port") == 0;
  }
  for (size_t i = 0; i < M->nraid; i++) {
    uint32_t h = id_hash(M->raid[i].id), p = h;
    /* two ids with one hash would share draws: salt the later one (deterministic) */
    for (uint32_t salt = 1;; salt++) {
      size_t k = 0;
      while (k < i && m->purpose[k] != p) k++;
      if (k == i) break;
      p = h ^ (0x9E3779B9u * salt);
    }
    m->purpose[i] = p;
    m->any_event |= M->raid[i].event >= 0;
  }
  if ((rc = define_metrics(m, ms)) < 0) goto fail;
  *out = m;
  return 0;
fail:
  msl_model_free(m);
  return rc;
}

void msl_model_free(msl_model *m) {
  if (!m) return;
  free(m->purpose), free(m->port), free(m->m_impacts_at), free(m->m_closure_at);
  free(m);
}

/* ---- replication ------------------------------------------------------------------ */

/* A closure of one kind begins (open 0) or ends (1) at place p: the status the others
 * hear changes only when the first closure of either kind begins or the last ends. */
static void status(msl_run *r, int p, int kind, int open) {
  place_state *ps = &r->place[p];
  spell *k = &ps->kind[kind];
  double now = sim_now(r->sim);
  if (!open) {
    if (k->depth++ == 0) k->since = now;
    if (ps->depth++ > 0) return;
  } else {
    if (--k->depth == 0) k->total += now - k->since;
    if (--ps->depth > 0) return;
  }
  /* Held as one closure in the kernel's count, with the crisis's and any other
   * model's: the place opens when the last of them ends (sim.h, site closures). */
  if (open) sim_site_reopen(r->sim, p, -1);
  else sim_site_close(r->sim, p, -1);
}

static void closure_ends(sim *s, void *ctx) {
  (void)s;
  closure_slot *cl = ctx;
  status(cl->r, cl->place, cl->kind, 1);
}

/* Close p for a draw of d (negative draws count as 0); a draw that cannot be
 * scheduled is blamed on d's text at loc, the duration named `what` of raid ra. */
static void close_for(msl_run *r, int p, int kind, const dist *d, const scn_loc *loc,
                      const char *what, const scn_msl_raid *ra, rng_stream *rng) {
  closure_slot *cl = arena_alloc(r->arena, sizeof *cl);
  if (!cl) {
    sim_fail(r->sim, ERR_LIMIT);
    return;
  }
  *cl = (closure_slot){r, p, kind};
  double dur = dist_sample(d, rng);
  status(r, p, kind, 0);
  sim_blame b = {loc->file, loc->line, loc->col, what, ra->id, dur};
  sim_after_drawn(r->sim, dur, closure_ends, cl, &b);
}

/* Where one missile is aimed: the raid's targets by their weights. */
static int draw_target(const scn_msl_raid *ra, rng_stream *rng) {
  double u = rng_uniform(rng);
  for (size_t t = 0; t + 1 < ra->ntarget; t++)
    if (u < ra->target[t].cum) return ra->target[t].place;
  return ra->target[ra->ntarget - 1].place;
}

static void impact(msl_run *r, const scn_msl_raid *ra, int p, rng_stream *rng) {
  const msl_model *m = r->m;
  r->impacts++;
  r->place[p].impacts++;
  r->casualties += ra->casualties;
  close_for(r, p, CL_IMPACT, &ra->closure, &ra->closure_loc,
            "the closure duration of an impact of raid", ra, rng);
  if (m->port[p] && ra->missing.p > 0 && rng_uniform(rng) < ra->missing.p) {
    const scn_place *pl = &m->sc->place[p];
    r->missing += ra->missing.count;
    sim_signal sig = {.type = SIG_PERSON_MISSING, .source = -1, .place = p, .region = -1,
                      .object = ra->missing.object, .count = ra->missing.count,
                      .lat = pl->lat, .lon = pl->lon};
    sim_publish(r->sim, &sig);
  }
}

/* The raid's missiles arrive: each is engaged if its place's area still holds k
 * interceptors (and then leaks with probability `leak`), else it leaks. */
static void raid_arrives(sim *s, void *ctx) {
  (void)s;
  raid_slot *slot = ctx;
  msl_run *r = slot->r;
  const scn_missile *M = r->m->M;
  const scn_msl_raid *ra = &M->raid[slot->raid];
  r->raids++;
  r->missiles += ra->size;
  for (int i = 0; i < ra->size; i++) {
    int p = draw_target(ra, &slot->rng), a = M->area_of[p];
    int leaks = 1;
    if (a >= 0 && r->stock[a] >= M->per_missile) {
      r->stock[a] -= M->per_missile;
      leaks = rng_uniform(&slot->rng) < M->leak;
      r->intercepted += !leaks;
    }
    if (leaks) impact(r, ra, p, &slot->rng);
  }
}

/* A raid is launched: J-Alert warns its places, which shelter at once; the missiles
 * arrive `lead` later; the next raid of the entry follows `every` later. */
static void raid_due(sim *s, void *ctx) {
  raid_slot *slot = ctx;
  msl_run *r = slot->r;
  const scn_msl_raid *ra = &r->m->M->raid[slot->raid];
  for (size_t w = 0; w < ra->nwarn; w++)
    close_for(r, ra->warn[w], CL_WARNING, &ra->shelter, &ra->shelter_loc,
              "the shelter time of an alert of raid", ra, &slot->rng);
  sim_after(s, ra->lead, raid_arrives, slot);
  if (slot->left-- > 0) sim_after(s, ra->every, raid_due, slot);
}

static void schedule(msl_run *r, raid_slot *slot, double from) {
  const scn_msl_raid *ra = &r->m->M->raid[slot->raid];
  double delay = dist_sample(&ra->delay, &slot->rng);
  sim_blame b = {ra->delay_loc.file, ra->delay_loc.line, ra->delay_loc.col,
                 "the delay of raid", ra->id, delay};
  sim_at_drawn(r->sim, from, delay, raid_due, slot, &b);
}

static void on_event(sim *s, const sim_signal *sig, void *ctx) {
  msl_run *r = ctx;
  const scn_missile *M = r->m->M;
  for (size_t i = 0; i < M->nraid; i++) {
    raid_slot *slot = &r->raid[i];
    if (M->raid[i].event != sig->event || slot->triggered) continue;
    slot->triggered = 1;
    schedule(r, slot, sim_now(s));
  }
}

msl_run *msl_start(const msl_model *m, sim *s, arena *a, metric_out *out, uint64_t seed,
                   uint32_t rep) {
  (void)out;
  const scn_missile *M = m->M;
  msl_run *r = arena_calloc(a, 1, sizeof *r);
  if (!r) return NULL;
  r->m = m, r->sim = s, r->arena = a;
  if (sim_sites(s, m->sc->nplace)) return NULL;
  r->raid = arena_calloc(a, M->nraid ? M->nraid : 1, sizeof *r->raid);
  r->place = arena_calloc(a, m->sc->nplace ? m->sc->nplace : 1, sizeof *r->place);
  r->stock = arena_calloc(a, M->narea ? M->narea : 1, sizeof *r->stock);
  if (!r->raid || !r->place || !r->stock) return NULL;
  for (size_t k = 0; k < M->narea; k++) r->stock[k] = M->area[k].stock;
  for (size_t i = 0; i < M->nraid; i++) {
    raid_slot *slot = &r->raid[i];
    slot->r = r, slot->raid = (int)i, slot->left = M->raid[i].repeat;
    rng_init(&slot->rng, seed, rep, RNG_MISSILE, m->purpose[i]);
    if (M->raid[i].event < 0) schedule(r, slot, M->raid[i].at);
  }
  if (m->any_event && sim_subscribe(s, SIG_EVENT_OCCURRED, on_event, r) < 0) return NULL;
  return sim_error(s) ? NULL : r;
}

long msl_interceptors_left(const msl_run *r) {
  long n = 0;
  for (size_t k = 0; k < r->m->M->narea; k++) n += r->stock[k];
  return n;
}

static double spell_total(const spell *k, double now) {
  return k->total + (k->depth > 0 ? now - k->since : 0);
}

void msl_collect(const msl_run *r, sim *s, metric_out *out) {
  const msl_model *m = r->m;
  double now = sim_now(s), warned = 0;
  metric_put(out, m->m_raids, (double)r->raids);
  metric_put(out, m->m_missiles, (double)r->missiles);
  metric_put(out, m->m_intercepted, (double)r->intercepted);
  metric_put(out, m->m_impacts, (double)r->impacts);
  metric_put(out, m->m_left, (double)msl_interceptors_left(r));
  for (size_t p = 0; p < m->sc->nplace; p++) {
    const place_state *ps = &r->place[p];
    warned += spell_total(&ps->kind[CL_WARNING], now);
    if (m->m_impacts_at[p] < 0) continue;
    metric_put(out, m->m_impacts_at[p], ps->impacts);
    metric_put(out, m->m_closure_at[p], spell_total(&ps->kind[CL_IMPACT], now));
  }
  if (m->m_warning >= 0) metric_put(out, m->m_warning, warned);
  if (m->m_missing >= 0) metric_put(out, m->m_missing, (double)r->missing);
  if (m->m_casualties >= 0) metric_put(out, m->m_casualties, r->casualties);
}
