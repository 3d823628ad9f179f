/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_BUNDLE_H
#define PINBENCH_BUNDLE_H

#include <jansson.h>
#include <sys/types.h>

#include "collectors/sample.h"
#include "common/strbuf.h"
#include "common/strvec.h"

/*
 * The results bundle: what the agent hands back from inside the kernel
 * under test. One JSON object per line, appended and synced as each event
 * happens, so that a guest that panics or hangs loses at most the
 * repetition in flight, and the host can store repetitions while the guest
 * still runs. Records ("t" says which):
 *
 *   {"t":"hello","release":"6.12.57","version":"Linux version ...","boot":1,
 *    "devices":[{"name":"nvme","path":"/dev/nvme0n1","model":"QEMU NVMe Ctrl",
 *                "serial":"pinbench-nvme"}, ...]}
 *   {"t":"rep","job":HASH,"name":NAME,"rep":N,"samples":[[metric,value|null,unit],...]}
 *   {"t":"failed","job":HASH,"name":NAME,"rep":N,"message":TEXT}
 *   {"t":"flag","job":HASH,"name":NAME,"kind":KIND,"message":TEXT}
 *   {"t":"end","state":"done|failed|interrupted","reason":TEXT|null,
 *    "reps_done":N,"reps_failed":N,"marks":N}   (marks: in counting boots only)
 *   {"t":"probe","path":PATH,"result":"readable"|ERROR,"entries":[NAME,...],
 *    "files":N}   (only when the host asked for probes: runner/agent.h)
 *
 * What a bundle says comes from inside the kernel under test, which may be
 * hostile: the host checks every record (bundle_check_record) before it
 * stores or prints any of it.
 */
struct bundle_writer {
	int fd;
	char *path;
};

int bundle_create(struct bundle_writer *w, const char *path);
/* Append one record (a JSON object, reference stolen) as a line and sync it. */
int bundle_put(struct bundle_writer *w, json_t *record);
void bundle_close(struct bundle_writer *w);

/*
 * The samples of a set as [[metric, value or null, unit], ...] (new
 * reference). A sample the host would refuse (bundle_metric_ok and
 * bundle_unit_ok) is left out and counted in *dropped when not NULL.
 */
json_t *bundle_samples_json(const struct sample_set *set, size_t *dropped);
/*
 * Back from that form; -1 with why filled when malformed: not an array of
 * [metric, number or null, unit], a name or unit that is not ours, a value
 * that is not finite, a metric twice, more than BUNDLE_SAMPLES_MAX.
 */
int bundle_samples_parse(const json_t *array, struct sample_set *out, struct strbuf *why);

/* --- what the host accepts ------------------------------------------------ */

#define BUNDLE_METRIC_MAX 128	/* bytes of a metric name */
#define BUNDLE_UNIT_MAX 16
#define BUNDLE_TEXT_MAX 1024	/* a message or a reason */
#define BUNDLE_SAMPLES_MAX 4096	/* samples in one repetition */
#define BUNDLE_LINE_MAX (1u << 20)

/*
 * A metric name: one of the collectors' prefixes (fio. vmstat. pin. perf.
 * dio. profile., and count. for the marks of a counting boot) and then letters, digits and _ . : @ + - only.
 */
int bundle_metric_ok(const char *metric);
/*
 * The guest computes cost rows only where the host cannot: the PMU's of a
 * counted repetition in a counting boot without the plugin (unit ":pmu"),
 * and the sampled share of a profile pass (repetition 0 of a measured
 * boot). Any other cost.* row from the guest would pass for one the host
 * counted: 0 when the set holds one.
 */
enum bundle_boot { BUNDLE_MEASURED, BUNDLE_COUNT_TCG, BUNDLE_COUNT_PMU };
int bundle_cost_rows_ok(enum bundle_boot kind, unsigned rep, const struct sample_set *s);

/* A unit: 1..BUNDLE_UNIT_MAX letters, '%', '/', and ':' '-' (a cost row's "insn/io:pmu"). */
int bundle_unit_ok(const char *unit);
/* 1..max bytes of valid UTF-8, every character printable (no control, no newline). */
int bundle_text_ok(const char *text, size_t max);
/* Append text as the host will accept it: one clean line, cut to max bytes on a character. */
void bundle_clean_text(struct strbuf *out, const char *text, size_t max);

/* What the host gave this boot; records naming anything else are refused. */
struct bundle_expect {
	const char *release;	/* the kernel booted (hello) */
	unsigned boot, first_rep, last_rep;
	int one_off;		/* repetition 0 (the one-off passes) belongs to this boot */
	const struct strvec *probes;	/* paths the host asked to probe, or NULL */
	int (*job_known)(const char *hash, void *data);
	void *data;
};

/*
 * Is this record one the host may store: a known type with exactly its
 * fields, each of its type, strings checked as above, job hashes known,
 * repetition and boot numbers those of the plan? -1 with why filled when
 * not. The order of records (hello first, nothing after end) and repeated
 * repetitions are the reader's to check.
 */
int bundle_check_record(const json_t *rec, const struct bundle_expect *x, struct strbuf *why);

/*
 * The order the agent writes records in: hello first and once, nothing
 * after end. NULL when a record of this type may come now (and it is
 * noted), else why not.
 */
struct bundle_order {
	int hello, ended;
};
const char *bundle_order_take(struct bundle_order *o, const char *type);

/*
 * Reading a bundle that may still grow: each call reads what was appended
 * since the last one and hands every complete line to fn as a parsed
 * object (a line that is not a JSON object goes to fn as NULL with the
 * line number, so the caller can say where; so does a line longer than
 * BUNDLE_LINE_MAX, and the rest of it is skipped). fn returning non-zero
 * stops the read and is returned. A missing file is not an error (nothing
 * yet); a symlink, a FIFO or anything else that is not a regular file is.
 */
struct bundle_reader {
	char *path;
	off_t offset;
	unsigned line;
	struct strbuf partial;
	int skipping;	/* inside a line longer than BUNDLE_LINE_MAX */
};
typedef int (*bundle_record_fn)(json_t *record, unsigned line, void *data);

void bundle_reader_init(struct bundle_reader *r, const char *path);
int bundle_read_new(struct bundle_reader *r, bundle_record_fn fn, void *data);
void bundle_reader_release(struct bundle_reader *r);

#endif
