// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's read-only tree (runner/guestroot.h): the programs the agent
 * runs and their shared-library closure, mirrored from the host and cached.
 */
#include "runner/guestroot.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/spawn.h"

#define MAX_SYMLINKS 40		/* what the kernel follows (ELOOP) */
#define MAX_NESTING 4		/* a script's interpreter's interpreter ... */
#define LIST_TIMEOUT_MS 30000
#define TREE_FORMAT "pinbench guest tree 1"

/* The mount points of runner/guest/init.c; the tree is read-only, so they must be there. */
static const char *const mount_points[] = { "/dev", "/proc", "/sys", "/tmp", "/run" };

static struct guestroot_entry *find_entry(struct guestroot *gr, const char *path)
{
	size_t i;

	for (i = 0; i < gr->nr; i++)
		if (!strcmp(gr->v[i].path, path))
			return &gr->v[i];
	return NULL;
}

static void add_entry(struct guestroot *gr, char type, const char *path, const char *target,
		      const struct stat *st)
{
	struct guestroot_entry *e;

	if (find_entry(gr, path))
		return;
	if (gr->nr == gr->alloc) {
		gr->alloc = gr->alloc ? 2 * gr->alloc : 64;
		gr->v = xrealloc(gr->v, gr->alloc * sizeof(*gr->v));
	}
	e = &gr->v[gr->nr++];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->path = xstrdup(path);
	e->target = target ? xstrdup(target) : NULL;
	if (st) {
		e->size = (unsigned long long)st->st_size;
		e->ino = (unsigned long long)st->st_ino;
		e->dev = (unsigned long long)st->st_dev;
		e->mtime_s = (long long)st->st_mtim.tv_sec;
		e->mtime_ns = (long long)st->st_mtim.tv_nsec;
		e->mode = (unsigned)st->st_mode;
	}
}

/* Move the first component of rest (after any '/') into comp. */
static void next_component(struct strbuf *rest, struct strbuf *comp)
{
	size_t start = strspn(rest->buf, "/"), len = strcspn(rest->buf + start, "/");

	strbuf_reset(comp);
	strbuf_add(comp, rest->buf + start, len);
	strbuf_remove(rest, 0, start + len);
}

static void drop_last_component(struct strbuf *cur)
{
	char *slash = strrchr(cur->buf, '/');

	if (slash)
		strbuf_setlen(cur, (size_t)(slash - cur->buf));
}

/*
 * Resolve path as the kernel does, one component at a time, recording each
 * symlink met on the way and the regular file at the end; real gets the
 * path without symlinks. 1 when missing and missing_ok, 0 when added.
 */
static int add_path(struct guestroot *gr, const char *path, int missing_ok, struct strbuf *real)
{
	struct strbuf cur = STRBUF_INIT, rest = STRBUF_INIT, comp = STRBUF_INIT;
	char target[PATH_MAX];
	struct stat st;
	unsigned links = 0;
	int ret = 0;

	if (path[0] != '/')
		return error("'%s' is not an absolute path", path);
	strbuf_addstr(&rest, path);
	while (rest.len) {
		next_component(&rest, &comp);
		if (!comp.len || !strcmp(comp.buf, "."))
			continue;
		if (!strcmp(comp.buf, "..")) {
			drop_last_component(&cur);
			continue;
		}
		strbuf_addf(&cur, "/%s", comp.buf);
		if (lstat(cur.buf, &st)) {
			if (errno == ENOENT && missing_ok)
				ret = 1;
			else
				ret = error("cannot add '%s' to the guest's tree: '%s': %s", path,
					    cur.buf, errstr());
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(cur.buf, target, sizeof(target) - 1);

			if (n < 0 || ++links > MAX_SYMLINKS) {
				ret = error("cannot follow '%s' for the guest's tree: %s", cur.buf,
					    n < 0 ? errstr() : "too many symlinks");
				goto out;
			}
			target[n] = '\0';
			add_entry(gr, 'l', cur.buf, target, &st);
			drop_last_component(&cur);
			if (target[0] == '/')
				strbuf_reset(&cur);
			/* what is left of the path continues from the link's target */
			strbuf_reset(&comp);
			strbuf_add(&comp, target, (size_t)n);
			strbuf_addbuf(&comp, &rest);
			strbuf_reset(&rest);
			strbuf_addbuf(&rest, &comp);
		} else if (S_ISDIR(st.st_mode) && rest.len) {
			continue;
		} else if (S_ISREG(st.st_mode) && !rest.len) {
			add_entry(gr, 'f', cur.buf, NULL, &st);
		} else {
			ret = error("cannot add '%s' to the guest's tree: '%s' is not a regular file",
				    path, cur.buf);
			goto out;
		}
	}
	if (real) {
		strbuf_reset(real);
		strbuf_addbuf(real, &cur);
	}
out:
	strbuf_release(&cur);
	strbuf_release(&rest);
	strbuf_release(&comp);
	return ret;
}

int guestroot_add_file(struct guestroot *gr, const char *path, int missing_ok)
{
	return add_path(gr, path, missing_ok, NULL) < 0 ? -1 : 0;
}

void guestroot_add_symlink(struct guestroot *gr, const char *path, const char *target)
{
	add_entry(gr, 'l', path, target, NULL);
}

int guestroot_find_program(const char *name, struct strbuf *path)
{
	const char *p = GUEST_PATH;
	struct stat st;

	while (*p) {
		const char *end = strchrnul(p, ':');

		strbuf_reset(path);
		strbuf_add(path, p, (size_t)(end - p));
		strbuf_addf(path, "/%s", name);
		if (!stat(path->buf, &st) && S_ISREG(st.st_mode) && (st.st_mode & 0111))
			return 0;
		p = *end ? end + 1 : end;
	}
	return -1;
}

int guestroot_add_dir(struct guestroot *gr, const char *dir, int missing_ok)
{
	struct strbuf path = STRBUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);
	int ret = 0;

	if (!d)
		return missing_ok && errno == ENOENT ? 0 :
			error("cannot add '%s' to the guest's tree: %s", dir, errstr());
	while (!ret && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, de->d_name);
		if (lstat(path.buf, &st))
			ret = error("cannot add '%s' to the guest's tree: %s", path.buf, errstr());
		else if (S_ISDIR(st.st_mode))
			ret = guestroot_add_dir(gr, path.buf, 0);
		else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))
			ret = guestroot_add_file(gr, path.buf, 0);
	}
	closedir(d);
	strbuf_release(&path);
	return ret;
}

/* The ELF interpreter (PT_INTERP) of a 64-bit ELF; 0 and an empty interp when static. */
static int elf_interp(const char *path, int fd, struct strbuf *interp)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	char buf[PATH_MAX];
	unsigned i;

	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(ph))
		return error("'%s' is not a 64-bit ELF program", path);
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (Elf64_Off)i * sizeof(ph))) !=
		    (ssize_t)sizeof(ph))
			return error("'%s': cannot read its program headers", path);
		if (ph.p_type != PT_INTERP)
			continue;
		if (!ph.p_filesz || ph.p_filesz >= sizeof(buf) ||
		    pread(fd, buf, ph.p_filesz, (off_t)ph.p_offset) != (ssize_t)ph.p_filesz ||
		    buf[ph.p_filesz - 1] != '\0' || buf[0] != '/')
			return error("'%s': its ELF interpreter is unreadable", path);
		strbuf_addstr(interp, buf);
		return 0;
	}
	return 0;
}

/* One line of `ld.so --list`: "\tname => /path (0x...)", "\t/path (0x...)", "\tvdso (0x...)". */
static int add_listed(struct guestroot *gr, const char *binary, char *line)
{
	char *arrow = strstr(line, " => "), *path = line, *paren;
	struct strbuf dir = STRBUF_INIT;
	int ret;

	while (*path == ' ' || *path == '\t')
		path++;
	if (arrow)
		path = arrow + 4;
	if (starts_with(path, "not found"))
		return error("'%s' needs '%.*s', which is not found", binary,
			     (int)(arrow - line), line);
	if (*path != '/')
		return 0;	/* the vDSO: the kernel provides it */
	paren = strstr(path, " (");
	if (paren)
		*paren = '\0';
	ret = add_path(gr, path, 0, NULL);
	/* glibc loads libgcc_s itself when a thread is cancelled or unwinds */
	if (!ret && strstr(path, "/libc.so.")) {
		strbuf_add(&dir, path, (size_t)(strrchr(path, '/') - path));
		strbuf_addstr(&dir, "/libgcc_s.so.1");
		ret = guestroot_add_file(gr, dir.buf, 1);
	}
	strbuf_release(&dir);
	return ret;
}

int guestroot_add_libraries(struct guestroot *gr, const char *binary)
{
	struct strbuf interp = STRBUF_INIT;
	struct child c = CHILD_INIT;
	char *line, *save = NULL;
	int fd, ret;

	fd = open(binary, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error("cannot read '%s': %s", binary, errstr());
	ret = elf_interp(binary, fd, &interp);
	close(fd);
	if (ret || !interp.len)
		goto out;	/* static: nothing to load */
	ret = add_path(gr, interp.buf, 0, NULL);
	if (ret)
		goto out;
	/* the loader itself says what it would load, through its own cache and search path */
	strvec_pushl(&c.args, interp.buf, "--list", binary, NULL);
	c.flags = SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	c.timeout_ms = LIST_TIMEOUT_MS;
	if (spawn_run(&c) || c.status) {
		strbuf_rtrim(&c.err);
		ret = error("'%s --list %s' failed: %s", interp.buf, binary,
			    c.err.len ? c.err.buf : errstr());
		goto out;
	}
	for (line = strtok_r(c.out.buf, "\n", &save); line && !ret;
	     line = strtok_r(NULL, "\n", &save))
		ret = add_listed(gr, binary, line);
out:
	child_release(&c);
	strbuf_release(&interp);
	return ret;
}

static int add_program_nested(struct guestroot *gr, const char *program, int depth);

/*
 * A wrapper script (Debian's old /usr/bin/perf runs perf_$(uname -r's
 * version), found with which): the NAME_* programs beside it, and the two
 * helpers, so that the guest runs what the host would.
 */
static int add_wrapped(struct guestroot *gr, const char *path, int depth)
{
	const char *slash = strrchr(path, '/');
	struct strbuf dir = STRBUF_INIT, prefix = STRBUF_INIT, sib = STRBUF_INIT;
	struct dirent *de;
	DIR *d;
	int ret = 0, wrapped = 0;

	strbuf_add(&dir, path, (size_t)(slash - path));
	strbuf_addf(&prefix, "%s_", slash + 1);
	d = opendir(dir.len ? dir.buf : "/");
	while (d && (de = readdir(d)) && !ret) {
		if (!starts_with(de->d_name, prefix.buf))
			continue;
		strbuf_reset(&sib);
		strbuf_addf(&sib, "%s/%s", dir.buf, de->d_name);
		if (!access(sib.buf, X_OK)) {
			ret = add_program_nested(gr, sib.buf, depth + 1);
			wrapped = 1;
		}
	}
	if (d)
		closedir(d);
	if (!wrapped)
		goto out;
	if (!ret && !guestroot_find_program("uname", &sib))
		ret = add_program_nested(gr, sib.buf, depth + 1);
	if (!ret && !guestroot_find_program("which", &sib))
		ret = add_program_nested(gr, sib.buf, depth + 1);
out:
	strbuf_release(&dir);
	strbuf_release(&prefix);
	strbuf_release(&sib);
	return ret;
}

/* "#!/bin/sh -e" or "#!/usr/bin/env bash": the interpreter, and env's program. */
static int add_interpreter(struct guestroot *gr, const char *path, char *hdr, int depth)
{
	char *interp = hdr + 2, *arg, *end;
	int ret;

	interp += strspn(interp, " \t");
	end = interp + strcspn(interp, " \t\n");
	arg = *end && *end != '\n' ? end + 1 + strspn(end + 1, " \t") : NULL;
	*end = '\0';
	if (arg)
		arg[strcspn(arg, " \t\n")] = '\0';
	if (interp[0] != '/')
		return error("'%s': the interpreter '%s' is not an absolute path", path, interp);
	ret = add_program_nested(gr, interp, depth + 1);
	if (!ret && arg && *arg && !strcmp(strrchr(interp, '/'), "/env"))
		ret = add_program_nested(gr, arg, depth + 1);
	if (!ret)
		ret = add_wrapped(gr, path, depth);
	return ret;
}

static int add_program_nested(struct guestroot *gr, const char *program, int depth)
{
	struct strbuf path = STRBUF_INIT, real = STRBUF_INIT;
	char hdr[256];
	ssize_t n;
	int fd, ret;

	if (strvec_contains(&gr->programs, program))
		return 0;
	if (depth > MAX_NESTING)
		return error("'%s': scripts nest too deep for the guest's tree", program);
	strvec_push(&gr->programs, program);
	if (strchr(program, '/'))
		strbuf_addstr(&path, program);
	else if (guestroot_find_program(program, &path)) {
		strbuf_release(&path);
		return error("'%s' is not in the guest's PATH (%s)", program, GUEST_PATH);
	}
	ret = add_path(gr, path.buf, 0, &real);
	if (ret)
		goto out;
	fd = open(real.buf, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = error("cannot read '%s': %s", real.buf, errstr());
		goto out;
	}
	n = read(fd, hdr, sizeof(hdr) - 1);
	close(fd);
	hdr[n > 0 ? n : 0] = '\0';
	if (n >= 2 && hdr[0] == '#' && hdr[1] == '!')
		ret = add_interpreter(gr, path.buf, hdr, depth);
	else if (n >= 4 && !memcmp(hdr, ELFMAG, SELFMAG))
		ret = guestroot_add_libraries(gr, real.buf);
	else
		ret = error("'%s' is neither an ELF program nor a script", real.buf);
out:
	strbuf_release(&path);
	strbuf_release(&real);
	return ret;
}

int guestroot_add_program(struct guestroot *gr, const char *program)
{
	return add_program_nested(gr, program, 0);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct guestroot_entry *)a)->path,
		      ((const struct guestroot_entry *)b)->path);
}

void guestroot_key(struct guestroot *gr, char key[17])
{
	struct sha256 *h = sha256_begin();
	struct strbuf line = STRBUF_INIT;
	char hex[65];
	size_t i;

	qsort(gr->v, gr->nr, sizeof(*gr->v), by_path);
	sha256_addstr(h, TREE_FORMAT);
	for (i = 0; i < gr->nr; i++) {
		const struct guestroot_entry *e = &gr->v[i];

		strbuf_reset(&line);
		strbuf_addf(&line, "%c %s %s %llu %llu %llu %lld.%09lld %o", e->type, e->path,
			    e->target ? e->target : "-", e->size, e->dev, e->ino, e->mtime_s,
			    e->mtime_ns, e->mode);
		sha256_addstr(h, line.buf);
	}
	sha256_finish(h, hex);
	memcpy(key, hex, 16);
	key[16] = '\0';
	strbuf_release(&line);
}

/*
 * A cache directory we may build in: ours, and nobody else can write it.
 * The cache itself may be reached through a symlink (~/.cache elsewhere);
 * what we make inside it may not.
 */
static int check_owned(const char *dir, int follow)
{
	struct stat st;

	if (follow ? stat(dir, &st) : lstat(dir, &st))
		return error("cannot use the cache directory '%s': %s", dir, errstr());
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022))
		return error("refusing the cache directory '%s': it is %s", dir,
			     !S_ISDIR(st.st_mode) ? "not a directory" :
			     st.st_uid != geteuid() ? "owned by another user" :
			     "writable by other users");
	return 0;
}

/* mkdir -p of path's parents below root, each 0755 whatever the umask. */
static int make_parents(const char *root, const char *path)
{
	struct strbuf dir = STRBUF_INIT;
	const char *p = path;
	int ret = 0;

	strbuf_addstr(&dir, root);
	while (!ret && (p = strchr(p + 1, '/'))) {
		strbuf_setlen(&dir, strlen(root));
		strbuf_add(&dir, path, (size_t)(p - path));
		if (mkdir(dir.buf, 0755) && errno != EEXIST)
			ret = -1;
		else if (chmod(dir.buf, 0755))
			ret = -1;
	}
	strbuf_release(&dir);
	return ret;
}

/* A hard link when the host's file may be shared as it is, else a plain copy. */
static int place_file(const struct guestroot_entry *e, const char *dst)
{
	unsigned mode = e->mode & 0111 ? 0755 : 0644;

	if (!(e->mode & (S_ISUID | S_ISGID)) && (e->mode & 0444) == 0444 && !link(e->path, dst))
		return 0;
	if (copy_file(e->path, dst, mode) || chmod(dst, mode))
		return -1;
	return 0;
}

static int fill_tree(const struct guestroot *gr, const char *root)
{
	struct strbuf dst = STRBUF_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; i < sizeof(mount_points) / sizeof(mount_points[0]) && !ret; i++) {
		strbuf_reset(&dst);
		strbuf_addf(&dst, "%s%s", root, mount_points[i]);
		if (mkdir(dst.buf, 0755) || chmod(dst.buf, 0755))
			ret = error("cannot create '%s': %s", dst.buf, errstr());
	}
	for (i = 0; i < gr->nr && !ret; i++) {
		const struct guestroot_entry *e = &gr->v[i];

		strbuf_reset(&dst);
		strbuf_addf(&dst, "%s%s", root, e->path);
		if (make_parents(root, e->path))
			ret = error("cannot create the directories of '%s': %s", dst.buf, errstr());
		else if (e->type == 'l' && symlink(e->target, dst.buf))
			ret = error("cannot create the symlink '%s': %s", dst.buf, errstr());
		else if (e->type == 'f' && place_file(e, dst.buf))
			ret = error("cannot copy '%s' to '%s': %s", e->path, dst.buf, errstr());
	}
	if (!ret && chmod(root, 0755))
		ret = error("cannot make '%s' readable: %s", root, errstr());
	strbuf_release(&dst);
	return ret;
}

static int build_tree(const struct guestroot *gr, const char *base, const char *final)
{
	struct strbuf tmp = STRBUF_INIT;
	int ret;

	strbuf_addf(&tmp, "%s/tmp-XXXXXX", base);
	if (!mkdtemp(tmp.buf)) {
		ret = error("cannot create a directory in '%s': %s", base, errstr());
		goto out;
	}
	ret = fill_tree(gr, tmp.buf);
	if (!ret && rename(tmp.buf, final)) {
		/* another pinbench was quicker: its tree is the same */
		if (errno != EEXIST && errno != ENOTEMPTY)
			ret = error("cannot rename '%s' to '%s': %s", tmp.buf, final, errstr());
	}
	if (path_exists(tmp.buf) && remove_tree(tmp.buf))
		warning("cannot remove '%s': %s", tmp.buf, errstr());
out:
	strbuf_release(&tmp);
	return ret;
}

int guestroot_get(struct guestroot *gr, const char *cache_dir, struct strbuf *dir)
{
	struct strbuf base = STRBUF_INIT;
	char key[17];
	int ret;

	strbuf_addf(&base, "%s/guestroot", cache_dir);
	if (mkdir_p(base.buf)) {
		ret = error("cannot create '%s': %s", base.buf, errstr());
		goto out;
	}
	ret = check_owned(cache_dir, 1);
	if (!ret)
		ret = check_owned(base.buf, 0);
	if (ret)
		goto out;
	guestroot_key(gr, key);
	strbuf_reset(dir);
	strbuf_addf(dir, "%s/%s", base.buf, key);
	if (!path_exists(dir->buf)) {
		info("qemu: making the guest's read-only tree (%zu files and links) in %s", gr->nr,
		     dir->buf);
		ret = build_tree(gr, base.buf, dir->buf);
	}
	if (!ret)
		ret = check_owned(dir->buf, 0);
out:
	strbuf_release(&base);
	return ret;
}

void guestroot_release(struct guestroot *gr)
{
	size_t i;

	for (i = 0; i < gr->nr; i++) {
		free(gr->v[i].path);
		free(gr->v[i].target);
	}
	free(gr->v);
	gr->v = NULL;
	gr->nr = gr->alloc = 0;
	strvec_clear(&gr->programs);
}
