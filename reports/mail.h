/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_MAIL_H
#define PINBENCH_MAIL_H

#include <time.h>

#include "common/strbuf.h"
#include "common/strvec.h"

/*
 * Result mails: a reply in the patch's mailing-list thread, as the kernel
 * test robot sends them. This module only composes the RFC 5322 message;
 * common/net.c sends it (net_smtp_send), so libcurl stays in one place.
 *
 * Anything taken from the patch mail (its subject, its Message-IDs) is
 * untrusted: it can never end a header line or start a header of its own.
 *
 * Addresses are "Name <a@b>" or "a@b". The name is plain UTF-8 (not
 * RFC 2047 encoded already), a "quoted string" is unquoted first; the
 * addr-spec is ASCII (no SMTPUTF8), a dot-atom local part, '@', and a domain
 * of letters, digits, '-' and '.' or a [literal]; CR, LF and other control
 * characters anywhere make an address invalid.
 */

struct mail_input {
	const char *from;		/* "pinbench <pinbench@lab.example>" (config) */
	const struct strvec *to;	/* addresses, "Name <a@b>" or "a@b"; at least one */
	const struct strvec *cc;	/* may be NULL */
	const char *patch_subject;	/* UNTRUSTED, from the patch mail; may be NULL/empty */
	const char *verdict;		/* e.g. "fio.read.iops -6.5% regression" or "no regression" */
	const char *in_reply_to;	/* the patch's Message-ID, without <>, UNTRUSTED; may be NULL */
	const struct strvec *references;/* cover letter's then patch's Message-IDs, without <>;
					 * may be NULL; in_reply_to is appended when missing */
	const char *body;		/* UTF-8 text report, lines <= 100 columns; may be NULL */
	const char *domain;		/* right-hand side of our own Message-ID, e.g.
					 * "pinbench.local"; NULL: the From address's domain */
	time_t date;			/* the Date header, written in UTC */
};

/*
 * Compose the whole message (CRLF line endings, ready for SMTP) and append it
 * to out, and our Message-ID (without <>) into *message_id (malloc'd; NULL on
 * failure). Returns -1 with a one-line error() on invalid input: an address
 * with CR/LF or without '@', no To recipient, no From, a bad domain; out is
 * then left as it was. A Message-ID from the patch mail that is not usable
 * (CR, LF, space, '<', '>', control or non-ASCII characters, empty, longer
 * than 250) is left out with a warning(): the mail still goes, unthreaded.
 *
 * Every header line is at most 76 characters (RFC 2047's limit for lines
 * with encoded-words, inside RFC 5322's 78), folded at spaces and after the
 * commas of address lists, except where a single Message-ID or addr-spec is
 * longer than a line can hold: it is never split. The body is
 * quoted-printable, so it decodes back to `body` exactly ("\n" or "\r\n"
 * line ends become CRLF; a body without a final newline ends in a soft
 * line break).
 */
int mail_compose(const struct mail_input *in, struct strbuf *out, char **message_id);

/*
 * Append the bare addr-spec of "Name <a@b>" or "a@b" to out (for SMTP
 * envelopes); -1 if the address is invalid (out untouched, nothing printed).
 */
int mail_address(const char *addr, struct strbuf *out);

/*
 * The SMTP envelope of a mail: the bare From address into from, and the bare
 * addresses of To and Cc, each once (compared case-insensitively), pushed to
 * rcpts. -1 with an error() if an address is invalid (from and rcpts are
 * then as they were).
 */
int mail_envelope(const struct mail_input *in, struct strbuf *from, struct strvec *rcpts);

/*
 * Append the Subject the mail gets: "[pinbench] <patch subject>: <verdict>"
 * with CR, LF and every control character (C0, DEL, C1) removed from the
 * patch subject, tabs and spaces collapsed into single spaces, the ends
 * trimmed, invalid UTF-8 replaced by U+FFFD, and the "[PATCH ...]" prefix
 * kept as is; "[pinbench] <verdict>" without a patch subject. The verdict is
 * cleaned the same way.
 */
void mail_subject(const char *patch_subject, const char *verdict, struct strbuf *out);

#endif
