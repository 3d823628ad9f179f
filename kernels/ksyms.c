// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmlinux's symbol table, read with <elf.h> alone: every offset and size
 * is checked against the file, as a kernel built from a patch off a public
 * list is not trusted to be well formed.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "kernels/ksyms.h"

static int within(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static int cmp_name(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->addr > y->addr) - (x->addr < y->addr);
}

static int read_symtab(const unsigned char *img, uint64_t size, struct ksyms *out,
		       struct strbuf *why)
{
	const Elf64_Ehdr *eh = (const void *)img;
	const Elf64_Shdr *sh;
	size_t i, alloc = 0;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64) {
		strbuf_addstr(why, "not an ELF64 file");
		return -1;
	}
	if (eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !within(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr), size)) {
		strbuf_addstr(why, "its section headers lie outside the file");
		return -1;
	}
	sh = (const void *)(img + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *st = &sh[i], *str;
		const Elf64_Sym *sym;
		size_t j, n;

		if (st->sh_type != SHT_SYMTAB)
			continue;
		if (st->sh_link >= eh->e_shnum || st->sh_entsize != sizeof(Elf64_Sym) ||
		    !within(st->sh_offset, st->sh_size, size)) {
			strbuf_addstr(why, "its symbol table is malformed");
			return -1;
		}
		str = &sh[st->sh_link];
		if (!within(str->sh_offset, str->sh_size, size) || !str->sh_size ||
		    img[str->sh_offset + str->sh_size - 1]) {
			strbuf_addstr(why, "its symbol names are malformed");
			return -1;
		}
		sym = (const void *)(img + st->sh_offset);
		n = st->sh_size / sizeof(*sym);
		for (j = 0; j < n; j++) {
			unsigned type = ELF64_ST_TYPE(sym[j].st_info);

			if (!sym[j].st_name || sym[j].st_name >= str->sh_size ||
			    sym[j].st_shndx == SHN_UNDEF ||
			    (type != STT_FUNC && type != STT_NOTYPE))
				continue;
			if (out->nr == alloc) {
				alloc = alloc ? 2 * alloc : 4096;
				out->v = xrealloc(out->v, alloc * sizeof(*out->v));
			}
			out->v[out->nr++] = (struct ksym){
				xstrdup((const char *)img + str->sh_offset + sym[j].st_name),
				sym[j].st_value, sym[j].st_size };
		}
		qsort(out->v, out->nr, sizeof(*out->v), cmp_name);
		return 0;
	}
	strbuf_addstr(why, "it has no symbol table (stripped?)");
	return -1;
}

int ksyms_load(const char *vmlinux, struct ksyms *out, struct strbuf *why)
{
	struct strbuf what = STRBUF_INIT;
	struct stat st;
	void *img;
	int fd, ret;

	memset(out, 0, sizeof(*out));
	fd = open(vmlinux, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		strbuf_addf(why, "cannot open '%s': %s", vmlinux, errstr());
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || !st.st_size) {
		strbuf_addf(why, "'%s' is not a regular, non-empty file", vmlinux);
		close(fd);
		return -1;
	}
	img = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (img == MAP_FAILED) {
		strbuf_addf(why, "cannot map '%s': %s", vmlinux, errstr());
		return -1;
	}
	ret = read_symtab(img, (uint64_t)st.st_size, out, &what);
	munmap(img, (size_t)st.st_size);
	if (ret) {
		strbuf_addf(why, "'%s': %s", vmlinux, what.buf);
		ksyms_release(out);
	}
	strbuf_release(&what);
	return ret;
}

const struct ksym *ksyms_find(const struct ksyms *k, const char *name)
{
	size_t lo = 0, hi = k->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, k->v[mid].name);

		if (c > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < k->nr && !strcmp(k->v[lo].name, name) ? &k->v[lo] : NULL;
}

void ksyms_release(struct ksyms *k)
{
	size_t i;

	for (i = 0; i < k->nr; i++)
		free(k->v[i].name);
	free(k->v);
	k->v = NULL;
	k->nr = 0;
}
