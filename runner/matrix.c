// SPDX-License-Identifier: GPL-2.0-only
#include "runner/matrix.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/strbuf.h"

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
	size_t d, f, r, b, q, n, e;

	m->jobs = NULL;
	m->nr = 0;
	for (d = 0; d < devices->nr; d++) {
		const char *dev = devices->v[d];
		const struct strvec *fss = strcmp(dev, "scratch") ? filesystems : &scratch_only;

		for (f = 0; f < fss->nr; f++)
		for (r = 0; r < cfg->rw.nr; r++)
		for (b = 0; b < cfg->bs.nr; b++)
		for (q = 0; q < cfg->iodepth.nr; q++)
		for (n = 0; n < cfg->numjobs.nr; n++)
		for (e = 0; e < cfg->ioengine.nr; e++)
			add_job(m, cfg, dev, fss->v[f], cfg->rw.v[r], cfg->bs.v[b],
				cfg->iodepth.v[q], cfg->numjobs.v[n], cfg->ioengine.v[e]);
	}
}

void matrix_release(struct matrix *m)
{
	size_t i;

	for (i = 0; i < m->nr; i++) {
		struct job_spec *j = &m->jobs[i];

		free(j->name);
		free(j->device);
		free(j->fs);
		free(j->rw);
		free(j->bs_text);
		free(j->ioengine);
		free(j->fio_name);
		free(j->canonical);
	}
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
