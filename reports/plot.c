// SPDX-License-Identifier: GPL-2.0-only
/*
 * Plots through gnuplot: a script and its data files in a private
 * directory, gnuplot started through spawn.h, the image renamed into place
 * once gnuplot is done with it (see plot.h for the rules on strings).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "common/spawn.h"
#include "common/strbuf.h"
#include "reports/plot.h"

#define TIC_LABEL_MAX 32	/* characters of a tic label; longer ones are cut */
#define HISTORY_TICS_MAX 25	/* labelled runs; more and the rotated labels touch */
#define BARS_FLAT_CHARS 90	/* more label characters than this: rotate bar labels */
#define JITTER 0.3		/* width of a side's cloud of points, in x units */

#define COLOR_A "#1f77b4"
#define COLOR_B "#ff7f0e"
#define COLOR_REGRESSION "#d62728"

struct plot {
	const char *path;
	enum plot_format format;
	struct strbuf tmp;	/* gnuplot's output, next to path; empty once renamed */
	struct strbuf dir;	/* private directory for the script and data files */
	struct strbuf script;
	int nr_data;		/* data files written, to name the next one */
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

static void plot_release(struct plot *pl)
{
	if (pl->tmp.len)
		unlink(pl->tmp.buf);
	if (pl->dir.len)
		remove_tree(pl->dir.buf);
	strbuf_release(&pl->tmp);
	strbuf_release(&pl->dir);
	strbuf_release(&pl->script);
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
 * Everything a plot needs before its own settings: the output's temporary
 * name next to path (made first: a directory we cannot write to is the
 * likeliest failure, and nothing has to be undone then), the private
 * directory, the terminal, title (with note as a second line) and y label.
 */
static int plot_begin(struct plot *pl, const char *path, enum plot_format f,
		      const char *title, const char *note, const char *ylabel)
{
	const char *tmpdir = getenv("TMPDIR");
	struct strbuf *s = &pl->script;
	int fd;

	memset(pl, 0, sizeof(*pl));
	strbuf_init(&pl->tmp, 0);
	strbuf_init(&pl->dir, 0);
	strbuf_init(&pl->script, 0);
	pl->path = path;
	pl->format = f;
	if (!path || !*path)
		return error("cannot plot: no output file given");
	if (has_control(path))
		return error("cannot plot '%s': control characters in the file name", path);
	if (f != PLOT_SVG && f != PLOT_PNG)
		return error("cannot plot '%s': unknown image format %d", path, (int)f);
	if (!tmpdir || tmpdir[0] != '/' || has_control(tmpdir))
		tmpdir = "/tmp";

	strbuf_addf(&pl->tmp, "%s.tmp.XXXXXX", path);
	fd = mkstemp(pl->tmp.buf);
	if (fd < 0) {
		strbuf_reset(&pl->tmp);
		return error("cannot plot '%s': %s", path, errstr());
	}
	/* mkstemp's 0600 would stay: gnuplot truncates the file, keeping its mode */
	if (fchmod(fd, 0644) || close(fd))
		return error("cannot plot '%s': %s", path, errstr());
	strbuf_addf(&pl->dir, "%s/pinbench-plot.XXXXXX", tmpdir);
	if (!mkdtemp(pl->dir.buf)) {
		error("cannot plot '%s': cannot create a directory in '%s': %s", path, tmpdir,
		      errstr());
		strbuf_reset(&pl->dir);
		return -1;
	}

	strbuf_addstr(s, "set encoding utf8\n");
	add_terminal(pl);
	/* names from outside must never turn into sub- or superscripts */
	strbuf_addstr(s, "set termoption noenhanced\nset output ");
	add_quoted_path(s, pl->tmp.buf);
	strbuf_addstr(s, "\nset title ");
	add_quoted(s, title, 0);
	if (note && *note) {
		strbuf_addstr(s, ".\"\\n\".");
		add_quoted(s, note, 0);
	}
	strbuf_addstr(s, " noenhanced\nset ylabel ");
	add_quoted(s, ylabel, 0);
	strbuf_addstr(s, " noenhanced\n"
		      "set border 3\nset tics nomirror\nset ytics noenhanced\n"
		      "set grid ytics lc rgb '#dddddd' lt 1\n"
		      "set xtics noenhanced scale 0.5\n");
	return 0;
}

/* Write data into a new file of the private directory; its name goes to name. */
static int plot_add_data(struct plot *pl, const struct strbuf *data, struct strbuf *name)
{
	strbuf_addf(name, "%s/data%d.dat", pl->dir.buf, pl->nr_data++);
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
 * The line of gnuplot's stderr that says what went wrong: the one with
 * "line N:" (what comes before it is the echoed command and a caret; the
 * file name is our temporary one), else the first one that is not a
 * warning, else the first one.
 */
static void gnuplot_error_line(const struct strbuf *err, struct strbuf *out)
{
	const char *p = err->buf, *eol, *line, *first = NULL, *other = NULL;
	size_t first_len = 0, other_len = 0;

	for (; *p; p = *eol ? eol + 1 : eol) {
		eol = strchrnul(p, '\n');
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (p == eol || (eol - p == 1 && *p == '^'))
			continue;
		line = memmem(p, (size_t)(eol - p), "\" line ", 7);
		if (line) {
			strbuf_add(out, line + 2, (size_t)(eol - line - 2));
			return;
		}
		if (!first)
			first = p, first_len = (size_t)(eol - p);
		if (!other && !starts_with(p, "Warning"))
			other = p, other_len = (size_t)(eol - p);
	}
	if (other)
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

static int run_gnuplot(struct plot *pl, const char *script)
{
	struct child c = CHILD_INIT;
	struct strbuf why = STRBUF_INIT;
	struct stat st;
	int ret = 0;

	/* --default-settings: no ~/.gnuplot or system gnuplotrc changes the picture */
	strvec_pushl(&c.args, "gnuplot", "--default-settings", script, NULL);
	c.flags = SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	c.timeout_ms = PLOT_TIMEOUT_S * 1000;
	c.capture_limit = 64 << 10;
	if (spawn_run(&c)) {
		if (errno == ENOENT)
			ret = error("cannot plot '%s': gnuplot not found: install it with "
				    "'apt-get install gnuplot-nox'", pl->path);
		else
			ret = error("cannot plot '%s': cannot start gnuplot: %s", pl->path,
				    errstr());
	} else if (c.status || c.timed_out || c.interrupted) {
		/* after a crash, what it printed before (a warning) is not why */
		if (!c.timed_out && !c.interrupted && c.status < 128)
			gnuplot_error_line(&c.err, &why);
		if (!why.len) {
			strbuf_addstr(&why, "gnuplot ");
			spawn_describe(&c, &why);
		}
		ret = error("cannot plot '%s': %s", pl->path, why.buf);
	} else if (stat(pl->tmp.buf, &st) || !st.st_size) {
		gnuplot_error_line(&c.err, &why);
		ret = error("cannot plot '%s': gnuplot wrote nothing%s%s", pl->path,
			    why.len ? ": " : "", why.buf);
	}
	strbuf_release(&why);
	child_release(&c);
	return ret;
}

/* Run the script; on success the image is at pl->path. Releases pl either way. */
static int plot_finish(struct plot *pl)
{
	struct strbuf script = STRBUF_INIT;
	int ret = -1;

	strbuf_addf(&script, "%s/plot.gp", pl->dir.buf);
	if (write_new_file(script.buf, &pl->script)) {
		error("cannot plot '%s': cannot write '%s': %s", pl->path, script.buf, errstr());
		goto out;
	}
	if (run_gnuplot(pl, script.buf) || finish_output(pl))
		goto out;
	if (rename(pl->tmp.buf, pl->path)) {
		error("cannot plot '%s': cannot rename '%s': %s", pl->path, pl->tmp.buf,
		      errstr());
		goto out;
	}
	strbuf_reset(&pl->tmp);
	ret = 0;
out:
	strbuf_release(&script);
	plot_release(pl);
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

int plot_distribution(const char *path, enum plot_format f, const char *title,
		      const char *ylabel, const struct plot_side *a, const struct plot_side *b,
		      const char *note)
{
	struct strbuf cmd = STRBUF_INIT, medians = STRBUF_INIT, name = STRBUF_INIT;
	struct plot pl;
	int ret = -1;

	if (plot_begin(&pl, path, f, title, note, ylabel))
		goto out;
	if (!a || !b || (a->n && !a->v) || (b->n && !b->v)) {
		error("cannot plot '%s': a side without its values", path);
		goto out;
	}
	strbuf_addstr(&pl.script, "set xrange [0.4:2.6]\nset xtics noenhanced (");
	add_quoted(&pl.script, a->name, TIC_LABEL_MAX);
	strbuf_addstr(&pl.script, " 1, ");
	add_quoted(&pl.script, b->name, TIC_LABEL_MAX);
	strbuf_addstr(&pl.script, " 2)\n"
		      /* below: beside the plot, long kernel names would squeeze it */
		      "set key outside below center horizontal Left reverse noenhanced\n"
		      "set offsets 0, 0, graph 0.05, graph 0.05\n");
	if (add_side(&pl, a, 1, COLOR_A, &cmd, &medians) ||
	    add_side(&pl, b, 2, COLOR_B, &cmd, &medians))
		goto out;
	if (!medians.len) {
		/* no value on either side: gnuplot cannot autoscale nothing */
		strbuf_addstr(&pl.script, "set yrange [0:1]\nunset ytics\nunset grid\n");
		strbuf_addf(&pl.script, "plot %s\n", cmd.buf);
		ret = plot_finish(&pl);
		goto out;
	}
	if (plot_add_data(&pl, &medians, &name))
		goto out;
	/* the medians under the points, which would vanish if all were equal */
	strbuf_addstr(&pl.script, "plot ");
	add_quoted_path(&pl.script, name.buf);
	strbuf_addf(&pl.script, " using 1:2:3:4 with vectors nohead lw 2.5 lc rgb 'black' "
		    "notitle, \\\n\t%s, \\\n"
		    "\tkeyentry with lines lw 2.5 lc rgb 'black' title 'median'\n", cmd.buf);
	ret = plot_finish(&pl);
out:
	if (ret)
		plot_release(&pl);
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

int plot_history(const char *path, enum plot_format f, const char *title, const char *ylabel,
		 const struct plot_point *p, size_t n)
{
	struct strbuf data = STRBUF_INIT, name = STRBUF_INIT;
	size_t i, drawn = 0, bars = 0, regressions = 0;
	struct plot pl;
	int ret = -1;

	if (plot_begin(&pl, path, f, title, NULL, ylabel))
		goto out;
	if (n && !p) {
		error("cannot plot '%s': %zu runs without their values", path, n);
		goto out;
	}
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
		add_no_data(&pl);
		ret = plot_finish(&pl);
		goto out;
	}
	history_tics(&pl.script, p, n);
	strbuf_addf(&pl.script, "set xrange [0.5:%zu.5]\nset xlabel 'run (oldest first)'\n"
		    /* short entries in one row: two rows would run into the x label */
		    "set key outside below center horizontal Left reverse maxrows 1\n"
		    "set offsets 0, 0, graph 0.05, graph 0.05\n", n);
	if (plot_add_data(&pl, &data, &name))
		goto out;
	/*
	 * Error bars first: gnuplot 5.4 puts a white disc at each bar's centre,
	 * which would hide the median drawn under it.
	 */
	strbuf_addstr(&pl.script, "plot ");
	if (bars) {
		add_quoted_path(&pl.script, name.buf);
		strbuf_addstr(&pl.script, " using 1:2:3:4 with yerrorbars pt 7 ps 0.8 "
			      "lc rgb '" COLOR_A "' title 'min..max', \\\n\t");
	}
	add_quoted_path(&pl.script, name.buf);
	strbuf_addstr(&pl.script, " using 1:2 with linespoints pt 7 ps 0.8 lw 1.5 "
		      "lc rgb '" COLOR_A "' title 'median'");
	if (regressions) {
		strbuf_addstr(&pl.script, ", \\\n\t");
		add_quoted_path(&pl.script, name.buf);
		strbuf_addstr(&pl.script, " using 1:($5 > 0 ? $2 : NaN) with points pt 7 ps 1.8 "
			      "lc rgb '" COLOR_REGRESSION "' title 'regression'");
	}
	strbuf_addch(&pl.script, '\n');
	ret = plot_finish(&pl);
out:
	if (ret)
		plot_release(&pl);
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

int plot_bars(const char *path, enum plot_format f, const char *title, const char *ylabel,
	      const struct plot_bar *b, size_t n)
{
	struct strbuf data = STRBUF_INIT, name = STRBUF_INIT;
	size_t i, drawn = 0, up = 0, down = 0;
	struct plot pl;
	int ret = -1;

	if (plot_begin(&pl, path, f, title, NULL, ylabel))
		goto out;
	if (n && !b) {
		error("cannot plot '%s': %zu bars without their values", path, n);
		goto out;
	}
	if (!n) {
		add_no_data(&pl);
		ret = plot_finish(&pl);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!isfinite(b[i].value)) {
			strbuf_addf(&pl.script, "set label 'no data' at first %zu, first 0 "
				    "center offset 0, 1\n", i + 1);
			continue;
		}
		strbuf_addf(&data, "%zu %.17g\n", i + 1, b[i].value);
		drawn++;
		up += b[i].value >= 0;
		down += b[i].value < 0;
	}
	bar_tics(&pl.script, b, n);
	/* bars start at 0, so 0 is in the range; room beyond their ends for the values */
	strbuf_addf(&pl.script, "set xrange [0.4:%zu.6]\nset boxwidth 0.6\n"
		    "set style fill solid 0.75 border lc rgb 'black'\nunset key\n"
		    "set xzeroaxis lt -1\nset yrange [*<0:0<*]\n"
		    "set offsets 0, 0, graph %s, graph %s\n", n,
		    up ? "0.1" : "0", down ? "0.1" : "0");
	if (!drawn) {
		strbuf_addstr(&pl.script, "set yrange [0:1]\nunset ytics\nunset grid\n"
			      "plot NaN notitle\n");
		ret = plot_finish(&pl);
		goto out;
	}
	if (plot_add_data(&pl, &data, &name))
		goto out;
	strbuf_addstr(&pl.script, "plot ");
	add_quoted_path(&pl.script, name.buf);
	strbuf_addstr(&pl.script, " using 1:2 with boxes lc rgb '" COLOR_A "' notitle");
	/* a "with labels" clause without a point crashes gnuplot 5.4: only those with one */
	if (up)
		strbuf_addstr(&pl.script, ", \\\n\t'' using 1:($2 >= 0 ? $2 : NaN):"
			      "(sprintf('%.4g', $2)) with labels offset 0, 0.7 notitle");
	if (down)
		strbuf_addstr(&pl.script, ", \\\n\t'' using 1:($2 < 0 ? $2 : NaN):"
			      "(sprintf('%.4g', $2)) with labels offset 0, -0.7 notitle");
	strbuf_addch(&pl.script, '\n');
	ret = plot_finish(&pl);
out:
	if (ret)
		plot_release(&pl);
	strbuf_release(&data);
	strbuf_release(&name);
	return ret;
}
