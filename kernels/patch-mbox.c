// SPDX-License-Identifier: GPL-2.0-only
/*
 * Splitting mail. GMime splits an mbox and decodes what people read
 * (subjects, authors, message ids); what gets applied is the raw text of each
 * message, never a re-serialisation, so that `git am` sees what was sent.
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

#include <gmime/gmime.h>

#include "common/hash.h"
#include "common/log.h"
#include "common/untrusted.h"

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

/*
 * A header of a mail from a public list, as one clean line: a CR in a
 * Subject must not become a line of its own in `kernel list`, a report or
 * a mail (NULL gives "").
 */
static char *dup_or_empty(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_add_clean_line(&sb, s);
	return strbuf_detach(&sb, NULL);
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

/* To and Cc, one mailbox per line: a reply-all answers them all (groups are skipped) */
static char *recipients(GMimeMessage *msg)
{
	InternetAddressList *lists[2] = { g_mime_message_get_to(msg), g_mime_message_get_cc(msg) };
	struct strbuf out = STRBUF_INIT;
	size_t l;
	int i;

	for (l = 0; l < 2; l++) {
		for (i = 0; lists[l] && i < internet_address_list_length(lists[l]); i++) {
			InternetAddress *a = internet_address_list_get_address(lists[l], i);
			char *s;

			if (!INTERNET_ADDRESS_IS_MAILBOX(a))
				continue;
			s = internet_address_to_string(a, NULL, FALSE);
			if (s && *s && !strchr(s, '\n'))
				strbuf_addf(&out, "%s%s", out.len ? "\n" : "", s);
			g_free(s);
		}
	}
	return strbuf_detach(&out, NULL);
}

static void fill_from_message(struct patch *p, GMimeMessage *msg, const char *origin)
{
	InternetAddressList *from = g_mime_message_get_from(msg);
	char *author = from ? internet_address_list_to_string(from, NULL, FALSE) : NULL;
	const char *subject = g_mime_message_get_subject(msg);

	/* a quilt-style mail may have no Subject: show where it came from */
	p->full_subject = dup_or_empty(subject && *subject ? subject : base_name(origin));
	p->author = dup_or_empty(author);
	g_free(author);
	p->recipients = recipients(msg);
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
	p.full_subject = dup_or_empty(base_name(origin));
	p.subject = xstrdup(p.full_subject);
	p.author = xstrdup("");
	p.recipients = xstrdup("");
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
