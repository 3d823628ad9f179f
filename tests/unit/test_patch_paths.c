// SPDX-License-Identifier: GPL-2.0-only
/*
 * The paths a patch touches (kernels/patch-paths.c), the list the journal
 * of a deb: tree is built from: git's extended headers, quoted names,
 * names with spaces, plain diffs, and hunk bodies that look like headers.
 */
#include <stdlib.h>
#include <string.h>

#include "kernels/patch-paths.h"
#include "tests/tap.h"

/* The paths found in text, joined by '|'; "ERROR: why" when it fails. */
static char *paths_of(const char *text)
{
	struct strvec paths = STRVEC_INIT;
	struct strbuf why = STRBUF_INIT;
	char *joined;

	if (patch_touched_paths(text, &paths, &why)) {
		strbuf_addstr(&why, "");
		joined = xmalloc(why.len + 8);
		strcpy(joined, "ERROR: ");
		strcat(joined, why.buf);
	} else {
		joined = strvec_join(&paths, "|");
	}
	strvec_clear(&paths);
	strbuf_release(&why);
	return joined;
}

#define paths_are(text, want, name) do { \
	char *got_ = paths_of(text); \
	is_str(got_, want, name); \
	free(got_); \
} while (0)

static void test_git_headers(void)
{
	paths_are("diff --git a/Documentation/admin-guide/README.rst b/Documentation/README.rst\n"
		  "similarity index 100%\n"
		  "rename from Documentation/admin-guide/README.rst\n"
		  "rename to Documentation/README.rst\n",
		  "Documentation/admin-guide/README.rst|Documentation/README.rst",
		  "a pure rename: both names, not 'from X' / 'to Y'");
	paths_are("diff --git a/fs/a.c b/fs/b.c\nsimilarity index 90%\ncopy from fs/a.c\n"
		  "copy to fs/b.c\nindex 1..2 100644\n--- a/fs/a.c\n+++ b/fs/b.c\n"
		  "@@ -1 +1 @@\n-x\n+y\n",
		  "fs/a.c|fs/b.c", "a copy with a hunk");
	paths_are("diff --git a/scripts/x.sh b/scripts/x.sh\nold mode 100644\nnew mode 100755\n",
		  "scripts/x.sh", "a mode change alone: the name from the diff --git line");
	paths_are("diff --git a/fs/new.c b/fs/new.c\nnew file mode 100644\nindex 0..e69de29\n",
		  "fs/new.c", "an empty new file (no ---/+++ lines)");
	paths_are("diff --git a/fs/old.c b/fs/old.c\ndeleted file mode 100644\nindex 1..0\n"
		  "--- a/fs/old.c\n+++ /dev/null\n@@ -1 +0,0 @@\n-int old;\n",
		  "fs/old.c", "a deleted file: /dev/null is no path");
	paths_are("diff --git a/l b/l\nnew file mode 120000\n--- /dev/null\n+++ b/l\n"
		  "@@ -0,0 +1 @@\n+target\n\\ No newline at end of file\n",
		  "l", "a new symlink, with a no-newline marker");
}

static void test_quoting(void)
{
	struct strbuf sb = STRBUF_INIT;
	const char *end;

	end = unquote_c_style("\"a\\tb\\\"c\\\\d\\303\\251\" rest", &sb);
	is_str(sb.buf, "a\tb\"c\\d\303\251", "C-style escapes and octal bytes undone");
	is_str(end, " rest", "and the pointer is after the closing quote");
	strbuf_reset(&sb);
	ok(!unquote_c_style("\"no end", &sb), "no closing quote is an error");
	strbuf_reset(&sb);
	ok(!unquote_c_style("\"a\\q\"", &sb), "an unknown escape is an error");
	strbuf_reset(&sb);
	ok(!unquote_c_style("\"a\\000\"", &sb), "a NUL byte is an error");
	strbuf_release(&sb);

	paths_are("diff --git \"a/x \\\"1\\\"\\t.c\" \"b/x \\\"1\\\"\\t.c\"\n"
		  "--- \"a/x \\\"1\\\"\\t.c\"\n+++ \"b/x \\\"1\\\"\\t.c\"\n@@ -1 +1 @@\n-a\n+b\n",
		  "x \"1\"\t.c", "quoted names in diff --git and ---/+++ lines");
	paths_are("diff --git a/README \"b/d\\303\\251j\\303\\240\"\nsimilarity index 100%\n"
		  "copy from README\ncopy to \"d\\303\\251j\\303\\240\"\n",
		  "README|d\303\251j\303\240", "an unquoted and a quoted name; a quoted copy to");
	paths_are("diff --git \"a/x\\q\" b/x\nold mode 100644\nnew mode 100755\n",
		  "ERROR: bad quoting in 'diff --git \"a/x\\q\" b/x'", "bad quoting is an error");
}

static void test_spaces(void)
{
	paths_are("diff --git a/dir one/x y.c b/dir one/x y.c\nold mode 100644\nnew mode 100755\n",
		  "dir one/x y.c", "names with spaces split where both halves agree");
	paths_are("diff --git a/x y b/z w\nsimilarity index 100%\nrename from x y\nrename to z w\n",
		  "x y|z w", "a rename of names with spaces: from its rename headers");
	paths_are("diff --git a/x y b/z w\nold mode 100644\nnew mode 100755\n",
		  "ERROR: cannot tell the file names in 'diff --git a/x y b/z w'",
		  "a section whose names cannot be told is an error, not an empty list");
	paths_are("diff --git a/x y b/x y\n--- a/x y\t\n+++ b/x y\t\n@@ -1 +1 @@\n-a\n+b\n",
		  "x y", "git's tab after a name holding a space");
}

static void test_plain_diffs(void)
{
	paths_are("--- a/fs/x.c\t2024-01-01 10:00:00.000000000 +0000\n"
		  "+++ b/fs/x.c\t2024-01-02 10:00:00.000000000 +0000\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n",
		  "fs/x.c", "diff -u with timestamps");
	paths_are("--- /dev/null\n+++ b/fs/new.c\n@@ -0,0 +1 @@\n+x\n", "fs/new.c",
		  "a plain new file");
	paths_are("Index: linux/fs/y.c\n--- linux.orig/fs/y.c\n+++ linux/fs/y.c\n"
		  "@@ -1 +1 @@\n-a\n+b\n", "fs/y.c", "Index: and quilt-style prefixes");
	paths_are("*** a/fs/c.c\n--- b/fs/c.c\n***************\n*** 1 ****\n! a\n--- 1 ----\n! b\n",
		  "fs/c.c", "a context diff");
}

static void test_not_headers(void)
{
	paths_are("Subject: [PATCH] x\n\nrename from /etc/passwd\ncopy to /etc/shadow\n---\n"
		  "diff --git a/fs/x.c b/fs/x.c\n--- a/fs/x.c\n+++ b/fs/x.c\n"
		  "@@ -1,3 +1,3 @@\n ctx\n--- a/etc/evil\n+++ b/etc/evil\n ctx\n-- \n2.39.5\n",
		  "fs/x.c", "commit message text and hunk lines are no headers");
	paths_are("diff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1,2 +1,2 @@\n a\n\n-b\n+c\n"
		  "diff --git a/b.c b/b.c\nold mode 100644\nnew mode 100755\n",
		  "a.c|b.c", "a context line whose space a mailer ate; the next section still seen");
	paths_are("diff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1 +1 @@\n-x\n+y\n"
		  "rename from z\n", "a.c", "rename from after a hunk is not a header");
	paths_are("just a mail\n", "", "no diff: no paths");
}

int main(void)
{
	test_git_headers();
	test_quoting();
	test_spaces();
	test_plain_diffs();
	test_not_headers();
	return done_testing();
}
