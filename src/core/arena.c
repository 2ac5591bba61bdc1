/* arena.c - chunked bump allocator: one per replication, reset between replications.
 * Chunks grow geometrically (each at least twice the last), so n bytes cost
 * O(log n) mallocs; reset keeps them for reuse, release frees them. */
#include "arena.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_MIN_CHUNK ((size_t)64 << 10) /* 64 KiB of payload */

struct arena_chunk {
  arena_chunk *next;
  size_t size; /* payload bytes */
  size_t used; /* payload bytes handed out */
  /* Payload follows the header, which is padded to ARENA_ALIGN (malloc returns
   * memory aligned for max_align_t, which is 16 on the platforms we build for). */
};

_Static_assert(_Alignof(max_align_t) >= ARENA_ALIGN, "malloc must return 16-byte aligned memory");

#define ARENA_HDR ((sizeof(arena_chunk) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))

static unsigned char *chunk_base(arena_chunk *c) { return (unsigned char *)c + ARENA_HDR; }

void arena_init(arena *a, size_t cap) {
  a->head = NULL;
  a->spare = NULL;
  a->cap = cap;
  a->held = 0;
  a->used = 0;
}

static void free_list(arena_chunk *c) {
  while (c) {
    arena_chunk *next = c->next;
    free(c);
    c = next;
  }
}

void arena_release(arena *a) {
  free_list(a->head);
  free_list(a->spare);
  arena_init(a, a->cap);
}

void arena_reset(arena *a) {
  /* Move every chunk to the spare list, keeping its memory. */
  arena_chunk *c = a->head;
  while (c) {
    arena_chunk *next = c->next;
    c->used = 0;
    c->next = a->spare;
    a->spare = c;
    c = next;
  }
  a->head = NULL;
  a->used = 0;
}

/* Make a chunk with at least `need` payload bytes the head: a spare one if it is big
 * enough, otherwise a new one, twice the size of the last one made (or of `need`). */
static arena_chunk *arena_grow(arena *a, size_t need) {
  arena_chunk **pp = &a->spare;
  for (arena_chunk *c = a->spare; c; pp = &c->next, c = c->next) {
    if (c->size >= need) {
      *pp = c->next;
      c->next = a->head;
      a->head = c;
      return c;
    }
  }
  size_t size = a->head ? a->head->size : ARENA_MIN_CHUNK;
  if (a->head && size <= SIZE_MAX / 2) size *= 2;
  if (size < need) size = need;
  /* Past the cap, take only what is left, if that is enough. */
  size_t left = a->cap > a->held ? a->cap - a->held : 0;
  if (left < ARENA_HDR) return NULL;
  if (size > left - ARENA_HDR) size = left - ARENA_HDR;
  if (size < need) return NULL;
  arena_chunk *c = malloc(ARENA_HDR + size);
  if (!c) return NULL;
  c->size = size;
  c->used = 0;
  c->next = a->head;
  a->head = c;
  a->held += ARENA_HDR + size;
  return c;
}

void *arena_alloc(arena *a, size_t size) {
  if (size == 0) size = 1; /* distinct pointers for distinct calls */
  if (size > SIZE_MAX - ARENA_ALIGN) return NULL;
  size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
  arena_chunk *c = a->head;
  if (!c || c->size - c->used < need) {
    c = arena_grow(a, need);
    if (!c) return NULL;
  }
  void *p = chunk_base(c) + c->used;
  c->used += need;
  a->used += need;
  return p;
}

void *arena_calloc(arena *a, size_t n, size_t size) {
  if (size != 0 && n > SIZE_MAX / size) return NULL;
  void *p = arena_alloc(a, n * size);
  if (p) memset(p, 0, n * size);
  return p;
}

char *arena_strdup(arena *a, const char *s) {
  if (!s) return NULL;
  size_t len = strlen(s) + 1;
  char *p = arena_alloc(a, len);
  if (p) memcpy(p, s, len);
  return p;
}
