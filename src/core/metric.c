/* metric.c - the run's registry of metrics and one replication's values and series.
 * The registry is built once (malloc); per-replication output lives in the arena. */
#include "metric.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

void metric_set_init(metric_set *ms) {
  ms->def = NULL;
  ms->n = 0;
  ms->cap = 0;
  ms->slot = NULL;
  ms->nslot = 0;
}

static void def_release(metric_def *d) {
  free(d->module);
  free(d->name);
  free(d->unit);
  free(d->description);
}

void metric_set_release(metric_set *ms) {
  for (size_t i = 0; i < ms->n; i++) def_release(&ms->def[i]);
  free(ms->def);
  free(ms->slot);
  metric_set_init(ms);
}

static char *copy_str(const char *s) {
  if (!s) s = "";
  size_t len = strlen(s) + 1;
  char *p = malloc(len);
  if (p) memcpy(p, s, len);
  return p;
}

/* FNV-1a over module, a separator and name, so "a.b"+"c" and "a"+"b.c" differ. */
static size_t hash_key(const char *module, const char *name) {
  uint64_t h = UINT64_C(14695981039346656037);
  for (const unsigned char *p = (const unsigned char *)module; *p; p++)
    h = (h ^ *p) * UINT64_C(1099511628211);
  h = (h ^ 0xff) * UINT64_C(1099511628211); /* 0xff never occurs in UTF-8 */
  for (const unsigned char *p = (const unsigned char *)name; *p; p++)
    h = (h ^ *p) * UINT64_C(1099511628211);
  return (size_t)h;
}

/* Linear probing; returns the slot holding module.name, or the empty slot where it
 * would go.  nslot > n always, so an empty slot exists. */
static size_t find_slot(const metric_set *ms, const char *module, const char *name) {
  size_t mask = ms->nslot - 1;
  for (size_t s = hash_key(module, name) & mask;; s = (s + 1) & mask) {
    size_t i = ms->slot[s];
    if (i == 0) return s;
    const metric_def *d = &ms->def[i - 1];
    if (strcmp(d->name, name) == 0 && strcmp(d->module, module) == 0) return s;
  }
}

static int rehash(metric_set *ms, size_t nslot) {
  size_t *slot = calloc(nslot, sizeof *slot);
  if (!slot) return ERR_NOMEM;
  free(ms->slot);
  ms->slot = slot;
  ms->nslot = nslot;
  for (size_t i = 0; i < ms->n; i++)
    ms->slot[find_slot(ms, ms->def[i].module, ms->def[i].name)] = i + 1;
  return 0;
}

int metric_define(metric_set *ms, const char *module, const char *name,
                  const char *unit, unsigned flags, const char *description) {
  if (NEVER(!module || !name)) return ERR_INPUT;
  if (metric_find(ms, module, name) >= 0) return ERR_INPUT; /* names are keys */
  if (ms->n >= METRIC_MAX) return ERR_LIMIT;
  if (ms->n == ms->cap) {
    size_t cap = ms->cap ? 2 * ms->cap : 32;
    if (cap > METRIC_MAX) cap = METRIC_MAX;
    metric_def *def = realloc(ms->def, cap * sizeof *def);
    if (!def) return ERR_NOMEM;
    ms->def = def;
    ms->cap = cap;
  }
  /* Keep the index at most half full. */
  if (2 * (ms->n + 1) > ms->nslot) {
    int rc = rehash(ms, ms->nslot ? 2 * ms->nslot : 64);
    if (rc) return rc;
  }
  metric_def d = {copy_str(module), copy_str(name), copy_str(unit),
                  copy_str(description), flags};
  if (!d.module || !d.name || !d.unit || !d.description) {
    def_release(&d);
    return ERR_NOMEM;
  }
  ms->def[ms->n] = d;
  ms->slot[find_slot(ms, module, name)] = ms->n + 1;
  return (int)ms->n++;
}

int metric_find(const metric_set *ms, const char *module, const char *name) {
  if (ms->nslot == 0 || !module || !name) return -1;
  size_t i = ms->slot[find_slot(ms, module, name)];
  return i ? (int)(i - 1) : -1;
}

int metric_out_init(metric_out *o, const metric_set *ms, arena *a) {
  o->point = NULL;
  o->npoints = 0;
  o->cap = 0;
  o->arena = a;
  o->value = arena_alloc(a, ms->n * sizeof *o->value);
  if (!o->value) return ERR_LIMIT;
  for (size_t i = 0; i < ms->n; i++) o->value[i] = NAN;
  return 0;
}

int metric_point_add(metric_out *o, int metric, double t, double v) {
  if (o->npoints == o->cap) {
    /* Double inside the arena; the old block is abandoned until the arena resets,
     * so all the blocks together take less than twice the final one. */
    size_t cap = o->cap ? 2 * o->cap : 64;
    if (cap > SIZE_MAX / sizeof *o->point) return ERR_LIMIT;
    metric_point *p = arena_alloc(o->arena, cap * sizeof *p);
    if (!p) return ERR_LIMIT;
    if (o->npoints) memcpy(p, o->point, o->npoints * sizeof *p);
    o->point = p;
    o->cap = cap;
  }
  o->point[o->npoints++] = (metric_point){metric, t, v};
  return 0;
}
