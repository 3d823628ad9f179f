// SPDX-License-Identifier: GPL-2.0-only
/*
 * A branch's series and their change points (reports/nightseries.h).
 */
#include "reports/nightseries.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/sample.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "reports/stats.h"

/* One night's value of one job and metric. */
struct point {
	long long job;
	char *job_name, *metric;
	int kind;		/* COMPARE_NOISY or COMPARE_EXACT */
	size_t night;		/* index into the measured nights */
	double value;
};

struct collect {
	struct point *v;
	size_t nr, alloc;
	size_t night;		/* the night being read */
};

struct night_list {
	long long *id;
	long long *run;
	char **commit;
	size_t nr, alloc;
};

static int keep_night(const struct db_night *n, void *data)
{
	struct night_list *l = data;

	if (strcmp(n->state, "measured") || n->run <= 0)
		return 0;	/* infrastructure failed: no point of the series */
	if (l->nr == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 32;
		l->id = xrealloc(l->id, l->alloc * sizeof(*l->id));
		l->run = xrealloc(l->run, l->alloc * sizeof(*l->run));
		l->commit = xrealloc(l->commit, l->alloc * sizeof(*l->commit));
	}
	l->id[l->nr] = n->id;
	l->run[l->nr] = n->run;
	l->commit[l->nr] = xstrdup(n->commit);
	l->nr++;
	return 0;
}

static void night_list_release(struct night_list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		free(l->commit[i]);
	free(l->id);
	free(l->run);
	free(l->commit);
}

struct boot_value {
	long long boot;
	double value;
};

static int by_boot(const void *a, const void *b)
{
	const struct boot_value *x = a, *y = b;

	if (x->boot != y->boot)
		return x->boot < y->boot ? -1 : 1;
	return x->value < y->value ? -1 : x->value > y->value;
}

/* The median of the boots' medians: repetitions of one boot are one sample. */
static double median_of_boots(const struct db_series *s)
{
	struct boot_value *bv = xmalloc(s->n * sizeof(*bv));
	double *med = xmalloc(s->n * sizeof(*med)), *vals = xmalloc(s->n * sizeof(*vals));
	size_t i, j, nb = 0;
	double r;

	for (i = 0; i < s->n; i++) {
		bv[i].boot = s->boots[i];
		bv[i].value = s->values[i];
	}
	qsort(bv, s->n, sizeof(*bv), by_boot);
	for (i = 0; i < s->n; i = j) {
		size_t k = 0;

		for (j = i; j < s->n && bv[j].boot == bv[i].boot; j++)
			vals[k++] = bv[j].value;
		med[nb++] = stats_median(vals, k);
	}
	r = stats_median(med, nb);
	free(bv);
	free(med);
	free(vals);
	return r;
}

static int collect_series(const struct db_series *s, void *data)
{
	struct collect *c = data;
	int kind = compare_classify(s->metric, s->unit);
	struct point *p;

	if (kind < 0 || !s->n)
		return 0;
	if (c->nr == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 256;
		c->v = xrealloc(c->v, c->alloc * sizeof(*c->v));
	}
	p = &c->v[c->nr++];
	p->job = s->job;
	p->job_name = xstrdup(s->job_name);
	p->metric = xstrdup(s->metric);
	p->kind = kind;
	p->night = c->night;
	/* values come ascending: an exact row's median is its middle */
	p->value = kind == COMPARE_EXACT ? stats_median(s->values, s->n) : median_of_boots(s);
	return 0;
}

static int by_series(const void *a, const void *b)
{
	const struct point *x = a, *y = b;
	int c;

	if (x->job != y->job)
		return x->job < y->job ? -1 : 1;
	c = strcmp(x->metric, y->metric);
	if (c)
		return c;
	return x->night < y->night ? -1 : x->night > y->night;
}

static const char *direction(const char *metric, double change)
{
	int better = metric_direction(metric);

	if (!better || change == 0)
		return "changed";
	return (better > 0) == (change > 0) ? "improvement" : "regression";
}

/* the smallest relative step of a noisy row worth a change point: compare's thresholds */
static double noisy_threshold(const char *metric, const struct compare_opts *o)
{
	return strstr(metric, ".clat_") ? o->latency_threshold : o->throughput_threshold;
}

struct series_ctx {
	struct db *db;
	const char *branch;
	const struct nightseries_opts *o;
	const struct night_list *nights;
	FILE *out;
	struct nightseries_result *res;
};

static int store_one(struct series_ctx *x, const struct point *pts, const size_t *night_of,
		     const struct change_point *c, int exact)
{
	const struct point *p = &pts[0];
	struct db_change_point cp = {
		.branch = x->branch,
		.job = p->job,
		.metric = p->metric,
		.kind = exact ? "exact" : "noisy",
		.good_night = x->nights->id[night_of[c->index - 1]],
		.bad_night = x->nights->id[night_of[c->index]],
		.before = c->mean_l,
		.after = c->mean_r,
		.magnitude = c->magnitude,
		.ci_lo = c->ci_lo,
		.ci_hi = c->ci_hi,
		.p = exact ? NAN : c->p,
		.points = (long long)(c->end - c->start),
		.direction = direction(p->metric, exact ? c->magnitude : c->mean_r - c->mean_l),
		/* a count measures the same again: found is confirmed */
		.state = exact ? "confirmed" : "suspected",
	};
	long long id;

	x->res->found++;
	if (db_change_point_add(x->db, &cp, &id))
		return -1;
	if (!id)
		return 0;
	x->res->added++;
	if (!x->res->first_added)
		x->res->first_added = id;
	if (exact && !strcmp(cp.direction, "regression"))
		x->res->regressions++;
	/* a step back to where an earlier regression started fixes it */
	if (exact && !strcmp(cp.direction, "improvement")) {
		size_t fixed;

		if (db_change_point_fix(x->db, x->branch, p->job, p->metric, c->mean_r,
					compare_exact_allowance(p->metric, c->mean_r, &x->o->cmp),
					cp.bad_night, &fixed))
			return -1;
		x->res->fixed += fixed;
		if (fixed && x->out)
			fprintf(x->out, "fixed: %s %s is back at %.4g (%zu earlier regression%s)\n",
				p->job_name, p->metric, c->mean_r, fixed, fixed == 1 ? "" : "s");
	}
	if (x->out) {
		struct strbuf line = STRBUF_INIT;

		cp.job_name = p->job_name;
		nightseries_describe(&cp, x->nights->commit[night_of[c->index - 1]],
				     x->nights->commit[night_of[c->index]], &line);
		fprintf(x->out, "%s\n", line.buf);
		strbuf_release(&line);
	}
	return 0;
}

/* One series: pts[0..n) of one job and metric, in night order. */
static int one_series(struct series_ctx *x, const struct point *pts, size_t n)
{
	struct change_points found = CHANGE_POINTS_INIT;
	double *v = xmalloc(n * sizeof(*v));
	size_t *night_of = xmalloc(n * sizeof(*night_of));
	int exact = pts[0].kind == COMPARE_EXACT, ret = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		v[i] = pts[i].value;
		night_of[i] = pts[i].night;
	}
	x->res->series++;
	if (exact) {
		/*
		 * Each step against the night before it, with compare's allowance
		 * at that night's value (cost rows: a fraction of it).
		 */
		for (i = 1; i < n; i++) {
			double d = v[i] - v[i - 1];
			struct change_point c;

			if (isnan(d) ||
			    fabs(d) <= compare_exact_allowance(pts[0].metric, v[i - 1], &x->o->cmp))
				continue;
			memset(&c, 0, sizeof(c));
			c.index = i;
			c.start = i - 1;
			c.end = i + 1;
			c.mean_l = v[i - 1];
			c.mean_r = v[i];
			c.magnitude = c.ci_lo = c.ci_hi = d;
			if (store_one(x, pts, night_of, &c, 1)) {
				ret = -1;
				break;
			}
		}
	} else {
		struct cp_opts o = x->o->cp;

		o.min_magnitude = noisy_threshold(pts[0].metric, &x->o->cmp);
		cp_find(v, n, &o, &found, NULL);
		for (i = 0; i < found.nr && !ret; i++)
			ret = store_one(x, pts, night_of, &found.v[i], 0);
	}
	change_points_release(&found);
	free(v);
	free(night_of);
	return ret;
}

int nightseries_update(struct db *db, const char *branch, const struct nightseries_opts *o,
		       FILE *out, struct nightseries_result *res)
{
	struct night_list nights = { 0 };
	struct collect c = { 0 };
	struct series_ctx x = { db, branch, o, &nights, out, res };
	size_t i, j;
	int ret = -1;

	memset(res, 0, sizeof(*res));
	if (db_nights(db, branch, keep_night, &nights))
		goto out;
	res->nights = nights.nr;
	for (i = 0; i < nights.nr; i++) {
		c.night = i;
		if (db_run_series(db, nights.run[i], collect_series, &c))
			goto out;
	}
	if (c.nr)
		qsort(c.v, c.nr, sizeof(*c.v), by_series);
	ret = 0;
	for (i = 0; i < c.nr && !ret; i = j) {
		for (j = i + 1; j < c.nr && c.v[j].job == c.v[i].job &&
				!strcmp(c.v[j].metric, c.v[i].metric); j++)
			;
		if (j - i >= 2)
			ret = one_series(&x, &c.v[i], j - i);
	}
out:
	for (i = 0; i < c.nr; i++) {
		free(c.v[i].job_name);
		free(c.v[i].metric);
	}
	free(c.v);
	night_list_release(&nights);
	return ret;
}

void nightseries_describe(const struct db_change_point *cp, const char *good_commit,
			  const char *bad_commit, struct strbuf *out)
{
	int exact = !strcmp(cp->kind, "exact");

	strbuf_addf(out, "%s %s: %s %s ", cp->state, cp->direction,
		    cp->job_name ? cp->job_name : "?", cp->metric);
	/* a count as compare shows one: two decimals (pins per I/O are 1.00, 3.00, 17.00) */
	if (exact)
		strbuf_addf(out, "%.2f -> %.2f (%+.2f%s%s)", cp->before, cp->after, cp->magnitude,
			    cp->unit && *cp->unit ? " " : "", cp->unit ? cp->unit : "");
	else
		strbuf_addf(out, "%.4g -> %.4g", cp->before, cp->after);
	if (!exact)
		strbuf_addf(out, " (%+.1f %%, 95 %% CI %+.1f .. %+.1f %%, p %.2g)",
			    100 * cp->magnitude, 100 * cp->ci_lo, 100 * cp->ci_hi, cp->p);
	strbuf_addf(out, " between %.12s (last good) and %.12s (first bad), %lld nights",
		    good_commit, bad_commit, cp->points);
}
