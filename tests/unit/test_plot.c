// SPDX-License-Identifier: GPL-2.0-only
/*
 * Plots drawn by the real gnuplot: every kind as SVG (checked by xmllint
 * and for its text) and PNG (signature and IHDR), hostile labels, empty
 * data, a directory that cannot be written, a gnuplot that fails or is
 * missing, and no temporary file left anywhere.
 */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* A relative name starting with '|' is a file, not a pipe to a shell command. */
static void test_pipe_name(void)
{
	struct plot_bar b = { "k", 1 };
	char cwd[4096];

	if (!getcwd(cwd, sizeof(cwd)) || chdir(dir))
		return;
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

	is_int(entries(tmpdir, ""), 0, "no private directory is left behind");
	is_int(entries(dir, ".tmp."), 0, "no temporary image is left behind");
	if (getenv("PLOT_KEEP"))
		printf("# plots kept in %s\n", dir);
	else
		remove_tree(dir);
	free(tmpdir);
	return done_testing();
}
