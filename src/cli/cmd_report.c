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

/* ---- the theater and scenario documents, written at run time ------------------ */

static void theater_extend(double *bb, double lat, double lon) {
  if (lon < bb[0]) bb[0] = lon;
  if (lat < bb[1]) bb[1] = lat;
  if (lon > bb[2]) bb[2] = lon;
  if (lat > bb[3]) bb[3] = lat;
}

static void feature_head(buf *b, int *first, const char *layer, const char *id,
                         const char *name, const char *kind) {
  buf_put(b, *first ? "\n" : ",\n");
  *first = 0;
  buf_put(b, "{\"type\":\"Feature\",\"id\":");
  buf_json_str(b, id);
  buf_put(b, ",\"properties\":{\"layer\":");
  buf_json_str(b, layer);
  buf_put(b, ",\"id\":");
  buf_json_str(b, id);
  buf_put(b, ",\"name\":");
  buf_json_str(b, name && *name ? name : id);
  buf_put(b, ",\"kind\":");
  buf_json_str(b, kind);
}

/* RFC 7946 section 3.1.6: exterior rings counterclockwise.  The shoelace sum in the
 * lon/lat plane is positive for a counterclockwise ring (small regions only). */
static int ring_ccw(const scn_region *r) {
  double a = 0;
  for (size_t i = 0, j = r->n - 1; i < r->n; j = i++)
    a += (r->lon[j] - r->lon[i]) * (r->lat[j] + r->lat[i]);
  return a > 0;
}

static void theater_geojson(buf *b, const scn_scenario *sc) {
  double bb[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
  int first = 1;
  for (size_t i = 0; i < sc->nplace; i++)
    theater_extend(bb, sc->place[i].lat, sc->place[i].lon);
  for (size_t i = 0; i < sc->nregion; i++)
    for (size_t k = 0; k < sc->region[i].n; k++)
      theater_extend(bb, sc->region[i].lat[k], sc->region[i].lon[k]);
  for (size_t i = 0; i < sc->nroute; i++)
    for (size_t k = 0; k < sc->route[i].n; k++)
      theater_extend(bb, sc->route[i].lat[k], sc->route[i].lon[k]);
  buf_put(b, "{\"type\":\"FeatureCollection\"");
  if (isfinite(bb[0])) {
    /* A margin, so that places on the edge have room for their labels. */
    double mx = fmax(1.0, 0.08 * (bb[2] - bb[0])), my = fmax(1.0, 0.08 * (bb[3] - bb[1]));
    buf_printf(b, ",\"bbox\":[%.4f,%.4f,%.4f,%.4f]", bb[0] - mx, fmax(-85, bb[1] - my),
                   bb[2] + mx, fmin(85, bb[3] + my));
  }
  buf_put(b, ",\"features\":[");
  for (size_t i = 0; i < sc->nplace; i++) {
    const scn_place *p = &sc->place[i];
    feature_head(b, &first, "place", p->id, p->name, p->kind);
    buf_put(b, ",\"nation\":");
    buf_json_str(b, p->nation);
    buf_put(b, ",\"source\":");
    buf_json_str(b, p->source);
    buf_printf(b, "},\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]}}",
                   p->lon, p->lat);
  }
  for (size_t i = 0; i < sc->nregion; i++) {
    const scn_region *r = &sc->region[i];
    int ccw = ring_ccw(r);
    feature_head(b, &first, "region", r->id, r->name, r->kind);
    buf_put(b, ",\"source\":");
    buf_json_str(b, r->source);
    buf_put(b, "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[");
    for (size_t k = 0; k <= r->n; k++) { /* the ring is closed: first point again */
      size_t j = k % r->n;
      if (!ccw)
        j = (r->n - j) % r->n;
      buf_printf(b, "%s[%.6f,%.6f]", k ? "," : "", r->lon[j], r->lat[j]);
    }
    buf_put(b, "]]}}");
  }
  for (size_t i = 0; i < sc->nroute; i++) {
    const scn_route *r = &sc->route[i];
    feature_head(b, &first, "route", r->id, r->name, r->kind);
    buf_put(b, "},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[");
    for (size_t k = 0; k < r->n; k++)
      buf_printf(b, "%s[%.6f,%.6f]", k ? "," : "", r->lon[k], r->lat[k]);
    buf_put(b, "]}}");
  }
  buf_put(b, "]}");
}

int cli_store_theater(store *st, int64_t run_id, const scn_scenario *sc) {
  buf b = BUF_INIT;
  int err;
  buf_put(&b, "{\"name\":");
  buf_json_str(&b, sc->name);
  buf_put(&b, ",\"description\":");
  buf_json_str(&b, sc->description);
  buf_put(&b, ",\"epoch\":");
  buf_json_str(&b, sc->epoch);
  buf_put(&b, ",\"horizon_s\":");
  buf_json_num(&b, sc->horizon);
  buf_printf(&b, ",\"notional\":%s,\"seed\":\"%llu\",\"path\":",
                 sc->notional ? "true" : "false", (unsigned long long)sc->seed);
  buf_json_str(&b, sc->path);
  buf_put(&b, "}");
  err = b.failed ? ERR_NOMEM : store_doc_put(st, run_id, "scenario", b.s);
  b.len = 0;
  if (!err) {
    theater_geojson(&b, sc);
    err = b.failed ? ERR_NOMEM : store_doc_put(st, run_id, "theater", b.s);
  }
  if (err)
    cli_error("cannot record the theater in the store: %s",
              err == ERR_NOMEM ? "out of memory" : store_errmsg(st));
  buf_release(&b);
  return err;
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
int cli_write_file(const char *path, const buf *b) {
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

int cli_write_report(store *st, int64_t run_id, const char *path) {
  rep_run *r = NULL;
  buf b = BUF_INIT;
  geo_coast coast = {0};
  char source[600];
  int rc = CLI_FAILURE;
  diag *d = diag_new();
  if (!d) return CLI_FAILURE;
  int err = rep_run_load(&r, st, run_id, d);
  diag_print(d, stderr, 0);
  if (err) {
    rc = err == ERR_NOTFOUND ? CLI_BAD_INPUT : CLI_FAILURE;
    goto done;
  }
  if (cli_coast_read(&coast, r->bbox, source, sizeof source)) goto done;
  rep_lines lines = {coast.nline, coast.start, coast.lat, coast.lon, source};
  rep_options opt = REP_OPTIONS_INIT;
  opt.coast = &lines;
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
  buf_release(&b);
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
void cli_report_path_for(char *text, size_t size, const char *db) {
  const char *base = strrchr(db, '/');
  base = base ? base + 1 : db;
  const char *dot = strrchr(base, '.');
  size_t stem = dot && dot > base ? (size_t)(dot - db) : strlen(db);
  snprintf(text, size, "%.*s.html", (int)stem, db);
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
  if (rc == CLI_OK) rc = cli_write_report(st, run_id, out);
  store_close(st);
  return rc;
}
