// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <signal.h>
#include <unistd.h>

#include "common/spawn.h"
#include "tests/tap.h"

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
	strbuf_release(&how);
	child_release(&c);
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
	test_stdin_env_dir();
	test_no_shell_interpretation();
	test_interrupt();
	test_output_file();
	return done_testing();
}
