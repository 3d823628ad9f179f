// SPDX-License-Identifier: GPL-2.0-only
/*
 * Plots drawn by the real gnuplot: every kind as SVG (checked by xmllint
 * and for its text) and PNG (signature and IHDR), hostile labels, empty
 * data, a directory that cannot be written, a gnuplot that fails or is
 * missing, and no temporary file left anywhere. Then batches: many plots
 * by one gnuplot, each the same as on its own, and the plots around one
 * that breaks gnuplot still drawn.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/spawn.h"
#include "common/strbuf.h"
#include "reports/plot.h"
#include "tests/tap.h"

#define HOSTILE_SCRIPT "<script>alert(1)</script>"
#define HOSTILE_IMG "\"><img src=x onerror=alert(1)>"

static char *dir, *tmpdir;

static const char *out_path(const char *name)
{
	static struct strbuf sb = STRBUF_INIT;

	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/%s", dir, name);
	return sb.buf;
}

static char *slurp(const char *path)
{
	struct strbuf sb = STRBUF_INIT;

	if (strbuf_read_file(&sb, path, 0)) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

static int xml_well_formed(const char *path)
{
	struct child c = CHILD_INIT;
	int good;

	strvec_pushl(&c.args, "xmllint", "--noout", path, NULL);
	c.flags = SPAWN_CAPTURE_STDERR;
	c.timeout_ms = 30000;
	good = !spawn_run(&c) && c.status == 0;
	if (!good)
		printf("#   xmllint: %s\n", c.err.buf);
	child_release(&c);
	return good;
}

static unsigned long be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | p[2] << 8 | p[3];
}

/* PNG signature, then IHDR first with a non-zero width and height. */
static int png_ok(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	const unsigned char *p;
	int good;

	if (strbuf_read_file(&sb, path, 0) || sb.len < 24) {
		strbuf_release(&sb);
		return 0;
	}
	p = (const unsigned char *)sb.buf;
	good = !memcmp(p, "\x89PNG\r\n\x1a\n", 8) && be32(p + 8) == 13 &&
	       !memcmp(p + 12, "IHDR", 4) && be32(p + 16) > 0 && be32(p + 20) > 0;
	if (good)
		printf("# %s: %lux%lu\n", path, be32(p + 16), be32(p + 20));
	strbuf_release(&sb);
	return good;
}

/* like(), without printing the whole SVG when it fails */
#define has(svg, needle, name) do { \
	if (!ok((svg) && strstr((svg), (needle)), name)) \
		printf("#   no '%s' in it\n", (needle)); \
} while (0)

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;

	while (s && (s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* Entries of a directory whose name contains needle ("" for all). */
static size_t entries(const char *path, const char *needle)
{
	DIR *d = opendir(path);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strstr(e->d_name, needle))
			n++;
	closedir(d);
	return n;
}

/* The SVG's text, checked for what every plot must show and never show. */
static char *check_svg(const char *name, const char *what)
{
	struct strbuf msg = STRBUF_INIT;
	char *svg = slurp(out_path(name));

	strbuf_addf(&msg, "%s: SVG written", what);
	ok(svg, msg.buf);
	strbuf_reset(&msg);
	strbuf_addf(&msg, "%s: SVG is well-formed XML (xmllint)", what);
	ok(xml_well_formed(out_path(name)), msg.buf);
	strbuf_reset(&msg);
	strbuf_addf(&msg, "%s: no raw markup from a label", what);
	ok(svg && !strstr(svg, "<script") && !strstr(svg, "<img"), msg.buf);
	strbuf_release(&msg);
	return svg;
}

static void test_distribution(void)
{
	const double a[] = { 1012, 1020, 998, NAN, 1005, 1017 };
	const double b[] = { 940, 951, 937, 944 };
	struct plot_side sa = { "6.12.0 baseline", a, 6 };
	struct plot_side sb = { "6.12.0+patch " HOSTILE_SCRIPT, b, 4 };
	const char *title = "randread-4k@nvme:vfat: fio.read.iops ^_@{} a'b";
	char *svg;

	is_int(plot_distribution(out_path("dist.svg"), PLOT_SVG, title, "IOPS (IO/s)", &sa, &sb,
				 "ratio 0.93, 95% CI 0.90-0.96"), 0, "distribution: SVG drawn");
	svg = check_svg("dist.svg", "distribution");
	has(svg, "randread-4k@nvme:vfat: fio.read.iops ^_@{} a'b",
	     "distribution: the title, enhanced-text characters and the quote literal");
	has(svg, "ratio 0.93, 95% CI 0.90-0.96", "distribution: the note under the title");
	has(svg, "IOPS (IO/s)", "distribution: the y label with its unit");
	has(svg, "6.12.0 baseline", "distribution: side A named");
	has(svg, "6.12.0+patch &lt;script&gt;alert(1)&lt;/script&gt;",
	     "distribution: a hostile side name is escaped text");
	has(svg, "median", "distribution: the median has a key entry");
	/* gpPt6 is pt 7: 5 + 4 finite repetitions and one key sample per side; NaN is skipped */
	is_int(count(svg, "#gpPt6'"), 11, "distribution: one point per finite repetition");
	free(svg);

	is_int(plot_distribution(out_path("dist.png"), PLOT_PNG, title, "IOPS (IO/s)", &sa, &sb,
				 "ratio 0.93, 95% CI 0.90-0.96"), 0, "distribution: PNG drawn");
	ok(png_ok(out_path("dist.png")), "distribution: PNG signature and IHDR size");
}

static void test_history(void)
{
	struct plot_point p[60];
	struct strbuf labels = STRBUF_INIT, needle = STRBUF_INIT;
	size_t offs[60], i, shown;
	char *svg;

	for (i = 0; i < 60; i++) {
		offs[i] = labels.len;
		strbuf_addf(&labels, "r%zu 6.12.%zu", i + 1, 100 + i);
		strbuf_addch(&labels, '\0');
	}
	for (i = 0; i < 60; i++) {
		p[i].label = labels.buf + offs[i];
		p[i].y = 50000 + 300 * sin((double)i / 5) + (i > 40 ? -2500 : 0);
		p[i].lo = i % 7 == 3 ? NAN : p[i].y - 400;
		p[i].hi = p[i].y + 350;
		p[i].regression = i == 41 || i == 47;
	}
	p[10].y = NAN;
	p[48].label = "x]]>y " HOSTILE_IMG;

	/* 12 runs: every one labelled */
	is_int(plot_history(out_path("hist12.svg"), PLOT_SVG, "seqread-1m@nvme:ext4: fio.read.bw",
			    "bandwidth (KiB/s)", p + 48, 12), 0, "history: 12 runs drawn");
	svg = check_svg("hist12.svg", "history of 12");
	has(svg, "seqread-1m@nvme:ext4: fio.read.bw", "history: the title names the job");
	has(svg, "bandwidth (KiB/s)", "history: the y label with its unit");
	ok(strstr(svg, ">r50 6.12.149<") && strstr(svg, ">r60 6.12.159<"),
	   "history: the runs' labels are the tics");
	has(svg, ">min..max<", "history: the error bars have a key entry");
	/* and cut to 32 characters, as tic labels are */
	has(svg, ">x]]&gt;y \"&gt;&lt;img src=x onerror=al...<",
	    "history: ]]> and a hostile tag in a label are escaped text, cut");
	free(svg);

	is_int(plot_history(out_path("hist.svg"), PLOT_SVG, "seqread-1m@nvme:ext4: fio.read.bw",
			    "bandwidth (KiB/s)", p, 60), 0, "history: 60 runs drawn");
	svg = check_svg("hist.svg", "history of 60");
	has(svg, ">r60 6.12.159<", "history: the newest run is labelled");
	ok(!strstr(svg, ">r59 6.12.158<"), "history: 60 runs are thinned out");
	for (i = 0, shown = 0; i < 60; i++) {
		strbuf_reset(&needle);
		strbuf_addf(&needle, ">%s<", p[i].label);
		shown += !!strstr(svg, needle.buf);
	}
	is_int(shown, 20, "history: every third run labelled (20 of 60)");
	has(svg, ">regression<", "history: regressions have a key entry");
	free(svg);

	is_int(plot_history(out_path("hist.png"), PLOT_PNG, "seqread-1m@nvme:ext4: fio.read.bw",
			    "bandwidth (KiB/s)", p, 60), 0, "history: PNG drawn");
	ok(png_ok(out_path("hist.png")), "history: PNG signature and IHDR size");
	strbuf_release(&labels);
	strbuf_release(&needle);
}

static void test_bars(void)
{
	const struct plot_bar b[] = {
		{ "6.1.0", 1.0 }, { "6.12.0", 3.0 }, { "6.12.0+patch a'b", 4.0 },
		{ "bad\x01\nname caf\xe9", -0.5 }, { "none", NAN },
	};
	char *svg;

	is_int(plot_bars(out_path("bars.svg"), PLOT_SVG,
			 "randread-4k@nvme:vfat: pins released per I/O " HOSTILE_SCRIPT HOSTILE_IMG,
			 "pins released per I/O (pins)", b, 5), 0, "bars: SVG drawn");
	svg = check_svg("bars.svg", "bars");
	has(svg, "pins released per I/O &lt;script&gt;alert(1)&lt;/script&gt;\"&gt;&lt;img "
	    "src=x onerror=alert(1)&gt;<", "bars: a hostile title is escaped text");
	has(svg, "pins released per I/O (pins)", "bars: the y label with its unit");
	ok(strstr(svg, ">6.1.0<") && strstr(svg, ">6.12.0<") && strstr(svg, ">6.12.0+patch a'b<"),
	   "bars: each entry named on the x axis");
	ok(strstr(svg, ">3<") && strstr(svg, ">-0.5<"), "bars: values printed at the bars' ends");
	has(svg, ">bad name caf?<", "bars: control characters and bad UTF-8 are cleaned up");
	has(svg, ">no data<", "bars: a NaN bar says no data");
	free(svg);

	is_int(plot_bars(out_path("bars.png"), PLOT_PNG, "randread-4k@nvme:vfat: pins per I/O",
			 "pins released per I/O (pins)", b, 5), 0, "bars: PNG drawn");
	ok(png_ok(out_path("bars.png")), "bars: PNG signature and IHDR size");
}

/* Run fn with stderr going to a file; return what it printed. */
static char *with_stderr(int (*fn)(void), int *ret)
{
	char *log = xstrdup(out_path("stderr.log")), *text;
	int saved, fd;

	fflush(stderr);
	saved = dup(2);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	*ret = fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	text = slurp(log);
	unlink(log);
	free(log);
	return text;
}

static int plot_bars_without_array(void)
{
	return plot_bars(out_path("x.svg"), PLOT_SVG, "j: m", "x (s)", NULL, 3);
}

static void test_no_data(void)
{
	const double a[] = { 1, 2, 3 };
	struct plot_side sa = { "6.12", a, 3 }, empty = { "6.13-rc1", NULL, 0 };
	const double nan1[] = { NAN };
	struct plot_side nan_side = { "6.1", nan1, 1 };
	char *svg, *msg;
	int ret;

	is_int(plot_distribution(out_path("empty-side.svg"), PLOT_SVG, "j: m", "x (s)", &sa, &empty,
				 NULL), 0, "no data: an empty side is drawn");
	svg = check_svg("empty-side.svg", "empty side");
	ok(svg && strstr(svg, ">no data<") && strstr(svg, ">6.13-rc1<"),
	   "no data: the empty side is named and says no data");
	free(svg);

	is_int(plot_distribution(out_path("empty-both.svg"), PLOT_SVG, "j: m", "x (s)", &empty,
				 &nan_side, NULL), 0, "no data: two sides without a value");
	svg = check_svg("empty-both.svg", "empty sides");
	is_int(count(svg, ">no data<"), 2, "no data: said for both sides");
	free(svg);

	is_int(plot_history(out_path("empty-hist.svg"), PLOT_SVG, "j: m", "x (s)", NULL, 0), 0,
	       "no data: a history of 0 runs");
	svg = check_svg("empty-hist.svg", "empty history");
	has(svg, ">no data<", "no data: the empty history says so");
	free(svg);

	is_int(plot_bars(out_path("empty-bars.png"), PLOT_PNG, "j: m", "x (s)", NULL, 0), 0,
	       "no data: 0 bars");
	ok(png_ok(out_path("empty-bars.png")), "no data: still a PNG");
	msg = with_stderr(plot_bars_without_array, &ret);
	is_int(ret, -1, "3 bars without an array is an error");
	like(msg, "x.svg': 3 bars without their values", "... that says so");
	ok(!path_exists(out_path("x.svg")), "... and writes nothing");
	free(msg);
}

static int plot_into_missing_dir(void)
{
	struct plot_bar b = { "k", 1 };

	return plot_bars(out_path("missing/bars.svg"), PLOT_SVG, "t", "y (s)", &b, 1);
}

static int plot_one_bar(void)
{
	struct plot_bar b = { "k", 1 };

	return plot_bars(out_path("failed.svg"), PLOT_SVG, "t", "y (s)", &b, 1);
}

static void test_failures(void)
{
	struct strbuf fake = STRBUF_INIT, bin = STRBUF_INIT;
	char *path = xstrdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin"), *msg;
	int ret;

	msg = with_stderr(plot_into_missing_dir, &ret);
	is_int(ret, -1, "a directory that does not exist gives -1");
	like(msg, "cannot plot '", "... with an error naming the file");
	like(msg, "missing/bars.svg': No such file or directory", "... and why");
	ok(!path_exists(out_path("missing")) && !entries(tmpdir, ""), "... and creates nothing");
	free(msg);

	/* a gnuplot that fails the way gnuplot does */
	strbuf_addf(&bin, "%s/bin", dir);
	mkdir(bin.buf, 0755);
	strbuf_addf(&fake, "%s/gnuplot", bin.buf);
	{
		struct strbuf script = STRBUF_INIT;

		strbuf_addstr(&script, "#!/bin/sh\necho 'plot foo(x)' >&2\necho '     ^' >&2\n"
			      "echo \"\\\"$2\\\" line 3: undefined function: foo\" >&2\nexit 1\n");
		write_file_atomic(fake.buf, script.buf, script.len);
		chmod(fake.buf, 0755);
		strbuf_release(&script);
	}
	setenv("PATH", bin.buf, 1);
	msg = with_stderr(plot_one_bar, &ret);
	is_int(ret, -1, "gnuplot failing gives -1");
	like(msg, "failed.svg': line 3: undefined function: foo\n",
	     "... with the file and gnuplot's error line");
	is_int((int)count(msg, "\n"), 1, "... on one line");
	ok(!path_exists(out_path("failed.svg")), "... and no image");
	free(msg);

	/* a crash: what gnuplot printed before it is no explanation */
	{
		struct strbuf script = STRBUF_INIT;

		unlink(fake.buf);
		strbuf_addstr(&script, "#!/bin/sh\necho 'Warning: empty y range' >&2\n"
			      "kill -SEGV $$\n");
		write_file_atomic(fake.buf, script.buf, script.len);
		chmod(fake.buf, 0755);
		strbuf_release(&script);
	}
	msg = with_stderr(plot_one_bar, &ret);
	is_int(ret, -1, "gnuplot crashing gives -1");
	like(msg, "failed.svg': gnuplot killed by signal 11", "... and says it crashed");
	ok(!path_exists(out_path("failed.svg")), "... and no image");
	free(msg);

	unlink(fake.buf);
	msg = with_stderr(plot_one_bar, &ret);
	is_int(ret, -1, "gnuplot missing gives -1");
	like(msg, "gnuplot not found: install it with 'apt-get install gnuplot-nox'",
	     "... and says how to install it");
	free(msg);
	setenv("PATH", path, 1);
	rmdir(bin.buf);
	free(path);
	strbuf_release(&fake);
	strbuf_release(&bin);
}

/*
 * Batches. The gnuplot in PATH for them is a wrapper around the real one
 * that counts its runs and breaks the plots titled BOOM (an error in their
 * commands: gnuplot stops there), CRASH (gnuplot draws the plots before
 * it, then dies of SIGSEGV) and INTR (the same, then a Ctrl-C for us).
 */
#define BATCH_N 30

static struct plot_batch *batch;
static struct strbuf runs_log = STRBUF_INIT, real_path = STRBUF_INIT;

static int run_batch(void)
{
	return plot_batch_run(batch);
}

static size_t gnuplot_runs(void)
{
	char *log = slurp(runs_log.buf);
	size_t n = count(log, "\n");

	free(log);
	return n;
}

static const char *const kinds[] = { "distribution", "history", "bars" };

/*
 * Plot i of the mixed batch, queued to b or, without b, drawn on its own:
 * kind i % 3 (so a history follows a distribution, bars follow a history),
 * every fourth one PNG, every string its own. What it is given lives on
 * the heap only until it returns, and is scribbled over first.
 */
static int mixed_plot(struct plot_batch *b, size_t i, const char *path)
{
	struct strbuf s = STRBUF_INIT;
	enum plot_format f = i % 4 == 3 ? PLOT_PNG : PLOT_SVG;
	size_t n = 5 + i % 7, k, off[6];
	double *v = xmalloc(2 * n * sizeof(*v));
	struct plot_point *p = xcalloc(n, sizeof(*p));
	struct plot_bar *bars = xcalloc(n, sizeof(*bars));
	int ret;

	/* title, ylabel, note, two side names, then the labels: all in s */
	strbuf_addf(&s, "batch plot %02zu %s", i, kinds[i % 3]);
	off[0] = 0;
	strbuf_addch(&s, '\0');
	off[1] = s.len;
	strbuf_addf(&s, "ylabel %02zu (units)", i);
	strbuf_addch(&s, '\0');
	off[2] = s.len;
	strbuf_addf(&s, "note of plot %02zu", i);
	strbuf_addch(&s, '\0');
	off[3] = s.len;
	strbuf_addf(&s, "side-a-%02zu", i);
	strbuf_addch(&s, '\0');
	off[4] = s.len;
	strbuf_addf(&s, "side-b-%02zu", i);
	strbuf_addch(&s, '\0');
	for (k = 0; k < n; k++) {
		off[5] = s.len;
		strbuf_addf(&s, "%s-%02zu-%zu", i % 3 == 1 ? "run" : "bar", i, k);
		strbuf_addch(&s, '\0');
		/* offsets for now, pointers once s is complete */
		p[k].label = (const char *)(uintptr_t)off[5];
		bars[k].label = (const char *)(uintptr_t)off[5];
	}
	for (k = 0; k < n; k++) {
		p[k].label = s.buf + (uintptr_t)p[k].label;
		bars[k].label = s.buf + (uintptr_t)bars[k].label;
		p[k].y = 1000 + 10 * (double)i + 50 * sin((double)k);
		p[k].lo = p[k].y - 20;
		p[k].hi = p[k].y + 15;
		p[k].regression = k == n - 2 && i % 2;
		bars[k].value = (double)k - 1.5;
		v[k] = 1000 + (double)((k * 37 + i) % 23);
		v[n + k] = 950 + (double)((k * 29 + i) % 19);
	}
	{
		struct plot_side a = { s.buf + off[3], v, n }, c = { s.buf + off[4], v + n, n };

		if (i % 3 == 0)
			ret = b ? plot_batch_distribution(b, path, f, s.buf, s.buf + off[1], &a,
							  &c, s.buf + off[2])
				: plot_distribution(path, f, s.buf, s.buf + off[1], &a, &c,
						    s.buf + off[2]);
		else if (i % 3 == 1)
			ret = b ? plot_batch_history(b, path, f, s.buf, s.buf + off[1], p, n)
				: plot_history(path, f, s.buf, s.buf + off[1], p, n);
		else
			ret = b ? plot_batch_bars(b, path, f, s.buf, s.buf + off[1], bars, n)
				: plot_bars(path, f, s.buf, s.buf + off[1], bars, n);
	}
	memset(s.buf, 'X', s.len);
	memset(v, 0xff, 2 * n * sizeof(*v));
	strbuf_release(&s);
	free(v);
	free(p);
	free(bars);
	return ret;
}

static const char *mixed_path(size_t i, const char *prefix)
{
	static struct strbuf sb = STRBUF_INIT;

	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/batch/%s%02zu-%s.%s", dir, prefix, i, kinds[i % 3],
		    i % 4 == 3 ? "png" : "svg");
	return sb.buf;
}

/* What plot i must show of its own, and what of the others it must not. */
static int mixed_svg_ok(size_t i)
{
	char *svg = slurp(mixed_path(i, ""));
	struct strbuf own = STRBUF_INIT;
	int kind = (int)(i % 3), good = 1;
	struct {
		const char *needle;
		size_t want;
	} checks[] = {
		{ "batch plot ", 1 },		/* its own title and no other */
		{ "ylabel ", 1 },
		{ "note of plot", kind == 0 },
		{ "<text>side-a-", kind == 0 ? 2 : 0 },	/* tic and key */
		{ "<text>median</text>", kind != 2 },
		{ "<text>run (oldest first)</text>", kind == 1 },
		{ "<text>min..max</text>", kind == 1 },
		{ "<text>run-", kind == 1 ? 5 + i % 7 : 0 },
		{ "<text>bar-", kind == 2 ? 5 + i % 7 : 0 },
		{ "<text>regression</text>", kind == 1 && i % 2 },
		{ "<text>no data</text>", 0 },
	};
	size_t k, got;

	if (!svg || !xml_well_formed(mixed_path(i, ""))) {
		printf("#   %s: missing or not well-formed\n", mixed_path(i, ""));
		free(svg);
		return 0;
	}
	strbuf_addf(&own, ">batch plot %02zu %s<", i, kinds[i % 3]);
	if (!strstr(svg, own.buf)) {
		printf("#   %s: no '%s'\n", mixed_path(i, ""), own.buf);
		good = 0;
	}
	for (k = 0; k < sizeof(checks) / sizeof(checks[0]); k++) {
		got = count(svg, checks[k].needle);
		if (got != checks[k].want) {
			printf("#   %s: '%s' %zu times, want %zu\n", mixed_path(i, ""),
			       checks[k].needle, got, checks[k].want);
			good = 0;
		}
	}
	strbuf_release(&own);
	free(svg);
	return good;
}

static int same_file(const char *a, const char *b)
{
	char *x = slurp(a), *y = slurp(b);
	struct stat sa, sb;
	int same = x && y && !stat(a, &sa) && !stat(b, &sb) && sa.st_size == sb.st_size &&
		   !memcmp(x, y, (size_t)sa.st_size);

	free(x);
	free(y);
	return same;
}

static void test_batch_mixed(void)
{
	const size_t singles[] = { 1, 2, 3, 6, 7, 11 };
	size_t i, queued = 0, svgs = 0, svg_good = 0, pngs = 0, png_good = 0, same = 0;

	batch = plot_batch_new();
	for (i = 0; i < BATCH_N; i++)
		queued += !mixed_plot(batch, i, mixed_path(i, ""));
	is_int(queued, BATCH_N, "batch: 30 plots of the three kinds queued");
	is_int(plot_batch_size(batch), BATCH_N, "batch: plot_batch_size counts them");
	is_int(plot_batch_run(batch), 0, "batch: all drawn");
	is_int(gnuplot_runs(), 1, "batch: by one gnuplot");
	plot_batch_free(batch);
	batch = NULL;

	for (i = 0; i < BATCH_N; i++) {
		if (i % 4 == 3) {
			pngs++;
			png_good += png_ok(mixed_path(i, ""));
		} else {
			svgs++;
			svg_good += mixed_svg_ok(i);
		}
	}
	is_int(svg_good, svgs, "batch: every SVG well-formed, with its own title, ylabel, "
	       "tics and key, and nothing of the plot before it");
	is_int(png_good, pngs, "batch: every PNG valid");

	/* gnuplot is reset between plots: an image in a batch is the image on its own */
	for (i = 0; i < sizeof(singles) / sizeof(singles[0]); i++) {
		char *batched = xstrdup(mixed_path(singles[i], ""));

		if (mixed_plot(NULL, singles[i], mixed_path(singles[i], "single-")))
			printf("#   %s: not drawn\n", mixed_path(singles[i], "single-"));
		if (same_file(batched, mixed_path(singles[i], "single-")))
			same++;
		else
			printf("#   %s differs from %s\n", batched,
			       mixed_path(singles[i], "single-"));
		free(batched);
	}
	is_int(same, 6, "batch: each kind, SVG and PNG, is byte for byte the single plot");
}

static void queue_bar(const char *name, const char *title)
{
	struct plot_bar b[] = { { "k1", 1 }, { "k2", 2.5 } };
	struct strbuf path = STRBUF_INIT;

	strbuf_addf(&path, "%s/batch/%s", dir, name);
	if (plot_batch_bars(batch, path.buf, PLOT_SVG, title, "y (s)", b, 2))
		printf("#   %s: not queued\n", path.buf);
	strbuf_release(&path);
}

/* Did the batch draw exactly the named files of batch/, each a well-formed SVG? */
static int drawn(const char *const *names, size_t n)
{
	struct strbuf path = STRBUF_INIT;
	size_t i, good = 0;

	for (i = 0; i < n; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/batch/%s", dir, names[i]);
		if (path_exists(path.buf) && xml_well_formed(path.buf))
			good++;
		else
			printf("#   %s not drawn\n", path.buf);
		unlink(path.buf);
	}
	strbuf_release(&path);
	return good == n;
}

/* What a batch said, as TAP comments. */
static void diag(const char *msg)
{
	const char *eol;

	for (; msg && *msg; msg = *eol ? eol + 1 : eol) {
		eol = strchrnul(msg, '\n');
		printf("#   %.*s\n", (int)(eol - msg), msg);
	}
}

static int queue_bad(void)
{
	return plot_batch_history(batch, out_path("batch/x.svg"), PLOT_SVG, "t", "y", NULL, 3) +
	       plot_batch_bars(batch, NULL, PLOT_SVG, "t", "y", NULL, 0);
}

static void test_batch_failures(void)
{
	static const char *const ok_boom[] = { "f0.svg", "f1.svg", "f2.svg", "f4.svg", "f5.svg",
					       "f6.svg" };
	static const char *const ok_two[] = { "g0.svg", "g2.svg", "g3.svg", "g5.svg" };
	static const char *const ok_paths[] = { "h0.svg", "h2.svg" };
	static const char *const ok_intr[] = { "i0.svg" };
	struct strbuf path = STRBUF_INIT;
	size_t runs;
	char *msg;
	int ret;

	/* an error in the commands of one plot, in the middle */
	batch = plot_batch_new();
	queue_bar("f0.svg", "f0");
	queue_bar("f1.svg", "f1");
	queue_bar("f2.svg", "f2");
	queue_bar("boom.svg", "BOOM");
	queue_bar("f4.svg", "f4");
	queue_bar("f5.svg", "f5");
	queue_bar("f6.svg", "f6");
	runs = gnuplot_runs();
	msg = with_stderr(run_batch, &ret);
	diag(msg);
	is_int(ret, 1, "batch, one plot's commands fail: returns 1");
	like(msg, "boom.svg': line ", "... with an error naming that file");
	like(msg, ": undefined function: foo\n", "... and gnuplot's error line");
	is_int(count(msg, "\n"), 1, "... on one line");
	ok(drawn(ok_boom, 6), "... and the plots before and after it drawn");
	ok(!path_exists(out_path("batch/boom.svg")), "... but not the one that failed");
	is_int(gnuplot_runs() - runs, 2, "... by two gnuplot runs (the rest after the failure)");
	free(msg);
	plot_batch_free(batch);

	/* a crash and an error, the first and the last plots fine */
	batch = plot_batch_new();
	queue_bar("g0.svg", "g0");
	queue_bar("crash.svg", "CRASH");
	queue_bar("g2.svg", "g2");
	queue_bar("g3.svg", "g3");
	queue_bar("boom.svg", "BOOM");
	queue_bar("g5.svg", "g5");
	runs = gnuplot_runs();
	msg = with_stderr(run_batch, &ret);
	diag(msg);
	is_int(ret, 2, "batch, a crash and an error: returns 2");
	like(msg, "crash.svg': gnuplot killed by signal 11", "... the crash said so");
	like(msg, "boom.svg': line ", "... the error named");
	is_int(count(msg, "\n"), 2, "... one line each");
	ok(drawn(ok_two, 4), "... the other plots drawn");
	ok(!path_exists(out_path("batch/crash.svg")) && !path_exists(out_path("batch/boom.svg")),
	   "... the failed ones not");
	is_int(gnuplot_runs() - runs, 3, "... by three gnuplot runs");
	free(msg);
	plot_batch_free(batch);

	/* outputs that cannot be written: found before gnuplot, or when renaming */
	batch = plot_batch_new();
	queue_bar("h0.svg", "h0");
	queue_bar("missing/h1.svg", "h1");
	queue_bar("h2.svg", "h2");
	queue_bar("adir", "h3");
	strbuf_addf(&path, "%s/batch/adir/x", dir);
	mkdir_parents(path.buf);
	write_file_atomic(path.buf, "x", 1);
	runs = gnuplot_runs();
	msg = with_stderr(run_batch, &ret);
	diag(msg);
	is_int(ret, 2, "batch, a directory that does not exist and a directory as output: 2");
	like(msg, "missing/h1.svg': No such file or directory", "... the first one said");
	like(msg, "adir': cannot rename '", "... and the second");
	is_int(count(msg, "\n"), 2, "... one line each");
	ok(drawn(ok_paths, 2), "... the other plots drawn");
	is_int(gnuplot_runs() - runs, 1, "... by one gnuplot run");
	free(msg);
	plot_batch_free(batch);
	unlink(path.buf);
	strbuf_setlen(&path, path.len - 2);
	rmdir(path.buf);

	/* a Ctrl-C: what is not drawn yet fails, and no new gnuplot is started */
	spawn_install_signals();
	batch = plot_batch_new();
	queue_bar("i0.svg", "i0");
	queue_bar("intr.svg", "INTR");
	queue_bar("i2.svg", "i2");
	runs = gnuplot_runs();
	msg = with_stderr(run_batch, &ret);
	diag(msg);
	is_int(ret, 2, "batch, interrupted: the plot being drawn and the one after fail");
	is_int(count(msg, "gnuplot interrupted\n"), 2, "... each said");
	ok(drawn(ok_intr, 1), "... the plot before is drawn");
	is_int(gnuplot_runs() - runs, 1, "... and no new gnuplot is started");
	free(msg);
	plot_batch_free(batch);
	spawn_clear_interrupted();
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);

	/* without gnuplot, each plot says so */
	batch = plot_batch_new();
	queue_bar("n0.svg", "n0");
	queue_bar("n1.svg", "n1");
	setenv("PATH", "/nonexistent", 1);
	msg = with_stderr(run_batch, &ret);
	is_int(ret, 2, "batch without gnuplot: every plot fails");
	is_int(count(msg, "gnuplot not found"), 2, "... each said once");
	plot_batch_free(batch);
	free(msg);

	/* nothing to draw, and bad arguments refused when queued */
	batch = plot_batch_new();
	runs = gnuplot_runs();
	msg = with_stderr(run_batch, &ret);
	is_int(ret, 0, "an empty batch returns 0");
	ok(!*msg && gnuplot_runs() == runs, "... says nothing and starts no gnuplot");
	free(msg);
	msg = with_stderr(queue_bad, &ret);
	is_int(ret, -2, "queueing 3 runs without an array, or without a path, is an error");
	like(msg, "x.svg': 3 runs without their values", "... the first said");
	like(msg, "cannot plot: no output file given", "... the second too");
	is_int(plot_batch_size(batch), 0, "... and neither is queued");
	free(msg);
	plot_batch_free(batch);
	plot_batch_free(NULL);
	batch = NULL;
	strbuf_release(&path);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Not a check: what a batch saves, for whoever reads the test's output. */
static void test_batch_timing(void)
{
	struct plot_point p[30];
	struct strbuf labels = STRBUF_INIT, path = STRBUF_INIT;
	size_t offs[30], i, failed = 0;
	double t0, single, batched;
	struct plot_batch *b;

	for (i = 0; i < 30; i++) {
		offs[i] = labels.len;
		strbuf_addf(&labels, "r%zu 6.12.%zu", i + 1, 100 + i);
		strbuf_addch(&labels, '\0');
	}
	for (i = 0; i < 30; i++) {
		p[i] = (struct plot_point){ labels.buf + offs[i], 5000 + 30 * sin((double)i),
					    4950 + 30 * sin((double)i), 5040 + 30 * sin((double)i),
					    i == 20 };
	}
	t0 = now_s();
	for (i = 0; i < 40; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/batch/t%02zu.svg", dir, i);
		failed += !!plot_history(path.buf, PLOT_SVG, "timing", "x (s)", p, 30);
	}
	single = now_s() - t0;
	b = plot_batch_new();
	t0 = now_s();
	for (i = 0; i < 40; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/batch/t%02zu.svg", dir, i);
		plot_batch_history(b, path.buf, PLOT_SVG, "timing", "x (s)", p, 30);
	}
	failed += (size_t)plot_batch_run(b);
	batched = now_s() - t0;
	plot_batch_free(b);
	is_int(failed, 0, "timing: 40 history plots drawn one by one, then in a batch");
	printf("# 40 history plots: %.2f s one by one, %.2f s in one batch (%.1fx)\n", single,
	       batched, batched > 0 ? single / batched : 0);
	strbuf_release(&labels);
	strbuf_release(&path);
}

static void test_batch(void)
{
	struct strbuf wrapper = STRBUF_INIT, bin = STRBUF_INIT, script = STRBUF_INIT;
	char *path = xstrdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");

	mkdir(out_path("batch"), 0755);
	if (!ok(spawn_find_program("gnuplot", &real_path), "batch: gnuplot is installed")) {
		free(path);
		return;
	}
	strbuf_addf(&runs_log, "%s/runs.log", dir);
	strbuf_addf(&bin, "%s/wrap", dir);
	mkdir(bin.buf, 0755);
	strbuf_addf(&wrapper, "%s/gnuplot", bin.buf);
	/* $1 is --default-settings, $2 the script */
	strbuf_addf(&script, "#!/bin/sh\necho run >> '%s'\n"
		    "if grep -q \"^set title 'CRASH'\" \"$2\"; then\n"
		    "\tsed \"/^set title 'CRASH'/,\\$d\" \"$2\" > \"$2.cut\"\n"
		    "\t'%s' \"$1\" \"$2.cut\"\n"
		    "\tkill -SEGV $$\n"
		    "fi\n"
		    "if grep -q \"^set title 'INTR'\" \"$2\"; then\n"
		    "\tsed \"/^set title 'INTR'/,\\$d\" \"$2\" > \"$2.cut\"\n"
		    "\t'%s' \"$1\" \"$2.cut\"\n"
		    "\tkill -INT $PPID\n"
		    "\tsleep 10\n"
		    "fi\n"
		    "sed -i \"s/^set title 'BOOM'.*/print foo(1)/\" \"$2\"\n"
		    "exec '%s' \"$@\"\n", runs_log.buf, real_path.buf, real_path.buf,
		    real_path.buf);
	write_file_atomic(wrapper.buf, script.buf, script.len);
	chmod(wrapper.buf, 0755);
	strbuf_reset(&script);
	strbuf_addf(&script, "%s:%s", bin.buf, path);
	setenv("PATH", script.buf, 1);

	test_batch_mixed();
	test_batch_failures();
	setenv("PATH", path, 1);
	test_batch_timing();

	is_int(entries(out_path("batch"), ".tmp."), 0, "batch: no temporary image is left behind");
	unlink(wrapper.buf);
	rmdir(bin.buf);
	unlink(runs_log.buf);
	free(path);
	strbuf_release(&wrapper);
	strbuf_release(&bin);
	strbuf_release(&script);
	strbuf_release(&runs_log);
	strbuf_release(&real_path);
}

/* A relative name starting with '|' is a file, not a pipe to a shell command. */
static void test_pipe_name(void)
{
	struct plot_bar b = { "k", 1 };
	char cwd[4096];

	if (!ok(getcwd(cwd, sizeof(cwd)) && !chdir(dir), "into the test's directory")) {
		printf("#   %s: %s\n", dir, strerror(errno));
		return;
	}
	is_int(plot_bars("|touch pwned", PLOT_SVG, "t", "y (s)", &b, 1), 0,
	       "an output named '|touch pwned' is drawn");
	ok(path_exists("|touch pwned") && !path_exists("pwned"),
	   "... into that file, and runs nothing");
	if (chdir(cwd))
		ok(0, "back to the directory we came from");
}

int main(void)
{
	char tmpl[] = "/tmp/pinbench-test-plot.XXXXXX";
	struct strbuf sb = STRBUF_INIT;

	dir = mkdtemp(tmpl);
	if (!dir)
		return ok(0, "mkdtemp"), done_testing();
	/* the plots' private directories go here, to check that none is left */
	strbuf_addf(&sb, "%s/tmp", dir);
	tmpdir = strbuf_detach(&sb, NULL);
	mkdir(tmpdir, 0700);
	setenv("TMPDIR", tmpdir, 1);

	test_distribution();
	test_history();
	test_bars();
	test_no_data();
	test_failures();
	test_pipe_name();
	test_batch();

	is_int(entries(tmpdir, ""), 0, "no private directory is left behind");
	is_int(entries(dir, ".tmp."), 0, "no temporary image is left behind");
	if (getenv("PLOT_KEEP"))
		printf("# plots kept in %s\n", dir);
	else
		remove_tree(dir);
	free(tmpdir);
	return done_testing();
}
