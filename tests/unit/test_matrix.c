// SPDX-License-Identifier: GPL-2.0-only
#include "common/hash.h"
#include "runner/matrix.h"
#include "tests/tap.h"

int main(void)
{
	struct config cfg;
	struct matrix m, again;
	struct fio_job fj;
	char h[17];
	size_t i, j;
	int distinct = 1;

	config_init(&cfg);
	strvec_clear(&cfg.rw);
	strvec_split(&cfg.rw, "randread write");
	strvec_clear(&cfg.bs);
	strvec_split(&cfg.bs, "4k 128k");
	strvec_clear(&cfg.iodepth);
	strvec_split(&cfg.iodepth, "1 16");
	matrix_expand(&cfg, "ext4", &m);
	is_int(m.nr, 8, "2 rw x 2 bs x 2 iodepth = 8 jobs");
	is_str(m.jobs[0].name, "randread-4k-qd1-psync-nj1@scratch:ext4", "readable job name");
	is_str(m.jobs[0].canonical,
	       "{\"bs\":4096,\"device\":\"scratch\",\"direct\":1,\"fs\":\"ext4\",\"iodepth\":1,"
	       "\"ioengine\":\"psync\",\"numjobs\":1,\"ramp\":0,\"runtime\":5,\"rw\":\"randread\","
	       "\"size\":67108864}", "canonical JSON has sorted keys and every parameter");
	hash_hex(m.jobs[0].canonical, h);
	is_str(m.jobs[0].hash, h, "hash is of the canonical text");
	/* FNV-1a 64 of "a" is a published test vector */
	hash_hex("a", h);
	is_str(h, "af63dc4c8601ec8c", "FNV-1a 64 known value");
	for (i = 0; i < m.nr; i++)
		for (j = i + 1; j < m.nr; j++)
			if (!strcmp(m.jobs[i].hash, m.jobs[j].hash))
				distinct = 0;
	ok(distinct, "every job has its own hash");

	matrix_expand(&cfg, "ext4", &again);
	is_str(again.jobs[5].hash, m.jobs[5].hash, "same config, same hashes");
	matrix_release(&again);
	matrix_expand(&cfg, "xfs", &again);
	ok(strcmp(again.jobs[0].hash, m.jobs[0].hash), "another filesystem is another job");
	matrix_release(&again);

	/* a bisection step runs the change point's job alone */
	{
		struct strvec only = STRVEC_INIT;

		matrix_expand(&cfg, "ext4", &again);
		strvec_push(&only, "write-128k-qd16-psync-nj1@scratch:ext4");
		strvec_push(&only, "nosuch@scratch:ext4");
		is_int(matrix_keep_only(&again, &only), 0, "a job kept");
		is_int((int)again.nr, 1, "the others dropped");
		is_str(again.jobs[0].name, "write-128k-qd16-psync-nj1@scratch:ext4", "the one asked for");
		is_str(again.jobs[0].hash, m.jobs[7].hash, "the same job, the same hash");
		strvec_clear(&only);
		strvec_push(&only, "nosuch@scratch:ext4");
		is_int(matrix_keep_only(&again, &only), -1, "none left is an error");
		is_int((int)again.nr, 0, "and the matrix is empty");
		matrix_release(&again);
		strvec_clear(&only);
	}

	job_spec_fio(&m.jobs[0], "/tmp/x", &fj);
	is_str(fj.name, "randread-4k-qd1-psync-nj1_scratch_ext4", "fio name safe for vfat file names");
	is_str(fj.directory, "/tmp/x", "directory passed to fio");
	is_int(fj.bs, 4096, "block size in bytes");
	matrix_release(&m);
	config_release(&cfg);
	return done_testing();
}
