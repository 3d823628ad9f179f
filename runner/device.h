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
 * Anything else is refused with a message saying which rule failed.
 */
struct safe_device {
	char *name;		/* config name */
	char *path;		/* resolved /dev/... */
	char *serial;		/* as the device reports it */
	char *model;		/* sysfs model or "unknown" */
	dev_t rdev;
};

int device_check(const struct device_cfg *cfg, struct safe_device *out);
void safe_device_release(struct safe_device *d);

/* The serial the kernel reports for a block device (sysfs), for messages and tests. */
int device_serial(dev_t rdev, struct strbuf *out);
/* The /dev path of the whole disk reporting this serial (a guest's disks); 1 if found. */
int device_find_by_serial(const char *serial, struct strbuf *path);
/* Where (if anywhere) the device or a partition of it is mounted; 1 if so. */
int device_mounted(dev_t rdev, struct strbuf *where);

#endif
