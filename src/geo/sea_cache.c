/* sea_cache.c - the sea router's cache on disk (sea_internal.h): a built sea (its
 * clearance mask and graph) and its full Dijkstra fields, kept across processes so a
 * run reads them instead of building them again (docs/models.md "Sea routing").
 *
 * A file is a fixed header, the arrays as they are in memory, and the XXH3-64 of all
 * that; it is read straight into its arrays and used only when the checksum, the sizes
 * and the key agree, so a short or damaged file, or one of another layout, is rebuilt.
 * Files are written to a temporary name and renamed, so concurrent runs never read half
 * a file.  Only regular files are read (a FIFO or a device in the cache's place is
 * ignored). */
#include "sea_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

/* Bump when what a build computes changes (the mask, the clearance, the graph or the
 * field's search): files of another version are then ignored. */
#define SEA_CACHE_VERSION 2u
#define SEA_FILE_MAX ((size_t)1 << 31) /* a cache file larger than this is not kept */

static const char sea_magic[8] = {'S', 'T', 'R', 'S', 'E', 'A', 0, 1};
static const char field_magic[8] = {'S', 'T', 'R', 'F', 'L', 'D', 0, 1};

typedef struct sea_header {
  char magic[8];
  uint32_t version, header_size;
  uint64_t key, build;
  double lat_min, lon_min, res, inv_res;
  uint64_t ny, nx;
  int32_t ni, nj, nnode, narc;
  char resolution, pad[7];
} sea_header;

typedef struct field_header {
  char magic[8];
  uint32_t version, header_size;
  uint64_t key, build;
  double lat, lon;
  int32_t nnode, pad;
} field_header;

/* The cache's directory into buf: 0, or -1 when there is none. */
static int cache_dir(char *buf, size_t n) {
  const char *e = getenv("STRAITS_CACHE_DIR");
  int w;
  if (e) {
    if (!*e || !strcmp(e, "off")) return -1;
    w = snprintf(buf, n, "%s", e);
  } else if ((e = getenv("XDG_CACHE_HOME")) && *e) {
    w = snprintf(buf, n, "%s/straits", e);
  } else if ((e = getenv("HOME")) && *e) {
    w = snprintf(buf, n, "%s/.cache/straits", e);
  } else {
    return -1;
  }
  return w > 0 && (size_t)w < n ? 0 : -1;
}

/* mkdir -p of dir (mode 0700: it is the user's own cache): 0 or -1. */
static int make_dirs(const char *dir) {
  char p[1024];
  if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p) return -1;
  for (char *c = p + 1; *c; c++) {
    if (*c != '/') continue;
    *c = 0;
    if (mkdir(p, 0700) && errno != EEXIST) return -1;
    *c = '/';
  }
  return mkdir(p, 0700) && errno != EEXIST ? -1 : 0;
}

void geo__sea_cache_key(geo_sea *s) {
  char dir[1024];
  struct stat st;
  s->cache_key = 0;
  if (cache_dir(dir, sizeof dir) || stat(s->path, &st)) return;
  XXH3_state_t *h = XXH3_createState();
  if (!h) return;
  const uint32_t version = SEA_CACHE_VERSION;
  const int64_t size = (int64_t)st.st_size, mtime = (int64_t)st.st_mtim.tv_sec,
                mtime_ns = (int64_t)st.st_mtim.tv_nsec;
  const double opt[4] = {s->o.mask_res, s->o.clearance, s->o.reach, (double)s->o.step};
  XXH3_64bits_reset(h);
  XXH3_64bits_update(h, &version, sizeof version);
  XXH3_64bits_update(h, s->path, strlen(s->path));
  XXH3_64bits_update(h, &size, sizeof size);
  XXH3_64bits_update(h, &mtime, sizeof mtime);
  XXH3_64bits_update(h, &mtime_ns, sizeof mtime_ns);
  XXH3_64bits_update(h, &s->box, sizeof s->box);
  XXH3_64bits_update(h, opt, sizeof opt);
  XXH3_64bits_update(h, &s->o.coastline, 1);
  uint64_t key = XXH3_64bits_digest(h);
  XXH3_freeState(h);
  s->cache_key = key ? key : 1;
  /* The program that builds (its size and time), kept in each file and compared, not
   * part of the name: a rebuilt straits never reads what an older build wrote, whether
   * or not SEA_CACHE_VERSION was bumped, and overwrites it, so files do not pile up. */
  struct stat self;
  int64_t exe[3] = {0, 0, 0};
  if (stat("/proc/self/exe", &self) == 0)
    exe[0] = (int64_t)self.st_size, exe[1] = (int64_t)self.st_mtim.tv_sec,
    exe[2] = (int64_t)self.st_mtim.tv_nsec;
  s->cache_build = XXH3_64bits(exe, sizeof exe);
}

static int sea_file(const geo_sea *s, char *buf, size_t n) {
  char dir[1024];
  if (!s->cache_key || cache_dir(dir, sizeof dir)) return -1;
  int w = snprintf(buf, n, "%s/sea-%016llx.bin", dir, (unsigned long long)s->cache_key);
  return w > 0 && (size_t)w < n ? 0 : -1;
}

static int field_file(const geo_sea *s, const sea_source *q, char *buf, size_t n) {
  char dir[1024];
  if (!s->cache_key || cache_dir(dir, sizeof dir)) return -1;
  const double at[2] = {q->lat, q->lon};
  uint64_t k = XXH3_64bits_withSeed(at, sizeof at, s->cache_key);
  int w = snprintf(buf, n, "%s/sea-%016llx-%016llx.field", dir, (unsigned long long)s->cache_key,
                   (unsigned long long)k);
  return w > 0 && (size_t)w < n ? 0 : -1;
}

/* A cache file being read straight into its arrays (no buffer of the whole file:
 * the sea's 17.6 MB were read, copied and faulted in twice, ~50 ms of every run's
 * serial start), its checksum summed on the way and compared at the end. */
typedef struct cache_in {
  int fd;
  size_t size, at; /* the file's bytes, those read */
  XXH3_state_t *h;
} cache_in;

/* Open a regular file of at least 8 bytes (its checksum) and at most SEA_FILE_MAX:
 * 0, or -1 (nothing to close). */
static int in_open(cache_in *in, const char *path) {
  struct stat st;
  in->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  in->at = 0, in->h = NULL;
  if (in->fd < 0) return -1;
  if (fstat(in->fd, &st) || !S_ISREG(st.st_mode) || st.st_size < 8 ||
      (uint64_t)st.st_size > SEA_FILE_MAX || !(in->h = XXH3_createState()) ||
      XXH3_64bits_reset(in->h) != XXH_OK) {
    XXH3_freeState(in->h);
    close(in->fd);
    return -1;
  }
  in->size = (size_t)st.st_size;
  return 0;
}

/* The next n bytes into dst, summed: 0, or -1 when the file ends (before its checksum). */
static int in_read(cache_in *in, void *dst, size_t n) {
  if (n > in->size - 8 - in->at) return -1;
  for (size_t got = 0; got < n;) {
    ssize_t r = read(in->fd, (uint8_t *)dst + got, n - got);
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  in->at += n;
  return XXH3_64bits_update(in->h, dst, n) == XXH_OK ? 0 : -1;
}

/* The bytes the file holds after what was read, its checksum left out. */
static size_t in_left(const cache_in *in) { return in->size - 8 - in->at; }

/* Close the file: 0 when everything was read (ok) and the checksum agrees, else -1. */
static int in_close(cache_in *in, int ok) {
  uint64_t sum = 0;
  ok = ok && in_left(in) == 0 && read(in->fd, &sum, 8) == 8 && XXH3_64bits_digest(in->h) == sum;
  XXH3_freeState(in->h);
  close(in->fd);
  return ok ? 0 : -1;
}

/* Pieces of a file to write, in order. */
typedef struct piece {
  const void *p;
  size_t n;
} piece;

/* Write the pieces and their checksum to path, by a temporary file renamed. */
static void write_atomic(const char *path, const piece *pc, size_t npc) {
  static atomic_uint serial;
  char dir[1024], tmp[1200];
  if (cache_dir(dir, sizeof dir) || make_dirs(dir)) return;
  snprintf(tmp, sizeof tmp, "%s.%ld.%u.tmp", path, (long)getpid(), atomic_fetch_add(&serial, 1));
  FILE *f = fopen(tmp, "wbx");
  if (!f) return;
  XXH3_state_t *h = XXH3_createState();
  int ok = h != NULL && XXH3_64bits_reset(h) == XXH_OK;
  for (size_t i = 0; i < npc && ok; i++)
    ok = fwrite(pc[i].p, 1, pc[i].n, f) == pc[i].n &&
         XXH3_64bits_update(h, pc[i].p, pc[i].n) == XXH_OK;
  uint64_t sum = ok ? XXH3_64bits_digest(h) : 0;
  ok = ok && fwrite(&sum, 1, 8, f) == 8;
  XXH3_freeState(h);
  ok = fclose(f) == 0 && ok;
  if (!ok || rename(tmp, path)) unlink(tmp);
}

/* A new array of the next n bytes of in, or NULL. */
static void *take(cache_in *in, size_t n, int *ok) {
  void *p = *ok ? malloc(n ? n : 1) : NULL;
  *ok = p && in_read(in, p, n) == 0;
  return p;
}

int geo__sea_cache_load(geo_sea *s, int **first, int **head, double **len) {
  char path[1200];
  cache_in in;
  sea_header h;
  if (sea_file(s, path, sizeof path) || in_open(&in, path)) return -1;
  int ok = in_read(&in, &h, sizeof h) == 0;
  ok = ok && !memcmp(h.magic, sea_magic, 8) && h.version == SEA_CACHE_VERSION &&
       h.header_size == sizeof h && h.key == s->cache_key && h.build == s->cache_build &&
       h.ni >= 0 && h.nj >= 0 && h.nnode >= 0 && h.narc >= 0 && h.ny <= SEA_FILE_MAX &&
       h.nx <= SEA_FILE_MAX;
  size_t cells = ok ? (size_t)h.ni * (size_t)h.nj : 0, mask = ok ? (size_t)h.ny * (size_t)h.nx : 0;
  ok = ok && in_left(&in) == mask + cells * (2 * sizeof(int32_t) + 1) +
                                 ((size_t)h.nnode + 1) * sizeof(int32_t) +
                                 (size_t)h.narc * (sizeof(int32_t) + sizeof(double));
  geo_landmask land = {h.lat_min, h.lon_min, h.res, h.inv_res, h.ny, h.nx, NULL, h.resolution};
  land.level = take(&in, mask, &ok);
  int *node = take(&in, cells * sizeof *node, &ok);
  uint8_t *open = take(&in, cells, &ok);
  int *odist = take(&in, cells * sizeof *odist, &ok);
  *first = take(&in, ((size_t)h.nnode + 1) * sizeof **first, &ok);
  *head = take(&in, (size_t)h.narc * sizeof **head, &ok);
  *len = take(&in, (size_t)h.narc * sizeof **len, &ok);
  if (in_close(&in, ok)) {
    free(land.level), free(node), free(open), free(odist);
    free(*first), free(*head), free(*len);
    *first = *head = NULL, *len = NULL;
    return -1;
  }
  s->land = land;
  s->ni = h.ni, s->nj = h.nj, s->nnode = h.nnode, s->narc = h.narc;
  s->node = node, s->open = open, s->odist = odist;
  return 0;
}

void geo__sea_cache_save(const geo_sea *s, const int *first, const int *head, const double *len) {
  char path[1200];
  if (sea_file(s, path, sizeof path)) return;
  sea_header h;
  memset(&h, 0, sizeof h);
  memcpy(h.magic, sea_magic, 8);
  h.version = SEA_CACHE_VERSION, h.header_size = sizeof h, h.key = s->cache_key;
  h.build = s->cache_build;
  h.lat_min = s->land.lat_min, h.lon_min = s->land.lon_min, h.res = s->land.res;
  h.inv_res = s->land.inv_res, h.ny = s->land.ny, h.nx = s->land.nx;
  h.ni = s->ni, h.nj = s->nj, h.nnode = s->nnode, h.narc = s->narc;
  h.resolution = s->land.resolution;
  size_t cells = (size_t)s->ni * (size_t)s->nj;
  const piece pc[] = {{&h, sizeof h},
                      {s->land.level, s->land.ny * s->land.nx},
                      {s->node, cells * sizeof *s->node},
                      {s->open, cells},
                      {s->odist, cells * sizeof *s->odist},
                      {first, ((size_t)s->nnode + 1) * sizeof *first},
                      {head, (size_t)s->narc * sizeof *head},
                      {len, (size_t)s->narc * sizeof *len}};
  write_atomic(path, pc, sizeof pc / sizeof *pc);
}

int geo__sea_field_load(const geo_sea *s, const sea_source *q, double *dist, int *pred) {
  char path[1200];
  size_t nn = (size_t)s->nnode;
  cache_in in;
  field_header h;
  if (field_file(s, q, path, sizeof path) || in_open(&in, path)) return -1;
  int ok = in_read(&in, &h, sizeof h) == 0 && in_left(&in) == nn * (sizeof *dist + sizeof *pred);
  ok = ok && !memcmp(h.magic, field_magic, 8) && h.version == SEA_CACHE_VERSION &&
       h.header_size == sizeof h && h.key == s->cache_key && h.build == s->cache_build &&
       h.lat == q->lat && h.lon == q->lon && h.nnode == s->nnode;
  /* Read into the caller's arrays: on failure it builds the field over them. */
  ok = ok && in_read(&in, dist, nn * sizeof *dist) == 0 &&
       in_read(&in, pred, nn * sizeof *pred) == 0;
  return in_close(&in, ok);
}

void geo__sea_field_save(const geo_sea *s, const sea_source *q, const double *dist,
                         const int *pred) {
  char path[1200];
  if (field_file(s, q, path, sizeof path)) return;
  field_header h;
  memset(&h, 0, sizeof h);
  memcpy(h.magic, field_magic, 8);
  h.version = SEA_CACHE_VERSION, h.header_size = sizeof h, h.key = s->cache_key;
  h.build = s->cache_build;
  h.lat = q->lat, h.lon = q->lon, h.nnode = s->nnode;
  size_t nn = (size_t)s->nnode;
  const piece pc[] = {{&h, sizeof h}, {dist, nn * sizeof *dist}, {pred, nn * sizeof *pred}};
  write_atomic(path, pc, sizeof pc / sizeof *pc);
}
