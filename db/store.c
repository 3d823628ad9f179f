// SPDX-License-Identifier: GPL-2.0-only
/* Writing to the results store: machines, kernels, jobs, runs and repetitions. */
#include "db/db-internal.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/proc.h"
#include "common/strbuf.h"

#define NOW DB_NOW

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* --- metric names already in the metric table ---------------------------- */

static size_t name_hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot holding `name`, or the empty slot where it belongs. */
static char **name_slot(const struct name_set *set, const char *name)
{
	size_t i = name_hash(name) & (set->cap - 1);

	while (set->slot[i] && strcmp(set->slot[i], name))
		i = (i + 1) & (set->cap - 1);
	return &set->slot[i];
}

static int name_set_has(const struct name_set *set, const char *name)
{
	return set->cap && *name_slot(set, name);
}

static void name_set_add(struct name_set *set, const char *name)
{
	char **slot;

	if (2 * (set->nr + 1) > set->cap) {
		struct name_set bigger = { NULL, 0, set->cap ? 2 * set->cap : 64 };
		size_t i;

		bigger.slot = xcalloc(bigger.cap, sizeof(*bigger.slot));
		for (i = 0; i < set->cap; i++)
			if (set->slot[i])
				*name_slot(&bigger, set->slot[i]) = set->slot[i];
		bigger.nr = set->nr;
		free(set->slot);
		*set = bigger;
	}
	slot = name_slot(set, name);
	if (*slot)
		return;
	*slot = xstrdup(name);
	set->nr++;
}

void name_set_clear(struct name_set *set)
{
	size_t i;

	for (i = 0; i < set->cap; i++)
		free(set->slot[i]);
	free(set->slot);
	set->slot = NULL;
	set->nr = set->cap = 0;
}

/* --- machines, kernels, jobs --------------------------------------------- */

/*
 * The binder binds every column of the INSERT; the SELECT uses only the
 * leading key parameters (?1 ...), so binds past its last parameter fail
 * with SQLITE_RANGE, harmlessly: that is why bind results are not checked.
 */
typedef void (*bind_fn)(sqlite3_stmt *st, const void *row);

struct get_or_add {
	enum db_stmt_id find, add;
	const char *find_sql, *add_sql;
	bind_fn bind;
	const char *what;
};

/* 1 found (id set), 0 not there, -1 error. */
static int find_id(struct db *db, const struct get_or_add *g, const void *row, long long *id)
{
	sqlite3_stmt *st = db_stmt(db, g->find, g->find_sql);
	int rc;

	if (!st)
		return -1;
	g->bind(st, row);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(db, "cannot look up %s", g->what);
	return rc == SQLITE_ROW;
}

/* INSERT OR IGNORE and look again: safe when two pinbench add the same row. */
static int get_or_add(struct db *db, const struct get_or_add *g, const void *row, long long *id)
{
	sqlite3_stmt *st;
	int ret = find_id(db, g, row, id);

	if (ret)
		return ret < 0 ? -1 : 0;
	st = db_stmt(db, g->add, g->add_sql);
	if (!st)
		return -1;
	g->bind(st, row);
	if (db_step_done(st) != SQLITE_DONE)
		return db_error(db, "cannot add %s", g->what);
	ret = find_id(db, g, row, id);
	if (!ret)
		return error("%s vanished right after it was added to '%s'", g->what, db->path);
	return ret < 0 ? -1 : 0;
}

static void bind_machine(sqlite3_stmt *st, const void *row)
{
	const struct machine_info *m = row;

	db_bind_text(st, 1, m->fingerprint);
	db_bind_text(st, 2, m->hostname);
	db_bind_text(st, 3, m->cpu_model);
	sqlite3_bind_int64(st, 4, m->cores);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)m->memory_kb);
	db_bind_text(st, 6, m->target_kind);
	db_bind_text(st, 7, m->devices);
}

int db_machine_get_or_add(struct db *db, const struct machine_info *m, long long *id)
{
	static const struct get_or_add g = {
		STMT_MACHINE_FIND, STMT_MACHINE_ADD,
		"SELECT id FROM machine WHERE fingerprint = ?1",
		"INSERT OR IGNORE INTO machine (fingerprint, hostname, cpu_model, cores,"
		" memory_kb, target_kind, devices) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
		bind_machine, "machine",
	};

	if (!m->fingerprint || !*m->fingerprint)
		return error("machine '%s' has no fingerprint", nz(m->hostname));
	return get_or_add(db, &g, m, id);
}

static void bind_kernel(sqlite3_stmt *st, const void *row)
{
	const struct kernel_info *k = row;

	/* '' for unknown: the UNIQUE key must see two unknowns as the same */
	sqlite3_bind_text(st, 1, nz(k->name), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, nz(k->source), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, nz(k->release), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, nz(k->version), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, nz(k->build_sha), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, nz(k->ref), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, nz(k->patch_sha), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, nz(k->config_sha), -1, SQLITE_STATIC);
}

int db_kernel_get_or_add(struct db *db, const struct kernel_info *k, long long *id)
{
	/*
	 * A kernel with a build sha was just built by us: that is when it was
	 * built. Its version string is known only once it booted, and a build
	 * always gives the same one: without a version, any row of the build is it.
	 */
	static const struct get_or_add g = {
		STMT_KERNEL_FIND, STMT_KERNEL_ADD,
		"SELECT id FROM kernel WHERE name = ?1 AND source = ?2 AND release = ?3"
		" AND build_sha = ?5 AND (version = ?4 OR (?4 = '' AND ?5 != ''))"
		" ORDER BY version DESC LIMIT 1",
		"INSERT OR IGNORE INTO kernel (name, source, release, version, build_sha,"
		" ref, patch_sha, config_sha, built_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
		" CASE WHEN ?5 = '' THEN NULL ELSE " NOW " END)",
		bind_kernel, "kernel",
	};

	return get_or_add(db, &g, k, id);
}

static void bind_job(sqlite3_stmt *st, const void *row)
{
	const struct job_row *j = row;

	db_bind_text(st, 1, j->hash);
	db_bind_text(st, 2, j->name);
	sqlite3_bind_text(st, 3, j->params ? j->params : "{}", -1, SQLITE_STATIC);
	db_bind_text(st, 4, j->fs);
	db_bind_text(st, 5, j->device);
	db_bind_text(st, 6, j->rw);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)j->bs);
	sqlite3_bind_int64(st, 8, j->iodepth);
	sqlite3_bind_int64(st, 9, j->numjobs);
	db_bind_text(st, 10, j->ioengine);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)j->size);
	sqlite3_bind_int64(st, 12, j->runtime);
}

int db_job_get_or_add(struct db *db, const struct job_row *j, long long *id)
{
	static const struct get_or_add g = {
		STMT_JOB_FIND, STMT_JOB_ADD,
		"SELECT id FROM job WHERE hash = ?1",
		"INSERT OR IGNORE INTO job (hash, name, params, fs, device, rw, bs, iodepth,"
		" numjobs, ioengine, size, runtime)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
		bind_job, "job",
	};

	if (!j->hash || !*j->hash || !j->name)
		return error("job '%s' has no hash or name", nz(j->name));
	return get_or_add(db, &g, j, id);
}

/* --- runs and repetitions ------------------------------------------------- */

void db_hostname(char *buf, size_t len)
{
	if (gethostname(buf, len))
		snprintf(buf, len, "unknown");
	buf[len - 1] = '\0';
}

int db_run_begin(struct db *db, long long kernel, long long machine, const char *target,
		 const char *command, const char *config_text, long long *run)
{
	sqlite3_stmt *st = db_stmt(db, STMT_RUN_ADD,
		"INSERT INTO run (kernel, machine, target, command, config, pid, host, pid_start)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
	char host[256];

	if (!st)
		return -1;
	db_hostname(host, sizeof(host));
	sqlite3_bind_int64(st, 1, kernel);
	sqlite3_bind_int64(st, 2, machine);
	sqlite3_bind_text(st, 3, nz(target), -1, SQLITE_STATIC);
	db_bind_text(st, 4, command);
	db_bind_text(st, 5, config_text);
	sqlite3_bind_int64(st, 6, getpid());
	sqlite3_bind_text(st, 7, host, -1, SQLITE_STATIC);
	db_bind_process_start(st, 8);
	if (db_step_done(st) != SQLITE_DONE)
		return db_error(db, "cannot start a run on target '%s'", nz(target));
	*run = sqlite3_last_insert_rowid(db->sql);
	return 0;
}

static int add_rep(struct db *db, long long run, long long job, int rep, int boot,
		   const char *status, const char *message)
{
	sqlite3_stmt *st = db_stmt(db, STMT_REP_ADD,
		"INSERT INTO rep (run, job, rep, status, message, boot)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, job);
	sqlite3_bind_int(st, 3, rep);
	sqlite3_bind_text(st, 4, status, -1, SQLITE_STATIC);
	db_bind_text(st, 5, message);
	if (boot > 0)
		sqlite3_bind_int(st, 6, boot);
	else
		sqlite3_bind_null(st, 6);
	return db_step_done(st) == SQLITE_DONE ? 0 : -1;
}

/* Catalogue a metric the first time this connection sees its name. */
static int add_metric(struct db *db, const struct sample *s, struct strvec *fresh)
{
	sqlite3_stmt *st;

	if (name_set_has(&db->metrics, s->metric))
		return 0;
	st = db_stmt(db, STMT_METRIC_ADD,
		     "INSERT OR IGNORE INTO metric (name, unit, better) VALUES (?1, ?2, ?3)");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, s->metric, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, nz(s->unit), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, metric_direction(s->metric));
	if (db_step_done(st) != SQLITE_DONE)
		return -1;
	/* remembered only after COMMIT: a rollback takes the row back out */
	strvec_push(fresh, s->metric);
	return 0;
}

static int add_samples(struct db *db, long long run, long long job, int rep,
		       const struct sample_set *samples, struct strvec *fresh)
{
	sqlite3_stmt *st = db_stmt(db, STMT_SAMPLE_ADD,
		"INSERT INTO sample (run, job, rep, metric, value, unit)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	size_t i;

	if (!st)
		return -1;
	/* the keys stay bound across resets: bind them once per repetition */
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, job);
	sqlite3_bind_int(st, 3, rep);
	for (i = 0; i < samples->nr; i++) {
		const struct sample *s = &samples->v[i];

		if (add_metric(db, s, fresh))
			return -1;
		sqlite3_bind_text(st, 4, s->metric, -1, SQLITE_STATIC);
		if (s->available)
			sqlite3_bind_double(st, 5, s->value);
		else
			sqlite3_bind_null(st, 5);
		sqlite3_bind_text(st, 6, nz(s->unit), -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
		sqlite3_reset(st);
	}
	return 0;
}

int db_rep_store(struct db *db, long long run, long long job, int rep,
		 const struct sample_set *samples)
{
	return db_rep_store_in_boot(db, run, job, rep, 0, samples);
}

int db_rep_store_in_boot(struct db *db, long long run, long long job, int rep, int boot,
			 const struct sample_set *samples)
{
	struct strvec fresh = STRVEC_INIT;
	size_t i;

	if (db_begin(db))
		return -1;
	if (add_rep(db, run, job, rep, boot, "ok", NULL) ||
	    add_samples(db, run, job, rep, samples, &fresh)) {
		db_error(db, "cannot store repetition %d of job %lld of run %lld", rep, job, run);
		goto out_rollback;
	}
	if (db_commit(db))
		goto out_rollback;
	for (i = 0; i < fresh.nr; i++)
		name_set_add(&db->metrics, fresh.v[i]);
	strvec_clear(&fresh);
	return 0;

out_rollback:
	db_rollback(db);
	strvec_clear(&fresh);
	return -1;
}

int db_rep_failed(struct db *db, long long run, long long job, int rep, const char *message)
{
	return db_rep_failed_in_boot(db, run, job, rep, 0, message);
}

int db_rep_failed_in_boot(struct db *db, long long run, long long job, int rep, int boot,
			  const char *message)
{
	/* one INSERT is one transaction of its own */
	if (add_rep(db, run, job, rep, boot, "failed", message ? message : "unknown failure"))
		return db_error(db, "cannot store failed repetition %d of job %lld of run %lld",
				rep, job, run);
	return 0;
}

int db_run_finish(struct db *db, long long run, const char *state, const char *reason)
{
	sqlite3_stmt *st;

	static const char *const states[] = {
		"done", "failed", "interrupted", "boot_failed", "panicked", "hung", "agent_failed",
		NULL,
	};
	size_t i;

	for (i = 0; states[i] && (!state || strcmp(state, states[i])); i++)
		;
	if (!states[i])
		return error("cannot finish run %lld as '%s': not a final state", run, nz(state));
	st = db_stmt(db, STMT_RUN_FINISH,
		     "UPDATE run SET state = ?2, reason = ?3, finished = " NOW " WHERE id = ?1");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	db_bind_text(st, 3, reason);
	if (db_step_done(st) != SQLITE_DONE)
		return db_error(db, "cannot finish run %lld", run);
	if (!sqlite3_changes(db->sql))
		return error("no run %lld in '%s'", run, db->path);
	return 0;
}

struct abandoned {
	struct { long long id, pid; } *v;
	size_t nr, alloc;
};

/* Running runs of this host whose process is gone (not alive, or its pid reused). */
static int find_abandoned(struct db *db, const char *host, struct abandoned *found)
{
	sqlite3_stmt *st = db_stmt(db, STMT_RUN_RUNNING,
		"SELECT id, pid, coalesce(pid_start, -1) FROM run"
		" WHERE state = 'running' AND host = ?1");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, host, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);
		long long pid = sqlite3_column_int64(st, 1);

		if (db_process_alive(pid, sqlite3_column_int64(st, 2)))
			continue;
		if (found->nr == found->alloc) {
			found->alloc = found->alloc ? 2 * found->alloc : 8;
			found->v = xrealloc(found->v, found->alloc * sizeof(*found->v));
		}
		found->v[found->nr].id = id;
		found->v[found->nr++].pid = pid;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(db, "cannot look for abandoned runs");
	return 0;
}

static int abandon(struct db *db, long long id, long long pid)
{
	sqlite3_stmt *st = db_stmt(db, STMT_RUN_ABANDON,
		"UPDATE run SET state = 'failed', reason = ?2, finished = " NOW
		" WHERE id = ?1 AND state = 'running'");
	struct strbuf reason = STRBUF_INIT;
	int ret = -1;

	if (!st)
		return -1;
	strbuf_addf(&reason, "abandoned: process %lld is gone (killed or crashed)", pid);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, reason.buf, -1, SQLITE_STATIC);
	if (db_step_done(st) != SQLITE_DONE)
		db_error(db, "cannot mark run %lld abandoned", id);
	else
		ret = sqlite3_changes(db->sql);
	strbuf_release(&reason);
	return ret;
}

int db_reap_abandoned(struct db *db)
{
	struct abandoned found = { NULL, 0, 0 };
	char host[256];
	int reaped = 0, ret;
	size_t i;

	db_hostname(host, sizeof(host));
	/* under the write lock, so that two pinbench never reap the same run twice */
	if (db_begin(db))
		return -1;
	if (find_abandoned(db, host, &found))
		goto out_rollback;
	for (i = 0; i < found.nr; i++) {
		ret = abandon(db, found.v[i].id, found.v[i].pid);
		if (ret < 0)
			goto out_rollback;
		reaped += ret;
	}
	if (db_commit(db))
		goto out_rollback;
	free(found.v);
	return reaped;

out_rollback:
	db_rollback(db);
	free(found.v);
	return -1;
}

int db_run_set_log(struct db *db, long long run, const char *log_dir)
{
	sqlite3_stmt *st = db_stmt(db, STMT_RUN_SET_LOG, "UPDATE run SET log = ?2 WHERE id = ?1");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	db_bind_text(st, 2, log_dir);
	if (db_step_done(st) != SQLITE_DONE)
		return db_error(db, "cannot record the logs of run %lld", run);
	return 0;
}

int db_flag_add(struct db *db, long long run, long long job, const char *kind,
		const char *message)
{
	sqlite3_stmt *st = db_stmt(db, STMT_FLAG_ADD,
		"INSERT INTO flag (run, job, kind, message) VALUES (?1, ?2, ?3, ?4)");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	if (job > 0)
		sqlite3_bind_int64(st, 2, job);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, message, -1, SQLITE_STATIC);
	if (db_step_done(st) != SQLITE_DONE)
		return db_error(db, "cannot store a flag of run %lld", run);
	return 0;
}

int db_kernel_set_version(struct db *db, long long kernel, const char *version)
{
	/* OR IGNORE: the same build may already have a row with its version */
	sqlite3_stmt *st = db_stmt(db, STMT_KERNEL_VERSION,
		"UPDATE OR IGNORE kernel SET version = ?2 WHERE id = ?1 AND version = ''");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, kernel);
	sqlite3_bind_text(st, 2, version, -1, SQLITE_STATIC);
	if (db_step_done(st) != SQLITE_DONE)
		return db_error(db, "cannot record the version of kernel %lld", kernel);
	return 0;
}
