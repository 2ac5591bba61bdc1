/* yaml_tree.c - build the loader's own node tree from libyaml's event stream.
 *
 * The event API (not libyaml's document loader) lets us keep every node's location,
 * cap the nesting depth, and count alias expansions as we go, so a "billion laughs"
 * file is refused after a few events instead of after exhausting memory. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "scn_internal.h"

/* ---- small allocation helpers ------------------------------------------------------ */

void *scn__alloc(scn__ctx *c, arena *a, size_t size) {
  void *p = arena_calloc(a, 1, size ? size : 1);
  if (!p) c->nomem = 1;
  return p;
}

char *scn__strdup(scn__ctx *c, arena *a, const char *s, size_t len) {
  char *p = arena_alloc(a, len + 1);
  if (!p) {
    c->nomem = 1;
    return NULL;
  }
  memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

scn__node *scn__new_node(scn__ctx *c, scn__kind kind, const char *file, int line, int col) {
  scn__node *n = scn__alloc(c, c->tree, sizeof *n);
  if (!n) return NULL;
  n->kind = kind;
  n->file = file;
  n->line = line;
  n->col = col;
  n->str = "";
  n->weight = 1;
  return n;
}

static size_t add_saturating(size_t a, size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }

int scn__append(scn__ctx *c, scn__node *coll, scn__node *a, scn__node *b, size_t *cap) {
  size_t per = coll->kind == SCN__MAP ? 2 : 1;
  if (coll->n == *cap) {
    size_t grown = *cap ? 2 * *cap : 4;
    scn__node **item = arena_alloc(c->tree, grown * per * sizeof *item);
    if (!item) {
      c->nomem = 1;
      return -1;
    }
    if (coll->n) memcpy(item, coll->item, coll->n * per * sizeof *item);
    coll->item = item;
    *cap = grown;
  }
  coll->item[coll->n * per] = a;
  if (per == 2) coll->item[coll->n * per + 1] = b;
  coll->n++;
  coll->weight = add_saturating(coll->weight, a->weight);
  if (b) coll->weight = add_saturating(coll->weight, b->weight);
  return 0;
}

/* ---- string map ------------------------------------------------------------------- */

static uint64_t hash_string(const char *s) {
  uint64_t h = 0xcbf29ce484222325u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3u;
  return h;
}

static int map_grow(scn__ctx *c, scn__map *m) {
  size_t cap = m->cap ? 2 * m->cap : 16;
  const char **key = arena_calloc(c->tree, cap, sizeof *key);
  size_t *val = arena_calloc(c->tree, cap, sizeof *val);
  if (!key || !val) {
    c->nomem = 1;
    return -1;
  }
  for (size_t i = 0; i < m->cap; i++) {
    if (!m->key[i]) continue;
    size_t j = hash_string(m->key[i]) & (cap - 1);
    while (key[j]) j = (j + 1) & (cap - 1);
    key[j] = m->key[i];
    val[j] = m->val[i];
  }
  m->key = key;
  m->val = val;
  m->cap = cap;
  return 0;
}

/* Insert or replace; the key string is not copied. */
int scn__map_put(scn__ctx *c, scn__map *m, const char *key, size_t val) {
  if (2 * (m->n + 1) > m->cap && map_grow(c, m) != 0) return -1;
  size_t j = hash_string(key) & (m->cap - 1);
  while (m->key[j] && strcmp(m->key[j], key) != 0) j = (j + 1) & (m->cap - 1);
  if (!m->key[j]) m->n++;
  m->key[j] = key;
  m->val[j] = val;
  return 0;
}

int scn__map_get(const scn__map *m, const char *key, size_t *val) {
  if (!m->cap) return 0;
  size_t j = hash_string(key) & (m->cap - 1);
  for (; m->key[j]; j = (j + 1) & (m->cap - 1)) {
    if (strcmp(m->key[j], key) == 0) {
      *val = m->val[j];
      return 1;
    }
  }
  return 0;
}

/* ---- the parser ------------------------------------------------------------------- */

typedef struct frame {
  scn__node *node;
  size_t cap;         /* of node->item, in items or pairs */
  scn__node *key;     /* mapping: key waiting for its value */
} frame;

typedef struct builder {
  scn__ctx *c;
  const char *file;
  const char *text;
  size_t len;
  frame *stack;
  int depth, max_depth;
  scn__node *root;
  scn__map anchors;   /* name -> index into anchor_node */
  scn__node **anchor_node;
  size_t nanchor, anchor_cap;
  int failed;         /* a fatal problem was reported: stop */
} builder;

#define MARK_LINE(m) ((int)(m).line + 1)
#define MARK_COL(m) ((int)(m).column + 1)

/* Line and column (1-based, in characters) of a byte offset: libyaml's reader errors
 * come with an offset rather than a mark. */
static void locate_offset(const char *text, size_t len, size_t offset, int *line, int *col) {
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < offset && i < len; i++) {
    if (text[i] == '\n') {
      (*line)++;
      *col = 1;
    } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
      (*col)++;
    }
  }
}

static void report_syntax_error(builder *b, const yaml_parser_t *p) {
  scn__ctx *c = b->c;
  b->failed = 1;
  if (p->error == YAML_MEMORY_ERROR) {
    c->nomem = 1;
    return;
  }
  if (p->error == YAML_READER_ERROR) {
    int line, col;
    locate_offset(b->text, b->len, p->problem_offset, &line, &col);
    diag_report(c->d, DIAG_ERROR, b->file, line, col, "cannot read the file as text: %s",
                p->problem ? p->problem : "invalid encoding");
    return;
  }
  int line = MARK_LINE(p->problem_mark), col = MARK_COL(p->problem_mark);
  size_t at = p->problem_mark.index;
  if (at < b->len && b->text[at] == '\t') {
    diag_report(c->d, DIAG_ERROR, b->file, line, col,
                "tab character in indentation (yaml indents with spaces)");
    return;
  }
  const char *problem = p->problem ? p->problem : "invalid yaml";
  if (p->context)
    diag_report(c->d, DIAG_ERROR, b->file, line, col, "syntax error: %s (%s at line %d)",
                problem, p->context, MARK_LINE(p->context_mark));
  else
    diag_report(c->d, DIAG_ERROR, b->file, line, col, "syntax error: %s", problem);
}

/* Count n more nodes against the cap shared by all files. */
static int count_nodes(builder *b, size_t n, yaml_mark_t mark) {
  scn__ctx *c = b->c;
  c->nodes = add_saturating(c->nodes, n);
  if (c->nodes <= c->opt->max_nodes) return 0;
  diag_report(c->d, DIAG_ERROR, b->file, MARK_LINE(mark), MARK_COL(mark),
              "document too large: more than %zu nodes once aliases are expanded", c->opt->max_nodes);
  b->failed = 1;
  return -1;
}

static int remember_anchor(builder *b, const yaml_char_t *anchor, scn__node *n) {
  scn__ctx *c = b->c;
  if (!anchor) return 0;
  if (b->nanchor == b->anchor_cap) {
    size_t cap = b->anchor_cap ? 2 * b->anchor_cap : 8;
    scn__node **grown = arena_alloc(c->tree, cap * sizeof *grown);
    if (!grown) {
      c->nomem = 1;
      return -1;
    }
    if (b->nanchor) memcpy(grown, b->anchor_node, b->nanchor * sizeof *grown);
    b->anchor_node = grown;
    b->anchor_cap = cap;
  }
  const char *name = scn__strdup(c, c->tree, (const char *)anchor, strlen((const char *)anchor));
  if (!name) return -1;
  b->anchor_node[b->nanchor] = n;
  /* A later anchor of the same name replaces the earlier one, as YAML says. */
  return scn__map_put(c, &b->anchors, name, b->nanchor++);
}

/* Attach a finished node to the open collection (or make it the root). */
static int attach(builder *b, scn__node *n) {
  if (b->depth == 0) {
    if (!b->root) b->root = n;
    return 0;
  }
  frame *f = &b->stack[b->depth - 1];
  scn__node *parent = f->node;
  if (parent->kind == SCN__SEQ) return scn__append(b->c, parent, n, NULL, &f->cap);
  if (!f->key) {
    f->key = n;
    return 0;
  }
  scn__node *key = f->key;
  f->key = NULL;
  return scn__append(b->c, parent, key, n, &f->cap);
}

static scn__node *node_at(builder *b, scn__kind kind, yaml_mark_t mark) {
  return scn__new_node(b->c, kind, b->file, MARK_LINE(mark), MARK_COL(mark));
}

static void on_scalar(builder *b, const yaml_event_t *ev) {
  scn__node *n = node_at(b, SCN__SCALAR, ev->start_mark);
  if (!n || count_nodes(b, 1, ev->start_mark)) return;
  /* A "\0" escape in a quoted scalar: every reader takes the text as a C string, so
   * "ab\0cd" would silently be the id "ab". */
  if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length))
    diag_report(b->c->d, DIAG_ERROR, b->file, MARK_LINE(ev->start_mark),
                MARK_COL(ev->start_mark), "text contains a NUL character ('\\0'), which "
                "straits cannot keep");
  n->str = scn__strdup(b->c, b->c->tree, (const char *)ev->data.scalar.value,
                       ev->data.scalar.length);
  n->len = ev->data.scalar.length;
  n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
  if (!n->str || remember_anchor(b, ev->data.scalar.anchor, n) || attach(b, n)) b->failed = 1;
}

static void on_start(builder *b, const yaml_event_t *ev, scn__kind kind) {
  const yaml_char_t *anchor =
      kind == SCN__MAP ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
  if (b->depth >= b->max_depth) {
    diag_report(b->c->d, DIAG_ERROR, b->file, MARK_LINE(ev->start_mark),
                MARK_COL(ev->start_mark), "nesting deeper than %d levels", b->max_depth);
    b->failed = 1;
    return;
  }
  scn__node *n = node_at(b, kind, ev->start_mark);
  if (!n || count_nodes(b, 1, ev->start_mark) || remember_anchor(b, anchor, n)) {
    b->failed = 1;
    return;
  }
  n->open = 1;
  b->stack[b->depth++] = (frame){n, 0, NULL};
}

/* Keys must be text, and once each: a repeated key would silently drop a value. */
static int compare_keys(const void *pa, const void *pb) {
  const scn__node *a = *(scn__node *const *)pa, *b = *(scn__node *const *)pb;
  int c = strcmp(a->str, b->str);
  if (c) return c;
  if (a->line != b->line) return a->line < b->line ? -1 : 1;
  return a->col < b->col ? -1 : a->col > b->col;
}

static void check_mapping_keys(builder *b, const scn__node *map) {
  scn__ctx *c = b->c;
  scn__node **keys = arena_alloc(c->tree, (map->n ? map->n : 1) * sizeof *keys);
  if (!keys) {
    c->nomem = 1;
    return;
  }
  size_t nk = 0;
  for (size_t i = 0; i < map->n; i++) {
    scn__node *k = map->item[2 * i];
    if (k->kind != SCN__SCALAR)
      scn__error(c, k, "a mapping key must be text, not %s", scn__kind_phrase(k));
    else
      keys[nk++] = k;
  }
  qsort(keys, nk, sizeof *keys, compare_keys);
  for (size_t i = 1; i < nk; i++) {
    size_t first = i - 1;
    while (i < nk && strcmp(keys[i]->str, keys[first]->str) == 0) {
      scn__error(c, keys[i], "duplicate key '%s' (first given at %d:%d)", keys[i]->str,
                 keys[first]->line, keys[first]->col);
      i++;
    }
  }
}

static void on_end(builder *b) {
  if (b->depth == 0) return;
  frame f = b->stack[--b->depth];
  f.node->open = 0;
  if (f.node->kind == SCN__MAP) check_mapping_keys(b, f.node);
  if (attach(b, f.node)) b->failed = 1;
}

static void on_alias(builder *b, const yaml_event_t *ev) {
  const char *name = (const char *)ev->data.alias.anchor;
  size_t idx;
  if (!scn__map_get(&b->anchors, name, &idx)) {
    diag_report(b->c->d, DIAG_ERROR, b->file, MARK_LINE(ev->start_mark), MARK_COL(ev->start_mark),
                "unknown anchor in alias '*%s'", name);
    b->failed = 1;
    return;
  }
  scn__node *target = b->anchor_node[idx];
  if (target->open) {
    diag_report(b->c->d, DIAG_ERROR, b->file, MARK_LINE(ev->start_mark), MARK_COL(ev->start_mark),
                "recursive alias '*%s': it refers to a node that contains it", name);
    b->failed = 1;
    return;
  }
  /* The alias shares the node but costs as much as a copy would: that is what the
   * loader walks, and what an alias bomb multiplies. */
  if (count_nodes(b, target->weight, ev->start_mark)) return;
  if (attach(b, target)) b->failed = 1;
}

static int handle_event(builder *b, const yaml_event_t *ev, int *documents) {
  switch (ev->type) {
  case YAML_DOCUMENT_START_EVENT:
    if (++*documents > 1) {
      diag_report(b->c->d, DIAG_ERROR, b->file, MARK_LINE(ev->start_mark),
                  MARK_COL(ev->start_mark), "a scenario file holds one yaml document; found a second");
      b->failed = 1;
    }
    break;
  case YAML_SCALAR_EVENT: on_scalar(b, ev); break;
  case YAML_SEQUENCE_START_EVENT: on_start(b, ev, SCN__SEQ); break;
  case YAML_MAPPING_START_EVENT: on_start(b, ev, SCN__MAP); break;
  case YAML_SEQUENCE_END_EVENT:
  case YAML_MAPPING_END_EVENT: on_end(b); break;
  case YAML_ALIAS_EVENT: on_alias(b, ev); break;
  case YAML_STREAM_END_EVENT: return 1;
  default: break;
  }
  return 0;
}

scn__node *scn__parse_yaml(scn__ctx *c, const char *file, const char *text, size_t len) {
  builder b = {0};
  b.c = c;
  b.file = file;
  b.text = text;
  b.len = len;
  b.max_depth = c->opt->max_depth > 0 ? c->opt->max_depth : 1;
  b.stack = scn__alloc(c, c->tree, (size_t)b.max_depth * sizeof *b.stack);
  if (!b.stack) return NULL;

  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) {
    c->nomem = 1;
    return NULL;
  }
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  int documents = 0, done = 0;
  while (!done && !b.failed && !c->nomem) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&parser, &ev)) {
      report_syntax_error(&b, &parser);
      break;
    }
    done = handle_event(&b, &ev, &documents);
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&parser);
  if (b.failed || c->nomem) return NULL;
  if (!b.root || (b.root->kind == SCN__SCALAR && scn__is_null(b.root)))
    return scn__new_node(c, SCN__MAP, file, 1, 1); /* an empty file is an empty mapping */
  return b.root;
}
