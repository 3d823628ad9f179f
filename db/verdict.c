// SPDX-License-Identifier: GPL-2.0-only
/* Storing comparisons and their verdicts. */
#include <math.h>

#include "db/db-internal.h"

static void bind_real(sqlite3_stmt *st, int i, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static int add_verdict(struct db *db, long long comparison, const struct db_verdict *v)
{
	sqlite3_stmt *st = db_stmt(db, STMT_VERDICT_ADD,
		"INSERT INTO verdict (comparison, job, metric, kind, verdict, median_a, median_b,"
		" ratio, ci_lo, ci_hi, p, q, delta, n_a, n_b, reps_needed)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, comparison);
	sqlite3_bind_int64(st, 2, v->job);
	sqlite3_bind_text(st, 3, v->metric, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, v->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, v->verdict, -1, SQLITE_STATIC);
	bind_real(st, 6, v->median_a);
	bind_real(st, 7, v->median_b);
	bind_real(st, 8, v->ratio);
	bind_real(st, 9, v->ci_lo);
	bind_real(st, 10, v->ci_hi);
	bind_real(st, 11, v->p);
	bind_real(st, 12, v->q);
	bind_real(st, 13, v->delta);
	sqlite3_bind_int64(st, 14, v->n_a);
	sqlite3_bind_int64(st, 15, v->n_b);
	if (v->reps_needed > 0)
		sqlite3_bind_int64(st, 16, v->reps_needed);
	else
		sqlite3_bind_null(st, 16);
	return db_step_done(st) == SQLITE_DONE ? 0 : -1;
}

int db_comparison_store(struct db *db, const struct db_comparison *c, long long *id)
{
	sqlite3_stmt *st;
	size_t i;

	if (db_begin(db))
		return -1;
	st = db_stmt(db, STMT_COMPARISON_ADD,
		"INSERT INTO comparison (run_a, run_b, command, regressions, improvements,"
		" inconclusive, exact_changed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	if (!st)
		goto out_rollback;
	sqlite3_bind_int64(st, 1, c->run_a);
	sqlite3_bind_int64(st, 2, c->run_b);
	db_bind_text(st, 3, c->command);
	sqlite3_bind_int64(st, 4, c->regressions);
	sqlite3_bind_int64(st, 5, c->improvements);
	sqlite3_bind_int64(st, 6, c->inconclusive);
	sqlite3_bind_int64(st, 7, c->exact_changed);
	if (db_step_done(st) != SQLITE_DONE)
		goto out_error;
	*id = sqlite3_last_insert_rowid(db->sql);
	for (i = 0; i < c->nr; i++)
		if (add_verdict(db, *id, &c->verdicts[i]))
			goto out_error;
	if (db_commit(db))
		goto out_rollback;
	return 0;

out_error:
	db_error(db, "cannot store the comparison of runs %lld and %lld", c->run_a, c->run_b);
out_rollback:
	db_rollback(db);
	return -1;
}
