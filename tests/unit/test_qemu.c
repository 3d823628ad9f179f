// SPDX-License-Identifier: GPL-2.0-only
/*
 * The qemu target's pure parts: the QEMU argv, the guest command line, and
 * the console scanner on consoles captured from real boots
 * (tests/fixtures/console: a 6.12 guest running the agent, and one that
 * panicked at boot).
 */
#include <stdlib.h>
#include <string.h>

#include "common/strvec.h"
#include "runner/qemu.h"
#include "tests/tap.h"

static int has_pair(const struct strvec *argv, const char *opt, const char *value)
{
	size_t i;

	for (i = 0; i + 1 < argv->nr; i++)
		if (!strcmp(argv->v[i], opt) && !strcmp(argv->v[i + 1], value))
			return 1;
	return 0;
}

static void test_argv(void)
{
	const struct qemu_disk disks[] = {
		{ "nvme", "nvme", "/dev/shm/a,b.img", "pb-nvme", 1 },
		{ "sata", "sata", "/dev/shm/s.img", "pb-sata", 0 },
		{ "lab", "sata", "/dev/sdz", "pb-lab", 1 },
	};
	struct qemu_spec spec = { "qemu-system-x86_64", "tcg", 1024, 2, "/k/bzImage", "/k/init.cpio",
				  "console=ttyS0", "/tmp/w", disks, 3, "/c/guestroot/0123,abcd",
				  "nobody", NULL, 0 };
	struct strvec argv = STRVEC_INIT;
	size_t i, ahci = 0;

	qemu_argv(&spec, &argv);
	is_str(argv.v[0], "qemu-system-x86_64", "the binary comes first");
	ok(has_pair(&argv, "-accel", "tcg,thread=multi"), "TCG runs multi-threaded");
	ok(has_pair(&argv, "-cpu", "max"), "with every CPU feature TCG has");
	ok(has_pair(&argv, "-m", "1024") && has_pair(&argv, "-smp", "2"), "memory and CPUs");
	ok(has_pair(&argv, "-serial", "stdio") && has_pair(&argv, "-monitor", "none"),
	   "the console on stdout, no monitor in it");
	ok(has_pair(&argv, "-kernel", "/k/bzImage") && has_pair(&argv, "-initrd", "/k/init.cpio"),
	   "kernel and initramfs");
	ok(has_pair(&argv, "-virtfs",
		    "local,path=/c/guestroot/0123,,abcd,mount_tag=pbroot,security_model=none,"
		    "readonly=on,multidevs=remap"),
	   "the tools tree is shared read-only, a comma in its path doubled");
	for (i = 0; i < argv.nr; i++)
		if (!strcmp(argv.v[i], "-virtfs") && i + 1 < argv.nr &&
		    strstr(argv.v[i + 1], "path=/,"))
			break;
	ok(i == argv.nr, "the host's / is not shared");
	ok(has_pair(&argv, "-sandbox", "on,obsolete=deny,spawn=deny,resourcecontrol=deny"),
	   "QEMU runs sandboxed: no fork/exec, no obsolete or resource-control calls");
	ok(has_pair(&argv, "-runas", "nobody"), "and drops root to the configured user");
	ok(has_pair(&argv, "-virtfs",
		    "local,path=/tmp/w,mount_tag=pbwork,security_model=none,multidevs=remap"),
	   "the work directory writable");
	ok(has_pair(&argv, "-drive",
		    "file=/dev/shm/a,,b.img,if=none,id=disk0,format=raw,cache=none,aio=native"),
	   "a comma in a file name is doubled; O_DIRECT images use cache=none,aio=native");
	ok(has_pair(&argv, "-device", "nvme,drive=disk0,serial=pb-nvme"),
	   "the NVMe disk carries its serial");
	ok(has_pair(&argv, "-drive",
		    "file=/dev/shm/s.img,if=none,id=disk1,format=raw,cache=writeback,aio=threads"),
	   "a file without O_DIRECT falls back to the page cache");
	ok(has_pair(&argv, "-device", "ide-hd,drive=disk1,bus=ahci0.0,serial=pb-sata") &&
	   has_pair(&argv, "-device", "ide-hd,drive=disk2,bus=ahci0.1,serial=pb-lab"),
	   "SATA disks take AHCI ports in order");
	for (i = 0; i < argv.nr; i++)
		ahci += !strcmp(argv.v[i], "ahci,id=ahci0");
	is_int((int)ahci, 1, "one AHCI controller for all SATA disks");
	ok(strvec_contains(&argv, "-no-reboot") && strvec_contains(&argv, "-nodefaults"),
	   "a reboot ends QEMU; no default devices add noise");
	ok(!strvec_contains(&argv, "-plugin"), "no TCG plugin outside counting boots");
	strvec_clear(&argv);

	spec.plugin = "/p/pinbench-count.so,out=/c/counts,ranges=/c/ranges,marker=0x7e5700000000";
	spec.cpus = 1;
	qemu_argv(&spec, &argv);
	ok(has_pair(&argv, "-plugin", spec.plugin) && has_pair(&argv, "-smp", "1"),
	   "a counting boot loads the plugin, on one vCPU");
	ok(has_pair(&argv, "-drive",
		    "file=/dev/shm/a,,b.img,if=none,id=disk0,format=raw,cache=none,aio=native"),
	   "no throttling unless asked");
	strvec_clear(&argv);
	spec.iops_limit = 500;
	qemu_argv(&spec, &argv);
	ok(has_pair(&argv, "-drive", "file=/dev/shm/a,,b.img,if=none,id=disk0,format=raw,"
		    "cache=none,aio=native,throttling.iops-total=500") &&
	   has_pair(&argv, "-drive", "file=/dev/sdz,if=none,id=disk2,format=raw,cache=none,"
		    "aio=native,throttling.iops-total=500"),
	   "a counting boot's disks throttled, every one");
	strvec_clear(&argv);
	spec.plugin = NULL;
	spec.iops_limit = 0;

	spec.accel = "kvm";
	spec.ndisks = 0;
	spec.work_dir = NULL;
	spec.tree = NULL;
	spec.run_as = NULL;
	qemu_argv(&spec, &argv);
	ok(has_pair(&argv, "-accel", "kvm") && has_pair(&argv, "-cpu", "host"), "KVM uses the host CPU");
	ok(!strvec_contains(&argv, "ahci,id=ahci0"), "no AHCI controller without SATA disks");
	ok(!strvec_contains(&argv, "-virtfs"), "no share at all for the probe boot");
	ok(has_pair(&argv, "-sandbox",
		    "on,obsolete=deny,spawn=deny,resourcecontrol=deny,elevateprivileges=deny") &&
	   !strvec_contains(&argv, "-runas"),
	   "without a user to change to, QEMU may not change its privileges either");
	strvec_clear(&argv);
}

static void test_append(void)
{
	struct strbuf sb = STRBUF_INIT;

	is_int(qemu_append(&sb, "agent", "/tmp/w", "/usr/bin/pinbench", "/tmp/w/plan.json",
			   "tsc=reliable clocksource=tsc"), 0, "a command line is made");
	is_str(sb.buf, "console=ttyS0 panic=-1 oops=panic pinbench.mode=agent pinbench.work=/tmp/w "
	       "pinbench.agent=/usr/bin/pinbench pinbench.plan=/tmp/w/plan.json "
	       "tsc=reliable clocksource=tsc", "with the init's parameters and the extras last");
	strbuf_reset(&sb);
	is_int(qemu_append(&sb, "agent", "/tmp/my dir", "/a", "/p", NULL), -1,
	       "a path with a space is refused (the kernel splits on it)");
	strbuf_reset(&sb);
	is_int(qemu_append(&sb, "probe", NULL, NULL, NULL, NULL), 0, "a probe needs no paths");
	is_str(sb.buf, "console=ttyS0 panic=-1 oops=panic pinbench.mode=probe", "probe line");
	strbuf_release(&sb);
}

static void scan_file(struct console_scan *cs, const char *name, size_t chunk)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	size_t off;

	strbuf_addf(&path, FIXTURE_DIR "/console/%s", name);
	if (strbuf_read_file(&text, path.buf, 1 << 20))
		abort();	/* the fixture is part of the tree */
	console_scan_init(cs);
	/* in odd chunks, as a pipe delivers it */
	for (off = 0; off < text.len; off += chunk)
		console_scan_feed(cs, text.buf + off, text.len - off < chunk ? text.len - off : chunk);
	console_scan_finish(cs);
	strbuf_release(&path);
	strbuf_release(&text);
}

static void test_console(void)
{
	struct console_scan cs;
	struct strbuf tail = STRBUF_INIT;

	scan_file(&cs, "agent-6.12.log", 7);
	ok(cs.init_up_s > 0 && cs.init_up_s < 60, "the init's start time is read");
	ok(cs.agent_start_s >= cs.init_up_s, "then the agent's");
	is_int(cs.agent_status, 0, "the agent's exit status");
	ok(!cs.panic && !cs.oops && !cs.init_error, "a good boot has no panic, oops or init error");
	console_scan_tail(&cs, 8, &tail);
	like(tail.buf, "agent exited with status 0", "the tail ends with the last lines");
	like(tail.buf, "reboot: machine restart", "up to the very last");
	console_scan_release(&cs);
	strbuf_reset(&tail);

	scan_file(&cs, "panic-6.12.log", 13);
	ok(cs.panic != NULL, "a panic is seen");
	like(cs.panic ? cs.panic : "", "Kernel panic - not syncing", "and quoted");
	is_int(cs.agent_status, -1, "no agent ran");
	console_scan_tail(&cs, CONSOLE_TAIL_LINES, &tail);
	like(tail.buf, "Kernel panic", "the tail shows it");
	console_scan_release(&cs);

	console_scan_init(&cs);
	console_scan_feed(&cs, "pinbench-init: error: cannot mount 9p\r\n", 40);	/* and a NUL */
	console_scan_feed(&cs, "BUG: unable to handle page fault", 32);
	console_scan_finish(&cs);
	is_str(cs.init_error, "cannot mount 9p", "an init error is kept, without the CR");
	is_int(cs.agent_status, -1, "no agent status yet");
	console_scan_feed(&cs, "pinbench-init: agent killed by signal 9\n", 40);
	is_int(cs.agent_status, 137, "an agent killed by SIGKILL reads as 128 + 9");
	like(cs.oops ? cs.oops : "", "BUG: unable to handle", "a last line without newline counts");
	console_scan_release(&cs);
	strbuf_release(&tail);
}

int main(void)
{
	test_argv();
	test_append();
	test_console();
	return done_testing();
}
