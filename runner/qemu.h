/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_QEMU_H
#define PINBENCH_QEMU_H

#include "common/strbuf.h"
#include "common/strvec.h"

/*
 * QEMU for the qemu target: the command line (q35, the disks on NVMe and
 * AHCI, the guest's tools tree read-only and the work directory writable
 * over 9p, the serial console on stdout, -sandbox, -runas), the
 * accelerator choice, and reading
 * the console for the guest init's markers and for panics.
 */
struct qemu_disk {
	const char *name;	/* matrix device name: "nvme", "sata" or a [device NAME] */
	const char *bus;	/* nvme | sata */
	const char *file;	/* image file or block device */
	const char *serial;	/* what the guest reads back to find it */
	int direct;		/* cache=none,aio=native (the file takes O_DIRECT) */
};

struct qemu_spec {
	const char *binary;
	const char *accel;	/* kvm | tcg */
	unsigned memory_mb, cpus;
	const char *kernel, *initrd, *append;
	const char *work_dir;	/* shared writable as "pbwork" */
	const struct qemu_disk *disks;
	size_t ndisks;
	const char *tree;	/* shared read-only as "pbroot" (runner/guestroot.h) */
	const char *run_as;	/* -runas USER, or NULL (QEMU keeps our user) */
	const char *plugin;	/* -plugin's argument (a counting boot, runner/cost.h), or NULL */
	unsigned iops_limit;	/* every disk throttled to this many I/Os per second, 0: none */
};

void qemu_argv(const struct qemu_spec *s, struct strvec *argv);

/*
 * The kernel command line for the guest init (runner/guest/init.c):
 * console, panic handling, the init's parameters and the config's extras.
 * Paths must not contain white space (checked: -1 with an error).
 */
int qemu_append(struct strbuf *out, const char *mode, const char *work_dir, const char *agent,
		const char *plan, const char *extra);

/* Does this file (in its directory's filesystem) take O_DIRECT? */
int qemu_file_takes_direct(const char *path);

/*
 * "kvm" when /dev/kvm opens and a probe boot of kernel + initrd under
 * -accel kvm reaches the guest init, else "tcg" (a /dev/kvm that exists
 * but cannot run a guest is common in nested setups). The answer is kept
 * in cache_dir/qemu/kvm-probe for the host's current boot (boot_id).
 */
const char *qemu_pick_accel(const char *binary, const char *kernel, const char *initrd,
			    const char *cache_dir, const char *run_as);

/*
 * The serial console, read as it arrives: the init's markers, the first
 * sign of a panic or oops, and the last lines for messages.
 */
#define CONSOLE_TAIL_LINES 25

struct console_scan {
	struct strbuf partial;	/* the line being received */
	struct strvec tail;	/* the last CONSOLE_TAIL_LINES complete lines */
	double init_up_s;	/* guest uptime at "pinbench-init: up", -1 before */
	double agent_start_s;	/* guest uptime at "pinbench-init: starting agent", -1 before */
	int agent_status;	/* exit status (128+sig when killed), -1 until it exits */
	char *init_error;	/* "pinbench-init: error: ..." */
	char *panic;		/* the "Kernel panic - not syncing" line */
	char *oops;		/* the first Oops/BUG/general protection fault line */
	int probe_ok;
};

void console_scan_init(struct console_scan *cs);
void console_scan_feed(struct console_scan *cs, const char *buf, size_t len);
/* Feed the end of stream: a last line without newline counts. */
void console_scan_finish(struct console_scan *cs);
void console_scan_tail(const struct console_scan *cs, size_t lines, struct strbuf *out);
void console_scan_release(struct console_scan *cs);

#endif
