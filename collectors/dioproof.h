/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_DIOPROOF_H
#define PINBENCH_DIOPROOF_H

#include "collectors/sample.h"
#include "common/strbuf.h"

/*
 * Proof that a job went through fs/direct-io.c: kprobe events on
 * __blockdev_direct_IO (blockdev_direct_IO on kernels where that is the
 * real function) and on the filesystem's ->direct_IO method, counted in
 * tracefs' kprobe_profile during a short unmeasured pass. kprobes cost
 * about a quarter of the IOPS while enabled, so the caller arms them only
 * around that pass, never around measured repetitions.
 *
 * Samples added by dio_proof_collect() (repetition 0 of the job):
 *   dio.legacy_calls          hits of the legacy entry point     (calls)
 *   dio.fs_direct_io_calls    hits of the fs's ->direct_IO        (calls)
 *   dio.legacy_calls_per_io   legacy_calls / total_ios            (calls/IO)
 * A probe that could not be placed (symbol absent in this kernel, e.g.
 * ext2_direct_IO on 6.12 where ext2 uses iomap) gives an unavailable
 * sample, not 0; the legacy entry point missing counts as 0 calls.
 */
struct dio_proof {
	char *tracefs;		/* "/sys/kernel/tracing" or where it is mounted */
	char *legacy_symbol;	/* the symbol probed, NULL when none could be placed */
	char *fs_symbol;	/* NULL when the fs has none known or it could not be placed */
	int armed;		/* probes exist (and are enabled) */
};

#define DIO_PROOF_INIT { NULL, NULL, NULL, 0 }

/* The ->direct_IO method of a filesystem type ("vfat" -> "fat_direct_IO"), or NULL. */
const char *dio_fs_method(const char *fs);

/*
 * Find tracefs (/sys/kernel/tracing, else /sys/kernel/debug/tracing; mount
 * tracefs on the first when neither is there), create the probes in the
 * group "pinbench" and enable them. -1 with why filled when kprobe events
 * are not usable at all here (no tracefs, no CONFIG_KPROBE_EVENTS, not root);
 * a probe whose symbol is absent is not an error.
 */
int dio_proof_arm(struct dio_proof *p, const char *fs, struct strbuf *why);

/*
 * Disable the probes, read their hit counts, remove them and add the
 * samples above. -1 with why filled when kprobe_profile cannot be read or
 * parsed.
 */
int dio_proof_collect(struct dio_proof *p, double total_ios, struct sample_set *out,
		      struct strbuf *why);

/* Remove whatever probes are left (idempotent; also after a failed pass). */
void dio_proof_release(struct dio_proof *p);

/*
 * One line of kprobe_profile is "  <event> <hits> <missed>"; the event is
 * printed without its group on recent kernels and as "group/event" on
 * others: both match `event`. 0 when found, -1 when absent or malformed.
 */
int dio_kprobe_profile_hits(const char *text, const char *event, unsigned long long *hits,
			    unsigned long long *missed);

#endif
