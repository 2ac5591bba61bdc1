/* inspection.c - ship inspection operations on the kernel: Poisson or replayed traffic
 * through a zone, boarding teams serving it by a priority rule, ships that leave
 * unserved, the legal gates, and the Erlang formulas the model is checked against.
 *
 * Random streams (module RNG_INSPECTION), by purpose: 0 the start delay, 1 service
 * (mode durations, consent, finds), 2 refits, 3 replayed ships' attributes, and for
 * traffic stream k: 16 + 2k its arrivals, 17 + 2k its ships' attributes.  Adding a
 * stream leaves the draws of the others unchanged. */
#include "inspection.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_gamma.h>

#include "err.h"
#include "geo_polygon.h"
#include "geodesy.h"
#include "plan.h"
#include "rng.h"
#include "scn_inspection.h"
#include "stats.h"

enum { P_START = 0, P_SERVICE = 1, P_REFIT = 2, P_REPLAY = 3, P_STREAM = 16 };

#define PI 3.14159265358979323846

/* ---- the per-run model ------------------------------------------------------------------ */

enum {
  M_SHIPS, M_INTEREST_SHIPS, M_COVERAGE, M_BOARDED_FRAC, M_DIVERTED_FRAC, M_LEFT_FRAC,
  M_INTEREST_MISSED, M_INTEREST_MISSED_FRAC, M_DIVERTED, M_CONSENT_REFUSED, M_MASTER_REFUSED,
  M_WAIT, M_WAIT_ALL, M_BOARDING_TIME, M_TEAM_UTIL, M_ASSET_UTIL, M_ON_STATION, M_START,
  M__COUNT
};

static const struct {
  const char *name, *unit, *text;
  unsigned flags;
} metric_info[M__COUNT] = {
    {"ships", "1", "ships that crossed the zone while the operation ran (in scope)", 0},
    {"interest_ships", "1", "vessels of interest among them", 0},
    {"coverage", "1", "fraction of in-scope ships hailed", METRIC_HEADLINE},
    {"boarded_frac", "1", "fraction of in-scope ships boarded", 0},
    {"diverted_frac", "1", "fraction of in-scope ships diverted", 0},
    {"left_frac", "1", "fraction of in-scope ships that left the zone unserved", 0},
    {"interest_missed", "1", "vessels of interest that left unserved or were not boarded",
     METRIC_HEADLINE},
    {"interest_missed_frac", "1", "fraction of vessels of interest missed", 0},
    {"diverted", "1", "ships diverted after a boarding found cargo of interest", 0},
    {"consent_refused", "1", "boardings wanted but without UNSC resolution or flag consent", 0},
    {"master_refused", "1", "boardings refused by the master", 0},
    {"wait_mean", "s", "mean wait of served ships, arrival (or start) to service", 0},
    {"wait_all_mean", "s", "mean time in queue of served and departed ships", 0},
    {"boarding_time_mean", "s", "mean duration of a boarding inspection", 0},
    {"team_utilisation", "1", "fraction of the operation boarding teams were busy", 0},
    {"asset_utilisation", "1", "fraction of the operation assets had a team busy", 0},
    {"asset_on_station", "1", "fraction of the operation assets were on station", 0},
    {"start_time", "s", "when the operation started", 0},
};

typedef struct unit_def {
  const scn_insp_asset *a;
  double base_lat, base_lon;
  int first_team, nteams;
  int useless; /* endurance too short for the round trip: never deploys */
} unit_def;

struct insp_model {
  const scn_scenario *sc;
  const scn_inspection *in;
  int metric[M__COUNT];
  double *p_interest;  /* [nclass * nflag] */
  double *p_consent;   /* [nflag] */
  size_t nunit, nteam;
  unit_def *unit;      /* [nunit] */
  double lat_min, lat_max, lon_min, lon_max, clat, clon; /* the zone */
  double backfill; /* longest possible crossing (s), INFINITY if unbounded */
  int unsc_gate;   /* the UNSC resolution's gate index in the authorities table, or -1 */
};

static int in_zone(const scn_region *r, double lat, double lon) {
  return geo_point_in_polygon(lat, lon, r->lat, r->lon, r->n);
}

/* The largest value d can take, INFINITY if unbounded. */
static double dist_max(const dist *d) {
  switch (d->kind) {
  case DIST_FIXED: return d->a;
  case DIST_UNIFORM: return d->b;
  case DIST_TRIANGULAR: return d->c;
  case DIST_EMPIRICAL: {
    double x = -INFINITY;
    for (size_t i = 0; i < d->n; i++) x = fmax(x, d->values[i]);
    return x;
  }
  default: return INFINITY;
  }
}

static int build_units(insp_model *m, diag *d) {
  const scn_inspection *in = m->in;
  for (size_t i = 0; i < in->nasset; i++) m->nunit += (size_t)in->asset[i].count;
  m->unit = calloc(m->nunit ? m->nunit : 1, sizeof *m->unit);
  if (!m->unit) return ERR_NOMEM;
  size_t u = 0;
  for (size_t i = 0; i < in->nasset; i++) {
    const scn_insp_asset *a = &in->asset[i];
    const scn_place *base = &m->sc->place[m->sc->force[a->force].base];
    double out = geo_distance(base->lat, base->lon, m->clat, m->clon) / a->speed;
    int useless = isfinite(a->endurance) && a->endurance <= 2 * out;
    if (useless)
      diag_report(d, DIAG_WARNING, m->sc->path, 0, 0,
                  "inspection asset '%s': endurance %.3g h is less than the round trip of %.3g h "
                  "from its base to the zone; it never deploys",
                  m->sc->force[a->force].id, a->endurance / 3600, 2 * out / 3600);
    for (int k = 0; k < a->count; k++, u++) {
      m->unit[u] = (unit_def){a, base->lat, base->lon, (int)m->nteam, a->teams, useless};
      m->nteam += (size_t)a->teams;
    }
  }
  return 0;
}

static void zone_box(insp_model *m) {
  const scn_region *z = &m->sc->region[m->in->zone];
  m->lat_min = m->lat_max = z->lat[0];
  m->lon_min = m->lon_max = z->lon[0];
  m->clat = m->clon = 0;
  for (size_t i = 0; i < z->n; i++) {
    m->lat_min = fmin(m->lat_min, z->lat[i]), m->lat_max = fmax(m->lat_max, z->lat[i]);
    m->lon_min = fmin(m->lon_min, z->lon[i]), m->lon_max = fmax(m->lon_max, z->lon[i]);
    m->clat += z->lat[i] / (double)z->n, m->clon += z->lon[i] / (double)z->n;
  }
}

/* unsc_resolution: {gate: ID}: the gate's index in the table the plan module publishes
 * SIG_GATE_OPENED with (its `gate`).  Without a table the shipped one is read, the
 * plan module's default, so the indices agree. */
static int resolve_gate(insp_model *m, const plan_authorities *table, diag *d) {
  const scn_inspection *in = m->in;
  const scn_loc *loc = &in->unsc_gate_loc;
  m->unsc_gate = -1;
  if (!in->unsc_gate) return 0;
  plan_authorities *own = NULL;
  int rc = 0;
  if (!table && (rc = plan_authorities_load(&own, plan_authorities_default_path(), d)))
    return rc;
  if (!table) table = own;
  m->unsc_gate = plan_authorities_find(table, PLAN_GATES, in->unsc_gate);
  if (m->unsc_gate < 0) {
    diag_report(d, DIAG_ERROR, loc->file, loc->line, loc->col,
                "unknown gate '%s' in the authorities table %s", in->unsc_gate,
                plan_authorities_path(table));
    rc = ERR_INPUT;
  } else if (!plan_scenario_uses(m->sc)) {
    diag_report(d, DIAG_WARNING, loc->file, loc->line, loc->col,
                "gate '%s' opens only by a 'situations:' gate entry, and the scenario has "
                "no 'situations:' or 'plan:' section: the resolution never comes", in->unsc_gate);
  }
  plan_authorities_free(own);
  return rc;
}

int insp_model_new(insp_model **out, const scn_scenario *sc, metric_set *ms, diag *d) {
  return insp_model_new_with(out, sc, NULL, ms, d);
}

int insp_model_new_with(insp_model **out, const scn_scenario *sc,
                        const struct plan_authorities *table, metric_set *ms, diag *d) {
  *out = NULL;
  const scn_inspection *in = sc->inspection;
  if (!in) return 0;
  insp_model *m = calloc(1, sizeof *m);
  if (!m) return ERR_NOMEM;
  m->sc = sc, m->in = in;
  int rc = resolve_gate(m, table, d);
  if (rc) goto fail;
  rc = ERR_NOMEM;
  size_t ncf = in->nclass * in->nflag;
  m->p_interest = malloc((ncf ? ncf : 1) * sizeof *m->p_interest);
  m->p_consent = malloc((in->nflag ? in->nflag : 1) * sizeof *m->p_consent);
  if (!m->p_interest || !m->p_consent) goto fail;
  for (size_t c = 0; c < in->nclass; c++)
    for (size_t f = 0; f < in->nflag; f++)
      m->p_interest[c * in->nflag + f] =
          scn_insp_rule_lookup(in->interest, in->ninterest, (int)c, (int)f);
  for (size_t f = 0; f < in->nflag; f++)
    m->p_consent[f] = scn_insp_rule_lookup(in->consent, in->nconsent, -1, (int)f);
  zone_box(m);
  m->backfill = in->crossing_infinite ? INFINITY : dist_max(&in->crossing);
  if ((rc = build_units(m, d)) < 0) goto fail;
  for (int k = 0; k < M__COUNT; k++)
    if ((rc = m->metric[k] = metric_define(ms, "inspection", metric_info[k].name,
                                           metric_info[k].unit, metric_info[k].flags,
                                           metric_info[k].text)) < 0)
      goto fail;
  *out = m;
  return 0;
fail:
  insp_model_free(m);
  return rc;
}

void insp_model_free(insp_model *m) {
  if (!m) return;
  free(m->p_interest), free(m->p_consent), free(m->unit);
  free(m);
}

/* ---- replication state ------------------------------------------------------------------ */

enum ship_state { SH_WAIT, SH_SERVE, SH_DONE, SH_GONE };

typedef struct ship ship;
struct ship {
  ship *prev, *next; /* in its queue while waiting; next links the free list */
  insp *I;
  double arrive, lat, lon;
  uint64_t seq;      /* arrival order, for FIFO across the two queues */
  int cls, flag, interest, state, leave_pending, in_scope;
};

typedef struct queue {
  ship *head, *tail;
  size_t n;
} queue;

enum unit_state { U_BASE, U_OUTBOUND, U_STATION, U_RECALLED, U_HOMEBOUND };

typedef struct unit {
  insp *I;
  const unit_def *def;
  int state, busy;
  double lat, lon;
  double busy_area, busy_since;       /* time with at least one team busy */
  double station_area, station_since; /* time on station */
} unit;

enum team_phase { PH_IDLE, PH_HAIL, PH_BOARD, PH_DIVERT };

typedef struct team {
  insp *I;
  unit *u;
  ship *sh;
  int phase;
  double since, busy_total;
} team;

/* A stream is dormant (no events) until the operation's start is in sight; its rate
 * history lets it then fill the zone with the ships it would have sent. */
typedef struct stream_state {
  insp *I;
  const scn_insp_stream *def;
  double rate, next_t;
  int live;
  size_t nhist;
  double *hist_t, *hist_rate; /* [nchange + 1]: rate from hist_t[i] on */
  rng_stream arrivals, ships;
} stream_state;

typedef struct rate_timer {
  stream_state *st;
  double rate;
} rate_timer;

struct insp {
  const insp_model *m;
  const scn_inspection *in;
  sim *sim;
  arena *arena;
  rng_stream r_start, r_service, r_refit, r_replay;
  queue interest, other;
  ship *free;
  uint64_t seq, simulated;
  unit *unit;   /* [nunit] */
  team *team;   /* [nteam] */
  stream_state *stream;
  size_t replay_next;
  int start_pending, started, unsc_open, traffic_live;
  int unsc_scopes; /* scopes (all situations, or one) the plan's UNSC gate is open for */
  double start_time;
  /* outcomes of in-scope ships */
  uint64_t ships, interest_ships, hailed, boarded, diverted, left, interest_missed;
  uint64_t consent_refused, master_refused, served, boardings;
  double wait_sum, wait_all_sum, boarding_sum;
};

/* ---- queues -------------------------------------------------------------------------------- */

/* Queues are in order of arrival.  A live arrival goes to the tail at once; ships a
 * waking stream sends from the past walk back from the tail to their place. */
static int before(const ship *a, const ship *b) {
  return a->arrive < b->arrive || (a->arrive == b->arrive && a->seq < b->seq);
}

static void q_push(queue *q, ship *s) {
  ship *after = q->tail;
  while (after && before(s, after)) after = after->prev;
  s->prev = after;
  s->next = after ? after->next : q->head;
  if (s->next) s->next->prev = s;
  else q->tail = s;
  if (after) after->next = s;
  else q->head = s;
  q->n++;
}

static void q_remove(queue *q, ship *s) {
  if (s->prev) s->prev->next = s->next;
  else q->head = s->next;
  if (s->next) s->next->prev = s->prev;
  else q->tail = s->prev;
  s->prev = s->next = NULL;
  q->n--;
}

static queue *queue_of(insp *I, const ship *s) { return s->interest ? &I->interest : &I->other; }

static void ship_free(insp *I, ship *s) {
  s->next = I->free;
  I->free = s;
}

/* Comparison distance for the nearest rule: equirectangular, monotone enough. */
static double near_key(const unit *u, const ship *s) {
  double dx = (s->lon - u->lon) * cos(u->lat * PI / 180), dy = s->lat - u->lat;
  return dx * dx + dy * dy;
}

static ship *pick(insp *I, const unit *u) {
  ship *a = I->interest.head, *b = I->other.head;
  switch (I->in->rule) {
  case SCN_INSP_INTEREST_FIRST:
    return a ? a : b;
  case SCN_INSP_FIFO:
    if (!a || !b) return a ? a : b;
    return before(a, b) ? a : b;
  case SCN_INSP_NEAREST: {
    ship *best = NULL;
    double best_k = INFINITY;
    for (int k = 0; k < 2; k++)
      for (ship *s = k ? b : a; s; s = s->next) {
        double key = near_key(u, s);
        if (key < best_k || (key == best_k && before(s, best))) best = s, best_k = key;
      }
    return best;
  }
  default:
    return a ? a : b;
  }
}

/* ---- service --------------------------------------------------------------------------------- */

static int active(const insp *I) {
  return I->started && (I->in->basis != SCN_INSP_UNSC_ONLY || I->unsc_open);
}

static double sample(const dist *d, rng_stream *r) {
  double x = dist_sample(d, r);
  return x > 0 ? x : 0;
}

static void team_step(sim *s, void *ctx);
static void leave_station(insp *I, unit *u);

static void unit_busy(unit *u, int delta) {
  double now = sim_now(u->I->sim);
  if (u->busy == 0 && delta > 0) u->busy_since = now;
  u->busy += delta;
  if (u->busy == 0) u->busy_area += now - u->busy_since;
}

static void start_service(insp *I, team *t, ship *sh) {
  double now = sim_now(I->sim);
  q_remove(queue_of(I, sh), sh);
  sh->state = SH_SERVE;
  if (sh->in_scope) {
    double w = now - fmax(sh->arrive, I->start_time);
    I->wait_sum += w, I->wait_all_sum += w, I->served++;
  }
  unit *u = t->u;
  unit_busy(u, 1);
  double transit = geo_distance(u->lat, u->lon, sh->lat, sh->lon) / u->def->a->speed;
  u->lat = sh->lat, u->lon = sh->lon;
  t->sh = sh, t->phase = PH_HAIL, t->since = now;
  if (sim_after(I->sim, transit + sample(&I->in->hail, &I->r_service), team_step, t) < 0)
    return; /* the kernel recorded the error and stops */
}

static void dispatch(insp *I) {
  if (!active(I)) return;
  for (size_t k = 0; k < I->m->nteam && (I->interest.n || I->other.n); k++) {
    team *t = &I->team[k];
    if (t->phase == PH_IDLE && t->u->state == U_STATION) start_service(I, t, pick(I, t->u));
  }
}

static void finish(insp *I, team *t) {
  double now = sim_now(I->sim);
  ship *sh = t->sh;
  sh->state = SH_DONE;
  if (!sh->leave_pending) ship_free(I, sh);
  t->busy_total += now - t->since;
  t->sh = NULL, t->phase = PH_IDLE;
  unit_busy(t->u, -1);
  if (t->u->state == U_RECALLED && t->u->busy == 0) leave_station(I, t->u);
  dispatch(I);
}

static void miss_interest(insp *I, const ship *sh) {
  if (sh->in_scope && sh->interest) I->interest_missed++;
}

/* After the hail: board if wanted and lawful (the vessel gate: UNSC resolution or the
 * flag state's consent; the boarding gate: the master's consent). */
static void after_hail(insp *I, team *t) {
  ship *sh = t->sh;
  const scn_inspection *in = I->in;
  if (sh->in_scope) I->hailed++;
  int want = sh->interest || rng_uniform(&I->r_service) < in->board_others;
  if (!want) return finish(I, t);
  if (!I->unsc_open && !(rng_uniform(&I->r_service) < I->m->p_consent[sh->flag])) {
    if (sh->in_scope) I->consent_refused++;
    miss_interest(I, sh);
    return finish(I, t);
  }
  if (in->master_consent < 1 && !(rng_uniform(&I->r_service) < in->master_consent)) {
    if (sh->in_scope) I->master_refused++;
    miss_interest(I, sh);
    return finish(I, t);
  }
  double d = sample(&in->board, &I->r_service);
  if (sh->in_scope) I->boarding_sum += d, I->boardings++;
  t->phase = PH_BOARD;
  sim_after(I->sim, d, team_step, t);
}

static void team_step(sim *s, void *ctx) {
  (void)s;
  team *t = ctx;
  insp *I = t->I;
  ship *sh = t->sh;
  const scn_inspection *in = I->in;
  switch (t->phase) {
  case PH_HAIL:
    after_hail(I, t);
    return;
  case PH_BOARD: {
    if (sh->in_scope) I->boarded++;
    double p = sh->interest ? in->find_interest : in->find_other;
    if (!(rng_uniform(&I->r_service) < p)) return finish(I, t);
    t->phase = PH_DIVERT;
    sim_after(I->sim, sample(&in->divert, &I->r_service), team_step, t);
    return;
  }
  case PH_DIVERT:
    if (sh->in_scope) I->diverted++;
    finish(I, t);
    return;
  default:
    BUG("inspection: a team stepped while idle");
  }
}

/* ---- ships ------------------------------------------------------------------------------------ */

static void ship_leaves(sim *s, void *ctx) {
  (void)s;
  ship *sh = ctx;
  insp *I = sh->I;
  sh->leave_pending = 0;
  if (sh->state == SH_WAIT) {
    q_remove(queue_of(I, sh), sh);
    sh->state = SH_GONE;
    if (sh->in_scope) {
      I->left++;
      I->wait_all_sum += sim_now(I->sim) - fmax(sh->arrive, I->start_time);
    }
    miss_interest(I, sh);
  }
  if (sh->state != SH_SERVE) ship_free(I, sh);
}

static void in_scope(insp *I, ship *sh) {
  sh->in_scope = 1;
  I->ships++;
  I->interest_ships += (uint64_t)sh->interest;
}

/* A ship entered the zone at time `arrive` (now, or earlier when a dormant stream
 * fills the zone) at (lat, lon); dwell NaN means draw the crossing time.  A ship that
 * has left again by now is dropped. */
static void ship_enters(insp *I, double arrive, int cls, int flag, double lat, double lon,
                        double dwell, rng_stream *r) {
  const scn_inspection *in = I->in;
  double now = sim_now(I->sim);
  int interest = rng_uniform(r) < I->m->p_interest[(size_t)cls * in->nflag + (size_t)flag];
  if (isnan(dwell)) dwell = in->crossing_infinite ? INFINITY : sample(&in->crossing, r);
  if (arrive < now && !(arrive + dwell > now)) return;
  ship *sh = I->free;
  if (sh) I->free = sh->next;
  else if (!(sh = arena_alloc(I->arena, sizeof *sh))) {
    sim_fail(I->sim, ERR_LIMIT);
    return;
  }
  *sh = (ship){.I = I, .arrive = arrive, .lat = lat, .lon = lon, .seq = I->seq++, .cls = cls,
               .flag = flag, .interest = interest, .state = SH_WAIT};
  I->simulated++;
  if (I->started && arrive >= I->start_time + in->warmup) in_scope(I, sh);
  q_push(queue_of(I, sh), sh);
  if (isfinite(dwell)) {
    sh->leave_pending = 1;
    if (sim_at(I->sim, arrive + dwell, ship_leaves, sh) < 0) return;
  }
  dispatch(I);
}

/* A uniform point of the zone, by rejection from its bounding box. */
static void random_point(const insp *I, rng_stream *r, double *lat, double *lon) {
  const insp_model *m = I->m;
  const scn_region *z = &m->sc->region[I->in->zone];
  for (int tries = 0; tries < 64; tries++) {
    *lat = m->lat_min + (m->lat_max - m->lat_min) * rng_uniform(r);
    *lon = m->lon_min + (m->lon_max - m->lon_min) * rng_uniform(r);
    if (in_zone(z, *lat, *lon)) return;
  }
  *lat = m->clat, *lon = m->clon;
}

static void stream_arrival(sim *s, void *ctx);

/* Poisson arrivals are memoryless, so after a rate change the next arrival is drawn
 * afresh from now; the superseded one is recognised by its time and ignored. */
static void stream_schedule(stream_state *st) {
  if (!st->live || !(st->rate > 0)) {
    st->next_t = NAN;
    return;
  }
  st->next_t = sim_now(st->I->sim) + rng_exponential(&st->arrivals, 1.0 / st->rate);
  sim_at(st->I->sim, st->next_t, stream_arrival, st);
}

static void stream_arrival(sim *s, void *ctx) {
  stream_state *st = ctx;
  if (sim_now(s) != st->next_t) return;
  double lat, lon;
  random_point(st->I, &st->ships, &lat, &lon);
  ship_enters(st->I, sim_now(s), st->def->cls, st->def->flag, lat, lon, NAN, &st->ships);
  stream_schedule(st);
}

/* Each change happens once (a time, or an event that occurs once), so the history
 * holds them all; a repeat could only come from a buggy publisher. */
static void set_rate(stream_state *st, double rate) {
  st->rate = rate;
  if (ALWAYS(st->nhist <= st->def->nchange)) {
    st->hist_t[st->nhist] = sim_now(st->I->sim);
    st->hist_rate[st->nhist++] = rate;
  }
  stream_schedule(st);
}

static void rate_change(sim *s, void *ctx) {
  (void)s;
  rate_timer *rt = ctx;
  set_rate(rt->st, rt->rate);
}

/* Wake a dormant stream at `now`: send, in time order, the ships it would have sent
 * in [from, now) that are still in the zone -- a Poisson process with the recorded
 * piecewise-constant rate, drawn by inverting its cumulative rate -- then go live.
 * Exact when no crossing lasts longer than now - from. */
static void stream_wake(stream_state *st, double from) {
  insp *I = st->I;
  double now = sim_now(I->sim), t = from;
  size_t seg = 0;
  while (seg + 1 < st->nhist && st->hist_t[seg + 1] <= t) seg++;
  while (t < now) {
    double e = rng_exponential(&st->arrivals, 1.0);
    for (;;) {
      double end = seg + 1 < st->nhist ? fmin(st->hist_t[seg + 1], now) : now;
      double r = st->hist_rate[seg], room = r * (end - t);
      if (e < room) {
        t += e / r;
        break;
      }
      e -= room, t = end;
      if (t >= now) break;
      seg++;
    }
    if (t >= now) break;
    double lat, lon;
    random_point(I, &st->ships, &lat, &lon);
    ship_enters(I, t, st->def->cls, st->def->flag, lat, lon, NAN, &st->ships);
  }
  st->live = 1;
  stream_schedule(st);
}

static void traffic_wake(insp *I) {
  if (I->traffic_live) return;
  I->traffic_live = 1;
  double from = fmax(0, sim_now(I->sim) - I->m->backfill);
  for (size_t k = 0; k < I->in->nstream; k++) stream_wake(&I->stream[k], from);
}

static void replay_arrival(sim *s, void *ctx) {
  insp *I = ctx;
  const scn_inspection *in = I->in;
  while (I->replay_next < in->npassage && in->passage[I->replay_next].t <= sim_now(s)) {
    const scn_insp_passage *p = &in->passage[I->replay_next++];
    ship_enters(I, p->t, p->cls, p->flag, p->lat, p->lon, p->dwell, &I->r_replay);
  }
  if (I->replay_next < in->npassage)
    sim_at(s, in->passage[I->replay_next].t, replay_arrival, I);
}

/* ---- assets ------------------------------------------------------------------------------------ */

static void unit_arrives(sim *s, void *ctx);

static double home_transit(const unit *u) {
  return geo_distance(u->lat, u->lon, u->def->base_lat, u->def->base_lon) / u->def->a->speed;
}

static void unit_recall(sim *s, void *ctx) {
  (void)s;
  unit *u = ctx;
  u->state = U_RECALLED;
  if (u->busy == 0) leave_station(u->I, u);
}

static void unit_departs(sim *s, void *ctx) {
  (void)s;
  unit *u = ctx;
  const insp_model *m = u->I->m;
  u->state = U_OUTBOUND;
  u->lat = u->def->base_lat, u->lon = u->def->base_lon;
  double out = geo_distance(u->lat, u->lon, m->clat, m->clon) / u->def->a->speed;
  sim_after(u->I->sim, out, unit_arrives, u);
  /* Leave the station in time to be home when the endurance runs out (the way back
   * is taken as long as the way out). */
  if (isfinite(u->def->a->endurance))
    sim_after(u->I->sim, u->def->a->endurance - out, unit_recall, u);
}

static void unit_home(sim *s, void *ctx) {
  unit *u = ctx;
  u->state = U_BASE;
  u->lat = u->def->base_lat, u->lon = u->def->base_lon;
  sim_after(s, sample(&u->def->a->refit, &u->I->r_refit), unit_departs, u);
}

static void leave_station(insp *I, unit *u) {
  double now = sim_now(I->sim);
  u->station_area += now - u->station_since;
  u->state = U_HOMEBOUND;
  sim_after(I->sim, home_transit(u), unit_home, u);
}

static void unit_arrives(sim *s, void *ctx) {
  unit *u = ctx;
  if (u->state == U_RECALLED) { /* recalled on the way out: turn back */
    u->station_since = sim_now(s);
    leave_station(u->I, u);
    return;
  }
  u->state = U_STATION;
  u->lat = u->I->m->clat, u->lon = u->I->m->clon;
  u->station_since = sim_now(s);
  dispatch(u->I);
}

/* ---- the operation and its gates ------------------------------------------------------------------ */

static void op_start(sim *s, void *ctx) {
  insp *I = ctx;
  I->started = 1;
  I->start_time = sim_now(s);
  if (I->in->warmup <= 0)
    for (int k = 0; k < 2; k++)
      for (ship *sh = k ? I->other.head : I->interest.head; sh; sh = sh->next) in_scope(I, sh);
  for (size_t u = 0; u < I->m->nunit; u++)
    if (!I->unit[u].def->useless) unit_departs(s, &I->unit[u]);
  dispatch(I);
}

static void begin_start(insp *I) {
  if (I->start_pending) return;
  I->start_pending = 1;
  traffic_wake(I);
  sim_after(I->sim, sample(&I->in->start_delay, &I->r_start), op_start, I);
}

static void start_due(sim *s, void *ctx) {
  (void)s;
  begin_start(ctx);
}

static void set_unsc(insp *I, int open) {
  I->unsc_open = open;
  dispatch(I); /* closing needs nothing more: teams finish, then wait */
}

static void on_event(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  insp *I = ctx;
  const scn_inspection *in = I->in;
  if (sig->event < 0) return; /* -1 marks "no event" in changes and gates */
  if (sig->event == in->unsc_event) set_unsc(I, 1);
  if (in->start_kind == SCN_INSP_START_EVENT && sig->event == in->start_event) begin_start(I);
  for (size_t k = 0; k < in->nstream; k++)
    for (size_t c = 0; c < in->stream[k].nchange; c++)
      if (in->stream[k].change[c].event == sig->event)
        set_rate(&I->stream[k], in->stream[k].change[c].rate);
}

static void on_situation(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  insp *I = ctx;
  if (I->in->start_kind == SCN_INSP_START_SITUATION && sig->situation >= I->in->start_situation)
    begin_start(I);
}

/* The plan's UNSC resolution gate: opening it lifts the vessel gate (and, under
 * unsc_only, starts the operation), `open` = 0 closes it again and pauses them.  The
 * plan announces each scope's changes (all situations, or one) apart; the resolution
 * does not depend on Japan's situation, so it is in force while any scope is open. */
static void on_gate(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  insp *I = ctx;
  if (I->m->unsc_gate < 0 || sig->gate != I->m->unsc_gate) return;
  I->unsc_scopes += sig->open ? 1 : -1;
  if (I->unsc_scopes < 0) I->unsc_scopes = 0; /* a closing never announced as open */
  set_unsc(I, I->unsc_scopes > 0);
}

/* ---- start and collect --------------------------------------------------------------------------- */

static int start_traffic(insp *I, uint64_t seed, uint32_t rep) {
  const scn_inspection *in = I->in;
  I->stream = arena_calloc(I->arena, in->nstream ? in->nstream : 1, sizeof *I->stream);
  if (!I->stream) return -1;
  for (size_t k = 0; k < in->nstream; k++) {
    stream_state *st = &I->stream[k];
    st->I = I, st->def = &in->stream[k], st->rate = st->def->rate;
    st->hist_t = arena_alloc(I->arena, (st->def->nchange + 1) * sizeof *st->hist_t);
    st->hist_rate = arena_alloc(I->arena, (st->def->nchange + 1) * sizeof *st->hist_rate);
    if (!st->hist_t || !st->hist_rate) return -1;
    st->hist_t[0] = 0, st->hist_rate[0] = st->rate, st->nhist = 1;
    rng_init(&st->arrivals, seed, rep, RNG_INSPECTION, P_STREAM + 2 * (uint32_t)k);
    rng_init(&st->ships, seed, rep, RNG_INSPECTION, P_STREAM + 2 * (uint32_t)k + 1);
    for (size_t c = 0; c < st->def->nchange; c++) {
      if (st->def->change[c].event >= 0) continue;
      rate_timer *rt = arena_alloc(I->arena, sizeof *rt);
      if (!rt) return -1;
      *rt = (rate_timer){st, st->def->change[c].rate};
      if (sim_at(I->sim, st->def->change[c].at, rate_change, rt) < 0) return -1;
    }
  }
  if (in->npassage && sim_at(I->sim, in->passage[0].t, replay_arrival, I) < 0) return -1;
  /* With crossings that may last forever, every ship since 0 may still be there. */
  if (!isfinite(I->m->backfill)) traffic_wake(I);
  return 0;
}

insp *insp_start(const insp_model *m, sim *s, arena *a, metric_out *out, uint64_t seed,
                 uint32_t rep) {
  (void)out;
  const scn_inspection *in = m->in;
  insp *I = arena_calloc(a, 1, sizeof *I);
  if (!I) return NULL;
  I->m = m, I->in = in, I->sim = s, I->arena = a, I->start_time = NAN;
  rng_init(&I->r_start, seed, rep, RNG_INSPECTION, P_START);
  rng_init(&I->r_service, seed, rep, RNG_INSPECTION, P_SERVICE);
  rng_init(&I->r_refit, seed, rep, RNG_INSPECTION, P_REFIT);
  rng_init(&I->r_replay, seed, rep, RNG_INSPECTION, P_REPLAY);
  I->unit = arena_calloc(a, m->nunit ? m->nunit : 1, sizeof *I->unit);
  I->team = arena_calloc(a, m->nteam ? m->nteam : 1, sizeof *I->team);
  if (!I->unit || !I->team) return NULL;
  for (size_t u = 0; u < m->nunit; u++) {
    unit *un = &I->unit[u];
    *un = (unit){.I = I, .def = &m->unit[u], .state = U_BASE};
    for (int k = 0; k < un->def->nteams; k++)
      I->team[un->def->first_team + k] = (team){.I = I, .u = un, .phase = PH_IDLE};
  }
  if (sim_subscribe(s, SIG_EVENT_OCCURRED, on_event, I) < 0 ||
      sim_subscribe(s, SIG_SITUATION_CHANGED, on_situation, I) < 0 ||
      sim_subscribe(s, SIG_GATE_OPENED, on_gate, I) < 0)
    return NULL;
  if (start_traffic(I, seed, rep) < 0) return NULL;
  if (in->start_kind == SCN_INSP_START_AT && sim_at(s, in->start_at, start_due, I) < 0)
    return NULL;
  return I;
}

uint64_t insp_ships_simulated(const insp *I) { return I ? I->simulated : 0; }

static double ratio(double num, double den) { return den > 0 ? num / den : NAN; }

void insp_collect(const insp *I, sim *s, metric_out *out) {
  const insp_model *m = I->m;
  const int *mi = m->metric;
  if (!I->started) return; /* nothing was in scope: every metric stays "not observed" */
  double now = sim_now(s), window = now - I->start_time;
  double busy = 0, ubusy = 0, station = 0;
  for (size_t k = 0; k < m->nteam; k++)
    busy += I->team[k].busy_total + (I->team[k].phase != PH_IDLE ? now - I->team[k].since : 0);
  for (size_t u = 0; u < m->nunit; u++) {
    const unit *un = &I->unit[u];
    ubusy += un->busy_area + (un->busy ? now - un->busy_since : 0);
    station += un->station_area +
               (un->state == U_STATION || un->state == U_RECALLED ? now - un->station_since : 0);
  }
  double n = (double)I->ships;
  metric_put(out, mi[M_SHIPS], n);
  metric_put(out, mi[M_INTEREST_SHIPS], (double)I->interest_ships);
  metric_put(out, mi[M_COVERAGE], ratio((double)I->hailed, n));
  metric_put(out, mi[M_BOARDED_FRAC], ratio((double)I->boarded, n));
  metric_put(out, mi[M_DIVERTED_FRAC], ratio((double)I->diverted, n));
  metric_put(out, mi[M_LEFT_FRAC], ratio((double)I->left, n));
  metric_put(out, mi[M_INTEREST_MISSED], (double)I->interest_missed);
  metric_put(out, mi[M_INTEREST_MISSED_FRAC],
             ratio((double)I->interest_missed, (double)I->interest_ships));
  metric_put(out, mi[M_DIVERTED], (double)I->diverted);
  metric_put(out, mi[M_CONSENT_REFUSED], (double)I->consent_refused);
  metric_put(out, mi[M_MASTER_REFUSED], (double)I->master_refused);
  metric_put(out, mi[M_WAIT], ratio(I->wait_sum, (double)I->served));
  metric_put(out, mi[M_WAIT_ALL], ratio(I->wait_all_sum, (double)(I->served + I->left)));
  metric_put(out, mi[M_BOARDING_TIME], ratio(I->boarding_sum, (double)I->boardings));
  metric_put(out, mi[M_TEAM_UTIL], ratio(busy, window * (double)m->nteam));
  metric_put(out, mi[M_ASSET_UTIL], ratio(ubusy, window * (double)m->nunit));
  metric_put(out, mi[M_ON_STATION], ratio(station, window * (double)m->nunit));
  metric_put(out, mi[M_START], I->start_time);
}

/* ---- Erlang C and Erlang A ------------------------------------------------------------------------ */

/* Erlang's B formula by the stable recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)). */
static double erlang_b(double a, int c) {
  double b = 1;
  for (int k = 1; k <= c; k++) b = a * b / (k + a * b);
  return b;
}

/* Gross, Shortle, Thompson and Harris, Fundamentals of Queueing Theory (4th ed.),
 * section 2.3: C = B / (1 - rho (1 - B)), Wq = C / (c mu - lambda). */
int insp_erlang_c(insp_queue_stats *out, double lambda, double mu, int c) {
  if (!(lambda > 0 && mu > 0 && c >= 1 && lambda < c * mu)) return ERR_RANGE;
  double a = lambda / mu, rho = a / c, b = erlang_b(a, c);
  out->p_wait = b / (1 - rho * (1 - b));
  out->p_abandon = 0;
  out->wq = out->p_wait / (c * mu - lambda);
  return 0;
}

/* Mandelbaum and Zeltyn, "Service engineering in action: the Palm/Erlang-A queue"
 * (2007), with x = c mu / theta, y = lambda / theta, rho = lambda / (c mu):
 *   A(x, y) = x e^y y^-x gamma(x, y)     (gamma: the lower incomplete gamma function)
 *   P(W > 0) = A E / (1 + (A - 1) E),    E = Erlang B(c, lambda / mu)
 *   P(Ab | W > 0) = 1 / (rho A) + 1 - 1 / rho
 *   E[Wq] = P(Ab) / theta                (Little: theta E[Lq] = lambda P(Ab))
 * Derivation from the birth-death chain in docs/models.md section 5. */
int insp_erlang_a(insp_queue_stats *out, double lambda, double mu, double theta, int c) {
  if (!(lambda > 0 && mu > 0 && theta > 0 && c >= 1)) return ERR_RANGE;
  double x = c * mu / theta, y = lambda / theta, rho = lambda / (c * mu);
  /* x > 0, y > 0: inside the function's domain.  P underflows only for loads far
   * below the servers' capacity (y << x), where abandonment is nil anyway. */
  gsl_sf_result p;
  if (gsl_sf_gamma_inc_P_e(x, y, &p) || !(p.val > 0)) return ERR_RANGE;
  double log_a = log(x) + y - x * log(y) + gsl_sf_lngamma(x) + log(p.val);
  if (!(log_a < 700)) return ERR_RANGE;
  double A = exp(log_a), E = erlang_b(lambda / mu, c);
  out->p_wait = A * E / (1 + (A - 1) * E);
  out->p_abandon = out->p_wait * (1 / (rho * A) + 1 - 1 / rho);
  out->wq = out->p_abandon / theta;
  return 0;
}
