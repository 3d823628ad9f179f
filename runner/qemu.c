// SPDX-License-Identifier: GPL-2.0-only
/*
 * QEMU command lines and console reading for the qemu target. DESIGN.md
 * has the measurements behind the choices: TCG with thread=multi (icount
 * stalls), images on tmpfs with cache=none,aio=native, the tools tree over
 * 9p with cache=loose (fio and perf start in 0.5 s instead of 2-8 s), QEMU
 * itself sandboxed and, started as root, running as an unprivileged user.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "common/spawn.h"
#include "runner/qemu.h"

#define KVM_PROBE_TIMEOUT_S 60

/* QEMU's option syntax doubles a comma inside a value */
static void add_value(struct strbuf *sb, const char *value)
{
	for (const char *p = value; *p; p++) {
		if (*p == ',')
			strbuf_addch(sb, ',');
		strbuf_addch(sb, *p);
	}
}

static void add_disk(struct strvec *argv, const struct qemu_disk *d, unsigned index,
		     unsigned iops_limit, unsigned *ahci_port)
{
	struct strbuf drive = STRBUF_INIT, dev = STRBUF_INIT;

	strbuf_addstr(&drive, "file=");
	add_value(&drive, d->file);
	strbuf_addf(&drive, ",if=none,id=disk%u,format=raw,%s", index,
		    d->direct ? "cache=none,aio=native" : "cache=writeback,aio=threads");
	if (iops_limit)
		strbuf_addf(&drive, ",throttling.iops-total=%u", iops_limit);
	if (!strcmp(d->bus, "nvme"))
		strbuf_addf(&dev, "nvme,drive=disk%u,serial=%s", index, d->serial);
	else
		strbuf_addf(&dev, "ide-hd,drive=disk%u,bus=ahci0.%u,serial=%s", index,
			    (*ahci_port)++, d->serial);
	strvec_pushl(argv, "-drive", drive.buf, "-device", dev.buf, NULL);
	strbuf_release(&drive);
	strbuf_release(&dev);
}

static void add_share(struct strvec *argv, const char *dir, const char *tag, int readonly)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "local,path=");
	add_value(&sb, dir);
	strbuf_addf(&sb, ",mount_tag=%s,security_model=none%s,multidevs=remap", tag,
		    readonly ? ",readonly=on" : "");
	strvec_pushl(argv, "-virtfs", sb.buf, NULL);
	strbuf_release(&sb);
}

/*
 * The guest is untrusted: QEMU gets no system call it does not need
 * (no fork or exec, no obsolete calls, no scheduler or resource
 * changes), and drops root with -runas once its files are open. With
 * -runas, QEMU's own setuid() must stay allowed: elevateprivileges=deny
 * only where there is no user to change to (QEMU was never root).
 */
static void add_confinement(struct strvec *argv, const struct qemu_spec *s)
{
	int runas = s->run_as && *s->run_as;

	strvec_pushl(argv, "-sandbox", runas ?
		     "on,obsolete=deny,spawn=deny,resourcecontrol=deny" :
		     "on,obsolete=deny,spawn=deny,resourcecontrol=deny,elevateprivileges=deny",
		     NULL);
	if (runas)
		strvec_pushl(argv, "-runas", s->run_as, NULL);
}

void qemu_argv(const struct qemu_spec *s, struct strvec *argv)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned ahci_port = 0;
	size_t i;
	int kvm = !strcmp(s->accel, "kvm");

	strvec_pushl(argv, s->binary, "-nodefaults", "-no-user-config", "-machine", "q35",
		     "-accel", kvm ? "kvm" : "tcg,thread=multi", "-cpu", kvm ? "host" : "max",
		     NULL);
	strbuf_addf(&sb, "%u", s->memory_mb);
	strvec_pushl(argv, "-m", sb.buf, NULL);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%u", s->cpus);
	strvec_pushl(argv, "-smp", sb.buf, NULL);
	/* the console on stdout; no monitor, no display, no reboot: a reboot ends the run */
	strvec_pushl(argv, "-display", "none", "-monitor", "none", "-serial", "stdio",
		     "-no-reboot", "-kernel", s->kernel, "-initrd", s->initrd,
		     "-append", s->append, NULL);
	add_confinement(argv, s);
	if (s->plugin)
		strvec_pushl(argv, "-plugin", s->plugin, NULL);
	/* never the host's /: the guest sees the tools tree (runner/guestroot.h) */
	if (s->tree)
		add_share(argv, s->tree, "pbroot", 1);
	if (s->work_dir)
		add_share(argv, s->work_dir, "pbwork", 0);
	for (i = 0; i < s->ndisks; i++) {
		if (!strcmp(s->disks[i].bus, "sata")) {
			strvec_pushl(argv, "-device", "ahci,id=ahci0", NULL);
			break;
		}
	}
	for (i = 0; i < s->ndisks; i++)
		add_disk(argv, &s->disks[i], (unsigned)i, s->iops_limit, &ahci_port);
	strbuf_release(&sb);
}

static int has_space(const char *s)
{
	return s && strpbrk(s, " \t\n\"'");
}

int qemu_append(struct strbuf *out, const char *mode, const char *work_dir, const char *agent,
		const char *plan, const char *extra)
{
	if (has_space(work_dir) || has_space(agent) || has_space(plan))
		return error("the guest's command line cannot carry a path with white space or "
			     "quotes: '%s'", has_space(work_dir) ? work_dir :
			     has_space(agent) ? agent : plan);
	/* oops=panic: a guest that oopsed measures nothing worth keeping; say so at once */
	strbuf_addf(out, "console=ttyS0 panic=-1 oops=panic pinbench.mode=%s", mode);
	if (work_dir)
		strbuf_addf(out, " pinbench.work=%s", work_dir);
	if (agent)
		strbuf_addf(out, " pinbench.agent=%s", agent);
	if (plan)
		strbuf_addf(out, " pinbench.plan=%s", plan);
	if (extra && *extra)
		strbuf_addf(out, " %s", extra);
	return 0;
}

int qemu_file_takes_direct(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* --- accelerator ------------------------------------------------------------ */

static void boot_id(struct strbuf *out)
{
	if (strbuf_read_file(out, "/proc/sys/kernel/random/boot_id", 64))
		strbuf_addstr(out, "unknown");
	strbuf_rtrim(out);
}

static void probe_output(const char *buf, size_t len, void *data)
{
	console_scan_feed(data, buf, len);
}

static int kvm_probe_boot(const char *binary, const char *kernel, const char *initrd,
			  const char *run_as)
{
	struct console_scan cs;
	struct strbuf append = STRBUF_INIT;
	struct qemu_spec spec = { .binary = binary, .accel = "kvm", .memory_mb = 256, .cpus = 1,
				  .kernel = kernel, .initrd = initrd, .run_as = run_as };
	struct child c = CHILD_INIT;
	int ok;

	console_scan_init(&cs);
	qemu_append(&append, "probe", NULL, NULL, NULL, NULL);
	spec.append = append.buf;
	qemu_argv(&spec, &c.args);
	c.flags = SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	c.on_output = probe_output;
	c.cb_data = &cs;
	c.timeout_ms = KVM_PROBE_TIMEOUT_S * 1000;
	ok = !spawn_run(&c) && (console_scan_finish(&cs), cs.probe_ok);
	child_release(&c);
	console_scan_release(&cs);
	strbuf_release(&append);
	return ok;
}

const char *qemu_pick_accel(const char *binary, const char *kernel, const char *initrd,
			    const char *cache_dir, const char *run_as)
{
	struct strbuf path = STRBUF_INIT, id = STRBUF_INIT, cached = STRBUF_INIT, line = STRBUF_INIT;
	const char *accel = "tcg";
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return "tcg";
	close(fd);
	boot_id(&id);
	strbuf_addf(&path, "%s/qemu/kvm-probe", cache_dir);
	if (!strbuf_read_file(&cached, path.buf, 4096) && starts_with(cached.buf, id.buf)) {
		accel = strstr(cached.buf, " kvm") ? "kvm" : "tcg";
		goto out;
	}
	info("qemu: /dev/kvm is there; checking that a guest really runs under KVM");
	accel = kvm_probe_boot(binary, kernel, initrd, run_as) ? "kvm" : "tcg";
	if (!strcmp(accel, "tcg"))
		info("qemu: KVM cannot run this guest here: using TCG (slower, and noisier)");
	strbuf_addf(&line, "%s %s\n", id.buf, accel);
	if (mkdir_parents(path.buf) || write_file_atomic(path.buf, line.buf, line.len))
		warning("cannot keep the KVM probe's answer in '%s': %s", path.buf, errstr());
out:
	strbuf_release(&path);
	strbuf_release(&id);
	strbuf_release(&cached);
	strbuf_release(&line);
	return accel;
}

/* --- console ----------------------------------------------------------------- */

void console_scan_init(struct console_scan *cs)
{
	memset(cs, 0, sizeof(*cs));
	strbuf_init(&cs->partial, 0);
	cs->tail = (struct strvec)STRVEC_INIT;
	cs->init_up_s = cs->agent_start_s = -1;
	cs->agent_status = -1;
}

static const char *after(const char *line, const char *marker)
{
	const char *p = strstr(line, marker);

	return p ? p + strlen(marker) : NULL;
}

static void scan_line(struct console_scan *cs, char *line)
{
	const char *p;
	size_t i;

	/* a serial line may carry \r and stray NULs: keep it printable */
	for (i = 0; line[i]; i++)
		if ((unsigned char)line[i] < ' ' && line[i] != '\t')
			line[i] = ' ';
	if ((p = after(line, "pinbench-init: up ")))
		cs->init_up_s = atof(p);
	else if ((p = after(line, "pinbench-init: starting agent ")))
		cs->agent_start_s = atof(p);
	else if ((p = after(line, "pinbench-init: agent exited with status ")))
		cs->agent_status = atoi(p);
	else if ((p = after(line, "pinbench-init: agent killed by signal ")))
		cs->agent_status = 128 + atoi(p);
	else if (strstr(line, "pinbench-init: probe ok"))
		cs->probe_ok = 1;
	else if ((p = after(line, "pinbench-init: error: ")) && !cs->init_error)
		cs->init_error = xstrdup(trim((char *)p));
	if (!cs->panic && strstr(line, "Kernel panic - not syncing"))
		cs->panic = xstrdup(trim(line));
	if (!cs->oops && (strstr(line, "Oops:") || strstr(line, "BUG:") ||
			  strstr(line, "general protection fault")))
		cs->oops = xstrdup(trim(line));
	if (cs->tail.nr == CONSOLE_TAIL_LINES)
		strvec_remove(&cs->tail, 0);
	strvec_push(&cs->tail, line);
}

void console_scan_feed(struct console_scan *cs, const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (!buf[i])
			continue;	/* a serial line can carry NULs; they end no line */
		if (buf[i] != '\n') {
			/* one absurdly long line must not grow without bound */
			if (cs->partial.len < 4096)
				strbuf_addch(&cs->partial, buf[i]);
			continue;
		}
		scan_line(cs, cs->partial.buf);
		strbuf_reset(&cs->partial);
	}
}

void console_scan_finish(struct console_scan *cs)
{
	if (cs->partial.len) {
		scan_line(cs, cs->partial.buf);
		strbuf_reset(&cs->partial);
	}
}

void console_scan_tail(const struct console_scan *cs, size_t lines, struct strbuf *out)
{
	size_t i = cs->tail.nr > lines ? cs->tail.nr - lines : 0;

	for (; i < cs->tail.nr; i++)
		strbuf_addf(out, "    %s\n", cs->tail.v[i]);
}

void console_scan_release(struct console_scan *cs)
{
	strbuf_release(&cs->partial);
	strvec_clear(&cs->tail);
	free(cs->init_error);
	free(cs->panic);
	free(cs->oops);
}
