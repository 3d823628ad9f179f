/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_SAMPLE_H
#define PINBENCH_SAMPLE_H

#include <stddef.h>

/*
 * One measured value of one repetition: the row sample(run, job, rep,
 * metric, value, unit) without the keys. Metric names are dotted and stable
 * ("fio.read.iops", "vmstat.nr_foll_pin_released", "pin.released_per_io",
 * "perf.task_clock", "profile.pin_share_pct"). A value the machine could not
 * measure (perf's <not supported>, a counter missing from /proc/vmstat) is
 * kept with available = 0 and stored as NULL: never as 0.
 */
struct sample {
	char *metric;
	char *unit;
	double value;
	int available;
};

struct sample_set {
	struct sample *v;
	size_t nr;
	size_t alloc;
};

#define SAMPLE_SET_INIT { NULL, 0, 0 }

/* Add or replace (same metric name) a value. */
void sample_set_add(struct sample_set *set, const char *metric, double value, const char *unit);
void sample_set_add_unavailable(struct sample_set *set, const char *metric, const char *unit);
/* The sample of that name, or NULL. */
const struct sample *sample_set_find(const struct sample_set *set, const char *metric);
/* Value of an available sample, or `fallback`. */
double sample_set_value(const struct sample_set *set, const char *metric, double fallback);
void sample_set_clear(struct sample_set *set);

/* Which direction is better for a metric: +1 higher, -1 lower, 0 neither/unknown. */
int metric_direction(const char *metric);

#endif
