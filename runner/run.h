/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_RUN_H
#define PINBENCH_RUN_H

#include "common/strbuf.h"
#include "common/strvec.h"
#include "runner/cli.h"
#include "runner/execute.h"

/*
 * `pinbench run`: the options every target shares and what the targets
 * (run.c: host, target-qemu.c: qemu) share to record a run.
 */
struct run_options {
	const char *target;	/* host | qemu */
	struct strvec kernels;	/* --kernel, in order; boots interleave them */
	unsigned reps;		/* --repetitions, 0: the config's */
	unsigned boots;		/* --boots, 0: one */
	long long *runs;	/* when set: the run of each kernel, in order (0: none) */
	int no_summary;		/* the caller prints its own report */
	/*
	 * compare --patch: the last kernel is built from the first one's
	 * [kernel] section plus these patches (its name is kernels' last entry)
	 */
	const struct strvec *patches;
	/*
	 * compare without --repetitions: take as many repetitions as the
	 * machine's stored A/A noise needs to see this change in IOPS (0: off)
	 */
	double noise_threshold;
	/* when set: only the matrix's jobs of these names (a bisection step's) */
	const struct strvec *only_jobs;
};

int run_qemu(struct cli *cli, const struct run_options *o, char **argv);

/* "pinbench ARGS..." as the user typed it, for the database. */
char *run_command_line(char **argv);
/* The config file's text (empty when built-in defaults), for the database. */
char *run_config_text(const struct config *cfg);
/* The state, reason and exit code of a run from how its execution ended. */
void run_outcome(const struct exec_state *es, enum rep_outcome r, const char **state,
		 struct strbuf *reason, int *exit_code);

#endif
