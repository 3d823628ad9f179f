/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_FSUTIL_H
#define PINBENCH_FSUTIL_H

#include <stddef.h>

/*
 * Small file-system helpers shared by the modules that keep state on disk
 * (the kernel cache, scratch directories, run temporaries). All return 0 or
 * -1 with errno set; none prints.
 */

/* mkdir -p with mode 0755. */
int mkdir_p(const char *dir);
/* mkdir -p of the directory part of path. */
int mkdir_parents(const char *path);
/* rm -rf: depth first, never following symlinks. Missing is not an error. */
int remove_tree(const char *path);
/* write(2) all of data to fd, retrying after EINTR and short writes. */
int write_all(int fd, const void *data, size_t len);
/* Write data to path through a temporary file in the same directory and rename(2). */
int write_file_atomic(const char *path, const void *data, size_t len);
/* Copy a regular file's bytes (the copy gets a new mtime, on purpose). */
int copy_file(const char *from, const char *to, unsigned mode);
/* Does path exist (any type, symlinks not followed)? */
int path_exists(const char *path);

#endif
