/* cmd_sweep.c - `straits sweep SWEEP.yaml`: run a design over scenario overrides
 * (sweep.h), with common random numbers, optionally split over MPI ranks. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef STRAITS_MPI
#include <mpi.h>
#include "sweep_mpi.h"
#endif

#include "cli.h"
#include "diag.h"
#include "err.h"
#include "ops.h"
#include "store.h"
#include "sweep.h"

void cmd_sweep_usage(FILE *out) {
  fprintf(out,
          "usage: straits sweep [options] SWEEP.yaml\n"
          "\n"
          "Run every point of the design in SWEEP.yaml (full factorial or Latin\n"
          "hypercube over --set overrides of a scenario), the same replications at\n"
          "each point with common random numbers, store them keyed by (point,\n"
          "replication) and print each point's headline metrics.  Under mpirun rank 0\n"
          "hands the (point, replication) pairs out to the ranks in chunks as they\n"
          "ask, and gathers their rows into the store (docs/cluster.md).\n"
          "\n"
          "  -n, --replications N  replications per point (default: the sweep's, else\n"
          "                        the scenario's)\n"
          "  -j, --threads N       worker threads per process (default: all CPUs)\n"
          "      --seed S          override the scenario's seed at every point\n"
          "      --set KEY=VALUE   override a scalar at every point (repeatable)\n"
          "      --db PATH         results store (default: straits.db)\n"
          "      --resume          finish an interrupted sweep of the same file\n"
          "      --part K/N        run only share K (0-based) of N of the pairs\n"
          "      --merge PATH      first copy the points' replications stored in the\n"
          "                        part store PATH (repeatable)\n"
          "      --authorities PATH  legal authorities table for the plan (default:\n"
          "                        the shipped data/authorities.yaml)\n"
          "  -q, --quiet           no summary\n");
#ifdef STRAITS_MPI
  fprintf(out, "\nThis straits is built with MPI.\n");
#else
  fprintf(out, "\nThis straits is built without MPI: threads only (--part/--merge work).\n");
#endif
}

typedef struct sweep_args {
  const char *file, *db, *authorities;
  const char **overrides, **merge;
  char seed_override[64];
  mc_sweep_options so;
  int quiet;
} sweep_args;

static int parse_args(sweep_args *a, int argc, char **argv) {
  static const struct option longopts[] = {
      {"replications", required_argument, NULL, 'n'}, {"threads", required_argument, NULL, 'j'},
      {"seed", required_argument, NULL, 'S'},         {"set", required_argument, NULL, 's'},
      {"db", required_argument, NULL, 'd'},           {"resume", no_argument, NULL, 'r'},
      {"part", required_argument, NULL, 'p'},         {"merge", required_argument, NULL, 'm'},
      {"quiet", no_argument, NULL, 'q'},              {"help", no_argument, NULL, 'h'},
      {"authorities", required_argument, NULL, 'A'},  {0}};
  int c;
  long v, k;
  optind = 1;
  while ((c = getopt_long(argc, argv, "n:j:qh", longopts, NULL)) != -1) {
    switch (c) {
    case 'n':
    case 'j':
      if (cli_parse_run_option(&a->so.mc, c, optarg)) return CLI_BAD_INPUT;
      break;
    case 'S':
      snprintf(a->seed_override, sizeof a->seed_override, "scenario.seed=%s", optarg);
      a->overrides[a->so.noverrides++] = a->seed_override;
      break;
    case 's':
      a->overrides[a->so.noverrides++] = optarg;
      break;
    case 'd':
      a->db = optarg;
      break;
    case 'r':
      a->so.mc.resume = 1;
      break;
    case 'p': {
      char *slash = strchr(optarg, '/');
      if (slash) *slash = '\0';
      if (!slash || cli_parse_long(optarg, 0, 1000000, &k) || cli_parse_long(slash + 1, 1, 1000000, &v) ||
          k >= v) {
        if (slash) *slash = '/';
        cli_error("--part wants K/N with 0 <= K < N, e.g. 0/4, not '%s'", optarg);
        return CLI_BAD_INPUT;
      }
      a->so.part = (int)k;
      a->so.nparts = (int)v;
      break;
    }
    case 'm':
      a->merge[a->so.mc.nmerge++] = optarg;
      break;
    case 'A':
      a->authorities = optarg;
      break;
    case 'q':
      a->quiet = 1;
      break;
    case 'h':
      cmd_sweep_usage(stdout);
      return CLI_OK;
    default:
      cmd_sweep_usage(stderr);
      return CLI_BAD_INPUT;
    }
  }
  if (optind != argc - 1) {
    cmd_sweep_usage(stderr);
    return CLI_BAD_INPUT;
  }
  a->file = argv[optind];
  return -1;
}

static void print_summary(FILE *out, const scn_sweep *sw, const mc_sweep_result *r,
                          const char *db, int part, int nparts) {
  const char *design = sw->design == SCN_DESIGN_LHS ? "latin hypercube" : "full factorial";
  if (nparts > 1) {
    fprintf(out, "sweep '%s': part %d of %d (%s, %d points x %d replications) stored in %s "
            "as sweep %lld\n", sw->name, part, nparts, design, r->points, r->replications, db,
            (long long)r->sweep_id);
    return;
  }
  fprintf(out, "sweep '%s': %s, %d points x %d replications, common random numbers\n",
          sw->name, design, r->points, r->replications);
  fprintf(out, "stored in %s as sweep %lld (%.2f s)\n", db, (long long)r->sweep_id, r->wall_s);
  for (int p = 0; p < r->points; p++) {
    const mc_result *res = r->point[p].result;
    fprintf(out, "\npoint %d (run %lld):", p, (long long)res->run_id);
    for (size_t f = 0; f < r->nfactor; f++) fprintf(out, " %s", r->point[p].set[f]);
    fputc('\n', out);
    for (size_t i = 0; i < res->metrics.n; i++) {
      const metric_def *def = &res->metrics.def[i];
      if (!(def->flags & METRIC_HEADLINE) || (def->flags & METRIC_SERIES)) continue;
      const stats_summary *s = &res->summary[i];
      char name[96];
      snprintf(name, sizeof name, "%s.%s", def->module, def->name);
      fprintf(out, "  %-44s %-4s %10.4g +- %-10.3g n %zu\n", name, def->unit, s->mean,
              s->half_width, s->n);
    }
  }
}

/* Whether the sweep's scenario (its first point suffices: overrides change scalars,
 * not sections) has a plan. */
static int sweep_uses_plan(const scn_sweep *sw, const char *fallback,
                               const mc_sweep_options *so, diag *d) {
  scn_scenario *sc = NULL;
  scn_load_options lo = SCN_LOAD_OPTIONS_INIT;
  ops_load_options(&lo);
  lo.overrides = so->overrides;
  lo.noverrides = so->noverrides;
  diag *quiet = diag_new(); /* mc_sweep_run reports the scenario's problems */
  (void)d;
  if (!quiet) return 0;
  int uses = scn_load(&sc, sw->scenario ? sw->scenario : fallback, &lo, quiet) == 0 &&
             plan_scenario_uses(sc);
  scn_free(sc);
  diag_free(quiet);
  return uses;
}

#ifdef STRAITS_MPI
/* Under mpirun with more than one rank: rank 0 hands out the pairs in chunks as the
 * ranks ask (sweep_mpi.h); rank k > 0 stores what it runs in DB.rankK and sends the
 * rows to rank 0, which runs its own chunks into DB itself and writes the others'
 * rows there as they arrive; then it checks that DB is whole (copying from the part
 * stores what a resumed rank ran in an earlier job) and prints the summary. */
/* Started by mpirun/mpiexec/srun: their launchers set one of these.  Without them
 * MPI is not started at all, so a plain `straits sweep` pays nothing for it. */
static int mpi_launched(void) {
  static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK",
                                     "MPI_LOCALNRANKS", NULL};
  for (size_t i = 0; vars[i]; i++)
    if (getenv(vars[i])) return 1;
  return 0;
}

/* Wait for a non-blocking collective without spinning: Open MPI's blocking calls
 * poll at full speed, which would take a core from the ranks still working (and from
 * rank 0's merge).  A millisecond is nothing next to a sweep. */
static void mpi_wait(MPI_Request *req) {
  int done = 0;
  struct timespec ms = {0, 1000000};
  while (MPI_Test(req, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && !done)
    nanosleep(&ms, NULL);
}

static int mpi_split(sweep_args *a, int *rank, int *size, char ***parts) {
  int inited = 0;
  *parts = NULL;
  if (!mpi_launched()) return 0; /* rank 0 of 1 */
  MPI_Initialized(&inited);
  if (!inited && MPI_Init(NULL, NULL) != MPI_SUCCESS) return -1;
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  MPI_Comm_size(MPI_COMM_WORLD, size);
  if (*size <= 1) return 0;
  *parts = calloc((size_t)*size, sizeof **parts);
  if (!*parts) return -1;
  for (int k = 0; k < *size; k++) {
    size_t len = strlen(a->db) + 32;
    if (!((*parts)[k] = malloc(len))) return -1;
    snprintf((*parts)[k], len, "%s.rank%d", a->db, k);
  }
  return 0;
}
#endif

int cmd_sweep(int argc, char **argv) {
  sweep_args a = {.db = "straits.db", .so = MC_SWEEP_OPTIONS_INIT};
  scn_sweep *sw = NULL;
  plan_authorities *table = NULL;
  store *st = NULL;
  mc_sweep_result *res = NULL;
  diag *d = NULL;
  int rc = CLI_FAILURE, err = 0, rank = 0, size = 1;
  char **parts = NULL;
  a.overrides = calloc((size_t)argc + 1, sizeof *a.overrides);
  a.merge = calloc((size_t)argc + 1, sizeof *a.merge);
  if (!a.overrides || !a.merge) goto done;
  if ((rc = parse_args(&a, argc, argv)) >= 0) goto done;
  rc = CLI_FAILURE;
  a.so.overrides = a.overrides;
  a.so.mc.merge = a.merge;
  a.so.mc.version = STRAITS_VERSION;
  a.so.mc.progress = cli_progress;
  a.so.scenario = cli_default_scenario();
  if (cli_wrong_file(a.file, CLI_FILE_SWEEP)) {
    rc = CLI_BAD_INPUT;
    goto done;
  }
  if (!(d = diag_new())) goto done;
  err = scn_sweep_load(&sw, a.file, d);
  if (err) {
    diag_print(d, stderr, isatty(fileno(stderr)));
    rc = err == ERR_NOMEM ? CLI_FAILURE : CLI_BAD_INPUT;
    goto done;
  }
  /* A point's plan needs the authorities table (as `straits run` loads it); the
   * table does not depend on the point, so it is read once. */
  if (sweep_uses_plan(sw, a.so.scenario, &a.so, d)) {
    err = plan_authorities_load(&table, a.authorities ? a.authorities : cli_default_authorities(), d);
    if (err) {
      diag_print(d, stderr, isatty(fileno(stderr)));
      rc = err == ERR_NOMEM ? CLI_FAILURE : CLI_BAD_INPUT;
      goto done;
    }
    a.so.mc.authorities = table;
  }
#ifdef STRAITS_MPI
  if (mpi_split(&a, &rank, &size, &parts)) {
    cli_error("cannot start MPI");
    goto done;
  }
  if (size > 1) {
    if (a.so.nparts > 1 || a.so.mc.nmerge) {
      cli_error("--part and --merge are for runs without mpirun");
      rc = CLI_BAD_INPUT;
      goto done;
    }
    a.so.mc.progress = NULL;
    err = store_open(&st, rank == 0 ? a.db : parts[rank], d);
    /* Every rank needs its share of the protocol even when its store failed: the
     * others wait for rank 0's answers, rank 0 for their last word. */
    sweep_mpi *sm = sweep_mpi_new(rank, size, sw->points, st);
    if (!sm) {
      cli_error("out of memory for sharing the sweep between the ranks");
      MPI_Abort(MPI_COMM_WORLD, CLI_FAILURE); /* the only way not to leave them waiting */
    }
    if (!err) {
      a.so.hooks = sweep_mpi_hooks(sm);
      err = mc_sweep_run(&res, sw, &a.so, st, d);
      a.so.hooks = NULL;
    }
    /* Rank 0 serves the others until each has finished; all its rows are in DB then. */
    int whole = sweep_mpi_finish(sm, err == 0);
    sweep_mpi_free(sm);
    if (rank != 0) {
      store_close(st);
      st = NULL;
    }
    /* Every rank's verdict, so no rank waits for a merge that will not come. */
    int ok = err == 0, all_ok = 0;
    MPI_Request req;
    MPI_Iallreduce(&ok, &all_ok, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD, &req);
    mpi_wait(&req);
    if (!all_ok || rank != 0) {
      diag_print(d, stderr, isatty(fileno(stderr)));
      rc = all_ok ? CLI_OK : CLI_FAILURE;
      goto done;
    }
    /* DB should be whole: check it and summarise every point (sweep.h), copying from
     * the part stores whatever did not arrive (rows a resumed rank ran in an earlier
     * job); only if a part lacks something too does it fall back to resuming the
     * sweep with --merge. */
    err = whole ? mc_sweep_gather(res, sw, &a.so, st, NULL, 0, d) : ERR_NOTFOUND;
    if (err == ERR_NOTFOUND)
      err = mc_sweep_gather(res, sw, &a.so, st, (const char *const *)parts + 1,
                            (size_t)size - 1, d);
    if (!err) err = mc_sweep_store_docs(res, sw, &a.so, st, d);
    if (!err) {
      diag_print(d, stderr, isatty(fileno(stderr)));
      if (!a.quiet) print_summary(stdout, sw, res, a.db, 0, 1);
      rc = CLI_OK;
      goto done;
    }
    if (err != ERR_NOTFOUND) {
      diag_print(d, stderr, isatty(fileno(stderr)));
      goto done;
    }
    store_close(st);
    st = NULL;
    mc_sweep_result_free(res);
    res = NULL;
    a.so.part = 0;
    a.so.nparts = 1;
    a.so.mc.merge = (const char *const *)parts + 1;
    a.so.mc.nmerge = (size_t)size - 1;
    /* Continue the sweep and runs that rank 0 has just written (the latest with
     * this key, hence these even when the store holds an older identical sweep). */
    a.so.mc.resume = 1;
    a.so.mc.progress = cli_progress;
  }
#endif
  err = store_open(&st, a.db, d);
  if (!err) err = mc_sweep_run(&res, sw, &a.so, st, d);
  /* Every point's run gets its documents, so the report of any of them is whole; a
   * part (--part) has them once merged. */
  if (!err && a.so.nparts <= 1) err = mc_sweep_store_docs(res, sw, &a.so, st, d);
  diag_print(d, stderr, isatty(fileno(stderr)));
  if (err) {
    if (diag_count(d, DIAG_ERROR) == 0) cli_error("sweep failed: %s", err_strerror(err));
    rc = err == ERR_INPUT || err == ERR_MISMATCH || err == ERR_USAGE ? CLI_BAD_INPUT
                                                                     : CLI_FAILURE;
    goto done;
  }
  if (!a.quiet) print_summary(stdout, sw, res, a.db, a.so.part, a.so.nparts);
  rc = CLI_OK;
done:
  mc_sweep_result_free(res);
  store_close(st);
  diag_free(d);
  scn_sweep_free(sw);
  plan_authorities_free(table);
  free(a.overrides);
  free(a.merge);
  for (int k = 0; parts && k < size; k++) free(parts[k]);
  free(parts);
#ifdef STRAITS_MPI
  int inited = 0, finalized = 0;
  MPI_Initialized(&inited);
  MPI_Finalized(&finalized);
  if (inited && !finalized) {
    /* MPI_Finalize synchronises the ranks: meet first without spinning, so the
     * others do not burn a core while rank 0 merges. */
    MPI_Request req;
    if (MPI_Ibarrier(MPI_COMM_WORLD, &req) == MPI_SUCCESS) mpi_wait(&req);
    MPI_Finalize();
  }
#endif
  (void)rank;
  return rc;
}
