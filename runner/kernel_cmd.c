// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinbench kernel build [NAME...] | build --from NAME --patch SPEC [--name NEW]
 *                | path NAME | list | patches SPEC
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/untrusted.h"
#include "common/strvec.h"
#include "db/db.h"
#include "kernels/build.h"
#include "kernels/patch.h"
#include "runner/cli.h"

struct kernel_options {
	const char *from;
	const char *name;
	struct strvec extra_patches;
	unsigned jobs;
};

static void push_free(struct strvec *sv, char *s)
{
	strvec_push(sv, s);
	free(s);
}

static int exit_code(int build_error)
{
	switch (build_error) {
	case 0:
		return EXIT_OK;
	case KBUILD_ERR_INPUT:
		return EXIT_USAGE;
	default:
		return EXIT_INFRA;
	}
}

static void fill_opts(struct cli *cli, const struct kernel_options *ko, char *cache_dir,
		      struct kernel_build_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->cache_dir = cache_dir;
	opts->lore_url = cli->cfg.lore_url;
	opts->jobs = ko->jobs ? ko->jobs : cli->cfg.build_jobs;
	opts->ccache = cli->cfg.ccache;
	opts->progress = !cli->quiet;
}

static int unknown_kernel(struct cli *cli, const char *name)
{
	struct strbuf known = STRBUF_INIT;
	size_t i;

	for (i = 0; i < cli->cfg.nkernels; i++)
		strbuf_addf(&known, "%s%s", i ? ", " : "", cli->cfg.kernels[i].name);
	error("no kernel '%s' in %s (known: %s)", name,
	      cli->cfg.file ? cli->cfg.file : "the built-in defaults",
	      known.len ? known.buf : "none; add a [kernel NAME] section");
	strbuf_release(&known);
	return -1;
}

/* The request for a configured kernel; fragment paths resolved against config.ini. */
static int make_request(struct cli *cli, const char *name, const struct strvec *extra,
			const char *as, struct kernel_request *req, struct strvec *patches,
			struct strvec *configs)
{
	const struct kernel_cfg *k = config_kernel(&cli->cfg, name);
	size_t i;

	if (!k)
		return unknown_kernel(cli, name);
	for (i = 0; i < k->patches.nr; i++) {
		const char *spec = k->patches.v[i];

		if (starts_with(spec, "lore:"))
			strvec_push(patches, spec);
		else
			push_free(patches, config_path(&cli->cfg, spec));
	}
	/* --patch comes from the command line: relative to where the user is */
	if (extra)
		strvec_pushv(patches, (const char *const *)extra->v);
	for (i = 0; i < k->configs.nr; i++)
		push_free(configs, config_path(&cli->cfg, k->configs.v[i]));
	req->name = as ? as : k->name;
	req->source = k->source;
	req->base = k->base;
	req->patches = patches;
	req->configs = configs;
	return 0;
}

static const char *duration(char *buf, size_t len, double s)
{
	int t = (int)(s + 0.5);

	if (t >= 60)
		snprintf(buf, len, "%dm%02ds", t / 60, t % 60);
	else
		snprintf(buf, len, "%.1fs", s);
	return buf;
}

static void print_artifact(const struct kernel_request *req, const struct kernel_artifact *a)
{
	char t[32];

	printf("%s: %s %s%s", req->name, a->release && *a->release ? a->release : "?",
	       a->cached ? "(cached, built in " : "(built in ", duration(t, sizeof(t), a->seconds));
	if (!a->cached && a->objects >= 0)
		printf(", %lld objects compiled", a->objects);
	printf(")\n  id:      %s\n  path:    %s\n", a->key, a->bzimage);
}

/*
 * Build (or, with resolve_only, only look up) the configured kernel name,
 * with extra patches and under another name when given. The artifact is
 * filled on success; the exit status is returned.
 */
static int run_build(struct cli *cli, struct db *db, const struct kernel_options *ko,
		     const char *name, const struct strvec *extra, const char *as,
		     int resolve_only, struct kernel_artifact *a)
{
	struct strvec patches = STRVEC_INIT, configs = STRVEC_INIT;
	struct kernel_request req;
	struct kernel_build_opts opts;
	char *cache_dir = config_cache_dir(&cli->cfg);
	int ret;

	memset(a, 0, sizeof(*a));
	if (make_request(cli, name, extra, as, &req, &patches, &configs)) {
		ret = EXIT_USAGE;
		goto out;
	}
	fill_opts(cli, ko, cache_dir, &opts);
	opts.resolve_only = resolve_only;
	ret = exit_code(kernel_build(db, &req, &opts, a));
	if (!ret && !resolve_only) {
		print_artifact(&req, a);
		fflush(stdout);
	}
out:
	strvec_clear(&patches);
	strvec_clear(&configs);
	free(cache_dir);
	return ret;
}

static int build_one(struct cli *cli, struct db *db, const struct kernel_options *ko,
		     const char *name, const struct strvec *extra, const char *as)
{
	struct kernel_artifact a;
	int ret = run_build(cli, db, ko, name, extra, as, 0, &a);

	kernel_artifact_release(&a);
	return ret;
}

static int kernel_build_cmd(struct cli *cli, const struct kernel_options *ko, int argc,
			    char **argv)
{
	struct db *db = NULL;
	struct strbuf why = STRBUF_INIT;
	int i, ret = EXIT_OK;

	if (ko->from) {
		const char *as = ko->name;
		struct strbuf def = STRBUF_INIT;

		if (argc) {
			error("kernel build --from %s: unexpected argument '%s'", ko->from, argv[0]);
			return EXIT_USAGE;
		}
		if (!ko->extra_patches.nr) {
			error("kernel build --from %s: which patch? (--patch FILE|MBOX|DIR|lore:MSGID)",
			      ko->from);
			return EXIT_USAGE;
		}
		if (!as) {
			strbuf_addf(&def, "%s+patch", ko->from);
			as = def.buf;
		}
		if (config_check_kernel_name(as, &why)) {
			error("--name: %s", why.buf);
			strbuf_release(&why);
			strbuf_release(&def);
			return EXIT_USAGE;
		}
		if (db_open(cli->db_path, &db)) {
			strbuf_release(&def);
			return EXIT_INFRA;
		}
		db_reap_abandoned_builds(db);
		ret = build_one(cli, db, ko, ko->from, &ko->extra_patches, as);
		strbuf_release(&def);
		db_close(db);
		return ret;
	}
	if (ko->extra_patches.nr || ko->name) {
		error("kernel build: --patch and --name need --from NAME");
		return EXIT_USAGE;
	}
	if (!argc && !cli->cfg.nkernels) {
		error("kernel build: no [kernel NAME] section in %s",
		      cli->cfg.file ? cli->cfg.file : "the built-in defaults");
		return EXIT_USAGE;
	}
	for (i = 0; i < argc; i++) {
		if (!config_kernel(&cli->cfg, argv[i])) {
			unknown_kernel(cli, argv[i]);
			return EXIT_USAGE;
		}
	}
	if (db_open(cli->db_path, &db))
		return EXIT_INFRA;
	db_reap_abandoned_builds(db);
	/* no names: every configured kernel, in config order */
	for (i = 0; i < (argc ? argc : (int)cli->cfg.nkernels) && ret == EXIT_OK; i++)
		ret = build_one(cli, db, ko, argc ? argv[i] : cli->cfg.kernels[i].name, NULL, NULL);
	db_close(db);
	return ret;
}

static int kernel_path_cmd(struct cli *cli, const struct kernel_options *ko, const char *name)
{
	struct kernel_artifact a;
	int ret = run_build(cli, NULL, ko, name, NULL, NULL, 1, &a);

	if (!ret && !a.present) {
		error("kernel '%s' is not built for its current sources and config "
		      "(pinbench kernel build %s)", name, name);
		ret = EXIT_USAGE;
	}
	if (!ret)
		printf("%s\n", a.bzimage);
	kernel_artifact_release(&a);
	return ret;
}

static const char *human_size(char *buf, size_t len, long long bytes)
{
	if (bytes < 0)
		snprintf(buf, len, "?");
	else if (bytes >= 1 << 20)
		snprintf(buf, len, "%.1f MiB", bytes / 1048576.0);
	else
		snprintf(buf, len, "%.0f KiB", bytes / 1024.0);
	return buf;
}

static int list_row(const struct db_build_row *r, void *data)
{
	const char *p = r->patches, *m = r->message_ids;
	struct strbuf bz = STRBUF_INIT, field = STRBUF_INIT, shown = STRBUF_INIT;
	char t[32], sz[32];
	int n = 0;

	(void)data;
	strbuf_addf(&bz, "%s/bzImage", r->artifact);
	printf("%-16s %-14s %-12.12s %-20s %7s  %-9s  %s", r->name,
	       *r->version ? r->version : "?", r->config_sha, r->finished,
	       duration(t, sizeof(t), r->seconds), human_size(sz, sizeof(sz), r->size), r->source);
	if (!*r->artifact || access(bz.buf, F_OK))
		printf("  (artifact gone from the cache)");
	printf("\n");
	/* subjects and ids come from patch mails: escaped, one line each */
	while (p && *p) {
		size_t plen = strcspn(p, DB_LIST_SEP), mlen = m ? strcspn(m, DB_LIST_SEP) : 0;

		strbuf_reset(&field);
		strbuf_add(&field, p, plen);
		printf("  patch %d: %s", ++n, untrusted(&shown, field.buf));
		if (mlen) {
			strbuf_reset(&field);
			strbuf_add(&field, m, mlen);
			printf(" <%s>", untrusted(&shown, field.buf));
		}
		printf("\n");
		p += plen + (p[plen] != '\0');
		if (m)
			m += mlen + (m[mlen] != '\0');
	}
	strbuf_release(&field);
	strbuf_release(&shown);
	strbuf_release(&bz);
	return 0;
}

static int kernel_list_cmd(struct cli *cli)
{
	struct db *db;
	int ret;

	if (access(cli->db_path, F_OK)) {
		printf("no kernels built yet (no database at '%s')\n", cli->db_path);
		return EXIT_OK;
	}
	if (db_open(cli->db_path, &db))
		return EXIT_INFRA;
	printf("%-16s %-14s %-12s %-20s %-7s  %-9s  %s\n", "NAME", "VERSION", "CONFIG", "BUILT",
	       "TIME", "SIZE", "SOURCE");
	ret = db_list_builds(db, list_row, NULL) ? EXIT_INFRA : EXIT_OK;
	db_close(db);
	return ret;
}

static int kernel_patches_cmd(struct cli *cli, const char *spec)
{
	struct patch_list list = PATCH_LIST_INIT;
	struct patch cover;
	char *cache_dir = config_cache_dir(&cli->cfg);
	struct patch_source_opts popts = { cli->cfg.lore_url, cache_dir };
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	int infra = 0, ret = EXIT_OK;
	size_t i;

	memset(&cover, 0, sizeof(cover));
	if (patch_load(spec, &popts, &list, &cover, &infra)) {
		ret = infra ? EXIT_INFRA : EXIT_USAGE;
		goto out;
	}
	/* the loader cleaned these; the terminal gets them escaped all the same */
	if (cover.message_id)
		printf("cover letter: <%s> \"%s\"\n", untrusted(&a, cover.message_id),
		       untrusted(&b, cover.subject));
	for (i = 0; i < list.nr; i++) {
		const struct patch *p = &list.v[i];

		printf("patch %zu/%zu v%u %.12s \"%s\"\n", i + 1, list.nr, p->version, p->sha,
		       untrusted(&a, p->subject));
		printf("  author: %s\n", *p->author ? untrusted(&a, p->author) : "(unknown)");
		if (p->message_id && *p->message_id)
			printf("  message-id: <%s>\n", untrusted(&a, p->message_id));
	}
out:
	strbuf_release(&a);
	strbuf_release(&b);
	patch_list_release(&list);
	patch_release(&cover);
	free(cache_dir);
	return ret;
}

static int parse_jobs(const char *s, unsigned *jobs)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 1024)
		return error("--jobs '%s': expected a number from 1 to 1024", s);
	*jobs = (unsigned)v;
	return 0;
}

int cmd_kernel(int argc, char **argv, struct cli *cli)
{
	struct option opts[CLI_MAX_OPTIONS + 1];
	char shortopts[CLI_SHORT_MAX];
	struct kernel_options ko = { .extra_patches = STRVEC_INIT };
	const char *sub;
	int opt, r, ret = EXIT_USAGE;

	cli_getopt_tables("kernel", opts, shortopts);
	optind = 1;
	while ((opt = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		r = cli_common_option(cli, opt, optarg, "kernel");
		if (r < 0) {
			ret = EXIT_OK;
			goto out;
		}
		if (r)
			continue;
		switch (opt) {
		case 'F':
			ko.from = optarg;
			break;
		case 'p':
			strvec_push(&ko.extra_patches, optarg);
			break;
		case 'n':
			ko.name = optarg;
			break;
		case 'j':
			if (parse_jobs(optarg, &ko.jobs))
				goto out;
			break;
		default:
			cli_usage("kernel", stderr);
			goto out;
		}
	}
	if (optind >= argc) {
		cli_usage("kernel", stderr);
		goto out;
	}
	sub = argv[optind++];
	if (cli_setup(cli))
		goto out;
	if (!strcmp(sub, "build")) {
		ret = kernel_build_cmd(cli, &ko, argc - optind, argv + optind);
	} else if (!strcmp(sub, "path") || !strcmp(sub, "patches")) {
		if (optind != argc - 1) {
			error("kernel %s: expected one %s", sub, !strcmp(sub, "path") ? "NAME" :
			      "FILE|MBOX|DIR|lore:MSGID");
			goto out;
		}
		ret = !strcmp(sub, "path") ? kernel_path_cmd(cli, &ko, argv[optind]) :
					     kernel_patches_cmd(cli, argv[optind]);
	} else if (!strcmp(sub, "list")) {
		if (optind != argc) {
			error("kernel list: unexpected argument '%s'", argv[optind]);
			goto out;
		}
		ret = kernel_list_cmd(cli);
	} else {
		error("kernel: unknown subcommand '%s' (build, path, list, patches)", sub);
	}
out:
	strvec_clear(&ko.extra_patches);
	return ret;
}

int kernel_for_run(struct cli *cli, struct db *db, const char *section,
		   const struct strvec *extra, const char *as, struct kernel_artifact *a)
{
	struct kernel_options ko = { .extra_patches = STRVEC_INIT };

	return run_build(cli, db, &ko, section, extra && extra->nr ? extra : NULL, as, 0, a);
}
