/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_CHANGEPOINT_H
#define PINBENCH_CHANGEPOINT_H

#include <stddef.h>

/*
 * Change points of a series of per-night values (one per commit measured),
 * for nightly runs. Noisy series go the way Apache Otava (formerly Hunter)
 * finds change points:
 *
 *   - E-divisive means: the energy statistic (alpha = 1) between the left
 *     segment and the right one, maximised over the split and over the
 *     right segment's end, applied recursively to the segments it leaves;
 *   - each candidate tested with a two-sided Student's t-test between its
 *     segment's two sides instead of E-divisive's permutation test (the
 *     same answer on every run, and far cheaper);
 *   - in windows of `window` points advancing by half a window, at a
 *     relaxed p (ten times max_p below 0.05) to find the weak points, which
 *     are then merged: the weakest (highest p; when every p passes, the
 *     smallest magnitude under min_magnitude) is dropped and its
 *     neighbours are tested again against their new segments, until every
 *     point left passes max_p and min_magnitude.
 *
 * Added, as Otava's users asked: no segment shorter than min_segment
 * points, so a single odd night is no step and a step at the end of the
 * series waits for min_segment nights after it (the delay: min_segment - 1
 * nights after the first bad one), and a magnitude threshold per metric.
 *
 * Exact series (pins per I/O, cost rows, legacy calls) change only when
 * the code does: any change between two nights beyond the tolerance is a
 * change point, found the night after.
 */

struct cp_opts {
	unsigned window;	/* points per window (Otava: 50) */
	double max_p;		/* a change point's t-test p at most this (0.001) */
	unsigned min_segment;	/* points on either side of a change point, at least 2 */
	double min_magnitude;	/* |mean after / mean before - 1| at least this */
	double level;		/* of the magnitude's confidence interval (0.95) */
};

#define CP_OPTS_DEFAULT { 50, 0.001, 3, 0.0, 0.95 }

struct change_point {
	size_t index;		/* the first point after the step: the first bad night */
	size_t start, end;	/* the points the test used: [start, index) and [index, end) */
	double mean_l, mean_r, std_l, std_r;
	double p;		/* two-sided Student's t-test; 0 for an exact change */
	double magnitude;	/* mean_r / mean_l - 1 (exact: mean_r - mean_l) */
	double ci_lo, ci_hi;	/* its confidence interval (exact: the magnitude) */
};

struct change_points {
	struct change_point *v;
	size_t nr, alloc;
};

#define CHANGE_POINTS_INIT { NULL, 0, 0 }

/*
 * The change points of n noisy values, in index order. weak (may be NULL)
 * receives the weak points of the first pass, for cp_append().
 */
void cp_find(const double *x, size_t n, const struct cp_opts *o, struct change_points *out,
	     struct change_points *weak);

/*
 * The same after the last `added` points were appended to a series whose
 * weak points were `old_weak`: only the tail is searched again (from the
 * last old weak point that lies more than a few windows from the end).
 */
void cp_append(const double *x, size_t n, size_t added, const struct change_points *old_weak,
	       const struct cp_opts *o, struct change_points *out, struct change_points *weak);

/* An exact series' change points: every step beyond tolerance between two points. */
void cp_find_exact(const double *x, size_t n, double tolerance, struct change_points *out);

void change_points_release(struct change_points *c);

#endif
