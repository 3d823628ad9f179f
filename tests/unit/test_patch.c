// SPDX-License-Identifier: GPL-2.0-only
/*
 * Patches and series: subject tags, mbox splitting through GMime, series
 * picking, and loading files and directories. The fixtures in
 * tests/fixtures/mbox are real git format-patch output and a hand-made
 * awkward mbox (README.md there says how each was made).
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hash.h"
#include "kernels/patch.h"
#include "tests/tap.h"

#define MBOX_FX FIXTURE_DIR "/mbox/"

/* Message-Ids that gen-git.sh got from git format-patch --thread */
#define V1_COVER_ID "cover.1795548421.git.ada@example.org"
#define V1_P2_ID "794aefda997f80b371dd6283e48648517aaf36f4.1795548421.git.ada@example.org"
#define V2_COVER_ID "cover.1795548422.git.ada@example.org"

/* error() goes to stderr; the checks want to see what it said */
static char captured[8192];
static FILE *cap_file;
static int cap_saved = -1;

static void capture_begin(void)
{
	fflush(stderr);
	cap_file = tmpfile();
	cap_saved = dup(2);
	if (cap_file && cap_saved >= 0)
		dup2(fileno(cap_file), 2);
}

static const char *capture_end(void)
{
	size_t n = 0;

	fflush(stderr);
	if (cap_saved >= 0) {
		dup2(cap_saved, 2);
		close(cap_saved);
		cap_saved = -1;
	}
	if (cap_file) {
		rewind(cap_file);
		n = fread(captured, 1, sizeof(captured) - 1, cap_file);
		fclose(cap_file);
		cap_file = NULL;
	}
	captured[n] = '\0';
	return captured;
}

static int read_fixture(const char *name, struct strbuf *sb)
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	strbuf_addf(&path, "%s%s", MBOX_FX, name);
	ret = strbuf_read_file(sb, path.buf, 0);
	if (ret)
		printf("# cannot read '%s'\n", path.buf);
	strbuf_release(&path);
	return ret;
}

static int split_fixture(const char *name, struct patch_list *l)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = read_fixture(name, &sb);

	if (!ret)
		ret = patch_split(sb.buf, sb.len, name, l);
	strbuf_release(&sb);
	return ret;
}

static const char *subj(const struct patch_list *l, size_t i)
{
	return i < l->nr ? l->v[i].subject : NULL;
}

static void check_subject(const char *subject, const char *want)
{
	struct strbuf got = STRBUF_INIT, name = STRBUF_INIT;
	unsigned v = 99, k = 99, n = 99;
	const char *rest = NULL;
	int ret = patch_subject_parse(subject, &v, &k, &n, &rest);

	strbuf_addf(&got, "%d v%u %u/%u %s", ret, v, k, n, rest ? rest : "(null)");
	strbuf_addf(&name, "subject '%s'", subject);
	is_str(got.buf, want, name.buf);
	strbuf_release(&got);
	strbuf_release(&name);
}

static void test_subjects(void)
{
	check_subject("[PATCH] fs: foo", "1 v1 0/0 fs: foo");
	check_subject("[PATCH v2] fs: foo", "1 v2 0/0 fs: foo");
	check_subject("[PATCH v2 3/5] fs: foo", "1 v2 3/5 fs: foo");
	check_subject("[PATCH 03/12] fs: foo", "1 v1 3/12 fs: foo");
	check_subject("[RFC PATCH v3 0/4] fs: foo", "1 v3 0/4 fs: foo");
	check_subject("[PATCH RESEND v2 1/2] fs: foo", "1 v2 1/2 fs: foo");
	check_subject("[PATCH net-next 2/2] net: foo", "1 v1 2/2 net: foo");
	check_subject("[PATCH V2 1/2] fs: foo", "1 v2 1/2 fs: foo");
	check_subject("[PATCH 1/3 v5] fs: foo", "1 v5 1/3 fs: foo");
	check_subject("[PATCHv4 2/3] fs: foo", "1 v4 2/3 fs: foo");
	check_subject("[patch v2] fs: lower case", "1 v2 0/0 fs: lower case");
	check_subject("[PATCH v2 net-next 1/2] net: foo", "1 v2 1/2 net: foo");
	check_subject("Re: [PATCH v2 3/5] fs: foo", "1 v2 3/5 fs: foo");
	check_subject("RE: [PATCH] fs: foo", "1 v1 0/0 fs: foo");
	check_subject("Re: Re: [PATCH 1/2] fs: foo", "1 v1 1/2 fs: foo");
	check_subject("[Intel-gfx] [PATCH v2 1/3] drm: foo", "1 v2 1/3 drm: foo");
	check_subject("fs: no tag", "0 v1 0/0 fs: no tag");
	check_subject("Re: fs: no tag", "0 v1 0/0 fs: no tag");
	check_subject("[GIT PULL] vfs fixes", "0 v1 0/0 [GIT PULL] vfs fixes");
	check_subject("[patchwork] not a patch", "0 v1 0/0 [patchwork] not a patch");
	check_subject("Reduce: not a reply", "0 v1 0/0 Reduce: not a reply");
	check_subject("", "0 v1 0/0 ");
}

static void test_recipients(void)
{
	struct patch_list out = PATCH_LIST_INIT;
	struct patch cover;
	int infra = 0;

	is_int(patch_load(MBOX_FX "cc.patch", NULL, &out, &cover, &infra), 0,
	       "a patch mailed with --to and --cc loads");
	if (out.nr == 1)
		is_str(out.v[0].recipients, "linux-fsdevel@vger.example\n"
		       "\"Doe, Jane\" <jane@example.org>\nmai@example.org",
		       "its To and Cc, one per line, a comma inside a quoted name kept");
	patch_list_release(&out);
	patch_release(&cover);
}

static void test_single_file(void)
{
	struct patch_list out = PATCH_LIST_INIT;
	struct strbuf raw = STRBUF_INIT;
	struct patch cover;
	char sha[65];
	int infra = 7;

	is_int(patch_load(MBOX_FX "single.patch", NULL, &out, &cover, &infra), 0,
	       "single format-patch file loads");
	is_int(infra, 0, "not an infrastructure failure");
	is_int(out.nr, 1, "one patch");
	if (out.nr != 1)
		goto out;
	is_str(out.v[0].full_subject, "[PATCH] lib: frob by two", "full subject");
	is_str(out.v[0].subject, "lib: frob by two", "subject without the tag");
	is_str(out.v[0].author, "Ada Lovelace <ada@example.org>", "author");
	is_str(out.v[0].recipients, "", "no To or Cc");
	is_str(out.v[0].message_id, "", "no Message-Id without --thread");
	is_str(out.v[0].in_reply_to, "", "no In-Reply-To");
	is_str(out.v[0].origin, MBOX_FX "single.patch", "origin is the file");
	is_int(out.v[0].version, 1, "version 1");
	is_int(out.v[0].index, 0, "lone patch: index 0");
	is_int(out.v[0].total, 0, "lone patch: total 0");
	ok(out.v[0].has_diff && !out.v[0].is_reply, "a patch, not a reply");
	ok(!cover.message_id, "no cover letter");
	if (!read_fixture("single.patch", &raw)) {
		const char *body = strchr(raw.buf, '\n') + 1;

		is_str(out.v[0].text.buf, body, "text is the file without its mbox From line");
	}
	sha256_hex(out.v[0].text.buf, out.v[0].text.len, sha);
	is_str(out.v[0].sha, sha, "sha is sha256 of text");
out:
	strbuf_release(&raw);
	patch_list_release(&out);
	patch_release(&cover);
}

static void test_split_versions(void)
{
	struct patch_list all = PATCH_LIST_INIT;

	is_int(split_fixture("series-v1-v2.mbox", &all), 0, "v1+v2 mbox splits");
	is_int(all.nr, 6, "six messages");
	if (all.nr != 6)
		goto out;
	is_str(all.v[0].origin, "series-v1-v2.mbox message 1", "origin names the message");
	is_str(all.v[5].origin, "series-v1-v2.mbox message 6", "origin of the last one");
	is_str(all.v[0].message_id, V1_COVER_ID, "Message-Id without <>");
	is_str(all.v[1].in_reply_to, V1_COVER_ID, "In-Reply-To without <>");
	is_str(all.v[3].full_subject, "[PATCH v2 0/2] lib: faster frob and twiddle", "v2 cover subject");
	ok(!all.v[3].has_diff && all.v[4].has_diff, "cover has no diff, patch has");
	ok(starts_with(all.v[4].text.buf, "Message-Id: <"), "text starts at the headers");
	ok(!strstr(all.v[2].text.buf, "\nFrom 02cdcdbf"), "next separator not in the text");
	like(all.v[2].text.buf, "-- \n2.39.5\n", "text ends with the signature");
out:
	patch_list_release(&all);
}

static void test_pick_newest(void)
{
	struct patch_list all = PATCH_LIST_INIT, out = PATCH_LIST_INIT;
	struct strbuf note = STRBUF_INIT;
	struct patch cover;

	split_fixture("series-v1-v2.mbox", &all);
	is_int(patch_pick_series(&all, NULL, &out, &cover, &note), 0, "pick from v1+v2");
	is_int(all.nr, 0, "all is consumed");
	is_int(out.nr, 2, "two patches");
	is_str(subj(&out, 0), "lib: frob by two", "v2 1/2");
	is_str(subj(&out, 1), "lib: twiddle with an add", "v2 2/2 (not v1's shift)");
	ok(out.nr == 2 && out.v[0].version == 2 && out.v[1].index == 2, "v2, in order");
	is_str(note.buf, "2 versions of the series (v1, v2): using v2", "note names the versions");
	is_str(cover.message_id, V2_COVER_ID, "v2 cover letter returned");
	is_int(cover.total, 2, "cover: 0/2");
	patch_list_release(&out);
	patch_release(&cover);
	strbuf_release(&note);
}

static void test_pick_wanted(void)
{
	struct patch_list all = PATCH_LIST_INIT, out = PATCH_LIST_INIT;
	struct strbuf note = STRBUF_INIT;
	struct patch cover;

	split_fixture("series-v1-v2.mbox", &all);
	is_int(patch_pick_series(&all, V1_COVER_ID, &out, &cover, &note), 0, "pick v1 by cover id");
	is_str(subj(&out, 1), "lib: twiddle with a shift", "v1 2/2");
	ok(out.nr == 2 && out.v[0].version == 1, "both from v1");
	is_str(cover.message_id, V1_COVER_ID, "v1 cover letter");
	like(note.buf, "using v1, which holds <" V1_COVER_ID ">", "note says why v1");
	patch_list_release(&out);
	patch_release(&cover);
	strbuf_reset(&note);

	split_fixture("series-v1-v2.mbox", &all);
	is_int(patch_pick_series(&all, V1_P2_ID, &out, NULL, &note), 0, "pick v1 by a patch id");
	ok(out.nr == 2 && out.v[1].version == 1, "v1 again, cover not asked for");
	patch_list_release(&out);
	strbuf_reset(&note);

	split_fixture("series-v1-v2.mbox", &all);
	is_int(patch_pick_series(&all, "nobody@example.org", &out, NULL, &note), 0,
	       "unknown id: still picks");
	ok(out.nr == 2 && out.v[0].version == 2, "the newest");
	like(note.buf, "<nobody@example.org> is not among the messages: using v2", "and says so");
	patch_list_release(&out);
	strbuf_release(&note);
}

static void test_incomplete(void)
{
	struct patch_list all = PATCH_LIST_INIT, out = PATCH_LIST_INIT;
	struct patch cover;
	const char *err;

	split_fixture("series-v1-v2.mbox", &all);
	if (all.nr == 6)
		patch_release(&all.v[--all.nr]);	/* v2 2/2 lost */
	capture_begin();
	is_int(patch_pick_series(&all, NULL, &out, &cover, NULL), -1, "incomplete v2 fails");
	err = capture_end();
	like(err, "missing patch 2/2 (v2) in 'series-v1-v2.mbox'", "error names k/N, version, file");
	is_int(out.nr, 0, "nothing picked");
	is_int(all.nr, 0, "all consumed on error too");
	ok(!cover.message_id, "no cover on error");
	patch_release(&cover);
}

static void test_plain_diff(void)
{
	struct patch_list out = PATCH_LIST_INIT;
	struct strbuf raw = STRBUF_INIT;
	const char *index_diff = "Index: fs/foo.c\n"
				 "===================================================================\n"
				 "--- fs/foo.c\n+++ fs/foo.c\n@@ -1 +1 @@\n-a\n+b";

	is_int(patch_load(MBOX_FX "plain.diff", NULL, &out, NULL, NULL), 0, "plain diff loads");
	is_int(out.nr, 1, "one patch");
	if (out.nr == 1) {
		is_str(out.v[0].subject, "plain.diff", "subject is the file name");
		is_str(out.v[0].author, "", "no author");
		is_str(out.v[0].message_id, "", "no message id");
		ok(out.v[0].has_diff, "has a diff");
		if (!read_fixture("plain.diff", &raw))
			is_str(out.v[0].text.buf, raw.buf, "text is the file");
	}
	patch_list_release(&out);

	is_int(patch_split(index_diff, strlen(index_diff), "dir/quilt.patch", &out), 0,
	       "'Index:' then '====': a diff, not a mail");
	is_str(subj(&out, 0), "quilt.patch", "base name as subject");
	ok(out.nr == 1 && out.v[0].text.buf[out.v[0].text.len - 1] == '\n', "newline added");
	patch_list_release(&out);

	capture_begin();
	is_int(patch_split("hello\nworld\n", 12, "notes.txt", &out), -1, "no mail, no diff");
	like(capture_end(), "'notes.txt' is neither a mail nor a diff", "and says so");
	capture_begin();
	is_int(patch_split(" \n", 2, "blank.patch", &out), -1, "blank input");
	like(capture_end(), "'blank.patch' is empty", "is empty");
	is_int(out.nr, 0, "nothing appended");
	strbuf_release(&raw);
}

static void test_awkward(void)
{
	struct patch_list all = PATCH_LIST_INIT, out = PATCH_LIST_INIT;
	struct strbuf note = STRBUF_INIT;
	struct patch cover;
	int no_cr = 1;

	is_int(split_fixture("awkward.mbox", &all), 0, "awkward mbox splits");
	is_int(all.nr, 4, "four messages");
	if (all.nr != 4)
		goto out;
	for (size_t i = 0; i < all.nr; i++)
		if (memchr(all.v[i].text.buf, '\r', all.v[i].text.len))
			no_cr = 0;
	ok(no_cr, "CRLF turned into LF");
	ok(starts_with(all.v[0].text.buf, "From: Ada"), "separator dropped");
	is_str(all.v[0].full_subject, "[PATCH 2/2] mm: caf\xc3\xa9 and na\xc3\xafve paths",
	       "subject of two RFC 2047 words");
	is_str(all.v[0].subject, "mm: caf\xc3\xa9 and na\xc3\xafve paths", "decoded subject");
	is_str(all.v[0].in_reply_to, "awk-0@example.org", "In-Reply-To");
	ok(all.v[1].is_reply && all.v[1].has_diff, "review with a diff is a reply");
	is_str(all.v[2].author, "J\xc3\xb6rg R\xc3\xb6" "del <joro@example.org>", "RFC 2047 author");
	like(all.v[2].text.buf, "\n\nFrom the start, start() returned 0.\n", "mboxrd >From unquoted");
	like(all.v[2].text.buf, "\n>From x\n", ">>From x becomes >From x");
	ok(!strstr(all.v[2].text.buf, ">From the start") && !strstr(all.v[2].text.buf, ">>From"),
	   "unquoted exactly once");
	ok(all.v[3].text.len && all.v[3].text.buf[all.v[3].text.len - 1] == '\n', "text ends in LF");

	is_int(patch_pick_series(&all, NULL, &out, &cover, &note), 0, "awkward series picks");
	is_int(out.nr, 2, "reply and cover dropped");
	is_str(subj(&out, 0), "x86: start at one", "1/2 first though sent second");
	is_str(out.nr == 2 ? out.v[1].message_id : NULL, "awk-2@example.org", "then 2/2");
	is_str(cover.subject, "awkward: a test series", "cover letter");
	is_str(note.buf, "", "no note: one version");
	patch_list_release(&out);
	patch_release(&cover);

	split_fixture("awkward.mbox", &all);
	is_int(patch_pick_series(&all, "awk-r@example.org", &out, NULL, &note), 0,
	       "a reply's id still picks");
	like(note.buf, "<awk-r@example.org> is a reply, not a patch: using v1", "note says so");
	is_int(out.nr, 2, "the series");
out:
	patch_list_release(&all);
	patch_list_release(&out);
	strbuf_release(&note);
}

static void test_base64_mail(void)
{
	struct patch_list out = PATCH_LIST_INIT;
	struct strbuf raw = STRBUF_INIT;

	is_int(patch_load(MBOX_FX "base64.eml", NULL, &out, NULL, NULL), 0,
	       "mail without a From line loads");
	is_int(out.nr, 1, "one patch");
	if (out.nr == 1) {
		ok(out.v[0].has_diff, "diff found in the base64 body");
		is_str(out.v[0].message_id, "b64@example.org", "message id");
		if (!read_fixture("base64.eml", &raw))
			is_str(out.v[0].text.buf, raw.buf, "text is the mail as sent");
	}
	strbuf_release(&raw);
	patch_list_release(&out);
}

/* A git format-patch style mail, in an mbox */
static void add_mail(struct strbuf *mbox, const char *subject, const char *msgid,
		     const char *body)
{
	strbuf_addf(mbox, "From 0123456789abcdef Mon Sep 17 00:00:00 2001\n"
		    "From: Ada Lovelace <ada@example.org>\n"
		    "Subject: %s\nMessage-ID: <%s>\n\n%s\n---\n"
		    "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-%s\n+x\n\n",
		    subject, msgid, body, msgid);
}

static void add_mail_without_diff(struct strbuf *mbox, const char *subject, const char *msgid)
{
	strbuf_addf(mbox, "From 0123456789abcdef Mon Sep 17 00:00:00 2001\n"
		    "From: Ada Lovelace <ada@example.org>\n"
		    "Subject: %s\nMessage-ID: <%s>\n\nJust words.\n\n", subject, msgid);
}

static int pick_mbox_ret(const struct strbuf *mbox, struct patch_list *out, struct strbuf *note)
{
	struct patch_list all = PATCH_LIST_INIT;
	int ret = patch_split(mbox->buf, mbox->len, "mem.mbox", &all);

	if (!ret)
		ret = patch_pick_series(&all, NULL, out, NULL, note);
	patch_list_release(&all);
	return ret;
}

static void pick_mbox(const struct strbuf *mbox, struct patch_list *out, struct strbuf *note)
{
	struct patch_list all = PATCH_LIST_INIT;

	if (!patch_split(mbox->buf, mbox->len, "mem.mbox", &all))
		patch_pick_series(&all, NULL, out, NULL, note);
	patch_list_release(&all);
}

static void test_lone_and_resends(void)
{
	struct patch_list out = PATCH_LIST_INIT;
	struct strbuf mbox = STRBUF_INIT, note = STRBUF_INIT;

	add_mail(&mbox, "[PATCH] c: third", "c", "C.");
	add_mail(&mbox, "[PATCH] a: first", "a", "A.");
	add_mail(&mbox, "[PATCH] b: second", "b", "B.");
	pick_mbox(&mbox, &out, &note);
	is_int(out.nr, 3, "independent lone patches all kept");
	ok(out.nr == 3 && !strcmp(out.v[0].message_id, "c") && !strcmp(out.v[2].message_id, "b"),
	   "in input order");
	is_str(note.buf, "", "no note");
	patch_list_release(&out);

	strbuf_reset(&mbox);
	add_mail(&mbox, "[PATCH] fs: fix foo", "v1", "First try.");
	add_mail(&mbox, "[PATCH v2] fs: fix foo harder", "v2", "Second try.");
	pick_mbox(&mbox, &out, &note);
	ok(out.nr == 1 && !strcmp(out.v[0].message_id, "v2"), "lone patch: newest version");
	is_str(note.buf, "2 versions of the series (v1, v2): using v2", "with a note");
	patch_list_release(&out);
	strbuf_reset(&note);

	strbuf_reset(&mbox);
	add_mail(&mbox, "[PATCH 1/2] a", "first-1", "One.");
	add_mail(&mbox, "[PATCH 2/2] b", "first-2", "Two.");
	add_mail(&mbox, "[PATCH RESEND 1/2] a", "again-1", "One again.");
	pick_mbox(&mbox, &out, &note);
	ok(out.nr == 2 && !strcmp(out.v[0].message_id, "again-1") &&
	   !strcmp(out.v[1].message_id, "first-2"), "resent 1/2: the last copy, in order");
	like(note.buf, "patch 1/2 (v1) was sent more than once: using mem.mbox message 3",
	     "resend noted");
	patch_list_release(&out);

	/* git format-patch leaves a "From " line of a commit message unquoted */
	strbuf_reset(&mbox);
	add_mail(&mbox, "[PATCH] doc: history", "hist", "Some words.\n\nFrom the start, it was odd.");
	pick_mbox(&mbox, &out, &note);
	is_int(out.nr, 1, "body line 'From the start' does not split the mbox");
	like(out.nr ? out.v[0].text.buf : NULL, "\nFrom the start, it was odd.\n---\ndiff",
	     "and stays in the text");
	patch_list_release(&out);

	/* ...and one GMime can parse as a mail of its own */
	strbuf_reset(&mbox);
	add_mail(&mbox, "[PATCH 1/2] doc: one", "one", "Text.\n\nFrom x y: z\nHeader: v\n\nMore.");
	add_mail(&mbox, "[PATCH 2/2] doc: two", "two", "Text.");
	pick_mbox(&mbox, &out, &note);
	ok(out.nr == 2 && strstr(out.v[0].text.buf, "\nFrom x y: z\nHeader: v\n\nMore.\n"),
	   "a body 'From x y: z' line does not split either");
	patch_list_release(&out);
	strbuf_release(&mbox);
	strbuf_release(&note);
}

static void test_pick_errors(void)
{
	struct patch_list out = PATCH_LIST_INIT;
	struct strbuf mbox = STRBUF_INIT;

	add_mail(&mbox, "[PATCH v3 1/3] a", "a", "A.");
	add_mail_without_diff(&mbox, "[PATCH v3 2/3] b", "b");
	add_mail(&mbox, "[PATCH v3 3/3] c", "c", "C.");
	capture_begin();
	is_int(pick_mbox_ret(&mbox, &out, NULL), -1, "a patch without a diff fails");
	like(capture_end(), "patch 2/3 (v3) in 'mem.mbox message 2' carries no diff",
	     "error names the message");

	strbuf_reset(&mbox);
	add_mail_without_diff(&mbox, "[PATCH 0/4] cover", "cover");
	add_mail(&mbox, "[PATCH 2/4] b", "b", "B.");
	capture_begin();
	is_int(pick_mbox_ret(&mbox, &out, NULL), -1, "three of four missing fails");
	like(capture_end(), "missing patch 1/4 (v1) in 'mem.mbox', and 2 more", "counts the rest");

	strbuf_reset(&mbox);
	add_mail(&mbox, "Re: [PATCH] a", "r1", "Looks good.");
	add_mail_without_diff(&mbox, "Re: [PATCH] a", "r2");
	capture_begin();
	is_int(pick_mbox_ret(&mbox, &out, NULL), -1, "only replies fails");
	like(capture_end(), "no patch in 'mem.mbox' (2 messages: replies or mails without a diff)",
	     "and says what was there");
	is_int(out.nr, 0, "nothing picked");
	strbuf_release(&mbox);
}

static void test_directory(void)
{
	struct patch_list out = PATCH_LIST_INIT;
	struct patch cover;

	is_int(patch_load(MBOX_FX "git-v2", NULL, &out, &cover, NULL), 0,
	       "format-patch -o directory loads");
	is_int(out.nr, 2, "two patches");
	is_str(subj(&out, 1), "lib: twiddle with an add", "in order");
	is_str(out.nr == 2 ? out.v[1].origin : NULL,
	       MBOX_FX "git-v2/v2-0002-lib-twiddle-with-an-add.patch", "origin is the file");
	ok(out.nr == 2 && strlen(out.v[0].sha) == 64 && strcmp(out.v[0].sha, out.v[1].sha),
	   "shas set");
	is_str(cover.subject, "lib: faster frob and twiddle", "cover letter from the directory");
	ok(cover.message_id && strlen(cover.sha) == 64, "cover sha set");
	patch_list_release(&out);
	patch_release(&cover);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	struct strbuf path = STRBUF_INIT;
	FILE *f;

	strbuf_addf(&path, "%s/%s", dir, name);
	f = fopen(path.buf, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	strbuf_release(&path);
}

static void remove_file(const char *dir, const char *name)
{
	struct strbuf path = STRBUF_INIT;

	strbuf_addf(&path, "%s/%s", dir, name);
	unlink(path.buf);
	strbuf_release(&path);
}

static void test_series_file(void)
{
	static const char diff[] = "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n";
	char dir[] = "/tmp/test_patch.XXXXXX";
	struct patch_list out = PATCH_LIST_INIT;
	struct strbuf want = STRBUF_INIT;
	const char *err;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	capture_begin();
	is_int(patch_load(dir, NULL, &out, NULL, NULL), -1, "empty directory fails");
	err = capture_end();
	strbuf_addf(&want, "patches '%s': no series file and no *.patch", dir);
	like(err, want.buf, "error says what was looked for");

	write_file(dir, "b.diff", diff);
	write_file(dir, "a.diff", diff);
	write_file(dir, "series", "# quilt series\n\nb.diff -p1\n  a.diff # last\n");
	is_int(patch_load(dir, NULL, &out, NULL, NULL), 0, "series file loads");
	ok(out.nr == 2 && !strcmp(out.v[0].subject, "b.diff") && !strcmp(out.v[1].subject, "a.diff"),
	   "series order, not name order");
	patch_list_release(&out);

	write_file(dir, "series", "a.diff\n../etc/x.patch\n");
	capture_begin();
	is_int(patch_load(dir, NULL, &out, NULL, NULL), -1, "'..' in series fails");
	err = capture_end();
	strbuf_reset(&want);
	strbuf_addf(&want, "'%s/series' line 2: '../etc/x.patch' points outside the directory", dir);
	like(err, want.buf, "error names series file and line");

	write_file(dir, "series", "/etc/passwd\n");
	capture_begin();
	is_int(patch_load(dir, NULL, &out, NULL, NULL), -1, "absolute name fails");
	like(capture_end(), "line 1: '/etc/passwd' points outside", "absolute path rejected");

	write_file(dir, "series", "a.diff\nsub/x/../../b.diff\n");
	capture_begin();
	is_int(patch_load(dir, NULL, &out, NULL, NULL), -1, "'/..' inside a name fails");
	capture_end();

	write_file(dir, "series", "a.diff -p0\n");
	capture_begin();
	is_int(patch_load(dir, NULL, &out, NULL, NULL), -1, "-p0 is not supported");
	like(capture_end(), "line 1: '-p0' is not supported", "says so");

	write_file(dir, "series", "a.diff\nmissing.patch\n");
	capture_begin();
	is_int(patch_load(dir, NULL, &out, NULL, NULL), -1, "missing file in series fails");
	strbuf_reset(&want);
	strbuf_addf(&want, "'%s/series' line 2: '%s/missing.patch'", dir, dir);
	like(capture_end(), want.buf, "error names the line and file");
	is_int(out.nr, 0, "nothing appended on errors");

	remove_file(dir, "series");
	write_file(dir, "a10.diff", diff);
	write_file(dir, "a9.diff", diff);
	write_file(dir, "notes.txt", "not a patch\n");
	is_int(patch_load(dir, NULL, &out, NULL, NULL), 0, "no series file: name order");
	ok(out.nr == 4 && !strcmp(out.v[0].subject, "a.diff") && !strcmp(out.v[1].subject, "a9.diff") &&
	   !strcmp(out.v[2].subject, "a10.diff") && !strcmp(out.v[3].subject, "b.diff"),
	   "version order: a, a9, a10, b; notes.txt ignored");
	patch_list_release(&out);

	remove_file(dir, "a.diff");
	remove_file(dir, "b.diff");
	remove_file(dir, "a9.diff");
	remove_file(dir, "a10.diff");
	remove_file(dir, "notes.txt");
	rmdir(dir);
	strbuf_release(&want);
}

static void test_bad_specs(void)
{
	struct patch_list out = PATCH_LIST_INIT;
	int infra = 7;

	capture_begin();
	is_int(patch_load("no/such.patch", NULL, &out, NULL, &infra), -1, "missing file fails");
	like(capture_end(), "error: patches 'no/such.patch': no such file or directory",
	     "error names the spec");
	is_int(infra, 0, "not infrastructure");

	infra = 7;
	capture_begin();
	is_int(patch_load("lore:not an id", NULL, &out, NULL, &infra), -1, "bad lore id fails");
	like(capture_end(), "patches 'lore:not an id': ", "error names the spec");
	is_int(infra, 0, "a bad id is not the network");
	is_int(out.nr, 0, "nothing appended");
}

int main(void)
{
	test_subjects();
	test_single_file();
	test_recipients();
	test_split_versions();
	test_pick_newest();
	test_pick_wanted();
	test_incomplete();
	test_plain_diff();
	test_awkward();
	test_base64_mail();
	test_lone_and_resends();
	test_pick_errors();
	test_directory();
	test_series_file();
	test_bad_specs();
	return done_testing();
}
