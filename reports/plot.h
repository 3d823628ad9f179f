/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_PLOT_H
#define PINBENCH_PLOT_H

#include <stddef.h>

/*
 * Plots for the reports, drawn by gnuplot (Debian: gnuplot-nox).
 *
 * Every function writes one image to `path` and returns 0, or -1 after
 * printing one error line that names `path` and gnuplot's error (or
 * "gnuplot not found: install it with 'apt-get install gnuplot-nox'").
 *
 * How: the gnuplot script and the data files go into a private directory
 * made with mkdtemp() under $TMPDIR (when absolute) or /tmp, which is
 * removed afterwards; gnuplot is started through spawn.h with the script
 * as its argument (no shell, no init files, PLOT_TIMEOUT_S) and writes to
 * a temporary name next to `path`, renamed over `path` when complete: a
 * reader never sees half an image, and a failure leaves nothing behind.
 * Many plots are faster drawn as a batch (below), the same way.
 *
 * Strings (titles, labels, names) may come from outside: control
 * characters are dropped, invalid UTF-8 becomes '?', they are quoted as
 * gnuplot string literals and drawn with enhanced text off, so quotes,
 * ^_@{} and backslashes are shown as they are. In SVG, gnuplot escapes <
 * and &; the '>' it leaves alone is escaped here too (in text, "]]>" would
 * make the file ill-formed XML).
 *
 * Values that are not finite (NaN, Inf) are not drawn. A plot without any
 * value to draw is still an image, with "no data" written across it (and
 * return 0), so that a report can always show one per slot; a NULL path,
 * or NULL where an array of n > 0 items is needed, is an error. A NULL
 * title, ylabel or name is taken as "".
 *
 * Images are 800x450: SVG through the svg terminal, PNG through pngcairo
 * (png when gnuplot lacks cairo). Written against gnuplot 5.4 (Debian 12);
 * keyentry and --default-settings need 5.2 or later.
 *
 * The error names gnuplot's "line N: ..." message when there is one (the
 * lines before it echo the script), else its first line that is not a
 * warning; a gnuplot killed by a signal or the timeout is said so.
 */
enum plot_format { PLOT_SVG, PLOT_PNG };

/* One side of an A/B comparison: a kernel's name and its repetitions' values. */
struct plot_side {
	const char *name;
	const double *v;
	size_t n;
};

/*
 * The distribution of one job x metric on two kernels: every repetition as
 * a point (spread a little around x = 1 and x = 2, the same way every time,
 * so the picture is reproducible), each side's median as a short black
 * line, x tics and legend naming the sides. title: e.g.
 * "randread-4k@nvme:vfat: fio.read.iops"; ylabel with the unit, e.g.
 * "IOPS (IO/s)"; note, printed under the title, may be NULL (e.g. "ratio
 * 0.93, 95% CI 0.90-0.96"). A side without values is marked "no data".
 */
int plot_distribution(const char *path, enum plot_format f, const char *title,
		      const char *ylabel, const struct plot_side *a, const struct plot_side *b,
		      const char *note);

/*
 * A run in the history of one job x metric: label is the tic text (e.g.
 * "r12 6.12.117"), y the median, lo..hi the range of its repetitions (drawn
 * as an error bar when both are finite), regression non-zero when that
 * run's verdict was a regression.
 */
struct plot_point {
	const char *label;
	double y, lo, hi;
	int regression;
};

/*
 * The history of one job x metric, p[0] the oldest run: x is the run
 * order, tic labels rotated and thinned out to about 25 when there are
 * more runs (the others keep a tic mark without text), the medians joined
 * by a line, regressions drawn as large red dots with a "regression"
 * legend entry (only when there is one).
 */
int plot_history(const char *path, enum plot_format f, const char *title, const char *ylabel,
		 const struct plot_point *p, size_t n);

/* One bar: e.g. a kernel and its pins released per I/O. */
struct plot_bar {
	const char *label;
	double value;
};

/*
 * One bar per entry in the given order, from 0 (up or down), its value
 * printed at its end, x tics naming the entries (rotated when many or long).
 */
int plot_bars(const char *path, enum plot_format f, const char *title, const char *ylabel,
	      const struct plot_bar *b, size_t n);

/*
 * Many plots with one gnuplot: its start-up (about 0.1 s) costs more than
 * drawing a plot, and a report draws hundreds. Queue the plots, then draw
 * them all with plot_batch_run:
 *
 *	struct plot_batch *b = plot_batch_new();
 *
 *	plot_batch_history(b, "h1.svg", PLOT_SVG, title, ylabel, p, n);
 *	...
 *	failed = plot_batch_run(b);
 *	plot_batch_free(b);
 *
 * Each image is the one the single-plot function draws from the same
 * arguments (gnuplot is reset between plots, so that no setting leaks from
 * one to the next), with the same rules: a temporary name next to its
 * path, renamed into place when complete; strings escaped; SVG escaped.
 */
struct plot_batch;

/* An empty batch: plots queued to it are drawn by plot_batch_run, all in one gnuplot. */
struct plot_batch *plot_batch_new(void);

/*
 * Queue a plot: the same arguments and checks as the single-plot function
 * of the same name. What is given is copied, so the caller's arrays and
 * strings may go away. Returns 0, or -1 (error printed, nothing queued)
 * for bad arguments; nothing is drawn yet, and a directory that cannot be
 * written to is only found by plot_batch_run.
 */
int plot_batch_distribution(struct plot_batch *b, const char *path, enum plot_format f,
			    const char *title, const char *ylabel, const struct plot_side *a,
			    const struct plot_side *c, const char *note);
int plot_batch_history(struct plot_batch *b, const char *path, enum plot_format f,
		       const char *title, const char *ylabel, const struct plot_point *p, size_t n);
int plot_batch_bars(struct plot_batch *b, const char *path, enum plot_format f,
		    const char *title, const char *ylabel, const struct plot_bar *bars, size_t n);

/* Plots queued (0 for NULL). */
size_t plot_batch_size(const struct plot_batch *b);

/*
 * Draw every queued plot in one gnuplot run, in the order queued. Returns
 * the number of plots that could not be drawn (0: all of them), each one
 * reported by one error line that names its path, as the single-plot
 * functions do; the others are drawn all the same.
 *
 * gnuplot stops at the first error in its script, and a crash ends it: the
 * plots it completed before are kept (each image is closed, then marked
 * done), the one it was drawing fails with gnuplot's error line (or "gnuplot
 * killed by signal N"), and a new gnuplot run goes on with the plots after
 * it. So a batch costs one gnuplot run, plus one for each plot that breaks
 * gnuplot. Each plot gets PLOT_TIMEOUT_S from when the one before it was
 * done: one taking longer is stopped and fails the same way, without the
 * others' time being spent waiting for it. After a Ctrl-C (spawn.h) the
 * plots not drawn yet fail, and no new run is started. An output whose
 * directory cannot be written to fails before gnuplot starts. An empty
 * batch returns 0 without starting gnuplot. The batch keeps its plots:
 * running it again draws them again.
 */
int plot_batch_run(struct plot_batch *b);

/* Free the batch and its copies; plots never run are not drawn. NULL is allowed. */
void plot_batch_free(struct plot_batch *b);

/* Seconds gnuplot may take for one plot (each plot of a batch) before it is killed. */
#define PLOT_TIMEOUT_S 120

#endif
