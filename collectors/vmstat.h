/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_VMSTAT_H
#define PINBENCH_VMSTAT_H

#include <stddef.h>

#include "collectors/sample.h"
#include "common/strbuf.h"
#include "common/strvec.h"

/* A snapshot of /proc/vmstat ("name value" lines). */
struct vmstat {
	struct strvec names;
	unsigned long long *values;
	size_t alloc;
};

#define VMSTAT_INIT { STRVEC_INIT, NULL, 0 }

/* Parse vmstat text; malformed lines are an error (-1, why filled). */
int vmstat_parse(const char *buf, size_t len, struct vmstat *snap, struct strbuf *why);
/* Read and parse a file such as /proc/vmstat. */
int vmstat_read(const char *path, struct vmstat *snap, struct strbuf *why);
/* Value of a counter; returns 0 when present, -1 when the kernel lacks it. */
int vmstat_get(const struct vmstat *snap, const char *name, unsigned long long *value);
void vmstat_release(struct vmstat *snap);

/*
 * Store after - before for each counter as "vmstat.NAME" (unit "count"), a
 * counter missing on either side as unavailable, and, when total_ios > 0,
 * pin.acquired_per_io and pin.released_per_io (unit "pins/io") from
 * nr_foll_pin_acquired / nr_foll_pin_released. A counter that went
 * backwards is reported as unavailable (wrap or reset), never negative.
 */
void vmstat_deltas(const struct vmstat *before, const struct vmstat *after,
		   const struct strvec *counters, double total_ios, struct sample_set *out);

#endif
