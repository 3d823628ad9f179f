/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_COST_H
#define PINBENCH_COST_H

#include <stddef.h>
#include <stdint.h>

#include "collectors/sample.h"
#include "common/strbuf.h"
#include "common/strvec.h"

/*
 * Instructions per I/O, counted: the cost rows.
 *
 * Under TCG each kernel gets one extra counting boot after its measured
 * boots: -smp 1, nokaslr, and the pinbench-count plugin
 * (runner/plugin/count.c) counting kernel and user instructions, the
 * instructions inside chosen kernel functions (their ranges from vmlinux)
 * and the kernel instructions of timer interrupts. The agent marks the
 * start and end of each counted run: the job with a fixed number of I/Os
 * ([cost] ios per fio job: the same offsets, the same work in every boot),
 * then the idle run (the job as long as that took, but two I/Os per fio job).
 * The counting boot's disks are throttled ([cost] iops_limit), so that every
 * I/O completes after its task slept and a run lasts as long in every boot.
 * A counter over a run is S + w t + c n (fio's start and exit, what runs
 * per second of wall time, the I/Os); the idle run has the same S and t,
 * so the difference gives c. The host stores, per job and counted
 * repetition,
 *
 *   cost.kernel_insns_per_io   c of the kernel's instructions, timer interrupts and waiting
 *                              left out
 *   cost.wait_insns_per_io     c of the waiting: the scheduler, the idle loop, the clock
 *                              ([cost] wait_functions): how often a task sleeps per I/O follows
 *                              the host's timing under TCG, so it is shown, not compared
 *   cost.user_insns_per_io     the same for user mode
 *   cost.fn.NAME_insns_per_io  per function of [cost] functions (unavailable: not in vmlinux)
 *   cost.role.ROLE_insns_per_io  the functions of one role summed (grab, release, extract,
 *                                dio, bio): kernels whose function names differ line up
 *   cost.pin_path_insns_per_io   all the functions summed, per page of the I/O
 *   cost.pin_path_insns_per_page (cost.pin_path_insns_per_io / pages per I/O)
 *   cost.pin_path_share_pct      of the kernel's instructions per I/O
 *
 * Units end in the source, ":tcg-count" here, so rows of other sources
 * are never compared with these.
 */
#define COST_SOURCE_TCG "tcg-count"

/* The ranges file the plugin reads (see runner/plugin/count.c). */
struct cost_plan {
	struct strvec fns;	/* the functions found, in the columns' order */
	struct strvec missing;	/* asked for but not in the kernel */
};

/*
 * Write the ranges file for the kernel's vmlinux: the functions (those the
 * kernel has), the interrupt entry stubs, the timer's, the iret and the
 * syscall entry. -1 with why filled when vmlinux cannot be read or lacks
 * the entry points.
 */
int cost_plan_write(const char *vmlinux, const struct strvec *functions,
		    const struct strvec *wait_globs, const char *path, struct cost_plan *plan,
		    struct strbuf *why);
void cost_plan_release(struct cost_plan *plan);

/* The plugin's output: per mark, kernel, user, timer and one count per function. */
struct cost_marks {
	size_t nfns;
	size_t nr;		/* marks 1..nr */
	uint64_t *v;		/* nr rows of 3 + nfns */
	int ended;		/* the "end" line was there */
	unsigned long long end_marks;
};

/*
 * Read it; -1 with why (file:line) when it is not the plugin's output for
 * nfns functions: a header, marks numbered 1, 2, ... with counters that
 * never go down, then "end N" with N the number of marks.
 */
int cost_marks_read(const char *path, size_t nfns, struct cost_marks *m, struct strbuf *why);
void cost_marks_release(struct cost_marks *m);

/*
 * The cost rows of one counted repetition from its count.* and fio samples
 * (runner/execute.h) and the marks; bs is the job's block size (pages per
 * I/O). Rows that cannot be computed are added unavailable. -1 with why
 * when the repetition names marks the plugin did not see.
 */
int cost_rows(const struct cost_marks *m, const struct cost_plan *plan,
	      const struct strvec *functions, const struct sample_set *rep,
	      unsigned long long bs, struct sample_set *out, struct strbuf *why);

/*
 * Where a PMU counts (KVM, real hardware), perf stat counts [cost]
 * pmu_events around the same two runs; the same difference gives
 *
 *   cost.kernel_insns_per_io, cost.user_insns_per_io, cost.kernel_cycles_per_io
 *
 * with units ending in ":pmu". The kernel's instructions there include
 * its waiting and interrupts (a PMU has no ranges to leave them out), so
 * they are never compared with a tcg-count row. Cycles follow caches and
 * clocks: compare judges that row as a noisy one.
 */
#define COST_SOURCE_PMU "pmu"
/* cost.pin_path_share_pct from a perf record -e cycles profile pass: sampled */
#define COST_SOURCE_PMU_SAMPLED "pmu-sampled"
#define COST_PMU_EVENTS 3	/* kernel instructions, user instructions, kernel cycles */

struct cost_pmu_pass {
	double count[COST_PMU_EVENTS];
	double ios;		/* fio's I/Os in the run */
	int ok;			/* perf and fio both gave their figures */
};

/* The PMU's rows of one counted repetition into out (unavailable where they cannot be had). */
void cost_pmu_rows(const struct cost_pmu_pass *run, const struct cost_pmu_pass *idle,
		   struct sample_set *out);

/* The role of a function (grab, release, extract, dio, bio), or NULL. */
const char *cost_role(const char *function);

/* A random page-aligned marker address (runner/marker.h's range). */
uint64_t cost_marker_address(void);

#endif
