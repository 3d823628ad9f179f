// SPDX-License-Identifier: GPL-2.0-only
/* Repetitions nested in boots: boot medians, the two-level bootstrap, trends inside a boot. */
#include "reports/nested.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "common/strbuf.h"

struct keyed {
	long long boot;
	int rep;
	double v;
};

static int by_boot_then_rep(const void *x, const void *y)
{
	const struct keyed *a = x, *b = y;

	if (a->boot != b->boot)
		return a->boot < b->boot ? -1 : 1;
	if (a->rep != b->rep)
		return a->rep < b->rep ? -1 : 1;
	/* the same repetition twice (it should not be): any fixed order */
	return (a->v > b->v) - (a->v < b->v);
}

void nested_init(struct nested *s, const double *values, const long long *boots, const int *reps,
		 size_t n)
{
	struct keyed *k = xcalloc(n + 1, sizeof(*k));
	size_t i;

	for (i = 0; i < n; i++)
		k[i] = (struct keyed){ boots ? boots[i] : 0, reps ? reps[i] : (int)i, values[i] };
	qsort(k, n, sizeof(*k), by_boot_then_rep);
	s->n = n;
	s->v = xcalloc(n + 1, sizeof(*s->v));
	s->off = xcalloc(n + 2, sizeof(*s->off));
	s->boot = xcalloc(n + 1, sizeof(*s->boot));
	s->nboots = 0;
	for (i = 0; i < n; i++) {
		if (!i || k[i].boot != k[i - 1].boot) {
			s->boot[s->nboots] = k[i].boot;
			s->off[s->nboots++] = i;
		}
		s->v[i] = k[i].v;
	}
	s->off[s->nboots] = n;
	free(k);
}

void nested_release(struct nested *s)
{
	free(s->v);
	free(s->off);
	free(s->boot);
	memset(s, 0, sizeof(*s));
}

static double median_of(const double *v, size_t n, double *buf)
{
	memcpy(buf, v, n * sizeof(*buf));
	gsl_sort(buf, 1, n);
	return gsl_stats_median_from_sorted_data(buf, 1, n);
}

void nested_boot_medians(const struct nested *s, double *m)
{
	double *buf = xcalloc(s->n + 1, sizeof(*buf));
	size_t g;

	for (g = 0; g < s->nboots; g++)
		m[g] = median_of(s->v + s->off[g], s->off[g + 1] - s->off[g], buf);
	free(buf);
}

double nested_median(const struct nested *s)
{
	double *m, *buf, r;

	if (!s->nboots)
		return NAN;
	m = xcalloc(s->nboots, sizeof(*m));
	buf = xcalloc(s->nboots, sizeof(*buf));
	nested_boot_medians(s, m);
	r = median_of(m, s->nboots, buf);
	free(m);
	free(buf);
	return r;
}

double nested_between_cv(const struct nested *s)
{
	double *m, mean, cv = NAN;

	if (s->nboots < 2)
		return NAN;
	m = xcalloc(s->nboots, sizeof(*m));
	nested_boot_medians(s, m);
	mean = gsl_stats_mean(m, 1, s->nboots);
	if (mean != 0)
		cv = gsl_stats_sd_m(m, 1, s->nboots, mean) / fabs(mean);
	free(m);
	return cv;
}

/* Boot g's repetitions drawn with replacement: their median. */
static double resampled_median(gsl_rng *rng, const struct nested *s, size_t g, double *draw)
{
	size_t lo = s->off[g], n = s->off[g + 1] - lo, i;

	for (i = 0; i < n; i++)
		draw[i] = s->v[lo + gsl_rng_uniform_int(rng, n)];
	gsl_sort(draw, 1, n);
	return gsl_stats_median_from_sorted_data(draw, 1, n);
}

/* One round of one side: boots drawn with replacement, then each boot's repetitions. */
static double resample_side(gsl_rng *rng, const struct nested *s, double *draw, double *meds)
{
	size_t g;

	for (g = 0; g < s->nboots; g++)
		meds[g] = resampled_median(rng, s, gsl_rng_uniform_int(rng, s->nboots), draw);
	gsl_sort(meds, 1, s->nboots);
	return gsl_stats_median_from_sorted_data(meds, 1, s->nboots);
}

static int all_finite(const struct nested *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!isfinite(s->v[i]))
			return 0;
	return 1;
}

int nested_bootstrap_ratio(const struct nested *a, const struct nested *b, unsigned resamples,
			   unsigned long seed, double level, struct stats_ci *out)
{
	double ma, mb, *ratios, *draw, *meds;
	size_t most = a->n > b->n ? a->n : b->n;
	gsl_rng *rng;
	unsigned i;

	if (!a->n || !b->n || !resamples || !(level > 0 && level < 1) || !all_finite(a) ||
	    !all_finite(b))
		return -1;
	ma = nested_median(a);
	mb = nested_median(b);
	if (ma == 0)
		return -1;
	ratios = xmalloc(resamples * sizeof(*ratios));
	draw = xcalloc(most + 1, sizeof(*draw));
	meds = xcalloc(most + 1, sizeof(*meds));
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, seed);
	/* a, then b, in every round: the draw order is part of "same seed, same answer" */
	for (i = 0; i < resamples; i++) {
		double ra = resample_side(rng, a, draw, meds);
		double rb = resample_side(rng, b, draw, meds);

		ratios[i] = stats_resample_ratio(rb, ra);
	}
	gsl_rng_free(rng);
	out->ratio = mb / ma;
	stats_percentile_interval(ratios, resamples, level, &out->lo, &out->hi);
	free(ratios);
	free(draw);
	free(meds);
	return 0;
}

int nested_paired(const struct nested *a, const struct nested *b)
{
	double *m;
	size_t g;
	int paired = a->nboots == b->nboots && a->nboots >= 2;

	for (g = 0; paired && g < a->nboots; g++)
		paired = a->boot[g] == b->boot[g];
	if (!paired)
		return 0;
	m = xcalloc(a->nboots, sizeof(*m));
	nested_boot_medians(a, m);
	for (g = 0; paired && g < a->nboots; g++)
		paired = m[g] > 0 && isfinite(m[g]);
	nested_boot_medians(b, m);
	for (g = 0; paired && g < b->nboots; g++)
		paired = m[g] > 0 && isfinite(m[g]);
	free(m);
	return paired;
}

int nested_paired_ratio(const struct nested *a, const struct nested *b, unsigned resamples,
			unsigned long seed, double level, struct stats_ci *out, double *p,
			double *sd)
{
	size_t k = a->nboots, most = a->n > b->n ? a->n : b->n, g;
	double *ma, *mb, *d, *stat, *draw, mean, t;
	gsl_rng *rng;
	unsigned i;

	if (!nested_paired(a, b) || !resamples || !(level > 0 && level < 1))
		return -1;
	ma = xcalloc(k, sizeof(*ma));
	mb = xcalloc(k, sizeof(*mb));
	d = xcalloc(k, sizeof(*d));
	nested_boot_medians(a, ma);
	nested_boot_medians(b, mb);
	for (g = 0; g < k; g++)
		d[g] = log(mb[g] / ma[g]);
	mean = gsl_stats_mean(d, 1, k);
	*sd = gsl_stats_sd_m(d, 1, k, mean);
	if (*sd > 0) {
		t = fabs(mean) / (*sd / sqrt((double)k));
		*p = 2 * gsl_cdf_tdist_Q(t, (double)(k - 1));
	} else {
		/* every pair the same ratio: certain, unless that ratio is 1 */
		*p = mean == 0 ? 1 : 0;
	}
	stat = xmalloc(resamples * sizeof(*stat));
	draw = xcalloc(most + 1, sizeof(*draw));
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, seed);
	for (i = 0; i < resamples; i++) {
		double sum = 0;

		for (g = 0; g < k; g++) {
			size_t pick = gsl_rng_uniform_int(rng, k);
			double ra = resampled_median(rng, a, pick, draw);
			double rb = resampled_median(rng, b, pick, draw);

			/* a resampled median of 0 (some zero repetitions): no change for that pair */
			sum += ra > 0 && rb > 0 ? log(rb / ra) : 0;
		}
		stat[i] = sum / (double)k;
	}
	gsl_rng_free(rng);
	out->ratio = exp(mean);
	stats_percentile_interval(stat, resamples, level, &out->lo, &out->hi);
	out->lo = exp(out->lo);
	out->hi = exp(out->hi);
	free(stat);
	free(draw);
	free(ma);
	free(mb);
	free(d);
	return 0;
}

unsigned nested_pairs_needed(double sd, double threshold, double alpha)
{
	double z, n;

	if (!(sd >= 0) || !(threshold > 0 && threshold < 1) || !(alpha > 0 && alpha < 1))
		return 0;
	z = stats_power_z(alpha);
	n = ceil(pow(z * sd / log1p(threshold), 2));
	if (!(n < 1e6))
		return 1000000;
	return n < 3 ? 3 : (unsigned)n;
}

void nested_trend(const struct nested *s, double *S, double *var)
{
	size_t g, i, j;

	*S = *var = 0;
	for (g = 0; g < s->nboots; g++) {
		size_t lo = s->off[g], n = s->off[g + 1] - lo;

		if (n < 3)
			continue;
		for (i = lo; i < lo + n; i++)
			for (j = i + 1; j < lo + n; j++)
				*S += (s->v[j] > s->v[i]) - (s->v[j] < s->v[i]);
		*var += (double)n * (double)(n - 1) * (double)(2 * n + 5) / 18;
	}
}

/* Row r's boot median for boot number `boot` into *m; 0 when that boot is not in it. */
static int boot_median_of(const struct nested *s, long long boot, double *buf, double *m)
{
	size_t g;

	for (g = 0; g < s->nboots; g++) {
		if (s->boot[g] != boot)
			continue;
		*m = median_of(s->v + s->off[g], s->off[g + 1] - s->off[g], buf);
		return 1;
	}
	return 0;
}

size_t nested_pool(const struct nested *a, const struct nested *b, size_t nrows,
		   struct nested *pa, struct nested *pb)
{
	size_t n = nrows ? a[0].nboots : 0, most = 1, g, i, kept = 0;
	double *va, *vb, *buf;
	long long *boots;

	/* a boot's repetitions are at most its row's: the median's scratch fits either side */
	for (i = 0; i < nrows; i++) {
		most = a[i].n > most ? a[i].n : most;
		most = b[i].n > most ? b[i].n : most;
	}
	va = xcalloc(n + 1, sizeof(*va));
	vb = xcalloc(n + 1, sizeof(*vb));
	boots = xcalloc(n + 1, sizeof(*boots));
	buf = xcalloc(most, sizeof(*buf));
	for (g = 0; g < n; g++) {
		long long boot = a[0].boot[g];
		double la = 0, lb = 0, ma, mb;
		int all = 1;

		for (i = 0; i < nrows && all; i++) {
			all = boot_median_of(&a[i], boot, buf, &ma) &&
			      boot_median_of(&b[i], boot, buf, &mb) && ma > 0 && mb > 0;
			if (all) {
				la += log(ma);
				lb += log(mb);
			}
		}
		if (!all)
			continue;
		va[kept] = exp(la / (double)nrows);
		vb[kept] = exp(lb / (double)nrows);
		boots[kept++] = boot;
	}
	nested_init(pa, va, boots, NULL, kept);
	nested_init(pb, vb, boots, NULL, kept);
	free(va);
	free(vb);
	free(boots);
	free(buf);
	return kept;
}
