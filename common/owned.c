// SPDX-License-Identifier: GPL-2.0-only
#include "common/owned.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

int check_owned(const char *path, mode_t type, int follow, const char *what)
{
	struct stat st;

	if (follow ? stat(path, &st) : lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		return error("cannot check %s '%s': %s", what, path, errstr());
	}
	if (S_ISLNK(st.st_mode))
		return error("%s '%s' is a symlink: refusing to trust it", what, path);
	if (type && (st.st_mode & S_IFMT) != type)
		return error("%s '%s' is not a %s", what, path,
			     type == S_IFDIR ? "directory" : "regular file");
	if (st.st_uid != geteuid())
		return error("%s '%s' is owned by uid %u, not by uid %u (you): refusing to "
			     "trust it", what, path, (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return error("%s '%s' is writable by group or others (mode %04o): refusing to "
			     "trust it (chmod go-w)", what, path, (unsigned)(st.st_mode & 07777));
	return 0;
}
