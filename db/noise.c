// SPDX-License-Identifier: GPL-2.0-only
/* A/A noise per machine, job and metric: stored by calibrate, read by compare. */
#include <stdio.h>

#include "common/log.h"
#include "db/db-internal.h"

int db_noise_store(struct db *db, long long machine, long long kernel, long long comparison,
		   const struct db_noise *rows, size_t nr)
{
	sqlite3_stmt *st;
	size_t i;

	if (db_begin(db))
		return -1;
	st = db_stmt(db, STMT_NOISE_ADD,
		"INSERT INTO noise (machine, job, metric, kernel, comparison, n, cv, boots)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
	if (!st)
		goto out_rollback;
	for (i = 0; i < nr; i++) {
		sqlite3_bind_int64(st, 1, machine);
		sqlite3_bind_int64(st, 2, rows[i].job);
		sqlite3_bind_text(st, 3, rows[i].metric, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, kernel);
		if (comparison > 0)
			sqlite3_bind_int64(st, 5, comparison);
		else
			sqlite3_bind_null(st, 5);
		sqlite3_bind_int64(st, 6, rows[i].n);
		sqlite3_bind_double(st, 7, rows[i].cv);
		sqlite3_bind_int64(st, 8, rows[i].boots);
		if (db_step_done(st) != SQLITE_DONE) {
			db_error(db, "cannot store the noise of job %lld", rows[i].job);
			goto out_rollback;
		}
	}
	if (db_commit(db))
		goto out_rollback;
	return 0;

out_rollback:
	db_rollback(db);
	return -1;
}

int db_noise_latest(struct db *db, long long machine, long long job, const char *metric,
		    struct db_noise_found *out)
{
	sqlite3_stmt *st = db_stmt(db, STMT_NOISE_LATEST,
		"SELECT cv, n, coalesce(comparison, 0), measured_at, coalesce(boots, 0) FROM noise"
		" WHERE machine = ?1 AND job = ?2 AND metric = ?3 ORDER BY id DESC LIMIT 1");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, machine);
	sqlite3_bind_int64(st, 2, job);
	sqlite3_bind_text(st, 3, metric, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->cv = sqlite3_column_double(st, 0);
		out->n = sqlite3_column_int64(st, 1);
		out->comparison = sqlite3_column_int64(st, 2);
		snprintf(out->measured_at, sizeof(out->measured_at), "%s", db_col_text(st, 3));
		out->boots = sqlite3_column_int64(st, 4);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return 1;
	return db_error(db, "cannot read the noise of job %lld", job);
}

int db_run_machine_kernel(struct db *db, long long run, long long *machine, long long *kernel)
{
	sqlite3_stmt *st = db_stmt(db, STMT_RUN_MACHINE_KERNEL,
		"SELECT machine, kernel FROM run WHERE id = ?1");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*machine = sqlite3_column_int64(st, 0);
		*kernel = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return error("no run %lld in '%s'", run, db->path);
	return db_error(db, "cannot read run %lld", run);
}
