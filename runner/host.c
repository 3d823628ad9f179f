// SPDX-License-Identifier: GPL-2.0-only
#include "runner/host.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "common/mountinfo.h"
#include "common/spawn.h"

int fstype_of(const char *path, struct strbuf *fstype)
{
	struct mount_table t = MOUNT_TABLE_INIT;
	const struct mount_entry *best = NULL;
	char real[PATH_MAX];
	size_t i;

	if (!realpath(path, real))
		return error("cannot resolve '%s': %s", path, errstr());
	if (mountinfo_read("/proc/self/mountinfo", &t))
		return -1;
	for (i = 0; i < t.nr; i++) {
		const char *mnt = t.v[i].mountpoint;
		size_t n = strlen(mnt);

		/* the longest mount point that is a prefix of the path holds it (the last if equal) */
		if (strncmp(real, mnt, n) || (real[n] && real[n] != '/' && strcmp(mnt, "/")))
			continue;
		if (!best || n >= strlen(best->mountpoint))
			best = &t.v[i];
	}
	if (best) {
		strbuf_reset(fstype);
		strbuf_addstr(fstype, best->fstype);
	}
	mount_table_clear(&t);
	if (!best)
		return error("no mount holds '%s'", real);
	return 0;
}

int host_scratch_prepare(const char *dir, struct strbuf *fstype)
{
	if (mkdir_p(dir))
		return error("cannot create scratch directory '%s': %s", dir, errstr());
	if (access(dir, W_OK))
		return error("scratch directory '%s' is not writable: %s", dir, errstr());
	return fstype_of(dir, fstype);
}

struct mkfs_tool {
	const char *fs;
	const char *argv[9];	/* program and options, the device goes last */
	const char *package;
	const char *type;	/* what mount calls it, when not fs */
};

static const struct mkfs_tool mkfs_tools[] = {
	{ "ext2", { "mkfs.ext2", "-F", "-q", NULL }, "e2fsprogs", NULL },
	{ "ext4", { "mkfs.ext4", "-F", "-q", NULL }, "e2fsprogs", NULL },
	{ "xfs", { "mkfs.xfs", "-f", "-q", NULL }, "xfsprogs", NULL },
	{ "btrfs", { "mkfs.btrfs", "-f", "-q", NULL }, "btrfs-progs", NULL },
	{ "vfat", { "mkfs.vfat", "-I", NULL }, "dosfstools", NULL },
	/* one sector per cluster: a page spans 8 clusters, which need not be neighbours */
	{ "vfat-512", { "mkfs.vfat", "-I", "-F", "32", "-s", "1", "-S", "512", NULL },
	  "dosfstools", "vfat" },
	{ "exfat", { "mkfs.exfat", NULL }, "exfatprogs", NULL },
	{ "udf", { "mkudffs", "--media-type=hd", NULL }, "udftools", NULL },
	{ "hfsplus", { "mkfs.hfsplus", NULL }, "hfsprogs", NULL },
	{ "jfs", { "mkfs.jfs", "-q", NULL }, "jfsutils", NULL },
	{ "nilfs2", { "mkfs.nilfs2", "-f", "-q", NULL }, "nilfs-tools", NULL },
	{ NULL, { NULL }, NULL, NULL },
};

int host_mkfs_installed(const char *fs, const char **program, const char **package)
{
	const struct mkfs_tool *t;

	for (t = mkfs_tools; t->fs && strcmp(t->fs, fs); t++)
		;
	*program = t->fs ? t->argv[0] : "mkfs";
	*package = t->fs ? t->package : "?";
	return t->fs && spawn_find_program(t->argv[0], NULL);
}

static int run_mkfs(const struct safe_device *dev, const char *fs)
{
	const struct mkfs_tool *t;
	struct child c = CHILD_INIT;
	struct strbuf how = STRBUF_INIT;
	int ret = 0;

	for (t = mkfs_tools; t->fs && strcmp(t->fs, fs); t++)
		;
	if (!t->fs)
		return error("no mkfs known for filesystem '%s'", fs);
	strvec_pushv(&c.args, t->argv);
	strvec_push(&c.args, dev->path);
	c.flags = SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	c.timeout_ms = 600 * 1000;
	info("device %s: %s %s", dev->name, t->argv[0], dev->path);
	if (spawn_run(&c)) {
		ret = error("cannot run '%s': %s (Debian package %s)", t->argv[0],
			    errno == ENOENT ? "not installed" : errstr(), t->package);
		goto out;
	}
	if (c.status) {
		spawn_describe(&c, &how);
		strbuf_rtrim(&c.err);
		ret = error("%s %s failed (%s): %s", t->argv[0], dev->path, how.buf, c.err.buf);
	}
out:
	strbuf_release(&how);
	child_release(&c);
	return ret;
}

/* The filesystem type mount(2) knows fs by ("vfat" for vfat-512). */
static const char *mount_type(const char *fs)
{
	const struct mkfs_tool *t;

	for (t = mkfs_tools; t->fs && strcmp(t->fs, fs); t++)
		;
	return t->fs && t->type ? t->type : fs;
}

int host_device_mount(struct safe_device *dev, const char *fs, const char *mnt)
{
	/*
	 * Still ours (taken again if let go), then let go: mkfs opens the device
	 * itself, exclusively, and so does the mount after it.
	 */
	if (device_hold(dev))
		return -1;
	device_let_go(dev);
	if (run_mkfs(dev, fs))
		return -1;
	if (mkdir_p(mnt))
		return error("cannot create mount point '%s': %s", mnt, errstr());
	if (mount(dev->path, mnt, mount_type(fs), MS_NOATIME, NULL))
		return error("cannot mount %s (%s) on '%s': %s", dev->path, fs, mnt, errstr());
	return 0;
}

int host_device_unmount(const char *mnt)
{
	if (umount2(mnt, 0))
		return error("cannot unmount '%s': %s", mnt, errstr());
	rmdir(mnt);
	return 0;
}
