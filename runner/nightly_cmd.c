// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinbench nightly: for each [branch NAME], fetch, read the head; unless
 * this host measured that commit already, build it (incrementally: a git
 * source keeps one object tree per repository), run the matrix on it
 * through the qemu target as `run` does, record the night, and look for
 * change points in the branch's series (reports/nightseries.h).
 *
 * One nightly at a time per store: a lock file beside the database. A
 * nightly that stopped (killed, the machine rebooted) left its night
 * "building": the next one marks it interrupted and, its commit never
 * measured, measures it again.
 *
 * Exit: 1 a new confirmed regression was found; else 3 when a night's
 * fetch, build or boot failed (the other branches go on), 0 when none did;
 * 2 usage.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/log.h"
#include "common/spawn.h"
#include "common/strbuf.h"
#include "common/untrusted.h"
#include "db/db.h"
#include "reports/nightseries.h"
#include "runner/cli.h"
#include "runner/nightly.h"

struct nightly_cli {
	struct strvec branches;	/* --branch, in order; none: every [branch] */
	int dry_run, force, send;
};

/* Returns 0 to go on, 1 after --help, -1 on a usage error (printed). */
static int parse_nightly_options(int argc, char **argv, struct cli *cli, struct nightly_cli *o)
{
	struct option opts[CLI_MAX_OPTIONS + 1];
	char shortopts[CLI_SHORT_MAX];
	int opt, r;

	cli_getopt_tables("nightly", opts, shortopts);
	optind = 1;
	while ((opt = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		r = cli_common_option(cli, opt, optarg, "nightly");
		if (r < 0)
			return 1;
		if (r)
			continue;
		switch (opt) {
		case 'B': strvec_push(&o->branches, optarg); break;
		case 'n': o->dry_run = 1; break;
		case 'f': o->force = 1; break;
		case 's': o->send = 1; break;
		default:
			cli_usage("nightly", stderr);
			return -1;
		}
	}
	if (optind < argc)
		return error("nightly: unexpected argument '%s'", argv[optind]);
	return 0;
}

struct head {
	struct strbuf repo, ref, commit, subject;
};

/* git:PATH@BRANCH: the repository and the branch (the config checked the form) */
static void split_source(const char *source, struct head *h)
{
	const char *rest = source + strlen("git:");
	const char *at = strrchr(rest, '@');

	strbuf_add(&h->repo, rest, (size_t)(at - rest));
	strbuf_addstr(&h->ref, at + 1);
}

/* Fetch when configured, then the branch's head commit and its subject. */
static int read_head(const struct branch_cfg *b, struct head *h)
{
	struct strbuf why = STRBUF_INIT, spec = STRBUF_INIT, esc = STRBUF_INIT;
	int ret = -1;

	split_source(b->source, h);
	if (h->ref.buf[0] == '-') {
		error("[branch %s] source: '%s' is not a branch", b->name, h->ref.buf);
		goto out;
	}
	if (b->fetch) {
		info("nightly: %s: git fetch %s in %s", b->name, b->fetch, h->repo.buf);
		if (nightly_git(h->repo.buf, (const char *const[]){ "fetch", "--quiet", "--", b->fetch,
							    NULL }, NULL, &why)) {
			error("[branch %s]: git fetch %s failed: %s", b->name, b->fetch,
			      untrusted(&esc, why.buf));
			goto out;
		}
	}
	strbuf_addf(&spec, "%s^{commit}", h->ref.buf);
	if (nightly_git(h->repo.buf, (const char *const[]){ "rev-parse", "--verify", "--quiet",
						    "--end-of-options", spec.buf, NULL },
		&h->commit, &why) || h->commit.len != 40) {
		error("[branch %s] source: '%s' is not a commit in %s%s%s", b->name, h->ref.buf,
		      h->repo.buf, why.len ? ": " : "", untrusted(&esc, why.buf));
		goto out;
	}
	/* the subject is the repository's text: one clean line before it is shown or stored */
	if (nightly_git_line(h->repo.buf, h->commit.buf, "%s", &h->subject))
		goto out;
	ret = 0;
out:
	strbuf_release(&why);
	strbuf_release(&spec);
	strbuf_release(&esc);
	return ret;
}

static void head_release(struct head *h)
{
	strbuf_release(&h->repo);
	strbuf_release(&h->ref);
	strbuf_release(&h->commit);
	strbuf_release(&h->subject);
}

/* The lock beside the database: one nightly per store. -1 when another holds it. */
static int take_lock(const char *db_path, int *fd)
{
	struct strbuf path = STRBUF_INIT;
	int ret = 0;

	strbuf_addf(&path, "%s.nightly.lock", db_path);
	*fd = open(path.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0) {
		ret = error("cannot open the nightly lock '%s': %s", path.buf, errstr());
	} else if (flock(*fd, LOCK_EX | LOCK_NB)) {
		ret = error("another pinbench nightly holds '%s' (one nightly at a time per "
			    "database): not started", path.buf);
		close(*fd);
		*fd = -1;
	}
	strbuf_release(&path);
	return ret;
}

struct night_ctx {
	struct cli *cli;
	struct nightly_cli *o;
	char **argv;
	size_t regressions;
	int infra;
};

/* Build and run one night of b at h's commit; record how it ended. */
static int measure(struct night_ctx *x, struct db *db, const struct branch_cfg *b,
		   const struct head *h, long long night)
{
	struct measure_outcome m;
	struct strbuf esc = STRBUF_INIT;
	int code = nightly_measure(x->cli, db, b, h->repo.buf, h->commit.buf, b->name, NULL,
				   x->argv, &m);

	if (db_night_finish(db, night, m.run, m.state, m.reason.buf))
		code = EXIT_INFRA;
	if (strcmp(m.state, "measured")) {
		warning("nightly: %s at %.12s: %s, no point of the series (%s)", b->name,
			h->commit.buf, m.state, untrusted(&esc, m.reason.buf));
		x->infra = 1;
	} else {
		info("nightly: %s at %.12s: measured (run %lld)", b->name, h->commit.buf, m.run);
	}
	measure_outcome_release(&m);
	strbuf_release(&esc);
	return code;
}

static int find_change_points(struct night_ctx *x, struct db *db, const struct branch_cfg *b,
			      long long *first_added)
{
	struct nightseries_opts so = { .cp = CP_OPTS_DEFAULT, .cmp = COMPARE_OPTS_DEFAULT };
	struct nightseries_result res;
	const struct config *cfg = &x->cli->cfg;

	so.cp.window = cfg->nightly.window;
	so.cp.max_p = cfg->nightly.max_p;
	so.cp.min_segment = cfg->nightly.min_segment;
	so.cmp.throughput_threshold = cfg->throughput_threshold;
	so.cmp.latency_threshold = cfg->latency_threshold;
	so.cmp.cost_tolerance = cfg->cost_tolerance;
	so.cmp.cost_fn_tolerance = cfg->cost_fn_tolerance;
	printf("%s: change points\n", b->name);
	if (nightseries_update(db, b->name, &so, stdout, &res))
		return -1;
	printf("%s: %zu measured night%s, %zu series, %zu new change point%s (%zu in all)\n",
	       b->name, res.nights, res.nights == 1 ? "" : "s", res.series, res.added,
	       res.added == 1 ? "" : "s", res.found);
	x->regressions += res.regressions;
	*first_added = res.first_added;
	return 0;
}

/* A change point to bisect, its strings owned (the row's die with the statement). */
struct to_bisect {
	struct db_change_point cp;
	char *job_name, *metric, *good, *bad;
};

struct bisect_list {
	long long first;
	struct to_bisect *v;
	size_t nr;
};

static int pick_bisect(const struct db_change_point *cp, void *data)
{
	struct bisect_list *l = data;
	struct to_bisect *t;

	/* a new confirmed step of a count up; noisy ones are suspected until confirmed */
	if (cp->id < l->first || strcmp(cp->kind, "exact") || strcmp(cp->state, "confirmed") ||
	    strcmp(cp->direction, "regression"))
		return 0;
	l->v = xrealloc(l->v, (l->nr + 1) * sizeof(*l->v));
	t = &l->v[l->nr++];
	t->cp = *cp;
	t->cp.job_name = t->job_name = xstrdup(cp->job_name);
	t->cp.metric = t->metric = xstrdup(cp->metric);
	t->cp.good_commit = t->good = xstrdup(cp->good_commit);
	t->cp.bad_commit = t->bad = xstrdup(cp->bad_commit);
	t->cp.branch = NULL;
	t->cp.unit = t->cp.kind = t->cp.direction = t->cp.state = t->cp.found_at = NULL;
	t->cp.good_subject = t->cp.bad_subject = NULL;
	return 0;
}

/* Bisect each new confirmed regression of b (its first bad commit, verified). */
static int bisect_new(struct night_ctx *x, struct db *db, const struct branch_cfg *b,
		      const char *repo, long long first_added)
{
	struct bisect_list l = { first_added, NULL, 0 };
	size_t i;
	int ret = 0;

	if (!first_added || !x->cli->cfg.nightly.bisect_steps)
		return 0;
	if (db_change_points(db, b->name, pick_bisect, &l))
		return -1;
	for (i = 0; i < l.nr; i++) {
		if (!ret && !spawn_interrupted() &&
		    nightly_bisect(x->cli, db, b, repo, &l.v[i].cp, x->cli->cfg.nightly.bisect_steps,
				   x->o->send, x->argv))
			ret = -1;
		free(l.v[i].job_name);
		free(l.v[i].metric);
		free(l.v[i].good);
		free(l.v[i].bad);
	}
	free(l.v);
	return ret;
}

static int one_branch(struct night_ctx *x, struct db *db, const struct branch_cfg *b)
{
	struct head h = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
	char at[32];
	long long night, first_added = 0;
	int r, ret = 0;

	if (read_head(b, &h)) {
		x->infra = 1;
		goto out;
	}
	r = db_night_measured(db, b->name, h.commit.buf, &night, at, sizeof(at));
	if (r < 0) {
		ret = -1;
		goto out;
	}
	if (r && !x->o->force) {
		printf("%s: %.12s (%s) was measured on this machine at %s (night %lld): nothing to "
		       "do (--force measures it again)\n", b->name, h.commit.buf,
		       h.subject.buf, at, night);
		goto out;
	}
	if (x->o->dry_run) {
		printf("%s: would build and measure %.12s (%s) from %s\n", b->name, h.commit.buf,
		       h.subject.buf, h.repo.buf);
		goto out;
	}
	printf("%s: measuring %.12s (%s)\n", b->name, h.commit.buf, h.subject.buf);
	fflush(stdout);
	if (db_night_begin(db, b->name, h.commit.buf, h.subject.buf, &night)) {
		ret = -1;
		goto out;
	}
	r = measure(x, db, b, &h, night);
	if (r == EXIT_USAGE)
		ret = -1;
	/* a failed night is no point, but the series may have changed since it was last read */
	if (find_change_points(x, db, b, &first_added) ||
	    bisect_new(x, db, b, h.repo.buf, first_added))
		ret = -1;
out:
	head_release(&h);
	return ret;
}

int cmd_nightly(int argc, char **argv, struct cli *cli)
{
	struct nightly_cli o = { .branches = STRVEC_INIT };
	struct night_ctx x = { cli, &o, argv, 0, 0 };
	struct db *db = NULL;
	size_t i, reaped = 0;
	int ret, lock = -1, failed = 0;

	ret = parse_nightly_options(argc, argv, cli, &o);
	if (ret) {
		ret = ret > 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	ret = EXIT_USAGE;
	if (cli_setup(cli))
		goto out;
	if (!cli->cfg.nbranches) {
		error("nightly: %s has no [branch NAME] section (see 'pinbench help config')",
		      cli->cfg.file ? cli->cfg.file : "the config");
		goto out;
	}
	for (i = 0; i < o.branches.nr; i++)
		if (!config_branch(&cli->cfg, o.branches.v[i])) {
			error("--branch '%s': no [branch %s] section in %s", o.branches.v[i],
			      o.branches.v[i], cli->cfg.file ? cli->cfg.file : "the config");
			goto out;
		}
	ret = EXIT_INFRA;
	if (!o.dry_run && take_lock(cli->db_path, &lock))
		goto out;
	if (db_open(cli->db_path, &db))
		goto out;
	if (!o.dry_run) {
		if (db_night_reap(db, &reaped))
			goto out;
		if (reaped)
			warning("nightly: %zu night%s of an earlier nightly did not end (marked "
				"interrupted): measured again", reaped, reaped == 1 ? "" : "s");
	}
	for (i = 0; i < cli->cfg.nbranches; i++) {
		const struct branch_cfg *b = &cli->cfg.branches[i];

		if (o.branches.nr && !strvec_contains(&o.branches, b->name))
			continue;
		if (one_branch(&x, db, b))
			failed = 1;
		if (spawn_interrupted())
			break;
	}
	/* a regression is the news a failed night elsewhere must not hide */
	if (x.regressions)
		ret = EXIT_REGRESSION;
	else
		ret = failed || x.infra ? EXIT_INFRA : EXIT_OK;
	if (x.regressions)
		printf("nightly: %zu new confirmed regression%s\n", x.regressions,
		       x.regressions == 1 ? "" : "s");
out:
	if (db)
		db_close(db);
	if (lock >= 0)
		close(lock);
	strvec_clear(&o.branches);
	return ret;
}
