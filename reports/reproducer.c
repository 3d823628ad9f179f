// SPDX-License-Identifier: GPL-2.0-only
/*
 * How to get the same numbers again: everything is read back from the
 * database, so a report made months later (compare --from-db, the mail)
 * shows what the runs really used, not what config.ini says today.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/fio.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/strvec.h"
#include "reports/reproducer.h"
#include "reports/text.h"

/* "X+patch" (compare --patch) was built from [kernel X] */
static int kernel_section_wanted(const char *section, const struct db_run_repro *r)
{
	const char *name = section + strlen("kernel "), *plus = strchr(r->kernel, '+');

	return !strcmp(name, r->kernel) ||
	       (plus && strlen(name) == (size_t)(plus - r->kernel) &&
		!strncmp(name, r->kernel, (size_t)(plus - r->kernel)));
}

static int section_wanted(const char *section, const struct db_run_repro *a,
			  const struct db_run_repro *b)
{
	if (!strcmp(section, "matrix") || !strcmp(section, "collectors") ||
	    !strcmp(section, "compare") ||
	    starts_with(section, "device "))
		return 1;
	if (starts_with(section, "target "))
		return !strcmp(section + strlen("target "), a->target) ||
		       !strcmp(section + strlen("target "), b->target);
	if (starts_with(section, "kernel "))
		return kernel_section_wanted(section, a) || kernel_section_wanted(section, b);
	return 0;
}

/* The wanted sections of an INI text, without comments or blank lines. */
static void print_config(const char *text, const struct db_run_repro *a,
			 const struct db_run_repro *b, FILE *out)
{
	struct strbuf line = STRBUF_INIT, section = STRBUF_INIT;
	const char *p = text;
	char *t;
	size_t len;
	int keep = 0, printed = 0;

	while (*p) {
		const char *nl = strchrnul(p, '\n');

		strbuf_reset(&line);
		strbuf_add(&line, p, (size_t)(nl - p));
		p = *nl ? nl + 1 : nl;
		t = trim(line.buf);
		len = strlen(t);
		if (!len || t[0] == ';' || t[0] == '#')
			continue;
		if (t[0] == '[' && t[len - 1] == ']') {
			strbuf_reset(&section);
			strbuf_add(&section, t + 1, len - 2);
			keep = section_wanted(trim(section.buf), a, b);
		}
		if (keep) {
			text_put_folded(t, 4, REPORT_WIDTH, out);
			printed = 1;
		}
	}
	if (!printed)
		fprintf(out, "    (built-in defaults: no config file)\n");
	strbuf_release(&line);
	strbuf_release(&section);
}

static void print_kernel(const struct db_run_repro *r, FILE *out)
{
	fprintf(out, "    %s: %s, %s\n", r->kernel, r->source, *r->release ? r->release : "?");
	fprintf(out, "      .config sha256 %s\n      artifact key   %s\n",
		*r->config_sha ? r->config_sha : "?", *r->build_sha ? r->build_sha : "?");
}

static const char *str_or(json_t *o, const char *key, const char *def)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : def;
}

static unsigned long long num(json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v > 0 ? (unsigned long long)v : 0;
}

/* fio's command line for a stored job, the way the runner builds it. */
static int print_job(const char *name, const char *params, void *data)
{
	FILE *out = data;
	json_t *p = json_loads(params, 0, NULL);
	struct strvec argv = STRVEC_INIT;
	struct strbuf line = STRBUF_INIT;
	struct fio_job fj;
	size_t i;

	fprintf(out, "    %s\n", name);
	if (!p) {
		fprintf(out, "      (parameters not readable)\n");
		return 0;
	}
	memset(&fj, 0, sizeof(fj));
	fj.name = name;
	fj.rw = str_or(p, "rw", NULL);
	fj.bs = num(p, "bs");
	fj.iodepth = (unsigned)num(p, "iodepth");
	fj.numjobs = (unsigned)num(p, "numjobs");
	fj.ioengine = str_or(p, "ioengine", NULL);
	fj.size = num(p, "size");
	fj.runtime_s = (unsigned)num(p, "runtime");
	fj.ramp_s = (unsigned)num(p, "ramp");
	fj.directory = "MOUNTPOINT";
	fio_job_argv(&fj, &argv);
	for (i = 0; i < argv.nr; i++)
		strbuf_addf(&line, "%s%s", i ? " " : "", argv.v[i]);
	text_put_folded(line.buf, 6, REPORT_WIDTH, out);
	strbuf_release(&line);
	strvec_clear(&argv);
	json_decref(p);
	return 0;
}

int reproducer_print(struct db *db, long long run_a, long long run_b, FILE *out)
{
	struct db_run_repro a, b;
	int ret = -1;

	if (db_run_repro(db, run_a, &a))
		return -1;
	if (db_run_repro(db, run_b, &b)) {
		db_run_repro_release(&a);
		return -1;
	}
	fprintf(out, "reproduce:\n  the runs were made by:\n");
	text_put_folded(*a.command ? a.command : "?", 4, REPORT_WIDTH, out);
	if (strcmp(a.command, b.command))
		text_put_folded(*b.command ? b.command : "?", 4, REPORT_WIDTH, out);
	fprintf(out, "  kernels:\n");
	print_kernel(&a, out);
	print_kernel(&b, out);
	fprintf(out, "  config.ini, as stored with run %lld (keys not shown had their defaults):\n",
		run_a);
	print_config(a.config, &a, &b, out);
	if (strcmp(a.config, b.config)) {
		fprintf(out, "  config.ini, as stored with run %lld:\n", run_b);
		print_config(b.config, &a, &b, out);
	}
	fprintf(out, "  fio, per job (MOUNTPOINT: where pinbench mounted the job's filesystem):\n");
	ret = db_run_jobs(db, run_a, print_job, out);
	db_run_repro_release(&a);
	db_run_repro_release(&b);
	return ret;
}
