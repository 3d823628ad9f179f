// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinbench regression list [--branch NAME] | ack ID | false-positive ID
 *
 * The change points nightly found, and what a person says of them: a
 * regression acknowledged (known, being worked on) or a false positive.
 * Either way it is kept, with its state, on the branch's page.
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "db/db.h"
#include "reports/nightseries.h"
#include "runner/cli.h"

static int list_one(const struct db_change_point *cp, void *data)
{
	struct strbuf line = STRBUF_INIT;

	(void)data;
	nightseries_describe(cp, cp->good_commit, cp->bad_commit, &line);
	printf("%-5lld %s", cp->id, line.buf);
	if (*cp->culprit)
		printf("; first bad commit %.12s (%s)", cp->culprit, cp->culprit_subject);
	printf("\n");
	strbuf_release(&line);
	return 0;
}

struct list_ctx {
	struct db *db;
	const char *only;	/* --branch, or NULL */
	int seen;
};

static int list_branch(const char *branch, long long nights, long long measured,
		       const char *last, void *data)
{
	struct list_ctx *l = data;

	(void)last;
	if (l->only && strcmp(l->only, branch))
		return 0;
	l->seen = 1;
	printf("branch %s: %lld nights, %lld measured\n", branch, nights, measured);
	return db_change_points(l->db, branch, list_one, NULL);
}

int cmd_regression(int argc, char **argv, struct cli *cli)
{
	struct option opts[CLI_MAX_OPTIONS + 1];
	char shortopts[CLI_SHORT_MAX];
	const char *branch = NULL, *sub, *state = NULL;
	long long id = 0;
	struct db *db = NULL;
	int opt, r, code;

	cli_getopt_tables("regression", opts, shortopts);
	optind = 1;
	while ((opt = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		r = cli_common_option(cli, opt, optarg, "regression");
		if (r < 0)
			return EXIT_OK;
		if (r)
			continue;
		if (opt == 'B') {
			branch = optarg;
			continue;
		}
		cli_usage("regression", stderr);
		return EXIT_USAGE;
	}
	if (optind >= argc) {
		cli_usage("regression", stderr);
		return EXIT_USAGE;
	}
	sub = argv[optind++];
	if (!strcmp(sub, "ack"))
		state = "acked";
	else if (!strcmp(sub, "false-positive"))
		state = "false_positive";
	else if (strcmp(sub, "list")) {
		error("regression: unknown subcommand '%s' (list, ack, false-positive)", sub);
		return EXIT_USAGE;
	}
	if (state) {
		if (optind != argc - 1) {
			error("regression %s: which change point? (pinbench regression %s ID; "
			      "'pinbench regression list' shows them)", sub, sub);
			return EXIT_USAGE;
		}
		if (cli_parse_id("change point", argv[optind], &id))
			return EXIT_USAGE;
	} else if (optind < argc) {
		error("regression list: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (cli_setup(cli))
		return EXIT_USAGE;
	code = cli_open_existing_db(cli, &db);
	if (code)
		return code;
	if (state) {
		r = db_change_point_set_state(db, id, state);
		if (r > 0)
			error("no change point %lld in '%s' ('pinbench regression list' shows them)",
			      id, cli->db_path);
		else if (!r)
			printf("change point %lld: %s\n", id, state);
		code = r < 0 ? EXIT_INFRA : r ? EXIT_USAGE : EXIT_OK;
	} else {
		struct list_ctx l = { db, branch, 0 };

		code = db_list_branches(db, list_branch, &l) ? EXIT_INFRA : EXIT_OK;
		if (!code && !l.seen)
			printf("no nights%s%s on this machine\n", branch ? " of branch " : "",
			       branch ? branch : "");
	}
	db_close(db);
	return code;
}
