/* sar_sweep.h - sweep widths from tables (data/sweep_width.csv, compiled in): by sensor
 * (visual from a helicopter, a fixed-wing aircraft or a vessel, FLIR), search altitude,
 * the search object's group (data/leeway.csv) and visibility, then corrected for the
 * weather.  Used when a SAR unit gives `sensor:` instead of (or besides) `sweep_width:`
 * (docs/scenario.md); the numbers of the shipped table are notional (the data file
 * says why), its structure IAMSAR's. */
#ifndef STRAITS_SAR_SWEEP_H
#define STRAITS_SAR_SWEEP_H

#include <stddef.h>

/* The weather classes of the correction (JP 3-50 App. D Table D-1): calm (winds up to
 * 15 kn, seas under 2 ft), moderate (winds over 15 kn or seas 2-3 ft), rough (winds over
 * 25 kn or seas over 4 ft). */
enum sar_weather { SAR_WEATHER_CALM = 0, SAR_WEATHER_MODERATE = 1, SAR_WEATHER_ROUGH = 2 };

/* The sensors of the table, 0 .. sar_sweep_sensor_count() - 1, in the table's order;
 * a sensor's index by name, or -1. */
size_t sar_sweep_sensor_count(void);
const char *sar_sweep_sensor_name(size_t k);
int sar_sweep_sensor_find(const char *name);

/* The altitudes (m) the table has for sensor k: lowest and highest (equal for a
 * vessel's one row). */
void sar_sweep_altitudes(size_t k, double *lo, double *hi);

/* The uncorrected sweep width (m) of sensor k at altitude (m) for objects of `group`
 * in visibility (m): linear between the table's altitudes and visibilities, the end
 * values held outside them.  NaN when the table has no row of that sensor and group. */
double sar_sweep_table(size_t k, double altitude, const char *group, double visibility);

/* The weather correction factor for the object class (scn_object): 1 calm; a person in
 * the water or a small boat 0.5 moderate, 0.25 rough; other objects 0.9. */
double sar_sweep_weather_factor(int object, int weather);

/* The corrected sweep width (m): sar_sweep_table of the class's group times the factor. */
double sar_sweep_width(size_t k, double altitude, int object, double visibility, int weather);

#endif
