// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinbench calibrate --kernel NAME: the same kernel as both sides of a
 * comparison (two runs, boots interleaved A A' A A' ...), to learn how
 * noisy this machine is per job. The A/A comparison and the noise of every
 * noisy metric are stored; compare uses the noise to choose how many
 * repetitions it needs and says in its report what it could have seen.
 * Exit: 0 measured, 2 usage, 3 infrastructure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "db/db.h"
#include "reports/compare.h"
#include "reports/noise.h"
#include "runner/cli.h"
#include "runner/run.h"

/* More than compare's default: the noise estimate is only as good as its n. */
#define CALIBRATE_MIN_REPS 10
#define CALIBRATE_BOOTS 2

struct calibrate_cli {
	const char *kernel;
	unsigned reps, boots;
};

static int parse_calibrate_options(int argc, char **argv, struct cli *cli,
				   struct calibrate_cli *o)
{
	struct option opts[CLI_MAX_OPTIONS + 1];
	char shortopts[CLI_SHORT_MAX];
	int opt, r;

	cli_getopt_tables("calibrate", opts, shortopts);
	optind = 1;
	while ((opt = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		r = cli_common_option(cli, opt, optarg, "calibrate");
		if (r < 0)
			return 1;
		if (!r)
			r = cli_plan_option(opt, optarg, &o->reps, &o->boots);
		if (r < 0)
			return -1;
		if (r)
			continue;
		switch (opt) {
		case 'k': o->kernel = optarg; break;
		default:
			cli_usage("calibrate", stderr);
			return -1;
		}
	}
	if (optind < argc)
		return error("calibrate: unexpected argument '%s'", argv[optind]);
	if (!o->kernel)
		return error("calibrate needs --kernel NAME (a [kernel NAME] section)");
	return 0;
}

static int report(struct cli *cli, long long run_a, long long run_b, unsigned reps,
		  const char *kernel, char **argv)
{
	struct compare_opts opts = COMPARE_OPTS_DEFAULT;
	struct comparison c;
	struct db *db;
	long long id;
	char *command = run_command_line(argv);
	int code = EXIT_INFRA;

	opts.throughput_threshold = cli->cfg.throughput_threshold;
	opts.latency_threshold = cli->cfg.latency_threshold;
	opts.cost_tolerance = cli->cfg.cost_tolerance;
	opts.cost_fn_tolerance = cli->cfg.cost_fn_tolerance;
	if (db_open(cli->db_path, &db)) {
		free(command);
		return EXIT_INFRA;
	}
	if (compare_runs(db, run_a, run_b, &opts, &c))
		goto out;
	/* what is printed is what was stored: read back */
	if (compare_store(db, &c, command, &id))
		goto out_release;
	comparison_release(&c);
	if (compare_load(db, id, &c))
		goto out;
	printf("\npinbench calibrate: %s against itself (run %lld against run %lld)\n\n", kernel,
	       run_b, run_a);
	compare_print(&c, "A", "A'", COMPARE_PRINT_ALL, stdout);
	printf("\n");
	noise_print_calibration(&c, &c.opts, reps, stdout);
	if (noise_store_calibration(db, &c, id))
		goto out_release;
	if (c.regressions || c.improvements)
		warning("the A/A comparison called %zu regression%s and %zu improvement%s between "
			"two runs of one kernel: false positives, so verdicts near the thresholds "
			"need more boots on this machine", c.regressions,
			c.regressions == 1 ? "" : "s", c.improvements, c.improvements == 1 ? "" : "s");
	if (c.min_boots >= 2)
		printf("\nA/A comparison %lld and the between-boot noise of its jobs stored in %s:\n"
		       "compare without --boots now picks its boots from it (up to [compare] "
		       "max_boots = %u)\n", id, cli->db_path, cli->cfg.max_boots);
	else
		printf("\nA/A comparison %lld and the noise of its jobs (inside one boot) stored in "
		       "%s:\ncompare now picks its repetitions from it (up to [compare] "
		       "max_repetitions = %u)\n", id, cli->db_path, cli->cfg.max_repetitions);
	code = EXIT_OK;
out_release:
	comparison_release(&c);
out:
	free(command);
	db_close(db);
	return code;
}

int cmd_calibrate(int argc, char **argv, struct cli *cli)
{
	struct calibrate_cli o = { 0 };
	struct run_options ro = { .target = "qemu", .kernels = STRVEC_INIT };
	long long runs[2] = { 0, 0 };
	int ret;

	ret = parse_calibrate_options(argc, argv, cli, &o);
	if (ret)
		return ret > 0 ? EXIT_OK : EXIT_USAGE;
	if (cli_setup(cli))
		return EXIT_USAGE;
	if (!o.reps)
		o.reps = cli->cfg.repetitions > CALIBRATE_MIN_REPS ? cli->cfg.repetitions :
								     CALIBRATE_MIN_REPS;
	/* the between-boot noise is the one a verdict is judged against: boots, not repetitions */
	if (!o.boots) {
		o.boots = cli->cfg.qemu.boots > CALIBRATE_BOOTS ? cli->cfg.qemu.boots :
								    CALIBRATE_BOOTS;
		if (o.boots > o.reps)
			o.boots = o.reps;
	}
	strvec_push(&ro.kernels, o.kernel);
	strvec_push(&ro.kernels, o.kernel);
	ro.reps = o.reps;
	ro.boots = o.boots;
	ro.runs = runs;
	ro.no_summary = 1;
	ret = run_qemu(cli, &ro, argv);
	strvec_clear(&ro.kernels);
	if (ret)
		return ret;
	return report(cli, runs[0], runs[1], o.reps, o.kernel, argv);
}
