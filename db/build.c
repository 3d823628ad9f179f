// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel builds in the results store. Builds are rare (a handful per run),
 * so statements are prepared per call rather than cached.
 */
#include "db/db-internal.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/strbuf.h"

static int step_done(struct db *db, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE) {
		db_error(db, "cannot %s", what);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

int db_build_begin(struct db *db, const struct db_build *b, long long *id)
{
	sqlite3_stmt *st = db_prepare(db,
		"INSERT INTO build (name, key, source, identity, base, configs, cached, state,"
		" host, pid, pid_start) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
	char host[256];

	if (!st)
		return -1;
	db_hostname(host, sizeof(host));
	db_bind_text(st, 1, b->name);
	db_bind_text(st, 2, b->key);
	db_bind_text(st, 3, b->source);
	db_bind_text(st, 4, b->identity);
	db_bind_text(st, 5, b->base);
	db_bind_text(st, 6, b->configs);
	sqlite3_bind_int(st, 7, b->cached);
	sqlite3_bind_text(st, 8, b->cached ? "done" : "building", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, host, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 10, getpid());
	db_bind_process_start(st, 11);
	if (step_done(db, st, "record the build"))
		return -1;
	*id = sqlite3_last_insert_rowid(db->sql);
	return 0;
}

int db_build_add_patch(struct db *db, long long build, const struct db_build_patch *p)
{
	sqlite3_stmt *st = db_prepare(db,
		"INSERT INTO build_patch (build, seq, subject, author, message_id, in_reply_to,"
		" sha, origin, recipients) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, build);
	sqlite3_bind_int(st, 2, p->seq);
	sqlite3_bind_text(st, 3, p->subject ? p->subject : "", -1, SQLITE_TRANSIENT);
	db_bind_text(st, 4, p->author);
	db_bind_text(st, 5, p->message_id);
	db_bind_text(st, 6, p->in_reply_to);
	db_bind_text(st, 7, p->sha);
	db_bind_text(st, 8, p->origin);
	db_bind_text(st, 9, p->recipients);
	return step_done(db, st, "record a patch of the build");
}

int db_build_finish(struct db *db, long long build, const struct db_build_result *r)
{
	sqlite3_stmt *st = db_prepare(db,
		"UPDATE build SET state = ?2, reason = ?3, version = ?4, config_sha = ?5,"
		" artifact = ?6, log = ?7, objects = ?8, seconds = ?9, size = ?10,"
		" finished = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, build);
	db_bind_text(st, 2, r->state);
	db_bind_text(st, 3, r->reason);
	db_bind_text(st, 4, r->version);
	db_bind_text(st, 5, r->config_sha);
	db_bind_text(st, 6, r->artifact);
	db_bind_text(st, 7, r->log);
	if (r->objects >= 0)
		sqlite3_bind_int64(st, 8, r->objects);
	sqlite3_bind_double(st, 9, r->seconds);
	if (r->size >= 0)
		sqlite3_bind_int64(st, 10, r->size);
	return step_done(db, st, "finish the build record");
}

int db_build_known(struct db *db, const char *name, const char *key)
{
	sqlite3_stmt *st = db_prepare(db,
		"SELECT 1 FROM build WHERE name = ?1 AND key = ?2 AND state = 'done' LIMIT 1");
	int rc;

	if (!st)
		return -1;
	db_bind_text(st, 1, name);
	db_bind_text(st, 2, key);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_error(db, "cannot look up builds of '%s'", name);
}

int db_reap_abandoned_builds(struct db *db)
{
	sqlite3_stmt *st = db_prepare(db,
		"UPDATE build SET state = 'failed', reason = 'abandoned: process ' || pid ||"
		" ' ended without finishing the build',"
		" finished = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
		" WHERE id = ?1 AND state = 'building'");
	sqlite3_stmt *find = db_prepare(db,
		"SELECT id, pid, coalesce(pid_start, -1) FROM build"
		" WHERE state = 'building' AND host = ?1");
	char host[256];
	int rc, reaped = 0;

	if (!st || !find) {
		sqlite3_finalize(st);
		sqlite3_finalize(find);
		return -1;
	}
	db_hostname(host, sizeof(host));
	sqlite3_bind_text(find, 1, host, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(find)) == SQLITE_ROW) {
		if (db_process_alive(sqlite3_column_int64(find, 1), sqlite3_column_int64(find, 2)))
			continue;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, sqlite3_column_int64(find, 0));
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = SQLITE_ERROR;
			break;
		}
		reaped++;
	}
	sqlite3_finalize(find);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(db, "cannot reap abandoned builds");
	return reaped;
}

int db_list_builds(struct db *db, db_build_fn fn, void *data)
{
	/*
	 * the latest done build per name; patches in the order applied, cover letter
	 * first, joined by US (0x1f): a subject from a list may hold a newline
	 */
	sqlite3_stmt *st = db_prepare(db,
		"SELECT b.id, b.name, b.key, IFNULL(b.version, ''), b.source,"
		" IFNULL(b.config_sha, ''), IFNULL(b.artifact, ''), IFNULL(b.finished, ''),"
		" IFNULL(b.seconds, 0), IFNULL(b.size, -1), IFNULL(b.objects, -1), b.cached,"
		" IFNULL((SELECT group_concat(subject, char(31)) FROM"
		"   (SELECT subject FROM build_patch p WHERE p.build = b.id AND p.seq > 0"
		"    ORDER BY seq)), ''),"
		" IFNULL((SELECT group_concat(IFNULL(message_id, ''), char(31)) FROM"
		"   (SELECT message_id FROM build_patch p WHERE p.build = b.id AND p.seq > 0"
		"    ORDER BY seq)), ''),"
		" IFNULL(b.log, '')"
		" FROM build b WHERE b.id = (SELECT max(id) FROM build x"
		"   WHERE x.name = b.name AND x.state = 'done')"
		" ORDER BY b.name");
	int rc, ret = 0;

	if (!st)
		return -1;
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_build_row r = {
			.id = sqlite3_column_int64(st, 0),
			.name = db_col_text(st, 1),
			.key = db_col_text(st, 2),
			.version = db_col_text(st, 3),
			.source = db_col_text(st, 4),
			.config_sha = db_col_text(st, 5),
			.artifact = db_col_text(st, 6),
			.finished = db_col_text(st, 7),
			.seconds = sqlite3_column_double(st, 8),
			.size = sqlite3_column_int64(st, 9),
			.objects = sqlite3_column_int64(st, 10),
			.cached = sqlite3_column_int(st, 11),
			.patches = db_col_text(st, 12),
			.message_ids = db_col_text(st, 13),
			.log = db_col_text(st, 14),
		};

		ret = fn(&r, data);
	}
	if (!ret && rc != SQLITE_DONE)
		ret = db_error(db, "cannot list builds");
	sqlite3_finalize(st);
	return ret;
}
