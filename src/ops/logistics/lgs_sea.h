/* lgs_sea.h - where the logistics model's ships sail (logistics-internal): the sea
 * router (geo/searoute.h) over the scenario's theater, a source at every depot's port,
 * and the checks `straits check` and a run share (docs/models.md "Sea routing").
 *
 * The box is scn_theater_box's (places, sea routes, consumers at sea, person_missing
 * points, the inspection zone), `margin` degrees around: with 3, the inspection and
 * SAR models ask for the same sea and share it (geo_sea_open keeps the last one).  Ownership: the
 * lgs_sea is the caller's (lgs__sea_open / lgs__sea_close); it borrows the scenario. */
#ifndef STRAITS_LOG_SEA_H
#define STRAITS_LOG_SEA_H

#include "diag.h"
#include "scenario.h"
#include "searoute.h"

typedef struct lgs_sea {
  geo_sea *sea; /* NULL: no GSHHG coastline installed (ships sail great circles) */
  int *src;     /* [nplace] the sea source at a place, or -1 */
} lgs_sea;

/* Open the sea for sc: a warning in d when no coastline is installed (then sea is
 * NULL and every distance is the great circle; so too with theater.coastline none).
 * 0, or ERR_NOMEM / ERR_IO / ... */
int lgs__sea_open(lgs_sea *ls, const scn_scenario *sc, double margin, diag *d);
void lgs__sea_close(lgs_sea *ls);

/* The source at a place (made the first time it is asked for), or < 0 on error. */
int lgs__sea_source(lgs_sea *ls, const scn_scenario *sc, int place);

/* Sea routes (theater `routes:` of kind sea) whose legs cross land: a warning at the
 * route for each such leg, with the first land point.  Ends at a place are allowed the
 * first and last `reach` of the leg (the port's own shore at this resolution). */
void lgs__sea_check_routes(const lgs_sea *ls, const scn_scenario *sc, diag *d);

#endif
