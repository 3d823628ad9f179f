// SPDX-License-Identifier: GPL-2.0-only
/*
 * Message ids as people paste them, URL path escaping as public-inbox does
 * it (its t/mid.t: "foo!@(bar)" stays, '%' becomes %25), and lore_fetch
 * when the server cannot be reached: the cached copy, or an infra error;
 * net_get refusing what is not http(s).
 * The fetch over HTTP is tests/integration/lore.sh's.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/net.h"
#include "kernels/lore.h"
#include "tests/tap.h"

/* Nothing listens on port 1: connections are refused at once. */
#define DEAD_URL "http://127.0.0.1:1/all"

static void parse_ok(const char *spec, const char *want, const char *name)
{
	struct strbuf id = STRBUF_INIT, why = STRBUF_INIT;

	is_int(lore_parse_msgid(spec, &id, &why), 0, name);
	is_str(id.buf, want, "  gives the id");
	if (why.len)
		printf("#   why: %s\n", why.buf);
	strbuf_release(&id);
	strbuf_release(&why);
}

static void parse_bad(const char *spec, const char *want_why, const char *name)
{
	struct strbuf id = STRBUF_INIT, why = STRBUF_INIT;

	strbuf_addstr(&id, "stale");
	is_int(lore_parse_msgid(spec, &id, &why), -1, name);
	like(why.buf, want_why, "  why says so");
	is_int(id.len, 0, "  no id");
	strbuf_release(&id);
	strbuf_release(&why);
}

static void test_parse(void)
{
	parse_ok("20240101.1@x", "20240101.1@x", "bare id");
	parse_ok("<20240101.1@x>", "20240101.1@x", "id in angle brackets");
	parse_ok("  <20240101.1@x>\n", "20240101.1@x", "surrounding whitespace is trimmed");
	parse_ok("https://lore.kernel.org/all/20240101.1@x/", "20240101.1@x", "pasted lore URL");
	parse_ok("https://lore.kernel.org/linux-fsdevel/20240101.1@x/T/#u", "20240101.1@x",
		 "thread URL with a fragment");
	parse_ok("https://lore.kernel.org/r/20240101.1@x", "20240101.1@x", "/r/ URL, no slash");
	parse_ok("HTTPS://lore.kernel.org/all/20240101.1@x/", "20240101.1@x", "scheme in capitals");
	parse_ok("http://example.org/pi/lkml/a%2Bb%40x/raw", "a+b@x",
		 "URL under a prefix, percent-encoded");
	parse_ok("https://lore.kernel.org/all/20240101.1@x/t.mbox.gz?x=1", "20240101.1@x",
		 "t.mbox.gz URL with a query");
	parse_ok("cover.1700000000.git.a+b=c@kernel.org", "cover.1700000000.git.a+b=c@kernel.org",
		 "git send-email style id");

	parse_bad("", "empty", "empty spec");
	parse_bad("   ", "empty", "whitespace only");
	parse_bad("<>", "empty", "empty brackets");
	parse_bad("a b@x", "whitespace", "space inside");
	parse_bad("a\tb@x", "whitespace", "tab inside");
	parse_bad("a\x01@x", "control", "control character");
	parse_bad("<a@x", "closing", "unbalanced bracket");
	parse_bad("<a<b@x>", "'<'", "bracket inside");
	parse_bad("a/b@x", "'/'", "slash inside");
	parse_bad("https://lore.kernel.org/all/", "no message id", "URL without an id");
	parse_bad("https://lore.kernel.org", "no message id", "URL without a path");
	parse_bad("..", "one '@'", "'..' is no id (it would climb the URL path)");
	parse_bad("<..>", "one '@'", "nor '<..>'");
	parse_bad("all", "one '@'", "an id without '@'");
	parse_bad("a@b@c", "one '@'", "two '@'");
	parse_bad("@x", "one '@'", "nothing before '@'");
	parse_bad("a@", "one '@'", "nothing after '@'");
	parse_bad("..@x", "only dots", "a left part of dots");
	parse_bad("a@..", "only dots", "a right part of dots");
	parse_bad("\xc3\xa9@x", "outside ASCII", "a byte outside ASCII");
	parse_bad("a@x\x7f", "control", "DEL");
	{
		char long_id[260];

		memset(long_id, 'a', sizeof(long_id) - 1);
		long_id[sizeof(long_id) - 1] = '\0';
		long_id[10] = '@';
		parse_bad(long_id, "longer than 250", "an id past 250 characters");
		long_id[250] = '\0';
		parse_ok(long_id, long_id, "one of 250 characters");
	}
	parse_ok("a..b@x.y", "a..b@x.y", "dots inside a part are fine");
}

static void escape_is(const char *in, const char *want, const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "pre/");
	net_escape_segment(&sb, in);
	is_str(sb.buf + 4, want, name);
	strbuf_release(&sb);
}

static void test_escape(void)
{
	escape_is("20240101.1@x", "20240101.1@x", "plain id kept");
	escape_is("foo!@(bar)", "foo!@(bar)", "public-inbox's own case: sub-delims kept");
	escape_is("foo%!@(bar)", "foo%25!@(bar)", "'%' encoded");
	escape_is("a+b=c,d;e:f~g_h-i.j$k&l'm*", "a+b=c,d;e:f~g_h-i.j$k&l'm*", "the rest of pchar kept");
	escape_is("a/b?c#d e", "a%2Fb%3Fc%23d%20e", "'/', '?', '#', space encoded");
	escape_is("<a\"b>[c]\\d^e`f{g}|h", "%3Ca%22b%3E%5Bc%5D%5Cd%5Ee%60f%7Bg%7D%7Ch",
		  "other ASCII punctuation encoded");
	escape_is("\xc3\xa9\x7f\x01", "%C3%A9%7F%01", "non-ASCII and controls encoded, upper-case hex");
	escape_is("", "", "empty");
}

static void test_net(void)
{
	struct strbuf body = STRBUF_INIT, why = STRBUF_INIT;
	long status = -1;

	strbuf_addstr(&body, "kept");
	is_int(net_get("file:///etc/hostname", &body, &status, &why, 0, 5), -1,
	       "net_get refuses file://");
	like(why.buf, "file", "  why names the protocol");
	is_str(body.buf, "kept", "  body untouched");
	is_int(status, 0, "  no status");

	strbuf_reset(&why);
	is_int(net_get(DEAD_URL "/x", &body, &status, &why, 0, 5), -1, "net_get to a closed port");
	like(why.buf, "onnect", "  why says it could not connect");
	strbuf_release(&body);
	strbuf_release(&why);
}

static char tmpdir[] = "/tmp/pinbench-test-lore.XXXXXX";

static void cached_path(struct strbuf *path, const char *msgid)
{
	char hex[65];

	sha256_hex(msgid, strlen(msgid), hex);
	strbuf_addf(path, "%s/lore/%s.mbox", tmpdir, hex);
}

static void test_offline(void)
{
	struct strbuf path = STRBUF_INIT, mbox = STRBUF_INIT;
	const char *thread = "From x@y Mon Sep 17 00:00:00 2001\nSubject: [PATCH] a\n\n";
	FILE *f;
	int infra = -1;

	strbuf_addstr(&mbox, "kept");
	is_int(lore_fetch("none@x", DEAD_URL, tmpdir, &mbox, &infra), -1,
	       "unreachable server, nothing cached");
	is_int(infra, 1, "  is an infrastructure failure");
	is_str(mbox.buf, "kept", "  mbox is left as it was");

	infra = -1;
	is_int(lore_fetch("none@x", DEAD_URL, NULL, &mbox, &infra), -1, "no cache dir at all");
	is_int(infra, 1, "  infrastructure failure too");

	infra = -1;
	is_int(lore_fetch("..", DEAD_URL, NULL, &mbox, &infra), -1,
	       "lore_fetch checks the id too: '..' is refused");
	is_int(infra, 0, "  as a configuration error, before any connection");

	strbuf_addf(&path, "%s/lore", tmpdir);
	ok(!mkdir(path.buf, 0755), "make the cache dir");
	strbuf_reset(&path);
	infra = -1;
	is_int(lore_fetch("none@x", "file:///etc/", tmpdir, &mbox, &infra), -1,
	       "a file:// archive URL is refused");
	is_int(infra, 0, "  as a configuration error");

	cached_path(&path, "cached@x");
	f = fopen(path.buf, "w");
	ok(f && fputs(thread, f) >= 0 && !fclose(f), "put a thread in the cache");

	strbuf_reset(&mbox);
	infra = -1;
	is_int(lore_fetch("cached@x", DEAD_URL "/", tmpdir, &mbox, &infra), 0,
	       "unreachable server, cached copy");
	is_int(infra, 0, "  no failure");
	is_str(mbox.buf, thread, "  the cached thread");

	/* a copy another user may have written is not taken */
	ok(!chmod(path.buf, 0666), "make the cached thread writable by others");
	strbuf_reset(&mbox);
	infra = -1;
	is_int(lore_fetch("cached@x", DEAD_URL "/", tmpdir, &mbox, &infra), -1,
	       "unreachable server, cached copy writable by others: refused");
	is_int(infra, 1, "  an infrastructure failure");
	is_str(mbox.buf, "", "  nothing read");
	ok(!chmod(path.buf, 0644) && !chmod(tmpdir, 0777),
	   "the thread is ours again, the cache directory writable by all");
	infra = -1;
	is_int(lore_fetch("cached@x", DEAD_URL "/", tmpdir, &mbox, &infra), -1,
	       "a cache directory others may write: the copy is refused too");
	ok(!chmod(tmpdir, 0700), "the cache directory is ours again");
	infra = -1;
	is_int(lore_fetch("cached@x", DEAD_URL "/", tmpdir, &mbox, &infra), 0,
	       "and the cached copy is used");

	unlink(path.buf);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/lore", tmpdir);
	rmdir(path.buf);
	strbuf_release(&path);
	strbuf_release(&mbox);
}

int main(void)
{
	if (net_init()) {
		printf("Bail out! net_init\n");
		return 1;
	}
	test_parse();
	test_escape();
	test_net();
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_offline();
	rmdir(tmpdir);
	net_cleanup();
	return done_testing();
}
