/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_CLI_H
#define PINBENCH_CLI_H

#include <getopt.h>

#include "common/config.h"

/*
 * What every command shares: --config FILE, --db PATH, --quiet, --help.
 * runner/main.c holds the command table (after git.c): each command's
 * cmd_* function, flags saying which shared options it takes, a summary,
 * a usage line and a table of its options (struct cli_option). 'pinbench
 * help', 'pinbench CMD --help' and the usage line of a usage error are
 * printed from those tables, and main refuses, in one line and before the
 * command runs, every option that its table does not list. The commands
 * then parse their arguments with getopt_long() and the tables that
 * cli_getopt_tables() makes from the same option table, as git's
 * parse-options does: one table per command, for parsing and for help.
 */
struct cli {
	const char *config_path;	/* --config, or NULL for ./config.ini */
	const char *db_override;	/* --db */
	int quiet;
	struct config cfg;
	int config_loaded;
	char *db_path;			/* resolved: --db or the config's database */
};

/* An option in the command table: getopt_long()'s entry and its help. */
struct cli_option {
	const char *name;	/* --name */
	int has_arg;		/* no_argument, required_argument or optional_argument */
	int letter;		/* -letter as well, or 0 */
	const char *arg;	/* the value's name in the help ("FILE"), or NULL */
	const char *help;	/* lines separated by '\n' */
	int val;		/* what getopt_long() returns for it without a letter */
};

#define CLI_MAX_OPTIONS 32

/* room for getopt_long()'s tables of one command: cli_getopt_tables() */
#define CLI_SHORT_MAX (3 * CLI_MAX_OPTIONS + 2)

/*
 * The getopt_long() tables of command cmd, made from its option table in
 * runner/main.c (the one its help is printed from), the common options
 * and --help included: longopts has room for CLI_MAX_OPTIONS + 1 entries,
 * shortopts for CLI_SHORT_MAX bytes. getopt_long() returns an option's
 * letter, else its val.
 */
void cli_getopt_tables(const char *cmd, struct option *longopts, char *shortopts);

struct db;
/* Open the database of a command that only reads: an exit code (missing: 2, error printed). */
int cli_open_existing_db(struct cli *cli, struct db **db);

/* Handle 'r' or 'b': 1 handled, 0 not one of them, -1 a bad count (printed). */
int cli_plan_option(int opt, const char *arg, unsigned *reps, unsigned *boots);

/*
 * Handle a common option from getopt_long; returns 1 when handled, 0 when
 * the option is not a common one, -1 for --help (usage already printed).
 */
int cli_common_option(struct cli *cli, int opt, const char *arg, const char *cmd);

/* Load the config (--config, else ./config.ini when present, else defaults) and resolve the db path. */
int cli_setup(struct cli *cli);
void cli_release(struct cli *cli);

/*
 * To stdout: the help of cmd, from its tables (every command's list when
 * cmd is not one). To stderr, after a usage error: its usage line alone.
 */
void cli_usage(const char *cmd, FILE *out);

/* A run number (> 0) from the command line; error printed otherwise. */
int cli_parse_run_id(const char *s, long long *run);
/* A positive row number of `what` ("comparison", "mail"); error printed. */
int cli_parse_id(const char *what, const char *s, long long *id);
/* A count from 1 to 1000 given to option `what` (--repetitions, --boots). */
int cli_parse_count(const char *what, const char *s, unsigned *out);

int cmd_run(int argc, char **argv, struct cli *cli);
int cmd_db(int argc, char **argv, struct cli *cli);
int cmd_kernel(int argc, char **argv, struct cli *cli);
int cmd_compare(int argc, char **argv, struct cli *cli);
int cmd_calibrate(int argc, char **argv, struct cli *cli);
int cmd_nightly(int argc, char **argv, struct cli *cli);
int cmd_regression(int argc, char **argv, struct cli *cli);
int cmd_report(int argc, char **argv, struct cli *cli);
int cmd_post(int argc, char **argv, struct cli *cli);

struct db;
struct strbuf;
struct comparison;
/*
 * The text report of stored comparison `comparison` into text (as stored,
 * never decided again; c is filled and must be released on success). Returns 0,
 * 1 when there is no such comparison (error printed), -1 on other errors.
 */
int report_comparison_text(struct cli *cli, struct db *db, long long comparison, unsigned flags,
			   struct strbuf *text, struct comparison *c);

struct db;
struct kernel_artifact;
/*
 * The kernel of [kernel SECTION], plus `extra` patches (may be NULL) under
 * the name `as` (NULL: SECTION), built now or taken from the artifact cache
 * for a target to boot. Returns an exit code (error printed).
 */
int kernel_for_run(struct cli *cli, struct db *db, const char *section,
		   const struct strvec *extra, const char *as, struct kernel_artifact *a);

#endif
