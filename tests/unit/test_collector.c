// SPDX-License-Identifier: GPL-2.0-only
#include "collectors/collector.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/spawn.h"
#include "common/strbuf.h"
#include "tests/tap.h"

/*
 * Both collectors around one real 1 s fio O_DIRECT run. struct config is
 * filled by hand: common/config.c is not what is under test here.
 */
static void config_fill(struct config *cfg)
{
	struct strvec empty = STRVEC_INIT;

	memset(cfg, 0, sizeof(*cfg));
	cfg->vmstat_counters = cfg->perf_events = cfg->perf_hw_events = empty;
	cfg->vmstat = 1;
	strvec_split(&cfg->vmstat_counters, "nr_foll_pin_acquired nr_foll_pin_released");
	cfg->perf_stat = 1;
	strvec_split(&cfg->perf_events, "task-clock,context-switches,page-faults");
	strvec_split(&cfg->perf_hw_events, "cycles instructions");
}

static void config_free(struct config *cfg)
{
	strvec_clear(&cfg->vmstat_counters);
	strvec_clear(&cfg->perf_events);
	strvec_clear(&cfg->perf_hw_events);
}

/* fio.total_ios, roughly as collectors/fio.c computes it: all jobs, both directions */
static double fio_total_ios(const char *json)
{
	json_t *root = json_loads(json, 0, NULL), *job;
	double total = 0;
	size_t i;

	json_array_foreach(json_object_get(root, "jobs"), i, job) {
		total += json_number_value(json_object_get(json_object_get(job, "read"),
							   "total_ios"));
		total += json_number_value(json_object_get(json_object_get(job, "write"),
							   "total_ios"));
	}
	json_decref(root);
	return total;
}

static void fio_argv(const char *dir, struct strvec *argv)
{
	strvec_push(argv, "fio");
	strvec_push(argv, "--name=collector-test");
	strvec_pushf(argv, "--directory=%s", dir);
	strvec_split(argv, "--rw=randread --bs=4k --size=16m --direct=1 --ioengine=psync "
		     "--runtime=1 --time_based --output-format=json");
}

static void test_table(const struct rep_ctx *ctx)
{
	struct config off = *ctx->cfg;
	struct perf_caps nope = { .usable = 0 };
	struct rep_ctx c = *ctx;

	ok(collectors[0] == &vmstat_collector && collectors[1] == &perf_stat_collector &&
	   !collectors[2], "table: vmstat, perf_stat, NULL");
	is_str(vmstat_collector.name, "vmstat", "vmstat name");
	is_str(perf_stat_collector.name, "perf_stat", "perf_stat name");
	ok(!vmstat_collector.wrap && perf_stat_collector.wrap, "only perf stat wraps");

	off.vmstat = off.perf_stat = 0;
	c.cfg = &off;
	ok(!vmstat_collector.enabled(&c), "vmstat off in config");
	ok(!perf_stat_collector.enabled(&c), "perf_stat off in config");
	c.cfg = ctx->cfg;
	c.perf = &nope;
	ok(!perf_stat_collector.enabled(&c), "perf_stat off when perf is unusable");
	c.perf = NULL;
	ok(!perf_stat_collector.enabled(&c), "perf_stat off without a probe");
}

/* One repetition as the runner drives it; returns the workload's status. */
static int run_rep(struct rep_ctx *ctx, struct child *fio)
{
	void *priv[8] = { NULL };
	int i, status = -1;

	for (i = 0; collectors[i]; i++) {
		if (!collectors[i]->enabled(ctx))
			continue;
		ok(!collectors[i]->before(ctx, &priv[i]), "before() succeeds");
		if (collectors[i]->wrap)
			collectors[i]->wrap(ctx, priv[i], &fio->args);
	}
	is_str(fio->args.v[0], "perf", "perf stat wraps fio");
	if (!spawn_run(fio))
		status = fio->status;
	ctx->total_ios = fio_total_ios(fio->out.buf);
	for (i = 0; collectors[i]; i++) {
		if (!collectors[i]->enabled(ctx))
			continue;
		ok(!collectors[i]->after(ctx, priv[i]), "after() succeeds");
		collectors[i]->release(priv[i]);
	}
	return status;
}

/* after() without the perf stat file (the workload never ran) is garbage, not silence */
static void test_missing_output(struct rep_ctx *ctx, struct strvec *argv)
{
	void *priv = NULL;

	ok(!perf_stat_collector.before(ctx, &priv), "perf_stat before");
	perf_stat_collector.wrap(ctx, priv, argv);
	is_int(perf_stat_collector.after(ctx, priv), -1, "no output file is an error");
	perf_stat_collector.release(priv);
}

static void check_available(const struct sample_set *set, const char *metric)
{
	const struct sample *s = sample_set_find(set, metric);

	ok(s && s->available && s->value > 0, metric);
}

int main(void)
{
	char dir[] = "/tmp/pinbench-test-collector-XXXXXX";
	struct config cfg;
	struct perf_caps caps;
	struct sample_set samples = SAMPLE_SET_INIT;
	struct rep_ctx ctx = { .cfg = &cfg, .perf = &caps, .samples = &samples };
	struct child fio = CHILD_INIT;
	struct strbuf path = STRBUF_INIT;

	if (!mkdtemp(dir))
		return ok(0, "mkdtemp"), done_testing();
	config_fill(&cfg);
	perf_probe(&caps);
	ok(caps.usable, "perf usable");
	ctx.workdir = dir;
	test_table(&ctx);

	fio_argv(dir, &fio.args);
	fio.flags = SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	fio.timeout_ms = 60000;
	is_int(run_rep(&ctx, &fio), 0, "fio under perf stat exits 0");
	ok(ctx.total_ios > 0, "fio did I/O");

	check_available(&samples, "perf.task_clock");
	is_str(sample_set_find(&samples, "perf.task_clock") ?
	       sample_set_find(&samples, "perf.task_clock")->unit : NULL, "msec", "msec");
	ok(sample_set_find(&samples, "perf.context_switches"), "context switches counted");
	ok(caps.hw_events || !sample_set_find(&samples, "perf.cycles"),
	   "hardware events only with a PMU");
	check_available(&samples, "vmstat.nr_foll_pin_acquired");
	check_available(&samples, "vmstat.nr_foll_pin_released");
	check_available(&samples, "pin.released_per_io");
	check_available(&samples, "pin.acquired_per_io");

	printf("# %.0f I/Os, %.3f pins acquired and %.3f released per I/O\n", ctx.total_ios,
	       sample_set_value(&samples, "pin.acquired_per_io", -1),
	       sample_set_value(&samples, "pin.released_per_io", -1));
	test_missing_output(&ctx, &fio.args);

	strbuf_addf(&path, "%s/perf-stat.csv", dir);
	unlink(path.buf);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/collector-test.0.0", dir);
	unlink(path.buf);
	rmdir(dir);
	strbuf_release(&path);
	child_release(&fio);
	sample_set_clear(&samples);
	perf_caps_release(&caps);
	config_free(&cfg);
	return done_testing();
}
