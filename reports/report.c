// SPDX-License-Identifier: GPL-2.0-only
/* The text report of a comparison: header, table, noise, reproducer. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/untrusted.h"
#include "reports/headline.h"
#include "reports/noise.h"
#include "reports/report.h"
#include "reports/reproducer.h"
#include "reports/text.h"

static int print_patch(int seq, const char *subject, const char *message_id, void *data)
{
	FILE *out = data;
	struct strbuf line = STRBUF_INIT;

	strbuf_addf(&line, "patch%s: ", seq ? "" : " (cover)");
	strbuf_add_clean_line(&line, subject);
	if (*message_id) {
		strbuf_addstr(&line, " <");
		strbuf_add_clean_line(&line, message_id);
		strbuf_addch(&line, '>');
	}
	text_put_folded(line.buf, 0, REPORT_WIDTH, out);
	strbuf_release(&line);
	return 0;
}

/* A run's header, the lines a comparison needs, folded to 100 columns. */
static int print_run(struct db *db, long long run, const char *name, FILE *out)
{
	static const char *const keep[] = { "run: ", "kernel: ", "kernel version: ", "machine: ",
					    "devices: ", "command: ", NULL };
	char *text = NULL, *line, *save = NULL;
	size_t len = 0, i;
	FILE *mem = open_memstream(&text, &len);
	int ret;

	ret = db_show_run_header(db, run, mem);
	fclose(mem);
	fprintf(out, "%s\n", name);
	for (line = strtok_r(text, "\n", &save); !ret && line; line = strtok_r(NULL, "\n", &save))
		for (i = 0; keep[i]; i++)
			if (!strncmp(line, keep[i], strlen(keep[i])))
				text_put_folded(line, 0, REPORT_WIDTH, out);
	free(text);
	return ret ? -1 : db_run_patches(db, run, print_patch, out);
}

/* Who is compared with whom: each run's kernel, machine, command and patches. */
static int print_header(struct db *db, const struct comparison *c, const char *name_a,
			const char *name_b, FILE *out)
{
	fprintf(out, "pinbench compare: %s (run %lld) against %s (run %lld)\n\n", name_b,
		c->run_b, name_a, c->run_a);
	if (print_run(db, c->run_a, name_a, out) || print_run(db, c->run_b, name_b, out))
		return -1;
	fprintf(out, "\n");
	return 0;
}

int report_text(struct db *db, const struct comparison *c, const char *name_a,
		const char *name_b, unsigned flags, FILE *out)
{
	struct headline h;

	/* the answer first, then who was compared, then the table */
	headline_build(c, &h);
	headline_print(&h, out);
	headline_release(&h);
	if (print_header(db, c, name_a, name_b, out))
		return -1;
	compare_print(c, name_a, name_b, flags, out);
	fprintf(out, "\n");
	/* unknown settings: the noise's "detects" is at the default alpha (settings says so) */
	if (noise_print_for_comparison(db, c, c->opts.alpha, out))
		return -1;
	fprintf(out, "\n");
	return reproducer_print(db, c->run_a, c->run_b, out);
}


int report_run_names(struct db *db, long long run_a, long long run_b, struct strbuf *a,
		     struct strbuf *b)
{
	if (db_run_kernel_name(db, run_a, a) || db_run_kernel_name(db, run_b, b))
		return -1;
	if (!a->len || !b->len || !strcmp(a->buf, b->buf)) {
		strbuf_reset(a);
		strbuf_reset(b);
		strbuf_addf(a, "run %lld", run_a);
		strbuf_addf(b, "run %lld", run_b);
	}
	return 0;
}

/* How bad a regression row is, to pick the one a subject names. */
static double severity(const struct compare_row *r)
{
	/* an exact counter changing is certain: it ranks above any noisy change */
	if (r->kind == COMPARE_EXACT)
		return 1000 + fabs(r->delta);
	return fabs(r->ci.ratio - 1);
}

void report_verdict_phrase(const struct comparison *c, struct strbuf *out)
{
	const struct compare_row *worst = NULL;
	size_t i;

	for (i = 0; i < c->nr; i++) {
		const struct compare_row *r = &c->rows[i];

		if (r->verdict == STATS_REGRESSION && (!worst || severity(r) > severity(worst)))
			worst = r;
	}
	if (!worst) {
		strbuf_addstr(out, "no regression");
		return;
	}
	if (compare_row_is_pooled(worst))
		strbuf_addf(out, "IOPS of %s %+.1f%% regression", worst->job_name,
			    (worst->ci.ratio - 1) * 100);
	else if (worst->kind == COMPARE_EXACT)
		strbuf_addf(out, "%s.%s %+.2f regression", worst->job_name, worst->metric,
			    worst->delta);
	else
		strbuf_addf(out, "%s.%s %+.1f%% regression", worst->job_name, worst->metric,
			    (worst->ci.ratio - 1) * 100);
}

/* --- JSON ----------------------------------------------------------------------------- */

/*
 * A number, or null where it is not one: JSON has no NaN, and jansson's
 * json_real(NAN) is NULL, which would drop the whole row (a CV of one
 * repetition is NaN): every stored row is shown.
 */
static json_t *json_num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *row_json(const struct compare_row *r)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:s}",
			      "job", r->job_name, "metric", r->metric, "unit", r->unit,
			      "kind", r->kind == COMPARE_EXACT ? "exact" : "noisy",
			      "n_a", (json_int_t)r->na, "n_b", (json_int_t)r->nb,
			      "median_a", json_num(r->median_a), "median_b", json_num(r->median_b),
			      "cv_a_pct", json_num(r->cv_a), "cv_b_pct", json_num(r->cv_b),
			      "verdict", compare_verdict_word(r));

	if (r->kind == COMPARE_EXACT) {
		json_object_set_new(o, "delta", json_num(r->delta));
		return o;
	}
	json_object_set_new(o, "ratio", json_num(r->ci.ratio));
	json_object_set_new(o, "ci_lo", json_num(r->ci.lo));
	json_object_set_new(o, "ci_hi", json_num(r->ci.hi));
	json_object_set_new(o, "p", json_num(r->p));
	json_object_set_new(o, "q", json_num(r->q));
	if (r->reps_needed)
		json_object_set_new(o, r->boots_a ? "boots_needed" : "reps_needed",
				    json_integer(r->reps_needed));
	if (r->boots_a) {
		json_object_set_new(o, "boots_a", json_integer((json_int_t)r->boots_a));
		json_object_set_new(o, "boots_b", json_integer((json_int_t)r->boots_b));
	}
	return o;
}

static json_t *balance_json(const struct pin_balances *b)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < b->nr; i++) {
		const struct pin_balance *e = &b->v[i];

		if (!e->reps)
			continue;
		json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:o, s:o, s:I, s:b}",
			"job", e->job_name, "acquired", json_num(e->acquired),
			"released", json_num(e->released), "ios", json_num(e->ios),
			"net_per_io", json_num(pin_balance_per_io(e)),
			"reps", (json_int_t)e->reps, "leak", e->leak));
	}
	return a;
}

/* null for a comparison stored before its settings were */
static json_t *settings_json(const struct comparison *c)
{
	const struct compare_opts *o = &c->opts;

	if (!c->opts_known)
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:o, s:I, s:I, s:o, s:o, s:o}",
			 "throughput_threshold", json_num(o->throughput_threshold),
			 "latency_threshold", json_num(o->latency_threshold),
			 "alpha", json_num(o->alpha), "confidence", json_num(o->confidence),
			 "resamples", (json_int_t)o->resamples, "seed", (json_int_t)o->seed,
			 "exact_tolerance", json_num(o->exact_tolerance),
			 "cost_tolerance", json_num(o->cost_tolerance),
			 "cost_fn_tolerance", json_num(o->cost_fn_tolerance));
}

/* The headline as data: the same sentences and the figures behind them. */
static json_t *headline_json(const struct headline *h)
{
	json_t *findings = json_array();
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	json_t *o, *drift;

	for (i = 0; i < h->nr; i++) {
		const struct headline_finding *f = &h->findings[i];

		strbuf_reset(&sb);
		headline_finding_text(f, &sb);
		json_array_append_new(findings, json_pack(
			"{s:s, s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:s}", "metric", f->metric,
			"unit", f->unit, "verdict", f->word, "kind", f->exact ? "exact" : "noisy",
			"jobs", (json_int_t)f->jobs, "of", (json_int_t)f->of,
			f->exact ? "delta_lo" : "change_pct_lo", json_num(f->lo),
			f->exact ? "delta_hi" : "change_pct_hi", json_num(f->hi), "text", sb.buf));
	}
	strbuf_reset(&sb);
	headline_drift_text(h, &sb);
	drift = json_string(sb.buf);
	strbuf_reset(&sb);
	headline_noise_text(h, &sb);
	o = json_pack("{s:s, s:i, s:o, s:I, s:I, s:I, s:I, s:I, s:o, s:s}", "verdict", h->word,
		      "exit_code", h->exit_code, "findings", findings, "noisy", (json_int_t)h->noisy,
		      "undecided", (json_int_t)h->undecided,
		      "key_undecided", (json_int_t)h->key_undecided,
		      "min_boots", (json_int_t)h->min_boots,
		      "boots_needed", (json_int_t)h->boots_needed,
		      "detectable_pct", json_num(h->detectable_pct), "noise", sb.buf);
	json_object_set_new(o, "trend_z_a", json_num(h->trend_z[0]));
	json_object_set_new(o, "trend_z_b", json_num(h->trend_z[1]));
	json_object_set_new(o, "drift", drift);
	strbuf_release(&sb);
	return o;
}

int report_json(const struct comparison *c, FILE *out)
{
	json_t *rows = json_array(), *doc;
	size_t i;
	int ret;

	for (i = 0; i < c->nr; i++)
		json_array_append_new(rows, row_json(&c->rows[i]));
	doc = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o}",
			"run_a", (json_int_t)c->run_a, "run_b", (json_int_t)c->run_b,
			"regressions", (json_int_t)c->regressions,
			"improvements", (json_int_t)c->improvements,
			"inconclusive", (json_int_t)c->inconclusive,
			"exact_changed", (json_int_t)c->changed_exact, "rows", rows,
			"pin_balance_a", balance_json(&c->balance_a),
			"pin_balance_b", balance_json(&c->balance_b),
			"settings", settings_json(c));
	{
		struct headline h;

		headline_build(c, &h);
		json_object_set_new(doc, "headline", headline_json(&h));
		headline_release(&h);
	}
	if (c->id > 0)
		json_object_set_new(doc, "comparison", json_integer(c->id));
	if (*c->decided_at)
		json_object_set_new(doc, "decided_at", json_string(c->decided_at));
	ret = json_dumpf(doc, out, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
	fputc('\n', out);
	json_decref(doc);
	return ret ? -1 : 0;
}
