/* cli.h - the straits command: its subcommand table and the helpers they share.
 *
 * Exit status: 0 ok, 1 runtime failure, 2 bad usage or bad input. */
#ifndef STRAITS_CLI_H
#define STRAITS_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "mc.h"
#include "mc_objectives.h"
#include "plan.h"
#include "scenario.h"
#include "strbuf.h"

enum { CLI_OK = 0, CLI_FAILURE = 1, CLI_BAD_INPUT = 2 };

typedef struct cli_command {
  const char *name;
  int (*run)(int argc, char **argv); /* argv[0] is the subcommand's name */
  void (*usage)(FILE *out);
  const char *summary;
} cli_command;

extern const cli_command cli_commands[];
const cli_command *cli_find_command(const char *name);

int cmd_run(int argc, char **argv);
void cmd_run_usage(FILE *out);
int cmd_check(int argc, char **argv);
void cmd_check_usage(FILE *out);
int cmd_version(int argc, char **argv);
void cmd_version_usage(FILE *out);
int cmd_help(int argc, char **argv);
void cmd_help_usage(FILE *out);
int cmd_sweep(int argc, char **argv);
void cmd_sweep_usage(FILE *out);
int cmd_inspect_sweep(int argc, char **argv);
void cmd_inspect_sweep_usage(FILE *out);
int cmd_report(int argc, char **argv);
void cmd_report_usage(FILE *out);
int cmd_export(int argc, char **argv);
void cmd_export_usage(FILE *out);
int cmd_compare(int argc, char **argv);
void cmd_compare_usage(FILE *out);
int cmd_spillover(int argc, char **argv); /* cmd_spillover.c (issue 6) */
void cmd_spillover_usage(FILE *out);
int cmd_sensitivity(int argc, char **argv); /* cmd_sensitivity.c (issue 6) */
void cmd_sensitivity_usage(FILE *out);
int cmd_trace(int argc, char **argv); /* cmd_trace.c (issue 19 item 4) */
void cmd_trace_usage(FILE *out);

int cmd_env(int argc, char **argv); /* cmd_env.c (issue 9) */
int cmd_sar(int argc, char **argv); /* cmd_sar.c (issue 9) */
void cmd_sar_usage(FILE *out);
void cmd_env_usage(FILE *out);

int cmd_show(int argc, char **argv); /* cmd_show.c (issue 20) */
void cmd_show_usage(FILE *out);
int cmd_plan(int argc, char **argv);
void cmd_plan_usage(FILE *out);
int cmd_verify(int argc, char **argv); /* cmd_verify.c (issue 21) */
void cmd_verify_usage(FILE *out);

/* The plan side of a scenario (cmd_plan.c): its authorities table and its model, for
 * check, plan and run.  cli_plan_open returns 0 or an error (problems in d). */
typedef struct cli_plan {
  const scn_scenario *sc;
  plan_authorities *table;
  plan_model *model;
} cli_plan;

/* data/authorities.yaml in the folder CMake's STRAITS_DATA_DIR names. */
const char *cli_default_authorities(void);
int cli_plan_open(cli_plan *p, const scn_scenario *sc, const char *authorities, diag *d);
/* The models' own checks (ops_check_all: geography, and no Japanese support without a
 * plan task) against the authorities table; findings in d. */
int cli_models_check(const scn_scenario *sc, const struct plan_authorities *table, diag *d);
/* 0 unless path exists and is not a regular file (a FIFO, a folder, a device): then
 * ERR_INPUT with the reason in d, before anything opens it (a FIFO would block). */
int cli_regular_file(const char *path, diag *d);
/* The plan check, sampling `samples` replications of the scenario's crisis. */
int cli_plan_check(plan_report **out, cli_plan *p, int samples, diag *d);
void cli_plan_close(cli_plan *p); /* a zeroed or closed one is a no-op */
/* --samples: 0 .. PLAN_MAX_SAMPLES; -1 (reported) otherwise. */
int cli_parse_samples(const char *s, int *out);

/* The shipped default scenario (scenarios/taiwan-strait.yaml). */
const char *cli_default_scenario(void);

/* Load a scenario, printing every diagnostic to stderr.  Returns CLI_OK with *out
 * set, or CLI_BAD_INPUT (or CLI_FAILURE when out of memory). */
int cli_load_scenario(scn_scenario **out, const char *path, const char *const *overrides,
                      size_t noverrides);
/* The same, with folders includes may also come from (--include-dir). */
int cli_load_scenario_in(scn_scenario **out, const char *path, const char *const *overrides,
                         size_t noverrides, const char *const *include_dirs,
                         size_t ninclude_dirs);

/* A file given to the wrong command (a sweep file to `run`, a SAR case to `check`):
 * when the file's top-level keys say it is another kind than `want`, say which command
 * takes it (one line on stderr) and return 1; else 0. */
typedef enum cli_file_kind {
  CLI_FILE_UNKNOWN, CLI_FILE_SCENARIO, CLI_FILE_SAR_CASE, CLI_FILE_SWEEP
} cli_file_kind;
int cli_wrong_file(const char *path, cli_file_kind want);

/* Progress bar with ETA on a terminal (stderr); silent when stderr is not one. */
void cli_progress(int done, int total, double elapsed_s, void *ctx);

/* The objectives' verdicts of a run (mc_objectives.h), for the summary.  _eval judges
 * them and records their document "objectives" with the run (mc_store_objectives). */
typedef struct cli_objectives {
  mc_objective_result *res;
  size_t n;
  int replications;
} cli_objectives;
int cli_objectives_eval(cli_objectives *o, const scn_scenario *sc, const mc_result *r, store *st,
                        diag *d);
void cli_objectives_release(cli_objectives *o);
/* The verdicts, one a line, as the head of the summary (nothing without objectives). */
void cli_objectives_print(FILE *out, const cli_objectives *o, const mc_result *r);

/* The summary table of a run, in the report's units and digits: its headline metrics
 * (a screenful), or with all every scalar metric, headline ones first. */
/* Display width of UTF-8 text ("km²" is 3). */
size_t cli_text_width(const char *s);
/* One line of a terminal table: cell c padded to width[c], left- or right-aligned as
 * align[c] says ('l' or 'r'; its length is the number of cells), two spaces apart,
 * no trailing blanks. */
void cli_table_line(FILE *out, const char *const *cell, const size_t *width, const char *align);
void cli_print_summary(FILE *out, const scn_scenario *sc, const mc_result *r,
                       const char *db_path, int threads, int all,
                       const cli_objectives *objectives);

/* A whole decimal integer in [lo, hi]: 0 and *out set, or -1 (nothing set). */
int cli_parse_long(const char *s, long lo, long hi, long *out);

/* -n/--replications and -j/--threads, shared by every command that runs
 * replications: 0 and the option set, or -1 with the error printed. */
int cli_parse_run_option(mc_options *mc, int opt, const char *arg);

/* One text cell of a CSV file written with stdio: rep_csv_cell (quoted, and a cell
 * that a spreadsheet would run as a formula neutralised). */
void cli_csv_cell(FILE *f, const char *text);

/* n with commas between thousands ("10,000") into buf (NUL-terminated, cut to size);
 * the length.  Async-signal-safe. */
size_t cli_fmt_count(char *buf, size_t size, long long n);

/* word as one word of a POSIX shell command line: as it is when it needs no quoting,
 * else in single quotes. */
void cli_shell_word(strbuf *b, const char *word);

/* Ctrl-C (SIGINT, unless it was ignored on entry) and SIGTERM during a run: once
 * armed, either signal prints "interrupted after N of TOTAL replications (all
 * stored); resume with: RESUME_CMD" on stderr and ends the process at once with
 * status 128 + the signal (130, 143).  N is what cli_interrupt_progress last said
 * (before that: "interrupted before any replication ran").  resume_cmd is borrowed
 * until cli_interrupt_disarm, which restores the signals' former handling. */
void cli_interrupt_arm(const char *resume_cmd, int total);
void cli_interrupt_progress(int total, int stored);
void cli_interrupt_disarm(void);

/* Message "straits: <fmt>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
