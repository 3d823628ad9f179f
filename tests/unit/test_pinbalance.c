// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pin balance on a real SQLite file: runs whose repetitions carry planted
 * pin counter deltas: balanced, 6.12-like (2 more released than acquired
 * per I/O, uncounted folio_add_pin pins), leaking one pin per I/O, a few
 * stray pins that do not grow with I/O, and a run without the counters.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "common/strbuf.h"
#include "db/db.h"
#include "reports/compare.h"
#include "reports/pinbalance.h"
#include "tests/tap.h"

static const struct machine_info machine = { "fp", "box", "cpu", 2, 1 << 20, "qemu-tcg", "[]" };

/* acquired = a_per_io * ios + a_extra, released = r_per_io * ios, ios growing per rep */
static long long add_run(struct db *db, long long kernel, long long machine_id, long long job,
			 double a_per_io, double a_extra, double r_per_io, int counters)
{
	long long run;
	int rep;

	db_run_begin(db, kernel, machine_id, "qemu", NULL, NULL, &run);
	for (rep = 1; rep <= 4; rep++) {
		struct sample_set s = SAMPLE_SET_INIT;
		double ios = 1000.0 * rep;

		sample_set_add(&s, "fio.total_ios", ios, "count");
		sample_set_add(&s, "fio.read.iops", 1000, "IO/s");
		if (counters) {
			sample_set_add(&s, "vmstat.nr_foll_pin_acquired", a_per_io * ios + a_extra,
				       "count");
			sample_set_add(&s, "vmstat.nr_foll_pin_released", r_per_io * ios, "count");
		}
		db_rep_store(db, run, job, rep, &s);
		sample_set_clear(&s);
	}
	db_run_finish(db, run, "done", NULL);
	return run;
}

static int count_flags(const char *job, const char *kind, const char *msg, void *data)
{
	(void)job;
	(void)msg;
	*(int *)data += !strcmp(kind, "pin_leak");
	return 0;
}

static const struct compare_row *row(const struct comparison *c, const char *metric)
{
	size_t i;

	for (i = 0; i < c->nr; i++)
		if (!strcmp(c->rows[i].metric, metric))
			return &c->rows[i];
	return NULL;
}

int main(void)
{
	char tmpl[] = "/tmp/pinbench-test-pinbalance.XXXXXX";
	struct kernel_info k = { "k", "deb:x", NULL, NULL, NULL, "sha", "", "6.12" };
	struct job_row j = { "h", "randread-4k@nvme:vfat", "{}", "vfat", "nvme", "randread",
			     4096, 1, 1, "psync", 1 << 24, 1 };
	struct compare_opts o = COMPARE_OPTS_DEFAULT;
	long long kid, mid, jid, balanced, v612, leak, stray, none;
	struct strbuf path = STRBUF_INIT;
	struct pin_balances b;
	struct comparison c;
	const struct compare_row *r;
	struct db *db;
	char *d = mkdtemp(tmpl), *text = NULL;
	size_t len = 0;
	FILE *out;
	int flags;

	strbuf_addf(&path, "%s/p.db", d);
	if (db_open(path.buf, &db) || db_kernel_get_or_add(db, &k, &kid) ||
	    db_machine_get_or_add(db, &machine, &mid) || db_job_get_or_add(db, &j, &jid))
		return 1;
	balanced = add_run(db, kid, mid, jid, 1, 0, 1, 1);
	v612 = add_run(db, kid, mid, jid, 1, 0, 3, 1);
	leak = add_run(db, kid, mid, jid, 2, 0, 1, 1);
	stray = add_run(db, kid, mid, jid, 1, 50, 1, 1);
	none = add_run(db, kid, mid, jid, 0, 0, 0, 0);

	is_int(pin_balance_run(db, v612, &b), 0, "the balance of a run is read");
	is_int((int)b.nr, 1, "one job");
	is_int((int)b.v[0].reps, 4, "over its 4 repetitions");
	ok(b.v[0].ios == 10000 && b.v[0].acquired == 10000 && b.v[0].released == 30000,
	   "summed: 10000 I/Os, 10000 acquired, 30000 released");
	ok(fabs(pin_balance_per_io(&b.v[0]) + 2) < 1e-9, "net -2.00 per I/O");
	ok(!b.v[0].leak, "more released than acquired is not a leak");
	pin_balances_release(&b);

	pin_balance_run(db, leak, &b);
	ok(b.v[0].leak && fabs(pin_balance_per_io(&b.v[0]) - 1) < 1e-9,
	   "one pin per I/O never released is a leak (+1.00)");
	pin_balances_release(&b);
	pin_balance_run(db, stray, &b);
	ok(!b.v[0].leak && b.v[0].reps_held == 4,
	   "50 stray pins per repetition do not grow with I/O: not a leak");
	pin_balances_release(&b);
	pin_balance_run(db, none, &b);
	ok(b.nr == 1 && b.v[0].reps == 0 && isnan(pin_balance_per_io(&b.v[0])),
	   "without the counters nothing is measured, and nothing is called 0");
	pin_balances_release(&b);

	is_int(pin_balance_flag_leaks(db, leak), 1, "the leaking run gets one flag");
	is_int(pin_balance_flag_leaks(db, balanced), 0, "the balanced one none");
	flags = 0;
	db_run_flags(db, leak, count_flags, &flags);
	is_int(flags, 1, "the flag is stored with kind pin_leak");

	is_int(compare_runs(db, balanced, leak, &o, &c), 0, "balanced against leaking compares");
	r = row(&c, "pin.balance_per_io");
	ok(r && r->kind == COMPARE_EXACT && fabs(r->delta - 1) < 1e-9,
	   "the balance row shows +1.00 per I/O");
	ok(r && r->verdict == STATS_REGRESSION, "a new leak is a regression");
	ok(c.regressions >= 1, "and is counted as one");
	out = open_memstream(&text, &len);
	compare_print(&c, "base", "leaky", COMPARE_PRINT_ALL, out);
	fclose(out);
	ok(strstr(text, "pin balance of leaky") && strstr(text, "+1.00  LEAK"),
	   "the report's balance table marks the leak");
	free(text);
	comparison_release(&c);

	compare_runs(db, balanced, v612, &o, &c);
	r = row(&c, "pin.balance_per_io");
	ok(r && r->verdict == STATS_INCONCLUSIVE && fabs(r->delta + 2) < 1e-9,
	   "a balance moving the other way is reported as changed (-2.00), not a regression");
	comparison_release(&c);
	compare_runs(db, balanced, none, &o, &c);
	ok(!row(&c, "pin.balance_per_io"), "no balance row where a side has no counters");
	comparison_release(&c);

	db_close(db);
	remove_tree(d);
	strbuf_release(&path);
	return done_testing();
}
