/* lgs_lp.c - the multi-commodity min-cost flow LP through GLPK's simplex (lgs_lp.h). */
#include "lgs_lp.h"

#include <glpk.h>
#include <math.h>
#include <stdlib.h>

#include "err.h"

/* GLPK keeps its memory in an environment per thread (a block freed by another thread
 * aborts), and a thread's environment outlives its problems: each thread counts the
 * problems it holds and frees its environment when the last one goes, so worker
 * threads leave nothing behind. */
static _Thread_local int live_problems;

static glp_prob *problem_new(void) {
  live_problems++;
  return glp_create_prob();
}

static void problem_free(glp_prob *p) {
  if (!p) return;
  glp_delete_prob(p);
  if (--live_problems == 0) glp_free_env();
}

int lgs_lp_solve(double *cost_out, double *flow, const lgs_lp_problem *p) {
  int K = p->ncommodity, n = p->nnode, m = p->narc, nb = p->nbundle;
  if (K < 1 || n < 1 || m < 0 || nb < 0) return ERR_INPUT;
  size_t nz = (size_t)K * m * 3 + 1;
  int *ia = malloc(nz * sizeof *ia), *ja = malloc(nz * sizeof *ja);
  double *ar = malloc(nz * sizeof *ar);
  glp_prob *lp = NULL;
  int err = ERR_NOMEM;
  if (!ia || !ja || !ar) goto done;

  lp = problem_new();
  glp_set_obj_dir(lp, GLP_MIN);
  /* Rows: node balance per (k, v), then bundles. */
  glp_add_rows(lp, K * n + nb);
  for (int k = 0; k < K; k++)
    for (int v = 0; v < n; v++) {
      double s = p->supply[(size_t)k * n + v];
      glp_set_row_bnds(lp, k * n + v + 1, GLP_FX, s, s);
    }
  for (int b = 0; b < nb; b++) {
    double c = p->bundle_cap[b];
    glp_set_row_bnds(lp, K * n + b + 1, c < 0 ? GLP_FR : GLP_UP, 0, c < 0 ? 0 : c);
  }
  if (m > 0) glp_add_cols(lp, K * m);
  size_t e = 0;
  for (int k = 0; k < K; k++)
    for (int a = 0; a < m; a++) {
      int col = k * m + a + 1;
      double c = p->cap[(size_t)k * m + a];
      if (c < 0) glp_set_col_bnds(lp, col, GLP_LO, 0, 0);
      else if (c == 0) glp_set_col_bnds(lp, col, GLP_FX, 0, 0);
      else glp_set_col_bnds(lp, col, GLP_DB, 0, c);
      glp_set_obj_coef(lp, col, p->cost[(size_t)k * m + a]);
      ++e, ia[e] = k * n + p->from[a] + 1, ja[e] = col, ar[e] = 1;
      ++e, ia[e] = k * n + p->to[a] + 1, ja[e] = col, ar[e] = -1;
      if (p->bundle && p->bundle[a] >= 0 && p->bundle[a] < nb)
        ++e, ia[e] = K * n + p->bundle[a] + 1, ja[e] = col, ar[e] = p->weight[(size_t)k * m + a];
    }
  glp_load_matrix(lp, (int)e, ia, ja, ar);
  glp_smcp parm;
  glp_init_smcp(&parm);
  parm.msg_lev = GLP_MSG_OFF; /* library code never prints (STYLE.md) */
  parm.presolve = GLP_ON;
  err = ERR_RANGE;
  if (glp_simplex(lp, &parm) != 0 || glp_get_status(lp) != GLP_OPT) goto done;
  if (cost_out) *cost_out = glp_get_obj_val(lp);
  if (flow)
    for (int j = 0; j < K * m; j++) flow[j] = glp_get_col_prim(lp, j + 1);
  err = 0;
done:
  problem_free(lp);
  free(ia), free(ja), free(ar);
  return err;
}

/* ---- the persistent LP ------------------------------------------------------------------- */

struct lgs_lp {
  glp_prob *p;
  int nrow, ncol;
  int *ia, *ja; /* triplets gathered until the first solve (1-based for GLPK) */
  double *ar;
  size_t n, cap;
  int loaded;   /* the matrix is in GLPK */
};

lgs_lp *lgs_lp_new(int nrow, int ncol) {
  if (nrow < 1 || ncol < 1) return NULL;
  lgs_lp *lp = calloc(1, sizeof *lp);
  if (!lp) return NULL;
  lp->p = problem_new();
  lp->nrow = nrow, lp->ncol = ncol;
  glp_set_obj_dir(lp->p, GLP_MIN);
  glp_add_rows(lp->p, nrow);
  glp_add_cols(lp->p, ncol);
  for (int i = 1; i <= nrow; i++) glp_set_row_bnds(lp->p, i, GLP_FR, 0, 0);
  for (int j = 1; j <= ncol; j++) glp_set_col_bnds(lp->p, j, GLP_LO, 0, 0);
  return lp;
}

void lgs_lp_free(lgs_lp *lp) {
  if (!lp) return;
  problem_free(lp->p);
  free(lp->ia), free(lp->ja), free(lp->ar);
  free(lp);
}

int lgs_lp_add(lgs_lp *lp, int row, int col, double coef) {
  if (lp->loaded || row < 0 || row >= lp->nrow || col < 0 || col >= lp->ncol) return ERR_INPUT;
  if (lp->n + 2 > lp->cap) {
    size_t cap = lp->cap ? 2 * lp->cap : 256;
    int *ia = realloc(lp->ia, cap * sizeof *ia);
    if (ia) lp->ia = ia;
    int *ja = realloc(lp->ja, cap * sizeof *ja);
    if (ja) lp->ja = ja;
    double *ar = realloc(lp->ar, cap * sizeof *ar);
    if (ar) lp->ar = ar;
    if (!ia || !ja || !ar) return ERR_NOMEM;
    lp->cap = cap;
  }
  ++lp->n;
  lp->ia[lp->n] = row + 1, lp->ja[lp->n] = col + 1, lp->ar[lp->n] = coef;
  return 0;
}

static int bnd_type(double lo, double hi) {
  if (isinf(lo) && isinf(hi)) return GLP_FR;
  if (isinf(hi)) return GLP_LO;
  if (isinf(lo)) return GLP_UP;
  return lo == hi ? GLP_FX : GLP_DB;
}

void lgs_lp_set_row(lgs_lp *lp, int row, double lo, double hi) {
  glp_set_row_bnds(lp->p, row + 1, bnd_type(lo, hi), isinf(lo) ? 0 : lo, isinf(hi) ? 0 : hi);
}

void lgs_lp_set_col(lgs_lp *lp, int col, double lo, double hi, double cost) {
  glp_set_col_bnds(lp->p, col + 1, bnd_type(lo, hi), isinf(lo) ? 0 : lo, isinf(hi) ? 0 : hi);
  glp_set_obj_coef(lp->p, col + 1, cost);
}

int lgs_lp_run(lgs_lp *lp) {
  if (!lp->loaded) {
    glp_load_matrix(lp->p, (int)lp->n, lp->ia, lp->ja, lp->ar);
    free(lp->ia), free(lp->ja), free(lp->ar);
    lp->ia = lp->ja = NULL, lp->ar = NULL;
    lp->loaded = 1;
    glp_std_basis(lp->p);
  }
  glp_smcp parm;
  glp_init_smcp(&parm);
  parm.msg_lev = GLP_MSG_OFF;
  parm.meth = GLP_DUALP; /* bounds change between rounds: the old basis stays dual feasible */
  /* A degenerate warm start can make GLPK's simplex stall for ever (seen on the default
     scenario); a small LP that has not converged within this many pivots is restarted
     below.  Counted in pivots, not seconds, so the outcome is the same on every machine.
     The default scenario's 92 x 125 LP takes 1 pivot at the median and 70 at most over
     45,000 warm solves, so 5 (m + n) = 1,085 leaves a wide margin; the first limit,
     50 (m + n), let each stall burn 50 ms, 30 times a replication's cost, and was most
     of the imbalance between MPI ranks (bench/README.md). */
  parm.it_lim = 5 * (lp->nrow + lp->ncol);
  int rc = glp_simplex(lp->p, &parm);
  if (rc != 0 || glp_get_status(lp->p) != GLP_OPT) {
    /* A basis gone bad (singular, or the dual phase gave up): start afresh. */
    glp_std_basis(lp->p);
    parm.meth = GLP_PRIMAL;
    parm.presolve = GLP_ON;
    rc = glp_simplex(lp->p, &parm);
    if (rc != 0 || glp_get_status(lp->p) != GLP_OPT) return ERR_RANGE;
    /* Presolve leaves the optimum without a basis: find it again, warm, for the duals
     * and the next run. */
    glp_std_basis(lp->p);
    parm.presolve = GLP_OFF;
    if (glp_simplex(lp->p, &parm) != 0 || glp_get_status(lp->p) != GLP_OPT) return ERR_RANGE;
  }
  return 0;
}

double lgs_lp_objective(const lgs_lp *lp) { return glp_get_obj_val(lp->p); }
double lgs_lp_value(const lgs_lp *lp, int col) { return glp_get_col_prim(lp->p, col + 1); }
double lgs_lp_row_dual(const lgs_lp *lp, int row) { return glp_get_row_dual(lp->p, row + 1); }
double lgs_lp_col_dual(const lgs_lp *lp, int col) { return glp_get_col_dual(lp->p, col + 1); }
