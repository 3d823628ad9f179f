// SPDX-License-Identifier: GPL-2.0-only
/*
 * The static site: pages from the database's stored comparisons, runs,
 * verdicts and noise (db/site.c), plots from reports/plot.c. Every string
 * that reaches a page from outside goes through html_escape.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/fsutil.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/strvec.h"
#include "reports/compare.h"
#include "reports/headline.h"
#include "reports/html.h"
#include "reports/pinbalance.h"
#include "reports/plot.h"
#include "reports/reproducer.h"
#include "reports/site.h"
#include "reports/site-internal.h"
#include "reports/summary.h"
#include "workloads/diocase.h"

struct site {
	struct db *db;
	const struct site_opts *o;
	struct site_stats *st;
	int failed;
	/* new plots, drawn at the end by one gnuplot (its start-up costs more than a plot) */
	struct plot_batch *batch;
	struct strvec queued;	/* their names: a plot of the same data is queued once */
};

/* Write a page only when its bytes differ from what is there. */
int site_put_file(const char *dir, struct site_stats *st, const char *name,
		  const struct strbuf *content)
{
	struct strbuf path = STRBUF_INIT, old = STRBUF_INIT;
	int ret = 0;

	strbuf_addf(&path, "%s/%s", dir, name);
	st->pages++;
	/* one byte more than the page is enough to tell a different one */
	if (!strbuf_read_file(&old, path.buf, content->len + 1) && old.len == content->len &&
	    !memcmp(old.buf, content->buf, old.len))
		goto out;
	if (write_file_atomic(path.buf, content->buf, content->len))
		ret = error("cannot write '%s': %s", path.buf, errstr());
	else
		st->pages_written++;
out:
	strbuf_release(&path);
	strbuf_release(&old);
	return ret;
}

static int put_file(struct site *s, const char *name, const struct strbuf *content)
{
	return site_put_file(s->o->dir, s->st, name, content);
}

/* plots/PREFIX-HASH.svg for data described by `key`; drawn only when missing */
static void plot_name(struct strbuf *name, const char *prefix, const struct strbuf *key)
{
	char hex[65];

	sha256_hex(key->buf, key->len, hex);
	strbuf_addf(name, "plots/%s-%.16s.svg", prefix, hex);
}

static int plot_exists(struct site *s, const char *name)
{
	struct strbuf path = STRBUF_INIT;
	int there;

	strbuf_addf(&path, "%s/%s", s->o->dir, name);
	there = path_exists(path.buf) || strvec_contains(&s->queued, name);
	if (!there)
		strvec_push(&s->queued, name);
	strbuf_release(&path);
	s->st->plots++;
	return there;
}

static void add_img(struct strbuf *page, const char *name, const char *alt)
{
	strbuf_addf(page, "<p><img src=\"%s\" alt=\"", name);
	html_escape(page, alt);
	strbuf_addstr(page, "\"></p>\n");
}

static void add_num(struct strbuf *page, double v, const char *unit)
{
	const char *shown;
	double k = unit_scale(unit, &shown);

	if (isnan(v))
		strbuf_addstr(page, "<td class=\"num\">-</td>");
	else
		strbuf_addf(page, "<td class=\"num\">%.6g</td>", v * k);
}

/* --- comparison pages --------------------------------------------------------------- */

/* A verdict row worth a distribution plot, and both runs' values for it. */
struct dist {
	long long job;
	char *job_name, *metric, *unit, *note;
	double *v[2];
	size_t n[2];
};

#define MAX_DIST_PLOTS 12

struct cmp_page {
	struct dist dist[MAX_DIST_PLOTS];
	size_t ndist;
	struct strbuf name_a, name_b;	/* the sides in plots: kernels, or runs when one kernel */
	struct site *s;
	struct strbuf *page;
	const struct db_comparison_row *c;
	struct strbuf pins_key;		/* pins released per I/O, for the bars */
	struct plot_bar *bars;
	char **bar_labels;
	size_t nbars, alloc;
};

static void add_bar(struct cmp_page *p, const char *label, double value)
{
	if (p->nbars == p->alloc) {
		p->alloc = p->alloc ? 2 * p->alloc : 16;
		p->bars = xrealloc(p->bars, p->alloc * sizeof(*p->bars));
		p->bar_labels = xrealloc(p->bar_labels, p->alloc * sizeof(*p->bar_labels));
	}
	p->bar_labels[p->nbars] = xstrdup(label);
	p->bars[p->nbars] = (struct plot_bar){ p->bar_labels[p->nbars], value };
	p->nbars++;
	strbuf_addf(&p->pins_key, "%s=%.17g\n", label, value);
}

static int verdict_cell(const struct db_verdict_row *v, void *data)
{
	struct cmp_page *p = data;
	struct strbuf *page = p->page;
	const char *cls = !strcmp(v->verdict, "regression") ? "regression" :
			  !strcmp(v->verdict, "improvement") ? "improvement" : "";
	const struct dio_case_info *dc;
	const char *shown;

	unit_scale(v->unit, &shown);
	strbuf_addf(page, "<tr class=\"verdict %s\"><td", cls);
	/* a dio-cases job says what its case exercises */
	if ((dc = dio_case_of_job(v->job_name))) {
		strbuf_addstr(page, " title=\"");
		html_escape(page, dc->words);
		strbuf_addch(page, '"');
	}
	strbuf_addch(page, '>');
	html_escape(page, v->job_name);
	strbuf_addstr(page, "</td><td>");
	html_escape(page, v->metric);
	if (*shown) {
		strbuf_addstr(page, " (");
		html_escape(page, shown);
		strbuf_addstr(page, ")");
	}
	strbuf_addstr(page, "</td>");
	add_num(page, v->median_a, v->unit);
	add_num(page, v->median_b, v->unit);
	if (!strcmp(v->kind, "exact"))
		strbuf_addf(page, "<td class=\"num\">%+.2f</td><td></td><td></td>", v->delta);
	else
		strbuf_addf(page, "<td class=\"num\">%+.1f%%</td><td class=\"num\">%.3f&ndash;%.3f"
			    "</td><td class=\"num\">%.3g</td>", (v->ratio - 1) * 100, v->ci_lo,
			    v->ci_hi, v->q);
	strbuf_addstr(page, "<td>");
	html_escape(page, v->verdict);
	if (v->reps_needed > 0)
		strbuf_addf(page, " (n=%lld a side would decide)", v->reps_needed);
	strbuf_addstr(page, "</td></tr>\n");
	/* IOPS rows that are not plainly unchanged get the picture of their samples */
	if (!strcmp(v->kind, "noisy") && ends_with(v->metric, ".iops") &&
	    strcmp(v->verdict, "no change") && p->ndist < MAX_DIST_PLOTS) {
		struct dist *d = &p->dist[p->ndist++];
		struct strbuf note = STRBUF_INIT;

		memset(d, 0, sizeof(*d));
		d->job = v->job;
		d->job_name = xstrdup(v->job_name);
		d->metric = xstrdup(v->metric);
		d->unit = xstrdup(v->unit);
		strbuf_addf(&note, "ratio %.3f, 95%% CI %.3f-%.3f, %s", v->ratio, v->ci_lo,
			    v->ci_hi, v->verdict);
		d->note = strbuf_detach(&note, NULL);
	}
	if (!strcmp(v->metric, "pin.released_per_io")) {
		struct strbuf label = STRBUF_INIT;

		strbuf_addf(&label, "%s %s", v->job_name, p->name_a.buf);
		add_bar(p, label.buf, v->median_a);
		strbuf_reset(&label);
		strbuf_addf(&label, "%s %s", v->job_name, p->name_b.buf);
		add_bar(p, label.buf, v->median_b);
		strbuf_release(&label);
	}
	return 0;
}

struct dist_fill {
	struct cmp_page *p;
	int side;
};

static int fill_dist(const struct db_series *ser, void *data)
{
	struct dist_fill *f = data;
	size_t i;

	for (i = 0; i < f->p->ndist; i++) {
		struct dist *d = &f->p->dist[i];

		if (d->job != ser->job || strcmp(d->metric, ser->metric))
			continue;
		d->v[f->side] = xmalloc((ser->n + 1) * sizeof(double));
		memcpy(d->v[f->side], ser->values, ser->n * sizeof(double));
		d->n[f->side] = ser->n;
	}
	return 0;
}

/* The distribution plots of the rows picked while the table was written. */
static void add_dist_plots(struct cmp_page *p)
{
	struct site *s = p->s;
	struct dist_fill fa = { p, 0 }, fb = { p, 1 };
	size_t i, k;

	if (!p->ndist || db_run_series(s->db, p->c->run_a, fill_dist, &fa) ||
	    db_run_series(s->db, p->c->run_b, fill_dist, &fb))
		return;
	strbuf_addstr(p->page, "<h2>Samples</h2>\n");
	for (i = 0; i < p->ndist; i++) {
		struct dist *d = &p->dist[i];
		struct strbuf key = STRBUF_INIT, name = STRBUF_INIT, title = STRBUF_INIT;
		struct strbuf ylabel = STRBUF_INIT;
		const char *shown;
		double scale = unit_scale(d->unit, &shown), *va, *vb;
		struct plot_side a = { p->name_a.buf, NULL, d->n[0] };
		struct plot_side b = { p->name_b.buf, NULL, d->n[1] };

		va = xcalloc(d->n[0] + 1, sizeof(double));
		vb = xcalloc(d->n[1] + 1, sizeof(double));
		for (k = 0; k < d->n[0]; k++)
			va[k] = d->v[0][k] * scale;
		for (k = 0; k < d->n[1]; k++)
			vb[k] = d->v[1][k] * scale;
		a.v = va;
		b.v = vb;
		strbuf_addf(&title, "%s: %s", d->job_name, d->metric);
		strbuf_addf(&ylabel, "%s%s%s%s", d->metric, *shown ? " (" : "", shown,
			    *shown ? ")" : "");
		strbuf_addf(&key, "%s\n%s\n%s\n%s\n%s\n", title.buf, ylabel.buf, a.name, b.name,
			    d->note);
		for (k = 0; k < d->n[0]; k++)
			strbuf_addf(&key, "a %.17g\n", va[k]);
		for (k = 0; k < d->n[1]; k++)
			strbuf_addf(&key, "b %.17g\n", vb[k]);
		plot_name(&name, "dist", &key);
		if (!plot_exists(s, name.buf)) {
			struct strbuf path = STRBUF_INIT;

			strbuf_addf(&path, "%s/%s", s->o->dir, name.buf);
			if (plot_batch_distribution(s->batch, path.buf, PLOT_SVG, title.buf,
						    ylabel.buf, &a, &b, d->note))
				s->failed = 1;
			strbuf_release(&path);
		}
		add_img(p->page, name.buf, title.buf);
		free(va);
		free(vb);
		strbuf_release(&key);
		strbuf_release(&name);
		strbuf_release(&title);
		strbuf_release(&ylabel);
	}
}

static void dist_release(struct cmp_page *p)
{
	size_t i;

	for (i = 0; i < p->ndist; i++) {
		free(p->dist[i].job_name);
		free(p->dist[i].metric);
		free(p->dist[i].unit);
		free(p->dist[i].note);
		free(p->dist[i].v[0]);
		free(p->dist[i].v[1]);
	}
}

static int patch_item(const struct db_patch_row *r, void *data)
{
	struct strbuf *page = data;

	strbuf_addstr(page, "<li>");
	if (!r->seq)
		strbuf_addstr(page, "(cover letter) ");
	html_escape(page, r->subject);
	if (*r->author) {
		strbuf_addstr(page, " &mdash; ");
		html_escape(page, r->author);
	}
	if (*r->message_id) {
		strbuf_addstr(page, " <code>&lt;");
		html_escape(page, r->message_id);
		strbuf_addstr(page, "&gt;</code>");
	}
	strbuf_addstr(page, "</li>\n");
	return 0;
}

static void add_balance(struct strbuf *page, struct db *db, long long run, const char *name)
{
	struct pin_balances b;
	size_t i;

	if (pin_balance_run(db, run, &b))
		return;
	strbuf_addstr(page, "<h3>Pin balance of ");
	html_escape(page, name);
	strbuf_addstr(page, "</h3>\n<table><tr><th>job</th><th>acquired</th><th>released</th>"
		      "<th>I/Os</th><th>net per I/O</th></tr>\n");
	for (i = 0; i < b.nr; i++) {
		const struct pin_balance *e = &b.v[i];

		if (!e->reps)
			continue;
		strbuf_addf(page, "<tr class=\"%s\"><td>", e->leak ? "leak" : "");
		html_escape(page, e->job_name);
		strbuf_addf(page, "</td><td class=\"num\">%.0f</td><td class=\"num\">%.0f</td>"
			    "<td class=\"num\">%.0f</td><td class=\"num\">%+.2f%s</td></tr>\n",
			    e->acquired, e->released, e->ios, pin_balance_per_io(e),
			    e->leak ? " <span class=\"bad\">LEAK</span>" : "");
	}
	strbuf_addstr(page, "</table>\n");
	pin_balances_release(&b);
}

/* A run's log directory, linked when it is an absolute path (file: works from disk). */
static void log_item(struct strbuf *page, struct db *db, long long run)
{
	struct db_run_repro r;

	if (db_run_repro(db, run, &r))
		return;
	if (*r.log) {
		strbuf_addf(page, "<li>run %lld (", run);
		html_escape(page, r.kernel);
		strbuf_addstr(page, "): ");
		if (r.log[0] == '/') {
			strbuf_addstr(page, "<a href=\"file://");
			html_escape(page, r.log);
			strbuf_addstr(page, "/\">");
			html_escape(page, r.log);
			strbuf_addstr(page, "</a>");
		} else {
			html_escape(page, r.log);
		}
		strbuf_addstr(page, "</li>\n");
	}
	db_run_repro_release(&r);
}

/*
 * A stored comparison never changes, so its page is made once: the first
 * line names the page format and the comparison's stamp, and a page that
 * already starts with that line is left as it is (its plots too).
 */
#define SITE_FORMAT 2

static void page_stamp(struct strbuf *out, const struct db_comparison_row *c)
{
	strbuf_addf(out, "<!-- pinbench site %d comparison %lld ", SITE_FORMAT, c->id);
	html_escape(out, c->decided_at);
	strbuf_addstr(out, " -->\n");
}

static int page_is_current(struct site *s, const struct db_comparison_row *c)
{
	struct strbuf path = STRBUF_INIT, stamp = STRBUF_INIT;
	char line[256];
	FILE *f;
	int current = 0;

	strbuf_addf(&path, "%s/comparison-%lld.html", s->o->dir, c->id);
	page_stamp(&stamp, c);
	f = fopen(path.buf, "r");
	if (f) {
		current = fgets(line, sizeof(line), f) && !strcmp(line, stamp.buf);
		fclose(f);
	}
	strbuf_release(&path);
	strbuf_release(&stamp);
	return current;
}

/* What the stored verdicts were decided under, as the text report says it. */
static int settings_paragraph(struct site *s, long long comparison, struct strbuf *page)
{
	struct db_comparison_stored st;
	struct strbuf text = STRBUF_INIT;

	if (db_comparison_get(s->db, comparison, &st))
		return -1;
	compare_stored_settings_text(&st, &text);
	strbuf_addstr(page, "<p class=\"settings\">");
	html_escape(page, text.buf);
	strbuf_addstr(page, "</p>\n");
	strbuf_release(&text);
	return 0;
}

/* The answer first, as the text report and the mail give it: from the stored verdicts. */
static int headline_section(struct db *db, long long comparison, struct strbuf *page)
{
	struct comparison cmp;
	struct headline h;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	if (compare_load(db, comparison, &cmp))
		return -1;
	headline_build(&cmp, &h);
	strbuf_addf(page, "<p class=\"headline\"><strong>VERDICT: %s</strong> (exit %d)</p>\n<ul>\n",
		    h.word, h.exit_code);
	for (i = 0; i < h.nr; i++) {
		strbuf_reset(&sb);
		headline_finding_text(&h.findings[i], &sb);
		strbuf_addstr(page, "<li>");
		html_escape(page, sb.buf);
		strbuf_addstr(page, "</li>\n");
	}
	if (!h.nr)
		strbuf_addstr(page, "<li>no row changed</li>\n");
	strbuf_reset(&sb);
	headline_noise_text(&h, &sb);
	strbuf_addstr(page, "</ul>\n<p class=\"noise\">");
	html_escape(page, sb.buf);
	strbuf_addstr(page, "</p>\n");
	strbuf_reset(&sb);
	headline_drift_text(&h, &sb);
	if (sb.len) {
		strbuf_addstr(page, "<p class=\"drift\">");
		html_escape(page, sb.buf);
		strbuf_addstr(page, "</p>\n");
	}
	strbuf_release(&sb);
	headline_release(&h);
	comparison_release(&cmp);
	return 0;
}

static int comparison_page(const struct db_comparison_row *c, void *data)
{
	struct site *s = data;
	struct strbuf page = STRBUF_INIT, title = STRBUF_INIT, name = STRBUF_INIT;
	struct cmp_page p = { .s = s, .page = &page, .c = c, .pins_key = STRBUF_INIT,
			      .name_a = STRBUF_INIT, .name_b = STRBUF_INIT };
	char *repro = NULL;
	size_t len = 0, i;
	FILE *mem;

	if (page_is_current(s, c)) {
		s->st->pages++;
		return 0;
	}
	strbuf_addf(&title, "comparison %lld: %s against %s", c->id, c->kernel_b, c->kernel_a);
	strbuf_addstr(&p.name_a, c->kernel_a);
	strbuf_addstr(&p.name_b, c->kernel_b);
	if (!strcmp(c->kernel_a, c->kernel_b)) {
		strbuf_addf(&p.name_a, " (run %lld)", c->run_a);
		strbuf_addf(&p.name_b, " (run %lld)", c->run_b);
	}
	page_stamp(&page, c);
	html_begin(&page, title.buf);
	strbuf_addstr(&page, "<h1>");
	html_escape(&page, title.buf);
	strbuf_addstr(&page, "</h1>\n");
	if (headline_section(s->db, c->id, &page))
		s->failed = 1;
	strbuf_addstr(&page, "<table>\n");
	strbuf_addf(&page, "<tr><th>baseline</th><td>run %lld: ", c->run_a);
	html_escape(&page, c->kernel_a);
	strbuf_addstr(&page, " ");
	html_escape(&page, c->release_a);
	strbuf_addf(&page, "</td></tr>\n<tr><th>patched</th><td>run %lld: ", c->run_b);
	html_escape(&page, c->kernel_b);
	strbuf_addstr(&page, " ");
	html_escape(&page, c->release_b);
	strbuf_addstr(&page, "</td></tr>\n<tr><th>machine</th><td>");
	html_escape(&page, c->hostname);
	strbuf_addstr(&page, " (");
	html_escape(&page, c->target_kind);
	strbuf_addstr(&page, ")</td></tr>\n<tr><th>decided</th><td>");
	html_escape(&page, c->decided_at);
	strbuf_addstr(&page, "</td></tr>\n<tr><th>command</th><td><code>");
	html_escape(&page, c->command);
	strbuf_addf(&page, "</code></td></tr>\n</table>\n<p>%lld regressions, %lld improvements, "
		    "%lld inconclusive, %lld exact counters changed</p>\n", c->regressions,
		    c->improvements, c->inconclusive, c->exact_changed);
	if (settings_paragraph(s, c->id, &page))
		s->failed = 1;
	strbuf_addstr(&page, "<h2>Patches</h2>\n<ul>\n");
	db_run_patch_rows(s->db, c->run_b, patch_item, &page);
	strbuf_addstr(&page, "</ul>\n<h2>Verdicts</h2>\n<details><summary>every row (the "
		      "headline above is their answer)</summary>\n<table class=\"verdicts\">\n<tr><th>job</th>"
		      "<th>metric</th><th>baseline</th><th>patched</th><th>change</th>"
		      "<th>95% CI of ratio</th><th>q</th><th>verdict</th></tr>\n");
	if (db_comparison_verdicts(s->db, c->id, verdict_cell, &p))
		s->failed = 1;
	strbuf_addstr(&page, "</table>\n</details>\n");
	if (s->o->plots && p.nbars) {
		plot_name(&name, "pins", &p.pins_key);
		if (!plot_exists(s, name.buf)) {
			struct strbuf path = STRBUF_INIT;

			strbuf_addf(&path, "%s/%s", s->o->dir, name.buf);
			if (plot_batch_bars(s->batch, path.buf, PLOT_SVG, "pins released per I/O",
					    "pins per I/O (pins/io)", p.bars, p.nbars))
				s->failed = 1;
			strbuf_release(&path);
		}
		add_img(&page, name.buf, "pins released per I/O, per job and kernel");
	}
	if (s->o->plots)
		add_dist_plots(&p);
	add_balance(&page, s->db, c->run_a, c->kernel_a);
	add_balance(&page, s->db, c->run_b, c->kernel_b);
	strbuf_addstr(&page, "<h2>Logs</h2>\n<ul>\n");
	log_item(&page, s->db, c->run_a);
	log_item(&page, s->db, c->run_b);
	strbuf_addstr(&page, "</ul>\n<h2>Reproduce</h2>\n<pre>");
	mem = open_memstream(&repro, &len);
	reproducer_print(s->db, c->run_a, c->run_b, mem);
	fclose(mem);
	html_escape(&page, repro);
	free(repro);
	strbuf_addstr(&page, "</pre>\n");
	html_end(&page);
	strbuf_reset(&name);
	strbuf_addf(&name, "comparison-%lld.html", c->id);
	if (put_file(s, name.buf, &page))
		s->failed = 1;
	dist_release(&p);
	strbuf_release(&p.name_a);
	strbuf_release(&p.name_b);
	for (i = 0; i < p.nbars; i++)
		free(p.bar_labels[i]);
	free(p.bar_labels);
	free(p.bars);
	strbuf_release(&p.pins_key);
	strbuf_release(&page);
	strbuf_release(&title);
	strbuf_release(&name);
	return 0;
}

/* --- history pages ------------------------------------------------------------------ */

struct history {
	struct plot_point *p;
	char **labels;
	size_t n, alloc;
	struct strbuf rows, key;
	const char *unit;
};

static int history_point(const struct db_history_point *pt, void *data)
{
	struct history *h = data;
	struct strbuf label = STRBUF_INIT;
	const char *shown;
	double k = unit_scale(h->unit, &shown);

	if (h->n == h->alloc) {
		h->alloc = h->alloc ? 2 * h->alloc : 32;
		h->p = xrealloc(h->p, h->alloc * sizeof(*h->p));
		h->labels = xrealloc(h->labels, h->alloc * sizeof(*h->labels));
	}
	/* the kernel's name tells runs apart where releases are all alike */
	strbuf_addf(&label, "r%lld %s", pt->run, pt->kernel);
	h->labels[h->n] = strbuf_detach(&label, NULL);
	h->p[h->n] = (struct plot_point){ h->labels[h->n], pt->median * k, pt->min * k,
					  pt->max * k, pt->regression };
	h->n++;
	strbuf_addf(&h->key, "%lld %s %.17g %.17g %.17g %d\n", pt->run, pt->kernel, pt->median,
		    pt->min, pt->max, pt->regression);
	strbuf_addf(&h->rows, "<tr class=\"%s\"><td>%lld</td><td>", pt->regression ?
		    "regression" : "", pt->run);
	html_escape(&h->rows, pt->kernel);
	strbuf_addstr(&h->rows, "</td><td>");
	html_escape(&h->rows, pt->release);
	strbuf_addstr(&h->rows, "</td><td>");
	html_escape(&h->rows, pt->started);
	strbuf_addf(&h->rows, "</td><td class=\"num\">%.6g</td><td class=\"num\">%.6g</td>"
		    "<td class=\"num\">%.6g</td><td class=\"num\">%zu</td><td>%s</td></tr>\n",
		    pt->median * k, pt->min * k, pt->max * k, pt->n,
		    pt->regression ? "regression" : "");
	return 0;
}

struct series_links {
	struct site *s;
	struct strbuf list;
};

/*
 * The job's hash and the metric name become a file name: from the database,
 * so not trusted to be what pinbench wrote there (no '/', no "..").
 */
static int file_name_part(const char *s)
{
	if (!*s || *s == '.')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-')
			return 0;
	return 1;
}

static int history_page(long long job, const char *job_name, const char *job_hash,
			const char *metric, const char *unit, void *data)
{
	struct series_links *l = data;
	struct site *s = l->s;
	struct history h = { .rows = STRBUF_INIT, .key = STRBUF_INIT, .unit = unit };
	struct strbuf page = STRBUF_INIT, title = STRBUF_INIT, name = STRBUF_INIT;
	struct strbuf plot = STRBUF_INIT, ylabel = STRBUF_INIT;
	const char *shown;
	size_t i;

	if (!file_name_part(job_hash) || !file_name_part(metric)) {
		warning("job %lld, metric '%s': not a name a page can have, no history page", job,
			metric);
		return 0;
	}
	unit_scale(unit, &shown);
	if (db_job_metric_history(s->db, job, metric, history_point, &h)) {
		s->failed = 1;
		goto out;
	}
	strbuf_addf(&name, "history-%.16s-%s.html", job_hash, metric);
	strbuf_addstr(&l->list, "<li><a href=\"");
	html_escape(&l->list, name.buf);
	strbuf_addstr(&l->list, "\">");
	html_escape(&l->list, job_name);
	strbuf_addstr(&l->list, ": ");
	html_escape(&l->list, metric);
	strbuf_addf(&l->list, "</a> (%zu runs)</li>\n", h.n);
	strbuf_addf(&title, "%s: %s", job_name, metric);
	html_begin(&page, title.buf);
	strbuf_addstr(&page, "<h1>");
	html_escape(&page, title.buf);
	strbuf_addstr(&page, "</h1>\n");
	if (s->o->plots && h.n) {
		strbuf_addf(&h.key, "%s\n%s\n", title.buf, shown);
		plot_name(&plot, "history", &h.key);
		if (!plot_exists(s, plot.buf)) {
			struct strbuf path = STRBUF_INIT;

			strbuf_addf(&path, "%s/%s", s->o->dir, plot.buf);
			strbuf_addf(&ylabel, "%s%s%s%s", metric, *shown ? " (" : "", shown,
				    *shown ? ")" : "");
			if (plot_batch_history(s->batch, path.buf, PLOT_SVG, title.buf,
					       ylabel.buf, h.p, h.n))
				s->failed = 1;
			strbuf_release(&path);
		}
		add_img(&page, plot.buf, title.buf);
	}
	strbuf_addf(&page, "<table><tr><th>run</th><th>kernel</th><th>release</th><th>started</th>"
		    "<th>median%s%s%s</th><th>min</th><th>max</th><th>n</th><th></th></tr>\n",
		    *shown ? " (" : "", shown, *shown ? ")" : "");
	strbuf_addbuf(&page, &h.rows);
	strbuf_addstr(&page, "</table>\n");
	html_end(&page);
	if (put_file(s, name.buf, &page))
		s->failed = 1;
out:
	for (i = 0; i < h.n; i++)
		free(h.labels[i]);
	free(h.labels);
	free(h.p);
	strbuf_release(&h.rows);
	strbuf_release(&h.key);
	strbuf_release(&page);
	strbuf_release(&title);
	strbuf_release(&name);
	strbuf_release(&plot);
	strbuf_release(&ylabel);
	return 0;
}

/* --- index and feed ----------------------------------------------------------------- */

struct index {
	struct site *s;
	struct strvec pairs;	/* "A\nB" kernel pairs already seen, newest first */
	struct strbuf open, latest, runs, noise, feed;
	size_t ncmp, nruns, nopen, nfeed;
	char updated[32];	/* the newest regression's time, the feed's <updated> */
};

static void comparison_cells(struct strbuf *out, const struct db_comparison_row *c)
{
	strbuf_addf(out, "<tr class=\"%s\"><td><a href=\"comparison-%lld.html\">%lld</a></td><td>",
		    c->regressions ? "regression" : "", c->id, c->id);
	html_escape(out, c->decided_at);
	strbuf_addstr(out, "</td><td>");
	html_escape(out, c->kernel_a);
	strbuf_addstr(out, " ");
	html_escape(out, c->release_a);
	strbuf_addstr(out, "</td><td>");
	html_escape(out, c->kernel_b);
	strbuf_addstr(out, " ");
	html_escape(out, c->release_b);
	strbuf_addf(out, "</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td>"
		    "<td class=\"num\">%lld</td><td class=\"num\">%lld</td></tr>\n",
		    c->regressions, c->improvements, c->inconclusive, c->exact_changed);
}

static void feed_entry(struct index *ix, const struct db_comparison_row *c)
{
	const char *base = ix->s->o->base_url ? ix->s->o->base_url : "";
	struct strbuf *f = &ix->feed;

	strbuf_addf(f, "<entry>\n<id>urn:pinbench:comparison:%lld:", c->id);
	html_escape(f, c->decided_at);
	strbuf_addstr(f, "</id>\n<title>");
	html_escape(f, c->kernel_b);
	strbuf_addstr(f, " against ");
	html_escape(f, c->kernel_a);
	strbuf_addf(f, ": %lld regression%s</title>\n<updated>", c->regressions,
		    c->regressions == 1 ? "" : "s");
	html_escape(f, c->decided_at);
	strbuf_addstr(f, "</updated>\n<link href=\"");
	html_escape(f, base);
	strbuf_addf(f, "%scomparison-%lld.html\"/>\n<summary>", *base &&
		    base[strlen(base) - 1] != '/' ? "/" : "", c->id);
	html_escape(f, c->hostname);
	strbuf_addstr(f, " (");
	html_escape(f, c->target_kind);
	strbuf_addf(f, "): %lld regressions, %lld improvements, %lld exact counters changed"
		    "</summary>\n</entry>\n", c->regressions, c->improvements, c->exact_changed);
}

/*
 * A regression is open while the newest comparison of the same baseline and
 * patched kernel names still finds one: a later clean comparison of the pair
 * (the patch fixed, the noise understood) closes it.
 */
static int newest_of_pair(struct index *ix, const struct db_comparison_row *c)
{
	struct strbuf pair = STRBUF_INIT;
	int first;

	strbuf_addf(&pair, "%s\n%s", c->kernel_a, c->kernel_b);
	first = !strvec_contains(&ix->pairs, pair.buf);
	if (first)
		strvec_push(&ix->pairs, pair.buf);
	strbuf_release(&pair);
	return first;
}

static int index_comparison(const struct db_comparison_row *c, void *data)
{
	struct index *ix = data;
	int newest;

	newest = newest_of_pair(ix, c);
	if (ix->ncmp < 50)
		comparison_cells(&ix->latest, c);
	if (c->regressions && newest && ix->nopen < 50)
		comparison_cells(&ix->open, c);
	ix->nopen += c->regressions && newest;
	if (c->regressions) {
		if (!ix->nfeed)
			snprintf(ix->updated, sizeof(ix->updated), "%s", c->decided_at);
		if (ix->nfeed++ < 100)
			feed_entry(ix, c);
	}
	ix->ncmp++;
	return comparison_page(c, ix->s);
}

static int index_run(const struct db_run_row *r, void *data)
{
	struct index *ix = data;

	if (ix->nruns++ >= 50)
		return 0;
	strbuf_addf(&ix->runs, "<tr><td>%lld</td><td>", r->id);
	html_escape(&ix->runs, r->kernel);
	strbuf_addstr(&ix->runs, "</td><td>");
	html_escape(&ix->runs, r->release);
	strbuf_addstr(&ix->runs, "</td><td>");
	html_escape(&ix->runs, r->state);
	strbuf_addstr(&ix->runs, "</td><td>");
	html_escape(&ix->runs, r->started);
	strbuf_addstr(&ix->runs, "</td><td>");
	html_escape(&ix->runs, r->hostname);
	strbuf_addstr(&ix->runs, " (");
	html_escape(&ix->runs, r->target_kind);
	strbuf_addstr(&ix->runs, ")</td></tr>\n");
	return 0;
}

static int index_noise(const struct db_noise_row *r, void *data)
{
	struct index *ix = data;

	strbuf_addstr(&ix->noise, "<tr><td>");
	html_escape(&ix->noise, r->hostname);
	strbuf_addstr(&ix->noise, " (");
	html_escape(&ix->noise, r->target_kind);
	strbuf_addstr(&ix->noise, ")</td><td>");
	html_escape(&ix->noise, r->job_name);
	strbuf_addstr(&ix->noise, "</td><td>");
	html_escape(&ix->noise, r->metric);
	strbuf_addf(&ix->noise, "</td><td class=\"num\">%.1f%%</td><td class=\"num\">%lld</td><td>",
		    r->cv * 100, r->n);
	html_escape(&ix->noise, r->measured_at);
	strbuf_addstr(&ix->noise, "</td></tr>\n");
	return 0;
}

static const char cmp_head[] = "<table><tr><th>comparison</th><th>decided</th><th>baseline</th>"
	"<th>patched</th><th>regressions</th><th>improvements</th><th>inconclusive</th>"
	"<th>exact changed</th></tr>\n";

int site_write(struct db *db, const struct site_opts *o, struct site_stats *st)
{
	struct site s = { db, o, st, 0, NULL, STRVEC_INIT };
	struct index ix = { &s, STRVEC_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT,
			    STRBUF_INIT, 0, 0, 0, 0, "2000-01-01T00:00:00Z" };
	struct series_links links = { &s, STRBUF_INIT };
	struct strbuf page = STRBUF_INIT, plots = STRBUF_INIT, css = STRBUF_INIT;
	int failed;

	memset(st, 0, sizeof(*st));
	if (db_prepare_bulk_read(db))
		return -1;
	strbuf_addf(&plots, "%s/plots", o->dir);
	if (mkdir_p(plots.buf)) {
		error("cannot create '%s': %s", plots.buf, errstr());
		strbuf_release(&plots);
		return -1;
	}
	s.batch = plot_batch_new();
	strbuf_addstr(&css, html_css);
	if (put_file(&s, "style.css", &css) ||
	    db_list_comparisons(db, index_comparison, &ix) ||
	    db_list_run_rows(db, index_run, &ix) || db_list_noise(db, index_noise, &ix) ||
	    db_list_series_keys(db, history_page, &links))
		s.failed = 1;

	html_begin(&page, "pinbench");
	strbuf_addstr(&page, "<h1>pinbench</h1>\n<p><a href=\"regressions.atom\">Atom feed of "
		      "regressions</a></p>\n<h2>Open regressions</h2>\n<p>the newest comparison "
		      "of each baseline and patched kernel, when it found a regression</p>\n");
	if (ix.nopen) {
		strbuf_addstr(&page, cmp_head);
		strbuf_addbuf(&page, &ix.open);
		strbuf_addstr(&page, "</table>\n");
	} else {
		strbuf_addstr(&page, "<p>none</p>\n");
	}
	strbuf_addf(&page, "<h2>Latest comparisons</h2>\n%s", cmp_head);
	strbuf_addbuf(&page, &ix.latest);
	strbuf_addstr(&page, "</table>\n<h2>Latest runs</h2>\n<table><tr><th>run</th><th>kernel</th>"
		      "<th>release</th><th>state</th><th>started</th><th>machine</th></tr>\n");
	strbuf_addbuf(&page, &ix.runs);
	strbuf_addstr(&page, "</table>\n<h2>Machines and their A/A noise</h2>\n");
	if (ix.noise.len) {
		strbuf_addstr(&page, "<table><tr><th>machine</th><th>job</th><th>metric</th>"
			      "<th>CV</th><th>samples</th><th>calibrated</th></tr>\n");
		strbuf_addbuf(&page, &ix.noise);
		strbuf_addstr(&page, "</table>\n");
	} else {
		strbuf_addstr(&page, "<p>no machine calibrated yet (pinbench calibrate)</p>\n");
	}
	if (site_nightly(db, o->dir, st, &page))
		s.failed = 1;
	strbuf_addstr(&page, "<h2>History</h2>\n<ul>\n");
	strbuf_addbuf(&page, &links.list);
	strbuf_addstr(&page, "</ul>\n");
	html_end(&page);
	if (put_file(&s, "index.html", &page))
		s.failed = 1;

	strbuf_reset(&page);
	strbuf_addstr(&page, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		      "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>pinbench regressions"
		      "</title>\n<id>urn:pinbench:regressions</id>\n<updated>");
	html_escape(&page, ix.updated);
	strbuf_addstr(&page, "</updated>\n");
	strbuf_addbuf(&page, &ix.feed);
	strbuf_addstr(&page, "</feed>\n");
	if (put_file(&s, "regressions.atom", &page))
		s.failed = 1;

	failed = plot_batch_run(s.batch);
	st->plots_drawn = plot_batch_size(s.batch) - (size_t)failed;
	if (failed)
		s.failed = 1;
	plot_batch_free(s.batch);
	strvec_clear(&s.queued);
	strvec_clear(&ix.pairs);
	strbuf_release(&ix.open);
	strbuf_release(&ix.latest);
	strbuf_release(&ix.runs);
	strbuf_release(&ix.noise);
	strbuf_release(&ix.feed);
	strbuf_release(&links.list);
	strbuf_release(&page);
	strbuf_release(&plots);
	strbuf_release(&css);
	return s.failed ? -1 : 0;
}
