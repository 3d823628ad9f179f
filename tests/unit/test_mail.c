// SPDX-License-Identifier: GPL-2.0-only
/*
 * Result mails. Composed messages are read back by a second, independent
 * reader written here (header unfolding, RFC 2047 Q and B, quoted-printable)
 * and, after an SMTP round trip, by Python's email package: what goes out
 * must decode to exactly what went in, with nothing from the patch mail able
 * to add a header. The round trip runs against tests/integration/smtpd.py
 * (aiosmtpd) on 127.0.0.1, started through spawn like every other program.
 */
#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/net.h"
#include "common/spawn.h"
#include "reports/mail.h"
#include "tests/tap.h"

#define SMTPD		"tests/integration/smtpd.py"
#define REJECTED	"nobody@example.org"
#define SMTP_SUBJECT	"[PATCH] fs: \xc3\xbc" "ber-fix \xe2\x80\x94 direct-io"
/* Tue, 01 Dec 2026 23:59:42 +0000 */
#define DATE		((time_t)1796169582)

/* The second reader */

struct msg {
	struct strvec names;	/* header names, in order */
	struct strvec values;	/* their values, unfolded */
	const char *body;	/* the encoded body, inside the message */
	size_t longest;		/* longest header line, CRLF not counted */
	int bad_eol;		/* a CR or an LF that is not part of a CRLF */
	int bad_name;		/* a header line that is neither a field nor a continuation */
};

static void msg_release(struct msg *m)
{
	strvec_clear(&m->names);
	strvec_clear(&m->values);
}

/* A field's value as unfolded, without the whitespace after the colon (a fold there too). */
static void push_value(struct msg *m, const struct strbuf *value)
{
	strvec_push(&m->values, value->buf + strspn(value->buf, " \t"));
}

static int parse_msg(const char *s, struct msg *m)
{
	struct strbuf value = STRBUF_INIT;
	const char *p, *end = strstr(s, "\r\n\r\n");
	size_t i;

	*m = (struct msg){ .names = STRVEC_INIT, .values = STRVEC_INIT };
	for (i = 0; s[i]; i++)
		if ((s[i] == '\r' && s[i + 1] != '\n') || (s[i] == '\n' && (!i || s[i - 1] != '\r')))
			m->bad_eol = 1;
	if (!end)
		return -1;
	m->body = end + 4;
	for (p = s; p <= end; p += 2) {
		const char *eol = strstr(p, "\r\n"), *colon;

		if ((size_t)(eol - p) > m->longest)
			m->longest = (size_t)(eol - p);
		if (*p == ' ' || *p == '\t') {
			if (!m->names.nr)
				m->bad_name = 1;
			strbuf_add(&value, p, (size_t)(eol - p));
			p = eol;
			continue;
		}
		if (m->names.nr)
			push_value(m, &value);
		strbuf_reset(&value);
		colon = memchr(p, ':', (size_t)(eol - p));
		if (!colon || colon == p)
			m->bad_name = 1;
		for (i = 0; colon && p + i < colon; i++)
			if (p[i] <= ' ' || p[i] >= 0x7f)
				m->bad_name = 1;
		strvec_pushf(&m->names, "%.*s", (int)(colon ? colon - p : eol - p), p);
		for (colon = colon ? colon + 1 : eol; *colon == ' '; colon++)
			;
		strbuf_add(&value, colon, colon < eol ? (size_t)(eol - colon) : 0);
		p = eol;
	}
	push_value(m, &value);
	strbuf_release(&value);
	return 0;
}

static const char *header(const struct msg *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->names.nr; i++)
		if (!strcasecmp(m->names.v[i], name))
			return m->values.v[i];
	return NULL;
}

static size_t count_header(const struct msg *m, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < m->names.nr; i++)
		n += !strcasecmp(m->names.v[i], name);
	return n;
}

static int unhex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int unbase64(int c)
{
	static const char set[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(set, c) : NULL;

	return p ? (int)(p - set) : -1;
}

/* One encoded-word "=?UTF-8?Q?...?=" or B, decoded into out; -1 if it is not one. */
static int decode_word(const char *w, size_t len, struct strbuf *out)
{
	size_t i, start = out->len;
	unsigned bits = 0, nbits = 0;
	int b;

	if (len < 12 || strncasecmp(w, "=?UTF-8?", 8) || w[9] != '?' || strncmp(w + len - 2, "?=", 2))
		return -1;
	b = w[8] == 'B' || w[8] == 'b';
	if (!b && w[8] != 'Q' && w[8] != 'q')
		return -1;
	for (i = 10; i < len - 2; i++) {
		if (b && w[i] != '=') {
			if (unbase64(w[i]) < 0)
				goto bad;
			bits = bits << 6 | (unsigned)unbase64(w[i]);
			nbits += 6;
			if (nbits >= 8) {
				nbits -= 8;
				strbuf_addch(out, (bits >> nbits) & 0xff);
			}
		} else if (!b && w[i] == '_') {
			strbuf_addch(out, ' ');
		} else if (!b && w[i] == '=') {
			if (i + 2 >= len - 2 || unhex(w[i + 1]) < 0 || unhex(w[i + 2]) < 0)
				goto bad;
			strbuf_addch(out, unhex(w[i + 1]) << 4 | unhex(w[i + 2]));
			i += 2;
		} else if (!b) {
			if (w[i] <= ' ' || w[i] >= 0x7f || w[i] == '?')
				goto bad;
			strbuf_addch(out, w[i]);
		}
	}
	return 0;
bad:
	strbuf_setlen(out, start);
	return -1;
}

/* RFC 2047 decoding of an unfolded value: whitespace between two encoded-words goes. */
static void decode_value(const char *v, struct strbuf *out)
{
	struct strbuf ws = STRBUF_INIT;
	int prev_word = 0;

	while (*v) {
		size_t n = strcspn(v, " \t");

		if (!n) {
			strbuf_addch(&ws, *v++);
			continue;
		}
		if (v[0] == '=' && v[1] == '?') {
			size_t mark = out->len;

			if (!prev_word)
				strbuf_add(out, ws.buf, ws.len);
			if (!decode_word(v, n, out)) {
				prev_word = 1;
				goto next;
			}
			strbuf_setlen(out, mark);
		}
		strbuf_add(out, ws.buf, ws.len);
		strbuf_add(out, v, n);
		prev_word = 0;
next:
		strbuf_reset(&ws);
		v += n;
	}
	strbuf_add(out, ws.buf, ws.len);
	strbuf_release(&ws);
}

/*
 * Quoted-printable back to text with "\n" line ends; *bad is set for a
 * line longer than 76, whitespace at a line end, a byte that is not
 * printable ASCII, or a broken =XX.
 */
static void decode_qp(const char *s, struct strbuf *out, int *bad)
{
	*bad = 0;
	while (*s) {
		const char *eol = strstr(s, "\r\n");
		size_t len, i;

		if (!eol) {
			*bad = 1;
			eol = s + strlen(s);
		}
		len = (size_t)(eol - s);
		if (len > 76 || (len && (s[len - 1] == ' ' || s[len - 1] == '\t')))
			*bad = 1;
		for (i = 0; i < len; i++) {
			if (s[i] == '=' && i + 1 == len)
				break;	/* soft line break */
			if (s[i] == '=') {
				if (i + 2 >= len || unhex(s[i + 1]) < 0 || unhex(s[i + 2]) < 0) {
					*bad = 1;
					continue;
				}
				strbuf_addch(out, unhex(s[i + 1]) << 4 | unhex(s[i + 2]));
				i += 2;
				continue;
			}
			if ((s[i] < ' ' && s[i] != '\t') || s[i] >= 0x7f)
				*bad = 1;
			strbuf_addch(out, s[i]);
		}
		if (!len || s[len - 1] != '=')
			strbuf_addch(out, '\n');
		s = *eol ? eol + 2 : eol;
	}
}

/* Composing */

static const char *const all_headers[] = {
	"From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
	"MIME-Version", "Content-Type", "Content-Transfer-Encoding", "X-Mailer", NULL
};

/* Only headers of ours, each once. */
static int names_known(const struct msg *m)
{
	const char *const *h;
	size_t i;

	for (i = 0; i < m->names.nr; i++) {
		for (h = all_headers; *h && strcmp(*h, m->names.v[i]); h++)
			;
		if (!*h || count_header(m, *h) != 1)
			return 0;
	}
	return 1;
}

static int names_are(const struct msg *m, const char *const *want, const struct strvec *skip)
{
	size_t i = 0;

	for (; *want; want++) {
		if (skip && strvec_contains(skip, *want))
			continue;
		if (i >= m->names.nr || strcmp(m->names.v[i], *want)) {
			printf("#   header %zu is '%s', want '%s'\n", i,
			       i < m->names.nr ? m->names.v[i] : "(none)", *want);
			return 0;
		}
		i++;
	}
	if (i != m->names.nr)
		printf("#   %zu headers, want %zu\n", m->names.nr, i);
	return i == m->names.nr;
}

static const char body_text[] =
	"pinbench result for [PATCH] fs: direct-io: ...\n"
	"\n"
	"  fio.read.iops    -6.5% regression   (p = 0.001)\n"
	"Durchsatz: \xc3\x84\xc3\x96\xc3\x9c \xe2\x80\x94 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e ok\n"
	"trailing spaces   \n"
	"trailing tab\t\n"
	"a=b == c =3D not an escape =\n"
	".a line starting with a dot\n"
	".\n"
	"From the start of a line\n"
	"\tindented with a tab\n"
	"0123456789012345678901234567890123456789012345678901234567890123456789"
	"012345678901234567890123456789\n"
	"==========================================================================="
	"=========================\n"
	"\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4"
	"\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\n"
	"last line\n";

struct composed {
	struct strbuf raw;
	struct msg m;
	char *id;
	int rc;
};

static void compose(const struct mail_input *in, struct composed *c)
{
	*c = (struct composed){
		.raw = STRBUF_INIT,
		.m = { .names = STRVEC_INIT, .values = STRVEC_INIT },
	};
	c->rc = mail_compose(in, &c->raw, &c->id);
	if (!c->rc)
		parse_msg(c->raw.buf, &c->m);
}

static void composed_release(struct composed *c)
{
	strbuf_release(&c->raw);
	msg_release(&c->m);
	free(c->id);
}

static void subject_is(const char *patch, const char *verdict, const char *want, const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	mail_subject(patch, verdict, &sb);
	is_str(sb.buf, want, name);
	strbuf_release(&sb);
}

static void test_subject(void)
{
	subject_is("[PATCH v2 1/3] fs: direct-io: fix it", "no regression",
		   "[pinbench] [PATCH v2 1/3] fs: direct-io: fix it: no regression",
		   "subject: prefix, patch subject, verdict");
	subject_is(NULL, "no regression", "[pinbench] no regression", "no patch subject");
	subject_is(" \r\n\t ", "no regression", "[pinbench] no regression",
		   "a patch subject of whitespace and controls is none");
	subject_is("  [PATCH]\tfoo \x01" "bar\x7f  baz\r\n", "v", "[pinbench] [PATCH] foo bar baz: v",
		   "controls removed, whitespace collapsed and trimmed");
	subject_is("x\r\nBcc: victim@evil\r\n<script>", "v",
		   "[pinbench] xBcc: victim@evil<script>: v", "CR and LF removed");
	subject_is("a\xc2\x85" "b\xff" "c \xc3\xa9", "v", "[pinbench] ab\xef\xbf\xbd" "c \xc3\xa9: v",
		   "C1 control removed, invalid UTF-8 replaced, UTF-8 kept");
	subject_is("[PATCH] a", NULL, "[pinbench] [PATCH] a", "no verdict");
	subject_is(NULL, NULL, "[pinbench]", "neither");
}

static void address_ok(const char *in, const char *want, const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	is_int(mail_address(in, &sb), 0, name);
	is_str(sb.buf, want, "  gives the addr-spec");
	strbuf_release(&sb);
}

static void address_bad(const char *in, const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	is_int(mail_address(in, &sb), -1, name);
	is_int(sb.len, 0, "  nothing appended");
	strbuf_release(&sb);
}

static void test_address(void)
{
	address_ok("a@b.example", "a@b.example", "bare address");
	address_ok("  Jane Doe <jane.doe+lkml@b.example>  ", "jane.doe+lkml@b.example", "name <addr>");
	address_ok("\"Doe, Jane <x>\" <j@b.example>", "j@b.example", "quoted name with specials");
	address_ok("<j@b.example>", "j@b.example", "angle brackets only");
	address_ok("J\xc3\xb6rg <j@[192.0.2.1]>", "j@[192.0.2.1]", "UTF-8 name, domain literal");
	address_bad("a@b.example\r\nBcc: victim@evil", "CR LF rejected");
	address_bad("Jane <a@b.example>\n", "a final LF rejected");
	address_bad("Ja\rne <a@b.example>", "a CR in the name rejected");
	address_bad("Jane <a@b.exa\tmple>", "a tab rejected");
	address_bad("nobody", "no '@'");
	address_bad("Jane <>", "empty angle brackets");
	address_bad("", "empty");
	address_bad(NULL, "NULL");
	address_bad("a b@c.example", "space in the local part");
	address_bad("a@b.example>", "unbalanced '>'");
	address_bad("Jane <a@b.example> x", "text after the address");
	address_bad("@b.example", "empty local part");
	address_bad("a@", "empty domain");
	address_bad("a..b@c.example", "two dots");
	address_bad("a@b_c.example", "'_' in the domain");
	address_bad("\"Jane <a@b.example>", "unbalanced quote");
	address_bad("j\xc3\xb6rg@b.example", "non-ASCII addr-spec");
}

/* skip: the headers of all_headers that must not be there, space-separated */
static void check_message(const struct composed *c, const char *absent, const char *name)
{
	struct strvec skip = STRVEC_INIT;

	strvec_split(&skip, absent ? absent : "");
	printf("# %s\n", name);
	ok(!c->rc, "  composed");
	ok(!c->m.bad_eol, "  CRLF line ends only");
	ok(!c->m.bad_name, "  every header line is a field or a continuation");
	ok(names_are(&c->m, all_headers, &skip), "  the headers, in order");
	if (!ok(c->m.longest <= 78, "  no header line longer than 78"))
		printf("#   longest: %zu\n", c->m.longest);
	ok(c->raw.len >= 2 && !strcmp(c->raw.buf + c->raw.len - 2, "\r\n"), "  ends in CRLF");
	strvec_clear(&skip);
}

static void test_compose(void)
{
	struct strvec to = STRVEC_INIT, cc = STRVEC_INIT, refs = STRVEC_INIT;
	struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
	struct mail_input in = {
		.from = "pinbench <pinbench@lab.example>",
		.to = &to,
		.cc = &cc,
		.patch_subject = "[PATCH v3 2/7] fs: direct-io: don't pin twice \xe2\x80\x94 "
				 "J\xc3\xb6rg's fix",
		.verdict = "fio.read.iops -6.5% regression",
		.in_reply_to = "20261130.2-patch@kernel.example",
		.references = &refs,
		.body = body_text,
		.domain = "pinbench.local",
		.date = DATE,
	};
	struct composed c, c2;
	const char *v;
	int bad;

	strvec_pushl(&to, "J\xc3\xb6rg M\xc3\xbcller <jm@kernel.example>",
		     "Doe, Jane <jane@kernel.example>", "list@vger.example", NULL);
	strvec_push(&cc, "Some One <one@kernel.example>");
	strvec_pushl(&refs, "<20261130.0-cover@kernel.example>", "20261130.2-patch@kernel.example",
		     NULL);
	compose(&in, &c);
	check_message(&c, NULL, "a full mail");

	v = header(&c.m, "From");
	is_str(v, "pinbench <pinbench@lab.example>", "  From");
	v = header(&c.m, "To");
	like(v, "=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <jm@kernel.example>", "  To: UTF-8 name encoded");
	like(v, "\"Doe, Jane\" <jane@kernel.example>", "  To: name with a comma quoted");
	like(v, ", list@vger.example", "  To: bare address");
	decode_value(v, &got);
	is_str(got.buf, "J\xc3\xb6rg M\xc3\xbcller <jm@kernel.example>, \"Doe, Jane\" "
	       "<jane@kernel.example>, list@vger.example", "  To decodes");
	is_str(header(&c.m, "Cc"), "Some One <one@kernel.example>", "  Cc");
	is_str(header(&c.m, "Date"), "Tue, 01 Dec 2026 23:59:42 +0000", "  Date");
	strbuf_reset(&want);
	strbuf_addf(&want, "<%s>", c.id ? c.id : "");
	is_str(header(&c.m, "Message-ID"), want.buf, "  Message-ID is <the id returned>");
	ok(c.id && ends_with(c.id, "@pinbench.local") && !strchr(c.id, '<'),
	   "  our id is @domain, without <>");
	is_str(header(&c.m, "In-Reply-To"), "<20261130.2-patch@kernel.example>", "  In-Reply-To");
	is_str(header(&c.m, "References"),
	       "<20261130.0-cover@kernel.example> <20261130.2-patch@kernel.example>",
	       "  References: cover letter, then the patch, each once");
	is_str(header(&c.m, "MIME-Version"), "1.0", "  MIME-Version");
	is_str(header(&c.m, "Content-Type"), "text/plain; charset=UTF-8", "  Content-Type");
	is_str(header(&c.m, "Content-Transfer-Encoding"), "quoted-printable", "  QP");
	is_str(header(&c.m, "X-Mailer"), "pinbench", "  X-Mailer");

	strbuf_reset(&want);
	mail_subject(in.patch_subject, in.verdict, &want);
	strbuf_reset(&got);
	decode_value(header(&c.m, "Subject"), &got);
	is_str(got.buf, want.buf, "  Subject decodes to mail_subject()");
	like(header(&c.m, "Subject"), "[pinbench] [PATCH v3 2/7] fs: direct-io:",
	     "  its ASCII start stays readable");

	strbuf_reset(&got);
	decode_qp(c.m.body, &got, &bad);
	ok(!bad, "  body: QP lines <= 76, printable ASCII, no trailing whitespace");
	is_str(got.buf, body_text, "  body decodes to the text (UTF-8, trailing spaces, '=')");
	ok(!strstr(c.m.body, "\r\n.") && strncmp(c.m.body, ".", 1) && !strstr(c.m.body, "\r\nFrom "),
	   "  no line starts with '.' or \"From \"");

	compose(&in, &c2);
	ok(c.id && c2.id && strcmp(c.id, c2.id), "a second mail gets another Message-ID");
	composed_release(&c2);

	in.body = "one\r\ntwo\r\nno newline at the end  ";
	in.cc = NULL;
	in.references = NULL;
	compose(&in, &c2);
	check_message(&c2, "Cc", "CRLF body without a final newline, no Cc, no References given");
	is_str(header(&c2.m, "References"), "<20261130.2-patch@kernel.example>",
	       "  References: In-Reply-To's id");
	strbuf_reset(&got);
	decode_qp(c2.m.body, &got, &bad);
	ok(!bad, "  QP well-formed");
	is_str(got.buf, "one\ntwo\nno newline at the end  ", "  decodes exactly, trailing spaces too");
	composed_release(&c2);

	composed_release(&c);
	strvec_clear(&to);
	strvec_clear(&cc);
	strvec_clear(&refs);
	strbuf_release(&want);
	strbuf_release(&got);
}

static void test_hostile(void)
{
	struct strvec to = STRVEC_INIT, refs = STRVEC_INIT;
	struct strbuf got = STRBUF_INIT;
	struct mail_input in = {
		.from = "pinbench@lab.example",
		.to = &to,
		.patch_subject = "x\r\nBcc: victim@evil\r\n<script>",
		.verdict = "no regression",
		.in_reply_to = "<a@b>\r\nBcc: victim@evil",
		.references = &refs,
		.body = "hi\n",
		.date = DATE,
	};
	struct composed c;

	strvec_push(&to, "author@kernel.example");
	strvec_pushl(&refs, " <cover@kernel.example> ", "bad id@x", "a@b>\nX-Evil: 1", "", "<>",
		     "cover@kernel.example", "\xc3\xa9@x", NULL);
	compose(&in, &c);
	check_message(&c, "Cc In-Reply-To", "hostile subject and ids");
	is_int(count_header(&c.m, "Subject"), 1, "  a single Subject");
	is_int(count_header(&c.m, "Bcc"), 0, "  no Bcc");
	is_int(count_header(&c.m, "X-Evil"), 0, "  no X-Evil");
	ok(!strstr(c.raw.buf, "\nBcc") && !strstr(c.raw.buf, "\nX-Evil"), "  not in the raw text either");
	decode_value(header(&c.m, "Subject"), &got);
	is_str(got.buf, "[pinbench] xBcc: victim@evil<script>: no regression",
	       "  the subject, CR and LF gone");
	is_str(header(&c.m, "References"), "<cover@kernel.example>",
	       "  References: the usable id once, the rest left out");
	ok(c.id && ends_with(c.id, "@lab.example"), "  our id takes From's domain without a domain");
	composed_release(&c);
	strvec_clear(&to);
	strvec_clear(&refs);
	strbuf_release(&got);
}

static void compose_bad(struct mail_input *in, const char *name)
{
	struct strbuf out = STRBUF_INIT;
	char *id = (char *)"stale";

	strbuf_addstr(&out, "kept");
	is_int(mail_compose(in, &out, &id), -1, name);
	is_str(out.buf, "kept", "  out untouched");
	ok(!id, "  no id");
	strbuf_release(&out);
}

static void test_invalid(void)
{
	struct strvec to = STRVEC_INIT, bad = STRVEC_INIT, empty = STRVEC_INIT;
	struct mail_input in = {
		.from = "pinbench@lab.example", .to = &to, .verdict = "v", .date = DATE,
	};

	strvec_push(&to, "author@kernel.example");
	in.from = NULL;
	compose_bad(&in, "no From");
	in.from = "pinbench <pinbench@lab.example>\r\nBcc: victim@evil";
	compose_bad(&in, "From with CR LF");
	in.from = "pinbench@lab.example";
	in.to = &empty;
	compose_bad(&in, "no recipients");
	in.to = NULL;
	compose_bad(&in, "no To at all");
	strvec_pushl(&bad, "ok@kernel.example", "victim@evil\r\nBcc: x@evil", NULL);
	in.to = &bad;
	compose_bad(&in, "To with CR LF");
	in.to = &to;
	in.cc = &bad;
	compose_bad(&in, "Cc with CR LF");
	strvec_clear(&bad);
	strvec_push(&bad, "no-at-sign");
	compose_bad(&in, "Cc without '@'");
	in.cc = NULL;
	in.domain = "bad domain\r\nX: y";
	compose_bad(&in, "bad Message-ID domain");
	strvec_clear(&to);
	strvec_clear(&bad);
}

static char tmpdir[] = "/tmp/pinbench-test-mail.XXXXXX";
/* the folding mails as files, and their subjects, for Python to read too */
static struct strvec fold_files = STRVEC_INIT, fold_subjects = STRVEC_INIT;

static void save(const struct strbuf *raw, const char *subject)
{
	struct strbuf path = STRBUF_INIT;

	strbuf_addf(&path, "%s/fold-%zu.eml", tmpdir, fold_files.nr);
	if (write_file_atomic(path.buf, raw->buf, raw->len))
		printf("#   cannot write %s\n", path.buf);
	strvec_push(&fold_files, path.buf);
	strvec_push(&fold_subjects, subject);
	strbuf_release(&path);
}

/* Every header line fits, and unfolding and decoding give back what went in. */
static void test_folding(void)
{
	struct strvec to = STRVEC_INIT, refs = STRVEC_INIT;
	struct strbuf subj = STRBUF_INIT, want = STRBUF_INIT, got = STRBUF_INIT;
	struct mail_input in = {
		.from = "pinbench <pinbench@lab.example>", .to = &to, .references = &refs,
		.verdict = "no regression", .domain = "pinbench.local", .date = DATE,
	};
	static const char *const subjects[] = {
		"[PATCH] a long ASCII subject that has to be folded at one of its spaces because "
		"it is far too long for a single line of a mail header field, really",
		"[PATCH] x"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		"[PATCH] literally =?UTF-8?B?Zm9v?= in a subject",
		"[PATCH] \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"
		"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5"
		"\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80 "
		"\xc3\xa4\xc3\xb6\xc3\xbc \xc3\xa4\xc3\xb6\xc3\xbc \xc3\xa4\xc3\xb6\xc3\xbc "
		"and_underscores?and=equals\"quotes\"",
		"[PATCH] \"quoted\" (comment) <angle> a_b c?d e=f",
	};
	struct composed c;
	size_t i;

	for (i = 0; i < 30; i++)
		strvec_pushf(&to, "Developer Number %zu <developer.number.%zu@kernel.example>", i, i);
	strvec_push(&to, "\xc3\x89milie \xc3\x89l\xc3\xa9onore de la Fontaine-Saint-"
		    "\xc3\x89tienne-du-Grand-Ch\xc3\xa2teau <e@x.example>");
	for (i = 0; i < 10; i++)
		strvec_pushf(&refs, "20261130120000.%zu-1-someone@kernel.example", i);
	for (i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
		in.patch_subject = subjects[i];
		compose(&in, &c);
		strbuf_reset(&subj);
		strbuf_addf(&subj, "folding, subject %zu", i);
		check_message(&c, "Cc In-Reply-To", subj.buf);
		strbuf_reset(&want);
		mail_subject(subjects[i], in.verdict, &want);
		strbuf_reset(&got);
		decode_value(header(&c.m, "Subject"), &got);
		is_str(got.buf, want.buf, "  Subject decodes to mail_subject()");
		save(&c.raw, want.buf);
		if (i == 2)
			ok(!strstr(c.raw.buf, "=?UTF-8?B?Zm9v?="),
			   "  a literal encoded-word is encoded");
		composed_release(&c);
	}
	/* longer than fits after "In-Reply-To: ": folded after the colon, never split */
	in.in_reply_to = "20261130120000.1234567-1-a.very.long.name@mail.subdomain.kernel.example";
	compose(&in, &c);
	check_message(&c, "Cc", "an id too long for the first line");
	is_str(header(&c.m, "In-Reply-To"),
	       "<20261130120000.1234567-1-a.very.long.name@mail.subdomain.kernel.example>",
	       "  In-Reply-To unfolds to the id");
	strbuf_reset(&want);
	mail_subject(in.patch_subject, in.verdict, &want);
	save(&c.raw, want.buf);
	strbuf_reset(&got);
	decode_value(header(&c.m, "To"), &got);
	like(got.buf, "Developer Number 0 <developer.number.0@kernel.example>, Developer Number 1 <",
	     "To: 31 addresses fold and unfold");
	like(got.buf, ", \xc3\x89milie \xc3\x89l\xc3\xa9onore de la Fontaine-Saint-\xc3\x89tienne-"
	     "du-Grand-Ch\xc3\xa2teau <e@x.example>", "  a long UTF-8 name folds and decodes");
	like(header(&c.m, "References"), "<20261130120000.0-1-someone@kernel.example> "
	     "<20261130120000.1-1-someone@kernel.example>", "References: 10 ids fold and unfold");
	composed_release(&c);
	strvec_clear(&to);
	strvec_clear(&refs);
	strbuf_release(&subj);
	strbuf_release(&want);
	strbuf_release(&got);
}

/* Display names: quoted, encoded, or both kinds of words, and always decoding back. */
static void test_names(void)
{
	struct strvec to = STRVEC_INIT;
	struct strbuf got = STRBUF_INIT;
	struct mail_input in = {
		.from = "pinbench@lab.example", .to = &to, .verdict = "v", .date = DATE,
	};
	struct composed c;
	const char *v;

	strvec_pushl(&to,
		     "\xc3\x91o\xc3\xb1o \xc3\x91\xc3\xba\xc3\xb1" "ez \xc3\x91\xc3\xa1\xc3\xb1" "ez "
		     "\xc3\x91\xc3\xad\xc3\xb1" "ez \xc3\x91\xc3\xb3\xc3\xb1" "ez "
		     "\xc3\x91\xc3\xba\xc3\xb1oz \xc3\x91" "e\xc3\xb1" "ez <n@x.example>",
		     "=?UTF-8?B?Zm9v?= Bar <b@x.example>",
		     "J\xc3\xb6rg \"the fixer\" M\xc3\xbcller <j@x.example>",
		     "\"Dr. Jane Doe\" <d@x.example>", "Ann Other <a@x.example>", NULL);
	compose(&in, &c);
	check_message(&c, "Cc In-Reply-To References", "display names");
	v = header(&c.m, "To");
	decode_value(v, &got);
	is_str(got.buf, "\xc3\x91o\xc3\xb1o \xc3\x91\xc3\xba\xc3\xb1" "ez \xc3\x91\xc3\xa1\xc3\xb1"
	       "ez \xc3\x91\xc3\xad\xc3\xb1" "ez \xc3\x91\xc3\xb3\xc3\xb1" "ez "
	       "\xc3\x91\xc3\xba\xc3\xb1oz \xc3\x91" "e\xc3\xb1" "ez <n@x.example>, "
	       "=?UTF-8?B?Zm9v?= Bar <b@x.example>, "
	       "J\xc3\xb6rg \"the fixer\" M\xc3\xbcller <j@x.example>, "
	       "\"Dr. Jane Doe\" <d@x.example>, Ann Other <a@x.example>",
	       "  every name decodes back");
	ok(!strstr(v, "=?UTF-8?B?Zm9v?="), "  a literal encoded-word is encoded");
	ok(!strstr(v, "\"the"), "  quotes inside a UTF-8 name are encoded, not left bare");
	like(v, "\"Dr. Jane Doe\" <d@x.example>", "  ASCII with specials: quoted");
	like(v, ", Ann Other <a@x.example>", "  atoms: as they are");
	composed_release(&c);
	strvec_clear(&to);
	strbuf_release(&got);
}

/* A fixed pseudo-random sequence: the same inputs on every run. */
static unsigned long rnd_state = 20261201;

static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(rnd_state >> 33) % n;
}

static void random_text(struct strbuf *sb, size_t max)
{
	static const char *const bits[] = {
		"a", "Z", "0", " ", "  ", "\t", "\r", "\n", "\r\n", "=", "?", "_", "=?", "?=",
		"=?UTF-8?Q?x?=", "\"", "\\", "<", ">", ",", ";", ":", "(", ")", ".", "From ",
		"\x01", "\x1b", "\x7f", "\xc3\xa9", "\xe2\x80\x94", "\xf0\x9f\x98\x80", "\xc2\x85",
		"\xff", "\xc3", "\xe2\x80", "Bcc: x@evil", "longwordlongwordlongwordlongword",
	};
	size_t i, n = rnd((unsigned)max);

	for (i = 0; i < n; i++)
		strbuf_addstr(sb, bits[rnd(sizeof(bits) / sizeof(bits[0]))]);
}

/* "\r\n" and "\n" both end a line; the decoded body has "\n". */
static void lf_only(const char *s, struct strbuf *out)
{
	for (; *s; s++)
		if (!(s[0] == '\r' && s[1] == '\n'))
			strbuf_addch(out, *s);
}

static void test_random(void)
{
	struct strvec to = STRVEC_INIT;
	struct strbuf subj = STRBUF_INIT, body = STRBUF_INIT, irt = STRBUF_INIT;
	struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
	struct mail_input in = {
		.from = "pinbench@lab.example", .to = &to, .verdict = "no regression", .date = DATE,
	};
	int i, fails = 0, bad, qp_bad;

	strvec_push(&to, "a@kernel.example");
	for (i = 0; i < 300; i++) {
		struct composed c;

		strbuf_reset(&subj);
		strbuf_reset(&body);
		strbuf_reset(&irt);
		random_text(&subj, 40);
		random_text(&body, 200);
		if (i % 10 == 0)	/* each unusable one is a warning on stderr */
			random_text(&irt, 6);
		in.patch_subject = subj.buf;
		in.body = body.buf;
		in.in_reply_to = irt.len ? irt.buf : "id@x";
		compose(&in, &c);
		strbuf_reset(&want);
		mail_subject(subj.buf, in.verdict, &want);
		strbuf_reset(&got);
		decode_value(header(&c.m, "Subject") ?: "", &got);
		bad = c.rc || c.m.bad_eol || c.m.bad_name || c.m.longest > 78 ||
		      strcmp(got.buf, want.buf) || !names_known(&c.m);
		strbuf_reset(&got);
		decode_qp(c.m.body ?: "", &got, &qp_bad);
		strbuf_reset(&want);
		lf_only(body.buf, &want);
		if (bad || qp_bad || strcmp(got.buf, want.buf)) {
			if (!fails++)
				printf("#   first failure: subject '%s'\n", subj.buf);
		}
		composed_release(&c);
	}
	is_int(fails, 0, "300 random subjects, ids and bodies: headers intact, all decodes back");
	strvec_clear(&to);
	strbuf_release(&subj);
	strbuf_release(&body);
	strbuf_release(&irt);
	strbuf_release(&want);
	strbuf_release(&got);
}

/* SMTP, against a real server */

struct server {
	struct child *c;
	struct strbuf out;	/* its stdout so far */
	int port;
	int done;
	struct strbuf sent;	/* the message of the first send */
	struct strvec rcpts;	/* its envelope */
};

static void server_output(const char *buf, size_t len, void *data)
{
	struct server *s = data;
	const char *p;

	strbuf_add(&s->out, buf, len);
	p = strstr(s->out.buf, "ready ");
	if (!s->port && p && strchr(p, '\n'))
		s->port = atoi(p + 6);
}

static void read_env(const char *path, const char *from, const struct strvec *rcpts)
{
	json_t *env = json_load_file(path, 0, NULL), *list;
	size_t i;
	int same;

	ok(env, "  the envelope was stored");
	is_str(json_string_value(json_object_get(env, "mail_from")), from, "  envelope sender");
	list = json_object_get(env, "rcpt_tos");
	same = json_is_array(list) && json_array_size(list) == rcpts->nr;
	for (i = 0; same && i < rcpts->nr; i++)
		same = !strcmp(json_string_value(json_array_get(list, i)) ?: "", rcpts->v[i]);
	ok(same, "  envelope recipients: To and Cc, each once");
	json_decref(env);
}

static void smtp_roundtrip(struct server *s)
{
	struct strvec to = STRVEC_INIT, cc = STRVEC_INIT;
	struct strbuf url = STRBUF_INIT, from = STRBUF_INIT, reply = STRBUF_INIT;
	struct strbuf why = STRBUF_INIT, path = STRBUF_INIT, eml = STRBUF_INIT;
	struct msg sent, got;
	struct mail_input in = {
		.from = "pinbench <pinbench@lab.example>", .to = &to, .cc = &cc,
		.patch_subject = SMTP_SUBJECT,
		.verdict = "fio.read.iops -6.5% regression", .in_reply_to = "patch@kernel.example",
		.body = body_text, .domain = "pinbench.local", .date = DATE,
	};
	struct smtp_opts o = { .starttls = SMTP_TLS_TRY, .timeout_s = 20 };
	char *id = NULL, *joined;

	strvec_pushl(&to, "J\xc3\xb6rg <jm@kernel.example>", "list@vger.example", NULL);
	strvec_pushl(&cc, "Someone <JM@kernel.example>", "other@kernel.example", NULL);
	strbuf_addf(&url, "smtp://127.0.0.1:%d", s->port);
	o.url = url.buf;
	ok(!mail_compose(&in, &s->sent, &id), "smtp: compose");
	ok(!mail_envelope(&in, &from, &s->rcpts), "  envelope");
	joined = strvec_join(&s->rcpts, " ");
	is_str(joined, "jm@kernel.example list@vger.example other@kernel.example",
	       "  recipients: To and Cc, each once");
	free(joined);
	is_int(net_smtp_send(&o, from.buf, &s->rcpts, s->sent.buf, s->sent.len, &reply, &why), 0,
	       "  sent (STARTTLS if offered: it is not)");
	if (why.len)
		printf("#   why: %s\n", why.buf);
	is_str(reply.buf, "250 2.0.0 Ok: queued as 001", "  the server's final reply");

	strbuf_addf(&path, "%s/001.eml", tmpdir);
	ok(!strbuf_read_file(&eml, path.buf, 0), "  the server stored it");
	ok(eml.len == s->sent.len && !memcmp(eml.buf, s->sent.buf, eml.len),
	   "  byte for byte (dot-stuffing undone)");
	parse_msg(eml.buf, &got);
	parse_msg(s->sent.buf, &sent);
	ok(header(&sent, "Subject"), "  we sent a Subject");
	is_str(header(&got, "Subject"), header(&sent, "Subject"), "  it arrived the same");
	is_int(count_header(&got, "Subject"), 1, "  once");
	msg_release(&got);
	msg_release(&sent);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/001.env", tmpdir);
	read_env(path.buf, "pinbench@lab.example", &s->rcpts);

	/* a refused recipient fails the whole send */
	strvec_push(&s->rcpts, REJECTED);
	strbuf_reset(&reply);
	strbuf_reset(&why);
	is_int(net_smtp_send(&o, from.buf, &s->rcpts, s->sent.buf, s->sent.len, &reply, &why), -1,
	       "smtp: a rejected recipient fails");
	like(why.buf, url.buf, "  why names the server");
	like(why.buf, "550 5.1.1 <" REJECTED ">: Recipient address rejected", "  and its 550");
	printf("#   why: %s\n", why.buf);
	is_int(reply.len, 0, "  no reply");
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/002.eml", tmpdir);
	ok(access(path.buf, F_OK), "  nothing stored");
	strvec_remove(&s->rcpts, s->rcpts.nr - 1);

	o.starttls = SMTP_TLS_REQUIRED;
	strbuf_reset(&why);
	is_int(net_smtp_send(&o, from.buf, &s->rcpts, s->sent.buf, s->sent.len, &reply, &why), -1,
	       "smtp: STARTTLS required, the server has none: not sent in clear");
	like(why.buf, "TLS", "  why says so");
	printf("#   why: %s\n", why.buf);
	ok(access(path.buf, F_OK), "  nothing stored");

	free(id);
	strvec_clear(&to);
	strvec_clear(&cc);
	strbuf_release(&url);
	strbuf_release(&from);
	strbuf_release(&reply);
	strbuf_release(&why);
	strbuf_release(&path);
	strbuf_release(&eml);
}

static void server_tick(void *data)
{
	struct server *s = data;

	if (!s->port || s->done)
		return;
	smtp_roundtrip(s);
	s->done = 1;
	s->c->stop = 1;
}

/*
 * Python's email package reads the mails, one JSON line each: a third
 * reader, and the one most tools are built on.
 */
static const char py_read[] =
	"import email, email.policy, json, sys\n"
	"for path in sys.argv[1:]:\n"
	"    with open(path, 'rb') as f:\n"
	"        m = email.message_from_binary_file(f, policy=email.policy.default)\n"
	"    d = [str(x) for v in m.values() for x in getattr(v, 'defects', ())]\n"
	"    print(json.dumps({'subject': str(m['subject']),\n"
	"        'to': [[a.display_name, a.addr_spec] for a in m['to'].addresses],\n"
	"        'in_reply_to': str(m['in-reply-to']), 'references': str(m['references']),\n"
	"        'body': m.get_content().replace('\\r\\n', '\\n'),\n"
	"        'defects': d + [str(x) for x in m.defects]}))\n";

/* Python's reading of each file, NULL for those it could not read. */
static json_t **python_read(const struct strvec *files)
{
	json_t **j = xcalloc(files->nr + 1, sizeof(*j));
	struct child c = CHILD_INIT;
	const char *line;
	size_t i;

	strvec_pushl(&c.args, "python3", "-c", py_read, NULL);
	strvec_pushv(&c.args, files->v);
	c.flags = SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	c.timeout_ms = 30000;
	if (!ok(!spawn_run(&c) && !c.status, "python3 reads the mails"))
		printf("#   %s\n", c.err.buf);
	for (i = 0, line = c.out.buf; i < files->nr && *line; i++) {
		j[i] = json_loadb(line, strcspn(line, "\n"), 0, NULL);
		line += strcspn(line, "\n");
		line += !!*line;
	}
	child_release(&c);
	return j;
}

static void python_reads_folding(void)
{
	json_t **j = python_read(&fold_files), *to;
	size_t i;

	for (i = 0; i < fold_files.nr; i++) {
		printf("# %s\n", fold_files.v[i]);
		is_str(json_string_value(json_object_get(j[i], "subject")), fold_subjects.v[i],
		       "  python: the Subject");
		is_int(json_array_size(json_object_get(j[i], "defects")), 0, "  python: no defects");
		to = json_object_get(j[i], "to");
		is_int(json_array_size(to), 31, "  python: 31 To addresses");
		is_str(json_string_value(json_array_get(json_array_get(to, 30), 0)),
		       "\xc3\x89milie \xc3\x89l\xc3\xa9onore de la Fontaine-Saint-\xc3\x89tienne-du-"
		       "Grand-Ch\xc3\xa2teau", "  python: the long encoded name");
		json_decref(j[i]);
	}
	free(j);
}

static void python_reads_sent(void)
{
	struct strvec files = STRVEC_INIT;
	struct strbuf want = STRBUF_INIT;
	json_t **j, *to;

	strvec_pushf(&files, "%s/001.eml", tmpdir);
	j = python_read(&files);
	ok(j[0], "python: the mail the server stored");
	mail_subject(SMTP_SUBJECT, "fio.read.iops -6.5% regression", &want);
	is_str(json_string_value(json_object_get(j[0], "subject")), want.buf, "  the Subject");
	is_str(json_string_value(json_object_get(j[0], "body")), body_text, "  the body");
	to = json_object_get(j[0], "to");
	is_str(json_string_value(json_array_get(json_array_get(to, 0), 0)), "J\xc3\xb6rg",
	       "  an encoded display name");
	is_str(json_string_value(json_array_get(json_array_get(to, 0), 1)), "jm@kernel.example",
	       "  its address");
	is_str(json_string_value(json_object_get(j[0], "in_reply_to")), "<patch@kernel.example>",
	       "  In-Reply-To");
	is_str(json_string_value(json_object_get(j[0], "references")), "<patch@kernel.example>",
	       "  References");
	is_int(json_array_size(json_object_get(j[0], "defects")), 0, "  no defects");
	json_decref(j[0]);
	free(j);
	strvec_clear(&files);
	strbuf_release(&want);
}

static void test_smtp(void)
{
	struct child c = CHILD_INIT;
	struct server s = { .c = &c, .out = STRBUF_INIT, .sent = STRBUF_INIT,
			    .rcpts = STRVEC_INIT };
	struct strbuf desc = STRBUF_INIT;

	/* --lifetime: even a crashed test cannot leave the server running for long */
	strvec_pushl(&c.args, "python3", SMTPD, tmpdir, "--reject-rcpt", REJECTED,
		     "--lifetime", "120", NULL);
	c.flags = SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	c.on_output = server_output;
	c.on_tick = server_tick;
	c.cb_data = &s;
	c.timeout_ms = 60000;
	ok(!spawn_run(&c), "smtpd.py started");
	if (!ok(s.done, "smtpd.py said it was ready")) {
		spawn_describe(&c, &desc);
		printf("#   %s, stdout '%s', stderr:\n%s\n", desc.buf, s.out.buf, c.err.buf);
	}
	ok(!c.timed_out, "  and stopped when told");
	if (s.done)
		python_reads_sent();
	strbuf_release(&desc);
	strbuf_release(&s.out);
	strbuf_release(&s.sent);
	strvec_clear(&s.rcpts);
	child_release(&c);
}

static void test_smtp_refused(void)
{
	struct strvec rcpts = STRVEC_INIT;
	struct strbuf reply = STRBUF_INIT, why = STRBUF_INIT;
	struct smtp_opts o = { .url = "smtp://127.0.0.1:1", .timeout_s = 10 };
	const char *msg = "Subject: x\r\n\r\nx\r\n";
	struct timespec t0, t1;
	double s;

	strvec_push(&rcpts, "a@b.example");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	is_int(net_smtp_send(&o, "p@lab.example", &rcpts, msg, strlen(msg), &reply, &why), -1,
	       "smtp: closed port");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ok(s < 5, "  fails at once");
	like(why.buf, "cannot connect to smtp://127.0.0.1:1", "  why says so");
	printf("#   why: %s\n", why.buf);

	/* each refused before any connection: the port would answer "cannot connect" */
	strbuf_reset(&why);
	is_int(net_smtp_send(&o, "p@lab.example>\r\nRCPT TO:<x@evil", &rcpts, msg, strlen(msg),
			     &reply, &why), -1, "smtp: CR LF in the sender refused");
	like(why.buf, "invalid sender", "  why says so");
	strvec_push(&rcpts, "x@evil>\r\nDATA");
	strbuf_reset(&why);
	is_int(net_smtp_send(&o, "p@lab.example", &rcpts, msg, strlen(msg), &reply, &why), -1,
	       "smtp: CR LF in a recipient refused");
	like(why.buf, "invalid recipient", "  why says so");
	strvec_clear(&rcpts);
	strbuf_reset(&why);
	is_int(net_smtp_send(&o, "p@lab.example", &rcpts, msg, strlen(msg), &reply, &why), -1,
	       "smtp: no recipients");
	strvec_push(&rcpts, "a@b.example");
	o.url = "smtp://0.0.0.0:1";
	o.user = "pinbench";
	o.password = "secret";
	strbuf_reset(&why);
	is_int(net_smtp_send(&o, "p@lab.example", &rcpts, msg, strlen(msg), &reply, &why), -1,
	       "smtp: a password in clear to a host not on loopback refused");
	like(why.buf, "in clear", "  why says so");
	o.url = "smtp://pinbench:secret@127.0.0.1:1";
	strbuf_reset(&why);
	is_int(net_smtp_send(&o, "p@lab.example", &rcpts, msg, strlen(msg), &reply, &why), -1,
	       "smtp: credentials in the URL refused");
	ok(!strstr(why.buf, "secret"), "  and not shown");
	o.url = "http://127.0.0.1:1/";
	strbuf_reset(&why);
	is_int(net_smtp_send(&o, "p@lab.example", &rcpts, msg, strlen(msg), &reply, &why), -1,
	       "smtp: not an SMTP URL");
	like(why.buf, "not an SMTP URL", "  why says so");
	strvec_clear(&rcpts);
	strbuf_release(&reply);
	strbuf_release(&why);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_subject();
	test_address();
	test_compose();
	test_hostile();
	test_invalid();
	test_folding();
	test_names();
	test_random();
	python_reads_folding();
	if (net_init()) {
		printf("Bail out! net_init\n");
		return 1;
	}
	test_smtp_refused();
	test_smtp();
	net_cleanup();
	/* KEEP=1 leaves the mails there, to look at */
	if (!getenv("KEEP"))
		remove_tree(tmpdir);
	strvec_clear(&fold_files);
	strvec_clear(&fold_subjects);
	return done_testing();
}
