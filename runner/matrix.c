// SPDX-License-Identifier: GPL-2.0-only
#include "runner/matrix.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "workloads/diocase.h"

static void describe(struct job_spec *j)
{
	struct strbuf name = STRBUF_INIT;
	json_t *o;
	char *text;

	o = json_pack("{s:s, s:s, s:s, s:I, s:i, s:i, s:s, s:I, s:i, s:i, s:i}",
		      "device", j->device, "fs", j->fs, "rw", j->rw,
		      "bs", (json_int_t)j->bs, "iodepth", (int)j->iodepth,
		      "numjobs", (int)j->numjobs, "ioengine", j->ioengine,
		      "size", (json_int_t)j->size, "runtime", (int)j->runtime,
		      "ramp", (int)j->ramp, "direct", 1);
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	j->canonical = xstrdup(text);
	free(text);
	hash_hex(j->canonical, j->hash);

	strbuf_addf(&name, "%s-%s-qd%u-%s-nj%u@%s:%s", j->rw, j->bs_text, j->iodepth,
		    j->ioengine, j->numjobs, j->device, j->fs);
	j->name = strbuf_detach(&name, NULL);
	/* vfat and exfat refuse ':' and friends in file names */
	j->fio_name = xstrdup(j->name);
	for (char *p = j->fio_name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			*p = '_';
}

/* A dio-cases job: the case fixes what the I/Os are, the matrix where they go. */
static void add_case_job(struct matrix *m, const struct config *cfg, const char *device,
			 const char *fs, const struct dio_case_info *dc)
{
	struct strbuf name = STRBUF_INIT;
	struct job_spec *j;
	json_t *o;
	char *text;

	m->jobs = xrealloc(m->jobs, (m->nr + 1) * sizeof(*m->jobs));
	j = &m->jobs[m->nr++];
	memset(j, 0, sizeof(*j));
	j->device = xstrdup(device);
	j->fs = xstrdup(fs);
	j->dcase = xstrdup(dc->name);
	j->rw = xstrdup(dc->rw);
	j->bs = dc->bs ? dc->bs : 4096;
	j->bs_text = xstrdup(dc->bs == 512 ? "512" : dc->bs == 65536 ? "64k" : "4k");
	j->ioengine = xstrdup("psync");
	j->iodepth = j->numjobs = 1;
	j->runtime = cfg->runtime;
	o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i}", "workload", "dio-cases", "case", dc->name,
		      "device", device, "fs", fs, "runtime", (int)cfg->runtime, "direct", 1);
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	j->canonical = xstrdup(text);
	free(text);
	hash_hex(j->canonical, j->hash);
	strbuf_addf(&name, "dio-%s@%s:%s", dc->name, device, fs);
	j->name = strbuf_detach(&name, NULL);
	j->fio_name = xstrdup(j->name);
}

static int has_workload(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->workloads.nr; i++)
		if (!strcmp(cfg->workloads.v[i], name))
			return 1;
	return 0;
}

/* The known cases of [matrix] cases, warning (in the first expansion) about every other name. */
static void known_cases(const struct config *cfg, const struct dio_case_info **out, size_t *n)
{
	static int warned;
	size_t i;

	*n = 0;
	for (i = 0; i < cfg->cases.nr; i++) {
		const struct dio_case_info *dc = dio_case_find(cfg->cases.v[i]);
		struct strbuf known = STRBUF_INIT;

		if (dc) {
			size_t k;

			for (k = 0; k < *n && out[k] != dc; k++)
				;
			if (k == *n)
				out[(*n)++] = dc;	/* a case named twice is one job */
			continue;
		}
		if (!warned) {
			dio_case_names(&known);
			warning("%s: [matrix] cases: no case '%s' (known: %s): skipped",
				cfg->file ? cfg->file : "config", cfg->cases.v[i], known.buf);
		}
		strbuf_release(&known);
	}
	warned = 1;	/* every unknown name once, not once per expansion */
}

static void add_job(struct matrix *m, const struct config *cfg, const char *device,
		    const char *fs, const char *rw, const char *bs, const char *iodepth,
		    const char *numjobs, const char *ioengine)
{
	struct job_spec *j;

	m->jobs = xrealloc(m->jobs, (m->nr + 1) * sizeof(*m->jobs));
	j = &m->jobs[m->nr++];
	memset(j, 0, sizeof(*j));
	j->device = xstrdup(device);
	j->fs = xstrdup(fs);
	j->rw = xstrdup(rw);
	j->bs_text = xstrdup(bs);
	j->ioengine = xstrdup(ioengine);
	/* the config module validated every item: these cannot fail */
	parse_size(bs, &j->bs);
	j->iodepth = (unsigned)strtoul(iodepth, NULL, 10);
	j->numjobs = (unsigned)strtoul(numjobs, NULL, 10);
	j->size = cfg->size;
	j->runtime = cfg->runtime;
	j->ramp = cfg->ramp;
	describe(j);
}

void matrix_expand(const struct config *cfg, const char *scratch_fs, struct matrix *m)
{
	matrix_expand_on(cfg, &cfg->devices, &cfg->filesystems, scratch_fs, m);
}

void matrix_expand_on(const struct config *cfg, const struct strvec *devices,
		      const struct strvec *filesystems, const char *scratch_fs, struct matrix *m)
{
	const struct strvec scratch_only = { .v = (const char *[]){ scratch_fs, NULL }, .nr = 1 };
	const struct dio_case_info **cases = xcalloc(cfg->cases.nr + 1, sizeof(*cases));
	int fio = has_workload(cfg, "fio");
	size_t d, f, r, b, q, n, e, c, ncases = 0;

	m->jobs = NULL;
	m->nr = 0;
	if (has_workload(cfg, "dio-cases"))
		known_cases(cfg, cases, &ncases);
	for (d = 0; d < devices->nr; d++) {
		const char *dev = devices->v[d];
		const struct strvec *fss = strcmp(dev, "scratch") ? filesystems : &scratch_only;

		for (f = 0; f < fss->nr; f++)
		for (r = 0; r < cfg->rw.nr; r++)
		for (b = 0; b < cfg->bs.nr; b++)
		for (q = 0; q < cfg->iodepth.nr; q++)
		for (n = 0; n < cfg->numjobs.nr; n++)
		for (e = 0; e < cfg->ioengine.nr && fio; e++)
			add_job(m, cfg, dev, fss->v[f], cfg->rw.v[r], cfg->bs.v[b],
				cfg->iodepth.v[q], cfg->numjobs.v[n], cfg->ioengine.v[e]);
		for (f = 0; f < fss->nr; f++)
		for (c = 0; c < ncases; c++)
			add_case_job(m, cfg, dev, fss->v[f], cases[c]);
	}
	free(cases);
}

static void job_spec_release(struct job_spec *j)
{
	free(j->name);
	free(j->device);
	free(j->fs);
	free(j->rw);
	free(j->bs_text);
	free(j->ioengine);
	free(j->fio_name);
	free(j->dcase);
	free(j->canonical);
}

int matrix_keep_only(struct matrix *m, const struct strvec *names)
{
	size_t i, kept = 0;

	for (i = 0; i < m->nr; i++) {
		if (strvec_contains(names, m->jobs[i].name))
			m->jobs[kept++] = m->jobs[i];
		else
			job_spec_release(&m->jobs[i]);
	}
	m->nr = kept;
	return kept ? 0 : -1;
}

void matrix_release(struct matrix *m)
{
	size_t i;

	for (i = 0; i < m->nr; i++)
		job_spec_release(&m->jobs[i]);
	free(m->jobs);
	m->jobs = NULL;
	m->nr = 0;
}

void job_spec_fio(const struct job_spec *spec, const char *directory, struct fio_job *out)
{
	memset(out, 0, sizeof(*out));
	out->name = spec->fio_name;
	out->rw = spec->rw;
	out->bs = spec->bs;
	out->iodepth = spec->iodepth;
	out->numjobs = spec->numjobs;
	out->ioengine = spec->ioengine;
	out->size = spec->size;
	out->runtime_s = spec->runtime;
	out->ramp_s = spec->ramp;
	out->directory = directory;
}

const struct job_spec *matrix_find(const struct matrix *m, const char *hash)
{
	size_t i;

	for (i = 0; i < m->nr; i++)
		if (!strcmp(m->jobs[i].hash, hash))
			return &m->jobs[i];
	return NULL;
}
