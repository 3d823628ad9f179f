// SPDX-License-Identifier: GPL-2.0-only
#include "common/mountinfo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

static int is_octal(char c)
{
	return c >= '0' && c <= '7';
}

void mountinfo_unescape(const char *s, size_t len, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 3 < len &&
		    is_octal(s[i + 1]) && is_octal(s[i + 2]) && is_octal(s[i + 3])) {
			strbuf_addch(out, (char)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) |
						 (s[i + 3] - '0')));
			i += 3;
		} else {
			strbuf_addch(out, s[i]);
		}
	}
}

/* The next space-separated field of the line at *p, unescaped; 0 at the end of the line. */
static int next_field(const char **p, const char *end, struct strbuf *out)
{
	const char *s = *p, *e;

	while (s < end && *s == ' ')
		s++;
	if (s == end)
		return 0;
	for (e = s; e < end && *e != ' '; e++)
		;
	strbuf_reset(out);
	mountinfo_unescape(s, (size_t)(e - s), out);
	*p = e;
	return 1;
}

static int parse_line(const char *line, const char *end, struct mount_entry *m)
{
	struct strbuf f = STRBUF_INIT;
	int i, ok = 0;

	memset(m, 0, sizeof(*m));
	/* id, parent */
	for (i = 0; i < 2; i++)
		if (!next_field(&line, end, &f))
			goto out;
	if (!next_field(&line, end, &f) || sscanf(f.buf, "%u:%u", &m->major, &m->minor) != 2)
		goto out;
	if (!next_field(&line, end, &f))
		goto out;
	m->root = xstrdup(f.buf);
	if (!next_field(&line, end, &f))
		goto out;
	m->mountpoint = xstrdup(f.buf);
	/* options, then optional fields up to the lone "-" */
	do
		if (!next_field(&line, end, &f))
			goto out;
	while (strcmp(f.buf, "-"));
	if (!next_field(&line, end, &f))
		goto out;
	m->fstype = xstrdup(f.buf);
	if (!next_field(&line, end, &f))
		goto out;
	m->source = xstrdup(f.buf);
	ok = 1;
out:
	strbuf_release(&f);
	return ok ? 0 : -1;
}

static void entry_clear(struct mount_entry *m)
{
	free(m->root);
	free(m->mountpoint);
	free(m->fstype);
	free(m->source);
	memset(m, 0, sizeof(*m));
}

int mountinfo_parse(const char *text, struct mount_table *t, struct strbuf *why)
{
	const char *line = text;
	unsigned lineno = 0;

	while (*line) {
		const char *end = strchrnul(line, '\n');
		struct mount_entry m;

		lineno++;
		if (end > line) {
			if (parse_line(line, end, &m)) {
				entry_clear(&m);
				strbuf_addf(why, "line %u does not parse", lineno);
				return -1;
			}
			if (t->nr == t->alloc) {
				t->alloc = t->alloc ? 2 * t->alloc : 32;
				t->v = xrealloc(t->v, t->alloc * sizeof(*t->v));
			}
			t->v[t->nr++] = m;
		}
		line = *end ? end + 1 : end;
	}
	return 0;
}

int mountinfo_read(const char *path, struct mount_table *t)
{
	struct strbuf sb = STRBUF_INIT, why = STRBUF_INIT;
	int ret = 0;

	if (strbuf_read_file(&sb, path, 64u << 20))
		ret = error("cannot read '%s': %s", path, errstr());
	else if (mountinfo_parse(sb.buf, t, &why))
		ret = error("'%s': %s", path, why.buf);
	strbuf_release(&sb);
	strbuf_release(&why);
	return ret;
}

void mount_table_clear(struct mount_table *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		entry_clear(&t->v[i]);
	free(t->v);
	t->v = NULL;
	t->nr = t->alloc = 0;
}
