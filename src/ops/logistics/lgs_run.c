/* lgs_run.c - one logistics replication (logistics.h, lgs_internal.h): where a
 * consumer at sea is, voyages through berths, start and collect. */
#include "lgs_internal.h"

#include "ops.h"
#include "quantity.h"

/* ---- where a consumer at sea is, and where a ship meets it ------------------------- */

static void consumer_pos(const lgs_run *r, int c, double t, double *lat, double *lon) {
  const scn_lgs_consumer *u = &r->m->L->consumer[c];
  if (r->station[c] >= 0) {
    *lat = u->station[r->station[c]].lat, *lon = u->station[r->station[c]].lon;
    return;
  }
  if (u->ntrack == 0) {
    *lat = u->lat, *lon = u->lon;
    return;
  }
  const scn_lgs_waypoint *w = u->track;
  size_t n = u->ntrack, i = 0;
  if (t <= w[0].t) { *lat = w[0].lat, *lon = w[0].lon; return; }
  if (t >= w[n - 1].t) { *lat = w[n - 1].lat, *lon = w[n - 1].lon; return; }
  while (i + 1 < n && w[i + 1].t < t) i++;
  double f = (t - w[i].t) / (w[i + 1].t - w[i].t);
  *lat = w[i].lat + f * (w[i + 1].lat - w[i].lat);
  *lon = w[i].lon + f * (w[i + 1].lon - w[i].lon);
}

/* Distance sailed from lat0/lon0 to lat/lon: over water from a depot's port (src >= 0,
 * lat0/lon0 its position), else the great circle (aircraft; a ship at sea following a
 * consumer that moved; a position the sea cannot reach, which check_reach rules out
 * for every track point and station). */
static double sea_distance(const lgs_model *m, int src, double lat0, double lon0, double lat,
                           double lon) {
  double d = src >= 0 ? geo_sea_distance(m->sea.sea, src, lat, lon) : INFINITY;
  return isfinite(d) ? d : geo_distance(lat0, lon0, lat, lon);
}

/* Where a unit leaving lat0/lon0 at t0 at `speed` meets consumer c: the fixed point of
 * T = t0 + |from - pos(T)| / speed, a contraction while the consumer is slower than the
 * ship (iterated from T = t0; docs/models.md).  Returns the distance sailed. */
double lgs__intercept(const lgs_run *r, int c, int src, double lat0, double lon0, double t0,
                      double speed, double *lat, double *lon) {
  double T = t0, d = 0;
  for (int i = 0; i < INTERCEPT_ITER; i++) {
    consumer_pos(r, c, T, lat, lon);
    d = sea_distance(r->m, src, lat0, lon0, *lat, *lon);
    double next = t0 + d / speed;
    if (fabs(next - T) < 1) break;
    T = next;
  }
  return d;
}

/* Whether a lane may deliver under its consumer's plan tasks (`task:`): a task gates the
 * classes of the nation that owns it -- Japanese law gates Japanese support, so a JP
 * task stops JP transports while US ones go on supplying (docs/models.md). */
static int lane_authorised(const lgs_run *r, int li) {
  const lgs_model *m = r->m;
  const lane *l = &m->lane[li];
  if (!l->gated) return 1;
  const scn_lgs_consumer *u = &m->L->consumer[l->consumer];
  for (size_t i = 0; i < u->ntask; i++) {
    int t = u->task[i];
    const char *owner = t >= 0 && t < m->ntask ? m->sc->plan->task[t].owner : NULL;
    if (owner && r->task_on[t] && strcmp(owner, m->nation[l->nation]) == 0)
      return 1;
  }
  return 0;
}

/* A consumer is planned for while some lane to it may deliver (or it follows no task). */
int lgs__consumer_authorised(const lgs_run *r, int c) {
  if (r->m->L->consumer[c].ntask == 0) return 1;
  for (int i = 0; i < r->m->nlane; i++)
    if (r->m->lane[i].consumer == c && lane_authorised(r, i)) return 1;
  return 0;
}

static int class_base(const lgs_run *r, int a) {
  int base = 0;
  for (int t = 0; t < a; t++) base += r->m->L->transport[t].count;
  return base;
}

static int unit_index_of_lane_class(const lgs_run *r, int a, int from) {
  /* An idle unit of class a, preferring one already at `from`. */
  int any = -1, base = class_base(r, a);
  for (int i = base; i < base + r->m->L->transport[a].count; i++)
    if (!r->unit[i].busy) {
      if (r->unit[i].at == from) return i;
      if (any < 0) any = i;
    }
  return any;
}

/* Idle units of class a that may sail: no more than its force's pool has free beyond
 * what a priority user (an evacuation mode with `lift: first`) reserves. */
int lgs__idle_units(const lgs_run *r, int a) {
  int base = class_base(r, a), n = 0;
  for (int i = base; i < base + r->m->L->transport[a].count; i++) n += !r->unit[i].busy;
  int pool = sim_lift_available(r->s, r->m->L->transport[a].force);
  return n < pool ? n : pool;
}

/* Whether a lane may be used now.  The restriction on JP assets lives here: when
 * plan/ publishes where its authorities allow support, ask it instead of `active`. */
int lgs__lane_blocked(const lgs_run *r, int li, int *why) {
  const lgs_model *m = r->m;
  const lane *l = &m->lane[li];
  const scn_lgs_transport *t = &m->L->transport[l->transport];
  if (r->closed[l->from]) return *why = bneck_place(m, l->from), 1;
  if (l->to >= 0 && r->closed[l->to]) return *why = bneck_place(m, l->to), 1;
  if (!lane_authorised(r, li)) return *why = bneck_authority(m, l->consumer), 1;
  uint64_t hit = r->lane_areas[li] & r->active;
  if (m->L->avoid_combat && hit && l->jp) {
    int i = 0;
    while (!(hit & ((uint64_t)1 << i))) i++;
    return *why = bneck_area(m, i), 1;
  }
  /* Endurance: out, unload a full load, back, within what one voyage may last. */
  if (2 * r->lane_dist[li] / t->speed + l->lgs__unload_full > t->endurance)
    return *why = bneck_endurance(m, l->transport), 1;
  return 0;
}

/* Withdrawals here never wait: the amount is there (the planner counted it). */
void lgs__taken(sim *s, void *ctx) { (void)s, (void)ctx; }

static void voyage_load(sim *s, void *ctx);
static void voyage_loaded(sim *s, void *ctx);
static void voyage_depart(sim *s, void *ctx);

void lgs_trace_to(lgs_run *r, const ops_trace *t) { r->trace = t; }

/* One line of straits trace about u's voyage: what it does, its lane and its cargo.
 * Formatted on the stack, and only when tracing. */
static void trace_voyage(const unit *u, const char *what, double hours) {
  const lgs_run *r = u->r;
  if (!r->trace) return;
  const lgs_model *m = r->m;
  char cargo[256] = "", q[48];
  size_t n = 0;
  for (int k = 0; k < m->K && n < sizeof cargo - 1; k++) {
    if (!(u->qty[k] > 0)) continue;
    qty_format(q, sizeof q, u->qty[k], m->L->commodity[k].volume ? QTY_VOLUME : QTY_MASS);
    int w = snprintf(cargo + n, sizeof cargo - n, "%s%s %s", n ? ", " : "",
                     m->L->commodity[k].id, q);
    n = w > 0 ? n + (size_t)w : n;
  }
  if (hours >= 0)
    ops_trace_line(r->trace, sim_now(r->s), "logistics", "voyage '%s' %s (%s), %.1f h in transit",
                   m->lane[u->lane].name, what, n ? cargo : "empty", hours);
  else
    ops_trace_line(r->trace, sim_now(r->s), "logistics", "voyage '%s' %s (%s)",
                   m->lane[u->lane].name, what, n ? cargo : "empty");
}
static void voyage_unload(sim *s, void *ctx);
static void voyage_unloaded(sim *s, void *ctx);
static void voyage_returned(sim *s, void *ctx);
static void voyage_ready(sim *s, void *ctx);

/* From place a to place b (a depot's port): over water for ships where the sea knows
 * the way, else the great circle. */
static double place_distance(const lgs_model *m, int a, int b, int air) {
  const scn_scenario *sc = m->sc;
  double d = !air && m->hop ? m->hop[(size_t)a * m->P + b] : NAN;
  return isfinite(d) ? d : geo_distance(sc->place[a].lat, sc->place[a].lon, sc->place[b].lat, sc->place[b].lon);
}

/* Give an idle unit of the lane's class (one already at the loading place first) a
 * voyage on the lane in this planning round; -1 when none is idle. */
static int assign_unit(lgs_run *r, int li) {
  const lane *l = &r->m->lane[li];
  int i = unit_index_of_lane_class(r, l->transport, l->from);
  if (i < 0 || !sim_lift_take(r->s, r->m->L->transport[l->transport].force, 0)) return -1;
  unit *u = &r->unit[i];
  u->busy = 1, u->lane = li;
  for (int k = 0; k < r->m->K; k++) u->qty[k] = 0;
  u->t_dispatch = u->busy_since = sim_now(r->s);
  r->assigned[li]++;
  r->round[r->nround++] = i;
  return i;
}

/* Room left on a unit for commodity k, SI: its own hold, or the share of a shared
 * hold that the cargo on board leaves (in whole solver units). */
static double unit_room(const lgs_run *r, const unit *u, int k) {
  const lgs_model *m = r->m;
  const scn_lgs_transport *t = &m->L->transport[u->transport];
  double cap = floor(t->capacity[k] / m->unit[k]) * m->unit[k];
  if (!t->shared_hold) return cap - u->qty[k];
  double used = 0;
  for (int j = 0; j < m->K; j++)
    if (u->qty[j] > 0) used += u->qty[j] / (floor(t->capacity[j] / m->unit[j]) * m->unit[j]);
  double room = (1 - used) * cap;
  room = floor(room / m->unit[k] + 1e-9) * m->unit[k];
  return room > 0 ? room : 0;
}

/* Put qty of commodity k on unit i (its lane's depot gives it now, so the next plan
 * does not count it twice). */
static void load_unit(lgs_run *r, int i, int k, double qty) {
  const lgs_model *m = r->m;
  unit *u = &r->unit[i];
  const lane *l = &m->lane[u->lane];
  sim_level_get(r->depot[l->depot * m->K + k], qty, lgs__taken, NULL);
  u->qty[k] += qty;
  r->in_transit[k] += qty;
  r->transit_to[l->consumer * m->K + k] += qty;
  r->shipped[u->lane * m->K + k] += qty;
}

/* Ship `amount` (SI) of k on lane li: fill the units already given this lane in the
 * round, then idle ones.  Returns what found no unit. */
double lgs__ship_on_lane(lgs_run *r, int li, int k, double amount) {
  /* Never more than the depot holds: the LP's amounts, rounded, may exceed it by a
   * millionth of a unit, and a withdrawal the level cannot meet would wait forever. */
  const sim_level *stock = r->depot[r->m->lane[li].depot * r->m->K + k];
  double lost = amount - fmin(amount, sim_level_amount(stock));
  amount -= lost;
  for (int j = 0; j < r->nround && amount > 0; j++) {
    unit *u = &r->unit[r->round[j]];
    if (u->lane != li) continue;
    double q = fmin(amount, unit_room(r, u, k));
    if (q > 0) load_unit(r, r->round[j], k, q), amount -= q;
  }
  while (amount > 1e-9) {
    int i = assign_unit(r, li);
    if (i < 0) break;
    double q = fmin(amount, unit_room(r, &r->unit[i], k));
    if (!(q > 0)) break;
    load_unit(r, i, k, q);
    amount -= q;
  }
  amount += lost > 1e-6 * r->m->unit[k] ? lost : 0;
  return amount > 1e-9 ? amount : 0;
}

/* The round is planned: every unit given a voyage sails (after repositioning). */
void lgs__launch_round(lgs_run *r) {
  const lgs_model *m = r->m;
  for (int j = 0; j < r->nround; j++) {
    unit *u = &r->unit[r->round[j]];
    const lane *l = &m->lane[u->lane];
    r->assigned[u->lane] = 0;
    /* Ships do not sail half empty: top up each commodity on board from the depot
     * (after the whole round is planned, so planned loads come first). */
    for (int i = 0; i < m->K && m->L->full_loads; i++) {
      int k = m->order[i];
      if (!(u->qty[k] > 0)) continue;
      double avail = floor(sim_level_amount(r->depot[l->depot * m->K + k]) / m->unit[k]) * m->unit[k];
      double top = fmin(unit_room(r, u, k), avail);
      if (top > 0) load_unit(r, r->round[j], k, top);
    }
    double speed = m->L->transport[u->transport].speed;
    double reposition =
        u->at == l->from ? 0 : place_distance(m, u->at, l->from, m->L->transport[u->transport].air) / speed;
    u->underway += reposition;
    if (sim_after(r->s, reposition, voyage_load, u)) sim_fail(r->s, ERR_LIMIT);
  }
  r->nround = 0;
}

/* Hours to load (rates of the loading side) or unload everything on board. */
static double handling_time(const unit *u, const double *rate, int K) {
  double t = 0;
  for (int k = 0; k < K; k++)
    if (u->qty[k] > 0) t += u->qty[k] / rate[k];
  return t;
}

static void berth_or_go(unit *u, int place, sim_handler granted) {
  lgs_run *r = u->r;
  int p = place >= 0 ? r->m->port_of_place[place] : -1;
  u->berth = p;
  if (p < 0) {
    granted(r->s, u);
    return;
  }
  if (sim_request(r->berth[p], granted, u)) sim_fail(r->s, ERR_LIMIT);
}

static void voyage_load(sim *s, void *ctx) {
  (void)s;
  unit *u = ctx;
  berth_or_go(u, u->r->m->lane[u->lane].from, voyage_loaded);
}

static void voyage_loaded(sim *s, void *ctx) {
  unit *u = ctx;
  const scn_lgs_transport *t = &u->r->m->L->transport[u->transport];
  if (sim_after(s, handling_time(u, t->load_rate, u->r->m->K), voyage_depart, u))
    sim_fail(s, ERR_LIMIT);
}

/* Loading done: free the berth, sail to the consumer (to where it will be). */
static void voyage_depart(sim *s, void *ctx) {
  unit *u = ctx;
  lgs_run *r = u->r;
  const lane *l = &r->m->lane[u->lane];
  double speed = r->m->L->transport[u->transport].speed, leg = l->distance;
  if (u->berth >= 0) sim_release(r->berth[u->berth]);
  u->berth = -1;
  u->t_leave = sim_now(s);
  u->lat = l->to_lat, u->lon = l->to_lon;
  if (l->to < 0) {
    const scn_place *p = &r->m->sc->place[l->from];
    leg = lgs__intercept(r, l->consumer, l->src, p->lat, p->lon, sim_now(s), speed, &u->lat, &u->lon);
  }
  trace_voyage(u, "sails", leg / speed / 3600);
  if (sim_after(s, leg / speed, voyage_unload, u)) sim_fail(s, ERR_LIMIT);
}

/* Cargo brought back when the consumer's supply task is not running on arrival goes
 * back into the depot's stock. */
static void voyage_brought_back(sim *s, void *ctx) {
  unit *u = ctx;
  lgs_run *r = u->r;
  const lgs_model *m = r->m;
  const lane *l = &m->lane[u->lane];
  for (int k = 0; k < m->K; k++) {
    double q = u->qty[k];
    if (!(q > 0)) continue;
    sim_level_put(r->depot[l->depot * m->K + k], q);
    r->in_transit[k] -= q;
    r->returned[k] += q;
    u->qty[k] = 0;
  }
  voyage_returned(s, u);
}

static void sail_home(unit *u, sim_handler then) {
  lgs_run *r = u->r;
  const lane *l = &r->m->lane[u->lane];
  const scn_place *p = &r->m->sc->place[l->from];
  double back = l->to >= 0 ? l->distance : sea_distance(r->m, l->src, p->lat, p->lon, u->lat, u->lon);
  if (sim_after(r->s, back / r->m->L->transport[u->transport].speed, then, u))
    sim_fail(r->s, ERR_LIMIT);
}

static void voyage_unload(sim *s, void *ctx) {
  unit *u = ctx;
  lgs_run *r = u->r;
  const lgs_model *m = r->m;
  const lane *l = &m->lane[u->lane];
  if (l->to < 0 && l->moving) {
    /* The consumer took up a new station while we sailed: follow it there. */
    double lat, lon;
    consumer_pos(r, l->consumer, sim_now(s), &lat, &lon);
    if (geo_distance(u->lat, u->lon, lat, lon) > MEET_TOLERANCE) {
      double speed = m->L->transport[u->transport].speed;
      double leg = lgs__intercept(r, l->consumer, -1, u->lat, u->lon, sim_now(s), speed, &lat, &lon);
      u->lat = lat, u->lon = lon;
      if (sim_after(s, leg / speed, voyage_unload, u)) sim_fail(s, ERR_LIMIT);
      return;
    }
  }
  if (!lane_authorised(r, u->lane)) { /* its supply task stopped: take it home */
    trace_voyage(u, "turns back: its supply task is not running", -1);
    for (int k = 0; k < m->K; k++) r->transit_to[l->consumer * m->K + k] -= u->qty[k];
    sail_home(u, voyage_brought_back);
    return;
  }
  if (l->to >= 0 && r->closed[l->to]) { /* wait off a closed port or airfield */
    if (sim_after(s, POLL_CLOSED, voyage_unload, u)) sim_fail(s, ERR_LIMIT);
    return;
  }
  berth_or_go(u, l->to, voyage_unloaded);
}

void lgs__deliver(sim *s, void *ctx);

static void voyage_unloaded(sim *s, void *ctx) {
  unit *u = ctx;
  const scn_lgs_transport *t = &u->r->m->L->transport[u->transport];
  if (sim_after(s, handling_time(u, t->unload_rate, u->r->m->K), lgs__deliver, u))
    sim_fail(s, ERR_LIMIT);
}

void lgs__deliver(sim *s, void *ctx) {
  unit *u = ctx;
  lgs_run *r = u->r;
  const lgs_model *m = r->m;
  const lane *l = &m->lane[u->lane];
  if (u->berth >= 0) sim_release(r->berth[u->berth]);
  u->berth = -1;
  trace_voyage(u, "delivers", -1);
  for (int k = 0; k < m->K; k++) {
    double q = u->qty[k];
    if (q <= 0) continue;
    sim_level_put(r->onhand[l->consumer * m->K + k], q);
    r->in_transit[k] -= q;
    r->transit_to[l->consumer * m->K + k] -= q;
    r->delivered[k] += q;
    r->lane_deliv[u->lane * m->K + k] += q;
    r->by_nation[(l->nation * m->C + l->consumer) * m->K + k] += q;
    u->qty[k] = 0;
  }
  double dt = sim_now(s) - u->t_dispatch;
  r->dsum += dt, r->dcount++;
  if (r->ndtime < r->capdtime) r->dtime[r->ndtime++] = dt;
  sail_home(u, voyage_returned);
}

/* Back at the loading place: turnaround, and the crew's rest once it is due. */
static void voyage_returned(sim *s, void *ctx) {
  unit *u = ctx;
  lgs_run *r = u->r;
  const scn_lgs_transport *t = &r->m->L->transport[u->transport];
  u->at = r->m->lane[u->lane].from;
  u->underway += sim_now(s) - u->t_leave;
  double turn = dist_sample(&t->turnaround, &r->turn_rng);
  turn = turn > 0 ? turn : 0;
  if (u->underway >= t->rest_after) {
    turn += t->rest_for;
    r->rest[u->transport] += t->rest_for;
    u->underway = 0;
  }
  sim_blame b = {t->turnaround_loc.file, t->turnaround_loc.line, t->turnaround_loc.col,
                 "the turnaround of the transports of force",
                 r->m->sc->force[t->force].id, turn};
  sim_after_drawn(s, turn, voyage_ready, u, &b);
}

static void voyage_ready(sim *s, void *ctx) {
  unit *u = ctx;
  sim_lift_give(s, u->r->m->L->transport[u->transport].force);
  u->busy = 0;
  u->busy_total += sim_now(s) - u->busy_since;
}


#define ALLOC(ptr, n) ((ptr) = arena_calloc(a, (size_t)(n) + 1, sizeof *(ptr)))

/* The LP of the replication running on this thread, until lgs_collect frees it. */
static _Thread_local lgs_lp *orphan_lp;

lgs_run *lgs_start(const lgs_model *m, sim *s, arena *a, metric_out *out, uint64_t seed,
                   uint32_t rep) {
  const scn_logistics *L = m->L;
  lgs_run *r = arena_calloc(a, 1, sizeof *r);
  if (!r) return NULL;
  r->m = m, r->s = s, r->out = out;
  int K = m->K, C = m->C, D = m->D;
  /* The force's units are one pool with any other model that uses it (sim.h). */
  if (sim_lifts(s, m->sc->nforce)) return NULL;
  for (int t = 0; t < m->A; t++) {
    int f = L->transport[t].force;
    sim_lift_set(s, f, m->sc->force[f].count);
  }
  if (!ALLOC(r->depot, D * K) || !ALLOC(r->onhand, C * K) || !ALLOC(r->berth, L->nport) ||
      !ALLOC(r->unit, m->nunits) || !ALLOC(r->closed, m->P) || !ALLOC(r->transit_to, C * K) ||
      !ALLOC(r->demanded, C * K) || !ALLOC(r->served, C * K) || !ALLOC(r->initial, K) ||
      !ALLOC(r->inflow, K) || !ALLOC(r->consumed, K) || !ALLOC(r->in_transit, K) ||
      !ALLOC(r->delivered, K) || !ALLOC(r->returned, K) || !ALLOC(r->shipped, m->nlane * K) ||
      !ALLOC(r->first_plan, m->nlane * K) || !ALLOC(r->lane_deliv, m->nlane * K) ||
      !ALLOC(r->xplan, m->nlane * K) || !ALLOC(r->lane_order, m->nlane) || !ALLOC(r->first_cost, K) ||
      !ALLOC(r->bneck, m->nbneck) || !ALLOC(r->by_nation, m->nnation * C * K) || !ALLOC(r->lane_bneck, m->nlane) || !ALLOC(r->rest, m->A) ||
      !ALLOC(r->blocked, m->nlane) || !ALLOC(r->assigned, m->nlane) ||
      !ALLOC(r->round, m->nunits) || !ALLOC(r->surge, C) || !ALLOC(r->station, C) ||
      !ALLOC(r->task_on, m->ntask) || !ALLOC(r->lane_dist, m->nlane) ||
      !ALLOC(r->lane_cost, m->nlane) || !ALLOC(r->lane_areas, m->nlane))
    return NULL;
  r->capdtime = (size_t)m->nunits * (size_t)(m->sc->horizon / 3600 + 1);
  if (!ALLOC(r->dtime, r->capdtime)) return NULL;
  rng_init(&r->demand_rng, seed, rep, RNG_LOGISTICS, PURPOSE_DEMAND);
  rng_init(&r->turn_rng, seed, rep, RNG_LOGISTICS, PURPOSE_TURNAROUND);
  for (int k = 0; k < K; k++) r->first_cost[k] = NAN;
  r->first_objective = NAN;
  for (int c = 0; c < C; c++) r->surge[c] = 1, r->station[c] = -1;
  for (int i = 0; i < m->nlane; i++)
    r->lane_dist[i] = m->lane[i].distance, r->lane_cost[i] = m->lane[i].cost,
    r->lane_areas[i] = m->lane[i].areas;
  for (int d = 0; d < D; d++)
    for (int k = 0; k < K; k++) {
      if (!(r->depot[d * K + k] = sim_level_new(s, a, INFINITY, L->depot[d].stock[k]))) return NULL;
      r->initial[k] += L->depot[d].stock[k];
    }
  for (int c = 0; c < C; c++)
    for (int k = 0; k < K; k++) {
      double q = dist_mean(&L->consumer[c].demand[k]) * L->consumer[c].on_hand;
      if (!(r->onhand[c * K + k] = sim_level_new(s, a, INFINITY, q))) return NULL;
      r->initial[k] += q;
    }
  /* A port's berths are the place's, shared with any other model there (sim.h). */
  if (sim_berths(s, m->sc->nplace)) return NULL;
  for (size_t p = 0; p < L->nport; p++)
    if (!(r->berth[p] = sim_berth(s, a, L->port[p].place, L->port[p].berths))) return NULL;
  for (int t = 0, i = 0; t < m->A; t++)
    for (int j = 0; j < L->transport[t].count; j++, i++) {
      unit *u = &r->unit[i];
      u->r = r, u->transport = t, u->berth = -1;
      if (!ALLOC(u->qty, K)) return NULL;
      u->at = m->sc->force[L->transport[t].force].base;
    }
  if (sim_subscribe(s, SIG_SITE_STATUS, lgs__on_site, r) ||
      sim_subscribe(s, SIG_REGION_STATUS, lgs__on_region, r) ||
      sim_subscribe(s, SIG_EVENT_OCCURRED, lgs__on_event, r) ||
      sim_subscribe(s, SIG_PHASE_BEGAN, lgs__on_phase, r) ||
      sim_subscribe(s, SIG_TASK_STATUS, lgs__on_task, r) || sim_at(s, 0, lgs__period_tick, r))
    return NULL;
  if (!(r->solvers = lgs__pool_take(m))) return NULL;
  if (m->coupled) {
    /* A replication that failed before lgs_collect left its LP here: free it. */
    lgs_lp_free(orphan_lp);
    if (!(orphan_lp = r->lp = lgs__make_lp(m))) return NULL;
  }
  return r;
}

static int cmp_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

void lgs_collect(lgs_run *r, sim *s, metric_out *out) {
  const lgs_model *m = r->m;
  const scn_logistics *L = m->L;
  double now = sim_now(s);
  for (int i = 0; i < m->C * m->K; i++)
    if (r->demanded[i] > 0) metric_put(out, m->m_fill + i, r->served[i] / r->demanded[i]);
  for (int k = 0; k < m->K; k++) {
    double sh = 0;
    for (int c = 0; c < m->C; c++) sh += r->demanded[c * m->K + k] - r->served[c * m->K + k];
    metric_put(out, m->m_short + k, sh);
    metric_put(out, m->m_delivered + k, r->delivered[k]);
    if (m->m_returned >= 0) metric_put(out, m->m_returned + k, r->returned[k]);
  }
  if (r->dcount) metric_put(out, m->m_deliv_mean, r->dsum / (double)r->dcount);
  if (r->ndtime) {
    qsort(r->dtime, r->ndtime, sizeof *r->dtime, cmp_double);
    metric_put(out, m->m_deliv_p90, stats_quantile_sorted(r->dtime, r->ndtime, 0.9));
  }
  for (int t = 0, i = 0; t < m->A; t++) {
    double busy = 0;
    for (int j = 0; j < L->transport[t].count; j++, i++)
      busy += r->unit[i].busy_total + (r->unit[i].busy ? now - r->unit[i].busy_since : 0);
    if (now > 0 && L->transport[t].count > 0)
      metric_put(out, m->m_asset + t, busy / (now * L->transport[t].count));
    metric_put(out, m->m_rest + t, r->rest[t]);
  }
  for (size_t p = 0; p < L->nport; p++)
    metric_put(out, m->m_berth + (int)p,
               sim_resource_mean_busy(r->berth[p]) / sim_resource_servers(r->berth[p]));
  for (int i = 0; i < m->nlane * m->K; i++)
    if (m->m_lane[i] >= 0) metric_put(out, m->m_lane[i], r->lane_deliv[i]);
  for (int i = 0; i < m->nlane; i++) metric_put(out, m->m_lane_bneck[i], r->lane_bneck[i]);
  for (int i = 0; i < m->nnation * m->C * m->K; i++)
    if (m->m_by[i] >= 0) metric_put(out, m->m_by[i], r->by_nation[i]);
  for (int c = 0; c < m->C; c++)
    for (int k = 0; k < m->K; k++) {
      int id = m->m_jp_share[c * m->K + k];
      double all = 0, jp = 0;
      for (int n = 0; n < m->nnation; n++) {
        double q = r->by_nation[(n * m->C + c) * m->K + k];
        all += q;
        if (strcmp(m->nation[n], "JP") == 0) jp += q;
      }
      if (id >= 0 && all > 0) metric_put(out, id, jp / all);
    }
  for (int b = 0; b < m->nbneck; b++)
    if (m->bneck_metric[b] >= 0) metric_put(out, m->bneck_metric[b], r->bneck[b]);
  metric_put(out, m->m_plans, r->plans);
  metric_put(out, m->m_replans, r->replans);
  lgs__pool_give(m, r->solvers);
  r->solvers = NULL;
  if (r->lp) {
    if (orphan_lp == r->lp) orphan_lp = NULL;
    lgs_lp_free(r->lp);
    r->lp = NULL;
  }
}

void lgs_balance_of(const lgs_run *r, int k, lgs_balance *b) {
  const lgs_model *m = r->m;
  b->initial = r->initial[k];
  b->inflow = r->inflow[k];
  b->consumed = r->consumed[k];
  b->in_transit = r->in_transit[k];
  b->delivered = r->delivered[k];
  b->returned = r->returned[k];
  b->on_hand = 0;
  for (int d = 0; d < m->D; d++) b->on_hand += sim_level_amount(r->depot[d * m->K + k]);
  for (int c = 0; c < m->C; c++) b->on_hand += sim_level_amount(r->onhand[c * m->K + k]);
}

double lgs_lane_shipped(const lgs_run *r, int li, int k) { return r->shipped[li * r->m->K + k]; }
double lgs_lane_delivered(const lgs_run *r, int li, int k) { return r->lane_deliv[li * r->m->K + k]; }
double lgs_lane_first_plan(const lgs_run *r, int li, int k) {
  return r->first_plan[li * r->m->K + k];
}
double lgs_first_plan_cost(const lgs_run *r, int k) { return r->first_cost[k]; }
double lgs_first_plan_objective(const lgs_run *r) { return r->first_objective; }
int lgs_plans(const lgs_run *r) { return r->plans; }
double lgs_rested(const lgs_run *r, int a) { return r->rest[a]; }
double lgs_surge(const lgs_run *r, int c) { return r->surge[c]; }
double lgs_bottleneck_count(const lgs_run *r, const char *name) {
  char buf[256];
  const lgs_model *m = r->m;
  for (int b = 0; b < m->nbneck; b++)
    if (lgs__bneck_name(m, b, buf, sizeof buf) > 0 && strcmp(buf, name) == 0) return r->bneck[b];
  for (int i = 0; i < m->nlane; i++) {
    snprintf(buf, sizeof buf, "bottleneck.lane.%s", m->lane[i].name);
    if (strcmp(buf, name) == 0) return r->lane_bneck[i];
  }
  return NAN;
}
