/* sar_pattern.h - the search patterns of IAMSAR Vol. II (ch. 5): parallel track (PS),
 * creeping line (CS), expanding square (SS) and sector search (VS); their track
 * spacing from the sweep width and the coverage factor (S = W / C), the track a unit
 * flies for an area at that spacing, the waypoints of that track, and the detection
 * models that turn a coverage factor into a probability of detection.  Derivations:
 * docs/models.md, "Search patterns".
 *
 * Geometry is in local metres (x east, y north) about the pattern's centre; a pattern's
 * legs and turns are flown at the unit's speed, so its time is its track over the speed.
 * Nothing here allocates. */
#ifndef STRAITS_SAR_PATTERN_H
#define STRAITS_SAR_PATTERN_H

#include <stddef.h>

/* SAR_PATTERN_OPTIMAL is the planner's own: a rectangle whose coverage the allocation
 * sets (sar_plan_rect), flown as parallel tracks. */
typedef enum sar_pattern_kind {
  SAR_PATTERN_OPTIMAL = 0,
  SAR_PATTERN_PARALLEL, /* PS: legs along the area's longer side */
  SAR_PATTERN_CREEPING, /* CS: legs along the shorter side, advancing along the longer */
  SAR_PATTERN_SQUARE,   /* SS: outward square spiral from the datum, legs S, S, 2S, 2S, ... */
  SAR_PATTERN_SECTOR,   /* VS: three equilateral triangles through the datum, 9 legs of R */
  SAR_PATTERN__COUNT
} sar_pattern_kind;

/* "optimal", "parallel", "creeping", "square", "sector"; NULL for a stranger. */
const char *sar_pattern_name(int kind);
/* The kind of a name, or -1. */
int sar_pattern_find(const char *name);

/* How coverage becomes a probability of detection (docs/models.md):
 * random search (Koopman): 1 - exp(-C); definite range on parallel tracks: min(1, C);
 * inverse cube law on parallel tracks: erf(sqrt(pi) C / 2). */
typedef enum sar_detection {
  SAR_DETECT_RANDOM = 0,
  SAR_DETECT_DEFINITE,
  SAR_DETECT_INVERSE_CUBE
} sar_detection;
const char *sar_detection_name(int model);
int sar_detection_find(const char *name);
double sar_pod(int model, double coverage);

/* A pattern as flown.  For PS and CS the area is a width x height rectangle (east-west,
 * north-south); for SS a square of side width; for VS a disc of radius `radius`. */
typedef struct sar_pattern {
  int kind;
  double spacing; /* m between adjacent legs (VS: at the legs' ends, = R) */
  double width, height, radius;
  int legs;        /* search legs (VS: 9 per pass) */
  int passes;      /* VS: patterns flown, each turned 30 degrees; 1 otherwise */
  int along_x;     /* PS, CS: the legs run east-west (else north-south) */
  double leg;      /* m: a search leg (PS, CS; SS: the longest; VS: R) */
  double track;    /* m flown in the area, cross legs and turns included */
  double area;     /* m^2 the pattern covers */
  double coverage; /* sweep width / spacing (VS: W track / area, the mean) */
} sar_pattern;

/* The track of each pattern over its area at spacing S (closed forms, exact):
 *   PS, CS:  n = (across / S) legs of (along - S), n - 1 cross legs of S:  A / S - S
 *   SS:      2m + 1 legs of S, S, 2S, 2S, ..., mS, mS, mS covering ((m + 1) S)^2:
 *            S m (m + 2) = A / S - S
 *   VS:      9 R per pass. */
double sar_pattern_track(int kind, double area, double spacing);

/* The largest pattern of `kind` whose track fits in `track` metres at spacing S (PS and
 * CS: sides in the ratio `aspect` = width / height, legs a whole number; SS: a whole
 * number of turns; VS: radius R = S, as many passes as fit up to 2, the second turned
 * 30 degrees (a third would retrace the first) -- or, with S <= 0, one pass of radius
 * track / 9).  sweep: the unit's sweep width (for the coverage).  Returns 0,
 * or -1 when not even one leg fits. */
int sar_pattern_fit(sar_pattern *out, int kind, double spacing, double track, double aspect,
                    double sweep);

/* The waypoints (x, y, metres about the area's centre) of the pattern, from the commence
 * search point: up to max points written, the count needed returned.  PS and CS start at
 * the south-west corner, legs inset S / 2 from the area's edges; SS and VS start at the
 * datum (the centre) heading north. */
size_t sar_pattern_waypoints(const sar_pattern *p, double *x, double *y, size_t max);

#endif
