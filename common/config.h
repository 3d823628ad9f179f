/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_CONFIG_H
#define PINBENCH_CONFIG_H

#include <stdio.h>

#include "common/strbuf.h"
#include "common/strvec.h"

/*
 * config.ini, parsed once with libinih into this struct. Every key is
 * described by one table in config.c (type, default, range, help), from
 * which both validation and `pinbench help config` are generated. Unknown
 * sections or keys and bad values are errors reported as "file:line: message".
 */

/* [device NAME]: a block device pinbench may write to. */
struct device_cfg {
	char *name;
	char *path;		/* e.g. /dev/disk/by-id/nvme-..., resolved at use */
	char *serial;		/* serial or WWN the device must report */
	char *bus;		/* nvme | sata: passed through to a QEMU guest on it; NULL: never */
	int line;		/* where the section starts, for messages */
};

/* [kernel NAME]: a kernel pinbench can build (kernels/build.h). */
struct kernel_cfg {
	char *name;
	char *source;		/* deb:linux-source-X.Y | git:PATH@REF | dir:PATH */
	struct strvec patches;	/* files, directories, mboxes, lore:MSGID; in order */
	struct strvec configs;	/* config fragments merged over base, in order */
	char *base;		/* make target giving the starting .config */
};

/*
 * [branch NAME]: a git branch pinbench nightly follows. Each night its head
 * is built with these fragments and measured, one point of the branch's
 * series (runner/nightly.h).
 */
struct branch_cfg {
	char *name;
	char *source;		/* git:PATH@BRANCH */
	char *fetch;		/* a remote `git fetch` updates first; NULL: none */
	struct strvec configs;	/* config fragments merged over base, in order */
	char *base;		/* make target giving the starting .config */
	char *target;		/* where its nights are measured: qemu */
};

struct config {
	char *file;		/* the file that was read (NULL: built-in defaults) */
	char *dir;		/* its directory: relative paths are resolved against it */

	/* [store] */
	char *database;
	char *reports_dir;	/* text reports of comparisons */
	char *logs_dir;		/* console logs of guests, per run */

	/* [matrix] */
	struct strvec devices;	/* "scratch" and/or [device NAME] names */
	struct strvec filesystems;	/* mkfs'd on devices; scratch uses what it is on */
	struct strvec workloads;	/* fio, dio-cases */
	struct strvec cases;		/* of dio-cases (workloads/diocase.h) */
	struct strvec rw;
	struct strvec bs;	/* validated sizes, kept as written ("4k") */
	struct strvec iodepth;
	struct strvec numjobs;
	struct strvec ioengine;
	unsigned long long size;	/* bytes per job file */
	unsigned runtime;	/* seconds */
	unsigned ramp;		/* seconds */
	unsigned repetitions;
	unsigned timeout;	/* extra seconds a job may take beyond ramp + runtime */

	/* [target host] */
	char *scratch_dir;

	/* [target qemu] */
	struct {
		char *binary;
		char *accel;		/* auto | kvm | tcg */
		unsigned memory_mb;
		unsigned cpus;
		struct strvec disks;	/* "nvme", "sata" or [device NAME] names */
		unsigned long long disk_size;
		char *image_dir;
		char *cmdline;
		unsigned boot_timeout;
		unsigned run_timeout;	/* 0: computed from the plan */
		char *user;		/* QEMU's -runas when pinbench is root; root keeps it */
		unsigned boots;		/* per kernel, interleaved, when --boots is not given */
	} qemu;

	/* [cost]: instructions counted per I/O (runner/cost.h) */
	struct {
		char *mode;		/* auto | off */
		unsigned repetitions;	/* counted repetitions per job and kernel */
		unsigned ios;		/* I/Os per fio job in a counted repetition */
		struct strvec functions;	/* kernel functions counted on their own */
		struct strvec wait_functions;	/* globs: the kernel's waiting, counted apart */
		char *plugin;		/* the TCG plugin; empty: pinbench-count.so beside pinbench */
		struct strvec pmu_events;	/* kernel insns, user insns, kernel cycles (perf's names) */
		unsigned iops_limit;	/* the counting boot's disks, I/Os per second (0: none) */
	} cost;
	double cost_tolerance;		/* [compare], fractions of the baseline's value */
	double cost_fn_tolerance;

	/* [collectors] */
	int dio_proof;
	struct {
		char *from, *smtp_url, *tls, *user, *password_file, *domain;
		struct strvec to, cc;
		int reply_all;
		unsigned reply_all_max;			/* addresses reply_all may add */
		struct strvec reply_all_domains;	/* "*": any */
	} mail;
	struct {
		char *html_dir, *base_url;
	} report;
	double throughput_threshold;	/* [compare], fractions */
	double latency_threshold;
	unsigned max_repetitions;
	unsigned max_boots;	/* [compare]: the most boots a side stored noise may ask for */
	int vmstat;
	struct strvec vmstat_counters;
	int perf_stat;
	struct strvec perf_events;	/* software events: work everywhere */
	struct strvec perf_hw_events;	/* used only when the machine has a PMU */
	int perf_profile;
	struct strvec profile_symbols;	/* glob patterns counted as pin/GUP/DIO cost */
	unsigned profile_top;

	/* [kernels] */
	char *cache_dir;	/* sources, objects, artifacts, fetched threads */
	unsigned build_jobs;	/* make -j; 0: one per online CPU */
	int ccache;		/* CC="ccache gcc" when ccache is installed */
	char *lore_url;

	struct device_cfg *devs;
	size_t ndevs;
	struct kernel_cfg *kernels;
	size_t nkernels;
	struct branch_cfg *branches;
	size_t nbranches;

	/* [nightly]: change points of the branches' series (reports/changepoint.h) */
	struct {
		unsigned window;	/* points per window */
		double max_p;		/* a noisy change point's p at most this */
		unsigned min_segment;	/* nights on either side of a noisy change point */
		unsigned bisect_steps;	/* the most commits a bisection measures (0: none) */
	} nightly;
};

/* Fill cfg with built-in defaults (what `pinbench` uses with no config.ini). */
void config_init(struct config *cfg);
void config_release(struct config *cfg);

/*
 * Read and validate config.ini. Returns 0, or -1 after printing
 * "FILE:LINE: message" (or "FILE: message" for whole-file problems).
 */
int config_load(struct config *cfg, const char *path);

/* Resolve a path from the config relative to its directory (caller frees). */
char *config_path(const struct config *cfg, const char *path);

const struct device_cfg *config_device(const struct config *cfg, const char *name);
const struct kernel_cfg *config_kernel(const struct config *cfg, const char *name);
const struct branch_cfg *config_branch(const struct config *cfg, const char *name);
/*
 * A kernel section made at run time (nightly: a branch at one commit), as
 * if the file had it; an existing one of that name is replaced.
 */
void config_add_kernel(struct config *cfg, const char *name, const char *source,
		       const struct strvec *configs, const char *base);

/* [kernels] cache_dir with a leading "~/" expanded (caller frees). */
char *config_cache_dir(const struct config *cfg);

/* Is name usable as a kernel name ([kernel NAME], --name)? Fills why when not. */
int config_check_kernel_name(const char *name, struct strbuf *why);

/* Print every section and key with type, default and help text. */
void config_print_reference(FILE *out);

/* Parse "4k", "128K", "1m", "64M", "2g", "512" into bytes; 0 on success. */
int parse_size(const char *s, unsigned long long *out);
/* Parse on/off/yes/no/true/false/1/0; 0 on success. */
int parse_bool(const char *s, int *out);

#endif
