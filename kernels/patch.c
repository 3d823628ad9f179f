// SPDX-License-Identifier: GPL-2.0-only
/*
 * Patches and series. GMime splits an mbox and decodes what people read
 * (subjects, authors, message ids); what gets applied is the raw text of each
 * message, never a re-serialisation, so that `git am` sees what was sent.
 */
#include "kernels/patch.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "common/hash.h"
#include "common/log.h"
#include "kernels/lore.h"

#define PATCH_FILE_LIMIT ((size_t)64 << 20)
#define NONE SIZE_MAX

static void patch_init(struct patch *p)
{
	memset(p, 0, sizeof(*p));
	strbuf_init(&p->text, 0);
}

void patch_release(struct patch *p)
{
	free(p->full_subject);
	free(p->subject);
	free(p->author);
	free(p->message_id);
	free(p->in_reply_to);
	free(p->origin);
	strbuf_release(&p->text);
	patch_init(p);
}

void patch_list_append(struct patch_list *l, struct patch *p)
{
	if (l->nr == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 8;
		l->v = xrealloc(l->v, l->alloc * sizeof(*l->v));
	}
	l->v[l->nr++] = *p;
	patch_init(p);
}

void patch_list_release(struct patch_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		patch_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->nr = l->alloc = 0;
}

static char *xmemdup(const char *s, size_t len)
{
	char *d = xmalloc(len + 1);

	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

static const char *skip_space(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* After any number of "Re:" (also "RE:", "Re :"), as mail clients stack them. */
static const char *skip_re(const char *s)
{
	for (;;) {
		const char *t = skip_space(s);

		if (strncasecmp(t, "re", 2))
			return t;
		t += 2;
		while (*t == ' ')
			t++;
		if (*t != ':')
			return skip_space(s);
		s = t + 1;
	}
}

/* "12" of exactly [p, end) */
static int parse_uint(const char *p, const char *end, unsigned *out)
{
	unsigned long v = 0;

	if (p == end)
		return -1;
	for (; p < end; p++) {
		if (!isdigit((unsigned char)*p) || v > 100000)
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
	}
	*out = (unsigned)v;
	return 0;
}

/* "v2", "V2" */
static int parse_version(const char *p, const char *end, unsigned *v)
{
	unsigned n;

	if (p == end || (*p != 'v' && *p != 'V'))
		return -1;
	if (parse_uint(p + 1, end, &n) || !n)
		return -1;
	*v = n;
	return 0;
}

/*
 * Does a token of a bracket group name a patch: "PATCH", "patch",
 * "RFC-PATCH", "PATCHv2" (then *v is set), but not "patchwork".
 */
static int is_patch_word(const char *p, const char *end, unsigned *v)
{
	for (const char *s = p; end - s >= 5; s++) {
		const char *after = s + 5;

		if (strncasecmp(s, "patch", 5))
			continue;
		if (s > p && isalpha((unsigned char)s[-1]))
			continue;
		if (after == end || !isalpha((unsigned char)*after))
			return 1;
		if (!parse_version(after, end, v))
			return 1;
	}
	return 0;
}

/* The words of one "[...]" group: version, k/N and whether it says PATCH. */
static int parse_tag(const char *p, const char *end, unsigned *version,
		     unsigned *index, unsigned *total)
{
	int found = 0;

	while (p < end) {
		const char *tok, *slash;
		unsigned k, n;

		while (p < end && (isspace((unsigned char)*p) || *p == ','))
			p++;
		tok = p;
		while (p < end && !isspace((unsigned char)*p) && *p != ',')
			p++;
		if (tok == p)
			break;
		slash = memchr(tok, '/', (size_t)(p - tok));
		if (slash && !parse_uint(tok, slash, &k) && !parse_uint(slash + 1, p, &n) && n) {
			*index = k;
			*total = n;
		} else if (!parse_version(tok, p, version)) {
			;
		} else if (is_patch_word(tok, p, version)) {
			found = 1;
		}
	}
	return found;
}

int patch_subject_parse(const char *subject, unsigned *version, unsigned *index,
			unsigned *total, const char **rest)
{
	const char *s = skip_re(subject);
	const char *after_tags = s;
	int found = 0;

	*version = 1;
	*index = *total = 0;
	/*
	 * Lists prepend their own tags ("[Intel-gfx] [PATCH v2 1/3]"); like
	 * git mailinfo, drop every leading group but read only the PATCH one.
	 */
	while (*after_tags == '[') {
		const char *close = strchr(after_tags, ']');
		unsigned v = 1, k = 0, n = 0;

		if (!close)
			break;
		if (!found && parse_tag(after_tags + 1, close, &v, &k, &n)) {
			found = 1;
			*version = v;
			*index = k;
			*total = n;
		}
		after_tags = skip_space(close + 1);
	}
	*rest = found ? after_tags : s;
	return found;
}

static const char *next_line(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl + 1 : end;
}

static int line_starts(const char *p, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(end - p) >= n && !memcmp(p, prefix, n);
}

static int text_has_diff(const char *p, size_t len)
{
	const char *end = p + len;

	for (; p < end; p = next_line(p, end)) {
		const char *plus;

		if (line_starts(p, end, "diff --git "))
			return 1;
		if (!line_starts(p, end, "--- "))
			continue;
		plus = next_line(p, end);
		if (line_starts(plus, end, "+++ ") && line_starts(next_line(plus, end), end, "@@ "))
			return 1;
	}
	return 0;
}

static void ensure_newline(struct strbuf *sb)
{
	if (sb->len && sb->buf[sb->len - 1] != '\n')
		strbuf_addch(sb, '\n');
}

/* "Name: value", where a field name is printable ASCII but ':' (RFC 5322 2.2) */
static int is_header_line(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && *q > ' ' && *q < 127 && *q != ':')
		q++;
	return q > p && q < end && *q == ':';
}

/*
 * A mail without the mbox "From " line: a header block up to the first
 * empty line. "Index: foo" followed by "=====" is a diff, not a mail.
 */
static int looks_like_mail(const char *p, size_t len)
{
	const char *end = p + len;

	if (!is_header_line(p, end))
		return 0;
	for (p = next_line(p, end); p < end; p = next_line(p, end)) {
		if (*p == '\n' || line_starts(p, end, "\r\n"))
			return 1;
		if (*p == ' ' || *p == '\t')
			continue;
		if (!is_header_line(p, end))
			return 0;
	}
	return 1;
}

/*
 * Like git mailsplit's is_from_line(): a real separator carries a date
 * ("From sha Mon Sep 17 00:00:00 2001"), so a commit message line "From the
 * start, ..." that git format-patch left unquoted does not start a message.
 */
static int is_mbox_separator(const char *p, const char *end)
{
	const char *eol = next_line(p, end);
	const char *colon = NULL;

	if (!line_starts(p, end, "From "))
		return 0;
	for (const char *q = p + 5; q < eol; q++)
		if (*q == ':')
			colon = q;
	if (!colon || colon - p < 9 || eol - colon < 3)
		return 0;
	return isdigit((unsigned char)colon[-2]) && isdigit((unsigned char)colon[-1]) &&
	       isdigit((unsigned char)colon[1]) && isdigit((unsigned char)colon[2]);
}

/* The kept text of an mbox message: separator dropped, mboxrd ">From " unquoted. */
static void add_mbox_text(struct strbuf *sb, const char *p, const char *end)
{
	for (p = next_line(p, end); p < end;) {
		const char *eol = next_line(p, end);
		const char *q = p;

		while (q < eol && *q == '>')
			q++;
		if (q > p && line_starts(q, eol, "From "))
			p++;
		strbuf_add(sb, p, (size_t)(eol - p));
		p = eol;
	}
	ensure_newline(sb);
}

static void add_lf_only(struct strbuf *sb, const char *data, size_t len)
{
	strbuf_grow(sb, len);
	for (size_t i = 0; i < len; i++)
		if (data[i] != '\r' || i + 1 == len || data[i + 1] != '\n')
			sb->buf[sb->len++] = data[i];
	sb->buf[sb->len] = '\0';
}

static void mime_init(void)
{
	static int done;

	if (!done) {
		g_mime_init();
		done = 1;
	}
}

static char *dup_or_empty(const char *s)
{
	return xstrdup(s ? s : "");
}

/* "<id@host> (comment)" -> "id@host" */
static char *msgid_strip(const char *v)
{
	const char *lt, *gt;

	if (!v)
		return xstrdup("");
	lt = strchr(v, '<');
	gt = lt ? strchr(lt + 1, '>') : NULL;
	if (gt)
		return xmemdup(lt + 1, (size_t)(gt - lt - 1));
	v = skip_space(v);
	gt = v + strlen(v);
	while (gt > v && isspace((unsigned char)gt[-1]))
		gt--;
	return xmemdup(v, (size_t)(gt - v));
}

static void find_diff_part(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	int *found = data;
	char *text;

	(void)parent;
	if (*found || !GMIME_IS_TEXT_PART(part))
		return;
	text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
	if (text && text_has_diff(text, strlen(text)))
		*found = 1;
	g_free(text);
}

/*
 * The raw text is what is applied, but a diff may hide in a base64 or
 * quoted-printable body or an attachment (git am decodes those): ask GMime.
 */
static int message_has_diff(GMimeMessage *msg, const struct strbuf *raw)
{
	int found = text_has_diff(raw->buf, raw->len);

	if (!found)
		g_mime_message_foreach(msg, find_diff_part, &found);
	return found;
}

static void set_subject_fields(struct patch *p)
{
	const char *rest;

	p->is_reply = skip_re(p->full_subject) != skip_space(p->full_subject);
	patch_subject_parse(p->full_subject, &p->version, &p->index, &p->total, &rest);
	p->subject = xstrdup(rest);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static void fill_from_message(struct patch *p, GMimeMessage *msg, const char *origin)
{
	InternetAddressList *from = g_mime_message_get_from(msg);
	char *author = from ? internet_address_list_to_string(from, NULL, FALSE) : NULL;
	const char *subject = g_mime_message_get_subject(msg);

	/* a quilt-style mail may have no Subject: show where it came from */
	p->full_subject = xstrdup(subject && *subject ? subject : base_name(origin));
	p->author = dup_or_empty(author);
	g_free(author);
	p->message_id = dup_or_empty(g_mime_message_get_message_id(msg));
	p->in_reply_to = msgid_strip(g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To"));
	p->origin = xstrdup(origin);
	set_subject_fields(p);
	p->has_diff = message_has_diff(msg, &p->text);
}

struct mbox_msg {
	GMimeMessage *msg;
	size_t start;	/* offset of its "From " line */
};

struct mbox_parse {
	const struct strbuf *lf;
	GMimeStream *stream;
	GMimeParser *parser;
	const char *origin;
	struct mbox_msg *m;
	size_t nr, alloc;
};

static size_t next_separator(const struct strbuf *lf, size_t from)
{
	const char *end = lf->buf + lf->len;

	for (const char *p = next_line(lf->buf + from, end); p < end; p = next_line(p, end))
		if (is_mbox_separator(p, end))
			return (size_t)(p - lf->buf);
	return NONE;
}

/*
 * GMime took a "From " line of a body for a separator and found no mail
 * after it; it cannot go on from there, so start over at the next real
 * separator (the text in between belongs to the message before). Returns 1
 * when parsing goes on, 0 at the end of the mbox, -1 on a real error.
 */
static int resync(struct mbox_parse *mp, gint64 marker)
{
	size_t next;

	if (marker < 0 || !mp->nr || (size_t)marker <= mp->m[mp->nr - 1].start ||
	    (size_t)marker >= mp->lf->len ||
	    is_mbox_separator(mp->lf->buf + marker, mp->lf->buf + mp->lf->len))
		return error("'%s': cannot parse message %zu", mp->origin, mp->nr + 1);
	next = next_separator(mp->lf, (size_t)marker);
	if (next == NONE)
		return 0;
	g_mime_stream_seek(mp->stream, (gint64)next, GMIME_STREAM_SEEK_SET);
	g_mime_parser_init_with_stream(mp->parser, mp->stream);
	return 1;
}

/* Each message with the offset of its "From " line, as GMime found them. */
static int parse_messages(struct mbox_parse *mp)
{
	while (!g_mime_parser_eos(mp->parser)) {
		GMimeMessage *msg = g_mime_parser_construct_message(mp->parser, NULL);
		gint64 start = g_mime_parser_get_mbox_marker_offset(mp->parser);
		int ret;

		if (!msg && !mp->nr)
			return error("'%s' is not an mbox GMime can parse", mp->origin);
		if (!msg) {
			ret = resync(mp, start);
			if (ret <= 0)
				return ret;
			continue;
		}
		if (mp->nr == mp->alloc) {
			mp->alloc = mp->alloc ? 2 * mp->alloc : 16;
			mp->m = xrealloc(mp->m, mp->alloc * sizeof(*mp->m));
		}
		mp->m[mp->nr].msg = msg;
		mp->m[mp->nr++].start = start < 0 ? 0 : (size_t)start;
	}
	return 0;
}

static void unref_messages(struct mbox_msg *m, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		g_object_unref(m[i].msg);
	free(m);
}

/*
 * Messages whose "From " line is no real separator belong to the message
 * before them (see is_mbox_separator()); returns how many real ones remain,
 * compacted to the front of m.
 */
static size_t merge_false_splits(struct mbox_msg *m, size_t nr, const struct strbuf *lf)
{
	size_t kept = 0;

	for (size_t i = 0; i < nr; i++) {
		if (i && m[i].start < lf->len &&
		    !is_mbox_separator(lf->buf + m[i].start, lf->buf + lf->len)) {
			g_object_unref(m[i].msg);
			continue;
		}
		m[kept++] = m[i];
	}
	return kept;
}

static void add_mbox_messages(const struct strbuf *lf, const char *origin,
			      struct mbox_msg *m, size_t nr, struct patch_list *out)
{
	struct strbuf where = STRBUF_INIT;

	for (size_t i = 0; i < nr; i++) {
		size_t end = i + 1 < nr ? m[i + 1].start : lf->len;
		struct patch p;

		patch_init(&p);
		add_mbox_text(&p.text, lf->buf + m[i].start, lf->buf + end);
		strbuf_reset(&where);
		if (nr > 1)
			strbuf_addf(&where, "%s message %zu", origin, i + 1);
		else
			strbuf_addstr(&where, origin);
		fill_from_message(&p, m[i].msg, where.buf);
		patch_list_append(out, &p);
	}
	strbuf_release(&where);
}

static int split_mbox(const struct strbuf *lf, const char *origin, struct patch_list *out)
{
	struct mbox_parse mp = { .lf = lf, .origin = origin };
	int ret;

	mp.stream = g_mime_stream_mem_new_with_buffer(lf->buf, lf->len);
	mp.parser = g_mime_parser_new_with_stream(mp.stream);
	g_mime_parser_set_format(mp.parser, GMIME_FORMAT_MBOX);
	ret = parse_messages(&mp);
	g_object_unref(mp.parser);
	g_object_unref(mp.stream);
	if (!ret) {
		mp.nr = merge_false_splits(mp.m, mp.nr, lf);
		add_mbox_messages(lf, origin, mp.m, mp.nr, out);
	}
	unref_messages(mp.m, mp.nr);
	return ret;
}

static int split_single_mail(const struct strbuf *lf, const char *origin, struct patch_list *out)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(lf->buf, lf->len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg;
	struct patch p;

	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	if (!msg)
		return error("'%s' is not a mail GMime can parse", origin);
	patch_init(&p);
	strbuf_add(&p.text, lf->buf, lf->len);
	ensure_newline(&p.text);
	fill_from_message(&p, msg, origin);
	g_object_unref(msg);
	patch_list_append(out, &p);
	return 0;
}

/*
 * CR is left alone in a plain diff: there it may be the content of the
 * patched file (git apply keeps it too), while in a mail it is transport.
 */
static int add_plain_diff(const char *data, size_t len, const char *origin,
			  struct patch_list *out)
{
	struct patch p;

	if (!text_has_diff(data, len))
		return error("'%s' is neither a mail nor a diff", origin);
	patch_init(&p);
	p.full_subject = xstrdup(base_name(origin));
	p.subject = xstrdup(p.full_subject);
	p.author = xstrdup("");
	p.message_id = xstrdup("");
	p.in_reply_to = xstrdup("");
	p.origin = xstrdup(origin);
	p.version = 1;
	p.has_diff = 1;
	strbuf_add(&p.text, data, len);
	ensure_newline(&p.text);
	patch_list_append(out, &p);
	return 0;
}

static int is_blank(const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isspace((unsigned char)data[i]))
			return 0;
	return 1;
}

int patch_split(const char *data, size_t len, const char *origin, struct patch_list *out)
{
	struct strbuf lf = STRBUF_INIT;
	int is_mbox = line_starts(data, data + len, "From ");
	int ret;

	if (is_blank(data, len))
		return error("'%s' is empty", origin);
	if (!is_mbox && !looks_like_mail(data, len))
		return add_plain_diff(data, len, origin, out);
	mime_init();
	add_lf_only(&lf, data, len);
	if (is_mbox)
		ret = split_mbox(&lf, origin, out);
	else
		ret = split_single_mail(&lf, origin, out);
	strbuf_release(&lf);
	return ret;
}

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

static int read_patch_file(const char *path, struct strbuf *sb)
{
	return strbuf_read_file(sb, path, PATCH_FILE_LIMIT);
}

static const char *read_error(void)
{
	return errno == EFBIG ? "larger than 64 MiB" : errstr();
}

static int load_file(const char *path, struct patch_list *all)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	if (read_patch_file(path, &sb) < 0)
		ret = error("cannot read '%s': %s", path, read_error());
	else
		ret = patch_split(sb.buf, sb.len, path, all);
	strbuf_release(&sb);
	return ret;
}

static void join_path(struct strbuf *sb, const char *dir, const char *name)
{
	strbuf_addstr(sb, dir);
	if (sb->len && sb->buf[sb->len - 1] != '/')
		strbuf_addch(sb, '/');
	strbuf_addstr(sb, name);
}

/* Quilt's "name [-p1] [# comment]"; only -p1, what git am and patch -p1 do. */
static int series_entry(char *line, const char *series, unsigned lineno, char **name)
{
	char *s = trim(line), *opt;

	*name = NULL;
	if (!*s || *s == '#')
		return 0;
	opt = s + strcspn(s, " \t");
	if (*opt) {
		*opt++ = '\0';
		opt = trim(opt);
		if (starts_with(opt, "-p1"))
			opt = trim(opt + 3);
		if (*opt && *opt != '#')
			return error("'%s' line %u: '%s' is not supported (a file name, optionally -p1)",
				     series, lineno, opt);
	}
	if (*s == '/' || strstr(s, "/..") || !strcmp(s, "..") || starts_with(s, "../"))
		return error("'%s' line %u: '%s' points outside the directory", series, lineno, s);
	*name = s;
	return 0;
}

static int load_series(const char *dir, const char *series, struct patch_list *all)
{
	struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;
	unsigned lineno = 0, loaded = 0;
	char *line, *next;
	int ret = 0;

	if (read_patch_file(series, &sb) < 0) {
		ret = error("cannot read '%s': %s", series, read_error());
		goto out;
	}
	for (line = sb.buf; !ret && line; line = next) {
		char *name;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else if (!*line)
			break;
		lineno++;
		ret = series_entry(line, series, lineno, &name);
		if (ret || !name)
			continue;
		strbuf_reset(&path);
		join_path(&path, dir, name);
		if (access(path.buf, F_OK))
			ret = error("'%s' line %u: '%s': %s", series, lineno, path.buf, errstr());
		else
			ret = load_file(path.buf, all);
		loaded++;
	}
	if (!ret && !loaded)
		ret = error("'%s' lists no patch", series);
out:
	strbuf_release(&sb);
	strbuf_release(&path);
	return ret;
}

static int is_patch_name(const struct dirent *d)
{
	static const char *const ext[] = { ".patch", ".diff", ".mbox" };
	size_t len = strlen(d->d_name);

	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t n = strlen(ext[i]);

		if (len > n && !strcmp(d->d_name + len - n, ext[i]))
			return 1;
	}
	return 0;
}

/* *.patch, *.diff, *.mbox in version order, so that 0010- comes after 0009-. */
static int load_dir_files(const char *dir, struct patch_list *all)
{
	struct strbuf path = STRBUF_INIT;
	struct dirent **ents;
	int n = scandir(dir, &ents, is_patch_name, versionsort);
	int ret = 0, loaded = 0;

	if (n < 0)
		return error("cannot read directory '%s': %s", dir, errstr());
	for (int i = 0; i < n; i++) {
		struct stat st;

		strbuf_reset(&path);
		join_path(&path, dir, ents[i]->d_name);
		if (!ret && !stat(path.buf, &st) && S_ISREG(st.st_mode)) {
			ret = load_file(path.buf, all);
			loaded++;
		}
		free(ents[i]);
	}
	free(ents);
	strbuf_release(&path);
	if (!ret && !loaded)
		ret = error("patches '%s': no series file and no *.patch, *.diff or *.mbox file in it",
			    dir);
	return ret;
}

static int load_dir(const char *dir, struct patch_list *all)
{
	struct strbuf series = STRBUF_INIT;
	struct stat st;
	int ret;

	join_path(&series, dir, "series");
	if (!stat(series.buf, &st))
		ret = load_series(dir, series.buf, all);
	else
		ret = load_dir_files(dir, all);
	strbuf_release(&series);
	return ret;
}

static int load_path(const char *spec, struct patch_list *all)
{
	struct stat st;

	if (stat(spec, &st)) {
		if (errno == ENOENT)
			return error("patches '%s': no such file or directory", spec);
		return error("patches '%s': %s", spec, errstr());
	}
	if (S_ISDIR(st.st_mode))
		return load_dir(spec, all);
	if (!S_ISREG(st.st_mode))
		return error("patches '%s': not a file or a directory", spec);
	return load_file(spec, all);
}

static int load_lore(const char *spec, const struct patch_source_opts *opts,
		     struct strbuf *id, struct patch_list *all, int *infra)
{
	struct strbuf why = STRBUF_INIT, mbox = STRBUF_INIT, origin = STRBUF_INIT;
	const char *url = opts && opts->lore_url ? opts->lore_url : LORE_DEFAULT_URL;
	int net = 0, ret;

	if (lore_parse_msgid(spec + strlen("lore:"), id, &why)) {
		ret = error("patches '%s': %s", spec, why.buf);
	} else if (lore_fetch(id->buf, url, opts ? opts->cache_dir : NULL, &mbox, &net)) {
		*infra = net;
		ret = -1;
	} else {
		strbuf_addf(&origin, "lore:%s", id->buf);
		ret = patch_split(mbox.buf, mbox.len, origin.buf, all);
	}
	strbuf_release(&why);
	strbuf_release(&mbox);
	strbuf_release(&origin);
	return ret;
}

static void print_notes(const char *spec, const struct strbuf *note)
{
	const char *line = note->buf;

	while (*line) {
		size_t len = strcspn(line, "\n");

		info("%s: %.*s", spec, (int)len, line);
		line += len + (line[len] == '\n');
	}
}

int patch_load(const char *spec, const struct patch_source_opts *opts,
	       struct patch_list *out, struct patch *cover, int *infra)
{
	struct patch_list all = PATCH_LIST_INIT;
	struct strbuf id = STRBUF_INIT, note = STRBUF_INIT;
	size_t first = out->nr;
	int net = 0, ret;

	if (cover)
		patch_init(cover);
	if (starts_with(spec, "lore:"))
		ret = load_lore(spec, opts, &id, &all, &net);
	else
		ret = load_path(spec, &all);
	if (!ret && all.nr == 1 && all.v[0].has_diff && !all.v[0].is_reply) {
		/* one mail named on its own: the user picked it, even as k/N of a series */
		patch_list_append(out, &all.v[0]);
	} else if (!ret) {
		ret = patch_pick_series(&all, id.len ? id.buf : NULL, out, cover, &note);
	}
	patch_list_release(&all);
	if (!ret) {
		print_notes(spec, &note);
		for (size_t i = first; i < out->nr; i++)
			sha256_hex(out->v[i].text.buf, out->v[i].text.len, out->v[i].sha);
		if (cover && cover->message_id)
			sha256_hex(cover->text.buf, cover->text.len, cover->sha);
	}
	if (infra)
		*infra = net;
	strbuf_release(&id);
	strbuf_release(&note);
	return ret;
}
