// SPDX-License-Identifier: GPL-2.0-only
/*
 * The results bundle: records written by the agent's writer are read back
 * by the host's incremental reader, also while the file still grows and
 * when a line arrives in pieces; malformed lines are reported by number.
 * What the host accepts from a bundle (the guest may be hostile): names,
 * units and texts, numbers against the plan, records of exactly their form.
 */
#include <math.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/strvec.h"
#include "runner/bundle.h"
#include "common/strbuf.h"
#include "tests/tap.h"

struct seen {
	struct strvec types;
	unsigned bad_line;
	struct sample_set samples;
	int stop_after;
};

static int collect(json_t *rec, unsigned line, void *data)
{
	struct seen *s = data;
	struct strbuf why = STRBUF_INIT;
	const char *t;

	if (!rec) {
		s->bad_line = line;
		strvec_push(&s->types, "?");
		return 0;
	}
	t = json_string_value(json_object_get(rec, "t"));
	strvec_push(&s->types, t ? t : "(none)");
	if (t && !strcmp(t, "rep") &&
	    bundle_samples_parse(json_object_get(rec, "samples"), &s->samples, &why))
		strvec_push(&s->types, why.buf);
	strbuf_release(&why);
	return s->stop_after && s->types.nr == (size_t)s->stop_after ? 7 : 0;
}

static char *joined(struct seen *s)
{
	return strvec_join(&s->types, " ");
}

static void test_roundtrip(const char *dir)
{
	struct bundle_writer w = { -1, NULL };
	struct bundle_reader r;
	struct sample_set set = SAMPLE_SET_INIT;
	struct seen s = { STRVEC_INIT, 0, SAMPLE_SET_INIT, 0 };
	struct strbuf path = STRBUF_INIT;
	const struct sample *sm;
	json_t *rec;
	char *got;

	strbuf_addf(&path, "%s/b.jsonl", dir);
	bundle_reader_init(&r, path.buf);
	is_int(bundle_read_new(&r, collect, &s), 0, "a bundle not yet written reads as empty");
	is_int((int)s.types.nr, 0, "and gives no record");

	is_int(bundle_create(&w, path.buf), 0, "the writer creates the bundle");
	bundle_put(&w, json_pack("{s:s, s:s}", "t", "hello", "release", "6.12.57"));
	sample_set_add(&set, "fio.read.iops", 5123.5, "IO/s");
	sample_set_add_unavailable(&set, "perf.cycles", "count");
	sample_set_add(&set, "pin.released_per_io", 3, "pins/io");
	rec = json_pack("{s:s, s:s, s:i}", "t", "rep", "job", "abc", "rep", 1);
	json_object_set_new(rec, "samples", bundle_samples_json(&set, NULL));
	is_int(bundle_put(&w, rec), 0, "a repetition is appended");

	is_int(bundle_read_new(&r, collect, &s), 0, "the reader reads what is there");
	got = joined(&s);
	is_str(got, "hello rep", "both records, in order");
	free(got);
	is_int((int)s.samples.nr, 3, "three samples come back");
	sm = sample_set_find(&s.samples, "fio.read.iops");
	ok(sm && sm->available && sm->value == 5123.5 && !strcmp(sm->unit, "IO/s"),
	   "a value and its unit survive");
	sm = sample_set_find(&s.samples, "perf.cycles");
	ok(sm && !sm->available, "an unavailable value stays unavailable (null), never 0");

	bundle_put(&w, json_pack("{s:s, s:s}", "t", "end", "state", "done"));
	is_int(bundle_read_new(&r, collect, &s), 0, "a later call reads on");
	got = joined(&s);
	is_str(got, "hello rep end", "only the new record is added");
	free(got);
	is_int(bundle_read_new(&r, collect, &s), 0, "nothing new");
	is_int((int)s.types.nr, 3, "gives nothing");
	bundle_close(&w);

	bundle_reader_release(&r);
	strvec_clear(&s.types);
	sample_set_clear(&s.samples);
	sample_set_clear(&set);
	strbuf_release(&path);
}

static void append_raw(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);

	if (fd < 0 || write_all(fd, text, strlen(text)))
		abort();
	close(fd);
}

static void test_pieces(const char *dir)
{
	struct bundle_reader r;
	struct seen s = { STRVEC_INIT, 0, SAMPLE_SET_INIT, 0 };
	struct strbuf path = STRBUF_INIT;
	char *got;

	strbuf_addf(&path, "%s/pieces.jsonl", dir);
	bundle_reader_init(&r, path.buf);
	append_raw(path.buf, "{\"t\":\"hello\"}\n{\"t\":\"re");
	bundle_read_new(&r, collect, &s);
	got = joined(&s);
	is_str(got, "hello", "half a line is not handed out");
	free(got);
	append_raw(path.buf, "p\",\"samples\":[[\"fio.a\",1,\"u\"]]}\nnot json\n[1,2]\n");
	bundle_read_new(&r, collect, &s);
	got = joined(&s);
	is_str(got, "hello rep ? ?", "the rest of it is, and bad lines come as NULL");
	free(got);
	is_int((int)s.bad_line, 4, "with their line number");
	append_raw(path.buf, "{\"t\":\"rep\",\"samples\":[[\"fio.a\",\"x\",\"u\"]]}\n");
	bundle_read_new(&r, collect, &s);
	like(s.types.v[s.types.nr - 1], "sample 0 is not [metric, value, unit]",
	     "a sample with a string value is refused");
	bundle_reader_release(&r);
	strvec_clear(&s.types);
	sample_set_clear(&s.samples);
	strbuf_release(&path);
}

static void test_stop(const char *dir)
{
	struct bundle_reader r;
	struct seen s = { STRVEC_INIT, 0, SAMPLE_SET_INIT, 2 };
	struct strbuf path = STRBUF_INIT;
	char *got;

	strbuf_addf(&path, "%s/stop.jsonl", dir);
	append_raw(path.buf, "{\"t\":\"a\"}\n{\"t\":\"b\"}\n{\"t\":\"c\"}\n");
	bundle_reader_init(&r, path.buf);
	is_int(bundle_read_new(&r, collect, &s), 7, "a callback's non-zero stops the read");
	s.stop_after = 0;
	is_int(bundle_read_new(&r, collect, &s), 0, "the next read resumes");
	got = joined(&s);
	is_str(got, "a b c", "after the record it stopped at");
	free(got);
	bundle_reader_release(&r);
	strvec_clear(&s.types);
	strbuf_release(&path);
}

static int plan_job(const char *hash, void *data)
{
	(void)data;
	return !strcmp(hash, "0123456789abcdef");
}

static struct strvec probes = STRVEC_INIT;

static const struct bundle_expect plan = {
	"6.12.57", 2, 3, 4, 0, &probes, plan_job, NULL,
};

/* Does the check accept this record text? why gets the reason when not. */
static int accepted(const char *text, const struct bundle_expect *x, struct strbuf *why)
{
	json_error_t jerr;
	json_t *rec = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	int ret;

	strbuf_reset(why);
	if (!rec) {
		strbuf_addf(why, "json: %s", jerr.text);
		return 0;
	}
	ret = !bundle_check_record(rec, x, why);
	json_decref(rec);
	return ret;
}

#define REP(rep, samples) "{\"t\":\"rep\",\"job\":\"0123456789abcdef\",\"name\":\"j\"," \
	"\"rep\":" rep ",\"samples\":" samples "}"

static void refused_like(const char *text, const char *needle, const char *name)
{
	struct strbuf why = STRBUF_INIT;

	ok(!accepted(text, &plan, &why), name);
	like(why.buf, needle, "  and says why");
	strbuf_release(&why);
}

static void test_names(void)
{
	char longname[200];

	ok(bundle_metric_ok("fio.read.iops") && bundle_metric_ok("vmstat.nr_foll_pin_released") &&
	   bundle_metric_ok("profile.sym.gup_fast.constprop.0") &&
	   bundle_metric_ok("perf.task_clock") && bundle_metric_ok("dio.legacy_calls_per_io") &&
	   bundle_metric_ok("count.idle_mark_begin"),
	   "the collectors' metric names pass, and a counting boot's marks");
	{
		struct sample_set s = SAMPLE_SET_INIT;

		sample_set_add(&s, "fio.read.iops", 5, "IO/s");
		sample_set_add(&s, "cost.kernel_insns_per_io", 9000, "insn/io:pmu");
		ok(bundle_cost_rows_ok(BUNDLE_COUNT_PMU, 2, &s),
		   "the PMU's cost rows pass from a counting boot without the plugin");
		ok(!bundle_cost_rows_ok(BUNDLE_COUNT_TCG, 2, &s) &&
		   !bundle_cost_rows_ok(BUNDLE_MEASURED, 2, &s),
		   "but never from a plugin's counting boot or a measured repetition");
		sample_set_clear(&s);
		sample_set_add(&s, "cost.fn.folio_add_pin_insns_per_io", 30, "insn/io:pmu");
		sample_set_add(&s, "cost.kernel_insns_per_io", 1, "insn/io:tcg-count");
		ok(!bundle_cost_rows_ok(BUNDLE_COUNT_PMU, 2, &s),
		   "a counted row's unit is the host's to give: refused");
		sample_set_clear(&s);
		sample_set_add(&s, "cost.pin_path_share_pct", 4.5, "%:pmu-sampled");
		ok(bundle_cost_rows_ok(BUNDLE_MEASURED, 0, &s) &&
		   !bundle_cost_rows_ok(BUNDLE_MEASURED, 1, &s),
		   "a profile pass's sampled share passes in repetition 0 only");
		sample_set_clear(&s);
	}
	ok(!bundle_metric_ok("<script>alert(1)</script>"), "markup is no metric name");
	ok(!bundle_metric_ok("fio.read iops"), "nor is a name with a space");
	ok(!bundle_metric_ok("fio.x\n"), "nor one with a newline");
	ok(!bundle_metric_ok("secret.root_password"), "nor one outside the collectors' prefixes");
	ok(!bundle_metric_ok("fio."), "nor a bare prefix");
	ok(!bundle_metric_ok("fio.caf\xc3\xa9"), "nor one with non-ASCII letters");
	ok(!bundle_metric_ok("fio.\xff\xfe"), "nor invalid UTF-8");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	memcpy(longname, "fio.", 4);
	ok(!bundle_metric_ok(longname), "nor one longer than 128 bytes");
	longname[BUNDLE_METRIC_MAX] = '\0';
	ok(bundle_metric_ok(longname), "128 bytes are fine");

	ok(bundle_unit_ok("IO/s") && bundle_unit_ok("%") && bundle_unit_ok("pins/io") &&
	   bundle_unit_ok("msec"), "the collectors' units pass");
	ok(!bundle_unit_ok("") && !bundle_unit_ok("ns<b>") && !bundle_unit_ok("a b") &&
	   !bundle_unit_ok("abcdefghijklmnopq"), "empty, markup, space and 17 letters do not");
	ok(bundle_unit_ok("insn/io:pmu") && bundle_unit_ok("%:pmu-sampled"),
	   "a PMU cost row's unit names its source");

	ok(bundle_text_ok("fio: pid=12, err=5/file:io_u.c:1845, func=io_u error", 1024) &&
	   bundle_text_ok("\xc3\xbc\xe2\x82\xac", 1024), "a message, in UTF-8, passes");
	ok(!bundle_text_ok("a\nBcc: victim@example.com", 1024), "a newline does not");
	ok(!bundle_text_ok("\x1b[2J", 1024) && !bundle_text_ok("a\rb", 1024),
	   "nor an escape sequence or a CR");
	ok(!bundle_text_ok("\xc3\x28", 1024) && !bundle_text_ok("\xed\xa0\x80", 1024) &&
	   !bundle_text_ok("\xc0\xaf", 1024), "nor invalid, surrogate or overlong UTF-8");
	ok(!bundle_text_ok("\xc2\x9b" "31m", 1024), "nor a C1 control");
	ok(!bundle_text_ok("", 1024) && !bundle_text_ok("abcd", 3), "nor empty or too long");
}

static void test_clean(void)
{
	struct strbuf sb = STRBUF_INIT;

	bundle_clean_text(&sb, "line one\n\tline\x1b two\r", 1024);
	is_str(sb.buf, "line one line two", "the agent sends one clean line");
	ok(bundle_text_ok(sb.buf, 1024), "which the host accepts");
	strbuf_reset(&sb);
	bundle_clean_text(&sb, "ab\xc3\xbc", 3);
	is_str(sb.buf, "ab", "cut on a character, never inside one");
	strbuf_release(&sb);
}

static void test_records(void)
{
	struct strbuf why = STRBUF_INIT;
	struct bundle_expect one_off = plan;
	char *big;
	size_t i;

	strvec_push(&probes, "/etc/shadow");
	ok(accepted("{\"t\":\"hello\",\"release\":\"6.12.57\",\"version\":\"Linux version 6.12.57\","
		    "\"boot\":2,\"devices\":[{\"name\":\"nvme\",\"path\":\"/dev/nvme0n1\","
		    "\"model\":\"QEMU NVMe Ctrl\",\"serial\":\"pb-nvme\"}]}", &plan, &why),
	   "a hello of the planned kernel and boot is accepted");
	ok(accepted(REP("3", "[[\"fio.read.iops\",5.5,\"IO/s\"],[\"perf.cycles\",null,\"count\"]]"),
		    &plan, &why), "a repetition of the plan is accepted");
	ok(accepted("{\"t\":\"failed\",\"job\":\"0123456789abcdef\",\"name\":\"j\",\"rep\":4,"
		    "\"message\":\"fio: timed out\"}", &plan, &why), "so is a failed one");
	ok(accepted("{\"t\":\"flag\",\"job\":\"0123456789abcdef\",\"name\":\"j\","
		    "\"kind\":\"not_legacy_dio\",\"message\":\"no call\"}", &plan, &why),
	   "a flag");
	ok(accepted("{\"t\":\"end\",\"state\":\"done\",\"reason\":null,\"reps_done\":2,"
		    "\"reps_failed\":0}", &plan, &why), "an end");
	ok(accepted("{\"t\":\"end\",\"state\":\"done\",\"reason\":null,\"reps_done\":2,"
		    "\"reps_failed\":0,\"marks\":12}", &plan, &why), "an end with its marks");
	ok(accepted("{\"t\":\"probe\",\"path\":\"/etc/shadow\",\"result\":\"error: No such file\"}",
		    &plan, &why), "and a probe the host asked for");

	refused_like(REP("3", "[[\"<img src=x>\",1,\"IO/s\"]]"), "is not a metric name",
		     "a hostile metric name is refused");
	refused_like(REP("3", "[[\"fio.read.iops\",1,\"IO/s<b>\"]]"), "is not a unit",
		     "so is a hostile unit");
	refused_like(REP("3", "[[\"fio.read.iops\",1,\"IO/s\"],[\"fio.read.iops\",2,\"IO/s\"]]"),
		     "comes twice", "a metric twice in one repetition");
	refused_like(REP("3", "[[\"fio.read.iops\",1e400,\"IO/s\"]]"), "json:",
		     "a value past a double's range (inf) does not even parse");
	refused_like(REP("3", "[[\"fio.read.iops\",NaN,\"IO/s\"]]"), "json:", "nor does NaN");
	refused_like("{\"t\":\"failed\",\"job\":\"0123456789abcdef\",\"name\":\"j\",\"rep\":3,"
		     "\"message\":\"caf\xc3\"}", "json:", "invalid UTF-8 does not parse");
	refused_like(REP("2", "[]"), "rep 2 is not in 3..4", "a repetition before the boot's");
	refused_like(REP("5", "[]"), "rep 5 is not in 3..4", "a repetition after it");
	refused_like(REP("0", "[]"), "this boot runs repetitions 3..4",
		     "repetition 0 outside the one-off boot");
	one_off.one_off = 1;
	ok(accepted(REP("0", "[]"), &one_off, &why), "repetition 0 in the one-off boot");
	ok(!accepted("{\"t\":\"failed\",\"job\":\"0123456789abcdef\",\"name\":\"j\",\"rep\":0,"
		     "\"message\":\"x\"}", &one_off, &why), "but never as a failed repetition");
	refused_like(REP("-1", "[]"), "not in 3..4", "a negative repetition");
	refused_like(REP("\"3\"", "[]"), "field 'rep' is not an integer", "a repetition as a string");
	refused_like(REP("3.0", "[]"), "field 'rep' is not an integer", "or as a real");
	refused_like("{\"t\":\"rep\",\"job\":\"fedcba9876543210\",\"name\":\"j\",\"rep\":3,"
		     "\"samples\":[]}", "is not one of the plan's", "a job the plan does not have");
	refused_like("{\"t\":\"rep\",\"job\":\"0123456789ABCDEF\",\"name\":\"j\",\"rep\":3,"
		     "\"samples\":[]}", "is not one of the plan's", "a job hash in upper case");
	refused_like("{\"t\":\"hello\",\"release\":\"6.12.57\",\"boot\":1}", "boot 1 is not in 2..2",
		     "a hello of another boot");
	refused_like("{\"t\":\"hello\",\"release\":\"6.12.58\",\"boot\":2}",
		     "runs kernel '6.12.58', not 6.12.57", "a hello of another kernel");
	refused_like("{\"t\":\"hello\",\"release\":\"../../etc\",\"boot\":2}", "runs kernel",
		     "a release with a slash");
	refused_like("{\"t\":\"flag\",\"job\":\"0123456789abcdef\",\"name\":\"j\","
		     "\"kind\":\"Bcc: x\",\"message\":\"m\"}", "is not a lower-case word",
		     "a flag kind that is not a word");
	refused_like("{\"t\":\"flag\",\"job\":\"0123456789abcdef\",\"name\":\"j\","
		     "\"kind\":\"k\",\"message\":\"line\\nBcc: victim@example.com\"}",
		     "field 'message' is empty, longer than 1024 bytes, not UTF-8 or not printable",
		     "a flag message with a newline");
	refused_like("{\"t\":\"end\",\"state\":\"owned\",\"reps_done\":1,\"reps_failed\":0}",
		     "end state 'owned' is not one of ours", "an end state not ours");
	refused_like("{\"t\":\"probe\",\"path\":\"/root\",\"result\":\"readable\"}",
		     "nobody asked to probe '/root'", "a probe nobody asked for");
	refused_like("{\"t\":\"end\",\"state\":\"done\",\"reps_done\":1,\"reps_failed\":0,"
		     "\"metric\":\"x\"}", "unexpected field 'metric'", "a field a record does not have");
	refused_like("{\"t\":\"end\",\"state\":\"done\",\"reps_done\":1,\"reps_failed\":0,"
		     "\"marks\":-3}", "marks", "marks that are not a count");
	refused_like("{\"t\":\"end\",\"state\":\"done\",\"reps_done\":1}",
		     "field 'reps_failed' is missing", "a field missing");
	refused_like("{\"t\":\"password\",\"text\":\"hunter2\"}", "unknown record type",
		     "a record type not ours");

	/* over-long text: 1025 bytes of message */
	big = xmalloc(2200);
	strcpy(big, "{\"t\":\"failed\",\"job\":\"0123456789abcdef\",\"name\":\"j\",\"rep\":3,"
	       "\"message\":\"");
	for (i = strlen(big); i < 2000; i++)
		big[i] = 'x';
	strcpy(big + 2000, "\"}");
	refused_like(big, "longer than 1024 bytes", "a message longer than the cap");
	free(big);

	big = xmalloc(32 * (BUNDLE_SAMPLES_MAX + 2) + 200);
	strcpy(big, "{\"t\":\"rep\",\"job\":\"0123456789abcdef\",\"name\":\"j\",\"rep\":3,\"samples\":[");
	for (i = 0; i <= BUNDLE_SAMPLES_MAX; i++)
		sprintf(big + strlen(big), "%s[\"fio.m%zu\",1,\"ns\"]", i ? "," : "", i);
	strcat(big, "]}");
	refused_like(big, "more than 4096", "more samples than the cap");
	free(big);
	strbuf_release(&why);
	strvec_clear(&probes);
}

static void test_writer_nan(void)
{
	struct sample_set set = SAMPLE_SET_INIT, back = SAMPLE_SET_INIT;
	struct strbuf why = STRBUF_INIT;
	size_t dropped = 0;
	json_t *a;

	sample_set_add(&set, "fio.read.iops", NAN, "IO/s");
	sample_set_add(&set, "fio.write.iops", INFINITY, "IO/s");
	sample_set_add(&set, "profile.sym.operator new(unsigned long)", 1, "%");
	a = bundle_samples_json(&set, &dropped);
	is_int((int)dropped, 1, "the agent leaves out a sample the host would refuse");
	is_int(bundle_samples_parse(a, &back, &why), 0, "the rest reads back");
	ok(back.nr == 2 && !back.v[0].available && !back.v[1].available,
	   "NaN and inf travel as unavailable, never as a number");
	json_decref(a);
	sample_set_clear(&set);
	sample_set_clear(&back);
	strbuf_release(&why);
}

static void test_order(void)
{
	struct bundle_order o = { 0, 0 };

	is_str(bundle_order_take(&o, "rep"), "a record before the hello",
	       "a repetition before the hello is refused");
	ok(!bundle_order_take(&o, "hello"), "the hello comes first");
	is_str(bundle_order_take(&o, "hello"), "a second hello", "and once");
	ok(!bundle_order_take(&o, "rep") && !bundle_order_take(&o, "flag") &&
	   !bundle_order_take(&o, "end"), "then the rest, then the end");
	is_str(bundle_order_take(&o, "rep"), "a record after the end record",
	       "nothing is taken after the end");
}

static void test_hostile_file(const char *dir)
{
	struct bundle_reader r;
	struct seen s = { STRVEC_INIT, 0, SAMPLE_SET_INIT, 0 };
	struct strbuf path = STRBUF_INIT, line = STRBUF_INIT;
	char *got;
	size_t i;

	strbuf_addf(&path, "%s/link.jsonl", dir);
	if (symlink("/etc/shadow", path.buf))
		abort();
	bundle_reader_init(&r, path.buf);
	is_int(bundle_read_new(&r, collect, &s), -1, "a bundle that is a symlink is not followed");
	is_int((int)s.types.nr, 0, "and nothing is read through it");
	bundle_reader_release(&r);

	strbuf_reset(&path);
	strbuf_addf(&path, "%s/fifo.jsonl", dir);
	if (mkfifo(path.buf, 0600))
		abort();
	bundle_reader_init(&r, path.buf);
	is_int(bundle_read_new(&r, collect, &s), -1, "a FIFO is refused, without blocking");
	bundle_reader_release(&r);

	strbuf_reset(&path);
	strbuf_addf(&path, "%s/long.jsonl", dir);
	for (i = 0; i <= BUNDLE_LINE_MAX / 8; i++)
		strbuf_addstr(&line, "xxxxxxxx");
	append_raw(path.buf, line.buf);
	bundle_reader_init(&r, path.buf);
	bundle_read_new(&r, collect, &s);
	got = joined(&s);
	is_str(got, "?", "a line past 1 MiB is handed out as bad before it ends");
	free(got);
	append_raw(path.buf, "yyyy\n{\"t\":\"end\"}\n");
	bundle_read_new(&r, collect, &s);
	got = joined(&s);
	is_str(got, "? end", "its rest is skipped; the next line reads");
	free(got);
	is_int((int)r.partial.len, 0, "and nothing of it is kept");
	bundle_reader_release(&r);
	strvec_clear(&s.types);
	strbuf_release(&path);
	strbuf_release(&line);
}

int main(void)
{
	char tmpl[] = "/tmp/pinbench-test-bundle.XXXXXX";
	char *dir = mkdtemp(tmpl);

	if (!dir)
		return 1;
	test_roundtrip(dir);
	test_pieces(dir);
	test_stop(dir);
	test_names();
	test_clean();
	test_records();
	test_writer_nan();
	test_order();
	test_hostile_file(dir);
	remove_tree(dir);
	return done_testing();
}
