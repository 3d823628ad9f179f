// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bisecting a confirmed exact regression of a branch (runner/nightly.h).
 *
 * The range is the commits after the last good night's commit up to the
 * first bad night's (git rev-list --ancestry-path good..bad). Each step
 * builds one commit (the git source keeps one object tree per repository:
 * a step recompiles what differs from the last one built) and measures the
 * change point's job alone. The row is exact, so one measurement decides:
 * a value nearer the value before the step is good, nearer the value
 * after it bad; no fixed threshold. A commit that does not build or boot
 * is skipped, and the step takes the untried commit nearest the middle,
 * as `git bisect skip` does. When the range narrows to one commit, that
 * commit and its parent are measured once more, interleaved in one run,
 * and the culprit is verified when the parent measures good and it bad.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "common/spawn.h"
#include "common/untrusted.h"
#include "runner/nightly.h"
#include "runner/run.h"

struct range {
	char **commit;		/* oldest first; the last is the first bad night's */
	size_t nr;
	int *tried;		/* 1 good, 2 bad, 3 skipped */
};

static int read_range(const char *repo, const char *good, const char *bad, struct range *r)
{
	struct strbuf out = STRBUF_INIT, why = STRBUF_INIT, spec = STRBUF_INIT, esc = STRBUF_INIT;
	char *p, *nl;
	int ret = -1;

	strbuf_addf(&spec, "%s..%s", good, bad);
	if (nightly_git(repo, (const char *const[]){ "rev-list", "--reverse", "--ancestry-path",
						     spec.buf, "--", NULL }, &out, &why)) {
		error("bisect: cannot list %.12s..%.12s in %s: %s", good, bad, repo,
		      untrusted(&esc, why.buf));
		goto out;
	}
	for (p = out.buf; *p; p = nl + !!*nl) {
		nl = p + strcspn(p, "\n");
		if (nl - p != 40)
			continue;
		r->commit = xrealloc(r->commit, (r->nr + 1) * sizeof(*r->commit));
		r->commit[r->nr] = xmalloc(41);
		memcpy(r->commit[r->nr], p, 40);
		r->commit[r->nr++][40] = '\0';
	}
	if (!r->nr || strcmp(r->commit[r->nr - 1], bad)) {
		error("bisect: %.12s is not a descendant of %.12s in %s: nothing to bisect", bad,
		      good, repo);
		goto out;
	}
	r->tried = xcalloc(r->nr, sizeof(*r->tried));
	ret = 0;
out:
	strbuf_release(&out);
	strbuf_release(&why);
	strbuf_release(&spec);
	strbuf_release(&esc);
	return ret;
}

static void range_release(struct range *r)
{
	size_t i;

	for (i = 0; i < r->nr; i++)
		free(r->commit[i]);
	free(r->commit);
	free(r->tried);
}

/* The untried commit strictly between lo and hi nearest their middle; -1: none. */
static long next_step(const struct range *r, long lo, long hi)
{
	long mid = lo + (hi - lo) / 2, d;

	for (d = 0; d < hi - lo; d++) {
		if (mid - d > lo && !r->tried[mid - d])
			return mid - d;
		if (mid + d < hi && !r->tried[mid + d])
			return mid + d;
	}
	return -1;
}

/* A lore address for the commit: its Link: trailer, else its Message-Id. */
static void commit_link(const char *repo, const char *commit, struct strbuf *out)
{
	struct strbuf body = STRBUF_INIT, why = STRBUF_INIT;
	char *p, *nl;

	if (nightly_git(repo, (const char *const[]){ "log", "-1", "--format=%B", commit, "--",
						     NULL }, &body, &why))
		goto out;
	for (p = body.buf; *p; p = nl + !!*nl) {
		const char *v = NULL;
		size_t len;

		nl = p + strcspn(p, "\n");
		if (!strncasecmp(p, "Link: https://", 14))
			v = p + 6;
		else if (!strncasecmp(p, "Message-Id: <", 13))
			v = p + 13;
		if (!v)
			continue;
		len = strcspn(v, " \t>\n");
		/* an address from the repository: only what a URL or Message-ID holds */
		if (!len || strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "0123456789-._~:/?#[]@!$&'()*+,;=%") < len)
			continue;
		if (v[-1] == '<')
			strbuf_addstr(out, "https://lore.kernel.org/r/");
		strbuf_add(out, v, len);
		break;
	}
out:
	strbuf_release(&body);
	strbuf_release(&why);
}

struct bisect_ctx {
	struct cli *cli;
	struct db *db;
	const struct branch_cfg *b;
	const char *repo;
	const struct db_change_point *cp;
	char **argv;
	struct strvec only;	/* the change point's job */
	struct strbuf kernel;	/* BRANCH.bisect */
	struct strbuf log;
};

/* 1 good, 2 bad, 3 skipped (did not build or boot); the value measured in *v. */
static int try_commit(struct bisect_ctx *x, const char *commit, double *v)
{
	struct measure_outcome m;
	struct strbuf esc = STRBUF_INIT;
	int verdict;

	info("bisect: %s: measuring %.12s", x->b->name, commit);
	nightly_measure(x->cli, x->db, x->b, x->repo, commit, x->kernel.buf, &x->only, x->argv, &m);
	*v = strcmp(m.state, "measured") ? NAN :
	     nightly_run_value(x->db, m.run, x->cp->job_name, x->cp->metric);
	if (isnan(*v)) {
		verdict = 3;
		strbuf_addf(&x->log, "%.12s skip (%s: %s)\n", commit, m.state,
			    untrusted(&esc, m.reason.len ? m.reason.buf : "no value"));
	} else {
		/* the step's two sides are what the nights measured: nearer one decides */
		verdict = fabs(*v - x->cp->before) <= fabs(*v - x->cp->after) ? 1 : 2;
		strbuf_addf(&x->log, "%.12s %s (%s %.4g, run %lld)\n", commit,
			    verdict == 1 ? "good" : "bad", x->cp->metric, *v, m.run);
	}
	measure_outcome_release(&m);
	strbuf_release(&esc);
	return verdict;
}

/*
 * The culprit and its parent measured again, interleaved in one run (two
 * kernel sections): verified when the parent measures good and it bad.
 */
static int verify(struct bisect_ctx *x, const char *parent, const char *culprit)
{
	struct run_options ro = { .target = "qemu", .kernels = STRVEC_INIT };
	struct strbuf src = STRBUF_INIT, name_p = STRBUF_INIT, name_c = STRBUF_INIT;
	long long runs[2] = { 0, 0 };
	double vp, vc;
	int ok;

	strbuf_addf(&name_p, "%s.parent", x->b->name);
	strbuf_addf(&name_c, "%s.culprit", x->b->name);
	strbuf_addf(&src, "git:%s@%s", x->repo, parent);
	config_add_kernel(&x->cli->cfg, name_p.buf, src.buf, &x->b->configs, x->b->base);
	strbuf_reset(&src);
	strbuf_addf(&src, "git:%s@%s", x->repo, culprit);
	config_add_kernel(&x->cli->cfg, name_c.buf, src.buf, &x->b->configs, x->b->base);
	strvec_push(&ro.kernels, name_p.buf);
	strvec_push(&ro.kernels, name_c.buf);
	ro.runs = runs;
	ro.only_jobs = &x->only;
	info("bisect: %s: verifying %.12s against its parent %.12s", x->b->name, culprit, parent);
	run_qemu(x->cli, &ro, x->argv);
	vp = nightly_run_value(x->db, runs[0], x->cp->job_name, x->cp->metric);
	vc = nightly_run_value(x->db, runs[1], x->cp->job_name, x->cp->metric);
	ok = !isnan(vp) && !isnan(vc) &&
	     fabs(vp - x->cp->before) <= fabs(vp - x->cp->after) &&
	     fabs(vc - x->cp->after) < fabs(vc - x->cp->before);
	strbuf_addf(&x->log, "verify: parent %.12s %.4g, culprit %.12s %.4g: %s\n", parent, vp,
		    culprit, vc, ok ? "verified" : "not verified");
	strvec_clear(&ro.kernels);
	strbuf_release(&src);
	strbuf_release(&name_p);
	strbuf_release(&name_c);
	return ok;
}

int nightly_bisect(struct cli *cli, struct db *db, const struct branch_cfg *b, const char *repo,
		   const struct db_change_point *cp, unsigned budget, int send, char **argv)
{
	struct bisect_ctx x = { cli, db, b, repo, cp, argv, STRVEC_INIT, STRBUF_INIT, STRBUF_INIT };
	struct range r = { 0 };
	struct strbuf subject = STRBUF_INIT, author = STRBUF_INIT, link = STRBUF_INIT;
	struct db_bisect out = { .change_point = cp->id };
	long lo = -1, hi = 0, step;
	long long id;
	unsigned steps = 0;
	double v;
	int ret = 0;

	strvec_push(&x.only, cp->job_name);
	strbuf_addf(&x.kernel, "%s.bisect", b->name);
	if (read_range(repo, cp->good_commit, cp->bad_commit, &r)) {
		out.state = "failed";
		strbuf_addstr(&x.log, "the range could not be read\n");
		goto store;
	}
	hi = (long)r.nr - 1;
	r.tried[hi] = 2;
	printf("%s: bisecting %s %s over %zu commit%s (%.12s..%.12s)\n", b->name, cp->job_name,
	       cp->metric, r.nr, r.nr == 1 ? "" : "s", cp->good_commit, cp->bad_commit);
	fflush(stdout);
	while (hi - lo > 1) {
		int verdict;

		step = next_step(&r, lo, hi);
		if (step < 0 || steps >= budget)
			break;
		steps++;
		verdict = try_commit(&x, r.commit[step], &v);
		r.tried[step] = verdict;
		if (verdict == 1)
			lo = step;
		else if (verdict == 2)
			hi = step;
		if (spawn_interrupted())
			break;
	}
	out.steps = steps;
	if (hi - lo > 1) {
		/* every commit left was skipped, or the budget ran out: a range, not a commit */
		out.state = next_step(&r, lo, hi) < 0 ? "ambiguous" : "budget";
		strbuf_addf(&x.log, "first bad commit: one of %ld from %.12s to %.12s\n", hi - lo,
			    r.commit[lo + 1], r.commit[hi]);
		goto store;
	}
	out.state = "found";
	out.culprit = r.commit[hi];
	if (nightly_git_line(repo, out.culprit, "%s", &subject) ||
	    nightly_git_line(repo, out.culprit, "%an <%ae>", &author)) {
		ret = -1;
		goto release;
	}
	commit_link(repo, out.culprit, &link);
	out.subject = subject.buf;
	out.author = author.buf;
	out.link = link.buf;
	out.verified = verify(&x, hi > 0 ? r.commit[hi - 1] : cp->good_commit, out.culprit);
store:
	out.log = x.log.buf;
	if (db_bisect_add(db, &out, &id)) {
		ret = -1;
		goto release;
	}
	if (!strcmp(out.state, "found"))
		printf("%s: first bad commit %s (%s) by %s%s%s, %u step%s, %s\n", b->name,
		       out.culprit, out.subject, out.author, link.len ? ", " : "", link.buf, steps,
		       steps == 1 ? "" : "s", out.verified ? "verified: its parent measured good "
		       "and it bad again" : "NOT verified: measured again, its parent and it "
		       "did not agree with the step");
	else
		printf("%s: bisection %s after %u step%s: %s", b->name, out.state, steps,
		       steps == 1 ? "" : "s", x.log.buf);
	{
		struct nightly_regression nr = {
			.cp = cp, .culprit = out.culprit, .subject = out.subject,
			.author = out.author, .link = out.link, .log = x.log.buf,
			.steps = steps, .verified = out.verified,
			.parent = out.culprit ? (hi > 0 ? r.commit[hi - 1] : cp->good_commit) : NULL,
		};

		if (nightly_mail(cli, db, b, repo, &nr, send))
			ret = -1;
	}
release:
	range_release(&r);
	strvec_clear(&x.only);
	strbuf_release(&x.kernel);
	strbuf_release(&x.log);
	strbuf_release(&subject);
	strbuf_release(&author);
	strbuf_release(&link);
	return ret;
}
