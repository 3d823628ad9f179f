// SPDX-License-Identifier: GPL-2.0-only
/*
 * The schema and its forward migrations. migrations[i] takes a database
 * from user_version i to i + 1 and ends by setting user_version itself, so
 * every script is fixed text and the version moves in the same transaction
 * as the change it describes. Never edit a released script: add one.
 */
#include "db/db-internal.h"

#include "common/log.h"

#define NOW "(" DB_NOW ")"

static const char *const migrations[] = {
	/* 1: the initial schema (DESIGN.md's data model) */
	"CREATE TABLE kernel (\n"
	"	id INTEGER PRIMARY KEY,\n"
	/* '' rather than NULL, so that UNIQUE treats two unknowns as equal */
	"	name TEXT NOT NULL DEFAULT '',\n"
	"	source TEXT NOT NULL DEFAULT '',\n"
	"	ref TEXT NOT NULL DEFAULT '',\n"
	"	patch_sha TEXT NOT NULL DEFAULT '',\n"
	"	config_sha TEXT NOT NULL DEFAULT '',\n"
	"	build_sha TEXT NOT NULL DEFAULT '',\n"
	"	version TEXT NOT NULL DEFAULT '',\n"
	"	release TEXT NOT NULL DEFAULT '',\n"
	"	built_at TEXT,\n"
	"	UNIQUE (name, source, release, version, build_sha)\n"
	");\n"
	"CREATE TABLE machine (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	fingerprint TEXT NOT NULL UNIQUE,\n"
	"	hostname TEXT,\n"
	"	cpu_model TEXT,\n"
	"	cores INTEGER,\n"
	"	memory_kb INTEGER,\n"
	"	target_kind TEXT,\n"
	"	devices TEXT\n"
	");\n"
	"CREATE TABLE job (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	hash TEXT NOT NULL UNIQUE,\n"
	"	name TEXT NOT NULL,\n"
	"	params TEXT NOT NULL CHECK (json_valid(params)),\n"
	"	fs TEXT,\n"
	"	device TEXT,\n"
	"	rw TEXT,\n"
	"	bs INTEGER,\n"
	"	iodepth INTEGER,\n"
	"	numjobs INTEGER,\n"
	"	ioengine TEXT,\n"
	"	size INTEGER,\n"
	"	runtime INTEGER\n"
	");\n"
	"CREATE TABLE run (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	kernel INTEGER NOT NULL REFERENCES kernel(id),\n"
	"	machine INTEGER NOT NULL REFERENCES machine(id),\n"
	"	target TEXT NOT NULL,\n"
	"	started TEXT NOT NULL DEFAULT " NOW ",\n"
	"	finished TEXT,\n"
	"	state TEXT NOT NULL DEFAULT 'running'\n"
	"		CHECK (state IN ('running', 'done', 'failed', 'interrupted')),\n"
	"	reason TEXT,\n"
	"	command TEXT,\n"
	"	config TEXT,\n"
	"	pid INTEGER,\n"
	"	host TEXT\n"
	");\n"
	/* reaping looks for running runs; finished ones are the vast majority */
	"CREATE INDEX run_running ON run(host) WHERE state = 'running';\n"
	/* WITHOUT ROWID: the primary key is the table, a run's rows are one range */
	"CREATE TABLE rep (\n"
	"	run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
	"	job INTEGER NOT NULL REFERENCES job(id),\n"
	"	rep INTEGER NOT NULL CHECK (rep >= 0),\n"
	"	status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),\n"
	"	message TEXT,\n"
	"	stored_at TEXT NOT NULL DEFAULT " NOW ",\n"
	"	PRIMARY KEY (run, job, rep)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE sample (\n"
	"	run INTEGER NOT NULL,\n"
	"	job INTEGER NOT NULL,\n"
	"	rep INTEGER NOT NULL,\n"
	"	metric TEXT NOT NULL,\n"
	"	value REAL,\n"
	"	unit TEXT NOT NULL DEFAULT '',\n"
	"	PRIMARY KEY (run, job, rep, metric),\n"
	"	FOREIGN KEY (run, job, rep) REFERENCES rep(run, job, rep) ON DELETE CASCADE\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE metric (\n"
	"	name TEXT PRIMARY KEY,\n"
	"	unit TEXT NOT NULL DEFAULT '',\n"
	"	better INTEGER NOT NULL DEFAULT 0 CHECK (better IN (-1, 0, 1))\n"
	") WITHOUT ROWID;\n"
	"PRAGMA user_version = 1;\n",

	/* 2: kernel builds and the patches that went into them */
	"CREATE TABLE build (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	name TEXT NOT NULL,\n"
	"	key TEXT NOT NULL,\n"
	"	source TEXT NOT NULL,\n"
	"	identity TEXT NOT NULL,\n"
	"	base TEXT,\n"
	"	configs TEXT,\n"
	"	config_sha TEXT,\n"
	"	version TEXT,\n"
	"	state TEXT NOT NULL DEFAULT 'building'\n"
	"		CHECK (state IN ('building', 'done', 'failed', 'interrupted')),\n"
	"	reason TEXT,\n"
	"	cached INTEGER NOT NULL DEFAULT 0,\n"
	"	artifact TEXT,\n"
	"	log TEXT,\n"
	"	objects INTEGER,\n"
	"	seconds REAL,\n"
	"	size INTEGER,\n"
	"	started TEXT NOT NULL DEFAULT " NOW ",\n"
	"	finished TEXT,\n"
	"	host TEXT,\n"
	"	pid INTEGER\n"
	");\n"
	"CREATE INDEX build_by_name ON build(name, id);\n"
	"CREATE INDEX build_by_key ON build(key);\n"
	"CREATE TABLE build_patch (\n"
	"	build INTEGER NOT NULL REFERENCES build(id) ON DELETE CASCADE,\n"
	"	seq INTEGER NOT NULL,\n"
	/* seq 0 is the cover letter, patches count from 1 in the order applied */
	"	subject TEXT NOT NULL,\n"
	"	author TEXT,\n"
	"	message_id TEXT,\n"
	"	in_reply_to TEXT,\n"
	"	sha TEXT,\n"
	"	origin TEXT,\n"
	"	PRIMARY KEY (build, seq)\n"
	") WITHOUT ROWID;\n"
	"PRAGMA user_version = 2;\n",

	/*
	 * 3: guest targets. A run can end in the ways a boot fails, so run is
	 * rebuilt with the wider CHECK (SQLite cannot alter one; this runs
	 * before foreign keys are switched on) and gets the directory of its
	 * console logs; a repetition says which boot it ran in; flags keep what
	 * the user must not miss about a job (no legacy direct I/O seen ...).
	 */
	"CREATE TABLE run_v3 (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	kernel INTEGER NOT NULL REFERENCES kernel(id),\n"
	"	machine INTEGER NOT NULL REFERENCES machine(id),\n"
	"	target TEXT NOT NULL,\n"
	"	started TEXT NOT NULL DEFAULT " NOW ",\n"
	"	finished TEXT,\n"
	"	state TEXT NOT NULL DEFAULT 'running'\n"
	"		CHECK (state IN ('running', 'done', 'failed', 'interrupted', 'boot_failed',\n"
	"				 'panicked', 'hung', 'agent_failed')),\n"
	"	reason TEXT,\n"
	"	command TEXT,\n"
	"	config TEXT,\n"
	"	pid INTEGER,\n"
	"	host TEXT,\n"
	"	log TEXT\n"
	");\n"
	"INSERT INTO run_v3 (id, kernel, machine, target, started, finished, state, reason,\n"
	"		    command, config, pid, host)\n"
	"	SELECT id, kernel, machine, target, started, finished, state, reason, command,\n"
	"	       config, pid, host FROM run;\n"
	"DROP TABLE run;\n"
	"ALTER TABLE run_v3 RENAME TO run;\n"
	"CREATE INDEX run_running ON run(host) WHERE state = 'running';\n"
	"ALTER TABLE rep ADD COLUMN boot INTEGER;\n"
	"CREATE TABLE flag (\n"
	"	run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
	"	job INTEGER REFERENCES job(id),\n"
	"	kind TEXT NOT NULL,\n"
	"	message TEXT NOT NULL,\n"
	"	at TEXT NOT NULL DEFAULT " NOW "\n"
	");\n"
	"CREATE INDEX flag_by_run ON flag(run);\n"
	"PRAGMA user_version = 3;\n",

	/* 4: comparisons of two runs and their verdicts, one row per job x metric */
	"CREATE TABLE comparison (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	run_a INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
	"	run_b INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
	"	decided_at TEXT NOT NULL DEFAULT " NOW ",\n"
	"	command TEXT,\n"
	"	regressions INTEGER NOT NULL DEFAULT 0,\n"
	"	improvements INTEGER NOT NULL DEFAULT 0,\n"
	"	inconclusive INTEGER NOT NULL DEFAULT 0,\n"
	"	exact_changed INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE TABLE verdict (\n"
	"	comparison INTEGER NOT NULL REFERENCES comparison(id) ON DELETE CASCADE,\n"
	"	job INTEGER NOT NULL REFERENCES job(id),\n"
	"	metric TEXT NOT NULL,\n"
	"	kind TEXT NOT NULL CHECK (kind IN ('noisy', 'exact')),\n"
	"	verdict TEXT NOT NULL,\n"
	"	median_a REAL, median_b REAL,\n"
	"	ratio REAL, ci_lo REAL, ci_hi REAL, p REAL, q REAL,\n"
	"	delta REAL,\n"
	"	n_a INTEGER, n_b INTEGER,\n"
	"	reps_needed INTEGER,\n"
	"	PRIMARY KEY (comparison, job, metric)\n"
	") WITHOUT ROWID;\n"
	"PRAGMA user_version = 4;\n",

	/*
	 * 5: A/A noise from pinbench calibrate, per machine, job and metric:
	 * the coefficient of variation of n repetitions of one kernel. History
	 * is kept; the newest row is the machine's noise.
	 */
	"CREATE TABLE noise (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	machine INTEGER NOT NULL REFERENCES machine(id),\n"
	"	job INTEGER NOT NULL REFERENCES job(id),\n"
	"	metric TEXT NOT NULL,\n"
	"	kernel INTEGER REFERENCES kernel(id),\n"
	"	comparison INTEGER REFERENCES comparison(id) ON DELETE SET NULL,\n"
	"	n INTEGER NOT NULL,\n"
	"	cv REAL NOT NULL,\n"
	"	measured_at TEXT NOT NULL DEFAULT " NOW "\n"
	");\n"
	"CREATE INDEX noise_by_job ON noise(machine, job, metric, id);\n"
	"PRAGMA user_version = 5;\n",

	/*
	 * 6: result mails. A mail is composed once and keeps its Message-ID:
	 * written (an .eml only) -> queued -> sending -> sent, back to queued
	 * with last_error when sending fails, so `post --retry` sends exactly
	 * what was composed and a sent mail is never sent again.
	 */
	"CREATE TABLE mail (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	comparison INTEGER NOT NULL REFERENCES comparison(id) ON DELETE CASCADE,\n"
	"	message_id TEXT NOT NULL UNIQUE,\n"
	"	sender TEXT NOT NULL,\n"
	"	recipients TEXT NOT NULL,\n"
	"	subject TEXT NOT NULL,\n"
	"	message BLOB NOT NULL,\n"
	"	eml TEXT,\n"
	"	state TEXT NOT NULL DEFAULT 'written'\n"
	"		CHECK (state IN ('written', 'queued', 'sending', 'sent')),\n"
	"	attempts INTEGER NOT NULL DEFAULT 0,\n"
	"	last_error TEXT,\n"
	"	server_reply TEXT,\n"
	"	created TEXT NOT NULL DEFAULT " NOW ",\n"
	"	sent_at TEXT\n"
	");\n"
	"CREATE INDEX mail_queued ON mail(state) WHERE state != 'sent';\n"
	/* the site's history pages read one job and metric across every run */
	"CREATE INDEX sample_by_series ON sample(job, metric, run);\n"
	/* ... and mark the runs a comparison called a regression */
	"CREATE INDEX comparison_by_run_b ON comparison(run_b);\n"
	/* whom the patch mail went to: a result mail with reply_all answers them too */
	"ALTER TABLE build_patch ADD COLUMN recipients TEXT;\n"
	"PRAGMA user_version = 6;\n",

	/*
	 * 7: what a comparison's verdicts depend on, stored with them, so a
	 * report shows the verdicts under the settings that made them and
	 * says which they were: the thresholds, the level q is held to, the
	 * bootstrap's confidence, resamples and seed, the exact rows'
	 * tolerance. NULL in a comparison stored before: its settings are
	 * unknown. A verdict row keeps its unit and both sides' CVs (percent),
	 * the rest of what its table line shows.
	 */
	"ALTER TABLE comparison ADD COLUMN throughput_threshold REAL;\n"
	"ALTER TABLE comparison ADD COLUMN latency_threshold REAL;\n"
	"ALTER TABLE comparison ADD COLUMN alpha REAL;\n"
	"ALTER TABLE comparison ADD COLUMN confidence REAL;\n"
	"ALTER TABLE comparison ADD COLUMN resamples INTEGER;\n"
	"ALTER TABLE comparison ADD COLUMN seed INTEGER;\n"
	"ALTER TABLE comparison ADD COLUMN exact_tolerance REAL;\n"
	"ALTER TABLE verdict ADD COLUMN unit TEXT;\n"
	"ALTER TABLE verdict ADD COLUMN cv_a REAL;\n"
	"ALTER TABLE verdict ADD COLUMN cv_b REAL;\n"
	"PRAGMA user_version = 7;\n",

	/*
	 * 8: a run's process is its pid and its start time (clock ticks after
	 * boot, /proc/PID/stat field 22): once the process is gone its pid may
	 * be reused, and the run must still be seen as abandoned. The same for
	 * a build. NULL in rows begun before.
	 */
	"ALTER TABLE run ADD COLUMN pid_start INTEGER;\n"
	"ALTER TABLE build ADD COLUMN pid_start INTEGER;\n"
	"PRAGMA user_version = 8;\n",

	/*
	 * 9: the cost rows' tolerances (fractions of the baseline's value), so
	 * a report shows their verdicts under the settings that made them.
	 * NULL in a comparison stored before: it had no cost rows.
	 */
	"ALTER TABLE comparison ADD COLUMN cost_tolerance REAL;\n"
	"ALTER TABLE comparison ADD COLUMN cost_fn_tolerance REAL;\n"
	"PRAGMA user_version = 9;\n",

	/*
	 * 10: the boot is the unit of a noisy row (reports/compare.h): a
	 * verdict keeps how many boots each side had; NULL before, when
	 * repetitions were taken as independent. A calibration's noise says
	 * how many boots it came from: with two or more its CV is the
	 * between-boot one; NULL, one boot, a within-boot CV.
	 */
	"ALTER TABLE verdict ADD COLUMN boots_a INTEGER;\n"
	"ALTER TABLE verdict ADD COLUMN boots_b INTEGER;\n"
	/* a trend inside the boots (reports/nested.h): Mann-Kendall S and its variance a side */
	"ALTER TABLE verdict ADD COLUMN trend_s_a REAL;\n"
	"ALTER TABLE verdict ADD COLUMN trend_var_a REAL;\n"
	"ALTER TABLE verdict ADD COLUMN trend_s_b REAL;\n"
	"ALTER TABLE verdict ADD COLUMN trend_var_b REAL;\n"
	/* the CV of the boots' medians, both sides pooled (a fraction; NULL below 2 a side) */
	"ALTER TABLE verdict ADD COLUMN boot_cv REAL;\n"
	"ALTER TABLE noise ADD COLUMN boots INTEGER;\n"
	"PRAGMA user_version = 10;\n",
	/*
	 * 11: nightly. A night is one measurement of a branch's head on this
	 * host (its run), or why there is none (build_failed, boot_failed:
	 * infrastructure, never a point of the series). A change point is a
	 * step in the series of one job and metric between the last good
	 * night and the first bad one, stored once.
	 */
	"CREATE TABLE night (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	branch TEXT NOT NULL,\n"
	"	host TEXT NOT NULL,\n"
	"	commit_sha TEXT NOT NULL,\n"
	"	subject TEXT NOT NULL DEFAULT '',\n"
	"	run INTEGER REFERENCES run(id),\n"
	"	state TEXT NOT NULL DEFAULT 'building'\n"
	"		CHECK (state IN ('building', 'measured', 'build_failed', 'boot_failed',\n"
	"		                 'failed', 'interrupted')),\n"
	"	reason TEXT,\n"
	"	started TEXT NOT NULL DEFAULT " NOW ",\n"
	"	finished TEXT\n"
	");\n"
	"CREATE INDEX night_commit ON night(branch, host, commit_sha);\n"
	"CREATE TABLE change_point (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	branch TEXT NOT NULL,\n"
	"	host TEXT NOT NULL,\n"
	"	job INTEGER NOT NULL REFERENCES job(id),\n"
	"	metric TEXT NOT NULL,\n"
	"	kind TEXT NOT NULL CHECK (kind IN ('exact', 'noisy')),\n"
	"	good_night INTEGER NOT NULL REFERENCES night(id),\n"
	"	bad_night INTEGER NOT NULL REFERENCES night(id),\n"
	"	value_before REAL,\n"
	"	value_after REAL,\n"
	"	magnitude REAL,\n"
	"	ci_lo REAL,\n"
	"	ci_hi REAL,\n"
	"	p REAL,\n"
	"	points INTEGER NOT NULL,\n"
	"	direction TEXT NOT NULL CHECK (direction IN ('regression', 'improvement', 'changed')),\n"
	"	state TEXT NOT NULL CHECK (state IN ('suspected', 'confirmed', 'bisected', 'fixed',\n"
	"	                                     'acked', 'false_positive')),\n"
	"	found_at TEXT NOT NULL DEFAULT " NOW ",\n"
	"	UNIQUE (branch, host, job, metric, bad_night)\n"
	");\n"
	/*
	 * A change point's bisection: the first bad commit when found (and
	 * whether measuring it and its parent again agreed), the steps, and
	 * the log of each step's commit and verdict.
	 */
	"CREATE TABLE bisect (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	change_point INTEGER NOT NULL REFERENCES change_point(id),\n"
	"	state TEXT NOT NULL CHECK (state IN ('found', 'ambiguous', 'budget', 'failed')),\n"
	"	culprit TEXT,\n"
	"	subject TEXT,\n"
	"	author TEXT,\n"
	"	link TEXT,\n"
	"	steps INTEGER NOT NULL,\n"
	"	verified INTEGER NOT NULL DEFAULT 0,\n"
	"	log TEXT NOT NULL,\n"
	"	finished TEXT NOT NULL DEFAULT " NOW "\n"
	");\n"
	/*
	 * A result mail is a comparison's or, from nightly, a change point's:
	 * mail is rebuilt with comparison nullable (SQLite cannot drop a NOT
	 * NULL; this runs before foreign keys are switched on), exactly one
	 * of the two set.
	 */
	"CREATE TABLE mail_v11 (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	comparison INTEGER REFERENCES comparison(id) ON DELETE CASCADE,\n"
	"	change_point INTEGER REFERENCES change_point(id) ON DELETE CASCADE,\n"
	"	message_id TEXT NOT NULL UNIQUE,\n"
	"	sender TEXT NOT NULL,\n"
	"	recipients TEXT NOT NULL,\n"
	"	subject TEXT NOT NULL,\n"
	"	message BLOB NOT NULL,\n"
	"	eml TEXT,\n"
	"	state TEXT NOT NULL DEFAULT 'written'\n"
	"		CHECK (state IN ('written', 'queued', 'sending', 'sent')),\n"
	"	attempts INTEGER NOT NULL DEFAULT 0,\n"
	"	last_error TEXT,\n"
	"	server_reply TEXT,\n"
	"	created TEXT NOT NULL DEFAULT " NOW ",\n"
	"	sent_at TEXT,\n"
	"	CHECK ((comparison IS NULL) != (change_point IS NULL))\n"
	");\n"
	"INSERT INTO mail_v11 (id, comparison, message_id, sender, recipients, subject, message,\n"
	"		      eml, state, attempts, last_error, server_reply, created, sent_at)\n"
	"	SELECT id, comparison, message_id, sender, recipients, subject, message, eml,\n"
	"	       state, attempts, last_error, server_reply, created, sent_at FROM mail;\n"
	"DROP TABLE mail;\n"
	"ALTER TABLE mail_v11 RENAME TO mail;\n"
	"CREATE INDEX mail_queued ON mail(state) WHERE state != 'sent';\n"
	"CREATE UNIQUE INDEX mail_of_change_point ON mail(change_point);\n"
	"PRAGMA user_version = 11;\n",
};

#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

static int user_version(struct db *db, int *version)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->sql, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return error("cannot open database '%s': %s", db->path, sqlite3_errmsg(db->sql));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	else
		error("cannot open database '%s': %s", db->path, sqlite3_errmsg(db->sql));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int too_new(struct db *db, int version)
{
	return error("database '%s' has schema version %d, this pinbench knows up to %d",
		     db->path, version, SCHEMA_VERSION);
}

/* One step in its own transaction; another pinbench may have done it meanwhile. */
static int migrate_step(struct db *db, int to)
{
	int version;

	if (db_begin(db))
		return -1;
	/* re-read under the write lock: the version may have moved while we waited */
	if (user_version(db, &version))
		goto out_rollback;
	if (version >= to) {
		db_rollback(db);
		return version > SCHEMA_VERSION ? too_new(db, version) : 0;
	}
	if (sqlite3_exec(db->sql, migrations[to - 1], NULL, NULL, NULL) != SQLITE_OK) {
		db_error(db, "cannot migrate to schema version %d", to);
		goto out_rollback;
	}
	if (db_commit(db))
		goto out_rollback;
	return 0;

out_rollback:
	db_rollback(db);
	return -1;
}

/* Version 0 with tables in it is somebody else's database: leave it alone. */
static int check_foreign(struct db *db)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->sql, "SELECT 1 FROM sqlite_schema LIMIT 1", -1, &st, NULL))
		return error("cannot open database '%s': %s", db->path, sqlite3_errmsg(db->sql));
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		error("cannot open database '%s': %s", db->path, sqlite3_errmsg(db->sql));
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return error("database '%s' has tables but no schema version: "
			     "not a pinbench database", db->path);
	return rc == SQLITE_DONE ? 0 : -1;
}

int db_migrate(struct db *db)
{
	int version, to;

	if (user_version(db, &version))
		return -1;
	if (version > SCHEMA_VERSION)
		return too_new(db, version);
	if (!version && check_foreign(db))
		return -1;
	for (to = version + 1; to <= SCHEMA_VERSION; to++)
		if (migrate_step(db, to))
			return -1;
	return 0;
}
