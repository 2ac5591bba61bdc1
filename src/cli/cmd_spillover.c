/* cmd_spillover.c - `straits spillover [straits.db]`: how likely and how soon violence
 * reaches each Japanese territory, by which event paths, and what it does to the
 * headline metrics of the other modules (mc_spill.h). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "diag.h"
#include "err.h"
#include "mc_spill.h"
#include "stats.h"

#define SPILL_GRID 10   /* rows of the curve table: horizon/10 .. horizon */
#define SPILL_PATHS 10  /* paths shown */

void cmd_spillover_usage(FILE *out) {
  fprintf(out,
          "usage: straits spillover [options] [STORE]\n"
          "\n"
          "Spillover analysis of a stored run (default: the latest run in straits.db):\n"
          "for each region of kind 'territory' the probability that violence has\n"
          "reached it by each time (95%% Wilson CI), the time to first spillover, the\n"
          "most frequent paths of crisis events and escalation levels leading to it,\n"
          "and every headline metric's mean with and without spillover.\n"
          "Violence reaches a territory when a site inside it closes, the region itself\n"
          "turns active, or an escalation level or transition 'reaches' it.\n"
          "\n"
          "      --run ID     the run to analyse (default: the latest)\n"
          "      --csv FILE   write the curves as CSV (region,t_s,p,lo,hi)\n");
}

static double days(double s) { return s / 86400.0; }

static void print_curves(FILE *out, const mc_spill *s) {
  double grid[SPILL_GRID], p[SPILL_GRID], lo[SPILL_GRID], hi[SPILL_GRID];
  for (int g = 0; g < SPILL_GRID; g++) grid[g] = s->horizon * (g + 1) / SPILL_GRID;
  fprintf(out, "P(violence has reached the territory by t), 95%% Wilson CI\n");
  fprintf(out, "%8s", "t (d)");
  for (size_t t = 0; t <= s->nterr; t++) fprintf(out, "  %-22.22s", s->terr[t]);
  fputc('\n', out);
  double *cols = malloc((s->nterr + 1) * SPILL_GRID * 3 * sizeof *cols);
  if (!cols) return;
  for (size_t t = 0; t <= s->nterr; t++) {
    mc_spill_curve(&s->time[t * s->nrep], s->nrep, grid, SPILL_GRID, 1.96, p, lo, hi);
    for (int g = 0; g < SPILL_GRID; g++) {
      cols[(t * SPILL_GRID + g) * 3] = p[g];
      cols[(t * SPILL_GRID + g) * 3 + 1] = lo[g];
      cols[(t * SPILL_GRID + g) * 3 + 2] = hi[g];
    }
  }
  for (int g = 0; g < SPILL_GRID; g++) {
    fprintf(out, "%8.2f", days(grid[g]));
    for (size_t t = 0; t <= s->nterr; t++) {
      const double *c = &cols[(t * SPILL_GRID + g) * 3];
      char cell[64];
      snprintf(cell, sizeof cell, "%.3f [%.3f, %.3f]", c[0], c[1], c[2]);
      fprintf(out, "  %-22s", cell);
    }
    fputc('\n', out);
  }
  free(cols);
}

static void print_first_time(FILE *out, const mc_spill *s) {
  const double *first = &s->time[s->nterr * s->nrep];
  double *scratch = malloc((s->nrep + 1) * sizeof *scratch);
  double *x = malloc((s->nrep + 1) * sizeof *x);
  if (!scratch || !x) goto done;
  for (size_t r = 0; r < s->nrep; r++) x[r] = days(first[r]);
  stats_summary su;
  stats_summarize(&su, x, s->nrep, scratch);
  fprintf(out, "\ntime to first spillover: %zu of %zu replications spilled over\n", su.n,
          s->nrep);
  if (su.n)
    fprintf(out, "  mean %.2f d (95%% CI +-%.2f), min %.2f, p5 %.2f, median %.2f, p95 %.2f, "
                 "max %.2f d\n",
            su.mean, isnan(su.half_width) ? 0.0 : su.half_width, su.min, su.p5, su.p50,
            su.p95, su.max);
done:
  free(scratch), free(x);
}

static void print_paths(FILE *out, const mc_spill *s) {
  fprintf(out, "\nmost frequent paths to the first spillover (events and levels up to it)\n");
  fprintf(out, "%7s %6s  %s\n", "share", "count", "path");
  for (size_t i = 0; i < s->npath && i < SPILL_PATHS; i++)
    fprintf(out, "%6.1f%% %6d  %s\n", 100 * s->path[i].share, s->path[i].count,
            s->path[i].text);
  if (s->npath > SPILL_PATHS) fprintf(out, "  (%zu more paths)\n", s->npath - SPILL_PATHS);
}

static void print_splits(FILE *out, const mc_spill *s) {
  fprintf(out, "\nheadline metrics with and without spillover (mean, 95%% CI)\n");
  if (!s->nsplit) {
    fprintf(out, "  (no headline metric outside the spillover module)\n");
    return;
  }
  fprintf(out, "%-40s %-4s %22s %22s\n", "metric", "unit", "with spillover", "without");
  for (size_t i = 0; i < s->nsplit; i++) {
    const mc_spill_split *sp = &s->split[i];
    char name[128], yes[64], no[64];
    snprintf(name, sizeof name, "%s.%s", sp->module, sp->name);
    snprintf(yes, sizeof yes, "%.4g +-%.2g (n=%zu)", sp->mean_yes,
             isnan(sp->half_yes) ? 0.0 : sp->half_yes, sp->n_yes);
    snprintf(no, sizeof no, "%.4g +-%.2g (n=%zu)", sp->mean_no,
             isnan(sp->half_no) ? 0.0 : sp->half_no, sp->n_no);
    fprintf(out, "%-40s %-4s %22s %22s\n", name, sp->unit, yes, no);
  }
}

static int write_csv(const char *path, const mc_spill *s) {
  FILE *f = fopen(path, "w");
  if (!f) {
    cli_error("%s: %s", path, strerror(errno));
    return CLI_FAILURE;
  }
  fprintf(f, "region,t_s,p,lo,hi\n");
  enum { NG = 50 };
  double grid[NG], p[NG], lo[NG], hi[NG];
  for (int g = 0; g < NG; g++) grid[g] = s->horizon * g / (NG - 1);
  for (size_t t = 0; t <= s->nterr; t++) {
    mc_spill_curve(&s->time[t * s->nrep], s->nrep, grid, NG, 1.96, p, lo, hi);
    for (int g = 0; g < NG; g++)
      fprintf(f, "%s,%.17g,%.6f,%.6f,%.6f\n", s->terr[t], grid[g], p[g], lo[g], hi[g]);
  }
  return fclose(f) ? CLI_FAILURE : CLI_OK;
}

int cmd_spillover(int argc, char **argv) {
  static const struct option longopts[] = {
      {"run", required_argument, NULL, 'r'},
      {"csv", required_argument, NULL, 'c'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *csv = NULL;
  long long run = -1;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
    case 'r': {
      char *end;
      run = strtoll(optarg, &end, 10);
      if (*end || run < 1) {
        cli_error("--run needs a run id, got '%s'", optarg);
        return CLI_BAD_INPUT;
      }
      break;
    }
    case 'c': csv = optarg; break;
    case 'h': cmd_spillover_usage(stdout); return CLI_OK;
    default: cmd_spillover_usage(stderr); return CLI_BAD_INPUT;
    }
  }
  if (argc - optind > 1) {
    cmd_spillover_usage(stderr);
    return CLI_BAD_INPUT;
  }
  const char *db = optind < argc ? argv[optind] : "straits.db";
  diag *d = diag_new();
  store *st = NULL;
  mc_spill s;
  memset(&s, 0, sizeof s);
  int status = CLI_FAILURE, rc;
  if (!d) return CLI_FAILURE;
  if (access(db, F_OK) != 0) { /* store_open would create an empty store */
    cli_error("%s: %s (run 'straits run' first)", db, strerror(errno));
    diag_free(d);
    return CLI_BAD_INPUT;
  }
  if ((rc = store_open(&st, db, d))) goto out;
  if ((rc = mc_spill_read(&s, st, run, d))) {
    if (rc == ERR_NOTFOUND) status = CLI_BAD_INPUT;
    goto out;
  }
  printf("spillover to Japanese territory: run %lld, %zu replications, horizon %.2f d\n\n",
         (long long)s.run_id, s.nrep, days(s.horizon));
  print_curves(stdout, &s);
  print_first_time(stdout, &s);
  print_paths(stdout, &s);
  print_splits(stdout, &s);
  status = csv ? write_csv(csv, &s) : CLI_OK;
out:
  if (diag_count(d, DIAG_ERROR)) diag_print(d, stderr, 0);
  else if (status != CLI_OK && rc == ERR_NOTFOUND) cli_error("%s: no run %lld", db, run);
  else if (status != CLI_OK && rc) cli_error("%s: %s", db, st && *store_errmsg(st) ? store_errmsg(st) : err_strerror(rc));
  mc_spill_free(&s);
  store_close(st);
  diag_free(d);
  return status;
}
