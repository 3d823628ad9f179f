// SPDX-License-Identifier: GPL-2.0-only
/*
 * Opening and closing the results store, the statement cache and the small
 * helpers the other db/ files share.
 */
#include "db/db-internal.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/proc.h"
#include "common/strbuf.h"

/* A second writer waits this long for the lock before we call it locked. */
#define DB_BUSY_TIMEOUT_MS 5000

int db_error(struct db *db, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	error("%s in '%s': %s", sb.buf, db->path, sqlite3_errmsg(db->sql));
	strbuf_release(&sb);
	return -1;
}

sqlite3_stmt *db_stmt(struct db *db, enum db_stmt_id id, const char *sql)
{
	sqlite3_stmt *st = db->stmt[id];

	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return st;
	}
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK) {
		db_error(db, "cannot prepare statement");
		return NULL;
	}
	db->stmt[id] = st;
	return st;
}

sqlite3_stmt *db_prepare(struct db *db, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK) {
		db_error(db, "cannot prepare a statement");
		return NULL;
	}
	return st;
}

int db_step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	/* on error, sqlite3_errmsg() still has to say why: the caller reports it */
	if (rc != SQLITE_DONE)
		return rc;
	/* reset now so that no statement keeps a read transaction open */
	sqlite3_reset(st);
	return rc;
}

static int run_fixed(struct db *db, enum db_stmt_id id, const char *sql)
{
	sqlite3_stmt *st = db_stmt(db, id, sql);

	if (!st)
		return -1;
	return db_step_done(st) == SQLITE_DONE ? 0 : -1;
}

int db_begin(struct db *db)
{
	/* IMMEDIATE: take the write lock now, not half-way through the writes */
	if (run_fixed(db, STMT_BEGIN, "BEGIN IMMEDIATE"))
		return db_error(db, "cannot start a transaction");
	return 0;
}

int db_commit(struct db *db)
{
	if (run_fixed(db, STMT_COMMIT, "COMMIT"))
		return db_error(db, "cannot commit");
	return 0;
}

void db_rollback(struct db *db)
{
	/* a failed step may have rolled back already: nothing left to undo */
	if (sqlite3_get_autocommit(db->sql))
		return;
	if (run_fixed(db, STMT_ROLLBACK, "ROLLBACK"))
		db_error(db, "cannot roll back");
}

int db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (!s)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

const char *db_col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : "";
}

int db_need_run(struct db *db, long long run)
{
	int ret = db_run_exists(db, run);

	if (ret < 0)
		return -1;
	if (!ret)
		return error("no run %lld in '%s'", run, db->path);
	return 0;
}

int db_run_exists(struct db *db, long long run)
{
	sqlite3_stmt *st = db_stmt(db, STMT_RUN_EXISTS, "SELECT 1 FROM run WHERE id = ?1");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(db, "cannot look up run %lld", run);
	return rc == SQLITE_ROW;
}

static int set_pragma(struct db *db, const char *sql)
{
	if (sqlite3_exec(db->sql, sql, NULL, NULL, NULL) != SQLITE_OK)
		return error("cannot open database '%s': %s", db->path, sqlite3_errmsg(db->sql));
	return 0;
}

/*
 * WAL lets `pinbench db list` read while a run writes, and makes
 * synchronous=NORMAL safe: a committed repetition survives a crash of the
 * process (only a power cut can lose the last few commits).
 */
static int set_journal(struct db *db)
{
	sqlite3_stmt *st;
	const char *mode;
	int ret = 0;

	if (sqlite3_prepare_v2(db->sql, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK)
		return error("cannot open database '%s': %s", db->path, sqlite3_errmsg(db->sql));
	if (sqlite3_step(st) != SQLITE_ROW) {
		ret = error("cannot open database '%s': %s", db->path, sqlite3_errmsg(db->sql));
		goto out_finalize;
	}
	mode = db_col_text(st, 0);
	if (strcmp(mode, "wal"))
		warning("database '%s' uses journal mode '%s', not wal "
			"(no WAL support on this filesystem?): readers will wait for writers",
			db->path, mode);
out_finalize:
	sqlite3_finalize(st);
	return ret;
}

static int setup(struct db *db)
{
	sqlite3_busy_timeout(db->sql, DB_BUSY_TIMEOUT_MS);
	if (set_journal(db))
		return -1;
	/* migrations rebuild tables: foreign keys are enforced only after them */
	if (set_pragma(db, "PRAGMA synchronous = NORMAL") || db_migrate(db))
		return -1;
	return set_pragma(db, "PRAGMA foreign_keys = ON");
}

int db_open(const char *path, struct db **out)
{
	struct db *db = xcalloc(1, sizeof(*db));
	int rc;

	db->path = xstrdup(path);
	rc = sqlite3_open_v2(path, &db->sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		error("cannot open database '%s': %s", path,
		      db->sql ? sqlite3_errmsg(db->sql) : sqlite3_errstr(rc));
		goto out_close;
	}
	if (setup(db))
		goto out_close;
	*out = db;
	return 0;

out_close:
	db_close(db);
	return -1;
}

void db_close(struct db *db)
{
	size_t i;

	if (!db)
		return;
	for (i = 0; i < STMT_NR; i++)
		sqlite3_finalize(db->stmt[i]);
	if (db->sql && sqlite3_close(db->sql) != SQLITE_OK)
		error("cannot close database '%s': %s", db->path, sqlite3_errmsg(db->sql));
	name_set_clear(&db->metrics);
	free(db->path);
	free(db);
}

const char *db_path(const struct db *db)
{
	return db->path;
}

int db_process_alive(long long pid, long long start)
{
	unsigned long long now;

	if (pid <= 0 || pid > INT32_MAX)
		return 1;	/* not ours to judge */
	if (!proc_start_time((pid_t)pid, &now))
		return start < 0 || (unsigned long long)start == now;
	if (errno == ENOENT)
		return 0;
	/* /proc does not tell (hidepid): EPERM from kill() means alive, somebody's */
	return !kill((pid_t)pid, 0) || errno != ESRCH;
}

void db_bind_process_start(sqlite3_stmt *st, int col)
{
	unsigned long long started;

	/* without /proc the row keeps a bare pid (NULL start), as before */
	if (!proc_start_time(getpid(), &started) && started <= INT64_MAX)
		sqlite3_bind_int64(st, col, (sqlite3_int64)started);
	else
		sqlite3_bind_null(st, col);
}
