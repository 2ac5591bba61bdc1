/* mc.c - the replication runner: a batch at a time over worker threads, committed to
 * the store in replication order, summarised from the store.
 *
 * Each worker owns a sim and an arena that live for the whole call and are reset
 * between replications, so a replication allocates nothing after the first few.  A
 * replication's output is copied out of the arena into a slot of a ring; the calling
 * thread, itself a worker, writes the finished front of the ring in replication order,
 * a batch per transaction, while the other workers go on.  No worker waits for
 * another at a batch's end: one dear replication (a restarted LP) held the whole
 * pool up when every batch ended with a join. */
#include "mc.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "err.h"
#include "hash.h"
#include "ops.h"
#include "sim.h"

/* ---- modules ------------------------------------------------------------------
 * The registry's models (ops.h), prepared in its order, so metric indices are the
 * same on every thread and every run. */

static size_t nmodules(void) {
  size_t n;
  ops_registry(&n);
  return n;
}

static const ops_module *module_at(size_t m) {
  size_t n;
  return ops_registry(&n)[m];
}

static ops_context context_of(const mc_options *opt) {
  ops_context ctx = {opt ? opt->authorities : NULL};
  return ctx;
}

/* Start every prepared model on one replication; the index of the first that could
 * not (its arena exhausted), or -1. */
static int start_models(void **state, void *const *model, sim *s, arena *a, metric_out *out,
                        const ops_rep *r) {
  for (size_t m = 0; m < nmodules(); m++) {
    const ops_module *om = module_at(m);
    state[m] = NULL;
    if (model[m] && om->start && !(state[m] = om->start(model[m], s, a, out, r))) return (int)m;
  }
  return -1;
}

static void collect_models(void **state, sim *s, metric_out *out) {
  for (size_t m = 0; m < nmodules(); m++)
    if (state[m] && module_at(m)->collect) module_at(m)->collect(state[m], s, out);
}

/* ---- one replication ---------------------------------------------------------- */

enum slot_status { SLOT_PENDING, SLOT_OK, SLOT_FAILED };

/* One replication's result, out of the arena.  Slots are reused round the ring. */
typedef struct mc_slot {
  int rep;
  int ready;             /* finished (guarded by the job's lock): status and data hold */
  int status;
  int err;
  char why[256];         /* what failed, for the diagnostic */
  int blamed;            /* the kernel knows the input that caused it: blame */
  sim_blame blame;
  double *value;         /* [metrics.n] */
  metric_point *point;   /* [npoints], grown with realloc outside the event loop */
  size_t npoints, cap;
} mc_slot;

typedef struct mc_job mc_job;

typedef struct mc_worker {
  mc_job *job;
  sim *sim;
  arena arena;
  void *state[OPS_MAX_MODULES];
  pthread_t thread;
} mc_worker;

/* Shared by the workers of one run.  The ring's positions are indices into todo;
 * position i uses slot ring[i % nring].  Everything below `lock` is guarded by it. */
struct mc_job {
  const scn_scenario *sc;
  const metric_set *ms;
  void *model[OPS_MAX_MODULES];
  int *todo;        /* [ntodo] the replications to run, in order (room for all) */
  size_t ntodo;
  const mc_hooks *hooks; /* with a claim hook, todo grows as replications are claimed */
  int cap;
  const unsigned char *done; /* [cap] replications stored before this call */
  mc_slot *ring;
  size_t nring;
  pthread_mutex_t lock;
  pthread_cond_t cond; /* a slot finished, the front was written, or quit */
  size_t next;         /* the next position to take */
  size_t committed;    /* positions [0, committed) are in the store */
  size_t running;      /* positions taken, not finished */
  size_t stop;         /* nothing at or past the lowest failed position is taken
                          (SIZE_MAX: no failure) */
  int exhausted;       /* the claim hook has no more to give (or there is none) */
  int limit_rep;       /* only replications below it are taken (until_ci: the batch end) */
  int quit;            /* set by the calling thread when the run is over */
};

static void slot_fail(mc_slot *sl, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void slot_fail(mc_slot *sl, int err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sl->why, sizeof sl->why, fmt, ap);
  va_end(ap);
  sl->status = SLOT_FAILED;
  sl->err = err;
  sl->blamed = 0;
}

/* ERR_LIMIT in a replication: which cap, with its value (after slot_fail's words). */
static void name_limit(mc_worker *w, mc_slot *sl) {
  if (sl->err != ERR_LIMIT) return;
  size_t used = strlen(sl->why);
  if (sim_pending(w->sim) >= SIM_MAX_PENDING)
    snprintf(sl->why + used, sizeof sl->why - used, "; the event calendar holds %zu pending "
             "events, its limit (SIM_MAX_PENDING)", (size_t)SIM_MAX_PENDING);
  else if (w->arena.cap >= (size_t)1 << 20)
    snprintf(sl->why + used, sizeof sl->why - used, "; the replication's memory reached its "
             "limit of %zu MiB (the arena cap)", w->arena.cap >> 20);
  else
    snprintf(sl->why + used, sizeof sl->why - used, "; the replication's memory reached its "
             "limit of %zu bytes (the arena cap)", w->arena.cap);
}

static void run_replication(mc_worker *w, mc_slot *sl) {
  const mc_job *job = w->job;
  const metric_set *ms = job->ms;
  metric_out out;
  int err;
  uint32_t rep = (uint32_t)sl->rep;

  sim_reset(w->sim);
  arena_reset(&w->arena);
  if ((err = metric_out_init(&out, ms, &w->arena))) {
    slot_fail(sl, err, "no room for its metrics in the replication arena");
    name_limit(w, sl);
    return;
  }
  ops_rep r = {.seed = job->sc->seed, .index = rep};
  int failed = start_models(w->state, job->model, w->sim, &w->arena, &out, &r);
  if (failed >= 0) {
    slot_fail(sl, ERR_LIMIT, "module '%s' could not start (replication arena exhausted?)",
              module_at((size_t)failed)->name);
    return;
  }
  if ((err = sim_run(w->sim, job->sc->horizon))) {
    slot_fail(sl, err, "the simulation stopped at t = %.17g s", sim_now(w->sim));
    name_limit(w, sl);
    const sim_blame *b = sim_error_blame(w->sim);
    if (b) {
      sl->blame = *b;
      sl->blamed = 1;
    }
    return;
  }
  collect_models(w->state, w->sim, &out);
  if ((err = sim_error(w->sim))) { /* collect may record a failure (a full arena) */
    slot_fail(sl, err, "collecting its metrics failed");
    name_limit(w, sl);
    return;
  }

  memcpy(sl->value, out.value, ms->n * sizeof *sl->value);
  if (out.npoints > sl->cap) {
    metric_point *p = realloc(sl->point, out.npoints * sizeof *p);
    if (!p) {
      slot_fail(sl, ERR_NOMEM, "no memory for its %zu series points", out.npoints);
      return;
    }
    sl->point = p;
    sl->cap = out.npoints;
  }
  if (out.npoints)
    memcpy(sl->point, out.point, out.npoints * sizeof *sl->point);
  sl->npoints = out.npoints;
  sl->status = SLOT_OK;
}

/* Run a slot's replication.  Near the arena cap, whether a replication fits can
 * depend on the chunks left by the worker's earlier replications: retry on a fresh
 * arena, so a failure depends on the replication alone, not on which thread ran what
 * before. */
static void run_slot(mc_worker *w, mc_slot *sl) {
  int fresh = w->arena.held == 0;
  run_replication(w, sl);
  if (sl->status == SLOT_FAILED && sl->err == ERR_LIMIT && !fresh) {
    arena_release(&w->arena);
    run_replication(w, sl);
  }
}

static mc_slot *slot_at(const mc_job *job, size_t i) { return &job->ring[i % job->nring]; }

/* Whether the next position may be taken now (lock held).  Positions are taken in
 * order, so every position below a failed one has been taken and runs to the end:
 * the lowest failure and the whole replications before it are the same for any
 * number of threads. */
static int can_take(const mc_job *job) {
  return !job->quit && job->next < job->ntodo && job->next < job->stop &&
         job->todo[job->next] < job->limit_rep && job->next < job->committed + job->nring;
}

/* Take the next position, run it unlocked, mark it finished (lock held on entry and
 * on return). */
static void take_and_run(mc_job *job, mc_worker *w) {
  size_t i = job->next++;
  mc_slot *sl = slot_at(job, i);
  sl->rep = job->todo[i];
  sl->ready = 0;
  sl->status = SLOT_PENDING;
  sl->err = 0;
  sl->npoints = 0;
  job->running++;
  pthread_mutex_unlock(&job->lock);
  run_slot(w, sl);
  pthread_mutex_lock(&job->lock);
  sl->ready = 1;
  job->running--;
  if (sl->status == SLOT_FAILED && i < job->stop)
    job->stop = i;
  pthread_cond_broadcast(&job->cond);
}

/* Workers 1..: take positions until the calling thread says the run is over. */
static void *worker_main(void *arg) {
  mc_worker *w = arg;
  mc_job *job = w->job;
  pthread_mutex_lock(&job->lock);
  while (!job->quit) {
    if (can_take(job))
      take_and_run(job, w);
    else
      pthread_cond_wait(&job->cond, &job->lock);
  }
  pthread_mutex_unlock(&job->lock);
  return NULL;
}

/* ---- helpers ------------------------------------------------------------------ */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The value a summary uses: the scalar, or for a series its last point (NaN if
 * none) -- as store_metric_values reads it back. */
static double slot_value(const mc_slot *sl, const metric_set *ms, int m) {
  if (!(ms->def[m].flags & METRIC_SERIES))
    return sl->value[m];
  for (size_t k = sl->npoints; k-- > 0;)
    if (sl->point[k].metric == m)
      return sl->point[k].value;
  return NAN;
}

/* The canonical text of the options that change what a replication yields: the
 * models, and the inputs of those the scenario uses (the authorities table decides
 * what a plan's tasks may do). */
typedef struct text_ctx {
  char *buf;
  size_t size, len;
} text_ctx;

static void options_line(void *ctx, const char *role, const char *sha256) {
  text_ctx *t = ctx;
  if (t->len < t->size)
    t->len += (size_t)snprintf(t->buf + t->len, t->size - t->len, ";%s=%s", role, sha256);
}

static void options_text(char *buf, size_t size, void *const *model, const ops_context *ctx) {
  text_ctx t = {buf, size, (size_t)snprintf(buf, size, "modules=")};
  for (size_t m = 0; m < nmodules() && t.len < size; m++)
    t.len += (size_t)snprintf(buf + t.len, size - t.len, "%s%s", m ? "," : "", module_at(m)->name);
  for (size_t m = 0; m < nmodules(); m++)
    if (model[m] && module_at(m)->inputs) module_at(m)->inputs(model[m], ctx, options_line, &t);
}

/* The study hash (mc.h): SHA-256 of a short manifest, one line per input, "role
 * sha256" -- the scenario's own hash, then what each model read (the authorities
 * table, the files the SAR model read).  Roles are fixed words and digests
 * fixed-length hex, so the text is unambiguous; the version line leaves room to
 * change the manifest. */
static void study_line(void *ctx, const char *role, const char *sha256) {
  hash_sha256 *h = ctx;
  hash_sha256_update(h, role, strlen(role));
  hash_sha256_update(h, " ", 1);
  hash_sha256_update(h, sha256, strlen(sha256));
  hash_sha256_update(h, "\n", 1);
}

static void study_hash(char out[HASH_SHA256_HEX], const scn_scenario *sc, void *const *model,
                       const ops_context *ctx) {
  hash_sha256 h;
  hash_sha256_init(&h);
  static const char head[] = "straits study 1\n";
  hash_sha256_update(&h, head, sizeof head - 1);
  study_line(&h, "scenario", sc->hash);
  for (size_t m = 0; m < nmodules(); m++)
    if (module_at(m)->inputs) module_at(m)->inputs(model[m], ctx, study_line, &h);
  hash_sha256_final_hex(&h, out);
}

static void release_models(void **model) {
  for (size_t m = 0; m < nmodules(); m++) {
    if (model[m]) module_at(m)->release(model[m]);
    model[m] = NULL;
  }
}

static int prepare_models(void **model, metric_set *ms, const scn_scenario *sc,
                          const ops_context *ctx, diag *d) {
  for (size_t m = 0; m < nmodules(); m++) {
    const ops_module *om = module_at(m);
    size_t before = diag_count(d, DIAG_ERROR);
    int err = om->prepare(&model[m], sc, ctx, ms, d);
    if (err) {
      if (diag_count(d, DIAG_ERROR) == before && err == ERR_LIMIT && ms->n >= METRIC_MAX) {
        /* The scenario is too large for the metric registry: say which limit. */
        diag_report(d, DIAG_ERROR, sc->path, 0, 0,
                    "cannot prepare module '%s': the run's metrics reached the limit of "
                    "%d (METRIC_MAX): the scenario has too many events, places or regions "
                    "for one run (%zu events)", om->name, METRIC_MAX, sc->nevent);
        err = ERR_INPUT;
      } else if (diag_count(d, DIAG_ERROR) == before) {
        diag_report(d, DIAG_ERROR, sc->path, 0, 0, "cannot prepare module '%s': %s", om->name,
                    err_strerror(err));
      }
      release_models(model);
      return err;
    }
  }
  return 0;
}

/* ---- models prepared once for a command (mc.h: mc_prepare) --------------------- */

struct mc_prepared {
  const scn_scenario *sc;
  const struct plan_authorities *authorities;
  void *model[OPS_MAX_MODULES];
  metric_set ms; /* what the models defined */
};

int mc_prepare(mc_prepared **out, const scn_scenario *sc, const mc_options *opt, diag *d) {
  ops_context ctx = context_of(opt);
  mc_prepared *p = calloc(1, sizeof *p);
  *out = NULL;
  if (!p) {
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "out of memory preparing the models");
    return ERR_NOMEM;
  }
  p->sc = sc;
  p->authorities = ctx.authorities;
  metric_set_init(&p->ms);
  int err = prepare_models(p->model, &p->ms, sc, &ctx, d); /* releases them on failure */
  if (err) {
    metric_set_release(&p->ms);
    free(p);
    return err;
  }
  *out = p;
  return 0;
}

void mc_prepared_free(mc_prepared *p) {
  if (!p)
    return;
  release_models(p->model);
  metric_set_release(&p->ms);
  free(p);
}

/* opt's prepared models, when it has them: NULL and 0 when it has none, ERR_USAGE when
 * they were prepared for another scenario or authorities table (what a model reads
 * when prepared is part of the study, so they would not be this run's). */
static int prepared_of(const mc_prepared **out, const scn_scenario *sc, const mc_options *opt,
                       diag *d) {
  *out = opt ? opt->prepared : NULL;
  if (!*out || ((*out)->sc == sc && (*out)->authorities == opt->authorities))
    return 0;
  diag_report(d, DIAG_ERROR, sc->path, 0, 0, "the models handed to the run were prepared "
              "for another scenario or authorities table");
  *out = NULL;
  return ERR_USAGE;
}

/* dst (initialised, empty) becomes a copy of src, definition by definition. */
static int copy_metrics(metric_set *dst, const metric_set *src) {
  for (size_t m = 0; m < src->n; m++) {
    const metric_def *def = &src->def[m];
    int rc = metric_define(dst, def->module, def->name, def->unit, def->flags, def->description);
    if (rc < 0)
      return rc;
  }
  return 0;
}

/* ---- the models' report documents ------------------------------------------------ */

/* What the docs hooks read (ops_results.ctx): the run's stored values, and one
 * replication replayed on a sim and arena of its own. */
typedef struct docs_ctx {
  store *st;
  int64_t run_id;
  const metric_set *stored;  /* the run's registry as stored */
  const metric_set *ms;      /* the registry the models defined: the same */
  void *const *model;
  void *state[OPS_MAX_MODULES];
  sim *sim;
  arena arena;
  metric_out out;
  uint64_t seed;
  double horizon;
  size_t n;                  /* replications [0, n) */
} docs_ctx;

/* ops_results.chunk: the metrics asked for, straight from the store (the caller
 * keeps the chunk within STATS_STREAM_CHUNK values). */
static int docs_chunk(void *ctx, const int *metric, size_t nmetric, size_t lo, size_t hi,
                      double *v) {
  docs_ctx *x = ctx;
  if (!nmetric || hi <= lo)
    return 0;
  if (hi > x->n || store_metrics_chunk(x->st, x->run_id, x->stored, metric, nmetric, lo, hi, v))
    return ERR_STORE;
  return 0;
}

/* Every metric's mean over replications [0, x->n) into mean[stored->n], in one pass
 * over the store a chunk at a time: per metric the sum over the replications that
 * observed it, in replication order, then one division -- ops_mean's arithmetic on
 * the same values, so the same bits.  The docs hooks ask for ~100 means in the
 * default scenario, each a scan of the store once a block of columns holds few of
 * them (from ~10,000 replications; 101 scans of 10 GB at a million, issue 22). */
static int docs_means(docs_ctx *x, double *mean) {
  const size_t nm = x->stored->n, n = x->n;
  size_t rows = nm && STATS_STREAM_CHUNK / nm ? STATS_STREAM_CHUNK / nm : 1;
  rows = rows < n ? rows : n ? n : 1;
  double *v = malloc(rows * (nm ? nm : 1) * sizeof *v);
  size_t *count = calloc(nm ? nm : 1, sizeof *count);
  store_ahead *ahead = NULL; /* the chunks, read by two readers in turn */
  int err = v && count && !store_ahead_open(&ahead, x->st, x->run_id, x->stored, n, rows)
                ? 0 : ERR_NOMEM;
  for (size_t m = 0; m < nm; m++)
    mean[m] = 0;
  for (size_t lo = 0; lo < n && !err; lo += rows) {
    size_t hi = n - lo < rows ? n : lo + rows;
    if ((err = store_ahead_fill(ahead, lo, hi, v)))
      break;
    for (size_t r = 0; r < hi - lo; r++) {
      const double *row = v + r * nm;
      for (size_t m = 0; m < nm; m++)
        if (!isnan(row[m]))
          mean[m] += row[m], count[m]++;
    }
  }
  for (size_t m = 0; m < nm; m++)
    mean[m] = count[m] ? mean[m] / (double)count[m] : NAN;
  store_ahead_close(ahead);
  free(v);
  free(count);
  return err;
}

static int docs_replay(void *ctx, const ops_module *self, int rep, void **state,
                       const double **value) {
  docs_ctx *x = ctx;
  *state = NULL, *value = NULL;
  if (!x->sim && !(x->sim = sim_new())) return ERR_NOMEM;
  sim_reset(x->sim);
  arena_reset(&x->arena);
  int err = metric_out_init(&x->out, x->ms, &x->arena);
  ops_rep r = {.seed = x->seed, .index = (uint32_t)rep, .record = 1};
  if (!err && start_models(x->state, x->model, x->sim, &x->arena, &x->out, &r) >= 0)
    err = ERR_LIMIT;
  if (!err) err = sim_run(x->sim, x->horizon);
  if (err) return err;
  collect_models(x->state, x->sim, &x->out);
  for (size_t m = 0; m < nmodules(); m++)
    if (module_at(m) == self) *state = x->state[m];
  *value = x->out.value;
  return sim_error(x->sim);
}

static int docs_put(void *ctx, const char *name, const char *json) {
  docs_ctx *x = ctx;
  return store_doc_put(x->st, x->run_id, name, json);
}

/* Every model's documents from the stored run; the metrics the models define now
 * must be the stored ones (the same scenario), else there is nothing to draw. */
static int models_docs(docs_ctx *x, const scn_scenario *sc, size_t n, diag *d) {
  ops_results r = {sc, x->ms, n, x, docs_chunk, docs_replay, NULL};
  ops_doc_sink sink = {x, docs_put};
  strbuf b = STRBUF_INIT;
  int err = 0;
  if (x->ms->n != x->stored->n) return 0;
  double *mean = malloc((x->ms->n ? x->ms->n : 1) * sizeof *mean);
  if (!mean)
    return ERR_NOMEM;
  if ((err = docs_means(x, mean))) {
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "cannot read run %lld: %s", (long long)x->run_id,
                err == ERR_NOMEM ? "out of memory" : store_errmsg(x->st));
    free(mean);
    return err;
  }
  r.mean = mean;
  for (size_t m = 0; m < nmodules() && !err; m++) {
    const ops_module *om = module_at(m);
    if (!x->model[m] || !om->docs) continue;
    b.len = 0;
    if (b.s) b.s[0] = 0;
    if ((err = om->docs(x->model[m], &r, &b, &sink)))
      diag_report(d, DIAG_ERROR, NULL, 0, 0, "cannot record the documents of module '%s': %s",
                  om->name, err_strerror(err));
  }
  strbuf_release(&b);
  free(mean);
  return err;
}

int mc_module_docs(store *st, int64_t run_id, const scn_scenario *sc, const mc_options *opt,
                   diag *d) {
  void *model[OPS_MAX_MODULES] = {NULL};
  metric_set ms, stored;
  store_run_row row = {0};
  ops_context ctx = context_of(opt);
  docs_ctx x = {st,       run_id,      &stored, &ms, model, {NULL}, NULL, {0}, {0},
                sc->seed, sc->horizon, 0};
  metric_set_init(&ms);
  int err = store_run_read(st, run_id, &row);
  if (!err) err = store_metric_defs(st, run_id, &stored);
  else metric_set_init(&stored);
  if (err) diag_report(d, DIAG_ERROR, NULL, 0, 0, "cannot read run %lld: %s", (long long)run_id,
                       store_errmsg(st));
  /* The models the run used, or prepared again: they were prepared for the run
   * already, so a failure now is the machine's. */
  const mc_prepared *pre = NULL;
  if (!err) err = prepared_of(&pre, sc, opt, d);
  diag *quiet = err || pre ? NULL : diag_new();
  if (!err && !pre) err = quiet ? prepare_models(model, &ms, sc, &ctx, quiet) : ERR_NOMEM;
  if (pre) x.model = pre->model, x.ms = &pre->ms;
  size_t n = (size_t)(row.replications_planned > row.replications_done
                          ? row.replications_planned : row.replications_done);
  x.n = n;
  arena_init(&x.arena, (size_t)1 << 30);
  if (!err) err = models_docs(&x, sc, n, d);
  arena_release(&x.arena);
  sim_free(x.sim);
  release_models(model);
  metric_set_release(&ms);
  metric_set_release(&stored);
  diag_free(quiet);
  return err;
}

int mc_define_metrics(metric_set *ms, const scn_scenario *sc, diag *d) {
  void *model[OPS_MAX_MODULES] = {NULL};
  ops_context ctx = context_of(NULL);
  metric_set_init(ms);
  int err = prepare_models(model, ms, sc, &ctx, d);
  release_models(model);
  return err;
}

int mc_study_hash(char out[HASH_SHA256_HEX], const scn_scenario *sc, const mc_options *opt,
                  diag *d) {
  void *model[OPS_MAX_MODULES] = {NULL};
  ops_context ctx = context_of(opt);
  const mc_prepared *pre;
  int err = prepared_of(&pre, sc, opt, d);
  if (err || pre) {
    if (pre) study_hash(out, sc, pre->model, &ctx);
    return err;
  }
  metric_set ms;
  metric_set_init(&ms);
  err = prepare_models(model, &ms, sc, &ctx, d);
  if (!err) study_hash(out, sc, model, &ctx);
  release_models(model);
  metric_set_release(&ms);
  return err;
}

void mc_result_free(mc_result *r) {
  if (!r)
    return;
  metric_set_release(&r->metrics);
  free(r->summary);
  free(r);
}

/* ---- --until-ci: the headline metrics' values, replication by replication -------
 * Kept in memory for [0, have) and grown geometrically, so a large cap costs memory
 * only as far as the run gets.  On growth the prefix is read back from the store,
 * which also brings in replications stored by an earlier session. */

typedef struct mc_watch {
  size_t nh;
  int *head;       /* [nh] metric indices */
  double **v;      /* [nh][have] */
  double *scratch; /* [have] */
  size_t have;
} mc_watch;

static void watch_release(mc_watch *w) {
  for (size_t h = 0; w->v && h < w->nh; h++)
    free(w->v[h]);
  free(w->v);
  free(w->head);
  free(w->scratch);
}

static int watch_init(mc_watch *w, const metric_set *ms) {
  memset(w, 0, sizeof *w);
  for (size_t m = 0; m < ms->n; m++)
    w->nh += (ms->def[m].flags & METRIC_HEADLINE) != 0;
  w->head = calloc(w->nh ? w->nh : 1, sizeof *w->head);
  w->v = calloc(w->nh ? w->nh : 1, sizeof *w->v);
  if (!w->head || !w->v)
    return ERR_NOMEM;
  size_t h = 0;
  for (size_t m = 0; m < ms->n; m++)
    if (ms->def[m].flags & METRIC_HEADLINE)
      w->head[h++] = (int)m;
  return 0;
}

/* Make [0, n) available: the replications of [0, n) are all committed by now. */
static int watch_cover(mc_watch *w, store *st, int64_t run_id, const metric_set *ms,
                       size_t n, size_t cap) {
  if (n <= w->have)
    return 0;
  size_t want = w->have * 2 > n ? w->have * 2 : n;
  if (want > cap)
    want = cap;
  double *p = realloc(w->scratch, want * sizeof *p);
  if (!p)
    return ERR_NOMEM;
  w->scratch = p;
  for (size_t h = 0; h < w->nh; h++) {
    if (!(p = realloc(w->v[h], want * sizeof *p)))
      return ERR_NOMEM;
    w->v[h] = p;
    int err = store_metric_values(st, run_id, ms, w->head[h], p, want);
    if (err)
      return err;
  }
  w->have = want;
  return 0;
}

/* Note a replication just committed (only where already covered). */
static void watch_put(mc_watch *w, const mc_slot *sl, const metric_set *ms) {
  if ((size_t)sl->rep >= w->have)
    return; /* read from the store when covered */
  for (size_t h = 0; h < w->nh; h++)
    w->v[h][sl->rep] = slot_value(sl, ms, w->head[h]);
}

/* Whether every headline metric has converged over replications [0, n). */
static int watch_converged(const mc_watch *w, size_t n, double rel) {
  for (size_t h = 0; h < w->nh; h++) {
    stats_summary s;
    /* The test reads the t half-width alone, whatever the metric's kind. */
    stats_summarize(&s, w->v[h], n, STATS_REAL, w->scratch);
    if (!stats_converged(&s, rel))
      return 0;
  }
  return 1;
}

/* ---- writing a batch ------------------------------------------------------------ */

/* Write ring positions [p0, p1) -- whole replications, in index order -- in one
 * transaction (each with its done mark), then note them as done. */
static int commit_range(store *st, int64_t run_id, const metric_set *ms, const mc_job *job,
                        size_t p0, size_t p1, unsigned char *done, mc_watch *watch) {
  const mc_hooks *h = job->hooks;
  int err;
  if ((err = store_begin(st)))
    return err;
  for (size_t i = p0; i < p1 && !err; i++) {
    const mc_slot *sl = slot_at(job, i);
    metric_out o = {sl->value, sl->point, sl->npoints, sl->cap, NULL};
    const void *bytes;
    long len = store_pack_replication(st, sl->rep, ms, &o, &bytes);
    if (len < 0)
      err = (int)len;
    else if (!(err = store_put_packed(st, run_id, sl->rep, ms, bytes, (size_t)len, 0)) &&
             h && h->stored)
      h->stored(h->ctx, sl->rep, bytes, (size_t)len);
  }
  if (!err)
    err = store_commit(st);
  if (h && h->committed)
    h->committed(h->ctx, err == 0);
  if (err) {
    store_rollback(st);
    return err;
  }
  for (size_t i = p0; i < p1; i++) {
    done[slot_at(job, i)->rep] = 1;
    watch_put(watch, slot_at(job, i), ms);
  }
  return 0;
}

/* ---- merging the parts of a split run (mc_options.merge) ----------------------- */

/* Copy this run's replications from another part's store: the same run is found
 * there by the same key; a part that ran none of it has no such run. */
static int merge_part(store *st, int64_t run_id, const store_run_info *info,
                      const metric_set *ms, const char *path, diag *d) {
  store *part = NULL;
  int64_t src = 0;
  int copied = 0;
  int err = store_open(&part, path, d);
  if (!err) {
    err = store_run_find(part, &src, info, ms, d);
    store_close(part);
  }
  if (err == ERR_NOTFOUND)
    return 0;
  if (!err && (err = store_merge_run(st, run_id, path, src, &copied)))
    diag_report(d, DIAG_ERROR, path, 0, 0, "%s", store_errmsg(st));
  return err;
}

/* ---- the summary: read back from the store in chunks --------------------------- */

/* Every metric's summary in a few passes over the store, a chunk of replications at
 * a time (stats_summarize_stream), so a run of any length is summarised in memory
 * bounded by its metric count -- the same bits as stats_summarize of whole columns
 * (tests/mc/test_mc.c checks it). */
int mc_result_summarize(mc_result *r, store *st, diag *d) {
  const metric_set *ms = &r->metrics;
  const size_t n = r->replications > 0 ? (size_t)r->replications : 0;
  stats_kind *kind = malloc((ms->n ? ms->n : 1) * sizeof *kind);
  int err = 0;
  if (!r->summary && !(r->summary = calloc(ms->n ? ms->n : 1, sizeof *r->summary)))
    err = ERR_NOMEM;
  for (size_t m = 0; kind && m < ms->n; m++)
    kind[m] = metric_stats_kind(ms->def[m].flags);
  if (!err && kind && ms->n)
    err = store_summarize(st, r->run_id, ms, n, kind, r->summary);
  free(kind);
  if (!kind || err == ERR_NOMEM)
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "out of memory for the run's summary");
  else if (err)
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "%s", store_errmsg(st));
  return kind ? err : ERR_NOMEM;
}

/* ---- the calling thread: writing the ring's front ------------------------------ */

/* What the calling thread needs besides the job. */
typedef struct mc_lead {
  store *st;
  const mc_options *opt;
  mc_result *res;
  int cap;
  unsigned char *done; /* [cap] stored replications */
  mc_watch *watch;
  double t0;
  int threads;
  int stored; /* out: replications [0, stored) are in the store */
  long failed; /* out: the failed position to report, or -1 */
} mc_lead;

/* Replications below the returned index are all stored (or another part's). */
static int front_rep(const mc_job *job, int cap) {
  if (job->committed < job->ntodo)
    return job->todo[job->committed];
  return job->limit_rep < cap ? job->limit_rep : cap;
}

/* The first position past the batch of position p: batches are the replications
 * [0, batch), [batch, 2 batch), ..., as for until_ci, so what one transaction holds
 * does not depend on timing. */
static size_t batch_end(const mc_job *job, size_t p, int batch) {
  if (p >= job->ntodo)
    return p;
  const int end = (job->todo[p] / batch + 1) * batch;
  while (p < job->ntodo && job->todo[p] < end)
    p++;
  return p;
}

/* Write positions [p, q) with the lock released (only this thread writes). */
static int write_front(mc_job *job, mc_lead *L, size_t p, size_t q) {
  pthread_mutex_unlock(&job->lock);
  int err = commit_range(L->st, L->res->run_id, &L->res->metrics, job, p, q, L->done, L->watch);
  pthread_mutex_lock(&job->lock);
  if (err)
    return err;
  job->committed = q;
  L->res->ran += (int)(q - p);
  pthread_cond_broadcast(&job->cond); /* their slots are free again */
  if (L->opt->progress)
    L->opt->progress(front_rep(job, L->cap), L->cap, now_s() - L->t0, L->opt->progress_ctx);
  return 0;
}

/* With until_ci or a stop test, at the end of the batch [.., b1): whether the headline
 * metrics have converged over [0, b1) and the caller's test holds there.  Nothing runs
 * meanwhile. */
static int judge_batch(mc_lead *L, int b1, int *converged) {
  *converged = 0;
  if (b1 < L->opt->min_replications)
    return 0;
  int ok = 1, err = 0;
  if (L->opt->until_ci > 0) {
    err = watch_cover(L->watch, L->st, L->res->run_id, &L->res->metrics, (size_t)b1,
                      (size_t)L->cap);
    ok = !err && watch_converged(L->watch, (size_t)b1, L->opt->until_ci);
  }
  if (ok && L->opt->done) {
    int rc = L->opt->done(L->opt->done_ctx, L->st, L->res->run_id, &L->res->metrics, b1);
    if (rc < 0)
      return rc;
    ok = rc > 0;
  }
  *converged = ok;
  return err;
}

/* Ask the claim hook for more (lock held on entry and on return): append the claimed
 * replications not stored yet, or note that there are no more.  0, or -1 when the
 * hook failed. */
static int claim_more(mc_job *job) {
  int lo = 0, hi = 0;
  pthread_mutex_unlock(&job->lock);
  int rc = job->hooks->claim(job->hooks->ctx, &lo, &hi);
  pthread_mutex_lock(&job->lock);
  if (rc <= 0) {
    job->exhausted = 1;
    return rc < 0 ? -1 : 0;
  }
  for (int r = lo < 0 ? 0 : lo; r < hi && r < job->cap; r++)
    if (!job->done[r] && job->ntodo < (size_t)job->cap)
      job->todo[job->ntodo++] = r;
  pthread_cond_broadcast(&job->cond);
  return 0;
}

/* Wait for a worker for at most a millisecond, so the poll hook keeps being called. */
static void wait_a_little(mc_job *job) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_nsec += 1000000;
  if (ts.tv_nsec >= 1000000000L)
    ts.tv_sec++, ts.tv_nsec -= 1000000000L;
  pthread_cond_timedwait(&job->cond, &job->lock, &ts);
}

/* The calling thread's part (lock held on entry and on return): write the front
 * batch of the ring whenever it has finished whole, run replications in between,
 * and when nothing runs and nothing more may start, either report the failure at the
 * front, judge convergence at the batch's end (until_ci) or end the run.  Returns 0
 * or the store's error (ERR_NOMEM: no memory to judge convergence). */
static int lead_run(mc_job *job, mc_worker *w0, mc_lead *L) {
  const mc_hooks *h = job->hooks;
  for (;;) {
    if (h && h->poll) {
      pthread_mutex_unlock(&job->lock);
      h->poll(h->ctx);
      pthread_mutex_lock(&job->lock);
    }
    size_t p = job->committed, q = p, e = batch_end(job, p, L->opt->batch);
    while (q < e && q < job->next && slot_at(job, q)->ready && slot_at(job, q)->status == SLOT_OK)
      q++;
    int claimable = !job->exhausted && job->stop == SIZE_MAX;
    int drained = job->running == 0 && !can_take(job) && !claimable;
    if ((q == e && e > p) || (q > p && drained)) {
      int err = write_front(job, L, p, q);
      if (err)
        return err;
      continue;
    }
    /* Claim more before the workers run dry: one replication a thread in hand. */
    if (claimable && job->ntodo - job->next < (size_t)L->threads) {
      if (claim_more(job))
        return ERR_IO;
      continue;
    }
    if (!drained) {
      if (can_take(job))
        take_and_run(job, w0);
      else if (h && h->poll)
        wait_a_little(job);
      else
        pthread_cond_wait(&job->cond, &job->lock);
      continue;
    }
    if (job->committed < job->next) { /* the front is the lowest failure */
      L->failed = (long)job->committed;
      return 0;
    }
    int b1 = job->limit_rep < L->cap ? job->limit_rep : L->cap, converged = 0;
    if (L->opt->until_ci > 0 || L->opt->done) {
      int err = judge_batch(L, b1, &converged);
      if (err)
        return err;
      if (converged)
        L->res->converged = 1;
      else if (b1 < L->cap) {
        job->limit_rep = b1 + L->opt->batch;
        pthread_cond_broadcast(&job->cond);
        continue;
      }
    }
    L->stored = b1;
    return 0;
  }
}

/* ---- the run ------------------------------------------------------------------ */

int mc_run(mc_result **out, const scn_scenario *sc, const mc_options *opt, store *st,
           diag *d) {
  const double t0 = now_s();
  mc_options defaults = MC_OPTIONS_INIT;
  mc_job job = {0};
  mc_slot *slots = NULL; /* the ring */
  int *todo = NULL;
  int nalloc_done = 0;   /* how many of them to free */
  mc_worker *w = NULL;
  mc_result *res = NULL;
  unsigned char *done = NULL;
  mc_watch watch = {0};
  int nworker = 0, lock_ok = 0, err = 0;
  char options[256];

  *out = NULL;
  if (!opt)
    opt = &defaults;
  const int cap = opt->replications > 0 ? opt->replications : sc->replications;
  const int batch = opt->batch;
  const size_t arena_cap = opt->arena_cap ? opt->arena_cap : ARENA_DEFAULT_CAP;
  int threads = opt->threads;
  if (threads <= 0) {
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    threads = ncpu > 0 ? (int)(ncpu < MC_MAX_THREADS ? ncpu : MC_MAX_THREADS) : 1;
  }
  if (cap <= 0) {
    diag_report(d, DIAG_ERROR, sc->path, 0, 0, "no replications to run (%d)", cap);
    return ERR_USAGE;
  }
  if (cap > MC_MAX_REPLICATIONS) {
    diag_report(d, DIAG_ERROR, sc->path, 0, 0,
                "%d replications is more than the limit of %d", cap, MC_MAX_REPLICATIONS);
    return ERR_LIMIT;
  }
  if (batch <= 0 || batch > MC_MAX_BATCH) {
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "batch size '%d' is not in 1..%d", batch,
                MC_MAX_BATCH);
    return ERR_USAGE;
  }
  if (!(opt->until_ci >= 0) || !isfinite(opt->until_ci)) {
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "until-ci '%g' is not a non-negative number",
                opt->until_ci);
    return ERR_USAGE;
  }
  const int claiming = opt->hooks && opt->hooks->claim;
  const int until = opt->until_ci > 0 || opt->done; /* checked at every batch's end */
  if (claiming && until) {
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "a run whose share is claimed cannot stop at a "
                "confidence interval (until-ci) or a stop test");
    return ERR_USAGE;
  }
  if (opt->nparts > 1 && (until || opt->part < 0 || opt->part >= opt->nparts)) {
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "part %d of %d: not a share of the run%s",
                opt->part, opt->nparts, until ? " (with a stop test or until-ci)" : "");
    return ERR_USAGE;
  }
  /* Results do not depend on the thread count, so asking for too many is no error. */
  if (threads > MC_MAX_THREADS)
    threads = MC_MAX_THREADS;
  /* A batch never holds more than the run. */
  const int nslots = batch < cap ? batch : cap;
  if (threads > nslots)
    threads = nslots; /* more would idle */

  res = calloc(1, sizeof *res);
  if (!res)
    goto nomem;
  metric_set_init(&res->metrics);
  ops_context ctx = context_of(opt);
  const mc_prepared *pre;
  if ((err = prepared_of(&pre, sc, opt, d)))
    goto done;
  if (pre) { /* borrowed: not released here */
    memcpy(job.model, pre->model, sizeof job.model);
    if ((err = copy_metrics(&res->metrics, &pre->ms)))
      goto nomem;
  } else if ((err = prepare_models(job.model, &res->metrics, sc, &ctx, d))) {
    goto done;
  }
  study_hash(res->study_hash, sc, job.model, &ctx);
  const metric_set *ms = &res->metrics;
  job.sc = sc;
  job.ms = ms;

  /* Find or start the run. */
  options_text(options, sizeof options, job.model, &ctx);
  store_run_info info = {sc->name, res->study_hash, sc->path, sc->seed,
                         opt->version ? opt->version : "unknown", options, cap};
  err = ERR_NOTFOUND;
  if (opt->resume) {
    err = store_run_find(st, &res->run_id, &info, ms, d);
    if (err && err != ERR_NOTFOUND)
      goto done; /* a mismatch or a store error, explained in d */
    /* Resuming with fewer replications than the run holds would plan fewer than it
     * keeps (planned 500, holding 600): refused, naming both. */
    store_run_row row;
    if (!err && (err = store_run_read(st, res->run_id, &row))) {
      diag_report(d, DIAG_ERROR, NULL, 0, 0, "%s", store_errmsg(st));
      goto done;
    }
    if (!err && row.replications_done > cap) {
      diag_report(d, DIAG_ERROR, NULL, 0, 0,
                  "run %lld already holds %d replications; resuming it with %d would plan "
                  "fewer than it keeps: resume with at least %d, or run into a new store",
                  (long long)res->run_id, row.replications_done, cap,
                  row.replications_done);
      err = ERR_MISMATCH;
      goto done;
    }
    if (!err && (err = store_run_reopen(st, res->run_id, cap))) {
      diag_report(d, DIAG_ERROR, NULL, 0, 0, "%s", store_errmsg(st));
      goto done;
    }
  }
  if (err == ERR_NOTFOUND && (err = store_run_begin(st, &res->run_id, &info, ms, d)))
    goto done;

  for (size_t k = 0; k < opt->nmerge; k++)
    if ((err = merge_part(st, res->run_id, &info, ms, opt->merge[k], d)))
      goto done;

  done = malloc((size_t)cap);
  if (!done)
    goto nomem;
  if ((err = store_replications_done(st, res->run_id, done, (size_t)cap))) {
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "%s", store_errmsg(st));
    goto done;
  }

  if (opt->until_ci > 0 && watch_init(&watch, ms))
    goto nomem;

  /* The replications this call runs, in order: not stored yet, and in this part --
   * or, with a claim hook, those it hands out as the run goes. */
  const mc_hooks *hooks = opt->hooks;
  if (!(todo = malloc((size_t)cap * sizeof *todo)))
    goto nomem;
  for (int r = 0; r < cap && !claiming; r++)
    if (!done[r] && (opt->nparts <= 1 || (opt->part_base + r) % opt->nparts == opt->part))
      todo[job.ntodo++] = r;
  job.todo = todo;
  job.hooks = hooks;
  job.cap = cap;
  job.done = done;
  job.exhausted = !claiming;
  if (hooks && hooks->started)
    hooks->started(hooks->ctx, res->run_id, &res->metrics, cap);

  /* Workers and the ring live for the whole call.  With several threads the ring
   * holds two batches, so the others run on while the front batch is written. */
  const size_t nring = threads > 1 ? 2 * (size_t)nslots : (size_t)nslots;
  slots = calloc(nring, sizeof *slots);
  if (slots)
    nalloc_done = (int)nring;
  w = calloc((size_t)threads, sizeof *w);
  if (!slots || !w)
    goto nomem;
  for (size_t i = 0; i < nring; i++)
    if (!(slots[i].value = malloc((ms->n ? ms->n : 1) * sizeof(double))))
      goto nomem;
  job.ring = slots;
  job.nring = nring;
  for (; nworker < threads; nworker++) {
    mc_worker *wk = &w[nworker];
    wk->job = &job;
    arena_init(&wk->arena, arena_cap);
    if (!(wk->sim = sim_new())) {
      arena_release(&wk->arena);
      goto nomem;
    }
  }
  if (pthread_mutex_init(&job.lock, NULL) != 0) {
    err = ERR_THREAD;
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "cannot create a mutex for the worker threads");
    goto done;
  }
  if (pthread_cond_init(&job.cond, NULL) != 0) {
    pthread_mutex_destroy(&job.lock);
    err = ERR_THREAD;
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "cannot create a condition for the worker threads");
    goto done;
  }
  lock_ok = 1;
  job.stop = SIZE_MAX;
  job.limit_rep = until && batch < cap ? batch : cap;
  res->converged = until ? 0 : 1;

  /* A thread that cannot be started only makes the run slower, never different. */
  mc_lead lead = {st, opt, res, cap, done, &watch, t0, threads, 0, -1};
  int started[MC_MAX_THREADS] = {0};
  pthread_mutex_lock(&job.lock);
  for (int i = 1; i < threads; i++)
    started[i] = pthread_create(&w[i].thread, NULL, worker_main, &w[i]) == 0;
  err = lead_run(&job, &w[0], &lead);
  job.quit = 1;
  pthread_cond_broadcast(&job.cond);
  pthread_mutex_unlock(&job.lock);
  for (int i = 1; i < threads; i++)
    if (started[i])
      pthread_join(w[i].thread, NULL);
  if (err == ERR_NOMEM)
    goto nomem;
  if (err == ERR_IO) {
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "the run's share of the work could not be claimed");
    goto done;
  }
  if (err)
    goto store_error;
  if (lead.failed >= 0) {
    const mc_slot *sl = slot_at(&job, (size_t)lead.failed);
    err = sl->err ? sl->err : ERR_THREAD;
    if (sl->blamed) {
      /* Caused by the scenario: located at what caused it, and bad input (exit 2). */
      const sim_blame *b = &sl->blame;
      diag_report(d, DIAG_ERROR, b->file, b->line, b->col,
                  "replication %d failed: %s '%s' drew %g, which cannot be simulated "
                  "(%s): %s", sl->rep, b->what, b->id ? b->id : "", b->value, sl->why,
                  err_strerror(err));
      err = ERR_INPUT;
    } else {
      diag_report(d, DIAG_ERROR, sc->path, 0, 0, "replication %d failed: %s: %s", sl->rep,
                  sl->why, err_strerror(err));
    }
    goto done;
  }

  /* Summaries read back from the store, so a resumed run and an uninterrupted one
   * summarise exactly the same numbers.  A part's share alone is no sample to
   * summarise: the one who gathers the parts does (sweep.h). */
  res->replications = lead.stored;
  if (opt->nparts <= 1 && !claiming && (err = mc_result_summarize(res, st, d)))
    goto done;

  res->wall_s = now_s() - t0;
  if ((err = store_run_finish(st, res->run_id, -1, res->wall_s))) {
    diag_report(d, DIAG_ERROR, NULL, 0, 0, "%s", store_errmsg(st));
    goto done;
  }
  goto done;

store_error:
  diag_report(d, DIAG_ERROR, NULL, 0, 0, "%s", store_errmsg(st));
  goto done;
nomem:
  err = ERR_NOMEM;
  diag_report(d, DIAG_ERROR, NULL, 0, 0, "out of memory for the replication runner");
done:
  if (lock_ok) {
    pthread_cond_destroy(&job.cond);
    pthread_mutex_destroy(&job.lock);
  }
  for (int i = 0; i < nworker; i++) {
    sim_free(w[i].sim);
    arena_release(&w[i].arena);
  }
  free(w);
  if (slots) {
    for (int i = 0; i < nalloc_done; i++) {
      free(slots[i].value);
      free(slots[i].point);
    }
    free(slots);
  }
  if (!opt->prepared)
    release_models(job.model);
  watch_release(&watch);
  free(done);
  free(todo);
  if (err) {
    mc_result_free(res);
    return err;
  }
  *out = res;
  return 0;
}
