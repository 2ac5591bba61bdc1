/* load_inspection.c - the `inspection:` section: zone, traffic streams, the AIS-style
 * CSV replay (tolerant of dirty rows, which it counts), vessels of interest, consent,
 * the UNSC gate, assets and mode durations (schema in docs/scenario.md). */
#include <ctype.h>
#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo_polygon.h"
#include "scn_inspection.h"
#include "scn_section.h"
#include "scn_plan.h"

#define REPLAY_MAX_BYTES ((size_t)256 << 20) /* one month of a busy zone fits easily */
#define REPLAY_MAX_FIELDS 64
#define INSP_MAX_NAMES 10000                 /* distinct classes or flags */

const char *scn_insp_rule_name(scn_insp_rule r) {
  static const char *const names[] = {
#define SCN__INSP_RULE_NAME(name, str) str,
      SCN_INSP_RULE_MAP(SCN__INSP_RULE_NAME)
#undef SCN__INSP_RULE_NAME
  };
  return (unsigned)r < SCN_INSP_RULE__COUNT ? names[r] : NULL;
}

const char *scn_insp_regime_name(scn_insp_regime r) {
  static const char *const names[] = {"consent", "interdiction"};
  return (unsigned)r < SCN_INSP_REGIME__COUNT ? names[r] : NULL;
}

double scn_insp_rule_lookup(const scn_insp_rule_p *rules, size_t n, int cls, int flag) {
  for (size_t i = 0; i < n; i++)
    if ((rules[i].cls < 0 || rules[i].cls == cls) && (rules[i].flag < 0 || rules[i].flag == flag))
      return rules[i].p;
  return 0;
}

const scn_insp_speed *scn_insp_speed_lookup(const scn_inspection *in, int cls) {
  for (size_t i = 0; i < in->nspeed; i++)
    if (in->speed[i].cls < 0 || in->speed[i].cls == cls) return &in->speed[i];
  return NULL;
}

/* ---- name tables: vessel classes and flags ------------------------------------------- */

typedef struct name_table {
  scn__map map;
  const char **name; /* in the scenario arena */
  size_t n, cap;
  int *used;         /* [cap]: named by a stream or a passage (not only by a rule) */
} name_table;

typedef struct insp_loader {
  scn__ctx *c;
  scn_inspection *in;
  name_table cls, flag;
} insp_loader;

/* Index of name in t, added if new; -1 on a cap or out of memory. */
static int name_index(insp_loader *L, name_table *t, const char *name, int used) {
  scn__ctx *c = L->c;
  size_t idx;
  if (scn__map_get(&t->map, name, &idx)) {
    t->used[idx] |= used;
    return (int)idx;
  }
  if (t->n >= INSP_MAX_NAMES) return -1;
  if (t->n == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 16;
    const char **grown = scn__alloc(c, c->tree, cap * sizeof *grown);
    int *u = scn__alloc(c, c->tree, cap * sizeof *u);
    if (!grown || !u) return -1;
    if (t->n) memcpy(grown, t->name, t->n * sizeof *grown), memcpy(u, t->used, t->n * sizeof *u);
    t->name = grown, t->used = u, t->cap = cap;
  }
  const char *copy = scn__strdup(c, c->mem, name, strlen(name));
  if (!copy || scn__map_put(c, &t->map, copy, t->n)) return -1;
  t->name[t->n] = copy;
  t->used[t->n] = used;
  return (int)t->n++;
}

static int read_name(insp_loader *L, name_table *t, const scn__node *v, const char *key,
                     int used) {
  const char *s;
  if (scn__text(L->c, v, key, &s)) return -1;
  return name_index(L, t, s, used);
}

/* ---- start, gate, basis ----------------------------------------------------------------- */

/* The index of the plan phase (or task) written at v, or -1 after a located error with
 * a suggestion, as the crisis section's multipliers do. */
static int plan_ref(scn__ctx *c, const scn__node *v, int phase) {
  const scn_plan *p = c->sc->plan;
  const char *what = phase ? "phase" : "task";
  size_t n = !p ? 0 : phase ? p->nphase : p->ntask;
  if (v->kind != SCN__SCALAR || scn__is_null(v)) {
    scn__error(c, v, "'%s' should be a plan %s id, got %s", what, what, scn__kind_phrase(v));
    return -1;
  }
  int i = phase ? scn_phase_find(p, v->str) : scn_task_find(p, v->str);
  if (i >= 0) return i;
  if (n == 0) {
    scn__error(c, v, "unknown %s id '%s': the scenario's plan has no %ss", what, v->str, what);
    return -1;
  }
  const char **names = scn__alloc(c, c->tree, n * sizeof *names);
  if (!names) return -1;
  for (size_t k = 0; k < n; k++) names[k] = phase ? p->phase[k].id : p->task[k].id;
  const char *hint = scn__suggest(v->str, names, n);
  if (hint)
    scn__error(c, v, "unknown %s id '%s' (did you mean '%s'?)", what, v->str, hint);
  else
    scn__error(c, v, "unknown %s id '%s'", what, v->str);
  return -1;
}

/* The activities an inspection can follow, and the regime each stands for: consent
 * inspection under the Ship Inspection Operations Act (Act No. 145 of 2000), compulsory
 * interdiction under the Maritime Transportation Restriction Act (Act No. 116 of 2004). */
static int task_regime(const char *activity) {
  if (activity && strcmp(activity, "ship_inspection") == 0) return SCN_INSP_REGIME_CONSENT;
  if (activity && strcmp(activity, "maritime_interdiction") == 0) return SCN_INSP_REGIME_INTERDICTION;
  return -1;
}

/* start: {task: ID}: a plan task whose activity is ship_inspection or
 * maritime_interdiction; the operation starts when the plan starts it and pauses while
 * it does not run. */
static void load_start_task(insp_loader *L, const scn__node *v) {
  scn__ctx *c = L->c;
  L->in->start_kind = SCN_INSP_START_TASK;
  int t = plan_ref(c, v, 0);
  if (t < 0) return;
  const char *act = c->sc->plan->task[t].activity.id;
  int rg = task_regime(act);
  if (rg < 0) {
    scn__error(c, v, "plan task '%s' has activity '%s'; an inspection can follow only a "
               "'ship_inspection' or 'maritime_interdiction' task", v->str, act ? act : "");
    return;
  }
  L->in->start_task = t;
  L->in->start_regime = (scn_insp_regime)rg;
}

/* interdiction: {task: ID}: the maritime_interdiction task that takes over from the
 * start's ship_inspection task: while it runs, teams act under the compulsory regime. */
static void load_interdiction(insp_loader *L, const scn__node *m) {
  static const char *const keys[] = {"task", NULL};
  scn__ctx *c = L->c;
  scn_inspection *in = L->in;
  if (!scn__expect_map(c, m, "interdiction")) return;
  scn__check_keys(c, m, "interdiction", keys);
  in->interdict_loc = scn__loc(m);
  const scn__node *v = scn__need(c, m, "task", "interdiction");
  if (!v) return;
  int t = plan_ref(c, v, 0);
  if (t < 0) return;
  const char *act = c->sc->plan->task[t].activity.id;
  if (task_regime(act) != SCN_INSP_REGIME_INTERDICTION) {
    scn__error(c, v, "plan task '%s' has activity '%s'; 'interdiction' takes a "
               "'maritime_interdiction' task", v->str, act ? act : "");
    return;
  }
  if (in->start_kind != SCN_INSP_START_TASK || in->start_task < 0) {
    if (in->start_kind != SCN_INSP_START_TASK)
      scn__error(c, m, "'interdiction' needs 'start: {task: ...}', a 'ship_inspection' task "
                 "it takes over from");
    return;
  }
  if (in->start_regime != SCN_INSP_REGIME_CONSENT) {
    scn__error(c, v, "'start' already follows the 'maritime_interdiction' task '%s'; "
               "'interdiction' takes over from a 'ship_inspection' task",
               c->sc->plan->task[in->start_task].id);
    return;
  }
  in->interdict_task = t;
}

static void load_start(insp_loader *L, const scn__node *m) {
  static const char *const keys[] = {"at", "after", "situation", "task", "delay", NULL};
  scn__ctx *c = L->c;
  scn_inspection *in = L->in;
  if (!scn__expect_map(c, m, "start")) return;
  scn__check_keys(c, m, "start", keys);
  in->start_loc = scn__loc(m);
  const scn__node *at = scn__get(m, "at"), *after = scn__get(m, "after"),
                  *sit = scn__get(m, "situation"), *task = scn__get(m, "task"), *v;
  if ((at != NULL) + (after != NULL) + (sit != NULL) + (task != NULL) != 1) {
    scn__error(c, m, "'start' takes exactly one of 'at', 'after', 'situation' or 'task'");
    return;
  }
  if (task) {
    load_start_task(L, task);
  } else if (at) {
    in->start_kind = SCN_INSP_START_AT;
    if (scn__quantity(c, at, "at", QTY_DURATION, &in->start_at) == 0 && in->start_at < 0)
      scn__error(c, at, "'at' must be at least 0, got '%s'", at->str);
  } else if (after) {
    in->start_kind = SCN_INSP_START_EVENT;
    in->start_event = scn__ids_resolve(c, &c->events, after);
  } else {
    const char *names[SCN_SIT__COUNT];
    for (int i = 0; i < SCN_SIT__COUNT; i++) names[i] = scn_situation_name((scn_situation)i);
    in->start_kind = SCN_INSP_START_SITUATION;
    scn__choice(c, sit, "situation", names, SCN_SIT__COUNT, &in->start_situation);
  }
  if ((v = scn__get(m, "delay"))) {
    in->start_delay_loc = scn__loc(v);
    scn__dist(c, v, "delay", QTY_DURATION, &in->start_delay);
  }
}

/* unsc_resolution: {gate: ID} or {event: ID}.  A gate of the plan's authorities table
 * (data/authorities.yaml) opens and closes with the `situations:` section's gate entries
 * (SIG_GATE_OPENED); the id is resolved by the model, which has the table.  Without a
 * plan, a crisis event stands for the Security Council's resolution (it never lapses). */
static void load_unsc(insp_loader *L, const scn__node *m) {
  static const char *const keys[] = {"event", "gate", NULL};
  scn__ctx *c = L->c;
  if (!scn__expect_map(c, m, "unsc_resolution")) return;
  scn__check_keys(c, m, "unsc_resolution", keys);
  const scn__node *ev = scn__get(m, "event"), *gate = scn__get(m, "gate");
  if ((ev != NULL) + (gate != NULL) != 1) {
    scn__error(c, m, "'unsc_resolution' takes exactly one of 'gate' or 'event'");
    return;
  }
  if (ev) {
    L->in->unsc_event = scn__ids_resolve(c, &c->events, ev);
  } else if (gate->kind != SCN__SCALAR || !*gate->str) {
    scn__error(c, gate, "'gate' must be a gate id of the authorities table");
  } else {
    L->in->unsc_gate = scn__strdup(c, c->mem, gate->str, gate->len);
    L->in->unsc_gate_loc = scn__loc(gate);
  }
}

/* ---- traffic ------------------------------------------------------------------------------ */

static double read_rate(scn__ctx *c, const scn__node *v) {
  double r = NAN;
  if (scn__quantity(c, v, "rate", QTY_FREQUENCY, &r) == 0 && r < 0) {
    scn__error(c, v, "'rate' must be at least 0, got '%s'", v->str);
    r = NAN;
  }
  return r;
}

static void load_change(insp_loader *L, const scn__node *m, scn_insp_change *ch) {
  static const char *const keys[] = {"at", "after", "rate", NULL};
  scn__ctx *c = L->c;
  *ch = (scn_insp_change){.at = 0, .event = -1, .rate = 0};
  if (!scn__expect_map(c, m, "change")) return;
  scn__check_keys(c, m, "rate change", keys);
  const scn__node *at = scn__get(m, "at"), *after = scn__get(m, "after"), *v;
  if ((at != NULL) == (after != NULL))
    scn__error(c, m, "a rate change takes one of 'at' or 'after'");
  else if (at && scn__quantity(c, at, "at", QTY_DURATION, &ch->at) == 0 && ch->at < 0)
    scn__error(c, at, "'at' must be at least 0, got '%s'", at->str);
  else if (after)
    ch->event = scn__ids_resolve(c, &c->events, after);
  if ((v = scn__need(c, m, "rate", "rate change"))) ch->rate = read_rate(c, v);
}

/* by_phase: {PHASE: RATE, ...}: the stream's rate while that phase of the plan is the
 * latest begun; phases not listed keep the stream's own rate and changes. */
static void load_by_phase(insp_loader *L, const scn__node *m, scn_insp_stream *s) {
  scn__ctx *c = L->c;
  const scn_plan *p = c->sc->plan;
  if (!scn__expect_map(c, m, "by_phase")) return;
  if (!p || !p->nphase) {
    scn__error(c, m, "'by_phase' needs the plan's phases, and the scenario's plan has none");
    return;
  }
  s->phase_rate = scn__alloc(c, c->mem, p->nphase * sizeof *s->phase_rate);
  if (!s->phase_rate) return;
  for (size_t i = 0; i < p->nphase; i++) s->phase_rate[i] = NAN;
  for (size_t i = 0; i < m->n; i++) {
    const scn__node *k = m->item[2 * i], *v = m->item[2 * i + 1];
    int ph = plan_ref(c, k, 1);
    double r = read_rate(c, v);
    if (ph >= 0 && !isnan(r)) s->phase_rate[ph] = r;
  }
  L->in->by_phase = 1;
}

static void load_stream(insp_loader *L, const scn__node *m, scn_insp_stream *s) {
  static const char *const keys[] = {"class", "flag", "rate", "changes", "by_phase", "course", NULL};
  scn__ctx *c = L->c;
  const scn__node *v;
  memset(s, 0, sizeof *s);
  s->course = dist_fixed(0);
  s->cls = s->flag = -1;
  if (!scn__expect_map(c, m, "traffic stream")) return;
  scn__check_keys(c, m, "traffic stream", keys);
  if ((v = scn__need(c, m, "class", "traffic stream"))) s->cls = read_name(L, &L->cls, v, "class", 1);
  if ((v = scn__need(c, m, "flag", "traffic stream"))) s->flag = read_name(L, &L->flag, v, "flag", 1);
  if ((v = scn__need(c, m, "rate", "traffic stream"))) s->rate = read_rate(c, v);
  if ((v = scn__get(m, "changes")) && scn__expect_seq(c, v, "changes")) {
    s->change = scn__alloc(c, c->mem, (v->n ? v->n : 1) * sizeof *s->change);
    if (!s->change) return;
    s->nchange = v->n;
    for (size_t i = 0; i < v->n; i++) load_change(L, v->item[i], &s->change[i]);
  }
  if ((v = scn__get(m, "by_phase"))) load_by_phase(L, v, s);
  s->course_loc = scn__loc(m);
  if ((v = scn__get(m, "course"))) {
    s->has_course = 1; /* a bad one is reported once, as bad */
    s->course_loc = scn__loc(v);
    scn__dist(c, v, "course", QTY_NUMBER, &s->course);
  }
}

static void load_traffic(insp_loader *L, const scn__node *list) {
  scn__ctx *c = L->c;
  if (!scn__expect_seq(c, list, "traffic")) return;
  L->in->stream = scn__alloc(c, c->mem, (list->n ? list->n : 1) * sizeof *L->in->stream);
  if (!L->in->stream) return;
  L->in->nstream = list->n;
  for (size_t i = 0; i < list->n; i++) load_stream(L, list->item[i], &L->in->stream[i]);
}

/* ---- rules: interest, consent ------------------------------------------------------------- */

static void load_rules(insp_loader *L, const scn__node *list, const char *key, int with_class,
                       scn_insp_rule_p **out, size_t *n) {
  static const char *const keys_cf[] = {"class", "flag", "p", NULL};
  static const char *const keys_f[] = {"flag", "p", NULL};
  scn__ctx *c = L->c;
  if (!scn__expect_seq(c, list, key)) return;
  *out = scn__alloc(c, c->mem, (list->n ? list->n : 1) * sizeof **out);
  if (!*out) return;
  *n = list->n;
  for (size_t i = 0; i < list->n; i++) {
    const scn__node *m = list->item[i], *v;
    scn_insp_rule_p *r = &(*out)[i];
    *r = (scn_insp_rule_p){-1, -1, 0};
    if (!scn__expect_map(c, m, key)) continue;
    scn__check_keys(c, m, with_class ? "interest rule" : "consent rule", with_class ? keys_cf : keys_f);
    if (with_class && (v = scn__get(m, "class"))) r->cls = read_name(L, &L->cls, v, "class", 0);
    if ((v = scn__get(m, "flag"))) r->flag = read_name(L, &L->flag, v, "flag", 0);
    if ((v = scn__need(c, m, "p", with_class ? "interest rule" : "consent rule")))
      scn__probability(c, v, "p", &r->p);
  }
}

/* A rule naming a class or flag that no stream or passage has never matches: likely a
 * typo, so say so. */
static void warn_unused(insp_loader *L, const scn__node *list, const scn_insp_rule_p *r, size_t n) {
  for (size_t i = 0; list && i < n; i++) {
    const scn__node *m = list->item[i];
    if (r[i].cls >= 0 && !L->cls.used[r[i].cls])
      scn__warning(L->c, scn__get(m, "class"), "class '%s' appears in no traffic stream or replayed passage",
                   L->cls.name[r[i].cls]);
    if (r[i].flag >= 0 && !L->flag.used[r[i].flag])
      scn__warning(L->c, scn__get(m, "flag"), "flag '%s' appears in no traffic stream or replayed passage",
                   L->flag.name[r[i].flag]);
  }
}

/* ---- the AIS-style replay ----------------------------------------------------------------- */

/* Days from 1970-01-01 (Howard Hinnant's days_from_civil). */
static long long days_from_civil(long long y, int m, int d) {
  y -= m <= 2;
  long long era = (y >= 0 ? y : y - 399) / 400;
  long long yoe = y - era * 400;
  long long doy = (153LL * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int digits(const char **s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++, (*s)++) {
    if (!isdigit((unsigned char)**s)) return 0;
    v = v * 10 + (**s - '0');
  }
  *out = v;
  return 1;
}

/* AIS feeds write "2027-04-01T03:15:00Z", "2027-04-01 03:15:00", with or without
 * seconds, fractions or the Z; all are UTC.  Seconds since 1970, or NaN. */
static double parse_time(const char *s) {
  int y, mo, d, h, mi, sec = 0;
  if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-' ||
      !digits(&s, 2, &d) || (*s != 'T' && *s != ' '))
    return NAN;
  s++;
  if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi)) return NAN;
  double frac = 0;
  if (*s == ':') {
    s++;
    if (!digits(&s, 2, &sec)) return NAN;
    if (*s == '.') {
      char *end;
      frac = strtod(s, &end);
      s = end;
    }
  }
  if (*s == 'Z') s++;
  if (*s || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return NAN;
  return (double)(days_from_civil(y, mo, d) * 86400LL + h * 3600 + mi * 60 + sec) + frac;
}

typedef struct ais_row {
  long long mmsi;
  double t, lat, lon, sog, cog; /* sog m/s, cog degrees; NaN when missing or bad */
  int cls, flag;
  size_t line; /* for order and out-of-order detection */
} ais_row;

static int row_cmp(const void *pa, const void *pb) {
  const ais_row *a = pa, *b = pb;
  if (a->mmsi != b->mmsi) return a->mmsi < b->mmsi ? -1 : 1;
  if (a->t != b->t) return a->t < b->t ? -1 : 1;
  return a->line < b->line ? -1 : a->line > b->line;
}

static int passage_cmp(const void *pa, const void *pb) {
  const scn_insp_passage *a = pa, *b = pb;
  if (a->t != b->t) return a->t < b->t ? -1 : 1;
  return a->mmsi < b->mmsi ? -1 : a->mmsi > b->mmsi;
}

static int in_polygon(const scn_region *r, double lat, double lon) {
  return geo_point_in_polygon(lat, lon, r->lat, r->lon, r->n);
}

/* ITU-R M.1371 ship-type codes by their tens digit; text is taken as written. */
static const char *class_of_type(const char *type, char *buf, size_t size) {
  char *end;
  long code = strtol(type, &end, 10);
  if (end != type && *end == '\0') {
    if (code == 30) return "fishing";
    if (code >= 60 && code <= 69) return "passenger";
    if (code >= 70 && code <= 79) return "cargo";
    if (code >= 80 && code <= 89) return "tanker";
    return "other";
  }
  size_t i = 0;
  for (; type[i] && i + 1 < size; i++) buf[i] = (char)tolower((unsigned char)type[i]);
  buf[i] = '\0';
  return buf;
}

enum { COL_MMSI, COL_TIME, COL_LAT, COL_LON, COL_SOG, COL_COG, COL_TYPE, COL_FLAG, COL__N };

static int column_of(const char *name) {
  static const struct { const char *name; int col; } names[] = {
      {"mmsi", COL_MMSI}, {"time", COL_TIME}, {"timestamp", COL_TIME},
      {"basedatetime", COL_TIME}, {"lat", COL_LAT}, {"latitude", COL_LAT},
      {"lon", COL_LON}, {"longitude", COL_LON}, {"sog", COL_SOG}, {"cog", COL_COG},
      {"type", COL_TYPE}, {"vesseltype", COL_TYPE}, {"shiptype", COL_TYPE},
      {"flag", COL_FLAG}};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    const char *a = name, *b = names[i].name;
    while (*a && tolower((unsigned char)*a) == *b) a++, b++;
    if (!*a && !*b) return names[i].col;
  }
  return -1;
}

static char *read_whole(const char *path, size_t *len, int *too_big, const char **kind) {
  FILE *f = scn__open_regular(path, kind, NULL); /* never a FIFO that blocks */
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap + 1);
  while (buf) {
    if (n == cap) {
      if (cap >= REPLAY_MAX_BYTES) {
        *too_big = 1;
        free(buf);
        buf = NULL;
        break;
      }
      char *grown = realloc(buf, 2 * cap + 1);
      if (!grown) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = grown, cap *= 2;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  fclose(f);
  if (buf) buf[n] = '\0', *len = n;
  return buf;
}

static void hash_text(scn__ctx *c, const char *p, size_t n) {
  scn__hash_input(c, p, n); /* the same SHA-256 as every other file read */
}

/* The rows as libcsv hands them over (RFC 4180: quoted fields may hold commas,
 * quotes and newlines), gathered field by field into one buffer per record. */
typedef struct replay_parse {
  insp_loader *L;
  const scn__node *at;
  char *buf;                       /* the record's fields, each NUL-terminated */
  size_t len, cap;
  size_t off[REPLAY_MAX_FIELDS];   /* where each field starts in buf */
  size_t nf, record;               /* fields so far; records so far (the header is 1) */
  int col[COL__N];
  ais_row *rows;
  size_t n, cap_rows;
  int failed;                      /* an error was reported, or memory ran out */
} replay_parse;

static void field_done(void *s, size_t len, void *data) {
  replay_parse *P = data;
  if (P->failed) return;
  if (P->len + len + 1 > P->cap) {
    size_t cap = P->cap ? P->cap : 256;
    while (cap < P->len + len + 1) cap *= 2;
    char *grown = realloc(P->buf, cap);
    if (!grown) {
      P->L->c->nomem = 1, P->failed = 1;
      return;
    }
    P->buf = grown, P->cap = cap;
  }
  if (P->nf < REPLAY_MAX_FIELDS) P->off[P->nf++] = P->len;
  else return; /* columns past the last one read are never looked at */
  if (len) memcpy(P->buf + P->len, s, len);
  P->len += len;
  P->buf[P->len++] = '\0';
}

static const char *field_at(const replay_parse *P, int col) {
  return col >= 0 && (size_t)col < P->nf ? P->buf + P->off[col] : "";
}

/* The header record: which column is which (docs/scenario.md, "The replay CSV"). */
static void take_header(replay_parse *P) {
  for (size_t i = 0; i < P->nf; i++) {
    int k = column_of(field_at(P, (int)i));
    if (k >= 0 && P->col[k] < 0) P->col[k] = (int)i;
  }
  static const char *const need[] = {"mmsi", "time", "lat", "lon"};
  for (int k = 0; k < 4; k++)
    if (P->col[k] < 0) {
      scn__error(P->L->c, P->at, "replay '%s' has no '%s' column in its header line",
                 P->at->str, need[k]);
      P->failed = 1;
      return;
    }
}

static void take_row(replay_parse *P) {
  insp_loader *L = P->L;
  scn__ctx *c = L->c;
  scn_insp_replay_stats *st = &L->in->replay;
  st->rows++;
  const char *f[COL__N];
  for (int k = 0; k < COL__N; k++) f[k] = field_at(P, P->col[k]);
  char *end;
  ais_row r = {.line = P->record};
  errno = 0;
  r.mmsi = strtoll(f[COL_MMSI], &end, 10);
  int bad = errno || end == f[COL_MMSI] || *end || r.mmsi <= 0 || r.mmsi > 999999999;
  r.t = parse_time(f[COL_TIME]);
  r.lat = strtod(f[COL_LAT], &end);
  bad |= end == f[COL_LAT] || *end || !(r.lat >= -90 && r.lat <= 90);
  r.lon = strtod(f[COL_LON], &end);
  bad |= end == f[COL_LON] || *end || !(r.lon >= -180 && r.lon <= 180);
  if (bad || isnan(r.t)) {
    st->malformed++;
    return;
  }
  r.sog = r.cog = NAN;
  double x = strtod(f[COL_SOG], &end);
  if (end != f[COL_SOG] && !*end && x >= 0 && x < 102.3) r.sog = x * 1852.0 / 3600; /* knots */
  x = strtod(f[COL_COG], &end);
  if (end != f[COL_COG] && !*end && x >= 0 && x < 360) r.cog = x; /* 360: not available */
  r.t -= (double)c->sc->epoch_unix;
  if (r.t < 0 || r.t > c->sc->horizon) {
    st->outside_time++;
    return;
  }
  char buf[64];
  if (!*f[COL_TYPE]) st->no_type++;
  r.cls = name_index(L, &L->cls, *f[COL_TYPE] ? class_of_type(f[COL_TYPE], buf, sizeof buf) : "unknown", 1);
  if (!*f[COL_FLAG]) st->no_flag++;
  buf[0] = '\0';
  for (size_t i = 0; f[COL_FLAG][i] && i + 1 < sizeof buf; i++)
    buf[i] = (char)toupper((unsigned char)f[COL_FLAG][i]), buf[i + 1] = '\0';
  r.flag = name_index(L, &L->flag, *f[COL_FLAG] ? buf : "unknown", 1);
  if (r.cls < 0 || r.flag < 0) {
    scn__error(c, P->at, "replay '%s': more than %d vessel classes or flags", P->at->str, INSP_MAX_NAMES);
    P->failed = 1;
    return;
  }
  if (P->n == P->cap_rows) {
    size_t cap = P->cap_rows ? 2 * P->cap_rows : 1024;
    ais_row *grown = realloc(P->rows, cap * sizeof *grown);
    if (!grown) {
      c->nomem = 1, P->failed = 1;
      return;
    }
    P->rows = grown, P->cap_rows = cap;
  }
  P->rows[P->n++] = r;
}

static void record_done(int terminator, void *data) {
  replay_parse *P = data;
  (void)terminator;
  if (!P->failed) {
    P->record++;
    if (P->nf == 0 || (P->nf == 1 && !P->buf[P->off[0]])) P->record--; /* a line of blanks */
    else if (P->col[COL_MMSI] < 0 && P->record == 1) take_header(P);
    else take_row(P);
  }
  P->nf = 0, P->len = 0;
}

/* Parse the rows.  Returns the number kept in *rows (malloc'd), or -1 (reported). */
static long parse_rows(insp_loader *L, const scn__node *at, const char *text, size_t len,
                       ais_row **rows) {
  replay_parse P = {.L = L, .at = at};
  for (int k = 0; k < COL__N; k++) P.col[k] = -1;
  *rows = NULL;
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) text += 3, len -= 3; /* a BOM */
  struct csv_parser p;
  if (csv_init(&p, 0)) {
    L->c->nomem = 1;
    return -1;
  }
  /* Blanks around a field are trimmed (libcsv's default: spaces and tabs). */
  if (csv_parse(&p, text, len, field_done, record_done, &P) != len && !P.failed) {
    scn__error(L->c, at, "replay '%s' is not valid CSV near record %zu: %s", at->str,
               P.record + 1, csv_strerror(csv_error(&p)));
    P.failed = 1;
  }
  csv_fini(&p, field_done, record_done, &P);
  csv_free(&p);
  free(P.buf);
  if (!P.failed && P.col[COL_MMSI] < 0) {
    scn__error(L->c, at, "replay '%s' is empty: it needs a header line 'mmsi,time,lat,lon,...'", at->str);
    P.failed = 1;
  }
  if (P.failed) {
    free(P.rows);
    return -1;
  }
  *rows = P.rows;
  return (long)P.n;
}

/* Sorted rows -> passages through the zone.  Drops duplicates, counts rows that came
 * out of order (a row of the same MMSI with a later time appeared before them). */
static void build_passages(insp_loader *L, ais_row *row, size_t n) {
  scn__ctx *c = L->c;
  scn_inspection *in = L->in;
  const scn_region *zone = &c->sc->region[in->zone];
  scn_insp_replay_stats *st = &in->replay;
  scn_insp_passage *p = scn__alloc(c, c->mem, (n ? n : 1) * sizeof *p);
  if (!p) return;
  size_t np = 0;
  for (size_t g = 0; g < n;) {
    size_t e = g;
    while (e < n && row[e].mmsi == row[g].mmsi) e++;
    size_t min_line = (size_t)-1;
    for (size_t i = e; i-- > g;) { /* backwards: is a later-time row earlier in the file? */
      if (i + 1 < e && row[i + 1].t == row[i].t) continue;
      if (min_line < row[i].line) st->out_of_order++;
      if (row[i].line < min_line) min_line = row[i].line;
    }
    int inside = 0;
    scn_insp_passage *cur = NULL;
    for (size_t i = g; i < e; i++) {
      if (i > g && row[i].t == row[i - 1].t) {
        st->duplicates++;
        continue;
      }
      st->used++;
      int now_in = in_polygon(zone, row[i].lat, row[i].lon);
      if (now_in && !inside) {
        cur = &p[np++];
        *cur = (scn_insp_passage){row[i].t, NAN, row[i].lat, row[i].lon, row[i].sog, row[i].cog,
                                  row[i].cls, row[i].flag, row[i].mmsi};
      } else if (!now_in && inside) {
        cur->dwell = row[i].t - cur->t;
      }
      inside = now_in;
    }
    g = e;
  }
  qsort(p, np, sizeof *p, passage_cmp);
  in->passage = p;
  in->npassage = np;
}

static void resolve_path(char *out, size_t size, const scn__node *at) {
  const char *slash = at->file ? strrchr(at->file, '/') : NULL;
  if (at->str[0] == '/' || !slash || strcmp(at->file, "--set") == 0)
    snprintf(out, size, "%s", at->str);
  else
    snprintf(out, size, "%.*s/%s", (int)(slash - at->file), at->file, at->str);
}

static void load_replay(insp_loader *L, const scn__node *v) {
  scn__ctx *c = L->c;
  scn_inspection *in = L->in;
  char path[4096];
  if (!v || v->kind != SCN__SCALAR || scn__is_null(v)) {
    scn__error(c, v, "'replay' should be a path to a CSV file, got %s", scn__kind_phrase(v));
    return;
  }
  if (in->zone < 0 || !c->sc->epoch) return; /* reported elsewhere */
  resolve_path(path, sizeof path, v);
  size_t len = 0;
  int too_big = 0;
  const char *kind = NULL;
  char *text = read_whole(path, &len, &too_big, &kind);
  if (!text) {
    if (kind)
      scn__error(c, v, "replay '%s' is %s, not a regular file", v->str, kind);
    else if (too_big)
      scn__error(c, v, "replay '%s' is larger than the limit of %zu bytes", v->str, REPLAY_MAX_BYTES);
    else {
      char why[128]; /* messages are lower case: "no such file or directory" */
      snprintf(why, sizeof why, "%s", strerror(errno));
      why[0] = (char)tolower((unsigned char)why[0]);
      scn__error(c, v, "cannot read replay '%s': %s", v->str, why);
    }
    return;
  }
  hash_text(c, text, len);
  in->replay_path = scn__strdup(c, c->mem, path, strlen(path));
  ais_row *row = NULL;
  long n = parse_rows(L, v, text, len, &row);
  free(text);
  if (n < 0) return;
  qsort(row, (size_t)n, sizeof *row, row_cmp);
  build_passages(L, row, (size_t)n);
  free(row);
  const scn_insp_replay_stats *st = &in->replay;
  size_t skipped = st->malformed + st->duplicates + st->outside_time;
  if (skipped || st->out_of_order || st->no_flag || st->no_type)
    scn__warning(c, v,
                 "replay '%s': %zu rows, %zu used, %zu passages; skipped %zu malformed, %zu "
                 "duplicate, %zu outside the horizon; sorted %zu out of order; %zu without a "
                 "flag, %zu without a type",
                 v->str, st->rows, st->used, in->npassage, st->malformed, st->duplicates,
                 st->outside_time, st->out_of_order, st->no_flag, st->no_type);
}

/* ---- assets, modes, find ------------------------------------------------------------------ */

static void load_asset(insp_loader *L, const scn__node *m, scn_insp_asset *a) {
  static const char *const keys[] = {"force", "count", "teams", "speed", "endurance", "refit", NULL};
  scn__ctx *c = L->c;
  const scn__node *v;
  long long x;
  *a = (scn_insp_asset){.force = -1, .count = 1, .teams = 1, .speed = NAN,
                        .endurance = INFINITY, .refit = dist_fixed(0)};
  if (!scn__expect_map(c, m, "asset")) return;
  scn__check_keys(c, m, "inspection asset", keys);
  a->force = scn__force_asset(c, m, "inspection asset", &a->count, &a->speed, &a->endurance);
  if (a->force < 0) return;
  if ((v = scn__get(m, "teams")) && scn__integer(c, v, "teams", 1, 100, &x) == 0) a->teams = (int)x;
  if ((v = scn__get(m, "speed")) && scn__quantity(c, v, "speed", QTY_SPEED, &a->speed) == 0 &&
      !(a->speed > 0))
    scn__error(c, v, "'speed' must be greater than 0, got '%s'", v->str);
  else if (!v && !(a->speed > 0))
    scn__error(c, m, "inspection asset '%s' needs a transit speed: give 'speed' here or in the force",
               c->sc->force[a->force].id);
  if ((v = scn__get(m, "endurance")) &&
      scn__quantity(c, v, "endurance", QTY_DURATION, &a->endurance) == 0 && !(a->endurance > 0))
    scn__error(c, v, "'endurance' must be greater than 0, got '%s'", v->str);
  a->refit_loc = scn__loc(m);
  if ((v = scn__get(m, "refit"))) {
    a->refit_loc = scn__loc(v);
    scn__dist(c, v, "refit", QTY_DURATION, &a->refit);
  }
}

static void load_assets(insp_loader *L, const scn__node *list) {
  scn__ctx *c = L->c;
  if (!scn__expect_seq(c, list, "assets")) return;
  if (list->n == 0) scn__error(c, list, "'assets' needs at least one asset");
  L->in->asset = scn__alloc(c, c->mem, (list->n ? list->n : 1) * sizeof *L->in->asset);
  if (!L->in->asset) return;
  L->in->nasset = list->n;
  for (size_t i = 0; i < list->n; i++) load_asset(L, list->item[i], &L->in->asset[i]);
}

static void load_modes(insp_loader *L, const scn__node *m) {
  static const char *const keys[] = {"hail", "board", "divert", NULL};
  scn__ctx *c = L->c;
  const scn__node *v;
  if (!scn__expect_map(c, m, "modes")) return;
  scn__check_keys(c, m, "modes", keys);
  scn_inspection *in = L->in;
  in->hail_loc = in->board_loc = in->divert_loc = scn__loc(m);
  if ((v = scn__get(m, "hail"))) {
    in->hail_loc = scn__loc(v);
    scn__dist(c, v, "hail", QTY_DURATION, &in->hail);
  }
  if ((v = scn__need(c, m, "board", "modes"))) {
    in->board_loc = scn__loc(v);
    scn__dist(c, v, "board", QTY_DURATION, &in->board);
  }
  if ((v = scn__get(m, "divert"))) {
    in->divert_loc = scn__loc(v);
    scn__dist(c, v, "divert", QTY_DURATION, &in->divert);
  }
}

static void load_find(insp_loader *L, const scn__node *m) {
  static const char *const keys[] = {"interest", "other", NULL};
  scn__ctx *c = L->c;
  const scn__node *v;
  if (!scn__expect_map(c, m, "find")) return;
  scn__check_keys(c, m, "find", keys);
  if ((v = scn__get(m, "interest"))) scn__probability(c, v, "interest", &L->in->find_interest);
  if ((v = scn__get(m, "other"))) scn__probability(c, v, "other", &L->in->find_other);
}

/* speeds: [{class?, speed}]: a ship's speed through the zone (tracks) and on a
 * diversion leg, first matching rule. */
static void load_speeds(insp_loader *L, const scn__node *list) {
  static const char *const keys[] = {"class", "speed", NULL};
  scn__ctx *c = L->c;
  scn_inspection *in = L->in;
  if (!scn__expect_seq(c, list, "speeds")) return;
  in->speed = scn__alloc(c, c->mem, (list->n ? list->n : 1) * sizeof *in->speed);
  if (!in->speed) return;
  in->nspeed = list->n;
  for (size_t i = 0; i < list->n; i++) {
    const scn__node *m = list->item[i], *v;
    scn_insp_speed *r = &in->speed[i];
    *r = (scn_insp_speed){-1, dist_fixed(0), scn__loc(m)};
    if (!scn__expect_map(c, m, "speeds")) continue;
    scn__check_keys(c, m, "speed rule", keys);
    if ((v = scn__get(m, "class"))) r->cls = read_name(L, &L->cls, v, "class", 0);
    if ((v = scn__get(m, "speed"))) r->loc = scn__loc(v);
    if ((v = scn__need(c, m, "speed", "speed rule")) &&
        scn__dist(c, v, "speed", QTY_SPEED, &r->speed) == 0 && !(dist_mean(&r->speed) > 0))
      scn__error(c, v, "'speed' must be greater than 0");
  }
}

static void load_diversion(insp_loader *L, const scn__node *m) {
  static const char *const keys[] = {"ports", "escort", NULL};
  static const char *const escorts[] = {"none", "asset"};
  scn__ctx *c = L->c;
  scn_inspection *in = L->in;
  const scn__node *v;
  int x;
  if (!scn__expect_map(c, m, "diversion")) return;
  scn__check_keys(c, m, "diversion", keys);
  if ((v = scn__need(c, m, "ports", "diversion")) && scn__expect_seq(c, v, "ports")) {
    if (v->n == 0) scn__error(c, v, "'ports' needs at least one place");
    in->port = scn__alloc(c, c->mem, (v->n ? v->n : 1) * sizeof *in->port);
    in->port_loc = scn__alloc(c, c->mem, (v->n ? v->n : 1) * sizeof *in->port_loc);
    if (!in->port || !in->port_loc) return;
    in->nport = v->n;
    for (size_t i = 0; i < v->n; i++) {
      in->port_loc[i] = scn__loc(v->item[i]);
      in->port[i] = scn__ids_resolve(c, &c->places, v->item[i]);
      const scn_place *pl = in->port[i] >= 0 ? &c->sc->place[in->port[i]] : NULL;
      if (pl && (!pl->kind || strcmp(pl->kind, "port") != 0))
        scn__warning(c, v->item[i], "diversion port '%s' is a place of kind '%s', not 'port'",
                     pl->id, pl->kind ? pl->kind : "");
    }
  }
  if ((v = scn__get(m, "escort")) && scn__choice(c, v, "escort", escorts, 2, &x) == 0)
    in->escort = (scn_insp_escort)x;
}

/* Following a plan task, the inspection's assets should be the task's: the plan
 * checks and reserves the task's, the inspection simulates its own.  A force the task
 * lacks, or more units than it assigns, is worth a warning. */
static void check_one_task(insp_loader *L, const scn__node *assets, int task) {
  const scn_inspection *in = L->in;
  const scn_task *t = &L->c->sc->plan->task[task];
  for (size_t i = 0; i < in->nasset && i < assets->n; i++) {
    const scn_insp_asset *a = &in->asset[i];
    if (a->force < 0) continue;
    int planned = 0;
    for (size_t k = 0; k < t->nasset; k++)
      if (t->asset[k].force == a->force) planned += t->asset[k].count;
    if (a->count > planned)
      scn__warning(L->c, assets->item[i],
                   "inspection asset '%s' has %d units, but task '%s' of the plan assigns %d",
                   L->c->sc->force[a->force].id, a->count, t->id, planned);
  }
}

static void check_task_assets(insp_loader *L, const scn__node *assets) {
  const scn_inspection *in = L->in;
  if (in->start_kind != SCN_INSP_START_TASK || in->start_task < 0 || !assets) return;
  check_one_task(L, assets, in->start_task);
  if (in->interdict_task >= 0) check_one_task(L, assets, in->interdict_task);
}

/* Every class ships come in must have a speed when tracks or diversion legs need one. */
static void check_speeds(insp_loader *L, const scn__node *why, const char *what) {
  for (size_t k = 0; k < L->cls.n; k++)
    if (L->cls.used[k] && !scn_insp_speed_lookup(L->in, (int)k)) {
      scn__error(L->c, why, "%s needs a speed for vessel class '%s': add a 'speeds' rule "
                 "matching it (e.g. {speed: 12kn} for every class)", what, L->cls.name[k]);
      return;
    }
}

/* ---- the zone --------------------------------------------------------------------------- */

/* The zone must be a region of its own kind, kept apart from other nations' zones
 * (e.g. a quarantine zone, kind combat_area): a vertex of either inside the other is
 * reported, since the act does not apply where combat is under way. */
static void load_zone(insp_loader *L, const scn__node *v) {
  scn__ctx *c = L->c;
  const scn_scenario *sc = c->sc;
  if ((L->in->zone = scn__ids_resolve(c, &c->regions, v)) < 0) return;
  const scn_region *z = &sc->region[L->in->zone];
  if (!z->kind || strcmp(z->kind, "inspection_zone") != 0) {
    scn__error(c, v, "region '%s' is of kind '%s'; an inspection zone must be of kind 'inspection_zone'",
               z->id, z->kind ? z->kind : "");
    return;
  }
  for (size_t r = 0; r < sc->nregion; r++) {
    const scn_region *o = &sc->region[r];
    if ((int)r == L->in->zone || !o->kind || strcmp(o->kind, "combat_area") != 0) continue;
    if (geo_polygons_overlap(z->lat, z->lon, z->n, o->lat, o->lon, o->n))
      scn__warning(c, v, "inspection zone '%s' overlaps combat area '%s'", z->id, o->id);
  }
}

/* ---- the section -------------------------------------------------------------------------- */

static void finish_names(insp_loader *L) {
  scn__ctx *c = L->c;
  scn_inspection *in = L->in;
  in->nclass = L->cls.n, in->nflag = L->flag.n;
  in->class_name = scn__alloc(c, c->mem, (L->cls.n ? L->cls.n : 1) * sizeof *in->class_name);
  in->flag_name = scn__alloc(c, c->mem, (L->flag.n ? L->flag.n : 1) * sizeof *in->flag_name);
  if (!in->class_name || !in->flag_name) return;
  if (L->cls.n) memcpy(in->class_name, L->cls.name, L->cls.n * sizeof *in->class_name);
  if (L->flag.n) memcpy(in->flag_name, L->flag.name, L->flag.n * sizeof *in->flag_name);
}

static void *load_section(scn__ctx *c, const scn__node *m) {
  static const char *const keys[] = {"zone", "start", "unsc_resolution", "legal_basis", "rule",
                                     "warmup", "crossing", "traffic", "replay", "interest",
                                     "consent", "master_consent", "board_others", "find", "modes", "assets",
                                     "motion", "speeds", "diversion", "interdiction", "regime",
                                     "comply", NULL};
  static const char *const motions[] = {"stationary", "tracks"};
  static const char *const bases[] = {"consent_or_unsc", "unsc_only"};
  static const char *const regimes[] = {"consent", "interdiction"};
  const char *rules[SCN_INSP_RULE__COUNT];
  for (int i = 0; i < SCN_INSP_RULE__COUNT; i++) rules[i] = scn_insp_rule_name((scn_insp_rule)i);
  if (!scn__expect_map(c, m, "inspection")) return NULL;
  scn__check_keys(c, m, "inspection", keys);
  scn_inspection *in = scn__alloc(c, c->mem, sizeof *in);
  if (!in) return NULL;
  *in = (scn_inspection){.zone = -1, .start_kind = SCN_INSP_START_AT, .start_event = -1,
                         .start_situation = -1, .start_task = -1, .interdict_task = -1,
                         .start_loc = scn__loc(m), .start_delay = dist_fixed(0), .unsc_event = -1,
                         .unsc_gate = NULL, .rule = SCN_INSP_INTEREST_FIRST,
                         .crossing_infinite = 1, .master_consent = 1, .comply = 1, .board_others = 0, .hail = dist_fixed(0),
                         .board = dist_fixed(0), .divert = dist_fixed(0)};
  in->hail_loc = in->board_loc = in->divert_loc = in->crossing_loc = scn__loc(m);
  in->start_delay_loc = scn__loc(m);
  insp_loader L;
  memset(&L, 0, sizeof L);
  L.c = c, L.in = in;
  const scn__node *v;
  int x;
  if ((v = scn__need(c, m, "zone", "inspection"))) load_zone(&L, v);
  if ((v = scn__get(m, "start"))) load_start(&L, v);
  if ((v = scn__get(m, "interdiction"))) load_interdiction(&L, v);
  if ((v = scn__get(m, "regime"))) {
    if (in->start_kind == SCN_INSP_START_TASK)
      scn__error(c, v, "'regime' is for an operation that follows no plan task; here the "
                 "regime follows the tasks' activities (ship_inspection: consent, "
                 "maritime_interdiction: interdiction)");
    else if (scn__choice(c, v, "regime", regimes, 2, &x) == 0)
      in->regime = (scn_insp_regime)x;
  }
  if ((v = scn__get(m, "unsc_resolution"))) load_unsc(&L, v);
  if ((v = scn__get(m, "legal_basis")) && scn__choice(c, v, "legal_basis", bases, 2, &x) == 0)
    in->basis = (scn_insp_basis)x;
  if (in->basis == SCN_INSP_UNSC_ONLY && in->unsc_event < 0 && !in->unsc_gate && v)
    scn__warning(c, v, "legal basis 'unsc_only' without 'unsc_resolution': the operation never runs");
  if ((v = scn__get(m, "rule")) && scn__choice(c, v, "rule", rules, SCN_INSP_RULE__COUNT, &x) == 0)
    in->rule = (scn_insp_rule)x;
  if ((v = scn__get(m, "warmup"))) scn__quantity(c, v, "warmup", QTY_DURATION, &in->warmup);
  const scn__node *motion = scn__get(m, "motion");
  if (motion && scn__choice(c, motion, "motion", motions, 2, &x) == 0)
    in->motion = (scn_insp_motion)x;
  in->crossing_loc = scn__loc(m);
  if ((v = scn__get(m, "crossing"))) in->crossing_loc = scn__loc(v);
  if (in->motion == SCN_INSP_TRACKS && !scn__get(m, "crossing"))
    in->crossing_infinite = 1; /* the geometry alone says when a ship leaves */
  else if ((v = scn__need(c, m, "crossing", "inspection"))) {
    if (v->kind == SCN__SCALAR && strcmp(v->str, "never") == 0)
      in->crossing_infinite = 1;
    else if (scn__dist(c, v, "crossing", QTY_DURATION, &in->crossing) == 0)
      in->crossing_infinite = 0;
  }
  const scn__node *traffic = scn__get(m, "traffic"), *replay = scn__get(m, "replay");
  if (traffic) load_traffic(&L, traffic);
  if (replay) load_replay(&L, replay);
  if (!traffic && !replay) scn__error(c, m, "inspection needs 'traffic', 'replay' or both");
  const scn__node *interest = scn__get(m, "interest"), *consent = scn__get(m, "consent");
  if (interest) load_rules(&L, interest, "interest", 1, &in->interest, &in->ninterest);
  if (consent) load_rules(&L, consent, "consent", 0, &in->consent, &in->nconsent);
  warn_unused(&L, interest, in->interest, in->ninterest);
  warn_unused(&L, consent, in->consent, in->nconsent);
  if ((v = scn__get(m, "master_consent")))
    scn__probability(c, v, "master_consent", &in->master_consent);
  if ((v = scn__get(m, "comply"))) scn__probability(c, v, "comply", &in->comply);
  if ((v = scn__get(m, "board_others"))) scn__probability(c, v, "board_others", &in->board_others);
  if ((v = scn__get(m, "find"))) load_find(&L, v);
  if ((v = scn__need(c, m, "modes", "inspection"))) load_modes(&L, v);
  if ((v = scn__need(c, m, "assets", "inspection")) && v->kind == SCN__SEQ) {
    load_assets(&L, v);
    check_task_assets(&L, v);
  } else if (v) {
    load_assets(&L, v);
  }
  if ((v = scn__get(m, "speeds"))) load_speeds(&L, v);
  const scn__node *diversion = scn__get(m, "diversion");
  if (diversion) load_diversion(&L, diversion);
  if (in->motion == SCN_INSP_TRACKS) {
    check_speeds(&L, motion, "'motion: tracks'");
    for (size_t i = 0; traffic && i < in->nstream; i++)
      if (!in->stream[i].has_course)
        scn__error(c, traffic->item[i], "with 'motion: tracks' a traffic stream needs a 'course' "
                   "(degrees true, a number or a distribution)");
  }
  if (in->nport) check_speeds(&L, diversion, "'diversion'");
  in->nphase = c->sc->plan ? c->sc->plan->nphase : 0;
  finish_names(&L);
  return in;
}

/* The zone's vertices: the theater box. */
static void extent(const void *section, const scn_scenario *sc, double box[4]) {
  const scn_inspection *in = section;
  if (in->zone < 0 || (size_t)in->zone >= sc->nregion) return;
  const scn_region *z = &sc->region[in->zone];
  for (size_t k = 0; k < z->n; k++) {
    box[0] = fmin(box[0], z->lat[k]), box[1] = fmax(box[1], z->lat[k]);
    box[2] = fmin(box[2], z->lon[k]), box[3] = fmax(box[3], z->lon[k]);
  }
}

const scn_section insp_section = {"inspection", load_section, extent};
