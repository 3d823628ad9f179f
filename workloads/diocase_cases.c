// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cases of the dio-cases workload: what each hands the kernel. Plain
 * syscalls on purpose: which pages, how aligned and mapped how is the
 * point of each.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "workloads/diocase-internal.h"
#include "workloads/pageprobe.h"

void note(struct run *r, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	json_array_append_new(r->notes, json_string(sb.buf));
	strbuf_release(&sb);
}

int fail(struct run *r, const char *fmt, ...)
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

const struct case_ops dio_case_ops[] = {
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
