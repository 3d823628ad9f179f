/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_MARKER_H
#define PINBENCH_MARKER_H

#include <stdint.h>

/*
 * The agent's side of instruction counting (runner/plugin/count.c): one
 * page at the user address the host chose for this boot, holding a single
 * `ret`. Calling it is the mark the QEMU plugin sees (it snapshots its
 * counters each time that block runs); the agent numbers its own calls, so
 * the host can check that every mark the plugin saw was one of the agent's
 * (a count that differs means someone else ran that address).
 */
struct marker {
	void (*fn)(void);
	uint64_t addr;
	unsigned long long hits;	/* marks made so far; the next one is hits + 1 */
};

#define MARKER_ADDR_MIN 0x100000000000ull
#define MARKER_ADDR_MAX 0x7f0000000000ull

/* A page-aligned address in [MARKER_ADDR_MIN, MARKER_ADDR_MAX). */
int marker_addr_ok(uint64_t addr);

/* Map the marker page at addr (never over an existing mapping): 0, or -1 with an error printed. */
int marker_map(struct marker *mk, uint64_t addr);
void marker_unmap(struct marker *mk);

/* Make a mark; returns its number (1, 2, ...). */
unsigned long long marker_hit(struct marker *mk);

#endif
