// SPDX-License-Identifier: GPL-2.0-only
#include "reports/stats.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "common/strbuf.h"

/* Above this many values in total, the exact U distribution gives way to the normal one. */
#define MWU_EXACT_MAX 50

static double median_of_copy(const double *v, size_t n, double *buf)
{
	memcpy(buf, v, n * sizeof(*buf));
	gsl_sort(buf, 1, n);
	return gsl_stats_median_from_sorted_data(buf, 1, n);
}

double stats_median(const double *v, size_t n)
{
	double *buf, m;

	if (!n)
		return NAN;
	buf = xmalloc(n * sizeof(*buf));
	m = median_of_copy(v, n, buf);
	free(buf);
	return m;
}

double stats_cv_percent(const double *v, size_t n)
{
	double mean;

	if (n < 2)
		return 0;
	mean = gsl_stats_mean(v, 1, n);
	if (mean == 0)
		return 0;
	return 100.0 * gsl_stats_sd_m(v, 1, n, mean) / fabs(mean);
}

static int all_finite(const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

/* One side of the bootstrap, with the buffers every resample reuses. */
struct side {
	double *sorted;		/* the values, sorted once */
	size_t n;
	unsigned *count;	/* how often each sorted value was drawn */
	double *resample;
};

static double side_init(struct side *s, const double *v, size_t n)
{
	s->n = n;
	s->sorted = xmalloc(n * sizeof(*s->sorted));
	s->count = xmalloc(n * sizeof(*s->count));
	s->resample = xmalloc(n * sizeof(*s->resample));
	return median_of_copy(v, n, s->sorted);
}

static void side_release(struct side *s)
{
	free(s->sorted);
	free(s->count);
	free(s->resample);
}

/*
 * Drawing positions in the sorted values and laying the draws out by
 * count gives the resample already sorted: the same median as sorting it,
 * at a fraction of the cost (gsl_sort was half the bootstrap's time), and
 * the result does not depend on the order the values came in.
 */
static double resample_median(gsl_rng *rng, struct side *s)
{
	size_t i, k = 0;
	unsigned j;

	memset(s->count, 0, s->n * sizeof(*s->count));
	for (i = 0; i < s->n; i++)
		s->count[gsl_rng_uniform_int(rng, s->n)]++;
	for (i = 0; i < s->n; i++)
		for (j = 0; j < s->count[i]; j++)
			s->resample[k++] = s->sorted[i];
	return gsl_stats_median_from_sorted_data(s->resample, 1, s->n);
}

/*
 * A resample of a can have median 0 even when a's median is not (a few
 * zero values). Such a ratio is huge, not infinite: GSL's quantile
 * interpolates as (1 - d) * x[i] + d * x[i + 1], and 0 * inf is NaN.
 */
double stats_resample_ratio(double mb, double ma)
{
	if (ma != 0)
		return mb / ma;
	if (mb == 0)
		return 1;	/* both medians zero: no change */
	return copysign(DBL_MAX, mb);
}

void stats_percentile_interval(double *draws, size_t n, double level, double *lo, double *hi)
{
	gsl_sort(draws, 1, n);
	*lo = gsl_stats_quantile_from_sorted_data(draws, 1, n, (1 - level) / 2);
	*hi = gsl_stats_quantile_from_sorted_data(draws, 1, n, (1 + level) / 2);
}

int stats_bootstrap_ratio(const double *a, size_t na, const double *b, size_t nb,
			  unsigned resamples, unsigned long seed, double level,
			  struct stats_ci *out)
{
	struct side sa, sb;
	double *ratios, ma, mb;
	gsl_rng *rng;
	unsigned i;

	/* !(x > 0 && x < 1) also rejects a NaN level */
	if (!na || !nb || !resamples || !(level > 0 && level < 1))
		return -1;
	/* a NaN would leave gsl_sort's order, and so every quantile, undefined */
	if (!all_finite(a, na) || !all_finite(b, nb))
		return -1;

	ma = side_init(&sa, a, na);
	mb = side_init(&sb, b, nb);
	if (ma == 0) {
		side_release(&sa);
		side_release(&sb);
		return -1;
	}

	ratios = xmalloc(resamples * sizeof(*ratios));
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, seed);
	/* a, then b, in every round: the draw order is part of "same seed, same answer" */
	for (i = 0; i < resamples; i++) {
		double ra = resample_median(rng, &sa);
		double rb = resample_median(rng, &sb);

		ratios[i] = stats_resample_ratio(rb, ra);
	}
	gsl_rng_free(rng);

	out->ratio = mb / ma;
	stats_percentile_interval(ratios, resamples, level, &out->lo, &out->hi);
	free(ratios);
	side_release(&sa);
	side_release(&sb);
	return 0;
}

/*
 * Exact two-sided p of U (pairs a > b) without ties. f(i, m, u), the number
 * of arrangements of i a's and m b's with U = u, follows from where the
 * largest value is: an a (beating all m b's) or a b, so
 * f(i, m, u) = f(i - 1, m, u - m) + f(i, m - 1, u). Only the row for the
 * current m is kept: g[i] turns from f(i, m - 1, .) into f(i, m, .) in
 * place, row i - 1 having been updated already. The counts are integers
 * below C(50, 25) < 2^53, so doubles hold them exactly.
 */
static double mwu_exact(double u, size_t na, size_t nb)
{
	size_t umax = na * nb, w = umax + 1, i, m, k;
	double *g = xcalloc((na + 1) * w, sizeof(*g));
	const double *f;
	double total = 0, le = 0, ge = 0, p;

	for (i = 0; i <= na; i++)
		g[i * w] = 1;			/* f(i, 0, u) = [u == 0] */
	for (m = 1; m <= nb; m++)
		for (i = 1; i <= na; i++)
			for (k = m; k <= umax; k++)
				g[i * w + k] += g[(i - 1) * w + k - m];

	f = g + na * w;
	for (k = 0; k <= umax; k++) {
		total += f[k];
		if (k <= u)
			le += f[k];
		if (k >= u)
			ge += f[k];
	}
	free(g);
	p = 2 * fmin(le, ge) / total;
	return fmin(1, p);
}

/* ties = sum of t^3 - t over the groups of t equal values */
static double mwu_normal(double u, size_t na, size_t nb, double ties)
{
	double n = (double)(na + nb), nab = (double)na * (double)nb;
	double var = nab / 12 * ((n + 1) - ties / (n * (n - 1)));
	double d = fabs(u - nab / 2) - 0.5;

	if (!(var > 0))
		return 1;	/* every value equal: nothing to tell apart */
	/* U moves in steps of 1/2, so d < 0 only when U sits on its mean */
	if (d < 0)
		d = 0;
	return fmin(1, 2 * gsl_cdf_ugaussian_P(-d / sqrt(var)));
}

double stats_mwu_p(const double *a, size_t na, const double *b, size_t nb)
{
	size_t n = na + nb, i, j, k, *idx;
	double *v, rank_sum = 0, ties = 0, u;

	if (!na || !nb)
		return 1;
	v = xmalloc(n * sizeof(*v));
	idx = xmalloc(n * sizeof(*idx));
	memcpy(v, a, na * sizeof(*v));
	memcpy(v + na, b, nb * sizeof(*v));
	gsl_sort_index(idx, v, 1, n);

	/* mid-ranks over each group of equal values; idx < na marks a value of a */
	for (i = 0; i < n; i = j) {
		double t, midrank;

		for (j = i + 1; j < n && v[idx[j]] == v[idx[i]]; j++)
			;
		t = (double)(j - i);
		midrank = (double)(i + 1 + j) / 2;	/* ranks i + 1 .. j */
		for (k = i; k < j; k++)
			if (idx[k] < na)
				rank_sum += midrank;
		ties += t * t * t - t;
	}
	free(idx);
	free(v);

	u = rank_sum - (double)na * (double)(na + 1) / 2;
	if (ties == 0 && n <= MWU_EXACT_MAX)
		return mwu_exact(u, na, nb);
	return mwu_normal(u, na, nb, ties);
}

double stats_mwu_min_p(size_t na, size_t nb)
{
	/* beyond an unsigned int the answer underflows long before */
	if (na + nb > UINT_MAX)
		return 0;
	/* through the logarithm: C(n, k) overflows a double (and GSL aborts) past n ~ 1030 */
	return fmin(1, 2 * exp(-gsl_sf_lnchoose((unsigned)(na + nb), (unsigned)na)));
}

void stats_bh(const double *p, size_t n, double *q)
{
	size_t *idx, i;
	double run = 1;		/* q is capped at 1 */

	if (!n)
		return;
	idx = xmalloc(n * sizeof(*idx));
	gsl_sort_index(idx, p, 1, n);
	/*
	 * From the largest p down, keeping the running minimum of p * n / rank.
	 * Each p is read before its own q is written, so q may be p.
	 */
	for (i = n; i-- > 0;) {
		double v = p[idx[i]] * (double)n / (double)(i + 1);

		if (v < run)
			run = v;
		q[idx[i]] = run;
	}
	free(idx);
}

const char *stats_verdict_name(enum stats_verdict v)
{
	switch (v) {
	case STATS_NO_CHANGE:
		return "no change";
	case STATS_IMPROVEMENT:
		return "improvement";
	case STATS_REGRESSION:
		return "regression";
	case STATS_INCONCLUSIVE:
		return "inconclusive";
	}
	return "unknown";
}

enum stats_verdict stats_decide(const struct stats_ci *ci, double q, const struct stats_rule *r)
{
	double t = r->threshold;
	int dir = 0;

	/*
	 * The CI must exclude 1 (an end at exactly 1 does not) and the ratio
	 * must lie on the CI's side of 1 at least the threshold away; a ratio on
	 * the other side (possible in principle with a percentile interval)
	 * gives no direction to trust.
	 */
	if (ci->lo > 1 && ci->ratio - 1 >= t)
		dir = 1;
	else if (ci->hi < 1 && 1 - ci->ratio >= t)
		dir = -1;
	if (dir && r->better && q <= r->alpha)
		return dir == r->better ? STATS_IMPROVEMENT : STATS_REGRESSION;
	if (ci->lo >= 1 - t && ci->hi <= 1 + t)
		return STATS_NO_CHANGE;
	return STATS_INCONCLUSIVE;
}

/* z of a two-sided alpha plus z of 80 % power: the usual sample-size constant */
double stats_power_z(double alpha)
{
	return gsl_cdf_ugaussian_Pinv(1 - alpha / 2) + gsl_cdf_ugaussian_Pinv(0.8);
}

unsigned stats_reps_for_cv(double cv, double threshold, double alpha)
{
	double z, n;

	if (!(cv >= 0) || !(threshold > 0) || !(alpha > 0 && alpha < 1))
		return 0;
	z = stats_power_z(alpha);
	n = ceil(2 * z * z * cv * cv / (threshold * threshold));
	if (isnan(n))
		return 0;	/* an infinite value */
	if (n > UINT_MAX)
		return UINT_MAX;
	return n < 5 ? 5 : (unsigned)n;
}

double stats_detectable_change(double cv, unsigned n, double alpha)
{
	if (!(cv >= 0) || n < 2 || !(alpha > 0 && alpha < 1))
		return NAN;
	return stats_power_z(alpha) * cv * sqrt(2.0 / n);
}

double stats_pooled_cv(double cva, size_t na, double cvb, size_t nb)
{
	if (na < 2 || nb < 2)
		return NAN;
	/* each side relative to its own mean, pooled by degrees of freedom like a variance */
	return sqrt(((double)(na - 1) * cva * cva + (double)(nb - 1) * cvb * cvb) /
		    (double)(na + nb - 2));
}

unsigned stats_reps_needed(const double *a, size_t na, const double *b, size_t nb,
			   double threshold, double alpha)
{
	double ma, mb, cva, cvb;

	if (na < 2 || nb < 2)
		return 0;
	ma = gsl_stats_mean(a, 1, na);
	mb = gsl_stats_mean(b, 1, nb);
	if (ma == 0 || mb == 0)
		return 0;
	cva = gsl_stats_sd_m(a, 1, na, ma) / ma;
	cvb = gsl_stats_sd_m(b, 1, nb, mb) / mb;
	return stats_reps_for_cv(stats_pooled_cv(cva, na, cvb, nb), threshold, alpha);
}
