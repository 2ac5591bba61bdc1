/* load_compose.c - read the scenario's files, follow `includes:`, merge the sections
 * of included files into the including one, and apply `--set` overrides: the one
 * tree that the section loaders then interpret. */
/* realpath() is XSI; the build asks only for POSIX.1-2008. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "scn_internal.h"

/* Files on the current include chain (for cycles) and every file read (an include
 * reached twice by different paths is read once). */
typedef struct file_set {
  char **real;
  size_t n, cap;
} file_set;

typedef struct composer {
  scn__ctx *c;
  file_set chain, seen;
  const char **chain_shown; /* paths as written, parallel to chain, for messages */
  /* Where includes may come from: the main file's folder, then each --include-dir,
   * all as real paths (symlinks resolved); and the main file's folder as written. */
  file_set roots;
  const char *top_dir;
} composer;

static int set_has(const file_set *s, const char *real) {
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->real[i], real) == 0) return 1;
  return 0;
}

static int set_push(scn__ctx *c, file_set *s, const char *real) {
  if (s->n == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 8;
    char **grown = arena_alloc(c->tree, cap * sizeof *grown);
    if (!grown) {
      c->nomem = 1;
      return -1;
    }
    if (s->n) memcpy(grown, s->real, s->n * sizeof *grown);
    s->real = grown;
    s->cap = cap;
  }
  s->real[s->n] = scn__strdup(c, c->tree, real, strlen(real));
  return s->real[s->n++] ? 0 : -1;
}

static void hash_bytes(scn__ctx *c, const void *p, size_t n) { scn__hash_input(c, p, n); }

/* Report a problem with a file: at the `includes` item that named it, or, for the
 * main file, at the file itself. */
static void file_error(scn__ctx *c, const char *path, const scn__node *from, const char *fmt,
                       const char *arg) {
  if (from)
    scn__error(c, from, fmt, arg);
  else
    diag_report(c->d, DIAG_ERROR, path, 0, 0, fmt, arg);
}

static const char *errno_text(int e, char *buf, size_t len) {
  if (strerror_r(e, buf, len) != 0) snprintf(buf, len, "error %d", e);
  return buf;
}

int scn__yaml_name(const char *path) {
  size_t n = strlen(path);
  return (n > 5 && strcmp(path + n - 5, ".yaml") == 0) ||
         (n > 4 && strcmp(path + n - 4, ".yml") == 0);
}

FILE *scn__open_regular(const char *path, const char **kind, size_t *size) {
  return file_open_regular(path, kind, size);
}

/* Read the whole file at open_path (reported as path), refusing more than
 * max_file_bytes and anything but a regular file (scn__open_regular).  The text is
 * malloc'd. */
static char *read_file(scn__ctx *c, const char *open_path, const char *path,
                       const scn__node *from, size_t *len) {
  char why[128], msg[256];
  const char *kind;
  size_t size = 0;
  FILE *f = scn__open_regular(open_path, &kind, &size);
  if (!f && kind) {
    snprintf(msg, sizeof msg, "'%%s' is %s: a scenario and its includes must be regular files",
             kind);
    file_error(c, path, from, msg, path);
    return NULL;
  }
  if (!f) {
    snprintf(msg, sizeof msg, "cannot open '%%s': %s", errno_text(errno, why, sizeof why));
    file_error(c, path, from, msg, path);
    if (!from) c->io_failed = 1;
    return NULL;
  }
  size_t cap = 4096, n = 0, limit = c->opt->max_file_bytes;
  char *text = malloc(cap);
  int too_big = size > limit, failed = !text;
  while (!failed && !too_big) {
    if (n == cap) {
      char *grown = cap > SIZE_MAX / 2 ? NULL : realloc(text, cap * 2);
      if (!grown) {
        failed = 1;
        break;
      }
      text = grown;
      cap *= 2;
    }
    size_t got = fread(text + n, 1, cap - n, f);
    n += got;
    if (n > limit) too_big = 1;
    if (got == 0) break;
  }
  int read_error = ferror(f);
  fclose(f);
  if (failed) {
    c->nomem = 1;
  } else if (too_big) {
    snprintf(msg, sizeof msg, "file '%%s' is larger than the limit of %zu bytes", limit);
    file_error(c, path, from, msg, path);
  } else if (read_error) {
    file_error(c, path, from, "cannot read '%s'", path);
    if (!from) c->io_failed = 1;
  } else {
    *len = n;
    return text;
  }
  free(text);
  return NULL;
}

/* An included path is relative to the including file's folder, written as the user
 * would (so messages show "scenarios/common.yaml", not an absolute path). */
static const char *include_path(scn__ctx *c, const char *from_file, const char *name) {
  const char *slash = strrchr(from_file, '/');
  if (!slash) return scn__strdup(c, c->mem, name, strlen(name));
  size_t dir = (size_t)(slash - from_file) + 1, len = strlen(name);
  char *p = scn__alloc(c, c->mem, dir + len + 1);
  if (!p) return NULL;
  memcpy(p, from_file, dir);
  memcpy(p + dir, name, len + 1);
  return p;
}

/* ---- merging ----------------------------------------------------------------------- */

static scn__node *copy_node(scn__ctx *c, const scn__node *n) {
  scn__node *m = scn__alloc(c, c->tree, sizeof *m);
  if (!m) return NULL;
  *m = *n;
  size_t per = n->kind == SCN__MAP ? 2 : 1;
  if (n->n) {
    m->item = arena_alloc(c->tree, n->n * per * sizeof *m->item);
    if (!m->item) {
      c->nomem = 1;
      return NULL;
    }
    memcpy(m->item, n->item, n->n * per * sizeof *m->item);
  }
  return m;
}

/* Merge b (the including file) over a (an included one): mappings merge key by key,
 * lists append b's items after a's, and for anything else b wins. */
static scn__node *merge(scn__ctx *c, const scn__node *a, const scn__node *b) {
  if (a->kind == SCN__SEQ && b->kind == SCN__SEQ) {
    scn__node *m = copy_node(c, b);
    if (!m) return NULL;
    m->n = 0;
    size_t cap = 0;
    for (size_t i = 0; i < a->n; i++) scn__append(c, m, a->item[i], NULL, &cap);
    for (size_t i = 0; i < b->n; i++) scn__append(c, m, b->item[i], NULL, &cap);
    return m;
  }
  if (a->kind != SCN__MAP || b->kind != SCN__MAP) return (scn__node *)b;
  scn__node *m = copy_node(c, a);
  if (!m) return NULL;
  m->file = b->file;
  m->line = b->line;
  m->col = b->col;
  size_t cap = m->n;
  scn__map index = {0};
  for (size_t i = 0; i < m->n; i++)
    if (m->item[2 * i]->kind == SCN__SCALAR) scn__map_put(c, &index, m->item[2 * i]->str, i);
  for (size_t i = 0; i < b->n; i++) {
    scn__node *k = b->item[2 * i], *v = b->item[2 * i + 1];
    size_t at;
    if (k->kind == SCN__SCALAR && scn__map_get(&index, k->str, &at)) {
      scn__node *merged = merge(c, m->item[2 * at + 1], v);
      if (merged) m->item[2 * at + 1] = merged;
    } else if (scn__append(c, m, k, v, &cap) == 0 && k->kind == SCN__SCALAR) {
      scn__map_put(c, &index, k->str, m->n - 1);
    }
  }
  return m;
}

/* ---- includes ---------------------------------------------------------------------- */

static scn__node *load_file(composer *k, const char *path, const scn__node *from, int depth);

static void describe_cycle(composer *k, char *buf, size_t len, const char *again) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < k->chain.n && used < len; i++)
    used += (size_t)snprintf(buf + used, len - used, "'%s' -> ", k->chain_shown[i]);
  if (used < len) snprintf(buf + used, len - used, "'%s'", again);
}

/* Where an include named name (relative) is: beside the including file, else in the
 * first --include-dir that has it, else (to be reported missing) beside the file. */
static const char *find_include(composer *k, const char *from_file, const char *name) {
  scn__ctx *c = k->c;
  const char *beside = include_path(c, from_file, name);
  if (!beside || access(beside, F_OK) == 0 || errno != ENOENT) return beside;
  for (size_t i = 0; i < c->opt->ninclude_dirs; i++) {
    const char *dir = c->opt->include_dirs[i];
    size_t nd = strlen(dir), nn = strlen(name);
    char *p = scn__alloc(c, c->mem, nd + nn + 2);
    if (!p) return NULL;
    memcpy(p, dir, nd);
    p[nd] = '/';
    memcpy(p + nd + 1, name, nn + 1);
    if (access(p, F_OK) == 0) return p;
  }
  return beside;
}

/* Whether real (a real path) is in the folder tree of one of the roots. */
static int inside_roots(const composer *k, const char *real) {
  for (size_t i = 0; i < k->roots.n; i++) {
    const char *r = k->roots.real[i];
    size_t n = strlen(r);
    if (n == 1 && r[0] == '/') return 1;
    if (strncmp(real, r, n) == 0 && real[n] == '/') return 1;
  }
  return 0;
}

static const char *shape_phrase(const scn__node *n) {
  return n->kind == SCN__SEQ ? "a list" : "a single value"; /* never the file's text */
}

/* The files named by a file's `includes:`, merged in order, or NULL if none. */
static scn__node *load_includes(composer *k, const scn__node *list, int depth) {
  scn__ctx *c = k->c;
  if (!scn__expect_seq(c, list, "includes")) return NULL;
  scn__node *acc = NULL;
  for (size_t i = 0; i < list->n; i++) {
    const scn__node *item = list->item[i];
    const char *name;
    if (scn__text(c, item, "includes", &name)) continue;
    if (!name[0]) {
      scn__error(c, item, "empty include path");
      continue;
    }
    if (name[0] == '/') {
      scn__error(c, item, "include '%s' is an absolute path: includes are relative to the "
                 "including file and stay inside the scenario's folder", name);
      continue;
    }
    const char *path = find_include(k, item->file, name);
    if (!path) return NULL;
    scn__node *tree = load_file(k, path, item, depth + 1);
    if (!tree) continue;
    acc = acc ? merge(c, acc, tree) : tree;
  }
  return acc;
}

static int push_chain(composer *k, const char *real, const char *shown) {
  scn__ctx *c = k->c;
  if (k->chain.n == k->chain.cap) {
    size_t cap = k->chain.cap ? 2 * k->chain.cap : 8;
    const char **grown = arena_alloc(c->tree, cap * sizeof *grown);
    if (!grown) {
      c->nomem = 1;
      return -1;
    }
    if (k->chain.n) memcpy(grown, k->chain_shown, k->chain.n * sizeof *grown);
    k->chain_shown = grown;
  }
  k->chain_shown[k->chain.n] = shown;
  return set_push(c, &k->chain, real);
}

/* Without the chain and seen checks an include cycle would recurse until the
 * depth cap; with them it is named, and each file is read once. */
static scn__node *load_file(composer *k, const char *path, const scn__node *from, int depth) {
  scn__ctx *c = k->c;
  if (depth > c->opt->max_include_depth) {
    scn__error(c, from, "includes nested deeper than %d files", c->opt->max_include_depth);
    return NULL;
  }
  char *real = realpath(path, NULL);
  if (!real) {
    char why[128], msg[256];
    snprintf(msg, sizeof msg, "cannot open '%%s': %s", errno_text(errno, why, sizeof why));
    file_error(c, path, from, msg, path);
    if (!from) c->io_failed = 1;
    return NULL;
  }
  /* An include may not leave the main file's folder (nor the --include-dir ones):
   * not by '..', nor by a symbolic link, whose target realpath has resolved. */
  if (from && !inside_roots(k, real)) {
    scn__error(c, from, "include '%s' is outside the scenario's folder '%s'%s: includes "
               "may not leave it by '..' or a symbolic link", from->str, k->top_dir,
               c->opt->ninclude_dirs ? " and the --include-dir folders" : "");
    free(real);
    return NULL;
  }
  int cycle = set_has(&k->chain, real), seen = set_has(&k->seen, real);
  int pushed = !cycle && !seen && set_push(c, &k->seen, real) == 0;
  if (cycle) {
    char shown[1024];
    describe_cycle(k, shown, sizeof shown, path);
    scn__error(c, from, "include cycle: %s", shown);
  }
  if (!pushed) {
    free(real); /* a cycle (reported), or a file merged once already */
    return NULL;
  }

  size_t len = 0;
  char *text = read_file(c, real, path, from, &len); /* the checked file, not a new one */
  if (!text) {
    free(real);
    return NULL;
  }
  hash_bytes(c, text, len);
  /* Diagnostics quote a file's lines only once it has shown itself a scenario file:
   * parsed, and a mapping -- or, for the main file the user named, when it is
   * called .yaml or .yml, so its syntax errors are quoted too.  A file that is not
   * one (a password file named as an include) never has a line shown. */
  int quote_early = !from && scn__yaml_name(path);
  if (quote_early && diag_add_source(c->d, path, text, len)) c->nomem = 1;
  scn__node *root = scn__parse_yaml(c, path, text, len);
  if (root && root->kind != SCN__MAP) {
    if (from)
      scn__error(c, from, "included file '%s' should hold a mapping of sections, got %s",
                 from->str, shape_phrase(root));
    else
      diag_report(c->d, DIAG_ERROR, path, root->line, root->col,
                  "the top level should be a mapping of sections, got %s", shape_phrase(root));
    root = NULL;
  }
  if (root && !quote_early && diag_add_source(c->d, path, text, len)) c->nomem = 1;
  free(text);
  if (!root) {
    free(real);
    return NULL;
  }
  const scn__node *includes = scn__get(root, "includes");
  if (!includes) {
    free(real);
    return root;
  }

  int on_chain = push_chain(k, real, path) == 0;
  free(real);
  if (!on_chain) return NULL;
  scn__node *included = load_includes(k, includes, depth);
  k->chain.n--;
  return included ? merge(c, included, root) : root;
}

/* The real path of folder dir (or of the main file's folder) into the roots;
 * -1 when it cannot be resolved (reported for an --include-dir). */
static int add_root(composer *k, const char *dir, int is_include_dir) {
  scn__ctx *c = k->c;
  char *real = realpath(dir, NULL);
  if (!real) {
    if (is_include_dir) {
      char why[128];
      diag_report(c->d, DIAG_ERROR, NULL, 0, 0, "--include-dir '%s': %s", dir,
                  errno_text(errno, why, sizeof why));
    }
    return -1;
  }
  int rc = set_push(c, &k->roots, real);
  free(real);
  return rc;
}

scn__node *scn__compose(scn__ctx *c, const char *path) {
  composer k = {0};
  k.c = c;
  const char *file = scn__strdup(c, c->mem, path, strlen(path));
  if (!file) return NULL;
  const char *slash = strrchr(file, '/');
  k.top_dir = slash ? scn__strdup(c, c->mem, file, slash == file ? 1 : (size_t)(slash - file))
                    : ".";
  if (!k.top_dir) return NULL;
  /* A main file that cannot be opened is reported by load_file. */
  add_root(&k, k.top_dir, 0);
  size_t errors = diag_count(c->d, DIAG_ERROR);
  for (size_t i = 0; i < c->opt->ninclude_dirs; i++) add_root(&k, c->opt->include_dirs[i], 1);
  if (diag_count(c->d, DIAG_ERROR) > errors) return NULL;
  return load_file(&k, file, NULL, 0);
}

/* ---- overrides ---------------------------------------------------------------------- */

/* Overrides are shown as lines of a pseudo-file "--set", so that a problem with one
 * is reported, quoted and underlined like a problem in a scenario file. */
#define SET_FILE "--set"

typedef struct override {
  scn__ctx *c;
  const char *text; /* "a.b.c=value" */
  int line;         /* 1-based index among the overrides */
} override;

static void override_error(const override *o, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void override_error(const override *o, size_t offset, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  diag_report(o->c->d, DIAG_ERROR, SET_FILE, o->line, (int)offset + 1, "override '%s': %s",
              o->text, msg);
}

static void register_override_source(scn__ctx *c) {
  size_t total = 0;
  for (size_t i = 0; i < c->opt->noverrides; i++) total += strlen(c->opt->overrides[i]) + 1;
  char *all = malloc(total + 1);
  if (!all) {
    c->nomem = 1;
    return;
  }
  size_t used = 0;
  for (size_t i = 0; i < c->opt->noverrides; i++) {
    size_t n = strlen(c->opt->overrides[i]);
    memcpy(all + used, c->opt->overrides[i], n);
    all[used + n] = '\n';
    used += n + 1;
  }
  if (diag_add_source(c->d, SET_FILE, all, used)) c->nomem = 1;
  free(all);
}

/* The item of a list named by seg: the mapping whose `id` is seg, else index seg. */
static scn__node **find_item(scn__node *seq, const char *seg) {
  for (size_t i = 0; i < seq->n; i++) {
    const scn__node *id = scn__get(seq->item[i], "id");
    if (id && id->kind == SCN__SCALAR && strcmp(id->str, seg) == 0) return &seq->item[i];
  }
  char *end;
  errno = 0;
  unsigned long idx = strtoul(seg, &end, 10);
  if (seg[0] >= '0' && seg[0] <= '9' && *end == '\0' && errno == 0 && idx < seq->n)
    return &seq->item[idx];
  return NULL;
}

/* The nearest id (or key) to a misspelt path segment, for "did you mean": the items'
 * `id`s of a list, the keys of a mapping.  NULL when none is close. */
static const char *suggest_segment(const scn__node *node, const char *seg) {
  enum { MAX_CANDIDATES = 256 };
  const char *cand[MAX_CANDIDATES];
  size_t n = 0;
  for (size_t i = 0; i < node->n && n < MAX_CANDIDATES; i++) {
    const scn__node *name = node->kind == SCN__MAP ? node->item[2 * i]
                                                   : scn__get(node->item[i], "id");
    if (name && name->kind == SCN__SCALAR) cand[n++] = name->str;
  }
  return scn__suggest(seg, cand, n);
}

static scn__node **find_key(scn__node *map, const char *seg) {
  for (size_t i = 0; i < map->n; i++) {
    const scn__node *k = map->item[2 * i];
    if (k->kind == SCN__SCALAR && strcmp(k->str, seg) == 0) return &map->item[2 * i + 1];
  }
  return NULL;
}

static scn__node *override_scalar(const override *o, const char *text, size_t offset) {
  scn__ctx *c = o->c;
  scn__node *n = scn__new_node(c, SCN__SCALAR, SET_FILE, o->line, (int)offset + 1);
  if (!n) return NULL;
  n->str = scn__strdup(c, c->tree, text, strlen(text));
  n->len = strlen(text);
  n->plain = 1;
  return n->str ? n : NULL;
}

/* Walk the path one segment at a time; the last one names the scalar to replace. */
static void apply_one(override *o, scn__node **root) {
  scn__ctx *c = o->c;
  const char *eq = strchr(o->text, '=');
  if (!eq || eq == o->text) {
    override_error(o, 0, "expected path.to.key=value");
    return;
  }
  size_t path_len = (size_t)(eq - o->text), start = 0;
  /* The files are read before overrides apply: a new include would be ignored. */
  size_t first_len = strcspn(o->text, ".=");
  if (first_len == 8 && strncmp(o->text, "includes", 8) == 0) {
    override_error(o, 0, "'includes' cannot be overridden (the files are read before "
                   "overrides apply); edit the scenario's includes instead");
    return;
  }
  size_t value_at = path_len + 1;
  scn__node **slot = root;
  for (;;) {
    const char *seg_text = o->text + start;
    const char *dot = memchr(seg_text, '.', path_len - start);
    size_t seg_len = dot ? (size_t)(dot - seg_text) : path_len - start;
    int last = !dot;
    char where[256];
    if (start)
      snprintf(where, sizeof where, "'%.*s'", (int)(start - 1), o->text);
    else
      snprintf(where, sizeof where, "the top level");
    if (!seg_len) {
      override_error(o, start, "empty key in the path");
      return;
    }
    char *seg = scn__strdup(c, c->tree, seg_text, seg_len);
    /* Copy on write: a node reached through an alias is shared with other places. */
    scn__node *node = seg ? copy_node(c, *slot) : NULL;
    if (!node) return;
    *slot = node;
    scn__node **next = NULL;
    if (node->kind == SCN__MAP) {
      next = find_key(node, seg);
      if (!next && last) {
        /* A new key at the end of an existing path: the schema checks it like any. */
        size_t cap = node->n;
        scn__node *key = override_scalar(o, seg, start);
        scn__node *value = override_scalar(o, eq + 1, value_at);
        if (key && value) scn__append(c, node, key, value, &cap);
        return;
      }
      if (!next) {
        const char *hint = suggest_segment(node, seg);
        if (hint)
          override_error(o, start, "no key '%s' in %s (did you mean '%s'?)", seg, where, hint);
        else
          override_error(o, start, "no key '%s' in %s", seg, where);
        return;
      }
    } else if (node->kind == SCN__SEQ) {
      next = find_item(node, seg);
      if (!next) {
        /* A branch, an event, a task named by its id: the nearest id is the likely one. */
        const char *hint = suggest_segment(node, seg);
        if (hint)
          override_error(o, start, "no item with id '%s' in %s (did you mean '%s'?)", seg,
                         where, hint);
        else
          override_error(o, start, "no item with id '%s' in %s", seg, where);
        return;
      }
    } else {
      override_error(o, start, "%s is a single value, it has no '%s'", where, seg);
      return;
    }
    if (last) {
      if ((*next)->kind != SCN__SCALAR) {
        override_error(o, start, "'%.*s' is %s, not a single value", (int)path_len, o->text,
                       scn__kind_phrase(*next));
        return;
      }
      scn__node *value = override_scalar(o, eq + 1, value_at);
      if (value) *next = value;
      return;
    }
    slot = next;
    start += seg_len + 1;
  }
}

void scn__apply_overrides(scn__ctx *c, scn__node **root) {
  if (!c->opt->noverrides) return;
  register_override_source(c);
  for (size_t i = 0; i < c->opt->noverrides; i++) {
    const char *text = c->opt->overrides[i];
    hash_bytes(c, text, strlen(text) + 1);
    if (!*root || (*root)->kind != SCN__MAP) continue;
    override o = {c, text, (int)i + 1};
    apply_one(&o, root);
  }
}
