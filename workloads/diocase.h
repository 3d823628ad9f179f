/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_DIOCASE_H
#define PINBENCH_DIOCASE_H

#include <stddef.h>

#include "collectors/sample.h"
#include "common/strbuf.h"
#include "common/strvec.h"
#include "runner/cli.h"

/*
 * The dio-cases workload: pinbench's own O_DIRECT program for the cases
 * fio cannot make (the zero page as a write's source, a page split across
 * bios, a large folio, a page-cache page, a fault part way), each a job
 * of its own ([matrix] workloads = dio-cases, [matrix] cases). It is
 * `pinbench dio-case`, run by the agent in the kernel under test as it
 * runs fio (the same binary, so it reaches the guest with the agent and
 * needs nothing more there).
 *
 * The program does its I/O in rounds: each case's file and buffer are laid
 * out first, unmeasured; then a round of I/Os between two snapshots of
 * /proc/vmstat (the pin counters) and of the disk's /sys/block stat (bios),
 * then the round's data check, unmeasured, until the runtime is used up.
 * After the last round a fork() probe asks which pages of the buffer are
 * still pinned (workloads/pageprobe.h): none may be. It prints one JSON
 * object, which dio_case_parse() turns into samples.
 */

struct dio_case_info {
	const char *name;
	const char *rw;		/* the job's database row: what the I/Os are */
	unsigned bs;		/* bytes per I/O (0: a page) */
	const char *words;	/* what it exercises, in a reviewer's words */
};

/* Every case, in the order of the shipped list; { NULL } at the end. */
extern const struct dio_case_info dio_cases[];

const struct dio_case_info *dio_case_find(const char *name);
/* The case of a dio-cases job's name ("dio-split-page@nvme:vfat-512"), or NULL. */
const struct dio_case_info *dio_case_of_job(const char *job_name);
/* "anon, zero-src, ...": for messages. */
void dio_case_names(struct strbuf *out);

/* `pinbench dio-case --case NAME --dir DIR [--runtime-ms MS] [--buffer-dir DIR]` */
int cmd_dio_case(int argc, char **argv, struct cli *cli);

/* The command line of one run of a case with its files in dir. */
void dio_case_argv(const char *program, const char *name, const char *dir, unsigned ms,
		   struct strvec *argv);

/*
 * The program's output into samples: case.iops, case.total_ios,
 * pin.acquired_per_io and pin.released_per_io (over the measured rounds
 * only, so comparable with fio's), vmstat.nr_foll_pin_*, case.bios_per_io,
 * case.disk_bytes_per_io, case.data_errors, case.leaked_pages, case.thp,
 * case.zero_page_src, case.zeroed_bytes_per_io; notes (what did not apply
 * here) appended to notes, one per line. Untrusted input (it comes from
 * the kernel under test): anything malformed is -1 with why filled.
 */
int dio_case_parse(const char *buf, size_t len, struct sample_set *out, struct strbuf *notes,
		   struct strbuf *why);

#endif
