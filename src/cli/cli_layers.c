/* cli_layers.c - map layers a run adds to the report's theater map (documents
 * "map.layer.logistics-flows", "map.layer.sar-datums", "map.layer.sar-probability"
 * and "map.layer.sar-searches", docs/report.md), computed from the scenario and the
 * run's stored metrics after the run (the SAR case by replaying one replication). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_report.h"
#include "crisis.h"
#include "err.h"
#include "plan.h"
#include "sar.h"
#include "scn_sar.h"
#include "logistics.h"
#include "metric.h"
#include "scn_logistics.h"
#include "sim.h"
#include "stats.h"

/* Mean over the stored replications of metric module.name, ignoring replications
 * where it was not observed; NaN when it is unknown or never observed. */
static double metric_mean(store *st, int64_t run_id, const metric_set *ms, size_t n,
                          double *vals, const char *module, const char *name) {
  int m = metric_find(ms, module, name);
  if (m < 0 || n == 0 || store_metric_values(st, run_id, ms, m, vals, n) != 0) return NAN;
  double sum = 0;
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (!isnan(vals[i])) sum += vals[i], k++;
  return k ? sum / (double)k : NAN;
}

static void layer_feature(buf *b, int *first, const char *layer, const char *id,
                          const char *name, double value) {
  buf_put(b, *first ? "\n" : ",\n");
  *first = 0;
  buf_put(b, "{\"type\":\"Feature\",\"id\":");
  buf_json_str(b, id);
  buf_put(b, ",\"properties\":{\"layer\":");
  buf_json_str(b, layer);
  buf_put(b, ",\"id\":");
  buf_json_str(b, id);
  buf_put(b, ",\"name\":");
  buf_json_str(b, name);
  if (isfinite(value)) { /* JSON has no NaN: an unobserved value is left out */
    buf_put(b, ",\"value\":");
    buf_json_num(b, value);
  }
}

/* The lane's line, as the logistics model routes it: a ship's path over water, the
 * theater route it follows, or the straight leg. */
static void lane_line(buf *b, const scn_scenario *sc, const log_model *m, int lane,
                      const log_lane_info *in) {
  const double *lat, *lon;
  size_t n = log_lane_path(m, lane, &lat, &lon);
  buf_put(b, "},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[");
  if (n >= 2) {
    for (size_t k = 0; k < n; k++) buf_printf(b, "%s[%.6f,%.6f]", k ? "," : "", lon[k], lat[k]);
  } else if (in->route >= 0) {
    const scn_route *rt = &sc->route[in->route];
    for (size_t k = 0; k < rt->n; k++) {
      size_t j = in->reverse ? rt->n - 1 - k : k;
      buf_printf(b, "%s[%.6f,%.6f]", k ? "," : "", rt->lon[j], rt->lat[j]);
    }
  } else {
    buf_printf(b, "[%.6f,%.6f],[%.6f,%.6f]", sc->place[in->from].lon,
                   sc->place[in->from].lat, in->to_lon, in->to_lat);
  }
  buf_put(b, "]}}");
}

/* What a lane delivered: the mean over replications of lane_delivered.<lane>.<k>, per
 * commodity in the planner's unit (t or m3) into by[k], and their sum (tonnes and
 * cubic metres added, roughly a fuel's density of 1: a colour scale, not a balance);
 * NaN when the run stored none. */
static double lane_delivered(store *st, int64_t run_id, const metric_set *ms, size_t n,
                             double *vals, const scn_logistics *L, const log_model *m, int lane,
                             double *by) {
  char name[256];
  double sum = 0;
  int seen = 0;
  for (size_t k = 0; k < L->ncommodity; k++) {
    by[k] = NAN;
    if (!log_lane_carries(m, lane, (int)k)) continue;
    snprintf(name, sizeof name, "lane_delivered.%s.%s", log_lane_name(m, lane), L->commodity[k].id);
    double v = metric_mean(st, run_id, ms, n, vals, "logistics", name);
    if (isnan(v)) continue;
    by[k] = v / log_unit(m, (int)k);
    sum += by[k], seen = 1;
  }
  return seen ? sum : NAN;
}

/* One feature per lane of the logistics model, valued by what it delivered. */
static int logistics_layer(buf *b, store *st, int64_t run_id, const scn_scenario *sc,
                           const metric_set *ms, size_t n, double *vals) {
  const scn_logistics *L = scn_logistics_of(sc);
  log_model *m = NULL;
  metric_set scratch; /* the model defines its metrics; only its lanes are wanted here */
  metric_set_init(&scratch);
  int err = log_model_new(&m, sc, &scratch, NULL);
  metric_set_release(&scratch);
  if (err || !m) return err ? err : 0;
  double *by = malloc((L->ncommodity + 1) * sizeof *by);
  if (!by) {
    log_model_free(m);
    return ERR_NOMEM;
  }
  int first = 1, nfeat = 0;
  buf_put(b, "{\"title\":\"logistics lanes: delivered\",\"properties\":{"
                 "\"value\":\"mean amount the lane delivered per replication (t and m3 "
                 "added), from lane_delivered.<lane>.<commodity>; per commodity under "
                 "delivered\"},\"features\":[");
  for (int i = 0; i < log_lanes(m); i++) {
    log_lane_info in;
    log_lane_describe(m, i, &in);
    const scn_log_consumer *u = &L->consumer[in.consumer];
    layer_feature(b, &first, "logistics-flow", log_lane_name(m, i), log_lane_name(m, i),
                  lane_delivered(st, run_id, ms, n, vals, L, m, i, by));
    buf_put(b, ",\"consumer\":");
    buf_json_str(b, u->id);
    buf_put(b, ",\"mode\":");
    buf_json_str(b, in.air ? "air" : "sea");
    buf_put(b, ",\"delivered\":{");
    int firstk = 1;
    for (size_t k = 0; k < L->ncommodity; k++) {
      if (isnan(by[k])) continue;
      buf_put(b, firstk ? "" : ",");
      firstk = 0;
      buf_json_str(b, L->commodity[k].id);
      buf_put(b, ":");
      buf_json_num(b, by[k]);
    }
    buf_put(b, "}");
    lane_line(b, sc, m, i, &in);
    nfeat++;
  }
  buf_put(b, "]}");
  free(by);
  log_model_free(m);
  return nfeat;
}

/* One point per person_missing raise: where the crisis reports persons missing,
 * valued by the probability that its event occurred. */
static int sar_layer(buf *b, store *st, int64_t run_id, const scn_scenario *sc,
                     const metric_set *ms, size_t n, double *vals) {
  char id[256], metric[256], name[512];
  int first = 1, nfeat = 0;
  buf_put(b, "{\"title\":\"SAR datums: P(persons missing)\",\"properties\":{"
                 "\"value\":\"probability that the event reporting the persons missing "
                 "occurred (mean of crisis.<event>.occurred)\"},\"features\":[");
  for (size_t e = 0; e < sc->nevent; e++) {
    const scn_event *ev = &sc->event[e];
    for (size_t r = 0; r < ev->nraise; r++) {
      const scn_raise *ra = &ev->raise[r];
      if (ra->signal != SIG_PERSON_MISSING) continue;
      snprintf(metric, sizeof metric, "%s.occurred", ev->id);
      snprintf(id, sizeof id, "%s.%zu", ev->id, r);
      snprintf(name, sizeof name, "%s: %d %s missing", ev->name && *ev->name ? ev->name : ev->id,
               ra->count, scn_object_name((scn_object)ra->object));
      layer_feature(b, &first, "sar-datum", id, name,
                    metric_mean(st, run_id, ms, n, vals, "crisis", metric));
      buf_put(b, ",\"event\":");
      buf_json_str(b, ev->id);
      buf_printf(b, ",\"count\":%d", ra->count);
      buf_printf(b, "},\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]}}",
                     ra->lon, ra->lat);
      nfeat++;
    }
  }
  buf_put(b, "]}");
  return nfeat;
}

/* ---- the SAR case of a representative replication -------------------------------- */

/* The replication whose first case's POS is nearest the median over the replications
 * that had a case (the lowest such index on ties); -1 when none had one. */
static int sar_median_rep(const double *cases, const double *pos, size_t n) {
  size_t k = 0;
  double *v = malloc((n ? n : 1) * sizeof *v);
  if (!v) return -1;
  for (size_t i = 0; i < n; i++)
    if (cases[i] >= 1 && isfinite(pos[i])) v[k++] = pos[i];
  int best = -1;
  if (k) {
    double med = stats_quantile(v, k, 0.5), d = INFINITY; /* a replication's own value */
    for (size_t i = 0; i < n; i++)
      if (cases[i] >= 1 && isfinite(pos[i]) && fabs(pos[i] - med) < d) d = fabs(pos[i] - med), best = (int)i;
  }
  free(v);
  return best;
}

/* Replay replication rep with the modules SAR depends on (crisis, plan, sar), keeping
 * the first case's map and searches; the layers are written only if the replay's
 * sar.pos is the stored one (else the replay is not that replication: no layer). */
static int sar_case_layers(store *st, int64_t run_id, const scn_scenario *sc,
                           const metric_set *ms, size_t n, double *vals) {
  int mcase = metric_find(ms, "sar", "cases"), mpos = metric_find(ms, "sar", "pos");
  if (!scn_sar_of(sc) || scn_sar_of(sc)->kase || mcase < 0 || mpos < 0 || n == 0) return 0;
  double *cases = malloc(n * sizeof *cases);
  if (!cases) return ERR_NOMEM;
  int rep = -1, err = 0, werr = 0;
  if (store_metric_values(st, run_id, ms, mcase, cases, n) == 0 &&
      store_metric_values(st, run_id, ms, mpos, vals, n) == 0)
    rep = sar_median_rep(cases, vals, n);
  double want = rep >= 0 ? vals[rep] : NAN;
  free(cases);
  if (rep < 0) return 0;
  diag *d = diag_new();
  metric_set lms;
  metric_set_init(&lms);
  crisis_model *cm = NULL;
  plan_authorities *au = NULL;
  plan_model *pm = NULL;
  sar_model *m = NULL;
  sim *s = sim_new();
  arena ar;
  arena_init(&ar, (size_t)1 << 30);
  buf b = BUF_INIT;
  metric_out out;
  if (!d || !s) err = ERR_NOMEM;
  if (!err) err = crisis_model_new(&cm, sc, &lms, d);
  if (!err && plan_scenario_uses(sc) &&
      !(err = plan_authorities_load(&au, plan_authorities_default_path(), d)))
    err = plan_model_new(&pm, sc, au, &lms, d);
  if (!err) err = sar_model_new(&m, sc, &lms, d);
  if (!err) err = metric_out_init(&out, &lms, &ar);
  sar *S = NULL;
  if (!err && (!crisis_start(cm, s, &ar, &out, sc->seed, (uint32_t)rep) ||
               (pm && !plan_start(pm, s, &ar, &out, sc->seed, (uint32_t)rep)) ||
               !(S = sar_start(m, s, &ar, &out, sc->seed, (uint32_t)rep)) ||
               sar_record_first_case(S)))
    err = ERR_LIMIT;
  if (!err) err = sim_run(s, sc->horizon);
  const sar_grid *g = NULL;
  const sar_sortie *so = NULL;
  size_t nso = 0;
  if (!err) {
    sar_collect(S, s, &out);
    nso = sar_first_case(S, &g, &so);
    double got = out.value[metric_find(&lms, "sar", "pos")];
    if (!g || !(got == want)) g = NULL; /* not the stored replication: draw nothing */
  }
  if (g) {
    char title[256], name[256];
    int first = 1;
    snprintf(title, sizeof title, "SAR: first case of replication %d, probability before "
             "its first search", rep);
    buf_put(&b, "{\"title\":");
    buf_json_str(&b, title);
    buf_put(&b, ",\"properties\":{\"value\":\"probability that the search object is "
                    "in the cell when the first search was planned (replication whose first-case "
                    "POS is nearest the median)\"},\"features\":[");
    for (size_t j = 0; j < g->ny; j++)
      for (size_t i = 0; i < g->nx; i++) {
        double p = g->p[j * g->nx + i];
        if (!(p > 0)) continue;
        double la0 = g->lat0 + (double)j * g->dlat, lo0 = g->lon0 + (double)i * g->dlon;
        snprintf(name, sizeof name, "P = %.4f", p);
        snprintf(title, sizeof title, "cell.%zu.%zu", j, i);
        layer_feature(&b, &first, "sar-probability", title, name, p);
        buf_printf(&b, "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],"
                       "[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]}}", lo0, la0,
                       lo0 + g->dlon, la0, lo0 + g->dlon, la0 + g->dlat, lo0, la0 + g->dlat, lo0, la0);
      }
    buf_put(&b, "]}");
    werr = b.failed ? ERR_NOMEM : store_doc_put(st, run_id, "map.layer.sar-probability", b.s);
    b.len = 0;
    static const char *const colours[] = {"#1f78b4", "#33a02c", "#e31a1c", "#ff7f00",
                                          "#6a3d9a", "#b15928", "#a6cee3", "#b2df8a"};
    snprintf(title, sizeof title, "SAR: searches of that case (replication %d)", rep);
    buf_put(&b, "{\"title\":");
    buf_json_str(&b, title);
    buf_put(&b, ",\"style\":{\"stroke\":\"#1f78b4\"},\"features\":[");
    first = 1;
    for (size_t k = 0; k < nso && !werr; k++) {
      const sar_rect *r = &so[k].rect;
      const char *unit = sc->force[scn_sar_of(sc)->asset[so[k].asset].force].id;
      char id[64];
      snprintf(name, sizeof name, "%s #%d: %.1f-%.1f h after the report, POD %.2f, POS %.2f",
               unit, so[k].unit + 1, so[k].t_start / 3600, so[k].t_end / 3600, r->pod, so[k].pos);
      snprintf(id, sizeof id, "search.%zu", k);
      layer_feature(&b, &first, "sar-search", id, name, NAN);
      buf_put(&b, ",\"stroke\":");
      buf_json_str(&b, colours[(size_t)(so[k].asset * 3 + so[k].unit) % 8]);
      buf_printf(&b, ",\"unit\":\"%s\",\"number\":%d,\"pod\":%.4f", unit, so[k].unit + 1, r->pod);
      buf_printf(&b, "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],"
                     "[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]}}", r->lon_min, r->lat_min,
                     r->lon_max, r->lat_min, r->lon_max, r->lat_max, r->lon_min, r->lat_max,
                     r->lon_min, r->lat_min);
    }
    buf_put(&b, "]}");
    if (!werr && nso)
      werr = b.failed ? ERR_NOMEM : store_doc_put(st, run_id, "map.layer.sar-searches", b.s);
  }
  buf_release(&b);
  sim_free(s);
  arena_release(&ar);
  sar_model_free(m);
  plan_model_free(pm);
  plan_authorities_free(au);
  crisis_model_free(cm);
  metric_set_release(&lms);
  diag_free(d);
  /* A replay that fails is a missing picture, not a failed run: only writing counts. */
  return werr;
}

int cli_store_layers(store *st, int64_t run_id, const scn_scenario *sc) {
  metric_set ms;
  store_run_row row = {0};
  buf b = BUF_INIT;
  double *vals = NULL;
  int err = store_run_read(st, run_id, &row);
  if (!err) err = store_metric_defs(st, run_id, &ms);
  else metric_set_init(&ms);
  size_t n = (size_t)(row.replications_planned > row.replications_done
                          ? row.replications_planned : row.replications_done);
  if (!err && !(vals = malloc((n ? n : 1) * sizeof *vals))) err = ERR_NOMEM;
  /* A layer without features is not written: the map would list an empty legend. */
  if (!err && scn_logistics_of(sc) && logistics_layer(&b, st, run_id, sc, &ms, n, vals) > 0)
    err = b.failed ? ERR_NOMEM : store_doc_put(st, run_id, "map.layer.logistics-flows", b.s);
  b.len = 0;
  if (!err && sar_layer(&b, st, run_id, sc, &ms, n, vals) > 0)
    err = b.failed ? ERR_NOMEM : store_doc_put(st, run_id, "map.layer.sar-datums", b.s);
  if (!err) err = sar_case_layers(st, run_id, sc, &ms, n, vals);
  if (err)
    cli_error("cannot record the map layers in the store: %s",
              err == ERR_NOMEM ? "out of memory" : store_errmsg(st));
  free(vals);
  buf_release(&b);
  metric_set_release(&ms);
  return err;
}
