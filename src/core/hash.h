/* hash.h - SHA-256 (FIPS 180-4) for provenance: which bytes a study was made from.
 *
 * A thin wrapper around nettle's sha256 (Debian nettle-dev), so the layers above core
 * neither include nettle nor link it.  Digests are shown as 64 lower-case hex digits.
 * This is for provenance only; the ids of random streams (crisis.c, metric.c) keep
 * their FNV-1a, which is part of every stored value.
 *
 * Ownership: a hash_sha256 is caller-owned (stack or embedded) and holds no
 * resources, so there is nothing to release; it may be copied to fork a digest. */
#ifndef STRAITS_HASH_H
#define STRAITS_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_SHA256_SIZE 32 /* bytes of a digest */
#define HASH_SHA256_HEX 65  /* 64 hex digits and the NUL */

/* nettle's struct sha256_ctx, opaque here (hash.c checks that it fits). */
typedef struct hash_sha256 {
  _Alignas(8) unsigned char state_[128];
} hash_sha256;

void hash_sha256_init(hash_sha256 *h);
void hash_sha256_update(hash_sha256 *h, const void *p, size_t n);
/* One item of a list: its length as 8 little-endian bytes, then its bytes, so that
 * no two lists of items give the same stream ("ab","c" and "a","bc" differ). */
void hash_sha256_item(hash_sha256 *h, const void *p, size_t n);
/* The digest of everything given since init; h starts over (as after init). */
void hash_sha256_final(hash_sha256 *h, uint8_t digest[HASH_SHA256_SIZE]);
void hash_sha256_final_hex(hash_sha256 *h, char hex[HASH_SHA256_HEX]);

/* One shot: the digest of n bytes at p, as hex. */
void hash_sha256_hex(char hex[HASH_SHA256_HEX], const void *p, size_t n);

/* The digest of a file's bytes, read in blocks (no cap on the size: a field file of
 * gigabytes is streamed).  0, or ERR_IO (cannot open or read; errno is kept). */
int hash_sha256_file(char hex[HASH_SHA256_HEX], const char *path);

/* Digest bytes to hex (out holds 2 n + 1). */
void hash_hex(char *out, const uint8_t *digest, size_t n);

/* The nettle library this binary runs with, "3.8" (its run-time version), into buf. */
void hash_library_version(char *buf, size_t size);

#endif
