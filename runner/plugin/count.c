// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinbench-count.so: a QEMU TCG plugin that counts the guest's executed
 * instructions for the cost rows (runner/cost.h), loaded only in counting
 * boots:
 *
 *   -plugin pinbench-count.so,out=FILE,ranges=FILE,marker=0xADDR
 *
 * It counts kernel-mode and user-mode instructions (by the address of the
 * translation block: the kernel's half of the address space starts at
 * 0xffff800000000000), instructions inside each [lo, hi) range of the
 * ranges file (kernel functions, from vmlinux), and the kernel
 * instructions spent in timer interrupts (from the timer's entry stub to
 * the interrupt's iret, other interrupts nested inside it left out): that
 * part scales with wall time, not with the work, so the host subtracts it.
 * It also counts the instructions inside "wait" ranges (the scheduler, the
 * idle loop: how often a task sleeps follows the host's timing under TCG,
 * not the work), and how many of those ran inside timer interrupts.
 *
 * The guest's agent marks the start and end of what it measures by calling
 * one `ret` instruction at the user address `marker` (a random page the
 * host picks per boot); at each execution of that block the plugin appends
 *
 *   mark SEQ KERNEL USER TIMER WAIT WAIT_IN_TIMER FN0 FN1 ...
 *
 * to out and flushes it, so a guest that dies keeps its marks. The file
 * starts with "pinbench-count 2 fns N" and ends with "end MARKS" when QEMU
 * exits. Counters are plain (not atomic) adds: the plugin refuses more
 * than one vCPU, as counting boots run with -smp 1.
 *
 * The ranges file, written by the host:
 *   pinbench-ranges 1
 *   fn 0xLO 0xHI          (one per function, in the order of the columns)
 *   wait 0xLO 0xHI        (a function whose instructions count as waiting)
 *   entry 0xADDR          (an interrupt or exception entry stub)
 *   timer 0xADDR          (the timer interrupt's entry stub)
 *   iret 0xADDR           (the iret every such entry returns through)
 *   syscall 0xADDR        (the syscall entry: nothing of an interrupt is open there)
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define KERNEL_BASE 0xffff800000000000ull
#define FNS_MAX 256
#define WAITS_MAX 8192
#define POINTS_MAX 512
#define DEPTH_MAX 16

enum point_kind { POINT_ENTRY, POINT_TIMER, POINT_IRET, POINT_SYSCALL };

struct range {
	uint64_t lo, hi;
	unsigned idx;
};

struct point {
	uint64_t addr;
	enum point_kind kind;
};

static FILE *out;
static uint64_t marker;
static struct range ranges[FNS_MAX];	/* sorted by lo */
static unsigned nfns;
static struct range waits[WAITS_MAX];	/* sorted by lo */
static unsigned nwaits;
static struct point points[POINTS_MAX];
static unsigned npoints;

static uint64_t kernel_insns, user_insns, timer_insns, wait_insns, timer_wait_insns;
static uint64_t fn_insns[FNS_MAX];
static unsigned long long marks;

/* the interrupts and exceptions entered and not yet returned from */
static struct {
	int timer[DEPTH_MAX];
	unsigned depth;
	uint64_t since, since_wait;	/* when the innermost timer level last resumed */
} irq;

static int timer_running(void)
{
	return irq.depth && irq.depth <= DEPTH_MAX && irq.timer[irq.depth - 1];
}

static void timer_pause(void)
{
	if (timer_running()) {
		timer_insns += kernel_insns - irq.since;
		timer_wait_insns += wait_insns - irq.since_wait;
	}
}

static void timer_resume(void)
{
	if (timer_running()) {
		irq.since = kernel_insns;
		irq.since_wait = wait_insns;
	}
}

static void on_entry(unsigned vcpu, void *data)
{
	(void)vcpu;
	timer_pause();
	if (irq.depth < DEPTH_MAX)
		irq.timer[irq.depth] = data != NULL;
	irq.depth++;
	timer_resume();
}

static void on_iret(unsigned vcpu, void *data)
{
	(void)vcpu;
	(void)data;
	if (!irq.depth)
		return;	/* a return we did not see enter (the first one to user space) */
	timer_pause();
	irq.depth--;
	timer_resume();
}

/* A syscall comes from user mode: every interrupt has returned by then. */
static void on_syscall(unsigned vcpu, void *data)
{
	(void)vcpu;
	(void)data;
	timer_pause();
	irq.depth = 0;
}

static void on_mark(unsigned vcpu, void *data)
{
	unsigned i;

	(void)vcpu;
	(void)data;
	if (!out)
		return;
	timer_pause();
	timer_resume();
	marks++;
	fprintf(out, "mark %llu %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64, marks,
		kernel_insns, user_insns, timer_insns, wait_insns, timer_wait_insns);
	for (i = 0; i < nfns; i++)
		fprintf(out, " %" PRIu64, fn_insns[i]);
	fputc('\n', out);
	fflush(out);
}

static const struct range *range_in(const struct range *ranges, unsigned nr, uint64_t addr)
{
	unsigned lo = 0, hi = nr;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (addr < ranges[mid].lo)
			hi = mid;
		else if (addr >= ranges[mid].hi)
			lo = mid + 1;
		else
			return &ranges[mid];
	}
	return NULL;
}

static const struct point *point_at(uint64_t addr)
{
	unsigned i;

	for (i = 0; i < npoints; i++)
		if (points[i].addr == addr)
			return &points[i];
	return NULL;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	size_t n = qemu_plugin_tb_n_insns(tb), i;

	(void)id;
	if (vaddr < KERNEL_BASE) {
		qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
							 &user_insns, n);
		if (vaddr == marker)
			qemu_plugin_register_vcpu_tb_exec_cb(tb, on_mark, QEMU_PLUGIN_CB_NO_REGS,
							     NULL);
		return;
	}
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &kernel_insns, n);
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint64_t a = qemu_plugin_insn_vaddr(insn);
		const struct range *r = range_in(ranges, nfns, a);
		const struct point *p = point_at(a);

		if (r)
			qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
								   &fn_insns[r->idx], 1);
		else if (range_in(waits, nwaits, a))
			qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
								   &wait_insns, 1);
		if (!p)
			continue;
		switch (p->kind) {
		case POINT_ENTRY:
		case POINT_TIMER:
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_entry, QEMU_PLUGIN_CB_NO_REGS,
							       p->kind == POINT_TIMER ? (void *)1 : NULL);
			break;
		case POINT_IRET:
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_iret, QEMU_PLUGIN_CB_NO_REGS,
							       NULL);
			break;
		case POINT_SYSCALL:
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_syscall,
							       QEMU_PLUGIN_CB_NO_REGS, NULL);
			break;
		}
	}
}

static void on_qemu_exit(qemu_plugin_id_t id, void *data)
{
	(void)id;
	(void)data;
	if (!out)
		return;
	fprintf(out, "end %llu\n", marks);
	fclose(out);
	out = NULL;
}

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	*v = strtoull(s, &end, 0);
	return end == s || *end;
}

/* -1 with a message on stderr (QEMU shows it) when the file is not ours. */
static int read_ranges(const char *path)
{
	char line[256], kind[16], a[32], b[32];
	unsigned lineno = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "pinbench-count: cannot open '%s'\n", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		uint64_t lo, hi;
		int n;

		lineno++;
		if (lineno == 1) {
			if (strcmp(line, "pinbench-ranges 1\n"))
				goto bad;
			continue;
		}
		n = sscanf(line, "%15s %31s %31s", kind, a, b);
		if (n == 3 && !strcmp(kind, "fn") && nfns < FNS_MAX && !parse_u64(a, &lo) &&
		    !parse_u64(b, &hi) && lo < hi) {
			ranges[nfns] = (struct range){ lo, hi, nfns };
			nfns++;
		} else if (n == 3 && !strcmp(kind, "wait") && nwaits < WAITS_MAX &&
			   !parse_u64(a, &lo) && !parse_u64(b, &hi) && lo < hi) {
			waits[nwaits] = (struct range){ lo, hi, nwaits };
			nwaits++;
		} else if (n == 2 && npoints < POINTS_MAX && !parse_u64(a, &lo)) {
			if (!strcmp(kind, "entry"))
				points[npoints].kind = POINT_ENTRY;
			else if (!strcmp(kind, "timer"))
				points[npoints].kind = POINT_TIMER;
			else if (!strcmp(kind, "iret"))
				points[npoints].kind = POINT_IRET;
			else if (!strcmp(kind, "syscall"))
				points[npoints].kind = POINT_SYSCALL;
			else
				goto bad;
			points[npoints++].addr = lo;
		} else {
			goto bad;
		}
	}
	fclose(f);
	if (!lineno)
		goto empty;
	qsort(ranges, nfns, sizeof(ranges[0]), cmp_range);
	qsort(waits, nwaits, sizeof(waits[0]), cmp_range);
	for (unsigned i = 1; i < nfns; i++)
		if (ranges[i].lo < ranges[i - 1].hi) {
			fprintf(stderr, "pinbench-count: %s: ranges overlap\n", path);
			return -1;
		}
	for (unsigned i = 1; i < nwaits; i++)
		if (waits[i].lo < waits[i - 1].hi) {
			fprintf(stderr, "pinbench-count: %s: wait ranges overlap\n", path);
			return -1;
		}
	return 0;
bad:
	fclose(f);
	fprintf(stderr, "pinbench-count: %s:%u: not a pinbench-ranges line\n", path, lineno);
	return -1;
empty:
	fprintf(stderr, "pinbench-count: %s is empty\n", path);
	return -1;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *out_path = NULL, *ranges_path = NULL;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4)) {
			out_path = argv[i] + 4;
		} else if (!strncmp(argv[i], "ranges=", 7)) {
			ranges_path = argv[i] + 7;
		} else if (!strncmp(argv[i], "marker=", 7)) {
			if (parse_u64(argv[i] + 7, &marker) || !marker || marker >= KERNEL_BASE) {
				fprintf(stderr, "pinbench-count: bad marker '%s'\n", argv[i] + 7);
				return -1;
			}
		} else {
			fprintf(stderr, "pinbench-count: unknown argument '%s'\n", argv[i]);
			return -1;
		}
	}
	if (!out_path || !ranges_path || !marker) {
		fprintf(stderr, "pinbench-count: needs out=, ranges= and marker=\n");
		return -1;
	}
	if (!info->system_emulation || info->system.max_vcpus != 1) {
		fprintf(stderr, "pinbench-count: counts one vCPU of a system emulation only "
			"(-smp 1)\n");
		return -1;
	}
	if (read_ranges(ranges_path))
		return -1;
	out = fopen(out_path, "w");
	if (!out) {
		fprintf(stderr, "pinbench-count: cannot create '%s'\n", out_path);
		return -1;
	}
	fprintf(out, "pinbench-count 2 fns %u\n", nfns);
	fflush(out);
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
	return 0;
}
