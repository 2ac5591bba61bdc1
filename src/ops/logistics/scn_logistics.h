/* scn_logistics.h - the loaded `logistics:` section (docs/scenario.md): commodities,
 * depots, consumers, transport assets (from `forces`), ports and airfields with
 * berths, and the planning period.
 *
 * Part of the immutable scenario: everything lives in the scenario's arena and is
 * read-only after scn_load().  Quantities are SI: amounts in kg (unit t) or m3, rates
 * per second.  Arrays [ncommodity] are indexed by commodity. */
#ifndef STRAITS_SCN_LOGISTICS_H
#define STRAITS_SCN_LOGISTICS_H

#include <stddef.h>
#include "dist.h"
#include "scenario.h"

typedef struct scn_lgs_commodity {
  const char *id, *name;
  int volume;    /* 0: measured in t (SI kg), 1: in m3 */
  int priority;  /* 1 (highest) .. 9: planned first, shared lift goes to it first */
  scn_loc loc;
} scn_lgs_commodity;

/* A port or airfield whose berths (parking spots) are a kernel resource. */
typedef struct scn_lgs_port {
  int place;     /* place index */
  int berths;    /* >= 1 */
  scn_loc loc;
} scn_lgs_port;

typedef struct scn_lgs_depot {
  const char *id;
  int place;         /* where ships load: a place of kind port */
  int airfield;      /* where aircraft load: a place, or -1 (no air lift from here) */
  double *stock;     /* [ncommodity] initial amount */
  double *replenish; /* [ncommodity] per second, arriving from the home islands */
  scn_loc loc;
} scn_lgs_depot;

/* Demand surge: from the time crisis event `event` occurs (or plan phase `phase`
 * begins; exactly one of the two is >= 0), demand is multiplied by `factor` (surges
 * compound). */
typedef struct scn_lgs_surge {
  int event;
  int phase;
  double factor;
} scn_lgs_surge;

/* A point of a consumer's track at sea: at time `t` (s after the epoch) it is at
 * lat/lon; between points it moves along the straight line in lat/lon (times
 * strictly increasing). */
typedef struct scn_lgs_waypoint {
  double t, lat, lon;
} scn_lgs_waypoint;

/* A station a consumer at sea takes up when a plan phase begins (it then stays
 * there: a later station's phase moves it again). */
typedef struct scn_lgs_station {
  int phase;
  double lat, lon;
} scn_lgs_station;

typedef struct scn_lgs_consumer {
  const char *id, *name;
  int place;         /* place index, or -1 for a position at sea */
  double lat, lon;   /* the place's, or the sea position */
  int port;          /* where ships deliver: a place, or -1 = alongside at lat/lon
                        (underway replenishment) when place < 0 */
  int airfield;      /* where aircraft deliver: a place, or -1 (no air delivery) */
  dist *demand;      /* [ncommodity] consumption per second, drawn each period */
  scn_loc *demand_loc; /* [ncommodity] where each rate is written (the consumer, if not) */
  double on_hand;    /* initial stock, in days of mean demand */
  double target;     /* order-up-to level, in days of mean demand (> 0) */
  int priority;      /* 1 (highest) .. 9: the penalty on its unmet demand */
  size_t nsurge;
  scn_lgs_surge *surge;
  size_t ntrack;     /* 0, or >= 1 waypoints: the consumer moves (place < 0) */
  scn_lgs_waypoint *track;
  size_t nstation;   /* stations by phase (place < 0) */
  scn_lgs_station *station;
  size_t ntask;      /* plan tasks under whose authority it is supplied: a task gates
                        the transports of its owner's nation (SIG_TASK_STATUS): while
                        none of that nation's linked tasks runs, its transports deliver
                        nothing here; other nations' transports are not gated */
  int *task;         /* [ntask] task indices (scn_plan.h) */
  int route;         /* `route:` a theater sea route its ships follow from the depot at
                        either end (then over water to the consumer), or -1 */
  scn_loc loc;
} scn_lgs_consumer;

typedef struct scn_lgs_transport {
  int force;         /* force index */
  int count;         /* units, <= the force's count */
  int air;           /* 1: flies (air lanes), 0: sails (sea lanes) */
  double speed;      /* m/s, the force's unless overridden */
  double *capacity;  /* [ncommodity] per voyage, 0 = cannot carry it */
  double *load_rate, *unload_rate; /* [ncommodity] per second (> 0 where capacity > 0) */
  dist turnaround;   /* at the load port after a return: maintenance, crew rest */
  scn_loc turnaround_loc; /* where `turnaround` is written (the transport, if not) */
  int shared_hold;   /* 1: capacities are alternatives of one hold (a load uses
                        sum_k q_k / capacity_k <= 1); 0: a hold or tank per commodity */
  double endurance;  /* s a unit may be away from its loading place on one voyage (out,
                        unload, back); INFINITY: no limit (default the force's) */
  double rest_after; /* s under way after which the crew rests, INFINITY: never */
  double rest_for;   /* s of rest (maintenance, crew rest) taken at the loading place */
  size_t nserve;     /* consumers it supplies (`serves:`), 0: every consumer */
  int *serve;        /* [nserve] consumer indices */
  scn_loc loc;
} scn_lgs_transport;

/* How a round is planned: `auto` uses the coupled multi-commodity LP where commodities
 * share a capacity (a transport class carrying several, or a loading port's berths
 * used by several commodities, classes or depots), else one network simplex per
 * commodity; the other two force one way (for tests and comparison). */
enum scn_lgs_planner { SCN_LGS_PLAN_AUTO, SCN_LGS_PLAN_NETWORK, SCN_LGS_PLAN_LP };

typedef struct scn_logistics {
  double period;     /* s, planning period (default 24h) */
  double penalty;    /* cost of one unit of unmet demand at priority 1, in hours of
                        transport per unit (default 10000h) */
  int avoid_combat;  /* JP assets never enter an active combat_area (default 1) */
  int full_loads;    /* a voyage tops up what it carries to a full hold (default 1) */
  int planner;       /* scn_lgs_planner */
  size_t ncommodity, nport, ndepot, nconsumer, ntransport;
  scn_lgs_commodity *commodity;
  scn_lgs_port *port;
  scn_lgs_depot *depot;
  scn_lgs_consumer *consumer;
  scn_lgs_transport *transport;
} scn_logistics;


/* The `logistics:` section as the loader's table lists it (scenario.h: scn_section;
 * ops_load_options), and the scenario's, or NULL. */
extern const scn_section lgs_section;
static inline const scn_logistics *scn_logistics_of(const scn_scenario *sc) {
  return scn_section_of(sc, "logistics");
}

#endif
