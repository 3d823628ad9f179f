// SPDX-License-Identifier: GPL-2.0-only
/*
 * Change points of nightly series (reports/changepoint.h): E-divisive means
 * with a t-test, windowed and merged as Apache Otava does it.
 */
#include "reports/changepoint.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"

/* Below 0.05, the first pass takes points ten times as weak (Otava's rule). */
static double relaxed_p(double p)
{
	if (p < 0.05)
		return p * 10;
	return p < 0.5 ? p * 2 : p;
}

static size_t min_segment(const struct cp_opts *o)
{
	return o->min_segment < 2 ? 2 : o->min_segment;
}

static void push(struct change_points *c, const struct change_point *p)
{
	if (c->nr == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 8;
		c->v = xrealloc(c->v, c->alloc * sizeof(*c->v));
	}
	c->v[c->nr++] = *p;
}

static void mean_std(const double *x, size_t a, size_t b, double *mean, double *sd)
{
	double s = 0, ss = 0;
	size_t i;

	for (i = a; i < b; i++)
		s += x[i];
	*mean = s / (double)(b - a);
	for (i = a; i < b; i++)
		ss += (x[i] - *mean) * (x[i] - *mean);
	*sd = b - a > 1 ? sqrt(ss / (double)(b - a - 1)) : 0;
}

/*
 * The change point at index between the segments [start, index) and
 * [index, end): Student's two-sided t-test (pooled variance) and the
 * relative change with its interval. A side shorter than min_segment
 * gives p = 1: no step is taken on so few points.
 */
static void test_point(const double *x, size_t start, size_t index, size_t end,
		       const struct cp_opts *o, struct change_point *cp)
{
	size_t nl = index - start, nr = end - index;
	double df, pooled, se, t, d, crit, base;

	memset(cp, 0, sizeof(*cp));
	cp->index = index;
	cp->start = start;
	cp->end = end;
	cp->p = 1;
	cp->magnitude = cp->ci_lo = cp->ci_hi = NAN;
	if (!nl || !nr)
		return;
	mean_std(x, start, index, &cp->mean_l, &cp->std_l);
	mean_std(x, index, end, &cp->mean_r, &cp->std_r);
	d = cp->mean_r - cp->mean_l;
	base = fabs(cp->mean_l);
	cp->magnitude = base > 0 ? d / base : d == 0 ? 0 : copysign(INFINITY, d);
	if (nl < min_segment(o) || nr < min_segment(o))
		return;
	/*
	 * The first bad night belongs to the new level and the last good one
	 * to the old: else the split sits where the step is not (two low
	 * nights at the end pass for a step at the night before them, with
	 * three points after it) and waits for a night more.
	 */
	if (fabs(x[index] - cp->mean_r) > fabs(x[index] - cp->mean_l) ||
	    fabs(x[index - 1] - cp->mean_l) > fabs(x[index - 1] - cp->mean_r))
		return;
	df = (double)(nl + nr - 2);
	pooled = ((double)(nl - 1) * cp->std_l * cp->std_l +
		  (double)(nr - 1) * cp->std_r * cp->std_r) / df;
	se = sqrt(pooled * (1.0 / (double)nl + 1.0 / (double)nr));
	if (se == 0) {
		/* two flat segments: a step is certain, no step is none */
		cp->p = d == 0 ? 1 : 0;
		cp->ci_lo = cp->ci_hi = cp->magnitude;
		return;
	}
	t = d / se;
	/*
	 * The split is the best of every split the segment offered, so its
	 * t-test's p is the least of as many: taken alone, flat series gave
	 * 4 change points in 20 x 200 nights at p 0.001. Bonferroni over those
	 * splits makes it a p of the segment.
	 */
	cp->p = fmin(1, 2 * gsl_cdf_tdist_Q(fabs(t), df) *
			(double)(end - start - 2 * min_segment(o) + 1));
	crit = gsl_cdf_tdist_Pinv(0.5 + o->level / 2, df);
	if (base > 0) {
		cp->ci_lo = (d - crit * se) / base;
		cp->ci_hi = (d + crit * se) / base;
	}
}

/*
 * One window's E-divisive: y[0..w), the sums of |y_i - y_j| over every
 * block of pairs in O(1) from their 2-D prefix sums.
 */
struct window {
	const double *y;
	size_t w;
	double *sums;		/* (w + 1)^2: sums[i][j] = sum over a < i, b < j */
};

static double block(const struct window *e, size_t r0, size_t r1, size_t c0, size_t c1)
{
	size_t W = e->w + 1;

	return e->sums[r1 * W + c1] - e->sums[r0 * W + c1] - e->sums[r1 * W + c0] +
	       e->sums[r0 * W + c0];
}

static void window_init(struct window *e, const double *y, size_t w)
{
	size_t W = w + 1, i, j;

	e->y = y;
	e->w = w;
	e->sums = xcalloc(W * W, sizeof(*e->sums));
	for (i = 1; i <= w; i++)
		for (j = 1; j <= w; j++)
			e->sums[i * W + j] = fabs(y[i - 1] - y[j - 1]) + e->sums[(i - 1) * W + j] +
					     e->sums[i * W + j - 1] - e->sums[(i - 1) * W + j - 1];
}

/* The energy statistic of [a, tau) against [tau, kappa), scaled by m k / (m + k). */
static double energy(const struct window *e, size_t a, size_t tau, size_t kappa)
{
	double m = (double)(tau - a), k = (double)(kappa - tau);
	double between = block(e, a, tau, tau, kappa);
	double left = block(e, a, tau, a, tau) / 2, right = block(e, tau, kappa, tau, kappa) / 2;
	double q = 2 * between / (m * k);

	if (m > 1)
		q -= left / (m * (m - 1) / 2);
	if (k > 1)
		q -= right / (k * (k - 1) / 2);
	return m * k / (m + k) * q;
}

/* The best split of the segment [a, b): 0 when it is too short to split. */
static size_t best_split(const struct window *e, size_t a, size_t b, size_t seg, double *q)
{
	size_t tau, kappa, best = 0;

	*q = -INFINITY;
	for (tau = a + seg; tau + seg <= b; tau++)
		for (kappa = tau + seg; kappa <= b; kappa++) {
			double v = energy(e, a, tau, kappa);

			if (v > *q) {
				*q = v;
				best = tau;
			}
		}
	return best;
}

struct segment {
	size_t a, b;
};

/* E-divisive on one window: its significant splits, as indexes into y, into found. */
static void e_divisive(const double *y, size_t w, double max_p, const struct cp_opts *o,
		       size_t **found, size_t *nfound)
{
	struct window e;
	struct segment *segs = xcalloc(w + 1, sizeof(*segs));
	size_t nsegs = 1, seg = min_segment(o);

	*found = xcalloc(w + 1, sizeof(**found));
	*nfound = 0;
	segs[0] = (struct segment){ 0, w };
	window_init(&e, y, w);
	for (;;) {
		size_t i, pick = 0, tau = 0;
		double q, best = -INFINITY;
		struct change_point cp;

		for (i = 0; i < nsegs; i++) {
			size_t t = best_split(&e, segs[i].a, segs[i].b, seg, &q);

			if (t && q > best) {
				best = q;
				tau = t;
				pick = i;
			}
		}
		if (!tau)
			break;
		test_point(y, segs[pick].a, tau, segs[pick].b, o, &cp);
		if (cp.p > max_p)
			break;
		(*found)[(*nfound)++] = tau;
		segs[nsegs++] = (struct segment){ tau, segs[pick].b };
		segs[pick].b = tau;
	}
	free(e.sums);
	free(segs);
}

static int by_size(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;

	return (a > b) - (a < b);
}

/* The change points at sorted indexes, each tested between its neighbours. */
static void test_all(const double *x, size_t n, const size_t *idx, size_t nidx,
		     const struct cp_opts *o, struct change_points *out)
{
	size_t i;

	for (i = 0; i < nidx; i++) {
		struct change_point cp;

		test_point(x, i ? idx[i - 1] : 0, idx[i], i + 1 < nidx ? idx[i + 1] : n, o, &cp);
		push(out, &cp);
	}
}

/*
 * The weak points: windows from `start` advancing by half a window (or to
 * the last point found, when that is further), each point once; idx holds
 * the points known already and grows.
 */
static void split(const double *x, size_t n, size_t start, const struct cp_opts *o,
		  size_t **idx, size_t *nidx, size_t *alloc)
{
	size_t window = o->window < 2 ? 2 : o->window, step = window / 2;

	while (start < n) {
		size_t end = start + window < n ? start + window : n, *found, nfound, i, j, last = 0;

		e_divisive(x + start, end - start, relaxed_p(o->max_p), o, &found, &nfound);
		for (i = 0; i < nfound; i++) {
			size_t at = found[i] + start;

			last = at > last ? at : last;
			for (j = 0; j < *nidx && (*idx)[j] != at; j++)
				;
			if (j < *nidx)
				continue;
			if (*nidx == *alloc) {
				*alloc = *alloc ? 2 * *alloc : 16;
				*idx = xrealloc(*idx, *alloc * sizeof(**idx));
			}
			(*idx)[(*nidx)++] = at;
		}
		free(found);
		start = last > start + step ? last : start + step;
	}
	if (*nidx > 1)
		qsort(*idx, *nidx, sizeof(**idx), by_size);
}

static int strong(const struct change_point *cp, const struct cp_opts *o)
{
	return fabs(cp->magnitude) >= o->min_magnitude && cp->magnitude != 0;
}

/*
 * Drop the weakest point (the highest p above max_p; when every p passes,
 * the smallest magnitude below min_magnitude) and test its neighbours
 * again against the segments they have now, until none is weak.
 */
static void merge(const double *x, size_t n, const struct cp_opts *o, struct change_points *c)
{
	while (c->nr) {
		size_t i, weakest = 0;

		for (i = 1; i < c->nr; i++)
			if (c->v[i].p > c->v[weakest].p)
				weakest = i;
		if (c->v[weakest].p <= o->max_p) {
			for (i = 1, weakest = 0; i < c->nr; i++)
				if (fabs(c->v[i].magnitude) < fabs(c->v[weakest].magnitude))
					weakest = i;
			if (strong(&c->v[weakest], o))
				return;
		}
		memmove(&c->v[weakest], &c->v[weakest + 1],
			(c->nr - weakest - 1) * sizeof(*c->v));
		c->nr--;
		for (i = weakest ? weakest - 1 : 0; i <= weakest && i < c->nr; i++)
			test_point(x, i ? c->v[i - 1].index : 0, c->v[i].index,
				   i + 1 < c->nr ? c->v[i + 1].index : n, o, &c->v[i]);
	}
}

static void finish(const double *x, size_t n, size_t *idx, size_t nidx, const struct cp_opts *o,
		   struct change_points *out, struct change_points *weak)
{
	struct change_points all = CHANGE_POINTS_INIT;
	size_t i;

	test_all(x, n, idx, nidx, o, &all);
	if (weak)
		for (i = 0; i < all.nr; i++)
			push(weak, &all.v[i]);
	merge(x, n, o, &all);
	for (i = 0; i < all.nr; i++)
		push(out, &all.v[i]);
	change_points_release(&all);
	free(idx);
}

void cp_find(const double *x, size_t n, const struct cp_opts *o, struct change_points *out,
	     struct change_points *weak)
{
	size_t *idx = NULL, nidx = 0, alloc = 0;

	split(x, n, 0, o, &idx, &nidx, &alloc);
	finish(x, n, idx, nidx, o, out, weak);
}

void cp_append(const double *x, size_t n, size_t added, const struct change_points *old_weak,
	       const struct cp_opts *o, struct change_points *out, struct change_points *weak)
{
	size_t window = o->window < 2 ? 2 : o->window, step = window / 2;
	size_t back = (added / window + 4) * window, max_start = n > back ? n - back : 0;
	size_t *idx = NULL, nidx = 0, alloc = 0, start = 0, i, s;

	/*
	 * Otava's incremental rule: start again at the last old weak point
	 * (or window step) more than a few windows before the end; the points
	 * before it stay as they were
	 */
	for (i = 0; old_weak && i < old_weak->nr; i++) {
		if (old_weak->v[i].index >= n)
			continue;
		if (old_weak->v[i].index < max_start && old_weak->v[i].index > start)
			start = old_weak->v[i].index;
		if (nidx == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			idx = xrealloc(idx, alloc * sizeof(*idx));
		}
		idx[nidx++] = old_weak->v[i].index;
	}
	for (s = 0; s < max_start; s += step)
		if (s > start)
			start = s;
	split(x, n, start, o, &idx, &nidx, &alloc);
	finish(x, n, idx, nidx, o, out, weak);
}

void cp_find_exact(const double *x, size_t n, double tolerance, struct change_points *out)
{
	size_t i, last = n;

	for (i = 0; i < n; i++) {
		struct change_point cp;

		if (isnan(x[i]))
			continue;	/* a night that could not measure it */
		if (last < n && fabs(x[i] - x[last]) > tolerance) {
			memset(&cp, 0, sizeof(cp));
			cp.index = i;
			cp.start = last;
			cp.end = i + 1;
			cp.mean_l = x[last];
			cp.mean_r = x[i];
			cp.magnitude = cp.ci_lo = cp.ci_hi = x[i] - x[last];
			push(out, &cp);
		}
		last = i;
	}
}

void change_points_release(struct change_points *c)
{
	free(c->v);
	c->v = NULL;
	c->nr = c->alloc = 0;
}
