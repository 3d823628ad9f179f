/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_NIGHTSERIES_H
#define PINBENCH_NIGHTSERIES_H

#include <stddef.h>
#include <stdio.h>

#include "db/db.h"
#include "reports/changepoint.h"
#include "reports/compare.h"

/*
 * A branch's series on this host: for every job and metric that compare
 * judges, one value per measured night, and the change points of each.
 *
 *   - A night's value of an exact row (pins per I/O, cost rows, dio-cases'
 *     bios and leaks) is the median of its repetitions; such a row changes
 *     only when the code does, so any step beyond compare's allowance
 *     between two nights is a change point, found the night it happens,
 *     and confirmed as it is found: a re-run measures the same count.
 *   - A noisy row's night value is the median of its boots' medians (the
 *     boot is the unit, reports/nested.h); its change points come from
 *     E-divisive means (reports/changepoint.h) with the metric's threshold
 *     as the smallest magnitude, and stay "suspected": night-to-night drift
 *     is larger than a night's own spread.
 *
 * Nights that measured nothing (a failed build or boot) are no points: a
 * step is between the last night that measured the row and the next one.
 */
struct nightseries_opts {
	struct cp_opts cp;
	struct compare_opts cmp;	/* thresholds and the exact allowance */
};

struct nightseries_result {
	size_t nights;		/* measured nights in the series */
	size_t series;		/* job x metric series with two or more points */
	size_t found;		/* change points found (stored before or now) */
	size_t added;		/* of them, stored now for the first time */
	size_t regressions;	/* of those added: confirmed regressions */
	long long first_added;	/* the id of the first one added (0: none) */
	size_t fixed;		/* earlier regressions a step back marked fixed */
};

/*
 * Find the change points of branch's series and store the new ones; each
 * new one is printed to out (may be NULL) as a line. -1 on a database error.
 */
int nightseries_update(struct db *db, const char *branch, const struct nightseries_opts *o,
		       FILE *out, struct nightseries_result *res);

/* One line for a change point: the step, the commits around it, its state. */
void nightseries_describe(const struct db_change_point *cp, const char *good_commit,
			  const char *bad_commit, struct strbuf *out);

#endif
