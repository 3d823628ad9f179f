// SPDX-License-Identifier: GPL-2.0-only
/*
 * The qemu target: build (or take from the cache) each kernel, boot it in
 * QEMU with the configured disks, let `pinbench agent` run the matrix
 * inside it, and store what the agent's bundle says while the guest runs.
 * Several kernels' boots interleave A B A B ... so that drift on the host
 * hits every kernel alike; each kernel's results are a run of its own.
 *
 * How a boot can end, and the run state it leaves:
 *   the agent's "end" record with state done     -> the boot counts
 *   "Kernel panic" on the console (oops=panic)    -> panicked
 *   no agent hello within boot_timeout            -> boot_failed
 *   no record for too long, or run_timeout passed -> hung (QEMU is killed)
 *   the agent failed or vanished                  -> agent_failed
 * Repetitions stored before a failure stay stored.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "common/spawn.h"
#include "db/db.h"
#include "kernels/build.h"
#include "reports/noise.h"
#include "reports/pinbalance.h"
#include "reports/summary.h"
#include "runner/bundle.h"
#include "runner/cost.h"
#include "runner/guestroot.h"
#include "runner/host.h"
#include "runner/initramfs.h"
#include "runner/machine.h"
#include "runner/qemu.h"
#include "runner/run.h"

/* Serial numbers are at most 20 characters for both NVMe and ATA. */
#define SERIAL_PREFIX "pb-"
#define SERIAL_MAX 20

struct qemu_kernel {
	const char *name;
	const char *section;		/* its [kernel SECTION] */
	const struct strvec *patches;	/* on top of the section's, or NULL */
	struct kernel_artifact art;
	long long kernel_id, run;
	char *log_dir;
	const char *state;	/* a failure state, NULL while all is well */
	struct strbuf reason;
	size_t reps_done, reps_failed;
};

struct qemu_run {
	struct cli *cli;
	const struct config *cfg;
	struct db *db;
	struct qemu_kernel *k;
	size_t nk;
	struct matrix m;
	long long *job_ids;
	struct qemu_disk *disks;
	size_t ndisks;
	struct safe_device *passthrough;	/* checked host devices, by disk index */
	struct strvec filesystems;
	struct strvec probes;		/* $PINBENCH_GUEST_PROBE: paths the agent tries to read */
	const struct strvec *only_jobs;	/* run_options.only_jobs: the agent's matrix narrowed too */
	char *work, *initrd, *agent, *config_file, *tree;
	const char *run_as;		/* QEMU's -runas, NULL when it keeps our user */
	double noise_threshold;		/* run_options' */
	const char *accel;
	char *plugin;			/* the counting plugin; NULL: no TCG counting boots */
	int count_pmu;			/* KVM: counting boots under perf stat in the guest */
	unsigned reps, boots;
	int boots_given;		/* --boots: never changed */
	double to_agent;		/* seconds from starting QEMU to the agent, over the boots */
	size_t reps_total, reps_seen;
	time_t started;
};

/* --- one boot ---------------------------------------------------------------- */

struct boot {
	struct qemu_run *qr;
	struct qemu_kernel *k;
	unsigned index, first_rep, last_rep;
	struct child *c;
	struct console_scan cs;
	FILE *log;
	struct bundle_reader br;
	struct bundle_expect expect;
	struct bundle_order order;
	unsigned char *seen;		/* per job, per repetition first_rep-1..last_rep: stored */
	int hello, ended, refused;
	struct strbuf end_state, end_reason;
	double t0, last_record;
	unsigned idle_timeout, run_timeout;
	const char *stop_state;		/* why we stopped QEMU ourselves */
	struct strbuf stop_reason;
	struct counting *count;		/* a counting boot (runner/cost.h), else NULL */
	double agent_exit;		/* when the console said the agent exited, 0 before */
};

/*
 * Seconds the guest gets to power off once its agent has exited: a guest
 * that hangs on its way down (seen under TCG) has handed back everything.
 */
#define POWEROFF_GRACE_S 20

/* A counting boot's own state: its plugin files and the repetitions it holds back. */
struct counting_rep {
	long long job_id;
	const struct job_spec *job;
	unsigned rep;
	struct sample_set samples;
};

struct counting {
	int pmu;			/* perf stat in the guest, no plugin: the rows come made */
	uint64_t marker;
	char *dir;			/* private: the guest never sees the plugin's files */
	char *ranges, *out, *plugin_arg;
	struct cost_plan plan;
	struct counting_rep *reps;
	size_t nr, alloc;
	long long agent_marks;		/* from the agent's end record, -1: none */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void stop_boot(struct boot *b, const char *state, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void stop_boot(struct boot *b, const char *state, const char *fmt, ...)
{
	va_list ap;

	if (b->stop_state)
		return;
	b->stop_state = state;
	va_start(ap, fmt);
	strbuf_vaddf(&b->stop_reason, fmt, ap);
	va_end(ap);
	b->c->stop = 1;
}

static void rep_progress(struct boot *b, const struct job_spec *job, unsigned rep,
			 const struct sample_set *s, const char *failure)
{
	struct strbuf line = STRBUF_INIT;
	const struct sample *pins = s ? sample_set_find(s, "pin.released_per_io") : NULL;

	strbuf_addf(&line, "[%zu/%zu] %s %s rep %u: ", b->qr->reps_seen, b->qr->reps_total,
		    b->k->name, job->name, rep);
	if (failure) {
		strbuf_addf(&line, "failed (%s)", failure);
	} else {
		const struct sample *leaked = sample_set_find(s, "case.leaked_pages");

		strbuf_addf(&line, "%.0f IOPS", sample_set_value(s, "fio.read.iops", 0) +
			    sample_set_value(s, "fio.write.iops", 0) +
			    sample_set_value(s, "case.iops", 0));
		if (pins && pins->available)
			strbuf_addf(&line, ", %.2f pins released/IO", pins->value);
		if (leaked && leaked->available && leaked->value > 0)
			strbuf_addf(&line, ", %.0f pages still pinned", leaked->value);
	}
	strbuf_addstr(&line, ", ");
	exec_eta(b->qr->started, b->qr->reps_seen, b->qr->reps_total, &line);
	info("%s", line.buf);
	strbuf_release(&line);
}

/* The database id of the job a record names (checked already: one of ours). */
static long long job_id_of(struct boot *b, const char *hash, const struct job_spec **job)
{
	*job = matrix_find(&b->qr->m, hash);
	return *job ? b->qr->job_ids[*job - b->qr->m.jobs] : 0;
}

static int job_known(const char *hash, void *data)
{
	const struct boot *b = data;

	return matrix_find(&b->qr->m, hash) != NULL;
}

/* Refuse a record: nothing more from this boot is stored, QEMU is stopped. */
static int refuse_record(struct boot *b, unsigned line, const char *why)
{
	b->refused = 1;
	stop_boot(b, "agent_failed", "the guest's results bundle, line %u, was refused: %s",
		  line, why);
	return 0;
}

static int take_hello(struct boot *b, json_t *rec)
{
	const char *release = json_string_value(json_object_get(rec, "release"));
	const char *version = json_string_value(json_object_get(rec, "version"));

	b->hello = 1;
	if (!b->count)
		b->qr->to_agent += now_s() - b->t0;
	info("%s boot %u: agent up %.1f s after QEMU started (kernel %s)", b->k->name, b->index,
	     now_s() - b->t0, release);
	if (version && db_kernel_set_version(b->qr->db, b->k->kernel_id, version))
		return -1;
	return 0;
}

/* Was this repetition of this job stored already in this boot? Marks it. */
static int seen_before(struct boot *b, const struct job_spec *job, unsigned rep)
{
	unsigned per_job = b->last_rep - b->first_rep + 2;
	size_t slot = (size_t)(job - b->qr->m.jobs) * per_job + (rep ? rep - b->first_rep + 1 : 0);

	if (b->seen[slot])
		return 1;
	b->seen[slot] = 1;
	return 0;
}

/* Kept until QEMU is gone: only then are the plugin's marks complete and checked. */
static void hold_counted(struct counting *ct, long long job_id, const struct job_spec *job,
			 unsigned rep, struct sample_set *s)
{
	if (ct->nr == ct->alloc) {
		ct->alloc = ct->alloc ? 2 * ct->alloc : 16;
		ct->reps = xrealloc(ct->reps, ct->alloc * sizeof(*ct->reps));
	}
	ct->reps[ct->nr++] = (struct counting_rep){ job_id, job, rep, *s };
	*s = (struct sample_set)SAMPLE_SET_INIT;
}

static int take_rep(struct boot *b, json_t *rec, unsigned line, int failed)
{
	struct sample_set s = SAMPLE_SET_INIT;
	struct strbuf why = STRBUF_INIT;
	const struct job_spec *job = NULL;
	long long job_id = job_id_of(b, json_string_value(json_object_get(rec, "job")), &job);
	unsigned rep = (unsigned)json_integer_value(json_object_get(rec, "rep"));
	const char *message = json_string_value(json_object_get(rec, "message"));
	int ret;

	if (seen_before(b, job, rep)) {
		strbuf_addf(&why, "repetition %u of %s comes twice", rep, job->name);
		refuse_record(b, line, why.buf);
		strbuf_release(&why);
		return 0;
	}
	if (failed && b->count) {
		warning("%s %s: counted repetition %u failed: %s", b->k->name, job->name, rep,
			message);
		return 0;
	}
	if (failed) {
		ret = db_rep_failed_in_boot(b->qr->db, b->k->run, job_id, (int)rep, (int)b->index,
					    message);
		if (!ret) {
			b->k->reps_failed++;
			b->qr->reps_seen++;
			rep_progress(b, job, rep, NULL, message);
		}
		return ret;
	}
	if (bundle_samples_parse(json_object_get(rec, "samples"), &s, &why)) {
		refuse_record(b, line, why.buf);
		ret = 0;
		goto out;
	}
	if (!bundle_cost_rows_ok(b->count ? b->count->pmu ? BUNDLE_COUNT_PMU : BUNDLE_COUNT_TCG :
				 BUNDLE_MEASURED, rep, &s)) {
		refuse_record(b, line, "cost rows the guest may not send here");
		ret = 0;
		goto out;
	}
	if (b->count && b->count->pmu) {
		if (sample_set_find(&s, "count.mark_begin")) {
			refuse_record(b, line, "marks in a counting boot without the plugin");
			ret = 0;
			goto out;
		}
	} else if (!b->count != !sample_set_find(&s, "count.mark_begin")) {
		refuse_record(b, line, b->count ? "a counted repetition without its marks" :
			      "marks outside a counting boot");
		ret = 0;
		goto out;
	}
	if (b->count) {
		hold_counted(b->count, job_id, job, rep, &s);
		ret = 0;
		goto out;
	}
	ret = db_rep_store_in_boot(b->qr->db, b->k->run, job_id, (int)rep, (int)b->index, &s);
	if (!ret && !rep && sample_set_find(&s, "dio.legacy_calls"))
		info("%s %s: legacy direct-I/O proof: %.0f calls, %.2f per I/O", b->k->name,
		     job->name, sample_set_value(&s, "dio.legacy_calls", 0),
		     sample_set_value(&s, "dio.legacy_calls_per_io", 0));
	if (!ret && rep > 0) {
		b->k->reps_done++;
		b->qr->reps_seen++;
		rep_progress(b, job, rep, &s, NULL);
	}
out:
	sample_set_clear(&s);
	strbuf_release(&why);
	return ret;
}

static int take_flag(struct boot *b, json_t *rec)
{
	const struct job_spec *job = NULL;
	long long job_id = job_id_of(b, json_string_value(json_object_get(rec, "job")), &job);
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	const char *message = json_string_value(json_object_get(rec, "message"));

	warning("%s %s: %s", b->k->name, job->name, message);
	return db_flag_add(b->qr->db, b->k->run, job_id, kind, message);
}

/* What the agent found when it tried to read a path: said, never stored. */
static void take_probe(struct boot *b, json_t *rec)
{
	const json_t *entries = json_object_get(rec, "entries"), *item;
	struct strbuf line = STRBUF_INIT;
	size_t i;

	strbuf_addf(&line, "%s boot %u: guest probe %s: %s", b->k->name, b->index,
		    json_string_value(json_object_get(rec, "path")),
		    json_string_value(json_object_get(rec, "result")));
	if (json_object_get(rec, "files"))
		strbuf_addf(&line, ", %lld files",
			    (long long)json_integer_value(json_object_get(rec, "files")));
	if (entries) {
		strbuf_addstr(&line, ", entries:");
		json_array_foreach(entries, i, item)
			strbuf_addf(&line, " %s", json_string_value(item));
	}
	info("%s", line.buf);
	strbuf_release(&line);
}

static int take_record(json_t *rec, unsigned line, void *data)
{
	struct boot *b = data;
	struct strbuf why = STRBUF_INIT;
	const char *type, *order;
	int ret = 0;

	b->last_record = now_s();
	if (b->refused)
		return 0;	/* nothing after a refused record is believed */
	if (!rec)
		return refuse_record(b, line, "not a JSON object (or longer than 1 MiB)");
	if (bundle_check_record(rec, &b->expect, &why)) {
		refuse_record(b, line, why.buf);
		strbuf_release(&why);
		return 0;
	}
	strbuf_release(&why);
	type = json_string_value(json_object_get(rec, "t"));
	order = bundle_order_take(&b->order, type);
	if (order)
		return refuse_record(b, line, order);
	if (!strcmp(type, "hello"))
		ret = take_hello(b, rec);
	else if (!strcmp(type, "rep") || !strcmp(type, "failed"))
		ret = take_rep(b, rec, line, !strcmp(type, "failed"));
	else if (!strcmp(type, "flag"))
		ret = take_flag(b, rec);
	else if (!strcmp(type, "probe"))
		take_probe(b, rec);
	else if (!strcmp(type, "end")) {
		b->ended = 1;
		strbuf_addstr(&b->end_state, json_string_value(json_object_get(rec, "state")));
		strbuf_addstr(&b->end_reason,
			      json_string_value(json_object_get(rec, "reason")) ?: "");
		if (b->count && json_object_get(rec, "marks"))
			b->count->agent_marks = json_integer_value(json_object_get(rec, "marks"));
	}
	if (ret)
		stop_boot(b, "failed", "cannot store the guest's results in the database");
	return 0;
}

static void on_console(const char *buf, size_t len, void *data)
{
	struct boot *b = data;

	if (b->log) {
		fwrite(buf, 1, len, b->log);
		fflush(b->log);
	}
	console_scan_feed(&b->cs, buf, len);
}

static void read_bundle(struct boot *b)
{
	if (!b->refused && bundle_read_new(&b->br, take_record, b) < 0) {
		b->refused = 1;
		stop_boot(b, "agent_failed", "the guest's results bundle cannot be read");
	}
}

static void on_tick(void *data)
{
	struct boot *b = data;
	double t = now_s();

	read_bundle(b);
	if (b->cs.agent_status >= 0 && !b->agent_exit)
		b->agent_exit = t;
	if (b->ended && b->agent_exit && t - b->agent_exit > POWEROFF_GRACE_S && !b->c->stop) {
		/* not a failure: the agent said it was done, only the power-off hangs */
		info("%s boot %u: the guest did not power off %d s after its agent exited: "
		     "stopping QEMU", b->k->name, b->index, POWEROFF_GRACE_S);
		b->c->stop = 1;
	} else if (!b->hello && t - b->t0 > b->qr->cfg->qemu.boot_timeout)
		stop_boot(b, "boot_failed", "no agent %u s after QEMU started (%s)",
			  b->qr->cfg->qemu.boot_timeout, b->cs.init_up_s < 0 ?
			  "the kernel never reached the guest init" :
			  "the guest init came up, the agent did not");
	else if (b->hello && !b->ended && t - b->last_record > b->idle_timeout)
		stop_boot(b, "hung", "no result from the agent for %u s", b->idle_timeout);
	else if (t - b->t0 > b->run_timeout)
		stop_boot(b, "hung", "the boot took more than %u s in all", b->run_timeout);
}

static json_t *plan_json(const struct boot *b, const char *bundle)
{
	const struct qemu_run *qr = b->qr;
	json_t *devs = json_array(), *fss = json_array();
	size_t i;

	for (i = 0; i < qr->ndisks; i++)
		json_array_append_new(devs, json_pack("{s:s, s:s}", "name", qr->disks[i].name,
						      "serial", qr->disks[i].serial));
	for (i = 0; i < qr->filesystems.nr; i++)
		json_array_append_new(fss, json_string(qr->filesystems.v[i]));
	json_t *plan = json_pack("{s:s?, s:s, s:s, s:s, s:b, s:i, s:i, s:i, s:o, s:o}",
				 "config", qr->config_file, "bundle", bundle,
				 "mnt", "/tmp/pinbench-agent", "expect_release", b->k->art.release,
				 "one_off", b->index == 1, "boot", (int)b->index,
				 "first_rep", (int)b->first_rep, "last_rep", (int)b->last_rep,
				 "devices", devs, "filesystems", fss);

	if (b->count && b->count->pmu)
		json_object_set_new(plan, "count", json_pack("{s:b}", "pmu", 1));
	else if (b->count)
		json_object_set_new(plan, "count", json_pack("{s:I}", "marker",
							     (json_int_t)b->count->marker));
	if (qr->only_jobs) {
		json_t *jobs = json_array();

		for (i = 0; i < qr->m.nr; i++)
			json_array_append_new(jobs, json_string(qr->m.jobs[i].name));
		json_object_set_new(plan, "jobs", jobs);
	}
	if (qr->probes.nr) {
		json_t *probes = json_array();

		for (i = 0; i < qr->probes.nr; i++)
			json_array_append_new(probes, json_string(qr->probes.v[i]));
		json_object_set_new(plan, "probe", probes);
	}
	return plan;
}

/* Fresh, sparse image files: every boot starts from the same state. */
static int make_images(struct qemu_run *qr)
{
	size_t i;

	for (i = 0; i < qr->ndisks; i++) {
		const char *file = qr->disks[i].file;
		int fd;

		if (qr->passthrough[i].path)
			continue;
		unlink(file);
		fd = open(file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			return error("cannot create disk image '%s': %s", file, errstr());
		if (ftruncate(fd, (off_t)qr->cfg->qemu.disk_size)) {
			close(fd);
			return error("cannot size disk image '%s': %s", file, errstr());
		}
		close(fd);
		qr->disks[i].direct = qemu_file_takes_direct(file);
	}
	return 0;
}

static void remove_images(struct qemu_run *qr)
{
	size_t i;

	for (i = 0; i < qr->ndisks; i++)
		if (!qr->passthrough[i].path && qr->disks[i].file)
			unlink(qr->disks[i].file);
}

/* How a boot ended, once QEMU is gone: 0 when it counts, else k->state is set. */
static int judge_boot(struct boot *b)
{
	struct qemu_kernel *k = b->k;
	struct strbuf *why = &k->reason;

	if (b->c->interrupted) {
		k->state = "interrupted";
		strbuf_addstr(why, "interrupted by signal");
	} else if (b->cs.panic) {
		k->state = "panicked";
		strbuf_addf(why, "boot %u: %s", b->index, b->cs.panic);
		if (b->cs.oops)
			strbuf_addf(why, " (after: %s)", b->cs.oops);
	} else if (b->stop_state) {
		k->state = b->stop_state;
		strbuf_addf(why, "boot %u: %s", b->index, b->stop_reason.buf);
	} else if (b->ended && !strcmp(b->end_state.buf, "done")) {
		return 0;
	} else if (b->ended) {
		k->state = strcmp(b->end_state.buf, "interrupted") ? "agent_failed" : "interrupted";
		strbuf_addf(why, "boot %u: the agent ended '%s': %s", b->index, b->end_state.buf,
			    b->end_reason.len ? b->end_reason.buf : "no reason given");
	} else if (b->hello) {
		k->state = "agent_failed";
		if (b->cs.agent_status >= 0)
			strbuf_addf(why, "boot %u: the agent exited with status %d before it "
				    "finished", b->index, b->cs.agent_status);
		else
			strbuf_addf(why, "boot %u: the guest stopped before the agent finished",
				    b->index);
	} else {
		k->state = "boot_failed";
		if (b->cs.init_error)
			strbuf_addf(why, "boot %u: guest init: %s", b->index, b->cs.init_error);
		else if (b->c->status && b->c->err.len && b->cs.init_up_s < 0)
			strbuf_addf(why, "boot %u: QEMU failed: %s", b->index, b->c->err.buf);
		else if (b->cs.init_up_s < 0)
			strbuf_addf(why, "boot %u: the kernel stopped before the guest init ran",
				    b->index);
		else
			strbuf_addf(why, "boot %u: the agent never reported in (exit status %d)",
				    b->index, b->cs.agent_status);
	}
	strbuf_rtrim(why);
	return -1;
}

static void show_failure(const struct boot *b, const char *log_path)
{
	struct strbuf tail = STRBUF_INIT;

	console_scan_tail(&b->cs, 15, &tail);
	error("%s: %s (%s)", b->k->name, b->k->reason.buf, b->k->state);
	if (tail.len)
		fprintf(stderr, "  last console lines (all of it in %s):\n%s", log_path, tail.buf);
	strbuf_release(&tail);
}

static unsigned boot_run_timeout(const struct qemu_run *qr, unsigned reps)
{
	const struct config *cfg = qr->cfg;
	unsigned long long per_rep = cfg->ramp + cfg->runtime + cfg->timeout;
	unsigned long long t;

	if (cfg->qemu.run_timeout)
		return cfg->qemu.run_timeout;
	/* every repetition at its own timeout, the proof and profile passes, mkfs */
	t = cfg->qemu.boot_timeout + qr->m.nr * (reps + 2) * per_rep + 60 * qr->filesystems.nr;
	return t > UINT_MAX ? UINT_MAX : (unsigned)t;
}

static int boot_once(struct qemu_run *qr, struct qemu_kernel *k, unsigned index,
		     unsigned first_rep, unsigned last_rep, struct counting *count)
{
	struct boot b = { .qr = qr, .k = k, .index = index, .first_rep = first_rep,
			  .last_rep = last_rep, .end_state = STRBUF_INIT,
			  .end_reason = STRBUF_INIT, .stop_reason = STRBUF_INIT, .count = count };
	struct strbuf plan = STRBUF_INIT, bundle = STRBUF_INIT, log = STRBUF_INIT,
		      append = STRBUF_INIT, extra = STRBUF_INIT;
	struct qemu_spec spec;
	struct child c = CHILD_INIT;
	json_t *pj;
	int ret = -1;

	console_scan_init(&b.cs);
	b.expect = (struct bundle_expect){ k->art.release, index, first_rep, last_rep,
					   index == 1 && !count, &qr->probes, job_known, &b };
	b.seen = xcalloc(qr->m.nr + 1, last_rep - first_rep + 2);
	/* by run: calibrate boots one kernel as both sides */
	strbuf_addf(&plan, "%s/plan-%lld-%u.json", qr->work, k->run, index);
	strbuf_addf(&bundle, "%s/bundle-%lld-%u.jsonl", qr->work, k->run, index);
	strbuf_addf(&log, "%s/boot-%u.console.log", k->log_dir, index);
	bundle_reader_init(&b.br, bundle.buf);
	pj = plan_json(&b, bundle.buf);
	/* QEMU reads it as qr->run_as, whatever our umask */
	if (json_dump_file(pj, plan.buf, JSON_INDENT(1)) || chmod(plan.buf, 0644)) {
		json_decref(pj);
		k->state = "failed";
		strbuf_addf(&k->reason, "cannot write the plan '%s'", plan.buf);
		goto out;
	}
	json_decref(pj);
	/* counting: the link-time addresses of vmlinux must hold */
	if (count) {
		if (qr->cfg->qemu.cmdline && *qr->cfg->qemu.cmdline)
			strbuf_addf(&extra, "%s nokaslr", qr->cfg->qemu.cmdline);
		else
			strbuf_addstr(&extra, "nokaslr");
	} else if (qr->cfg->qemu.cmdline) {
		strbuf_addstr(&extra, qr->cfg->qemu.cmdline);
	}
	if (make_images(qr) || qemu_append(&append, "agent", qr->work, qr->agent, plan.buf,
					   extra.buf)) {
		k->state = "failed";
		strbuf_addstr(&k->reason, "cannot prepare the guest's disks or command line");
		goto out;
	}
	b.log = fopen(log.buf, "w");
	if (!b.log)
		warning("cannot write the console log '%s': %s", log.buf, errstr());
	/* counting: one vCPU, so the plugin's counters need no atomics */
	spec = (struct qemu_spec){ qr->cfg->qemu.binary, qr->accel, qr->cfg->qemu.memory_mb,
				   count ? 1 : qr->cfg->qemu.cpus, k->art.bzimage, qr->initrd,
				   append.buf, qr->work, qr->disks, qr->ndisks, qr->tree,
				   qr->run_as, count ? count->plugin_arg : NULL,
				   count ? qr->cfg->cost.iops_limit : 0 };
	qemu_argv(&spec, &c.args);
	c.flags = SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	c.on_output = on_console;
	c.on_tick = on_tick;
	c.cb_data = &b;
	b.c = &c;
	b.idle_timeout = 2 * (qr->cfg->ramp + qr->cfg->runtime + qr->cfg->timeout) + 120;
	b.run_timeout = boot_run_timeout(qr, last_rep - first_rep + 1);
	if (count)
		info("booting %s (%s) under %s to count instructions: repetitions %u-%u", k->name,
		     k->art.release, qr->accel, first_rep, last_rep);
	else
		info("booting %s (%s) under %s, boot %u of %u: repetitions %u-%u", k->name,
		     k->art.release, qr->accel, index, qr->boots, first_rep, last_rep);
	b.t0 = b.last_record = now_s();
	if (spawn_run(&c)) {
		k->state = "boot_failed";
		strbuf_addf(&k->reason, "cannot start '%s': %s", qr->cfg->qemu.binary, errstr());
		goto out;
	}
	console_scan_finish(&b.cs);
	read_bundle(&b);
	strbuf_rtrim(&c.err);
	ret = judge_boot(&b);
	if (ret)
		show_failure(&b, log.buf);
	else
		info("%s boot %u: done in %.0f s", k->name, index, c.elapsed_s);
out:
	if (b.log)
		fclose(b.log);
	bundle_reader_release(&b.br);
	console_scan_release(&b.cs);
	free(b.seen);
	child_release(&c);
	strbuf_release(&b.end_state);
	strbuf_release(&b.end_reason);
	strbuf_release(&b.stop_reason);
	strbuf_release(&plan);
	strbuf_release(&bundle);
	strbuf_release(&log);
	strbuf_release(&append);
	strbuf_release(&extra);
	return ret;
}

/* --- counting boots (runner/cost.h) --------------------------------------------- */

static void counting_release(struct counting *ct)
{
	size_t i;

	for (i = 0; i < ct->nr; i++)
		sample_set_clear(&ct->reps[i].samples);
	free(ct->reps);
	cost_plan_release(&ct->plan);
	if (ct->ranges)
		unlink(ct->ranges);
	if (ct->out)
		unlink(ct->out);
	if (ct->dir && rmdir(ct->dir))
		warning("cannot remove '%s': %s", ct->dir, errstr());
	free(ct->ranges);
	free(ct->out);
	free(ct->plugin_arg);
	free(ct->dir);
}

static void counted_progress(const struct qemu_kernel *k, const struct counting_rep *r,
			     const struct sample_set *s)
{
	const struct sample *share = sample_set_find(s, "cost.pin_path_share_pct");

	if (!share) {	/* the PMU's rows: no functions counted */
		info("%s %s rep %u: %.0f kernel and %.0f user instructions per I/O (perf stat)",
		     k->name, r->job->name, r->rep,
		     sample_set_value(s, "cost.kernel_insns_per_io", NAN),
		     sample_set_value(s, "cost.user_insns_per_io", NAN));
		return;
	}
	info("%s %s rep %u: %.0f kernel and %.0f user instructions per I/O, %.1f%% of them in "
	     "the pin path%s", k->name, r->job->name, r->rep,
	     sample_set_value(s, "cost.kernel_insns_per_io", NAN),
	     sample_set_value(s, "cost.user_insns_per_io", NAN),
	     share && share->available ? share->value : NAN,
	     share && share->available ? "" : " (unavailable)");
}

/* The guest's PMU made the rows: its cost.* samples are stored, nothing else. */
static void store_counted_pmu(struct qemu_run *qr, struct qemu_kernel *k, struct counting *ct,
			      unsigned boot)
{
	size_t i, j;

	for (i = 0; i < ct->nr; i++) {
		const struct counting_rep *r = &ct->reps[i];
		struct sample_set rows = SAMPLE_SET_INIT;

		for (j = 0; j < r->samples.nr; j++) {
			const struct sample *v = &r->samples.v[j];

			if (strcmp(v->unit, "insn/io:" COST_SOURCE_PMU) &&
			    strcmp(v->unit, "cycles/io:" COST_SOURCE_PMU))
				continue;
			if (v->available)
				sample_set_add(&rows, v->metric, v->value, v->unit);
			else
				sample_set_add_unavailable(&rows, v->metric, v->unit);
		}
		if (db_rep_store_in_boot(qr->db, k->run, r->job_id, (int)r->rep, (int)boot, &rows))
			warning("%s: cannot store the cost rows", k->name);
		else
			counted_progress(k, r, &rows);
		sample_set_clear(&rows);
	}
}

/* QEMU is gone: check the plugin's marks against the agent's, store the cost rows. */
static void store_counted(struct qemu_run *qr, struct qemu_kernel *k, struct counting *ct,
			  unsigned boot)
{
	struct strbuf why = STRBUF_INIT;
	struct cost_marks m;
	size_t i;

	if (ct->pmu) {
		store_counted_pmu(qr, k, ct, boot);
		return;
	}
	if (cost_marks_read(ct->out, ct->plan.fns.nr, &m, &why)) {
		warning("%s: no cost rows: %s", k->name, why.buf);
		strbuf_release(&why);
		return;
	}
	if (!m.ended || ct->agent_marks < 0 || (unsigned long long)ct->agent_marks != m.nr) {
		warning("%s: no cost rows: the plugin saw %zu marks%s, the agent says it made %lld",
			k->name, m.nr, m.ended ? "" : " (and QEMU did not exit cleanly)",
			ct->agent_marks);
		goto out;
	}
	for (i = 0; i < ct->nr; i++) {
		struct counting_rep *r = &ct->reps[i];
		struct sample_set rows = SAMPLE_SET_INIT;

		strbuf_reset(&why);
		if (cost_rows(&m, &ct->plan, &qr->cfg->cost.functions, &r->samples, r->job->bs,
			      &rows, &why))
			warning("%s %s rep %u: no cost rows: %s", k->name, r->job->name, r->rep,
				why.buf);
		else if (db_rep_store_in_boot(qr->db, k->run, r->job_id, (int)r->rep, (int)boot,
					      &rows))
			warning("%s: cannot store the cost rows", k->name);
		else
			counted_progress(k, r, &rows);
		sample_set_clear(&rows);
	}
out:
	cost_marks_release(&m);
	strbuf_release(&why);
}

/*
 * After a kernel's measured boots, one more boot that counts instructions.
 * Nothing in it can fail the run: without it there are no cost rows, and
 * the warning says why.
 */
static void count_kernel(struct qemu_run *qr, struct qemu_kernel *k)
{
	const struct config *cfg = qr->cfg;
	struct counting ct = { .agent_marks = -1 };
	struct strbuf path = STRBUF_INIT, why = STRBUF_INIT;
	char tmpl[] = "/tmp/pinbench-count.XXXXXX";
	unsigned boot = qr->boots + 1;

	if (qr->count_pmu) {
		ct.pmu = 1;
		goto boot;
	}
	if (!mkdtemp(tmpl)) {
		warning("%s: no cost rows: cannot create a directory for the counts: %s", k->name,
			errstr());
		return;
	}
	ct.dir = xstrdup(tmpl);
	strbuf_addf(&path, "%s/ranges", ct.dir);
	ct.ranges = strbuf_detach(&path, NULL);
	strbuf_addf(&path, "%s/counts", ct.dir);
	ct.out = strbuf_detach(&path, NULL);
	strbuf_addf(&path, "%s/vmlinux", k->art.dir);
	if (cost_plan_write(path.buf, &cfg->cost.functions, &cfg->cost.wait_functions, ct.ranges,
			    &ct.plan, &why)) {
		warning("%s: no cost rows: %s", k->name, why.buf);
		goto out;
	}
	if (ct.plan.missing.nr) {
		char *names = strvec_join(&ct.plan.missing, ", ");

		warning("%s: not functions of this kernel (inlined or absent), their cost rows are "
			"unavailable: %s", k->name, names);
		free(names);
	}
	ct.marker = cost_marker_address();
	strbuf_reset(&path);
	strbuf_addf(&path, "%s,out=%s,ranges=%s,marker=0x%llx", qr->plugin, ct.out, ct.ranges,
		    (unsigned long long)ct.marker);
	ct.plugin_arg = strbuf_detach(&path, NULL);
boot:
	if (boot_once(qr, k, boot, qr->reps + 1, qr->reps + cfg->cost.repetitions, &ct)) {
		warning("%s: the counting boot failed (%s): no cost rows", k->name, k->reason.buf);
		k->state = NULL;
		strbuf_reset(&k->reason);
		goto out;
	}
	store_counted(qr, k, &ct, boot);
out:
	counting_release(&ct);
	strbuf_release(&path);
	strbuf_release(&why);
}

/* Does this run count instructions? Sets qr->plugin when it does. */
static void pick_counting(struct qemu_run *qr, const char *exe)
{
	const struct config *cfg = qr->cfg;
	struct strbuf path = STRBUF_INIT;
	const char *slash;
	char *list;

	if (!strcmp(cfg->cost.mode, "off"))
		return;
	if (!strcmp(qr->accel, "kvm") || !strcmp(cfg->cost.mode, "pmu")) {
		info("cost rows: under %s from the guest's PMU (perf stat -e %s), in one counting "
		     "boot per kernel", qr->accel, list = strvec_join(&cfg->cost.pmu_events, ","));
		free(list);
		qr->count_pmu = 1;
		return;
	}
	if (cfg->cost.plugin && *cfg->cost.plugin) {
		char *p = config_path(cfg, cfg->cost.plugin);

		strbuf_addstr(&path, p);
		free(p);
	} else {
		slash = strrchr(exe, '/');
		strbuf_add(&path, exe, slash ? (size_t)(slash - exe) + 1 : 0);
		strbuf_addstr(&path, "pinbench-count.so");
	}
	if (access(path.buf, R_OK))
		warning("cost rows: the TCG plugin '%s' is missing (make builds it once make deps "
			"has fetched qemu-plugin.h): no cost.* rows in this run", path.buf);
	else if (strchr(path.buf, ','))
		warning("cost rows: the plugin's path '%s' has a comma, which QEMU's -plugin cannot "
			"take: no cost.* rows in this run", path.buf);
	else
		qr->plugin = strbuf_detach(&path, NULL);
	strbuf_release(&path);
}

/* --- before the first boot ----------------------------------------------------- */

static int resolve_disks(struct qemu_run *qr)
{
	const struct config *cfg = qr->cfg;
	struct strbuf sb = STRBUF_INIT;
	size_t i, n = cfg->qemu.disks.nr;

	qr->disks = xcalloc(n + 1, sizeof(*qr->disks));
	qr->passthrough = xcalloc(n + 1, sizeof(*qr->passthrough));
	for (i = 0; i < n; i++) {
		const char *name = cfg->qemu.disks.v[i];
		struct qemu_disk *d = &qr->disks[qr->ndisks];

		d->name = name;
		strbuf_reset(&sb);
		strbuf_addf(&sb, SERIAL_PREFIX "%s", name);
		if (sb.len > SERIAL_MAX)
			return strbuf_release(&sb), error("[target qemu] disks: name '%s' is too long "
				"(at most %d characters)", name, SERIAL_MAX - 3);
		d->serial = xstrdup(sb.buf);
		if (!strcmp(name, "nvme") || !strcmp(name, "sata")) {
			d->bus = name;
			strbuf_reset(&sb);
			strbuf_addf(&sb, "%s/pinbench-%d-%s.img", cfg->qemu.image_dir, (int)getpid(),
				    name);
			d->file = xstrdup(sb.buf);
		} else {
			const struct device_cfg *dc = config_device(cfg, name);

			if (!dc || !dc->bus)
				return strbuf_release(&sb), error("[target qemu] disks: '%s' is not nvme, "
					"sata or a [device %s] section with 'bus' set", name, name);
			if (device_check(dc, &qr->passthrough[qr->ndisks]))
				return strbuf_release(&sb), -1;
			d->bus = dc->bus;
			d->file = xstrdup(qr->passthrough[qr->ndisks].path);
			d->direct = 1;
		}
		qr->ndisks++;
	}
	strbuf_release(&sb);
	return 0;
}

static int pick_filesystems(struct qemu_run *qr)
{
	size_t i;

	for (i = 0; i < qr->cfg->filesystems.nr; i++) {
		const char *fs = qr->cfg->filesystems.v[i], *program, *package;

		if (host_mkfs_installed(fs, &program, &package))
			strvec_push(&qr->filesystems, fs);
		else
			warning("skipping %s: %s is not installed (Debian package %s)", fs, program,
				package);
	}
	if (!qr->filesystems.nr)
		return error("none of the [matrix] filesystems can be made here");
	return 0;
}

static char *devices_json(const struct qemu_run *qr)
{
	json_t *a = json_array();
	char *text, *ret;
	size_t i;

	json_array_append_new(a, json_pack("{s:s, s:s, s:i, s:i}", "name", "guest", "accel",
					   qr->accel, "cpus", (int)qr->cfg->qemu.cpus, "memory_mb",
					   (int)qr->cfg->qemu.memory_mb));
	for (i = 0; i < qr->ndisks; i++) {
		const struct qemu_disk *d = &qr->disks[i];
		const struct safe_device *p = &qr->passthrough[i];

		json_array_append_new(a, p->path ?
			json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", d->name, "bus", d->bus,
				  "path", p->path, "model", p->model, "serial", p->serial) :
			json_pack("{s:s, s:s, s:s, s:s, s:I}", "name", d->name, "bus", d->bus,
				  "model", !strcmp(d->bus, "nvme") ? "QEMU NVMe Ctrl" : "QEMU HARDDISK",
				  "backing", qr->cfg->qemu.image_dir,
				  "size", (json_int_t)qr->cfg->qemu.disk_size));
	}
	text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	ret = xstrdup(text);
	free(text);
	return ret;
}

/*
 * compare without --boots: as many boots a side as this machine's
 * between-boot noise asks for (the boot is a noisy row's unit), and a
 * repetition per boot at least. 0: no such noise is stored.
 */
static int boots_from_noise(struct qemu_run *qr, long long machine_id)
{
	unsigned cap = qr->cfg->max_boots, want, boots;
	double cv;

	if (qr->boots_given)
		return 0;
	want = noise_boots_for_jobs(qr->db, machine_id, qr->job_ids, qr->m.nr,
				    qr->noise_threshold, 0.05, &cv);
	if (!want)
		return 0;
	boots = want > cap ? cap : want;
	if (boots < qr->boots)
		boots = qr->boots;
	info("%u boots a side: this machine's between-boot noise (IOPS CV up to %.1f %%) needs %u "
	     "to see a %.0f %% change%s", boots, cv * 100, want, qr->noise_threshold * 100,
	     want > cap ? " ([compare] max_boots caps it)" : "");
	qr->boots = boots;
	if (qr->reps < boots)
		qr->reps = boots;
	qr->reps_total = qr->m.nr * qr->reps * qr->nk;
	return 1;
}

/* compare without --repetitions: as many as this machine's A/A noise asks for */
static void reps_from_noise(struct qemu_run *qr, long long machine_id)
{
	unsigned cap = qr->cfg->max_repetitions, want, reps;
	double cv;

	want = noise_reps_for_jobs(qr->db, machine_id, qr->job_ids, qr->m.nr,
				   qr->noise_threshold, 0.05, &cv);
	if (!want) {
		info("no A/A noise stored for this machine and these jobs ('pinbench calibrate "
		     "--kernel NAME'): %u repetitions a side from [matrix]", qr->reps);
		return;
	}
	reps = want > cap ? cap : want;
	if (reps < qr->reps)
		reps = qr->reps;
	info("%u repetitions a side: this machine's A/A noise (IOPS CV up to %.1f %%) needs %u to "
	     "see a %.0f %% change%s", reps, cv * 100, want, qr->noise_threshold * 100,
	     want > cap ? " ([compare] max_repetitions caps it)" : "");
	qr->reps = reps;
	qr->reps_total = qr->m.nr * qr->reps * qr->nk;
}

static int begin_runs(struct qemu_run *qr, char **argv)
{
	struct machine mach;
	struct machine_info mi;
	struct strbuf kind = STRBUF_INIT;
	char *devs = devices_json(qr), *cmdline = run_command_line(argv);
	char *cfg_text = run_config_text(qr->cfg), *logs = config_path(qr->cfg, qr->cfg->logs_dir);
	long long machine_id;
	size_t i;
	int ret = -1;

	strbuf_addf(&kind, "qemu-%s", qr->accel);
	machine_probe(&mach, kind.buf, devs);
	machine_info(&mach, &mi);
	if (db_machine_get_or_add(qr->db, &mi, &machine_id))
		goto out;
	qr->job_ids = xcalloc(qr->m.nr + 1, sizeof(*qr->job_ids));
	for (i = 0; i < qr->m.nr; i++)
		if (db_job_get_or_add(qr->db, &(struct job_row)JOB_ROW(&qr->m.jobs[i]),
				      &qr->job_ids[i]))
			goto out;
	if (qr->noise_threshold > 0 && !boots_from_noise(qr, machine_id))
		reps_from_noise(qr, machine_id);
	for (i = 0; i < qr->nk; i++) {
		struct qemu_kernel *k = &qr->k[i];
		const struct kernel_cfg *kc = config_kernel(qr->cfg, k->section);
		struct kernel_info ki = {
			.name = k->name, .source = kc->source, .config_sha = k->art.config_sha,
			.build_sha = k->art.key, .release = k->art.release, .version = "",
		};
		struct strbuf dir = STRBUF_INIT;

		if (db_kernel_get_or_add(qr->db, &ki, &k->kernel_id) ||
		    db_run_begin(qr->db, k->kernel_id, machine_id, "qemu", cmdline, cfg_text,
				 &k->run))
			goto out;
		strbuf_addf(&dir, "%s/run-%lld", logs, k->run);
		if (mkdir_p(dir.buf)) {
			error("cannot create the log directory '%s': %s", dir.buf, errstr());
			strbuf_release(&dir);
			goto out;
		}
		k->log_dir = strbuf_detach(&dir, NULL);
		if (db_run_set_log(qr->db, k->run, k->log_dir))
			goto out;
		info("run %lld: %s (%s) in QEMU on %s, %zu jobs x %u repetitions over %u boot%s",
		     k->run, k->name, k->art.release, mach.hostname, qr->m.nr, qr->reps, qr->boots,
		     qr->boots == 1 ? "" : "s");
	}
	ret = 0;
out:
	machine_release(&mach);
	strbuf_release(&kind);
	free(devs);
	free(cmdline);
	free(cfg_text);
	free(logs);
	return ret;
}

/* The export test's hook: PINBENCH_GUEST_PROBE=/etc/shadow:/root:/ */
static void probes_from_env(struct qemu_run *qr)
{
	const char *env = getenv("PINBENCH_GUEST_PROBE");
	struct strbuf one = STRBUF_INIT;

	while (env && *env) {
		const char *end = strchrnul(env, ':');

		strbuf_reset(&one);
		strbuf_add(&one, env, (size_t)(end - env));
		if (one.buf[0] == '/')
			strvec_push(&qr->probes, one.buf);
		env = *end ? end + 1 : end;
	}
	strbuf_release(&one);
}

/*
 * The guest's tools tree: fio, perf when there is one, the mkfs of every
 * filesystem of the run, the libraries pinbench (the agent) loads, ld.so's
 * cache, mke2fs's defaults and the C.UTF-8 locale. Nothing else of the
 * host reaches the guest.
 */
static int make_tree(struct qemu_run *qr, const char *cache)
{
	struct guestroot gr = GUESTROOT_INIT;
	struct strbuf dir = STRBUF_INIT, perf = STRBUF_INIT;
	char exe[PATH_MAX];
	size_t i;
	int ret;

	ret = guestroot_add_program(&gr, "fio");
	/* perf_probe() asks `perf stat -- true` whether perf works */
	if (!ret && !guestroot_find_program("perf", &perf))
		ret = guestroot_add_program(&gr, perf.buf) || guestroot_add_program(&gr, "true");
	for (i = 0; i < qr->filesystems.nr && !ret; i++) {
		const char *program, *package;

		host_mkfs_installed(qr->filesystems.v[i], &program, &package);
		ret = guestroot_add_program(&gr, program);
	}
	if (!ret && !realpath("/proc/self/exe", exe))
		ret = error("cannot resolve /proc/self/exe: %s", errstr());
	if (!ret)
		ret = guestroot_add_libraries(&gr, exe);
	if (!ret)
		ret = guestroot_add_file(&gr, "/etc/ld.so.cache", 1);
	if (!ret)
		ret = guestroot_add_file(&gr, "/etc/mke2fs.conf", 1);
	/* mkfs.nilfs2 refuses to run without /etc/mtab ("cannot open /etc/mtab!") */
	if (!ret)
		guestroot_add_symlink(&gr, "/etc/mtab", "/proc/self/mounts");
	/* the agent runs with LANG=C.UTF-8: mkfs.exfat and mkudffs want its codeset */
	if (!ret)
		ret = guestroot_add_dir(&gr, "/usr/lib/locale/C.utf8", 1);
	if (!ret)
		ret = guestroot_get(&gr, cache, &dir);
	if (!ret) {
		info("qemu: the guest sees %s read-only (%zu files and links), not the host's /",
		     dir.buf, gr.nr);
		qr->tree = strbuf_detach(&dir, NULL);
	}
	guestroot_release(&gr);
	strbuf_release(&dir);
	strbuf_release(&perf);
	return ret;
}

/*
 * As root, QEMU runs as [target qemu] user once it has opened the kernel,
 * the images, the devices and the two shares; what the guest writes into
 * the work directory it writes as that user, so the directory is its.
 */
static int drop_root(struct qemu_run *qr)
{
	const char *user = qr->cfg->qemu.user;
	struct passwd *pw;

	if (geteuid() || !user)
		return 0;
	pw = getpwnam(user);
	if (!pw)
		return error("[target qemu] user '%s' does not exist here (QEMU runs as it)", user);
	if (!pw->pw_uid) {
		warning("[target qemu] user '%s': QEMU runs as root, a guest that breaks out of it "
			"owns the host", user);
		return 0;
	}
	if (chown(qr->work, pw->pw_uid, pw->pw_gid))
		return error("cannot give '%s' to user '%s': %s", qr->work, user, errstr());
	qr->run_as = user;
	return 0;
}

static int prepare(struct qemu_run *qr)
{
	struct strbuf init = STRBUF_INIT, initrd = STRBUF_INIT, path = STRBUF_INIT;
	char *cache = config_cache_dir(qr->cfg);
	char real[PATH_MAX], tmpl[] = "/tmp/pinbench-qemu.XXXXXX";
	int ret = -1;

	if (!spawn_find_program(qr->cfg->qemu.binary, NULL)) {
		error("'%s' not found: install it with 'apt-get install qemu-system-x86'",
		      qr->cfg->qemu.binary);
		goto out;
	}
	if (initramfs_find_init(&init) || initramfs_get(cache, init.buf, &initrd))
		goto out;
	qr->initrd = strbuf_detach(&initrd, NULL);
	if (!mkdtemp(tmpl)) {
		error("cannot create a work directory: %s", errstr());
		goto out;
	}
	qr->work = xstrdup(tmpl);
	if (make_tree(qr, cache) || drop_root(qr))
		goto out;
	probes_from_env(qr);
	/*
	 * The agent is this very binary, copied into the work directory: the
	 * guest mounts fresh tmpfs on /tmp and /run, so a pinbench that lives
	 * under them (a checkout in /tmp) would not be there otherwise.
	 */
	strbuf_addf(&path, "%s/pinbench-agent", qr->work);
	if (!realpath("/proc/self/exe", real) || copy_file(real, path.buf, 0755) ||
	    chmod(path.buf, 0755)) {
		error("cannot copy pinbench's own binary to '%s': %s", path.buf, errstr());
		goto out;
	}
	qr->agent = strbuf_detach(&path, NULL);
	/* the agent reads the config from the work directory: the guest sees no other host file */
	if (qr->cfg->file) {
		char *text = run_config_text(qr->cfg);

		strbuf_addf(&path, "%s/config.ini", qr->work);
		if (write_file_atomic(path.buf, text, strlen(text))) {
			error("cannot write '%s': %s", path.buf, errstr());
			free(text);
			goto out;
		}
		free(text);
		qr->config_file = strbuf_detach(&path, NULL);
	}
	if (!strcmp(qr->cfg->qemu.accel, "auto"))
		qr->accel = qemu_pick_accel(qr->cfg->qemu.binary, qr->k[0].art.bzimage, qr->initrd,
					    cache, qr->run_as);
	else
		qr->accel = qr->cfg->qemu.accel;
	pick_counting(qr, real);
	ret = 0;
out:
	strbuf_release(&init);
	strbuf_release(&initrd);
	strbuf_release(&path);
	free(cache);
	return ret;
}

/* Repetitions first_rep..last_rep of boot `index` (from 1): spread evenly, extras first. */
static void boot_reps(unsigned reps, unsigned boots, unsigned index, unsigned *first,
		      unsigned *last)
{
	unsigned base = reps / boots, extra = reps % boots, i;

	*first = 1;
	for (i = 1; i < index; i++)
		*first += base + (i <= extra);
	*last = *first + base + (index <= extra) - 1;
}

static int finish_runs(struct qemu_run *qr, int summaries)
{
	int code = EXIT_OK;
	size_t i;

	for (i = 0; i < qr->nk; i++) {
		struct qemu_kernel *k = &qr->k[i];
		const char *state = k->state ? k->state : "done";

		if (!k->run)
			continue;
		if (!k->state && k->reps_failed)
			strbuf_addf(&k->reason, "%zu of %zu repetitions failed", k->reps_failed,
				    k->reps_failed + k->reps_done);
		if (k->state || k->reps_failed)
			code = EXIT_INFRA;
		if (pin_balance_flag_leaks(qr->db, k->run) < 0)
			code = EXIT_INFRA;
		if (db_run_finish(qr->db, k->run, state, k->reason.len ? k->reason.buf : NULL))
			code = EXIT_INFRA;
		printf("\nrun %lld (%s, %s): %s, %zu repetitions stored, %zu failed%s%s\n", k->run,
		       k->name, k->art.release, state, k->reps_done, k->reps_failed,
		       k->reason.len ? ": " : "", k->reason.buf);
		if (summaries)
			summary_print(qr->db, k->run, 0, stdout);
		printf("console logs: %s\n", k->log_dir);
	}
	printf("\ndatabase: %s (pinbench db show RUN --db %s)\n", qr->cli->db_path,
	       qr->cli->db_path);
	return code;
}

static void qemu_run_release(struct qemu_run *qr)
{
	size_t i;

	if (qr->disks)
		remove_images(qr);
	if (qr->work && remove_tree(qr->work))
		warning("cannot remove '%s': %s", qr->work, errstr());
	for (i = 0; i < qr->nk; i++) {
		kernel_artifact_release(&qr->k[i].art);
		strbuf_release(&qr->k[i].reason);
		free(qr->k[i].log_dir);
	}
	free(qr->k);
	for (i = 0; i < qr->ndisks; i++) {
		free((char *)qr->disks[i].file);
		free((char *)qr->disks[i].serial);
		safe_device_release(&qr->passthrough[i]);
	}
	free(qr->disks);
	free(qr->passthrough);
	free(qr->job_ids);
	matrix_release(&qr->m);
	strvec_clear(&qr->filesystems);
	free(qr->work);
	free(qr->initrd);
	free(qr->agent);
	free(qr->config_file);
	free(qr->tree);
	free(qr->plugin);
	strvec_clear(&qr->probes);
	if (qr->db)
		db_close(qr->db);
}

/*
 * Where the time went: kernels (built or from the cache), the measured
 * boots, split into QEMU-to-agent, fio's own runtime (the plan's ramp and
 * runtime of every repetition) and the harness (everything else: mkfs,
 * the proof pass, warm-up, collectors, writing results), and the counting
 * boots.
 */
static void time_split(const struct qemu_run *qr, double kernels, double boots, double count)
{
	double fio = (double)qr->m.nr * qr->reps * qr->nk * (qr->cfg->ramp + qr->cfg->runtime);
	double harness = boots - qr->to_agent - fio;

	info("time: kernels %.0f s (built or from the cache); %u boot%s x %zu kernel%s %.0f s: "
	     "%.0f s to the agent, %.0f s fio runtime, %.0f s harness (%.0f %% of the measuring "
	     "time)", kernels, qr->boots, qr->boots == 1 ? "" : "s", qr->nk,
	     qr->nk == 1 ? "" : "s", boots, qr->to_agent, fio, harness > 0 ? harness : 0,
	     fio > 0 && harness > 0 ? 100 * harness / fio : 0);
	if (count > 0.5)
		info("time: counting boots %.0f s", count);
}

int run_qemu(struct cli *cli, const struct run_options *o, char **argv)
{
	struct qemu_run qr = { .cli = cli, .cfg = &cli->cfg, .filesystems = STRVEC_INIT,
			       .probes = STRVEC_INIT };
	struct strvec disk_names = STRVEC_INIT;
	unsigned b, first, last;
	size_t i;
	int code = EXIT_USAGE;
	double t_kernels = 0, t_boots = 0, t_count = 0;

	qr.reps = o->reps ? o->reps : qr.cfg->repetitions;
	qr.noise_threshold = o->reps ? 0 : o->noise_threshold;
	qr.only_jobs = o->only_jobs;
	qr.boots_given = o->boots > 0;
	qr.boots = o->boots ? o->boots : qr.cfg->qemu.boots;
	if (qr.boots > qr.reps && qr.boots_given) {
		error("--boots %u: more boots than repetitions (%u); each boot runs at least one",
		      qr.boots, qr.reps);
		return EXIT_USAGE;
	}
	/* [target qemu] boots is a default: fewer repetitions make fewer boots */
	if (qr.boots > qr.reps)
		qr.boots = qr.reps;
	qr.k = xcalloc(o->kernels.nr, sizeof(*qr.k));
	for (qr.nk = 0; qr.nk < o->kernels.nr; qr.nk++) {
		struct qemu_kernel *k = &qr.k[qr.nk];
		int derived = o->patches && qr.nk && qr.nk == o->kernels.nr - 1;

		k->name = o->kernels.v[qr.nk];
		k->section = derived ? o->kernels.v[0] : k->name;
		k->patches = derived ? o->patches : NULL;
		strbuf_init(&k->reason, 0);
		if (!config_kernel(qr.cfg, k->section)) {
			error("--kernel '%s': no [kernel %s] section in %s", k->section,
			      k->section, qr.cfg->file ? qr.cfg->file : "the config");
			goto out;
		}
	}
	if (resolve_disks(&qr) || pick_filesystems(&qr))
		goto out;
	for (i = 0; i < qr.ndisks; i++)
		strvec_push(&disk_names, qr.disks[i].name);
	matrix_expand_on(qr.cfg, &disk_names, &qr.filesystems, "none", &qr.m);
	if (o->only_jobs && matrix_keep_only(&qr.m, o->only_jobs)) {
		error("none of the jobs asked for (%s, ...) is in the matrix", o->only_jobs->v[0]);
		goto out;
	}
	qr.reps_total = qr.m.nr * qr.reps * qr.nk;
	code = EXIT_INFRA;
	if (db_open(cli->db_path, &qr.db))
		goto out;
	db_reap_abandoned(qr.db);
	db_reap_abandoned_builds(qr.db);
	t_kernels = now_s();
	for (i = 0; i < qr.nk; i++) {
		code = kernel_for_run(cli, qr.db, qr.k[i].section, qr.k[i].patches,
				      qr.k[i].patches ? qr.k[i].name : NULL, &qr.k[i].art);
		if (code)
			goto out;
	}
	t_kernels = now_s() - t_kernels;
	code = EXIT_INFRA;
	if (prepare(&qr) || begin_runs(&qr, argv))
		goto out;
	qr.started = time(NULL);
	t_boots = now_s();
	for (b = 1; b <= qr.boots; b++) {
		boot_reps(qr.reps, qr.boots, b, &first, &last);
		for (i = 0; i < qr.nk; i++) {
			if (boot_once(&qr, &qr.k[i], b, first, last, NULL))
				goto stopped;
		}
	}
	t_boots = now_s() - t_boots;
	t_count = now_s();
	for (i = 0; (qr.plugin || qr.count_pmu) && i < qr.nk && !spawn_interrupted(); i++)
		count_kernel(&qr, &qr.k[i]);
	t_count = now_s() - t_count;
	time_split(&qr, t_kernels, t_boots, t_count);
stopped:
	/* one kernel failing ends the interleaving: the others' runs are incomplete */
	for (i = 0; i < qr.nk; i++) {
		if (!qr.k[i].state && (qr.k[i].reps_done + qr.k[i].reps_failed) <
		    qr.m.nr * qr.reps) {
			qr.k[i].state = spawn_interrupted() ? "interrupted" : "failed";
			strbuf_addstr(&qr.k[i].reason, "stopped early: another boot failed");
		}
	}
	code = finish_runs(&qr, !o->no_summary);
	for (i = 0; o->runs && i < qr.nk; i++)
		o->runs[i] = qr.k[i].run;
out:
	strvec_clear(&disk_names);
	qemu_run_release(&qr);
	return code;
}
