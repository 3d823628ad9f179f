/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_GZIP_H
#define PINBENCH_GZIP_H

#include <stddef.h>

#include "common/strbuf.h"

/*
 * gzip with zlib (the one module that owns it). gunzip_buf appends the
 * decompressed data to out; concatenated gzip members are all read.
 * Returns 0, or -1 with why filled (not gzip, truncated, corrupt, larger
 * than limit; limit 0 means 1 GiB).
 */
int gunzip_buf(const void *data, size_t len, struct strbuf *out, size_t limit,
	       struct strbuf *why);

/* Is this the start of a gzip stream (magic 1f 8b)? */
int is_gzip(const void *data, size_t len);

#endif
