/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_NESTED_H
#define PINBENCH_NESTED_H

#include <stddef.h>

#include "reports/stats.h"

/*
 * Repetitions nested in boots. Repetitions inside one boot share the boot
 * and the minute (DESIGN.md, "Noise structure under TCG": between-boot CV
 * 24-25 % against 3-11 % within a boot), so they are not independent
 * samples of a kernel: the boot is the unit. A side's summary is the
 * median of its boots' medians; its spread is that of the boot medians.
 */
struct nested {
	double *v;		/* grouped by boot, in repetition order inside a boot */
	size_t *off;		/* boot g is v[off[g] .. off[g + 1]) */
	long long *boot;	/* boot g's number, ascending */
	size_t nboots, n;
};

/* Group n values by the boot each came from (any order in; 0 is a boot like any other). */
void nested_init(struct nested *s, const double *values, const long long *boots, const int *reps,
		 size_t n);
void nested_release(struct nested *s);
/* Each boot's median, into m[s->nboots]. */
void nested_boot_medians(const struct nested *s, double *m);
/* The median of the boots' medians (NAN when empty). */
double nested_median(const struct nested *s);
/* The coefficient of variation of the boots' medians, a fraction (NAN below two boots). */
double nested_between_cv(const struct nested *s);

/*
 * Hierarchical percentile bootstrap of nested_median(b) / nested_median(a):
 * each round resamples a side's boots with replacement, then each drawn
 * boot's repetitions with replacement, and takes the median of the boot
 * medians. Resampling both levels errs on the wide side (the within-boot
 * spread is counted twice), which is the side an honest verdict errs on.
 * The same arguments give the same interval. -1 as stats_bootstrap_ratio.
 */
int nested_bootstrap_ratio(const struct nested *a, const struct nested *b, unsigned resamples,
			   unsigned long seed, double level, struct stats_ci *out);

/*
 * Interleaved runs (boot b of A just before boot b of B, the default plan)
 * are paired by boot number: the pair shares the host's minute, so the
 * log ratio of its boot medians cancels the drift the boots share. Paired
 * when both sides have the same boot numbers and every boot median is
 * above 0.
 */
int nested_paired(const struct nested *a, const struct nested *b);

/*
 * The paired figures: the ratio is exp(mean of the pairs' log ratios), its
 * CI a bootstrap that resamples pairs and then each boot's repetitions; p
 * a paired t-test on the log ratios (k - 1 degrees of freedom, k pairs);
 * sd the log ratios' standard deviation. -1 when not paired or resamples,
 * level are invalid.
 */
int nested_paired_ratio(const struct nested *a, const struct nested *b, unsigned resamples,
			unsigned long seed, double level, struct stats_ci *out, double *p,
			double *sd);

/* Pairs that see a change of `threshold` (a fraction) at alpha with 80 % power, from sd. */
unsigned nested_pairs_needed(double sd, double threshold, double alpha);

/*
 * Several rows pooled over one matrix (the IOPS of every job): for each
 * boot number every row has on both sides, the geometric mean over the
 * rows of their boot medians, one value a boot, into pa and pb (released
 * by the caller). The jobs of one boot share its minute, so a pair of
 * pooled boots is one sample, however many jobs it averages; the log
 * ratio of a pair is the mean of its rows' log ratios, which
 * nested_paired_ratio then takes over the pairs. Returns the boots kept.
 */
size_t nested_pool(const struct nested *a, const struct nested *b, size_t nrows,
		   struct nested *pa, struct nested *pb);

/*
 * A trend through the boots: the Mann-Kendall S of every boot with three
 * or more repetitions (their order in the boot against their values),
 * summed, with its variance under no trend (ties not corrected). Added up
 * over jobs, z = (S -+ 1) / sqrt(var) says whether the host slid during a
 * boot.
 */
void nested_trend(const struct nested *s, double *S, double *var);

#endif
