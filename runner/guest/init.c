// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinbench's /init: PID 1 of the benchmark guest, the only program in its
 * initramfs (runner/initramfs.c). A separate static program on purpose: it
 * must run before any root file system exists, so it uses nothing but libc.
 *
 * It mounts the tools tree read-only over 9p (the host's fio, perf, mkfs
 * and their libraries at their host paths, nothing else: runner/guestroot.h),
 * the work directory writable over 9p, chroots into the tree and runs
 * `pinbench agent` there, so the guest runs the same programs and libraries
 * as the host without seeing the rest of the host's files. Every line it
 * prints starts with "pinbench-init: " and the host parses them: keep them
 * as they are. Whatever happens, it ends by powering the machine off (QEMU
 * runs with -no-reboot), so a broken guest never hangs a benchmark run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NINEP_OPTS "trans=virtio,version=9p2000.L"
#define NINEP_MSIZE ",msize=262144"

/* PATH is GUEST_PATH of runner/guestroot.h: the tree holds what it finds */
static char *const agent_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"HOME=/tmp",
	"LANG=C.UTF-8",
	"TMPDIR=/tmp",
	NULL,
};

__attribute__((format(printf, 1, 2)))
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("pinbench-init: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	/* the console must show it now, and fork() must not copy it */
	fflush(stdout);
}

/* PID 1 must never exit (the kernel would panic): power off instead. */
__attribute__((noreturn))
static void power_off(void)
{
	sync();
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

__attribute__((noreturn, format(printf, 1, 2)))
static void die(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say("error: %s", msg);
	power_off();
}

static void must_mount(const char *src, const char *dir, const char *type,
		       unsigned long flags, const char *opts)
{
	if (mount(src, dir, type, flags, opts))
		die("mount %s on %s: %s", type, dir, strerror(errno));
}

/* mkdir that accepts a directory already there, even on a read-only file system. */
static int make_dir(const char *dir)
{
	struct stat st;

	if (!mkdir(dir, 0755))
		return 0;
	if ((errno == EEXIST || errno == EROFS) && !stat(dir, &st) && S_ISDIR(st.st_mode))
		return 0;
	return -1;
}

static void must_mkdir_p(const char *path)
{
	char tmp[4096];
	char *p;

	if (strlen(path) >= sizeof(tmp))
		die("mkdir %s: path too long", path);
	strcpy(tmp, path);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (make_dir(tmp))
			die("mkdir %s: %s", tmp, strerror(errno));
		*p = '/';
	}
	if (make_dir(tmp))
		die("mkdir %s: %s", tmp, strerror(errno));
}

/* The first field of /proc/uptime ("12.34"), for the host's boot timings. */
static const char *uptime(void)
{
	static char buf[64];
	ssize_t n = -1;
	int fd = open("/proc/uptime", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n <= 0)
		return "?";
	buf[n] = '\0';
	buf[strcspn(buf, " \n")] = '\0';
	return buf;
}

/*
 * The kernel hands init neither dotted parameters (it takes them for module
 * options) nor their values, so read them from /proc/cmdline, split into
 * NUL-terminated words in place.
 */
static char cmdline[4096];
static size_t cmdline_len;

static void read_cmdline(void)
{
	ssize_t n = -1;
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, cmdline, sizeof(cmdline) - 1);
		close(fd);
	}
	if (n < 0)
		die("read /proc/cmdline: %s", strerror(errno));
	cmdline_len = (size_t)n;
	for (size_t i = 0; i < cmdline_len; i++)
		if (cmdline[i] == ' ' || cmdline[i] == '\n')
			cmdline[i] = '\0';
}

/* The value of key=value, or NULL. */
static const char *get(const char *key)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i < cmdline_len; i += strlen(cmdline + i) + 1)
		if (!strncmp(cmdline + i, key, klen) && cmdline[i + klen] == '=')
			return cmdline + i + klen + 1;
	return NULL;
}

static const char *need_path(const char *key)
{
	const char *v = get(key);

	if (!v || v[0] != '/')
		die("%s=/absolute/path is missing from the kernel command line", key);
	return v;
}

static void mount_host(const char *work)
{
	char dir[4096];

	/* 1. the tools tree, read-only; an old 9p may refuse a large msize */
	if (make_dir("/host"))
		die("mkdir /host: %s", strerror(errno));
	if (mount("pbroot", "/host", "9p", MS_RDONLY, NINEP_OPTS ",cache=loose" NINEP_MSIZE))
		must_mount("pbroot", "/host", "9p", MS_RDONLY, NINEP_OPTS ",cache=loose");

	/* 2. the guest's own kernel file systems inside it */
	must_mount("proc", "/host/proc", "proc", 0, NULL);
	must_mount("sysfs", "/host/sys", "sysfs", 0, NULL);
	must_mount("devtmpfs", "/host/dev", "devtmpfs", 0, NULL);
	/* devtmpfs has no shm or pts directory, but it is writable */
	must_mkdir_p("/host/dev/shm");
	must_mount("tmpfs", "/host/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	/* only for programs that want a pty: not worth failing the boot for */
	if (!make_dir("/host/dev/pts"))
		mount("devpts", "/host/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		      "mode=0620,ptmxmode=0666");
	must_mount("tmpfs", "/host/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	must_mount("tmpfs", "/host/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	/* perf's tracepoints need it; a kernel without CONFIG_TRACING still benchmarks */
	if (mount("tracefs", "/host/sys/kernel/tracing", "tracefs", 0, NULL))
		say("note: tracefs on /sys/kernel/tracing: %s", strerror(errno));

	/* 3. the writable work share, usually under the fresh /tmp */
	if (snprintf(dir, sizeof(dir), "/host%s", work) >= (int)sizeof(dir))
		die("pinbench.work is too long");
	must_mkdir_p(dir);
	if (mount("pbwork", dir, "9p", 0, NINEP_OPTS ",cache=none" NINEP_MSIZE))
		must_mount("pbwork", dir, "9p", 0, NINEP_OPTS ",cache=none");

	/* 4. from here on the guest sees the host's programs and libraries */
	if (chroot("/host") || chdir("/"))
		die("chroot /host: %s", strerror(errno));
	/* 9p aliases directories of equal inode numbers unless QEMU remaps them */
	if (access("/proc/uptime", R_OK))
		die("/proc lost after chroot: export pbroot with multidevs=remap");
}

static void run_agent(const char *agent, const char *plan)
{
	char *const argv[] = { (char *)agent, "agent", "--plan", (char *)plan, NULL };
	int status;
	pid_t pid, got;

	say("starting agent %s", uptime());
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		execve(agent, argv, agent_env);
		say("error: exec %s: %s", agent, strerror(errno));
		_exit(127);
	}
	/* PID 1 inherits every orphan: reap them all until the agent is done */
	for (;;) {
		got = waitpid(-1, &status, 0);
		if (got == pid)
			break;
		if (got < 0 && errno != EINTR)
			die("waitpid: %s", strerror(errno));
	}
	if (WIFSIGNALED(status))
		say("agent killed by signal %d", WTERMSIG(status));
	else
		say("agent exited with status %d", WEXITSTATUS(status));
}

int main(void)
{
	const char *mode;

	must_mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	must_mount("proc", "/proc", "proc", 0, NULL);
	/* with `quiet`, the firmware's escape codes leave the console mid-line */
	putchar('\n');
	say("up %s", uptime());
	must_mount("sysfs", "/sys", "sysfs", 0, NULL);

	read_cmdline();
	mode = get("pinbench.mode");
	if (mode && !strcmp(mode, "probe")) {
		say("probe ok");
	} else if (!mode || !strcmp(mode, "agent")) {
		const char *work = need_path("pinbench.work");
		const char *agent = need_path("pinbench.agent");
		const char *plan = need_path("pinbench.plan");

		mount_host(work);
		run_agent(agent, plan);
	} else {
		die("unknown pinbench.mode=%s (probe or agent)", mode);
	}
	power_off();
}
