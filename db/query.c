// SPDX-License-Identifier: GPL-2.0-only
/* Reading the results store back: run lists, run headers, series, failures. */
#include "db/db-internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/strbuf.h"

/* --- db_list_runs --------------------------------------------------------- */

enum { COL_RUN, COL_STARTED, COL_STATE, COL_TARGET, COL_KERNEL, COL_MACHINE,
       COL_JOBS, COL_OK, COL_FAILED, COL_SAMPLES, COL_REASON, NCOLS };

static const char *const col_name[NCOLS] = {
	"RUN", "STARTED", "STATE", "TARGET", "KERNEL", "MACHINE",
	"JOBS", "OK", "FAILED", "SAMPLES", "REASON",
};

/* Counts line up on the right. */
static int col_numeric(int col)
{
	return col == COL_JOBS || col == COL_OK ||
	       col == COL_FAILED || col == COL_SAMPLES;
}

#define REASON_MAX 60

/* First line of a reason, cut to fit a table row. */
static void short_reason(struct strbuf *sb, const char *reason)
{
	size_t len = strcspn(reason, "\r\n");

	if (len > REASON_MAX) {
		strbuf_add(sb, reason, REASON_MAX - 3);
		strbuf_addstr(sb, "...");
	} else {
		strbuf_add(sb, reason, len);
	}
}

static void push_row(struct strvec *cells, sqlite3_stmt *st)
{
	struct strbuf sb = STRBUF_INIT;
	const char *state = db_col_text(st, COL_STATE);
	int col;

	for (col = 0; col < COL_REASON; col++)
		strvec_push(cells, db_col_text(st, col));
	/* every way a run can end badly says why (failed, interrupted, panicked ...) */
	if (strcmp(state, "done") && strcmp(state, "running"))
		short_reason(&sb, db_col_text(st, COL_REASON));
	strvec_push(cells, sb.buf);
	strbuf_release(&sb);
}

static void print_table(FILE *out, const struct strvec *cells)
{
	struct strbuf line = STRBUF_INIT;
	size_t width[NCOLS] = { 0 };
	size_t i;
	int col;

	for (i = 0; i < cells->nr; i++) {
		size_t len = strlen(cells->v[i]);

		if (len > width[i % NCOLS])
			width[i % NCOLS] = len;
	}
	for (i = 0; i < cells->nr; i += NCOLS) {
		strbuf_reset(&line);
		for (col = 0; col < NCOLS; col++)
			strbuf_addf(&line, col_numeric(col) ? "%*s  " : "%-*s  ",
				    (int)width[col], cells->v[i + col]);
		/* no trailing blanks when the last columns are empty */
		strbuf_rtrim(&line);
		fprintf(out, "%s\n", line.buf);
	}
	strbuf_release(&line);
}

int db_list_runs(struct db *db, FILE *out)
{
	sqlite3_stmt *st = db_stmt(db, STMT_LIST_RUNS,
		"SELECT r.id, r.started, r.state, r.target,"
		" trim(coalesce(k.name, '') || ' ' || coalesce(k.release, '')),"
		" coalesce(m.hostname, ''),"
		" (SELECT count(DISTINCT p.job) FROM rep p WHERE p.run = r.id),"
		" (SELECT count(*) FROM rep p WHERE p.run = r.id AND p.status = 'ok'),"
		" (SELECT count(*) FROM rep p WHERE p.run = r.id AND p.status = 'failed'),"
		" (SELECT count(*) FROM sample s WHERE s.run = r.id),"
		" r.reason"
		" FROM run r LEFT JOIN kernel k ON k.id = r.kernel"
		" LEFT JOIN machine m ON m.id = r.machine"
		" ORDER BY r.id");
	struct strvec cells = STRVEC_INIT;
	int rc, col;

	if (!st)
		return -1;
	for (col = 0; col < NCOLS; col++)
		strvec_push(&cells, col_name[col]);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		push_row(&cells, st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		strvec_clear(&cells);
		return db_error(db, "cannot list runs");
	}
	print_table(out, &cells);
	strvec_clear(&cells);
	return 0;
}

/* --- db_show_run_header --------------------------------------------------- */

/* One "key: value" line; a value never breaks the line, "-" when empty. */
static void put_line(FILE *out, const char *key, const char *value)
{
	fprintf(out, "%s: ", key);
	if (!value || !*value)
		value = "-";
	for (; *value; value++)
		fputc(*value == '\n' || *value == '\r' || *value == '\t' ? ' ' : *value, out);
	fputc('\n', out);
}

enum { H_ID, H_STATE, H_REASON, H_TARGET, H_KNAME, H_KRELEASE, H_KSOURCE, H_KBUILD,
       H_HOST, H_CPU, H_CORES, H_MEMKB, H_KIND, H_STARTED, H_FINISHED, H_COMMAND, H_LOG,
       H_DEVICES, H_KVERSION };

static void describe_kernel(struct strbuf *sb, sqlite3_stmt *st)
{
	strbuf_addf(sb, "%s %s", db_col_text(st, H_KNAME), db_col_text(st, H_KRELEASE));
	if (*db_col_text(st, H_KSOURCE))
		strbuf_addf(sb, " (%s)", db_col_text(st, H_KSOURCE));
	if (*db_col_text(st, H_KBUILD))
		strbuf_addf(sb, " build %.12s", db_col_text(st, H_KBUILD));
}

static void describe_machine(struct strbuf *sb, sqlite3_stmt *st)
{
	strbuf_addf(sb, "%s (%s, %s, %lld cores, %lld MiB)", db_col_text(st, H_HOST),
		    db_col_text(st, H_KIND), db_col_text(st, H_CPU),
		    sqlite3_column_int64(st, H_CORES), sqlite3_column_int64(st, H_MEMKB) / 1024);
}

static void print_header(FILE *out, sqlite3_stmt *st)
{
	struct strbuf sb = STRBUF_INIT;

	put_line(out, "run", db_col_text(st, H_ID));
	put_line(out, "state", db_col_text(st, H_STATE));
	put_line(out, "reason", db_col_text(st, H_REASON));
	put_line(out, "target", db_col_text(st, H_TARGET));
	describe_kernel(&sb, st);
	put_line(out, "kernel", sb.buf);
	if (*db_col_text(st, H_KVERSION))
		put_line(out, "kernel version", db_col_text(st, H_KVERSION));
	strbuf_reset(&sb);
	describe_machine(&sb, st);
	put_line(out, "machine", sb.buf);
	put_line(out, "devices", db_col_text(st, H_DEVICES));
	put_line(out, "started", db_col_text(st, H_STARTED));
	put_line(out, "finished", db_col_text(st, H_FINISHED));
	put_line(out, "command", db_col_text(st, H_COMMAND));
	if (*db_col_text(st, H_LOG))
		put_line(out, "logs", db_col_text(st, H_LOG));
	strbuf_release(&sb);
}

int db_show_run_header(struct db *db, long long run, FILE *out)
{
	sqlite3_stmt *st = db_stmt(db, STMT_RUN_HEADER,
		"SELECT r.id, r.state, r.reason, r.target, k.name, k.release, k.source,"
		" k.build_sha, m.hostname, m.cpu_model, m.cores, m.memory_kb, m.target_kind,"
		" r.started, r.finished, r.command, r.log, m.devices, k.version"
		" FROM run r LEFT JOIN kernel k ON k.id = r.kernel"
		" LEFT JOIN machine m ON m.id = r.machine WHERE r.id = ?1");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		print_header(out, st);
	else if (rc == SQLITE_DONE)
		error("no run %lld in '%s'", run, db->path);
	else
		db_error(db, "cannot read run %lld", run);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* --- db_run_series -------------------------------------------------------- */

struct series_acc {
	struct db_series s;
	struct strbuf job_name, metric, unit;
	double *values;
	long long *boots;
	int *reps;
	size_t alloc;
	int started;
};

static int same_series(const struct series_acc *acc, sqlite3_stmt *st)
{
	return acc->started && acc->s.job == sqlite3_column_int64(st, 0) &&
	       !strcmp(acc->metric.buf, db_col_text(st, 2));
}

static void start_series(struct series_acc *acc, sqlite3_stmt *st)
{
	acc->s.job = sqlite3_column_int64(st, 0);
	strbuf_reset(&acc->job_name);
	strbuf_addstr(&acc->job_name, db_col_text(st, 1));
	strbuf_reset(&acc->metric);
	strbuf_addstr(&acc->metric, db_col_text(st, 2));
	strbuf_reset(&acc->unit);
	strbuf_addstr(&acc->unit, db_col_text(st, 3));
	acc->s.n = acc->s.n_unavailable = 0;
	acc->started = 1;
}

static void add_value(struct series_acc *acc, sqlite3_stmt *st)
{
	/* NULL sorts first, so the values that follow stay ascending */
	if (sqlite3_column_type(st, 4) == SQLITE_NULL) {
		acc->s.n_unavailable++;
		return;
	}
	if (acc->s.n == acc->alloc) {
		acc->alloc = acc->alloc ? 2 * acc->alloc : 16;
		acc->values = xrealloc(acc->values, acc->alloc * sizeof(*acc->values));
		acc->boots = xrealloc(acc->boots, acc->alloc * sizeof(*acc->boots));
		acc->reps = xrealloc(acc->reps, acc->alloc * sizeof(*acc->reps));
	}
	acc->boots[acc->s.n] = sqlite3_column_int64(st, 5);
	acc->reps[acc->s.n] = sqlite3_column_int(st, 6);
	acc->values[acc->s.n++] = sqlite3_column_double(st, 4);
}

static int emit_series(struct series_acc *acc, db_series_fn fn, void *data)
{
	if (!acc->started)
		return 0;
	acc->s.job_name = acc->job_name.buf;
	acc->s.metric = acc->metric.buf;
	acc->s.unit = acc->unit.buf;
	acc->s.values = acc->values;
	acc->s.boots = acc->boots;
	acc->s.reps = acc->reps;
	return fn(&acc->s, data);
}

static int walk_series(struct db *db, sqlite3_stmt *st, struct series_acc *acc,
		       db_series_fn fn, void *data)
{
	int rc, ret = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!same_series(acc, st)) {
			ret = emit_series(acc, fn, data);
			if (ret)
				return ret;
			start_series(acc, st);
		}
		add_value(acc, st);
	}
	if (rc != SQLITE_DONE)
		return db_error(db, "cannot read the samples of a run");
	return emit_series(acc, fn, data);
}

/*
 * One query, grouped here: a (job, metric) group is a run of consecutive
 * rows. fn returning non-zero stops the walk and is returned as is. The
 * strings and values passed to fn live until fn returns.
 */
int db_run_series(struct db *db, long long run, db_series_fn fn, void *data)
{
	struct series_acc acc = { .job_name = STRBUF_INIT, .metric = STRBUF_INIT,
				  .unit = STRBUF_INIT };
	sqlite3_stmt *st;
	int ret;

	if (db_need_run(db, run))
		return -1;
	st = db_stmt(db, STMT_SERIES,
		"SELECT s.job, j.name, s.metric, s.unit, s.value, coalesce(p.boot, 0), s.rep"
		" FROM sample s JOIN job j ON j.id = s.job"
		" LEFT JOIN rep p ON p.run = s.run AND p.job = s.job AND p.rep = s.rep"
		" WHERE s.run = ?1 AND s.rep >= 1"
		" ORDER BY s.job, s.metric, s.value, p.boot, s.rep");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	ret = walk_series(db, st, &acc, fn, data);
	sqlite3_reset(st);
	strbuf_release(&acc.job_name);
	strbuf_release(&acc.metric);
	strbuf_release(&acc.unit);
	free(acc.values);
	free(acc.boots);
	free(acc.reps);
	return ret;
}

/* --- db_run_failures ------------------------------------------------------ */

/* fn returning non-zero stops the walk and is returned as is. */
int db_run_failures(struct db *db, long long run, db_failure_fn fn, void *data)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	if (db_need_run(db, run))
		return -1;
	st = db_stmt(db, STMT_FAILURES,
		"SELECT j.name, p.rep, p.message FROM rep p JOIN job j ON j.id = p.job"
		" WHERE p.run = ?1 AND p.status = 'failed' ORDER BY p.job, p.rep");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret = fn(db_col_text(st, 0), sqlite3_column_int(st, 1), db_col_text(st, 2), data);
		if (ret)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_error(db, "cannot read the failures of run %lld", run);
	sqlite3_reset(st);
	return ret;
}

/* --- db_run_flags ----------------------------------------------------------- */

int db_run_flags(struct db *db, long long run, db_flag_fn fn, void *data)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	if (db_need_run(db, run))
		return -1;
	st = db_stmt(db, STMT_FLAGS,
		"SELECT coalesce(j.name, ''), f.kind, f.message FROM flag f"
		" LEFT JOIN job j ON j.id = f.job WHERE f.run = ?1 ORDER BY f.rowid");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret = fn(db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2), data);
		if (ret)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_error(db, "cannot read the flags of run %lld", run);
	sqlite3_reset(st);
	return ret;
}

/* --- db_run_patches ----------------------------------------------------------- */

int db_run_patches(struct db *db, long long run, db_patch_fn fn, void *data)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	if (db_need_run(db, run))
		return -1;
	/* the patches of the newest build whose key is the run's kernel */
	st = db_stmt(db, STMT_RUN_PATCHES,
		"SELECT p.seq, p.subject, coalesce(p.message_id, '') FROM run r"
		" JOIN kernel k ON k.id = r.kernel"
		" JOIN build_patch p ON p.build = (SELECT max(b.id) FROM build b"
		"   WHERE b.key = k.build_sha AND b.state = 'done')"
		" WHERE r.id = ?1 ORDER BY p.seq");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret = fn(sqlite3_column_int(st, 0), db_col_text(st, 1), db_col_text(st, 2), data);
		if (ret)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_error(db, "cannot read the patches of run %lld", run);
	sqlite3_reset(st);
	return ret;
}

/* --- db_latest_run ------------------------------------------------------------ */

int db_latest_run(struct db *db, const char *kernel, long long *run)
{
	sqlite3_stmt *st = db_stmt(db, STMT_LATEST_RUN,
		"SELECT r.id FROM run r JOIN kernel k ON k.id = r.kernel"
		" WHERE k.name = ?1 AND r.state = 'done' ORDER BY r.id DESC LIMIT 1");
	int rc, ret;

	if (!st)
		return -1;
	db_bind_text(st, 1, kernel);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*run = sqlite3_column_int64(st, 0);
		ret = 0;
	} else if (rc == SQLITE_DONE) {
		ret = 1;
		error("no finished run of kernel '%s' in '%s'", kernel, db->path);
	} else {
		ret = db_error(db, "cannot look up the runs of kernel '%s'", kernel);
	}
	sqlite3_reset(st);
	return ret;
}

/* --- db_run_pin_counts ---------------------------------------------------------- */

static double col_or_nan(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

int db_run_pin_counts(struct db *db, long long run, db_pin_counts_fn fn, void *data)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	if (db_need_run(db, run))
		return -1;
	st = db_stmt(db, STMT_PIN_COUNTS,
		"SELECT s.job, j.name, s.rep,"
		" max(CASE s.metric WHEN 'vmstat.nr_foll_pin_acquired' THEN s.value END),"
		" max(CASE s.metric WHEN 'vmstat.nr_foll_pin_released' THEN s.value END),"
		" max(CASE s.metric WHEN 'fio.total_ios' THEN s.value END)"
		" FROM sample s JOIN job j ON j.id = s.job"
		" WHERE s.run = ?1 AND s.rep >= 1"
		" GROUP BY s.job, s.rep ORDER BY s.job, s.rep");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_pin_counts c = {
			sqlite3_column_int64(st, 0), db_col_text(st, 1), sqlite3_column_int(st, 2),
			col_or_nan(st, 3), col_or_nan(st, 4), col_or_nan(st, 5),
		};

		ret = fn(&c, data);
		if (ret)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_error(db, "cannot read the pin counters of run %lld", run);
	sqlite3_reset(st);
	return ret;
}

/* --- db_run_kernel_name --------------------------------------------------------- */

int db_run_kernel_name(struct db *db, long long run, struct strbuf *name)
{
	sqlite3_stmt *st;
	int rc;

	if (db_need_run(db, run))
		return -1;
	st = db_stmt(db, STMT_RUN_KERNEL_NAME,
		"SELECT coalesce(k.name, '') FROM run r LEFT JOIN kernel k ON k.id = r.kernel"
		" WHERE r.id = ?1");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	rc = sqlite3_step(st);
	strbuf_reset(name);
	if (rc == SQLITE_ROW)
		strbuf_addstr(name, db_col_text(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return db_error(db, "cannot read the kernel of run %lld", run);
	return 0;
}

/* --- db_run_repro, db_run_jobs ---------------------------------------------------- */

int db_run_repro(struct db *db, long long run, struct db_run_repro *out)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (db_need_run(db, run))
		return -1;
	st = db_stmt(db, STMT_RUN_REPRO,
		"SELECT k.name, k.source, k.config_sha, k.build_sha, k.release, r.target,"
		" r.command, r.config, coalesce(r.log, '') FROM run r"
		" LEFT JOIN kernel k ON k.id = r.kernel"
		" WHERE r.id = ?1");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->kernel = xstrdup(db_col_text(st, 0));
		out->source = xstrdup(db_col_text(st, 1));
		out->config_sha = xstrdup(db_col_text(st, 2));
		out->build_sha = xstrdup(db_col_text(st, 3));
		out->release = xstrdup(db_col_text(st, 4));
		out->target = xstrdup(db_col_text(st, 5));
		out->command = xstrdup(db_col_text(st, 6));
		out->config = xstrdup(db_col_text(st, 7));
		out->log = xstrdup(db_col_text(st, 8));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return db_error(db, "cannot read run %lld", run);
	return 0;
}

void db_run_repro_release(struct db_run_repro *r)
{
	free(r->kernel);
	free(r->source);
	free(r->config_sha);
	free(r->build_sha);
	free(r->release);
	free(r->target);
	free(r->command);
	free(r->config);
	free(r->log);
	memset(r, 0, sizeof(*r));
}

int db_run_jobs(struct db *db, long long run, db_job_fn fn, void *data)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	if (db_need_run(db, run))
		return -1;
	st = db_stmt(db, STMT_RUN_JOBS,
		"SELECT j.name, j.params FROM job j"
		" WHERE j.id IN (SELECT DISTINCT job FROM rep WHERE run = ?1) ORDER BY j.id");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret = fn(db_col_text(st, 0), db_col_text(st, 1), data);
		if (ret)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_error(db, "cannot read the jobs of run %lld", run);
	sqlite3_reset(st);
	return ret;
}
