/* cmd_plan.c - `straits plan [--sync] SCENARIO`: the synchronization matrix of a
 * scenario's plan, as JSON for the report or as a table; and the plan side of a
 * scenario that `check` and `run` share: its authorities table, its model, and the
 * crisis that sampled replications of it need. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "diag.h"
#include "err.h"
#include "ops.h"
#include "quantity.h"
#include "scn_plan.h"
#include "stats.h"

/* ---- shared with check and run ------------------------------------------------------ */

const char *cli_default_authorities(void) { return plan_authorities_default_path(); }

/* The world the plan's tasks are placed in: the models that drive the others (ops.h:
 * the crisis, and any model marked a driver), none of the missions. */
typedef struct cli_world {
  void *model[OPS_MAX_MODULES]; /* the drivers' models, NULL for the others */
  metric_set ms;                /* their metrics, defined but not kept */
} cli_world;

/* One replication of the drivers, for the plan check's samples. */
static int world_start(sim *s, arena *a, uint64_t seed, uint32_t rep, void *ctx) {
  cli_world *w = ctx;
  size_t n;
  const ops_module *const *reg = ops_registry(&n);
  metric_out *out = arena_alloc(a, sizeof *out);
  if (!out || metric_out_init(out, &w->ms, a)) return ERR_LIMIT;
  ops_rep r = {.seed = seed, .index = rep};
  for (size_t i = 0; i < n; i++)
    if (w->model[i] && reg[i]->start && !reg[i]->start(w->model[i], s, a, out, &r)) return ERR_LIMIT;
  return 0;
}

static int world_prepare(cli_world *w, const cli_plan *p, diag *d) {
  size_t n;
  const ops_module *const *reg = ops_registry(&n);
  ops_context ctx = {p->table};
  int err = 0;
  for (size_t i = 0; i < n && !err; i++)
    if (reg[i]->driver) err = reg[i]->prepare(&w->model[i], p->sc, &ctx, &w->ms, d);
  return err;
}

static void world_release(cli_world *w) {
  size_t n;
  const ops_module *const *reg = ops_registry(&n);
  for (size_t i = 0; i < n; i++)
    if (w->model[i]) reg[i]->release(w->model[i]);
}

int cli_regular_file(const char *path, diag *d) {
  struct stat sb;
  if (stat(path, &sb) != 0 || S_ISREG(sb.st_mode)) return 0; /* a missing file: the reader says */
  diag_report(d, DIAG_ERROR, path, 0, 0, "'%s' is not a regular file (%s)", path,
              S_ISFIFO(sb.st_mode) ? "a FIFO" : S_ISDIR(sb.st_mode) ? "a folder" : "a device");
  return ERR_INPUT;
}

int cli_plan_open(cli_plan *p, const scn_scenario *sc, const char *authorities, diag *d) {
  memset(p, 0, sizeof *p);
  p->sc = sc;
  const char *table = authorities ? authorities : cli_default_authorities();
  int err = cli_regular_file(table, d); /* a FIFO would block the table's reader */
  if (!err) err = plan_authorities_load(&p->table, table, d);
  if (!err) err = plan_model_new(&p->model, sc, p->table, NULL, d);
  if (err) cli_plan_close(p);
  return err;
}

int cli_models_check(const scn_scenario *sc, const plan_authorities *table, diag *d) {
  ops_context ctx = {table};
  return ops_check_all(sc, &ctx, d);
}

int cli_plan_check(plan_report **out, cli_plan *p, int samples, diag *d) {
  cli_world *w = calloc(1, sizeof *w);
  if (!w) return ERR_NOMEM;
  metric_set_init(&w->ms);
  int err = world_prepare(w, p, d);
  if (!err) {
    plan_check_options opt = PLAN_CHECK_OPTIONS_INIT;
    opt.samples = samples;
    opt.world = world_start;
    opt.world_ctx = w;
    err = plan_check(out, p->model, &opt);
  }
  world_release(w);
  metric_set_release(&w->ms);
  free(w);
  return err;
}

void cli_plan_close(cli_plan *p) {
  plan_model_free(p->model);
  plan_authorities_free(p->table);
  memset(p, 0, sizeof *p);
}

int cli_parse_samples(const char *s, int *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < 0 || v > PLAN_MAX_SAMPLES) {
    cli_error("--samples wants an integer from 0 to %d, not '%s'", PLAN_MAX_SAMPLES, s);
    return -1;
  }
  *out = (int)v;
  return 0;
}

/* ---- straits plan ------------------------------------------------------------------- */

void cmd_plan_usage(FILE *out) {
  fprintf(out,
          "usage: straits plan [options] SCENARIO\n"
          "\n"
          "Place the plan's tasks in time: run the crisis and the plan for a sample of\n"
          "replications and print the synchronization matrix -- phases x lines of effort\n"
          "(nation x activity) with each task's start and end -- as a table, or with\n"
          "--sync as JSON for the report to draw.\n"
          "\n"
          "      --sync              the matrix as JSON (see docs/plan.md)\n"
          "  -o, --output FILE       write to FILE instead of standard output\n"
          "      --samples N         replications sampled (default %d)\n"
          "      --authorities PATH  legal authorities table (default: the shipped\n"
          "                          data/authorities.yaml)\n"
          "      --set KEY=VALUE     override a scalar of the scenario (repeatable)\n",
          PLAN_CHECK_SAMPLES);
}

/* "130h (70h..410h)": the median and the 5th to 95th percentiles, in hours. */
static void span(char *buf, size_t len, const stats_summary *s) {
  if (!s->n)
    snprintf(buf, len, "-");
  else
    snprintf(buf, len, "%.0fh (%.0fh..%.0fh)", s->p50 / 3600, s->p5 / 3600, s->p95 / 3600);
}

static void print_table(FILE *out, const cli_plan *p, const plan_report *r) {
  const scn_scenario *sc = p->sc;
  const scn_plan *pl = sc->plan;
  const char *nation = plan_authorities_nation(p->table);
  size_t nact = plan_authorities_count(p->table, PLAN_ACTIVITIES);
  char a[96], b[96];
  plan_timing tm;
  fprintf(out, "%s%s\n", sc->name, sc->notional ? "  [notional forces and numbers]" : "");
  fprintf(out, "%zu phases, %zu tasks, %d sampled replications; times after the epoch: "
               "median (5th..95th percentile)\n\n", pl->nphase, pl->ntask, plan_report_samples(r));
  fprintf(out, "%-32s %8s  %s\n", "phase", "began in", "began");
  for (size_t q = 0; q < pl->nphase; q++) {
    if (plan_report_phase_timing(r, (int)q, &tm)) continue;
    span(a, sizeof a, &tm.start);
    fprintf(out, "%-32s %7.1f%%  %s\n", pl->phase[q].id, 100 * tm.share, a);
  }
  fprintf(out, "\n%-32s %-12s %7s  %-22s %s\n", "line of effort / task", "phase", "ran", "start", "end");
  /* Lines of effort: the table's nation first, then the others, each owner in order of
   * its first task; activities in table order. */
  for (int own = 1; own >= 0; own--)
    for (size_t act = 0; act < nact; act++) {
      const char *aid = plan_authorities_id(p->table, PLAN_ACTIVITIES, act);
      for (size_t first = 0; first < pl->ntask; first++) {
        const scn_task *f = &pl->task[first];
        if (strcmp(f->activity.id, aid) != 0 || (strcmp(f->owner, nation) == 0) != own) continue;
        size_t seen = 0;
        while (seen < first && (strcmp(pl->task[seen].activity.id, aid) != 0 ||
                                strcmp(pl->task[seen].owner, f->owner) != 0))
          seen++;
        if (seen < first) continue; /* this line was printed with an earlier task */
        fprintf(out, "%s %s\n", f->owner, aid);
        for (size_t i = first; i < pl->ntask; i++) {
          const scn_task *t = &pl->task[i];
          if (strcmp(t->activity.id, aid) != 0 || strcmp(t->owner, f->owner) != 0) continue;
          if (plan_report_task_timing(r, (int)i, &tm)) continue;
          span(a, sizeof a, &tm.start);
          span(b, sizeof b, &tm.end);
          fprintf(out, "  %-30s %-12s %6.1f%%  %-22s %s\n", t->id,
                  tm.phase >= 0 ? pl->phase[tm.phase].id : "-", 100 * tm.share, a, b);
        }
      }
    }
}

int cmd_plan(int argc, char **argv) {
  static const struct option longopts[] = {
      {"sync", no_argument, NULL, 'S'},          {"output", required_argument, NULL, 'o'},
      {"samples", required_argument, NULL, 'n'}, {"authorities", required_argument, NULL, 'a'},
      {"set", required_argument, NULL, 's'},     {"help", no_argument, NULL, 'h'},
      {0}};
  const char **overrides = calloc((size_t)argc + 1, sizeof *overrides);
  const char *output = NULL, *authorities = NULL;
  size_t noverrides = 0;
  int sync = 0, samples = PLAN_CHECK_SAMPLES, rc = CLI_BAD_INPUT, c;
  scn_scenario *sc = NULL;
  plan_report *report = NULL;
  cli_plan plan = {0};
  diag *d = NULL;
  if (!overrides) return CLI_FAILURE;
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'S': sync = 1; break;
    case 'o': output = optarg; break;
    case 'n':
      if (cli_parse_samples(optarg, &samples)) goto done;
      break;
    case 'a': authorities = optarg; break;
    case 's': overrides[noverrides++] = optarg; break;
    case 'h':
      cmd_plan_usage(stdout);
      rc = CLI_OK;
      goto done;
    default: cmd_plan_usage(stderr); goto done;
    }
  }
  if (optind != argc - 1) {
    cmd_plan_usage(stderr);
    goto done;
  }
  if ((rc = cli_load_scenario(&sc, argv[optind], overrides, noverrides)) != CLI_OK) goto done;
  rc = CLI_BAD_INPUT;
  if (!plan_scenario_uses(sc)) {
    cli_error("%s has no 'plan:' or 'situations:' section: nothing to place", argv[optind]);
    goto done;
  }
  if (!(d = diag_new())) {
    rc = CLI_FAILURE;
    goto done;
  }
  int err = cli_plan_open(&plan, sc, authorities, d);
  if (!err) err = cli_models_check(sc, plan.table, d); /* no support without a task */
  if (!err) err = cli_plan_check(&report, &plan, samples, d);
  diag_print(d, stderr, isatty(fileno(stderr)));
  if (err) {
    if (diag_count(d, DIAG_ERROR) == 0) cli_error("cannot place the plan: %s", err_strerror(err));
    rc = err == ERR_INPUT ? CLI_BAD_INPUT : CLI_FAILURE;
    goto done;
  }
  FILE *out = output ? fopen(output, "w") : stdout;
  if (!out) {
    cli_error("cannot write '%s': %s", output, strerror(errno));
    rc = CLI_FAILURE;
    goto done;
  }
  rc = CLI_OK;
  if (sync) {
    char *json = plan_sync_json(report);
    if (json) fputs(json, out);
    else rc = CLI_FAILURE;
    free(json);
  } else {
    print_table(out, &plan, report);
  }
  if (output && fclose(out) != 0) {
    cli_error("cannot write '%s': %s", output, strerror(errno));
    rc = CLI_FAILURE;
  }
done:
  plan_report_free(report);
  cli_plan_close(&plan);
  diag_free(d);
  scn_free(sc);
  free(overrides);
  return rc;
}
