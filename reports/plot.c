// SPDX-License-Identifier: GPL-2.0-only
/*
 * Plots through gnuplot: a script and its data files in a private
 * directory, gnuplot started through spawn.h, each image renamed into
 * place once gnuplot is done with it (see plot.h for the rules on strings).
 *
 * Every plot is drawn by a batch: the single-plot functions are batches of
 * one, so both ways share every line that draws. A batch is one script,
 * each plot's part ending with its image closed and a marker file written:
 * what is marked is complete, whatever happens to gnuplot afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "common/spawn.h"
#include "common/strbuf.h"
#include "common/strvec.h"
#include "reports/plot.h"

#define TIC_LABEL_MAX 32	/* characters of a tic label; longer ones are cut */
#define HISTORY_TICS_MAX 25	/* labelled runs; more and the rotated labels touch */
#define BARS_FLAT_CHARS 90	/* more label characters than this: rotate bar labels */
#define JITTER 0.3		/* width of a side's cloud of points, in x units */

#define COLOR_A "#1f77b4"
#define COLOR_B "#ff7f0e"
#define COLOR_REGRESSION "#d62728"

/* gnuplot prints this and a plot's index to stderr after the plot: where its messages end */
#define STDERR_MARK "pinbench-plot-done"

enum plot_kind { KIND_DISTRIBUTION, KIND_HISTORY, KIND_BARS };
enum plot_state { PLOT_PENDING, PLOT_DONE, PLOT_FAILED };

/* One plot of a batch: a copy of what the caller gave, then what drawing it takes. */
struct plot {
	enum plot_kind kind;
	enum plot_format format;
	const char *path, *title, *ylabel, *note;	/* in strs, or NULL */
	struct plot_side a, b;		/* distribution: values in va and vb */
	double *va, *vb;
	struct plot_point *p;		/* history: n runs, labels in strs */
	struct plot_bar *bars;		/* bars: n bars, labels in strs */
	size_t n;
	struct strvec strs;		/* every string above */

	/* set up by plot_batch_run */
	size_t id;			/* index in the batch: names data files and marker */
	const char *dir;		/* the batch's private directory */
	enum plot_state state;
	struct strbuf tmp;		/* gnuplot's output, next to path; empty once renamed */
	struct strbuf done;		/* marker file, written once the image is closed */
	struct strbuf script;		/* its commands, terminal to plot command */
	int nr_data;			/* data files written, to name the next one */
};

struct plot_batch {
	struct plot *plots;
	size_t nr, alloc;
};

/*
 * Length of the UTF-8 character at s, 0 when it is not one we pass on:
 * malformed, overlong, a surrogate, beyond U+10FFFF, a C1 control or one
 * of the non-characters XML forbids.
 */
static size_t utf8_len(const unsigned char *s)
{
	unsigned cp, n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	/* a NUL fails the continuation test, so this never reads past the string */
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f) ||
	    cp == 0xfffe || cp == 0xffff)
		return 0;
	return n;
}

/*
 * Append s as it may be shown: white-space controls become a space, other
 * controls are dropped, what is not UTF-8 becomes '?'. More than max
 * characters (0: no limit) are cut, ending in "...".
 */
static void add_clean(struct strbuf *sb, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t cut = sb->len, chars = 0, n;

	while (*p) {
		n = utf8_len(p);
		if (n == 1 && (*p < 0x20 || *p == 0x7f)) {
			int space = strchr("\t\n\v\f\r", *p) != NULL;

			p++;
			if (!space)
				continue;
			strbuf_addch(sb, ' ');
		} else if (!n) {
			strbuf_addch(sb, '?');
			p++;
		} else {
			strbuf_add(sb, p, n);
			p += n;
		}
		if (++chars + 3 == max)
			cut = sb->len;
	}
	if (max && chars > max) {
		strbuf_setlen(sb, cut);
		strbuf_addstr(sb, "...");
	}
}

/* Append s as a gnuplot string literal: in single quotes only '' is special. */
static void add_quoted(struct strbuf *sb, const char *s, size_t max)
{
	struct strbuf clean = STRBUF_INIT;
	const char *p;

	add_clean(&clean, s, max);
	strbuf_addch(sb, '\'');
	for (p = clean.buf; *p; p++) {
		if (*p == '\'')
			strbuf_addch(sb, '\'');
		strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '\'');
	strbuf_release(&clean);
}

/*
 * Append a file name as a gnuplot string literal. gnuplot reads a leading
 * '|' (output) or '<' (data) as a command to run and a leading '~' as the
 * home directory: a relative name gets "./" so that it is only a name.
 * Names with control characters are refused before they get here.
 */
static void add_quoted_path(struct strbuf *sb, const char *path)
{
	const char *p;

	strbuf_addch(sb, '\'');
	if (path[0] != '/')
		strbuf_addstr(sb, "./");
	for (p = path; *p; p++) {
		if (*p == '\'')
			strbuf_addch(sb, '\'');
		strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '\'');
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* Create path (it must not exist) with data as its content. */
static int write_new_file(const char *path, const struct strbuf *data)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int saved;

	if (fd < 0)
		return -1;
	if (write_all(fd, data->buf, data->len)) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return close(fd);
}

static void add_terminal(struct plot *pl)
{
	struct strbuf *s = &pl->script;

	if (pl->format == PLOT_SVG) {
		strbuf_addstr(s, "set terminal svg size 800,450 dynamic font 'sans,11' "
			      "background rgb 'white' noenhanced\n");
		return;
	}
	/* Debian's gnuplot-nox has cairo; a home-made build may not */
	strbuf_addstr(s, "if (strstrt(GPVAL_TERMINALS.' ', ' pngcairo ') > 0) {\n"
		      "\tset terminal pngcairo size 800,450 font 'sans,10' noenhanced\n"
		      "} else {\n"
		      "\tset terminal png size 800,450 noenhanced\n"
		      "}\n");
}

/*
 * Everything a plot needs before its own settings: the terminal, the
 * output's temporary name, title (with note as a second line) and y label.
 */
static void add_header(struct plot *pl)
{
	struct strbuf *s = &pl->script;

	strbuf_addstr(s, "set encoding utf8\n");
	add_terminal(pl);
	/* names from outside must never turn into sub- or superscripts */
	strbuf_addstr(s, "set termoption noenhanced\nset output ");
	add_quoted_path(s, pl->tmp.buf);
	strbuf_addstr(s, "\nset title ");
	add_quoted(s, pl->title, 0);
	if (pl->note && *pl->note) {
		strbuf_addstr(s, ".\"\\n\".");
		add_quoted(s, pl->note, 0);
	}
	strbuf_addstr(s, " noenhanced\nset ylabel ");
	add_quoted(s, pl->ylabel, 0);
	strbuf_addstr(s, " noenhanced\n"
		      "set border 3\nset tics nomirror\nset ytics noenhanced\n"
		      "set grid ytics lc rgb '#dddddd' lt 1\n"
		      "set xtics noenhanced scale 0.5\n");
}

/*
 * Write data into a new file of the private directory; its name goes to
 * name. The plot's index is in the name: a batch's plots share the directory.
 */
static int plot_add_data(struct plot *pl, const struct strbuf *data, struct strbuf *name)
{
	strbuf_addf(name, "%s/data%zu-%d.dat", pl->dir, pl->id, pl->nr_data++);
	if (write_new_file(name->buf, data))
		return error("cannot plot '%s': cannot write '%s': %s", pl->path, name->buf,
			     errstr());
	return 0;
}

/* The settings for a plot with nothing in it, and its one plot command. */
static void add_no_data(struct plot *pl)
{
	strbuf_addstr(&pl->script,
		      "unset xtics\nunset ytics\nunset grid\nunset key\n"
		      "set xrange [0:1]\nset yrange [0:1]\n"
		      "set label 'no data' at graph 0.5, graph 0.5 center font ',16'\n"
		      "plot NaN notitle\n");
}

/* Characters of a tic label as drawn: cleaned and cut to TIC_LABEL_MAX. */
static size_t label_chars(const char *label)
{
	struct strbuf clean = STRBUF_INIT;
	size_t i, n = 0;

	add_clean(&clean, label, TIC_LABEL_MAX);
	for (i = 0; i < clean.len; i++)
		n += ((unsigned char)clean.buf[i] & 0xc0) != 0x80;
	strbuf_release(&clean);
	return n;
}

/*
 * gnuplot makes room below for x tic labels rotated by 45 degrees, but
 * not on the left, where the first one runs off the image, and it keeps
 * room on the right they do not need: both margins from the longest
 * label (in character widths; sin 45 is about 3/4).
 */
static void add_rotated_margins(struct strbuf *s, size_t longest)
{
	size_t left = longest * 3 / 4 + 2;

	strbuf_addf(s, "set lmargin %zu\nset rmargin 4\n", left < 12 ? 12 : left);
}

/*
 * The line of gnuplot's messages that says what went wrong: the last one
 * with "line N:" (gnuplot stops at an error, so earlier ones are warnings;
 * what comes before it is the echoed command and a caret; the file name is
 * our temporary one), else the first one that is not a warning, else the
 * first one.
 */
static void gnuplot_error_line(const char *p, const char *end, struct strbuf *out)
{
	const char *eol, *line, *first = NULL, *other = NULL, *last = NULL;
	size_t first_len = 0, other_len = 0, last_len = 0;

	for (; p < end; p = eol < end ? eol + 1 : end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (p == eol || (eol - p == 1 && *p == '^'))
			continue;
		line = memmem(p, (size_t)(eol - p), "\" line ", 7);
		if (line) {
			last = line + 2, last_len = (size_t)(eol - line - 2);
			continue;
		}
		if (!first)
			first = p, first_len = (size_t)(eol - p);
		if (!other && !starts_with(p, "Warning"))
			other = p, other_len = (size_t)(eol - p);
	}
	if (last)
		strbuf_add(out, last, last_len);
	else if (other)
		strbuf_add(out, other, other_len);
	else if (first)
		strbuf_add(out, first, first_len);
}

/* The end of the markup that starts at s (a '<'): just after its '>', or end. */
static const char *markup_end(const char *s, const char *end)
{
	const char *close;
	char quote = 0;

	if (end - s >= 4 && !memcmp(s, "<!--", 4)) {
		close = memmem(s + 4, (size_t)(end - s - 4), "-->", 3);
		return close ? close + 3 : end;
	}
	if (end - s >= 9 && !memcmp(s, "<![CDATA[", 9)) {
		close = memmem(s + 9, (size_t)(end - s - 9), "]]>", 3);
		return close ? close + 3 : end;
	}
	for (s++; s < end; s++) {
		if (quote) {
			if (*s == quote)
				quote = 0;
		} else if (*s == '"' || *s == '\'') {
			quote = *s;
		} else if (*s == '>') {
			return s + 1;
		}
	}
	return end;
}

/*
 * gnuplot's svg terminal escapes < and & in text but writes > as it is:
 * well-formed XML, unless a label holds "]]>". Escape it in character data;
 * tags (with their quoted attributes), comments and CDATA are kept as they are.
 */
static void svg_escape_gt(const char *s, size_t len, struct strbuf *out)
{
	const char *end = s + len, *next;

	while (s < end) {
		if (*s == '>') {
			strbuf_addstr(out, "&gt;");
			s++;
			continue;
		}
		next = *s == '<' ? markup_end(s, end) : s + 1;
		strbuf_add(out, s, (size_t)(next - s));
		s = next;
	}
}

/* Make gnuplot's output final in place: SVG escaped, on disk before it is renamed. */
static int finish_output(struct plot *pl)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	int fd, ret = -1;

	if (pl->format == PLOT_SVG) {
		if (strbuf_read_file(&in, pl->tmp.buf, 0))
			goto out;
		svg_escape_gt(in.buf, in.len, &out);
		fd = open(pl->tmp.buf, O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (fd < 0)
			goto out;
		if (write_all(fd, out.buf, out.len)) {
			close(fd);
			goto out;
		}
	} else {
		fd = open(pl->tmp.buf, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			goto out;
	}
	if (fsync(fd)) {
		close(fd);
		goto out;
	}
	ret = close(fd);
out:
	if (ret)
		error("cannot plot '%s': cannot finish '%s': %s", pl->path, pl->tmp.buf,
		      errstr());
	strbuf_release(&in);
	strbuf_release(&out);
	return ret;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of the finite values; NAN when there is none. */
static double finite_median(const double *v, size_t n)
{
	double *s = xmalloc((n ? n : 1) * sizeof(*s)), m;
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (isfinite(v[i]))
			s[k++] = v[i];
	qsort(s, k, sizeof(*s), cmp_double);
	m = !k ? NAN : k % 2 ? s[k / 2] : (s[k / 2 - 1] + s[k / 2]) / 2;
	free(s);
	return m;
}

/*
 * A side's points around x: spread by the golden ratio rather than by
 * rand(), so that the same values give the same picture every time.
 */
static size_t side_points(const struct plot_side *side, double x, struct strbuf *data)
{
	size_t i, k = 0;
	double off;

	for (i = 0; i < side->n; i++) {
		if (!isfinite(side->v[i]))
			continue;
		off = fmod((double)k * 0.6180339887498949, 1.0) - 0.5;
		strbuf_addf(data, "%.17g %.17g\n", x + off * JITTER, side->v[i]);
		k++;
	}
	return k;
}

/* One side's part of the plot command; a side without values is named in the key only. */
static int add_side(struct plot *pl, const struct plot_side *side, double x, const char *color,
		    struct strbuf *cmd, struct strbuf *medians)
{
	struct strbuf data = STRBUF_INIT, name = STRBUF_INIT;
	double m = finite_median(side->v, side->n);
	int ret = 0;

	if (cmd->len)
		strbuf_addstr(cmd, ", \\\n\t");
	if (!side_points(side, x, &data)) {
		strbuf_addf(&pl->script, "set label 'no data' at first %g, graph 0.5 center\n", x);
		strbuf_addf(cmd, "NaN with points pt 7 lc rgb '%s' title ", color);
		add_quoted(cmd, side->name, 0);
		strbuf_addstr(cmd, " noenhanced");
		goto out;
	}
	strbuf_addf(medians, "%.17g %.17g %.17g 0\n", x - JITTER * 0.8, m, JITTER * 1.6);
	ret = plot_add_data(pl, &data, &name);
	if (ret)
		goto out;
	add_quoted_path(cmd, name.buf);
	strbuf_addf(cmd, " using 1:2 with points pt 7 ps 0.9 lc rgb '%s' title ", color);
	add_quoted(cmd, side->name, 0);
	strbuf_addstr(cmd, " noenhanced");
out:
	strbuf_release(&data);
	strbuf_release(&name);
	return ret;
}

static int add_distribution(struct plot *pl)
{
	struct strbuf cmd = STRBUF_INIT, medians = STRBUF_INIT, name = STRBUF_INIT;
	const struct plot_side *a = &pl->a, *b = &pl->b;
	int ret = -1;

	strbuf_addstr(&pl->script, "set xrange [0.4:2.6]\nset xtics noenhanced (");
	add_quoted(&pl->script, a->name, TIC_LABEL_MAX);
	strbuf_addstr(&pl->script, " 1, ");
	add_quoted(&pl->script, b->name, TIC_LABEL_MAX);
	strbuf_addstr(&pl->script, " 2)\n"
		      /* below: beside the plot, long kernel names would squeeze it */
		      "set key outside below center horizontal Left reverse noenhanced\n"
		      "set offsets 0, 0, graph 0.05, graph 0.05\n");
	if (add_side(pl, a, 1, COLOR_A, &cmd, &medians) ||
	    add_side(pl, b, 2, COLOR_B, &cmd, &medians))
		goto out;
	if (!medians.len) {
		/* no value on either side: gnuplot cannot autoscale nothing */
		strbuf_addstr(&pl->script, "set yrange [0:1]\nunset ytics\nunset grid\n");
		strbuf_addf(&pl->script, "plot %s\n", cmd.buf);
		ret = 0;
		goto out;
	}
	if (plot_add_data(pl, &medians, &name))
		goto out;
	/* the medians under the points, which would vanish if all were equal */
	strbuf_addstr(&pl->script, "plot ");
	add_quoted_path(&pl->script, name.buf);
	strbuf_addf(&pl->script, " using 1:2:3:4 with vectors nohead lw 2.5 lc rgb 'black' "
		    "notitle, \\\n\t%s, \\\n"
		    "\tkeyentry with lines lw 2.5 lc rgb 'black' title 'median'\n", cmd.buf);
	ret = 0;
out:
	strbuf_release(&cmd);
	strbuf_release(&medians);
	strbuf_release(&name);
	return ret;
}

/* Rotated run labels; with many runs only every step-th (the newest always) has text. */
static void history_tics(struct strbuf *s, const struct plot_point *p, size_t n)
{
	size_t i, step = (n + HISTORY_TICS_MAX - 1) / HISTORY_TICS_MAX, len, longest = 0;

	strbuf_addstr(s, "set xtics rotate by 45 right noenhanced (");
	for (i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(s, ", ");
		if ((n - 1 - i) % step) {
			/* level 1: a minor tic, so the run still has its mark */
			strbuf_addf(s, "'' %zu 1", i + 1);
			continue;
		}
		add_quoted(s, p[i].label, TIC_LABEL_MAX);
		strbuf_addf(s, " %zu", i + 1);
		len = label_chars(p[i].label);
		longest = len > longest ? len : longest;
	}
	strbuf_addstr(s, ")\n");
	add_rotated_margins(s, longest);
}

static int add_history(struct plot *pl)
{
	struct strbuf data = STRBUF_INIT, name = STRBUF_INIT;
	size_t i, drawn = 0, bars = 0, regressions = 0, n = pl->n;
	const struct plot_point *p = pl->p;
	int ret = -1;

	for (i = 0; i < n; i++) {
		int bar = isfinite(p[i].lo) && isfinite(p[i].hi);

		if (!isfinite(p[i].y))
			continue;
		/* gnuplot reads NaN as undefined: the bar of that run alone is not drawn */
		strbuf_addf(&data, "%zu %.17g ", i + 1, p[i].y);
		if (bar)
			strbuf_addf(&data, "%.17g %.17g", p[i].lo, p[i].hi);
		else
			strbuf_addstr(&data, "NaN NaN");
		strbuf_addf(&data, " %d\n", !!p[i].regression);
		drawn++;
		bars += bar;
		regressions += !!p[i].regression;
	}
	if (!drawn) {
		add_no_data(pl);
		ret = 0;
		goto out;
	}
	history_tics(&pl->script, p, n);
	strbuf_addf(&pl->script, "set xrange [0.5:%zu.5]\nset xlabel 'run (oldest first)'\n"
		    /* short entries in one row: two rows would run into the x label */
		    "set key outside below center horizontal Left reverse maxrows 1\n"
		    "set offsets 0, 0, graph 0.05, graph 0.05\n", n);
	if (plot_add_data(pl, &data, &name))
		goto out;
	/*
	 * Error bars first: gnuplot 5.4 puts a white disc at each bar's centre,
	 * which would hide the median drawn under it.
	 */
	strbuf_addstr(&pl->script, "plot ");
	if (bars) {
		add_quoted_path(&pl->script, name.buf);
		strbuf_addstr(&pl->script, " using 1:2:3:4 with yerrorbars pt 7 ps 0.8 "
			      "lc rgb '" COLOR_A "' title 'min..max', \\\n\t");
	}
	add_quoted_path(&pl->script, name.buf);
	strbuf_addstr(&pl->script, " using 1:2 with linespoints pt 7 ps 0.8 lw 1.5 "
		      "lc rgb '" COLOR_A "' title 'median'");
	if (regressions) {
		strbuf_addstr(&pl->script, ", \\\n\t");
		add_quoted_path(&pl->script, name.buf);
		strbuf_addstr(&pl->script, " using 1:($5 > 0 ? $2 : NaN) with points pt 7 ps 1.8 "
			      "lc rgb '" COLOR_REGRESSION "' title 'regression'");
	}
	strbuf_addch(&pl->script, '\n');
	ret = 0;
out:
	strbuf_release(&data);
	strbuf_release(&name);
	return ret;
}

/* Bar labels, rotated when they would not fit side by side. */
static void bar_tics(struct strbuf *s, const struct plot_bar *b, size_t n)
{
	size_t i, len, chars = 0, longest = 0;
	int rotate;

	for (i = 0; i < n; i++) {
		len = label_chars(b[i].label);
		chars += len;
		longest = len > longest ? len : longest;
	}
	rotate = chars + 2 * n > BARS_FLAT_CHARS;
	if (rotate)
		add_rotated_margins(s, longest);
	strbuf_addf(s, "set xtics %snoenhanced (", rotate ? "rotate by 45 right " : "");
	for (i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(s, ", ");
		add_quoted(s, b[i].label, TIC_LABEL_MAX);
		strbuf_addf(s, " %zu", i + 1);
	}
	strbuf_addstr(s, ")\n");
}

static int add_bars(struct plot *pl)
{
	struct strbuf data = STRBUF_INIT, name = STRBUF_INIT;
	size_t i, drawn = 0, up = 0, down = 0, n = pl->n;
	const struct plot_bar *b = pl->bars;
	int ret = -1;

	if (!n) {
		add_no_data(pl);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (!isfinite(b[i].value)) {
			strbuf_addf(&pl->script, "set label 'no data' at first %zu, first 0 "
				    "center offset 0, 1\n", i + 1);
			continue;
		}
		strbuf_addf(&data, "%zu %.17g\n", i + 1, b[i].value);
		drawn++;
		up += b[i].value >= 0;
		down += b[i].value < 0;
	}
	bar_tics(&pl->script, b, n);
	/* bars start at 0, so 0 is in the range; room beyond their ends for the values */
	strbuf_addf(&pl->script, "set xrange [0.4:%zu.6]\nset boxwidth 0.6\n"
		    "set style fill solid 0.75 border lc rgb 'black'\nunset key\n"
		    "set xzeroaxis lt -1\nset yrange [*<0:0<*]\n"
		    "set offsets 0, 0, graph %s, graph %s\n", n,
		    up ? "0.1" : "0", down ? "0.1" : "0");
	if (!drawn) {
		strbuf_addstr(&pl->script, "set yrange [0:1]\nunset ytics\nunset grid\n"
			      "plot NaN notitle\n");
		ret = 0;
		goto out;
	}
	if (plot_add_data(pl, &data, &name))
		goto out;
	strbuf_addstr(&pl->script, "plot ");
	add_quoted_path(&pl->script, name.buf);
	strbuf_addstr(&pl->script, " using 1:2 with boxes lc rgb '" COLOR_A "' notitle");
	/* a "with labels" clause without a point crashes gnuplot 5.4: only those with one */
	if (up)
		strbuf_addstr(&pl->script, ", \\\n\t'' using 1:($2 >= 0 ? $2 : NaN):"
			      "(sprintf('%.4g', $2)) with labels offset 0, 0.7 notitle");
	if (down)
		strbuf_addstr(&pl->script, ", \\\n\t'' using 1:($2 < 0 ? $2 : NaN):"
			      "(sprintf('%.4g', $2)) with labels offset 0, -0.7 notitle");
	strbuf_addch(&pl->script, '\n');
	ret = 0;
out:
	strbuf_release(&data);
	strbuf_release(&name);
	return ret;
}

struct plot_batch *plot_batch_new(void)
{
	return xcalloc(1, sizeof(struct plot_batch));
}

size_t plot_batch_size(const struct plot_batch *b)
{
	return b ? b->nr : 0;
}

static const char *keep_str(struct plot *pl, const char *s)
{
	if (!s)
		return NULL;
	strvec_push(&pl->strs, s);
	return pl->strs.v[pl->strs.nr - 1];
}

/* The checks on what every plot is given, before it is queued. */
static int check_output(const struct plot_batch *b, const char *path, enum plot_format f)
{
	if (!path || !*path)
		return error("cannot plot: no output file given");
	if (has_control(path))
		return error("cannot plot '%s': control characters in the file name", path);
	if (f != PLOT_SVG && f != PLOT_PNG)
		return error("cannot plot '%s': unknown image format %d", path, (int)f);
	if (!b)
		return error("cannot plot '%s': no batch to queue it to", path);
	return 0;
}

/* A new plot at the end of the batch, with copies of the strings all kinds have. */
static struct plot *batch_add(struct plot_batch *b, enum plot_kind kind, const char *path,
			      enum plot_format f, const char *title, const char *ylabel,
			      const char *note)
{
	struct plot *pl;

	if (b->nr == b->alloc) {
		b->alloc = b->alloc ? 2 * b->alloc : 16;
		b->plots = xrealloc(b->plots, b->alloc * sizeof(*b->plots));
	}
	pl = &b->plots[b->nr++];
	memset(pl, 0, sizeof(*pl));
	pl->strs = (struct strvec)STRVEC_INIT;
	strbuf_init(&pl->tmp, 0);
	strbuf_init(&pl->done, 0);
	strbuf_init(&pl->script, 0);
	pl->kind = kind;
	pl->format = f;
	pl->path = keep_str(pl, path);
	pl->title = keep_str(pl, title);
	pl->ylabel = keep_str(pl, ylabel);
	pl->note = keep_str(pl, note);
	return pl;
}

static double *copy_values(const double *v, size_t n)
{
	double *copy;

	if (!n)
		return NULL;
	copy = xmalloc(n * sizeof(*copy));
	memcpy(copy, v, n * sizeof(*copy));
	return copy;
}

int plot_batch_distribution(struct plot_batch *b, const char *path, enum plot_format f,
			    const char *title, const char *ylabel, const struct plot_side *a,
			    const struct plot_side *c, const char *note)
{
	struct plot *pl;

	if (check_output(b, path, f))
		return -1;
	if (!a || !c || (a->n && !a->v) || (c->n && !c->v))
		return error("cannot plot '%s': a side without its values", path);
	pl = batch_add(b, KIND_DISTRIBUTION, path, f, title, ylabel, note);
	pl->va = copy_values(a->v, a->n);
	pl->vb = copy_values(c->v, c->n);
	pl->a = (struct plot_side){ keep_str(pl, a->name), pl->va, a->n };
	pl->b = (struct plot_side){ keep_str(pl, c->name), pl->vb, c->n };
	return 0;
}

int plot_batch_history(struct plot_batch *b, const char *path, enum plot_format f,
		       const char *title, const char *ylabel, const struct plot_point *p, size_t n)
{
	struct plot *pl;
	size_t i;

	if (check_output(b, path, f))
		return -1;
	if (n && !p)
		return error("cannot plot '%s': %zu runs without their values", path, n);
	pl = batch_add(b, KIND_HISTORY, path, f, title, ylabel, NULL);
	pl->n = n;
	if (n) {
		pl->p = xmalloc(n * sizeof(*pl->p));
		for (i = 0; i < n; i++) {
			pl->p[i] = p[i];
			pl->p[i].label = keep_str(pl, p[i].label);
		}
	}
	return 0;
}

int plot_batch_bars(struct plot_batch *b, const char *path, enum plot_format f,
		    const char *title, const char *ylabel, const struct plot_bar *bars, size_t n)
{
	struct plot *pl;
	size_t i;

	if (check_output(b, path, f))
		return -1;
	if (n && !bars)
		return error("cannot plot '%s': %zu bars without their values", path, n);
	pl = batch_add(b, KIND_BARS, path, f, title, ylabel, NULL);
	pl->n = n;
	if (n) {
		pl->bars = xmalloc(n * sizeof(*pl->bars));
		for (i = 0; i < n; i++) {
			pl->bars[i] = bars[i];
			pl->bars[i].label = keep_str(pl, bars[i].label);
		}
	}
	return 0;
}

/* Give up on a plot: said once, naming its file, and nothing of it left behind. */
static void plot_fail(struct plot *pl, const char *why)
{
	if (why)
		error("cannot plot '%s': %s", pl->path, why);
	if (pl->tmp.len)
		unlink(pl->tmp.buf);
	strbuf_reset(&pl->tmp);
	pl->state = PLOT_FAILED;
}

/* Every plot still pending from start on fails for the same reason. */
static void fail_pending(struct plot_batch *b, size_t start, const char *why)
{
	size_t i;

	for (i = start; i < b->nr; i++)
		if (b->plots[i].state == PLOT_PENDING)
			plot_fail(&b->plots[i], why);
}

/*
 * The output's temporary name next to path (a directory we cannot write to
 * is the likeliest failure, found here before gnuplot starts), then the
 * plot's data files and commands. Errors are printed.
 */
static int plot_prepare(struct plot *pl, size_t id, const char *dir)
{
	int fd;

	pl->id = id;
	pl->dir = dir;
	pl->state = PLOT_PENDING;
	pl->nr_data = 0;
	strbuf_reset(&pl->script);
	strbuf_reset(&pl->done);
	strbuf_addf(&pl->done, "%s/done%zu", dir, id);
	strbuf_addf(&pl->tmp, "%s.tmp.XXXXXX", pl->path);
	fd = mkstemp(pl->tmp.buf);
	if (fd < 0) {
		strbuf_reset(&pl->tmp);
		return error("cannot plot '%s': %s", pl->path, errstr());
	}
	/* mkstemp's 0600 would stay: gnuplot truncates the file, keeping its mode */
	if (fchmod(fd, 0644) || close(fd))
		return error("cannot plot '%s': %s", pl->path, errstr());
	add_header(pl);
	switch (pl->kind) {
	case KIND_DISTRIBUTION:
		return add_distribution(pl);
	case KIND_HISTORY:
		return add_history(pl);
	case KIND_BARS:
		return add_bars(pl);
	}
	return error("cannot plot '%s': unknown kind of plot", pl->path);
}

/*
 * A plot's part of the script: the image is closed before the marker file
 * is written, so a marked image is complete even if gnuplot dies later.
 */
static void add_to_script(struct strbuf *s, const struct plot *pl, int first)
{
	/* terminal and output are set anew by every plot, everything else must not leak */
	if (!first)
		strbuf_addstr(s, "reset\n");
	strbuf_addbuf(s, &pl->script);
	strbuf_addstr(s, "unset output\nset print ");
	add_quoted_path(s, pl->done.buf);
	strbuf_addf(s, "\nprint %zu\nunset print\nprint '" STDERR_MARK " %zu'\n", pl->id,
		    pl->id);
}

static int plot_marked(const struct plot *pl)
{
	return path_exists(pl->done.buf);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Every plot of a run gets PLOT_TIMEOUT_S from the moment the one before
 * it was marked: one that hangs is stopped without waiting for the time
 * all the others might have taken, and the rest are drawn by the next run.
 */
struct watch {
	struct child *c;
	struct plot_batch *b;
	size_t next;		/* the plot being drawn */
	double since;		/* when it was started on */
	int timed_out;
};

static void watch_tick(void *data)
{
	struct watch *w = data;
	double now = now_s();

	while (w->next < w->b->nr && (w->b->plots[w->next].state != PLOT_PENDING ||
				      plot_marked(&w->b->plots[w->next]))) {
		w->next++;
		w->since = now;
	}
	if (w->next < w->b->nr && now - w->since > PLOT_TIMEOUT_S && !w->c->stop) {
		w->timed_out = 1;
		w->c->stop = 1;
	}
}

/*
 * What gnuplot printed for one plot: after the marker of the plot before
 * it in the run (prev, or from the start), up to its own marker if any.
 */
static void plot_messages(const struct strbuf *err, const struct plot *prev,
			  const struct plot *pl, const char **start, const char **end)
{
	struct strbuf mark = STRBUF_INIT;
	const char *from = err->buf, *p;
	int i;

	*start = err->buf;
	*end = err->buf + err->len;
	for (i = 0; i < 2; i++) {
		const struct plot *which = i ? pl : prev;

		if (!which)
			continue;
		strbuf_reset(&mark);
		strbuf_addf(&mark, STDERR_MARK " %zu\n", which->id);
		/* a whole line: an echoed command has it inside quotes, never at its start */
		for (p = from; (p = strstr(p, mark.buf)); p += mark.len)
			if (p == err->buf || p[-1] == '\n')
				break;
		if (!p)
			continue;
		if (i) {
			*end = p;
		} else {
			*start = p + mark.len;
			from = *start;
		}
	}
	strbuf_release(&mark);
}

/* "gnuplot wrote nothing", and what it said about the plot when it said something. */
static void wrote_nothing(const char *start, const char *end, struct strbuf *why)
{
	struct strbuf line = STRBUF_INIT;

	gnuplot_error_line(start, end, &line);
	strbuf_addf(why, "gnuplot wrote nothing%s%s", line.len ? ": " : "", line.buf);
	strbuf_release(&line);
}

/* Why gnuplot did not finish pl, the first plot of the run it left unmarked. */
static void run_failure(const struct child *c, const struct watch *w, const struct plot *prev,
			const struct plot *pl, struct strbuf *why)
{
	const char *start, *end;

	plot_messages(&c->err, prev, pl, &start, &end);
	if (w->timed_out) {
		strbuf_addf(why, "gnuplot timed out after %d s", PLOT_TIMEOUT_S);
	} else if (!c->timed_out && !c->interrupted && !c->status) {
		wrote_nothing(start, end, why);
	} else if (!c->timed_out && !c->interrupted && c->status < 128) {
		/* after a crash, what it printed before (a warning) is not why */
		gnuplot_error_line(start, end, why);
	}
	if (!why->len) {
		strbuf_addstr(why, "gnuplot ");
		spawn_describe(c, why);
	}
}

/* Make a marked plot's image final: checked, escaped, on disk, renamed into place. */
static void plot_finish(struct plot *pl, const struct child *c, const struct plot *prev)
{
	struct strbuf why = STRBUF_INIT;
	const char *start, *end;
	struct stat st;

	if (stat(pl->tmp.buf, &st) || !st.st_size) {
		plot_messages(&c->err, prev, pl, &start, &end);
		wrote_nothing(start, end, &why);
		plot_fail(pl, why.buf);
	} else if (finish_output(pl)) {
		plot_fail(pl, NULL);
	} else if (rename(pl->tmp.buf, pl->path)) {
		strbuf_addf(&why, "cannot rename '%s': %s", pl->tmp.buf, errstr());
		plot_fail(pl, why.buf);
	} else {
		strbuf_reset(&pl->tmp);
		pl->state = PLOT_DONE;
	}
	strbuf_release(&why);
}

/*
 * One gnuplot run for the pending plots from start on. Those it marked are
 * finished; the first it did not mark has failed, and the index after it
 * is returned for the next run to go on from (b->nr when nothing is left).
 */
static size_t run_from(struct plot_batch *b, const char *dir, size_t start)
{
	struct strbuf script = STRBUF_INIT, name = STRBUF_INIT, why = STRBUF_INIT;
	struct child c = CHILD_INIT;
	struct watch w = { .c = &c, .b = b, .next = start };
	const struct plot *prev = NULL;
	size_t i, count = 0, next = b->nr;
	struct plot *pl;

	for (i = start; i < b->nr; i++) {
		if (b->plots[i].state != PLOT_PENDING)
			continue;
		/* a marker must be this run's: gnuplot may have died before getting here */
		unlink(b->plots[i].done.buf);
		add_to_script(&script, &b->plots[i], !count++);
	}
	strbuf_addf(&name, "%s/plot%zu.gp", dir, start);
	if (write_new_file(name.buf, &script)) {
		strbuf_addf(&why, "cannot write '%s': %s", name.buf, errstr());
		fail_pending(b, start, why.buf);
		goto out;
	}

	/* --default-settings: no ~/.gnuplot or system gnuplotrc changes the picture */
	strvec_pushl(&c.args, "gnuplot", "--default-settings", name.buf, NULL);
	c.flags = SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	/* a backstop: watch_tick stops a plot that takes longer than PLOT_TIMEOUT_S */
	c.timeout_ms = count > UINT_MAX / (PLOT_TIMEOUT_S * 1000u) ? UINT_MAX :
		       (unsigned)count * PLOT_TIMEOUT_S * 1000u;
	/* room for every plot's marker and a few lines of its own */
	c.capture_limit = (64 << 10) + count * 1024;
	c.on_tick = watch_tick;
	c.cb_data = &w;
	w.since = now_s();
	if (spawn_run(&c)) {
		if (errno == ENOENT)
			strbuf_addstr(&why, "gnuplot not found: install it with "
				      "'apt-get install gnuplot-nox'");
		else
			strbuf_addf(&why, "cannot start gnuplot: %s", errstr());
		fail_pending(b, start, why.buf);
		goto out;
	}

	for (i = start; i < b->nr; i++) {
		pl = &b->plots[i];
		if (pl->state != PLOT_PENDING)
			continue;
		if (plot_marked(pl)) {
			plot_finish(pl, &c, prev);
			prev = pl;
			continue;
		}
		run_failure(&c, &w, prev, pl, &why);
		/* a Ctrl-C ends the batch, not just the plot it came during */
		if (c.interrupted) {
			fail_pending(b, i, why.buf);
		} else {
			plot_fail(pl, why.buf);
			next = i + 1;
		}
		break;
	}
out:
	strbuf_release(&script);
	strbuf_release(&name);
	strbuf_release(&why);
	child_release(&c);
	return next;
}

/* The first plot still to draw from i on; b->nr when there is none. */
static size_t next_pending(const struct plot_batch *b, size_t i)
{
	while (i < b->nr && b->plots[i].state != PLOT_PENDING)
		i++;
	return i;
}

int plot_batch_run(struct plot_batch *b)
{
	const char *tmpdir = getenv("TMPDIR");
	struct strbuf dir = STRBUF_INIT, why = STRBUF_INIT;
	size_t i, start = 0, failed = 0;

	if (!b || !b->nr)
		return 0;
	if (!tmpdir || tmpdir[0] != '/' || has_control(tmpdir))
		tmpdir = "/tmp";
	for (i = 0; i < b->nr; i++)
		b->plots[i].state = PLOT_PENDING;
	strbuf_addf(&dir, "%s/pinbench-plot.XXXXXX", tmpdir);
	if (!mkdtemp(dir.buf)) {
		strbuf_addf(&why, "cannot create a directory in '%s': %s", tmpdir, errstr());
		strbuf_reset(&dir);
		fail_pending(b, 0, why.buf);
		goto out;
	}
	for (i = 0; i < b->nr; i++)
		if (plot_prepare(&b->plots[i], i, dir.buf))
			plot_fail(&b->plots[i], NULL);
	/* each run draws at least one plot or gives up on one: this ends */
	while ((start = next_pending(b, start)) < b->nr)
		start = run_from(b, dir.buf, start);
out:
	for (i = 0; i < b->nr; i++) {
		failed += b->plots[i].state != PLOT_DONE;
		b->plots[i].dir = NULL;
	}
	if (dir.len)
		remove_tree(dir.buf);
	strbuf_release(&dir);
	strbuf_release(&why);
	return failed > INT_MAX ? INT_MAX : (int)failed;
}

static void plot_clear(struct plot *pl)
{
	if (pl->tmp.len)
		unlink(pl->tmp.buf);
	strbuf_release(&pl->tmp);
	strbuf_release(&pl->done);
	strbuf_release(&pl->script);
	strvec_clear(&pl->strs);
	free(pl->va);
	free(pl->vb);
	free(pl->p);
	free(pl->bars);
}

void plot_batch_free(struct plot_batch *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->nr; i++)
		plot_clear(&b->plots[i]);
	free(b->plots);
	free(b);
}

/* A plot on its own is a batch of one: queued (ret is how that went), then drawn. */
static int draw_alone(struct plot_batch *b, int ret)
{
	if (!ret && plot_batch_run(b))
		ret = -1;
	plot_batch_free(b);
	return ret;
}

int plot_distribution(const char *path, enum plot_format f, const char *title,
		      const char *ylabel, const struct plot_side *a, const struct plot_side *b,
		      const char *note)
{
	struct plot_batch *batch = plot_batch_new();

	return draw_alone(batch, plot_batch_distribution(batch, path, f, title, ylabel, a, b,
							 note));
}

int plot_history(const char *path, enum plot_format f, const char *title, const char *ylabel,
		 const struct plot_point *p, size_t n)
{
	struct plot_batch *batch = plot_batch_new();

	return draw_alone(batch, plot_batch_history(batch, path, f, title, ylabel, p, n));
}

int plot_bars(const char *path, enum plot_format f, const char *title, const char *ylabel,
	      const struct plot_bar *b, size_t n)
{
	struct plot_batch *batch = plot_batch_new();

	return draw_alone(batch, plot_batch_bars(batch, path, f, title, ylabel, b, n));
}
