// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinbench compare: baseline against patched. Either boots both kernels
 * (interleaved, through the qemu target) and compares the two new runs, or
 * recomputes the comparison of two stored runs (--from-db).
 * Exit: 0 no regression, 1 regression, 2 usage, 3 infrastructure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "db/db.h"
#include "reports/compare.h"
#include "reports/report.h"
#include "runner/cli.h"
#include "runner/run.h"

struct compare_cli {
	const char *baseline, *patched, *name;
	struct strvec patches;	/* --patch: the patched kernel is the baseline plus these */
	int from_db, json, all;
	unsigned reps, boots;
	long long run_a, run_b;
	struct strbuf derived;	/* BASELINE+patch, the default --name */
};

/* --from-db A B: run numbers, or kernel names meaning their newest finished runs */
static int from_db_args(int argc, char **argv, struct compare_cli *o)
{
	if (o->baseline || o->patched) {
		if (argc != 0 || !o->baseline || !o->patched)
			return error("compare --from-db: give RUN_A RUN_B, or --baseline NAME "
				     "--patched NAME (their newest finished runs)");
		return 0;
	}
	if (argc != 2)
		return error("compare --from-db needs two run numbers: RUN_A RUN_B");
	if (cli_parse_run_id(argv[0], &o->run_a) || cli_parse_run_id(argv[1], &o->run_b))
		return -1;
	return 0;
}

static int check_names(struct cli *cli, struct compare_cli *o)
{
	struct strbuf why = STRBUF_INIT;

	if (!o->patches.nr) {
		if (o->name)
			return error("compare: --name names the kernel --patch makes; no --patch given");
		if (!o->baseline || !o->patched)
			return error("compare needs --baseline NAME and --patched NAME ([kernel NAME] "
				     "sections), --baseline NAME --patch SPEC, or --from-db RUN_A RUN_B");
		if (!strcmp(o->baseline, o->patched))
			return error("compare: --baseline and --patched are both '%s' (for an A/A "
				     "run use 'pinbench calibrate --kernel %s')", o->baseline,
				     o->baseline);
		return 0;
	}
	if (!o->baseline || o->patched)
		return error("compare --patch SPEC needs --baseline NAME and no --patched: the "
			     "patched kernel is the baseline plus the patches");
	if (!o->name) {
		strbuf_addf(&o->derived, "%s+patch", o->baseline);
		o->name = o->derived.buf;
	}
	if (config_check_kernel_name(o->name, &why)) {
		error("--name: %s", why.buf);
		strbuf_release(&why);
		return -1;
	}
	if (config_kernel(&cli->cfg, o->name) || !strcmp(o->name, o->baseline))
		return error("--name %s: a [kernel %s] section has that name; choose another",
			     o->name, o->name);
	o->patched = o->name;
	return 0;
}

/* Returns 0 to go on, 1 after --help, -1 on a usage error (printed). */
static int parse_compare_options(int argc, char **argv, struct cli *cli, struct compare_cli *o)
{
	struct option opts[CLI_MAX_OPTIONS + 1];
	char shortopts[CLI_SHORT_MAX];
	int opt, r;

	cli_getopt_tables("compare", opts, shortopts);
	optind = 1;
	while ((opt = getopt_long(argc, argv, shortopts, opts,
				  NULL)) != -1) {
		r = cli_common_option(cli, opt, optarg, "compare");
		if (r < 0)
			return 1;
		if (!r)
			r = cli_plan_option(opt, optarg, &o->reps, &o->boots);
		if (r < 0)
			return -1;
		if (r)
			continue;
		switch (opt) {
		case 'A': o->baseline = optarg; break;
		case 'B': o->patched = optarg; break;
		case 'p': strvec_push(&o->patches, optarg); break;
		case 'n': o->name = optarg; break;
		case 'f': o->from_db = 1; break;
		case 'j': o->json = 1; break;
		case 'a': o->all = 1; break;
		default:
			cli_usage("compare", stderr);
			return -1;
		}
	}
	if (o->from_db) {
		if (o->patches.nr || o->name)
			return error("compare --from-db runs nothing: --patch and --name do not apply");
		return from_db_args(argc - optind, argv + optind, o);
	}
	if (optind < argc)
		return error("compare: unexpected argument '%s'", argv[optind]);
	return 0;
}

/*
 * The report on stdout and, once the comparison is stored, in
 * [store] reports/comparison-ID.txt as well.
 */
static int print_text(struct cli *cli, struct db *db, const struct comparison *c,
		      const struct strbuf *name_a, const struct strbuf *name_b, long long id,
		      unsigned flags)
{
	char *text = NULL, *dir = NULL;
	size_t len = 0;
	struct strbuf path = STRBUF_INIT;
	FILE *mem = open_memstream(&text, &len);
	int ret = report_text(db, c, name_a->buf, name_b->buf, flags, mem);

	fclose(mem);
	fputs(text, stdout);
	if (ret || !id)
		goto out;
	dir = config_path(&cli->cfg, cli->cfg.reports_dir);
	strbuf_addf(&path, "%s/comparison-%lld.txt", dir, id);
	if (mkdir_p(dir) || write_file_atomic(path.buf, text, len)) {
		ret = error("cannot write the report '%s': %s", path.buf, errstr());
		goto out;
	}
	printf("comparison %lld stored in %s\nreport: %s\n", id, cli->db_path, path.buf);
out:
	strbuf_release(&path);
	free(dir);
	free(text);
	return ret;
}

static int report(struct cli *cli, struct compare_cli *o, char **argv)
{
	struct compare_opts opts = COMPARE_OPTS_DEFAULT;
	struct strbuf name_a = STRBUF_INIT, name_b = STRBUF_INIT;
	struct comparison c;
	struct db *db;
	long long id;
	char *command;
	int code = EXIT_OK;

	opts.throughput_threshold = cli->cfg.throughput_threshold;
	opts.latency_threshold = cli->cfg.latency_threshold;
	opts.cost_tolerance = cli->cfg.cost_tolerance;
	opts.cost_fn_tolerance = cli->cfg.cost_fn_tolerance;
	if (db_open(cli->db_path, &db))
		return EXIT_INFRA;
	if (o->from_db && o->baseline) {
		int r = db_latest_run(db, o->baseline, &o->run_a);

		if (!r)
			r = db_latest_run(db, o->patched, &o->run_b);
		if (r) {
			db_close(db);
			return r > 0 ? EXIT_USAGE : EXIT_INFRA;
		}
	}
	if (report_run_names(db, o->run_a, o->run_b, &name_a, &name_b) || compare_runs(db, o->run_a, o->run_b, &opts, &c)) {
		strbuf_release(&name_a);
		strbuf_release(&name_b);
		db_close(db);
		return EXIT_INFRA;
	}
	command = run_command_line(argv);
	if (compare_store(db, &c, command, &id)) {
		code = EXIT_INFRA;
		id = 0;
	}
	/* what is shown is what was stored: read back (unstored, as decided, and exit 3) */
	if (id) {
		comparison_release(&c);
		if (compare_load(db, id, &c)) {
			error("cannot read back comparison %lld", id);
			code = EXIT_INFRA;
			goto out;
		}
	}
	if (o->json) {
		if (report_json(&c, stdout)) {
			error("cannot write the JSON of the comparison to stdout");
			code = EXIT_INFRA;
		}
	} else if (print_text(cli, db, &c, &name_a, &name_b, id, o->all ? COMPARE_PRINT_ALL : 0)) {
		code = EXIT_INFRA;
	}
	if (!code)
		code = c.regressions ? EXIT_REGRESSION : EXIT_OK;
	comparison_release(&c);
out:
	free(command);
	strbuf_release(&name_a);
	strbuf_release(&name_b);
	db_close(db);
	return code;
}

/*
 * With --json, stdout carries the JSON document alone: whatever the runs
 * print on the way (kernel builds, progress, run summaries, and what the
 * programs they spawn write) goes to stderr until the document is due.
 */
static int stdout_to_stderr(void)
{
	int saved;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	if (saved < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		if (saved >= 0)
			close(saved);
		return error("compare --json: cannot set stdout aside: %s", errstr());
	}
	return saved;
}

static int stdout_restore(int saved)
{
	int ret = 0;

	fflush(stdout);
	if (dup2(saved, STDOUT_FILENO) < 0)
		ret = error("compare --json: cannot restore stdout: %s", errstr());
	close(saved);
	return ret;
}

int cmd_compare(int argc, char **argv, struct cli *cli)
{
	struct compare_cli o = { .patches = STRVEC_INIT, .derived = STRBUF_INIT };
	struct run_options ro = { .target = "qemu", .kernels = STRVEC_INIT };
	long long runs[2] = { 0, 0 };
	int ret, saved;

	ret = parse_compare_options(argc, argv, cli, &o);
	if (ret) {
		ret = ret > 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	ret = EXIT_USAGE;
	if (cli_setup(cli))
		goto out;
	if (o.from_db) {
		ret = report(cli, &o, argv);
		goto out;
	}
	if (check_names(cli, &o))
		goto out;
	strvec_push(&ro.kernels, o.baseline);
	strvec_push(&ro.kernels, o.patched);
	ro.patches = o.patches.nr ? &o.patches : NULL;
	ro.reps = o.reps;
	ro.boots = o.boots;
	ro.runs = runs;
	ro.no_summary = 1;
	ro.noise_threshold = cli->cfg.throughput_threshold;
	saved = o.json ? stdout_to_stderr() : -1;
	if (o.json && saved < 0) {
		ret = EXIT_INFRA;
		goto out;
	}
	ret = run_qemu(cli, &ro, argv);
	strvec_clear(&ro.kernels);
	if (o.json && stdout_restore(saved) && !ret)
		ret = EXIT_INFRA;
	if (ret)
		goto out;
	o.run_a = runs[0];
	o.run_b = runs[1];
	if (!o.json)
		printf("\n");
	ret = report(cli, &o, argv);
out:
	strvec_clear(&o.patches);
	strbuf_release(&o.derived);
	return ret;
}
