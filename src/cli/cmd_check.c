/* cmd_check.c - `straits check SCENARIO`: load and validate the scenario, then check its
 * plan against the legal authorities (docs/plan.md), and report every problem like a
 * compiler, or as JSON for tools. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "diag.h"
#include "err.h"
#include "ops.h"
#include "scn_plan.h"

void cmd_check_usage(FILE *out) {
  fprintf(out,
          "usage: straits check [options] SCENARIO\n"
          "\n"
          "Validate SCENARIO and print every error as file:line:col, with the source\n"
          "line and a caret.  When it has a plan, check the plan too: tasks the law\n"
          "does not authorise where and when they can start, JP tasks where combat can\n"
          "be under way, double-booked or unsuitable assets, dependency cycles, tasks\n"
          "that can never start, gates that never open.  Exit status 0 when there is no\n"
          "error (warnings allowed), 2 otherwise.\n"
          "\n"
          "      --format FORMAT     text (default) or json\n"
          "      --samples N         replications of the crisis sampled to estimate how\n"
          "                          often a problem arises (default %d; 0: only the\n"
          "                          problems that need no sampling)\n"
          "      --authorities PATH  legal authorities table (default: the shipped\n"
          "                          data/authorities.yaml)\n"
          "      --set KEY=VALUE     override a scalar, e.g. scenario.seed=7 (repeatable)\n"
          "      --include-dir DIR   a folder includes may also come from, besides the\n"
          "                          scenario's own (repeatable)\n",
          PLAN_CHECK_SAMPLES);
}

/* ---- printing findings compiler style ------------------------------------------------- */

/* The files findings point into, read once to quote their lines. */
typedef struct source_file {
  char *path, *text;
  size_t len;
} source_file;

typedef struct sources {
  source_file *f;
  size_t n, cap;
} sources;

static const source_file *source_get(sources *s, const char *path) {
  for (size_t i = 0; i < s->n; i++)
    if (!strcmp(s->f[i].path, path)) return &s->f[i];
  if (s->n == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 8;
    source_file *grown = realloc(s->f, cap * sizeof *grown);
    if (!grown) return NULL;
    s->f = grown;
    s->cap = cap;
  }
  source_file *f = &s->f[s->n];
  memset(f, 0, sizeof *f);
  FILE *in = fopen(path, "rb");
  if (!in) return NULL;
  size_t cap = 65536;
  f->text = malloc(cap);
  while (f->text) {
    size_t got = fread(f->text + f->len, 1, cap - f->len, in);
    f->len += got;
    if (!got || f->len > (64u << 20)) break;
    if (f->len == cap) {
      char *grown = realloc(f->text, cap *= 2);
      if (!grown) break;
      f->text = grown;
    }
  }
  fclose(in);
  f->path = strdup(path);
  if (!f->text || !f->path) {
    free(f->text), free(f->path);
    return NULL;
  }
  s->n++;
  return f;
}

static void sources_free(sources *s) {
  for (size_t i = 0; i < s->n; i++) free(s->f[i].path), free(s->f[i].text);
  free(s->f);
}

static const char *line_of(const source_file *f, int line, size_t *len) {
  const char *p = f->text, *end = f->text + f->len;
  for (int l = 1; l < line; l++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) return NULL;
    p = nl + 1;
  }
  if (p >= end) return NULL;
  const char *nl = memchr(p, '\n', (size_t)(end - p));
  *len = nl ? (size_t)(nl - p) : (size_t)(end - p);
  if (*len && p[*len - 1] == '\r') (*len)--;
  return p;
}

static void print_one(FILE *out, sources *src, scn_loc loc, diag_severity sev, const char *msg,
                      const char *kind, int color) {
  static const char *const label[] = {"error", "warning", "note"};
  static const char *const hue[] = {"\033[1;31m", "\033[1;35m", "\033[1;36m"};
  if (color) fputs("\033[1m", out);
  if (loc.file) {
    fputs(loc.file, out);
    if (loc.line > 0) fprintf(out, ":%d", loc.line);
    if (loc.line > 0 && loc.col > 0) fprintf(out, ":%d", loc.col);
    fputs(": ", out);
  }
  fprintf(out, "%s%s:%s %s", color ? hue[sev] : "", label[sev], color ? "\033[0m\033[1m" : "", msg);
  if (kind) fprintf(out, " [%s]", kind);
  fputs(color ? "\033[0m\n" : "\n", out);
  const source_file *f = loc.file && loc.line > 0 ? source_get(src, loc.file) : NULL;
  size_t len = 0;
  const char *text = f ? line_of(f, loc.line, &len) : NULL;
  if (!text) return;
  int width = snprintf(NULL, 0, "%d", loc.line);
  fprintf(out, " %d | %.*s\n", loc.line, (int)len, text);
  if (loc.col <= 0) return;
  fprintf(out, " %*s | ", width, "");
  size_t i = 0;
  for (int c = 1; c < loc.col; c++) {
    fputc(i < len && text[i] == '\t' ? '\t' : ' ', out);
    if (i < len) {
      i++;
      while (i < len && ((unsigned char)text[i] & 0xC0) == 0x80) i++; /* one column per character */
    }
  }
  fputs(color ? "\033[1;32m^\033[0m\n" : "^\n", out);
}

static void print_findings(FILE *out, const plan_report *r, int color) {
  sources src = {0};
  for (size_t i = 0; i < plan_report_count(r); i++) {
    const plan_finding *f = plan_report_at(r, i);
    print_one(out, &src, f->loc, f->severity, f->message, plan_finding_name(f->kind), color);
    for (size_t k = 0; k < f->nnote; k++)
      print_one(out, &src, f->note[k].loc, DIAG_NOTE, f->note[k].message, NULL, color);
  }
  sources_free(&src);
}

static void print_counts(FILE *out, size_t warnings, size_t errors) {
  if (!warnings && !errors) return;
  if (warnings) fprintf(out, "%zu warning%s", warnings, warnings == 1 ? "" : "s");
  if (warnings && errors) fputs(" and ", out);
  if (errors) fprintf(out, "%zu error%s", errors, errors == 1 ? "" : "s");
  fputs(" in the plan\n", out);
}

/* ---- the command ------------------------------------------------------------------------ */

typedef struct check_args {
  const char **overrides;
  size_t noverrides;
  const char **include_dirs;
  size_t ninclude_dirs;
  const char *path, *authorities;
  int json, samples;
} check_args;

/* Returns -1 to continue, or an exit status. */
static int parse_args(check_args *a, int argc, char **argv) {
  static const struct option longopts[] = {
      {"set", required_argument, NULL, 's'},     {"format", required_argument, NULL, 'f'},
      {"samples", required_argument, NULL, 'n'}, {"authorities", required_argument, NULL, 'a'},
      {"include-dir", required_argument, NULL, 'I'},
      {"help", no_argument, NULL, 'h'},          {0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
    case 's': a->overrides[a->noverrides++] = optarg; break;
    case 'I': a->include_dirs[a->ninclude_dirs++] = optarg; break;
    case 'f':
      if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
        cli_error("--format wants 'text' or 'json', not '%s'", optarg);
        return CLI_BAD_INPUT;
      }
      a->json = optarg[0] == 'j';
      break;
    case 'n':
      if (cli_parse_samples(optarg, &a->samples)) return CLI_BAD_INPUT;
      break;
    case 'a': a->authorities = optarg; break;
    case 'h': cmd_check_usage(stdout); return CLI_OK;
    default: cmd_check_usage(stderr); return CLI_BAD_INPUT;
    }
  }
  if (optind != argc - 1) {
    cmd_check_usage(stderr);
    return CLI_BAD_INPUT;
  }
  a->path = argv[optind];
  return -1;
}

static void print_ok(const char *path, const scn_scenario *sc) {
  printf("%s: ok: %zu places, %zu regions, %zu routes, %zu forces, %zu events", path, sc->nplace,
         sc->nregion, sc->nroute, sc->nforce, sc->nevent);
  if (plan_scenario_uses(sc))
    printf("; %zu situation changes, %zu gate entries, %zu phases, %zu tasks", sc->plan->nchange,
           sc->plan->ngate, sc->plan->nphase, sc->plan->ntask);
  putchar('\n');
}

int cmd_check(int argc, char **argv) {
  check_args a = {.samples = PLAN_CHECK_SAMPLES};
  scn_scenario *sc = NULL;
  cli_plan plan = {0};
  plan_report *report = NULL;
  diag *d = NULL;
  int rc;
  a.overrides = calloc((size_t)argc + 1, sizeof *a.overrides);
  a.include_dirs = calloc((size_t)argc + 1, sizeof *a.include_dirs);
  if (!a.overrides || !a.include_dirs) {
    free(a.overrides), free(a.include_dirs);
    return CLI_FAILURE;
  }
  if ((rc = parse_args(&a, argc, argv)) >= 0) goto done;
  if (!(d = diag_new())) {
    rc = CLI_FAILURE;
    goto done;
  }
  if (cli_wrong_file(a.path, CLI_FILE_SCENARIO)) {
    rc = CLI_BAD_INPUT;
    goto done;
  }
  scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&opt);
  opt.overrides = a.overrides;
  opt.noverrides = a.noverrides;
  opt.include_dirs = a.include_dirs;
  opt.ninclude_dirs = a.ninclude_dirs;
  int err = scn_load(&sc, a.path, &opt, d);
  const char *table = a.authorities ? a.authorities : cli_default_authorities();
  if (!err) err = cli_regular_file(table, d); /* never block on a FIFO for a table */
  int planned = !err && plan_scenario_uses(sc);
  if (planned) err = cli_plan_open(&plan, sc, table, d);
  if (planned && !err) err = cli_plan_check(&report, &plan, a.samples, d);
  /* The models' own checks (ops.h), in the same pass as the plan's problems: geography
   * (ships' consumers reachable over water, sea routes clear of land) and no Japanese
   * asset without a plan task the table gates (docs/plan.md).  When the plan could
   * not be opened the table is read again, its own problems already reported. */
  if (sc && err != ERR_NOMEM) {
    plan_authorities *own = NULL;
    const plan_authorities *t = plan.table;
    diag *again = planned ? diag_new() : NULL;
    int terr = t ? 0 : plan_authorities_load(&own, table, again ? again : d);
    if (!t && !terr) t = own;
    if (!planned && !err) err = terr;
    if (t) {
      int cerr = cli_models_check(sc, t, d);
      if (!err || (err == ERR_INPUT && cerr && cerr != ERR_INPUT)) err = cerr;
    }
    plan_authorities_free(own);
    diag_free(again);
  }
  if (err == ERR_NOMEM || (err && err != ERR_INPUT && err != ERR_IO && diag_count(d, DIAG_ERROR) == 0)) {
    cli_error("check failed: %s", err_strerror(err));
    rc = CLI_FAILURE;
    goto done;
  }
  size_t errors = diag_count(d, DIAG_ERROR) + plan_report_severity_count(report, DIAG_ERROR);
  rc = errors || err ? CLI_BAD_INPUT : CLI_OK;
  if (a.json) {
    char *json = plan_check_json(report, a.path, planned ? table : NULL, d);
    if (!json) {
      cli_error("out of memory");
      rc = CLI_FAILURE;
      goto done;
    }
    fputs(json, stdout);
    free(json);
    goto done;
  }
  /* The scenario's own diagnostics (with their count), then the plan's findings. */
  int color = isatty(fileno(stderr));
  diag_print(d, stderr, color);
  if (report) {
    print_findings(stderr, report, color);
    print_counts(stderr, plan_report_severity_count(report, DIAG_WARNING),
                 plan_report_severity_count(report, DIAG_ERROR));
  }
  if (rc == CLI_OK) print_ok(a.path, sc);
done:
  plan_report_free(report);
  cli_plan_close(&plan);
  scn_free(sc);
  diag_free(d);
  free(a.overrides);
  free(a.include_dirs);
  return rc;
}
