/* scenario.h - the loaded scenario: immutable, validated, ids resolved to indices.
 *
 * scn_load() reads one YAML file (and its includes), checks it against the schema
 * in docs/scenario.md, and reports every problem it finds to the caller's diag as
 * file:line:col.  On success the scenario owns all of its memory (one arena) and is
 * read-only: the Monte Carlo threads share it.  All quantities are SI (seconds,
 * metres, m/s, kg, m3); angles are degrees. */
#ifndef STRAITS_SCENARIO_H
#define STRAITS_SCENARIO_H

#include <stddef.h>
#include <stdint.h>
#include "diag.h"
#include "dist.h"

/* Where something was written, for diagnostics raised after loading (plan check). */
typedef struct scn_loc {
  const char *file; /* owned by the scenario */
  int line, col;    /* 1-based */
} scn_loc;

typedef struct scn_place {
  const char *id, *name, *kind, *nation, *source; /* name/nation/source may be "" */
  double lat, lon;
  scn_loc loc;
} scn_place;

typedef struct scn_region {
  const char *id, *name, *kind, *source;
  size_t n;          /* vertices, >= 3; the ring is closed implicitly */
  double *lat, *lon; /* [n] */
  scn_loc loc;
} scn_region;

typedef struct scn_route {
  const char *id, *name, *kind; /* kind: "sea", "air", "land" */
  size_t n;                     /* waypoints, >= 2 */
  double *lat, *lon;            /* [n]; place waypoints are copied in */
  int *place;                   /* [n]: place index of a waypoint, -1 for a raw point */
  scn_loc loc;
} scn_route;

typedef struct scn_force {
  const char *id, *name, *nation, *kind; /* nation: "US" or "JP" (ISO 3166 alpha-2) */
  int base;                              /* place index */
  int count;                             /* identical units, >= 1 */
  double speed;                          /* m/s */
  double capacity_mass;                  /* kg, NaN if not given */
  double capacity_volume;                /* m3, NaN if not given */
  double endurance;                      /* s, INFINITY if not given */
  scn_loc loc;
} scn_force;

/* Japan's legal situations, in order of gravity (the plan issue refines them). */
#define SCN_SITUATION_MAP(X)                                   \
  X(PEACETIME, "peacetime")                                    \
  X(GRAY_ZONE, "gray_zone")                                    \
  X(IMPORTANT_INFLUENCE, "important_influence")                \
  X(SURVIVAL_THREATENING, "survival_threatening")              \
  X(ARMED_ATTACK_ANTICIPATED, "armed_attack_anticipated")      \
  X(ARMED_ATTACK, "armed_attack")

typedef enum scn_situation {
#define SCN__SIT(name, str) SCN_SIT_##name,
  SCN_SITUATION_MAP(SCN__SIT)
#undef SCN__SIT
  SCN_SIT__COUNT
} scn_situation;

const char *scn_situation_name(scn_situation s);

/* Search-object classes a missing person can be (SAR refines the drift): the rows of
 * the Leeway table data/leeway.csv, compiled in at configure time (generated header;
 * X(SYM, "id", "CODE", "group", nine coefficients, "description")). */
#include "scn_leeway_table.h"
#define SCN_OBJECT_MAP(X) SCN_LEEWAY_TABLE(X)

typedef enum scn_object {
#define SCN__OBJ(name, str, ...) SCN_OBJ_##name,
  SCN_OBJECT_MAP(SCN__OBJ)
#undef SCN__OBJ
  SCN_OBJ__COUNT,
  /* the names the first four classes had before the whole table */
  SCN_OBJ_RAFT = SCN_OBJ_LIFE_RAFT,
  SCN_OBJ_RAFT_DROGUE = SCN_OBJ_LIFE_RAFT_DROGUE
} scn_object;

const char *scn_object_name(scn_object o);

/* A trigger: at a fixed time, after one event, or all_of/any_of nested triggers. */
typedef enum scn_trigger_kind { SCN_TRIG_AT, SCN_TRIG_EVENT, SCN_TRIG_ALL, SCN_TRIG_ANY } scn_trigger_kind;

typedef struct scn_trigger {
  scn_trigger_kind kind;
  double at;                /* SCN_TRIG_AT: seconds after epoch */
  int event;                /* SCN_TRIG_EVENT */
  size_t n;                 /* SCN_TRIG_ALL / ANY */
  struct scn_trigger *sub;  /* [n] */
} scn_trigger;

/* What an event raises when it occurs. */
typedef struct scn_raise {
  int signal;      /* sim_signal_type: SIG_SITE_STATUS, SIG_REGION_STATUS,
                      SIG_SITUATION_CHANGED, SIG_PERSON_MISSING */
  int place;       /* site_closed: place index; person_missing: -1 or a place */
  int region;      /* region_active */
  int situation;   /* situation_changed: scn_situation */
  int object;      /* person_missing: scn_object */
  int count;       /* person_missing */
  double lat, lon; /* person_missing */
  int has_duration;
  dist duration;   /* site_closed / region_active "for:"; else until the horizon */
  scn_loc duration_loc; /* where "for:" is written (run-time failures point there) */
  scn_loc loc;
} scn_raise;

typedef struct scn_event {
  const char *id, *name;
  scn_trigger trigger;  /* unused for a branch (its parent decides) */
  dist delay;           /* from the trigger holding to the event (fixed 0 default) */
  scn_loc delay_loc;    /* where the delay is written (the event, if it has none) */
  double p;             /* chance it occurs once due; for a branch, its share */
  int parent;           /* branch of that event, or -1 */
  size_t nbranch;
  int *branch;          /* [nbranch] event indices of mutually exclusive branches */
  size_t nraise;
  scn_raise *raise;
  scn_loc loc;
} scn_event;

typedef struct scn_scenario {
  const char *name, *description;
  const char *epoch;   /* ISO-8601 UTC as written */
  int64_t epoch_unix;  /* seconds since 1970 */
  double horizon;      /* s */
  uint64_t seed;
  int replications;
  int notional;
  char hash[65];       /* SHA-256 of every file read (the main file, its includes, AIS
                          replays) and every --set override, in reading order, each
                          framed by its length: 64 hex digits.  A run's identity adds
                          what the modules read (mc.h: the study hash). */
  const char *path;    /* the main file */
  char coastline;      /* theater.coastline: the finest GSHHG resolution ships are
                          routed on ('c', 'l', 'i', 'h', 'f'; default 'i'), or 0 for
                          none (ships sail great circles) */

  size_t nplace, nregion, nroute, nforce, nevent;
  scn_place *place;
  scn_region *region;
  scn_route *route;
  scn_force *force;
  scn_event *event;    /* branches are events too (parent >= 0) */

  void *mem_;          /* the arena that owns all of the above */
  struct scn_plan *plan; /* `situations:` and `plan:` (scn_plan.h), or NULL if neither */
  struct scn_escalation *escalation; /* `crisis.escalation:` (scn_escalation.h), or NULL */
  struct scn_objectives *objectives; /* `objectives:` (scn_objectives.h), or NULL */
  /* The mission sections loaded (scn_load_options.sections), in table order: each
   * one's table entry and value; read them with scn_section_of. */
  size_t nsection;
  const struct scn_section **section_def; /* [nsection] */
  const void **section;                   /* [nsection] */
} scn_scenario;

/* Events in a crisis, branches included: each is two metrics of a run, whose
 * registry holds at most METRIC_MAX (100000) with room left for the rest. */
#define SCN_MAX_EVENTS 20000

/* A mission model's top-level section (ops.h): the scenario takes these as a table
 * from its caller, so it never includes a mission.  `load` reads the section's node
 * into the scenario's memory and returns it (NULL after reporting its errors; the
 * loading context and the node are the loader API's, scn_section.h); `extent` grows
 * the theater box (scn_theater_box) by the section's own points (NULL: none). */
struct scn__ctx;
struct scn__node;
typedef struct scn_section {
  const char *name;
  void *(*load)(struct scn__ctx *c, const struct scn__node *v);
  void (*extent)(const void *section, const struct scn_scenario *sc, double box[4]);
} scn_section;

/* Caps against hostile files (STYLE.md: everything that grows has a cap). */
typedef struct scn_load_options {
  size_t max_file_bytes;     /* per file */
  int max_depth;             /* YAML nesting */
  size_t max_nodes;          /* nodes after alias expansion, all files together */
  int max_include_depth;
  const char *const *overrides; /* "path.to.key=value" from --set */
  size_t noverrides;
  /* Folders includes may come from besides the main file's own (--include-dir):
   * an include is looked up beside the including file, then in each of these, and
   * must resolve (symlinks followed) inside one of them or the main file's folder. */
  const char *const *include_dirs;
  size_t ninclude_dirs;
  /* The mission sections the file may have (ops.h: ops_load_options sets them), loaded
   * in this order after the common sections; a top-level key that is neither common
   * nor one of these is an unknown section. */
  const scn_section *const *sections;
  size_t nsections;
} scn_load_options;

#define SCN_LOAD_OPTIONS_INIT {8u << 20, 64, 1000000, 8, NULL, 0, NULL, 0, NULL, 0}

/* Load and validate.  On success *out is the scenario and 0 is returned; on any
 * error every problem is in d, *out is NULL and ERR_INPUT (or ERR_IO, ERR_NOMEM)
 * is returned.  Warnings may be reported on success. */
int scn_load(scn_scenario **out, const char *path, const scn_load_options *opt, diag *d);
void scn_free(scn_scenario *sc); /* NULL is a no-op */

/* The loaded value of the mission section called name (its scn_section's load
 * result: the mission's header says its type), or NULL when the file has none or
 * the section was not in the loader's table. */
const void *scn_section_of(const scn_scenario *sc, const char *name);

/* The theater's box in degrees (lat_min, lat_max, lon_min, lon_max): its places, sea
 * routes' waypoints, person_missing points and each loaded section's own points (its
 * `extent`: logistics consumers' positions at sea, the inspection zone), `margin`
 * degrees around (clamped to [-89, 89] x [-180, 360]).
 * Every model that routes ships asks for the same box, so they share one sea. */
void scn_theater_box(const scn_scenario *sc, double margin, double box[4]);

/* Index by id, or -1. */
int scn_place_find(const scn_scenario *sc, const char *id);
int scn_region_find(const scn_scenario *sc, const char *id);
int scn_event_find(const scn_scenario *sc, const char *id);
int scn_force_find(const scn_scenario *sc, const char *id);

/* Where a point or a region is against a region (edges count as inside), for the
 * layers above that may not include geo themselves (plan, DESIGN.md section 2). */
int scn_region_contains(const scn_region *g, double lat, double lon);
int scn_regions_overlap(const scn_region *a, const scn_region *b);

#endif
