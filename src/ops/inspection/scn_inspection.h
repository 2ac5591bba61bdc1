/* scn_inspection.h - the loaded `inspection:` section (docs/scenario.md): the zone,
 * the traffic through it (Poisson streams and/or a replayed AIS-style CSV), vessels
 * of interest, flag-state consent, the UNSC gate, the inspecting assets and the
 * durations of each mode of the Ship Inspection Operations Act.
 *
 * Part of the immutable scenario: everything here lives in the scenario's arena and
 * is read-only after scn_load().  Quantities are SI (seconds, m/s, 1/s). */
#ifndef STRAITS_SCN_INSPECTION_H
#define STRAITS_SCN_INSPECTION_H

#include <stddef.h>
#include "dist.h"
#include "scenario.h"

/* Which waiting ship an idle boarding team takes next. */
#define SCN_INSP_RULE_MAP(X)              \
  X(INTEREST_FIRST, "interest_first")     \
  X(FIFO, "fifo")                         \
  X(NEAREST, "nearest")

typedef enum scn_insp_rule {
#define SCN__INSP_RULE(name, str) SCN_INSP_##name,
  SCN_INSP_RULE_MAP(SCN__INSP_RULE)
#undef SCN__INSP_RULE
  SCN_INSP_RULE__COUNT
} scn_insp_rule;

/* What the act requires before a boarding: the flag state's consent unless a UN
 * Security Council resolution is in force (consent_or_unsc), or the resolution
 * itself before the operation runs at all (unsc_only). */
typedef enum scn_insp_basis { SCN_INSP_CONSENT_OR_UNSC, SCN_INSP_UNSC_ONLY } scn_insp_basis;

/* When the operation starts: at a time, after a crisis event, once Japan's legal
 * situation reaches a level (SIG_SITUATION_CHANGED), or when a plan task of activity
 * ship_inspection or maritime_interdiction starts (SIG_TASK_STATUS; the operation then
 * runs only while such a task does); then after `delay`.  Assets of the authorities
 * table's nation (JP) may only follow a task (checked where the table is known:
 * insp_check in ops/inspection.h). */
typedef enum scn_insp_start_kind { SCN_INSP_START_AT, SCN_INSP_START_EVENT,
                                   SCN_INSP_START_SITUATION, SCN_INSP_START_TASK } scn_insp_start_kind;

/* How ships behave in the zone.  STATIONARY: a ship waits where it entered for a
 * `crossing` draw (its patience) -- the queueing mode the Erlang checks use.  TRACKS:
 * a ship crosses the zone on a straight track at its class's speed and leaves where
 * the track leaves the polygon (docs/models.md section 5). */
typedef enum scn_insp_motion { SCN_INSP_STATIONARY, SCN_INSP_TRACKS } scn_insp_motion;

/* The legal regime boarding teams act under (docs/models.md section 5).
 * CONSENT: the Ship Inspection Operations Act (Act No. 145 of 2000, arts. 2, 5 and its
 * Appended Table): a vessel needs a UNSC resolution or its flag state's consent, a
 * boarding the master's consent, and a ship found carrying cargo of interest (or whose
 * master refused the boarding) may only be *requested* to change route or destination,
 * which it heeds with probability `comply`; no escort, no diversion to a port.
 * INTERDICTION: the Maritime Transportation Restriction Act (Act No. 116 of 2004, arts.
 * 1, 4 and ch. 4), under a defense operation order (SDF Act art. 76): stop, board and
 * inspect without anyone's consent, and divert to a Japanese port (escorted with
 * `escort: asset`). */
typedef enum scn_insp_regime {
  SCN_INSP_REGIME_CONSENT,
  SCN_INSP_REGIME_INTERDICTION,
  SCN_INSP_REGIME__COUNT
} scn_insp_regime;

/* Who sails a diverted ship's leg to the port: nobody but the ship (NONE), or the
 * inspecting asset, which keeps company and then returns to the zone (ASSET). */
typedef enum scn_insp_escort { SCN_INSP_ESCORT_NONE, SCN_INSP_ESCORT_ASSET } scn_insp_escort;

/* A rate change of a traffic stream: from time `at` (event < 0), or when crisis event
 * `event` occurs. */
typedef struct scn_insp_change {
  double at;  /* s; used when event < 0 */
  int event;  /* crisis event index, or -1 */
  double rate; /* arrivals per second from then on (may be 0) */
} scn_insp_change;

typedef struct scn_insp_stream {
  int cls, flag;   /* indices into class[] and flag[] */
  double rate;     /* arrivals per second at the start */
  size_t nchange;
  scn_insp_change *change; /* [nchange] */
  double *phase_rate; /* [nphase] arrivals per second while that plan phase is the
                         latest begun, NaN = the rate above (with its changes); NULL:
                         no `by_phase` */
  int has_course;
  dist course;     /* tracks: degrees true the ships steer */
  scn_loc course_loc; /* where `course` is written (the stream, if not) */
} scn_insp_stream;

/* A speed rule: ships of class cls (-1: any) steam at a draw of speed (m/s). */
typedef struct scn_insp_speed {
  int cls;
  dist speed;
  scn_loc loc; /* where `speed` is written: a draw that fails at run time is blamed there */
} scn_insp_speed;

/* A rule "vessels of this class and/or flag": cls/flag -1 match anything; the first
 * matching rule of a list gives p. */
typedef struct scn_insp_rule_p {
  int cls, flag;
  double p;
} scn_insp_rule_p;

/* One passage through the zone, taken from the replayed CSV. */
typedef struct scn_insp_passage {
  double t;        /* s after the epoch: first report inside the zone */
  double dwell;    /* s until the first report outside it; NaN = unknown (the ship's
                      last report was inside): `crossing` is drawn instead */
  double lat, lon; /* where it was first reported inside */
  double sog, cog; /* m/s and degrees true there; NaN when not reported */
  int cls, flag;
  long long mmsi;
} scn_insp_passage;

/* What the replay reader did with the CSV's rows (reported as a warning too). */
typedef struct scn_insp_replay_stats {
  size_t rows;         /* data rows read */
  size_t used;         /* rows that entered a track */
  size_t malformed;    /* skipped: a required field (mmsi, time, lat, lon) missing or bad */
  size_t duplicates;   /* skipped: same MMSI and time as an earlier row */
  size_t outside_time; /* skipped: before the epoch or after the horizon */
  size_t out_of_order; /* kept: earlier than the MMSI's previous row (sorted) */
  size_t no_flag;      /* kept: flag missing (class/flag "unknown") */
  size_t no_type;      /* kept: type missing */
} scn_insp_replay_stats;

typedef struct scn_insp_asset {
  int force;        /* force index */
  int count;        /* units of the force assigned, <= its count */
  int teams;        /* boarding teams per unit, >= 1 */
  double speed;     /* m/s (the force's unless overridden), > 0 */
  double endurance; /* s on one sortie, base to base (INFINITY: unlimited) */
  dist refit;       /* at base between sorties */
  scn_loc refit_loc; /* where `refit` is written (the asset, if not) */
} scn_insp_asset;

typedef struct scn_inspection {
  int zone;                   /* region index */
  scn_insp_start_kind start_kind;
  double start_at;            /* SCN_INSP_START_AT */
  int start_event;            /* SCN_INSP_START_EVENT */
  int start_situation;        /* SCN_INSP_START_SITUATION: scn_situation */
  int start_task;             /* SCN_INSP_START_TASK: plan task index */
  scn_insp_regime start_regime; /* the start task's regime (from its activity) */
  int interdict_task;         /* `interdiction: {task}`: a maritime_interdiction task whose
                                 running switches the regime to INTERDICTION, or -1 */
  scn_insp_regime regime;     /* not following a task: the regime throughout */
  scn_loc start_loc;          /* where `start` is written (the section when it is not) */
  scn_loc interdict_loc;      /* where `interdiction` is written */
  dist start_delay;
  int unsc_event;             /* crisis event standing for the UNSC resolution gate, or -1 */
  const char *unsc_gate;      /* gate id in the plan's authorities table (SIG_GATE_OPENED),
                                 or NULL; resolved by the model, which has the table */
  scn_loc unsc_gate_loc;      /* where the gate id is written */
  scn_insp_basis basis;
  scn_insp_rule rule;
  double warmup;              /* s after the start before ships count in the metrics */

  size_t nclass, nflag;
  const char **class_name;    /* [nclass] */
  const char **flag_name;     /* [nflag]; "unknown" for a missing flag */

  size_t nstream;
  scn_insp_stream *stream;
  dist crossing;              /* time a ship stays in the zone (patience); with tracks an
                                 optional limit on top of the geometric exit */
  int crossing_infinite;      /* crossing: never -> ships wait as long as it takes */

  size_t npassage;            /* replay, sorted by t */
  scn_insp_passage *passage;
  const char *replay_path;    /* as resolved, or NULL */
  scn_insp_replay_stats replay;

  size_t ninterest, nconsent;
  scn_insp_rule_p *interest;  /* share of vessels of interest */
  scn_insp_rule_p *consent;   /* flag-state consent probability (cls = -1) */
  double master_consent;      /* P(the master consents to a boarding), per boarding */
  double comply;              /* P(a ship requested to change route or destination does) */
  double board_others;        /* share of hailed vessels not of interest boarded anyway */
  double find_interest;       /* P(boarding finds cargo of interest -> diverted) */
  double find_other;

  dist hail, board, divert;   /* mode durations */
  scn_loc hail_loc, board_loc, divert_loc; /* where each is written (`modes`, if not) */
  scn_loc crossing_loc;       /* where `crossing` is written (the section, if not) */
  scn_loc start_delay_loc;    /* where the start's `delay` is written (the section, if not) */

  scn_insp_motion motion;
  size_t nspeed;
  scn_insp_speed *speed;      /* first matching class rule gives a ship's speed */
  size_t nphase;              /* the plan's phases (the length of phase_rate) */
  int by_phase;               /* some stream has phase_rate */

  size_t nport;               /* diversion ports, in order of preference; 0: a diverted */
  int *port;                  /* ship is not followed to a port (place indices) */
  scn_loc *port_loc;          /* [nport] where each is named in `ports` */
  scn_insp_escort escort;

  size_t nasset;
  scn_insp_asset *asset;
} scn_inspection;

/* The first speed rule matching cls, or NULL. */
const scn_insp_speed *scn_insp_speed_lookup(const scn_inspection *in, int cls);

/* The first matching rule's p, or 0 when none matches. */
double scn_insp_rule_lookup(const scn_insp_rule_p *rules, size_t n, int cls, int flag);

const char *scn_insp_rule_name(scn_insp_rule r);
const char *scn_insp_regime_name(scn_insp_regime r); /* "consent", "interdiction" */


/* The `inspection:` section as the loader's table lists it (scenario.h: scn_section;
 * ops_load_options), and the scenario's, or NULL. */
extern const scn_section insp_section;
static inline const scn_inspection *scn_inspection_of(const scn_scenario *sc) {
  return scn_section_of(sc, "inspection");
}

#endif
