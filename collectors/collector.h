/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_COLLECTOR_H
#define PINBENCH_COLLECTOR_H

#include "collectors/perf.h"
#include "collectors/sample.h"
#include "common/config.h"
#include "common/strvec.h"

/*
 * A collector measures something around one repetition of a fio job, after
 * fio's ioengine_ops: one file per collector, one explicit table below.
 *
 * For each repetition the runner calls, for every enabled collector:
 *   before()  just before the workload starts (take a snapshot ...),
 *   wrap()    to prepend a wrapper to the workload argv (perf stat ...),
 * then runs the workload, parses fio's output into ctx->samples (and sets
 * ctx->total_ios), then calls after() so the collector adds its samples, and
 * release() in every case. A collector that cannot measure on this machine
 * adds unavailable samples or warns; it fails the repetition only when its
 * own input is garbage (after() returns -1 with an error printed).
 */
struct rep_ctx {
	const struct config *cfg;
	const struct perf_caps *perf;	/* what perf can do here */
	const char *workdir;		/* private scratch for this repetition's files */
	struct sample_set *samples;	/* fio's samples are already here in after() */
	double total_ios;		/* fio.total_ios of this repetition */
	int own_pins;			/* the workload reports its pins itself (dio-cases) */
};

struct collector {
	const char *name;
	int (*enabled)(const struct rep_ctx *ctx);
	int (*before)(struct rep_ctx *ctx, void **priv);
	void (*wrap)(struct rep_ctx *ctx, void *priv, struct strvec *argv);	/* optional */
	int (*after)(struct rep_ctx *ctx, void *priv);
	void (*release)(void *priv);
};

extern const struct collector vmstat_collector;
extern const struct collector perf_stat_collector;

/* NULL-terminated, in the order they wrap the workload (outermost last). */
extern const struct collector *const collectors[];

#endif
