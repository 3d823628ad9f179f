// SPDX-License-Identifier: GPL-2.0-only
#include "collectors/collector.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectors/vmstat.h"
#include "common/log.h"
#include "common/strbuf.h"

#define VMSTAT_PATH "/proc/vmstat"
/* perf stat -x, writes a line per event: a megabyte is garbage, not counters */

/* vmstat: counter deltas around the workload (pins per I/O above all) */

static int vmstat_enabled(const struct rep_ctx *ctx)
{
	/* a workload that counts its own pins counts them over its measured I/O alone */
	return ctx->cfg->vmstat && !ctx->own_pins;
}

static int vmstat_snapshot(struct vmstat *snap)
{
	struct strbuf why = STRBUF_INIT;
	int ret = vmstat_read(VMSTAT_PATH, snap, &why);

	if (ret)
		error("%s", why.buf);
	strbuf_release(&why);
	return ret;
}

static int vmstat_before(struct rep_ctx *ctx, void **priv)
{
	struct vmstat *before = xcalloc(1, sizeof(*before));
	struct vmstat init = VMSTAT_INIT;

	(void)ctx;
	*before = init;
	*priv = NULL;
	if (vmstat_snapshot(before)) {
		free(before);
		return -1;
	}
	*priv = before;
	return 0;
}

static int vmstat_after(struct rep_ctx *ctx, void *priv)
{
	struct vmstat after = VMSTAT_INIT;

	if (vmstat_snapshot(&after))
		return -1;
	vmstat_deltas(priv, &after, &ctx->cfg->vmstat_counters, ctx->total_ios, ctx->samples);
	vmstat_release(&after);
	return 0;
}

static void vmstat_priv_release(void *priv)
{
	if (priv)
		vmstat_release(priv);
	free(priv);
}

const struct collector vmstat_collector = {
	.name = "vmstat",
	.enabled = vmstat_enabled,
	.before = vmstat_before,
	.after = vmstat_after,
	.release = vmstat_priv_release,
};

/* perf_stat: software (and, with a PMU, hardware) counters of the workload */

struct perf_stat_priv {
	struct strbuf outfile;
	int wrapped;
};

static int perf_stat_enabled(const struct rep_ctx *ctx)
{
	return ctx->cfg->perf_stat && ctx->perf && ctx->perf->usable;
}

static int perf_stat_before(struct rep_ctx *ctx, void **priv)
{
	struct perf_stat_priv *ps = xcalloc(1, sizeof(*ps));

	strbuf_init(&ps->outfile, 0);
	strbuf_addf(&ps->outfile, "%s/perf-stat.csv", ctx->workdir);
	/* a file left from an earlier repetition must not pass for this one's */
	if (unlink(ps->outfile.buf) && errno != ENOENT) {
		error("cannot remove '%s': %s", ps->outfile.buf, errstr());
		strbuf_release(&ps->outfile);
		free(ps);
		*priv = NULL;
		return -1;
	}
	*priv = ps;
	return 0;
}

static void perf_stat_wrap(struct rep_ctx *ctx, void *priv, struct strvec *argv)
{
	struct perf_stat_priv *ps = priv;
	struct strvec events = STRVEC_INIT;
	struct strvec wrapped = STRVEC_INIT;

	strvec_pushv(&events, ctx->cfg->perf_events.v);
	if (ctx->perf->hw_events)
		strvec_pushv(&events, ctx->cfg->perf_hw_events.v);
	if (events.nr) {
		perf_stat_argv(&events, ps->outfile.buf, argv, &wrapped);
		strvec_clear(argv);
		*argv = wrapped;
		ps->wrapped = 1;
	}
	strvec_clear(&events);
}

static int perf_stat_after(struct rep_ctx *ctx, void *priv)
{
	struct perf_stat_priv *ps = priv;
	struct strbuf buf = STRBUF_INIT, why = STRBUF_INIT;
	int ret = -1;

	if (!ps->wrapped)
		return 0;	/* no events configured: nothing was counted */
	if (strbuf_read_file(&buf, ps->outfile.buf, PERF_STAT_MAX_BYTES)) {
		error("cannot read perf stat output '%s': %s", ps->outfile.buf, errstr());
		goto out;
	}
	if (!buf.len) {
		error("perf stat wrote nothing to '%s'", ps->outfile.buf);
		goto out;
	}
	if (perf_stat_parse(buf.buf, buf.len, ctx->samples, &why)) {
		error("'%s': %s", ps->outfile.buf, why.buf);
		goto out;
	}
	perf_per_io(ctx->samples, ctx->total_ios);
	ret = 0;
out:
	strbuf_release(&why);
	strbuf_release(&buf);
	return ret;
}

static void perf_stat_release(void *priv)
{
	struct perf_stat_priv *ps = priv;

	if (ps)
		strbuf_release(&ps->outfile);
	free(ps);
}

const struct collector perf_stat_collector = {
	.name = "perf_stat",
	.enabled = perf_stat_enabled,
	.before = perf_stat_before,
	.wrap = perf_stat_wrap,
	.after = perf_stat_after,
	.release = perf_stat_release,
};

const struct collector *const collectors[] = {
	&vmstat_collector,
	&perf_stat_collector,
	NULL,
};
