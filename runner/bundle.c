// SPDX-License-Identifier: GPL-2.0-only
/*
 * The results bundle, JSON lines: written by the agent, read while it grows
 * by the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "runner/bundle.h"

int bundle_create(struct bundle_writer *w, const char *path)
{
	w->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (w->fd < 0)
		return error("cannot create the results bundle '%s': %s", path, errstr());
	w->path = xstrdup(path);
	return 0;
}

int bundle_put(struct bundle_writer *w, json_t *record)
{
	char *text = json_dumps(record, JSON_COMPACT | JSON_ENSURE_ASCII);
	struct strbuf line = STRBUF_INIT;
	int ret = 0;

	json_decref(record);
	if (!text)
		return error("cannot encode a bundle record");
	strbuf_addstr(&line, text);
	strbuf_addch(&line, '\n');
	free(text);
	/* one write per record: a reader never sees half of one unless we die mid-write */
	if (write_all(w->fd, line.buf, line.len) || fdatasync(w->fd))
		ret = error("cannot write the results bundle '%s': %s", w->path, errstr());
	strbuf_release(&line);
	return ret;
}

void bundle_close(struct bundle_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	free(w->path);
	w->path = NULL;
}

json_t *bundle_samples_json(const struct sample_set *set)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < set->nr; i++) {
		const struct sample *s = &set->v[i];
		json_t *value = s->available && isfinite(s->value) ? json_real(s->value) : json_null();

		json_array_append_new(a, json_pack("[s, o, s]", s->metric, value, s->unit));
	}
	return a;
}

int bundle_samples_parse(const json_t *array, struct sample_set *out, struct strbuf *why)
{
	const json_t *item;
	size_t i;

	if (!json_is_array(array)) {
		strbuf_addstr(why, "samples is not an array");
		return -1;
	}
	json_array_foreach(array, i, item) {
		const json_t *value = json_array_get(item, 1);
		const char *metric = json_string_value(json_array_get(item, 0));
		const char *unit = json_string_value(json_array_get(item, 2));

		if (!json_is_array(item) || json_array_size(item) != 3 || !metric || !*metric ||
		    !unit || !(json_is_number(value) || json_is_null(value))) {
			strbuf_addf(why, "sample %zu is not [metric, value, unit]", i);
			return -1;
		}
		if (json_is_null(value))
			sample_set_add_unavailable(out, metric, unit);
		else
			sample_set_add(out, metric, json_number_value(value), unit);
	}
	return 0;
}

void bundle_reader_init(struct bundle_reader *r, const char *path)
{
	r->path = xstrdup(path);
	r->offset = 0;
	r->line = 0;
	strbuf_init(&r->partial, 0);
}

static int dispatch_lines(struct bundle_reader *r, bundle_record_fn fn, void *data)
{
	char *start = r->partial.buf, *nl;
	int ret = 0;

	while (!ret && (nl = memchr(start, '\n', r->partial.buf + r->partial.len - start))) {
		json_error_t jerr;
		json_t *rec;

		*nl = '\0';
		r->line++;
		rec = json_loads(start, JSON_REJECT_DUPLICATES, &jerr);
		if (rec && !json_is_object(rec)) {
			json_decref(rec);
			rec = NULL;
		}
		ret = fn(rec, r->line, data);
		json_decref(rec);
		start = nl + 1;
	}
	strbuf_remove(&r->partial, 0, start - r->partial.buf);
	return ret;
}

int bundle_read_new(struct bundle_reader *r, bundle_record_fn fn, void *data)
{
	char buf[65536];
	ssize_t n;
	int fd, ret = 0;

	/* lines left over when a callback stopped the last read come first */
	ret = dispatch_lines(r, fn, data);
	if (ret)
		return ret;
	fd = open(r->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : error("cannot read '%s': %s", r->path, errstr());
	while (!ret && (n = pread(fd, buf, sizeof(buf), r->offset)) > 0) {
		r->offset += n;
		strbuf_add(&r->partial, buf, (size_t)n);
		ret = dispatch_lines(r, fn, data);
	}
	if (!ret && n < 0)
		ret = error("cannot read '%s': %s", r->path, errstr());
	close(fd);
	return ret;
}

void bundle_reader_release(struct bundle_reader *r)
{
	free(r->path);
	r->path = NULL;
	strbuf_release(&r->partial);
}
