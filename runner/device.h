/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_DEVICE_H
#define PINBENCH_DEVICE_H

#include <sys/types.h>

#include "common/config.h"
#include "common/strbuf.h"

/*
 * Disk safety. pinbench writes to a block device only when all of these
 * hold, checked before any I/O:
 *   - the config allow-lists it in a [device NAME] section by path AND serial,
 *   - the path resolves to a block device whose serial (or WWN; for a loop
 *     device its backing file) is exactly the configured one,
 *   - neither it nor any of its partitions is mounted or used as swap,
 *   - it can be opened O_EXCL (no mount, device-mapper or md holds it).
 * Anything else is refused with a message saying which rule failed; so is a
 * device whose use cannot be checked (mountinfo or swaps unreadable).
 *
 * device_check() keeps the O_EXCL open: while pinbench holds it nobody can
 * mount it, nor open it exclusively (mkfs, md, dm). mkfs opens the device
 * itself, exclusively, so the hold is let go just before mkfs starts; after
 * mkfs the mount holds it, and after the unmount pinbench takes it again.
 */
struct safe_device {
	char *name;		/* config name */
	char *path;		/* resolved /dev/... */
	char *serial;		/* as the device reports it */
	char *model;		/* sysfs model or "unknown" */
	dev_t rdev;
	int excl_fd;		/* our O_EXCL open while held */
	int held;
};

int device_check(const struct device_cfg *cfg, struct safe_device *out);
void safe_device_release(struct safe_device *d);

/* The serial the kernel reports for a block device (sysfs), for messages and tests. */
int device_serial(dev_t rdev, struct strbuf *out);
/* The /dev path of the whole disk reporting this serial (a guest's disks); 1 if found. */
int device_find_by_serial(const char *serial, struct strbuf *path);
/*
 * Where (if anywhere) the device or a partition of it is mounted or swap; 1 if
 * so, 0 if not, -1 (error printed) when /proc cannot tell: refuse the device.
 */
int device_mounted(dev_t rdev, struct strbuf *where);
/* The same from other mountinfo and swaps files (tests). */
int device_mounted_in(dev_t rdev, const char *mountinfo, const char *swaps, struct strbuf *where);
/* Take (again) or let go of the O_EXCL hold; device_hold() refuses a busy device. */
int device_hold(struct safe_device *d);
void device_let_go(struct safe_device *d);

#endif
