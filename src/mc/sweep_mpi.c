/* sweep_mpi.c - a sweep's pairs handed out to MPI ranks while it runs (sweep_mpi.h).
 *
 * Messages (MPI_COMM_WORLD, point to point; tags below):
 *   ASK    rank k -> 0   one int, ignored: "my next chunk, please"
 *   CHUNK  0 -> rank k   one long: the chunk's index, or -1 when none are left
 *   ROWS   rank k -> 0   bytes: int point, int n, then n x (int replication, int length,
 *                        the store's packed bytes) -- one committed transaction
 *   END    rank k -> 0   one int: 1 when the rank's share ran whole
 * Between one pair of ranks MPI keeps messages in order, so a rank's END comes after
 * all its ROWS. */
#include "sweep_mpi.h"

#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"

enum { TAG_ASK = 101, TAG_CHUNK, TAG_ROWS, TAG_END };

/* Rows rank 0 received for a point whose run it has not begun yet. */
typedef struct held_rows {
  struct held_rows *next;
  int point;
  size_t len;
  unsigned char bytes[]; /* the ROWS message */
} held_rows;

/* A ROWS message on its way (MPI_Isend needs the buffer until it completes). */
typedef struct sending {
  struct sending *next;
  MPI_Request req;
  unsigned char *bytes;
} sending;

struct sweep_mpi {
  int rank, size, points, reps, per_point;
  long nchunk;
  store *st;
  mc_sweep_hooks hooks;
  /* rank 0 */
  long next;                  /* the next chunk to hand out */
  int64_t *run;               /* [points] its run of each point, or -1 before it begins */
  const metric_set **ms;      /* [points] that run's metrics */
  held_rows *held;
  int ends, all_ok;
  /* ranks > 0 */
  long given;                 /* a chunk received and not run yet; -2 none; -1 no more */
  int asked;                  /* an ASK is out, its answer not read */
  long answer;
  MPI_Request answer_req;
  unsigned char *out;         /* the ROWS message being built */
  size_t len, cap;
  int out_n;                  /* rows in it; -1: lost (no memory), not sent */
  sending *in_flight;
};

static void nap(void) {
  struct timespec ts = {0, 100000}; /* 0.1 ms: short next to a replication */
  nanosleep(&ts, NULL);
}

static int chunk_point(const sweep_mpi *sm, long c) { return (int)(c / sm->per_point); }

static void chunk_range(const sweep_mpi *sm, long c, int *lo, int *hi) {
  *lo = (int)(c % sm->per_point) * SWEEP_MPI_CHUNK;
  *hi = *lo + SWEEP_MPI_CHUNK < sm->reps ? *lo + SWEEP_MPI_CHUNK : sm->reps;
}

/* The chunk for point p from chunk c: 1 and the range when c is p's, 0 when c belongs
 * to a later point (or none is left). */
static int chunk_for(const sweep_mpi *sm, long c, int p, int *lo, int *hi) {
  if (c < 0 || chunk_point(sm, c) != p)
    return 0;
  chunk_range(sm, c, lo, hi);
  return 1;
}

/* Every point has the same replications; the first run to begin says how many. */
static void learn_replications(sweep_mpi *sm, int cap) {
  if (sm->reps)
    return;
  sm->reps = cap;
  sm->per_point = (cap + SWEEP_MPI_CHUNK - 1) / SWEEP_MPI_CHUNK;
  sm->nchunk = (long)sm->points * sm->per_point;
}

/* ---- rank 0 ---------------------------------------------------------------------- */

static int get_int(const unsigned char *b) {
  int v;
  memcpy(&v, b, sizeof v);
  return v;
}

/* Write a ROWS message into the main store, one transaction; rows already there (a
 * resumed sweep) are skipped.  A damaged or refused message only leaves rows out,
 * which the completeness check at the end finds. */
static void write_rows(sweep_mpi *sm, const unsigned char *b, size_t len) {
  const int p = get_int(b), n = get_int(b + sizeof(int));
  size_t at = 2 * sizeof(int);
  if (store_begin(sm->st)) {
    sm->all_ok = 0;
    return;
  }
  int err = 0;
  for (int i = 0; i < n && !err; i++) {
    if (at + 2 * sizeof(int) > len) {
      err = ERR_INPUT;
      break;
    }
    int rep = get_int(b + at), blen = get_int(b + at + sizeof(int));
    at += 2 * sizeof(int);
    if (blen < 0 || at + (size_t)blen > len || rep < 0 || rep >= sm->reps) {
      err = ERR_INPUT;
      break;
    }
    err = store_put_packed(sm->st, sm->run[p], rep, sm->ms[p], b + at, (size_t)blen, 1);
    at += (size_t)blen;
  }
  if (!err)
    err = store_commit(sm->st);
  if (err) {
    store_rollback(sm->st);
    sm->all_ok = 0;
  }
}

static void take_rows(sweep_mpi *sm, unsigned char *b, size_t len) {
  int p = len >= 2 * sizeof(int) ? get_int(b) : -1;
  if (p < 0 || p >= sm->points) {
    sm->all_ok = 0;
  } else if (sm->run[p] >= 0) {
    write_rows(sm, b, len);
  } else {
    held_rows *h = malloc(sizeof *h + len);
    if (!h) {
      sm->all_ok = 0;
      return;
    }
    h->point = p;
    h->len = len;
    memcpy(h->bytes, b, len);
    h->next = sm->held;
    sm->held = h;
  }
}

/* Answer every message that has arrived. */
static void serve(sweep_mpi *sm) {
  for (;;) {
    int flag = 0, count = 0;
    MPI_Status st;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
    if (!flag)
      return;
    if (st.MPI_TAG == TAG_ROWS) {
      MPI_Get_count(&st, MPI_BYTE, &count);
      unsigned char *b = malloc(count > 0 ? (size_t)count : 1);
      MPI_Recv(b ? b : (unsigned char *)&flag, b ? count : 0, MPI_BYTE, st.MPI_SOURCE, TAG_ROWS,
               MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (b)
        take_rows(sm, b, (size_t)count);
      else
        sm->all_ok = 0;
      free(b);
      continue;
    }
    int v = 0;
    MPI_Recv(&v, 1, MPI_INT, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (st.MPI_TAG == TAG_ASK) {
      long c = sm->next < sm->nchunk ? sm->next++ : -1;
      MPI_Send(&c, 1, MPI_LONG, st.MPI_SOURCE, TAG_CHUNK, MPI_COMM_WORLD);
    } else if (st.MPI_TAG == TAG_END) {
      sm->ends++;
      if (!v)
        sm->all_ok = 0;
    }
  }
}

static void r0_started(void *ctx, int p, int64_t run_id, const metric_set *ms, int cap) {
  sweep_mpi *sm = ctx;
  learn_replications(sm, cap);
  sm->run[p] = run_id;
  sm->ms[p] = ms;
  for (held_rows **h = &sm->held; *h;) {
    held_rows *x = *h;
    if (x->point != p) {
      h = &x->next;
      continue;
    }
    *h = x->next;
    write_rows(sm, x->bytes, x->len);
    free(x);
  }
}

static int r0_claim(void *ctx, int p, int *lo, int *hi) {
  sweep_mpi *sm = ctx;
  if (sm->next >= sm->nchunk || !chunk_for(sm, sm->next, p, lo, hi))
    return 0;
  sm->next++;
  return 1;
}

static void r0_poll(void *ctx) { serve(ctx); }

/* ---- ranks > 0 --------------------------------------------------------------------- */

static void ask(sweep_mpi *sm) {
  int v = 0;
  MPI_Send(&v, 1, MPI_INT, 0, TAG_ASK, MPI_COMM_WORLD);
  MPI_Irecv(&sm->answer, 1, MPI_LONG, 0, TAG_CHUNK, MPI_COMM_WORLD, &sm->answer_req);
  sm->asked = 1;
}

static void await_answer(sweep_mpi *sm) {
  int done = 0;
  while (MPI_Test(&sm->answer_req, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && !done)
    nap();
  sm->asked = 0;
  sm->given = sm->answer;
}

/* Forget the sends that have completed. */
static void reap(sweep_mpi *sm, int wait) {
  for (sending **s = &sm->in_flight; *s;) {
    int done = 0;
    while (MPI_Test(&(*s)->req, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && !done && wait)
      nap();
    if (!done) {
      s = &(*s)->next;
      continue;
    }
    sending *x = *s;
    *s = x->next;
    free(x->bytes);
    free(x);
  }
}

static int rk_claim(void *ctx, int p, int *lo, int *hi) {
  sweep_mpi *sm = ctx;
  for (;;) {
    if (sm->given == -1)
      return 0;
    if (sm->given >= 0) {
      if (chunk_point(sm, sm->given) > p)
        return 0; /* for a later point */
      int got = chunk_for(sm, sm->given, p, lo, hi);
      sm->given = -2; /* an earlier point's chunk cannot be run any more: dropped */
      if (got) {
        ask(sm); /* the next answer arrives while this chunk runs */
        return 1;
      }
      continue;
    }
    if (!sm->asked)
      ask(sm);
    await_answer(sm);
  }
}

static int put_bytes(sweep_mpi *sm, const void *b, size_t n) {
  if (sm->len + n > sm->cap) {
    size_t cap = 2 * (sm->len + n);
    unsigned char *g = realloc(sm->out, cap);
    if (!g)
      return ERR_NOMEM;
    sm->out = g, sm->cap = cap;
  }
  memcpy(sm->out + sm->len, b, n);
  sm->len += n;
  return 0;
}

/* Without memory the transaction's message is dropped whole: its rows stay in this
 * rank's store, and rank 0 copies them from there at the end. */
static void rk_stored(void *ctx, int p, int rep, const void *bytes, size_t len) {
  sweep_mpi *sm = ctx;
  int head[2] = {p, 0}, row[2] = {rep, (int)len};
  if (sm->out_n < 0)
    return;
  if ((sm->len == 0 && put_bytes(sm, head, sizeof head)) || put_bytes(sm, row, sizeof row) ||
      put_bytes(sm, bytes, len))
    sm->out_n = -1;
  else
    sm->out_n++;
}

static void rk_committed(void *ctx, int p, int ok) {
  sweep_mpi *sm = ctx;
  (void)p;
  sending *s = NULL;
  if (ok && sm->out_n > 0 && (s = malloc(sizeof *s))) {
    memcpy(sm->out + sizeof(int), &sm->out_n, sizeof(int));
    s->bytes = sm->out;
    MPI_Isend(s->bytes, (int)sm->len, MPI_BYTE, 0, TAG_ROWS, MPI_COMM_WORLD, &s->req);
    s->next = sm->in_flight;
    sm->in_flight = s;
    sm->out = NULL, sm->cap = 0;
  }
  sm->len = 0;
  sm->out_n = 0;
  reap(sm, 0);
}

static void rk_poll(void *ctx) { reap(ctx, 0); }

/* ---- both --------------------------------------------------------------------------- */

static void rk_started(void *ctx, int p, int64_t run_id, const metric_set *ms, int cap) {
  (void)p, (void)run_id, (void)ms;
  learn_replications(ctx, cap);
}

sweep_mpi *sweep_mpi_new(int rank, int size, int points, store *st) {
  sweep_mpi *sm = calloc(1, sizeof *sm);
  if (!sm)
    return NULL;
  sm->rank = rank, sm->size = size, sm->points = points;
  sm->st = st;
  sm->given = -2;
  sm->all_ok = 1;
  sm->hooks.ctx = sm;
  if (rank == 0) {
    sm->run = malloc((size_t)points * sizeof *sm->run);
    sm->ms = calloc((size_t)points, sizeof *sm->ms);
    if (!sm->run || !sm->ms) {
      sweep_mpi_free(sm);
      return NULL;
    }
    for (int p = 0; p < points; p++)
      sm->run[p] = -1;
    sm->hooks.started = r0_started;
    sm->hooks.claim = r0_claim;
    sm->hooks.poll = r0_poll;
  } else {
    sm->hooks.started = rk_started;
    sm->hooks.claim = rk_claim;
    sm->hooks.stored = rk_stored;
    sm->hooks.committed = rk_committed;
    sm->hooks.poll = rk_poll;
  }
  return sm;
}

const mc_sweep_hooks *sweep_mpi_hooks(sweep_mpi *sm) { return &sm->hooks; }

int sweep_mpi_finish(sweep_mpi *sm, int ok) {
  if (sm->rank == 0) {
    if (!ok) {
      sm->all_ok = 0;
      sm->next = sm->nchunk; /* stop the others at their next question */
    }
    while (sm->ends < sm->size - 1) {
      serve(sm);
      if (sm->ends < sm->size - 1)
        nap();
    }
    if (sm->held) /* rows of a point this rank never began: they stay in the part stores */
      sm->all_ok = 0;
    return sm->all_ok;
  }
  reap(sm, 1);
  if (sm->asked)
    await_answer(sm); /* the last answer must be read before MPI_Finalize */
  int v = ok;
  MPI_Send(&v, 1, MPI_INT, 0, TAG_END, MPI_COMM_WORLD);
  return ok;
}

void sweep_mpi_free(sweep_mpi *sm) {
  if (!sm)
    return;
  while (sm->held) {
    held_rows *x = sm->held;
    sm->held = x->next;
    free(x);
  }
  while (sm->in_flight) { /* only after a failure: sweep_mpi_finish waits for all */
    sending *x = sm->in_flight;
    sm->in_flight = x->next;
    free(x->bytes);
    free(x);
  }
  free(sm->run);
  free(sm->ms);
  free(sm->out);
  free(sm);
}
