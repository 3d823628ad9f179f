/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_SPAWN_H
#define PINBENCH_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#include "common/strbuf.h"
#include "common/strvec.h"

/*
 * The one place where pinbench starts other programs (fio, perf, mkfs, qemu,
 * make, gnuplot, git ...), after git's run-command. Programs are always
 * started from an argv array, never through a shell.
 *
 * A child runs in its own process group, so that a timeout or a Ctrl-C can
 * kill it together with everything it started (fio's job processes, perf's
 * workload). stdin is /dev/null unless stdin_data is set.
 */
enum spawn_flags {
	SPAWN_CAPTURE_STDOUT = 1 << 0,	/* collect stdout into child.out */
	SPAWN_CAPTURE_STDERR = 1 << 1,	/* collect stderr into child.err */
	SPAWN_STDERR_TO_STDOUT = 1 << 2,/* merge stderr into stdout's destination */
	SPAWN_SILENT = 1 << 3,		/* discard what is not captured or redirected */
};

struct child {
	struct strvec args;	/* args.v[0] is the program, looked up in PATH */
	struct strvec env;	/* "NAME=value" to add to (or override in) our environment */
	const char *dir;	/* chdir() here before exec, or NULL */
	const char *stdout_path;/* write stdout to this file (truncated), or NULL */
	const char *stderr_path;/* write stderr to this file (truncated), or NULL */
	const char *stdin_data;	/* fed to stdin, or NULL for /dev/null */
	unsigned flags;
	unsigned timeout_ms;	/* 0: no limit */
	size_t capture_limit;	/* keep at most this many bytes per stream (0: 64 MiB); see *_truncated */
	/*
	 * With SPAWN_CAPTURE_STDOUT: hand every chunk of stdout to on_output as
	 * it arrives instead of keeping it in out (a build log, a console), and
	 * call on_tick about every 50 ms while the child runs (progress lines).
	 */
	void (*on_output)(const char *buf, size_t len, void *data);
	void (*on_tick)(void *data);
	void *cb_data;
	int stop;		/* set by on_output/on_tick: end the child (SIGTERM, then SIGKILL) */

	/* filled by spawn_run() */
	struct strbuf out;
	struct strbuf err;
	int status;		/* exit code; 128 + signal number when killed */
	int timed_out;		/* killed because timeout_ms passed */
	int interrupted;	/* killed because we got SIGINT/SIGTERM */
	int out_truncated;	/* stdout passed capture_limit: out holds only its start */
	int err_truncated;	/* the same for stderr */
	double elapsed_s;

	/* private to spawn.c between spawn_start() and spawn_finish() */
	pid_t pid;
	int fd[3];		/* our ends: stdin (write), stdout, stderr (read); -1 if none */
	size_t in_off;		/* bytes of stdin_data written so far */
	double start_s;
};

#define CHILD_INIT { .args = STRVEC_INIT, .env = STRVEC_INIT, \
		     .out = STRBUF_INIT, .err = STRBUF_INIT }

void child_init(struct child *c);
void child_release(struct child *c);

/*
 * Run the child to completion: spawn_start() then spawn_finish(). Returns -1
 * when it could not be started (errno says why: ENOENT when the program is not
 * installed; nothing printed), otherwise 0 with status/timed_out/interrupted
 * filled in. A non-zero exit status is not an error at this level: the caller
 * knows what it means. Output cut at capture_limit sets out_truncated or
 * err_truncated and prints a warning; a caller that parses it must refuse it.
 */
int spawn_run(struct child *c);

/*
 * The two halves, after git's start_command()/finish_command(): spawn_start()
 * forks and execs (-1 as above, nothing left to finish), spawn_finish() feeds
 * stdin, collects output, enforces the timeout and reaps (always 0). stdin,
 * stdout and stderr are pumped together, so a child may write any amount
 * while it reads any amount.
 */
int spawn_start(struct child *c);
int spawn_finish(struct child *c);

/* Describe how a finished child ended ("exit status 2", "killed by signal 9", "timed out after 5 s"). */
void spawn_describe(const struct child *c, struct strbuf *out);

/* Is `name` an executable in PATH (or an executable path)? Fills path when found. */
int spawn_find_program(const char *name, struct strbuf *path);

/*
 * Ctrl-C handling: after spawn_install_signals(), SIGINT/SIGTERM/SIGHUP set a
 * flag instead of killing pinbench; a running child is then killed and the
 * caller sees child.interrupted, marks its work interrupted and returns.
 */
void spawn_install_signals(void);
int spawn_interrupted(void);
/* For tests: forget an earlier interruption. */
void spawn_clear_interrupted(void);

#endif
