// SPDX-License-Identifier: GPL-2.0-only
/* The outbox of result mails, and the comparison and patch rows a mail is made from. */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "db/db-internal.h"

#define MAIL_COLS "id, comparison, attempts, message_id, sender, recipients, subject," \
		  " coalesce(eml, ''), state, coalesce(last_error, ''), coalesce(server_reply, '')," \
		  " created, coalesce(sent_at, ''), message"

int db_mail_add(struct db *db, const struct db_mail *m, long long *id)
{
	sqlite3_stmt *st = db_stmt(db, STMT_MAIL_ADD,
		"INSERT INTO mail (comparison, message_id, sender, recipients, subject, message,"
		" eml, state, change_point) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");

	if (!st)
		return -1;
	/* a comparison's mail, or a change point's (nightly) */
	if (m->comparison > 0)
		sqlite3_bind_int64(st, 1, m->comparison);
	else
		sqlite3_bind_null(st, 1);
	if (m->change_point > 0)
		sqlite3_bind_int64(st, 9, m->change_point);
	else
		sqlite3_bind_null(st, 9);
	db_bind_text(st, 2, m->message_id);
	db_bind_text(st, 3, m->sender);
	db_bind_text(st, 4, m->recipients);
	db_bind_text(st, 5, m->subject);
	sqlite3_bind_blob(st, 6, m->message, (int)m->len, SQLITE_STATIC);
	db_bind_text(st, 7, m->eml);
	db_bind_text(st, 8, m->state);
	if (db_step_done(st) != SQLITE_DONE)
		return db_error(db, "cannot store the mail of %s %lld",
				m->comparison ? "comparison" : "change point",
				m->comparison ? m->comparison : m->change_point);
	*id = sqlite3_last_insert_rowid(db->sql);
	return 0;
}

static void read_mail(sqlite3_stmt *st, struct db_mail *m)
{
	const void *blob = sqlite3_column_blob(st, 13);

	m->id = sqlite3_column_int64(st, 0);
	m->comparison = sqlite3_column_int64(st, 1);
	m->attempts = sqlite3_column_int64(st, 2);
	m->message_id = xstrdup(db_col_text(st, 3));
	m->sender = xstrdup(db_col_text(st, 4));
	m->recipients = xstrdup(db_col_text(st, 5));
	m->subject = xstrdup(db_col_text(st, 6));
	m->eml = xstrdup(db_col_text(st, 7));
	m->state = xstrdup(db_col_text(st, 8));
	m->last_error = xstrdup(db_col_text(st, 9));
	m->server_reply = xstrdup(db_col_text(st, 10));
	m->created = xstrdup(db_col_text(st, 11));
	m->sent_at = xstrdup(db_col_text(st, 12));
	m->len = (size_t)sqlite3_column_bytes(st, 13);
	m->message = xmalloc(m->len + 1);
	if (m->len)
		memcpy(m->message, blob, m->len);
	m->message[m->len] = '\0';
}

static int get_one(struct db *db, sqlite3_stmt *st, long long key, struct db_mail *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_mail(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return 1;
	return db_error(db, "cannot read the outbox");
}

int db_mail_get(struct db *db, long long id, struct db_mail *out)
{
	return get_one(db, db_stmt(db, STMT_MAIL_GET,
			"SELECT " MAIL_COLS " FROM mail WHERE id = ?1"), id, out);
}

int db_mail_of_comparison(struct db *db, long long comparison, struct db_mail *out)
{
	return get_one(db, db_stmt(db, STMT_MAIL_OF_COMPARISON,
			"SELECT " MAIL_COLS " FROM mail WHERE comparison = ?1"
			" ORDER BY id DESC LIMIT 1"), comparison, out);
}

int db_mail_set_state(struct db *db, long long id, const char *state, const char *error,
		      const char *reply)
{
	sqlite3_stmt *st = db_stmt(db, STMT_MAIL_STATE,
		"UPDATE mail SET state = ?2,"
		" attempts = attempts + (?2 = 'sending'),"
		" last_error = coalesce(?3, last_error),"
		" server_reply = coalesce(?4, server_reply),"
		" sent_at = CASE WHEN ?2 = 'sent' THEN " DB_NOW " ELSE sent_at END"
		" WHERE id = ?1");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, state);
	if (error)
		db_bind_text(st, 3, error);
	else
		sqlite3_bind_null(st, 3);
	if (reply)
		db_bind_text(st, 4, reply);
	else
		sqlite3_bind_null(st, 4);
	if (db_step_done(st) != SQLITE_DONE)
		return db_error(db, "cannot update mail %lld", id);
	return 0;
}

int db_mail_pending(struct db *db, long long **ids, size_t *nr)
{
	sqlite3_stmt *st = db_stmt(db, STMT_MAIL_PENDING,
		"SELECT id FROM mail WHERE state IN ('queued', 'sending') ORDER BY id");
	size_t alloc = 0;
	int rc;

	*ids = NULL;
	*nr = 0;
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*nr == alloc) {
			alloc = alloc ? 2 * alloc : 8;
			*ids = xrealloc(*ids, alloc * sizeof(**ids));
		}
		(*ids)[(*nr)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(db, "cannot read the outbox");
	return 0;
}

void db_mail_release(struct db_mail *m)
{
	free(m->message_id);
	free(m->sender);
	free(m->recipients);
	free(m->subject);
	free(m->eml);
	free(m->state);
	free(m->last_error);
	free(m->server_reply);
	free(m->created);
	free(m->sent_at);
	free(m->message);
	memset(m, 0, sizeof(*m));
}

int db_comparison_runs(struct db *db, long long comparison, long long *run_a, long long *run_b)
{
	sqlite3_stmt *st = db_stmt(db, STMT_COMPARISON_RUNS,
		"SELECT run_a, run_b FROM comparison WHERE id = ?1");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, comparison);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*run_a = sqlite3_column_int64(st, 0);
		*run_b = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return 1;
	return db_error(db, "cannot read comparison %lld", comparison);
}

int db_run_patch_rows(struct db *db, long long run, db_patch_row_fn fn, void *data)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	if (db_need_run(db, run))
		return -1;
	/* like db_run_patches: the newest good build with the run's kernel's key */
	st = db_stmt(db, STMT_PATCH_ROWS,
		"SELECT p.seq, p.subject, coalesce(p.author, ''), coalesce(p.message_id, ''),"
		" coalesce(p.recipients, '')"
		" FROM run r JOIN kernel k ON k.id = r.kernel"
		" JOIN build_patch p ON p.build = (SELECT max(b.id) FROM build b"
		"   WHERE b.key = k.build_sha AND b.state = 'done')"
		" WHERE r.id = ?1 ORDER BY p.seq");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_patch_row p = { sqlite3_column_int(st, 0), db_col_text(st, 1),
					  db_col_text(st, 2), db_col_text(st, 3),
					  db_col_text(st, 4) };

		ret = fn(&p, data);
		if (ret)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_error(db, "cannot read the patches of run %lld", run);
	sqlite3_reset(st);
	return ret;
}
