/* log_lp.c - the multi-commodity min-cost flow LP through GLPK's simplex (log_lp.h). */
#include "log_lp.h"

#include <glpk.h>
#include <stdlib.h>

#include "err.h"

int log_lp_solve(double *cost_out, double *flow, const log_lp_problem *p) {
  int K = p->ncommodity, n = p->nnode, m = p->narc, nb = p->nbundle;
  if (K < 1 || n < 1 || m < 0 || nb < 0) return ERR_INPUT;
  size_t nz = (size_t)K * m * 3 + 1;
  int *ia = malloc(nz * sizeof *ia), *ja = malloc(nz * sizeof *ja);
  double *ar = malloc(nz * sizeof *ar);
  glp_prob *lp = NULL;
  int err = ERR_NOMEM;
  if (!ia || !ja || !ar) goto done;

  lp = glp_create_prob();
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
  if (lp) glp_delete_prob(lp);
  free(ia), free(ja), free(ar);
  return err;
}
