// SPDX-License-Identifier: GPL-2.0-only
#include "workloads/pageprobe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/log.h"

#define PM_PRESENT (1ULL << 63)
#define PM_PFN_MASK ((1ULL << 55) - 1)

int pageprobe_pfns(const void *addr, size_t n, uint64_t *pfn, int *visible)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), i;
	off_t off = (off_t)((uintptr_t)addr / page * sizeof(uint64_t));
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	ssize_t got;

	*visible = 0;
	if (fd < 0)
		return -1;
	got = pread(fd, pfn, n * sizeof(uint64_t), off);
	close(fd);
	if (got != (ssize_t)(n * sizeof(uint64_t)))
		return -1;
	for (i = 0; i < n; i++) {
		pfn[i] = pfn[i] & PM_PRESENT ? pfn[i] & PM_PFN_MASK : 0;
		*visible |= pfn[i] != 0;
	}
	return 0;
}

/* The child's side of the probe: its own frames of the same pages, down the pipe. */
static void __attribute__((noreturn)) probe_child(int fd, const void *addr, size_t n)
{
	uint64_t *pfn = calloc(n, sizeof(*pfn));
	int visible, ok = pfn && !pageprobe_pfns(addr, n, pfn, &visible);

	if (ok)
		ok = write_all(fd, pfn, n * sizeof(*pfn)) == 0;
	_exit(ok ? 0 : 1);
}

int pageprobe_pinned(const void *addr, size_t n, size_t *pinned, size_t *probed,
		     struct strbuf *why)
{
	uint64_t *mine = xcalloc(n, sizeof(*mine)), *child = xcalloc(n, sizeof(*child));
	int fds[2] = { -1, -1 }, visible, status, ret = -1;
	size_t i, got = 0;
	pid_t pid;

	*pinned = *probed = 0;
	if (pageprobe_pfns(addr, n, mine, &visible)) {
		strbuf_addf(why, "cannot read /proc/self/pagemap: %s", errstr());
		goto out;
	}
	if (!visible) {
		strbuf_addstr(why, "/proc/self/pagemap shows no page frames (they need root)");
		goto out;
	}
	if (pipe2(fds, O_CLOEXEC)) {
		strbuf_addf(why, "pipe: %s", errstr());
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		strbuf_addf(why, "fork: %s", errstr());
		goto out;
	}
	if (!pid) {
		close(fds[0]);
		probe_child(fds[1], addr, n);
	}
	close(fds[1]);
	fds[1] = -1;
	while (got < n * sizeof(*child)) {
		ssize_t r = read(fds[0], (char *)child + got, n * sizeof(*child) - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got != n * sizeof(*child) || !WIFEXITED(status) || WEXITSTATUS(status)) {
		strbuf_addstr(why, "the forked probe could not read its page frames");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!mine[i])
			continue;
		(*probed)++;
		*pinned += child[i] != mine[i];
	}
	ret = 0;
out:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	free(mine);
	free(child);
	return ret;
}

uint64_t pageprobe_zero_pfn(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	volatile char *p = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t pfn = 0;
	int visible;

	if (p == MAP_FAILED)
		return 0;
	(void)p[0];	/* a read fault maps the zero page */
	if (pageprobe_pfns((const void *)p, 1, &pfn, &visible))
		pfn = 0;
	munmap((void *)p, page);
	return pfn;
}

long pageprobe_anon_huge_kb(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512];
	int inside = 0;
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		size_t key = strcspn(line, " ");

		/* a mapping's header "lo-hi perms offset dev inode [path]", else "Key: value" */
		if (key && line[key - 1] != ':' && sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			inside = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
			continue;
		}
		if (inside && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

int pageprobe_thp_supported(void)
{
	return access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) == 0;
}

int pageprobe_disk_counts(unsigned long long dev, struct disk_counts *out, struct strbuf *why)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	unsigned long long f[11];
	int ret = -1;

	strbuf_addf(&path, "/sys/dev/block/%u:%u/stat", major((dev_t)dev), minor((dev_t)dev));
	if (strbuf_read_file(&text, path.buf, 4096)) {
		strbuf_addf(why, "cannot read '%s': %s", path.buf, errstr());
		goto out;
	}
	/* reads: ios merges sectors ticks, writes: the same, in flight, io_ticks, queue */
	if (sscanf(text.buf, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8], &f[9],
		   &f[10]) != 11) {
		strbuf_addf(why, "'%s': not the block layer's stat format", path.buf);
		goto out;
	}
	out->ios = f[0] + f[4];
	out->merges = f[1] + f[5];
	out->sectors = f[2] + f[6];
	ret = 0;
out:
	strbuf_release(&path);
	strbuf_release(&text);
	return ret;
}
