// SPDX-License-Identifier: GPL-2.0-only
/*
 * Patches and series: the patch list, subject tags, and loading what a
 * `patches` entry names (a file, a directory, lore:MSGID). Splitting mail is
 * in patch-mbox.c, choosing the series in patch-series.c.
 */
#include "kernels/patch-internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/log.h"
#include "kernels/lore.h"

#define PATCH_FILE_LIMIT ((size_t)64 << 20)

void patch_init(struct patch *p)
{
	memset(p, 0, sizeof(*p));
	strbuf_init(&p->text, 0);
}

void patch_release(struct patch *p)
{
	free(p->full_subject);
	free(p->subject);
	free(p->author);
	free(p->recipients);
	free(p->message_id);
	free(p->in_reply_to);
	free(p->origin);
	strbuf_release(&p->text);
	patch_init(p);
}

void patch_list_append(struct patch_list *l, struct patch *p)
{
	if (l->nr == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 8;
		l->v = xrealloc(l->v, l->alloc * sizeof(*l->v));
	}
	l->v[l->nr++] = *p;
	patch_init(p);
}

void patch_list_release(struct patch_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		patch_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->nr = l->alloc = 0;
}

char *xmemdup(const char *s, size_t len)
{
	char *d = xmalloc(len + 1);

	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

const char *skip_space(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

const char *skip_re(const char *s)
{
	for (;;) {
		const char *t = skip_space(s);

		if (strncasecmp(t, "re", 2))
			return t;
		t += 2;
		while (*t == ' ')
			t++;
		if (*t != ':')
			return skip_space(s);
		s = t + 1;
	}
}

/* "12" of exactly [p, end) */
static int parse_uint(const char *p, const char *end, unsigned *out)
{
	unsigned long v = 0;

	if (p == end)
		return -1;
	for (; p < end; p++) {
		if (!isdigit((unsigned char)*p) || v > 100000)
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
	}
	*out = (unsigned)v;
	return 0;
}

/* "v2", "V2" */
static int parse_version(const char *p, const char *end, unsigned *v)
{
	unsigned n;

	if (p == end || (*p != 'v' && *p != 'V'))
		return -1;
	if (parse_uint(p + 1, end, &n) || !n)
		return -1;
	*v = n;
	return 0;
}

/*
 * Does a token of a bracket group name a patch: "PATCH", "patch",
 * "RFC-PATCH", "PATCHv2" (then *v is set), but not "patchwork".
 */
static int is_patch_word(const char *p, const char *end, unsigned *v)
{
	for (const char *s = p; end - s >= 5; s++) {
		const char *after = s + 5;

		if (strncasecmp(s, "patch", 5))
			continue;
		if (s > p && isalpha((unsigned char)s[-1]))
			continue;
		if (after == end || !isalpha((unsigned char)*after))
			return 1;
		if (!parse_version(after, end, v))
			return 1;
	}
	return 0;
}

/* The words of one "[...]" group: version, k/N and whether it says PATCH. */
static int parse_tag(const char *p, const char *end, unsigned *version,
		     unsigned *index, unsigned *total)
{
	int found = 0;

	while (p < end) {
		const char *tok, *slash;
		unsigned k, n;

		while (p < end && (isspace((unsigned char)*p) || *p == ','))
			p++;
		tok = p;
		while (p < end && !isspace((unsigned char)*p) && *p != ',')
			p++;
		if (tok == p)
			break;
		slash = memchr(tok, '/', (size_t)(p - tok));
		if (slash && !parse_uint(tok, slash, &k) && !parse_uint(slash + 1, p, &n) && n) {
			*index = k;
			*total = n;
		} else if (!parse_version(tok, p, version)) {
			;
		} else if (is_patch_word(tok, p, version)) {
			found = 1;
		}
	}
	return found;
}

int patch_subject_parse(const char *subject, unsigned *version, unsigned *index,
			unsigned *total, const char **rest)
{
	const char *s = skip_re(subject);
	const char *after_tags = s;
	int found = 0;

	*version = 1;
	*index = *total = 0;
	/*
	 * Lists prepend their own tags ("[Intel-gfx] [PATCH v2 1/3]"); like
	 * git mailinfo, drop every leading group but read only the PATCH one.
	 */
	while (*after_tags == '[') {
		const char *close = strchr(after_tags, ']');
		unsigned v = 1, k = 0, n = 0;

		if (!close)
			break;
		if (!found && parse_tag(after_tags + 1, close, &v, &k, &n)) {
			found = 1;
			*version = v;
			*index = k;
			*total = n;
		}
		after_tags = skip_space(close + 1);
	}
	*rest = found ? after_tags : s;
	return found;
}


static int read_patch_file(const char *path, struct strbuf *sb)
{
	return strbuf_read_file(sb, path, PATCH_FILE_LIMIT);
}

static const char *read_error(void)
{
	return errno == EFBIG ? "larger than 64 MiB" : errstr();
}

static int load_file(const char *path, struct patch_list *all)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	if (read_patch_file(path, &sb) < 0)
		ret = error("cannot read '%s': %s", path, read_error());
	else
		ret = patch_split(sb.buf, sb.len, path, all);
	strbuf_release(&sb);
	return ret;
}

static void join_path(struct strbuf *sb, const char *dir, const char *name)
{
	strbuf_addstr(sb, dir);
	if (sb->len && sb->buf[sb->len - 1] != '/')
		strbuf_addch(sb, '/');
	strbuf_addstr(sb, name);
}

/* Quilt's "name [-p1] [# comment]"; only -p1, what git am and patch -p1 do. */
static int series_entry(char *line, const char *series, unsigned lineno, char **name)
{
	char *s = trim(line), *opt;

	*name = NULL;
	if (!*s || *s == '#')
		return 0;
	opt = s + strcspn(s, " \t");
	if (*opt) {
		*opt++ = '\0';
		opt = trim(opt);
		if (starts_with(opt, "-p1"))
			opt = trim(opt + 3);
		if (*opt && *opt != '#')
			return error("'%s' line %u: '%s' is not supported (a file name, optionally -p1)",
				     series, lineno, opt);
	}
	if (*s == '/' || strstr(s, "/..") || !strcmp(s, "..") || starts_with(s, "../"))
		return error("'%s' line %u: '%s' points outside the directory", series, lineno, s);
	*name = s;
	return 0;
}

static int load_series(const char *dir, const char *series, struct patch_list *all)
{
	struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;
	unsigned lineno = 0, loaded = 0;
	char *line, *next;
	int ret = 0;

	if (read_patch_file(series, &sb) < 0) {
		ret = error("cannot read '%s': %s", series, read_error());
		goto out;
	}
	for (line = sb.buf; !ret && line; line = next) {
		char *name;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else if (!*line)
			break;
		lineno++;
		ret = series_entry(line, series, lineno, &name);
		if (ret || !name)
			continue;
		strbuf_reset(&path);
		join_path(&path, dir, name);
		if (access(path.buf, F_OK))
			ret = error("'%s' line %u: '%s': %s", series, lineno, path.buf, errstr());
		else
			ret = load_file(path.buf, all);
		loaded++;
	}
	if (!ret && !loaded)
		ret = error("'%s' lists no patch", series);
out:
	strbuf_release(&sb);
	strbuf_release(&path);
	return ret;
}

static int is_patch_name(const struct dirent *d)
{
	static const char *const ext[] = { ".patch", ".diff", ".mbox" };
	size_t len = strlen(d->d_name);

	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t n = strlen(ext[i]);

		if (len > n && !strcmp(d->d_name + len - n, ext[i]))
			return 1;
	}
	return 0;
}

/* *.patch, *.diff, *.mbox in version order, so that 0010- comes after 0009-. */
static int load_dir_files(const char *dir, struct patch_list *all)
{
	struct strbuf path = STRBUF_INIT;
	struct dirent **ents;
	int n = scandir(dir, &ents, is_patch_name, versionsort);
	int ret = 0, loaded = 0;

	if (n < 0)
		return error("cannot read directory '%s': %s", dir, errstr());
	for (int i = 0; i < n; i++) {
		struct stat st;

		strbuf_reset(&path);
		join_path(&path, dir, ents[i]->d_name);
		if (!ret && !stat(path.buf, &st) && S_ISREG(st.st_mode)) {
			ret = load_file(path.buf, all);
			loaded++;
		}
		free(ents[i]);
	}
	free(ents);
	strbuf_release(&path);
	if (!ret && !loaded)
		ret = error("patches '%s': no series file and no *.patch, *.diff or *.mbox file in it",
			    dir);
	return ret;
}

static int load_dir(const char *dir, struct patch_list *all)
{
	struct strbuf series = STRBUF_INIT;
	struct stat st;
	int ret;

	join_path(&series, dir, "series");
	if (!stat(series.buf, &st))
		ret = load_series(dir, series.buf, all);
	else
		ret = load_dir_files(dir, all);
	strbuf_release(&series);
	return ret;
}

static int load_path(const char *spec, struct patch_list *all)
{
	struct stat st;

	if (stat(spec, &st)) {
		if (errno == ENOENT)
			return error("patches '%s': no such file or directory", spec);
		return error("patches '%s': %s", spec, errstr());
	}
	if (S_ISDIR(st.st_mode))
		return load_dir(spec, all);
	if (!S_ISREG(st.st_mode))
		return error("patches '%s': not a file or a directory", spec);
	return load_file(spec, all);
}

static int load_lore(const char *spec, const struct patch_source_opts *opts,
		     struct strbuf *id, struct patch_list *all, int *infra)
{
	struct strbuf why = STRBUF_INIT, mbox = STRBUF_INIT, origin = STRBUF_INIT;
	const char *url = opts && opts->lore_url ? opts->lore_url : LORE_DEFAULT_URL;
	int net = 0, ret;

	if (lore_parse_msgid(spec + strlen("lore:"), id, &why)) {
		ret = error("patches '%s': %s", spec, why.buf);
	} else if (lore_fetch(id->buf, url, opts ? opts->cache_dir : NULL, &mbox, &net)) {
		*infra = net;
		ret = -1;
	} else {
		strbuf_addf(&origin, "lore:%s", id->buf);
		ret = patch_split(mbox.buf, mbox.len, origin.buf, all);
	}
	strbuf_release(&why);
	strbuf_release(&mbox);
	strbuf_release(&origin);
	return ret;
}

static void print_notes(const char *spec, const struct strbuf *note)
{
	const char *line = note->buf;

	while (*line) {
		size_t len = strcspn(line, "\n");

		info("%s: %.*s", spec, (int)len, line);
		line += len + (line[len] == '\n');
	}
}

int patch_load(const char *spec, const struct patch_source_opts *opts,
	       struct patch_list *out, struct patch *cover, int *infra)
{
	struct patch_list all = PATCH_LIST_INIT;
	struct strbuf id = STRBUF_INIT, note = STRBUF_INIT;
	size_t first = out->nr;
	int net = 0, ret;

	if (cover)
		patch_init(cover);
	if (starts_with(spec, "lore:"))
		ret = load_lore(spec, opts, &id, &all, &net);
	else
		ret = load_path(spec, &all);
	if (!ret && all.nr == 1 && all.v[0].has_diff && !all.v[0].is_reply) {
		/* one mail named on its own: the user picked it, even as k/N of a series */
		patch_list_append(out, &all.v[0]);
	} else if (!ret) {
		ret = patch_pick_series(&all, id.len ? id.buf : NULL, out, cover, &note);
	}
	patch_list_release(&all);
	if (!ret) {
		print_notes(spec, &note);
		for (size_t i = first; i < out->nr; i++)
			sha256_hex(out->v[i].text.buf, out->v[i].text.len, out->v[i].sha);
		if (cover && cover->message_id)
			sha256_hex(cover->text.buf, cover->text.len, cover->sha);
	}
	if (infra)
		*infra = net;
	strbuf_release(&id);
	strbuf_release(&note);
	return ret;
}
