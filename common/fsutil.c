// SPDX-License-Identifier: GPL-2.0-only
#include "common/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/strbuf.h"

int mkdir_p(const char *dir)
{
	char tmp[PATH_MAX];
	char *p;

	if (strlen(dir) >= sizeof(tmp))
		return errno = ENAMETOOLONG, -1;
	strcpy(tmp, dir);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		return -1;
	return 0;
}

int mkdir_parents(const char *path)
{
	char tmp[PATH_MAX];
	char *slash;

	if (strlen(path) >= sizeof(tmp))
		return errno = ENAMETOOLONG, -1;
	strcpy(tmp, path);
	slash = strrchr(tmp, '/');
	if (!slash || slash == tmp)
		return 0;
	*slash = '\0';
	return mkdir_p(tmp);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) && errno != ENOENT ? -1 : 0;
}

int remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -1;
	return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) ? -1 : 0;
}

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len)
{
	struct strbuf tmp = STRBUF_INIT;
	int fd, saved;

	strbuf_addf(&tmp, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp.buf);
	if (fd < 0)
		goto fail;
	if (write_all(fd, data, len) || fsync(fd) || fchmod(fd, 0644)) {
		saved = errno;
		close(fd);
		unlink(tmp.buf);
		errno = saved;
		goto fail;
	}
	if (close(fd) || rename(tmp.buf, path)) {
		saved = errno;
		unlink(tmp.buf);
		errno = saved;
		goto fail;
	}
	strbuf_release(&tmp);
	return 0;
fail:
	strbuf_release(&tmp);
	return -1;
}

int copy_file(const char *from, const char *to, unsigned mode)
{
	char buf[65536];
	int in, out, saved;
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0)
		goto fail_in;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write_all(out, buf, (size_t)n))
			goto fail_out;
	}
	close(in);
	return close(out);

fail_out:
	saved = errno;
	close(out);
	errno = saved;
fail_in:
	saved = errno;
	close(in);
	errno = saved;
	return -1;
}

int path_exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}
