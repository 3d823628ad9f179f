/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_FIO_H
#define PINBENCH_FIO_H

#include <stddef.h>

#include "collectors/sample.h"
#include "common/strbuf.h"
#include "common/strvec.h"

/* One fio job as pinbench runs it: always O_DIRECT, always JSON+ output. */
struct fio_job {
	const char *name;		/* fio job name, e.g. "randread-4k-qd1" */
	const char *rw;			/* read write randread randwrite rw randrw */
	unsigned long long bs;		/* bytes */
	unsigned iodepth;
	unsigned numjobs;
	const char *ioengine;		/* psync libaio io_uring ... */
	unsigned long long size;	/* bytes per job file */
	unsigned long long io_size;	/* bytes of I/O per job, 0: size (or runtime) decides */
	unsigned number_ios;		/* stop each job after this many I/Os, 0: no limit */
	unsigned long long thinktime_us;	/* a pause after every I/O, 0: none */
	int no_disk_util;		/* --disk_util=0 */
	int clock_gettime;		/* --clocksource=clock_gettime */
	unsigned runtime_s;		/* 0: run until size is done */
	unsigned runtime_ms;		/* instead of runtime_s when set */
	unsigned ramp_s;
	const char *directory;		/* files are created here, or ... */
	const char *filename;		/* ... this one file or block device is used */
};

/* Append fio's argv for the job (program name first) to argv. */
void fio_job_argv(const struct fio_job *job, struct strvec *argv);

enum fio_parse_result {
	FIO_OK = 0,
	FIO_GARBAGE = -1,	/* no usable JSON: why says what was wrong */
	FIO_JOB_ERROR = 1,	/* fio ran but a job reported an error: why holds fio's message */
};

/*
 * Parse fio's --output-format=json or json+ output into samples:
 * for each direction that did I/O (read, write), fio.DIR.{bw_bytes, iops,
 * total_ios, runtime_ms, clat_mean_ns, clat_stddev_ns, clat_p50_ns,
 * clat_p99_ns, clat_p99_9_ns}, plus fio.usr_cpu, fio.sys_cpu, fio.ctx and
 * fio.total_ios (all directions). Several jobs (numjobs without
 * group_reporting) are aggregated: sums for bw/iops/ios/ctx, the longest
 * runtime, the I/O-weighted clat mean and pooled stddev, percentiles from the
 * merged json+ histogram bins (or marked unavailable when there are no bins
 * to merge). Text before or after the JSON object (warnings,
 * --output-format=json,normal) is skipped. Nothing is added to out unless
 * the result is FIO_OK.
 */
int fio_parse(const char *buf, size_t len, struct sample_set *out, struct strbuf *why);

/*
 * A message for a fio run that did not succeed, from its exit status and
 * stderr (first meaningful "fio: ..." / "err=" line), for the failed-job record.
 */
void fio_describe_failure(int status, const char *stderr_text, struct strbuf *out);

#endif
