// SPDX-License-Identifier: GPL-2.0-only
#include "common/gzip.h"

#include <limits.h>
#include <stdint.h>
#include <zlib.h>

#define GUNZIP_DEFAULT_LIMIT	((size_t)1 << 30)

int is_gzip(const void *data, size_t len)
{
	const unsigned char *p = data;

	return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

static int fail(struct strbuf *why, const char *what, const z_stream *zs)
{
	strbuf_addstr(why, what);
	if (zs && zs->msg)
		strbuf_addf(why, " (%s)", zs->msg);
	return -1;
}

/* Zero padding after the last member (tape blocks, dd): gzip(1) accepts it. */
static int all_zero(const unsigned char *p, size_t len)
{
	while (len--)
		if (*p++)
			return 0;
	return 1;
}

/*
 * Inflate one gzip member starting at zs->next_in, appending to out, which
 * may not grow past max bytes (limit is what the caller asked for). Returns
 * 0 at its end, or -1 with why filled.
 */
static int inflate_member(z_stream *zs, struct strbuf *out, size_t max,
			  size_t limit, struct strbuf *why)
{
	unsigned char chunk[65536];

	for (;;) {
		size_t got;
		int rc;

		zs->next_out = chunk;
		zs->avail_out = sizeof(chunk);
		rc = inflate(zs, Z_NO_FLUSH);
		got = sizeof(chunk) - zs->avail_out;
		if (got > max - out->len) {
			strbuf_addf(why, "gzip data larger than %zu bytes once decompressed", limit);
			return -1;
		}
		strbuf_add(out, chunk, got);
		switch (rc) {
		case Z_STREAM_END:
			return 0;
		case Z_OK:
			continue;
		case Z_BUF_ERROR:
			/* no progress possible: the input ran out mid-member */
			if (!zs->avail_in)
				return fail(why, "truncated gzip data", NULL);
			return fail(why, "corrupt gzip data", zs);
		case Z_MEM_ERROR:
			return fail(why, "out of memory decompressing gzip data", NULL);
		default:
			return fail(why, "corrupt gzip data", zs);
		}
	}
}

int gunzip_buf(const void *data, size_t len, struct strbuf *out, size_t limit,
	       struct strbuf *why)
{
	z_stream zs = { 0 };
	size_t orig = out->len, max;
	int ret = -1;

	if (!limit)
		limit = GUNZIP_DEFAULT_LIMIT;
	/* limit counts what this call adds, whatever out held before */
	max = limit > SIZE_MAX - orig ? SIZE_MAX : orig + limit;
	if (!is_gzip(data, len))
		return fail(why, "not gzip data (no 1f 8b magic)", NULL);
	if (len > UINT_MAX)
		return fail(why, "gzip data too large to decompress in one piece", NULL);
	/* 16 + MAX_WBITS: a gzip wrapper only, zlib or raw deflate is an error */
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return fail(why, "cannot initialise zlib", &zs);
	zs.next_in = (unsigned char *)data;
	zs.avail_in = (uInt)len;
	for (;;) {
		if (inflate_member(&zs, out, max, limit, why))
			goto out;
		/* gzip -c a >x; gzip -c b >>x is a valid file holding both */
		if (!zs.avail_in)
			break;
		if (all_zero(zs.next_in, zs.avail_in))
			break;
		if (!is_gzip(zs.next_in, zs.avail_in)) {
			fail(why, "trailing garbage after gzip data", NULL);
			goto out;
		}
		if (inflateReset(&zs) != Z_OK) {
			fail(why, "cannot reset zlib", &zs);
			goto out;
		}
	}
	ret = 0;
out:
	inflateEnd(&zs);
	if (ret)
		strbuf_setlen(out, orig);
	return ret;
}
