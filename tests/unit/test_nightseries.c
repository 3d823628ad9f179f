// SPDX-License-Identifier: GPL-2.0-only
/*
 * A branch's series on a real SQLite file: nights recorded as nightly does
 * (a run each, or a failed build with none), samples planted in them: one
 * more pin per I/O from one night on (an exact step), IOPS falling 30 %
 * from another (a noisy one) under 2 % noise, a second job whose series is
 * flat noise, and a night whose build failed between two measured ones.
 * The change points found, stored once, with the nights around each step.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "db/db.h"
#include "reports/nightseries.h"
#include "tests/gauss.h"
#include "tests/tap.h"

#define NIGHTS 14
#define PIN_STEP 8	/* the first night with one more pin per I/O */
#define IOPS_STEP 5	/* the first night 30 % slower */
#define FAILED 7	/* this night's build failed: no run */

static const struct machine_info machine = { "fp", "box", "cpu", 2, 1 << 20, "qemu-tcg", "[]" };

struct found {
	int exact, noisy, flat, exact_back;
	struct db_change_point noisy_cp;	/* its numbers: its strings die with the row */
	long long exact_good, exact_bad, noisy_bad, exact_id;
	struct strbuf exact_line;
	char exact_state[16], noisy_state[16], exact_dir[16], noisy_dir[16];
};

static int keep(const struct db_change_point *cp, void *data)
{
	struct found *f = data;

	if (!strcmp(cp->job_name, "flat")) {
		f->flat++;
		return 0;
	}
	if (!strcmp(cp->metric, "pin.released_per_io") && strcmp(cp->direction, "regression")) {
		f->exact_back++;
	} else if (!strcmp(cp->metric, "pin.released_per_io")) {
		f->exact++;
		f->exact_good = cp->good_night;
		f->exact_bad = cp->bad_night;
		f->exact_id = cp->id;
		/* its strings live as long as the row: described here */
		nightseries_describe(cp, "abc", "def", &f->exact_line);
		snprintf(f->exact_state, sizeof(f->exact_state), "%s", cp->state);
		snprintf(f->exact_dir, sizeof(f->exact_dir), "%s", cp->direction);
	} else if (!strcmp(cp->metric, "fio.read.iops")) {
		f->noisy++;
		f->noisy_bad = cp->bad_night;
		f->noisy_cp = *cp;
		snprintf(f->noisy_state, sizeof(f->noisy_state), "%s", cp->state);
		snprintf(f->noisy_dir, sizeof(f->noisy_dir), "%s", cp->direction);
	}
	return 0;
}

static void night_samples(struct db *db, long long run, long long job, int n, int flat)
{
	int boot;

	/* two boots of two repetitions, as nightly's run would have them */
	for (boot = 1; boot <= 2; boot++) {
		int rep;

		for (rep = 1; rep <= 2; rep++) {
			struct sample_set s = SAMPLE_SET_INIT;
			double iops = 10000 * (!flat && n >= IOPS_STEP ? 0.7 : 1.0) *
				      (1 + 0.02 * gauss());

			sample_set_add(&s, "fio.read.iops", iops, "IO/s");
			sample_set_add(&s, "pin.released_per_io",
				       !flat && n >= PIN_STEP ? 4.0 : 3.0, "pins/io");
			db_rep_store_in_boot(db, run, job, (boot - 1) * 2 + rep, boot, &s);
			sample_set_clear(&s);
		}
	}
}

int main(void)
{
	char tmpl[] = "/tmp/pinbench-test-nightseries.XXXXXX";
	struct kernel_info k = { "main", "git:x", NULL, NULL, NULL, "sha", "", "6.12" };
	struct job_row j = { "h", "randread-4k@nvme:vfat", "{}", "vfat", "nvme", "randread",
			     4096, 1, 1, "psync", 1 << 24, 1 };
	struct job_row flat = { "h2", "flat", "{}", "vfat", "sata", "randread",
				4096, 1, 1, "psync", 1 << 24, 1 };
	struct nightseries_opts o = { .cp = CP_OPTS_DEFAULT, .cmp = COMPARE_OPTS_DEFAULT };
	struct nightseries_result res;
	long long kid, mid, jid, fid, night[NIGHTS];
	struct strbuf path = STRBUF_INIT;
	struct found f = { .exact_line = STRBUF_INIT };
	char *text = NULL, at[32];
	size_t len = 0, reaped = 0;
	struct db *db;
	FILE *out;
	int n;

	strbuf_addf(&path, "%s/n.db", mkdtemp(tmpl));
	if (db_open(path.buf, &db) || db_kernel_get_or_add(db, &k, &kid) ||
	    db_machine_get_or_add(db, &machine, &mid) || db_job_get_or_add(db, &j, &jid) ||
	    db_job_get_or_add(db, &flat, &fid))
		return 1;
	for (n = 0; n < NIGHTS; n++) {
		char commit[41];
		long long run;

		snprintf(commit, sizeof(commit), "%02d%038d", n, 0);
		is_int(db_night_begin(db, "main", commit, "a commit", &night[n]), 0, "night begins");
		if (n == FAILED) {
			db_night_finish(db, night[n], 0, "build_failed", "fs/direct-io.c:1: error");
			continue;
		}
		db_run_begin(db, kid, mid, "qemu", NULL, NULL, &run);
		night_samples(db, run, jid, n, 0);
		night_samples(db, run, fid, n, 1);
		db_run_finish(db, run, "done", NULL);
		db_night_finish(db, night[n], run, "measured", NULL);
	}
	is_int(db_night_measured(db, "main", "0300000000000000000000000000000000000000", &night[0],
				 at, sizeof(at)), 1, "a measured commit is known");
	is_int(db_night_measured(db, "main", "0700000000000000000000000000000000000000", &night[0],
				 at, sizeof(at)), 0, "a commit whose build failed is not measured");
	is_int(db_night_measured(db, "other", "0300000000000000000000000000000000000000",
				 &night[0], at, sizeof(at)), 0, "nor one of another branch");
	/* night[0] was overwritten by the lookups: the ids are 1.. in order */
	for (n = 0; n < NIGHTS; n++)
		night[n] = n + 1;

	out = open_memstream(&text, &len);
	is_int(nightseries_update(db, "main", &o, out, &res), 0, "the series are searched");
	fclose(out);
	is_int((int)res.nights, NIGHTS - 1, "every measured night is a point, the failed one none");
	is_int((int)res.series, 4, "two jobs x two metrics compared");
	is_int((int)res.regressions, 1, "one confirmed regression: the exact step");
	db_change_points(db, "main", keep, &f);
	is_int(f.exact, 1, "one exact change point");
	is_int((int)f.exact_bad, (int)night[PIN_STEP], "at the night the pins stepped");
	is_int((int)f.exact_good, (int)night[PIN_STEP - 1] - (PIN_STEP - 1 == FAILED),
	       "its last good night is the measured one before (the failed night is skipped)");
	is_str(f.exact_state, "confirmed", "a count's step is confirmed as found");
	is_str(f.exact_dir, "regression", "more pins per I/O is a regression");
	is_int(f.noisy, 1, "one noisy change point");
	is_int((int)f.noisy_bad, (int)night[IOPS_STEP], "at the night IOPS fell");
	is_str(f.noisy_state, "suspected", "a noisy step stays suspected");
	is_str(f.noisy_dir, "regression", "30 % fewer IOPS is a regression");
	ok(f.noisy_cp.magnitude < -0.25 && f.noisy_cp.magnitude > -0.35 &&
	   f.noisy_cp.ci_lo < f.noisy_cp.magnitude && f.noisy_cp.ci_hi > f.noisy_cp.magnitude &&
	   f.noisy_cp.ci_hi < 0, "its magnitude -30 % with a CI below 0");
	ok(f.noisy_cp.p <= 0.001, "p at most 0.001");
	is_int(f.flat, 0, "the flat job's series has no change point");
	is_int((int)res.added, 2, "two stored");
	like(text, "confirmed regression: randread-4k@nvme:vfat pin.released_per_io 3.00 -> 4.00 (+1.00)",
	     "the new exact one is printed with its step");
	like(text, "between 060000000000 (last good) and 080000000000 (first bad)",
	     "and the commits around it, the failed night's skipped");
	like(text, "suspected regression: randread-4k@nvme:vfat fio.read.iops", "the noisy one too");
	free(text);

	is_int(nightseries_update(db, "main", &o, NULL, &res), 0, "searched again");
	is_int((int)res.added, 0, "the same steps are not stored twice");
	is_int((int)res.found, 2, "though found again");
	is_int((int)res.regressions, 0, "and not counted as new regressions");

	like(f.exact_line.buf, "confirmed regression: randread-4k@nvme:vfat pin.released_per_io 3.00 -> "
	     "4.00 (+1.00 pins/io) between abc (last good) and def (first bad), 2 nights",
	     "a stored change point read back is described as it was found");
	strbuf_release(&f.exact_line);

	/* a change point's mail goes to the outbox as a comparison's does */
	{
		struct db_mail m = { .change_point = f.exact_id, .message_id = "a@b", .sender = "s",
				     .recipients = "[]", .subject = "[pinbench] [main] x", .message = "m",
				     .len = 1, .eml = "x.eml", .state = "written" };
		struct db_mail back;
		long long id;

		is_int(db_mail_add(db, &m, &id), 0, "a change point's mail is stored");
		is_int(db_mail_get(db, id, &back), 0, "and read back");
		is_str(back.subject, "[pinbench] [main] x", "whole");
		ok(back.comparison == 0, "with no comparison");
		db_mail_release(&back);
		m.change_point = 0;
		m.message_id = "c@d";
		is_int(db_mail_add(db, &m, &id), -1, "a mail of neither is refused");
		m.change_point = f.exact_id;
		m.message_id = "e@f";
		is_int(db_mail_add(db, &m, &id), -1, "a change point is mailed once");
	}

	/* a nightly that stopped: its night is left building, the next marks it */
	{
		long long id;

		db_night_begin(db, "main", "9900000000000000000000000000000000000000", "x", &id);
		is_int(db_night_reap(db, &reaped), 0, "reaping works");
		is_int((int)reaped, 1, "the night left building is marked interrupted");
		is_int(db_night_measured(db, "main", "9900000000000000000000000000000000000000", &id,
					 at, sizeof(at)), 0, "and its commit is not measured");
	}

	/* a later night steps back: the regression is fixed */
	{
		long long id, run;
		int state_of_exact;

		db_night_begin(db, "main", "9800000000000000000000000000000000000000", "revert", &id);
		db_run_begin(db, kid, mid, "qemu", NULL, NULL, &run);
		night_samples(db, run, jid, 0, 0);	/* night 0's values: 3 pins, 10 k IO/s */
		db_run_finish(db, run, "done", NULL);
		db_night_finish(db, id, run, "measured", NULL);
		out = open_memstream(&text, &len);
		is_int(nightseries_update(db, "main", &o, out, &res), 0, "a step back is searched");
		fclose(out);
		is_int((int)res.fixed, 1, "the earlier regression is marked fixed");
		like(text, "fixed: randread-4k@nvme:vfat pin.released_per_io is back at 3",
		     "and it is said");
		free(text);
		memset(&f, 0, sizeof(f));
		f.exact_line = (struct strbuf)STRBUF_INIT;
		db_change_points(db, "main", keep, &f);
		strbuf_release(&f.exact_line);
		state_of_exact = f.exact_bad == night[PIN_STEP] && f.exact_back == 1;
		ok(state_of_exact, "the regression and the step back read back");
		is_str(f.exact_state, "fixed", "the regression's state is fixed");
		is_int(db_change_point_set_state(db, f.exact_id, "acked"), 0, "a change point is acked");
		is_int(db_change_point_set_state(db, 999, "acked"), 1, "an unknown one is said");
	}

	db_close(db);
	unlink(path.buf);
	*strrchr(path.buf, '/') = '\0';
	rmdir(path.buf);
	strbuf_release(&path);
	done_testing();
}
