/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_LOG_H
#define PINBENCH_LOG_H

/*
 * Messages, after git's usage.c: error() prints "pinbench: error: ..." and
 * returns -1 so that a caller can write `return error("...")`; only the
 * command (cmd_*) decides which exit code a failure becomes. Messages are
 * lower-case, without a full stop, and quote the object they are about.
 */

/* Exit codes shared by every command (documented in README.md). */
enum exit_code {
	EXIT_OK = 0,
	EXIT_REGRESSION = 1,
	EXIT_USAGE = 2,
	EXIT_INFRA = 3,
};

__attribute__((format(printf, 1, 2)))
int error(const char *fmt, ...);
__attribute__((format(printf, 1, 2)))
void warning(const char *fmt, ...);
/* Progress and status lines for the person at the terminal (stderr). */
__attribute__((format(printf, 1, 2)))
void info(const char *fmt, ...);

/* Silence info() (--quiet). Errors and warnings are always printed. */
void log_set_quiet(int quiet);

/* strerror(errno) shorthand that keeps call sites short. */
const char *errstr(void);

#endif
