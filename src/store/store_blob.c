/* store_blob.c - a replication's data blob: packing it for the writer, taking it
 * apart and verifying it for the readers.
 *
 * A replication is one row: its done mark and, in `data`, every value it yields --
 * the metric values and the series points -- packed as one BLOB (format below).
 * With a row per value and per point (schema 1) the single writer spent most of a
 * run in SQLite, inserting ~450 rows per replication at as many places in the
 * indexes (bench/README.md, issue 8); now a replication is one append.
 *
 * data, all integers little-endian uint32, all values little-endian IEEE-754 doubles
 * stored bit for bit (so -0.0 and NaN survive; NaN = not observed):
 *   nvalues, nseries                    (nvalues = the run's metric count)
 *   value[nvalues]
 *   nseries x (metric, npoints)         series with points, metric ascending
 *   points: for each series in that order, npoints x (t, value)
 * The replication table is a rowid table so the blob lives in its leaves and the
 * (run, idx) key index stays small.
 *
 * checksum: XXH3-64 (libxxhash) of the data blob, seeded with the replication's
 * index, stored as its two's-complement int64.  It is metadata beside the bytes,
 * which stay as they were; every read of a blob verifies it (store__rep_read), so a
 * flipped bit in a value is an error naming the store and the replication instead
 * of a different number.  The seed ties a blob to its index: a row whose idx was
 * altered fails too.  It does not depend on the run id, so a merge copies it. */
#include <math.h>
#include <string.h>
#include <stdlib.h>
#include <xxhash.h>

#include "err.h"
#include "store_internal.h"

static void put_le32(unsigned char *b, uint32_t v) {
  for (int i = 0; i < 4; i++)
    b[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_le32(const unsigned char *b) {
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Doubles in the blob: little-endian IEEE-754 bit patterns, whatever the host's order. */
static void put_le64(unsigned char *b, double v) {
  uint64_t u;
  memcpy(&u, &v, sizeof u);
  for (int i = 0; i < 8; i++)
    b[i] = (unsigned char)(u >> (8 * i));
}

static double get_le64(const unsigned char *b) {
  uint64_t u = 0;
  double v;
  for (int i = 0; i < 8; i++)
    u |= (uint64_t)b[i] << (8 * i);
  memcpy(&v, &u, sizeof v);
  return v;
}

/* Take blob b apart into v; 0, or -1 when it is malformed (counts past METRIC_MAX, or
 * a length that is not what its directory says). */
int store__rep_parse(rep_view *v, const unsigned char *b, size_t len) {
  if (!b || len < 8)
    return -1;
  v->nvalues = get_le32(b);
  v->nseries = get_le32(b + 4);
  size_t head = 8 + 8 * v->nvalues + STORE__DIR_BYTES * v->nseries;
  if (v->nvalues > METRIC_MAX || v->nseries > METRIC_MAX || head > len)
    return -1;
  v->value = b + 8;
  v->dir = v->value + 8 * v->nvalues;
  v->points = v->dir + STORE__DIR_BYTES * v->nseries;
  size_t total = 0;
  for (size_t i = 0; i < v->nseries; i++)
    total += get_le32(v->dir + STORE__DIR_BYTES * i + 4);
  return total * STORE__POINT_BYTES == len - head ? 0 : -1;
}

/* Entry i < nseries of a parsed blob's series directory: the series' metric index and
 * its number of points (the points of entries 0..i-1 come before its own). */
void store__rep_dir(const rep_view *v, size_t i, size_t *metric, size_t *npoints) {
  *metric = get_le32(v->dir + STORE__DIR_BYTES * i);
  *npoints = get_le32(v->dir + STORE__DIR_BYTES * i + 4);
}

/* Point j (counting over all series, in directory order) of a parsed blob. */
void store__rep_point(const rep_view *v, size_t j, double *t, double *value) {
  const unsigned char *q = v->points + STORE__POINT_BYTES * j;
  *t = get_le64(q);
  *value = get_le64(q + 8);
}

double store__rep_scalar(const rep_view *v, size_t k) { return get_le64(v->value + 8 * k); }

/* The checksum of replication idx's data blob (format above). */
int64_t store__rep_checksum(const void *bytes, size_t len, int64_t idx) {
  return (int64_t)XXH3_64bits_withSeed(bytes, len, (XXH64_hash_t)idx);
}

/* A damaged replication: the message names the store, the run and the replication,
 * and the way out. */
static int damaged(store *st, const char *path, int64_t run_id, int64_t r, const char *why) {
  st->damage = why;
  store__fail(st, SQLITE_OK, "results store '%s': replication %lld of run %lld is damaged "
              "(%s); 'straits verify --drop %s' removes it, then '--resume' recomputes it",
              path, (long long)r, (long long)run_id, why, path);
  return ERR_STORE;
}

/* Read the current row of s, whose columns first, first + 1, first + 2 are a
 * replication's idx, data and checksum: verify the checksum and parse the blob into
 * v (of nvalues values, unless nvalues is SIZE_MAX).  0, or ERR_STORE (damaged; the
 * message names path, the file the row is in). */
int store__rep_read_in(store *st, const char *path, sqlite3_stmt *s, int first,
                       int64_t run_id, size_t nvalues, int64_t *idx, rep_view *v) {
  *idx = sqlite3_column_int64(s, first);
  const void *b = sqlite3_column_blob(s, first + 1);
  size_t len = (size_t)sqlite3_column_bytes(s, first + 1);
  if (sqlite3_column_type(s, first + 2) != SQLITE_INTEGER ||
      sqlite3_column_int64(s, first + 2) != store__rep_checksum(b, len, *idx))
    return damaged(st, path, run_id, *idx, "its checksum does not match its data");
  if (store__rep_parse(v, b, len) != 0 || (nvalues != SIZE_MAX && v->nvalues != nvalues))
    return damaged(st, path, run_id, *idx,
                   "its data is not a replication of the run's metrics");
  return 0;
}

int store__rep_read(store *st, sqlite3_stmt *s, int first, int64_t run_id,
                    size_t nvalues, int64_t *idx, rep_view *v) {
  return store__rep_read_in(st, st->path, s, first, run_id, nvalues, idx, v);
}

/* Grow the writer's scratch; 0 or ERR_NOMEM. */
static int scratch(store *st, size_t bytes, size_t nat, int replication) {
  if (st->nat < nat) {
    size_t *at = realloc(st->at, nat * sizeof *at);
    if (!at)
      goto nomem;
    st->at = at, st->nat = nat;
  }
  if (st->pack_cap < bytes) {
    size_t cap = st->pack_cap ? st->pack_cap : 4096;
    while (cap < bytes)
      cap *= 2;
    unsigned char *p = realloc(st->pack, cap);
    if (!p)
      goto nomem;
    st->pack = p, st->pack_cap = cap;
  }
  return 0;
nomem:
  store__fail(st, SQLITE_OK, "no memory to store replication %d", replication);
  return ERR_NOMEM;
}

/* Pack a replication into st->pack (format at the top); its length, or < 0 (err).
 * Points are grouped by series with a counting sort, which keeps each series' points
 * in the order they were added. */
static long pack_replication(store *st, int replication, const metric_set *ms,
                             const metric_out *out, int *err) {
  const size_t m = ms->n;
  if ((*err = scratch(st, 8, m + 1, replication)))
    return -1;
  size_t *at = st->at; /* at[k + 1] = points of series k, then running starts */
  memset(at, 0, (m + 1) * sizeof *at);
  for (size_t k = 0; k < out->npoints; k++) {
    int mk = out->point[k].metric;
    if (mk < 0 || (size_t)mk >= m) {
      *err = store__fail(st, SQLITE_OK, "replication %d has a point of unknown metric %d",
                         replication, mk);
      return -1;
    }
    at[mk + 1]++;
  }
  size_t nseries = 0;
  for (size_t k = 0; k < m; k++)
    nseries += at[k + 1] != 0;
  size_t head = 8 + 8 * m + STORE__DIR_BYTES * nseries;
  size_t len = head + STORE__POINT_BYTES * out->npoints;
  if (m > METRIC_MAX || (*err = scratch(st, len, m + 1, replication)))
    return -1;
  unsigned char *b = st->pack, *dir = b + 8 + 8 * m;
  put_le32(b, (uint32_t)m);
  put_le32(b + 4, (uint32_t)nseries);
  for (size_t k = 0; k < m; k++)
    put_le64(b + 8 + 8 * k, out->value[k]);
  for (size_t k = 0, d = 0; k < m; k++)
    if (at[k + 1]) {
      put_le32(dir + STORE__DIR_BYTES * d, (uint32_t)k);
      put_le32(dir + STORE__DIR_BYTES * d + 4, (uint32_t)at[k + 1]);
      d++;
    }
  for (size_t k = 0; k < m; k++) /* at[k] = first point of series k */
    at[k + 1] += at[k];
  for (size_t k = 0; k < out->npoints; k++) {
    const metric_point *p = &out->point[k];
    unsigned char *q = b + head + STORE__POINT_BYTES * at[p->metric]++;
    put_le64(q, p->t);
    put_le64(q + 8, p->value);
  }
  return (long)len;
}

long store_pack_replication(store *st, int replication, const metric_set *ms,
                           const metric_out *out, const void **bytes) {
  int err = 0;
  long len = pack_replication(st, replication, ms, out, &err);
  *bytes = len < 0 ? NULL : st->pack;
  return len < 0 ? (long)err : len;
}

/* Values of metrics [first, first + count) of a parsed blob into out[count], as
 * store__rep_value reads each; series[nseries] are the series metrics among them.
 * The scalars are copied as they lie in the blob (little-endian doubles, a memcpy on
 * a little-endian host), then each series gets its last point from one walk of the
 * directory: a value at a time, with a walk of the directory for each series, was
 * two thirds of a scan of the store (callgrind, the tail of a 20,000-replication run,
 * issue 22). */
void store__rep_values(const rep_view *v, size_t first, size_t count, const size_t *series,
                       size_t nseries, double *out) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  memcpy(out, v->value + 8 * first, count * sizeof *out);
#else
  for (size_t k = 0; k < count; k++)
    out[k] = get_le64(v->value + 8 * (first + k));
#endif
  if (!nseries)
    return;
  for (size_t i = 0; i < nseries; i++)
    out[series[i] - first] = NAN;
  size_t at = 0;
  for (size_t i = 0; i < v->nseries; i++) {
    size_t k = get_le32(v->dir + STORE__DIR_BYTES * i);
    size_t np = get_le32(v->dir + STORE__DIR_BYTES * i + 4);
    at += np;
    if (k >= first && k - first < count && np)
      out[k - first] = get_le64(v->points + STORE__POINT_BYTES * (at - 1) + 8);
  }
}

/* The value a summary reads from a parsed blob: the scalar, or a series' last point
 * (NaN if the series has none in this replication). */
double store__rep_value(const rep_view *v, const metric_set *ms, size_t metric) {
  if (!(ms->def[metric].flags & METRIC_SERIES))
    return get_le64(v->value + 8 * metric);
  size_t first = 0;
  for (size_t i = 0; i < v->nseries; i++) {
    size_t k = get_le32(v->dir + STORE__DIR_BYTES * i);
    size_t np = get_le32(v->dir + STORE__DIR_BYTES * i + 4);
    if (k == metric)
      return get_le64(v->points + STORE__POINT_BYTES * (first + np - 1) + 8);
    first += np;
  }
  return NAN;
}

