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
#include <stdlib.h>
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

/*
 * A skip passes only when tests/skips.txt (or $PINBENCH_SKIPS) justifies it
 * with a line "test_NAME: NAME — WHY IT MAY BE SKIPPED"; any other skip is a
 * failure. Allowed skips are appended to $PINBENCH_SKIP_LOG, which make test
 * prints at its end.
 */
#define TAP_DASH " \xe2\x80\x94 "	/* " — " */

/* Does a line of the skips file justify key ("test_x: name")? */
static inline int tap_skip_listed(const char *key)
{
	const char *file = getenv("PINBENCH_SKIPS");
	char line[1024];
	size_t len = strlen(key);
	int found = 0;
	FILE *f = fopen(file ? file : "tests/skips.txt", "r");

	while (f && !found && fgets(line, sizeof(line), f)) {
		const char *why = line + len + strlen(TAP_DASH);

		if (*line == '#' || strncmp(line, key, len) || strncmp(line + len, TAP_DASH,
								      strlen(TAP_DASH)))
			continue;
		found = strspn(why, " \t\n") < strlen(why);
	}
	if (f)
		fclose(f);
	return found;
}

static inline void tap_skip(const char *file, const char *name, const char *why)
{
	char key[256];
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	const char *log = getenv("PINBENCH_SKIP_LOG");
	FILE *f;

	/* the test program's name is its source file's, without ".c" */
	snprintf(key, sizeof(key), "%.*s: %s", (int)strcspn(base, "."), base, name);
	tap_n++;
	if (!tap_skip_listed(key)) {
		tap_failed++;
		printf("not ok %d - %s (skipped: %s)\n"
		       "#   a skip fails unless justified: make the test run here, or add the\n"
		       "#   line '%s" TAP_DASH "WHY IT MAY BE SKIPPED' to tests/skips.txt\n",
		       tap_n, name, why, key);
		fflush(stdout);
		return;
	}
	printf("ok %d - %s # SKIP %s\n", tap_n, name, why);
	fflush(stdout);
	f = log ? fopen(log, "a") : NULL;
	if (f) {
		fprintf(f, "%s" TAP_DASH "%s\n", key, why);
		fclose(f);
	}
}

#define skip(name, why) tap_skip(__FILE__, name, why)

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
