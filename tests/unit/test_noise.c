// SPDX-License-Identifier: GPL-2.0-only
/*
 * A/A noise on a real SQLite file: two planted runs of one kernel, their
 * comparison stored as a calibration, and the noise read back the way
 * compare reads it (newest calibration of this machine and job wins).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "common/strbuf.h"
#include "db/db.h"
#include "reports/compare.h"
#include "reports/noise.h"
#include "tests/tap.h"

static const struct machine_info machine = { "fp", "box", "cpu", 2, 1 << 20, "qemu-tcg", "[]" };
static const struct machine_info other = { "fp2", "box2", "cpu", 2, 1 << 20, "qemu-kvm", "[]" };

/* IOPS values: mean 1000, the planted values given */
static long long add_run(struct db *db, long long kernel, long long machine_id, long long job,
			 const double *iops, size_t n)
{
	long long run;
	size_t i;

	db_run_begin(db, kernel, machine_id, "qemu", NULL, NULL, &run);
	for (i = 0; i < n; i++) {
		struct sample_set s = SAMPLE_SET_INIT;

		sample_set_add(&s, "fio.read.iops", iops[i], "IO/s");
		sample_set_add(&s, "fio.read.clat_p99_ns", 1e5 + 10 * (double)i, "ns");
		db_rep_store(db, run, job, (int)i + 1, &s);
		sample_set_clear(&s);
	}
	db_run_finish(db, run, "done", NULL);
	return run;
}

int main(void)
{
	char tmpl[] = "/tmp/pinbench-test-noise.XXXXXX";
	struct kernel_info k = { "k", "deb:x", NULL, NULL, NULL, "sha", "", "6.12" };
	struct job_row j = { "h", "randread-4k@nvme:vfat", "{}", "vfat", "nvme", "randread",
			     4096, 1, 1, "psync", 1 << 24, 1 };
	/* sd 50 around 1000 (cv 5 %) and sd 100 (cv 10 %), n = 4 each */
	double a[] = { 950, 950, 1050, 1050 }, b[] = { 900, 900, 1100, 1100 };
	double quiet[] = { 999, 999, 1001, 1001 };
	struct compare_opts o = COMPARE_OPTS_DEFAULT;
	struct db_noise_found f;
	struct comparison c;
	long long kid, mid, mid2, jid, ra, rb, id, jobs[1];
	struct strbuf path = STRBUF_INIT;
	struct db *db;
	char *d = mkdtemp(tmpl), *text = NULL;
	double want_cv, cv;
	size_t len = 0;
	FILE *out;

	strbuf_addf(&path, "%s/n.db", d);
	if (db_open(path.buf, &db) || db_kernel_get_or_add(db, &k, &kid) ||
	    db_machine_get_or_add(db, &machine, &mid) || db_machine_get_or_add(db, &other, &mid2) ||
	    db_job_get_or_add(db, &j, &jid))
		return 1;
	jobs[0] = jid;
	is_int(db_noise_latest(db, mid, jid, "fio.read.iops", &f), 1, "no noise before calibrating");
	is_int((int)noise_reps_for_jobs(db, mid, jobs, 1, 0.02, 0.05, &cv), 0,
	       "and no repetitions picked from it");

	ra = add_run(db, kid, mid, jid, a, 4);
	rb = add_run(db, kid, mid, jid, b, 4);
	compare_runs(db, ra, rb, &o, &c);
	compare_store(db, &c, "pinbench calibrate", &id);
	is_int(noise_store_calibration(db, &c, id), 0, "a calibration is stored");
	/* sample sds: 57.735 and 115.47 on mean 1000, pooled over 3 + 3 degrees of freedom */
	want_cv = sqrt((0.057735026918962584 * 0.057735026918962584 +
			0.11547005383792517 * 0.11547005383792517) / 2);
	is_int(db_noise_latest(db, mid, jid, "fio.read.iops", &f), 0, "its IOPS noise is found");
	ok(fabs(f.cv - want_cv) < 1e-9, "the CV is both sides' pooled (9.1 %)");
	is_int((int)f.n, 8, "from 8 samples");
	ok(f.comparison == id, "linked to its A/A comparison");
	is_int(db_noise_latest(db, mid2, jid, "fio.read.iops", &f), 1,
	       "another machine (or target) has no noise from it");
	is_int((int)noise_reps_for_jobs(db, mid, jobs, 1, 0.02, 0.05, &cv),
	       (int)stats_reps_for_cv(want_cv, 0.02, 0.05), "compare would ask for what that CV needs");
	ok(fabs(cv - want_cv) < 1e-9, "and says which CV asked for it");

	out = open_memstream(&text, &len);
	noise_print_calibration(&c, &o, 4, out);
	noise_print_for_comparison(db, &c, 0.05, out);
	fclose(out);
	ok(strstr(text, "9.1%") && strstr(text, "fio.read.iops"), "the tables print the CV");
	ok(!strstr(text, "fio.read.clat_mean_ns"), "only key metrics are shown");
	free(text);
	comparison_release(&c);

	/* a newer, quieter calibration replaces it */
	ra = add_run(db, kid, mid, jid, quiet, 4);
	rb = add_run(db, kid, mid, jid, quiet, 4);
	compare_runs(db, ra, rb, &o, &c);
	compare_store(db, &c, "pinbench calibrate", &id);
	noise_store_calibration(db, &c, id);
	comparison_release(&c);
	db_noise_latest(db, mid, jid, "fio.read.iops", &f);
	ok(f.cv < 0.002 && f.comparison == id, "the newest calibration is the machine's noise");
	is_int((int)noise_reps_for_jobs(db, mid, jobs, 1, 0.02, 0.05, &cv), 5,
	       "a quiet machine needs the minimum, 5");

	db_close(db);
	remove_tree(d);
	strbuf_release(&path);
	return done_testing();
}
