// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinbench agent: runs inside the kernel under test (a QEMU guest here, a
 * lab machine after kexec). It reads the plan the host wrote, finds its
 * disks by serial, runs the jobs through the same execution code as the
 * host target and appends every event to the results bundle as it happens.
 * It never opens the database: the host stores what the bundle says.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "collectors/perf.h"
#include "common/log.h"
#include "runner/agent.h"
#include "runner/bundle.h"
#include "runner/cli.h"
#include "runner/device.h"
#include "runner/execute.h"
#include "runner/marker.h"
#include "runner/matrix.h"
#include "runner/run.h"

struct agent_plan {
	json_t *root;
	const char *config;	/* NULL: built-in defaults */
	const char *bundle;
	const char *mnt;
	const char *expect_release;
	unsigned boot, first_rep, last_rep;
	int one_off;		/* the proof and profile passes: in one boot only */
	struct strvec filesystems;
	struct strvec probes;	/* paths to try to read (the export test), usually none */
	struct strvec jobs;	/* only these jobs of the matrix (a bisection step); none: all */
	struct device_cfg *devs;
	size_t ndevs;
	json_int_t marker;	/* a counting boot's marker address (runner/marker.h), 0: none */
	int pmu;		/* a counting boot under perf stat (a PMU: KVM) */
};

static void plan_release(struct agent_plan *p)
{
	size_t i;

	for (i = 0; i < p->ndevs; i++) {
		free(p->devs[i].name);
		free(p->devs[i].path);
		free(p->devs[i].serial);
	}
	free(p->devs);
	strvec_clear(&p->filesystems);
	strvec_clear(&p->probes);
	strvec_clear(&p->jobs);
	json_decref(p->root);
}

static int load_plan(const char *path, struct agent_plan *p)
{
	json_error_t jerr;
	json_t *devs = NULL, *fss = NULL, *probes = NULL, *count = NULL, *jobs = NULL, *item;
	const char *fs;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->filesystems = (struct strvec)STRVEC_INIT;
	p->probes = (struct strvec)STRVEC_INIT;
	p->jobs = (struct strvec)STRVEC_INIT;
	p->root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!p->root)
		return error("%s:%d: %s", path, jerr.line, jerr.text);
	p->one_off = 1;
	if (json_unpack_ex(p->root, &jerr, 0,
			   "{s?s, s:s, s:s, s?s, s?b, s:i, s:i, s:i, s:o, s:o, s?o, s?o, s?o}",
			   "config", &p->config, "bundle", &p->bundle, "mnt", &p->mnt,
			   "expect_release", &p->expect_release, "one_off", &p->one_off,
			   "boot", &p->boot,
			   "first_rep", &p->first_rep, "last_rep", &p->last_rep,
			   "devices", &devs, "filesystems", &fss, "probe", &probes,
			   "count", &count, "jobs", &jobs))
		return error("%s: %s", path, jerr.text);
	if (count && (json_unpack_ex(count, &jerr, JSON_STRICT, "{s?I, s?b}", "marker", &p->marker,
				     "pmu", &p->pmu) ||
		      !!p->marker == !!p->pmu || (p->marker && !marker_addr_ok((uint64_t)p->marker))))
		return error("%s: count: wants {\"marker\": a page-aligned user address} or "
			     "{\"pmu\": true}", path);
	if (!p->first_rep || p->last_rep < p->first_rep)
		return error("%s: repetitions %u..%u make no sense", path, p->first_rep,
			     p->last_rep);
	json_array_foreach(fss, i, item) {
		fs = json_string_value(item);
		if (!fs)
			return error("%s: filesystems[%zu] is not a string", path, i);
		strvec_push(&p->filesystems, fs);
	}
	json_array_foreach(jobs, i, item) {
		if (!json_string_value(item) || !*json_string_value(item))
			return error("%s: jobs[%zu] is not a job's name", path, i);
		strvec_push(&p->jobs, json_string_value(item));
	}
	json_array_foreach(probes, i, item) {
		if (!json_string_value(item) || json_string_value(item)[0] != '/')
			return error("%s: probe[%zu] is not an absolute path", path, i);
		strvec_push(&p->probes, json_string_value(item));
	}
	p->devs = xcalloc(json_array_size(devs) + 1, sizeof(*p->devs));
	json_array_foreach(devs, i, item) {
		const char *name, *serial;

		if (json_unpack_ex(item, &jerr, 0, "{s:s, s:s}", "name", &name, "serial", &serial))
			return error("%s: devices[%zu]: %s", path, i, jerr.text);
		p->devs[p->ndevs].name = xstrdup(name);
		p->devs[p->ndevs].serial = xstrdup(serial);
		p->ndevs++;
	}
	return 0;
}

/* --- the bundle as the execution's sink ----------------------------------- */

/* A string as the host accepts it (runner/bundle.h): one clean line, capped. */
static json_t *clean_string(const char *text, size_t max)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *s;

	bundle_clean_text(&sb, text, max);
	s = json_string(sb.len ? sb.buf : "?");
	strbuf_release(&sb);
	return s;
}

static json_t *job_record(const char *type, const struct job_spec *job)
{
	json_t *rec = json_pack("{s:s, s:s}", "t", type, "job", job->hash);

	json_object_set_new(rec, "name", clean_string(job->name, 256));
	return rec;
}

static int bundle_store(void *data, const struct job_spec *job, unsigned rep,
			const struct sample_set *samples)
{
	json_t *rec = job_record("rep", job);
	size_t dropped = 0;

	json_object_set_new(rec, "rep", json_integer(rep));
	json_object_set_new(rec, "samples", bundle_samples_json(samples, &dropped));
	if (dropped)
		warning("%s rep %u: %zu samples left out: their names or units are not ones the "
			"host accepts", job->name, rep, dropped);
	return bundle_put(data, rec);
}

static int bundle_failed(void *data, const struct job_spec *job, unsigned rep,
			 const char *message)
{
	json_t *rec = job_record("failed", job);

	json_object_set_new(rec, "rep", json_integer(rep));
	json_object_set_new(rec, "message", clean_string(message, BUNDLE_TEXT_MAX));
	return bundle_put(data, rec);
}

static int bundle_flag(void *data, const struct job_spec *job, const char *kind,
		       const char *message)
{
	json_t *rec = job_record("flag", job);

	json_object_set_new(rec, "kind", json_string(kind));
	json_object_set_new(rec, "message", clean_string(message, BUNDLE_TEXT_MAX));
	return bundle_put(data, rec);
}

/* --- probes: what of the host this guest can read ----------------------------- */

static size_t probe_files;

static int count_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path;
	(void)st;
	(void)ftw;
	probe_files += type == FTW_F;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's names (sorted, at most 256) and its regular files on this file system. */
static int probe_dir(const char *path, json_t *rec)
{
	struct strvec names = STRVEC_INIT;
	json_t *entries = json_array();
	struct dirent *de;
	DIR *d = opendir(path);
	size_t i;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			strvec_push(&names, de->d_name);
	closedir(d);
	qsort(names.v, names.nr, sizeof(*names.v), by_name);
	for (i = 0; i < names.nr && i < 256; i++)
		json_array_append_new(entries, clean_string(names.v[i], 255));
	json_object_set_new(rec, "entries", entries);
	strvec_clear(&names);
	probe_files = 0;
	nftw(path, count_file, 16, FTW_PHYS | FTW_MOUNT);
	json_object_set_new(rec, "files", json_integer((json_int_t)probe_files));
	return 0;
}

static int probe_path(struct bundle_writer *w, const char *path)
{
	json_t *rec = json_pack("{s:s}", "t", "probe");
	struct strbuf result = STRBUF_INIT;
	struct stat st;
	char byte;
	int fd, ret;

	json_object_set_new(rec, "path", clean_string(path, BUNDLE_TEXT_MAX));
	if (stat(path, &st)) {
		strbuf_addf(&result, "error: %s", strerror(errno));
	} else if (S_ISDIR(st.st_mode)) {
		strbuf_addstr(&result, probe_dir(path, rec) ? strerror(errno) : "readable");
	} else {
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 || read(fd, &byte, 1) < 0)
			strbuf_addf(&result, "error: %s", strerror(errno));
		else
			strbuf_addstr(&result, "readable");
		if (fd >= 0)
			close(fd);
	}
	json_object_set_new(rec, "result", json_string(result.buf));
	info("agent: probe %s: %s", path, result.buf);
	ret = bundle_put(w, rec);
	strbuf_release(&result);
	return ret;
}

/* --- hello: which kernel, which disks ---------------------------------------- */

static int find_devices(struct agent_plan *p, struct safe_device *safe, json_t *list)
{
	struct strbuf path = STRBUF_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; i < p->ndevs && !ret; i++) {
		strbuf_reset(&path);
		if (!device_find_by_serial(p->devs[i].serial, &path)) {
			ret = error("no disk reports serial '%s' (device %s)", p->devs[i].serial,
				    p->devs[i].name);
			break;
		}
		p->devs[i].path = strbuf_detach(&path, NULL);
		/* the same checks as on the host: the serial matches, nothing holds it */
		ret = device_check(&p->devs[i], &safe[i]);
		if (!ret)
			json_array_append_new(list, json_pack("{s:o, s:o, s:o, s:o}",
				"name", clean_string(safe[i].name, 256),
				"path", clean_string(safe[i].path, 256),
				"model", clean_string(safe[i].model, 256),
				"serial", clean_string(safe[i].serial, 256)));
	}
	strbuf_release(&path);
	return ret;
}

static json_t *hello_record(const struct agent_plan *p)
{
	struct strbuf version = STRBUF_INIT;
	struct utsname u;
	json_t *rec;

	if (uname(&u))
		memset(&u, 0, sizeof(u));
	if (strbuf_read_file(&version, "/proc/version", 4096))
		strbuf_reset(&version);
	strbuf_rtrim(&version);
	rec = json_pack("{s:s, s:s, s:i}", "t", "hello", "release", u.release,
			"boot", (int)p->boot);
	if (version.len)
		json_object_set_new(rec, "version", clean_string(version.buf, 512));
	strbuf_release(&version);
	return rec;
}

static int end_record(struct bundle_writer *w, const struct exec_state *es, const char *state,
		      const char *reason)
{
	json_t *rec = json_pack("{s:s, s:s, s:I, s:I}", "t", "end", "state", state,
				"reps_done", (json_int_t)es->reps_done,
				"reps_failed", (json_int_t)es->reps_failed);

	if (es->marker)
		json_object_set_new(rec, "marks", json_integer((json_int_t)es->marker->hits));

	json_object_set_new(rec, "reason", reason && *reason ?
			    clean_string(reason, BUNDLE_TEXT_MAX) : json_null());
	return bundle_put(w, rec);
}

static int agent_run(struct agent_plan *p, struct config *cfg)
{
	struct bundle_writer w = { -1, NULL };
	const struct exec_sink sink = { bundle_store, bundle_failed, bundle_flag, &w };
	struct safe_device *safe = xcalloc(p->ndevs + 1, sizeof(*safe));
	struct strvec names = STRVEC_INIT;
	struct strbuf reason = STRBUF_INIT;
	struct exec_state es = { 0 };
	struct marker mk = { NULL, 0, 0 };
	struct matrix m = { 0 };
	const char *state = "failed";
	json_t *hello;
	enum rep_outcome r;
	int code = EXIT_INFRA;
	size_t i;

	strbuf_init(&es.fatal, 0);
	if (bundle_create(&w, p->bundle))
		goto out;
	hello = hello_record(p);
	json_object_set_new(hello, "devices", json_array());
	if (p->expect_release && strcmp(json_string_value(json_object_get(hello, "release")),
					p->expect_release)) {
		strbuf_addf(&reason, "booted kernel %s, expected %s",
			    json_string_value(json_object_get(hello, "release")), p->expect_release);
		error("%s", reason.buf);
		bundle_put(&w, hello);
		goto end;
	}
	if (find_devices(p, safe, json_object_get(hello, "devices"))) {
		strbuf_addstr(&reason, "the planned disks are not all there or not usable");
		bundle_put(&w, hello);
		goto end;
	}
	if (bundle_put(&w, hello))
		goto out;
	for (i = 0; i < p->probes.nr; i++)
		if (probe_path(&w, p->probes.v[i]))
			goto out;
	for (i = 0; i < p->ndevs; i++)
		strvec_push(&names, p->devs[i].name);
	matrix_expand_on(cfg, &names, &p->filesystems, "none", &m);
	if (p->jobs.nr && matrix_keep_only(&m, &p->jobs)) {
		strbuf_addstr(&reason, "none of the plan's jobs is in the guest's matrix");
		goto end;
	}
	code = exec_init(&es, cfg, &sink, p->first_rep, p->last_rep);
	if (code) {
		strbuf_addstr(&reason, "fio or a temporary directory is missing in the guest");
		goto end;
	}
	es.one_off = p->one_off;
	if (p->marker) {
		if (marker_map(&mk, (uint64_t)p->marker)) {
			strbuf_addstr(&reason, "cannot map the counting marker");
			goto end;
		}
		es.marker = &mk;
	}
	if (p->pmu) {
		struct strbuf why = STRBUF_INIT;

		/* asked of perf itself: the collectors' probe runs only when they use perf */
		if (perf_events_count(&cfg->cost.pmu_events, &why)) {
			strbuf_addf(&reason, "the guest cannot count [cost] pmu_events: %s", why.buf);
			strbuf_release(&why);
			goto end;
		}
		strbuf_release(&why);
		es.pmu = 1;
	}
	/* a fresh guest has translated nothing yet: warm every job up, in every boot */
	es.warmup = 1;
	es.reps_total = m.nr * (p->last_rep - p->first_rep + 1);
	info("agent: %zu jobs x %u repetitions on %zu disks (boot %u)", m.nr,
	     p->last_rep - p->first_rep + 1, p->ndevs, p->boot);
	r = exec_devices(&es, &m, safe, p->ndevs, &p->filesystems, p->mnt);
	run_outcome(&es, r, &state, &reason, &code);
	if (r == REP_OK && es.reps_failed)
		code = EXIT_OK;	/* failed repetitions are stored; the host decides */
end:
	if (end_record(&w, &es, state, reason.len ? reason.buf : NULL))
		code = EXIT_INFRA;
out:
	bundle_close(&w);
	exec_release(&es);
	marker_unmap(&mk);
	matrix_release(&m);
	for (i = 0; i < p->ndevs; i++)
		safe_device_release(&safe[i]);
	free(safe);
	strvec_clear(&names);
	strbuf_release(&reason);
	return code;
}

int cmd_agent(int argc, char **argv, struct cli *cli)
{
	struct option opts[CLI_MAX_OPTIONS + 1];
	char shortopts[CLI_SHORT_MAX];
	struct agent_plan plan;
	struct config cfg;
	const char *plan_path = NULL;
	int opt, code;

	(void)cli;
	cli_getopt_tables("agent", opts, shortopts);
	optind = 1;
	while ((opt = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			plan_path = optarg;
			break;
		case 'h':
			cli_usage("agent", stdout);
			return EXIT_OK;
		default:
			cli_usage("agent", stderr);
			return EXIT_USAGE;
		}
	}
	if (!plan_path || optind < argc) {
		error("agent: needs --plan FILE and nothing else");
		return EXIT_USAGE;
	}
	config_init(&cfg);
	if (load_plan(plan_path, &plan)) {
		code = EXIT_USAGE;
		goto out;
	}
	if (plan.config && config_load(&cfg, plan.config)) {
		code = EXIT_USAGE;
		goto out;
	}
	code = agent_run(&plan, &cfg);
out:
	plan_release(&plan);
	config_release(&cfg);
	return code;
}
