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

#endif
