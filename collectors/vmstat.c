// SPDX-License-Identifier: GPL-2.0-only
#include "collectors/vmstat.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"

/* /proc/vmstat is a few KiB; anything far larger is not a vmstat file. */
#define VMSTAT_MAX_BYTES (1u << 20)

static void vmstat_add(struct vmstat *snap, const char *name, unsigned long long value)
{
	if (snap->names.nr == snap->alloc) {
		snap->alloc = snap->alloc ? snap->alloc * 2 : 256;
		snap->values = xrealloc(snap->values, snap->alloc * sizeof(*snap->values));
	}
	snap->values[snap->names.nr] = value;
	strvec_push(&snap->names, name);
}

/* strtoull() takes "-1" and " 7"; a counter is plain decimal digits only. */
static int parse_counter(const char *s, unsigned long long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

static int parse_line(char *line, size_t lineno, struct vmstat *snap, struct strbuf *why)
{
	char *save = NULL, *name, *value, *extra;
	unsigned long long v;

	name = strtok_r(line, " \t\r", &save);
	value = name ? strtok_r(NULL, " \t\r", &save) : NULL;
	extra = value ? strtok_r(NULL, " \t\r", &save) : NULL;
	if (!value || extra) {
		strbuf_addf(why, "line %zu: expected 'name value'", lineno);
		return -1;
	}
	if (parse_counter(value, &v)) {
		strbuf_addf(why, "line %zu: value '%s' of '%s' is not a counter",
			    lineno, value, name);
		return -1;
	}
	vmstat_add(snap, name, v);
	return 0;
}

int vmstat_parse(const char *buf, size_t len, struct vmstat *snap, struct strbuf *why)
{
	struct strbuf line = STRBUF_INIT;
	const char *p = buf, *end = buf + len;
	size_t lineno = 0;

	vmstat_release(snap);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		lineno++;
		strbuf_reset(&line);
		strbuf_add(&line, p, n);
		if (parse_line(line.buf, lineno, snap, why))
			goto out_release_snap;
		p += n + 1;
	}
	strbuf_release(&line);
	if (!snap->names.nr) {
		strbuf_addstr(why, "no counters");
		return -1;
	}
	return 0;

out_release_snap:
	strbuf_release(&line);
	vmstat_release(snap);
	return -1;
}

int vmstat_read(const char *path, struct vmstat *snap, struct strbuf *why)
{
	struct strbuf buf = STRBUF_INIT;
	struct strbuf sub = STRBUF_INIT;
	int ret = -1;

	if (strbuf_read_file(&buf, path, VMSTAT_MAX_BYTES)) {
		strbuf_addf(why, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	ret = vmstat_parse(buf.buf, buf.len, snap, &sub);
	if (ret)
		strbuf_addf(why, "'%s': %s", path, sub.buf);
out:
	strbuf_release(&sub);
	strbuf_release(&buf);
	return ret;
}

int vmstat_get(const struct vmstat *snap, const char *name, unsigned long long *value)
{
	size_t i;

	for (i = 0; i < snap->names.nr; i++) {
		if (!strcmp(snap->names.v[i], name)) {
			*value = snap->values[i];
			return 0;
		}
	}
	return -1;
}

void vmstat_release(struct vmstat *snap)
{
	strvec_clear(&snap->names);
	free(snap->values);
	snap->values = NULL;
	snap->alloc = 0;
}

/* after - before, or -1 when either side lacks the counter or it went backwards. */
static int counter_delta(const struct vmstat *before, const struct vmstat *after,
			 const char *name, unsigned long long *delta)
{
	unsigned long long a, b;

	if (vmstat_get(before, name, &b) || vmstat_get(after, name, &a) || a < b)
		return -1;
	*delta = a - b;
	return 0;
}

static void add_per_io(const struct vmstat *before, const struct vmstat *after,
		       const char *counter, const char *metric, double total_ios,
		       struct sample_set *out)
{
	unsigned long long d;

	/*
	 * Always emitted: a kernel without the pin counters (they were once
	 * proposed for CONFIG_DEBUG_VM only) or a run without I/O must show
	 * as "unavailable", never as a pin count of 0.
	 */
	if (total_ios > 0 && !counter_delta(before, after, counter, &d))
		sample_set_add(out, metric, (double)d / total_ios, "pins/io");
	else
		sample_set_add_unavailable(out, metric, "pins/io");
}

void vmstat_deltas(const struct vmstat *before, const struct vmstat *after,
		   const struct strvec *counters, double total_ios, struct sample_set *out)
{
	struct strbuf metric = STRBUF_INIT;
	unsigned long long d;
	size_t i;

	for (i = 0; i < counters->nr; i++) {
		strbuf_reset(&metric);
		strbuf_addf(&metric, "vmstat.%s", counters->v[i]);
		if (counter_delta(before, after, counters->v[i], &d))
			sample_set_add_unavailable(out, metric.buf, "count");
		else
			sample_set_add(out, metric.buf, (double)d, "count");
	}
	strbuf_release(&metric);
	add_per_io(before, after, "nr_foll_pin_acquired", "pin.acquired_per_io",
		   total_ios, out);
	add_per_io(before, after, "nr_foll_pin_released", "pin.released_per_io",
		   total_ios, out);
}
