// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/log.h"
#include "runner/marker.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

int marker_addr_ok(uint64_t addr)
{
	return addr >= MARKER_ADDR_MIN && addr < MARKER_ADDR_MAX && !(addr & 0xfff);
}

int marker_map(struct marker *mk, uint64_t addr)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	memset(mk, 0, sizeof(*mk));
	if (!marker_addr_ok(addr))
		return error("marker address 0x%llx is not a page-aligned user address",
			     (unsigned long long)addr);
	/*
	 * MAP_FIXED_NOREPLACE: never over a mapping of ours. Where it is not
	 * known (valgrind, kernels before 4.17) it is a hint, and the check
	 * below refuses any other address.
	 */
	p = mmap((void *)(uintptr_t)addr, (size_t)page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED && errno == EINVAL)
		p = mmap((void *)(uintptr_t)addr, (size_t)page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || p != (void *)(uintptr_t)addr) {
		if (p != MAP_FAILED)
			munmap(p, (size_t)page);	/* an old kernel took it as a hint */
		return error("cannot map the counting marker at 0x%llx: %s",
			     (unsigned long long)addr, p == MAP_FAILED ? errstr() : "address taken");
	}
	*(unsigned char *)p = 0xc3;	/* ret */
	if (mprotect(p, (size_t)page, PROT_READ | PROT_EXEC)) {
		munmap(p, (size_t)page);
		return error("cannot make the counting marker executable: %s", errstr());
	}
	mk->fn = (void (*)(void))p;
	mk->addr = addr;
	return 0;
}

void marker_unmap(struct marker *mk)
{
	if (mk->fn)
		munmap((void *)(uintptr_t)mk->addr, (size_t)sysconf(_SC_PAGESIZE));
	mk->fn = NULL;
}

unsigned long long marker_hit(struct marker *mk)
{
	if (!mk->fn)
		return 0;
	mk->fn();
	return ++mk->hits;
}
