// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mail of a confirmed nightly regression, as the kernel test robot
 * writes one: "[pinbench] [BRANCH] SHA12: JOB METRIC +X regression", the
 * first bad commit (bisected and verified where it could be), the step,
 * the series around it, the bisect log and how to reproduce it; threaded
 * under the commit's patch mail when the commit names its Message-Id.
 * Composed once per change point and kept in the outbox; written as an
 * .eml beside the comparisons' reports; sent only when asked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "reports/mail.h"
#include "runner/nightly.h"
#include "runner/post.h"

struct series_ctx {
	struct db *db;
	const struct db_change_point *cp;
	struct strbuf *out;
	long long from, to;	/* the nights shown */
};

/* a line per measured night near the step: night, commit, value */
static int series_line(const struct db_night *n, void *data)
{
	struct series_ctx *s = data;
	double v;

	if (n->id < s->from || n->id > s->to)
		return 0;
	if (strcmp(n->state, "measured")) {
		strbuf_addf(s->out, "  night %-4lld %.12s  %s\n", n->id, n->commit, n->state);
		return 0;
	}
	v = nightly_run_value(s->db, n->run, s->cp->job_name, s->cp->metric);
	strbuf_addf(s->out, "  night %-4lld %.12s  %-12.6g%s\n", n->id, n->commit, v,
		    n->id == s->cp->bad_night ? "  <- first bad" :
		    n->id == s->cp->good_night ? "  <- last good" : "");
	return 0;
}


static void body(struct db *db, const struct branch_cfg *b, const char *repo,
		 const struct nightly_regression *r, struct strbuf *out)
{
	const struct db_change_point *cp = r->cp;
	struct series_ctx s = { db, cp, out, cp->good_night - 3, cp->bad_night + 3 };
	char host[256];
	size_t i;

	if (gethostname(host, sizeof(host)))
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	strbuf_addf(out, "pinbench found a regression on branch %s (%s) on %s.\n\n", b->name,
		    b->source, host);
	if (r->culprit) {
		strbuf_addf(out, "first bad commit: %s\n  %s\n  author: %s\n", r->culprit,
			    r->subject, r->author);
		if (r->link && *r->link)
			strbuf_addf(out, "  link: %s\n", r->link);
		strbuf_addf(out, "  bisected in %u step%s; %s\n\n", r->steps,
			    r->steps == 1 ? "" : "s", r->verified ?
			    "verified: its parent measured good and it bad again" :
			    "NOT verified: measured again, its parent and it did not agree");
	} else {
		strbuf_addf(out, "the step is between %.12s (last good) and %.12s (first bad); "
			    "not bisected to one commit\n\n", cp->good_commit, cp->bad_commit);
	}
	strbuf_addf(out, "%s\n  %s: %.2f -> %.2f (%+.2f), an exact count: it changes only "
		    "when the code does\n\n", cp->job_name, cp->metric, cp->before, cp->after,
		    cp->after - cp->before);
	strbuf_addf(out, "the series (median of each night's repetitions):\n");
	db_nights(db, b->name, series_line, &s);
	if (r->log && *r->log) {
		strbuf_addstr(out, "\nbisect log:\n");
		for (i = 0; r->log[i];) {
			size_t len = strcspn(r->log + i, "\n");

			strbuf_addf(out, "  %.*s\n", (int)len, r->log + i);
			i += len + (r->log[i + len] == '\n');
		}
	}
	strbuf_addf(out, "\nto reproduce, with these sections in a config.ini:\n"
		    "  [kernel good]\n  source = git:%s@%s\n", repo,
		    r->culprit && r->parent ? r->parent : cp->good_commit);
	for (i = 0; i < b->configs.nr; i++)
		strbuf_addf(out, "  %s %s\n", i ? "         " : "configs =", b->configs.v[i]);
	strbuf_addf(out, "  [kernel bad]\n  source = git:%s@%s\n", repo,
		    r->culprit ? r->culprit : cp->bad_commit);
	for (i = 0; i < b->configs.nr; i++)
		strbuf_addf(out, "  %s %s\n", i ? "         " : "configs =", b->configs.v[i]);
	strbuf_addf(out, "  pinbench compare --baseline good --patched bad\n");
}

int nightly_mail(struct cli *cli, struct db *db, const struct branch_cfg *b, const char *repo,
		 const struct nightly_regression *r, int send)
{
	const struct config *cfg = &cli->cfg;
	const struct db_change_point *cp = r->cp;
	struct strbuf text = STRBUF_INIT, verdict = STRBUF_INIT, where = STRBUF_INIT;
	struct strbuf msg = STRBUF_INIT, from = STRBUF_INIT, subject = STRBUF_INIT;
	struct strbuf path = STRBUF_INIT;
	struct strvec rcpts = STRVEC_INIT;
	struct db_mail m = { 0 };
	struct mail_input in;
	const char *msgid = NULL;
	char *message_id = NULL, *dir;
	long long id;
	int ret = -1;

	if (!cfg->mail.to.nr) {
		info("nightly: [mail] to is empty: no mail for the regression of %s", b->name);
		return 0;
	}
	/* LKP's form: "[BRANCH] SHA: METRIC CHANGE regression", the culprit's when bisected */
	strbuf_addf(&where, "[%s] %.12s", b->name, r->culprit ? r->culprit : cp->bad_commit);
	strbuf_addf(&verdict, "%s %s %+.2f regression", cp->job_name, cp->metric,
		    cp->after - cp->before);
	body(db, b, repo, r, &text);
	if (r->link && starts_with(r->link, "https://lore.kernel.org/r/"))
		msgid = r->link + strlen("https://lore.kernel.org/r/");
	in = (struct mail_input){
		.from = cfg->mail.from, .to = &cfg->mail.to, .cc = &cfg->mail.cc,
		.patch_subject = where.buf, .verdict = verdict.buf, .in_reply_to = msgid,
		.references = NULL, .body = text.buf, .domain = cfg->mail.domain,
		.date = time(NULL),
	};
	if (mail_compose(&in, &msg, &message_id) || mail_envelope(&in, &from, &rcpts))
		goto out;
	mail_subject(where.buf, verdict.buf, &subject);
	dir = config_path(cfg, cfg->reports_dir);
	strbuf_addf(&path, "%s/change-point-%lld.eml", dir, cp->id);
	free(dir);
	if (mkdir_parents(path.buf) || write_file_atomic(path.buf, msg.buf, msg.len)) {
		error("cannot write '%s': %s", path.buf, errstr());
		goto out;
	}
	m.change_point = cp->id;
	m.message_id = message_id;
	m.sender = from.buf;
	m.recipients = mail_recipients_json(&rcpts);
	m.subject = subject.buf;
	m.message = msg.buf;
	m.len = msg.len;
	m.eml = path.buf;
	m.state = send ? "queued" : "written";
	if (db_mail_add(db, &m, &id))
		goto out;
	printf("%s: mail %lld: %s\n  Subject: %s\n", b->name, id, path.buf, subject.buf);
	ret = 0;
	if (send)
		ret = post_send_mail(cli, db, id);
	else
		printf("  not sent: nightly --send sends the mails it composes\n");
out:
	free(message_id);
	free(m.recipients);
	strbuf_release(&text);
	strbuf_release(&verdict);
	strbuf_release(&where);
	strbuf_release(&msg);
	strbuf_release(&from);
	strbuf_release(&subject);
	strbuf_release(&path);
	strvec_clear(&rcpts);
	return ret;
}
