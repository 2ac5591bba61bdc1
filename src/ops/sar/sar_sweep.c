/* sar_sweep.c - sweep widths from the compiled-in table (sar_sweep.h; derivation of the
 * lookup and the correction in docs/models.md, "Sweep widths from tables"). */
#include "sar_sweep.h"

#include <math.h>
#include <string.h>

#include "sar.h"
#include "sar_sweep_table.h"

typedef struct sweep_row {
  const char *sensor;
  double altitude;      /* m */
  const char *group;
  double w[SAR_SWEEP_NVIS]; /* km */
} sweep_row;

#define ROW(sensor, alt, group, ...) {sensor, alt, group, {__VA_ARGS__}},
static const sweep_row rows[] = {SAR_SWEEP_TABLE(ROW)};
#undef ROW
#define NROWS (sizeof rows / sizeof rows[0])
static const double vis_km[SAR_SWEEP_NVIS] = SAR_SWEEP_VIS_KM;

/* The distinct sensors, in the order they first appear. */
static int is_first(size_t r) {
  for (size_t q = 0; q < r; q++)
    if (strcmp(rows[q].sensor, rows[r].sensor) == 0)
      return 0;
  return 1;
}

size_t sar_sweep_sensor_count(void) {
  size_t n = 0;
  for (size_t r = 0; r < NROWS; r++)
    n += (size_t)is_first(r);
  return n;
}

const char *sar_sweep_sensor_name(size_t k) {
  for (size_t r = 0; r < NROWS; r++)
    if (is_first(r) && k-- == 0)
      return rows[r].sensor;
  return NULL;
}

int sar_sweep_sensor_find(const char *name) {
  for (size_t k = 0, n = sar_sweep_sensor_count(); name && k < n; k++)
    if (strcmp(sar_sweep_sensor_name(k), name) == 0)
      return (int)k;
  return -1;
}

void sar_sweep_altitudes(size_t k, double *lo, double *hi) {
  const char *s = sar_sweep_sensor_name(k);
  *lo = INFINITY, *hi = -INFINITY;
  for (size_t r = 0; s && r < NROWS; r++)
    if (strcmp(rows[r].sensor, s) == 0)
      *lo = fmin(*lo, rows[r].altitude), *hi = fmax(*hi, rows[r].altitude);
}

/* Row r's sweep width (km) at visibility v (km): linear between columns, ends held. */
static double at_visibility(const sweep_row *r, double v) {
  if (v <= vis_km[0])
    return r->w[0];
  for (size_t c = 1; c < SAR_SWEEP_NVIS; c++)
    if (v <= vis_km[c]) {
      double f = (v - vis_km[c - 1]) / (vis_km[c] - vis_km[c - 1]);
      return r->w[c - 1] + f * (r->w[c] - r->w[c - 1]);
    }
  return r->w[SAR_SWEEP_NVIS - 1];
}

double sar_sweep_table(size_t k, double altitude, const char *group, double visibility) {
  const char *s = sar_sweep_sensor_name(k);
  const sweep_row *below = NULL, *above = NULL; /* the rows bracketing the altitude */
  for (size_t r = 0; s && group && r < NROWS; r++) {
    const sweep_row *x = &rows[r];
    if (strcmp(x->sensor, s) != 0 || strcmp(x->group, group) != 0)
      continue;
    if (x->altitude <= altitude && (!below || x->altitude > below->altitude))
      below = x;
    if (x->altitude >= altitude && (!above || x->altitude < above->altitude))
      above = x;
  }
  if (!below && !above)
    return NAN;
  double v = visibility / 1000;
  if (!below || !above || below == above) /* outside the altitudes, or on a row */
    return 1000 * at_visibility(below ? below : above, v);
  double f = (altitude - below->altitude) / (above->altitude - below->altitude);
  double w0 = at_visibility(below, v), w1 = at_visibility(above, v);
  return 1000 * (w0 + f * (w1 - w0));
}

double sar_sweep_weather_factor(int object, int weather) {
  const sar_leeway *c = sar_leeway_of(object);
  if (weather == SAR_WEATHER_CALM || !c)
    return 1;
  /* Table D-1's "person in water, or < 30-ft length boat": the piw group, a person
   * clinging to debris, and the boat group (kayaks to sport fishers) */
  int small = strcmp(c->group, "piw") == 0 || strcmp(c->group, "debris") == 0 ||
              strcmp(c->group, "boat") == 0;
  if (!small)
    return 0.9;
  return weather == SAR_WEATHER_MODERATE ? 0.5 : 0.25;
}

double sar_sweep_width(size_t k, double altitude, int object, double visibility, int weather) {
  const sar_leeway *c = sar_leeway_of(object);
  if (!c)
    return NAN;
  return sar_sweep_table(k, altitude, c->group, visibility) *
         sar_sweep_weather_factor(object, weather);
}
