/* scn_escalation.h - the loaded `crisis.escalation:` ladder (load_crisis.c).
 *
 * A continuous-time Markov chain over named levels.  Each transition has a base rate
 * (1/s) that is multiplied by every factor whose condition holds (a trigger over
 * crisis events in the `after:` vocabulary of crisis.events, Japan's legal situation,
 * the plan's current phase, or a plan task running).  Entering a level,
 * and taking a transition, have effects in the events' vocabulary: signals raised
 * (scn_raise, as for events), events made to occur, and Japanese regions that
 * violence is taken to reach. */
#ifndef STRAITS_SCN_ESCALATION_H
#define STRAITS_SCN_ESCALATION_H

#include <stddef.h>
#include "scenario.h"

typedef struct scn_esc_effects {
  size_t nraise;
  scn_raise *raise;  /* signals, exactly as an event's `raises:` */
  size_t noccur;
  int *occur;        /* event indices made to occur now (unless they already have) */
  size_t nreach;
  int *reach;        /* region indices violence reaches now */
} scn_esc_effects;

/* What a rate multiplier waits for.  Each kind is fed by the signal that announces it,
 * and the ladder redraws its pending jump when the condition may have changed. */
typedef enum scn_esc_cond {
  SCN_ESC_AFTER,     /* `after:` a trigger over crisis events (SIG_EVENT_OCCURRED) */
  SCN_ESC_SITUATION, /* `situation:` Japan's legal situation at least this grave
                        (SIG_SITUATION_CHANGED, from the crisis or the plan) */
  SCN_ESC_PHASE,     /* `phase:` this plan phase is the current one: from its beginning
                        until a later phase begins (SIG_PHASE_BEGAN) */
  SCN_ESC_TASK       /* `task:` this plan task is running (SIG_TASK_STATUS open = 1),
                        not while it waits, is paused or has ended */
} scn_esc_cond;

/* The rate is multiplied by `factor` while its condition holds.  Phase and task ids
 * are resolved once the plan section is loaded (after the crisis section). */
typedef struct scn_esc_factor {
  scn_esc_cond cond;
  scn_trigger when;  /* SCN_ESC_AFTER */
  int ref;           /* SCN_ESC_SITUATION: scn_situation; PHASE / TASK: the plan's
                        phase or task index (scn_plan.h); -1 otherwise */
  const char *ref_id; /* PHASE / TASK: the id as written */
  double factor;     /* >= 0 */
  scn_loc loc;       /* the multiplier */
  scn_loc ref_loc;   /* PHASE / TASK: where the id is written */
} scn_esc_factor;

typedef struct scn_esc_transition {
  int from, to;      /* level indices */
  double rate;       /* 1/s, >= 0 */
  size_t nfactor;
  scn_esc_factor *factor;
  scn_esc_effects fx; /* when taken, before the new level's entry effects */
  scn_loc loc;
} scn_esc_transition;

typedef struct scn_esc_level {
  const char *id, *name;
  scn_esc_effects fx; /* on every entry */
  size_t nout;
  int *out;           /* transition indices leaving this level, in file order */
  scn_loc loc;
} scn_esc_level;

typedef struct scn_escalation {
  int start;            /* level entered when the ladder starts */
  scn_trigger trigger;  /* when it starts: at a time (default 0) or after events */
  size_t nlevel, ntransition;
  scn_esc_level *level;
  scn_esc_transition *transition;
} scn_escalation;

#endif
