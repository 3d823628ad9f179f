// SPDX-License-Identifier: GPL-2.0-only
#include "runner/cost.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/strbuf.h"
#include "kernels/ksyms.h"
#include "runner/marker.h"
#include "tests/tap.h"

/*
 * Functions of this very binary under the kernel's names: its own symbol
 * table (gcc's, real) stands in for a vmlinux.
 */
#define FAKE_FN(name) __attribute__((noinline, used)) int name(int x) { return x * 3 + 1; }
FAKE_FN(asm_sysvec_apic_timer_interrupt)
FAKE_FN(native_irq_return_iret)
FAKE_FN(entry_SYSCALL_64)
FAKE_FN(asm_exc_page_fault)
FAKE_FN(asm_exc_nmi)
FAKE_FN(folio_add_pin)
FAKE_FN(submit_bio)
FAKE_FN(fake_schedule)

static char tmp[] = "/tmp/pinbench-test-cost.XXXXXX";
static char self[4096];
static uint64_t bias;		/* where it runs minus where it was linked */	/* this binary: /proc/self/exe resolved (vmlinux is never a link) */

static char *path_in_tmp(const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s/%s", tmp, name);
	return strbuf_detach(&sb, NULL);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static void test_ksyms(void)
{
	struct strbuf why = STRBUF_INIT;
	struct ksyms ks;
	const struct ksym *s, *t;
	char *junk = path_in_tmp("junk");

	is_int(ksyms_load(self, &ks, &why), 0, "this test's own ELF symbol table reads");
	s = ksyms_find(&ks, "folio_add_pin");
	t = ksyms_find(&ks, "submit_bio");
	/* a PIE runs elsewhere than it was linked: the distance between two functions holds */
	ok(s && t && s->addr - t->addr == (uintptr_t)folio_add_pin - (uintptr_t)submit_bio &&
	   s->size > 0, "a function: its address and size");
	bias = s ? (uintptr_t)folio_add_pin - s->addr : 0;
	ok(!ksyms_find(&ks, "no_such_function_here"), "a name that is not there");
	ksyms_release(&ks);
	write_text(junk, "not an ELF file at all, just text\n");
	is_int(ksyms_load(junk, &ks, &why), -1, "a text file is refused");
	like(why.buf, "not an ELF64 file", "and says it is not ELF");
	strbuf_reset(&why);
	is_int(ksyms_load("/nonexistent/vmlinux", &ks, &why), -1, "a missing vmlinux is refused");
	like(why.buf, "/nonexistent/vmlinux", "naming the file");
	strbuf_release(&why);
	free(junk);
}

static void test_plan(void)
{
	struct strvec fns = STRVEC_INIT, waits = STRVEC_INIT;
	struct strbuf why = STRBUF_INIT, text = STRBUF_INIT;
	struct cost_plan plan;
	char *ranges = path_in_tmp("ranges"), line[256];
	FILE *f;
	int timer = 0, iret = 0, sysc = 0, entries = 0, nmi = 0, nfn = 0, nwait = 0, sched = 0;

	strvec_pushl(&fns, "folio_add_pin", "get_page", "submit_bio", "folio_add_pin", NULL);
	strvec_pushl(&waits, "fake_sched*", "folio_add_*", NULL);
	is_int(cost_plan_write(self, &fns, &waits, ranges, &plan, &why), 0,
	       "ranges from a real symbol table");
	is_int(plan.fns.nr, 2, "the two functions it has are counted");
	is_str(plan.fns.v[0], "folio_add_pin", "in the config's order");
	ok(plan.missing.nr == 2 && !strcmp(plan.missing.v[0], "get_page"),
	   "get_page (not there) and the repeated name are missing");
	f = fopen(ranges, "r");
	ok(f && fgets(line, sizeof(line), f) && !strcmp(line, "pinbench-ranges 1\n"),
	   "the ranges file starts with its header");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long a = strtoull(strchr(line, ' ') + 1, NULL, 16) + bias;

		nfn += !strncmp(line, "fn ", 3);
		nwait += !strncmp(line, "wait ", 5);
		sched += !strncmp(line, "wait ", 5) && a == (uintptr_t)fake_schedule;
		timer += !strncmp(line, "timer ", 6) &&
			 a == (uintptr_t)asm_sysvec_apic_timer_interrupt;
		iret += !strncmp(line, "iret ", 5) && a == (uintptr_t)native_irq_return_iret;
		sysc += !strncmp(line, "syscall ", 8) && a == (uintptr_t)entry_SYSCALL_64;
		entries += !strncmp(line, "entry ", 6) && a == (uintptr_t)asm_exc_page_fault;
		nmi += a == (uintptr_t)asm_exc_nmi;
	}
	if (f)
		fclose(f);
	ok(nfn == 2 && timer == 1 && iret == 1 && sysc == 1,
	   "two ranges, the timer entry, the iret and the syscall entry at their addresses");
	ok(entries == 1 && !nmi, "an exception entry is listed, the NMI's (own iret) is not");
	ok(nwait == 1 && sched == 1,
	   "a wait glob's function is a wait range; one counted on its own is not");
	cost_plan_release(&plan);
	/* a kernel that lacks the entry points cannot be counted */
	strbuf_reset(&why);
	is_int(cost_plan_write("/bin/true", &fns, &waits, ranges, &plan, &why), -1,
	       "a binary without the kernel's entry symbols is refused");
	like(why.buf, "has no symbol", "saying which symbol is missing");
	strvec_clear(&fns);
	strvec_clear(&waits);
	strbuf_release(&why);
	strbuf_release(&text);
	free(ranges);
}

/* The plugin's format: kernel, user, timer, wait, wait in timers, then two functions. */
static const char counts[] =
	"pinbench-count 2 fns 2\n"
	"mark 1 1000 500 0 0 0 10 0\n"				/* run begins */
	"mark 2 1101000 400500 100000 200000 20000 20010 5000\n"	/* run ends */
	"mark 3 1102000 401000 100000 200000 20000 20010 5000\n"	/* idle begins */
	"mark 4 1202000 601000 150000 230000 30000 20030 5005\n"	/* idle ends */
	"end 4\n";

static void add(struct sample_set *s, const char *m, double v)
{
	sample_set_add(s, m, v, "x");
}

static void test_rows(void)
{
	char *out = path_in_tmp("counts");
	struct strbuf why = STRBUF_INIT;
	struct strvec fns = STRVEC_INIT, cfg = STRVEC_INIT;
	struct cost_plan plan = { STRVEC_INIT, STRVEC_INIT };
	struct sample_set rep = SAMPLE_SET_INIT, rows = SAMPLE_SET_INIT;
	struct cost_marks m;
	const struct sample *s;

	write_text(out, counts);
	is_int(cost_marks_read(out, 2, &m, &why), 0, "the plugin's output reads");
	ok(m.nr == 4 && m.ended && m.end_marks == 4, "four marks and the end");
	strvec_pushl(&plan.fns, "folio_add_pin", "submit_bio", NULL);
	strvec_pushl(&cfg, "folio_add_pin", "get_page", "submit_bio", NULL);
	add(&rep, "count.mark_begin", 1);
	add(&rep, "count.mark_end", 2);
	add(&rep, "count.seconds", 1.0);
	add(&rep, "fio.total_ios", 1001);
	add(&rep, "count.idle_mark_begin", 3);
	add(&rep, "count.idle_mark_end", 4);
	add(&rep, "count.idle_seconds", 1.0);
	add(&rep, "count.idle_ios", 1);
	is_int(cost_rows(&m, &plan, &cfg, &rep, 8192, &rows, &why), 0, "rows of a repetition");
	/* per I/O beyond the idle run's: kernel 1000, timer 50, waiting 170 - 10 in timers */
	is_double(sample_set_value(&rows, "cost.kernel_insns_per_io", -1), 790.0, 1e-9,
		  "kernel: the idle run, timer interrupts and waiting taken out");
	is_double(sample_set_value(&rows, "cost.wait_insns_per_io", -1), 160.0, 1e-9,
		  "waiting: outside timer interrupts, per I/O");
	is_double(sample_set_value(&rows, "cost.user_insns_per_io", -1), 200.0, 1e-9,
		  "user: the idle run taken out");
	is_double(sample_set_value(&rows, "cost.fn.folio_add_pin_insns_per_io", -1), 19.98, 1e-9,
		  "a function's own instructions per I/O");
	is_double(sample_set_value(&rows, "cost.fn.submit_bio_insns_per_io", -1), 4.995, 1e-9,
		  "another (the idle run's I/O taken out too)");
	s = sample_set_find(&rows, "cost.fn.get_page_insns_per_io");
	ok(s && !s->available, "a function the kernel lacks is unavailable, never 0");
	is_double(sample_set_value(&rows, "cost.pin_path_insns_per_io", -1), 24.975, 1e-9,
		  "the pin path: the functions summed");
	is_double(sample_set_value(&rows, "cost.pin_path_insns_per_page", -1), 12.4875, 1e-9,
		  "per page: 8 KiB I/Os are two pages");
	is_double(sample_set_value(&rows, "cost.pin_path_share_pct", -1), 100 * 24.975 / 790, 1e-9,
		  "its share of the kernel's instructions");
	is_double(sample_set_value(&rows, "cost.role.grab_insns_per_io", -1), 19.98, 1e-9,
		  "folio_add_pin's role is grab");
	is_double(sample_set_value(&rows, "cost.role.bio_insns_per_io", -1), 4.995, 1e-9,
		  "submit_bio's is bio");
	ok(!sample_set_find(&rows, "cost.role.extract_insns_per_io"),
	   "a role none of the kernel's functions has is not a row");
	s = sample_set_find(&rows, "cost.kernel_insns_per_io");
	is_str(s ? s->unit : "", "insn/io:tcg-count", "the unit names the source");
	sample_set_clear(&rows);

	/* marks the plugin never saw: someone else's numbering */
	add(&rep, "count.mark_end", 9);
	is_int(cost_rows(&m, &plan, &cfg, &rep, 4096, &rows, &why), -1,
	       "a repetition naming a mark beyond the plugin's is refused");
	like(why.buf, "did not see", "and says so");
	sample_set_clear(&rows);
	/* no idle run (it failed): unavailable rows */
	sample_set_clear(&rep);
	add(&rep, "count.mark_begin", 1);
	add(&rep, "count.mark_end", 2);
	add(&rep, "count.seconds", 1.0);
	add(&rep, "fio.total_ios", 1001);
	is_int(cost_rows(&m, &plan, &cfg, &rep, 4096, &rows, &why), 0, "without an idle run");
	s = sample_set_find(&rows, "cost.kernel_insns_per_io");
	ok(s && !s->available, "the rows are unavailable");
	sample_set_clear(&rows);
	sample_set_clear(&rep);
	cost_marks_release(&m);
	strvec_clear(&plan.fns);
	strvec_clear(&fns);
	strvec_clear(&cfg);
	strbuf_release(&why);
	free(out);
}

static void bad_counts(const char *text, size_t nfns, const char *want, const char *name)
{
	char *out = path_in_tmp("bad");
	struct strbuf why = STRBUF_INIT;
	struct cost_marks m;

	write_text(out, text);
	ok(cost_marks_read(out, nfns, &m, &why) == -1 && strstr(why.buf, want), name);
	if (!strstr(why.buf, want))
		fprintf(stderr, "# got: %s\n", why.buf);
	strbuf_release(&why);
	free(out);
}

static void test_bad_counts(void)
{
	bad_counts("", 0, "is empty", "an empty file: the plugin never started");
	bad_counts("pinbench-count 1 fns 2\n", 2, ":1: not the counts",
		   "the counts of an older plugin");
	bad_counts("pinbench-count 2 fns 3\n", 2, ":1: not the counts",
		   "a header for another number of functions");
	bad_counts("pinbench-count 2 fns 0\nmark 2 1 1 1 1 1\n", 0, ":2: not 'mark SEQ'",
		   "marks must be numbered from 1");
	bad_counts("pinbench-count 2 fns 0\nmark 1 5 1 1 1 1\nmark 2 4 1 1 1 1\n", 0,
		   ":3: a counter went down", "a counter that goes down");
	bad_counts("pinbench-count 2 fns 1\nmark 1 5 1 1 1 1\n", 1, ":2: not 'mark SEQ'",
		   "a mark short of a column");
	bad_counts("pinbench-count 2 fns 0\nmark 1 5 1 1 1 1 7\n", 0, ":2: not 'mark SEQ'",
		   "a mark with a column too many");
	bad_counts("pinbench-count 2 fns 0\nmark 1 5 1 1 1 1\nend 2\n", 0, "number of marks",
		   "an end that counts other marks");
	bad_counts("pinbench-count 2 fns 0\nend 0\nmark 1 5 1 1 1 1\n", 0, "after 'end'",
		   "nothing after the end");
}

static void test_marker(void)
{
	struct marker mk;
	uint64_t a = cost_marker_address(), b = cost_marker_address();
	int tries;

	ok(marker_addr_ok(a) && marker_addr_ok(b), "random marker addresses are page-aligned user "
	   "addresses");
	ok(a != b, "and differ from one boot to the next");
	ok(!marker_addr_ok(0xffffffff81000000ull) && !marker_addr_ok(MARKER_ADDR_MIN + 1),
	   "a kernel or unaligned address is not a marker");
	/*
	 * The guest's agent maps it in a near-empty address space; this test
	 * runs under ASan, whose allocator reserves 4 TiB of the same range
	 * (from 0x600000000000), so a taken address is tried again.
	 */
	for (tries = 0; tries < 64 && marker_map(&mk, a); tries++)
		a = cost_marker_address();
	ok(tries < 64 && mk.fn && mk.addr == a, "the marker page maps at a free address");
	is_int((int)marker_hit(&mk), 1, "calling it is mark 1");
	is_int((int)marker_hit(&mk), 2, "then mark 2");
	is_int(marker_map(&(struct marker){ 0 }, a), -1, "never over an existing mapping");
	marker_unmap(&mk);
}

static void test_pmu_rows(void)
{
	struct cost_pmu_pass run = { { 5.0e6, 2.0e6, 9.0e6 }, 2000, 1 };
	struct cost_pmu_pass idle = { { 1.0e6, 1.0e6, 1.0e6 }, 2, 1 };
	struct sample_set out = SAMPLE_SET_INIT;
	const struct sample *k, *u, *c;

	cost_pmu_rows(&run, &idle, &out);
	k = sample_set_find(&out, "cost.kernel_insns_per_io");
	u = sample_set_find(&out, "cost.user_insns_per_io");
	c = sample_set_find(&out, "cost.kernel_cycles_per_io");
	ok(k && k->available && fabs(k->value - 4.0e6 / 1998) < 1e-9,
	   "PMU: (run - idle) / (its I/Os - the idle run's)");
	ok(k && !strcmp(k->unit, "insn/io:pmu"), "with the source in the unit");
	ok(u && u->available && fabs(u->value - 1.0e6 / 1998) < 1e-9, "user instructions alike");
	ok(c && !strcmp(c->unit, "cycles/io:pmu") && fabs(c->value - 8.0e6 / 1998) < 1e-9,
	   "and the kernel's cycles");
	sample_set_clear(&out);

	idle.count[2] = 1.0e7;	/* a counter that fell: no figure */
	cost_pmu_rows(&run, &idle, &out);
	c = sample_set_find(&out, "cost.kernel_cycles_per_io");
	ok(c && !c->available, "a difference below 0 is unavailable, never negative");
	ok(sample_set_find(&out, "cost.kernel_insns_per_io")->available, "the others stand");
	sample_set_clear(&out);

	idle.ok = 0;
	cost_pmu_rows(&run, &idle, &out);
	ok(out.nr == 3 && !out.v[0].available && !out.v[1].available && !out.v[2].available,
	   "no idle run: all three unavailable");
	sample_set_clear(&out);
	idle.ok = 1;
	idle.ios = run.ios;
	cost_pmu_rows(&run, &idle, &out);
	ok(!sample_set_find(&out, "cost.kernel_insns_per_io")->available,
	   "no more I/O than the idle run: unavailable");
	sample_set_clear(&out);
}

int main(void)
{
	if (!mkdtemp(tmp) || !realpath("/proc/self/exe", self))
		return 1;
	test_ksyms();
	test_plan();
	test_rows();
	test_bad_counts();
	test_marker();
	test_pmu_rows();
	ok(!remove_tree(tmp), "the test's files are removed");
	return done_testing();
}
