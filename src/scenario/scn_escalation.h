/* scn_escalation.h - the loaded `crisis.escalation:` ladder (load_crisis.c).
 *
 * A continuous-time Markov chain over named levels.  Each transition has a base rate
 * (1/s) that is multiplied by every factor whose condition holds (a trigger over
 * crisis events, the same `after:` vocabulary as crisis.events).  Entering a level,
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

/* The rate is multiplied by `factor` while its condition holds: `when` (a trigger over
 * crisis events, re-checked whenever one occurs) or, if situation >= 0, Japan's legal
 * situation having reached at least that gravity (SIG_SITUATION_CHANGED, from the
 * crisis or the plan's situation model).  Hook for phases and plan actions: another
 * condition kind fed by the signal that announces it. */
typedef struct scn_esc_factor {
  scn_trigger when;
  int situation;     /* scn_situation, or -1: use `when` */
  double factor;     /* >= 0 */
  scn_loc loc;
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
