/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_NET_H
#define PINBENCH_NET_H

#include <stddef.h>

#include "common/strbuf.h"
#include "common/strvec.h"

/*
 * The one module that owns libcurl (after curl's config2setopts: every
 * curl_easy_setopt return is checked): HTTP(S) fetches and SMTP.
 */

/* Call once from main before any other net_* (curl_global_init). */
int net_init(void);
void net_cleanup(void);

/*
 * GET url into body (at most limit bytes; 0: 256 MiB), following redirects
 * (at most 5; from https:// only to https://, from http:// to either, to
 * no other protocol), with a connect timeout of 15 s and an overall timeout
 * of timeout_s (0: 120). CURL_CA_BUNDLE, as for curl(1), names the CA
 * certificates to check the server's with instead of the system's.
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

enum smtp_tls {
	SMTP_TLS_NONE = 0,	/* plain SMTP (smtps:// is TLS all the same) */
	SMTP_TLS_TRY = 1,	/* STARTTLS when the server offers it (CURLUSESSL_TRY) */
	SMTP_TLS_REQUIRED = 2,	/* STARTTLS or fail (CURLUSESSL_ALL) */
};

struct smtp_opts {
	const char *url;	/* smtp://host:port or smtps://host:port */
	const char *user;	/* NULL: no AUTH */
	const char *password;	/* never from the command line; the caller reads a file/env */
	int starttls;		/* enum smtp_tls */
	long timeout_s;		/* the whole transaction; 0: 120 (connecting: 15 at most) */
};

/*
 * Send `message` (a composed mail, CRLF line ends; libcurl dot-stuffs it)
 * from `from` (bare addr) to every `rcpts` (bare addrs), with certificate
 * checks on for TLS. On success 0 and the server's final reply line (e.g.
 * "250 2.0.0 Ok: queued as 1234") in *reply. On failure -1 and a one-line
 * reason in *why: the URL (without credentials), the server's last error
 * reply and curl's error text, e.g. "smtp://127.0.0.1:2525: 550 5.1.1 <x@y>:
 * Recipient address rejected (RCPT failed: 550)", or "cannot connect to
 * smtp://...: ...". A recipient that is refused fails the whole send: nobody
 * gets a mail that not everybody got.
 *
 * Refused before connecting: an address without '@' or with '<', '>', a
 * space, a control character (it would end the SMTP command) or non-ASCII
 * (no SMTPUTF8), a URL that is not smtp(s):// or that holds credentials
 * (URLs end up in messages), no recipients, and a password
 * that would travel in clear: AUTH needs smtps:// or SMTP_TLS_REQUIRED
 * unless the host is a loopback address (127.0.0.0/8, ::1, localhost).
 * Nothing is printed.
 */
int net_smtp_send(const struct smtp_opts *o, const char *from, const struct strvec *rcpts,
		  const char *message, size_t len, struct strbuf *reply, struct strbuf *why);

#endif
