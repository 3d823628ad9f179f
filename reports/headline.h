/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_HEADLINE_H
#define PINBENCH_HEADLINE_H

#include <stdio.h>

#include "common/strbuf.h"
#include "reports/compare.h"

/*
 * The answer of a comparison, before any table: a verdict word and the
 * exit status it gives, one finding per metric and verdict (grouped across
 * the jobs that agree), and what the noise allowed. Built from the stored
 * verdicts only (compare_load), so every renderer shows the same answer.
 *
 *   REGRESSION    a row is a regression (exit 1)
 *   IMPROVEMENT   a row is an improvement and none a regression
 *   INCONCLUSIVE  neither, and a noisy row is undecided: the data cannot
 *                 say there is no change
 *   NO CHANGE     neither, and every noisy row is decided "no change"
 */
struct headline_finding {
	const char *metric, *unit, *word;	/* borrowed from the comparison's rows */
	int exact;
	size_t jobs;			/* rows of this metric with this verdict */
	size_t of;			/* rows of this metric in the comparison */
	double lo, hi;			/* exact: delta; noisy: % change */
	double a_lo, a_hi, b_lo, b_hi;	/* the medians, both sides */
	/* the pooled row's (compare.h): what it pools, its interval in %, its pairs; else NULL */
	const char *pooled;
	double ci_lo, ci_hi, level;
	size_t pairs;
	const char *job;		/* the first job of this finding (borrowed) */
};

struct headline {
	const char *word;		/* "REGRESSION" ... */
	int exit_code;
	struct headline_finding *findings;
	size_t nr;
	size_t noisy, undecided, key_undecided, keys;
	size_t min_boots;		/* 0: not known (stored before schema 10) */
	unsigned boots_needed;		/* the most any undecided key row asks, 0 unknown */
	double detectable_pct;		/* median over undecided key rows; NAN unknown */
	/*
	 * A slide inside the boots, per side (0 A, 1 B): the Mann-Kendall z of
	 * the IOPS rows' repetition order, summed over the jobs (NAN: no boot
	 * had 3 or more repetitions), and how many jobs it sums.
	 */
	double trend_z[2];
	size_t trend_jobs[2];
	/* the pooled row, undecided or not (NULL: none); not counted in noisy and undecided */
	const struct compare_row *pooled;
	double level;			/* of the comparison's intervals */
};

/* |z| from here on is a slide worth saying (two-sided p < 0.003) */
#define HEADLINE_TREND_Z 3.0

void headline_build(const struct comparison *c, struct headline *h);
void headline_release(struct headline *h);
/* A few lines, folded to the report's width, then a blank line. */
void headline_print(const struct headline *h, FILE *out);
/*
 * The sentences every renderer uses (appended): one finding, what the noise
 * allowed, and the drift inside the boots ("" when neither side slid).
 */
void headline_finding_text(const struct headline_finding *f, struct strbuf *sb);
void headline_noise_text(const struct headline *h, struct strbuf *sb);
void headline_drift_text(const struct headline *h, struct strbuf *sb);

#endif
