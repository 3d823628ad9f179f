/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PINBENCH_STRBUF_H
#define PINBENCH_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable string, after git's strbuf.
 *
 * Rules: sb->buf is never NULL and always NUL-terminated (it may point to a
 * shared empty string until the first append); strbuf_release() returns the
 * buffer to its initial state; strbuf_detach() is the only way to take the
 * memory over. Allocation failure aborts: a benchmark harness that cannot
 * allocate a few bytes has nothing sensible left to do.
 */
struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT { .alloc = 0, .len = 0, .buf = strbuf_slopbuf }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_reset(struct strbuf *sb);
void strbuf_setlen(struct strbuf *sb, size_t len);

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addbuf(struct strbuf *sb, const struct strbuf *other);
void strbuf_addch(struct strbuf *sb, int c);
__attribute__((format(printf, 2, 3)))
void strbuf_addf(struct strbuf *sb, const char *fmt, ...);
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);

/* Drop len bytes at pos (the rest moves up). */
void strbuf_remove(struct strbuf *sb, size_t pos, size_t len);
/* Strip trailing whitespace (newlines included). */
void strbuf_rtrim(struct strbuf *sb);

/* Read a whole file; returns 0 or -1 with errno set (nothing is printed). */
int strbuf_read_file(struct strbuf *sb, const char *path, size_t limit);

/* Helpers on plain strings that everybody needs. */
char *xstrdup(const char *s);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
int starts_with(const char *s, const char *prefix);
int ends_with(const char *s, const char *suffix);
/* Trim leading and trailing whitespace in place; returns s advanced. */
char *trim(char *s);

#endif
