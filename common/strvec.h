/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_STRVEC_H
#define PINBENCH_STRVEC_H

#include <stddef.h>

/*
 * A NULL-terminated, growable array of owned strings: an argv under
 * construction, or any list of names. v[nr] is always NULL.
 */
struct strvec {
	const char **v;
	size_t nr;
	size_t alloc;
};

extern const char *strvec_empty[];
#define STRVEC_INIT { .v = strvec_empty, .nr = 0, .alloc = 0 }

void strvec_push(struct strvec *sv, const char *s);
__attribute__((format(printf, 2, 3)))
void strvec_pushf(struct strvec *sv, const char *fmt, ...);
void strvec_pushv(struct strvec *sv, const char *const *items);
/* Push every argument up to a NULL. */
__attribute__((sentinel))
void strvec_pushl(struct strvec *sv, ...);
/* Drop the item at index i (the rest moves up). */
void strvec_remove(struct strvec *sv, size_t i);
void strvec_clear(struct strvec *sv);
/* Split on commas and/or whitespace, pushing non-empty trimmed items. */
void strvec_split(struct strvec *sv, const char *list);
int strvec_contains(const struct strvec *sv, const char *s);
/* Join with sep into a fresh malloc'd string (for display only). */
char *strvec_join(const struct strvec *sv, const char *sep);

#endif
