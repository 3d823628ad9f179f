// SPDX-License-Identifier: GPL-2.0-only
/* pinbench db list | show RUN | export [--format json|csv] [-o FILE] [RUN] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "db/db.h"
#include "reports/summary.h"
#include "runner/cli.h"

static int db_show(struct db *db, long long run)
{
	int exists = db_run_exists(db, run);

	if (exists < 0)
		return EXIT_INFRA;
	if (!exists) {
		error("no run %lld in '%s'", run, db_path(db));
		return EXIT_USAGE;
	}
	if (db_show_run_header(db, run, stdout) || summary_print(db, run, 1, stdout))
		return EXIT_INFRA;
	return EXIT_OK;
}

static int db_export_cmd(struct db *db, const char *format, const char *outfile, long long run)
{
	enum db_format fmt;
	FILE *out = stdout;
	int ret;

	if (!strcmp(format, "json"))
		fmt = DB_FORMAT_JSON;
	else if (!strcmp(format, "csv"))
		fmt = DB_FORMAT_CSV;
	else {
		error("--format '%s': use json or csv", format);
		return EXIT_USAGE;
	}
	if (run > 0) {
		int exists = db_run_exists(db, run);

		if (exists <= 0) {
			if (!exists)
				error("no run %lld in '%s'", run, db_path(db));
			return exists ? EXIT_INFRA : EXIT_USAGE;
		}
	}
	if (outfile) {
		out = fopen(outfile, "w");
		if (!out) {
			error("cannot write '%s': %s", outfile, errstr());
			return EXIT_INFRA;
		}
	}
	ret = db_export(db, run, fmt, out);
	if (!ret && (fflush(out) || ferror(out)))
		ret = error("cannot write '%s': %s", outfile ? outfile : "stdout", errstr());
	if (outfile && fclose(out))
		ret = error("cannot write '%s': %s", outfile, errstr());
	return ret ? EXIT_INFRA : EXIT_OK;
}

int cmd_db(int argc, char **argv, struct cli *cli)
{
	struct option opts[CLI_MAX_OPTIONS + 1];
	char shortopts[CLI_SHORT_MAX];
	const char *format = "json", *outfile = NULL, *sub;
	long long run = 0;
	struct db *db = NULL;
	int opt, r, code;

	cli_getopt_tables("db", opts, shortopts);
	optind = 1;
	while ((opt = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		r = cli_common_option(cli, opt, optarg, "db");
		if (r < 0)
			return EXIT_OK;
		if (r)
			continue;
		switch (opt) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			outfile = optarg;
			break;
		default:
			cli_usage("db", stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_usage("db", stderr);
		return EXIT_USAGE;
	}
	sub = argv[optind++];
	if (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "export")) {
		error("db: unknown subcommand '%s' (list, show, export)", sub);
		return EXIT_USAGE;
	}
	if (!strcmp(sub, "show") && optind != argc - 1) {
		error("db show: which run? (pinbench db show RUN)");
		return EXIT_USAGE;
	}
	if (optind < argc && cli_parse_run_id(argv[optind], &run))
		return EXIT_USAGE;
	if (optind + 1 < argc || (!strcmp(sub, "list") && optind < argc)) {
		error("db %s: unexpected argument '%s'", sub, argv[argc - 1]);
		return EXIT_USAGE;
	}
	if (cli_setup(cli))
		return EXIT_USAGE;
	code = cli_open_existing_db(cli, &db);
	if (code)
		return code;
	if (!strcmp(sub, "list"))
		code = db_list_runs(db, stdout) ? EXIT_INFRA : EXIT_OK;
	else if (!strcmp(sub, "show"))
		code = db_show(db, run);
	else
		code = db_export_cmd(db, format, outfile, run);
	db_close(db);
	return code;
}
