/* rep_export.c - a stored run as JSON, CSV or GeoJSON, for other tools (QGIS,
 * spreadsheets, notebooks). */
#include "rep_internal.h"

#include <csv.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

int rep_export_json(strbuf *b, const rep_run *r) {
  rep__data_json(b, r, NULL, NULL, 0, 1);
  strbuf_put(b, "\n");
  return b->failed ? ERR_NOMEM : 0;
}

/* A decimal number, as a spreadsheet reads one: [+-]digits[.digits][(e|E)[+-]digits]. */
static int csv_is_number(const char *s) {
  const char *p = s + (*s == '+' || *s == '-');
  size_t digits = strspn(p, "0123456789");
  p += digits;
  if (*p == '.') {
    size_t frac = strspn(p + 1, "0123456789");
    digits += frac;
    p += 1 + frac;
  }
  if (!digits) return 0;
  if (*p == 'e' || *p == 'E') {
    p++;
    p += *p == '+' || *p == '-';
    size_t exp = strspn(p, "0123456789");
    if (!exp) return 0;
    p += exp;
  }
  return *p == '\0';
}

/* A text cell, RFC 4180 quoted (a field with a comma, quote or line break) and
 * neutralised against formula injection as OWASP ("CSV Injection") advises: a cell
 * beginning with = + - @ TAB or CR, which a spreadsheet would run as a formula, gets
 * a leading apostrophe and is quoted -- unless it is a plain decimal number such as
 * -1.5, which a spreadsheet reads as that number.  Numbers written as numbers
 * (csv_num) are never touched.  Lines end in LF.
 *
 * The neutralising is straits' own step, before quoting; the quoting is libcsv's
 * csv_write (the field in double quotes, each quote doubled).  csv_write quotes
 * every field it is given, so a cell that needs no quotes (and is no formula) is
 * written bare, as before: the exports' bytes are those of the hand-written quoting
 * this replaced. */
void rep_csv_cell(strbuf *b, const char *s) {
  int formula = *s && strchr("=+-@\t\r", *s) && !csv_is_number(s);
  if (!formula && !strpbrk(s, ",\"\n\r")) {
    strbuf_put(b, s);
    return;
  }
  char small_src[256], small_dst[520], *src = small_src, *dst = small_dst;
  size_t n = strlen(s) + (size_t)formula;
  if (n >= sizeof small_src && !(src = malloc(n + 1)))
    goto nomem;
  src[0] = '\'';
  memcpy(src + formula, s, n - (size_t)formula);
  size_t need = csv_write(NULL, 0, src, n);
  if (need == (size_t)-1 || (need > sizeof small_dst && !(dst = malloc(need))))
    goto nomem;
  csv_write(dst, need, src, n);
  strbuf_putn(b, dst, need);
  goto done;
nomem:
  b->failed = 1;
done:
  if (src != small_src)
    free(src);
  if (dst != small_dst)
    free(dst);
}

static void csv_field(strbuf *b, const char *s) { rep_csv_cell(b, s); }

static void csv_num(strbuf *b, double v) {
  strbuf_put(b, ",");
  if (!isnan(v))
    strbuf_printf(b, "%.17g", v);
}

static void csv_metric(strbuf *b, const metric_def *def) {
  csv_field(b, def->module);
  strbuf_put(b, ",");
  csv_field(b, def->name);
  strbuf_put(b, ",");
  csv_field(b, def->unit);
}

int rep_export_csv(strbuf *b, const rep_run *r, const char *table) {
  if (!table || strcmp(table, "metrics") == 0) {
    /* direction: 1 higher is better, -1 lower is better, 0 it depends. */
    strbuf_put(b, "module,name,unit,headline,series,direction,n,mean,sd,ci95_low,ci95_high,"
                   "min,p5,p50,p95,max,description\n");
    for (size_t m = 0; m < r->ms.n; m++) {
      const stats_summary *s = &r->summary[m];
      const metric_def *def = &r->ms.def[m];
      int has = s->n > 0;
      csv_metric(b, def);
      strbuf_printf(b, ",%d,%d,%d,%zu", (def->flags & METRIC_HEADLINE) != 0,
                     (def->flags & METRIC_SERIES) != 0, metric_direction(def->flags), s->n);
      csv_num(b, has ? s->mean : NAN);
      csv_num(b, has ? s->sd : NAN);
      csv_num(b, has ? s->ci_lo : NAN);
      csv_num(b, has ? s->ci_hi : NAN);
      csv_num(b, has ? s->min : NAN);
      csv_num(b, has ? s->p5 : NAN);
      csv_num(b, has ? s->p50 : NAN);
      csv_num(b, has ? s->p95 : NAN);
      csv_num(b, has ? s->max : NAN);
      strbuf_put(b, ",");
      csv_field(b, def->description);
      strbuf_put(b, "\n");
    }
  } else if (strcmp(table, "values") == 0) {
    return ERR_USAGE; /* streamed from the store: rep_export_values */
  } else if (strcmp(table, "series") == 0) {
    strbuf_put(b, "module,name,unit,t,mean,p5,p95\n");
    for (size_t i = 0; i < r->nband; i++) {
      const rep_band *band = &r->band[i];
      for (size_t g = 0; g < band->n; g++) {
        csv_metric(b, &r->ms.def[band->metric]);
        csv_num(b, band->t[g]);
        csv_num(b, band->mean[g]);
        csv_num(b, band->p5[g]);
        csv_num(b, band->p95[g]);
        strbuf_put(b, "\n");
      }
    }
  } else {
    return ERR_USAGE;
  }
  return b->failed ? ERR_NOMEM : 0;
}

static void values_row(strbuf *b, const metric_def *def, size_t rep, double v) {
  strbuf_printf(b, "%zu,", rep);
  csv_metric(b, def);
  csv_num(b, v);
  strbuf_put(b, "\n");
}

/* Rows are written as they are read, a chunk of replications at a time, and b is
 * flushed as it fills, so neither the values nor the text grow with the run. */
int rep_export_values(strbuf *b, store *st, const rep_run *r,
                      int (*flush)(void *ctx, strbuf *b), void *ctx) {
  const size_t nm = r->ms.n;
  size_t rows = nm && STATS_STREAM_CHUNK / nm ? STATS_STREAM_CHUNK / nm : 1;
  rows = rows < r->nrep ? rows : r->nrep ? r->nrep : 1; /* a small run: no more than it needs */
  double *vals = malloc(rows * (nm ? nm : 1) * sizeof *vals);
  store_ahead *ahead = NULL;
  int err = vals && !store_ahead_open(&ahead, st, r->run.id, &r->ms, r->nrep, rows) ? 0 : ERR_NOMEM;
  strbuf_put(b, "replication,module,name,unit,value\n");
  for (size_t lo = 0; lo < r->nrep && !err; lo += rows) {
    size_t hi = r->nrep - lo < rows ? r->nrep : lo + rows;
    if ((err = store_ahead_fill(ahead, lo, hi, vals)))
      break;
    for (size_t k = 0; k < (hi - lo) * nm && !err; k++) {
      if (!isnan(vals[k]))
        values_row(b, &r->ms.def[k % nm], lo + k / nm, vals[k]);
      if (b->len >= REP_FLUSH_BYTES)
        err = b->failed ? ERR_NOMEM : flush(ctx, b);
    }
  }
  store_ahead_close(ahead);
  free(vals);
  if (!err)
    err = b->failed ? ERR_NOMEM : flush(ctx, b);
  return err;
}

/* ---- GeoJSON: features of the stored documents, parsed ------------------------ */

/* One FeatureCollection: the theater (with its bbox), the layers modules added, the
 * coastline.  The stored documents' features are copied as jansson parsed them; a
 * document that is not JSON adds none. */
int rep_export_geojson(strbuf *b, const rep_run *r, const rep_lines *coast) {
  json_t *theater = rep__doc(r->theater_doc);
  json_t *bbox = json_object_get(theater, "bbox");
  int first = 1;
  strbuf_put(b, "{");
  rep__key(b, 1, "type");
  jdoc_dump(b, jdoc_str("FeatureCollection"));
  if (bbox) {
    rep__key(b, 0, "bbox");
    jdoc_dump(b, json_incref(bbox));
  }
  rep__key(b, 0, "features");
  strbuf_put(b, "[");
  rep__features(b, theater, NULL, &first);
  json_decref(theater);
  for (size_t i = 0; i < r->nlayer; i++) {
    json_t *layer = rep__doc(r->layer_doc[i]);
    rep__features(b, layer, NULL, &first);
    json_decref(layer);
  }
  rep__coast_features(b, coast, NULL, &first);
  strbuf_put(b, "]}\n");
  return b->failed ? ERR_NOMEM : 0;
}

/* ---- one layer --------------------------------------------------------------- */

int rep_theater_has(const rep_run *r, const char *kind) {
  json_t *theater = rep__doc(r->theater_doc);
  size_t n = rep__features(NULL, theater, kind, NULL);
  json_decref(theater);
  return n > 0;
}

/* The features of layer `name` (report.h) into the "features" array being written. */
static int layer_features(strbuf *b, const rep_run *r, const char *name,
                          const char *layer_doc, const rep_lines *coast) {
  static const char *const theater[][2] = {
      {"places", "place"}, {"regions", "region"}, {"routes", "route"}};
  int first = 1;
  for (size_t i = 0; i < sizeof theater / sizeof *theater; i++)
    if (strcmp(name, theater[i][0]) == 0) {
      json_t *doc = rep__doc(r->theater_doc);
      size_t n = rep__features(b, doc, theater[i][1], &first);
      json_decref(doc);
      return n ? 0 : ERR_NOTFOUND;
    }
  if (strcmp(name, "coastline") == 0) {
    if (!coast || !coast->nline)
      return ERR_NOTFOUND;
    rep__coast_features(b, coast, NULL, &first);
    return 0;
  }
  if (!layer_doc)
    return ERR_NOTFOUND;
  json_t *doc = rep__doc(layer_doc);
  rep__features(b, doc, NULL, &first);
  json_decref(doc);
  return 0;
}

int rep_export_geojson_layer(strbuf *b, const rep_run *r, const char *name,
                             const char *layer_doc, const rep_lines *coast) {
  strbuf_put(b, "{");
  rep__key(b, 1, "type");
  jdoc_dump(b, jdoc_str("FeatureCollection"));
  rep__key(b, 0, "features");
  strbuf_put(b, "[");
  int err = layer_features(b, r, name, layer_doc, coast);
  if (err)
    return err;
  strbuf_put(b, "]}\n");
  return b->failed ? ERR_NOMEM : 0;
}
