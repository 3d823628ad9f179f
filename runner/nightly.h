/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_NIGHTLY_H
#define PINBENCH_NIGHTLY_H

#include "common/config.h"
#include "common/strbuf.h"
#include "common/strvec.h"
#include "db/db.h"
#include "runner/cli.h"

/*
 * What pinbench nightly (runner/nightly_cmd.c) and its bisection
 * (runner/bisect.c) share: git, and measuring one commit of a branch.
 */

/*
 * git -C repo ARGS... (args NULL-terminated): its stdout, trimmed, appended
 * to out (may be NULL). -1 with git's first line of error in why.
 */
int nightly_git(const char *repo, const char *const *args, struct strbuf *out, struct strbuf *why);

/* One line of a commit's text (%s, %an <%ae>, ...), cleaned for a terminal and the store. */
int nightly_git_line(const char *repo, const char *commit, const char *format, struct strbuf *out);

/* How measuring a commit ended. */
struct measure_outcome {
	long long run;		/* 0: no run began */
	/* measured | build_failed | boot_failed | failed | interrupted */
	const char *state;
	struct strbuf reason;
	int code;		/* run_qemu's exit code */
};

void measure_outcome_release(struct measure_outcome *m);

/*
 * Build branch b at commit of repo as the kernel `name` (a section made at
 * run time: the branch's configs and base, the source pinned to the
 * commit, so a branch moving meanwhile changes nothing) and run the matrix
 * on it through the qemu target; only_jobs (may be NULL) narrows the
 * matrix. Always fills out; returns its code.
 */
int nightly_measure(struct cli *cli, struct db *db, const struct branch_cfg *b, const char *repo,
		    const char *commit, const char *name, const struct strvec *only_jobs,
		    char **argv, struct measure_outcome *out);

/* The median of metric of job over a run's measured repetitions (NAN: none). */
double nightly_run_value(struct db *db, long long run, const char *job, const char *metric);

/* A confirmed regression as its mail tells it. */
struct nightly_regression {
	const struct db_change_point *cp;	/* with its commits, job name and metric */
	/* the first bad commit when bisected to one (NULL: not), and its parent */
	const char *culprit, *parent, *subject, *author, *link, *log;
	unsigned steps;
	int verified;
};

/*
 * Compose the mail of r once (the outbox keeps it, one per change point),
 * write it as [store] reports/change-point-ID.eml, and with send queue and
 * send it. Nothing without [mail] to. -1 when composing, storing or sending
 * failed (printed).
 */
int nightly_mail(struct cli *cli, struct db *db, const struct branch_cfg *b, const char *repo,
		 const struct nightly_regression *r, int send);

/*
 * Bisect a confirmed exact regression cp of branch b (its range: the
 * commits after good up to bad): each step builds one commit and measures
 * the change point's job alone, classified by whether its value lies
 * nearer the value before the step or after it; a commit that does not
 * build or boot is skipped as `git bisect skip` does; at most `budget`
 * steps. A culprit found is verified (its parent and it, measured again
 * side by side) and the outcome stored (db_bisect_add), printed and
 * mailed (nightly_mail; send: sent too). -1 on a database or mail error.
 */
int nightly_bisect(struct cli *cli, struct db *db, const struct branch_cfg *b, const char *repo,
		   const struct db_change_point *cp, unsigned budget, int send, char **argv);

#endif
