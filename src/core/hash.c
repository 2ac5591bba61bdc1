/* hash.c - SHA-256 through nettle (sha2.h), behind core's own small API. */
#include "hash.h"

#include <errno.h>
#include <stdalign.h>
#include <stdio.h>

#include <nettle/sha2.h>
#include <nettle/version.h>

#include "err.h"
#include "file.h"

_Static_assert(sizeof(struct sha256_ctx) <= sizeof(((hash_sha256 *)0)->state_),
               "hash_sha256 too small for nettle's sha256_ctx");
_Static_assert(alignof(struct sha256_ctx) <= 8, "hash_sha256 under-aligned for sha256_ctx");
_Static_assert(SHA256_DIGEST_SIZE == HASH_SHA256_SIZE, "SHA-256 digest size");

#define CTX(h) ((struct sha256_ctx *)(void *)(h)->state_)

void hash_sha256_init(hash_sha256 *h) { sha256_init(CTX(h)); }

void hash_sha256_update(hash_sha256 *h, const void *p, size_t n) {
  if (n) sha256_update(CTX(h), n, p);
}

void hash_sha256_item(hash_sha256 *h, const void *p, size_t n) {
  unsigned char len[8];
  for (int i = 0; i < 8; i++) len[i] = (unsigned char)((uint64_t)n >> (8 * i));
  hash_sha256_update(h, len, sizeof len);
  hash_sha256_update(h, p, n);
}

void hash_sha256_final(hash_sha256 *h, uint8_t digest[HASH_SHA256_SIZE]) {
  sha256_digest(CTX(h), HASH_SHA256_SIZE, digest); /* also resets the context */
}

void hash_hex(char *out, const uint8_t *digest, size_t n) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[digest[i] >> 4];
    out[2 * i + 1] = digits[digest[i] & 15];
  }
  out[2 * n] = '\0';
}

void hash_sha256_final_hex(hash_sha256 *h, char hex[HASH_SHA256_HEX]) {
  uint8_t d[HASH_SHA256_SIZE];
  hash_sha256_final(h, d);
  hash_hex(hex, d, sizeof d);
}

void hash_sha256_hex(char hex[HASH_SHA256_HEX], const void *p, size_t n) {
  hash_sha256 h;
  hash_sha256_init(&h);
  hash_sha256_update(&h, p, n);
  hash_sha256_final_hex(&h, hex);
}

int hash_sha256_file(char hex[HASH_SHA256_HEX], const char *path) {
  const char *kind;
  FILE *f = file_open_regular(path, &kind, NULL); /* never waits on a FIFO */
  if (!f) return ERR_IO;
  hash_sha256 h;
  hash_sha256_init(&h);
  unsigned char buf[1 << 14];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) hash_sha256_update(&h, buf, n);
  int failed = ferror(f);
  int e = errno;
  fclose(f);
  if (failed) {
    errno = e;
    hex[0] = '\0';
    return ERR_IO;
  }
  hash_sha256_final_hex(&h, hex);
  return 0;
}

void hash_library_version(char *buf, size_t size) {
  /* Run-time version (the shared library loaded), not the header's. */
  snprintf(buf, size, "%d.%d", nettle_version_major(), nettle_version_minor());
}
