// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's tools tree, built from this host's real programs: what goes
 * in (a program, its symlinks, ld.so and every library it loads, a
 * script's interpreter, a wrapper's perf_VERSION), that the program really
 * runs from the tree alone (chroot, as root), that nothing else of the host
 * is there, the cache key, and the cache directories it refuses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/spawn.h"
#include "runner/guestroot.h"
#include "tests/tap.h"

static int has_entry(const struct guestroot *gr, char type, const char *path)
{
	size_t i;

	for (i = 0; i < gr->nr; i++)
		if (gr->v[i].type == type && !strcmp(gr->v[i].path, path))
			return 1;
	return 0;
}

static int has_entry_like(const struct guestroot *gr, const char *needle)
{
	size_t i;

	for (i = 0; i < gr->nr; i++)
		if (strstr(gr->v[i].path, needle))
			return 1;
	return 0;
}

static int exists_in(const char *root, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	int ret;

	strbuf_addf(&sb, "%s%s", root, path);
	ret = !lstat(sb.buf, &st);
	strbuf_release(&sb);
	return ret;
}

static void write_script(const char *path, const char *text)
{
	if (write_file_atomic(path, text, strlen(text)) || chmod(path, 0755))
		abort();
}

static void test_fio(const char *dir)
{
	struct guestroot gr = GUESTROOT_INIT;
	struct strbuf cache = STRBUF_INIT, tree = STRBUF_INIT, again = STRBUF_INIT;
	struct child c = CHILD_INIT;
	struct stat st;
	char key1[17], key2[17];

	is_int(guestroot_add_program(&gr, "fio"), 0, "fio goes in with what it needs");
	ok(has_entry(&gr, 'f', "/usr/bin/fio"), "fio itself, at its host path");
	ok(has_entry_like(&gr, "ld-linux-x86-64.so.2"), "ld.so");
	ok(has_entry_like(&gr, "/libc.so.6") && has_entry_like(&gr, "/libaio.so"),
	   "libc and the libraries fio links (libaio)");
	ok(!lstat("/lib64", &st) && S_ISLNK(st.st_mode) ? has_entry(&gr, 'l', "/lib64") : 1,
	   "a symlinked directory on the way (/lib64 -> usr/lib64) stays a symlink");
	ok(gr.nr < 200, "a program's closure, not a file system");
	is_int(guestroot_add_program(&gr, "no-such-program-pinbench"), -1,
	       "a program the guest's PATH does not have is an error");

	guestroot_add_symlink(&gr, "/etc/mtab", "/proc/self/mounts");
	ok(has_entry(&gr, 'l', "/etc/mtab"), "a symlink of the guest's own goes in");
	ok(!has_entry_like(&gr, "/proc/"), "and what it points to on the host does not");

	guestroot_key(&gr, key1);
	guestroot_key(&gr, key2);
	is_str(key1, key2, "the key is stable");
	strbuf_addf(&cache, "%s/cache", dir);
	if (mkdir(cache.buf, 0700))
		abort();
	is_int(guestroot_get(&gr, cache.buf, &tree), 0, "the tree is made in the cache");
	like(tree.buf, "/cache/guestroot/", "under guestroot/KEY");
	like(tree.buf, key1, "named by its key");
	ok(exists_in(tree.buf, "/usr/bin/fio") && exists_in(tree.buf, "/proc") &&
	   exists_in(tree.buf, "/dev") && exists_in(tree.buf, "/tmp") && exists_in(tree.buf, "/run"),
	   "fio and the init's mount points are there");
	ok(!exists_in(tree.buf, "/etc/shadow") && !exists_in(tree.buf, "/root") &&
	   !exists_in(tree.buf, "/home") && !exists_in(tree.buf, "/usr/bin/ssh"),
	   "nothing else of the host is");
	{
		struct strbuf link = STRBUF_INIT;
		char target[64] = "";

		strbuf_addf(&link, "%s/etc/mtab", tree.buf);
		ok(readlink(link.buf, target, sizeof(target) - 1) > 0 &&
		   !strcmp(target, "/proc/self/mounts"),
		   "/etc/mtab in the tree is the guest's own mounts (mkfs.nilfs2 needs it)");
		strbuf_release(&link);
	}
	ok(!stat(tree.buf, &st) && (st.st_mode & 07777) == 0755,
	   "the tree is readable by an unprivileged QEMU, writable by nobody else");

	/* the real test of the closure: fio runs from the tree alone (chroot needs root) */
	strvec_pushl(&c.args, "chroot", tree.buf, "/usr/bin/fio", "--version", NULL);
	c.flags = SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	ok(!spawn_run(&c) && !c.status && starts_with(c.out.buf, "fio-"),
	   "fio runs chrooted into the tree");
	if (c.status)
		printf("# %s\n", c.err.buf);
	child_release(&c);
	is_int(guestroot_get(&gr, cache.buf, &again), 0, "asked again");
	is_str(again.buf, tree.buf, "the same tree is reused");

	if (chmod(cache.buf, 0777))
		abort();
	is_int(guestroot_get(&gr, cache.buf, &again), -1,
	       "a cache directory others can write is refused");
	if (chmod(cache.buf, 0700))
		abort();
	if (chown(cache.buf, geteuid() + 1, (gid_t)-1) && geteuid())
		printf("# cannot chown as a user: the next test fails\n");
	is_int(guestroot_get(&gr, cache.buf, &again), -1, "so is one another user owns");
	if (chown(cache.buf, geteuid(), (gid_t)-1))
		abort();
	guestroot_release(&gr);
	strbuf_release(&cache);
	strbuf_release(&tree);
	strbuf_release(&again);
}

/* Debian's old perf: a script that runs perf_$(version) found with which. */
static void test_wrapper(const char *dir)
{
	struct guestroot gr = GUESTROOT_INIT;
	struct strbuf bin = STRBUF_INIT, perf = STRBUF_INIT, real = STRBUF_INIT;
	char key1[17], key2[17];

	strbuf_addf(&bin, "%s/bin", dir);
	if (mkdir(bin.buf, 0755))
		abort();
	strbuf_addf(&perf, "%s/perf", bin.buf);
	strbuf_addf(&real, "%s/perf_9.9", bin.buf);
	write_script(perf.buf, "#!/bin/sh\nexec \"perf_$(uname -r)\" \"$@\"\n");
	if (copy_file("/usr/bin/true", real.buf, 0755))
		abort();
	is_int(guestroot_add_program(&gr, perf.buf), 0, "a wrapper script goes in");
	ok(has_entry(&gr, 'f', perf.buf) || has_entry_like(&gr, "/bin/perf"), "the script");
	ok(has_entry_like(&gr, "/bin/dash") || has_entry_like(&gr, "/bin/sh"),
	   "its interpreter");
	ok(has_entry_like(&gr, "/bin/perf_9.9"), "the perf_VERSION it runs");
	ok(has_entry_like(&gr, "/bin/uname") && has_entry_like(&gr, "/bin/which"),
	   "and the uname and which it calls");
	guestroot_key(&gr, key1);
	write_script(perf.buf, "#!/bin/sh\nexec \"perf_$(uname -r)\" \"$@\"  \n");
	guestroot_release(&gr);
	is_int(guestroot_add_program(&gr, perf.buf), 0, "the script changed");
	guestroot_key(&gr, key2);
	ok(strcmp(key1, key2), "gives another key: a new tree");

	write_script(perf.buf, "#!relative/sh\n");
	guestroot_release(&gr);
	is_int(guestroot_add_program(&gr, perf.buf), -1,
	       "a script whose interpreter is not an absolute path is an error");
	guestroot_release(&gr);
	strbuf_release(&bin);
	strbuf_release(&perf);
	strbuf_release(&real);
}

int main(void)
{
	char tmpl[] = "/tmp/pinbench-test-guestroot.XXXXXX";
	char *dir = mkdtemp(tmpl);

	if (!dir)
		return 1;
	test_fio(dir);
	test_wrapper(dir);
	remove_tree(dir);
	return done_testing();
}
