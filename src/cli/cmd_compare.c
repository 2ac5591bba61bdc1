/* cmd_compare.c - `straits compare A.yaml B.yaml [...]`: courses of action run with
 * common random numbers, paired differences with 95% CIs, a verdict per metric. */
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
#include "mc_docs.h"

#define COMPARE_MAX 16 /* courses of action in one comparison */

void cmd_compare_usage(FILE *out) {
  fprintf(out,
          "usage: straits compare [options] BASELINE.yaml COA.yaml [COA.yaml ...]\n"
          "       straits compare [options] --set-b KEY=VALUE [...] SCENARIO.yaml\n"
          "\n"
          "Run each course of action with common random numbers (the baseline's seed:\n"
          "replication r of every one draws from the same streams), then compare each\n"
          "with the baseline metric by metric: the mean paired difference, its 95%%\n"
          "confidence interval, and a verdict: better or worse when the interval\n"
          "excludes 0, by which way is good for the metric (its definition says\n"
          "whether higher or lower is better); differs when it says neither; or no\n"
          "significant difference.  With --set-b and one scenario, the course of\n"
          "action is the scenario itself with those overrides.\n"
          "\n"
          "      --set-b KEY=VALUE  with one scenario: compare it with itself under this\n"
          "                        override of a scalar (repeatable), no second file\n"
          "  -n, --replications N  replications of each (default: the baseline's)\n"
          "  -j, --threads N       worker threads (default: all CPUs)\n"
          "      --db PATH         results store (default: compare.db)\n"
          "  -o, --output FILE     report with the comparison section (default: the\n"
          "                        store's name with .html: compare.db gives\n"
          "                        compare.html)\n"
          "      --no-report       write no report\n"
          "  -q, --quiet           no table\n"
          "      --all             every metric in the table, not only the headline ones\n"
          "                        and those whose difference excludes 0\n");
}

typedef struct coa_run {
  const char *path;
  scn_scenario *sc;
  mc_result *res;
  rep_run *rep;
  rep_pair *pairs;
  size_t npairs;
} coa_run;

/* One metric's line, as the run summary writes numbers (cli_common.c): a share in %
 * (its difference in percentage points), a time or mass in the unit its size calls
 * for, the report's digits, fixed notation; the full name, never cut. */
typedef struct compare_row {
  char name[192], unit[16], a[32], b[32], diff[32], hw[32];
  const char *verdict;
} compare_row;

static void format_pair(compare_row *w, const rep_pair *q) {
  memset(w, 0, sizeof *w);
  snprintf(w->name, sizeof w->name, "%s.%s", q->def->module, q->def->name);
  int share = (q->def->flags & METRIC_BINARY) != 0;
  double k = 100;
  const char *shown = "%";
  if (!share) rep_display_unit_for(q->def->unit, q->a.n ? q->a.mean : NAN, &k, &shown);
  snprintf(w->unit, sizeof w->unit, "%s", strcmp(shown, "1") == 0 ? "" : shown);
  if (q->diff.n == 0) {
    snprintf(w->a, sizeof w->a, "-"), snprintf(w->b, sizeof w->b, "-");
    snprintf(w->diff, sizeof w->diff, "-"), snprintf(w->hw, sizeof w->hw, "-");
    w->verdict = "never both observed";
    return;
  }
  /* The means with the digits their size and the interval call for; the difference
   * and its interval with the digits the difference's own size calls for. */
  double typical = fmax(fabs(q->a.mean), fabs(q->b.mean)) * k, hw = q->diff.half_width * k;
  int dec = rep_decimals(typical, hw, share);
  int ddec = q->diff.mean != 0 ? rep_decimals(q->diff.mean * k, hw, share) : dec;
  rep_fmt(w->a, sizeof w->a, q->a.mean * k, dec);
  rep_fmt(w->b, sizeof w->b, q->b.mean * k, dec);
  rep_fmt(w->diff, sizeof w->diff, q->diff.mean * k, ddec);
  rep_fmt(w->hw, sizeof w->hw, hw, ddec);
  w->verdict = rep_verdict_name(q->verdict);
}

/* The table lists the headline metrics and every metric whose difference excludes 0;
 * with all, every metric. */
static int listed(const rep_pair *q, int all) {
  if (all) return 1;
  if (q->def->flags & METRIC_INTERNAL) return 0;
  return (q->def->flags & METRIC_HEADLINE) || (q->diff.n > 0 && q->verdict != REP_SAME);
}

static void print_table(FILE *out, const coa_run *c, size_t nrep, int all) {
  fprintf(out, "\n%s (run %lld) against the baseline, %zu paired replications\n", c->path,
          (long long)c->res->run_id, nrep);
  compare_row *row = calloc(c->npairs + 1, sizeof *row);
  if (!row) return;
  static const char *const head[] = {"metric", "unit",   "baseline", "coa",
                                     "diff",   "ci95+-", "verdict"};
  size_t width[7];
  for (int k = 0; k < 7; k++) width[k] = cli_text_width(head[k]);
  size_t hidden = 0;
  for (size_t i = 0; i < c->npairs; i++) {
    compare_row *w = &row[i];
    if (!listed(&c->pairs[i], all)) {
      hidden++;
      continue;
    }
    format_pair(w, &c->pairs[i]);
    const char *cell[] = {w->name, w->unit, w->a, w->b, w->diff, w->hw, w->verdict};
    for (int k = 0; k < 7; k++)
      if (cli_text_width(cell[k]) > width[k]) width[k] = cli_text_width(cell[k]);
  }
  cli_table_line(out, head, width, "llrrrrl");
  for (size_t i = 0; i < c->npairs; i++) {
    const compare_row *w = &row[i];
    if (!listed(&c->pairs[i], all)) continue;
    const char *cell[] = {w->name, w->unit, w->a, w->b, w->diff, w->hw, w->verdict};
    cli_table_line(out, cell, width, "llrrrrl");
  }
  if (hidden)
    fprintf(out,
            "%zu more metrics: no significant difference, or never both observed "
            "(--all lists them)\n",
            hidden);
  free(row);
}

int cmd_compare(int argc, char **argv) {
  static const struct option longopts[] = {{"replications", required_argument, NULL, 'n'},
                                           {"threads", required_argument, NULL, 'j'},
                                           {"db", required_argument, NULL, 'd'},
                                           {"output", required_argument, NULL, 'o'},
                                           {"no-report", no_argument, NULL, 'R'},
                                           {"quiet", no_argument, NULL, 'q'},
                                           {"all", no_argument, NULL, 'A'},
                                           {"set-b", required_argument, NULL, 'b'},
                                           {"help", no_argument, NULL, 'h'},
                                           {0}};
  const char *db = "compare.db", *out = NULL;
  int no_report = 0, quiet = 0, all = 0, c;
  mc_options mopt = MC_OPTIONS_INIT;
  /* The variant's overrides: the baseline's seed first, then every --set-b. */
  const char **set_b = calloc((size_t)argc + 1, sizeof *set_b);
  size_t nset_b = 0;
  if (!set_b) return CLI_FAILURE;
  optind = 1;
  while ((c = getopt_long(argc, argv, "n:j:o:qh", longopts, NULL)) != -1) {
    switch (c) {
    case 'n':
    case 'j':
      if (cli_parse_run_option(&mopt, c, optarg)) return CLI_BAD_INPUT;
      break;
    case 'd':
      db = optarg;
      break;
    case 'o':
      out = optarg;
      break;
    case 'R':
      no_report = 1;
      break;
    case 'A':
      all = 1;
      break;
    case 'q':
      quiet = 1;
      break;
    case 'b':
      set_b[1 + nset_b++] = optarg;
      break;
    case 'h':
      free(set_b);
      cmd_compare_usage(stdout);
      return CLI_OK;
    default:
      free(set_b);
      cmd_compare_usage(stderr);
      return CLI_BAD_INPUT;
    }
  }
  int ncoa = argc - optind;
  if (nset_b && ncoa != 1) {
    cli_error("--set-b compares one scenario with itself: name exactly one, not %d", ncoa);
    free(set_b);
    cmd_compare_usage(stderr);
    return CLI_BAD_INPUT;
  }
  if (nset_b) ncoa = 2; /* the scenario, then itself with the overrides */
  if (ncoa < 2 || ncoa > COMPARE_MAX) {
    cli_error("compare wants a baseline and 1 to %d other courses of action", COMPARE_MAX - 1);
    free(set_b);
    cmd_compare_usage(stderr);
    return CLI_BAD_INPUT;
  }

  coa_run coa[COMPARE_MAX] = {{0}};
  rep_coa doc[COMPARE_MAX] = {{0}};
  strbuf json = STRBUF_INIT;
  store *st = NULL;
  diag *d = diag_new();
  char seed_set[64], report[4096];
  strbuf label = STRBUF_INIT; /* the variant's name: "PATH --set-b K=V ..." */
  int rc = CLI_FAILURE;
  set_b[0] = seed_set;
  if (!d) {
    free(set_b);
    return CLI_FAILURE;
  }
  if (nset_b) {
    strbuf_put(&label, argv[optind]);
    for (size_t k = 0; k < nset_b; k++) {
      strbuf_put(&label, " --set-b ");
      cli_shell_word(&label, set_b[1 + k]);
    }
    if (label.failed) goto done;
  }

  /* Every course of action runs on the baseline's seed: common random numbers. */
  for (int i = 0; i < ncoa; i++) {
    coa[i].path = nset_b ? (i ? label.s : argv[optind]) : argv[optind + i];
    rc = cli_load_scenario(&coa[i].sc, nset_b ? argv[optind] : coa[i].path, i ? set_b : NULL,
                           i ? 1 + nset_b : 0);
    if (rc != CLI_OK) goto done;
    if (i == 0)
      snprintf(seed_set, sizeof seed_set, "scenario.seed=%llu",
               (unsigned long long)coa[0].sc->seed);
  }
  if (!mopt.replications) mopt.replications = coa[0].sc->replications;
  mopt.progress = cli_progress;
  mopt.version = STRAITS_VERSION;
  rc = CLI_FAILURE;
  if (store_open(&st, db, d)) goto print;
  for (int i = 0; i < ncoa; i++) {
    int err = mc_run(&coa[i].res, coa[i].sc, &mopt, st, d);
    if (err) { /* a failure the scenario caused (located in d) is bad input */
      rc = err == ERR_INPUT || err == ERR_MISMATCH ? CLI_BAD_INPUT : CLI_FAILURE;
      goto print;
    }
    /* Each course of action's documents, as `straits run` stores them (mc_docs.h). */
    if (mc_store_docs(st, coa[i].res->run_id, coa[i].sc, &mopt, d)) goto print;
    mc_objective_result *verdicts = NULL;
    size_t nverdicts = 0;
    err = mc_store_objectives(&verdicts, &nverdicts, st, coa[i].sc, coa[i].res, d);
    free(verdicts);
    if (err) {
      rc = err == ERR_INPUT ? CLI_BAD_INPUT : CLI_FAILURE;
      goto print;
    }
    if (rep_run_load(&coa[i].rep, st, coa[i].res->run_id, d)) goto print;
  }
  size_t nrep = coa[0].rep->nrep;
  for (int i = 1; i < ncoa; i++) {
    if (rep_compare(&coa[i].pairs, &coa[i].npairs, st, coa[0].rep, coa[i].rep)) goto print;
    if (coa[i].rep->nrep < nrep) nrep = coa[i].rep->nrep;
  }
  for (int i = 0; i < ncoa; i++)
    doc[i] =
        (rep_coa){coa[i].path, coa[i].sc->name, coa[i].res->run_id, coa[i].pairs, coa[i].npairs};
  rep_compare_json(&json, doc, (size_t)ncoa, nrep);
  /* On every course of action's run, so that the report of any of them (`straits
   * report` takes the newest) shows the comparison. */
  for (int i = 0; i < ncoa; i++)
    if (json.failed || store_doc_put(st, coa[i].res->run_id, "compare", json.s)) {
      cli_error("cannot record the comparison: %s",
                json.failed ? "out of memory" : store_errmsg(st));
      goto print;
    }
  if (!quiet) {
    printf(
        "Courses of action compared with common random numbers: seed %llu, %zu "
        "replications each\nbaseline: %s (run %lld)\n",
        (unsigned long long)coa[0].sc->seed, nrep, coa[0].path, (long long)coa[0].res->run_id);
    for (int i = 1; i < ncoa; i++) print_table(stdout, &coa[i], nrep, all);
    printf(
        "\ndiff: the course of action minus the baseline, replication by replication\n"
        "(a share's in percentage points); ci95+-: half-width of its 95%% confidence\n"
        "interval.  better/worse: the interval excludes 0 and the metric is defined\n"
        "higher- or lower-is-better; differs: it excludes 0 but which way is good\n"
        "depends (whether an event occurs, say).\n");
  }
  rc = CLI_OK;
  if (!no_report && cli_report_available()) {
    if (!out) cli_report_path_for(report, sizeof report, db);
    rc = cli_write_report(st, coa[0].res->run_id, out ? out : report);
    if (rc == CLI_OK && !quiet) printf("report: %s\n", out ? out : report);
  }
print:
  diag_print(d, stderr, isatty(fileno(stderr)));
  if (rc == CLI_FAILURE && diag_count(d, DIAG_ERROR) == 0 && st && store_errmsg(st)[0])
    cli_error("%s", store_errmsg(st));
done:
  for (int i = 0; i < ncoa; i++) {
    free(coa[i].pairs);
    rep_run_free(coa[i].rep);
    mc_result_free(coa[i].res);
    scn_free(coa[i].sc);
  }
  strbuf_release(&json);
  strbuf_release(&label);
  free(set_b);
  store_close(st);
  diag_free(d);
  return rc;
}
