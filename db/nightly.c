// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nights and change points in the results store (runner/nightly.h). A few
 * rows per night: statements are prepared per call rather than cached.
 */
#include "db/db-internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/strbuf.h"

static void bind_real(sqlite3_stmt *st, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_double(st, i, v);
}

static double col_real(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

int db_night_begin(struct db *db, const char *branch, const char *commit, const char *subject,
		   long long *id)
{
	sqlite3_stmt *st = db_prepare(db, "INSERT INTO night (branch, host, commit_sha, subject)"
				       " VALUES (?1, ?2, ?3, ?4)");
	char host[256];
	int rc;

	if (!st)
		return -1;
	db_hostname(host, sizeof(host));
	sqlite3_bind_text(st, 1, branch, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, commit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, subject ? subject : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(db, "cannot record a night of branch %s", branch);
	*id = sqlite3_last_insert_rowid(db->sql);
	return 0;
}

int db_night_finish(struct db *db, long long night, long long run, const char *state,
		    const char *reason)
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE night SET run = ?2, state = ?3, reason = ?4,"
				       " finished = " "(" DB_NOW ")" " WHERE id = ?1");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, night);
	if (run > 0)
		sqlite3_bind_int64(st, 2, run);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, state, -1, SQLITE_STATIC);
	db_bind_text(st, 4, reason && *reason ? reason : NULL);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(db, "cannot finish night %lld as '%s'", night, state);
	return 0;
}

int db_night_measured(struct db *db, const char *branch, const char *commit, long long *night,
		      char *at, size_t at_len)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT id, coalesce(finished, started) FROM night"
				       " WHERE branch = ?1 AND host = ?2 AND commit_sha = ?3"
				       " AND state = 'measured' ORDER BY id DESC LIMIT 1");
	char host[256];
	int rc;

	if (!st)
		return -1;
	db_hostname(host, sizeof(host));
	sqlite3_bind_text(st, 1, branch, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, commit, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*night = sqlite3_column_int64(st, 0);
		snprintf(at, at_len, "%s", db_col_text(st, 1));
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_error(db, "cannot read the nights of branch %s", branch);
}

int db_night_reap(struct db *db, size_t *reaped)
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE night SET state = 'interrupted', finished = "
				       "(" DB_NOW ")" ", reason = 'pinbench stopped before the night"
				       " ended' WHERE host = ?1 AND state = 'building'");
	char host[256];
	int rc;

	if (!st)
		return -1;
	db_hostname(host, sizeof(host));
	sqlite3_bind_text(st, 1, host, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(db, "cannot mark the interrupted nights");
	*reaped = (size_t)sqlite3_changes(db->sql);
	return 0;
}

int db_nights(struct db *db, const char *branch, db_night_fn fn, void *data)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT id, commit_sha, subject, coalesce(run, 0), state,"
				       " coalesce(reason, ''), started FROM night"
				       " WHERE branch = ?1 AND host = ?2 ORDER BY id");
	char host[256];
	int rc, ret = 0;

	if (!st)
		return -1;
	db_hostname(host, sizeof(host));
	sqlite3_bind_text(st, 1, branch, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, host, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_night n = {
			.id = sqlite3_column_int64(st, 0),
			.branch = branch,
			.commit = db_col_text(st, 1),
			.subject = db_col_text(st, 2),
			.run = sqlite3_column_int64(st, 3),
			.state = db_col_text(st, 4),
			.reason = db_col_text(st, 5),
			.started = db_col_text(st, 6),
		};

		ret = fn(&n, data);
		if (ret)
			break;
	}
	sqlite3_finalize(st);
	if (ret)
		return ret;
	if (rc != SQLITE_DONE)
		return db_error(db, "cannot read the nights of branch %s", branch);
	return 0;
}

int db_change_point_add(struct db *db, const struct db_change_point *cp, long long *id)
{
	sqlite3_stmt *st = db_prepare(db,
		"INSERT OR IGNORE INTO change_point (branch, host, job, metric, kind, good_night,"
		" bad_night, value_before, value_after, magnitude, ci_lo, ci_hi, p, points,"
		" direction, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
		" ?14, ?15, ?16)");
	char host[256];
	int rc;

	if (!st)
		return -1;
	db_hostname(host, sizeof(host));
	sqlite3_bind_text(st, 1, cp->branch, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, cp->job);
	sqlite3_bind_text(st, 4, cp->metric, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, cp->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, cp->good_night);
	sqlite3_bind_int64(st, 7, cp->bad_night);
	bind_real(st, 8, cp->before);
	bind_real(st, 9, cp->after);
	bind_real(st, 10, cp->magnitude);
	bind_real(st, 11, cp->ci_lo);
	bind_real(st, 12, cp->ci_hi);
	bind_real(st, 13, cp->p);
	sqlite3_bind_int64(st, 14, cp->points);
	sqlite3_bind_text(st, 15, cp->direction, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 16, cp->state, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(db, "cannot store a change point of %s on branch %s", cp->metric,
				cp->branch);
	/* the same step found again on a later night is the one stored: reported once */
	*id = sqlite3_changes(db->sql) ? sqlite3_last_insert_rowid(db->sql) : 0;
	return 0;
}

int db_change_points(struct db *db, const char *branch, db_change_point_fn fn, void *data)
{
	sqlite3_stmt *st = db_prepare(db,
		"SELECT c.id, c.job, j.name, c.metric, coalesce(m.unit, ''), c.kind, c.good_night,"
		" c.bad_night, c.value_before, c.value_after, c.magnitude, c.ci_lo, c.ci_hi, c.p,"
		" c.points, c.direction, c.state, c.found_at, g.commit_sha, g.subject,"
		" b.commit_sha, b.subject, x.state, x.culprit, x.subject, coalesce(x.verified, 0)"
		" FROM change_point c JOIN job j ON j.id = c.job"
		" JOIN night g ON g.id = c.good_night JOIN night b ON b.id = c.bad_night"
		" LEFT JOIN metric m ON m.name = c.metric"
		" LEFT JOIN bisect x ON x.id = (SELECT max(id) FROM bisect WHERE change_point = c.id)"
		" WHERE c.branch = ?1 AND c.host = ?2 ORDER BY c.bad_night, c.job, c.metric");
	char host[256];
	int rc, ret = 0;

	if (!st)
		return -1;
	db_hostname(host, sizeof(host));
	sqlite3_bind_text(st, 1, branch, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, host, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_change_point cp = {
			.id = sqlite3_column_int64(st, 0),
			.branch = branch,
			.job = sqlite3_column_int64(st, 1),
			.job_name = db_col_text(st, 2),
			.metric = db_col_text(st, 3),
			.unit = db_col_text(st, 4),
			.kind = db_col_text(st, 5),
			.good_night = sqlite3_column_int64(st, 6),
			.bad_night = sqlite3_column_int64(st, 7),
			.before = col_real(st, 8),
			.after = col_real(st, 9),
			.magnitude = col_real(st, 10),
			.ci_lo = col_real(st, 11),
			.ci_hi = col_real(st, 12),
			.p = col_real(st, 13),
			.points = sqlite3_column_int64(st, 14),
			.direction = db_col_text(st, 15),
			.state = db_col_text(st, 16),
			.found_at = db_col_text(st, 17),
			.good_commit = db_col_text(st, 18),
			.good_subject = db_col_text(st, 19),
			.bad_commit = db_col_text(st, 20),
			.bad_subject = db_col_text(st, 21),
			.bisect_state = db_col_text(st, 22),
			.culprit = db_col_text(st, 23),
			.culprit_subject = db_col_text(st, 24),
			.verified = sqlite3_column_int(st, 25),
		};

		ret = fn(&cp, data);
		if (ret)
			break;
	}
	sqlite3_finalize(st);
	if (ret)
		return ret;
	if (rc != SQLITE_DONE)
		return db_error(db, "cannot read the change points of branch %s", branch);
	return 0;
}

/* one row's two text columns into state and reason; 1 when there was none */
static int two_texts(struct db *db, sqlite3_stmt *st, struct strbuf *state, struct strbuf *reason,
		     const char *what)
{
	int rc = sqlite3_step(st);

	strbuf_reset(state);
	strbuf_reset(reason);
	if (rc == SQLITE_ROW) {
		strbuf_addstr(state, db_col_text(st, 0));
		strbuf_addstr(reason, db_col_text(st, 1));
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return 1;
	return db_error(db, "cannot read %s", what);
}

int db_build_latest(struct db *db, const char *name, struct strbuf *state, struct strbuf *reason)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT state, coalesce(reason, '') FROM build"
				       " WHERE name = ?1 ORDER BY id DESC LIMIT 1");
	int r;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	r = two_texts(db, st, state, reason, "the builds");
	return r < 0 ? -1 : 0;
}

int db_run_state(struct db *db, long long run, struct strbuf *state, struct strbuf *reason)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT state, coalesce(reason, '') FROM run WHERE id = ?1");
	int r;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	r = two_texts(db, st, state, reason, "a run's state");
	if (r > 0)
		return error("no run %lld in '%s'", run, db->path);
	return r;
}

int db_bisect_add(struct db *db, const struct db_bisect *b, long long *id)
{
	sqlite3_stmt *st;
	int rc;

	if (db_begin(db))
		return -1;
	st = db_prepare(db, "INSERT INTO bisect (change_point, state, culprit, subject, author, link,"
			 " steps, verified, log) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	if (!st)
		goto rollback;
	sqlite3_bind_int64(st, 1, b->change_point);
	sqlite3_bind_text(st, 2, b->state, -1, SQLITE_STATIC);
	db_bind_text(st, 3, b->culprit);
	db_bind_text(st, 4, b->subject);
	db_bind_text(st, 5, b->author);
	db_bind_text(st, 6, b->link && *b->link ? b->link : NULL);
	sqlite3_bind_int64(st, 7, b->steps);
	sqlite3_bind_int(st, 8, b->verified);
	sqlite3_bind_text(st, 9, b->log, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_error(db, "cannot store the bisection of change point %lld", b->change_point);
		goto rollback;
	}
	*id = sqlite3_last_insert_rowid(db->sql);
	if (!strcmp(b->state, "found")) {
		st = db_prepare(db, "UPDATE change_point SET state = 'bisected' WHERE id = ?1");
		if (!st)
			goto rollback;
		sqlite3_bind_int64(st, 1, b->change_point);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			db_error(db, "cannot mark change point %lld bisected", b->change_point);
			goto rollback;
		}
	}
	if (db_commit(db))
		goto rollback;
	return 0;
rollback:
	db_rollback(db);
	return -1;
}

int db_list_branches(struct db *db, db_branch_fn fn, void *data)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT branch, count(*), sum(state = 'measured'),"
				       " max(started) FROM night WHERE host = ?1"
				       " GROUP BY branch ORDER BY branch");
	char host[256];
	int rc, ret = 0;

	if (!st)
		return -1;
	db_hostname(host, sizeof(host));
	sqlite3_bind_text(st, 1, host, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret = fn(db_col_text(st, 0), sqlite3_column_int64(st, 1),
			 sqlite3_column_int64(st, 2), db_col_text(st, 3), data);
		if (ret)
			break;
	}
	sqlite3_finalize(st);
	if (ret)
		return ret;
	if (rc != SQLITE_DONE)
		return db_error(db, "cannot list the branches");
	return 0;
}

int db_change_point_set_state(struct db *db, long long id, const char *state)
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE change_point SET state = ?2 WHERE id = ?1");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(db, "cannot mark change point %lld %s", id, state);
	return sqlite3_changes(db->sql) ? 0 : 1;
}

int db_change_point_fix(struct db *db, const char *branch, long long job, const char *metric,
			double value, double tol, long long before_night, size_t *fixed)
{
	sqlite3_stmt *st = db_prepare(db,
		"UPDATE change_point SET state = 'fixed' WHERE branch = ?1 AND host = ?2"
		" AND job = ?3 AND metric = ?4 AND direction = 'regression'"
		" AND state IN ('suspected', 'confirmed', 'bisected', 'acked')"
		" AND bad_night < ?5 AND abs(value_before - ?6) <= ?7");
	char host[256];
	int rc;

	if (!st)
		return -1;
	db_hostname(host, sizeof(host));
	sqlite3_bind_text(st, 1, branch, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, job);
	sqlite3_bind_text(st, 4, metric, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, before_night);
	sqlite3_bind_double(st, 6, value);
	sqlite3_bind_double(st, 7, tol);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(db, "cannot mark the fixed regressions of %s", metric);
	*fixed = (size_t)sqlite3_changes(db->sql);
	return 0;
}
