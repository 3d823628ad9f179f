// SPDX-License-Identifier: GPL-2.0-only
/*
 * Threads from a public-inbox archive (lore.kernel.org), kept in a local
 * cache so that a benchmark defined by a lore: patch source can be re-run
 * without the network.
 */
#include "kernels/lore.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/gzip.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/net.h"
#include "common/owned.h"

/* A thread's t.mbox.gz, and the mbox inside; lore's biggest are a few MiB. */
#define LORE_MAX_GZ	(64u << 20)
#define LORE_MAX_MBOX	(512u << 20)

static int is_http_url(const char *s)
{
	return !strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Undo the percent-encoding of one URL path segment [s, end). */
static void url_unescape(struct strbuf *out, const char *s, const char *end)
{
	while (s < end) {
		if (*s == '%' && end - s >= 3 && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			strbuf_addch(out, hexval(s[1]) * 16 + hexval(s[2]));
			s += 3;
		} else {
			strbuf_addch(out, *s++);
		}
	}
}

/*
 * A lore URL is BASE/INBOX/MSGID[/T/#u, /raw, /t.mbox.gz ...]. Message ids
 * always carry an '@' and lore's own path words never do, so the id is the
 * last segment with one: that also works for archives mounted under a
 * prefix.
 */
static int msgid_from_url(const char *url, struct strbuf *id, struct strbuf *why)
{
	const char *p = strstr(url, "://") + 3;
	const char *end = p + strcspn(p, "?#");
	struct strbuf seg = STRBUF_INIT;

	p = memchr(p, '/', end - p);	/* skip the host */
	while (p && p < end) {
		const char *s = p + 1;
		const char *e = memchr(s, '/', end - s);

		if (!e)
			e = end;
		strbuf_reset(&seg);
		url_unescape(&seg, s, e);
		if (strchr(seg.buf, '@')) {
			strbuf_reset(id);
			strbuf_addstr(id, seg.buf);
		}
		p = e < end ? e : NULL;
	}
	strbuf_release(&seg);
	if (!id->len) {
		strbuf_addf(why, "no message id (a path segment with '@') in URL '%s'", url);
		return -1;
	}
	return 0;
}

/* RFC 5322 allows ids of a line; lore's are under 200 characters */
#define MSGID_MAX	250

/* Nothing but dots: "." or ".." would be a path segment of its own. */
static int only_dots(const char *s, size_t len)
{
	return len && strspn(s, ".") >= len;
}

/*
 * The id goes into a URL path and names a cache file, so it must be an id
 * and nothing else: printable ASCII, one '@' between two non-empty parts,
 * no '/', '<' or '>', no part that is only dots.
 */
static int check_msgid(const char *id, struct strbuf *why)
{
	const unsigned char *p;
	const char *at;
	size_t len = strlen(id);

	if (!*id) {
		strbuf_addstr(why, "empty message id");
		return -1;
	}
	for (p = (const unsigned char *)id; *p; p++) {
		if (isspace(*p) || *p < 0x20 || *p >= 0x7f) {
			strbuf_addf(why, "message id '%s' contains whitespace, a control character "
				    "or a byte outside ASCII", id);
			return -1;
		}
		if (*p == '<' || *p == '>' || *p == '/') {
			strbuf_addf(why, "message id '%s' contains '%c'", id, *p);
			return -1;
		}
	}
	if (len > MSGID_MAX) {
		strbuf_addf(why, "message id '%.40s...' is longer than %d characters", id, MSGID_MAX);
		return -1;
	}
	at = strchr(id, '@');
	if (!at || strchr(at + 1, '@') || at == id || !at[1]) {
		strbuf_addf(why, "message id '%s' is not LEFT@RIGHT (one '@')", id);
		return -1;
	}
	if (only_dots(id, (size_t)(at - id)) || only_dots(at + 1, strlen(at + 1))) {
		strbuf_addf(why, "message id '%s' has a part that is only dots", id);
		return -1;
	}
	return 0;
}

int lore_parse_msgid(const char *spec, struct strbuf *id, struct strbuf *why)
{
	char *copy = xstrdup(spec);
	char *s = trim(copy);
	size_t len = strlen(s);
	int ret = -1;

	strbuf_reset(id);
	if (is_http_url(s)) {
		if (msgid_from_url(s, id, why))
			goto out;
	} else if (*s == '<') {
		if (len < 2 || s[len - 1] != '>') {
			strbuf_addf(why, "message id '%s' has no closing '>'", s);
			goto out;
		}
		strbuf_add(id, s + 1, len - 2);
	} else {
		strbuf_addstr(id, s);
	}
	if (check_msgid(id->buf, why))
		goto out;
	ret = 0;
out:
	if (ret)
		strbuf_reset(id);
	free(copy);
	return ret;
}

static void cache_path(struct strbuf *path, const char *cache_dir, const char *msgid)
{
	char hex[65];

	sha256_hex(msgid, strlen(msgid), hex);
	strbuf_addf(path, "%s/lore/%s.mbox", cache_dir, hex);
}

/*
 * Written through a temporary file and rename(2) (write_file_atomic), so
 * that an interrupted run never leaves half a thread where a later offline
 * run would take it for the whole one.
 */
static int cache_store(const char *path, const char *data, size_t len, struct strbuf *why)
{
	if (mkdir_parents(path)) {
		strbuf_addf(why, "cannot create the directory of '%s': %s", path, errstr());
		return -1;
	}
	if (write_file_atomic(path, data, len)) {
		strbuf_addf(why, "cannot write '%s': %s", path, errstr());
		return -1;
	}
	return 0;
}

/* The cache directory, its lore/ directory and the thread file are ours alone. */
static int cache_trusted(const char *path)
{
	struct strbuf dir = STRBUF_INIT, top = STRBUF_INIT;
	const char *slash = strrchr(path, '/');
	int ret;

	strbuf_add(&dir, path, slash ? (size_t)(slash - path) : 0);
	slash = strrchr(dir.buf, '/');
	strbuf_add(&top, dir.buf, slash ? (size_t)(slash - dir.buf) : 0);
	ret = (!top.len || !check_owned(top.buf, S_IFDIR, 1, "cache directory")) &&
	      !check_owned(dir.buf, S_IFDIR, 0, "lore cache") &&
	      !check_owned(path, S_IFREG, 0, "cached thread");
	strbuf_release(&dir);
	strbuf_release(&top);
	return ret;
}

/*
 * The server could not be asked: fall back to the cached copy if there is
 * one. Returns 0 when it was used, or -1 with an error printed.
 */
static int cache_fallback(const char *path, const char *url, const char *why,
			  struct strbuf *mbox)
{
	size_t orig = mbox->len;
	struct stat st;
	char date[64];

	if (!path || stat(path, &st))
		return error("lore: cannot fetch %s: %s", url, why);
	/* a thread another user could have written is no patch of ours */
	if (!cache_trusted(path))
		return error("lore: cannot fetch %s: %s", url, why);
	if (strbuf_read_file(mbox, path, LORE_MAX_MBOX)) {
		strbuf_setlen(mbox, orig);
		return error("lore: cannot fetch %s (%s) nor read the cached copy '%s': %s",
			     url, why, path, errstr());
	}
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M", localtime(&st.st_mtime));
	warning("cannot reach %s (%s): using the copy fetched on %s from %s",
		url, why, date, path);
	return 0;
}

static int thread_url(struct strbuf *url, const char *base_url, const char *msgid)
{
	if (!base_url || !*base_url)
		base_url = LORE_DEFAULT_URL;
	/* a typo in lore_url is the config's fault, not the network's */
	if (!is_http_url(base_url))
		return error("lore: archive URL '%s' is not http:// or https://", base_url);
	strbuf_addstr(url, base_url);
	while (url->len && url->buf[url->len - 1] == '/')
		strbuf_setlen(url, url->len - 1);
	strbuf_addch(url, '/');
	net_escape_segment(url, msgid);
	strbuf_addstr(url, "/t.mbox.gz");
	return 0;
}

/* The start of a body that is not what we asked for, fit for one line. */
static void describe_body(struct strbuf *out, const struct strbuf *body)
{
	size_t i;

	strbuf_addf(out, "%zu bytes", body->len);
	if (!body->len)
		return;
	strbuf_addstr(out, " starting '");
	for (i = 0; i < body->len && i < 40; i++) {
		unsigned char c = (unsigned char)body->buf[i];

		strbuf_addch(out, isprint(c) ? c : ' ');
	}
	strbuf_addch(out, '\'');
}

/* A 200 answer: its body must be the gzipped thread. */
static int take_body(const char *url, const struct strbuf *body, struct strbuf *mbox)
{
	struct strbuf why = STRBUF_INIT;
	int ret = 0;

	if (!is_gzip(body->buf, body->len)) {
		/* e.g. an HTML page from a proxy or a bot check */
		describe_body(&why, body);
		ret = error("lore: %s did not answer with a gzip file (%s)", url, why.buf);
	} else if (gunzip_buf(body->buf, body->len, mbox, LORE_MAX_MBOX, &why)) {
		ret = error("lore: %s: %s", url, why.buf);
	}
	strbuf_release(&why);
	return ret;
}

int lore_fetch(const char *msgid, const char *base_url, const char *cache_dir,
	       struct strbuf *mbox, int *infra)
{
	struct strbuf url = STRBUF_INIT, path = STRBUF_INIT;
	struct strbuf body = STRBUF_INIT, why = STRBUF_INIT;
	size_t orig = mbox->len;
	long status = 0;
	int ret = -1;

	*infra = 0;
	if (check_msgid(msgid, &why)) {
		error("lore: %s", why.buf);
		goto out;
	}
	if (thread_url(&url, base_url, msgid))
		goto out;
	if (cache_dir && *cache_dir)
		cache_path(&path, cache_dir, msgid);

	info("fetching %s", url.buf);
	if (net_get(url.buf, &body, &status, &why, LORE_MAX_GZ, 0) == 0 && status < 500)
		goto answered;
	/* a 5xx says as little about the id as a failed connection does */
	if (!why.len)
		strbuf_addf(&why, "HTTP %ld", status);
	if (cache_fallback(path.len ? path.buf : NULL, url.buf, why.buf, mbox))
		*infra = 1;
	else
		ret = 0;
	goto out;

answered:
	if (status == 404) {
		error("lore: no message <%s> at %s (HTTP 404)", msgid, url.buf);
		goto out;
	}
	if (status != 200) {
		error("lore: %s answered HTTP %ld", url.buf, status);
		goto out;
	}
	if (take_body(url.buf, &body, mbox))
		goto out;
	/* a thread grows with replies and new versions: keep the newest copy */
	strbuf_reset(&why);
	if (path.len && cache_store(path.buf, mbox->buf + orig, mbox->len - orig, &why))
		warning("lore: cannot cache the thread (%s); a later run needs the network",
			why.buf);
	ret = 0;
out:
	if (ret)
		strbuf_setlen(mbox, orig);
	strbuf_release(&url);
	strbuf_release(&path);
	strbuf_release(&body);
	strbuf_release(&why);
	return ret;
}
