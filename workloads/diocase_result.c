// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dio-cases workload as the runner sees it: the cases, the command
 * line of a run, and its output turned into samples.
 */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "common/untrusted.h"
#include "workloads/diocase.h"

const struct dio_case_info dio_cases[] = {
	{ "anon", "randread", 0,
	  "touched anonymous memory, as fio's buffers (the control)" },
	{ "zero-src", "randwrite", 0,
	  "a write from never-touched memory: GUP hands back the zero page" },
	{ "subblock-new", "write", 512,
	  "512-byte writes into new blocks: dio_zero_block() fills the rest from ZERO_PAGE" },
	{ "split-page", "randrw", 0,
	  "a page whose blocks are not contiguous on disk: one page in several bios" },
	{ "split-iovec", "randrw", 0,
	  "two iovecs in one page, its halves swapped: the page in the bio twice" },
	{ "thp", "randread", 0, "a 2 MiB MADV_HUGEPAGE buffer: pins on a large folio" },
	{ "file-mmap", "randrw", 0, "a shared mapping of a page-cache file as the buffer" },
	{ "fault-mid", "randwrite", 65536,
	  "a write whose buffer ends unmapped: EFAULT part way, ZERO_PAGE into mapped blocks" },
	{ NULL, NULL, 0, NULL },
};

const struct dio_case_info *dio_case_find(const char *name)
{
	const struct dio_case_info *c;

	for (c = dio_cases; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

const struct dio_case_info *dio_case_of_job(const char *job_name)
{
	const struct dio_case_info *c;
	size_t n;

	if (strncmp(job_name, "dio-", 4))
		return NULL;
	for (c = dio_cases; c->name; c++) {
		n = strlen(c->name);
		if (!strncmp(job_name + 4, c->name, n) && job_name[4 + n] == '@')
			return c;
	}
	return NULL;
}

void dio_case_names(struct strbuf *out)
{
	const struct dio_case_info *c;

	for (c = dio_cases; c->name; c++)
		strbuf_addf(out, "%s%s", c == dio_cases ? "" : ", ", c->name);
}

void dio_case_argv(const char *program, const char *name, const char *dir, unsigned ms,
		   struct strvec *argv)
{
	struct strbuf t = STRBUF_INIT;

	strbuf_addf(&t, "%u", ms);
	strvec_pushl(argv, program, "dio-case", "--case", name, "--dir", dir, "--runtime-ms",
		     t.buf, NULL);
	strbuf_release(&t);
}

/* A count: a non-negative integer, or null (not measured); -1 for anything else. */
static int get_count(const json_t *o, const char *key, double *v, int *have)
{
	const json_t *x = json_object_get(o, key);

	*have = 0;
	if (!x || json_is_null(x))
		return 0;
	if (!json_is_integer(x) || json_integer_value(x) < 0)
		return -1;
	*v = (double)json_integer_value(x);
	*have = 1;
	return 0;
}

static void add_per_io(struct sample_set *out, const char *metric, int have, double v,
		       double ios, const char *unit)
{
	if (have)
		sample_set_add(out, metric, v / ios, unit);
	else
		sample_set_add_unavailable(out, metric, unit);
}

static void add_flag(struct sample_set *out, const json_t *o, const char *key, const char *metric)
{
	const json_t *x = json_object_get(o, key);

	if (json_is_boolean(x))
		sample_set_add(out, metric, json_is_true(x) ? 1 : 0, "bool");
}

static int add_notes(const json_t *o, struct strbuf *notes, struct strbuf *why)
{
	const json_t *a = json_object_get(o, "notes"), *n;
	struct strbuf clean = STRBUF_INIT;
	size_t i;

	if (!a)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > 16)
		return strbuf_addstr(why, "notes: not an array of at most 16 strings"), -1;
	json_array_foreach(a, i, n) {
		if (!json_is_string(n))
			return strbuf_addstr(why, "notes: not a string"), -1;
		strbuf_reset(&clean);
		strbuf_add_escaped(&clean, json_string_value(n), 300);
		strbuf_addf(notes, "%s\n", clean.buf);
	}
	strbuf_release(&clean);
	return 0;
}

int dio_case_parse(const char *buf, size_t len, struct sample_set *out, struct strbuf *notes,
		   struct strbuf *why)
{
	static const char *const counts[] = {
		"ios", "bytes", "pins_acquired", "pins_released", "disk_ios", "disk_merges",
		"disk_sectors", "data_errors", "leaked_pages", "probed_pages", "zeroed_bytes",
		"block_size",
	};
	enum { IOS, BYTES, ACQ, REL, DIOS, DMERGES, DSECT, DATAERR, LEAKED, PROBED, ZEROED, BLK,
	       NCOUNTS };
	double v[NCOUNTS] = { 0 }, seconds;
	int have[NCOUNTS];
	const json_t *sec, *name;
	json_error_t jerr;
	json_t *o;
	size_t i;
	int ret = -1;

	o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o) {
		strbuf_addf(why, "dio-case output, line %d: %s", jerr.line, jerr.text);
		return -1;
	}
	name = json_object_get(o, "case");
	sec = json_object_get(o, "seconds");
	if (!json_is_object(o) || !json_is_string(name) || !dio_case_find(json_string_value(name))) {
		strbuf_addstr(why, "dio-case output: not a result of a known case");
		goto out;
	}
	for (i = 0; i < NCOUNTS; i++) {
		if (get_count(o, counts[i], &v[i], &have[i])) {
			strbuf_addf(why, "dio-case output: '%s' is not a count", counts[i]);
			goto out;
		}
	}
	seconds = json_is_number(sec) ? json_number_value(sec) : NAN;
	if (!have[IOS] || !v[IOS] || !isfinite(seconds) || seconds <= 0) {
		strbuf_addstr(why, "dio-case output: no I/Os, or no time they took");
		goto out;
	}
	if (add_notes(o, notes, why))
		goto out;
	sample_set_add(out, "case.total_ios", v[IOS], "io");
	sample_set_add(out, "case.iops", v[IOS] / seconds, "IO/s");
	sample_set_add(out, "case.bw_bytes", v[BYTES] / seconds, "B/s");
	/* over the measured rounds only: the layout and the checks are not in them */
	add_per_io(out, "pin.acquired_per_io", have[ACQ], v[ACQ], v[IOS], "pins/io");
	add_per_io(out, "pin.released_per_io", have[REL], v[REL], v[IOS], "pins/io");
	if (have[ACQ] && have[REL]) {
		sample_set_add(out, "vmstat.nr_foll_pin_acquired", v[ACQ], "count");
		sample_set_add(out, "vmstat.nr_foll_pin_released", v[REL], "count");
	}
	/* a bio merged into a request is counted as a merge, so requests + merges = bios */
	add_per_io(out, "case.bios_per_io", have[DIOS] && have[DMERGES], v[DIOS] + v[DMERGES],
		   v[IOS], "bios/io");
	add_per_io(out, "case.disk_bytes_per_io", have[DSECT], v[DSECT] * 512, v[IOS], "B/io");
	sample_set_add(out, "case.data_errors", v[DATAERR], "count");
	if (have[LEAKED] && have[PROBED] && v[LEAKED] <= v[PROBED])
		sample_set_add(out, "case.leaked_pages", v[LEAKED], "pages");
	else
		sample_set_add_unavailable(out, "case.leaked_pages", "pages");
	if (!strcmp(json_string_value(name), "fault-mid"))
		sample_set_add(out, "case.zeroed_bytes_per_io", v[ZEROED] / v[IOS], "B/io");
	if (have[BLK])
		sample_set_add(out, "case.block_size", v[BLK], "B");
	add_flag(out, o, "thp", "case.thp");
	add_flag(out, o, "zero_page_src", "case.zero_page_src");
	ret = 0;
out:
	json_decref(o);
	return ret;
}
