/* sea_internal.h - the sea router's layout (searoute.c), shared with its cache on disk
 * (sea_cache.c); not a public header. */
#ifndef STRAITS_SEA_INTERNAL_H
#define STRAITS_SEA_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "geo_graph.h"
#include "landmask.h"
#include "searoute.h"

#define NDIR 16
#define CLEAR 0x80    /* in a mask cell's byte, over its GSHHG level */
#define TRAIL_MAX 256 /* cells on one arc's line (a knight's move of 2 x 6 cells: 37) */

/* A path asked for once, kept for the next caller. */
typedef struct sea_route {
  double lat, lon;
  int found;
  geo_path path;
  struct sea_route *next;
} sea_route;

typedef struct sea_source {
  double lat, lon;
  int nseed;
  int *seed;        /* [nseed] the nodes the point joins */
  double *hop;      /* [nseed] m from the point to each */
  double *dist;     /* [nnode] m from the point, INFINITY unreached; NULL: no field yet */
  int *pred;        /* [nnode] previous node on the path, -1 at the first node */
  double limit;     /* m: the field is exact out to here */
  int gi, gj, open; /* its grid cell and that cell's openness (0 outside the grid) */
  sea_route *routes;
} sea_source;

struct geo_sea {
  geo_sea_options o;
  geo_box box;
  char path[1024];
  geo_landmask land; /* GSHHG levels at o.mask_res (bits 0-2), and CLEAR (bit 7): sea
                        at least o.clearance from land */
  int ni, nj;        /* node rows and columns */
  int *node;         /* [ni * nj] node index, or -1 (not navigable) */
  int nnode, narc;
  int *cell;   /* [nnode] gi * nj + gj */
  double *xyz; /* [3 * nnode] unit vectors of the nodes (the search's bound) */
  /* [ni * nj] 1: the mask is clear over the grid cell whose south-west corner is this
   * node (a point inside sees its four corners) */
  uint8_t *open;
  int *odist; /* [ni * nj] openness: nodes to the nearest grid cell not open */
  geo__graph *g;
  double slack; /* m near an end point where the line may touch land */
  pthread_mutex_t lock;
  int nsrc;
  sea_source src[GEO_SEA_MAX_SOURCES];
  int refs;             /* guarded by the process cache's lock */
  uint64_t cache_key;   /* of its files on disk (sea_cache.c), 0: none */
  uint64_t cache_build; /* the program that wrote them (sea_cache.c) */
  /* The mask cells a forward move's line passes (from the start node's cell), the
   * same for every node: the graph's arcs are tested by table. */
  int ntrail[NDIR / 2];
  int trail[NDIR / 2][TRAIL_MAX][2];
};

/* ---- the cache on disk (sea_cache.c) ------------------------------------------------ *
 * A sea built once is kept in a file keyed by the GSHHG file (path, size, time), the box
 * and the options, and each full Dijkstra field beside it keyed by its source's point,
 * so a later process reads them instead of building them (docs/models.md "Sea
 * routing").  Files carry an XXH3 checksum; one that is short, damaged or of another
 * layout is ignored (and rewritten).  The directory: $STRAITS_CACHE_DIR (empty or
 * "off": no cache), else $XDG_CACHE_HOME/straits, else $HOME/.cache/straits. */

/* The key of s (s->path, s->box, s->o) into s->cache_key; 0 when there is no cache. */
void geo__sea_cache_key(geo_sea *s);
/* Read the sea's mask and graph into s (land, ni, nj, node, open, odist, nnode, narc)
 * and its graph's compressed rows into *first, *head, *len (the caller frees them):
 * 0, or -1 with nothing changed in s when there is no usable file. */
int geo__sea_cache_load(geo_sea *s, int **first, int **head, double **len);
/* Write them (after a build); failures are silent: the cache is only a cache. */
void geo__sea_cache_save(const geo_sea *s, const int *first, const int *head, const double *len);
/* A full field (limit INFINITY) of source q into dist and pred [nnode]: 0, or -1. */
int geo__sea_field_load(const geo_sea *s, const sea_source *q, double *dist, int *pred);
void geo__sea_field_save(const geo_sea *s, const sea_source *q, const double *dist,
                         const int *pred);

#endif
