// SPDX-License-Identifier: GPL-2.0-only
#include "collectors/dioproof.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/strbuf.h"
#include "tests/tap.h"

#define FIX FIXTURE_DIR "/kprobe/"

/*
 * tests/fixtures/kprobe/kprobe_profile-6.12.txt is a real kprobe_profile:
 * Linux 6.12.117 built from kernels/configs/qemu.config, booted in QEMU
 * with a vfat disk; probes p:pinbench/legacy_dio __blockdev_direct_IO,
 * p:pinbench/fs_dio2 vfs_fsync_range, p:pinbench/fs_dio fat_direct_IO and
 * r:pinbenchtest/t1 vfs_read, then 256 O_DIRECT 4 KiB writes into a laid-out
 * file and 256 reads. Other lines are printed with the kernel's own format
 * (probes_profile_seq_show(), kernel/trace/trace_kprobe.c, 6.1 and 6.12).
 */
static void profile_line(struct strbuf *sb, const char *event, unsigned long hits,
			 unsigned long missed)
{
	strbuf_addf(sb, "  %-44s %15lu %15lu\n", event, hits, missed);
}

static void test_profile_fixture(void)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned long long h = 0, m = 1;

	ok(!strbuf_read_file(&sb, FIX "kprobe_profile-6.12.txt", 0), "real profile reads");
	ok(!dio_kprobe_profile_hits(sb.buf, "legacy_dio", &h, &m) && h == 512 && m == 0,
	   "legacy_dio: 512 hits, 0 missed");
	ok(!dio_kprobe_profile_hits(sb.buf, "fs_dio", &h, &m) && h == 512 && m == 0,
	   "fs_dio: 512 hits, listed after fs_dio2");
	ok(!dio_kprobe_profile_hits(sb.buf, "fs_dio2", &h, &m) && h == 2, "fs_dio2: 2 hits");
	ok(!dio_kprobe_profile_hits(sb.buf, "t1", &h, &m) && h == 256,
	   "return probe of another group: 256 hits");
	is_int(dio_kprobe_profile_hits(sb.buf, "pinbench/legacy_dio", &h, &m), -1,
	       "6.12 prints no group: group/event is not found");
	is_int(dio_kprobe_profile_hits(sb.buf, "legacy", &h, &m), -1, "absent event");
	strbuf_release(&sb);
}

static void test_fs_method(void)
{
	static const char *const table[][2] = {
		{ "vfat", "fat_direct_IO" },
		{ "msdos", "fat_direct_IO" },
		{ "exfat", "exfat_direct_IO" },
		{ "udf", "udf_direct_IO" },
		{ "hfs", "hfs_direct_IO" },
		{ "hfsplus", "hfsplus_direct_IO" },
		{ "jfs", "jfs_direct_IO" },
		{ "nilfs2", "nilfs_direct_IO" },
		{ "affs", "affs_direct_IO" },
		{ "ocfs2", "ocfs2_direct_IO" },
		{ "ntfs3", "ntfs_direct_IO" },
		{ "reiserfs", "reiserfs_direct_IO" },
		{ "ext2", "ext2_direct_IO" },
	};
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		is_str(dio_fs_method(table[i][0]), table[i][1], table[i][0]);
	ok(!dio_fs_method("ext4"), "ext4 (iomap) has none");
	ok(!dio_fs_method("xfs"), "xfs has none");
	ok(!dio_fs_method("btrfs"), "btrfs has none");
	ok(!dio_fs_method("ntfs"), "ntfs (ambiguous driver) has none");
	ok(!dio_fs_method("fat"), "'fat' is no filesystem type");
	ok(!dio_fs_method("VFAT"), "type names are case-sensitive");
	ok(!dio_fs_method(""), "empty name");
	ok(!dio_fs_method(NULL), "NULL name");
}

static int hits_of(const char *text, const char *event, unsigned long long *h,
		   unsigned long long *m)
{
	*h = *m = 12345;	/* must stay untouched on failure */
	return dio_kprobe_profile_hits(text, event, h, m);
}

static void test_profile(void)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned long long h, m;

	profile_line(&sb, "t1", 4821, 0);
	profile_line(&sb, "fs_dio2", 7, 1);
	profile_line(&sb, "fs_dio", 4096, 3);
	profile_line(&sb, "legacy_dio", 4099, 0);
	profile_line(&sb, "legacy_dio_ret", 1, 0);
	ok(!hits_of(sb.buf, "legacy_dio", &h, &m) && h == 4099 && m == 0,
	   "event name only (6.x format)");
	ok(!hits_of(sb.buf, "fs_dio", &h, &m) && h == 4096 && m == 3,
	   "fs_dio after fs_dio2: no prefix match");
	ok(!hits_of(sb.buf, "fs_dio2", &h, &m) && h == 7 && m == 1, "fs_dio2 itself");
	ok(!hits_of(sb.buf, "t1", &h, &m) && h == 4821, "first line");
	is_int(hits_of(sb.buf, "fs_di", &h, &m), -1, "prefix of a name is not the name");
	is_int(hits_of(sb.buf, "dio", &h, &m), -1, "suffix of a name is not the name");
	is_int(hits_of(sb.buf, "missing", &h, &m), -1, "missing event");
	ok(h == 12345 && m == 12345, "outputs untouched when missing");
	is_int(hits_of(sb.buf, "", &h, &m), -1, "empty event name");
	is_int(hits_of("", "legacy_dio", &h, &m), -1, "empty profile");

	strbuf_reset(&sb);
	profile_line(&sb, "kprobes/fs_dio2", 7, 0);
	profile_line(&sb, "pinbench/fs_dio", 12, 0);
	profile_line(&sb, "pinbench/legacy_dio", 18446744073709551615UL, 2);
	ok(!hits_of(sb.buf, "fs_dio", &h, &m) && h == 12, "group/event format");
	ok(!hits_of(sb.buf, "legacy_dio", &h, &m) && h == 18446744073709551615ULL && m == 2,
	   "group/event, full 64-bit count");
	is_int(hits_of(sb.buf, "pinbench", &h, &m), -1, "group is not an event");

	ok(!hits_of("legacy_dio 5 6", "legacy_dio", &h, &m) && h == 5 && m == 6,
	   "no indent, no newline");
	ok(!hits_of("x 1 2\r\n\tlegacy_dio\t9\t0\r\n", "legacy_dio", &h, &m) && h == 9,
	   "tabs and CRLF");
	ok(!hits_of("garbage line\nlegacy_dio 1 0\n-:junk\n", "legacy_dio", &h, &m) && h == 1,
	   "other malformed lines are not ours to judge");
	is_int(hits_of("  legacy_dio 12x 0\n", "legacy_dio", &h, &m), -1, "hits not a number");
	is_int(hits_of("  legacy_dio 12 -1\n", "legacy_dio", &h, &m), -1, "negative misses");
	is_int(hits_of("  legacy_dio -12 0\n", "legacy_dio", &h, &m), -1, "negative hits");
	is_int(hits_of("  legacy_dio 99999999999999999999999 0\n", "legacy_dio", &h, &m), -1,
	       "overflow");
	is_int(hits_of("  legacy_dio 12\n", "legacy_dio", &h, &m), -1, "misses column missing");
	is_int(hits_of("  legacy_dio\n", "legacy_dio", &h, &m), -1, "both columns missing");
	is_int(hits_of("  legacy_dio 1 2 3\n", "legacy_dio", &h, &m), -1, "extra column");
	ok(h == 12345 && m == 12345, "outputs untouched when malformed");
	is_int(hits_of("  legacy_dio 1 0\n  other/legacy_dio 2 0\n", "legacy_dio", &h, &m), -1,
	       "the same event twice is ambiguous");
	strbuf_release(&sb);
}

/* ---- collect against a directory laid out like tracefs ---- */

static void put_file(const char *dir, const char *name, const char *text)
{
	struct strbuf path = STRBUF_INIT;
	int fd;

	strbuf_addf(&path, "%s/%s", dir, name);
	mkdir_parents(path.buf);
	fd = open(path.buf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ok(fd >= 0 && !write_all(fd, text, strlen(text)) && !close(fd), name);
	strbuf_release(&path);
}

static char *get_file(const char *dir, const char *name)
{
	struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT;

	strbuf_addf(&path, "%s/%s", dir, name);
	strbuf_read_file(&sb, path.buf, 0);
	strbuf_release(&path);
	return strbuf_detach(&sb, NULL);
}

static void check_sample(const struct sample_set *set, const char *metric, int available,
			 double value, const char *unit)
{
	const struct sample *s = sample_set_find(set, metric);

	ok(s && s->available == available, metric);
	if (s && available)
		is_double(s->value, value, 1e-12, metric);
	is_str(s ? s->unit : NULL, unit, metric);
}

static void arm_fake(struct dio_proof *p, const char *dir, const char *legacy, const char *fs)
{
	p->tracefs = xstrdup(dir);
	p->legacy_symbol = legacy ? xstrdup(legacy) : NULL;
	p->fs_symbol = fs ? xstrdup(fs) : NULL;
	p->armed = legacy || fs;
}

static void test_collect_fake(void)
{
	char dir[] = "/tmp/pinbench-dioproof.XXXXXX";
	struct dio_proof p = DIO_PROOF_INIT;
	struct sample_set set = SAMPLE_SET_INIT;
	struct strbuf why = STRBUF_INIT, sb = STRBUF_INIT;
	char *s;

	if (!ok(mkdtemp(dir), "temporary tracefs stand-in"))
		return;
	strbuf_read_file(&sb, FIX "kprobe_profile-6.12.txt", 0);
	put_file(dir, "kprobe_profile", sb.buf);
	put_file(dir, "kprobe_events", "p:pinbenchtest/t1 vfs_read\n"
		 "p:pinbench/fs_dio fat_direct_IO\np:pinbench/legacy_dio __blockdev_direct_IO\n"
		 "r16:pinbench/stale vfs_write\n");
	put_file(dir, "events/pinbench/enable", "1\n");

	arm_fake(&p, dir, "__blockdev_direct_IO", "fat_direct_IO");
	is_int(dio_proof_collect(&p, 512, &set, &why), 0, "collect");
	is_str(why.buf, "", "nothing to say");
	check_sample(&set, "dio.legacy_calls", 1, 512, "calls");
	check_sample(&set, "dio.fs_direct_io_calls", 1, 512, "calls");
	check_sample(&set, "dio.legacy_calls_per_io", 1, 1.0, "calls/IO");
	is_int(set.nr, 3, "three samples");
	is_str(p.legacy_symbol, "__blockdev_direct_IO", "the symbol stays for the caller");
	is_int(p.armed, 0, "no longer armed");
	s = get_file(dir, "events/pinbench/enable");
	is_str(s, "0", "disabled");
	free(s);
	s = get_file(dir, "kprobe_events");
	like(s, "r16:pinbench/stale vfs_write\n-:pinbench/fs_dio\n-:pinbench/legacy_dio\n"
	     "-:pinbench/stale\n", "every pinbench event deleted, listed order");
	ok(s && !strstr(s, "-:pinbenchtest"), "other groups left alone");
	free(s);
	dio_proof_release(&p);
	ok(!p.tracefs && !p.legacy_symbol && !p.fs_symbol && !p.armed, "released");
	dio_proof_release(&p);
	ok(!p.tracefs, "release twice");
	sample_set_clear(&set);

	/* this kernel has no legacy entry point: 0 calls, not unknown */
	put_file(dir, "kprobe_events", "");
	arm_fake(&p, dir, NULL, NULL);
	is_int(dio_proof_collect(&p, 4000, &set, &why), 0, "collect without probes");
	check_sample(&set, "dio.legacy_calls", 1, 0, "calls");
	check_sample(&set, "dio.fs_direct_io_calls", 0, 0, "calls");
	check_sample(&set, "dio.legacy_calls_per_io", 1, 0, "calls/IO");
	dio_proof_release(&p);
	sample_set_clear(&set);

	/* misses count as calls; fs method absent (ext2 on 6.12); no I/O count */
	strbuf_reset(&sb);
	profile_line(&sb, "fs_dio2", 5, 0);
	profile_line(&sb, "legacy_dio", 3998, 2);
	put_file(dir, "kprobe_profile", sb.buf);
	arm_fake(&p, dir, "__blockdev_direct_IO", NULL);
	is_int(dio_proof_collect(&p, 0, &set, &why), 0, "collect, fs probe absent");
	check_sample(&set, "dio.legacy_calls", 1, 4000, "calls");
	check_sample(&set, "dio.fs_direct_io_calls", 0, 0, "calls");
	check_sample(&set, "dio.legacy_calls_per_io", 0, 0, "calls/IO");
	dio_proof_release(&p);
	sample_set_clear(&set);

	/* the profile lost our line */
	strbuf_reset(&sb);
	profile_line(&sb, "fs_dio", 4000, 0);
	put_file(dir, "kprobe_profile", sb.buf);
	arm_fake(&p, dir, "__blockdev_direct_IO", "fat_direct_IO");
	is_int(dio_proof_collect(&p, 4000, &set, &why), -1, "legacy line missing");
	like(why.buf, "'legacy_dio' in kprobe_profile", "says which");
	check_sample(&set, "dio.legacy_calls", 0, 0, "calls");
	check_sample(&set, "dio.fs_direct_io_calls", 1, 4000, "calls");
	check_sample(&set, "dio.legacy_calls_per_io", 0, 0, "calls/IO");
	dio_proof_release(&p);
	sample_set_clear(&set);
	strbuf_reset(&why);

	/* no profile at all */
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/kprobe_profile", dir);
	unlink(sb.buf);
	arm_fake(&p, dir, "__blockdev_direct_IO", "fat_direct_IO");
	is_int(dio_proof_collect(&p, 4000, &set, &why), -1, "profile missing");
	like(why.buf, "cannot read '", "says so");
	like(why.buf, "/kprobe_profile'", "names the file");
	check_sample(&set, "dio.legacy_calls", 0, 0, "calls");
	check_sample(&set, "dio.fs_direct_io_calls", 0, 0, "calls");
	dio_proof_release(&p);
	sample_set_clear(&set);
	strbuf_reset(&why);

	/* never armed */
	is_int(dio_proof_collect(&p, 4000, &set, &why), -1, "collect unarmed");
	like(why.buf, "not armed", "says so");
	check_sample(&set, "dio.legacy_calls", 0, 0, "calls");
	is_int(set.nr, 3, "still three samples");
	sample_set_clear(&set);

	ok(!remove_tree(dir), "stand-in removed");
	strbuf_release(&sb);
	strbuf_release(&why);
}

/* ---- the real thing ---- */

static const char *mounted_tracefs(void)
{
	static const char *const where[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	struct strbuf path = STRBUF_INIT;
	const char *found = NULL;
	size_t i;

	for (i = 0; i < 2 && !found; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/trace", where[i]);
		if (path_exists(path.buf))
			found = where[i];
	}
	strbuf_release(&path);
	return found;
}

/*
 * Without a mounted tracefs, mount one in a mount namespace of this test's
 * own, so that the host's mounts stay as they were and the real thing is
 * still tested. Returns the tracefs, or NULL (failure reported).
 */
static const char *private_tracefs(void)
{
	if (unshare(CLONE_NEWNS) || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) ||
	    mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL)) {
		ok(0, "tracefs mounted in a private mount namespace");
		printf("#   %s\n", strerror(errno));
		return NULL;
	}
	return mounted_tracefs();
}

static void test_real_tracefs(void)
{
	struct dio_proof p = DIO_PROOF_INIT;
	struct sample_set set = SAMPLE_SET_INIT;
	struct strbuf why = STRBUF_INIT, path = STRBUF_INIT;
	const char *tracefs = mounted_tracefs();
	double legacy;
	char *events;

	if (geteuid()) {
		skip("real kprobe events", "they need root");
		return;
	}
	if (!tracefs && !(tracefs = private_tracefs()))
		return;
	strbuf_addf(&path, "%s/kprobe_events", tracefs);
	if (!path_exists(path.buf)) {
		/* this kernel has no kprobe events: arm must say so and leave p clean */
		is_int(dio_proof_arm(&p, "vfat", &why), -1, "arm without kprobe_events fails");
		like(why.buf, "kprobe_events': kernel without CONFIG_KPROBE_EVENTS", why.buf);
		ok(!p.tracefs && !p.legacy_symbol && !p.fs_symbol && !p.armed, "p clean");
		dio_proof_release(&p);
		skip("real kprobe events", "kernel without CONFIG_KPROBE_EVENTS");
		goto out;
	}
	if (!ok(!dio_proof_arm(&p, "vfat", &why), "arm on vfat")) {
		printf("#   %s\n", why.buf);
		goto out;
	}
	printf("# legacy symbol: %s, fs symbol: %s\n", p.legacy_symbol ? p.legacy_symbol : "-",
	       p.fs_symbol ? p.fs_symbol : "-");
	ok(p.tracefs && !strcmp(p.tracefs, tracefs), "tracefs found");
	is_int(dio_proof_collect(&p, 1000, &set, &why), 0, "collect");
	is_int(set.nr, 3, "three samples");
	/*
	 * No vfat I/O happened. Without a legacy entry point nothing went
	 * through one: exactly 0. With one, the probe counts every caller on
	 * the host, so the number is not known, but it is a whole count and
	 * the per-I/O figure is that count over the 1000 I/Os given.
	 */
	legacy = sample_set_value(&set, "dio.legacy_calls", -1);
	if (!p.legacy_symbol)
		check_sample(&set, "dio.legacy_calls", 1, 0, "calls");
	else if (!ok(legacy >= 0 && legacy == floor(legacy), "dio.legacy_calls is a count"))
		printf("#   got %g\n", legacy);
	if (!p.fs_symbol)
		check_sample(&set, "dio.fs_direct_io_calls", 0, 0, "calls");
	check_sample(&set, "dio.legacy_calls_per_io", 1, legacy / 1000, "calls/IO");
	dio_proof_release(&p);
	events = get_file(tracefs, "kprobe_events");
	ok(!strstr(events, ":pinbench/"), "no pinbench probes left in kprobe_events");
	free(events);
out:
	sample_set_clear(&set);
	strbuf_release(&path);
	strbuf_release(&why);
}

int main(void)
{
	test_fs_method();
	test_profile_fixture();
	test_profile();
	test_collect_fake();
	test_real_tracefs();
	return done_testing();
}
