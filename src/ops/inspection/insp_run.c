/* insp_run.c - the inspection operation (inspection.h, insp_internal.h): its legal
 * regime and gates, start and collect, and the Erlang C and Erlang A formulas the
 * model is checked against. */
#include "insp_internal.h"

/* ---- the operation and its gates ------------------------------------------------------------------ */

/* The regime in force: not following a task, the section's own from the start; else
 * interdiction while its task runs, consent while the ship_inspection task does. */
static int regime_now(const insp *I) {
  const scn_inspection *in = I->in;
  if (!I->started) return -1;
  if (in->start_kind != SCN_INSP_START_TASK) return (int)in->regime;
  if (I->task_on[SCN_INSP_REGIME_INTERDICTION]) return SCN_INSP_REGIME_INTERDICTION;
  if (I->task_on[SCN_INSP_REGIME_CONSENT]) return SCN_INSP_REGIME_CONSENT;
  return -1;
}

/* Re-evaluate the regime: account the time of the one that ends, give up diversion
 * legs when interdiction ends (they are lawful only under it), and let teams act under
 * the new one at once. */
static void update_regime(insp *I) {
  int rg = regime_now(I);
  if (rg == I->regime) return;
  double now = sim_now(I->sim);
  if (I->regime >= 0) I->regime_time[I->regime] += now - I->regime_since;
  int was = I->regime;
  I->regime = rg, I->regime_since = now;
  if (rg == SCN_INSP_REGIME_INTERDICTION && isnan(I->interdict_start)) I->interdict_start = now;
  if (was == SCN_INSP_REGIME_INTERDICTION) insp__legs_release(I);
  insp__dispatch(I);
}

static void op_start(sim *s, void *ctx) {
  insp *I = ctx;
  I->started = 1;
  I->start_time = sim_now(s);
  I->regime = regime_now(I), I->regime_since = I->start_time;
  if (I->regime == SCN_INSP_REGIME_INTERDICTION) I->interdict_start = I->start_time;
  if (I->in->warmup <= 0)
    for (int k = 0; k < 2; k++)
      for (ship *sh = k ? I->other.head : I->interest.head; sh; sh = sh->next) insp__in_scope(I, sh);
  for (size_t u = 0; u < I->m->nunit; u++)
    if (!I->unit[u].def->useless) insp__unit_departs(s, &I->unit[u]);
  insp__dispatch(I);
}

static void begin_start(insp *I) {
  if (I->start_pending) return;
  I->start_pending = 1;
  insp__traffic_wake(I);
  double delay = insp__sample(&I->in->start_delay, &I->r_start);
  sim_blame b = insp__blame(&I->in->start_delay_loc, "the inspection's start", "delay", delay);
  sim_after_drawn(I->sim, delay, op_start, I, &b);
}

static void start_due(sim *s, void *ctx) {
  (void)s;
  begin_start(ctx);
}

static void set_unsc(insp *I, int open) {
  I->unsc_open = open;
  insp__dispatch(I); /* closing needs nothing more: teams finish, then wait */
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
        insp__set_base(&I->stream[k], in->stream[k].change[c].rate);
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

/* A plan phase began: streams with a rate for it (or whose rate for the phase before
 * no longer applies) change rate now. */
static void on_phase(sim *s, const sim_signal *sig, void *ctx) {
  insp *I = ctx;
  if (sig->phase < 0 || (size_t)sig->phase >= I->in->nphase) return;
  I->phase = sig->phase;
  I->phase_t[sig->phase] = sim_now(s);
  for (size_t k = 0; k < I->in->nstream; k++) {
    stream_state *st = &I->stream[k];
    double r = insp__rate_in_force(st);
    if (st->def->phase_rate && r != st->rate) insp__set_rate(st, r);
  }
}

/* A plan task the operation follows started (or resumed) or stopped: the first start
 * starts the operation, and each change may switch the regime. */
static void on_task(sim *s, const sim_signal *sig, void *ctx) {
  (void)s;
  insp *I = ctx;
  const scn_inspection *in = I->in;
  int rg;
  if (sig->task < 0) return;
  if (sig->task == in->start_task) rg = (int)in->start_regime;
  else if (sig->task == in->interdict_task) rg = SCN_INSP_REGIME_INTERDICTION;
  else return;
  I->task_on[rg] = sig->open != 0;
  if (I->task_on[rg]) begin_start(I);
  update_regime(I); /* stopping needs nothing more: teams finish, then wait */
}

/* ---- start and collect --------------------------------------------------------------------------- */

static int start_traffic(insp *I, uint64_t seed, uint32_t rep) {
  const scn_inspection *in = I->in;
  I->stream = arena_calloc(I->arena, in->nstream ? in->nstream : 1, sizeof *I->stream);
  if (!I->stream) return -1;
  for (size_t k = 0; k < in->nstream; k++) {
    stream_state *st = &I->stream[k];
    st->I = I, st->def = &in->stream[k], st->base = st->rate = st->def->rate;
    st->cap = st->def->nchange + (st->def->phase_rate ? in->nphase : 0) + 1;
    st->hist_t = arena_alloc(I->arena, st->cap * sizeof *st->hist_t);
    st->hist_rate = arena_alloc(I->arena, st->cap * sizeof *st->hist_rate);
    if (!st->hist_t || !st->hist_rate) return -1;
    st->hist_t[0] = 0, st->hist_rate[0] = st->rate, st->nhist = 1;
    rng_init(&st->arrivals, seed, rep, RNG_INSPECTION, P_STREAM + 2 * (uint32_t)k);
    rng_init(&st->ships, seed, rep, RNG_INSPECTION, P_STREAM + 2 * (uint32_t)k + 1);
    rng_init(&st->fates, seed, rep, RNG_INSPECTION, P_FATE + (uint32_t)k);
    for (size_t c = 0; c < st->def->nchange; c++) {
      if (st->def->change[c].event >= 0) continue;
      rate_timer *rt = arena_alloc(I->arena, sizeof *rt);
      if (!rt) return -1;
      *rt = (rate_timer){st, st->def->change[c].rate};
      if (sim_at(I->sim, st->def->change[c].at, insp__rate_change, rt) < 0) return -1;
    }
  }
  if (in->npassage && sim_at(I->sim, in->passage[0].t, insp__replay_arrival, I) < 0) return -1;
  return 0;
}

static int start_state(insp *I) {
  const insp_model *m = I->m;
  const scn_inspection *in = I->in;
  arena *a = I->arena;
  I->unit = arena_calloc(a, m->nunit ? m->nunit : 1, sizeof *I->unit);
  I->team = arena_calloc(a, m->nteam ? m->nteam : 1, sizeof *I->team);
  I->tau = arena_alloc(a, (m->nzone + 1) * sizeof *I->tau);
  I->port_open = arena_calloc(a, in->nport ? in->nport : 1, sizeof *I->port_open);
  I->port_arrived = arena_calloc(a, in->nport ? in->nport : 1, sizeof *I->port_arrived);
  I->phase_t = arena_alloc(a, (in->nphase ? in->nphase : 1) * sizeof *I->phase_t);
  if (!I->unit || !I->team || !I->tau || !I->port_open || !I->port_arrived || !I->phase_t)
    return -1;
  if (m->metric_phase &&
      !(I->phase_ships = arena_calloc(a, in->nphase, sizeof *I->phase_ships)))
    return -1;
  for (size_t k = 0; k < in->nport; k++) I->port_open[k] = 1;
  for (size_t k = 0; k < in->nphase; k++) I->phase_t[k] = NAN;
  I->phase = -1;
  for (size_t u = 0; u < m->nunit; u++) {
    unit *un = &I->unit[u];
    *un = (unit){.I = I, .def = &m->unit[u], .state = U_BASE};
    for (int k = 0; k < un->def->nteams; k++)
      I->team[un->def->first_team + k] = (team){.I = I, .u = un, .phase = PH_IDLE};
  }
  return 0;
}

insp *insp_start(const insp_model *m, sim *s, arena *a, metric_out *out, uint64_t seed,
                 uint32_t rep) {
  (void)out;
  const scn_inspection *in = m->in;
  insp *I = arena_calloc(a, 1, sizeof *I);
  if (!I) return NULL;
  I->m = m, I->in = in, I->sim = s, I->arena = a, I->start_time = NAN;
  I->regime = -1, I->interdict_start = NAN;
  rng_init(&I->r_start, seed, rep, RNG_INSPECTION, P_START);
  rng_init(&I->r_service, seed, rep, RNG_INSPECTION, P_SERVICE);
  rng_init(&I->r_refit, seed, rep, RNG_INSPECTION, P_REFIT);
  rng_init(&I->r_replay, seed, rep, RNG_INSPECTION, P_REPLAY);
  rng_init(&I->r_replay_fate, seed, rep, RNG_INSPECTION, P_REPLAY_FATE);
  if (start_state(I) < 0) return NULL;
  if (sim_subscribe(s, SIG_EVENT_OCCURRED, on_event, I) < 0 ||
      sim_subscribe(s, SIG_SITUATION_CHANGED, on_situation, I) < 0 ||
      sim_subscribe(s, SIG_GATE_OPENED, on_gate, I) < 0 ||
      (in->nphase && sim_subscribe(s, SIG_PHASE_BEGAN, on_phase, I) < 0) ||
      (in->start_kind == SCN_INSP_START_TASK && sim_subscribe(s, SIG_TASK_STATUS, on_task, I) < 0) ||
      (in->nport && sim_subscribe(s, SIG_SITE_STATUS, insp__on_site, I) < 0))
    return NULL;
  if (start_traffic(I, seed, rep) < 0) return NULL;
  if (in->start_kind == SCN_INSP_START_AT && sim_at(s, in->start_at, start_due, I) < 0)
    return NULL;
  return I;
}

void insp_trace(insp *I, const struct ops_trace *t) {
  if (I) I->trace = t;
}

uint64_t insp_ships_simulated(const insp *I) { return I ? I->simulated : 0; }

static double ratio(double num, double den) { return den > 0 ? num / den : NAN; }

static void put(metric_out *out, int metric, double v) {
  if (metric >= 0) metric_put(out, metric, v);
}

/* The whole horizon, in every replication: ships that passed (those of streams that
 * never woke counted here, on copies of their random streams, as they would have
 * come), vessels of interest among them and those missed, and the time under each
 * regime. */
static void collect_whole(const insp *I, double now, metric_out *out) {
  const int *mi = I->m->metric;
  uint64_t passed = I->passed, interest = I->interest_passed, missed = I->interest_missed;
  for (size_t k = 0; !I->traffic_live && k < I->in->nstream; k++) {
    const stream_state *st = &I->stream[k];
    dormant_count dc = {.I = I, .ships = st->ships, .until = now};
    rng_stream arrivals = st->arrivals;
    insp__stream_replay(st, &arrivals, now, insp__count_each, &dc);
    passed += dc.passed, interest += dc.interest, missed += dc.gone;
  }
  double t[SCN_INSP_REGIME__COUNT] = {I->regime_time[0], I->regime_time[1]};
  if (I->regime >= 0) t[I->regime] += now - I->regime_since;
  put(out, mi[M_PASSED], (double)passed);
  put(out, mi[M_INTEREST_PASSED], (double)interest);
  put(out, mi[M_INTEREST_MISSED], (double)missed);
  put(out, mi[M_INTEREST_MISSED_FRAC], ratio((double)missed, (double)interest));
  put(out, mi[M_REGIME_CONSENT], t[SCN_INSP_REGIME_CONSENT]);
  put(out, mi[M_REGIME_INTERDICT], t[SCN_INSP_REGIME_INTERDICTION]);
}

void insp_collect(const insp *I, sim *s, metric_out *out) {
  const insp_model *m = I->m;
  const int *mi = m->metric;
  double now = sim_now(s), window = now - I->start_time;
  collect_whole(I, now, out);
  if (!I->started) return; /* nothing was in scope: the other metrics stay "not observed" */
  double busy = 0, ubusy = 0, station = 0, escort = 0;
  for (size_t k = 0; k < m->nteam; k++)
    busy += I->team[k].busy_total + (I->team[k].phase != PH_IDLE ? now - I->team[k].since : 0);
  for (size_t u = 0; u < m->nunit; u++) {
    const unit *un = &I->unit[u];
    ubusy += un->busy_area + (un->busy ? now - un->busy_since : 0);
    station += un->station_area +
               (un->state == U_STATION || un->state == U_RECALLED ? now - un->station_since : 0);
    escort += un->escort_area + (un->escorting ? now - un->escort_since : 0);
  }
  double n = (double)I->ships;
  put(out, mi[M_SHIPS], n);
  put(out, mi[M_INTEREST_SHIPS], (double)I->interest_ships);
  put(out, mi[M_COVERAGE], ratio((double)I->hailed, n));
  put(out, mi[M_BOARDED_FRAC], ratio((double)I->boarded, n));
  put(out, mi[M_DIVERTED_FRAC], ratio((double)I->diverted, n));
  put(out, mi[M_LEFT_FRAC], ratio((double)I->left, n));
  put(out, mi[M_DIVERTED], (double)I->diverted);
  put(out, mi[M_REQUESTED], (double)I->requested);
  put(out, mi[M_COMPLIED], (double)I->complied);
  put(out, mi[M_ORDERED], (double)I->ordered);
  put(out, mi[M_BOARDED_CONSENT], (double)I->boarded_by[SCN_INSP_REGIME_CONSENT]);
  put(out, mi[M_BOARDED_INTERDICT], (double)I->boarded_by[SCN_INSP_REGIME_INTERDICTION]);
  put(out, mi[M_INTERDICT_START], I->interdict_start);
  put(out, mi[M_CONSENT_REFUSED], (double)I->consent_refused);
  put(out, mi[M_MASTER_REFUSED], (double)I->master_refused);
  put(out, mi[M_WAIT], ratio(I->wait_sum, (double)I->served));
  put(out, mi[M_WAIT_ALL], ratio(I->wait_all_sum, (double)(I->served + I->left)));
  put(out, mi[M_INTERCEPT], ratio(I->intercept_sum, (double)I->served));
  put(out, mi[M_BOARDING_TIME], ratio(I->boarding_sum, (double)I->boardings));
  put(out, mi[M_TEAM_UTIL], ratio(busy, window * (double)m->nteam));
  put(out, mi[M_ASSET_UTIL], ratio(ubusy, window * (double)m->nunit));
  put(out, mi[M_ON_STATION], ratio(station, window * (double)m->nunit));
  put(out, mi[M_START], I->start_time);
  put(out, mi[M_DIV_ARRIVED], (double)I->div_arrived);
  put(out, mi[M_DIV_TRANSIT], ratio(I->div_transit_sum, (double)I->div_arrived));
  put(out, mi[M_DIV_REDIRECTED], (double)I->div_redirected);
  put(out, mi[M_DIV_NO_PORT], (double)I->div_no_port);
  put(out, mi[M_DIV_RELEASED], (double)I->div_released);
  put(out, mi[M_ESCORTED], (double)I->escorted);
  put(out, mi[M_ESCORT], ratio(escort, window * (double)m->nunit));
  /* A port listed twice is never sailed for under its second entry (the first is open
   * whenever it is), so each count is whole under the port's first entry. */
  for (size_t k = 0; m->metric_port && k < I->in->nport; k++)
    put(out, m->metric_port[k], (double)I->port_arrived[k]);
  for (size_t k = 0; m->metric_phase && k < I->in->nphase; k++)
    put(out, m->metric_phase[k], (double)I->phase_ships[k]);
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
