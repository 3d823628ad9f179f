/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_TAP_H
#define PINBENCH_TAP_H

/*
 * Minimal TAP producer for the C unit tests; `prove` runs them and prints
 * the totals. Each check prints "ok N - name" or "not ok N - name" plus a
 * diagnostic; done_testing() prints the plan and returns the exit status.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int tap_ok(int cond, const char *file, int line, const char *name)
{
	tap_n++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, name);
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

#define ok(cond, name) tap_ok(!!(cond), __FILE__, __LINE__, name)

#define is_int(got, want, name) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	if (!ok(g_ == w_, name)) \
		printf("#   got %lld, want %lld\n", g_, w_); \
} while (0)

#define is_str(got, want, name) do { \
	const char *g_ = (got), *w_ = (want); \
	if (!ok(g_ && w_ && !strcmp(g_, w_), name)) \
		printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)

#define is_double(got, want, eps, name) do { \
	double g_ = (got), w_ = (want); \
	if (!ok(fabs(g_ - w_) <= (eps), name)) \
		printf("#   got %.17g, want %.17g (+-%g)\n", g_, w_, (double)(eps)); \
} while (0)

#define like(got, needle, name) do { \
	const char *g_ = (got), *n_ = (needle); \
	if (!ok(g_ && strstr(g_, n_), name)) \
		printf("#   '%s' does not contain '%s'\n", g_ ? g_ : "(null)", n_); \
} while (0)

static inline int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

/* Path of a committed fixture, relative to the source tree root. */
#ifndef FIXTURE_DIR
#define FIXTURE_DIR "tests/fixtures"
#endif

#endif
