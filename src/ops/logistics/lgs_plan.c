/* lgs_plan.c - the logistics planning rounds (logistics.h, lgs_internal.h): each
 * period's requirements, the per-commodity flows or the coupled LP, bottlenecks, and
 * the signals that call for a re-plan. */
#include "lgs_internal.h"

/* ---- planning ------------------------------------------------------------------------ */

/* A consumer's requirement of k now, in solver units: up to its target, less what it
 * holds and what is on the way (docs/models.md). */
int64_t lgs__requirement(const lgs_run *r, int c, int k) {
  const lgs_model *m = r->m;
  const scn_lgs_consumer *u = &m->L->consumer[c];
  double rate = dist_mean(&u->demand[k]) * r->surge[c];
  double gap = rate * u->target - sim_level_amount(r->onhand[c * m->K + k]) -
               r->transit_to[c * m->K + k];
  return gap > 0 ? (int64_t)ceil(gap / m->unit[k] - 1e-9) : 0;
}

/* Lanes to a moving consumer end where a unit leaving now would meet it. */
static void update_lanes(lgs_run *r) {
  const lgs_model *m = r->m;
  for (int i = 0; i < m->nlane; i++) {
    const lane *l = &m->lane[i];
    if (!l->moving) continue;
    const scn_place *p = &m->sc->place[l->from];
    double speed = m->L->transport[l->transport].speed, lat, lon;
    double d = lgs__intercept(r, l->consumer, l->src, p->lat, p->lon, sim_now(r->s), speed, &lat, &lon);
    r->lane_dist[i] = d;
    r->lane_cost[i] = lgs__minutes_cost(d, speed);
    /* Only JP classes avoid combat areas: the others' crossings are never asked. */
    r->lane_areas[i] = l->jp && m->L->avoid_combat ? lgs__leg_areas(m, p->lat, p->lon, lat, lon, d) : 0;
  }
}

/* Berth-hours of a loading place in one period, in solver units of k at the fastest
 * loading rate there (the dock arc's capacity), or LGS_FLOW_INF without a berth limit. */
static int64_t dock_capacity(const lgs_model *m, int j, int k) {
  int q = m->port_of_place[m->dock_place[j]];
  double rate = m->dock_rate[j * m->K + k];
  if (q < 0 || !(rate > 0)) return LGS_FLOW_INF;
  return (int64_t)floor(m->L->port[q].berths * m->L->period * rate / m->unit[k]);
}

/* Berth-hours of a delivery port in one period for one consumer, in solver units of k
 * at the fastest unloading rate there (the landing arc's capacity). */
static int64_t land_capacity(const lgs_model *m, int j, int k) {
  int q = m->port_of_place[m->land_place[j]];
  double rate = m->land_rate[j * m->K + k];
  if (q < 0 || !(rate > 0)) return LGS_FLOW_INF;
  return (int64_t)floor(m->L->port[q].berths * m->L->period * rate / m->unit[k]);
}

/* The binding constraint of a network plan with unmet requirement: the full lane (or
 * loading or delivery place's berths) whose reduced cost is most negative (one more unit of its
 * capacity would save the most), a blocked lane, or a depot whose stock was shipped.
 * *which_lane: the lane, or -1. */
static int find_bottleneck(const lgs_run *r, int k, const lgs_flow *f, const int *blocked_why,
                           int *which_lane) {
  const lgs_model *m = r->m;
  const knet *n = &m->net[k];
  double best = 0;
  int which = -1;
  *which_lane = -1;
  for (int i = 0; i < n->nlane; i++) {
    const lane *l = &m->lane[n->lane[i]];
    int arc = n->lane_arc[i];
    if (lgs_flow_flow(f, arc) < lgs_flow_capacity(f, arc)) continue;
    double rc = (double)lgs_flow_cost(f, arc) + (double)lgs_flow_potential(f, lgs__node_dock(m, l->dock)) -
                (double)lgs_flow_potential(f, lgs__node_head(m, l));
    if (rc < best) {
      best = rc;
      which = blocked_why[i] >= 0 ? blocked_why[i] : bneck_asset(m, l->transport);
      *which_lane = n->lane[i];
    }
  }
  for (int j = 0; j < m->ndock; j++) {
    int arc = n->dock_arc[j];
    if (lgs_flow_capacity(f, arc) == LGS_FLOW_INF || lgs_flow_flow(f, arc) < lgs_flow_capacity(f, arc))
      continue;
    double rc = (double)lgs_flow_potential(f, lgs__node_depot(m, m->dock_depot[j])) -
                (double)lgs_flow_potential(f, lgs__node_dock(m, j));
    if (rc < best)
      best = rc, which = bneck_berth(m, m->port_of_place[m->dock_place[j]]), *which_lane = -1;
  }
  for (int j = 0; j < m->nland; j++) {
    int arc = n->land_arc[j];
    if (lgs_flow_capacity(f, arc) == LGS_FLOW_INF || lgs_flow_flow(f, arc) < lgs_flow_capacity(f, arc))
      continue;
    double rc = (double)lgs_flow_potential(f, lgs__node_landing(m, j)) -
                (double)lgs_flow_potential(f, lgs__node_consumer(m, m->land_consumer[j]));
    if (rc < best)
      best = rc, which = bneck_berth(m, m->port_of_place[m->land_place[j]]), *which_lane = -1;
  }
  if (which >= 0) return which;
  for (int d = 0; d < m->D; d++)
    if (lgs_flow_flow(f, n->excess_arc[d]) == 0 &&
        sim_level_amount(r->depot[d * m->K + k]) >= m->unit[k])
      return bneck_depot(m, d);
  for (int d = 0; d < m->D; d++)
    if (lgs_flow_flow(f, n->excess_arc[d]) == 0) return bneck_depot(m, d);
  return bneck_reach(m);
}

static void count_bottleneck(lgs_run *r, int element, int li) {
  r->bneck[element] += 1;
  r->binding |= 1u << bneck_kind(r->m, element);
  if (li >= 0) r->lane_bneck[li] += 1;
}

/* Requirement of consumers whose supply task is not running: not planned, but part of
 * the backlog, and their authority is the bottleneck. */
static double unauthorised(lgs_run *r, int k, int count) {
  double q = 0;
  for (int c = 0; c < r->m->C; c++) {
    if (lgs__consumer_authorised(r, c)) continue;
    int64_t need = lgs__requirement(r, c, k);
    q += (double)need * r->m->unit[k];
    if (count && need > 0) count_bottleneck(r, bneck_authority(r->m, c), -1);
  }
  return q;
}

static void plan_commodity(lgs_run *r, int k, int count_bottleneck_) {
  const lgs_model *m = r->m;
  const knet *n = &m->net[k];
  lgs_flow *f = r->solvers->flow[k];
  double unit_si = m->unit[k];
  int64_t need = 0, have = 0;
  int *blocked_why = r->blocked;
  for (int d = 0; d < m->D; d++) {
    int64_t a = (int64_t)floor(sim_level_amount(r->depot[d * m->K + k]) / unit_si);
    lgs_flow_set_supply(f, lgs__node_depot(m, d), a);
    have += a;
  }
  for (int c = 0; c < m->C; c++) {
    int64_t q = lgs__consumer_authorised(r, c) ? lgs__requirement(r, c, k) : 0;
    lgs_flow_set_supply(f, lgs__node_consumer(m, c), -q);
    need += q;
  }
  lgs_flow_set_supply(f, 0, need);
  lgs_flow_set_supply(f, 1, -have);
  for (int j = 0; j < m->ndock; j++) lgs_flow_set_capacity(f, n->dock_arc[j], dock_capacity(m, j, k));
  for (int j = 0; j < m->nland; j++) lgs_flow_set_capacity(f, n->land_arc[j], land_capacity(m, j, k));
  for (int i = 0; i < n->nlane; i++) {
    int li = n->lane[i];
    const lane *l = &m->lane[li];
    blocked_why[i] = -1;
    int64_t lift = 0;
    if (!lgs__lane_blocked(r, li, &blocked_why[i]))
      lift = (int64_t)(lgs__idle_units(r, l->transport) + r->assigned[li]) *
             (int64_t)floor(m->L->transport[l->transport].capacity[k] / unit_si);
    lgs_flow_set_capacity(f, n->lane_arc[i], lift);
    if (l->moving) lgs_flow_set_cost(f, n->lane_arc[i], r->lane_cost[li]);
  }
  if (lgs_flow_solve(f) != LGS_FLOW_OPTIMAL) {
    sim_fail(r->s, ERR_RANGE); /* cannot happen: S -> X keeps it feasible */
    return;
  }
  r->plans++;
  if (isnan(r->first_cost[k])) {
    r->first_cost[k] = lgs_flow_total_cost(f);
    r->first_objective = (isnan(r->first_objective) ? 0 : r->first_objective) + r->first_cost[k];
    for (int i = 0; i < n->nlane; i++)
      r->first_plan[n->lane[i] * m->K + k] = (double)lgs_flow_flow(f, n->lane_arc[i]) * unit_si;
  }
  int64_t unmet = 0;
  for (int c = 0; c < m->C; c++) unmet += lgs_flow_flow(f, n->short_arc[c]);
  int starved = -1, starved_lane = -1; /* a class that ran out of units for its planned flow */
  double backlog = (double)unmet * unit_si + unauthorised(r, k, count_bottleneck_);
  for (int i = 0; i < n->nlane; i++) {
    double left = lgs__ship_on_lane(r, n->lane[i], k, (double)lgs_flow_flow(f, n->lane_arc[i]) * unit_si);
    backlog += left;
    if (left > 0 && starved < 0) starved = m->lane[n->lane[i]].transport, starved_lane = n->lane[i];
  }
  if (count_bottleneck_ && unmet > 0) {
    int li;
    int b = find_bottleneck(r, k, f, blocked_why, &li);
    count_bottleneck(r, b, li);
  } else if (count_bottleneck_ && starved >= 0) {
    count_bottleneck(r, bneck_asset(m, starved), starved_lane);
  }
  if (count_bottleneck_) metric_point_add(r->out, m->m_backlog + k, sim_now(r->s), backlog);
}

/* The binding constraint of a coupled plan, for commodity k: the lane whose capacity
 * is worth most per unit of k (lambda_depot + lambda_consumer - cost, the saving if the
 * lane could carry one more unit), named by what limits it: the reason it is blocked,
 * its loading or delivery port's berths, or its class's lift; else a depot, else "no lane". */
static int lp_bottleneck(const lgs_run *r, int k, int *which_lane) {
  const lgs_model *m = r->m;
  const lpmap *p = &m->lp;
  const lgs_lp *lp = r->lp;
  double best = 1e-6;
  int which = -1;
  *which_lane = -1;
  for (int i = 0; i < m->nlane; i++) {
    int x = p->xcol[i * m->K + k];
    if (x < 0) continue;
    const lane *l = &m->lane[i];
    double value = lgs_lp_row_dual(lp, p->drow[k * m->D + l->depot]) +
                   lgs_lp_row_dual(lp, p->crow[k * m->C + l->consumer]) - (double)r->lane_cost[i];
    if (!(value > best)) continue;
    best = value, *which_lane = i;
    /* The berths' part of the saving: the row dual times the lane's berth-hours per
     * unit there (loading at q, unloading at qd). */
    const scn_lgs_transport *t = &m->L->transport[l->transport];
    int q = m->port_of_place[l->from], qd = l->land >= 0 ? m->port_of_place[l->to] : -1;
    double load_h = m->unit[k] / t->load_rate[k] / 3600;
    double unload_h = m->unit[k] / t->unload_rate[k] / 3600;
    double berth = q >= 0 && p->brow[q] >= 0
                       ? fabs(lgs_lp_row_dual(lp, p->brow[q])) * (load_h + (qd == q ? unload_h : 0))
                       : 0;
    double berth_d = qd >= 0 && qd != q && p->brow[qd] >= 0
                         ? fabs(lgs_lp_row_dual(lp, p->brow[qd])) * unload_h : 0;
    if (berth_d > berth) berth = berth_d, q = qd;
    if (r->blocked[i] >= 0) which = r->blocked[i];
    else if (berth > 0.5 * value) which = bneck_berth(m, q);
    else which = bneck_asset(m, l->transport);
  }
  if (which >= 0) return which;
  for (int d = 0; d < m->D; d++)
    if (lgs_lp_value(lp, p->ecol[k * m->D + d]) < 0.5 &&
        sim_level_amount(r->depot[d * m->K + k]) >= m->unit[k])
      return bneck_depot(m, d);
  for (int d = 0; d < m->D; d++)
    if (lgs_lp_value(lp, p->ecol[k * m->D + d]) < 0.5) return bneck_depot(m, d);
  return bneck_reach(m);
}

/* One coupled LP for every commodity (docs/models.md "The coupled LP"). */
static void plan_coupled(lgs_run *r, int count) {
  const lgs_model *m = r->m;
  const lpmap *p = &m->lp;
  lgs_lp *lp = r->lp;
  int K = m->K;
  for (int k = 0; k < K; k++) {
    for (int d = 0; d < m->D; d++) {
      double a = floor(sim_level_amount(r->depot[d * K + k]) / m->unit[k]);
      lgs_lp_set_row(lp, p->drow[k * m->D + d], a, a);
    }
    for (int c = 0; c < m->C; c++) {
      double q = lgs__consumer_authorised(r, c) ? (double)lgs__requirement(r, c, k) : 0;
      lgs_lp_set_row(lp, p->crow[k * m->C + c], q, q);
    }
  }
  for (int a = 0; a < m->A; a++) lgs_lp_set_row(lp, p->frow[a], -INFINITY, lgs__idle_units(r, a));
  for (int q = 0; q < m->NP; q++)
    if (p->brow[q] >= 0)
      lgs_lp_set_row(lp, p->brow[q], -INFINITY, m->L->port[q].berths * m->L->period / 3600);
  for (int i = 0; i < m->nlane; i++) {
    const lane *l = &m->lane[i];
    r->blocked[i] = -1;
    int open = !lgs__lane_blocked(r, i, &r->blocked[i]);
    for (int k = 0; k < K; k++)
      if (p->xcol[i * K + k] >= 0)
        lgs_lp_set_col(lp, p->xcol[i * K + k], 0, open ? INFINITY : 0, (double)r->lane_cost[i]);
    lgs_lp_set_col(lp, p->ycol[i], 0, open ? lgs__idle_units(r, l->transport) : 0, 0);
  }
  if (lgs_lp_run(lp)) {
    sim_fail(r->s, ERR_RANGE); /* cannot happen: x = 0 is always feasible */
    return;
  }
  r->plans++;
  int first = isnan(r->first_objective);
  if (first) r->first_objective = lgs_lp_objective(lp);
  /* Amounts rounded to a millionth of a unit: the simplex's last digits are noise. */
  for (int i = 0; i < m->nlane; i++)
    for (int k = 0; k < K; k++) {
      int x = p->xcol[i * K + k];
      double v = x >= 0 ? floor(lgs_lp_value(lp, x) * 1e6 + 0.5) / 1e6 : 0;
      r->xplan[i * K + k] = v > 0 ? v : 0;
      if (first) r->first_plan[i * K + k] = r->xplan[i * K + k] * m->unit[k];
    }
  /* Voyages are continuous in the LP: give units to the lanes with the most planned
   * voyages first, so a fraction left when the class runs out is the smallest part. */
  int *ord = r->lane_order;
  for (int i = 0; i < m->nlane; i++) {
    double yi = lgs_lp_value(lp, p->ycol[i]);
    int j = i;
    while (j > 0 && lgs_lp_value(lp, p->ycol[ord[j - 1]]) < yi) ord[j] = ord[j - 1], j--;
    ord[j] = i;
  }
  for (int j = 0; j < K; j++) {
    int k = m->order[j];
    double unmet = 0, rest = 0;
    for (int c = 0; c < m->C; c++) unmet += lgs_lp_value(lp, p->scol[k * m->C + c]);
    int starved = -1, starved_lane = -1;
    for (int o = 0; o < m->nlane; o++) {
      int i = ord[o];
      double q = r->xplan[i * K + k] * m->unit[k];
      if (!(q > 0)) continue;
      double l = lgs__ship_on_lane(r, i, k, q);
      rest += l;
      if (l > 0 && starved < 0) starved = m->lane[i].transport, starved_lane = i;
    }
    double backlog = unmet * m->unit[k] + rest + unauthorised(r, k, count);
    if (count && unmet > 0.5) {
      int li, b = lp_bottleneck(r, k, &li);
      count_bottleneck(r, b, li);
    } else if (count && starved >= 0) {
      count_bottleneck(r, bneck_asset(m, starved), starved_lane);
    }
    if (count) metric_point_add(r->out, m->m_backlog + k, sim_now(r->s), backlog);
  }
}

/* The binding.<kind> series: a point for every kind at the first period, then only
 * when a kind starts or stops binding (the report reads series as step functions). */
static void binding_series(lgs_run *r) {
  const lgs_model *m = r->m;
  for (int i = 0; i < BNECK_KINDS; i++) {
    unsigned bit = 1u << i;
    if (m->m_binding[i] < 0 || (r->binding_points && !((r->binding ^ r->binding_was) & bit)))
      continue;
    metric_point_add(r->out, m->m_binding[i], sim_now(r->s), (r->binding & bit) != 0);
  }
  r->binding_points = 1;
  r->binding_was = r->binding;
}

static void plan_all(lgs_run *r, int regular) {
  update_lanes(r);
  r->binding = 0;
  if (r->m->coupled) plan_coupled(r, regular);
  else
    for (int i = 0; i < r->m->K; i++) plan_commodity(r, r->m->order[i], regular);
  if (regular) binding_series(r);
  lgs__launch_round(r);
}

/* A demand-rate draw that is not finite (a heavy tail the loader could not bound)
 * fails the run blamed on the rate's text (issue 21), not as an unlocated error. */
static void demand_out_of_range(lgs_run *r, int c, int k, double rate) {
  const scn_lgs_consumer *u = &r->m->L->consumer[c];
  const scn_loc *loc = &u->demand_loc[k];
  sim_blame b = {loc->file, loc->line, loc->col, "the demand rate of consumer", u->id, rate};
  sim_fail_blame(r->s, ERR_RANGE, &b);
}

/* Once a period: consumption of the past period, replenishment, series, plan. */
void lgs__period_tick(sim *s, void *ctx) {
  lgs_run *r = ctx;
  const lgs_model *m = r->m;
  const scn_logistics *L = m->L;
  double T = L->period, now = sim_now(s);
  if (now > 0) {
    for (int c = 0; c < m->C; c++)
      for (int k = 0; k < m->K; k++) {
        if (L->consumer[c].demand[k].kind == DIST_FIXED && L->consumer[c].demand[k].a == 0) continue;
        double rate = dist_sample(&L->consumer[c].demand[k], &r->demand_rng);
        if (!isfinite(rate)) {
          demand_out_of_range(r, c, k, rate);
          return;
        }
        double want = (rate > 0 ? rate : 0) * r->surge[c] * T;
        sim_level *lv = r->onhand[c * m->K + k];
        double take = fmin(want, sim_level_amount(lv));
        if (take > 0) sim_level_get(lv, take, lgs__taken, NULL);
        r->demanded[c * m->K + k] += want;
        r->served[c * m->K + k] += take;
        r->consumed[k] += take;
      }
    for (int d = 0; d < m->D; d++)
      for (int k = 0; k < m->K; k++) {
        double in = L->depot[d].replenish[k] * T;
        if (in > 0) sim_level_put(r->depot[d * m->K + k], in), r->inflow[k] += in;
      }
  }
  for (int c = 0; c < m->C; c++)
    for (int k = 0; k < m->K; k++) {
      double rate = dist_mean(&L->consumer[c].demand[k]) * r->surge[c];
      if (rate <= 0) continue;
      double dos = sim_level_amount(r->onhand[c * m->K + k]) / (rate * 86400);
      metric_point_add(r->out, m->m_dos + c * m->K + k, now, dos);
    }
  plan_all(r, 1);
  if (now + T <= m->sc->horizon && sim_after(s, T, lgs__period_tick, r)) sim_fail(s, ERR_LIMIT);
}

/* A closure or an area becoming active changes what the plan may use: re-plan now. */
void lgs__on_site(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  lgs_run *r = ctx;
  if (sig->place < 0 || sig->place >= r->m->P) return;
  r->closed[sig->place] = !sig->open;
  if (!sig->open && r->m->place_used[sig->place]) r->replans++, plan_all(r, 0);
}

/* A crisis event can raise consumers' demand (`surge:`); the next plan sees it. */
void lgs__on_event(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  lgs_run *r = ctx;
  for (int c = 0; c < r->m->C; c++) {
    const scn_lgs_consumer *u = &r->m->L->consumer[c];
    for (size_t i = 0; i < u->nsurge; i++)
      if (u->surge[i].event >= 0 && u->surge[i].event == sig->event) r->surge[c] *= u->surge[i].factor;
  }
}

/* A plan phase can raise demand (`surge: [{phase: ...}]`) and move consumers at sea to
 * a new station (`stations:`); the next plan sees both. */
void lgs__on_phase(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  lgs_run *r = ctx;
  for (int c = 0; c < r->m->C; c++) {
    const scn_lgs_consumer *u = &r->m->L->consumer[c];
    for (size_t i = 0; i < u->nsurge; i++)
      if (u->surge[i].phase >= 0 && u->surge[i].phase == sig->phase) r->surge[c] *= u->surge[i].factor;
    for (size_t i = 0; i < u->nstation; i++)
      if (u->station[i].phase == sig->phase) r->station[c] = (int)i;
  }
}

/* A supply task started or stopped: consumers linked to it are (not) supplied.  A task
 * that starts plans at once (the consumer may have waited); one that stops does not
 * need to (its lanes close at the next plan; ships under way bring the cargo back). */
void lgs__on_task(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  lgs_run *r = ctx;
  if (sig->task < 0 || sig->task >= r->m->ntask) return;
  int was = r->task_on[sig->task];
  r->task_on[sig->task] = sig->open != 0;
  if (was || !sig->open) return;
  for (int c = 0; c < r->m->C; c++)
    for (size_t i = 0; i < r->m->L->consumer[c].ntask; i++)
      if (r->m->L->consumer[c].task[i] == sig->task) {
        r->replans++, plan_all(r, 0);
        return;
      }
}

void lgs__on_region(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  lgs_run *r = ctx;
  for (int i = 0; i < r->m->ncombat; i++)
    if (r->m->combat[i] == sig->region) {
      uint64_t bit = (uint64_t)1 << i;
      if (sig->open) r->active &= ~bit;
      else r->active |= bit;
      int crossed = 0;
      for (int l = 0; l < r->m->nlane; l++) crossed |= (r->lane_areas[l] & bit) != 0;
      if (!sig->open && crossed) r->replans++, plan_all(r, 0);
    }
}
