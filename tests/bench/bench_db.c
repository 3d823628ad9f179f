// SPDX-License-Identifier: GPL-2.0-only
/*
 * Results store figures: ingest rate through db_rep_store in the shape of
 * real runs (40 jobs x 5 repetitions x 20 metrics per run) up to 1 M
 * samples, then the per-run summary query (db_run_series) on that database.
 * Prints figures; asserts nothing about time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collectors/sample.h"
#include "common/strbuf.h"
#include "db/db.h"

#define JOBS 40
#define REPS 5
#define METRICS 20
#define TOTAL 1000000
#define PER_RUN (JOBS * REPS * METRICS)
#define RUNS (TOTAL / PER_RUN)
#define SERIES_CALLS 15

static const char *const metric_names[METRICS] = {
	"fio.read.iops", "fio.read.bw_bytes", "fio.read.clat_mean_ns", "fio.read.clat_p50_ns",
	"fio.read.clat_p99_ns", "fio.read.clat_p999_ns", "fio.read.runtime_ms",
	"fio.read.total_ios", "fio.usr_cpu", "fio.sys_cpu", "fio.ctx",
	"vmstat.nr_foll_pin_acquired", "vmstat.nr_foll_pin_released", "pin.acquired_per_io",
	"pin.released_per_io", "perf.task_clock_ms", "perf.context_switches",
	"perf.page_faults", "perf.cycles", "perf.instructions",
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

static void fill(struct sample_set *set, int run, int job, int rep)
{
	int m;

	for (m = 0; m < METRICS; m++) {
		double v = 1000.0 * (m + 1) + (run * 7 + job * 13 + rep * 17) % 101;

		/* like perf's hardware events under TCG: not supported */
		if (m >= METRICS - 2)
			sample_set_add_unavailable(set, metric_names[m], "count");
		else
			sample_set_add(set, metric_names[m], v, "unit");
	}
}

static int ingest(struct db *db, const long long *job, long long kernel, long long machine,
		  double *seconds)
{
	struct sample_set set = SAMPLE_SET_INIT;
	double t0 = now();
	long long run;
	int r, j, rep;

	for (r = 0; r < RUNS; r++) {
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
	printf("first call (cold statement)        %8.2f ms\n", ms[0]);
	qsort(ms, SERIES_CALLS, sizeof(ms[0]), cmp_double);
	printf("summary query, run %lld: %zu series, %zu values, %zu unavailable\n",
	       run, t.series, t.values, t.unavailable);
	printf("db_run_series median of %d          %8.2f ms  (min %.2f, max %.2f; goal <= 50)\n",
	       SERIES_CALLS, ms[SERIES_CALLS / 2], ms[0], ms[SERIES_CALLS - 1]);
	return 0;
}

static int time_other(struct db *db, long long run)
{
	FILE *null = fopen("/dev/null", "w");
	double t0;
	int ret;

	if (!null)
		return -1;
	t0 = now();
	ret = db_export(db, run, DB_FORMAT_JSON, null);
	printf("db_export json, one run             %8.2f ms\n", (now() - t0) * 1e3);
	t0 = now();
	ret |= db_list_runs(db, null);
	printf("db_list_runs, %d runs              %8.2f ms\n", RUNS, (now() - t0) * 1e3);
	fclose(null);
	return ret;
}

int main(void)
{
	static const struct machine_info m = { "bench-fp", "bench", "cpu", 2, 1 << 20, "host", "[]" };
	static const struct kernel_info k = { "host", "running", NULL, NULL, NULL, NULL, "v", "r" };
	char dir[] = "/tmp/pinbench-bench-db.XXXXXX";
	struct strbuf path = STRBUF_INIT, file = STRBUF_INIT;
	long long job[JOBS], kernel, machine;
	struct db *db = NULL;
	double secs;
	int ret = 1;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	strbuf_addf(&path, "%s/bench.db", dir);
	if (db_open(path.buf, &db) || db_machine_get_or_add(db, &m, &machine) ||
	    db_kernel_get_or_add(db, &k, &kernel) || add_jobs(db, job))
		goto out_remove;
	printf("ingest: %d runs x %d jobs x %d reps x %d metrics = %d samples, "
	       "one transaction per repetition (%d samples)\n",
	       RUNS, JOBS, REPS, METRICS, RUNS * PER_RUN, METRICS);
	if (ingest(db, job, kernel, machine, &secs))
		goto out_remove;
	printf("ingest                              %8.2f s   %8.0f samples/s  (goal >= 500000)\n",
	       secs, RUNS * PER_RUN / secs);
	printf("                                              %8.0f reps/s (transactions)\n",
	       RUNS * JOBS * REPS / secs);
	/* again on a fresh connection, as `pinbench report` would */
	db_close(db);
	db = NULL;
	if (db_open(path.buf, &db) || time_series(db, RUNS / 2) || time_other(db, RUNS / 2))
		goto out_remove;
	ret = 0;

out_remove:
	db_close(db);
	strbuf_addf(&file, "%s-wal", path.buf);
	unlink(file.buf);
	strbuf_reset(&file);
	strbuf_addf(&file, "%s-shm", path.buf);
	unlink(file.buf);
	unlink(path.buf);
	rmdir(dir);
	strbuf_release(&path);
	strbuf_release(&file);
	return ret;
}
