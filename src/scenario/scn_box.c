/* scn_box.c - the theater's box (scenario.h): what the sea router and the land mask
 * are cut to. */
#include <math.h>

#include "scenario.h"
#include "sim.h"

static void grow(double box[4], double lat, double lon) {
  box[0] = fmin(box[0], lat), box[1] = fmax(box[1], lat);
  box[2] = fmin(box[2], lon), box[3] = fmax(box[3], lon);
}

void scn_theater_box(const scn_scenario *sc, double margin, double box[4]) {
  box[0] = 90, box[1] = -90, box[2] = 360, box[3] = -180;
  for (size_t i = 0; i < sc->nplace; i++) grow(box, sc->place[i].lat, sc->place[i].lon);
  for (size_t e = 0; e < sc->nevent; e++)
    for (size_t k = 0; k < sc->event[e].nraise; k++) {
      const scn_raise *r = &sc->event[e].raise[k];
      if (r->signal == SIG_PERSON_MISSING) grow(box, r->lat, r->lon);
    }
  for (size_t i = 0; i < sc->nroute; i++)
    for (size_t k = 0; k < sc->route[i].n; k++) grow(box, sc->route[i].lat[k], sc->route[i].lon[k]);
  /* Each mission section's own points (scenario.h: scn_section.extent). */
  for (size_t i = 0; i < sc->nsection; i++)
    if (sc->section_def[i]->extent) sc->section_def[i]->extent(sc->section[i], sc, box);
  if (box[0] > box[1]) box[0] = 20, box[1] = 40, box[2] = 115, box[3] = 145;
  box[0] = fmax(-89, box[0] - margin), box[1] = fmin(89, box[1] + margin);
  box[2] = fmax(-180, box[2] - margin), box[3] = fmin(360, box[3] + margin);
}
