// SPDX-License-Identifier: GPL-2.0-only
#include "reports/changepoint.h"

#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/gauss.h"
#include "tests/tap.h"

/* n nights around 1000 with sd sigma, +step (in sigmas) from night `at` on (none when at >= n). */
static double *series(size_t n, double sigma, size_t at, double step)
{
	double *x = malloc(n * sizeof(*x));
	size_t i;

	for (i = 0; i < n; i++)
		x[i] = 1000 + sigma * gauss() + (i >= at ? step * sigma : 0);
	return x;
}

static int found_at(const struct change_points *c, size_t at, size_t slack)
{
	size_t i;

	for (i = 0; i < c->nr; i++)
		if (c->v[i].index + slack >= at && c->v[i].index <= at + slack)
			return 1;
	return 0;
}

static void test_planted(void)
{
	const struct cp_opts o = CP_OPTS_DEFAULT;
	struct change_points c = CHANGE_POINTS_INIT;
	double *x = series(120, 10, 70, -5);
	const struct change_point *cp;

	cp_find(x, 120, &o, &c, NULL);
	is_int(c.nr, 1, "a planted 5-sigma step in 120 nights: one change point");
	cp = c.nr ? &c.v[0] : NULL;
	ok(cp && cp->index == 70, "at the first bad night");
	ok(cp && cp->p <= o.max_p, "significant at the default p");
	ok(cp && fabs(cp->magnitude + 0.05) < 0.01, "its magnitude: -5 %");
	ok(cp && cp->ci_lo < cp->magnitude && cp->magnitude < cp->ci_hi && cp->ci_hi < 0,
	   "inside its interval, which excludes no change");
	ok(cp && cp->start == 0 && cp->end == 120, "tested on the segments around it");
	change_points_release(&c);
	free(x);
}

static void test_flat(void)
{
	const struct cp_opts o = CP_OPTS_DEFAULT;
	size_t seed, false_points = 0;

	for (seed = 0; seed < 20; seed++) {
		struct change_points c = CHANGE_POINTS_INIT;
		double *x = series(200, 10, 200, 0);

		cp_find(x, 200, &o, &c, NULL);
		false_points += c.nr;
		change_points_release(&c);
		free(x);
	}
	is_int(false_points, 0, "20 flat series of 200 nights: no change point at the defaults");
}

static void test_edges(void)
{
	const struct cp_opts o = CP_OPTS_DEFAULT;
	struct change_points c = CHANGE_POINTS_INIT;
	double *x = series(60, 1, 60, 0);

	x[30] += 20;	/* one odd night, 20 sigma */
	cp_find(x, 60, &o, &c, NULL);
	is_int(c.nr, 0, "a single spike is no step");
	change_points_release(&c);
	x[30] -= 20;
	x[59] -= 10;
	x[58] -= 10;
	cp_find(x, 60, &o, &c, NULL);
	is_int(c.nr, 0, "a step with 2 nights after it waits for the third (min_segment 3)");
	if (c.nr)
		printf("# found at %zu, p %g\n", c.v[0].index, c.v[0].p);
	change_points_release(&c);
	x[57] -= 10;
	cp_find(x, 60, &o, &c, NULL);
	ok(c.nr == 1 && c.v[0].index == 57, "with 3 nights after it, it is found where it began");
	change_points_release(&c);
	free(x);
}

static void test_magnitude(void)
{
	struct cp_opts o = CP_OPTS_DEFAULT;
	struct change_points c = CHANGE_POINTS_INIT;
	double *x = series(100, 1, 50, 8);	/* +8 sigma of 1 in 1000: +0.8 % */

	cp_find(x, 100, &o, &c, NULL);
	is_int(c.nr, 1, "a +0.8 % step on quiet nights is found");
	change_points_release(&c);
	o.min_magnitude = 0.02;
	cp_find(x, 100, &o, &c, NULL);
	is_int(c.nr, 0, "but not with a 2 % magnitude threshold");
	change_points_release(&c);
	free(x);
}

static void test_several(void)
{
	const struct cp_opts o = CP_OPTS_DEFAULT;
	struct change_points c = CHANGE_POINTS_INIT;
	double *x = series(300, 10, 300, 0);
	size_t i;

	for (i = 80; i < 300; i++)
		x[i] -= 60;	/* -6 sigma from 80 */
	for (i = 170; i < 300; i++)
		x[i] += 100;	/* +10 sigma from 170 */
	for (i = 250; i < 300; i++)
		x[i] -= 70;	/* -7 sigma from 250 */
	cp_find(x, 300, &o, &c, NULL);
	is_int(c.nr, 3, "three steps in 300 nights, over several windows: three change points");
	ok(found_at(&c, 80, 1) && found_at(&c, 170, 1) && found_at(&c, 250, 1),
	   "each within a night of where it was planted");
	change_points_release(&c);
	free(x);
}

static void test_append(void)
{
	const struct cp_opts o = CP_OPTS_DEFAULT;
	struct change_points full = CHANGE_POINTS_INIT, weak = CHANGE_POINTS_INIT;
	struct change_points inc = CHANGE_POINTS_INIT, weak2 = CHANGE_POINTS_INIT;
	double *x = series(400, 10, 120, -6);
	size_t i, n, same = 1;

	for (i = 330; i < 400; i++)
		x[i] += 90;
	cp_find(x, 300, &o, &full, &weak);
	change_points_release(&full);
	/* then a night at a time, as nightly appends them */
	for (n = 301; n <= 400; n++) {
		cp_append(x, n, 1, &weak, &o, &inc, &weak2);
		change_points_release(&weak);
		weak = weak2;
		weak2 = (struct change_points)CHANGE_POINTS_INIT;
		if (n < 400)
			change_points_release(&inc);
	}
	cp_find(x, 400, &o, &full, NULL);
	same = inc.nr == full.nr;
	for (i = 0; same && i < inc.nr; i++)
		same = inc.v[i].index == full.v[i].index && inc.v[i].p == full.v[i].p;
	ok(same, "a night at a time gives the change points of the whole series");
	ok(found_at(&inc, 120, 1) && found_at(&inc, 330, 1), "both steps");
	change_points_release(&inc);
	change_points_release(&full);
	change_points_release(&weak);
	free(x);
}

static void test_exact(void)
{
	const double pins[] = { 3, 3.01, 3, NAN, 3, 4, 4, 3.99, 3 };
	struct change_points c = CHANGE_POINTS_INIT;

	cp_find_exact(pins, sizeof(pins) / sizeof(pins[0]), 0.1, &c);
	is_int(c.nr, 2, "an exact series: every change beyond the tolerance, nothing else");
	ok(c.nr == 2 && c.v[0].index == 5 && c.v[0].magnitude == 1, "3 -> 4 the night it happened");
	ok(c.nr == 2 && c.v[1].index == 8 && fabs(c.v[1].magnitude + 0.99) < 1e-12,
	   "and back, a night that measured nothing skipped");
	change_points_release(&c);
}

int main(void)
{
	test_planted();
	test_flat();
	test_edges();
	test_magnitude();
	test_several();
	test_append();
	test_exact();
	return done_testing();
}
