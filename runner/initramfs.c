// SPDX-License-Identifier: GPL-2.0-only
#include "runner/initramfs.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/hash.h"
#include "common/log.h"

/* An init larger than this is not ours (the static one is under 1 MiB). */
#define INIT_MAX (64u << 20)

/*
 * One newc entry: "070701", 13 fields of 8 hex digits, the name with its NUL
 * padded to a multiple of 4, then the data padded the same way. mtime, uid
 * and gid are 0 so that the same init always gives the same bytes.
 */
static void add_entry(struct strbuf *out, unsigned ino, unsigned mode, unsigned nlink,
		      unsigned rdev_major, unsigned rdev_minor, const char *name,
		      const void *data, size_t size)
{
	size_t namesize = strlen(name) + 1;

	strbuf_addf(out, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		    ino, mode, 0u, 0u, nlink, 0u, (unsigned)size, 0u, 0u,
		    rdev_major, rdev_minor, (unsigned)namesize, 0u);
	strbuf_add(out, name, namesize);
	while (out->len % 4)
		strbuf_addch(out, '\0');
	if (size)	/* memcpy(dst, NULL, 0) is undefined */
		strbuf_add(out, data, size);
	while (out->len % 4)
		strbuf_addch(out, '\0');
}

static int write_archive(const struct strbuf *init, const char *out_path)
{
	static const char *const dirs[] = { "dev", "proc", "sys", "host", "tmp" };
	struct strbuf out = STRBUF_INIT;
	unsigned ino = 1;
	int ret = 0;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		add_entry(&out, ino++, 040755, 2, 0, 0, dirs[i], NULL, 0);
	/* the kernel opens it for init's stdio before devtmpfs exists */
	add_entry(&out, ino++, 020600, 1, 5, 1, "dev/console", NULL, 0);
	add_entry(&out, ino++, 0100755, 1, 0, 0, "init", init->buf, init->len);
	add_entry(&out, 0, 0, 1, 0, 0, "TRAILER!!!", NULL, 0);

	if (write_file_atomic(out_path, out.buf, out.len))
		ret = error("cannot write initramfs '%s': %s", out_path, errstr());
	strbuf_release(&out);
	return ret;
}

static int read_init(struct strbuf *init, const char *init_path)
{
	if (strbuf_read_file(init, init_path, INIT_MAX))
		return error("cannot read guest init '%s': %s", init_path, errstr());
	return 0;
}

int initramfs_write(const char *init_path, const char *out_path)
{
	struct strbuf init = STRBUF_INIT;
	int ret = read_init(&init, init_path);

	if (!ret)
		ret = write_archive(&init, out_path);
	strbuf_release(&init);
	return ret;
}

int initramfs_get(const char *cache_dir, const char *init_path, struct strbuf *path)
{
	struct strbuf init = STRBUF_INIT, dir = STRBUF_INIT;
	char sha[65];
	int ret;

	/* hash and archive the same bytes, even if the file is being rebuilt */
	ret = read_init(&init, init_path);
	if (ret)
		goto out;
	sha256_hex(init.buf, init.len, sha);
	strbuf_addf(&dir, "%s/initramfs", cache_dir);
	strbuf_reset(path);
	strbuf_addf(path, "%s/init-%.16s.cpio", dir.buf, sha);
	/* written atomically, so a file that is there is whole */
	if (path_exists(path->buf))
		goto out;
	if (mkdir_p(dir.buf)) {
		ret = error("cannot create directory '%s': %s", dir.buf, errstr());
		goto out;
	}
	ret = write_archive(&init, path->buf);
out:
	strbuf_release(&init);
	strbuf_release(&dir);
	return ret;
}

int initramfs_find_init(struct strbuf *path)
{
	const char *env = getenv("PINBENCH_INIT");
	char exe[PATH_MAX];
	struct stat st;

	strbuf_reset(path);
	if (env && *env) {
		strbuf_addstr(path, env);
	} else {
		if (!realpath("/proc/self/exe", exe))
			return error("cannot resolve /proc/self/exe: %s", errstr());
		*strrchr(exe, '/') = '\0';
		strbuf_addf(path, "%s/pinbench-init", exe);
	}
	if (stat(path->buf, &st) || !S_ISREG(st.st_mode) || access(path->buf, X_OK))
		return error("guest init '%s' is missing or not executable: build it with `make`%s",
			     path->buf, env && *env ? " (or fix $PINBENCH_INIT)" : "");
	return 0;
}
