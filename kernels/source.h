/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_SOURCE_H
#define PINBENCH_SOURCE_H

#include "common/strbuf.h"
#include "kernels/patch.h"

/*
 * Kernel source trees, prepared once in the cache and patched in place:
 *
 *   deb:linux-source-X.Y  /usr/src/linux-source-X.Y.tar.xz unpacked into
 *                         CACHE/sources/linux-source-X.Y (again only when the
 *                         package changes); patched with `patch -p1` after a
 *                         --dry-run, every touched file saved first in a
 *                         journal so that the next build starts from the
 *                         pristine tree whatever happened to the last one.
 *   git:PATH@REF          a detached worktree of PATH at REF in
 *                         CACHE/worktrees/ID; patched with `git am`, reset
 *                         with `git checkout --force`.
 *   dir:PATH              a tree used as is, never written (no patches).
 *
 * Patching in place keeps one object directory per source and config, so a
 * patched build recompiles only what its patches touch: make sees the new
 * mtimes. Resetting writes the files back with new mtimes too, so objects
 * built from patched files are never mistaken for pristine ones.
 */
enum source_kind { SOURCE_DEB, SOURCE_GIT, SOURCE_DIR };

struct source {
	enum source_kind kind;
	char *spec;		/* as configured */
	char *tree;		/* the tree make runs in (srctree) */
	char *id;		/* short name for cache paths: linux-source-6.12, git-<hash>, dir-<hash> */
	char *identity;		/* what the cache key covers: package version, commit, tree stamp */
	char *repo, *ref, *commit;	/* git: */
	char *package, *tarball;	/* deb: */
	char *cache_dir;
};

#define SOURCE_INIT { 0 }

/*
 * Parse spec and work out its identity without changing anything on disk
 * (deb: the tarball and package version, git: the commit REF names, dir: a
 * stamp of the tree). Returns 0; -1 for a bad or missing source (error
 * printed, saying which apt-get command installs a missing package).
 */
int source_resolve(struct source *src, const char *spec, const char *cache_dir);

/*
 * Make src->tree exist and be pristine: unpack the tarball or add the
 * worktree when needed, undo the patches of an earlier build. The caller
 * holds the tree's lock (source_lock_path). Returns 0 or -1.
 */
int source_prepare(struct source *src);

/* Lock file guarding src->tree and its object directories (caller frees). */
char *source_lock_path(const struct source *src);

/*
 * Apply one patch to the prepared tree. A patch that does not apply is an
 * error naming the patch, the file and the hunk; the tree is left as it was
 * before this patch. Returns 0 or -1.
 */
int source_apply(struct source *src, const struct patch *p, const char *tmpdir);

void source_release(struct source *src);

#endif
