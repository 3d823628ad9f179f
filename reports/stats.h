/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_STATS_H
#define PINBENCH_STATS_H

#include <stddef.h>

/*
 * The statistics behind an A/B verdict (DESIGN.md, "Statistics"): per job
 * and metric, the ratio of medians (B / A) with a bootstrap confidence
 * interval, the Mann-Whitney U test, Benjamini-Hochberg across the family,
 * and the verdict that needs both a CI excluding 1 and a practical effect.
 * Random numbers come from GSL's mt19937 with a caller-given seed: the same
 * data and seed give the same answer, on every machine.
 */

/* Median of n values (n >= 1); v is not modified. */
double stats_median(const double *v, size_t n);

/* Sample standard deviation over mean, in percent (0 when n < 2 or mean 0). */
double stats_cv_percent(const double *v, size_t n);

struct stats_ci {
	double ratio;	/* median(b) / median(a) */
	double lo, hi;	/* percentile bootstrap interval at the requested level */
};

/*
 * Percentile bootstrap of median(b) / median(a): `resamples` times, resample
 * a and b with replacement, each within its own side, and take the ratio of
 * the medians; lo and hi are the (1-level)/2 and (1+level)/2 quantiles of
 * those ratios. Each side is sorted once and resampled in order, so the
 * answer does not depend on the order of the values. Returns -1 when a side
 * is empty, median(a) is 0, a value is not finite, resamples is 0 or level
 * is outside (0, 1).
 */
int stats_bootstrap_ratio(const double *a, size_t na, const double *b, size_t nb,
			  unsigned resamples, unsigned long seed, double level,
			  struct stats_ci *out);

/*
 * The pieces every bootstrap here shares: the percentile interval of n
 * draws at `level` (sorts them), and the ratio of two resampled medians
 * (a median of 0 under a non-zero one is huge, not infinite: quantiles
 * interpolate, and 0 * inf is NaN; both 0 is no change).
 */
void stats_percentile_interval(double *draws, size_t n, double level, double *lo, double *hi);
double stats_resample_ratio(double mb, double ma);

/*
 * Two-sided Mann-Whitney U p-value of a against b (finite values). Exact
 * (the permutation distribution of U, by the usual recurrence) when there
 * are no ties and na + nb <= 50; otherwise the normal approximation with tie
 * correction and continuity correction. Returns 1 when a side is empty.
 */
double stats_mwu_p(const double *a, size_t na, const double *b, size_t nb);

/* The smallest two-sided p an exact MWU can give with these sizes: 2 / C(na+nb, na). */
double stats_mwu_min_p(size_t na, size_t nb);

/* Benjamini-Hochberg adjusted p-values (q) of n p-values, in the same order (q may be p). */
void stats_bh(const double *p, size_t n, double *q);

enum stats_verdict {
	STATS_NO_CHANGE,
	STATS_IMPROVEMENT,
	STATS_REGRESSION,
	STATS_INCONCLUSIVE,
};

const char *stats_verdict_name(enum stats_verdict v);	/* "no change", "regression" ... */

struct stats_rule {
	int better;		/* +1 higher is better, -1 lower is better, 0 neither */
	double threshold;	/* practical effect, as a fraction: 0.02 = 2 % */
	double alpha;		/* on the BH-adjusted p (q), e.g. 0.05 */
};

/*
 * The verdict for one job x metric:
 *   - the CI excludes 1, |ratio - 1| >= threshold and q <= alpha: regression
 *     or improvement, by the metric's direction;
 *   - the CI lies entirely within [1 - threshold, 1 + threshold]: no change
 *     (whatever q says: any change is too small to matter);
 *   - otherwise: inconclusive (the data cannot tell a practical change from
 *     none).
 * Every boundary is inclusive, and a CI end at exactly 1 does not exclude 1;
 * when both of the first two rules hold, the change wins. better == 0 (a
 * metric with no better direction) gives no change or inconclusive only.
 */
enum stats_verdict stats_decide(const struct stats_ci *ci, double q, const struct stats_rule *r);

/*
 * For an inconclusive result: about how many repetitions per side would
 * make a change of `threshold` detectable, from the pooled coefficient of
 * variation of a and b (normal approximation, two-sided alpha, power
 * 0.8): n = 2 * ((z_{1-alpha/2} + z_{0.8}) * cv / threshold)^2, rounded up,
 * cv pooled from both sides' squared CVs by degrees of freedom; at least 5:
 * below that an exact MWU cannot reach p < 0.01. Returns 0 when it cannot be
 * estimated (a side with fewer than 2 values, a mean of 0).
 */
unsigned stats_reps_needed(const double *a, size_t na, const double *b, size_t nb,
			   double threshold, double alpha);
/*
 * The same from a known coefficient of variation (a fraction, e.g. an A/A
 * calibration's): repetitions per side to detect a change of `threshold`
 * with 80 % power at `alpha`; at least 5, 0 when it cannot be said.
 */
unsigned stats_reps_for_cv(double cv, double threshold, double alpha);
/* z of a two-sided alpha plus z of 80 % power: the constant of every size estimate here. */
double stats_power_z(double alpha);
/* Two sides' CVs (fractions) pooled by degrees of freedom; NAN with fewer than 2 a side. */
double stats_pooled_cv(double cva, size_t na, double cvb, size_t nb);
/* The other way round: the smallest change (a fraction) n per side detect. */
double stats_detectable_change(double cv, unsigned n, double alpha);

#endif
