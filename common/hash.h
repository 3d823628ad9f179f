/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_HASH_H
#define PINBENCH_HASH_H

#include <stddef.h>
#include <stdint.h>

/*
 * A stable, non-cryptographic identity for canonical texts (job parameters,
 * machine fingerprints): the same text gives the same 16 hex digits on every
 * machine and version. Not for anything an attacker chooses to collide.
 */
uint64_t fnv1a64(const void *data, size_t len);
/* 16 lower-case hex digits plus NUL into out[17]. */
void hash_hex(const char *text, char out[17]);

/*
 * SHA-256 (GLib's GChecksum), for content addresses: the kernel artifact
 * cache key, patch identities, fetched threads. Feed with sha256_add*, then
 * sha256_finish writes 64 hex digits plus NUL and frees the state.
 */
struct sha256;
struct sha256 *sha256_begin(void);
void sha256_add(struct sha256 *h, const void *data, size_t len);
/* Adds the string and its terminating NUL, so "ab","c" and "a","bc" differ. */
void sha256_addstr(struct sha256 *h, const char *s);
void sha256_finish(struct sha256 *h, char out[65]);
void sha256_hex(const void *data, size_t len, char out[65]);

#endif
