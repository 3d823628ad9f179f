// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunzip_buf against streams made here with zlib itself (deflate with a gzip
 * wrapper, and gzopen/gzwrite for a gzip file as the gzip format defines
 * it), plus every way a stream can be wrong.
 */
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "common/gzip.h"
#include "tests/tap.h"

/* One gzip member holding data; name, when set, goes in the FNAME field. */
static void gzip_member(struct strbuf *out, const void *data, size_t len, const char *name)
{
	unsigned char chunk[4096];
	gz_header head = { 0 };
	z_stream zs = { 0 };
	int rc;

	if (deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	if (name) {
		head.name = (Bytef *)name;
		head.comment = (Bytef *)"made by test_gzip";
		head.hcrc = 1;
		if (deflateSetHeader(&zs, &head) != Z_OK)
			abort();
	}
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		rc = deflate(&zs, Z_FINISH);
		if (rc == Z_STREAM_ERROR)
			abort();
		strbuf_add(out, chunk, sizeof(chunk) - zs.avail_out);
	} while (rc != Z_STREAM_END);
	deflateEnd(&zs);
}

/* Text that compresses a lot, as mail does, but not into one block. */
static void make_text(struct strbuf *sb, size_t len)
{
	unsigned seed = 1;

	while (sb->len < len) {
		seed = seed * 1103515245 + 12345;
		strbuf_addf(sb, "line %u: %s\n", seed >> 16,
			    (seed >> 8) & 1 ? "Signed-off-by: A U Thor <a@example.org>" : "+\treturn 0;");
	}
	strbuf_setlen(sb, len);
}

static void test_round_trip(void)
{
	struct strbuf text = STRBUF_INIT, gz = STRBUF_INIT;
	struct strbuf out = STRBUF_INIT, why = STRBUF_INIT;

	/* several times the 64 KiB output chunk, so the loop runs */
	make_text(&text, 300000);
	gzip_member(&gz, text.buf, text.len, NULL);
	ok(is_gzip(gz.buf, gz.len), "deflate with a gzip wrapper is gzip");
	is_int(gunzip_buf(gz.buf, gz.len, &out, 0, &why), 0, "300000 bytes round trip");
	is_int(out.len, text.len, "same length");
	ok(out.len == text.len && !memcmp(out.buf, text.buf, text.len), "same bytes");
	is_int(why.len, 0, "no why on success");

	strbuf_reset(&out);
	strbuf_addstr(&out, "kept: ");
	is_int(gunzip_buf(gz.buf, gz.len, &out, text.len, &why), 0,
	       "limit equal to the size is enough");
	ok(out.len == 6 + text.len && !memcmp(out.buf, "kept: ", 6) &&
	   !memcmp(out.buf + 6, text.buf, text.len), "appends after what out held");

	strbuf_reset(&gz);
	strbuf_reset(&out);
	gzip_member(&gz, "", 0, NULL);
	is_int(gunzip_buf(gz.buf, gz.len, &out, 0, &why), 0, "empty member");
	is_int(out.len, 0, "decompresses to nothing");

	strbuf_reset(&gz);
	strbuf_reset(&out);
	gzip_member(&gz, "named\n", 6, "t.mbox");
	is_int(gunzip_buf(gz.buf, gz.len, &out, 0, &why), 0,
	       "member with FNAME, FCOMMENT and FHCRC header fields");
	is_str(out.buf, "named\n", "its data");

	strbuf_release(&text);
	strbuf_release(&gz);
	strbuf_release(&out);
	strbuf_release(&why);
}

/* What `gzip -c` writes, through zlib's file interface. */
static void test_gzfile(void)
{
	char path[] = "/tmp/pinbench-test-gzip.XXXXXX";
	struct strbuf text = STRBUF_INIT, gz = STRBUF_INIT;
	struct strbuf out = STRBUF_INIT, why = STRBUF_INIT;
	int fd = mkstemp(path);
	gzFile f;

	make_text(&text, 100000);
	f = fd >= 0 ? gzdopen(fd, "wb9") : NULL;
	if (!f) {
		ok(0, "gzdopen a temporary file");
		goto out;
	}
	ok(gzwrite(f, text.buf, (unsigned)text.len) == (int)text.len, "gzwrite");
	ok(gzclose(f) == Z_OK, "gzclose");
	ok(strbuf_read_file(&gz, path, 0) == 0, "read the file back");
	is_int(gunzip_buf(gz.buf, gz.len, &out, 0, &why), 0, "gzwrite file decompresses");
	ok(out.len == text.len && !memcmp(out.buf, text.buf, text.len), "to the same bytes");
out:
	if (fd >= 0)
		unlink(path);
	strbuf_release(&text);
	strbuf_release(&gz);
	strbuf_release(&out);
	strbuf_release(&why);
}

static void test_concatenated(void)
{
	struct strbuf gz = STRBUF_INIT, out = STRBUF_INIT, why = STRBUF_INIT;

	gzip_member(&gz, "From a\nfirst\n", 13, NULL);
	gzip_member(&gz, "", 0, NULL);
	gzip_member(&gz, "From b\nsecond\n", 14, "b");
	is_int(gunzip_buf(gz.buf, gz.len, &out, 0, &why), 0, "three concatenated members");
	is_str(out.buf, "From a\nfirst\nFrom b\nsecond\n", "all of them, in order");

	strbuf_reset(&out);
	strbuf_addstr(&gz, "junk");
	is_int(gunzip_buf(gz.buf, gz.len, &out, 0, &why), -1, "trailing garbage is an error");
	like(why.buf, "trailing garbage", "why says so");
	is_int(out.len, 0, "out is left as it was");

	strbuf_setlen(&gz, gz.len - 4);
	strbuf_add(&gz, "\0\0\0\0\0\0\0\0", 8);
	strbuf_reset(&why);
	is_int(gunzip_buf(gz.buf, gz.len, &out, 0, &why), 0, "zero padding is accepted, as gzip(1) does");
	is_str(out.buf, "From a\nfirst\nFrom b\nsecond\n", "and ignored");

	strbuf_release(&gz);
	strbuf_release(&out);
	strbuf_release(&why);
}

static void test_broken(void)
{
	struct strbuf text = STRBUF_INIT, gz = STRBUF_INIT;
	struct strbuf out = STRBUF_INIT, why = STRBUF_INIT;
	static const unsigned char zlib_hdr[] = { 0x78, 0x9c, 0x03, 0x00 };
	size_t full;

	make_text(&text, 100000);
	gzip_member(&gz, text.buf, text.len, NULL);
	full = gz.len;

	strbuf_addstr(&out, "before");
	is_int(gunzip_buf(gz.buf, full - 5, &out, 0, &why), -1, "stream cut in its trailer");
	like(why.buf, "truncated", "why: truncated");
	is_str(out.buf, "before", "out is left as it was");

	strbuf_reset(&why);
	is_int(gunzip_buf(gz.buf, full / 2, &out, 0, &why), -1, "stream cut in half");
	like(why.buf, "truncated", "why: truncated");

	strbuf_reset(&why);
	is_int(gunzip_buf(gz.buf, 10, &out, 0, &why), -1, "header only");
	like(why.buf, "truncated", "why: truncated");

	/* the CRC-32 is the first word of the trailer */
	gz.buf[full - 8] ^= 0x55;
	strbuf_reset(&why);
	is_int(gunzip_buf(gz.buf, full, &out, 0, &why), -1, "wrong CRC");
	like(why.buf, "corrupt gzip data", "why: corrupt");
	like(why.buf, "incorrect data check", "with zlib's reason");
	gz.buf[full - 8] ^= 0x55;

	gz.buf[2] = 7;	/* compression method: only 8 (deflate) exists */
	strbuf_reset(&why);
	is_int(gunzip_buf(gz.buf, full, &out, 0, &why), -1, "unknown compression method");
	like(why.buf, "corrupt gzip data", "why: corrupt");
	gz.buf[2] = 8;

	strbuf_reset(&why);
	is_int(gunzip_buf(gz.buf, full, &out, 1000, &why), -1, "larger than the limit");
	like(why.buf, "larger than 1000 bytes", "why names the limit");
	is_str(out.buf, "before", "nothing is kept");

	strbuf_reset(&why);
	is_int(gunzip_buf(gz.buf, full, &out, text.len - 1, &why), -1, "one byte over the limit");

	strbuf_reset(&why);
	is_int(gunzip_buf("<!DOCTYPE html>", 15, &out, 0, &why), -1, "HTML is not gzip");
	like(why.buf, "not gzip", "why: not gzip");
	strbuf_reset(&why);
	is_int(gunzip_buf(zlib_hdr, sizeof(zlib_hdr), &out, 0, &why), -1,
	       "a zlib stream is not gzip");
	strbuf_reset(&why);
	is_int(gunzip_buf("", 0, &out, 0, &why), -1, "empty input is not gzip");
	is_str(out.buf, "before", "out still as it was");

	ok(!is_gzip("\x1f", 1), "is_gzip: one byte is too short");
	ok(!is_gzip("", 0), "is_gzip: empty");
	ok(is_gzip("\x1f\x8b", 2), "is_gzip: the magic is enough");
	ok(!is_gzip(zlib_hdr, sizeof(zlib_hdr)), "is_gzip: zlib");

	strbuf_release(&text);
	strbuf_release(&gz);
	strbuf_release(&out);
	strbuf_release(&why);
}

int main(void)
{
	test_round_trip();
	test_gzfile();
	test_concatenated();
	test_broken();
	return done_testing();
}
