/* cli_objectives.c - the objectives' verdicts after a run, printed at the head of the
 * summary (docs/scenario.md, objectives; docs/models.md, "Objectives"); their
 * document "objectives" for the report is mc_store_objectives' (mc_objectives.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "report.h"

int cli_objectives_eval(cli_objectives *o, const scn_scenario *sc, const mc_result *r, store *st,
                        diag *d) {
  memset(o, 0, sizeof *o);
  o->replications = r->replications;
  return mc_store_objectives(&o->res, &o->n, st, sc, r, d);
}

void cli_objectives_release(cli_objectives *o) {
  free(o->res);
  memset(o, 0, sizeof *o);
}

/* "logistics.fill_rate.csg-east.fuel >= 0.95 in 90% of replications: 96.3% (95.0 to
 * 97.3)" in the report's units and digits. */
static void print_one(FILE *out, const mc_objective_result *x, const mc_result *r) {
  const scn_objective *ob = x->objective;
  const metric_def *def = &r->metrics.def[x->metric];
  int binary = (def->flags & METRIC_BINARY) != 0, share = ob->statistic == SCN_STAT_SHARE;
  double mk;
  const char *mu;
  if (binary)
    mk = 100, mu = "%";
  else
    rep_display_unit_for(def->unit, ob->threshold, &mk, &mu);
  if (strcmp(mu, "1") == 0) mu = "";
  char thr[48], est[48], lo[48], hi[48];
  rep_fmt(thr, sizeof thr, ob->threshold * mk, rep_decimals(ob->threshold * mk, 0, binary));
  double k = share ? 100 : mk;
  int dec = rep_decimals(x->estimate * k, (x->hi - x->lo) * k / 2, share || binary);
  rep_fmt(est, sizeof est, x->estimate * k, dec);
  rep_fmt(lo, sizeof lo, x->lo * k, dec);
  rep_fmt(hi, sizeof hi, x->hi * k, dec);
  const char *eu = share ? "%" : mu;
  fprintf(out, "  %-9s  %s.%s %s %s%s%s", mc_verdict_name(x->verdict), ob->module, ob->metric,
          ob->at_least ? ">=" : "<=", thr, mu[0] && strcmp(mu, "%") ? " " : "", mu);
  if (share)
    fprintf(out, " in %g%% of replications", ob->probability * 100);
  else if (ob->statistic != SCN_STAT_MEAN)
    fprintf(out, " at its %s", scn_statistic_name(ob->statistic));
  else
    fputs(" on average", out);
  if (x->verdict == MC_VERDICT_NO_DATA) {
    fputs(": never observed\n", out);
    return;
  }
  fprintf(out, ": %s%s%s (%s to %s)", est, eu[0] && strcmp(eu, "%") ? " " : "", eu, lo, hi);
  if ((int)x->n < r->replications) fprintf(out, ", n %zu", x->n);
  fputc('\n', out);
  /* Where it breaks: the two conditions likeliest where it fails (the report has more). */
  if (x->nfail && x->ncause) {
    fprintf(out, "             where it fails (%zu replications):", x->nfail);
    for (size_t c = 0; c < x->ncause && c < 2; c++) {
      const metric_def *cd = &r->metrics.def[x->cause[c].metric];
      fprintf(out, "%s %s.%s %.0f%%", c ? ";" : "", cd->module, cd->name,
              100 * x->cause[c].in_failing);
      if (!isnan(x->cause[c].in_others))
        fprintf(out, " (others %.0f%%)", 100 * x->cause[c].in_others);
    }
    fputc('\n', out);
  }
}

void cli_objectives_print(FILE *out, const cli_objectives *o, const mc_result *r) {
  if (!o->n) return;
  size_t met = 0, not_met = 0;
  for (size_t i = 0; i < o->n; i++) {
    met += o->res[i].verdict == MC_VERDICT_MET;
    not_met += o->res[i].verdict == MC_VERDICT_NOT_MET;
  }
  fprintf(out, "objectives: %zu met, %zu not met, %zu undecided at this precision "
               "(95%% confidence)\n", met, not_met, o->n - met - not_met);
  for (size_t i = 0; i < o->n; i++) print_one(out, &o->res[i], r);
  fputc('\n', out);
}
