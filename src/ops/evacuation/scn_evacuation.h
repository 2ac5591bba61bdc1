/* scn_evacuation.h - the loaded `evacuation:` section (docs/scenario.md "evacuation"):
 * groups of evacuees waiting at assembly places, the modes that carry them (SDF
 * aircraft and ships under a plan task, US lift, chartered civil ferries and aircraft)
 * and the throughput of the places they load and unload at.
 *
 * Part of the immutable scenario: everything here lives in the scenario's arena and
 * is read-only after scn_load().  Quantities are SI (seconds, metres, m/s). */
#ifndef STRAITS_SCN_EVACUATION_H
#define STRAITS_SCN_EVACUATION_H

#include <stddef.h>
#include "dist.h"
#include "scenario.h"

/* Whom a group is: nationals abroad (the SDF carry them under SDF Act art. 84-4) or
 * residents of Japan evacuated under the Civil Protection Act (Act No. 112 of 2004). */
typedef enum scn_evac_kind { SCN_EVAC_NATIONALS, SCN_EVAC_RESIDENTS } scn_evac_kind;

/* When a group may start to leave its assembly place: at a time, when a crisis event
 * occurs, once Japan's legal situation reaches a level (SIG_SITUATION_CHANGED), or
 * when a gate of the authorities table opens (SIG_GATE_OPENED: the government's
 * evacuation order).  A group of residents must start by a situation or a gate. */
typedef enum scn_evac_start_kind {
  SCN_EVAC_START_AT,
  SCN_EVAC_START_EVENT,
  SCN_EVAC_START_SITUATION,
  SCN_EVAC_START_GATE
} scn_evac_start_kind;

/* Who operates a mode, which decides its legal basis: SDF (a force of the authorities
 * table's nation, only while its plan task runs), US lift, or civil charter. */
typedef enum scn_evac_operator { SCN_EVAC_SDF, SCN_EVAC_US, SCN_EVAC_CIVIL } scn_evac_operator;
typedef enum scn_evac_medium { SCN_EVAC_AIR, SCN_EVAC_SEA } scn_evac_medium;

#define SCN_EVAC_MAX_GROUPS 1000
#define SCN_EVAC_MAX_MODES 1000
#define SCN_EVAC_MAX_COUNT 10000000 /* people in one group */

typedef struct scn_evac_group {
  const char *id;
  scn_evac_kind kind;
  const char *nation;  /* "JP", "US" or "other" */
  long long count;     /* people (notional), >= 1 */
  int place;           /* assembly place index */
  int priority;        /* lower is served first (default 1) */
  scn_evac_start_kind start_kind;
  double start_at;     /* START_AT: s */
  int start_event;     /* START_EVENT */
  int start_situation; /* START_SITUATION: scn_situation */
  const char *start_gate; /* START_GATE: a gate id, resolved by the model (the table) */
  scn_loc start_loc;   /* where `start` is written (the group, when it is not) */
  scn_loc loc;
} scn_evac_group;

typedef struct scn_evac_mode {
  const char *id;
  scn_evac_operator op;
  scn_evac_medium by;
  int force;          /* force index, or -1 (an inline civil or US asset) */
  int base;           /* place index where the units start */
  int count;          /* units */
  double speed;       /* m/s, > 0 */
  long long capacity; /* people per trip, >= 1 */
  dist turnaround;    /* s at the destination after unloading, before the next leg */
  scn_loc turnaround_loc; /* where `turnaround` is written (the mode, when it is not) */
  int task;           /* plan task index the mode runs under, or -1 (any time) */
  int lift_first;     /* `lift: first`: its force's units are reserved for it while it
                         has work, ahead of logistics (sim.h, shared lift); 0: `shared` */
  size_t ngroup;
  int *group;         /* [ngroup] groups it serves (all of its kind when not written) */
  size_t nto;
  int *to;            /* [nto] destination places, in order of preference */
  scn_loc task_loc;   /* where `task` is written (the mode, when it is not) */
  scn_loc loc;
} scn_evac_mode;

/* A place's throughput: `lanes` boarding gates, berths or parking spots (a kernel
 * resource of that many servers, FIFO), each trip holding one for `load` when it
 * embarks there and `unload` when it disembarks there. */
typedef struct scn_evac_facility {
  int place;
  int lanes;
  double load, unload; /* s */
  scn_loc loc;
} scn_evac_facility;

typedef struct scn_evacuation {
  size_t ngroup, nmode, nfacility;
  scn_evac_group *group;
  scn_evac_mode *mode;
  scn_evac_facility *facility;
  int *facility_of;   /* [nplace]: facility index of a place, or -1 */
  scn_loc loc;        /* the section */
} scn_evacuation;

const char *scn_evac_operator_name(scn_evac_operator op); /* "sdf", "us", "civil" */

/* The `evacuation:` section as the loader's table lists it (ops_load_options), and
 * the scenario's, or NULL. */
extern const scn_section evac_section;
static inline const scn_evacuation *scn_evacuation_of(const scn_scenario *sc) {
  return scn_section_of(sc, "evacuation");
}

#endif
