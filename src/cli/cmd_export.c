/* cmd_export.c - `straits export [STORE] --format json|csv|geojson|sqlite`: a stored
 * run's metrics, series and map layers for other tools. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_report.h"
#include "diag.h"
#include "err.h"

void cmd_export_usage(FILE *out) {
  fprintf(out,
          "usage: straits export [options] [STORE]\n"
          "\n"
          "Export a run of STORE (default: straits.db) for other tools.\n"
          "\n"
          "  -f, --format F     json (metrics, series bands, theater), csv (one table,\n"
          "                     see --table), geojson (places, regions, routes and the\n"
          "                     coastline, [lon, lat] as RFC 7946 has it) or sqlite\n"
          "                     (a new file, needs -o: the run as DESIGN.md section 7's\n"
          "                     tables run, replication, metric and series)\n"
          "      --table T      with csv: metrics (default; summaries), values (one row\n"
          "                     per replication and metric) or series (bands over time)\n"
          "      --layer NAME   with geojson: one map layer alone (places, regions,\n"
          "                     routes, coastline, or a module's layer such as\n"
          "                     sar-probability); 'list' lists the run's layers\n"
          "  -o, --output FILE  where to write (default: standard output; with sqlite\n"
          "                     required, and FILE must not exist)\n"
          "      --run ID       which run of the store (default: the newest)\n"
          "\n"
          "Values are in SI units (seconds, kilograms, metres) as the store holds them.\n");
}

/* --format sqlite: the store layer writes the file (only it may use SQLite). */
static int export_sqlite(const char *db, int64_t run_id, const char *out) {
  if (strcmp(out, "-") == 0) {
    fputs("error: --format sqlite writes a database file, not standard output: "
          "give it one with -o FILE\n", stderr);
    return CLI_BAD_INPUT;
  }
  store *st = NULL;
  int rc = cli_open_store(&st, db);
  if (rc != CLI_OK) return rc;
  int err = 0;
  if (run_id <= 0 && (err = store_run_latest(st, &run_id)) == ERR_NOTFOUND)
    fprintf(stderr, "error: the results store '%s' holds no run\n", db);
  else if (err)
    fprintf(stderr, "error: %s\n", store_errmsg(st));
  else if ((err = store_export_tables(st, run_id, out)))
    fprintf(stderr, "error: %s\n", store_errmsg(st));
  store_close(st);
  if (!err) return CLI_OK;
  return err == ERR_USAGE || err == ERR_NOTFOUND ? CLI_BAD_INPUT : CLI_FAILURE;
}

static int list_layer(void *ctx, const char *name, const char *body) {
  (void)body;
  strbuf_printf(ctx, "%s\n", name + strlen("map.layer."));
  return 0;
}

/* --layer: one layer as its FeatureCollection, or (list) the names the run has, a
 * line each: the theater's (places, regions, routes, coastline) then the modules'. */
static int export_layer(strbuf *b, store *st, const rep_run *r, const char *layer,
                        const rep_lines *coast) {
  if (strcmp(layer, "list") == 0) {
    static const char *const kinds[][2] = {
        {"place", "places"}, {"region", "regions"}, {"route", "routes"}};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
      if (rep_theater_has(r, kinds[i][0])) strbuf_printf(b, "%s\n", kinds[i][1]);
    if (coast && coast->nline) strbuf_put(b, "coastline\n");
    int err = store_doc_each(st, r->run.id, "map.layer.", list_layer, b);
    if (err) cli_error("%s", store_errmsg(st));
    return err ? CLI_FAILURE : b->failed ? CLI_FAILURE : CLI_OK;
  }
  char name[300], *doc = NULL;
  snprintf(name, sizeof name, "map.layer.%s", layer);
  int err = store_doc_get(st, r->run.id, name, &doc);
  if (err && err != ERR_NOTFOUND) {
    cli_error("%s", store_errmsg(st));
    return CLI_FAILURE;
  }
  err = rep_export_geojson_layer(b, r, layer, doc, coast);
  free(doc);
  if (err == ERR_NOTFOUND) {
    cli_error("run %lld has no map layer '%s' (see --layer list)", (long long)r->run.id,
              layer);
    return CLI_BAD_INPUT;
  }
  return err ? CLI_FAILURE : CLI_OK;
}

/* --table values: written as the store is read (rep_export_values), into a
 * temporary file renamed at the end as cli_write_file does, or to standard output. */
typedef struct export_sink {
  FILE *f;
  int ok;
} export_sink;

static int sink_flush(void *ctx, strbuf *b) {
  export_sink *k = ctx;
  k->ok = k->ok && fwrite(b->s, 1, b->len, k->f) == b->len;
  b->len = 0;
  return k->ok ? 0 : ERR_IO;
}

static int export_values(const char *out, store *st, const rep_run *r, strbuf *b) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", out);
  int to_stdout = strcmp(out, "-") == 0;
  export_sink k = {to_stdout ? stdout : fopen(tmp, "wb"), 1};
  if (!k.f) {
    cli_error("cannot write '%s': %s", out, strerror(errno));
    return CLI_FAILURE;
  }
  int err = rep_export_values(b, st, r, sink_flush, &k);
  if (err == ERR_STORE)
    cli_error("cannot export: %s", store_errmsg(st));
  else if (err)
    cli_error("cannot export: %s", err_strerror(err));
  if (to_stdout)
    return fflush(stdout) == 0 && !err ? CLI_OK : CLI_FAILURE;
  int ok = fclose(k.f) == 0 && !err;
  if (!ok || rename(tmp, out) != 0) {
    if (!err)
      cli_error("cannot write '%s': %s", out, strerror(errno));
    remove(tmp);
    return CLI_FAILURE;
  }
  return CLI_OK;
}

int cmd_export(int argc, char **argv) {
  static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                           {"table", required_argument, NULL, 't'},
                                           {"output", required_argument, NULL, 'o'},
                                           {"run", required_argument, NULL, 'r'},
                                           {"layer", required_argument, NULL, 'l'},
                                           {"help", no_argument, NULL, 'h'},
                                           {0}};
  const char *format = NULL, *table = "metrics", *out = "-", *db = "straits.db";
  const char *layer = NULL;
  int64_t run_id = 0;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "f:o:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'f': format = optarg; break;
    case 't': table = optarg; break;
    case 'o': out = optarg; break;
    case 'l': layer = optarg; break;
    case 'r':
      if (cli_parse_run_id(optarg, &run_id)) return CLI_BAD_INPUT;
      break;
    case 'h': cmd_export_usage(stdout); return CLI_OK;
    default: cmd_export_usage(stderr); return CLI_BAD_INPUT;
    }
  }
  if (optind < argc - 1 || !format) {
    if (!format) cli_error("export needs --format json, csv, geojson or sqlite");
    cmd_export_usage(stderr);
    return CLI_BAD_INPUT;
  }
  if (strcmp(format, "json") && strcmp(format, "csv") && strcmp(format, "geojson") &&
      strcmp(format, "sqlite")) {
    cli_error("unknown export format '%s' (json, csv, geojson or sqlite)", format);
    return CLI_BAD_INPUT;
  }
  if (layer && strcmp(format, "geojson")) {
    cli_error("--layer goes with --format geojson, not '%s'", format);
    return CLI_BAD_INPUT;
  }
  if (strcmp(table, "metrics") && strcmp(table, "values") && strcmp(table, "series")) {
    cli_error("unknown table '%s' (metrics, values or series)", table);
    return CLI_BAD_INPUT;
  }
  if (optind < argc) db = argv[optind];
  if (strcmp(format, "sqlite") == 0) return export_sqlite(db, run_id, out);

  store *st = NULL;
  rep_run *r = NULL;
  strbuf b = STRBUF_INIT;
  geo_coast coast = {0};
  diag *d = NULL;
  int rc = cli_open_store(&st, db);
  if (rc != CLI_OK) goto done;
  rc = CLI_FAILURE;
  if (!(d = diag_new())) goto done;
  int err = rep_run_load(&r, st, run_id, d);
  diag_print(d, stderr, 0);
  if (err) {
    rc = err == ERR_NOTFOUND ? CLI_BAD_INPUT : CLI_FAILURE;
    goto done;
  }
  if (strcmp(format, "csv") == 0 && strcmp(table, "values") == 0) {
    rc = export_values(out, st, r, &b);
    goto done;
  } else if (strcmp(format, "json") == 0) {
    err = rep_export_json(&b, r);
  } else if (strcmp(format, "csv") == 0) {
    err = rep_export_csv(&b, r, table);
  } else {
    char source[600];
    if (cli_coast_read(&coast, r->bbox, source, sizeof source)) goto done;
    rep_lines lines = {coast.nline, coast.start, coast.lat, coast.lon, source};
    if (layer) {
      rc = export_layer(&b, st, r, layer, &lines);
      if (rc == CLI_OK) rc = cli_write_file(out, &b);
      goto done;
    }
    err = rep_export_geojson(&b, r, &lines);
  }
  if (err) {
    cli_error("cannot export: %s", err_strerror(err));
    goto done;
  }
  rc = cli_write_file(out, &b);
done:
  strbuf_release(&b);
  geo_coast_release(&coast);
  rep_run_free(r);
  diag_free(d);
  store_close(st);
  return rc;
}
