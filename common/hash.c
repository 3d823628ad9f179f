// SPDX-License-Identifier: GPL-2.0-only
#include "common/hash.h"

#include <stdio.h>
#include <string.h>

uint64_t fnv1a64(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ull;

	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

void hash_hex(const char *text, char out[17])
{
	snprintf(out, 17, "%016llx", (unsigned long long)fnv1a64(text, strlen(text)));
}
