/* lgs_lp.h - the multi-commodity min-cost flow LP (GLPK's simplex), for the one case a
 * network flow cannot express: several commodities sharing one capacity (a ship's
 * time, a berth's hours).  Also the second solver the network simplex is checked
 * against (tests/ops/logistics, bench/bench_logflow.c).
 *
 * Problem (docs/models.md, logistics): K commodities on one digraph of n nodes and
 * m arcs.  Variables x[k][a] >= 0.  For each k and node v:
 *   sum_{a out of v} x[k][a] - sum_{a into v} x[k][a] = supply[k][v]
 * for each k and arc: x[k][a] <= cap[k][a]; for each bundle b:
 *   sum_{k, a in bundle b} weight[k][a] x[k][a] <= bundle_cap[b]
 * minimise sum cost[k][a] x[k][a].  Arrays are row-major by commodity: [k * m + a].
 * Capacities < 0 mean none.  Nothing is kept; the caller owns every array. */
#ifndef STRAITS_LOG_LP_H
#define STRAITS_LOG_LP_H

typedef struct lgs_lp_problem {
  int ncommodity, nnode, narc;
  const int *from, *to;      /* [narc] */
  const double *supply;      /* [ncommodity * nnode] */
  const double *cap, *cost;  /* [ncommodity * narc] */
  int nbundle;
  const int *bundle;         /* [narc]: bundle of each arc, or -1 */
  const double *weight;      /* [ncommodity * narc], read for arcs in a bundle */
  const double *bundle_cap;  /* [nbundle] */
} lgs_lp_problem;

/* 0 and the optimum in *cost_out and flow[k * narc + a] (may be NULL); ERR_RANGE when
 * infeasible or unbounded; ERR_NOMEM; ERR_INPUT for bad sizes. */
int lgs_lp_solve(double *cost_out, double *flow, const lgs_lp_problem *p);

/* ---- a persistent LP, re-solved every planning round ------------------------------------
 * The logistics planner's coupled multi-commodity problem keeps its matrix from round to
 * round and changes only bounds; each solve starts from the previous optimal basis
 * (GLPK's dual simplex), which makes a re-solve a handful of pivots.  GLPK's memory
 * belongs to the thread that made the object: create, use and free it on one thread.
 * When a thread's last lgs_lp object (or lgs_lp_solve call) ends, its GLPK environment
 * is freed, so code that calls GLPK directly must not keep GLPK objects of its own
 * across that point on the same thread (bench_logflow deletes its graph first).  Rows and columns
 * are numbered from 0.  Bounds: lo = -INFINITY / hi = INFINITY for none; lo == hi fixes.
 * Ownership: lgs_lp_new/lgs_lp_free; one object is used by one thread at a time. */
typedef struct lgs_lp lgs_lp;

lgs_lp *lgs_lp_new(int nrow, int ncol); /* NULL when out of memory */
void lgs_lp_free(lgs_lp *lp);           /* NULL is a no-op */
/* The matrix, once, before the first solve; each (row, col) at most once (GLPK aborts
 * on a duplicate). */
int lgs_lp_add(lgs_lp *lp, int row, int col, double coef);
void lgs_lp_set_row(lgs_lp *lp, int row, double lo, double hi);
void lgs_lp_set_col(lgs_lp *lp, int col, double lo, double hi, double cost);
/* 0 at an optimum; ERR_RANGE when infeasible or unbounded; ERR_NOMEM. */
int lgs_lp_run(lgs_lp *lp);
double lgs_lp_objective(const lgs_lp *lp);
double lgs_lp_value(const lgs_lp *lp, int col);
/* Shadow price of a row (d objective / d bound) and reduced cost of a column. */
double lgs_lp_row_dual(const lgs_lp *lp, int row);
double lgs_lp_col_dual(const lgs_lp *lp, int col);

#endif
