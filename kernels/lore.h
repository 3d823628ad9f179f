/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_LORE_H
#define PINBENCH_LORE_H

#include "common/strbuf.h"

/*
 * Threads from a public-inbox archive such as lore.kernel.org: the thread of
 * MSGID is BASE/<msgid, percent-encoded>/t.mbox.gz (BASE ends with '/', by
 * default https://lore.kernel.org/all/). Each fetched thread is kept
 * (decompressed) in CACHE_DIR/lore/<sha256 of msgid>.mbox so that a re-run
 * works offline: when the server cannot be reached and a cached copy exists,
 * it is used with a warning.
 */
#define LORE_DEFAULT_URL "https://lore.kernel.org/all/"

/*
 * Accept "<id@host>" or "id@host" (also a lore URL .../ID/ pasted whole);
 * reject empty ids and ids with whitespace, control characters, '/' or '<>'
 * inside. Fills id without the angle brackets. Returns 0 or -1 with why.
 */
int lore_parse_msgid(const char *spec, struct strbuf *id, struct strbuf *why);

/*
 * Fetch the thread of msgid into mbox. Returns 0; or -1 with an error printed
 * that names the URL and says what happened ("404 Not Found: no such message
 * on the server", "cannot connect: ..."); *infra is 1 when the network (not
 * the id) was the problem.
 */
int lore_fetch(const char *msgid, const char *base_url, const char *cache_dir,
	       struct strbuf *mbox, int *infra);

#endif
