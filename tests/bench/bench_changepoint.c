// SPDX-License-Identifier: GPL-2.0-only
/*
 * Change points of nightly series (reports/changepoint.h): precision and
 * recall on synthetic series with planted steps of known size and place,
 * at several noise levels, the false points of flat series, and the time
 * to search 2 years x 16 jobs x 12 metrics of nights, from scratch and a
 * night appended. Prints figures; asserts nothing about time.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "reports/changepoint.h"
#include "tests/gauss.h"

#define NIGHTS 200
#define SERIES 100
#define SLACK 2		/* a change point this close to a planted step found it */
#define YEARS_NIGHTS 730
#define ALL_SERIES (16 * 12)

/*
 * n nights of mean 1000 and CV cv; two steps of `step` (relative, signs at
 * random) at random nights at least 30 apart and 20 from either end.
 */
static void make(double *x, size_t n, double cv, double step, size_t at[2])
{
	size_t i;
	double level = 1000;

	at[0] = 20 + (size_t)(gauss_uniform() * (double)(n / 2 - 50));
	at[1] = at[0] + 30 + (size_t)(gauss_uniform() * (double)(n - at[0] - 50));
	for (i = 0; i < n; i++) {
		if (i == at[0] || i == at[1])
			level *= 1 + (gauss_uniform() < 0.5 ? -step : step);
		x[i] = level * (1 + cv * gauss());
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void accuracy(void)
{
	static const double cvs[] = { 0.01, 0.03, 0.05 };
	static const double steps[] = { 0.02, 0.05, 0.10, 0.20 };
	const struct cp_opts o = CP_OPTS_DEFAULT;
	double x[NIGHTS];
	size_t c, s, k, i;

	printf("change points, default settings (window %u, p %g, min segment %u), %d series of "
	       "%d nights, 2 planted steps each, found = within %d nights:\n", o.window, o.max_p,
	       o.min_segment, SERIES, NIGHTS, SLACK);
	printf("  %-9s", "noise CV");
	for (s = 0; s < sizeof(steps) / sizeof(steps[0]); s++)
		printf("  step %4.0f %% (prec/recall)", steps[s] * 100);
	printf("  flat: false points per 1000 nights\n");
	for (c = 0; c < sizeof(cvs) / sizeof(cvs[0]); c++) {
		size_t false_flat = 0;

		printf("  %6.0f %% ", cvs[c] * 100);
		for (s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
			size_t tp = 0, fp = 0, planted = 0;

			for (k = 0; k < SERIES; k++) {
				struct change_points cp = CHANGE_POINTS_INIT;
				size_t at[2], hit[2] = { 0, 0 };

				make(x, NIGHTS, cvs[c], steps[s], at);
				cp_find(x, NIGHTS, &o, &cp, NULL);
				for (i = 0; i < cp.nr; i++) {
					size_t j, good = 0;

					for (j = 0; j < 2; j++)
						if (cp.v[i].index + SLACK >= at[j] &&
						    cp.v[i].index <= at[j] + SLACK && !hit[j]) {
							hit[j] = good = 1;
							break;
						}
					tp += good;
					fp += !good;
				}
				planted += 2;
				change_points_release(&cp);
			}
			printf("  %9.2f / %-13.2f", tp + fp ? (double)tp / (double)(tp + fp) : 1.0,
			       (double)tp / (double)planted);
		}
		for (k = 0; k < SERIES; k++) {
			struct change_points cp = CHANGE_POINTS_INIT;

			for (i = 0; i < NIGHTS; i++)
				x[i] = 1000 * (1 + cvs[c] * gauss());
			cp_find(x, NIGHTS, &o, &cp, NULL);
			false_flat += cp.nr;
			change_points_release(&cp);
		}
		printf("  %.2f\n", 1000.0 * (double)false_flat / (SERIES * NIGHTS));
	}
}

static void timing(void)
{
	const struct cp_opts o = CP_OPTS_DEFAULT;
	double *x = malloc((size_t)ALL_SERIES * YEARS_NIGHTS * sizeof(*x));
	struct change_points *weak = calloc(ALL_SERIES, sizeof(*weak));
	size_t s, at[2], found = 0;
	double t0, t1, t2;

	for (s = 0; s < ALL_SERIES; s++)
		make(x + s * YEARS_NIGHTS, YEARS_NIGHTS, 0.03, 0.10, at);
	t0 = now();
	for (s = 0; s < ALL_SERIES; s++) {
		struct change_points cp = CHANGE_POINTS_INIT;

		cp_find(x + s * YEARS_NIGHTS, YEARS_NIGHTS - 1, &o, &cp, &weak[s]);
		found += cp.nr;
		change_points_release(&cp);
	}
	t1 = now();
	for (s = 0; s < ALL_SERIES; s++) {
		struct change_points cp = CHANGE_POINTS_INIT, w = CHANGE_POINTS_INIT;

		cp_append(x + s * YEARS_NIGHTS, YEARS_NIGHTS, 1, &weak[s], &o, &cp, &w);
		change_points_release(&cp);
		change_points_release(&w);
		change_points_release(&weak[s]);
	}
	t2 = now();
	printf("2 years x 16 jobs x 12 metrics (%d series of %d nights, 2 steps of 10 %% at "
	       "3 %% noise each): %.3f s from scratch (%zu change points), %.3f s to append a "
	       "night to every series\n", ALL_SERIES, YEARS_NIGHTS, t1 - t0, found, t2 - t1);
	free(weak);
	free(x);
}

int main(void)
{
	gauss_state = 0x2545f4914f6cdd1dULL;	/* the series the figures in the notes came from */
	accuracy();
	timing();
	return 0;
}
