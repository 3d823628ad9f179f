// SPDX-License-Identifier: GPL-2.0-only
#include "common/untrusted.h"

#define LOG_MAX	160	/* bytes of one outside string in a line: a long subject fits */

size_t utf8_seq(const unsigned char *s, unsigned *cp)
{
	unsigned c = s[0], min;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	c &= 0x7f >> n;		/* the lead byte's payload bits */
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* the NUL at the end stops here too */
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int utf8_printable(unsigned cp)
{
	return cp >= 0x20 && (cp < 0x7f || cp >= 0xa0);
}

void strbuf_add_clean_line(struct strbuf *sb, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t start = sb->len;
	int space = 0;

	while (*s) {
		unsigned cp = 0xfffd;
		size_t n = utf8_seq(s, &cp);

		if (cp == ' ' || cp == '\t') {
			space = 1;
		} else if (utf8_printable(cp)) {
			if (space && sb->len > start)
				strbuf_addch(sb, ' ');
			space = 0;
			if (n)
				strbuf_add(sb, s, n);
			else
				strbuf_addstr(sb, "\xef\xbf\xbd");
		}
		s += n ? n : 1;
	}
}

void strbuf_add_escaped(struct strbuf *sb, const char *str, size_t max)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t i = 0, n;

	while (s[i] && (!max || i < max)) {
		unsigned cp = 0;

		n = utf8_seq(s + i, &cp);
		if (n && utf8_printable(cp)) {
			strbuf_add(sb, s + i, n);
			i += n;
			continue;
		}
		for (n = n ? n : 1; n--; i++)
			strbuf_addf(sb, "\\x%02x", s[i]);
	}
	if (s[i])
		strbuf_addstr(sb, "...");
}

const char *untrusted(struct strbuf *sb, const char *str)
{
	strbuf_reset(sb);
	strbuf_add_escaped(sb, str, LOG_MAX);
	return sb->buf;
}
