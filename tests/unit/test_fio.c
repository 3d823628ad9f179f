// SPDX-License-Identifier: GPL-2.0-only
/*
 * fio collector: parse saved real fio 3.33 output (tests/fixtures/fio/README
 * says how each file was made), build argv, describe failures, and one real
 * 1 s fio run through spawn. Expected numbers were read from the fixtures'
 * JSON with python3.
 */
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include "collectors/fio.h"
#include "common/spawn.h"
#include "tests/tap.h"

#define FIO_FX FIXTURE_DIR "/fio/"

static int parse_fixture(const char *name, struct sample_set *out, struct strbuf *why)
{
	struct strbuf sb = STRBUF_INIT;
	struct strbuf path = STRBUF_INIT;
	int ret;

	strbuf_addf(&path, "%s%s", FIO_FX, name);
	if (strbuf_read_file(&sb, path.buf, 0) < 0) {
		printf("# cannot read '%s'\n", path.buf);
		ret = -99;
	} else {
		ret = fio_parse(sb.buf, sb.len, out, why);
	}
	strbuf_release(&sb);
	strbuf_release(&path);
	return ret;
}

static double val(const struct sample_set *s, const char *metric)
{
	return sample_set_value(s, metric, -1);
}

static const char *unit(const struct sample_set *s, const char *metric)
{
	const struct sample *x = sample_set_find(s, metric);

	return x ? x->unit : NULL;
}

static void test_single_jsonplus(void)
{
	struct sample_set s = SAMPLE_SET_INIT;
	struct strbuf why = STRBUF_INIT;

	is_int(parse_fixture("randread-jsonplus.json", &s, &why), FIO_OK, "json+ single job parses");
	is_double(val(&s, "fio.read.iops"), 13980.01998, 1e-6, "read iops");
	is_double(val(&s, "fio.read.bw_bytes"), 57262161, 0, "read bw_bytes");
	is_double(val(&s, "fio.read.total_ios"), 13994, 0, "read total_ios");
	is_double(val(&s, "fio.read.runtime_ms"), 1001, 0, "read runtime");
	is_double(val(&s, "fio.read.clat_mean_ns"), 71134.723667, 1e-6, "clat mean");
	is_double(val(&s, "fio.read.clat_stddev_ns"), 16233.577612, 1e-6, "clat stddev");
	/*
	 * Computed from the json+ bins; fio's own "percentile" values are
	 * 67072 / 121344 / 246784 too: fio derives them from the same
	 * histogram with the same rule, so they agree exactly.
	 */
	is_double(val(&s, "fio.read.clat_p50_ns"), 67072, 0, "p50 from bins = fio's");
	is_double(val(&s, "fio.read.clat_p99_ns"), 121344, 0, "p99 from bins = fio's");
	is_double(val(&s, "fio.read.clat_p99_9_ns"), 246784, 0, "p99.9 from bins = fio's");
	is_double(val(&s, "fio.usr_cpu"), 1.5, 1e-9, "usr_cpu");
	is_double(val(&s, "fio.sys_cpu"), 55.1, 1e-9, "sys_cpu");
	is_double(val(&s, "fio.ctx"), 13755, 0, "ctx");
	is_double(val(&s, "fio.total_ios"), 13994, 0, "total_ios");
	ok(!sample_set_find(&s, "fio.write.iops"), "pure read job has no write samples");
	ok(!sample_set_find(&s, "fio.write.total_ios"), "no write total_ios either");
	is_str(unit(&s, "fio.read.bw_bytes"), "B/s", "bw unit");
	is_str(unit(&s, "fio.read.iops"), "IO/s", "iops unit");
	is_str(unit(&s, "fio.read.total_ios"), "count", "total_ios unit");
	is_str(unit(&s, "fio.read.runtime_ms"), "ms", "runtime unit");
	is_str(unit(&s, "fio.read.clat_p99_ns"), "ns", "clat unit");
	is_str(unit(&s, "fio.sys_cpu"), "%", "cpu unit");
	is_str(unit(&s, "fio.ctx"), "count", "ctx unit");
	/* 55.1 % of fio's 1000 ms of runtime in the kernel, over 13994 I/Os */
	is_double(val(&s, "fio.sys_cpu_ns_per_io"), 0.551 * 1000 * 1e6 / 13994, 1e-6,
		  "system CPU per I/O: the percentage of the job's runtime, per I/O");
	is_double(val(&s, "fio.usr_cpu_ns_per_io"), 0.015 * 1000 * 1e6 / 13994, 1e-6,
		  "user CPU per I/O");
	is_str(unit(&s, "fio.sys_cpu_ns_per_io"), "ns/io", "in ns per I/O");
	is_int(s.nr, 9 + 6, "9 read metrics + 6 job metrics");
	is_int(why.len, 0, "no message on success");
	sample_set_clear(&s);
	strbuf_release(&why);
}

static void test_text_around_json(void)
{
	struct sample_set s = SAMPLE_SET_INIT;
	struct strbuf why = STRBUF_INIT;

	/* normal output before and after the JSON, plain json: fio's percentiles */
	is_int(parse_fixture("randread-json-normal.txt", &s, &why), FIO_OK, "json,normal parses");
	is_double(val(&s, "fio.read.iops"), 12142.857143, 1e-6, "json,normal iops");
	is_double(val(&s, "fio.read.total_ios"), 12155, 0, "json,normal total_ios");
	is_double(val(&s, "fio.read.clat_p50_ns"), 71168, 0, "json,normal p50 (fio's key)");
	is_double(val(&s, "fio.read.clat_p99_ns"), 236544, 0, "json,normal p99 (fio's key)");
	is_double(val(&s, "fio.read.clat_p99_9_ns"), 757760, 0, "json,normal p99.9 (fio's key)");
	sample_set_clear(&s);

	/* "note: both iodepth >= 1 and synchronous I/O engine ..." before the JSON */
	is_int(parse_fixture("randread-qd8-psync-warning.txt", &s, &why), FIO_OK, "note line skipped");
	is_double(val(&s, "fio.read.iops"), 11174.825175, 1e-6, "warning fixture iops");
	is_double(val(&s, "fio.read.clat_p99_9_ns"), 1138688, 0, "warning fixture p99.9 = fio's");
	sample_set_clear(&s);
	strbuf_release(&why);
}

static void test_stray_brace_line(void)
{
	struct sample_set s = SAMPLE_SET_INIT;
	struct strbuf why = STRBUF_INIT, buf = STRBUF_INIT;

	/* a line opening with '{' that is not JSON: the next candidate is used */
	strbuf_addstr(&buf, "{ not json\n");
	strbuf_read_file(&buf, FIO_FX "randread-jsonplus.json", 0);
	is_int(fio_parse(buf.buf, buf.len, &s, &why), FIO_OK, "stray '{' line skipped");
	is_double(val(&s, "fio.read.total_ios"), 13994, 0, "and the real object parsed");
	sample_set_clear(&s);
	strbuf_release(&why);
	strbuf_release(&buf);
}

static void test_numjobs2_jsonplus(void)
{
	struct sample_set s = SAMPLE_SET_INIT;
	struct strbuf why = STRBUF_INIT;

	is_int(parse_fixture("randread-numjobs2-jsonplus.json", &s, &why), FIO_OK, "numjobs=2 json+");
	/* jobs: iops 9930.06993 + 9942.115768, bw 40673566 + 40722906, ios 9940 + 9962 */
	is_double(val(&s, "fio.read.iops"), 9930.06993 + 9942.115768, 1e-6, "iops summed");
	is_double(val(&s, "fio.read.bw_bytes"), 40673566.0 + 40722906, 0, "bw summed");
	is_double(val(&s, "fio.read.total_ios"), 9940 + 9962, 0, "total_ios summed");
	is_double(val(&s, "fio.read.runtime_ms"), 1002, 0, "longest runtime (1001, 1002)");
	is_double(val(&s, "fio.ctx"), 9943 + 9951, 0, "ctx summed");
	is_double(val(&s, "fio.usr_cpu"), (5.2 + 3.996004) / 2, 1e-9, "usr_cpu mean");
	is_double(val(&s, "fio.sys_cpu"), (33.1 + 34.265734) / 2, 1e-9, "sys_cpu mean");
	is_double(val(&s, "fio.sys_cpu_ns_per_io"),
		  (0.331 * 1000 + 0.34265734 * 1001) * 1e6 / val(&s, "fio.total_ios"), 1e-3,
		  "system CPU per I/O: each job's share of its own runtime, summed, per I/O");
	/* means 99379.869819 (N 9940) and 99335.06314 (N 9962), weighted */
	is_double(val(&s, "fio.read.clat_mean_ns"), 99357.44171447794, 1e-6, "weighted clat mean");
	/* stddevs 71408.522331 and 69515.673382 pooled with the mean shift */
	is_double(val(&s, "fio.read.clat_stddev_ns"), 70465.64048462114, 1e-4, "pooled clat stddev");
	/*
	 * From the merged bins. Per job fio says p99 242688 / 246784 and p99.9
	 * 544768 / 651264: the merged values are neither, nor their mean.
	 */
	is_double(val(&s, "fio.read.clat_p50_ns"), 93696, 0, "merged p50");
	is_double(val(&s, "fio.read.clat_p99_ns"), 244736, 0, "merged p99");
	is_double(val(&s, "fio.read.clat_p99_9_ns"), 585728, 0, "merged p99.9");
	ok(!sample_set_find(&s, "fio.write.iops"), "no write samples");
	sample_set_clear(&s);
	strbuf_release(&why);
}

static void test_numjobs2_json(void)
{
	struct sample_set s = SAMPLE_SET_INIT;
	struct strbuf why = STRBUF_INIT;
	const struct sample *p;

	is_int(parse_fixture("randread-numjobs2-json.json", &s, &why), FIO_OK, "numjobs=2 json");
	is_double(val(&s, "fio.read.iops"), 9477.045908 + 9463.536464, 1e-6, "iops summed");
	is_double(val(&s, "fio.read.total_ios"), 9496 + 9473, 0, "total_ios summed");
	is_double(val(&s, "fio.read.bw_bytes"), 38817980.0 + 38762645, 0, "bw summed");
	is_double(val(&s, "fio.read.clat_mean_ns"), 104513.99283036623, 1e-6, "weighted mean");
	is_double(val(&s, "fio.read.clat_stddev_ns"), 144661.05130275854, 1e-4, "pooled stddev");
	p = sample_set_find(&s, "fio.read.clat_p99_ns");
	ok(p && !p->available, "no bins: p99 is there but unavailable");
	p = sample_set_find(&s, "fio.read.clat_p50_ns");
	ok(p && !p->available, "no bins: p50 unavailable, not averaged");
	p = sample_set_find(&s, "fio.read.clat_p99_9_ns");
	ok(p && !p->available && !strcmp(p->unit, "ns"), "no bins: p99.9 unavailable, unit ns");
	sample_set_clear(&s);
	strbuf_release(&why);
}

static void test_randrw(void)
{
	struct sample_set s = SAMPLE_SET_INIT;
	struct strbuf why = STRBUF_INIT;

	is_int(parse_fixture("randrw-jsonplus.json", &s, &why), FIO_OK, "randrw parses");
	is_double(val(&s, "fio.read.iops"), 4889.110889, 1e-6, "randrw read iops");
	is_double(val(&s, "fio.write.iops"), 4931.068931, 1e-6, "randrw write iops");
	is_double(val(&s, "fio.read.bw_bytes"), 20025798, 0, "randrw read bw");
	is_double(val(&s, "fio.write.bw_bytes"), 20197658, 0, "randrw write bw");
	is_double(val(&s, "fio.write.clat_mean_ns"), 101546.893841, 1e-6, "write clat mean");
	is_double(val(&s, "fio.read.clat_p99_9_ns"), 1011712, 0, "read p99.9 = fio's");
	is_double(val(&s, "fio.write.clat_p99_9_ns"), 1236992, 0, "write p99.9 = fio's");
	is_double(val(&s, "fio.write.clat_p50_ns"), 95744, 0, "write p50 = fio's");
	is_double(val(&s, "fio.total_ios"), 4894 + 4936, 0, "total_ios of both directions");
	sample_set_clear(&s);
	strbuf_release(&why);
}

static void test_failures(void)
{
	struct sample_set s = SAMPLE_SET_INIT;
	struct strbuf why = STRBUF_INIT;

	is_int(parse_fixture("error-missing-file.json", &s, &why), FIO_JOB_ERROR, "job error");
	like(why.buf, "'missing'", "error names the job");
	like(why.buf, "error 2 (No such file or directory)", "error number and strerror");
	is_int(s.nr, 0, "nothing added on job error");
	strbuf_reset(&why);

	is_int(parse_fixture("randread-jsonplus-truncated.json", &s, &why), FIO_GARBAGE, "truncated");
	/* the file is cut inside line 191 (it holds 190 newlines) */
	like(why.buf, "invalid fio JSON at line 191", "truncated: line of the cut");
	is_int(s.nr, 0, "nothing added for truncated output");
	strbuf_reset(&why);

	is_int(fio_parse("hello\n", 6, &s, &why), FIO_GARBAGE, "hello is garbage");
	is_str(why.buf, "no JSON object in fio output", "hello: message");
	strbuf_reset(&why);
	is_int(fio_parse("", 0, &s, &why), FIO_GARBAGE, "empty buffer is garbage");
	is_str(why.buf, "no JSON object in fio output", "empty: message");
	strbuf_reset(&why);
	is_int(fio_parse("{\"jobs\": []}\n", 13, &s, &why), FIO_GARBAGE, "empty jobs");
	like(why.buf, "jobs", "empty jobs: message");
	strbuf_reset(&why);
	is_int(fio_parse("{\"fio version\": \"x\"}\n", 21, &s, &why), FIO_GARBAGE, "no jobs");
	is_int(s.nr, 0, "still nothing added");
	sample_set_clear(&s);
	strbuf_release(&why);
}

static void test_job_argv(void)
{
	static const char *want[] = {
		"fio", "--output-format=json+", "--name=randread-4k-qd1", "--rw=randread",
		"--bs=4096", "--iodepth=1", "--numjobs=2", "--ioengine=psync",
		"--size=67108864", "--direct=1", "--invalidate=1", "--exitall_on_error=1",
		"--directory=/mnt/test", "--runtime=5", "--time_based", "--ramp_time=1", NULL,
	};
	struct fio_job job = {
		.name = "randread-4k-qd1", .rw = "randread", .bs = 4096, .iodepth = 1,
		.numjobs = 2, .ioengine = "psync", .size = 64 << 20, .runtime_s = 5,
		.ramp_s = 1, .directory = "/mnt/test",
	};
	struct strvec argv = STRVEC_INIT;
	size_t i;
	int same;

	fio_job_argv(&job, &argv);
	for (i = 0, same = 1; want[i] && i < argv.nr; i++)
		same &= !strcmp(argv.v[i], want[i]);
	if (!ok(same && argv.nr == i && !want[i], "argv for a time-based directory job"))
		for (i = 0; i < argv.nr; i++)
			printf("#   %s\n", argv.v[i]);
	ok(!strvec_contains(&argv, "--group_reporting"), "no group_reporting");
	strvec_clear(&argv);

	job.runtime_s = job.ramp_s = 0;
	job.directory = NULL;
	job.filename = "/dev/nvme0n1";
	fio_job_argv(&job, &argv);
	ok(strvec_contains(&argv, "--filename=/dev/nvme0n1"), "filename job");
	ok(!strvec_contains(&argv, "--time_based"), "size-bound job is not time based");
	ok(!strvec_contains(&argv, "--ramp_time=0"), "no ramp_time when 0");
	is_str(argv.v[argv.nr - 1], "--filename=/dev/nvme0n1", "filename last");
	ok(!strvec_contains(&argv, "--number_ios=0") && !strvec_contains(&argv, "--thinktime=0"),
	   "no I/O limit or pause unless asked");
	strvec_clear(&argv);

	job.number_ios = 2;
	job.thinktime_us = 1500000;
	fio_job_argv(&job, &argv);
	ok(strvec_contains(&argv, "--number_ios=2") && strvec_contains(&argv, "--thinktime=1500000") &&
	   strvec_contains(&argv, "--thinktime_blocks=1"),
	   "an idle run: two I/Os, a pause in microseconds after each");
	strvec_clear(&argv);
}

static void test_describe_failure(void)
{
	struct strbuf sb = STRBUF_INIT, msg = STRBUF_INIT;
	char longline[400];

	strbuf_read_file(&sb, FIO_FX "error-missing-file.stderr", 0);
	fio_describe_failure(1, sb.buf, &msg);
	is_str(msg.buf, "fio: refusing extend of file due to read-only", "real stderr");
	strbuf_reset(&msg);
	strbuf_reset(&sb);

	/* that run put its per-job "err=" line on stdout: it wins over earlier fio: lines */
	strbuf_read_file(&sb, FIO_FX "error-missing-file.json", 0);
	fio_describe_failure(1, sb.buf, &msg);
	is_str(msg.buf, "fio: pid=3946, err=2/file:filesetup.c:805, "
	       "func=open(/tmp/fiofx/no-such-dir/file), error=No such file or directory",
	       "err= line preferred");
	strbuf_reset(&msg);

	fio_describe_failure(1, "", &msg);
	is_str(msg.buf, "fio exited with status 1", "nothing on stderr");
	strbuf_reset(&msg);
	fio_describe_failure(2, NULL, &msg);
	is_str(msg.buf, "fio exited with status 2", "NULL stderr");
	strbuf_reset(&msg);
	fio_describe_failure(137, "some noise\n", &msg);
	is_str(msg.buf, "fio killed by signal 9", "killed");
	strbuf_reset(&msg);
	fio_describe_failure(1, "noise\n   fio: bad option 'x'  \nfio: later\n", &msg);
	is_str(msg.buf, "fio: bad option 'x'", "first fio: line, trimmed");
	strbuf_reset(&msg);

	memset(longline, 'x', sizeof(longline) - 1);
	memcpy(longline, "fio: ", 5);
	longline[sizeof(longline) - 1] = '\0';
	fio_describe_failure(1, longline, &msg);
	is_int(msg.len, 200, "long line cut to 200");
	ok(!strchr(msg.buf, '\n'), "one line");
	strbuf_release(&msg);
	strbuf_release(&sb);
}

static void remove_tree(const char *dir)
{
	struct strbuf path = STRBUF_INIT;
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, de->d_name);
		unlink(path.buf);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	strbuf_release(&path);
}

static void test_real_fio(void)
{
	char dir[] = "/tmp/pinbench-test-fio-XXXXXX";
	struct fio_job job = {
		.name = "e2e", .rw = "randread", .bs = 4096, .iodepth = 1, .numjobs = 1,
		.ioengine = "psync", .size = 4 << 20, .runtime_s = 1, .directory = dir,
	};
	struct sample_set s = SAMPLE_SET_INIT;
	struct strbuf why = STRBUF_INIT, path = STRBUF_INIT;
	struct child c = CHILD_INIT;

	if (!spawn_find_program("fio", &path) || !mkdtemp(dir)) {
		skip("real fio", "fio not installed or no temp dir");
		strbuf_release(&path);
		return;
	}
	fio_job_argv(&job, &c.args);
	c.flags = SPAWN_CAPTURE_STDOUT | SPAWN_CAPTURE_STDERR;
	c.timeout_ms = 60000;
	is_int(spawn_run(&c), 0, "real fio started");
	is_int(c.status, 0, "real fio exit status 0");
	if (c.status)
		printf("# %s\n", c.err.buf);
	is_int(fio_parse(c.out.buf, c.out.len, &s, &why), FIO_OK, "real fio output parses");
	ok(val(&s, "fio.read.iops") > 0, "real fio: positive iops");
	ok(val(&s, "fio.read.clat_p99_ns") > 0, "real fio: p99 from bins");
	is_double(val(&s, "fio.total_ios"), val(&s, "fio.read.total_ios"), 0, "real fio: total = read");
	remove_tree(dir);
	child_release(&c);
	sample_set_clear(&s);
	strbuf_release(&why);
	strbuf_release(&path);
}

int main(void)
{
	test_single_jsonplus();
	test_text_around_json();
	test_stray_brace_line();
	test_numjobs2_jsonplus();
	test_numjobs2_json();
	test_randrw();
	test_failures();
	test_job_argv();
	test_describe_failure();
	test_real_fio();
	return done_testing();
}
