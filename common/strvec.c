// SPDX-License-Identifier: GPL-2.0-only
#include "common/strvec.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"

const char *strvec_empty[] = { NULL };

static void push_owned(struct strvec *sv, char *s)
{
	if (sv->nr + 2 > sv->alloc) {
		size_t n = sv->alloc ? sv->alloc * 2 : 8;

		sv->v = xrealloc(sv->alloc ? (void *)sv->v : NULL, n * sizeof(*sv->v));
		sv->alloc = n;
	}
	sv->v[sv->nr++] = s;
	sv->v[sv->nr] = NULL;
}

void strvec_push(struct strvec *sv, const char *s)
{
	push_owned(sv, xstrdup(s));
}

void strvec_pushf(struct strvec *sv, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	push_owned(sv, strbuf_detach(&sb, NULL));
}

void strvec_pushv(struct strvec *sv, const char *const *items)
{
	for (; items && *items; items++)
		strvec_push(sv, *items);
}

void strvec_clear(struct strvec *sv)
{
	size_t i;

	if (sv->alloc) {
		for (i = 0; i < sv->nr; i++)
			free((char *)sv->v[i]);
		free(sv->v);
	}
	sv->v = strvec_empty;
	sv->nr = sv->alloc = 0;
}

void strvec_split(struct strvec *sv, const char *list)
{
	const char *p = list;

	while (p && *p) {
		const char *end;

		while (*p && (isspace((unsigned char)*p) || *p == ','))
			p++;
		end = p;
		while (*end && !isspace((unsigned char)*end) && *end != ',')
			end++;
		if (end > p) {
			char *item = xmalloc((size_t)(end - p) + 1);

			memcpy(item, p, (size_t)(end - p));
			item[end - p] = '\0';
			push_owned(sv, item);
		}
		p = end;
	}
}

int strvec_contains(const struct strvec *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->nr; i++)
		if (!strcmp(sv->v[i], s))
			return 1;
	return 0;
}

char *strvec_join(const struct strvec *sv, const char *sep)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < sv->nr; i++) {
		if (i)
			strbuf_addstr(&sb, sep);
		strbuf_addstr(&sb, sv->v[i]);
	}
	return strbuf_detach(&sb, NULL);
}

void strvec_pushl(struct strvec *sv, ...)
{
	const char *s;
	va_list ap;

	va_start(ap, sv);
	while ((s = va_arg(ap, const char *)))
		strvec_push(sv, s);
	va_end(ap);
}

void strvec_remove(struct strvec *sv, size_t i)
{
	if (i >= sv->nr)
		abort();	/* a caller's bug */
	free((char *)sv->v[i]);
	memmove(&sv->v[i], &sv->v[i + 1], (sv->nr - i) * sizeof(sv->v[0]));
	sv->nr--;
}
