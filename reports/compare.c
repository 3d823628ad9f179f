// SPDX-License-Identifier: GPL-2.0-only
/*
 * Two runs side by side: the statistics per job and metric, the verdicts,
 * and the LKP-style table (baseline ±%stddev, %change, patched ±%stddev).
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/sample.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/strvec.h"
#include "reports/compare.h"
#include "reports/nested.h"
#include "reports/noise.h"
#include "reports/summary.h"
#include "reports/text.h"
#include "workloads/diocase.h"

struct series {
	long long job;
	char *job_name, *metric, *unit;
	double *values;
	long long *boots;
	int *reps;
	size_t n;
};

struct series_list {
	struct series *v;
	size_t nr, alloc;
};

static int keep_series(const struct db_series *s, void *data)
{
	struct series_list *l = data;
	struct series *dst;

	if (!s->n)
		return 0;
	if (l->nr == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 64;
		l->v = xrealloc(l->v, l->alloc * sizeof(*l->v));
	}
	dst = &l->v[l->nr++];
	dst->job = s->job;
	dst->job_name = xstrdup(s->job_name);
	dst->metric = xstrdup(s->metric);
	dst->unit = xstrdup(s->unit);
	dst->values = xmalloc(s->n * sizeof(double));
	memcpy(dst->values, s->values, s->n * sizeof(double));
	dst->boots = xmalloc(s->n * sizeof(*dst->boots));
	memcpy(dst->boots, s->boots, s->n * sizeof(*dst->boots));
	dst->reps = xmalloc(s->n * sizeof(*dst->reps));
	memcpy(dst->reps, s->reps, s->n * sizeof(*dst->reps));
	dst->n = s->n;
	return 0;
}

static void series_list_release(struct series_list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++) {
		free(l->v[i].job_name);
		free(l->v[i].metric);
		free(l->v[i].unit);
		free(l->v[i].values);
		free(l->v[i].boots);
		free(l->v[i].reps);
	}
	free(l->v);
}

int compare_classify(const char *metric, const char *unit)
{
	/*
	 * how often a task slept per I/O, and fio's user-mode work (its sleeps
	 * end in a busy loop): under TCG the host's timing decides them
	 */
	if (starts_with(metric, "cost.wait_") || starts_with(metric, "cost.user_"))
		return -1;
	/* the PMU's cycles follow caches and clocks; a profile's share is sampled */
	if (!strcmp(metric, "cost.kernel_cycles_per_io") || ends_with(unit, ":pmu-sampled"))
		return COMPARE_NOISY;
	if (starts_with(metric, "pin.") || starts_with(metric, "dio.") ||
	    starts_with(metric, "cost."))
		return COMPARE_EXACT;
	/*
	 * The dio-cases rows: throughput is noisy; bios, bytes on disk, huge
	 * page or zero page, leaked pages and data errors are what the case
	 * did, the same in every repetition of a kernel.
	 */
	if (starts_with(metric, "case.") && !ends_with(metric, ".iops") &&
	    !ends_with(metric, ".bw_bytes"))
		return ends_with(metric, "total_ios") || ends_with(metric, ".block_size") ? -1 :
		       COMPARE_EXACT;
	/* these follow from how much I/O was done, not from how well */
	if (starts_with(metric, "vmstat.") || ends_with(metric, "total_ios") ||
	    ends_with(metric, "runtime_ms") ||
	    starts_with(metric, "profile."))
		return -1;
	return metric_direction(metric) ? COMPARE_NOISY : -1;
}

/* A zeroed row at the end of c, its names copied. */
static struct compare_row *new_row(struct comparison *c, long long job, const char *job_name,
				   const char *metric, const char *unit, enum compare_kind kind)
{
	struct compare_row *r;

	if (c->nr == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 64;
		c->rows = xrealloc(c->rows, c->alloc * sizeof(*c->rows));
	}
	r = &c->rows[c->nr++];
	memset(r, 0, sizeof(*r));
	r->job = job;
	r->job_name = xstrdup(job_name);
	r->metric = xstrdup(metric);
	r->unit = xstrdup(unit);
	r->kind = kind;
	r->boot_cv = NAN;
	return r;
}

static struct compare_row *add_row(struct comparison *c, const struct series *a,
				   const struct series *b, enum compare_kind kind)
{
	struct compare_row *r = new_row(c, a->job, a->job_name, a->metric, a->unit, kind);

	r->na = a->n;
	r->nb = b->n;
	r->median_a = stats_median(a->values, a->n);
	r->median_b = stats_median(b->values, b->n);
	r->cv_a = stats_cv_percent(a->values, a->n);
	r->cv_b = stats_cv_percent(b->values, b->n);
	return r;
}

/*
 * How far an exact row may move and still be no change: pins and calls are
 * counts (other activity adds a little to them), cost rows are counted
 * instructions per I/O, equal to a fraction of their size from run to run.
 */
double compare_exact_allowance(const char *metric, double before, const struct compare_opts *o)
{
	int fn = starts_with(metric, "cost.fn.") || starts_with(metric, "cost.role.") ||
		 starts_with(metric, "cost.pin_path_insns");
	double rel;

	/*
	 * bios and bytes on the disk per I/O carry the filesystem's own
	 * writes in the same seconds (jfs's journal: 4096 -> 4097.7 bytes per
	 * I/O between two boots); what a case changes moves them by a page
	 */
	if (starts_with(metric, "case.") && strstr(metric, "_per_io"))
		return fmax(o->exact_tolerance, fabs(before) * COMPARE_CASE_IO_TOLERANCE);
	if (!starts_with(metric, "cost."))
		return o->exact_tolerance;
	rel = fabs(before) * (fn ? o->cost_fn_tolerance : o->cost_tolerance);
	/*
	 * A function run less than about once per hundred I/Os is not on the
	 * I/O's path: a page freed by something else during the run (seen:
	 * __folio_put at 0.012 -> 0.023 instructions per I/O, one call more
	 * in the twin of an A/A) must not pass for a change of the path.
	 */
	return fn && rel < COMPARE_COST_FN_FLOOR ? COMPARE_COST_FN_FLOOR : rel;
}

static void judge_exact(struct compare_row *r, const struct compare_opts *o)
{
	int better = metric_direction(r->metric);

	r->delta = r->median_b - r->median_a;
	r->verdict = STATS_NO_CHANGE;
	if (fabs(r->delta) <= compare_exact_allowance(r->metric, r->median_a, o))
		return;
	/* a changed count is news even where neither direction is better */
	if (!better || (better > 0) == (r->delta > 0))
		r->verdict = better ? STATS_IMPROVEMENT : STATS_INCONCLUSIVE;
	else
		r->verdict = STATS_REGRESSION;
}

static const struct pin_balance *find_balance(const struct pin_balances *b, long long job)
{
	size_t i;

	for (i = 0; i < b->nr; i++)
		if (b->v[i].job == job && b->v[i].reps)
			return &b->v[i];
	return NULL;
}

/* The pin.balance_per_io row of a job, when both runs measured its pins. */
static void add_balance_row(struct comparison *c, long long job, const char *job_name,
			    const struct compare_opts *o)
{
	const struct pin_balance *a = find_balance(&c->balance_a, job);
	const struct pin_balance *b = find_balance(&c->balance_b, job);
	struct compare_row *r;

	if (!a || !b)
		return;
	if (c->nr == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 64;
		c->rows = xrealloc(c->rows, c->alloc * sizeof(*c->rows));
	}
	r = &c->rows[c->nr++];
	memset(r, 0, sizeof(*r));
	r->job = job;
	r->job_name = xstrdup(job_name);
	r->metric = xstrdup("pin.balance_per_io");
	r->unit = xstrdup("pins/io");
	r->kind = COMPARE_EXACT;
	r->na = a->reps;
	r->nb = b->reps;
	r->median_a = pin_balance_per_io(a);
	r->median_b = pin_balance_per_io(b);
	r->delta = r->median_b - r->median_a;
	/* neither sign is better in itself (see pinbalance.h); a new leak is worse */
	if (fabs(r->delta) <= o->exact_tolerance)
		r->verdict = STATS_NO_CHANGE;
	else if (b->leak && !a->leak)
		r->verdict = STATS_REGRESSION;
	else if (a->leak && !b->leak)
		r->verdict = STATS_IMPROVEMENT;
	else
		r->verdict = STATS_INCONCLUSIVE;
}

/* The balance rows, each at the end of its job's rows. */
static void add_balance_rows(struct comparison *c, const struct compare_opts *o)
{
	struct compare_row *rows = c->rows;
	size_t nr = c->nr, i;

	c->rows = NULL;
	c->nr = c->alloc = 0;
	for (i = 0; i < nr; i++) {
		if (c->nr == c->alloc) {
			c->alloc = c->alloc ? 2 * c->alloc : 64;
			c->rows = xrealloc(c->rows, c->alloc * sizeof(*c->rows));
		}
		c->rows[c->nr++] = rows[i];
		if (i + 1 == nr || rows[i + 1].job != rows[i].job)
			add_balance_row(c, rows[i].job, rows[i].job_name, o);
	}
	free(rows);
}

/* *least = min(*least, v): the smallest n or boots of a side over the noisy rows */
static void keep_least(size_t *least, size_t v)
{
	if (v < *least)
		*least = v;
}

/*
 * A noisy row's figures with the boot as the unit (reports/nested.h): the
 * medians of boot medians; for interleaved boots (paired by number) the
 * pairs' mean log ratio, its bootstrap over pairs and a paired t-test, as
 * the pair shares the host's minute; else the two-level bootstrap of the
 * ratio of medians and the U test over the boot medians; the between-boot
 * CV.
 */
static void judge_by_boots(struct compare_row *r, const struct series *a, const struct series *b,
			   const struct compare_opts *o)
{
	struct nested xa, xb;
	double *ma, *mb;

	r->pair_sd = NAN;
	nested_init(&xa, a->values, a->boots, a->reps, a->n);
	nested_init(&xb, b->values, b->boots, b->reps, b->n);
	r->boots_a = xa.nboots;
	r->boots_b = xb.nboots;
	nested_trend(&xa, &r->trend_s_a, &r->trend_var_a);
	nested_trend(&xb, &r->trend_s_b, &r->trend_var_b);
	r->median_a = nested_median(&xa);
	r->median_b = nested_median(&xb);
	r->paired = !nested_paired_ratio(&xa, &xb, o->resamples, o->seed, o->confidence, &r->ci,
					 &r->p, &r->pair_sd);
	if (!r->paired) {
		if (nested_bootstrap_ratio(&xa, &xb, o->resamples, o->seed, o->confidence, &r->ci))
			r->ci.ratio = r->ci.lo = r->ci.hi = NAN;
		ma = xcalloc(xa.nboots + 1, sizeof(*ma));
		mb = xcalloc(xb.nboots + 1, sizeof(*mb));
		nested_boot_medians(&xa, ma);
		nested_boot_medians(&xb, mb);
		r->p = stats_mwu_p(ma, xa.nboots, mb, xb.nboots);
		free(ma);
		free(mb);
	}
	r->boot_cv = stats_pooled_cv(nested_between_cv(&xa), xa.nboots, nested_between_cv(&xb),
				     xb.nboots);
	nested_release(&xa);
	nested_release(&xb);
}

/*
 * Boots a side that would likely decide an inconclusive row: from its own
 * boots' spread, else (one boot a side: no between-boot spread to see)
 * from this machine's calibration when that had two or more boots a side.
 */
static unsigned boots_needed(struct db *db, long long machine, const struct compare_row *r,
			     double threshold, double alpha)
{
	struct db_noise_found f;

	if (r->paired)
		return nested_pairs_needed(r->pair_sd, threshold, alpha);
	if (isfinite(r->boot_cv))
		return stats_reps_for_cv(r->boot_cv, threshold, alpha);
	if (machine > 0 && !db_noise_latest(db, machine, r->job, r->metric, &f) &&
	    noise_is_between_boots(&f))
		return stats_reps_for_cv(f.cv, threshold, alpha);
	return 0;
}

static const struct series *find(const struct series_list *l, long long job, const char *metric)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (l->v[i].job == job && !strcmp(l->v[i].metric, metric))
			return &l->v[i];
	return NULL;
}

int compare_row_is_pooled(const struct compare_row *r)
{
	return !strcmp(r->metric, COMPARE_POOLED_METRIC);
}

static int by_string(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The pooled job's identity: its jobs' names, sorted, as JSON and as a hash of that JSON. */
static void pool_identity(struct compare_row *r, struct strvec *names)
{
	json_t *list = json_array(), *params;
	struct strbuf hash = STRBUF_INIT;
	char hex[17];
	size_t i;

	qsort(names->v, names->nr, sizeof(*names->v), by_string);
	for (i = 0; i < names->nr; i++)
		json_array_append_new(list, json_string(names->v[i]));
	params = json_pack("{s:o}", "pooled", list);
	r->pool_params = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(params);
	if (!r->pool_params) {
		/* jansson fails here only without memory, as xmalloc would */
		fprintf(stderr, "pinbench: fatal: out of memory\n");
		abort();
	}
	hash_hex(r->pool_params, hex);
	strbuf_addf(&hash, "pooled-%s", hex);
	r->pool_hash = strbuf_detach(&hash, NULL);
}

/*
 * The pooled row (compare.h): every paired IOPS row's boots pooled by
 * nested_pool, then the pairs' ratio, interval and paired t-test as for
 * one job. Nothing when fewer than two rows or two boots pool.
 */
static void add_pooled_row(struct comparison *c, const struct series_list *a,
			   const struct series_list *b, const struct compare_opts *o)
{
	struct nested *xa = xcalloc(c->nr + 1, sizeof(*xa)), *xb = xcalloc(c->nr + 1, sizeof(*xb));
	struct strvec names = STRVEC_INIT;
	struct nested pa = { 0 }, pb = { 0 };
	struct compare_row *r;
	const char *unit = "";
	size_t i, n = 0, kept;

	for (i = 0; i < c->nr; i++) {
		const struct compare_row *row = &c->rows[i];
		const struct series *sa, *sb;

		if (row->kind != COMPARE_NOISY || !row->paired || !starts_with(row->metric, "fio.") ||
		    !ends_with(row->metric, ".iops") ||
		    !(sa = find(a, row->job, row->metric)) || !(sb = find(b, row->job, row->metric)))
			continue;
		nested_init(&xa[n], sa->values, sa->boots, sa->reps, sa->n);
		nested_init(&xb[n], sb->values, sb->boots, sb->reps, sb->n);
		if (!names.nr || strcmp(names.v[names.nr - 1], row->job_name))
			strvec_push(&names, row->job_name);
		unit = row->unit;
		n++;
	}
	kept = n >= 2 ? nested_pool(xa, xb, n, &pa, &pb) : 0;
	if (kept >= 2) {
		struct strbuf name = STRBUF_INIT;

		strbuf_addf(&name, "all %zu jobs (pooled)", names.nr);
		r = new_row(c, 0, name.buf, COMPARE_POOLED_METRIC, unit, COMPARE_NOISY);
		strbuf_release(&name);
		r->na = r->nb = r->boots_a = r->boots_b = kept;
		r->median_a = nested_median(&pa);
		r->median_b = nested_median(&pb);
		r->cv_a = stats_cv_percent(pa.v, kept);
		r->cv_b = stats_cv_percent(pb.v, kept);
		r->boot_cv = stats_pooled_cv(nested_between_cv(&pa), kept, nested_between_cv(&pb),
					     kept);
		r->paired = !nested_paired_ratio(&pa, &pb, o->resamples, o->seed, o->confidence,
						 &r->ci, &r->p, &r->pair_sd);
		if (!r->paired)
			r->ci.ratio = r->ci.lo = r->ci.hi = r->p = NAN;
		pool_identity(r, &names);
	}
	nested_release(&pa);
	nested_release(&pb);
	for (i = 0; i < n; i++) {
		nested_release(&xa[i]);
		nested_release(&xb[i]);
	}
	free(xa);
	free(xb);
	strvec_clear(&names);
}

/*
 * Fewer pins released per I/O is cheaper, unless they were not released
 * at all: where the dio-cases leak probe finds pages of a job's buffer
 * still pinned, the job's fallen pin counts are the leak, not an
 * improvement, and are shown as changed.
 */
static void no_credit_for_leaks(struct comparison *c)
{
	size_t i, j;

	for (i = 0; i < c->nr; i++) {
		const struct compare_row *leak = &c->rows[i];

		if (strcmp(leak->metric, "case.leaked_pages") || leak->verdict != STATS_REGRESSION)
			continue;
		for (j = 0; j < c->nr; j++) {
			struct compare_row *r = &c->rows[j];

			if (r->job == leak->job && starts_with(r->metric, "pin.") &&
			    r->verdict == STATS_IMPROVEMENT)
				r->verdict = STATS_INCONCLUSIVE;
		}
	}
}

int compare_runs(struct db *db, long long run_a, long long run_b, const struct compare_opts *o,
		 struct comparison *out)
{
	struct series_list a = { 0 }, b = { 0 };
	long long machine = 0, kernel;
	double *p = NULL;
	size_t i, np = 0;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	out->run_a = run_a;
	out->run_b = run_b;
	out->min_n = out->min_boots = (size_t)-1;
	out->opts = *o;
	out->opts_known = 1;
	if (db_run_series(db, run_a, keep_series, &a) || db_run_series(db, run_b, keep_series, &b) ||
	    pin_balance_run(db, run_a, &out->balance_a) ||
	    pin_balance_run(db, run_b, &out->balance_b) ||
	    db_run_machine_kernel(db, run_a, &machine, &kernel))
		goto out;
	for (i = 0; i < a.nr; i++) {
		const struct series *sb = find(&b, a.v[i].job, a.v[i].metric);
		int kind = compare_classify(a.v[i].metric, a.v[i].unit);
		struct compare_row *r;

		/* rows of different sources (tcg-count, pmu: the unit says) are never compared */
		if (!sb || kind < 0 || strcmp(a.v[i].unit, sb->unit))
			continue;
		r = add_row(out, &a.v[i], sb, (enum compare_kind)kind);
		if (kind == COMPARE_EXACT) {
			judge_exact(r, o);
			continue;
		}
		judge_by_boots(r, &a.v[i], sb, o);
		keep_least(&out->min_n, r->na);
		keep_least(&out->min_n, r->nb);
		keep_least(&out->min_boots, r->boots_a);
		keep_least(&out->min_boots, r->boots_b);
	}
	add_pooled_row(out, &a, &b, o);
	/* Benjamini-Hochberg over the job rows: the family is this comparison's jobs */
	p = xcalloc(out->nr + 1, sizeof(*p));
	for (i = 0; i < out->nr; i++)
		if (out->rows[i].kind == COMPARE_NOISY && !compare_row_is_pooled(&out->rows[i]))
			p[np++] = out->rows[i].p;
	stats_bh(p, np, p);
	for (i = 0, np = 0; i < out->nr; i++) {
		struct compare_row *r = &out->rows[i];
		struct stats_rule rule = { metric_direction(r->metric),
					   strstr(r->metric, ".clat_") ? o->latency_threshold :
					   o->throughput_threshold, o->alpha };

		if (r->kind != COMPARE_NOISY)
			continue;
		/* the pooled row is the one primary question: its own p decides it */
		r->q = compare_row_is_pooled(r) ? r->p : p[np++];
		/*
		 * One boot a side resamples to one boot: an interval as narrow as
		 * the repetitions inside it agree, while the kernel and the
		 * minute it ran in cannot be told apart. Two pairs give a t-test
		 * of one degree of freedom: two agreeing ratios are not a trend.
		 */
		if (isnan(r->ci.ratio) || r->boots_a < 2 || r->boots_b < 2 ||
		    (r->paired && r->boots_a < COMPARE_MIN_PAIRS))
			r->verdict = STATS_INCONCLUSIVE;
		else
			r->verdict = stats_decide(&r->ci, r->q, &rule);
		if (r->verdict == STATS_INCONCLUSIVE)
			r->reps_needed = boots_needed(db, machine, r, rule.threshold, o->alpha);
	}
	add_balance_rows(out, o);
	no_credit_for_leaks(out);
	for (i = 0; i < out->nr; i++) {
		const struct compare_row *r = &out->rows[i];

		out->regressions += r->verdict == STATS_REGRESSION;
		out->improvements += r->verdict == STATS_IMPROVEMENT;
		out->inconclusive += r->kind == COMPARE_NOISY && r->verdict == STATS_INCONCLUSIVE;
		out->changed_exact += r->kind == COMPARE_EXACT && r->verdict != STATS_NO_CHANGE;
	}
	if (out->min_n == (size_t)-1)
		out->min_n = 0;
	if (out->min_boots == (size_t)-1)
		out->min_boots = 0;
	ret = 0;
out:
	if (ret)
		comparison_release(out);
	free(p);
	series_list_release(&a);
	series_list_release(&b);
	return ret;
}

const char *compare_verdict_word(const struct compare_row *r)
{
	if (r->kind == COMPARE_EXACT && r->verdict == STATS_INCONCLUSIVE)
		return "changed";
	return stats_verdict_name(r->verdict);
}

/* Every verdict into the database, so reports and mails can be made later. */
int compare_store(struct db *db, const struct comparison *c, const char *command, long long *id)
{
	struct db_verdict *v = xcalloc(c->nr + 1, sizeof(*v));
	const struct compare_opts *o = &c->opts;
	struct db_comparison dc = {
		c->run_a, c->run_b, command, (long long)c->regressions,
		(long long)c->improvements, (long long)c->inconclusive,
		(long long)c->changed_exact, v, c->nr,
		{ o->throughput_threshold, o->latency_threshold, o->alpha, o->confidence,
		  (long long)o->resamples, (long long)o->seed, o->exact_tolerance,
		  o->cost_tolerance, o->cost_fn_tolerance },
	};
	size_t i;
	int ret;

	for (i = 0; i < c->nr; i++) {
		const struct compare_row *r = &c->rows[i];
		int exact = r->kind == COMPARE_EXACT;
		long long job = r->job;

		if (!job && r->pool_hash) {
			struct job_row pooled = { r->pool_hash, r->job_name, r->pool_params,
						  NULL, NULL, NULL, 0, 0, 0, NULL, 0, 0 };

			if (db_job_get_or_add(db, &pooled, &job)) {
				free(v);
				return -1;
			}
		}
		v[i] = (struct db_verdict){
			job, r->metric, exact ? "exact" : "noisy", compare_verdict_word(r),
			r->median_a, r->median_b, exact ? NAN : r->ci.ratio, exact ? NAN : r->ci.lo,
			exact ? NAN : r->ci.hi, exact ? NAN : r->p, exact ? NAN : r->q,
			exact ? r->delta : NAN, (long long)r->na, (long long)r->nb,
			(long long)r->reps_needed, r->unit, r->cv_a, r->cv_b,
			exact ? 0 : (long long)r->boots_a, exact ? 0 : (long long)r->boots_b,
			exact ? NAN : r->trend_s_a, exact ? NAN : r->trend_var_a,
			exact ? NAN : r->trend_s_b, exact ? NAN : r->trend_var_b,
			exact ? NAN : r->boot_cv,
		};
	}
	ret = db_comparison_store(db, &dc, id);
	free(v);
	return ret;
}

static enum stats_verdict verdict_of_word(const char *word)
{
	if (!strcmp(word, "regression"))
		return STATS_REGRESSION;
	if (!strcmp(word, "improvement"))
		return STATS_IMPROVEMENT;
	if (!strcmp(word, "no change"))
		return STATS_NO_CHANGE;
	/* "inconclusive", and "changed" for an exact count */
	return STATS_INCONCLUSIVE;
}

static double nan_to_zero(double v)
{
	return isnan(v) ? 0 : v;
}

static int load_row(const struct db_verdict *v, const char *job_name, void *data)
{
	struct comparison *c = data;
	struct compare_row *r = new_row(c, v->job, job_name, v->metric, v->unit,
					!strcmp(v->kind, "exact") ? COMPARE_EXACT : COMPARE_NOISY);

	r->na = (size_t)v->n_a;
	r->nb = (size_t)v->n_b;
	r->median_a = v->median_a;
	r->median_b = v->median_b;
	r->cv_a = v->cv_a;
	r->cv_b = v->cv_b;
	r->verdict = verdict_of_word(v->verdict);
	r->reps_needed = (unsigned)v->reps_needed;
	/* what compare_runs leaves zero in a row of the other kind is NULL in the table */
	if (r->kind == COMPARE_EXACT) {
		r->delta = nan_to_zero(v->delta);
		return 0;
	}
	r->boots_a = (size_t)v->boots_a;
	r->boots_b = (size_t)v->boots_b;
	r->trend_s_a = v->trend_s_a;
	r->trend_var_a = v->trend_var_a;
	r->trend_s_b = v->trend_s_b;
	r->trend_var_b = v->trend_var_b;
	r->boot_cv = v->boot_cv;
	/* a comparison stored before schema 10 had no boots: its n is in repetitions */
	if (r->boots_a && r->boots_b) {
		keep_least(&c->min_boots, r->boots_a);
		keep_least(&c->min_boots, r->boots_b);
	}
	r->ci.ratio = v->ratio;
	r->ci.lo = v->ci_lo;
	r->ci.hi = v->ci_hi;
	r->p = v->p;
	r->q = v->q;
	keep_least(&c->min_n, r->na);
	keep_least(&c->min_n, r->nb);
	return 0;
}

/* A comparison stored before schema 7 kept no CVs: they describe the samples, so read them. */
static int fill_cvs(struct db *db, struct comparison *c)
{
	struct series_list a = { 0 }, b = { 0 };
	size_t i;
	int ret = -1;

	for (i = 0; i < c->nr && !isnan(c->rows[i].cv_a) && !isnan(c->rows[i].cv_b); i++)
		;
	if (i == c->nr)
		return 0;
	if (db_run_series(db, c->run_a, keep_series, &a) ||
	    db_run_series(db, c->run_b, keep_series, &b))
		goto out;
	for (i = 0; i < c->nr; i++) {
		struct compare_row *r = &c->rows[i];
		const struct series *sa = find(&a, r->job, r->metric);
		const struct series *sb = find(&b, r->job, r->metric);

		if (isnan(r->cv_a) && sa)
			r->cv_a = stats_cv_percent(sa->values, sa->n);
		if (isnan(r->cv_b) && sb)
			r->cv_b = stats_cv_percent(sb->values, sb->n);
	}
	ret = 0;
out:
	series_list_release(&a);
	series_list_release(&b);
	return ret;
}

static void opts_of_settings(const struct db_compare_settings *s, struct compare_opts *o)
{
	o->throughput_threshold = s->throughput_threshold;
	o->latency_threshold = s->latency_threshold;
	o->alpha = s->alpha;
	o->confidence = s->confidence;
	o->resamples = (unsigned)s->resamples;
	o->seed = (unsigned long)s->seed;
	o->exact_tolerance = s->exact_tolerance;
	o->cost_tolerance = s->cost_tolerance;
	o->cost_fn_tolerance = s->cost_fn_tolerance;
}

int compare_load(struct db *db, long long comparison, struct comparison *out)
{
	static const struct compare_opts unknown = COMPARE_OPTS_DEFAULT;
	struct db_comparison_stored st;
	int r;

	memset(out, 0, sizeof(*out));
	r = db_comparison_get(db, comparison, &st);
	if (r)
		return r;
	out->id = comparison;
	out->run_a = st.run_a;
	out->run_b = st.run_b;
	out->regressions = (size_t)st.regressions;
	out->improvements = (size_t)st.improvements;
	out->inconclusive = (size_t)st.inconclusive;
	out->changed_exact = (size_t)st.exact_changed;
	out->opts_known = st.settings_known;
	/* unknown settings are never used to decide; the defaults only fill the struct */
	if (st.settings_known)
		opts_of_settings(&st.settings, &out->opts);
	else
		out->opts = unknown;
	snprintf(out->decided_at, sizeof(out->decided_at), "%s", st.decided_at);
	out->min_n = out->min_boots = (size_t)-1;
	if (db_comparison_stored_verdicts(db, comparison, load_row, out) || fill_cvs(db, out) ||
	    pin_balance_run(db, out->run_a, &out->balance_a) ||
	    pin_balance_run(db, out->run_b, &out->balance_b)) {
		comparison_release(out);
		return -1;
	}
	if (out->min_n == (size_t)-1)
		out->min_n = 0;
	if (out->min_boots == (size_t)-1)
		out->min_boots = 0;
	return 0;
}

static void settings_text(const struct compare_opts *o, int known, struct strbuf *out)
{
	if (!known) {
		strbuf_addstr(out, "settings: not stored with this comparison (it predates them): "
			      "the thresholds, alpha, bootstrap confidence, resamples and seed and "
			      "the exact tolerance it was decided under are unknown; its verdicts "
			      "are shown as stored, not decided again");
		return;
	}
	strbuf_addf(out, "settings: a change is a regression or improvement when its %g%% "
		    "bootstrap CI (%u resamples, seed %lu) excludes no change, it is at least "
		    "%g%% (throughput) or %g%% (latency), and q <= %g (Benjamini-Hochberg), "
		    "with the boot as the unit (interleaved boots paired: a t-test on the pairs' "
		    "log ratios; else a U test on boot medians; %d boots a side at least); "
		    "exact counters change beyond +-%g", o->confidence * 100, o->resamples,
		    o->seed, o->throughput_threshold * 100, o->latency_threshold * 100, o->alpha,
		    COMPARE_MIN_PAIRS, o->exact_tolerance);
	if (!isnan(o->cost_tolerance))
		strbuf_addf(out, ", counted instructions (cost rows) beyond +-%g%% (+-%g%% for "
			    "single functions, and at least %g per I/O)", o->cost_tolerance * 100,
			    o->cost_fn_tolerance * 100, COMPARE_COST_FN_FLOOR);
	strbuf_addf(out, ", bios and bytes on disk per I/O (dio-cases) beyond +-%g%%",
		    COMPARE_CASE_IO_TOLERANCE * 100);
}

void compare_settings_text(const struct comparison *c, struct strbuf *out)
{
	settings_text(&c->opts, c->opts_known, out);
}

void compare_stored_settings_text(const struct db_comparison_stored *st, struct strbuf *out)
{
	struct compare_opts o = COMPARE_OPTS_DEFAULT;

	if (st->settings_known)
		opts_of_settings(&st->settings, &o);
	settings_text(&o, st->settings_known, out);
}

double compare_row_pooled_cv(const struct compare_row *r)
{
	if (isfinite(r->boot_cv))
		return r->boot_cv;
	return stats_pooled_cv(r->cv_a / 100, r->na, r->cv_b / 100, r->nb);
}

void comparison_release(struct comparison *c)
{
	size_t i;

	for (i = 0; i < c->nr; i++) {
		free(c->rows[i].job_name);
		free(c->rows[i].metric);
		free(c->rows[i].unit);
		free(c->rows[i].pool_hash);
		free(c->rows[i].pool_params);
	}
	free(c->rows);
	pin_balances_release(&c->balance_a);
	pin_balances_release(&c->balance_b);
	memset(c, 0, sizeof(*c));
}

static const char *mark(const struct compare_row *r)
{
	switch (r->verdict) {
	case STATS_REGRESSION:
		return "REGRESSION";
	case STATS_IMPROVEMENT:
		return "improved";
	case STATS_INCONCLUSIVE:
		return r->kind == COMPARE_EXACT ? "changed" : "?";
	default:
		return "";
	}
}

/*
 * A row: its numbers (67 columns), then its metric; a metric too long for
 * the line goes on a line of its own below them, and no line ends in blanks.
 */
static void put_row(char *numbers, const char *metric, FILE *out)
{
	int len = (int)strlen(metric), indent = REPORT_WIDTH - len;
	size_t n = strlen(numbers);

	if ((int)n + 1 + len <= REPORT_WIDTH) {
		fprintf(out, "%s %s\n", numbers, metric);
		return;
	}
	while (n && numbers[n - 1] == ' ')
		numbers[--n] = '\0';
	indent = indent > 6 ? 6 : indent > 0 ? indent : 0;
	fprintf(out, "%s\n%*s%s\n", numbers, indent, "", metric);
}

static void print_row(const struct compare_row *r, FILE *out)
{
	char verdict[16], metric[160], numbers[128];
	const char *unit;
	double k = unit_scale(r->unit, &unit);

	snprintf(metric, sizeof(metric), *unit ? "%s (%s)" : "%s", r->metric, unit);
	if (r->kind == COMPARE_EXACT) {
		snprintf(numbers, sizeof(numbers), "  %12.2f %8s %+10.2f %12.2f %8s  %-10s",
			 r->median_a, "", r->delta, r->median_b, "", mark(r));
		put_row(numbers, metric, out);
		return;
	}
	/* inconclusive: how many boots (before schema 10: repetitions) a side would decide it */
	if (r->verdict == STATS_INCONCLUSIVE && r->reps_needed)
		snprintf(verdict, sizeof(verdict), r->boots_a ? "?b=%u" : "?n=%u", r->reps_needed);
	else
		snprintf(verdict, sizeof(verdict), "%s", mark(r));
	snprintf(numbers, sizeof(numbers), "  %12.6g %7.1f%% %+9.1f%% %12.6g %7.1f%%  %-10s",
		 r->median_a * k, r->cv_a, (r->ci.ratio - 1) * 100, r->median_b * k, r->cv_b, verdict);
	put_row(numbers, metric, out);
}

int compare_row_shown(const struct compare_row *r)
{
	return r->verdict != STATS_INCONCLUSIVE || r->kind == COMPARE_EXACT ||
	       noise_is_key_metric(r->metric);
}

/* What each dio-cases job in the comparison exercises, in a reviewer's words. */
static void print_cases(const struct comparison *c, FILE *out)
{
	const struct dio_case_info *seen[32];
	size_t i, j, n = 0;

	for (i = 0; i < c->nr && n < sizeof(seen) / sizeof(seen[0]); i++) {
		const struct dio_case_info *dc = dio_case_of_job(c->rows[i].job_name);

		for (j = 0; dc && j < n && seen[j] != dc; j++)
			;
		if (!dc || j < n)
			continue;
		if (!n)
			fprintf(out, "cases (pinbench's dio-cases workload):\n");
		seen[n++] = dc;
		fprintf(out, "  dio-%s: %s\n", dc->name, dc->words);
	}
}

void compare_print(const struct comparison *c, const char *name_a, const char *name_b,
		   unsigned flags, FILE *out)
{
	struct strbuf settings = STRBUF_INIT;
	long long job = -1;
	size_t i, hidden = 0;

	fprintf(out, "%14s %9s %10s %12s %9s\n", name_a, "±stddev", "%change", name_b, "±stddev");
	for (i = 0; i < c->nr; i++) {
		const struct compare_row *r = &c->rows[i];

		if (!(flags & COMPARE_PRINT_ALL) && !compare_row_shown(r)) {
			hidden++;
			continue;
		}
		if (r->job != job) {
			fprintf(out, "%s\n", r->job_name);
			job = r->job;
		}
		print_row(r, out);
	}
	if (hidden)
		fprintf(out, "(%zu undecided row%s not shown: --all prints every row)\n", hidden,
			hidden == 1 ? "" : "s");
	print_cases(c, out);
	fprintf(out, "legend: the medians of each side with their repetitions' %%stddev; %%change "
		"B/A (noisy\nrows) or the change of an exact count; ?b=N: inconclusive, about N "
		"boots a side would\ndecide it (?n=N: repetitions, in comparisons stored before "
		"boots were counted);\nREGRESSION, improved, changed: decided; no mark: no change "
		"or not decided\n");
	fprintf(out, "\n%zu regression%s, %zu improvement%s, %zu inconclusive, "
		"%zu exact counter%s changed\n", c->regressions, c->regressions == 1 ? "" : "s",
		c->improvements, c->improvements == 1 ? "" : "s", c->inconclusive,
		c->changed_exact, c->changed_exact == 1 ? "" : "s");
	if (c->min_boots == 1)
		fprintf(out, "one boot a side: its repetitions share the boot and the minute, so no "
			"noisy row\ncan be decided; run %d or more interleaved boots a side (--boots N)\n",
			COMPARE_MIN_PAIRS);
	else if (c->min_boots && c->min_boots < COMPARE_MIN_PAIRS)
		fprintf(out, "with %zu boots on a side no noisy row can be decided: run %d or more "
			"(--boots N)\n", c->min_boots, COMPARE_MIN_PAIRS);
	else if (!c->min_boots && c->min_n && c->min_n < 5)
		fprintf(out, "with %zu repetition%s on a side, no Mann-Whitney p below 0.01 is "
			"possible (%.3f at best):\nrun more before trusting a \"no change\"\n",
			c->min_n, c->min_n == 1 ? "" : "s", stats_mwu_min_p(c->min_n, c->min_n));
	compare_settings_text(c, &settings);
	text_put_folded(settings.buf, 0, REPORT_WIDTH, out);
	strbuf_release(&settings);
	fprintf(out, "\n");
	pin_balance_print(&c->balance_a, name_a, out);
	pin_balance_print(&c->balance_b, name_b, out);
	fprintf(out, "  net = acquired - released; more released than acquired is not a leak:\n"
		"  folio_add_pin() pins uncounted, and its unpins are counted\n");
}
