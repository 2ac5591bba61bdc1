/* arena.h - bump allocator for one replication (and for a loaded scenario).
 *
 * The arena owns every block it hands out.  arena_reset() makes all of them
 * reusable without returning memory to the system, so a replication after the first
 * allocates nothing; arena_release() frees it all.  The total is capped: past the
 * cap, allocation returns NULL (callers turn that into ERR_LIMIT). */
#ifndef STRAITS_ARENA_H
#define STRAITS_ARENA_H

#include <stddef.h>

typedef struct arena_chunk arena_chunk;

typedef struct arena {
  arena_chunk *head; /* chunk being filled; earlier chunks follow */
  arena_chunk *spare; /* chunks kept by arena_reset, reused first */
  size_t cap;  /* maximum bytes held in chunks */
  size_t held; /* bytes held in chunks (used or spare) */
  size_t used; /* bytes handed out since the last reset */
} arena;

#define ARENA_DEFAULT_CAP ((size_t)1 << 30) /* 1 GiB */

void arena_init(arena *a, size_t cap);
void arena_release(arena *a);
void arena_reset(arena *a);

/* 16-byte aligned, uninitialised; NULL when the cap is hit or memory is out. */
void *arena_alloc(arena *a, size_t size);
/* Zeroed array of n elements; NULL also on n*size overflow. */
void *arena_calloc(arena *a, size_t n, size_t size);
/* Copy of a NUL-terminated string (NULL in, NULL out). */
char *arena_strdup(arena *a, const char *s);

#endif
