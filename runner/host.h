/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_HOST_H
#define PINBENCH_HOST_H

#include "common/config.h"
#include "common/strbuf.h"
#include "runner/device.h"

/*
 * The host target: jobs run on the running kernel, either in the scratch
 * directory (default) or on a filesystem made on an allow-listed device
 * (checked by runner/device.h first) and mounted under the scratch
 * directory for the duration of its jobs.
 */

/* Create the scratch directory if needed; tell which filesystem it is on. */
int host_scratch_prepare(const char *dir, struct strbuf *fstype);

/* The filesystem type of the mount that holds `path` (from mountinfo). */
int fstype_of(const char *path, struct strbuf *fstype);

/* Is the mkfs of `fs` installed here? Names it and its Debian package either way. */
int host_mkfs_installed(const char *fs, const char **program, const char **package);

/*
 * mkfs `fs` on the checked device and mount it at mnt (created). The device's
 * O_EXCL hold is let go just before mkfs; take it again after the unmount.
 */
int host_device_mount(struct safe_device *dev, const char *fs, const char *mnt);
int host_device_unmount(const char *mnt);

#endif
