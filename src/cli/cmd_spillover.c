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
#include "cli_report.h"
#include "diag.h"
#include "err.h"
#include "mc_spill.h"
#include "report.h"
#include "stats.h"

#define SPILL_GRID 10   /* rows of the curve table: horizon/10 .. horizon */
#define SPILL_PATHS 10  /* paths shown */
#define SPILL_NAME_WIDTH 48 /* the missions table's metric column; longer names get a line */

void cmd_spillover_usage(FILE *out) {
  fprintf(out,
          "usage: straits spillover [options] [STORE]\n"
          "\n"
          "Spillover analysis of a stored run (default: the latest run in straits.db):\n"
          "for each region of kind 'territory' the probability that violence has\n"
          "reached it by each time (95%% Wilson CI), the time to first spillover, the\n"
          "most frequent paths of crisis events and escalation levels leading to it,\n"
          "and the effect on the missions: their headline metrics (and the others whose\n"
          "difference is significant) with and without spillover, and the difference\n"
          "with its 95%% CI (Welch) and a verdict: better or worse with spillover by the\n"
          "metric's direction, differs, or no significant difference.  Shown in the\n"
          "report's units and digits; the analysis is stored with the run for its report.\n"
          "Violence reaches a territory when a site inside it closes, the region itself\n"
          "turns active, or an escalation level or transition 'reaches' it.\n"
          "\n"
          "      --run ID     the run to analyse (default: the latest)\n"
          "      --csv FILE   write the curves as CSV (region,t_s,p,lo,hi)\n"
          "      --region ID  time to and paths to that territory instead of the first\n"
          "      --all        every scalar metric of the missions, not only the headline\n"
          "                   ones and those whose difference's 95%% CI excludes 0\n");
}

static double days(double s) { return s / 86400.0; }

static void print_curves(FILE *out, const mc_spill *s) {
  double grid[SPILL_GRID], p[SPILL_GRID], lo[SPILL_GRID], hi[SPILL_GRID];
  for (int g = 0; g < SPILL_GRID; g++) grid[g] = s->horizon * (g + 1) / SPILL_GRID;
  fprintf(out, "P(violence has reached the territory by t), 95%% Wilson CI\n");
  fprintf(out, "%8s", "t (d)");
  /* The last column unpadded: no trailing blanks. */
  for (size_t t = 0; t <= s->nterr; t++)
    fprintf(out, t < s->nterr ? "  %-22.22s" : "  %.22s", s->terr[t]);
  fputc('\n', out);
  double *cols = malloc((s->nterr + 1) * SPILL_GRID * 3 * sizeof *cols);
  if (!cols) return;
  for (size_t t = 0; t <= s->nterr; t++) {
    mc_spill_curve(s->reached[t].time, s->reached[t].n, s->nrep, grid, SPILL_GRID, 1.96, p, lo, hi);
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
      fprintf(out, t < s->nterr ? "  %-22s" : "  %s", cell);
    }
    fputc('\n', out);
  }
  free(cols);
}

/* Time to first spillover, or (with --region) to violence first reaching that region:
 * the reached replications' times in replication order, the values stats_summarize
 * kept of the whole run's column (it skips NaN), so the same summary. */
static void print_first_time(FILE *out, const mc_spill *s) {
  const mc_spill_reached *l = &s->reached[s->path_of];
  double *scratch = malloc((l->n + 1) * sizeof *scratch);
  double *x = malloc((l->n + 1) * sizeof *x);
  if (!scratch || !x) goto done;
  for (size_t i = 0; i < l->n; i++) x[i] = days(l->time[i]);
  stats_summary su;
  stats_summarize(&su, x, l->n, STATS_REAL, scratch);
  if (s->path_of == s->nterr)
    fprintf(out, "\ntime to first spillover: %zu of %zu replications spilled over\n", su.n,
            s->nrep);
  else
    fprintf(out, "\ntime until violence reached %s: in %zu of %zu replications\n",
            s->terr[s->path_of], su.n, s->nrep);
  if (su.n)
    fprintf(out, "  mean %.2f d (95%% CI +-%.2f), min %.2f, p5 %.2f, median %.2f, p95 %.2f, "
                 "max %.2f d\n",
            su.mean, isnan(su.half_width) ? 0.0 : su.half_width, su.min, su.p5, su.p50,
            su.p95, su.max);
done:
  free(scratch), free(x);
}

static void print_paths(FILE *out, const mc_spill *s) {
  if (s->path_of == s->nterr)
    fprintf(out, "\nmost frequent paths to the first spillover (events and levels up to it)\n");
  else
    fprintf(out, "\nmost frequent paths to %s (events and levels up to the step that reached "
                 "it)\n", s->terr[s->path_of]);
  fprintf(out, "%7s %6s  %s\n", "share", "count", "path");
  for (size_t i = 0; i < s->npath && i < SPILL_PATHS; i++)
    fprintf(out, "%6.1f%% %6d  %s\n", 100 * s->path[i].share, s->path[i].count,
            s->path[i].text);
  if (s->npath > SPILL_PATHS) fprintf(out, "  (%zu more paths)\n", s->npath - SPILL_PATHS);
}

/* ---- the effect on the missions, as the report's table shows it ------------------ */

/* How a split is shown: as report.js's split table shows the metric from the
 * registry entry rep_html.c writes for it: a dimensionless metric that is 0/1 (a
 * probability) or a share within [0, 1] in percent (differences then in percentage
 * points), other units scaled by the run's typical size (rep_display_unit_for). */
typedef struct split_shown {
  double scale;
  const char *unit;
  int percent;
  int decimals; /* negative: rounded to tens, hundreds */
} split_shown;

static split_shown split_show(const mc_spill_split *sp) {
  split_shown o = {1, "", 0, 0};
  int dimensionless = !sp->unit || !sp->unit[0] || strcmp(sp->unit, "1") == 0;
  o.percent = dimensionless && sp->n_yes + sp->n_no > 0 &&
              (sp->binary || (sp->min >= 0 && sp->max <= 1 && sp->min < sp->max));
  if (o.percent) o.scale = 100, o.unit = "%";
  else rep_display_unit_for(sp->unit, sp->typical, &o.scale, &o.unit);
  double big = fabs(sp->mean_no) > fabs(sp->mean_yes) ? sp->mean_no : sp->mean_yes;
  o.decimals = rep_decimals(big * o.scale, sp->half_diff * o.scale, o.percent);
  return o;
}

/* v * scale as the report shows it (rep_fmt), with a sign when signed ("+7.7"). */
static void split_num(char *dst, size_t size, double v, const split_shown *o, int with_sign) {
  char digits[64];
  rep_fmt(digits, sizeof digits, v * o->scale, o->decimals);
  int zero = !isnan(v) && strspn(digits, "-0.,") == strlen(digits);
  const char *p = digits + (zero && digits[0] == '-'); /* no "-0.0" */
  snprintf(dst, size, "%s%s", with_sign && !zero && !isnan(v) && *p != '-' ? "+" : "", p);
}

/* Terminal columns of a UTF-8 string ("km\u00b2" is three). */
static size_t text_cols(const char *s) {
  size_t n = 0;
  for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

static void put_cell(FILE *out, const char *s, size_t width, int right) {
  size_t pad = width > text_cols(s) ? width - text_cols(s) : 0;
  if (right) fprintf(out, "%*s%s", (int)pad, "", s);
  else fprintf(out, "%s%*s", s, (int)pad, "");
}

enum { SC_METRIC, SC_UNIT, SC_YES, SC_NYES, SC_NO, SC_NNO, SC_DIFF, SC_CI, SC_VERDICT, SC_N };
typedef struct split_row { char cell[SC_N][160]; } split_row;

static void split_cells(split_row *row, const mc_spill *s, const mc_spill_split *sp) {
  split_shown o = split_show(sp);
  char(*c)[160] = row->cell, lo[64], hi[64];
  snprintf(c[SC_METRIC], sizeof c[0], "%s.%s", sp->module, sp->name);
  snprintf(c[SC_UNIT], sizeof c[0], "%s", o.unit);
  if (sp->n_yes) split_num(c[SC_YES], sizeof c[0], sp->mean_yes, &o, 0);
  else snprintf(c[SC_YES], sizeof c[0], "never");
  if (sp->n_no) split_num(c[SC_NO], sizeof c[0], sp->mean_no, &o, 0);
  else snprintf(c[SC_NO], sizeof c[0], "never");
  snprintf(c[SC_NYES], sizeof c[0], "%zu", sp->n_yes);
  snprintf(c[SC_NNO], sizeof c[0], "%zu", sp->n_no);
  split_num(c[SC_DIFF], sizeof c[0], sp->diff, &o, 1);
  if (isnan(sp->diff) || isnan(sp->half_diff)) {
    snprintf(c[SC_CI], sizeof c[0], "-");
  } else {
    split_num(lo, sizeof lo, sp->diff - sp->half_diff, &o, 1);
    split_num(hi, sizeof hi, sp->diff + sp->half_diff, &o, 1);
    snprintf(c[SC_CI], sizeof c[0], "%s to %s", lo, hi);
  }
  snprintf(c[SC_VERDICT], sizeof c[0], "%s", mc_spill_verdict(s, sp));
}

/* A name wider than its column goes on a line of its own, the numbers under it. */
static void put_row(FILE *out, const split_row *row, const size_t *width) {
  static const int right[SC_N] = {0, 0, 1, 1, 1, 1, 1, 1, 0};
  for (int k = 0; k < SC_N; k++) {
    if (k) fputs("  ", out);
    if (k == SC_METRIC && text_cols(row->cell[k]) > width[k])
      fprintf(out, "%s\n%*s", row->cell[k], (int)width[k], "");
    else if (k == SC_VERDICT) fputs(row->cell[k], out); /* the last column unpadded */
    else put_cell(out, row->cell[k], width[k], right[k]);
  }
  fputc('\n', out);
}

/* The missions with and without spillover: the headline metrics, then the others
 * (all of them with --all), in the report's units and digits, with its verdicts. */
static void print_splits(FILE *out, const mc_spill *s, int all) {
  const size_t yes = s->reached[s->nterr].n;
  fprintf(out, "\neffect on the missions: with and without spillover (%zu and %zu "
               "replications; means, and the difference with its 95%% CI)\n", yes,
          s->nrep - yes);
  if (!s->nsplit) {
    fprintf(out, "  (no mission module in this run: plan, logistics, sar or inspection)\n");
    return;
  }
  split_row *row = malloc((s->nsplit + 1) * sizeof *row);
  if (!row) return;
  static const char *const head[SC_N] = {"metric", "unit", "with spillover", "n", "without",
                                         "n", "difference", "95% CI", "verdict"};
  size_t width[SC_N];
  for (int k = 0; k < SC_N; k++) {
    snprintf(row[0].cell[k], sizeof row[0].cell[k], "%s", head[k]);
    width[k] = text_cols(head[k]);
  }
  for (size_t i = 0; i < s->nsplit; i++) {
    split_cells(&row[i + 1], s, &s->split[i]);
    for (int k = 0; k < SC_N; k++)
      if (text_cols(row[i + 1].cell[k]) > width[k]) width[k] = text_cols(row[i + 1].cell[k]);
  }
  if (width[SC_METRIC] > SPILL_NAME_WIDTH) width[SC_METRIC] = SPILL_NAME_WIDTH;
  put_row(out, &row[0], width);
  for (size_t i = 0; i < s->nsplit; i++) {
    if (!s->split[i].headline && (!i || s->split[i - 1].headline))
      fprintf(out, "%s\n", all ? "other metrics of the missions:"
                               : "other metrics whose difference's 95% CI excludes 0:");
    put_row(out, &row[i + 1], width);
  }
  free(row);
  fprintf(out, "  (%%: differences in percentage points; better or worse with spillover by "
               "the metric's direction,\n   'differs' without one; the other metrics are "
               "untested for multiple comparisons; a conditional\n   comparison: "
               "replications that spill over differ in other ways too)\n");
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
    mc_spill_curve(s->reached[t].time, s->reached[t].n, s->nrep, grid, NG, 1.96, p, lo, hi);
    for (int g = 0; g < NG; g++) {
      cli_csv_cell(f, s->terr[t]); /* a region id from the scenario: may be hostile */
      fprintf(f, ",%.17g,%.6f,%.6f,%.6f\n", grid[g], p[g], lo[g], hi[g]);
    }
  }
  return fclose(f) ? CLI_FAILURE : CLI_OK;
}

/* --region: the territory the time and the paths are about. */
static int pick_region(mc_spill *s, const char *id) {
  for (size_t t = 0; t < s->nterr; t++)
    if (strcmp(s->terr[t], id) == 0)
      return mc_spill_paths(s, t) ? CLI_FAILURE : CLI_OK;
  char list[512] = "";
  size_t used = 0;
  for (size_t t = 0; t < s->nterr && used < sizeof list; t++)
    used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", t ? ", " : "", s->terr[t]);
  cli_error("no territory '%s' in run %lld (territories: %s)", id, (long long)s->run_id, list);
  return CLI_BAD_INPUT;
}

int cmd_spillover(int argc, char **argv) {
  static const struct option longopts[] = {
      {"run", required_argument, NULL, 'r'},
      {"csv", required_argument, NULL, 'c'},
      {"all", no_argument, NULL, 'a'},
      {"region", required_argument, NULL, 'g'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *csv = NULL, *region = NULL;
  long long run = -1;
  int c, all = 0;
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
    case 'a': all = 1; break;
    case 'g': region = optarg; break;
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
  if ((rc = mc_spill_read(&s, st, run, MC_SPILL_SHOWN | (all ? MC_SPILL_ALL_METRICS : 0), d))) {
    if (rc == ERR_NOTFOUND) status = CLI_BAD_INPUT;
    goto out;
  }
  if (region && (status = pick_region(&s, region)) != CLI_OK) goto out;
  printf("spillover to Japanese territory: run %lld, %zu replications, horizon %.2f d\n\n",
         (long long)s.run_id, s.nrep, days(s.horizon));
  print_curves(stdout, &s);
  print_first_time(stdout, &s);
  print_paths(stdout, &s);
  print_splits(stdout, &s, all);
  status = csv ? write_csv(csv, &s) : CLI_OK;
  /* Runs stored before straits wrote these sections get them now.  Best effort: the
   * analysis above stands even when the store cannot be written (read-only). */
  if (status == CLI_OK) {
    diag *sd = diag_new();
    if (sd && mc_spill_store_docs(st, s.run_id, sd)) diag_print(sd, stderr, 0);
    diag_free(sd);
  }
out:
  if (diag_count(d, DIAG_ERROR)) diag_print(d, stderr, 0);
  else if (status != CLI_OK && rc == ERR_NOTFOUND) cli_error("%s: no run %lld", db, run);
  else if (status != CLI_OK && rc) cli_error("%s: %s", db, st && *store_errmsg(st) ? store_errmsg(st) : err_strerror(rc));
  mc_spill_free(&s);
  store_close(st);
  diag_free(d);
  return status;
}
