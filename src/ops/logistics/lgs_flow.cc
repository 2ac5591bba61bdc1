// lgs_flow.cc - the C wrapper around LEMON's NetworkSimplex (lgs_flow.h).  The only
// C++ file in the tree: it keeps the graph, the data maps and the solver together so
// that repeated solves reuse their memory.
#include "lgs_flow.h"

#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>

#include <new>
#include <vector>

namespace {
typedef lemon::SmartDigraph Graph;
typedef lemon::NetworkSimplex<Graph, int64_t, int64_t> Solver;
}  // namespace

struct lgs_flow {
  Graph g;
  Graph::NodeMap<int64_t> supply;
  Graph::ArcMap<int64_t> cap, cost;
  Solver *ns;             // made at the first solve, once the topology is final
  std::vector<int64_t> flow, pot;
  lgs_flow_status status;
  double total;

  lgs_flow() : supply(g), cap(g), cost(g), ns(NULL), status(LGS_FLOW_ERROR), total(0) {}
  ~lgs_flow() { delete ns; }
};

extern "C" {

lgs_flow *lgs_flow_new(int node_hint, int arc_hint) {
  lgs_flow *f = new (std::nothrow) lgs_flow();
  if (!f) return NULL;
  try {
    if (node_hint > 0) f->g.reserveNode(node_hint);
    if (arc_hint > 0) f->g.reserveArc(arc_hint);
  } catch (...) {
    delete f;
    return NULL;
  }
  return f;
}

void lgs_flow_free(lgs_flow *f) { delete f; }

int lgs_flow_add_node(lgs_flow *f, int64_t supply) {
  if (f->ns) return -1;  // the topology is frozen after the first solve
  try {
    Graph::Node n = f->g.addNode();
    f->supply[n] = supply;
    return f->g.id(n);
  } catch (...) {
    return -1;
  }
}

int lgs_flow_add_arc(lgs_flow *f, int from, int to, int64_t capacity, int64_t cost) {
  int n = f->g.nodeNum();
  if (f->ns || from < 0 || to < 0 || from >= n || to >= n || capacity < 0) return -1;
  try {
    Graph::Arc a = f->g.addArc(f->g.nodeFromId(from), f->g.nodeFromId(to));
    f->cap[a] = capacity;
    f->cost[a] = cost;
    return f->g.id(a);
  } catch (...) {
    return -1;
  }
}

int lgs_flow_nodes(const lgs_flow *f) { return f->g.nodeNum(); }
int lgs_flow_arcs(const lgs_flow *f) { return f->g.arcNum(); }

void lgs_flow_set_supply(lgs_flow *f, int node, int64_t supply) {
  f->supply[f->g.nodeFromId(node)] = supply;
}
void lgs_flow_set_capacity(lgs_flow *f, int arc, int64_t capacity) {
  f->cap[f->g.arcFromId(arc)] = capacity < 0 ? 0 : capacity;
}
void lgs_flow_set_cost(lgs_flow *f, int arc, int64_t cost) { f->cost[f->g.arcFromId(arc)] = cost; }
int64_t lgs_flow_capacity(const lgs_flow *f, int arc) { return f->cap[f->g.arcFromId(arc)]; }
int64_t lgs_flow_cost(const lgs_flow *f, int arc) { return f->cost[f->g.arcFromId(arc)]; }

lgs_flow_status lgs_flow_solve(lgs_flow *f) {
  try {
    if (!f->ns) {
      f->ns = new Solver(f->g);
      f->flow.resize(f->g.arcNum());
      f->pot.resize(f->g.nodeNum());
    }
    // Setting a map copies it into the solver's arrays (no allocation).
    Solver::ProblemType r =
        f->ns->upperMap(f->cap).costMap(f->cost).supplyMap(f->supply).run();
    if (r == Solver::INFEASIBLE) return f->status = LGS_FLOW_INFEASIBLE;
    if (r == Solver::UNBOUNDED) return f->status = LGS_FLOW_UNBOUNDED;
    long double total = 0;
    for (Graph::ArcIt a(f->g); a != lemon::INVALID; ++a) {
      int64_t x = f->ns->flow(a);
      f->flow[f->g.id(a)] = x;
      total += (long double)x * (long double)f->cost[a];
    }
    for (Graph::NodeIt n(f->g); n != lemon::INVALID; ++n)
      f->pot[f->g.id(n)] = f->ns->potential(n);
    f->total = (double)total;
    return f->status = LGS_FLOW_OPTIMAL;
  } catch (...) {
    return f->status = LGS_FLOW_ERROR;
  }
}

lgs_flow_status lgs_flow_status_of(const lgs_flow *f) { return f->status; }
int64_t lgs_flow_flow(const lgs_flow *f, int arc) { return f->flow[arc]; }
int64_t lgs_flow_potential(const lgs_flow *f, int node) { return f->pot[node]; }
double lgs_flow_total_cost(const lgs_flow *f) { return f->total; }

}  // extern "C"
