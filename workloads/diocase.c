// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinbench dio-case: one case of the dio-cases workload (workloads/diocase.h),
 * run in the kernel under test: its rounds between snapshots of the pin
 * counters and the disk's stat, the leak probe after them, one JSON result.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "collectors/vmstat.h"
#include "common/log.h"
#include "runner/cli.h"
#include "workloads/diocase-internal.h"
#include "workloads/diocase.h"
#include "workloads/pageprobe.h"

/* What the rounds measured, summed over them. */
struct measured {
	double seconds;
	unsigned long long ios, bytes;
	unsigned long long acquired, released;
	struct disk_counts disk;
	int pins_ok, disk_ok;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct snapshot {
	double t;
	unsigned long long acquired, released;
	struct disk_counts disk;
	int pins_ok, disk_ok;
};

/* The counters; the clock after them at a round's start, before them at its end. */
static void snap(unsigned long long dev, struct snapshot *s, int end)
{
	struct vmstat v = VMSTAT_INIT;
	struct strbuf why = STRBUF_INIT;

	if (end)
		s->t = now_s();
	s->pins_ok = !vmstat_read("/proc/vmstat", &v, &why) &&
		     !vmstat_get(&v, "nr_foll_pin_acquired", &s->acquired) &&
		     !vmstat_get(&v, "nr_foll_pin_released", &s->released);
	s->disk_ok = !pageprobe_disk_counts(dev, &s->disk, &why);
	vmstat_release(&v);
	strbuf_release(&why);
	if (!end)
		s->t = now_s();
}

static int run_rounds(struct run *r, const struct case_ops *c, unsigned ms, unsigned long long dev,
		      struct measured *m)
{
	memset(m, 0, sizeof(*m));
	m->pins_ok = m->disk_ok = 1;
	do {
		struct snapshot a, b;
		unsigned i;
		long n;

		if (c->prepare && c->prepare(r))
			return -1;
		snap(dev, &a, 0);
		for (i = 0; i < ROUND_IOS; i++) {
			n = c->io(r, i);
			if (n < 0)
				return -1;
			m->bytes += (unsigned long long)n;
		}
		snap(dev, &b, 1);
		m->seconds += b.t - a.t;
		m->ios += ROUND_IOS;
		m->pins_ok &= a.pins_ok && b.pins_ok && b.acquired >= a.acquired &&
			      b.released >= a.released;
		m->disk_ok &= a.disk_ok && b.disk_ok && b.disk.ios >= a.disk.ios;
		if (m->pins_ok) {
			m->acquired += b.acquired - a.acquired;
			m->released += b.released - a.released;
		}
		if (m->disk_ok) {
			m->disk.ios += b.disk.ios - a.disk.ios;
			m->disk.merges += b.disk.merges - a.disk.merges;
			m->disk.sectors += b.disk.sectors - a.disk.sectors;
		}
		if (c->verify && c->verify(r, ROUND_IOS))
			return -1;
	} while (m->seconds * 1000 < ms);
	return 0;
}

static json_t *count_or_null(int ok, unsigned long long v)
{
	return ok ? json_integer((json_int_t)v) : json_null();
}

static json_t *flag_or_null(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

static int report(struct run *r, const struct case_ops *c, const struct measured *m)
{
	size_t pinned = 0, probed = 0;
	struct strbuf why = STRBUF_INIT;
	int have_probe = 0;
	json_t *o;
	char *text;

	if (r->probe) {
		have_probe = !pageprobe_pinned(r->buf, r->buf_pages, &pinned, &probed, &why);
		if (!have_probe)
			note(r, "no pin-leak probe: %s", why.buf);
	}
	o = json_pack("{s:s, s:I, s:I, s:f, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o, "
		      "s:I, s:I, s:o}",
		      "case", c->name, "ios", (json_int_t)m->ios, "bytes", (json_int_t)m->bytes,
		      "seconds", m->seconds,
		      "pins_acquired", count_or_null(m->pins_ok, m->acquired),
		      "pins_released", count_or_null(m->pins_ok, m->released),
		      "disk_ios", count_or_null(m->disk_ok, m->disk.ios),
		      "disk_merges", count_or_null(m->disk_ok, m->disk.merges),
		      "disk_sectors", count_or_null(m->disk_ok, m->disk.sectors),
		      "data_errors", (json_int_t)r->data_errors,
		      "leaked_pages", count_or_null(have_probe, pinned),
		      "probed_pages", count_or_null(have_probe, probed),
		      "thp", flag_or_null(r->thp), "zero_page_src", flag_or_null(r->zero_src),
		      "zeroed_bytes", (json_int_t)r->zeroed_bytes,
		      "block_size", (json_int_t)r->blksize, "notes", json_incref(r->notes));
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	printf("%s\n", text);
	free(text);
	strbuf_release(&why);
	return fflush(stdout) ? -1 : 0;
}

int cmd_dio_case(int argc, char **argv, struct cli *cli)
{
	struct option opts[CLI_MAX_OPTIONS + 1];
	char shortopts[CLI_SHORT_MAX];
	struct run r = { .buffer_dir = "/tmp", .fd = -1, .thp = -1, .zero_src = -1,
			 .why = STRBUF_INIT };
	const struct case_ops *c = NULL;
	const char *name = NULL;
	unsigned long long dev;
	struct measured m;
	struct statvfs vfs;
	struct stat st;
	unsigned ms = 1000;
	int opt, code = EXIT_INFRA;
	char *end;

	(void)cli;
	cli_getopt_tables("dio-case", opts, shortopts);
	optind = 1;
	while ((opt = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		switch (opt) {
		case 'C': name = optarg; break;
		case 'D': r.dir = optarg; break;
		case 'b': r.buffer_dir = optarg; break;
		case 'r':
			errno = 0;
			ms = (unsigned)strtoul(optarg, &end, 10);
			if (errno || *end || !ms || ms > 86400000u) {
				error("dio-case: --runtime-ms '%s': not a number of milliseconds "
				      "(1 .. 86400000)", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			cli_usage("dio-case", stdout);
			return EXIT_OK;
		default:
			cli_usage("dio-case", stderr);
			return EXIT_USAGE;
		}
	}
	if (!name || !r.dir || optind < argc) {
		error("dio-case: needs --case NAME and --dir DIR");
		return EXIT_USAGE;
	}
	for (c = dio_case_ops; c->name && strcmp(c->name, name); c++)
		;
	if (!c->name) {
		struct strbuf known = STRBUF_INIT;

		dio_case_names(&known);
		error("dio-case: no case '%s' (known: %s)", name, known.buf);
		strbuf_release(&known);
		return EXIT_USAGE;
	}
	if (stat(r.dir, &st) || statvfs(r.dir, &vfs)) {
		error("dio-case: '%s': %s", r.dir, errstr());
		return EXIT_USAGE;
	}
	dev = st.st_dev;
	r.page = (size_t)sysconf(_SC_PAGESIZE);
	r.blksize = vfs.f_bsize;
	r.rng = 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
	r.notes = json_array();
	if (c->setup(&r) || run_rounds(&r, c, ms, dev, &m)) {
		error("dio-case %s: %s", c->name, r.why.buf);
		goto out;
	}
	if (report(&r, c, &m))
		error("dio-case: cannot write the result: %s", errstr());
	else
		code = EXIT_OK;
out:
	if (r.fd >= 0)
		close(r.fd);
	if (r.map)
		munmap(r.map, r.map_len);
	if (r.aux)
		munmap(r.aux, r.aux_len);
	json_decref(r.notes);
	strbuf_release(&r.why);
	return code;
}
