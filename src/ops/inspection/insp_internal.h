/* insp_internal.h - what the parts of the inspection model share (not a public
 * header): the model's and the replication's layouts, the metrics' numbering, and
 * the functions one part calls in another.  inspection.c builds the model and
 * checks the plan's tasks, insp_service.c holds the queues, the boarding teams and
 * the diversion legs, insp_ships.c the traffic and the assets, insp_run.c the
 * operation's gates, start and collect, and the Erlang formulas. */
#ifndef STRAITS_INSP_INTERNAL_H
#define STRAITS_INSP_INTERNAL_H

#include "inspection.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_sf_gamma.h>

#include "err.h"
#include "geo_polygon.h"
#include "searoute.h"
#include "geo_local.h"
#include "geodesy.h"
#include "ops.h"
#include "plan.h"
#include "rng.h"
#include "scn_inspection.h"
#include "scn_plan.h"
#include "stats.h"

enum { P_START = 0, P_SERVICE = 1, P_REFIT = 2, P_REPLAY = 3, P_REPLAY_FATE = 4, P_STREAM = 16,
       P_FATE = 1 << 20 };

#define PI 3.14159265358979323846

enum {
  M_SHIPS, M_INTEREST_SHIPS, M_COVERAGE, M_BOARDED_FRAC, M_DIVERTED_FRAC, M_LEFT_FRAC,
  M_INTEREST_MISSED_FRAC, M_DIVERTED, M_CONSENT_REFUSED, M_MASTER_REFUSED,
  M_REQUESTED, M_COMPLIED, M_ORDERED, M_BOARDED_CONSENT, M_BOARDED_INTERDICT,
  M_WAIT, M_WAIT_ALL, M_INTERCEPT, M_BOARDING_TIME, M_TEAM_UTIL, M_ASSET_UTIL, M_ON_STATION,
  M_START, M_INTERDICT_START,
  /* observed in every replication, whether the operation ever started or not */
  M_PASSED, M_INTEREST_PASSED, M_INTEREST_MISSED, M_REGIME_CONSENT, M_REGIME_INTERDICT,
  /* with diversion ports only */
  M_DIV_ARRIVED, M_DIV_TRANSIT, M_DIV_REDIRECTED, M_DIV_NO_PORT, M_DIV_RELEASED, M_ESCORT,
  M_ESCORTED,
  M__COUNT
};
#define M__ALWAYS M_DIV_ARRIVED /* the metrics every inspection defines */
#define M__WHOLE M_PASSED       /* from here to M__ALWAYS: the whole horizon */

typedef struct unit_def {
  const scn_insp_asset *a;
  double base_lat, base_lon;
  int src;     /* the sea source at its base (sea routing), or -1 */
  int first_team, nteams;
  int useless; /* endurance too short for the round trip: never deploys */
} unit_def;

struct insp_model {
  const scn_scenario *sc;
  const scn_inspection *in;
  int metric[M__COUNT];  /* -1: not defined for this scenario */
  int *metric_phase;     /* [nphase] ships entering in each plan phase, or NULL */
  int *metric_port;      /* [nport] diverted ships that arrived in each port, or NULL */
  double *p_interest;    /* [nclass * nflag] */
  double *p_consent;     /* [nflag] */
  const scn_insp_speed **speed; /* [nclass] the class's speed rule, or NULL */
  size_t nunit, nteam;
  unit_def *unit;        /* [nunit] */
  double lat_min, lat_max, lon_min, lon_max, clat, clon; /* the zone */
  geo_local plane;       /* the zone's plane, at (clat, clon) */
  double *zx, *zy;       /* [nzone] the zone's vertices in the local plane, m */
  size_t nzone;
  double mean_chord;     /* m: pi area / perimeter, the mean chord over all directions */
  int unsc_gate;   /* the UNSC resolution's gate index in the authorities table, or -1 */
  geo_sea *sea;    /* ships sail over water (docs/models.md "Sea routing"), or NULL */
  int *port_src;   /* [nport] the sea source at each diversion port, or NULL */
  int zone_src;    /* the sea source at the zone's centre (escorts' way back), or -1 */
  int zone_land;   /* land inside the zone's bounding box: chases are checked for it */
};

/* Ships slower than this are taken to steam at it, so every track ends (0.1 m/s is
 * 0.2 kn: a ship hove to, drifting). */
#define MIN_SPEED 0.1

/* ---- replication state ------------------------------------------------------------------ */

enum ship_state { SH_WAIT, SH_SERVE, SH_DONE, SH_GONE };

/* The chances of a ship's service, each decided by a uniform the ship brings. */
enum { U_WANT, U_FLAG, U_MASTER, U_FIND, U_COMPLY, U__COUNT };

typedef struct ship ship;
struct ship {
  ship *prev, *next; /* in its queue while waiting; next links the free list */
  insp *I;
  double arrive;     /* entered the zone */
  double t0, x, y;   /* local plane, m, at time t0 */
  double vx, vy;     /* m/s (0 when stationary or stopped for a boarding) */
  double leave;      /* when it leaves the zone unserved (INFINITY: never) */
  double speed;      /* m/s on a diversion leg (NaN: no speed rule) */
  uint64_t seq;      /* arrival order, for FIFO across the two queues */
  int cls, flag, interest, state, leave_pending, insp__in_scope, phase;
  int checked;       /* boarded, or turned away (complied with a request, or diverted) */
  float u[U__COUNT]; /* its service's uniforms, drawn on entry (ship_draw_rest) */
};

typedef struct queue {
  ship *head, *tail;
  size_t n;
} queue;

enum unit_state { U_BASE, U_OUTBOUND, U_STATION, U_RECALLED, U_HOMEBOUND, U_ESCORT };

typedef struct unit {
  insp *I;
  const unit_def *def;
  int state, busy;
  int recalled;                       /* its sortie ended while it escorted */
  int escorting;                      /* on an escort leg or returning from one */
  double x, y;                        /* local plane (on station and in the zone) */
  double lat, lon;                    /* elsewhere: at base or port */
  double busy_area, busy_since;       /* time with at least one team busy */
  double station_area, station_since; /* time on station */
  double escort_area, escort_since;   /* time escorting a diverted ship and returning */
} unit;

enum team_phase { PH_IDLE, PH_HAIL, PH_BOARD, PH_DIVERT };

typedef struct team {
  insp *I;
  unit *u;
  ship *sh;
  int phase;
  double since, busy_total;
} team;

/* A diverted ship's leg to a port (with its escort, if any).  Legs are recycled. */
typedef struct leg leg;
struct leg {
  leg *prev, *next;  /* the active legs; next links the free list */
  insp *I;
  unit *escort;      /* NULL: the ship sails alone */
  double lat0, lon0, t0; /* where and when this leg began */
  double t1;         /* arrival at the port */
  double speed;      /* m/s */
  double diverted;   /* when the diversion was decided */
  int port;          /* index into in->port */
  int insp__in_scope;
};

/* A stream is dormant (no events) until the operation's start is in sight; its rate
 * history lets it then replay, draw for draw, the ships it would have sent since 0
 * (stream_replay), entering those still in the zone and counting the rest. */
typedef struct stream_state {
  insp *I;
  const scn_insp_stream *def;
  double base;  /* the stream's own rate: `rate`, then its `changes` */
  double rate;  /* in force: the current phase's by_phase rate, else base */
  double next_t;
  int live;
  size_t nhist, cap;
  double *hist_t, *hist_rate; /* [cap]: rate from hist_t[i] on */
  rng_stream arrivals, ships, fates;
} stream_state;

typedef struct rate_timer {
  stream_state *st;
  double rate;
} rate_timer;

struct insp {
  const insp_model *m;
  const struct ops_trace *trace; /* straits trace's sink, or NULL */
  const scn_inspection *in;
  sim *sim;
  arena *arena;
  rng_stream r_start, r_service, r_refit, r_replay, r_replay_fate;
  queue interest, other;
  ship *free;
  leg *legs, *free_legs; /* active diversion legs, recycled ones */
  uint64_t seq, simulated;
  unit *unit;   /* [nunit] */
  team *team;   /* [nteam] */
  stream_state *stream;
  double *tau;  /* [nzone] scratch for track intersections */
  int *port_open; /* [nport] */
  uint64_t *port_arrived; /* [nport] in-scope diverted ships that arrived there */
  int phase;    /* latest plan phase begun, -1 before any */
  double *phase_t; /* [nphase] when each began, NaN if not yet */
  uint64_t *phase_ships; /* [nphase] in-scope ships entering in it */
  size_t replay_next;
  int start_pending, started, unsc_open, traffic_live;
  int task_on[SCN_INSP_REGIME__COUNT]; /* the plan's task of each regime is running */
  int regime;        /* the regime teams act under now (scn_insp_regime), -1: none */
  double regime_since, regime_time[SCN_INSP_REGIME__COUNT], interdict_start;
  int unsc_scopes; /* scopes (all situations, or one) the plan's UNSC gate is open for */
  double start_time;
  /* every ship, in scope or not, over the whole horizon (dormant streams' ships too) */
  uint64_t passed, interest_passed, interest_missed;
  /* outcomes of in-scope ships */
  uint64_t ships, interest_ships, hailed, boarded, diverted, left;
  uint64_t consent_refused, master_refused, served, boardings;
  uint64_t requested, complied, ordered, escorted, boarded_by[SCN_INSP_REGIME__COUNT];
  uint64_t div_arrived, div_redirected, div_no_port, div_released;
  double wait_sum, wait_all_sum, boarding_sum, intercept_sum, div_transit_sum;
};

/* Counting the ships of a stream that never woke, on copies of its random streams. */
typedef struct dormant_count {
  const insp *I;
  rng_stream ships;
  double until;
  uint64_t passed, interest, gone;
} dormant_count;

/* ---- shared between the parts -------------------------------------------------------- */

int insp__before(const ship *a, const ship *b);
size_t insp__chord(const insp *I, double dx, double dy, double off, double *tau);
void insp__count_each(const stream_state *st, double t, void *ctx);
void insp__dispatch(insp *I);
void insp__draw_track(const insp *I, rng_stream *r, double course, double *x, double *y,
                      double *len);
void insp__escort_end_accounting(unit *u);
double insp__exit_distance(insp *I, double x, double y, double course);
void insp__in_scope(insp *I, ship *sh);
int insp__in_zone(const scn_region *r, double lat, double lon);
void insp__leave_station(insp *I, unit *u);
void insp__legs_release(insp *I);
void insp__on_site(sim *s, const sim_signal *sig, void *ctx);
void insp__q_push(queue *q, ship *s);
void insp__q_remove(queue *q, ship *s);
queue *insp__queue_of(insp *I, const ship *s);
void insp__rate_change(sim *s, void *ctx);
double insp__rate_in_force(const stream_state *st);
void insp__replay_arrival(sim *s, void *ctx);
double insp__sail(const insp_model *m, int src, double lat0, double lon0, double lat, double lon);
double insp__chase_by_sea(const insp *I, double ux, double uy, double sx, double sy, double vx,
                          double vy, double v, double straight);
double insp__sample(const dist *d, rng_stream *r);
sim_blame insp__blame(const scn_loc *at, const char *what, const char *id, double value);
int insp__after_mode(insp *I, double lead, const dist *mode, const scn_loc *at, const char *name,
                     sim_handler h, void *ctx);
void insp__set_base(stream_state *st, double rate);
void insp__set_rate(stream_state *st, double rate);
void insp__ship_free(insp *I, ship *s);
double insp__stream_replay(const stream_state *st, rng_stream *arrivals, double until,
                           void (*each)(const stream_state *st, double t, void *ctx),
                           void *ctx);
void insp__to_latlon(const insp_model *m, double x, double y, double *lat, double *lon);
void insp__to_plane(const insp_model *m, double lat, double lon, double *x, double *y);
void insp__traffic_wake(insp *I);
void insp__unit_arrives(sim *s, void *ctx);
void insp__unit_departs(sim *s, void *ctx);
void insp__unit_home(sim *s, void *ctx);

#endif
