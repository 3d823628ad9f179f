// SPDX-License-Identifier: GPL-2.0-only
#include "common/config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

enum key_type {
	KEY_STRING,
	KEY_BOOL,
	KEY_UINT,
	KEY_SIZE,
	KEY_ENUM,		/* one of `choices` */
	KEY_PERCENT,		/* "2%" or "2" in [min, max] percent, stored as a fraction */
	KEY_OPT_STRING,		/* a string that may be empty (unset) */
	/* the lists come last: `type >= KEY_LIST` is a list */
	KEY_LIST,		/* free list of names */
	KEY_LIST_ENUM,		/* every item one of `choices` */
	KEY_LIST_SIZE,		/* every item a size */
	KEY_LIST_UINT,		/* every item an unsigned in [min, max] */
};

/*
 * One row per key: where it lives, what it accepts, its default and its
 * help. Validation, defaults and `pinbench help config` all come from here.
 */
struct key_def {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;
	const char *def;
	const char *choices;	/* space-separated, for KEY_LIST_ENUM */
	unsigned long long min, max;
	const char *help;
};

#define OFF(field) offsetof(struct config, field)

static const struct key_def keys[] = {
	{ "store", "database", KEY_STRING, OFF(database), "pinbench.db", NULL, 0, 0,
	  "SQLite file for every run (relative to this file's directory)" },
	{ "store", "logs", KEY_STRING, OFF(logs_dir), "pinbench-logs", NULL, 0, 0,
	  "directory for guest console logs, one subdirectory per run (relative to this file)" },
	{ "store", "reports", KEY_STRING, OFF(reports_dir), "pinbench-reports", NULL, 0, 0,
	  "directory for text reports, comparison-ID.txt (relative to this file)" },

	{ "matrix", "devices", KEY_LIST, OFF(devices), "scratch", NULL, 0, 0,
	  "where jobs run: 'scratch' (the target's scratch directory) and/or [device NAME] sections" },
	{ "matrix", "filesystems", KEY_LIST_ENUM, OFF(filesystems), "ext4",
	  "vfat vfat-512 exfat udf hfsplus jfs nilfs2 ext2 ext4 xfs btrfs", 0, 0,
	  "made with mkfs on each allow-listed device (scratch uses the filesystem it is on); "
	  "vfat-512 is vfat with 512-byte clusters (mkfs.vfat -F 32 -s 1 -S 512), where a page spans "
	  "8 clusters and the dio-cases split-page case can split it across bios" },
	{ "matrix", "workloads", KEY_LIST_ENUM, OFF(workloads), "fio", "fio dio-cases", 0, 0,
	  "fio: the rw x bs x iodepth x numjobs x ioengine jobs; dio-cases: pinbench's own "
	  "O_DIRECT program, one job per [matrix] cases entry, device and filesystem" },
	{ "matrix", "cases", KEY_LIST, OFF(cases),
	  "anon zero-src subblock-new split-page split-iovec thp file-mmap fault-mid", NULL, 0, 0,
	  "the dio-cases jobs: anon (touched memory, the control), zero-src (a write from the "
	  "zero page), subblock-new (512-byte writes into new blocks), split-page (a page over "
	  "non-contiguous blocks), split-iovec (two iovecs in one page), thp (a huge page), "
	  "file-mmap (a shared page-cache mapping), fault-mid (EFAULT part way); a name not "
	  "among them is skipped with a warning" },
	{ "matrix", "rw", KEY_LIST_ENUM, OFF(rw), "randread",
	  "read write randread randwrite rw randrw", 0, 0, "fio rw modes" },
	{ "matrix", "bs", KEY_LIST_SIZE, OFF(bs), "4k", NULL, 512, 64ull << 20,
	  "block sizes (512 .. 64M, suffixes k M G)" },
	{ "matrix", "iodepth", KEY_LIST_UINT, OFF(iodepth), "1", NULL, 1, 4096, "queue depths" },
	{ "matrix", "numjobs", KEY_LIST_UINT, OFF(numjobs), "1", NULL, 1, 256,
	  "fio processes per job (aggregated by pinbench)" },
	{ "matrix", "ioengine", KEY_LIST_ENUM, OFF(ioengine), "psync",
	  "psync sync pvsync pvsync2 libaio io_uring posixaio", 0, 0, "fio ioengines" },
	{ "matrix", "size", KEY_SIZE, OFF(size), "64M", NULL, 1ull << 20, 1ull << 40,
	  "file size per fio process" },
	{ "matrix", "runtime", KEY_UINT, OFF(runtime), "5", NULL, 1, 86400, "seconds per repetition" },
	{ "matrix", "ramp", KEY_UINT, OFF(ramp), "0", NULL, 0, 3600,
	  "seconds of warm-up fio does not count" },
	{ "matrix", "repetitions", KEY_UINT, OFF(repetitions), "5", NULL, 1, 1000,
	  "repetitions per job (each stored on its own)" },
	{ "matrix", "timeout", KEY_UINT, OFF(timeout), "120", NULL, 1, 86400,
	  "seconds a job may take beyond ramp + runtime (file layout) before it is killed" },

	{ "target host", "scratch_dir", KEY_STRING, OFF(scratch_dir), "/var/tmp/pinbench", NULL, 0, 0,
	  "directory for the test files of 'scratch' jobs (created if missing)" },

	{ "target qemu", "qemu", KEY_STRING, OFF(qemu.binary), "qemu-system-x86_64", NULL, 0, 0,
	  "the QEMU binary (Debian package qemu-system-x86)" },
	{ "target qemu", "accel", KEY_ENUM, OFF(qemu.accel), "auto", "auto kvm tcg", 0, 0,
	  "auto: KVM when a probe boot under it succeeds (cached per host boot), else TCG" },
	{ "target qemu", "memory", KEY_UINT, OFF(qemu.memory_mb), "1024", NULL, 128, 1 << 20,
	  "guest memory in MiB" },
	{ "target qemu", "cpus", KEY_UINT, OFF(qemu.cpus), "2", NULL, 1, 256, "guest CPUs" },
	{ "target qemu", "disks", KEY_LIST, OFF(qemu.disks), "nvme sata", NULL, 0, 0,
	  "the guest's disks, jobs run on each: 'nvme' and 'sata' are emulated disks backed by "
	  "image files; a [device NAME] with 'bus' set is passed through (allow-listed, unmounted)" },
	{ "target qemu", "disk_size", KEY_SIZE, OFF(qemu.disk_size), "1G", NULL, 64ull << 20,
	  1ull << 40, "size of each image file (recreated for every boot)" },
	{ "target qemu", "image_dir", KEY_STRING, OFF(qemu.image_dir), "/dev/shm", NULL, 0, 0,
	  "where the image files live (tmpfs: the host's disk adds no noise)" },
	{ "target qemu", "cmdline", KEY_STRING, OFF(qemu.cmdline), "tsc=reliable clocksource=tsc",
	  NULL, 0, 0, "added to the guest kernel's command line (the default removes HPET reads)" },
	{ "target qemu", "boot_timeout", KEY_UINT, OFF(qemu.boot_timeout), "180", NULL, 5, 86400,
	  "seconds from starting QEMU until the agent reports in" },
	{ "target qemu", "run_timeout", KEY_UINT, OFF(qemu.run_timeout), "0", NULL, 0, 7 * 86400,
	  "seconds one boot may take in all (0: from the plan, jobs x (runtime + timeout))" },
	{ "target qemu", "boots", KEY_UINT, OFF(qemu.boots), "4", NULL, 1, 1000,
	  "boots per kernel, interleaved A B A B ..., over which the repetitions are spread "
	  "(--boots overrides; fewer when there are fewer repetitions): the boot is the unit of "
	  "a throughput or latency verdict, and 3 pairs of boots are the least that decide one" },
	{ "target qemu", "user", KEY_STRING, OFF(qemu.user), "nobody", NULL, 0, 0,
	  "when pinbench runs as root, QEMU drops to this user once its files are open "
	  "(-runas); root: QEMU stays root" },

	{ "cost", "mode", KEY_ENUM, OFF(cost.mode), "auto", "auto off pmu", 0, 0,
	  "auto: under TCG one extra counting boot per kernel (-smp 1, the pinbench-count plugin) "
	  "gives cost.* rows, under KVM and on the host perf stat of pmu_events where a PMU "
	  "counts them; pmu: the qemu target's counting boot uses the guest's perf stat even "
	  "under TCG (a guest PMU some other way, or other events); off: none" },
	{ "cost", "repetitions", KEY_UINT, OFF(cost.repetitions), "3", NULL, 1, 100,
	  "counted repetitions per job in the counting boot (compare takes their median)" },
	{ "cost", "ios", KEY_UINT, OFF(cost.ios), "2000", NULL, 10, 100000000,
	  "I/Os per fio job in a counted repetition (a fixed number: the same offsets in "
	  "every boot; the idle run after it lasts as long with two I/Os per fio process)" },
	{ "cost", "functions", KEY_LIST, OFF(cost.functions),
	  "folio_add_pin unpin_user_page unpin_user_pages gup_put_folio try_grab_folio "
	  "try_grab_page iov_iter_extract_pages iov_iter_get_pages2 __blockdev_direct_IO "
	  "dio_send_cur_page submit_page_section dio_bio_complete bio_release_pages submit_bio "
	  "get_page put_page __folio_put", NULL, 0, 0,
	  "kernel functions whose instructions are counted on their own (cost.fn.NAME_insns_per_io; "
	  "one the kernel does not have, e.g. inlined, is unavailable)" },
	{ "cost", "wait_functions", KEY_LIST, OFF(cost.wait_functions),
	  "*sched* *switch* *task_fair* *load_avg* update_curr* dequeue_* enqueue_* *_entity* "
	  "ttwu* try_to_wake_up wake_up_* decay_load *idle* update_rq_clock* dl_server* "
	  "pick_next* put_prev* set_next* *timer* *tick* timekeeping* *clock* rcu_* *softirq*",
	  NULL, 0, 0,
	  "globs of kernel functions whose instructions are waiting, not work: counted apart "
	  "(cost.wait_insns_per_io) and left out of cost.kernel_insns_per_io" },
	{ "cost", "plugin", KEY_OPT_STRING, OFF(cost.plugin), "", NULL, 0, 0,
	  "the TCG plugin (empty: pinbench-count.so beside the pinbench binary)" },
	{ "cost", "iops_limit", KEY_UINT, OFF(cost.iops_limit), "500", NULL, 0, 1000000,
	  "the counting boot's disks are throttled to this many I/Os per second (QEMU's "
	  "throttling.iops-total): each I/O then completes after its task has gone to sleep, so "
	  "every I/O takes the same path whatever the host's speed, and a counted run lasts as "
	  "long in every boot; 0: no limit" },
	{ "cost", "pmu_events", KEY_LIST, OFF(cost.pmu_events),
	  "instructions:k instructions:u cycles:k", NULL, 0, 0,
	  "where a PMU counts (KVM, real hardware): perf's names for the kernel's instructions, "
	  "user-mode instructions and the kernel's cycles, in that order, counted around each "
	  "counted run (cost.kernel_insns_per_io, cost.user_insns_per_io, "
	  "cost.kernel_cycles_per_io, source pmu)" },

	{ "collectors", "vmstat", KEY_BOOL, OFF(vmstat), "on", NULL, 0, 0,
	  "/proc/vmstat deltas around each repetition" },
	{ "collectors", "vmstat_counters", KEY_LIST, OFF(vmstat_counters),
	  "nr_foll_pin_acquired nr_foll_pin_released", NULL, 0, 0,
	  "counters stored as vmstat.NAME (the two pin counters give pin.*_per_io)" },
	/*
	 * off: measured under TCG, perf stat's events (hooked into every context
	 * switch, two per psync I/O) cost 7 % of the IOPS they ran beside;
	 * CPU per I/O comes from fio's own accounting at no cost
	 */
	{ "collectors", "perf_stat", KEY_BOOL, OFF(perf_stat), "off", NULL, 0, 0,
	  "perf stat around fio, at a cost in throughput (skipped with a warning when perf is "
	  "missing or not permitted)" },
	{ "collectors", "perf_events", KEY_LIST, OFF(perf_events),
	  "task-clock context-switches page-faults", NULL, 0, 0, "software events, counted everywhere" },
	{ "collectors", "perf_hw_events", KEY_LIST, OFF(perf_hw_events), "cycles instructions",
	  NULL, 0, 0, "hardware events, added only when the machine has a PMU" },
	{ "collectors", "dio_proof", KEY_BOOL, OFF(dio_proof), "on", NULL, 0, 0,
	  "per job on a legacy direct-I/O filesystem, a short unmeasured pass counting kprobe hits "
	  "of __blockdev_direct_IO and the fs's direct_IO method (flags jobs that miss it)" },
	{ "collectors", "perf_profile", KEY_BOOL, OFF(perf_profile), "off", NULL, 0, 0,
	  "one extra, unmeasured profiling pass per job (perf record of fio, cpu-clock)" },
	{ "collectors", "profile_symbols", KEY_LIST, OFF(profile_symbols),
	  "*get_user_pages* pin_user_pages* unpin_user_page* unpin_user_folio* folio_add_pin "
	  "bio_release_pages bio_iov_iter_get_pages* __blockdev_direct_IO dio_* "
	  "iov_iter_extract_pages iov_iter_get_pages*", NULL, 0, 0,
	  "symbol globs whose share of samples is profile.pin_share_pct" },
	{ "collectors", "profile_top", KEY_UINT, OFF(profile_top), "10", NULL, 0, 100,
	  "how many top symbols to store as profile.sym.NAME" },

	{ "compare", "throughput_threshold", KEY_PERCENT, OFF(throughput_threshold), "2%", NULL,
	  0, 100, "smallest change of throughput or CPU time that counts (the CI must also "
	  "exclude 0 %)" },
	{ "compare", "latency_threshold", KEY_PERCENT, OFF(latency_threshold), "5%", NULL, 0, 100,
	  "smallest change of a latency (mean, percentiles) that counts" },
	{ "compare", "cost_tolerance", KEY_PERCENT, OFF(cost_tolerance), "5%", NULL, 0, 100,
	  "whole-kernel cost rows (cost.kernel_insns_per_io, cost.pin_path_share_pct): a change "
	  "up to this is not a change (their A/A spread under TCG: about 2-3 %)" },
	{ "compare", "cost_fn_tolerance", KEY_PERCENT, OFF(cost_fn_tolerance), "1%", NULL, 0, 100,
	  "the rows of kernel functions (cost.fn.*, cost.role.*, cost.pin_path_*): most are "
	  "equal to the instruction from boot to boot" },
	{ "compare", "max_repetitions", KEY_UINT, OFF(max_repetitions), "30", NULL, 1, 1000,
	  "without --repetitions, compare takes as many as the machine's A/A noise (pinbench "
	  "calibrate) needs to see the thresholds, up to this many per side" },
	{ "compare", "max_boots", KEY_UINT, OFF(max_boots), "12", NULL, 1, 1000,
	  "without --boots, compare takes as many boots a side as the machine's between-boot "
	  "noise (pinbench calibrate, 2 or more boots a side) needs, up to this many" },

	{ "nightly", "window", KEY_UINT, OFF(nightly.window), "50", NULL, 10, 100000,
	  "nights per window of the change-point search (Apache Otava's 50; it advances by "
	  "half a window)" },
	{ "nightly", "max_p", KEY_PERCENT, OFF(nightly.max_p), "0.1%", NULL, 0, 5,
	  "a noisy series' change point needs a two-sided t-test p at most this (Otava: 0.1%)" },
	{ "nightly", "min_segment", KEY_UINT, OFF(nightly.min_segment), "3", NULL, 2, 1000,
	  "nights on either side of a noisy series' change point: one odd night is no step, "
	  "and a step is seen this many nights minus one after its first bad night (exact "
	  "series: the night it happens)" },
	{ "nightly", "bisect_steps", KEY_UINT, OFF(nightly.bisect_steps), "10", NULL, 0, 64,
	  "the most commits a bisection of a confirmed regression builds and measures, the "
	  "verification of the culprit not counted (0: no bisection); 10 steps bisect a "
	  "range of about a thousand commits" },

	{ "mail", "from", KEY_STRING, OFF(mail.from), "pinbench <pinbench@localhost>", NULL, 0, 0,
	  "the sender of result mails" },
	{ "mail", "to", KEY_LIST, OFF(mail.to), "", NULL, 0, 0,
	  "recipients of every result mail (the mailing list), comma-separated" },
	{ "mail", "cc", KEY_LIST, OFF(mail.cc), "", NULL, 0, 0, "copies of every result mail" },
	{ "mail", "reply_all", KEY_BOOL, OFF(mail.reply_all), "off", NULL, 0, 0,
	  "also mail the patch's author (To) and whom the patch mail went to (Cc), as the "
	  "kernel test robot does" },
	{ "mail", "reply_all_max", KEY_UINT, OFF(mail.reply_all_max), "10", NULL, 0, 1000,
	  "the most addresses reply_all adds from the patch mails (the rest are left out)" },
	{ "mail", "reply_all_domains", KEY_LIST, OFF(mail.reply_all_domains), "", NULL, 0, 0,
	  "the only domains (and their subdomains) reply_all may add addresses of, "
	  "comma-separated; * for any; empty: none" },
	{ "mail", "smtp_url", KEY_STRING, OFF(mail.smtp_url), "smtp://localhost:25", NULL, 0, 0,
	  "smtp://HOST:PORT or smtps://HOST:PORT (TLS from the start)" },
	{ "mail", "tls", KEY_ENUM, OFF(mail.tls), "try", "off try required", 0, 0,
	  "STARTTLS on smtp://: off, try (when the server offers it), required" },
	{ "mail", "user", KEY_OPT_STRING, OFF(mail.user), "", NULL, 0, 0,
	  "SMTP AUTH user (empty: no AUTH)" },
	{ "mail", "password_file", KEY_OPT_STRING, OFF(mail.password_file), "", NULL, 0, 0,
	  "file holding the SMTP password (else $PINBENCH_SMTP_PASSWORD; never an option)" },
	{ "mail", "domain", KEY_STRING, OFF(mail.domain), "pinbench.localdomain", NULL, 0, 0,
	  "right-hand side of the Message-IDs of result mails" },

	{ "report", "html_dir", KEY_STRING, OFF(report.html_dir), "pinbench-html", NULL, 0, 0,
	  "where `pinbench report --html` writes the site (relative to this file)" },
	{ "report", "base_url", KEY_OPT_STRING, OFF(report.base_url), "", NULL, 0, 0,
	  "the site's public URL, for links in mails and the Atom feed (empty: no links)" },

	{ "kernels", "cache_dir", KEY_STRING, OFF(cache_dir), "~/.cache/pinbench", NULL, 0, 0,
	  "unpacked sources, build trees, kernel artifacts and fetched lore threads" },
	{ "kernels", "jobs", KEY_UINT, OFF(build_jobs), "0", NULL, 0, 1024,
	  "make -j for kernel builds (0: one per online CPU)" },
	{ "kernels", "ccache", KEY_BOOL, OFF(ccache), "on", NULL, 0, 0,
	  "build with CC=\"ccache gcc\" when ccache is installed" },
	{ "kernels", "lore_url", KEY_STRING, OFF(lore_url), "https://lore.kernel.org/all/", NULL, 0, 0,
	  "public-inbox archive for lore:MSGID patches (the thread is URL/MSGID/t.mbox.gz)" },
	{ NULL, NULL, 0, 0, NULL, NULL, 0, 0, NULL },
};

static const char *const device_keys[] = { "path", "serial", "bus", NULL };
static const char *const kernel_keys[] = { "source", "patches", "configs", "base", NULL };
static const char *const branch_keys[] = { "source", "fetch", "configs", "base", "target", NULL };

static void *field(struct config *cfg, const struct key_def *k)
{
	return (char *)cfg + k->offset;
}

int parse_size(const char *s, unsigned long long *out)
{
	unsigned long long v, mul = 1;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (tolower((unsigned char)*end)) {
	case '\0': break;
	case 'k': mul = 1ull << 10; end++; break;
	case 'm': mul = 1ull << 20; end++; break;
	case 'g': mul = 1ull << 30; end++; break;
	case 't': mul = 1ull << 40; end++; break;
	default: return -1;
	}
	/* accept "4k", "4K", "4KiB"; nothing else may follow */
	if (*end == 'i' || *end == 'I')
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || (v && mul > ULLONG_MAX / v))
		return -1;
	*out = v * mul;
	return 0;
}

int parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "on", "yes", "true", "1", NULL };
	static const char *const no[] = { "off", "no", "false", "0", NULL };
	int i;

	for (i = 0; yes[i]; i++)
		if (!strcasecmp(s, yes[i]))
			return *out = 1, 0;
	for (i = 0; no[i]; i++)
		if (!strcasecmp(s, no[i]))
			return *out = 0, 0;
	return -1;
}

static int parse_uint(const char *s, unsigned long long min, unsigned long long max,
		      unsigned long long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || *end || *out < min || *out > max)
		return -1;
	return 0;
}

static int word_in(const char *word, const char *choices)
{
	size_t n = strlen(word);
	const char *p = choices;

	while ((p = strstr(p, word))) {
		if ((p == choices || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

/* Validate one list item; returns 0, or -1 with why filled. */
static int check_item(const struct key_def *k, const char *item, struct strbuf *why)
{
	unsigned long long v;

	switch (k->type) {
	case KEY_LIST_ENUM:
		if (!word_in(item, k->choices)) {
			strbuf_addf(why, "'%s' is not one of: %s", item, k->choices);
			return -1;
		}
		return 0;
	case KEY_LIST_SIZE:
		if (parse_size(item, &v) || v < k->min || v > k->max) {
			strbuf_addf(why, "'%s' is not a size between %llu and %llu bytes",
				    item, k->min, k->max);
			return -1;
		}
		if (v % 512) {
			strbuf_addf(why, "'%s' is not a multiple of 512 (O_DIRECT needs sector alignment)",
				    item);
			return -1;
		}
		return 0;
	case KEY_LIST_UINT:
		if (parse_uint(item, k->min, k->max, &v)) {
			strbuf_addf(why, "'%s' is not a whole number between %llu and %llu",
				    item, k->min, k->max);
			return -1;
		}
		return 0;
	default:
		if (!*item || strchr(item, '/') || item[0] == '-') {
			strbuf_addf(why, "'%s' is not a valid name", item);
			return -1;
		}
		return 0;
	}
}

/* Set one key from its text; `append` for continuation lines of a list. */
static int set_key(struct config *cfg, const struct key_def *k, const char *value,
		   int append, struct strbuf *why)
{
	unsigned long long v;
	size_t i;

	switch (k->type) {
	case KEY_STRING:
		if (!*value) {
			strbuf_addf(why, "'%s' must not be empty", k->name);
			return -1;
		}
		free(*(char **)field(cfg, k));
		*(char **)field(cfg, k) = xstrdup(value);
		return 0;
	case KEY_OPT_STRING:
		free(*(char **)field(cfg, k));
		*(char **)field(cfg, k) = xstrdup(value);
		return 0;
	case KEY_ENUM:
		if (!word_in(value, k->choices) || strchr(value, ' ')) {
			strbuf_addf(why, "'%s' is not one of: %s", value, k->choices);
			return -1;
		}
		free(*(char **)field(cfg, k));
		*(char **)field(cfg, k) = xstrdup(value);
		return 0;
	case KEY_BOOL:
		if (parse_bool(value, (int *)field(cfg, k))) {
			strbuf_addf(why, "'%s' is not a boolean (on/off, yes/no, true/false)", value);
			return -1;
		}
		return 0;
	case KEY_UINT:
		if (parse_uint(value, k->min, k->max, &v)) {
			strbuf_addf(why, "'%s' is not a whole number between %llu and %llu",
				    value, k->min, k->max);
			return -1;
		}
		*(unsigned *)field(cfg, k) = (unsigned)v;
		return 0;
	case KEY_PERCENT: {
		char *end;
		double d;

		errno = 0;
		d = strtod(value, &end);
		if (*end == '%')
			end++;
		if (errno || end == value || *end || !(d >= (double)k->min && d <= (double)k->max)) {
			strbuf_addf(why, "'%s' is not a percentage between %llu%% and %llu%%",
				    value, k->min, k->max);
			return -1;
		}
		*(double *)field(cfg, k) = d / 100;
		return 0;
	}
	case KEY_SIZE:
		if (parse_size(value, &v) || v < k->min || v > k->max) {
			strbuf_addf(why, "'%s' is not a size between %llu and %llu bytes",
				    value, k->min, k->max);
			return -1;
		}
		*(unsigned long long *)field(cfg, k) = v;
		return 0;
	default: {
		struct strvec *sv = field(cfg, k), items = STRVEC_INIT;

		strvec_split(&items, value);
		for (i = 0; i < items.nr; i++) {
			if (check_item(k, items.v[i], why)) {
				strvec_clear(&items);
				return -1;
			}
		}
		if (!append)
			strvec_clear(sv);
		for (i = 0; i < items.nr; i++)
			if (!strvec_contains(sv, items.v[i]))
				strvec_push(sv, items.v[i]);
		strvec_clear(&items);
		/* a list whose default is empty may stay empty ([mail] cc) */
		if (!sv->nr && *k->def) {
			strbuf_addf(why, "'%s' must list at least one value", k->name);
			return -1;
		}
		return 0;
	}
	}
}

static const struct key_def *find_key(const char *section, const char *name)
{
	const struct key_def *k;

	for (k = keys; k->section; k++)
		if (!strcmp(k->section, section) && !strcmp(k->name, name))
			return k;
	return NULL;
}

static int section_known(const char *section)
{
	const struct key_def *k;

	for (k = keys; k->section; k++)
		if (!strcmp(k->section, section))
			return 1;
	return 0;
}

void config_init(struct config *cfg)
{
	const struct key_def *k;
	struct strbuf why = STRBUF_INIT;

	memset(cfg, 0, sizeof(*cfg));
	for (k = keys; k->section; k++) {
		if (k->type >= KEY_LIST)
			*(struct strvec *)field(cfg, k) = (struct strvec)STRVEC_INIT;
	}
	for (k = keys; k->section; k++) {
		if (set_key(cfg, k, k->def, 0, &why)) {
			/* a broken built-in default is a bug, not a user error */
			fprintf(stderr, "pinbench: BUG: default of [%s] %s: %s\n",
				k->section, k->name, why.buf);
			abort();
		}
	}
	strbuf_release(&why);
}

void config_release(struct config *cfg)
{
	const struct key_def *k;
	size_t i;

	for (k = keys; k->section; k++) {
		if (k->type == KEY_STRING || k->type == KEY_ENUM || k->type == KEY_OPT_STRING)
			free(*(char **)field(cfg, k));
		else if (k->type >= KEY_LIST)
			strvec_clear(field(cfg, k));
	}
	for (i = 0; i < cfg->ndevs; i++) {
		free(cfg->devs[i].name);
		free(cfg->devs[i].path);
		free(cfg->devs[i].serial);
		free(cfg->devs[i].bus);
	}
	free(cfg->devs);
	for (i = 0; i < cfg->nkernels; i++) {
		free(cfg->kernels[i].name);
		free(cfg->kernels[i].source);
		free(cfg->kernels[i].base);
		strvec_clear(&cfg->kernels[i].patches);
		strvec_clear(&cfg->kernels[i].configs);
	}
	free(cfg->kernels);
	for (i = 0; i < cfg->nbranches; i++) {
		struct branch_cfg *b = &cfg->branches[i];

		free(b->name);
		free(b->source);
		free(b->fetch);
		free(b->base);
		free(b->target);
		strvec_clear(&b->configs);
	}
	free(cfg->branches);
	free(cfg->file);
	free(cfg->dir);
	memset(cfg, 0, sizeof(*cfg));
}

struct parse_state {
	struct config *cfg;
	struct strbuf why;		/* the first error */
	struct strbuf last_section;
	struct strbuf last_key;
	struct strvec seen;		/* "section\nkey" of every key set so far */
};

/* "device nvme0" or 'device "nvme0"' -> 1 with the name, else 0. */
static int named_section(const char *section, const char *kind, struct strbuf *name)
{
	size_t n = strlen(kind);
	const char *p;

	if (strncmp(section, kind, n) || !isspace((unsigned char)section[n]))
		return 0;
	p = section + n + 1;
	while (isspace((unsigned char)*p))
		p++;
	strbuf_addstr(name, p);
	if (name->len >= 2 && name->buf[0] == '"' && name->buf[name->len - 1] == '"') {
		memmove(name->buf, name->buf + 1, name->len - 2);
		strbuf_setlen(name, name->len - 2);
	}
	return 1;
}

static int check_device_name(const char *name, struct strbuf *why)
{
	const char *p;

	if (!*name || !strcmp(name, "scratch")) {
		strbuf_addf(why, "device name '%s' is reserved or empty", name);
		return -1;
	}
	for (p = name; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_') {
			strbuf_addf(why, "device name '%s' may only use letters, digits, '-' and '_'", name);
			return -1;
		}
	}
	return 0;
}

static struct device_cfg *get_device(struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->ndevs; i++)
		if (!strcmp(cfg->devs[i].name, name))
			return &cfg->devs[i];
	cfg->devs = xrealloc(cfg->devs, (cfg->ndevs + 1) * sizeof(*cfg->devs));
	memset(&cfg->devs[cfg->ndevs], 0, sizeof(*cfg->devs));
	cfg->devs[cfg->ndevs].name = xstrdup(name);
	return &cfg->devs[cfg->ndevs++];
}

int config_check_kernel_name(const char *name, struct strbuf *why)
{
	const char *p;

	if (!*name || *name == '.' || *name == '-' || !strcmp(name, "host")) {
		strbuf_addf(why, "kernel name '%s' is reserved or empty", name);
		return -1;
	}
	for (p = name; *p; p++) {
		if (!isalnum((unsigned char)*p) && !strchr("-_.+", *p)) {
			strbuf_addf(why, "kernel name '%s' may only use letters, digits, '-', '_', '.' and '+'",
				    name);
			return -1;
		}
	}
	if (p - name > 64) {
		strbuf_addf(why, "kernel name '%s' is longer than 64 characters", name);
		return -1;
	}
	return 0;
}

static struct kernel_cfg *get_kernel(struct config *cfg, const char *name)
{
	struct kernel_cfg *k;
	size_t i;

	for (i = 0; i < cfg->nkernels; i++)
		if (!strcmp(cfg->kernels[i].name, name))
			return &cfg->kernels[i];
	cfg->kernels = xrealloc(cfg->kernels, (cfg->nkernels + 1) * sizeof(*cfg->kernels));
	k = &cfg->kernels[cfg->nkernels++];
	memset(k, 0, sizeof(*k));
	k->name = xstrdup(name);
	k->patches = (struct strvec)STRVEC_INIT;
	k->configs = (struct strvec)STRVEC_INIT;
	k->base = xstrdup("tinyconfig");
	return k;
}

static struct branch_cfg *get_branch(struct config *cfg, const char *name)
{
	struct branch_cfg *b;
	size_t i;

	for (i = 0; i < cfg->nbranches; i++)
		if (!strcmp(cfg->branches[i].name, name))
			return &cfg->branches[i];
	cfg->branches = xrealloc(cfg->branches, (cfg->nbranches + 1) * sizeof(*cfg->branches));
	b = &cfg->branches[cfg->nbranches++];
	memset(b, 0, sizeof(*b));
	b->name = xstrdup(name);
	b->configs = (struct strvec)STRVEC_INIT;
	b->base = xstrdup("tinyconfig");
	b->target = xstrdup("qemu");
	return b;
}

static int check_kernel_value(const char *key, const char *value, struct strbuf *why)
{
	if (!strcmp(key, "source")) {
		if (!starts_with(value, "deb:") && !starts_with(value, "git:") &&
		    !starts_with(value, "dir:")) {
			strbuf_addf(why, "'%s' is not deb:linux-source-X.Y, git:PATH@REF or dir:PATH",
				    value);
			return -1;
		}
	} else if (!strcmp(key, "base")) {
		const char *p;

		/* a make target of the kernel's Makefile, e.g. tinyconfig or defconfig */
		for (p = value; *p; p++) {
			if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.') {
				strbuf_addf(why, "'%s' is not a config target such as tinyconfig",
					    value);
				return -1;
			}
		}
		if (!strstr(value, "config")) {
			strbuf_addf(why, "'%s' is not a config target such as tinyconfig", value);
			return -1;
		}
	}
	return 0;
}

static int handle_kernel_key(struct parse_state *st, const char *kname, const char *name,
			     const char *value, int append)
{
	struct kernel_cfg *k;

	if (config_check_kernel_name(kname, &st->why))
		return 0;
	k = get_kernel(st->cfg, kname);
	if (!strcmp(name, "patches") || !strcmp(name, "configs")) {
		struct strvec *sv = !strcmp(name, "patches") ? &k->patches : &k->configs;

		if (!append)
			strvec_clear(sv);
		strvec_split(sv, value);
		return 1;
	}
	if (strcmp(name, "source") && strcmp(name, "base")) {
		strbuf_addf(&st->why, "unknown key '%s' in [kernel %s] (known: %s, %s, %s, %s)",
			    name, kname, kernel_keys[0], kernel_keys[1], kernel_keys[2],
			    kernel_keys[3]);
		return 0;
	}
	if (append) {
		strbuf_addf(&st->why, "'%s' is set twice in [kernel %s]", name, kname);
		return 0;
	}
	if (!*value) {
		strbuf_addf(&st->why, "[kernel %s] %s: must not be empty", kname, name);
		return 0;
	}
	if (check_kernel_value(name, value, &st->why)) {
		struct strbuf msg = STRBUF_INIT;

		strbuf_addf(&msg, "[kernel %s] %s: %s", kname, name, st->why.buf);
		strbuf_reset(&st->why);
		strbuf_addstr(&st->why, msg.buf);
		strbuf_release(&msg);
		return 0;
	}
	if (!strcmp(name, "source")) {
		free(k->source);
		k->source = xstrdup(value);
	} else {
		free(k->base);
		k->base = xstrdup(value);
	}
	return 1;
}

/*
 * [branch NAME]: its source must be a git branch (a night is its head), the
 * rest as a kernel's; fetch names a remote, target the one target nightly
 * can measure on so far.
 */
static int check_branch_value(const char *key, const char *value, struct strbuf *why)
{
	const char *p;

	if (!strcmp(key, "source")) {
		if (!starts_with(value, "git:") || !strchr(value, '@')) {
			strbuf_addf(why, "'%s' is not git:PATH@BRANCH", value);
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "fetch")) {
		/* a remote's name: git would read a leading '-' as an option */
		for (p = value; *p; p++)
			if (!isalnum((unsigned char)*p) && !strchr("-_./", *p))
				break;
		if (*p || value[0] == '-') {
			strbuf_addf(why, "'%s' is not the name of a git remote", value);
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "target")) {
		if (strcmp(value, "qemu")) {
			strbuf_addf(why, "'%s': nightly measures on qemu only", value);
			return -1;
		}
		return 0;
	}
	return check_kernel_value(key, value, why);
}

static int handle_branch_key(struct parse_state *st, const char *bname, const char *name,
			     const char *value, int append)
{
	struct branch_cfg *b;
	char **field_of;

	if (config_check_kernel_name(bname, &st->why))
		return 0;
	b = get_branch(st->cfg, bname);
	if (!strcmp(name, "configs")) {
		if (!append)
			strvec_clear(&b->configs);
		strvec_split(&b->configs, value);
		return 1;
	}
	if (!strcmp(name, "source"))
		field_of = &b->source;
	else if (!strcmp(name, "fetch"))
		field_of = &b->fetch;
	else if (!strcmp(name, "base"))
		field_of = &b->base;
	else if (!strcmp(name, "target"))
		field_of = &b->target;
	else {
		strbuf_addf(&st->why, "unknown key '%s' in [branch %s] (known: %s, %s, %s, %s, %s)",
			    name, bname, branch_keys[0], branch_keys[1], branch_keys[2],
			    branch_keys[3], branch_keys[4]);
		return 0;
	}
	if (append) {
		strbuf_addf(&st->why, "'%s' is set twice in [branch %s]", name, bname);
		return 0;
	}
	if (!*value) {
		strbuf_addf(&st->why, "[branch %s] %s: must not be empty", bname, name);
		return 0;
	}
	if (check_branch_value(name, value, &st->why)) {
		struct strbuf msg = STRBUF_INIT;

		strbuf_addf(&msg, "[branch %s] %s: %s", bname, name, st->why.buf);
		strbuf_reset(&st->why);
		strbuf_addstr(&st->why, msg.buf);
		strbuf_release(&msg);
		return 0;
	}
	free(*field_of);
	*field_of = xstrdup(value);
	return 1;
}

static int handle_device_key(struct parse_state *st, const char *devname,
			     const char *name, const char *value)
{
	struct device_cfg *d;
	char **slot;

	if (check_device_name(devname, &st->why))
		return 0;
	d = get_device(st->cfg, devname);
	if (!strcmp(name, "path")) {
		slot = &d->path;
		if (value[0] != '/') {
			strbuf_addf(&st->why, "device '%s': path '%s' must be absolute", devname, value);
			return 0;
		}
	} else if (!strcmp(name, "serial")) {
		slot = &d->serial;
	} else if (!strcmp(name, "bus")) {
		slot = &d->bus;
		if (strcmp(value, "nvme") && strcmp(value, "sata")) {
			strbuf_addf(&st->why, "device '%s': bus '%s' is not nvme or sata", devname, value);
			return 0;
		}
	} else {
		strbuf_addf(&st->why, "unknown key '%s' in [device %s] (known: %s, %s, %s)",
			    name, devname, device_keys[0], device_keys[1], device_keys[2]);
		return 0;
	}
	if (!*value) {
		strbuf_addf(&st->why, "device '%s': '%s' must not be empty", devname, name);
		return 0;
	}
	free(*slot);
	*slot = xstrdup(value);
	return 1;
}

static int seen_before(struct parse_state *st, const char *section, const char *name)
{
	struct strbuf id = STRBUF_INIT;
	int seen;

	strbuf_addf(&id, "%s\n%s", section, name);
	seen = strvec_contains(&st->seen, id.buf);
	if (!seen)
		strvec_push(&st->seen, id.buf);
	strbuf_release(&id);
	return seen;
}

/* inih calls this per key; returning 0 makes ini_parse() report the line. */
static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *st = user;
	struct strbuf devname = STRBUF_INIT;
	const struct key_def *k;
	int append, ret;

	if (st->why.len)
		return 0;	/* only the first error is reported */
	/* inih passes continuation lines as the same key again */
	append = !strcmp(st->last_section.buf, section) && !strcmp(st->last_key.buf, name);
	strbuf_reset(&st->last_section);
	strbuf_addstr(&st->last_section, section);
	strbuf_reset(&st->last_key);
	strbuf_addstr(&st->last_key, name);

	if (named_section(section, "device", &devname)) {
		ret = handle_device_key(st, devname.buf, name, value);
		strbuf_release(&devname);
		return ret;
	}
	if (named_section(section, "kernel", &devname)) {
		if (!append && seen_before(st, section, name)) {
			strbuf_addf(&st->why, "'%s' is set twice in [%s]", name, section);
			strbuf_release(&devname);
			return 0;
		}
		ret = handle_kernel_key(st, devname.buf, name, value, append);
		strbuf_release(&devname);
		return ret;
	}
	if (named_section(section, "branch", &devname)) {
		if (!append && seen_before(st, section, name)) {
			strbuf_addf(&st->why, "'%s' is set twice in [%s]", name, section);
			strbuf_release(&devname);
			return 0;
		}
		ret = handle_branch_key(st, devname.buf, name, value, append);
		strbuf_release(&devname);
		return ret;
	}
	strbuf_release(&devname);
	if (!*section) {
		strbuf_addf(&st->why, "key '%s' outside of any [section]", name);
		return 0;
	}
	if (!section_known(section)) {
		strbuf_addf(&st->why, "unknown section [%s]", section);
		return 0;
	}
	k = find_key(section, name);
	if (!k) {
		strbuf_addf(&st->why, "unknown key '%s' in [%s] (see 'pinbench help config')",
			    name, section);
		return 0;
	}
	if (!append && seen_before(st, section, name)) {
		strbuf_addf(&st->why, "'%s' is set twice in [%s]", name, section);
		return 0;
	}
	if (append && k->type < KEY_LIST) {
		strbuf_addf(&st->why, "'%s' is set twice in [%s]", name, section);
		return 0;
	}
	if (set_key(st->cfg, k, value, append, &st->why)) {
		struct strbuf msg = STRBUF_INIT;

		strbuf_addf(&msg, "[%s] %s: %s", section, name, st->why.buf);
		strbuf_reset(&st->why);
		strbuf_addstr(&st->why, msg.buf);
		strbuf_release(&msg);
		return 0;
	}
	return 1;
}

static int check_devices(struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->ndevs; i++) {
		const struct device_cfg *d = &cfg->devs[i];

		if (!d->path || !d->serial)
			return error("%s: [device %s] needs both 'path' and 'serial' "
				     "(pinbench writes only to devices allow-listed by both)",
				     cfg->file, d->name);
	}
	for (i = 0; i < cfg->devices.nr; i++) {
		const char *name = cfg->devices.v[i];

		if (strcmp(name, "scratch") && !config_device(cfg, name))
			return error("%s: [matrix] devices: '%s' is neither 'scratch' nor a "
				     "[device %s] section", cfg->file, name, name);
	}
	return 0;
}

static int check_kernels(struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nkernels; i++)
		if (!cfg->kernels[i].source)
			return error("%s: [kernel %s] needs a 'source' (deb:linux-source-X.Y, "
				     "git:PATH@REF or dir:PATH)", cfg->file, cfg->kernels[i].name);
	for (i = 0; i < cfg->nbranches; i++) {
		const struct branch_cfg *b = &cfg->branches[i];

		if (!b->source)
			return error("%s: [branch %s] needs a 'source' (git:PATH@BRANCH)", cfg->file,
				     b->name);
		/* a night's kernel is named after its branch */
		if (config_kernel(cfg, b->name))
			return error("%s: [branch %s] and [kernel %s] have the same name: rename one",
				     cfg->file, b->name, b->name);
	}
	return 0;
}

static int check_cost(struct config *cfg)
{
	if (cfg->cost.pmu_events.nr != 3)
		return error("%s: [cost] pmu_events names %zu events: it takes three (the kernel's "
			     "instructions, user-mode instructions, the kernel's cycles)", cfg->file,
			     cfg->cost.pmu_events.nr);
	return 0;
}

static void parse_state_release(struct parse_state *st)
{
	strbuf_release(&st->why);
	strbuf_release(&st->last_section);
	strbuf_release(&st->last_key);
	strvec_clear(&st->seen);
}

int config_load(struct config *cfg, const char *path)
{
	struct parse_state st = { .cfg = cfg, .why = STRBUF_INIT,
				  .last_section = STRBUF_INIT, .last_key = STRBUF_INIT,
				  .seen = STRVEC_INIT };
	const char *slash;
	FILE *f;
	int line;

	f = fopen(path, "r");
	if (!f)
		return error("cannot read config '%s': %s", path, errstr());
	free(cfg->file);
	free(cfg->dir);
	cfg->file = xstrdup(path);
	slash = strrchr(path, '/');
	cfg->dir = slash ? strndup(path, (size_t)(slash - path + (slash == path))) : xstrdup(".");

	line = ini_parse_file(f, handler, &st);
	fclose(f);
	if (line > 0 && !st.why.len)
		strbuf_addstr(&st.why, "syntax error (expected [section] or key = value; "
			      "lines are limited to 200 characters)");
	if (line) {
		error("%s:%d: %s", path, line, st.why.buf);
		goto fail;
	}
	if (check_devices(cfg) || check_kernels(cfg) || check_cost(cfg))
		goto fail;
	parse_state_release(&st);
	return 0;
fail:
	parse_state_release(&st);
	return -1;
}

char *config_path(const struct config *cfg, const char *path)
{
	struct strbuf sb = STRBUF_INIT;

	if (path[0] == '/' || !cfg->dir)
		return xstrdup(path);
	strbuf_addf(&sb, "%s/%s", cfg->dir, path);
	return strbuf_detach(&sb, NULL);
}

const struct device_cfg *config_device(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->ndevs; i++)
		if (!strcmp(cfg->devs[i].name, name))
			return &cfg->devs[i];
	return NULL;
}

const struct kernel_cfg *config_kernel(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nkernels; i++)
		if (!strcmp(cfg->kernels[i].name, name))
			return &cfg->kernels[i];
	return NULL;
}

const struct branch_cfg *config_branch(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nbranches; i++)
		if (!strcmp(cfg->branches[i].name, name))
			return &cfg->branches[i];
	return NULL;
}

void config_add_kernel(struct config *cfg, const char *name, const char *source,
		       const struct strvec *configs, const char *base)
{
	struct kernel_cfg *k = get_kernel(cfg, name);

	free(k->source);
	k->source = xstrdup(source);
	free(k->base);
	k->base = xstrdup(base);
	strvec_clear(&k->configs);
	strvec_pushv(&k->configs, (const char *const *)configs->v);
	strvec_clear(&k->patches);
}

char *config_cache_dir(const struct config *cfg)
{
	struct strbuf sb = STRBUF_INIT;
	const char *home = getenv("HOME");

	if (starts_with(cfg->cache_dir, "~/")) {
		strbuf_addf(&sb, "%s%s", home && *home ? home : "/root", cfg->cache_dir + 1);
		return strbuf_detach(&sb, NULL);
	}
	return config_path(cfg, cfg->cache_dir);
}

static const char *type_name(enum key_type t)
{
	switch (t) {
	case KEY_STRING: return "string";
	case KEY_BOOL: return "on|off";
	case KEY_UINT: return "number";
	case KEY_SIZE: return "size";
	case KEY_ENUM: return "choice";
	case KEY_LIST: return "list";
	case KEY_LIST_ENUM: return "list of choices";
	case KEY_LIST_SIZE: return "list of sizes";
	case KEY_LIST_UINT: return "list of numbers";
	case KEY_PERCENT: return "percentage";
	case KEY_OPT_STRING: return "string";
	}
	return "?";
}

void config_print_reference(FILE *out)
{
	const struct key_def *k;
	const char *prev = "";

	for (k = keys; k->section; k++) {
		if (strcmp(prev, k->section))
			fprintf(out, "%s[%s]\n", *prev ? "\n" : "", k->section);
		prev = k->section;
		fprintf(out, "  %-16s %s (default: %s)\n", k->name, type_name(k->type), k->def);
		fprintf(out, "  %-16s %s\n", "", k->help);
		if (k->choices)
			fprintf(out, "  %-16s %s of: %s\n", "", k->type == KEY_ENUM ? "one" : "one or more",
				k->choices);
	}
	fprintf(out, "\n[device NAME]    a block device pinbench may write to (mkfs, fio)\n");
	fprintf(out, "  %-16s string: absolute path, e.g. /dev/disk/by-id/nvme-...\n", "path");
	fprintf(out, "  %-16s string: the serial or WWN the device must report (sysfs), or for a\n",
		"serial");
	fprintf(out, "  %-16s loop device its backing file; a mismatch refuses the device\n", "");
	fprintf(out, "  %-16s nvme or sata: how [target qemu] disks passes it to the guest\n", "bus");
	fprintf(out, "\n[kernel NAME]    a kernel pinbench builds (pinbench kernel build NAME)\n");
	fprintf(out, "  %-16s deb:linux-source-X.Y (Debian's tarball), git:PATH@REF (a worktree at\n",
		"source");
	fprintf(out, "  %-16s REF) or dir:PATH (a kernel tree used as is, read-only)\n", "");
	fprintf(out, "  %-16s list: patch files, directories (series file or name order), mboxes\n",
		"patches");
	fprintf(out, "  %-16s and lore:MSGID threads, applied in order\n", "");
	fprintf(out, "  %-16s list: config fragments merged over base (merge_config.sh -m), each\n",
		"configs");
	fprintf(out, "  %-16s line verified in the final .config\n", "");
	fprintf(out, "  %-16s the make target for the starting .config (default: tinyconfig)\n",
		"base");
	fprintf(out, "\n[branch NAME]    a git branch pinbench nightly builds and measures each night\n");
	fprintf(out, "  %-16s git:PATH@BRANCH: the repository and the branch whose head is measured\n",
		"source");
	fprintf(out, "  %-16s a remote of PATH that `git fetch` updates before the head is read\n",
		"fetch");
	fprintf(out, "  %-16s (default: none, the repository is used as it is)\n", "");
	fprintf(out, "  %-16s list: config fragments merged over base, as for a kernel\n", "configs");
	fprintf(out, "  %-16s the make target for the starting .config (default: tinyconfig)\n",
		"base");
	fprintf(out, "  %-16s where its nights are measured: qemu (default: qemu)\n", "target");
}
