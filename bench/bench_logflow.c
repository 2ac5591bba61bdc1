/* bench_logflow.c - the min-cost flow wrapper (lgs_flow.h, LEMON's network simplex) on
 * a generated network, checked against GLPK's out-of-kilter solver (and, with --lp,
 * GLPK's simplex through lgs_lp.h).  Usage: bench_logflow [NODES ARCS [SEED]] [--lp]
 * Default: 5000 nodes, 50000 arcs.  Figures: bench/README.md. */
#include <glpk.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lgs_flow.h"
#include "lgs_lp.h"
#include "rng.h"
#include "bench_clock.h"

typedef struct net {
  int n, m;
  int *from, *to;
  long *cap, *cost, *supply;
} net;

/* A ring through every node (so any supply can reach any demand, at a price) plus
 * random arcs; 2% of nodes are sources and 2% sinks, the supplies balanced. */
static void generate(net *g, int n, int m, uint64_t seed) {
  rng_stream r;
  rng_init(&r, seed, 0, RNG_TEST, 42);
  g->n = n, g->m = m;
  g->from = calloc((size_t)m, sizeof *g->from), g->to = calloc((size_t)m, sizeof *g->to);
  g->cap = calloc((size_t)m, sizeof *g->cap), g->cost = calloc((size_t)m, sizeof *g->cost);
  g->supply = calloc((size_t)n, sizeof *g->supply);
  for (int a = 0; a < m; a++) {
    if (a < n) {
      g->from[a] = a, g->to[a] = (a + 1) % n, g->cap[a] = 100000, g->cost[a] = 100;
      continue;
    }
    int u = (int)(rng_u32(&r) % (uint32_t)n), v = (int)(rng_u32(&r) % (uint32_t)n);
    if (v == u) v = (v + 1) % n;
    g->from[a] = u, g->to[a] = v;
    g->cap[a] = 1 + (long)(rng_u32(&r) % 1000);
    g->cost[a] = 1 + (long)(rng_u32(&r) % 100);
  }
  int k = n / 50 > 0 ? n / 50 : 1;
  for (int i = 0; i < k; i++) {
    long s = 100 + (long)(rng_u32(&r) % 900);
    int u = (int)(rng_u32(&r) % (uint32_t)n), v = (int)(rng_u32(&r) % (uint32_t)n);
    g->supply[u] += s, g->supply[v] -= s;
  }
}

typedef struct vdata { double rhs, pi; } vdata;
typedef struct adata { double low, cap, cost, x; } adata;

static int okalg(double *cost, const net *g) {
  glp_graph *G = glp_create_graph(sizeof(vdata), sizeof(adata));
  glp_add_vertices(G, g->n);
  for (int i = 0; i < g->n; i++) ((vdata *)G->v[i + 1]->data)->rhs = (double)g->supply[i];
  for (int a = 0; a < g->m; a++) {
    glp_arc *e = glp_add_arc(G, g->from[a] + 1, g->to[a] + 1);
    adata *d = e->data;
    d->low = 0, d->cap = (double)g->cap[a], d->cost = (double)g->cost[a];
  }
  int rc = glp_mincost_okalg(G, offsetof(vdata, rhs), offsetof(adata, low), offsetof(adata, cap),
                             offsetof(adata, cost), cost, offsetof(adata, x), offsetof(vdata, pi));
  glp_delete_graph(G);
  return rc;
}

int main(int argc, char **argv) {
  int n = 5000, m = 50000, lp = 0, pos = 0;
  uint64_t seed = 1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--lp") == 0) lp = 1;
    else if (pos == 0) n = atoi(argv[i]), pos++;
    else if (pos == 1) m = atoi(argv[i]), pos++;
    else seed = strtoull(argv[i], NULL, 10);
  }
  if (n < 2 || m < n) {
    fprintf(stderr, "usage: bench_logflow [NODES ARCS [SEED]] [--lp] (ARCS >= NODES >= 2)\n");
    return 2;
  }
  net g;
  generate(&g, n, m, seed);
  printf("network: %d nodes, %d arcs, seed %llu\n", n, m, (unsigned long long)seed);

  double t0 = now_s();
  lgs_flow *f = lgs_flow_new(n, m);
  for (int i = 0; i < n; i++) lgs_flow_add_node(f, g.supply[i]);
  for (int a = 0; a < m; a++) lgs_flow_add_arc(f, g.from[a], g.to[a], g.cap[a], g.cost[a]);
  double t1 = now_s();
  lgs_flow_status st = lgs_flow_solve(f);
  double t2 = now_s();
  double lemon = lgs_flow_total_cost(f);
  /* Second solve on the same object (what the planner does every period). */
  lgs_flow_set_supply(f, 0, g.supply[0]);
  double t3 = now_s();
  lgs_flow_solve(f);
  double t4 = now_s();
  printf("lgs_flow (LEMON network simplex): status %d, cost %.0f\n", (int)st, lemon);
  printf("  build %.4f s, first solve %.4f s, repeat solve %.4f s\n", t1 - t0, t2 - t1, t4 - t3);

  double ok = NAN;
  t0 = now_s();
  int rc = okalg(&ok, &g);
  t1 = now_s();
  printf("GLPK glp_mincost_okalg: rc %d, cost %.0f, %.3f s\n", rc, ok, t1 - t0);
  int fail = st != LGS_FLOW_OPTIMAL || rc != 0 || ok != lemon;

  if (lp) {
    double *sup = malloc((size_t)n * sizeof *sup), *cap = malloc((size_t)m * sizeof *cap),
           *cost = malloc((size_t)m * sizeof *cost), c = NAN;
    for (int i = 0; i < n; i++) sup[i] = (double)g.supply[i];
    for (int a = 0; a < m; a++) cap[a] = (double)g.cap[a], cost[a] = (double)g.cost[a];
    lgs_lp_problem p = {1, n, m, g.from, g.to, sup, cap, cost, 0, NULL, NULL, NULL};
    t0 = now_s();
    int e = lgs_lp_solve(&c, NULL, &p);
    t1 = now_s();
    printf("GLPK glp_simplex (lgs_lp): rc %d, cost %.0f, %.3f s\n", e, c, t1 - t0);
    fail |= e != 0 || fabs(c - lemon) > 1e-6 * fabs(lemon);
    free(sup), free(cap), free(cost);
  }
  printf("%s\n", fail ? "MISMATCH" : "optimum agrees");
  lgs_flow_free(f);
  free(g.from), free(g.to), free(g.cap), free(g.cost), free(g.supply);
  return fail;
}
