// SPDX-License-Identifier: GPL-2.0-only
#include "reports/stats.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "tests/tap.h"

static void test_median_cv(void)
{
	double odd[] = { 5, 1, 4, 2, 3 }, even[] = { 10, 40, 20, 30 };
	double keep[] = { 5, 1, 4, 2, 3 }, spread[] = { 95, 105, 100 }, zero[] = { -1, 1 };

	is_double(stats_median(odd, 5), 3, 0, "median of an odd count is the middle value");
	is_double(stats_median(even, 4), 25, 0, "median of an even count averages the middle two");
	ok(!memcmp(odd, keep, sizeof(odd)), "median leaves its input unsorted");
	is_double(stats_median(odd + 1, 1), 1, 0, "median of one value");
	/* mean 100, sample sd sqrt((25 + 25) / 2) = 5 */
	is_double(stats_cv_percent(spread, 3), 5, 1e-12, "cv of 95 100 105 is 5 %");
	is_double(stats_cv_percent(spread, 1), 0, 0, "cv of one value is 0");
	is_double(stats_cv_percent(zero, 2), 0, 0, "cv with mean 0 is 0");
}

/* ---- Mann-Whitney U ---- */

static double pair_u(const double *x, size_t nx, const double *y, size_t ny)
{
	double u = 0;
	size_t i, j;

	for (i = 0; i < nx; i++)
		for (j = 0; j < ny; j++)
			u += x[i] > y[j] ? 1 : x[i] == y[j] ? 0.5 : 0;
	return u;
}

/*
 * The exact two-sided p by brute force, independent of the recurrence:
 * every way of labelling na of the pooled values "a", with U counted pair by
 * pair, p = 2 * min(P(U <= u), P(U >= u)).
 */
static double brute_mwu_p(const double *a, size_t na, const double *b, size_t nb)
{
	size_t n = na + nb, i;
	double all[20], x[20], y[20], u_obs = pair_u(a, na, b, nb);
	unsigned long mask, le = 0, ge = 0, total = 0;

	memcpy(all, a, na * sizeof(*a));
	memcpy(all + na, b, nb * sizeof(*b));
	for (mask = 0; mask < 1ul << n; mask++) {
		size_t nx = 0, ny = 0;
		double u;

		if ((size_t)__builtin_popcountl(mask) != na)
			continue;
		for (i = 0; i < n; i++) {
			if (mask & (1ul << i))
				x[nx++] = all[i];
			else
				y[ny++] = all[i];
		}
		u = pair_u(x, nx, y, ny);
		total++;
		le += u <= u_obs;
		ge += u >= u_obs;
	}
	return fmin(1, 2.0 * (double)(le < ge ? le : ge) / (double)total);
}

/* Random arrangements of na + nb distinct values, compared with brute force. */
static void check_exact_against_brute(size_t na, size_t nb, unsigned trials)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double v[20], got = 0, want = 0;
	unsigned t, bad = 0;
	char name[96];
	size_t i;

	gsl_rng_set(rng, 1000 + 100 * na + nb);
	for (t = 0; t < trials; t++) {
		for (i = 0; i < na + nb; i++)
			v[i] = 1.5 * (double)i + 10;
		gsl_ran_shuffle(rng, v, na + nb, sizeof(*v));
		got = stats_mwu_p(v, na, v + na, nb);
		want = brute_mwu_p(v, na, v + na, nb);
		if (fabs(got - want) > 1e-12 && !bad++)
			printf("#   first mismatch: got %.17g, want %.17g\n", got, want);
	}
	gsl_rng_free(rng);
	snprintf(name, sizeof(name), "exact MWU %zu vs %zu matches enumeration on %u data sets",
		 na, nb, trials);
	is_int(bad, 0, name);
}

static double choose(unsigned n, unsigned k)
{
	double c = 1;
	unsigned i;

	/* c stays the integer C(n - k + i, i): exact in a double while below 2^53 */
	for (i = 1; i <= k; i++)
		c = c * (n - k + i) / i;
	return c;
}

static void test_mwu_exact(void)
{
	double lo3[] = { 1, 2, 3 }, hi3[] = { 4, 5, 6 };
	double lo5[] = { 1.1, 2.2, 3.3, 4.4, 5.5 }, hi5[] = { 6.6, 7.7, 8.8, 9.9, 11 };
	double odd3[] = { 1, 3, 5 }, even3[] = { 2, 4, 6 };
	/* R's ?wilcox.test example: W = 35, one-sided ("greater") p = 0.1272 */
	double rx[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
	double ry[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	double a25[25], b25[25], a26[26], b26[26];
	size_t i, na, nb;
	int possible = 0;

	is_double(stats_mwu_p(lo3, 3, hi3, 3), 0.1, 1e-15, "3 vs 3 separated: p = 2/20");
	is_double(stats_mwu_p(hi3, 3, lo3, 3), 0.1, 1e-15, "the other way round too");
	is_double(stats_mwu_p(lo5, 5, hi5, 5), 2.0 / 252, 1e-15, "5 vs 5 separated: p = 2/252");
	is_double(stats_mwu_p(lo3, 3, lo5 + 2, 3), brute_mwu_p(lo3, 3, lo5 + 2, 3), 1e-15,
		  "3 vs 3 overlapping by one matches enumeration");
	is_double(stats_mwu_p(odd3, 3, even3, 3), brute_mwu_p(odd3, 3, even3, 3), 1e-15,
		  "interleaved samples match enumeration");
	ok(stats_mwu_p(odd3, 3, even3, 3) > 0.5, "interleaved samples: large p");
	is_double(stats_mwu_p(rx, 10, ry, 5), 2 * 0.1272, 1e-4, "R's example, two-sided");
	is_double(stats_mwu_p(rx, 10, ry, 5), brute_mwu_p(rx, 10, ry, 5), 1e-14,
		  "R's example matches enumeration of C(15, 5)");
	is_double(pair_u(rx, 10, ry, 5), 35, 0, "R's example: U = W = 35");

	check_exact_against_brute(3, 3, 20);
	check_exact_against_brute(4, 4, 30);
	check_exact_against_brute(5, 5, 30);
	check_exact_against_brute(3, 6, 30);
	check_exact_against_brute(6, 3, 30);
	check_exact_against_brute(1, 7, 10);
	check_exact_against_brute(7, 6, 10);

	/* 50 values is still exact: p = 2 / C(50, 25), far below the normal tail */
	for (i = 0; i < 25; i++) {
		a25[i] = (double)i;
		b25[i] = 100.0 + (double)i;
	}
	is_double(stats_mwu_p(a25, 25, b25, 25) / (2 / choose(50, 25)), 1, 1e-9,
		  "25 vs 25 separated is exact: 2 / C(50, 25)");
	/* 52 values: normal, U = 0, mean 338, var 26 * 26 / 12 * 53 */
	for (i = 0; i < 26; i++) {
		a26[i] = (double)i;
		b26[i] = 100.0 + (double)i;
	}
	is_double(stats_mwu_p(a26, 26, b26, 26) /
		  erfc((338 - 0.5) / sqrt(676.0 / 12 * 53) / sqrt(2)), 1, 1e-9,
		  "26 vs 26 separated uses the normal approximation");

	is_double(stats_mwu_min_p(4, 4), 2.0 / 70, 1e-15, "min p of 4 vs 4 is 2/70");
	is_double(stats_mwu_min_p(5, 5), 2.0 / 252, 1e-15, "min p of 5 vs 5 is 2/252");
	is_double(stats_mwu_min_p(3, 6), 2.0 / 84, 1e-15, "min p of 3 vs 6 is 2/84");
	is_double(stats_mwu_min_p(1, 1), 1, 1e-15, "min p of 1 vs 1 is 1");
	for (na = 1; na < 5; na++)
		for (nb = 1; nb < 5; nb++)
			possible += stats_mwu_min_p(na, nb) < 0.01;
	is_int(possible, 0, "p < 0.01 impossible with fewer than 5 per side");
	ok(stats_mwu_min_p(5, 5) < 0.01, "but possible with 5 per side");
	ok(stats_mwu_min_p(4000, 4000) >= 0, "huge sizes do not overflow");

	is_double(stats_mwu_p(lo3, 0, hi3, 3), 1, 0, "empty side gives p = 1");
	is_double(stats_mwu_p(lo3, 3, hi3, 0), 1, 0, "empty other side gives p = 1");
}

static void test_mwu_normal(void)
{
	/*
	 * By hand: pooled 1 | 2 2 2 | 3 3 | 4 4 | 5 5 (a: 1 2 2 3 4); mid-ranks
	 * 1, 3, 5.5, 7.5, 9.5; rank sum of a = 1 + 3 + 3 + 5.5 + 7.5 = 20,
	 * U = 20 - 15 = 5, mean 12.5; ties: (27 - 3) + 3 * (8 - 2) = 42;
	 * var = 25/12 * (11 - 42/90); z = (7.5 - 0.5) / sd.
	 */
	double a[] = { 1, 2, 2, 3, 4 }, b[] = { 2, 3, 4, 5, 5 };
	double want = erfc(7.0 / sqrt(25.0 / 12 * (11 - 42.0 / 90)) / sqrt(2));
	double same[] = { 3, 1, 4, 1, 5, 9, 2, 6 }, big_a[200], big_b[200], p;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	size_t i;

	is_double(stats_mwu_p(a, 5, b, 5), want, 1e-12, "tied data: normal with tie correction");
	is_double(stats_mwu_p(a, 5, b, 5), 0.1351, 1e-4, "tied data: 0.1351, worked out by hand");
	is_double(stats_mwu_p(b, 5, a, 5), want, 1e-12, "tied data, sides swapped");
	is_double(stats_mwu_p(same, 8, same, 8), 1, 1e-12, "identical samples give p = 1");
	is_double(stats_mwu_p(same, 1, same, 1), 1, 0, "one equal value per side gives p = 1");

	gsl_rng_set(rng, 7);
	for (i = 0; i < 200; i++) {
		big_a[i] = 100 + gsl_ran_gaussian(rng, 5);
		big_b[i] = 103 + gsl_ran_gaussian(rng, 5);
	}
	p = stats_mwu_p(big_a, 200, big_b, 200);
	ok(p < 1e-6, "200 vs 200 shifted by 0.6 sd: tiny p");
	printf("#   p = %g\n", p);
	p = stats_mwu_p(big_a, 200, big_a, 200);
	ok(p > 0.99, "200 vs the same 200: p near 1");
	gsl_rng_free(rng);
}

/* ---- bootstrap ---- */

static int ci_equal(const struct stats_ci *x, const struct stats_ci *y)
{
	return !memcmp(&x->ratio, &y->ratio, sizeof(double)) &&
	       !memcmp(&x->lo, &y->lo, sizeof(double)) && !memcmp(&x->hi, &y->hi, sizeof(double));
}

static void test_bootstrap_basics(void)
{
	double a[] = { 101, 98, 103, 99, 100, 97, 102, 100, 104, 96 };
	double b[] = { 106, 104, 109, 103, 105, 101, 108, 107, 110, 102 };
	double flat_a[] = { 100, 100, 100 }, flat_b[] = { 110, 110, 110, 110 };
	double zeros[] = { 0, 0, 5 }, some_zeros[] = { 0, 0, 5, 6, 7 }, ra[10], rb[10];
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct stats_ci c1, c2, c3;
	struct timespec t0, t1;
	unsigned long seed;
	double ms;
	int bad;

	is_int(stats_bootstrap_ratio(a, 10, b, 10, 2000, 42, 0.95, &c1), 0, "bootstrap runs");
	is_double(c1.ratio, stats_median(b, 10) / stats_median(a, 10), 0,
		  "ratio is median(b) / median(a)");
	ok(c1.lo <= c1.ratio && c1.ratio <= c1.hi, "the CI brackets the ratio");
	ok(c1.lo > 1 && c1.hi < 1.1, "a clear 5 % shift: CI above 1, not absurdly wide");
	printf("#   ratio %.4f, CI [%.4f, %.4f]\n", c1.ratio, c1.lo, c1.hi);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	stats_bootstrap_ratio(a, 10, b, 10, 2000, 42, 0.95, &c2);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	printf("#   2000 resamples of 10 + 10 took %.2f ms\n", ms);
	ok(ci_equal(&c1, &c2), "same data and seed: bit-identical CI");

	/* the database may hand the repetitions over in any order */
	memcpy(ra, a, sizeof(a));
	memcpy(rb, b, sizeof(b));
	gsl_rng_set(rng, 3);
	gsl_ran_shuffle(rng, ra, 10, sizeof(*ra));
	gsl_ran_shuffle(rng, rb, 10, sizeof(*rb));
	stats_bootstrap_ratio(ra, 10, rb, 10, 2000, 42, 0.95, &c3);
	ok(memcmp(ra, a, sizeof(a)) && ci_equal(&c1, &c3),
	   "the order of the values does not matter: bit-identical CI");

	stats_bootstrap_ratio(a, 10, b, 10, 2000, 43, 0.95, &c3);
	ok(!ci_equal(&c1, &c3), "another seed: another CI");
	ok(c3.ratio == c1.ratio && fabs(c3.lo / c1.lo - 1) < 0.01 &&
	   fabs(c3.hi / c1.hi - 1) < 0.01, "but only slightly (< 1 %)");
	stats_bootstrap_ratio(a, 10, b, 10, 2000, 42, 0.5, &c3);
	ok(c3.lo > c1.lo && c3.hi < c1.hi, "a lower level gives a narrower CI");

	ok(!stats_bootstrap_ratio(flat_a, 3, flat_b, 4, 100, 1, 0.95, &c3) &&
	   c3.ratio == 1.1 && c3.lo == 1.1 && c3.hi == 1.1, "constant sides: CI is the ratio");
	/*
	 * A third of the resamples of some_zeros have median 0. With 5 resamples
	 * at level 0.5 GSL's quantile lands exactly on x[3] and adds 0 * x[4]:
	 * NaN if that ratio were infinite.
	 */
	for (seed = 1, bad = 0; seed <= 20; seed++)
		bad += stats_bootstrap_ratio(some_zeros, 5, flat_b, 4, 5, seed, 0.5, &c3) ||
		       isnan(c3.lo) || isnan(c3.hi);
	is_int(bad, 0, "resamples of a with median 0 leave no NaN in the CI");

	is_int(stats_bootstrap_ratio(a, 0, b, 10, 100, 1, 0.95, &c3), -1, "empty a");
	is_int(stats_bootstrap_ratio(a, 10, b, 0, 100, 1, 0.95, &c3), -1, "empty b");
	is_int(stats_bootstrap_ratio(zeros, 3, b, 10, 100, 1, 0.95, &c3), -1, "median(a) = 0");
	is_int(stats_bootstrap_ratio(a, 10, b, 10, 0, 1, 0.95, &c3), -1, "no resamples");
	is_int(stats_bootstrap_ratio(a, 10, b, 10, 100, 1, 1, &c3), -1, "level 1");
	is_int(stats_bootstrap_ratio(a, 10, b, 10, 100, 1, NAN, &c3), -1, "level NaN");
	b[3] = NAN;
	is_int(stats_bootstrap_ratio(a, 10, b, 10, 100, 1, 0.95, &c3), -1, "a NaN value");
	gsl_rng_free(rng);
}

/*
 * Where the CI ends should be: with a = { 1 } the ratio is the resampled
 * median of b = { 1, 2, ..., 27 }, whose distribution is exact: median* <= k
 * when at least 14 of the 27 draws are <= k, P = P(Binomial(27, k / 27) >= 14).
 * The CI ends are the smallest k where that reaches 2.5 % and 97.5 %. For
 * n = 27 both points lie well inside their step of the distribution (about
 * 3 sd of 2000 resamples' noise from either edge; at 90 % they would fall a
 * step further in): a run hits them exactly but for a 0.6 % chance, which
 * the seeds here do not meet.
 */
static double median27_quantile(double f)
{
	unsigned k;

	for (k = 1; k < 27; k++)
		if (gsl_cdf_binomial_Q(13, k / 27.0, 27) >= f)
			break;
	return k;
}

static void test_bootstrap_quantiles(void)
{
	double one[] = { 1 }, two[] = { 1, 2 }, b27[27];
	double want_lo = median27_quantile(0.025), want_hi = median27_quantile(0.975);
	struct stats_ci ci;
	unsigned seed;
	int bad = 0;
	size_t i;

	/* median(b*) of {1, 2} is 1, 1.5 or 2 with chances 1/4, 1/2, 1/4 */
	ok(!stats_bootstrap_ratio(one, 1, two, 2, 2000, 5, 0.95, &ci) && ci.lo == 1 && ci.hi == 2,
	   "both values of b get drawn: CI [1, 2]");
	ok(!stats_bootstrap_ratio(two, 2, one, 1, 2000, 5, 0.95, &ci) && ci.lo == 0.5 &&
	   ci.hi == 1, "both values of a get drawn: CI [0.5, 1]");

	for (i = 0; i < 27; i++)
		b27[i] = (double)(i + 1);
	for (seed = 1; seed <= 5; seed++) {
		stats_bootstrap_ratio(one, 1, b27, 27, 2000, seed, 0.95, &ci);
		if ((ci.lo != want_lo || ci.hi != want_hi) && !bad++)
			printf("#   seed %u: CI [%g, %g], want [%g, %g]\n", seed, ci.lo, ci.hi,
			       want_lo, want_hi);
	}
	is_int(bad, 0, "CI ends at the 2.5 % and 97.5 % points of the median's distribution");
	ok(want_lo == 9 && want_hi == 19 && median27_quantile(0.05) == 10,
	   "those points are 9 and 19 (10 at 5 %)");
}

enum dist { NORMAL, LOGNORMAL };

struct coverage {
	double truth;	/* fraction of CIs containing the true ratio, 1.03 */
	double one;	/* fraction containing 1: a CI wide enough to cover anything fails */
};

/*
 * Bootstrap CIs (level 0.95) of `seeds` data sets of n values per side from
 * the distribution, with a true ratio of medians of 1.03. The data come from
 * their own generator, seeded apart from the bootstrap's.
 */
static struct coverage coverage(enum dist d, size_t n, unsigned seeds)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	unsigned s, truth = 0, one = 0;
	double a[64], b[64];
	struct stats_ci ci;
	size_t i;

	for (s = 0; s < seeds; s++) {
		gsl_rng_set(rng, 100000 + s);
		for (i = 0; i < n; i++) {
			if (d == NORMAL) {
				a[i] = 100 + gsl_ran_gaussian(rng, 5);
				b[i] = 103 + gsl_ran_gaussian(rng, 5);
			} else {	/* median exp(zeta) */
				a[i] = gsl_ran_lognormal(rng, log(100), 0.05);
				b[i] = gsl_ran_lognormal(rng, log(103), 0.05);
			}
		}
		if (stats_bootstrap_ratio(a, n, b, n, 2000, s + 1, 0.95, &ci))
			continue;
		truth += ci.lo <= 1.03 && 1.03 <= ci.hi;
		one += ci.lo <= 1 && 1 <= ci.hi;
	}
	gsl_rng_free(rng);
	return (struct coverage){ (double)truth / seeds, (double)one / seeds };
}

static void test_bootstrap_coverage(void)
{
	static const char *const names[] = { "normal", "log-normal" };
	struct coverage c;
	char name[96];
	int d;

	/*
	 * Measured over 4000 seeds, the interval is slightly conservative at
	 * n = 10: 0.965 for both distributions. 0.93 leaves room for the
	 * spread of 200 seeds (sd about 0.013).
	 */
	for (d = NORMAL; d <= LOGNORMAL; d++) {
		c = coverage(d, 10, 200);
		printf("#   %s, n = 10: %.3f of the CIs contain 1.03, %.3f contain 1\n",
		       names[d], c.truth, c.one);
		snprintf(name, sizeof(name), "95 %% CI covers the true ratio >= 93 %% (%s, n = 10)",
			 names[d]);
		ok(c.truth >= 0.93, name);
		snprintf(name, sizeof(name), "and excludes 1, 3 %% off, often enough (%s)",
			 names[d]);
		ok(c.one <= 0.9, name);
	}
}

/* ---- Benjamini-Hochberg ---- */

static void test_bh(void)
{
	double p[] = { 0.01, 0.04, 0.03, 0.005 }, want[] = { 0.02, 0.04, 0.04, 0.02 };
	/* sorted 0.03 0.035 0.04 0.9: p n / j = 0.12 0.07 0.0533 0.9, then minima from the right */
	double p2[] = { 0.04, 0.03, 0.9, 0.035 }, want2[] = { 0.16 / 3, 0.16 / 3, 0.9, 0.16 / 3 };
	double one[] = { 0.3 }, q[4];
	size_t i;
	int bad = 0;

	stats_bh(p, 4, q);
	for (i = 0; i < 4; i++)
		bad += fabs(q[i] - want[i]) > 1e-15;
	is_int(bad, 0, "BH of 0.01 0.04 0.03 0.005 is 0.02 0.04 0.04 0.02");
	stats_bh(p2, 4, q);
	for (i = 0, bad = 0; i < 4; i++)
		bad += fabs(q[i] - want2[i]) > 1e-15;
	is_int(bad, 0, "BH takes the minimum over larger p (step-up)");
	stats_bh(one, 1, q);
	is_double(q[0], 0.3, 0, "a single p is its own q");
	stats_bh(p, 4, p);
	for (i = 0, bad = 0; i < 4; i++)
		bad += fabs(p[i] - want[i]) > 1e-15;
	is_int(bad, 0, "in place (q = p) gives the same");
	/* no p-values: nothing is read or written (NULL is never touched, q keeps its value) */
	stats_bh(NULL, 0, NULL);
	q[0] = -1;
	stats_bh(p2, 0, q);
	is_double(q[0], -1, 0, "no p-values: q is left alone");
}

/* ---- verdict ---- */

static enum stats_verdict decide(int better, double ratio, double lo, double hi, double q)
{
	struct stats_ci ci = { .ratio = ratio, .lo = lo, .hi = hi };
	struct stats_rule r = { .better = better, .threshold = 0.02, .alpha = 0.05 };

	return stats_decide(&ci, q, &r);
}

#define is_verdict(got, want, name) is_str(stats_verdict_name(got), stats_verdict_name(want), name)

static void test_decide(void)
{
	struct stats_rule quarter = { .better = -1, .threshold = 0.25, .alpha = 0.05 };

	is_str(stats_verdict_name(STATS_NO_CHANGE), "no change", "verdict name: no change");
	is_str(stats_verdict_name(STATS_REGRESSION), "regression", "verdict name: regression");
	is_str(stats_verdict_name(STATS_IMPROVEMENT), "improvement", "verdict name: improvement");
	is_str(stats_verdict_name(STATS_INCONCLUSIVE), "inconclusive",
	       "verdict name: inconclusive");

	/* higher is better (bandwidth) */
	is_verdict(decide(+1, 1.05, 1.03, 1.07, 0.01), STATS_IMPROVEMENT, "bandwidth up");
	is_verdict(decide(+1, 0.95, 0.93, 0.97, 0.01), STATS_REGRESSION, "bandwidth down");
	/* lower is better (latency) */
	is_verdict(decide(-1, 1.05, 1.03, 1.07, 0.01), STATS_REGRESSION, "latency up");
	is_verdict(decide(-1, 0.95, 0.93, 0.97, 0.01), STATS_IMPROVEMENT, "latency down");
	/* no better direction */
	is_verdict(decide(0, 1.05, 1.03, 1.07, 0.01), STATS_INCONCLUSIVE, "neutral metric up");
	is_verdict(decide(0, 0.95, 0.93, 0.97, 0.01), STATS_INCONCLUSIVE, "neutral metric down");
	is_verdict(decide(0, 1.0, 0.99, 1.01, 0.01), STATS_NO_CHANGE, "neutral metric flat");

	/* the practical threshold, inclusive */
	is_verdict(decide(-1, 1.02, 1.01, 1.03, 0.01), STATS_REGRESSION, "ratio at 1 + threshold");
	is_verdict(decide(-1, 0.98, 0.97, 0.99, 0.01), STATS_IMPROVEMENT, "ratio at 1 - threshold");
	/* 1 +- 0.25 are exact in binary: no rounding on either side of the comparison */
	is_verdict(stats_decide(&(struct stats_ci){ 1.25, 1.1, 1.4 }, 0.01, &quarter),
		   STATS_REGRESSION, "ratio exactly 1 + threshold (0.25)");
	is_verdict(stats_decide(&(struct stats_ci){ 0.75, 0.6, 0.9 }, 0.01, &quarter),
		   STATS_IMPROVEMENT, "ratio exactly 1 - threshold (0.25)");
	is_verdict(stats_decide(&(struct stats_ci){ 1.2, 1.1, 1.25 }, 0.01, &quarter),
		   STATS_NO_CHANGE, "CI ending exactly at 1 + threshold is within the band");
	is_verdict(stats_decide(&(struct stats_ci){ 0.8, 0.75, 0.9 }, 0.01, &quarter),
		   STATS_NO_CHANGE, "CI ending exactly at 1 - threshold is within the band");
	is_verdict(decide(-1, 1.0199, 1.01, 1.03, 0.01), STATS_INCONCLUSIVE,
		   "ratio just under the threshold, CI beyond it");
	is_verdict(decide(-1, 0.9801, 0.97, 0.99, 0.01), STATS_INCONCLUSIVE,
		   "ratio just under the threshold, going down");
	is_verdict(decide(-1, 1.015, 1.01, 1.02, 0.001), STATS_NO_CHANGE,
		   "significant but CI within the band (ends inclusive): no change");
	is_verdict(decide(-1, 0.985, 0.98, 0.99, 0.001), STATS_NO_CHANGE,
		   "the same going down");
	is_verdict(decide(-1, 1.015, 1.01, 1.0201, 0.001), STATS_INCONCLUSIVE,
		   "CI just past the band: inconclusive");

	/* the CI must exclude 1 */
	is_verdict(decide(-1, 1.05, 1.0, 1.08, 0.001), STATS_INCONCLUSIVE,
		   "CI touching 1 from above");
	is_verdict(decide(+1, 0.95, 0.92, 1.0, 0.001), STATS_INCONCLUSIVE,
		   "CI touching 1 from below");
	is_verdict(decide(-1, 1.05, 1.0001, 1.08, 0.001), STATS_REGRESSION, "CI just above 1");
	is_verdict(decide(-1, 1.05, 0.99, 1.08, 0.001), STATS_INCONCLUSIVE, "CI containing 1");
	is_verdict(decide(-1, 0.99, 1.01, 1.08, 0.001), STATS_INCONCLUSIVE,
		   "ratio on the other side of 1 than its CI");

	/* q against alpha, inclusive */
	is_verdict(decide(-1, 1.05, 1.03, 1.07, 0.05), STATS_REGRESSION, "q = alpha");
	is_verdict(decide(-1, 1.05, 1.03, 1.07, 0.0499), STATS_REGRESSION, "q just below alpha");
	is_verdict(decide(-1, 1.05, 1.03, 1.07, 0.0501), STATS_INCONCLUSIVE, "q just above alpha");
	is_verdict(decide(-1, 1.01, 0.995, 1.015, 0.9), STATS_NO_CHANGE,
		   "CI within the band: no change whatever q");
	is_verdict(decide(-1, 1.01, 0.9, 1.1, 0.9), STATS_INCONCLUSIVE, "wide CI: inconclusive");
	is_verdict(decide(-1, NAN, NAN, NAN, NAN), STATS_INCONCLUSIVE,
		   "NaN everywhere: inconclusive");
}

/* ---- repetitions needed ---- */

static void test_reps_needed(void)
{
	/* cv 5 % on both sides (mean 100 / 200, sd 5 / 10) */
	double a[] = { 95, 100, 105 }, b[] = { 190, 200, 210 };
	double wide_a[] = { 90, 100, 110 }, wide_b[] = { 180, 200, 220 };
	double tight[] = { 99.9, 100, 100.1 }, zero[] = { -1, 1 };
	/* z(0.975) + z(0.8), from tables */
	double z = 1.959963984540054 + 0.8416212335729143;
	unsigned n5, n10;

	n5 = stats_reps_needed(a, 3, b, 3, 0.02, 0.05);
	is_int(n5, (unsigned)ceil(2 * pow(z * 0.05 / 0.02, 2)), "cv 5 %, threshold 2 %: 99");
	is_int(n5, 99, "that is 99 repetitions");
	n10 = stats_reps_needed(wide_a, 3, wide_b, 3, 0.02, 0.05);
	ok(n10 > n5, "more noise needs more repetitions");
	ok(stats_reps_needed(a, 3, b, 3, 0.01, 0.05) > n5, "a smaller threshold needs more");
	ok(stats_reps_needed(a, 3, b, 3, 0.02, 0.01) > n5, "a smaller alpha needs more");
	ok(stats_reps_needed(a, 3, wide_b, 3, 0.02, 0.05) > n5 &&
	   stats_reps_needed(a, 3, wide_b, 3, 0.02, 0.05) < n10, "pooled cv lies between");
	is_int(stats_reps_needed(tight, 3, tight, 3, 0.02, 0.05), 5, "quiet data: at least 5");
	is_int(stats_reps_needed(a, 1, b, 3, 0.02, 0.05), 0, "one value in a: not estimable");
	is_int(stats_reps_needed(a, 3, b, 1, 0.02, 0.05), 0, "one value in b: not estimable");
	is_int(stats_reps_needed(zero, 2, b, 3, 0.02, 0.05), 0, "mean 0: not estimable");
	is_int(stats_reps_needed(a, 3, b, 3, 0, 0.05), 0, "threshold 0: not estimable");
}

static void test_reps_for_cv(void)
{
	double z = 1.959963984540054 + 0.8416212335729143, d;
	unsigned n, cv_pct;

	is_int(stats_reps_for_cv(0.05, 0.02, 0.05), 99, "from a known cv of 5 %: 99, as above");
	is_int(stats_reps_for_cv(0.001, 0.02, 0.05), 5, "a quiet machine: at least 5");
	is_int(stats_reps_for_cv(NAN, 0.02, 0.05), 0, "an unknown cv: nothing said");
	d = stats_detectable_change(0.05, 99, 0.05);
	ok(fabs(d - z * 0.05 * sqrt(2.0 / 99)) < 1e-12, "detectable change at n = 99: z cv sqrt(2/n)");
	ok(d <= 0.02 && stats_detectable_change(0.05, 98, 0.05) > 0.02,
	   "99 is the smallest n that detects 2 % at cv 5 %");
	/* round trip over a range of cvs: the n asked for detects the threshold */
	for (cv_pct = 1, n = 1; cv_pct <= 40 && n; cv_pct++) {
		unsigned k = stats_reps_for_cv(cv_pct / 100.0, 0.05, 0.05);

		n = k > 5 ? stats_detectable_change(cv_pct / 100.0, k, 0.05) <= 0.05 &&
			    stats_detectable_change(cv_pct / 100.0, k - 1, 0.05) > 0.05 : 1;
	}
	ok(n, "for cv 1-40 %, reps_for_cv and detectable_change agree at a 5 % threshold");
	ok(isnan(stats_detectable_change(0.05, 1, 0.05)), "one repetition detects nothing");
}

int main(void)
{
	test_median_cv();
	test_mwu_exact();
	test_mwu_normal();
	test_bootstrap_basics();
	test_bootstrap_quantiles();
	test_bootstrap_coverage();
	test_bh();
	test_decide();
	test_reps_needed();
	test_reps_for_cv();
	return done_testing();
}
