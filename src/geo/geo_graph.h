/* geo_graph.h - shortest paths for the sea router (geo-internal): a C face on LEMON's
 * Dijkstra (LEMON 1.3, Boost licence) over a StaticDigraph built once from arrays.
 *
 * The graph is given in compressed rows: node u's arcs are [first[u], first[u + 1])
 * with heads head[] and lengths len[] (m, >= 0).  geo__graph_new copies what it
 * needs; the caller keeps its arrays.  A geo__graph is read-only after it is built:
 * concurrent geo__graph_paths calls on one graph are safe (each makes its own state). */
#ifndef STRAITS_GEO_GRAPH_H
#define STRAITS_GEO_GRAPH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct geo__graph geo__graph;

/* NULL when out of memory or the arrays are inconsistent. */
geo__graph *geo__graph_new(int nnode, const int *first, const int *head, const double *len);
void geo__graph_free(geo__graph *g); /* NULL is a no-op */

/* Dijkstra from several distinct sources at once, source i starting at distance d0[i] (a
 * virtual origin joined to each): dist[u] is the shortest distance to node u and
 * pred[u] its predecessor on that path (-1 for a source or an unreached node);
 * unreached nodes get dist INFINITY.  Stops once every node closer than `limit` is
 * settled (INFINITY: all).  Returns 0, or -1 when out of memory. */
int geo__graph_paths(const geo__graph *g, const int *src, const double *d0, int nsrc,
                     double limit, double *dist, int *pred);

/* The same search aimed at a set of targets (A*, as Dijkstra on reduced lengths
 * len(u, v) + pot(v) - pot(u)): pot(ctx, u) must be a consistent lower bound of the
 * distance from u to the targets (|pot(u) - pot(v)| <= len(u, v)).  It stops once every
 * target node is settled; dist[] is exact at the settled nodes (the targets among
 * them) and INFINITY elsewhere.  Returns 0, or -1 when out of memory. */
int geo__graph_aim(const geo__graph *g, const int *src, const double *d0, int nsrc,
                   const int *tgt, int ntgt, double (*pot)(const void *ctx, int u),
                   const void *ctx, double *dist, int *pred);

#ifdef __cplusplus
}
#endif

#endif
