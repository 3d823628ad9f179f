/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_MOUNTINFO_H
#define PINBENCH_MOUNTINFO_H

#include <stddef.h>

#include "common/strbuf.h"

/*
 * The one reader of /proc/self/mountinfo (proc(5)):
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   id parent maj:min root mountpoint options [optional...] - fstype source superoptions
 * The kernel writes a space, tab, newline and backslash in a path as \040,
 * \011, \012 and \134; the entries hold the unescaped text.
 */
struct mount_entry {
	unsigned major, minor;
	char *root;
	char *mountpoint;
	char *fstype;
	char *source;
};

struct mount_table {
	struct mount_entry *v;
	size_t nr, alloc;
};

#define MOUNT_TABLE_INIT { NULL, 0, 0 }

/*
 * Parse mountinfo text (NUL-terminated) into t. A line that does not parse
 * is an error (-1, why names the line): what cannot be read is not taken
 * for "not mounted".
 */
int mountinfo_parse(const char *text, struct mount_table *t, struct strbuf *why);
/* Read and parse a mountinfo file; -1 with an error printed (naming path) when it cannot. */
int mountinfo_read(const char *path, struct mount_table *t);
void mount_table_clear(struct mount_table *t);

/* Undo the kernel's octal escapes (\NNN) of one field, appending to out. */
void mountinfo_unescape(const char *s, size_t len, struct strbuf *out);

#endif
