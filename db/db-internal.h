/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_DB_INTERNAL_H
#define PINBENCH_DB_INTERNAL_H

/* Shared by the db/ files only: everyone else goes through db/db.h. */

#include <sqlite3.h>

/* the timestamps every table keeps: UTC, to the second, sortable as text */
#define DB_NOW "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

#include "common/strvec.h"
#include "db/db.h"

/*
 * Slots of the statement cache: each statement is prepared the first time
 * it is used and then only reset and re-bound, because preparing costs more
 * than running an INSERT and ingest runs a million of them.
 */
enum db_stmt_id {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_MACHINE_FIND,
	STMT_MACHINE_ADD,
	STMT_KERNEL_FIND,
	STMT_KERNEL_ADD,
	STMT_JOB_FIND,
	STMT_JOB_ADD,
	STMT_RUN_ADD,
	STMT_RUN_FINISH,
	STMT_RUN_EXISTS,
	STMT_RUN_RUNNING,
	STMT_RUN_ABANDON,
	STMT_REP_ADD,
	STMT_RUN_SET_LOG,
	STMT_FLAG_ADD,
	STMT_FLAGS,
	STMT_KERNEL_VERSION,
	STMT_COMPARISON_ADD,
	STMT_VERDICT_ADD,
	STMT_RUN_PATCHES,
	STMT_LATEST_RUN,
	STMT_MAIL_ADD,
	STMT_MAIL_GET,
	STMT_MAIL_OF_COMPARISON,
	STMT_MAIL_STATE,
	STMT_MAIL_PENDING,
	STMT_COMPARISON_RUNS,
	STMT_PATCH_ROWS,
	STMT_NOISE_ADD,
	STMT_NOISE_LATEST,
	STMT_RUN_MACHINE_KERNEL,
	STMT_RUN_REPRO,
	STMT_RUN_JOBS,
	STMT_RUN_KERNEL_NAME,
	STMT_PIN_COUNTS,
	STMT_SAMPLE_ADD,
	STMT_METRIC_ADD,
	STMT_LIST_RUNS,
	STMT_RUN_HEADER,
	STMT_SERIES,
	STMT_FAILURES,
	STMT_EXPORT,
	STMT_NR
};

/* Metric names known to be in the metric table already (open addressing). */
struct name_set {
	char **slot;
	size_t nr;
	size_t cap;
};

struct db {
	sqlite3 *sql;
	char *path;
	sqlite3_stmt *stmt[STMT_NR];
	struct name_set metrics;
};

/*
 * The cached statement `id`, reset and ready to bind; `sql` is only read the
 * first time. NULL (error printed) when it does not prepare.
 */
sqlite3_stmt *db_stmt(struct db *db, enum db_stmt_id id, const char *sql);

/* A statement prepared for one use (rare ones: builds, nights); NULL with the error printed. */
sqlite3_stmt *db_prepare(struct db *db, const char *sql);

/* error() with the database file and sqlite's current message appended. */
__attribute__((format(printf, 2, 3)))
int db_error(struct db *db, const char *fmt, ...);

int db_begin(struct db *db);
int db_commit(struct db *db);
/* Undo the open transaction; used on error paths, so never fails loudly twice. */
void db_rollback(struct db *db);

/* Run one cached statement that returns no rows; sqlite's result code. */
int db_step_done(sqlite3_stmt *st);
/* This machine's name, for the host column of runs and builds ("unknown" if none). */
void db_hostname(char *buf, size_t len);

/*
 * Is the process that began a run or a build still there? It is its pid
 * and its start time: a pid alive with another start time was reused by
 * somebody else. start < 0: not stored (a row from before schema 8), the
 * pid alone says.
 */
int db_process_alive(long long pid, long long start);
/* Bind this process's start time (NULL when /proc does not tell) to column col. */
void db_bind_process_start(sqlite3_stmt *st, int col);

/* Bind text, NULL when s is NULL. */
int db_bind_text(sqlite3_stmt *st, int i, const char *s);
/* Column text, "" for NULL: for printing. */
const char *db_col_text(sqlite3_stmt *st, int i);

/* error "no run N in 'PATH'" unless the run exists; -1 also on sqlite errors. */
int db_need_run(struct db *db, long long run);

/* Apply the schema migrations this binary knows (db/schema.c). */
int db_migrate(struct db *db);

void name_set_clear(struct name_set *set);

#endif
