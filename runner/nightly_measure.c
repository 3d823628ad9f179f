// SPDX-License-Identifier: GPL-2.0-only
/*
 * Measuring one commit of a branch, and the git it takes (runner/nightly.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/spawn.h"
#include "common/untrusted.h"
#include "reports/stats.h"
#include "runner/nightly.h"
#include "runner/run.h"

int nightly_git(const char *repo, const char *const *args, struct strbuf *out, struct strbuf *why)
{
	struct child c = CHILD_INIT;
	int ret = -1;

	strvec_pushv(&c.args, (const char *const[]){ "git", "-C", repo, NULL });
	strvec_pushv(&c.args, args);
	c.flags = SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	if (spawn_run(&c)) {
		strbuf_addf(why, "cannot run git: %s (apt-get install git)", errstr());
		goto out;
	}
	if (c.status) {
		strbuf_rtrim(&c.err);
		strbuf_add(why, c.err.buf, strcspn(c.err.buf, "\n"));
		goto out;
	}
	strbuf_rtrim(&c.out);
	if (out)
		strbuf_addbuf(out, &c.out);
	ret = 0;
out:
	child_release(&c);
	return ret;
}

int nightly_git_line(const char *repo, const char *commit, const char *format, struct strbuf *out)
{
	struct strbuf raw = STRBUF_INIT, why = STRBUF_INIT, fmt = STRBUF_INIT, esc = STRBUF_INIT;
	int ret;

	strbuf_addf(&fmt, "--format=%s", format);
	ret = nightly_git(repo, (const char *const[]){ "log", "-1", fmt.buf, commit, "--", NULL },
			  &raw, &why);
	if (ret)
		error("cannot read commit %.12s in %s: %s", commit, repo, untrusted(&esc, why.buf));
	else
		strbuf_add_clean_line(out, raw.buf);	/* the repository's text */
	strbuf_release(&raw);
	strbuf_release(&why);
	strbuf_release(&fmt);
	strbuf_release(&esc);
	return ret;
}

void measure_outcome_release(struct measure_outcome *m)
{
	strbuf_release(&m->reason);
}

int nightly_measure(struct cli *cli, struct db *db, const struct branch_cfg *b, const char *repo,
		    const char *commit, const char *name, const struct strvec *only_jobs,
		    char **argv, struct measure_outcome *out)
{
	struct run_options ro = { .target = "qemu", .kernels = STRVEC_INIT };
	struct strbuf source = STRBUF_INIT, state = STRBUF_INIT;

	strbuf_init(&out->reason, 0);
	out->run = 0;
	strbuf_addf(&source, "git:%s@%s", repo, commit);
	config_add_kernel(&cli->cfg, name, source.buf, &b->configs, b->base);
	strvec_push(&ro.kernels, name);
	ro.runs = &out->run;
	ro.only_jobs = only_jobs;
	out->code = run_qemu(cli, &ro, argv);
	strvec_clear(&ro.kernels);
	if (!out->run) {
		/* no run began: the kernel did not build (or the plan could not start) */
		out->state = "build_failed";
		if (db_build_latest(db, name, &state, &out->reason) || strcmp(state.buf, "failed")) {
			strbuf_reset(&out->reason);
			strbuf_addf(&out->reason, "pinbench could not start the run (exit %d)",
				    out->code);
			out->state = "failed";
		}
	} else if (db_run_state(db, out->run, &state, &out->reason)) {
		out->code = EXIT_INFRA;
		out->state = "failed";
	} else if (!strcmp(state.buf, "done")) {
		out->state = "measured";
		out->code = EXIT_OK;
	} else {
		/* panicked, hung, boot_failed, agent_failed: the kernel did not get through */
		out->state = strcmp(state.buf, "interrupted") ? "boot_failed" : "interrupted";
		if (!out->reason.len)
			strbuf_addstr(&out->reason, state.buf);
	}
	strbuf_release(&source);
	strbuf_release(&state);
	return out->code;
}

struct value_ctx {
	const char *job, *metric;
	double value;
};

static int find_value(const struct db_series *s, void *data)
{
	struct value_ctx *v = data;

	if (s->n && !strcmp(s->job_name, v->job) && !strcmp(s->metric, v->metric))
		v->value = stats_median(s->values, s->n);
	return 0;
}

double nightly_run_value(struct db *db, long long run, const char *job, const char *metric)
{
	struct value_ctx v = { job, metric, NAN };

	if (run <= 0 || db_run_series(db, run, find_value, &v))
		return NAN;
	return v.value;
}
