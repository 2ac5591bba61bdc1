/* searoute.h - ships' paths over water: shortest paths on a water grid cut from the
 * GSHHG land mask, kept a clearance from the coast (docs/models.md "Sea routing").
 *
 * geo_sea_open() rasterises the land mask over a box, marks the cells that lie at
 * least `clearance` from land (and off islets smaller than the raster sees), and joins
 * grid nodes (every `step` mask cells) to their 16 neighbours (the 8 of a chessboard
 * king and the 8 of a knight) where the straight line between them stays clear; in
 * open water only the nodes of coarser lattices (every 2, 4, 8 nodes) are kept, joined
 * by the same moves at their scale.  Arc lengths are WGS84 geodesics.  Per source (a
 * port), geo_sea_cover() runs LEMON's Dijkstra once and keeps the field of distances;
 * then geo_sea_distance() answers the sea distance from that source to any point (a
 * port, a moving ship's position) with a table lookup, no allocation, and
 * geo_sea_path() gives the path as a polyline, pulled straight where the water
 * allows (A* when no field covers the target), once per (source, target).  End points
 * need not lie on the grid: a point joins the nodes within `reach` of it that it sees
 * over water (a port that the coastline's resolution closes in joins its nearest
 * nodes anyway, over at most `reach`).
 *
 * Ownership: geo_sea_open/geo_sea_close are paired.  The last sea opened is kept for
 * the process (and handed out again to a caller asking for the same box and options),
 * so a run, its report, its models and every point of a sweep share one.  A geo_sea is
 * thread-safe: sources, fields and paths are added under its lock (a field is searched
 * outside it); lookups only read, and sources are never added while they run. */
#ifndef STRAITS_SEAROUTE_H
#define STRAITS_SEAROUTE_H

#include <stddef.h>
#include "diag.h"
#include "gshhg.h"

typedef struct geo_sea_options {
  double mask_res;  /* degrees: the land mask's cell */
  int step;         /* mask cells between graph nodes (>= 1) */
  double clearance; /* m kept from land (mask cells within it are not sailed) */
  double reach;     /* m: how far an end point may lie from the graph */
  char coastline;   /* finest GSHHG resolution wanted: 'c', 'l', 'i', 'h', 'f' */
} geo_sea_options;

#define GEO_SEA_OPTIONS_INIT {0.01, 6, 1000.0, 15000.0, 'i'}
#define GEO_SEA_MAX_SOURCES 256

typedef struct geo_sea geo_sea;

/* A polyline, from the source to the target, and its WGS84 length in m. */
typedef struct geo_path {
  size_t n;
  double *lat, *lon;
  double length;
} geo_path;

/* Open the sea over box (see geo_box; at most 360 x 180 degrees and
 * GEO_LANDMASK_MAX_CELLS cells).  Returns 0; ERR_NOTFOUND when no GSHHG file is
 * installed (nothing reported: the caller decides), or ERR_IO / ERR_INPUT /
 * ERR_LIMIT / ERR_RANGE / ERR_NOMEM with the reason in d. */
int geo_sea_open(geo_sea **out, const geo_box *box, const geo_sea_options *o, diag *d);
void geo_sea_close(geo_sea *s); /* NULL is a no-op */

/* The source at lat/lon (the same point asked twice is the same source): its index
 * >= 0, or ERR_NOMEM / ERR_LIMIT.  A source that no node can join is valid: nothing
 * can be reached from it. */
int geo_sea_source(geo_sea *s, double lat, double lon);

/* The path from source src to lat/lon into *out (release with geo_path_release): an
 * A* search (LEMON's Dijkstra on lengths reduced by a great-circle bound), run once
 * per (source, target) and kept.  Returns 0, ERR_NOTFOUND when the target cannot be
 * reached over water, ERR_NOMEM. */
int geo_sea_path(geo_sea *s, int src, double lat, double lon, geo_path *out);

/* Make geo_sea_distance() exact out to `radius` m from source src (one Dijkstra from
 * it, stopped there; a larger radius later runs it again).  0 or ERR_NOMEM. */
int geo_sea_cover(geo_sea *s, int src, double radius);
/* geo_sea_cover() for n sources, up to `threads` at a time (the result is the same
 * for any number).  0, or the first error. */
int geo_sea_cover_all(geo_sea *s, const int *src, int n, double radius, int threads);

/* Sea distance in m from source src to lat/lon over the grid (a little longer than
 * the pulled-straight path: by up to 3% where a straight line runs between the 16
 * directions), INFINITY when the point cannot be reached or lies beyond what
 * geo_sea_cover() covered.  No allocation: for event loops (a ship at sea). */
double geo_sea_distance(const geo_sea *s, int src, double lat, double lon);
void geo_path_release(geo_path *p);

/* The point `along` m from lat/lon toward source src on the field's path (the grid
 * path geo_sea_distance measures: node to node by the Dijkstra tree), into *at_lat,
 * *at_lon: the source itself once along reaches the distance.  For a ship part way
 * along a leg to a port (where it is when its port closes).  0; ERR_NOTFOUND where
 * geo_sea_distance is INFINITY.  No allocation. */
int geo_sea_along(const geo_sea *s, int src, double lat, double lon, double along,
                  double *at_lat, double *at_lon);

/* Whether the straight leg (linear in lat/lon) a -> b crosses land, leaving out the
 * first `slack_a` m from a and the last `slack_b` m before b (a port's own shore):
 * 1 with the first land point in *lat, *lon, else 0. */
int geo_sea_crosses(const geo_sea *s, double a_lat, double a_lon, double b_lat, double b_lon,
                    double slack_a, double slack_b, double *lat, double *lon);

/* Whether lat/lon is land (GSHHG level 1 or 3) on the sea's mask; the resolution
 * letter of the coastline in use. */
int geo_sea_is_land(const geo_sea *s, double lat, double lon);
char geo_sea_coastline(const geo_sea *s);
/* Graph size: navigable nodes and arcs (for benchmarks and tests). */
void geo_sea_size(const geo_sea *s, int *nodes, int *arcs);

#endif
