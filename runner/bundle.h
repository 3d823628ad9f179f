/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_BUNDLE_H
#define PINBENCH_BUNDLE_H

#include <jansson.h>
#include <sys/types.h>

#include "collectors/sample.h"
#include "common/strbuf.h"

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
 *    "reps_done":N,"reps_failed":N}
 */
struct bundle_writer {
	int fd;
	char *path;
};

int bundle_create(struct bundle_writer *w, const char *path);
/* Append one record (a JSON object, reference stolen) as a line and sync it. */
int bundle_put(struct bundle_writer *w, json_t *record);
void bundle_close(struct bundle_writer *w);

/* The samples of a set as [[metric, value or null, unit], ...] (new reference). */
json_t *bundle_samples_json(const struct sample_set *set);
/* Back from that form; -1 with why filled when malformed. */
int bundle_samples_parse(const json_t *array, struct sample_set *out, struct strbuf *why);

/*
 * Reading a bundle that may still grow: each call reads what was appended
 * since the last one and hands every complete line to fn as a parsed
 * object (a line that is not a JSON object goes to fn as NULL with the
 * line number, so the caller can say where). fn returning non-zero stops
 * the read and is returned. A missing file is not an error (nothing yet).
 */
struct bundle_reader {
	char *path;
	off_t offset;
	unsigned line;
	struct strbuf partial;
};
typedef int (*bundle_record_fn)(json_t *record, unsigned line, void *data);

void bundle_reader_init(struct bundle_reader *r, const char *path);
int bundle_read_new(struct bundle_reader *r, bundle_record_fn fn, void *data);
void bundle_reader_release(struct bundle_reader *r);

#endif
