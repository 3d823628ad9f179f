// SPDX-License-Identifier: GPL-2.0-only
/*
 * The results bundle: records written by the agent's writer are read back
 * by the host's incremental reader, also while the file still grows and
 * when a line arrives in pieces; malformed lines are reported by number.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/strvec.h"
#include "runner/bundle.h"
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
	json_object_set_new(rec, "samples", bundle_samples_json(&set));
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
	append_raw(path.buf, "p\",\"samples\":[[\"a\",1,\"u\"]]}\nnot json\n[1,2]\n");
	bundle_read_new(&r, collect, &s);
	got = joined(&s);
	is_str(got, "hello rep ? ?", "the rest of it is, and bad lines come as NULL");
	free(got);
	is_int((int)s.bad_line, 4, "with their line number");
	append_raw(path.buf, "{\"t\":\"rep\",\"samples\":[[\"a\",\"x\",\"u\"]]}\n");
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

int main(void)
{
	char tmpl[] = "/tmp/pinbench-test-bundle.XXXXXX";
	char *dir = mkdtemp(tmpl);

	if (!dir)
		return 1;
	test_roundtrip(dir);
	test_pieces(dir);
	test_stop(dir);
	remove_tree(dir);
	return done_testing();
}
