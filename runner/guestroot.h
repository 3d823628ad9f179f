/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_GUESTROOT_H
#define PINBENCH_GUESTROOT_H

#include <stddef.h>

#include "common/strbuf.h"
#include "common/strvec.h"

/*
 * What the guest sees of the host: not the host's `/` (a kernel from a
 * public list could read keys and password files there), but a read-only
 * tree holding exactly the programs the agent runs (fio, perf, the mkfs
 * tools) and the shared libraries they and pinbench load, ld.so and its
 * cache included, and the few data files they read (the C.UTF-8 locale,
 * mke2fs.conf), at the paths they have on the host (symlinks such as
 * /lib -> usr/lib kept as symlinks), plus the empty directories the guest
 * init mounts on (dev proc sys tmp run). pinbench itself reaches the guest
 * through the work directory.
 *
 * The tree lives in CACHE/guestroot/KEY, KEY a hash of every entry's path,
 * link target, size, mtime and inode: built once per host, rebuilt when a
 * package upgrade changes one of those files. Files are hard links to the
 * host's where the host allows it (no space used), copies otherwise; no
 * set-uid bit survives, everything is readable by the unprivileged QEMU.
 */

/* The PATH the guest's agent runs with (runner/guest/init.c sets the same). */
#define GUEST_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The program as the agent's PATH finds it: fills path, 0 when found, -1 when not. */
int guestroot_find_program(const char *name, struct strbuf *path);

struct guestroot_entry {
	char type;		/* 'f' file, 'l' symlink, 'd' directory */
	char *path;		/* absolute, as on the host */
	char *target;		/* a symlink's target */
	unsigned long long size, ino, dev;
	long long mtime_s, mtime_ns;
	unsigned mode;
};

struct guestroot {
	struct guestroot_entry *v;
	size_t nr, alloc;
	struct strvec programs;	/* added already, as named */
};

#define GUESTROOT_INIT { NULL, 0, 0, STRVEC_INIT }

/*
 * Add a program (a name looked up in GUEST_PATH, or an absolute path) with
 * what it needs to start: its symlink chain, a script's interpreter (and,
 * for a wrapper such as Debian's old perf -> perf_VERSION, the NAME_*
 * programs beside it and the uname and which it calls), an ELF's
 * interpreter and every library `ld.so --list` names.
 */
int guestroot_add_program(struct guestroot *gr, const char *program);
/* Only the libraries (and ld.so) that binary loads, not the binary. */
int guestroot_add_libraries(struct guestroot *gr, const char *binary);
/* One host file (and the symlinks on its way); missing_ok: absent is fine. */
int guestroot_add_file(struct guestroot *gr, const char *path, int missing_ok);
/*
 * A symlink of the guest's own, path -> target, never followed on the host
 * (/etc/mtab -> /proc/self/mounts: the guest's mounts, not the host's).
 */
void guestroot_add_symlink(struct guestroot *gr, const char *path, const char *target);
/* Every file below a host directory (a locale); missing_ok: absent is fine. */
int guestroot_add_dir(struct guestroot *gr, const char *dir, int missing_ok);

/* The tree's key: 16 hex digits and a NUL. */
void guestroot_key(struct guestroot *gr, char key[17]);

/*
 * The tree for gr in cache_dir/guestroot, made now when it is not there
 * yet (atomically: a tree that exists is whole). Fills dir. Refuses a
 * cache directory that is not the effective user's own or that others can
 * write. Prints its own error.
 */
int guestroot_get(struct guestroot *gr, const char *cache_dir, struct strbuf *dir);

void guestroot_release(struct guestroot *gr);

#endif
