/* cli_report.h - what run, report, export and compare share about reports (defined
 * in cmd_report.c). */
#ifndef STRAITS_CLI_REPORT_H
#define STRAITS_CLI_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "gshhg.h"
#include "report.h"
#include "scenario.h"
#include "store.h"

/* The coastline inside bbox (west, south, east, north), and its attribution in
 * source; an empty coastline (with a message) when GSHHG is not installed. */
int cli_coast_read(geo_coast *coast, const double *bbox, char *source, size_t size);
/* Write the report of run run_id (0: newest) to path; a CLI exit status. */
int cli_write_report(store *st, int64_t run_id, const char *path);
/* The same, reading the run as opt says (rep_load_options: run -j N's threads, and the
 * summaries it has). */
int cli_write_report_with(store *st, int64_t run_id, const char *path,
                          const rep_load_options *opt);
/* Whether this straits can write reports (built with node_modules/vega); when not,
 * says so on stderr (run and compare then go on without a report). */
int cli_report_available(void);
/* DIR/report.html beside DIR/x.db. */
void cli_report_path_for(char *text, size_t size, const char *db);
/* Write a buffer to path ("-": standard output), atomically; a CLI exit status. */
int cli_write_file(const char *path, const strbuf *b);
/* Open a store that must exist; a CLI exit status. */
int cli_open_store(store **st, const char *path);
int cli_parse_run_id(const char *s, int64_t *out);

#endif
