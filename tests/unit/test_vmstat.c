// SPDX-License-Identifier: GPL-2.0-only
#include "collectors/vmstat.h"

#include <string.h>

#include "common/strbuf.h"
#include "tests/tap.h"

#define FIX FIXTURE_DIR "/vmstat/"

/* tests/fixtures/vmstat: the 1 s fio run between the snapshots did 12318 I/Os */
#define FIO_TOTAL_IOS 12318.0

static void test_parse_fixture(void)
{
	struct vmstat snap = VMSTAT_INIT;
	struct strbuf why = STRBUF_INIT;
	unsigned long long v = 0;

	is_int(vmstat_read(FIX "before.txt", &snap, &why), 0, "real /proc/vmstat parses");
	is_int(snap.names.nr, 192, "all 192 counters read");
	is_str(snap.names.v[0], "nr_free_pages", "first counter in file order");
	ok(!vmstat_get(&snap, "nr_foll_pin_acquired", &v) && v == 118479,
	   "nr_foll_pin_acquired before the run");
	ok(!vmstat_get(&snap, "nr_unstable", &v) && v == 0, "last line, zero value");
	is_int(vmstat_get(&snap, "no_such_counter", &v), -1, "missing counter is -1");
	vmstat_release(&snap);
	is_int(snap.names.nr, 0, "release empties the snapshot");
	strbuf_release(&why);
}

static void check_unavailable(const struct sample_set *set, const char *metric)
{
	const struct sample *s = sample_set_find(set, metric);

	ok(s && !s->available, metric);
}

static void test_deltas(void)
{
	struct vmstat before = VMSTAT_INIT, after = VMSTAT_INIT;
	struct strvec counters = STRVEC_INIT;
	struct sample_set set = SAMPLE_SET_INIT;
	struct strbuf why = STRBUF_INIT;
	const struct sample *s;

	ok(!vmstat_read(FIX "before.txt", &before, &why) &&
	   !vmstat_read(FIX "after.txt", &after, &why), "fixtures read");
	strvec_split(&counters, "nr_foll_pin_acquired nr_foll_pin_released pgfault "
		     "nr_anon_pages no_such_counter");
	vmstat_deltas(&before, &after, &counters, FIO_TOTAL_IOS, &set);

	s = sample_set_find(&set, "vmstat.nr_foll_pin_acquired");
	ok(s && s->available, "acquired delta available");
	is_double(s ? s->value : -1, 12308, 0, "acquired delta = 130787 - 118479");
	is_str(s ? s->unit : NULL, "count", "counter unit");
	is_double(sample_set_value(&set, "vmstat.nr_foll_pin_released", -1), 12307, 0,
		  "released delta = 130786 - 118479");
	is_double(sample_set_value(&set, "vmstat.pgfault", -1), 3213, 0, "pgfault delta");
	check_unavailable(&set, "vmstat.nr_anon_pages");	/* 2307 -> 2291 */
	check_unavailable(&set, "vmstat.no_such_counter");

	s = sample_set_find(&set, "pin.acquired_per_io");
	ok(s && s->available, "pins per I/O computed");
	is_double(s ? s->value : -1, 12308.0 / 12318.0, 1e-12, "acquired per io");
	is_str(s ? s->unit : NULL, "pins/io", "per-io unit");
	is_double(sample_set_value(&set, "pin.released_per_io", -1), 12307.0 / 12318.0, 1e-12,
		  "released per io");
	is_int(set.nr, 7, "five counters and two ratios");
	sample_set_clear(&set);

	vmstat_deltas(&before, &after, &counters, 0, &set);
	check_unavailable(&set, "pin.acquired_per_io");
	check_unavailable(&set, "pin.released_per_io");
	is_double(sample_set_value(&set, "vmstat.pgfault", -1), 3213, 0,
		  "counters still stored without I/O count");

	sample_set_clear(&set);
	strvec_clear(&counters);
	vmstat_release(&before);
	vmstat_release(&after);
	strbuf_release(&why);
}

/* A kernel without the pin counters must record "unavailable", never 0. */
static void test_kernel_without_pin_counters(void)
{
	struct vmstat before = VMSTAT_INIT, after = VMSTAT_INIT;
	struct strvec counters = STRVEC_INIT;
	struct sample_set set = SAMPLE_SET_INIT;
	struct strbuf why = STRBUF_INIT;
	unsigned long long v;

	ok(!vmstat_read(FIX "before.txt", &before, &why) &&
	   !vmstat_read(FIX "after-no-pin.txt", &after, &why), "no-pin fixture reads");
	is_int(vmstat_get(&after, "nr_foll_pin_released", &v), -1, "counter really absent");
	strvec_split(&counters, "nr_foll_pin_acquired,nr_foll_pin_released,pgfault");
	vmstat_deltas(&before, &after, &counters, FIO_TOTAL_IOS, &set);
	check_unavailable(&set, "vmstat.nr_foll_pin_acquired");
	check_unavailable(&set, "vmstat.nr_foll_pin_released");
	check_unavailable(&set, "pin.acquired_per_io");
	check_unavailable(&set, "pin.released_per_io");
	is_double(sample_set_value(&set, "vmstat.pgfault", -1), 3213, 0,
		  "other counters unaffected");
	sample_set_clear(&set);
	strvec_clear(&counters);
	vmstat_release(&before);
	vmstat_release(&after);
	strbuf_release(&why);
}

static void parse_fails(const char *text, const char *want, const char *name)
{
	struct vmstat snap = VMSTAT_INIT;
	struct strbuf why = STRBUF_INIT;

	is_int(vmstat_parse(text, strlen(text), &snap, &why), -1, name);
	like(why.buf, want, name);
	is_int(snap.names.nr, 0, "nothing kept after an error");
	vmstat_release(&snap);
	strbuf_release(&why);
}

static void test_malformed(void)
{
	struct vmstat snap = VMSTAT_INIT;
	struct strbuf why = STRBUF_INIT;
	unsigned long long v = 0;

	parse_fails("pgfault 12\nbogus\n", "line 2: expected 'name value'", "one field");
	parse_fails("a 1\nb 2\nc 3 4\n", "line 3: expected 'name value'", "three fields");
	parse_fails("a 1\n\nb 2\n", "line 2: expected", "blank line");
	parse_fails("a 1\nb x1\n", "line 2: value 'x1' of 'b'", "non-numeric value");
	parse_fails("a -1\n", "line 1: value '-1'", "negative value");
	parse_fails("a 99999999999999999999999\n", "line 1: value", "overflow");
	parse_fails("", "no counters", "empty input");

	ok(!vmstat_parse("a 1\nb 18446744073709551615", 26, &snap, &why),
	   "last line without newline");
	ok(!vmstat_get(&snap, "b", &v) && v == 18446744073709551615ULL, "full 64-bit value");
	vmstat_release(&snap);

	is_int(vmstat_read("tests/fixtures/vmstat/missing", &snap, &why), -1, "missing file");
	like(why.buf, "cannot read 'tests/fixtures/vmstat/missing'", "names the file");
	strbuf_release(&why);
}

int main(void)
{
	test_parse_fixture();
	test_deltas();
	test_kernel_without_pin_counters();
	test_malformed();
	return done_testing();
}
