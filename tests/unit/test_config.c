// SPDX-License-Identifier: GPL-2.0-only
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "tests/tap.h"

static char dir[] = "/tmp/pinbench-test-config.XXXXXX";

static const char *write_cfg(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

/* Load text; returns config_load's result and leaves stderr as it is. */
static int load(struct config *cfg, const char *text)
{
	config_init(cfg);
	return config_load(cfg, write_cfg("c.ini", text));
}

static void test_defaults_and_shipped(void)
{
	struct config cfg;

	config_init(&cfg);
	is_str(cfg.database, "pinbench.db", "default database");
	is_int(cfg.repetitions, 5, "default repetitions");
	ok(strvec_contains(&cfg.vmstat_counters, "nr_foll_pin_released"), "pin counter by default");
	config_release(&cfg);

	config_init(&cfg);
	is_int(config_load(&cfg, "config.ini"), 0, "the shipped config.ini loads");
	is_int(cfg.rw.nr, 2, "shipped rw list has two modes");
	is_int(cfg.size, 64ull << 20, "shipped size 64M in bytes");
	config_release(&cfg);
}

static void test_values(void)
{
	struct config cfg;
	char *p;

	is_int(load(&cfg, "[store]\ndatabase = r/x.db\n[matrix]\nrw = read, randrw\n"
		   "bs = 4k 128K\n  1m\niodepth = 1,16\nruntime = 7\n"
		   "[collectors]\nperf_stat = off\n"), 0, "valid config loads");
	is_int(cfg.rw.nr, 2, "list split on commas");
	is_int(cfg.bs.nr, 3, "continuation line appends to a list");
	is_str(cfg.bs.v[2], "1m", "continued item");
	is_int(cfg.runtime, 7, "number parsed");
	is_int(cfg.perf_stat, 0, "boolean off");
	p = config_path(&cfg, cfg.database);
	like(p, "pinbench-test-config", "database relative to the config's directory");
	like(p, "/r/x.db", "database path kept");
	free(p);
	config_release(&cfg);
}

static void test_errors(void)
{
	static const struct {
		const char *text;
		const char *what;
	} bad[] = {
		{ "[matrix]\nrw = read\nfrobnicate = 1\n", "unknown key" },
		{ "[nope]\nx = 1\n", "unknown section" },
		{ "[matrix]\nbs = 4q\n", "bad size" },
		{ "[matrix]\nbs = 1000\n", "size not a multiple of 512" },
		{ "[matrix]\nrw = sideways\n", "bad rw" },
		{ "[matrix]\nruntime = -3\n", "negative number" },
		{ "[matrix]\nruntime = 1\nramp = 0\nruntime = 2\n", "key set twice" },
		{ "[collectors]\nvmstat = maybe\n", "bad boolean" },
		{ "[compare]\nthroughput_threshold = two\n", "bad percentage" },
		{ "[compare]\nlatency_threshold = 150%\n", "percentage over 100" },
		{ "[compare]\nlatency_threshold = 5%%\n", "percent sign twice" },
		{ "[matrix]\nthis line has no equals sign\n", "syntax error" },
		{ "[matrix]\ndevices = nvme9\n", "device not defined" },
		{ "[device nvme0]\npath = /dev/nvme0n1\n[matrix]\ndevices = nvme0\n", "device without serial" },
		{ "[device nvme0]\npath = dev/nvme0n1\nserial = X\n", "relative device path" },
		{ "[device scratch]\npath = /dev/x\nserial = X\n", "reserved device name" },
		{ "[kernel a]\npatches = x.patch\n", "kernel without source" },
		{ "[kernel a]\nsource = svn:x\n", "unknown source kind" },
		{ "[kernel a/b]\nsource = deb:linux-source-6.12\n", "kernel name with a slash" },
		{ "[kernel host]\nsource = deb:linux-source-6.12\n", "reserved kernel name" },
		{ "[kernel a]\nsource = deb:linux-source-6.12\nsource = deb:linux-source-6.1\n",
		  "kernel source set twice" },
		{ "[kernel a]\nsource = deb:linux-source-6.12\nflavour = x\n", "unknown kernel key" },
		{ "[kernel a]\nsource = deb:linux-source-6.12\nbase = rm -rf\n", "base not a config target" },
		{ "[kernels]\njobs = many\n", "jobs not a number" },
		{ "[target qemu]\naccel = hvf\n", "accel not one of auto kvm tcg" },
		{ "[target qemu]\naccel = kvm tcg\n", "accel takes one choice" },
		{ "[target qemu]\nmemory = 64\n", "guest memory below 128 MiB" },
		{ "[target qemu]\ndisk_size = 1M\n", "disk image below 64 MiB" },
		{ "[device d]\npath = /dev/sdz\nserial = X\nbus = scsi\n", "bus not nvme or sata" },
		{ "[branch b]\nsource = deb:linux-source-6.12\n", "a branch's source is git" },
		{ "[branch b]\nsource = git:/src/linux\n", "a branch's source names its branch" },
		{ "[branch b]\nconfigs = a.config\n", "a branch needs a source" },
		{ "[branch b]\nsource = git:/src/linux@main\nfetch = --upload-pack=x\n",
		  "fetch is a remote's name, never an option" },
		{ "[branch b]\nsource = git:/src/linux@main\ntarget = lava\n", "target qemu only" },
		{ "[branch b]\nsource = git:/src/linux@main\npatches = a.patch\n", "unknown branch key" },
		{ "[branch b c]\nsource = git:/src/linux@main\n", "a branch name with a blank" },
		{ "[kernel b]\nsource = deb:linux-source-6.12\n[branch b]\nsource = git:/l@main\n",
		  "a branch named as a kernel" },
		{ "[nightly]\nmin_segment = 1\n", "min_segment below 2" },
	};
	struct config cfg;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(load(&cfg, bad[i].text), -1, bad[i].what);
		config_release(&cfg);
	}
	config_init(&cfg);
	is_int(config_load(&cfg, "/nonexistent/pinbench.ini"), -1, "missing file is an error");
	config_release(&cfg);
}

static void test_device_section(void)
{
	struct config cfg;
	const struct device_cfg *d;

	is_int(load(&cfg, "[device \"sata0\"]\npath = /dev/sdb\nserial = WD-1234\n"
		   "[matrix]\ndevices = scratch sata0\n"), 0, "quoted device section");
	d = config_device(&cfg, "sata0");
	ok(d != NULL, "device found by name");
	is_str(d ? d->serial : NULL, "WD-1234", "serial kept");
	ok(d && !d->bus, "no bus: never passed to a guest");
	config_release(&cfg);
}

static void test_qemu_section(void)
{
	struct config cfg;

	config_init(&cfg);
	is_str(cfg.qemu.accel, "auto", "KVM only when it is proven to work, by default");
	is_int((int)cfg.qemu.disks.nr, 2, "two disks by default");
	is_str(cfg.qemu.disks.v[0], "nvme", "an NVMe disk");
	is_str(cfg.qemu.disks.v[1], "sata", "and a SATA disk");
	is_str(cfg.qemu.image_dir, "/dev/shm", "images on tmpfs");
	like(cfg.qemu.cmdline, "tsc=reliable", "the measured noise fix is on by default");
	is_int(cfg.dio_proof, 1, "the legacy-DIO proof is on by default");
	config_release(&cfg);

	is_int(load(&cfg, "[target qemu]\naccel = tcg\nmemory = 2048\ncpus = 4\n"
		   "disks = nvme lab\ndisk_size = 2G\nboot_timeout = 30\n"
		   "[device lab]\npath = /dev/sdz\nserial = S1\nbus = sata\n"
		   "[store]\nlogs = /var/log/pinbench\n"), 0, "a qemu section loads");
	is_str(cfg.qemu.accel, "tcg", "accel");
	ok(cfg.qemu.memory_mb == 2048 && cfg.qemu.cpus == 4, "memory and CPUs");
	is_str(cfg.qemu.disks.v[1], "lab", "a passed-through device by name");
	is_str(config_device(&cfg, "lab") ? config_device(&cfg, "lab")->bus : NULL, "sata",
	       "with its bus");
	ok(cfg.qemu.disk_size == 2ull << 30, "disk size in bytes");
	is_int((int)cfg.qemu.boot_timeout, 30, "boot timeout");
	is_str(cfg.logs_dir, "/var/log/pinbench", "logs directory");
	config_release(&cfg);
}

static void test_kernel_sections(void)
{
	struct config cfg;
	const struct kernel_cfg *k;
	char *cache;

	is_int(load(&cfg, "[kernels]\ncache_dir = cache\njobs = 3\n"
		   "[kernel baseline]\nsource = deb:linux-source-6.12\n"
		   "configs = kernels/configs/qemu.config\n"
		   "[kernel patched]\nsource = git:/src/linux@v6.12\n"
		   "patches = a.patch, series/\n   lore:20240101.1@example.org\n"
		   "configs = one.config two.config\nbase = defconfig\n"), 0,
	       "two kernel sections");
	is_int(cfg.nkernels, 2, "both kernels kept, in order");
	is_int(cfg.build_jobs, 3, "[kernels] jobs");
	k = config_kernel(&cfg, "baseline");
	ok(k && !strcmp(k->base, "tinyconfig"), "base defaults to tinyconfig");
	ok(k && k->patches.nr == 0, "no patches by default");
	k = config_kernel(&cfg, "patched");
	ok(k && k->patches.nr == 3, "patches split on commas, blanks and continuation lines");
	is_str(k ? k->patches.v[2] : NULL, "lore:20240101.1@example.org", "lore spec kept whole");
	ok(k && k->configs.nr == 2 && !strcmp(k->base, "defconfig"), "configs and base");
	ok(!config_kernel(&cfg, "nosuch"), "unknown kernel is NULL");
	cache = config_cache_dir(&cfg);
	is_str(cache + strlen(dir), "/cache", "cache_dir is relative to the config file");
	free(cache);
	config_release(&cfg);

	config_init(&cfg);
	setenv("HOME", "/home/tester", 1);
	cache = config_cache_dir(&cfg);
	is_str(cache, "/home/tester/.cache/pinbench", "default cache_dir under $HOME");
	free(cache);
	config_release(&cfg);
}

static void test_branch_section(void)
{
	struct config cfg;
	const struct branch_cfg *b;
	struct strvec frags = STRVEC_INIT;

	is_int(load(&cfg, "[branch mainline]\nsource = git:/src/linux@master\nfetch = origin\n"
		   "configs = a.config b.config\n[branch next]\nsource = git:/src/next@main\n"
		   "[nightly]\nmin_segment = 5\nmax_p = 0.01%\n"), 0, "two branch sections");
	is_int((int)cfg.nbranches, 2, "both kept, in order");
	b = config_branch(&cfg, "mainline");
	ok(b && !strcmp(b->source, "git:/src/linux@master") && !strcmp(b->fetch, "origin"),
	   "source and fetch");
	ok(b && b->configs.nr == 2 && !strcmp(b->base, "tinyconfig") && !strcmp(b->target, "qemu"),
	   "configs; base and target by default");
	b = config_branch(&cfg, "next");
	ok(b && !b->fetch, "no fetch unless asked");
	ok(!config_branch(&cfg, "nosuch"), "unknown branch is NULL");
	is_int((int)cfg.nightly.min_segment, 5, "[nightly] min_segment");
	ok(fabs(cfg.nightly.max_p - 0.0001) < 1e-12, "[nightly] max_p as a fraction");
	is_int((int)cfg.nightly.window, 50, "window 50 by default (Otava's)");
	strvec_push(&frags, "x.config");
	config_add_kernel(&cfg, "mainline", "git:/src/linux@0123", &frags, "tinyconfig");
	ok(config_kernel(&cfg, "mainline") &&
	   !strcmp(config_kernel(&cfg, "mainline")->source, "git:/src/linux@0123") &&
	   config_kernel(&cfg, "mainline")->configs.nr == 1, "a night's kernel made at run time");
	config_add_kernel(&cfg, "mainline", "git:/src/linux@4567", &frags, "tinyconfig");
	is_int((int)cfg.nkernels, 1, "made again, it replaces the one before");
	strvec_clear(&frags);
	config_release(&cfg);
}

static void test_compare_section(void)
{
	struct config cfg;

	config_init(&cfg);
	ok(fabs(cfg.throughput_threshold - 0.02) < 1e-12 && fabs(cfg.latency_threshold - 0.05) < 1e-12,
	   "thresholds default to 2 % and 5 %");
	is_int(cfg.max_repetitions, 30, "max_repetitions defaults to 30");
	config_release(&cfg);
	is_int(load(&cfg, "[compare]\nthroughput_threshold = 1.5%\nlatency_threshold = 10\n"
		   "max_repetitions = 12\n"), 0, "a [compare] section loads");
	ok(fabs(cfg.throughput_threshold - 0.015) < 1e-12, "1.5% is 0.015");
	ok(fabs(cfg.latency_threshold - 0.10) < 1e-12, "10 without a sign is 10 %");
	is_int(cfg.max_repetitions, 12, "max_repetitions read");
	config_release(&cfg);
}

static void test_sizes(void)
{
	unsigned long long v;

	ok(!parse_size("4k", &v) && v == 4096, "4k");
	ok(!parse_size("128KiB", &v) && v == 131072, "128KiB");
	ok(!parse_size("2G", &v) && v == 2ull << 30, "2G");
	ok(parse_size("k", &v), "no digits refused");
	ok(parse_size("99999999999999999999", &v), "overflow refused");
	ok(parse_size("18014398509481984k", &v), "multiplication overflow refused");
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_defaults_and_shipped();
	test_values();
	test_errors();
	test_device_section();
	test_kernel_sections();
	test_qemu_section();
	test_sizes();
	test_compare_section();
	test_branch_section();
	unlink(write_cfg("c.ini", ""));
	rmdir(dir);
	return done_testing();
}
