// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/mountinfo.h"
#include "runner/device.h"
#include "tests/tap.h"

/* Saved from a host, with a mount point holding a space, a tab, a newline and a backslash. */
static const char saved[] =
	"22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
	"25 22 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
	"98 22 7:99 / /mnt/my\\040disk\\011x\\012y\\134z rw,relatime shared:50 master:3 - "
	"ext4 /dev/loop99 rw\n"
	"99 22 0:45 /sub\\040dir /srv/bind rw - tmpfs my\\040tmpfs rw,size=100k\n";

static void test_parse(void)
{
	struct mount_table t = MOUNT_TABLE_INIT;
	struct strbuf why = STRBUF_INIT;

	is_int(mountinfo_parse(saved, &t, &why), 0, "saved mountinfo parses");
	is_int(t.nr, 4, "one entry per line");
	if (t.nr != 4)
		goto out;
	is_str(t.v[0].mountpoint, "/", "root mount point");
	is_str(t.v[0].fstype, "ext4", "fstype after the '-'");
	is_int(t.v[2].major, 7, "major");
	is_int(t.v[2].minor, 99, "minor");
	is_str(t.v[2].mountpoint, "/mnt/my disk\tx\ny\\z", "\\040 \\011 \\012 \\134 unescaped");
	is_str(t.v[2].fstype, "ext4", "optional fields skipped up to '-'");
	is_str(t.v[3].root, "/sub dir", "root unescaped");
	is_str(t.v[3].source, "my tmpfs", "source unescaped");
out:
	mount_table_clear(&t);
	strbuf_reset(&why);
	is_int(mountinfo_parse("22 1 252:1 / /\n", &t, &why), -1, "a cut line is an error");
	is_str(why.buf, "line 1 does not parse", "naming the line");
	mount_table_clear(&t);
	strbuf_release(&why);
}

static void test_unescape(void)
{
	struct strbuf sb = STRBUF_INIT;

	mountinfo_unescape("a\\040b\\04", 9, &sb);
	is_str(sb.buf, "a b\\04", "a cut escape stays as it is");
	strbuf_release(&sb);
}

static const char *write_tmp(const char *dir, const char *name, const char *text, char *buf,
			     size_t size)
{
	snprintf(buf, size, "%s/%s", dir, name);
	write_file_atomic(buf, text, strlen(text));
	return buf;
}

static void test_device_mounted(void)
{
	char dir[] = "/tmp/pinbench-mountinfo.XXXXXX", mi[256], sw[256], none[256];
	struct strbuf where = STRBUF_INIT;
	dev_t loop99 = makedev(7, 99), other = makedev(7, 98);

	if (!ok(mkdtemp(dir) != NULL, "temporary directory"))
		return;
	write_tmp(dir, "mountinfo", saved, mi, sizeof(mi));
	write_tmp(dir, "swaps", "Filename\tType\tSize\tUsed\tPriority\n", sw, sizeof(sw));
	snprintf(none, sizeof(none), "%s/missing", dir);

	is_int(device_mounted_in(loop99, mi, sw, &where), 1, "a mounted device is found");
	is_str(where.buf, "/mnt/my disk\tx\ny\\z", "where: the unescaped mount point");
	strbuf_reset(&where);
	is_int(device_mounted_in(other, mi, sw, &where), 0, "another device is not mounted");
	/* fail closed: what cannot be read is not "not mounted" */
	is_int(device_mounted_in(other, none, sw, &where), -1, "unreadable mountinfo: an error");
	write_tmp(dir, "bad", "22 1 252:1\n", mi, sizeof(mi));
	is_int(device_mounted_in(other, mi, sw, &where), -1, "garbled mountinfo: an error");
	write_tmp(dir, "mountinfo", saved, mi, sizeof(mi));
	/* a directory cannot be read as a file (EISDIR) */
	is_int(device_mounted_in(other, mi, dir, &where), -1, "unreadable swaps: an error");
	remove_tree(dir);
	strbuf_release(&where);
}

int main(void)
{
	test_parse();
	test_unescape();
	test_device_mounted();
	return done_testing();
}
