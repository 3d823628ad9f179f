/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_PERF_H
#define PINBENCH_PERF_H

#include <stddef.h>

#include "collectors/sample.h"
#include "common/strbuf.h"
#include "common/strvec.h"

/*
 * perf stat and perf record/report, for the collectors.
 *
 * Metric names: perf.EVENT with '-' turned into '_' (perf.task_clock,
 * perf.context_switches, perf.page_faults, perf.cycles ...), unit as perf
 * prints it ("msec" for task-clock, "count" when perf prints none).
 * "<not supported>" and "<not counted>" become unavailable samples.
 */

/* Prepend "perf stat -x, -o OUTFILE -e E1,E2,... --" to the workload argv. */
void perf_stat_argv(const struct strvec *events, const char *outfile,
		    const struct strvec *workload, struct strvec *argv);
/* What a perf stat output file may hold before it is not read as one. */
#define PERF_STAT_MAX_BYTES (1u << 20)
/* Parse the file written by perf stat -x, (comment lines are skipped). */
int perf_stat_parse(const char *buf, size_t len, struct sample_set *out, struct strbuf *why);
/*
 * Per I/O, each perf.* total in set as perf.NAME_per_io (task-clock, in
 * msec, as perf.task_clock_ns_per_io in ns/io): over a fixed runtime a
 * total falls when the I/O slows; per I/O it is the cost. Unavailable
 * where the total is, or no I/O was done.
 */
void perf_per_io(struct sample_set *set, double ios);

/* "task-clock" -> "perf.task_clock", "cycles:u" -> "perf.cycles_u": the samples' names */
void perf_event_metric(const char *event, struct strbuf *metric);

/*
 * Do all these events count here (`perf stat -e E1,E2,... true`)? 0, or -1
 * with why naming the first that does not (<not supported>, perf failing).
 */
int perf_events_count(const struct strvec *events, struct strbuf *why);

/* What perf can do on this machine. */
struct perf_caps {
	int usable;		/* perf runs and may count this process at all */
	int hw_events;		/* a PMU: cycles/instructions count */
	int paranoid;		/* /proc/sys/kernel/perf_event_paranoid, or -99 */
	struct strbuf why;	/* when !usable: why not, for a one-line warning */
};
/* Probe by running `perf stat -e task-clock,cycles true`; never fails hard. */
void perf_probe(struct perf_caps *caps);
void perf_caps_release(struct perf_caps *caps);

/*
 * "perf record -e EVENT -o DATAFILE --" + workload (the fio process and its
 * children); EVENT cpu-clock, or cycles where a PMU counts.
 */
void perf_record_argv(const char *datafile, const char *event, const struct strvec *workload,
		      struct strvec *argv);
/* "perf report -i DATAFILE --stdio --sort sym --percent-limit 0 ..." */
void perf_report_argv(const char *datafile, struct strvec *argv);
/*
 * From `perf report --stdio --sort sym` output: profile.pin_share_pct = the
 * summed overhead of symbols matching any glob in patterns, and for the `top`
 * largest symbols profile.sym.NAME (unit "%").
 */
int perf_report_parse(const char *buf, size_t len, const struct strvec *patterns,
		      unsigned top, struct sample_set *out, struct strbuf *why);

#endif
