// geo_graph.cc - LEMON's Dijkstra over a StaticDigraph for the sea router (geo_graph.h).
#include "geo_graph.h"

#include <lemon/dijkstra.h>
#include <lemon/static_graph.h>

#include <cmath>
#include <new>
#include <utility>
#include <vector>

namespace {
typedef lemon::StaticDigraph Graph;

// Arc lengths straight from the caller's order: StaticDigraph numbers the arcs in the
// order they are given, and they are given sorted by tail.
struct LengthMap {
  typedef Graph::Arc Key;
  typedef double Value;
  const std::vector<double> *len;
  const Graph *g;
  Value operator[](const Key &a) const { return (*len)[g->id(a)]; }
};

// Reduced lengths for the aimed search; never below zero, which rounding could give.
struct ReducedMap {
  typedef Graph::Arc Key;
  typedef double Value;
  const std::vector<double> *len;
  const Graph *g;
  double (*pot)(const void *, int);
  const void *ctx;
  Value operator[](const Key &a) const {
    double r = (*len)[g->id(a)] + pot(ctx, g->id(g->target(a))) - pot(ctx, g->id(g->source(a)));
    return r > 0 ? r : 0;
  }
};
}  // namespace

struct geo__graph {
  Graph g;
  std::vector<double> len;
};

extern "C" {

geo__graph *geo__graph_new(int nnode, const int *first, const int *head, const double *len) {
  if (nnode < 0 || (nnode > 0 && first[0] != 0)) return NULL;
  geo__graph *g = new (std::nothrow) geo__graph();
  if (!g) return NULL;
  try {
    int narc = nnode ? first[nnode] : 0;
    std::vector<std::pair<int, int> > arcs;
    arcs.reserve((size_t)narc);
    for (int u = 0; u < nnode; u++) {
      if (first[u + 1] < first[u]) throw 0;
      for (int a = first[u]; a < first[u + 1]; a++) {
        if (head[a] < 0 || head[a] >= nnode || !(len[a] >= 0)) throw 0;
        arcs.push_back(std::make_pair(u, head[a]));
      }
    }
    g->len.assign(len, len + narc);
    g->g.build(nnode, arcs.begin(), arcs.end());
  } catch (...) {
    delete g;
    return NULL;
  }
  return g;
}

void geo__graph_free(geo__graph *g) { delete g; }

int geo__graph_paths(const geo__graph *g, const int *src, const double *d0, int nsrc,
                     double limit, double *dist, int *pred) {
  try {
    LengthMap lm = {&g->len, &g->g};
    lemon::Dijkstra<Graph, LengthMap> dij(g->g, lm);
    int n = g->g.nodeNum();
    for (int u = 0; u < n; u++) dist[u] = INFINITY, pred[u] = -1;
    dij.init();
    for (int i = 0; i < nsrc; i++) {
      Graph::Node s = g->g.node(src[i]);
      if (!dij.reached(s)) dij.addSource(s, d0[i]);  // sources are distinct (geo_graph.h)
    }
    while (!dij.emptyQueue()) {
      Graph::Node v = dij.nextNode();
      if (dij.currentDist(v) > limit) break;
      dij.processNextNode();
      int id = g->g.id(v);
      dist[id] = dij.dist(v);
      Graph::Node p = dij.predNode(v);
      pred[id] = p == lemon::INVALID ? -1 : g->g.id(p);
    }
    return 0;
  } catch (...) {
    return -1;
  }
}

int geo__graph_aim(const geo__graph *g, const int *src, const double *d0, int nsrc,
                   const int *tgt, int ntgt, double (*pot)(const void *ctx, int u),
                   const void *ctx, double *dist, int *pred) {
  try {
    ReducedMap rm = {&g->len, &g->g, pot, ctx};
    lemon::Dijkstra<Graph, ReducedMap> dij(g->g, rm);
    int n = g->g.nodeNum();
    std::vector<char> wanted((size_t)n, 0);
    int left = 0;
    for (int i = 0; i < ntgt; i++)
      if (!wanted[(size_t)tgt[i]]) wanted[(size_t)tgt[i]] = 1, left++;
    for (int u = 0; u < n; u++) dist[u] = INFINITY, pred[u] = -1;
    dij.init();
    for (int i = 0; i < nsrc; i++) {
      Graph::Node s = g->g.node(src[i]);
      if (!dij.reached(s)) dij.addSource(s, d0[i] + pot(ctx, src[i]));
    }
    while (left > 0 && !dij.emptyQueue()) {
      Graph::Node v = dij.processNextNode();
      int id = g->g.id(v);
      dist[id] = dij.dist(v) - pot(ctx, id);
      Graph::Node p = dij.predNode(v);
      pred[id] = p == lemon::INVALID ? -1 : g->g.id(p);
      if (wanted[(size_t)id]) wanted[(size_t)id] = 0, left--;
    }
    return 0;
  } catch (...) {
    return -1;
  }
}

}  // extern "C"
