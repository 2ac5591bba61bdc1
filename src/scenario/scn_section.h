/* scn_section.h - the loader API for a mission's section loader (scenario.h:
 * scn_section): the YAML node tree, the loading context, and the schema helpers that
 * read fields and report problems as file:line:col.  A mission's loader lives in its
 * own folder (src/ops/<mission>/) and includes this; scenario/'s own files add
 * scn_internal.h.  Tree nodes live in the context's tree arena (dropped after
 * loading); everything reachable from the scenario lives in its own arena (mem). */
#ifndef STRAITS_SCN_SECTION_H
#define STRAITS_SCN_SECTION_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "diag.h"
#include "hash.h"
#include "dist.h"
#include "quantity.h"
#include "scenario.h"

/* ---- the YAML tree -------------------------------------------------------------- */

typedef enum scn__kind { SCN__SCALAR, SCN__SEQ, SCN__MAP } scn__kind;

typedef struct scn__node scn__node;
struct scn__node {
  scn__kind kind;
  int plain;        /* scalar written without quotes: only then is "null" or "~" null */
  int open;         /* collection still being parsed: an alias to it would recurse */
  const char *file; /* in the scenario arena, so locations outlive the tree */
  int line, col;    /* 1-based (libyaml's marks plus one) */
  const char *str;  /* scalar text, NUL-terminated */
  size_t len;
  size_t n;         /* sequence items, or mapping pairs */
  scn__node **item; /* sequence: item[i]; mapping: key item[2i], value item[2i+1] */
  size_t weight;    /* nodes under this one once aliases are expanded (saturating) */
};

/* String -> index map, open addressing, grown in an arena. */
typedef struct scn__map {
  const char **key;
  size_t *val;
  size_t cap, n;
} scn__map;

/* Ids of one namespace (places, events, ...): index order is definition order. */
typedef struct scn__ids {
  const char *what; /* "place", used in messages */
  scn__map map;
  const char **name;
  const scn__node **at; /* where each id was written */
  size_t n, cap;
} scn__ids;

typedef struct scn__ctx {
  diag *d;
  const scn_load_options *opt;
  arena *tree;       /* nodes, maps, scratch: released when loading ends */
  arena *mem;        /* the scenario's memory */
  scn_scenario *sc;
  size_t nodes;      /* nodes read so far, all files, aliases expanded */
  hash_sha256 hash;  /* SHA-256 of the inputs so far (scn__hash_input) */
  int nomem;         /* an allocation failed: the result is ERR_NOMEM */
  int io_failed;     /* the main file could not be read: ERR_IO */
  scn__ids places, regions, routes, forces, events;
} scn__ctx;

/* Add one input (a file's bytes, an override's text) to the scenario hash as one item
 * (hash_sha256_item: framed by its length), so no two lists of inputs hash alike. */
void scn__hash_input(scn__ctx *c, const void *p, size_t n);

/* ---- yaml_tree.c: maps, memory, nodes ------------------------------------------- */

int scn__map_put(scn__ctx *c, scn__map *m, const char *key, size_t val);
int scn__map_get(const scn__map *m, const char *key, size_t *val);

void *scn__alloc(scn__ctx *c, arena *a, size_t size); /* zeroed; notes out-of-memory */
char *scn__strdup(scn__ctx *c, arena *a, const char *s, size_t len);
scn__node *scn__new_node(scn__ctx *c, scn__kind kind, const char *file, int line, int col);
/* Append to a sequence (one item) or mapping (key, value); the arrays grow in tree. */
int scn__append(scn__ctx *c, scn__node *coll, scn__node *a, scn__node *b, size_t *cap);

/* ---- load_compose.c: files, includes, overrides --------------------------------- */

/* Open path for reading only if it is a regular file: opened without blocking (a
 * FIFO with no writer would wait for ever), then fstat'ed before anything is read.
 * NULL otherwise, with *kind naming what it is ("a FIFO", "a folder", "a device"),
 * or *kind NULL and errno set when it cannot be opened.  *size (may be NULL): its
 * size.  Every file the loader reads goes through here. */
FILE *scn__open_regular(const char *path, const char **kind, size_t *size);

/* Whether path ends in .yaml or .yml: a file the user calls YAML, whose lines the
 * diagnostics may quote before it has parsed (others' only once it has). */
int scn__yaml_name(const char *path);

/* ---- load_fields.c: schema helpers ---------------------------------------------- */

void scn__error(scn__ctx *c, const scn__node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void scn__warning(scn__ctx *c, const scn__node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

const char *scn__kind_phrase(const scn__node *n); /* "a list", "a mapping", "'text'" */
int scn__is_null(const scn__node *n);
/* The nearest candidate to word (edit distance <= 2, a prefix, or a known synonym),
 * or NULL. */
const char *scn__suggest(const char *word, const char *const *cand, size_t n);

/* Check n is a mapping/list, else report "'key' should be a ..., got ...". */
int scn__expect_map(scn__ctx *c, const scn__node *n, const char *key);
int scn__expect_seq(scn__ctx *c, const scn__node *n, const char *key);
/* Report keys of map not in allowed (NULL-terminated), with a suggestion. */
void scn__check_keys(scn__ctx *c, const scn__node *map, const char *what,
                     const char *const *allowed);
const scn__node *scn__get(const scn__node *map, const char *key);
const scn__node *scn__key(const scn__node *map, const char *key); /* the key node itself */
/* Like scn__get, but a missing key is reported at the mapping. */
const scn__node *scn__need(scn__ctx *c, const scn__node *map, const char *key, const char *what);

/* Field readers: 0 on success; on failure -1 with the problem reported at n. */
int scn__text(scn__ctx *c, const scn__node *n, const char *key, const char **out);
int scn__number(scn__ctx *c, const scn__node *n, const char *key, double lo, double hi,
                double *out);
int scn__quantity(scn__ctx *c, const scn__node *n, const char *key, qty_kind kind, double *out);
int scn__integer(scn__ctx *c, const scn__node *n, const char *key, long long lo, long long hi,
                 long long *out);
/* A whole number from 0 to UINT64_MAX (a seed). */
int scn__uint64(scn__ctx *c, const scn__node *n, const char *key, uint64_t *out);
int scn__boolean(scn__ctx *c, const scn__node *n, const char *key, int *out);
int scn__probability(scn__ctx *c, const scn__node *n, const char *key, double *out);
int scn__choice(scn__ctx *c, const scn__node *n, const char *key, const char *const *names,
                size_t count, int *out);
int scn__latlon(scn__ctx *c, const scn__node *n, const char *key, double *lat, double *lon);
/* A distribution of quantities of kind: a bare quantity (fixed) or {dist: ..., ...}.
 * Parameters of a unit-carrying kind must not be negative. */
int scn__dist(scn__ctx *c, const scn__node *n, const char *key, qty_kind kind, dist *out);

/* Ids: add returns the new index, or -1 for a duplicate (reported); resolve returns
 * the index of the id written at ref, or -1 (reported, with a suggestion). */
void scn__ids_init(scn__ids *ids, const char *what);
int scn__ids_add(scn__ctx *c, scn__ids *ids, const scn__node *at, const char *id);
int scn__ids_resolve(scn__ctx *c, const scn__ids *ids, const scn__node *ref);
/* A mission's asset entry: resolve its required 'force', and take count, speed and
 * endurance from that force, 'count' (if written) limited to the force's.  Returns
 * the force index, or -1 after reporting an error. */
int scn__force_asset(scn__ctx *c, const scn__node *m, const char *what, int *count,
                     double *speed, double *endurance);
/* Read and register the required `id` of an item; -1 if missing or a duplicate. */
int scn__item_id(scn__ctx *c, const scn__node *item, scn__ids *ids, const char **id);
scn_loc scn__loc(const scn__node *n);

/* load.c: scn_load() with another interpretation of the composed file (a mission's
 * own kind of file: a SAR case file); a UTC time "YYYY-MM-DDTHH:MM[:SS]Z" to Unix seconds (1 if valid). */
int scn__load_with(scn_scenario **out, const char *path, const scn_load_options *opt, diag *d,
                   void (*interpret_root)(scn__ctx *, const scn__node *));
int scn__parse_epoch(const char *s, int64_t *out);

/* ---- load.c: the loaded sections -------------------------------------------------- */

/* Store a mission section's loaded value in the scenario (scn_section_of finds it by
 * def->name): the loader does this for each section of the table; a loader of its own
 * (scn__load_with) calls it itself.  Notes out-of-memory. */
void scn__section_put(scn__ctx *c, const scn_section *def, const void *section);

#endif
