// SPDX-License-Identifier: GPL-2.0-only
/* Storing comparisons and their verdicts, with the settings that made them, and reading them back. */
#include <math.h>
#include <string.h>

#include "db/db-internal.h"

static void bind_real(sqlite3_stmt *st, int i, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

/* 0 is "not known" (an exact row has no boots of its own): NULL */
static void bind_count(sqlite3_stmt *st, int i, long long v)
{
	if (v > 0)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static int add_verdict(struct db *db, long long comparison, const struct db_verdict *v)
{
	sqlite3_stmt *st = db_stmt(db, STMT_VERDICT_ADD,
		"INSERT INTO verdict (comparison, job, metric, kind, verdict, median_a, median_b,"
		" ratio, ci_lo, ci_hi, p, q, delta, n_a, n_b, reps_needed, unit, cv_a, cv_b,"
		" boots_a, boots_b, trend_s_a, trend_var_a, trend_s_b, trend_var_b, boot_cv)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
		" ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)");

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
	bind_count(st, 16, v->reps_needed);
	db_bind_text(st, 17, v->unit);
	bind_real(st, 18, v->cv_a);
	bind_real(st, 19, v->cv_b);
	bind_count(st, 20, v->boots_a);
	bind_count(st, 21, v->boots_b);
	bind_real(st, 22, v->trend_s_a);
	bind_real(st, 23, v->trend_var_a);
	bind_real(st, 24, v->trend_s_b);
	bind_real(st, 25, v->trend_var_b);
	bind_real(st, 26, v->boot_cv);
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
		" inconclusive, exact_changed, throughput_threshold, latency_threshold, alpha,"
		" confidence, resamples, seed, exact_tolerance, cost_tolerance, cost_fn_tolerance)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");
	if (!st)
		goto out_rollback;
	sqlite3_bind_int64(st, 1, c->run_a);
	sqlite3_bind_int64(st, 2, c->run_b);
	db_bind_text(st, 3, c->command);
	sqlite3_bind_int64(st, 4, c->regressions);
	sqlite3_bind_int64(st, 5, c->improvements);
	sqlite3_bind_int64(st, 6, c->inconclusive);
	sqlite3_bind_int64(st, 7, c->exact_changed);
	bind_real(st, 8, c->settings.throughput_threshold);
	bind_real(st, 9, c->settings.latency_threshold);
	bind_real(st, 10, c->settings.alpha);
	bind_real(st, 11, c->settings.confidence);
	sqlite3_bind_int64(st, 12, c->settings.resamples);
	sqlite3_bind_int64(st, 13, c->settings.seed);
	bind_real(st, 14, c->settings.exact_tolerance);
	bind_real(st, 15, c->settings.cost_tolerance);
	bind_real(st, 16, c->settings.cost_fn_tolerance);
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

static double real_or_nan(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* A report reads these once: prepared here, not cached in db->stmt. */
static sqlite3_stmt *prepare(struct db *db, const char *sql, long long comparison)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK) {
		db_error(db, "cannot read comparison %lld", comparison);
		return NULL;
	}
	sqlite3_bind_int64(st, 1, comparison);
	return st;
}

static void read_settings(sqlite3_stmt *st, int col, struct db_comparison_stored *out)
{
	struct db_compare_settings *s = &out->settings;
	int i;

	/* all or nothing: a comparison stored before schema 7 has none of them */
	out->settings_known = 1;
	for (i = col; i < col + 7; i++)
		if (sqlite3_column_type(st, i) == SQLITE_NULL)
			out->settings_known = 0;
	if (!out->settings_known)
		return;
	s->throughput_threshold = sqlite3_column_double(st, col);
	s->latency_threshold = sqlite3_column_double(st, col + 1);
	s->alpha = sqlite3_column_double(st, col + 2);
	s->confidence = sqlite3_column_double(st, col + 3);
	s->resamples = sqlite3_column_int64(st, col + 4);
	s->seed = sqlite3_column_int64(st, col + 5);
	s->exact_tolerance = sqlite3_column_double(st, col + 6);
	s->cost_tolerance = real_or_nan(st, col + 7);
	s->cost_fn_tolerance = real_or_nan(st, col + 8);
}

int db_comparison_get(struct db *db, long long comparison, struct db_comparison_stored *out)
{
	sqlite3_stmt *st = prepare(db,
		"SELECT run_a, run_b, regressions, improvements, inconclusive, exact_changed,"
		" decided_at, throughput_threshold, latency_threshold, alpha, confidence,"
		" resamples, seed, exact_tolerance, cost_tolerance, cost_fn_tolerance"
		" FROM comparison WHERE id = ?1", comparison);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->run_a = sqlite3_column_int64(st, 0);
		out->run_b = sqlite3_column_int64(st, 1);
		out->regressions = sqlite3_column_int64(st, 2);
		out->improvements = sqlite3_column_int64(st, 3);
		out->inconclusive = sqlite3_column_int64(st, 4);
		out->exact_changed = sqlite3_column_int64(st, 5);
		snprintf(out->decided_at, sizeof(out->decided_at), "%s", db_col_text(st, 6));
		read_settings(st, 7, out);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return 1;
	return db_error(db, "cannot read comparison %lld", comparison);
}

int db_comparison_stored_verdicts(struct db *db, long long comparison, db_stored_verdict_fn fn,
				  void *data)
{
	sqlite3_stmt *st = prepare(db,
		"SELECT v.job, j.name, v.metric, v.kind, v.verdict, v.median_a, v.median_b,"
		" v.ratio, v.ci_lo, v.ci_hi, v.p, v.q, v.delta, coalesce(v.n_a, 0),"
		" coalesce(v.n_b, 0), coalesce(v.reps_needed, 0),"
		" coalesce(v.unit, m.unit, CASE v.metric WHEN 'pin.balance_per_io' THEN 'pins/io'"
		" END, ''), v.cv_a, v.cv_b, coalesce(v.boots_a, 0), coalesce(v.boots_b, 0),"
		" coalesce(v.trend_s_a, 0), coalesce(v.trend_var_a, 0), coalesce(v.trend_s_b, 0),"
		" coalesce(v.trend_var_b, 0), v.boot_cv"
		" FROM verdict v JOIN job j ON j.id = v.job LEFT JOIN metric m ON m.name = v.metric"
		/* compare's order: its series come by job and metric, the balance row ends a job */
		" WHERE v.comparison = ?1"
		" ORDER BY v.job, v.metric = 'pin.balance_per_io', v.metric", comparison);
	int rc = SQLITE_DONE, ret = 0;

	if (!st)
		return -1;
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_verdict v = {
			sqlite3_column_int64(st, 0), db_col_text(st, 2), db_col_text(st, 3),
			db_col_text(st, 4), real_or_nan(st, 5), real_or_nan(st, 6),
			real_or_nan(st, 7), real_or_nan(st, 8), real_or_nan(st, 9),
			real_or_nan(st, 10), real_or_nan(st, 11), real_or_nan(st, 12),
			sqlite3_column_int64(st, 13), sqlite3_column_int64(st, 14),
			sqlite3_column_int64(st, 15), db_col_text(st, 16), real_or_nan(st, 17),
			real_or_nan(st, 18), sqlite3_column_int64(st, 19),
			sqlite3_column_int64(st, 20), sqlite3_column_double(st, 21),
			sqlite3_column_double(st, 22), sqlite3_column_double(st, 23),
			sqlite3_column_double(st, 24), real_or_nan(st, 25),
		};

		ret = fn(&v, db_col_text(st, 1), data);
	}
	if (!ret && rc != SQLITE_DONE)
		ret = db_error(db, "cannot read the verdicts of comparison %lld", comparison);
	sqlite3_finalize(st);
	return ret;
}
