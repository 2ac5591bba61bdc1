/* cli_layers.c - map layers a run adds to the report's theater map (documents
 * "map.layer.logistics-flows" and "map.layer.sar-datums", docs/report.md), computed
 * from the scenario and the run's stored metrics after the run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_report.h"
#include "err.h"
#include "logistics.h"
#include "metric.h"
#include "scn_logistics.h"
#include "sim.h"

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

static void layer_feature(rep_buf *b, int *first, const char *layer, const char *id,
                          const char *name, double value) {
  rep_buf_put(b, *first ? "\n" : ",\n");
  *first = 0;
  rep_buf_put(b, "{\"type\":\"Feature\",\"id\":");
  rep_buf_json_str(b, id);
  rep_buf_put(b, ",\"properties\":{\"layer\":");
  rep_buf_json_str(b, layer);
  rep_buf_put(b, ",\"id\":");
  rep_buf_json_str(b, id);
  rep_buf_put(b, ",\"name\":");
  rep_buf_json_str(b, name);
  if (isfinite(value)) { /* JSON has no NaN: an unobserved value is left out */
    rep_buf_put(b, ",\"value\":");
    rep_buf_json_num(b, value);
  }
}

/* The lane's line, as the logistics model routes it. */
static void lane_line(rep_buf *b, const scn_scenario *sc, const log_lane_info *in) {
  rep_buf_put(b, "},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[");
  if (in->route >= 0) {
    const scn_route *rt = &sc->route[in->route];
    for (size_t k = 0; k < rt->n; k++) {
      size_t j = in->reverse ? rt->n - 1 - k : k;
      rep_buf_printf(b, "%s[%.6f,%.6f]", k ? "," : "", rt->lon[j], rt->lat[j]);
    }
  } else {
    rep_buf_printf(b, "[%.6f,%.6f],[%.6f,%.6f]", sc->place[in->from].lon,
                   sc->place[in->from].lat, in->to_lon, in->to_lat);
  }
  rep_buf_put(b, "]}}");
}

/* The store records no per-lane deliveries (only delivered.<commodity> over all
 * lanes), so a lane is coloured by its consumer's fill rate: the mean over
 * replications and over the commodities the consumer demands. */
static double consumer_fill(store *st, int64_t run_id, const metric_set *ms, size_t n,
                            double *vals, const scn_logistics *L, const scn_log_consumer *u) {
  char name[192];
  double sum = 0;
  int k = 0;
  for (size_t c = 0; c < L->ncommodity; c++) {
    if (!(dist_mean(&u->demand[c]) > 0)) continue;
    snprintf(name, sizeof name, "fill_rate.%s.%s", u->id, L->commodity[c].id);
    double v = metric_mean(st, run_id, ms, n, vals, "logistics", name);
    if (!isnan(v)) sum += v, k++;
  }
  return k ? sum / k : NAN;
}

/* One feature per lane of the logistics model. */
static int logistics_layer(rep_buf *b, store *st, int64_t run_id, const scn_scenario *sc,
                           const metric_set *ms, size_t n, double *vals) {
  const scn_logistics *L = sc->logistics;
  log_model *m = NULL;
  metric_set scratch; /* the model defines its metrics; only its lanes are wanted here */
  metric_set_init(&scratch);
  int err = log_model_new(&m, sc, &scratch, NULL);
  metric_set_release(&scratch);
  if (err || !m) return err ? err : 0;
  int first = 1, nfeat = 0;
  rep_buf_put(b, "{\"title\":\"logistics lanes: consumer fill rate\",\"properties\":{"
                 "\"value\":\"mean fill rate of the lane's consumer (share of demand met "
                 "from stock on hand, over replications and commodities); the store holds "
                 "no per-lane delivered amounts\"},\"features\":[");
  for (int i = 0; i < log_lanes(m); i++) {
    log_lane_info in;
    log_lane_describe(m, i, &in);
    const scn_log_consumer *u = &L->consumer[in.consumer];
    layer_feature(b, &first, "logistics-flow", log_lane_name(m, i), log_lane_name(m, i),
                  consumer_fill(st, run_id, ms, n, vals, L, u));
    rep_buf_put(b, ",\"consumer\":");
    rep_buf_json_str(b, u->id);
    rep_buf_put(b, ",\"mode\":");
    rep_buf_json_str(b, in.air ? "air" : "sea");
    lane_line(b, sc, &in);
    nfeat++;
  }
  rep_buf_put(b, "]}");
  log_model_free(m);
  return nfeat;
}

/* One point per person_missing raise: where the crisis reports persons missing,
 * valued by the probability that its event occurred. */
static int sar_layer(rep_buf *b, store *st, int64_t run_id, const scn_scenario *sc,
                     const metric_set *ms, size_t n, double *vals) {
  char id[256], metric[256], name[512];
  int first = 1, nfeat = 0;
  rep_buf_put(b, "{\"title\":\"SAR datums: P(persons missing)\",\"properties\":{"
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
      rep_buf_put(b, ",\"event\":");
      rep_buf_json_str(b, ev->id);
      rep_buf_printf(b, ",\"count\":%d", ra->count);
      rep_buf_printf(b, "},\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]}}",
                     ra->lon, ra->lat);
      nfeat++;
    }
  }
  rep_buf_put(b, "]}");
  return nfeat;
}

int cli_store_layers(store *st, int64_t run_id, const scn_scenario *sc) {
  metric_set ms;
  store_run_row row = {0};
  rep_buf b = REP_BUF_INIT;
  double *vals = NULL;
  int err = store_run_read(st, run_id, &row);
  if (!err) err = store_metric_defs(st, run_id, &ms);
  else metric_set_init(&ms);
  size_t n = (size_t)(row.replications_planned > row.replications_done
                          ? row.replications_planned : row.replications_done);
  if (!err && !(vals = malloc((n ? n : 1) * sizeof *vals))) err = ERR_NOMEM;
  /* A layer without features is not written: the map would list an empty legend. */
  if (!err && sc->logistics && logistics_layer(&b, st, run_id, sc, &ms, n, vals) > 0)
    err = b.failed ? ERR_NOMEM : store_doc_put(st, run_id, "map.layer.logistics-flows", b.s);
  b.len = 0;
  if (!err && sar_layer(&b, st, run_id, sc, &ms, n, vals) > 0)
    err = b.failed ? ERR_NOMEM : store_doc_put(st, run_id, "map.layer.sar-datums", b.s);
  if (err)
    cli_error("cannot record the map layers in the store: %s",
              err == ERR_NOMEM ? "out of memory" : store_errmsg(st));
  free(vals);
  rep_buf_release(&b);
  metric_set_release(&ms);
  return err;
}
