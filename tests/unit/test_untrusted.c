// SPDX-License-Identifier: GPL-2.0-only
/* The one sanitiser for outside text on a terminal, in a report or a header. */
#include "common/untrusted.h"
#include "tests/tap.h"

static void test_clean_line(void)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_add_clean_line(&sb, "  [PATCH] fs:\r\nBcc: victim@example.com\t\tend  ");
	is_str(sb.buf, "[PATCH] fs:Bcc: victim@example.com end", "CR and LF dropped, blanks folded");
	strbuf_reset(&sb);
	strbuf_add_clean_line(&sb, "caf\xc3\xa9 \x1b[2J \xc2\x9b" "31m bad\xff");
	is_str(sb.buf, "caf\xc3\xa9 [2J 31m bad\xef\xbf\xbd", "ESC and C1 CSI dropped, a stray byte is U+FFFD");
	strbuf_reset(&sb);
	strbuf_add_clean_line(&sb, NULL);
	is_int(sb.len, 0, "NULL appends nothing");
	strbuf_release(&sb);
}

static void test_escaped(void)
{
	struct strbuf sb = STRBUF_INIT;
	char long_name[400];

	is_str(untrusted(&sb, "a\rb\nc\x1b" "d\xc0\xaf"), "a\\x0db\\x0ac\\x1bd\\xc0\\xaf",
	       "controls and an overlong form as \\xNN");
	is_str(untrusted(&sb, "na\xc3\xafve"), "na\xc3\xafve", "valid UTF-8 kept");
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	untrusted(&sb, long_name);
	is_int(sb.len, 160 + 3, "cut at 160 bytes with ...");
	strbuf_reset(&sb);
	strbuf_add_escaped(&sb, long_name, 0);
	is_int(sb.len, sizeof(long_name) - 1, "no limit with 0");
	strbuf_release(&sb);
}

int main(void)
{
	test_clean_line();
	test_escaped();
	return done_testing();
}
