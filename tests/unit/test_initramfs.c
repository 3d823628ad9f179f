// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's initramfs, read back by GNU cpio itself (listing and
 * extraction), plus its reproducibility and the content-addressed cache.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/hash.h"
#include "common/spawn.h"
#include "runner/initramfs.h"
#include "tests/tap.h"

static char tmp[] = "/tmp/pinbench-test-initramfs.XXXXXX";

/* 13 bytes with a NUL inside: the data needs padding and is not a C string. */
static const char init_data[] = "#!init\0bytes\n";
#define INIT_LEN (sizeof(init_data) - 1)

static void make_file(const char *name, const void *data, size_t len, unsigned mode,
		      struct strbuf *path)
{
	strbuf_reset(path);
	strbuf_addf(path, "%s/%s", tmp, name);
	if (write_file_atomic(path->buf, data, len) || chmod(path->buf, mode))
		abort();
}

static int run_cpio(const char *const *argv, const char *dir, struct child *c)
{
	child_init(c);
	strvec_pushv(&c->args, argv);
	c->dir = dir;
	c->flags = SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	c->timeout_ms = 30000;
	return spawn_run(c) == 0 && c->status == 0 && !c->timed_out ? 0 : -1;
}

/* The `cpio -t -v` line (ls -l style) whose last word is name, or NULL. */
static const char *listed(const char *listing, const char *name, char *line, size_t size)
{
	const char *p = listing;

	while (*p) {
		size_t len = strcspn(p, "\n");
		const char *sp;

		if (len < size) {
			memcpy(line, p, len);
			line[len] = '\0';
			sp = strrchr(line, ' ');
			if (sp && !strcmp(sp + 1, name))
				return line;
		}
		p += len + (p[len] == '\n');
	}
	return NULL;
}

static int file_bytes_equal(const char *a, const char *b)
{
	struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;
	int same = !strbuf_read_file(&x, a, 0) && !strbuf_read_file(&y, b, 0) &&
		   x.len == y.len && !memcmp(x.buf, y.buf, x.len);

	strbuf_release(&x);
	strbuf_release(&y);
	return same;
}

static void test_archive(void)
{
	struct strbuf init = STRBUF_INIT, cpio = STRBUF_INIT, raw = STRBUF_INIT;
	struct strbuf again = STRBUF_INIT, xdir = STRBUF_INIT, got = STRBUF_INIT;
	char line[512], size[32];
	const char *l;
	struct child c;
	struct stat st;

	make_file("init", init_data, INIT_LEN, 0755, &init);
	strbuf_addf(&cpio, "%s/a.cpio", tmp);
	is_int(initramfs_write(init.buf, cpio.buf), 0, "write an archive");
	ok(!strbuf_read_file(&raw, cpio.buf, 0), "read it back");
	ok(raw.len >= 6 && !memcmp(raw.buf, "070701", 6), "newc magic");
	is_int(raw.len % 4, 0, "length is a multiple of 4");
	ok(memmem(raw.buf, raw.len, "TRAILER!!!", 11), "ends with the trailer");

	ok(!run_cpio((const char *const[]){ "cpio", "-t", "-v", "-F", cpio.buf, NULL },
		     NULL, &c), "cpio -t -v lists it");
	l = listed(c.out.buf, "dev", line, sizeof(line));
	ok(l && starts_with(l, "drwxr-xr-x "), "dev: a 0755 directory");
	l = listed(c.out.buf, "tmp", line, sizeof(line));
	ok(l && starts_with(l, "drwxr-xr-x "), "tmp: a 0755 directory");
	ok(listed(c.out.buf, "proc", line, sizeof(line)) &&
	   listed(c.out.buf, "sys", line, sizeof(line)) &&
	   listed(c.out.buf, "host", line, sizeof(line)), "proc, sys and host are there");
	l = listed(c.out.buf, "dev/console", line, sizeof(line));
	ok(l && starts_with(l, "crw------- "), "dev/console: a 0600 character device");
	like(l, " 5,   1 ", "dev/console: 5:1");
	l = listed(c.out.buf, "init", line, sizeof(line));
	ok(l && starts_with(l, "-rwxr-xr-x "), "init: an executable file");
	snprintf(size, sizeof(size), " %zu Jan  1  1970 init", INIT_LEN);
	like(l, size, "init: its size and mtime 0");
	like(c.out.buf, "root     root", "owned by root");
	child_release(&c);

	strbuf_addf(&xdir, "%s/x", tmp);
	if (mkdir(xdir.buf, 0755))
		abort();
	/* as non-root, the device node cannot be made: only init matters here */
	run_cpio((const char *const[]){ "cpio", "-i", "-d", "--no-absolute-filenames",
					"-F", cpio.buf, NULL }, xdir.buf, &c);
	child_release(&c);
	strbuf_addf(&got, "%s/init", xdir.buf);
	ok(file_bytes_equal(got.buf, init.buf), "cpio -i extracts init byte for byte");
	ok(!stat(got.buf, &st) && (st.st_mode & 07777) == 0755, "with mode 0755");
	strbuf_reset(&got);
	strbuf_addf(&got, "%s/host", xdir.buf);
	ok(!stat(got.buf, &st) && S_ISDIR(st.st_mode), "and the directories");

	strbuf_addf(&again, "%s/b.cpio", tmp);
	is_int(initramfs_write(init.buf, again.buf), 0, "write it again");
	ok(file_bytes_equal(cpio.buf, again.buf), "same init, same bytes");

	strbuf_reset(&again);
	strbuf_addf(&again, "%s/c.cpio", tmp);
	is_int(initramfs_write(xdir.buf, again.buf), -1, "init that is a directory: error");
	ok(!path_exists(again.buf), "and no archive");

	strbuf_release(&init);
	strbuf_release(&cpio);
	strbuf_release(&raw);
	strbuf_release(&again);
	strbuf_release(&xdir);
	strbuf_release(&got);
}

static void test_cache(void)
{
	struct strbuf init = STRBUF_INIT, other = STRBUF_INIT, cache = STRBUF_INIT;
	struct strbuf path = STRBUF_INIT, path2 = STRBUF_INIT, want = STRBUF_INIT;
	struct strbuf plain = STRBUF_INIT;
	const struct timespec old[2] = { { 1000000, 0 }, { 1000000, 0 } };
	char sha[65];
	struct stat st;

	make_file("init", init_data, INIT_LEN, 0755, &init);
	make_file("init2", "other init", 10, 0755, &other);
	strbuf_addf(&cache, "%s/cache", tmp);

	sha256_hex(init_data, INIT_LEN, sha);
	strbuf_addf(&want, "%s/initramfs/init-%.16s.cpio", cache.buf, sha);
	strbuf_addstr(&path, "junk to replace");
	is_int(initramfs_get(cache.buf, init.buf, &path), 0, "get: first time");
	is_str(path.buf, want.buf, "get: named after the init's sha256");
	strbuf_addf(&plain, "%s/a.cpio", tmp);
	ok(file_bytes_equal(path.buf, plain.buf), "get: the same archive as initramfs_write");

	/* an old mtime shows whether the second call rewrites the file */
	if (utimensat(AT_FDCWD, path.buf, old, 0))
		abort();
	is_int(initramfs_get(cache.buf, init.buf, &path2), 0, "get: second time");
	is_str(path2.buf, path.buf, "get: same path");
	ok(!stat(path2.buf, &st) && st.st_mtim.tv_sec == 1000000, "get: cached file reused");

	strbuf_reset(&path2);
	is_int(initramfs_get(cache.buf, other.buf, &path2), 0, "get: another init");
	ok(strcmp(path2.buf, path.buf), "get: another path");
	ok(path_exists(path.buf) && path_exists(path2.buf), "get: both archives kept");

	strbuf_addstr(&init, ".missing");
	is_int(initramfs_get(cache.buf, init.buf, &path2), -1, "get: missing init is an error");

	strbuf_release(&init);
	strbuf_release(&other);
	strbuf_release(&cache);
	strbuf_release(&path);
	strbuf_release(&path2);
	strbuf_release(&want);
	strbuf_release(&plain);
}

static void test_find_init(void)
{
	struct strbuf init = STRBUF_INIT, plain = STRBUF_INIT, path = STRBUF_INIT;
	struct strbuf want = STRBUF_INIT;
	char exe[PATH_MAX];

	make_file("init", init_data, INIT_LEN, 0755, &init);
	make_file("plain", "x", 1, 0644, &plain);

	setenv("PINBENCH_INIT", init.buf, 1);
	is_int(initramfs_find_init(&path), 0, "find: $PINBENCH_INIT");
	is_str(path.buf, init.buf, "find: its path");
	setenv("PINBENCH_INIT", plain.buf, 1);
	/* root may read anything, but X_OK still wants an x bit */
	is_int(initramfs_find_init(&path), -1, "find: not executable is an error");
	setenv("PINBENCH_INIT", tmp, 1);
	is_int(initramfs_find_init(&path), -1, "find: a directory is an error");

	unsetenv("PINBENCH_INIT");
	if (!realpath("/proc/self/exe", exe))
		abort();
	*strrchr(exe, '/') = '\0';
	strbuf_addf(&want, "%s/pinbench-init", exe);
	initramfs_find_init(&path);
	is_str(path.buf, want.buf, "find: beside our executable by default");
	is_int(initramfs_find_init(&path), path_exists(want.buf) ? 0 : -1,
	       "find: error exactly when it is not there");

	strbuf_release(&init);
	strbuf_release(&plain);
	strbuf_release(&path);
	strbuf_release(&want);
}

int main(void)
{
	if (!mkdtemp(tmp))
		abort();
	test_archive();
	test_cache();
	test_find_init();
	remove_tree(tmp);
	return done_testing();
}
