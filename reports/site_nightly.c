// SPDX-License-Identifier: GPL-2.0-only
/*
 * The site's nightly pages (reports/site-internal.h): one per branch with
 * its change points (suspected, confirmed, bisected: the first bad commit)
 * and its nights, newest first; the index links them. Commit subjects and
 * authors come from the branch's repository: every one is escaped.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/strvec.h"
#include "reports/html.h"
#include "reports/site-internal.h"

struct nightly_site {
	struct db *db;
	const char *dir;
	struct site_stats *st;
	struct strbuf *index;
	int failed;
};

static void commit_cell(struct strbuf *out, const char *commit, const char *subject)
{
	char abbrev[13];

	snprintf(abbrev, sizeof(abbrev), "%s", commit);
	strbuf_addstr(out, "<td><code>");
	html_escape(out, abbrev);
	strbuf_addstr(out, "</code> ");
	html_escape(out, subject);
	strbuf_addstr(out, "</td>");
}

static int change_point_row(const struct db_change_point *cp, void *data)
{
	struct strbuf *out = data;

	strbuf_addf(out, "<tr class=\"%s\"><td>%s %s</td><td>", cp->direction, cp->state,
		    cp->direction);
	html_escape(out, cp->job_name);
	strbuf_addstr(out, "</td><td>");
	html_escape(out, cp->metric);
	strbuf_addf(out, "</td><td>%.6g &rarr; %.6g", cp->before, cp->after);
	if (!strcmp(cp->kind, "exact"))
		strbuf_addf(out, " (%+.4g)", cp->magnitude);
	else
		strbuf_addf(out, " (%+.1f %%, CI %+.1f .. %+.1f %%, p %.2g)", 100 * cp->magnitude,
			    100 * cp->ci_lo, 100 * cp->ci_hi, cp->p);
	strbuf_addstr(out, "</td>");
	commit_cell(out, cp->good_commit, cp->good_subject);
	commit_cell(out, cp->bad_commit, cp->bad_subject);
	if (*cp->culprit) {
		commit_cell(out, cp->culprit, cp->culprit_subject);
		strbuf_setlen(out, out->len - strlen("</td>"));
		strbuf_addf(out, " (%s)</td>", cp->verified ? "verified" : "not verified");
	} else {
		strbuf_addstr(out, "<td>");
		html_escape(out, *cp->bisect_state ? cp->bisect_state : "not bisected");
		strbuf_addstr(out, "</td>");
	}
	strbuf_addstr(out, "</tr>\n");
	return 0;
}

struct night_rows {
	struct strvec rows;	/* oldest first, as read; the page lists them newest first */
};

static int night_row(const struct db_night *n, void *data)
{
	struct night_rows *r = data;
	struct strbuf row = STRBUF_INIT;

	strbuf_addf(&row, "<tr><td>%lld</td>", n->id);
	commit_cell(&row, n->commit, n->subject);
	strbuf_addstr(&row, "<td>");
	html_escape(&row, n->state);
	if (*n->reason) {
		strbuf_addstr(&row, ": ");
		html_escape(&row, n->reason);
	}
	strbuf_addstr(&row, "</td><td>");
	if (n->run)
		strbuf_addf(&row, "%lld", n->run);
	strbuf_addstr(&row, "</td><td>");
	html_escape(&row, n->started);
	strbuf_addstr(&row, "</td></tr>\n");
	strvec_push(&r->rows, row.buf);
	strbuf_release(&row);
	return 0;
}

/* a file name of the branch's own: its name is checked as a kernel's, [A-Za-z0-9._+-] */
static int branch_page(const char *branch, long long nights, long long measured,
		       const char *last, void *data)
{
	struct nightly_site *ns = data;
	struct strbuf page = STRBUF_INIT, title = STRBUF_INIT, name = STRBUF_INIT;
	struct night_rows nr = { STRVEC_INIT };
	size_t mark, i;

	strbuf_addf(&name, "branch-%s.html", branch);
	strbuf_addf(&title, "pinbench: branch %s", branch);
	html_begin(&page, title.buf);
	strbuf_addstr(&page, "<p><a href=\"index.html\">pinbench</a></p>\n<h1>branch ");
	html_escape(&page, branch);
	strbuf_addf(&page, "</h1>\n<p>%lld nights, %lld measured; the newest began ", nights,
		    measured);
	html_escape(&page, last);
	strbuf_addstr(&page, "</p>\n<h2>Change points</h2>\n<p>an exact count that steps between "
		      "two nights is confirmed as found; a noisy series' step is suspected</p>\n"
		      "<table><tr><th>state</th><th>job</th><th>metric</th><th>step</th>"
		      "<th>last good</th><th>first bad</th><th>first bad commit</th></tr>\n");
	mark = page.len;
	if (db_change_points(ns->db, branch, change_point_row, &page))
		ns->failed = 1;
	if (page.len == mark)
		strbuf_addstr(&page, "<tr><td colspan=\"7\">none</td></tr>\n");
	strbuf_addstr(&page, "</table>\n<h2>Nights</h2>\n<table><tr><th>night</th><th>commit"
		      "</th><th>state</th><th>run</th><th>began</th></tr>\n");
	if (db_nights(ns->db, branch, night_row, &nr))
		ns->failed = 1;
	for (i = nr.rows.nr; i > 0; i--)
		strbuf_addstr(&page, nr.rows.v[i - 1]);
	strbuf_addstr(&page, "</table>\n");
	html_end(&page);
	if (site_put_file(ns->dir, ns->st, name.buf, &page))
		ns->failed = 1;
	strbuf_addstr(ns->index, "<li><a href=\"");
	html_escape(ns->index, name.buf);
	strbuf_addstr(ns->index, "\">");
	html_escape(ns->index, branch);
	strbuf_addf(ns->index, "</a>: %lld nights, %lld measured</li>\n", nights, measured);
	strbuf_release(&page);
	strbuf_release(&title);
	strbuf_release(&name);
	strvec_clear(&nr.rows);
	return 0;
}

int site_nightly(struct db *db, const char *dir, struct site_stats *st, struct strbuf *index)
{
	struct strbuf list = STRBUF_INIT;
	struct nightly_site ns = { db, dir, st, &list, 0 };

	if (db_list_branches(db, branch_page, &ns))
		ns.failed = 1;
	if (list.len) {
		strbuf_addstr(index, "<h2>Nightly branches</h2>\n<ul>\n");
		strbuf_addbuf(index, &list);
		strbuf_addstr(index, "</ul>\n");
	}
	strbuf_release(&list);
	return ns.failed ? -1 : 0;
}
