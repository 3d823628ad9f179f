/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_PAGEPROBE_H
#define PINBENCH_PAGEPROBE_H

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

/*
 * What a process can learn about its own pages and its I/O from /proc and
 * /sys, for the dio-case workload (workloads/diocase.h).
 *
 * Pins are not visible per page: /proc/kpagecount is the page's map count
 * (folio_precise_page_mapcount() in 6.12's fs/proc/page.c), not its
 * reference count, so a pin (1024 references on a small folio) does not
 * show there. What does show is fork(): a private anonymous page that
 * folio_maybe_dma_pinned() says is pinned is copied into the child at
 * once (copy_present_page(), "needs COW for DMA", once the process has
 * pinned anything) instead of being shared copy-on-write, so the child's
 * page frame differs from the parent's. After the I/O has completed no
 * page of the buffer may be pinned: one that is holds a leaked pin.
 */

/*
 * The page frame of each of n pages from addr (/proc/self/pagemap; 0 for
 * a page not present). -1 when pagemap cannot be read; *visible 0 when
 * it hides frame numbers (it does for a process without CAP_SYS_ADMIN).
 */
int pageprobe_pfns(const void *addr, size_t n, uint64_t *pfn, int *visible);

/*
 * Of the n present pages from addr (private anonymous memory), how many
 * fork() copies rather than shares: still pinned. Returns 0 and fills
 * *pinned and *probed (pages present), or -1 with why filled (no frame
 * numbers without root, fork failed).
 */
int pageprobe_pinned(const void *addr, size_t n, size_t *pinned, size_t *probed,
		     struct strbuf *why);

/* The zero page's frame (a never-written page read once); 0 when hidden. */
uint64_t pageprobe_zero_pfn(void);

/*
 * AnonHugePages of the mapping holding addr, in kB (/proc/self/smaps);
 * -1 when it cannot be told.
 */
long pageprobe_anon_huge_kb(const void *addr);

/* Does this kernel have transparent huge pages at all (their sysfs directory)? */
int pageprobe_thp_supported(void);

/* The block device stat counters of the disk holding a file (/sys/dev/block/M:m/stat). */
struct disk_counts {
	unsigned long long ios, merges, sectors;	/* reads + writes */
};

/* -1 with why filled when the file's device has no stat (not a block device). */
int pageprobe_disk_counts(unsigned long long dev, struct disk_counts *out, struct strbuf *why);

#endif
