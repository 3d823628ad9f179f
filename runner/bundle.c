// SPDX-License-Identifier: GPL-2.0-only
/*
 * The results bundle, JSON lines: written by the agent, read while it grows
 * by the host.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/log.h"
#include "common/untrusted.h"
#include "runner/bundle.h"
#include "runner/cost.h"

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

/* --- what the host accepts ------------------------------------------------ */

static const char *const metric_prefixes[] = {
	"fio.", "vmstat.", "pin.", "perf.", "dio.", "profile.", "count.", "cost.", "case.", NULL,
};

int bundle_metric_ok(const char *metric)
{
	size_t i, len = metric ? strlen(metric) : 0;
	const char *p = NULL;

	if (!len || len > BUNDLE_METRIC_MAX)
		return 0;
	for (i = 0; metric_prefixes[i] && !p; i++)
		if (starts_with(metric, metric_prefixes[i]))
			p = metric + strlen(metric_prefixes[i]);
	if (!p || !*p)
		return 0;
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) || !isascii((unsigned char)*p))
			if (!strchr("_.:@+-", *p))
				return 0;
	return 1;
}

int bundle_cost_rows_ok(enum bundle_boot kind, unsigned rep, const struct sample_set *s)
{
	size_t i;

	for (i = 0; i < s->nr; i++) {
		const char *m = s->v[i].metric, *u = s->v[i].unit;

		if (!starts_with(m, "cost."))
			continue;
		if (kind == BUNDLE_COUNT_PMU && rep > 0 && ends_with(u, ":" COST_SOURCE_PMU))
			continue;
		if (kind == BUNDLE_MEASURED && rep == 0 && !strcmp(m, "cost.pin_path_share_pct") &&
		    !strcmp(u, "%:" COST_SOURCE_PMU_SAMPLED))
			continue;
		return 0;
	}
	return 1;
}

int bundle_unit_ok(const char *unit)
{
	size_t len = unit ? strlen(unit) : 0;

	if (!len || len > BUNDLE_UNIT_MAX)
		return 0;
	for (; *unit; unit++)
		if (!isascii((unsigned char)*unit) ||
		    (!isalpha((unsigned char)*unit) && !strchr("%/:-", *unit)))
			return 0;
	return 1;
}

int bundle_text_ok(const char *text, size_t max)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t len = text ? strlen(text) : 0;

	if (!len || len > max)
		return 0;
	while (*s) {
		unsigned cp;
		size_t n = utf8_seq(s, &cp);

		if (!n || !utf8_printable(cp))
			return 0;
		s += n;
	}
	return 1;
}

void bundle_clean_text(struct strbuf *out, const char *text, size_t max)
{
	struct strbuf clean = STRBUF_INIT;
	size_t len = 0;

	strbuf_add_clean_line(&clean, text);
	/* cut before the first character that would pass max */
	while (len < clean.len) {
		unsigned cp;
		size_t n = utf8_seq((const unsigned char *)clean.buf + len, &cp);

		if (!n || len + n > max)
			break;
		len += n;
	}
	strbuf_add(out, clean.buf, len);
	strbuf_release(&clean);
}

json_t *bundle_samples_json(const struct sample_set *set, size_t *dropped)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < set->nr; i++) {
		const struct sample *s = &set->v[i];
		json_t *value = s->available && isfinite(s->value) ? json_real(s->value) : json_null();

		if (!bundle_metric_ok(s->metric) || !bundle_unit_ok(s->unit)) {
			json_decref(value);
			if (dropped)
				(*dropped)++;
			continue;
		}
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
	if (json_array_size(array) > BUNDLE_SAMPLES_MAX) {
		strbuf_addf(why, "%zu samples, more than %d", json_array_size(array),
			    BUNDLE_SAMPLES_MAX);
		return -1;
	}
	json_array_foreach(array, i, item) {
		const json_t *value = json_array_get(item, 1);
		const char *metric = json_string_value(json_array_get(item, 0));
		const char *unit = json_string_value(json_array_get(item, 2));
		struct strbuf esc = STRBUF_INIT;

		if (!json_is_array(item) || json_array_size(item) != 3 || !metric || !unit ||
		    !(json_is_number(value) || json_is_null(value))) {
			strbuf_addf(why, "sample %zu is not [metric, value, unit]", i);
			return -1;
		}
		if (!bundle_metric_ok(metric) || !bundle_unit_ok(unit)) {
			strbuf_addf(why, "sample %zu: '%s' ", i,
				    untrusted(&esc, bundle_metric_ok(metric) ? unit : metric));
			strbuf_addstr(why, bundle_metric_ok(metric) ? "is not a unit" :
				      "is not a metric name");
			strbuf_release(&esc);
			return -1;
		}
		if (json_is_number(value) && !isfinite(json_number_value(value))) {
			strbuf_addf(why, "sample %zu: %s is not a finite number", i, metric);
			return -1;
		}
		if (sample_set_find(out, metric)) {
			strbuf_addf(why, "sample %zu: %s comes twice", i, metric);
			return -1;
		}
		if (json_is_null(value))
			sample_set_add_unavailable(out, metric, unit);
		else
			sample_set_add(out, metric, json_number_value(value), unit);
	}
	return 0;
}

/* --- records ------------------------------------------------------------------ */

struct field {
	const char *key;
	char kind;	/* s: text, w: a word of the given set, j: job hash, i: integer, a: array,
			   n: text or null */
	int optional;
};

static const struct field hello_fields[] = {
	{ "t", 's', 0 }, { "release", 's', 0 }, { "version", 's', 1 }, { "boot", 'i', 0 },
	{ "devices", 'a', 1 }, { NULL, 0, 0 },
};
static const struct field rep_fields[] = {
	{ "t", 's', 0 }, { "job", 'j', 0 }, { "name", 's', 0 }, { "rep", 'i', 0 },
	{ "samples", 'a', 0 }, { NULL, 0, 0 },
};
static const struct field failed_fields[] = {
	{ "t", 's', 0 }, { "job", 'j', 0 }, { "name", 's', 0 }, { "rep", 'i', 0 },
	{ "message", 's', 0 }, { NULL, 0, 0 },
};
static const struct field flag_fields[] = {
	{ "t", 's', 0 }, { "job", 'j', 0 }, { "name", 's', 0 }, { "kind", 's', 0 },
	{ "message", 's', 0 }, { NULL, 0, 0 },
};
static const struct field end_fields[] = {
	{ "t", 's', 0 }, { "state", 's', 0 }, { "reason", 'n', 1 }, { "reps_done", 'i', 0 },
	{ "reps_failed", 'i', 0 }, { "marks", 'i', 1 }, { NULL, 0, 0 },
};
static const struct field probe_fields[] = {
	{ "t", 's', 0 }, { "path", 's', 0 }, { "result", 's', 0 }, { "entries", 'a', 1 },
	{ "files", 'i', 1 }, { NULL, 0, 0 },
};

static int refuse(struct strbuf *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int refuse(struct strbuf *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(why, fmt, ap);
	va_end(ap);
	return -1;
}

/* Exactly these fields, each of its JSON type; strings are valid text. */
static int check_fields(const json_t *rec, const struct field *fields, struct strbuf *why)
{
	const char *key;
	const json_t *v;
	const struct field *f;

	json_object_foreach((json_t *)rec, key, v) {
		struct strbuf esc = STRBUF_INIT;

		for (f = fields; f->key && strcmp(f->key, key); f++)
			;
		if (!f->key) {
			refuse(why, "unexpected field '%s'", untrusted(&esc, key));
			strbuf_release(&esc);
			return -1;
		}
		if (((f->kind == 's' || f->kind == 'j') && !json_is_string(v)) ||
		    (f->kind == 'n' && !json_is_string(v) && !json_is_null(v)) ||
		    (f->kind == 'i' && !json_is_integer(v)) || (f->kind == 'a' && !json_is_array(v)))
			return refuse(why, "field '%s' is not %s", key,
				      f->kind == 'i' ? "an integer" : f->kind == 'a' ? "an array" :
				      "a string");
		if (json_is_string(v) && !bundle_text_ok(json_string_value(v), BUNDLE_TEXT_MAX))
			return refuse(why, "field '%s' is empty, longer than %d bytes, not UTF-8 "
				      "or not printable", key, BUNDLE_TEXT_MAX);
	}
	for (f = fields; f->key; f++)
		if (!f->optional && !json_object_get(rec, f->key))
			return refuse(why, "field '%s' is missing", f->key);
	return 0;
}

static int check_int(const json_t *rec, const char *key, json_int_t min, json_int_t max,
		     struct strbuf *why)
{
	const json_t *v = json_object_get(rec, key);
	json_int_t n = json_integer_value(v);

	if (v && (n < min || n > max))
		return refuse(why, "%s %lld is not in %lld..%lld", key, (long long)n,
			      (long long)min, (long long)max);
	return 0;
}

static int check_word(const char *value, const char *const *words, const char *what,
		      struct strbuf *why)
{
	struct strbuf esc = STRBUF_INIT;

	for (; *words; words++)
		if (!strcmp(value, *words))
			return 0;
	refuse(why, "%s '%s' is not one of ours", what, untrusted(&esc, value));
	strbuf_release(&esc);
	return -1;
}

static int check_job(const json_t *rec, const struct bundle_expect *x, struct strbuf *why);

static int check_text_max(const json_t *rec, const char *key, size_t max, struct strbuf *why)
{
	const char *v = json_string_value(json_object_get(rec, key));

	if (v && strlen(v) > max)
		return refuse(why, "field '%s' is longer than %zu bytes", key, max);
	return 0;
}

/* An array of at most max strings, each valid text of at most len bytes. */
static int check_strings(const json_t *a, const char *what, size_t max, size_t len,
			 struct strbuf *why)
{
	const json_t *item;
	size_t i;

	if (!a)
		return 0;
	if (json_array_size(a) > max)
		return refuse(why, "%s: more than %zu", what, max);
	json_array_foreach(a, i, item)
		if (!bundle_text_ok(json_string_value(item), len))
			return refuse(why, "%s[%zu] is not a string of printable UTF-8 up to %zu "
				      "bytes", what, i, len);
	return 0;
}

static int check_devices(const json_t *a, struct strbuf *why)
{
	static const struct field device_fields[] = {
		{ "name", 's', 0 }, { "path", 's', 0 }, { "model", 's', 0 }, { "serial", 's', 0 },
		{ NULL, 0, 0 },
	};
	const json_t *item;
	size_t i;

	if (json_array_size(a) > 64)
		return refuse(why, "more than 64 devices");
	json_array_foreach(a, i, item) {
		if (!json_is_object(item))
			return refuse(why, "devices[%zu] is not an object", i);
		if (check_fields(item, device_fields, why) ||
		    check_text_max(item, "name", 256, why) || check_text_max(item, "path", 256, why) ||
		    check_text_max(item, "model", 256, why) ||
		    check_text_max(item, "serial", 256, why))
			return refuse(why, " (devices[%zu])", i);
	}
	return 0;
}

static int check_hello(const json_t *rec, const struct bundle_expect *x, struct strbuf *why)
{
	const char *release = json_string_value(json_object_get(rec, "release"));
	struct strbuf esc = STRBUF_INIT;
	size_t i;

	for (i = 0; release[i]; i++)
		if (!isascii((unsigned char)release[i]) ||
		    (!isalnum((unsigned char)release[i]) && !strchr("._+~-", release[i])))
			break;
	if (release[i] || i > 64 || (x->release && strcmp(release, x->release))) {
		refuse(why, "the guest runs kernel '%s', not %s", untrusted(&esc, release),
		       x->release ? x->release : "a kernel release");
		strbuf_release(&esc);
		return -1;
	}
	if (check_text_max(rec, "version", 512, why) ||
	    check_int(rec, "boot", x->boot, x->boot, why))
		return -1;
	return json_object_get(rec, "devices") ? check_devices(json_object_get(rec, "devices"), why)
					       : 0;
}

static int check_rep(const json_t *rec, const struct bundle_expect *x, int failed,
		     struct strbuf *why)
{
	json_int_t rep = json_integer_value(json_object_get(rec, "rep"));
	struct sample_set set = SAMPLE_SET_INIT;
	int ret;

	if (check_job(rec, x, why))
		return -1;
	/* repetition 0 holds the one-off passes: one boot runs them, and they never fail alone */
	if (!(rep == 0 && x->one_off && !failed) &&
	    check_int(rec, "rep", x->first_rep, x->last_rep, why))
		return refuse(why, " (this boot runs repetitions %u..%u%s)", x->first_rep,
			      x->last_rep, x->one_off && !failed ? " and 0" : "");
	if (failed)
		return 0;
	ret = bundle_samples_parse(json_object_get(rec, "samples"), &set, why);
	sample_set_clear(&set);
	return ret;
}

static int check_flag(const json_t *rec, const struct bundle_expect *x, struct strbuf *why)
{
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	size_t i;

	if (check_job(rec, x, why))
		return -1;
	for (i = 0; kind[i]; i++)
		if (!(islower((unsigned char)kind[i]) || kind[i] == '_' ||
		      (i && isdigit((unsigned char)kind[i]))))
			break;
	if (kind[i] || i > 32 || !islower((unsigned char)kind[0])) {
		struct strbuf esc = STRBUF_INIT;

		refuse(why, "flag kind '%s' is not a lower-case word", untrusted(&esc, kind));
		strbuf_release(&esc);
		return -1;
	}
	return 0;
}

static int check_end(const json_t *rec, struct strbuf *why)
{
	static const char *const states[] = { "done", "failed", "interrupted", NULL };

	if (check_word(json_string_value(json_object_get(rec, "state")), states, "end state", why))
		return -1;
	if (json_object_get(rec, "marks") && check_int(rec, "marks", 0, 100000000, why))
		return -1;
	return check_int(rec, "reps_done", 0, 10000000, why) ||
	       check_int(rec, "reps_failed", 0, 10000000, why) ? -1 : 0;
}

static int check_probe(const json_t *rec, const struct bundle_expect *x, struct strbuf *why)
{
	const char *path = json_string_value(json_object_get(rec, "path"));

	if (!x->probes || !strvec_contains(x->probes, path)) {
		struct strbuf esc = STRBUF_INIT;

		refuse(why, "nobody asked to probe '%s'", untrusted(&esc, path));
		strbuf_release(&esc);
		return -1;
	}
	if (check_text_max(rec, "result", 256, why) ||
	    check_strings(json_object_get(rec, "entries"), "entries", 256, 255, why))
		return -1;
	return check_int(rec, "files", 0, 1000000000, why);
}

int bundle_check_record(const json_t *rec, const struct bundle_expect *x, struct strbuf *why)
{
	static const char *const types[] = { "hello", "rep", "failed", "flag", "end", "probe", NULL };
	static const struct field *const fields[] = {
		hello_fields, rep_fields, failed_fields, flag_fields, end_fields, probe_fields,
	};
	const char *type = json_string_value(json_object_get(rec, "t"));
	size_t i;

	if (!json_is_object(rec))
		return refuse(why, "not a JSON object");
	if (!type)
		return refuse(why, "no record type");
	for (i = 0; types[i] && strcmp(types[i], type); i++)
		;
	if (!types[i]) {
		struct strbuf esc = STRBUF_INIT;

		refuse(why, "unknown record type '%s'", untrusted(&esc, type));
		strbuf_release(&esc);
		return -1;
	}
	if (check_fields(rec, fields[i], why))
		return refuse(why, " in a %s record", type);
	switch (i) {
	case 0: return check_hello(rec, x, why);
	case 1: return check_rep(rec, x, 0, why);
	case 2: return check_rep(rec, x, 1, why);
	case 3: return check_flag(rec, x, why);
	case 4: return check_end(rec, why);
	default: return check_probe(rec, x, why);
	}
}

const char *bundle_order_take(struct bundle_order *o, const char *type)
{
	if (o->ended)
		return "a record after the end record";
	if (!strcmp(type, "hello")) {
		if (o->hello)
			return "a second hello";
		o->hello = 1;
		return NULL;
	}
	if (!o->hello)
		return "a record before the hello";
	o->ended = !strcmp(type, "end");
	return NULL;
}

static int check_job(const json_t *rec, const struct bundle_expect *x, struct strbuf *why)
{
	const char *hash = json_string_value(json_object_get(rec, "job"));
	size_t i;

	for (i = 0; hash[i]; i++)
		if (!isxdigit((unsigned char)hash[i]) || isupper((unsigned char)hash[i]))
			break;
	if (i != 16 || hash[i] || !x->job_known || !x->job_known(hash, x->data)) {
		struct strbuf esc = STRBUF_INIT;

		refuse(why, "job '%s' is not one of the plan's", untrusted(&esc, hash));
		strbuf_release(&esc);
		return -1;
	}
	return check_text_max(rec, "name", 256, why);
}
void bundle_reader_init(struct bundle_reader *r, const char *path)
{
	r->path = xstrdup(path);
	r->offset = 0;
	r->line = 0;
	r->skipping = 0;
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
	/* a line without end must not grow without bound: refuse it, skip the rest of it */
	if (!ret && r->partial.len > BUNDLE_LINE_MAX) {
		strbuf_reset(&r->partial);
		r->skipping = 1;
		ret = fn(NULL, ++r->line, data);
	}
	return ret;
}

/* Keep what comes after the end of a line being skipped. */
static void add_data(struct bundle_reader *r, const char *buf, size_t n)
{
	const char *nl;

	if (r->skipping) {
		nl = memchr(buf, '\n', n);
		if (!nl)
			return;
		r->skipping = 0;
		n -= (size_t)(nl + 1 - buf);
		buf = nl + 1;
	}
	strbuf_add(&r->partial, buf, n);
}

int bundle_read_new(struct bundle_reader *r, bundle_record_fn fn, void *data)
{
	char buf[65536];
	struct stat st;
	ssize_t n = 0;
	int fd, ret = 0;

	/* lines left over when a callback stopped the last read come first */
	ret = dispatch_lines(r, fn, data);
	if (ret)
		return ret;
	/* the guest writes the directory: it could leave a symlink or a FIFO here */
	fd = open(r->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? 0 : error("cannot read '%s': %s", r->path, errstr());
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return error("the results bundle '%s' is not a regular file", r->path);
	}
	while (!ret && (n = pread(fd, buf, sizeof(buf), r->offset)) > 0) {
		r->offset += n;
		add_data(r, buf, (size_t)n);
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
