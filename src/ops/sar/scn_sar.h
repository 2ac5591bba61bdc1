/* scn_sar.h - the loaded `sar:` section (docs/scenario.md): drift settings, the
 * met-ocean fields (NetCDF files or constant vectors), water temperature and survival
 * times, the plan tasks that carry the search, the datum shapes of the crisis's
 * person_missing events, and the search units with their sweep widths; and a
 * standalone case file (`straits sar CASE.yaml`), loaded into the same structures.
 *
 * Part of the immutable scenario: lives in the scenario's arena, read-only after
 * scn_load().  Quantities are SI (s, m, m/s). */
#ifndef STRAITS_SCN_SAR_H
#define STRAITS_SCN_SAR_H

#include <stddef.h>
#include "dist.h"
#include "scenario.h"

/* A field: a CF NetCDF file (path resolved against the scenario's folder; kind
 * SCN_SAR_FIELD_FILE), a constant vector, or one of env's analytic fields (tests and
 * what-if studies: env_field_rotating, env_field_eddy). */
enum scn_sar_field_kind {
  SCN_SAR_FIELD_CONSTANT = 0, /* (east, north) */
  SCN_SAR_FIELD_FILE,         /* path */
  SCN_SAR_FIELD_ROTATING,     /* speed, turning at omega (rad/s, > 0 counter-clockwise) */
  SCN_SAR_FIELD_EDDY          /* centre (lat0, lon0), radius, speed (< 0 clockwise) */
};

typedef struct scn_sar_field {
  int kind;           /* scn_sar_field_kind */
  const char *path;
  double east, north; /* m/s */
  double speed;       /* m/s: rotating speed, eddy peak tangential speed (signed) */
  double omega;       /* rad/s */
  double lat0, lon0;  /* degrees: eddy centre */
  double radius;      /* m: eddy radius of peak speed */
} scn_sar_field;

typedef struct scn_sar_asset {
  int force;                        /* force index: base, count */
  int count;                        /* units of the force searching, <= its count */
  double speed;                     /* m/s, transit and search */
  double endurance;                 /* s per sortie, base to base */
  double response;                  /* s from the case opening to the first take-off */
  double turnaround;                /* s at base between sorties */
  double sweep[SCN_OBJ__COUNT];     /* m, effective sweep width per object class */
  scn_loc loc;
  /* `sensor:` (sar_sweep.h; -1: none) at `altitude:` (m): the classes `sweep_width:`
   * does not name get their sweep width from the table (sar_sweep_width) */
  int sensor;
  double altitude;
  /* How the unit searches (docs/scenario.md, "search patterns"): `pattern:` (enum
   * sar_pattern_kind; 0, the planner's optimal rectangle, by default) at `coverage:`
   * (sweep width / track spacing) or `spacing:` (m; 0 when coverage sets it);
   * `layers:` nested passes of the optimal plan (1: one rectangle); `detection:`
   * (enum sar_detection) turns coverage into POD; `recovery:` (s) from locating the
   * object to the persons aboard (hoist or boat), when their survival is counted. */
  int pattern, layers, detection;
  double coverage, spacing, recovery;
} scn_sar_asset;

/* What the reported position means: a last known position (circular normal with
 * position_sigma), a track between two points (the flight path of an aircraft,
 * uniform along it plus the normal scatter) or an area (uniform in a disc). */
typedef enum scn_sar_shape { SCN_SAR_POINT, SCN_SAR_TRACK, SCN_SAR_AREA } scn_sar_shape;

typedef struct scn_sar_datum {
  int event;           /* crisis event whose person_missing it shapes; -1 in a case file */
  int shape;           /* scn_sar_shape */
  double lat0, lon0;   /* point, area centre, track start (degrees) */
  double lat1, lon1;   /* track end */
  double radius;       /* m, area */
  scn_loc loc;
} scn_sar_datum;

/* A standalone case (`case:` of a case file): the report time is the epoch (t = 0). */
typedef struct scn_sar_case {
  const char *name;
  int object, persons;
  scn_sar_datum datum;
  int sorties;         /* sorties per unit to plan (default 1) */
  /* The stop rule of a multi-period search (`stop:`): no further wave once the
   * probability that a person is alive falls below p_alive_below, or the cumulative POS
   * reaches pos_above (0 and 1: never). */
  double stop_p_alive, stop_pos;
} scn_sar_case;

typedef struct scn_sar {
  int particles;            /* per case */
  int max_cases;            /* cases open at once in a replication */
  double time_step;         /* s, drift step */
  double jibe_rate;         /* 1/s */
  double position_sigma;    /* m, 1 sigma of the reported position */
  double time_window;       /* s: the object enters the water within this after the report */
  double search_limit;      /* s after the report when the search is called off */
  double cell;              /* m, probability map cell */
  int land;                 /* strand on GSHHG land (if installed) */
  double land_res;          /* degrees */
  scn_sar_field current, wind;
  dist survival[SCN_OBJ__COUNT]; /* time a person survives, per object class */
  scn_loc survival_loc[SCN_OBJ__COUNT]; /* where each was given (file NULL: the default) */
  scn_loc water_loc;        /* where `water_temperature:` was given */
  /* Water temperature (degrees C): a constant (`east`) or a sea surface temperature
   * file.  When given, a person in the water (piw) survives per Hayward et al. (1975)
   * (docs/models.md), lognormal about that with survival_sigma. */
  int has_water;
  scn_sar_field water;
  double survival_sigma;
  double visibility;        /* m, meteorological: for sweep widths from `sensor:` */
  int weather;              /* enum sar_weather: the sweep widths' weather correction */
  size_t nasset;
  scn_sar_asset *asset;
  size_t ntask;             /* plan tasks carrying the search (0: not tied to the plan) */
  int *task;                /* [ntask] plan task indices */
  double task_radius;       /* m: a task whose area is a place covers datums this near it */
  size_t ndatum;            /* datum shapes by crisis event (default: a point) */
  scn_sar_datum *datum;
  scn_sar_case *kase;       /* only in a case file */
  /* A scenario's `stop:` (a case file's is case.stop): a case is called off before a
   * sortie would take off for it once the probability that its persons are alive
   * falls below stop_p_alive, or its cumulative POS reached stop_pos (0 and 1: never;
   * search_limit still applies). */
  double stop_p_alive, stop_pos;
} scn_sar;

/* Where a case opened by crisis event `event` (-1: none) reported at (lat, lon) is
 * centred: the centre of the event's datum (`datums:`; a track's midpoint) if it has
 * one, else (lat, lon). */
void scn_sar_case_centre(const scn_sar *s, int event, double lat, double lon, double *clat,
                         double *clon);

/* Whether plan task `task` covers such a case (docs/scenario.md, "which task searches a
 * case"): its start condition names `event`, or its area contains the centre -- a
 * region containing it, or a place within s->task_radius of it. */
int scn_sar_task_covers(const scn_scenario *sc, const scn_sar *s, int task, int event,
                        double clat, double clon);

/* Load a standalone case file (docs/cli.md, `straits sar`): `case:`, `search:` (the
 * settings of a `sar:` section) and `units:`.  The result is a scenario whose places
 * are the units' bases, whose forces are the units and whose sar section carries the
 * case; the epoch is the time of the report.  Errors as scn_load(). */
int scn_sar_case_load(scn_scenario **out, const char *path, const scn_load_options *opt,
                      diag *d);


/* The `sar:` section as the loader's table lists it (scenario.h: scn_section;
 * ops_load_options), and the scenario's (a case file's too), or NULL. */
extern const scn_section sar_section;
static inline const scn_sar *scn_sar_of(const scn_scenario *sc) { return scn_section_of(sc, "sar"); }

#endif
