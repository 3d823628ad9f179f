// SPDX-License-Identifier: GPL-2.0-only
/*
 * compare_runs on a real SQLite file with two runs whose samples are
 * planted: a 10 % throughput drop, a latency change inside its 5 % band,
 * one more pin per I/O, and a metric that is not compared at all, each
 * repetition in a boot of its own. Then drift: a host that slows down
 * between boots, with and without a kernel effect, one boot a side and
 * interleaved. A stored
 * comparison read back is the one decided, under the settings stored with
 * it, whatever the settings of the day.
 */
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "common/strbuf.h"
#include "db/db.h"
#include "reports/compare.h"
#include "reports/headline.h"
#include "reports/nested.h"
#include "reports/report.h"
#include "tests/tap.h"

static const struct machine_info machine = { "fp", "box", "cpu", 2, 1 << 20, "qemu-tcg", "[]" };

static void add_run(struct db *db, long long kernel, long long machine_id, long long job,
		    double iops, double p99, double pins, long long *run)
{
	unsigned rep;

	db_run_begin(db, kernel, machine_id, "qemu", NULL, NULL, run);
	for (rep = 1; rep <= 8; rep++) {
		struct sample_set s = SAMPLE_SET_INIT;
		/* small, fixed spread around the planted value: +-0.4 % */
		double jitter = 1 + ((double)rep - 4.5) / 1000;

		sample_set_add(&s, "fio.read.iops", iops * jitter, "IO/s");
		sample_set_add(&s, "fio.read.clat_p99_ns", p99 * jitter, "ns");
		sample_set_add(&s, "pin.released_per_io", pins, "pins/io");
		sample_set_add(&s, "vmstat.nr_foll_pin_released", pins * 1000 * rep, "pages");
		/* a long name: its table line must still fit 100 columns */
		sample_set_add(&s, "cost.fn.__blockdev_direct_IO_insns_per_io", 585.6, "insn/io:tcg-count");
		db_rep_store_in_boot(db, *run, job, (int)rep, (int)rep, &s);
		sample_set_clear(&s);
	}
	db_run_finish(db, *run, "done", NULL);
}

static const struct compare_row *row(const struct comparison *c, const char *metric);
static char *printed(const struct comparison *c);

/*
 * IOPS of one kernel over `boots` boots of `per_boot` repetitions: boot g
 * runs at host speed speed[g] (the drift), the kernel at `kernel` times
 * the baseline, repetitions inside a boot within +-0.5 % of each other.
 */
static long long drift_run(struct db *db, long long kernel_id, long long machine_id, long long job,
			   const double *speed, unsigned boots, unsigned per_boot, double kernel)
{
	long long run;
	unsigned g, i;
	int rep = 0;

	db_run_begin(db, kernel_id, machine_id, "qemu", NULL, NULL, &run);
	for (g = 0; g < boots; g++) {
		for (i = 0; i < per_boot; i++) {
			struct sample_set s = SAMPLE_SET_INIT;

			sample_set_add(&s, "fio.read.iops",
				       5000 * speed[g] * kernel * (1 + ((double)i - 1) / 200), "IO/s");
			sample_set_add(&s, "fio.read.clat_p50_ns",
				       2e5 / (speed[g] * kernel) * (1 + ((double)i - 1) / 200), "ns");
			db_rep_store_in_boot(db, run, job, ++rep, (int)g + 1, &s);
			sample_set_clear(&s);
		}
	}
	db_run_finish(db, run, "done", NULL);
	return run;
}

static enum stats_verdict iops_verdict(struct db *db, long long a, long long b,
				       struct comparison *c)
{
	struct compare_opts o = COMPARE_OPTS_DEFAULT;
	const struct compare_row *r;

	if (compare_runs(db, a, b, &o, c))
		return (enum stats_verdict)-1;
	r = row(c, "fio.read.iops");
	return r ? r->verdict : (enum stats_verdict)-1;
}

/* The headline's text of a comparison, as report_text opens with it. */
static char *headline_text(const struct comparison *c, struct headline *h)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	headline_build(c, h);
	headline_print(h, out);
	fclose(out);
	return text;
}

/*
 * The case: the host halved its speed during the baseline's only
 * boot, the patched boot ran in a quiet minute. Tight repetitions, a 60 %
 * "improvement", and no evidence at all about the kernel.
 */
static void test_drift(struct db *db, long long kid, long long mid, long long jid)
{
	static const double slow[] = { 0.6 }, quick[] = { 1.0 };
	/* interleaved A B A B ...: consecutive boots share the host's minute */
	static const double minutes[] = { 1.0, 0.55, 0.8, 1.2, 0.7, 0.9 };
	struct comparison c;
	const struct compare_row *r;
	long long a, b;

	a = drift_run(db, kid, mid, jid, slow, 1, 5, 1.0);
	b = drift_run(db, kid, mid, jid, quick, 1, 5, 1.0);
	is_int(iops_verdict(db, a, b, &c), STATS_INCONCLUSIVE,
	       "one boot a side, a 67 % shift between them: inconclusive, never an improvement");
	r = row(&c, "fio.read.iops");
	ok(r && r->boots_a == 1 && r->boots_b == 1 && r->na == 5, "1 boot of 5 repetitions a side");
	ok(r && r->ci.lo > 1.5, "though the repetitions alone would put its CI far above 1");
	{
		struct headline h;
		char *text = headline_text(&c, &h);

		is_str(h.word, "INCONCLUSIVE", "the headline says INCONCLUSIVE, never NO CHANGE");
		like(text, "with one boot a side no",
		     "and that one boot a side decides nothing");
		like(text, "run 3 or more", "and how many boots would");
		headline_release(&h);
		free(text);
	}
	{
		char *text = NULL, *all = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&text, &len);

		compare_print(&c, "base", "patch", 0, out);
		fclose(out);
		out = open_memstream(&all, &len);
		compare_print(&c, "base", "patch", COMPARE_PRINT_ALL, out);
		fclose(out);
		ok(!compare_row_shown(row(&c, "fio.read.clat_p50_ns")) &&
		   compare_row_shown(row(&c, "fio.read.iops")),
		   "the default table hides an undecided p50 row, keeps the job's undecided IOPS row");
		ok(!strstr(text, "clat_p50") && strstr(text, "fio.read.iops"), "and prints so");
		like(text, "(1 undecided row not shown: --all prints every row)", "saying what it hid");
		ok(strstr(all, "clat_p50") && strstr(all, "fio.read.iops") &&
		   !strstr(all, "not shown"), "--all prints every row");
		like(text, "legend: ", "with a legend");
		free(text);
		free(all);
	}
	comparison_release(&c);

	a = drift_run(db, kid, mid, jid, minutes, 6, 2, 1.0);
	b = drift_run(db, kid, mid, jid, minutes, 6, 2, 1.0);
	iops_verdict(db, a, b, &c);
	r = row(&c, "fio.read.iops");
	ok(r && r->verdict != STATS_REGRESSION && r->verdict != STATS_IMPROVEMENT,
	   "interleaved boots, the host's minutes shared by A and B: neither verdict");
	ok(r && r->boots_a == 6 && fabs(r->ci.ratio - 1) < 1e-9,
	   "the shift cancels: ratio 1, 6 boots a side");
	ok(r && isfinite(r->boot_cv) && r->boot_cv > 0.2, "the between-boot CV is the drift's (> 20 %)");
	comparison_release(&c);

	b = drift_run(db, kid, mid, jid, minutes, 6, 2, 0.75);
	is_int(iops_verdict(db, a, b, &c), STATS_REGRESSION,
	       "a real 25 % loss across 6 interleaved boots under the same drift is found");
	comparison_release(&c);

	a = drift_run(db, kid, mid, jid, minutes, 2, 4, 1.0);
	b = drift_run(db, kid, mid, jid, minutes, 2, 4, 0.75);
	is_int(iops_verdict(db, a, b, &c), STATS_INCONCLUSIVE,
	       "two pairs of boots, however alike, are not enough: inconclusive");
	r = row(&c, "fio.read.iops");
	ok(r && r->reps_needed >= COMPARE_MIN_PAIRS, "and it says how many boots a side would decide it");
	{
		char *text = printed(&c);

		like(text, "?b=", "the table marks the row with the boots that would decide it");
		free(text);
	}
	comparison_release(&c);

	/* the host slows down through the baseline's one boot: 8 repetitions, each lower */
	{
		static const double flat[] = { 1.0 };
		struct headline h;
		char *text;
		long long slide;
		unsigned rep;

		db_run_begin(db, kid, mid, "qemu", NULL, NULL, &slide);
		for (rep = 1; rep <= 8; rep++) {
			struct sample_set s = SAMPLE_SET_INIT;

			sample_set_add(&s, "fio.read.iops", 6500 - 400.0 * rep, "IO/s");
			db_rep_store_in_boot(db, slide, jid, (int)rep, 1, &s);
			sample_set_clear(&s);
		}
		db_run_finish(db, slide, "done", NULL);
		/* the patched side: 8 repetitions up and down around 5000, no trend */
		db_run_begin(db, kid, mid, "qemu", NULL, NULL, &b);
		for (rep = 1; rep <= 8; rep++) {
			struct sample_set s = SAMPLE_SET_INIT;

			sample_set_add(&s, "fio.read.iops", 5000 * flat[0] + (rep % 2 ? 10.0 : -10.0) *
				       rep, "IO/s");
			db_rep_store_in_boot(db, b, jid, (int)rep, 1, &s);
			sample_set_clear(&s);
		}
		db_run_finish(db, b, "done", NULL);
		iops_verdict(db, slide, b, &c);
		r = row(&c, "fio.read.iops");
		ok(r && r->trend_s_a == -28 && r->trend_var_a > 65 && r->trend_var_a < 66,
		   "Mann-Kendall S of 8 falling repetitions: -28 (every pair falls), var 65.3");
		text = headline_text(&c, &h);
		ok(h.trend_z[0] < -HEADLINE_TREND_Z && fabs(h.trend_z[1]) < 1,
		   "the headline's z says the baseline slid, the patched side did not");
		like(text, "drift: in the boots of the baseline (A) IOPS fell", "and says so");
		headline_release(&h);
		free(text);
		compare_store(db, &c, "test", &slide);
		comparison_release(&c);
		compare_load(db, slide, &c);
		text = headline_text(&c, &h);
		like(text, "drift: in the boots of the baseline (A) IOPS fell",
		     "the stored comparison says the same");
		headline_release(&h);
		free(text);
		comparison_release(&c);
	}
}

/*
 * Pooling: 8 jobs, 4 interleaved boots a side of 2 repetitions; boot g of
 * A and of B share the host's minute minutes[g]; every job, boot and side
 * has its own +-8 % (the between-boot spread of one job the DESIGN's
 * measurements show), so a job alone rarely decides; the kernel is `kernel`
 * times the baseline on every job. Job j is jobs[j].
 */
static long long pooled_run(struct db *db, long long kernel_id, long long machine_id,
			    const long long *jobs, unsigned side, double kernel)
{
	static const double minutes[] = { 1.0, 0.6, 1.3, 0.8 };
	long long run;
	unsigned g, j, i;

	db_run_begin(db, kernel_id, machine_id, "qemu", NULL, NULL, &run);
	for (j = 0; j < 8; j++) {
		for (g = 0; g < 4; g++) {
			/* a fixed pseudo-random +-8 % per (job, boot, side) */
			unsigned h = (j * 31 + g * 7 + side * 101 + 17) * 2654435761u;
			double own = 1 + 0.08 * ((double)(h >> 16 & 0xffff) / 32767.5 - 1);

			for (i = 0; i < 2; i++) {
				struct sample_set s = SAMPLE_SET_INIT;

				sample_set_add(&s, "fio.read.iops", (1000 + 500 * j) * minutes[g] * own *
					       kernel * (1 + (double)i / 200), "IO/s");
				db_rep_store_in_boot(db, run, jobs[j], (int)(g * 2 + i + 1), (int)g + 1,
						     &s);
				sample_set_clear(&s);
			}
		}
	}
	db_run_finish(db, run, "done", NULL);
	return run;
}

static const struct compare_row *pooled_row(const struct comparison *c)
{
	size_t i;

	for (i = 0; i < c->nr; i++)
		if (compare_row_is_pooled(&c->rows[i]))
			return &c->rows[i];
	return NULL;
}

static void test_pooled(struct db *db, long long kid, long long mid)
{
	struct compare_opts o = COMPARE_OPTS_DEFAULT;
	struct comparison c, stored;
	const struct compare_row *r;
	long long jobs[8], a, b, aa, id, id2, pooled_job;
	size_t i, decided = 0;
	unsigned j;

	for (j = 0; j < 8; j++) {
		char hash[16], name[32];
		struct job_row jr = { hash, name, "{}", "vfat", "nvme", "randread", 4096, 1, 1,
				      "psync", 1 << 24, 1 };

		snprintf(hash, sizeof(hash), "pool%u", j);
		snprintf(name, sizeof(name), "job-%u@nvme:vfat", j);
		db_job_get_or_add(db, &jr, &jobs[j]);
	}
	a = pooled_run(db, kid, mid, jobs, 0, 1.0);
	b = pooled_run(db, kid, mid, jobs, 1, 0.88);
	aa = pooled_run(db, kid, mid, jobs, 1, 1.0);

	is_int(compare_runs(db, a, b, &o, &c), 0, "8 jobs, 4 interleaved boots a side, compare");
	r = pooled_row(&c);
	ok(r && r->job == 0 && !strcmp(r->job_name, "all 8 jobs (pooled)") && r->boots_a == 4,
	   "one pooled row over the 8 jobs' 4 pairs of boots");
	ok(r && fabs(r->ci.ratio - 0.88) < 0.03 && r->ci.hi < 1,
	   "its ratio is the planted 0.88, its CI below 1");
	is_int(r ? (int)r->verdict : -1, STATS_REGRESSION, "a 12 % loss on every job: regression");
	ok(r && r->q == r->p, "decided on its own p, outside the jobs' BH family");
	for (i = 0; i < c.nr; i++)
		decided += !compare_row_is_pooled(&c.rows[i]) &&
			   c.rows[i].verdict == STATS_REGRESSION;
	ok(decided < 8, "where the jobs alone do not all decide it");
	is_int(compare_store(db, &c, "test", &id), 0, "stored");
	comparison_release(&c);
	is_int(compare_load(db, id, &stored), 0, "and read back");
	r = pooled_row(&stored);
	ok(r && r->job > 0 && !strcmp(r->job_name, "all 8 jobs (pooled)") &&
	   r->verdict == STATS_REGRESSION && fabs(r->ci.ratio - 0.88) < 0.03,
	   "as a verdict of a job of its own, the same figures");
	pooled_job = r ? r->job : -1;
	{
		struct headline h;
		char *text = headline_text(&stored, &h);

		is_str(h.word, "REGRESSION", "the headline says REGRESSION");
		like(text, "regression: IOPS of all 8 jobs (pooled) -1",
		     "and leads the throughput findings with the pooled row");
		like(text, "(95 % CI -1", "with its interval");
		like(text, "4 pairs of interleaved", "and its pairs");
		headline_release(&h);
		free(text);
	}
	comparison_release(&stored);
	compare_runs(db, a, b, &o, &c);
	compare_store(db, &c, "test", &id2);
	comparison_release(&c);
	compare_load(db, id2, &stored);
	r = pooled_row(&stored);
	ok(r && r->job == pooled_job, "the same jobs pool into the same job row");
	comparison_release(&stored);

	compare_runs(db, a, aa, &o, &c);
	r = pooled_row(&c);
	ok(r && r->verdict != STATS_REGRESSION && r->verdict != STATS_IMPROVEMENT &&
	   r->ci.lo < 1 && r->ci.hi > 1, "A/A under the same drift and spread: no pooled verdict");
	{
		struct headline h;
		char *text = headline_text(&c, &h);

		like(text, "IOPS of all 8 jobs (pooled) ", "the headline still gives its figure");
		headline_release(&h);
		free(text);
	}
	comparison_release(&c);

	/* sides of unequal repetitions: one a boot in A, eight in B, two rows */
	{
		static const double va[] = { 100, 400, 400 }, vb[] = { 90, 90, 90, 90, 90, 90, 90,
								   90, 360, 360, 360, 360, 360,
								   360, 360, 360 };
		static const long long ba[] = { 1, 2, 2 }, bb[] = { 1, 1, 1, 1, 1, 1, 1, 1,
								     2, 2, 2, 2, 2, 2, 2, 2 };
		struct nested xa[2], xb[2], pa, pb;

		/* each row's A side larger than the rows before it, its B side larger still */
		for (j = 0; j < 2; j++) {
			nested_init(&xa[j], va, ba, NULL, 2 + j);
			nested_init(&xb[j], vb, bb, NULL, 16);
		}
		is_int((int)nested_pool(xa, xb, 2, &pa, &pb), 2,
		       "rows of 1 and 8 repetitions a boot pool into 2 boots");
		ok(fabs(pa.v[0] - 100) < 1e-9 && fabs(pb.v[1] - 360) < 1e-9,
		   "each boot's value the geometric mean of its rows' boot medians");
		nested_release(&pa);
		nested_release(&pb);
		for (j = 0; j < 2; j++) {
			nested_release(&xa[j]);
			nested_release(&xb[j]);
		}
	}
}

static char *printed(const struct comparison *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	compare_print(c, "base", "patch", COMPARE_PRINT_ALL, out);
	fclose(out);
	return text;
}

static int same_double(double x, double y)
{
	return (isnan(x) && isnan(y)) || x == y;
}

static int same_rows(const struct comparison *x, const struct comparison *y)
{
	size_t i;

	if (x->nr != y->nr)
		return 0;
	for (i = 0; i < x->nr; i++) {
		const struct compare_row *a = &x->rows[i], *b = &y->rows[i];

		if (a->job != b->job || strcmp(a->metric, b->metric) || strcmp(a->unit, b->unit) ||
		    strcmp(a->job_name, b->job_name) || a->kind != b->kind ||
		    a->verdict != b->verdict || a->na != b->na || a->nb != b->nb ||
		    a->reps_needed != b->reps_needed || !same_double(a->median_a, b->median_a) ||
		    !same_double(a->median_b, b->median_b) || !same_double(a->cv_a, b->cv_a) ||
		    !same_double(a->cv_b, b->cv_b) || !same_double(a->delta, b->delta) ||
		    (a->kind == COMPARE_NOISY &&
		     (a->boots_a != b->boots_a || a->boots_b != b->boots_b ||
		      !same_double(a->boot_cv, b->boot_cv) ||
		      !same_double(a->trend_s_a, b->trend_s_a) ||
		      !same_double(a->trend_var_b, b->trend_var_b) ||
		      !same_double(a->ci.ratio, b->ci.ratio) || !same_double(a->ci.lo, b->ci.lo) ||
		      !same_double(a->ci.hi, b->ci.hi) || !same_double(a->p, b->p) ||
		      !same_double(a->q, b->q))))
			return 0;
	}
	return 1;
}

/* A comparison stored before schema 7: no settings, units or CVs (what migration 7 leaves). */
static void forget_settings(const char *path, long long id)
{
	sqlite3 *sql;
	char *q;

	sqlite3_open(path, &sql);
	q = sqlite3_mprintf("UPDATE comparison SET throughput_threshold = NULL,"
			    " latency_threshold = NULL, alpha = NULL, confidence = NULL,"
			    " resamples = NULL, seed = NULL, exact_tolerance = NULL WHERE id = %lld;"
			    "UPDATE verdict SET unit = NULL, cv_a = NULL, cv_b = NULL"
			    " WHERE comparison = %lld", id, id);
	sqlite3_exec(sql, q, NULL, NULL, NULL);
	sqlite3_free(q);
	sqlite3_close(sql);
}

static void test_stored(struct db *db, const char *path, long long a, long long b)
{
	struct compare_opts o = COMPARE_OPTS_DEFAULT, lax = COMPARE_OPTS_DEFAULT;
	struct comparison c, loaded, today;
	struct strbuf settings = STRBUF_INIT;
	char *t1, *t2;
	long long id;

	o.resamples = 999;
	o.seed = 7;
	compare_runs(db, a, b, &o, &c);
	is_int(compare_store(db, &c, "pinbench compare", &id), 0, "the comparison is stored");
	is_int(compare_load(db, id, &loaded), 0, "and read back");
	is_int(compare_load(db, id + 100, &today), 1, "an unknown comparison is 1");
	ok(same_rows(&c, &loaded),
	   "every row as decided: verdicts, medians, CVs, CI, p, q, units, boots, trends");
	ok(loaded.regressions == c.regressions && loaded.improvements == c.improvements &&
	   loaded.inconclusive == c.inconclusive && loaded.changed_exact == c.changed_exact &&
	   loaded.min_n == c.min_n && loaded.id == id && *loaded.decided_at,
	   "with its counts, id and time");
	ok(loaded.opts_known && loaded.opts.resamples == 999 && loaded.opts.seed == 7 &&
	   loaded.opts.throughput_threshold == 0.02 && loaded.opts.alpha == 0.05 &&
	   loaded.opts.confidence == 0.95 && loaded.opts.exact_tolerance == 0.1,
	   "and the settings it was decided under");
	t1 = printed(&c);
	t2 = printed(&loaded);
	is_str(t2, t1, "the table of the stored comparison is the table compare printed");
	free(t1);
	free(t2);
	compare_settings_text(&loaded, &settings);
	like(settings.buf, "at least 2% (throughput) or 5% (latency), and q <= 0.05",
	     "the settings line names the thresholds and alpha");
	like(settings.buf, "95% bootstrap CI (999 resamples, seed 7)", "and the bootstrap");

	/* today's [compare] says 50 %: a new decision differs, the stored one does not */
	lax.throughput_threshold = 0.5;
	compare_runs(db, a, b, &lax, &today);
	is_int(row(&today, "fio.read.iops")->verdict, STATS_NO_CHANGE,
	       "under a 50 % threshold a new comparison calls 10 % no change");
	is_int(row(&loaded, "fio.read.iops")->verdict, STATS_REGRESSION,
	       "the stored one still does");
	comparison_release(&today);
	comparison_release(&loaded);

	forget_settings(path, id);
	is_int(compare_load(db, id, &loaded), 0, "a comparison stored before schema 7 loads");
	ok(!loaded.opts_known, "its settings are unknown");
	is_int(row(&loaded, "fio.read.iops")->verdict, STATS_REGRESSION,
	       "its verdicts are shown as stored");
	ok(same_rows(&c, &loaded), "units from the metric table, CVs from the samples");
	strbuf_reset(&settings);
	compare_settings_text(&loaded, &settings);
	like(settings.buf, "not stored with this comparison", "and the report says so");
	comparison_release(&loaded);
	comparison_release(&c);
	strbuf_release(&settings);
}

static const struct compare_row *row(const struct comparison *c, const char *metric)
{
	size_t i;

	for (i = 0; i < c->nr; i++)
		if (!strcmp(c->rows[i].metric, metric))
			return &c->rows[i];
	return NULL;
}

/* A row whose CV is not a number (one repetition a side) is still in the JSON, with null. */
static void test_json_not_a_number(struct comparison *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	double saved = c->rows[0].cv_a;
	json_t *doc, *rows;

	c->rows[0].cv_a = NAN;
	is_int(report_json(c, out), 0, "report_json with a NaN CV");
	fclose(out);
	c->rows[0].cv_a = saved;
	doc = json_loads(text ? text : "", 0, NULL);
	ok(doc != NULL, "its output parses as JSON");
	rows = json_object_get(doc, "rows");
	is_int(json_array_size(rows), c->nr, "every row is in it");
	ok(json_is_null(json_object_get(json_array_get(rows, 0), "cv_a_pct")),
	   "the NaN CV is null");
	json_decref(doc);
	free(text);
}

/* A dio-cases job's repetitions: pins released, pages left pinned, bytes on disk per I/O. */
static long long case_run(struct db *db, long long kernel_id, long long machine_id, long long job,
			  double released, double leaked, double disk_bytes)
{
	long long run;
	unsigned rep;

	db_run_begin(db, kernel_id, machine_id, "qemu", NULL, NULL, &run);
	for (rep = 1; rep <= 4; rep++) {
		struct sample_set s = SAMPLE_SET_INIT;

		sample_set_add(&s, "pin.released_per_io", released, "pins/io");
		sample_set_add(&s, "case.leaked_pages", leaked, "pages");
		sample_set_add(&s, "case.disk_bytes_per_io", disk_bytes, "B/io");
		sample_set_add(&s, "case.bios_per_io", 8, "bios/io");
		sample_set_add(&s, "case.total_ios", 1000, "io");
		db_rep_store_in_boot(db, run, job, (int)rep, (int)rep, &s);
		sample_set_clear(&s);
	}
	db_run_finish(db, run, "done", NULL);
	return run;
}

/*
 * A page left pinned is a regression, and the pins released per I/O that
 * fell because they were never dropped are no improvement; without a leak
 * the same fall is one. The disk's bytes per I/O move with the
 * filesystem's own writes: 0.04 % is no change.
 */
static void test_leak(struct db *db, long long kid, long long mid)
{
	struct job_row j = { "case", "dio-split-page@nvme:vfat-512", "{}", "vfat-512", "nvme",
			     "randrw", 4096, 1, 1, "psync", 1 << 20, 1 };
	struct compare_opts o = COMPARE_OPTS_DEFAULT;
	struct comparison c;
	const struct compare_row *r;
	struct headline h;
	long long jid, a, b, fixed;
	char *head;

	if (db_job_get_or_add(db, &j, &jid))
		return;
	a = case_run(db, kid, mid, jid, 17, 0, 4096);
	b = case_run(db, kid, mid, jid, 10, 1, 4097.7);
	fixed = case_run(db, kid, mid, jid, 16, 0, 4096);
	is_int(compare_runs(db, a, b, &o, &c), 0, "a leaking kernel compares");
	r = row(&c, "case.leaked_pages");
	is_int(r ? (int)r->verdict : -1, STATS_REGRESSION, "a page left pinned is a regression");
	r = row(&c, "pin.released_per_io");
	ok(r && r->verdict == STATS_INCONCLUSIVE && r->kind == COMPARE_EXACT,
	   "pins released 17 -> 10 with a leak: changed, not an improvement");
	r = row(&c, "case.disk_bytes_per_io");
	is_int(r ? (int)r->verdict : -1, STATS_NO_CHANGE, "4096 -> 4097.7 bytes on disk: no change");
	ok(!row(&c, "case.total_ios"), "the I/O count is not compared");
	head = headline_text(&c, &h);
	like(head, "regression: case.leaked_pages +1.00 pages (0.00 -> 1.00) on 1 of 1 job, in",
	     "the headline leads with the leak");
	like(head, "several bios", "and says what the case exercises");
	ok(!strstr(head, "improvement"), "with no improvement");
	is_int(h.exit_code, 1, "exit 1");
	headline_release(&h);
	free(head);
	comparison_release(&c);

	is_int(compare_runs(db, a, fixed, &o, &c), 0, "a kernel that drops a pin pair compares");
	r = row(&c, "pin.released_per_io");
	is_int(r ? (int)r->verdict : -1, STATS_IMPROVEMENT,
	       "17 -> 16 pins released without a leak is an improvement");
	comparison_release(&c);
}

int main(void)
{
	char tmpl[] = "/tmp/pinbench-test-compare.XXXXXX";
	struct kernel_info k = { "k", "deb:x", NULL, NULL, NULL, "sha", "", "6.12" };
	struct job_row j = { "h", "randread-4k@nvme:vfat", "{}", "vfat", "nvme", "randread",
			     4096, 1, 1, "psync", 1 << 24, 1 };
	struct compare_opts o = COMPARE_OPTS_DEFAULT;
	struct comparison c, again;
	const struct compare_row *r;
	long long kid, mid, jid, a, b, aa;
	struct strbuf path = STRBUF_INIT;
	struct db *db;
	char *d = mkdtemp(tmpl);
	FILE *out;
	char *text = NULL;
	size_t len = 0;

	strbuf_addf(&path, "%s/c.db", d);
	if (db_open(path.buf, &db) || db_kernel_get_or_add(db, &k, &kid) ||
	    db_machine_get_or_add(db, &machine, &mid) || db_job_get_or_add(db, &j, &jid))
		return 1;
	add_run(db, kid, mid, jid, 1000, 2e6, 3.0, &a);
	add_run(db, kid, mid, jid, 900, 2.04e6, 4.0, &b);
	add_run(db, kid, mid, jid, 1000, 2e6, 3.0, &aa);

	is_int(compare_runs(db, a, b, &o, &c), 0, "two runs compare");
	test_json_not_a_number(&c);
	r = row(&c, "fio.read.iops");
	ok(r && r->kind == COMPARE_NOISY, "IOPS is a noisy metric");
	ok(r && fabs(r->ci.ratio - 0.9) < 1e-6, "the ratio of medians is 0.9");
	ok(r && r->ci.lo <= 0.9 + 1e-9 && r->ci.lo > 0.89 && r->ci.hi >= 0.9 - 1e-9 && r->ci.hi < 0.91,
	   "its CI is tight around it");
	ok(r && r->paired && r->boots_a == 8, "8 boots a side, paired by number");
	ok(r && r->p < 0.001 && r->q <= r->p * 2 + 1e-12, "separated samples: tiny p, q from BH");
	is_int(r ? (int)r->verdict : -1, STATS_REGRESSION, "10 % fewer IOPS is a regression");
	r = row(&c, "fio.read.clat_p99_ns");
	is_int(r ? (int)r->verdict : -1, STATS_NO_CHANGE,
	       "+2 % p99 latency is inside the 5 % band: no change, significant or not");
	r = row(&c, "pin.released_per_io");
	ok(r && r->kind == COMPARE_EXACT, "pins per I/O are compared exactly");
	ok(r && fabs(r->delta - 1.0) < 1e-9, "with the size of the change: +1.00");
	is_int(r ? (int)r->verdict : -1, STATS_REGRESSION, "more pins per I/O is a regression");
	ok(!row(&c, "vmstat.nr_foll_pin_released"), "raw counter deltas are not compared");
	is_int((int)c.regressions, 2, "two regressions counted");
	{
		struct headline h;
		char *head = headline_text(&c, &h);

		is_str(h.word, "REGRESSION", "the headline's word follows the stored verdicts");
		is_int(h.exit_code, 1, "with the exit status compare gives");
		ok(!strncmp(head, "VERDICT: REGRESSION (exit 1)\n", 29), "as its first line");
		like(head, "regression: pin.released_per_io +1.00 pins/io (3.00 -> 4.00) on 1 of 1 job",
		     "one sentence per finding, with its size and both values");
		like(head, "regression: fio.read.iops -10.0 % on 1 of 1 job", "the noisy one too");
		ok(!strstr(head, "clat_p99"), "a row decided no change is no finding");
		is_int((int)h.nr, 2, "two findings");
		headline_release(&h);
		free(head);
	}
	is_int((int)c.min_n, 8, "8 repetitions a side");

	out = open_memstream(&text, &len);
	compare_print(&c, "base", "patch", COMPARE_PRINT_ALL, out);
	fclose(out);
	like(text, "-10.0%", "the table shows the computed %change");
	like(text, "+1.00", "and the exact change");
	ok(!strstr(text, "no Mann-Whitney p below 0.01"), "8 a side can reach p < 0.01: no warning");
	{
		char *p = text, *nl;
		int longest = 0;

		while ((nl = strchr(p, '\n'))) {
			if (nl - p > longest)
				longest = (int)(nl - p);
			p = nl + 1;
		}
		ok(longest <= 100, "no line is longer than 100 columns");
	}
	free(text);

	is_int(compare_runs(db, a, b, &o, &again), 0, "again");
	r = row(&again, "fio.read.iops");
	ok(r && r->ci.lo == row(&c, "fio.read.iops")->ci.lo, "the same data give the same CI");
	comparison_release(&again);
	comparison_release(&c);

	is_int(compare_runs(db, a, aa, &o, &c), 0, "A/A");
	is_int((int)(c.regressions + c.improvements + c.changed_exact), 0,
	       "identical runs: nothing changed");
	{
		struct headline h;
		char *head = headline_text(&c, &h);

		is_str(h.word, "NO CHANGE", "every noisy row decided no change: NO CHANGE");
		like(head, "no row changed", "with no findings");
		like(head, "undecided: 0 of 2 noisy rows", "and what stayed undecided");
		headline_release(&h);
		free(head);
	}
	comparison_release(&c);

	{
		long long one_a, one_b;
		struct sample_set s = SAMPLE_SET_INIT;

		db_run_begin(db, kid, mid, "qemu", NULL, NULL, &one_a);
		db_run_begin(db, kid, mid, "qemu", NULL, NULL, &one_b);
		sample_set_add(&s, "fio.read.iops", 1000, "IO/s");
		db_rep_store(db, one_a, jid, 1, &s);
		db_rep_store(db, one_b, jid, 1, &s);
		sample_set_clear(&s);
		db_run_finish(db, one_a, "done", NULL);
		db_run_finish(db, one_b, "done", NULL);
		is_int(compare_runs(db, one_a, one_b, &o, &c), 0, "one repetition a side compares");
		r = row(&c, "fio.read.iops");
		is_int(r ? (int)r->verdict : -1, STATS_INCONCLUSIVE,
		       "but equal single samples are no evidence of no change: inconclusive");
		comparison_release(&c);
	}

	{
		/* cost rows: counted under TCG on one side, by the PMU on the other */
		long long ta, tb;
		unsigned rep;

		db_run_begin(db, kid, mid, "qemu", NULL, NULL, &ta);
		db_run_begin(db, kid, mid, "qemu", NULL, NULL, &tb);
		for (rep = 1; rep <= 3; rep++) {
			struct sample_set sa = SAMPLE_SET_INIT, sb = SAMPLE_SET_INIT;

			sample_set_add(&sa, "cost.kernel_insns_per_io", 9000, "insn/io:tcg-count");
			sample_set_add(&sb, "cost.kernel_insns_per_io", 12000, "insn/io:pmu");
			sample_set_add(&sa, "cost.fn.folio_add_pin_insns_per_io", 30, "insn/io:tcg-count");
			sample_set_add(&sb, "cost.fn.folio_add_pin_insns_per_io", 30, "insn/io:tcg-count");
			sample_set_add(&sa, "cost.kernel_cycles_per_io", 20000 + rep, "cycles/io:pmu");
			sample_set_add(&sb, "cost.kernel_cycles_per_io", 20000 - rep, "cycles/io:pmu");
			db_rep_store(db, ta, jid, (int)rep, &sa);
			db_rep_store(db, tb, jid, (int)rep, &sb);
			sample_set_clear(&sa);
			sample_set_clear(&sb);
		}
		db_run_finish(db, ta, "done", NULL);
		db_run_finish(db, tb, "done", NULL);
		is_int(compare_runs(db, ta, tb, &o, &c), 0, "cost rows of two sources compare");
		ok(!row(&c, "cost.kernel_insns_per_io"),
		   "a tcg-count row is never compared with a pmu row");
		r = row(&c, "cost.fn.folio_add_pin_insns_per_io");
		ok(r && r->kind == COMPARE_EXACT && r->verdict == STATS_NO_CHANGE,
		   "counted rows of one source are exact");
		r = row(&c, "cost.kernel_cycles_per_io");
		ok(r && r->kind == COMPARE_NOISY, "the PMU's cycles are a noisy row");
		comparison_release(&c);
	}

	is_int(compare_runs(db, a, 999, &o, &c), -1, "an unknown run is an error");
	comparison_release(&c);
	test_stored(db, path.buf, a, b);
	test_drift(db, kid, mid, jid);
	test_pooled(db, kid, mid);
	test_leak(db, kid, mid);
	db_close(db);
	remove_tree(d);
	strbuf_release(&path);
	return done_testing();
}
