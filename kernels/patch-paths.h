/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_PATCH_PATHS_H
#define PINBENCH_PATCH_PATHS_H

#include "common/strbuf.h"
#include "common/strvec.h"

/*
 * Every path `patch -p1` may create, change, rename, copy, delete or chmod
 * when applying text, relative to the tree and without duplicates, for the
 * journal that undoes it (kernels/source.c). Read from the file headers
 * only, hunk bodies skipped by their line counts:
 *
 *   diff --git a/X b/Y      both names (git's rules for names with spaces)
 *   --- a/X, +++ b/Y, *** a/X  one leading component stripped, /dev/null
 *                          and a tab-separated timestamp dropped
 *   Index: a/X             likewise (patch(1) may fall back to it)
 *   rename from/to X, copy from/to X   as they are (git writes no prefix)
 *
 * Names may be C-quoted as git writes them ("a/x\ty", \ooo octal). The mode
 * headers (old/new mode, new/deleted file mode) carry no name: their
 * section must have one from its diff --git line or another header.
 * Returns 0, or -1 with why set (a header whose names cannot be told).
 */
int patch_touched_paths(const char *text, struct strvec *paths, struct strbuf *why);

/*
 * Undo git's C-style quoting of a name starting at s (which is '"'):
 * appends it to out, returns a pointer after the closing quote, NULL for a
 * bad escape or no closing quote.
 */
const char *unquote_c_style(const char *s, struct strbuf *out);

#endif
