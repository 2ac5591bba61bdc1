/* scn_sar.h - the loaded `sar:` section (docs/scenario.md): drift settings, the
 * met-ocean fields (NetCDF files or constant vectors), survival times per object
 * class, and the search units with their sweep widths.
 *
 * Part of the immutable scenario: lives in the scenario's arena, read-only after
 * scn_load().  Quantities are SI (s, m, m/s). */
#ifndef STRAITS_SCN_SAR_H
#define STRAITS_SCN_SAR_H

#include <stddef.h>
#include "dist.h"
#include "scenario.h"

/* A field: a CF NetCDF file (path resolved against the scenario's folder), or a
 * constant vector when path is NULL. */
typedef struct scn_sar_field {
  const char *path;
  double east, north; /* m/s */
} scn_sar_field;

typedef struct scn_sar_asset {
  int force;                        /* force index: base, count */
  int count;                        /* units of the force searching, <= its count */
  double speed;                     /* m/s, transit and search */
  double endurance;                 /* s per sortie, base to base */
  double response;                  /* s from the case opening to the first take-off */
  double turnaround;                /* s at base between sorties */
  double sweep[SCN_OBJ__COUNT];     /* m, effective sweep width per object class */
} scn_sar_asset;

typedef struct scn_sar {
  int particles;            /* per case */
  int max_cases;            /* cases open at once in a replication */
  double time_step;         /* s, drift step */
  double jibe_rate;         /* 1/s */
  double position_sigma;    /* m, 1 sigma of the reported position */
  double time_window;       /* s: the object enters the water within this after the report */
  double search_limit;      /* s after the report when the search is called off */
  double cell;              /* m, probability map cell */
  int land;                 /* strand on GSHHG land (if installed) */
  double land_res;          /* degrees */
  scn_sar_field current, wind;
  dist survival[SCN_OBJ__COUNT]; /* time a person survives, per object class */
  size_t nasset;
  scn_sar_asset *asset;
} scn_sar;

#endif
