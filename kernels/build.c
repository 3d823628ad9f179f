// SPDX-License-Identifier: GPL-2.0-only
/*
 * kernel_build(): source -> patches -> .config -> bzImage, into the
 * content-addressed artifact cache described in build.h.
 */
#include "kernels/build.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/spawn.h"
#include "db/db.h"
#include "kernels/kconfig.h"
#include "kernels/source.h"

/* Bump when the way a kernel is built changes, so old artifacts are not reused. */
#define BUILD_RECIPE "pinbench kernel build 1: x86_64 bzImage, KBUILD_BUILD_* fixed"

/* Fixed so that the same inputs give the same kernel (uname -v included). */
static const char *const build_env[] = {
	"KBUILD_BUILD_TIMESTAMP=Thu Jan  1 00:00:00 UTC 1970",
	"KBUILD_BUILD_USER=pinbench",
	"KBUILD_BUILD_HOST=pinbench",
	"KBUILD_BUILD_VERSION=1",
	"LC_ALL=C",
	NULL
};

/* What the artifact keeps, from the object directory. */
static const struct {
	const char *from, *to;
	int required;
} artifact_files[] = {
	{ "arch/x86/boot/bzImage", "bzImage", 1 },
	{ ".config", "config", 1 },
	{ "System.map", "System.map", 1 },
	/* the uncompressed kernel boots through its PVH entry without decompressing */
	{ "vmlinux", "vmlinux", 0 },
};

struct build_state {
	const struct kernel_request *req;
	const struct kernel_build_opts *opts;
	struct kernel_artifact *out;
	struct db *db;
	long long build_id;
	struct source src;
	struct strvec fragments;	/* resolved paths */
	struct strbuf frag_text;	/* all fragments, for the key */
	struct strbuf compiler;
	struct strvec make_args;	/* CC=..., shared by configure and build */
	char config_id[17];
	char *objdir;
	char *staging;
	char *log_path;
	int log_fd;
	int lock_fd;
	double started;
};

/* --- progress -------------------------------------------------------------- */

struct progress {
	const char *name;
	const char *stage;
	double started, last_print;
	long long objects;
	struct strbuf partial;		/* an incomplete line of make's output */
	int log_fd;
	int tty, enabled, printed;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress_print(struct progress *p, int force)
{
	double t = now_s(), elapsed = t - p->started;

	if (!p->enabled)
		return;
	/* a terminal gets a live line; a log file one line every 30 s */
	if (!force && t - p->last_print < (p->tty ? 1.0 : 30.0))
		return;
	p->last_print = t;
	fprintf(stderr, "%s%s: %s", p->tty ? "\r" : "", p->name, p->stage);
	if (p->objects || !strcmp(p->stage, "compiling"))
		fprintf(stderr, ", %lld objects compiled", p->objects);
	fprintf(stderr, ", %dm%02ds%s", (int)elapsed / 60, (int)elapsed % 60,
		p->tty ? "\033[K" : "\n");
	p->printed = 1;
	fflush(stderr);
}

static void progress_done(struct progress *p)
{
	if (p->enabled && p->tty && p->printed)
		fputc('\n', stderr);
	p->printed = 0;
}

/* Kbuild's quiet lines: "  CC      fs/direct-io.o", "  AS      arch/x86/..." */
static void count_line(struct progress *p, const char *line, size_t len)
{
	if (len > 5 && (!strncmp(line, "  CC ", 5) || !strncmp(line, "  AS ", 5)))
		p->objects++;
}

static void on_make_output(const char *buf, size_t len, void *data)
{
	struct progress *p = data;
	size_t i, start = 0;
	/* a short write loses log text, not the build: the log is only for people */
	write_all(p->log_fd, buf, len);
	for (i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (p->partial.len) {
			strbuf_add(&p->partial, buf + start, i - start);
			count_line(p, p->partial.buf, p->partial.len);
			strbuf_reset(&p->partial);
		} else {
			count_line(p, buf + start, i - start);
		}
		start = i + 1;
	}
	if (start < len && p->partial.len < 4096)
		strbuf_add(&p->partial, buf + start, len - start);
}

static void on_make_tick(void *data)
{
	progress_print(data, 0);
}

/* --- inputs and the key ------------------------------------------------------ */

static int load_patches(struct build_state *bs)
{
	struct patch_source_opts popts = { bs->opts->lore_url, bs->opts->cache_dir };
	struct kernel_artifact *out = bs->out;
	size_t i;

	for (i = 0; i < bs->req->patches->nr; i++) {
		struct patch cover;
		int infra = 0;

		memset(&cover, 0, sizeof(cover));
		if (patch_load(bs->req->patches->v[i], &popts, &out->patches, &cover, &infra)) {
			patch_release(&cover);
			return infra ? KBUILD_ERR_INFRA : KBUILD_ERR_INPUT;
		}
		/* the first series' cover letter is the thread a report replies to */
		if (cover.message_id && !out->cover.message_id)
			out->cover = cover;
		else
			patch_release(&cover);
	}
	return 0;
}

static int load_fragments(struct build_state *bs)
{
	struct strbuf text = STRBUF_INIT;
	size_t i;

	for (i = 0; i < bs->req->configs->nr; i++) {
		const char *path = bs->req->configs->v[i];
		char *real = realpath(path, NULL);

		strbuf_reset(&text);
		if (!real || strbuf_read_file(&text, real, 1 << 20)) {
			error("kernel '%s': cannot read config fragment '%s': %s", bs->req->name,
			      path, errstr());
			free(real);
			strbuf_release(&text);
			return KBUILD_ERR_INPUT;
		}
		strvec_push(&bs->fragments, real);
		free(real);
		/* the bytes count, not the path: moving a fragment must not rebuild */
		strbuf_addf(&bs->frag_text, "fragment %zu\n", i);
		strbuf_add(&bs->frag_text, text.buf, text.len);
		strbuf_addch(&bs->frag_text, '\n');
	}
	strbuf_release(&text);
	return 0;
}

static int find_compiler(struct build_state *bs)
{
	struct child c = CHILD_INIT;
	struct strbuf path = STRBUF_INIT;

	strvec_pushv(&c.args, (const char *const[]){ "gcc", "--version", NULL });
	c.flags = SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	if (spawn_run(&c) || c.status) {
		child_release(&c);
		return error("cannot run gcc --version: install build-essential "
			     "(apt-get install build-essential flex bison bc libelf-dev libssl-dev)");
	}
	strbuf_add(&bs->compiler, c.out.buf, strcspn(c.out.buf, "\n"));
	child_release(&c);
	if (bs->opts->ccache && spawn_find_program("ccache", &path))
		strvec_push(&bs->make_args, "CC=ccache gcc");
	strbuf_release(&path);
	return 0;
}

static void compute_key(struct build_state *bs)
{
	struct kernel_artifact *out = bs->out;
	struct sha256 *h = sha256_begin();
	char hex[65];
	size_t i;

	sha256_addstr(h, BUILD_RECIPE);
	sha256_addstr(h, bs->src.identity);
	sha256_addstr(h, bs->req->base);
	sha256_addstr(h, bs->frag_text.buf);
	sha256_addstr(h, bs->compiler.buf);
	for (i = 0; i < out->patches.nr; i++)
		sha256_addstr(h, out->patches.v[i].sha);
	sha256_finish(h, out->key);

	/*
	 * Objects are shared by every build of this source with these fragments
	 * and make arguments: Kbuild rebuilds every object whose command line
	 * changed, so turning ccache on or off must not share a directory.
	 */
	h = sha256_begin();
	sha256_addstr(h, bs->req->base);
	sha256_addstr(h, bs->frag_text.buf);
	sha256_addstr(h, bs->compiler.buf);
	for (i = 0; i < bs->make_args.nr; i++)
		sha256_addstr(h, bs->make_args.v[i]);
	sha256_finish(h, hex);
	memcpy(bs->config_id, hex, 16);
	bs->config_id[16] = '\0';
}

static char *cache_path(const struct build_state *bs, const char *fmt, const char *arg)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s/", bs->opts->cache_dir);
	strbuf_addf(&sb, fmt, arg);
	return strbuf_detach(&sb, NULL);
}

/* --- the artifact cache ------------------------------------------------------- */

static int read_manifest(struct kernel_artifact *out)
{
	struct strbuf path = STRBUF_INIT;
	json_error_t jerr;
	json_t *m;
	const char *s;

	strbuf_addf(&path, "%s/manifest.json", out->dir);
	m = json_load_file(path.buf, 0, &jerr);
	strbuf_release(&path);
	if (!m)
		return -1;
	s = json_string_value(json_object_get(m, "release"));
	out->release = xstrdup(s ? s : "");
	s = json_string_value(json_object_get(m, "config_sha256"));
	snprintf(out->config_sha, sizeof(out->config_sha), "%s", s ? s : "");
	out->seconds = json_number_value(json_object_get(m, "build_seconds"));
	out->size = json_integer_value(json_object_get(m, "bzimage_bytes"));
	json_decref(m);
	return 0;
}

/* A complete artifact: the directory (renamed into place last) with its manifest. */
static int lookup_artifact(struct build_state *bs)
{
	struct kernel_artifact *out = bs->out;
	struct strbuf bz = STRBUF_INIT;

	free(out->dir);
	out->dir = cache_path(bs, "artifacts/%s", out->key);
	strbuf_addf(&bz, "%s/bzImage", out->dir);
	free(out->bzimage);
	out->bzimage = strbuf_detach(&bz, NULL);
	out->present = path_exists(out->bzimage) && !read_manifest(out);
	return out->present;
}

static json_t *manifest_json(struct build_state *bs, double seconds)
{
	const struct kernel_artifact *out = bs->out;
	json_t *m = json_object(), *patches = json_array(), *frags = json_array();
	size_t i;

	for (i = 0; i < out->patches.nr; i++) {
		const struct patch *p = &out->patches.v[i];

		json_array_append_new(patches, json_pack("{s:s, s:s, s:s, s:s, s:s}",
			"subject", p->subject, "author", p->author,
			"message_id", p->message_id ? p->message_id : "",
			"sha256", p->sha, "origin", p->origin));
	}
	for (i = 0; i < bs->fragments.nr; i++)
		json_array_append_new(frags, json_string(bs->fragments.v[i]));
	json_object_set_new(m, "name", json_string(bs->req->name));
	json_object_set_new(m, "key", json_string(out->key));
	json_object_set_new(m, "source", json_string(bs->req->source));
	json_object_set_new(m, "source_identity", json_string(bs->src.identity));
	json_object_set_new(m, "base", json_string(bs->req->base));
	json_object_set_new(m, "configs", frags);
	json_object_set_new(m, "patches", patches);
	if (out->cover.message_id)
		json_object_set_new(m, "cover_letter", json_pack("{s:s, s:s}",
			"subject", out->cover.subject, "message_id", out->cover.message_id));
	json_object_set_new(m, "compiler", json_string(bs->compiler.buf));
	json_object_set_new(m, "release", json_string(out->release ? out->release : ""));
	json_object_set_new(m, "config_sha256", json_string(out->config_sha));
	json_object_set_new(m, "build_seconds", json_real(seconds));
	json_object_set_new(m, "objects_compiled", json_integer(out->objects));
	json_object_set_new(m, "bzimage_bytes", json_integer(out->size));
	json_object_set_new(m, "recipe", json_string(BUILD_RECIPE));
	return m;
}

/* --- recording ------------------------------------------------------------------ */

static int record_begin(struct build_state *bs, int cached)
{
	const struct kernel_artifact *out = bs->out;
	char *configs;
	size_t i;
	struct db_build b = {
		.name = bs->req->name, .key = out->key, .source = bs->req->source,
		.identity = bs->src.identity, .base = bs->req->base, .cached = cached,
	};
	int ret;

	if (!bs->db)
		return 0;
	configs = strvec_join(&bs->fragments, " ");
	b.configs = configs;
	ret = db_build_begin(bs->db, &b, &bs->build_id);
	free(configs);
	if (ret)
		return ret;
	if (out->cover.message_id) {
		struct db_build_patch p = { 0, out->cover.subject, out->cover.author,
					    out->cover.message_id, out->cover.in_reply_to,
					    out->cover.sha, out->cover.origin,
					    out->cover.recipients };

		if (db_build_add_patch(bs->db, bs->build_id, &p))
			return -1;
	}
	for (i = 0; i < out->patches.nr; i++) {
		const struct patch *q = &out->patches.v[i];
		struct db_build_patch p = { (int)i + 1, q->subject, q->author, q->message_id,
					    q->in_reply_to, q->sha, q->origin, q->recipients };

		if (db_build_add_patch(bs->db, bs->build_id, &p))
			return -1;
	}
	return 0;
}

static void record_finish(struct build_state *bs, const char *state, const char *reason,
			  double seconds)
{
	const struct kernel_artifact *out = bs->out;
	struct db_build_result r = {
		.state = state, .reason = reason, .version = out->release,
		.config_sha = out->config_sha[0] ? out->config_sha : NULL,
		.artifact = out->present ? out->dir : NULL, .log = bs->log_path,
		.objects = out->objects, .seconds = seconds, .size = out->size,
	};

	if (bs->db && bs->build_id)
		db_build_finish(bs->db, bs->build_id, &r);
}

/* --- building ----------------------------------------------------------------- */

static int take_lock(struct build_state *bs)
{
	char *path = source_lock_path(&bs->src);

	if (mkdir_parents(path)) {
		error("cannot create the lock directory for '%s': %s", path, errstr());
		free(path);
		return -1;
	}
	bs->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (bs->lock_fd < 0) {
		error("cannot open lock '%s': %s", path, errstr());
		free(path);
		return -1;
	}
	if (flock(bs->lock_fd, LOCK_EX | LOCK_NB)) {
		info("%s: waiting for another pinbench building from %s (lock %s)",
		     bs->req->name, bs->src.tree, path);
		while (flock(bs->lock_fd, LOCK_EX)) {
			if (errno != EINTR || spawn_interrupted()) {
				error("cannot lock '%s': %s", path, errstr());
				free(path);
				return -1;
			}
		}
	}
	free(path);
	return 0;
}

static int open_staging(struct build_state *bs)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s/artifacts/.staging-%s-%d", bs->opts->cache_dir, bs->out->key,
		    (int)getpid());
	bs->staging = strbuf_detach(&sb, NULL);
	remove_tree(bs->staging);
	if (mkdir_p(bs->staging))
		return error("cannot create '%s': %s", bs->staging, errstr());
	strbuf_addf(&sb, "%s/build.log", bs->staging);
	bs->log_path = strbuf_detach(&sb, NULL);
	bs->log_fd = open(bs->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (bs->log_fd < 0)
		return error("cannot create '%s': %s", bs->log_path, errstr());
	return 0;
}

/*
 * The configure step is skipped when the object directory already holds the
 * .config of these fragments and no patch touches a Kconfig file: then make
 * has nothing new to learn and only the patched files are recompiled.
 */
static void configure_stamp(struct build_state *bs, char out[65])
{
	struct sha256 *h = sha256_begin();
	size_t i;

	sha256_addstr(h, bs->src.identity);
	sha256_addstr(h, bs->config_id);
	for (i = 0; i < bs->out->patches.nr; i++) {
		const struct patch *p = &bs->out->patches.v[i];

		if (strstr(p->text.buf, "/Kconfig"))
			sha256_addstr(h, p->sha);
	}
	sha256_finish(h, out);
}

static int configure(struct build_state *bs, struct progress *pr)
{
	struct strbuf stamp_path = STRBUF_INIT, old = STRBUF_INIT, dotconfig = STRBUF_INIT;
	char stamp[65];
	int ret;

	configure_stamp(bs, stamp);
	strbuf_addf(&stamp_path, "%s/.pinbench-config-stamp", bs->objdir);
	strbuf_addf(&dotconfig, "%s/.config", bs->objdir);
	if (!strbuf_read_file(&old, stamp_path.buf, 4096) && !strcmp(old.buf, stamp) &&
	    path_exists(dotconfig.buf)) {
		dprintf(bs->log_fd, "+ .config of these fragments is in place (%s)\n", stamp);
		ret = 0;
		goto out;
	}
	unlink(stamp_path.buf);
	pr->stage = "configuring";
	progress_print(pr, 1);
	ret = kconfig_configure(bs->src.tree, bs->objdir, bs->req->base, &bs->fragments,
				&bs->make_args, bs->log_fd);
	if (ret > 0) {
		error("kernel '%s': config fragment lines did not land in .config "
		      "(see above; merge_config.sh drops them silently)", bs->req->name);
		ret = KBUILD_ERR_INPUT;
	} else if (ret < 0) {
		ret = spawn_interrupted() ? KBUILD_ERR_INTERRUPTED : KBUILD_ERR_INFRA;
	} else if (write_file_atomic(stamp_path.buf, stamp, strlen(stamp))) {
		ret = (error("cannot write '%s': %s", stamp_path.buf, errstr()), KBUILD_ERR_INFRA);
	}
out:
	strbuf_release(&stamp_path);
	strbuf_release(&old);
	strbuf_release(&dotconfig);
	return ret;
}

static void make_child(struct build_state *bs, struct child *c, const char *target)
{
	unsigned jobs = bs->opts->jobs ? bs->opts->jobs : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);

	strvec_pushv(&c->args, (const char *const[]){ "make", "-C", bs->src.tree, NULL });
	strvec_pushf(&c->args, "O=%s", bs->objdir);
	strvec_pushf(&c->args, "-j%u", jobs ? jobs : 1);
	strvec_pushv(&c->args, (const char *const *)bs->make_args.v);
	strvec_push(&c->args, target);
	strvec_pushv(&c->env, build_env);
}

static int kernelrelease(struct build_state *bs)
{
	struct child c = CHILD_INIT;

	make_child(bs, &c, "kernelrelease");
	strvec_push(&c.args, "-s");
	c.flags = SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	if (spawn_run(&c) || c.status) {
		child_release(&c);
		return error("make kernelrelease failed");
	}
	strbuf_rtrim(&c.out);
	/* make -C prints "make: Entering directory": take the last line */
	bs->out->release = xstrdup(strrchr(c.out.buf, '\n') ? strrchr(c.out.buf, '\n') + 1 :
							      c.out.buf);
	child_release(&c);
	return 0;
}

static void print_failure(struct build_state *bs)
{
	struct strbuf log = STRBUF_INIT, first = STRBUF_INIT;
	const char *p;
	int lines = 0;

	if (strbuf_read_file(&log, bs->log_path, 256 << 20))
		return;
	if (kernel_log_first_error(log.buf, &first))
		error("first error: %s", first.buf);
	strbuf_rtrim(&log);
	for (p = log.buf + log.len; p > log.buf && lines < 30; p--)
		if (p[-1] == '\n')
			lines++;
	fprintf(stderr, "--- last %d lines of the build log ---\n%s\n---\n", lines, p);
	strbuf_release(&log);
	strbuf_release(&first);
}

static int compile(struct build_state *bs, struct progress *pr)
{
	struct child c = CHILD_INIT;
	struct strbuf how = STRBUF_INIT;
	int ret = 0;

	pr->stage = "compiling";
	progress_print(pr, 1);
	make_child(bs, &c, "bzImage");
	{
		char *cmd = strvec_join(&c.args, " ");

		dprintf(bs->log_fd, "+ %s\n", cmd);
		free(cmd);
	}
	c.flags = SPAWN_CAPTURE_STDOUT | SPAWN_STDERR_TO_STDOUT;
	c.on_output = on_make_output;
	c.on_tick = on_make_tick;
	c.cb_data = pr;
	if (spawn_run(&c)) {
		ret = error("cannot run make: %s (apt-get install build-essential)", errstr());
		ret = KBUILD_ERR_INFRA;
	} else if (c.interrupted) {
		ret = KBUILD_ERR_INTERRUPTED;
	} else if (c.status) {
		spawn_describe(&c, &how);
		progress_done(pr);
		error("kernel '%s': make bzImage failed (%s)", bs->req->name, how.buf);
		print_failure(bs);
		ret = KBUILD_ERR_INFRA;
	} else {
		progress_print(pr, 1);
	}
	progress_done(pr);
	bs->out->objects = pr->objects;
	child_release(&c);
	strbuf_release(&how);
	return ret;
}

static int collect(struct build_state *bs, double seconds)
{
	struct kernel_artifact *out = bs->out;
	struct strbuf from = STRBUF_INIT, to = STRBUF_INIT, text = STRBUF_INIT;
	struct stat st;
	json_t *m;
	size_t i;
	int ret = KBUILD_ERR_INFRA;

	for (i = 0; i < sizeof(artifact_files) / sizeof(artifact_files[0]); i++) {
		strbuf_reset(&from);
		strbuf_reset(&to);
		strbuf_addf(&from, "%s/%s", bs->objdir, artifact_files[i].from);
		strbuf_addf(&to, "%s/%s", bs->staging, artifact_files[i].to);
		if (!artifact_files[i].required && !path_exists(from.buf))
			continue;
		if (copy_file(from.buf, to.buf, 0644)) {
			error("cannot copy '%s' into the cache: %s", from.buf, errstr());
			goto out;
		}
	}
	strbuf_reset(&to);
	strbuf_addf(&to, "%s/config", bs->staging);
	if (strbuf_read_file(&text, to.buf, 16 << 20))
		goto out;
	sha256_hex(text.buf, text.len, out->config_sha);
	strbuf_reset(&to);
	strbuf_addf(&to, "%s/bzImage", bs->staging);
	out->size = stat(to.buf, &st) ? -1 : (long long)st.st_size;

	m = manifest_json(bs, seconds);
	strbuf_reset(&to);
	strbuf_addf(&to, "%s/manifest.json", bs->staging);
	if (json_dump_file(m, to.buf, JSON_INDENT(2) | JSON_SORT_KEYS)) {
		json_decref(m);
		error("cannot write '%s'", to.buf);
		goto out;
	}
	json_decref(m);
	/* the rename is what makes the artifact exist: all or nothing */
	remove_tree(out->dir);
	if (mkdir_parents(out->dir) || rename(bs->staging, out->dir)) {
		error("cannot move the artifact into '%s': %s", out->dir, errstr());
		goto out;
	}
	free(bs->log_path);
	strbuf_reset(&to);
	strbuf_addf(&to, "%s/build.log", out->dir);
	bs->log_path = strbuf_detach(&to, NULL);
	out->present = 1;
	ret = 0;
out:
	strbuf_release(&from);
	strbuf_release(&to);
	strbuf_release(&text);
	return ret;
}

/* Keep a failed build's log where nobody takes it for an artifact. */
/* A failed build's reason, with the log's first error when it has one (a nightly's record). */
static void failure_reason(const struct build_state *bs, int ret, struct strbuf *out)
{
	struct strbuf log = STRBUF_INIT, first = STRBUF_INIT;

	if (ret == KBUILD_ERR_INTERRUPTED) {
		strbuf_addstr(out, "interrupted");
		return;
	}
	strbuf_addstr(out, ret == KBUILD_ERR_INPUT ? "bad input" : "build failed");
	if (bs->log_path && !strbuf_read_file(&log, bs->log_path, 256 << 20) &&
	    kernel_log_first_error(log.buf, &first))
		strbuf_addf(out, ": %s", first.buf);
	else
		strbuf_addstr(out, " (see the log)");
	strbuf_release(&log);
	strbuf_release(&first);
}

static void keep_failed(struct build_state *bs)
{
	char *dir = cache_path(bs, "failed/%s", bs->out->key);
	struct strbuf sb = STRBUF_INIT;

	remove_tree(dir);
	if (!mkdir_parents(dir) && !rename(bs->staging, dir)) {
		free(bs->log_path);
		strbuf_addf(&sb, "%s/build.log", dir);
		bs->log_path = strbuf_detach(&sb, NULL);
		/* whatever --quiet says: without the log a failure cannot be looked into */
		fprintf(stderr, "pinbench: the full build log is kept in %s\n", bs->log_path);
	}
	free(dir);
}

static int apply_patches(struct build_state *bs, struct progress *pr)
{
	size_t i;

	if (!bs->out->patches.nr)
		return 0;
	pr->stage = "patching";
	progress_print(pr, 1);
	for (i = 0; i < bs->out->patches.nr; i++) {
		const struct patch *p = &bs->out->patches.v[i];

		dprintf(bs->log_fd, "+ apply %s (%s)\n", p->origin, p->subject);
		if (source_apply(&bs->src, p, bs->staging)) {
			progress_done(pr);
			return KBUILD_ERR_INPUT;
		}
	}
	return 0;
}

static int build_locked(struct build_state *bs)
{
	struct progress pr = { .name = bs->req->name, .stage = "preparing the source",
			       .started = now_s(), .partial = STRBUF_INIT,
			       .tty = isatty(2), .enabled = bs->opts->progress };
	int ret;

	if (open_staging(bs))
		return KBUILD_ERR_INFRA;
	pr.log_fd = bs->log_fd;
	dprintf(bs->log_fd, "pinbench: building '%s' (key %s)\nsource: %s\ncompiler: %s\n",
		bs->req->name, bs->out->key, bs->src.identity, bs->compiler.buf);
	if (record_begin(bs, 0)) {
		ret = KBUILD_ERR_INFRA;
		goto out;
	}
	progress_print(&pr, 1);
	if (source_prepare(&bs->src)) {
		ret = KBUILD_ERR_INFRA;
		goto out;
	}
	ret = apply_patches(bs, &pr);
	if (!ret && mkdir_p(bs->objdir))
		ret = (error("cannot create '%s': %s", bs->objdir, errstr()), KBUILD_ERR_INFRA);
	if (!ret)
		ret = configure(bs, &pr);
	if (!ret)
		ret = compile(bs, &pr);
	if (!ret && kernelrelease(bs))
		ret = KBUILD_ERR_INFRA;
	if (!ret)
		ret = collect(bs, now_s() - bs->started);
out:
	progress_done(&pr);
	strbuf_release(&pr.partial);
	return ret;
}

static void build_state_release(struct build_state *bs)
{
	source_release(&bs->src);
	strvec_clear(&bs->fragments);
	strbuf_release(&bs->frag_text);
	strbuf_release(&bs->compiler);
	strvec_clear(&bs->make_args);
	free(bs->objdir);
	free(bs->staging);
	free(bs->log_path);
	if (bs->log_fd >= 0)
		close(bs->log_fd);
	if (bs->lock_fd >= 0)
		close(bs->lock_fd);	/* releases the flock */
}

static int resolve_inputs(struct build_state *bs)
{
	int ret;

	if (source_resolve(&bs->src, bs->req->source, bs->opts->cache_dir))
		return KBUILD_ERR_INPUT;
	if (bs->src.kind == SOURCE_DIR && bs->req->patches->nr)
		return error("kernel '%s': source '%s' is used read-only: patches need a deb: or "
			     "git: source", bs->req->name, bs->req->source), KBUILD_ERR_INPUT;
	ret = load_patches(bs);
	if (!ret)
		ret = load_fragments(bs);
	if (!ret && find_compiler(bs))
		ret = KBUILD_ERR_INFRA;
	return ret;
}

static void report_cached(struct build_state *bs)
{
	int known;

	bs->out->cached = 1;
	if (!bs->db)
		return;
	/* a cache hit under a new name (an ad-hoc variant) is worth a row of its own */
	known = db_build_known(bs->db, bs->req->name, bs->out->key);
	if (!known && !record_begin(bs, 1))
		record_finish(bs, "done", NULL, bs->out->seconds);
}

int kernel_build(struct db *db, const struct kernel_request *req,
		 const struct kernel_build_opts *opts, struct kernel_artifact *out)
{
	struct strbuf why = STRBUF_INIT;
	struct build_state bs = { .req = req, .opts = opts, .out = out, .db = db,
				  .fragments = STRVEC_INIT, .frag_text = STRBUF_INIT,
				  .compiler = STRBUF_INIT, .make_args = STRVEC_INIT,
				  .log_fd = -1, .lock_fd = -1, .started = now_s() };
	int ret;

	memset(out, 0, sizeof(*out));
	out->objects = -1;
	out->size = -1;
	ret = resolve_inputs(&bs);
	if (ret)
		goto out;
	out->identity = xstrdup(bs.src.identity);
	compute_key(&bs);
	if (lookup_artifact(&bs) || opts->resolve_only) {
		if (out->present)
			report_cached(&bs);
		goto out;
	}
	if (take_lock(&bs)) {
		ret = KBUILD_ERR_INFRA;
		goto out;
	}
	/* somebody may have built it while we waited for the lock */
	if (lookup_artifact(&bs)) {
		report_cached(&bs);
		goto out;
	}
	bs.objdir = cache_path(&bs, "obj/%s", bs.src.id);
	{
		char *objdir = bs.objdir;
		struct strbuf sb = STRBUF_INIT;

		strbuf_addf(&sb, "%s/%s", objdir, bs.config_id);
		bs.objdir = strbuf_detach(&sb, NULL);
		free(objdir);
	}
	bs.started = now_s();
	ret = build_locked(&bs);
	out->seconds = now_s() - bs.started;
	if (!ret) {
		record_finish(&bs, "done", NULL, out->seconds);
	} else if (bs.staging) {
		const char *state = ret == KBUILD_ERR_INTERRUPTED ? "interrupted" : "failed";

		if (ret == KBUILD_ERR_INTERRUPTED)
			error("kernel '%s': build interrupted", req->name);
		keep_failed(&bs);
		failure_reason(&bs, ret, &why);
		record_finish(&bs, state, why.buf, out->seconds);
	}
out:
	build_state_release(&bs);
	strbuf_release(&why);
	return ret;
}

int kernel_log_first_error(const char *log, struct strbuf *out)
{
	static const char *const marks[] = { ": error: ", ": fatal error: ", "Error ", "*** ",
					     NULL };
	int i;

	for (i = 0; marks[i]; i++) {
		const char *hit = strstr(log, marks[i]), *start, *end;

		if (!hit)
			continue;
		for (start = hit; start > log && start[-1] != '\n'; start--)
			;
		end = hit + strcspn(hit, "\n");
		strbuf_add(out, start, (size_t)(end - start));
		return 1;
	}
	return 0;
}

void kernel_artifact_release(struct kernel_artifact *a)
{
	free(a->dir);
	free(a->bzimage);
	free(a->release);
	free(a->identity);
	patch_list_release(&a->patches);
	patch_release(&a->cover);
	memset(a, 0, sizeof(*a));
}
