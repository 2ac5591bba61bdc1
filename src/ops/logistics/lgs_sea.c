/* lgs_sea.c - the logistics model's sea (lgs_sea.h): the theater's box, the router,
 * sources at places, and the check of the theater's sea routes against the coast. */
#include "lgs_sea.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

int lgs__sea_open(lgs_sea *ls, const scn_scenario *sc, double margin, diag *d) {
  memset(ls, 0, sizeof *ls);
  if (!(ls->src = malloc((sc->nplace + 1) * sizeof *ls->src))) return ERR_NOMEM;
  for (size_t p = 0; p < sc->nplace; p++) ls->src[p] = -1;
  double b[4];
  scn_theater_box(sc, margin, b);
  geo_box box = {b[0], b[1], b[2], b[3]};
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

void lgs__sea_close(lgs_sea *ls) {
  geo_sea_close(ls->sea);
  free(ls->src);
  memset(ls, 0, sizeof *ls);
}

int lgs__sea_source(lgs_sea *ls, const scn_scenario *sc, int place) {
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

void lgs__sea_check_routes(const lgs_sea *ls, const scn_scenario *sc, diag *d) {
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
