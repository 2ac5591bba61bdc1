/* scn_missile.h - the loaded `missile:` section (docs/scenario.md "missile"): raids of
 * notional size on named places, a notional leak-through probability and a finite
 * notional interceptor stock (one pool or per defended area), closure durations of an
 * impact, J-Alert warnings (lead time, shelter time) and missing persons at sea after
 * an impact at a port.  An abstract planning factor: no trajectories, no fire control.
 *
 * Part of the immutable scenario: everything here lives in the scenario's arena and is
 * read-only after scn_load().  Quantities are SI (seconds). */
#ifndef STRAITS_SCN_MISSILE_H
#define STRAITS_SCN_MISSILE_H

#include <stddef.h>
#include "dist.h"
#include "scenario.h"

#define SCN_MSL_MAX_RAIDS 1000
#define SCN_MSL_MAX_SIZE 10000     /* missiles in one raid */
#define SCN_MSL_MAX_REPEAT 1000    /* further raids of one entry */
#define SCN_MSL_MAX_STOCK 1000000  /* interceptors of one area */

/* One named target of a raid; cum is the cumulative probability (the last is 1), from
 * the weights or shares as written. */
typedef struct scn_msl_target {
  int place;
  double p, cum;
} scn_msl_target;

/* Missing persons at sea after an impact at a place of kind `port`. */
typedef struct scn_msl_missing {
  double p;   /* chance per impact at a port (0: none) */
  int object; /* scn_object */
  int count;
} scn_msl_missing;

typedef struct scn_msl_raid {
  const char *id, *name;
  int event;          /* trigger: crisis event index, or -1 for `at` */
  double at;          /* s after the epoch, when event < 0 */
  dist delay;         /* trigger -> the raid (its J-Alert warning) */
  int size;           /* missiles, >= 1 */
  size_t ntarget;
  scn_msl_target *target; /* [ntarget] */
  double every;       /* between repeats, s (> 0 when repeat > 0) */
  int repeat;         /* further raids after the first, >= 0 */
  /* J-Alert: warned places pause at the raid's time for `shelter`; the missiles
   * arrive `lead` later.  nwarn 0: no warning (lead still separates the two). */
  size_t nwarn;
  int *warn;          /* [nwarn] place indices */
  double lead;        /* s, >= 0 */
  dist shelter;
  dist closure;       /* how long an impact closes its place */
  scn_msl_missing missing;
  double casualties;  /* notional casualties per impact (a demand metric only) */
  scn_loc loc, delay_loc, closure_loc, shelter_loc;
} scn_msl_raid;

/* A defended area: the places it covers and its interceptors.  A place in no area is
 * undefended (every missile at it leaks). */
typedef struct scn_msl_area {
  const char *id;
  size_t nplace;
  int *place; /* [nplace] */
  int stock;  /* interceptors at the start */
} scn_msl_area;

typedef struct scn_missile {
  double leak;       /* P(an engaged missile is not stopped) while interceptors remain */
  int per_missile;   /* interceptors engaged per missile (k >= 1) */
  size_t narea;
  scn_msl_area *area; /* [narea]; a single `stock:` is one area "pool" of every place */
  int *area_of;      /* [nplace]: the area defending each place, or -1 */
  size_t nraid;
  scn_msl_raid *raid; /* [nraid] */
} scn_missile;

extern const scn_section msl_section;

#endif
