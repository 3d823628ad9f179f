// SPDX-License-Identifier: GPL-2.0-only
#include "common/hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

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

struct sha256 {
	GChecksum *sum;
};

struct sha256 *sha256_begin(void)
{
	struct sha256 *h = malloc(sizeof(*h));

	if (!h)
		abort();
	h->sum = g_checksum_new(G_CHECKSUM_SHA256);
	return h;
}

void sha256_add(struct sha256 *h, const void *data, size_t len)
{
	/* g_checksum_update takes a gssize */
	while (len) {
		size_t chunk = len > (1u << 30) ? (1u << 30) : len;

		g_checksum_update(h->sum, data, (gssize)chunk);
		data = (const char *)data + chunk;
		len -= chunk;
	}
}

void sha256_addstr(struct sha256 *h, const char *s)
{
	sha256_add(h, s, strlen(s) + 1);
}

void sha256_finish(struct sha256 *h, char out[65])
{
	snprintf(out, 65, "%s", g_checksum_get_string(h->sum));
	g_checksum_free(h->sum);
	free(h);
}

void sha256_hex(const void *data, size_t len, char out[65])
{
	struct sha256 *h = sha256_begin();

	sha256_add(h, data, len);
	sha256_finish(h, out);
}
