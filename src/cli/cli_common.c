/* cli_common.c - what the subcommands share: loading with diagnostics, the progress
 * bar, the summary table. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "diag.h"
#include "err.h"
#include "file.h"
#include "report.h"
#include "ops.h"

void cli_error(const char *fmt, ...) {
  /* Messages quote paths and option values: their control bytes are shown escaped. */
  char dst[2048];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(dst, sizeof dst, fmt, ap);
  va_end(ap);
  fputs("straits: ", stderr);
  if (n >= 0)
    diag_put_escaped(stderr, dst, (size_t)n < sizeof dst ? (size_t)n : sizeof dst - 1);
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

size_t cli_fmt_count(char *buf, size_t size, long long n) {
  /* Digits from the right, a comma every three; no stdio and no locale, so the
   * interrupt handler can call it. */
  char tmp[40];
  size_t k = 0;
  unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
  int digits = 0;
  do {
    if (digits && digits % 3 == 0) tmp[k++] = ',';
    tmp[k++] = (char)('0' + u % 10);
    u /= 10;
    digits++;
  } while (u);
  if (n < 0) tmp[k++] = '-';
  size_t len = 0;
  if (size == 0) return 0;
  while (k > 0 && len + 1 < size) buf[len++] = tmp[--k];
  buf[len] = '\0';
  return len;
}

void cli_shell_word(strbuf *b, const char *word) {
  static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "0123456789_-+=.,/:@%";
  if (*word && strspn(word, safe) == strlen(word)) {
    strbuf_put(b, word);
    return;
  }
  strbuf_put(b, "'");
  for (const char *q; (q = strchr(word, '\'')); word = q + 1) {
    strbuf_putn(b, word, (size_t)(q - word));
    strbuf_put(b, "'\\''");
  }
  strbuf_put(b, word);
  strbuf_put(b, "'");
}

/* ---- an interrupted run ----------------------------------------------------------
 * A signal handler reaches only globals, so the armed command and the counts live
 * here; the handler formats its message without stdio (async-signal-safe) and ends
 * the process at once.  Nothing is lost that a batch committed: the store's
 * transactions are atomic, and one cut off is rolled back when the store next opens. */
static const char *volatile interrupt_cmd;
static atomic_int interrupt_stored = -1, interrupt_total;
static volatile sig_atomic_t interrupt_tty;
static struct sigaction interrupt_old_int, interrupt_old_term;
static int interrupt_int_armed, interrupt_term_armed;

static void put_fd(const char *s) {
  size_t n = strlen(s);
  while (n > 0) {
    ssize_t w = write(STDERR_FILENO, s, n);
    if (w <= 0) {
      if (w < 0 && errno == EINTR) continue;
      return;
    }
    s += w, n -= (size_t)w;
  }
}

static void on_interrupt(int sig) {
  char num[40];
  int stored = atomic_load(&interrupt_stored);
  if (interrupt_tty) put_fd("\r\033[K"); /* over the progress bar */
  if (stored < 0) {
    put_fd("interrupted before any replication ran");
  } else {
    put_fd("interrupted after ");
    cli_fmt_count(num, sizeof num, stored);
    put_fd(num);
    put_fd(" of ");
    cli_fmt_count(num, sizeof num, atomic_load(&interrupt_total));
    put_fd(num);
    put_fd(" replications (all stored)");
  }
  const char *cmd = interrupt_cmd;
  if (cmd) {
    put_fd("; resume with: ");
    put_fd(cmd);
  }
  put_fd("\n");
  _exit(128 + sig); /* 130 for SIGINT, 143 for SIGTERM */
}

void cli_interrupt_arm(const char *resume_cmd, int total) {
  interrupt_cmd = resume_cmd;
  atomic_store(&interrupt_total, total);
  atomic_store(&interrupt_stored, -1);
  interrupt_tty = isatty(STDERR_FILENO);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  /* A SIGINT ignored on entry (a background job of a script, nohup) stays ignored, as
   * shells leave it: Ctrl-C at the terminal is not meant for such a process. */
  struct sigaction cur;
  if (sigaction(SIGINT, NULL, &cur) == 0 && cur.sa_handler != SIG_IGN)
    interrupt_int_armed = sigaction(SIGINT, &sa, &interrupt_old_int) == 0;
  interrupt_term_armed = sigaction(SIGTERM, &sa, &interrupt_old_term) == 0;
}

void cli_interrupt_progress(int total, int stored) {
  atomic_store(&interrupt_total, total);
  atomic_store(&interrupt_stored, stored);
}

void cli_interrupt_disarm(void) {
  if (interrupt_int_armed) sigaction(SIGINT, &interrupt_old_int, NULL);
  if (interrupt_term_armed) sigaction(SIGTERM, &interrupt_old_term, NULL);
  interrupt_int_armed = interrupt_term_armed = 0;
  interrupt_cmd = NULL;
}

void cli_csv_cell(FILE *f, const char *text) {
  strbuf b = STRBUF_INIT;
  rep_csv_cell(&b, text);
  if (!b.failed && b.s) fputs(b.s, f);
  strbuf_release(&b);
}

const char *cli_default_scenario(void) { return STRAITS_SCENARIO_DIR "/taiwan-strait.yaml"; }

/* What a YAML file is, from its top-level keys (lines that start with a key at column
 * 1): a scenario (`scenario:`), a SAR case (`case:`) or a sweep (`sweep:`).  Only a
 * regular file is read (never a FIFO), and only its first 256 KiB: this is a hint, the
 * loaders still judge the file. */
static cli_file_kind file_kind(const char *path) {
  const char *what;
  FILE *f = file_open_regular(path, &what, NULL); /* never waits on a FIFO */
  if (!f) return CLI_FILE_UNKNOWN;
  char line[512];
  cli_file_kind kind = CLI_FILE_UNKNOWN;
  long limit = 256 * 1024;
  while (kind == CLI_FILE_UNKNOWN && ftell(f) < limit && fgets(line, sizeof line, f)) {
    if (strncmp(line, "scenario:", 9) == 0) kind = CLI_FILE_SCENARIO;
    else if (strncmp(line, "case:", 5) == 0) kind = CLI_FILE_SAR_CASE;
    else if (strncmp(line, "sweep:", 6) == 0) kind = CLI_FILE_SWEEP;
  }
  fclose(f);
  return kind;
}

int cli_wrong_file(const char *path, cli_file_kind want) {
  static const char *const what[] = {"", "a scenario", "a search and rescue case", "a sweep file"};
  static const char *const command[] = {"", "run", "sar", "sweep"};
  cli_file_kind kind = file_kind(path);
  if (kind == CLI_FILE_UNKNOWN || kind == want) return 0;
  if (kind == CLI_FILE_SCENARIO)
    cli_error("'%s' is a scenario, not %s: run it with 'straits run %s' (check it with "
              "'straits check %s')", path, what[want], path, path);
  else
    cli_error("'%s' is %s, not %s: run it with 'straits %s %s'", path, what[kind], what[want],
              command[kind], path);
  return 1;
}

int cli_load_scenario(scn_scenario **out, const char *path, const char *const *overrides,
                      size_t noverrides) {
  return cli_load_scenario_in(out, path, overrides, noverrides, NULL, 0);
}

int cli_load_scenario_in(scn_scenario **out, const char *path, const char *const *overrides,
                         size_t noverrides, const char *const *include_dirs,
                         size_t ninclude_dirs) {
  if (cli_wrong_file(path, CLI_FILE_SCENARIO)) return CLI_BAD_INPUT;
  diag *d = diag_new();
  if (!d) return CLI_FAILURE;
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
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

/* A metric row as the report shows it: its unit (rep_display_unit_for; a 0/1 metric in
 * %), its digits (rep_decimals), fixed notation.  Columns are strings so that the table
 * can size them to their widest cell and never cut a name. */
typedef struct summary_row {
  char name[192], unit[16], mean[32], ci[80], p5[32], p50[32], p95[32], n[16];
} summary_row;

static void format_row(summary_row *w, const metric_def *def, const stats_summary *s, int total) {
  memset(w, 0, sizeof *w);
  snprintf(w->name, sizeof w->name, "%s.%s", def->module, def->name);
  int share = (def->flags & METRIC_BINARY) != 0;
  double k = 100;
  const char *shown = "%";
  if (!share)
    rep_display_unit_for(def->unit, s->n ? (fabs(s->p50) > fabs(s->mean) ? s->p50 : s->mean) : NAN,
                         &k, &shown);
  snprintf(w->unit, sizeof w->unit, "%s", strcmp(shown, "1") == 0 ? "" : shown);
  if (s->n == 0) {
    snprintf(w->mean, sizeof w->mean, "never");
    return;
  }
  int dec = rep_decimals(s->mean * k, s->half_width * k, share);
  rep_fmt(w->mean, sizeof w->mean, s->mean * k, dec);
  if (!isnan(s->ci_lo) && !isnan(s->ci_hi)) {
    char lo[32], hi[32];
    rep_fmt(lo, sizeof lo, s->ci_lo * k, dec);
    rep_fmt(hi, sizeof hi, s->ci_hi * k, dec);
    snprintf(w->ci, sizeof w->ci, "%s to %s", lo, hi);
  }
  if (!share) { /* the percentiles of a 0/1 value say nothing its mean does not */
    /* A count's percentiles are whole (nearest rank): no decimals for them. */
    int whole = strcmp(def->unit, "1") == 0 && s->p5 == round(s->p5) && s->p50 == round(s->p50) &&
                s->p95 == round(s->p95);
    int pd = whole ? 0 : dec;
    rep_fmt(w->p5, sizeof w->p5, s->p5 * k, pd);
    rep_fmt(w->p50, sizeof w->p50, s->p50 * k, pd);
    rep_fmt(w->p95, sizeof w->p95, s->p95 * k, pd);
  }
  if ((int)s->n < total) snprintf(w->n, sizeof w->n, "%zu", s->n);
}

static int shown_in_summary(const metric_def *def, int all) {
  if (def->flags & METRIC_SERIES) return 0;
  return all || ((def->flags & METRIC_HEADLINE) && !(def->flags & METRIC_INTERNAL));
}

/* Display width of UTF-8 text (units such as "km²" and "m³"). */
size_t cli_text_width(const char *s) {
  size_t n = 0;
  for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

#define WIDEN(w, field) do { size_t l_ = cli_text_width(row.field); if (l_ > w) w = l_; } while (0)

void cli_table_line(FILE *out, const char *const *cell, const size_t *width, const char *align) {
  char line[1024];
  size_t at = 0;
  for (int c = 0; align[c] && at < sizeof line - 1; c++) {
    size_t l = cli_text_width(cell[c]), fill = width[c] > l ? width[c] - l : 0;
    int right = align[c] == 'r';
    int n = snprintf(line + at, sizeof line - at, "%s%*s%s%*s", c ? "  " : "",
                     right ? (int)fill : 0, "", cell[c], right ? 0 : (int)fill, "");
    at += n > 0 ? (size_t)n : 0;
    if (at >= sizeof line) at = sizeof line - 1;
  }
  while (at > 0 && line[at - 1] == ' ') at--;
  line[at] = '\0';
  fprintf(out, "%s\n", line);
}

void cli_print_summary(FILE *out, const scn_scenario *sc, const mc_result *r,
                       const char *db_path, int threads, int all,
                       const cli_objectives *objectives) {
  fprintf(out, "%s%s\n", sc->name, sc->notional ? "  [notional forces and numbers]" : "");
  fprintf(out, "%d replications (seed %llu, %d thread%s, %.2f s), stored in %s as run %lld%s\n\n",
          r->replications, (unsigned long long)sc->seed, threads, threads == 1 ? "" : "s",
          r->wall_s, db_path, (long long)r->run_id,
          r->converged ? "" : "; confidence target not reached");
  if (objectives) cli_objectives_print(out, objectives, r);
  static const char *const head[] = {"metric", "unit", "mean", "95% CI", "p5", "p50", "p95", "n"};
  size_t wn = strlen(head[0]), wu = strlen(head[1]), wm = strlen(head[2]), wc = strlen(head[3]);
  size_t wp = 3, wk = 1, hidden = 0;
  summary_row row;
  for (size_t i = 0; i < r->metrics.n; i++) {
    const metric_def *def = &r->metrics.def[i];
    if (!shown_in_summary(def, all)) {
      hidden += !(def->flags & METRIC_SERIES);
      continue;
    }
    format_row(&row, def, &r->summary[i], r->replications);
    WIDEN(wn, name);
    WIDEN(wu, unit);
    WIDEN(wm, mean);
    WIDEN(wc, ci);
    WIDEN(wp, p5);
    WIDEN(wp, p50);
    WIDEN(wp, p95);
    WIDEN(wk, n);
  }
  size_t width[] = {wn, wu, wm, wc, wp, wp, wp, wk};
  cli_table_line(out, head, width, "llrrrrrr");
  /* Headline metrics first, then (with all) the rest, in the registry's order. */
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < r->metrics.n; i++) {
      const metric_def *def = &r->metrics.def[i];
      if (!shown_in_summary(def, all) || ((def->flags & METRIC_HEADLINE) != 0) != (pass == 0))
        continue;
      format_row(&row, def, &r->summary[i], r->replications);
      const char *cell[] = {row.name, row.unit, row.mean, row.ci, row.p5, row.p50, row.p95, row.n};
      cli_table_line(out, cell, width, "llrrrrrr");
    }
  fprintf(out, "\n95%% CI: of the mean (Wilson's for a share in %%).  n: the replications where a\n"
               "metric was observed, when fewer than all (an event's time exists only where\n"
               "it occurred).");
  if (hidden)
    fprintf(out, "  %zu more metrics: straits run --all, or the report.", hidden);
  fputc('\n', out);
}
