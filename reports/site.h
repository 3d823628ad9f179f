/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_SITE_H
#define PINBENCH_SITE_H

#include <stddef.h>

#include "db/db.h"

/*
 * The static HTML site of a database (pinbench report --html): it works
 * opened from disk or from any web server, without JavaScript.
 *
 *   index.html                 open regressions, latest comparisons and runs,
 *                              machines with their A/A noise, history links
 *   comparison-N.html          the verdict table, plots, pin balance, the
 *                              reproducer and the runs' log directories
 *   history-JOBHASH-METRIC.html  one job x key metric across runs, with its plot
 *   regressions.atom           an Atom feed of comparisons that found regressions
 *   style.css, plots/          the stylesheet; SVG plots named by their data's hash
 *
 * Regeneration is incremental: a page is rewritten only when its bytes
 * change, and a plot is drawn only when no plot of the same data exists.
 */
struct site_opts {
	const char *dir;
	const char *base_url;	/* "" or NULL: the feed links relatively */
	int plots;		/* 0: no gnuplot (pages only) */
};

struct site_stats {
	size_t pages, pages_written, plots, plots_drawn;
};

int site_write(struct db *db, const struct site_opts *o, struct site_stats *st);

#endif
