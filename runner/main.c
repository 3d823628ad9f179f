// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinbench: did this patch make direct I/O slower, and what does it cost in
 * page pinning? Command dispatch and the options every command shares.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/net.h"
#include "common/spawn.h"
#include "runner/agent.h"
#include "db/db.h"
#include "runner/cli.h"

#define PINBENCH_VERSION "0.1.0"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv, struct cli *cli);
	const char *args;
	const char *help;
};

static int cmd_help(int argc, char **argv, struct cli *cli);
static int cmd_version(int argc, char **argv, struct cli *cli);

static const struct command commands[] = {
	{ "run", cmd_run, "[--target host|qemu] [--kernel NAME...] [--boots N] [--repetitions N]",
	  "run the fio matrix on a target, store every repetition, print a summary" },
	{ "compare", cmd_compare, "--baseline NAME (--patched NAME | --patch SPEC... [--name NEW]) "
	  "[--boots N] [--repetitions N] [--json] | --from-db (RUN_A RUN_B | --baseline NAME "
	  "--patched NAME) [--json]",
	  "boot both kernels interleaved, run the matrix, print the verdict table" },
	{ "calibrate", cmd_calibrate, "--kernel NAME [--boots N] [--repetitions N]",
	  "A/A: boot one kernel as both sides, store this machine's noise per job" },
	{ "report", cmd_report, "--text COMPARISON | --html[=DIR]",
	  "a stored comparison's text report, or the static HTML site of the database" },
	{ "post", cmd_post, "COMPARISON [--send] [-o FILE] | --retry",
	  "the result mail of a comparison: an .eml, or sent over SMTP (--send)" },
	{ "kernel", cmd_kernel, "build [NAME...] | build --from NAME --patch SPEC [--name NEW] | "
	  "path NAME | list | patches SPEC",
	  "build kernels into the artifact cache, show their paths, list builds and patches" },
	{ "db", cmd_db, "list | show RUN | export [--format json|csv] [RUN]",
	  "read the results database back" },
	{ "agent", cmd_agent, "--plan FILE",
	  "inside the kernel under test: run a plan, write the results bundle (the qemu target "
	  "starts it)" },
	{ "help", cmd_help, "[COMMAND | config]",
	  "show help for a command, or every config.ini key" },
	{ "version", cmd_version, "", "print pinbench's version" },
	{ NULL, NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	const struct command *c;

	fprintf(out, "usage: pinbench COMMAND [--config FILE] [--db PATH] [--quiet] [ARGS]\n\n"
		"Measures legacy direct-I/O throughput, latency and page-pinning cost\n"
		"(fio O_DIRECT, /proc/vmstat pin counters, perf) and stores every repetition\n"
		"in SQLite.\n\ncommands:\n");
	for (c = commands; c->name; c++)
		fprintf(out, "  %-9s %s\n", c->name, c->help);
	fprintf(out, "\ncommon options:\n"
		"  -c, --config FILE  config file (default ./config.ini; built-in defaults without one)\n"
		"  -d, --db PATH      database to use instead of the config's [store] database\n"
		"  -q, --quiet        no progress lines\n"
		"  -h, --help         help (pinbench COMMAND --help for a command)\n"
		"\nexit status: 0 ok, 1 regression found, 2 usage or config error,\n"
		"3 infrastructure failure (a tool, the database, a device or a job failed)\n");
}

static const struct command *find_command(const char *name)
{
	const struct command *c;

	for (c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

void cli_usage(const char *cmd, FILE *out)
{
	const struct command *c = find_command(cmd);

	if (!c)
		return usage(out);
	fprintf(out, "usage: pinbench %s %s\n  %s\n", c->name, c->args, c->help);
	if (!strcmp(cmd, "run"))
		fprintf(out, "\n  --target host        the running kernel, on [matrix] devices (default)\n"
			"  --target qemu        boot each --kernel (a [kernel NAME], built or taken\n"
			"                       from the cache) in QEMU with the [target qemu] disks\n"
			"  --kernel NAME        the kernel to boot; give it twice and boots alternate\n"
			"                       A B A B ..., one run stored per kernel\n"
			"  --boots N            boots per kernel; the repetitions are spread over them\n"
			"  --repetitions N      override [matrix] repetitions (--reps N too)\n"
			"  exit: 0 done, 2 bad config or options, 3 a build, boot, job or tool failed\n");
	if (!strcmp(cmd, "kernel"))
		fprintf(out, "\n  build [NAME...]      build the [kernel NAME] sections (all when none is\n"
			"                       named); a build whose inputs did not change is\n"
			"                       returned from the cache at once\n"
			"  build --from NAME --patch SPEC [--patch SPEC...] [--name NEW]\n"
			"                       NAME plus more patches, without editing config.ini\n"
			"  --jobs N             make -j N (default: [kernels] jobs, else all CPUs)\n"
			"  path NAME            the bzImage of NAME as configured now\n"
			"  list                 the latest build of every kernel name\n"
			"  patches SPEC         the patches SPEC stands for, in the order applied\n"
			"\n  SPEC: a patch file, an mbox, a directory (series file or name order)\n"
			"  or lore:MSGID (fetched from [kernels] lore_url, kept in the cache)\n"
			"  exit: 0 built, 2 bad input (source, patch, fragment), 3 build/network failure\n");
	if (!strcmp(cmd, "compare"))
		fprintf(out, "\n  --baseline NAME --patched NAME\n"
			"                       [kernel NAME] sections: both are built (or taken from\n"
			"                       the cache) and booted A B A B ... in QEMU\n"
			"  --patch SPEC         instead of --patched: the baseline plus SPEC (a patch,\n"
			"                       mbox, directory or lore:MSGID; repeatable), named\n"
			"                       NAME+patch or --name NEW\n"
			"  --boots N            boots per kernel (default 1)\n"
			"  --repetitions N      per job and kernel (--reps N too); default: what this\n"
			"                       machine's A/A noise (calibrate) needs to see the\n"
			"                       [compare] thresholds, up to max_repetitions, and at\n"
			"                       least [matrix] repetitions\n"
			"  --from-db RUN_A RUN_B  compare two stored runs, running nothing; with\n"
			"                       --baseline/--patched names: their newest finished runs\n"
			"  --json               the whole comparison as JSON\n"
			"  per job and metric: ratio of medians with a 95 %% bootstrap CI, Mann-Whitney U,\n"
			"  Benjamini-Hochberg; a change needs the CI to exclude 1 and to pass\n"
			"  [compare] throughput_threshold (2 %%) or latency_threshold (5 %%); pins and\n"
			"  legacy-DIO calls per I/O are compared exactly, with each run's pin balance\n"
			"  (a leak is flagged); the report is also saved in [store] reports\n"
			"  exit: 0 no regression, 1 regression, 2 usage, 3 a build, boot or run failed\n");
	if (!strcmp(cmd, "calibrate"))
		fprintf(out, "\n  --kernel NAME        the [kernel NAME] to boot as both sides (two runs,\n"
			"                       boots interleaved A A' A A' ...)\n"
			"  --boots N            boots per side (default 2: between-boot noise counts)\n"
			"  --repetitions N      per job and side (--reps N too; default: [matrix]\n"
			"                       repetitions, at least 10)\n"
			"  prints the A/A table and per job the CV of IOPS and p99 latency, the\n"
			"  smallest change the repetitions detect and the repetitions the [compare]\n"
			"  thresholds need; stores the noise for this machine (compare uses it)\n"
			"  exit: 0 measured, 2 usage, 3 a build, boot or run failed\n");
	if (!strcmp(cmd, "report"))
		fprintf(out, "\n  --text COMPARISON    the text report of a stored comparison (as compare\n"
			"                       printed it; the body of its mail)\n"
			"  --html[=DIR]         the static site of the database into DIR (default\n"
			"                       [report] html_dir): index, a page per comparison and per\n"
			"                       job x key metric, plots, an Atom feed of regressions;\n"
			"                       only what changed is rewritten\n");
	if (!strcmp(cmd, "post"))
		fprintf(out, "\n  COMPARISON           compose its result mail, threaded under the patch\n"
			"                       (In-Reply-To/References), to [mail] to and cc (and\n"
			"                       the patch's author with reply_all), and write it as\n"
			"                       [store] reports/comparison-N.eml (or -o FILE)\n"
			"  --send               also send it over SMTP ([mail] smtp_url); a mail that\n"
			"                       fails stays queued; a sent mail is never sent again\n"
			"  --retry              send every queued mail\n"
			"  the SMTP password comes from [mail] password_file or\n"
			"  $PINBENCH_SMTP_PASSWORD, never from the command line\n"
			"  exit: 0 written or sent, 2 usage, 3 not sent (queued) or database failure\n");
	if (!strcmp(cmd, "db"))
		fprintf(out, "\n  list                 one line per run\n"
			"  show RUN             a run's header and per-job summary of every metric\n"
			"  export [RUN]         every sample (of RUN, or all): --format json|csv,\n"
			"                       -o FILE to write a file instead of stdout\n");
	fprintf(out, "\ncommon options: --config FILE, --db PATH, --quiet, --help\n");
}

int cli_common_option(struct cli *cli, int opt, const char *arg, const char *cmd)
{
	switch (opt) {
	case 'c':
		cli->config_path = arg;
		return 1;
	case 'd':
		cli->db_override = arg;
		return 1;
	case 'q':
		cli->quiet = 1;
		log_set_quiet(1);
		return 1;
	case 'h':
		cli_usage(cmd, stdout);
		return -1;
	}
	return 0;
}

/* A positive row number: runs, comparisons, mails. */
static int parse_row_id(const char *s, long long *id)
{
	char *end;

	errno = 0;
	*id = strtoll(s, &end, 10);
	return errno || *end || *id <= 0 || !*s ? -1 : 0;
}

int cli_parse_id(const char *what, const char *s, long long *id)
{
	if (parse_row_id(s, id))
		return error("'%s' is not a %s number", s, what);
	return 0;
}

int cli_parse_run_id(const char *s, long long *run)
{
	if (parse_row_id(s, run))
		return error("'%s' is not a run number (see 'pinbench db list')", s);
	return 0;
}

int cli_parse_count(const char *what, const char *s, unsigned *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !v || v > 1000 || *s == '-')
		return error("%s: '%s' is not a number from 1 to 1000", what, s);
	*out = (unsigned)v;
	return 0;
}

int cli_open_existing_db(struct cli *cli, struct db **db)
{
	/* reading must not create an empty database by mistake */
	if (access(cli->db_path, F_OK)) {
		error("no database at '%s' (run 'pinbench run' or 'pinbench compare' first, or "
		      "pass --db)", cli->db_path);
		return EXIT_USAGE;
	}
	return db_open(cli->db_path, db) ? EXIT_INFRA : EXIT_OK;
}

int cli_plan_option(int opt, const char *arg, unsigned *reps, unsigned *boots)
{
	if (opt == 'r')
		return cli_parse_count("--repetitions", arg, reps) ? -1 : 1;
	if (opt == 'b')
		return cli_parse_count("--boots", arg, boots) ? -1 : 1;
	return 0;
}

int cli_setup(struct cli *cli)
{
	config_init(&cli->cfg);
	cli->config_loaded = 1;
	if (cli->config_path) {
		if (config_load(&cli->cfg, cli->config_path))
			return -1;
	} else if (!access("config.ini", F_OK)) {
		if (config_load(&cli->cfg, "config.ini"))
			return -1;
	}
	if (cli->db_override)
		cli->db_path = xstrdup(cli->db_override);
	else
		cli->db_path = config_path(&cli->cfg, cli->cfg.database);
	return 0;
}

void cli_release(struct cli *cli)
{
	if (cli->config_loaded)
		config_release(&cli->cfg);
	free(cli->db_path);
}

static int cmd_help(int argc, char **argv, struct cli *cli)
{
	(void)cli;
	if (argc > 1 && !strcmp(argv[1], "config")) {
		config_print_reference(stdout);
		return EXIT_OK;
	}
	if (argc > 1 && !find_command(argv[1])) {
		error("unknown command '%s'", argv[1]);
		return EXIT_USAGE;
	}
	if (argc > 1)
		cli_usage(argv[1], stdout);
	else
		usage(stdout);
	return EXIT_OK;
}

static int cmd_version(int argc, char **argv, struct cli *cli)
{
	(void)argc;
	(void)argv;
	(void)cli;
	printf("pinbench %s\n", PINBENCH_VERSION);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct cli cli;
	const struct command *c;
	int ret;

	memset(&cli, 0, sizeof(cli));
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(0, NULL, NULL);
	c = find_command(argv[1]);
	if (!c) {
		error("unknown command '%s' (see 'pinbench --help')", argv[1]);
		return EXIT_USAGE;
	}
	spawn_install_signals();
	if (net_init()) {
		error("cannot initialise libcurl");
		return EXIT_INFRA;
	}
	ret = c->fn(argc - 1, argv + 1, &cli);
	cli_release(&cli);
	net_cleanup();
	return ret;
}
