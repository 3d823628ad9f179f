// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinbench report --text COMPARISON: the text report of a stored
 * comparison, as compare printed it and the result mail carries it.
 * pinbench report --json COMPARISON: the same comparison as JSON, alone on
 * stdout. Both show the stored verdicts and the settings they were decided
 * under, never a decision under today's [compare].
 * pinbench report --html[=DIR]: the static site (reports/site.c) into DIR,
 * default [report] html_dir.
 * Exit: 0, 2 usage or an unknown comparison, 3 database or plotting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "db/db.h"
#include "reports/compare.h"
#include "reports/report.h"
#include "reports/site.h"
#include "runner/cli.h"

struct report_cli {
	long long text;		/* --text COMPARISON */
	long long json;		/* --json COMPARISON */
	const char *html;	/* --html DIR */
	int html_given;
	int all;		/* --all: every row of the --text table */
};

static int parse_report_options(int argc, char **argv, struct cli *cli, struct report_cli *o)
{
	struct option opts[CLI_MAX_OPTIONS + 1];
	char shortopts[CLI_SHORT_MAX];
	int opt, r;

	cli_getopt_tables("report", opts, shortopts);
	optind = 1;
	while ((opt = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		r = cli_common_option(cli, opt, optarg, "report");
		if (r < 0)
			return 1;
		if (r)
			continue;
		switch (opt) {
		case 't':
			if (cli_parse_id("comparison", optarg, &o->text))
				return -1;
			break;
		case 'j':
			if (cli_parse_id("comparison", optarg, &o->json))
				return -1;
			break;
		case 'H':
			o->html_given = 1;
			o->html = optarg;
			break;
		case 'a':
			o->all = 1;
			break;
		default:
			cli_usage("report", stderr);
			return -1;
		}
	}
	if (optind < argc)
		return error("report: unexpected argument '%s'", argv[optind]);
	if (!!o->text + !!o->json + o->html_given != 1)
		return error("report needs one of --text COMPARISON, --json COMPARISON or "
			     "--html[=DIR]");
	return 0;
}

/* The stored comparison, 0, or 1 (said) when there is none. */
static int load(struct cli *cli, struct db *db, long long comparison, struct comparison *c)
{
	int r = compare_load(db, comparison, c);

	if (r > 0)
		error("no comparison %lld in '%s' (see 'pinbench db list')", comparison,
		      cli->db_path);
	return r;
}

/*
 * As stored: the verdicts and the settings that decided them, whatever
 * [compare] says today (a new decision is 'pinbench compare --from-db').
 */
int report_comparison_text(struct cli *cli, struct db *db, long long comparison, unsigned flags,
			   struct strbuf *text, struct comparison *c)
{
	struct strbuf name_a = STRBUF_INIT, name_b = STRBUF_INIT;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int r = load(cli, db, comparison, c);

	if (r)
		return r;
	if (report_run_names(db, c->run_a, c->run_b, &name_a, &name_b)) {
		comparison_release(c);
		strbuf_release(&name_a);
		strbuf_release(&name_b);
		return -1;
	}
	mem = open_memstream(&buf, &len);
	fprintf(mem, "comparison %lld\n", comparison);
	r = report_text(db, c, name_a.buf, name_b.buf, flags, mem);
	fclose(mem);
	strbuf_add(text, buf, len);
	free(buf);
	strbuf_release(&name_a);
	strbuf_release(&name_b);
	if (r)
		comparison_release(c);
	return r;
}

static int report_html(struct cli *cli, struct db *db, const char *dir_opt)
{
	struct site_opts so = { .base_url = cli->cfg.report.base_url, .plots = 1 };
	struct site_stats st;
	char *dir = dir_opt ? xstrdup(dir_opt) : config_path(&cli->cfg, cli->cfg.report.html_dir);
	int ret;

	so.dir = dir;
	if (mkdir_p(dir)) {
		error("cannot create '%s': %s", dir, errstr());
		free(dir);
		return EXIT_INFRA;
	}
	ret = site_write(db, &so, &st);
	printf("%s/index.html: %zu pages (%zu rewritten), %zu plots (%zu drawn)\n", dir, st.pages,
	       st.pages_written, st.plots, st.plots_drawn);
	free(dir);
	return ret ? EXIT_INFRA : EXIT_OK;
}

int cmd_report(int argc, char **argv, struct cli *cli)
{
	struct report_cli o = { 0 };
	struct strbuf text = STRBUF_INIT;
	struct comparison c;
	struct db *db;
	int ret;

	ret = parse_report_options(argc, argv, cli, &o);
	if (ret)
		return ret > 0 ? EXIT_OK : EXIT_USAGE;
	if (cli_setup(cli))
		return EXIT_USAGE;
	ret = cli_open_existing_db(cli, &db);
	if (ret)
		return ret;
	if (o.html_given) {
		ret = report_html(cli, db, o.html);
		db_close(db);
		return ret;
	}
	if (o.json) {
		ret = load(cli, db, o.json, &c);
		if (!ret) {
			if (report_json(&c, stdout))
				ret = error("cannot write the JSON of comparison %lld", o.json);
			comparison_release(&c);
		}
		db_close(db);
		return ret > 0 ? EXIT_USAGE : ret ? EXIT_INFRA : EXIT_OK;
	}
	ret = report_comparison_text(cli, db, o.text, o.all ? COMPARE_PRINT_ALL : 0, &text, &c);
	if (!ret) {
		fputs(text.buf, stdout);
		comparison_release(&c);
	}
	strbuf_release(&text);
	db_close(db);
	return ret > 0 ? EXIT_USAGE : ret ? EXIT_INFRA : EXIT_OK;
}
