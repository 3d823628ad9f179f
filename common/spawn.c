// SPDX-License-Identifier: GPL-2.0-only
#include "common/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

void spawn_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int spawn_interrupted(void)
{
	return got_signal != 0;
}

void spawn_clear_interrupted(void)
{
	got_signal = 0;
}

void child_init(struct child *c)
{
	struct child blank = CHILD_INIT;

	*c = blank;
}

void child_release(struct child *c)
{
	strvec_clear(&c->args);
	strvec_clear(&c->env);
	strbuf_release(&c->out);
	strbuf_release(&c->err);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int spawn_find_program(const char *name, struct strbuf *path)
{
	const char *p = getenv("PATH");
	struct strbuf cand = STRBUF_INIT;

	if (strchr(name, '/')) {
		if (access(name, X_OK))
			return 0;
		if (path)
			strbuf_addstr(path, name);
		return 1;
	}
	if (!p)
		p = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	while (*p) {
		const char *end = strchrnul(p, ':');
		struct stat st;

		strbuf_reset(&cand);
		if (end > p)
			strbuf_add(&cand, p, (size_t)(end - p));
		else
			strbuf_addch(&cand, '.');
		strbuf_addf(&cand, "/%s", name);
		if (!stat(cand.buf, &st) && S_ISREG(st.st_mode) && !access(cand.buf, X_OK)) {
			if (path)
				strbuf_addstr(path, cand.buf);
			strbuf_release(&cand);
			return 1;
		}
		p = *end ? end + 1 : end;
	}
	strbuf_release(&cand);
	return 0;
}

/* Build environ for the child: ours, with c->env's names replaced or added. */
static char **child_environ(const struct child *c, struct strvec *store)
{
	char **e;
	size_t i;

	if (!c->env.nr)
		return environ;
	for (e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		size_t nlen = eq ? (size_t)(eq - *e) : strlen(*e);
		int overridden = 0;

		for (i = 0; i < c->env.nr; i++)
			if (!strncmp(c->env.v[i], *e, nlen) && c->env.v[i][nlen] == '=')
				overridden = 1;
		if (!overridden)
			strvec_push(store, *e);
	}
	strvec_pushv(store, c->env.v);
	return (char **)store->v;
}

static int open_out(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

/* In the child after fork(): only async-signal-safe calls from here on. */
static void exec_child(const struct child *c, char **envp, int in_fd,
		       int out_fd, int err_fd, int report_fd)
{
	struct sigaction sa;
	int e;

	setpgid(0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);

	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
		goto fail;
	if (c->dir && chdir(c->dir))
		goto fail;
	environ = envp;
	execvp(c->args.v[0], (char *const *)c->args.v);
fail:
	e = errno;
	if (write(report_fd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

static void kill_group(pid_t pid, int sig)
{
	if (kill(-pid, sig) && errno == ESRCH)
		kill(pid, sig);
}

struct stream {
	int fd;
	struct strbuf *sb;
	size_t limit;
	void (*on_output)(const char *buf, size_t len, void *data);
	void *cb_data;
};

/* Read what is there (all of it when block); returns the bytes read this call. */
static size_t drain(struct stream *s, int block)
{
	char buf[16384];
	size_t total = 0;
	ssize_t n;

	while (s->fd >= 0) {
		n = read(s->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && !block)
			return total;
		if (n <= 0) {
			close(s->fd);
			s->fd = -1;
			return total;
		}
		total += (size_t)n;
		if (s->on_output)
			s->on_output(buf, (size_t)n, s->cb_data);
		else if (s->sb->len < s->limit)
			strbuf_add(s->sb, buf, (size_t)n < s->limit - s->sb->len ?
				   (size_t)n : s->limit - s->sb->len);
		if (!block)
			return total;
	}
	return total;
}

static int setup_pipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC))
		return -1;
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	return 0;
}

/* Feed stdin_data (small: a job file, a script) before reading output. */
static void feed_stdin(int fd, const char *data)
{
	size_t len = strlen(data), off = 0;

	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
}

static int reap(pid_t pid, int *wstatus, int block)
{
	pid_t r;

	do {
		r = waitpid(pid, wstatus, block ? 0 : WNOHANG);
	} while (r < 0 && errno == EINTR);
	return r == pid;
}

int spawn_run(struct child *c)
{
	int in_fd = -1, out_fd = -1, err_fd = -1, report[2] = { -1, -1 };
	int out_pipe[2] = { -1, -1 }, err_pipe[2] = { -1, -1 }, in_pipe[2] = { -1, -1 };
	struct stream streams[2];
	struct strvec envstore = STRVEC_INIT;
	size_t limit = c->capture_limit ? c->capture_limit : (64u << 20);
	double start = now_s(), kill_at = 0;
	int wstatus = 0, exec_errno = 0, reaped = 0, devnull;
	char **envp;
	pid_t pid;

	c->status = -1;
	c->timed_out = c->interrupted = c->stop = 0;
	if (!c->args.nr) {
		errno = EINVAL;
		return -1;
	}
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		return -1;
	if (pipe2(report, O_CLOEXEC))
		goto fail_errno;

	if (c->stdin_data) {
		if (pipe2(in_pipe, O_CLOEXEC))
			goto fail_errno;
		in_fd = in_pipe[0];
	} else {
		in_fd = devnull;
	}
	if (c->flags & SPAWN_CAPTURE_STDOUT) {
		if (setup_pipe(out_pipe))
			goto fail_errno;
		out_fd = out_pipe[1];
	} else if (c->stdout_path) {
		out_fd = open_out(c->stdout_path);
		if (out_fd < 0)
			goto fail_errno;
	} else {
		out_fd = (c->flags & SPAWN_SILENT) ? devnull : 2;
	}
	if (c->flags & SPAWN_STDERR_TO_STDOUT) {
		err_fd = out_fd;
	} else if (c->flags & SPAWN_CAPTURE_STDERR) {
		if (setup_pipe(err_pipe))
			goto fail_errno;
		err_fd = err_pipe[1];
	} else if (c->stderr_path) {
		err_fd = open_out(c->stderr_path);
		if (err_fd < 0)
			goto fail_errno;
	} else {
		err_fd = (c->flags & SPAWN_SILENT) ? devnull : 2;
	}

	envp = child_environ(c, &envstore);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		goto fail_errno;
	if (!pid)
		exec_child(c, envp, in_fd, out_fd, err_fd, report[1]);
	/* also from the parent, so that killing the group cannot race the child's setpgid */
	setpgid(pid, pid);
	strvec_clear(&envstore);

	close(report[1]);
	report[1] = -1;
	if (read(report[0], &exec_errno, sizeof(exec_errno)) == sizeof(exec_errno)) {
		reap(pid, &wstatus, 1);
		errno = exec_errno;
		goto fail_errno;
	}
	if (in_pipe[1] >= 0) {
		close(in_pipe[0]);
		in_pipe[0] = -1;
		feed_stdin(in_pipe[1], c->stdin_data);
		close(in_pipe[1]);
		in_pipe[1] = -1;
	}
	/* close our copies of the child's ends */
	if (out_pipe[1] >= 0)
		close(out_pipe[1]);
	if (err_pipe[1] >= 0)
		close(err_pipe[1]);
	if (c->stdout_path && out_fd > 2 && out_fd != devnull)
		close(out_fd);
	if (c->stderr_path && err_fd > 2 && err_fd != devnull && err_fd != out_fd)
		close(err_fd);

	streams[0] = (struct stream){ out_pipe[0], &c->out, limit, c->on_output, c->cb_data };
	streams[1] = (struct stream){ err_pipe[0], &c->err, limit, NULL, NULL };

	while (!reaped || streams[0].fd >= 0 || streams[1].fd >= 0) {
		struct pollfd pfd[2];
		int nfds = 0, i;

		for (i = 0; i < 2; i++) {
			if (streams[i].fd >= 0) {
				pfd[nfds].fd = streams[i].fd;
				pfd[nfds].events = POLLIN;
				nfds++;
			}
		}
		if (poll(pfd, (nfds_t)nfds, 50) > 0) {
			for (i = 0; i < 2; i++)
				drain(&streams[i], 0);
		}
		if (c->on_tick)
			c->on_tick(c->cb_data);
		if (!reaped && reap(pid, &wstatus, 0)) {
			reaped = 1;
			/* take what is buffered; a grandchild holding the pipe must not hang us */
			for (i = 0; i < 2; i++) {
				fcntl(streams[i].fd, F_SETFL, O_NONBLOCK);
				while (streams[i].fd >= 0 && drain(&streams[i], 0))
					;
			}
			break;
		}
		if (!kill_at) {
			if (c->timeout_ms && now_s() - start > c->timeout_ms / 1000.0)
				c->timed_out = 1;
			if (spawn_interrupted())
				c->interrupted = 1;
			if (c->timed_out || c->interrupted || c->stop) {
				kill_group(pid, SIGTERM);
				kill_at = now_s() + 3;
			}
		} else if (now_s() > kill_at) {
			kill_group(pid, SIGKILL);
			kill_at = now_s() + 3600;
		}
	}
	if (!reaped)
		reap(pid, &wstatus, 1);
	/* nothing of the group may outlive its leader (fio job processes, perf workloads) */
	kill_group(pid, SIGKILL);

	if (streams[0].fd >= 0)
		close(streams[0].fd);
	if (streams[1].fd >= 0)
		close(streams[1].fd);
	close(report[0]);
	close(devnull);

	if (WIFEXITED(wstatus))
		c->status = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus))
		c->status = 128 + WTERMSIG(wstatus);
	c->elapsed_s = now_s() - start;
	return 0;

fail_errno:
	{
		int saved = errno;
		int fds[] = { report[0], report[1], in_pipe[0], in_pipe[1], out_pipe[0],
			      out_pipe[1], err_pipe[0], err_pipe[1] };
		size_t i;

		for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
			if (fds[i] >= 0)
				close(fds[i]);
		if (c->stdout_path && out_fd > 2 && out_fd != devnull && out_fd != out_pipe[1])
			close(out_fd);
		if (c->stderr_path && err_fd > 2 && err_fd != devnull && err_fd != out_fd &&
		    err_fd != err_pipe[1])
			close(err_fd);
		close(devnull);
		strvec_clear(&envstore);
		errno = saved;
		return -1;
	}
}

void spawn_describe(const struct child *c, struct strbuf *out)
{
	if (c->timed_out)
		strbuf_addf(out, "timed out after %u s", c->timeout_ms / 1000);
	else if (c->interrupted)
		strbuf_addstr(out, "interrupted");
	else if (c->status > 128)
		strbuf_addf(out, "killed by signal %d (%s)", c->status - 128,
			    strsignal(c->status - 128));
	else
		strbuf_addf(out, "exit status %d", c->status);
}
