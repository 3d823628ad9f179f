// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinbench run: the matrix x repetitions on a target, every repetition
 * stored as soon as it finishes, the run's state saying how it ended.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collectors/collector.h"
#include "collectors/fio.h"
#include "collectors/perf.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/spawn.h"
#include "db/db.h"
#include "kernels/running.h"
#include "reports/summary.h"
#include "runner/cli.h"
#include "runner/device.h"
#include "runner/host.h"
#include "runner/machine.h"
#include "runner/matrix.h"

/* How one repetition (or the whole run) went. */
enum rep_outcome {
	REP_OK,
	REP_FAILED,		/* stored as a failed repetition; the run goes on */
	REP_INTERRUPTED,	/* Ctrl-C / SIGTERM: stop, mark the run interrupted */
	REP_FATAL,		/* the database or a tool is gone: stop, mark the run failed */
};

struct run_state {
	const struct config *cfg;
	struct db *db;
	struct perf_caps perf;
	long long run;
	char *tmpdir;		/* private files of collectors (perf output ...) */
	size_t reps_total, reps_done, reps_failed;
	time_t started;
	struct strbuf fatal;	/* why the run failed, for the database */
};

static void eta(const struct run_state *rs, struct strbuf *out)
{
	double elapsed = difftime(time(NULL), rs->started);
	double left;

	if (!rs->reps_done) {
		strbuf_addstr(out, "eta --");
		return;
	}
	left = elapsed / (double)rs->reps_done * (double)(rs->reps_total - rs->reps_done);
	strbuf_addf(out, "eta %dm%02ds", (int)left / 60, (int)left % 60);
}

static void progress(const struct run_state *rs, const struct job_spec *job, unsigned rep,
		     const struct sample_set *s, const char *status)
{
	struct strbuf line = STRBUF_INIT;
	double iops = sample_set_value(s, "fio.read.iops", 0) + sample_set_value(s, "fio.write.iops", 0);
	const struct sample *pins = sample_set_find(s, "pin.released_per_io");

	strbuf_addf(&line, "[%zu/%zu] %s rep %u: ", rs->reps_done, rs->reps_total, job->name, rep);
	if (status)
		strbuf_addstr(&line, status);
	else
		strbuf_addf(&line, "%.0f IOPS", iops);
	if (!status && pins && pins->available)
		strbuf_addf(&line, ", %.2f pins released/IO", pins->value);
	strbuf_addstr(&line, ", ");
	eta(rs, &line);
	info("%s", line.buf);
	strbuf_release(&line);
}

static enum rep_outcome store_failure(struct run_state *rs, const struct job_spec *job,
				      long long job_id, unsigned rep, const char *message)
{
	rs->reps_failed++;
	warning("%s rep %u failed: %s", job->name, rep, message);
	if (db_rep_failed(rs->db, rs->run, job_id, (int)rep, message)) {
		strbuf_addstr(&rs->fatal, "cannot store a failed repetition");
		return REP_FATAL;
	}
	return REP_FAILED;
}

/* Start the workload; -1 only when it could not be started at all. */
static int run_workload(struct child *c, struct strvec *argv, unsigned timeout_s)
{
	strvec_pushv(&c->args, argv->v);
	c->flags = SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	c->timeout_ms = timeout_s * 1000;
	return spawn_run(c);
}

static unsigned job_timeout(const struct run_state *rs, const struct job_spec *job)
{
	return job->ramp + job->runtime + rs->cfg->timeout;
}

static enum rep_outcome run_rep(struct run_state *rs, const struct job_spec *job,
				long long job_id, const char *dir, unsigned rep)
{
	struct sample_set samples = SAMPLE_SET_INIT;
	struct rep_ctx ctx = { rs->cfg, &rs->perf, rs->tmpdir, &samples, 0 };
	void *priv[8] = { NULL };
	int active[8] = { 0 };
	struct strvec argv = STRVEC_INIT;
	struct child c = CHILD_INIT;
	struct strbuf why = STRBUF_INIT;
	struct fio_job fj;
	enum rep_outcome ret = REP_OK;
	size_t i;
	int r;

	if (spawn_interrupted())
		return REP_INTERRUPTED;
	for (i = 0; collectors[i]; i++) {
		if (!collectors[i]->enabled(&ctx))
			continue;
		if (collectors[i]->before(&ctx, &priv[i])) {
			strbuf_addf(&why, "collector %s could not start", collectors[i]->name);
			goto failed;
		}
		active[i] = 1;
	}
	job_spec_fio(job, dir, &fj);
	fio_job_argv(&fj, &argv);
	for (i = 0; collectors[i]; i++)
		if (active[i] && collectors[i]->wrap)
			collectors[i]->wrap(&ctx, priv[i], &argv);

	if (run_workload(&c, &argv, job_timeout(rs, job))) {
		if (errno == ENOENT)
			strbuf_addf(&rs->fatal, "'%s' not found (Debian package %s)", argv.v[0],
				    !strcmp(argv.v[0], "perf") ? "linux-perf" : "fio");
		else
			strbuf_addf(&rs->fatal, "cannot start '%s': %s", argv.v[0], errstr());
		error("%s", rs->fatal.buf);
		ret = REP_FATAL;
		goto out;
	}
	if (c.interrupted) {
		ret = REP_INTERRUPTED;
		goto out;
	}
	if (c.timed_out) {
		spawn_describe(&c, &why);
		goto failed;
	}
	r = fio_parse(c.out.buf, c.out.len, &samples, &why);
	if (r == FIO_GARBAGE && c.status) {
		strbuf_reset(&why);
		fio_describe_failure(c.status, c.err.buf, &why);
	}
	if (r != FIO_OK)
		goto failed;
	if (c.status) {
		fio_describe_failure(c.status, c.err.buf, &why);
		goto failed;
	}
	ctx.total_ios = sample_set_value(&samples, "fio.total_ios", 0);
	for (i = 0; collectors[i]; i++) {
		if (active[i] && collectors[i]->after(&ctx, priv[i])) {
			strbuf_addf(&why, "collector %s: output could not be read", collectors[i]->name);
			goto failed;
		}
	}
	if (db_rep_store(rs->db, rs->run, job_id, (int)rep, &samples)) {
		strbuf_addstr(&rs->fatal, "cannot store a repetition");
		ret = REP_FATAL;
		goto out;
	}
	rs->reps_done++;
	progress(rs, job, rep, &samples, NULL);
	goto out;

failed:
	rs->reps_done++;
	ret = store_failure(rs, job, job_id, rep, why.len ? why.buf : "unknown failure");
out:
	for (i = 0; collectors[i]; i++)
		if (active[i] && collectors[i]->release)
			collectors[i]->release(priv[i]);
	sample_set_clear(&samples);
	strvec_clear(&argv);
	child_release(&c);
	strbuf_release(&why);
	return ret;
}

/*
 * One extra, unmeasured pass per job under perf record, stored as
 * repetition 0: sampling costs throughput, so it never touches the
 * measured repetitions.
 */
static enum rep_outcome profile_pass(struct run_state *rs, const struct job_spec *job,
				     long long job_id, const char *dir)
{
	struct strvec fio_argv = STRVEC_INIT, argv = STRVEC_INIT;
	struct sample_set samples = SAMPLE_SET_INIT;
	struct child rec = CHILD_INIT, rep = CHILD_INIT;
	struct strbuf data = STRBUF_INIT, why = STRBUF_INIT;
	enum rep_outcome ret = REP_OK;
	struct fio_job fj;

	strbuf_addf(&data, "%s/profile.data", rs->tmpdir);
	job_spec_fio(job, dir, &fj);
	fio_job_argv(&fj, &fio_argv);
	perf_record_argv(data.buf, &fio_argv, &argv);
	info("%s: profiling pass (perf record, not measured)", job->name);
	if (run_workload(&rec, &argv, job_timeout(rs, job)) || rec.interrupted) {
		ret = rec.interrupted ? REP_INTERRUPTED : REP_FAILED;
		if (!rec.interrupted)
			warning("%s: cannot run perf record: %s", job->name, errstr());
		goto out;
	}
	if (rec.status || rec.timed_out) {
		spawn_describe(&rec, &why);
		strbuf_rtrim(&rec.err);
		warning("%s: perf record failed (%s): %s", job->name, why.buf, rec.err.buf);
		ret = REP_FAILED;
		goto out;
	}
	strvec_clear(&argv);
	perf_report_argv(data.buf, &argv);
	if (run_workload(&rep, &argv, 300) || rep.status) {
		warning("%s: perf report failed", job->name);
		ret = REP_FAILED;
		goto out;
	}
	if (perf_report_parse(rep.out.buf, rep.out.len, &rs->cfg->profile_symbols,
			      rs->cfg->profile_top, &samples, &why)) {
		warning("%s: perf report output: %s", job->name, why.buf);
		ret = REP_FAILED;
		goto out;
	}
	if (db_rep_store(rs->db, rs->run, job_id, 0, &samples)) {
		strbuf_addstr(&rs->fatal, "cannot store the profile pass");
		ret = REP_FATAL;
	}
out:
	unlink(data.buf);
	strvec_clear(&fio_argv);
	strvec_clear(&argv);
	sample_set_clear(&samples);
	child_release(&rec);
	child_release(&rep);
	strbuf_release(&data);
	strbuf_release(&why);
	return ret;
}

static enum rep_outcome run_job(struct run_state *rs, const struct job_spec *job, const char *dir,
				unsigned reps)
{
	struct job_row row = {
		.hash = job->hash, .name = job->name, .params = job->canonical, .fs = job->fs,
		.device = job->device, .rw = job->rw, .bs = job->bs, .iodepth = job->iodepth,
		.numjobs = job->numjobs, .ioengine = job->ioengine, .size = job->size,
		.runtime = job->runtime,
	};
	enum rep_outcome r = REP_OK;
	long long job_id;
	unsigned rep;

	if (db_job_get_or_add(rs->db, &row, &job_id)) {
		strbuf_addstr(&rs->fatal, "cannot store the job description");
		return REP_FATAL;
	}
	for (rep = 1; rep <= reps; rep++) {
		r = run_rep(rs, job, job_id, dir, rep);
		if (r == REP_INTERRUPTED || r == REP_FATAL)
			return r;
	}
	if (rs->cfg->perf_profile && rs->perf.usable) {
		r = profile_pass(rs, job, job_id, dir);
		if (r == REP_INTERRUPTED || r == REP_FATAL)
			return r;
	}
	return REP_OK;
}

/* Run every job of one device (scratch or a checked, mounted device). */
static enum rep_outcome run_device(struct run_state *rs, const struct matrix *m,
				   const char *device, const char *fs, const char *dir, unsigned reps)
{
	enum rep_outcome r = REP_OK;
	size_t i;

	for (i = 0; i < m->nr && r == REP_OK; i++) {
		if (strcmp(m->jobs[i].device, device) || strcmp(m->jobs[i].fs, fs))
			continue;
		r = run_job(rs, &m->jobs[i], dir, reps);
	}
	return r;
}

struct run_plan {
	struct strbuf scratch_fs;
	struct safe_device *devs;	/* checked devices, in config order */
	size_t ndevs;
	struct matrix m;
};

static void plan_release(struct run_plan *p)
{
	size_t i;

	for (i = 0; i < p->ndevs; i++)
		safe_device_release(&p->devs[i]);
	free(p->devs);
	matrix_release(&p->m);
	strbuf_release(&p->scratch_fs);
}

/* Every safety check before the first byte is written; returns an exit code. */
static int plan_run(const struct config *cfg, struct run_plan *p)
{
	size_t i;

	strbuf_init(&p->scratch_fs, 0);
	if (strvec_contains(&cfg->devices, "scratch") &&
	    host_scratch_prepare(cfg->scratch_dir, &p->scratch_fs))
		return EXIT_INFRA;
	if (!p->scratch_fs.len)
		strbuf_addstr(&p->scratch_fs, "none");
	p->devs = xcalloc(cfg->devices.nr, sizeof(*p->devs));
	for (i = 0; i < cfg->devices.nr; i++) {
		const char *name = cfg->devices.v[i];

		if (!strcmp(name, "scratch"))
			continue;
		if (device_check(config_device(cfg, name), &p->devs[p->ndevs]))
			return EXIT_USAGE;
		p->ndevs++;
	}
	matrix_expand(cfg, p->scratch_fs.buf, &p->m);
	return EXIT_OK;
}

static char *devices_json(const struct run_plan *p, const char *scratch_dir)
{
	json_t *a = json_array();
	char *text, *ret;
	size_t i;

	if (p->scratch_fs.len && strcmp(p->scratch_fs.buf, "none"))
		json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "name", "scratch",
						   "path", scratch_dir, "fs", p->scratch_fs.buf));
	for (i = 0; i < p->ndevs; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s}", "name", p->devs[i].name,
						   "path", p->devs[i].path, "model",
						   p->devs[i].model, "serial", p->devs[i].serial));
	text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	ret = xstrdup(text);
	free(text);
	return ret;
}

static enum rep_outcome run_all(struct run_state *rs, struct run_plan *p, unsigned reps)
{
	const struct config *cfg = rs->cfg;
	enum rep_outcome r;
	size_t d, f;

	r = run_device(rs, &p->m, "scratch", p->scratch_fs.buf, cfg->scratch_dir, reps);
	for (d = 0; d < p->ndevs && r == REP_OK; d++) {
		for (f = 0; f < cfg->filesystems.nr && r == REP_OK; f++) {
			struct strbuf mnt = STRBUF_INIT;
			const char *fs = cfg->filesystems.v[f];

			strbuf_addf(&mnt, "%s/mnt-%s", cfg->scratch_dir, p->devs[d].name);
			/* checked again: something may have mounted it since the plan */
			if (device_mounted(p->devs[d].rdev, &mnt)) {
				strbuf_addf(&rs->fatal, "device %s was mounted during the run",
					    p->devs[d].name);
				r = REP_FATAL;
			} else if (host_device_mount(&p->devs[d], fs, mnt.buf)) {
				strbuf_addf(&rs->fatal, "cannot prepare %s on device %s", fs,
					    p->devs[d].name);
				r = REP_FATAL;
			} else {
				r = run_device(rs, &p->m, p->devs[d].name, fs, mnt.buf, reps);
				if (host_device_unmount(mnt.buf) && r == REP_OK) {
					strbuf_addf(&rs->fatal, "cannot unmount %s", mnt.buf);
					r = REP_FATAL;
				}
			}
			strbuf_release(&mnt);
		}
	}
	return r;
}

static int begin_run(struct run_state *rs, struct run_plan *p, char **argv,
		     const char *config_text)
{
	struct running_kernel rk;
	struct kernel_info ki;
	struct machine mach;
	struct machine_info mi;
	long long kernel_id, machine_id;
	char *devs, *cmdline;
	struct strvec words = STRVEC_INIT;
	int ret = -1;

	if (running_kernel_probe(&rk))
		return -1;
	running_kernel_info(&rk, &ki);
	devs = devices_json(p, rs->cfg->scratch_dir);
	machine_probe(&mach, "host", devs);
	machine_info(&mach, &mi);
	strvec_push(&words, "pinbench");
	strvec_pushv(&words, (const char *const *)argv);
	cmdline = strvec_join(&words, " ");
	if (!db_kernel_get_or_add(rs->db, &ki, &kernel_id) &&
	    !db_machine_get_or_add(rs->db, &mi, &machine_id) &&
	    !db_run_begin(rs->db, kernel_id, machine_id, "host", cmdline, config_text, &rs->run))
		ret = 0;
	info("run %lld on %s (kernel %s, %u cores), %zu jobs x %zu repetitions",
	     rs->run, mach.hostname, rk.release, mach.cores, p->m.nr,
	     p->m.nr ? rs->reps_total / p->m.nr : 0);
	free(devs);
	free(cmdline);
	strvec_clear(&words);
	machine_release(&mach);
	return ret;
}

static int check_tools(const struct config *cfg, struct perf_caps *perf)
{
	if (!spawn_find_program("fio", NULL))
		return error("fio not found: install it with 'apt-get install fio'");
	memset(perf, 0, sizeof(*perf));
	strbuf_init(&perf->why, 0);
	if (cfg->perf_stat || cfg->perf_profile) {
		perf_probe(perf);
		if (!perf->usable)
			warning("perf disabled for this run: %s", perf->why.buf);
		else if (!perf->hw_events)
			info("perf: no hardware PMU here, software events only");
	}
	return 0;
}

static int finish(struct run_state *rs, enum rep_outcome r, int *exit_code)
{
	struct strbuf reason = STRBUF_INIT;
	const char *state = "done";
	int ret;

	*exit_code = EXIT_OK;
	if (r == REP_INTERRUPTED) {
		state = "interrupted";
		strbuf_addf(&reason, "interrupted by signal after %zu of %zu repetitions",
			    rs->reps_done, rs->reps_total);
		*exit_code = EXIT_INFRA;
	} else if (r == REP_FATAL) {
		state = "failed";
		strbuf_addstr(&reason, rs->fatal.len ? rs->fatal.buf : "infrastructure failure");
		*exit_code = EXIT_INFRA;
	} else if (rs->reps_failed) {
		strbuf_addf(&reason, "%zu of %zu repetitions failed", rs->reps_failed, rs->reps_total);
		*exit_code = EXIT_INFRA;
	}
	ret = db_run_finish(rs->db, rs->run, state, reason.len ? reason.buf : NULL);
	if (r != REP_OK || rs->reps_failed)
		warning("run %lld %s: %s", rs->run, state, reason.buf);
	strbuf_release(&reason);
	return ret;
}

static int parse_run_options(int argc, char **argv, struct cli *cli, const char **target,
			     unsigned *reps)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "target", required_argument, NULL, 't' },
		{ "repetitions", required_argument, NULL, 'r' },
		{ "kernel", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int opt, r;

	optind = 1;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT "t:r:k:", opts, NULL)) != -1) {
		r = cli_common_option(cli, opt, optarg, "run");
		if (r < 0)
			return 1;
		if (r)
			continue;
		switch (opt) {
		case 't':
			*target = optarg;
			break;
		case 'r':
			errno = 0;
			*reps = (unsigned)strtoul(optarg, &end, 10);
			if (errno || *end || !*reps || *reps > 1000)
				return error("--repetitions: '%s' is not a number from 1 to 1000",
					     optarg);
			break;
		case 'k':
			if (strcmp(optarg, "running"))
				return error("--kernel '%s': the host target measures the running "
					     "kernel only (use --kernel running or leave it out)", optarg);
			break;
		default:
			cli_usage("run", stderr);
			return -1;
		}
	}
	if (optind < argc)
		return error("run: unexpected argument '%s'", argv[optind]);
	if (strcmp(*target, "host"))
		return error("--target '%s': only 'host' is available in this version", *target);
	return 0;
}

/* Our own mkdtemp directory (perf's output files). */
static void remove_tmpdir(const char *dir)
{
	if (remove_tree(dir))
		warning("cannot remove '%s': %s", dir, errstr());
}

static char *config_text(const struct config *cfg)
{
	struct strbuf sb = STRBUF_INIT;

	if (cfg->file && strbuf_read_file(&sb, cfg->file, 1 << 20))
		strbuf_reset(&sb);
	return strbuf_detach(&sb, NULL);
}

int cmd_run(int argc, char **argv, struct cli *cli)
{
	struct run_state rs = { 0 };
	struct run_plan plan = { 0 };
	const char *target = "host";
	unsigned reps = 0;
	enum rep_outcome r;
	char *cfg_text = NULL;
	char tmpl[] = "/tmp/pinbench-run.XXXXXX";
	int code, ret;

	ret = parse_run_options(argc, argv, cli, &target, &reps);
	if (ret)
		return ret > 0 ? EXIT_OK : EXIT_USAGE;
	if (cli_setup(cli))
		return EXIT_USAGE;
	rs.cfg = &cli->cfg;
	strbuf_init(&rs.fatal, 0);
	if (!reps)
		reps = rs.cfg->repetitions;
	if (check_tools(rs.cfg, &rs.perf)) {
		code = EXIT_INFRA;
		goto out;
	}
	code = plan_run(rs.cfg, &plan);
	if (code)
		goto out;
	rs.reps_total = plan.m.nr * reps;
	if (db_open(cli->db_path, &rs.db)) {
		code = EXIT_INFRA;
		goto out;
	}
	db_reap_abandoned(rs.db);
	rs.tmpdir = mkdtemp(tmpl);
	if (!rs.tmpdir) {
		error("cannot create a temporary directory: %s", errstr());
		code = EXIT_INFRA;
		goto out;
	}
	cfg_text = config_text(rs.cfg);
	if (begin_run(&rs, &plan, argv, cfg_text)) {
		code = EXIT_INFRA;
		goto out;
	}
	rs.started = time(NULL);
	r = run_all(&rs, &plan, reps);
	if (finish(&rs, r, &code))
		code = EXIT_INFRA;
	printf("run %lld: %zu of %zu repetitions stored, %zu failed\n", rs.run,
	       rs.reps_done - rs.reps_failed, rs.reps_total, rs.reps_failed);
	summary_print(rs.db, rs.run, 0, stdout);
	printf("\ndatabase: %s (pinbench db show %lld --db %s)\n", cli->db_path, rs.run,
	       cli->db_path);
out:
	if (rs.tmpdir)
		remove_tmpdir(rs.tmpdir);
	free(cfg_text);
	if (rs.db)
		db_close(rs.db);
	perf_caps_release(&rs.perf);
	strbuf_release(&rs.fatal);
	plan_release(&plan);
	return code;
}
