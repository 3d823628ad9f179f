// SPDX-License-Identifier: GPL-2.0-only
#include "collectors/perf.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/spawn.h"

/* value,unit,event,run-time,percent: what every perf since 4.x prints with -x, */
#define STAT_MIN_FIELDS 5
#define PROBE_TIMEOUT_MS 20000
/*
 * 999 Hz, not a round 1000: a sampling clock in lockstep with the timer tick
 * (HZ=1000/250) keeps hitting the same code and skews the profile. At ~1 kHz
 * a 10 s pass still gives ~10 k samples per busy CPU, so a 1-2 % pin share
 * rests on a few hundred samples, at a fraction of perf's 4 kHz overhead.
 */
#define RECORD_FREQ "999"

static void merge_samples(struct sample_set *out, const struct sample_set *in)
{
	size_t i;

	for (i = 0; i < in->nr; i++) {
		if (in->v[i].available)
			sample_set_add(out, in->v[i].metric, in->v[i].value, in->v[i].unit);
		else
			sample_set_add_unavailable(out, in->v[i].metric, in->v[i].unit);
	}
}

/* Call fn for each line of buf (without its newline), counting from 1. */
typedef int (*line_fn)(char *line, size_t lineno, void *data);

static int for_each_line(const char *buf, size_t len, line_fn fn, void *data)
{
	struct strbuf line = STRBUF_INIT;
	const char *p = buf, *end = buf + len;
	size_t lineno = 0;
	int ret = 0;

	while (p < end && !ret) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		strbuf_reset(&line);
		strbuf_add(&line, p, n);
		strbuf_rtrim(&line);
		ret = fn(line.buf, ++lineno, data);
		p += n + 1;
	}
	strbuf_release(&line);
	return ret;
}

void perf_stat_argv(const struct strvec *events, const char *outfile,
		    const struct strvec *workload, struct strvec *argv)
{
	char *list = strvec_join(events, ",");

	strvec_push(argv, "perf");
	strvec_push(argv, "stat");
	strvec_push(argv, "-x");
	strvec_push(argv, ",");
	strvec_push(argv, "-o");
	strvec_push(argv, outfile);
	strvec_push(argv, "-e");
	strvec_push(argv, list);
	strvec_push(argv, "--");
	strvec_pushv(argv, workload->v);
	free(list);
}

static size_t count_char(const char *s, int c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

/*
 * Split a -x, line, keeping empty fields. A PMU event such as
 * "cpu/event=0x3c,umask=0x0/u" contains commas of its own: perf does not
 * quote it, so the event field is glued back until its slashes pair up.
 */
static void split_stat_fields(const char *line, struct strvec *fields)
{
	struct strbuf cur = STRBUF_INIT;
	const char *p = line;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);

		strbuf_add(&cur, p, n);
		if (!comma || fields->nr != 2 || count_char(cur.buf, '/') % 2 == 0) {
			strvec_push(fields, cur.buf);
			strbuf_reset(&cur);
		} else {
			strbuf_addch(&cur, ',');
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	strbuf_release(&cur);
}

void perf_event_metric(const char *event, struct strbuf *metric)
{
	const char *p;

	strbuf_addstr(metric, "perf.");
	for (p = event; *p; p++)
		strbuf_addch(metric, isalnum((unsigned char)*p) || *p == '_' || *p == '.' ?
				     *p : '_');
}

static int parse_number(const char *s, double *out)
{
	char *end;

	if (!*s)
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	return errno || *end || !isfinite(*out) ? -1 : 0;
}

struct stat_parse {
	struct sample_set *set;
	struct strbuf *why;
};

static int parse_stat_line(char *line, size_t lineno, void *data)
{
	struct stat_parse *sp = data;
	struct strvec f = STRVEC_INIT;
	struct strbuf metric = STRBUF_INIT;
	const char *unit;
	double v;
	int ret = -1;

	if (!*line || *line == '#')
		return 0;
	split_stat_fields(line, &f);
	if (f.nr < STAT_MIN_FIELDS || !*f.v[2]) {
		strbuf_addf(sp->why, "line %zu: expected 'value,unit,event,run-time,percent'",
			    lineno);
		goto out;
	}
	perf_event_metric(f.v[2], &metric);
	unit = *f.v[1] ? f.v[1] : "count";
	if (!strcmp(f.v[0], "<not supported>") || !strcmp(f.v[0], "<not counted>")) {
		sample_set_add_unavailable(sp->set, metric.buf, unit);
	} else if (parse_number(f.v[0], &v)) {
		strbuf_addf(sp->why, "line %zu: value '%s' of '%s' is not a number",
			    lineno, f.v[0], f.v[2]);
		goto out;
	} else {
		sample_set_add(sp->set, metric.buf, v, unit);
	}
	ret = 0;
out:
	strbuf_release(&metric);
	strvec_clear(&f);
	return ret;
}

void perf_per_io(struct sample_set *set, double ios)
{
	struct sample_set per = SAMPLE_SET_INIT;
	struct strbuf metric = STRBUF_INIT, unit = STRBUF_INIT;
	size_t i;

	for (i = 0; i < set->nr; i++) {
		const struct sample *s = &set->v[i];
		int msec = !strcmp(s->unit, "msec");

		if (!starts_with(s->metric, "perf.") || ends_with(s->metric, "_per_io"))
			continue;
		strbuf_reset(&metric);
		strbuf_reset(&unit);
		strbuf_addf(&metric, "%s%s_per_io", s->metric, msec ? "_ns" : "");
		strbuf_addf(&unit, "%s/io", msec ? "ns" : s->unit);
		if (s->available && ios > 0)
			sample_set_add(&per, metric.buf, s->value * (msec ? 1e6 : 1) / ios, unit.buf);
		else
			sample_set_add_unavailable(&per, metric.buf, unit.buf);
	}
	merge_samples(set, &per);
	sample_set_clear(&per);
	strbuf_release(&metric);
	strbuf_release(&unit);
}

int perf_stat_parse(const char *buf, size_t len, struct sample_set *out, struct strbuf *why)
{
	struct sample_set set = SAMPLE_SET_INIT;
	struct stat_parse sp = { .set = &set, .why = why };
	int ret = -1;

	if (for_each_line(buf, len, parse_stat_line, &sp))
		goto out;
	if (!set.nr) {
		strbuf_addstr(why, "no counters in perf stat output");
		goto out;
	}
	merge_samples(out, &set);
	ret = 0;
out:
	sample_set_clear(&set);
	return ret;
}

static void read_paranoid(struct perf_caps *caps)
{
	struct strbuf sb = STRBUF_INIT;
	char *end;
	long v;

	caps->paranoid = -99;
	if (strbuf_read_file(&sb, "/proc/sys/kernel/perf_event_paranoid", 64))
		goto out;
	errno = 0;
	v = strtol(sb.buf, &end, 10);
	if (!errno && end != sb.buf)
		caps->paranoid = (int)v;
out:
	strbuf_release(&sb);
}

static int is_permission_problem(const char *err)
{
	return strstr(err, "perf_event_paranoid") || strstr(err, "Permission denied") ||
	       strstr(err, "Access to performance monitoring");
}

/* First non-empty line of perf's complaint, for a one-line warning. */
static void add_first_line(struct strbuf *sb, const char *text)
{
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");
		size_t i;

		for (i = 0; i < n && isspace((unsigned char)p[i]); i++)
			;
		if (i < n && !(n - i == 6 && !strncmp(p + i, "Error:", 6))) {
			strbuf_addf(sb, ": %.*s", (int)(n - i), p + i);
			return;
		}
		p += n + (p[n] == '\n');
	}
}

static void probe_result(struct perf_caps *caps, const struct child *c)
{
	struct sample_set set = SAMPLE_SET_INIT;
	struct strbuf why = STRBUF_INIT;
	const struct sample *tc;

	if (c->status && is_permission_problem(c->err.buf)) {
		strbuf_addf(&caps->why, "perf may not count here (permission denied): "
			    "kernel.perf_event_paranoid is %d", caps->paranoid);
	} else if (c->status || c->timed_out) {
		strbuf_addstr(&caps->why, "'perf stat' failed: ");
		spawn_describe(c, &caps->why);
		add_first_line(&caps->why, c->err.buf);
	} else if (perf_stat_parse(c->err.buf, c->err.len, &set, &why)) {
		strbuf_addf(&caps->why, "cannot read 'perf stat' output: %s", why.buf);
	} else {
		tc = sample_set_find(&set, "perf.task_clock");
		caps->usable = tc && tc->available && tc->value > 0;
		caps->hw_events = sample_set_find(&set, "perf.cycles") &&
				  sample_set_find(&set, "perf.cycles")->available;
		if (!caps->usable)
			strbuf_addstr(&caps->why, "'perf stat' did not count task-clock");
	}
	strbuf_release(&why);
	sample_set_clear(&set);
}

void perf_probe(struct perf_caps *caps)
{
	struct child c = CHILD_INIT;

	caps->usable = caps->hw_events = 0;
	strbuf_init(&caps->why, 0);
	read_paranoid(caps);
	if (!spawn_find_program("perf", NULL)) {
		strbuf_addstr(&caps->why, "perf not found (Debian package linux-perf)");
		return;
	}
	/* without -o, perf stat -x writes its counters to stderr */
	strvec_pushv(&c.args, (const char *[]){ "perf", "stat", "-x", ",", "-e",
						"task-clock,cycles", "--", "true", NULL });
	c.flags = SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	c.timeout_ms = PROBE_TIMEOUT_MS;
	if (spawn_run(&c)) {
		if (errno == ENOENT)
			strbuf_addstr(&caps->why, "perf not found (Debian package linux-perf)");
		else
			strbuf_addf(&caps->why, "cannot run 'perf': %s", strerror(errno));
	} else {
		probe_result(caps, &c);
	}
	child_release(&c);
}

int perf_events_count(const struct strvec *events, struct strbuf *why)
{
	struct child c = CHILD_INIT;
	struct sample_set set = SAMPLE_SET_INIT;
	struct strbuf metric = STRBUF_INIT, err = STRBUF_INIT;
	char *list = strvec_join(events, ",");
	size_t i;
	int ret = -1;

	/* without -o, perf stat -x writes its counters to stderr */
	strvec_pushv(&c.args, (const char *[]){ "perf", "stat", "-x", ",", "-e", list, "--",
						"true", NULL });
	c.flags = SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	c.timeout_ms = PROBE_TIMEOUT_MS;
	if (spawn_run(&c)) {
		strbuf_addf(why, "cannot run 'perf': %s", errstr());
		goto out;
	}
	if (c.status || c.timed_out) {
		strbuf_addf(why, "'perf stat -e %s' failed", list);
		add_first_line(why, c.err.buf);
		goto out;
	}
	if (perf_stat_parse(c.err.buf, c.err.len, &set, &err)) {
		strbuf_addf(why, "cannot read 'perf stat' output: %s", err.buf);
		goto out;
	}
	for (i = 0; i < events->nr; i++) {
		const struct sample *s;

		strbuf_reset(&metric);
		perf_event_metric(events->v[i], &metric);
		s = sample_set_find(&set, metric.buf);
		if (!s || !s->available) {
			strbuf_addf(why, "perf cannot count '%s' here (no PMU, or the event is not "
				    "this PMU's)", events->v[i]);
			goto out;
		}
	}
	ret = 0;
out:
	free(list);
	strbuf_release(&metric);
	strbuf_release(&err);
	sample_set_clear(&set);
	child_release(&c);
	return ret;
}

void perf_caps_release(struct perf_caps *caps)
{
	strbuf_release(&caps->why);
	caps->usable = caps->hw_events = 0;
}

void perf_record_argv(const char *datafile, const char *event, const struct strvec *workload,
		      struct strvec *argv)
{
	/*
	 * No -a: a system-wide profile is mostly the idle loop. Following the
	 * workload (perf's default inherit) covers fio and its job processes.
	 */
	strvec_pushv(argv, (const char *[]){ "perf", "record", "-e", event,
					     "-F", RECORD_FREQ, "-o", NULL });
	strvec_push(argv, datafile);
	strvec_push(argv, "--");
	strvec_pushv(argv, workload->v);
}

void perf_report_argv(const char *datafile, struct strvec *argv)
{
	/*
	 * One "PCT%  [x] symbol" line per symbol: --no-children and -g none
	 * keep call chains out even if the data has them, --percent-limit 0
	 * keeps the small symbols (the pin/GUP ones are usually small).
	 */
	strvec_pushv(argv, (const char *[]){ "perf", "report", "-i", NULL });
	strvec_push(argv, datafile);
	strvec_pushv(argv, (const char *[]){ "--stdio", "--sort", "sym", "--no-children",
					     "-g", "none", "--percent-limit", "0", NULL });
}

struct sym_share {
	char *name;
	double pct;
	size_t order;	/* position in the report: ties keep perf's order */
};

struct report_parse {
	const struct strvec *patterns;
	struct sym_share *syms;
	size_t nr, alloc;
	double pin_share;
	struct strbuf *why;
};

/*
 * Kernel symbols carry compiler suffixes (bio_release_pages.part.0,
 * gup_fast.constprop.0, ...): match the glob against the full name and
 * against the name before the first '.', so a pattern list written from
 * the source needs no knowledge of what the compiler did.
 */
static int is_pin_symbol(const struct strvec *patterns, const char *sym)
{
	const char *dot = strchr(sym, '.');
	char *base = dot && dot != sym ? xstrdup(sym) : NULL;
	size_t i;
	int hit = 0;

	if (base)
		base[dot - sym] = '\0';
	for (i = 0; i < patterns->nr && !hit; i++)
		hit = !fnmatch(patterns->v[i], sym, 0) ||
		      (base && !fnmatch(patterns->v[i], base, 0));
	free(base);
	return hit;
}

/* "    12.34%  [k] __blockdev_direct_IO": returns the symbol, or NULL. */
static char *split_report_line(char *line, double *pct)
{
	char *p = line, *end;

	*pct = strtod(p, &end);
	if (end == p || *end != '%' || !isfinite(*pct) || *pct < 0)
		return NULL;
	p = end + 1;
	if (!isspace((unsigned char)*p))
		return NULL;
	while (isspace((unsigned char)*p))
		p++;
	if (p[0] != '[' || !p[1] || p[2] != ']' || !isspace((unsigned char)p[3]))
		return NULL;
	p += 3;
	while (isspace((unsigned char)*p))
		p++;
	return *p ? p : NULL;
}

static int parse_report_line(char *line, size_t lineno, void *data)
{
	struct report_parse *rp = data;
	struct sym_share *s;
	char *sym;
	double pct;

	while (isspace((unsigned char)*line))
		line++;
	if (!*line || *line == '#')
		return 0;
	sym = split_report_line(line, &pct);
	if (!sym) {
		strbuf_addf(rp->why, "line %zu: expected 'PERCENT%%  [x] symbol'", lineno);
		return -1;
	}
	if (is_pin_symbol(rp->patterns, sym))
		rp->pin_share += pct;
	if (rp->nr == rp->alloc) {
		rp->alloc = rp->alloc ? rp->alloc * 2 : 64;
		rp->syms = xrealloc(rp->syms, rp->alloc * sizeof(*rp->syms));
	}
	s = &rp->syms[rp->nr];
	s->name = xstrdup(sym);
	s->pct = pct;
	s->order = rp->nr++;
	return 0;
}

static int by_share_desc(const void *a, const void *b)
{
	const struct sym_share *x = a, *y = b;

	if (x->pct != y->pct)
		return x->pct < y->pct ? 1 : -1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Unresolved addresses ("0x000000000000079d" in a stripped library) are not
 * a name anybody can act on, nor stable across builds: not stored.
 */
static void add_top_symbols(struct report_parse *rp, unsigned top, struct sample_set *set)
{
	struct strbuf metric = STRBUF_INIT;
	size_t i;
	unsigned n = 0;

	qsort(rp->syms, rp->nr, sizeof(*rp->syms), by_share_desc);
	for (i = 0; i < rp->nr && n < top; i++) {
		if (starts_with(rp->syms[i].name, "0x"))
			continue;
		strbuf_reset(&metric);
		strbuf_addf(&metric, "profile.sym.%s", rp->syms[i].name);
		/* the same name in two DSOs is one line of interest */
		sample_set_add(set, metric.buf, rp->syms[i].pct +
			       sample_set_value(set, metric.buf, 0), "%");
		n++;
	}
	strbuf_release(&metric);
}

int perf_report_parse(const char *buf, size_t len, const struct strvec *patterns,
		      unsigned top, struct sample_set *out, struct strbuf *why)
{
	struct report_parse rp = { .patterns = patterns, .why = why };
	struct sample_set set = SAMPLE_SET_INIT;
	int ret = -1;
	size_t i;

	if (for_each_line(buf, len, parse_report_line, &rp))
		goto out_free_syms;
	if (!rp.nr) {
		strbuf_addstr(why, "no samples in perf report output");
		goto out_free_syms;
	}
	sample_set_add(&set, "profile.pin_share_pct", rp.pin_share, "%");
	add_top_symbols(&rp, top, &set);
	merge_samples(out, &set);
	ret = 0;
out_free_syms:
	for (i = 0; i < rp.nr; i++)
		free(rp.syms[i].name);
	free(rp.syms);
	sample_set_clear(&set);
	return ret;
}
