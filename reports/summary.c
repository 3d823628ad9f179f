// SPDX-License-Identifier: GPL-2.0-only
#include "reports/summary.h"

#include <math.h>
#include <string.h>

#include "common/strbuf.h"
#include "reports/stats.h"

/* The metrics a person wants first; `all` shows every stored metric. */
static int key_metric(const char *m)
{
	static const char *const keys[] = {
		"fio.read.bw_bytes", "fio.read.iops", "fio.read.clat_p50_ns", "fio.read.clat_p99_ns",
		"fio.write.bw_bytes", "fio.write.iops", "fio.write.clat_p50_ns",
		"fio.write.clat_p99_ns", "pin.acquired_per_io", "pin.released_per_io",
		"perf.task_clock_ns_per_io", "fio.sys_cpu_ns_per_io", "profile.pin_share_pct",
		/* the dio-cases checks */
		"case.iops", "case.bios_per_io", "case.disk_bytes_per_io", "case.leaked_pages",
		"case.data_errors", "case.thp", "case.zero_page_src", "case.zeroed_bytes_per_io", NULL,
	};
	int i;

	for (i = 0; keys[i]; i++)
		if (!strcmp(keys[i], m))
			return 1;
	return 0;
}

/* Scale to a readable unit: bytes/s in MiB/s, nanoseconds in microseconds. */
double unit_scale(const char *unit, const char **shown)
{
	if (!strcmp(unit, "B/s")) {
		*shown = "MiB/s";
		return 1.0 / (1 << 20);
	}
	if (!strcmp(unit, "ns")) {
		*shown = "us";
		return 1e-3;
	}
	*shown = unit;
	return 1;
}

struct summary_state {
	FILE *out;
	int all;
	long long job;
};

static int print_series(const struct db_series *s, void *data)
{
	struct summary_state *st = data;
	const char *unit;
	double k;

	if (s->job != st->job) {
		fprintf(st->out, "\n%s\n", s->job_name);
		fprintf(st->out, "  %-26s %12s %7s %12s %12s %4s  %s\n", "metric", "median", "cv%",
			"min", "max", "n", "unit");
		st->job = s->job;
	}
	if (!st->all && !key_metric(s->metric))
		return 0;
	k = unit_scale(s->unit, &unit);
	if (!s->n) {
		fprintf(st->out, "  %-26s %12s %7s %12s %12s %4zu  %s\n", s->metric, "unavailable",
			"", "", "", s->n_unavailable, unit);
		return 0;
	}
	fprintf(st->out, "  %-26s %12.6g %7.2f %12.6g %12.6g %4zu  %s\n", s->metric,
		stats_median(s->values, s->n) * k, stats_cv_percent(s->values, s->n),
		s->values[0] * k, s->values[s->n - 1] * k, s->n, unit);
	return 0;
}

struct failure_state {
	FILE *out;
	int header_done;
};

static int print_failure(const char *job_name, int rep, const char *message, void *data)
{
	struct failure_state *fs = data;

	if (!fs->header_done++)
		fprintf(fs->out, "\nfailed repetitions:\n");
	fprintf(fs->out, "  %s rep %d: %s\n", job_name, rep, message);
	return 0;
}

static int print_flag(const char *job_name, const char *kind, const char *message, void *data)
{
	struct failure_state *fs = data;

	if (!fs->header_done++)
		fprintf(fs->out, "\nflags:\n");
	fprintf(fs->out, "  %s%s%s: %s\n", job_name, *job_name ? " " : "", kind, message);
	return 0;
}

int summary_print(struct db *db, long long run, int all, FILE *out)
{
	struct summary_state st = { out, all, -1 };
	struct failure_state fs = { out, 0 }, flags = { out, 0 };

	if (db_run_series(db, run, print_series, &st))
		return -1;
	if (st.job < 0)
		fprintf(out, "\n(no measured repetitions stored)\n");
	if (db_run_flags(db, run, print_flag, &flags))
		return -1;
	return db_run_failures(db, run, print_failure, &fs);
}
