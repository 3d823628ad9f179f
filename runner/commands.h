/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_COMMANDS_H
#define PINBENCH_COMMANDS_H

#include <stdio.h>

#include "runner/cli.h"

/*
 * The command table (after git.c's): each command's function, what it
 * takes, its one-line summary, its usage line and its option table. From
 * these come 'pinbench help', 'pinbench CMD --help', the usage line of a
 * usage error, the check that refuses, before the command runs, every
 * option its table does not list, the man page and the shell completion
 * (runner/helpgen.c).
 */
#define CMD_COMMON (1 << 0)	/* takes --config, --db and --quiet */

struct command {
	const char *name;
	int (*fn)(int argc, char **argv, struct cli *cli);
	unsigned flags;
	const char *summary;
	const char *usage;
	const struct cli_option *options;	/* its own, { NULL } at the end */
	const char *notes;			/* after the options in --help */
};

extern const struct command pinbench_commands[];	/* { NULL } at the end */
extern const struct cli_option pinbench_common_options[];
extern const struct cli_option pinbench_help_option;
extern const char pinbench_version[];

/* The man page pinbench(1), in roff, from the tables and the config reference. */
void helpgen_man(FILE *out);
/* A bash completion script: commands, their options, [kernel NAME]s of the config. */
void helpgen_bash_completion(FILE *out);

#endif
