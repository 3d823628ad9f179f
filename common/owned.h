/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_OWNED_H
#define PINBENCH_OWNED_H

#include <sys/types.h>

/*
 * Is path ours to trust? pinbench keeps kernels it boots, their sources and
 * the journal that restores those sources in its cache: a directory or
 * file there that another user owns or may write could swap any of them.
 * Returns 0 when path is missing, or is of type (S_IFDIR, S_IFREG; 0 for
 * any), owned by the effective user and not writable by group or others;
 * else -1 with an error naming what (e.g. "cache directory") and path.
 * follow: stat(2) rather than lstat(2), for a configured path that may be
 * a symlink; a path pinbench made itself is lstat'ed and a symlink refused.
 */
int check_owned(const char *path, mode_t type, int follow, const char *what);

#endif
