/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_INITRAMFS_H
#define PINBENCH_INITRAMFS_H

#include "common/strbuf.h"

/*
 * The guest's initramfs: an uncompressed newc cpio archive (the format the
 * kernel unpacks, Documentation/driver-api/early-userspace/buffer-format.rst)
 * holding pinbench's own static /init (runner/guest/init.c), the
 * directories it mounts on (dev proc sys host tmp) and a /dev/console node so
 * that init has a console before devtmpfs is mounted. Written here rather
 * than by cpio(1): the archive is a few entries, and writing it ourselves
 * needs neither root (for the device node) nor a file list on stdin.
 */

/* Write the archive for the init binary at init_path to out_path (atomically). */
int initramfs_write(const char *init_path, const char *out_path);

/*
 * The cached archive for this init binary: CACHE_DIR/initramfs/init-<sha256
 * of the init binary, 16 hex>.cpio, written once and reused by every boot.
 * Fills path. Prints its own error.
 */
int initramfs_get(const char *cache_dir, const char *init_path, struct strbuf *path);

/* Where the init binary is: $PINBENCH_INIT, else "pinbench-init" beside our executable. */
int initramfs_find_init(struct strbuf *path);

#endif
