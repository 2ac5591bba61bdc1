/* logistics.c - rear-area logistics (logistics.h): min-cost flow planning per period
 * (LEMON's network simplex per commodity, or GLPK's coupled multi-commodity LP where
 * commodities share a capacity), voyages through berths as kernel resources, stocks as
 * kernel levels.  Model and validation: docs/models.md, section "Rear-area logistics".
 *
 * This part: the per-run model -- planning networks, solvers and their pool, metrics.
 * Lanes: lgs_lanes.c; a replication: lgs_run.c; planning: lgs_plan.c. */
#include "lgs_internal.h"

static const char *const bneck_kind_name[BNECK_KINDS] = {
    "asset", "endurance", "stock", "closed", "berth", "authority", "area", "no_lane"};


/* Commodities share a capacity when a class carries several of them, or a loading
 * port's berths serve several commodities, classes or depots: then only the coupled
 * LP plans them right (docs/models.md). */
static int is_coupled(const lgs_model *m) {
  if (m->L->planner != SCN_LGS_PLAN_AUTO) return m->L->planner == SCN_LGS_PLAN_LP;
  for (int a = 0; a < m->A; a++) {
    int first = -1;
    for (int i = 0; i < m->nlane; i++)
      for (int k = 0; k < m->K; k++)
        if (m->lane[i].transport == a && m->lane_k[i * m->K + k]) {
          if (first >= 0 && first != k) return 1;
          first = k;
        }
  }
  /* A port's berths are one capacity: shared when its lanes' loadings and unloadings
   * there go through more than one network arc (a dock or a landing) or more than one
   * (class, commodity) pair. */
  for (int p = 0; p < m->P; p++) {
    if (m->port_of_place[p] < 0) continue;
    int arc = -1, pair = -1;
    for (int i = 0; i < m->nlane; i++) {
      const lane *l = &m->lane[i];
      for (int end = 0; end < 2; end++) {
        int at = end ? l->land : l->dock; /* docks numbered 0.., landings -2, -3, .. */
        if ((end ? l->to : l->from) != p || (end && at < 0)) continue;
        at = end ? -2 - at : at;
        if (arc != -1 && arc != at) return 1;
        arc = at;
        for (int k = 0; k < m->K; k++)
          if (m->lane_k[i * m->K + k]) {
            int pk = l->transport * m->K + k;
            if (pair >= 0 && pair != pk) return 1;
            pair = pk;
          }
      }
    }
  }
  return 0;
}

static int build_nets(lgs_model *m) {
  for (int k = 0; k < m->K; k++) {
    knet *n = &m->net[k];
    n->lane = calloc((size_t)m->nlane + 1, sizeof *n->lane);
    n->lane_arc = calloc((size_t)m->nlane + 1, sizeof *n->lane_arc);
    n->short_arc = calloc((size_t)m->C + 1, sizeof *n->short_arc);
    n->excess_arc = calloc((size_t)m->D + 1, sizeof *n->excess_arc);
    n->dock_arc = calloc((size_t)m->ndock + 1, sizeof *n->dock_arc);
    n->land_arc = calloc((size_t)m->nland + 1, sizeof *n->land_arc);
    if (!n->lane || !n->lane_arc || !n->short_arc || !n->excess_arc || !n->dock_arc || !n->land_arc)
      return ERR_NOMEM;
    for (int i = 0; i < m->nlane; i++)
      if (m->lane_k[i * m->K + k]) n->lane[n->nlane++] = i;
  }
  return 0;
}

int lgs__node_depot(const lgs_model *m, int d) { return (void)m, 2 + d; }
int lgs__node_dock(const lgs_model *m, int j) { return 2 + m->D + j; }
int lgs__node_landing(const lgs_model *m, int j) { return 2 + m->D + m->ndock + j; }
int lgs__node_consumer(const lgs_model *m, int c) { return 2 + m->D + m->ndock + m->nland + c; }
/* Where a lane's arc ends: its landing (berths at the delivery port) or its consumer. */
int lgs__node_head(const lgs_model *m, const lane *l) {
  return l->land >= 0 ? lgs__node_landing(m, l->land) : lgs__node_consumer(m, l->consumer);
}

/* Unmet requirement's cost per solver unit: network planning weighs consumers only
 * (commodities are planned in priority order); the coupled LP also weighs the
 * commodity, (10 - p_k) / 9, since it plans them together. */
static int64_t penalty_units(const lgs_model *m, int c) {
  return (int64_t)ceil(m->L->penalty / 60) * (10 - m->L->consumer[c].priority);
}
static double penalty_lp(const lgs_model *m, int k, int c) {
  return (double)penalty_units(m, c) * (10 - m->L->commodity[k].priority) / 9.0;
}

/* Build one commodity's network; arc indices must match m->net (they do: same order
 * every time). */
static lgs_flow *make_flow(const lgs_model *m, int k) {
  const knet *n = &m->net[k];
  int nn = 2 + m->D + m->ndock + m->nland + m->C;
  lgs_flow *f = lgs_flow_new(nn, n->nlane + m->D + m->C + m->ndock + m->nland + 1);
  if (!f) return NULL;
  int ok = 1;
  for (int i = 0; i < nn; i++) ok &= lgs_flow_add_node(f, 0) == i;
  int arc = 0;
  ok &= lgs_flow_add_arc(f, 0, 1, LGS_FLOW_INF, 0) == arc++; /* S -> X */
  for (int d = 0; d < m->D; d++)
    ok &= lgs_flow_add_arc(f, lgs__node_depot(m, d), 1, LGS_FLOW_INF, 0) == arc++;
  for (int c = 0; c < m->C; c++)
    ok &= lgs_flow_add_arc(f, 0, lgs__node_consumer(m, c), LGS_FLOW_INF, penalty_units(m, c)) == arc++;
  for (int j = 0; j < m->ndock; j++)
    ok &= lgs_flow_add_arc(f, lgs__node_depot(m, m->dock_depot[j]), lgs__node_dock(m, j), LGS_FLOW_INF, 0) ==
          arc++;
  for (int j = 0; j < m->nland; j++)
    ok &= lgs_flow_add_arc(f, lgs__node_landing(m, j), lgs__node_consumer(m, m->land_consumer[j]), LGS_FLOW_INF,
                           0) == arc++;
  for (int i = 0; i < n->nlane; i++) {
    const lane *l = &m->lane[n->lane[i]];
    ok &= lgs_flow_add_arc(f, lgs__node_dock(m, l->dock), lgs__node_head(m, l), 0, l->cost) == arc++;
  }
  /* Solve once so the solver's arrays exist before any event loop. */
  if (!ok || lgs_flow_solve(f) != LGS_FLOW_OPTIMAL) {
    lgs_flow_free(f);
    return NULL;
  }
  return f;
}

static void assign_arcs(lgs_model *m) {
  for (int k = 0; k < m->K; k++) {
    knet *n = &m->net[k];
    int arc = 1;
    for (int d = 0; d < m->D; d++) n->excess_arc[d] = arc++;
    for (int c = 0; c < m->C; c++) n->short_arc[c] = arc++;
    for (int j = 0; j < m->ndock; j++) n->dock_arc[j] = arc++;
    for (int j = 0; j < m->nland; j++) n->land_arc[j] = arc++;
    for (int i = 0; i < n->nlane; i++) n->lane_arc[i] = arc++;
  }
}

/* Number the coupled LP's columns and rows (docs/models.md "The coupled LP"). */
static int build_lpmap(lgs_model *m) {
  lpmap *p = &m->lp;
  int K = m->K, nl = m->nlane;
  p->xcol = calloc((size_t)nl * K + 1, sizeof *p->xcol);
  p->ycol = calloc((size_t)nl + 1, sizeof *p->ycol);
  p->scol = calloc((size_t)K * m->C + 1, sizeof *p->scol);
  p->ecol = calloc((size_t)K * m->D + 1, sizeof *p->ecol);
  p->drow = calloc((size_t)K * m->D + 1, sizeof *p->drow);
  p->crow = calloc((size_t)K * m->C + 1, sizeof *p->crow);
  p->hrow = calloc((size_t)nl * K + 1, sizeof *p->hrow);
  p->frow = calloc((size_t)m->A + 1, sizeof *p->frow);
  p->brow = calloc((size_t)m->NP + 1, sizeof *p->brow);
  if (!p->xcol || !p->ycol || !p->scol || !p->ecol || !p->drow || !p->crow || !p->hrow ||
      !p->frow || !p->brow)
    return ERR_NOMEM;
  int col = 0, row = 0;
  for (int i = 0; i < nl; i++) {
    for (int k = 0; k < K; k++) p->xcol[i * K + k] = m->lane_k[i * K + k] ? col++ : -1;
    p->ycol[i] = col++;
  }
  for (int i = 0; i < K * m->C; i++) p->scol[i] = col++;
  for (int i = 0; i < K * m->D; i++) p->ecol[i] = col++;
  for (int i = 0; i < K * m->D; i++) p->drow[i] = row++;
  for (int i = 0; i < K * m->C; i++) p->crow[i] = row++;
  for (int i = 0; i < nl; i++) {
    int shared = m->L->transport[m->lane[i].transport].shared_hold, any = 0;
    for (int k = 0; k < K; k++) {
      p->hrow[i * K + k] = -1;
      if (!m->lane_k[i * K + k]) continue;
      if (shared && any) continue;
      p->hrow[i * K + k] = row++;
      any = 1;
    }
  }
  for (int a = 0; a < m->A; a++) p->frow[a] = row++;
  for (int q = 0; q < m->NP; q++) {
    p->brow[q] = -1;
    for (int i = 0; i < nl; i++)
      if (m->port_of_place[m->lane[i].from] == q ||
          (m->lane[i].land >= 0 && m->port_of_place[m->lane[i].to] == q)) {
        p->brow[q] = row++;
        break;
      }
  }
  p->ncol = col, p->nrow = row;
  return 0;
}

/* The first shared-hold row of a lane (every commodity's amount goes in it). */
static int hold_row(const lgs_model *m, int i, int k) {
  if (!m->L->transport[m->lane[i].transport].shared_hold) return m->lp.hrow[i * m->K + k];
  for (int j = 0; j < m->K; j++)
    if (m->lp.hrow[i * m->K + j] >= 0) return m->lp.hrow[i * m->K + j];
  return -1;
}

lgs_lp *lgs__make_lp(const lgs_model *m) {
  const lpmap *p = &m->lp;
  int K = m->K;
  lgs_lp *lp = lgs_lp_new(p->nrow, p->ncol);
  if (!lp) return NULL;
  int err = 0;
  for (int i = 0; i < m->nlane; i++) {
    const lane *l = &m->lane[i];
    const scn_lgs_transport *t = &m->L->transport[l->transport];
    int q = m->port_of_place[l->from], qd = l->land >= 0 ? m->port_of_place[l->to] : -1;
    for (int k = 0; k < K; k++) {
      int x = p->xcol[i * K + k];
      if (x < 0) continue;
      /* Berth-hours per unit: loading at q, unloading at qd (one row if the same port). */
      double load_h = m->unit[k] / t->load_rate[k] / 3600;
      double unload_h = m->unit[k] / t->unload_rate[k] / 3600;
      double units = floor(t->capacity[k] / m->unit[k]); /* a voyage's lift, solver units */
      err |= lgs_lp_add(lp, p->drow[k * m->D + l->depot], x, 1);
      err |= lgs_lp_add(lp, p->crow[k * m->C + l->consumer], x, 1);
      if (t->shared_hold) err |= lgs_lp_add(lp, hold_row(m, i, k), x, units > 0 ? 1 / units : 1);
      else err |= lgs_lp_add(lp, hold_row(m, i, k), x, 1) |
                  lgs_lp_add(lp, hold_row(m, i, k), p->ycol[i], -units);
      if (q >= 0 && p->brow[q] >= 0)
        err |= lgs_lp_add(lp, p->brow[q], x, load_h + (qd == q ? unload_h : 0));
      if (qd >= 0 && qd != q && p->brow[qd] >= 0) err |= lgs_lp_add(lp, p->brow[qd], x, unload_h);
    }
    if (t->shared_hold) err |= lgs_lp_add(lp, hold_row(m, i, 0), p->ycol[i], -1);
    err |= lgs_lp_add(lp, p->frow[l->transport], p->ycol[i], 1);
  }
  for (int k = 0; k < K; k++) {
    for (int c = 0; c < m->C; c++) {
      err |= lgs_lp_add(lp, p->crow[k * m->C + c], p->scol[k * m->C + c], 1);
      lgs_lp_set_col(lp, p->scol[k * m->C + c], 0, INFINITY, penalty_lp(m, k, c));
    }
    for (int d = 0; d < m->D; d++) {
      err |= lgs_lp_add(lp, p->drow[k * m->D + d], p->ecol[k * m->D + d], 1);
      lgs_lp_set_col(lp, p->ecol[k * m->D + d], 0, INFINITY, 0);
    }
  }
  for (int i = 0; i < m->nlane; i++)
    for (int k = 0; k < K; k++)
      if (p->hrow[i * K + k] >= 0) lgs_lp_set_row(lp, p->hrow[i * K + k], -INFINITY, 0);
  for (int i = 0; i < K * (m->D + m->C); i++) lgs_lp_set_row(lp, i, 0, 0);
  for (int a = 0; a < m->A; a++) lgs_lp_set_row(lp, p->frow[a], -INFINITY, 0);
  for (int q = 0; q < m->NP; q++)
    if (p->brow[q] >= 0) lgs_lp_set_row(lp, p->brow[q], -INFINITY, INFINITY);
  for (int i = 0; i < m->nlane; i++) {
    for (int k = 0; k < K; k++)
      if (p->xcol[i * K + k] >= 0) lgs_lp_set_col(lp, p->xcol[i * K + k], 0, 0, (double)m->lane[i].cost);
    lgs_lp_set_col(lp, p->ycol[i], 0, 0, 0);
  }
  if (err || lgs_lp_run(lp)) {
    lgs_lp_free(lp);
    return NULL;
  }
  return lp;
}

static void solver_set_free(const lgs_model *m, solver_set *s) {
  if (!s) return;
  if (s->flow)
    for (int k = 0; k < m->K; k++) lgs_flow_free(s->flow[k]);
  free(s->flow);
  free(s);
}

solver_set *lgs__pool_take(const lgs_model *cm) {
  lgs_model *m = (lgs_model *)cm; /* the pool is the model's only mutable part */
  pthread_mutex_lock(&m->lock);
  solver_set *s = m->free_sets;
  if (s) m->free_sets = s->next_free;
  pthread_mutex_unlock(&m->lock);
  if (s) return s;
  s = calloc(1, sizeof *s);
  if (!s) return NULL;
  if (!m->coupled) {
    if (!(s->flow = calloc((size_t)m->K + 1, sizeof *s->flow))) goto fail;
    for (int k = 0; k < m->K; k++)
      if (!(s->flow[k] = make_flow(m, k))) goto fail;
  }
  pthread_mutex_lock(&m->lock);
  if (m->nall == m->capall) {
    size_t cap = m->capall ? 2 * m->capall : 8;
    solver_set **g = realloc(m->all, cap * sizeof *g);
    if (!g) {
      pthread_mutex_unlock(&m->lock);
      goto fail;
    }
    m->all = g, m->capall = cap;
  }
  m->all[m->nall++] = s;
  pthread_mutex_unlock(&m->lock);
  return s;
fail:
  solver_set_free(m, s);
  return NULL;
}

void lgs__pool_give(const lgs_model *cm, solver_set *s) {
  lgs_model *m = (lgs_model *)cm;
  if (!s) return;
  pthread_mutex_lock(&m->lock);
  s->next_free = m->free_sets;
  m->free_sets = s;
  pthread_mutex_unlock(&m->lock);
}

int lgs__define(metric_set *ms, const char *name, const char *units, unsigned flags,
                const char *desc) {
  return metric_define(ms, "logistics", name, units, flags, desc);
}

int lgs__bneck_name(const lgs_model *m, int b, char *name, size_t len) {
  const scn_scenario *sc = m->sc;
  const scn_logistics *L = m->L;
  if (b < m->A) return snprintf(name, len, "bottleneck.asset.%s", sc->force[L->transport[b].force].id);
  if ((b -= m->A) < m->A)
    return snprintf(name, len, "bottleneck.endurance.%s", sc->force[L->transport[b].force].id);
  if ((b -= m->A) < m->D) return snprintf(name, len, "bottleneck.stock.%s", L->depot[b].id);
  if ((b -= m->D) < m->P) return snprintf(name, len, "bottleneck.closed.%s", sc->place[b].id);
  if ((b -= m->P) < m->NP)
    return snprintf(name, len, "bottleneck.berth.%s", sc->place[L->port[b].place].id);
  if ((b -= m->NP) < m->C) return snprintf(name, len, "bottleneck.authority.%s", L->consumer[b].id);
  if ((b -= m->C) < m->ncombat)
    return snprintf(name, len, "bottleneck.area.%s", sc->region[m->combat[b]].id);
  return snprintf(name, len, "bottleneck.no_lane");
}

/* Whether a bottleneck element can ever bind (else no metric is defined for it). */
static int bneck_possible(const lgs_model *m, int b, uint64_t crossed) {
  const scn_logistics *L = m->L;
  int a = b - m->A, p = b - 2 * m->A - m->D, q = p - m->P, c = q - m->NP, area = c - m->C;
  if (b < m->A) return 1;
  if (a < m->A) return isfinite(L->transport[a].endurance);
  if (p < 0) return 1;
  if (p < m->P) return m->place_used[p];
  if (q < m->NP) {
    for (int i = 0; i < m->nlane; i++)
      if (m->port_of_place[m->lane[i].from] == q ||
          (m->lane[i].land >= 0 && m->port_of_place[m->lane[i].to] == q))
        return 1;
    return 0;
  }
  if (c < m->C) return L->consumer[c].ntask > 0;
  if (area < m->ncombat) return (crossed & ((uint64_t)1 << area)) != 0;
  return 1;
}

/* Who delivered: per nation of the transport classes, consumer and commodity (where a
 * lane of that nation carries it), and Japan's share where others carry it too. */
static int define_shares(lgs_model *m, metric_set *ms) {
  const scn_logistics *L = m->L;
  int K = m->K, C = m->C;
  char name[256], desc[256];
  if (!(m->m_by = calloc((size_t)m->nnation * C * K + 1, sizeof *m->m_by)) ||
      !(m->m_jp_share = calloc((size_t)C * K + 1, sizeof *m->m_jp_share)))
    return ERR_NOMEM;
  for (int c = 0; c < C; c++)
    for (int k = 0; k < K; k++) {
      int jp = 0, other = 0;
      for (int n = 0; n < m->nnation; n++) {
        int used = 0;
        for (int i = 0; i < m->nlane; i++)
          used |= m->lane[i].nation == n && m->lane[i].consumer == c && m->lane_k[i * K + k];
        int *slot = &m->m_by[(n * C + c) * K + k];
        *slot = -1;
        if (!used) continue;
        if (strcmp(m->nation[n], "JP") == 0) jp = 1;
        else other = 1;
        snprintf(name, sizeof name, "delivered_by.%s.%s.%s", m->nation[n], L->consumer[c].id,
                 L->commodity[k].id);
        snprintf(desc, sizeof desc, "delivered to %s by %s transports", L->consumer[c].id, m->nation[n]);
        if ((*slot = lgs__define(ms, name, L->commodity[k].volume ? "m3" : "kg", METRIC_HIGHER_BETTER,
                            desc)) < 0)
          return *slot;
      }
      m->m_jp_share[c * K + k] = -1;
      if (!(jp && other)) continue;
      snprintf(name, sizeof name, "jp_share.%s.%s", L->consumer[c].id, L->commodity[k].id);
      snprintf(desc, sizeof desc, "share of what %s received that JP transports delivered",
               L->consumer[c].id);
      if ((m->m_jp_share[c * K + k] = lgs__define(ms, name, "1", 0, desc)) < 0)
        return m->m_jp_share[c * K + k];
    }
  return 0;
}

/* Metrics in a fixed order; returns the first index or an error.  The block of a
 * family is contiguous, so index arithmetic finds (consumer, commodity) entries. */
static int define_metrics(lgs_model *m, metric_set *ms) {
  const scn_logistics *L = m->L;
  const scn_scenario *sc = m->sc;
  char name[256], desc[256];
  int r;
#define DEF(store, nm, unit, fl, ds)                          \
  do {                                                        \
    if ((r = lgs__define(ms, nm, unit, fl, ds)) < 0) return r;     \
    if ((store) < 0) (store) = r;                             \
  } while (0)
  m->m_fill = m->m_dos = m->m_short = m->m_backlog = m->m_asset = m->m_berth = -1;
  m->m_delivered = m->m_rest = m->m_returned = -1;
  for (int c = 0; c < m->C; c++)
    for (int k = 0; k < m->K; k++) {
      snprintf(name, sizeof name, "fill_rate.%s.%s", L->consumer[c].id, L->commodity[k].id);
      snprintf(desc, sizeof desc, "share of %s's demand for %s met from stock on hand",
               L->consumer[c].id, L->commodity[k].id);
      DEF(m->m_fill, name, "1", METRIC_HIGHER_BETTER | (c == 0 && k == 0 ? METRIC_HEADLINE : 0), desc);
    }
  for (int c = 0; c < m->C; c++)
    for (int k = 0; k < m->K; k++) {
      snprintf(name, sizeof name, "days_of_supply.%s.%s", L->consumer[c].id, L->commodity[k].id);
      DEF(m->m_dos, name, "d", METRIC_SERIES | METRIC_HIGHER_BETTER, "stock on hand in days of mean demand, each period");
    }
  for (int k = 0; k < m->K; k++) {
    snprintf(name, sizeof name, "shortfall.%s", L->commodity[k].id);
    DEF(m->m_short, name, L->commodity[k].volume ? "m3" : "kg", METRIC_LOWER_BETTER,
        "demand not met from stock on hand, all consumers");
  }
  for (int k = 0; k < m->K; k++) {
    snprintf(name, sizeof name, "backlog.%s", L->commodity[k].id);
    DEF(m->m_backlog, name, L->commodity[k].volume ? "m3" : "kg", METRIC_SERIES | METRIC_LOWER_BETTER,
        "requirement the period's plan left unmet or no unit could carry");
  }
  for (int k = 0; k < m->K; k++) {
    snprintf(name, sizeof name, "delivered.%s", L->commodity[k].id);
    DEF(m->m_delivered, name, L->commodity[k].volume ? "m3" : "kg", METRIC_HIGHER_BETTER, "delivered to consumers");
  }
  if ((m->m_deliv_mean = lgs__define(ms, "delivery_time.mean", "s", METRIC_LOWER_BETTER,
                                "dispatch to end of unloading, mean over voyages")) < 0)
    return m->m_deliv_mean;
  if ((m->m_deliv_p90 = lgs__define(ms, "delivery_time.p90", "s", METRIC_LOWER_BETTER,
                               "dispatch to end of unloading, 90th percentile")) < 0)
    return m->m_deliv_p90;
  for (int a = 0; a < m->A; a++) {
    snprintf(name, sizeof name, "asset_utilisation.%s", sc->force[L->transport[a].force].id);
    DEF(m->m_asset, name, "1", 0, "share of the units' time on voyages, turnaround or rest");
  }
  for (int p = 0; p < (int)L->nport; p++) {
    snprintf(name, sizeof name, "berth_utilisation.%s", sc->place[L->port[p].place].id);
    DEF(m->m_berth, name, "1", 0, "mean busy berths over berths");
  }
  for (int a = 0; a < m->A; a++) {
    snprintf(name, sizeof name, "rest.%s", sc->force[L->transport[a].force].id);
    DEF(m->m_rest, name, "s", 0, "crew rest and maintenance taken by the class's units");
  }
  int tasks = 0;
  for (int c = 0; c < m->C; c++) tasks |= L->consumer[c].ntask > 0;
  for (int k = 0; k < m->K && tasks; k++) {
    snprintf(name, sizeof name, "returned.%s", L->commodity[k].id);
    DEF(m->m_returned, name, L->commodity[k].volume ? "m3" : "kg", METRIC_LOWER_BETTER,
        "brought back to a depot: the consumer's supply task was not running on arrival");
  }
  /* Per lane: what it delivered of each commodity, and how often it was the binding
   * lane (the report's map colours lanes by the first). */
  if (!(m->m_lane = calloc((size_t)m->nlane * m->K + 1, sizeof *m->m_lane)) ||
      !(m->m_lane_bneck = calloc((size_t)m->nlane + 1, sizeof *m->m_lane_bneck)))
    return ERR_NOMEM;
  for (int i = 0; i < m->nlane; i++)
    for (int k = 0; k < m->K; k++) {
      m->m_lane[i * m->K + k] = -1;
      if (!m->lane_k[i * m->K + k]) continue;
      snprintf(name, sizeof name, "lane_delivered.%s.%s", m->lane[i].name, L->commodity[k].id);
      if ((r = lgs__define(ms, name, L->commodity[k].volume ? "m3" : "kg", 0,
                      "delivered on this lane (depot>consumer/class)")) < 0)
        return r;
      m->m_lane[i * m->K + k] = r;
    }
  for (int i = 0; i < m->nlane; i++) {
    snprintf(name, sizeof name, "bottleneck.lane.%s", m->lane[i].name);
    if ((r = lgs__define(ms, name, "1", METRIC_LOWER_BETTER,
                    "plans short of the requirement where this lane bound")) < 0)
      return r;
    m->m_lane_bneck[i] = r;
  }
  m->nbneck = bneck_reach(m) + 1;
  if (!(m->bneck_metric = calloc((size_t)m->nbneck, sizeof *m->bneck_metric))) return ERR_NOMEM;
  uint64_t crossed = 0;
  for (int l = 0; l < m->nlane; l++) crossed |= m->lane[l].areas;
  for (int l = 0; l < m->nlane; l++)
    if (m->lane[l].moving && m->lane[l].jp && m->L->avoid_combat)
      crossed = ~(uint64_t)0; /* a moving consumer's leg may cross any */
  for (int b = 0; b < m->nbneck; b++) {
    m->bneck_metric[b] = -1;
    if (!bneck_possible(m, b, crossed)) continue;
    lgs__bneck_name(m, b, name, sizeof name);
    if ((r = lgs__define(ms, name, "1", METRIC_LOWER_BETTER, "plans short of the requirement where this bound")) < 0)
      return r;
    m->bneck_metric[b] = r;
  }
  for (int i = 0; i < BNECK_KINDS; i++) m->m_binding[i] = -1;
  for (int b = 0; b < m->nbneck; b++) {
    int kind = bneck_kind(m, b);
    if (m->bneck_metric[b] < 0 || m->m_binding[kind] >= 0) continue;
    snprintf(name, sizeof name, "binding.%s", bneck_kind_name[kind]);
    if ((r = lgs__define(ms, name, "1", METRIC_SERIES | METRIC_BINARY | METRIC_LOWER_BETTER,
                    "1 while the period's plan fell short where an element of this kind bound")) < 0)
      return r;
    m->m_binding[kind] = r;
  }
  if ((r = define_shares(m, ms))) return r;
  if ((m->m_plans = lgs__define(ms, "plans", "1", 0, "plans solved (min-cost flows or coupled LPs)")) < 0)
    return m->m_plans;
  if ((m->m_replans = lgs__define(ms, "replans", "1", METRIC_LOWER_BETTER, "plans forced by a closure or a combat area")) < 0)
    return m->m_replans;
#undef DEF
  return 0;
}

void lgs_model_free(lgs_model *m) {
  if (!m) return;
  for (int i = 0; m->lane && i < m->nlane; i++) geo_path_release(&m->lane[i].path);
  lgs__sea_close(&m->sea);
  free(m->hop), free(m->unreached);
  for (size_t i = 0; i < m->nall; i++) solver_set_free(m, m->all[i]);
  free(m->all);
  if (m->net)
    for (int k = 0; k < m->K; k++)
      free(m->net[k].lane), free(m->net[k].lane_arc), free(m->net[k].short_arc),
          free(m->net[k].excess_arc), free(m->net[k].dock_arc), free(m->net[k].land_arc);
  lpmap *p = &m->lp;
  free(p->xcol), free(p->ycol), free(p->scol), free(p->ecol), free(p->drow), free(p->crow);
  free(p->hrow), free(p->frow), free(p->brow);
  free(m->net), free(m->lane), free(m->lane_k), free(m->order), free(m->unit);
  free(m->port_of_place), free(m->dock_depot), free(m->dock_place), free(m->dock_rate);
  free(m->combat), free(m->combat_box), free(m->place_used), free(m->nation), free(m->land_place), free(m->land_consumer),
      free(m->land_rate), free(m->bneck_metric), free(m->m_lane);
  free(m->m_lane_bneck), free(m->m_by), free(m->m_jp_share);
  pthread_mutex_destroy(&m->lock);
  free(m);
}

/* support: check first that Japanese transports deliver only under a plan task (a
 * run's model); lgs_check leaves that to `straits check`'s own call. */
static int model_new(lgs_model **out, const scn_scenario *sc,
                     const struct plan_authorities *authorities, int support, metric_set *ms,
                     diag *d) {
  *out = NULL;
  const scn_logistics *L = scn_logistics_of(sc);
  if (!L) return 0;
  /* No Japanese support without a plan task: refused before anything is built. */
  int serr = support ? lgs_support_check(sc, authorities, d) : 0;
  if (serr) return serr;
  lgs_model *m = calloc(1, sizeof *m);
  if (!m) return ERR_NOMEM;
  pthread_mutex_init(&m->lock, NULL);
  m->sc = sc, m->L = L;
  m->K = (int)L->ncommodity, m->D = (int)L->ndepot, m->C = (int)L->nconsumer;
  m->A = (int)L->ntransport, m->P = (int)sc->nplace, m->NP = (int)L->nport;
  m->ntask = sc->plan ? (int)sc->plan->ntask : 0;
  m->nphase = sc->plan ? (int)sc->plan->nphase : 0;
  int err = ERR_NOMEM;
  m->order = calloc((size_t)m->K + 1, sizeof *m->order);
  m->unit = calloc((size_t)m->K + 1, sizeof *m->unit);
  m->port_of_place = calloc((size_t)m->P + 1, sizeof *m->port_of_place);
  m->place_used = calloc((size_t)m->P + 1, sizeof *m->place_used);
  m->combat = calloc(sc->nregion + 1, sizeof *m->combat);
  m->combat_box = calloc(4 * sc->nregion + 1, sizeof *m->combat_box);
  m->net = calloc((size_t)m->K + 1, sizeof *m->net);
  m->unreached = calloc((size_t)m->C + 1, sizeof *m->unreached);
  if (!m->order || !m->unit || !m->port_of_place || !m->place_used || !m->combat ||
      !m->combat_box || !m->net || !m->unreached)
    goto fail;
  for (int k = 0; k < m->K; k++) m->unit[k] = L->commodity[k].volume ? 1.0 : 1000.0;
  for (int p = 1, n = 0; p <= 9; p++) /* stable order by priority */
    for (int k = 0; k < m->K; k++)
      if (L->commodity[k].priority == p) m->order[n++] = k;
  for (int p = 0; p < m->P; p++) m->port_of_place[p] = -1;
  for (size_t i = 0; i < L->nport; i++) m->port_of_place[L->port[i].place] = (int)i;
  for (size_t r = 0; r < sc->nregion && m->ncombat < MAX_COMBAT; r++)
    if (strcmp(sc->region[r].kind, "combat_area") == 0) {
      const scn_region *g = &sc->region[r];
      double *box = &m->combat_box[4 * m->ncombat];
      box[0] = box[2] = INFINITY, box[1] = box[3] = -INFINITY;
      for (size_t i = 0; i < g->n; i++)
        box[0] = fmin(box[0], g->lat[i]), box[1] = fmax(box[1], g->lat[i]),
        box[2] = fmin(box[2], g->lon[i]), box[3] = fmax(box[3], g->lon[i]);
      m->combat[m->ncombat++] = (int)r;
    }
  for (int a = 0; a < m->A; a++) m->nunits += L->transport[a].count;
  if ((err = lgs__open_sea(m, d)) || (err = lgs__build_lanes(m)) || (err = lgs__check_reach(m, d)) ||
      (err = build_nets(m)))
    goto fail;
  assign_arcs(m);
  m->coupled = is_coupled(m);
  if (m->coupled && (err = build_lpmap(m))) goto fail;
  if ((err = define_metrics(m, ms))) goto fail;
  /* One solver set now, so the first replication finds it ready (and the LP once, to
   * know it can be built). */
  solver_set *s = lgs__pool_take(m);
  if (!s) { err = ERR_NOMEM; goto fail; }
  lgs__pool_give(m, s);
  if (m->coupled) {
    lgs_lp *lp = lgs__make_lp(m);
    if (!lp) { err = ERR_NOMEM; goto fail; }
    lgs_lp_free(lp);
  }
  *out = m;
  return 0;
fail:
  lgs_model_free(m);
  return err;
}

int lgs_lanes(const lgs_model *m) { return m->nlane; }

size_t lgs_lane_path(const lgs_model *m, int i, const double **lat, const double **lon) {
  *lat = m->lane[i].path.lat, *lon = m->lane[i].path.lon;
  return m->lane[i].path.n;
}

double lgs_lane_distance(const lgs_model *m, int i) { return m->lane[i].distance; }

int lgs_model_new(lgs_model **out, const scn_scenario *sc, metric_set *ms, diag *d) {
  return model_new(out, sc, NULL, 1, ms, d);
}

int lgs_model_new_with(lgs_model **out, const scn_scenario *sc,
                       const struct plan_authorities *authorities, metric_set *ms, diag *d) {
  return model_new(out, sc, authorities, 1, ms, d);
}

int lgs_model_build(lgs_model **out, const scn_scenario *sc, metric_set *ms, diag *d) {
  return model_new(out, sc, NULL, 0, ms, d);
}

int lgs_check(const scn_scenario *sc, diag *d) {
  if (!scn_logistics_of(sc)) return 0;
  metric_set scratch; /* the model defines its metrics; only its checks are wanted */
  metric_set_init(&scratch);
  lgs_model *m = NULL;
  int err = model_new(&m, sc, NULL, 0, &scratch, d);
  metric_set_release(&scratch);
  if (m) lgs__sea_check_routes(&m->sea, sc, d);
  lgs_model_free(m);
  return err;
}
int64_t lgs_lane_cost(const lgs_model *m, int i) { return m->lane[i].cost; }
double lgs_unit(const lgs_model *m, int k) { return m->unit[k]; }
const char *lgs_lane_name(const lgs_model *m, int i) { return m->lane[i].name; }
int lgs_coupled(const lgs_model *m) { return m->coupled; }
int lgs_lane_carries(const lgs_model *m, int i, int k) { return m->lane_k[i * m->K + k]; }

void lgs_lane_describe(const lgs_model *m, int i, lgs_lane_info *out) {
  const lane *l = &m->lane[i];
  *out = (lgs_lane_info){l->consumer, l->from, l->to, m->L->transport[l->transport].air,
                         l->route, l->reverse, l->to_lat, l->to_lon};
}
