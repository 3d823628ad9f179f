/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_KCONFIG_H
#define PINBENCH_KCONFIG_H

#include "common/strbuf.h"
#include "common/strvec.h"

/*
 * A kernel .config from a base target and fragments, the way DESIGN.md
 * measured it works: `make BASE` (tinyconfig), scripts/kconfig/merge_config.sh
 * -m with the fragments, `make olddefconfig`, then a check that every line of
 * every fragment landed: merge_config drops what does not fit (an unknown
 * symbol, an unmet dependency) without failing.
 */

/* One fragment, its path for messages and its text. */
struct kconfig_fragment {
	const char *path;
	const char *text;
};

/*
 * Check .config text against the fragments (later fragments override earlier
 * ones, as merge_config does). Each line that did not land is appended to
 * missing as "PATH:LINE: CONFIG_X=y did not land (.config has: # CONFIG_X is
 * not set)". Lines that are neither CONFIG_X=... nor "# CONFIG_X is not set"
 * nor comments are reported too. Returns the number of problems.
 */
size_t kconfig_verify(const struct kconfig_fragment *frags, size_t nfrags,
		      const char *dotconfig, struct strvec *missing);

/*
 * Configure objdir (make O=objdir) from tree with base and the fragment
 * files (make_args such as CC=... added to every make), output appended to log_fd. Returns 0 when the .config is
 * complete; 1 when fragment lines did not land (each printed as an error);
 * -1 when a step failed (error printed, details in the log).
 */
int kconfig_configure(const char *tree, const char *objdir, const char *base,
		      const struct strvec *fragment_paths, const struct strvec *make_args,
		      int log_fd);

#endif
