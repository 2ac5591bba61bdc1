/* cli_common.c - what the subcommands share: loading with diagnostics, the progress
 * bar, the summary table. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "diag.h"
#include "err.h"
#include "report.h"

void cli_error(const char *fmt, ...) {
  /* Messages quote paths and option values: their control bytes are shown escaped. */
  char buf[2048];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  fputs("straits: ", stderr);
  if (n >= 0)
    diag_put_escaped(stderr, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
  fputc('\n', stderr);
}

int cli_parse_long(const char *s, long lo, long hi, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

int cli_parse_run_option(mc_options *mc, int opt, const char *arg) {
  long v;
  if (opt == 'n') {
    if (cli_parse_long(arg, 1, MC_MAX_REPLICATIONS, &v)) {
      cli_error("--replications wants an integer from 1 to %d, not '%s'", MC_MAX_REPLICATIONS,
                arg);
      return -1;
    }
    mc->replications = (int)v;
    return 0;
  }
  if (cli_parse_long(arg, 1, 1024, &v)) {
    cli_error("--threads wants an integer from 1 to 1024, not '%s'", arg);
    return -1;
  }
  mc->threads = (int)v;
  return 0;
}

void cli_csv_cell(FILE *f, const char *text) {
  rep_buf b = REP_BUF_INIT;
  rep_csv_cell(&b, text);
  if (!b.failed && b.s) fputs(b.s, f);
  rep_buf_release(&b);
}

const char *cli_default_scenario(void) { return STRAITS_SCENARIO_DIR "/taiwan-strait.yaml"; }

int cli_load_scenario(scn_scenario **out, const char *path, const char *const *overrides,
                      size_t noverrides) {
  return cli_load_scenario_in(out, path, overrides, noverrides, NULL, 0);
}

int cli_load_scenario_in(scn_scenario **out, const char *path, const char *const *overrides,
                         size_t noverrides, const char *const *include_dirs,
                         size_t ninclude_dirs) {
  diag *d = diag_new();
  if (!d) return CLI_FAILURE;
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  opt.overrides = overrides;
  opt.noverrides = noverrides;
  opt.include_dirs = include_dirs;
  opt.ninclude_dirs = ninclude_dirs;
  int rc = scn_load(out, path, &opt, d);
  diag_print(d, stderr, isatty(fileno(stderr)));
  diag_free(d);
  if (rc == ERR_NOMEM) return CLI_FAILURE;
  return rc < 0 ? CLI_BAD_INPUT : CLI_OK;
}

void cli_progress(int done, int total, double elapsed_s, void *ctx) {
  (void)ctx;
  if (!isatty(fileno(stderr)) || total <= 0) return;
  enum { WIDTH = 30 };
  int filled = (int)((long long)done * WIDTH / total);
  char bar[WIDTH + 1];
  for (int i = 0; i < WIDTH; i++) bar[i] = i < filled ? '#' : '.';
  bar[WIDTH] = '\0';
  double eta = done > 0 ? elapsed_s * (total - done) / done : 0;
  fprintf(stderr, "\r[%s] %3d%% %d/%d  ETA %d:%02d ", bar, done * 100 / total, done, total,
          (int)eta / 60, (int)eta % 60);
  if (done >= total) fputs("\r\033[K", stderr);
  fflush(stderr);
}

/* In the unit the report shows it in (rep_display_unit_for): minutes, hours or days,
   tonnes, kilometres, knots. */
static void print_row(FILE *out, const metric_def *def, const stats_summary *s, int total) {
  char name[64];
  snprintf(name, sizeof name, "%s.%s", def->module, def->name);
  double k;
  const char *shown;
  rep_display_unit_for(def->unit, s->n ? (fabs(s->p50) > fabs(s->mean) ? s->p50 : s->mean) : NAN,
                       &k, &shown);
  if (s->n == 0) {
    fprintf(out, "%-40s %-4s %10s\n", name, shown, "never");
    return;
  }
  char hw[32] = "-";
  if (!isnan(s->half_width)) snprintf(hw, sizeof hw, "%.3g", s->half_width * k);
  fprintf(out, "%-40s %-4s %10.4g %10s %10.4g %10.4g %10.4g", name, shown, s->mean * k, hw,
          s->p5 * k, s->p50 * k, s->p95 * k);
  if ((int)s->n < total) fprintf(out, " %7zu", s->n);
  fputc('\n', out);
}

void cli_print_summary(FILE *out, const scn_scenario *sc, const mc_result *r,
                       const char *db_path, int threads) {
  fprintf(out, "%s%s\n", sc->name, sc->notional ? "  [notional forces and numbers]" : "");
  fprintf(out, "%d replications (seed %llu, %d thread%s, %.2f s), stored in %s as run %lld%s\n\n",
          r->replications, (unsigned long long)sc->seed, threads, threads == 1 ? "" : "s",
          r->wall_s, db_path, (long long)r->run_id,
          r->converged ? "" : "; confidence target not reached");
  fprintf(out, "%-40s %-4s %10s %10s %10s %10s %10s %7s\n", "metric", "unit", "mean", "ci95+-",
          "p5", "p50", "p95", "n");
  for (int pass = 0; pass < 2; pass++) {
    for (size_t i = 0; i < r->metrics.n; i++) {
      const metric_def *def = &r->metrics.def[i];
      if (def->flags & METRIC_SERIES) continue;
      int headline = (def->flags & METRIC_HEADLINE) != 0;
      if (headline != (pass == 0)) continue;
      print_row(out, def, &r->summary[i], r->replications);
    }
    if (pass == 0) fputc('\n', out);
  }
  fprintf(out, "\nci95+-: half-width of the 95%% confidence interval of the mean.  n: the\n"
               "replications where a metric was observed (an event's time exists only\n"
               "where it occurred), shown when fewer than all of them.\n");
}
