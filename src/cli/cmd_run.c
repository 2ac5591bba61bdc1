/* cmd_run.c - `straits run [SCENARIO]`: simulate, store, summarise. */
#include <errno.h>
#include <float.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim */
#endif
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_report.h"
#include "diag.h"
#include "err.h"
#include "mc_docs.h"
#include "mc_objectives.h"
#include "stats.h"
#include "store.h"
#include "strbuf.h"

void cmd_run_usage(FILE *out) {
  fprintf(out,
          "usage: straits run [options] [SCENARIO]\n"
          "\n"
          "Simulate SCENARIO (default: the shipped Taiwan Strait scenario) as many\n"
          "independent replications, store every result and print a summary.\n"
          "\n"
          "  -n, --replications N  replications to run (default: the scenario's);\n"
          "                        with --until-ci or --until-decided, the most to run\n"
          "  -j, --threads N       worker threads (default: all CPUs); results do not\n"
          "                        depend on it\n"
          "      --until-ci REL    stop once every headline metric's 95%% confidence\n"
          "                        interval half-width is at most REL times its mean\n"
          "      --until-decided   stop once every objective of the scenario is met or\n"
          "                        not met at 95%% confidence (checked every batch)\n"
          "      --seed S          override the scenario's seed\n"
          "      --set KEY=VALUE   override a scalar of the scenario (repeatable)\n"
          "      --include-dir DIR  a folder includes may also come from (repeatable)\n"
          "      --db PATH         results store (default: straits.db)\n"
          "      --resume          finish the latest interrupted run of the same\n"
          "                        scenario, seed and options in the store\n"
          "      --authorities PATH  legal authorities table for the plan (default:\n"
          "                        the shipped data/authorities.yaml)\n"
          "  -q, --quiet           no summary table\n"
          "      --all             the summary lists every metric, not only the\n"
          "                        headline ones\n"
          "      --no-report       do not write the report (STORE.html beside the\n"
          "                        store: straits.db gives straits.html)\n"
          "      --timings         after the run, each step's wall and CPU time and\n"
          "                        the peak memory so far, on stderr\n");
}

typedef struct run_args {
  const char *scenario, *db;
  const char **overrides;
  size_t noverrides;
  const char **include_dirs;
  size_t ninclude_dirs;
  char seed_override[64];
  mc_options mc;
  int until_decided;
  int quiet;
  int all;
  int no_report;
  int timings;
  const char *authorities;
  cli_plan plan;
  size_t plan_errors, plan_warnings; /* the plan check's findings, for the summary */
  strbuf given; /* the options given but --db, --resume and --help, as shell words */
  int named;    /* a scenario was named */
} run_args;

/* " -o VALUE" (or " -o" when value is NULL) onto the options given. */
static void given(run_args *a, const char *opt, const char *value) {
  strbuf_put(&a->given, " ");
  strbuf_put(&a->given, opt);
  if (value) {
    strbuf_put(&a->given, " ");
    cli_shell_word(&a->given, value);
  }
}

/* Returns -1 to continue, or an exit status. */
static int parse_args(run_args *a, int argc, char **argv) {
  static const struct option longopts[] = {
      {"replications", required_argument, NULL, 'n'},
      {"threads", required_argument, NULL, 'j'},
      {"until-ci", required_argument, NULL, 'c'},
      {"until-decided", no_argument, NULL, 'U'},
      {"seed", required_argument, NULL, 'S'},
      {"set", required_argument, NULL, 's'},
      {"db", required_argument, NULL, 'd'},
      {"resume", no_argument, NULL, 'r'},
      {"quiet", no_argument, NULL, 'q'},
      {"all", no_argument, NULL, 'a'},
      {"no-report", no_argument, NULL, 'R'},
      {"timings", no_argument, NULL, 'T'},
      {"authorities", required_argument, NULL, 'A'},
      {"include-dir", required_argument, NULL, 'I'},
      {"help", no_argument, NULL, 'h'},
      {0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "n:j:qh", longopts, NULL)) != -1) {
    switch (c) {
    case 'n':
    case 'j':
      if (cli_parse_run_option(&a->mc, c, optarg)) return CLI_BAD_INPUT;
      given(a, c == 'n' ? "-n" : "-j", optarg);
      break;
    case 'c': {
      char *end;
      double rel = strtod(optarg, &end);
      if (end == optarg || *end || !(rel > 0 && rel < 1)) {
        cli_error("--until-ci wants a relative half-width in (0, 1), e.g. 0.05, not '%s'",
                  optarg);
        return CLI_BAD_INPUT;
      }
      a->mc.until_ci = rel;
      given(a, "--until-ci", optarg);
      break;
    }
    case 'U':
      a->until_decided = 1;
      given(a, "--until-decided", NULL);
      break;
    case 'S':
      snprintf(a->seed_override, sizeof a->seed_override, "scenario.seed=%s", optarg);
      a->overrides[a->noverrides++] = a->seed_override;
      given(a, "--seed", optarg);
      break;
    case 's':
      a->overrides[a->noverrides++] = optarg;
      given(a, "--set", optarg);
      break;
    case 'd':
      a->db = optarg;
      break;
    case 'r':
      a->mc.resume = 1;
      break;
    case 'q':
      a->quiet = 1;
      given(a, "-q", NULL);
      break;
    case 'a':
      a->all = 1;
      given(a, "--all", NULL);
      break;
    case 'R':
      a->no_report = 1;
      given(a, "--no-report", NULL);
      break;
    case 'T':
      a->timings = 1;
      break;
    case 'A':
      a->authorities = optarg;
      given(a, "--authorities", optarg);
      break;
    case 'I':
      a->include_dirs[a->ninclude_dirs++] = optarg;
      given(a, "--include-dir", optarg);
      break;
    case 'h':
      cmd_run_usage(stdout);
      return CLI_OK;
    default:
      cmd_run_usage(stderr);
      return CLI_BAD_INPUT;
    }
  }
  if (optind < argc - 1) {
    cmd_run_usage(stderr);
    return CLI_BAD_INPUT;
  }
  a->named = optind < argc;
  a->scenario = a->named ? argv[optind] : cli_default_scenario();
  return -1;
}

/* The command line that continues this run: the same store, --resume, every other
 * option as given and the scenario when one was named.  NULL when out of memory. */
static char *resume_command(const run_args *a) {
  strbuf b = STRBUF_INIT;
  strbuf_put(&b, "straits run --db ");
  cli_shell_word(&b, a->db);
  strbuf_put(&b, " --resume");
  if (a->given.s) strbuf_put(&b, a->given.s);
  if (a->named) {
    strbuf_put(&b, " ");
    /* A scenario whose name starts with '-' would read as an option. */
    if (a->scenario[0] == '-') strbuf_put(&b, "-- ");
    cli_shell_word(&b, a->scenario);
  }
  if (b.failed) {
    strbuf_release(&b);
    return NULL;
  }
  return b.s;
}

/* What the run says while it runs: which run --resume continued (mc_hooks.started),
 * and how many replications are stored, for the message of an interrupted run. */
typedef struct run_watch {
  const run_args *a;
  store *st;
  int64_t latest;        /* the store's newest run before this one (0: none) */
  unsigned char *marked; /* [cap]: stored, as far as known */
  int cap, stored, front;
} run_watch;

static void run_started(void *ctx, int64_t run_id, const metric_set *ms, int cap) {
  (void)ms;
  run_watch *w = ctx;
  char n1[40], n2[40];
  w->cap = cap;
  w->marked = calloc((size_t)cap, 1);
  if (w->marked && store_replications_done(w->st, run_id, w->marked, (size_t)cap) == 0) {
    for (int r = 0; r < cap; r++) w->stored += w->marked[r];
    cli_interrupt_progress(cap, w->stored);
  } else {
    free(w->marked), w->marked = NULL; /* the interrupt message will count from 0 */
  }
  if (!w->a->mc.resume) return;
  if (run_id > w->latest) {
    fprintf(stderr, "nothing to resume: started run %lld\n", (long long)run_id);
    return;
  }
  if (!w->marked) {
    fprintf(stderr, "resumed run %lld\n", (long long)run_id);
    return;
  }
  cli_fmt_count(n1, sizeof n1, w->stored);
  cli_fmt_count(n2, sizeof n2, cap - w->stored);
  fprintf(stderr, "resumed run %lld: %s replication%s stored, %s%s to run\n",
          (long long)run_id, n1, w->stored == 1 ? "" : "s",
          w->a->mc.until_ci > 0 || w->a->until_decided ? "at most " : "", n2);
}

/* After each committed batch: [0, done) are stored. */
static void run_progress(int done, int total, double elapsed_s, void *ctx) {
  run_watch *w = ctx;
  cli_progress(done, total, elapsed_s, NULL);
  if (w->marked) {
    for (int r = w->front; r < done && r < w->cap; r++)
      if (!w->marked[r]) w->marked[r] = 1, w->stored++;
    if (done > w->front) w->front = done;
  } else if (done > w->stored) {
    w->stored = done;
  }
  cli_interrupt_progress(total, w->stored);
}

/* Why an --until-ci run stopped where it did, from the summaries over the replications
 * it stopped at -- the same test (stats_converged) the runner applied to the headline
 * metrics there. */
static void print_until_ci(FILE *out, const mc_result *r, double rel) {
  char n[40];
  cli_fmt_count(n, sizeof n, r->replications);
  size_t nh = 0, open = 0, worst = 0;
  double worst_ratio = -1;
  for (size_t i = 0; i < r->metrics.n; i++) {
    if (!(r->metrics.def[i].flags & METRIC_HEADLINE)) continue;
    nh++;
    const stats_summary *s = &r->summary[i];
    if (stats_converged(s, rel)) continue;
    /* The furthest from converging: unobserved (n < 2) first, then a zero mean. */
    double ratio = s->n < 2 || isnan(s->half_width) ? INFINITY
                   : s->mean == 0                   ? DBL_MAX
                                                    : s->half_width / fabs(s->mean);
    if (!open++ || ratio > worst_ratio) worst = i, worst_ratio = ratio;
  }
  if (!nh) {
    fprintf(out, "stopped at %s replications: the scenario has no headline metric to converge\n",
            n);
    return;
  }
  if (!open) {
    fprintf(out,
            "stopped at %s replications: every headline metric's 95%% CI half-width is within "
            "%.3g%% of its mean\n",
            n, rel * 100);
    return;
  }
  const metric_def *def = &r->metrics.def[worst];
  const stats_summary *s = &r->summary[worst];
  fprintf(out, "stopped at the cap of %s replications: %s.%s had not converged (", n,
          def->module, def->name);
  if (s->n < 2 || isnan(s->half_width))
    fprintf(out, "observed in %zu replication%s", s->n, s->n == 1 ? "" : "s");
  else if (s->mean == 0)
    fprintf(out, "half-width %.3g around a mean of 0", s->half_width);
  else
    fprintf(out, "half-width %.1f%% of its mean, not within %.3g%%",
            100 * s->half_width / fabs(s->mean), rel * 100);
  if (open > 1)
    fprintf(out, "; %zu more headline metric%s had not either", open - 1, open == 2 ? "" : "s");
  fputs(")\n", out);
}

/* --until-decided (mc_options.done): whether every objective is met or not met over
 * replications [0, n), judged as the summary will judge them.  A problem with an
 * objective (an unknown metric) stops the run: the judgement after it reports it. */
typedef struct decide_ctx {
  const scn_scenario *sc;
} decide_ctx;

static int all_decided(void *ctx, store *st, int64_t run_id, const metric_set *ms, int n) {
  const decide_ctx *c = ctx;
  mc_result r = {.run_id = run_id, .replications = n, .metrics = *ms}; /* borrows ms */
  mc_objective_result *res = NULL;
  size_t nres = 0;
  diag *d = diag_new();
  int err = d ? mc_result_summarize(&r, st, d) : ERR_NOMEM;
  if (!err) err = mc_objectives_eval(&res, &nres, c->sc, &r, st, d);
  int decided = 1;
  for (size_t i = 0; !err && i < nres; i++)
    if (res[i].verdict != MC_VERDICT_MET && res[i].verdict != MC_VERDICT_NOT_MET) decided = 0;
  free(res);
  free(r.summary);
  diag_free(d);
  if (err == ERR_INPUT) return 1;
  return err ? err : decided;
}

/* Why an --until-decided run stopped where it did, from the verdicts over the
 * replications it stopped at. */
static void print_until_decided(FILE *out, const mc_result *r, const cli_objectives *o) {
  char n[40];
  cli_fmt_count(n, sizeof n, r->replications);
  if (!o->n) {
    fprintf(out, "stopped at %s replications: the scenario has no objective to decide\n", n);
    return;
  }
  size_t open = 0, first = 0;
  for (size_t i = 0; i < o->n; i++)
    if (o->res[i].verdict != MC_VERDICT_MET && o->res[i].verdict != MC_VERDICT_NOT_MET)
      if (!open++) first = i;
  if (!open && r->converged) {
    fprintf(out, "stopped at %s replications: every objective is decided (met or not met "
                 "at 95%% confidence)\n", n);
    return;
  }
  if (!open) { /* decided, but --until-ci had not converged by the cap */
    fprintf(out, "stopped at the cap of %s replications: every objective is decided, but "
                 "the headline metrics had not converged\n", n);
    return;
  }
  fprintf(out, "stopped at the cap of %s replications: objective '%s' is %s", n,
          o->res[first].objective->id,
          o->res[first].verdict == MC_VERDICT_NO_DATA ? "without data"
                                                      : mc_verdict_name(o->res[first].verdict));
  if (open > 1)
    fprintf(out, "; %zu more objective%s undecided", open - 1, open == 2 ? " is" : "s are");
  fputc('\n', out);
}

/* The synchronization matrix and the plan check's findings, for the report's Gantt
 * chart and findings table (documents "plan.sync" and "plan.findings"). */
static int store_plan(store *st, int64_t run_id, run_args *a) {
  if (!a->plan.model) return 0;
  plan_report *report = NULL;
  diag *d = diag_new();
  char *sync = NULL, *findings = NULL;
  int err = d ? cli_plan_check(&report, &a->plan, PLAN_CHECK_SAMPLES, d) : ERR_NOMEM;
  if (!err) {
    a->plan_errors = plan_report_severity_count(report, DIAG_ERROR);
    a->plan_warnings = plan_report_severity_count(report, DIAG_WARNING);
    sync = plan_sync_json(report);
    findings = plan_check_json(report, a->scenario, a->authorities, d);
    err = sync && findings ? 0 : ERR_NOMEM;
  }
  if (!err) err = store_doc_put(st, run_id, "plan.sync", sync);
  if (!err) err = store_doc_put(st, run_id, "plan.findings", findings);
  if (err)
    cli_error("cannot record the plan in the store: %s",
              err == ERR_STORE ? store_errmsg(st) : err_strerror(err));
  free(sync), free(findings);
  plan_report_free(report);
  diag_free(d);
  return err;
}

/* --timings: where a run's time goes, step by step -- which steps keep one core busy
 * while the other waits (CPU about the wall time) and which use both (issue 22: what
 * serialises).  CPU is the process's, every thread's; the peak is the resident set's
 * so far (getrusage), so the step where it rises is the one that set it. */
typedef struct run_clock {
  int on;
  size_t n;
  struct timespec wall0;
  struct {
    const char *step;
    double wall, cpu;
    long peak_kb;
  } at[10];
} run_clock;

static double seconds(const struct timespec *t) { return (double)t->tv_sec + 1e-9 * (double)t->tv_nsec; }

/* The end of step `step` (the first mark: the command's start). */
static void clock_mark(run_clock *k, const char *step) {
  struct timespec w, c;
  struct rusage u;
  if (!k->on || k->n == sizeof k->at / sizeof *k->at) return;
  clock_gettime(CLOCK_MONOTONIC, &w);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c);
  if (k->n == 0) k->wall0 = w;
  getrusage(RUSAGE_SELF, &u);
  k->at[k->n].step = step;
  k->at[k->n].wall = seconds(&w) - seconds(&k->wall0);
  k->at[k->n].cpu = seconds(&c);
  k->at[k->n++].peak_kb = u.ru_maxrss;
}

static void clock_print(const run_clock *k, FILE *out) {
  if (!k->on || k->n < 2) return;
  fprintf(out, "timings: %-22s %9s %9s %9s\n", "step", "wall s", "CPU s", "peak MB");
  fprintf(out, "timings: %-22s %9s %9.3f %9.1f\n", "start (before the command)", "",
          k->at[0].cpu, k->at[0].peak_kb / 1024.0);
  for (size_t i = 1; i < k->n; i++)
    fprintf(out, "timings: %-22s %9.3f %9.3f %9.1f\n", k->at[i].step,
            k->at[i].wall - k->at[i - 1].wall, k->at[i].cpu - k->at[i - 1].cpu,
            k->at[i].peak_kb / 1024.0);
  fprintf(out, "timings: %-22s %9.3f %9.3f %9.1f\n", "total", k->at[k->n - 1].wall,
          k->at[k->n - 1].cpu, k->at[k->n - 1].peak_kb / 1024.0);
}

int cmd_run(int argc, char **argv) {
  run_args a = {.db = "straits.db", .mc = MC_OPTIONS_INIT, .given = STRBUF_INIT};
  scn_scenario *sc = NULL;
  store *st = NULL;
  mc_result *res = NULL;
  mc_prepared *models = NULL;
  diag *d = NULL;
  cli_objectives objectives = {0};
  char *resume_cmd = NULL;
  int rc;
  a.overrides = calloc((size_t)argc + 1, sizeof *a.overrides);
  a.include_dirs = calloc((size_t)argc + 1, sizeof *a.include_dirs);
  if (!a.overrides || !a.include_dirs) {
    free(a.overrides), free(a.include_dirs);
    return CLI_FAILURE;
  }
  if ((rc = parse_args(&a, argc, argv)) >= 0) goto done;
  run_clock clock = {a.timings, 0, {0, 0}, {{0}}};
  clock_mark(&clock, "start");
  if ((rc = cli_load_scenario_in(&sc, a.scenario, a.overrides, a.noverrides, a.include_dirs,
                                  a.ninclude_dirs)) != CLI_OK)
    goto done;
  a.mc.version = STRAITS_VERSION;
  if (!(d = diag_new())) {
    rc = CLI_FAILURE;
    goto done;
  }
  /* A plan needs the legal authorities table; its names are checked before running. */
  if (plan_scenario_uses(sc)) {
    /* Its own diagnostics: the run's preparation repeats the model's warnings. */
    diag *pd = diag_new();
    int perr = pd ? cli_plan_open(&a.plan, sc, a.authorities, pd) : ERR_NOMEM;
    if (perr) diag_print(pd, stderr, isatty(fileno(stderr)));
    diag_free(pd);
    if (perr) {
      rc = perr == ERR_NOMEM ? CLI_FAILURE : CLI_BAD_INPUT;
      goto done;
    }
    a.mc.authorities = a.plan.table;
  }
  /* From here until the report is written, an interrupted run says how to go on. */
  if (!(resume_cmd = resume_command(&a))) {
    cli_error("out of memory");
    rc = CLI_FAILURE;
    goto done;
  }
  cli_interrupt_arm(resume_cmd, a.mc.replications > 0 ? a.mc.replications : sc->replications);
  int err = store_open(&st, a.db, d);
  run_watch watch = {&a, st, 0, NULL, 0, 0, 0};
  mc_hooks hooks = {.ctx = &watch, .started = run_started};
  if (err == 0 && store_run_latest(st, &watch.latest)) watch.latest = 0; /* none */
  a.mc.hooks = &hooks;
  a.mc.progress = run_progress;
  a.mc.progress_ctx = &watch;
  decide_ctx decide = {sc};
  if (a.until_decided) a.mc.done = all_decided, a.mc.done_ctx = &decide;
  /* The models once, for the run and its documents (mc_store_docs). */
  if (err == 0) err = mc_prepare(&models, sc, &a.mc, d);
  clock_mark(&clock, "load and prepare");
  a.mc.prepared = models;
  if (err == 0) err = mc_run(&res, sc, &a.mc, st, d);
  clock_mark(&clock, "replications, summary");
  free(watch.marked);
  a.mc.hooks = NULL;
  diag_print(d, stderr, isatty(fileno(stderr)));
  if (err < 0) {
    if (diag_count(d, DIAG_ERROR) == 0) cli_error("run failed: %s", err_strerror(err));
    /* A module that finds a problem in the scenario while preparing is bad input. */
    rc = err == ERR_MISMATCH || err == ERR_INPUT ? CLI_BAD_INPUT : CLI_FAILURE;
    goto done;
  }
  /* The run's documents and the plan go into the store so that a report needs nothing
   * else (mc_docs.h). */
  diag *dd = diag_new();
  err = dd ? mc_module_docs(st, res->run_id, sc, &a.mc, dd) : ERR_NOMEM;
  /* Nothing after the models' documents needs the models: their memory (the sea, the
   * fields, ~30 MB for the default scenario) is not held through the spillover, the
   * objectives and the report, which read the whole store again (mc_store_docs is
   * these two calls with the models kept). */
  clock_mark(&clock, "models' documents");
  mc_prepared_free(models);
  models = NULL, a.mc.prepared = NULL;
#ifdef __GLIBC__
  malloc_trim(0); /* glibc keeps freed heap pages otherwise: the peak would not fall */
#endif
  if (!err) err = mc_store_run_docs(st, res->run_id, sc, dd);
  clock_mark(&clock, "spillover, sensitivity");
  diag_print(dd, stderr, isatty(fileno(stderr)));
  diag_free(dd);
  if (err || store_plan(st, res->run_id, &a)) {
    if (err == ERR_NOMEM) cli_error("cannot record the run's documents: out of memory");
    rc = CLI_FAILURE;
    goto done;
  }
  /* The objectives' verdicts, for the report and the head of the summary.  A metric an
   * objective names that no module defined is only known now: bad input, located. */
  diag *od = diag_new();
  err = od ? cli_objectives_eval(&objectives, sc, res, st, od) : ERR_NOMEM;
  diag_print(od, stderr, isatty(fileno(stderr)));
  diag_free(od);
  if (err) {
    if (err != ERR_INPUT) cli_error("cannot judge the objectives: %s", err_strerror(err));
    rc = err == ERR_INPUT ? CLI_BAD_INPUT : CLI_FAILURE;
    goto done;
  }
  clock_mark(&clock, "plan, objectives");
  char report[4096] = "";
  if (!a.no_report && cli_report_available()) {
    cli_report_path_for(report, sizeof report, a.db);
    rep_load_options lopt = {a.mc.threads, res->summary, res->metrics.n,
                             res->replications > 0 ? (size_t)res->replications : 0, res->run_id};
    if ((rc = cli_write_report_with(st, res->run_id, report, &lopt)) != CLI_OK) goto done;
  }
  clock_mark(&clock, "report");
  clock_print(&clock, stderr);
  cli_interrupt_disarm();
  if (a.mc.until_ci > 0) {
    if (isatty(fileno(stderr))) fputs("\r\033[K", stderr); /* a bar stopped short */
    if (!a.until_decided || !res->converged) print_until_ci(stderr, res, a.mc.until_ci);
  }
  if (a.until_decided) {
    if (isatty(fileno(stderr)) && a.mc.until_ci <= 0) fputs("\r\033[K", stderr);
    print_until_decided(stderr, res, &objectives);
  }
  if (!a.quiet) {
    int threads = a.mc.threads > 0 ? a.mc.threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    cli_print_summary(stdout, sc, res, a.db, threads, a.all, &objectives);
    if (a.plan_errors + a.plan_warnings)
      printf("plan check: %zu error%s, %zu warning%s (straits check %s lists them)\n",
             a.plan_errors, a.plan_errors == 1 ? "" : "s", a.plan_warnings,
             a.plan_warnings == 1 ? "" : "s", a.scenario);
    if (report[0]) printf("report: %s\n", report);
  }
  rc = CLI_OK;
done:
  cli_interrupt_disarm();
  free(resume_cmd);
  strbuf_release(&a.given);
  cli_objectives_release(&objectives);
  mc_result_free(res);
  mc_prepared_free(models);
  cli_plan_close(&a.plan);
  store_close(st);
  diag_free(d);
  scn_free(sc);
  free(a.overrides);
  free(a.include_dirs);
  return rc;
}
