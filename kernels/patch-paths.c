// SPDX-License-Identifier: GPL-2.0-only
/*
 * The paths a patch touches, from its file headers (git's extended headers
 * included), for the journal of a deb: tree. Whatever patch(1) may write
 * must be in the list: a path missing here stays changed for every later
 * build, baseline included.
 */
#include "kernels/patch-paths.h"

#include <stdlib.h>
#include <string.h>

struct scan {
	struct strvec *paths;
	struct strbuf *why;
	const char *section;	/* the "diff --git" line of the current file, or NULL */
	int in_header;		/* between that line and the first ---/+++ or hunk */
	int named;		/* the current git section has named a path */
};

const char *unquote_c_style(const char *s, struct strbuf *out)
{
	if (*s++ != '"')
		return NULL;
	while (*s && *s != '"' && *s != '\n') {
		int c = (unsigned char)*s++;

		if (c == '\\') {
			c = (unsigned char)*s++;
			switch (c) {
			case 'a': c = '\a'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'v': c = '\v'; break;
			case '\\': case '"': break;
			case '0': case '1': case '2': case '3':
				if (s[0] < '0' || s[0] > '7' || s[1] < '0' || s[1] > '7')
					return NULL;
				c = ((c - '0') << 6) | ((s[0] - '0') << 3) | (s[1] - '0');
				s += 2;
				break;
			default:
				return NULL;
			}
			if (!c)
				return NULL;	/* no name holds a NUL */
		}
		strbuf_addch(out, c);
	}
	return *s == '"' ? s + 1 : NULL;
}

/* -p1: drop everything up to the first '/' (and the slashes after it). */
static int strip_one(const char *name, struct strbuf *out)
{
	const char *slash = strchr(name, '/');

	if (!slash)
		return 0;
	while (*slash == '/')
		slash++;
	strbuf_addstr(out, slash);
	return out->len > 0;
}

static void add_path(struct scan *s, const char *path)
{
	if (!strvec_contains(s->paths, path))
		strvec_push(s->paths, path);
	s->named = 1;
}

/*
 * The name of a ---, +++, *** or Index: header at p; strip says whether
 * to drop its first component. 0 for none (/dev/null), -1 for bad quoting.
 */
static int header_name(struct scan *s, const char *p, int strip)
{
	struct strbuf raw = STRBUF_INIT, name = STRBUF_INIT;
	int ret = 0;

	if (*p == '"') {
		if (!unquote_c_style(p, &raw)) {
			strbuf_addf(s->why, "bad quoting in '%.*s'", (int)strcspn(p, "\n"), p);
			ret = -1;
			goto out;
		}
	} else {
		/* git ends a name holding a space with a tab; diff -u a timestamp with one */
		const char *end = p + strcspn(p, "\t\n");

		while (end > p && (end[-1] == ' ' || end[-1] == '\r'))
			end--;
		strbuf_add(&raw, p, (size_t)(end - p));
	}
	if (!raw.len || !strcmp(raw.buf, "/dev/null"))
		goto out;
	if (!strip)
		strbuf_addbuf(&name, &raw);
	else if (!strip_one(raw.buf, &name))
		goto out;
	add_path(s, name.buf);
	ret = 1;
out:
	strbuf_release(&raw);
	strbuf_release(&name);
	return ret;
}

static void add_stripped(struct scan *s, const char *raw)
{
	struct strbuf name = STRBUF_INIT;

	if (strip_one(raw, &name))
		add_path(s, name.buf);
	strbuf_release(&name);
}

/*
 * "diff --git a/X b/Y" (p after "diff --git "). Quoted names are
 * unambiguous; unquoted ones are split where, as git does it, both sides
 * less their first component are equal, or at the only space. A rename of
 * a name with spaces cannot be split: its rename/copy headers name it.
 */
static int git_line_names(struct scan *s, const char *p)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, x = STRBUF_INIT, y = STRBUF_INIT;
	const char *end = p + strcspn(p, "\n"), *sp, *q;
	int ret = 0, spaces = 0;

	while (end > p && end[-1] == '\r')
		end--;
	if (*p == '"') {
		q = unquote_c_style(p, &a);
		if (!q || *q != ' ')
			goto bad;
		q++;
		if (*q == '"') {
			if (!unquote_c_style(q, &b))
				goto bad;
		} else {
			strbuf_add(&b, q, (size_t)(end - q));
		}
	} else if ((sp = strstr(p, " \"")) && sp < end) {
		strbuf_add(&a, p, (size_t)(sp - p));
		if (!unquote_c_style(sp + 1, &b))
			goto bad;
	} else {
		for (sp = p; sp < end; sp++)
			spaces += *sp == ' ';
		for (sp = memchr(p, ' ', (size_t)(end - p)); sp;
		     sp = memchr(sp + 1, ' ', (size_t)(end - sp - 1))) {
			strbuf_reset(&a);
			strbuf_reset(&b);
			strbuf_reset(&x);
			strbuf_reset(&y);
			strbuf_add(&a, p, (size_t)(sp - p));
			strbuf_add(&b, sp + 1, (size_t)(end - sp - 1));
			if (spaces == 1 || (strip_one(a.buf, &x) && strip_one(b.buf, &y) &&
					    !strcmp(x.buf, y.buf)))
				break;
		}
		if (!sp)
			goto out;	/* left to the other headers */
	}
	add_stripped(s, a.buf);
	add_stripped(s, b.buf);
	goto out;
bad:
	strbuf_addf(s->why, "bad quoting in 'diff --git %.*s'", (int)(end - p), p);
	ret = -1;
out:
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&x);
	strbuf_release(&y);
	return ret;
}

static int end_section(struct scan *s)
{
	if (s->section && !s->named) {
		strbuf_addf(s->why, "cannot tell the file names in '%.*s'",
			    (int)strcspn(s->section, "\n"), s->section);
		return -1;
	}
	s->section = NULL;
	s->in_header = 0;
	s->named = 0;
	return 0;
}

static long count_or_one(const char *p, char **end)
{
	if (*p != ',') {
		*end = (char *)p;
		return 1;
	}
	return strtol(p + 1, end, 10);
}

/* "@@ -o[,n] +o[,n] @@": the number of old and new lines of the hunk. */
static int hunk_counts(const char *line, long *old, long *new)
{
	char *end;

	strtol(line + 4, &end, 10);
	if (end == line + 4)
		return 0;
	*old = count_or_one(end, &end);
	if (strncmp(end, " +", 2))
		return 0;
	line = end + 2;
	strtol(line, &end, 10);
	if (end == line)
		return 0;
	*new = count_or_one(end, &end);
	return !strncmp(end, " @@", 3) && *old >= 0 && *new >= 0;
}

/* Past a hunk's body, so that a removed "-- x" line is not a header. */
static const char *skip_hunk(const char *line, long old, long new)
{
	while (line && *line && (old > 0 || new > 0)) {
		switch (*line) {
		case ' ': case '\n': case '\r':	/* mailers eat a context line's space */
			old--;
			new--;
			break;
		case '-':
			old--;
			break;
		case '+':
			new--;
			break;
		case '\\':	/* "\ No newline at end of file" */
			break;
		default:
			return line;	/* short hunk: patch(1) will say so */
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return line;
}

static const char *next_line(const char *line)
{
	const char *nl = strchr(line, '\n');

	return nl ? nl + 1 : NULL;
}

/* One line outside a hunk; returns the line to go on with, or a -1 in *ret. */
static const char *scan_line(struct scan *s, const char *line, int *ret)
{
	const char *next = next_line(line);
	long old, new;

	if (starts_with(line, "diff --git ")) {
		if ((*ret = end_section(s)))
			return NULL;
		s->section = line;
		s->in_header = 1;
		*ret = git_line_names(s, line + 11);
		return next;
	}
	if (starts_with(line, "@@ -")) {
		s->in_header = 0;
		return hunk_counts(line, &old, &new) ? skip_hunk(next, old, new) : next;
	}
	if (next && ((starts_with(line, "--- ") && starts_with(next, "+++ ")) ||
		     (starts_with(line, "*** ") && starts_with(next, "--- ")))) {
		s->in_header = 0;
		if (header_name(s, line + 4, 1) < 0 || header_name(s, next + 4, 1) < 0)
			*ret = -1;
		return next_line(next);
	}
	if (starts_with(line, "Index: ")) {
		*ret = header_name(s, line + 7, 1) < 0 ? -1 : 0;
		return next;
	}
	if (s->in_header) {
		static const char *const names[] = { "rename from ", "rename to ", "copy from ",
						     "copy to ", NULL };
		const char *const *n;

		for (n = names; *n; n++)
			if (starts_with(line, *n)) {
				*ret = header_name(s, line + strlen(*n), 0) < 0 ? -1 : 0;
				break;
			}
	}
	return next;
}

int patch_touched_paths(const char *text, struct strvec *paths, struct strbuf *why)
{
	struct scan s = { .paths = paths, .why = why };
	const char *line = text;
	int ret = 0;

	while (line && *line && !ret)
		line = scan_line(&s, line, &ret);
	return ret ? ret : end_section(&s);
}
