/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_MATRIX_H
#define PINBENCH_MATRIX_H

#include <stddef.h>

#include "collectors/fio.h"
#include "common/config.h"
#include "db/db.h"

/*
 * The job matrix: devices x filesystems x rw x bs x iodepth x numjobs x
 * ioengine, each with a canonical description (sorted-key JSON of every
 * parameter that changes the workload) and its hash, so that the same job
 * is the same database row across runs, kernels and machines.
 */
struct job_spec {
	char *name;		/* "randread-4k-qd1-psync-nj1@scratch:ext4" */
	char *device;		/* "scratch" or a [device NAME] */
	char *fs;
	char *rw;
	char *bs_text;		/* as written in the config ("4k") */
	char *ioengine;
	unsigned long long bs;
	unsigned iodepth;
	unsigned numjobs;
	unsigned long long size;
	unsigned runtime;
	unsigned ramp;
	char *dcase;		/* a dio-cases job: its case (workloads/diocase.h); NULL: fio */
	char *fio_name;		/* the name with only [A-Za-z0-9_-]: fio makes file names of it */
	char *canonical;	/* JSON */
	char hash[17];
};

struct matrix {
	struct job_spec *jobs;
	size_t nr;
};

/*
 * Expand the config's matrix: for [matrix] workloads fio, the jobs of
 * every device x filesystem x rw x bs x iodepth x numjobs x ioengine; for
 * dio-cases, one job per device x filesystem x [matrix] cases entry (an
 * unknown case is skipped with a warning). scratch_fs names the filesystem the scratch
 * directory is on (scratch jobs use it instead of [matrix] filesystems).
 */
void matrix_expand(const struct config *cfg, const char *scratch_fs, struct matrix *m);
/* The same on other devices and filesystems (a guest's disks). */
void matrix_expand_on(const struct config *cfg, const struct strvec *devices,
		      const struct strvec *filesystems, const char *scratch_fs, struct matrix *m);
void matrix_release(struct matrix *m);
/* Drop every job whose name is not in names. -1 when none is left. */
int matrix_keep_only(struct matrix *m, const struct strvec *names);

/* The fio job for a spec, its files in `directory` (borrowed pointers). */
void job_spec_fio(const struct job_spec *spec, const char *directory, struct fio_job *out);

/* The database row of a job, for db_job_get_or_add() (borrowed pointers). */
#define JOB_ROW(j) { \
	.hash = (j)->hash, .name = (j)->name, .params = (j)->canonical, .fs = (j)->fs, \
	.device = (j)->device, .rw = (j)->rw, .bs = (j)->bs, .iodepth = (j)->iodepth, \
	.numjobs = (j)->numjobs, .ioengine = (j)->ioengine, .size = (j)->size, \
	.runtime = (j)->runtime }

/* The job of that hash, or NULL. */
const struct job_spec *matrix_find(const struct matrix *m, const char *hash);

#endif
