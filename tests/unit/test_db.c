// SPDX-License-Identifier: GPL-2.0-only
/* The results store against real SQLite files in a temporary directory. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collectors/sample.h"
#include "common/proc.h"
#include "common/strbuf.h"
#include "db/db.h"
#include "tests/tap.h"

static char dir[] = "/tmp/pinbench-test-db.XXXXXX";
static struct strbuf path_buf = STRBUF_INIT;

static const char *path_in(const char *name)
{
	strbuf_reset(&path_buf);
	strbuf_addf(&path_buf, "%s/%s", dir, name);
	return path_buf.buf;
}

/* --- stderr capture: error() prints, the tests read what it said ---------- */

static int saved_stderr = -1;

static void grab_stderr(void)
{
	int fd = open(path_in("stderr"), O_WRONLY | O_CREAT | O_TRUNC, 0600);

	fflush(stderr);
	saved_stderr = dup(2);
	dup2(fd, 2);
	close(fd);
}

/* Restores stderr and returns what was written meanwhile (owned by sb). */
static const char *release_stderr(struct strbuf *sb)
{
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	strbuf_reset(sb);
	strbuf_read_file(sb, path_in("stderr"), 1 << 20);
	return sb->buf;
}

/* --- plain SQL on the side, to check what the module stored --------------- */

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *sql = NULL;

	if (sqlite3_open_v2(path, &sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL))
		printf("# raw open of %s: %s\n", path, sqlite3_errmsg(sql));
	return sql;
}

/* First column of the first row as text ("(null)" for NULL, "(none)" without rows). */
static const char *raw_text(sqlite3 *sql, const char *query, long long arg, struct strbuf *sb)
{
	sqlite3_stmt *st;

	strbuf_reset(sb);
	if (sqlite3_prepare_v2(sql, query, -1, &st, NULL)) {
		strbuf_addf(sb, "(error: %s)", sqlite3_errmsg(sql));
		return sb->buf;
	}
	if (sqlite3_bind_parameter_count(st))
		sqlite3_bind_int64(st, 1, arg);
	if (sqlite3_step(st) != SQLITE_ROW)
		strbuf_addstr(sb, "(none)");
	else if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		strbuf_addstr(sb, "(null)");
	else
		strbuf_addstr(sb, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return sb->buf;
}

static long long raw_int(sqlite3 *sql, const char *query, long long arg)
{
	struct strbuf sb = STRBUF_INIT;
	long long v = atoll(raw_text(sql, query, arg, &sb));

	strbuf_release(&sb);
	return v;
}

static int raw_exec(sqlite3 *sql, const char *text)
{
	int rc = sqlite3_exec(sql, text, NULL, NULL, NULL);

	if (rc)
		printf("# raw exec '%s': %s\n", text, sqlite3_errmsg(sql));
	return rc;
}

/* --- fixtures ------------------------------------------------------------- */

struct ids {
	long long kernel, machine, job_a, job_b, run;
};

static const struct machine_info machine_a = {
	"fp-a", "box-a", "Xeon", 2, 4 << 20, "host", "[]",
};
static const struct kernel_info kernel_host = {
	"host", "running", NULL, NULL, NULL, NULL, "#1 SMP Debian", "6.1.0-18-amd64",
};

static struct job_row job(const char *hash, const char *name)
{
	struct job_row j = {
		hash, name, "{\"rw\":\"randread\"}", "vfat", "nvme0n1", "randread",
		4096, 1, 1, "psync", 1 << 26, 5,
	};

	return j;
}

static void test_open(const char *db_file)
{
	struct strbuf sb = STRBUF_INIT;
	struct db *db = NULL;
	sqlite3 *sql;

	is_int(db_open(db_file, &db), 0, "a new database opens");
	is_str(db ? db_path(db) : NULL, db_file, "db_path is the file");
	ok(access(db_file, F_OK) == 0, "the file was created");
	db_close(db);
	db = NULL;
	is_int(db_open(db_file, &db), 0, "and opens again (migrations are idempotent)");
	db_close(db);
	sql = raw_open(db_file);
	is_int(raw_int(sql, "PRAGMA user_version", 0), 11, "user_version is 11");
	is_str(raw_text(sql, "PRAGMA journal_mode", 0, &sb), "wal", "the journal is WAL");
	is_int(raw_int(sql, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
		       " AND name IN ('kernel', 'machine', 'job', 'run', 'rep', 'sample', 'metric')", 0),
	       7, "all seven tables exist");
	like(raw_text(sql, "SELECT sql FROM sqlite_schema WHERE name = 'sample'", 0, &sb),
	     "WITHOUT ROWID", "sample is a WITHOUT ROWID table");
	sqlite3_close(sql);
	strbuf_release(&sb);
}

static void test_get_or_add(struct db *db, struct ids *ids)
{
	struct machine_info m2 = machine_a;
	struct kernel_info k2 = kernel_host;
	struct strbuf err = STRBUF_INIT;
	struct job_row j;
	long long id = -1, again = -2;

	is_int(db_machine_get_or_add(db, &machine_a, &ids->machine), 0, "machine added");
	db_machine_get_or_add(db, &machine_a, &id);
	is_int(id, ids->machine, "the same machine gets the same id");
	m2.fingerprint = "fp-b";
	db_machine_get_or_add(db, &m2, &id);
	ok(id != ids->machine && id > 0, "another fingerprint, another machine");
	m2.fingerprint = NULL;
	grab_stderr();
	ok(db_machine_get_or_add(db, &m2, &id) < 0, "a machine without fingerprint is refused");
	like(release_stderr(&err), "machine 'box-a' has no fingerprint", "and says so");

	is_int(db_kernel_get_or_add(db, &kernel_host, &ids->kernel), 0, "kernel added");
	k2.ref = "ignored-for-identity";
	db_kernel_get_or_add(db, &k2, &id);
	is_int(id, ids->kernel, "the same kernel (NULL build sha both times) gets the same id");
	k2.build_sha = "abc123";
	db_kernel_get_or_add(db, &k2, &id);
	ok(id != ids->kernel, "a different build sha is a different kernel");
	db_kernel_get_or_add(db, &k2, &again);
	is_int(again, id, "and finding it again gives its id");
	is_int(db_kernel_set_version(db, id, "Linux version 6.1.0 #1 SMP"), 0,
	       "a built kernel's version is recorded when it first boots");
	db_kernel_get_or_add(db, &k2, &again);
	is_int(again, id, "asked for again without a version (before its next boot), it is found");

	j = job("hash-a", "randread-4k@scratch:vfat");
	is_int(db_job_get_or_add(db, &j, &ids->job_a), 0, "job a added");
	/* a job name with a comma and a quote, for the CSV export */
	j = job("hash-b", "write-128k,\"odd\"");
	db_job_get_or_add(db, &j, &ids->job_b);
	ok(ids->job_b != ids->job_a, "another hash, another job");
	db_job_get_or_add(db, &j, &id);
	is_int(id, ids->job_b, "the same hash, the same job");
	strbuf_release(&err);
}

static void make_set(struct sample_set *set, double iops, double pins)
{
	sample_set_add(set, "fio.read.iops", iops, "IO/s");
	sample_set_add(set, "vmstat.nr_foll_pin_released", pins, "pages");
	sample_set_add_unavailable(set, "perf.task_clock", "ms");
}

static void test_store(struct db *db, const char *db_file, struct ids *ids)
{
	struct sample_set set = SAMPLE_SET_INIT;
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	char host[256] = "";
	sqlite3 *sql = raw_open(db_file);

	is_int(db_run_begin(db, ids->kernel, ids->machine, "host", "pinbench run",
			    "[run]\n", &ids->run), 0, "run begun");
	is_int(db_run_exists(db, ids->run), 1, "the run exists");
	is_int(db_run_exists(db, ids->run + 1000), 0, "another does not");
	is_str(raw_text(sql, "SELECT state FROM run WHERE id = ?", ids->run, &sb), "running",
	       "a new run is running");
	is_int(raw_int(sql, "SELECT pid FROM run WHERE id = ?", ids->run), getpid(),
	       "the run records our pid");
	gethostname(host, sizeof(host) - 1);
	is_str(raw_text(sql, "SELECT host FROM run WHERE id = ?", ids->run, &sb), host,
	       "and our host name");
	like(raw_text(sql, "SELECT started FROM run WHERE id = ?", ids->run, &sb), "T",
	     "started is ISO-8601");
	ok(sb.len == 20 && sb.buf[19] == 'Z', "in UTC");

	make_set(&set, 1234.5, 4096);
	is_int(db_rep_store(db, ids->run, ids->job_a, 1, &set), 0, "repetition 1 stored");
	is_int(raw_int(sql, "SELECT count(*) FROM sample WHERE run = ?", ids->run), 3,
	       "three samples stored");
	is_str(raw_text(sql, "SELECT value FROM sample WHERE metric = 'fio.read.iops' AND run = ?",
			ids->run, &sb), "1234.5", "the value is there");
	is_str(raw_text(sql, "SELECT unit FROM sample WHERE metric = 'fio.read.iops' AND run = ?",
			ids->run, &sb), "IO/s", "with its unit");
	is_str(raw_text(sql, "SELECT value FROM sample WHERE metric = 'perf.task_clock' AND run = ?",
			ids->run, &sb), "(null)", "an unavailable value is NULL, not 0");
	is_str(raw_text(sql, "SELECT status FROM rep WHERE run = ?", ids->run, &sb), "ok",
	       "the repetition is ok");
	is_int(raw_int(sql, "SELECT better FROM metric WHERE name = 'fio.read.iops'", 0), 1,
	       "iops: higher is better");
	is_int(raw_int(sql, "SELECT better FROM metric WHERE name = 'perf.task_clock'", 0), 0,
	       "task clock over a fixed runtime: neither (it falls when the I/O slows)");
	is_str(raw_text(sql, "SELECT unit FROM metric WHERE name = 'vmstat.nr_foll_pin_released'",
			0, &sb), "pages", "the metric table has the unit");

	/* the same repetition again: refused, the first one left as it was */
	sample_set_clear(&set);
	make_set(&set, 1.0, 1.0);
	grab_stderr();
	is_int(db_rep_store(db, ids->run, ids->job_a, 1, &set), -1, "a repetition stored twice fails");
	like(release_stderr(&err), db_file, "the error names the database");
	like(err.buf, "UNIQUE", "and says what sqlite said");
	is_str(raw_text(sql, "SELECT value FROM sample WHERE metric = 'fio.read.iops' AND run = ?",
			ids->run, &sb), "1234.5", "the first repetition is intact");
	is_int(raw_int(sql, "SELECT count(*) FROM sample WHERE run = ?", ids->run), 3,
	       "no sample was added");
	sample_set_clear(&set);
	sqlite3_close(sql);
	strbuf_release(&sb);
	strbuf_release(&err);
}

/* A failure after the rep row and some samples were written must undo them all. */
static void test_atomic(struct db *db, const char *db_file, struct ids *ids)
{
	struct sample_set set = SAMPLE_SET_INIT;
	struct strbuf err = STRBUF_INIT;
	sqlite3 *sql = raw_open(db_file);

	sample_set_add(&set, "fio.write.iops", 10, "IO/s");
	sample_set_add(&set, "new.metric", 1, "x");
	sample_set_add(&set, "fio.write.bw_bytes", 20, "B/s");
	/* sample_set_add would replace it: make the duplicate by hand */
	free(set.v[2].metric);
	set.v[2].metric = xstrdup("fio.write.iops");
	grab_stderr();
	is_int(db_rep_store(db, ids->run, ids->job_a, 2, &set), -1,
	       "a repetition whose third sample fails is refused");
	release_stderr(&err);
	is_int(raw_int(sql, "SELECT count(*) FROM rep WHERE run = ? AND rep = 2", ids->run), 0,
	       "no repetition row is left behind");
	is_int(raw_int(sql, "SELECT count(*) FROM sample WHERE run = ? AND rep = 2", ids->run), 0,
	       "no sample is left behind");
	is_int(raw_int(sql, "SELECT count(*) FROM metric WHERE name = 'new.metric'", 0), 0,
	       "nor the metric catalogued in that transaction");
	free(set.v[2].metric);
	set.v[2].metric = xstrdup("fio.write.bw_bytes");
	is_int(db_rep_store(db, ids->run, ids->job_a, 2, &set), 0, "fixed, it is stored");
	is_int(raw_int(sql, "SELECT count(*) FROM metric WHERE name = 'new.metric'", 0), 1,
	       "and its new metric is catalogued after all");
	grab_stderr();
	is_int(db_rep_store(db, ids->run + 1000, ids->job_a, 1, &set), -1,
	       "a repetition of a run that does not exist is refused");
	like(release_stderr(&err), "FOREIGN KEY", "by the foreign key");
	sample_set_clear(&set);
	sqlite3_close(sql);
	strbuf_release(&err);
}

static int collect_series(const struct db_series *s, void *data)
{
	struct strbuf *sb = data;
	size_t i;

	strbuf_addf(sb, "%s|%s|%s|%zu|%zu|", s->job_name, s->metric, s->unit, s->n,
		    s->n_unavailable);
	for (i = 0; i < s->n; i++)
		strbuf_addf(sb, "%s%g", i ? "," : "", s->values[i]);
	strbuf_addch(sb, '\n');
	return 0;
}

static int stop_series(const struct db_series *s, void *data)
{
	(void)s;
	++*(int *)data;
	return 42;
}

static int collect_failure(const char *job_name, int rep, const char *message, void *data)
{
	strbuf_addf(data, "%s|%d|%s\n", job_name, rep, message);
	return 0;
}

static void test_series(struct db *db, struct ids *ids, long long *run2)
{
	static const double iops[] = { 300, 100, 200 };
	struct sample_set set = SAMPLE_SET_INIT;
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	int i, calls = 0;

	db_run_begin(db, ids->kernel, ids->machine, "qemu", NULL, NULL, run2);
	/* rep 0 is the profile pass: never part of a series */
	sample_set_add(&set, "fio.read.iops", 99999, "IO/s");
	db_rep_store(db, *run2, ids->job_b, 0, &set);
	for (i = 0; i < 3; i++) {
		sample_set_clear(&set);
		sample_set_add(&set, "fio.read.iops", iops[i], "IO/s");
		if (i == 1)
			sample_set_add_unavailable(&set, "pin.released_per_io", "pins/IO");
		else
			sample_set_add(&set, "pin.released_per_io", 3 - i, "pins/IO");
		db_rep_store(db, *run2, ids->job_b, i + 1, &set);
		db_rep_store(db, *run2, ids->job_a, i + 1, &set);
	}
	db_rep_failed(db, *run2, ids->job_a, 4, "fio: exit status 1\nio_u error");
	is_int(db_run_series(db, *run2, collect_series, &sb), 0, "series read");
	is_str(sb.buf,
	       "randread-4k@scratch:vfat|fio.read.iops|IO/s|3|0|100,200,300\n"
	       "randread-4k@scratch:vfat|pin.released_per_io|pins/IO|2|1|1,3\n"
	       "write-128k,\"odd\"|fio.read.iops|IO/s|3|0|100,200,300\n"
	       "write-128k,\"odd\"|pin.released_per_io|pins/IO|2|1|1,3\n",
	       "grouped per job and metric, sorted, unavailable counted, rep 0 left out");
	is_int(db_run_series(db, *run2, stop_series, &calls), 42, "a callback can stop the walk");
	is_int(calls, 1, "after one call");
	grab_stderr();
	is_int(db_run_series(db, 4242, collect_series, &sb), -1, "no series of a missing run");
	like(release_stderr(&err), "no run 4242 in '", "and it says so");

	strbuf_reset(&sb);
	is_int(db_run_failures(db, *run2, collect_failure, &sb), 0, "failures read");
	is_str(sb.buf, "randread-4k@scratch:vfat|4|fio: exit status 1\nio_u error\n",
	       "the failed repetition with its job and message");
	sample_set_clear(&set);
	strbuf_release(&sb);
	strbuf_release(&err);
}

static char *capture(struct db *db, int (*fn)(struct db *, long long, FILE *), long long run,
		     int *ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	*ret = fn(db, run, f);
	fclose(f);
	return buf;
}

/* The line at s with runs of blanks squeezed to one. */
static const char *squeeze(const char *s, struct strbuf *sb)
{
	strbuf_reset(sb);
	for (s = s ? s + 1 : ""; *s && *s != '\n'; s++)
		if (*s != ' ' || (sb->len && sb->buf[sb->len - 1] != ' '))
			strbuf_addch(sb, *s);
	strbuf_addch(sb, '\n');
	return sb->buf;
}

static int list_runs(struct db *db, long long run, FILE *out)
{
	(void)run;
	return db_list_runs(db, out);
}

static void test_finish_and_show(struct db *db, struct ids *ids, long long run2)
{
	struct strbuf err = STRBUF_INIT;
	char *text, *line;
	int ret;

	is_int(db_run_finish(db, ids->run, "done", NULL), 0, "run finished");
	grab_stderr();
	is_int(db_run_finish(db, ids->run, "running", NULL), -1, "'running' is not an end state");
	is_int(db_run_finish(db, 4242, "done", NULL), -1, "a missing run cannot finish");
	like(release_stderr(&err), "no run 4242", "and the error says which");
	is_int(db_run_finish(db, run2, "exploded", NULL), -1, "an unknown state is refused");
	db_run_finish(db, run2, "boot_failed", "boot timed out after 60 s\nsecond line");
	is_int(db_run_set_log(db, run2, "/var/log/pinbench/run-2"), 0, "the log directory is set");
	is_int(db_flag_add(db, run2, ids->job_a, "not_legacy_dio", "no call"), 0, "a flag is stored");

	text = capture(db, db_show_run_header, run2, &ret);
	is_int(ret, 0, "run header shown");
	like(text, "logs: /var/log/pinbench/run-2\n", "the log directory is shown");
	like(text, "state: boot_failed\nreason: boot timed out after 60 s second line\n",
	     "state and reason, on one line each");
	like(text, "kernel: host 6.1.0-18-amd64 (running)\n", "kernel line");
	like(text, "machine: box-a (host, Xeon, 2 cores, 4096 MiB)\n", "machine line");
	like(text, "target: qemu\n", "target line");
	like(text, "finished: 20", "finished time");
	like(text, "command: -\n", "no command recorded");
	free(text);

	text = capture(db, list_runs, 0, &ret);
	is_int(ret, 0, "runs listed");
	like(text, "RUN  STARTED", "a header row");
	line = strstr(text, "\n1  ");
	ok(line != NULL, "run 1 on its own line");
	like(line, "  done         host    host 6.1.0-18-amd64  box-a",
	     "state, target, kernel, machine");
	ok(line && strstr(text, "STATE") - text == strstr(line, "done") - line - 1 && !strstr(text, " \n"),
	   "columns are aligned, no trailing blanks");
	line = strstr(text, "\n2  ");
	ok(line && strstr(text, "\n1  ") < line, "newest last");
	like(squeeze(line, &err), " boot timed out after 60 s\n",
	     "a failed run shows the first line of its reason");
	like(err.buf, " boot_failed qemu host 6.1.0-18-amd64 box-a 2 7 1 13 boot",
	     "run 2: jobs, ok and failed repetitions, samples");
	free(text);
	strbuf_release(&err);
}

static void test_export_json(struct db *db, struct ids *ids, long long run2)
{
	char *buf = NULL;
	size_t len = 0, i, nulls = 0;
	FILE *f = open_memstream(&buf, &len);
	json_error_t jerr;
	json_t *arr, *o;

	is_int(db_export(db, ids->run, DB_FORMAT_JSON, f), 0, "json export");
	fclose(f);
	arr = json_loadb(buf, len, 0, &jerr);
	ok(json_is_array(arr), "the export is a JSON array");
	is_int(json_array_size(arr), 6, "one object per sample of the run");
	o = json_array_get(arr, 0);
	is_int(json_integer_value(json_object_get(o, "run")), ids->run, "run field");
	is_str(json_string_value(json_object_get(o, "job")), "randread-4k@scratch:vfat", "job field");
	is_int(json_integer_value(json_object_get(o, "job_id")), ids->job_a, "job_id field");
	is_int(json_integer_value(json_object_get(o, "rep")), 1, "rep field");
	is_str(json_string_value(json_object_get(o, "metric")), "fio.read.iops",
	       "metrics in order");
	is_double(json_number_value(json_object_get(o, "value")), 1234.5, 1e-9, "value field");
	is_str(json_string_value(json_object_get(o, "unit")), "IO/s", "unit field");
	json_array_foreach(arr, i, o)
		nulls += json_is_null(json_object_get(o, "value"));
	is_int(nulls, 1, "the unavailable value is null");
	json_decref(arr);
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	db_export(db, 0, DB_FORMAT_JSON, f);
	fclose(f);
	arr = json_loadb(buf, len, 0, &jerr);
	is_int(json_array_size(arr), 6 + 13, "run 0 exports every run");
	o = json_array_get(arr, json_array_size(arr) - 1);
	is_int(json_integer_value(json_object_get(o, "run")), run2, "ordered by run");
	json_decref(arr);
	free(buf);
}

static void test_export_csv(struct db *db, long long run2)
{
	struct strbuf err = STRBUF_INIT;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	is_int(db_export(db, run2, DB_FORMAT_CSV, f), 0, "csv export");
	fclose(f);
	ok(starts_with(buf, "run,job,rep,metric,value,unit\n"), "csv header");
	like(buf, "\n2,randread-4k@scratch:vfat,1,fio.read.iops,300,IO/s\n", "a plain row");
	like(buf, "\n2,randread-4k@scratch:vfat,2,pin.released_per_io,,pins/IO\n",
	     "unavailable is an empty field");
	like(buf, "\n2,\"write-128k,\"\"odd\"\"\",0,fio.read.iops,99999,IO/s\n",
	     "a job name with a comma and quotes is quoted (RFC 4180)");
	free(buf);

	f = fopen("/dev/null", "w");
	grab_stderr();
	is_int(db_export(db, 4242, DB_FORMAT_CSV, f), -1, "no export of a missing run");
	like(release_stderr(&err), "no run 4242 in '", "error: no run N in 'PATH'");
	fclose(f);
	strbuf_release(&err);
}

/*
 * A process that has exited: forked first thing in main(), before anything
 * is allocated, so that valgrind has no leak of the child's to report.
 */
static pid_t dead_pid(void)
{
	pid_t child = fork();

	if (!child)
		_exit(0);
	if (child > 0)
		waitpid(child, NULL, 0);
	return child;
}

/* Set a run's pid and start time as if that process had begun it. */
static void set_run_process(sqlite3 *sql, long long run, long long pid, long long start)
{
	sqlite3_stmt *st;

	sqlite3_prepare_v2(sql, "UPDATE run SET pid = ?2, pid_start = ?3 WHERE id = ?1", -1, &st,
			   NULL);
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, pid);
	sqlite3_bind_int64(st, 3, start);
	sqlite3_step(st);
	sqlite3_finalize(st);
}

static void test_reap(struct db *db, const char *db_file, struct ids *ids, pid_t child)
{
	struct strbuf sb = STRBUF_INIT, want = STRBUF_INIT;
	sqlite3 *sql = raw_open(db_file);
	long long gone, mine, other, reused, mine_before;
	unsigned long long our_start = 0, parent_start = 0;

	ok(child > 0, "a child ran and exited");
	ok(!proc_start_time(getpid(), &our_start), "our start time is readable");
	ok(!proc_start_time(getppid(), &parent_start), "our parent's start time is readable");
	db_run_begin(db, ids->kernel, ids->machine, "host", NULL, NULL, &gone);
	db_run_begin(db, ids->kernel, ids->machine, "host", NULL, NULL, &mine);
	db_run_begin(db, ids->kernel, ids->machine, "host", NULL, NULL, &other);
	db_run_begin(db, ids->kernel, ids->machine, "host", NULL, NULL, &reused);
	db_run_begin(db, ids->kernel, ids->machine, "host", NULL, NULL, &mine_before);
	is_int(raw_int(sql, "SELECT pid_start FROM run WHERE id = ?", mine), (long long)our_start,
	       "a run stores its process's start time");
	set_run_process(sql, gone, child, (long long)our_start);
	/* alive: our parent */
	set_run_process(sql, other, getppid(), (long long)parent_start);
	/* alive pid, but not the process that began the run: the pid was reused */
	set_run_process(sql, reused, getppid(), (long long)parent_start + 1);
	/* our pid, from an earlier process that had it */
	set_run_process(sql, mine_before, getpid(), (long long)our_start - 1);

	is_int(db_reap_abandoned(db), 3, "three abandoned runs reaped");
	is_str(raw_text(sql, "SELECT state FROM run WHERE id = ?", gone, &sb), "failed",
	       "the run of a dead process is failed");
	strbuf_addf(&want, "abandoned: process %d is gone (killed or crashed)", (int)child);
	is_str(raw_text(sql, "SELECT reason FROM run WHERE id = ?", gone, &sb), want.buf,
	       "with the reason");
	is_str(raw_text(sql, "SELECT state FROM run WHERE id = ?", reused, &sb), "failed",
	       "a live pid with another start time is reaped (pid reused)");
	is_str(raw_text(sql, "SELECT state FROM run WHERE id = ?", mine_before, &sb), "failed",
	       "our own pid with another start time is reaped");
	is_str(raw_text(sql, "SELECT state FROM run WHERE id = ?", mine, &sb), "running",
	       "our own run (our pid and start time) is left alone");
	is_str(raw_text(sql, "SELECT state FROM run WHERE id = ?", other, &sb), "running",
	       "a live process's run (its pid and start time) is left alone");
	is_int(db_reap_abandoned(db), 0, "nothing left to reap");
	sqlite3_close(sql);
	strbuf_release(&sb);
	strbuf_release(&want);
}

static void test_proc_start_time(void)
{
	unsigned long long t = 0;

	/* a command with spaces and parentheses must not shift the fields */
	ok(!proc_parse_start_time("4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 "
				  "20 0 1 0 987654321 1000 100 18446744073709551615", &t),
	   "stat with ') ' in the command parses");
	is_int((long long)t, 987654321LL, "field 22 is the start time");
	ok(proc_parse_start_time("4242 (short) S 1 2 3", &t), "a cut stat is refused");
	ok(proc_start_time(getpid(), &t) == 0 && t > 0, "our own start time");
}

struct build_rows {
	int n;
	char names[4][32];
	char patches[4][128];
	char ids[4][128];
};

static int collect_build(const struct db_build_row *r, void *data)
{
	struct build_rows *rows = data;

	if (rows->n < 4) {
		snprintf(rows->names[rows->n], 32, "%s", r->name);
		snprintf(rows->patches[rows->n], 128, "%s", r->patches);
		snprintf(rows->ids[rows->n], 128, "%s", r->message_ids);
	}
	rows->n++;
	return 0;
}

static void test_builds(struct db *db, const char *db_file, pid_t dead)
{
	struct db_build b = { "patched", "k1", "deb:linux-source-6.12", "deb:... 1", "tinyconfig",
			      "qemu.config", 0 };
	struct db_build_patch cover = { 0, "fs: the series", "A <a@x>", "c@x", NULL, "s0", "m", "l@x" };
	struct db_build_patch p1 = { 1, "fs: one", "A <a@x>", "1@x", "c@x", "s1", "m", NULL };
	struct db_build_patch p2 = { 2, "fs: two", "A <a@x>", "2@x", "c@x", "s2", "m", NULL };
	struct db_build_result done = { "done", NULL, "6.12.117", "cfg", "/cache/a/k1", "/l",
					 3, 12.5, 1 << 20 };
	struct db_build_result failed = { "failed", "make bzImage failed", NULL, NULL, NULL, "/l",
					   -1, 1.0, -1 };
	struct build_rows rows = { 0 };
	long long id, id2, id3;
	sqlite3 *sql;

	is_int(db_build_begin(db, &b, &id), 0, "a build is recorded");
	ok(!db_build_add_patch(db, id, &cover) && !db_build_add_patch(db, id, &p2) &&
	   !db_build_add_patch(db, id, &p1), "its cover letter and patches too");
	is_int(db_build_known(db, "patched", "k1"), 0, "a build in progress is not known yet");
	is_int(db_build_finish(db, id, &done), 0, "the build finishes");
	is_int(db_build_known(db, "patched", "k1"), 1, "then it is known by name and key");
	is_int(db_build_known(db, "other", "k1"), 0, "not under another name");
	b.key = "k2";
	db_build_begin(db, &b, &id2);
	db_build_finish(db, id2, &failed);
	is_int(db_build_known(db, "patched", "k2"), 0, "a failed build is never known");
	b.name = "baseline";
	b.key = "k0";
	db_build_begin(db, &b, &id3);
	db_build_finish(db, id3, &done);
	is_int(db_list_builds(db, collect_build, &rows), 0, "builds list");
	is_int(rows.n, 2, "one row per name: the latest done build");
	is_str(rows.names[0], "baseline", "ordered by name");
	is_str(rows.patches[1], "fs: one\x1f" "fs: two", "patches in order, cover letter left out");
	is_str(rows.ids[1], "1@x\x1f" "2@x", "their Message-IDs in the same order");
	{
		struct strbuf sb = STRBUF_INIT;

		sql = raw_open(db_file);
		is_str(raw_text(sql, "SELECT group_concat(coalesce(recipients, '-'), ' ') FROM"
				" (SELECT recipients FROM build_patch WHERE build = ?1 ORDER BY seq)",
				id, &sb), "l@x - -", "whom each patch mail went to is kept");
		sqlite3_close(sql);
		strbuf_release(&sb);
	}

	/* a build whose process died is reaped */
	sql = raw_open(db_file);
	raw_exec(sql, "INSERT INTO build (name, key, source, identity, state, host, pid)"
		 " SELECT 'ghost', 'k9', 's', 'i', 'building', host, pid FROM build LIMIT 1");
	sqlite3_close(sql);
	sql = raw_open(db_file);
	{
		char stmt[160];

		snprintf(stmt, sizeof(stmt), "UPDATE build SET pid = %d WHERE name = 'ghost'",
			 (int)dead);
		raw_exec(sql, stmt);
	}
	sqlite3_close(sql);
	is_int(db_reap_abandoned_builds(db), 1, "a build whose process is gone is reaped");
	sql = raw_open(db_file);
	is_int(raw_int(sql, "SELECT state = 'failed' AND reason LIKE 'abandoned%' FROM build"
		       " WHERE name = 'ghost'", 0), 1, "marked failed, abandoned");
	sqlite3_close(sql);
	is_int(db_reap_abandoned_builds(db), 0, "and only once");

	/* a live pid with another start time was reused: the build is abandoned */
	sql = raw_open(db_file);
	raw_exec(sql, "INSERT INTO build (name, key, source, identity, state, host, pid, pid_start)"
		 " SELECT 'reused', 'k10', 's', 'i', 'building', host, pid, pid_start + 1"
		 " FROM build WHERE pid_start IS NOT NULL LIMIT 1");
	raw_exec(sql, "INSERT INTO build (name, key, source, identity, state, host, pid, pid_start)"
		 " SELECT 'alive', 'k11', 's', 'i', 'building', host, pid, pid_start"
		 " FROM build WHERE pid_start IS NOT NULL LIMIT 1");
	is_int(raw_int(sql, "SELECT count(*) FROM build WHERE name IN ('reused', 'alive')", 0), 2,
	       "builds record their process's start time");
	sqlite3_close(sql);
	is_int(db_reap_abandoned_builds(db), 1, "a build of a reused pid is reaped, ours is not");
	sql = raw_open(db_file);
	is_int(raw_int(sql, "SELECT state = 'failed' FROM build WHERE name = 'reused'", 0), 1,
	       "the reused pid's build is failed");
	is_int(raw_int(sql, "SELECT state = 'building' FROM build WHERE name = 'alive'", 0), 1,
	       "the live build is left alone");
	sqlite3_close(sql);
}

static void test_newer_schema(void)
{
	const char *file = xstrdup(path_in("new.db"));
	struct strbuf err = STRBUF_INIT;
	struct db *db = NULL;
	sqlite3 *sql;

	db_open(file, &db);
	db_close(db);
	db = NULL;
	sql = raw_open(file);
	raw_exec(sql, "PRAGMA user_version = 99");
	sqlite3_close(sql);
	grab_stderr();
	is_int(db_open(file, &db), -1, "a newer schema is refused");
	ok(db == NULL, "and no handle is returned");
	like(release_stderr(&err), "has schema version 99, this pinbench knows up to 11",
	     "the error gives both versions");
	like(err.buf, file, "and names the file");
	free((char *)file);
	strbuf_release(&err);
}

static void test_not_a_database(void)
{
	static const char text[] = "this is a config file, not a database\n[run]\nreps = 5\n";
	const char *file = xstrdup(path_in("notes.txt"));
	struct strbuf err = STRBUF_INIT, after = STRBUF_INIT;
	struct db *db = NULL;
	FILE *f = fopen(file, "w");
	sqlite3 *sql;

	fputs(text, f);
	fclose(f);
	grab_stderr();
	is_int(db_open(file, &db), -1, "a text file is refused");
	like(release_stderr(&err), "file is not a database", "with sqlite's reason");
	like(err.buf, file, "naming the file");
	strbuf_read_file(&after, file, 1 << 20);
	is_str(after.buf, text, "the text file is unchanged");
	ok(access(path_in("notes.txt-wal"), F_OK), "and no WAL file appeared next to it");

	/* a database of somebody else: tables but no version */
	sql = raw_open(path_in("other.db"));
	raw_exec(sql, "CREATE TABLE kernel (x); INSERT INTO kernel VALUES (1)");
	sqlite3_close(sql);
	grab_stderr();
	is_int(db_open(path_in("other.db"), &db), -1, "a foreign sqlite database is refused");
	like(release_stderr(&err), "not a pinbench database", "as not ours");

	grab_stderr();
	is_int(db_open("/nonexistent-dir/pinbench.db", &db), -1, "an unwritable path fails");
	like(release_stderr(&err), "cannot open database '/nonexistent-dir/pinbench.db'",
	     "naming the path");
	free((char *)file);
	strbuf_release(&err);
	strbuf_release(&after);
}

static void test_locked(void)
{
	const char *file = xstrdup(path_in("locked.db"));
	struct strbuf err = STRBUF_INIT;
	struct db *db = NULL;
	sqlite3 *sql = raw_open(file);

	/* a rollback-journal database held by another writer: nobody can even read */
	raw_exec(sql, "CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1)");
	grab_stderr();
	is_int(db_open(file, &db), -1, "a database locked past the busy timeout fails");
	like(release_stderr(&err), "locked", "and says it is locked");
	like(err.buf, file, "naming the file");
	raw_exec(sql, "ROLLBACK");
	sqlite3_close(sql);
	free((char *)file);
	strbuf_release(&err);
}

static void cleanup(void)
{
	static const char *const names[] = {
		"t.db", "t.db-wal", "t.db-shm", "new.db", "new.db-wal", "new.db-shm",
		"notes.txt", "other.db", "other.db-wal", "other.db-shm", "locked.db",
		"locked.db-wal", "locked.db-shm", "locked.db-journal", "stderr",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(path_in(names[i]));
	ok(rmdir(dir) == 0, "temporary directory removed");
}

int main(void)
{
	pid_t child = dead_pid();
	struct ids ids = { 0 };
	struct db *db = NULL;
	long long run2 = 0;
	char *db_file;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	db_file = xstrdup(path_in("t.db"));
	test_open(db_file);
	if (db_open(db_file, &db))
		return 1;
	test_get_or_add(db, &ids);
	test_store(db, db_file, &ids);
	test_atomic(db, db_file, &ids);
	test_series(db, &ids, &run2);
	test_finish_and_show(db, &ids, run2);
	test_export_json(db, &ids, run2);
	test_export_csv(db, run2);
	test_reap(db, db_file, &ids, child);
	test_proc_start_time();
	test_builds(db, db_file, child);
	db_close(db);
	test_newer_schema();
	test_not_a_database();
	test_locked();
	free(db_file);
	cleanup();
	strbuf_release(&path_buf);
	return done_testing();
}
