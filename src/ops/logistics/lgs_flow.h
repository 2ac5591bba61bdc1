/* lgs_flow.h - min-cost flow for the logistics planner: a C face on LEMON's
 * NetworkSimplex (Kovacs 2015; LEMON 1.3, Boost licence), the only C++ in the tree.
 *
 * Build a network once (nodes with supply, arcs with capacity and cost), then solve
 * it as often as needed, changing supplies, capacities and costs in between; the
 * topology is fixed after the first solve.  Amounts and costs are integers (LEMON's
 * network simplex is exact on integer data): callers scale their quantities.
 *
 * Ownership: lgs_flow_new/lgs_flow_free.  Adding nodes/arcs allocates (do it before
 * an event loop); setting values and solving do not allocate once the network has
 * been solved once.  One lgs_flow is used by one thread at a time. */
#ifndef STRAITS_LOG_FLOW_H
#define STRAITS_LOG_FLOW_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lgs_flow lgs_flow;

typedef enum lgs_flow_status {
  LGS_FLOW_OPTIMAL = 0,
  LGS_FLOW_INFEASIBLE = 1, /* supplies cannot be routed within the capacities */
  LGS_FLOW_UNBOUNDED = 2,  /* a negative-cost cycle of unbounded capacity */
  LGS_FLOW_ERROR = 3       /* out of memory or bad arguments */
} lgs_flow_status;

#define LGS_FLOW_INF INT64_MAX /* an uncapacitated arc */

/* NULL when out of memory.  The hints only reserve room. */
lgs_flow *lgs_flow_new(int node_hint, int arc_hint);
void lgs_flow_free(lgs_flow *f); /* NULL is a no-op */

/* Node index (0, 1, ...) or -1 on error.  supply > 0 is a source, < 0 a sink; the
 * supplies must sum to zero for a solution to exist. */
int lgs_flow_add_node(lgs_flow *f, int64_t supply);
/* Arc index (0, 1, ...) or -1; capacity >= 0 (LGS_FLOW_INF: none). */
int lgs_flow_add_arc(lgs_flow *f, int from, int to, int64_t capacity, int64_t cost);

int lgs_flow_nodes(const lgs_flow *f);
int lgs_flow_arcs(const lgs_flow *f);
void lgs_flow_set_supply(lgs_flow *f, int node, int64_t supply);
void lgs_flow_set_capacity(lgs_flow *f, int arc, int64_t capacity);
void lgs_flow_set_cost(lgs_flow *f, int arc, int64_t cost);
int64_t lgs_flow_capacity(const lgs_flow *f, int arc);
int64_t lgs_flow_cost(const lgs_flow *f, int arc);

/* Solve the min-cost flow problem with the current data (supplies balanced: every
 * source must send and every sink must receive exactly its amount). */
lgs_flow_status lgs_flow_solve(lgs_flow *f);
lgs_flow_status lgs_flow_status_of(const lgs_flow *f); /* of the last solve */

/* After an OPTIMAL solve: the flow on an arc, the node potentials (dual values: for
 * every arc, reduced cost = cost + potential[from] - potential[to] >= 0 when the arc
 * can carry more, <= 0 when it carries flow), and the total cost. */
int64_t lgs_flow_flow(const lgs_flow *f, int arc);
int64_t lgs_flow_potential(const lgs_flow *f, int node);
/* Exact as long as the sum fits in 64 bits; sums in long double otherwise. */
double lgs_flow_total_cost(const lgs_flow *f);

#ifdef __cplusplus
}
#endif

#endif
