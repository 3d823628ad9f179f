/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_PATCH_H
#define PINBENCH_PATCH_H

#include <stddef.h>

#include "common/strbuf.h"

/*
 * Patches as kernel developers send them: single .patch files, a directory
 * (a `series` file or name order), an mbox with a whole series (perhaps in
 * several versions), or a lore thread. Mail parsing (mbox split, RFC 2047
 * subjects, addresses) is GMime's; this module decides what a series is.
 */
struct patch {
	char *full_subject;	/* decoded UTF-8, as sent: "[PATCH v2 1/3] fs: ..." */
	char *subject;		/* without the [PATCH ...] tag and "Re:" */
	char *author;		/* "Name <addr>", decoded; "" when unknown */
	char *recipients;	/* the mail's To and Cc, one "Name <addr>" per line; "" when none */
	char *message_id;	/* without <>; "" when none */
	char *in_reply_to;	/* without <>; "" when none */
	char *origin;		/* where it came from: "FILE" or "FILE message N" */
	unsigned version;	/* N of [PATCH vN]; 1 when absent */
	unsigned index;		/* k of [PATCH k/N]; 0 for a cover letter or a lone patch */
	unsigned total;		/* N of [PATCH k/N]; 0 for a lone patch */
	int is_reply;		/* subject starts with Re: (a review, not a patch) */
	int has_diff;		/* the body carries a diff */
	struct strbuf text;	/* the mail as applied (headers + body), LF line ends,
				 * mboxrd ">From " unquoted; or the plain diff */
	char sha[65];		/* sha256 of text, hex */
};

struct patch_list {
	struct patch *v;
	size_t nr, alloc;
};

#define PATCH_LIST_INIT { NULL, 0, 0 }

void patch_list_release(struct patch_list *l);
/* Move p into the list (p is left empty). */
void patch_list_append(struct patch_list *l, struct patch *p);

/*
 * "[PATCH v2 3/5] fs: foo" -> version 2, index 3, total 5, rest "fs: foo".
 * Also "[RFC PATCH]", "[PATCH RESEND v3 01/12]", "[PATCH net-next 2/2]" and
 * a leading "Re: ". Returns 1 when the subject carries a PATCH tag, else 0
 * (then rest is the subject without "Re: ").
 */
int patch_subject_parse(const char *subject, unsigned *version, unsigned *index,
			unsigned *total, const char **rest);

/*
 * Split data (an mbox, a single mail, or a plain diff without mail headers)
 * into messages appended to out, each parsed with GMime. origin names the
 * source in messages. CRLF line ends are turned into LF. Returns 0 or -1
 * (error printed) when nothing usable is in it.
 */
int patch_split(const char *data, size_t len, const char *origin, struct patch_list *out);

/*
 * From every message of an mbox or thread, the series to apply, in order:
 * replies and mails without a diff are dropped, the newest version is taken
 * when several were posted (note says so), the cover letter [PATCH 0/N] is
 * skipped (returned in cover when present, else cover->message_id is NULL),
 * patches are ordered by k, and a series missing a part is an error naming
 * the missing k. want_msgid, when not NULL, picks the version whose cover
 * letter or patches carry that Message-ID. Messages are moved out of all.
 */
int patch_pick_series(struct patch_list *all, const char *want_msgid,
		      struct patch_list *out, struct patch *cover, struct strbuf *note);

void patch_release(struct patch *p);

/*
 * Load what a `patches` entry names and append the patches, in order, to
 * out: FILE (one patch or an mbox), DIR (its `series` file, else *.patch,
 * *.diff and *.mbox in name order) or lore:MSGID (see lore.h; lore_url is the
 * archive's base URL, cache_dir keeps fetched threads). Notes such as "took
 * v3 of 3 versions" are printed with info(). Returns 0, or -1 with an error
 * printed; *infra is set to 1 when the failure was the network, not the input.
 */
struct patch_source_opts {
	const char *lore_url;
	const char *cache_dir;
};

int patch_load(const char *spec, const struct patch_source_opts *opts,
	       struct patch_list *out, struct patch *cover, int *infra);

#endif
