/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_DB_H
#define PINBENCH_DB_H

#include <stddef.h>
#include <stdio.h>

#include "collectors/sample.h"

/*
 * The results store: one SQLite file, the only module that talks to
 * libsqlite3. WAL journal, busy_timeout, prepared statements only, schema
 * versioned in PRAGMA user_version with forward migrations.
 *
 * Tables (DESIGN.md's data model, so plain sqlite3 queries work):
 *   kernel(id, name, source, ref, patch_sha, config_sha, build_sha, version, release, built_at)
 *   machine(id, fingerprint UNIQUE, hostname, cpu_model, cores, memory_kb, target_kind, devices)
 *   job(id, hash UNIQUE, name, params (canonical JSON), fs, device, rw, bs, iodepth,
 *       numjobs, ioengine, size, runtime)
 *   run(id, kernel, machine, target, started, finished, state, reason, command, config,
 *       pid, host, log, pid_start)     state: running | done | failed | interrupted, and for
 *       guest targets boot_failed | panicked | hung | agent_failed; log: the
 *       directory of the run's console logs
 *   rep(run, job, rep, status, message, stored_at, boot)   status: ok | failed;
 *       boot: which boot of a guest target it ran in (NULL on the host)
 *   flag(run, job, kind, message, at)   what the user must not miss about a job,
 *       e.g. kind not_legacy_dio: the legacy direct-I/O proof saw no calls
 *   sample(run, job, rep, metric, value, unit)       value NULL = unavailable
 *   metric(name, unit, better)                       better: 1 higher, -1 lower, 0 n/a
 * Repetition 0 of a job holds one-off passes (the profile pass), never
 * measured repetitions, which count from 1.
 *
 * Every function prints its own error (naming the database file) and
 * returns -1 on failure, 0 on success.
 */
struct db;
struct strbuf;

int db_open(const char *path, struct db **out);
void db_close(struct db *db);
const char *db_path(const struct db *db);

struct machine_info {
	const char *fingerprint;	/* stable hash of the fields below */
	const char *hostname;
	const char *cpu_model;
	unsigned cores;
	unsigned long long memory_kb;
	const char *target_kind;	/* host, qemu, kexec */
	const char *devices;		/* JSON array of {name, model, serial} */
};
int db_machine_get_or_add(struct db *db, const struct machine_info *m, long long *id);

struct kernel_info {
	const char *name;	/* "host" for the running kernel, else the config's name */
	const char *source;	/* "running", "deb:linux-source-6.12", ... */
	const char *ref;
	const char *patch_sha;
	const char *config_sha;
	const char *build_sha;
	const char *version;	/* uname -v / /proc/version */
	const char *release;	/* uname -r */
};
int db_kernel_get_or_add(struct db *db, const struct kernel_info *k, long long *id);
/* The version string (/proc/version) of a kernel known so far without one. */
int db_kernel_set_version(struct db *db, long long kernel, const char *version);

struct job_row {
	const char *hash;	/* of the canonical params: same job, same row */
	const char *name;	/* readable: "randread-4k-qd1-psync-nj1@scratch:ext4" */
	const char *params;	/* canonical JSON */
	const char *fs;
	const char *device;
	const char *rw;
	unsigned long long bs;
	unsigned iodepth;
	unsigned numjobs;
	const char *ioengine;
	unsigned long long size;
	unsigned runtime;
};
int db_job_get_or_add(struct db *db, const struct job_row *j, long long *id);

int db_run_begin(struct db *db, long long kernel, long long machine, const char *target,
		 const char *command, const char *config_text, long long *run);
/* A finished repetition and all its samples, in one transaction. */
int db_rep_store(struct db *db, long long run, long long job, int rep,
		 const struct sample_set *samples);
/* A repetition that failed (fio's message, a timeout ...): stored, no samples. */
int db_rep_failed(struct db *db, long long run, long long job, int rep, const char *message);
/* The same for a repetition that ran in boot `boot` (from 1) of a guest target. */
int db_rep_store_in_boot(struct db *db, long long run, long long job, int rep, int boot,
			 const struct sample_set *samples);
int db_rep_failed_in_boot(struct db *db, long long run, long long job, int rep, int boot,
			  const char *message);
/* state: one of the final states above; reason may be NULL for done. */
int db_run_finish(struct db *db, long long run, const char *state, const char *reason);
/* Where the run's console logs are. */
int db_run_set_log(struct db *db, long long run, const char *log_dir);
/* A flag on a job of a run (job 0: on the run as a whole). */
int db_flag_add(struct db *db, long long run, long long job, const char *kind,
		const char *message);
/*
 * The patches of the kernel a run booted (from its build): seq 0 is the
 * cover letter, then the patches in the order applied; none for the running
 * kernel or an unpatched build.
 */
typedef int (*db_patch_fn)(int seq, const char *subject, const char *message_id, void *data);
int db_run_patches(struct db *db, long long run, db_patch_fn fn, void *data);
/*
 * The newest run of the kernel named `kernel` that ended "done", into *run.
 * Returns 0, 1 when there is none (error printed), -1 on a database error.
 */
int db_latest_run(struct db *db, const char *kernel, long long *run);
/* What it takes to redo a run: its kernel and the inputs stored with it. */
struct db_run_repro {
	char *kernel;		/* name */
	char *source;
	char *config_sha;	/* sha256 of the kernel's .config */
	char *build_sha;	/* the artifact cache key */
	char *release;
	char *target;
	char *command;		/* the pinbench command line */
	char *config;		/* config.ini's text */
	char *log;		/* the run's console log directory, or "" */
};
int db_run_repro(struct db *db, long long run, struct db_run_repro *out);
void db_run_repro_release(struct db_run_repro *r);
/* The jobs a run measured, in job order: callback with name and parameters (JSON). */
typedef int (*db_job_fn)(const char *name, const char *params, void *data);
int db_run_jobs(struct db *db, long long run, db_job_fn fn, void *data);
/* The name of the kernel a run booted, into name (reset first). */
int db_run_kernel_name(struct db *db, long long run, struct strbuf *name);
/* Flags of a run, oldest first: callback with job name ("" for none), kind, message. */
typedef int (*db_flag_fn)(const char *job_name, const char *kind, const char *message,
			  void *data);
int db_run_flags(struct db *db, long long run, db_flag_fn fn, void *data);
/*
 * Runs still "running" whose process (same host) is gone were killed without
 * a chance to say so: mark them failed ("abandoned: ..."). Returns how many.
 * The process is its pid and start time: a live pid that started at another
 * time is somebody else's, and the run is abandoned.
 */
int db_reap_abandoned(struct db *db);

/* Reading back. */
enum db_format { DB_FORMAT_JSON, DB_FORMAT_CSV };

int db_list_runs(struct db *db, FILE *out);
/* Does the run exist? 1 yes, 0 no, -1 error. */
int db_run_exists(struct db *db, long long run);
/* Header of a run (kernel, machine, target, state, times) as "key: value" lines. */
int db_show_run_header(struct db *db, long long run, FILE *out);
/* Every sample of one run (run > 0) or of all runs (run == 0). */
int db_export(struct db *db, long long run, enum db_format fmt, FILE *out);

/*
 * Per job and metric, all values of measured repetitions (rep >= 1) of a run,
 * sorted ascending, for summaries: the callback is called once per
 * (job, metric); n may be smaller than the repetition count when some
 * repetitions failed or the value was unavailable (n_unavailable counts those).
 */
struct db_series {
	long long job;
	const char *job_name;
	const char *metric;
	const char *unit;
	const double *values;	/* ascending */
	const long long *boots;	/* the boot each value was measured in (0: none, the host) */
	const int *reps;	/* and its repetition */
	size_t n;
	size_t n_unavailable;
};
typedef int (*db_series_fn)(const struct db_series *s, void *data);
int db_run_series(struct db *db, long long run, db_series_fn fn, void *data);

/*
 * The pin counters of every measured repetition of a run, in job and
 * repetition order: the vmstat deltas of nr_foll_pin_acquired and
 * nr_foll_pin_released and fio's total I/Os (NAN where not measured).
 */
struct db_pin_counts {
	long long job;
	const char *job_name;
	int rep;
	double acquired, released, ios;
};
typedef int (*db_pin_counts_fn)(const struct db_pin_counts *c, void *data);
int db_run_pin_counts(struct db *db, long long run, db_pin_counts_fn fn, void *data);

/* Failed repetitions of a run: callback with job name, rep and message. */
typedef int (*db_failure_fn)(const char *job_name, int rep, const char *message, void *data);
int db_run_failures(struct db *db, long long run, db_failure_fn fn, void *data);

/*
 * Kernel builds (kernels/build.h): one row per build attempt, and per cache
 * hit under a name that had none yet, with the patches applied in order.
 *   build(id, name, key, source, identity, base, configs, config_sha, version,
 *         state, reason, cached, artifact, log, objects, seconds, size,
 *         started, finished, host, pid)   state: building | done | failed | interrupted
 *   build_patch(build, seq, subject, author, message_id, in_reply_to, sha, origin)
 *         seq 0: the series' cover letter; 1..n: the patches in order
 */
struct db_build {
	const char *name;
	const char *key;	/* artifact cache key */
	const char *source;
	const char *identity;
	const char *base;
	const char *configs;	/* the fragment paths, space separated */
	int cached;		/* served from the artifact cache */
};

struct db_build_patch {
	int seq;
	const char *subject;
	const char *author;
	const char *message_id;
	const char *in_reply_to;
	const char *sha;
	const char *origin;
	const char *recipients;	/* the mail's To and Cc, one per line; NULL: none */
};

struct db_build_result {
	const char *state;	/* done | failed | interrupted */
	const char *reason;	/* NULL when done */
	const char *version;	/* kernel release */
	const char *config_sha;
	const char *artifact;	/* directory in the cache */
	const char *log;
	long long objects;	/* compiled this time; -1 unknown */
	double seconds;
	long long size;		/* bzImage bytes; -1 unknown */
};

int db_build_begin(struct db *db, const struct db_build *b, long long *id);
int db_build_add_patch(struct db *db, long long build, const struct db_build_patch *p);
int db_build_finish(struct db *db, long long build, const struct db_build_result *r);
/* Is there a done build of name with this key? 1 yes, 0 no, -1 error. */
int db_build_known(struct db *db, const char *name, const char *key);
/* Builds still "building" whose process (same host) is gone: mark them failed. */
int db_reap_abandoned_builds(struct db *db);
/*
 * The latest done build of each name: name, version, source, patch subjects,
 * config hash, build time, size; callback per row (artifact may be gone:
 * the caller checks). Ordered by name.
 */
/* joins the list fields of a row (ASCII US: no subject holds it once cleaned) */
#define DB_LIST_SEP	"\x1f"

struct db_build_row {
	long long id;
	const char *name, *key, *version, *source, *config_sha, *artifact, *finished, *log;
	double seconds;
	long long size, objects;
	int cached;
	const char *patches;	/* subjects joined with DB_LIST_SEP, "" when none */
	const char *message_ids;/* the same order, DB_LIST_SEP-joined */
};
typedef int (*db_build_fn)(const struct db_build_row *r, void *data);
int db_list_builds(struct db *db, db_build_fn fn, void *data);

/*
 * Comparisons (reports/compare.h) and their verdicts:
 *   comparison(id, run_a, run_b, decided_at, command, regressions, improvements,
 *              inconclusive, exact_changed)
 *   verdict(comparison, job, metric, kind, verdict, median_a, median_b, ratio, ci_lo,
 *           ci_hi, p, q, delta, n_a, n_b, reps_needed, unit, cv_a, cv_b)   kind: noisy | exact
 * db_comparison_store writes one comparison and all its verdicts in one
 * transaction. NaN values are stored as NULL.
 */
struct db_verdict {
	long long job;
	const char *metric;
	const char *kind;
	const char *verdict;
	double median_a, median_b, ratio, ci_lo, ci_hi, p, q, delta;
	long long n_a, n_b, reps_needed;
	const char *unit;
	double cv_a, cv_b;	/* percent; NaN: not stored (before schema 7) */
	long long boots_a, boots_b;	/* noisy rows; 0: not stored (before schema 10) */
	/* noisy rows: Mann-Kendall S and variance inside the boots a side; var 0: none */
	double trend_s_a, trend_var_a, trend_s_b, trend_var_b;
	double boot_cv;		/* noisy rows: between-boot CV, a fraction; NaN: none */
};

/*
 * What the verdicts of a comparison depend on (reports/compare.h's
 * compare_opts), stored with it:
 *   comparison(..., throughput_threshold, latency_threshold, alpha, confidence,
 *              resamples, seed, exact_tolerance)   NULL: stored before schema 7
 *   comparison(cost_tolerance, cost_fn_tolerance)   NULL (NaN here): before schema 9
 */
struct db_compare_settings {
	double throughput_threshold, latency_threshold;	/* fractions */
	double alpha;		/* on the BH-adjusted p */
	double confidence;	/* of the bootstrap CI: 0.95 */
	long long resamples, seed;
	double exact_tolerance;
	double cost_tolerance, cost_fn_tolerance;	/* fractions */
};

struct db_comparison {
	long long run_a, run_b;
	const char *command;
	long long regressions, improvements, inconclusive, exact_changed;
	const struct db_verdict *verdicts;
	size_t nr;
	struct db_compare_settings settings;
};

int db_comparison_store(struct db *db, const struct db_comparison *c, long long *id);

/* A stored comparison read back: its counts and, when known, its settings. */
struct db_comparison_stored {
	long long run_a, run_b;
	long long regressions, improvements, inconclusive, exact_changed;
	int settings_known;	/* 0: compared before the settings were stored */
	struct db_compare_settings settings;
	char decided_at[32];
};
/* 0 found, 1 no such comparison (nothing printed), -1 error */
int db_comparison_get(struct db *db, long long comparison, struct db_comparison_stored *out);
/*
 * Its verdicts in the order compare made them: by job, then metric, the
 * pin balance row last in its job. job_name and the strings of v live
 * until the callback returns; v->unit falls back to the metric's unit and
 * v->cv_a/cv_b are NaN for a comparison stored before schema 7.
 */
typedef int (*db_stored_verdict_fn)(const struct db_verdict *v, const char *job_name,
				    void *data);
int db_comparison_stored_verdicts(struct db *db, long long comparison, db_stored_verdict_fn fn,
				  void *data);

/*
 * A/A noise (pinbench calibrate):
 *   noise(id, machine, job, metric, kernel, comparison, n, cv, measured_at, boots)
 * cv is a fraction. db_noise_store writes a calibration's rows in one
 * transaction; db_noise_latest finds the newest row of a machine, job and
 * metric (1 when there is none).
 */
struct db_noise {
	long long job;
	const char *metric;
	long long n;
	double cv;
	long long boots;	/* both sides together; 2 or more: cv is between boots */
};
int db_noise_store(struct db *db, long long machine, long long kernel, long long comparison,
		   const struct db_noise *rows, size_t nr);
struct db_noise_found {
	double cv;
	long long n, comparison;
	long long boots;	/* 0: one boot or not stored (a within-boot cv) */
	char measured_at[32];
};
int db_noise_latest(struct db *db, long long machine, long long job, const char *metric,
		    struct db_noise_found *out);
/*
 * Result mails (reports/mail.h), the outbox:
 *   mail(id, comparison, message_id, sender, recipients, subject, message, eml, state,
 *        attempts, last_error, server_reply, created, sent_at)
 *   state: written (an .eml only) | queued | sending | sent
 * recipients is a JSON array of bare addresses (the SMTP envelope).
 */
struct db_mail {
	long long id, comparison, attempts;
	long long change_point;		/* a nightly mail's (comparison 0); 0 when stored from a read */
	char *message_id, *sender, *recipients, *subject, *eml, *state;
	char *last_error, *server_reply, *created, *sent_at;
	char *message;
	size_t len;
};
int db_mail_add(struct db *db, const struct db_mail *m, long long *id);
/* 0 found, 1 none (nothing printed), -1 error */
int db_mail_get(struct db *db, long long id, struct db_mail *out);
int db_mail_of_comparison(struct db *db, long long comparison, struct db_mail *out);
/* Set the state; "sending" counts an attempt, "sent" stamps sent_at. */
int db_mail_set_state(struct db *db, long long id, const char *state, const char *error,
		      const char *reply);
/* The ids of every mail queued or left "sending" (a pinbench that died), oldest first. */
int db_mail_pending(struct db *db, long long **ids, size_t *nr);
void db_mail_release(struct db_mail *m);

/* The two runs of a stored comparison; 1 when there is no such comparison. */
int db_comparison_runs(struct db *db, long long comparison, long long *run_a, long long *run_b);

/* A run's kernel's patches with their authors, in order (seq 0: the cover letter). */
struct db_patch_row {
	int seq;
	const char *subject, *author, *message_id;
	const char *recipients;	/* the patch mail's To and Cc, one per line */
};
typedef int (*db_patch_row_fn)(const struct db_patch_row *p, void *data);
int db_run_patch_rows(struct db *db, long long run, db_patch_row_fn fn, void *data);

/* --- for the static site (db/site.c) --- */
/* Before reading most of a large database: map it and enlarge the page cache. */
int db_prepare_bulk_read(struct db *db);
struct db_comparison_row {
	long long id, run_a, run_b;
	const char *decided_at;
	long long regressions, improvements, inconclusive, exact_changed;
	const char *kernel_a, *kernel_b, *release_a, *release_b;
	const char *hostname, *target_kind, *command;
};
typedef int (*db_comparison_row_fn)(const struct db_comparison_row *r, void *data);
/* newest first */
int db_list_comparisons(struct db *db, db_comparison_row_fn fn, void *data);

struct db_run_row {
	long long id;
	const char *kernel, *release, *state, *started, *finished, *hostname, *target_kind;
	const char *reason, *log;
};
typedef int (*db_run_row_fn)(const struct db_run_row *r, void *data);
/* newest first */
int db_list_run_rows(struct db *db, db_run_row_fn fn, void *data);

struct db_verdict_row {
	long long job;
	const char *job_name, *job_hash, *metric, *unit, *kind, *verdict;
	double median_a, median_b, ratio, ci_lo, ci_hi, p, q, delta;
	long long n_a, n_b, reps_needed;
};
typedef int (*db_verdict_row_fn)(const struct db_verdict_row *r, void *data);
/* The stored verdicts of a comparison, by job, exact rows after noisy ones. */
int db_comparison_verdicts(struct db *db, long long comparison, db_verdict_row_fn fn,
			   void *data);

struct db_noise_row {
	long long machine;
	const char *hostname, *target_kind, *job_name, *metric;
	double cv;
	long long n;
	const char *measured_at;
};
typedef int (*db_noise_row_fn)(const struct db_noise_row *r, void *data);
/* The newest IOPS noise of every machine and job. */
int db_list_noise(struct db *db, db_noise_row_fn fn, void *data);

/* Every (job, key metric) with measured samples: IOPS, p99 latency, pins per I/O. */
typedef int (*db_series_key_fn)(long long job, const char *job_name, const char *job_hash,
				const char *metric, const char *unit, void *data);
int db_list_series_keys(struct db *db, db_series_key_fn fn, void *data);

/* One run's point in the history of a job and metric. */
struct db_history_point {
	long long run;
	const char *kernel, *release, *started;
	double median, min, max;
	size_t n;
	int regression;		/* a comparison with this run as B called it a regression */
};
typedef int (*db_history_fn)(const struct db_history_point *p, void *data);
int db_job_metric_history(struct db *db, long long job, const char *metric, db_history_fn fn,
			  void *data);

/* The machine and kernel rows a run refers to. */
int db_run_machine_kernel(struct db *db, long long run, long long *machine, long long *kernel);

/*
 * Nightly (runner/nightly.h): the nights of a branch on this host and the
 * change points of its series. A night's state: building (its build and
 * run under way), measured (its run is a point of the series),
 * build_failed and boot_failed (infrastructure: no point, no change
 * point), failed, interrupted (pinbench stopped before it ended).
 */
struct db_night {
	long long id;
	const char *branch, *commit, *subject;
	long long run;		/* 0: none */
	const char *state, *reason, *started;
};
int db_night_begin(struct db *db, const char *branch, const char *commit, const char *subject,
		   long long *id);
int db_night_finish(struct db *db, long long night, long long run, const char *state,
		    const char *reason);
/* 1 when this host measured branch at commit (the night and when in *night, at), 0 not. */
int db_night_measured(struct db *db, const char *branch, const char *commit, long long *night,
		      char *at, size_t at_len);
/* This host's nights still building: a nightly that stopped (the caller holds the lock). */
int db_night_reap(struct db *db, size_t *reaped);
typedef int (*db_night_fn)(const struct db_night *n, void *data);
/* This host's nights of branch, oldest first; fn returning non-zero stops. */
int db_nights(struct db *db, const char *branch, db_night_fn fn, void *data);

/* The latest build of name: its state and reason ("" when none). -1 on error. */
int db_build_latest(struct db *db, const char *name, struct strbuf *state, struct strbuf *reason);
/* A run's state and reason. -1 on error or an unknown run. */
int db_run_state(struct db *db, long long run, struct strbuf *state, struct strbuf *reason);

struct db_change_point {
	long long id;
	const char *branch;
	long long job;
	const char *job_name, *metric, *unit;	/* job_name, unit: read back only */
	const char *kind;			/* exact | noisy */
	long long good_night, bad_night;	/* the last good night, the first bad one */
	double before, after;			/* the segments' means (NAN: none) */
	double magnitude, ci_lo, ci_hi;		/* noisy: a fraction; exact: after - before */
	double p;				/* noisy: the t-test's; NAN for exact */
	long long points;			/* the nights the decision used */
	const char *direction;			/* regression | improvement | changed */
	const char *state;			/* suspected | confirmed */
	/* read back only */
	const char *found_at, *good_commit, *good_subject, *bad_commit, *bad_subject;
	/* its latest bisection: "" when none; the culprit "" unless found */
	const char *bisect_state, *culprit, *culprit_subject;
	int verified;
};
/* Store cp unless the same step (branch, job, metric, first bad night) is; *id 0 then. */
int db_change_point_add(struct db *db, const struct db_change_point *cp, long long *id);
typedef int (*db_change_point_fn)(const struct db_change_point *cp, void *data);
/* This host's change points of branch, by first bad night. */
int db_change_points(struct db *db, const char *branch, db_change_point_fn fn, void *data);

/*
 * A change point's state set by hand (acked: a known regression;
 * false_positive): 1 when there is no such change point.
 */
int db_change_point_set_state(struct db *db, long long id, const char *state);
/*
 * A later step back: the regressions of branch's job and metric found
 * before night `before_night` whose value before the step is within tol of
 * value are marked fixed; how many in *fixed.
 */
int db_change_point_fix(struct db *db, const char *branch, long long job, const char *metric,
			double value, double tol, long long before_night, size_t *fixed);

typedef int (*db_branch_fn)(const char *branch, long long nights, long long measured,
			    const char *last, void *data);
/* The branches with nights on this host: how many, how many measured, the latest's start. */
int db_list_branches(struct db *db, db_branch_fn fn, void *data);

/* A change point's bisection (runner/nightly.h). */
struct db_bisect {
	long long change_point;
	const char *state;	/* found | ambiguous | budget | failed */
	const char *culprit, *subject, *author, *link;	/* NULL unless found */
	long long steps;
	int verified;		/* its parent measured good and it bad again */
	const char *log;	/* a line per step: commit, outcome, value */
};
/* Store b; a found culprit marks its change point bisected. */
int db_bisect_add(struct db *db, const struct db_bisect *b, long long *id);

#endif
