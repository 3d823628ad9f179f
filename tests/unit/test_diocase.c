// SPDX-License-Identifier: GPL-2.0-only
#include "workloads/diocase.h"

#include <string.h>

#include "runner/matrix.h"
#include "tests/tap.h"
#include "workloads/diocase-internal.h"

#define FIX FIXTURE_DIR "/diocase/"

static int parse_text(const char *text, struct sample_set *s, struct strbuf *notes,
		      struct strbuf *why)
{
	return dio_case_parse(text, strlen(text), s, notes, why);
}

/* tests/fixtures/diocase: real output of `pinbench dio-case` on ext4 (the host's kernel) */
static void test_fixtures(void)
{
	struct sample_set s = SAMPLE_SET_INIT;
	struct strbuf buf = STRBUF_INIT, notes = STRBUF_INIT, why = STRBUF_INIT;
	const struct sample *leaked;

	ok(!strbuf_read_file(&buf, FIX "anon-ext4.json", 1 << 16), "the anon fixture reads");
	is_int(dio_case_parse(buf.buf, buf.len, &s, &notes, &why), 0, "and parses");
	is_double(sample_set_value(&s, "case.total_ios", 0), 1024, 0, "its I/Os");
	is_double(sample_set_value(&s, "case.iops", 0), 1024 / 0.1015219889995933, 1e-6,
		  "IOPS over the measured rounds' time");
	is_double(sample_set_value(&s, "pin.acquired_per_io", 0), 1010.0 / 1024, 1e-12,
		  "pins acquired per I/O, under the name fio's jobs have");
	is_double(sample_set_value(&s, "pin.released_per_io", 0), 1016.0 / 1024, 1e-12,
		  "pins released per I/O");
	is_double(sample_set_value(&s, "vmstat.nr_foll_pin_released", 0), 1016, 0,
		  "and the counter's delta");
	is_double(sample_set_value(&s, "case.bios_per_io", 0), (1033.0 + 29) / 1024, 1e-12,
		  "bios per I/O: requests and the bios merged into them");
	is_double(sample_set_value(&s, "case.disk_bytes_per_io", 0), 14192.0 * 512 / 1024, 1e-9,
		  "bytes on disk per I/O from the sectors");
	leaked = sample_set_find(&s, "case.leaked_pages");
	ok(leaked && leaked->available && leaked->value == 0, "the leak probe ran: no page pinned");
	ok(!sample_set_find(&s, "case.thp"), "thp: not a question this case asks");
	ok(!sample_set_find(&s, "case.zeroed_bytes_per_io"), "zeroed bytes: fault-mid's alone");
	is_int(notes.len, 0, "no notes");
	sample_set_clear(&s);

	strbuf_reset(&buf);
	ok(!strbuf_read_file(&buf, FIX "zero-src-ext4.json", 1 << 16), "the zero-src fixture reads");
	is_int(dio_case_parse(buf.buf, buf.len, &s, &notes, &why), 0, "and parses");
	leaked = sample_set_find(&s, "case.leaked_pages");
	ok(leaked && !leaked->available, "the zero page is not probed: unavailable, not 0");
	is_double(sample_set_value(&s, "case.zero_page_src", -1), 1, 0,
		  "the source was the zero page");
	sample_set_clear(&s);
	strbuf_release(&buf);
	strbuf_release(&notes);
	strbuf_release(&why);
}

static void test_hostile(void)
{
	static const char *const bad[][2] = {
		{ "not json", "garbage" },
		{ "[1, 2]", "an array" },
		{ "{\"case\": \"rm -rf\", \"ios\": 64, \"seconds\": 1}", "a case that does not exist" },
		{ "{\"case\": \"anon\", \"ios\": -64, \"seconds\": 1}", "a negative count" },
		{ "{\"case\": \"anon\", \"ios\": 64.5, \"seconds\": 1}", "a fractional count" },
		{ "{\"case\": \"anon\", \"ios\": 0, \"seconds\": 1}", "no I/Os" },
		{ "{\"case\": \"anon\", \"ios\": 64, \"seconds\": -1}", "negative time" },
		{ "{\"case\": \"anon\", \"ios\": 64}", "no time" },
		{ "{\"case\": \"anon\", \"ios\": 64, \"seconds\": 1, \"pins_released\": \"3\"}",
		  "a count as a string" },
		{ "{\"case\": \"anon\", \"ios\": 64, \"seconds\": 1, \"notes\": [1]}", "a note not text" },
		{ "{\"case\": \"anon\", \"case\": \"thp\", \"ios\": 64, \"seconds\": 1}", "a key twice" },
	};
	struct sample_set s = SAMPLE_SET_INIT;
	struct strbuf notes = STRBUF_INIT, why = STRBUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strbuf_reset(&why);
		ok(parse_text(bad[i][0], &s, &notes, &why) == -1 && why.len, bad[i][1]);
		sample_set_clear(&s);
	}
	is_int(parse_text("{\"case\": \"anon\", \"ios\": 64, \"seconds\": 1, \"leaked_pages\": 9, "
			  "\"probed_pages\": 1, \"notes\": [\"a\\u001b[2Jb\"]}", &s, &notes, &why),
	       0, "more leaked pages than probed ones parse");
	ok(!sample_set_find(&s, "case.leaked_pages")->available, "but are no figure");
	ok(!strchr(notes.buf, '\x1b'), "a note's escape sequence does not reach the terminal");
	ok(!sample_set_find(&s, "pin.released_per_io")->available,
	   "pins not measured are unavailable, never 0");
	sample_set_clear(&s);
	strbuf_release(&notes);
	strbuf_release(&why);
}

static void test_matrix(void)
{
	const struct strvec devs = { .v = (const char *[]){ "nvme", NULL }, .nr = 1 };
	const struct strvec fss = { .v = (const char *[]){ "vfat-512", "jfs", NULL }, .nr = 2 };
	struct config cfg;
	struct matrix m, again;
	struct strvec argv = STRVEC_INIT;

	config_init(&cfg);
	strvec_clear(&cfg.workloads);
	strvec_split(&cfg.workloads, "dio-cases");
	strvec_clear(&cfg.cases);
	strvec_split(&cfg.cases, "anon nosuch anon fault-mid");
	matrix_expand_on(&cfg, &devs, &fss, "none", &m);
	is_int(m.nr, 4, "2 known cases (one named twice, one unknown) x 2 filesystems, no fio job");
	is_str(m.jobs[0].name, "dio-anon@nvme:vfat-512", "a case job's name");
	is_str(m.jobs[0].dcase, "anon", "and its case");
	is_str(m.jobs[1].rw, "randwrite", "fault-mid writes");
	is_int(m.jobs[1].bs, 65536, "64 KiB at a time");
	is_str(m.jobs[2].fs, "jfs", "then the next filesystem");
	ok(strcmp(m.jobs[0].hash, m.jobs[2].hash), "the same case elsewhere is another job");
	like(m.jobs[0].canonical, "\"workload\":\"dio-cases\"", "the workload is in the canonical text");
	matrix_expand_on(&cfg, &devs, &fss, "none", &again);
	is_str(again.jobs[3].hash, m.jobs[3].hash, "same config, same hashes");
	matrix_release(&again);

	strvec_clear(&cfg.workloads);
	strvec_split(&cfg.workloads, "fio dio-cases");
	matrix_expand_on(&cfg, &devs, &fss, "none", &again);
	is_int(again.nr, 2 + 4, "with fio: its job per filesystem as well");
	ok(!again.jobs[0].dcase, "fio's jobs have no case");
	matrix_release(&again);

	dio_case_argv("/w/pinbench-agent", m.jobs[0].dcase, "/mnt/x", 250, &argv);
	is_int(argv.nr, 8, "the command line");
	is_str(argv.v[1], "dio-case", "runs this binary's dio-case");
	is_str(argv.v[7], "250", "for the time given");
	strvec_clear(&argv);
	matrix_release(&m);
	config_release(&cfg);
}

int main(void)
{
	test_fixtures();
	test_hostile();
	test_matrix();
	ok(dio_case_find("split-page") && !dio_case_find("split"), "cases are found by full name");
	for (size_t i = 0; dio_cases[i].name || dio_case_ops[i].name; i++)
		ok(dio_cases[i].name && dio_case_ops[i].name &&
		   !strcmp(dio_cases[i].name, dio_case_ops[i].name),
		   "every case the runner knows the program runs, in the same order");
	return done_testing();
}
