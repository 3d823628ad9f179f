// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel source trees: deb: tarballs unpacked once, git: worktrees, dir:
 * trees used as they are. See source.h for why trees are patched in place.
 */
#include "kernels/source.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/owned.h"
#include "common/spawn.h"
#include "common/strvec.h"
#include "kernels/patch-paths.h"

/* where Debian's linux-source-X.Y packages put their tarball */
#define DEB_SOURCE_DIR "/usr/src"

static int run_quiet(struct child *c, const char *what)
{
	struct strbuf how = STRBUF_INIT;

	c->flags |= SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	if (spawn_run(c))
		return error("cannot run %s: %s", c->args.v[0], errstr());
	if (!c->status && !c->interrupted)
		return 0;
	spawn_describe(c, &how);
	strbuf_rtrim(&c->err);
	error("%s failed (%s)%s%s", what, how.buf, c->err.len ? ": " : "",
	      c->err.len ? c->err.buf : "");
	strbuf_release(&how);
	return -1;
}

static void short_hash(const char *text, struct strbuf *out)
{
	char hex[65];

	sha256_hex(text, strlen(text), hex);
	strbuf_add(out, hex, 16);
}

/* --- deb:linux-source-X.Y ------------------------------------------------ */

static int valid_package(const char *p)
{
	if (!starts_with(p, "linux-source-"))
		return 0;
	for (p += 13; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			return 0;
	return 1;
}

static int resolve_deb(struct source *src, const char *pkg)
{
	struct child c = CHILD_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct stat st;

	if (!valid_package(pkg))
		return error("source '%s': expected deb:linux-source-X.Y", src->spec);
	src->package = xstrdup(pkg);
	strbuf_addf(&sb, "%s/%s.tar.xz", DEB_SOURCE_DIR, pkg);
	src->tarball = strbuf_detach(&sb, NULL);
	if (stat(src->tarball, &st))
		return error("source '%s': %s is missing (%s); install it with: "
			     "apt-get install %s", src->spec, src->tarball, errstr(), pkg);

	/* the package version names Debian's patch level; size and mtime catch a local rebuild */
	strvec_pushv(&c.args, (const char *const[]){ "dpkg-query", "-W", "-f=${Version}", pkg,
						       NULL });
	c.flags = SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	if (spawn_run(&c) || c.status)
		strbuf_addstr(&c.out, "unknown");
	strbuf_addf(&sb, "deb:%s %s %lld %lld", pkg, c.out.buf, (long long)st.st_size,
		    (long long)st.st_mtime);
	src->identity = strbuf_detach(&sb, NULL);
	child_release(&c);

	src->id = xstrdup(pkg);
	strbuf_addf(&sb, "%s/sources/%s", src->cache_dir, pkg);
	src->tree = strbuf_detach(&sb, NULL);
	return 0;
}

static int unpack_deb(struct source *src)
{
	struct strbuf stamp_path = STRBUF_INIT, stamp = STRBUF_INIT, tmp = STRBUF_INIT;
	struct strbuf top = STRBUF_INIT;
	struct child c = CHILD_INIT;
	int ret = -1;

	strbuf_addf(&stamp_path, "%s.stamp", src->tree);
	strbuf_addf(&tmp, "%s/sources", src->cache_dir);
	if (check_owned(tmp.buf, S_IFDIR, 0, "source directory") ||
	    check_owned(src->tree, S_IFDIR, 0, "source tree") ||
	    check_owned(stamp_path.buf, S_IFREG, 0, "source stamp"))
		goto out;
	strbuf_reset(&tmp);
	if (!strbuf_read_file(&stamp, stamp_path.buf, 4096) && !strcmp(stamp.buf, src->identity) &&
	    path_exists(src->tree)) {
		ret = 0;
		goto out;
	}
	info("unpacking %s into %s (once per package version)", src->tarball, src->tree);
	unlink(stamp_path.buf);
	strbuf_addf(&tmp, "%s/sources", src->cache_dir);
	if (mkdir_p(tmp.buf))
		goto out_err;
	strbuf_addstr(&tmp, "/.unpack.XXXXXX");
	if (!mkdtemp(tmp.buf))
		goto out_err;
	strvec_pushv(&c.args, (const char *const[]){ "tar", "-x", "-f", src->tarball, "-C",
						       tmp.buf, NULL });
	if (run_quiet(&c, "unpacking the kernel source"))
		goto out_tmp;
	strbuf_addf(&top, "%s/%s", tmp.buf, src->package);
	if (!path_exists(top.buf)) {
		error("%s does not unpack into %s/", src->tarball, src->package);
		goto out_tmp;
	}
	if (remove_tree(src->tree) || rename(top.buf, src->tree))
		goto out_tmp_err;
	/* a journal belongs to the tree it was written for */
	strbuf_reset(&top);
	strbuf_addf(&top, "%s.journal", src->tree);
	remove_tree(top.buf);
	if (write_file_atomic(stamp_path.buf, src->identity, strlen(src->identity)))
		goto out_tmp_err;
	ret = 0;
	goto out_tmp;

out_tmp_err:
	error("cannot unpack into '%s': %s", src->tree, errstr());
out_tmp:
	remove_tree(tmp.buf);
	goto out;
out_err:
	error("cannot create '%s': %s", tmp.buf, errstr());
out:
	child_release(&c);
	strbuf_release(&stamp_path);
	strbuf_release(&stamp);
	strbuf_release(&tmp);
	strbuf_release(&top);
	return ret;
}

/*
 * The journal: before a patch touches a file of a deb: tree, the pristine
 * file is copied, with its mode, to JOURNAL/orig/PATH and "M PATH" appended
 * to JOURNAL/list; "A PATH" for a file the patch creates, after "D DIR" for
 * each directory that creating it makes. Reset undoes the entries newest
 * first. A copy and its directories are on disk before the entry that
 * relies on them, the entry before the tree changes.
 */
static void journal_dir(const struct source *src, struct strbuf *out)
{
	strbuf_addf(out, "%s.journal", src->tree);
}

/*
 * A path from a patch or the journal, relative to the tree: no absolute
 * paths, no "..", no line breaks (the journal has one path a line).
 */
static int safe_relative(const char *path)
{
	const char *p = path;

	if (!*path || *path == '/')
		return 0;
	for (p = path; *p; p++)
		if (*p == '\n' || *p == '\r')
			return 0;
	p = path;
	while (*p) {
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || !p[2]))
			return 0;
		p = strchr(p, '/');
		if (!p)
			break;
		p++;
	}
	return 1;
}

/*
 * Every directory between the tree and path's last component is a real
 * directory or missing: through a symlink, a patch or a journal entry
 * could write outside the tree.
 */
static int tree_path_ok(const char *tree, const char *path, const char *what)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = path;
	struct stat st;
	int ret = 0;

	while ((p = strchr(p, '/'))) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/%.*s", tree, (int)(p - path), path);
		if (lstat(sb.buf, &st)) {
			if (errno != ENOENT)
				ret = error("cannot check '%s': %s", sb.buf, errstr());
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			ret = error("%s '%s' leads through '%s', which is not a directory (a symlink?)",
				    what, path, sb.buf);
			break;
		}
		p++;
	}
	strbuf_release(&sb);
	return ret;
}

static int fsync_path(const char *path, int is_dir)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (is_dir ? O_DIRECTORY : O_NOFOLLOW));
	int ret, saved;

	if (fd < 0)
		return -1;
	ret = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return ret;
}

/*
 * fsync path, then every directory above it up to top: a file just made,
 * in directories just made, is then found after a crash.
 */
static int fsync_up(const char *path, const char *top)
{
	struct strbuf dir = STRBUF_INIT;
	size_t top_len = strlen(top);
	char *slash;
	int ret = fsync_path(path, 0);

	strbuf_addstr(&dir, path);
	while (!ret && dir.len > top_len && (slash = strrchr(dir.buf, '/'))) {
		strbuf_setlen(&dir, (size_t)(slash - dir.buf));
		ret = fsync_path(dir.buf, 1);
	}
	strbuf_release(&dir);
	return ret;
}

/* fsync the directory holding path, if it is still there. */
static int sync_parent(const char *path)
{
	struct strbuf dir = STRBUF_INIT;
	const char *slash = strrchr(path, '/');
	int ret = 0;

	strbuf_add(&dir, path, slash ? (size_t)(slash - path) : 0);
	if (dir.len && fsync_path(dir.buf, 1) && errno != ENOENT)
		ret = -1;
	strbuf_release(&dir);
	return ret;
}

/* Copy from to to with exactly mode (no umask, whatever was there before). */
static int copy_exact(const char *from, const char *to, mode_t mode)
{
	if ((unlink(to) && errno != ENOENT) || mkdir_parents(to) || copy_file(from, to, 0600))
		return -1;
	return chmod(to, mode);
}

/* JOURNAL/list, each entry checked: "M PATH", "A PATH" or "D PATH". */
static int journal_load(const char *dir, struct strvec *entries)
{
	struct strbuf path = STRBUF_INIT, list = STRBUF_INIT;
	char *line, *save = NULL;
	size_t nr = 0;
	int ret = 0;

	strbuf_addf(&path, "%s/list", dir);
	if (check_owned(dir, S_IFDIR, 0, "source journal") ||
	    check_owned(path.buf, S_IFREG, 0, "source journal")) {
		ret = -1;
		goto out;
	}
	if (strbuf_read_file(&list, path.buf, 64 << 20)) {
		if (errno != ENOENT)
			ret = error("cannot read '%s': %s", path.buf, errstr());
		goto out;
	}
	for (line = strtok_r(list.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		nr++;
		if (!strchr("MAD", line[0]) || line[1] != ' ' || !safe_relative(line + 2)) {
			ret = error("%s:%zu: bad journal entry '%s' (a path outside the tree?)",
				    path.buf, nr, line);
			break;
		}
		strvec_push(entries, line);
	}
out:
	strbuf_release(&path);
	strbuf_release(&list);
	return ret;
}

static int undo_entry(struct source *src, const char *dir, const char *entry)
{
	struct strbuf to = STRBUF_INIT, from = STRBUF_INIT;
	const char *path = entry + 2;
	struct stat st;
	int ret = 0;

	strbuf_addf(&to, "%s/%s", src->tree, path);
	if (entry[0] == 'A' || entry[0] == 'D') {
		if (entry[0] == 'A' ? unlink(to.buf) && errno != ENOENT : remove_tree(to.buf))
			ret = error("cannot remove '%s': %s", to.buf, errstr());
		/* the removal must last before the journal that asks for it is gone */
		else if (sync_parent(to.buf))
			ret = error("cannot sync the directory of '%s': %s", to.buf, errstr());
	} else {
		strbuf_addf(&from, "%s/orig/%s", dir, path);
		/* a fresh copy, so its mtime is newer than any object built from the patch */
		if (check_owned(from.buf, S_IFREG, 0, "journal copy") || lstat(from.buf, &st) ||
		    copy_exact(from.buf, to.buf, st.st_mode & 07777) || fsync_up(to.buf, src->tree))
			ret = error("cannot restore '%s' from '%s': %s", to.buf, from.buf,
				    errstr());
	}
	strbuf_release(&to);
	strbuf_release(&from);
	return ret;
}

static int journal_reset(struct source *src)
{
	struct strbuf dir = STRBUF_INIT;
	struct strvec entries = STRVEC_INIT;
	size_t i;
	int ret;

	journal_dir(src, &dir);
	ret = journal_load(dir.buf, &entries);
	/* every entry is checked before any is undone */
	for (i = 0; !ret && i < entries.nr; i++)
		ret = tree_path_ok(src->tree, entries.v[i] + 2, "journal entry");
	if (ret) {
		error("the journal of '%s' cannot be replayed: remove '%s' and it is unpacked "
		      "afresh", src->tree, src->tree);
		goto out;
	}
	for (i = entries.nr; i-- > 0;)
		if (undo_entry(src, dir.buf, entries.v[i]))
			ret = -1;
	if (!ret && remove_tree(dir.buf))
		ret = error("cannot remove '%s': %s", dir.buf, errstr());
out:
	strbuf_release(&dir);
	strvec_clear(&entries);
	return ret;
}

/* Every path the patch touches, for the journal. */
static int patch_paths(const struct patch *p, struct strvec *paths)
{
	struct strbuf why = STRBUF_INIT;
	size_t i;
	int ret = 0;

	if (patch_touched_paths(p->text.buf, paths, &why))
		ret = error("patch '%s': %s", p->origin, why.buf);
	for (i = 0; !ret && i < paths->nr; i++)
		if (!safe_relative(paths->v[i]))
			ret = error("patch '%s' touches '%s', not a path inside the source tree",
				    p->origin, paths->v[i]);
	strbuf_release(&why);
	return ret;
}

struct journal {
	const char *dir;
	FILE *list;
	struct strvec known;	/* the entries so far */
};

static int known_path(const struct journal *j, const char *path)
{
	size_t i;

	for (i = 0; i < j->known.nr; i++)
		if (!strcmp(j->known.v[i] + 2, path))
			return 1;
	return 0;
}

/* Append one entry and have it on disk before anything relies on it. */
static int journal_append(struct journal *j, char kind, const char *path)
{
	fprintf(j->list, "%c %s\n", kind, path);
	if (fflush(j->list) || fsync(fileno(j->list)))
		return -1;
	strvec_pushf(&j->known, "%c %s", kind, path);
	return 0;
}

/* The pristine file and its mode, synced with its directories, then "M PATH". */
static int save_pristine(struct journal *j, const char *file, const char *path, mode_t mode)
{
	struct strbuf orig = STRBUF_INIT;
	int ret;

	strbuf_addf(&orig, "%s/orig/%s", j->dir, path);
	ret = copy_exact(file, orig.buf, mode);
	if (!ret)
		ret = fsync_up(orig.buf, j->dir);
	if (!ret)
		ret = journal_append(j, 'M', path);
	strbuf_release(&orig);
	return ret;
}

/* "D DIR" for each directory the new file needs (outermost first), then "A PATH". */
static int record_new(struct journal *j, const char *tree, const char *path)
{
	struct strbuf sb = STRBUF_INIT, rel = STRBUF_INIT;
	const char *p = path;
	int ret = 0, missing = 0;

	while (!ret && (p = strchr(p, '/'))) {
		strbuf_reset(&rel);
		strbuf_add(&rel, path, (size_t)(p - path));
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/%s", tree, rel.buf);
		missing = missing || !path_exists(sb.buf);
		if (missing && !known_path(j, rel.buf))
			ret = journal_append(j, 'D', rel.buf);
		p++;
	}
	if (!ret)
		ret = journal_append(j, 'A', path);
	strbuf_release(&sb);
	strbuf_release(&rel);
	return ret;
}

static int record_path(struct journal *j, struct source *src, const struct patch *p,
		       const char *path)
{
	struct strbuf file = STRBUF_INIT;
	struct stat st;
	int ret;

	if (known_path(j, path))
		return 0;
	if (tree_path_ok(src->tree, path, "patch path"))
		return 1;
	strbuf_addf(&file, "%s/%s", src->tree, path);
	if (!lstat(file.buf, &st)) {
		if (!S_ISREG(st.st_mode)) {
			error("patch '%s' touches '%s', which is not a regular file", p->origin,
			      path);
			ret = 1;
		} else {
			ret = save_pristine(j, file.buf, path, st.st_mode & 07777);
		}
	} else if (errno == ENOENT) {
		ret = record_new(j, src->tree, path);
	} else {
		ret = -1;
	}
	strbuf_release(&file);
	return ret;
}

static int journal_record(struct source *src, const struct patch *p, const struct strvec *paths)
{
	struct strbuf dir = STRBUF_INIT, list = STRBUF_INIT;
	struct journal j = { .known = STRVEC_INIT };
	size_t i;
	int ret = -1, r = 0, fd = -1;

	journal_dir(src, &dir);
	j.dir = dir.buf;
	strbuf_addf(&list, "%s/list", dir.buf);
	if (journal_load(dir.buf, &j.known))
		goto out;
	if (mkdir_p(dir.buf))
		goto out_err;
	/* 0644 whatever the umask: a group-writable journal is refused on replay */
	fd = open(list.buf, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || fchmod(fd, 0644) || !(j.list = fdopen(fd, "a")))
		goto out_err;
	fd = -1;
	/* the list itself must be found after a crash */
	if (fsync_up(list.buf, src->cache_dir))
		goto out_err;
	for (i = 0; i < paths->nr && !r; i++)
		r = record_path(&j, src, p, paths->v[i]);
	if (r < 0)
		goto out_err;
	ret = r ? -1 : 0;
	goto out;
out_err:
	error("cannot keep the pristine copy in '%s': %s", dir.buf, errstr());
out:
	if (j.list)
		fclose(j.list);
	if (fd >= 0)
		close(fd);
	strbuf_release(&dir);
	strbuf_release(&list);
	strvec_clear(&j.known);
	return ret;
}

/*
 * From patch(1)'s --dry-run output, "fs/direct-io.c: Hunk #2 FAILED at 310"
 * lines (and other complaints) for the error message.
 */
static void explain_patch_failure(const char *out, struct strbuf *why)
{
	struct strbuf file = STRBUF_INIT;
	const char *line = out;

	while (line && *line) {
		size_t len = strcspn(line, "\n");

		if (starts_with(line, "checking file ")) {
			strbuf_reset(&file);
			strbuf_add(&file, line + 14, len - 14);
		} else if (strstr(line, "FAILED") || strstr(line, "can't find file") ||
			   strstr(line, "No file to patch") || strstr(line, "malformed") ||
			   strstr(line, "Reversed") || strstr(line, "already exists") ||
			   strstr(line, "Only garbage")) {
			if (why->len)
				strbuf_addstr(why, "; ");
			if (file.len && starts_with(line, "Hunk"))
				strbuf_addf(why, "%s: ", file.buf);
			strbuf_add(why, line, len);
		}
		line += len;
		if (*line)
			line++;
	}
	strbuf_release(&file);
}

static int write_patch_file(const struct patch *p, const char *tmpdir, struct strbuf *path)
{
	static unsigned seq;

	strbuf_addf(path, "%s/patch-%u.mbox", tmpdir, ++seq);
	if (write_file_atomic(path->buf, p->text.buf, p->text.len))
		return error("cannot write '%s': %s", path->buf, errstr());
	return 0;
}

static int apply_deb(struct source *src, const struct patch *p, const char *tmpdir)
{
	struct strvec paths = STRVEC_INIT;
	struct strbuf file = STRBUF_INIT, why = STRBUF_INIT, how = STRBUF_INIT;
	struct child c = CHILD_INIT;
	int ret = -1;

	if (write_patch_file(p, tmpdir, &file) || patch_paths(p, &paths))
		goto out;
	if (!paths.nr) {
		error("patch '%s' (%s) holds no diff", p->origin, p->subject);
		goto out;
	}
	/*
	 * --fuzz=0: like git am, a hunk applies where its whole context matches
	 * or not at all; a fuzzy hunk can land in the wrong place and then the
	 * benchmark measures a kernel nobody wrote.
	 */
	strvec_pushv(&c.args, (const char *const[]){ "patch", "-p1", "--dry-run", "--batch",
						       "--fuzz=0", "--no-backup-if-mismatch", "-i",
						       file.buf, NULL });
	c.dir = src->tree;
	c.flags = SPAWN_CAPTURE_STDOUT | SPAWN_STDERR_TO_STDOUT;
	if (spawn_run(&c)) {
		error("cannot run patch: %s (apt-get install patch)", errstr());
		goto out;
	}
	if (c.status) {
		explain_patch_failure(c.out.buf, &why);
		if (!why.len) {
			strbuf_rtrim(&c.out);
			strbuf_addstr(&why, c.out.buf);
		}
		error("patch '%s' (%s) does not apply to %s: %s", p->origin, p->subject,
		      src->spec, why.buf);
		goto out;
	}
	if (journal_record(src, p, &paths))
		goto out;
	child_release(&c);
	child_init(&c);
	strvec_pushv(&c.args, (const char *const[]){ "patch", "-p1", "--batch", "--silent",
						       "--fuzz=0", "--no-backup-if-mismatch", "-i",
						       file.buf, NULL });
	c.dir = src->tree;
	c.flags = SPAWN_CAPTURE_STDOUT | SPAWN_STDERR_TO_STDOUT;
	if (spawn_run(&c) || c.status) {
		spawn_describe(&c, &how);
		strbuf_rtrim(&c.out);
		error("patch '%s' (%s) passed --dry-run but failed (%s): %s", p->origin,
		      p->subject, how.buf, c.out.buf);
		goto out;
	}
	ret = 0;
out:
	unlink(file.buf);
	child_release(&c);
	strvec_clear(&paths);
	strbuf_release(&file);
	strbuf_release(&why);
	strbuf_release(&how);
	return ret;
}

/* --- git:PATH@REF ---------------------------------------------------------- */

static void git_args(struct child *c, const char *dir)
{
	/* fixed identity: git am needs a committer; the author comes from the mail */
	strvec_pushv(&c->args, (const char *const[]){ "git", "-C", dir, "-c",
						       "user.name=pinbench", "-c",
						       "user.email=pinbench@localhost", NULL });
}

static int resolve_git(struct source *src, const char *rest)
{
	struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT;
	struct child c = CHILD_INIT;
	const char *at = strrchr(rest, '@');
	char real[PATH_MAX];
	int ret = -1;

	strbuf_add(&path, rest, at ? (size_t)(at - rest) : strlen(rest));
	src->ref = xstrdup(at && at[1] ? at + 1 : "HEAD");
	if (!path.len || !realpath(path.buf, real)) {
		error("source '%s': cannot find '%s': %s", src->spec, path.buf, errstr());
		goto out;
	}
	src->repo = xstrdup(real);
	if (src->ref[0] == '-') {
		error("source '%s': '%s' is not a ref", src->spec, src->ref);
		goto out;
	}
	strvec_pushv(&c.args, (const char *const[]){ "git", "-C", src->repo, "rev-parse",
						       "--verify", "--quiet", NULL });
	strvec_pushf(&c.args, "%s^{commit}", src->ref);
	c.flags = SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	if (spawn_run(&c)) {
		error("cannot run git: %s (apt-get install git)", errstr());
		goto out;
	}
	strbuf_rtrim(&c.out);
	if (c.status || c.out.len != 40) {
		error("source '%s': '%s' is not a commit in %s", src->spec, src->ref, src->repo);
		goto out;
	}
	src->commit = xstrdup(c.out.buf);
	strbuf_addf(&sb, "git:%s", src->commit);
	src->identity = strbuf_detach(&sb, NULL);
	strbuf_addstr(&sb, "git-");
	short_hash(src->repo, &sb);
	src->id = strbuf_detach(&sb, NULL);
	strbuf_addf(&sb, "%s/worktrees/%s", src->cache_dir, src->id);
	src->tree = strbuf_detach(&sb, NULL);
	ret = 0;
out:
	child_release(&c);
	strbuf_release(&path);
	return ret;
}

static int prepare_git(struct source *src)
{
	struct child c = CHILD_INIT;
	int ret = -1;

	if (!path_exists(src->tree)) {
		/* a worktree whose directory vanished must be forgotten before re-adding */
		strvec_pushv(&c.args, (const char *const[]){ "git", "-C", src->repo, "worktree",
							       "prune", NULL });
		run_quiet(&c, "git worktree prune");
		child_release(&c);
		child_init(&c);
		if (mkdir_parents(src->tree)) {
			error("cannot create '%s': %s", src->tree, errstr());
			goto out;
		}
		strvec_pushv(&c.args, (const char *const[]){ "git", "-C", src->repo, "worktree",
							       "add", "--detach", "--force",
							       src->tree, src->commit, NULL });
		ret = run_quiet(&c, "git worktree add");
		goto out;
	}
	/* an earlier build may have stopped inside `git am` */
	git_args(&c, src->tree);
	strvec_pushv(&c.args, (const char *const[]){ "am", "--abort", NULL });
	c.flags = SPAWN_SILENT;
	spawn_run(&c);
	child_release(&c);
	child_init(&c);
	git_args(&c, src->tree);
	strvec_pushv(&c.args, (const char *const[]){ "checkout", "--quiet", "--detach", "--force",
						       src->commit, NULL });
	if (run_quiet(&c, "git checkout"))
		goto out;
	child_release(&c);
	child_init(&c);
	git_args(&c, src->tree);
	strvec_pushv(&c.args, (const char *const[]){ "clean", "-f", "-d", "-q", NULL });
	ret = run_quiet(&c, "git clean");
out:
	child_release(&c);
	return ret;
}

static int apply_git(struct source *src, const struct patch *p, const char *tmpdir)
{
	struct strbuf file = STRBUF_INIT, why = STRBUF_INIT;
	struct child c = CHILD_INIT;
	int ret = -1;

	if (write_patch_file(p, tmpdir, &file))
		goto out;
	/* git apply --check names the file and line of the hunk that does not fit */
	git_args(&c, src->tree);
	strvec_pushv(&c.args, (const char *const[]){ "apply", "--check", file.buf, NULL });
	c.flags = SPAWN_CAPTURE_STDOUT | SPAWN_STDERR_TO_STDOUT;
	if (spawn_run(&c)) {
		error("cannot run git: %s", errstr());
		goto out;
	}
	if (c.status) {
		strbuf_rtrim(&c.out);
		/* keep "error: patch failed: fs/direct-io.c:310" and similar, one line */
		explain_patch_failure(c.out.buf, &why);
		if (!why.len) {
			const char *e = strstr(c.out.buf, "error: ");

			strbuf_add(&why, e ? e + 7 : c.out.buf,
				   strcspn(e ? e + 7 : c.out.buf, "\n"));
		}
		error("patch '%s' (%s) does not apply to %s: %s", p->origin, p->subject,
		      src->spec, why.buf);
		goto out;
	}
	child_release(&c);
	child_init(&c);
	git_args(&c, src->tree);
	if (*p->author) {
		strvec_pushv(&c.args, (const char *const[]){ "am", "--quiet", file.buf, NULL });
		ret = run_quiet(&c, "git am");
		goto out;
	}
	/* a plain diff has no author for git am: apply it and commit it ourselves */
	strvec_pushv(&c.args, (const char *const[]){ "apply", "--index", file.buf, NULL });
	if (run_quiet(&c, "git apply"))
		goto out;
	child_release(&c);
	child_init(&c);
	git_args(&c, src->tree);
	strvec_pushv(&c.args, (const char *const[]){ "commit", "--quiet", "--allow-empty", "-m",
						       p->subject, NULL });
	ret = run_quiet(&c, "git commit");
out:
	unlink(file.buf);
	child_release(&c);
	strbuf_release(&file);
	strbuf_release(&why);
	return ret;
}

/* --- dir:PATH ---------------------------------------------------------------- */

struct tree_stamp {
	unsigned long long files, bytes;
	long long newest_ns;
};

static struct tree_stamp *stamp_acc;

static int stamp_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	long long ns;

	(void)path;
	if (flag == FTW_D && ftw->level > 0 && !strcmp(path + ftw->base, ".git"))
		return FTW_SKIP_SUBTREE;
	if (flag != FTW_F)
		return FTW_CONTINUE;
	ns = (long long)st->st_mtim.tv_sec * 1000000000ll + st->st_mtim.tv_nsec;
	stamp_acc->files++;
	stamp_acc->bytes += (unsigned long long)st->st_size;
	if (ns > stamp_acc->newest_ns)
		stamp_acc->newest_ns = ns;
	return FTW_CONTINUE;
}

static int resolve_dir(struct source *src, const char *path)
{
	struct tree_stamp stamp = { 0, 0, 0 };
	struct strbuf sb = STRBUF_INIT;
	char real[PATH_MAX];

	if (!*path || !realpath(path, real))
		return error("source '%s': cannot find '%s': %s", src->spec, path, errstr());
	strbuf_addf(&sb, "%s/Kconfig", real);
	if (!path_exists(sb.buf)) {
		strbuf_release(&sb);
		return error("source '%s': '%s' is not a kernel tree (no Kconfig)", src->spec, real);
	}
	strbuf_reset(&sb);
	src->tree = xstrdup(real);
	/*
	 * The tree is not ours to hash whole on every call: files, bytes and the
	 * newest mtime change whenever anything in it is edited.
	 */
	stamp_acc = &stamp;
	nftw(real, stamp_entry, 32, FTW_PHYS | FTW_ACTIONRETVAL);
	stamp_acc = NULL;
	strbuf_addf(&sb, "dir:%s files=%llu bytes=%llu newest=%lld", real, stamp.files,
		    stamp.bytes, stamp.newest_ns);
	src->identity = strbuf_detach(&sb, NULL);
	strbuf_addstr(&sb, "dir-");
	short_hash(real, &sb);
	src->id = strbuf_detach(&sb, NULL);
	return 0;
}

/* --- public ---------------------------------------------------------------- */

int source_resolve(struct source *src, const char *spec, const char *cache_dir)
{
	memset(src, 0, sizeof(*src));
	src->spec = xstrdup(spec);
	src->cache_dir = xstrdup(cache_dir);
	/* it holds the kernels pinbench boots and the trees they are built from */
	if (check_owned(cache_dir, S_IFDIR, 1, "cache directory"))
		return -1;
	if (starts_with(spec, "deb:")) {
		src->kind = SOURCE_DEB;
		return resolve_deb(src, spec + 4);
	}
	if (starts_with(spec, "git:")) {
		src->kind = SOURCE_GIT;
		return resolve_git(src, spec + 4);
	}
	if (starts_with(spec, "dir:")) {
		src->kind = SOURCE_DIR;
		return resolve_dir(src, spec + 4);
	}
	return error("source '%s': expected deb:linux-source-X.Y, git:PATH@REF or dir:PATH", spec);
}

int source_prepare(struct source *src)
{
	switch (src->kind) {
	case SOURCE_DEB:
		if (unpack_deb(src))
			return -1;
		return journal_reset(src);
	case SOURCE_GIT:
		return prepare_git(src);
	case SOURCE_DIR:
		return 0;
	}
	return -1;
}

char *source_lock_path(const struct source *src)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s/locks/%s.lock", src->cache_dir, src->id);
	return strbuf_detach(&sb, NULL);
}

int source_apply(struct source *src, const struct patch *p, const char *tmpdir)
{
	switch (src->kind) {
	case SOURCE_DEB:
		return apply_deb(src, p, tmpdir);
	case SOURCE_GIT:
		return apply_git(src, p, tmpdir);
	case SOURCE_DIR:
		break;
	}
	return error("source '%s' is used read-only: patches need a deb: or git: source",
		     src->spec);
}

void source_release(struct source *src)
{
	free(src->spec);
	free(src->tree);
	free(src->id);
	free(src->identity);
	free(src->repo);
	free(src->ref);
	free(src->commit);
	free(src->package);
	free(src->tarball);
	free(src->cache_dir);
	memset(src, 0, sizeof(*src));
}
