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
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
#include "runner/post.h"

struct post_cli {
	long long comparison;
	int send, retry;
	const char *output;
};

static int parse_post_options(int argc, char **argv, struct cli *cli, struct post_cli *o)
{
	struct option opts[CLI_MAX_OPTIONS + 1];
	char shortopts[CLI_SHORT_MAX];
	int opt, r;

	cli_getopt_tables("post", opts, shortopts);
	optind = 1;
	while ((opt = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
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


/* Does [mail] reply_all_domains allow this bare address: its domain or a parent listed? */
static int domain_allowed(const struct strvec *domains, const char *bare)
{
	const char *at = strrchr(bare, '@'), *d;
	size_t i, len, n;

	if (!at)
		return 0;
	d = at + 1;
	len = strlen(d);
	for (i = 0; i < domains->nr; i++) {
		const char *w = domains->v[i];

		if (!strcmp(w, "*"))
			return 1;
		w += *w == '@' || *w == '.';
		n = strlen(w);
		if (n && (len == n ? !strcasecmp(d, w) :
			  len > n && d[len - n - 1] == '.' && !strcasecmp(d + len - n, w)))
			return 1;
	}
	return 0;
}

/* What reply-all took from the patch mails and what it left out, and why. */
struct reply_all {
	struct strvec seen;	/* bare addresses, lower case: each counted once */
	size_t added, not_allowed, over_cap, unparsable;
};

static void reply_all_seen(struct reply_all *ra, const char *bare)
{
	char *lower = xstrdup(bare), *p;

	for (p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	strvec_push(&ra->seen, lower);
	free(lower);
}

static int reply_all_known(const struct reply_all *ra, const char *bare)
{
	size_t i;

	for (i = 0; i < ra->seen.nr; i++)
		if (!strcasecmp(ra->seen.v[i], bare))
			return 1;
	return 0;
}

/*
 * The addresses a patch mail chose, into dst, as far as the user's [mail]
 * policy lets them: only domains in reply_all_domains, at most
 * reply_all_max in all. A patch from a public list must not make pinbench
 * mail whomever it names.
 */
static void reply_all_add(const struct config *cfg, const struct strvec *from_patch,
			  struct strvec *dst, struct reply_all *ra)
{
	struct strbuf bare = STRBUF_INIT;
	size_t i;

	for (i = 0; i < from_patch->nr; i++) {
		strbuf_reset(&bare);
		/* an address that does not parse is left out rather than failing the mail */
		if (mail_address(from_patch->v[i], &bare)) {
			ra->unparsable++;
			continue;
		}
		if (reply_all_known(ra, bare.buf))
			continue;
		reply_all_seen(ra, bare.buf);
		if (!domain_allowed(&cfg->mail.reply_all_domains, bare.buf))
			ra->not_allowed++;
		else if (ra->added >= cfg->mail.reply_all_max)
			ra->over_cap++;
		else {
			strvec_push(dst, from_patch->v[i]);
			ra->added++;
		}
	}
	strbuf_release(&bare);
}

static void reply_all_say(const struct config *cfg, const struct reply_all *ra)
{
	size_t left = ra->not_allowed + ra->over_cap + ra->unparsable;

	info("reply_all: %zu address%s from the patch mails added, %zu left out", ra->added,
	     ra->added == 1 ? "" : "es", left);
	if (ra->not_allowed) {
		char *domains = strvec_join(&cfg->mail.reply_all_domains, ", ");

		warning("reply_all: %zu address%s outside [mail] reply_all_domains (%s) left out",
			ra->not_allowed, ra->not_allowed == 1 ? "" : "es",
			*domains ? domains : "empty: none allowed");
		free(domains);
	}
	if (ra->over_cap)
		warning("reply_all: %zu address%s over [mail] reply_all_max = %u left out",
			ra->over_cap, ra->over_cap == 1 ? "" : "es", cfg->mail.reply_all_max);
	if (ra->unparsable)
		warning("reply_all: %zu address%s that do%s not parse left out", ra->unparsable,
			ra->unparsable == 1 ? "" : "es", ra->unparsable == 1 ? "es" : "");
}

/* reply-all, as the kernel test robot does: the authors in To, the patch mails' To/Cc in Cc */
static void reply_all(const struct config *cfg, const struct thread *t, struct strvec *to,
		      struct strvec *cc)
{
	struct reply_all ra = { STRVEC_INIT, 0, 0, 0, 0 };
	struct strbuf bare = STRBUF_INIT;
	size_t i;

	/* the configured recipients are not the patch's to count */
	for (i = 0; i < to->nr + cc->nr; i++) {
		strbuf_reset(&bare);
		if (!mail_address(i < to->nr ? to->v[i] : cc->v[i - to->nr], &bare))
			reply_all_seen(&ra, bare.buf);
	}
	reply_all_add(cfg, &t->authors, to, &ra);
	reply_all_add(cfg, &t->cc, cc, &ra);
	reply_all_say(cfg, &ra);
	strbuf_release(&bare);
	strvec_clear(&ra.seen);
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
	int ret;

	memset(m, 0, sizeof(*m));
	if (!cfg->mail.to.nr)
		return error("[mail] to is empty in %s: whom should the result go to?",
			     cfg->file ? cfg->file : "the config");
	ret = report_comparison_text(cli, db, comparison, 0, &text, &c);
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
	if (cfg->mail.reply_all)
		reply_all(cfg, &t, &to, &cc);
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
	m->recipients = mail_recipients_json(&rcpts);
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

/*
 * As ssh treats a private key: a password file another user could read or
 * replace is refused. Checked on the descriptor that is then read, so the
 * file checked is the file read.
 */
static int read_password_file(const char *path, struct strbuf *out)
{
	struct stat st;
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC), ret = -1;

	if (fd < 0)
		return error("[mail] password_file '%s': %s", path, errstr());
	if (fstat(fd, &st)) {
		error("[mail] password_file '%s': %s", path, errstr());
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		error("[mail] password_file '%s' is not a regular file", path);
		goto out;
	}
	if (st.st_uid != geteuid()) {
		error("[mail] password_file '%s' is owned by uid %u, not by this user (uid %u): "
		      "refused", path, (unsigned)st.st_uid, (unsigned)geteuid());
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		error("[mail] password_file '%s' has mode %04o: group or others may use it; "
		      "refused (chmod 600 '%s')", path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error("[mail] password_file '%s': %s", path, errstr());
			goto out;
		}
		if (out->len + (size_t)n > sizeof(buf)) {
			error("[mail] password_file '%s' is longer than %zu bytes", path, sizeof(buf));
			goto out;
		}
		strbuf_add(out, buf, (size_t)n);
	}
	ret = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return ret;
}

/* The SMTP password: [mail] password_file, else $PINBENCH_SMTP_PASSWORD. */
static int smtp_password(const struct config *cfg, struct strbuf *out)
{
	const char *env = getenv("PINBENCH_SMTP_PASSWORD");
	char *path;

	if (*cfg->mail.password_file) {
		int ret;

		path = config_path(cfg, cfg->mail.password_file);
		ret = read_password_file(path, out);
		free(path);
		if (ret)
			return -1;
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
char *mail_recipients_json(const struct strvec *rcpts)
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

int post_send_mail(struct cli *cli, struct db *db, long long id)
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
		error("mail %lld not sent, kept in the outbox for 'pinbench post --retry': %s", id,
		      why.buf);
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
		failed += post_send_mail(cli, db, ids[i]) != 0;
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
		code = post_send_mail(cli, db, id) ? EXIT_INFRA : EXIT_OK;
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
