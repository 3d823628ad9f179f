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

#include "collectors/perf.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/spawn.h"
#include "db/db.h"
#include "kernels/running.h"
#include "reports/pinbalance.h"
#include "reports/summary.h"
#include "runner/cli.h"
#include "runner/device.h"
#include "runner/execute.h"
#include "runner/host.h"
#include "runner/machine.h"
#include "runner/matrix.h"
#include "runner/run.h"

/* The host target's sink: every repetition straight into the database. */
struct db_sink {
	struct db *db;
	long long run;
	const struct job_spec *job;	/* the job whose row id is cached */
	long long job_id;
};

static int sink_job_id(struct db_sink *s, const struct job_spec *job, long long *id)
{
	if (s->job != job) {
		if (db_job_get_or_add(s->db, &(struct job_row)JOB_ROW(job), &s->job_id))
			return -1;
		s->job = job;
	}
	*id = s->job_id;
	return 0;
}

static int db_sink_store(void *data, const struct job_spec *job, unsigned rep,
			 const struct sample_set *samples)
{
	struct db_sink *s = data;
	long long id;

	return sink_job_id(s, job, &id) ? -1 : db_rep_store(s->db, s->run, id, (int)rep, samples);
}

static int db_sink_failed(void *data, const struct job_spec *job, unsigned rep,
			  const char *message)
{
	struct db_sink *s = data;
	long long id;

	return sink_job_id(s, job, &id) ? -1 : db_rep_failed(s->db, s->run, id, (int)rep, message);
}

static int db_sink_flag(void *data, const struct job_spec *job, const char *kind,
			const char *message)
{
	struct db_sink *s = data;
	long long id;

	return sink_job_id(s, job, &id) ? -1 : db_flag_add(s->db, s->run, id, kind, message);
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

static enum rep_outcome run_all(struct exec_state *es, struct run_plan *p)
{
	const struct config *cfg = es->cfg;
	enum rep_outcome r;

	r = exec_device(es, &p->m, "scratch", p->scratch_fs.buf, cfg->scratch_dir);
	if (r == REP_OK)
		r = exec_devices(es, &p->m, p->devs, p->ndevs, &cfg->filesystems,
				 cfg->scratch_dir);
	return r;
}
/*
 * The cost rows on the host (runner/cost.h): where perf counts every one of
 * [cost] pmu_events (a PMU), each job runs [cost] repetitions more after
 * its measured ones, numbered on from them: a counted and an idle run,
 * each under perf stat. Without a PMU, a line says why there are none.
 */
static enum rep_outcome count_on_host(struct exec_state *es, struct run_plan *p, unsigned reps)
{
	const struct config *cfg = es->cfg;
	struct strbuf why = STRBUF_INIT;
	enum rep_outcome r;
	char *list;

	if (!strcmp(cfg->cost.mode, "off"))
		return REP_OK;
	/* asked of perf itself: the collectors' probe runs only when they use perf */
	if (perf_events_count(&cfg->cost.pmu_events, &why)) {
		info("cost rows: none on this machine: %s", why.buf);
		strbuf_release(&why);
		return REP_OK;
	}
	list = strvec_join(&cfg->cost.pmu_events, ",");
	info("cost rows: %u counted repetitions per job under perf stat -e %s",
	     cfg->cost.repetitions, list);
	free(list);
	es->first_rep = reps + 1;
	es->last_rep = reps + cfg->cost.repetitions;
	es->reps_total += p->m.nr * cfg->cost.repetitions;
	es->one_off = 0;
	es->warmup = 1;
	es->pmu = 1;
	r = run_all(es, p);
	es->pmu = 0;
	strbuf_release(&why);
	return r;
}

char *run_command_line(char **argv)
{
	struct strvec words = STRVEC_INIT;
	char *line;

	strvec_push(&words, "pinbench");
	strvec_pushv(&words, (const char *const *)argv);
	line = strvec_join(&words, " ");
	strvec_clear(&words);
	return line;
}

char *run_config_text(const struct config *cfg)
{
	struct strbuf sb = STRBUF_INIT;

	if (cfg->file && strbuf_read_file(&sb, cfg->file, 1 << 20))
		strbuf_reset(&sb);
	return strbuf_detach(&sb, NULL);
}

static int begin_run(struct db_sink *sink, const struct config *cfg, struct run_plan *p,
		     char **argv, size_t reps)
{
	struct running_kernel rk;
	struct kernel_info ki;
	struct machine mach;
	struct machine_info mi;
	long long kernel_id, machine_id;
	char *devs, *cmdline, *cfg_text;
	int ret = -1;

	if (running_kernel_probe(&rk))
		return -1;
	running_kernel_info(&rk, &ki);
	devs = devices_json(p, cfg->scratch_dir);
	machine_probe(&mach, "host", devs);
	machine_info(&mach, &mi);
	cmdline = run_command_line(argv);
	cfg_text = run_config_text(cfg);
	if (!db_kernel_get_or_add(sink->db, &ki, &kernel_id) &&
	    !db_machine_get_or_add(sink->db, &mi, &machine_id) &&
	    !db_run_begin(sink->db, kernel_id, machine_id, "host", cmdline, cfg_text, &sink->run))
		ret = 0;
	info("run %lld on %s (kernel %s, %u cores), %zu jobs x %zu repetitions",
	     sink->run, mach.hostname, rk.release, mach.cores, p->m.nr, reps);
	free(devs);
	free(cmdline);
	free(cfg_text);
	machine_release(&mach);
	return ret;
}

void run_outcome(const struct exec_state *es, enum rep_outcome r, const char **state,
		 struct strbuf *reason, int *exit_code)
{
	*state = "done";
	*exit_code = EXIT_OK;
	if (r == REP_INTERRUPTED) {
		*state = "interrupted";
		strbuf_addf(reason, "interrupted by signal after %zu of %zu repetitions",
			    es->reps_done, es->reps_total);
		*exit_code = EXIT_INFRA;
	} else if (r == REP_FATAL) {
		*state = "failed";
		strbuf_addstr(reason, es->fatal.len ? es->fatal.buf : "infrastructure failure");
		*exit_code = EXIT_INFRA;
	} else if (es->reps_failed) {
		strbuf_addf(reason, "%zu of %zu repetitions failed", es->reps_failed, es->reps_total);
		*exit_code = EXIT_INFRA;
	}
}

static int finish(struct db_sink *sink, const struct exec_state *es, enum rep_outcome r,
		  int *exit_code)
{
	struct strbuf reason = STRBUF_INIT;
	const char *state;
	int ret;

	run_outcome(es, r, &state, &reason, exit_code);
	if (pin_balance_flag_leaks(sink->db, sink->run) < 0)
		*exit_code = EXIT_INFRA;
	ret = db_run_finish(sink->db, sink->run, state, reason.len ? reason.buf : NULL);
	if (r != REP_OK || es->reps_failed)
		warning("run %lld %s: %s", sink->run, state, reason.buf);
	strbuf_release(&reason);
	return ret;
}

static int parse_run_options(int argc, char **argv, struct cli *cli, struct run_options *o)
{
	struct option opts[CLI_MAX_OPTIONS + 1];
	char shortopts[CLI_SHORT_MAX];
	int opt, r;

	cli_getopt_tables("run", opts, shortopts);
	optind = 1;
	while ((opt = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		r = cli_common_option(cli, opt, optarg, "run");
		if (r < 0)
			return 1;
		if (!r)
			r = cli_plan_option(opt, optarg, &o->reps, &o->boots);
		if (r < 0)
			return -1;
		if (r)
			continue;
		switch (opt) {
		case 't':
			o->target = optarg;
			break;
		case 'k':
			if (strvec_contains(&o->kernels, optarg))
				return error("--kernel '%s' is given twice", optarg);
			strvec_push(&o->kernels, optarg);
			break;
		default:
			cli_usage("run", stderr);
			return -1;
		}
	}
	if (optind < argc)
		return error("run: unexpected argument '%s'", argv[optind]);
	if (!strcmp(o->target, "host")) {
		if (o->kernels.nr > 1 || (o->kernels.nr && strcmp(o->kernels.v[0], "running")))
			return error("--kernel '%s': the host target measures the running kernel "
				     "only (use --target qemu to boot a built kernel)",
				     o->kernels.v[o->kernels.nr > 1]);
		if (o->boots > 1)
			return error("--boots: the host target does not boot (use --target qemu)");
		return 0;
	}
	if (!strcmp(o->target, "qemu")) {
		if (!o->kernels.nr)
			return error("--target qemu needs --kernel NAME (a [kernel NAME] of the config)");
		if (strvec_contains(&o->kernels, "running"))
			return error("--kernel running: the qemu target boots built kernels only");
		return 0;
	}
	return error("--target '%s': not one of host, qemu", o->target);
}

static int run_host(struct cli *cli, const struct run_options *o, char **argv)
{
	const struct config *cfg = &cli->cfg;
	struct db_sink sink = { 0 };
	const struct exec_sink out = { db_sink_store, db_sink_failed, db_sink_flag, &sink };
	struct exec_state es;
	struct run_plan plan = { 0 };
	unsigned reps = o->reps ? o->reps : cfg->repetitions;
	enum rep_outcome r;
	int code;

	code = exec_init(&es, cfg, &out, 1, reps);
	if (code)
		goto out;
	code = plan_run(cfg, &plan);
	if (code)
		goto out;
	es.reps_total = plan.m.nr * reps;
	if (db_open(cli->db_path, &sink.db)) {
		code = EXIT_INFRA;
		goto out;
	}
	db_reap_abandoned(sink.db);
	if (begin_run(&sink, cfg, &plan, argv, reps)) {
		code = EXIT_INFRA;
		goto out;
	}
	es.started = time(NULL);
	r = run_all(&es, &plan);
	if (r == REP_OK)
		r = count_on_host(&es, &plan, reps);
	if (finish(&sink, &es, r, &code))
		code = EXIT_INFRA;
	printf("run %lld: %zu of %zu repetitions stored, %zu failed\n", sink.run,
	       es.reps_done - es.reps_failed, es.reps_total, es.reps_failed);
	summary_print(sink.db, sink.run, 0, stdout);
	printf("\ndatabase: %s (pinbench db show %lld --db %s)\n", cli->db_path, sink.run,
	       cli->db_path);
out:
	if (sink.db)
		db_close(sink.db);
	exec_release(&es);
	plan_release(&plan);
	return code;
}

int cmd_run(int argc, char **argv, struct cli *cli)
{
	struct run_options o = { .target = "host", .kernels = STRVEC_INIT };
	int ret;

	ret = parse_run_options(argc, argv, cli, &o);
	if (ret) {
		strvec_clear(&o.kernels);
		return ret > 0 ? EXIT_OK : EXIT_USAGE;
	}
	if (cli_setup(cli))
		ret = EXIT_USAGE;
	else if (!strcmp(o.target, "qemu"))
		ret = run_qemu(cli, &o, argv);
	else
		ret = run_host(cli, &o, argv);
	strvec_clear(&o.kernels);
	return ret;
}
