/* load_sweep.c - read a sweep file (scn_sweep.h) with the loader's YAML tree and
 * field readers, so its problems read like a scenario's. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "scn_internal.h"
#include "scn_sweep.h"

#define SWEEP_MAX_BYTES (1u << 20)

static char *read_all(const char *path, size_t *len, diag *d, int *err) {
  const char *kind;
  FILE *f = scn__open_regular(path, &kind, NULL);
  if (!f && kind) {
    diag_report(d, DIAG_ERROR, path, 0, 0, "sweep file '%s' is %s, not a regular file", path,
                kind);
    *err = ERR_INPUT;
    return NULL;
  }
  if (!f) {
    diag_report(d, DIAG_ERROR, path, 0, 0, "cannot open sweep file '%s'", path);
    *err = ERR_IO;
    return NULL;
  }
  char *text = malloc(SWEEP_MAX_BYTES + 1);
  size_t n = text ? fread(text, 1, SWEEP_MAX_BYTES + 1, f) : 0;
  int bad = ferror(f);
  fclose(f);
  if (!text) {
    *err = ERR_NOMEM;
    return NULL;
  }
  if (bad || n > SWEEP_MAX_BYTES) {
    diag_report(d, DIAG_ERROR, path, 0, 0, bad ? "cannot read sweep file '%s'"
                                               : "sweep file '%s' is larger than 1 MiB", path);
    free(text);
    *err = bad ? ERR_IO : ERR_INPUT;
    return NULL;
  }
  *len = n;
  return text;
}

/* A range bound: a plain number or a quantity; both bounds must be of one kind. */
static int read_bound(scn__ctx *c, const scn__node *n, const char *key, double *v,
                      qty_kind *kind) {
  char why[256];
  if (!n || n->kind != SCN__SCALAR || scn__is_null(n)) {
    scn__error(c, n, "'%s' should be a number or a quantity, got %s", key,
               scn__kind_phrase(n));
    return -1;
  }
  if (qty_parse_any(v, kind, n->str, why, sizeof why) != 0) {
    scn__error(c, n, "%s", why);
    return -1;
  }
  return 0;
}

static void load_factor(scn__ctx *c, scn_sweep *sw, const scn__node *f, scn_factor *out) {
  static const char *const keys[] = {"set", "values", "min", "max", NULL};
  out->loc = scn__loc(f);
  if (!scn__expect_map(c, f, "factors")) return;
  scn__check_keys(c, f, "a factor", keys);
  const scn__node *v = scn__need(c, f, "set", "a factor");
  if (v && scn__text(c, v, "set", &out->path) == 0 &&
      (strchr(out->path, '=') || !out->path[0] || out->path[0] == '.'))
    scn__error(c, v, "'set' should be a path like 'scenario.horizon', got '%s'", out->path);
  const scn__node *values = scn__get(f, "values");
  const scn__node *lo = scn__get(f, "min"), *hi = scn__get(f, "max");
  if (values && (lo || hi)) {
    scn__error(c, values, "a factor has either 'values' or 'min' and 'max', not both");
    return;
  }
  if (values) {
    if (!scn__expect_seq(c, values, "values")) return;
    if (values->n == 0) {
      scn__error(c, values, "'values' should list at least one level");
      return;
    }
    out->value = scn__alloc(c, c->mem, values->n * sizeof *out->value);
    if (!out->value) return;
    for (size_t i = 0; i < values->n; i++)
      if (scn__text(c, values->item[i], "values", &out->value[i]) == 0)
        out->nvalue++;
    return;
  }
  if (!lo || !hi) {
    scn__error(c, lo ? lo : hi ? hi : f, "a factor needs 'values', or both 'min' and 'max'");
    return;
  }
  if (sw->design != SCN_DESIGN_LHS) {
    scn__error(c, lo, "a range ('min', 'max') needs 'design: latin_hypercube'; list "
                      "'values' for a factorial design");
    return;
  }
  qty_kind k1, k2;
  if (read_bound(c, lo, "min", &out->lo, &k1) || read_bound(c, hi, "max", &out->hi, &k2))
    return;
  if (k1 != k2) {
    scn__error(c, hi, "'max' is a %s but 'min' is a %s", qty_kind_name(k2), qty_kind_name(k1));
    return;
  }
  if (!(out->lo <= out->hi)) {
    scn__error(c, hi, "'max' ('%s') is less than 'min' ('%s')", hi->str, lo->str);
    return;
  }
  out->kind = k1;
}

static void load_sweep(scn__ctx *c, scn_sweep *sw, const scn__node *root) {
  static const char *const top[] = {"sweep", NULL};
  static const char *const keys[] = {"name", "scenario", "design", "points", "replications",
                                     "seed", "factors", NULL};
  static const char *const designs[] = {"factorial", "latin_hypercube"};
  if (!scn__expect_map(c, root, "the top level")) return;
  scn__check_keys(c, root, "a sweep file", top);
  const scn__node *m = scn__need(c, root, "sweep", "a sweep file");
  if (!m || !scn__expect_map(c, m, "sweep")) return;
  scn__check_keys(c, m, "sweep", keys);
  const scn__node *v;
  long long x;
  sw->name = "";
  sw->seed = 1;
  if ((v = scn__get(m, "name"))) scn__text(c, v, "name", &sw->name);
  if ((v = scn__get(m, "scenario")) && scn__text(c, v, "scenario", &sw->scenario) == 0 &&
      sw->scenario[0] != '/') {
    /* Relative to the sweep file's folder, as includes are. */
    const char *slash = strrchr(sw->path, '/');
    if (slash) {
      size_t dir = (size_t)(slash - sw->path) + 1, len = strlen(sw->scenario);
      char *p = scn__alloc(c, c->mem, dir + len + 1);
      if (p) {
        memcpy(p, sw->path, dir);
        memcpy(p + dir, sw->scenario, len + 1);
        sw->scenario = p;
      }
    }
  }
  int design = 0;
  if ((v = scn__get(m, "design"))) scn__choice(c, v, "design", designs, 2, &design);
  sw->design = (scn_design)design;
  if ((v = scn__get(m, "replications")) &&
      scn__integer(c, v, "replications", 1, 10000000, &x) == 0)
    sw->replications = (int)x;
  if ((v = scn__get(m, "seed")) && scn__integer(c, v, "seed", 0, LLONG_MAX, &x) == 0)
    sw->seed = (uint64_t)x;
  const scn__node *points = scn__get(m, "points");
  if (sw->design == SCN_DESIGN_LHS) {
    if ((points = scn__need(c, m, "points", "a latin_hypercube sweep")) &&
        scn__integer(c, points, "points", 1, SCN_SWEEP_MAX_POINTS, &x) == 0)
      sw->points = (int)x;
  } else if (points) {
    scn__error(c, points, "'points' is for 'design: latin_hypercube'; a factorial design "
                          "has one point per combination of levels");
  }
  const scn__node *fs = scn__need(c, m, "factors", "sweep");
  if (!fs || !scn__expect_seq(c, fs, "factors")) return;
  if (fs->n == 0 || fs->n > SCN_SWEEP_MAX_FACTORS) {
    scn__error(c, fs, "'factors' should list 1 to %d factors, got %zu", SCN_SWEEP_MAX_FACTORS,
               fs->n);
    return;
  }
  sw->factor = scn__alloc(c, c->mem, fs->n * sizeof *sw->factor);
  if (!sw->factor) return;
  sw->nfactor = fs->n;
  double product = 1;
  for (size_t i = 0; i < fs->n; i++) {
    load_factor(c, sw, fs->item[i], &sw->factor[i]);
    product *= sw->factor[i].nvalue ? (double)sw->factor[i].nvalue : 1.0;
  }
  if (sw->design == SCN_DESIGN_FACTORIAL) {
    if (product > SCN_SWEEP_MAX_POINTS)
      scn__error(c, fs, "the factorial design has %.0f points, more than the limit of %d",
                 product, SCN_SWEEP_MAX_POINTS);
    else
      sw->points = (int)product;
  }
}

int scn_sweep_load(scn_sweep **out, const char *path, diag *d) {
  static const scn_load_options opt = SCN_LOAD_OPTIONS_INIT;
  int err = 0;
  size_t len = 0;
  *out = NULL;
  char *text = read_all(path, &len, d, &err);
  if (!text) return err;
  arena *mem = malloc(sizeof *mem);
  /* Lines are quoted only of a file named .yaml/.yml, or once it parses as a
   * mapping: `straits sweep /etc/shadow` shows none of its lines. */
  int quote_early = scn__yaml_name(path);
  if (!mem || (quote_early && diag_add_source(d, path, text, len))) {
    free(mem);
    free(text);
    return ERR_NOMEM;
  }
  arena tree;
  arena_init(mem, ARENA_DEFAULT_CAP);
  arena_init(&tree, ARENA_DEFAULT_CAP);
  scn__ctx c = {0};
  c.d = d;
  c.opt = &opt;
  c.tree = &tree;
  c.mem = mem;
  size_t before = diag_count(d, DIAG_ERROR);
  scn_sweep *sw = scn__alloc(&c, mem, sizeof *sw);
  const char *file = sw ? scn__strdup(&c, mem, path, strlen(path)) : NULL;
  scn__node *root = file ? scn__parse_yaml(&c, file, text, len) : NULL;
  if (root && !quote_early && root->kind == SCN__MAP && diag_add_source(d, path, text, len))
    c.nomem = 1;
  if (root && root->kind != SCN__MAP) { /* said without quoting the file's text */
    diag_report(d, DIAG_ERROR, file, root->line, root->col,
                "a sweep file should hold a mapping, got %s",
                root->kind == SCN__SEQ ? "a list" : "a single value");
    root = NULL;
  }
  if (root) {
    sw->path = file;
    load_sweep(&c, sw, root);
    hash_sha256_hex(sw->hash, text, len);
  }
  free(text);
  arena_release(&tree);
  if (c.nomem) err = ERR_NOMEM;
  else if (!root || diag_count(d, DIAG_ERROR) > before) err = ERR_INPUT;
  if (err) {
    arena_release(mem);
    free(mem);
    return err;
  }
  sw->mem_ = mem;
  *out = sw;
  return 0;
}

void scn_sweep_free(scn_sweep *sw) {
  if (!sw) return;
  arena *mem = sw->mem_;
  arena_release(mem);
  free(mem);
}
