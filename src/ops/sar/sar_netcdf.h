/* sar_netcdf.h - CF-1.8 NetCDF outputs of a case's drift (`straits sar --output-times`,
 * docs/cli.md; issue 23): the particles at chosen times as a discrete-sampling-geometry
 * trajectory file (featureType trajectory, dimensions trajectory x time, as OpenDrift
 * writes them), and the probability of containment on one lat/lon grid at those times
 * as a CF grid, both through the NetCDF C library, so that Panoply, QGIS, xarray and
 * OpenDrift's plotting open them.
 *
 * The snapshots are the case's particles before any search (sar_case_particles):
 * positions are the plan's (searches change weights only), weights the prior ones. */
#ifndef STRAITS_SAR_NETCDF_H
#define STRAITS_SAR_NETCDF_H

#include <stddef.h>
#include <stdint.h>

#include "sar.h"

/* The particles at nt times; arrays time-major ([k * n + i]: time k, particle i). */
typedef struct sar_snapshots {
  size_t n, nt;
  double *time;          /* [nt] s after the report, increasing */
  double *lat, *lon;     /* [nt * n] degrees */
  double *w;             /* [nt * n] probability weight */
  uint8_t *status;       /* [nt * n] enum sar_state */
  int object;            /* scn_object of the case */
} sar_snapshots;

/* Drift the case of model m (a case file's) from its datum with the seed of the plan and
 * keep the particles at times[0 .. nt-1], increasing whole multiples of the case's
 * time_step (s).  Arrays from the arena.  0, ERR_RANGE (times not so, or not a case
 * file's model) or ERR_LIMIT (arena). */
int sar_snapshots_take(sar_snapshots *s, const sar_model *m, uint64_t seed, const double *times,
                       size_t nt, arena *a);

/* What the files say about themselves (global attributes and the time units). */
typedef struct sar_nc_meta {
  long long epoch_unix;  /* the report's time: time's "seconds since" */
  const char *title;     /* the case's name */
  const char *source;    /* "straits 0.x sar (Leeway, ...)" */
  const char *history;   /* what made the file: time and command line */
} sar_nc_meta;

/* Write the snapshots as a CF-1.8 trajectory file: dimensions trajectory (n) and time
 * (nt); variables trajectory (cf_role trajectory_id), time, lat, lon (trajectory,
 * time), status (flags waiting/drifting/stranded) and weight; the Leeway class as
 * attributes.  0, ERR_IO (NetCDF said no; msg says why) or ERR_NOTFOUND (built without
 * NetCDF). */
int sar_nc_write_trajectories(const char *path, const sar_snapshots *s, const sar_nc_meta *meta,
                              char *msg, size_t msglen);

/* The grid of the probability maps: cells about `cell` metres (sar_grid_build's) over
 * the extent of every snapshot, at most max_cells cells. */
void sar_snapshots_grid(sar_grid *g, const sar_snapshots *s, double cell, size_t max_cells,
                        double *p_buf, double *area_buf);
/* The probability of containment of snapshot k in the cells of g (g's geometry only;
 * into p[ny * nx], row-major from the south-west cell as sar_grid). */
void sar_snapshots_bin(double *p, const sar_grid *g, const sar_snapshots *s, size_t k);

/* Write the probability maps on the grid g as a CF-1.8 grid: dimensions time, lat,
 * lon (cell centres, with lat_bnds/lon_bnds); variables probability (time, lat, lon;
 * the cell's probability of containment) and probability_density (per km^2).
 * Scratch from the arena.  0, ERR_IO, ERR_LIMIT or ERR_NOTFOUND as above. */
int sar_nc_write_grid(const char *path, const sar_snapshots *s, const sar_grid *g,
                      const sar_nc_meta *meta, arena *a, char *msg, size_t msglen);

#endif
