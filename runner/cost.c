// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cost rows: the plugin's ranges from vmlinux, its marks back, and the
 * per-I/O figures of each counted repetition (runner/cost.h).
 */
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "kernels/ksyms.h"
#include "runner/cost.h"
#include "runner/marker.h"

#define PAGE_BYTES 4096.0
#define COLS_FIXED 5	/* kernel, user, timer, wait, wait inside timer interrupts */
#define UNIT(u) u ":" COST_SOURCE_TCG

/* Where an interrupt's kernel work starts and ends (x86-64, 4.x to 6.x). */
#define TIMER_ENTRY "asm_sysvec_apic_timer_interrupt"
#define IRET "native_irq_return_iret"
#define SYSCALL_ENTRY "entry_SYSCALL_64"

static const struct {
	const char *fn, *role;
} roles[] = {
	{ "try_grab_folio", "grab" }, { "try_grab_page", "grab" }, { "folio_add_pin", "grab" },
	{ "get_page", "grab" },
	{ "unpin_user_page", "release" }, { "unpin_user_pages", "release" },
	{ "gup_put_folio", "release" }, { "put_page", "release" }, { "__folio_put", "release" },
	{ "bio_release_pages", "release" },
	{ "iov_iter_extract_pages", "extract" }, { "iov_iter_get_pages2", "extract" },
	{ "__blockdev_direct_IO", "dio" }, { "dio_send_cur_page", "dio" },
	{ "submit_page_section", "dio" }, { "dio_bio_complete", "dio" },
	{ "submit_bio", "bio" },
};
static const char *const role_names[] = { "grab", "release", "extract", "dio", "bio" };
#define NR_ROLES (sizeof(role_names) / sizeof(role_names[0]))

const char *cost_role(const char *function)
{
	size_t i;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (!strcmp(roles[i].fn, function))
			return roles[i].role;
	return NULL;
}

uint64_t cost_marker_address(void)
{
	uint64_t r = 0, pages = (MARKER_ADDR_MAX - MARKER_ADDR_MIN) >> 12;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint64_t)getpid() * 0x9e3779b97f4a7c15ull ^ (uint64_t)time(NULL);
	return MARKER_ADDR_MIN + (r % pages) * 4096;
}

/* Is it an interrupt or exception entry that returns through the common iret? */
static int entry_stub(const char *name)
{
	if (!strcmp(name, "asm_exc_nmi") || !strcmp(name, "asm_exc_double_fault") ||
	    !strcmp(name, TIMER_ENTRY))
		return 0;	/* NMIs return on their own; a double fault does not return */
	return starts_with(name, "asm_exc_") || starts_with(name, "asm_sysvec_") ||
	       !strcmp(name, "asm_common_interrupt") || !strcmp(name, "asm_spurious_interrupt");
}

static int overlaps(const struct ksym *s, const struct ksym **taken, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s->addr < taken[i]->addr + taken[i]->size && taken[i]->addr < s->addr + s->size)
			return 1;
	return 0;
}

static int cmp_addr(const void *a, const void *b)
{
	const struct ksym *x = *(const struct ksym *const *)a, *y = *(const struct ksym *const *)b;

	return (x->addr > y->addr) - (x->addr < y->addr);
}

static int matches(const char *name, const struct strvec *globs)
{
	size_t i;

	for (i = 0; i < globs->nr; i++)
		if (!fnmatch(globs->v[i], name, 0))
			return 1;
	return 0;
}

/* The wait ranges: functions matching the globs, not counted on their own, no overlaps. */
static void write_waits(FILE *f, const struct ksyms *ks, const struct strvec *globs,
			const struct ksym **taken, size_t ntaken)
{
	const struct ksym **w = xcalloc(ks->nr + 1, sizeof(*w));
	uint64_t end = 0;
	size_t i, n = 0;

	for (i = 0; i < ks->nr; i++)
		if (ks->v[i].size && matches(ks->v[i].name, globs) &&
		    !overlaps(&ks->v[i], taken, ntaken))
			w[n++] = &ks->v[i];
	qsort(w, n, sizeof(*w), cmp_addr);
	for (i = 0; i < n; i++) {
		if (w[i]->addr < end)
			continue;	/* an alias, or inside the one before */
		fprintf(f, "wait 0x%" PRIx64 " 0x%" PRIx64 "\n", w[i]->addr, w[i]->addr + w[i]->size);
		end = w[i]->addr + w[i]->size;
	}
	free(w);
}

int cost_plan_write(const char *vmlinux, const struct strvec *functions,
		    const struct strvec *wait_globs, const char *path, struct cost_plan *plan,
		    struct strbuf *why)
{
	static const char *const needed[] = { TIMER_ENTRY, IRET, SYSCALL_ENTRY };
	const struct ksym **taken = xcalloc(functions->nr + 1, sizeof(*taken));
	const struct ksym *points[3];
	struct ksyms ks;
	size_t i, n = 0;
	FILE *f = NULL;
	int ret = -1;

	plan->fns = (struct strvec)STRVEC_INIT;
	plan->missing = (struct strvec)STRVEC_INIT;
	if (ksyms_load(vmlinux, &ks, why)) {
		free(taken);
		return -1;
	}
	for (i = 0; i < 3; i++) {
		points[i] = ksyms_find(&ks, needed[i]);
		if (!points[i]) {
			strbuf_addf(why, "'%s' has no symbol %s: not an x86-64 kernel pinbench can "
				    "count", vmlinux, needed[i]);
			goto out;
		}
	}
	for (i = 0; i < functions->nr; i++) {
		const struct ksym *s = ksyms_find(&ks, functions->v[i]);

		if (!s || !s->size || overlaps(s, taken, n) ||
		    strvec_contains(&plan->fns, functions->v[i])) {
			strvec_push(&plan->missing, functions->v[i]);
			continue;
		}
		taken[n++] = s;
		strvec_push(&plan->fns, s->name);
	}
	f = fopen(path, "w");
	if (!f) {
		strbuf_addf(why, "cannot write '%s': %s", path, errstr());
		goto out;
	}
	fprintf(f, "pinbench-ranges 1\n");
	for (i = 0; i < n; i++)
		fprintf(f, "fn 0x%" PRIx64 " 0x%" PRIx64 "\n", taken[i]->addr,
			taken[i]->addr + taken[i]->size);
	write_waits(f, &ks, wait_globs, taken, n);
	fprintf(f, "timer 0x%" PRIx64 "\niret 0x%" PRIx64 "\nsyscall 0x%" PRIx64 "\n",
		points[0]->addr, points[1]->addr, points[2]->addr);
	for (i = 0; i < ks.nr; i++)
		if (entry_stub(ks.v[i].name) && (i == 0 || ks.v[i].addr != ks.v[i - 1].addr))
			fprintf(f, "entry 0x%" PRIx64 "\n", ks.v[i].addr);
	if (fclose(f)) {
		strbuf_addf(why, "cannot write '%s': %s", path, errstr());
		goto out;
	}
	ret = 0;
out:
	if (ret)
		cost_plan_release(plan);
	ksyms_release(&ks);
	free(taken);
	return ret;
}

void cost_plan_release(struct cost_plan *plan)
{
	strvec_clear(&plan->fns);
	strvec_clear(&plan->missing);
}

/* --- the plugin's output ------------------------------------------------------ */

static int bad_line(struct strbuf *why, const char *path, unsigned line, const char *what)
{
	strbuf_addf(why, "%s:%u: %s", path, line, what);
	return -1;
}

static int parse_mark(char *s, size_t cols, unsigned long long want, uint64_t *row)
{
	char *end;
	unsigned long long seq;
	size_t i;

	if (strncmp(s, "mark ", 5))
		return -1;
	errno = 0;
	seq = strtoull(s + 5, &end, 10);
	if (errno || end == s + 5 || seq != want)
		return -1;
	for (i = 0; i < cols; i++) {
		s = end;
		if (*s != ' ')
			return -1;
		row[i] = strtoull(s + 1, &end, 10);
		if (errno || end == s + 1)
			return -1;
	}
	return *end == '\n' || !*end ? 0 : -1;
}

int cost_marks_read(const char *path, size_t nfns, struct cost_marks *m, struct strbuf *why)
{
	size_t cols = COLS_FIXED + nfns, alloc = 0, i;
	char *line = NULL, header[64];
	unsigned lineno = 0;
	size_t cap = 0;
	FILE *f;
	int ret = -1;

	memset(m, 0, sizeof(*m));
	m->nfns = nfns;
	f = fopen(path, "r");
	if (!f) {
		strbuf_addf(why, "cannot read the plugin's counts '%s': %s", path, errstr());
		return -1;
	}
	snprintf(header, sizeof(header), "pinbench-count 2 fns %zu\n", nfns);
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		if (lineno == 1) {
			if (strcmp(line, header)) {
				bad_line(why, path, lineno, "not the counts of this plan's plugin");
				goto out;
			}
			continue;
		}
		if (m->ended) {
			bad_line(why, path, lineno, "a line after 'end'");
			goto out;
		}
		if (!strncmp(line, "end ", 4)) {
			char *end;

			m->end_marks = strtoull(line + 4, &end, 10);
			if (end == line + 4 || *end != '\n' || m->end_marks != m->nr) {
				bad_line(why, path, lineno, "'end' does not give the number of marks");
				goto out;
			}
			m->ended = 1;
			continue;
		}
		if (m->nr == alloc) {
			alloc = alloc ? 2 * alloc : 64;
			m->v = xrealloc(m->v, alloc * cols * sizeof(*m->v));
		}
		if (parse_mark(line, cols, m->nr + 1, m->v + m->nr * cols)) {
			bad_line(why, path, lineno, "not 'mark SEQ' and its counters");
			goto out;
		}
		for (i = 0; m->nr && i < cols; i++)
			if (m->v[m->nr * cols + i] < m->v[(m->nr - 1) * cols + i]) {
				bad_line(why, path, lineno, "a counter went down");
				goto out;
			}
		m->nr++;
	}
	if (!lineno) {
		strbuf_addf(why, "%s is empty: the plugin did not start", path);
		goto out;
	}
	ret = 0;
out:
	free(line);
	fclose(f);
	if (ret)
		cost_marks_release(m);
	return ret;
}

void cost_marks_release(struct cost_marks *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* --- the rows ----------------------------------------------------------------- */

enum { COL_KERNEL, COL_USER, COL_TIMER, COL_WAIT, COL_TIMER_WAIT, COL_FN0 };

/* Counter col between marks a and b (1-based, a < b, both seen). */
static double between(const struct cost_marks *m, unsigned long long a, unsigned long long b,
		      size_t col)
{
	size_t cols = COLS_FIXED + m->nfns;

	return (double)(m->v[(b - 1) * cols + col] - m->v[(a - 1) * cols + col]);
}

/* One counted fio run of a repetition: its marks, seconds and I/Os. */
struct span {
	unsigned long long a, b;
	double t, n;
};

/* 0 found, 1 not there (its pass failed), -1 marks the plugin did not see. */
static int span_of(const struct cost_marks *m, const struct sample_set *rep, const char *prefix,
		   const char *ios, struct span *sp)
{
	char begin[64], end[64], secs[64];
	const struct sample *sa, *sb, *st, *sn;

	snprintf(begin, sizeof(begin), "count.%smark_begin", prefix);
	snprintf(end, sizeof(end), "count.%smark_end", prefix);
	snprintf(secs, sizeof(secs), "count.%sseconds", prefix);
	sa = sample_set_find(rep, begin);
	sb = sample_set_find(rep, end);
	st = sample_set_find(rep, secs);
	sn = sample_set_find(rep, ios);
	if (!sa || !sb || !st || !sn || !sa->available || !sb->available || !st->available ||
	    !sn->available)
		return 1;
	if (sa->value < 1 || sb->value <= sa->value || sb->value > (double)m->nr ||
	    sa->value != (double)(unsigned long long)sa->value ||
	    sb->value != (double)(unsigned long long)sb->value)
		return -1;
	if (!(st->value >= 0) || !(sn->value >= 0))
		return 1;
	sp->a = (unsigned long long)sa->value;
	sp->b = (unsigned long long)sb->value;
	sp->t = st->value;
	sp->n = sn->value;
	return 0;
}

/* The two runs of a counted repetition: the job, and the idle run as long. */
struct solve {
	struct span run, idle;
};

/*
 * A counter over a run is S + w t + c n: S what fio's start and exit cost,
 * w what runs per second of wall time whatever the I/O (fio's polling,
 * the agent's, kernel threads), c the cost of one I/O. The idle run has
 * the same S and t and next to no n: the difference is c (n_run - n_idle).
 * What is left of w (t differs by the milliseconds fio rounds to) is
 * below the noise of the rest.
 */
static double per_io(const struct cost_marks *m, const struct solve *s, size_t col)
{
	double cr = between(m, s->run.a, s->run.b, col), ci = between(m, s->idle.a, s->idle.b, col);

	return (cr - ci) / (s->run.n - s->idle.n);
}

/* The kernel's work: neither timer interrupts nor waiting (counted apart, per I/O). */
static double kernel_work(const struct cost_marks *m, const struct solve *s, double *wait)
{
	*wait = per_io(m, s, COL_WAIT) - per_io(m, s, COL_TIMER_WAIT);
	return per_io(m, s, COL_KERNEL) - per_io(m, s, COL_TIMER) - *wait;
}

static void add_all_unavailable(const struct strvec *functions, struct sample_set *out)
{
	struct strbuf name = STRBUF_INIT;
	size_t i;

	sample_set_add_unavailable(out, "cost.kernel_insns_per_io", UNIT("insn/io"));
	sample_set_add_unavailable(out, "cost.user_insns_per_io", UNIT("insn/io"));
	for (i = 0; i < functions->nr; i++) {
		strbuf_reset(&name);
		strbuf_addf(&name, "cost.fn.%s_insns_per_io", functions->v[i]);
		sample_set_add_unavailable(out, name.buf, UNIT("insn/io"));
	}
	sample_set_add_unavailable(out, "cost.pin_path_insns_per_io", UNIT("insn/io"));
	sample_set_add_unavailable(out, "cost.pin_path_insns_per_page", UNIT("insn/page"));
	sample_set_add_unavailable(out, "cost.pin_path_share_pct", UNIT("%"));
	strbuf_release(&name);
}

static ssize_t column_of(const struct cost_plan *plan, const char *fn)
{
	size_t i;

	for (i = 0; i < plan->fns.nr; i++)
		if (!strcmp(plan->fns.v[i], fn))
			return (ssize_t)i;
	return -1;
}

int cost_rows(const struct cost_marks *m, const struct cost_plan *plan,
	      const struct strvec *functions, const struct sample_set *rep,
	      unsigned long long bs, struct sample_set *out, struct strbuf *why)
{
	double kernel, user, wait, pin = 0, role_sum[NR_ROLES] = { 0 };
	int role_seen[NR_ROLES] = { 0 }, r[2], pin_seen = 0;
	struct strbuf name = STRBUF_INIT;
	struct solve sv;
	size_t i, k;

	r[0] = span_of(m, rep, "", "fio.total_ios", &sv.run);
	r[1] = span_of(m, rep, "idle_", "count.idle_ios", &sv.idle);
	if (r[0] < 0 || r[1] < 0) {
		strbuf_addf(why, "the repetition names marks the plugin did not see (it saw %zu)",
			    m->nr);
		return -1;
	}
	/* no idle run (it failed), or no more I/O than it: nothing to take apart */
	if (r[0] || r[1] || !(sv.run.n - sv.idle.n > 0)) {
		add_all_unavailable(functions, out);
		return 0;
	}
	kernel = kernel_work(m, &sv, &wait);
	user = per_io(m, &sv, COL_USER);
	sample_set_add(out, "cost.kernel_insns_per_io", kernel, UNIT("insn/io"));
	sample_set_add(out, "cost.user_insns_per_io", user, UNIT("insn/io"));
	sample_set_add(out, "cost.wait_insns_per_io", wait, UNIT("insn/io"));
	for (i = 0; i < functions->nr; i++) {
		ssize_t col = column_of(plan, functions->v[i]);
		const char *role = cost_role(functions->v[i]);
		double v;

		strbuf_reset(&name);
		strbuf_addf(&name, "cost.fn.%s_insns_per_io", functions->v[i]);
		if (col < 0) {
			sample_set_add_unavailable(out, name.buf, UNIT("insn/io"));
			continue;
		}
		v = per_io(m, &sv, COL_FN0 + (size_t)col);
		sample_set_add(out, name.buf, v, UNIT("insn/io"));
		pin += v;
		pin_seen = 1;
		for (k = 0; role && k < NR_ROLES; k++)
			if (!strcmp(role, role_names[k])) {
				role_sum[k] += v;
				role_seen[k] = 1;
			}
	}
	for (k = 0; k < NR_ROLES; k++) {
		strbuf_reset(&name);
		strbuf_addf(&name, "cost.role.%s_insns_per_io", role_names[k]);
		if (role_seen[k])
			sample_set_add(out, name.buf, role_sum[k], UNIT("insn/io"));
	}
	if (pin_seen) {
		double pages = (double)bs / PAGE_BYTES;

		sample_set_add(out, "cost.pin_path_insns_per_io", pin, UNIT("insn/io"));
		sample_set_add(out, "cost.pin_path_insns_per_page", pin / (pages < 1 ? 1 : pages),
			       UNIT("insn/page"));
		if (kernel > 0)
			sample_set_add(out, "cost.pin_path_share_pct", 100 * pin / kernel, UNIT("%"));
		else
			sample_set_add_unavailable(out, "cost.pin_path_share_pct", UNIT("%"));
	} else {
		sample_set_add_unavailable(out, "cost.pin_path_insns_per_io", UNIT("insn/io"));
		sample_set_add_unavailable(out, "cost.pin_path_insns_per_page", UNIT("insn/page"));
		sample_set_add_unavailable(out, "cost.pin_path_share_pct", UNIT("%"));
	}
	strbuf_release(&name);
	return 0;
}

void cost_pmu_rows(const struct cost_pmu_pass *run, const struct cost_pmu_pass *idle,
		   struct sample_set *out)
{
	static const char *const rows[COST_PMU_EVENTS][2] = {
		{ "cost.kernel_insns_per_io", "insn/io:" COST_SOURCE_PMU },
		{ "cost.user_insns_per_io", "insn/io:" COST_SOURCE_PMU },
		{ "cost.kernel_cycles_per_io", "cycles/io:" COST_SOURCE_PMU },
	};
	double ios = run->ios - idle->ios;
	size_t i;

	for (i = 0; i < COST_PMU_EVENTS; i++) {
		double d = run->count[i] - idle->count[i];

		/* a count that fell (a multiplexed or reset counter) is no figure */
		if (run->ok && idle->ok && ios > 0 && d >= 0 && isfinite(d))
			sample_set_add(out, rows[i][0], d / ios, rows[i][1]);
		else
			sample_set_add_unavailable(out, rows[i][0], rows[i][1]);
	}
}
