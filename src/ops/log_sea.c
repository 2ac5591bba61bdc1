/* log_sea.c - the logistics model's sea (log_sea.h): the theater's box, the router,
 * sources at places, and the check of the theater's sea routes against the coast. */
#include "log_sea.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "scn_logistics.h"
#include "sim.h"

static void grow_box(double box[4], double lat, double lon) {
  box[0] = fmin(box[0], lat), box[1] = fmax(box[1], lat);
  box[2] = fmin(box[2], lon), box[3] = fmax(box[3], lon);
}

/* The places and person_missing points (as the SAR model's land mask takes them),
 * then sea route waypoints and consumers at sea; `margin` degrees around. */
static void theater_box(const scn_scenario *sc, double margin, geo_box *b) {
  double box[4] = {90, -90, 360, -180};
  for (size_t i = 0; i < sc->nplace; i++) grow_box(box, sc->place[i].lat, sc->place[i].lon);
  for (size_t e = 0; e < sc->nevent; e++)
    for (size_t k = 0; k < sc->event[e].nraise; k++) {
      const scn_raise *r = &sc->event[e].raise[k];
      if (r->signal == SIG_PERSON_MISSING) grow_box(box, r->lat, r->lon);
    }
  for (size_t i = 0; i < sc->nroute; i++)
    for (size_t k = 0; k < sc->route[i].n; k++) grow_box(box, sc->route[i].lat[k], sc->route[i].lon[k]);
  const scn_logistics *L = sc->logistics;
  for (size_t c = 0; L && c < L->nconsumer; c++) {
    const scn_log_consumer *u = &L->consumer[c];
    grow_box(box, u->lat, u->lon);
    for (size_t k = 0; k < u->ntrack; k++) grow_box(box, u->track[k].lat, u->track[k].lon);
    for (size_t k = 0; k < u->nstation; k++) grow_box(box, u->station[k].lat, u->station[k].lon);
  }
  if (box[0] > box[1]) box[0] = 20, box[1] = 40, box[2] = 115, box[3] = 145;
  b->lat_min = fmax(-89, box[0] - margin), b->lat_max = fmin(89, box[1] + margin);
  b->lon_min = fmax(-180, box[2] - margin), b->lon_max = fmin(360, box[3] + margin);
}

int log__sea_open(log_sea *ls, const scn_scenario *sc, double margin, diag *d) {
  memset(ls, 0, sizeof *ls);
  if (!(ls->src = malloc((sc->nplace + 1) * sizeof *ls->src))) return ERR_NOMEM;
  for (size_t p = 0; p < sc->nplace; p++) ls->src[p] = -1;
  geo_box box;
  theater_box(sc, margin, &box);
  geo_sea_options o = GEO_SEA_OPTIONS_INIT;
  if (!sc->coastline) return 0; /* theater.coastline: none */
  o.coastline = sc->coastline;
  int err = geo_sea_open(&ls->sea, &box, &o, d);
  if (err == ERR_NOTFOUND) {
    diag_report(d, DIAG_WARNING, sc->path, 0, 0, "no GSHHG coastlines installed "
                "(gmt-gshhg-low): ships sail great circles, over land too");
    return 0;
  }
  return err;
}

void log__sea_close(log_sea *ls) {
  geo_sea_close(ls->sea);
  free(ls->src);
  memset(ls, 0, sizeof *ls);
}

int log__sea_source(log_sea *ls, const scn_scenario *sc, int place) {
  if (ls->src[place] < 0)
    ls->src[place] = geo_sea_source(ls->sea, sc->place[place].lat, sc->place[place].lon);
  return ls->src[place];
}

static void fmt_point(char *buf, size_t len, double lat, double lon) {
  snprintf(buf, len, "%.3f%c %.3f%c", fabs(lat), lat < 0 ? 'S' : 'N', fabs(lon), lon < 0 ? 'W' : 'E');
}

static void waypoint_name(char *buf, size_t len, const scn_scenario *sc, const scn_route *r, size_t k) {
  if (r->place[k] >= 0) snprintf(buf, len, "'%s'", sc->place[r->place[k]].id);
  else snprintf(buf, len, "waypoint %zu", k + 1);
}

void log__sea_check_routes(const log_sea *ls, const scn_scenario *sc, diag *d) {
  if (!ls->sea) return;
  geo_sea_options o = GEO_SEA_OPTIONS_INIT;
  for (size_t i = 0; i < sc->nroute; i++) {
    const scn_route *r = &sc->route[i];
    if (strcmp(r->kind, "sea") != 0) continue;
    for (size_t k = 0; k + 1 < r->n; k++) {
      double lat, lon;
      double sa = r->place[k] >= 0 ? o.reach : 0, sb = r->place[k + 1] >= 0 ? o.reach : 0;
      if (!geo_sea_crosses(ls->sea, r->lat[k], r->lon[k], r->lat[k + 1], r->lon[k + 1], sa, sb,
                           &lat, &lon))
        continue;
      char at[64], from[96], to[96];
      fmt_point(at, sizeof at, lat, lon);
      waypoint_name(from, sizeof from, sc, r, k);
      waypoint_name(to, sizeof to, sc, r, k + 1);
      diag_report(d, DIAG_WARNING, r->loc.file, r->loc.line, r->loc.col,
                  "sea route '%s' crosses land at %s on its leg %zu (%s to %s): ships follow "
                  "it as written (coastline '%c')",
                  r->id, at, k + 1, from, to, geo_sea_coastline(ls->sea));
    }
  }
}
