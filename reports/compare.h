/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_COMPARE_H
#define PINBENCH_COMPARE_H

#include <stdio.h>

#include "common/strbuf.h"
#include "db/db.h"
#include "reports/pinbalance.h"
#include "reports/stats.h"

/*
 * Comparing two stored runs, job by job and metric by metric (the same job
 * is the same row in both: jobs are keyed by their parameters' hash).
 *
 * Noisy metrics (throughput, latency, CPU time) are judged with the boot
 * as the unit (reports/nested.h): repetitions inside a boot share the
 * boot and the minute, so a side's figure is the median of its boots'
 * medians, its CI a bootstrap that resamples boots and then repetitions
 * in them, its p a Mann-Whitney U over the boot medians, Benjamini-
 * Hochberg over every noisy row of the comparison, then a verdict. With
 * fewer than two boots a side kernel and drift cannot be told apart: the
 * row is inconclusive, however tight its repetitions agree.
 * Exact counters (pin.*_per_io, dio.*) are compared as values: any change
 * beyond rounding is reported with its size, and more pins per I/O is a
 * regression. pin.balance_per_io, (acquired - released) per I/O over the
 * whole run (reports/pinbalance.h), is an exact row too: a patched kernel
 * that leaks where the baseline did not is a regression. Raw counter deltas (vmstat.*) and bookkeeping (total_ios,
 * runtime) scale with the I/O done and are left out.
 */
enum compare_kind { COMPARE_NOISY, COMPARE_EXACT };

struct compare_row {
	long long job;
	char *job_name;
	char *metric;
	char *unit;
	enum compare_kind kind;
	size_t na, nb;
	double median_a, median_b;
	double cv_a, cv_b;		/* percent */
	struct stats_ci ci;		/* noisy rows */
	double p, q;			/* noisy rows */
	double delta;			/* exact rows: median_b - median_a */
	enum stats_verdict verdict;	/* exact rows: no change, regression, improvement */
	/*
	 * inconclusive noisy rows: boots a side that would likely decide it
	 * (repetitions a side in a comparison stored before schema 10, whose
	 * boots are 0); 0 unknown
	 */
	unsigned reps_needed;
	size_t boots_a, boots_b;	/* noisy rows */
	double boot_cv;			/* between-boot CV pooled over both sides (NAN: < 2 a side) */
	int paired;			/* boots paired by number (nested_paired) */
	double pair_sd;			/* paired: the sd of the pairs' log ratios */
	/* noisy rows: a trend inside the boots, Mann-Kendall S and var a side (nested_trend) */
	double trend_s_a, trend_var_a, trend_s_b, trend_var_b;
	/*
	 * the pooled row before it is stored (job 0): its job's identity, the
	 * hash and canonical JSON of the jobs it pools; NULL on every other row
	 */
	char *pool_hash, *pool_params;
};

/*
 * The pooled row: the IOPS of every job of the matrix in one row
 * (nested_pool), judged over the pairs of interleaved boots. It answers
 * the comparison's first question, "is direct I/O slower?", where no job
 * alone has the boots to: a pair of boots shares its minute, so the pair,
 * not the job, is the sample. It is the one primary hypothesis, decided
 * at alpha on its own p; the job rows stay one Benjamini-Hochberg family.
 * Stored as a verdict of a job of its own (hash "pooled-...", params
 * {"pooled": [job names]}), present when two or more paired IOPS rows
 * have two or more boots in common.
 */
#define COMPARE_POOLED_METRIC "pooled.iops"
int compare_row_is_pooled(const struct compare_row *r);

/* Everything a verdict depends on: stored with the comparison (db/db.h). */
struct compare_opts {
	double throughput_threshold;	/* fraction: 0.02 */
	double latency_threshold;	/* fraction: 0.05 */
	double alpha;			/* on BH-adjusted p */
	unsigned resamples;
	unsigned long seed;
	double exact_tolerance;		/* exact rows: |delta| up to this is other activity */
	double confidence;		/* of the bootstrap CI */
	/*
	 * cost rows (instructions per I/O, counted: exact rows): a change up to
	 * this fraction of the baseline's value is no change; the second for
	 * single functions (cost.fn.*, cost.role.*). NaN: not stored (before
	 * schema 9, when there were no cost rows).
	 */
	double cost_tolerance, cost_fn_tolerance;
};

/* cost.fn.*, cost.role.*, cost.pin_path_insns_*: a change up to this many instructions per I/O is none */
#define COMPARE_COST_FN_FLOOR 0.5
/*
 * How far the dio-cases rows of the disk's work per I/O (bios, bytes) may
 * move, relative to A, and be no change: the filesystem's own writes land
 * in the same seconds.
 */
#define COMPARE_CASE_IO_TOLERANCE 0.02

#define COMPARE_OPTS_DEFAULT { 0.02, 0.05, 0.05, 2000, 1, 0.1, 0.95, 0.05, 0.01 }

struct comparison {
	long long id;			/* once stored; 0 before */
	long long run_a, run_b;
	struct compare_row *rows;
	size_t nr, alloc;
	size_t regressions, improvements, inconclusive, changed_exact;
	size_t min_n;			/* the smallest n of a side over noisy rows */
	size_t min_boots;		/* the same in boots (0: not stored, before schema 10) */
	struct pin_balances balance_a, balance_b;
	struct compare_opts opts;	/* what made the verdicts */
	int opts_known;			/* 0: a comparison stored before they were */
	char decided_at[32];		/* "" until stored */
};

/* How a metric is compared: COMPARE_NOISY, COMPARE_EXACT, or -1 not at all. */
int compare_classify(const char *metric, const char *unit);
/*
 * How far an exact row may move from `before` and still be no change
 * (other activity adds a little to counts; counted instructions by a
 * fraction of their size).
 */
double compare_exact_allowance(const char *metric, double before, const struct compare_opts *o);

/* Fill out from the database; -1 on a database error or an unknown run. */
int compare_runs(struct db *db, long long run_a, long long run_b, const struct compare_opts *o,
		 struct comparison *out);
void comparison_release(struct comparison *c);
/* The word a row's verdict is stored and shown as ("changed" for exact counts). */
const char *compare_verdict_word(const struct compare_row *r);
/* Every verdict into the database (db/db.h), so reports and mails can be made later. */
int compare_store(struct db *db, const struct comparison *c, const char *command,
		  long long *id);
/*
 * A stored comparison, as stored: its verdicts, counts and settings, never
 * decided again (each run's pin balance is read from its samples). This is
 * what every report, the JSON and the mail show. 0, 1 when there is no
 * such comparison (nothing printed), -1 on a database error.
 */
int compare_load(struct db *db, long long comparison, struct comparison *out);
/*
 * The settings line of a report: what the verdicts were decided under, or
 * that a comparison stored before they were kept does not know them.
 */
void compare_settings_text(const struct comparison *c, struct strbuf *out);
/* The same from the row db_comparison_get read (the site's pages). */
void compare_stored_settings_text(const struct db_comparison_stored *st, struct strbuf *out);
/*
 * A noisy row's spread as one coefficient of variation (a fraction): the
 * between-boot CV with two or more boots a side, else both sides'
 * repetition CVs pooled by degrees of freedom, as stats_reps_needed does.
 */
double compare_row_pooled_cv(const struct compare_row *r);
/* The fewest interleaved boots a side (pairs) that can decide a noisy row. */
#define COMPARE_MIN_PAIRS 3

/*
 * A row the default table shows: decided (a verdict other than
 * inconclusive, or an exact count that changed) or a job's key row
 * (noise_is_key_metric: IOPS and p99 latency). COMPARE_PRINT_ALL shows
 * every row.
 */
int compare_row_shown(const struct compare_row *r);
#define COMPARE_PRINT_ALL 1u

/*
 * The table, LKP style, lines <= 100 columns, rows in a stable order, a
 * legend, and the settings line.
 */
void compare_print(const struct comparison *c, const char *name_a, const char *name_b,
		   unsigned flags, FILE *out);

#endif
