// SPDX-License-Identifier: GPL-2.0-only
#include "collectors/sample.h"

#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"

static struct sample *slot(struct sample_set *set, const char *metric)
{
	size_t i;

	for (i = 0; i < set->nr; i++) {
		if (!strcmp(set->v[i].metric, metric)) {
			free(set->v[i].unit);
			return &set->v[i];
		}
	}
	if (set->nr == set->alloc) {
		set->alloc = set->alloc ? set->alloc * 2 : 32;
		set->v = xrealloc(set->v, set->alloc * sizeof(*set->v));
	}
	set->v[set->nr].metric = xstrdup(metric);
	return &set->v[set->nr++];
}

void sample_set_add(struct sample_set *set, const char *metric, double value, const char *unit)
{
	struct sample *s = slot(set, metric);

	s->unit = xstrdup(unit ? unit : "");
	s->value = value;
	s->available = 1;
}

void sample_set_add_unavailable(struct sample_set *set, const char *metric, const char *unit)
{
	struct sample *s = slot(set, metric);

	s->unit = xstrdup(unit ? unit : "");
	s->value = 0;
	s->available = 0;
}

const struct sample *sample_set_find(const struct sample_set *set, const char *metric)
{
	size_t i;

	for (i = 0; i < set->nr; i++)
		if (!strcmp(set->v[i].metric, metric))
			return &set->v[i];
	return NULL;
}

double sample_set_value(const struct sample_set *set, const char *metric, double fallback)
{
	const struct sample *s = sample_set_find(set, metric);

	return s && s->available ? s->value : fallback;
}

void sample_set_clear(struct sample_set *set)
{
	size_t i;

	for (i = 0; i < set->nr; i++) {
		free(set->v[i].metric);
		free(set->v[i].unit);
	}
	free(set->v);
	set->v = NULL;
	set->nr = set->alloc = 0;
}

int metric_direction(const char *m)
{
	if (ends_with(m, ".bw_bytes") || ends_with(m, ".iops"))
		return 1;
	/*
	 * CPU over a fixed runtime (fio's usr_cpu and sys_cpu percentages,
	 * perf's totals) falls when the I/O slows down: a slower kernel would
	 * look cheaper. Only CPU per I/O says which is better.
	 */
	if ((starts_with(m, "perf.") || ends_with(m, "_cpu")) && !ends_with(m, "_per_io"))
		return 0;
	/* a share of the kernel's work falls when the rest grows: a change, not a side */
	if (ends_with(m, "_share_pct"))
		return 0;
	/* the dio-cases checks: a page left pinned, data that did not read back */
	if (starts_with(m, "case.") && (ends_with(m, ".leaked_pages") || ends_with(m, ".data_errors")))
		return -1;
	if (strstr(m, ".clat_") || starts_with(m, "pin.") || starts_with(m, "profile.") ||
	    ends_with(m, "_cpu_ns_per_io") || starts_with(m, "perf.") || starts_with(m, "cost."))
		return -1;
	return 0;
}
