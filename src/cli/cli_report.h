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

/* Record the "scenario" and "theater" documents of a run (the report reads them). */
int cli_store_theater(store *st, int64_t run_id, const scn_scenario *sc);
/* Record the theater map's layers computed from the run's stored metrics (defined in
 * cli_layers.c): "map.layer.logistics-flows" (logistics lanes coloured by their
 * consumer's fill rate) and "map.layer.sar-datums" (where persons are reported
 * missing, by the probability of the event); a layer without features is not written. */
int cli_store_layers(store *st, int64_t run_id, const scn_scenario *sc);
/* Record the report's spillover sections (defined in cmd_spillover.c): documents
 * "report.section.spillover-*" -- P(reached by t) per territory with Wilson bands, the
 * most frequent paths, the missions with and without spillover.  Nothing for a run
 * whose scenario has no region of kind territory. */
int cli_store_spillover(store *st, int64_t run_id);
/* The coastline inside bbox (west, south, east, north), and its attribution in
 * source; an empty coastline (with a message) when GSHHG is not installed. */
int cli_coast_read(geo_coast *coast, const double *bbox, char *source, size_t size);
/* Write the report of run run_id (0: newest) to path; a CLI exit status. */
int cli_write_report(store *st, int64_t run_id, const char *path);
/* Whether this straits can write reports (built with node_modules/vega); when not,
 * says so on stderr (run and compare then go on without a report). */
int cli_report_available(void);
/* DIR/report.html beside DIR/x.db. */
void cli_report_path_for(char *text, size_t size, const char *db);
/* Write a buffer to path ("-": standard output), atomically; a CLI exit status. */
int cli_write_file(const char *path, const buf *b);
/* Open a store that must exist; a CLI exit status. */
int cli_open_store(store **st, const char *path);
int cli_parse_run_id(const char *s, int64_t *out);

#endif
