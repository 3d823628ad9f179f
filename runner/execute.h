/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_EXECUTE_H
#define PINBENCH_EXECUTE_H

#include <time.h>

#include "collectors/perf.h"
#include "collectors/sample.h"
#include "common/config.h"
#include "common/strbuf.h"
#include "runner/device.h"
#include "runner/marker.h"
#include "runner/matrix.h"

/*
 * Executing jobs: each repetition of a job through the collectors, the
 * job's one-off passes (legacy direct-I/O proof, profile) as repetition 0,
 * and the devices loop (mkfs + mount per filesystem). The same code runs
 * on the host (`pinbench run --target host`, results into the database)
 * and in a guest or on a lab machine (`pinbench agent`, results into the
 * bundle): where results go is the sink's business.
 */
struct exec_sink {
	/* a measured repetition (rep >= 1), or the one-off passes (rep 0) */
	int (*store)(void *data, const struct job_spec *job, unsigned rep,
		     const struct sample_set *samples);
	int (*failed)(void *data, const struct job_spec *job, unsigned rep, const char *message);
	/* what the user must not miss about a job, e.g. "not_legacy_dio" */
	int (*flag)(void *data, const struct job_spec *job, const char *kind, const char *message);
	void *data;
};

/* How one repetition (or the whole run) went. */
enum rep_outcome {
	REP_OK,
	REP_FAILED,		/* stored as a failed repetition; the run goes on */
	REP_INTERRUPTED,	/* Ctrl-C / SIGTERM: stop, mark the run interrupted */
	REP_FATAL,		/* the store or a tool is gone: stop, mark the run failed */
};

struct exec_state {
	const struct config *cfg;
	const struct exec_sink *sink;
	struct perf_caps perf;
	char *tmpdir;		/* private files of collectors (perf output ...) */
	char *self;		/* this binary: the dio-cases workload is `pinbench dio-case` */
	unsigned first_rep, last_rep;	/* the repetitions to run of every job */
	int dio_proof;		/* the kprobe pass is possible here (set by exec_init) */
	int one_off;		/* run the one-off passes (repetition 0): once per job and run */
	int warmup;		/* a short unmeasured pass per job where no proof pass runs */
	/*
	 * A counting boot (runner/cost.h): each repetition is fio alone, no
	 * collector, a fixed number of I/Os between two marks, then the idle
	 * run (as long, two I/Os per fio job) between two more, so the host can
	 * take fio's start and exit and the cost of wall time out. Its samples
	 * are fio's and count.*; the host turns them into cost.*.
	 */
	struct marker *marker;
	/* the same two runs each under perf stat ([cost] pmu_events): cost.* rows here */
	int pmu;
	size_t reps_total, reps_done, reps_failed;
	time_t started;
	struct strbuf fatal;	/* why the run failed */
};

/*
 * Check fio, probe perf and kprobes, make the private temporary directory.
 * Returns an exit code (EXIT_OK or EXIT_INFRA, error printed).
 */
int exec_init(struct exec_state *es, const struct config *cfg, const struct exec_sink *sink,
	      unsigned first_rep, unsigned last_rep);
void exec_release(struct exec_state *es);

/* "eta 3m05s" from when the work started and how much of it is done ("eta --" at first). */
void exec_eta(time_t started, size_t done, size_t total, struct strbuf *out);

/* Every job of one device and filesystem, its files in dir. */
enum rep_outcome exec_device(struct exec_state *es, const struct matrix *m, const char *device,
			     const char *fs, const char *dir);

/*
 * For each checked device and each filesystem: check it is still unmounted,
 * mkfs, mount under mnt_base/mnt-NAME, run its jobs, unmount, take the
 * device's O_EXCL hold again (see runner/device.h).
 */
enum rep_outcome exec_devices(struct exec_state *es, const struct matrix *m,
			      struct safe_device *devs, size_t ndevs,
			      const struct strvec *filesystems, const char *mnt_base);

#endif
