// SPDX-License-Identifier: GPL-2.0-only
#include "collectors/perf.h"

#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "tests/tap.h"

#define FIX FIXTURE_DIR "/perf/"

/* profile_symbols' default in common/config.c */
static const char *default_globs =
	"*get_user_pages* pin_user_pages* unpin_user_page* folio_add_pin bio_release_pages "
	"__blockdev_direct_IO dio_* iov_iter_extract_pages iov_iter_get_pages*";

static void read_fixture(const char *path, struct strbuf *sb)
{
	strbuf_reset(sb);
	if (strbuf_read_file(sb, path, 0))
		ok(0, path);
}

static void check_sample(const struct sample_set *set, const char *metric, double value,
			 const char *unit)
{
	const struct sample *s = sample_set_find(set, metric);

	ok(s && s->available, metric);
	is_double(s ? s->value : -1, value, 1e-9, metric);
	is_str(s ? s->unit : NULL, unit, metric);
}

static void check_unavailable(const struct sample_set *set, const char *metric)
{
	const struct sample *s = sample_set_find(set, metric);

	ok(s && !s->available, metric);
}

static void test_stat_fixtures(void)
{
	struct strbuf buf = STRBUF_INIT, why = STRBUF_INIT;
	struct sample_set set = SAMPLE_SET_INIT;

	read_fixture(FIX "stat-fio.csv", &buf);
	is_int(perf_stat_parse(buf.buf, buf.len, &set, &why), 0, "perf stat of fio parses");
	check_sample(&set, "perf.task_clock", 710.01, "msec");
	check_sample(&set, "perf.context_switches", 8701, "count");
	check_sample(&set, "perf.page_faults", 2964, "count");
	check_unavailable(&set, "perf.cycles");
	check_unavailable(&set, "perf.instructions");
	is_int(set.nr, 5, "one sample per event");
	/* per I/O: what a slower kernel cannot make look cheaper by doing less I/O */
	perf_per_io(&set, 1000);
	check_sample(&set, "perf.task_clock_ns_per_io", 710.01e6 / 1000, "ns/io");
	check_sample(&set, "perf.context_switches_per_io", 8.701, "count/io");
	check_unavailable(&set, "perf.cycles_per_io");
	is_int(set.nr, 10, "one per-I/O row per event");
	perf_per_io(&set, 1000);
	is_int(set.nr, 10, "and none of a per-I/O row");
	ok(!metric_direction("perf.task_clock") && metric_direction("perf.task_clock_ns_per_io") < 0 &&
	   !metric_direction("fio.usr_cpu") && metric_direction("fio.usr_cpu_ns_per_io") < 0 &&
	   !metric_direction("cost.pin_path_share_pct"),
	   "totals and percentages over a fixed runtime have no better side; per I/O less is better");
	sample_set_clear(&set);
	read_fixture(FIX "stat-fio.csv", &buf);
	perf_stat_parse(buf.buf, buf.len, &set, &why);
	perf_per_io(&set, 0);
	check_unavailable(&set, "perf.task_clock_ns_per_io");
	sample_set_clear(&set);

	read_fixture(FIX "stat-modifiers.csv", &buf);
	is_int(perf_stat_parse(buf.buf, buf.len, &set, &why), 0, "modifiers parse");
	check_sample(&set, "perf.cpu_clock_u", 798.32, "msec");
	check_sample(&set, "perf.major_faults", 0, "count");
	check_unavailable(&set, "perf.cycles_u");
	sample_set_clear(&set);
	strbuf_release(&buf);
	strbuf_release(&why);
}

static void stat_fails(const char *text, const char *want, const char *name)
{
	struct sample_set set = SAMPLE_SET_INIT;
	struct strbuf why = STRBUF_INIT;

	is_int(perf_stat_parse(text, strlen(text), &set, &why), -1, name);
	like(why.buf, want, name);
	is_int(set.nr, 0, "nothing added on error");
	sample_set_clear(&set);
	strbuf_release(&why);
}

static void test_stat_errors(void)
{
	struct sample_set set = SAMPLE_SET_INIT;
	struct strbuf why = STRBUF_INIT;
	const char *pmu = "# started\n12,,cpu/event=0x3c,umask=0x0/u,1000,100.00,,\n";

	stat_fails("1.0,msec,task-clock,1,100.00,,\n710.01,msec,task-clock\n",
		   "line 2: expected 'value,unit,event,run-time,percent'", "too few fields");
	stat_fails("abc,,cycles,0,100.00,,\n", "line 1: value 'abc' of 'cycles'", "not a number");
	stat_fails("# started on Tue Nov 24 18:46:08 2026\n\n", "no counters in perf stat output",
		   "comments only");
	stat_fails("", "no counters", "empty");

	is_int(perf_stat_parse(pmu, strlen(pmu), &set, &why), 0, "comma inside a PMU event");
	check_sample(&set, "perf.cpu_event_0x3c_umask_0x0_u", 12, "count");
	sample_set_clear(&set);
	strbuf_release(&why);
}

static void test_report_fixture(void)
{
	struct strbuf buf = STRBUF_INIT, why = STRBUF_INIT;
	struct strvec globs = STRVEC_INIT;
	struct sample_set set = SAMPLE_SET_INIT;

	read_fixture(FIX "report-fio-libaio.txt", &buf);
	strvec_split(&globs, default_globs);
	is_int(perf_report_parse(buf.buf, buf.len, &globs, 4, &set, &why), 0,
	       "perf report of fio (libaio qd16) parses");
	/* the 6.18 ext4 iomap path pins with iov_iter_extract_pages */
	check_sample(&set, "profile.pin_share_pct", 0.05, "%");
	ok(sample_set_value(&set, "profile.pin_share_pct", 0) > 0, "pin share is measurable");
	check_sample(&set, "profile.sym.pvm_irq_enable", 27.41, "%");
	check_sample(&set, "profile.sym.iowrite16", 24.38, "%");
	check_sample(&set, "profile.sym.syscall", 5.47, "%");
	/* 0x000000000000079d (3.93 %) is an unresolved address: skipped */
	check_sample(&set, "profile.sym.ext4_file_read_iter", 1.22, "%");
	ok(!sample_set_find(&set, "profile.sym.0x000000000000079d"), "no address as a name");
	is_int(set.nr, 5, "share plus the top 4");
	sample_set_clear(&set);

	/* what the running kernel pins and unpins with, beyond the defaults */
	strvec_split(&globs, "unpin_user_folio* bio_iov_iter_get_pages*");
	ok(!perf_report_parse(buf.buf, buf.len, &globs, 0, &set, &why), "extra globs");
	is_double(sample_set_value(&set, "profile.pin_share_pct", -1), 0.23, 1e-9,
		  "iov_iter_extract_pages + bio_iov_iter_get_pages + unpin_user_folio");
	is_int(set.nr, 1, "top 0: share only");
	sample_set_clear(&set);
	strvec_clear(&globs);

	/* a glob matches the name without the compiler's .isra.0 / .part.0 */
	strvec_split(&globs, "blk_mq_rq_ctx_init virtblk_prep_rq");
	ok(!perf_report_parse(buf.buf, buf.len, &globs, 0, &set, &why), "suffix globs");
	is_double(sample_set_value(&set, "profile.pin_share_pct", -1), 0.54, 1e-9,
		  "blk_mq_rq_ctx_init.isra.0 + virtblk_prep_rq.isra.0");
	sample_set_clear(&set);
	strvec_clear(&globs);

	strvec_push(&globs, "*");
	ok(!perf_report_parse(buf.buf, buf.len, &globs, 0, &set, &why), "match all");
	is_double(sample_set_value(&set, "profile.pin_share_pct", -1), 100.54, 1e-6,
		  "every one of the 233 lines summed (perf rounds each)");
	sample_set_clear(&set);
	strvec_clear(&globs);
	strbuf_release(&buf);
	strbuf_release(&why);
}

static void report_fails(const char *text, const char *want, const char *name)
{
	struct strvec globs = STRVEC_INIT;
	struct sample_set set = SAMPLE_SET_INIT;
	struct strbuf why = STRBUF_INIT;

	strvec_split(&globs, default_globs);
	is_int(perf_report_parse(text, strlen(text), &globs, 10, &set, &why), -1, name);
	like(why.buf, want, name);
	is_int(set.nr, 0, "nothing added on error");
	sample_set_clear(&set);
	strvec_clear(&globs);
	strbuf_release(&why);
}

static void test_report_errors(void)
{
	struct strbuf buf = STRBUF_INIT;

	read_fixture(FIX "report-no-samples.txt", &buf);
	report_fails(buf.buf, "no samples in perf report output", "perf report without samples");
	report_fails("# x\n    12.34%  [k] foo\n    1.00%  bar\n",
		     "line 3: expected 'PERCENT%  [x] symbol'", "no [k]");
	report_fails("    12.34%     1.00%  [k] foo\n", "line 1:", "children column");
	report_fails("    12.34%  [k] \n", "line 1:", "no symbol");
	report_fails("oops\n", "line 1:", "garbage");
	strbuf_release(&buf);
}

static void is_argv(const struct strvec *got, const char *const *want, const char *name)
{
	size_t i;
	int same = 1;

	for (i = 0; want[i] && same; i++)
		same = i < got->nr && !strcmp(got->v[i], want[i]);
	ok(same && got->nr == i && !got->v[i], name);
}

static void test_argv(void)
{
	struct strvec events = STRVEC_INIT, work = STRVEC_INIT, argv = STRVEC_INIT;

	strvec_split(&events, "task-clock context-switches");
	strvec_split(&work, "fio --name=x --direct=1");
	perf_stat_argv(&events, "/w/perf-stat.csv", &work, &argv);
	is_argv(&argv, (const char *[]){ "perf", "stat", "-x", ",", "-o", "/w/perf-stat.csv",
		"-e", "task-clock,context-switches", "--", "fio", "--name=x", "--direct=1", NULL },
		"perf stat argv");
	strvec_clear(&argv);

	perf_record_argv("/w/p.data", "cpu-clock", &work, &argv);
	is_argv(&argv, (const char *[]){ "perf", "record", "-e", "cpu-clock", "-F", "999",
		"-o", "/w/p.data", "--", "fio", "--name=x", "--direct=1", NULL },
		"perf record argv: the workload only, no -a");
	strvec_clear(&argv);
	perf_record_argv("/w/p.data", "cycles", &work, &argv);
	is_argv(&argv, (const char *[]){ "perf", "record", "-e", "cycles", "-F", "999",
		"-o", "/w/p.data", "--", "fio", "--name=x", "--direct=1", NULL },
		"perf record argv with a PMU: cycles");
	strvec_clear(&argv);

	perf_report_argv("/w/p.data", &argv);
	is_argv(&argv, (const char *[]){ "perf", "report", "-i", "/w/p.data", "--stdio",
		"--sort", "sym", "--no-children", "-g", "none", "--percent-limit", "0", NULL },
		"perf report argv");
	strvec_clear(&argv);
	strvec_clear(&events);
	strvec_clear(&work);
}

static void test_probe(void)
{
	struct perf_caps caps;
	struct strbuf want = STRBUF_INIT;
	char *path = xstrdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");

	perf_probe(&caps);
	if (!strbuf_read_file(&want, "/proc/sys/kernel/perf_event_paranoid", 0))
		is_int(caps.paranoid, atoi(want.buf), "paranoid read from /proc");
	/* this project's machines are root with perf installed: it must work */
	ok(caps.usable, "perf usable here");
	is_str(caps.why.buf, "", "no complaint when usable");
	ok(caps.hw_events == 0 || caps.hw_events == 1, "hw_events is a flag");
	perf_caps_release(&caps);

	setenv("PATH", "/nonexistent", 1);
	perf_probe(&caps);
	setenv("PATH", path, 1);
	ok(!caps.usable && !caps.hw_events, "no perf: unusable");
	is_str(caps.why.buf, "perf not found (Debian package linux-perf)", "says what to install");
	perf_caps_release(&caps);
	strbuf_release(&want);
	free(path);
}

int main(void)
{
	test_stat_fixtures();
	test_stat_errors();
	test_report_fixture();
	test_report_errors();
	test_argv();
	test_probe();
	return done_testing();
}
