/* cmd_report.c - `straits report [STORE] [-o FILE.html]`: one self-contained HTML file
 * from a results store; and what `run` and `compare` use to write it. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_report.h"
#include "ops.h"
#include "diag.h"
#include "err.h"

void cmd_report_usage(FILE *out) {
  fprintf(out,
          "usage: straits report [options] [STORE]\n"
          "\n"
          "Write one self-contained HTML report (works offline) of a run in STORE\n"
          "(default: straits.db): the headline numbers first, the theater map, how\n"
          "often events happened, the sections modules add, time series,\n"
          "distributions, and every metric with its 95%% confidence interval.\n"
          "\n"
          "  -o, --output FILE  where to write it (default: the store's name with\n"
          "                     .html: straits.db gives straits.html)\n"
          "      --run ID       which run of the store (default: the newest)\n");
}

/* ---- the coastline ------------------------------------------------------------ */

int cli_coast_read(geo_coast *coast, const double *bbox, char *source, size_t size) {
  char path[512];
  memset(coast, 0, sizeof *coast);
  snprintf(source, size, "none");
  if (!isfinite(bbox[0]))
    return 0;
  double span = fmax(bbox[2] - bbox[0], bbox[3] - bbox[1]);
  /* Intermediate resolution (about 1 km) for a theater, low beyond an ocean's width:
   * the map stays a few hundred kilobytes either way. */
  char finest = span <= 40 ? 'i' : 'l';
  if (geo_gshhg_find(path, sizeof path, NULL, finest) != 0) {
    cli_error("no GSHHG coastline found in %s (apt-get install gmt-gshhg-low): the map "
              "has no coastline", GEO_GSHHG_DIR);
    return 0;
  }
  geo_box box = {bbox[1], bbox[3], bbox[0], bbox[2]};
  diag *d = diag_new();
  if (!d) return ERR_NOMEM;
  int err = geo_gshhg_read(coast, path, &box, span / 1500.0, d);
  if (err) {
    diag_print(d, stderr, 0);
    cli_error("the map has no coastline");
  } else {
    snprintf(source, size, "GSHHG (Wessel and Smith, LGPL), resolution '%c': %s",
             coast->resolution, path);
  }
  diag_free(d);
  return 0; /* a report without a coastline is still a report */
}

/* Write to path.tmp, then rename: a reader never sees half a report. */
int cli_write_file(const char *path, const strbuf *b) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(tmp, "wb");
  if (!f) {
    cli_error("cannot write '%s': %s", path, strerror(errno));
    return CLI_FAILURE;
  }
  int ok = fwrite(b->s, 1, b->len, f) == b->len;
  if (f == stdout)
    return fflush(f) == 0 && ok ? CLI_OK : CLI_FAILURE;
  ok = (fclose(f) == 0) && ok;
  if (!ok || rename(tmp, path) != 0) {
    cli_error("cannot write '%s': %s", path, strerror(errno));
    remove(tmp);
    return CLI_FAILURE;
  }
  return CLI_OK;
}

/* The map is as wide as the page: the box whose coastline it reads is the theater's,
 * widened (never narrowed) to between 1.25 and 2.2 times as wide as high in Mercator,
 * so that land fills the view wherever the theater's own box leaves it. */
static void map_box(double *box) {
  const double pi = 3.14159265358979323846, d2r = pi / 180;
  if (!isfinite(box[0]) || box[2] <= box[0] || box[3] <= box[1])
    return;
  double s = fmax(box[1], -80), n = fmin(box[3], 80);
  double y0 = log(tan(pi / 4 + s * d2r / 2)), y1 = log(tan(pi / 4 + n * d2r / 2));
  double w = (box[2] - box[0]) * d2r, h = y1 - y0;
  if (w < 1.25 * h) {
    double grow = (1.25 * h - w) / d2r / 2;
    box[0] -= grow;
    box[2] += grow;
  } else if (w > 2.2 * h) {
    double ym = (y0 + y1) / 2, half = w / 2.2 / 2;
    box[1] = fmax(-80, (2 * atan(exp(ym - half)) - pi / 2) / d2r);
    box[3] = fmin(80, (2 * atan(exp(ym + half)) - pi / 2) / d2r);
  }
}

int cli_write_report(store *st, int64_t run_id, const char *path) {
  rep_load_options opt = {0};
  return cli_write_report_with(st, run_id, path, &opt);
}

int cli_write_report_with(store *st, int64_t run_id, const char *path,
                          const rep_load_options *lopt) {
  rep_run *r = NULL;
  strbuf b = STRBUF_INIT;
  geo_coast coast = {0};
  char source[600];
  int rc = CLI_FAILURE;
  diag *d = diag_new();
  if (!d) return CLI_FAILURE;
  int err = rep_run_load_with(&r, st, run_id, lopt, d);
  diag_print(d, stderr, 0);
  if (err) {
    rc = err == ERR_NOTFOUND ? CLI_BAD_INPUT : CLI_FAILURE;
    goto done;
  }
  map_box(r->bbox);
  if (cli_coast_read(&coast, r->bbox, source, sizeof source)) goto done;
  rep_lines lines = {coast.nline, coast.start, coast.lat, coast.lon, source};
  rep_options opt = REP_OPTIONS_INIT;
  opt.coast = &lines;
  opt.coast_level = coast.level;
  opt.title = ops_title;
  opt.threads = lopt->threads;
  err = rep_html(&b, r, &opt);
  if (err == ERR_NOTFOUND) {
    cli_error("this straits was built without Vega (node_modules/vega): run "
              "scripts/install-deps and rebuild");
    goto done;
  }
  if (err) {
    cli_error("cannot build the report: %s", err_strerror(err));
    goto done;
  }
  rc = cli_write_file(path, &b);
done:
  strbuf_release(&b);
  geo_coast_release(&coast);
  rep_run_free(r);
  diag_free(d);
  return rc;
}

int cli_report_available(void) {
  if (rep_vega_js[0]) return 1;
  cli_error("this straits was built without Vega (node_modules/vega), so it writes no "
            "report: run scripts/install-deps and rebuild");
  return 0;
}

/* The report's path beside the store, named after it: DIR/x.html for DIR/x.db (or for
 * DIR/x, a store without an extension), so that every study in a folder keeps its own. */
void cli_report_path_for(char *dst, size_t size, const char *db) {
  const char *base = strrchr(db, '/');
  base = base ? base + 1 : db;
  const char *dot = strrchr(base, '.');
  size_t stem = dot && dot > base ? (size_t)(dot - db) : strlen(db);
  snprintf(dst, size, "%.*s.html", (int)stem, db);
}

/* Open an existing store (never create one by a typo). */
int cli_open_store(store **st, const char *path) {
  if (access(path, R_OK) != 0) {
    cli_error("no results store '%s': %s", path, strerror(errno));
    return CLI_BAD_INPUT;
  }
  diag *d = diag_new();
  if (!d) return CLI_FAILURE;
  int err = store_open(st, path, d);
  diag_print(d, stderr, 0);
  diag_free(d);
  return err ? CLI_FAILURE : CLI_OK;
}

int cli_parse_run_id(const char *s, int64_t *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end || v < 1) {
    cli_error("--run wants a run id (a positive integer), not '%s'", s);
    return CLI_BAD_INPUT;
  }
  *out = v;
  return CLI_OK;
}

/* A sweep store (issue 19 item 5): the newest sweep's every point as a section of its
 * last point's report, stored with that run ("report.section.sweep-points") so that
 * the report draws it like any module's.  A store without a sweep, or whose newest run
 * came after it (a plain run added later): nothing to do. */
static int sweep_section(store *st, const char *db, int64_t *run_id) {
  strbuf b = STRBUF_INIT;
  int64_t last = 0, newest = 0;
  int err = rep_sweep_section(&b, st, &last);
  if (!err && !store_run_latest(st, &newest) && newest > last) err = ERR_NOTFOUND;
  if (!err) err = store_doc_put(st, last, "report.section.sweep-points", b.s);
  strbuf_release(&b);
  if (err == ERR_NOTFOUND) return CLI_OK;
  if (err) return cli_error("%s: cannot report the sweep: %s", db, err_strerror(err)), CLI_FAILURE;
  *run_id = last;
  return CLI_OK;
}

int cmd_report(int argc, char **argv) {
  static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
                                           {"run", required_argument, NULL, 'r'},
                                           {"help", no_argument, NULL, 'h'},
                                           {0}};
  const char *out = NULL, *db = "straits.db";
  char named[4096];
  int64_t run_id = 0;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'o': out = optarg; break;
    case 'r':
      if (cli_parse_run_id(optarg, &run_id)) return CLI_BAD_INPUT;
      break;
    case 'h': cmd_report_usage(stdout); return CLI_OK;
    default: cmd_report_usage(stderr); return CLI_BAD_INPUT;
    }
  }
  if (optind < argc - 1) {
    cmd_report_usage(stderr);
    return CLI_BAD_INPUT;
  }
  if (optind < argc) db = argv[optind];
  if (!out) {
    cli_report_path_for(named, sizeof named, db);
    out = named;
  }
  store *st = NULL;
  int rc = cli_open_store(&st, db);
  if (rc == CLI_OK && !run_id) rc = sweep_section(st, db, &run_id);
  if (rc == CLI_OK) rc = cli_write_report(st, run_id, out);
  store_close(st);
  return rc;
}
