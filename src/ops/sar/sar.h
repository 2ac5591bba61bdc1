/* sar.h - search and rescue: Leeway drift of the search object (Monte Carlo
 * particles), probability maps, optimal allocation of search effort, Bayesian
 * update after unsuccessful searches, and the Monte Carlo module that opens a case
 * when the crisis raises SIG_PERSON_MISSING.  Derivations and sources:
 * docs/models.md section "Search and rescue".
 *
 * Conventions.  Velocities are (east, north) in m/s.  Leeway is split into a
 * downwind component (along the direction the wind blows toward) and a crosswind
 * component that is POSITIVE TO THE RIGHT of downwind: with the wind blowing toward
 * the north, a particle on the right-hand side drifts east.  Each particle is on
 * one side (its `side`, +1 right, -1 left) and uses that side's coefficients; it
 * jibes (changes side) as a Poisson process.
 *
 * Ownership: particle arrays come from a caller's arena (sar_particles_alloc) and die
 * with it; the drift borrows the fields and land mask, which must outlive the call.
 * The model (sar_model_new) borrows the scenario.  sar includes core, geo, env and
 * scenario, and no other ops module. */
#ifndef STRAITS_SAR_H
#define STRAITS_SAR_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "metric.h"
#include "rng.h"
#include "sar_pattern.h"
#include "scenario.h"
#include "sim.h"

/* From env.h and landmask.h; declared here so that users of this header need
 * neither layer's include path. */
typedef struct env_field env_field;
struct geo_landmask;

/* ---- Leeway coefficients ----------------------------------------------------------
 * L = slope * W10 + offset (+ a per-particle random part, see sar_particles), W10 the
 * 10 m wind speed in m/s; slopes are fractions (0.0096 = 0.96 %), offsets and the
 * regression's standard error (std) in m/s. */
typedef struct sar_leeway {
  const char *name;   /* the class's code in the SAROPS/Allen table (PIW-1) */
  double dw_slope, dw_offset, dw_std;
  double cwr_slope, cwr_offset, cwr_std; /* right of downwind */
  double cwl_slope, cwl_offset, cwl_std; /* left of downwind (slope usually < 0) */
  const char *id;     /* straits' stable id, a scenario's `object:` (piw) */
  const char *group;  /* piw, raft, boat, sailboat, vessel or debris (data/leeway.csv) */
  const char *description; /* the table's */
} sar_leeway;

/* The coefficients of a scenario object class (scn_object); NULL for a stranger.
 * Classes are the rows of data/leeway.csv, 0 .. sar_object_count() - 1. */
const sar_leeway *sar_leeway_of(int object);
int sar_object_count(void);
/* The class of a stable id, or -1. */
int sar_object_find(const char *id);
/* Whether a person of this class is in the water (groups piw and debris: clinging to
 * it), so that water temperature sets their survival (sar_survival_hayward). */
int sar_object_in_water(int object);

/* The wind speed at which the per-particle random part of the slope equals the
 * regression's standard error (see docs/models.md). */
#define SAR_WIND_REF 10.0 /* m/s */

/* ---- particles: structs of arrays ---------------------------------------------------
 * Invariants: 0 <= n <= cap; w >= 0; state[i] is SAR_WAITING until t_release[i],
 * then SAR_DRIFTING, SAR_STRANDED once it reached land (it then stays put at its last
 * water position). */
enum sar_state { SAR_WAITING = 0, SAR_DRIFTING = 1, SAR_STRANDED = 2 };

typedef struct sar_particles {
  size_t n, cap;
  double *lat, *lon;     /* degrees */
  double *w;             /* probability weight: sums to 1 over the case */
  float *t_release;      /* s: when the object enters the water (time uncertainty) */
  float *t_jibe;         /* s: the next change of side */
  float *r_dw, *r_cw;    /* N(0,1) drawn once: the particle's random leeway coefficient */
  int8_t *side;          /* +1 right of downwind, -1 left */
  uint8_t *state;        /* enum sar_state */
  uint8_t *object;       /* scn_object */
} sar_particles;

/* Allocate room for cap particles (n = 0); -1 when the arena is exhausted. */
int sar_particles_alloc(sar_particles *p, arena *a, size_t cap);

/* Seeding.  Particles are added at the end (up to cap; the count added is
 * returned).  Position: circular normal with sigma metres about the point (point),
 * uniform along the track from (lat0, lon0) to (lat1, lon1) plus the normal scatter
 * (line), or uniform in a disc of radius metres (area).  Time: release uniform in
 * [t0, t0 + t_window].  The side and the random coefficients are drawn here, once.
 * Weights are set to 1/n over all particles after each call. */
typedef struct sar_seed {
  int object;            /* scn_object */
  double lat0, lon0, lat1, lon1;
  double sigma;          /* m, position uncertainty (1 sigma, each axis) */
  double radius;         /* m, for an area */
  double t0, t_window;   /* s */
  size_t count;
} sar_seed;
size_t sar_seed_point(sar_particles *p, const sar_seed *s, rng_stream *r);
size_t sar_seed_line(sar_particles *p, const sar_seed *s, rng_stream *r);
size_t sar_seed_area(sar_particles *p, const sar_seed *s, rng_stream *r);

/* ---- drift --------------------------------------------------------------------- */
typedef struct sar_drift_opts {
  const env_field *current; /* NULL: no current */
  const env_field *wind;    /* NULL: no wind */
  const struct geo_landmask *land; /* NULL: no land (nothing strands) */
  double dt;                /* s, step */
  double jibe_rate;         /* per second (0.04 / 3600 = 4 % per hour) */
  double leeway_factor;     /* multiplies every leeway (1; 0 for a pure current drift) */
  uint64_t seed;            /* random stream key with rep: jibes */
  uint32_t rep;
  int threads;              /* 1 inside a Monte Carlo replication; >1 standalone */
  /* Optional scratch (the caller's, e.g. from its arena): when a step samples a field
   * at more particles than the field has nodes, its two records are mixed in time
   * once per step into this, so each sample reads 4 nodes instead of 8.  Split
   * evenly between the threads; sar_drift_scratch() says how much is enough. */
  float *scratch;
  size_t scratch_floats;
} sar_drift_opts;

#define SAR_DRIFT_OPTS_INIT {NULL, NULL, NULL, 600.0, 0.04 / 3600.0, 1.0, 0, 0, 1, NULL, 0}

/* Floats of scratch that let every thread mix both fields (0 for analytic fields). */
size_t sar_drift_scratch(const sar_drift_opts *o);

/* Advance every particle nsteps steps of dt from time t0 (s).  Allocates nothing
 * (threads > 1 starts that many threads once for the whole call).  A particle's path
 * depends only on its own state and (seed, rep, index), never on the thread split
 * (a thread that cannot start has its share done by the caller's thread).
 * Returns 0. */
int sar_drift(sar_particles *p, double t0, int nsteps, const sar_drift_opts *o);

/* The local east/north metres of (lat, lon) from (lat0, lon0) on the sphere's tangent
 * plane (small distances: a search area, a transit leg). */
void sar_local_xy(double lat0, double lon0, double lat, double lon, double *x, double *y);

/* ---- probability map and search planning ------------------------------------------ */
typedef struct sar_grid {
  double lat0, lon0, dlat, dlon; /* SW corner and cell size, degrees */
  size_t ny, nx;
  double *p;     /* [ny*nx] probability of containment (sums to the particles' weight) */
  double *area;  /* [ny*nx] m^2 */
} sar_grid;

#define SAR_MAX_CELLS ((size_t)1 << 22)

/* A grid of cells about cell metres square covering the particles (with one cell
 * of margin), at most max_cells cells (coarsened to fit); p from the weights.  The
 * caller's buffers p_buf and area_buf hold max_cells doubles each and become g->p
 * and g->area (so planning in an event loop allocates nothing). */
void sar_grid_build(sar_grid *g, const sar_particles *p, double cell, size_t max_cells,
                    double *p_buf, double *area_buf);

/* Optimal allocation of swept area E (m^2) over n cells with probabilities p[] and
 * areas area[] under the random-search detection function POD = 1 - exp(-z/A)
 * (Koopman; Stone's theorem): z[j] = A_j * max(0, ln(p_j / (A_j * lambda))), with
 * lambda the Lagrange multiplier making sum z = E.  Writes z[] and returns the
 * probability of success sum p_j (1 - exp(-z_j/A_j)); *lambda_out if not NULL.
 * The active set is found by bisection on lambda, then lambda comes from the closed
 * form over that set: ln lambda = (sum_active A_j ln(p_j/A_j) - E) / sum_active A_j. */
double sar_alloc_effort(double *z, const double *p, const double *area, size_t n, double E,
                        double *lambda_out);

/* A search rectangle in grid cells [i0, i1) x [j0, j1), covered by parallel tracks. */
typedef struct sar_rect {
  size_t i0, i1, j0, j1;
  double lat_min, lat_max, lon_min, lon_max; /* degrees */
  double area;      /* m^2 */
  double track;     /* m of track flown in it */
  double spacing;   /* m between tracks: area / track */
  double coverage;  /* sweep width / spacing */
  double pod;       /* 1 - exp(-coverage) */
  double poc;       /* probability the object is in it, before the search */
  /* A search pattern's area (sar_plan_pattern; 0, SAR_PATTERN_OPTIMAL, for the
   * planner's rectangles): the sector search's is the disc of radius about (clat,
   * clon), the others the rectangle above. */
  int pattern;
  double radius, clat, clon;
} sar_rect;

/* Whether (lat, lon) lies in the searched area of r. */
int sar_rect_contains(const sar_rect *r, double lat, double lon);

/* The best rectangle for one unit with sweep width W (m) and track length L (m):
 * maximises P(R) * (1 - exp(-W L / A(R))) over rectangles centred on the cell of
 * highest probability density.  scratch: (ny+1)*(nx+2) doubles. */
void sar_plan_rect(sar_rect *out, const sar_grid *g, double W, double L, double *scratch);

/* The same within the cells [i0, i1) x [j0, j1) of g only (centred on that box's cell of
 * highest density). */
void sar_plan_rect_in(sar_rect *out, const sar_grid *g, double W, double L, size_t i0,
                      size_t i1, size_t j0, size_t j1, double *scratch);

/* Several units planned together (docs/models.md, "joint plan"): the optimal
 * allocation (sar_alloc_effort) of the total swept area E = sum W[u] L[u] over the
 * cells, then the bounding box of the cells that receive effort is cut recursively
 * (guillotine cuts across its longer side) into one part per unit, each part holding
 * the share of the allocated effort that its unit brings, the units ordered by their
 * bases (blat, blon) along each cut so that the nearer part goes to the nearer base;
 * each unit then gets the best rectangle for its own effort inside its part.  The
 * rectangles do not overlap.  z: ny*nx doubles (the allocation, returned);
 * scratch: as sar_plan_rect.  Returns the plan's POS, sum P(R_u) POD_u.  At most
 * SAR_JOINT_MAX units (more are left with empty rectangles). */
#define SAR_JOINT_MAX 128
double sar_plan_joint(sar_rect *out, const sar_grid *g, size_t n, const double *W,
                      const double *L, const double *blat, const double *blon, double *z,
                      double *scratch);

/* Plans near the optimum (docs/models.md, "Plans near the optimum"): one unit's track L
 * flown as k nested rectangles one after another (multi-pass; out[0] the outermost at
 * the start), each a parallel-track pattern with its share of the track (out[i].track)
 * and its coverage W track / area.  A cell inside several gets the sum of their
 * coverages, so the plan's POS is sum_j p_j (1 - exp(-sum c)), returned; *pos_opt (if
 * not NULL) is the optimal allocation's POS for the same effort W L (sar_alloc_effort).
 * The rectangles start as the bounding boxes of k equal steps of the optimal density
 * and are then improved edge by edge and track share by share while the POS rises.
 * Applying sar_update_after_search to each in turn is the Bayesian update of the whole
 * plan.  z: ny*nx doubles of scratch.  At most SAR_LAYERS_MAX layers. */
#define SAR_LAYERS_MAX 8
double sar_plan_layers(sar_rect *out, size_t k, const sar_grid *g, double W, double L,
                       double *z, double *pos_opt);

/* One unit flying a search pattern (sar_pattern.h) of `kind` at spacing (m; 0: the
 * sweep width over coverage; a sector search: radius = spacing, or 9 W / (pi C) so that
 * a pass has mean coverage C) with
 * track L (m): the largest such pattern that the track flies, centred on the particles'
 * weighted centre (the datum), a PS or CS area in the proportions of the particles'
 * east and north spreads; its POC from the particles, its POD from the coverage by the
 * detection model (sar_pattern.h).  *pat (if not NULL) gets the pattern.  0, or -1 when
 * the track flies no pattern (out then searches nothing). */
int sar_plan_pattern(sar_rect *out, sar_pattern *pat, const sar_particles *p, int kind,
                     double W, double L, double spacing, double coverage, int detection);

/* Track geometry of parallel-track coverage of r at its spacing: legs along the longer
 * side, the first half a spacing in from the side nearest (from_lat, from_lon), the
 * commence search point (csp) at that leg's end nearest that point. */
typedef struct sar_tracks {
  int legs;
  int along_lat;       /* legs run north-south (1) or east-west (0) */
  double leg_m;        /* length of a leg */
  double csp_lat, csp_lon;
} sar_tracks;
void sar_rect_tracks(sar_tracks *out, const sar_rect *r, double from_lat, double from_lon);

/* Bayes after an unsuccessful search of r: weights of particles inside r are
 * multiplied by (1 - pod) and all are renormalised to sum to 1.  Returns the
 * probability that this search would have found the object (the mass removed). */
double sar_update_after_search(sar_particles *p, const sar_rect *r);

/* ---- survival ------------------------------------------------------------------ */

/* Predicted survival time (s) of a person in water of temperature temp_c (degrees C)
 * after Hayward, Eckerson & Collis (1975): 15 + 7.2 / (0.0785 - 0.0034 T) minutes,
 * T held within [-2, 20] C (the regression diverges at 23.1 C; docs/models.md). */
double sar_survival_hayward(double temp_c);

/* ---- the Monte Carlo module ----------------------------------------------------- */
typedef struct sar_model sar_model;
typedef struct sar sar;

/* *out is NULL (and 0 returned) when the scenario has no sar section. */
int sar_model_new(sar_model **out, const scn_scenario *sc, metric_set *ms, diag *d);
/* The same with the run's authorities table (plan.h; NULL: the shipped one), for the
 * check that Japanese assets search only under a plan task (sar_support_check). */
struct plan_authorities;
int sar_model_new_with(sar_model **out, const scn_scenario *sc,
                       const struct plan_authorities *authorities, metric_set *ms, diag *d);
/* The model alone, without that check (unit tests of the model's mechanics on
 * scenarios a run would refuse). */
int sar_model_build(sar_model **out, const scn_scenario *sc, metric_set *ms, diag *d);
/* No Japanese support without a plan task (docs/plan.md): when the section has an
 * asset of the table's nation, `sar.tasks` lists a task of that nation.  A located
 * error in d; a NULL table reads the shipped one.  0, ERR_INPUT or the table's load
 * error.  sar_model_new runs it; `straits check` calls it too. */
int sar_support_check(const scn_scenario *sc, const struct plan_authorities *a, diag *d);
void sar_model_free(sar_model *m); /* NULL is a no-op */
/* The current and wind the model built from the section (borrowed: they live as long
 * as the model), for tools and tests. */
void sar_model_fields(const sar_model *m, const env_field **current, const env_field **wind);
/* The files the model read besides the scenario, for a run's provenance: fn(ctx, role,
 * sha256) once per file, in a fixed order -- "sar.current", "sar.wind", "sar.water"
 * (the NetCDF fields read from files) and "sar.coastline" (the GSHHG file of the land
 * mask); sha256 is the SHA-256 of the file's bytes, 64 hex digits.  NULL m: none. */
void sar_model_inputs(const sar_model *m,
                      void (*fn)(void *ctx, const char *role, const char *sha256), void *ctx);
sar *sar_start(const sar_model *m, sim *s, arena *a, metric_out *out, uint64_t seed,
               uint32_t rep);
void sar_collect(const sar *S, sim *s, metric_out *out);

/* straits trace: write the replication's sorties, searches, finds and pickups to t
 * (ops.h; NULL: none). */
struct ops_trace;
void sar_trace(sar *S, const struct ops_trace *t);

/* For reports (the theater map): keep the first case's probability map as its first
 * search was planned on it, and its searches as flown (at most SAR_RECORD_MAX).  Call
 * after sar_start, before the run; costs two map-sized buffers of the arena. */
#define SAR_RECORD_MAX 256
int sar_record_first_case(sar *S);
struct sar_sortie;
/* What was recorded: the map (NULL before any search) and the searches; returns how
 * many.  Valid until the replication's arena is reset. */
size_t sar_first_case(const sar *S, const sar_grid **map, const struct sar_sortie **sorties);

/* ---- a standalone plan (`straits sar CASE.yaml`) --------------------------------
 * The case of a case file (scn_sar.kase) without the kernel: particles seeded from the
 * datum at t = 0 (the report), then `sorties` waves: in each, every unit able to reach
 * the case with 10 minutes to search flies one sortie (take-off after its response
 * time, later waves after its return and turnaround), all of a wave's searches planned
 * together on the map drifted to the middle of their time on scene (sar_plan_joint; or
 * one after another, each on the map its predecessors left, when joint = 0), then the
 * Bayesian update.  A unit with a `pattern:` flies it about the datum, one with
 * `layers:` its nested passes (a sortie each, `layer` 0 ..), both planned after the
 * joint plan on the map it leaves.  The case's `stop:` rule ends the waves early
 * (out->stopped).  The particles and map returned are those after the last wave's
 * update; `map0` is the map of the first wave (before any search). */
typedef struct sar_sortie {
  int asset, unit, wave;
  double t_start, t_end; /* s after the report: on scene */
  sar_rect rect;
  sar_tracks tracks;
  double pos;            /* cumulative POS after this search */
  double p_alive;        /* probability a person is still alive when picked up: at the
                            middle of the search plus the unit's recovery time */
  int layer;             /* the pass of a unit's nested plan (`layers:`), 0 .. */
  sar_pattern pattern;   /* the IAMSAR pattern flown (kind 0: the optimal rectangle) */
} sar_sortie;

/* A search period (a wave of sorties): its map drifted to t_mid, the probability its
 * searches find the object if it was not found before (pos), the optimal allocation's
 * for the same swept area on the same map (pos_opt; sar_alloc_effort), the cumulative
 * POS after it and the probability a person is alive at t_mid. */
typedef struct sar_wave {
  double t_mid, pos, pos_opt, pos_cum, p_alive;
} sar_wave;

typedef struct sar_plan {
  size_t nsortie;
  sar_sortie *sortie;    /* [nsortie], by wave then unit */
  sar_particles p;
  sar_grid grid, map0;
  double pos;            /* cumulative POS of the whole plan */
  double p_found_alive;  /* sum over sorties of the POS each adds times p_alive */
  double survival_median; /* s, of the case's persons (from the water temperature if given) */
  double water_temp;     /* degrees C at the datum (NaN when not given) */
  size_t nwave;
  sar_wave *wave;        /* [nwave] the periods searched */
  int stopped;           /* the stop rule ended the search: 1 P(alive), 2 POS; 0 not */
} sar_plan;

int sar_plan_case(sar_plan *out, const sar_model *m, int joint, uint64_t seed, arena *a);

/* The case's particles before any search, for outputs of its drift (sar_netcdf.h):
 * seeded from the datum as sar_plan_case seeds them (same seed, same particles), and
 * the drift options it uses, so that sar_drift(p, 0, n, o) puts them where the plan's
 * are at t = n * time_step (searches change weights, never positions).  0, ERR_RANGE
 * (not a case file's model) or ERR_LIMIT (arena). */
int sar_case_particles(sar_particles *p, sar_drift_opts *o, const sar_model *m, uint64_t seed,
                       arena *a);

#endif
