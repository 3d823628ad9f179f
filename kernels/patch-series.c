// SPDX-License-Identifier: GPL-2.0-only
/*
 * Choosing the series to apply from every message of an mbox or thread:
 * replies dropped, newest version, cover letter aside, ordered by k.
 */
#include "kernels/patch-internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/log.h"

enum role { ROLE_DROP, ROLE_COVER, ROLE_PATCH };

static enum role role_of(const struct patch *p)
{
	if (p->is_reply)
		return ROLE_DROP;
	if (!p->index && p->total)
		return ROLE_COVER;
	return p->has_diff ? ROLE_PATCH : ROLE_DROP;
}

/* The file part of an origin: "FILE message N" -> length of "FILE". */
static size_t origin_file_len(const char *o)
{
	size_t len = strlen(o);
	const char *m = NULL;

	for (const char *s = strstr(o, " message "); s; s = strstr(s + 1, " message "))
		m = s;
	if (!m || !m[9] || strspn(m + 9, "0123456789") != strlen(m + 9))
		return len;
	return (size_t)(m - o);
}

/*
 * What errors name: the file when all messages came from one, else their
 * common directory (a patch directory), else a generic phrase.
 */
static void describe_source(const struct patch_list *all, struct strbuf *out)
{
	const char *first;
	size_t common;
	int same = 1;

	if (!all->nr) {
		strbuf_addstr(out, "the input");
		return;
	}
	first = all->v[0].origin;
	common = origin_file_len(first);
	for (size_t i = 1; i < all->nr; i++) {
		const char *o = all->v[i].origin;
		size_t n = 0, len = origin_file_len(o);

		while (n < common && n < len && o[n] == first[n])
			n++;
		if (n != common || len != common)
			same = 0;
		common = n;
	}
	while (!same && common && first[common - 1] != '/')
		common--;
	if (!same && common)
		common--;
	if (common)
		strbuf_add(out, first, common);
	else
		strbuf_addstr(out, "the given patches");
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/* Distinct versions of the patches (else of the cover letters), ascending. */
static size_t list_versions(const struct patch_list *all, enum role role, unsigned *vers)
{
	size_t n = 0;

	for (size_t i = 0; i < all->nr; i++) {
		size_t j;

		if (role_of(&all->v[i]) != role)
			continue;
		for (j = 0; j < n && vers[j] != all->v[i].version; j++)
			;
		if (j == n)
			vers[n++] = all->v[i].version;
	}
	qsort(vers, n, sizeof(*vers), cmp_unsigned);
	return n;
}

static size_t find_msgid(const struct patch_list *all, const char *msgid)
{
	for (size_t i = 0; i < all->nr; i++)
		if (all->v[i].message_id && !strcmp(all->v[i].message_id, msgid))
			return i;
	return NONE;
}

static void add_note(struct strbuf *note, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_note(struct strbuf *note, const char *fmt, ...)
{
	va_list ap;

	if (note->len)
		strbuf_addch(note, '\n');
	va_start(ap, fmt);
	strbuf_vaddf(note, fmt, ap);
	va_end(ap);
}

/*
 * The version to apply: the one holding want_msgid, else the newest. Notes
 * say which when there was a choice or the wanted message is no patch.
 */
static unsigned choose_version(const struct patch_list *all, const char *want,
			       const unsigned *vers, size_t nvers, struct strbuf *note)
{
	unsigned chosen = vers[nvers - 1];
	size_t w = want ? find_msgid(all, want) : NONE;
	struct strbuf list = STRBUF_INIT;

	if (want && w == NONE)
		add_note(note, "<%s> is not among the messages: using v%u", want, chosen);
	else if (want && role_of(&all->v[w]) == ROLE_DROP)
		add_note(note, "<%s> is %s, not a patch: using v%u", want,
			 all->v[w].is_reply ? "a reply" : "a mail without a diff", chosen);
	else if (want)
		chosen = all->v[w].version;
	if (nvers < 2)
		return chosen;
	for (size_t i = 0; i < nvers; i++)
		strbuf_addf(&list, "%sv%u", i ? ", " : "", vers[i]);
	if (want && w != NONE && role_of(&all->v[w]) != ROLE_DROP)
		add_note(note, "%zu versions of the series (%s): using v%u, which holds <%s>",
			 nvers, list.buf, chosen, want);
	else
		add_note(note, "%zu versions of the series (%s): using v%u",
			 nvers, list.buf, chosen);
	strbuf_release(&list);
	return chosen;
}

static int same_patch(const struct patch *a, const struct patch *b)
{
	if (a->total || b->total)
		return a->total && b->total && a->index == b->index;
	return !strcmp(a->subject, b->subject);
}

/* Resends: of two copies of the same patch, the later one is kept. */
static size_t drop_resends(const struct patch_list *all, size_t *grp, size_t n,
			   struct strbuf *note)
{
	size_t kept = 0;

	for (size_t a = 0; a < n; a++) {
		const struct patch *p = &all->v[grp[a]];
		size_t b;

		for (b = a + 1; b < n && !same_patch(p, &all->v[grp[b]]); b++)
			;
		if (b == n) {
			grp[kept++] = grp[a];
			continue;
		}
		if (p->total)
			add_note(note, "patch %u/%u (v%u) was sent more than once: using %s",
				 p->index, p->total, p->version, all->v[grp[b]].origin);
		else
			add_note(note, "'%s' was sent more than once: using %s",
				 p->subject, all->v[grp[b]].origin);
	}
	return kept;
}

/* Say why k/N is not there: never sent, or sent without a diff. */
static int report_missing(const struct patch_list *all, unsigned k, unsigned total,
			  unsigned version, unsigned more, const char *src)
{
	for (size_t i = 0; i < all->nr; i++) {
		const struct patch *p = &all->v[i];

		if (!p->is_reply && p->version == version && p->index == k && p->total)
			return error("patch %u/%u (v%u) in '%s' carries no diff",
				     k, total, version, p->origin);
	}
	if (more)
		return error("incomplete series: missing patch %u/%u (v%u) in '%s', and %u more",
			     k, total, version, src, more);
	return error("incomplete series: missing patch %u/%u (v%u) in '%s'",
		     k, total, version, src);
}

/* Every k of 1..N present, N from the cover letter or the largest [k/N]. */
static int check_complete(const struct patch_list *all, const size_t *grp, size_t n,
			  const struct patch *cover, unsigned version, const char *src)
{
	unsigned total = cover ? cover->total : 0, first_missing = 0, missing = 0;

	for (size_t i = 0; i < n; i++)
		if (all->v[grp[i]].total > total)
			total = all->v[grp[i]].total;
	for (unsigned k = 1; k <= total; k++) {
		size_t i;

		for (i = 0; i < n && all->v[grp[i]].index != k; i++)
			;
		if (i < n)
			continue;
		if (!missing++)
			first_missing = k;
	}
	if (!missing)
		return 0;
	return report_missing(all, first_missing, total, version, missing - 1, src);
}

static const struct patch_list *sort_base;

static int cmp_by_index(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	unsigned kx = sort_base->v[x].index, ky = sort_base->v[y].index;

	if (kx != ky)
		return kx < ky ? -1 : 1;
	return x < y ? -1 : x > y;
}

/*
 * Numbered patches go in k order; unnumbered ones (a quilt-style diff listed
 * in a series file next to a numbered series) keep their place in the input.
 */
static void order_patches(const struct patch_list *all, size_t *grp, size_t n)
{
	size_t *num = xcalloc(n, sizeof(*num));
	size_t nnum = 0, j = 0;

	for (size_t i = 0; i < n; i++)
		if (all->v[grp[i]].total)
			num[nnum++] = grp[i];
	sort_base = all;
	qsort(num, nnum, sizeof(*num), cmp_by_index);
	sort_base = NULL;
	for (size_t i = 0; i < n; i++)
		if (all->v[grp[i]].total)
			grp[i] = num[j++];
	free(num);
}

static int pick(struct patch_list *all, const char *want, struct patch_list *out,
		struct patch *cover, struct strbuf *note, const char *src)
{
	unsigned *vers = xcalloc(all->nr, sizeof(*vers));
	size_t *grp = xcalloc(all->nr, sizeof(*grp));
	size_t nvers, n = 0, cover_i = NONE;
	unsigned chosen;
	int ret = -1;

	nvers = list_versions(all, ROLE_PATCH, vers);
	if (!nvers)
		nvers = list_versions(all, ROLE_COVER, vers);
	if (!nvers) {
		if (all->nr)
			error("no patch in '%s' (%zu messages: replies or mails without a diff)",
			      src, all->nr);
		else
			error("no patch in '%s'", src);
		goto out;
	}
	chosen = choose_version(all, want, vers, nvers, note);
	for (size_t i = 0; i < all->nr; i++) {
		if (all->v[i].version != chosen)
			continue;
		if (role_of(&all->v[i]) == ROLE_PATCH)
			grp[n++] = i;
		else if (role_of(&all->v[i]) == ROLE_COVER)
			cover_i = i;
	}
	n = drop_resends(all, grp, n, note);
	if (check_complete(all, grp, n, cover_i == NONE ? NULL : &all->v[cover_i], chosen, src))
		goto out;
	if (!n) {
		error("no patch of v%u in '%s'", chosen, src);
		goto out;
	}
	order_patches(all, grp, n);
	for (size_t i = 0; i < n; i++)
		patch_list_append(out, &all->v[grp[i]]);
	if (cover && cover_i != NONE) {
		*cover = all->v[cover_i];
		patch_init(&all->v[cover_i]);
	}
	ret = 0;
out:
	free(vers);
	free(grp);
	return ret;
}

int patch_pick_series(struct patch_list *all, const char *want_msgid,
		      struct patch_list *out, struct patch *cover, struct strbuf *note)
{
	struct strbuf src = STRBUF_INIT, scratch = STRBUF_INIT;
	int ret;

	if (cover)
		patch_init(cover);
	describe_source(all, &src);
	ret = pick(all, want_msgid, out, cover, note ? note : &scratch, src.buf);
	/* on error too: all is consumed either way, out is left as it was */
	patch_list_release(all);
	strbuf_release(&src);
	strbuf_release(&scratch);
	return ret;
}
