// SPDX-License-Identifier: GPL-2.0-only
/* A comparison's answer first: the verdict word, its findings, what the noise allowed. */
#include "reports/headline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "reports/noise.h"
#include "reports/stats.h"
#include "reports/text.h"
#include "workloads/diocase.h"

static int decided_change(const struct compare_row *r)
{
	return r->verdict == STATS_REGRESSION || r->verdict == STATS_IMPROVEMENT ||
	       (r->kind == COMPARE_EXACT && r->verdict == STATS_INCONCLUSIVE);
}

static double change_of(const struct compare_row *r)
{
	return r->kind == COMPARE_EXACT ? r->delta : (r->ci.ratio - 1) * 100;
}

static struct headline_finding *finding_for(struct headline *h, const struct compare_row *r,
					    size_t *alloc)
{
	const char *word = compare_verdict_word(r);
	size_t i;

	for (i = 0; i < h->nr; i++)
		if (!strcmp(h->findings[i].metric, r->metric) && !strcmp(h->findings[i].word, word))
			return &h->findings[i];
	if (h->nr == *alloc) {
		*alloc = *alloc ? 2 * *alloc : 8;
		h->findings = xrealloc(h->findings, *alloc * sizeof(*h->findings));
	}
	h->findings[h->nr] = (struct headline_finding){
		r->metric, r->unit, word, r->kind == COMPARE_EXACT, 0, 0,
		INFINITY, -INFINITY, INFINITY, -INFINITY, INFINITY, -INFINITY,
		NULL, NAN, NAN, NAN, 0, r->job_name,
	};
	return &h->findings[h->nr++];
}

static void widen(double *lo, double *hi, double v)
{
	if (v < *lo)
		*lo = v;
	if (v > *hi)
		*hi = v;
}

static int by_value(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* Regressions first, then improvements, then changed counts; by metric inside each. */
static int finding_rank(const struct headline_finding *f)
{
	if (!strcmp(f->word, "regression"))
		return 0;
	return !strcmp(f->word, "improvement") ? 1 : 2;
}

/*
 * inside a rank the tool's two questions first: pins, then the pooled
 * throughput, the jobs' throughput and latency, then cost
 */
static int metric_rank(const char *m)
{
	/* a page left pinned is a leak, data that does not read back worse */
	if (!strcmp(m, "case.leaked_pages") || !strcmp(m, "case.data_errors"))
		return -1;
	if (starts_with(m, "pin."))
		return 0;
	if (!strcmp(m, COMPARE_POOLED_METRIC))
		return 1;
	if (starts_with(m, "fio."))
		return 2;
	return starts_with(m, "cost.") ? 3 : 4;
}

static int by_rank(const void *x, const void *y)
{
	const struct headline_finding *a = x, *b = y;

	if (finding_rank(a) != finding_rank(b))
		return finding_rank(a) - finding_rank(b);
	if (metric_rank(a->metric) != metric_rank(b->metric))
		return metric_rank(a->metric) - metric_rank(b->metric);
	return strcmp(a->metric, b->metric);
}

/*
 * The smallest change a key row's boots could see: its stored "boots a
 * side that would see the threshold" n says the spread; with k boots the
 * change seen is threshold * sqrt(n / k) (n grows with the square).
 */
static double detectable_pct(const struct compare_row *r, const struct compare_opts *o)
{
	double t = strstr(r->metric, ".clat_") ? o->latency_threshold : o->throughput_threshold;
	size_t k = r->boots_a < r->boots_b ? r->boots_a : r->boots_b;

	if (!r->reps_needed || k < 2)
		return NAN;
	return 100 * t * sqrt((double)r->reps_needed / (double)k);
}

void headline_build(const struct comparison *c, struct headline *h)
{
	double *det = xcalloc(c->nr + 1, sizeof(*det));
	size_t i, j, alloc = 0, ndet = 0;
	double S[2] = { 0, 0 }, var[2] = { 0, 0 };

	memset(h, 0, sizeof(*h));
	h->min_boots = c->min_boots;
	h->detectable_pct = NAN;
	h->level = c->opts.confidence;
	for (i = 0; i < c->nr; i++) {
		const struct compare_row *r = &c->rows[i];
		int key = r->kind == COMPARE_NOISY && noise_is_key_metric(r->metric);

		if (compare_row_is_pooled(r)) {
			h->pooled = r;
			if (decided_change(r)) {
				struct headline_finding *f = finding_for(h, r, &alloc);

				f->jobs = 1;
				f->lo = f->hi = change_of(r);
				f->pooled = r->job_name;
				f->ci_lo = (r->ci.lo - 1) * 100;
				f->ci_hi = (r->ci.hi - 1) * 100;
				f->level = c->opts.confidence;
				f->pairs = r->boots_a;
			}
			continue;
		}

		if (r->kind == COMPARE_NOISY && ends_with(r->metric, ".iops")) {
			S[0] += r->trend_s_a;
			var[0] += r->trend_var_a;
			h->trend_jobs[0] += r->trend_var_a > 0;
			S[1] += r->trend_s_b;
			var[1] += r->trend_var_b;
			h->trend_jobs[1] += r->trend_var_b > 0;
		}
		h->noisy += r->kind == COMPARE_NOISY;
		h->keys += key;
		if (r->kind == COMPARE_NOISY && r->verdict == STATS_INCONCLUSIVE) {
			h->undecided++;
			if (key) {
				h->key_undecided++;
				if (r->boots_a && r->reps_needed > h->boots_needed)
					h->boots_needed = r->reps_needed;
				det[ndet] = detectable_pct(r, &c->opts);
				ndet += isfinite(det[ndet]);
			}
		}
		if (decided_change(r)) {
			struct headline_finding *f = finding_for(h, r, &alloc);

			f->jobs++;
			widen(&f->lo, &f->hi, change_of(r));
			widen(&f->a_lo, &f->a_hi, r->median_a);
			widen(&f->b_lo, &f->b_hi, r->median_b);
		}
	}
	for (j = 0; j < h->nr; j++)
		for (i = 0; i < c->nr; i++)
			h->findings[j].of += !strcmp(c->rows[i].metric, h->findings[j].metric);
	if (h->nr)
		qsort(h->findings, h->nr, sizeof(*h->findings), by_rank);
	for (i = 0; i < 2; i++)
		h->trend_z[i] = var[i] > 0 ? (S[i] - (S[i] > 0) + (S[i] < 0)) / sqrt(var[i]) : NAN;
	if (ndet) {
		qsort(det, ndet, sizeof(*det), by_value);
		h->detectable_pct = ndet % 2 ? det[ndet / 2] : (det[ndet / 2 - 1] + det[ndet / 2]) / 2;
	}
	free(det);
	if (c->regressions) {
		h->word = "REGRESSION";
		h->exit_code = EXIT_REGRESSION;
	} else {
		h->word = c->improvements ? "IMPROVEMENT" : h->undecided ? "INCONCLUSIVE" : "NO CHANGE";
		h->exit_code = EXIT_OK;
	}
}

void headline_release(struct headline *h)
{
	free(h->findings);
	memset(h, 0, sizeof(*h));
}

static void range(struct strbuf *sb, double lo, double hi, const char *fmt)
{
	strbuf_addf(sb, fmt, lo);
	if (fabs(hi - lo) > 0.005 * fmax(1, fabs(lo))) {
		strbuf_addstr(sb, " .. ");
		strbuf_addf(sb, fmt, hi);
	}
}

/* "IOPS of all 8 jobs (pooled) -7.2 % (95 % CI -8.6 .. -5.9 %, 4 pairs of interleaved boots)" */
static void pooled_text(struct strbuf *sb, const char *pooled, double change, double lo,
			double hi, double level, size_t pairs)
{
	if (!isfinite(change)) {
		strbuf_addf(sb, "IOPS of %s: no paired estimate", pooled);
		return;
	}
	strbuf_addf(sb, "IOPS of %s %+.1f %%", pooled, change);
	if (isfinite(lo) && isfinite(hi))
		strbuf_addf(sb, " (%.0f %% CI %+.1f .. %+.1f %%, %zu pairs of interleaved boots)",
			    100 * level, lo, hi, pairs);
}

void headline_finding_text(const struct headline_finding *f, struct strbuf *sb)
{
	if (f->pooled) {
		strbuf_addf(sb, "%s: ", f->word);
		pooled_text(sb, f->pooled, f->lo, f->ci_lo, f->ci_hi, f->level, f->pairs);
		return;
	}
	strbuf_addf(sb, "%s: %s ", !strcmp(f->word, "changed") ? "changed" : f->word, f->metric);
	if (f->exact) {
		range(sb, f->lo, f->hi, "%+.2f");
		/* exact rows are shown as counted, in their own unit, as in the table */
		strbuf_addf(sb, "%s%s (", *f->unit ? " " : "", f->unit);
		range(sb, f->a_lo, f->a_hi, "%.2f");
		strbuf_addstr(sb, " -> ");
		range(sb, f->b_lo, f->b_hi, "%.2f");
		strbuf_addch(sb, ')');
	} else {
		range(sb, f->lo, f->hi, "%+.1f");
		strbuf_addstr(sb, " %");
	}
	strbuf_addf(sb, " on %zu of %zu job%s", f->jobs, f->of, f->of == 1 ? "" : "s");
	if (starts_with(f->metric, "case.") && f->job) {
		const struct dio_case_info *dc = dio_case_of_job(f->job);

		strbuf_addf(sb, ", %s %s", f->jobs == 1 ? "in" : "first", f->job);
		if (dc)
			strbuf_addf(sb, " (%s)", dc->words);
	}
}

void headline_noise_text(const struct headline *h, struct strbuf *sb)
{
	const struct compare_row *p = h->pooled;

	/* decided, it is a finding; else what it saw comes first here */
	if (p && !decided_change(p)) {
		pooled_text(sb, p->job_name, (p->ci.ratio - 1) * 100, (p->ci.lo - 1) * 100,
			    (p->ci.hi - 1) * 100, h->level, p->boots_a);
		strbuf_addstr(sb, p->verdict == STATS_NO_CHANGE ? ": no change" : ": undecided");
		if (p->verdict == STATS_INCONCLUSIVE && p->reps_needed)
			strbuf_addf(sb, " (about %u pairs would decide it)", p->reps_needed);
		strbuf_addstr(sb, "; ");
	}
	if (!h->noisy) {
		strbuf_addstr(sb, "no noisy rows (throughput, latency) were compared");
		return;
	}
	strbuf_addf(sb, "undecided: %zu of %zu noisy rows (%zu of %zu key throughput and p99 rows)",
		    h->undecided, h->noisy, h->key_undecided, h->keys);
	if (h->min_boots == 1)
		strbuf_addf(sb, "; with one boot a side no noisy row can be decided (the kernel and "
			    "the minute it ran in cannot be told apart): run %u or more interleaved "
			    "boots a side (--boots N)", h->boots_needed > COMPARE_MIN_PAIRS ?
			    h->boots_needed : COMPARE_MIN_PAIRS);
	else if (h->min_boots && h->key_undecided && h->boots_needed)
		strbuf_addf(sb, "; %zu boots a side could see changes of about %.0f %% (median "
			    "over those rows); about %u boots a side would decide them",
			    h->min_boots, h->detectable_pct, h->boots_needed);
}

/* "" when neither side slid */
void headline_drift_text(const struct headline *h, struct strbuf *sb)
{
	static const char *const side[] = { "the baseline (A)", "the patched kernel (B)" };
	int i;

	for (i = 0; i < 2; i++) {
		if (!(fabs(h->trend_z[i]) >= HEADLINE_TREND_Z))
			continue;
		if (sb->len)
			strbuf_addstr(sb, "; ");
		strbuf_addf(sb, "drift: in the boots of %s IOPS %s from repetition to repetition "
			    "(Mann-Kendall z = %+.1f over %zu job%s): the host's speed changed inside "
			    "a boot, so its boots, not its repetitions, are the samples", side[i],
			    h->trend_z[i] < 0 ? "fell" : "rose", h->trend_z[i], h->trend_jobs[i],
			    h->trend_jobs[i] == 1 ? "" : "s");
	}
}

void headline_print(const struct headline *h, FILE *out)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	fprintf(out, "VERDICT: %s (exit %d)\n", h->word, h->exit_code);
	for (i = 0; i < h->nr; i++) {
		strbuf_reset(&sb);
		headline_finding_text(&h->findings[i], &sb);
		text_put_folded(sb.buf, 2, REPORT_WIDTH, out);
	}
	if (!h->nr)
		fprintf(out, "  no row changed\n");
	strbuf_reset(&sb);
	headline_noise_text(h, &sb);
	text_put_folded(sb.buf, 2, REPORT_WIDTH, out);
	strbuf_reset(&sb);
	headline_drift_text(h, &sb);
	if (sb.len)
		text_put_folded(sb.buf, 2, REPORT_WIDTH, out);
	fprintf(out, "\n");
	strbuf_release(&sb);
}
