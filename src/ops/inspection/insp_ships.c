/* insp_ships.c - the inspection replication's ships and assets (inspection.h,
 * insp_internal.h): Poisson or replayed traffic, each ship's draws and fate, and the
 * assets' transits, stations and recalls. */
#include "insp_internal.h"

/* ---- ships ------------------------------------------------------------------------------------ */

static void ship_leaves(sim *s, void *ctx) {
  (void)s;
  ship *sh = ctx;
  insp *I = sh->I;
  sh->leave_pending = 0;
  if (sh->state == SH_WAIT) {
    insp__q_remove(insp__queue_of(I, sh), sh);
    sh->state = SH_GONE;
    if (sh->insp__in_scope) {
      I->left++;
      I->wait_all_sum += sim_now(I->sim) - fmax(sh->arrive, I->start_time);
    }
    if (sh->interest) I->interest_missed++;
  }
  if (sh->state != SH_SERVE) insp__ship_free(I, sh);
}

/* The latest plan phase begun by time t (phases begin in order), or -1. */
static int phase_at(const insp *I, double t) {
  int k = I->phase;
  while (k >= 0 && !(I->phase_t[k] <= t)) k--;
  return k;
}

void insp__in_scope(insp *I, ship *sh) {
  sh->insp__in_scope = 1;
  I->ships++;
  I->interest_ships += (uint64_t)sh->interest;
  if (I->phase_ships && sh->phase >= 0) I->phase_ships[sh->phase]++;
}

/* What a new ship is: class, flag, where and how it moves (local plane), its speed for a
 * diversion leg, and dwell, the time until it leaves (NaN: draw `crossing`; with limit,
 * the earlier of dwell and a `crossing` draw, as for a track with a patience). */
typedef struct ship_init {
  int cls, flag, limit, interest;
  double x, y, vx, vy, speed, dwell;
  float u[U__COUNT];
} ship_init;

/* The draws every new ship makes after its motion, in this order, from its stream:
 * whether it is of interest, then its patience.  Shared by live ships and by those a
 * dormant stream only counts, so both are the same ships. */
static void ship_draw_rest(const insp *I, ship_init *w, rng_stream *r) {
  const scn_inspection *in = I->in;
  w->interest = rng_uniform(r) < I->m->p_interest[(size_t)w->cls * in->nflag + (size_t)w->flag];
  if (isnan(w->dwell))
    w->dwell = in->crossing_infinite ? INFINITY : insp__sample(&in->crossing, r);
  else if (w->limit && !in->crossing_infinite)
    w->dwell = fmin(w->dwell, insp__sample(&in->crossing, r));
}

/* The uniforms of a new ship's service, from its stream's fates. */
static void ship_draw_fate(ship_init *w, rng_stream *fates) {
  for (int k = 0; k < U__COUNT; k++) w->u[k] = (float)rng_uniform(fates);
}

/* A ship that passes through the zone, counted over the whole horizon (docs/models.md
 * section 5: interest_missed); gone: it left again before the operation could see it. */
static void count_passage(insp *I, int interest, int gone) {
  I->passed++;
  I->interest_passed += (uint64_t)interest;
  if (gone) I->interest_missed += (uint64_t)interest;
}

/* A ship entered the zone at time `arrive` (now, or earlier when a dormant stream
 * wakes).  A ship that has left again by now is only counted. */
static void ship_enters(insp *I, double arrive, ship_init *w, rng_stream *r) {
  const scn_inspection *in = I->in;
  double now = sim_now(I->sim);
  ship_draw_rest(I, w, r);
  double dwell = w->dwell;
  if (arrive < now && !(arrive + dwell > now)) {
    count_passage(I, w->interest, 1);
    return;
  }
  count_passage(I, w->interest, 0);
  ship *sh = I->free;
  if (sh) I->free = sh->next;
  else if (!(sh = arena_alloc(I->arena, sizeof *sh))) {
    sim_fail(I->sim, ERR_LIMIT);
    return;
  }
  *sh = (ship){.I = I, .arrive = arrive, .t0 = arrive, .x = w->x, .y = w->y,
               .vx = w->vx, .vy = w->vy,
               .leave = arrive + dwell, .speed = w->speed, .seq = I->seq++, .cls = w->cls,
               .flag = w->flag, .interest = w->interest, .state = SH_WAIT,
               .phase = phase_at(I, arrive)};
  memcpy(sh->u, w->u, sizeof sh->u);
  I->simulated++;
  if (I->started && arrive >= I->start_time + in->warmup) insp__in_scope(I, sh);
  insp__q_push(insp__queue_of(I, sh), sh);
  if (isnan(dwell)) { /* a `crossing` draw that is not a number */
    sim_blame b = insp__blame(&in->crossing_loc, "the inspection's", "crossing", dwell);
    sim_fail_blame(I->sim, ERR_RANGE, &b);
    return;
  }
  if (isfinite(dwell)) {
    sh->leave_pending = 1;
    if (sim_at(I->sim, arrive + dwell, ship_leaves, sh) < 0) return;
  }
  insp__dispatch(I);
}

/* A uniform point of the zone, by rejection from its bounding box. */
static void random_point(const insp *I, rng_stream *r, double *lat, double *lon) {
  const insp_model *m = I->m;
  const scn_region *z = &m->sc->region[I->in->zone];
  for (int tries = 0; tries < 64; tries++) {
    *lat = m->lat_min + (m->lat_max - m->lat_min) * rng_uniform(r);
    *lon = m->lon_min + (m->lon_max - m->lon_min) * rng_uniform(r);
    if (insp__in_zone(z, *lat, *lon)) return;
  }
  *lat = m->clat, *lon = m->clon;
}

/* A draw for a ship that is not a finite number fails the run, blamed where the
 * distribution is written (issue 21); the ship goes on with `instead` until the
 * kernel stops at the end of this event. */
static double checked_draw(const insp *I, double x, const scn_loc *at, const char *what,
                           const char *id, double instead) {
  if (isfinite(x)) return x;
  sim_blame b = insp__blame(at, what, id, x);
  sim_fail_blame(I->sim, ERR_RANGE, &b);
  return instead;
}

/* A speed drawn from the class's rule (NaN without one). */
static double draw_speed(const insp *I, int cls, rng_stream *r) {
  const scn_insp_speed *sp = I->m->speed[cls];
  if (!sp) return NAN;
  double v = checked_draw(I, dist_sample(&sp->speed, r), &sp->loc, "the speed of ships of class",
                          I->in->class_name[cls], MIN_SPEED);
  return fmax(v, MIN_SPEED);
}

/* The motion of the next ship of stream def, from its stream r (course, speed, track;
 * or position and speed). */
static void stream_motion(const insp *I, const scn_insp_stream *def, rng_stream *r,
                          ship_init *w) {
  *w = (ship_init){.cls = def->cls, .flag = def->flag, .dwell = NAN};
  if (I->in->motion == SCN_INSP_TRACKS) {
    double course = checked_draw(I, dist_sample(&def->course, r), &def->course_loc,
                                 "the course of the traffic of class", I->in->class_name[def->cls], 0),
           len;
    w->speed = draw_speed(I, def->cls, r);
    insp__draw_track(I, r, course, &w->x, &w->y, &len);
    w->vx = w->speed * sin(course * PI / 180), w->vy = w->speed * cos(course * PI / 180);
    w->dwell = len / w->speed, w->limit = 1;
  } else {
    double lat, lon;
    random_point(I, r, &lat, &lon);
    insp__to_plane(I->m, lat, lon, &w->x, &w->y);
    w->speed = I->in->nport ? draw_speed(I, def->cls, r) : NAN;
  }
}

/* A ship of stream st entering at time t. */
static void stream_ship(stream_state *st, double t) {
  ship_init w;
  stream_motion(st->I, st->def, &st->ships, &w);
  ship_draw_fate(&w, &st->fates);
  ship_enters(st->I, t, &w, &st->ships);
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
  stream_ship(st, sim_now(s));
  stream_schedule(st);
}

/* Each change happens once (a time, an event that occurs once, a phase that begins
 * once), so the history holds them all; a repeat could only come from a buggy
 * publisher. */
void insp__set_rate(stream_state *st, double rate) {
  st->rate = rate;
  if (ALWAYS(st->nhist < st->cap)) {
    st->hist_t[st->nhist] = sim_now(st->I->sim);
    st->hist_rate[st->nhist++] = rate;
  }
  stream_schedule(st);
}

/* The rate in force: the latest phase's by_phase rate if it has one, else the base. */
double insp__rate_in_force(const stream_state *st) {
  int ph = st->I->phase;
  const double *pr = st->def->phase_rate;
  return pr && ph >= 0 && !isnan(pr[ph]) ? pr[ph] : st->base;
}

/* The base rate changed (a time or an event): as before by_phase existed, the stream
 * redraws, unless a phase's rate overrides the base. */
void insp__set_base(stream_state *st, double rate) {
  st->base = rate;
  double r = insp__rate_in_force(st);
  if (!st->def->phase_rate || r != st->rate) insp__set_rate(st, r);
}

void insp__rate_change(sim *s, void *ctx) {
  (void)s;
  rate_timer *rt = ctx;
  insp__set_base(rt->st, rt->rate);
}

/* The arrivals a stream live from time 0 would have made up to `until`, from its
 * recorded rate history: as stream_schedule does, each rate change redraws the next
 * arrival from the change (the one drawn before it is dropped), so these are the very
 * arrival times and ships of a stream that ran live from the start, whenever it wakes
 * (common random numbers whatever the operation's start).  Calls each(t) for every
 * arrival t < until; returns the first arrival drawn at or after `until` in the last
 * segment (NaN when its rate is 0). */
double insp__stream_replay(const stream_state *st, rng_stream *arrivals, double until,
                           void (*each)(const stream_state *st, double t, void *ctx),
                           void *ctx) {
  double next = NAN;
  for (size_t seg = 0; seg < st->nhist; seg++) {
    double t = st->hist_t[seg], rate = st->hist_rate[seg];
    int last = seg + 1 == st->nhist;
    double end = last ? until : st->hist_t[seg + 1];
    if (!(rate > 0)) continue;
    for (;;) {
      t += rng_exponential(arrivals, 1.0 / rate);
      if (!(t < end)) break;
      each(st, t, ctx);
    }
    if (last) next = t;
  }
  return next;
}

static void wake_each(const stream_state *st, double t, void *ctx) {
  (void)ctx;
  stream_ship((stream_state *)st, t);
}

/* Wake a dormant stream at `now`: the ships it would have sent since 0 enter (those
 * still in the zone) or are counted (those gone), then it goes live with the pending
 * arrival the replay drew. */
static void stream_wake(stream_state *st) {
  insp *I = st->I;
  double now = sim_now(I->sim);
  double next = insp__stream_replay(st, &st->arrivals, now, wake_each, NULL);
  st->live = 1;
  st->next_t = next;
  if (!isnan(next)) sim_at(I->sim, next, stream_arrival, st);
}

void insp__traffic_wake(insp *I) {
  if (I->traffic_live) return;
  I->traffic_live = 1;
  for (size_t k = 0; k < I->in->nstream; k++) stream_wake(&I->stream[k]);
}



void insp__count_each(const stream_state *st, double t, void *ctx) {
  dormant_count *dc = ctx;
  ship_init w;
  stream_motion(dc->I, st->def, &dc->ships, &w);
  ship_draw_rest(dc->I, &w, &dc->ships);
  dc->passed++;
  dc->interest += (uint64_t)w.interest;
  if (w.interest && t + w.dwell <= dc->until) dc->gone++;
}

void insp__replay_arrival(sim *s, void *ctx) {
  insp *I = ctx;
  const scn_inspection *in = I->in;
  while (I->replay_next < in->npassage && in->passage[I->replay_next].t <= sim_now(s)) {
    const scn_insp_passage *p = &in->passage[I->replay_next++];
    ship_init w = {.cls = p->cls, .flag = p->flag, .dwell = p->dwell, .speed = NAN};
    if (in->motion == SCN_INSP_TRACKS || in->nport) w.speed = draw_speed(I, p->cls, &I->r_replay);
    insp__to_plane(I->m, p->lat, p->lon, &w.x, &w.y);
    if (in->motion == SCN_INSP_TRACKS && !isnan(p->sog) && !isnan(p->cog)) {
      /* The reported course and speed; the track's end when the feed does not say. */
      double v = fmax(p->sog, MIN_SPEED);
      w.vx = v * sin(p->cog * PI / 180), w.vy = v * cos(p->cog * PI / 180), w.speed = v;
      if (isnan(w.dwell)) w.dwell = insp__exit_distance(I, w.x, w.y, p->cog) / v;
    } else if (in->motion == SCN_INSP_TRACKS && isnan(w.dwell)) {
      /* No motion and no exit in the feed: it lies where reported for the mean
       * crossing of the zone, the mean chord at its class's speed. */
      w.dwell = I->m->mean_chord / w.speed;
    }
    ship_draw_fate(&w, &I->r_replay_fate);
    ship_enters(I, p->t, &w, &I->r_replay);
  }
  if (I->replay_next < in->npassage)
    sim_at(s, in->passage[I->replay_next].t, insp__replay_arrival, I);
}

/* ---- assets ------------------------------------------------------------------------------------ */

static void unit_place(unit *u) { /* lat/lon of its plane position */
  insp__to_latlon(u->I->m, u->x, u->y, &u->lat, &u->lon);
}

static void unit_recall(sim *s, void *ctx) {
  (void)s;
  unit *u = ctx;
  switch (u->state) {
  case U_ESCORT:   /* home from the port */
  case U_OUTBOUND: /* turns back on reaching the zone (back from a port, or a sortie
                      too short for the way out: such units never deploy) */
    u->recalled = 1;
    return;
  case U_HOMEBOUND:
  case U_BASE: /* an escort already took it home */
    return;
  default:
    u->state = U_RECALLED;
    if (u->busy == 0) insp__leave_station(u->I, u);
  }
}

void insp__unit_departs(sim *s, void *ctx) {
  (void)s;
  unit *u = ctx;
  const insp_model *m = u->I->m;
  u->state = U_OUTBOUND;
  u->lat = u->def->base_lat, u->lon = u->def->base_lon;
  double out = insp__sail(m, u->def->src, u->lat, u->lon, m->clat, m->clon) / u->def->a->speed;
  sim_after(u->I->sim, out, insp__unit_arrives, u);
  /* Leave the station in time to be home when the endurance runs out (the way back
   * is taken as long as the way out). */
  if (isfinite(u->def->a->endurance))
    sim_after(u->I->sim, u->def->a->endurance - out, unit_recall, u);
}

void insp__unit_home(sim *s, void *ctx) {
  unit *u = ctx;
  insp__escort_end_accounting(u);
  u->state = U_BASE, u->recalled = 0;
  u->lat = u->def->base_lat, u->lon = u->def->base_lon;
  const scn_insp_asset *a = u->def->a;
  double refit = insp__sample(&a->refit, &u->I->r_refit);
  sim_blame b = insp__blame(&a->refit_loc, "the refit of the inspection asset",
                            u->I->m->sc->force[a->force].id, refit);
  sim_after_drawn(s, refit, insp__unit_departs, u, &b);
}

void insp__leave_station(insp *I, unit *u) {
  double now = sim_now(I->sim);
  u->station_area += now - u->station_since;
  u->state = U_HOMEBOUND;
  unit_place(u);
  double home = insp__sail(I->m, u->def->src, u->def->base_lat, u->def->base_lon, u->lat, u->lon) /
                u->def->a->speed;
  sim_after(I->sim, home, insp__unit_home, u);
}

void insp__unit_arrives(sim *s, void *ctx) {
  unit *u = ctx;
  insp__escort_end_accounting(u);
  u->x = u->y = 0; /* the zone's centroid */
  if (u->recalled) { /* recalled on the way: turn back */
    u->station_since = sim_now(s);
    insp__leave_station(u->I, u);
    return;
  }
  u->state = U_STATION;
  u->station_since = sim_now(s);
  insp__dispatch(u->I);
}
