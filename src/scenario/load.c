/* load.c - scn_load(): compose the files, then interpret each top-level section into
 * the immutable scenario, reporting every problem in one pass. */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "scn_internal.h"
#include "scn_plan.h"

const char *scn_situation_name(scn_situation s) {
  static const char *const names[] = {
#define SCN__SIT_NAME(name, str) str,
      SCN_SITUATION_MAP(SCN__SIT_NAME)
#undef SCN__SIT_NAME
  };
  return (unsigned)s < SCN_SIT__COUNT ? names[s] : NULL;
}

const char *scn_object_name(scn_object o) {
  static const char *const names[] = {
#define SCN__OBJ_NAME(name, str, ...) str,
      SCN_OBJECT_MAP(SCN__OBJ_NAME)
#undef SCN__OBJ_NAME
  };
  return (unsigned)o < SCN_OBJ__COUNT ? names[o] : NULL;
}

/* ---- scenario: ------------------------------------------------------------------------ */

static int is_leap(long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard
 * Hinnant's days_from_civil). */
static int64_t days_from_civil(long y, int m, int d) {
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (int64_t)era * 146097 + doe - 719468;
}

static int two_digits(const char *s, int *out) {
  if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9') return 0;
  *out = (s[0] - '0') * 10 + (s[1] - '0');
  return 1;
}

/* "YYYY-MM-DDTHH:MMZ" or "YYYY-MM-DDTHH:MM:SSZ", UTC only: a scenario's clock must not
 * depend on the machine's time zone. */
static int parse_epoch(const char *s, int64_t *out) {
  int y1, y2, mo, d, h, mi, sec = 0;
  if (strlen(s) < 17 || !two_digits(s, &y1) || !two_digits(s + 2, &y2) || s[4] != '-' ||
      !two_digits(s + 5, &mo) || s[7] != '-' || !two_digits(s + 8, &d) || s[10] != 'T' ||
      !two_digits(s + 11, &h) || s[13] != ':' || !two_digits(s + 14, &mi))
    return 0;
  const char *rest = s + 16;
  if (rest[0] == ':') {
    if (!two_digits(rest + 1, &sec)) return 0;
    rest += 3;
  }
  if (strcmp(rest, "Z") != 0) return 0;
  long year = y1 * 100L + y2;
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1) return 0;
  if (d > mdays[mo - 1] + (mo == 2 && is_leap(year))) return 0;
  if (h > 23 || mi > 59 || sec > 59) return 0;
  *out = days_from_civil(year, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
  return 1;
}

static void load_epoch(scn__ctx *c, const scn__node *v) {
  scn_scenario *sc = c->sc;
  if (!v || scn__text(c, v, "epoch", &sc->epoch)) return;
  if (!parse_epoch(sc->epoch, &sc->epoch_unix))
    scn__error(c, v, "'epoch' should be a UTC time like '2027-04-01T00:00Z', got '%s'", sc->epoch);
}

#define MAX_HORIZON (3650.0 * 86400.0)

static void load_header(scn__ctx *c, const scn__node *m) {
  static const char *const keys[] = {"name", "description", "epoch", "horizon", "seed",
                                     "replications", "notional", NULL};
  scn_scenario *sc = c->sc;
  sc->seed = 1;
  sc->replications = 100;
  sc->description = "";
  if (!scn__expect_map(c, m, "scenario")) return;
  scn__check_keys(c, m, "scenario", keys);
  const scn__node *v;
  if ((v = scn__need(c, m, "name", "scenario"))) scn__text(c, v, "name", &sc->name);
  if ((v = scn__get(m, "description"))) scn__text(c, v, "description", &sc->description);
  load_epoch(c, scn__need(c, m, "epoch", "scenario"));
  if ((v = scn__need(c, m, "horizon", "scenario")) &&
      scn__quantity(c, v, "horizon", QTY_DURATION, &sc->horizon) == 0 &&
      !(sc->horizon > 0 && sc->horizon <= MAX_HORIZON))
    scn__error(c, v, "'horizon' must be greater than 0 and at most 3650d, got '%s'", v->str);
  long long x;
  uint64_t seed;
  if ((v = scn__get(m, "seed")) && scn__uint64(c, v, "seed", &seed) == 0) sc->seed = seed;
  if ((v = scn__get(m, "replications")) &&
      scn__integer(c, v, "replications", 1, 10000000, &x) == 0)
    sc->replications = (int)x;
  if ((v = scn__get(m, "notional"))) scn__boolean(c, v, "notional", &sc->notional);
  if (c->sc->nforce && !sc->notional)
    scn__warning(c, v ? v : m, "the scenario has forces but is not marked 'notional: true'");
}

/* ---- the top level ---------------------------------------------------------------------- */

/* Sections that later modules will own: accepted with a warning, so a file written for
 * a newer straits is not rejected outright. */
static const char *const reserved_sections[] = {NULL};

static int is_reserved(const char *key) {
  for (size_t i = 0; reserved_sections[i]; i++)
    if (strcmp(key, reserved_sections[i]) == 0) return 1;
  return 0;
}

/* The common sections: scenario/'s own.  `crisis:` (events, escalation) is common
 * because its events are the trigger vocabulary every section refers to, and
 * `situations:`, `plan:` and `objectives:` because every mission reads them.  A
 * mission's section comes from the caller's table (opt->sections). */
static const char *const common_sections[] = {"includes", "scenario", "theater", "forces",
                                              "crisis", "situations", "plan"};
#define NCOMMON (sizeof common_sections / sizeof *common_sections)
#define MAX_TOP_SECTIONS 64 /* common ones, the table's, objectives */

static void check_top_keys(scn__ctx *c, const scn__node *root) {
  const char *known[MAX_TOP_SECTIONS];
  size_t nknown = 0;
  for (size_t i = 0; i < NCOMMON; i++) known[nknown++] = common_sections[i];
  for (size_t i = 0; i < c->opt->nsections && nknown < MAX_TOP_SECTIONS - 1; i++)
    known[nknown++] = c->opt->sections[i]->name;
  known[nknown++] = "objectives";
  for (size_t i = 0; i < root->n; i++) {
    const scn__node *k = root->item[2 * i];
    if (k->kind == SCN__SCALAR && is_reserved(k->str))
      scn__warning(c, k, "section '%s' is not modelled yet; ignored", k->str);
  }
  for (size_t i = 0; i < root->n; i++) {
    const scn__node *k = root->item[2 * i];
    size_t j = 0;
    while (j < nknown && (k->kind != SCN__SCALAR || strcmp(k->str, known[j]) != 0)) j++;
    if (j < nknown || k->kind != SCN__SCALAR) continue;
    const char *hint = scn__suggest(k->str, known, nknown);
    if (hint)
      scn__error(c, k, "unknown section '%s' (did you mean '%s'?)", k->str, hint);
    else
      scn__error(c, k, "unknown section '%s'", k->str);
  }
}

void scn__section_put(scn__ctx *c, const scn_section *def, const void *section) {
  scn_scenario *sc = c->sc;
  const scn_section **defs = scn__alloc(c, c->mem, (sc->nsection + 1) * sizeof *defs);
  const void **vals = scn__alloc(c, c->mem, (sc->nsection + 1) * sizeof *vals);
  if (!defs || !vals) return;
  for (size_t i = 0; i < sc->nsection; i++) defs[i] = sc->section_def[i], vals[i] = sc->section[i];
  defs[sc->nsection] = def, vals[sc->nsection] = section;
  sc->section_def = defs, sc->section = vals, sc->nsection++;
}

const void *scn_section_of(const scn_scenario *sc, const char *name) {
  for (size_t i = 0; sc && i < sc->nsection; i++)
    if (strcmp(sc->section_def[i]->name, name) == 0) return sc->section[i];
  return NULL;
}

static void interpret(scn__ctx *c, const scn__node *root) {
  if (!scn__expect_map(c, root, "the top level")) return;
  check_top_keys(c, root);
  const scn__node *v;
  if ((v = scn__get(root, "theater"))) scn__load_theater(c, v);
  if ((v = scn__get(root, "forces"))) scn__load_forces(c, v);
  if ((v = scn__get(root, "crisis"))) scn__load_crisis(c, v);
  scn__load_plan(c, scn__get(root, "situations"), scn__get(root, "plan"));
  scn__resolve_escalation_plan(c); /* ladder multipliers may name phases and tasks */
  if ((v = scn__get(root, "scenario")))
    load_header(c, v);
  else
    scn__error(c, root, "missing required section 'scenario'");
  /* After the header: the replay needs the epoch and the horizon. */
  for (size_t i = 0; i < c->opt->nsections; i++) {
    const scn_section *def = c->opt->sections[i];
    const void *section;
    if ((v = scn__get(root, def->name)) && (section = def->load(c, v)))
      scn__section_put(c, def, section);
  }
  /* Tasks' and gates' `decisions:` name steps of the `coordination:` section, whose
   * loader resolves them; without that section nothing can. */
  if (c->sc->plan && c->sc->plan->ndecision && !scn_section_of(c->sc, "coordination") &&
      !scn__get(root, "coordination"))
    for (size_t i = 0; i < c->sc->plan->ndecision; i++) {
      const scn_name *dn = &c->sc->plan->decision[i];
      diag_report(c->d, DIAG_ERROR, dn->loc.file, dn->loc.line, dn->loc.col,
                  "decision '%s' needs a 'coordination' section that defines the step",
                  dn->id);
    }
  if ((v = scn__get(root, "objectives"))) scn__load_objectives(c, v);
}

/* ---- entry points ---------------------------------------------------------------------- */

static int finish(scn__ctx *c, size_t errors_before) {
  if (c->nomem) return ERR_NOMEM;
  if (c->io_failed) return ERR_IO;
  if (diag_count(c->d, DIAG_ERROR) > errors_before) return ERR_INPUT;
  return 0;
}

int scn__parse_epoch(const char *s, int64_t *out) { return parse_epoch(s, out); }

int scn_load(scn_scenario **out, const char *path, const scn_load_options *opt, diag *d) {
  return scn__load_with(out, path, opt, d, interpret);
}

void scn__hash_input(scn__ctx *c, const void *p, size_t n) { hash_sha256_item(&c->hash, p, n); }

int scn__load_with(scn_scenario **out, const char *path, const scn_load_options *opt, diag *d,
                   void (*interpret_root)(scn__ctx *, const scn__node *)) {
  static const scn_load_options defaults = SCN_LOAD_OPTIONS_INIT;
  *out = NULL;
  if (!opt) opt = &defaults;
  diag *own = d ? NULL : diag_new(); /* errors still need counting without a caller's diag */
  arena *mem = malloc(sizeof *mem);
  if ((!d && !own) || !mem) {
    diag_free(own);
    free(mem);
    return ERR_NOMEM;
  }
  arena tree;
  arena_init(mem, ARENA_DEFAULT_CAP);
  arena_init(&tree, ARENA_DEFAULT_CAP);
  scn__ctx c = {0};
  c.d = d ? d : own;
  c.opt = opt;
  c.tree = &tree;
  c.mem = mem;
  hash_sha256_init(&c.hash);
  scn__ids_init(&c.places, "place");
  scn__ids_init(&c.regions, "region");
  scn__ids_init(&c.routes, "route");
  scn__ids_init(&c.forces, "force");
  scn__ids_init(&c.events, "event");
  size_t errors_before = diag_count(c.d, DIAG_ERROR);

  c.sc = scn__alloc(&c, mem, sizeof *c.sc);
  if (c.sc) c.sc->coastline = 'i'; /* theater.coastline's default */
  scn__node *root = c.sc ? scn__compose(&c, path) : NULL;
  if (root) {
    scn__apply_overrides(&c, &root);
    interpret_root(&c, root);
  }
  int rc = root ? finish(&c, errors_before) : (c.nomem ? ERR_NOMEM : c.io_failed ? ERR_IO : ERR_INPUT);
  if (rc == 0) {
    hash_sha256_final_hex(&c.hash, c.sc->hash);
    c.sc->path = scn__strdup(&c, mem, path, strlen(path));
    c.sc->mem_ = mem;
    if (c.nomem) rc = ERR_NOMEM;
  }
  arena_release(&tree);
  diag_free(own);
  if (rc != 0) {
    arena_release(mem);
    free(mem);
    return rc;
  }
  *out = c.sc;
  return 0;
}

void scn_free(scn_scenario *sc) {
  if (!sc) return;
  arena *mem = sc->mem_; /* sc itself lives in mem */
  arena_release(mem);
  free(mem);
}

int scn_place_find(const scn_scenario *sc, const char *id) {
  for (size_t i = 0; i < sc->nplace; i++)
    if (strcmp(sc->place[i].id, id) == 0) return (int)i;
  return -1;
}

int scn_region_find(const scn_scenario *sc, const char *id) {
  for (size_t i = 0; i < sc->nregion; i++)
    if (strcmp(sc->region[i].id, id) == 0) return (int)i;
  return -1;
}

int scn_event_find(const scn_scenario *sc, const char *id) {
  for (size_t i = 0; i < sc->nevent; i++)
    if (strcmp(sc->event[i].id, id) == 0) return (int)i;
  return -1;
}

int scn_force_find(const scn_scenario *sc, const char *id) {
  for (size_t i = 0; i < sc->nforce; i++)
    if (strcmp(sc->force[i].id, id) == 0) return (int)i;
  return -1;
}
