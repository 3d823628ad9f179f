/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_NOISE_H
#define PINBENCH_NOISE_H

#include <stdio.h>

#include "db/db.h"
#include "reports/compare.h"

/*
 * A machine's A/A noise: `pinbench calibrate` boots one kernel as both
 * sides of a comparison; the spread of each noisy metric (both sides' CVs
 * pooled) is what any comparison of that job on that machine has to see
 * through. compare reads it back to choose its repetitions and to say in
 * the report which changes it could and could not have seen.
 *
 * Key metrics are the ones a verdict is usually about: IOPS per direction
 * and the 99th latency percentile.
 */
int noise_is_key_metric(const char *metric);
/* Stored noise from two or more boots a side: its CV is between boots (else inside one). */
int noise_is_between_boots(const struct db_noise_found *f);

/* Store the noise of every noisy row of an A/A comparison (stored as `comparison`). */
int noise_store_calibration(struct db *db, const struct comparison *aa, long long comparison);

/* The calibration's own table: per job and key metric, CV, repetitions to see the threshold. */
void noise_print_calibration(const struct comparison *aa, const struct compare_opts *o,
			     unsigned reps, FILE *out);

/*
 * Repetitions per side that the stored noise of these jobs on this machine
 * asks for to see a change of `threshold` in their IOPS: the largest over
 * the jobs, 0 when no job was calibrated. *worst_cv gets the CV behind it.
 */
/*
 * The same in boots: what the between-boot noise (a calibration of 2 or
 * more boots a side) of these jobs asks for; 0 when no job has one.
 */
unsigned noise_boots_for_jobs(struct db *db, long long machine, const long long *jobs, size_t n,
			      double threshold, double alpha, double *worst_cv);
unsigned noise_reps_for_jobs(struct db *db, long long machine, const long long *jobs, size_t n,
			     double threshold, double alpha, double *worst_cv);

/*
 * For a comparison's report: the calibrated noise of its jobs' key metrics
 * on run A's machine and the smallest change the repetitions used could
 * detect; says so when the machine was never calibrated.
 */
int noise_print_for_comparison(struct db *db, const struct comparison *c, double alpha,
			       FILE *out);

#endif
