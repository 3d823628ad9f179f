// SPDX-License-Identifier: GPL-2.0-only
/*
 * Result mails as RFC 5322 messages: headers folded and RFC 2047 encoded
 * where needed, a quoted-printable UTF-8 body, CRLF throughout. Nothing
 * from the patch mail is trusted: control characters are dropped from its
 * subject and its Message-IDs must be plain printable ASCII, so no CR or LF
 * can reach a header line.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "common/log.h"
#include "common/untrusted.h"
#include "reports/mail.h"

/* RFC 2047 allows 76 on lines with encoded-words; keeping it everywhere is inside RFC 5322's 78 */
#define HEADER_WIDTH	76
#define EW_MAX		75	/* RFC 2047: longest encoded-word */
#define EW_MIN_ROOM	24	/* prefix, suffix and one 4-byte character Q-encoded */
#define QP_WIDTH	76	/* RFC 2045: longest encoded line, soft break included */
#define MSGID_MAX	250
#define LOCAL_MAX	64	/* RFC 5321 limits */
#define ADDR_MAX	254
#define NAME_WORD_MAX	60	/* a longer atom or quoted name is encoded, so that it can fold */

static const char hex[] = "0123456789ABCDEF";
static const char lhex[] = "0123456789abcdef";

static int is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* RFC 5322 atext: what an unquoted word of a display name or a local part may hold */
static int is_atext(int c)
{
	return is_alnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static int is_control(int c)
{
	return (c >= 0 && c < 0x20) || c == 0x7f;
}

void mail_subject(const char *patch_subject, const char *verdict, struct strbuf *out)
{
	struct strbuf ps = STRBUF_INIT, v = STRBUF_INIT;

	strbuf_add_clean_line(&ps, patch_subject);
	strbuf_add_clean_line(&v, verdict);
	strbuf_addstr(out, "[pinbench]");
	if (ps.len)
		strbuf_addf(out, " %s%s", ps.buf, v.len ? ":" : "");
	if (v.len)
		strbuf_addf(out, " %s", v.buf);
	strbuf_release(&ps);
	strbuf_release(&v);
}

/* Addresses */

struct addr {
	struct strbuf name;	/* display name, unquoted and cleaned; may be empty */
	struct strbuf spec;	/* addr-spec */
};

static void addr_release(struct addr *a)
{
	strbuf_release(&a->name);
	strbuf_release(&a->spec);
}

/* Letters, digits and '-' in dot-separated non-empty labels. */
static int valid_domain(const char *d, size_t len)
{
	size_t i, label = 0;

	if (!len)
		return 0;
	for (i = 0; i < len; i++) {
		if (d[i] == '.') {
			if (!label)
				return 0;
			label = 0;
		} else if (is_alnum(d[i]) || d[i] == '-') {
			label++;
		} else {
			return 0;
		}
	}
	return label > 0;
}

static const char *check_spec(const char *s, size_t len)
{
	const char *at = memrchr(s, '@', len);
	size_t i, local;

	if (!at)
		return "no '@'";
	if (len > ADDR_MAX)
		return "too long";
	local = (size_t)(at - s);
	if (!local || local > LOCAL_MAX || s[0] == '.' || s[local - 1] == '.')
		return "bad local part";
	for (i = 0; i < local; i++)
		if (!(is_atext(s[i]) || (s[i] == '.' && s[i + 1] != '.')))
			return "bad local part";
	s += local + 1;
	len -= local + 1;
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		for (i = 1; i < len - 1; i++)
			if (s[i] <= 0x20 || s[i] >= 0x7f || strchr("[]\\", s[i]))
				return "bad domain";
		return NULL;
	}
	return valid_domain(s, len) ? NULL : "bad domain";
}

/* Unquote a "quoted string" display name; -1 if the quotes do not balance. */
static int unquote(const char *s, size_t len, struct strbuf *out)
{
	size_t i;

	for (i = 1; i < len - 1; i++) {
		if (s[i] == '\\' && i + 1 < len - 1)
			i++;
		else if (s[i] == '"' || s[i] == '\\')
			return -1;
		strbuf_addch(out, s[i]);
	}
	return 0;
}

/* "Name <a@b>", "\"Name\" <a@b>", "<a@b>" or "a@b" into a; NULL or why it is invalid. */
static const char *parse_address(const char *addr, struct addr *a)
{
	const char *s, *end, *lt, *why;
	struct strbuf raw = STRBUF_INIT;
	size_t nlen;

	if (!addr)
		return "missing";
	for (s = addr; *s; s++)
		if (is_control((unsigned char)*s))
			return "a control character";
	for (s = addr; *s == ' '; s++)
		;
	for (end = s + strlen(s); end > s && end[-1] == ' '; end--)
		;
	if (end == s)
		return "empty";
	if (end[-1] != '>') {
		why = check_spec(s, (size_t)(end - s));
		if (!why)
			strbuf_add(&a->spec, s, (size_t)(end - s));
		return why;
	}
	lt = memrchr(s, '<', (size_t)(end - s));
	if (!lt)
		return "unbalanced '>'";
	why = check_spec(lt + 1, (size_t)(end - lt - 2));
	if (why)
		return why;
	strbuf_add(&a->spec, lt + 1, (size_t)(end - lt - 2));
	for (nlen = (size_t)(lt - s); nlen && s[nlen - 1] == ' '; nlen--)
		;
	if (nlen && s[0] == '"') {
		if (nlen < 2 || s[nlen - 1] != '"' || unquote(s, nlen, &raw)) {
			strbuf_release(&raw);
			return "unbalanced '\"'";
		}
	} else {
		strbuf_add(&raw, s, nlen);
	}
	strbuf_add_clean_line(&a->name, raw.buf);
	strbuf_release(&raw);
	return NULL;
}

int mail_address(const char *addr, struct strbuf *out)
{
	struct addr a = { STRBUF_INIT, STRBUF_INIT };
	int ret = parse_address(addr, &a) ? -1 : 0;

	if (!ret)
		strbuf_add(out, a.spec.buf, a.spec.len);
	addr_release(&a);
	return ret;
}

/* Parse every address of a list; -1 with an error naming the field. */
static int parse_list(const char *field, const struct strvec *sv, struct addr **list, size_t *nr)
{
	struct strbuf log = STRBUF_INIT;
	size_t i, n = sv ? sv->nr : 0;
	const char *why;

	*nr = 0;
	*list = xcalloc(n ? n : 1, sizeof(**list));
	for (i = 0; i < n; i++) {
		struct addr *a = &(*list)[i];

		strbuf_init(&a->name, 0);
		strbuf_init(&a->spec, 0);
		*nr = i + 1;
		why = parse_address(sv->v[i], a);
		if (why) {
			error("invalid %s address '%s': %s", field, untrusted(&log, sv->v[i]), why);
			strbuf_release(&log);
			return -1;
		}
	}
	return 0;
}

static void free_list(struct addr *list, size_t nr)
{
	while (nr)
		addr_release(&list[--nr]);
	free(list);
}

int mail_envelope(const struct mail_input *in, struct strbuf *from, struct strvec *rcpts)
{
	const struct strvec *lists[] = { in->to, in->cc };
	struct strbuf log = STRBUF_INIT, spec = STRBUF_INIT;
	size_t i, j, from_len = from->len, rcpts_nr = rcpts->nr;
	int ret = 0;

	if (!in->from || mail_address(in->from, from)) {
		error("invalid From address '%s'", untrusted(&log, in->from ? in->from : ""));
		ret = -1;
	}
	for (i = 0; !ret && i < 2; i++) {
		for (j = 0; lists[i] && j < lists[i]->nr; j++) {
			size_t k;
			int seen = 0;

			strbuf_reset(&spec);
			if (mail_address(lists[i]->v[j], &spec)) {
				ret = error("invalid %s address '%s'", i ? "Cc" : "To",
					    untrusted(&log, lists[i]->v[j]));
				break;
			}
			for (k = 0; k < rcpts->nr; k++)
				seen |= !strcasecmp(rcpts->v[k], spec.buf);
			if (!seen)
				strvec_push(rcpts, spec.buf);
		}
	}
	if (ret) {
		strbuf_setlen(from, from_len);
		while (rcpts->nr > rcpts_nr)
			strvec_remove(rcpts, rcpts->nr - 1);
	}
	strbuf_release(&log);
	strbuf_release(&spec);
	return ret;
}

/* Header folding */

struct hdr {
	struct strbuf *out;
	size_t col;	/* characters on the current line */
};

static void hdr_begin(struct hdr *h, struct strbuf *out, const char *name)
{
	h->out = out;
	strbuf_addf(out, "%s:", name);
	h->col = strlen(name) + 1;
}

/*
 * Add punct (glued to what came before: "," between addresses) and then a
 * space and word; the space becomes a fold (CRLF, space) when word would
 * not fit on the current line. Words are never split.
 */
static void hdr_word(struct hdr *h, const char *punct, const char *word, size_t len)
{
	size_t plen = strlen(punct);

	strbuf_add(h->out, punct, plen);
	h->col += plen;
	if (h->col + 1 + len > HEADER_WIDTH) {
		strbuf_addstr(h->out, "\r\n");
		h->col = 0;
	}
	strbuf_addch(h->out, ' ');
	strbuf_add(h->out, word, len);
	h->col += 1 + len;
}

static void hdr_end(struct hdr *h)
{
	strbuf_addstr(h->out, "\r\n");
}

/*
 * RFC 2047 Q-encoding of one byte. In a phrase (a display name) only the
 * characters of 5(3) stay as they are; in unstructured text (Subject) any
 * printable ASCII but '=', '?', '_' may, and we also encode '"' and '\'.
 */
static void q_byte(struct strbuf *w, unsigned char c, int phrase)
{
	int raw;

	if (c == ' ') {
		strbuf_addch(w, '_');
		return;
	}
	if (phrase)
		raw = is_alnum(c) || (c && strchr("!*+-/", c));
	else
		raw = c > 0x20 && c < 0x7f && !strchr("=?_\"\\", c);
	if (raw) {
		strbuf_addch(w, c);
	} else {
		strbuf_addch(w, '=');
		strbuf_addch(w, hex[c >> 4]);
		strbuf_addch(w, hex[c & 15]);
	}
}

/* Length of text Q-encoded, without prefix and suffix. */
static size_t q_size(const unsigned char *s, const unsigned char *end, int phrase)
{
	struct strbuf tmp = STRBUF_INIT;
	size_t n;

	for (; s < end; s++)
		q_byte(&tmp, *s, phrase);
	n = tmp.len;
	strbuf_release(&tmp);
	return n;
}

/*
 * Add len bytes of text (clean UTF-8) as Q encoded-words of whole
 * characters, each at most 75 long, filling the current line first; spaces
 * are encoded inside the words, as a decoder drops the whitespace between
 * two encoded-words.
 *
 * Python's email package keeps that whitespace in display names (phrases)
 * though, so there a run goes whole to the next line when it fits one
 * encoded-word, and one that cannot is split after a space if it has one.
 */
static void hdr_encoded(struct hdr *h, const char *punct, const char *text, size_t len,
			int phrase)
{
	static const char prefix[] = "=?UTF-8?Q?";
	const unsigned char *s = (const unsigned char *)text, *end = s + len, *cut_s;
	struct strbuf w = STRBUF_INIT, ch = STRBUF_INIT;

	while (s < end) {
		size_t used = h->col + strlen(punct) + 1, cut_w = 0;
		size_t room = used < HEADER_WIDTH ? HEADER_WIDTH - used : 0;
		/* only phrases ask: a subject from the patch mail may be long */
		size_t whole = phrase ? strlen(prefix) + q_size(s, end, phrase) + 2 : 0;

		if (room > EW_MAX)
			room = EW_MAX;
		/* too little left: the word starts the next line */
		if (room < EW_MIN_ROOM || (whole > room && whole <= EW_MAX))
			room = EW_MAX;
		strbuf_reset(&w);
		strbuf_addstr(&w, prefix);
		cut_s = NULL;
		do {
			unsigned cp;
			size_t n = utf8_seq(s, &cp), i;

			if (!n || n > (size_t)(end - s))
				n = 1;
			strbuf_reset(&ch);
			for (i = 0; i < n; i++)
				q_byte(&ch, s[i], phrase);
			if (w.len > strlen(prefix) && w.len + ch.len + 2 > room) {
				if (phrase && cut_s) {
					strbuf_setlen(&w, cut_w);
					s = cut_s;
				}
				break;
			}
			strbuf_add(&w, ch.buf, ch.len);
			s += n;
			if (*ch.buf == '_') {
				cut_w = w.len;
				cut_s = s;
			}
		} while (s < end);
		strbuf_addstr(&w, "?=");
		hdr_word(h, punct, w.buf, w.len);
		punct = "";
	}
	strbuf_release(&w);
	strbuf_release(&ch);
}

/*
 * A word that can stay as it is: short enough for a line, without "=?"
 * (a decoder would take it for an encoded-word), and printable ASCII in
 * unstructured text, atext in a phrase.
 */
static int plain_word(const char *s, size_t len, int phrase)
{
	size_t i;

	if (len + 1 > HEADER_WIDTH)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (phrase ? !is_atext(c) : (c <= 0x20 || c >= 0x7f))
			return 0;
		if (c == '=' && i + 1 < len && s[i + 1] == '?')
			return 0;
	}
	return 1;
}

/*
 * Add clean text (single spaces between words, none at the ends): the words
 * that can stay as they are do, so that filters and people reading raw
 * headers see "[pinbench] [PATCH ...]" and the verdict, and each run of the
 * others becomes encoded-words.
 */
static void hdr_text(struct hdr *h, const char *punct, const char *text, int phrase)
{
	const char *p = text, *end, *next;

	while (*p) {
		end = strchrnul(p, ' ');
		if (plain_word(p, (size_t)(end - p), phrase)) {
			hdr_word(h, punct, p, (size_t)(end - p));
		} else {
			/* the run goes up to the next word that can stay as it is */
			while (*end) {
				next = strchrnul(end + 1, ' ');
				if (plain_word(end + 1, (size_t)(next - end - 1), phrase))
					break;
				end = next;
			}
			hdr_encoded(h, punct, p, (size_t)(end - p), phrase);
		}
		punct = "";
		p = *end ? end + 1 : end;
	}
}

static void add_subject(struct strbuf *out, const char *subject)
{
	struct hdr h;

	hdr_begin(&h, out, "Subject");
	hdr_text(&h, "", subject, 0);
	hdr_end(&h);
}

/*
 * A display name goes as a quoted-string when it is ASCII with specials
 * ("Doe, Jane") and short enough for a line, else as words (atoms where
 * they can be, encoded-words where not).
 */
static int name_quoted(const char *name)
{
	int specials = 0;

	if (strstr(name, "=?") || strlen(name) > NAME_WORD_MAX)
		return 0;
	for (; *name; name++) {
		if ((unsigned char)*name >= 0x80)
			return 0;
		if (*name != ' ' && !is_atext(*name))
			specials = 1;
	}
	return specials;
}

static void hdr_address(struct hdr *h, const char *punct, const struct addr *a)
{
	struct strbuf tmp = STRBUF_INIT;
	const char *p;

	if (!a->name.len) {
		hdr_word(h, punct, a->spec.buf, a->spec.len);
		return;
	}
	if (name_quoted(a->name.buf)) {
		strbuf_addch(&tmp, '"');
		for (p = a->name.buf; *p; p++) {
			if (*p == '"' || *p == '\\')
				strbuf_addch(&tmp, '\\');
			strbuf_addch(&tmp, *p);
		}
		strbuf_addch(&tmp, '"');
		hdr_word(h, punct, tmp.buf, tmp.len);
		strbuf_reset(&tmp);
	} else {
		hdr_text(h, punct, a->name.buf, 1);
	}
	strbuf_addf(&tmp, "<%s>", a->spec.buf);
	hdr_word(h, "", tmp.buf, tmp.len);
	strbuf_release(&tmp);
}

static void add_addresses(struct strbuf *out, const char *name, const struct addr *list,
			  size_t nr)
{
	struct hdr h;
	size_t i;

	hdr_begin(&h, out, name);
	for (i = 0; i < nr; i++)
		hdr_address(&h, i ? "," : "", &list[i]);
	hdr_end(&h);
}

/* Message-IDs */

/* A Message-ID from the patch mail, without <>, into out; -1 when unusable. */
static int clean_msgid(const char *id, struct strbuf *out)
{
	size_t len, i;

	while (*id == ' ')
		id++;
	len = strlen(id);
	while (len && id[len - 1] == ' ')
		len--;
	if (len && id[0] == '<') {
		id++;
		len--;
	}
	if (len && id[len - 1] == '>')
		len--;
	if (!len || len > MSGID_MAX)
		return -1;
	for (i = 0; i < len; i++)
		if ((unsigned char)id[i] <= 0x20 || (unsigned char)id[i] >= 0x7f ||
		    id[i] == '<' || id[i] == '>')
			return -1;
	strbuf_add(out, id, len);
	return 0;
}

/* References: the usable ones given, each once, then In-Reply-To unless it is there. */
static void collect_ids(const struct mail_input *in, struct strbuf *parent, struct strvec *refs)
{
	struct strbuf id = STRBUF_INIT, log = STRBUF_INIT;
	size_t i;

	if (in->in_reply_to && *in->in_reply_to && clean_msgid(in->in_reply_to, parent))
		warning("leaving out the unusable In-Reply-To message id '%s'",
			untrusted(&log, in->in_reply_to));
	for (i = 0; in->references && i < in->references->nr; i++) {
		strbuf_reset(&id);
		if (clean_msgid(in->references->v[i], &id))
			warning("leaving out the unusable References message id '%s'",
				untrusted(&log, in->references->v[i]));
		else if (!strvec_contains(refs, id.buf))
			strvec_push(refs, id.buf);
	}
	if (parent->len && !strvec_contains(refs, parent->buf))
		strvec_push(refs, parent->buf);
	strbuf_release(&id);
	strbuf_release(&log);
}

/*
 * Ours: unique without coordination, from the time, our pid, a counter for
 * several mails in one second, and random bytes for pids reused elsewhere.
 */
static void make_msgid(struct strbuf *out, const char *domain)
{
	static unsigned long counter;
	unsigned long n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
	unsigned char rnd[8];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;

	/* without entropy yet (early boot) the rest is still unique on this host */
	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd))
		memset(rnd, 0, sizeof(rnd));
	gmtime_r(&now, &tm);
	/* short enough for "Message-ID: <...>" on one line with a domain like "pinbench.local" */
	strbuf_addf(out, "%04d%02d%02d%02d%02d%02d.%ld.%lu.", tm.tm_year + 1900, tm.tm_mon + 1,
		    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)getpid(), n);
	for (i = 0; i < sizeof(rnd); i++) {
		strbuf_addch(out, lhex[rnd[i] >> 4]);
		strbuf_addch(out, lhex[rnd[i] & 15]);
	}
	strbuf_addf(out, "@%s", domain);
}

/* RFC 5322 3.3, in UTC, with English names whatever the locale. */
static void add_date(struct strbuf *out, time_t t)
{
	static const char *const day[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		t = 0;
		gmtime_r(&t, &tm);
	}
	strbuf_addf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", day[tm.tm_wday],
		    tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		    tm.tm_sec);
}

/* Body */

/*
 * One byte of quoted-printable: as it is where RFC 2045 allows, else =XX.
 * A space or tab before a line end is encoded (it would be taken for
 * padding), and so are '.' and "From " at the start of a line, for relays
 * that dot-stuff badly and mbox files that quote "From " lines.
 */
static size_t qp_token(char tok[3], const unsigned char *s, size_t col, int eol)
{
	unsigned char c = *s;
	int raw;

	if (c == ' ' || c == '\t')
		raw = !eol;
	else
		raw = c > 0x20 && c < 0x7f && c != '=';
	if (!col && (c == '.' || !strncmp((const char *)s, "From ", 5)))
		raw = 0;
	if (raw) {
		tok[0] = (char)c;
		return 1;
	}
	tok[0] = '=';
	tok[1] = hex[c >> 4];
	tok[2] = hex[c & 15];
	return 3;
}

static void qp_body(struct strbuf *out, const char *body)
{
	const unsigned char *s = (const unsigned char *)(body ? body : "");
	size_t col = 0, n;
	char tok[3];

	while (*s) {
		int eol;

		if (*s == '\n' || (s[0] == '\r' && s[1] == '\n')) {
			strbuf_addstr(out, "\r\n");
			col = 0;
			s += *s == '\r' ? 2 : 1;
			continue;
		}
		eol = !s[1] || s[1] == '\n' || (s[1] == '\r' && s[2] == '\n');
		n = qp_token(tok, s, col, eol);
		/* keep one column for the '=' of a soft line break */
		if (col + n > QP_WIDTH - 1) {
			strbuf_addstr(out, "=\r\n");
			col = 0;
			n = qp_token(tok, s, col, eol);
		}
		strbuf_add(out, tok, n);
		col += n;
		s++;
	}
	/* no final newline: the message still ends in CRLF, a soft break decoding to nothing */
	if (col)
		strbuf_addstr(out, "=\r\n");
}

/* Compose */

static void add_msgid(struct strbuf *out, const char *name, const char *id)
{
	struct strbuf tmp = STRBUF_INIT;
	struct hdr h;

	strbuf_addf(&tmp, "<%s>", id);
	hdr_begin(&h, out, name);
	hdr_word(&h, "", tmp.buf, tmp.len);
	hdr_end(&h);
	strbuf_release(&tmp);
}

static void add_references(struct strbuf *out, const struct strvec *refs)
{
	struct strbuf tmp = STRBUF_INIT;
	struct hdr h;
	size_t i;

	hdr_begin(&h, out, "References");
	for (i = 0; i < refs->nr; i++) {
		strbuf_reset(&tmp);
		strbuf_addf(&tmp, "<%s>", refs->v[i]);
		hdr_word(&h, "", tmp.buf, tmp.len);
	}
	hdr_end(&h);
	strbuf_release(&tmp);
}

struct parsed {
	struct addr *from, *to, *cc;
	size_t nfrom, nto, ncc;
};

static void parsed_release(struct parsed *p)
{
	free_list(p->from, p->nfrom);
	free_list(p->to, p->nto);
	free_list(p->cc, p->ncc);
}

static int parse_input(const struct mail_input *in, struct parsed *p, const char **domain)
{
	struct strvec from = STRVEC_INIT;
	int ret;

	if (!in->from || !*in->from)
		return error("mail has no From address");
	if (!in->to || !in->to->nr)
		return error("mail has no To address");
	strvec_push(&from, in->from);
	ret = parse_list("From", &from, &p->from, &p->nfrom);
	strvec_clear(&from);
	if (ret || parse_list("To", in->to, &p->to, &p->nto) ||
	    parse_list("Cc", in->cc, &p->cc, &p->ncc))
		return -1;
	*domain = in->domain && *in->domain ? in->domain : strrchr(p->from->spec.buf, '@') + 1;
	if (strlen(*domain) > 200 || !valid_domain(*domain, strlen(*domain))) {
		struct strbuf log = STRBUF_INIT;

		error("invalid Message-ID domain '%s'", untrusted(&log, *domain));
		strbuf_release(&log);
		return -1;
	}
	return 0;
}

int mail_compose(const struct mail_input *in, struct strbuf *out, char **message_id)
{
	struct parsed p = { NULL, NULL, NULL, 0, 0, 0 };
	struct strbuf subject = STRBUF_INIT, id = STRBUF_INIT, parent = STRBUF_INIT;
	struct strvec refs = STRVEC_INIT;
	const char *domain = NULL;

	*message_id = NULL;
	if (parse_input(in, &p, &domain)) {
		parsed_release(&p);
		return -1;
	}
	make_msgid(&id, domain);
	collect_ids(in, &parent, &refs);
	mail_subject(in->patch_subject, in->verdict, &subject);

	add_addresses(out, "From", p.from, 1);
	add_addresses(out, "To", p.to, p.nto);
	if (p.ncc)
		add_addresses(out, "Cc", p.cc, p.ncc);
	add_subject(out, subject.buf);
	add_date(out, in->date);
	add_msgid(out, "Message-ID", id.buf);
	if (parent.len)
		add_msgid(out, "In-Reply-To", parent.buf);
	if (refs.nr)
		add_references(out, &refs);
	strbuf_addstr(out, "MIME-Version: 1.0\r\n"
		      "Content-Type: text/plain; charset=UTF-8\r\n"
		      "Content-Transfer-Encoding: quoted-printable\r\n"
		      "X-Mailer: pinbench\r\n"
		      "\r\n");
	qp_body(out, in->body);

	*message_id = strbuf_detach(&id, NULL);
	parsed_release(&p);
	strbuf_release(&subject);
	strbuf_release(&parent);
	strvec_clear(&refs);
	return 0;
}
