/* fuzz_replay.c - run a fuzz target over files without libFuzzer, so the corpus is an
 * ordinary test in every build (gcc, ASan, valgrind).
 * Usage: fuzz_replay_TARGET PATH...   (a folder stands for every file in it) */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define REPLAY_MAX_BYTES (1u << 20)

static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "fuzz_replay: cannot open '%s'\n", path);
    return -1;
  }
  unsigned char *buf = malloc(REPLAY_MAX_BYTES);
  size_t n = buf ? fread(buf, 1, REPLAY_MAX_BYTES, f) : 0;
  fclose(f);
  if (!buf)
    return -1;
  /* Copy to an exact-size block, so ASan sees a read past the end of the input. */
  unsigned char *exact = malloc(n ? n : 1);
  if (!exact) {
    free(buf);
    return -1;
  }
  memcpy(exact, buf, n);
  free(buf);
  LLVMFuzzerTestOneInput(exact, n);
  free(exact);
  return 0;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replay every regular file of a folder in name order; returns files replayed or -1. */
static long replay_dir(const char *path) {
  DIR *dp = opendir(path);
  if (!dp)
    return -1;
  char **names = NULL;
  size_t n = 0, cap = 0;
  long done = 0;
  struct dirent *e;
  while ((e = readdir(dp))) {
    if (e->d_name[0] == '.')
      continue;
    if (n == cap) {
      cap = cap ? 2 * cap : 64;
      char **grown = realloc(names, cap * sizeof *grown);
      if (!grown)
        break;
      names = grown;
    }
    size_t len = strlen(path) + strlen(e->d_name) + 2;
    if (!(names[n] = malloc(len)))
      break;
    snprintf(names[n++], len, "%s/%s", path, e->d_name);
  }
  closedir(dp);
  if (n)
    qsort(names, n, sizeof *names, cmp_names);
  for (size_t i = 0; i < n; i++) {
    struct stat st;
    if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
      if (replay_file(names[i]) != 0)
        done = -1;
      else if (done >= 0)
        done++;
    }
    free(names[i]);
  }
  free(names);
  return done;
}

int main(int argc, char **argv) {
  long total = 0;
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE-OR-FOLDER...\n", argv[0]);
    return 1;
  }
  for (int i = 1; i < argc; i++) {
    struct stat st;
    long got;
    if (stat(argv[i], &st) != 0) {
      fprintf(stderr, "fuzz_replay: no such file '%s'\n", argv[i]);
      return 1;
    }
    got = S_ISDIR(st.st_mode) ? replay_dir(argv[i]) : (replay_file(argv[i]) == 0 ? 1 : -1);
    if (got < 0)
      return 1;
    total += got;
  }
  printf("replayed %ld inputs\n", total);
  return total > 0 ? 0 : 1;
}
