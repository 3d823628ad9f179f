/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_PROC_H
#define PINBENCH_PROC_H

#include <sys/types.h>

/*
 * When did process pid start, in clock ticks after boot (/proc/PID/stat
 * field 22)? A pid alone names a process only until it is reused; pid and
 * start time together name one process for as long as the machine is up.
 * Returns 0, or -1 with errno set (ENOENT: no such process). Prints nothing.
 */
int proc_start_time(pid_t pid, unsigned long long *ticks);

/* The same, parsed from the text of a /proc/PID/stat file (for tests). */
int proc_parse_start_time(const char *stat, unsigned long long *ticks);

#endif
