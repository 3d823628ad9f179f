// SPDX-License-Identifier: GPL-2.0-only
/* A/A noise: from a calibration into the database, and back into comparisons. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "reports/noise.h"
#include "reports/text.h"

int noise_is_key_metric(const char *metric)
{
	return ends_with(metric, ".iops") || ends_with(metric, ".clat_p99_ns");
}

int noise_is_between_boots(const struct db_noise_found *f)
{
	return f->boots >= 4;
}

int noise_store_calibration(struct db *db, const struct comparison *aa, long long comparison)
{
	struct db_noise *rows = xcalloc(aa->nr + 1, sizeof(*rows));
	long long machine, kernel;
	size_t i, nr = 0;
	int ret;

	if (db_run_machine_kernel(db, aa->run_a, &machine, &kernel)) {
		free(rows);
		return -1;
	}
	for (i = 0; i < aa->nr; i++) {
		const struct compare_row *r = &aa->rows[i];
		double cv = compare_row_pooled_cv(r);

		if (r->kind != COMPARE_NOISY || !isfinite(cv))
			continue;
		rows[nr++] = (struct db_noise){ r->job, r->metric, (long long)(r->na + r->nb), cv,
						isfinite(r->boot_cv) ?
						(long long)(r->boots_a + r->boots_b) : 0 };
	}
	ret = db_noise_store(db, machine, kernel, comparison, rows, nr);
	free(rows);
	return ret;
}

static double row_threshold(const struct compare_row *r, const struct compare_opts *o)
{
	return strstr(r->metric, ".clat_") ? o->latency_threshold : o->throughput_threshold;
}

void noise_print_calibration(const struct comparison *aa, const struct compare_opts *o,
			     unsigned reps, FILE *out)
{
	long long job = -1;
	size_t i;
	/* with 2 or more boots a side the noise is between boots, and boots are the n */
	int boots = aa->min_boots >= 2;
	unsigned n = boots ? (unsigned)aa->min_boots : reps;

	fprintf(out, "A/A noise (both sides pooled%s), what %u %s a side can see, and what\n"
		"the thresholds (%.0f %% throughput, %.0f %% latency) need:\n",
		boots ? ", between boots" : "", n, boots ? "boots" : "repetitions",
		o->throughput_threshold * 100, o->latency_threshold * 100);
	fprintf(out, "  %8s %12s %10s %7s  %s\n", "CV", "detects", "threshold", "n", "metric");
	for (i = 0; i < aa->nr; i++) {
		const struct compare_row *r = &aa->rows[i];
		double cv = compare_row_pooled_cv(r), t = row_threshold(r, o);
		unsigned need;

		if (r->kind != COMPARE_NOISY || !noise_is_key_metric(r->metric) || !isfinite(cv))
			continue;
		if (r->job != job) {
			fprintf(out, "%s\n", r->job_name);
			job = r->job;
		}
		need = stats_reps_for_cv(cv, t, o->alpha);
		fprintf(out, "  %7.1f%% %11.1f%% %9.0f%% %7u  %s\n", cv * 100,
			stats_detectable_change(cv, n, o->alpha) * 100, t * 100, need, r->metric);
	}
	fprintf(out, "  detects: the smallest change seen with 80 %% power at alpha %.2f;\n"
		"  n: the %s a side that see the threshold\n", o->alpha,
		boots ? "interleaved boots" : "repetitions");
}

static unsigned noise_for_jobs(struct db *db, long long machine, const long long *jobs, size_t n,
			       double threshold, double alpha, int between, double *worst_cv);

unsigned noise_reps_for_jobs(struct db *db, long long machine, const long long *jobs, size_t n,
			     double threshold, double alpha, double *worst_cv)
{
	return noise_for_jobs(db, machine, jobs, n, threshold, alpha, 0, worst_cv);
}

unsigned noise_boots_for_jobs(struct db *db, long long machine, const long long *jobs, size_t n,
			      double threshold, double alpha, double *worst_cv)
{
	return noise_for_jobs(db, machine, jobs, n, threshold, alpha, 1, worst_cv);
}

/* between: only noise measured across boots (2 or more a side), else only within one */
static unsigned noise_for_jobs(struct db *db, long long machine, const long long *jobs, size_t n,
			       double threshold, double alpha, int between, double *worst_cv)
{
	static const char *const iops[] = { "fio.read.iops", "fio.write.iops", NULL };
	struct db_noise_found f;
	unsigned want = 0, k;
	size_t i, j;

	*worst_cv = NAN;
	for (i = 0; i < n; i++) {
		for (j = 0; iops[j]; j++) {
			if (db_noise_latest(db, machine, jobs[i], iops[j], &f) ||
			    noise_is_between_boots(&f) != between)
				continue;
			k = stats_reps_for_cv(f.cv, threshold, alpha);
			if (k > want) {
				want = k;
				*worst_cv = f.cv;
			}
		}
	}
	return want;
}

int noise_print_for_comparison(struct db *db, const struct comparison *c, double alpha,
			       FILE *out)
{
	struct db_noise_found f;
	long long machine, kernel, job = -1;
	size_t i, found = 0;

	if (db_run_machine_kernel(db, c->run_a, &machine, &kernel))
		return -1;
	for (i = 0; i < c->nr; i++) {
		const struct compare_row *r = &c->rows[i];
		size_t n = r->na < r->nb ? r->na : r->nb;
		int got;

		if (r->kind != COMPARE_NOISY || !noise_is_key_metric(r->metric))
			continue;
		got = db_noise_latest(db, machine, r->job, r->metric, &f);
		if (got < 0)
			return -1;
		if (got)
			continue;
		if (!found++)
			fprintf(out, "A/A noise of this machine (pinbench calibrate) and the smallest "
				"change %zu repetitions a side detect:\n", n);
		if (r->job != job) {
			fprintf(out, "%s\n", r->job_name);
			job = r->job;
		}
		fprintf(out, "  CV %5.1f%%  detects %5.1f%%  %s (calibrated %s, %lld samples)\n",
			f.cv * 100, stats_detectable_change(f.cv, (unsigned)n, alpha) * 100,
			r->metric, f.measured_at, f.n);
	}
	if (!found)
		fprintf(out, "no A/A noise is stored for this machine: run 'pinbench calibrate "
			"--kernel NAME' to learn\nwhich changes these repetitions can detect\n");
	return 0;
}
