/* authorities.c - read and validate data/authorities.yaml (docs/authorities.md): the
 * situations, activities, areas, gates and rules, each problem reported at its
 * file:line:col.  The table is small and trusted more than a scenario, but it is still
 * input: every field is checked, and sizes are capped. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "err.h"
#include "hash.h"
#include "file.h"
#include "plan_internal.h"

typedef struct tab {
  plan_authorities *a;
  yaml_document_t *doc;
  diag *d;
  int nomem;
} tab;

/* ---- reporting and nodes --------------------------------------------------------------- */

static scn_loc loc_of(const tab *t, const yaml_node_t *n) {
  scn_loc l = {t->a->path, n ? (int)n->start_mark.line + 1 : 0, n ? (int)n->start_mark.column + 1 : 0};
  return l;
}

static void error(tab *t, const yaml_node_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void error(tab *t, const yaml_node_t *at, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  scn_loc l = loc_of(t, at);
  diag_report(t->d, DIAG_ERROR, l.file, l.line, l.col, "%s", msg);
}

static yaml_node_t *node(tab *t, int id) { return yaml_document_get_node(t->doc, id); }

static const char *scalar_of(const yaml_node_t *n) {
  return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static const char *phrase(const yaml_node_t *n) {
  if (!n) return "nothing";
  if (n->type == YAML_SEQUENCE_NODE) return "a list";
  if (n->type == YAML_MAPPING_NODE) return "a mapping";
  return "a single value";
}

static yaml_node_t *get(tab *t, const yaml_node_t *map, const char *key) {
  if (!map || map->type != YAML_MAPPING_NODE) return NULL;
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    const char *k = scalar_of(node(t, p->key));
    if (k && strcmp(k, key) == 0) return node(t, p->value);
  }
  return NULL;
}

static yaml_node_t *need(tab *t, const yaml_node_t *map, const char *key, const char *what) {
  yaml_node_t *v = get(t, map, key);
  if (!v) error(t, map, "missing required key '%s' in %s", key, what);
  return v;
}

static void check_keys(tab *t, const yaml_node_t *map, const char *what,
                       const char *const *allowed) {
  size_t n = 0;
  while (allowed[n]) n++;
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = node(t, p->key);
    const char *s = scalar_of(k);
    if (!s) {
      error(t, k, "keys in %s should be names, got %s", what, phrase(k));
      continue;
    }
    size_t i = 0;
    while (i < n && strcmp(s, allowed[i]) != 0) i++;
    if (i < n) continue;
    const char *hint = diag_suggest(s, allowed, n);
    if (hint)
      error(t, k, "unknown key '%s' in %s (did you mean '%s'?)", s, what, hint);
    else
      error(t, k, "unknown key '%s' in %s", s, what);
  }
}

static char *dup(tab *t, const char *s) {
  char *c = arena_strdup(&t->a->mem, s);
  if (!c) t->nomem = 1;
  return c;
}

/* A non-empty text. */
static const char *text(tab *t, const yaml_node_t *n, const char *key) {
  const char *s = scalar_of(n);
  if (!s) {
    error(t, n, "'%s' should be text, got %s", key, phrase(n));
    return NULL;
  }
  if (!*s) {
    error(t, n, "'%s' must not be empty", key);
    return NULL;
  }
  return dup(t, s);
}

static const char *optional_text(tab *t, const yaml_node_t *map, const char *key) {
  yaml_node_t *v = get(t, map, key);
  return v ? text(t, v, key) : "";
}

static int boolean(tab *t, const yaml_node_t *n, const char *key, int *out) {
  const char *s = scalar_of(n);
  if (s && (!strcmp(s, "true") || !strcmp(s, "false"))) {
    *out = s[0] == 't';
    return 0;
  }
  error(t, n, "'%s' should be true or false, got %s%s%s", key, s ? "'" : "", s ? s : phrase(n),
        s ? "'" : "");
  return -1;
}

static int choice(tab *t, const yaml_node_t *n, const char *key, const char *const *names,
                  size_t count) {
  const char *s = scalar_of(n);
  if (!s) {
    error(t, n, "'%s' should be a name, got %s", key, phrase(n));
    return -1;
  }
  for (size_t i = 0; i < count; i++)
    if (!strcmp(s, names[i])) return (int)i;
  char list[256] = "";
  size_t used = 0;
  for (size_t i = 0; i < count && used < sizeof list; i++)
    used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]);
  error(t, n, "unknown %s '%s' (expected one of %s)", key, s, list);
  return -1;
}

static int is_seq(tab *t, const yaml_node_t *n, const char *key) {
  if (n && n->type == YAML_SEQUENCE_NODE) return 1;
  error(t, n, "'%s' should be a list, got %s", key, phrase(n));
  return 0;
}

static int is_map(tab *t, const yaml_node_t *n, const char *key) {
  if (n && n->type == YAML_MAPPING_NODE) return 1;
  error(t, n, "'%s' should be a mapping, got %s", key, phrase(n));
  return 0;
}

static size_t seq_len(const yaml_node_t *n) {
  return n && n->type == YAML_SEQUENCE_NODE
             ? (size_t)(n->data.sequence.items.top - n->data.sequence.items.start)
             : 0;
}

static yaml_node_t *seq_at(tab *t, const yaml_node_t *n, size_t i) {
  return node(t, n->data.sequence.items.start[i]);
}

/* ---- ids --------------------------------------------------------------------------------- */

typedef struct id_list {
  const char *what;        /* "gate" */
  size_t n;
  const char **id;         /* [n] */
  yaml_node_t **item;      /* [n] */
} id_list;

static int find_id(const id_list *l, const char *id) {
  for (size_t i = 0; i < l->n; i++)
    if (!strcmp(l->id[i], id)) return (int)i;
  return -1;
}

/* Resolve an id written at n in list l, reporting an unknown one. */
static int resolve(tab *t, const id_list *l, const yaml_node_t *n) {
  const char *s = scalar_of(n);
  if (!s) {
    error(t, n, "expected a %s id, got %s", l->what, phrase(n));
    return -1;
  }
  int i = find_id(l, s);
  if (i >= 0) return i;
  const char *hint = diag_suggest(s, l->id, l->n);
  if (hint)
    error(t, n, "unknown %s id '%s' (did you mean '%s'?)", l->what, s, hint);
  else
    error(t, n, "unknown %s id '%s'", l->what, s);
  return -1;
}

/* Register the ids of a top-level list: each item a mapping with a unique id. */
static void register_list(tab *t, const yaml_node_t *root, const char *key, const char *what,
                          size_t cap, id_list *l) {
  memset(l, 0, sizeof *l);
  l->what = what;
  yaml_node_t *list = need(t, root, key, "the authorities table");
  if (!list || !is_seq(t, list, key)) return;
  size_t n = seq_len(list);
  if (n > cap) {
    error(t, list, "'%s' has %zu items, more than the limit of %zu", key, n, cap);
    return;
  }
  l->id = arena_calloc(&t->a->mem, n ? n : 1, sizeof *l->id);
  l->item = arena_calloc(&t->a->mem, n ? n : 1, sizeof *l->item);
  if (!l->id || !l->item) {
    t->nomem = 1;
    return;
  }
  for (size_t i = 0; i < n; i++) {
    yaml_node_t *item = seq_at(t, list, i);
    if (!is_map(t, item, what)) continue;
    yaml_node_t *v = need(t, item, "id", what);
    const char *id = v ? text(t, v, "id") : NULL;
    if (!id) continue;
    int first = find_id(l, id);
    if (first >= 0) {
      scn_loc f = loc_of(t, l->item[first]);
      error(t, v, "duplicate %s id '%s' (first defined at %s:%d:%d)", what, id, f.file, f.line,
            f.col);
      continue;
    }
    l->id[l->n] = id;
    l->item[l->n++] = item;
  }
}

/* ---- gate expressions --------------------------------------------------------------------- */

typedef struct expr_reader {
  tab *t;
  const id_list *gates;
  size_t items; /* visited, against PLAN_MAX_EXPR_ITEMS (aliases could repeat a list) */
} expr_reader;

static int read_expr(expr_reader *r, const yaml_node_t *n, pl_expr *out, int depth) {
  tab *t = r->t;
  memset(out, 0, sizeof *out);
  if (++r->items > PLAN_MAX_EXPR_ITEMS || depth > 16) {
    error(t, n, "gate expression too large (more than %d items or 16 levels)", PLAN_MAX_EXPR_ITEMS);
    return -1;
  }
  if (n && n->type == YAML_SCALAR_NODE) {
    out->kind = PX_GATE;
    out->gate = resolve(t, r->gates, n);
    return out->gate < 0 ? -1 : 0;
  }
  if (!n || n->type != YAML_MAPPING_NODE ||
      n->data.mapping.pairs.top - n->data.mapping.pairs.start != 1) {
    error(t, n, "a gate expression is a mapping with one key, 'all_of' or 'any_of', got %s",
          phrase(n));
    return -1;
  }
  const char *key = scalar_of(node(t, n->data.mapping.pairs.start->key));
  yaml_node_t *list = node(t, n->data.mapping.pairs.start->value);
  if (!key || (strcmp(key, "all_of") && strcmp(key, "any_of"))) {
    error(t, n, "a gate expression takes 'all_of' or 'any_of', got '%s'", key ? key : "?");
    return -1;
  }
  out->kind = key[1] == 'l' ? PX_ALL : PX_ANY;
  if (!is_seq(t, list, key)) return -1;
  out->n = seq_len(list);
  out->sub = arena_calloc(&t->a->mem, out->n ? out->n : 1, sizeof *out->sub);
  if (!out->sub) {
    t->nomem = 1;
    return -1;
  }
  int bad = 0;
  for (size_t i = 0; i < out->n; i++) bad |= read_expr(r, seq_at(t, list, i), &out->sub[i], depth + 1);
  return bad ? -1 : 0;
}

static int expr(tab *t, const id_list *gates, const yaml_node_t *n, pl_expr *out) {
  expr_reader r = {t, gates, 0};
  return read_expr(&r, n, out, 0);
}

int plan__expr_open(const pl_expr *e, uint64_t open) {
  switch (e->kind) {
  case PX_GATE: return (open >> e->gate) & 1;
  case PX_ALL:
    for (size_t i = 0; i < e->n; i++)
      if (!plan__expr_open(&e->sub[i], open)) return 0;
    return 1;
  default:
    for (size_t i = 0; i < e->n; i++)
      if (plan__expr_open(&e->sub[i], open)) return 1;
    return 0;
  }
}

uint64_t plan__expr_gates(const pl_expr *e) {
  if (e->kind == PX_GATE) return PLAN__BIT(e->gate);
  uint64_t m = 0;
  for (size_t i = 0; i < e->n; i++) m |= plan__expr_gates(&e->sub[i]);
  return m;
}

/* ---- the lists -------------------------------------------------------------------------- */

static const char *const confidences[] = {"high", "medium", "low"};

static void read_source(tab *t, const yaml_node_t *item, const char *what, const char **out) {
  yaml_node_t *v = need(t, item, "source", what);
  *out = v ? text(t, v, "source") : NULL;
  v = get(t, item, "confidence");
  if (v) choice(t, v, "confidence", confidences, 3);
}

static void read_meta(tab *t, const yaml_node_t *root) {
  static const char *const keys[] = {"schema_version", "title", "nation", "legal_basis_as_of",
                                     "legal_basis", "disclaimer", "default_for_missing_rule",
                                     NULL};
  yaml_node_t *m = need(t, root, "meta", "the authorities table"), *v;
  t->a->nation = "JP";
  if (!m || !is_map(t, m, "meta")) return;
  check_keys(t, m, "meta", keys);
  if ((v = need(t, m, "schema_version", "meta"))) {
    const char *s = scalar_of(v);
    if (!s || strcmp(s, "1") != 0)
      error(t, v, "unsupported 'schema_version' %s%s%s (this straits reads 1)", s ? "'" : "",
            s ? s : phrase(v), s ? "'" : "");
  }
  if ((v = need(t, m, "nation", "meta"))) {
    const char *s = text(t, v, "nation");
    if (s) t->a->nation = s;
  }
  if ((v = get(t, m, "default_for_missing_rule"))) {
    static const char *const only[] = {"not_allowed"};
    choice(t, v, "default_for_missing_rule", only, 1);
  }
}

static void read_situations(tab *t, const id_list *sits, const id_list *gates) {
  static const char *const keys[] = {"id", "order", "name", "description", "legal_basis",
                                     "supersedes", "recognition", "source", "confidence", NULL};
  static const char *const rec_keys[] = {"decided_by", "gates", NULL};
  const char *names[SCN_SIT__COUNT];
  for (int i = 0; i < SCN_SIT__COUNT; i++) names[i] = scn_situation_name((scn_situation)i);
  plan_authorities *a = t->a;
  for (size_t s = 0; s < sits->n; s++) {
    yaml_node_t *item = sits->item[s], *v;
    pl_situation *p = &a->sit[s];
    p->id = sits->id[s];
    p->loc = loc_of(t, item);
    p->scn = -1;
    p->recognition.kind = PX_ALL;
    check_keys(t, item, "situation", keys);
    for (int k = 0; k < SCN_SIT__COUNT; k++)
      if (!strcmp(p->id, names[k])) p->scn = k;
    if (p->scn < 0) {
      char list[256] = "";
      size_t used = 0;
      for (int k = 0; k < SCN_SIT__COUNT && used < sizeof list; k++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "", names[k]);
      error(t, get(t, item, "id"),
            "situation '%s' is not in the scenario vocabulary (%s; see docs/authorities.md)",
            p->id, list);
    } else if (a->sit_of_scn[p->scn] >= 0) {
      BUG("authorities: duplicate situation survived registration");
    } else {
      a->sit_of_scn[p->scn] = (int)s;
    }
    p->name = optional_text(t, item, "name");
    if ((v = get(t, item, "order"))) {
      const char *o = scalar_of(v);
      char *end = NULL;
      long x = o ? strtol(o, &end, 10) : 0;
      if (!o || !*o || *end || x < 0 || x > 1000)
        error(t, v, "'order' should be a whole number from 0 to 1000, got %s%s%s", o ? "'" : "",
              o ? o : phrase(v), o ? "'" : "");
      else
        p->order = (int)x;
    }
    if ((v = get(t, item, "supersedes")) && is_seq(t, v, "supersedes")) {
      for (size_t i = 0; i < seq_len(v); i++) {
        yaml_node_t *x = seq_at(t, v, i);
        int o = resolve(t, sits, x);
        if (o == (int)s)
          error(t, x, "situation '%s' cannot supersede itself", p->id);
        else if (o >= 0)
          p->supersedes |= PLAN__BIT(o);
      }
    }
    if ((v = get(t, item, "recognition")) && is_map(t, v, "recognition")) {
      check_keys(t, v, "recognition", rec_keys);
      yaml_node_t *g = get(t, v, "gates");
      if (g) expr(t, gates, g, &p->recognition);
    }
    const char *src;
    read_source(t, item, "situation", &src);
  }
}

static void read_activities(tab *t, const id_list *acts) {
  static const char *const keys[] = {"id", "name", "asset_kinds", "description", "source",
                                     "confidence", NULL};
  plan_authorities *a = t->a;
  for (size_t i = 0; i < acts->n; i++) {
    yaml_node_t *item = acts->item[i], *v;
    pl_activity *p = &a->act[i];
    p->id = acts->id[i];
    p->loc = loc_of(t, item);
    check_keys(t, item, "activity", keys);
    p->name = optional_text(t, item, "name");
    if ((v = get(t, item, "asset_kinds")) && is_seq(t, v, "asset_kinds")) {
      p->kind = arena_calloc(&a->mem, seq_len(v) ? seq_len(v) : 1, sizeof *p->kind);
      if (!p->kind) {
        t->nomem = 1;
        continue;
      }
      for (size_t k = 0; k < seq_len(v); k++) {
        const char *s = text(t, seq_at(t, v, k), "asset_kinds");
        if (s) p->kind[p->nkind++] = s;
      }
    }
    const char *src;
    read_source(t, item, "activity", &src);
  }
}

static void read_areas(tab *t, const id_list *areas, const id_list *gates) {
  static const char *const keys[] = {"id", "kind", "name", "description", "match_places",
                                     "match_regions", "requires", "source", "confidence", NULL};
  static const char *const kinds[] = {"territory", "exclusion"};
  static const char *const matches[] = {"own_nation", "other_nation", "no_nation"};
  plan_authorities *a = t->a;
  for (size_t i = 0; i < areas->n; i++) {
    yaml_node_t *item = areas->item[i], *v;
    pl_area *p = &a->area[i];
    p->id = areas->id[i];
    p->loc = loc_of(t, item);
    p->requires.kind = PX_ALL;
    check_keys(t, item, "area", keys);
    p->name = optional_text(t, item, "name");
    int kind = 0;
    if ((v = need(t, item, "kind", "area"))) kind = choice(t, v, "area kind", kinds, 2);
    p->exclusion = kind == 1;
    if ((v = get(t, item, "match_places"))) {
      int m = choice(t, v, "match_places", matches, 3);
      if (p->exclusion && m >= 0) error(t, v, "an exclusion area matches regions, not places");
      if (m >= 0) p->match = PL_MATCH_OWN_NATION + m;
      for (size_t j = 0; m >= 0 && j < i; j++)
        if (a->area[j].match == p->match)
          error(t, v, "areas '%s' and '%s' both match places of '%s'", a->area[j].id, p->id,
                matches[m]);
    }
    if ((v = get(t, item, "match_regions"))) {
      p->region_kind = text(t, v, "match_regions");
      if (!p->exclusion) error(t, v, "only an exclusion area matches regions");
    }
    if (p->exclusion) {
      if (a->combat_area >= 0)
        error(t, item, "a second exclusion area '%s': the table has one combat-scene overlay",
              p->id);
      else
        a->combat_area = (int)i;
      if (!p->region_kind) error(t, item, "exclusion area '%s' needs 'match_regions'", p->id);
    }
    if ((v = get(t, item, "requires"))) expr(t, gates, v, &p->requires);
    const char *src;
    read_source(t, item, "area", &src);
  }
}

static void read_gates(tab *t, const id_list *gates) {
  static const char *const keys[] = {"id", "kind", "scope", "name", "description", "source",
                                     "confidence", NULL};
  static const char *const kinds[] = {"cabinet", "diet", "executive", "international", "consent",
                                      "request", "condition"};
  static const char *const scopes[] = {"situation", "operation", "vessel", "boarding"};
  plan_authorities *a = t->a;
  for (size_t i = 0; i < gates->n; i++) {
    yaml_node_t *item = gates->item[i], *v;
    pl_gate *p = &a->gate[i];
    p->id = gates->id[i];
    p->loc = loc_of(t, item);
    check_keys(t, item, "gate", keys);
    p->name = optional_text(t, item, "name");
    int k;
    p->kind = p->scope = "";
    if ((v = need(t, item, "kind", "gate")) && (k = choice(t, v, "gate kind", kinds, 7)) >= 0)
      p->kind = kinds[k];
    if ((v = need(t, item, "scope", "gate")) && (k = choice(t, v, "gate scope", scopes, 4)) >= 0)
      p->scope = scopes[k];
    const char *src;
    read_source(t, item, "gate", &src);
  }
}

static void read_rule(tab *t, yaml_node_t *item, const id_list *sits, const id_list *acts,
                      const id_list *areas, const id_list *gates, pl_rule *r) {
  static const char *const keys[] = {"id",         "situation", "activity", "allowed",
                                     "reason",     "areas",     "combat_scene", "gates",
                                     "task_gates", "limits",    "source",   "confidence", NULL};
  static const char *const combat[] = {"excluded", "continue_started_rescue", "not_restricted"};
  static const char *const instance_kinds[] = {"vessel", "boarding", NULL};
  plan_authorities *a = t->a;
  yaml_node_t *v;
  memset(r, 0, sizeof *r);
  r->situation = r->activity = -1;
  r->loc = loc_of(t, item);
  r->gates.kind = PX_ALL;
  r->reason = "";
  check_keys(t, item, "rule", keys);
  if ((v = need(t, item, "id", "rule"))) r->id = text(t, v, "id");
  yaml_node_t *sv = need(t, item, "situation", "rule"), *av = need(t, item, "activity", "rule");
  if (sv) r->situation = resolve(t, sits, sv);
  if (av) r->activity = resolve(t, acts, av);
  if (r->id && r->situation >= 0 && r->activity >= 0) {
    char want[256];
    snprintf(want, sizeof want, "%s-%s", sits->id[r->situation], acts->id[r->activity]);
    if (strcmp(r->id, want) != 0)
      error(t, v, "rule id '%s' should be '%s' (<situation>-<activity>)", r->id, want);
  }
  if ((v = need(t, item, "allowed", "rule"))) boolean(t, v, "allowed", &r->allowed);
  if ((v = get(t, item, "reason")))
    r->reason = text(t, v, "reason");
  else if (!r->allowed && get(t, item, "allowed"))
    error(t, item, "rule '%s' is not allowed but gives no 'reason'", r->id ? r->id : "?");
  if ((v = need(t, item, "areas", "rule")) && is_seq(t, v, "areas")) {
    for (size_t i = 0; i < seq_len(v); i++) {
      yaml_node_t *x = seq_at(t, v, i);
      int ar = resolve(t, areas, x);
      if (ar < 0) continue;
      if (a->area[ar].exclusion)
        error(t, x, "'%s' is an overlay, not a place: say how the rule treats it in 'combat_scene'",
              areas->id[ar]);
      else
        r->areas |= (uint32_t)1 << ar;
    }
    if (r->allowed && !r->areas) error(t, v, "an allowed rule needs at least one area");
  }
  if ((v = need(t, item, "combat_scene", "rule"))) {
    int c = choice(t, v, "combat_scene", combat, 3);
    r->combat = c < 0 ? PLAN_COMBAT_EXCLUDED : c;
  }
  if ((v = need(t, item, "gates", "rule"))) {
    r->gates_loc = loc_of(t, v);
    expr(t, gates, v, &r->gates);
  }
  if ((v = get(t, item, "task_gates")) && is_map(t, v, "task_gates")) {
    check_keys(t, v, "task_gates", instance_kinds);
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
      pl_expr e;
      expr(t, gates, node(t, p->value), &e);
    }
  }
  if ((v = get(t, item, "limits")) && is_seq(t, v, "limits")) {
    r->limit = arena_calloc(&a->mem, seq_len(v) ? seq_len(v) : 1, sizeof *r->limit);
    if (!r->limit) t->nomem = 1;
    for (size_t i = 0; r->limit && i < seq_len(v); i++) {
      const char *s = text(t, seq_at(t, v, i), "limits");
      if (s) r->limit[r->nlimit++] = s;
    }
  }
  read_source(t, item, "rule", &r->source);
}

static void read_rules(tab *t, const yaml_node_t *root, const id_list *sits, const id_list *acts,
                       const id_list *areas, const id_list *gates) {
  plan_authorities *a = t->a;
  yaml_node_t *list = need(t, root, "rules", "the authorities table");
  if (!list || !is_seq(t, list, "rules")) return;
  size_t n = seq_len(list);
  if (n > (size_t)PLAN_MAX_SITUATIONS * PLAN_MAX_ACTIVITIES) {
    error(t, list, "'rules' has %zu items, more than situations x activities", n);
    return;
  }
  a->rule = arena_calloc(&a->mem, n ? n : 1, sizeof *a->rule);
  size_t cells = a->nsit * a->nact;
  a->rule_of = arena_alloc(&a->mem, (cells ? cells : 1) * sizeof *a->rule_of);
  if (!a->rule || !a->rule_of) {
    t->nomem = 1;
    return;
  }
  for (size_t i = 0; i < a->nsit * a->nact; i++) a->rule_of[i] = -1;
  for (size_t i = 0; i < n; i++) {
    yaml_node_t *item = seq_at(t, list, i);
    if (!is_map(t, item, "rule")) continue;
    pl_rule *r = &a->rule[a->nrule];
    read_rule(t, item, sits, acts, areas, gates, r);
    if (r->situation < 0 || r->activity < 0) continue;
    int *slot = &a->rule_of[(size_t)r->situation * a->nact + (size_t)r->activity];
    if (*slot >= 0) {
      scn_loc f = a->rule[*slot].loc;
      error(t, item, "a second rule for ('%s', '%s') (first at %s:%d:%d)", sits->id[r->situation],
            acts->id[r->activity], f.file, f.line, f.col);
      continue;
    }
    *slot = (int)a->nrule++;
  }
}

/* ---- loading ------------------------------------------------------------------------------- */

static char *read_all(const char *path, size_t *len, int *err, diag *d) {
  const char *kind; /* a FIFO would block for ever: regular files only (issue 21) */
  FILE *f = file_open_regular(path, &kind, NULL);
  if (!f && kind) {
    diag_report(d, DIAG_ERROR, path, 0, 0, "the authorities table '%s' is %s, not a regular "
                "file", path, kind);
    *err = ERR_INPUT;
    return NULL;
  }
  if (!f) {
    diag_report(d, DIAG_ERROR, path, 0, 0, "cannot open the authorities table: %s", strerror(errno));
    *err = ERR_IO;
    return NULL;
  }
  size_t cap = 65536, n = 0;
  char *text = malloc(cap + 1);
  while (text) {
    if (n == cap) {
      if (cap >= PLAN_MAX_TABLE_BYTES) break;
      char *grown = realloc(text, 2 * cap + 1);
      if (!grown) {
        free(text);
        text = NULL;
        break;
      }
      text = grown;
      cap *= 2;
    }
    size_t got = fread(text + n, 1, cap - n, f);
    n += got;
    if (!got) break;
  }
  int bad = ferror(f);
  fclose(f);
  if (!text) {
    *err = ERR_NOMEM;
    return NULL;
  }
  if (n > PLAN_MAX_TABLE_BYTES || (n == cap && cap >= PLAN_MAX_TABLE_BYTES)) {
    diag_report(d, DIAG_ERROR, path, 0, 0, "the authorities table is larger than %zu bytes",
                PLAN_MAX_TABLE_BYTES);
    free(text);
    *err = ERR_LIMIT;
    return NULL;
  }
  if (bad) {
    diag_report(d, DIAG_ERROR, path, 0, 0, "cannot read the authorities table");
    free(text);
    *err = ERR_IO;
    return NULL;
  }
  text[n] = '\0';
  *len = n;
  return text;
}

static int alloc_lists(tab *t, const id_list *s, const id_list *ac, const id_list *ar,
                       const id_list *g) {
  plan_authorities *a = t->a;
  a->nsit = s->n, a->nact = ac->n, a->narea = ar->n, a->ngate = g->n;
  a->sit = arena_calloc(&a->mem, s->n ? s->n : 1, sizeof *a->sit);
  a->act = arena_calloc(&a->mem, ac->n ? ac->n : 1, sizeof *a->act);
  a->area = arena_calloc(&a->mem, ar->n ? ar->n : 1, sizeof *a->area);
  a->gate = arena_calloc(&a->mem, g->n ? g->n : 1, sizeof *a->gate);
  if (!a->sit || !a->act || !a->area || !a->gate) t->nomem = 1;
  return t->nomem ? -1 : 0;
}

static void interpret(tab *t, const yaml_node_t *root) {
  static const char *const keys[] = {"meta", "situations", "activities", "areas", "gates",
                                     "rules", NULL};
  if (!is_map(t, root, "the top level")) return;
  check_keys(t, root, "the authorities table", keys);
  read_meta(t, root);
  id_list sits, acts, areas, gates;
  register_list(t, root, "situations", "situation", PLAN_MAX_SITUATIONS, &sits);
  register_list(t, root, "activities", "activity", PLAN_MAX_ACTIVITIES, &acts);
  register_list(t, root, "areas", "area", PLAN_MAX_AREAS, &areas);
  register_list(t, root, "gates", "gate", PLAN_MAX_GATES, &gates);
  if (t->nomem || alloc_lists(t, &sits, &acts, &areas, &gates)) return;
  read_gates(t, &gates);
  read_situations(t, &sits, &gates);
  read_activities(t, &acts);
  read_areas(t, &areas, &gates);
  read_rules(t, root, &sits, &acts, &areas, &gates);
  int places = 0;
  for (size_t i = 0; i < t->a->narea; i++) places |= t->a->area[i].match;
  if (t->a->narea && !places)
    error(t, get(t, root, "areas"), "no area matches places ('match_places'): tasks could not be placed");
}

static void hash_text(plan_authorities *a, const char *text, size_t len) {
  hash_sha256_hex(a->hash, text, len);
}

int plan_authorities_load(plan_authorities **out, const char *path, diag *d) {
  *out = NULL;
  plan_authorities *a = calloc(1, sizeof *a);
  if (!a) return ERR_NOMEM;
  arena_init(&a->mem, ARENA_DEFAULT_CAP);
  a->combat_area = -1;
  for (int i = 0; i < SCN_SIT__COUNT; i++) a->sit_of_scn[i] = -1;
  int err = 0;
  size_t len = 0;
  size_t errors_before = diag_count(d, DIAG_ERROR);
  char *text = NULL;
  yaml_parser_t parser;
  yaml_document_t doc;
  int parser_ok = 0, doc_ok = 0;
  if (!(a->path = arena_strdup(&a->mem, path))) {
    err = ERR_NOMEM;
    goto done;
  }
  if (!(text = read_all(path, &len, &err, d))) goto done;
  hash_text(a, text, len);
  if (diag_add_source(d, a->path, text, len)) {
    err = ERR_NOMEM;
    goto done;
  }
  if (!yaml_parser_initialize(&parser)) {
    err = ERR_NOMEM;
    goto done;
  }
  parser_ok = 1;
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  if (!yaml_parser_load(&parser, &doc)) {
    const yaml_mark_t *m = parser.context ? &parser.context_mark : &parser.problem_mark;
    if (parser.problem) m = &parser.problem_mark;
    diag_report(d, DIAG_ERROR, a->path, (int)m->line + 1, (int)m->column + 1, "%s%s%s",
                parser.problem ? parser.problem : "cannot parse the table",
                parser.context ? " " : "", parser.context ? parser.context : "");
    err = ERR_INPUT;
    goto done;
  }
  doc_ok = 1;
  tab t = {a, &doc, d, 0};
  yaml_node_t *root = yaml_document_get_root_node(&doc);
  if (!root)
    diag_report(d, DIAG_ERROR, a->path, 0, 0, "the authorities table is empty");
  else
    interpret(&t, root);
  if (t.nomem) err = ERR_NOMEM;
  else if (diag_count(d, DIAG_ERROR) > errors_before) err = ERR_INPUT;

done:
  if (doc_ok) yaml_document_delete(&doc);
  if (parser_ok) yaml_parser_delete(&parser);
  free(text);
  if (err) {
    plan_authorities_free(a);
    return err;
  }
  *out = a;
  return 0;
}

void plan_authorities_free(plan_authorities *a) {
  if (!a) return;
  arena_release(&a->mem);
  free(a);
}

/* ---- queries ---------------------------------------------------------------------------- */

const char *plan_authorities_default_path(void) { return STRAITS_DATA_DIR "/authorities.yaml"; }

const char *plan_authorities_path(const plan_authorities *a) { return a->path; }
const char *plan_authorities_hash(const plan_authorities *a) { return a->hash; }
const char *plan_authorities_nation(const plan_authorities *a) { return a->nation; }

size_t plan_authorities_count(const plan_authorities *a, plan_list what) {
  switch (what) {
  case PLAN_SITUATIONS: return a->nsit;
  case PLAN_ACTIVITIES: return a->nact;
  case PLAN_AREAS: return a->narea;
  case PLAN_GATES: return a->ngate;
  case PLAN_RULES: return a->nrule;
  }
  return 0;
}

const char *plan_authorities_id(const plan_authorities *a, plan_list what, size_t i) {
  if (i >= plan_authorities_count(a, what)) return NULL;
  switch (what) {
  case PLAN_SITUATIONS: return a->sit[i].id;
  case PLAN_ACTIVITIES: return a->act[i].id;
  case PLAN_AREAS: return a->area[i].id;
  case PLAN_GATES: return a->gate[i].id;
  case PLAN_RULES: return a->rule[i].id;
  }
  return NULL;
}

int plan_authorities_find(const plan_authorities *a, plan_list what, const char *id) {
  size_t n = plan_authorities_count(a, what);
  for (size_t i = 0; i < n; i++) {
    const char *x = plan_authorities_id(a, what, i);
    if (x && !strcmp(x, id)) return (int)i;
  }
  return -1;
}

int plan_situation_scn(const plan_authorities *a, int situation) {
  return situation >= 0 && (size_t)situation < a->nsit ? a->sit[situation].scn : -1;
}

int plan_rule_find(const plan_authorities *a, int situation, int activity) {
  if (situation < 0 || activity < 0 || (size_t)situation >= a->nsit || (size_t)activity >= a->nact)
    return -1;
  return a->rule_of[(size_t)situation * a->nact + (size_t)activity];
}

int plan_authorised(const plan_authorities *a, int situation, int activity, int area,
                    uint64_t open, int combat_scene, int running) {
  int r = plan_rule_find(a, situation, activity);
  if (r < 0 || area < 0 || (size_t)area >= a->narea) return 0;
  const pl_rule *rule = &a->rule[r];
  if (!rule->allowed || !((rule->areas >> area) & 1)) return 0;
  if (!plan__expr_open(&rule->gates, open) || !plan__expr_open(&a->area[area].requires, open))
    return 0;
  if (combat_scene && rule->combat == PLAN_COMBAT_EXCLUDED) return 0;
  if (combat_scene && rule->combat == PLAN_COMBAT_CONTINUE_RESCUE && !running) return 0;
  return 1;
}

const char *plan_gate_id(const plan_authorities *a, int gate) {
  return a && gate >= 0 && (size_t)gate < a->ngate ? a->gate[gate].id : "?";
}
