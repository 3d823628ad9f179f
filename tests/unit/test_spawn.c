// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/spawn.h"
#include "tests/tap.h"

/*
 * Every kill() spawn.c sends comes here first: the pid (or the group's
 * leader) must still be a child of ours that nobody reaped, running or a
 * zombie; once reaped, the number may already be somebody else's.
 */
static int kills_of_reaped;

int kill(pid_t pid, int sig)
{
	pid_t target = pid < 0 ? -pid : pid;
	int saved = errno;
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)target, &si, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD)
		kills_of_reaped++;
	errno = saved;
	return (int)syscall(SYS_kill, pid, sig);
}

/* Gone or a zombie (reparented to an init that has not reaped it yet). */
static int dead(pid_t pid)
{
	char path[64], state = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 1;
	if (fscanf(f, "%*d %*s %c", &state) != 1)
		state = 0;
	fclose(f);
	return state == 'Z' || state == 'X';
}

static void run(struct child *c, const char *const *argv, unsigned flags)
{
	child_init(c);
	strvec_pushv(&c->args, argv);
	c->flags = flags;
}

static void test_capture_and_status(void)
{
	struct child c;

	run(&c, (const char *const[]){ "sh", "-c", "echo out; echo err >&2; exit 7", NULL },
	    SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR);
	is_int(spawn_run(&c), 0, "child started");
	is_str(c.out.buf, "out\n", "stdout captured");
	is_str(c.err.buf, "err\n", "stderr captured separately");
	is_int(c.status, 7, "exit status returned as a value");
	ok(!c.timed_out && !c.interrupted, "neither timed out nor interrupted");
	child_release(&c);
}

static void test_missing_program(void)
{
	struct child c;

	run(&c, (const char *const[]){ "pinbench-no-such-program", NULL }, SPAWN_SILENT);
	is_int(spawn_run(&c), -1, "missing program is an error");
	is_int(errno, ENOENT, "errno says not found");
	child_release(&c);
	ok(!spawn_find_program("pinbench-no-such-program", NULL), "find_program: missing");
	ok(spawn_find_program("sh", NULL), "find_program: sh exists");
}

static void test_timeout_kills_group(void)
{
	struct child c;
	struct strbuf how = STRBUF_INIT;
	pid_t grandchild;

	/* the grandchild must die with its parent's group, or fio job processes would linger */
	run(&c, (const char *const[]){ "sh", "-c", "sleep 30 & echo $!; wait", NULL },
	    SPAWN_CAPTURE_STDOUT);
	c.timeout_ms = 300;
	is_int(spawn_run(&c), 0, "started");
	ok(c.timed_out, "timed out");
	ok(c.status >= 128, "killed by a signal");
	grandchild = (pid_t)atoi(c.out.buf);
	ok(grandchild > 0, "grandchild pid reported");
	usleep(100 * 1000);
	ok(grandchild > 0 && dead(grandchild), "grandchild killed too");
	spawn_describe(&c, &how);
	like(how.buf, "timed out", "description says timed out");
	ok(c.elapsed_s < 20, "did not wait for the sleep");
	is_int(kills_of_reaped, 0, "timeout: no signal to a reaped pid");
	strbuf_release(&how);
	child_release(&c);
}

static void test_group_killed_before_reap(void)
{
	struct child c;
	pid_t grandchild;

	/* the leader exits at once; its group must be killed while the leader is a zombie */
	kills_of_reaped = 0;
	run(&c, (const char *const[]){ "sh", "-c", "sleep 30 >/dev/null & echo $!", NULL },
	    SPAWN_CAPTURE_STDOUT);
	is_int(spawn_run(&c), 0, "exiting leader: started");
	is_int(c.status, 0, "exiting leader: exit status 0");
	grandchild = (pid_t)atoi(c.out.buf);
	ok(grandchild > 0, "exiting leader: grandchild pid reported");
	usleep(100 * 1000);
	ok(grandchild > 0 && dead(grandchild), "exiting leader: grandchild in its group killed");
	is_int(kills_of_reaped, 0, "exiting leader: group signalled before the leader was reaped");
	child_release(&c);
}

/* A child that writes while it reads, more than a pipe holds either way. */
static void test_stdin_and_stdout_together(void)
{
	size_t len = 3u << 20, i;
	char *in = malloc(len + 1);
	struct child c;

	for (i = 0; i < len; i++)
		in[i] = (char)('a' + i % 23);
	in[len] = 0;
	run(&c, (const char *const[]){ "cat", NULL }, SPAWN_CAPTURE_STDOUT);
	c.stdin_data = in;
	c.timeout_ms = 60000;
	alarm(60);	/* a deadlock ends the test here instead of hanging it */
	is_int(spawn_run(&c), 0, "3 MiB through cat: started");
	alarm(0);
	ok(!c.timed_out, "3 MiB through cat: no deadlock");
	is_int(c.out.len, len, "3 MiB through cat: all of it came back");
	ok(c.out.len == len && !memcmp(c.out.buf, in, len), "3 MiB through cat: unchanged");
	ok(!c.out_truncated, "3 MiB through cat: not truncated");
	child_release(&c);
	free(in);
}

static void test_truncation_reported(void)
{
	struct child c;

	run(&c, (const char *const[]){ "sh", "-c", "printf %01000d 0; printf %01001d 0 >&2", NULL },
	    SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR);
	c.capture_limit = 1000;
	is_int(spawn_run(&c), 0, "capture limit: started");
	is_int(c.out.len, 1000, "capture limit: stdout of exactly the limit kept");
	ok(!c.out_truncated, "capture limit: stdout at the limit is not truncated");
	is_int(c.err.len, 1000, "capture limit: stderr cut at the limit");
	ok(c.err_truncated, "capture limit: stderr cut is reported");
	child_release(&c);
}

/* In a forked process with fd 0-2 closed: run three children and describe what they did. */
static void closed_stdfds_child(int res)
{
	struct strbuf sb = STRBUF_INIT;
	struct child c;
	int r;

	close(0);
	close(1);
	close(2);
	/* stdin /dev/null, not a closed fd */
	run(&c, (const char *const[]){ "cat", NULL }, SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR);
	r = spawn_run(&c);
	strbuf_addf(&sb, "%d %d [%s] [%s];", r, c.status, c.out.buf, c.err.buf);
	child_release(&c);
	run(&c, (const char *const[]){ "sh", "-c", "cat; echo err >&2", NULL },
	    SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR);
	c.stdin_data = "in";
	r = spawn_run(&c);
	strbuf_addf(&sb, "%d %d [%s] [%s];", r, c.status, c.out.buf, c.err.buf);
	child_release(&c);
	run(&c, (const char *const[]){ "pinbench-no-such-program", NULL }, 0);
	r = spawn_run(&c);
	strbuf_addf(&sb, "%d %d", r, r ? errno : c.status);
	child_release(&c);
	if (write(res, sb.buf, sb.len) < 0)
		_exit(2);
	strbuf_release(&sb);
	_exit(0);
}

static void test_closed_stdfds(void)
{
	struct strbuf got = STRBUF_INIT, want = STRBUF_INIT;
	int res[2], ws = 0;
	pid_t pid;

	if (!ok(!pipe(res), "closed std fds: pipe"))
		return;
	fflush(NULL);
	pid = fork();
	if (!pid) {
		close(res[0]);
		closed_stdfds_child(res[1]);
	}
	close(res[1]);
	for (;;) {
		char buf[256];
		ssize_t n = read(res[0], buf, sizeof(buf));

		if (n <= 0)
			break;
		strbuf_add(&got, buf, (size_t)n);
	}
	close(res[0]);
	waitpid(pid, &ws, 0);
	ok(WIFEXITED(ws) && !WEXITSTATUS(ws), "closed std fds: helper exited normally");
	/* started, exit status, stdout, stderr; then the missing program's errno */
	strbuf_addf(&want, "0 0 [] [];0 0 [in] [err\n];-1 %d", ENOENT);
	is_str(got.buf, want.buf, "closed std fds: stdin /dev/null, pipes intact, exec errors seen");
	strbuf_release(&got);
	strbuf_release(&want);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* Signals without SA_RESTART (a SIGALRM every 100 us) interrupt every wait in spawn. */
static void test_eintr(void)
{
	struct itimerval every = { { 0, 100 }, { 0, 100 } }, off = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa, old;
	struct strbuf path = STRBUF_INIT;
	struct child c;
	int i, refused = 0, enoent = 0;

	/* a long PATH makes the failing execvp() slow, so the alarm hits our wait for it */
	strbuf_addstr(&path, "PATH=");
	for (i = 0; i < 2000; i++)
		strbuf_addf(&path, "%s/nonexistent/pinbench-%d", i ? ":" : "", i);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	sigaction(SIGALRM, &sa, &old);
	alarms = 0;
	setitimer(ITIMER_REAL, &every, NULL);
	for (i = 0; i < 10; i++) {
		run(&c, (const char *const[]){ "pinbench-no-such-program", NULL }, SPAWN_SILENT);
		strvec_push(&c.env, path.buf);
		if (spawn_run(&c) == -1) {
			refused++;
			enoent += errno == ENOENT;
		}
		child_release(&c);
	}
	run(&c, (const char *const[]){ "sh", "-c", "cat; head -c 300000 /dev/zero", NULL },
	    SPAWN_CAPTURE_STDOUT);
	c.stdin_data = "x";
	is_int(spawn_run(&c), 0, "EINTR: capture started");
	is_int(c.out.len, 300001, "EINTR: all output captured");
	is_int(c.status, 0, "EINTR: exit status 0");
	child_release(&c);
	setitimer(ITIMER_REAL, &off, NULL);
	/* an alarm still pending must not hit the default action */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGALRM, &old, NULL);
	ok(alarms > 0, "EINTR: the alarms arrived");
	is_int(refused, 10, "EINTR: a missing program is refused every time");
	is_int(enoent, 10, "EINTR: with ENOENT every time");
	strbuf_release(&path);
}

static void test_stdin_env_dir(void)
{
	struct child c;

	run(&c, (const char *const[]){ "sh", "-c", "cat; echo \"$PB_TEST\"; pwd", NULL },
	    SPAWN_CAPTURE_STDOUT);
	c.stdin_data = "from stdin\n";
	strvec_push(&c.env, "PB_TEST=value");
	c.dir = "/";
	is_int(spawn_run(&c), 0, "started");
	is_str(c.out.buf, "from stdin\nvalue\n/\n", "stdin fed, env set, dir changed");
	child_release(&c);
}

static void test_no_shell_interpretation(void)
{
	struct child c;

	/* an argument with shell syntax reaches the program verbatim */
	run(&c, (const char *const[]){ "printf", "%s", "$(id); rm -rf /nonexistent", NULL },
	    SPAWN_CAPTURE_STDOUT);
	is_int(spawn_run(&c), 0, "started");
	is_str(c.out.buf, "$(id); rm -rf /nonexistent", "argv element passed verbatim");
	child_release(&c);
}

static void test_interrupt(void)
{
	struct child c;

	spawn_install_signals();
	run(&c, (const char *const[]){ "sh", "-c", "kill -INT $PPID; sleep 30", NULL }, SPAWN_SILENT);
	is_int(spawn_run(&c), 0, "started");
	ok(c.interrupted, "SIGINT to us kills the child and says interrupted");
	ok(spawn_interrupted(), "interruption remembered");
	spawn_clear_interrupted();
	child_release(&c);
}

static void test_output_file(void)
{
	char path[] = "/tmp/pinbench-spawn.XXXXXX";
	struct strbuf sb = STRBUF_INIT;
	struct child c;
	int fd = mkstemp(path);

	close(fd);
	run(&c, (const char *const[]){ "echo", "to a file", NULL }, 0);
	c.stdout_path = path;
	is_int(spawn_run(&c), 0, "started");
	ok(!strbuf_read_file(&sb, path, 0), "file readable");
	is_str(sb.buf, "to a file\n", "stdout went to the file");
	unlink(path);
	strbuf_release(&sb);
	child_release(&c);
}

int main(void)
{
	test_capture_and_status();
	test_missing_program();
	test_timeout_kills_group();
	test_group_killed_before_reap();
	test_stdin_and_stdout_together();
	test_truncation_reported();
	test_closed_stdfds();
	test_eintr();
	test_stdin_env_dir();
	test_no_shell_interpretation();
	test_interrupt();
	test_output_file();
	return done_testing();
}
