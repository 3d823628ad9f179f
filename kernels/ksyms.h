/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_KSYMS_H
#define PINBENCH_KSYMS_H

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

/*
 * The function symbols of a kernel image (vmlinux, ELF64): name, address
 * and size, read from its symbol table (.symtab) as `nm -S` shows them.
 * The addresses are the link-time ones: they hold in a guest booted with
 * nokaslr.
 */
struct ksym {
	char *name;
	uint64_t addr, size;
};

struct ksyms {
	struct ksym *v;		/* sorted by name */
	size_t nr;
};

/* -1 with why filled when the file is not an ELF64 image with a symbol table. */
int ksyms_load(const char *vmlinux, struct ksyms *out, struct strbuf *why);
/* The function of that name (the first of several), or NULL. */
const struct ksym *ksyms_find(const struct ksyms *k, const char *name);
void ksyms_release(struct ksyms *k);

#endif
