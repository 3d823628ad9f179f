// SPDX-License-Identifier: GPL-2.0-only
#include "kernels/kconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "common/spawn.h"

/* What a fragment asks for one symbol; the last fragment to mention it wins. */
struct wish {
	char *symbol;		/* "CONFIG_X" */
	char *line;		/* the fragment line as written */
	char *where;		/* "PATH:LINE" */
	int unset;		/* "# CONFIG_X is not set" */
};

struct wishes {
	struct wish *v;
	size_t nr, alloc;
};

static void wish_set(struct wishes *w, const char *sym, size_t symlen, const char *line,
		     const char *where, int unset)
{
	size_t i;

	for (i = 0; i < w->nr; i++) {
		if (strlen(w->v[i].symbol) == symlen && !strncmp(w->v[i].symbol, sym, symlen)) {
			free(w->v[i].line);
			free(w->v[i].where);
			goto fill;
		}
	}
	if (w->nr == w->alloc) {
		w->alloc = w->alloc ? 2 * w->alloc : 64;
		w->v = xrealloc(w->v, w->alloc * sizeof(*w->v));
	}
	i = w->nr++;
	w->v[i].symbol = strndup(sym, symlen);
fill:
	w->v[i].line = xstrdup(line);
	w->v[i].where = xstrdup(where);
	w->v[i].unset = unset;
}

static void wishes_release(struct wishes *w)
{
	size_t i;

	for (i = 0; i < w->nr; i++) {
		free(w->v[i].symbol);
		free(w->v[i].line);
		free(w->v[i].where);
	}
	free(w->v);
}

static size_t symbol_len(const char *p)
{
	size_t n = 0;

	if (strncmp(p, "CONFIG_", 7))
		return 0;
	for (n = 7; isalnum((unsigned char)p[n]) || p[n] == '_'; n++)
		;
	return n > 7 ? n : 0;
}

/* Parse one fragment into wishes; malformed lines go to missing. */
static size_t read_fragment(const struct kconfig_fragment *f, struct wishes *w,
			    struct strvec *missing)
{
	const char *p = f->text;
	struct strbuf line = STRBUF_INIT, where = STRBUF_INIT;
	size_t problems = 0;
	unsigned lineno = 0;

	while (*p) {
		size_t len = strcspn(p, "\n"), n;
		char *s;

		lineno++;
		strbuf_reset(&line);
		strbuf_add(&line, p, len);
		p += len + (p[len] == '\n');
		s = trim(line.buf);
		strbuf_reset(&where);
		strbuf_addf(&where, "%s:%u", f->path, lineno);
		if (!*s)
			continue;
		if (*s == '#') {
			/* "# CONFIG_X is not set" is a wish; any other comment is not */
			n = symbol_len(s + 2);
			if (s[1] == ' ' && n && !strcmp(s + 2 + n, " is not set"))
				wish_set(w, s + 2, n, s, where.buf, 1);
			continue;
		}
		n = symbol_len(s);
		if (!n || s[n] != '=' || !s[n + 1]) {
			strvec_pushf(missing, "%s: '%s' is not CONFIG_NAME=value or "
				     "'# CONFIG_NAME is not set'", where.buf, s);
			problems++;
			continue;
		}
		wish_set(w, s, n, s, where.buf, 0);
	}
	strbuf_release(&line);
	strbuf_release(&where);
	return problems;
}

/* The .config line for symbol, or NULL when it is absent or not set. */
static const char *dotconfig_value(const char *dotconfig, const char *symbol,
				   struct strbuf *out)
{
	size_t n = strlen(symbol);
	const char *p = dotconfig;

	while (p && *p) {
		if (!strncmp(p, symbol, n) && p[n] == '=') {
			strbuf_add(out, p, strcspn(p, "\n"));
			return out->buf;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

size_t kconfig_verify(const struct kconfig_fragment *frags, size_t nfrags,
		      const char *dotconfig, struct strvec *missing)
{
	struct wishes w = { NULL, 0, 0 };
	struct strbuf have = STRBUF_INIT;
	size_t i, problems = 0;

	for (i = 0; i < nfrags; i++)
		problems += read_fragment(&frags[i], &w, missing);
	for (i = 0; i < w.nr; i++) {
		const struct wish *x = &w.v[i];
		const char *got;

		strbuf_reset(&have);
		got = dotconfig_value(dotconfig, x->symbol, &have);
		if (x->unset ? !got || !strcmp(got + strlen(x->symbol), "=n") :
			       got && !strcmp(got, x->line))
			continue;
		strvec_pushf(missing, "%s: %s did not land (.config has: %s)", x->where, x->line,
			     got ? got : "not set: unknown symbol or unmet dependency");
		problems++;
	}
	strbuf_release(&have);
	wishes_release(&w);
	return problems;
}

static void to_log(const char *buf, size_t len, void *data)
{
	/* a short write loses log text, not the configuration */
	write_all(*(int *)data, buf, len);
}

static int run_step(struct child *c, const char *what, int log_fd)
{
	struct strbuf how = STRBUF_INIT;
	char *cmd = strvec_join(&c->args, " ");

	dprintf(log_fd, "+ %s\n", cmd);
	free(cmd);
	c->flags |= SPAWN_CAPTURE_STDOUT | SPAWN_STDERR_TO_STDOUT;
	c->on_output = to_log;
	c->cb_data = &log_fd;
	if (spawn_run(c))
		return error("cannot run %s: %s", c->args.v[0], errstr());
	if (!c->status)
		return 0;
	spawn_describe(c, &how);
	error("%s failed (%s)", what, how.buf);
	strbuf_release(&how);
	return -1;
}

static void make_args(struct child *c, const char *tree, const char *objdir,
		      const struct strvec *extra, const char *target)
{
	strvec_pushv(&c->args, (const char *const[]){ "make", "-C", tree, NULL });
	strvec_pushf(&c->args, "O=%s", objdir);
	if (extra)
		strvec_pushv(&c->args, (const char *const *)extra->v);
	strvec_push(&c->args, target);
}

static int verify_files(const char *objdir, const struct strvec *paths)
{
	struct kconfig_fragment *frags = xcalloc(paths->nr ? paths->nr : 1, sizeof(*frags));
	struct strbuf *texts = xcalloc(paths->nr ? paths->nr : 1, sizeof(*texts));
	struct strbuf dotconfig = STRBUF_INIT, path = STRBUF_INIT;
	struct strvec missing = STRVEC_INIT;
	size_t i;
	int ret = -1;

	for (i = 0; i < paths->nr; i++) {
		strbuf_init(&texts[i], 0);
		if (strbuf_read_file(&texts[i], paths->v[i], 1 << 20)) {
			error("cannot read config fragment '%s': %s", paths->v[i], errstr());
			goto out;
		}
		frags[i] = (struct kconfig_fragment){ paths->v[i], texts[i].buf };
	}
	strbuf_addf(&path, "%s/.config", objdir);
	if (strbuf_read_file(&dotconfig, path.buf, 16 << 20)) {
		error("cannot read '%s': %s", path.buf, errstr());
		goto out;
	}
	if (kconfig_verify(frags, paths->nr, dotconfig.buf, &missing)) {
		for (i = 0; i < missing.nr; i++)
			error("%s", missing.v[i]);
		ret = 1;
	} else {
		ret = 0;
	}
out:
	for (i = 0; i < paths->nr; i++)
		strbuf_release(&texts[i]);
	free(texts);
	free(frags);
	strvec_clear(&missing);
	strbuf_release(&dotconfig);
	strbuf_release(&path);
	return ret;
}

int kconfig_configure(const char *tree, const char *objdir, const char *base,
		      const struct strvec *fragment_paths, const struct strvec *extra,
		      int log_fd)
{
	struct child c = CHILD_INIT;
	struct strbuf dotconfig = STRBUF_INIT;
	int ret = -1;

	make_args(&c, tree, objdir, extra, base);
	if (run_step(&c, base, log_fd))
		goto out;
	if (fragment_paths->nr) {
		child_release(&c);
		child_init(&c);
		strbuf_addf(&dotconfig, "%s/.config", objdir);
		strvec_pushf(&c.args, "%s/scripts/kconfig/merge_config.sh", tree);
		strvec_pushv(&c.args, (const char *const[]){ "-m", "-O", objdir, dotconfig.buf,
							       NULL });
		strvec_pushv(&c.args, (const char *const *)fragment_paths->v);
		c.dir = tree;
		if (run_step(&c, "merge_config.sh", log_fd))
			goto out;
	}
	child_release(&c);
	child_init(&c);
	make_args(&c, tree, objdir, extra, "olddefconfig");
	if (run_step(&c, "olddefconfig", log_fd))
		goto out;
	ret = verify_files(objdir, fragment_paths);
out:
	child_release(&c);
	strbuf_release(&dotconfig);
	return ret;
}
