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
  metric_set_init(ms);
}

static char *copy_str(const char *s) {
  if (!s) s = "";
  size_t len = strlen(s) + 1;
  char *p = malloc(len);
  if (p) memcpy(p, s, len);
  return p;
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
  metric_def d = {copy_str(module), copy_str(name), copy_str(unit),
                  copy_str(description), flags};
  if (!d.module || !d.name || !d.unit || !d.description) {
    def_release(&d);
    return ERR_NOMEM;
  }
  ms->def[ms->n] = d;
  return (int)ms->n++;
}

int metric_find(const metric_set *ms, const char *module, const char *name) {
  for (size_t i = 0; i < ms->n; i++)
    if (strcmp(ms->def[i].name, name) == 0 && strcmp(ms->def[i].module, module) == 0)
      return (int)i;
  return -1;
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
     * so the total stays under twice the final size. */
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
