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
#include "common/strbuf.h"
#include "runner/agent.h"
#include "workloads/diocase.h"
#include "db/db.h"
#include "runner/cli.h"
#include "runner/commands.h"


static int cmd_help(int argc, char **argv, struct cli *cli);
static int cmd_version(int argc, char **argv, struct cli *cli);
static void print_option(FILE *out, const struct cli_option *o);

const struct cli_option pinbench_common_options[] = {
	{ "config", required_argument, 'c', "FILE",
	  "config file (default ./config.ini; built-in defaults without one)", 0 },
	{ "db", required_argument, 'd', "PATH",
	  "database to use instead of the config's [store] database", 0 },
	{ "quiet", no_argument, 'q', NULL, "no progress lines", 0 },
	{ NULL },
};

/* every command takes it, as every git command takes -h */
const struct cli_option pinbench_help_option = { "help", no_argument, 'h', NULL, "this help", 0 };

static const struct cli_option run_options[] = {
	{ "target", required_argument, 't', "host|qemu",
	  "host: the running kernel, on [matrix] devices (default)\n"
	  "qemu: boot each --kernel (a [kernel NAME], built or taken\n"
	  "from the cache) in QEMU with the [target qemu] disks", 0 },
	{ "kernel", required_argument, 'k', "NAME",
	  "the kernel to boot; give it twice and boots alternate\n"
	  "A B A B ..., one run stored per kernel", 0 },
	{ "boots", required_argument, 'b', "N",
	  "boots per kernel; the repetitions are spread over them\n"
	  "(default [target qemu] boots)", 0 },
	{ "repetitions", required_argument, 'r', "N", "override [matrix] repetitions", 0 },
	{ "reps", required_argument, 0, "N", "the same as --repetitions", 'r' },
	{ NULL },
};

static const struct cli_option compare_options[] = {
	{ "baseline", required_argument, 'A', "NAME",
	  "[kernel NAME] section of the baseline: built (or taken\n"
	  "from the cache) and booted A B A B ... in QEMU", 0 },
	{ "patched", required_argument, 'B', "NAME", "[kernel NAME] section of the patched side", 0 },
	{ "patch", required_argument, 'p', "SPEC",
	  "instead of --patched: the baseline plus SPEC (a patch,\n"
	  "mbox, directory or lore:MSGID; repeatable), named\n"
	  "NAME+patch or --name NEW", 0 },
	{ "name", required_argument, 'n', "NEW", "the name of the baseline plus --patch", 0 },
	{ "boots", required_argument, 'b', "N",
	  "boots per kernel, interleaved (default [target qemu]\n"
	  "boots, or what the stored between-boot noise needs)", 0 },
	{ "repetitions", required_argument, 'r', "N",
	  "per job and kernel; default: what this machine's A/A\n"
	  "noise (calibrate) needs to see the [compare] thresholds,\n"
	  "up to max_repetitions, and at least [matrix] repetitions", 0 },
	{ "reps", required_argument, 0, "N", "the same as --repetitions", 'r' },
	{ "from-db", no_argument, 'f', NULL,
	  "compare two stored runs RUN_A RUN_B, running nothing;\n"
	  "with --baseline/--patched names: their newest finished runs", 0 },
	{ "json", no_argument, 'j', NULL, "the whole comparison as JSON", 0 },
	{ "all", no_argument, 'a', NULL,
	  "every row of the table (default: the decided rows and\n"
	  "each job's IOPS and p99 rows)", 0 },
	{ NULL },
};

static const struct cli_option calibrate_options[] = {
	{ "kernel", required_argument, 'k', "NAME",
	  "the [kernel NAME] to boot as both sides (two runs,\n"
	  "boots interleaved A A' A A' ...)", 0 },
	{ "boots", required_argument, 'b', "N",
	  "boots per side (default [target qemu] boots, at least 2:\n"
	  "the between-boot noise is what a verdict is judged by)", 0 },
	{ "repetitions", required_argument, 'r', "N",
	  "per job and side (default: [matrix] repetitions, at least 10)", 0 },
	{ "reps", required_argument, 0, "N", "the same as --repetitions", 'r' },
	{ NULL },
};

static const struct cli_option nightly_options[] = {
	{ "branch", required_argument, 'B', "NAME",
	  "only this [branch NAME] (again for more; default: every one)", 0 },
	{ "dry-run", no_argument, 'n', NULL,
	  "say what each branch would do (fetch, head, measured or not)\n"
	  "and build or run nothing", 0 },
	{ "force", no_argument, 'f', NULL,
	  "measure a head this machine measured already", 0 },
	{ "send", no_argument, 's', NULL,
	  "send the mail of each new confirmed regression ([mail]);\n"
	  "without it the mail is only written as an .eml", 0 },
	{ NULL },
};

static const struct cli_option regression_options[] = {
	{ "branch", required_argument, 'B', "NAME", "list: only this branch's", 0 },
	{ NULL },
};

static const struct cli_option report_options[] = {
	{ "text", required_argument, 't', "COMPARISON",
	  "the text report of a stored comparison (as compare\n"
	  "printed it; the body of its mail)", 0 },
	{ "json", required_argument, 'j', "COMPARISON",
	  "the same stored comparison as one JSON document on stdout", 0 },
	{ "html", optional_argument, 0, "DIR",
	  "the static site of the database into DIR (default\n"
	  "[report] html_dir): index, a page per comparison and per\n"
	  "job x key metric, plots, an Atom feed of regressions;\n"
	  "only what changed is rewritten", 'H' },
	{ "all", no_argument, 'a', NULL, "with --text: every row of the table", 0 },
	{ NULL },
};

static const struct cli_option post_options[] = {
	{ "send", no_argument, 0, NULL,
	  "also send it over SMTP ([mail] smtp_url); a mail that\n"
	  "fails stays queued; a sent mail is never sent again", 's' },
	{ "retry", no_argument, 0, NULL, "send every queued mail", 'r' },
	{ "output", required_argument, 'o', "FILE",
	  "write the mail to FILE instead of\n[store] reports/comparison-N.eml", 0 },
	{ NULL },
};

static const struct cli_option kernel_options[] = {
	{ "from", required_argument, 'F', "NAME", "build: NAME plus --patch, without editing config.ini", 0 },
	{ "patch", required_argument, 'p', "SPEC", "build --from: one more patch (repeatable)", 0 },
	{ "name", required_argument, 'n', "NEW", "build --from: the new kernel's name", 0 },
	{ "jobs", required_argument, 'j', "N", "make -j N (default: [kernels] jobs, else all CPUs)", 0 },
	{ NULL },
};

static const struct cli_option db_options[] = {
	{ "format", required_argument, 'f', "json|csv", "export: the format (default json)", 0 },
	{ "output", required_argument, 'o', "FILE", "export: write FILE instead of stdout", 0 },
	{ NULL },
};

static const struct cli_option agent_options[] = {
	{ "plan", required_argument, 'p', "FILE", "the plan the host wrote", 0 },
	{ NULL },
};

static const struct cli_option dio_case_options[] = {
	{ "case", required_argument, 0, "NAME", "the case to run (pinbench help config: [matrix] cases)", 'C' },
	{ "dir", required_argument, 0, "DIR", "its files go here, on the filesystem under test", 'D' },
	{ "runtime-ms", required_argument, 0, "MS", "measured time, in rounds of 64 I/Os (1000)", 'r' },
	{ "buffer-dir", required_argument, 0, "DIR",
	  "file-mmap: the page-cache file mapped as the buffer goes here (/tmp)", 'b' },
	{ NULL },
};

static const struct cli_option no_options[] = { { NULL } };

const char pinbench_version[] = "0.1.0";

const struct command pinbench_commands[] = {
	{ "run", cmd_run, CMD_COMMON,
	  "run the fio matrix on a target, store every repetition, print a summary",
	  "[--target host|qemu] [--kernel NAME...] [--boots N] [--repetitions N]", run_options,
	  "exit: 0 done, 2 bad config or options, 3 a build, boot, job or tool failed" },
	{ "compare", cmd_compare, CMD_COMMON,
	  "boot both kernels interleaved, run the matrix, print the verdict table",
	  "--baseline NAME (--patched NAME | --patch SPEC... [--name NEW]) [--boots N] "
	  "[--repetitions N] [--json] [--all] | --from-db (RUN_A RUN_B | --baseline NAME "
	  "--patched NAME) [--json] [--all]", compare_options,
	  "the report opens with the verdict (REGRESSION, IMPROVEMENT, NO CHANGE,\n"
	  "INCONCLUSIVE) and its findings; throughput, latency and CPU per I/O are\n"
	  "judged with the boot as the unit: repetitions in a boot share its minute, so\n"
	  "one boot a side decides no such row; interleaved boots are paired (a t-test\n"
	  "on the pairs' log ratios, a bootstrap over pairs; 3 pairs at least), a change\n"
	  "needs the CI to exclude 1, q <= alpha (Benjamini-Hochberg) and [compare]\n"
	  "throughput_threshold (2 %) or latency_threshold (5 %); pins, legacy-DIO calls\n"
	  "and counted instructions per I/O are compared exactly, with each run's pin\n"
	  "balance (a leak is flagged); the report is also saved in [store] reports\n"
	  "exit: 0 no regression, 1 regression, 2 usage, 3 a build, boot or run failed" },
	{ "nightly", cmd_nightly, CMD_COMMON,
	  "build and measure each [branch]'s head, add it to its series, find change points",
	  "[--branch NAME...] [--dry-run] [--force] [--send]", nightly_options,
	  "for each [branch NAME]: git fetch (its fetch key), read the head; a head this\n"
	  "machine measured already is skipped; else build it (incrementally), run the\n"
	  "matrix on it in QEMU as run does and add the night to the branch's series. A\n"
	  "failed build or boot is recorded, never a point of the series. Then each\n"
	  "job's series is searched: an exact row (pins, counted instructions per I/O)\n"
	  "that steps between two nights is a confirmed change point; a noisy one's\n"
	  "steps (E-divisive means, [nightly] max_p, min_segment, the [compare]\n"
	  "thresholds) are suspected. Each change point is stored and printed once. A\n"
	  "new confirmed regression is bisected (one commit per step, its job alone,\n"
	  "[nightly] bisect_steps), its culprit verified against its parent, and its\n"
	  "mail composed once ([mail] to; [store] reports/change-point-ID.eml).\n"
	  "One nightly at a time per database (DATABASE.nightly.lock); a nightly that\n"
	  "stopped leaves its night interrupted, and the next measures that head again\n"
	  "exit: 1 a new confirmed regression; else 3 a night's fetch, build or boot\n"
	  "failed, 0 none did; 2 usage" },
	{ "regression", cmd_regression, CMD_COMMON,
	  "list nightly's change points; acknowledge one or call it a false positive",
	  "list [--branch NAME] | ack ID | false-positive ID", regression_options,
	  "list                 every branch's change points on this machine: id, state,\n"
	  "                     step, commits, first bad commit\n"
	  "ack ID               a known regression (kept, shown as acked)\n"
	  "false-positive ID    not a regression after all (kept, shown as such)\n"
	  "a change point is also marked fixed when a later night steps back to the value\n"
	  "before it" },
	{ "calibrate", cmd_calibrate, CMD_COMMON,
	  "A/A: boot one kernel as both sides, store this machine's noise per job",
	  "--kernel NAME [--boots N] [--repetitions N]", calibrate_options,
	  "prints the A/A table and per job the CV of IOPS and p99 latency (between\n"
	  "boots with 2 or more a side), the smallest change the boots detect and the\n"
	  "boots the [compare] thresholds need; stores the noise for this machine\n"
	  "(compare without --boots takes its boots from it)\n"
	  "exit: 0 measured, 2 usage, 3 a build, boot or run failed" },
	{ "report", cmd_report, CMD_COMMON,
	  "a stored comparison's text report, or the static HTML site of the database",
	  "--text COMPARISON [--all] | --json COMPARISON | --html[=DIR]", report_options, NULL },
	{ "post", cmd_post, CMD_COMMON,
	  "the result mail of a comparison: an .eml, or sent over SMTP (--send)",
	  "COMPARISON [--send] [-o FILE] | --retry", post_options,
	  "COMPARISON: compose its result mail, threaded under the patch\n"
	  "(In-Reply-To/References), to [mail] to and cc (and the patch's author with\n"
	  "reply_all), and write it as [store] reports/comparison-N.eml (or -o FILE)\n"
	  "the SMTP password comes from [mail] password_file or\n"
	  "$PINBENCH_SMTP_PASSWORD, never from the command line\n"
	  "exit: 0 written or sent, 2 usage, 3 not sent (queued) or database failure" },
	{ "kernel", cmd_kernel, CMD_COMMON,
	  "build kernels into the artifact cache, show their paths, list builds and patches",
	  "build [NAME...] | build --from NAME --patch SPEC [--name NEW] | "
	  "path NAME | list | patches SPEC", kernel_options,
	  "build [NAME...]      build the [kernel NAME] sections (all when none is\n"
	  "                     named); a build whose inputs did not change is\n"
	  "                     returned from the cache at once\n"
	  "path NAME            the bzImage of NAME as configured now\n"
	  "list                 the latest build of every kernel name\n"
	  "patches SPEC         the patches SPEC stands for, in the order applied\n"
	  "SPEC: a patch file, an mbox, a directory (series file or name order)\n"
	  "or lore:MSGID (fetched from [kernels] lore_url, kept in the cache)\n"
	  "exit: 0 built, 2 bad input (source, patch, fragment), 3 build/network failure" },
	{ "db", cmd_db, CMD_COMMON, "read the results database back",
	  "list | show RUN | export [--format json|csv] [RUN]", db_options,
	  "list                 one line per run\n"
	  "show RUN             a run's header and per-job summary of every metric\n"
	  "export [RUN]         every sample (of RUN, or all)" },
	{ "agent", cmd_agent, 0,
	  "inside the kernel under test: run a plan, write the results bundle (the qemu target "
	  "starts it)", "--plan FILE", agent_options, NULL },
	{ "dio-case", cmd_dio_case, 0,
	  "run one case of the dio-cases workload, O_DIRECT with controlled buffers (the agent "
	  "runs it as it runs fio)", "--case NAME --dir DIR [--runtime-ms MS]", dio_case_options,
	  "prints one JSON object: I/Os, seconds, pins acquired and released and the disk's\n"
	  "bios over the measured rounds, data errors, pages of the buffer still pinned\n"
	  "afterwards (a fork() probe, root only), whether a huge page or the zero page was\n"
	  "the buffer, and notes on what did not apply\n"
	  "exit: 0 done, 2 usage, 3 an I/O or setup failed" },
	{ "help", cmd_help, 0, "show help for a command, or every config.ini key",
	  "[COMMAND | config | man | completion]", no_options,
	  "config        every config.ini key with its default\n"
	  "man           the man page pinbench(1), in roff (make install installs it)\n"
	  "completion    a bash completion script (commands, options, [kernel] names)" },
	{ "version", cmd_version, 0, "print pinbench's version", "", no_options, NULL },
	{ NULL },
};

static void usage(FILE *out)
{
	const struct command *c;
	const struct cli_option *o;

	fprintf(out, "usage: pinbench COMMAND [--config FILE] [--db PATH] [--quiet] [ARGS]\n\n"
		"Measures legacy direct-I/O throughput, latency and page-pinning cost\n"
		"(fio O_DIRECT, /proc/vmstat pin counters, perf) and stores every repetition\n"
		"in SQLite.\n\ncommands:\n");
	for (c = pinbench_commands; c->name; c++)
		fprintf(out, "  %-9s %s\n", c->name, c->summary);
	fprintf(out, "\ncommon options:\n");
	for (o = pinbench_common_options; o->name; o++)
		print_option(out, o);
	fprintf(out, "  -h, --help                help (pinbench COMMAND --help for a command)\n"
		"\nexit status: 0 ok, 1 regression found, 2 usage or config error,\n"
		"3 infrastructure failure (a tool, the database, a device or a job failed)\n");
}

static const struct command *find_command(const char *name)
{
	const struct command *c;

	for (c = pinbench_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* "  -t, --target host|qemu", padded; the help's lines in a column of their own. */
#define HELP_COLUMN 28

static void print_option(FILE *out, const struct cli_option *o)
{
	struct strbuf left = STRBUF_INIT;
	const char *line = o->help, *nl;

	if (o->letter)
		strbuf_addf(&left, "  -%c, --%s", o->letter, o->name);
	else
		strbuf_addf(&left, "      --%s", o->name);
	if (o->has_arg == required_argument)
		strbuf_addf(&left, " %s", o->arg);
	else if (o->has_arg == optional_argument)
		strbuf_addf(&left, "[=%s]", o->arg);
	if (left.len + 1 >= HELP_COLUMN)
		fprintf(out, "%s\n%*s", left.buf, HELP_COLUMN, "");
	else
		fprintf(out, "%-*s", HELP_COLUMN, left.buf);
	for (; (nl = strchr(line, '\n')); line = nl + 1)
		fprintf(out, "%.*s\n%*s", (int)(nl - line), line, HELP_COLUMN, "");
	fprintf(out, "%s\n", line);
	strbuf_release(&left);
}

/* Every option command c takes, in the order its help lists them. */
static size_t command_options(const struct command *c, const struct cli_option **all,
			      size_t max)
{
	const struct cli_option *o;
	size_t n = 0;

	for (o = c->options; o->name && n < max; o++)
		all[n++] = o;
	for (o = pinbench_common_options; (c->flags & CMD_COMMON) && o->name && n < max; o++)
		all[n++] = o;
	if (n < max)
		all[n++] = &pinbench_help_option;
	return n;
}

void cli_usage(const char *cmd, FILE *out)
{
	const struct command *c = find_command(cmd);
	const struct cli_option *all[CLI_MAX_OPTIONS];
	size_t i, n;

	if (!c)
		return usage(out);
	if (out == stderr) {
		fprintf(out, "usage: pinbench %s%s%s (see 'pinbench %s --help')\n", c->name,
			*c->usage ? " " : "", c->usage, c->name);
		return;
	}
	fprintf(out, "usage: pinbench %s%s%s\n  %s\n\noptions:\n", c->name, *c->usage ? " " : "",
		c->usage, c->summary);
	n = command_options(c, all, CLI_MAX_OPTIONS);
	for (i = 0; i < n; i++)
		print_option(out, all[i]);
	if (c->notes)
		fprintf(out, "\n%s\n", c->notes);
}

/*
 * The getopt_long() tables of command c, from its option table: an option
 * returns its letter, else its val, else 256 + its index. With strict, a
 * missing value returns ':' rather than '?' (check_options tells them apart).
 */
static size_t getopt_tables(const struct command *c, const struct cli_option **all,
			    struct option *longopts, char *shortopts, int strict)
{
	size_t i, n = command_options(c, all, CLI_MAX_OPTIONS);

	if (strict)
		*shortopts++ = ':';
	for (i = 0; i < n; i++) {
		int val = all[i]->letter ? all[i]->letter : all[i]->val;

		longopts[i] = (struct option){ all[i]->name, all[i]->has_arg, NULL,
					       val ? val : 256 + (int)i };
		if (!all[i]->letter)
			continue;
		*shortopts++ = (char)all[i]->letter;
		if (all[i]->has_arg != no_argument)
			*shortopts++ = ':';
		if (all[i]->has_arg == optional_argument)
			*shortopts++ = ':';
	}
	longopts[n] = (struct option){ NULL, 0, NULL, 0 };
	*shortopts = '\0';
	return n;
}

void cli_getopt_tables(const char *cmd, struct option *longopts, char *shortopts)
{
	const struct cli_option *all[CLI_MAX_OPTIONS];
	const struct command *c = find_command(cmd);

	if (!c) {	/* a programming error: every parser names its own command */
		error("bug: no command '%s' in the command table", cmd);
		abort();
	}
	getopt_tables(c, all, longopts, shortopts, 0);
}

/* One line for what getopt_long() refused in argv (opt is '?' or ':'). */
static int option_error(const struct command *c, int opt, char **argv)
{
	const char *arg = argv[optind - 1];

	if (opt == ':')
		return error("%s: option '%s' needs a value (see 'pinbench %s --help')", c->name,
			     arg, c->name);
	if (optopt && !strncmp(arg, "--", 2))
		return error("%s: option '%.*s' takes no value (see 'pinbench %s --help')",
			     c->name, (int)strcspn(arg, "="), arg, c->name);
	if (optopt)
		return error("%s: unknown option '-%c' (see 'pinbench %s --help')", c->name,
			     optopt, c->name);
	return error("%s: unknown option '%.*s' (see 'pinbench %s --help')", c->name,
		     (int)strcspn(arg, "="), arg, c->name);
}

/*
 * Before command c parses its arguments: every option must be one of its
 * table (the command's own parser then sees only those), and --help prints
 * the help made from the table. A copy of argv is scanned, so that the
 * command gets its arguments as given. Returns 0 to run the command, 1
 * after --help, -1 after a usage error (one line printed).
 */
static int check_options(const struct command *c, int argc, char **argv)
{
	const struct cli_option *all[CLI_MAX_OPTIONS];
	struct option longopts[CLI_MAX_OPTIONS + 1];
	char shortopts[CLI_SHORT_MAX];
	char **copy = xmalloc((argc + 1) * sizeof(*copy));
	int opt, ret = 0;

	getopt_tables(c, all, longopts, shortopts, 1);
	memcpy(copy, argv, (argc + 1) * sizeof(*copy));
	optind = 1;
	opterr = 0;	/* option_error() says it, in one line */
	while ((opt = getopt_long(argc, copy, shortopts, longopts, NULL)) != -1) {
		if (opt == '?' || opt == ':') {
			ret = option_error(c, opt, copy);
			break;
		}
		if (opt == 'h') {
			cli_usage(c->name, stdout);
			ret = 1;
			break;
		}
	}
	free(copy);
	optind = 1;
	opterr = 1;
	return ret;
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
	if (argc > 1 && !strcmp(argv[1], "man")) {
		helpgen_man(stdout);
		return EXIT_OK;
	}
	if (argc > 1 && !strcmp(argv[1], "completion")) {
		helpgen_bash_completion(stdout);
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
	printf("pinbench %s\n", pinbench_version);
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
	ret = check_options(c, argc - 1, argv + 1);
	if (ret)
		return ret > 0 ? EXIT_OK : EXIT_USAGE;
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
