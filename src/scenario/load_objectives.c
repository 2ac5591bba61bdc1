/* load_objectives.c - the `objectives:` section: criteria on stored metrics, e.g.
 *   {metric: logistics.fill_rate.csg-east.fuel, at_least: 0.95, probability: 0.9}
 *   {metric: spillover.occurred, at_most: 0.2}
 *   {metric: plan.task.sar-aircrew.delay_gates, at_most: 12h, statistic: p90}
 * Thresholds carry units like every quantity (qty_parse_any); whether the unit fits the
 * metric is known only once modules define their metrics (checked by mc/). */
#include <math.h>
#include <string.h>

#include "quantity.h"
#include "scn_internal.h"
#include "scn_objectives.h"

static const char *const statistic_names[] = {"mean", "p50", "p90", "p95", "share"};

double scn_statistic_p(int statistic) {
  static const double p[] = {NAN, 0.5, 0.9, 0.95, NAN};
  return statistic >= 0 && statistic <= SCN_STAT_SHARE ? p[statistic] : NAN;
}

const char *scn_statistic_name(int statistic) {
  return statistic >= 0 && statistic <= SCN_STAT_SHARE ? statistic_names[statistic] : "";
}

static void load_threshold(scn__ctx *c, const scn__node *v, const char *key, scn_objective *o) {
  char why[256] = "";
  qty_kind kind;
  if (v->kind != SCN__SCALAR) {
    scn__error(c, v, "'%s' should be a quantity, got %s", key, scn__kind_phrase(v));
    return;
  }
  if (qty_parse_any(&o->threshold, &kind, v->str, why, sizeof why) != 0) {
    scn__error(c, v, "'%s': %s", key, why[0] ? why : "not a quantity");
    return;
  }
  static const char *const si[] = {
#define SCN__SI(name, str, unit) unit,
      QTY_MAP(SCN__SI)
#undef SCN__SI
  };
  o->unit = si[kind];
}

static void load_objective(scn__ctx *c, const scn__node *m, scn_objective *o, scn__ids *ids) {
  static const char *const keys[] = {"id", "name", "metric", "at_least", "at_most",
                                     "probability", "statistic", NULL};
  memset(o, 0, sizeof *o);
  o->loc = scn__loc(m);
  o->statistic = SCN_STAT_MEAN;
  if (!scn__expect_map(c, m, "objective")) return;
  scn__check_keys(c, m, "objective", keys);
  const scn__node *v;
  const char *full = NULL;
  if ((v = scn__need(c, m, "metric", "objective")) && scn__text(c, v, "metric", &full) == 0) {
    o->metric_loc = scn__loc(v);
    const char *dot = strchr(full, '.');
    if (!dot || dot == full || !dot[1]) {
      scn__error(c, v, "'metric' is MODULE.NAME (e.g. 'logistics.fill_rate.csg-east.fuel'), "
                 "got '%s'", full);
    } else {
      o->module = scn__strdup(c, c->mem, full, (size_t)(dot - full));
      o->metric = dot + 1;
    }
  }
  const scn__node *least = scn__get(m, "at_least"), *most = scn__get(m, "at_most");
  if ((least != NULL) == (most != NULL))
    scn__error(c, m, "an objective needs exactly one of 'at_least' and 'at_most'");
  else
    o->at_least = least != NULL, load_threshold(c, least ? least : most,
                                                least ? "at_least" : "at_most", o);
  const scn__node *p = scn__get(m, "probability"), *st = scn__get(m, "statistic");
  if (p && st) scn__error(c, st, "'statistic' and 'probability' exclude each other");
  if (st) scn__choice(c, st, "statistic", statistic_names, SCN_STAT_SHARE, &o->statistic);
  if (p && scn__probability(c, p, "probability", &o->probability) == 0) {
    if (!(o->probability > 0 && o->probability < 1))
      scn__error(c, p, "'probability' must be between 0 and 1 (exclusive), got '%s'", p->str);
    o->statistic = SCN_STAT_SHARE;
  }
  if ((v = scn__get(m, "name"))) scn__text(c, v, "name", &o->name);
  /* Without an id, the metric names it; only ids written must be unique (two
   * objectives may judge one metric by different thresholds). */
  o->id = full ? full : "";
  if ((v = scn__get(m, "id")) && scn__text(c, v, "id", &o->id) == 0) scn__ids_add(c, ids, v, o->id);
}

void scn__load_objectives(scn__ctx *c, const scn__node *v) {
  if (!scn__expect_seq(c, v, "objectives")) return;
  scn_objectives *obj = scn__alloc(c, c->mem, sizeof *obj);
  if (!obj) return;
  obj->item = scn__alloc(c, c->mem, (v->n ? v->n : 1) * sizeof *obj->item);
  if (!obj->item) return;
  scn__ids ids;
  scn__ids_init(&ids, "objective");
  for (size_t i = 0; i < v->n; i++) load_objective(c, v->item[i], &obj->item[obj->n++], &ids);
  c->sc->objectives = obj;
}
