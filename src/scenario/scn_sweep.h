/* scn_sweep.h - a sweep file: a design over scenario overrides, for `straits sweep`.
 *
 *   sweep:
 *     name: quarantine odds x horizon
 *     scenario: ../scenarios/taiwan-strait.yaml  # relative to this file; default: shipped
 *     design: factorial            # or latin_hypercube
 *     points: 8                    # latin_hypercube only
 *     replications: 200            # per point (default: the scenario's)
 *     seed: 1                      # latin_hypercube sampling (default 1)
 *     factors:
 *       - {set: crisis.events.quarantine.p, values: [0.5, 0.7, 0.9]}
 *       - {set: scenario.horizon, min: 10d, max: 30d}   # latin_hypercube range
 *
 * Each factor names a --set path; its levels are written as --set values.  A range
 * (min/max, quantities of one kind or plain numbers) is for latin_hypercube only.
 * Read with the scenario loader's YAML tree, so problems are file:line:col.  The
 * sweep owns all of its memory (one arena). */
#ifndef STRAITS_SCN_SWEEP_H
#define STRAITS_SCN_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "quantity.h"
#include "scenario.h"

typedef enum scn_design { SCN_DESIGN_FACTORIAL, SCN_DESIGN_LHS } scn_design;

#define SCN_SWEEP_MAX_POINTS 100000
#define SCN_SWEEP_MAX_FACTORS 64

typedef struct scn_factor {
  const char *path;     /* the --set path, "crisis.events.quarantine.p" */
  size_t nvalue;        /* levels as written (0 for a range) */
  const char **value;
  double lo, hi;        /* a range, SI (latin_hypercube) */
  qty_kind kind;        /* of the range */
  scn_loc loc;
} scn_factor;

typedef struct scn_sweep {
  const char *name;
  const char *scenario; /* path of the scenario, as the sweep file's folder makes it;
                           NULL = the caller's default */
  const char *path;     /* the sweep file */
  scn_design design;
  int points;           /* design points (factorial: the product of the levels) */
  int replications;     /* per point; 0 = the scenario's */
  uint64_t seed;        /* latin_hypercube sampling */
  size_t nfactor;
  scn_factor *factor;
  char hash[65];        /* SHA-256 of the file's bytes, hex */
  void *mem_;
} scn_sweep;

/* Read and check a sweep file; every problem goes to d.  0, or ERR_INPUT / ERR_IO /
 * ERR_NOMEM with *out NULL. */
int scn_sweep_load(scn_sweep **out, const char *path, diag *d);
void scn_sweep_free(scn_sweep *sw); /* NULL is a no-op */

#endif
