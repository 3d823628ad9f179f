// SPDX-License-Identifier: GPL-2.0-only
#include "common/spawn.h"

#include "common/log.h"

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

/*
 * If we were started with stdin, stdout or stderr closed, the pipes below
 * could land on fd 0-2 and be clobbered by the dup2() chain in the child (or
 * lose their close-on-exec twin): keep 0-2 taken, as git's sanitize_stdfds().
 */
static void sanitize_stdfds(void)
{
	int fd;

	do
		fd = open("/dev/null", O_RDWR);
	while (fd >= 0 && fd <= 2);
	if (fd >= 0)
		close(fd);
}

static int open_out(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

/* In the child after fork(): only async-signal-safe calls from here on. */
static void exec_child(const struct child *c, char **envp, const int fds[3], int report_fd)
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

	/* every fds[i] is > 2 or our own stderr (2), replaced last: no dup2 clobbers another */
	if (dup2(fds[0], 0) < 0 || dup2(fds[1], 1) < 0 || dup2(fds[2], 2) < 0)
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

/*
 * Only ever signal the group while its leader is not reaped (running, or a
 * zombie we have not waited for): until then its pid, and so the group id,
 * cannot belong to anybody else.
 */
static void kill_group(pid_t pid, int sig)
{
	kill(-pid, sig);
}

struct stream {
	int *fd;
	struct strbuf *sb;
	size_t limit;
	int *truncated;
	void (*on_output)(const char *buf, size_t len, void *data);
	void *cb_data;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void keep(struct stream *s, const char *buf, size_t n)
{
	size_t room = s->sb->len < s->limit ? s->limit - s->sb->len : 0;

	if (n > room) {
		*s->truncated = 1;
		n = room;
	}
	strbuf_add(s->sb, buf, n);
}

/* Read what is there (non-blocking); returns the bytes read this call. */
static size_t drain(struct stream *s)
{
	char buf[16384];
	ssize_t n;

	if (*s->fd < 0)
		return 0;
	do
		n = read(*s->fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n <= 0) {
		close_fd(s->fd);
		return 0;
	}
	if (s->on_output)
		s->on_output(buf, (size_t)n, s->cb_data);
	else
		keep(s, buf, (size_t)n);
	return (size_t)n;
}

/* Write what the pipe takes of the rest of stdin_data; close it when all is written. */
static void feed(struct child *c)
{
	size_t len = strlen(c->stdin_data);
	ssize_t n;

	while (c->fd[0] >= 0 && c->in_off < len) {
		n = write(c->fd[0], c->stdin_data + c->in_off, len - c->in_off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			break;	/* EPIPE: the child does not want the rest */
		c->in_off += (size_t)n;
	}
	close_fd(&c->fd[0]);
}

static int pipe_nonblock(int p[2], int our_end)
{
	if (pipe2(p, O_CLOEXEC))
		return -1;
	fcntl(p[our_end], F_SETFL, O_NONBLOCK);
	return 0;
}

/*
 * Choose the child's stdin, stdout and stderr (child[]) and open our ends
 * (c->fd[]). child[i] is devnull, our stderr (2), or an fd we opened (> 2).
 */
static int setup_fds(struct child *c, int devnull, int child[3])
{
	int p[2];

	child[0] = child[1] = child[2] = devnull;
	if (c->stdin_data) {
		if (pipe_nonblock(p, 1))
			return -1;
		child[0] = p[0];
		c->fd[0] = p[1];
	}
	if (c->flags & SPAWN_CAPTURE_STDOUT) {
		if (pipe_nonblock(p, 0))
			return -1;
		c->fd[1] = p[0];
		child[1] = p[1];
	} else if (c->stdout_path) {
		child[1] = open_out(c->stdout_path);
		if (child[1] < 0)
			return -1;
	} else if (!(c->flags & SPAWN_SILENT)) {
		child[1] = 2;
	}
	if (c->flags & SPAWN_STDERR_TO_STDOUT) {
		child[2] = child[1];
	} else if (c->flags & SPAWN_CAPTURE_STDERR) {
		if (pipe_nonblock(p, 0))
			return -1;
		c->fd[2] = p[0];
		child[2] = p[1];
	} else if (c->stderr_path) {
		child[2] = open_out(c->stderr_path);
		if (child[2] < 0)
			return -1;
	} else if (!(c->flags & SPAWN_SILENT)) {
		child[2] = 2;
	}
	return 0;
}

/* Close the child's ends in the parent (not devnull, not our own stderr). */
static void close_child_fds(int child[3], int devnull)
{
	int i;

	for (i = 0; i < 3; i++)
		if (child[i] > 2 && child[i] != devnull && (i < 2 || child[2] != child[1]))
			close(child[i]);
}

/* Wait for the exec: the report pipe closes on success, carries errno on failure. */
static int exec_errno(int fd)
{
	int e = 0;
	ssize_t n;

	do
		n = read(fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	return n == sizeof(e) ? e : 0;
}

static pid_t reap(pid_t pid, int *wstatus)
{
	pid_t r;

	do
		r = waitpid(pid, wstatus, 0);
	while (r < 0 && errno == EINTR);
	return r;
}

static int start_failed(struct child *c, int child[3], int devnull, int report[2])
{
	int saved = errno, i;

	close_child_fds(child, devnull);
	for (i = 0; i < 3; i++)
		close_fd(&c->fd[i]);
	close_fd(&report[0]);
	close_fd(&report[1]);
	close(devnull);
	c->pid = 0;
	errno = saved;
	return -1;
}

int spawn_start(struct child *c)
{
	int devnull, child[3] = { -1, -1, -1 }, report[2] = { -1, -1 }, e, ws;
	struct strvec envstore = STRVEC_INIT;
	char **envp;

	c->status = -1;
	c->timed_out = c->interrupted = c->stop = 0;
	c->out_truncated = c->err_truncated = 0;
	c->fd[0] = c->fd[1] = c->fd[2] = -1;
	c->in_off = 0;
	c->pid = 0;
	c->start_s = now_s();
	if (!c->args.nr) {
		errno = EINVAL;
		return -1;
	}
	sanitize_stdfds();
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		return -1;
	if (pipe2(report, O_CLOEXEC) || setup_fds(c, devnull, child))
		return start_failed(c, child, devnull, report);

	envp = child_environ(c, &envstore);
	fflush(NULL);
	c->pid = fork();
	if (c->pid < 0) {
		strvec_clear(&envstore);
		return start_failed(c, child, devnull, report);
	}
	if (!c->pid)
		exec_child(c, envp, child, report[1]);
	/* also from the parent, so that killing the group cannot race the child's setpgid */
	setpgid(c->pid, c->pid);
	strvec_clear(&envstore);
	close_fd(&report[1]);

	e = exec_errno(report[0]);
	if (e) {
		reap(c->pid, &ws);
		errno = e;
		return start_failed(c, child, devnull, report);
	}
	close_child_fds(child, devnull);
	close(report[0]);
	close(devnull);
	return 0;
}

/*
 * Has the leader exited? 1: yes, and it stays a zombie (WNOWAIT), so its group
 * id stays ours; -1: it is no longer our child (somebody else reaped it).
 */
static int leader_exited(pid_t pid)
{
	siginfo_t si;
	int r;

	memset(&si, 0, sizeof(si));
	do
		r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	return si.si_pid == pid;
}

/* Timeout, Ctrl-C or a callback's stop: SIGTERM first, SIGKILL 3 s later. */
static void check_limits(struct child *c, double *kill_at)
{
	if (!*kill_at) {
		if (c->timeout_ms && now_s() - c->start_s > c->timeout_ms / 1000.0)
			c->timed_out = 1;
		if (spawn_interrupted())
			c->interrupted = 1;
		if (c->timed_out || c->interrupted || c->stop) {
			kill_group(c->pid, SIGTERM);
			*kill_at = now_s() + 3;
		}
	} else if (now_s() > *kill_at) {
		kill_group(c->pid, SIGKILL);
		*kill_at = now_s() + 3600;
	}
}

/* One round: wait up to 50 ms for any of the three pipes, move what is ready. */
static void pump(struct child *c, struct stream streams[2])
{
	struct pollfd pfd[3];
	nfds_t n = 0;
	int i;

	for (i = 0; i < 3; i++) {
		if (c->fd[i] < 0)
			continue;
		pfd[n].fd = c->fd[i];
		pfd[n].events = i ? POLLIN : POLLOUT;
		pfd[n].revents = 0;
		n++;
	}
	if (poll(pfd, n, 50) <= 0)
		return;
	if (c->fd[0] >= 0)
		feed(c);
	for (i = 0; i < 2; i++)
		drain(&streams[i]);
}

static void warn_truncated(const struct child *c, const char *stream, int truncated, size_t limit)
{
	if (truncated)
		warning("'%s' wrote more than %zu bytes to %s: only the first %zu were kept",
			c->args.v[0], limit, stream, limit);
}

int spawn_finish(struct child *c)
{
	size_t limit = c->capture_limit ? c->capture_limit : (64u << 20);
	struct stream streams[2] = {
		{ &c->fd[1], &c->out, limit, &c->out_truncated, c->on_output, c->cb_data },
		{ &c->fd[2], &c->err, limit, &c->err_truncated, NULL, NULL },
	};
	struct sigaction ign, old_pipe;
	double kill_at = 0;
	int wstatus = 0, exited, i;

	/* a child that exits without reading all of stdin must not kill us with SIGPIPE */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old_pipe);
	for (;;) {
		pump(c, streams);
		if (c->on_tick)
			c->on_tick(c->cb_data);
		exited = leader_exited(c->pid);
		if (exited)
			break;
		check_limits(c, &kill_at);
	}
	/* nothing of the group may outlive its leader (fio job processes, perf workloads) */
	if (exited > 0)
		kill_group(c->pid, SIGKILL);
	/* take what is buffered; a grandchild holding the pipe must not hang us */
	for (i = 0; i < 2; i++)
		while (drain(&streams[i]))
			;
	if (exited > 0)
		reap(c->pid, &wstatus);
	sigaction(SIGPIPE, &old_pipe, NULL);
	for (i = 0; i < 3; i++)
		close_fd(&c->fd[i]);
	c->pid = 0;

	if (WIFEXITED(wstatus))
		c->status = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus))
		c->status = 128 + WTERMSIG(wstatus);
	c->elapsed_s = now_s() - c->start_s;
	warn_truncated(c, "stdout", c->out_truncated, limit);
	warn_truncated(c, "stderr", c->err_truncated, limit);
	return 0;
}

int spawn_run(struct child *c)
{
	if (spawn_start(c))
		return -1;
	return spawn_finish(c);
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
