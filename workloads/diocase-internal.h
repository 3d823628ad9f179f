/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_DIOCASE_INTERNAL_H
#define PINBENCH_DIOCASE_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

/*
 * Between the dio-case command (workloads/diocase.c: the rounds, the
 * measurements, the result) and its cases (workloads/diocase_cases.c:
 * what each lays out, the I/O it does, how it checks the data).
 */

#include "workloads/diocase.h"
#include "workloads/pageprobe.h"

/* The case files: enough pages for random offsets, quick to lay out under TCG. */
#define CASE_FILE_BYTES (8u << 20)
/* The fragmented file of split-page: laid out 512 bytes at a time. */
#define SPLIT_FILE_BYTES (1u << 20)
#define ROUND_IOS 64
#define SUBBLOCK_BYTES 512
#define FAULT_PAGES 16		/* fault-mid's write: the second half is not mapped */
#define MMAP_PAGES 16
#define HUGE_BYTES (2u << 20)
#define SECTOR 512

/* Salts of the patterns: a word of the file at offset o holds o ^ salt. */
#define SALT_FILE 0x70696e62656e6368ULL	/* "pinbench" */
#define SALT_NEW 0x6e65772064617461ULL	/* "new data" */

/* One run of a case: its file, its buffer, what its checks found. */
struct run {
	const char *dir, *buffer_dir;
	size_t page;
	unsigned long blksize;		/* the filesystem's block (statvfs) */
	int fd;
	unsigned long long file_bytes;
	char *map;			/* what to munmap at the end */
	size_t map_len;
	char *buf;			/* the I/O buffer, the pages probed for pins */
	size_t buf_pages;
	int probe;			/* private anonymous: the fork probe applies */
	char *aux;			/* a touched scratch buffer for checks */
	size_t aux_len;
	uint64_t rng;
	unsigned long long offs[ROUND_IOS];	/* this round's file offsets */
	long rets[ROUND_IOS];		/* and what each I/O returned */
	unsigned long next_block;	/* subblock-new: the next new block */
	unsigned long long data_errors, zeroed_bytes;
	int thp, zero_src;		/* -1: not asked / cannot tell */
	json_t *notes;
	struct strbuf why;
};

/* A case: setup() lays out, io() is one measured I/O, the rest run outside the rounds. */
struct case_ops {
	const char *name;
	int (*setup)(struct run *r);
	int (*prepare)(struct run *r);	/* before a round, unmeasured (optional) */
	long (*io)(struct run *r, unsigned slot);	/* one I/O; < 0 fails the case */
	int (*verify)(struct run *r, unsigned n);	/* after a round, unmeasured (optional) */
};

/* Every case, { NULL } at the end, the names of dio_cases[] (workloads/diocase.h). */
extern const struct case_ops dio_case_ops[];

/* What did not apply, for the result's notes. */
void note(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Why the case cannot go on: -1, r->why filled. */
int fail(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
