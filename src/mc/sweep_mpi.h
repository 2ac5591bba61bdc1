/* sweep_mpi.h - a sweep's (point, replication) pairs handed out to MPI ranks while it
 * runs (docs/cluster.md).
 *
 * Rank 0 keeps a counter over chunks of SWEEP_MPI_CHUNK replications of one point,
 * point after point, and hands the next chunk to whichever rank asks (itself
 * included), so every rank stays busy to the end whatever its replications cost.
 * Each rank stores what it runs in its own store, as before, and sends the same
 * packed rows to rank 0, which writes them into the main store as they arrive: when
 * the last rank is done, the main store is already whole and nothing is left to
 * merge but what a resumed rank ran in an earlier job (mc_sweep_gather copies that).
 * A rank asks for its next chunk as it starts one, so the answer is there when it
 * needs it.
 *
 * Every function runs on the thread that called MPI_Init (the sweep's hooks run on the
 * calling thread), and waits by polling with short sleeps: Open MPI's blocking calls
 * spin, which would take a core from the ranks still working. */
#ifndef STRAITS_SWEEP_MPI_H
#define STRAITS_SWEEP_MPI_H

#include "store.h"
#include "sweep.h"

#define SWEEP_MPI_CHUNK 10 /* replications a rank asks for at a time */

typedef struct sweep_mpi sweep_mpi;

/* For rank `rank` of `size` (> 1) running a sweep of `points`; st is the rank's store
 * (rank 0: the main store).  NULL without memory. */
sweep_mpi *sweep_mpi_new(int rank, int size, int points, store *st);
/* The sweep's hooks for this rank (valid while sm lives). */
const mc_sweep_hooks *sweep_mpi_hooks(sweep_mpi *sm);
/* After this rank's mc_sweep_run returned (ok: it succeeded): rank 0 serves the other
 * ranks and writes their rows until every one has finished; the others send their
 * last rows and say they are done.  Returns 1 when every rank did its share and all
 * its rows reached rank 0 (rank 0's view; others return their own ok). */
int sweep_mpi_finish(sweep_mpi *sm, int ok);
void sweep_mpi_free(sweep_mpi *sm);

#endif
