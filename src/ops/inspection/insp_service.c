/* insp_service.c - the inspection replication's service (inspection.h,
 * insp_internal.h): tracks on the zone's plane, the queues by priority rule, boarding
 * teams, and the diversion legs to ports. */
#include "insp_internal.h"

/* ---- geometry ------------------------------------------------------------------------------- */

static void ship_pos(const ship *s, double t, double *x, double *y) {
  *x = s->x + s->vx * (t - s->t0);
  *y = s->y + s->vy * (t - s->t0);
}

/* Times T >= 0 in which an asset at distance (dx, dy) from a ship steaming (vx, vy),
 * sailing at speed v, reaches it: the smallest root of
 * |d + vs T| = v T, i.e. (|vs|^2 - v^2) T^2 + 2 (d.vs) T + |d|^2 = 0; INFINITY if none. */
double insp_intercept_time(double dx, double dy, double vx, double vy, double v) {
  double a = vx * vx + vy * vy - v * v, b = 2 * (dx * vx + dy * vy), c = dx * dx + dy * dy;
  if (c == 0) return 0;
  if (fabs(a) < 1e-12 * v * v) return b < 0 ? -c / b : INFINITY; /* equal speeds */
  double disc = b * b - 4 * a * c;
  if (disc < 0) return INFINITY;
  double q = -0.5 * (b + copysign(sqrt(disc), b)); /* the stable pair of roots */
  double t1 = q / a, t2 = c / q, best = INFINITY;
  if (t1 >= 0) best = t1;
  if (t2 >= 0 && t2 < best) best = t2;
  return best;
}

/* How long the asset of u takes from now to reach ship s (sailing to where it will be):
 * the straight chase on the zone's plane, unless that line meets land (only tested
 * when the zone's box holds some), then by sea (insp__chase_by_sea). */
static double reach_time(const unit *u, const ship *s, double now) {
  double sx, sy;
  ship_pos(s, now, &sx, &sy);
  double v = u->def->a->speed;
  double T = insp_intercept_time(sx - u->x, sy - u->y, s->vx, s->vy, v);
  const insp_model *m = u->I->m;
  if (!m->zone_land || !isfinite(T)) return T;
  double a_lat, a_lon, b_lat, b_lon, la, lo;
  insp__to_latlon(m, u->x, u->y, &a_lat, &a_lon);
  insp__to_latlon(m, sx + s->vx * T, sy + s->vy * T, &b_lat, &b_lon);
  if (!geo_sea_crosses(m->sea, a_lat, a_lon, b_lat, b_lon, 0, 0, &la, &lo)) return T;
  return insp__chase_by_sea(u->I, u->x, u->y, sx, sy, s->vx, s->vy, v, T);
}

/* Where the line {p : p.n = off} (n = (cos c, -sin c), c the course) crosses the zone's
 * edges, as distances along the course d = (sin c, cos c), sorted.  Returns how many.
 * Each edge is half open, so a line through a vertex counts it once. */
size_t insp__chord(const insp *I, double dx, double dy, double off, double *tau) {
  const insp_model *m = I->m;
  double nx = dy, ny = -dx;
  size_t k = 0;
  for (size_t i = 0; i < m->nzone; i++) {
    size_t j = (i + 1) % m->nzone;
    double pa = m->zx[i] * nx + m->zy[i] * ny, pb = m->zx[j] * nx + m->zy[j] * ny;
    if (pa == pb) continue; /* an edge along the course */
    double mu = (off - pa) / (pb - pa);
    if (!(mu >= 0 && mu < 1)) continue;
    double x = m->zx[i] + mu * (m->zx[j] - m->zx[i]), y = m->zy[i] + mu * (m->zy[j] - m->zy[i]);
    double t = x * dx + y * dy;
    size_t p = k++;
    while (p > 0 && tau[p - 1] > t) tau[p] = tau[p - 1], p--; /* insertion: n is small */
    tau[p] = t;
  }
  return k;
}

/* A track across the zone on course c (degrees): parallel tracks spread uniformly over
 * the zone's width across the course, so a ship enters at the first crossing of its
 * line and leaves at the next.  Sets the entry point and the length inside (m). */
void insp__draw_track(const insp *I, rng_stream *r, double course, double *x, double *y,
                      double *len) {
  const insp_model *m = I->m;
  double dx = sin(course * PI / 180), dy = cos(course * PI / 180), lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < m->nzone; i++) {
    double p = m->zx[i] * dy - m->zy[i] * dx;
    lo = fmin(lo, p), hi = fmax(hi, p);
  }
  for (int tries = 0; tries < 16; tries++) {
    double off = lo + (hi - lo) * rng_uniform(r);
    if (insp__chord(I, dx, dy, off, I->tau) < 2) continue; /* grazed a vertex */
    *x = off * dy + I->tau[0] * dx, *y = -off * dx + I->tau[0] * dy;
    *len = I->tau[1] - I->tau[0];
    return;
  }
  *x = *y = *len = 0; /* a degenerate zone: the ship passes its centroid at once */
}

/* From (x, y) inside the zone on course c: the distance to the first edge ahead. */
double insp__exit_distance(insp *I, double x, double y, double course) {
  double dx = sin(course * PI / 180), dy = cos(course * PI / 180);
  size_t k = insp__chord(I, dx, dy, x * dy - y * dx, I->tau);
  double at = x * dx + y * dy;
  for (size_t i = 0; i < k; i++)
    if (I->tau[i] > at + 1e-6) return I->tau[i] - at;
  return 0;
}

/* ---- queues -------------------------------------------------------------------------------- */

/* Queues are in order of arrival.  A live arrival goes to the tail at once; ships a
 * waking stream sends from the past walk back from the tail to their place. */
int insp__before(const ship *a, const ship *b) {
  return a->arrive < b->arrive || (a->arrive == b->arrive && a->seq < b->seq);
}

void insp__q_push(queue *q, ship *s) {
  ship *after = q->tail;
  while (after && insp__before(s, after)) after = after->prev;
  s->prev = after;
  s->next = after ? after->next : q->head;
  if (s->next) s->next->prev = s;
  else q->tail = s;
  if (after) after->next = s;
  else q->head = s;
  q->n++;
}

void insp__q_remove(queue *q, ship *s) {
  if (s->prev) s->prev->next = s->next;
  else q->head = s->next;
  if (s->next) s->next->prev = s->prev;
  else q->tail = s->prev;
  s->prev = s->next = NULL;
  q->n--;
}

queue *insp__queue_of(insp *I, const ship *s) { return s->interest ? &I->interest : &I->other; }

void insp__ship_free(insp *I, ship *s) {
  s->next = I->free;
  I->free = s;
}

/* With tracks a team takes only a ship its asset can reach before the ship leaves the
 * zone (*T: the time to reach it).  A stationary ship waits once taken, as in the
 * queueing models, so it is always reachable. */
static int reachable(const insp *I, const unit *u, const ship *s, double now, double *T) {
  *T = reach_time(u, s, now);
  return I->in->motion != SCN_INSP_TRACKS || now + *T < s->leave;
}

static ship *first_reachable(const insp *I, const unit *u, ship *s, double now) {
  double T;
  for (; s; s = s->next)
    if (reachable(I, u, s, now, &T)) return s;
  return NULL;
}

/* The waiting ship an idle team of u takes by the rule, or NULL. */
static ship *pick(insp *I, const unit *u) {
  double now = sim_now(I->sim), T;
  ship *a = I->interest.head, *b = I->other.head;
  switch (I->in->rule) {
  case SCN_INSP_FIFO:
    while (a || b) { /* merge the two queues in arrival order */
      ship **s = !b || (a && insp__before(a, b)) ? &a : &b;
      if (reachable(I, u, *s, now, &T)) return *s;
      *s = (*s)->next;
    }
    return NULL;
  case SCN_INSP_NEAREST: {
    /* Nearest in time: the shortest intercept from the ships' current positions (for
     * stationary ships, the nearest by distance). */
    ship *best = NULL;
    double best_k = INFINITY;
    for (int k = 0; k < 2; k++)
      for (ship *s = k ? b : a; s; s = s->next)
        if (reachable(I, u, s, now, &T) && (T < best_k || (T == best_k && best && insp__before(s, best))))
          best = s, best_k = T;
    return best;
  }
  case SCN_INSP_INTEREST_FIRST:
  default: {
    ship *s = first_reachable(I, u, a, now);
    return s ? s : first_reachable(I, u, b, now);
  }
  }
}

/* ---- service --------------------------------------------------------------------------------- */

/* Teams take ships while a regime holds (its task runs) and, under the consent regime
 * with legal_basis unsc_only, while the resolution is in force. */
static int active(const insp *I) {
  return I->started && I->regime >= 0 &&
         (I->regime != SCN_INSP_REGIME_CONSENT || I->in->basis != SCN_INSP_UNSC_ONLY ||
          I->unsc_open);
}

/* A duration drawn from d, negative ones taken as 0; a NaN is passed on, for the
 * kernel to refuse where it came from (insp__after_mode). */
double insp__sample(const dist *d, rng_stream *r) {
  double x = dist_sample(d, r);
  return x > 0 || isnan(x) ? x : 0;
}

sim_blame insp__blame(const scn_loc *at, const char *what, const char *id, double value) {
  return (sim_blame){at->file, at->line, at->col, what, id, value};
}

/* h after lead seconds plus a draw of one of the service's modes (hail, board,
 * divert): a draw the kernel cannot schedule fails the run blamed where the mode is
 * written (issue 21).  The delay is lead + draw from now, summed in that order (the
 * stored results depend on it). */
int insp__after_mode(insp *I, double lead, const dist *mode, const scn_loc *at, const char *name,
                     sim_handler h, void *ctx) {
  double d = insp__sample(mode, &I->r_service);
  sim_blame b = insp__blame(at, "the inspection's mode", name, d);
  if (!isfinite(d)) {
    sim_fail_blame(I->sim, ERR_RANGE, &b);
    return ERR_RANGE;
  }
  return sim_after_drawn(I->sim, lead + d, h, ctx, &b);
}

static void team_step(sim *s, void *ctx);
void insp__leave_station(insp *I, unit *u);
void insp__unit_arrives(sim *s, void *ctx);
void insp__unit_home(sim *s, void *ctx);

static void unit_busy(unit *u, int delta) {
  double now = sim_now(u->I->sim);
  if (u->busy == 0 && delta > 0) u->busy_since = now;
  u->busy += delta;
  if (u->busy == 0) u->busy_area += now - u->busy_since;
}

static void start_service(insp *I, team *t, ship *sh) {
  double now = sim_now(I->sim);
  unit *u = t->u;
  double transit = reach_time(u, sh, now);
  insp__q_remove(insp__queue_of(I, sh), sh);
  sh->state = SH_SERVE;
  if (sh->insp__in_scope) {
    double w = now - fmax(sh->arrive, I->start_time);
    I->wait_sum += w, I->wait_all_sum += w, I->served++;
    I->intercept_sum += transit;
  }
  unit_busy(u, 1);
  /* They meet where the ship will be; it then lies stopped for the hail, the boarding
   * and the request to divert (nothing asks where it is before they meet). */
  ship_pos(sh, now + transit, &u->x, &u->y);
  sh->t0 = now + transit, sh->x = u->x, sh->y = u->y, sh->vx = sh->vy = 0;
  t->sh = sh, t->phase = PH_HAIL, t->since = now;
  if (I->trace) {
    double lat, lon;
    insp__to_latlon(I->m, u->x, u->y, &lat, &lon);
    ops_trace_line(I->trace, now, "inspection",
                   "%s sails to intercept ship %llu%s, meets it in %.2f h at %.3fN %.3fE",
                   I->m->sc->force[u->def->a->force].id, (unsigned long long)sh->seq,
                   sh->interest ? " (of interest)" : "", transit / 3600, lat, lon);
  }
  if (insp__after_mode(I, transit, &I->in->hail, &I->in->hail_loc, "hail", team_step, t) < 0)
    return; /* the kernel recorded the error and stops */
}

void insp__dispatch(insp *I) {
  if (!active(I)) return;
  const unit *none = NULL; /* a unit that found no ship: its other teams would not */
  for (size_t k = 0; k < I->m->nteam && (I->interest.n || I->other.n); k++) {
    team *t = &I->team[k];
    if (t->phase != PH_IDLE || t->u->state != U_STATION || t->u == none) continue;
    ship *sh = pick(I, t->u);
    if (sh) start_service(I, t, sh);
    else none = t->u;
  }
}

/* The team is done with its ship; its asset is where the ship lay stopped.  A vessel
 * of interest neither boarded nor turned away is missed (docs/models.md section 5). */
static void finish(insp *I, team *t) {
  double now = sim_now(I->sim);
  ship *sh = t->sh;
  unit *u = t->u;
  if (u->state == U_STATION || u->state == U_RECALLED) ship_pos(sh, now, &u->x, &u->y);
  if (sh->interest && !sh->checked) I->interest_missed++;
  sh->state = SH_DONE;
  if (!sh->leave_pending) insp__ship_free(I, sh);
  t->busy_total += now - t->since;
  t->sh = NULL, t->phase = PH_IDLE;
  unit_busy(u, -1);
  if (u->state == U_RECALLED && u->busy == 0) insp__leave_station(I, u);
  insp__dispatch(I);
}

/* The request to change route or destination (and the persuasion), or under the
 * interdiction regime the order to sail for a Japanese port: the `divert` mode. */
static void begin_divert(insp *I, team *t) {
  t->phase = PH_DIVERT;
  insp__after_mode(I, 0, &I->in->divert, &I->in->divert_loc, "divert", team_step, t);
}

/* After the hail: board if wanted and lawful.  Under the consent regime (SIOA art. 2)
 * the activity rests on a UNSC resolution or the flag state's consent: without either
 * nothing more is done to the ship, not even a request; the master may refuse the
 * boarding (Appended Table: boarding with the master's consent), and the team may then
 * only request a change of route or destination.  Under the interdiction regime (MTRA
 * art. 4 and ch. 4) the ship is stopped and boarded without anyone's consent.  With no
 * regime in force (the task paused) the team lets the ship go. */
static void after_hail(insp *I, team *t) {
  ship *sh = t->sh;
  const scn_inspection *in = I->in;
  if (sh->insp__in_scope) I->hailed++;
  int want = sh->interest || sh->u[U_WANT] < in->board_others;
  if (!want || I->regime < 0) return finish(I, t);
  if (I->regime == SCN_INSP_REGIME_CONSENT) {
    if (!I->unsc_open && !(sh->u[U_FLAG] < I->m->p_consent[sh->flag])) {
      if (sh->insp__in_scope) I->consent_refused++;
      return finish(I, t);
    }
    if (in->master_consent < 1 && !(sh->u[U_MASTER] < in->master_consent)) {
      if (sh->insp__in_scope) I->master_refused++;
      return begin_divert(I, t);
    }
  }
  if (sh->insp__in_scope) I->boarded_by[I->regime]++;
  sh->checked = 1;
  double d = insp__sample(&in->board, &I->r_service);
  sim_blame b = insp__blame(&in->board_loc, "the inspection's mode", "board", d);
  ops_trace_line(I->trace, sim_now(I->sim), "inspection", "ship %llu boarded (%s regime), %.2f h",
                 (unsigned long long)sh->seq,
                 I->regime == SCN_INSP_REGIME_CONSENT ? "consent" : "interdiction", d / 3600);
  if (sh->insp__in_scope) I->boarding_sum += d, I->boardings++;
  t->phase = PH_BOARD;
  sim_after_drawn(I->sim, d, team_step, t, &b);
}

/* ---- diversion legs ------------------------------------------------------------------------- */

static void leg_arrives(sim *s, void *ctx);

/* The first open port in order of preference, or -1. */
static int open_port(const insp *I) {
  for (size_t k = 0; k < I->in->nport; k++)
    if (I->port_open[k]) return (int)k;
  return -1;
}

static const scn_place *port_place(const insp *I, int k) {
  return &I->m->sc->place[I->in->port[k]];
}

/* Sail leg g from (lat, lon) now to port k. */
static void leg_sail(insp *I, leg *g, double lat, double lon, int k) {
  const scn_place *p = port_place(I, k);
  g->lat0 = lat, g->lon0 = lon, g->t0 = sim_now(I->sim), g->port = k;
  double way = insp__sail(I->m, I->m->port_src ? I->m->port_src[k] : -1, p->lat, p->lon, lat, lon);
  g->t1 = g->t0 + way / g->speed;
  ops_trace_line(I->trace, g->t0, "inspection",
                 "diverted ship sails from %.3fN %.3fE for %s%s: %.1f nmi by sea, %.2f h", lat, lon,
                 p->id, g->escort ? " under escort" : "", way / 1852, (g->t1 - g->t0) / 3600);
  sim_at(I->sim, g->t1, leg_arrives, g);
}

/* Where leg g is at time now: as far along its way over water to the port as it has
 * sailed (geo_sea_along), or on the straight leg without a sea. */
static void leg_position(const insp *I, const leg *g, double now, double *lat, double *lon) {
  const insp_model *m = I->m;
  const scn_place *p = port_place(I, g->port);
  int src = m->port_src ? m->port_src[g->port] : -1;
  double sailed = (now - g->t0) * g->speed;
  if (m->sea && src >= 0 && geo_sea_along(m->sea, src, g->lat0, g->lon0, sailed, lat, lon) == 0)
    return;
  double f = g->t1 > g->t0 ? (now - g->t0) / (g->t1 - g->t0) : 1;
  *lat = g->lat0 + f * (p->lat - g->lat0), *lon = g->lon0 + f * (p->lon - g->lon0);
}

static void leg_unlink(insp *I, leg *g) {
  if (g->prev) g->prev->next = g->next;
  else I->legs = g->next;
  if (g->next) g->next->prev = g->prev;
  g->prev = NULL, g->next = I->free_legs;
  I->free_legs = g;
  g->t1 = NAN; /* a stale arrival finds no leg */
}

/* The escort is over at (lat, lon): back to the zone (over water, from the zone
 * centre's field), or home when its sortie ended. */
static void escort_done(insp *I, unit *u, double lat, double lon) {
  u->lat = lat, u->lon = lon;
  const insp_model *m = I->m;
  double to_zone = insp__sail(m, m->zone_src, m->clat, m->clon, lat, lon);
  if (u->recalled) {
    u->state = U_HOMEBOUND;
    sim_after(I->sim,
              insp__sail(I->m, u->def->src, u->def->base_lat, u->def->base_lon, lat, lon) / u->def->a->speed,
              insp__unit_home, u);
  } else {
    u->state = U_OUTBOUND;
    sim_after(I->sim, to_zone / u->def->a->speed, insp__unit_arrives, u);
  }
}

void insp__escort_end_accounting(unit *u) {
  if (!u->escorting) return;
  u->escorting = 0;
  u->escort_area += sim_now(u->I->sim) - u->escort_since;
}

static void leg_arrives(sim *s, void *ctx) {
  leg *g = ctx;
  insp *I = g->I;
  if (sim_now(s) != g->t1) return; /* superseded by a redirection */
  if (g->insp__in_scope) {
    I->div_arrived++, I->port_arrived[g->port]++;
    I->div_transit_sum += sim_now(s) - g->diverted;
  }
  const scn_place *p = port_place(I, g->port);
  unit *u = g->escort;
  ops_trace_line(I->trace, sim_now(s), "inspection", "diverted ship arrives in %s, %.2f h after its diversion",
                 p->id, (sim_now(s) - g->diverted) / 3600);
  leg_unlink(I, g);
  if (u) escort_done(I, u, p->lat, p->lon);
}

/* The team's ship is diverted at (x, y): it sails for the first open port, escorted by
 * the team's asset if the scenario says so; with every port closed it is let go. */
static void divert_to_port(insp *I, team *t) {
  ship *sh = t->sh;
  double now = sim_now(I->sim), x, y, lat, lon;
  int k = open_port(I);
  if (k < 0) {
    if (sh->insp__in_scope) I->div_no_port++;
    return;
  }
  leg *g = I->free_legs;
  if (g) I->free_legs = g->next;
  else if (!(g = arena_alloc(I->arena, sizeof *g))) {
    sim_fail(I->sim, ERR_LIMIT);
    return;
  }
  ship_pos(sh, now, &x, &y);
  insp__to_latlon(I->m, x, y, &lat, &lon);
  *g = (leg){.I = I, .speed = sh->speed, .diverted = now, .insp__in_scope = sh->insp__in_scope};
  g->next = I->legs;
  if (I->legs) I->legs->prev = g;
  I->legs = g;
  unit *u = t->u;
  if (I->in->escort == SCN_INSP_ESCORT_ASSET && (u->state == U_STATION || u->state == U_RECALLED)) {
    /* The asset leaves the zone with the ship at the ship's speed; its other teams
     * finish the ships they have (by boat), and it takes no new ones until back. */
    u->station_area += now - u->station_since;
    u->recalled = u->state == U_RECALLED;
    u->state = U_ESCORT, u->escorting = 1, u->escort_since = now;
    g->escort = u;
    if (sh->insp__in_scope) I->escorted++;
  }
  leg_sail(I, g, lat, lon, k);
}

/* A port opened or closed: legs bound for a closed one sail on for the next open port
 * from where they are (lat/lon interpolated along the leg); none open: the diversion
 * is given up there, and an escort turns back. */
void insp__on_site(sim *s, const sim_signal *sig, void *ctx) {
  insp *I = ctx;
  int closed = -1;
  for (size_t k = 0; k < I->in->nport; k++)
    if (I->in->port[k] == sig->place) {
      I->port_open[k] = sig->open != 0;
      if (!sig->open) closed = (int)k;
    }
  if (closed < 0) return;
  double now = sim_now(s);
  for (leg *g = I->legs, *next; g; g = next) {
    next = g->next;
    if (g->port != closed) continue;
    double lat, lon;
    leg_position(I, g, now, &lat, &lon);
    int k = open_port(I);
    if (k >= 0) {
      if (g->insp__in_scope) I->div_redirected++;
      leg_sail(I, g, lat, lon, k);
    } else {
      if (g->insp__in_scope) I->div_no_port++;
      unit *u = g->escort;
      leg_unlink(I, g);
      if (u) escort_done(I, u, lat, lon);
    }
  }
}

/* The interdiction regime ended (its task paused, withdrew or finished): no order to a
 * port stands any more, so every leg under way is given up where it is (as a leg whose
 * ports all closed) -- the ship goes on free, and its escort turns back to the zone. */
void insp__legs_release(insp *I) {
  double now = sim_now(I->sim);
  for (leg *g = I->legs, *next; g; g = next) {
    next = g->next;
    double lat, lon;
    leg_position(I, g, now, &lat, &lon);
    if (g->insp__in_scope) I->div_released++;
    unit *u = g->escort;
    leg_unlink(I, g);
    if (u) escort_done(I, u, lat, lon);
  }
}

/* The divert mode is over.  Consent regime: the ship was requested to change route or
 * destination, and complies with probability `comply` -- it then leaves on its new
 * course; no leg is followed and no asset escorts it (the act gives no power to).
 * Interdiction regime: the ship is ordered to a Japanese port (MTRA) and sails for the
 * first open diversion port, escorted with `escort: asset`.  With no regime in force
 * any more, nothing is asked. */
static void after_divert(insp *I, team *t) {
  ship *sh = t->sh;
  if (I->regime == SCN_INSP_REGIME_CONSENT) {
    if (sh->insp__in_scope) I->requested++;
    if (sh->u[U_COMPLY] < I->in->comply) {
      sh->checked = 1;
      if (sh->insp__in_scope) I->complied++, I->diverted++;
    }
  } else if (I->regime == SCN_INSP_REGIME_INTERDICTION) {
    sh->checked = 1;
    if (sh->insp__in_scope) I->ordered++, I->diverted++;
    if (I->in->nport) divert_to_port(I, t);
  }
  finish(I, t);
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
    if (sh->insp__in_scope) I->boarded++;
    double p = sh->interest ? in->find_interest : in->find_other;
    if (!(sh->u[U_FIND] < p)) return finish(I, t);
    begin_divert(I, t);
    return;
  }
  case PH_DIVERT:
    after_divert(I, t);
    return;
  default:
    BUG("inspection: a team stepped while idle");
  }
}
