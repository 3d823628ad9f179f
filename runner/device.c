// SPDX-License-Identifier: GPL-2.0-only
#include "runner/device.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/log.h"
#include "common/mountinfo.h"

static int read_sysfs(const char *path, struct strbuf *out)
{
	struct strbuf sb = STRBUF_INIT;

	if (strbuf_read_file(&sb, path, 4096)) {
		strbuf_release(&sb);
		return -1;
	}
	strbuf_rtrim(&sb);
	/* sysfs pads serials with spaces; a NUL or empty value is no serial */
	if (!sb.len || memchr(sb.buf, '\0', sb.len)) {
		strbuf_release(&sb);
		return -1;
	}
	strbuf_addstr(out, trim(sb.buf));
	strbuf_release(&sb);
	return 0;
}

int device_serial(dev_t rdev, struct strbuf *out)
{
	/* in order: NVMe/virtio/SCSI serial, WWN, a loop device's backing file */
	static const char *const files[] = { "device/serial", "serial", "device/wwid", "wwid",
					     "loop/backing_file", NULL };
	struct strbuf path = STRBUF_INIT;
	int i, ret = -1;

	for (i = 0; files[i] && ret; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "/sys/dev/block/%u:%u/%s", major(rdev), minor(rdev), files[i]);
		ret = read_sysfs(path.buf, out);
	}
	/*
	 * An ATA disk has no serial file; its wwid is "t10.ATA <model> <serial>"
	 * (SCSI VPD page 83 made up by libata): its last word is the serial on
	 * the label, what lsblk shows and what the allow-list names.
	 */
	if (!ret && starts_with(out->buf, "t10.ATA")) {
		const char *last = strrchr(out->buf, ' ');

		if (last && last[1])
			strbuf_remove(out, 0, last + 1 - out->buf);
	}
	strbuf_release(&path);
	return ret;
}

int device_find_by_serial(const char *serial, struct strbuf *path)
{
	struct strbuf sb = STRBUF_INIT, devno = STRBUF_INIT, got = STRBUF_INIT;
	struct dirent *de;
	DIR *dir = opendir("/sys/block");
	unsigned maj, min;
	int found = 0;

	if (!dir)
		return 0;
	while (!found && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		strbuf_reset(&sb);
		strbuf_addf(&sb, "/sys/block/%s/dev", de->d_name);
		strbuf_reset(&devno);
		if (read_sysfs(sb.buf, &devno) || sscanf(devno.buf, "%u:%u", &maj, &min) != 2)
			continue;
		strbuf_reset(&got);
		if (!device_serial(makedev(maj, min), &got) && !strcmp(got.buf, serial)) {
			strbuf_addf(path, "/dev/%s", de->d_name);
			found = 1;
		}
	}
	closedir(dir);
	strbuf_release(&sb);
	strbuf_release(&devno);
	strbuf_release(&got);
	return found;
}

static void device_model(dev_t rdev, struct strbuf *out)
{
	struct strbuf path = STRBUF_INIT;

	strbuf_addf(&path, "/sys/dev/block/%u:%u/device/model", major(rdev), minor(rdev));
	if (read_sysfs(path.buf, out))
		strbuf_addstr(out, "unknown");
	strbuf_release(&path);
}

/* Is `dev` (major:minor) the device itself or one of its partitions? */
static int same_disk(dev_t disk, unsigned maj, unsigned min)
{
	struct strbuf path = STRBUF_INIT, parent = STRBUF_INIT;
	char real[PATH_MAX];
	int ret = 0;

	if (maj == major(disk) && min == minor(disk))
		return 1;
	/* a partition's sysfs directory lives inside its disk's */
	strbuf_addf(&path, "/sys/dev/block/%u:%u/partition", maj, min);
	if (access(path.buf, F_OK))
		goto out;
	strbuf_reset(&path);
	strbuf_addf(&path, "/sys/dev/block/%u:%u/..", maj, min);
	if (!realpath(path.buf, real))
		goto out;
	strbuf_addf(&parent, "%s/dev", real);
	strbuf_reset(&path);
	if (!read_sysfs(parent.buf, &path)) {
		unsigned pmaj, pmin;

		if (sscanf(path.buf, "%u:%u", &pmaj, &pmin) == 2)
			ret = pmaj == major(disk) && pmin == minor(disk);
	}
out:
	strbuf_release(&path);
	strbuf_release(&parent);
	return ret;
}

/* Is rdev (or a partition) mounted according to the mountinfo text at path? 1, 0, -1. */
static int mounted_in(dev_t rdev, const char *path, struct strbuf *where)
{
	struct mount_table t = MOUNT_TABLE_INIT;
	size_t i;
	int found = 0;

	if (mountinfo_read(path, &t))
		return -1;
	for (i = 0; i < t.nr && !found; i++) {
		if (same_disk(rdev, t.v[i].major, t.v[i].minor)) {
			strbuf_addstr(where, t.v[i].mountpoint);
			found = 1;
		}
	}
	mount_table_clear(&t);
	return found;
}

/* Is rdev (or a partition) swap according to the swaps file at path? 1, 0, -1. */
static int swap_in(dev_t rdev, const char *path, struct strbuf *where)
{
	struct strbuf sb = STRBUF_INIT, dev = STRBUF_INIT;
	const char *line;
	int found = 0;

	if (strbuf_read_file(&sb, path, 16u << 20)) {
		/* with /proc mounted (mountinfo was read), no swaps file: a kernel without swap */
		found = errno == ENOENT ? 0 : error("cannot read '%s': %s", path, errstr());
		goto out;
	}
	/* "Filename Type Size Used Priority", then one line per swap area */
	for (line = strchrnul(sb.buf, '\n'); *line && !found; line = strchrnul(line, '\n')) {
		size_t len = strcspn(++line, " \t\n");
		struct stat st;

		strbuf_reset(&dev);
		mountinfo_unescape(line, len, &dev);
		if (dev.len && !stat(dev.buf, &st) && S_ISBLK(st.st_mode) &&
		    same_disk(rdev, major(st.st_rdev), minor(st.st_rdev))) {
			strbuf_addstr(where, "swap");
			found = 1;
		}
	}
out:
	strbuf_release(&sb);
	strbuf_release(&dev);
	return found;
}

int device_mounted_in(dev_t rdev, const char *mountinfo, const char *swaps, struct strbuf *where)
{
	int r = mounted_in(rdev, mountinfo, where);

	return r ? r : swap_in(rdev, swaps, where);
}

int device_mounted(dev_t rdev, struct strbuf *where)
{
	return device_mounted_in(rdev, "/proc/self/mountinfo", "/proc/swaps", where);
}

int device_hold(struct safe_device *d)
{
	int fd;

	if (d->held)
		return 0;
	/* O_EXCL on a block device fails with EBUSY while anybody holds it exclusively */
	fd = open(d->path, O_RDONLY | O_EXCL | O_CLOEXEC);
	if (fd < 0)
		return error("device '%s': '%s' cannot be opened exclusively (%s): in use by a "
			     "mount, device-mapper, md or another program: refusing", d->name,
			     d->path, errstr());
	d->excl_fd = fd;
	d->held = 1;
	return 0;
}

void device_let_go(struct safe_device *d)
{
	if (d->held)
		close(d->excl_fd);
	d->held = 0;
	d->excl_fd = -1;
}

int device_check(const struct device_cfg *cfg, struct safe_device *out)
{
	struct strbuf serial = STRBUF_INIT, where = STRBUF_INIT, model = STRBUF_INIT;
	char real[PATH_MAX];
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (!realpath(cfg->path, real))
		return error("device '%s': cannot resolve '%s': %s", cfg->name, cfg->path, errstr());
	if (stat(real, &st))
		return error("device '%s': cannot stat '%s': %s", cfg->name, real, errstr());
	if (!S_ISBLK(st.st_mode))
		return error("device '%s': '%s' is not a block device: refusing", cfg->name, real);
	if (device_serial(st.st_rdev, &serial)) {
		error("device '%s': '%s' reports no serial or WWN in sysfs, so it cannot be "
		      "matched against the allow-list: refusing", cfg->name, real);
		goto fail;
	}
	if (strcmp(serial.buf, cfg->serial)) {
		error("device '%s': '%s' reports serial '%s' but the config allow-lists '%s': "
		      "refusing", cfg->name, real, serial.buf, cfg->serial);
		goto fail;
	}
	switch (device_mounted(st.st_rdev, &where)) {
	case 0:
		break;
	case 1:
		error("device '%s': '%s' (or a partition of it) is in use as '%s': refusing",
		      cfg->name, real, where.buf);
		goto fail;
	default:
		error("device '%s': cannot tell whether '%s' is in use: refusing", cfg->name, real);
		goto fail;
	}
	out->name = xstrdup(cfg->name);
	out->path = xstrdup(real);
	out->excl_fd = -1;
	/* held from here until just before mkfs: nobody can mount it meanwhile */
	if (device_hold(out))
		goto fail;
	device_model(st.st_rdev, &model);
	out->serial = strbuf_detach(&serial, NULL);
	out->model = strbuf_detach(&model, NULL);
	out->rdev = st.st_rdev;
	strbuf_release(&where);
	return 0;
fail:
	free(out->name);
	free(out->path);
	memset(out, 0, sizeof(*out));
	strbuf_release(&serial);
	strbuf_release(&where);
	strbuf_release(&model);
	return -1;
}

void safe_device_release(struct safe_device *d)
{
	device_let_go(d);
	free(d->name);
	free(d->path);
	free(d->serial);
	free(d->model);
	memset(d, 0, sizeof(*d));
}
