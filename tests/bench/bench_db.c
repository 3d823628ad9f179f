// SPDX-License-Identifier: GPL-2.0-only
/*
 * Results store figures: ingest rate through db_rep_store in the shape of
 * real runs (40 jobs x 5 repetitions, 20 or 100 metrics per repetition) up
 * to 1 M samples, then the per-run summary query (db_run_series) on that
 * database. Prints figures; asserts nothing about time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collectors/sample.h"
#include "common/strbuf.h"
#include "common/strvec.h"
#include "db/db.h"

#define JOBS 40
#define REPS 5
#define MAX_METRICS 100
#define TOTAL 1000000
#define SERIES_CALLS 15

static const char *const metric_names[] = {
	"fio.read.iops", "fio.read.bw_bytes", "fio.read.clat_mean_ns", "fio.read.clat_p50_ns",
	"fio.read.clat_p99_ns", "fio.read.clat_p999_ns", "fio.read.runtime_ms",
	"fio.read.total_ios", "fio.usr_cpu", "fio.sys_cpu", "fio.ctx",
	"vmstat.nr_foll_pin_acquired", "vmstat.nr_foll_pin_released", "pin.acquired_per_io",
	"pin.released_per_io", "perf.task_clock_ms", "perf.context_switches",
	"perf.page_faults", "perf.cycles", "perf.instructions",
};

#define NAMED ((int)(sizeof(metric_names) / sizeof(metric_names[0])))

/* One shape of run: how many metrics each repetition stores. */
struct shape {
	int metrics;
	int runs;
	struct strvec names;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int add_jobs(struct db *db, long long *job)
{
	struct strbuf hash = STRBUF_INIT, name = STRBUF_INIT;
	int i, ret = 0;

	for (i = 0; i < JOBS && !ret; i++) {
		struct job_row j = { NULL, NULL, "{}", "vfat", "nvme0n1", "randread",
				     4096u << (i % 6), 1u << (i % 5), 1, "libaio", 1 << 26, 5 };

		strbuf_reset(&hash);
		strbuf_reset(&name);
		strbuf_addf(&hash, "bench-job-%d", i);
		strbuf_addf(&name, "randread-%uk-qd%u-libaio-nj1@scratch:vfat#%d",
			    (unsigned)(j.bs >> 10), j.iodepth, i);
		j.hash = hash.buf;
		j.name = name.buf;
		ret = db_job_get_or_add(db, &j, &job[i]);
	}
	strbuf_release(&hash);
	strbuf_release(&name);
	return ret;
}

/* The names once, outside the clock: only db_rep_store is timed. */
static void make_set(const struct shape *sh, struct sample_set *set)
{
	int m;

	for (m = 0; m < sh->metrics; m++) {
		/* like perf's hardware events under TCG: not supported */
		if (m == NAMED - 1 || m == NAMED - 2)
			sample_set_add_unavailable(set, sh->names.v[m], "count");
		else
			sample_set_add(set, sh->names.v[m], 0, "unit");
	}
}

static void fill(struct sample_set *set, int run, int job, int rep)
{
	size_t m;

	for (m = 0; m < set->nr; m++)
		set->v[m].value = 1000.0 * (m + 1) + (run * 7 + job * 13 + rep * 17) % 101;
}

static int ingest(struct db *db, const struct shape *sh, const long long *job,
		  long long kernel, long long machine, double *seconds)
{
	struct sample_set set = SAMPLE_SET_INIT;
	long long run;
	int r, j, rep;
	double t0;

	make_set(sh, &set);
	t0 = now();

	for (r = 0; r < sh->runs; r++) {
		if (db_run_begin(db, kernel, machine, "host", "bench_db", NULL, &run))
			return -1;
		/* interleaved like the runner does: each job's rep 1, then each job's rep 2 ... */
		for (rep = 1; rep <= REPS; rep++) {
			for (j = 0; j < JOBS; j++) {
				fill(&set, r, j, rep);
				if (db_rep_store(db, run, job[j], rep, &set))
					return -1;
			}
		}
		if (db_run_finish(db, run, "done", NULL))
			return -1;
	}
	*seconds = now() - t0;
	sample_set_clear(&set);
	return 0;
}

struct tally {
	size_t series, values, unavailable;
};

static int count_series(const struct db_series *s, void *data)
{
	struct tally *t = data;

	t->series++;
	t->values += s->n;
	t->unavailable += s->n_unavailable;
	return 0;
}

static int time_series(struct db *db, long long run)
{
	double ms[SERIES_CALLS];
	struct tally t = { 0 };
	int i;

	for (i = 0; i < SERIES_CALLS; i++) {
		double t0 = now();

		memset(&t, 0, sizeof(t));
		if (db_run_series(db, run, count_series, &t))
			return -1;
		ms[i] = (now() - t0) * 1e3;
	}
	printf("  summary of run %lld: %zu series, %zu values, %zu unavailable\n",
	       run, t.series, t.values, t.unavailable);
	printf("  db_run_series, first call          %8.2f ms\n", ms[0]);
	qsort(ms, SERIES_CALLS, sizeof(ms[0]), cmp_double);
	printf("  db_run_series, median of %d        %8.2f ms   (min %.2f, max %.2f; goal <= 50)\n",
	       SERIES_CALLS, ms[SERIES_CALLS / 2], ms[0], ms[SERIES_CALLS - 1]);
	return 0;
}

static int time_other(struct db *db, long long run, int runs)
{
	FILE *null = fopen("/dev/null", "w");
	double t0;
	int ret;

	if (!null)
		return -1;
	t0 = now();
	ret = db_export(db, run, DB_FORMAT_JSON, null);
	printf("  db_export json, one run            %8.2f ms\n", (now() - t0) * 1e3);
	t0 = now();
	ret |= db_list_runs(db, null);
	printf("  db_list_runs, %3d runs             %8.2f ms\n", runs, (now() - t0) * 1e3);
	fclose(null);
	return ret;
}

static void remove_db(const char *path)
{
	struct strbuf file = STRBUF_INIT;

	strbuf_addf(&file, "%s-wal", path);
	unlink(file.buf);
	strbuf_reset(&file);
	strbuf_addf(&file, "%s-shm", path);
	unlink(file.buf);
	unlink(path);
	strbuf_release(&file);
}

static int bench_shape(const char *path, struct shape *sh)
{
	static const struct machine_info m = { "bench-fp", "bench", "cpu", 2, 1 << 20, "host", "[]" };
	static const struct kernel_info k = { "host", "running", NULL, NULL, NULL, NULL, "v", "r" };
	long long job[JOBS], kernel, machine;
	struct db *db = NULL;
	double secs;
	int i, ret = -1;

	for (i = 0; i < sh->metrics; i++) {
		if (i < NAMED)
			strvec_push(&sh->names, metric_names[i]);
		else
			strvec_pushf(&sh->names, "fio.extra.metric_%02d", i);
	}
	sh->runs = TOTAL / (JOBS * REPS * sh->metrics);
	if (db_open(path, &db) || db_machine_get_or_add(db, &m, &machine) ||
	    db_kernel_get_or_add(db, &k, &kernel) || add_jobs(db, job))
		goto out;
	printf("%d runs x %d jobs x %d reps x %d metrics = %d samples, "
	       "one transaction per repetition (%d samples)\n",
	       sh->runs, JOBS, REPS, sh->metrics, sh->runs * JOBS * REPS * sh->metrics,
	       sh->metrics);
	if (ingest(db, sh, job, kernel, machine, &secs))
		goto out;
	printf("  ingest                             %8.2f s    %8.0f samples/s  (goal >= 500000)\n",
	       secs, sh->runs * JOBS * REPS * sh->metrics / secs);
	printf("                                                  %8.0f repetitions/s\n",
	       sh->runs * JOBS * REPS / secs);
	/* again on a fresh connection, as `pinbench report` would */
	db_close(db);
	db = NULL;
	if (db_open(path, &db) || time_series(db, sh->runs / 2) ||
	    time_other(db, sh->runs / 2, sh->runs))
		goto out;
	ret = 0;
out:
	db_close(db);
	strvec_clear(&sh->names);
	remove_db(path);
	return ret;
}

int main(void)
{
	struct shape shapes[] = { { 20, 0, STRVEC_INIT }, { MAX_METRICS, 0, STRVEC_INIT } };
	char dir[] = "/tmp/pinbench-bench-db.XXXXXX";
	struct strbuf path = STRBUF_INIT;
	size_t i;
	int ret = 0;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	strbuf_addf(&path, "%s/bench.db", dir);
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]) && !ret; i++)
		ret = bench_shape(path.buf, &shapes[i]);
	rmdir(dir);
	strbuf_release(&path);
	return ret ? 1 : 0;
}
