// SPDX-License-Identifier: GPL-2.0-only
/*
 * Executing jobs through the collectors, on whatever kernel runs us: the
 * host's for `run --target host`, the kernel under test for the agent.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectors/collector.h"
#include "collectors/dioproof.h"
#include "collectors/fio.h"
#include "collectors/perf.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/spawn.h"
#include "common/untrusted.h"
#include "runner/cost.h"
#include "runner/execute.h"
#include "runner/host.h"
#include "workloads/diocase.h"

/* The proof pass is short: kprobe hits are counts, a second of I/O gives thousands. */
#define PROOF_MS 1000
/*
 * The warm-up takes fio's file layout and TCG's first translation of the
 * I/O path (the first few hundred I/Os) out of the first repetition.
 * Measured under TCG, 8 jobs: the second repetition of a boot was still
 * 7 % faster than the first after a 1-s warm-up and 9 % after this one, so
 * a longer warm-up buys nothing; paired boots carry the step on both sides.
 */
#define WARMUP_MS 250

void exec_eta(time_t started, size_t done, size_t total, struct strbuf *out)
{
	double left;

	if (!done) {
		strbuf_addstr(out, "eta --");
		return;
	}
	left = difftime(time(NULL), started) / (double)done * (double)(total - done);
	strbuf_addf(out, "eta %dm%02ds", (int)left / 60, (int)left % 60);
}

static void progress(const struct exec_state *es, const struct job_spec *job, unsigned rep,
		     const struct sample_set *s, const char *status)
{
	struct strbuf line = STRBUF_INIT;
	double iops = sample_set_value(s, "fio.read.iops", 0) + sample_set_value(s, "fio.write.iops", 0) +
		      sample_set_value(s, "case.iops", 0);
	const struct sample *leaked = sample_set_find(s, "case.leaked_pages");
	const struct sample *pins = sample_set_find(s, "pin.released_per_io");
	const struct sample *cost = sample_set_find(s, "cost.kernel_insns_per_io");

	strbuf_addf(&line, "[%zu/%zu] %s rep %u: ", es->reps_done, es->reps_total, job->name, rep);
	if (status)
		strbuf_addstr(&line, status);
	else if (!sample_set_find(s, "fio.total_ios") && !sample_set_find(s, "case.total_ios") &&
		 cost && cost->available)
		strbuf_addf(&line, "%.0f kernel instructions/IO (counted)", cost->value);
	else if (!sample_set_find(s, "fio.total_ios") && !sample_set_find(s, "case.total_ios") &&
		 cost)
		strbuf_addstr(&line, "counted, but no cost rows");
	else
		strbuf_addf(&line, "%.0f IOPS", iops);
	if (!status && pins && pins->available)
		strbuf_addf(&line, ", %.2f pins released/IO", pins->value);
	if (!status && leaked && leaked->available && leaked->value > 0)
		strbuf_addf(&line, ", %.0f pages still pinned", leaked->value);
	strbuf_addstr(&line, ", ");
	exec_eta(es->started, es->reps_done, es->reps_total, &line);
	info("%s", line.buf);
	strbuf_release(&line);
}

static enum rep_outcome store_failure(struct exec_state *es, const struct job_spec *job,
				      unsigned rep, const char *message)
{
	es->reps_failed++;
	warning("%s rep %u failed: %s", job->name, rep, message);
	if (es->sink->failed(es->sink->data, job, rep, message)) {
		strbuf_addstr(&es->fatal, "cannot store a failed repetition");
		return REP_FATAL;
	}
	return REP_FAILED;
}

/* Start the workload; -1 only when it could not be started at all. */
static int run_workload(struct child *c, struct strvec *argv, unsigned timeout_s)
{
	strvec_pushv(&c->args, argv->v);
	c->flags = SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	c->timeout_ms = timeout_s * 1000;
	return spawn_run(c);
}

static unsigned job_timeout(const struct exec_state *es, const struct job_spec *job)
{
	return job->ramp + job->runtime + es->cfg->timeout;
}

/*
 * The ramp runs as a fio pass of its own, unmeasured, before the collectors
 * take their snapshots: fio's --ramp_time leaves the ramp's I/Os out of its
 * counts, but vmstat deltas and perf stat (which wraps all of fio) would count
 * it, and pins per I/O would divide the ramp's pins by the measured I/Os.
 */
static enum rep_outcome ramp_pass(struct exec_state *es, const struct job_spec *job,
				  const char *dir, struct strbuf *why)
{
	struct strvec argv = STRVEC_INIT;
	struct child c = CHILD_INIT;
	enum rep_outcome ret = REP_OK;
	struct fio_job fj;

	job_spec_fio(job, dir, &fj);
	fj.runtime_s = job->ramp;
	fj.ramp_s = 0;
	fio_job_argv(&fj, &argv);
	if (run_workload(&c, &argv, job->ramp + es->cfg->timeout)) {
		strbuf_addf(why, "ramp: cannot start '%s': %s", argv.v[0], errstr());
		ret = REP_FAILED;
	} else if (c.interrupted) {
		ret = REP_INTERRUPTED;
	} else if (c.timed_out || c.status) {
		strbuf_addstr(why, "ramp: ");
		if (c.timed_out)
			spawn_describe(&c, why);
		else
			fio_describe_failure(c.status, c.err.buf, why);
		ret = REP_FAILED;
	}
	strvec_clear(&argv);
	child_release(&c);
	return ret;
}

/*
 * What a counted fio run did between its two marks: which marks, how long
 * (guest monotonic seconds, the clock the guest's timers follow) and how
 * many I/Os. A counted repetition is two runs: the job with a fixed number
 * of I/Os per fio job ([cost] ios: the same offsets, so the same work, in
 * every boot), then the idle run, the job for as long as that took at one
 * I/O per second. The difference is the I/Os' own: fio's start and exit
 * and whatever runs per second of wall time (fio's polling, the agent's,
 * kernel threads) are in both (runner/cost.h).
 */
struct count_pass {
	unsigned long long begin, end;	/* the marks around it (TCG) */
	double seconds, ios;
	int ok;
	struct cost_pmu_pass pmu;	/* perf's counts of it (a PMU) */
};

/* A counted repetition: fio alone, between marks or under perf stat (runner/cost.h). */
static int counting(const struct exec_state *es)
{
	return es->marker || es->pmu;
}

/* Drop every sample but the cost rows. */
static void keep_cost_rows(struct sample_set *s)
{
	struct sample_set kept = SAMPLE_SET_INIT;
	size_t i;

	for (i = 0; i < s->nr; i++) {
		if (strncmp(s->v[i].metric, "cost.", 5))
			continue;
		if (s->v[i].available)
			sample_set_add(&kept, s->v[i].metric, s->v[i].value, s->v[i].unit);
		else
			sample_set_add_unavailable(&kept, s->v[i].metric, s->v[i].unit);
	}
	sample_set_clear(s);
	*s = kept;
}

/* perf stat's counts of the [cost] pmu_events into pass->pmu; 0 or -1 (warned). */
static int read_pmu_counts(const struct exec_state *es, const char *file, struct count_pass *pass)
{
	const struct strvec *events = &es->cfg->cost.pmu_events;
	struct sample_set set = SAMPLE_SET_INIT;
	struct strbuf buf = STRBUF_INIT, why = STRBUF_INIT, metric = STRBUF_INIT;
	size_t i;
	int ret = -1;

	if (strbuf_read_file(&buf, file, PERF_STAT_MAX_BYTES) ||
	    perf_stat_parse(buf.buf, buf.len, &set, &why)) {
		warning("'%s': %s: no cost rows for this run", file, why.len ? why.buf : errstr());
		goto out;
	}
	for (i = 0; i < events->nr && i < COST_PMU_EVENTS; i++) {
		const struct sample *v;

		strbuf_reset(&metric);
		perf_event_metric(events->v[i], &metric);
		v = sample_set_find(&set, metric.buf);
		if (!v || !v->available) {
			warning("perf counted no '%s' in a counted run: no cost rows for it",
				events->v[i]);
			goto out;
		}
		pass->pmu.count[i] = v->value;
	}
	ret = 0;
out:
	sample_set_clear(&set);
	strbuf_release(&buf);
	strbuf_release(&why);
	strbuf_release(&metric);
	return ret;
}

static double monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void add_pass(struct sample_set *s, const char *prefix, const struct count_pass *p)
{
	struct strbuf name = STRBUF_INIT;

	if (!p->ok)
		return;
	strbuf_addf(&name, "count.%smark_begin", prefix);
	sample_set_add(s, name.buf, (double)p->begin, "mark");
	strbuf_reset(&name);
	strbuf_addf(&name, "count.%smark_end", prefix);
	sample_set_add(s, name.buf, (double)p->end, "mark");
	strbuf_reset(&name);
	strbuf_addf(&name, "count.%sseconds", prefix);
	sample_set_add(s, name.buf, p->seconds, "s");
	if (*prefix) {
		strbuf_reset(&name);
		strbuf_addf(&name, "count.%sios", prefix);
		sample_set_add(s, name.buf, p->ios, "io");
	}
	strbuf_release(&name);
}

/*
 * Before each counted run, outside its marks: the page cache and slab
 * caches dropped and memory compacted (which drains the LRU batches and
 * per-CPU page lists), so that memory-management work batched from before
 * does not land inside the marks of one run and not another's. Measured
 * under TCG: it halves the A/A spread of cost.kernel_insns_per_io.
 */
static void settle_memory(void)
{
	static const char *const knobs[][2] = {
		{ "/proc/sys/vm/drop_caches", "3\n" }, { "/proc/sys/vm/compact_memory", "1\n" },
	};
	size_t i;

	sync();
	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		FILE *f = fopen(knobs[i][0], "w");

		if (f) {
			fputs(knobs[i][1], f);
			fclose(f);
		}
	}
}

/* The fio options of every counted run: no work of fio's own that scales with wall time. */
static void quiet_fio(struct fio_job *fj)
{
	fj->ramp_s = 0;
	fj->no_disk_util = 1;		/* the helper thread's /sys/block reads every 250 ms */
	fj->clock_gettime = 1;		/* no busy-loop calibration of the CPU clock at start */
}

/*
 * A counted run: memory settled, then the workload between two marks, or
 * under perf stat where a PMU counts; timed.
 */
static int run_marked(struct exec_state *es, struct child *c, struct strvec *argv,
		      unsigned timeout_s, struct count_pass *pass)
{
	struct strbuf file = STRBUF_INIT;
	double t0;
	int r;

	if (es->pmu) {
		struct strvec wrapped = STRVEC_INIT;

		strbuf_addf(&file, "%s/count-pmu.csv", es->tmpdir);
		unlink(file.buf);	/* never an earlier run's counts */
		perf_stat_argv(&es->cfg->cost.pmu_events, file.buf, argv, &wrapped);
		strvec_clear(argv);
		*argv = wrapped;
	}
	settle_memory();
	t0 = monotonic_s();
	if (es->marker)
		pass->begin = marker_hit(es->marker);
	r = run_workload(c, argv, timeout_s);
	if (es->marker)
		pass->end = marker_hit(es->marker);
	pass->seconds = monotonic_s() - t0;
	if (es->pmu && !r && !c->status && !c->timed_out && !c->interrupted)
		pass->pmu.ok = !read_pmu_counts(es, file.buf, pass);
	strbuf_release(&file);
	return r;
}

static enum rep_outcome count_idle(struct exec_state *es, const struct job_spec *job,
				   const char *dir, double seconds, struct count_pass *pass);

/*
 * A dio-cases repetition's output into samples; what did not apply on this
 * kernel or filesystem is said once per job (its first repetition).
 */
static int case_output(struct exec_state *es, const struct job_spec *job, unsigned rep,
		       const struct child *c, struct sample_set *samples, struct strbuf *why)
{
	struct strbuf notes = STRBUF_INIT;
	char *line, *nl;

	if (c->status) {
		struct strbuf err = STRBUF_INIT;

		spawn_describe(c, why);
		strbuf_addstr(&err, c->err.buf);
		strbuf_rtrim(&err);
		if (err.len) {
			strbuf_addstr(why, ": ");
			strbuf_add_escaped(why, err.buf, 300);
		}
		strbuf_release(&err);
		return -1;
	}
	if (dio_case_parse(c->out.buf, c->out.len, samples, &notes, why)) {
		strbuf_release(&notes);
		return -1;
	}
	for (line = notes.buf; rep == es->first_rep && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		*nl = '\0';
		info("%s: %s", job->name, line);
	}
	strbuf_release(&notes);
	return 0;
}

/*
 * What must not pass unnoticed: a page of the buffer still pinned after
 * the I/O (a leaked pin) and data that did not read back. Flagged with the
 * run (as a pin imbalance is), and the samples carry the counts for compare.
 */
static int case_flags(struct exec_state *es, const struct job_spec *job, unsigned rep,
		      const struct sample_set *s)
{
	const struct sample *leaked = sample_set_find(s, "case.leaked_pages");
	double errors = sample_set_value(s, "case.data_errors", 0);
	struct strbuf msg = STRBUF_INIT;
	int ret = 0;

	if (leaked && leaked->available && leaked->value > 0) {
		strbuf_addf(&msg, "%s: repetition %u: %.0f page%s of the buffer still pinned after "
			    "the I/O completed (fork() copies them): a pin leaked, %+.2f pins "
			    "released per I/O", job->name, rep, leaked->value,
			    leaked->value == 1 ? "" : "s",
			    sample_set_value(s, "pin.released_per_io", NAN) -
			    sample_set_value(s, "pin.acquired_per_io", NAN));
		warning("%s", msg.buf);
		ret |= es->sink->flag(es->sink->data, job, "pin_leak", msg.buf);
		strbuf_reset(&msg);
	}
	if (errors > 0) {
		strbuf_addf(&msg, "%s: repetition %u: %.0f I/O%s did not read back as written",
			    job->name, rep, errors, errors == 1 ? "" : "s");
		warning("%s", msg.buf);
		ret |= es->sink->flag(es->sink->data, job, "data_error", msg.buf);
	}
	strbuf_release(&msg);
	return ret;
}

static enum rep_outcome run_rep(struct exec_state *es, const struct job_spec *job,
				const char *dir, unsigned rep)
{
	struct sample_set samples = SAMPLE_SET_INIT;
	struct rep_ctx ctx = { es->cfg, &es->perf, es->tmpdir, &samples, 0, job->dcase != NULL };
	void *priv[8] = { NULL };
	int active[8] = { 0 };
	struct strvec argv = STRVEC_INIT;
	struct child c = CHILD_INIT;
	struct strbuf why = STRBUF_INIT;
	struct fio_job fj;
	enum rep_outcome ret = REP_OK;
	struct count_pass counted = { .ok = 1 }, idle = { .ok = 0 };
	size_t i;
	int r;

	if (spawn_interrupted())
		return REP_INTERRUPTED;
	if (job->ramp) {
		ret = ramp_pass(es, job, dir, &why);
		if (ret == REP_INTERRUPTED)
			goto out;
		if (ret == REP_FAILED)
			goto failed;
	}
	/* counting: nothing of ours may run between the marks but fio */
	for (i = 0; collectors[i] && !counting(es); i++) {
		if (!collectors[i]->enabled(&ctx))
			continue;
		if (collectors[i]->before(&ctx, &priv[i])) {
			strbuf_addf(&why, "collector %s could not start", collectors[i]->name);
			goto failed;
		}
		active[i] = 1;
	}
	job_spec_fio(job, dir, &fj);
	fj.ramp_s = 0;	/* ramped above, outside what the collectors count */
	if (counting(es)) {
		quiet_fio(&fj);
		fj.runtime_s = 0;
		fj.io_size = (unsigned long long)es->cfg->cost.ios * job->bs;
	}
	if (job->dcase)
		dio_case_argv(es->self, job->dcase, dir, job->runtime * 1000, &argv);
	else
		fio_job_argv(&fj, &argv);
	for (i = 0; collectors[i]; i++)
		if (active[i] && collectors[i]->wrap)
			collectors[i]->wrap(&ctx, priv[i], &argv);

	if (counting(es))
		r = run_marked(es, &c, &argv, job_timeout(es, job), &counted);
	else
		r = run_workload(&c, &argv, job_timeout(es, job));
	if (r) {
		if (errno == ENOENT)
			strbuf_addf(&es->fatal, "'%s' not found (Debian package %s)", argv.v[0],
				    !strcmp(argv.v[0], "perf") ? "linux-perf" : "fio");
		else
			strbuf_addf(&es->fatal, "cannot start '%s': %s", argv.v[0], errstr());
		error("%s", es->fatal.buf);
		ret = REP_FATAL;
		goto out;
	}
	if (c.interrupted) {
		ret = REP_INTERRUPTED;
		goto out;
	}
	if (c.timed_out) {
		spawn_describe(&c, &why);
		goto failed;
	}
	if (c.out_truncated) {
		strbuf_addf(&why, "%s's output passed the capture limit: not parsed",
			    job->dcase ? "dio-case" : "fio");
		goto failed;
	}
	if (job->dcase) {
		if (case_output(es, job, rep, &c, &samples, &why))
			goto failed;
		r = FIO_OK;
	} else {
		r = fio_parse(c.out.buf, c.out.len, &samples, &why);
	}
	if (r == FIO_GARBAGE && c.status) {
		strbuf_reset(&why);
		fio_describe_failure(c.status, c.err.buf, &why);
	}
	if (r != FIO_OK)
		goto failed;
	if (c.status) {
		fio_describe_failure(c.status, c.err.buf, &why);
		goto failed;
	}
	ctx.total_ios = sample_set_value(&samples, job->dcase ? "case.total_ios" : "fio.total_ios", 0);
	if (counting(es)) {
		/* as long as fio's own I/O phase: both runs start and exit alike */
		ret = count_idle(es, job, dir,
				 fmax(sample_set_value(&samples, "fio.read.runtime_ms", 0),
				      sample_set_value(&samples, "fio.write.runtime_ms", 0)) / 1000,
				 &idle);
		if (ret == REP_INTERRUPTED)
			goto out;
		ret = REP_OK;
		if (es->pmu) {
			counted.pmu.ios = ctx.total_ios;
			idle.pmu.ios = idle.ios;
			idle.pmu.ok &= idle.ok;
			cost_pmu_rows(&counted.pmu, &idle.pmu, &samples);
		} else {
			add_pass(&samples, "", &counted);
			add_pass(&samples, "idle_", &idle);
		}
	}
	for (i = 0; collectors[i]; i++) {
		if (active[i] && collectors[i]->after(&ctx, priv[i])) {
			strbuf_addf(&why, "collector %s: output could not be read", collectors[i]->name);
			goto failed;
		}
	}
	if (es->pmu)
		keep_cost_rows(&samples);	/* fio's figures of a fixed-I/O run are no sample */
	if (es->sink->store(es->sink->data, job, rep, &samples) ||
	    (job->dcase && case_flags(es, job, rep, &samples))) {
		strbuf_addstr(&es->fatal, "cannot store a repetition");
		ret = REP_FATAL;
		goto out;
	}
	es->reps_done++;
	progress(es, job, rep, &samples, NULL);
	goto out;

failed:
	es->reps_done++;
	ret = store_failure(es, job, rep, why.len ? why.buf : "unknown failure");
out:
	for (i = 0; collectors[i]; i++)
		if (active[i] && collectors[i]->release)
			collectors[i]->release(priv[i]);
	sample_set_clear(&samples);
	strvec_clear(&argv);
	child_release(&c);
	strbuf_release(&why);
	return ret;
}

/*
 * One extra, unmeasured pass per job under perf record, stored as
 * repetition 0: sampling costs throughput, so it never touches the
 * measured repetitions. Its samples go to pass (repetition 0).
 */
/*
 * Sampled on cycles, the share of the [cost] functions is
 * cost.pin_path_share_pct from the PMU: a sampled, so noisy, row
 * (source pmu-sampled), never compared with a counted one.
 */
static void add_sampled_share(const struct exec_state *es, const struct child *report,
			      struct sample_set *pass)
{
	struct sample_set set = SAMPLE_SET_INIT;
	struct strbuf why = STRBUF_INIT;
	const struct sample *share;

	if (!perf_report_parse(report->out.buf, report->out.len, &es->cfg->cost.functions, 0,
			       &set, &why) &&
	    (share = sample_set_find(&set, "profile.pin_share_pct")) && share->available)
		sample_set_add(pass, "cost.pin_path_share_pct", share->value,
			       "%:" COST_SOURCE_PMU_SAMPLED);
	sample_set_clear(&set);
	strbuf_release(&why);
}

static enum rep_outcome profile_pass(struct exec_state *es, const struct job_spec *job,
				     const char *dir, struct sample_set *pass)
{
	struct strvec fio_argv = STRVEC_INIT, argv = STRVEC_INIT;
	struct child rec = CHILD_INIT, rep = CHILD_INIT;
	struct strbuf data = STRBUF_INIT, why = STRBUF_INIT;
	enum rep_outcome ret = REP_OK;
	struct fio_job fj;

	strbuf_addf(&data, "%s/profile.data", es->tmpdir);
	job_spec_fio(job, dir, &fj);
	fio_job_argv(&fj, &fio_argv);
	perf_record_argv(data.buf, es->perf.hw_events ? "cycles" : "cpu-clock", &fio_argv, &argv);
	info("%s: profiling pass (perf record -e %s, not measured)", job->name,
	     es->perf.hw_events ? "cycles" : "cpu-clock");
	if (run_workload(&rec, &argv, job_timeout(es, job)) || rec.interrupted) {
		ret = rec.interrupted ? REP_INTERRUPTED : REP_FAILED;
		if (!rec.interrupted)
			warning("%s: cannot run perf record: %s", job->name, errstr());
		goto out;
	}
	if (rec.status || rec.timed_out) {
		spawn_describe(&rec, &why);
		strbuf_rtrim(&rec.err);
		warning("%s: perf record failed (%s): %s", job->name, why.buf, rec.err.buf);
		ret = REP_FAILED;
		goto out;
	}
	strvec_clear(&argv);
	perf_report_argv(data.buf, &argv);
	if (run_workload(&rep, &argv, 300) || rep.status || rep.out_truncated) {
		warning("%s: perf report failed", job->name);
		ret = REP_FAILED;
		goto out;
	}
	if (perf_report_parse(rep.out.buf, rep.out.len, &es->cfg->profile_symbols,
			      es->cfg->profile_top, pass, &why)) {
		warning("%s: perf report output: %s", job->name, why.buf);
		ret = REP_FAILED;
		goto out;
	}
	if (es->perf.hw_events)
		add_sampled_share(es, &rep, pass);
out:
	unlink(data.buf);
	strvec_clear(&fio_argv);
	strvec_clear(&argv);
	child_release(&rec);
	child_release(&rep);
	strbuf_release(&data);
	strbuf_release(&why);
	return ret;
}


/* The job, cut to ms milliseconds (never longer than its runtime) without ramp. */
static void short_pass_argv(const struct exec_state *es, const struct job_spec *job,
			    const char *dir, unsigned ms, struct strvec *argv)
{
	struct fio_job fj;

	if (job->dcase) {
		dio_case_argv(es->self, job->dcase, dir, ms, argv);
		return;
	}
	job_spec_fio(job, dir, &fj);
	fj.runtime_ms = job->runtime * 1000 < ms ? job->runtime * 1000 : ms;
	fj.ramp_s = 0;
	fio_job_argv(&fj, argv);
}

/*
 * Did the job go through fs/direct-io.c? Only asked of filesystems whose
 * ->direct_IO is the legacy one; a second of the job under kprobes, never
 * measured. The answer joins repetition 0; no calls at all is flagged.
 */
static enum rep_outcome proof_pass(struct exec_state *es, const struct job_spec *job,
				   const char *dir, struct sample_set *pass)
{
	struct dio_proof proof = DIO_PROOF_INIT;
	struct sample_set fio = SAMPLE_SET_INIT;
	struct strbuf notes = STRBUF_INIT;	/* a case's: its repetitions say them */
	struct strvec argv = STRVEC_INIT;
	struct child c = CHILD_INIT;
	struct strbuf why = STRBUF_INIT;
	enum rep_outcome ret = REP_OK;
	const struct sample *calls;

	if (dio_proof_arm(&proof, job->fs, &why)) {
		warning("legacy direct-I/O proof disabled for this run: %s", why.buf);
		es->dio_proof = 0;
		goto out;
	}
	short_pass_argv(es, job, dir, PROOF_MS, &argv);
	if (run_workload(&c, &argv, job_timeout(es, job)) || c.interrupted) {
		ret = c.interrupted ? REP_INTERRUPTED : REP_FAILED;
		goto out;
	}
	if (c.status || c.timed_out || c.out_truncated ||
	    (job->dcase ? dio_case_parse(c.out.buf, c.out.len, &fio, &notes, &why) :
			  fio_parse(c.out.buf, c.out.len, &fio, &why)) != FIO_OK) {
		warning("%s: the legacy direct-I/O proof pass failed; the repetitions will say more",
			job->name);
		goto out;
	}
	if (dio_proof_collect(&proof, sample_set_value(&fio, job->dcase ? "case.total_ios" :
						       "fio.total_ios", 0), pass, &why)) {
		warning("%s: legacy direct-I/O proof: %s", job->name, why.buf);
		goto out;
	}
	calls = sample_set_find(pass, "dio.legacy_calls");
	if (calls && calls->available && calls->value > 0) {
		info("%s: legacy direct I/O proven: %.0f calls of %s, %.2f per I/O", job->name,
		     calls->value, proof.legacy_symbol,
		     sample_set_value(pass, "dio.legacy_calls_per_io", 0));
	} else {
		strbuf_reset(&why);
		strbuf_addf(&why, "%s claims legacy direct I/O but %s was not called once: this "
			    "job does not measure fs/direct-io.c on this kernel", job->fs,
			    proof.legacy_symbol ? proof.legacy_symbol : "__blockdev_direct_IO");
		warning("%s: %s", job->name, why.buf);
		if (es->sink->flag(es->sink->data, job, "not_legacy_dio", why.buf)) {
			strbuf_addstr(&es->fatal, "cannot store a flag");
			ret = REP_FATAL;
		}
	}
out:
	strbuf_release(&notes);
	dio_proof_release(&proof);
	sample_set_clear(&fio);
	strvec_clear(&argv);
	child_release(&c);
	strbuf_release(&why);
	return ret;
}

/*
 * A short unmeasured pass of the job where no proof pass runs: every job
 * starts its repetitions after the same warm-up in every boot (TCG has
 * translated the code, fio has laid out the file), so the first measured
 * repetition is not the odd one out.
 */
static enum rep_outcome warmup_pass(struct exec_state *es, const struct job_spec *job,
				    const char *dir)
{
	struct strvec argv = STRVEC_INIT;
	struct child c = CHILD_INIT;
	enum rep_outcome ret = REP_OK;

	short_pass_argv(es, job, dir, WARMUP_MS, &argv);
	if (run_workload(&c, &argv, job_timeout(es, job)) || c.interrupted)
		ret = c.interrupted ? REP_INTERRUPTED : REP_FAILED;
	strvec_clear(&argv);
	child_release(&c);
	return ret;
}

/*
 * The idle run of a counted repetition, between its own marks: fio started
 * and ended alike, its I/O phase `seconds` long, but two I/Os per fio job,
 * each followed by a pause. Their number must not follow the wall time: an I/O
 * here comes on cold caches (a FAT chain walked from its start, say) and
 * costs far more than one of the counted run, so at one I/O per second a
 * slower host took more of them and the per-I/O figure fell (measured:
 * -5 % kernel instructions per I/O under a host load, fat_ent_read's 106
 * per I/O down to 18). Failing, it leaves the repetition without cost
 * rows, never without its fio results.
 */
static enum rep_outcome count_idle(struct exec_state *es, const struct job_spec *job,
				   const char *dir, double seconds, struct count_pass *pass)
{
	struct sample_set fio = SAMPLE_SET_INIT;
	struct strvec argv = STRVEC_INIT;
	struct child c = CHILD_INIT;
	struct strbuf why = STRBUF_INIT;
	enum rep_outcome ret = REP_OK;
	struct fio_job fj;

	memset(pass, 0, sizeof(*pass));
	job_spec_fio(job, dir, &fj);
	quiet_fio(&fj);
	fj.runtime_s = fj.runtime_ms = 0;
	fj.number_ios = 2;
	/* fio pauses after the last I/O too: two pauses make the I/O phase */
	fj.thinktime_us = seconds > 2e-6 ? (unsigned long long)(seconds * 1e6 / 2 + 0.5) : 1;
	fio_job_argv(&fj, &argv);
	if (run_marked(es, &c, &argv, job_timeout(es, job) + (unsigned)seconds, pass) ||
	    c.interrupted) {
		ret = c.interrupted ? REP_INTERRUPTED : REP_FAILED;
		goto out;
	}
	if (c.status || c.timed_out || c.out_truncated ||
	    fio_parse(c.out.buf, c.out.len, &fio, &why) != FIO_OK) {
		warning("%s: the idle run of a counted repetition failed: no cost rows for it",
			job->name);
		goto out;
	}
	pass->ios = sample_set_value(&fio, "fio.total_ios", 0);
	pass->ok = 1;
out:
	sample_set_clear(&fio);
	strvec_clear(&argv);
	child_release(&c);
	strbuf_release(&why);
	return ret;
}

static enum rep_outcome exec_job(struct exec_state *es, const struct job_spec *job,
				 const char *dir)
{
	struct sample_set pass = SAMPLE_SET_INIT;
	enum rep_outcome r = REP_OK;
	unsigned rep;

	/* a counted repetition is fio's fixed number of I/Os: the cases have no cost rows */
	if (job->dcase && counting(es))
		return REP_OK;
	if (es->one_off && es->cfg->dio_proof && es->dio_proof && dio_fs_method(job->fs))
		r = proof_pass(es, job, dir, &pass);
	else if (es->warmup)
		r = warmup_pass(es, job, dir);
	for (rep = es->first_rep; rep <= es->last_rep && (r == REP_OK || r == REP_FAILED); rep++)
		r = run_rep(es, job, dir, rep);
	if (r != REP_INTERRUPTED && r != REP_FATAL && es->one_off && es->cfg->perf_profile &&
	    es->perf.usable && !job->dcase)
		r = profile_pass(es, job, dir, &pass);
	if (r != REP_INTERRUPTED && r != REP_FATAL && pass.nr &&
	    es->sink->store(es->sink->data, job, 0, &pass)) {
		strbuf_addstr(&es->fatal, "cannot store the one-off passes");
		r = REP_FATAL;
	}
	sample_set_clear(&pass);
	return r == REP_INTERRUPTED || r == REP_FATAL ? r : REP_OK;
}

enum rep_outcome exec_device(struct exec_state *es, const struct matrix *m, const char *device,
			     const char *fs, const char *dir)
{
	enum rep_outcome r = REP_OK;
	size_t i;

	for (i = 0; i < m->nr && r == REP_OK; i++) {
		if (strcmp(m->jobs[i].device, device) || strcmp(m->jobs[i].fs, fs))
			continue;
		r = exec_job(es, &m->jobs[i], dir);
	}
	return r;
}

/* One filesystem on one device: re-check, mkfs and mount, the jobs, unmount, hold again. */
static enum rep_outcome exec_device_fs(struct exec_state *es, const struct matrix *m,
				       struct safe_device *dev, const char *fs, const char *mnt)
{
	struct strbuf where = STRBUF_INIT;
	enum rep_outcome r = REP_OK;

	/* checked again: something may have mounted it since the plan */
	switch (device_mounted(dev->rdev, &where)) {
	case 0:
		break;
	case 1:
		strbuf_addf(&es->fatal, "device %s was mounted during the run (as '%s')",
			    dev->name, where.buf);
		r = REP_FATAL;
		goto out;
	default:
		strbuf_addf(&es->fatal, "cannot tell whether device %s is in use", dev->name);
		r = REP_FATAL;
		goto out;
	}
	if (host_device_mount(dev, fs, mnt)) {
		strbuf_addf(&es->fatal, "cannot prepare %s on device %s", fs, dev->name);
		r = REP_FATAL;
		goto out;
	}
	r = exec_device(es, m, dev->name, fs, mnt);
	if (host_device_unmount(mnt) && r == REP_OK) {
		strbuf_addf(&es->fatal, "cannot unmount %s", mnt);
		r = REP_FATAL;
	} else if (device_hold(dev) && r == REP_OK) {
		strbuf_addf(&es->fatal, "device %s was taken by another program after the unmount",
			    dev->name);
		r = REP_FATAL;
	}
out:
	strbuf_release(&where);
	return r;
}

enum rep_outcome exec_devices(struct exec_state *es, const struct matrix *m,
			      struct safe_device *devs, size_t ndevs,
			      const struct strvec *filesystems, const char *mnt_base)
{
	enum rep_outcome r = REP_OK;
	size_t d, f;

	for (d = 0; d < ndevs && r == REP_OK; d++) {
		for (f = 0; f < filesystems->nr && r == REP_OK; f++) {
			struct strbuf mnt = STRBUF_INIT;

			strbuf_addf(&mnt, "%s/mnt-%s", mnt_base, devs[d].name);
			r = exec_device_fs(es, m, &devs[d], filesystems->v[f], mnt.buf);
			strbuf_release(&mnt);
		}
	}
	return r;
}

int exec_init(struct exec_state *es, const struct config *cfg, const struct exec_sink *sink,
	      unsigned first_rep, unsigned last_rep)
{
	char tmpl[] = "/tmp/pinbench-run.XXXXXX";

	memset(es, 0, sizeof(*es));
	es->cfg = cfg;
	es->sink = sink;
	es->first_rep = first_rep;
	es->last_rep = last_rep;
	es->dio_proof = geteuid() == 0;
	es->one_off = 1;
	strbuf_init(&es->fatal, 0);
	strbuf_init(&es->perf.why, 0);
	if (!spawn_find_program("fio", NULL))
		return error("fio not found: install it with 'apt-get install fio'"), EXIT_INFRA;
	if (cfg->perf_stat || cfg->perf_profile) {
		perf_probe(&es->perf);
		if (!es->perf.usable)
			warning("perf disabled for this run: %s", es->perf.why.buf);
		else if (!es->perf.hw_events)
			info("perf: no hardware PMU here, software events only");
	}
	if (cfg->dio_proof && !es->dio_proof)
		info("legacy direct-I/O proof needs root (kprobe events): skipped");
	es->self = realpath("/proc/self/exe", NULL);
	if (!es->self)
		return error("cannot resolve /proc/self/exe: %s", errstr()), EXIT_INFRA;
	es->tmpdir = mkdtemp(tmpl) ? xstrdup(tmpl) : NULL;
	if (!es->tmpdir)
		return error("cannot create a temporary directory: %s", errstr()), EXIT_INFRA;
	es->started = time(NULL);
	return EXIT_OK;
}

void exec_release(struct exec_state *es)
{
	if (es->tmpdir && remove_tree(es->tmpdir))
		warning("cannot remove '%s': %s", es->tmpdir, errstr());
	free(es->tmpdir);
	es->tmpdir = NULL;
	free(es->self);
	es->self = NULL;
	perf_caps_release(&es->perf);
	strbuf_release(&es->fatal);
}
