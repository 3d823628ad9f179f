/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_NET_H
#define PINBENCH_NET_H

#include "common/strbuf.h"

/*
 * The one module that owns libcurl (after curl's config2setopts: every
 * curl_easy_setopt return is checked). HTTP(S) fetches today; SMTP later.
 */

/* Call once from main before any other net_* (curl_global_init). */
int net_init(void);
void net_cleanup(void);

/*
 * GET url into body (at most limit bytes; 0: 256 MiB), following redirects,
 * with a connect timeout of 15 s and an overall timeout of timeout_s (0: 120).
 * Returns 0 when the server answered (*status holds the HTTP code, even 404),
 * or -1 when it could not be reached (why holds curl's message, e.g.
 * "Couldn't connect to server"). Nothing is printed.
 */
int net_get(const char *url, struct strbuf *body, long *status, struct strbuf *why,
	    size_t limit, unsigned timeout_s);

/*
 * Percent-encode s for use as one URL path segment: RFC 3986 pchar
 * (unreserved, sub-delims, ':' and '@') is kept, everything else, '/', '%',
 * '?', '#', spaces and non-ASCII included, becomes %XX, as public-inbox does.
 */
void net_escape_segment(struct strbuf *out, const char *s);

#endif
