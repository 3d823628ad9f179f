// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinbench post COMPARISON [--send] [-o FILE] | post --retry
 *
 * The result mail of a stored comparison, threaded under the patch (the
 * In-Reply-To/References of the patched kernel's patches, stored with its
 * build). By default only an .eml is written, so nothing is sent by
 * accident. --send queues the mail in the database's outbox and sends it
 * over SMTP (common/net.c); a failed send stays queued for --retry. A mail
 * is composed once per comparison and keeps its Message-ID: a retry sends
 * the same bytes, and a mail that was sent is not sent again.
 * Exit: 0, 2 usage or config, 3 database, composing or sending failed.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "common/net.h"
#include "common/strbuf.h"
#include "common/strvec.h"
#include "db/db.h"
#include "reports/compare.h"
#include "reports/mail.h"
#include "reports/report.h"
#include "runner/cli.h"

struct post_cli {
	long long comparison;
	int send, retry;
	const char *output;
};

static int parse_post_options(int argc, char **argv, struct cli *cli, struct post_cli *o)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "send", no_argument, NULL, 's' },
		{ "retry", no_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, r;

	optind = 1;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT "o:", opts, NULL)) != -1) {
		r = cli_common_option(cli, opt, optarg, "post");
		if (r < 0)
			return 1;
		if (r)
			continue;
		switch (opt) {
		case 's': o->send = 1; break;
		case 'r': o->retry = 1; break;
		case 'o': o->output = optarg; break;
		default:
			cli_usage("post", stderr);
			return -1;
		}
	}
	if (o->retry) {
		if (optind < argc || o->send || o->output)
			return error("post --retry sends what is queued: it takes nothing else");
		return 0;
	}
	if (argc - optind != 1)
		return error("post needs one comparison number (or --retry)");
	return cli_parse_id("comparison", argv[optind], &o->comparison);
}

/* What the mail is threaded under and who wrote the patches. */
struct thread {
	struct strbuf subject, cover_id, patch_id;
	struct strvec authors, cc;	/* the patches' authors; whom the patch mails went to */
};

static void add_recipients(struct strvec *cc, const char *lines)
{
	struct strbuf one = STRBUF_INIT;
	const char *p = lines;

	while (*p) {
		const char *nl = strchrnul(p, '\n');

		strbuf_reset(&one);
		strbuf_add(&one, p, (size_t)(nl - p));
		if (one.len && !strvec_contains(cc, one.buf))
			strvec_push(cc, one.buf);
		p = *nl ? nl + 1 : nl;
	}
	strbuf_release(&one);
}

static int note_patch(const struct db_patch_row *p, void *data)
{
	struct thread *t = data;

	add_recipients(&t->cc, p->recipients);
	if (!p->seq) {
		strbuf_reset(&t->cover_id);
		strbuf_addstr(&t->cover_id, p->message_id);
		return 0;
	}
	/* the series' last patch is what the patched kernel is: reply to it */
	strbuf_reset(&t->subject);
	strbuf_addstr(&t->subject, p->subject);
	strbuf_reset(&t->patch_id);
	strbuf_addstr(&t->patch_id, p->message_id);
	if (*p->author && !strvec_contains(&t->authors, p->author))
		strvec_push(&t->authors, p->author);
	return 0;
}

static char *recipients_json(const struct strvec *rcpts)
{
	json_t *a = json_array();
	char *s;
	size_t i;

	for (i = 0; i < rcpts->nr; i++)
		json_array_append_new(a, json_string(rcpts->v[i]));
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

/* Compose the mail of a comparison into m (not yet stored). */
static int compose(struct cli *cli, struct db *db, long long comparison, struct db_mail *m)
{
	const struct config *cfg = &cli->cfg;
	struct thread t = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRVEC_INIT, STRVEC_INIT };
	struct strbuf text = STRBUF_INIT, verdict = STRBUF_INIT, msg = STRBUF_INIT;
	struct strbuf subject = STRBUF_INIT, from = STRBUF_INIT;
	struct strvec to = STRVEC_INIT, cc = STRVEC_INIT, refs = STRVEC_INIT, rcpts = STRVEC_INIT;
	struct comparison c;
	struct mail_input in;
	char *message_id = NULL;
	size_t i;
	int ret;

	memset(m, 0, sizeof(*m));
	if (!cfg->mail.to.nr)
		return error("[mail] to is empty in %s: whom should the result go to?",
			     cfg->file ? cfg->file : "the config");
	ret = report_comparison_text(cli, db, comparison, &text, &c);
	if (ret)
		return ret > 0 ? 1 : -1;
	report_verdict_phrase(&c, &verdict);
	/* with a public site, the mail links the comparison's page (plots, history) */
	if (*cfg->report.base_url)
		strbuf_addf(&text, "\nplots and details: %s%scomparison-%lld.html\n",
			    cfg->report.base_url,
			    ends_with(cfg->report.base_url, "/") ? "" : "/", comparison);
	ret = db_run_patch_rows(db, c.run_b, note_patch, &t);
	comparison_release(&c);
	if (ret)
		goto out;
	strvec_pushv(&to, (const char *const *)cfg->mail.to.v);
	strvec_pushv(&cc, (const char *const *)cfg->mail.cc.v);
	/*
	 * reply-all, as the kernel test robot does: the authors in To, and
	 * whom the patch mails went to in Cc (an address that does not parse
	 * is left out rather than failing the mail)
	 */
	for (i = 0; cfg->mail.reply_all && i < t.authors.nr; i++)
		if (!mail_address(t.authors.v[i], &from)) {
			strvec_push(&to, t.authors.v[i]);
			strbuf_reset(&from);
		}
	for (i = 0; cfg->mail.reply_all && i < t.cc.nr; i++)
		if (!mail_address(t.cc.v[i], &from)) {
			strvec_push(&cc, t.cc.v[i]);
			strbuf_reset(&from);
		}
	if (t.cover_id.len)
		strvec_push(&refs, t.cover_id.buf);
	in = (struct mail_input){
		.from = cfg->mail.from, .to = &to, .cc = &cc,
		.patch_subject = t.subject.buf, .verdict = verdict.buf,
		.in_reply_to = t.patch_id.len ? t.patch_id.buf : NULL,
		.references = refs.nr ? &refs : NULL, .body = text.buf,
		.domain = cfg->mail.domain, .date = time(NULL),
	};
	ret = -1;
	if (mail_compose(&in, &msg, &message_id) || mail_envelope(&in, &from, &rcpts))
		goto out;
	mail_subject(t.subject.buf, verdict.buf, &subject);
	m->comparison = comparison;
	m->message_id = message_id;
	message_id = NULL;
	m->sender = strbuf_detach(&from, NULL);
	m->recipients = recipients_json(&rcpts);
	m->subject = strbuf_detach(&subject, NULL);
	m->message = strbuf_detach(&msg, &m->len);
	ret = 0;
out:
	free(message_id);
	strbuf_release(&t.subject);
	strbuf_release(&t.cover_id);
	strbuf_release(&t.patch_id);
	strvec_clear(&t.authors);
	strvec_clear(&t.cc);
	strvec_clear(&cc);
	strbuf_release(&text);
	strbuf_release(&verdict);
	strbuf_release(&msg);
	strbuf_release(&subject);
	strbuf_release(&from);
	strvec_clear(&to);
	strvec_clear(&refs);
	strvec_clear(&rcpts);
	return ret;
}

/* The SMTP password: [mail] password_file, else $PINBENCH_SMTP_PASSWORD. */
static int smtp_password(const struct config *cfg, struct strbuf *out)
{
	const char *env = getenv("PINBENCH_SMTP_PASSWORD");
	char *path;

	if (*cfg->mail.password_file) {
		path = config_path(cfg, cfg->mail.password_file);
		if (strbuf_read_file(out, path, 4096)) {
			error("[mail] password_file '%s': %s", path, errstr());
			free(path);
			return -1;
		}
		free(path);
		strbuf_rtrim(out);
		return 0;
	}
	if (env) {
		strbuf_addstr(out, env);
		return 0;
	}
	return error("[mail] user is set but there is no password: set [mail] password_file or "
		     "PINBENCH_SMTP_PASSWORD");
}

static int tls_mode(const char *s)
{
	return !strcmp(s, "off") ? SMTP_TLS_NONE :
	       !strcmp(s, "required") ? SMTP_TLS_REQUIRED : SMTP_TLS_TRY;
}

/* Send one stored mail; it ends "sent", or "queued" with the reason. */
static int send_mail(struct cli *cli, struct db *db, long long id)
{
	const struct config *cfg = &cli->cfg;
	struct strbuf password = STRBUF_INIT, reply = STRBUF_INIT, why = STRBUF_INIT;
	struct strvec rcpts = STRVEC_INIT;
	struct smtp_opts so = { cfg->mail.smtp_url, NULL, NULL, tls_mode(cfg->mail.tls), 0 };
	struct db_mail m;
	json_t *a;
	size_t i;
	int ret = -1;

	if (db_mail_get(db, id, &m))
		return error("cannot read mail %lld from the outbox", id);
	a = json_loads(m.recipients, 0, NULL);
	for (i = 0; a && i < json_array_size(a); i++)
		strvec_push(&rcpts, json_string_value(json_array_get(a, i)));
	json_decref(a);
	if (*cfg->mail.user) {
		if (smtp_password(cfg, &password))
			goto out;
		so.user = cfg->mail.user;
		so.password = password.buf;
	}
	if (db_mail_set_state(db, id, "sending", NULL, NULL))
		goto out;
	if (net_smtp_send(&so, m.sender, &rcpts, m.message, m.len, &reply, &why)) {
		db_mail_set_state(db, id, "queued", why.buf, NULL);
		error("mail %lld (comparison %lld) not sent, kept in the outbox for "
		      "'pinbench post --retry': %s", id, m.comparison, why.buf);
		goto out;
	}
	if (db_mail_set_state(db, id, "sent", NULL, reply.buf))
		goto out;
	printf("mail %lld <%s> sent to", id, m.message_id);
	for (i = 0; i < rcpts.nr; i++)
		printf("%s %s", i ? "," : "", rcpts.v[i]);
	printf("\n%s: %s\n", cfg->mail.smtp_url, reply.buf);
	ret = 0;
out:
	/* the password is not left lying around in freed memory */
	if (password.len)
		memset(password.buf, 0, password.len);
	strbuf_release(&password);
	strbuf_release(&reply);
	strbuf_release(&why);
	strvec_clear(&rcpts);
	db_mail_release(&m);
	return ret;
}

static int retry_all(struct cli *cli, struct db *db)
{
	long long *ids;
	size_t nr, i, failed = 0;

	if (db_mail_pending(db, &ids, &nr))
		return EXIT_INFRA;
	if (!nr)
		printf("no mail waiting in the outbox\n");
	for (i = 0; i < nr; i++)
		failed += send_mail(cli, db, ids[i]) != 0;
	free(ids);
	return failed ? EXIT_INFRA : EXIT_OK;
}

static int write_eml(struct cli *cli, const struct post_cli *o, const struct db_mail *m,
		     struct strbuf *path)
{
	if (o->output) {
		strbuf_addstr(path, o->output);
	} else {
		char *dir = config_path(&cli->cfg, cli->cfg.reports_dir);

		strbuf_addf(path, "%s/comparison-%lld.eml", dir, o->comparison);
		free(dir);
	}
	if (mkdir_parents(path->buf) || write_file_atomic(path->buf, m->message, m->len))
		return error("cannot write '%s': %s", path->buf, errstr());
	return 0;
}

static int post(struct cli *cli, struct db *db, const struct post_cli *o)
{
	struct strbuf path = STRBUF_INIT;
	struct db_mail m;
	long long id;
	int r = db_mail_of_comparison(db, o->comparison, &m), code = EXIT_INFRA;

	if (r < 0)
		return EXIT_INFRA;
	if (r > 0) {
		/* first post of this comparison: compose it once, for good */
		r = compose(cli, db, o->comparison, &m);
		if (r)
			return r > 0 ? EXIT_USAGE : EXIT_INFRA;
		m.state = xstrdup(o->send ? "queued" : "written");
		if (write_eml(cli, o, &m, &path))
			goto out;
		m.eml = xstrdup(path.buf);
		if (db_mail_add(db, &m, &id))
			goto out;
	} else {
		id = m.id;
		if (!strcmp(m.state, "sent") && o->send) {
			error("comparison %lld was mailed on %s as <%s>: it is not sent twice",
			      o->comparison, m.sent_at, m.message_id);
			code = EXIT_USAGE;
			goto out;
		}
		if (write_eml(cli, o, &m, &path))
			goto out;
		if (o->send && !strcmp(m.state, "written") &&
		    db_mail_set_state(db, id, "queued", NULL, NULL))
			goto out;
	}
	printf("mail %lld for comparison %lld: %s\n  Subject: %s\n  Message-ID: <%s>\n", id,
	       o->comparison, path.buf, m.subject, m.message_id);
	code = EXIT_OK;
	if (o->send)
		code = send_mail(cli, db, id) ? EXIT_INFRA : EXIT_OK;
	else
		printf("  not sent: 'pinbench post %lld --send' sends it\n", o->comparison);
out:
	strbuf_release(&path);
	db_mail_release(&m);
	return code;
}

int cmd_post(int argc, char **argv, struct cli *cli)
{
	struct post_cli o = { 0 };
	struct db *db;
	int ret;

	ret = parse_post_options(argc, argv, cli, &o);
	if (ret)
		return ret > 0 ? EXIT_OK : EXIT_USAGE;
	if (cli_setup(cli))
		return EXIT_USAGE;
	ret = cli_open_existing_db(cli, &db);
	if (ret)
		return ret;
	ret = o.retry ? retry_all(cli, db) : post(cli, db, &o);
	db_close(db);
	return ret;
}
