// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinbench dio-case: one case of the dio-cases workload (workloads/diocase.h),
 * run in the kernel under test. Plain syscalls on purpose: what each I/O
 * hands the kernel (which pages, how aligned, mapped how) is the point.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "collectors/vmstat.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "runner/cli.h"
#include "workloads/diocase.h"
#include "workloads/pageprobe.h"

/* The case files: enough pages for random offsets, quick to lay out under TCG. */
#define CASE_FILE_BYTES (8u << 20)
/* The fragmented file of split-page: laid out 512 bytes at a time. */
#define SPLIT_FILE_BYTES (1u << 20)
#define ROUND_IOS 64
#define SUBBLOCK_BYTES 512
#define FAULT_PAGES 16		/* fault-mid's write: the second half is not mapped */
#define MMAP_PAGES 16
#define HUGE_BYTES (2u << 20)
#define SECTOR 512

/* Salts of the patterns: a word of the file at offset o holds o ^ salt. */
#define SALT_FILE 0x70696e62656e6368ULL	/* "pinbench" */
#define SALT_NEW 0x6e65772064617461ULL	/* "new data" */

struct run {
	const char *dir, *buffer_dir;
	size_t page;
	unsigned long blksize;		/* the filesystem's block (statvfs) */
	int fd;
	unsigned long long file_bytes;
	char *map;			/* what to munmap at the end */
	size_t map_len;
	char *buf;			/* the I/O buffer, the pages probed for pins */
	size_t buf_pages;
	int probe;			/* private anonymous: the fork probe applies */
	char *aux;			/* a touched scratch buffer for checks */
	size_t aux_len;
	uint64_t rng;
	unsigned long long offs[ROUND_IOS];	/* this round's file offsets */
	long rets[ROUND_IOS];		/* and what each I/O returned */
	unsigned long next_block;	/* subblock-new: the next new block */
	unsigned long long data_errors, zeroed_bytes;
	int thp, zero_src;		/* -1: not asked / cannot tell */
	json_t *notes;
	struct strbuf why;
};

struct case_ops {
	const char *name;
	int (*setup)(struct run *r);
	int (*prepare)(struct run *r);	/* before a round, unmeasured (optional) */
	long (*io)(struct run *r, unsigned slot);	/* one I/O; < 0 fails the case */
	int (*verify)(struct run *r, unsigned n);	/* after a round, unmeasured (optional) */
};

static void note(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct run *r, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	json_array_append_new(r->notes, json_string(sb.buf));
	strbuf_release(&sb);
}

static int fail(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct run *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&r->why, fmt, ap);
	va_end(ap);
	return -1;
}

static uint64_t next_random(struct run *r)
{
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	return r->rng;
}

/* A random page-aligned offset in the case file. */
static unsigned long long random_page(struct run *r)
{
	return next_random(r) % (r->file_bytes / r->page) * r->page;
}

static void fill(char *p, size_t len, unsigned long long off, uint64_t salt)
{
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t w = (off + i) ^ salt;

		memcpy(p + i, &w, 8);
	}
}

static int matches(const char *p, size_t len, unsigned long long off, uint64_t salt)
{
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		if (w != ((off + i) ^ salt))
			return 0;
	}
	return 1;
}

static int all_zero(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return 0;
	return 1;
}

static char *map_anon(struct run *r, size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fail(r, "mmap of %zu bytes: %s", len, errstr());
		return NULL;
	}
	return p;
}

/* The buffer: n pages of private anonymous memory, touched unless told not to. */
static int anon_buffer(struct run *r, size_t pages, int touch)
{
	r->map_len = pages * r->page;
	r->map = r->buf = map_anon(r, r->map_len);
	if (!r->map)
		return -1;
	r->buf_pages = pages;
	r->probe = 1;
	if (touch)
		memset(r->buf, 0xa5, r->map_len);
	return 0;
}

static int open_direct(struct run *r, const char *path, int flags)
{
	r->fd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC | flags, 0644);
	if (r->fd < 0)
		return fail(r, "cannot open '%s' with O_DIRECT: %s", path, errstr());
	return 0;
}

/*
 * The case's file, bytes long, holding the offset pattern: made with
 * buffered writes and fsync, or kept from an earlier run when its size is
 * right (the layout is not what is measured, as fio keeps its files).
 */
static int layout(struct run *r, const char *name, unsigned long long bytes)
{
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	char *chunk = NULL;
	int fd = -1, ret = -1;
	unsigned long long off;

	strbuf_addf(&path, "%s/pinbench-case-%s.dat", r->dir, name);
	r->file_bytes = bytes;
	if (!stat(path.buf, &st) && (unsigned long long)st.st_size == bytes)
		goto open;
	fd = open(path.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fail(r, "cannot create '%s': %s", path.buf, errstr());
		goto out;
	}
	chunk = xmalloc(1 << 16);
	for (off = 0; off < bytes; off += 1 << 16) {
		fill(chunk, 1 << 16, off, SALT_FILE);
		if (write_all(fd, chunk, 1 << 16)) {
			fail(r, "cannot write '%s': %s", path.buf, errstr());
			goto out;
		}
	}
	if (fsync(fd) || close(fd)) {
		fd = -1;
		fail(r, "cannot write '%s': %s", path.buf, errstr());
		goto out;
	}
	fd = -1;
open:
	ret = open_direct(r, path.buf, 0);
out:
	if (fd >= 0)
		close(fd);
	free(chunk);
	strbuf_release(&path);
	return ret;
}

static int data_file(struct run *r)
{
	return layout(r, "data", CASE_FILE_BYTES);
}

/* A read of one page at a random offset into page p of the buffer, checked. */
static long read_checked(struct run *r, char *p, unsigned slot)
{
	unsigned long long off = random_page(r);
	ssize_t n = pread(r->fd, p, r->page, (off_t)off);

	if (n != (ssize_t)r->page)
		return fail(r, "pread at %llu: %s", off, n < 0 ? errstr() : "short read");
	r->offs[slot] = off;
	r->data_errors += !matches(p, r->page, off, SALT_FILE);
	return n;
}

/* A write of page p of the buffer, the pattern the file has there (the file stays valid). */
static long write_same(struct run *r, char *p, unsigned slot)
{
	unsigned long long off = random_page(r);
	ssize_t n;

	fill(p, r->page, off, SALT_FILE);
	n = pwrite(r->fd, p, r->page, (off_t)off);
	if (n != (ssize_t)r->page)
		return fail(r, "pwrite at %llu: %s", off, n < 0 ? errstr() : "short write");
	r->offs[slot] = off;
	return n;
}

/* --- anon: the control, touched anonymous memory, as fio's buffers --- */

static int anon_setup(struct run *r)
{
	return data_file(r) || anon_buffer(r, 1, 1);
}

static long anon_io(struct run *r, unsigned slot)
{
	return read_checked(r, r->buf, slot);
}

/* --- zero-src: a write whose source was never touched (GUP hands back the zero page) --- */

static int zero_setup(struct run *r)
{
	if (layout(r, "zero-src", CASE_FILE_BYTES) || anon_buffer(r, 1, 0))
		return -1;
	/* the zero page is not ours: fork shares it whatever its count */
	r->probe = 0;
	r->aux_len = r->page;
	r->aux = map_anon(r, r->aux_len);
	return r->aux ? 0 : -1;
}

static long zero_io(struct run *r, unsigned slot)
{
	unsigned long long off = random_page(r);
	ssize_t n = pwrite(r->fd, r->buf, r->page, (off_t)off);

	if (n != (ssize_t)r->page)
		return fail(r, "pwrite at %llu: %s", off, n < 0 ? errstr() : "short write");
	r->offs[slot] = off;
	if (r->zero_src < 0) {
		uint64_t pfn = 0, zero = pageprobe_zero_pfn();
		int visible;

		if (zero && !pageprobe_pfns(r->buf, 1, &pfn, &visible) && visible)
			r->zero_src = pfn == zero;
	}
	return n;
}

static int zero_verify(struct run *r, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (pread(r->fd, r->aux, r->page, (off_t)r->offs[i]) != (ssize_t)r->page)
			return fail(r, "pread at %llu: %s", r->offs[i], errstr());
		r->data_errors += !all_zero(r->aux, r->page);
	}
	return 0;
}

/* --- subblock-new: 512-byte writes into new blocks (dio_zero_block's ZERO_PAGE) --- */

static int subblock_setup(struct run *r)
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	strbuf_addf(&path, "%s/pinbench-case-subblock-new.dat", r->dir);
	ret = open_direct(r, path.buf, O_CREAT | O_TRUNC);
	strbuf_release(&path);
	if (ret || anon_buffer(r, 1, 1))
		return -1;
	if (r->blksize <= SUBBLOCK_BYTES)
		note(r, "blocks of %lu bytes: a %d-byte write fills its block, the direct-I/O "
		     "code zeroes nothing", r->blksize, SUBBLOCK_BYTES);
	r->file_bytes = CASE_FILE_BYTES;
	r->aux_len = r->blksize > r->page ? r->blksize : r->page;
	r->aux = map_anon(r, r->aux_len);
	return r->aux ? 0 : -1;
}

/* New blocks only: when the file has reached its size, it starts again empty. */
static int subblock_prepare(struct run *r)
{
	if ((r->next_block + ROUND_IOS) * r->blksize <= r->file_bytes)
		return 0;
	r->next_block = 0;
	if (ftruncate(r->fd, 0) || fsync(r->fd))
		return fail(r, "cannot truncate the case file: %s", errstr());
	return 0;
}

static long subblock_io(struct run *r, unsigned slot)
{
	unsigned long long off = (unsigned long long)r->next_block++ * r->blksize;
	ssize_t n;

	fill(r->buf, SUBBLOCK_BYTES, off, SALT_NEW);
	n = pwrite(r->fd, r->buf, SUBBLOCK_BYTES, (off_t)off);
	if (n != SUBBLOCK_BYTES)
		return fail(r, "pwrite of %d bytes at %llu: %s", SUBBLOCK_BYTES, off,
			    n < 0 ? errstr() : "short write");
	r->offs[slot] = off;
	return n;
}

/* What was written reads back, the rest of its block reads as zeros. */
static int subblock_verify(struct run *r, unsigned n)
{
	size_t len = r->blksize < r->aux_len ? r->blksize : r->aux_len;
	unsigned i;

	for (i = 0; i < n; i++) {
		ssize_t got = pread(r->fd, r->aux, len, (off_t)r->offs[i]);

		if (got < SUBBLOCK_BYTES)
			return fail(r, "pread at %llu: %s", r->offs[i],
				    got < 0 ? errstr() : "short read");
		r->data_errors += !matches(r->aux, SUBBLOCK_BYTES, r->offs[i], SALT_NEW) ||
				  !all_zero(r->aux + SUBBLOCK_BYTES, (size_t)got - SUBBLOCK_BYTES);
	}
	return 0;
}

/* --- split-page: a page whose blocks are not contiguous on disk --- */

/*
 * The file is written 512 bytes at a time, alternating with a second file,
 * so that (on a filesystem that allocates as it writes, with blocks smaller
 * than a page) no two neighbouring blocks of it are neighbours on disk.
 */
static int fragmented_file(struct run *r)
{
	struct strbuf path = STRBUF_INIT, pad = STRBUF_INIT;
	char chunk[SECTOR];
	struct stat st;
	unsigned long long off;
	int fd = -1, fd2 = -1, ret = -1;

	strbuf_addf(&path, "%s/pinbench-case-split-page.dat", r->dir);
	strbuf_addf(&pad, "%s/pinbench-case-split-page.pad", r->dir);
	r->file_bytes = SPLIT_FILE_BYTES;
	if (!stat(path.buf, &st) && st.st_size == SPLIT_FILE_BYTES)
		goto open;
	fd = open(path.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	fd2 = open(pad.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || fd2 < 0) {
		fail(r, "cannot create '%s': %s", fd < 0 ? path.buf : pad.buf, errstr());
		goto out;
	}
	for (off = 0; off < SPLIT_FILE_BYTES; off += SECTOR) {
		fill(chunk, SECTOR, off, SALT_FILE);
		/* FAT and the others allocate a block as the write reaches it */
		if (write_all(fd, chunk, SECTOR) || write_all(fd2, chunk, SECTOR)) {
			fail(r, "cannot lay out '%s': %s", path.buf, errstr());
			goto out;
		}
	}
	if (fsync(fd) || fsync(fd2)) {
		fail(r, "cannot lay out '%s': %s", path.buf, errstr());
		goto out;
	}
open:
	ret = open_direct(r, path.buf, 0);
out:
	if (fd >= 0)
		close(fd);
	if (fd2 >= 0)
		close(fd2);
	strbuf_release(&path);
	strbuf_release(&pad);
	return ret;
}

static int split_setup(struct run *r)
{
	if (r->blksize >= r->page)
		note(r, "blocks of %lu bytes hold a whole page: no page is split across bios on "
		     "this filesystem (make it with smaller blocks, e.g. vfat-512)", r->blksize);
	return fragmented_file(r) || anon_buffer(r, 1, 1);
}

static long split_io(struct run *r, unsigned slot)
{
	return slot & 1 ? write_same(r, r->buf, slot) : read_checked(r, r->buf, slot);
}

/* --- split-iovec: two iovecs in one page, its halves swapped --- */

static int iovec_setup(struct run *r)
{
	return data_file(r) || anon_buffer(r, 1, 1);
}

/*
 * The file's first half-page lands in the page's second half and the other
 * way round: the page is added to the bio twice, as two sections.
 */
static long iovec_io(struct run *r, unsigned slot)
{
	unsigned long long off = random_page(r);
	size_t half = r->page / 2;
	struct iovec iov[2] = { { r->buf + half, half }, { r->buf, half } };
	ssize_t n;

	r->offs[slot] = off;
	if (slot & 1) {
		fill(r->buf + half, half, off, SALT_FILE);
		fill(r->buf, half, off + half, SALT_FILE);
		n = pwritev(r->fd, iov, 2, (off_t)off);
	} else {
		n = preadv(r->fd, iov, 2, (off_t)off);
		r->data_errors += n == (ssize_t)r->page &&
				  (!matches(r->buf + half, half, off, SALT_FILE) ||
				   !matches(r->buf, half, off + half, SALT_FILE));
	}
	if (n != (ssize_t)r->page)
		return fail(r, "%s at %llu: %s", slot & 1 ? "pwritev" : "preadv", off,
			    n < 0 ? errstr() : "short");
	return n;
}

/* --- thp: a 2 MiB-aligned MADV_HUGEPAGE buffer (a large folio) --- */

static int thp_setup(struct run *r)
{
	uintptr_t base;
	long kb;

	if (data_file(r))
		return -1;
	r->map_len = 2 * HUGE_BYTES;
	r->map = map_anon(r, r->map_len);
	if (!r->map)
		return -1;
	base = ((uintptr_t)r->map + HUGE_BYTES - 1) & ~(uintptr_t)(HUGE_BYTES - 1);
	r->buf = (char *)base;
	r->buf_pages = HUGE_BYTES / r->page;
	r->probe = 1;
	if (!pageprobe_thp_supported()) {
		note(r, "this kernel has no transparent huge pages (CONFIG_TRANSPARENT_HUGEPAGE): "
		     "the buffer is small pages");
		r->thp = 0;
	} else if (madvise(r->buf, HUGE_BYTES, MADV_HUGEPAGE)) {
		note(r, "madvise(MADV_HUGEPAGE): %s: the buffer is small pages", errstr());
		r->thp = 0;
	}
	memset(r->buf, 0xa5, HUGE_BYTES);
	kb = pageprobe_anon_huge_kb(r->buf);
	if (r->thp && kb >= 0) {
		r->thp = (unsigned long)kb * 1024 >= HUGE_BYTES;
		if (!r->thp)
			note(r, "the kernel gave no huge page for the buffer (AnonHugePages %ld kB)",
			     kb);
	} else if (r->thp) {
		note(r, "cannot tell from /proc/self/smaps whether a huge page backs the buffer");
	}
	return 0;
}

static long thp_io(struct run *r, unsigned slot)
{
	return read_checked(r, r->buf + next_random(r) % r->buf_pages * r->page, slot);
}

/* --- file-mmap: a shared mapping of a page-cache file elsewhere as the buffer --- */

static int mmap_setup(struct run *r)
{
	struct strbuf path = STRBUF_INIT;
	struct stat here, there;
	int fd, ret = -1;

	if (data_file(r))
		return -1;
	strbuf_addf(&path, "%s/pinbench-case-mmap.XXXXXX", r->buffer_dir);
	fd = mkostemp(path.buf, O_CLOEXEC);
	if (fd < 0) {
		fail(r, "cannot create a file in '%s': %s", r->buffer_dir, errstr());
		goto out;
	}
	unlink(path.buf);	/* the mapping keeps it */
	if (!fstat(fd, &there) && !stat(r->dir, &here) && here.st_dev == there.st_dev)
		note(r, "the buffer's file is on the filesystem under test (--buffer-dir)");
	r->map_len = MMAP_PAGES * r->page;
	if (ftruncate(fd, (off_t)r->map_len)) {
		fail(r, "cannot size the buffer's file: %s", errstr());
		goto out;
	}
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		fail(r, "cannot map the buffer's file: %s", errstr());
		goto out;
	}
	r->buf = r->map;
	r->buf_pages = MMAP_PAGES;
	memset(r->buf, 0xa5, r->map_len);
	note(r, "a shared mapping is shared by fork(), so no page of it is probed for pins");
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	strbuf_release(&path);
	return ret;
}

static long mmap_io(struct run *r, unsigned slot)
{
	char *p = r->buf + next_random(r) % r->buf_pages * r->page;

	return slot & 1 ? write_same(r, p, slot) : read_checked(r, p, slot);
}

/* --- fault-mid: a write whose buffer's second half is not mapped --- */

static int fault_setup(struct run *r)
{
	size_t len = FAULT_PAGES * r->page;

	if (layout(r, "fault-mid", CASE_FILE_BYTES) || anon_buffer(r, FAULT_PAGES, 1))
		return -1;
	if (munmap(r->buf + len / 2, len / 2))
		return fail(r, "munmap: %s", errstr());
	r->map_len = len / 2;
	r->buf_pages = FAULT_PAGES / 2;
	r->aux_len = len;
	r->aux = map_anon(r, r->aux_len);
	return r->aux ? 0 : -1;
}

static long fault_io(struct run *r, unsigned slot)
{
	size_t len = FAULT_PAGES * r->page;
	/* every slot of a round its own range: the check reads them after the round */
	unsigned long long off = (r->next_block + slot) % (r->file_bytes / len) * len;
	ssize_t n;

	fill(r->buf, len / 2, off, SALT_NEW);
	n = pwrite(r->fd, r->buf, len, (off_t)off);
	if (n < 0 && errno != EFAULT)
		return fail(r, "pwrite at %llu: %s", off, errstr());
	if (n > (ssize_t)(len / 2))
		return fail(r, "pwrite at %llu wrote %zd bytes from %zu mapped", off, n, len / 2);
	r->offs[slot] = off;
	r->rets[slot] = n < 0 ? 0 : (long)n;
	return r->rets[slot];
}

static int fault_prepare(struct run *r)
{
	r->next_block = (unsigned long)(next_random(r) % (r->file_bytes / (FAULT_PAGES * r->page)));
	return 0;
}

/*
 * What the write returned reads back as written; past it each sector holds
 * the old data, zeros (the ZERO_PAGE fs/direct-io.c writes into blocks it
 * had mapped) or the new data (written, but not counted in what the call
 * returned), never anything else: a write counts as a data error once.
 * Then the old data goes back.
 */
static int fault_verify(struct run *r, unsigned n)
{
	size_t len = FAULT_PAGES * r->page, s;
	unsigned i;

	for (i = 0; i < n; i++) {
		unsigned long long off = r->offs[i];
		size_t done = (size_t)r->rets[i];
		int bad;

		if (pread(r->fd, r->aux, len, (off_t)off) != (ssize_t)len)
			return fail(r, "pread at %llu: %s", off, errstr());
		bad = !matches(r->aux, done, off, SALT_NEW);
		for (s = done; s + SECTOR <= len; s += SECTOR) {
			if (all_zero(r->aux + s, SECTOR))
				r->zeroed_bytes += SECTOR;
			else if (!matches(r->aux + s, SECTOR, off + s, SALT_FILE) &&
				 (s >= len / 2 || !matches(r->aux + s, SECTOR, off + s, SALT_NEW)))
				bad = 1;
		}
		r->data_errors += bad;
		fill(r->aux, len, off, SALT_FILE);
		if (pwrite(r->fd, r->aux, len, (off_t)off) != (ssize_t)len)
			return fail(r, "pwrite at %llu: %s", off, errstr());
	}
	return 0;
}

static const struct case_ops ops[] = {
	{ "anon", anon_setup, NULL, anon_io, NULL },
	{ "zero-src", zero_setup, NULL, zero_io, zero_verify },
	{ "subblock-new", subblock_setup, subblock_prepare, subblock_io, subblock_verify },
	{ "split-page", split_setup, NULL, split_io, NULL },
	{ "split-iovec", iovec_setup, NULL, iovec_io, NULL },
	{ "thp", thp_setup, NULL, thp_io, NULL },
	{ "file-mmap", mmap_setup, NULL, mmap_io, NULL },
	{ "fault-mid", fault_setup, fault_prepare, fault_io, fault_verify },
	{ NULL },
};

/* What the rounds measured, summed over them. */
struct measured {
	double seconds;
	unsigned long long ios, bytes;
	unsigned long long acquired, released;
	struct disk_counts disk;
	int pins_ok, disk_ok;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct snapshot {
	double t;
	unsigned long long acquired, released;
	struct disk_counts disk;
	int pins_ok, disk_ok;
};

static void snap(unsigned long long dev, struct snapshot *s)
{
	struct vmstat v = VMSTAT_INIT;
	struct strbuf why = STRBUF_INIT;

	s->pins_ok = !vmstat_read("/proc/vmstat", &v, &why) &&
		     !vmstat_get(&v, "nr_foll_pin_acquired", &s->acquired) &&
		     !vmstat_get(&v, "nr_foll_pin_released", &s->released);
	s->disk_ok = !pageprobe_disk_counts(dev, &s->disk, &why);
	vmstat_release(&v);
	strbuf_release(&why);
	s->t = now_s();
}

static int run_rounds(struct run *r, const struct case_ops *c, unsigned ms, unsigned long long dev,
		      struct measured *m)
{
	memset(m, 0, sizeof(*m));
	m->pins_ok = m->disk_ok = 1;
	do {
		struct snapshot a, b;
		unsigned i;
		long n;

		if (c->prepare && c->prepare(r))
			return -1;
		snap(dev, &a);
		for (i = 0; i < ROUND_IOS; i++) {
			n = c->io(r, i);
			if (n < 0)
				return -1;
			m->bytes += (unsigned long long)n;
		}
		snap(dev, &b);
		m->seconds += b.t - a.t;
		m->ios += ROUND_IOS;
		m->pins_ok &= a.pins_ok && b.pins_ok && b.acquired >= a.acquired &&
			      b.released >= a.released;
		m->disk_ok &= a.disk_ok && b.disk_ok && b.disk.ios >= a.disk.ios;
		if (m->pins_ok) {
			m->acquired += b.acquired - a.acquired;
			m->released += b.released - a.released;
		}
		if (m->disk_ok) {
			m->disk.ios += b.disk.ios - a.disk.ios;
			m->disk.merges += b.disk.merges - a.disk.merges;
			m->disk.sectors += b.disk.sectors - a.disk.sectors;
		}
		if (c->verify && c->verify(r, ROUND_IOS))
			return -1;
	} while (m->seconds * 1000 < ms);
	return 0;
}

static json_t *count_or_null(int ok, unsigned long long v)
{
	return ok ? json_integer((json_int_t)v) : json_null();
}

static json_t *flag_or_null(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

static int report(struct run *r, const struct case_ops *c, const struct measured *m)
{
	size_t pinned = 0, probed = 0;
	struct strbuf why = STRBUF_INIT;
	int have_probe = 0;
	json_t *o;
	char *text;

	if (r->probe) {
		have_probe = !pageprobe_pinned(r->buf, r->buf_pages, &pinned, &probed, &why);
		if (!have_probe)
			note(r, "no pin-leak probe: %s", why.buf);
	}
	o = json_pack("{s:s, s:I, s:I, s:f, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o, "
		      "s:I, s:I, s:o}",
		      "case", c->name, "ios", (json_int_t)m->ios, "bytes", (json_int_t)m->bytes,
		      "seconds", m->seconds,
		      "pins_acquired", count_or_null(m->pins_ok, m->acquired),
		      "pins_released", count_or_null(m->pins_ok, m->released),
		      "disk_ios", count_or_null(m->disk_ok, m->disk.ios),
		      "disk_merges", count_or_null(m->disk_ok, m->disk.merges),
		      "disk_sectors", count_or_null(m->disk_ok, m->disk.sectors),
		      "data_errors", (json_int_t)r->data_errors,
		      "leaked_pages", count_or_null(have_probe, pinned),
		      "probed_pages", count_or_null(have_probe, probed),
		      "thp", flag_or_null(r->thp), "zero_page_src", flag_or_null(r->zero_src),
		      "zeroed_bytes", (json_int_t)r->zeroed_bytes,
		      "block_size", (json_int_t)r->blksize, "notes", json_incref(r->notes));
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	printf("%s\n", text);
	free(text);
	strbuf_release(&why);
	return fflush(stdout) ? -1 : 0;
}

int cmd_dio_case(int argc, char **argv, struct cli *cli)
{
	struct option opts[CLI_MAX_OPTIONS + 1];
	char shortopts[CLI_SHORT_MAX];
	struct run r = { .buffer_dir = "/tmp", .fd = -1, .thp = -1, .zero_src = -1,
			 .why = STRBUF_INIT };
	const struct case_ops *c = NULL;
	const char *name = NULL;
	unsigned long long dev;
	struct measured m;
	struct statvfs vfs;
	struct stat st;
	unsigned ms = 1000;
	int opt, code = EXIT_INFRA;
	char *end;

	(void)cli;
	cli_getopt_tables("dio-case", opts, shortopts);
	optind = 1;
	while ((opt = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		switch (opt) {
		case 'C': name = optarg; break;
		case 'D': r.dir = optarg; break;
		case 'b': r.buffer_dir = optarg; break;
		case 'r':
			errno = 0;
			ms = (unsigned)strtoul(optarg, &end, 10);
			if (errno || *end || !ms || ms > 86400000u) {
				error("dio-case: --runtime-ms '%s': not a number of milliseconds "
				      "(1 .. 86400000)", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			cli_usage("dio-case", stdout);
			return EXIT_OK;
		default:
			cli_usage("dio-case", stderr);
			return EXIT_USAGE;
		}
	}
	if (!name || !r.dir || optind < argc) {
		error("dio-case: needs --case NAME and --dir DIR");
		return EXIT_USAGE;
	}
	for (c = ops; c->name && strcmp(c->name, name); c++)
		;
	if (!c->name) {
		struct strbuf known = STRBUF_INIT;

		dio_case_names(&known);
		error("dio-case: no case '%s' (known: %s)", name, known.buf);
		strbuf_release(&known);
		return EXIT_USAGE;
	}
	if (stat(r.dir, &st) || statvfs(r.dir, &vfs)) {
		error("dio-case: '%s': %s", r.dir, errstr());
		return EXIT_USAGE;
	}
	dev = st.st_dev;
	r.page = (size_t)sysconf(_SC_PAGESIZE);
	r.blksize = vfs.f_bsize;
	r.rng = 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
	r.notes = json_array();
	if (c->setup(&r) || run_rounds(&r, c, ms, dev, &m)) {
		error("dio-case %s: %s", c->name, r.why.buf);
		goto out;
	}
	if (report(&r, c, &m))
		error("dio-case: cannot write the result: %s", errstr());
	else
		code = EXIT_OK;
out:
	if (r.fd >= 0)
		close(r.fd);
	if (r.map)
		munmap(r.map, r.map_len);
	if (r.aux)
		munmap(r.aux, r.aux_len);
	json_decref(r.notes);
	strbuf_release(&r.why);
	return code;
}
