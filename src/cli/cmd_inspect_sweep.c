/* cmd_inspect_sweep.c - `straits inspect-sweep`: run the scenario for each number of
 * units of one inspection asset and report the smallest that meets a target coverage
 * (or any other inspection metric). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "err.h"
#include "scn_inspection.h"
#include "store.h"

void cmd_inspect_sweep_usage(FILE *out) {
  fprintf(out,
          "usage: straits inspect-sweep [options] [SCENARIO]\n"
          "\n"
          "Simulate SCENARIO once for each number of units of one inspection asset and\n"
          "report the smallest number whose mean METRIC meets the target.\n"
          "\n"
          "  --asset I|FORCE       the asset to vary: its index in inspection.assets or its\n"
          "                        force id (default: the first)\n"
          "  --from N, --to M      the counts to try (default 1 to the force's count)\n"
          "  --target X            the mean must be at least X (default 0.9)\n"
          "  --at-most X           the mean must be at most X instead (e.g. for\n"
          "                        interest_missed)\n"
          "  --metric NAME         inspection metric to compare (default coverage)\n"
          "  -n, --replications N  replications per count (default: the scenario's)\n"
          "  -j, --threads N       worker threads (default: all CPUs)\n"
          "      --set KEY=VALUE   override a scalar of the scenario (repeatable)\n"
          "      --db PATH         results store (default: in memory, not kept)\n");
}

typedef struct sweep_args {
  const char *scenario, *db, *asset, *metric;
  const char **overrides; /* the user's, plus one slot for the count */
  size_t noverrides;
  long from, to;
  double target;
  int at_most;
  mc_options mc;
} sweep_args;

/* Returns -1 to continue, or an exit status. */
static int parse_args(sweep_args *a, int argc, char **argv) {
  static const struct option longopts[] = {
      {"asset", required_argument, NULL, 'a'},   {"from", required_argument, NULL, 'f'},
      {"to", required_argument, NULL, 't'},      {"target", required_argument, NULL, 'T'},
      {"metric", required_argument, NULL, 'm'},  {"at-most", required_argument, NULL, 'M'},
      {"replications", required_argument, NULL, 'n'},
      {"threads", required_argument, NULL, 'j'}, {"set", required_argument, NULL, 's'},
      {"db", required_argument, NULL, 'd'},      {"help", no_argument, NULL, 'h'},
      {0}};
  int c;
  long v;
  char *end;
  optind = 1;
  while ((c = getopt_long(argc, argv, "n:j:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'a': a->asset = optarg; break;
    case 'f':
    case 't':
      if (cli_parse_long(optarg, 1, 1000000, &v)) {
        cli_error("--%s wants a whole number of at least 1, not '%s'", c == 'f' ? "from" : "to",
                  optarg);
        return CLI_BAD_INPUT;
      }
      *(c == 'f' ? &a->from : &a->to) = v;
      break;
    case 'T':
    case 'M':
      a->target = strtod(optarg, &end);
      a->at_most = c == 'M';
      if (end == optarg || *end || !isfinite(a->target)) {
        cli_error("--%s wants a number, not '%s'", c == 'M' ? "at-most" : "target", optarg);
        return CLI_BAD_INPUT;
      }
      break;
    case 'm': a->metric = optarg; break;
    case 'n':
    case 'j':
      if (cli_parse_run_option(&a->mc, c, optarg)) return CLI_BAD_INPUT;
      break;
    case 's': a->overrides[a->noverrides++] = optarg; break;
    case 'd': a->db = optarg; break;
    case 'h': cmd_inspect_sweep_usage(stdout); return CLI_OK;
    default: cmd_inspect_sweep_usage(stderr); return CLI_BAD_INPUT;
    }
  }
  if (optind < argc - 1) {
    cmd_inspect_sweep_usage(stderr);
    return CLI_BAD_INPUT;
  }
  a->scenario = optind < argc ? argv[optind] : cli_default_scenario();
  return -1;
}

/* The asset's index in inspection.assets, from --asset; -1 (reported) if none. */
static int find_asset(const scn_scenario *sc, const char *which) {
  const scn_inspection *in = scn_inspection_of(sc);
  long v;
  if (!which) return 0;
  if (cli_parse_long(which, 0, (long)in->nasset - 1, &v) == 0) return (int)v;
  for (size_t i = 0; i < in->nasset; i++)
    if (strcmp(sc->force[in->asset[i].force].id, which) == 0) return (int)i;
  cli_error("--asset '%s' is neither an index of inspection.assets (0 to %zu) nor one of its "
            "forces", which, in->nasset - 1);
  return -1;
}

static int summary_of(const mc_result *r, const char *name, stats_summary *out) {
  int m = metric_find(&r->metrics, "inspection", name);
  if (m < 0) return -1;
  *out = r->summary[m];
  return 0;
}

/* One point of the sweep: load with the count override, run, print a row.  Returns
 * CLI_OK and whether the target is met in *met. */
static int sweep_point(sweep_args *a, store *st, int asset, long count, int *met) {
  char set[96];
  scn_scenario *sc = NULL;
  mc_result *res = NULL;
  int rc;
  snprintf(set, sizeof set, "inspection.assets.%d.count=%ld", asset, count);
  a->overrides[a->noverrides] = set;
  if ((rc = cli_load_scenario(&sc, a->scenario, a->overrides, a->noverrides + 1)) != CLI_OK)
    return rc;
  diag *d = diag_new();
  int err = d ? mc_run(&res, sc, &a->mc, st, d) : ERR_NOMEM;
  if (d) diag_print(d, stderr, 0);
  diag_free(d);
  stats_summary s, util = {.mean = NAN}, missed = {.mean = NAN};
  rc = err == ERR_INPUT || err == ERR_MISMATCH ? CLI_BAD_INPUT : CLI_FAILURE;
  if (err) {
    cli_error("run with %ld units failed: %s", count, err_strerror(err));
  } else if (summary_of(res, a->metric, &s)) {
    cli_error("'%s' is not an inspection metric", a->metric);
    rc = CLI_BAD_INPUT;
  } else {
    summary_of(res, "team_utilisation", &util);
    summary_of(res, "interest_missed", &missed);
    *met = s.n > 0 && (a->at_most ? s.mean <= a->target : s.mean >= a->target);
    printf("%6ld %12.4g %10.3g %16.4g %17.4g %8zu%s\n", count, s.mean, s.half_width,
           missed.mean, util.mean, s.n, *met ? "  meets" : "");
    rc = CLI_OK;
  }
  mc_result_free(res);
  scn_free(sc);
  return rc;
}

int cmd_inspect_sweep(int argc, char **argv) {
  sweep_args a = {.db = ":memory:", .metric = "coverage", .target = 0.9, .mc = MC_OPTIONS_INIT};
  scn_scenario *sc = NULL;
  store *st = NULL;
  int rc;
  a.overrides = calloc((size_t)argc + 2, sizeof *a.overrides);
  if (!a.overrides) return CLI_FAILURE;
  a.mc.version = STRAITS_VERSION;
  if ((rc = parse_args(&a, argc, argv)) >= 0) goto done;
  if ((rc = cli_load_scenario(&sc, a.scenario, a.overrides, a.noverrides)) != CLI_OK) goto done;
  rc = CLI_BAD_INPUT;
  if (!scn_inspection_of(sc)) {
    cli_error("'%s' has no inspection section to sweep", a.scenario);
    goto done;
  }
  int asset = find_asset(sc, a.asset);
  if (asset < 0) goto done;
  const scn_insp_asset *as = &scn_inspection_of(sc)->asset[asset];
  const char *force = sc->force[as->force].id;
  long from = a.from ? a.from : 1, to = a.to ? a.to : sc->force[as->force].count;
  if (from > to) {
    cli_error("--from %ld is more than --to %ld", from, to);
    goto done;
  }
  if (to > sc->force[as->force].count) {
    cli_error("--to %ld is more than the %d units of force '%s'", to,
              sc->force[as->force].count, force);
    goto done;
  }
  metric_set ms;
  diag *quiet = diag_new(); /* the runs report the models' warnings */
  int known = quiet && mc_define_metrics(&ms, sc, quiet) == 0 &&
              metric_find(&ms, "inspection", a.metric) >= 0;
  metric_set_release(&ms);
  diag_free(quiet);
  if (!known) {
    cli_error("'%s' is not an inspection metric (see 'straits run' for their names)", a.metric);
    goto done;
  }
  diag *d = diag_new();
  int err = d ? store_open(&st, a.db, d) : ERR_NOMEM;
  if (d) diag_print(d, stderr, 0);
  diag_free(d);
  if (err) {
    rc = CLI_FAILURE;
    goto done;
  }
  printf("%s%s\nsweep of '%s' units (inspection.assets.%d.count), target %s %s %g\n\n",
         sc->name, sc->notional ? "  [notional forces and numbers]" : "", force, asset,
         a.metric, a.at_most ? "<=" : ">=", a.target);
  printf("%6s %12s %10s %16s %17s %8s\n", "units", a.metric, "ci95+-", "interest_missed",
         "team_utilisation", "n");
  long best = 0;
  for (long n = from; n <= to; n++) {
    int met = 0;
    if ((rc = sweep_point(&a, st, asset, n, &met)) != CLI_OK) goto done;
    if (met && !best) best = n;
  }
  if (best)
    printf("\nsmallest number of '%s' units meeting the target: %ld\n", force, best);
  else
    printf("\nno number of '%s' units from %ld to %ld meets the target\n", force, from, to);
  rc = CLI_OK;
done:
  store_close(st);
  scn_free(sc);
  free(a.overrides);
  return rc;
}
