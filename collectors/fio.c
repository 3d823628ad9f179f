// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fio collector: builds fio's command line for one pinbench job and turns
 * fio's JSON (json or json+) output into samples. Parsing is a pure function
 * of the captured buffer so that tests feed it with saved real fio output.
 */
#include "collectors/fio.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

void fio_job_argv(const struct fio_job *job, struct strvec *argv)
{
	strvec_push(argv, "fio");
	/* a program option, not a job option: keep it ahead of --name */
	strvec_push(argv, "--output-format=json+");
	strvec_pushf(argv, "--name=%s", job->name ? job->name : "pinbench");
	if (job->rw)
		strvec_pushf(argv, "--rw=%s", job->rw);
	if (job->bs)
		strvec_pushf(argv, "--bs=%llu", job->bs);
	if (job->iodepth)
		strvec_pushf(argv, "--iodepth=%u", job->iodepth);
	if (job->numjobs)
		strvec_pushf(argv, "--numjobs=%u", job->numjobs);
	if (job->ioengine)
		strvec_pushf(argv, "--ioengine=%s", job->ioengine);
	if (job->size)
		strvec_pushf(argv, "--size=%llu", job->size);
	if (job->io_size)
		strvec_pushf(argv, "--io_size=%llu", job->io_size);
	if (job->number_ios)
		strvec_pushf(argv, "--number_ios=%u", job->number_ios);
	if (job->thinktime_us) {
		strvec_pushf(argv, "--thinktime=%llu", job->thinktime_us);
		strvec_push(argv, "--thinktime_blocks=1");
	}
	if (job->no_disk_util)
		strvec_push(argv, "--disk_util=0");
	if (job->clock_gettime)
		strvec_push(argv, "--clocksource=clock_gettime");
	strvec_push(argv, "--direct=1");
	/* start from a cold page cache and stop the whole run on the first error */
	strvec_push(argv, "--invalidate=1");
	strvec_push(argv, "--exitall_on_error=1");
	if (job->directory)
		strvec_pushf(argv, "--directory=%s", job->directory);
	if (job->filename)
		strvec_pushf(argv, "--filename=%s", job->filename);
	if (job->runtime_ms) {
		strvec_pushf(argv, "--runtime=%ums", job->runtime_ms);
		strvec_push(argv, "--time_based");
	} else if (job->runtime_s) {
		strvec_pushf(argv, "--runtime=%u", job->runtime_s);
		strvec_push(argv, "--time_based");
	}
	if (job->ramp_s)
		strvec_pushf(argv, "--ramp_time=%u", job->ramp_s);
	/* no --group_reporting: we aggregate ourselves and keep per-job bins */
}

/* The percentiles pinbench records, with fio's key for them. */
static const struct {
	double pct;
	const char *key;
	const char *metric;
} fio_pcts[] = {
	{ 50.0, "50.000000", "clat_p50_ns" },
	{ 99.0, "99.000000", "clat_p99_ns" },
	{ 99.9, "99.900000", "clat_p99_9_ns" },
};
#define NR_PCTS (sizeof(fio_pcts) / sizeof(fio_pcts[0]))

struct fio_bin {
	double ns;
	double count;
};

/* One direction (read or write) summed over the jobs that did I/O in it. */
struct fio_dir {
	const char *name;
	double bw, iops, ios, runtime_ms;
	double clat_n, clat_mean, clat_m2;	/* Chan et al. running moments */
	unsigned jobs;
	unsigned jobs_without_bins;
	const json_t *pct;			/* fio's own percentiles (one job) */
	struct fio_bin *bins;
	size_t nr_bins, alloc_bins;
};

static double num(const json_t *obj, const char *key)
{
	return json_number_value(json_object_get(obj, key));
}

static const char *job_name(const json_t *job)
{
	const char *name = json_string_value(json_object_get(job, "jobname"));

	return name ? name : "(unnamed)";
}

/*
 * Offset of the first line that starts with '{' at or after `from`: fio's
 * JSON object always opens on a line of its own, and what fio prints around
 * it ("fio: ..." messages, notes, the normal output) never does.
 */
static size_t find_json_start(const char *buf, size_t len, size_t from)
{
	size_t i;

	for (i = from; i < len; i++) {
		if (buf[i] == '{' && (i == 0 || buf[i - 1] == '\n'))
			return i;
	}
	return len;
}

static int count_lines(const char *buf, size_t len)
{
	int n = 0;

	while (len--)
		n += *buf++ == '\n';
	return n;
}

/*
 * Load the JSON object from fio's output. Trailing text is allowed
 * (JSON_DISABLE_EOF_CHECK); should a stray line begin with '{' before the
 * real object, the next candidate is tried. The first candidate's error is
 * the one reported, with its line number counted in the whole buffer.
 */
static json_t *load_fio_json(const char *buf, size_t len, struct strbuf *why)
{
	size_t first = find_json_start(buf, len, 0), start = first;
	json_error_t err, first_err;
	json_t *root;

	if (first == len) {
		strbuf_addstr(why, "no JSON object in fio output");
		return NULL;
	}
	root = json_loadb(buf + first, len - first, JSON_DISABLE_EOF_CHECK, &first_err);
	while (!json_is_object(root)) {
		json_decref(root);
		start = find_json_start(buf, len, start + 1);
		if (start == len) {
			strbuf_addf(why, "invalid fio JSON at line %d: %s",
				    first_err.line + count_lines(buf, first), first_err.text);
			return NULL;
		}
		root = json_loadb(buf + start, len - start, JSON_DISABLE_EOF_CHECK, &err);
	}
	return root;
}

static int check_jobs(const json_t *jobs, struct strbuf *why)
{
	size_t i;
	json_t *job;

	if (!json_is_array(jobs) || !json_array_size(jobs)) {
		strbuf_addstr(why, "no 'jobs' array in fio output");
		return FIO_GARBAGE;
	}
	json_array_foreach(jobs, i, job) {
		if (!json_is_object(job)) {
			strbuf_addf(why, "fio job %zu is not an object", i);
			return FIO_GARBAGE;
		}
	}
	json_array_foreach(jobs, i, job) {
		int e = (int)json_integer_value(json_object_get(job, "error"));

		if (e) {
			strbuf_addf(why, "fio job '%s' failed with error %d (%s)",
				    job_name(job), e, strerror(e));
			return FIO_JOB_ERROR;
		}
	}
	return FIO_OK;
}

static int add_bins(struct fio_dir *d, const json_t *bins, const char *job, struct strbuf *why)
{
	const char *key;
	json_t *count;

	json_object_foreach((json_t *)bins, key, count) {
		char *end;
		double ns = strtod(key, &end);

		if (end == key || *end || !json_is_integer(count)) {
			strbuf_addf(why, "bad clat bin '%s' of job '%s'", key, job);
			return FIO_GARBAGE;
		}
		if (d->nr_bins == d->alloc_bins) {
			d->alloc_bins = d->alloc_bins ? 2 * d->alloc_bins : 256;
			d->bins = xrealloc(d->bins, d->alloc_bins * sizeof(*d->bins));
		}
		d->bins[d->nr_bins].ns = ns;
		d->bins[d->nr_bins].count = (double)json_integer_value(count);
		d->nr_bins++;
	}
	return FIO_OK;
}

/* Merge one job's clat moments: Chan et al.'s pairwise update, stable for big N. */
static void add_moments(struct fio_dir *d, const json_t *clat)
{
	double n = num(clat, "N"), mean = num(clat, "mean"), sd = num(clat, "stddev");
	double delta, total;

	if (n <= 0)
		return;
	total = d->clat_n + n;
	delta = mean - d->clat_mean;
	d->clat_m2 += sd * sd * (n - 1) + delta * delta * d->clat_n * n / total;
	d->clat_mean += delta * n / total;
	d->clat_n = total;
}

static int add_job_dir(struct fio_dir *d, const json_t *job, struct strbuf *why)
{
	const json_t *io = json_object_get(job, d->name);
	const json_t *clat = json_object_get(io, "clat_ns");
	const json_t *bins = json_object_get(clat, "bins");

	if (num(io, "total_ios") <= 0)
		return FIO_OK;
	d->jobs++;
	d->bw += num(io, "bw_bytes");
	d->iops += num(io, "iops");
	d->ios += num(io, "total_ios");
	d->runtime_ms = fmax(d->runtime_ms, num(io, "runtime"));
	add_moments(d, clat);
	d->pct = json_object_get(clat, "percentile");
	if (!json_is_object(bins)) {
		d->jobs_without_bins++;
		return FIO_OK;
	}
	return add_bins(d, bins, job_name(job), why);
}

static int cmp_bin(const void *a, const void *b)
{
	double x = ((const struct fio_bin *)a)->ns, y = ((const struct fio_bin *)b)->ns;

	return (x > y) - (x < y);
}

/*
 * The smallest latency at which the cumulative count reaches pct % of all
 * I/Os: what fio's calc_clat_percentiles() does on the same bins (its test
 * is sum >= pct / 100.0 * nr, kept here literally so both round alike).
 */
static double bins_percentile(const struct fio_dir *d, double total, double pct)
{
	double cum = 0, want = pct / 100.0 * total;
	size_t i;

	for (i = 0; i < d->nr_bins; i++) {
		cum += d->bins[i].count;
		if (cum >= want)
			return d->bins[i].ns;
	}
	return d->nr_bins ? d->bins[d->nr_bins - 1].ns : 0;
}

/* Add fio.<dir>.<metric>; a NaN value is recorded as unavailable. */
static void add_dir_sample(struct sample_set *out, const struct fio_dir *d,
			   const char *metric, double value, const char *unit)
{
	char name[64];

	snprintf(name, sizeof(name), "fio.%s.%s", d->name, metric);
	if (isnan(value))
		sample_set_add_unavailable(out, name, unit);
	else
		sample_set_add(out, name, value, unit);
}

static void emit_percentiles(struct fio_dir *d, struct sample_set *out)
{
	double total = 0, v;
	size_t i;

	for (i = 0; i < d->nr_bins; i++)
		total += d->bins[i].count;
	if (d->nr_bins)
		qsort(d->bins, d->nr_bins, sizeof(*d->bins), cmp_bin);
	for (i = 0; i < NR_PCTS; i++) {
		const json_t *own = json_object_get(d->pct, fio_pcts[i].key);

		if (!d->jobs_without_bins && total > 0)
			v = bins_percentile(d, total, fio_pcts[i].pct);
		else if (d->jobs == 1 && json_is_number(own))
			v = json_number_value(own);
		else	/* percentiles of several jobs cannot be averaged */
			v = NAN;
		add_dir_sample(out, d, fio_pcts[i].metric, v, "ns");
	}
}

static void emit_dir(struct fio_dir *d, struct sample_set *out)
{
	double mean = NAN, sd = NAN;

	if (d->ios <= 0)
		return;
	if (d->clat_n > 0) {
		mean = d->clat_mean;
		sd = d->clat_n > 1 ? sqrt(d->clat_m2 / (d->clat_n - 1)) : 0;
	}
	add_dir_sample(out, d, "bw_bytes", d->bw, "B/s");
	add_dir_sample(out, d, "iops", d->iops, "IO/s");
	add_dir_sample(out, d, "total_ios", d->ios, "count");
	add_dir_sample(out, d, "runtime_ms", d->runtime_ms, "ms");
	add_dir_sample(out, d, "clat_mean_ns", mean, "ns");
	add_dir_sample(out, d, "clat_stddev_ns", sd, "ns");
	emit_percentiles(d, out);
}

static void emit_jobs(const json_t *jobs, struct sample_set *out)
{
	double usr = 0, sys = 0, ctx = 0, ios = 0, usr_ms = 0, sys_ms = 0;
	size_t i, n = json_array_size(jobs);
	json_t *job;

	json_array_foreach(jobs, i, job) {
		usr += num(job, "usr_cpu");
		sys += num(job, "sys_cpu");
		/* each job's percentages are of its own runtime */
		usr_ms += num(job, "usr_cpu") / 100 * num(job, "job_runtime");
		sys_ms += num(job, "sys_cpu") / 100 * num(job, "job_runtime");
		ctx += num(job, "ctx");
		ios += num(json_object_get(job, "read"), "total_ios") +
		       num(json_object_get(job, "write"), "total_ios") +
		       num(json_object_get(job, "trim"), "total_ios");
	}
	sample_set_add(out, "fio.usr_cpu", usr / n, "%");
	sample_set_add(out, "fio.sys_cpu", sys / n, "%");
	sample_set_add(out, "fio.ctx", ctx, "count");
	sample_set_add(out, "fio.total_ios", ios, "count");
	/* what a user means by cheaper: CPU time per I/O, not a share of the runtime */
	if (ios > 0) {
		sample_set_add(out, "fio.usr_cpu_ns_per_io", usr_ms * 1e6 / ios, "ns/io");
		sample_set_add(out, "fio.sys_cpu_ns_per_io", sys_ms * 1e6 / ios, "ns/io");
	} else {
		sample_set_add_unavailable(out, "fio.usr_cpu_ns_per_io", "ns/io");
		sample_set_add_unavailable(out, "fio.sys_cpu_ns_per_io", "ns/io");
	}
}

int fio_parse(const char *buf, size_t len, struct sample_set *out, struct strbuf *why)
{
	struct fio_dir dirs[2] = { { .name = "read" }, { .name = "write" } };
	const json_t *jobs;
	json_t *root, *job;
	size_t i, k;
	int ret;

	root = load_fio_json(buf, len, why);
	if (!root)
		return FIO_GARBAGE;
	jobs = json_object_get(root, "jobs");
	ret = check_jobs(jobs, why);
	if (ret)
		goto out_decref;
	json_array_foreach(jobs, i, job) {
		for (k = 0; k < 2; k++) {
			ret = add_job_dir(&dirs[k], job, why);
			if (ret)
				goto out_free_bins;
		}
	}
	for (k = 0; k < 2; k++)
		emit_dir(&dirs[k], out);
	emit_jobs(jobs, out);
out_free_bins:
	free(dirs[0].bins);
	free(dirs[1].bins);
out_decref:
	json_decref(root);
	return ret;
}

/* Copy one line of text, trimmed and cut to a length that fits a one-line record. */
static void add_line(struct strbuf *out, const char *line, size_t len)
{
	const size_t max = 200;

	while (len && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
		len--;
	if (len > max) {
		strbuf_add(out, line, max - 3);
		strbuf_addstr(out, "...");
		return;
	}
	strbuf_add(out, line, len);
}

/*
 * fio's per-job failure ("fio: pid=N, err=2/file:..., error=...") says the
 * most, so a line with "err=" wins over earlier "fio: " lines, which are
 * often consequences or mere notes.
 */
void fio_describe_failure(int status, const char *stderr_text, struct strbuf *out)
{
	const char *p = stderr_text ? stderr_text : "";
	const char *fio_line = NULL, *err_line = NULL;
	size_t fio_len = 0, err_len = 0;

	while (*p && !err_line) {
		const char *eol = strchrnul(p, '\n'), *s = p;
		size_t n;

		while (s < eol && (*s == ' ' || *s == '\t'))
			s++;
		n = eol - s;
		if (memmem(s, n, "err=", 4)) {
			err_line = s;
			err_len = n;
		} else if (!fio_line && n > 5 && starts_with(s, "fio: ")) {
			fio_line = s;
			fio_len = n;
		}
		p = *eol ? eol + 1 : eol;
	}
	if (err_line)
		add_line(out, err_line, err_len);
	else if (fio_line)
		add_line(out, fio_line, fio_len);
	else if (status > 128)
		strbuf_addf(out, "fio killed by signal %d", status - 128);
	else
		strbuf_addf(out, "fio exited with status %d", status);
}
